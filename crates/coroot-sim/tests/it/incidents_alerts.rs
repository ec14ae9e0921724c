//! Items 4, 8 and 11 of issue 12: incidents (window, description, RCA by version and with
//! the Coroot Cloud option, SLI charts), alerts derived from failing checks, the status
//! endpoint, and the costs view's per-node consumers and app instances.

use crate::common::*;
use coroot_sim::{Scenario, SimConfig, Simulator};
use serde_json::{Value, json};

const MIN: i64 = 60_000;

async fn start(scenario: Scenario, v: &str) -> (Simulator, String) {
    let sim = Simulator::start(
        scenario,
        SimConfig {
            now_ms: Some(NOW_MS),
            version: v.into(),
            ..SimConfig::default()
        },
    )
    .await
    .unwrap();
    let c = login(sim.addr(), "admin", "sim-password").await;
    (sim, c)
}

async fn data(sim: &Simulator, c: &str, path: &str) -> Value {
    let r = get(sim.addr(), path, Some(c)).await;
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    r.json()["data"].clone()
}

/// Item 4. `actual_from` = opened minus the short window of the firing burn rate
/// (v1.24.5:api/views/incident/incident.go:79-117), `short_description` by impact
/// (model/application_incident.go:82-106), `rca` on open source = `{"status": "AI disabled",
/// …, "propagation_map": null, "widgets": null}` (cloud/rca.go:51-58), detail `widgets` = the
/// SLI charts annotated with the incident (incident.go:118-139), no `width`.
#[tokio::test]
async fn incidents_as_open_source_coroot_has_them() {
    let (sim, c) = start(Scenario::ecommerce(), "1.24.5").await;
    let list = data(&sim, &c, "/api/project/k3h2x9qa/incidents").await;
    let ai_disabled = json!({"status": "AI disabled", "error": "", "short_summary": "", "root_cause": "", "immediate_fixes": "",
                             "detailed_root_cause_analysis": "", "propagation_map": null, "widgets": null});
    for i in list.as_array().unwrap() {
        assert_eq!(i["rca"], ai_disabled);
        assert_eq!(i["cluster"], "production");
        let br = i["details"]["availability_burn_rates"].as_array().unwrap();
        assert_eq!(
            (br[0]["long_window"].as_i64(), br[0]["short_window"].as_i64()),
            (Some(3_600_000), Some(300_000))
        );
        assert_eq!(
            (br[1]["long_window"].as_i64(), br[1]["short_window"].as_i64()),
            (Some(21_600_000), Some(900_000))
        );
        let expected = if i["resolved_at"].is_null() { "critical" } else { "ok" };
        assert_eq!(i["severity"], expected);
    }
    let d = data(&sim, &c, "/api/project/k3h2x9qa/incident/q8w7e6r5").await;
    assert_eq!(
        d["actual_from"],
        NOW_MS - 45 * MIN,
        "opened minus the 5-minute short window"
    );
    assert_eq!(d["actual_to"], NOW_MS);
    assert_eq!(d["short_description"], "High latency and errors");
    let titles: Vec<&str> = d["widgets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["chart"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Latency, seconds", "Errors, per second"]);
    for w in d["widgets"].as_array().unwrap() {
        assert_eq!(w.as_object().unwrap().len(), 1, "only `chart`");
        assert_eq!(
            w["chart"]["annotations"],
            json!([{"name": "incident", "x1": NOW_MS - 45 * MIN, "x2": NOW_MS, "icon": ""}])
        );
        assert_eq!(w["chart"]["ctx"]["from"], NOW_MS - 40 * MIN - 65 * MIN);
    }
    let p: Vec<&str> = d["widgets"][0]["chart"]["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(p, ["p25", "p50", "p75", "p95", "p99"]);
    // The SLO check carries the first firing burn rate (auditor/slo.go:20-44).
    let fe = data(
        &sim,
        &c,
        &format!(
            "/api/project/k3h2x9qa/app/{}",
            enc("k3h2x9qa:default:Deployment:frontend")
        ),
    )
    .await;
    assert_eq!(
        fe["reports"][0]["checks"][1]["message"],
        "error budget burn rate is 6.8x within 6 hours"
    );
    let d = data(&sim, &c, "/api/project/k3h2x9qa/incident/f1r2n3t4").await;
    // The latency loop's quirk: unset, it takes the first latency burn rate's short window
    // (5 minutes) whatever its severity; the firing 6h rule's 15 minutes are not later.
    assert_eq!(d["actual_from"], NOW_MS - 42 * MIN - 5 * MIN);
    assert_eq!(d["latency_slo"]["compliance"], "93.2%");
}

