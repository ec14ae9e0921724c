//! Happy path of every client endpoint against the simulator over real HTTP on loopback: what
//! the client sends (paths, percent-encoding, query JSON, headers) and what it decodes.

use std::collections::BTreeSet;

use crate::common::*;
use coroot_client::{
    AppId, AppLogQuery, Client, Error, LogFilter, OverviewLogQuery, Status, TimeRange, TraceQuery, TraceView,
};
use coroot_sim::{Scenario, Simulator};
use serde_json::json;

async fn setup() -> (Simulator, Client) {
    let sim = ecommerce().await;
    let client = client(&sim);
    (sim, client)
}

fn app_id(name: &str) -> AppId {
    AppId::new(format!("{PROD}:default:Deployment:{name}"))
}

#[tokio::test]
async fn health_is_checked_at_the_root_without_credentials() {
    let (sim, client) = setup().await;
    client.health().await.unwrap();
    let req = last_request(&sim, "/health");
    assert_eq!(req.method, "GET");
    assert!(req.header("cookie").is_none());
    assert_eq!(sim.login_count(), 0, "health needs no login");
}

#[tokio::test]
async fn server_info_reads_version_and_edition_from_the_index_page() {
    let (sim, client) = setup().await;
    let info = client.server_info().await.unwrap();
    assert_eq!(info.version.as_deref(), Some("1.24.5"));
    assert_eq!(info.edition.as_deref(), Some("Community"));
    assert_eq!(last_request(&sim, "/").method, "GET");
}

#[tokio::test]
async fn user_lists_the_projects_sorted_by_name() {
    let (sim, client) = setup().await;
    let user = client.user().await.unwrap();
    assert_eq!(user.email, "admin");
    assert_eq!(user.role, "Admin");
    assert!(!user.anonymous);
    let projects: Vec<(&str, &str)> = user.projects.iter().map(|p| (p.id.as_str(), p.name.as_str())).collect();
    assert_eq!(
        projects,
        [(PROD, "production"), (STAGING, "staging")],
        "projects come sorted by name"
    );
    assert!(client.has_session());
    assert_eq!(sim.login_count(), 1);
}

#[tokio::test]
async fn projects_are_cached_between_calls() {
    let (sim, client) = setup().await;
    let first = client.projects().await.unwrap();
    let second = client.projects().await.unwrap();
    assert_eq!(first, second);
    assert_eq!(first.len(), 2);
    assert_eq!(
        requests_to(&sim, "/api/user").len(),
        1,
        "the second call is served from the cache"
    );
}

#[tokio::test]
async fn resolve_project_by_default_id_name_and_case_insensitive_name() {
    let (sim, client) = setup().await;
    let default = client.resolve_project(None).await.unwrap();
    assert_eq!((default.id.as_str(), default.name.as_str()), (PROD, "production"));
    assert_eq!(client.resolve_project(Some("")).await.unwrap().id, PROD);
    assert_eq!(client.resolve_project(Some(STAGING)).await.unwrap().name, "staging");
    assert_eq!(client.resolve_project(Some("staging")).await.unwrap().id, STAGING);
    assert_eq!(client.resolve_project(Some(" STAGING ")).await.unwrap().id, STAGING);
    assert_eq!(client.resolve_project(Some("Production")).await.unwrap().id, PROD);

    let err = expect_err(client.resolve_project(Some("qa")).await, Some(&sim));
    match &err {
        Error::UnknownProject { given, available } => {
            assert_eq!(given, "qa");
            assert_eq!(available, &format!("production ({PROD}), staging ({STAGING})"));
        }
        other => panic!("expected UnknownProject, got {other:?}"),
    }
    let shown = err.to_string();
    assert!(shown.contains("qa") && shown.contains("production") && shown.contains("staging"));
    assert_eq!(requests_to(&sim, "/api/user").len(), 1, "one /api/user for all lookups");
}

