//! The tools against each Coroot generation the simulator impersonates (v1.12.4 to v1.24.5):
//! what changed between versions is either used or said, never an error.

use coroot_sim::{Scenario, SimConfig};
use coroot_tools::testing::{self, Kit};
use coroot_tools::tools::{
    app_detail::GetAppDetail, incident_detail::GetIncidentDetail, incidents::GetIncidents, nodes::GetNodes,
    query_metrics::QueryMetrics,
};
use serde_json::json;

async fn coroot(version: &str) -> Kit {
    let config = SimConfig {
        version: version.into(),
        ..SimConfig::default()
    };
    testing::start_with(Scenario::ecommerce(), config).await
}

#[tokio::test]
async fn a_coroot_before_v1_12_5_is_refused_with_the_upgrade_to_make() {
    let kit = coroot("1.12.4").await;
    let err = testing::run_err::<GetIncidents>(&kit, json!({})).await;
    assert!(
        err.contains("Coroot 1.12.4 is older than v1.12.5") && err.contains("upgrade Coroot"),
        "{err}"
    );
    // What does not need the incidents API still answers.
    let out = testing::run::<GetNodes>(&kit, json!({})).await;
    assert!(out.text.contains("4 nodes"), "{}", out.text);
}

#[tokio::test]
async fn the_incident_window_follows_the_coroot_version() {
    // k7l6m5n4 lasted a day: Coroot pads it by 65 minutes each side, and from v1.17.4 keeps
    // only the last 24 hours (api/api.go).
    let window = |out: &coroot_tools::tool::ToolOutput| {
        let w = &out.structured["window"];
        let ms = |k: &str| {
            w[k].as_str()
                .unwrap()
                .parse::<jiff::Timestamp>()
                .unwrap()
                .as_millisecond()
        };
        (ms("to") - ms("from")) / 60_000
    };
    let old = testing::run::<GetIncidentDetail>(&coroot("1.17.3").await, json!({"incident_key": "k7l6m5n4"})).await;
    assert_eq!(window(&old), 24 * 60 + 2 * 65, "{}", old.text);
    assert_eq!(old.structured["window"]["starts_before_window"], false);
    assert!(!old.text.contains("its start is outside the charts"), "{}", old.text);

    let new = testing::run::<GetIncidentDetail>(&coroot("1.17.4").await, json!({"incident_key": "k7l6m5n4"})).await;
    assert_eq!(window(&new), 24 * 60, "{}", new.text);
    assert_eq!(new.structured["window"]["starts_before_window"], true);
    assert!(
        new.text
            .contains("note: Coroot shows at most the last 24h of an incident"),
        "{}",
        new.text
    );
}

#[tokio::test]
async fn before_v1_14_coroot_has_no_rca_and_the_answer_says_so() {
    let kit = coroot("1.13.0").await;
    let out = testing::run::<GetIncidentDetail>(&kit, json!({"incident_key": "q8w7e6r5"})).await;
    assert!(
        out.text
            .contains("RCA unavailable: Coroot sent no root cause analysis (Coroot has RCA from v1.14 on)"),
        "{}",
        out.text
    );
    assert_eq!(out.structured["rca"]["available"], false);
}

#[tokio::test]
async fn firing_alerts_come_with_coroot_v1_18() {
    let kit = coroot("1.17.3").await;
    let out = testing::run::<GetIncidents>(&kit, json!({})).await;
    assert!(!out.text.contains("FIRING ALERTS"), "{}", out.text);
    assert_eq!(out.structured["firing_alerts"], json!([]));
    let kit = coroot("1.18.0").await;
    let out = testing::run::<GetIncidents>(&kit, json!({})).await;
    assert!(out.text.contains("FIRING ALERTS (8)"), "{}", out.text);
}

#[tokio::test]
async fn nodes_before_v1_17_show_what_coroot_measured_then() {
    let kit = coroot("1.16.2").await;
    let out = testing::run::<GetNodes>(&kit, json!({})).await;
    // No uptime column and no traffic before v1.17.0; the rest stands.
    assert!(
        out.text
            .contains("OK node-2 · up · CPU 41% · memory 72% · aws us-east-1b"),
        "{}",
        out.text
    );
}

#[tokio::test]
async fn app_ids_before_multi_cluster_coroot_have_three_parts_and_still_resolve() {
    let kit = coroot("1.13.0").await;
    let out = testing::run::<GetAppDetail>(&kit, json!({"app_id": "payment"})).await;
    assert_eq!(out.structured["app_id"], "default:Deployment:payment");
    assert!(out.text.contains("Memory / Out of Memory WARNING"), "{}", out.text);
}

#[tokio::test]
async fn the_api_key_fallback_is_used_only_where_coroot_has_it() {
    for (version, fallback) in [("1.17.6", false), ("1.17.7", true)] {
        let kit = coroot(version).await;
        kit.sim.inject(coroot_sim::FaultRule {
            path_contains: "/panel/data".into(),
            fault: coroot_sim::Fault::Html,
            times: None,
        });
        let mut ctx = kit.ctx.clone();
        let mut config = ctx.client.config().clone();
        config.api_key = Some("sim-api-key".into());
        ctx.client = coroot_client::Client::new(config).unwrap();
        let got = coroot_tools::tool::call::<QueryMetrics>(&ctx, json!({"promql": "up"})).await;
        let asked = kit
            .sim
            .requests()
            .iter()
            .any(|r| r.path.ends_with("/api/v1/query_range"));
        assert_eq!(asked, fallback, "v{version}");
        assert_eq!(
            got.is_ok(),
            fallback,
            "v{version}: {:?}",
            got.err().map(|e| e.to_string())
        );
    }
}
