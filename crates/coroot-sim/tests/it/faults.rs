//! The fault-class scenarios over the wire: each scenario's failing checks (exactly those, with
//! Coroot's messages), links, nodes, incidents (opened by burn rate, no AI RCA), rollouts and red
//! herrings, and that its ground truth (`Scenario::expected_causes`) names what the API shows.

use std::collections::{BTreeMap, BTreeSet};

use crate::common::*;
use coroot_sim::{ExpectedCause, Scenario, Simulator};
use serde_json::Value;

const P: &str = "/api/project/k3h2x9qa";

/// What a scenario serves, fetched once.
struct View {
    _sim: Simulator,
    apps: Vec<Value>,
    /// App short name → its `/app/{id}` data.
    details: BTreeMap<String, Value>,
    map: Vec<Value>,
    nodes: Vec<Value>,
    incidents: Vec<Value>,
    deployments: Vec<Value>,
    risks: Vec<Value>,
}

fn short(id: &Value) -> String {
    let id = id.as_str().unwrap();
    // External services keep their `host:port` name.
    id.split_once(":ExternalService:")
        .map_or_else(|| id.rsplit(':').next().unwrap().to_string(), |(_, n)| n.to_string())
}

async fn view(name: &str) -> View {
    let (sim, c) = start_scenario(Scenario::by_name(name).unwrap()).await;
    let data = |path: String| {
        let c = c.clone();
        let a = sim.addr();
        async move {
            let r = get(a, &format!("{P}/{path}"), Some(&c)).await;
            assert_eq!(r.status, 200, "{path}: {}", r.body);
            r.json()["data"].clone()
        }
    };
    let list = |v: &Value| v.as_array().cloned().unwrap_or_default();
    let apps = list(&data("overview/applications".into()).await["applications"]);
    let map = list(&data("overview/map".into()).await["map"]);
    let mut details = BTreeMap::new();
    for a in map.iter().chain(&apps) {
        if let std::collections::btree_map::Entry::Vacant(e) = details.entry(short(&a["id"])) {
            e.insert(data(format!("app/{}", enc(a["id"].as_str().unwrap()))).await);
        }
    }
    View {
        apps,
        details,
        map,
        nodes: list(&data("overview/nodes".into()).await["nodes"]),
        incidents: list(&data("incidents".into()).await),
        deployments: list(&data("overview/deployments?from=now-24h".into()).await["deployments"]),
        risks: list(&data("overview/risks".into()).await["risks"]),
        _sim: sim,
    }
}

impl View {
    /// Every check that is not ok or unknown: `app/Check` → (status, message).
    fn failing(&self) -> BTreeMap<String, (String, String)> {
        let mut out = BTreeMap::new();
        for (app, d) in &self.details {
            for r in d["reports"].as_array().unwrap() {
                for c in r["checks"].as_array().into_iter().flatten() {
                    let st = c["status"].as_str().unwrap();
                    if st != "ok" && st != "unknown" {
                        out.insert(
                            format!("{app}/{}", c["id"].as_str().unwrap()),
                            (st.to_string(), c["message"].as_str().unwrap().to_string()),
                        );
                    }
                }
            }
        }
        out
    }

    /// Links that are not ok: (client, upstream, reason).
    fn bad_links(&self) -> BTreeSet<(String, String, String)> {
        let mut out = BTreeSet::new();
        for a in &self.map {
            for u in a["upstreams"].as_array().unwrap() {
                if u["status"] != "ok" {
                    assert_eq!(u["status"], "critical", "links are unknown, ok or critical: {u}");
                    out.insert((
                        short(&a["id"]),
                        short(&u["id"]),
                        u["stats"][0].as_str().unwrap().to_string(),
                    ));
                }
            }
        }
        out
    }

    fn open(&self) -> BTreeSet<String> {
        self.incidents
            .iter()
            .filter(|i| i["resolved_at"].is_null())
            .map(|i| i["key"].as_str().unwrap().to_string())
            .collect()
    }

