//! The report: the ranked suspects turned into the output, with the verdict, the failure
//! paths and first signal, the symptoms and risks of the apps involved, what was checked and
//! found healthy, what could not be checked, and the calls that would confirm the top suspect.

use coroot_client::AppId;
use coroot_client::models::{Incident, IncidentView};

use super::evidence::Case;
use super::output::{Evidence, FirstFailure, IncidentOut, Output, Suspect};
use super::score::mentions;
use crate::analysis::app_key;
use crate::analysis::incident::rca_summary;
use crate::analysis::severity::is_error_level;
use crate::analysis::signals::{Kind, flags};
use crate::context::Window;
use coroot_client::TimeRange;

use super::changes;
use crate::links::Ui;
use crate::render::pinned;
use crate::render::units::{hours, iso, one_line};
use crate::tools::incidents::IncidentHead;
use crate::tools::names;

/// Below this, the verdict says the signals are weak.
const CLEAR_SCORE: u32 = 5;

/// What the report needs besides the case and the suspects.
pub(super) struct Meta {
    pub project: String,
    pub window: Window,
    pub wide_hours: f64,
    pub now: i64,
    pub failed: Vec<String>,
    pub incident_key: Option<String>,
    pub given_app: Option<AppId>,
    pub started_from: String,
    /// The open incident whose start the window was widened to cover.
    pub widened: Option<String>,
    /// Links into Coroot's UI over the window.
    pub ui: Ui,
    /// The window, and the one before it for what changed.
    pub range: TimeRange,
    pub before: TimeRange,
    /// When the earliest open incident in scope opened.
    pub opened: Option<i64>,
}

/// The whole output.
pub(super) fn output(case: &Case<'_>, mut suspects: Vec<Suspect>, mut meta: Meta) -> Output {
    // Calls finish in any order; the report should not.
    meta.failed.sort();
    for s in &mut suspects {
        s.url = match (&s.app, &s.node) {
            (Some(app), _) => Some(meta.ui.app(app)),
            (None, Some(node)) => Some(meta.ui.node(node)),
            (None, None) => None,
        };
    }
    let incidents = incidents(case, &meta.ui);
    let healthy = healthy(case, &suspects, &meta);
    let verdict = verdict(case, &suspects, &incidents, &meta);
    let pin = meta.window.pin();
    let next_calls = next_calls(case, &suspects, &meta)
        .iter()
        .map(|call| pinned(call, &pin))
        .collect();
    let started_from = started_from(case, &incidents, &meta);
    let first_failure = first_failure(case);
    let (compared, changes) = changes::changes(case.facts, meta.range, meta.before, meta.opened);
    Output {
        project: meta.project,
        window: meta.window,
        coroot_status: case.facts.problems.clone(),
        started_from,
        verdict,
        incidents,
        paths: case
            .paths
            .iter()
            .filter(|p| p.len() > 1)
            .map(|p| p.iter().map(|k| case.full(k)).collect())
            .collect(),
        first_failure,
        compared,
        changes,
        suspects,
        symptoms: symptoms(case),
        risks: risks(case),
        healthy,
        could_not_check: could_not_check(case, meta.failed),
        next_calls,
    }
}

fn incidents(case: &Case<'_>, ui: &Ui) -> Vec<IncidentOut> {
    case.facts
        .views
        .values()
        .map(|v| {
            let i = &v.incident;
            IncidentOut {
                url: ui.incident(&i.key),
                head: IncidentHead::from(i),
                rca_summary: rca_summary(i.rca.as_ref()),
                description: i.short_description.trim().to_string(),
            }
        })
        .collect()
}

/// The earliest failure signal of the apps in focus, or an incident's opening.
fn first_failure(case: &Case<'_>) -> Option<FirstFailure> {
    case.focus
        .iter()
        .filter_map(|k| case.path_first(k))
        .chain(case.facts.views.values().filter_map(|v| {
            v.incident
                .opened_at
                .map(|o| (o, format!("incident {} opened", v.incident.key)))
        }))
        .min_by_key(|(t, _)| *t)
        .map(|(ms, what)| FirstFailure { at: iso(ms), what, ms })
}

/// Failing SLOs of the apps in focus: the impact, not a cause.
fn symptoms(case: &Case<'_>) -> Vec<Evidence> {
    let mut out = Vec::new();
    for k in &case.focus {
        for c in case.checks_of(k).iter().filter(|c| c.report == "SLO") {
            out.push(Evidence {
                source_tool: names::APP_DETAIL,
                item: format!("{}: SLO / {}", case.name_of(k), c.title),
                fact: format!("{} {}", c.status.label(), one_line(&c.message)),
            });
        }
    }
    out.truncate(4);
    out
}