#[tokio::test]
async fn resolve_project_uses_the_configured_default_project() {
    let sim = ecommerce().await;
    let mut cfg = config(&sim.base_url());
    cfg.default_project = Some("staging".into());
    let client = client_with(cfg);
    assert_eq!(client.resolve_project(None).await.unwrap().id, STAGING);
    assert_eq!(
        client.resolve_project(Some(PROD)).await.unwrap().id,
        PROD,
        "an explicit project wins"
    );
}

#[tokio::test]
async fn project_status_decodes_prometheus_and_agent_health() {
    let (sim, client) = setup().await;
    let status = client.project_status(PROD).await.unwrap();
    assert_eq!(status.status, Status::Ok);
    assert_eq!(status.prometheus.status, Status::Ok);
    assert_eq!(status.node_agent.status, Status::Ok);
    assert_eq!(status.node_agent.nodes, 4);
    assert_eq!(last_request(&sim, &format!("/api/project/{PROD}/status")).method, "GET");
}

#[tokio::test]
async fn applications_come_failing_first_with_string_statuses_decoded() {
    let (sim, client) = setup().await;
    let apps = client.applications(PROD, last_hour()).await.unwrap();
    let req = last_request(&sim, &format!("/api/project/{PROD}/overview/applications"));
    assert_eq!(req.param("from"), Some((NOW - HOUR).to_string().as_str()));
    assert_eq!(req.param("to"), Some(NOW.to_string().as_str()));
    assert!(req.header("cookie").is_some_and(|c| c.contains("coroot_session=")));

    assert!(apps.len() >= 9, "every app of production: {}", apps.len());
    let first = &apps[0];
    assert_eq!(first.id, app_id("checkout"));
    assert_eq!(first.status, Status::Critical);
    assert_eq!(first.cluster, "production");
    let payment = apps.iter().find(|a| a.id == app_id("payment")).unwrap();
    assert_eq!(payment.status, Status::Warning);
    assert!(payment.id.is_four_part());
    assert_eq!(payment.id.short(), "default/payment");
    let redis = apps.iter().find(|a| a.id.name() == "redis").unwrap();
    assert_eq!(redis.status, Status::Ok);
    // Failing apps precede healthy ones.
    let first_ok = apps.iter().position(|a| !a.status.is_failing()).unwrap();
    assert!(apps[first_ok..].iter().all(|a| !a.status.is_failing()));
}

#[tokio::test]
async fn service_map_links_apps_with_their_status() {
    let (_sim, client) = setup().await;
    let map = client.service_map(PROD, last_hour()).await.unwrap();
    let checkout = map.iter().find(|a| a.id == app_id("checkout")).unwrap();
    let to_payment = checkout.upstreams.iter().find(|l| l.id == app_id("payment")).unwrap();
    assert_eq!(to_payment.status, Status::Critical);
    assert!(to_payment.weight > 0.0);
    let frontend = map.iter().find(|a| a.id == app_id("frontend")).unwrap();
    let ups: BTreeSet<&str> = frontend.upstreams.iter().map(|l| l.id.name()).collect();
    assert_eq!(ups, BTreeSet::from(["cart", "catalog", "checkout", "recommendation"]));
    assert!(
        frontend.downstreams.is_empty(),
        "null downstreams decode to an empty list"
    );
    assert!(
        map.iter().all(|a| a.id.name() != "prometheus"),
        "apps without links are not on the map"
    );
}

#[tokio::test]
async fn nodes_decode_status_and_null_usage() {
    let (_sim, client) = setup().await;
    let nodes = client.nodes(PROD, last_hour()).await.unwrap();
    let names: Vec<&str> = nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["node-1", "node-2", "node-3", "node-4"]);
    let n1 = &nodes[0];
    assert_eq!(n1.status.status, Status::Ok);
    assert_eq!(n1.cpu_percent, Some(28.0));
    assert_eq!(n1.memory_percent, Some(54.0));
    assert_eq!(n1.ips, ["10.0.1.11"]);
    assert_eq!(n1.availability_zone, "us-east-1a");
    assert_eq!(n1.uptime_ms, 23 * DAY + 4 * HOUR);
    let n4 = &nodes[3];
    assert_eq!(n4.status.status, Status::Warning);
    assert_eq!(n4.status.message, "down (no metrics)");
    assert_eq!(n4.cpu_percent, None, "null usage stays unknown");
}

