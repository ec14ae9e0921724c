//! Log lines grouped into messages: identical lines (or lines of one pattern) collapse into one
//! group with a count, its first and last time, trace ids and pods, so a crash loop costs one
//! line, not fifty.

use std::hash::Hash;

use coroot_client::models::{Chart, LogEntry};
use foldhash::{HashMap, HashMapExt};

use crate::analysis::severity::level_rank;

/// Trace ids kept per group.
pub const TRACE_IDS: usize = 3;
/// Pods named per group.
pub const PODS: usize = 3;

/// Log lines collapsed into one.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Coroot's level word of the newest line.
    pub severity: String,
    /// The newest line's body.
    pub message: String,
    /// Lines in the group.
    pub count: usize,
    /// Oldest line, epoch ms.
    pub first_ms: i64,
    /// Newest line, epoch ms.
    pub last_ms: i64,
    /// Up to [`TRACE_IDS`] distinct trace ids, newest first.
    pub trace_ids: Vec<String>,
    /// Distinct trace ids beyond those.
    pub more_traces: usize,
    /// Up to [`PODS`] pods that logged it.
    pub pods: Vec<String>,
    /// Where the newest line is among the entries grouped.
    newest: usize,
}

impl Group {
    /// Moves the level and body of the group's newest line in from `entries`, the lines
    /// [`tally`] grouped.
    pub fn take_text(&mut self, entries: &mut [LogEntry]) {
        if let Some(e) = entries.get_mut(self.newest) {
            self.severity = std::mem::take(&mut e.severity);
            self.message = std::mem::take(&mut e.message);
        }
    }
}

/// Collapses entries with the same `key` into groups, in order of their newest line, and
/// copies each group's text from its newest line. Coroot sends lines newest first, but not on
/// every version; the order is re-established.
pub fn group<'a, K: Hash + Eq + Clone>(entries: &'a [LogEntry], key: impl Fn(&'a LogEntry) -> K) -> Vec<(K, Group)> {
    let mut groups = tally(entries, key);
    for (_, g) in &mut groups {
        if let Some(e) = entries.get(g.newest) {
            g.severity.clone_from(&e.severity);
            g.message.clone_from(&e.message);
        }
    }
    groups
}

/// [`group`] without the text: for an answer that consumes its lines and moves each group's
/// text in ([`Group::take_text`]), since most groups of a long answer are a single line. The
/// key may borrow from the entries, so grouping costs no allocation per line.
pub fn tally<'a, K: Hash + Eq + Clone>(entries: &'a [LogEntry], key: impl Fn(&'a LogEntry) -> K) -> Vec<(K, Group)> {
    let mut sorted: Vec<(usize, &'a LogEntry)> = entries.iter().enumerate().collect();
    sorted.sort_by_key(|(_, e)| std::cmp::Reverse(e.timestamp));
    let mut index: HashMap<K, usize> = HashMap::new();
    let mut groups: Vec<(K, Group)> = Vec::new();
    for (at, e) in sorted {
        let k = key(e);
        let idx = *index.entry(k.clone()).or_insert_with(|| {
            groups.push((
                k,
                Group {
                    severity: String::new(),
                    message: String::new(),
                    count: 0,
                    first_ms: e.timestamp,
                    last_ms: e.timestamp,
                    trace_ids: Vec::new(),
                    more_traces: 0,
                    pods: Vec::new(),
                    newest: at,
                },
            ));
            groups.len() - 1
        });
        let Some((_, g)) = groups.get_mut(idx) else {
            continue;
        };
        g.count += 1;
        g.first_ms = e.timestamp;
        if !e.trace_id.is_empty() && !g.trace_ids.contains(&e.trace_id) {
            if g.trace_ids.len() < TRACE_IDS {
                g.trace_ids.push(e.trace_id.clone());
            } else {
                g.more_traces += 1;
            }
        }
        if g.pods.len() < PODS
            && let Some(pod) = pod_of(e)
            && !g.pods.iter().any(|p| p == pod)
        {
            g.pods.push(pod.to_string());
        }
    }
    groups
}

/// Identical lines of one level collapsed, newest group first; the lines' text moves into
/// the groups.
pub fn messages(mut entries: Vec<LogEntry>) -> Vec<Group> {
    let mut groups: Vec<Group> = tally(&entries, |e| (e.severity.as_str(), e.message.as_str()))
        .into_iter()
        .map(|(_, g)| g)
        .collect();
    for g in &mut groups {
        g.take_text(&mut entries);
    }
    groups
}

/// Lines of one level and one pattern (digits masked, whitespace collapsed) collapsed: the
/// same failure with another id or count is one group. Most severe first, then largest, then
/// newest.
pub fn patterns(entries: &[LogEntry]) -> Vec<Group> {
    let mut out: Vec<Group> = group(entries, |e| (e.severity.clone(), pattern(&e.message)))
        .into_iter()
        .map(|(_, g)| g)
        .collect();
    out.sort_by(|a, b| {
        level_rank(&b.severity)
            .cmp(&level_rank(&a.severity))
            .then(b.count.cmp(&a.count))
            .then(b.last_ms.cmp(&a.last_ms))
    });
    out
}

/// A message's pattern: digits masked, whitespace collapsed.
pub fn pattern(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    for word in message.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().map(|c| if c.is_ascii_digit() { '#' } else { c }));
    }
    out
}

/// The pod that wrote a line. Container logs carry the node agent's `container.id`,
/// `/k8s/<namespace>/<pod>/<container>` (coroot-node-agent `logs/otel.go`), and no
/// `k8s.pod.name`; OpenTelemetry logs may carry `k8s.pod.name`.
pub fn pod_of(e: &LogEntry) -> Option<&str> {
    let from_container = e.attributes.get("container.id").and_then(|id| {
        let mut parts = id.strip_prefix("/k8s/")?.split('/');
        let (_namespace, pod) = (parts.next()?, parts.next()?);
        (!pod.is_empty()).then_some(pod)
    });
    from_container.or_else(|| e.attributes.get("k8s.pod.name"))
}

