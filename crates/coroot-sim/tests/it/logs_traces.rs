//! Items 3 and 10 of issue 12 and the app tracing endpoint of item 8: container log rows,
//! the app logs view's sources, source, messages, histogram, limit and order, the overview
//! logs, and every ClickHouse-backed view without ClickHouse.

use crate::common::*;
use coroot_sim::{Scenario, SimConfig, Simulator, SyntheticSpec};
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

async fn app_logs(sim: &Simulator, c: &str, pid: &str, app: &str, q: Value) -> Value {
    let path = format!("/api/project/{pid}/app/{}/logs?query={}", enc(app), enc(&q.to_string()));
    let r = get(sim.addr(), &path, Some(c)).await;
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    r.json()["data"].clone()
}

fn entries(v: &Value) -> Vec<Value> {
    v["entries"].as_array().cloned().unwrap_or_default()
}

/// Item 3. Container log rows as the node agent ships them (coroot-node-agent logs/otel.go;
/// v1.24.5:collector/logs.go:129-166, model/log.go:44-57): resource `service.name` =
/// `/k8s/<ns>/<workload>`, `container.id` = `/k8s/<ns>/<pod>/<container>`, `host.name`,
/// `host.id`, log attribute `pattern.hash`, no `k8s.pod.name`; every pod name maps to its
/// workload (`ContainerIdToServiceName`, model/container.go:65-81).
#[tokio::test]
async fn container_log_rows_carry_the_node_agent_attributes() {
    for (scenario, pid, apps) in [
        (
            Scenario::ecommerce(),
            "k3h2x9qa",
            vec![
                "k3h2x9qa:default:Deployment:payment",
                "k3h2x9qa:kube-system:DaemonSet:kube-proxy",
                "k3h2x9qa:default:StatefulSet:postgres",
            ],
        ),
        (
            Scenario::synthetic(SyntheticSpec {
                apps: 50,
                nodes: 5,
                log_lines: 5_000,
                traces: 10,
                ..SyntheticSpec::default()
            }),
            "s7n7h3t1",
            vec![],
        ),
    ] {
        let (sim, c) = start(scenario, SimConfig::default()).await;
        let q = json!({"view": "messages", "agent": true, "otel": false, "filters": [], "limit": 1000});
        let path = format!("/api/project/{pid}/overview/logs?query={}", enc(&q.to_string()));
        let logs = get(sim.addr(), &path, Some(&c)).await.json()["data"]["logs"].clone();
        let rows = entries(&logs);
        assert!(rows.len() > 100);
        for e in &rows {
            let a = &e["attributes"];
            let cid = a["container.id"].as_str().unwrap();
            let parts: Vec<&str> = cid.split('/').collect();
            assert_eq!(parts.len(), 5, "{cid}");
            let service = a["service.name"].as_str().unwrap();
            assert_eq!(
                service,
                format!("/k8s/{}/{}", parts[2], parts[4]),
                "{cid} maps to its workload"
            );
            assert!(a["host.name"].is_string() && a["host.id"].as_str().unwrap().len() == 32);
            assert_eq!(a["pattern.hash"].as_str().unwrap().len(), 16);
            assert!(a.get("k8s.pod.name").is_none() && a.get("k8s.namespace.name").is_none());
            assert!(e["application"].as_str().unwrap().ends_with(&format!(":{}", parts[4])));
        }
        for app in apps {
            let l = app_logs(&sim, &c, pid, app, json!({"limit": 5})).await;
            assert_eq!(l["sources"], json!(["agent"]));
            assert_eq!(l["service"], "");
            assert_eq!(
                l["services"],
                json!(["KubernetesEvents"]),
                "the OTel services of the project"
            );
        }
    }
}

/// Item 3. `sources` (v1.24.5:api/views/logs/logs.go:103-137): `agent` iff the project has
/// any container logs, `otel` iff the app has an OTel service; `source` defaults to otel
/// then; the messages; "No logs found in ClickHouse" only when there is no source.
#[tokio::test]
async fn app_logs_sources_and_source() {
    let (sim, c) = start(Scenario::ecommerce(), SimConfig::default()).await;
    let fe = "p0m1n2b3:default:Deployment:frontend";
    let l = app_logs(&sim, &c, "p0m1n2b3", fe, json!({"view": "messages", "limit": 100})).await;
    assert_eq!(
        (&l["sources"], &l["source"], &l["service"]),
        (&json!(["agent", "otel"]), &json!("otel"), &json!("frontend"))
    );
    assert_eq!(l["message"], "Using OpenTelemetry logs of <i>frontend</i>");
    assert!(entries(&l).iter().all(|e| e["message"] == "rendered home page"));
    let l = app_logs(&sim, &c, "p0m1n2b3", fe, json!({"source": "agent", "limit": 100})).await;
    assert_eq!(
        (&l["source"], &l["message"]),
        (&json!("agent"), &json!("Using container logs"))
    );
    assert!(entries(&l).iter().all(|e| e["message"] == "GET / 200 4ms"));
    // No container logs anywhere and no OTel service: no source.
    let (empty, c2) = start(
        Scenario::synthetic(SyntheticSpec {
            apps: 20,
            nodes: 3,
            log_lines: 0,
            traces: 0,
            ..SyntheticSpec::default()
        }),
        SimConfig::default(),
    )
    .await;
    let apps = get(empty.addr(), "/api/project/s7n7h3t1/overview/applications", Some(&c2))
        .await
        .json()["data"]["applications"]
        .clone();
    let id = apps[0]["id"].as_str().unwrap();
    let l = app_logs(&empty, &c2, "s7n7h3t1", id, json!({})).await;
    assert_eq!(
        (&l["status"], &l["message"], &l["sources"], &l["view"]),
        (
            &json!("unknown"),
            &json!("No logs found in ClickHouse"),
            &json!(null),
            &json!("patterns")
        )
    );
}

