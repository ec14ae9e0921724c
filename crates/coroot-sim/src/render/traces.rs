//! The overview `traces` view (v1.24.5:api/views/overview/traces.go): heatmap, root-span
//! list, one trace, error analysis, latency and attribute views, over OpenTelemetry root
//! spans (`ParentSpanId = ''`, `NOT startsWith(ServiceName, '/')`, clickhouse/traces.go:
//! 63-66, 735-745; eBPF spans show only inside a single trace); `message: "no_clickhouse"`
//! without ClickHouse.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value, json};

use crate::util::{TimeCtx, tiny_match};
use crate::world::{Project, Span};

const BUCKETS: [(&str, &str, &str, f64); 12] = [
    ("5ms", "0-5 ms", "0.005", 0.005),
    ("10ms", "5-10 ms", "0.01", 0.01),
    ("25ms", "10-25 ms", "0.025", 0.025),
    ("50ms", "25-50 ms", "0.05", 0.05),
    ("100ms", "50-100 ms", "0.1", 0.1),
    ("0.25s", "0.1-0.25 s", "0.25", 0.25),
    ("0.5s", "0.25-0.5 s", "0.5", 0.5),
    ("1s", "0.5-1 s", "1", 1.0),
    ("2.5s", "1-2.5 s", "2.5", 2.5),
    ("5s", "2.5-5 s", "5", 5.0),
    ("10s", "5-10 s", "10", 10.0),
    (">10s", ">10 s", "inf", f64::INFINITY),
];

fn is_aux(name: &str) -> bool {
    let Some(path) = name.strip_prefix("GET /") else {
        return false;
    };
    path.starts_with("health") && path.trim_start_matches("health").chars().all(|c| c == 'z')
        || path == "metrics"
        || path.strip_prefix("debug/").is_some_and(|r| !r.is_empty())
        || path.strip_prefix("actuator/").is_some_and(|r| !r.is_empty())
}

/// A span's `status` (`TraceSpan.Status()`): `HTTP-<code>` when it has one, else the error
/// message (`ERROR` when empty) or `OK`.
pub(crate) fn span_status(s: &Span) -> Value {
    let mut message = if s.error {
        if s.status_message.is_empty() {
            "ERROR".to_string()
        } else {
            s.status_message.clone()
        }
    } else {
        "OK".to_string()
    };
    if let Some(code) = s.attr("http.status_code") {
        message = format!("HTTP-{code}");
    }
    json!({"error": s.error, "message": message})
}

/// A span's `details` (`TraceSpan.Details()`): the URL or the statement and its language.
pub(crate) fn span_details(s: &Span) -> Value {
    let (text, lang) = if let Some(u) = s.attr("http.url") {
        (u.to_string(), "")
    } else if s.attr("db.system") == Some("mongodb") {
        (s.attr("db.statement").unwrap_or("").to_string(), "json")
    } else if matches!(s.attr("db.system"), Some("redis" | "zookeeper")) {
        (s.attr("db.statement").unwrap_or("").to_string(), "")
    } else if let Some(st) = s.attr("db.statement") {
        (st.to_string(), "sql")
    } else {
        (String::new(), "")
    };
    json!({"text": text, "lang": lang})
}

/// A span's events.
pub(crate) fn span_events(s: &Span) -> Value {
    let events: Vec<Value> = s
        .events
        .iter()
        .map(|(ts, name, a)| json!({"timestamp": ts, "name": name, "attributes": a.iter().cloned().collect::<BTreeMap<_, _>>()}))
        .collect();
    if events.is_empty() {
        Value::Null
    } else {
        Value::Array(events)
    }
}

/// The span JSON of the overview (`cluster` and the `Cluster` attribute from v1.17.0).
pub(crate) fn span_json(p: &Project, s: &Span) -> Value {
    let clusters = p.env.version.has_cluster_ids();
    let cluster = p.row_cluster(&s.cluster);
    let mut attrs = Map::new();
    if clusters {
        attrs.insert("Cluster".into(), json!(cluster));
    }
    for (k, v) in s.attrs.iter() {
        attrs.insert(k.clone(), json!(v));
    }
    let mut o = json!({"service": &*s.service, "trace_id": &*s.trace_id, "id": s.id, "parent_id": s.parent_id, "name": &*s.name,
           "timestamp": s.ts_ms, "duration": s.duration_ms, "status": span_status(s),
           "details": span_details(s), "attributes": attrs, "events": span_events(s)});
    if clusters {
        super::set(&mut o, "cluster", json!(cluster));
    }
    o
}

