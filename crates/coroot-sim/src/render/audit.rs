//! The auditor (v1.24.5:auditor/*.go): every app's reports and checks, derived from the
//! scenario's data (incidents → SLO checks, instances → Instances checks, nodes → CPUNode,
//! volumes → Storage, links → Net, DNS stats → DNS, logs → LogErrors) plus the checks the
//! scenario makes fire itself ([`crate::world::App::fired`]). Both application statuses are
//! computed from these results, so they agree by construction:
//! * the app's own status (`auditor/auditor.go:85-90`): the worst of its SLO, Instances,
//!   Postgres and Redis reports; used by the service map, the app page and app maps;
//! * the applications overview's status, by the indicator rules of
//!   `api/views/overview/applications.go` (see [`crate::render::overview`]).

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::gofmt::format_latency;
use crate::model::{CheckContext, Kind, Status, VersionedCheck, checks_of, render_message};
use crate::util::TimeCtx;
use crate::world::{App, Burn, Incident, LogRow, Project};

/// The outcome of one check for an app.
pub(crate) struct CheckOut {
    pub vc: VersionedCheck,
    pub status: Status,
    pub message: String,
    /// `Check.Value()` (0 when unset).
    pub value: f64,
    pub count: u64,
    pub desired: u64,
    pub items: u64,
    /// `Check.Values()`: LogErrors' error counts per step.
    pub values: Option<Vec<u32>>,
}

impl CheckOut {
    fn new(vc: VersionedCheck) -> CheckOut {
        CheckOut {
            vc,
            status: Status::Ok,
            message: String::new(),
            value: 0.0,
            count: 0,
            desired: 0,
            items: 0,
            values: None,
        }
    }

    fn set(&mut self, status: Status, message: &str) {
        self.status = status;
        self.message = message.into();
    }

    /// `Check.Calc` (v1.24.5:model/check.go:647-701): fires by the check's type and renders
    /// its message.
    fn calc(&mut self) {
        let fires = match self.vc.kind {
            Kind::Events => self.count as f64 > self.vc.threshold.trunc(),
            Kind::Items => self.items > 0,
            Kind::Value => self.value > self.vc.threshold,
            Kind::Manual => false,
        };
        if fires {
            let ctx = CheckContext {
                items: self.items,
                count: self.count,
                value: self.value,
                unit: self.vc.def.unit,
                threshold: self.vc.threshold,
            };
            self.status = Status::Warning;
            self.message = render_message(self.vc.message, &ctx);
        }
    }

    /// The `Check` JSON (v1.24.5:model/check.go:576-585; no value, items or count fields).
    pub(crate) fn json(&self, app: &App) -> Value {
        let mut tpl = self.vc.template.to_string();
        if self.vc.def.id == "SLOLatency" {
            let aux = app.category == "monitoring" || app.category == "control-plane";
            tpl = tpl.replace("<bucket>", if aux { "5s" } else { "500ms" });
        }
        json!({"id": self.vc.def.id, "title": self.vc.title, "status": self.status.as_str(), "message": self.message,
               "threshold": self.vc.threshold, "unit": self.vc.def.unit, "condition_format_template": tpl})
    }
}

/// A report with its checks.
pub(crate) struct ReportOut {
    pub name: &'static str,
    pub checks: Vec<CheckOut>,
}

impl ReportOut {
    /// The worst check status; a report without checks is unknown.
    pub(crate) fn status(&self) -> Status {
        self.checks.iter().map(|c| c.status).max().unwrap_or(Status::Unknown)
    }
}

/// An app's audit.
pub(crate) struct Audit {
    pub reports: Vec<ReportOut>,
}

impl Audit {
    /// The app's own status: the worst of its SLO, Instances, Postgres and Redis reports
    /// (v1.24.5:auditor/auditor.go:85-90, the same since v1.12.0).
    pub(crate) fn status(&self) -> Status {
        self.reports
            .iter()
            .filter(|r| matches!(r.name, "SLO" | "Instances" | "Postgres" | "Redis"))
            .map(ReportOut::status)
            .max()
            .unwrap_or(Status::Unknown)
    }

    pub(crate) fn report(&self, name: &str) -> Option<&ReportOut> {
        self.reports.iter().find(|r| r.name == name)
    }