    fn incident(&self, key: &str) -> &Value {
        self.incidents.iter().find(|i| i["key"] == key).unwrap()
    }

    fn deployment(&self, version: &str) -> &Value {
        self.deployments
            .iter()
            .find(|d| d["version"] == version)
            .unwrap_or_else(|| panic!("no rollout {version}"))
    }

    fn app_status(&self, name: &str) -> String {
        let a = self.apps.iter().find(|a| short(&a["id"]) == name).unwrap();
        a["status"].as_str().unwrap().to_string()
    }

    fn widgets(&self, app: &str, report: &str) -> Vec<Value> {
        self.details[app]["reports"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == report)
            .map(|r| r["widgets"].as_array().cloned().unwrap_or_default())
            .unwrap_or_default()
    }

    /// Rows of an app report's first table, as (cell value, cell status) lists.
    fn rows(&self, app: &str, report: &str) -> Vec<Vec<(String, Value)>> {
        let w = self.widgets(app, report);
        let t = w.iter().find(|w| w.get("table").is_some()).unwrap();
        t["table"]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["cells"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| (c["value"].as_str().unwrap().to_string(), c["status"].clone()))
                    .collect()
            })
            .collect()
    }
}

/// The failing checks a scenario must show, exactly: `app/Check` with its message (`*`: any,
/// for counts that depend on log timing).
fn assert_failing(v: &View, want: &[(&str, &str)]) {
    let got = v.failing();
    let want: BTreeMap<&str, &str> = want.iter().copied().collect();
    let got_keys: BTreeSet<&str> = got.keys().map(String::as_str).collect();
    let want_keys: BTreeSet<&str> = want.keys().copied().collect();
    assert_eq!(got_keys, want_keys, "failing checks: {got:#?}");
    for (k, msg) in want {
        if msg != "*" {
            assert_eq!(got[k].1, msg, "{k}");
        }
    }
}

/// What every fault scenario shares: incidents opened by burn rate with no AI RCA, each open one
/// explained by a cause of the ground truth; the dismissed risk; the causes' apps and nodes exist.
fn assert_common(name: &str, v: &View) {
    let causes = Scenario::by_name(name).unwrap().expected_causes();
    let explained: BTreeSet<String> = causes
        .iter()
        .flat_map(|c| c.incidents.iter().map(|k| k.to_string()))
        .collect();
    assert_eq!(v.open(), explained, "{name}: open incidents are the ground truth's");
    for i in &v.incidents {
        assert_eq!(i["rca"]["status"], "AI disabled", "{name}: no AI RCA");
        let burns: Vec<&Value> = ["availability_burn_rates", "latency_burn_rates"]
            .iter()
            .flat_map(|k| i["details"][*k].as_array().unwrap())
            .collect();
        for b in &burns {
            // model/alert.go:18-21: 1h/5m ×14.4 and 6h/15m ×6; a 1% budget: percentage = burn rate.
            let (long, short, thr) = (&b["long_window"], &b["short_window"], b["threshold"].as_f64().unwrap());
            assert!(
                (long == 3_600_000 && short == 300_000 && thr == 14.4)
                    || (long == 21_600_000 && short == 900_000 && thr == 6.0),
                "{b}"
            );
            assert_eq!(b["long_window_percentage"], b["long_window_burn_rate"]);
            let fires = b["long_window_burn_rate"].as_f64().unwrap() > thr
                && b["short_window_burn_rate"].as_f64().unwrap() > thr;
            assert_eq!(b["severity"], if fires { "critical" } else { "ok" }, "{b}");
        }
        if i["resolved_at"].is_null() {
            assert_eq!(i["severity"], "critical");
            assert!(
                burns.iter().any(|b| b["severity"] == "critical"),
                "{name}: an open incident burns"
            );
            // The incident's app shows it as its SLO check.
            let app = short(&i["application_id"]);
            let slo: Vec<(String, String)> = v
                .failing()
                .into_iter()
                .filter(|(k, _)| k.starts_with(&format!("{app}/SLO")))
                .map(|(_, m)| m)
                .collect();
            assert!(
                slo.iter()
                    .any(|(st, m)| st == "critical" && m.starts_with("error budget burn rate is ")),
                "{name}: {app} {slo:?}"
            );
        } else {
            assert_eq!(i["severity"], "ok");
        }
    }
    let cart_risk = v
        .risks
        .iter()
        .find(|r| short(&r["application_id"]) == "cart" && r["key"]["type"] == "single-instance-app")
        .unwrap();
    assert_eq!(cart_risk["severity"], "ok");
    assert_eq!(cart_risk["dismissal"]["by"], "Admin");
    for c in &causes {
        assert!(ExpectedCause::KINDS.contains(&c.kind), "{}", c.kind);
        if let Some(app) = c.app {
            assert!(v.details.contains_key(app), "{name}: {app}");
            let id = v.details[app]["app_map"]["application"]["id"].as_str().unwrap();
            assert_eq!(Some(id), c.app_id, "{name}");
            assert!(c.matches(Some(id), c.kind, None));
        }
        if let Some(node) = c.node {
            assert!(v.nodes.iter().any(|n| n["name"] == node), "{name}: {node}");
            assert!(c.matches(None, c.kind, Some(node)));
        }
        if c.app.is_some() || c.node.is_some() {
            assert!(!c.matches(Some("k3h2x9qa:default:Deployment:nope"), c.kind, Some("node-9")));
        }
    }
}

