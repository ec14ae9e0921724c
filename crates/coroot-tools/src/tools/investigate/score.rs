//! Scoring: each app in focus, and each flagged or down node, becomes a suspect whose score is
//! the sum of the rules that apply to it (the rules and their reasons are in the module doc of
//! `coroot_investigate`). Every rule that scores records the fact behind it.

use std::collections::BTreeSet;

use coroot_client::Status;
use coroot_client::models::{LogEntry, TraceError};

use super::draft::{Draft, NODE_ONLY, Prio, node_fact};
use super::evidence::Case;
use super::output::Suspect;
use super::{problems, shared};
use crate::analysis::app_key;
use crate::analysis::charts::{app_charts, series_stats};
use crate::analysis::logs::Group;
use crate::analysis::propagation::Graph;
use crate::analysis::severity::is_error_level;
use crate::analysis::signals::{Kind, event_kind, flags, log_kind};
use crate::render::units::{iso, num, one_line, percent, span_ms, when};
use crate::render::untrusted::fenced;
use crate::tools::names;

/// A deployment this long before the first failure signal still counts as a suspect.
const DEPLOY_BEFORE_MS: i64 = 6 * 3_600_000;
/// Clock skew tolerated between a rollout and the first failure it may have caused.
const DEPLOY_SKEW_MS: i64 = 2 * 60_000;

// Points of the scoring rules (see the module doc of `coroot_investigate` for why).
const CHECK_CRITICAL: u32 = 4;
const CHECK_WARNING: u32 = 3;
const NODE_CONFIRMS: u32 = 2;
const PATH_START: u32 = 3;
const ON_PATH: u32 = 1;
const COROOT_RCA: u32 = 2;
const DEPLOY: u32 = 2;
const DEPLOY_FLAGGED: u32 = 1;
const EVENTS: u32 = 1;
const LOGS_AGREE: u32 = 1;
const TRACES: u32 = 1;
const SYMPTOMS_AT_START: u32 = 1;

/// Every suspect, most likely first.
pub(super) fn suspects(case: &Case<'_>, now: i64) -> Vec<Suspect> {
    let mut drafts: Vec<Draft> = case.focus.iter().filter_map(|k| app_suspect(case, k, now)).collect();
    for k in &case.focus {
        client_logs(case, k, &mut drafts);
        network_charts(case, k, &mut drafts);
    }
    let nodes = shared::node_suspects(case, &drafts);
    drafts.extend(nodes);
    drafts.extend(shared::network_node(case, &drafts));
    shared::explain(case, &mut drafts);
    problems::rank(case, drafts)
}

/// The suspect an app in focus makes, if any rule applies to it.
fn app_suspect(case: &Case<'_>, k: &str, now: i64) -> Option<Draft> {
    let mut d = Draft::new(Some(k.to_string()), None);
    failing_checks(case, k, &mut d);
    failing_links(case, k, &mut d);
    deployment(case, k, now, &mut d);
    flagged_tables(case, k, &mut d);
    volume_node(case, k, &mut d);
    flagged_nodes(case, k, &mut d);
    let is_start = case.starts.contains(k);
    if d.rules.is_empty() {
        // Only symptoms: a suspect only where the failure path starts.
        if !(is_start && case.facts.status(k).is_failing()) {
            return None;
        }
        d.rule(
            format!("symptoms at the path start +{SYMPTOMS_AT_START}"),
            SYMPTOMS_AT_START,
        );
        d.kinds.insert(Kind::Errors);
        let name = case.name_of(k);
        for c in case.checks_of(k) {
            d.fact(
                Prio::Other,
                names::APP_DETAIL,
                format!("{name}: {} / {}", c.report, c.title),
                format!("{}: {}", c.status.label(), c.message),
            );
        }
    }
    if is_start {
        d.rule(format!("path start +{PATH_START}"), PATH_START);
    } else if case.on_path.contains(k) {
        d.rule(format!("on the path +{ON_PATH}"), ON_PATH);
    }
    coroot_rca(case, k, &mut d);
    kubernetes_events(case, k, &mut d);
    own_logs(case, k, &mut d);
    error_traces(case, k, &mut d);
    Some(d)
}

/// A failing check on the app that names a cause: CRITICAL +4, WARNING +3.
fn failing_checks(case: &Case<'_>, k: &str, d: &mut Draft) {
    let name = case.name_of(k);
    let causes: Vec<_> = case.checks_of(k).iter().filter(|c| c.kind.is_some()).collect();
    let Some(worst) = causes.iter().map(|c| c.status).max() else {
        return;
    };
    let pts = if worst == Status::Critical {
        CHECK_CRITICAL
    } else {
        CHECK_WARNING
    };
    d.rule(format!("check {} +{pts}", worst.label()), pts);
    d.worst = worst;
    for c in &causes {
        if let Some(kind) = c.kind {
            d.kinds.insert(kind);
        }
        d.fact(
            Prio::Check,
            names::APP_DETAIL,
            format!("{name}: {} / {}", c.report, c.title),
            format!("{}: {}", c.status.label(), c.message),
        );
    }
}

