//! `coroot_get_traces`: which requests failed or were slow, and for one trace, where in the
//! call chain it went wrong.
//!
//! Coroot sends a trace as a flat span list; `tree.rs` rebuilds the tree its UI draws.
//! Errors are selected with Coroot's error bucket (`dur_from=inf, dur_to=err`): the Python
//! original sent a `StatusCode` filter Coroot silently ignores, and dumped the raw object.
//! Coroot's `message` codes (`no_clickhouse`, `not_found`) are turned into sentences.

mod tree;

use std::collections::HashSet;

use coroot_client::models::{AppTraces, Span, Traces, Viewed};
use coroot_client::query::TraceQuery;
use coroot_client::{AppId, Error as CorootError};
use schemars::JsonSchema;
use serde::Serialize;

use crate::analysis::markup::strip_tags;
use crate::analysis::storage::unavailable;
use crate::context::{Scope, ToolContext, Window};
use crate::error::ToolError;
use crate::links::Ui;
use crate::params::{opt_bool, opt_string, opt_u32, tool_params};
use crate::redact::{redact, redact_mut};
use crate::render::units::{iso, latency_ms, when};
use crate::render::untrusted::{fenced, scrub};
use crate::render::{Answer, Frame};
use crate::tool::Tool;
use crate::tools::names;
use tree::{DETAILS_CHARS, MESSAGE_CHARS};
use tree::{TreeSpan, status_word, tree};

/// The tool.
pub struct GetTraces;

/// Root spans shown when `limit` is not given.
const DEFAULT_LIMIT: u32 = 20;
/// Coroot returns at most the newest 100 root spans.
const MAX_LIMIT: u32 = 100;

tool_params! {
    /// Parameters.
    pub struct Params {
        /// Root spans of this OpenTelemetry service only (service.name, e.g. frontend).
        #[serde(default, deserialize_with = "opt_string")]
        pub service_name: Option<String>,
        /// List the requests this application served (its own tracing view: every server span,
        /// eBPF or OpenTelemetry, not only root spans). App id, namespace/name or a unique name.
        #[serde(default, deserialize_with = "opt_string")]
        pub app_id: Option<String>,
        /// One trace: returns its span tree; other filters are ignored.
        #[serde(default, deserialize_with = "opt_string")]
        pub trace_id: Option<String>,
        /// Only failed traces (default false).
        #[serde(default, deserialize_with = "opt_bool")]
        pub status_error: Option<bool>,
        /// Newest root spans to show (default 20, 1-100).
        #[serde(default, deserialize_with = "opt_u32")]
        pub limit: Option<u32>,
    }
    lookback_hours = "Hours to look back (default 1, max 720)."
}

/// Output.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    /// Project name.
    pub project: String,
    /// Window searched (Coroot looks a trace id up whatever the window).
    pub window: Window,
    /// This answer's page in Coroot's UI: the trace, the app's tracing view, or the traces view.
    pub url: String,
    /// What Coroot says is wrong with the project's data sources (Prometheus, node agent,
    /// kube-state-metrics): when present, the answer may be empty or incomplete.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub coroot_status: Vec<String>,
    /// The trace asked for, in span-tree mode.
    pub trace_id: Option<String>,
    /// Filters of the list mode.
    pub filters: TraceFilters,
    /// Coroot's status in words, empty when fine (e.g. ClickHouse not configured).
    pub coroot_message: String,
    /// The application whose served requests are listed (its own tracing view), when one was
    /// given.
    pub app_id: Option<String>,
    /// The sources the app has traces in (`otel`, `agent` for eBPF), the one used marked.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// Root spans Coroot returned (list mode).
    pub returned: usize,
    /// Of which failed.
    pub errors: usize,
    /// True when Coroot capped the list at its newest 100.
    pub coroot_capped: bool,
    /// Newest root spans (list mode).
    pub traces: Vec<RootSpan>,
    /// The span tree in depth-first order (trace mode).
    pub spans: Vec<TreeSpan>,
    #[serde(skip)]
    start_ms: Option<i64>,
}

/// Filters of the list mode.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TraceFilters {
    /// Service searched.
    pub service_name: Option<String>,
    /// Failed traces only.
    pub errors_only: bool,
    /// Root spans to show.
    pub limit: u32,
    /// What was asked for, when out of 1-100 and replaced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_limit: Option<u32>,
    /// Set when service_name was an app id and its name was searched instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_name_given: Option<String>,
}