/// A rollout that changed nothing: ok, "No notable changes".
fn assert_harmless(v: &View, version: &str) {
    let d = v.deployment(version);
    assert_eq!(d["status"], "ok", "{d}");
    assert_eq!(d["summary"][0]["message"], "No notable changes");
}

fn bad_nodes(v: &View) -> Vec<(String, String)> {
    v.nodes
        .iter()
        .filter(|n| n["status"]["status"] != "ok")
        .map(|n| {
            (
                n["name"].as_str().unwrap().into(),
                n["status"]["message"].as_str().unwrap().into(),
            )
        })
        .collect()
}

fn link(a: &str, b: &str, reason: &str) -> (String, String, String) {
    (a.into(), b.into(), format!("⚠️ {reason}"))
}

#[tokio::test]
async fn packet_loss_on_node_2() {
    let v = view("packet_loss").await;
    assert_common("packet_loss", &v);
    assert_failing(
        &v,
        &[
            ("cart/SLOAvailability", "error budget burn rate is 25.4x within 1 hour"),
            ("cart/NetworkConnectivity", "no connectivity with 1 upstream service"),
            ("cart/LogErrors", "*"),
            (
                "frontend/SLOAvailability",
                "error budget burn rate is 21.0x within 1 hour",
            ),
            (
                "frontend/NetworkConnectivity",
                "no connectivity with 1 upstream service",
            ),
            (
                "frontend/NetworkRTT",
                "high in-cluster network latency: 3 services affected, max RTT: 38ms",
            ),
            (
                "frontend/DnsNxdomainErrors",
                "the app received an empty DNS response 41 times",
            ),
            ("frontend/LogErrors", "*"),
            (
                "catalog/NetworkRTT",
                "high in-cluster network latency: 1 service affected, max RTT: 31ms",
            ),
            (
                "checkout/NetworkRTT",
                "high in-cluster network latency: 1 service affected, max RTT: 14ms",
            ),
            (
                "payment/NetworkRTT",
                "high in-cluster network latency: 1 service affected, max RTT: 12ms",
            ),
        ],
    );
    assert_eq!(
        v.bad_links(),
        BTreeSet::from([
            link("cart", "redis", "connectivity issues"),
            link("frontend", "cart", "connectivity issues")
        ])
    );
    // Coroot has no packet-loss signal for a node: node-2 reads "up".
    assert!(bad_nodes(&v).is_empty());
    assert_eq!(v.incident("m2v8q4rw")["short_description"], "High latency and errors");
    // Red herrings: frontend's DNS warning is days old, checkout's rollout harmless.
    assert_harmless(&v, "6d9c8b7a5: checkout:4.2.1");
    assert_eq!(v.incident("j5r2h7ba")["severity"], "ok");
}