/// Error groups: (cluster, service, span, labels key) → (count, sample trace, sample error, labels).
type ErrorGroups = BTreeMap<(String, String, String, String), (u64, String, String, BTreeMap<String, String>)>;

struct Query {
    view: String,
    ts_from: i64,
    ts_to: i64,
    dur_from: String,
    dur_to: String,
    trace_id: String,
    filters: Vec<(String, String, String)>,
    include_aux: bool,
}

fn parse(query: &str) -> Query {
    let q: Value = serde_json::from_str(query).unwrap_or_else(|_| json!({}));
    let s = |k: &str| q.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let filters = q
        .get("filters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|f| {
            let g = |k: &str| f.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let field = g("field");
            if field.is_empty() || !field.chars().all(|c| c.is_ascii_alphabetic()) {
                return None;
            }
            Some((field, g("op"), g("value")))
        })
        .collect();
    Query {
        view: s("view"),
        ts_from: q.get("ts_from").and_then(Value::as_i64).unwrap_or(0),
        ts_to: q.get("ts_to").and_then(Value::as_i64).unwrap_or(0),
        dur_from: s("dur_from"),
        dur_to: s("dur_to"),
        trace_id: s("trace_id"),
        filters,
        include_aux: q.get("include_aux").and_then(Value::as_bool).unwrap_or(false),
    }
}

fn field_of(s: &Span, field: &str) -> Option<String> {
    Some(match field {
        "ServiceName" => s.service.to_string(),
        "SpanName" => s.name.to_string(),
        "TraceId" => s.trace_id.to_string(),
        "StatusCode" => (if s.error {
            "STATUS_CODE_ERROR"
        } else {
            "STATUS_CODE_UNSET"
        })
        .to_string(),
        _ => return None,
    })
}

fn root_ok(s: &Span, q: &Query, ctx: &TimeCtx, with_selection: bool) -> bool {
    if !s.parent_id.is_empty() || s.service.starts_with('/') || s.ts_ms < ctx.from || s.ts_ms > ctx.to {
        return false;
    }
    if !q.include_aux && is_aux(&s.name) {
        return false;
    }
    for (field, op, value) in &q.filters {
        let Some(actual) = field_of(s, field) else {
            continue;
        };
        let ok = match op.as_str() {
            "=" => actual == *value,
            "!=" => actual != *value,
            "~" => tiny_match(value, &actual),
            "!~" => !tiny_match(value, &actual),
            _ => true,
        };
        if !ok {
            return false;
        }
    }
    if with_selection {
        if q.ts_from > 0 && s.ts_ms < q.ts_from || q.ts_to > 0 && s.ts_ms > q.ts_to {
            return false;
        }
        if q.dur_from == "inf" || q.dur_to == "err" {
            return s.error;
        }
        let d = s.duration_ms / 1000.0;
        if let Ok(lo) = q.dur_from.parse::<f64>()
            && d <= lo
        {
            return false;
        }
        if let Ok(hi) = q.dur_to.parse::<f64>()
            && d > hi
        {
            return false;
        }
    }
    true
}