/// Item 3. The messages view: the per-severity histogram counts every matching line per
/// step (column chart, sorted; `GetLogsHistogram`, clickhouse/logs.go:52-82), the entries
/// are at most `limit` and `limit` is set only when that many came back (logs.go:253-255).
#[tokio::test]
async fn app_logs_histogram_covers_every_matching_line() {
    let (sim, c) = start(Scenario::ecommerce(), SimConfig::default()).await;
    let app = "k3h2x9qa:default:Deployment:checkout";
    let all = app_logs(&sim, &c, "k3h2x9qa", app, json!({"limit": 10_000})).await;
    let few = app_logs(&sim, &c, "k3h2x9qa", app, json!({"limit": 5})).await;
    assert_eq!(entries(&few).len(), 5);
    assert_eq!(few["limit"], 5);
    assert_eq!(all["limit"], 0, "fewer lines than the limit");
    let total = |v: &Value| -> f64 {
        v["chart"]["series"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["data"].as_array().unwrap())
            .filter_map(Value::as_f64)
            .sum()
    };
    assert_eq!(
        total(&few),
        entries(&all).len() as f64,
        "the chart counts all lines, not the sample"
    );
    assert_eq!(
        (
            &few["chart"]["column"],
            &few["chart"]["stacked"],
            &few["chart"]["sorted"]
        ),
        (&json!(true), &json!(true), &json!(true))
    );
    let names: Vec<&str> = few["chart"]["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["info", "error"], "ascending severity");
}

/// Item 3. Order: newest first from v1.24.1 (7522c93, clickhouse/logs.go:84-94); before, a
/// `LIMIT n` without ORDER BY: a deterministic but arbitrary sample, not the newest lines.
/// The overview sorts what came back from v1.17.0 (overview/logs.go:218-223).
#[tokio::test]
async fn log_order_follows_the_version() {
    let app = "k3h2x9qa:default:Deployment:frontend";
    let (new, c) = start(Scenario::ecommerce(), version("1.24.1")).await;
    let newest = entries(&app_logs(&new, &c, "k3h2x9qa", app, json!({"limit": 10})).await);
    let ts = |v: &[Value]| v.iter().map(|e| e["timestamp"].as_i64().unwrap()).collect::<Vec<_>>();
    let all = ts(&entries(
        &app_logs(&new, &c, "k3h2x9qa", app, json!({"limit": 10_000})).await,
    ));
    assert_eq!(ts(&newest), all[..10].to_vec(), "the 10 newest, newest first");
    let (old, c) = start(Scenario::ecommerce(), version("1.24.0")).await;
    let sample = ts(&entries(
        &app_logs(&old, &c, "k3h2x9qa", app, json!({"limit": 10})).await,
    ));
    let again = ts(&entries(
        &app_logs(&old, &c, "k3h2x9qa", app, json!({"limit": 10})).await,
    ));
    assert_eq!(sample, again, "deterministic");
    assert_eq!(sample.len(), 10);
    assert_ne!(sample, all[..10].to_vec(), "not the newest lines");
    let mut sorted = sample.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_ne!(sample, sorted, "in no order");
    let q = enc(&json!({"view": "messages", "agent": true, "otel": true, "limit": 20}).to_string());
    let ov = entries(
        &get(
            old.addr(),
            &format!("/api/project/k3h2x9qa/overview/logs?query={q}"),
            Some(&c),
        )
        .await
        .json()["data"]["logs"],
    );
    assert!(
        ov.windows(2)
            .all(|w| w[0]["timestamp"].as_i64() >= w[1]["timestamp"].as_i64()),
        "the overview sorts the sample"
    );
}

/// Items 10 and 3. Without ClickHouse: app logs `unknown` "Clickhouse integration is not
/// configured" with view `patterns` from the Prometheus log-pattern counters (logs.go:95-101),
/// overview logs "Clickhouse integration is not configured." (overview/logs.go:65-68),
/// overview traces `no_clickhouse`, app tracing and profiling `warning` "Clickhouse
/// integration is not configured" (tracing.go:65-67, profiling.go:47-50); app tracing is
/// `null` before v1.17.0.
#[tokio::test]
async fn without_clickhouse() {
    let no_ch = SimConfig {
        clickhouse: false,
        ..SimConfig::default()
    };
    let (sim, c) = start(Scenario::ecommerce(), no_ch.clone()).await;
    let app = "k3h2x9qa:default:Deployment:checkout";
    let l = app_logs(&sim, &c, "k3h2x9qa", app, json!({"view": "messages"})).await;
    assert_eq!(
        (&l["status"], &l["message"], &l["view"], &l["sources"], &l["entries"]),
        (
            &json!("unknown"),
            &json!("Clickhouse integration is not configured"),
            &json!("patterns"),
            &json!(null),
            &json!(null)
        )
    );
    let pats = l["patterns"].as_array().unwrap();
    assert!(
        pats.iter()
            .any(|p| p["severity"] == "error"
                && p["sample"] == "upstream payment returned 502: connection reset by peer")
    );
    assert_eq!(
        (&l["chart"]["column"], &l["chart"]["sorted"]),
        (&json!(true), &json!(false))
    );
    let data = |path: String| {
        let (a, c) = (sim.addr(), c.clone());
        async move { get(a, &path, Some(&c)).await.json()["data"].clone() }
    };
    let q = enc(r#"{"view":"messages","agent":true,"otel":true}"#);
    assert_eq!(
        data(format!("/api/project/k3h2x9qa/overview/logs?query={q}")).await["logs"],
        json!({"message": "Clickhouse integration is not configured.", "error": "", "chart": null, "entries": null, "suggest": null, "max_ts": ""})
    );
    assert_eq!(
        data("/api/project/k3h2x9qa/overview/traces".into()).await["traces"]["message"],
        "no_clickhouse"
    );
    let t = data(format!("/api/project/k3h2x9qa/app/{}/tracing", enc(app))).await;
    assert_eq!(
        t,
        json!({"status": "warning", "message": "Clickhouse integration is not configured", "sources": null, "services": null, "heatmap": null, "spans": null, "limit": 0})
    );
    let pr = data(format!("/api/project/k3h2x9qa/app/{}/profiling", enc(app))).await;
    assert_eq!(
        (&pr["status"], &pr["message"]),
        (&json!("warning"), &json!("Clickhouse integration is not configured"))
    );
    let (old, c) = start(
        Scenario::ecommerce(),
        SimConfig {
            version: "1.16.1".into(),
            ..no_ch
        },
    )
    .await;
    let path = format!(
        "/api/project/k3h2x9qa/app/{}/tracing",
        enc("default:Deployment:checkout")
    );
    assert!(get(old.addr(), &path, Some(&c)).await.json()["data"].is_null());
}

/// Item 8. `GET /app/{app}/tracing` (v1.24.5:api/views/tracing/tracing.go): the sources,
/// the linked OTel service, its SERVER spans at any depth (not only roots), the eBPF source
/// with the spans the app's clients sent to its addresses, `trace=` selection and messages.
#[tokio::test]
async fn app_tracing() {
    let (sim, c) = start(Scenario::ecommerce(), SimConfig::default()).await;
    let t = |app: &str, trace: &str| {
        let path = format!("/api/project/k3h2x9qa/app/{}/tracing?trace={}", enc(app), enc(trace));
        let (a, c) = (sim.addr(), c.clone());
        async move { get(a, &path, Some(&c)).await.json()["data"].clone() }
    };
    let pay = t("k3h2x9qa:default:Deployment:payment", "").await;
    assert_eq!(
        (&pay["status"], &pay["message"]),
        (&json!("ok"), &json!("Using traces of <i>payment</i>"))
    );
    assert_eq!(
        pay["sources"],
        json!([{"type": "otel", "name": "OpenTelemetry", "selected": true}, {"type": "agent", "name": "OpenTelemetry (eBPF)", "selected": false}])
    );
    let spans = pay["spans"].as_array().unwrap();
    assert!(
        !spans.is_empty()
            && spans
                .iter()
                .all(|s| s["service"] == "payment" && !s["parent_id"].as_str().unwrap().is_empty())
    );
    assert!(
        spans.iter().all(|s| s["client"] == "checkout"),
        "the parent span's service"
    );
    assert!(pay["heatmap"].is_object());
    let ebpf = t("k3h2x9qa:default:Deployment:catalog", "agent::").await;
    assert_eq!(ebpf["message"], "Using data gathered by the eBPF tracer");
    let s = &ebpf["spans"][0];
    assert_eq!((&s["service"], &s["client"]), (&json!("catalog"), &json!("frontend")));
    let one = t(
        "k3h2x9qa:default:Deployment:frontend",
        "otel:4bf92f3577b34da6a3ce929d0e0e4736::",
    )
    .await;
    assert_eq!(one["spans"].as_array().unwrap().len(), 4, "every span of the trace");
    let errs = t("k3h2x9qa:default:Deployment:frontend", "otel:::inf-").await;
    assert!(
        errs["spans"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["status"]["error"] == true)
    );
}