#[tokio::test]
async fn dns_nxdomain_for_a_deleted_service() {
    let v = view("dns_nxdomain").await;
    assert_common("dns_nxdomain", &v);
    assert_failing(
        &v,
        &[
            (
                "checkout/SLOAvailability",
                "error budget burn rate is 24.1x within 1 hour",
            ),
            (
                "checkout/DnsNxdomainErrors",
                "the app received an empty DNS response 1,881 times",
            ),
            ("checkout/LogErrors", "*"),
        ],
    );
    assert!(v.bad_links().is_empty());
    let rows = v.rows("checkout", "DNS");
    let status = |d: &str| rows.iter().find(|r| r[0].0 == d).unwrap()[0].1.clone();
    assert_eq!(status("payment.default.svc.cluster.local"), "warning");
    // The search-path variants never resolve: not counted, unknown (auditor/dns.go:17-22,147-149).
    assert_eq!(
        status("payment.default.svc.cluster.local.default.svc.cluster.local"),
        "unknown"
    );
    assert_eq!(status("otel-collector.monitoring.svc.cluster.local"), "ok");
    assert_harmless(&v, "3e4f5a6b7: cart:2.7.4");
    assert_eq!(v.app_status("payment"), "ok");
}

#[tokio::test]
async fn dns_servfail_for_external_names() {
    let v = view("dns_servfail").await;
    assert_common("dns_servfail", &v);
    assert_failing(
        &v,
        &[
            (
                "payment/SLOAvailability",
                "error budget burn rate is 20.4x within 1 hour",
            ),
            ("payment/DnsServerErrors", "2,114 server DNS errors occurred"),
            ("payment/DnsLatency", "high latency"),
            ("payment/LogErrors", "*"),
            (
                "checkout/SLOAvailability",
                "error budget burn rate is 17.7x within 1 hour",
            ),
            ("checkout/LogErrors", "*"),
        ],
    );
    let errors = v.widgets("payment", "DNS");
    assert!(
        errors
            .iter()
            .any(|w| w["chart"]["title"] == "DNS errors, per second"
                && w["chart"]["series"][0]["name"] == "TypeA:servfail"),
        "{errors:?}"
    );
    assert!(v.bad_links().is_empty());
    assert_harmless(&v, "7a8b9c0d1: payment:2.4.2");
}

#[tokio::test]
async fn disk_space_full_on_postgres_volume() {
    let v = view("disk_space_full").await;
    assert_common("disk_space_full", &v);
    assert_failing(
        &v,
        &[
            ("postgres/StorageSpace", "1 volume is over 80% full, max usage: 99%"),
            ("postgres/LogErrors", "*"),
            (
                "payment/SLOAvailability",
                "error budget burn rate is 22.7x within 1 hour",
            ),
            ("payment/LogErrors", "*"),
            (
                "checkout/SLOAvailability",
                "error budget burn rate is 19.8x within 1 hour",
            ),
            ("checkout/LogErrors", "*"),
        ],
    );
    // The Storage table has no cell status (auditor/storage.go).
    let rows = v.rows("postgres", "Storage");
    assert_eq!(rows[0][3].0, "99% (198 GB / 200 GB)");
    assert!(rows[0].iter().all(|c| c.1.is_null()));
    assert_harmless(&v, "8b9c0d1e2: catalog:3.1.1");
}

