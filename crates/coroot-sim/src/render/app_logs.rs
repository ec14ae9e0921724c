//! `GET /api/project/{p}/app/{app}/logs` (v1.24.5:api/views/logs/logs.go):
//! * no ClickHouse: `unknown` "Clickhouse integration is not configured", view `patterns`;
//! * `sources`: `agent` iff the project has any container logs (a ServiceName starting with
//!   `/`) since `from`, then `otel` iff the app's OTel service (`GuessService` over the OTel
//!   ServiceNames) has logs; none → `unknown` "No logs found in ClickHouse", view `patterns`;
//! * `source` from the query, else `otel` when the app has an OTel service, else `agent`;
//!   messages "Using OpenTelemetry logs of <i>…</i>" / "Using container logs";
//! * the messages view: the per-severity histogram of all matching lines (column, sorted),
//!   the entries (newest first from v1.24.1, an arbitrary sample before), `limit` = the
//!   query's limit when that many entries came back;
//! * the patterns view: from the Prometheus log-pattern counters of the app's containers
//!   (`container_log_messages_total`), i.e. its container lines grouped by pattern.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::logs::{
    Matcher, array_index_like, attrs_json, limit_of, parse_filters, pick, severity_chart, since_ns, suggest_values,
    window,
};
use crate::model::{severity_color, severity_name};
use crate::util::TimeCtx;
use crate::world::{LogRow, Project};

/// `renderPatterns` (logs.go:258-290): per pattern a column chart, `sum` desc; the view
/// chart is a column chart (stacked, not sorted) per severity. Patterns are Coroot's: the
/// agent's per-severity patterns, merged when one word apart (`crate::logpattern`). Coroot
/// merges the counters in Prometheus' order (by label set: container id, then pattern hash,
/// constructor/logs.go `logMessage`), so the first such series names a merged pattern, with
/// the sample the agent gave it: its container's first line of that pattern.
fn patterns(p: &Project, idx: usize, ctx: &TimeCtx, out: &mut Value) {
    let mut rows: Vec<&LogRow> = window(p, ctx)
        .iter()
        .filter(|l| l.app == Some(idx as u32) && l.service.starts_with('/'))
        .collect();
    let series = |l: &LogRow| {
        (
            l.attr("container.id").unwrap_or_default().to_string(),
            l.pattern.clone(),
        )
    };
    rows.sort_by_key(|l| (series(l), l.ts_ms()));
    // The agent's sample of a series: the first line it counted, even before the window.
    let first_line = |l: &LogRow| -> String {
        p.logs
            .iter()
            .find(|x| {
                severity_name(x.severity) == severity_name(l.severity)
                    && x.service.starts_with('/')
                    && series(x) == series(l)
            })
            .map_or_else(|| l.message.to_string(), |x| x.message.to_string())
    };
    let names: Vec<String> = rows.iter().map(|l| severity_name(l.severity)).collect();
    let ids = crate::logpattern::group(
        rows.iter()
            .zip(&names)
            .map(|(l, n)| (n.as_str(), &*l.pattern, &*l.message)),
    );
    let mut groups: Vec<(u8, Vec<&LogRow>)> = Vec::new();
    for (l, g) in rows.iter().zip(ids) {
        if groups.len() <= g {
            groups.push((l.severity, Vec::new()));
        }
        groups[g].1.push(l);
    }
    let mut pats: Vec<(usize, String, Value)> = groups
        .into_iter()
        .map(|(sev, ls)| {
            let name = severity_name(sev);
            let mut c = severity_chart(&ls, ctx, false);
            super::set(&mut c, "hide_legend", json!(true));
            let sample = first_line(ls[0]);
            (
                ls.len(),
                sample.clone(),
                json!({"severity": name, "color": severity_color(&name), "sample": sample,
                                      "sum": ls.len(), "chart": c, "hash": &*ls[0].pattern}),
            )
        })
        .collect();
    // Ties are broken by sample so that the same request always gets the same answer.
    pats.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    if !pats.is_empty() {
        super::set(out, "chart", severity_chart(&rows, ctx, false));
        super::set(out, "patterns", Value::Array(pats.into_iter().map(|x| x.2).collect()));
    }
}

/// The OTel ServiceNames with logs since `from`, and whether any container logs exist
/// (`GetLogSources`, clickhouse/logs.go:37-50), in the ClickHouse of the app's cluster.
fn log_sources<'a>(p: &'a Project, from: i64, cluster: &str) -> (Vec<&'a str>, bool) {
    let lo = p.logs.partition_point(|l| l.ts_ms() < from);
    let mut otel: Vec<&str> = Vec::new();
    let mut agent = false;
    for l in p.logs[lo..].iter().filter(|l| p.row_cluster(&l.cluster) == cluster) {
        if l.service.starts_with('/') {
            agent = true;
        } else if !otel.contains(&&*l.service) {
            otel.push(&l.service);
        }
    }
    otel.sort_unstable();
    (otel, agent)
}

