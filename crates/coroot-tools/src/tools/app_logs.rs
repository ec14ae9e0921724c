//! `coroot_get_app_logs`: what one application has been logging, errors with their trace ids.
//!
//! Coroot matches severity names case-sensitively in lower case and reads anything else as
//! `unknown`, so `Error` (what the seed suggests) silently matched nothing in the Python
//! original; the level is normalised here and an unknown word is refused. Repeated identical
//! lines are collapsed into one item with a count, so a crash loop costs one line, not fifty.
//! Coroot reports "no ClickHouse" and similar states in the payload with HTTP 200; those are
//! said, not turned into an empty list.
//!
//! The log helpers at the bottom (severity, limit, grouping) are shared with
//! `coroot_get_overview_logs`.

use std::collections::HashMap;

use coroot_client::models::LogEntry;
use coroot_client::query::{AppLogQuery, LogFilter};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::format::{clip, iso, one_line};
use crate::params::{Window, opt_f64, opt_string, opt_u32, req_string, window};
use crate::tools::{header, project, window_note};
use crate::{Text, Tool, ToolContext, ToolError};

/// The tool.
pub struct GetAppLogs;

/// Entries fetched when `limit` is not given.
pub(crate) const DEFAULT_LIMIT: u32 = 50;
/// Largest `limit` accepted (the seed's cap).
pub(crate) const MAX_LIMIT: u32 = 200;
/// Trace ids kept per collapsed message.
const TRACE_IDS: usize = 3;
/// Pods named per collapsed message.
const PODS: usize = 3;

/// Parameters.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
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
    /// Hours to look back (default 1, max 720).
    #[serde(default, deserialize_with = "opt_f64")]
    pub lookback_hours: Option<f64>,
    /// Coroot project id or name; auto-detected when omitted.
    #[serde(default, deserialize_with = "opt_string")]
    pub project_id: Option<String>,
}

/// Output.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    /// Project name.
    pub project: String,
    /// Window searched.
    pub window: Window,
    /// Application id as Coroot knows it.
    pub app_id: String,
    /// Filters sent to Coroot.
    pub filters: LogFilters,
    /// `agent` (container logs) or `otel`, as Coroot chose.
    pub source: String,
    /// Coroot's own note on the logs ("Using container logs", "Clickhouse integration is not configured").
    pub coroot_message: String,
    /// Entries returned.
    pub total_entries: usize,
    /// True when Coroot returned `limit` entries, so older ones exist.
    pub limit_reached: bool,
    /// Entries per severity.
    pub severity_counts: Vec<SeverityCount>,
    /// Identical lines collapsed, newest first.
    pub messages: Vec<LogGroup>,
    /// Coroot's log patterns, only when it has no stored lines to show.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub patterns: Vec<PatternOut>,
}

/// The filters of a logs query.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LogFilters {
    /// Lowest Coroot level shown (more severe ones are included), when filtered.
    pub severity: Option<String>,
    /// Full-text search words, when given.
    pub search: Option<String>,
    /// Entries asked for.
    pub limit: u32,
    /// What was asked for, when out of 1-200 and replaced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_limit: Option<u32>,
}

/// Entries of one severity.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SeverityCount {
    /// Coroot's level word.
    pub severity: String,
    /// Entries.
    pub count: usize,
}