#[tokio::test]
async fn oom_without_a_deploy() {
    let v = view("oom_without_deploy").await;
    assert_common("oom_without_deploy", &v);
    assert_failing(
        &v,
        &[
            (
                "recommendation/SLOLatency",
                "error budget burn rate is 24.3x within 1 hour",
            ),
            (
                "recommendation/MemoryOOM",
                "application has been restarted 8 times by the OOM killer",
            ),
            ("recommendation/LogErrors", "8 errors occurred"),
            (
                "prometheus/MemoryLeakPercent",
                "memory usage is growing by 13% per hour",
            ),
        ],
    );
    assert!(
        v.deployments
            .iter()
            .all(|d| short(&d["application"]["id"]) != "recommendation"),
        "no rollout of recommendation"
    );
    // The red herring: prometheus' leak warning without an incident.
    assert_eq!(v.app_status("prometheus"), "warning");
    assert!(v.incidents.iter().all(|i| short(&i["application_id"]) != "prometheus"));
    assert_harmless(&v, "3e4f5a6b7: cart:2.7.4");
}

#[tokio::test]
async fn cpu_throttling_after_a_limit_change() {
    let v = view("cpu_throttling_after_limit_change").await;
    assert_common("cpu_throttling_after_limit_change", &v);
    assert_failing(
        &v,
        &[
            ("catalog/SLOLatency", "error budget burn rate is 29.2x within 1 hour"),
            ("catalog/CPUContainer", "high CPU utilization of 2 containers"),
            (
                "frontend/DnsNxdomainErrors",
                "the app received an empty DNS response 41 times",
            ),
        ],
    );
    let d = v.deployment("7c1d2e3f4: catalog:3.1.0");
    assert_eq!(d["status"], "critical");
    assert_eq!(
        d["summary"][0]["message"],
        "Latency: 65% of requests faster 500ms (objective: 99%)"
    );
    let pods = &v.details["catalog"]["app_map"]["instances"];
    assert!(
        pods.as_array()
            .unwrap()
            .iter()
            .all(|p| p["id"].as_str().unwrap().starts_with("catalog-7c1d2e3f4-"))
    );
    assert_harmless(&v, "3e4f5a6b7: cart:2.7.4");
    assert_eq!(v.incident("y2q6f9hc")["severity"], "ok");
}

#[tokio::test]
async fn noisy_neighbour_on_node_1() {
    let v = view("noisy_neighbour").await;
    assert_common("noisy_neighbour", &v);
    let mut want = vec![
        ("checkout/SLOLatency", "error budget burn rate is 21.1x within 1 hour"),
        ("redis/RedisLatency", "1 redis instance is performing slowly"),
    ];
    let on_node_1 = [
        "checkout/CPUNode",
        "frontend/CPUNode",
        "kube-proxy/CPUNode",
        "payment/CPUNode",
        "recommendation/CPUNode",
        "redis/CPUNode",
        "search-indexer/CPUNode",
    ];
    want.extend(on_node_1.iter().map(|k| (*k, "high CPU utilization of 1 node")));
    assert_failing(&v, &want);
    let n1 = v.nodes.iter().find(|n| n["name"] == "node-1").unwrap();
    assert_eq!(n1["cpu_percent"], 97);
    assert_eq!(n1["status"]["status"], "ok");
    // The neighbour has no limit and no SLO of its own: only CPUNode.
    assert_eq!(v.app_status("search-indexer"), "ok");
    let dismissed = v
        .risks
        .iter()
        .find(|r| short(&r["application_id"]) == "search-indexer")
        .unwrap();
    assert_eq!(dismissed["severity"], "ok");
    assert_harmless(&v, "9d8c7b6a5: recommendation:5.0.3");
}

