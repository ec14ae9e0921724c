//! The tools against a Coroot whose integrations are missing or unwell (no ClickHouse, no
//! Prometheus, a lagging metric cache): each answer says what could not be checked and why,
//! never an empty list that reads as healthy.

use coroot_sim::{ProjectHealth, PrometheusHealth, Scenario, SimConfig};
use coroot_tools::testing::{self, Kit};
use coroot_tools::tools::{
    applications::GetApplications,
    logs::{app::GetAppLogs, overview::GetOverviewLogs},
    traces::GetTraces,
};
use serde_json::json;

async fn without_clickhouse() -> Kit {
    let config = SimConfig {
        clickhouse: false,
        ..SimConfig::default()
    };
    testing::start_with(Scenario::ecommerce(), config).await
}

async fn with_prometheus(prometheus: PrometheusHealth) -> Kit {
    let config = SimConfig {
        health: ProjectHealth {
            prometheus,
            ..ProjectHealth::default()
        },
        ..SimConfig::default()
    };
    testing::start_with(Scenario::ecommerce(), config).await
}

#[tokio::test]
async fn without_clickhouse_logs_say_they_were_not_checked_and_show_the_agents_patterns() {
    let kit = without_clickhouse().await;
    let out = testing::run::<GetAppLogs>(&kit, json!({"app_id": "payment"})).await;
    assert!(
        out.text.contains(
            "Log lines of default/payment could not be checked: Clickhouse integration is not configured (Coroot keeps log lines in ClickHouse). This is not an absence of errors."
        ),
        "{}",
        out.text
    );
    // The node agent still counts log patterns into Prometheus (container_log_messages_total).
    assert!(
        out.text
            .contains("Log patterns the node agent counted (no stored lines, no trace ids):"),
        "{}",
        out.text
    );
    let out = testing::run::<GetOverviewLogs>(&kit, json!({"severity": "error"})).await;
    assert!(
        out.text
            .contains("Logs and Kubernetes events could not be checked: Clickhouse integration is not configured"),
        "{}",
        out.text
    );
}

#[tokio::test]
async fn without_clickhouse_traces_point_to_what_prometheus_still_answers() {
    let kit = without_clickhouse().await;
    for args in [json!({"status_error": true}), json!({"app_id": "checkout"})] {
        let out = testing::run::<GetTraces>(&kit, args.clone()).await;
        assert!(
            out.text.contains("Traces could not be checked: "),
            "{args}: {}",
            out.text
        );
        assert!(
            out.text.ends_with(
                "next: coroot_get_service_map and coroot_get_app_detail show errors and latency per app and link without traces"
            ),
            "{args}: a longer window would not help: {}",
            out.text
        );
    }
}

#[tokio::test]
async fn without_prometheus_every_answer_warns_that_empty_is_not_healthy() {
    let kit = with_prometheus(PrometheusHealth::NotConfigured).await;
    let out = testing::run::<GetApplications>(&kit, json!({})).await;
    assert_eq!(
        out.text.lines().nth(1),
        Some(
            "COROOT WARNING: Prometheus is not configured (configure Prometheus in the project's settings in Coroot). What follows may be empty or incomplete; it does not mean healthy."
        ),
        "{}",
        out.text
    );
    assert_eq!(out.structured["total"], 0);
    let problems = out.structured["coroot_status"].as_array().unwrap();
    assert!(
        problems[0]
            .as_str()
            .unwrap()
            .starts_with("Prometheus is not configured"),
        "{problems:?}"
    );
}

#[tokio::test]
async fn a_failing_or_lagging_prometheus_is_said_in_coroots_words() {
    let kit = with_prometheus(PrometheusHealth::QueryError("connection refused".into())).await;
    let out = testing::run::<GetApplications>(&kit, json!({})).await;
    assert!(out.text.contains("COROOT WARNING: "), "{}", out.text);
    assert!(out.text.contains("connection refused"), "{}", out.text);

    let kit = with_prometheus(PrometheusHealth::CacheLag { avg_ms: 600_000 }).await;
    let out = testing::run::<GetApplications>(&kit, json!({})).await;
    assert!(
        out.text.contains("(the data may be incomplete until it catches up)"),
        "{}",
        out.text
    );
}
