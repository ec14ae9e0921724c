//! One trace as the tree Coroot's UI draws from its flat span list: roots are spans without a
//! parent or whose parent is missing from the trace, children follow start time.

use coroot_client::models::Span;

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use schemars::JsonSchema;
use serde::Serialize;

use crate::render::units::{iso, one_line};
use crate::render::untrusted::scrub;

/// Longest URL or statement shown per span.
pub(super) const DETAILS_CHARS: usize = 160;
/// Longest status or exception message shown per span.
pub(super) const MESSAGE_CHARS: usize = 300;

/// Depth-first span tree: roots have no parent or a parent missing from the trace; children
/// follow start time, as in Coroot's UI.
pub(super) fn tree(mut spans: Vec<Span>) -> Vec<TreeSpan> {
    spans.sort_by_key(|s| s.timestamp);
    let start = spans.first().map_or(0, |s| s.timestamp);
    let mut ids: HashSet<&str> = HashSet::with_capacity(spans.len());
    ids.extend(spans.iter().map(|s| s.id.as_str()));
    let mut children: HashMap<&str, Vec<usize>> = HashMap::with_capacity(spans.len());
    let mut roots = Vec::new();
    for (i, s) in spans.iter().enumerate() {
        if s.parent_id.is_empty() || !ids.contains(s.parent_id.as_str()) || s.parent_id == s.id {
            roots.push(i);
        } else {
            children.entry(s.parent_id.as_str()).or_default().push(i);
        }
    }
    let mut order: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    let mut seen = vec![false; spans.len()];
    let mut stack: Vec<(usize, usize)> = roots.iter().rev().map(|&i| (i, 0)).collect();
    while let Some((i, depth)) = stack.pop() {
        // A malformed trace with a parent cycle must not loop forever.
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        order.push((i, depth));
        if let Some(kids) = spans.get(i).and_then(|s| children.get(s.id.as_str())) {
            stack.extend(kids.iter().rev().map(|&k| (k, depth + 1)));
        }
    }
    // Spans only reachable through a cycle are still shown, as roots.
    for (i, done) in seen.iter().enumerate() {
        if !done {
            order.push((i, 0));
        }
    }
    order
        .into_iter()
        .filter_map(|(i, depth)| {
            let s = spans.get(i)?;
            let exceptions = s
                .events
                .iter()
                .filter(|e| e.name == "exception")
                .filter_map(|e| {
                    let msg = e.attributes.get("exception.message").map(one_line);
                    let typ = e.attributes.get("exception.type");
                    match (typ, msg) {
                        (Some(t), Some(m)) => Some(format!("{t}: {m}")),
                        (None, Some(m)) => Some(m),
                        (Some(t), None) => Some(t.to_string()),
                        (None, None) => None,
                    }
                })
                .map(|m| scrub(&m, MESSAGE_CHARS))
                .collect();
            Some(TreeSpan {
                depth,
                span_id: s.id.clone(),
                parent_id: s.parent_id.clone(),
                service: s.service.clone(),
                name: scrub(&s.name, MESSAGE_CHARS),
                start: iso(s.timestamp),
                offset_ms: s.timestamp - start,
                duration_ms: s.duration,
                error: s.status.error,
                status: status_word(s),
                details: scrub(&one_line(&s.details.text), DETAILS_CHARS),
                exceptions,
            })
        })
        .collect()
}

/// A span in the tree.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TreeSpan {
    /// 0 for roots.
    pub depth: usize,
    /// Span id.
    pub span_id: String,
    /// Parent span id, empty for a root.
    pub parent_id: String,
    /// Service.
    pub service: String,
    /// Span name.
    pub name: String,
    /// Start, UTC ISO-8601.
    pub start: String,
    /// Start after the trace's first span, ms.
    pub offset_ms: i64,
    /// Duration, ms.
    pub duration_ms: f64,
    /// Failed.
    pub error: bool,
    /// `HTTP-502`, `OK`, or the OTel status message.
    pub status: String,
    /// URL or statement, clipped.
    pub details: String,
    /// Exception messages from the span's events.
    pub exceptions: Vec<String>,
}

/// `ERROR HTTP-502`, `ERROR connection reset`, `HTTP-200`, `OK`.
pub(super) fn status_word(s: &Span) -> String {
    let msg = scrub(&one_line(&s.status.message), MESSAGE_CHARS);
    match (s.status.error, msg.as_str()) {
        (true, "" | "ERROR") => "ERROR".into(),
        (true, m) => format!("ERROR {m}"),
        (false, "") => "OK".into(),
        (false, m) => m.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn span(id: &str, parent: &str, at: i64) -> Span {
        serde_json::from_value(json!({
            "service": "svc", "trace_id": "t", "id": id, "parent_id": parent, "name": id,
            "timestamp": at, "duration": 1.0, "status": {"error": false, "message": ""},
            "details": {"text": ""}
        }))
        .unwrap()
    }

    #[test]
    fn children_follow_their_parent_by_start_and_orphans_are_roots() {
        let spans = vec![
            span("b", "a", 30),
            span("a", "", 10),
            span("c", "a", 20),
            span("orphan", "gone", 40),
        ];
        let got: Vec<(String, usize)> = tree(spans).into_iter().map(|s| (s.span_id, s.depth)).collect();
        let want = [("a", 0), ("c", 1), ("b", 1), ("orphan", 0)];
        assert_eq!(got, want.map(|(id, d)| (id.to_string(), d)));
    }

    #[test]
    fn a_parent_cycle_ends_and_shows_every_span() {
        let spans = vec![span("x", "y", 1), span("y", "x", 2), span("self", "self", 3)];
        let got = tree(spans);
        assert_eq!(got.len(), 3);
        assert!(got.iter().any(|s| s.span_id == "self" && s.depth == 0));
    }
}
