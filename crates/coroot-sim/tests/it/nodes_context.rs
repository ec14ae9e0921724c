//! Items 5 and 9 of issue 12: the node page and the nodes overview by version, node
//! problems as app checks, the envelope's context status for every project health, and the
//! multi-cluster project with `panel/data` datasources.

use crate::common::*;
use coroot_sim::{ProjectHealth, PrometheusHealth, Scenario, SimConfig, Simulator, SyntheticSpec};
use serde_json::{Value, json};

async fn start(scenario: Scenario, config: SimConfig) -> (Simulator, String) {
    let sim = Simulator::start(
        scenario,
        SimConfig {
            now_ms: Some(NOW_MS),
            ..config
        },
    )
    .await
    .unwrap();
    let c = login(sim.addr(), "admin", "sim-password").await;
    (sim, c)
}

fn version(v: &str) -> SimConfig {
    SimConfig {
        version: v.into(),
        ..SimConfig::default()
    }
}

async fn json_at(sim: &Simulator, c: &str, path: &str) -> Value {
    let r = get(sim.addr(), path, Some(c)).await;
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    r.json()
}

fn tables(widgets: &Value) -> Vec<Value> {
    widgets
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w.get("table").cloned())
        .collect()
}

/// Item 5. The node page is one report `{name: "Node", status, widgets, checks: null}` with
/// no cell status (v1.24.5:auditor/node.go, no `SetStatus`, no `CreateCheck`); the Disks table
/// writes the latency in ms, the I/O load with `utils.FormatFloat` and the space with
/// humanize; `group` on every widget from v1.24.0, header widgets only before; the info
/// table from v1.19.1.
#[tokio::test]
async fn node_page_is_one_report_without_checks() {
    let (sim, c) = start(Scenario::ecommerce(), SimConfig::default()).await;
    let n = json_at(&sim, &c, "/api/project/k3h2x9qa/node/node-3").await["data"].clone();
    assert_eq!(
        (&n["name"], &n["status"], &n["checks"]),
        (&json!("Node"), &json!("ok"), &json!(null))
    );
    for t in tables(&n["widgets"]) {
        for row in t["rows"].as_array().unwrap() {
            assert_eq!(row["id"], "");
            assert!(
                row["cells"].as_array().unwrap().iter().all(|c| c["status"].is_null()),
                "{row}"
            );
        }
    }
    let disks = tables(&n["widgets"])
        .into_iter()
        .find(|t| t["header"][0] == "Device")
        .unwrap();
    let row = disks["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["cells"][0]["value"] == "/dev/nvme1n1")
        .unwrap()
        .clone();
    let cell = |i: usize| {
        (
            row["cells"][i]["value"].as_str().unwrap().to_string(),
            row["cells"][i]["unit"].as_str().unwrap().to_string(),
        )
    };
    assert_eq!(
        cell(2),
        ("postgres-0".to_string(), String::new()),
        "one user: `value`, not `values`"
    );
    assert_eq!(cell(3), ("120".to_string(), "ms".to_string()));
    assert_eq!(cell(4), ("10".to_string(), String::new()));
    assert_eq!(cell(5).0, "36% (71 GB / 200 GB)");
    let w = n["widgets"].as_array().unwrap();
    assert!(
        w.iter()
            .filter(
                |w| w.get("group_header").is_none() && w.get("table").map(|t| t["header"][0] != "OS").unwrap_or(true)
            )
            .all(|w| w["group"].is_string())
    );
    let (old, c) = start(Scenario::ecommerce(), version("1.23.3")).await;
    let n = json_at(&old, &c, "/api/project/k3h2x9qa/node/node-1").await["data"].clone();
    assert!(
        n["widgets"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w.get("group").is_none())
    );
    assert!(
        n["widgets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["group_header"] == "CPU")
    );
    let n4 = json_at(&old, &c, "/api/project/k3h2x9qa/node/node-4").await["data"].clone();
    assert!(
        tables(&n4["widgets"])
            .iter()
            .any(|t| t["header"][0] == "Device" && t["rows"].is_null()),
        "the empty Disks table"
    );
    let (older, c) = start(Scenario::ecommerce(), version("1.19.0")).await;
    let n = json_at(&older, &c, "/api/project/k3h2x9qa/node/node-1").await["data"].clone();
    assert!(
        tables(&n["widgets"]).iter().all(|t| t["header"][0] != "OS"),
        "no info table before v1.19.1"
    );
}

/// Item 5. The nodes overview in its three shapes (api/views/overview/nodes.go): `null`
/// for an unknown CPU/memory from v1.23.0, plain ints (0) v1.17.0–v1.22.x, the Table before
/// v1.17.0; `network_bandwidth` in bits/s, `cluster_id`, `cluster_name`; `os` and
/// `kernel_version` from v1.19.1.
#[tokio::test]
async fn nodes_overview_shapes_by_version() {
    let node = |v: &Value, name: &str| {
        v["data"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["name"] == name)
            .unwrap()
            .clone()
    };
    let (sim, c) = start(Scenario::ecommerce(), SimConfig::default()).await;
    let v = json_at(&sim, &c, "/api/project/k3h2x9qa/overview/nodes").await;
    let (n1, n4) = (node(&v, "node-1"), node(&v, "node-4"));
    assert_eq!(
        (&n1["cpu_percent"], &n4["cpu_percent"], &n4["memory_percent"]),
        (&json!(28), &json!(null), &json!(null))
    );
    assert_eq!(n1["network_bandwidth"], json!({"rx": 180_000_000, "tx": 120_000_000}));
    assert_eq!(n1["total_network_band_width"], 300_000_000);
    assert!(n4["network_bandwidth"].is_null() && n4["ips"] == json!([]));
    assert_eq!(
        (&n1["cluster_id"], &n1["cluster_name"], &n1["os"]),
        (&json!("k3h2x9qa"), &json!("production"), &json!("linux"))
    );
    assert_eq!(
        n4["status"],
        json!({"status": "warning", "message": "down (no metrics)"})
    );
    let (v22, c) = start(Scenario::ecommerce(), version("1.22.2")).await;
    let v = json_at(&v22, &c, "/api/project/k3h2x9qa/overview/nodes").await;
    assert_eq!(
        node(&v, "node-4")["cpu_percent"],
        0,
        "unknown reads as 0 before v1.23.0"
    );
    let (v19, c) = start(Scenario::ecommerce(), version("1.19.0")).await;
    assert!(
        node(
            &json_at(&v19, &c, "/api/project/k3h2x9qa/overview/nodes").await,
            "node-1"
        )
        .get("os")
        .is_none()
    );
    let (v16, c) = start(Scenario::ecommerce(), version("1.16.1")).await;
    let t = json_at(&v16, &c, "/api/project/k3h2x9qa/overview/nodes").await["data"]["nodes"].clone();
    assert_eq!(
        t["header"],
        json!([
            "Node",
            "Status",
            "Availability zone",
            "IP",
            "CPU",
            "Memory",
            "GPU",
            "Network"
        ])
    );
    let rows = t["rows"].as_array().unwrap();
    let r4 = rows.iter().find(|r| r["cells"][0]["value"] == "node-4").unwrap();
    assert!(
        r4["cells"][4]["progress"].is_null(),
        "no progress bar for an unknown CPU"
    );
    assert_eq!(
        (&r4["cells"][1]["value"], &r4["cells"][1]["status"]),
        (&json!("down (no metrics)"), &json!("warning"))
    );
    let r1 = rows.iter().find(|r| r["cells"][0]["value"] == "node-1").unwrap();
    assert_eq!(r1["cells"][4]["progress"], json!({"percent": 28, "color": "blue"}));
    assert_eq!(r1["cells"][7]["bandwidth"], json!({"Rx": "180 Mbps", "Tx": "120 Mbps"}));
}

/// Item 5. Node problems surface only as app checks: CPUNode (auditor/cpu.go:106-109) in
/// the apps of a busy node, StorageIOLoad (auditor/storage.go:53-75) in the app of a
/// saturated volume; a CPUNode warning raises the overview's `cpu` only while the SLO burns.
#[tokio::test]
async fn node_problems_are_app_checks() {
    let (sim, c) = start(Scenario::ecommerce(), SimConfig::default()).await;
    let pg = json_at(
        &sim,
        &c,
        &format!(
            "/api/project/k3h2x9qa/app/{}",
            enc("k3h2x9qa:default:StatefulSet:postgres")
        ),
    )
    .await["data"]
        .clone();
    let storage = pg["reports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Storage")
        .unwrap();
    assert_eq!(storage["checks"][0]["message"], "high I/O load of 1 volume");
    let (syn, c) = start(
        Scenario::synthetic(SyntheticSpec {
            apps: 400,
            nodes: 40,
            log_lines: 1_000,
            traces: 10,
            ..SyntheticSpec::default()
        }),
        SimConfig::default(),
    )
    .await;
    let apps = json_at(&syn, &c, "/api/project/s7n7h3t1/overview/applications").await["data"]["applications"].clone();
    let mut found = 0;
    for a in apps.as_array().unwrap() {
        if found >= 2 {
            break;
        }
        let page = json_at(
            &syn,
            &c,
            &format!("/api/project/s7n7h3t1/app/{}", enc(a["id"].as_str().unwrap())),
        )
        .await["data"]
            .clone();
        let cpu = page["reports"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == "CPU")
            .unwrap();
        let node = cpu["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "CPUNode")
            .unwrap();
        if node["status"] == "warning" {
            found += 1;
            assert!(
                node["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("high CPU utilization of ")
            );
            if a["errors"]["status"] != "critical"
                && a["latency"]["status"] != "critical"
                && a["cpu"]["value"] != "shortage"
            {
                assert_eq!(a["cpu"]["status"], "unknown", "{}", a["id"]);
            }
        }
    }
    assert!(found > 0, "the synthetic world has busy nodes");
}

/// Item 9. `context.status` as `renderStatus` writes it (v1.24.5:api/ctx.go:136-200) for
/// every project health.
#[tokio::test]
async fn context_status_for_every_project_health() {
    let status = |health: ProjectHealth| async move {
        let (sim, c) = start(
            Scenario::ecommerce(),
            SimConfig {
                health,
                ..SimConfig::default()
            },
        )
        .await;
        json_at(&sim, &c, "/api/project/k3h2x9qa/overview/applications").await["context"]["status"].clone()
    };
    let s = status(ProjectHealth {
        prometheus: PrometheusHealth::QueryError("dial tcp 10.0.0.9:9090: connect: connection refused".into()),
        ..ProjectHealth::default()
    })
    .await;
    assert_eq!(s["status"], "warning");
    assert_eq!(
        s["prometheus"],
        json!({"status": "warning", "message": "An error has been occurred while querying Prometheus:", "error": "dial tcp 10.0.0.9:9090: connect: connection refused", "action": "configure"})
    );
    let s = status(ProjectHealth {
        prometheus: PrometheusHealth::CacheLag { avg_ms: 12 * 60_000 },
        ..ProjectHealth::default()
    })
    .await;
    assert_eq!(
        s["prometheus"],
        json!({"status": "warning", "message": "The Prometheus cache lag is 12 minutes, likely due to a restart or upgrade. Synchronization is in progress.", "error": "", "action": "wait"})
    );
    let s = status(ProjectHealth {
        node_agent: false,
        ..ProjectHealth::default()
    })
    .await;
    assert_eq!(
        (&s["status"], &s["node_agent"]),
        (&json!("warning"), &json!({"status": "warning", "nodes": 0}))
    );
    let s = status(ProjectHealth {
        kube_state_metrics: false,
        ..ProjectHealth::default()
    })
    .await;
    assert_eq!(
        (&s["status"], &s["kube_state_metrics"]),
        (&json!("warning"), &json!({"status": "warning", "applications": 0}))
    );
    let s = status(ProjectHealth {
        prometheus: PrometheusHealth::NotConfigured,
        ..ProjectHealth::default()
    })
    .await;
    assert_eq!(s["prometheus"]["message"], "Prometheus is not configured.");
    // An empty project: the metric cache has no data, so `/status` has no world while the
    // other views build an empty one (api.go:2335-2337, 2411-2414).
    let (empty, c) = start(Scenario::empty(), SimConfig::default()).await;
    let st = json_at(&empty, &c, "/api/project/d3f4u1t0/status").await["data"].clone();
    assert_eq!(
        (&st["status"], &st["node_agent"], &st["kube_state_metrics"]),
        (&json!("ok"), &json!({"status": "unknown", "nodes": 0}), &json!(null))
    );
    let ctx = json_at(&empty, &c, "/api/project/d3f4u1t0/overview/nodes").await["context"]["status"].clone();
    assert_eq!(
        (&ctx["status"], &ctx["node_agent"]),
        (&json!("warning"), &json!({"status": "warning", "nodes": 0}))
    );
}

/// Item 9. The multi-cluster project (v1.17.0+): `multicluster: true`, `member_projects`,
/// its world the members' worlds with their clusters, and `panel/data` needing a member's
/// name as `datasource` when there are several (v1.24.5:api/views/dashboards/panel.go:27-33);
/// a single project answers 400 `invalid datasource` to a wrong one (from v1.17.0).
#[tokio::test]
async fn multicluster_project_and_datasources() {
    let (sim, c) = start(
        Scenario::ecommerce(),
        SimConfig {
            multicluster: true,
            ..SimConfig::default()
        },
    )
    .await;
    let v = json_at(&sim, &c, "/api/project/m9lt1c5r/overview/applications").await;
    assert_eq!(
        (&v["context"]["multicluster"], &v["context"]["member_projects"]),
        (&json!(true), &json!(["production", "staging"]))
    );
    let clusters: std::collections::BTreeSet<&str> = v["data"]["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["cluster"].as_str().unwrap())
        .collect();
    assert_eq!(clusters, ["production", "staging"].into());
    let single = json_at(&sim, &c, "/api/project/k3h2x9qa/overview/applications").await;
    assert_eq!(single["context"]["multicluster"], false);
    assert!(single["context"].get("member_projects").is_none());
    let panel = |pid: &str, ds: &str| {
        let q = json!({"source": {"metrics": {"queries": [{"query": "up", "legend": "{{instance}}", "datasource": ds}]}}, "widget": {"chart": {}}});
        let path = format!("/api/project/{pid}/panel/data?query={}", enc(&q.to_string()));
        let (a, c) = (sim.addr(), c.clone());
        async move { get(a, &path, Some(&c)).await }
    };
    let r = panel("m9lt1c5r", "").await;
    assert_eq!((r.status, r.body.as_str()), (400, "invalid datasource\n"));
    let r = panel("m9lt1c5r", "staging").await;
    assert_eq!(r.status, 200);
    let names: Vec<String> = r.json()["chart"]["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    assert!(
        names.contains(&"10.1.1.11:10300".to_string()) && names.len() == 3,
        "{names:?}"
    );
    assert_eq!(panel("k3h2x9qa", "staging").await.status, 400);
    assert_eq!(panel("k3h2x9qa", "production").await.status, 200);
    assert_eq!(panel("k3h2x9qa", "").await.status, 200);
    let (old, c) = start(Scenario::ecommerce(), version("1.16.1")).await;
    let q =
        json!({"source": {"metrics": {"queries": [{"query": "up", "datasource": "nope"}]}}, "widget": {"chart": {}}});
    let r = get(
        old.addr(),
        &format!("/api/project/k3h2x9qa/panel/data?query={}", enc(&q.to_string())),
        Some(&c),
    )
    .await;
    assert_eq!(r.status, 200, "no datasource field before v1.17.0");
}