/// Identical log lines collapsed into one.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LogGroup {
    /// Newest occurrence, UTC ISO-8601.
    pub last_seen: String,
    /// Oldest occurrence, UTC ISO-8601.
    pub first_seen: String,
    /// Occurrences among the entries returned.
    pub count: usize,
    /// Coroot's level word (`error`, `warning`, ...).
    pub severity: String,
    /// The log body.
    pub message: String,
    /// Up to 3 trace ids, newest first.
    pub trace_ids: Vec<String>,
    /// Up to 3 pods that logged it.
    pub pods: Vec<String>,
    #[serde(skip)]
    pub(crate) more_traces: usize,
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
    const NAME: &'static str = "coroot_get_app_logs";
    const TITLE: &'static str = "Coroot application logs";
    const DESCRIPTION: &'static str = "Logs of one application (container or OpenTelemetry logs), newest first, identical lines collapsed with counts, error lines with their trace ids. Filter by severity and full-text search. Use when you know the app; coroot_get_overview_logs searches all apps.";
    type Params = Params;
    type Output = Output;

    async fn run(ctx: &ToolContext, p: Params) -> Result<Output, ToolError> {
        let severity = severity_filter(Self::NAME, p.severity.as_deref())?;
        let (limit, requested_limit) = clamp_limit(p.limit);
        let project = project(ctx, p.project_id.as_deref()).await?;
        let (range, window) = window(ctx, Self::NAME, p.lookback_hours, 1.0)?;
        let app = crate::resolve::app_id(ctx, &project.id, &p.app_id).await?;
        let mut filters = Vec::new();
        if let Some((_, f)) = &severity {
            filters.extend(f.iter().cloned());
        }
        if let Some(s) = &p.search {
            filters.push(LogFilter::message_contains(s));
        }
        let query = AppLogQuery {
            // Empty lets Coroot pick OTel logs when the app has them, else container logs.
            source: String::new(),
            filters,
            limit,
        };
        let mut logs = ctx.client.app_logs(&project.id, &app, range, &query).await?;
        if ctx.redact_secrets {
            redact_entries(&mut logs.entries);
            for pt in &mut logs.patterns {
                pt.sample = redact(&pt.sample);
            }
        }
        let total = logs.entries.len();
        let patterns = if logs.entries.is_empty() {
            logs.patterns
                .iter()
                .map(|pt| PatternOut {
                    severity: pt.severity.clone(),
                    count: pt.sum,
                    sample: clip(&one_line(&pt.sample), STRUCT_CHARS),
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(Output {
            project: project.name,
            window,
            app_id: app.to_string(),
            filters: LogFilters {
                severity: severity.map(|(word, _)| word),
                search: p.search,
                limit,
                requested_limit,
            },
            source: logs.source,
            coroot_message: strip_tags(&logs.message),
            total_entries: total,
            limit_reached: logs.limit > 0 || total >= limit as usize,
            severity_counts: severity_counts(&logs.entries),
            messages: group(&logs.entries, |e| (e.severity.clone(), e.message.clone()))
                .into_iter()
                .map(|(_, g)| g)
                .collect(),
            patterns,
        })
    }

    fn render(out: &Output, _now_ms: i64) -> Text {
        let app = coroot_client::AppId::new(out.app_id.as_str()).short();
        let mut t = Text::new("log messages", "pass severity, search or a shorter lookback_hours");
        t.line(header(&format!("Logs of {app}"), &out.project, &out.window));
        window_note(&mut t, &out.window);
        limit_note(&mut t, &out.filters);
        let mut filters = filters_line(&out.filters);
        if !out.coroot_message.is_empty() && !out.messages.is_empty() {
            filters.push_str(&format!(" · Coroot: {}", out.coroot_message));
        }
        t.line(filters);
        if out.messages.is_empty() {
            let mut none = format!("No log entries of {app} in this window{}.", matching(&out.filters));
            if !out.coroot_message.is_empty() {
                none.push_str(&format!(" Coroot says: {}", out.coroot_message));
            }
            t.line(none);
            if !out.patterns.is_empty() {
                t.line("Log patterns Coroot derived from the node agent (no stored lines):");
                for pt in &out.patterns {
                    t.item(format!(
                        "{} ×{} {}",
                        pt.severity.to_uppercase(),
                        pt.count,
                        clip(&pt.sample, TEXT_CHARS)
                    ));
                }
            }
            t.footer(empty_hint(&out.filters, Some(&app)));
            return t;
        }
        t.line(summary_line(
            out.total_entries,
            out.limit_reached,
            &out.severity_counts,
            out.messages.len(),
        ));
        let width = text_chars(out.messages.len());
        for g in &out.messages {
            t.item(group_line(g, None, width));
        }
        t.footer(next_step(
            &out.messages,
            out.limit_reached,
            &out.filters,
            format!("next: coroot_get_app_detail(app_id='{app}') for the app's health checks"),
        ));
        t
    }

    fn keep(out: &mut Output, kept: &[usize]) {
        let n = kept.first().copied().unwrap_or(0);
        if out.messages.is_empty() {
            out.patterns.truncate(n);
        } else {
            out.messages.truncate(n);
        }
    }
}

// ---- helpers shared with coroot_get_overview_logs ----

/// Longest message kept in structured output; whole stack traces cost megabytes.
pub(crate) const STRUCT_CHARS: usize = 4000;
/// Longest message line in the text when few messages are shown.
const TEXT_CHARS: usize = 1000;

/// Message width in the text for `n` collapsed lines: long messages when there are few, so
/// the 120,000-character cap is never what hides the oldest error lines.
pub(crate) fn text_chars(n: usize) -> usize {
    (100_000 / n.max(1)).saturating_sub(350).clamp(200, TEXT_CHARS)
}

/// Coroot's levels, least severe first.
const LEVELS: [&str; 6] = ["trace", "debug", "info", "warning", "error", "fatal"];

/// The `Severity` filters for a user's level word: that level and every more severe one
/// (Coroot ORs `=` filters of one name), so `error` also finds `fatal` lines such as an
/// out-of-memory crash. `None` when no level was given; an error naming the valid ones for
/// an unknown word. Returns Coroot's lower-case word too.
pub(crate) fn severity_filter(
    tool: &'static str,
    level: Option<&str>,
) -> Result<Option<(String, Vec<LogFilter>)>, ToolError> {
    let Some(l) = level else {
        return Ok(None);
    };
    let first = LogFilter::severity(l).ok_or_else(|| {
        ToolError::params(
            tool,
            format!(
                "severity '{l}' is not a log level; use one of error, warning, info, debug, trace, fatal (any case; warn and critical also work), or omit it"
            ),
        )
    })?;
    let word = first.value.clone();
    let mut filters = vec![first];
    if let Some(pos) = LEVELS.iter().position(|x| *x == word) {
        filters.extend(LEVELS.iter().skip(pos + 1).filter_map(|x| LogFilter::severity(x)));
    }
    Ok(Some((word, filters)))
}

/// `limit` clamped into 1..=200, with what was asked for when it was replaced.
pub(crate) fn clamp_limit(requested: Option<u32>) -> (u32, Option<u32>) {
    match requested {
        None => (DEFAULT_LIMIT, None),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => (n, None),
        Some(n) => (n.clamp(1, MAX_LIMIT), Some(n)),
    }
}

/// The note under the header when `limit` was replaced.
pub(crate) fn limit_note(t: &mut Text, f: &LogFilters) {
    if let Some(asked) = f.requested_limit {
        t.line(format!(
            "note: limit={asked} is outside 1..{MAX_LIMIT}; used {}",
            f.limit
        ));
    }
}

/// `filters: severity≥error · search="refused" · limit 50`.
pub(crate) fn filters_line(f: &LogFilters) -> String {
    let mut parts = Vec::new();
    if let Some(s) = &f.severity {
        parts.push(format!("severity≥{s}"));
    }
    if let Some(s) = &f.search {
        parts.push(format!("search=\"{s}\" (all words)"));
    }
    parts.push(format!("limit {}", f.limit));
    format!("filters: {}", parts.join(" · "))
}

/// ` matching severity≥error, search="x"`, or nothing when unfiltered.
pub(crate) fn matching(f: &LogFilters) -> String {
    let mut parts = Vec::new();
    if let Some(s) = &f.severity {
        parts.push(format!("severity≥{s}"));
    }
    if let Some(s) = &f.search {
        parts.push(format!("search=\"{s}\""));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" matching {}", parts.join(", "))
    }
}

/// What to try after an empty result.
pub(crate) fn empty_hint(f: &LogFilters, app: Option<&str>) -> String {
    let mut tries = Vec::new();
    if let Some(s) = &f.search {
        if s.split_whitespace().count() > 1 {
            tries.push("fewer search words (every word must match)".to_string());
        } else {
            tries.push("another search word or none".to_string());
        }
    }
    if f.severity.is_some() {
        tries.push("no severity filter".to_string());
    }
    tries.push("a longer lookback_hours (e.g. 6 or 24)".to_string());
    if let (Some(_), Some(s)) = (app, &f.search) {
        tries.push(format!("coroot_get_overview_logs(search='{s}') to search every app"));
    } else if app.is_some() {
        tries.push("coroot_get_overview_logs() to search every app".to_string());
    }
    format!("next: try {}", tries.join(", or "))
}

/// `50 entries (limit reached, older ones exist): 12 error, 38 info · 9 distinct messages, newest first`.
pub(crate) fn summary_line(total: usize, limit_reached: bool, counts: &[SeverityCount], groups: usize) -> String {
    let by_sev: Vec<String> = counts.iter().map(|c| format!("{} {}", c.count, c.severity)).collect();
    format!(
        "{total} {}{}: {} · {groups} distinct {}, newest first",
        if total == 1 { "entry" } else { "entries" },
        if limit_reached {
            " (limit reached; older ones exist)"
        } else {
            ""
        },
        by_sev.join(", "),
        if groups == 1 { "message" } else { "messages" }
    )
}

/// Entries per severity, most severe first.
pub(crate) fn severity_counts(entries: &[LogEntry]) -> Vec<SeverityCount> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for e in entries {
        *counts.entry(e.severity.as_str()).or_default() += 1;
    }
    let mut out: Vec<SeverityCount> = counts
        .into_iter()
        .map(|(s, count)| SeverityCount {
            severity: s.to_string(),
            count,
        })
        .collect();
    out.sort_by(|a, b| {
        severity_rank(&b.severity)
            .cmp(&severity_rank(&a.severity))
            .then(a.severity.cmp(&b.severity))
    });
    out
}

