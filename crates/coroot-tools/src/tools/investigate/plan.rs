//! Which applications and nodes an investigation examines, and why: the app asked for, the
//! incidents' apps and their propagation maps, else the failing apps; then their failing
//! upstreams, breadth first; then the nodes their instances run on.

use std::collections::BTreeSet;

use coroot_client::{AppId, Status};

use super::fetch::Facts;
use crate::analysis::logs::pod_of;
use crate::analysis::propagation::Graph;
use crate::analysis::tables::{cell_in, row_name};
use crate::analysis::{app_key, same_app};

/// Applications examined in detail (the entry apps first, then their failing upstreams).
const MAX_APPS: usize = 8;
/// Failing applications off the incidents' paths examined besides, for independent problems.
const MAX_OTHERS: usize = 4;
/// Nodes whose detail is fetched (those under the apps at the start of the path first).
const MAX_NODES: usize = 4;
/// Open incidents whose detail is fetched when no incident_key is given.
pub(super) const MAX_INCIDENTS: usize = 3;

/// Which apps to examine and why.
pub(super) struct Plan {
    /// Apps examined in detail, entry apps first.
    pub focus: Vec<AppId>,
    /// What the investigation started from, in words.
    pub started_from: String,
}

fn push(list: &mut Vec<AppId>, id: &AppId) {
    if !id.as_str().is_empty() && !list.iter().any(|x| same_app(x, id)) {
        list.push(id.clone());
    }
}

impl Plan {
    /// `broad`: no app or incident was asked for, so failing apps off the open incidents'
    /// paths are examined too (a cluster often has more than one thing wrong).
    pub fn new(facts: &Facts, given: Option<&AppId>, broad: bool) -> Plan {
        let mut entries: Vec<AppId> = Vec::new();
        let incidents: Vec<String> = facts.views.keys().cloned().collect();
        // The app asked for comes first, then each incident's affected app and the failing
        // apps of its propagation map (where Coroot's RCA says the failure went).
        if let Some(id) = given {
            push(&mut entries, id);
        }
        for view in facts.views.values() {
            push(&mut entries, &view.incident.application_id);
            for a in Graph::of(view).apps.iter().filter(|a| a.status.is_failing()) {
                push(&mut entries, &a.id);
            }
        }
        let mut started_from = match (given, incidents.is_empty()) {
            (Some(id), true) => format!("application {}", id.short()),
            (Some(id), false) => format!(
                "application {} and its open incident {}",
                id.short(),
                incidents.join(", ")
            ),
            (None, false) => format!(
                "incident{} {}",
                if incidents.len() > 1 { "s" } else { "" },
                incidents.join(", ")
            ),
            (None, true) => failing_apps(facts, &mut entries),
        };
        let mut focus = with_failing_upstreams(facts, entries);
        if broad && !incidents.is_empty() {
            let others: Vec<AppId> = failing(facts)
                .into_iter()
                .filter(|id| !focus.iter().any(|f| same_app(f, id)))
                .take(MAX_OTHERS)
                .collect();
            if !others.is_empty() {
                started_from.push_str(&format!(
                    ", and {} other application{} in WARNING or CRITICAL",
                    others.len(),
                    if others.len() > 1 { "s" } else { "" }
                ));
            }
            focus.extend(others);
        }
        Plan { focus, started_from }
    }
}

/// No incident and no app: the failing applications, CRITICAL first.
fn failing_apps(facts: &Facts, entries: &mut Vec<AppId>) -> String {
    let failing = failing(facts);
    for id in failing.iter().take(MAX_APPS) {
        push(entries, id);
    }
    if failing.is_empty() {
        "no open incident and no failing application".into()
    } else {
        format!(
            "no open incident; the {} application{} in WARNING or CRITICAL",
            failing.len(),
            if failing.len() > 1 { "s" } else { "" }
        )
    }
}

