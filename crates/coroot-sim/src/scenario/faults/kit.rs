//! The shared builder of the fault scenarios: the e-commerce production cluster with nothing
//! wrong, and what every fault and red herring is made of: bent apps and links, incidents
//! opened the way Coroot's watcher opens them, rollouts, logs, Kubernetes events, metric
//! stories, and the risks Coroot derives from the world. Each rule cites the Go file it follows.

use std::sync::Arc;

use crate::model::Status;
use crate::prng::{Rng, hash_str};
use crate::scenario::ecommerce::{self, Variant, cluster::pod, logs::LogSink};
use crate::util::{HOUR, MIN, round};
use crate::world::{
    App, Burn, Deployment, Dismissal, Incident, Instance, Link, MetricStory, Node, Project, Risk, Shape, World,
};

/// Log severities as the node agent's parser numbers them (OTel severity numbers).
pub(super) const INFO: u8 = 9;
pub(super) const WARN: u8 = 13;
pub(super) const ERROR: u8 = 17;

/// The production project's id (the same as the `ecommerce` scenario's).
pub(super) const P: &str = "k3h2x9qa";

/// The percentage of failed (or slow) requests an app serves when nothing is wrong.
const BASELINE: f64 = 0.3;

/// Which SLO a breach burns.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Slo {
    Availability,
    Latency,
}

/// An SLO breach: `pct` percent of requests failed (availability) or slower than the
/// objective (latency) from `since` on.
#[derive(Clone, Copy)]
pub(super) struct Breach {
    pub slo: Slo,
    pub pct: f64,
    pub since: i64,
}

/// The percentage of bad requests within the `window` before `at`, when `pct` percent are bad
/// from `since` on and [`BASELINE`] before.
fn share(pct: f64, since: i64, at: i64, window: i64) -> f64 {
    let bad = (at - since).clamp(0, window) as f64 / window as f64;
    round(BASELINE + (pct - BASELINE) * bad, 2)
}

/// The burn rates Coroot's watcher stores at `at` (`calcBurnRates`, v1.24.5:watchers/incidents.go:235-266;
/// rules 1h/5m ×14.4 and 6h/15m ×6, model/alert.go:18-21): with a 99% objective the error
/// budget is 1%, so each window's burn rate equals its percentage of bad requests.
pub(super) fn burn(pct: f64, since: i64, at: i64) -> Burn {
    Burn {
        fast: (share(pct, since, at, HOUR), share(pct, since, at, 5 * MIN)),
        slow: (share(pct, since, at, 6 * HOUR), share(pct, since, at, 15 * MIN)),
    }
}

impl Breach {
    /// `pct` percent of requests fail from `since` on.
    pub(super) fn errors(pct: f64, since: i64) -> Breach {
        Breach {
            slo: Slo::Availability,
            pct,
            since,
        }
    }

    /// `pct` percent of requests are slower than the objective from `since` on.
    pub(super) fn slow(pct: f64, since: i64) -> Breach {
        Breach {
            slo: Slo::Latency,
            pct,
            since,
        }
    }
}

/// When the watcher opens the incident of a breach: the first minute both windows of a rule
/// burn faster than its threshold (watchers/incidents.go:79-91). `None` when no rule ever fires.
pub(super) fn opens_at(pct: f64, since: i64) -> Option<i64> {
    let mut t = since;
    while t <= since + 6 * HOUR {
        let b = burn(pct, since, t);
        if (b.fast.0 > 14.4 && b.fast.1 > 14.4) || (b.slow.0 > 6.0 && b.slow.1 > 6.0) {
            return Some(t);
        }
        t += MIN;
    }
    None
}

/// `calcImpact` (watchers/incidents.go:43-57): the percentage of bad requests from 5 minutes
/// before the incident opened (at most an hour back) to `at`.
fn impact(pct: f64, since: i64, opened: i64, at: i64) -> f64 {
    let from = (opened - 5 * MIN).max(at - HOUR);
    let bad = (at - since.max(from)).max(0) as f64 / (at - from).max(1) as f64;
    round(BASELINE + (pct - BASELINE) * bad, 2)
}

/// A summary line of a rollout: (emoji, message, report), `model.ApplicationDeploymentSummary`.
pub(super) type SummaryLine = (&'static str, String, Option<&'static str>);

/// The production cluster a fault scenario bends.
pub(super) struct Shop {
    pub p: Project,
    pub now: i64,
    /// (app, risk type, dismissal), applied when the risks are derived.
    dismissals: Vec<(String, &'static str, Dismissal)>,
}

impl Shop {
    /// The `healthy` e-commerce production cluster.
    pub(super) fn new(now: i64) -> Shop {
        Shop {
            p: ecommerce::production(Variant::Healthy, now),
            now,
            dismissals: Vec::new(),
        }
    }

