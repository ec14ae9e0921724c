//! `coroot_get_app_logs`: what one application has been logging, errors with their trace ids.
//!
//! Repeated identical lines are collapsed into one item with a count, so a crash loop costs one
//! line, not fifty. Coroot reports "no ClickHouse" and similar states in the payload with HTTP
//! 200; those are said, not turned into an empty list.

use coroot_client::query::AppLogQuery;
use schemars::JsonSchema;
use serde::Serialize;

use crate::analysis::logs::messages;
use crate::analysis::markup::strip_tags;
use crate::analysis::storage::unavailable;
use crate::context::{Scope, ToolContext, Window};
use crate::error::ToolError;
use crate::params::{opt_string, opt_u32, req_string, tool_params};
use crate::redact::{redact_entries, redact_mut};
use crate::render::units::one_line;
use crate::render::untrusted::{fenced, scrub};
use crate::render::{Answer, Frame};
use crate::tool::Tool;
use crate::tools::logs::{
    LogFilters, LogGroup, STRUCT_CHARS, SeverityCount, empty_hint, filters_line, group_line, limit_note, matching,
    newest_first, next_step, severity_counts, summary_line, text_chars, window_counts,
};
use crate::tools::names;

/// Longest pattern sample in the text.
const PATTERN_CHARS: usize = 1000;

/// The tool.
pub struct GetAppLogs;

tool_params! {
    /// Parameters.
    pub struct Params {
        /// Application: Coroot app id, namespace/name, or a unique bare name.
        #[serde(deserialize_with = "req_string")]
        pub app_id: String,
        /// Minimum level: error (includes fatal), warning, info, debug; any case.
        #[serde(default, deserialize_with = "opt_string")]
        pub severity: Option<String>,
        /// Full-text search; every word must appear in the message.
        #[serde(default, alias = "message_filter", deserialize_with = "opt_string")]
        pub search: Option<String>,
        /// Newest entries to fetch (default 50, 1-200).
        #[serde(default, deserialize_with = "opt_u32")]
        pub limit: Option<u32>,
        /// Which logs: "agent" (container stdout/stderr collected by the node agent) or "otel"
        /// (the app's OpenTelemetry logs). Default: Coroot's choice, otel when the app has it.
        #[serde(default, deserialize_with = "opt_string")]
        pub source: Option<String>,
    }
    lookback_hours = "Hours to look back (default 1, max 720)."
}

/// Output.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    /// Project name.
    pub project: String,
    /// Window searched.
    pub window: Window,
    /// This answer's page in Coroot's UI.
    pub url: String,
    /// What Coroot says is wrong with the project's data sources (Prometheus, node agent,
    /// kube-state-metrics): when present, the answer may be empty or incomplete.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub coroot_status: Vec<String>,
    /// Application id as Coroot knows it.
    pub app_id: String,
    /// Filters sent to Coroot.
    pub filters: LogFilters,
    /// `agent` (container logs) or `otel`: the source these lines come from.
    pub source: String,
    /// The sources this app has logs in; pass one as `source` to read another.
    pub sources: Vec<String>,
    /// Coroot's own note on the logs ("Using container logs", "Clickhouse integration is not configured").
    pub coroot_message: String,
    /// Entries returned.
    pub total_entries: usize,
    /// True when Coroot returned `limit` entries, so older ones exist.
    pub limit_reached: bool,
    /// False when the entries are an arbitrary sample of the matching lines (Coroot before
    /// v1.24.1 with the limit reached), not the newest.
    pub newest_first: bool,
    /// Matching lines per severity over the whole window (Coroot's histogram).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub window_counts: Vec<SeverityCount>,
    /// Entries returned per severity.
    pub severity_counts: Vec<SeverityCount>,
    /// Identical lines collapsed, newest first.
    pub messages: Vec<LogGroup>,
    /// Coroot's log patterns, only when it has no stored lines to show.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub patterns: Vec<PatternOut>,
}

/// A log pattern Coroot derived from the node agent's metrics.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PatternOut {
    /// Level word.
    pub severity: String,
    /// Occurrences in the window.
    pub count: u64,
    /// A sample line.
    pub sample: String,
}