/// Order of Coroot's level words, most severe highest.
pub(crate) fn severity_rank(s: &str) -> u8 {
    match s {
        "fatal" => 6,
        "error" => 5,
        "warning" => 4,
        "info" => 3,
        "debug" => 2,
        "trace" => 1,
        "unknown" | "" => 0,
        // `severity-7` and other non-standard levels sort with the unknowns.
        _ => 0,
    }
}

/// Collapses entries with the same `key` into groups, each with its key, in order of their
/// newest entry. Coroot returns entries newest first; the order is re-established anyway.
pub(crate) fn group<K: std::hash::Hash + Eq + Clone>(
    entries: &[LogEntry],
    key: impl Fn(&LogEntry) -> K,
) -> Vec<(K, LogGroup)> {
    let mut sorted: Vec<&LogEntry> = entries.iter().collect();
    sorted.sort_by_key(|e| std::cmp::Reverse(e.timestamp));
    let mut index: HashMap<K, usize> = HashMap::new();
    let mut groups: Vec<(K, LogGroup)> = Vec::new();
    for e in sorted {
        let k = key(e);
        let idx = *index.entry(k.clone()).or_insert_with(|| {
            groups.push((
                k,
                LogGroup {
                    last_seen: iso(e.timestamp),
                    first_seen: iso(e.timestamp),
                    count: 0,
                    severity: e.severity.clone(),
                    message: clip(&e.message, STRUCT_CHARS),
                    trace_ids: Vec::new(),
                    pods: Vec::new(),
                    more_traces: 0,
                },
            ));
            groups.len() - 1
        });
        let Some((_, g)) = groups.get_mut(idx) else {
            continue;
        };
        g.count += 1;
        g.first_seen = iso(e.timestamp);
        if !e.trace_id.is_empty() && !g.trace_ids.contains(&e.trace_id) {
            if g.trace_ids.len() < TRACE_IDS {
                g.trace_ids.push(e.trace_id.clone());
            } else {
                g.more_traces += 1;
            }
        }
        if let Some(pod) = e.attributes.get("k8s.pod.name")
            && g.pods.len() < PODS
            && !g.pods.contains(pod)
        {
            g.pods.push(pod.clone());
        }
    }
    groups
}

