//! Logs: the overview `logs` view (v1.24.5:api/views/overview/logs.go, also the Kubernetes
//! events page), with ClickHouse's filter semantics (clickhouse/logs.go) re-implemented over
//! the stored rows; the filter, chart and entry helpers are shared with `app_logs`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::chart;
use crate::model::{severity_color, severity_name, severity_rank};
use crate::prng::hash_str;
use crate::util::{TimeCtx, tiny_match};
use crate::world::{LogRow, Project};

pub(super) struct Filter {
    name: String,
    op: String,
    value: String,
}

pub(super) fn parse_filters(q: &Value) -> Vec<Filter> {
    let mut out: Vec<Filter> = Vec::new();
    for f in q.get("filters").and_then(Value::as_array).into_iter().flatten() {
        let get = |k: &str| f.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let nf = Filter {
            name: get("name"),
            op: get("op"),
            value: get("value"),
        };
        if !out
            .iter()
            .any(|x| x.name == nf.name && x.op == nf.op && x.value == nf.value)
        {
            out.push(nf);
        }
    }
    out
}

/// SeverityNumber range selected by a `Severity` filter value (case-sensitive).
fn severity_range(v: &str) -> (u8, u8) {
    match v {
        "trace" => (1, 4),
        "debug" => (5, 8),
        "info" => (9, 12),
        "warning" | "warn" => (13, 16),
        "error" => (17, 20),
        "fatal" | "critical" => (21, 24),
        _ => match v.strip_prefix("severity-").and_then(|n| n.parse::<u8>().ok()) {
            Some(n) if n >= 1 => {
                let lo = (n - 1).saturating_mul(4);
                (lo, lo.saturating_add(3))
            }
            _ => (0, 0),
        },
    }
}

fn tokens(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| c.is_ascii() && !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
}

fn title_case(t: &str) -> String {
    let mut c = t.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + &c.as_str().to_lowercase(),
        None => String::new(),
    }
}

/// ClickHouse `hasToken` tried as-is, lower, UPPER and Title case, for every token of `needle`.
fn message_contains(message: &str, needle: &str) -> bool {
    let hay: BTreeSet<&str> = tokens(message).collect();
    tokens(needle).all(|t| {
        hay.contains(t)
            || hay.contains(t.to_lowercase().as_str())
            || hay.contains(t.to_uppercase().as_str())
            || hay.contains(title_case(t).as_str())
    })
}

/// Matches one field against the filters of one name: `=`/`~` are ORed, `!=`/`!~` ANDed.
fn match_field(actual: &str, fs: &[&Filter]) -> bool {
    let positive: Vec<&&Filter> = fs.iter().filter(|f| f.op == "=" || f.op == "~").collect();
    let pos_ok = positive.is_empty()
        || positive.iter().any(|f| {
            if f.op == "=" {
                actual == f.value
            } else {
                tiny_match(&f.value, actual)
            }
        });
    let neg_ok = fs.iter().all(|f| match f.op.as_str() {
        "!=" => actual != f.value,
        "!~" => !tiny_match(&f.value, actual),
        _ => true,
    });
    pos_ok && neg_ok
}

/// A compiled filter set; `Cluster` is matched against each line's cluster (the member
/// project's name, `LogFilter.Matches`, clickhouse/logs.go:198-214).
pub(super) struct Matcher<'a> {
    by_name: BTreeMap<&'a str, Vec<&'a Filter>>,
    cluster: Option<&'a Filter>,
}

impl<'a> Matcher<'a> {
    pub(super) fn new(filters: &'a [Filter], skip: &str) -> Matcher<'a> {
        let mut by_name: BTreeMap<&str, Vec<&Filter>> = BTreeMap::new();
        for f in filters {
            if f.name == "Cluster" || f.name == skip {
                continue;
            }
            by_name.entry(f.name.as_str()).or_default().push(f);
        }
        Matcher {
            by_name,
            cluster: filters.iter().rev().find(|f| f.name == "Cluster"),
        }
    }

    /// Whether lines of this cluster pass the `Cluster` filter.
    pub(super) fn cluster_matches(&self, cluster: &str) -> bool {
        match self.cluster {
            None => true,
            Some(c) => match c.op.as_str() {
                "=" => cluster == c.value,
                "!=" => cluster != c.value,
                "~" => tiny_match(&c.value, cluster),
                "!~" => !tiny_match(&c.value, cluster),
                _ => false,
            },
        }
    }

    pub(super) fn matches(&self, row: &LogRow, cluster: &str) -> bool {
        if !self.cluster_matches(cluster) {
            return false;
        }
        self.by_name.iter().all(|(name, fs)| match *name {
            "Severity" => {
                let eq: Vec<_> = fs.iter().filter(|f| f.op == "=").collect();
                let in_any = |f: &&&Filter| {
                    let (lo, hi) = severity_range(&f.value);
                    row.severity >= lo && row.severity <= hi
                };
                (eq.is_empty() || eq.iter().any(in_any)) && fs.iter().filter(|f| f.op == "!=").all(|f| !in_any(&f))
            }
            "Message" => fs.iter().all(|f| {
                let hit = message_contains(&row.message, &f.value);
                if f.op == "not contains" { !hit } else { hit }
            }),
            "TraceId" => {
                let eq: Vec<_> = fs.iter().filter(|f| f.op == "=").collect();
                eq.is_empty() || eq.iter().any(|f| *row.trace_id == *f.value)
            }
            "service.name" => match_field(&row.service, fs),
            other => {
                let relevant: Vec<&Filter> = fs
                    .iter()
                    .copied()
                    .filter(|f| matches!(f.op.as_str(), "=" | "!=" | "~" | "!~"))
                    .collect();
                relevant.is_empty() || match_field(row.attr(other).unwrap_or(""), &relevant)
            }
        })
    }
}

pub(super) fn array_index_like(name: &str) -> bool {
    let b = name.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'.' {
            let mut j = i + 1;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            if j > i + 1 && (j == b.len() || b[j] == b'.') {
                return true;
            }
        }
        i += 1;
    }
    false
}