    /// `model.CalcIndicators` (v1.24.5:model/status.go:73-88): every report with a known status.
    pub(crate) fn indicators(&self) -> Value {
        let v: Vec<Value> = self
            .reports
            .iter()
            .filter(|r| r.status() != Status::Unknown)
            .map(|r| json!({"status": r.status().as_str(), "message": r.name}))
            .collect();
        if v.is_empty() { Value::Null } else { Value::Array(v) }
    }
}

/// What the audits of one request share: error logs per app in the window and each
/// app's incidents that overlap it.
pub(crate) struct Facts<'a> {
    /// Per app: (error and fatal lines, unique messages, per-step counts).
    pub errors: HashMap<u32, (u64, Vec<String>, Vec<u32>)>,
    pub incidents: HashMap<&'a str, Vec<&'a Incident>>,
}

/// Collects the facts of a window in one pass over the logs and incidents.
pub(crate) fn facts<'a>(p: &'a Project, ctx: &TimeCtx) -> Facts<'a> {
    let mut errors: HashMap<u32, (u64, Vec<String>, Vec<u32>)> = HashMap::new();
    let mut lines: HashMap<u32, Vec<&LogRow>> = HashMap::new();
    let lo = p.logs.partition_point(|l| l.ts_ms() < ctx.from);
    let start = ctx.start();
    let n = ctx.points();
    for l in &p.logs[lo..] {
        if l.ts_ms() > ctx.to {
            break;
        }
        // LogErrors counts the node agent's container log messages (container_log_messages_total).
        let (true, Some(app)) = (l.severity >= 17 && l.service.starts_with('/'), l.app) else {
            continue;
        };
        let e = errors.entry(app).or_insert_with(|| (0, Vec::new(), vec![0; n]));
        e.0 += 1;
        lines.entry(app).or_default().push(l);
        if let Some(c) = e.2.get_mut(((l.ts_ms() - start) / ctx.step) as usize) {
            *c += 1;
        }
    }
    // Its items are Coroot's patterns of those lines (auditor/logs.go), one word apart merged.
    for (app, ls) in lines {
        let names: Vec<String> = ls.iter().map(|l| crate::model::severity_name(l.severity)).collect();
        let ids = crate::logpattern::group(
            ls.iter()
                .zip(&names)
                .map(|(l, n)| (n.as_str(), &*l.pattern, &*l.message)),
        );
        if let Some(e) = errors.get_mut(&app) {
            for (l, id) in ls.iter().zip(ids) {
                if e.1.len() <= id {
                    e.1.push(l.message.to_string());
                }
            }
        }
    }
    // `db.GetApplicationIncidents(from, to)`: opened before `to`, not resolved before `from`.
    let mut incidents: HashMap<&str, Vec<&Incident>> = HashMap::new();
    for i in &p.incidents {
        if i.opened_at <= ctx.to && i.resolved_at.is_none_or(|r| r >= ctx.from) {
            incidents.entry(i.app_id.as_str()).or_default().push(i);
        }
    }
    for v in incidents.values_mut() {
        v.sort_by_key(|i| i.opened_at);
    }
    Facts { errors, incidents }
}

/// The report names an app has, in the auditor's order.
fn report_names(p: &Project, idx: usize, ctx: &TimeCtx) -> Vec<&'static str> {
    let app = &p.apps[idx];
    let mut names: Vec<&'static str> = vec!["SLO", "Instances", "CPU", "Memory"];
    if !app.volumes.is_empty() {
        names.push("Storage");
    }
    if p.upstreams(idx).next().is_some() {
        names.push("Net");
    }
    if !app.dns.is_empty() {
        names.push("DNS");
    }
    if let Some(r) = tech_report(app.tech.as_deref().unwrap_or("")) {
        names.push(r);
    }
    names.push("Logs");
    if super::has_rollout(p, idx, ctx) {
        names.push("Deployments");
    }
    names
}

/// `ApplicationType.AuditReport()` (v1.24.5:model/application_types.go).
pub(crate) fn tech_report(tech: &str) -> Option<&'static str> {
    Some(match tech {
        "postgres" => "Postgres",
        "mysql" => "Mysql",
        "redis" | "keydb" | "valkey" | "dragonfly" => "Redis",
        "mongodb" | "mongos" => "Mongodb",
        "memcached" => "Memcached",
        "java" => "JVM",
        "dotnet" => ".NET",
        "python" => "Python",
        "nodejs" => "Node.js",
        _ => return None,
    })
}