/// A trace's root span.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RootSpan {
    /// For coroot_get_traces(trace_id=...).
    pub trace_id: String,
    /// Start, UTC ISO-8601.
    pub start: String,
    /// Service.
    pub service: String,
    /// Span name, e.g. `POST /api/checkout`.
    pub name: String,
    /// Duration, ms.
    pub duration_ms: f64,
    /// Failed.
    pub error: bool,
    /// `HTTP-502`, `OK`, or the OTel status message.
    pub status: String,
    /// The app that sent the request (an app's own spans only).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub client: String,
    /// The trace in Coroot's UI.
    pub url: String,
}

impl Tool for GetTraces {
    const NAME: &'static str = names::TRACES;
    const TITLE: &'static str = "Coroot distributed traces";
    const DESCRIPTION: &'static str = "OpenTelemetry traces. With trace_id: the full span tree (service, operation, duration, errors and exception messages per span). Without: the newest root spans, filtered by service_name and status_error=true for failed requests, each with its trace_id.";
    type Params = Params;
    type Output = Output;
    const UNTRUSTED: &'static [&'static str] = &[
        "/traces/*/name",
        "/traces/*/status",
        "/spans/*/name",
        "/spans/*/status",
        "/spans/*/details",
        "/spans/*/exceptions/*",
    ];

    async fn run(ctx: &ToolContext, p: Params) -> Result<Output, ToolError> {
        let asked = p.window();
        let (limit, requested_limit) = match p.limit {
            None => (DEFAULT_LIMIT, None),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => (n, None),
            Some(n) => (n.clamp(1, MAX_LIMIT), Some(n)),
        };
        // Agents often pass the app id where Coroot wants the OTel service name.
        let (service_name, service_name_given) = match p.service_name {
            Some(s) if AppId::new(s.as_str()).parts().is_some() => {
                (Some(AppId::new(s.as_str()).name().to_string()), Some(s))
            }
            other => (other, None),
        };
        let trace_id = p.trace_id.map(|t| {
            if t.chars().all(|c| c.is_ascii_hexdigit()) {
                t.to_ascii_lowercase()
            } else {
                t
            }
        });
        let errors_only = p.status_error.unwrap_or(false);
        let Scope {
            project,
            range,
            window,
            ui,
        } = Scope::resolve(ctx, Self::NAME, p.project_id.as_deref(), asked, 1.0).await?;
        // The overview lists only root spans of OpenTelemetry services, so a backend that only
        // appears as a child span, or an eBPF-only cluster, reads "no traces" there; the app's
        // own tracing view lists every request it served (api/views/tracing/tracing.go).
        let app = match (&trace_id, p.app_id.as_deref().or(service_name_given.as_deref())) {
            (None, Some(given)) => Some(crate::resolve::app_id(ctx, &project.id, given).await?),
            (None, None) => match &service_name {
                Some(s) => crate::resolve::app_id(ctx, &project.id, s).await.ok(),
                None => None,
            },
            _ => None,
        };
        if let Some(app) = app {
            let filters = TraceFilters {
                service_name: service_name.clone(),
                errors_only,
                limit,
                requested_limit,
                service_name_given: service_name_given.clone(),
            };
            match ctx.client.app_tracing(&project.id, &app, range, "", errors_only).await {
                Ok(viewed) => {
                    let mut out = app_spans(ctx, project.name, window, filters, app, viewed);
                    link(&mut out, &ui);
                    return Ok(out);
                }
                // A server without the per-app view (or a proxy in the way): the overview still
                // answers for OpenTelemetry services.
                Err(CorootError::NotCorootApi { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        let query = TraceQuery {
            trace_id: trace_id.clone(),
            service_name: service_name.clone(),
            errors_only,
            ..TraceQuery::default()
        };
        let viewed = ctx.client.traces(&project.id, range, &query).await?;
        let coroot_message = explain(&viewed);
        let mut out = Output {
            project: project.name,
            window,
            url: String::new(),
            coroot_status: viewed.status.problems(),
            trace_id: trace_id.clone(),
            filters: TraceFilters {
                service_name,
                errors_only,
                limit,
                requested_limit,
                service_name_given,
            },
            coroot_message,
            app_id: None,
            sources: Vec::new(),
            returned: 0,
            errors: 0,
            coroot_capped: false,
            traces: Vec::new(),
            spans: Vec::new(),
            start_ms: None,
        };
        let traces = viewed.data;
        if trace_id.is_some() {
            out.start_ms = traces.trace.iter().map(|s| s.timestamp).min();
            let mut spans = traces.trace;
            if ctx.redact_secrets {
                // URLs and statements can carry credentials, as log lines do.
                for s in &mut spans {
                    redact_mut(&mut s.details.text);
                    redact_mut(&mut s.status.message);
                    for e in &mut s.events {
                        e.attributes.map_values(redact);
                    }
                }
            }
            out.spans = tree(spans);
        } else {
            let mut roots = traces.traces;
            roots.sort_by_key(|s| std::cmp::Reverse(s.timestamp));
            out.returned = roots.len();
            out.errors = roots.iter().filter(|s| s.status.error).count();
            out.coroot_capped = traces.limit > 0;
            out.traces = roots.into_iter().take(limit as usize).map(RootSpan::of).collect();
        }
        link(&mut out, &ui);
        Ok(out)
    }

    fn render(out: &Output, frame: Frame) -> Answer {
        match &out.trace_id {
            Some(id) => render_tree(out, id, frame),
            None => render_list(out, frame),
        }
    }
}

/// The answer from an app's own tracing view: the requests it served, newest first.
/// Sets the answer's links into Coroot's UI.
fn link(out: &mut Output, ui: &Ui) {
    out.url = match (&out.trace_id, &out.app_id) {
        (Some(id), _) => ui.trace(id),
        (None, Some(app)) => ui.app_report(app, "Tracing"),
        (None, None) => ui.view("traces"),
    };
    for t in &mut out.traces {
        t.url = ui.trace(&t.trace_id);
    }
}

fn app_spans(
    ctx: &ToolContext,
    project: String,
    window: Window,
    filters: TraceFilters,
    app: AppId,
    viewed: Viewed<AppTraces>,
) -> Output {
    let limit = filters.limit as usize;
    let Viewed { data, status } = viewed;
    let mut spans = data.spans;
    spans.sort_by_key(|s| std::cmp::Reverse(s.timestamp));
    if ctx.redact_secrets {
        for s in &mut spans {
            redact_mut(&mut s.status.message);
        }
    }
    Output {
        project,
        window,
        url: String::new(),
        coroot_status: status.problems(),
        trace_id: None,
        filters,
        coroot_message: strip_tags(&data.message),
        app_id: Some(app.to_string()),
        sources: data
            .sources
            .iter()
            .map(|s| {
                let mut name = s.source_type.clone();
                if s.selected {
                    name.push_str(" (used)");
                }
                name
            })
            .collect(),
        returned: spans.len(),
        errors: spans.iter().filter(|s| s.status.error).count(),
        coroot_capped: data.limit > 0,
        traces: spans.into_iter().take(limit).map(RootSpan::of).collect(),
        spans: Vec::new(),
        start_ms: None,
    }
}

impl RootSpan {
    fn of(s: Span) -> RootSpan {
        RootSpan {
            status: status_word(s.status.error, &s.status.message),
            trace_id: s.trace_id,
            start: iso(s.timestamp),
            service: s.service,
            name: scrub(&s.name, MESSAGE_CHARS),
            duration_ms: s.duration,
            error: s.status.error,
            client: s.client,
            url: String::new(),
        }
    }
}

/// Coroot's `message`/`error` codes as sentences.
fn explain(t: &Traces) -> String {
    let mut parts = Vec::new();
    match t.message.as_str() {
        "" => {}
        "no_clickhouse" => {
            parts.push("ClickHouse integration is not configured in Coroot, so it stores no traces".into())
        }
        "not_found" => parts.push(
            "Coroot has no OpenTelemetry traces for this project (services must export OTel traces to Coroot)".into(),
        ),
        other => parts.push(other.to_string()),
    }
    if !t.error.is_empty() {
        parts.push(t.error.clone());
    }
    parts.join("; ")
}

fn render_tree(out: &Output, id: &str, frame: Frame) -> Answer {
    let now_ms = frame.now_ms;
    let mut t = Answer::new(frame, "spans", "the trace is too large; the first spans are shown");
    t.header(&format!("Trace {id}"), &out.project, &out.window);
    t.ui(format!("trace {id}"), &out.url);
    t.coroot_status(&out.coroot_status);
    if out.spans.is_empty() {
        let mut none = format!("Trace {id} was not found");
        if out.coroot_message.is_empty() {
            none.push_str(" (Coroot looks trace ids up whatever the window).");
        } else {
            none.push_str(&format!(": {}.", out.coroot_message));
        }
        t.line(none);
        t.footer("next: coroot_get_traces(status_error=true) to list recent failed traces with their ids, or check the id (32 hex characters)");
        return t;
    }
    let services: HashSet<&str> = out.spans.iter().map(|s| s.service.as_str()).collect();
    let errors = out.spans.iter().filter(|s| s.error).count();
    let total_ms = out
        .spans
        .iter()
        .map(|s| s.offset_ms as f64 + s.duration_ms)
        .fold(0.0, f64::max);
    let mut summary = format!(
        "{} spans · {} services · {} errors",
        out.spans.len(),
        services.len(),
        errors
    );
    if let Some(ms) = out.start_ms {
        summary.push_str(&format!(" · started {}", when(now_ms, ms)));
    }
    summary.push_str(&format!(" · took {}", latency_ms(total_ms)));
    t.line(summary);
    // The deepest failing span is where the error started; its parents only relayed it.
    if let Some(origin) = out
        .spans
        .iter()
        .filter(|s| s.error)
        .max_by_key(|s| (s.depth, std::cmp::Reverse(s.offset_ms)))
    {
        let status = origin.status.word();
        let mut line = format!(
            "error origin (deepest failing span): {}: {} {}",
            origin.service,
            fenced(&origin.name(), MESSAGE_CHARS),
            status
        );
        if let Some(e) = origin.exceptions.first()
            && !status.contains(e.as_str())
        {
            line.push_str(&format!(" · exception: {}", fenced(e, MESSAGE_CHARS)));
        }
        t.line(line);
    }
    t.each("/spans", &out.spans, |s| {
        let mut line = format!(
            "{}{}: {} {}",
            "  ".repeat(s.depth),
            s.service,
            fenced(&s.name(), MESSAGE_CHARS),
            latency_ms(s.duration_ms)
        );
        if s.depth > 0 {
            line.push_str(&format!(" (+{})", latency_ms(s.offset_ms as f64)));
        }
        let status = s.status.word();
        line.push(' ');
        line.push_str(&status);
        for e in &s.exceptions {
            if !status.contains(e.as_str()) {
                line.push_str(&format!(" · exception: {}", fenced(e, MESSAGE_CHARS)));
            }
        }
        let details = s.details();
        if !details.is_empty() {
            line.push_str(&format!(" {}", fenced(&details, DETAILS_CHARS)));
        }
        line
    });
    if let Some(root) = out.spans.first()
        && errors > 0
    {
        t.footer(format!(
            "next: coroot_get_app_logs(app_id='{}', severity='error') for the failing service's logs",
            out.spans
                .iter()
                .filter(|s| s.error)
                .max_by_key(|s| s.depth)
                .map_or(root.service.as_str(), |s| s.service.as_str())
        ));
    }
    t
}

fn render_list(out: &Output, frame: Frame) -> Answer {
    let f = &out.filters;
    let mut t = Answer::new(frame, "traces", "pass service_name, status_error=true or a lower limit");
    let app = out.app_id.as_deref().map(|a| AppId::new(a).short());
    match &app {
        Some(app) => t.header(&format!("Requests served by {app}"), &out.project, &out.window),
        None => t.header("Traces", &out.project, &out.window),
    };
    t.ui("traces", &out.url);
    t.coroot_status(&out.coroot_status);
    if let Some(asked) = f.requested_limit {
        t.line(format!(
            "note: limit={asked} is outside 1..{MAX_LIMIT}; used {}",
            f.limit
        ));
    }
    if let (Some(given), Some(name), None) = (&f.service_name_given, &f.service_name, &app) {
        t.line(format!(
            "note: service_name '{given}' is an app id; searched OTel service '{name}'"
        ));
    }
    let mut filters = vec![match (&app, &f.service_name) {
        (Some(app), _) => format!("app={app} (its tracing view: every request it served)"),
        (None, Some(s)) => format!("service={s}"),
        (None, None) => "all services".into(),
    }];
    if !out.sources.is_empty() {
        filters.push(format!("sources {}", out.sources.join(", ")));
    }
    if f.errors_only {
        filters.push("errors only".into());
    }
    filters.push(format!("limit {}", f.limit));
    t.line(format!("filters: {}", filters.join(" · ")));
    if out.traces.is_empty() {
        let mut none = format!(
            "No traces in this window for {}{}.",
            filters.first().map_or("all services", String::as_str),
            if f.errors_only { ", errors only" } else { "" }
        );
        if let Some(why) = unavailable(&out.coroot_message, "") {
            t.line(format!(
                "Traces could not be checked: {why} (Coroot keeps traces in ClickHouse). This is not an absence of errors."
            ));
            // No window or filter brings traces back: what Prometheus measures still answers.
            t.footer(format!(
                "next: {} and {} show errors and latency per app and link without traces",
                names::SERVICE_MAP,
                names::APP_DETAIL
            ));
            return t;
        } else if !out.coroot_message.is_empty() {
            none.push_str(&format!(" Coroot says: {}.", out.coroot_message));
        }
        t.line(none);
        let mut tries = Vec::new();
        if app.is_none() && f.service_name.is_some() {
            tries.push("app_id instead (Coroot's overview lists only root spans; an app's own view lists every request it served)");
        }
        if f.service_name.is_some() {
            tries.push("another service_name (the OTel service.name, e.g. frontend) or none");
        }
        if f.errors_only {
            tries.push("without status_error");
        }
        tries.push("a longer lookback_hours (e.g. 6 or 24)");
        t.footer(format!("next: try {}", tries.join(", or ")));
        return t;
    }
    t.line(format!(
        "{} {}{}, {} failed · newest first, showing {}",
        out.returned,
        if app.is_some() { "requests" } else { "root spans" },
        if out.coroot_capped {
            " (Coroot returns only the newest 100)"
        } else {
            ""
        },
        out.errors,
        out.traces.len()
    ));
    for (i, r) in out.traces.iter().enumerate() {
        t.item(
            "/traces",
            i,
            format!(
                "{} {}{} {} {} {} {} · {}",
                r.start,
                if r.client.is_empty() {
                    String::new()
                } else {
                    format!("{} → ", r.client)
                },
                r.service,
                fenced(&r.name, MESSAGE_CHARS),
                latency_ms(r.duration_ms),
                r.status,
                r.trace_id,
                r.url
            ),
        );
    }
    let pick = out.traces.iter().find(|r| r.error).or_else(|| out.traces.first());
    if let Some(r) = pick {
        t.footer(format!(
            "next: coroot_get_traces(trace_id='{}') for the span tree of that {}request",
            r.trace_id,
            if r.error { "failed " } else { "" }
        ));
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;
    use serde_json::json;

    const ERROR_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

    #[tokio::test]
    async fn a_trace_id_gives_the_span_tree_with_the_error_chain() {
        let kit = testing::ecommerce().await;
        let out = testing::run::<GetTraces>(&kit, json!({"trace_id": ERROR_TRACE})).await;
        let lines: Vec<&str> = out.text.lines().collect();
        let pos = |needle: &str| {
            lines
                .iter()
                .position(|l| l.trim_start().starts_with(needle))
                .unwrap_or_else(|| panic!("{needle}:\n{}", out.text))
        };
        let (fe, co, pay) = (
            pos("frontend: ⟦POST /api/checkout"),
            pos("checkout: ⟦POST /checkout"),
            pos("payment: ⟦POST /charge"),
        );
        assert!(fe < co && co < pay, "{}", out.text);
        let line = |i: usize| lines.get(i).copied().unwrap_or("");
        assert!(line(fe).starts_with("frontend:") && line(fe).contains("ERROR HTTP-502"));
        assert!(line(co).starts_with("  checkout:") && line(co).contains("ERROR upstream payment returned 502"));
        assert!(line(pay).starts_with("    payment:") && line(pay).contains("ERROR connection reset by peer"));
        assert!(
            out.text.contains(
                "error origin (deepest failing span): payment: ⟦POST /charge⟧ ERROR connection reset by peer"
            ),
            "{}",
            out.text
        );
        assert!(out.text.contains("  catalog: ⟦SELECT products"), "{}", out.text);
        assert!(
            out.text
                .contains("⟦SELECT id, name, price FROM products WHERE id = $1⟧")
        );
        assert_eq!(out.structured["spans"][0]["depth"], 0);
        assert_eq!(out.structured["spans"].as_array().unwrap().len(), 4);
        insta::assert_snapshot!(out.text);
    }

    #[tokio::test]
    async fn an_unknown_trace_id_says_not_found_and_how_to_list_traces() {
        let kit = testing::ecommerce().await;
        let out = testing::run::<GetTraces>(&kit, json!({"trace_id": "00000000000000000000000000000001"})).await;
        assert!(
            out.text
                .contains("Trace 00000000000000000000000000000001 was not found"),
            "{}",
            out.text
        );
        assert!(testing::unpinned(&out.text).contains("next: coroot_get_traces(status_error=true)"));
    }

    #[tokio::test]
    async fn error_traces_of_an_app_come_from_its_tracing_view() {
        let kit = testing::ecommerce().await;
        let out = testing::run::<GetTraces>(
            &kit,
            json!({"service_name": "frontend", "status_error": "true", "limit": 5}),
        )
        .await;
        // A service name that is an app's reads the app's own tracing view, errors only
        // (`<source>:<trace>:<time>:<durations>`, api/views/tracing/tracing.go).
        let req = kit
            .sim
            .requests()
            .into_iter()
            .rev()
            .find(|r| r.path.ends_with("/tracing"))
            .unwrap();
        assert!(
            req.path.contains("k3h2x9qa%3Adefault%3ADeployment%3Afrontend"),
            "{}",
            req.path
        );
        assert_eq!(req.param("trace"), Some(":::inf-err"));
        assert!(
            out.text
                .contains("filters: app=default/frontend (its tracing view: every request it served)"),
            "{}",
            out.text
        );
        let items: Vec<&str> = out.text.lines().filter(|l| l.starts_with("2025-")).collect();
        assert_eq!(items.len(), 5, "{}", out.text);
        assert!(
            items
                .iter()
                .all(|l| l.contains("frontend ⟦POST /api/checkout⟧") && l.contains("ERROR HTTP-502")),
            "{}",
            out.text
        );
        assert!(out.structured["errors"].as_u64().unwrap() >= 15, "{}", out.structured);
        assert!(testing::unpinned(&out.text).contains("next: coroot_get_traces(trace_id='"));
    }

    #[tokio::test]
    async fn a_service_that_is_no_app_is_searched_in_the_overview() {
        let kit = testing::ecommerce().await;
        let out = testing::run::<GetTraces>(&kit, json!({"service_name": "checkout-otel", "status_error": true})).await;
        let req = kit
            .sim
            .requests()
            .into_iter()
            .rev()
            .find(|r| r.path.ends_with("/overview/traces"))
            .unwrap();
        let q: serde_json::Value = serde_json::from_str(req.param("query").unwrap()).unwrap();
        assert_eq!(
            (q["dur_from"].as_str(), q["dur_to"].as_str()),
            (Some("inf"), Some("err"))
        );
        assert_eq!(q["filters"][0]["value"], "checkout-otel");
        assert!(!kit.sim.requests().iter().any(|r| r.path.ends_with("/tracing")));
        assert!(
            out.text
                .contains("No traces in this window for service=checkout-otel, errors only.")
                && testing::unpinned(&out.text).contains("next: try app_id instead"),
            "{}",
            out.text
        );
    }

    #[tokio::test]
    async fn the_newest_requests_of_an_app_id_are_listed_newest_first() {
        let kit = testing::ecommerce().await;
        let out = testing::run::<GetTraces>(&kit, json!({"service_name": "default:Deployment:frontend"})).await;
        assert!(
            out.text.contains("filters: app=default/frontend"),
            "an app id given as service_name reads that app: {}",
            out.text
        );
        assert!(out.text.contains("failed · newest first, showing 20"), "{}", out.text);
        let starts: Vec<&str> = out
            .text
            .lines()
            .filter(|l| l.starts_with("2025-"))
            .map(|l| &l[..20])
            .collect();
        assert_eq!(starts.len(), 20);
        let mut sorted = starts.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(starts, sorted, "newest first");
    }

    #[tokio::test]
    async fn an_empty_project_explains_coroots_message() {
        let kit = testing::start(coroot_sim::Scenario::empty()).await;
        let out = testing::run::<GetTraces>(&kit, json!({"status_error": true})).await;
        assert!(
            out.text
                .contains("No traces in this window for all services, errors only."),
            "{}",
            out.text
        );
        assert!(
            testing::unpinned(&out.text).contains("next: try without status_error"),
            "{}",
            out.text
        );
    }
}