pub(super) fn window<'a>(p: &'a Project, ctx: &TimeCtx) -> &'a [LogRow] {
    let lo = p.logs.partition_point(|l| l.ts_ms() < ctx.from);
    let hi = p.logs.partition_point(|l| l.ts_ms() <= ctx.to);
    &p.logs[lo..hi.max(lo)]
}

pub(super) fn since_ns(q: &Value) -> Option<i64> {
    q.get("since")
        .and_then(|s| s.as_str().and_then(|x| x.parse().ok()).or_else(|| s.as_i64()))
}

pub(super) fn limit_of(q: &Value) -> usize {
    match q.get("limit").and_then(Value::as_i64) {
        Some(l) if l > 0 => l as usize,
        _ => 100,
    }
}

/// The per-severity column chart of all matching lines (`GetLogsHistogram`: counts per
/// step bucket, clickhouse/logs.go:52-82), ascending by severity; `sorted` as the view sets it.
pub(super) fn severity_chart(rows: &[&LogRow], ctx: &TimeCtx, sorted: bool) -> Value {
    if rows.is_empty() {
        return Value::Null;
    }
    let start = ctx.start();
    let n = ctx.points();
    let mut by_sev: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for l in rows {
        let k = (l.ts_ms() - start) / ctx.step;
        if k < 0 || k as usize >= n {
            continue;
        }
        let v = by_sev.entry(severity_name(l.severity)).or_insert_with(|| vec![0.0; n]);
        v[k as usize] += 1.0;
    }
    let mut names: Vec<String> = by_sev.keys().cloned().collect();
    names.sort_by_key(|s| severity_rank(s));
    let series: Vec<Value> = names
        .into_iter()
        .filter_map(|name| {
            by_sev
                .remove(&name)
                .map(|d| super::series(&name, Some(severity_color(&name)), d))
        })
        .collect();
    let mut c = chart(ctx, "", series);
    super::set(&mut c, "column", json!(true));
    super::set(&mut c, "stacked", json!(true));
    super::set(&mut c, "sorted", json!(sorted));
    c
}

/// The lines a `LIMIT n` query returns: the newest first from v1.24.1 (7522c93, `ORDER BY
/// Timestamp DESC` with a cutoff, clickhouse/logs.go:84-94); before, with no ORDER BY, an
/// arbitrary sample when more lines match (v1.24.0:clickhouse/logs.go:84-89).
pub(super) fn pick<'a>(p: &Project, rows: Vec<&'a LogRow>, limit: usize) -> Vec<&'a LogRow> {
    if p.env.version.newest_first() {
        rows.into_iter().rev().take(limit).collect()
    } else {
        crate::util::arbitrary_sample(rows, limit, |l| crate::prng::mix(l.ts_ns as u64 ^ hash_str(&l.message)))
    }
}

fn app_id_of(p: &Project, l: &LogRow) -> String {
    match l.app {
        Some(i) => p.apps[i as usize].id.clone(),
        None => l.service.to_string(),
    }
}

/// `LogEntry.AllAttributes` (v1.24.5:model/log.go:44-57): log and resource attributes,
/// empty keys and values dropped; the overview adds `Cluster` (v1.17.0+).
pub(super) fn attrs_json(l: &LogRow, cluster: Option<&str>) -> Value {
    let mut m = Map::new();
    for (k, v) in l.all_attrs() {
        if !k.is_empty() && !v.is_empty() {
            m.insert(k.to_string(), json!(v));
        }
    }
    if let Some(c) = cluster {
        m.insert("Cluster".into(), json!(c));
    }
    Value::Object(m)
}

pub(super) fn suggest_values(p: &Project, rows: &[&LogRow], name: &str) -> Vec<String> {
    match name {
        "Message" => Vec::new(),
        "Cluster" if p.env.members.is_empty() => vec![p.name.clone()],
        "Cluster" => p.env.members.clone(),
        "Severity" => {
            let mut s: Vec<String> = rows
                .iter()
                .map(|l| severity_name(l.severity))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            s.sort_by_key(|x| severity_rank(x));
            s
        }
        other => rows
            .iter()
            .filter_map(|l| l.attr(other))
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .take(1000)
            .collect(),
    }
}