/// The dependencies this app fails to reach, for the headline and the evidence, and failing
/// links into it.
fn failing_links(case: &Case<'_>, k: &str, d: &mut Draft) {
    let facts = case.facts;
    let Some(app) = facts.map_app(k) else {
        return;
    };
    let name = case.name_of(k);
    for l in app.upstreams.iter().filter(|l| l.status.is_failing()) {
        let up = case.name_of(&app_key(&l.id));
        d.targets.push(up.clone());
        d.fact(
            Prio::Link,
            names::SERVICE_MAP,
            format!("{name} → {up}"),
            format!("{} {}", l.status.label(), link_text(&l.stats)),
        );
    }
    for l in &app.downstreams {
        let client = app_key(&l.id);
        let link = facts
            .map_app(&client)
            .and_then(|c| c.upstreams.iter().find(|u| app_key(&u.id) == k));
        if let Some(link) = link.filter(|l| l.status.is_failing()) {
            d.fact(
                Prio::Link,
                names::SERVICE_MAP,
                format!("{} → {name}", case.name_of(&client)),
                format!("{} {}", link.status.label(), link_text(&link.stats)),
            );
        }
    }
}

/// A deployment of the app within 6h before the first failure signal: +2, +1 more when
/// Coroot flags the rollout.
fn deployment(case: &Case<'_>, k: &str, now: i64, d: &mut Draft) {
    let Some((ff, _)) = case.path_first(k) else {
        return;
    };
    let deploy = case
        .facts
        .deployments
        .iter()
        .flatten()
        .filter(|dep| app_key(&dep.application.id) == k)
        .filter_map(|dep| dep.started_at_ms().map(|t| (t, dep)))
        .filter(|(t, _)| *t <= ff + DEPLOY_SKEW_MS && ff - *t <= DEPLOY_BEFORE_MS)
        .max_by_key(|(t, _)| *t);
    let Some((t, dep)) = deploy else {
        return;
    };
    let before = span_ms((ff - t).max(0));
    d.rule(format!("deploy {before} before the failure +{DEPLOY}"), DEPLOY);
    let bad: Vec<&str> = dep
        .summary
        .iter()
        .filter(|s| s.status.contains('💔'))
        .map(|s| s.message.as_str())
        .collect();
    if dep.status.is_failing() || !bad.is_empty() {
        d.rule(format!("rollout flagged +{DEPLOY_FLAGGED}"), DEPLOY_FLAGGED);
    }
    d.kinds.insert(Kind::Deploy);
    d.deploy = Some(dep.version.clone());
    let mut fact = format!(
        "deployed {}, {before} before the first failure signal; rollout {}",
        when(now, t),
        dep.status.label()
    );
    for b in &bad {
        fact.push_str(&format!("; {b}"));
    }
    d.fact(
        Prio::Deploy,
        names::DEPLOYMENTS,
        format!("{} {}", case.name_of(k), dep.version),
        fact,
    );
}

/// Flagged rows of the app's own tables (e.g. the Storage volume) that back its checks.
fn flagged_tables(case: &Case<'_>, k: &str, d: &mut Draft) {
    let name = case.name_of(k);
    let reports = case
        .facts
        .details
        .get(k)
        .map(|v| v.reports.as_slice())
        .unwrap_or_default();
    for report in reports {
        for flag in flags(report) {
            if !d.kinds.iter().any(|dk| dk.family().contains(&flag.kind)) {
                continue;
            }
            if let Some(dev) = &flag.device {
                d.device = Some(dev.clone());
            }
            d.fact(
                Prio::Node,
                names::APP_DETAIL,
                format!("{name}: {} / {}", report.name, flag.row),
                node_fact(&flag),
            );
        }
    }
}

/// A volume problem sits on a node: name it when all the app's instances share one.
fn volume_node(case: &Case<'_>, k: &str, d: &mut Draft) {
    if !(d.kinds.contains(&Kind::DiskIo) || d.kinds.contains(&Kind::DiskSpace)) {
        return;
    }
    let list = case.pods_of(k);
    let nodes: BTreeSet<&str> = list.iter().map(|(_, n)| n.as_str()).filter(|n| !n.is_empty()).collect();
    if let (1, Some((pod, node))) = (nodes.len(), list.iter().find(|(_, n)| !n.is_empty())) {
        d.node = Some(node.clone());
        d.fact(
            Prio::Node,
            names::APP_DETAIL,
            format!("{}: Instances / {pod}", case.name_of(k)),
            format!("runs on node {node}"),
        );
    }
}