#[tokio::test]
async fn node_1_goes_down() {
    let v = view("node_down").await;
    assert_common("node_down", &v);
    assert_failing(
        &v,
        &[
            ("cart/SLOAvailability", "error budget burn rate is 22.1x within 1 hour"),
            ("cart/NetworkTCPConnections", "failed to connect to 1 upstream service"),
            ("cart/LogErrors", "*"),
            ("frontend/LogErrors", "*"),
            ("kube-proxy/InstanceAvailability", "1 DaemonSet instance is unavailable"),
            ("redis/InstanceAvailability", "no instances available"),
            ("redis/RedisAvailability", "1 redis instance is unavailable"),
        ],
    );
    assert_eq!(bad_nodes(&v), [("node-1".to_string(), "down (no metrics)".to_string())]);
    let n1 = v.nodes.iter().find(|n| n["name"] == "node-1").unwrap();
    assert!(n1["cpu_percent"].is_null());
    assert_eq!(
        v.bad_links(),
        BTreeSet::from([link("cart", "redis", "failed connections")])
    );
    // The evicted frontend pod stays listed, its replacement runs: 2 of the 2 desired are up.
    let rows = v.rows("frontend", "Instances");
    let down: Vec<_> = rows.iter().filter(|r| r[1].0 == "down (node down)").collect();
    assert_eq!(down.len(), 1);
    assert_eq!(down[0][4], ("node-1".to_string(), Value::from("warning")));
    assert_eq!(rows.len(), 3);
    let fe = v.apps.iter().find(|a| short(&a["id"]) == "frontend").unwrap();
    assert_eq!(fe["instances"]["value"], "2/2");
    assert_harmless(&v, "8b9c0d1e2: catalog:3.1.1");
}

#[tokio::test]
async fn postgres_latency_without_a_disk_problem() {
    let v = view("postgres_latency").await;
    assert_common("postgres_latency", &v);
    assert_failing(
        &v,
        &[
            ("catalog/SLOLatency", "error budget burn rate is 25.4x within 1 hour"),
            ("postgres/PostgresLatency", "1 postgres instance is performing slowly"),
            (
                "postgres/PostgresStaleStatistics",
                "planner statistics are stale on 1 postgres instance",
            ),
        ],
    );
    assert_harmless(&v, "8a9b0c1d2: frontend:1.9.1");
    assert_eq!(v.incident("a7w3p5qe")["severity"], "ok");
}

#[tokio::test]
async fn connection_pool_exhausted_only_in_logs() {
    let v = view("connection_pool_exhausted").await;
    assert_common("connection_pool_exhausted", &v);
    assert_failing(
        &v,
        &[
            (
                "checkout/SLOAvailability",
                "error budget burn rate is 21.1x within 1 hour",
            ),
            ("checkout/SLOLatency", "error budget burn rate is 24.1x within 1 hour"),
            ("checkout/LogErrors", "*"),
            ("frontend/LogErrors", "*"),
            (
                "frontend/DnsNxdomainErrors",
                "the app received an empty DNS response 41 times",
            ),
        ],
    );
    assert!(v.bad_links().is_empty(), "the pool, not the network");
    assert_eq!(v.incident("c8p0o2lx")["short_description"], "High latency and errors");
}

#[tokio::test]
async fn bad_deploy_with_errors_only_in_logs() {
    let v = view("bad_deploy_log_errors").await;
    assert_common("bad_deploy_log_errors", &v);
    assert_failing(
        &v,
        &[
            ("cart/SLOAvailability", "error budget burn rate is 20.3x within 1 hour"),
            ("cart/LogErrors", "*"),
            ("frontend/LogErrors", "*"),
        ],
    );
    let cart = v.deployment("4f5e6d7c8: cart:2.8.0");
    assert_eq!(cart["status"], "critical");
    let msgs: Vec<&str> = cart["summary"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        msgs,
        [
            "Availability: 73% (objective: 99%)",
            "Logs: there are errors in the logs"
        ]
    );
    // The red herring: frontend's later rollout also reads critical, but its SLO does not burn.
    assert_eq!(v.deployment("8a9b0c1d2: frontend:1.9.1")["status"], "critical");
    assert!(!v.failing().contains_key("frontend/SLOAvailability"));
}

#[tokio::test]
async fn an_external_dependency_goes_away() {
    let v = view("external_dependency_down").await;
    assert_common("external_dependency_down", &v);
    assert_failing(
        &v,
        &[
            (
                "payment/SLOAvailability",
                "error budget burn rate is 26.5x within 1 hour",
            ),
            ("payment/NetworkConnectivity", "no connectivity with 1 upstream service"),
            (
                "payment/NetworkTCPConnections",
                "failed to connect to 1 upstream service",
            ),
            ("payment/LogErrors", "*"),
            (
                "checkout/SLOAvailability",
                "error budget burn rate is 24.7x within 1 hour",
            ),
            ("checkout/LogErrors", "*"),
        ],
    );
    assert_eq!(
        v.bad_links(),
        BTreeSet::from([link("payment", "api.stripe.com:443", "connectivity issues")])
    );
    assert_harmless(&v, "7a8b9c0d1: payment:2.4.2");
}

