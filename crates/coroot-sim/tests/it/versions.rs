//! Items 12 and 13 of issue 12: the `version` setting reproduces the version differences
//! of Coroot's Go code (each assertion names the change), and every scenario stays coherent
//! on every version.

use crate::common::*;
use coroot_sim::{Scenario, SimConfig, Simulator, SyntheticSpec};
use serde_json::{Value, json};

const MIN: i64 = 60_000;
const P: &str = "/api/project/k3h2x9qa";

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

async fn json_at(sim: &Simulator, c: &str, path: &str) -> Value {
    let r = get(sim.addr(), path, Some(c)).await;
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    assert!(r.content_type().starts_with("application/json"), "{path}");
    r.json()
}

async fn is_html(sim: &Simulator, c: &str, path: &str) -> bool {
    let r = get(sim.addr(), path, Some(c)).await;
    r.status == 200 && r.content_type().starts_with("text/html")
}

/// Routes by version: the SPA index page (with the version, front/public/index.html:14) for
/// every route a version lacks (main.go's catch-all): `/incidents` before v1.12.5 (2981d41),
/// `/api/v1/query_range` before v1.17.7 (129e101), `/alerts` before v1.18.0 (51f0a60).
#[tokio::test]
async fn routes_by_version() {
    for (v, incidents, query_range, alerts) in [
        ("1.12.4", false, false, false),
        ("1.12.5", true, false, false),
        ("1.17.6", true, false, false),
        ("1.17.7", true, true, false),
        ("1.18.0", true, true, true),
        ("1.20.2", true, true, true),
        ("1.24.5", true, true, true),
    ] {
        let (sim, c) = start(Scenario::ecommerce(), v).await;
        assert!(
            get(sim.addr(), "/", None)
                .await
                .body
                .contains(&format!("version: '{v}'"))
        );
        assert_eq!(
            !is_html(&sim, &c, &format!("{P}/incidents")).await,
            incidents,
            "{v} incidents"
        );
        assert_eq!(!is_html(&sim, &c, &format!("{P}/alerts")).await, alerts, "{v} alerts");
        let end = NOW_MS / 1000;
        let q = format!("/api/v1/query_range?query=up&start={}&end={end}&step=60", end - 600);
        let r = request(sim.addr(), "GET", &q, &[("X-API-Key", "sim-api-key")], "").await;
        assert_eq!(
            r.content_type().starts_with("application/json"),
            query_range,
            "{v} query_range"
        );
    }
}

/// v1.12.0–v1.12.4: the incidents are the overview view `incidents` (a time-filtered list of
/// `Summary`, v1.12.4:api/views/overview/overview.go:32-44), the detail a `Summary` plus the
/// SLO heatmap (v1.12.4:api/views/incident/incident.go); ids have no cluster.
#[tokio::test]
async fn incidents_before_v1_12_5() {
    let (sim, c) = start(Scenario::ecommerce(), "1.12.4").await;
    let ov = json_at(&sim, &c, &format!("{P}/overview/incidents")).await["data"].clone();
    let keys: Vec<&str> = ov.as_object().unwrap().keys().map(String::as_str).collect();
    assert!(keys.contains(&"incidents") && !keys.contains(&"fluxcd"));
    let list = ov["incidents"].as_array().unwrap();
    assert_eq!(list.len(), 2, "only the incidents of the last hour");
    let i = list.iter().find(|i| i["key"] == "q8w7e6r5").unwrap();
    assert_eq!(i["application_id"], "default:Deployment:checkout");
    for k in [
        "affected_request_percent",
        "error_budget_consumed_percent",
        "actual_from",
        "actual_to",
        "duration",
        "application_category",
    ] {
        assert!(i.get(k).is_some(), "{k}");
    }
    for k in ["details", "rca", "impact", "short_description", "cluster"] {
        assert!(i.get(k).is_none(), "{k}");
    }
    let d = json_at(&sim, &c, &format!("{P}/incident/q8w7e6r5")).await["data"].clone();
    assert!(d["heatmap"]["heatmap"]["series"].is_array() && d.get("widgets").is_none());
    let (new, c) = start(Scenario::ecommerce(), "1.12.5").await;
    let ov = json_at(&new, &c, &format!("{P}/overview/incidents")).await["data"].clone();
    assert!(ov.get("incidents").is_none(), "v1.12.5 has no incidents view");
}