/// Open availability and security risks of the apps in focus.
fn risks(case: &Case<'_>) -> Vec<String> {
    case.facts
        .risks
        .iter()
        .flatten()
        .filter(|r| r.dismissal.is_none() && r.severity.is_failing())
        .filter(|r| case.focus.contains(&app_key(&r.application_id)))
        .take(4)
        .map(|r| {
            format!(
                "{} {} {}",
                case.short(&app_key(&r.application_id)),
                r.key.risk_type,
                r.severity.label()
            )
        })
        .collect()
}

fn started_from(case: &Case<'_>, incidents: &[IncidentOut], meta: &Meta) -> String {
    let mut out = meta.started_from.clone();
    out.push_str(&format!(
        " (incidents and deployments searched over the last {})",
        hours(meta.wide_hours)
    ));
    if meta.incident_key.is_none() && meta.given_app.is_none() {
        // Coroot lists the newest incidents whatever the window: count those in it.
        let from = meta.now - (meta.wide_hours * 3_600_000.0) as i64;
        let resolved = case
            .facts
            .incidents
            .iter()
            .flatten()
            .filter(|i| i.resolved_at.is_some_and(|r| r >= from))
            .count();
        if resolved > 0 {
            out.push_str(&format!("; {resolved} resolved incident(s) not investigated"));
        }
    }
    if let Some(key) = &meta.widened {
        out.push_str(&format!(
            "; health data from the last {} to cover the start of incident {key}",
            hours(meta.window.lookback_hours)
        ));
    }
    let window_start = meta.now - (meta.window.lookback_hours * 3_600_000.0) as i64;
    for i in incidents {
        if let Some(o) = i.head.opened_ms.filter(|o| *o < window_start) {
            out.push_str(&format!(
                "; note: incident {} opened before this window, pass lookback_hours={} to cover its start",
                i.head.key,
                ((meta.now - o) as f64 / 3_600_000.0).ceil() + 1.0
            ));
        }
    }
    out
}

/// What was checked and found healthy.
fn healthy(case: &Case<'_>, suspects: &[Suspect], meta: &Meta) -> Vec<String> {
    let facts = case.facts;
    let focus = &case.focus;
    let mut out = Vec::new();
    if let Some(list) = &facts.incidents
        && !list.iter().any(Incident::is_open)
    {
        out.push(format!("incidents (none open in the last {})", hours(meta.wide_hours)));
    }
    if let Some(apps) = &facts.apps {
        let ok = apps.iter().filter(|a| !a.status.is_failing()).count();
        if apps.is_empty() {
            out.push("applications (Coroot lists none)".into());
        } else if ok == apps.len() {
            out.push(format!("applications (all {ok} OK)"));
        } else if ok > 0 {
            out.push(format!("{ok} of {} applications OK", apps.len()));
        }
    }
    let ok_apps: Vec<String> = focus
        .iter()
        .filter(|k| facts.details.contains_key(*k) && case.checks_of(k).is_empty())
        .map(|k| case.short(k))
        .collect();
    if !ok_apps.is_empty() {
        out.push(format!("checks of {} (all OK)", ok_apps.join(", ")));
    }
    let quiet: Vec<String> = focus
        .iter()
        .filter(|k| facts.logs.contains_key(*k) && !facts.logs_unavailable.contains_key(*k))
        .filter(|k| case.logs_of(k).iter().all(|g| !is_error_level(&g.severity)))
        .map(|k| case.short(k))
        .collect();
    if !quiet.is_empty() {
        out.push(format!("error logs of {} (none)", quiet.join(", ")));
    }
    if let Some(nodes) = &facts.nodes {
        let up = nodes.iter().filter(|n| !n.status.status.is_failing()).count();
        if up == nodes.len() && up > 0 {
            out.push(format!("nodes (all {up} up)"));
        } else if up > 0 {
            out.push(format!("{up} of {} nodes up", nodes.len()));
        }
    }
    let clean: Vec<&str> = facts
        .node_reports
        .iter()
        .filter(|(_, r)| flags(r).is_empty())
        .map(|(n, _)| n.as_str())
        .collect();
    if !clean.is_empty() {
        out.push(format!("node detail of {} (nothing flagged)", clean.join(", ")));
    }
    if let Some(deps) = &facts.deployments {
        let correlated = suspects.iter().any(|s| s.signals.contains(&Kind::Deploy));
        if deps.is_empty() {
            out.push(format!("deployments (none in the last {})", hours(meta.wide_hours)));
        } else if !correlated && !focus.is_empty() {
            out.push(format!(
                "deployments ({} in the last {}, none of these apps in the 6h before the failure)",
                deps.len(),
                hours(meta.wide_hours)
            ));
        } else if !correlated {
            out.push(format!(
                "deployments ({} in the last {})",
                deps.len(),
                hours(meta.wide_hours)
            ));
        }
    }
    if let Some(events) = facts
        .events
        .as_ref()
        .filter(|_| !facts.logs_unavailable.contains_key(""))
    {
        if events.is_empty() {
            out.push("Kubernetes events (no warnings)".into());
        } else if case.events.values().all(Vec::is_empty) {
            out.push(format!(
                "Kubernetes events ({} warnings, none about these apps)",
                events.len()
            ));
        }
    }
    if let Some(errs) = &facts.trace_errors
        && errs.is_empty()
        && facts.traces_unavailable.is_none()
    {
        out.push("traces (no error traces)".into());
    }
    if let Some(risks) = &facts.risks
        && !risks.iter().any(|r| r.dismissal.is_none() && r.severity.is_failing())
    {
        out.push("risks (none)".into());
    }
    out
}

