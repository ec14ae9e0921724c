//! Logs: the overview `logs` view (§6.5.6, also the Kubernetes events page) and the
//! application logs endpoint (§6.9), with ClickHouse's filter semantics re-implemented
//! over the stored rows.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value, json};

use super::chart;
use crate::model::{severity_color, severity_name, severity_rank};
use crate::prng::hash_str;
use crate::util::{TimeCtx, tiny_match};
use crate::world::{LogRow, Project};

struct Filter {
    name: String,
    op: String,
    value: String,
}

fn parse_filters(q: &Value) -> Vec<Filter> {
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

/// A compiled filter set.
struct Matcher<'a> {
    by_name: BTreeMap<&'a str, Vec<&'a Filter>>,
    cluster_ok: bool,
}

impl<'a> Matcher<'a> {
    fn new(filters: &'a [Filter], project_name: &str, skip: &str) -> Matcher<'a> {
        let mut by_name: BTreeMap<&str, Vec<&Filter>> = BTreeMap::new();
        let mut cluster_ok = true;
        if let Some(c) = filters.iter().rev().find(|f| f.name == "Cluster") {
            cluster_ok = match c.op.as_str() {
                "=" => project_name == c.value,
                "!=" => project_name != c.value,
                "~" => tiny_match(&c.value, project_name),
                "!~" => !tiny_match(&c.value, project_name),
                _ => false,
            };
        }
        for f in filters {
            if f.name == "Cluster" || f.name == skip {
                continue;
            }
            by_name.entry(f.name.as_str()).or_default().push(f);
        }
        Matcher { by_name, cluster_ok }
    }

    fn matches(&self, row: &LogRow) -> bool {
        if !self.cluster_ok {
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

fn array_index_like(name: &str) -> bool {
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

fn window<'a>(p: &'a Project, ctx: &TimeCtx) -> &'a [LogRow] {
    let lo = p.logs.partition_point(|l| l.ts_ms() < ctx.from);
    let hi = p.logs.partition_point(|l| l.ts_ms() <= ctx.to);
    &p.logs[lo..hi.max(lo)]
}

/// Error counts per step for every app with errors, in one pass over the window
/// (the applications view's logs sparklines).
pub(crate) fn error_charts(p: &Project, ctx: &TimeCtx) -> HashMap<u32, Vec<u32>> {
    let mut out: HashMap<u32, Vec<u32>> = HashMap::new();
    let start = ctx.start();
    let n = ctx.points();
    for l in window(p, ctx) {
        if let (Some(app), true) = (l.app, l.severity >= 17) {
            let k = ((l.ts_ms() - start) / ctx.step) as usize;
            if let Some(c) = out.entry(app).or_insert_with(|| vec![0; n]).get_mut(k) {
                *c += 1;
            }
        }
    }
    out
}

fn severity_chart(rows: &[&LogRow], ctx: &TimeCtx, ascending: bool) -> Value {
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
    if !ascending {
        names.reverse();
    }
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
    super::set(&mut c, "sorted", json!(true));
    c
}

fn since_ns(q: &Value) -> Option<i64> {
    q.get("since")
        .and_then(|s| s.as_str().and_then(|x| x.parse().ok()).or_else(|| s.as_i64()))
}

fn limit_of(q: &Value) -> usize {
    match q.get("limit").and_then(Value::as_i64) {
        Some(l) if l > 0 => l as usize,
        _ => 100,
    }
}

fn app_id_of(p: &Project, l: &LogRow) -> String {
    match l.app {
        Some(i) => p.apps[i as usize].id.clone(),
        None => l.service.to_string(),
    }
}

fn attrs_json(l: &LogRow, cluster: Option<&str>) -> Value {
    let mut m = Map::new();
    for (k, v) in l.attrs.iter() {
        if !k.is_empty() && !v.is_empty() {
            m.insert(k.clone(), json!(v));
        }
    }
    if let Some(c) = cluster {
        m.insert("Cluster".into(), json!(c));
    }
    Value::Object(m)
}

fn suggest_values(p: &Project, rows: &[&LogRow], name: &str) -> Vec<String> {
    match name {
        "Message" => Vec::new(),
        "Cluster" => vec![p.name.clone()],
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
        let m = Matcher::new(&filters, &p.name, suggest);
        let mut sctx = *ctx;
        sctx.from = sctx.from.max(ctx.to - 3_600_000);
        let rows: Vec<&LogRow> = window(p, &sctx)
            .iter()
            .filter(|l| source_ok(l) && m.matches(l))
            .collect();
        return json!({"message": "", "error": "", "chart": null, "entries": null, "suggest": suggest_values(p, &rows, suggest), "max_ts": ""});
    }
    let m = Matcher::new(&filters, &p.name, "");
    let rows: Vec<&LogRow> = window(p, ctx).iter().filter(|l| source_ok(l) && m.matches(l)).collect();
    let chart = severity_chart(&rows, ctx, false);
    let since = since_ns(&q);
    let limit = limit_of(&q);
    let entries_src: Vec<&LogRow> = match since {
        Some(s) => {
            let lo = p.logs.partition_point(|l| l.ts_ns <= s);
            p.logs[lo..].iter().filter(|l| source_ok(l) && m.matches(l)).collect()
        }
        None => rows.clone(),
    };
    let entries: Vec<Value> = entries_src
        .iter()
        .rev()
        .take(limit)
        .map(|l| {
            let sev = severity_name(l.severity);
            json!({"application": app_id_of(p, l), "timestamp": l.ts_ms(), "severity": sev, "color": severity_color(&sev),
                   "message": &*l.message, "attributes": attrs_json(l, Some(&p.name)), "trace_id": &*l.trace_id, "cluster": p.name})
        })
        .collect();
    let max_ts = entries_src.last().map(|l| l.ts_ns.to_string()).unwrap_or_default();
    let suggest: Vec<String> = if since.is_some() {
        Vec::new()
    } else {
        let mut names: BTreeSet<String> = ["Cluster", "Message", "Severity"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for l in &rows {
            for (k, _) in l.attrs.iter() {
                if !array_index_like(k) {
                    names.insert(k.clone());
                }
            }
        }
        names.into_iter().collect()
    };
    json!({"message": "", "error": "", "chart": chart,
           "entries": if entries.is_empty() { Value::Null } else { Value::Array(entries) },
           "suggest": suggest, "max_ts": max_ts})
}

/// `GET /api/project/{p}/app/{app}/logs`.
pub(crate) fn app_logs(p: &Project, idx: usize, ctx: &TimeCtx, query: &str) -> Value {
    let a = &p.apps[idx];
    let q: Value = serde_json::from_str(query).unwrap_or_else(|_| json!({}));
    let agent_service = format!("/k8s/{}/{}", a.ns, a.name);
    let otel_services: Vec<String> = p
        .logs
        .iter()
        .filter(|l| !l.service.starts_with('/'))
        .map(|l| l.service.to_string())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let linked = otel_services.iter().find(|s| s.as_str() == a.name).cloned();
    let mut source = q.get("source").and_then(Value::as_str).unwrap_or("").to_string();
    if source.is_empty() {
        source = if linked.is_some() {
            "otel".into()
        } else {
            "agent".into()
        };
    }
    let mut view = q.get("view").and_then(Value::as_str).unwrap_or("").to_string();
    if view.is_empty() {
        view = "messages".into();
    }
    let own = |l: &LogRow| -> bool {
        if source == "otel" {
            match &linked {
                Some(s) => *l.service == **s,
                None => !l.service.starts_with('/') && &*l.service != "KubernetesEvents",
            }
        } else {
            *l.service == *agent_service
        }
    };
    let mut sources = vec!["agent"];
    if linked.is_some() {
        sources.push("otel");
    }
    let has_any = p.logs.iter().any(&own);
    let message = if source == "otel" {
        format!("Using OpenTelemetry logs of <i>{}</i>", linked.as_deref().unwrap_or(""))
    } else {
        "Using container logs".to_string()
    };
    let services = if otel_services.is_empty() {
        Value::Null
    } else {
        json!(otel_services)
    };
    if !has_any {
        return json!({"status": "unknown", "message": "No logs found in ClickHouse", "sources": sources, "source": source,
            "services": services, "service": linked.unwrap_or_default(), "view": "patterns", "chart": null, "entries": null,
            "patterns": null, "limit": 0, "suggest": null, "max_ts": ""});
    }
    let filters = parse_filters(&q);
    let suggest_name = q.get("suggest").and_then(Value::as_str).unwrap_or("");
    let m = Matcher::new(&filters, &p.name, suggest_name);
    let rows: Vec<&LogRow> = window(p, ctx).iter().filter(|l| own(l) && m.matches(l)).collect();
    let since = since_ns(&q);
    let limit = limit_of(&q);
    let mut out = json!({"status": "ok", "message": message, "sources": sources, "source": source, "services": services,
        "service": linked.clone().unwrap_or_default(), "view": view, "chart": null, "entries": null, "patterns": null,
        "limit": 0, "suggest": null, "max_ts": ""});
    if !suggest_name.is_empty() {
        if suggest_name != "Message" {
            super::set(&mut out, "suggest", json!(suggest_values(p, &rows, suggest_name)));
        }
        return out;
    }
    if view == "patterns" {
        let mut groups: HashMap<&str, (u8, u64, Vec<&LogRow>)> = HashMap::new();
        for l in &rows {
            let e = groups.entry(&l.message).or_insert((l.severity, 0, Vec::new()));
            e.1 += 1;
            e.2.push(l);
        }
        let mut pats: Vec<(u64, &str, Value)> = groups
            .into_iter()
            .map(|(msg, (sev, sum, ls))| {
                let name = severity_name(sev);
                let mut c = severity_chart(&ls, ctx, true);
                super::set(&mut c, "hide_legend", json!(true));
                (sum, msg, json!({"severity": name, "color": severity_color(&name), "sample": msg, "sum": sum, "chart": c, "hash": format!("{:016x}", hash_str(msg))}))
            })
            .collect();
        // Ties are broken by message: the groups come out of a HashMap in a different
        // order on every run, and the same request must always get the same answer.
        pats.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        super::set(
            &mut out,
            "patterns",
            if pats.is_empty() {
                Value::Null
            } else {
                Value::Array(pats.into_iter().map(|x| x.2).collect())
            },
        );
        return out;
    }
    super::set(&mut out, "chart", severity_chart(&rows, ctx, true));
    let entries_src: Vec<&LogRow> = match since {
        Some(s) => {
            let lo = p.logs.partition_point(|l| l.ts_ns <= s);
            p.logs[lo..].iter().filter(|l| own(l) && m.matches(l)).collect()
        }
        None => rows.clone(),
    };
    let entries: Vec<Value> = entries_src
        .iter()
        .rev()
        .take(limit)
        .map(|l| {
            let sev = severity_name(l.severity);
            json!({"timestamp": l.ts_ms(), "severity": sev, "color": severity_color(&sev), "message": &*l.message,
                   "attributes": attrs_json(l, None), "trace_id": &*l.trace_id})
        })
        .collect();
    if entries.len() >= limit {
        super::set(&mut out, "limit", json!(limit));
    }
    super::set(
        &mut out,
        "max_ts",
        json!(entries_src.last().map(|l| l.ts_ns.to_string()).unwrap_or_default()),
    );
    super::set(
        &mut out,
        "entries",
        if entries.is_empty() {
            Value::Null
        } else {
            Value::Array(entries)
        },
    );
    if since.is_none() {
        let mut freq: HashMap<&str, u64> = HashMap::new();
        for l in &rows {
            for (k, _) in l.attrs.iter() {
                if !array_index_like(k) {
                    *freq.entry(k.as_str()).or_default() += 1;
                }
            }
        }
        let mut names: Vec<(&str, u64)> = freq.into_iter().collect();
        names.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(y.0)));
        let mut s = vec!["Severity".to_string(), "Message".to_string(), "Cluster".to_string()];
        s.extend(names.into_iter().map(|(k, _)| k.to_string()));
        super::set(&mut out, "suggest", json!(s));
    }
    out
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