/// Whether a burn rate fires: both windows above the rule's threshold (watchers/incidents.go).
fn fires(long: f64, short: f64, threshold: f64) -> bool {
    long > threshold && short > threshold
}

/// The (long window hours, long burn rate) of the first firing rule of an SLO, if any.
pub(crate) fn first_firing(b: &Burn) -> Option<(u32, f64)> {
    if fires(b.fast.0, b.fast.1, 14.4) {
        Some((1, b.fast.0))
    } else if fires(b.slow.0, b.slow.1, 6.0) {
        Some((6, b.slow.0))
    } else {
        None
    }
}

/// `BurnRate.FormatSLOStatus` (v1.24.5:model/alert.go:60-63).
pub(crate) fn slo_status_message(hours: u32, rate: f64) -> String {
    format!(
        "error budget burn rate is {rate:.1}x within {}",
        crate::gofmt::plural(u64::from(hours), "hour")
    )
}

/// The SLO checks (v1.24.5:auditor/slo.go:20-67): no SLI → unknown "not configured"; else
/// OK, or the first firing burn rate of the app's last incident while it is open (or
/// resolved after the window).
fn slo_check(c: &mut CheckOut, has_sli: bool, last: Option<&Incident>, ctx: &TimeCtx, latency: bool) {
    if !has_sli {
        c.set(Status::Unknown, "not configured");
        return;
    }
    c.set(Status::Ok, "OK");
    let Some(i) = last.filter(|i| i.resolved_at.is_none_or(|r| r > ctx.to)) else {
        return;
    };
    let burn = if latency { i.latency } else { i.availability };
    if let Some((hours, rate)) = burn.as_ref().and_then(first_firing) {
        c.status = Status::Critical;
        c.message = slo_status_message(hours, rate);
    }
}

fn instances_checks(c: &mut CheckOut, app: &App, restarts_thr: f64) {
    if app.kind == "ExternalService" {
        c.set(Status::Unknown, "no data");
        return;
    }
    let periodic = app.kind == "CronJob";
    match c.vc.def.id {
        "InstanceAvailability" => {
            let listed = app.instances.len() as u64;
            let desired = app.desired.map_or(listed, u64::from);
            let available = app.instances.iter().filter(|i| i.up).count() as u64;
            // The message counts the listed instances that are down (auditor/instances.go:117-121).
            let down = listed - available;
            c.count = available;
            let is = |n: u64, w: &str| {
                format!(
                    "{n} {} {}",
                    crate::gofmt::plural_word(n, w),
                    if n > 1 { "are" } else { "is" }
                )
            };
            if periodic {
                c.set(Status::Ok, "not checked for periodic jobs");
            } else if desired > 0 {
                c.desired = desired;
                if available == 0 {
                    c.set(Status::Warning, "no instances available");
                } else if app.kind == "DaemonSet" {
                    if available < desired {
                        c.set(
                            Status::Warning,
                            &format!("{} unavailable", is(down, "DaemonSet instance")),
                        );
                    }
                } else if (available as f64 / desired as f64 * 100.0) < c.vc.threshold {
                    c.set(Status::Warning, &format!("{} unavailable", is(down, "instance")));
                }
            }
        }
        _ => {
            if periodic {
                c.set(Status::Ok, "not checked for periodic jobs");
                return;
            }
            for i in &app.instances {
                c.count += u64::from(i.restarts);
                if f64::from(i.restarts) > restarts_thr {
                    c.items += 1;
                }
            }
            c.calc();
        }
    }
}

/// The audit of one app in a window.
pub(crate) fn audit(p: &Project, idx: usize, ctx: &TimeCtx, f: &Facts) -> Audit {
    let app = &p.apps[idx];
    let v = p.env.version;
    let last = f.incidents.get(app.id.as_str()).and_then(|v| v.last().copied());
    let errors = f.errors.get(&(idx as u32));
    let reports = report_names(p, idx, ctx)
        .into_iter()
        .map(|name| {
            let checks = checks_of(name, v)
                .map(|vc| {
                    let mut c = CheckOut::new(vc);
                    derive(p, idx, &mut c, last, errors, ctx);
                    c
                })
                .collect();
            ReportOut { name, checks }
        })
        .collect();
    Audit { reports }
}

