//! Items 1, 2, 6 and 7 of issue 12: link statuses, the two application statuses, metric
//! names and application ids, each as Coroot's Go code has them.

use std::collections::BTreeMap;

use crate::common::*;
use coroot_sim::{Scenario, SimConfig, Simulator, SyntheticSpec};
use serde_json::{Value, json};

async fn start(scenario: Scenario, version: &str) -> (Simulator, String) {
    let sim = Simulator::start(
        scenario,
        SimConfig {
            now_ms: Some(NOW_MS),
            version: version.into(),
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

fn small() -> SyntheticSpec {
    SyntheticSpec {
        apps: 300,
        nodes: 20,
        log_lines: 3_000,
        traces: 50,
        ..SyntheticSpec::default()
    }
}

fn short(id: &Value) -> String {
    id.as_str().unwrap().rsplit(':').next().unwrap().to_string()
}

/// Item 1. `AppToAppConnection.Status()` (v1.24.5:model/connection.go:123-135, the same at
/// v1.12.0) gives only unknown, ok or critical, with the reasons "connectivity issues" and
/// "failed connections"; `utils.FormatLinkStats` (utils/format.go:93-120) writes the stats;
/// map downstreams are bare `{id, status: "unknown", stats: null, weight: 0}`
/// (api/views/overview/service_map.go).
#[tokio::test]
async fn links_are_unknown_ok_or_critical_with_coroot_reasons() {
    let (sim, c) = start(Scenario::ecommerce(), "1.24.5").await;
    let map = data(&sim, &c, "/api/project/k3h2x9qa/overview/map").await["map"].clone();
    let mut links = BTreeMap::new();
    for a in map.as_array().unwrap() {
        for u in a["upstreams"].as_array().unwrap() {
            links.insert(
                (short(&a["id"]), short(&u["id"])),
                (u["status"].clone(), u["stats"].clone(), u["weight"].clone()),
            );
        }
        for d in a["downstreams"].as_array().unwrap() {
            assert_eq!(d["status"], "unknown");
            assert!(d["stats"].is_null());
            assert_eq!(d["weight"], 0);
        }
    }
    assert_eq!(
        links[&("checkout".into(), "payment".into())],
        (json!("critical"), json!(["⚠️ failed connections"]), json!(8.0))
    );
    assert_eq!(
        links[&("frontend".into(), "cart".into())],
        (json!("ok"), json!(["📈 15 rps ⏱️ 8ms", "↑5kB/s ↓37kB/s"]), json!(15.0))
    );
    let catalog = data(
        &sim,
        &c,
        &format!(
            "/api/project/k3h2x9qa/app/{}",
            enc("k3h2x9qa:default:Deployment:catalog")
        ),
    )
    .await;
    let dep = &catalog["app_map"]["dependencies"][0];
    assert_eq!(
        (&dep["link_status"], &dep["link_status_reason"], &dep["link_stats"]),
        (
            &json!("critical"),
            &json!("failed connections"),
            &json!(["⚠️ failed connections"])
        )
    );
    // The synthetic world has both reasons; no link is ever a warning.
    let (syn, c2) = start(Scenario::synthetic(small()), "1.24.5").await;
    let map = data(&syn, &c2, "/api/project/s7n7h3t1/overview/map").await["map"].clone();
    let mut seen = BTreeMap::new();
    for a in map.as_array().unwrap() {
        for u in a["upstreams"].as_array().unwrap() {
            let st = u["status"].as_str().unwrap().to_string();
            assert!(["unknown", "ok", "critical"].contains(&st.as_str()), "{u}");
            let stats = u["stats"].as_array().cloned().unwrap_or_default();
            if st == "critical" {
                let reason = stats[0].as_str().unwrap().to_string();
                assert!(
                    reason == "⚠️ connectivity issues" || reason == "⚠️ failed connections",
                    "{reason}"
                );
                *seen.entry(reason).or_insert(0) += 1;
            } else {
                assert!(stats[0].as_str().unwrap().starts_with("📈 "), "{u}");
            }
        }
    }
    assert_eq!(seen.len(), 2, "both reasons occur: {seen:?}");
}

/// Recomputes an applications-overview row from the app page's checks by the rules of
/// v1.24.5:api/views/overview/applications.go:48-253 (an implementation independent of
/// the simulator's) and returns (status, {indicator: status}).
fn overview_from_checks(reports: &Value, upstream_slo_failing: &[bool]) -> (String, BTreeMap<&'static str, String>) {
    let rank = |s: &str| {
        ["unknown", "ok", "info", "warning", "critical"]
            .iter()
            .position(|x| *x == s)
            .unwrap()
    };
    let mut ind: BTreeMap<&'static str, String> = BTreeMap::new();
    for k in [
        "errors",
        "latency",
        "upstreams",
        "instances",
        "restarts",
        "cpu",
        "memory",
        "disk_io_load",
        "disk_usage",
        "network",
        "dns",
        "logs",
    ] {
        ind.insert(k, "unknown".into());
    }
    let mut violating = false;
    let checks: Vec<&Value> = reports
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["checks"].as_array().into_iter().flatten())
        .collect();
    let get = |id: &str| {
        checks
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| c["status"].as_str().unwrap().to_string())
    };
    let warn = |id: &str| get(id).is_some_and(|s| rank(&s) >= 3);
    if warn("SLOAvailability") {
        ind.insert("errors", "critical".into());
        violating = true;
    }
    if warn("SLOLatency") {
        ind.insert("latency", "critical".into());
        violating = true;
    }
    if let Some(s) = get("InstanceAvailability") {
        ind.insert("instances", s);
    }
    if let Some(s) = get("InstanceRestarts") {
        ind.insert("restarts", s);
    }
    if warn("CPUContainer") || (warn("CPUNode") && violating) {
        ind.insert("cpu", "warning".into());
    }
    if warn("MemoryOOM") || warn("MemoryLeakPercent") {
        ind.insert("memory", "warning".into());
    }
    if let Some(s) = get("StorageIOLoad").filter(|s| s != "unknown") {
        ind.insert("disk_io_load", s);
    }
    if let Some(s) = get("StorageSpace") {
        ind.insert("disk_usage", s);
    }
    if let Some(s) = get("NetworkRTT").filter(|s| s != "unknown") {
        ind.insert("network", if violating { s } else { "ok".into() });
    }
    for id in ["NetworkConnectivity", "NetworkTCPConnections"] {
        if warn(id) {
            ind.insert("network", get(id).unwrap());
        }
    }
    for id in ["DnsLatency", "DnsServerErrors", "DnsNxdomainErrors"] {
        if warn(id) {
            ind.insert("dns", get(id).unwrap());
        }
    }
    if warn("LogErrors") {
        ind.insert("logs", "info".into());
    }
    if !upstream_slo_failing.is_empty() {
        let failing = upstream_slo_failing.iter().any(|f| *f);
        ind.insert("upstreams", if failing && violating { "warning" } else { "ok" }.into());
    }
    let status = ind.values().max_by_key(|s| rank(s)).cloned().unwrap_or_default();
    (status, ind)
}

/// Item 2. The app's own status (service map, app page, app-map peers) is the worst of its
/// SLO, Instances, Postgres and Redis reports (v1.24.5:auditor/auditor.go:85-90); the
/// applications overview's status follows the indicator rules of
/// api/views/overview/applications.go, from the same checks. Both are checked against the
/// app pages of every app, in the e-commerce and the synthetic scenarios.
#[tokio::test]
async fn the_two_app_statuses_follow_the_auditor_and_the_overview_rules() {
    for (scenario, pid) in [
        (Scenario::ecommerce(), "k3h2x9qa"),
        (Scenario::synthetic(small()), "s7n7h3t1"),
    ] {
        let (sim, c) = start(scenario, "1.24.5").await;
        let apps = data(&sim, &c, &format!("/api/project/{pid}/overview/applications")).await["applications"].clone();
        let map = data(&sim, &c, &format!("/api/project/{pid}/overview/map")).await["map"].clone();
        let own: BTreeMap<String, Value> = map
            .as_array()
            .unwrap()
            .iter()
            .map(|a| (a["id"].as_str().unwrap().to_string(), a["status"].clone()))
            .collect();
        let mut pages: BTreeMap<String, Value> = BTreeMap::new();
        let rows = apps.as_array().unwrap();
        let sample: Vec<&Value> = rows.iter().take(60).collect();
        for row in &sample {
            let id = row["id"].as_str().unwrap().to_string();
            let page = data(&sim, &c, &format!("/api/project/{pid}/app/{}", enc(&id))).await;
            let worst = page["reports"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| ["SLO", "Instances", "Postgres", "Redis"].contains(&r["name"].as_str().unwrap()))
                .map(|r| r["status"].as_str().unwrap().to_string())
                .max_by_key(|s| {
                    ["unknown", "ok", "info", "warning", "critical"]
                        .iter()
                        .position(|x| x == s)
                })
                .unwrap();
            assert_eq!(page["app_map"]["application"]["status"], json!(worst), "{id}");
            if let Some(s) = own.get(&id) {
                assert_eq!(s, &json!(worst), "map status of {id}");
            }
            pages.insert(id, page);
        }
        for row in sample {
            let id = row["id"].as_str().unwrap();
            let page = &pages[id];
            let mut ups: Vec<bool> = Vec::new();
            for d in page["app_map"]["dependencies"].as_array().into_iter().flatten() {
                let dep = data(
                    &sim,
                    &c,
                    &format!("/api/project/{pid}/app/{}", enc(d["id"].as_str().unwrap())),
                )
                .await;
                let slo: Vec<String> = dep["reports"][0]["checks"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c["status"].as_str().unwrap().to_string())
                    .filter(|s| s != "unknown")
                    .collect();
                if !slo.is_empty() {
                    ups.push(slo.iter().any(|s| s == "warning" || s == "critical"));
                }
            }
            let (status, ind) = overview_from_checks(&page["reports"], &ups);
            for (k, v) in &ind {
                assert_eq!(row[*k]["status"], json!(v), "{id}: {k}");
            }
            // Then raised to the type's report status, or unknown when that is unknown.
            let rank = |s: &str| {
                ["unknown", "ok", "info", "warning", "critical"]
                    .iter()
                    .position(|x| *x == s)
            };
            let mut expected = status;
            if let (Some(report), Some(t)) = (row["type"]["report"].as_str(), row["type"]["status"].as_str()) {
                if rank(t) > rank(&expected) {
                    expected = t.to_string();
                }
                if expected == "ok" && t == "unknown" && !report.is_empty() {
                    expected = "unknown".into();
                }
            }
            assert_eq!(row["status"], json!(expected), "{id}");
        }
    }
    // The e-commerce story in numbers: own status vs overview status differ where Net, DNS,
    // CPU, Storage or Logs fire.
    let (sim, c) = start(Scenario::ecommerce(), "1.24.5").await;
    let apps = data(&sim, &c, "/api/project/k3h2x9qa/overview/applications").await["applications"].clone();
    let row = |name: &str| {
        apps.as_array()
            .unwrap()
            .iter()
            .find(|a| short(&a["id"]) == name)
            .unwrap()
            .clone()
    };
    let ind = |name: &str, k: &str| {
        let r = row(name);
        format!(
            "{}:{}",
            r[k]["status"].as_str().unwrap(),
            r[k]["value"].as_str().unwrap()
        )
    };
    assert_eq!(ind("checkout", "errors"), "critical:19%");
    assert_eq!(ind("checkout", "network"), "warning:failed conns");
    assert_eq!(ind("frontend", "latency"), "critical:1s");
    assert_eq!(ind("frontend", "upstreams"), "warning:3/4");
    assert_eq!(ind("frontend", "network"), "ok:0.7ms");
    assert_eq!(
        ind("catalog", "errors"),
        "unknown:<1%",
        "errors stay unknown without an SLO violation"
    );
    assert_eq!(ind("catalog", "logs"), "info:1 unique error");
    assert_eq!(ind("cart", "dns"), "warning:errors");
    assert_eq!(ind("payment", "restarts"), "warning:3");
    assert_eq!(ind("payment", "memory"), "warning:OOM");
    assert_eq!(ind("postgres", "disk_io_load"), "warning:10");
    assert_eq!(ind("recommendation", "cpu"), "warning:shortage");
    assert_eq!(row("catalog")["status"], "warning");
    let map = data(&sim, &c, "/api/project/k3h2x9qa/overview/map").await["map"].clone();
    let own = |name: &str| {
        map.as_array()
            .unwrap()
            .iter()
            .find(|a| short(&a["id"]) == name)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(
        own("catalog"),
        "ok",
        "Net and Logs do not count for the app's own status"
    );
    assert_eq!(own("cart"), "ok");
    assert_eq!(own("payment"), "warning", "Instances counts");
    assert_eq!(own("postgres"), "warning", "Postgres counts");
}

/// Item 6. Every metric the PromQL endpoints know is a metric of
/// v1.24.5:constructor/queries.go: RSS is `container_resources_memory_rss_bytes` (queries.go:243),
/// disk utilisation `node_resources_disk_io_time_seconds_total` (:165) and the I/O load
/// `node_resources_disk_{read,write}_time_seconds_total` (:159-160); the names Coroot does not
/// query from the node agent have no series.
#[tokio::test]
async fn promql_metric_names_are_coroots() {
    let (sim, _) = start(Scenario::ecommerce(), "1.24.5").await;
    let end = NOW_MS / 1000;
    let series = |q: &str| {
        let path = format!(
            "/api/v1/query_range?query={}&start={}&end={end}&step=60",
            enc(q),
            end - 3600
        );
        let a = sim.addr();
        async move {
            let r = request(a, "GET", &path, &[("X-API-Key", "sim-api-key")], "").await;
            r.json()["data"]["result"].as_array().map(Vec::len).unwrap_or(0)
        }
    };
    for m in [
        "container_resources_cpu_usage_seconds_total",
        "container_resources_cpu_throttled_seconds_total",
        "container_resources_memory_rss_bytes",
        "container_oom_kills_total",
        "container_restarts_total",
        "container_net_tcp_failed_connects_total",
        "container_net_tcp_retransmits_total",
        "container_net_latency_seconds",
        "container_dns_requests_total",
        "container_http_requests_total",
        "container_http_requests_duration_seconds_total_sum",
        "node_resources_cpu_usage_seconds_total",
        "node_resources_disk_read_time_seconds_total",
        "node_resources_disk_write_time_seconds_total",
        "node_resources_disk_io_time_seconds_total",
        "up",
    ] {
        assert!(series(m).await > 0, "{m}");
    }
    for m in [
        "container_memory_rss",
        "node_disk_io_time_seconds_total",
        "container_cpu_usage_seconds_total",
    ] {
        assert_eq!(series(m).await, 0, "{m} is not a node-agent metric");
    }
    let lat = series("container_net_latency_seconds{destination_ip=\"10.42.3.15\"}").await;
    assert!(lat > 0, "container_net_latency_seconds is labelled by destination_ip");
}

/// Item 7. `{app}` ids parse as `model.NewApplicationIdFromString` (v1.24.5:
/// model/application_id.go:53-75): 4 parts; a 4-part id starting with `external` whose second
/// part is not `external` is a 3-part id with a `:` in its name; an ExternalService is in
/// cluster `external`; other 3-part ids have no cluster and match nothing. Before v1.17.0 ids
/// are `ns:Kind:name` (v1.12.0:model/application_id.go:45-51).
#[tokio::test]
async fn application_ids_parse_like_coroot() {
    let (sim, c) = start(Scenario::ecommerce(), "1.24.5").await;
    let status = |id: &str| {
        let path = format!("/api/project/k3h2x9qa/app/{}", enc(id));
        let (a, c) = (sim.addr(), c.clone());
        async move { get(a, &path, Some(&c)).await.status }
    };
    assert_eq!(
        status("external:external:ExternalService:api.stripe.com:443").await,
        200
    );
    assert_eq!(
        status("external:ExternalService:api.stripe.com:443").await,
        200,
        "3-part with ':' in the name"
    );
    assert_eq!(status("k3h2x9qa:default:Deployment:payment").await, 200);
    assert_eq!(status("default:Deployment:payment").await, 404, "no cluster");
    assert_eq!(status("payment").await, 400);
    let stripe = data(
        &sim,
        &c,
        &format!(
            "/api/project/k3h2x9qa/app/{}",
            enc("external:ExternalService:api.stripe.com:443")
        ),
    )
    .await;
    assert_eq!(
        stripe["app_map"]["application"]["id"],
        "external:external:ExternalService:api.stripe.com:443"
    );
    assert_eq!(stripe["app_map"]["application"]["cluster"], "external");
    let inst = &stripe["reports"][1]["checks"][0];
    assert_eq!(
        (&inst["status"], &inst["message"]),
        (&json!("unknown"), &json!("no data"))
    );
    let (old, c) = start(Scenario::ecommerce(), "1.16.1").await;
    let status = |id: &str| {
        let path = format!("/api/project/k3h2x9qa/app/{}", enc(id));
        let (a, c) = (old.addr(), c.clone());
        async move { get(a, &path, Some(&c)).await.status }
    };
    assert_eq!(status("default:Deployment:payment").await, 200);
    assert_eq!(status("external:ExternalService:api.stripe.com:443").await, 200);
    assert_eq!(status("k3h2x9qa:default:Deployment:payment").await, 404);
    assert_eq!(status("default:payment").await, 400);
}
