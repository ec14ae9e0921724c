//! `GET /api/project/{p}/app/{app}/tracing` (v1.24.5:api/views/tracing/tracing.go) and the
//! app's `profiling` (api/views/profiling/profiling.go), plus `GuessService`, which links an
//! app to its OpenTelemetry service (v1.24.5:model/container.go:83-118).
//!
//! Tracing: the OTel source lists the linked service's SERVER spans at any depth (CONSUMER
//! too from v1.17.5, d19fb06; clickhouse/traces.go:789-797), the eBPF source the spans the
//! app's clients' containers sent to the app's addresses (traces.go:827-850), so it works in
//! eBPF-only clusters; `trace=<source>:<trace id>:<ts from>-<ts to>:<dur from>-<dur to>`
//! selects. Without ClickHouse: `{status: "warning", message: "Clickhouse integration is
//! not configured"}` from v1.17.0, `null` before.

use serde_json::{Value, json};

use super::traces::{heatmap, span_details, span_events, span_status};
use crate::util::TimeCtx;
use crate::world::{App, Project, Span};

const LIMIT: usize = 100;

/// `guessService` for one app: the exact name, else the path and suffix rules.
fn guess_one<'a>(services: &[&'a str], app: &App) -> Option<&'a str> {
    if let Some(s) = services.iter().find(|s| **s == app.name) {
        return Some(s);
    }
    services.iter().copied().find(|s| {
        let parts: Vec<&str> = s.split('/').collect();
        let k8s = parts.len() == 4
            && (parts[1] == "k8s" || parts[1] == "k8s-cronjob")
            && parts[2] == app.ns
            && parts[3] == app.name;
        let systemd = parts.len() == 3 && parts[1] == "system.slice" && parts[2] == format!("{}.service", app.name);
        k8s || systemd || s.ends_with(app.name.as_str()) || app.name.ends_with(*s)
    })
}

/// `model.GuessService`: the app's service among `services`, unless another app would
/// guess the same one.
pub(crate) fn guess_service<'a>(p: &Project, services: &[&'a str], idx: usize) -> Option<&'a str> {
    let s = guess_one(services, &p.apps[idx])?;
    let ambiguous = p
        .apps
        .iter()
        .enumerate()
        .any(|(i, other)| i != idx && guess_one(services, other) == Some(s));
    (!ambiguous).then_some(s)
}

/// The distinct ServiceNames of the spans since `from` (`GetServicesFromTraces`) in the
/// ClickHouse of `cluster`, sorted.
fn services_since<'a>(p: &'a Project, from: i64, cluster: &str) -> Vec<&'a str> {
    let lo = p.spans.partition_point(|s| s.ts_ms < from);
    let mut v: Vec<&str> = p.spans[lo..]
        .iter()
        .filter(|s| p.row_cluster(&s.cluster) == cluster)
        .map(|s| &*s.service)
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Whether a span is a SERVER (or, from v1.17.5, CONSUMER) span: the simulator's client
/// spans are the database calls.
fn is_server(s: &Span) -> bool {
    s.attr("db.system").is_none() && !s.service.starts_with('/')
}

fn span_view(s: &Span, service: &str, client: String) -> Value {
    let attrs: serde_json::Map<String, Value> = s.attrs.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    json!({"service": service, "trace_id": &*s.trace_id, "id": s.id, "parent_id": s.parent_id, "name": &*s.name,
           "timestamp": s.ts_ms, "duration": s.duration_ms, "client": client, "status": span_status(s),
           "details": span_details(s), "attributes": attrs, "events": span_events(s)})
}

/// The `trace` parameter: (source, trace id, ts range, duration range).
struct Selection {
    source: String,
    trace_id: String,
    ts: (i64, i64),
    dur: (Option<f64>, Option<f64>),
    errors: bool,
}

fn parse_selection(q: &str, ctx: &TimeCtx) -> Selection {
    let parts: Vec<&str> = q.split(':').chain(std::iter::repeat_n("", 4)).take(4).collect();
    let ts: Vec<&str> = parts[2].splitn(2, '-').collect();
    let dur: Vec<&str> = parts[3].splitn(2, '-').collect();
    fn get<'a>(v: &[&'a str], i: usize) -> &'a str {
        v.get(i).copied().unwrap_or("")
    }
    let t = |s: &str, d: i64| crate::util::parse_time(s, ctx.to).unwrap_or(d);
    let (df, dt) = (get(&dur, 0), get(&dur, 1));
    Selection {
        source: parts[0].into(),
        trace_id: parts[1].into(),
        ts: (t(get(&ts, 0), ctx.from), t(get(&ts, 1), ctx.to)),
        dur: (df.parse().ok(), dt.parse().ok()),
        errors: df == "inf" || dt == "err",
    }
}

