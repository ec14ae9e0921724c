//! The case: what the facts say about each application in focus, worked out once for the
//! scoring and the report: its failing checks (causes apart from symptoms), its instances,
//! its log patterns and Kubernetes events, the failure paths through it, and when each app
//! first showed a failure.

use std::collections::{BTreeMap, BTreeSet};

use coroot_client::models::LogEntry;
use coroot_client::{AppId, Status};

use super::fetch::Facts;
use super::plan::{Plan, instances};
use crate::analysis::app_key;
use crate::analysis::logs::{Group, patterns};
use crate::analysis::propagation::{Graph, root_key};
use crate::analysis::severity::is_error_level;
use crate::analysis::signals::{Kind, check_kind};

/// A failing check of an app.
pub(super) struct CheckFact {
    pub report: String,
    pub title: String,
    pub status: Status,
    pub message: String,
    /// The cause it names; `None` for a symptom.
    pub kind: Option<Kind>,
}

/// Everything known about the apps in focus.
pub(super) struct Case<'a> {
    pub facts: &'a Facts,
    /// Keys of the apps examined, entry apps first.
    pub focus: Vec<String>,
    /// The best (4-part) id of every app seen, by key.
    pub ids: BTreeMap<String, AppId>,
    /// Failing checks per app, worst first.
    pub checks: BTreeMap<String, Vec<CheckFact>>,
    /// (pod, node) per app in focus.
    pub pods: BTreeMap<String, Vec<(String, String)>>,
    /// Warning-or-worse log patterns per app.
    pub logs: BTreeMap<String, Vec<Group>>,
    /// Kubernetes warning events about each app in focus.
    pub events: BTreeMap<String, Vec<&'a LogEntry>>,
    /// Failure paths, each from where the failure starts to the app that shows it.
    pub paths: Vec<Vec<String>>,
    /// The incident (opened at, key) each path belongs to, when it came from one.
    pub path_incidents: Vec<Option<(i64, String)>>,
    /// Apps where a failure path starts.
    pub starts: BTreeSet<String>,
    /// Apps on any failure path.
    pub on_path: BTreeSet<String>,
    /// Open incident key → the apps on its failure path (its own app included).
    pub incident_apps: BTreeMap<String, BTreeSet<String>>,
    /// App key → the incident whose RCA points at it.
    pub rca_apps: BTreeMap<String, String>,
    /// The earliest failure signal of each app: (epoch ms, what).
    pub first: BTreeMap<String, (i64, String)>,
}