/// Lines per level over the whole window, from the histogram Coroot sends with the lines
/// (one series per level, counts per step), most severe first. Coroot counts every matching
/// line there, while it returns at most `limit` of them.
pub fn level_totals(chart: &Chart) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = chart
        .series
        .iter()
        .map(|s| {
            let total: f64 = s.data.iter().flatten().filter(|v| v.is_finite()).sum();
            (s.name.clone(), total.max(0.0).round() as u64)
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    out.sort_by(|a, b| level_rank(&b.0).cmp(&level_rank(&a.0)).then(a.0.cmp(&b.0)));
    out
}

/// Lines per level, most severe first.
pub fn level_counts(entries: &[LogEntry]) -> Vec<(String, usize)> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for e in entries {
        *counts.entry(e.severity.as_str()).or_default() += 1;
    }
    let mut out: Vec<(String, usize)> = counts.into_iter().map(|(s, n)| (s.to_string(), n)).collect();
    out.sort_by(|a, b| level_rank(&b.0).cmp(&level_rank(&a.0)).then(a.0.cmp(&b.0)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(ms: i64, severity: &str, message: &str, trace: &str, pod: &str) -> LogEntry {
        LogEntry {
            timestamp: ms,
            severity: severity.into(),
            message: message.into(),
            trace_id: trace.into(),
            attributes: [("container.id".to_string(), format!("/k8s/shop/{pod}/app"))].into(),
            ..LogEntry::default()
        }
    }

    /// What the node agent sends with a container's line (coroot-node-agent `logs/otel.go`,
    /// seen on Coroot v1.24.5): the pod is the third part of `container.id`.
    #[test]
    fn the_pod_of_a_container_line_comes_from_its_container_id() {
        let e = LogEntry {
            attributes: [
                ("service.name", "/k8s/shop/catalog"),
                ("container.id", "/k8s/shop/catalog-7b9c4d6e58-x2k9p/catalog"),
                ("host.name", "ip-10-0-1-23"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
            ..LogEntry::default()
        };
        assert_eq!(pod_of(&e), Some("catalog-7b9c4d6e58-x2k9p"));
        let otel = LogEntry {
            attributes: [("k8s.pod.name".to_string(), "api-1".to_string())].into(),
            ..LogEntry::default()
        };
        assert_eq!(pod_of(&otel), Some("api-1"));
        assert_eq!(pod_of(&LogEntry::default()), None);
    }

    /// Coroot's histogram counts every matching line (`api/views/logs/logs.go`, one series
    /// per level, counts per step).
    #[test]
    fn window_totals_come_from_the_histogram() {
        let chart: Chart = serde_json::from_value(serde_json::json!({
            "ctx": {"from": 0, "to": 60000, "step": 15000},
            "series": [
                {"name": "info", "data": [300, 300, null, 0]},
                {"name": "error", "data": [1, 2, 3, 4]},
                {"name": "debug", "data": [0, 0, 0, 0]}
            ]
        }))
        .unwrap();
        assert_eq!(
            level_totals(&chart),
            [("error".to_string(), 10), ("info".to_string(), 600)]
        );
    }

    #[test]
    fn identical_lines_collapse_newest_first_with_traces_and_pods() {
        let entries = vec![
            line(1, "error", "boom", "t1", "p1"),
            line(3, "error", "boom", "t3", "p2"),
            line(2, "info", "hello", "", "p1"),
            line(4, "error", "boom", "t4", "p1"),
            line(5, "error", "boom", "t5", "p1"),
        ];
        let groups = messages(entries.clone());
        assert_eq!(groups.len(), 2);
        let boom = &groups[0];
        assert_eq!((boom.severity.as_str(), boom.message.as_str()), ("error", "boom"));
        assert_eq!(
            (groups[1].severity.as_str(), groups[1].message.as_str()),
            ("info", "hello")
        );
        // Moving the text in gives the groups copying it does.
        let copied: Vec<Group> = group(&entries, |e| (e.severity.as_str(), e.message.as_str()))
            .into_iter()
            .map(|(_, g)| g)
            .collect();
        assert_eq!(copied, groups);
        assert_eq!((boom.count, boom.first_ms, boom.last_ms), (4, 1, 5));
        assert_eq!(boom.trace_ids, ["t5", "t4", "t3"]);
        assert_eq!(boom.more_traces, 1);
        assert_eq!(boom.pods, ["p1", "p2"]);
    }

    #[test]
    fn patterns_mask_numbers_and_put_the_worst_first() {
        let entries = vec![
            line(1, "warning", "slow  query took 120ms", "", "p"),
            line(2, "warning", "slow query took 450ms", "", "p"),
            line(3, "fatal", "out of memory", "", "p"),
        ];
        let groups = patterns(&entries);
        assert_eq!(groups[0].severity, "fatal");
        assert_eq!(groups[1].count, 2);
        assert_eq!(groups[1].message, "slow query took 450ms");
        assert_eq!(pattern("took 120ms\n at 10:42"), "took ###ms at ##:##");
    }

    #[test]
    fn levels_are_counted_most_severe_first() {
        let entries = vec![
            line(1, "info", "a", "", "p"),
            line(2, "error", "b", "", "p"),
            line(3, "info", "c", "", "p"),
        ];
        assert_eq!(
            level_counts(&entries),
            [("error".to_string(), 1), ("info".to_string(), 2)]
        );
    }
}