/// The calls that failed, and the data Coroot could not give (logs, events and traces without
/// ClickHouse): unavailable, not clean.
fn could_not_check(case: &Case<'_>, failed: Vec<String>) -> Vec<String> {
    let facts = case.facts;
    let mut out = failed;
    let apps: Vec<String> = facts
        .logs_unavailable
        .keys()
        .filter(|k| !k.is_empty())
        .map(|k| case.short(k))
        .collect();
    if let Some(why) = facts.logs_unavailable.values().next() {
        let what = match (apps.is_empty(), facts.logs_unavailable.contains_key("")) {
            (false, true) => format!("logs of {} and Kubernetes events", apps.join(", ")),
            (false, false) => format!("logs of {}", apps.join(", ")),
            (true, _) => "Kubernetes events".to_string(),
        };
        out.push(format!("{what}: {why}"));
    }
    if let Some(why) = &facts.traces_unavailable {
        out.push(format!("traces: {why}"));
    }
    out
}

/// One-line conclusion.
fn verdict(case: &Case<'_>, suspects: &[Suspect], incidents: &[IncidentOut], meta: &Meta) -> String {
    let facts = case.facts;
    let anything_failing = !incidents.is_empty()
        || case.focus.iter().any(|k| facts.status(k).is_failing())
        || facts.nodes.iter().flatten().any(|n| n.status.status.is_failing());
    match suspects.first() {
        Some(top) if top.score >= CLEAR_SCORE => {
            let mut v = format!("most likely {} (score {}", top.cause, top.score);
            if let Some(second) = suspects.get(1) {
                v.push_str(&format!("; next {}", second.score));
            }
            v.push(')');
            if !top.incidents.is_empty() {
                let (noun, verb) = if top.incidents.len() > 1 {
                    ("incidents", "point")
                } else {
                    ("incident", "points")
                };
                v.push_str(&format!(", which open {noun} {} {verb} at", top.incidents.join(", ")));
            }
            v.push('.');
            v.push_str(&other_problems(suspects));
            v
        }
        Some(top) => format!(
            "no clear root cause; the strongest signal is {} (score {}).",
            top.cause, top.score
        ),
        None if anything_failing => {
            let failing: Vec<String> = case
                .focus
                .iter()
                .filter(|k| facts.status(k).is_failing())
                .map(|k| case.short(k))
                .collect();
            format!(
                "{} failing, but no cause signal was found in checks, deployments, events, logs or nodes; see the next calls.",
                if failing.is_empty() {
                    "something is".into()
                } else {
                    format!("{} is", failing.join(", "))
                }
            )
        }
        None if meta.failed.is_empty() => {
            let apps = facts.apps.as_deref().unwrap_or_default();
            let nodes = facts.nodes.as_deref().unwrap_or_default();
            if apps.is_empty() && nodes.is_empty() {
                return "nothing to investigate: Coroot sees no application and no node in this project (is its node agent installed?).".into();
            }
            let mut parts = Vec::new();
            match &meta.given_app {
                Some(id) => parts.push(format!("{} has no failing check and no open incident", id.short())),
                None => parts.push("no open incident".to_string()),
            }
            let ok = apps.iter().filter(|a| !a.status.is_failing()).count();
            if ok == apps.len() {
                parts.push(format!("all {ok} applications OK"));
            } else {
                parts.push(format!("{ok} of {} applications OK", apps.len()));
            }
            let up = nodes.iter().filter(|n| !n.status.status.is_failing()).count();
            if up == nodes.len() {
                parts.push(format!("all {up} nodes up"));
            } else {
                parts.push(format!("{up} of {} nodes up", nodes.len()));
            }
            format!(
                "nothing points at a cause: {}; what was checked is listed under Checked and healthy.",
                parts.join(", ")
            )
        }
        None => format!(
            "nothing wrong found in what could be checked, but {} check(s) failed (see Could not check).",
            meta.failed.len()
        ),
    }
}