/// Item 4. With the Coroot Cloud RCA option the AI RCA is served: status OK, its widgets
/// referred to by `WIDGET-<n>` lines of the detailed analysis (front/src/components/
/// Markdown.vue:34, 0-based), the propagation map, and its summary as `short_description`;
/// the list carries only `status` and `short_summary` from v1.21.0 (db/incident.go:188-239),
/// the whole RCA before; `propagation_map` from v1.14.4; the `ai_integration_enabled` shape
/// v1.12.5–v1.13.x; without the option `rca` is null before v1.14.0.
#[tokio::test]
async fn incident_rca_by_version_and_cloud_option() {
    let (sim, c) = start(Scenario::ecommerce().with_cloud_rca(), "1.24.5").await;
    let d = data(&sim, &c, "/api/project/k3h2x9qa/incident/q8w7e6r5").await;
    let rca = &d["rca"];
    assert_eq!(rca["status"], "OK");
    assert_eq!(d["short_description"], "payment OOM-killed after deploy 2.4.1");
    let widgets = rca["widgets"].as_array().unwrap();
    let refs: Vec<usize> = rca["detailed_root_cause_analysis"]
        .as_str()
        .unwrap()
        .lines()
        .filter_map(|l| l.trim().strip_prefix("WIDGET-").map(|n| n.parse().unwrap()))
        .collect();
    assert_eq!(refs, [0, 1]);
    assert!(refs.iter().all(|n| *n < widgets.len()));
    assert!(widgets.iter().all(|w| w["chart"]["series"][0]["data"].is_array()));
    assert_eq!(
        rca["propagation_map"]["applications"][0]["id"],
        "k3h2x9qa:default:Deployment:payment"
    );
    let list = data(&sim, &c, "/api/project/k3h2x9qa/incidents").await;
    assert_eq!(list[0]["rca"]["short_summary"], "payment OOM-killed after deploy 2.4.1");
    assert_eq!(
        (&list[0]["rca"]["root_cause"], &list[0]["rca"]["widgets"]),
        (&json!(""), &json!(null))
    );
    let (v20, c) = start(Scenario::ecommerce().with_cloud_rca(), "1.20.2").await;
    let list = data(&v20, &c, "/api/project/k3h2x9qa/incidents").await;
    assert!(
        list[0]["rca"]["root_cause"].as_str().unwrap().contains("256Mi"),
        "the whole RCA before v1.21.0"
    );
    assert!(list[0].get("cluster").is_none(), "`cluster` from v1.24.1");
    let (v144, c) = start(Scenario::ecommerce(), "1.14.3").await;
    let rca = &data(&v144, &c, "/api/project/k3h2x9qa/incidents").await[0]["rca"];
    assert_eq!(rca["status"], "AI disabled");
    assert!(rca.get("propagation_map").is_none());
    let (v13, c) = start(Scenario::ecommerce(), "1.13.4").await;
    assert!(data(&v13, &c, "/api/project/k3h2x9qa/incidents").await[0]["rca"].is_null());
    let (v13, c) = start(Scenario::ecommerce().with_cloud_rca(), "1.13.4").await;
    let rca = &data(&v13, &c, "/api/project/k3h2x9qa/incidents").await[0]["rca"];
    assert_eq!(rca["ai_integration_enabled"], true);
    assert!(rca.get("status").is_none());
}