/// The incident window (`getTimeContext`): opened − 2h15m before v1.12.5, ±1h05m from
/// v1.12.5 (v1.12.5:api/api.go:1568-1591), capped at 24 hours with `truncated` and the
/// " (truncated range)" titles from v1.17.4 (1f3a1f3; model/chart.go:126-131).
#[tokio::test]
async fn incident_windows_by_version() {
    let ctx = |sim: &Simulator, c: &str, key: &str, app: &str| {
        let path = format!("{P}/app/{}?incident={key}", enc(app));
        let (a, c) = (sim.addr(), c.to_string());
        async move { get(a, &path, Some(&c)).await.json()["data"]["reports"][0]["widgets"][2]["chart"].clone() }
    };
    let (v124, c) = start(Scenario::ecommerce(), "1.12.4").await;
    let ch = ctx(&v124, &c, "q8w7e6r5", "default:Deployment:checkout").await;
    assert_eq!(ch["ctx"]["from"], NOW_MS - 40 * MIN - 135 * MIN);
    let (v125, c) = start(Scenario::ecommerce(), "1.12.5").await;
    let ch = ctx(&v125, &c, "q8w7e6r5", "default:Deployment:checkout").await;
    assert_eq!(ch["ctx"]["from"], NOW_MS - 40 * MIN - 65 * MIN);
    let long = ctx(&v125, &c, "k7l6m5n4", "default:Deployment:recommendation").await;
    assert_eq!(
        (long["ctx"]["to"].as_i64().unwrap() - long["ctx"]["from"].as_i64().unwrap()) / MIN,
        24 * 60 + 130,
        "no cap"
    );
    let (v1174, c) = start(Scenario::ecommerce(), "1.17.4").await;
    let long = ctx(&v1174, &c, "k7l6m5n4", "k3h2x9qa:default:Deployment:recommendation").await;
    assert_eq!(
        long["ctx"]["from"],
        NOW_MS - 48 * 60 * MIN + 65 * MIN,
        "24 hours up to resolved + 1h05m"
    );
    assert_eq!(long["ctx"]["truncated"], true);
    assert!(long["title"].as_str().unwrap().ends_with(" (truncated range)"));
}

