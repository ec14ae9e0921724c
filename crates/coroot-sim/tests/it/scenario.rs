//! Over-the-wire tests of the scenario data: incidents, application and node reports,
//! logs filter semantics, traces, panel data, and the synthetic scenario.

use std::time::Instant;

use crate::common::*;
use coroot_sim::{Scenario, SimConfig, Simulator, SyntheticSpec};
use serde_json::{Value, json};

const MIN: i64 = 60_000;

fn logs_q(filters: Value, extra: Value) -> String {
    let mut q = json!({"view": "messages", "agent": true, "otel": true, "filters": filters, "limit": 1000});
    for (k, v) in extra.as_object().unwrap() {
        q[k] = v.clone();
    }
    enc(&q.to_string())
}

async fn logs(sim: &Simulator, c: &str, filters: Value, extra: Value) -> Value {
    let r = get(
        sim.addr(),
        &format!("/api/project/k3h2x9qa/overview/logs?query={}", logs_q(filters, extra)),
        Some(c),
    )
    .await;
    assert_eq!(r.status, 200);
    r.json()["data"]["logs"].clone()
}

fn entries(l: &Value) -> Vec<Value> {
    l["entries"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn incidents_list_and_detail() {
    let (sim, c) = ecommerce().await;
    let a = sim.addr();
    // Not filtered by time: a 5-minute window still lists every incident.
    let j = get(a, "/api/project/k3h2x9qa/incidents?from=now-5m", Some(&c))
        .await
        .json();
    let list = j["data"].as_array().unwrap();
    let keys: Vec<&str> = list.iter().map(|i| i["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["q8w7e6r5", "f1r2n3t4", "a1b2c3d4", "k7l6m5n4", "z9y8x7w6"]);
    assert!(list[0]["resolved_at"].is_null());
    assert_eq!(list[0]["opened_at"], NOW_MS - 40 * MIN);
    assert_eq!(list[0]["severity"], "critical");
    assert_eq!(list[0]["impact"], 19.0);
    assert_eq!(list[0]["duration"], 40 * MIN);
    // Coroot's automatic text: both impacts are above zero.
    assert_eq!(list[0]["short_description"], "High latency and errors");
    assert_eq!(list[0]["rca"]["status"], "AI disabled");
    assert_eq!(list[2]["resolved_at"], NOW_MS - 260 * MIN);
    assert_eq!(list[2]["severity"], "ok", "a resolved incident is OK");
    assert_eq!(list[2]["short_description"], "High latency");
    assert_eq!(list[4]["short_description"], "Elevated error rate");
    assert_eq!(
        get(a, "/api/project/k3h2x9qa/incidents?limit=1", Some(&c)).await.json()["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        get(a, "/api/project/k3h2x9qa/incidents?limit=x", Some(&c)).await.status,
        400
    );
    assert_eq!(
        get(a, "/api/project/p0m1n2b3/incidents", Some(&c)).await.json()["data"],
        json!([])
    );

    let d = get(a, "/api/project/k3h2x9qa/incident/q8w7e6r5", Some(&c)).await.json()["data"].clone();
    assert_eq!(d["rca"]["status"], "AI disabled");
    assert!(d["rca"]["propagation_map"].is_null());
    assert_eq!(
        d["availability_slo"],
        json!({"objective": "99% of requests should not fail", "compliance": "81%", "violated": true, "threshold": 0.0})
    );
    assert_eq!(d["actual_from"], NOW_MS - 45 * MIN);
    assert_eq!(d["widgets"].as_array().unwrap().len(), 2);
    let r = get(a, "/api/project/k3h2x9qa/incident/nope", Some(&c)).await;
    assert_eq!((r.status, r.body.as_str()), (404, "Incident not found\n"));
}

#[tokio::test]
async fn application_list_and_reports() {
    let (sim, c) = ecommerce().await;
    let a = sim.addr();
    let apps = get(a, "/api/project/k3h2x9qa/overview/applications", Some(&c))
        .await
        .json()["data"]["applications"]
        .clone();
    let order: Vec<(&str, &str)> = apps
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["id"].as_str().unwrap().rsplit(':').next().unwrap(),
                x["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(order[0], ("checkout", "critical"));
    assert_eq!(order[1], ("frontend", "critical"));
    assert_eq!(
        &order[7..],
        [("kube-proxy", "ok"), ("prometheus", "ok"), ("redis", "ok")]
    );
    let pay = apps
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == "k3h2x9qa:default:Deployment:payment")
        .unwrap();
    assert_eq!(pay["instances"]["value"], "3/4");
    assert_eq!(pay["type"]["name"], "golang");

    let check = |reports: &Value, id: &str| -> Value {
        reports
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["checks"].as_array().cloned().unwrap_or_default())
            .find(|c| c["id"] == id)
            .unwrap()
    };
    let app = |id: &str| {
        let c = c.clone();
        let id = id.to_string();
        async move {
            get(a, &format!("/api/project/k3h2x9qa/app/{}", enc(&id)), Some(&c))
                .await
                .json()["data"]
                .clone()
        }
    };
    let checkout = app("k3h2x9qa:default:Deployment:checkout").await;
    let ch = check(&checkout["reports"], "SLOAvailability");
    assert_eq!(
        (ch["status"].as_str(), ch["message"].as_str()),
        (Some("critical"), Some("error budget burn rate is 19.0x within 1 hour"))
    );
    let deps = checkout["app_map"]["dependencies"].as_array().unwrap();
    assert_eq!(deps[0]["link_status"], "critical");
    assert_eq!(deps[0]["link_stats"], json!(["⚠️ failed connections"]));

    let payment = app("k3h2x9qa:default:Deployment:payment").await;
    assert_eq!(
        check(&payment["reports"], "MemoryOOM")["message"],
        "application has been restarted 3 times by the OOM killer"
    );
    let r = check(&payment["reports"], "InstanceRestarts");
    assert_eq!(
        (r["message"].as_str(), r["threshold"].as_f64()),
        (Some("application restarted 3 times"), Some(1.0))
    );
    let inst = payment["reports"][1]["widgets"][0]["table"]["rows"].as_array().unwrap();
    assert!(
        inst.iter()
            .any(|r| r["cells"][1]["value"] == "down (waiting:CrashLoopBackOff)")
    );
    let names: Vec<&str> = payment["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "SLO",
            "Instances",
            "CPU",
            "Memory",
            "Net",
            "Logs",
            "Profiling",
            "Tracing"
        ]
    );
    // The 2.4.1 rollout (70 minutes ago) shows up once the window includes it.
    let payment2 = get(
        a,
        &format!(
            "/api/project/k3h2x9qa/app/{}?from=now-2h",
            enc("k3h2x9qa:default:Deployment:payment")
        ),
        Some(&c),
    )
    .await
    .json()["data"]
        .clone();
    assert!(
        payment2["reports"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "Deployments")
    );

    let catalog = app("k3h2x9qa:default:Deployment:catalog").await;
    assert_eq!(
        check(&catalog["reports"], "NetworkTCPConnections")["message"],
        "failed to connect to 1 upstream service"
    );
    assert_eq!(
        catalog["app_map"]["dependencies"][0]["link_status_reason"],
        "failed connections"
    );
    let pg = app("k3h2x9qa:default:StatefulSet:postgres").await;
    assert_eq!(
        check(&pg["reports"], "PostgresLatency")["message"],
        "1 postgres instance is performing slowly"
    );
    let io = check(&pg["reports"], "StorageIOLoad");
    assert_eq!(
        (io["message"].as_str(), io["threshold"].as_f64(), io["unit"].as_str()),
        (Some("high I/O load of 1 volume"), Some(5.0), Some("seconds/second"))
    );
    let cart = app("k3h2x9qa:default:Deployment:cart").await;
    assert_eq!(
        check(&cart["reports"], "DnsNxdomainErrors")["message"],
        "the app received an empty DNS response 7 times"
    );
    let reco = app("k3h2x9qa:default:Deployment:recommendation").await;
    let cpu = check(&reco["reports"], "CPUContainer");
    assert_eq!(
        (cpu["message"].as_str(), cpu["threshold"].as_f64(), cpu["unit"].as_str()),
        (Some("high CPU utilization of 1 container"), Some(80.0), Some("percent"))
    );

    // Id parsing.
    let r = get(a, "/api/project/k3h2x9qa/app/default:Deployment:payment", Some(&c)).await;
    assert_eq!((r.status, r.body.as_str()), (404, "Application not found\n"));
    let r = get(a, "/api/project/k3h2x9qa/app/payment", Some(&c)).await;
    assert_eq!((r.status, r.body.as_str()), (400, "invalid application id\n"));
    assert_eq!(
        get(
            a,
            "/api/project/k3h2x9qa/app/k3h2x9qa:default:Deployment:pay+ment",
            Some(&c)
        )
        .await
        .status,
        404
    );
    assert_eq!(
        get(
            a,
            "/api/project/k3h2x9qa/app/k3h2x9qa:default:Deployment:payment",
            Some(&c)
        )
        .await
        .status,
        200
    );
}

#[tokio::test]
async fn nodes_and_node_reports() {
    let (sim, c) = ecommerce().await;
    let a = sim.addr();
    let nodes = get(a, "/api/project/k3h2x9qa/overview/nodes", Some(&c)).await.json()["data"]["nodes"].clone();
    let n4 = nodes
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == "node-4")
        .unwrap();
    assert_eq!(
        n4["status"],
        json!({"status": "warning", "message": "down (no metrics)"})
    );
    let n3 = nodes
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == "node-3")
        .unwrap();
    assert_eq!(
        (n3["cpu_percent"].as_i64(), n3["memory_percent"].as_i64()),
        (Some(35), Some(61))
    );
    let rep = get(
        a,
        &format!("/api/project/k3h2x9qa/node/{}", enc("k3h2x9qa:node-3")),
        Some(&c),
    )
    .await
    .json()["data"]
        .clone();
    assert_eq!(rep["name"], "Node");
    assert!(rep["checks"].is_null());
    let disks = rep["widgets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["group"] == "Disks" && w.get("table").is_some())
        .unwrap();
    let row = disks["table"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["cells"][0]["value"] == "/dev/nvme1n1")
        .unwrap();
    assert_eq!(row["cells"][3]["value"], "120");
    assert_eq!(row["cells"][3]["unit"], "ms");
    // utils.FormatFloat: no decimals from 1 up.
    assert_eq!(row["cells"][4]["value"], "10");
    assert!(row["cells"].as_array().unwrap().iter().all(|c| c["status"].is_null()));
    let headers: Vec<&str> = rep["widgets"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w["group_header"].as_str())
        .collect();
    assert_eq!(headers, ["CPU", "Memory", "Network", "Disks"]);
    assert_eq!(get(a, "/api/project/k3h2x9qa/node/node-1", Some(&c)).await.status, 200);
    let r = get(a, "/api/project/k3h2x9qa/node/nope", Some(&c)).await;
    assert_eq!((r.status, r.body.as_str()), (404, "Node not found\n"));
    let empty = Simulator::start(Scenario::empty(), SimConfig::default()).await.unwrap();
    let c2 = login(empty.addr(), "admin", "sim-password").await;
    let e = get(empty.addr(), "/api/project/d3f4u1t0/overview/nodes", Some(&c2))
        .await
        .json();
    assert_eq!(e["data"]["nodes"], json!([]));
    assert!(
        get(empty.addr(), "/api/project/d3f4u1t0/overview/applications", Some(&c2))
            .await
            .json()["data"]["applications"]
            .is_null()
    );
}

#[tokio::test]
async fn log_filter_semantics() {
    let (sim, c) = ecommerce().await;
    let sev = |v: &str| json!([{"name": "Severity", "op": "=", "value": v}]);
    assert!(
        logs(&sim, &c, sev("Error"), json!({})).await["entries"].is_null(),
        "Severity values are case-sensitive"
    );
    let errs = logs(&sim, &c, sev("error"), json!({})).await;
    let e = entries(&errs);
    assert!(e.len() > 20);
    assert!(e.iter().all(|x| x["severity"] == "error"));
    assert!(
        e.windows(2)
            .all(|w| w[0]["timestamp"].as_i64() >= w[1]["timestamp"].as_i64()),
        "newest first"
    );
    assert!(e.iter().any(|x| x["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"));
    assert!(
        e.iter()
            .any(|x| x["message"] == "dial tcp: lookup redis-cache.default.svc.cluster.local: no such host")
    );
    assert_eq!(errs["max_ts"].as_str().unwrap().len(), 19);
    let fatal = entries(&logs(&sim, &c, sev("critical"), json!({})).await);
    assert_eq!(
        fatal[0]["message"],
        "runtime: out of memory: cannot allocate 268435456-byte block"
    );
    assert_eq!(fatal[0]["application"], "k3h2x9qa:default:Deployment:payment");
    let warn = entries(&logs(&sim, &c, sev("warn"), json!({})).await);
    assert!(warn.iter().all(|x| x["severity"] == "warning") && !warn.is_empty());

    let msg = entries(
        &logs(
            &sim,
            &c,
            json!([{"name": "Message", "op": "contains", "value": "Connection Refused"}]),
            json!({}),
        )
        .await,
    );
    assert!(
        !msg.is_empty()
            && msg
                .iter()
                .all(|x| x["message"] == "dial tcp 10.42.3.15:5432: connect: connection refused")
    );

    let ev = json!([{"name": "service.name", "op": "=", "value": "KubernetesEvents"}]);
    let events = entries(&logs(&sim, &c, ev.clone(), json!({})).await);
    let reasons: Vec<&str> = events
        .iter()
        .map(|x| x["attributes"]["event.reason"].as_str().unwrap())
        .collect();
    for r in ["BackOff", "OOMKilling", "Evicted", "FailedScheduling", "Killing"] {
        assert!(reasons.contains(&r), "{r}");
    }
    assert!(
        events
            .iter()
            .all(|x| x["application"] == "KubernetesEvents" && x["attributes"]["Cluster"] == "production")
    );
    assert!(
        logs(&sim, &c, ev.clone(), json!({"otel": false})).await["entries"].is_null(),
        "events are OTel logs"
    );
    let none = logs(&sim, &c, json!([]), json!({"agent": false, "otel": false})).await;
    assert_eq!(
        none,
        json!({"message": "", "error": "", "chart": null, "entries": null, "suggest": null, "max_ts": ""})
    );

    let by_obj = entries(&logs(&sim, &c, json!([{"name": "service.name", "op": "=", "value": "KubernetesEvents"}, {"name": "object.name", "op": "~", "value": "^payment-"}, {"name": "Severity", "op": "=", "value": "warning"}]), json!({})).await);
    assert!(
        !by_obj.is_empty()
            && by_obj
                .iter()
                .all(|x| x["attributes"]["object.name"].as_str().unwrap().starts_with("payment-"))
    );
    let not_events = entries(
        &logs(
            &sim,
            &c,
            json!([{"name": "service.name", "op": "!=", "value": "KubernetesEvents"}]),
            json!({}),
        )
        .await,
    );
    assert!(not_events.iter().all(|x| x["application"] != "KubernetesEvents"));

    let trace = entries(
        &logs(
            &sim,
            &c,
            json!([{"name": "TraceId", "op": "=", "value": "4bf92f3577b34da6a3ce929d0e0e4736"}]),
            json!({}),
        )
        .await,
    );
    assert_eq!(trace.len(), 1);
    let limited = logs(&sim, &c, json!([]), json!({"limit": 5})).await;
    assert_eq!(entries(&limited).len(), 5);
    let suggest = limited["suggest"].as_array().unwrap();
    assert_eq!(&suggest[..3], [json!("Cluster"), json!("Message"), json!("Severity")]);
    let since = limited["max_ts"].as_str().unwrap().to_string();
    let tail = logs(&sim, &c, json!([]), json!({"since": since})).await;
    assert!(tail["entries"].is_null());
    assert_eq!(tail["suggest"], json!([]));
    let sv = logs(&sim, &c, json!([]), json!({"suggest": "Severity"})).await;
    assert_eq!(sv["suggest"], json!(["info", "warning", "error", "fatal"]));

    // App logs: only the app's own container lines, never events.
    let q = enc(&json!({"source": "", "view": "messages", "filters": [], "limit": 1000}).to_string());
    let al = get(
        sim.addr(),
        &format!(
            "/api/project/k3h2x9qa/app/{}/logs?query={q}",
            enc("k3h2x9qa:default:Deployment:payment")
        ),
        Some(&c),
    )
    .await
    .json()["data"]
        .clone();
    assert_eq!(
        (al["status"].as_str(), al["source"].as_str(), al["message"].as_str()),
        (Some("ok"), Some("agent"), Some("Using container logs"))
    );
    let ae = entries(&al);
    assert!(!ae.is_empty());
    assert!(ae.iter().all(|x| {
        x["attributes"]["service.name"] == "/k8s/default/payment"
            && x["attributes"]["container.id"]
                .as_str()
                .unwrap()
                .starts_with("/k8s/default/payment-7d9f8b6c5-")
            && x["attributes"].get("k8s.pod.name").is_none()
            && x.get("application").is_none()
            && x["attributes"].get("Cluster").is_none()
    }));
    let q = enc(&json!({"filters": [{"name": "Severity", "op": "=", "value": "error"}]}).to_string());
    let cat = get(
        sim.addr(),
        &format!(
            "/api/project/k3h2x9qa/app/{}/logs?query={q}",
            enc("k3h2x9qa:default:Deployment:catalog")
        ),
        Some(&c),
    )
    .await
    .json()["data"]
        .clone();
    assert!(
        entries(&cat)
            .iter()
            .all(|x| x["message"] == "dial tcp 10.42.3.15:5432: connect: connection refused")
    );
}

#[tokio::test]
async fn traces_views() {
    let (sim, c) = ecommerce().await;
    let t = |q: Value| {
        let c = c.clone();
        let a = sim.addr();
        async move {
            get(
                a,
                &format!("/api/project/k3h2x9qa/overview/traces?query={}", enc(&q.to_string())),
                Some(&c),
            )
            .await
            .json()["data"]["traces"]
                .clone()
        }
    };
    let one = t(json!({"view": "traces", "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736"})).await;
    assert!(one["traces"].is_null());
    let spans = one["trace"].as_array().unwrap();
    assert_eq!(spans.len(), 4);
    assert!(
        spans
            .windows(2)
            .all(|w| w[0]["timestamp"].as_i64() <= w[1]["timestamp"].as_i64())
    );
    assert_eq!(
        (spans[0]["service"].as_str(), spans[0]["name"].as_str()),
        (Some("frontend"), Some("POST /api/checkout"))
    );
    assert_eq!(spans[0]["status"], json!({"error": true, "message": "HTTP-502"}));
    let pay = spans.iter().find(|s| s["service"] == "payment").unwrap();
    assert_eq!(
        pay["status"],
        json!({"error": true, "message": "connection reset by peer"})
    );
    let db = spans.iter().find(|s| s["name"] == "SELECT products").unwrap();
    assert_eq!(db["details"]["lang"], "sql");

    let list = t(json!({"view": "traces"})).await;
    let roots = list["traces"].as_array().unwrap();
    assert!(roots.iter().all(|s| s["parent_id"] == ""
        && !s["service"].as_str().unwrap().starts_with('/')
        && s["name"] != "GET /healthz"));
    let aux = t(json!({"view": "traces", "include_aux": true})).await;
    assert!(
        aux["traces"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "GET /healthz")
    );
    let f = t(json!({"view": "traces", "filters": [{"field": "SpanName", "op": "=", "value": "POST /api/checkout"}], "dur_from": "inf", "dur_to": "err"})).await;
    assert!(
        f["traces"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["status"]["error"] == true && s["name"] == "POST /api/checkout")
    );
    let errors = t(json!({"view": "errors", "dur_from": "inf", "dur_to": "err"})).await;
    assert_eq!(errors["errors"][0]["service_name"], "payment");
    assert_eq!(errors["errors"][0]["sample_error"], "connection reset by peer");
    let summary = t(json!({})).await;
    assert!(summary["summary"]["stats"].as_array().unwrap().len() >= 3);
    assert_eq!(summary["heatmap"]["series"].as_array().unwrap().len(), 13);
}

#[tokio::test]
async fn overview_views_carry_the_story() {
    let (sim, c) = ecommerce().await;
    let a = sim.addr();
    let v = |view: &str, q: &str| {
        let c = c.clone();
        let path = format!("/api/project/k3h2x9qa/overview/{view}{q}");
        async move { get(a, &path, Some(&c)).await.json()["data"].clone() }
    };
    let deps = v("deployments", "").await;
    assert!(deps["deployments"].is_null(), "no rollout in the last hour");
    let deps = v("deployments", "?from=now-7d").await["deployments"].clone();
    let vs: Vec<&str> = deps
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["version"].as_str().unwrap())
        .collect();
    assert_eq!(
        vs,
        [
            "7d9f8b6c5: payment:2.4.1",
            "5f6a7b8c9: catalog:3.1.0",
            "6c8f9d7b5: frontend:1.9.0"
        ]
    );
    assert_eq!(
        deps[0]["summary"][0]["message"],
        "Memory: app containers have been restarted 3 times by the OOM killer"
    );
    assert_eq!(deps[0]["summary"][0]["status"], "💔");
    assert_eq!(deps[0]["deployed"], "1 hour ago");
    let risks = v("risks", "").await["risks"].clone();
    let r: Vec<(&str, &str)> = risks
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["application_id"].as_str().unwrap(),
                r["key"]["type"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        r,
        [
            ("k3h2x9qa:default:StatefulSet:postgres", "db-internet-exposure"),
            ("k3h2x9qa:default:StatefulSet:postgres", "unreplicated-database"),
            ("k3h2x9qa:default:StatefulSet:redis", "unreplicated-database"),
            ("k3h2x9qa:default:Deployment:cart", "single-instance-app"),
            ("k3h2x9qa:default:StatefulSet:postgres", "single-instance-app"),
            ("k3h2x9qa:default:StatefulSet:redis", "single-instance-app")
        ]
    );
    assert_eq!(risks[0]["exposure"]["ips"], json!(["34.201.10.7"]));
    assert_eq!(
        risks[2]["availability"]["description"],
        "Redis isn’t replicated - data loss possible"
    );
    let costs = v("costs", "").await["costs"].clone();
    // node-4 stopped reporting half an hour ago: still priced from its instance type.
    assert_eq!(costs["nodes"].as_array().unwrap().len(), 4);
    let reco = costs["applications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "k3h2x9qa:default:Deployment:recommendation")
        .unwrap();
    assert_eq!(reco["components"][0]["cpu_request"], "2000m");
    // suggestRequest: the usage + 10%, rounded up to a step (types.go:31-53).
    assert_eq!(reco["components"][0]["cpu_request_recommended"], "400m");
    assert_eq!(reco["components"][0]["memory_request"], "4GB");
    assert_eq!(reco["components"][0]["memory_request_recommended"], "800MB");
    let map = v("map", "").await["map"].clone();
    let co = map
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "k3h2x9qa:default:Deployment:checkout")
        .unwrap();
    assert_eq!(co["upstreams"][0]["stats"], json!(["⚠️ failed connections"]));
    assert_eq!(
        co["downstreams"][0],
        json!({"id": "k3h2x9qa:default:Deployment:frontend", "status": "unknown", "stats": null, "weight": 0})
    );
}

#[tokio::test]
async fn panel_data_and_query_range() {
    let (sim, c) = ecommerce().await;
    let a = sim.addr();
    let panel = |q: &str, legend: &str, range: &str| {
        let c = c.clone();
        let body = json!({"source": {"metrics": {"queries": [{"query": q, "legend": legend}]}}, "widget": {"chart": {"display": "line"}}}).to_string();
        let path = format!("/api/project/k3h2x9qa/panel/data?query={}{range}", enc(&body));
        async move { get(a, &path, Some(&c)).await }
    };
    let r = panel(
        "rate(container_oom_kills_total{pod=\"payment-7d9f8b6c5-x2x9k\"}[$RANGE])",
        "{{pod}}",
        "",
    )
    .await
    .json();
    let ch = &r["chart"];
    assert_eq!(ch["ctx"]["step"], 30_000);
    assert_eq!(ch["series"][0]["name"], "payment-7d9f8b6c5-x2x9k");
    assert_eq!(ch["series"][0]["data"].as_array().unwrap().len(), 120);
    assert!(ch["threshold"].is_null() && ch["annotations"].is_null());
    let r = panel(
        "sum by (node) (rate(node_resources_cpu_usage_seconds_total[5m]))",
        "",
        "&from=now-3h",
    )
    .await
    .json();
    assert_eq!(r["chart"]["ctx"]["step"], 60_000);
    let series = r["chart"]["series"].as_array().unwrap();
    assert_eq!(series.len(), 4);
    assert_eq!(series[0]["name"], "{node=node-1}");
    assert_eq!(series[0]["data"].as_array().unwrap().len(), 180);
    assert_eq!(
        panel("container_resources_memory_rss_bytes", "", "&from=now-7h")
            .await
            .json()["chart"]["series"][0]["data"]
            .as_array()
            .unwrap()
            .len(),
        84
    );
    let r = panel("sum(rate(container_cpu[5m])", "", "").await;
    assert_eq!(
        (r.status, r.body.as_str()),
        (400, "1:4: parse error: unclosed left parenthesis\n")
    );
    assert_eq!(panel("rate(up[5m]) +", "", "").await.status, 400);
    assert_eq!(panel("nonexistent_metric", "", "").await.json(), json!({}));
    let r = get(a, "/api/project/k3h2x9qa/panel/data?query=nope", Some(&c)).await;
    assert_eq!((r.status, r.body.as_str()), (400, "Invalid query\n"));

    let k = [("X-API-Key", "sim-api-key")];
    let end = NOW_MS / 1000;
    let q = |expr: &str| {
        format!(
            "/api/v1/query_range?query={}&start={}&end={end}&step=60",
            enc(expr),
            end - 3600
        )
    };
    let r = request(
        a,
        "GET",
        &q("rate(container_net_tcp_failed_connects_total{app_id=\"k3h2x9qa:default:Deployment:catalog\"}[5m])"),
        &k,
        "",
    )
    .await
    .json();
    let res = r["data"]["result"].as_array().unwrap();
    assert!(!res.is_empty());
    let pg = res
        .iter()
        .find(|s| s["metric"]["destination"] == "10.42.3.15:5432")
        .unwrap();
    assert!(pg["metric"].get("__name__").is_none());
    let vals = pg["values"].as_array().unwrap();
    assert_eq!(vals.len(), 61);
    assert_eq!(vals[0][1], "0");
    assert!(vals[60][1].as_str().unwrap().parse::<f64>().unwrap() > 1.0);
    let r = request(a, "GET", &q("sum(rate(x[5m])"), &k, "").await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["errorType"], "bad_data");
    let body = format!("query=up&start={}&end={end}&step=30s", end - 600);
    let r = request(
        a,
        "POST",
        "/api/v1/query_range",
        &[
            ("X-API-Key", "sim-api-key"),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        &body,
    )
    .await;
    assert_eq!(r.json()["data"]["result"][0]["values"].as_array().unwrap().len(), 21);
}

fn small() -> SyntheticSpec {
    SyntheticSpec {
        seed: 7,
        apps: 400,
        nodes: 30,
        log_lines: 8_000,
        traces: 150,
        metric_days: 2,
    }
}

#[tokio::test]
async fn synthetic_counts_and_determinism() {
    let cfg = SimConfig {
        now_ms: Some(NOW_MS),
        ..SimConfig::default()
    };
    let s1 = Simulator::start(Scenario::synthetic(small()), cfg.clone())
        .await
        .unwrap();
    let s2 = Simulator::start(Scenario::synthetic(small()), cfg.clone())
        .await
        .unwrap();
    let c1 = login(s1.addr(), "admin", "sim-password").await;
    let c2 = login(s2.addr(), "admin", "sim-password").await;
    let u = get(s1.addr(), "/api/user", Some(&c1)).await.json();
    assert_eq!(u["projects"], json!([{"id": "s7n7h3t1", "name": "synthetic"}]));
    for path in [
        "/api/project/s7n7h3t1/overview/applications",
        "/api/project/s7n7h3t1/incidents",
        "/api/project/s7n7h3t1/overview/map",
    ] {
        let a = get(s1.addr(), path, Some(&c1)).await.body;
        let b = get(s2.addr(), path, Some(&c2)).await.body;
        assert_eq!(a, b, "{path} is deterministic");
    }
    let apps = get(s1.addr(), "/api/project/s7n7h3t1/overview/applications", Some(&c1))
        .await
        .json()["data"]["applications"]
        .clone();
    let apps = apps.as_array().unwrap();
    assert_eq!(apps.len(), 400);
    let crit = apps.iter().filter(|a| a["status"] == "critical").count();
    let warn = apps.iter().filter(|a| a["status"] == "warning").count();
    assert!((4..=30).contains(&crit), "{crit}");
    assert!((20..=80).contains(&warn), "{warn}");
    let nodes = get(s1.addr(), "/api/project/s7n7h3t1/overview/nodes", Some(&c1))
        .await
        .json()["data"]["nodes"]
        .clone();
    assert_eq!(nodes.as_array().unwrap().len(), 30);
    let inc = get(s1.addr(), "/api/project/s7n7h3t1/incidents", Some(&c1))
        .await
        .json()["data"]
        .clone();
    assert_eq!(inc.as_array().unwrap().len(), 50);
    let q = enc(&json!({"agent": true, "otel": true, "limit": 100000}).to_string());
    let l = get(
        s1.addr(),
        &format!("/api/project/s7n7h3t1/overview/logs?query={q}&from=now-1d"),
        Some(&c1),
    )
    .await
    .json()["data"]["logs"]["entries"]
        .clone();
    assert!(l.as_array().unwrap().len() > 7_900);
    let other = Simulator::start(Scenario::synthetic(SyntheticSpec { seed: 8, ..small() }), cfg)
        .await
        .unwrap();
    let c3 = login(other.addr(), "admin", "sim-password").await;
    assert_ne!(
        get(s1.addr(), "/api/project/s7n7h3t1/incidents", Some(&c1)).await.body,
        get(other.addr(), "/api/project/s7n7h3t1/incidents", Some(&c3))
            .await
            .body
    );
}

#[tokio::test]
async fn default_synthetic_starts_fast() {
    let t = Instant::now();
    let sim = Simulator::start(
        Scenario::synthetic(SyntheticSpec::default()),
        SimConfig {
            now_ms: Some(NOW_MS),
            ..SimConfig::default()
        },
    )
    .await
    .unwrap();
    let took = t.elapsed();
    // Debug builds are several times slower than release; the release target is well under a second.
    assert!(took.as_secs_f64() < 4.0, "{took:?}");
    let c = login(sim.addr(), "admin", "sim-password").await;
    let r = get(sim.addr(), "/api/project/s7n7h3t1/overview/applications", Some(&c)).await;
    assert!(r.body.len() > 120_000);
    assert_eq!(r.json()["data"]["applications"].as_array().unwrap().len(), 5_000);
}

#[tokio::test]
async fn every_named_scenario_serves() {
    for name in Scenario::NAMES {
        let scenario = if *name == "synthetic" {
            Scenario::synthetic(small())
        } else {
            Scenario::by_name(name).unwrap()
        };
        let sim = Simulator::start(
            scenario,
            SimConfig {
                now_ms: Some(NOW_MS),
                ..SimConfig::default()
            },
        )
        .await
        .unwrap();
        let c = login(sim.addr(), "admin", "sim-password").await;
        let u = get(sim.addr(), "/api/user", Some(&c)).await.json();
        let pid = u["projects"][0]["id"].as_str().unwrap().to_string();
        for path in [
            "overview/applications",
            "overview/map",
            "overview/nodes",
            "incidents",
            "overview/traces",
            "overview/costs",
        ] {
            let r = get(sim.addr(), &format!("/api/project/{pid}/{path}"), Some(&c)).await;
            assert_eq!(r.status, 200, "{name} {path}");
            r.json();
        }
        sim.shutdown().await;
    }
    assert!(Scenario::by_name("nope").is_none());
}

#[tokio::test]
async fn story_variants_have_one_root_cause() {
    let open_incident = |name: &'static str| async move {
        let sim = Simulator::start(
            Scenario::by_name(name).unwrap(),
            SimConfig {
                now_ms: Some(NOW_MS),
                ..SimConfig::default()
            },
        )
        .await
        .unwrap();
        let c = login(sim.addr(), "admin", "sim-password").await;
        let inc = get(sim.addr(), "/api/project/k3h2x9qa/incidents", Some(&c))
            .await
            .json()["data"]
            .clone();
        let apps = get(sim.addr(), "/api/project/k3h2x9qa/overview/applications", Some(&c))
            .await
            .json()["data"]["applications"]
            .clone();
        let bad: Vec<String> = apps
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["status"] != "ok")
            .map(|a| a["id"].as_str().unwrap().rsplit(':').next().unwrap().to_string())
            .collect();
        let open: Vec<String> = inc
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["resolved_at"].is_null())
            .map(|i| i["key"].as_str().unwrap().to_string())
            .collect();
        (open, bad)
    };
    assert_eq!(
        open_incident("oom_after_deploy").await,
        (
            vec!["q8w7e6r5".to_string(), "f1r2n3t4".to_string()],
            vec!["checkout".to_string(), "frontend".to_string(), "payment".to_string()]
        )
    );
    assert_eq!(
        open_incident("tcp_connect_failures").await,
        (vec!["t5c4p3f2".to_string()], vec!["catalog".to_string()])
    );
    assert_eq!(
        open_incident("node_disk_saturation").await,
        (
            vec!["a1b2c3d4".to_string(), "f1r2n3t4".to_string()],
            vec!["catalog".to_string(), "frontend".to_string(), "postgres".to_string()]
        )
    );
    assert_eq!(open_incident("healthy").await, (vec![], vec![]));
}