/// One collapsed line: `<last> ERROR [who: ]×N message · first <t> · pods a, b · trace <id>`.
pub(crate) fn group_line(g: &LogGroup, who: Option<&str>, width: usize) -> String {
    let mut s = format!("{} {}", g.last_seen, level_word(&g.severity));
    if let Some(w) = who {
        s.push(' ');
        s.push_str(w);
        s.push(':');
    }
    if g.count > 1 {
        s.push_str(&format!(" ×{}", g.count));
    }
    s.push(' ');
    s.push_str(&clip(&one_line(&g.message), width));
    if g.count > 1 {
        s.push_str(&format!(" · first {}", g.first_seen));
    }
    if !g.pods.is_empty() {
        s.push_str(&format!(
            " · pod{} {}",
            if g.pods.len() > 1 { "s" } else { "" },
            g.pods.join(", ")
        ));
    }
    match g.trace_ids.as_slice() {
        [] => {}
        [one] if g.more_traces == 0 => s.push_str(&format!(" [trace {one}]")),
        ids => {
            s.push_str(&format!(" [traces {}", ids.join(", ")));
            if g.more_traces > 0 {
                s.push_str(&format!(" +{} more", g.more_traces));
            }
            s.push(']');
        }
    }
    s
}

/// `ERROR`, `WARNING`, ...: levels read as words, like statuses.
pub(crate) fn level_word(s: &str) -> String {
    if s.is_empty() {
        "UNKNOWN".into()
    } else {
        s.to_uppercase()
    }
}