/// `data` of `/app/{app}/tracing`.
pub(crate) fn app_tracing(p: &Project, idx: usize, ctx: &TimeCtx, trace: &str) -> Value {
    let v = p.env.version;
    let mut out = json!({"status": "ok", "message": "", "sources": null, "services": null, "heatmap": null, "spans": null, "limit": 0});
    if !p.env.clickhouse {
        if !v.has_cluster_ids() {
            return Value::Null;
        }
        super::set(&mut out, "status", json!("warning"));
        super::set(&mut out, "message", json!("Clickhouse integration is not configured"));
        return out;
    }
    let app = &p.apps[idx];
    let cluster = p.app_cluster(app);
    let all = services_since(p, ctx.from, cluster);
    let otel: Vec<&str> = all.iter().copied().filter(|s| !s.starts_with('/')).collect();
    let ebpf = all.iter().any(|s| s.starts_with('/'));
    let linked = guess_service(p, &otel, idx);
    if !otel.is_empty() {
        let services: Vec<Value> = otel
            .iter()
            .map(|s| json!({"name": s, "linked": Some(*s) == linked}))
            .collect();
        super::set(&mut out, "services", Value::Array(services));
    }
    let mut sources: Vec<(&str, &str)> = Vec::new();
    if !otel.is_empty() {
        sources.push(("otel", "OpenTelemetry"));
    }
    if ebpf {
        sources.push(("agent", "OpenTelemetry (eBPF)"));
    }
    if sources.is_empty() {
        super::set(&mut out, "status", json!("unknown"));
        super::set(&mut out, "message", json!("No traces found"));
        return out;
    }
    let sel = parse_selection(trace, ctx);
    let in_window = |s: &&Span| s.ts_ms >= ctx.from && s.ts_ms <= ctx.to && p.row_cluster(&s.cluster) == cluster;
    let selected = |s: &&Span| {
        let d = s.duration_ms / 1000.0;
        s.ts_ms >= sel.ts.0
            && s.ts_ms <= sel.ts.1
            && (!sel.errors || s.error)
            && sel.dur.0.is_none_or(|lo| sel.errors || d > lo)
            && sel.dur.1.is_none_or(|hi| sel.errors || d <= hi)
    };
    // The clients' container service names (`ContainerIdToServiceName`, tracing.go:300-318).
    let clients: Vec<(String, &str)> = p
        .downstreams(idx)
        .map(|l| &p.apps[l.from])
        .map(|c| (format!("/k8s/{}/{}", c.ns, c.name), c.name.as_str()))
        .collect();
    let listens: Vec<&str> = app.instances.iter().map(|i| i.ip.as_str()).collect();
    let (source, matching): (&str, Vec<&Span>) = if !sel.trace_id.is_empty() {
        (
            sel.source.as_str(),
            p.spans.iter().filter(|s| *s.trace_id == *sel.trace_id).collect(),
        )
    } else if (sel.source.is_empty() || sel.source == "otel") && linked.is_some() {
        let svc = linked.unwrap_or_default();
        (
            "otel",
            p.spans
                .iter()
                .filter(in_window)
                .filter(|s| &*s.service == svc && is_server(s))
                .collect(),
        )
    } else if (sel.source.is_empty() || sel.source == "agent") && ebpf {
        let inbound = |s: &&Span| {
            s.service.starts_with('/')
                && clients.iter().any(|(svc, _)| *s.service == **svc)
                && s.attr("net.sock.peer.addr").is_some_and(|a| listens.contains(&a))
        };
        ("agent", p.spans.iter().filter(in_window).filter(inbound).collect())
    } else {
        (sel.source.as_str(), Vec::new())
    };
    match source {
        "otel" => super::set(
            &mut out,
            "message",
            json!(format!("Using traces of <i>{}</i>", linked.unwrap_or_default())),
        ),
        "agent" => super::set(&mut out, "message", json!("Using data gathered by the eBPF tracer")),
        _ => {}
    }
    let sources: Vec<Value> = sources
        .iter()
        .map(|(t, n)| json!({"type": t, "name": n, "selected": *t == source}))
        .collect();
    super::set(&mut out, "sources", Value::Array(sources));
    if sel.trace_id.is_empty() && matching.len() > 1 {
        super::set(&mut out, "heatmap", heatmap(&matching, ctx));
    }
    let picked: Vec<&Span> = matching.iter().copied().filter(selected).collect();
    let picked: Vec<&Span> = if !sel.trace_id.is_empty() {
        picked
    } else if v.newest_first() {
        picked.into_iter().rev().take(LIMIT).collect()
    } else {
        crate::util::arbitrary_sample(picked, LIMIT, |s| crate::prng::hash_str(&s.id))
    };
    if picked.len() == LIMIT {
        super::set(&mut out, "limit", json!(LIMIT));
    }
    let spans: Vec<Value> = picked
        .iter()
        .map(|s| {
            let (service, client) = if source == "agent" {
                let client = clients
                    .iter()
                    .find(|(svc, _)| *s.service == **svc)
                    .map(|c| c.1)
                    .unwrap_or("")
                    .to_string();
                (app.name.clone(), client)
            } else {
                let parent = p.spans.iter().find(|x| x.trace_id == s.trace_id && x.id == s.parent_id);
                (
                    s.service.to_string(),
                    parent.map(|x| x.service.to_string()).unwrap_or_default(),
                )
            };
            span_view(s, &service, client)
        })
        .collect();
    super::set(
        &mut out,
        "spans",
        if spans.is_empty() {
            Value::Null
        } else {
            Value::Array(spans)
        },
    );
    out
}

/// `data` of `/app/{app}/profiling`: no profiles are stored in any scenario.
pub(crate) fn app_profiling(p: &Project) -> Value {
    let (status, message) = if p.env.clickhouse {
        ("unknown", "No profiles found in ClickHouse")
    } else {
        ("warning", "Clickhouse integration is not configured")
    };
    json!({"status": status, "message": message, "services": null, "profiles": null, "profile": null, "chart": null, "instances": null})
}