    /// The world: this project with the risks Coroot derives from it, and the quiet staging project.
    pub(super) fn world(mut self) -> World {
        // Index the added apps and links before the risks read them.
        self.p.finish();
        self.p.risks = availability_risks(&self.p, &self.dismissals);
        World::new(vec![self.p, ecommerce::staging(self.now)])
    }

    pub(super) fn idx(&self, app: &str) -> Option<usize> {
        self.p.app_by_name(app)
    }

    /// The full id of a production app (`k3h2x9qa:<ns>:<Kind>:<name>`).
    pub(super) fn id(&self, app: &str) -> String {
        self.idx(app).map(|i| self.p.apps[i].id.clone()).unwrap_or_default()
    }

    /// Changes an app.
    pub(super) fn with(&mut self, app: &str, f: impl FnOnce(&mut App)) {
        if let Some(i) = self.idx(app) {
            f(&mut self.p.apps[i]);
        }
    }

    /// Makes a check of an app fire that the simulator does not derive from its data:
    /// `n` is its count, number of items or value (`App::fire`).
    pub(super) fn fire(&mut self, app: &str, check: &'static str, n: f64) {
        self.with(app, |a| a.fired.push(crate::world::Fired { id: check, n }));
    }

    /// Changes a node.
    pub(super) fn with_node(&mut self, node: &str, f: impl FnOnce(&mut Node)) {
        if let Some(n) = self.p.nodes.iter_mut().find(|n| n.name == node) {
            f(n);
        }
    }

    /// Changes the connection from one app to another.
    pub(super) fn with_link(&mut self, from: &str, to: &str, f: impl FnOnce(&mut Link)) {
        let (Some(a), Some(b)) = (self.idx(from), self.idx(to)) else {
            return;
        };
        if let Some(l) = self.p.links.iter_mut().find(|l| l.from == a && l.to == b) {
            f(l);
        }
    }

    /// Adds an app; the apps a link or a log line names must be added first.
    pub(super) fn add_app(&mut self, app: App) {
        self.p.add_app(app);
    }

    /// Adds a healthy connection.
    pub(super) fn add_link(&mut self, from: &str, to: &str, rps: f64, latency_ms: f64, port: u16) {
        if let (Some(a), Some(b)) = (self.idx(from), self.idx(to)) {
            self.p.links.push(Link::new(a, b, rps, latency_ms, port));
        }
    }

    /// An app of the production project (`App::new` with the project id).
    pub(super) fn new_app(ns: &str, kind: &str, name: &str, tech: Option<&str>, pods: &[(&str, &str, &str)]) -> App {
        let mut a = App::new(P, ns, kind, name, tech);
        a.instances = pods.iter().map(|(n, node, ip)| pod(n, node, ip)).collect();
        a
    }

    /// Opens the incident of the app's breaches, as the watcher does once a rule fires, with
    /// the burn rates and impacts it stores at its last update ("now"); the other SLO keeps its
    /// baseline. The app serves the breach's errors. Returns when it opened.
    pub(super) fn open_incident(&mut self, key: &str, app: &str, breaches: &[Breach]) -> i64 {
        let now = self.now;
        let opened = breaches
            .iter()
            .filter_map(|b| opens_at(b.pct, b.since))
            .min()
            .unwrap_or(now)
            .min(now);
        let of = |slo: Slo| breaches.iter().find(|b| b.slo == slo).copied();
        let burns = |slo: Slo| match of(slo) {
            Some(b) => burn(b.pct, b.since, now),
            None => burn(BASELINE, now, now),
        };
        // The quiet SLO still has its baseline of bad requests, and Coroot measures both impacts
        // from the opening (watchers/incidents.go `calcImpact`): any share above 0 counts in the
        // description (model/application_incident.go `ShortDescription`).
        let impact_of = |slo: Slo| match of(slo) {
            Some(b) => impact(b.pct, b.since, opened, now),
            None => impact(BASELINE, now, opened, now),
        };
        self.p.incidents.push(Incident {
            key: key.into(),
            app_id: self.id(app),
            opened_at: opened,
            resolved_at: None,
            availability: Some(burns(Slo::Availability)),
            latency: Some(burns(Slo::Latency)),
            availability_impact: impact_of(Slo::Availability),
            latency_impact: impact_of(Slo::Latency),
            rca: None,
        });
        // The errors cell is the window's share (the last hour's), not the breach's.
        if of(Slo::Availability).is_some() {
            let last_hour = burns(Slo::Availability).fast.0;
            self.with(app, |a| a.error_ratio = last_hour / 100.0);
        }
        opened
    }