#[tokio::test]
async fn deployments_in_the_window_newest_first() {
    let (_sim, client) = setup().await;
    let deployments = client.deployments(PROD, TimeRange::last_hours(NOW, 3.0)).await.unwrap();
    let payment = deployments
        .iter()
        .find(|d| d.application.id == app_id("payment"))
        .unwrap();
    assert_eq!(payment.status, Status::Critical);
    assert_eq!(payment.version, "7d9f8b6c5: payment:2.4.1");
    assert_eq!(payment.started_at_ms(), Some(NOW - 70 * MIN));
    assert!(payment.summary.iter().any(|s| s.message.contains("OOM killer")));
    let starts: Vec<i64> = deployments.iter().filter_map(|d| d.started_at_ms()).collect();
    assert!(starts.windows(2).all(|w| w[0] >= w[1]), "newest first: {starts:?}");

    // A window with no rollout: Coroot sends `null`, the client an empty list.
    let old = TimeRange {
        from_ms: NOW - 30 * DAY,
        to_ms: NOW - 29 * DAY,
    };
    assert!(client.deployments(PROD, old).await.unwrap().is_empty());
}

#[tokio::test]
async fn traces_list_sends_the_traces_view() {
    let (sim, client) = setup().await;
    let path = format!("/api/project/{PROD}/overview/traces");
    let traces = client.traces(PROD, last_hour(), &TraceQuery::default()).await.unwrap();
    assert_eq!(query_json(&sim, &path), json!({"view": "traces"}));
    assert!(!traces.traces.is_empty());
    assert!(traces.traces.len() <= 100);
    for span in &traces.traces {
        assert!(span.parent_id.is_empty(), "root spans only");
        assert!(!span.service.starts_with('/'), "no eBPF spans: {}", span.service);
        assert!(
            (NOW - HOUR..=NOW).contains(&span.timestamp),
            "ms timestamp in the window: {}",
            span.timestamp
        );
    }
    let ts: Vec<i64> = traces.traces.iter().map(|s| s.timestamp).collect();
    assert!(ts.windows(2).all(|w| w[0] >= w[1]), "newest first");
    assert!(traces.trace.is_empty(), "null `trace` decodes to an empty list");

    // A service filter travels in `filters` (and the legacy `service_name`).
    let query = TraceQuery {
        service_name: Some("frontend".into()),
        ..TraceQuery::default()
    };
    let traces = client.traces(PROD, last_hour(), &query).await.unwrap();
    let sent = query_json(&sim, &path);
    assert_eq!(
        sent["filters"],
        json!([{"field": "ServiceName", "op": "=", "value": "frontend"}])
    );
    assert!(traces.traces.iter().all(|s| s.service == "frontend"));
}

#[tokio::test]
async fn traces_by_id_return_every_span_of_the_trace() {
    let (sim, client) = setup().await;
    let query = TraceQuery {
        trace_id: Some(ERROR_TRACE.into()),
        ..TraceQuery::default()
    };
    let traces = client.traces(PROD, last_hour(), &query).await.unwrap();
    assert_eq!(
        query_json(&sim, &format!("/api/project/{PROD}/overview/traces")),
        json!({"view": "traces", "trace_id": ERROR_TRACE})
    );
    let spans = &traces.trace;
    assert_eq!(spans.len(), 4);
    assert!(spans.iter().all(|s| s.trace_id == ERROR_TRACE));
    let services: BTreeSet<&str> = spans.iter().map(|s| s.service.as_str()).collect();
    assert_eq!(services, BTreeSet::from(["catalog", "checkout", "frontend", "payment"]));
    let root = spans.iter().find(|s| s.parent_id.is_empty()).unwrap();
    assert_eq!(root.service, "frontend");
    assert_eq!(root.timestamp, NOW - 12 * MIN, "epoch ms, exact");
    assert!(root.status.error);
    let payment = spans.iter().find(|s| s.service == "payment").unwrap();
    assert!(payment.status.error);
    assert_eq!(payment.status.message, "connection reset by peer");
    assert!((payment.duration - 1012.0).abs() < 1e-9);
}