/// The latency & errors heatmap of a set of spans (requests per second per bucket).
pub(crate) fn heatmap(roots: &[&Span], ctx: &TimeCtx) -> Value {
    let mut hctx = *ctx;
    hctx.step = (ctx.step + 59_999) / 60_000 * 60_000;
    let n = hctx.points();
    let start = hctx.start();
    let secs = hctx.step as f64 / 1000.0;
    let mut grid = vec![vec![0.0f64; n]; BUCKETS.len() + 1];
    for s in roots {
        let k = (s.ts_ms - start) / hctx.step;
        if k < 0 || k as usize >= n {
            continue;
        }
        let d = s.duration_ms / 1000.0;
        let b = BUCKETS.iter().position(|x| d <= x.3).unwrap_or(BUCKETS.len() - 1);
        grid[b][k as usize] += 1.0 / secs;
        if s.error {
            grid[BUCKETS.len()][k as usize] += 1.0 / secs;
        }
    }
    let mut series: Vec<Value> = BUCKETS
        .iter()
        .enumerate()
        .map(|(i, (name, title, value, _))| {
            let data: Vec<Value> = grid[i]
                .iter()
                .map(|v| if *v == 0.0 { Value::Null } else { crate::util::num(*v) })
                .collect();
            json!({"name": name, "title": title, "data": data, "value": value})
        })
        .collect();
    let errs: Vec<Value> = grid[BUCKETS.len()]
        .iter()
        .map(|v| if *v == 0.0 { Value::Null } else { crate::util::num(*v) })
        .collect();
    series.push(json!({"name": "errors", "title": "errors", "data": errs, "value": "err"}));
    json!({"ctx": hctx.json(), "title": "Latency & Errors heatmap, requests per second", "series": series, "annotations": null, "drill_down_link": null})
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn stats(cluster: &str, service: &str, name: &str, spans: &[&Span], secs: f64) -> Value {
    let mut d: Vec<f64> = spans.iter().map(|s| s.duration_ms).collect();
    d.sort_by(f64::total_cmp);
    let failed = spans.iter().filter(|s| s.error).count() as f64 / spans.len().max(1) as f64;
    json!({"cluster": cluster, "service_name": service, "span_name": name, "total": crate::util::round(spans.len() as f64 / secs, 4),
           "failed": crate::util::round(failed, 4), "duration_quantiles": [quantile(&d, 0.5), quantile(&d, 0.95), quantile(&d, 0.99)]})
}

/// The overview `traces` view.
pub(crate) fn overview(p: &Project, ctx: &TimeCtx, query: &str) -> Value {
    let q = parse(query);
    let mut out = json!({"message": "", "error": "", "heatmap": null, "traces": null, "limit": 0, "trace": null, "summary": null,
                         "attr_stats": null, "errors": null, "latency": null});
    if !p.env.clickhouse {
        // v1.24.5:api/views/overview/traces.go: no ClickHouse client.
        super::set(&mut out, "message", json!("no_clickhouse"));
        return out;
    }
    if p.spans.is_empty() {
        super::set(&mut out, "message", json!("not_found"));
        return out;
    }
    let base: Vec<&Span> = p.spans.iter().filter(|s| root_ok(s, &q, ctx, false)).collect();
    super::set(&mut out, "heatmap", heatmap(&base, ctx));
    let selected: Vec<&Span> = base.iter().copied().filter(|s| root_ok(s, &q, ctx, true)).collect();
    if !q.trace_id.is_empty() {
        let spans: Vec<Value> = p
            .spans
            .iter()
            .filter(|s| *s.trace_id == *q.trace_id)
            .map(|s| span_json(p, s))
            .collect();
        if spans.len() == 100 {
            super::set(&mut out, "limit", json!(100));
        }
        super::set(
            &mut out,
            "trace",
            if spans.is_empty() {
                Value::Null
            } else {
                Value::Array(spans)
            },
        );
        return out;
    }
    let secs = ((ctx.to - ctx.from) as f64 / 1000.0).max(1.0);
    match q.view.as_str() {
        "traces" => {
            // Newest first from v1.24.1 (ea35868); before, `LIMIT 100` without ORDER BY.
            let picked: Vec<&&Span> = if p.env.version.newest_first() {
                selected.iter().rev().take(100).collect()
            } else {
                crate::util::arbitrary_sample(selected.iter().collect(), 100, |s| crate::prng::hash_str(&s.id))
            };
            let list: Vec<Value> = picked.into_iter().map(|s| span_json(p, s)).collect();
            if selected.len() > 100 {
                super::set(&mut out, "limit", json!(100));
            }
            super::set(
                &mut out,
                "traces",
                if list.is_empty() {
                    Value::Null
                } else {
                    Value::Array(list)
                },
            );
        }
        "errors" => {
            let error_roots: Vec<&Span> = selected.iter().rev().copied().filter(|s| s.error).take(200).collect();
            let mut groups: ErrorGroups = BTreeMap::new();
            let mut total = 0u64;
            for r in &error_roots {
                let spans: Vec<&Span> = p.spans.iter().filter(|s| s.trace_id == r.trace_id).collect();
                let depth = |s: &Span| -> usize {
                    let mut d = 0;
                    let mut cur = s.parent_id.clone();
                    while let Some(parent) = spans.iter().find(|x| x.id == cur) {
                        d += 1;
                        cur = parent.parent_id.clone();
                        if d > 64 {
                            break;
                        }
                    }
                    d
                };
                let Some(deepest) = spans.iter().filter(|s| s.error).max_by_key(|s| depth(s)) else {
                    continue;
                };
                let labels: BTreeMap<String, String> = [
                    "net.peer.name",
                    "server.address",
                    "net.host.name",
                    "http.route",
                    "http.host.name",
                    "db.system",
                    "db.operation",
                    "messaging.system",
                    "messaging.operation",
                ]
                .iter()
                .filter_map(|k| deepest.attr(k).map(|v| (k.to_string(), v.to_string())))
                .collect();
                let sample_error = if !deepest.status_message.is_empty() {
                    deepest.status_message.clone()
                } else if let Some(c) = deepest.attr("http.status_code") {
                    format!("HTTP-{c}")
                } else {
                    String::new()
                };
                let key = (
                    p.row_cluster(&deepest.cluster).to_string(),
                    deepest.service.to_string(),
                    deepest.name.to_string(),
                    format!("{labels:?}"),
                );
                let e = groups
                    .entry(key)
                    .or_insert((0, r.trace_id.to_string(), sample_error, labels));
                e.0 += 1;
                total += 1;
            }
            let list: Vec<Value> = groups
                .into_iter()
                .map(|((cluster, svc, name, _), (n, tid, err, labels))| {
                    json!({"cluster": cluster, "service_name": svc, "span_name": name, "labels": labels, "sample_trace_id": tid,
                           "sample_error": err, "count": crate::util::round(n as f64 / total.max(1) as f64, 4)})
                })
                .collect();
            super::set(
                &mut out,
                "errors",
                if list.is_empty() {
                    Value::Null
                } else {
                    Value::Array(list)
                },
            );
        }
        "latency" => {
            let total: f64 = selected.iter().map(|s| s.duration_ms * 1e6).sum();
            let mut children: BTreeMap<String, f64> = BTreeMap::new();
            for s in &selected {
                *children.entry(format!("{} {}", s.service, s.name)).or_default() += s.duration_ms * 1e6;
            }
            let kids: Vec<Value> = children
                .into_iter()
                .map(|(name, t)| json!({"name": name, "total": t as i64, "self": t as i64, "comp": 0, "children": null, "color_by": "", "data": null}))
                .collect();
            super::set(
                &mut out,
                "latency",
                json!({"type": "::nanoseconds", "flamegraph": {"name": "total", "total": total as i64, "self": 0, "comp": 0,
                       "children": if kids.is_empty() { Value::Null } else { Value::Array(kids) }, "color_by": "", "data": null}, "diff": false}),
            );
        }
        "attributes" => {
            let mut counts: BTreeMap<String, HashMap<String, (u64, u64, String)>> = BTreeMap::new();
            for s in &base {
                let sel = selected.iter().any(|x| std::ptr::eq(*x, *s));
                for (k, v) in s.attrs.iter() {
                    let e =
                        counts
                            .entry(k.clone())
                            .or_default()
                            .entry(v.clone())
                            .or_insert((0, 0, s.trace_id.to_string()));
                    if sel {
                        e.0 += 1;
                    } else {
                        e.1 += 1;
                    }
                }
            }
            let nsel = selected.len().max(1) as f64;
            let nbase = (base.len() - selected.len()).max(1) as f64;
            let stats: Vec<Value> = counts
                .into_iter()
                .map(|(name, vals)| {
                    let mut vs: Vec<(String, (u64, u64, String))> = vals.into_iter().collect();
                    vs.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(&b.0)));
                    let values: Vec<Value> = vs
                        .into_iter()
                        .take(10)
                        .map(|(v, (a, b, t))| json!({"name": v, "selection": crate::util::round(a as f64 / nsel, 4), "baseline": crate::util::round(b as f64 / nbase, 4), "sample_trace_id": t}))
                        .collect();
                    json!({"name": name, "values": values})
                })
                .collect();
            super::set(
                &mut out,
                "attr_stats",
                if stats.is_empty() {
                    Value::Null
                } else {
                    Value::Array(stats)
                },
            );
        }
        _ => {
            if !selected.is_empty() {
                let mut by: BTreeMap<(String, String, String), Vec<&Span>> = BTreeMap::new();
                for s in &selected {
                    by.entry((
                        p.row_cluster(&s.cluster).to_string(),
                        s.service.to_string(),
                        s.name.to_string(),
                    ))
                    .or_default()
                    .push(s);
                }
                let list: Vec<Value> = by
                    .iter()
                    .map(|((cluster, svc, name), v)| stats(cluster, svc, name, v, secs))
                    .collect();
                super::set(
                    &mut out,
                    "summary",
                    json!({"stats": list, "overall": stats("", "", "", &selected, secs)}),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::is_aux;

    #[test]
    fn aux_span_names() {
        assert!(is_aux("GET /healthz"));
        assert!(is_aux("GET /health"));
        assert!(is_aux("GET /metrics"));
        assert!(is_aux("GET /debug/pprof"));
        assert!(!is_aux("GET /debug/"));
        assert!(!is_aux("GET /api/products"));
    }
}
