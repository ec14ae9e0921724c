//! The two log tools, and what they share: the level and limit parameters, the filters sent to
//! Coroot, the collapsed-message output and its line, the summary and the next step.
//!
//! Coroot matches severity names case-sensitively in lower case and reads anything else as
//! `unknown`, so `Error` (what the seed suggests) silently matched nothing in the Python
//! original; the level is normalised here and an unknown word is refused. Coroot ORs filters of
//! one name, so a minimum level is sent as that level and every more severe one.

pub mod app;
pub mod overview;

use coroot_client::query::LogFilter;
use schemars::JsonSchema;
use serde::Serialize;

use crate::analysis::logs::{Group, level_counts, level_totals};
use crate::analysis::severity::{LEVELS, is_error_level, level_word};
use crate::error::ToolError;
use crate::render::Answer;
use crate::render::units::iso;
use crate::render::untrusted::{fenced, scrub};
use crate::tools::names;

/// Entries fetched when `limit` is not given.
pub(crate) const DEFAULT_LIMIT: u32 = 50;
/// Largest `limit` accepted (the seed's cap).
pub(crate) const MAX_LIMIT: u32 = 200;
/// Longest message kept in structured output; whole stack traces cost megabytes.
pub(crate) const STRUCT_CHARS: usize = 4000;
/// Longest message line in the text when few messages are shown.
const TEXT_CHARS: usize = 1000;

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

impl LogFilters {
    /// Validates the level and clamps the limit; `Err` names the valid levels.
    pub(crate) fn new(
        tool: &'static str,
        severity: Option<&str>,
        search: Option<String>,
        limit: Option<u32>,
    ) -> Result<(LogFilters, Vec<LogFilter>), ToolError> {
        let level = severity_filter(tool, severity)?;
        let (limit, requested_limit) = clamp_limit(limit);
        let mut sent = Vec::new();
        if let Some((_, f)) = &level {
            sent.extend(f.iter().cloned());
        }
        if let Some(s) = &search {
            sent.push(LogFilter::message_contains(s));
        }
        let filters = LogFilters {
            severity: level.map(|(word, _)| word),
            search,
            limit,
            requested_limit,
        };
        Ok((filters, sent))
    }
}

/// Entries of one severity.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SeverityCount {
    /// Coroot's level word.
    pub severity: String,
    /// Entries.
    pub count: usize,
}

/// Identical log lines collapsed into one. Its times and body take their final form only when
/// it is written: most groups of a long answer are past the cap, and never are.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LogGroup {
    /// Newest occurrence, UTC ISO-8601.
    #[serde(rename = "last_seen", serialize_with = "iso_string")]
    #[schemars(with = "String")]
    pub last_ms: i64,
    /// Oldest occurrence, UTC ISO-8601.
    #[serde(rename = "first_seen", serialize_with = "iso_string")]
    #[schemars(with = "String")]
    pub first_ms: i64,
    /// Occurrences among the entries returned.
    pub count: usize,
    /// Coroot's level word (`error`, `warning`, ...).
    pub severity: String,
    /// The log body.
    #[serde(serialize_with = "scrubbed")]
    #[schemars(with = "String")]
    pub message: String,
    /// Up to 3 trace ids, newest first.
    pub trace_ids: Vec<String>,
    /// Up to 3 pods that logged it.
    pub pods: Vec<String>,
    #[serde(skip)]
    pub(crate) more_traces: usize,
}

impl From<Group> for LogGroup {
    fn from(g: Group) -> Self {
        LogGroup {
            last_ms: g.last_ms,
            first_ms: g.first_ms,
            count: g.count,
            severity: g.severity,
            message: g.message,
            trace_ids: g.trace_ids,
            pods: g.pods,
            more_traces: g.more_traces,
        }
    }
}

fn iso_string<S: serde::Serializer>(ms: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&iso(*ms))
}

/// A log body as the structured result holds third-party text (see `render::untrusted`).
fn scrubbed<S: serde::Serializer>(message: &str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&scrub(message, STRUCT_CHARS))
}

/// Lines per severity over the whole window, from Coroot's histogram: every matching line,
/// not only the ones returned.
pub(crate) fn window_counts(chart: Option<&coroot_client::models::Chart>) -> Vec<SeverityCount> {
    chart
        .map(level_totals)
        .unwrap_or_default()
        .into_iter()
        .map(|(severity, count)| SeverityCount {
            severity,
            count: usize::try_from(count).unwrap_or(usize::MAX),
        })
        .collect()
}

/// Whether the lines returned are the newest ones. Before v1.24.1 Coroot's ClickHouse query had
/// no `ORDER BY` (`clickhouse/logs.go`, fixed in commit 7522c93), so when more lines match
/// than the limit, the ones returned are an arbitrary sample.
pub(crate) async fn newest_first(ctx: &crate::context::ToolContext, limit_reached: bool) -> bool {
    !limit_reached || ctx.client.version().await.is_none_or(|v| v.at_least(1, 24, 1))
}

/// Entries per severity, most severe first.
pub(crate) fn severity_counts(entries: &[coroot_client::models::LogEntry]) -> Vec<SeverityCount> {
    level_counts(entries)
        .into_iter()
        .map(|(severity, count)| SeverityCount { severity, count })
        .collect()
}