#[tokio::test]
async fn traces_errors_only_use_the_heatmap_error_bucket() {
    let (sim, client) = setup().await;
    let query = TraceQuery {
        errors_only: true,
        ..TraceQuery::default()
    };
    let traces = client.traces(PROD, last_hour(), &query).await.unwrap();
    let sent = query_json(&sim, &format!("/api/project/{PROD}/overview/traces"));
    assert_eq!(sent, json!({"view": "traces", "dur_from": "inf", "dur_to": "err"}));
    assert!(!traces.traces.is_empty());
    assert!(traces.traces.iter().all(|s| s.status.error));
    assert!(traces.traces.iter().any(|s| s.trace_id == ERROR_TRACE));

    // The errors view groups them.
    let query = TraceQuery {
        errors_only: true,
        view: TraceView::Errors,
        ..TraceQuery::default()
    };
    let traces = client.traces(PROD, last_hour(), &query).await.unwrap();
    assert_eq!(
        query_json(&sim, &format!("/api/project/{PROD}/overview/traces"))["view"],
        "errors"
    );
    assert!(!traces.errors.is_empty());
    assert!(traces.errors.iter().any(|e| e.service_name == "payment"));
}

#[tokio::test]
async fn overview_logs_send_both_sources_filters_and_limit() {
    let (sim, client) = setup().await;
    let query = OverviewLogQuery {
        filters: vec![LogFilter::severity("ERROR").unwrap()],
        limit: 20,
        ..OverviewLogQuery::default()
    };
    let logs = client.overview_logs(PROD, last_hour(), &query).await.unwrap();
    let sent = query_json(&sim, &format!("/api/project/{PROD}/overview/logs"));
    assert_eq!(
        sent,
        json!({"view": "messages", "agent": true, "otel": true,
               "filters": [{"name": "Severity", "op": "=", "value": "error"}], "limit": 20})
    );
    assert!(!logs.entries.is_empty());
    assert!(logs.entries.len() <= 20);
    for e in &logs.entries {
        assert_eq!(e.severity, "error");
        assert!(
            (NOW - HOUR..=NOW).contains(&e.timestamp),
            "ms timestamp: {}",
            e.timestamp
        );
    }
    let ts: Vec<i64> = logs.entries.iter().map(|e| e.timestamp).collect();
    assert!(ts.windows(2).all(|w| w[0] >= w[1]), "newest first");

    // Kubernetes events are OTel logs of the KubernetesEvents service.
    let query = OverviewLogQuery {
        filters: vec![LogFilter::kubernetes_events()],
        ..OverviewLogQuery::default()
    };
    let events = client.overview_logs(PROD, last_hour(), &query).await.unwrap();
    assert!(!events.entries.is_empty());
    assert!(events.entries.iter().all(|e| e.application == "KubernetesEvents"));
    assert!(events.entries.iter().any(|e| e.message.contains("Back-off restarting")));
}

#[tokio::test]
async fn costs_per_node_and_application() {
    let (_sim, client) = setup().await;
    let costs = client.costs(PROD, last_hour()).await.unwrap();
    let names: Vec<&str> = costs.nodes.iter().map(|n| n.name.as_str()).collect();
    // node-4 stopped reporting 30 minutes ago: it is still priced from its instance type.
    assert_eq!(names, ["node-1", "node-2", "node-3", "node-4"]);
    assert!(costs.nodes.iter().all(|n| (n.price - 140.16).abs() < 1e-9));
    assert_eq!(costs.nodes[0].instance_life_cycle, "on-demand");
    let reco = costs
        .applications
        .iter()
        .find(|a| a.id == app_id("recommendation"))
        .unwrap();
    assert!(reco.over_provisioning_costs > 0.0);
    assert_eq!(reco.components[0].cpu_request, "2000m");
    assert_eq!(reco.components[0].cpu_request_recommended, "400m");
    assert!(!costs.custom_pricing);
}