impl Tool for GetAppLogs {
    const NAME: &'static str = names::APP_LOGS;
    const TITLE: &'static str = "Coroot application logs";
    const DESCRIPTION: &'static str = "Logs of one application (container or OpenTelemetry logs), newest first, identical lines collapsed with counts, error lines with their trace ids. Filter by severity and full-text search. Use when you know the app; coroot_get_overview_logs searches all apps.";
    type Params = Params;
    type Output = Output;
    const UNTRUSTED: &'static [&'static str] = &["/messages/*/message", "/patterns/*/sample"];

    async fn run(ctx: &ToolContext, p: Params) -> Result<Output, ToolError> {
        let asked = p.window();
        let (filters, sent) = LogFilters::new(Self::NAME, p.severity.as_deref(), p.search, p.limit)?;
        let source = source_param(p.source.as_deref())?;
        let Scope {
            project,
            range,
            window,
            ui,
        } = Scope::resolve(ctx, Self::NAME, p.project_id.as_deref(), asked, 1.0).await?;
        let app = crate::resolve::app_id(ctx, &project.id, &p.app_id).await?;
        let query = AppLogQuery {
            // Empty lets Coroot pick OTel logs when the app has them, else container logs.
            source: source.to_string(),
            filters: sent,
            limit: filters.limit,
        };
        let mut logs = ctx.client.app_logs(&project.id, &app, range, &query).await?;
        if ctx.redact_secrets {
            redact_entries(&mut logs.entries);
            for pt in &mut logs.patterns {
                redact_mut(&mut pt.sample);
            }
        }
        let total = logs.entries.len();
        let limit_reached = logs.limit > 0 || total >= filters.limit as usize;
        let patterns = if logs.entries.is_empty() {
            logs.patterns
                .iter()
                .map(|pt| PatternOut {
                    severity: pt.severity.clone(),
                    count: pt.sum,
                    sample: scrub(&one_line(&pt.sample), STRUCT_CHARS),
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(Output {
            project: project.name,
            window,
            url: ui.app_report(app.as_str(), "Logs"),
            coroot_status: logs.status.problems(),
            app_id: app.to_string(),
            limit_reached,
            newest_first: newest_first(ctx, limit_reached).await,
            window_counts: window_counts(logs.chart.as_ref()),
            filters,
            source: logs.data.source.clone(),
            sources: logs.data.sources.clone(),
            coroot_message: strip_tags(&logs.message),
            total_entries: total,
            severity_counts: severity_counts(&logs.entries),
            messages: messages(std::mem::take(&mut logs.entries))
                .into_iter()
                .map(LogGroup::from)
                .collect(),
            patterns,
        })
    }

    fn render(out: &Output, frame: Frame) -> Answer {
        let app = coroot_client::AppId::new(out.app_id.as_str()).short();
        let mut t = Answer::new(
            frame,
            "log messages",
            "pass severity, search or a shorter lookback_hours",
        );
        t.header(&format!("Logs of {app}"), &out.project, &out.window);
        t.ui(format!("logs of {}", out.app_id), &out.url);
        t.coroot_status(&out.coroot_status);
        limit_note(&mut t, &out.filters);
        let mut filters = filters_line(&out.filters);
        if !out.coroot_message.is_empty() && !out.messages.is_empty() {
            filters.push_str(&format!(" · Coroot: {}", out.coroot_message));
        }
        t.line(filters);
        if out.messages.is_empty() {
            match unavailable(&out.coroot_message, "") {
                Some(why) => t.line(format!(
                    "Log lines of {app} could not be checked: {why} (Coroot keeps log lines in ClickHouse). This is not an absence of errors."
                )),
                None => {
                    let mut none = format!("No log entries of {app} in this window{}.", matching(&out.filters));
                    if !out.coroot_message.is_empty() {
                        none.push_str(&format!(" Coroot says: {}", out.coroot_message));
                    }
                    t.line(none)
                }
            };
            if !out.patterns.is_empty() {
                t.line("Log patterns the node agent counted (no stored lines, no trace ids):");
                for (i, pt) in out.patterns.iter().enumerate() {
                    t.item(
                        "/patterns",
                        i,
                        format!(
                            "{} ×{} {}",
                            pt.severity.to_uppercase(),
                            pt.count,
                            fenced(&pt.sample, PATTERN_CHARS)
                        ),
                    );
                }
            }
            t.footer(empty_hint(&out.filters, Some(&app)));
            return t;
        }
        t.line(summary_line(
            out.total_entries,
            out.limit_reached,
            out.newest_first,
            &out.window_counts,
            &out.severity_counts,
            out.messages.len(),
        ));
        let width = text_chars(out.messages.len());
        t.each("/messages", &out.messages, |g| group_line(g, None, width));
        t.footer(next_step(
            out.messages.iter(),
            out.limit_reached,
            &out.filters,
            format!(
                "next: {}(app_id='{app}') for the app's health checks",
                names::APP_DETAIL
            ),
        ));
        t
    }
}

/// The `source` Coroot's query takes: `agent` or `otel`, or empty for Coroot's choice.
fn source_param(given: Option<&str>) -> Result<&'static str, ToolError> {
    let Some(given) = given else { return Ok("") };
    match given.trim().to_ascii_lowercase().as_str() {
        "agent" | "container" | "containers" | "stdout" => Ok("agent"),
        "otel" | "opentelemetry" | "otlp" => Ok("otel"),
        other => Err(ToolError::params(
            names::APP_LOGS,
            format!("source must be 'agent' (container logs) or 'otel' (OpenTelemetry logs), got '{other}'"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;
    use serde_json::json;

    fn sent_filters(kit: &testing::Kit, path_end: &str) -> Vec<serde_json::Value> {
        let req = kit
            .sim
            .requests()
            .into_iter()
            .rev()
            .find(|r| r.path.ends_with(path_end))
            .expect("the logs request was sent");
        let q: serde_json::Value = serde_json::from_str(req.param("query").expect("query param")).expect("query JSON");
        q["filters"].as_array().cloned().unwrap_or_default()
    }

    #[tokio::test]
    async fn error_logs_are_collapsed_with_counts_and_trace_ids() {
        let kit = testing::ecommerce().await;
        let out =
            testing::run::<GetAppLogs>(&kit, json!({"app_id": "checkout", "severity": "Error", "limit": 200})).await;
        let line = out
            .text
            .lines()
            .find(|l| l.contains("upstream payment returned 502"))
            .unwrap_or_else(|| panic!("{}", out.text));
        assert!(line.contains(" ERROR ×"), "{line}");
        assert!(line.contains("[traces "), "{line}");
        let g = &out.structured["messages"][0];
        assert_eq!(g["severity"], "error");
        assert!(g["count"].as_u64().unwrap() > 10, "{g}");
        assert_eq!(g["trace_ids"].as_array().unwrap().len(), 3);
        assert!(
            testing::unpinned(&out.text).contains("next: coroot_get_traces(trace_id='"),
            "{}",
            out.text
        );
        assert!(out.text.contains("Coroot: Using container logs"));
    }

    #[tokio::test]
    async fn every_level_of_one_app_newest_first() {
        let kit = testing::ecommerce().await;
        let out = testing::run::<GetAppLogs>(&kit, json!({"app_id": "payment"})).await;
        let fatal = out.structured["messages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["severity"] == "fatal")
            .expect("the OOM line");
        assert_eq!(
            fatal["message"],
            "runtime: out of memory: cannot allocate 268435456-byte block"
        );
        assert_eq!(fatal["count"], 3);
        assert_eq!(fatal["pods"], json!(["payment-7d9f8b6c5-x2x9k"]));
        let times: Vec<&str> = out.structured["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["last_seen"].as_str().unwrap())
            .collect();
        assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first: {times:?}");
        insta::assert_snapshot!(out.text);
    }

    #[tokio::test]
    async fn severity_is_sent_in_lower_case_whatever_the_input() {
        let kit = testing::ecommerce().await;
        let out = testing::run::<GetAppLogs>(
            &kit,
            json!({"app_id": "default/checkout", "severity": "ERROR", "lookback_hours": "2"}),
        )
        .await;
        let filters = sent_filters(&kit, "/logs");
        assert_eq!(
            filters,
            vec![
                json!({"name": "Severity", "op": "=", "value": "error"}),
                json!({"name": "Severity", "op": "=", "value": "fatal"})
            ]
        );
        assert_eq!(out.structured["filters"]["severity"], "error");
        assert!(
            out.text.contains("ERROR ×") && !out.text.contains(" INFO "),
            "{}",
            out.text
        );

        let out = testing::run::<GetAppLogs>(&kit, json!({"app_id": "payment", "severity": "critical"})).await;
        assert_eq!(sent_filters(&kit, "/logs")[0]["value"], "fatal");
        assert!(
            out.text.contains("FATAL ×")
                && out.text.contains("runtime: out of memory")
                && out.text.contains("pod payment-7d9f8b6c5-x2x9k"),
            "{}",
            out.text
        );

        let err = testing::run_err::<GetAppLogs>(&kit, json!({"app_id": "payment", "severity": "loud"})).await;
        assert!(
            err.contains("'loud' is not a log level") && err.contains("warning"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn a_search_that_matches_nothing_says_what_was_searched_and_what_to_try() {
        let kit = testing::ecommerce().await;
        let out = testing::run::<GetAppLogs>(
            &kit,
            json!({"app_id": "catalog", "search": "segfault kernel", "severity": "warn"}),
        )
        .await;
        let filters = sent_filters(&kit, "/logs");
        assert!(filters.contains(&json!({"name": "Message", "op": "contains", "value": "segfault kernel"})));
        assert!(out.text.contains("last 1h"), "{}", out.text);
        assert!(
            out.text.contains(
                "No log entries of default/catalog in this window matching severity≥warning, search=\"segfault kernel\"."
            ),
            "{}",
            out.text
        );
        assert!(
            out.text.contains("fewer search words (every word must match)")
                && out.text.contains("no severity filter")
                && out.text.contains("longer lookback_hours")
                && testing::unpinned(&out.text).contains("coroot_get_overview_logs(search='segfault kernel')"),
            "{}",
            out.text
        );
        assert_eq!(out.structured["total_entries"], 0);
    }

    #[tokio::test]
    async fn limit_is_clamped_and_said() {
        let kit = testing::ecommerce().await;
        let out = testing::run::<GetAppLogs>(&kit, json!({"app_id": "frontend", "limit": 1000})).await;
        assert!(
            out.text.contains("note: limit=1000 is outside 1..200; used 200"),
            "{}",
            out.text
        );
        let req = kit
            .sim
            .requests()
            .into_iter()
            .rev()
            .find(|r| r.path.ends_with("/logs"))
            .unwrap();
        let q: serde_json::Value = serde_json::from_str(req.param("query").unwrap()).unwrap();
        assert_eq!(q["limit"], 200);
        assert_eq!(out.structured["filters"]["requested_limit"], 1000);
    }

    #[tokio::test]
    async fn an_unknown_app_lists_close_ids() {
        let kit = testing::ecommerce().await;
        let err = testing::run_err::<GetAppLogs>(&kit, json!({"app_id": "chekout"})).await;
        assert!(err.contains("checkout"), "{err}");
    }

    /// Before v1.24.1 Coroot's log query had no `ORDER BY` (`clickhouse/logs.go`, commit
    /// 7522c93), so a full page is an arbitrary sample of the matching lines; the answer says
    /// so instead of calling them the newest. Coroot's histogram counts every matching line
    /// (`api/views/logs/logs.go`), so the window's counts come from it, not from the page.
    #[tokio::test]
    async fn before_v1_24_1_a_full_page_is_a_sample_with_the_windows_counts() {
        let config = coroot_sim::SimConfig {
            version: "1.23.2".into(),
            ..coroot_sim::SimConfig::default()
        };
        let kit = testing::start_with(coroot_sim::Scenario::ecommerce(), config).await;
        let out = testing::run::<GetAppLogs>(&kit, json!({"app_id": "payment", "limit": 10})).await;
        assert!(out.text.contains("these are a sample, not the newest"), "{}", out.text);
        assert_eq!(out.structured["newest_first"], false);
        assert!(
            out.text
                .contains("43 lines match in the window: 3 fatal, 4 warning, 36 info"),
            "{}",
            out.text
        );
        let window: u64 = out.structured["window_counts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["count"].as_u64().unwrap())
            .sum();
        assert_eq!(window, 43);
        assert_eq!(out.structured["total_entries"], 10);

        let today = testing::ecommerce().await;
        let out = testing::run::<GetAppLogs>(&today, json!({"app_id": "payment", "limit": 10})).await;
        assert!(out.text.contains("the newest; older ones exist"), "{}", out.text);
        assert_eq!(out.structured["newest_first"], true);
    }

    /// Container stdout hides behind an app's OpenTelemetry logs unless `source` is sent
    /// (`api/views/logs/logs.go`: otel is the default when the app has an OTel service).
    #[tokio::test]
    async fn the_source_is_sent_and_the_apps_sources_are_listed() {
        let kit = testing::ecommerce().await;
        let out = testing::run::<GetAppLogs>(&kit, json!({"app_id": "payment", "source": "container"})).await;
        let req = kit
            .sim
            .requests()
            .into_iter()
            .rev()
            .find(|r| r.path.ends_with("/logs"))
            .unwrap();
        let q: serde_json::Value = serde_json::from_str(req.param("query").unwrap()).unwrap();
        assert_eq!(q["source"], "agent");
        assert!(
            out.structured["sources"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s == "agent")
        );
        let e = testing::run_err::<GetAppLogs>(&kit, json!({"app_id": "payment", "source": "files"})).await;
        assert!(e.contains("'agent'") && e.contains("'otel'"), "{e}");
    }
}