    /// A resolved incident of one SLO breach of `pct` percent, with the burn rates of its last
    /// update before it resolved (`ResolveIncident` keeps the details, watchers/incidents.go:101-108).
    pub(super) fn resolved_incident(&mut self, key: &str, app: &str, slo: Slo, pct: f64, span: (i64, i64)) {
        let (opened, resolved) = span;
        let lead = opens_at(pct, 0).unwrap_or(0);
        let since = opened - lead;
        let last = resolved - MIN;
        let (hit, quiet) = (burn(pct, since, last), burn(BASELINE, last, last));
        let pick = |s: Slo| if s == slo { hit } else { quiet };
        self.p.incidents.push(Incident {
            key: key.into(),
            app_id: self.id(app),
            opened_at: opened,
            resolved_at: Some(resolved),
            availability: Some(pick(Slo::Availability)),
            latency: Some(pick(Slo::Latency)),
            // The quiet SLO's baseline counts too, as in `open_incident`.
            availability_impact: if slo == Slo::Availability {
                impact(pct, since, opened, last)
            } else {
                impact(BASELINE, last, opened, last)
            },
            latency_impact: if slo == Slo::Latency {
                impact(pct, since, opened, last)
            } else {
                impact(BASELINE, last, opened, last)
            },
            rca: None,
        });
    }

    /// A rollout of `app` to ReplicaSet `hash` with image tag `tag` at `at`: Coroot names it
    /// `<hash>: <app>:<tag>` (model/application_deployment.go `Version`); the new pods replace the
    /// old ones (same nodes, new names) and log from then on. With no summary line the rollout
    /// reads "No notable changes" once its metrics snapshot is taken (10 + 20 minutes after it,
    /// model/application_deployment.go:16-20, api/views/overview/deployments.go:56-72), else
    /// "Collecting data..."; it is critical only when an SLO summary line fails
    /// (`CalcApplicationDeploymentSummary`, application_deployment.go:172-210).
    pub(super) fn deploy(&mut self, app: &str, hash: &str, tag: &str, at: i64, summary: Vec<SummaryLine>) {
        let Some(i) = self.idx(app) else {
            return;
        };
        self.rename_pods(i, hash, at);
        let status = if summary.iter().any(|(e, _, r)| *e == "💔" && *r == Some("SLO")) {
            Status::Critical
        } else {
            Status::Ok
        };
        let summary = if !summary.is_empty() {
            summary
                .into_iter()
                .map(|(e, m, r)| (e.to_string(), m, r.map(str::to_string)))
                .collect()
        } else if self.now - at >= 30 * MIN {
            vec![(String::new(), "No notable changes".to_string(), None)]
        } else {
            vec![(String::new(), "Collecting data...".to_string(), None)]
        };
        self.p.deployments.push(Deployment {
            app: i,
            version: format!("{hash}: {app}:{tag}"),
            started_at: at,
            status,
            summary,
        });
    }

    /// Renames a Deployment's pods to the new ReplicaSet's and moves their log lines after
    /// `at` to the new pods.
    fn rename_pods(&mut self, i: usize, hash: &str, at: i64) {
        let mut rng = Rng::new(hash_str(hash));
        let a = &mut self.p.apps[i];
        if a.kind != "Deployment" {
            return;
        }
        let mut renamed: Vec<(String, Instance)> = Vec::new();
        for inst in &mut a.instances {
            let old = inst.name.clone();
            inst.name = format!("{}-{hash}-{}", a.name, rng.alnum(5));
            renamed.push((old, inst.clone()));
        }
        let (ns, name) = (a.ns.clone(), a.name.clone());
        for l in self
            .p
            .logs
            .iter_mut()
            .filter(|l| l.app == Some(i as u32) && l.ts_ms() >= at)
        {
            let Some(cid) = l.attr("container.id") else {
                continue;
            };
            let Some((_, inst)) = renamed.iter().find(|(old, _)| cid.contains(&format!("/{old}/"))) else {
                continue;
            };
            let (_, attrs) = crate::world::container_log_attrs(&ns, &inst.name, &name, &inst.node);
            l.attrs = Arc::new(attrs);
        }
    }

    /// A container log line of the app's running pod `pod` (wrapping around them).
    pub(super) fn log(&mut self, app: &str, pod: usize, ts: i64, sev: u8, msg: &str) {
        let Some(i) = self.idx(app) else {
            return;
        };
        let up: Vec<usize> = (0..self.p.apps[i].instances.len())
            .filter(|&k| self.p.apps[i].instances[k].up)
            .collect();
        if !up.is_empty() && ts <= self.now {
            LogSink { p: &mut self.p }.container(app, up[pod % up.len()], ts, sev, msg, "");
        }
    }