#[tokio::test]
async fn risks_are_decoded_with_severity_and_details() {
    let (_sim, client) = setup().await;
    let risks = client.risks(PROD, last_hour()).await.unwrap();
    // The exposure, then what Coroot derives: postgres and redis unreplicated, and single
    // instances of cart, postgres and redis.
    assert_eq!(risks.len(), 6);
    assert_eq!(risks[0].severity, Status::Critical);
    let exposed = risks
        .iter()
        .find(|r| r.key.risk_type == "db-internet-exposure")
        .unwrap();
    assert_eq!(exposed.key.category, "Security");
    assert_eq!(exposed.application_id.name(), "postgres");
    assert_eq!(exposed.exposure.as_ref().unwrap().ips, ["34.201.10.7"]);
    let single = risks.iter().find(|r| r.key.risk_type == "single-instance-app").unwrap();
    assert_eq!(single.severity, Status::Warning);
    assert_eq!(
        single.availability.as_ref().unwrap().description,
        "Single instance - not resilient to node failure"
    );
}

#[tokio::test]
async fn incidents_send_the_limit_and_decode_open_and_resolved() {
    let (sim, client) = setup().await;
    let incidents = client.incidents(PROD, last_hour().to_ms, 10).await.unwrap();
    let req = last_request(&sim, &format!("/api/project/{PROD}/incidents"));
    assert_eq!(req.param("limit"), Some("10"));
    // The list is not filtered by time, so Coroot is only made to build the last minutes.
    assert_eq!(req.param("from"), Some((NOW - 5 * MIN).to_string().as_str()));
    assert_eq!(req.param("to"), Some(NOW.to_string().as_str()));

    let open = incidents.iter().find(|i| i.key == "q8w7e6r5").unwrap();
    assert_eq!(open.application_id, app_id("checkout"));
    assert_eq!(open.severity, Status::Critical);
    assert_eq!(open.opened_at, Some(NOW - 40 * MIN));
    assert_eq!(open.resolved_at, None, "an open incident has no resolved_at");
    assert!(open.is_open());
    // Open-source Coroot stores this for every incident (v1.14.0+, cloud/rca.go).
    assert_eq!(open.rca.as_ref().unwrap().status, "AI disabled");

    let resolved = incidents.iter().find(|i| i.key == "z9y8x7w6").unwrap();
    assert_eq!(resolved.opened_at, Some(NOW - 3 * DAY - 25 * MIN));
    assert_eq!(resolved.resolved_at, Some(NOW - 3 * DAY));
    assert!(!resolved.is_open());

    let one = client.incidents(PROD, last_hour().to_ms, 1).await.unwrap();
    assert_eq!(
        last_request(&sim, &format!("/api/project/{PROD}/incidents")).param("limit"),
        Some("1")
    );
    assert_eq!(one.len(), 1);
}

#[tokio::test]
async fn incident_detail_carries_the_rca() {
    // An RCA exists only where Coroot Cloud or Enterprise made one.
    let sim = sim_with(Scenario::ecommerce().with_cloud_rca(), sim_config()).await;
    let client = client(&sim);
    let view = client.incident(PROD, "q8w7e6r5").await.unwrap();
    last_request(&sim, &format!("/api/project/{PROD}/incident/q8w7e6r5"));
    assert_eq!(view.incident.key, "q8w7e6r5");
    assert_eq!(view.incident.application_id, app_id("checkout"));
    assert_eq!(view.incident.resolved_at, None);
    let rca = view.incident.rca.as_ref().unwrap();
    assert_eq!(rca.short_summary, "payment OOM-killed after deploy 2.4.1");
    assert!(rca.root_cause.contains("OOM killer"));
    assert!(rca.immediate_fixes.contains("kubectl"));
    let pm = rca.propagation_map.as_ref().unwrap();
    assert_eq!(pm.applications.len(), 3);
    let slo = view.availability_slo.as_ref().unwrap();
    assert_eq!(slo.compliance, "81%");
    assert!(slo.violated);
    assert!(view.latency_slo.as_ref().is_some_and(|s| !s.objective.is_empty()));
}