/// The applications in WARNING or CRITICAL, CRITICAL first.
fn failing(facts: &Facts) -> Vec<AppId> {
    let mut failing: Vec<(Status, AppId)> = match &facts.apps {
        Some(apps) => apps
            .iter()
            .filter(|a| a.status.is_failing())
            .map(|a| (a.status, a.id.clone()))
            .collect(),
        None => facts
            .map
            .iter()
            .flatten()
            .filter(|a| a.status.is_failing())
            .map(|a| (a.status, a.id.clone()))
            .collect(),
    };
    failing.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    failing.into_iter().map(|(_, id)| id).collect()
}

/// The entries and their upstreams, breadth first: a failing link or a failing upstream app may
/// be where the failure starts.
fn with_failing_upstreams(facts: &Facts, entries: Vec<AppId>) -> Vec<AppId> {
    let mut focus = entries;
    let mut i = 0;
    while i < focus.len() && focus.len() < MAX_APPS {
        let Some(cur) = focus.get(i).map(app_key) else {
            break;
        };
        if let Some(app) = facts.map_app(&cur) {
            let mut ups: Vec<_> = app
                .upstreams
                .iter()
                .filter(|l| l.status.is_failing() || facts.status(&app_key(&l.id)).is_failing())
                .collect();
            ups.sort_by(|a, b| b.status.cmp(&a.status).then(a.id.cmp(&b.id)));
            for l in ups {
                if focus.len() >= MAX_APPS {
                    break;
                }
                push(&mut focus, &best_id(facts, &l.id));
            }
        }
        i += 1;
    }
    focus.truncate(MAX_APPS);
    focus
}

/// The 4-part id of an app when some view has it.
pub(super) fn best_id(facts: &Facts, id: &AppId) -> AppId {
    if id.is_four_part() {
        return id.clone();
    }
    let k = app_key(id);
    facts
        .apps
        .iter()
        .flatten()
        .map(|a| &a.id)
        .chain(facts.map.iter().flatten().map(|a| &a.id))
        .find(|x| x.is_four_part() && app_key(x) == k)
        .cloned()
        .unwrap_or_else(|| id.clone())
}

/// Instances (pod, node) of an app: the Instances table's Node column, else the `host.name`
/// of its log lines.
pub(super) fn instances(facts: &Facts, k: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    if let Some(view) = facts.details.get(k) {
        for table in view
            .reports
            .iter()
            .filter(|r| r.name == "Instances")
            .flat_map(|r| r.widgets.iter().filter_map(|w| w.table.as_ref()))
        {
            if !table.header.iter().any(|h| h == "Node") {
                continue;
            }
            for row in &table.rows {
                out.push((row_name(row), cell_in(table, row, "Node")));
            }
        }
        for i in &view.app_map.instances {
            if !out.iter().any(|(p, _)| *p == i.id) {
                out.push((i.id.clone(), String::new()));
            }
        }
    }
    for e in facts.logs.get(k).into_iter().flatten() {
        if let (Some(pod), Some(node)) = (pod_of(e), e.attributes.get("host.name")) {
            match out.iter_mut().find(|(p, _)| p == pod) {
                Some((_, n)) if n.is_empty() => node.clone_into(n),
                Some(_) => {}
                None => out.push((pod.to_string(), node.to_string())),
            }
        }
    }
    out
}

/// Nodes under the apps examined, those under the entry apps first; down nodes are skipped
/// (they have no metrics to show) and reported from the nodes list instead.
pub(super) fn nodes_to_check(facts: &Facts, plan: &Plan) -> Vec<String> {
    let down: BTreeSet<&str> = facts
        .nodes
        .iter()
        .flatten()
        .filter(|n| n.status.status.is_failing() && n.status.message.starts_with("down"))
        .map(|n| n.name.as_str())
        .collect();
    let mut out: Vec<String> = Vec::new();
    for id in &plan.focus {
        let k = app_key(id);
        // Only apps with something wrong: a healthy app's nodes explain nothing.
        if !facts.status(&k).is_failing() {
            continue;
        }
        for (_, node) in instances(facts, &k) {
            if !node.is_empty() && !down.contains(node.as_str()) && !out.contains(&node) {
                out.push(node);
            }
        }
    }
    out.truncate(MAX_NODES);
    out
}