impl<'a> Case<'a> {
    pub fn new(facts: &'a Facts, plan: &Plan, given: Option<&AppId>) -> Case<'a> {
        let mut ids: BTreeMap<String, AppId> = BTreeMap::new();
        for id in facts
            .apps
            .iter()
            .flatten()
            .map(|a| &a.id)
            .chain(facts.map.iter().flatten().map(|a| &a.id))
            .chain(plan.focus.iter())
        {
            let k = app_key(id);
            let better = ids.get(&k).is_none_or(|old| !old.is_four_part() && id.is_four_part());
            if better {
                ids.insert(k, id.clone());
            }
        }
        let focus: Vec<String> = plan.focus.iter().map(app_key).collect();
        let checks = facts
            .details
            .iter()
            .map(|(k, view)| {
                let mut list: Vec<CheckFact> = view
                    .reports
                    .iter()
                    .flat_map(|r| {
                        r.checks
                            .iter()
                            .filter(|c| c.status.is_failing())
                            .map(move |c| CheckFact {
                                report: r.name.clone(),
                                title: c.title.clone(),
                                status: c.status,
                                message: c.message.clone(),
                                kind: check_kind(&c.id),
                            })
                    })
                    .collect();
                list.sort_by(|a, b| b.status.cmp(&a.status).then(a.kind.cmp(&b.kind)));
                (k.clone(), list)
            })
            .collect();
        let pods = focus.iter().map(|k| (k.clone(), instances(facts, k))).collect();
        let logs = facts.logs.iter().map(|(k, v)| (k.clone(), patterns(v))).collect();
        let mut case = Case {
            facts,
            focus,
            ids,
            checks,
            pods,
            logs,
            events: BTreeMap::new(),
            paths: Vec::new(),
            path_incidents: Vec::new(),
            starts: BTreeSet::new(),
            on_path: BTreeSet::new(),
            incident_apps: BTreeMap::new(),
            rca_apps: BTreeMap::new(),
            first: BTreeMap::new(),
        };
        case.events = case
            .focus
            .iter()
            .map(|k| {
                let name = case.name_of(k);
                let pods = case.pods.get(k).map(Vec::as_slice).unwrap_or_default();
                let list = facts
                    .events
                    .iter()
                    .flatten()
                    .filter(|e| event_about(e, &name, pods))
                    .collect();
                (k.clone(), list)
            })
            .collect();
        case.find_paths(given);
        case.rca_apps = facts
            .views
            .iter()
            .filter_map(|(key, v)| rca_app(v, &case.ids).map(|a| (a, key.clone())))
            .collect();
        case.first = case.first_signals();
        case
    }

    /// Failure paths: Coroot's propagation maps, else up the service map from each entry.
    fn find_paths(&mut self, given: Option<&AppId>) {
        let facts = self.facts;
        for view in facts.views.values() {
            let mut path: Vec<String> = Graph::of(view).path().iter().map(|a| app_key(&a.id)).collect();
            if path.is_empty() {
                path = self.map_path(&app_key(&view.incident.application_id));
            }
            if view.incident.is_open() {
                let mut apps: BTreeSet<String> = path.iter().cloned().collect();
                apps.insert(app_key(&view.incident.application_id));
                self.incident_apps.insert(view.incident.key.clone(), apps);
            }
            self.add_path(path, view.incident.opened_at.map(|o| (o, view.incident.key.clone())));
        }
        if facts.views.is_empty() {
            let entries: Vec<String> = match given {
                Some(id) => vec![app_key(id)],
                None => self
                    .focus
                    .iter()
                    .filter(|k| facts.status(k).is_failing())
                    .cloned()
                    .collect(),
            };
            for e in entries {
                let path = self.map_path(&e);
                self.add_path(path, None);
            }
        }
        self.starts = self.paths.iter().filter_map(|p| p.first().cloned()).collect();
        self.on_path = self.paths.iter().flatten().cloned().collect();
    }

    /// Adds a failure path unless a longer one already runs through it (two incidents on one
    /// chain, payment → checkout and payment → checkout → frontend, are one path); the kept
    /// path carries the earlier incident.
    fn add_path(&mut self, path: Vec<String>, incident: Option<(i64, String)>) {
        let within =
            |long: &[String], short: &[String]| short.is_empty() || long.windows(short.len()).any(|w| w == short);
        let earlier = |a: Option<(i64, String)>, b: Option<(i64, String)>| match (a, b) {
            (Some(a), Some(b)) => Some(if b.0 < a.0 { b } else { a }),
            (a, b) => a.or(b),
        };
        if let Some(i) = self.paths.iter().position(|p| within(p, &path)) {
            self.path_incidents[i] = earlier(self.path_incidents[i].take(), incident);
            return;
        }
        let mut incident = incident;
        let mut i = 0;
        while i < self.paths.len() {
            if within(&path, &self.paths[i]) {
                self.paths.remove(i);
                incident = earlier(incident, self.path_incidents.remove(i));
            } else {
                i += 1;
            }
        }
        self.paths.push(path);
        self.path_incidents.push(incident);
    }

    /// From an app, up the service map to where the failure starts: follow the worst upstream
    /// that is itself failing, through a failing link, or through any link when the current app
    /// has no cause of its own (latency flows through healthy connections). Start first.
    fn map_path(&self, entry: &str) -> Vec<String> {
        let facts = self.facts;
        let mut path = vec![entry.to_string()];
        let mut cur = entry.to_string();
        while let Some(app) = facts.map_app(&cur) {
            let own = self.has_cause(&cur);
            let next = app
                .upstreams
                .iter()
                .filter(|l| !path.contains(&app_key(&l.id)))
                .filter(|l| facts.status(&app_key(&l.id)).is_failing())
                .filter(|l| l.status.is_failing() || !own)
                .max_by(|a, b| {
                    a.status
                        .cmp(&b.status)
                        .then(facts.status(&app_key(&a.id)).cmp(&facts.status(&app_key(&b.id))))
                        .then(b.id.cmp(&a.id))
                });
            match next {
                Some(l) => {
                    cur = app_key(&l.id);
                    path.push(cur.clone());
                }
                None => break,
            }
        }
        path.reverse();
        path
    }

    /// First failure signals of each app: error logs and warning events.
    fn first_signals(&self) -> BTreeMap<String, (i64, String)> {
        let mut first: BTreeMap<String, (i64, String)> = BTreeMap::new();
        let mut note = |k: &str, ms: i64, what: String| {
            if first.get(k).is_none_or(|(t, _)| ms < *t) {
                first.insert(k.to_string(), (ms, what));
            }
        };
        for (k, gs) in &self.logs {
            for g in gs.iter().filter(|g| is_error_level(&g.severity)) {
                note(
                    k,
                    g.first_ms,
                    format!(
                        "{} {} log: {}",
                        self.short(k),
                        g.severity,
                        crate::render::untrusted::fenced(&g.message, 80)
                    ),
                );
            }
        }
        for k in &self.focus {
            for e in self.events_of(k) {
                let reason = e.attributes.get("event.reason").map(str::to_string).unwrap_or_default();
                note(
                    k,
                    e.timestamp,
                    format!("Kubernetes event {reason} about {}", self.short(k)),
                );
            }
        }
        first
    }

    /// `namespace/name` of an app key.
    pub fn short(&self, k: &str) -> String {
        self.ids.get(k).map_or_else(|| AppId::new(k).short(), AppId::short)
    }

    /// The full id of an app key.
    pub fn full(&self, k: &str) -> String {
        self.ids.get(k).map_or_else(|| k.to_string(), AppId::to_string)
    }

    /// The workload name of an app key.
    pub fn name_of(&self, k: &str) -> String {
        self.ids
            .get(k)
            .map_or_else(|| AppId::new(k).name().to_string(), |id| id.name().to_string())
    }

    /// True when a failing check of the app names a cause.
    pub fn has_cause(&self, k: &str) -> bool {
        self.checks.get(k).is_some_and(|l| l.iter().any(|c| c.kind.is_some()))
    }

    /// The app's failing checks.
    pub fn checks_of(&self, k: &str) -> &[CheckFact] {
        self.checks.get(k).map(Vec::as_slice).unwrap_or_default()
    }

    /// Kubernetes warning events about the app.
    pub fn events_of(&self, k: &str) -> Vec<&'a LogEntry> {
        self.events.get(k).cloned().unwrap_or_default()
    }