#[tokio::test]
async fn app_is_requested_by_its_percent_encoded_four_part_id() {
    let (sim, client) = setup().await;
    let id = app_id("payment");
    let view = client.app(PROD, &id, last_hour()).await.unwrap();
    let path = format!("/api/project/{PROD}/app/{PROD}%3Adefault%3ADeployment%3Apayment");
    let req = last_request(&sim, &path);
    assert_eq!(req.param("from"), Some((NOW - HOUR).to_string().as_str()));
    assert_eq!(view.app_map.application.id, id);
    assert_eq!(view.app_map.instances.len(), 4);
    let clients: Vec<&str> = view.app_map.clients.iter().map(|c| c.id.name()).collect();
    assert_eq!(clients, ["checkout"]);
    assert!(!view.reports.is_empty());
    let memory = view.reports.iter().find(|r| r.name == "Memory").unwrap();
    let oom = memory.checks.iter().find(|c| c.id == "MemoryOOM").unwrap();
    assert_eq!(oom.status, Status::Warning);
    assert!(oom.message.contains("OOM killer"));
}

#[tokio::test]
async fn app_logs_send_the_query_and_decode_entries() {
    let (sim, client) = setup().await;
    let id = app_id("payment");
    let query = AppLogQuery {
        filters: vec![LogFilter::message_contains("out of memory")],
        limit: 50,
        ..AppLogQuery::default()
    };
    let logs = client
        .app_logs(PROD, &id, TimeRange::last_hours(NOW, 2.0), &query)
        .await
        .unwrap();
    let path = format!("/api/project/{PROD}/app/{PROD}%3Adefault%3ADeployment%3Apayment/logs");
    assert_eq!(
        query_json(&sim, &path),
        json!({"source": "", "view": "messages",
               "filters": [{"name": "Message", "op": "contains", "value": "out of memory"}], "limit": 50})
    );
    assert!(!logs.entries.is_empty());
    assert!(logs.entries.iter().all(|e| e.message.contains("out of memory")));
    assert!(!logs.sources.is_empty());
}

#[tokio::test]
async fn node_report_is_decoded() {
    let (sim, client) = setup().await;
    let report = client.node(PROD, "node-3", last_hour()).await.unwrap();
    last_request(&sim, &format!("/api/project/{PROD}/node/node-3"));
    assert!(!report.name.is_empty());
    assert!(!report.widgets.is_empty());
}

#[tokio::test]
async fn panel_data_sends_one_promql_query_as_a_line_chart() {
    let (sim, client) = setup().await;
    let promql = r#"sum by (container) (container_resources_memory_rss_bytes{namespace="default"})"#;
    let data = client
        .panel_data(PROD, last_hour(), promql, "{{container}}", "")
        .await
        .unwrap();
    let path = format!("/api/project/{PROD}/panel/data");
    assert_eq!(
        query_json(&sim, &path),
        json!({"name": "", "source": {"metrics": {"queries": [{"query": promql, "legend": "{{container}}"}]}},
               "widget": {"chart": {"display": "line"}}})
    );
    let req = last_request(&sim, &path);
    assert_eq!(req.param("from"), Some((NOW - HOUR).to_string().as_str()));
    assert_eq!(req.param("to"), Some(NOW.to_string().as_str()));
    let chart = data.chart.unwrap();
    assert!(chart.ctx.step > 0);
    let names: BTreeSet<&str> = chart.series.iter().map(|s| s.name.as_str()).collect();
    assert!(names.contains("payment"), "legend applied: {names:?}");
    assert!(chart.series.iter().all(|s| !s.data.is_empty()));
}