    /// The same line every `period` from `from` to now, from the app's pods in turn.
    pub(super) fn log_every(&mut self, app: &str, from: i64, period: i64, sev: u8, msg: &str) {
        let mut t = from;
        let mut k = 0;
        while t < self.now && period > 0 {
            self.log(app, k, t + (k as i64 * 7_919) % 9_000, sev, msg);
            t += period;
            k += 1;
        }
    }

    /// A Kubernetes event about `object` (kind, name, namespace) from `source` (component, host).
    pub(super) fn event(
        &mut self,
        ts: i64,
        typ: &str,
        reason: &str,
        object: (&str, &str, &str),
        source: (&str, &str),
        msg: &str,
    ) {
        LogSink { p: &mut self.p }.event(ts, typ, reason, object, source, msg);
    }

    /// Bends a generated metric of an app, pod or node (see `render::metrics::series`).
    pub(super) fn story(&mut self, metric: &'static str, object: &str, label: Option<(&str, &str)>, shape: Shape) {
        self.p.story.push(MetricStory {
            metric,
            object: object.into(),
            label: label.map(|(k, v)| (k.into(), v.into())),
            shape,
        });
    }

    /// Dismisses a risk of an app: `by` the admin user (`u.Name`, api/api.go:2230-2237).
    pub(super) fn dismiss(&mut self, app: &str, rtype: &'static str, timestamp_ms: i64, reason: &str) {
        self.dismissals.push((
            app.into(),
            rtype,
            Dismissal {
                by: "Admin".into(),
                timestamp: timestamp_ms / 1000,
                reason: reason.into(),
            },
        ));
    }
}

/// The availability risks Coroot derives from the world (v1.24.5:api/views/overview/risks.go:62-180):
/// per app with links (not standalone), not an external service or job, one available instance →
/// "single-instance-app"; all on one node → "single-node-app"; all in one zone →
/// "single-az-app"; a database with one available instance and no replica → critical
/// "unreplicated-database". Dismissed risks keep their key and carry the dismissal.
fn availability_risks(p: &Project, dismissals: &[(String, &'static str, Dismissal)]) -> Vec<Risk> {
    let zones: std::collections::BTreeSet<&str> = p.nodes.iter().map(|n| n.az.as_str()).collect();
    let mut out = Vec::new();
    for (i, a) in p.apps.iter().enumerate() {
        if matches!(a.kind.as_str(), "ExternalService" | "CronJob" | "Job") {
            continue;
        }
        let up: Vec<&Instance> = a.instances.iter().filter(|x| x.up).collect();
        let mut nodes: Vec<&str> = up.iter().map(|x| x.node.as_str()).collect();
        nodes.sort_unstable();
        nodes.dedup();
        let mut app_zones: Vec<&str> = nodes.iter().filter_map(|n| p.node(n).map(|n| n.az.as_str())).collect();
        app_zones.sort_unstable();
        app_zones.dedup();
        let standalone = p.upstreams(i).next().is_none() && p.downstreams(i).next().is_none();
        let mut risk = |rtype: &'static str, severity: Status, description: String| {
            let dismissal = dismissals
                .iter()
                .find(|(app, t, _)| *app == a.name && *t == rtype)
                .map(|(_, _, d)| d.clone());
            out.push(Risk {
                app: i,
                category: "Availability",
                rtype,
                severity,
                exposure: None,
                description: Some(description),
                dismissal,
            });
        };
        let several_nodes = p.nodes.len() > 1;
        let placement = if standalone {
            None
        } else if up.len() == 1 && several_nodes {
            Some(("single-instance-app", "Single instance - not resilient to node failure"))
        } else if nodes.len() == 1 && several_nodes {
            Some((
                "single-node-app",
                "All instances on one node - not resilient to node failure",
            ))
        } else if app_zones.len() == 1 && zones.len() > 1 {
            Some((
                "single-az-app",
                "All instances in one Availability Zone - failure causes downtime",
            ))
        } else {
            None
        };
        if let Some((rtype, description)) = placement {
            risk(rtype, Status::Warning, description.into());
        }
        let db = match a.tech.as_deref() {
            Some("postgres") => "Postgres",
            Some("redis") => "Redis",
            Some("mysql") => "Mysql",
            Some("mongodb") => "Mongodb",
            _ => continue,
        };
        if up.len() == 1 {
            risk(
                "unreplicated-database",
                Status::Critical,
                format!("{db} isn’t replicated - data loss possible"),
            );
        }
    }
    out
}
