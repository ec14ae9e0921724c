//! What every agent pays for on every request: the tools/list payload. Snapshotted so changes
//! are reviewed, and budgeted so it cannot quietly grow.

use serde_json::json;

use crate::common::Stdio_;

/// Estimated tokens (characters / 4) of tools/list when this budget was set; a change that
/// grows it by more than 5% fails until the budget is raised on purpose. Raised from 10,301
/// to 11,365 when the output schemas came to state the serialised contract (which fields are
/// always present, the status enum, the truncation note's `narrow` and `omitted_from`): the
/// whole growth is in `outputSchema`, descriptions and input schemas are unchanged. Raised to
/// 11,835 for what real Coroot sends: app logs' `source`/`sources` and window counts, traces of
/// one app (`app_id`), firing alerts, Coroot's own status warnings, SLI charts, node traffic;
/// 12,070 with query_metrics' `cluster`/`clusters` for multi-cluster projects, the incident
/// window's 24-hour-cap flag, app reports' configuration hints and views, and costs' node
/// consumers and instance usage (all in `outputSchema`). Raised to 13,521 for evidence a person
/// can click and pin: every tool's `from`/`to` (a pinned window, in `inputSchema`) and the UI
/// `url` of each answer and of its apps, nodes, incidents, traces and deployments, and the
/// `untrusted` paths of the six tools that quote third-party text, and investigate's `changes`.
const BUDGET_TOKENS: usize = 13_521;

#[tokio::test]
async fn tools_list_is_small_and_reviewed() {
    let (mut s, _) = Stdio_::start(&[]).await;
    let list = s.request("tools/list", json!({})).await;
    s.shutdown().await;
    let tools = &list["result"]["tools"];
    let compact = serde_json::to_string(tools).unwrap();
    let tokens = compact.chars().count() / 4;
    insta::assert_snapshot!(
        "tools_list_size",
        format!("{} tools, ~{tokens} tokens (chars/4)", tools.as_array().unwrap().len())
    );
    insta::assert_json_snapshot!("tools_list", tools);
    assert!(
        tokens * 100 <= BUDGET_TOKENS * 105,
        "tools/list grew to ~{tokens} tokens, over the budget of {BUDGET_TOKENS} + 5%; trim descriptions or raise the budget on purpose"
    );
}
