//! What changed: the incident's window against the window of the same length just before it.
//! Rollouts in either (a rollout that causes an incident lands before it starts), error log
//! patterns seen only in the incident's window, health checks (the applications view's cells)
//! that turned WARNING or CRITICAL, and links of the service map that started failing; in the
//! order they happened where Coroot says when, so the first change is named.

use std::collections::{BTreeMap, BTreeSet};

use coroot_client::models::{ApplicationStatus, LogEntry, MapApplication};
use coroot_client::{AppId, Status, TimeRange};
use schemars::JsonSchema;
use serde::Serialize;

use super::fetch::Facts;
use crate::analysis::logs::pattern;
use crate::render::units::{iso, one_line, span_ms};
use crate::render::untrusted::scrub;

/// Longest log pattern kept.
pub(super) const PATTERN_CHARS: usize = 160;
/// Changes kept, the earliest first.
const MAX_CHANGES: usize = 8;

/// The windows compared.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
pub struct Compared {
    /// Start of the investigation's window (widened to cover an open incident's start), UTC
    /// ISO-8601.
    pub from: String,
    /// Its end.
    pub to: String,
    /// Start of the window before it, of the same length (15 minutes to a day).
    pub before_from: String,
    /// That length, ms.
    #[serde(skip)]
    pub(super) before_ms: i64,
}

/// One change.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
pub struct Change {
    /// When, UTC ISO-8601, where Coroot says (rollouts, first log lines); else within the window.
    pub at: Option<String>,
    /// `deployment`, `log_pattern`, `check` or `link`.
    pub kind: &'static str,
    /// The application.
    pub app: String,
    /// What changed, e.g. `memory OK → CRITICAL (OOM)`.
    pub what: String,
    /// A new error log pattern's first line: third-party text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sample: Option<String>,
    #[serde(skip)]
    pub(super) ms: Option<i64>,
}

/// The window before `now`'s, to compare with: as long as `now` (at least 15 minutes, at most a
/// day), ending where it starts.
pub(super) fn before(now: TimeRange) -> TimeRange {
    let len = (now.to_ms - now.from_ms).clamp(15 * 60_000, 24 * 3_600_000);
    TimeRange {
        from_ms: now.from_ms - len,
        to_ms: now.from_ms,
    }
}

/// The changes from `before` to the incident window `now`, the earliest first.
pub(super) fn changes(
    facts: &Facts,
    now: TimeRange,
    before: TimeRange,
    opened: Option<i64>,
) -> (Compared, Vec<Change>) {
    let compared = Compared {
        from: iso(now.from_ms),
        to: iso(now.to_ms),
        before_from: iso(before.from_ms),
        before_ms: before.to_ms - before.from_ms,
    };
    let mut out = Vec::new();
    for d in facts.deployments.iter().flatten() {
        let Some(ms) = d.started_at_ms().filter(|ms| (before.from_ms..now.to_ms).contains(ms)) else {
            continue;
        };
        let when = match opened {
            Some(t0) if ms <= t0 => format!(", {} before the incident opened", span_ms(t0 - ms)),
            Some(t0) => format!(", {} after the incident opened", span_ms(ms - t0)),
            None => String::new(),
        };
        out.push(Change {
            at: Some(iso(ms)),
            kind: "deployment",
            app: d.application.id.as_str().to_owned(),
            what: format!("rollout {} ({}{when})", d.version, d.status.label()),
            sample: None,
            ms: Some(ms),
        });
    }
    if let (Some(now_logs), Some(before_logs)) = (&facts.errors_now, &facts.errors_before) {
        out.extend(new_patterns(now_logs, before_logs));
    }
    if let (Some(now_apps), Some(before_apps)) = (&facts.apps, &facts.apps_before) {
        out.extend(turned_bad(now_apps, before_apps));
    }
    if let (Some(now_map), Some(before_map)) = (&facts.map, &facts.map_before) {
        out.extend(links_failing(now_map, before_map));
    }
    // Timed changes in order; the untimed (sometime in the window) after them.
    out.sort_by_key(|c| (c.ms.is_none(), c.ms));
    out.truncate(MAX_CHANGES);
    (compared, out)
}

/// Error patterns of the incident window that the window before never logged.
fn new_patterns(now: &[LogEntry], before: &[LogEntry]) -> Vec<Change> {
    let seen: BTreeSet<(&str, String)> = before
        .iter()
        .map(|e| (e.application.as_str(), pattern(&e.message)))
        .collect();
    let mut first: BTreeMap<(&str, String), (i64, &str)> = BTreeMap::new();
    for e in now {
        let key = (e.application.as_str(), pattern(&e.message));
        if seen.contains(&key) {
            continue;
        }
        let slot = first.entry(key).or_insert((e.timestamp, &e.message));
        if e.timestamp < slot.0 {
            *slot = (e.timestamp, &e.message);
        }
    }
    first
        .into_iter()
        .map(|((app, _), (ms, message))| Change {
            at: Some(iso(ms)),
            kind: "log_pattern",
            app: app.to_string(),
            what: "new error log pattern".into(),
            sample: Some(scrub(&one_line(message), PATTERN_CHARS)),
            ms: Some(ms),
        })
        .collect()
}

/// Cells of the applications view that are WARNING or worse now and were better before.
fn turned_bad(now: &[ApplicationStatus], before: &[ApplicationStatus]) -> Vec<Change> {
    let before: BTreeMap<&AppId, &ApplicationStatus> = before.iter().map(|a| (&a.id, a)).collect();
    let mut out = Vec::new();
    for app in now {
        let was = before.get(&app.id);
        for (name, cell) in app.params() {
            let old = was.map_or(Status::Unknown, |w| {
                w.params()
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map_or(Status::Unknown, |(_, c)| c.status)
            });
            if cell.status >= Status::Warning && cell.status > old {
                let value = cell.value.trim();
                out.push(Change {
                    at: None,
                    kind: "check",
                    app: app.id.as_str().to_owned(),
                    what: format!(
                        "{name} {} → {}{}",
                        old.label(),
                        cell.status.label(),
                        if value.is_empty() {
                            String::new()
                        } else {
                            format!(" ({value})")
                        }
                    ),
                    sample: None,
                    ms: None,
                });
            }
        }
    }
    out
}

/// Client → upstream links that fail now and did not before.
fn links_failing(now: &[MapApplication], before: &[MapApplication]) -> Vec<Change> {
    let was: BTreeMap<(&AppId, &AppId), Status> = before
        .iter()
        .flat_map(|a| a.upstreams.iter().map(move |l| ((&a.id, &l.id), l.status)))
        .collect();
    let mut out = Vec::new();
    for a in now {
        for l in &a.upstreams {
            let old = was.get(&(&a.id, &l.id)).copied().unwrap_or(Status::Unknown);
            if l.status.is_failing() && l.status > old {
                out.push(Change {
                    at: None,
                    kind: "link",
                    app: a.id.as_str().to_owned(),
                    what: format!("link to {} {} → {}", l.id.short(), old.label(), l.status.label()),
                    sample: None,
                    ms: None,
                });
            }
        }
    }
    out
}