/// Check messages and definitions by version (model/check.go): before v1.18.0 (51f0a60)
/// MemoryOOM and InstanceRestarts (event-based, threshold 0) said "app containers have been
/// restarted …", NetworkRTT was "Network round-trip time (RTT)" and covered every upstream;
/// NetworkRTTExternal arrived in v1.18.0, MemoryPressure in v1.14.6.
#[tokio::test]
async fn check_catalogue_by_version() {
    let checks = |sim: &Simulator, c: &str, app: &str| {
        let path = format!("{P}/app/{}", enc(app));
        let (a, c) = (sim.addr(), c.to_string());
        async move {
            let d = get(a, &path, Some(&c)).await.json()["data"].clone();
            d["reports"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|r| r["checks"].as_array().cloned().unwrap_or_default())
                .collect::<Vec<Value>>()
        }
    };
    let find = |v: &[Value], id: &str| v.iter().find(|c| c["id"] == id).cloned();
    let (old, c) = start(Scenario::ecommerce(), "1.17.9").await;
    let pay = checks(&old, &c, "k3h2x9qa:default:Deployment:payment").await;
    assert_eq!(
        find(&pay, "MemoryOOM").unwrap()["message"],
        "app containers have been restarted 3 times by the OOM killer"
    );
    let r = find(&pay, "InstanceRestarts").unwrap();
    assert_eq!(
        (&r["message"], &r["threshold"]),
        (&json!("app containers have been restarted 3 times"), &json!(0.0))
    );
    assert_eq!(
        find(&pay, "NetworkRTT").unwrap()["title"],
        "Network round-trip time (RTT)"
    );
    assert!(find(&pay, "NetworkRTTExternal").is_none());
    assert!(find(&pay, "MemoryPressure").is_some());
    let (new, c) = start(Scenario::ecommerce(), "1.18.0").await;
    let pay = checks(&new, &c, "k3h2x9qa:default:Deployment:payment").await;
    assert_eq!(
        find(&pay, "MemoryOOM").unwrap()["message"],
        "application has been restarted 3 times by the OOM killer"
    );
    assert_eq!(find(&pay, "NetworkRTTExternal").unwrap()["status"], "ok");
    // `configuration_hint` of the JVM report from v1.19.0 (auditor/jvm.go:111-115).
    let report = |sim: &Simulator, c: &str, app: &str, name: &str| {
        let path = format!("{P}/app/{}", enc(app));
        let (a, c, name) = (sim.addr(), c.to_string(), name.to_string());
        async move {
            let d = get(a, &path, Some(&c)).await.json()["data"].clone();
            d["reports"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["name"] == name)
                .cloned()
                .unwrap()
        }
    };
    assert!(
        report(&new, &c, "k3h2x9qa:default:Deployment:checkout", "JVM")
            .await
            .get("configuration_hint")
            .is_none()
    );
    let (v124, c) = start(Scenario::ecommerce(), "1.24.5").await;
    let jvm = report(&v124, &c, "k3h2x9qa:default:Deployment:checkout", "JVM").await;
    assert_eq!(
        jvm["configuration_hint"]["read_more_link"],
        "https://docs.coroot.com/profiling/java-profiling"
    );
    let pg = report(&v124, &c, "k3h2x9qa:default:StatefulSet:postgres", "Postgres").await;
    assert!(
        pg["configuration_hint"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Enable track_io_timing")
    );
    let (v1145, c) = start(Scenario::ecommerce(), "1.14.5").await;
    assert!(
        find(
            &checks(&v1145, &c, "default:Deployment:payment").await,
            "MemoryPressure"
        )
        .is_none()
    );
}

/// The envelope's context keys by version (api/ctx.go): `{status, search}` at v1.12.4,
/// `incidents` v1.12.5, `fluxcd: false` v1.15.0, `multicluster` v1.17.0, `alerts` v1.18.0
/// (when search items lose `status`), `fluxcd`/`argocd` null v1.22.0; the overview keys too.
#[tokio::test]
async fn context_and_overview_keys_by_version() {
    for (v, ctx_keys, search_status, overview_len) in [
        ("1.12.4", vec!["search", "status"], true, 10),
        ("1.12.5", vec!["incidents", "search", "status"], true, 9),
        ("1.15.0", vec!["fluxcd", "incidents", "search", "status"], true, 10),
        (
            "1.17.0",
            vec!["fluxcd", "incidents", "multicluster", "search", "status"],
            true,
            10,
        ),
        (
            "1.18.0",
            vec!["alerts", "fluxcd", "incidents", "multicluster", "search", "status"],
            false,
            10,
        ),
        (
            "1.22.0",
            vec![
                "alerts",
                "argocd",
                "fluxcd",
                "incidents",
                "multicluster",
                "search",
                "status",
            ],
            false,
            11,
        ),
    ] {
        let (sim, c) = start(Scenario::ecommerce(), v).await;
        let r = json_at(&sim, &c, &format!("{P}/overview/applications")).await;
        let keys: Vec<&str> = r["context"].as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ctx_keys, "{v}");
        assert_eq!(
            r["context"]["search"]["applications"][0].get("status").is_some(),
            search_status,
            "{v}"
        );
        assert_eq!(r["data"].as_object().unwrap().len(), overview_len, "{v}");
        let fluxcd = &r["context"]["fluxcd"];
        if v == "1.15.0" {
            assert_eq!(fluxcd, &json!(false));
        }
        let app = &r["data"]["applications"][0];
        assert_eq!(
            app.get("cluster").is_some(),
            v >= "1.17.0",
            "{v}: `cluster` from v1.17.0"
        );
        assert_eq!(
            app["id"].as_str().unwrap().matches(':').count(),
            if v >= "1.17.0" { 3 } else { 2 },
            "{v}"
        );
    }
    let (v13, c) = start(Scenario::ecommerce(), "1.13.0").await;
    let r = json_at(&v13, &c, &format!("{P}/app/{}/rca", enc("default:Deployment:checkout"))).await;
    assert_eq!(r["data"], json!("not implemented"));
    assert!(r["context"]["status"].is_object());
}

