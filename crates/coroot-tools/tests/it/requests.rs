//! How often the tools make Coroot rebuild its world: the requests the seed's RCA workflow and
//! coroot_investigate send, with and without the client's short-lived response cache. Coroot
//! builds a world from Prometheus for every view request, so each one avoided is load taken off
//! the user's Coroot.

use std::time::Duration;

use coroot_client::{Client, ClientConfig};
use coroot_sim::Scenario;
use coroot_tools::testing::{self, Kit};
use serde_json::Value;

/// The seed's eight-step RCA workflow on the e-commerce story, then coroot_investigate and the
/// drill-down an agent makes from its top suspect.
const WORKFLOW: &[(&str, &str)] = &[
    ("coroot_get_incidents", r#"{"lookback_hours": 24}"#),
    ("coroot_get_overview_logs", r#"{"severity": "error", "limit": 50}"#),
    ("coroot_get_overview_logs", r#"{"kubernetes_only": true}"#),
    ("coroot_get_incident_detail", r#"{"incident_key": "q8w7e6r5"}"#),
    ("coroot_get_app_detail", r#"{"app_id": "checkout"}"#),
    ("coroot_get_app_detail", r#"{"app_id": "payment"}"#),
    ("coroot_get_app_logs", r#"{"app_id": "payment", "severity": "error"}"#),
    (
        "coroot_get_traces",
        r#"{"service_name": "checkout", "status_error": true}"#,
    ),
    ("coroot_get_deployments", r#"{"lookback_hours": 24}"#),
    ("coroot_get_nodes", "{}"),
    ("coroot_get_node_detail", r#"{"node_name": "node-2"}"#),
];

const DRILL_DOWN: &[(&str, &str)] = &[
    ("coroot_investigate", "{}"),
    ("coroot_get_app_detail", r#"{"app_id": "payment"}"#),
    ("coroot_get_app_logs", r#"{"app_id": "payment", "severity": "error"}"#),
    ("coroot_get_node_detail", r#"{"node_name": "node-2"}"#),
];

/// Coroot requests (the login aside) each step sent, with the response cache on or off.
async fn requests(steps: &[(&str, &str)], cache: bool) -> Vec<usize> {
    let mut kit: Kit = testing::start(Scenario::ecommerce()).await;
    let mut config = ClientConfig::new(kit.sim.base_url()).with_password("admin", "sim-password");
    config.response_ttl = if cache { Duration::from_secs(15) } else { Duration::ZERO };
    kit.ctx.client = Client::new(config).unwrap();
    let mut out = Vec::new();
    for (tool, args) in steps {
        let before = kit.sim.requests().len();
        let spec = coroot_tools::find(tool).unwrap();
        let args: Value = serde_json::from_str(args).unwrap();
        (spec.call)(&kit.ctx, args).await.unwrap();
        let sent = kit.sim.requests()[before..]
            .iter()
            .filter(|r| !r.path.ends_with("/api/login"))
            .count();
        out.push(sent);
    }
    out
}

#[tokio::test]
async fn the_rca_workflow_asks_coroot_once_per_question() {
    let off = requests(WORKFLOW, false).await;
    let on = requests(WORKFLOW, true).await;
    println!(
        "RCA workflow, Coroot requests per step: cache off {off:?} = {}, on {on:?} = {}",
        off.iter().sum::<usize>(),
        on.iter().sum::<usize>()
    );
    // checkout's detail and payment's detail share the app-id index, the project list and the
    // version; the second node step reuses nothing new.
    assert!(on.iter().sum::<usize>() <= off.iter().sum::<usize>());
    assert!(on.iter().sum::<usize>() <= 30, "{on:?}");
}

#[tokio::test]
async fn a_drill_down_after_investigate_reuses_what_it_fetched() {
    let off = requests(DRILL_DOWN, false).await;
    let on = requests(DRILL_DOWN, true).await;
    println!("investigate then drill-down, Coroot requests per step: cache off {off:?}, on {on:?}");
    assert!(on[0] <= 40, "one investigation stays within 40 Coroot requests: {on:?}");
    // The top suspect's app page and its node were read by the investigation in the same
    // window: those calls cost Coroot nothing (the logs are another question: the
    // investigation reads warnings too).
    assert_eq!((on[1], on[3]), (0, 0), "{on:?}");
    assert!(off[1] > 0 && off[3] > 0, "{off:?}");
}