/// The footer: the trace of the newest error line, else of any line, else how to see more,
/// else `fallback`.
pub(crate) fn next_step(groups: &[LogGroup], limit_reached: bool, f: &LogFilters, fallback: String) -> String {
    let trace = groups
        .iter()
        .filter(|g| severity_rank(&g.severity) >= 5)
        .chain(groups.iter())
        .find_map(|g| g.trace_ids.first());
    if let Some(id) = trace {
        return format!("next: coroot_get_traces(trace_id='{id}') for the span tree of that request");
    }
    if f.severity.is_none() && groups.iter().any(|g| severity_rank(&g.severity) >= 5) {
        return "next: pass severity='error' to see only errors and fatal lines".into();
    }
    if limit_reached && f.limit < MAX_LIMIT {
        return format!("next: raise limit (max {MAX_LIMIT}) or narrow with severity/search to see older entries");
    }
    fallback
}

/// Masks secrets in the entries' messages (see [`redact`]).
pub(crate) fn redact_entries(entries: &mut [LogEntry]) {
    for e in entries {
        e.message = redact(&e.message);
    }
}

/// Key names whose values are secrets in `key=value`, `key: value` and JSON forms.
const SECRET_KEYS: [&str; 17] = [
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "access_key",
    "accesskey",
    "private_key",
    "authorization",
    "credential",
    "x-api-key",
    "cookie",
    "signature",
];

/// Prefixes of well-known API tokens (GitHub, GitLab, Slack, Stripe, Google, npm), masked
/// wherever they stand when the rest of the word is long enough to be a token.
const TOKEN_PREFIXES: [&str; 16] = [
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "xoxb-",
    "xoxp-",
    "xoxa-",
    "xoxr-",
    "xoxs-",
    "sk_live_",
    "sk_test_",
    "rk_live_",
    "npm_",
];
/// What a redacted value becomes.
const REDACTED: &str = "[REDACTED]";