/// `data` of `/app/{app}/logs`.
pub(crate) fn app_logs(p: &Project, idx: usize, ctx: &TimeCtx, query: &str) -> Value {
    let q: Value = serde_json::from_str(query).unwrap_or_else(|_| json!({}));
    let mut out = json!({"status": "ok", "message": "", "sources": null, "source": "", "services": null, "service": "",
        "view": "", "chart": null, "entries": null, "patterns": null, "limit": 0, "suggest": null, "max_ts": ""});
    let set = |out: &mut Value, k: &str, v: Value| super::set(out, k, v);
    if !p.env.clickhouse {
        set(&mut out, "status", json!("unknown"));
        set(&mut out, "message", json!("Clickhouse integration is not configured"));
        set(&mut out, "view", json!("patterns"));
        patterns(p, idx, ctx, &mut out);
        return out;
    }
    let view = q
        .get("view")
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
        .unwrap_or("messages");
    set(&mut out, "view", json!(view));
    let (otel, agent_found) = log_sources(p, ctx.from, p.app_cluster(&p.apps[idx]));
    let service = super::tracing::guess_service(p, &otel, idx);
    let mut sources = Vec::new();
    if agent_found {
        sources.push("agent");
    }
    if service.is_some() {
        sources.push("otel");
    }
    set(
        &mut out,
        "services",
        if otel.is_empty() { Value::Null } else { json!(otel) },
    );
    set(&mut out, "service", json!(service.unwrap_or("")));
    if sources.is_empty() {
        set(&mut out, "status", json!("unknown"));
        set(&mut out, "message", json!("No logs found in ClickHouse"));
        set(&mut out, "view", json!("patterns"));
        patterns(p, idx, ctx, &mut out);
        return out;
    }
    set(&mut out, "sources", json!(sources));
    let source = match q.get("source").and_then(Value::as_str).unwrap_or("") {
        "" if service.is_some() => "otel",
        "" => "agent",
        s => s,
    };
    set(&mut out, "source", json!(source));
    match source {
        "otel" => set(
            &mut out,
            "message",
            json!(format!("Using OpenTelemetry logs of <i>{}</i>", service.unwrap_or(""))),
        ),
        "agent" => set(&mut out, "message", json!("Using container logs")),
        _ => {}
    }
    match view {
        "patterns" => patterns(p, idx, ctx, &mut out),
        "messages" => entries(p, idx, ctx, &q, source, service, &mut out),
        _ => {}
    }
    out
}

/// `renderEntries` (logs.go:160-256).
fn entries(p: &Project, idx: usize, ctx: &TimeCtx, q: &Value, source: &str, service: Option<&str>, out: &mut Value) {
    let a = &p.apps[idx];
    if a.instances.is_empty() {
        return;
    }
    // `LogQueryServices`: the containers' services, or the OTel service; none → no filter.
    let own_services: Vec<String> = match source {
        "agent" => {
            let mut v: Vec<String> = a
                .instances
                .iter()
                .map(|i| crate::gofmt::container_service_name(&format!("/k8s/{}/{}/{}", a.ns, i.name, a.name)))
                .collect();
            v.sort();
            v.dedup();
            v
        }
        "otel" => service.map(|s| vec![s.to_string()]).unwrap_or_default(),
        _ => Vec::new(),
    };
    let cluster = p.app_cluster(a);
    let own = |l: &LogRow| {
        p.row_cluster(&l.cluster) == cluster
            && (own_services.is_empty() || own_services.iter().any(|s| **s == *l.service))
    };
    let filters = parse_filters(q);
    let suggest_name = q.get("suggest").and_then(Value::as_str);
    let m = Matcher::new(&filters, suggest_name.unwrap_or(""));
    if !m.cluster_matches(cluster) {
        return;
    }
    let rows: Vec<&LogRow> = window(p, ctx)
        .iter()
        .filter(|l| own(l) && m.matches(l, cluster))
        .collect();
    if let Some(name) = suggest_name {
        if name != "Message" {
            super::set(out, "suggest", json!(suggest_values(p, &rows, name)));
        }
        return;
    }
    let since = since_ns(q);
    let limit = limit_of(q);
    super::set(out, "chart", severity_chart(&rows, ctx, true));
    let src: Vec<&LogRow> = match since {
        Some(s) => {
            let lo = p.logs.partition_point(|l| l.ts_ns <= s);
            p.logs[lo..]
                .iter()
                .filter(|l| own(l) && m.matches(l, cluster))
                .collect()
        }
        None => rows.clone(),
    };
    let picked = pick(p, src, limit);
    let entries: Vec<Value> = picked
        .iter()
        .map(|l| {
            let sev = severity_name(l.severity);
            json!({"timestamp": l.ts_ms(), "severity": sev, "color": severity_color(&sev), "message": &*l.message,
                   "attributes": attrs_json(l, None), "trace_id": &*l.trace_id})
        })
        .collect();
    if entries.len() >= limit {
        super::set(out, "limit", json!(limit));
    }
    let max_ts = picked
        .iter()
        .map(|l| l.ts_ns)
        .max()
        .map(|t| t.to_string())
        .unwrap_or_default();
    super::set(out, "max_ts", json!(max_ts));
    super::set(
        out,
        "entries",
        if entries.is_empty() {
            Value::Null
        } else {
            Value::Array(entries)
        },
    );
    if since.is_none() {
        // `GetLogFilters(…, "")`: Severity, Message, Cluster, then the attribute names by frequency.
        let mut freq: HashMap<&str, u64> = HashMap::new();
        for l in &rows {
            for (k, _) in l.all_attrs() {
                if !array_index_like(k) {
                    *freq.entry(k).or_default() += 1;
                }
            }
        }
        let mut names: Vec<(&str, u64)> = freq.into_iter().collect();
        names.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(y.0)));
        let mut s = vec!["Severity".to_string(), "Message".to_string(), "Cluster".to_string()];
        s.extend(names.into_iter().map(|(k, _)| k.to_string()));
        super::set(out, "suggest", json!(s));
    }
}