/// Sets one check from the scenario's data.
fn derive(
    p: &Project,
    idx: usize,
    c: &mut CheckOut,
    last: Option<&Incident>,
    errors: Option<&(u64, Vec<String>, Vec<u32>)>,
    ctx: &TimeCtx,
) {
    let app = &p.apps[idx];
    let fired = app.fired(c.vc.def.id).map(|f| f.n);
    match c.vc.def.id {
        "SLOAvailability" => slo_check(c, p.has_sli(idx), last, ctx, false),
        "SLOLatency" => slo_check(c, p.has_sli(idx), last, ctx, true),
        "InstanceAvailability" | "InstanceRestarts" => {
            let thr = c.vc.threshold;
            instances_checks(c, app, thr);
        }
        "CPUNode" => {
            let mut nodes: Vec<&str> = app.instances.iter().map(|i| i.node.as_str()).collect();
            nodes.sort_unstable();
            nodes.dedup();
            let known: Vec<u32> = nodes.iter().filter_map(|n| p.node(n)?.cpu_percent).collect();
            if known.is_empty() {
                c.set(Status::Unknown, "no data");
                return;
            }
            c.items = known.iter().filter(|pct| f64::from(**pct) > c.vc.threshold).count() as u64;
            c.calc();
        }
        "StorageIOLoad" | "StorageSpace" => {
            let io = c.vc.def.id == "StorageIOLoad";
            for vol in &app.volumes {
                let x = if io { vol.io_load } else { vol.used / vol.total * 100.0 };
                c.value = c.value.max(x);
                if x > c.vc.threshold {
                    c.items += 1;
                }
            }
            c.calc();
        }
        "NetworkRTT" | "NetworkRTTExternal" | "NetworkTCPConnections" | "NetworkConnectivity" => {
            // auditor/network.go:36-65: RTT checks by where the upstream is.
            for l in p.upstreams(idx) {
                let external = p.apps[l.to].kind == "ExternalService";
                let hit = match c.vc.def.id {
                    // Before v1.18.0 one RTT check covers every upstream.
                    "NetworkRTT" | "NetworkRTTExternal"
                        if external != (c.vc.def.id == "NetworkRTTExternal") && p.env.version.new_check_messages() =>
                    {
                        false
                    }
                    "NetworkRTT" | "NetworkRTTExternal" => {
                        let rtt = l.rtt_ms / 1000.0;
                        c.value = c.value.max(rtt);
                        rtt > c.vc.threshold
                    }
                    "NetworkTCPConnections" => l.failed_connects,
                    _ => l.no_connectivity,
                };
                c.items += u64::from(hit);
            }
            c.calc();
        }
        "CPUContainer" if app.instances.is_empty() => c.set(Status::Unknown, "no data"),
        "DnsServerErrors" => {
            c.count = app.dns.iter().map(|d| u64::from(d.servfail)).sum();
            c.calc();
        }
        "DnsNxdomainErrors" => {
            // Only domains that also resolved count (`DnsTypeStats.Nxdomain`, auditor/dns.go:17-22).
            c.count = app
                .dns
                .iter()
                .filter(|d| !d.nx_only)
                .map(|d| u64::from(d.nx_a + d.nx_aaaa))
                .sum();
            c.calc();
        }
        "LogErrors" => {
            if app.instances.is_empty() {
                c.set(Status::Unknown, "no data");
                return;
            }
            if let Some((n, uniq, chart)) = errors {
                c.count = *n;
                c.items = uniq.len() as u64;
                c.values = Some(chart.clone());
            }
            c.calc();
        }
        // Without containers there is nothing to measure (auditor/memory.go:151-155).
        "MemoryOOM" | "MemoryPressure" | "MemoryLeakPercent" if app.instances.is_empty() => {
            c.set(Status::Unknown, "no data")
        }
        "MemoryLeakPercent" if app.kind == "CronJob" => c.set(Status::Unknown, "not checked for periodic jobs"),
        _ => {
            if let Some(n) = fired {
                match c.vc.kind {
                    Kind::Events => c.count = n as u64,
                    Kind::Items => c.items = n as u64,
                    Kind::Value | Kind::Manual => c.value = n,
                }
            }
            c.calc();
        }
    }
}

/// The latency an app's overview row shows (its SLI's objective quantile; empty when 0).
pub(crate) fn latency_text(app: &App) -> String {
    if app.latency_ms > 0.0 {
        format_latency(app.latency_ms / 1000.0)
    } else {
        String::new()
    }
}