/// Item 8. `GET /alerts` (v1.18.0+; v1.24.5:api/api.go:1188-1262, api/views/alert/alert.go):
/// the built-in check-based rules (model/alerting_rule.go) fire for every failing check:
/// summary = the check's message, the rule's description, the check's report, fingerprint =
/// sha256(rule id + app id)[:16] (watchers/alerts.go:998-1014); firing only unless
/// `include_resolved`; `context.alerts` counts them by severity.
#[tokio::test]
async fn alerts_follow_the_failing_checks() {
    let (sim, c) = start(Scenario::ecommerce(), "1.24.5").await;
    let r = get(sim.addr(), "/api/project/k3h2x9qa/alerts", Some(&c)).await.json();
    let d = &r["data"];
    let alerts = d["alerts"].as_array().unwrap();
    assert_eq!(
        (d["total"].as_u64(), d["firing"].as_u64(), d["resolved"].as_u64()),
        (Some(alerts.len() as u64), Some(alerts.len() as u64), Some(0))
    );
    assert_eq!(r["context"]["alerts"], json!({"warning": alerts.len()}));
    let oom = alerts.iter().find(|a| a["rule_id"] == "memory-oom").unwrap();
    assert_eq!(oom["rule_name"], "Out of memory kills");
    assert_eq!(oom["application_id"], "k3h2x9qa:default:Deployment:payment");
    assert_eq!(
        oom["summary"],
        "application has been restarted 3 times by the OOM killer"
    );
    assert_eq!(oom["report"], "Memory");
    assert_eq!(oom["details"][0]["name"], "Description");
    assert!(oom["resolved_at"].is_null() && oom["manually_resolved_at"].is_null() && oom.get("resolved_by").is_none());
    // sha256("memory-oom" + "k3h2x9qa:default:Deployment:payment")[:16]
    assert_eq!(oom["fingerprint"], "a0a8e1f90e425699");
    let mut rules: Vec<(String, String)> = alerts
        .iter()
        .map(|a| {
            (
                a["rule_id"].as_str().unwrap().to_string(),
                a["application_id"]
                    .as_str()
                    .unwrap()
                    .rsplit(':')
                    .next()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    rules.sort();
    let expected = [
        ("cpu-limit", "recommendation"),
        ("dns-nxdomain-errors", "cart"),
        ("instance-restarts", "payment"),
        ("memory-oom", "payment"),
        ("network-tcp-connections", "catalog"),
        ("network-tcp-connections", "checkout"),
        ("postgres-latency", "postgres"),
        ("storage-io-load", "postgres"),
    ];
    assert_eq!(rules, expected.map(|(a, b)| (a.to_string(), b.to_string())));
    assert_eq!(
        data(&sim, &c, "/api/project/k3h2x9qa/alerts?limit=2").await["alerts"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let found = data(&sim, &c, "/api/project/k3h2x9qa/alerts?search=OOM").await;
    assert_eq!(found["alerts"].as_array().unwrap().len(), 1);
    let (healthy, c) = start(Scenario::healthy(), "1.24.5").await;
    let r = get(
        healthy.addr(),
        "/api/project/k3h2x9qa/alerts?include_resolved=true",
        Some(&c),
    )
    .await
    .json();
    assert_eq!(r["data"], json!({"alerts": [], "total": 0, "firing": 0, "resolved": 0}));
    assert_eq!(r["context"]["alerts"], json!({}));
}

/// Item 8. `GET /status` (v1.24.5:api/api.go:380-401): the envelope with `data` = the
/// context's status.
#[tokio::test]
async fn status_endpoint() {
    let (sim, c) = start(Scenario::ecommerce(), "1.24.5").await;
    let r = get(sim.addr(), "/api/project/k3h2x9qa/status", Some(&c)).await.json();
    assert_eq!(r["data"], r["context"]["status"]);
    assert_eq!(
        r["data"],
        json!({"status": "ok", "error": "", "prometheus": {"status": "ok", "message": "ok", "error": "", "action": ""},
               "node_agent": {"status": "ok", "nodes": 4}, "kube_state_metrics": {"status": "ok", "applications": 11}})
    );
}

/// Item 11. Costs (v1.24.5:api/views/overview/costs.go): per node the top-5 consumers by
/// usage and by request as `NodeApplication {name (the app's name), value (% of the node),
/// instances: [{name, usage, request, chart}]}`, `~cached` closing the memory usage list;
/// per app its instances with their CPU and memory usage series and averages.
#[tokio::test]
async fn costs_per_node_consumers_and_app_instances() {
    let (sim, c) = start(Scenario::ecommerce(), "1.24.5").await;
    let costs = data(&sim, &c, "/api/project/k3h2x9qa/overview/costs").await["costs"].clone();
    let n1 = costs["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == "node-1")
        .unwrap()
        .clone();
    let cpu = n1["cpu_usage_applications"].as_array().unwrap();
    assert!(cpu.len() <= 6);
    let pay = cpu.iter().find(|a| a["name"] == "payment").unwrap();
    let inst = pay["instances"].as_array().unwrap();
    assert_eq!(inst.len(), 2, "payment's two pods on node-1");
    for i in inst {
        assert!(i["name"].as_str().unwrap().starts_with("payment-7d9f8b6c5-"));
        assert!(i["usage"].as_str().unwrap().ends_with('m') && i["request"] == "250m");
        assert_eq!(i["chart"].as_array().unwrap().len(), 120);
    }
    let mem = n1["memory_usage_applications"].as_array().unwrap();
    assert_eq!(mem.last().unwrap()["name"], "~cached");
    assert!(mem.last().unwrap()["instances"].is_null());
    let sum: f64 = cpu.iter().map(|a| a["value"].as_f64().unwrap()).sum();
    assert!((n1["cpu_usage"].as_f64().unwrap() - sum).abs() < 0.01);
    let app = costs["applications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "k3h2x9qa:default:Deployment:payment")
        .unwrap()
        .clone();
    let inst = app["instances"].as_array().unwrap();
    assert_eq!(inst.len(), 4);
    assert!(
        inst.windows(2).all(|w| w[0]["name"].as_str() < w[1]["name"].as_str()),
        "sorted by name"
    );
    for i in inst {
        assert_eq!(i["cpu_usage"].as_array().unwrap().len(), 120);
        assert!(i["memory_usage_avg"].as_str().unwrap().ends_with("MB"));
    }
}