/// Item 13. Every named scenario on every version answers every view, and its data agrees
/// with itself: each open incident's app has a firing SLO check, each alert's check fails,
/// links are unknown/ok/critical, and apps referred to exist.
#[tokio::test]
async fn every_scenario_is_coherent_on_every_version() {
    for name in Scenario::NAMES {
        for v in ["1.12.5", "1.17.4", "1.20.2", "1.24.5"] {
            let scenario = if *name == "synthetic" {
                Scenario::synthetic(SyntheticSpec {
                    apps: 120,
                    nodes: 10,
                    log_lines: 2_000,
                    traces: 40,
                    ..SyntheticSpec::default()
                })
            } else {
                Scenario::by_name(name).unwrap()
            };
            let (sim, c) = start(scenario, v).await;
            let user = get(sim.addr(), "/api/user", Some(&c)).await.json();
            for p in user["projects"].as_array().unwrap() {
                let pid = p["id"].as_str().unwrap();
                for view in [
                    "applications",
                    "map",
                    "nodes",
                    "deployments",
                    "traces",
                    "logs",
                    "costs",
                    "risks",
                ] {
                    json_at(&sim, &c, &format!("/api/project/{pid}/overview/{view}")).await;
                }
                let map = json_at(&sim, &c, &format!("/api/project/{pid}/overview/map")).await["data"]["map"].clone();
                for a in map.as_array().into_iter().flatten() {
                    for u in a["upstreams"].as_array().unwrap() {
                        assert!(
                            ["unknown", "ok", "critical"].contains(&u["status"].as_str().unwrap()),
                            "{name} {v}: {u}"
                        );
                    }
                }
                let incidents = json_at(&sim, &c, &format!("/api/project/{pid}/incidents")).await["data"].clone();
                for i in incidents
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|i| i["resolved_at"].is_null())
                {
                    let id = i["application_id"].as_str().unwrap();
                    let page = json_at(&sim, &c, &format!("/api/project/{pid}/app/{}", enc(id))).await["data"].clone();
                    let slo = &page["reports"][0];
                    assert_eq!(
                        (slo["name"].as_str(), slo["status"].as_str()),
                        (Some("SLO"), Some("critical")),
                        "{name} {v}: {id}"
                    );
                    json_at(
                        &sim,
                        &c,
                        &format!("/api/project/{pid}/incident/{}", i["key"].as_str().unwrap()),
                    )
                    .await;
                }
                if v >= "1.18.0" {
                    let alerts =
                        json_at(&sim, &c, &format!("/api/project/{pid}/alerts")).await["data"]["alerts"].clone();
                    for a in alerts.as_array().unwrap().iter().take(10) {
                        let id = a["application_id"].as_str().unwrap();
                        let page =
                            json_at(&sim, &c, &format!("/api/project/{pid}/app/{}", enc(id))).await["data"].clone();
                        let failing: Vec<&str> = page["reports"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .flat_map(|r| r["checks"].as_array().into_iter().flatten())
                            .filter(|c| c["status"] != "ok" && c["status"] != "unknown")
                            .map(|c| c["message"].as_str().unwrap())
                            .collect();
                        assert!(failing.contains(&a["summary"].as_str().unwrap()), "{name} {v}: {a}");
                    }
                }
            }
        }
    }
}