/// A flagged node resource used by the app: +2 when it confirms the app's own check, +3 when
/// it is the only signal.
fn flagged_nodes(case: &Case<'_>, k: &str, d: &mut Draft) {
    let pods = case.pods_of(k);
    for (node, report) in &case.facts.node_reports {
        for flag in flags(report) {
            let used = flag.used_by.iter().any(|u| pods.iter().any(|(pod, _)| pod == u));
            if !used {
                continue;
            }
            if d.kinds.contains(&flag.kind) {
                d.rule(format!("node confirms +{NODE_CONFIRMS}"), NODE_CONFIRMS);
            } else {
                d.rule(format!("node flag +{NODE_ONLY}"), NODE_ONLY);
                d.kinds.insert(flag.kind);
            }
            d.node = Some(node.clone());
            d.device = Some(flag.row.clone());
            d.fact(
                Prio::Node,
                names::NODE_DETAIL,
                format!("{node} {} {}", flag.group, flag.row),
                node_fact(&flag),
            );
        }
    }
}

/// Coroot's own RCA names the app: +2.
fn coroot_rca(case: &Case<'_>, k: &str, d: &mut Draft) {
    let Some(incident) = case.rca_apps.get(k) else {
        return;
    };
    d.rule(format!("Coroot RCA +{COROOT_RCA}"), COROOT_RCA);
    let Some(view) = case.facts.views.get(incident) else {
        return;
    };
    let name = case.name_of(k);
    let graph = Graph::of(view);
    if let Some(p) = graph.apps.iter().find(|a| app_key(&a.id) == k) {
        d.fact(
            Prio::Rca,
            names::INCIDENT_DETAIL,
            format!("{incident} propagation map"),
            format!(
                "{name} {} is where the failure starts; issues: {}",
                p.status.label(),
                p.issues.join(", ")
            ),
        );
    }
    let rca = view.incident.rca.clone().unwrap_or_default();
    let text = [&rca.root_cause, &rca.short_summary]
        .into_iter()
        .find(|s| !s.trim().is_empty())
        .cloned()
        .unwrap_or_default();
    if !text.is_empty() {
        d.fact(
            Prio::Rca,
            names::INCIDENT_DETAIL,
            format!("{incident} root cause"),
            text.replace("**", "").replace('`', ""),
        );
    }
}

/// Kubernetes warning events about the app: +1.
fn kubernetes_events(case: &Case<'_>, k: &str, d: &mut Draft) {
    let events = case.events_of(k);
    if events.is_empty() {
        return;
    }
    d.rule(format!("K8s events +{EVENTS}"), EVENTS);
    let mut by_reason: Vec<(String, Vec<&LogEntry>)> = Vec::new();
    for e in &events {
        let reason = e.attributes.get("event.reason").map(str::to_string).unwrap_or_default();
        match by_reason.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, l)) => l.push(e),
            None => by_reason.push((reason, vec![e])),
        }
    }
    // Events of the suspect's own kind first.
    by_reason.sort_by_key(|(r, l)| {
        let kind = event_kind(r);
        (!d.kinds.contains(&kind), kind, std::cmp::Reverse(l.len()))
    });
    for (reason, list) in by_reason.iter().take(2) {
        let Some(last) = list.iter().max_by_key(|e| e.timestamp) else {
            continue;
        };
        let object = format!(
            "{} {}",
            last.attributes
                .get("object.kind")
                .map(str::to_string)
                .unwrap_or_default(),
            last.attributes
                .get("object.name")
                .map(str::to_string)
                .unwrap_or_default()
        );
        d.fact(
            Prio::Events,
            names::OVERVIEW_LOGS,
            format!("K8s event {reason} ×{} ({})", list.len(), object.trim()),
            format!("{} (last {})", fenced(&last.message, 200), iso(last.timestamp)),
        );
    }
}

/// Its own error logs showing the same cause: +1.
fn own_logs(case: &Case<'_>, k: &str, d: &mut Draft) {
    let name = case.name_of(k);
    let own = case.logs_of(k);
    let agree: Vec<&Group> = own
        .iter()
        .filter(|g| log_kind(&g.message).is_some_and(|lk| d.supports(lk)))
        .collect();
    if !agree.is_empty() {
        d.rule(format!("logs agree +{LOGS_AGREE}"), LOGS_AGREE);
    }
    for g in agree
        .iter()
        .copied()
        .chain(own.iter().filter(|g| is_error_level(&g.severity)))
        .take(2)
    {
        d.fact(
            Prio::Logs,
            names::APP_LOGS,
            format!("{name} {} ×{}", g.severity, g.count),
            log_fact(g),
        );
    }
}