#[tokio::test]
async fn query_range_sends_the_api_key_header() {
    let (sim, client) = setup().await;
    let promql = r#"sum by (container) (container_resources_memory_rss_bytes{namespace="default"})"#;
    let chart = client
        .query_range(last_hour(), 60, promql, "{{container}}")
        .await
        .unwrap();
    let req = last_request(&sim, "/api/v1/query_range");
    assert_eq!(req.header("x-api-key"), Some(API_KEY));
    assert!(req.header("cookie").is_none(), "no session on the API-key route");
    assert_eq!(req.param("query"), Some(promql));
    assert_eq!(req.param("start"), Some(((NOW - HOUR) / 1000).to_string().as_str()));
    assert_eq!(req.param("end"), Some((NOW / 1000).to_string().as_str()));
    assert_eq!(req.param("step"), Some("60"));
    assert_eq!(chart.ctx.step, 60_000);
    assert_eq!((chart.ctx.from, chart.ctx.to), (NOW - HOUR, NOW));
    let payment = chart.series.iter().find(|s| s.name == "payment").unwrap();
    assert_eq!(payment.data.len(), 61);
    assert!(payment.data.iter().any(Option::is_some));
    assert_eq!(sim.login_count(), 0, "the API key route needs no login");
}

#[tokio::test]
async fn query_range_without_an_api_key_fails_before_sending() {
    let sim = ecommerce().await;
    let mut cfg = config(&sim.base_url());
    cfg.api_key = None;
    let client = client_with(cfg);
    let err = expect_err(client.query_range(last_hour(), 60, "up", "").await, Some(&sim));
    assert!(matches!(err, Error::MissingApiKey), "{err:?}");
    assert!(err.to_string().contains("COROOT_API_KEY"));
    assert!(requests_to(&sim, "/api/v1/query_range").is_empty());
}

#[tokio::test]
async fn get_raw_returns_the_body_untouched() {
    let (sim, client) = setup().await;
    let params = [("from", (NOW - HOUR).to_string()), ("to", NOW.to_string())];
    let raw = client
        .get_raw(&format!("/api/project/{PROD}/overview/risks"), &params)
        .await
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(v["data"]["risks"].as_array().unwrap().len(), 6);
    assert!(v["data"]["applications"].is_null());
    let req = last_request(&sim, &format!("/api/project/{PROD}/overview/risks"));
    assert_eq!(req.param("to"), Some(NOW.to_string().as_str()));
}

#[tokio::test]
async fn empty_project_null_lists_decode_to_empty() {
    let sim = sim_with(Scenario::empty(), sim_config()).await;
    let client = client(&sim);
    let project = client.resolve_project(None).await.unwrap();
    assert_eq!((project.id.as_str(), project.name.as_str()), ("d3f4u1t0", "default"));
    let p = project.id.as_str();
    let range = last_hour();
    assert!(client.applications(p, range).await.unwrap().is_empty());
    assert!(client.service_map(p, range).await.unwrap().is_empty());
    assert!(client.nodes(p, range).await.unwrap().is_empty());
    assert!(client.deployments(p, range).await.unwrap().is_empty());
    assert!(client.risks(p, range).await.unwrap().is_empty());
    assert!(client.incidents(p, range.to_ms, 10).await.unwrap().is_empty());
    let traces = client.traces(p, range, &TraceQuery::default()).await.unwrap();
    assert!(traces.traces.is_empty() && traces.trace.is_empty() && traces.errors.is_empty());
    let logs = client
        .overview_logs(p, range, &OverviewLogQuery::default())
        .await
        .unwrap();
    assert!(logs.entries.is_empty());
    assert_eq!(sim.login_count(), 1);
}

#[tokio::test]
async fn unknown_project_gets_no_project_data() {
    let (sim, client) = setup().await;
    let err = expect_err(client.project_status("zzzzzzzz").await, Some(&sim));
    assert!(
        matches!(&err, Error::NoProjectData { project } if project == "zzzzzzzz"),
        "{err:?}"
    );
    let err = expect_err(
        client.app("zzzzzzzz", &app_id("payment"), last_hour()).await,
        Some(&sim),
    );
    assert!(
        matches!(&err, Error::NoProjectData { project } if project == "zzzzzzzz"),
        "{err:?}"
    );
}
