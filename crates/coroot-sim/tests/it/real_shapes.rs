//! The simulator's answers have the shapes of a real Coroot v1.24.5's (the pruned captures
//! in `tests/fixtures/real-v1.24.5`): the same keys, types and null-vs-`[]`, endpoint by
//! endpoint. The e-commerce scenario stands for the four-faults lab; the ClickHouse-less and
//! Prometheus-less captures are compared with the simulator set up the same way.

use crate::common::*;
use crate::shape::assert_shape;
use coroot_sim::{ProjectHealth, PrometheusHealth, Scenario, SimConfig, Simulator};
use serde_json::{Value, json};

async fn start(config: SimConfig) -> (Simulator, String) {
    let sim = Simulator::start(
        Scenario::ecommerce(),
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

async fn body(sim: &Simulator, c: &str, path: &str) -> Value {
    let r = get(sim.addr(), path, Some(c)).await;
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    r.json()
}

const P: &str = "/api/project/k3h2x9qa";

fn app(id: &str) -> String {
    format!("{P}/app/{}", enc(&format!("k3h2x9qa:default:{id}")))
}

/// The overview views, incidents, alerts, status, the app and node pages and panel data,
/// each against its capture (api/views/overview/*.go, api/views/incident/incident.go,
/// api/views/alert/alert.go, api/ctx.go, api/views/application/application.go,
/// auditor/node.go, api/views/dashboards/panel.go; v1.24.5).
#[tokio::test]
async fn answers_have_real_coroot_shapes() {
    let (sim, c) = start(SimConfig::default()).await;
    for (path, fixture) in [
        (format!("{P}/overview/applications"), "overview-applications.json"),
        (format!("{P}/overview/map"), "overview-map.json"),
        (format!("{P}/overview/nodes"), "overview-nodes.json"),
        (format!("{P}/overview/costs"), "overview-costs.json"),
        (format!("{P}/incidents?limit=50"), "incidents.json"),
        (format!("{P}/incident/q8w7e6r5"), "incident.json"),
        (format!("{P}/alerts"), "alerts.json"),
        (format!("{P}/status"), "status.json"),
        (app("Deployment:catalog"), "app.json"),
        (format!("{P}/node/node-3"), "node.json"),
    ] {
        assert_shape(fixture, &body(&sim, &c, &path).await, &[]);
    }
    let panel = json!({"name": "", "source": {"metrics": {"queries": [{"query": "sum by (container_id) (rate(container_resources_cpu_usage_seconds_total[5m]))", "legend": "{{container_id}}"}]}}, "widget": {"chart": {"display": "line"}}});
    let r = get(
        sim.addr(),
        &format!("{P}/panel/data?query={}", enc(&panel.to_string())),
        Some(&c),
    )
    .await;
    assert_shape("panel-data.json", &r.json(), &[]);
    let end = NOW_MS / 1000;
    let q = format!(
        "/api/v1/query_range?query={}&start={}&end={end}&step=60",
        enc("sum by (container_id) (rate(container_resources_cpu_usage_seconds_total[5m]))"),
        end - 3600
    );
    let r = request(sim.addr(), "GET", &q, &[("X-API-Key", "sim-api-key")], "").await;
    assert_shape("query-range.json", &r.json(), &[]);
}

/// Without ClickHouse: overview logs and traces, app logs, tracing and profiling answer as
/// the captures of the lab without ClickHouse (overview/logs.go:65-68, overview/traces.go,
/// api/views/logs/logs.go:95-101, api/views/tracing/tracing.go:65-67, profiling.go:47-50).
#[tokio::test]
async fn no_clickhouse_answers_have_real_coroot_shapes() {
    let (sim, c) = start(SimConfig {
        clickhouse: false,
        ..SimConfig::default()
    })
    .await;
    let logs_q = enc(r#"{"view":"messages","agent":true,"otel":true,"filters":[],"limit":100}"#);
    let app_q = enc(r#"{"source":"","view":"messages","filters":[],"limit":100}"#);
    for (path, fixture) in [
        (
            format!("{P}/overview/logs?query={logs_q}"),
            "no-clickhouse/overview-logs.json",
        ),
        (
            format!("{P}/overview/traces?query={}", enc(r#"{"view":"traces"}"#)),
            "no-clickhouse/overview-traces.json",
        ),
        (
            format!("{}/logs?query={app_q}", app("Deployment:frontend")),
            "no-clickhouse/app-logs.json",
        ),
        (
            format!("{}/tracing", app("Deployment:catalog")),
            "no-clickhouse/app-tracing.json",
        ),
        (
            format!("{}/profiling", app("Deployment:catalog")),
            "no-clickhouse/app-profiling.json",
        ),
    ] {
        let v = body(&sim, &c, &path).await;
        assert_shape(fixture, &v, &[]);
        // The same bytes, but the app's Prometheus log-pattern chart and patterns.
        let without = |mut d: Value| {
            if let Some(m) = d.as_object_mut() {
                m.remove("chart");
                m.remove("patterns");
            }
            d
        };
        assert_eq!(
            without(v["data"].clone()),
            without(crate::shape::fixture(fixture)["data"].clone()),
            "{path}"
        );
    }
}

/// Without Prometheus: the context says "Prometheus is not configured.", the world is
/// empty (api/ctx.go:155-158, api/api.go:2411-2414), and `/status` has no world at all.
#[tokio::test]
async fn no_prometheus_answers_have_real_coroot_shapes() {
    let (sim, c) = start(SimConfig {
        clickhouse: false,
        health: ProjectHealth {
            prometheus: PrometheusHealth::NotConfigured,
            ..ProjectHealth::default()
        },
        ..SimConfig::default()
    })
    .await;
    for (path, fixture) in [
        (
            format!("{P}/overview/applications"),
            "no-prometheus/overview-applications.json",
        ),
        (format!("{P}/overview/costs"), "no-prometheus/overview-costs.json"),
        (format!("{P}/status"), "no-prometheus/status.json"),
        (format!("{P}/incidents"), "no-prometheus/incidents.json"),
        (format!("{P}/alerts"), "no-prometheus/alerts.json"),
    ] {
        let v = body(&sim, &c, &path).await;
        assert_shape(fixture, &v, &[]);
        let real = crate::shape::fixture(fixture);
        assert_eq!(v["context"]["status"], real["context"]["status"], "{path}");
        assert_eq!(v["data"], real["data"], "{path}");
    }
    // No Prometheus to ask: 500 with an empty body (api.go:546-552; api/prometheus.go).
    let r = get(
        sim.addr(),
        &format!(
            "{P}/panel/data?query={}",
            enc(r#"{"source":{"metrics":{"queries":[{"query":"up"}]}}}"#)
        ),
        Some(&c),
    )
    .await;
    assert_eq!((r.status, r.body.as_str()), (500, "\n"));
    let r = request(
        sim.addr(),
        "GET",
        "/api/v1/query_range?query=up&start=1&end=2&step=1",
        &[("X-API-Key", "sim-api-key")],
        "",
    )
    .await;
    assert_eq!((r.status, r.body.as_str()), (500, "\n"));
}