#[tokio::test]
async fn a_healthy_cluster_with_noise() {
    let v = view("healthy_with_noise").await;
    assert_common("healthy_with_noise", &v);
    assert_failing(&v, &[("recommendation/LogErrors", "3 errors occurred")]);
    assert!(v.open().is_empty() && v.bad_links().is_empty() && bad_nodes(&v).is_empty());
    let reco = v.apps.iter().find(|a| short(&a["id"]) == "recommendation").unwrap();
    assert_eq!(reco["logs"]["status"], "info");
    assert_harmless(&v, "8a9b0c1d2: frontend:1.9.1");
    assert_eq!(v.incident("y2q6f9hc")["severity"], "ok");
    assert!(Scenario::healthy_with_noise().expected_causes().is_empty());
}

#[tokio::test]
async fn concurrent_independent_faults() {
    let v = view("concurrent_faults").await;
    assert_common("concurrent_faults", &v);
    assert_failing(
        &v,
        &[
            (
                "recommendation/SLOLatency",
                "error budget burn rate is 24.3x within 1 hour",
            ),
            (
                "recommendation/MemoryOOM",
                "application has been restarted 8 times by the OOM killer",
            ),
            ("recommendation/LogErrors", "*"),
            (
                "payment/NetworkTCPConnections",
                "failed to connect to 1 upstream service",
            ),
            ("payment/LogErrors", "*"),
            (
                "cart/DnsNxdomainErrors",
                "the app received an empty DNS response 3,940 times",
            ),
            ("prometheus/StorageSpace", "1 volume is over 80% full, max usage: 91%"),
        ],
    );
    // A critical link no incident covers.
    assert_eq!(
        v.bad_links(),
        BTreeSet::from([link("payment", "postgres", "failed connections")])
    );
    assert_eq!(v.open(), BTreeSet::from(["w3c8m1of".to_string()]));
    let causes = Scenario::concurrent_faults().expected_causes();
    let kinds: Vec<&str> = causes.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, ["oom", "tcp_connect", "dns", "disk_space"]);
    assert_eq!(Scenario::concurrent_faults().expected_cause(), causes.first().copied());
}

/// The single-story variants' ground truth matches what they serve (the tool tests rank them).
#[test]
fn story_variants_know_their_ground_truth() {
    let tcp = Scenario::tcp_connect_failures().expected_cause().unwrap();
    assert!(tcp.matches(Some("k3h2x9qa:default:Deployment:catalog"), "tcp_connect", None));
    let disk = Scenario::node_disk_saturation().expected_cause().unwrap();
    assert!(disk.matches(Some("default/postgres"), "disk_io", Some("node-3")));
    assert!(!disk.matches(Some("default/catalog"), "disk_io", None));
    let oom = Scenario::oom_after_deploy().expected_cause().unwrap();
    assert!(oom.matches(Some("payment"), "restarts", None));
    assert!(!oom.matches(Some("payment"), "dns", None));
    assert!(Scenario::healthy().expected_cause().is_none());
    assert_eq!(Scenario::ecommerce().expected_causes().len(), 6);
    let node = Scenario::node_down().expected_cause().unwrap();
    assert!(node.matches(None, "node_down", Some("node-1")));
    assert!(
        !node.matches(Some("redis"), "instances_down", None),
        "a node cause needs the node"
    );
    let ext = Scenario::external_dependency_down().expected_cause().unwrap();
    assert!(ext.matches(Some("k3h2x9qa:default:Deployment:payment"), "connectivity", None));
    assert!(ext.matches(
        Some("external:external:ExternalService:api.stripe.com:443"),
        "tcp_connect",
        None
    ));
}