/// Error traces failing deepest in it: +1.
fn error_traces(case: &Case<'_>, k: &str, d: &mut Draft) {
    let Some(errs) = &case.facts.trace_errors else {
        return;
    };
    let name = case.name_of(k);
    let mine: Vec<&TraceError> = errs
        .iter()
        .filter(|e| e.service_name == name || e.service_name.ends_with(&format!("/{name}")))
        .collect();
    if !mine.is_empty() {
        d.rule(format!("traces +{TRACES}"), TRACES);
    }
    for e in mine.iter().take(2) {
        d.fact(
            Prio::Traces,
            names::TRACES,
            format!("error group {} {}", e.service_name, e.span_name),
            format!(
                "deepest failing span in {} of error traces: {} · sample trace {}",
                percent(e.count * 100.0),
                if e.sample_error.is_empty() {
                    "(no message)".to_string()
                } else {
                    fenced(&e.sample_error, 200)
                },
                e.sample_trace_id
            ),
        );
    }
}

/// Clients' error logs naming a suspect, as evidence against it.
fn client_logs(case: &Case<'_>, k: &str, drafts: &mut [Draft]) {
    let name = case.name_of(k);
    for g in case.logs_of(k).iter().filter(|g| is_error_level(&g.severity)) {
        let sample = one_line(&g.message);
        if let Some(d) = drafts.iter_mut().find(|d| {
            d.app
                .as_deref()
                .is_some_and(|a| a != k && mentions(&sample, &case.name_of(a)))
        }) {
            d.fact(
                Prio::Other,
                names::APP_LOGS,
                format!("{name} {} ×{}", g.severity, g.count),
                log_fact(g),
            );
        }
    }
}

/// Network charts (retransmissions, failed connections) toward a suspect, and throttling.
fn network_charts(case: &Case<'_>, k: &str, drafts: &mut [Draft]) {
    let Some(view) = case.facts.details.get(k) else {
        return;
    };
    let name = case.name_of(k);
    for c in app_charts(view) {
        let lower = c.title.to_ascii_lowercase();
        let (kind, min) = if lower.contains("retransmi") {
            (Kind::TcpConnect, 1.0)
        } else if lower.contains("failed tcp") {
            (Kind::TcpConnect, 0.01)
        } else if lower.contains("throttled") {
            (Kind::CpuThrottling, 0.05)
        } else {
            continue;
        };
        for s in series_stats(c.chart) {
            if s.max < min {
                continue;
            }
            let target = s.name.trim_start_matches('→').to_string();
            let u = rate_unit(&c.unit);
            let fact = format!("peak {}{u}, last {}{u}", num(s.max), num(s.last));
            let item = if s.name.starts_with('→') {
                format!("{name}: {} / {} {}", c.report, c.title, s.name)
            } else {
                format!("{name}: {} / {}", c.report, c.title)
            };
            // Throttling belongs to the app; a connection problem to its source if that is a
            // suspect of this kind, else to the upstream it points at.
            let holder = drafts.iter().position(|d| {
                d.app.as_deref() == Some(k)
                    && (d.kinds.contains(&kind) || (kind == Kind::TcpConnect && d.kinds.contains(&Kind::Connectivity)))
            });
            let holder = holder.or_else(|| {
                (kind == Kind::TcpConnect)
                    .then(|| {
                        drafts
                            .iter()
                            .position(|d| d.app.as_deref().is_some_and(|a| case.name_of(a) == target))
                    })
                    .flatten()
            });
            if let Some(d) = holder.and_then(|i| drafts.get_mut(i)) {
                d.fact(Prio::Net, names::APP_DETAIL, item, fact);
            }
        }
    }
}

/// True when `text` names `word` as a whole word.
pub(super) fn mentions(text: &str, word: &str) -> bool {
    !word.is_empty()
        && text
            .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
            .any(|w| w == word)
}

fn log_fact(g: &Group) -> String {
    let mut fact = format!("{} (last {})", fenced(&g.message, 160), iso(g.last_ms));
    if let Some(trace) = g.trace_ids.first() {
        fact.push_str(&format!(" · trace {trace}"));
    }
    fact
}

/// The text of a service map link's stats, without the emoji.
fn link_text(stats: &[String]) -> String {
    stats
        .iter()
        .map(|s| s.trim_start_matches(|c: char| !c.is_alphanumeric()).trim())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A rate's unit as people write it.
fn rate_unit(unit: &str) -> &'static str {
    match unit {
        "seconds/second" => " s/s",
        _ => "/s",
    }
}
