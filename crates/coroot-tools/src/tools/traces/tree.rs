//! One trace as the tree Coroot's UI draws from its flat span list: roots are spans without a
//! parent or whose parent is missing from the trace, children follow start time.

use coroot_client::models::Span;

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use schemars::JsonSchema;
use serde::{Serialize, Serializer};
use std::mem::take;

use crate::render::units::{iso, one_line};
use crate::render::untrusted::scrub;

/// Longest URL or statement shown per span.
pub(super) const DETAILS_CHARS: usize = 160;
/// Longest status or exception message shown per span.
pub(super) const MESSAGE_CHARS: usize = 300;

/// Depth-first span tree: roots have no parent or a parent missing from the trace; children
/// follow start time, as in Coroot's UI. The spans' text moves into the tree.
pub(super) fn tree(spans: Vec<Span>) -> Vec<TreeSpan> {
    // Sorting indices, then moving each span once: sorting the spans themselves moved structs
    // of a few hundred bytes n·log n times, a tenth of a 10,000-span answer.
    let mut by_start: Vec<(i64, usize)> = spans.iter().map(|s| s.timestamp).zip(0..).collect();
    by_start.sort_by_key(|&(at, _)| at);
    let mut slots: Vec<Option<Span>> = spans.into_iter().map(Some).collect();
    let mut spans: Vec<Span> = by_start
        .iter()
        .filter_map(|&(_, i)| slots.get_mut(i).and_then(Option::take))
        .collect();
    let start = spans.first().map_or(0, |s| s.timestamp);
    let order = depth_first(&spans);
    order
        .into_iter()
        .filter_map(|(i, depth)| {
            let s = spans.get_mut(i)?;
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
                span_id: take(&mut s.id),
                parent_id: take(&mut s.parent_id),
                service: take(&mut s.service),
                name: take(&mut s.name),
                start_ms: s.timestamp,
                offset_ms: s.timestamp - start,
                duration_ms: s.duration,
                error: s.status.error,
                status: StatusWord {
                    error: s.status.error,
                    message: take(&mut s.status.message),
                },
                details: take(&mut s.details.text),
                exceptions,
            })
        })
        .collect()
}

/// The spans (sorted by start) in depth-first order, each with its depth.
fn depth_first(spans: &[Span]) -> Vec<(usize, usize)> {
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
}

/// A span in the tree. Its name, start, status and details take their final form only when
/// written: most spans of a large trace are past the cap, and never are.
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
    #[serde(serialize_with = "scrubbed_name")]
    #[schemars(with = "String")]
    pub name: String,
    /// Start, UTC ISO-8601.
    #[serde(rename = "start", serialize_with = "iso_string")]
    #[schemars(with = "String")]
    pub start_ms: i64,
    /// Start after the trace's first span, ms.
    pub offset_ms: i64,
    /// Duration, ms.
    pub duration_ms: f64,
    /// Failed.
    pub error: bool,
    /// `HTTP-502`, `OK`, or the OTel status message.
    #[schemars(with = "String")]
    pub status: StatusWord,
    /// URL or statement, clipped.
    #[serde(serialize_with = "clipped_details")]
    #[schemars(with = "String")]
    pub details: String,
    /// Exception messages from the span's events.
    pub exceptions: Vec<String>,
}

impl TreeSpan {
    /// The name as the answer shows it.
    pub(super) fn name(&self) -> String {
        scrub(&self.name, MESSAGE_CHARS)
    }

    /// The URL or statement as the answer shows it, on one line and clipped.
    pub(super) fn details(&self) -> String {
        scrub(&one_line(&self.details), DETAILS_CHARS)
    }
}

fn scrubbed_name<S: Serializer>(name: &str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&scrub(name, MESSAGE_CHARS))
}

fn clipped_details<S: Serializer>(details: &str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&scrub(&one_line(details), DETAILS_CHARS))
}

fn iso_string<S: Serializer>(ms: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&iso(*ms))
}

/// A span's status as one word and its message, written as [`status_word`] gives it.
#[derive(Debug)]
pub struct StatusWord {
    error: bool,
    message: String,
}

impl StatusWord {
    /// `ERROR HTTP-502`, `OK`, ...
    pub(super) fn word(&self) -> String {
        status_word(self.error, &self.message)
    }
}

impl Serialize for StatusWord {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.word())
    }
}

/// `ERROR HTTP-502`, `ERROR connection reset`, `HTTP-200`, `OK`.
pub(super) fn status_word(error: bool, message: &str) -> String {
    let msg = scrub(&one_line(message), MESSAGE_CHARS);
    match (error, msg.as_str()) {
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