/// The problems besides the first, each by its strongest suspect: ` 2 more independent
/// problems: … (score 4; no open incident covers it); …`.
fn other_problems(suspects: &[Suspect]) -> String {
    let others: Vec<String> = suspects
        .iter()
        .filter(|s| s.problem > 1)
        .filter(|s| {
            suspects
                .iter()
                .find(|x| x.problem == s.problem)
                .is_some_and(|x| x.rank == s.rank)
        })
        .map(|s| {
            let covered = if s.incidents.is_empty() {
                "no open incident covers it".to_string()
            } else {
                format!("incident {}", s.incidents.join(", "))
            };
            format!("{} (score {}; {covered})", s.cause, s.score)
        })
        .collect();
    match others.len() {
        0 => String::new(),
        1 => format!(" Also an independent problem: {}.", others.join("")),
        n => format!(" Also {n} independent problems: {}.", others.join("; ")),
    }
}

/// The calls that would confirm the top suspect.
fn next_calls(case: &Case<'_>, suspects: &[Suspect], meta: &Meta) -> Vec<String> {
    let facts = case.facts;
    let mut out: Vec<String> = Vec::new();
    let Some(top) = suspects.first() else {
        out.push(format!("{}(lookback_hours=168) for older incidents", names::INCIDENTS));
        out.push(format!(
            "{}(severity='error', limit=50) for errors anywhere",
            names::OVERVIEW_LOGS
        ));
        if !meta.failed.is_empty() {
            out.push(format!("retry {}() for the checks that failed", names::INVESTIGATE));
        }
        return out;
    };
    let app = top.app.as_deref().map(AppId::new);
    let selector = app.as_ref().and_then(|a| {
        (!a.namespace().is_empty()).then(|| format!("{{container_id=~\"/k8s/{}/{}-.*\"}}", a.namespace(), a.name()))
    });
    let query = |q: String| format!("{}(promql='{q}')", names::QUERY_METRICS);
    let rate = |m: &str| selector.as_ref().map(|s| query(format!("rate({m}{s}[5m])")));
    match top.kind {
        Kind::Oom => out.extend(
            selector
                .as_ref()
                .map(|s| query(format!("increase(container_oom_kills_total{s}[1h])"))),
        ),
        Kind::TcpConnect | Kind::Connectivity => out.extend(rate("container_net_tcp_failed_connects_total")),
        Kind::Dns => out.extend(rate("container_dns_requests_total")),
        Kind::CpuThrottling => out.extend(rate("container_resources_cpu_throttled_seconds_total")),
        _ => {}
    }
    if let Some(node) = &top.node {
        out.push(format!("{}(node_name='{node}')", names::NODE_DETAIL));
    }
    if let Some(a) = &app {
        out.push(format!("{}(app_id='{a}', severity='error')", names::APP_LOGS));
        if matches!(top.kind, Kind::TcpConnect | Kind::Connectivity)
            && let Some(target) = facts
                .map_app(&app_key(a))
                .and_then(|m| m.upstreams.iter().find(|l| l.status.is_failing()))
        {
            let id = case
                .ids
                .get(&app_key(&target.id))
                .cloned()
                .unwrap_or_else(|| target.id.clone());
            out.push(format!("{}(app_id='{id}') for the upstream", names::APP_DETAIL));
        }
    }
    // A trace through the suspect: from its own error logs, else from clients' logs naming it,
    // else the sample of its error-trace group.
    let trace = app.as_ref().and_then(|a| {
        let own = case.logs_of(&app_key(a)).iter();
        let others = case
            .logs
            .values()
            .flatten()
            .filter(|g| mentions(&one_line(&g.message), a.name()));
        own.chain(others)
            .find_map(|g| g.trace_ids.first().cloned())
            .or_else(|| {
                facts
                    .trace_errors
                    .iter()
                    .flatten()
                    .find(|e| e.service_name == a.name() && !e.sample_trace_id.is_empty())
                    .map(|e| e.sample_trace_id.clone())
            })
    });
    if let Some(t) = trace {
        out.push(format!("{}(trace_id='{t}')", names::TRACES));
    }
    // The incident nearest where the failure starts says most about the cause; then the
    // widest impact.
    let nearest = |v: &&IncidentView| {
        let app = app_key(&v.incident.application_id);
        case.paths
            .iter()
            .filter_map(|p| p.iter().position(|a| *a == app))
            .min()
            .unwrap_or(usize::MAX)
    };
    if let Some(v) = facts.views.values().min_by(|a, b| {
        nearest(a)
            .cmp(&nearest(b))
            .then(b.incident.impact.total_cmp(&a.incident.impact))
    }) {
        out.push(format!("{}(incident_key='{}')", names::INCIDENT_DETAIL, v.incident.key));
    }
    out.truncate(4);
    out
}