/// The overview `logs` view.
pub(crate) fn overview(p: &Project, ctx: &TimeCtx, query: &str) -> Value {
    if !p.env.clickhouse {
        // overview/logs.go:65-68, with the trailing period.
        return json!({"message": "Clickhouse integration is not configured.", "error": "", "chart": null, "entries": null, "suggest": null, "max_ts": ""});
    }
    let q: Value = serde_json::from_str(query).unwrap_or_else(|_| json!({}));
    let agent = q.get("agent").and_then(Value::as_bool).unwrap_or(false);
    let otel = q.get("otel").and_then(Value::as_bool).unwrap_or(false);
    if !agent && !otel {
        return json!({"message": "", "error": "", "chart": null, "entries": null, "suggest": null, "max_ts": ""});
    }
    let filters = parse_filters(&q);
    let suggest = q.get("suggest").and_then(Value::as_str).unwrap_or("");
    let source_ok = |l: &LogRow| {
        if l.service.starts_with('/') { agent } else { otel }
    };
    if !suggest.is_empty() {
        let m = Matcher::new(&filters, suggest);
        let mut sctx = *ctx;
        sctx.from = sctx.from.max(ctx.to - 3_600_000);
        let rows: Vec<&LogRow> = window(p, &sctx)
            .iter()
            .filter(|l| source_ok(l) && m.matches(l, p.row_cluster(&l.cluster)))
            .collect();
        return json!({"message": "", "error": "", "chart": null, "entries": null, "suggest": suggest_values(p, &rows, suggest), "max_ts": ""});
    }
    let m = Matcher::new(&filters, "");
    let rows: Vec<&LogRow> = window(p, ctx)
        .iter()
        .filter(|l| source_ok(l) && m.matches(l, p.row_cluster(&l.cluster)))
        .collect();
    let chart = severity_chart(&rows, ctx, true);
    let since = since_ns(&q);
    let limit = limit_of(&q);
    let entries_src: Vec<&LogRow> = match since {
        Some(s) => {
            let lo = p.logs.partition_point(|l| l.ts_ns <= s);
            p.logs[lo..]
                .iter()
                .filter(|l| source_ok(l) && m.matches(l, p.row_cluster(&l.cluster)))
                .collect()
        }
        None => rows.clone(),
    };
    let clusters = p.env.version.has_cluster_ids();
    let mut picked = pick(p, entries_src, limit);
    // v1.17.0+ sorts the merged entries newest first (overview/logs.go:218-223); the
    // sample itself is arbitrary before v1.24.1.
    if clusters {
        picked.sort_by_key(|l| std::cmp::Reverse(l.ts_ms()));
    }
    let entries: Vec<Value> = picked
        .iter()
        .map(|l| {
            let sev = severity_name(l.severity);
            let mut e = json!({"application": app_id_of(p, l), "timestamp": l.ts_ms(), "severity": sev, "color": severity_color(&sev),
                   "message": &*l.message, "attributes": attrs_json(l, clusters.then_some(p.row_cluster(&l.cluster))), "trace_id": &*l.trace_id});
            if clusters {
                super::set(&mut e, "cluster", json!(p.row_cluster(&l.cluster)));
            }
            e
        })
        .collect();
    let max_ts = picked
        .iter()
        .map(|l| l.ts_ns)
        .max()
        .map(|t| t.to_string())
        .unwrap_or_default();
    let suggest: Vec<String> = if since.is_some() {
        Vec::new()
    } else {
        let mut names: BTreeSet<String> = ["Cluster", "Message", "Severity"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for l in &rows {
            for (k, _) in l.all_attrs() {
                if !array_index_like(k) {
                    names.insert(k.to_string());
                }
            }
        }
        names.into_iter().collect()
    };
    json!({"message": "", "error": "", "chart": chart,
           "entries": if entries.is_empty() { Value::Null } else { Value::Array(entries) },
           "suggest": suggest, "max_ts": max_ts})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_tokens() {
        assert!(message_contains(
            "dial tcp 10.42.3.15:5432: connect: connection refused",
            "connection refused"
        ));
        assert!(message_contains("Connection Refused", "connection refused"));
        assert!(!message_contains("connections refused", "connection"));
        assert!(message_contains("ERROR happened", "error"));
    }

    #[test]
    fn severity_values_are_case_sensitive() {
        assert_eq!(severity_range("error"), (17, 20));
        assert_eq!(severity_range("Error"), (0, 0));
        assert_eq!(severity_range("warn"), (13, 16));
        assert_eq!(severity_range("critical"), (21, 24));
    }

    #[test]
    fn array_index_names() {
        assert!(array_index_like("exception.stack.0"));
        assert!(array_index_like("a.1.b"));
        assert!(!array_index_like("k8s.pod.name"));
    }
}