/// Masks secrets an application wrote into a log line (or a span's URL or statement):
/// values of password/token/key fields, `Bearer`/`Basic` credentials, passwords in URLs,
/// JWTs and AWS access key ids. Deliberately simple and dependency-free; it errs towards
/// masking, since a masked value costs an agent nothing it needs for a diagnosis.
pub(crate) fn redact(s: &str) -> String {
    let s = redact_schemes(s);
    let s = redact_url_passwords(&s);
    let s = redact_keyed_values(&s);
    redact_tokens(&s)
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

fn is_value_end(c: char) -> bool {
    c.is_whitespace() || matches!(c, '"' | '\'' | ',' | ';' | '&' | '}' | ']' | ')' | '>')
}

/// `Bearer abc`, `Basic dXNlcg==` → `Bearer [REDACTED]`.
fn redact_schemes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = ["Bearer ", "bearer ", "Basic ", "basic "]
        .iter()
        .filter_map(|w| rest.find(w).map(|p| (p, w.len())))
        .min()
    {
        let (p, len) = pos;
        let boundary = rest[..p].chars().next_back().is_none_or(|c| !is_ident(c));
        let (head, tail) = rest.split_at(p + len);
        out.push_str(head);
        let value_len = tail.find(is_value_end).unwrap_or(tail.len());
        // `Basic auth failed` is prose: only mask what looks like a credential.
        let value = &tail[..value_len];
        if boundary && value.len() >= 8 && !value.eq_ignore_ascii_case("[redacted]") {
            out.push_str(REDACTED);
            rest = &tail[value_len..];
        } else {
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

/// `postgres://user:pw@host` → `postgres://user:[REDACTED]@host`.
fn redact_url_passwords(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find("://") {
        let (head, tail) = rest.split_at(p + 3);
        out.push_str(head);
        let auth_end = tail
            .find(|c: char| c == '/' || c.is_whitespace() || c == '?' || c == '#')
            .unwrap_or(tail.len());
        let authority = &tail[..auth_end];
        match (authority.rfind('@'), authority.find(':')) {
            (Some(at), Some(colon)) if colon < at && colon + 1 < at => {
                out.push_str(&authority[..=colon]);
                out.push_str(REDACTED);
                out.push_str(&authority[at..]);
            }
            _ => out.push_str(authority),
        }
        rest = &tail[auth_end..];
    }
    out.push_str(rest);
    out
}

/// `db_password=x`, `"token": "x"`, `Authorization: y` → the value masked.
fn redact_keyed_values(s: &str) -> String {
    let lower = s.to_ascii_lowercase();
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    for key in SECRET_KEYS {
        let mut from = 0;
        while let Some(found) = lower.get(from..).and_then(|l| l.find(key)) {
            let start = from + found;
            from = start + key.len();
            // The whole identifier around the key word, e.g. `db_password`.
            let ident_end = start
                + key.len()
                + lower[start + key.len()..]
                    .find(|c: char| !is_ident(c))
                    .unwrap_or(lower.len() - start - key.len());
            let mut i = ident_end;
            let bytes = lower.as_bytes();
            let skip = |i: &mut usize, set: &[u8]| {
                while *i < bytes.len() && set.contains(&bytes[*i]) {
                    *i += 1;
                }
            };
            skip(&mut i, b"\"' ");
            if i >= bytes.len() || !matches!(bytes[i], b'=' | b':') {
                continue;
            }
            i += 1;
            skip(&mut i, b" \"'");
            // A quoted value runs to its closing quote, spaces and all.
            let quote = bytes
                .get(i.wrapping_sub(1))
                .copied()
                .filter(|q| matches!(q, b'"' | b'\''));
            let value_end = match quote {
                Some(q) => i + lower[i..].find(char::from(q)).unwrap_or(lower.len() - i),
                None => i + lower[i..].find(is_value_end).unwrap_or(lower.len() - i),
            };
            let value = &s[i..value_end];
            if value.is_empty() || value == REDACTED || value.starts_with('[') {
                continue;
            }
            // `Authorization: Bearer x` was masked after the scheme word already.
            if ["bearer", "basic"].contains(&value.to_ascii_lowercase().as_str()) {
                continue;
            }
            cuts.push((i, value_end));
            from = value_end.max(from);
        }
    }
    cuts.sort_unstable();
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for (a, b) in cuts {
        if a < last {
            continue;
        }
        out.push_str(&s[last..a]);
        out.push_str(REDACTED);
        last = b;
    }
    out.push_str(&s[last..]);
    out
}

/// JWTs (`eyJ...`) and AWS access key ids (`AKIA...`) wherever they stand.
fn redact_tokens(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let jwt = word.starts_with("eyJ") && word.matches('.').count() == 2 && word.len() > 30;
        let aws = (word.starts_with("AKIA") || word.starts_with("ASIA"))
            && word.len() == 20
            && word.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        let known = TOKEN_PREFIXES
            .iter()
            .any(|p| word.starts_with(p) && word.len() >= p.len() + 16)
            || (word.starts_with("AIza") && word.len() == 39);
        if jwt || aws || known {
            out.push_str(REDACTED);
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Coroot's messages carry `<i>` markup for its UI.
pub(crate) fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit;
    use serde_json::json;

    fn sent_filters(kit: &testkit::Kit, path_end: &str) -> Vec<serde_json::Value> {
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
        let kit = testkit::ecommerce().await;
        let out =
            testkit::run::<GetAppLogs>(&kit, json!({"app_id": "checkout", "severity": "Error", "limit": 200})).await;
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
        assert!(out.text.contains("next: coroot_get_traces(trace_id='"), "{}", out.text);
        assert!(out.text.contains("Coroot: Using container logs"));
    }

    #[tokio::test]
    async fn every_level_of_one_app_newest_first() {
        let kit = testkit::ecommerce().await;
        let out = testkit::run::<GetAppLogs>(&kit, json!({"app_id": "payment"})).await;
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
        let kit = testkit::ecommerce().await;
        let out = testkit::run::<GetAppLogs>(
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

        let out = testkit::run::<GetAppLogs>(&kit, json!({"app_id": "payment", "severity": "critical"})).await;
        assert_eq!(sent_filters(&kit, "/logs")[0]["value"], "fatal");
        assert!(
            out.text.contains("FATAL ×")
                && out.text.contains("runtime: out of memory")
                && out.text.contains("pod payment-7d9f8b6c5-x2x9k"),
            "{}",
            out.text
        );

        let err = testkit::run_err::<GetAppLogs>(&kit, json!({"app_id": "payment", "severity": "loud"})).await;
        assert!(
            err.contains("'loud' is not a log level") && err.contains("warning"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn a_search_that_matches_nothing_says_what_was_searched_and_what_to_try() {
        let kit = testkit::ecommerce().await;
        let out = testkit::run::<GetAppLogs>(
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
                && out.text.contains("coroot_get_overview_logs(search='segfault kernel')"),
            "{}",
            out.text
        );
        assert_eq!(out.structured["total_entries"], 0);
    }

    #[tokio::test]
    async fn limit_is_clamped_and_said() {
        let kit = testkit::ecommerce().await;
        let out = testkit::run::<GetAppLogs>(&kit, json!({"app_id": "frontend", "limit": 1000})).await;
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
        let kit = testkit::ecommerce().await;
        let err = testkit::run_err::<GetAppLogs>(&kit, json!({"app_id": "chekout"})).await;
        assert!(err.contains("checkout"), "{err}");
    }

    #[test]
    fn secrets_in_log_lines_are_masked() {
        for (line, want) in [
            (
                "connecting with password=hunter2 to db",
                "connecting with password=[REDACTED] to db",
            ),
            (
                r#"{"user":"app","db_password": "s3cr3t!", "port": 5432}"#,
                r#"{"user":"app","db_password": "[REDACTED]", "port": 5432}"#,
            ),
            (
                "Authorization: Bearer abcdef0123456789 rejected",
                "Authorization: Bearer [REDACTED] rejected",
            ),
            (
                "dial postgres://shop:pa55word@10.42.3.15:5432/shop failed",
                "dial postgres://shop:[REDACTED]@10.42.3.15:5432/shop failed",
            ),
            ("key AKIAIOSFODNN7EXAMPLE used", "key [REDACTED] used"),
            (
                "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXZhbHVl ok",
                "jwt [REDACTED] ok",
            ),
            ("API_TOKEN=abc123&x=1", "API_TOKEN=[REDACTED]&x=1"),
            ("set-cookie: session=s3ss10n; Path=/", "set-cookie: [REDACTED]; Path=/"),
            ("Cookie: coroot_session=abc.def", "Cookie: [REDACTED]"),
            (
                "GET /b?X-Amz-Signature=9f8e7d6c&x=1",
                "GET /b?X-Amz-Signature=[REDACTED]&x=1",
            ),
            (
                "clone failed with ghp_0123456789abcdefABCDEF0123456789abcd",
                "clone failed with [REDACTED]",
            ),
            (
                "post xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp failed",
                "post [REDACTED] failed",
            ),
            ("charge sk_live_51HabcdefGHIJ0123456789 ok", "charge [REDACTED] ok"),
            (
                "maps key AIzaSyA-0123456789abcdefghijklmnopqrstu",
                "maps key [REDACTED]",
            ),
            ("ssh passphrase: 'open sesame'", "ssh passphrase: '[REDACTED]'"),
            (
                r#"{"password": "two words", "user": "x"}"#,
                r#"{"password": "[REDACTED]", "user": "x"}"#,
            ),
        ] {
            assert_eq!(redact(line), want, "{line}");
        }
        for prose in [
            "password authentication failed for user \"shop\"",
            "upstream payment returned 502: connection reset by peer",
            "Basic auth disabled",
            "dial tcp 10.42.3.15:5432: connect: connection refused",
            "cookie banner dismissed",
            "signature verification failed for release v1.2.3",
            "ghp_ short",
            "session expired, logging in again",
        ] {
            assert_eq!(redact(prose), prose);
        }
    }

    #[test]
    fn tags_are_stripped_from_coroot_messages() {
        assert_eq!(
            strip_tags("Using OpenTelemetry logs of <i>catalog</i>"),
            "Using OpenTelemetry logs of catalog"
        );
    }

    #[test]
    fn limits_clamp_into_range() {
        assert_eq!(clamp_limit(None), (50, None));
        assert_eq!(clamp_limit(Some(0)), (1, Some(0)));
        assert_eq!(clamp_limit(Some(200)), (200, None));
        assert_eq!(clamp_limit(Some(201)), (200, Some(201)));
    }
}
