//! The heavy answers end to end: the shapes real clusters send and the synthetic world's bodies
//! do not reach (20,000 log lines with and without credentials, a 10,000-span trace, 20 open
//! incidents, a node with 64 disks and interfaces), grown from what each server fetched for the
//! same call against the simulator, exactly as the tool-layer bench grows them
//! (`coroot-tools/benches/heavy.rs`), and served by the constant-bytes responder. There is no
//! live latency: the simulator answers the small bodies.

use std::collections::BTreeMap;

use coroot_client::Client;
use coroot_sim::Simulator;
use serde_json::{Value, json};

use super::grow::{self, Heavy};
use super::{Case, Ids, Measured, ServerKind, Tape, constant, peer_args, record};

/// Our call and the peer's for every heavy case; the 5,000-app service map is already among
/// the simulator's own answers.
pub fn cases(ids: &Ids) -> Vec<Case> {
    // A day of the app's logs, as in the tool-layer bench: its last hour may hold no line to
    // grow from. The peer takes the window in milliseconds.
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let app_logs = || {
        (
            (
                "coroot_get_app_logs",
                json!({"app_id": ids.app_short, "lookback_hours": 24}),
            ),
            Some((
                "get_application_logs",
                peer_args(
                    json!({"app_id": ids.app_full, "from_timestamp": now_ms - 24 * 3_600_000, "to_timestamp": now_ms}),
                ),
            )),
        )
    };
    // The peer reads one trace through the overview's query, as our tool sends it.
    let trace_query = json!({"trace_id": ids.trace, "view": "traces"}).to_string();
    grow::CASES
        .iter()
        .filter_map(|h| {
            let (ours, peer) = match h.from {
                "app_logs" => app_logs(),
                "overview_logs" => (("coroot_get_overview_logs", json!({})), None),
                "traces_one_trace" => (
                    ("coroot_get_traces", json!({"trace_id": ids.trace})),
                    Some(("get_traces_overview", peer_args(json!({"query": trace_query})))),
                ),
                // Over a day, as in the tool-layer bench: the last hour holds fewer than 20.
                "incidents" => (("coroot_get_incidents", json!({"lookback_hours": 24})), None),
                "node_detail" => (
                    ("coroot_get_node_detail", json!({"node_name": ids.node})),
                    Some(("get_node", peer_args(json!({"node_id": ids.node})))),
                ),
                _ => return None,
            };
            Some(Case {
                label: h.label,
                ours,
                peer,
                heavy: Some(h),
            })
        })
        .collect()
}

/// Records what `kind` fetches for the call against the simulator (one warm-up, one call),
/// grows those bodies, puts them on the responder in place of the recorded ones, and measures
/// the call against it.
pub async fn measure(
    h: &Heavy,
    kind: &ServerKind,
    sim: &Simulator,
    live: &Client,
    tape: &Tape,
    case: (&str, &Value),
    runs: (usize, usize),
) -> Measured {
    let rec = record(kind, sim, live, case, 1).await;
    let mut bodies: BTreeMap<String, String> = rec
        .bodies
        .into_iter()
        .map(|(k, v)| (k, String::from_utf8_lossy(&v).into_owned()))
        .collect();
    for (_, body) in bodies.iter_mut().filter(|(k, _)| k.contains(h.endpoint)) {
        let mut value: Value = serde_json::from_str(body).unwrap();
        (h.grow)(&mut value);
        *body = value.to_string();
    }
    if h.from == "incidents" {
        grow::complete_details(&mut bodies);
    }
    for (key, body) in bodies {
        tape.responder.insert(key, body.into_bytes());
    }
    constant(kind, tape, case, runs.1, &rec.gets).await
}