    /// The app's (pod, node) pairs.
    pub fn pods_of(&self, k: &str) -> &[(String, String)] {
        self.pods.get(k).map(Vec::as_slice).unwrap_or_default()
    }

    /// The app's warning-or-worse log patterns.
    pub fn logs_of(&self, k: &str) -> &[Group] {
        self.logs.get(k).map(Vec::as_slice).unwrap_or_default()
    }

    /// The first failure on any path through the app: the earliest signal of any app on it,
    /// or the opening of the path's incident.
    pub fn path_first(&self, k: &str) -> Option<(i64, String)> {
        let mut best: Option<(i64, String)> = self.first.get(k).cloned();
        for (path, opened) in self.paths.iter().zip(&self.path_incidents) {
            if !path.iter().any(|a| a == k) {
                continue;
            }
            for a in path {
                if let Some((t, w)) = self.first.get(a)
                    && best.as_ref().is_none_or(|(b, _)| t < b)
                {
                    best = Some((*t, w.clone()));
                }
            }
            if let Some((o, key)) = opened
                && best.as_ref().is_none_or(|(b, _)| o < b)
            {
                best = Some((*o, format!("incident {key} opened")));
            }
        }
        best
    }
}

/// A K8s event is about an app when its object is one of the app's pods (or the workload), or
/// when the OOM killer names the app's process.
fn event_about(e: &LogEntry, name: &str, pods: &[(String, String)]) -> bool {
    let object = e.attributes.get("object.name").unwrap_or_default();
    object == name
        || pods.iter().any(|(p, _)| p == object)
        || object.strip_prefix(name).is_some_and(|rest| rest.starts_with('-'))
        || e.message.contains(&format!("({name})"))
}

/// The app Coroot's RCA points at: the propagation map's root, else the first application
/// named in bold in the root cause, else the first named in the summary.
fn rca_app(view: &coroot_client::models::IncidentView, ids: &BTreeMap<String, AppId>) -> Option<String> {
    if let Some(root) = root_key(view) {
        return Some(root);
    }
    let rca = view.incident.rca.as_ref()?;
    let by_name = |word: &str| ids.iter().find(|(_, id)| id.name() == word).map(|(k, _)| k.clone());
    let mut parts = rca.root_cause.split("**");
    parts.next();
    for (i, part) in parts.enumerate() {
        if i % 2 == 0
            && let Some(k) = by_name(part.trim())
        {
            return Some(k);
        }
    }
    rca.short_summary
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
        .find_map(by_name)
}