/// Message width in the text for `n` collapsed lines: long messages when there are few, so
/// the 120,000-character cap is never what hides the oldest error lines.
pub(crate) fn text_chars(n: usize) -> usize {
    (100_000 / n.max(1)).saturating_sub(350).clamp(200, TEXT_CHARS)
}

/// The `Severity` filters for a user's level word: that level and every more severe one, so
/// `error` also finds `fatal` lines such as an out-of-memory crash. `None` when no level was
/// given; an error naming the valid ones for an unknown word. Returns Coroot's word too.
fn severity_filter(tool: &'static str, level: Option<&str>) -> Result<Option<(String, Vec<LogFilter>)>, ToolError> {
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
fn clamp_limit(requested: Option<u32>) -> (u32, Option<u32>) {
    match requested {
        None => (DEFAULT_LIMIT, None),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => (n, None),
        Some(n) => (n.clamp(1, MAX_LIMIT), Some(n)),
    }
}

/// The note under the header when `limit` was replaced.
pub(crate) fn limit_note(t: &mut Answer, f: &LogFilters) {
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
    let overview = names::OVERVIEW_LOGS;
    if let (Some(_), Some(s)) = (app, &f.search) {
        tries.push(format!("{overview}(search='{s}') to search every app"));
    } else if app.is_some() {
        tries.push(format!("{overview}() to search every app"));
    }
    format!("next: try {}", tries.join(", or "))
}

/// The counts line: what was returned and, when Coroot's histogram says more lines match in
/// the window, how many and whether the returned ones are the newest or a sample.
/// `12345 lines match in the window: 120 error, 12225 info · 50 entries returned (limit reached: the newest; older ones exist): 12 error, 38 info · 9 distinct messages, newest first`.
pub(crate) fn summary_line(
    total: usize,
    limit_reached: bool,
    newest_first: bool,
    window: &[SeverityCount],
    counts: &[SeverityCount],
    groups: usize,
) -> String {
    let list = |c: &[SeverityCount]| {
        c.iter()
            .map(|c| format!("{} {}", c.count, c.severity))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // Counts come from Coroot: a corrupt histogram must not overflow.
    let matched = window.iter().fold(0usize, |n, c| n.saturating_add(c.count));
    let mut out = String::new();
    if matched > total {
        out.push_str(&format!("{matched} lines match in the window: {} · ", list(window)));
    }
    let returned = match (limit_reached, newest_first, out.is_empty()) {
        (false, _, _) => "",
        (true, true, true) => " (limit reached; older ones exist)",
        (true, true, false) => " returned (limit reached: the newest; older ones exist)",
        (true, false, _) => {
            " returned (limit reached: Coroot before v1.24.1 returns matching lines in no order, so these are a sample, not the newest)"
        }
    };
    out.push_str(&format!(
        "{total} {}{returned}: {} · {groups} distinct {}, newest first",
        if total == 1 { "entry" } else { "entries" },
        list(counts),
        if groups == 1 { "message" } else { "messages" }
    ));
    out
}

/// One collapsed line: `<last> ERROR [who: ]×N message · first <t> · pods a, b · trace <id>`.
pub(crate) fn group_line(g: &LogGroup, who: Option<&str>, width: usize) -> String {
    let mut s = format!("{} {}", iso(g.last_ms), level_word(&g.severity));
    if let Some(w) = who {
        s.push(' ');
        s.push_str(w);
        s.push(':');
    }
    if g.count > 1 {
        s.push_str(&format!(" ×{}", g.count));
    }
    s.push(' ');
    s.push_str(&fenced(&scrub(&g.message, STRUCT_CHARS), width));
    if g.count > 1 {
        s.push_str(&format!(" · first {}", iso(g.first_ms)));
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

/// The footer: the trace of the newest error line, else of any line, else how to see more,
/// else `fallback`.
pub(crate) fn next_step<'a>(
    groups: impl Iterator<Item = &'a LogGroup> + Clone,
    limit_reached: bool,
    f: &LogFilters,
    fallback: String,
) -> String {
    let trace = groups
        .clone()
        .filter(|g| is_error_level(&g.severity))
        .chain(groups.clone())
        .find_map(|g| g.trace_ids.first());
    if let Some(id) = trace {
        return format!(
            "next: {}(trace_id='{id}') for the span tree of that request",
            names::TRACES
        );
    }
    if f.severity.is_none() && groups.clone().any(|g| is_error_level(&g.severity)) {
        return "next: pass severity='error' to see only errors and fatal lines".into();
    }
    if limit_reached && f.limit < MAX_LIMIT {
        return format!("next: raise limit (max {MAX_LIMIT}) or narrow with severity/search to see older entries");
    }
    fallback
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_clamp_into_range() {
        assert_eq!(clamp_limit(None), (50, None));
        assert_eq!(clamp_limit(Some(0)), (1, Some(0)));
        assert_eq!(clamp_limit(Some(200)), (200, None));
        assert_eq!(clamp_limit(Some(201)), (200, Some(201)));
    }
}
