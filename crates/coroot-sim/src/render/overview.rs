//! `GET /api/project/{p}/overview/{view}`: every answer carries all the version's keys
//! (v1.24.5:api/views/overview/overview.go) and only the requested view is filled; an
//! unknown view leaves all of them null.

use serde_json::{Map, Value, json};

use super::app_labels;
use super::audit::{self, Audit, Facts};
use crate::gofmt::{format_float, format_latency, humanize_bits, overview_percent, plural_word};
use crate::model::{Status, icon_for};
use crate::util::{TimeCtx, human_age};
use crate::world::{App, Node, Project};

/// The overview keys of a version: `incidents` until v1.12.4, `fluxcd` from v1.15.0,
/// `argocd` from v1.22.0.
fn keys(p: &Project) -> Vec<&'static str> {
    let v = p.env.version;
    let mut k = vec!["applications"];
    if !v.has_incidents_route() {
        k.push("incidents");
    }
    k.extend(["map", "nodes", "deployments", "traces", "logs", "costs", "risks"]);
    if v.at_least((1, 15, 0)) {
        k.push("fluxcd");
    }
    if v.at_least((1, 22, 0)) {
        k.push("argocd");
    }
    k.push("categories");
    k
}

/// The `Overview` object for a view.
pub(crate) fn overview(p: &Project, view: &str, ctx: &TimeCtx, query: &str) -> Value {
    let keys = keys(p);
    let mut m = Map::new();
    for k in &keys {
        m.insert((*k).into(), Value::Null);
    }
    let filled = match view {
        "applications" => Some(applications(p, ctx)),
        "incidents" if keys.contains(&"incidents") => Some(super::incidents::overview_v1_12(p, ctx)),
        "map" => Some(service_map(p, ctx)),
        "nodes" => Some(nodes(p)),
        "deployments" => Some(deployments(p, ctx)),
        "traces" => Some(super::traces::overview(p, ctx, query)),
        "logs" => Some(super::logs::overview(p, ctx, query)),
        "costs" => Some(super::costs::costs(p, ctx)),
        "risks" => Some(risks(p, ctx)),
        _ => None,
    };
    if let Some(v) = filled {
        m.insert(view.into(), v);
    }
    Value::Object(m)
}

/// Adds `cluster` (v1.17.0+, f1d4673): `World.ClusterName` of the app's cluster.
pub(crate) fn with_cluster(p: &Project, app: &App, mut o: Value) -> Value {
    if p.env.version.has_cluster_ids() {
        super::set(&mut o, "cluster", json!(p.app_cluster(app)));
    }
    o
}

/// An `ApplicationParam`.
struct Param {
    status: Status,
    value: String,
    chart: Option<Vec<u32>>,
}

impl Param {
    fn unknown() -> Param {
        Param {
            status: Status::Unknown,
            value: String::new(),
            chart: None,
        }
    }

    fn json(&self) -> Value {
        json!({"status": self.status.as_str(), "value": self.value, "chart": self.chart})
    }
}

/// `ApplicationType` (v1.24.5:api/views/overview/applications.go:310-330): the report is
/// named only when the app has it, and its status is that report's.
pub(crate) fn app_type(app: &App, a: Option<&Audit>) -> Value {
    let Some(t) = app.tech.as_deref() else {
        return Value::Null;
    };
    let report = audit::tech_report(t).and_then(|r| a.and_then(|a| a.report(r)));
    json!({"name": if t.starts_with("coroot") { "coroot" } else { t }, "icon": icon_for(t),
           "report": report.map(|r| r.name).unwrap_or(""),
           "status": report.map(|r| r.status()).unwrap_or(Status::Unknown).as_str()})
}

/// Whether an upstream's SLO checks fire; `None` when all of them are unknown.
fn slo_failing(a: &Audit) -> Option<bool> {
    let slo = a.report("SLO")?;
    let known: Vec<Status> = slo
        .checks
        .iter()
        .map(|c| c.status)
        .filter(|s| *s != Status::Unknown)
        .collect();
    if known.is_empty() {
        None
    } else {
        Some(known.iter().any(|s| *s >= Status::Warning))
    }
}

/// One row of the applications view, by the indicator rules of
/// v1.24.5:api/views/overview/applications.go:48-253 (unchanged since v1.12 but `cluster`).
fn application_row(p: &Project, idx: usize, audits: &[Audit]) -> Option<(Status, Value)> {
    let app = &p.apps[idx];
    let a = &audits[idx];
    let (mut errors, mut latency, mut upstreams) = (Param::unknown(), Param::unknown(), Param::unknown());
    let (mut instances, mut restarts, mut cpu, mut memory) =
        (Param::unknown(), Param::unknown(), Param::unknown(), Param::unknown());
    let (mut io, mut usage, mut network, mut dns, mut logs) = (
        Param::unknown(),
        Param::unknown(),
        Param::unknown(),
        Param::unknown(),
        Param::unknown(),
    );
    let mut slo_violating = false;
    for c in a.reports.iter().flat_map(|r| &r.checks) {
        let warn = c.status >= Status::Warning;
        match c.vc.def.id {
            "SLOAvailability" if p.has_sli(idx) => {
                if warn {
                    errors.status = Status::Critical;
                    slo_violating = true;
                }
                if app.error_ratio > 0.0 {
                    errors.value = overview_percent(app.error_ratio * 100.0);
                }
            }
            "SLOLatency" if p.has_sli(idx) => {
                if warn {
                    latency.status = Status::Critical;
                    slo_violating = true;
                }
                latency.value = audit::latency_text(app);
            }
            "InstanceAvailability" => {
                instances.status = c.status;
                if c.desired > 0 {
                    instances.value = format!("{}/{}", c.count, c.desired);
                }
            }
            "InstanceRestarts" => {
                restarts.status = c.status;
                if c.count > 0 {
                    restarts.value = c.count.to_string();
                }
            }
            "CPUNode" if warn && slo_violating => (cpu.status, cpu.value) = (Status::Warning, "shortage".into()),
            "CPUContainer" if warn => (cpu.status, cpu.value) = (Status::Warning, "shortage".into()),
            "MemoryOOM" if warn => (memory.status, memory.value) = (Status::Warning, "OOM".into()),
            "MemoryLeakPercent" if warn && memory.status < Status::Warning => {
                (memory.status, memory.value) = (Status::Warning, "leak".into())
            }
            "StorageIOLoad" => {
                if c.status != Status::Unknown {
                    io.status = c.status;
                }
                if c.value > 0.0 {
                    io.value = format_float(c.value);
                }
            }
            "StorageSpace" => {
                usage.status = c.status;
                if c.value > 0.0 {
                    usage.value = overview_percent(c.value);
                }
            }
            "NetworkRTT" => {
                if c.status != Status::Unknown {
                    network.status = if slo_violating { c.status } else { Status::Ok };
                }
                if c.value > 0.0 {
                    network.value = format_latency(c.value);
                }
            }
            "NetworkConnectivity" if warn => (network.status, network.value) = (c.status, "packet loss".into()),
            "NetworkTCPConnections" if warn => (network.status, network.value) = (c.status, "failed conns".into()),
            "DnsLatency" if warn => {
                dns.status = c.status;
                if c.value > 0.0 {
                    dns.value = format_latency(c.value);
                }
            }
            "DnsServerErrors" | "DnsNxdomainErrors" if warn => (dns.status, dns.value) = (c.status, "errors".into()),
            "LogErrors" => {
                if c.items > 0 {
                    logs.value = format!("{} unique {}", c.items, plural_word(c.items, "error"));
                    logs.chart = c.values.clone();
                }
                if warn {
                    logs.status = Status::Info;
                }
            }
            _ => {}
        }
    }
    // Upstreams: distinct upstream apps (monitoring ones skipped for non-monitoring apps)
    // whose SLO checks are known; failing ones count against `ok`.
    let mut seen: Vec<(usize, bool)> = Vec::new();
    for l in p.upstreams(idx) {
        let up = &p.apps[l.to];
        if l.to == idx
            || seen.iter().any(|(i, _)| *i == l.to)
            || (app.category != "monitoring" && up.category == "monitoring")
        {
            continue;
        }
        if let Some(failing) = slo_failing(&audits[l.to]) {
            seen.push((l.to, failing));
        }
    }
    if !seen.is_empty() {
        let ok = seen.iter().filter(|(_, failing)| !failing).count();
        upstreams.status = if ok < seen.len() && slo_violating {
            Status::Warning
        } else {
            Status::Ok
        };
        upstreams.value = format!("{ok}/{}", seen.len());
    }
    let params = [
        ("errors", errors),
        ("latency", latency),
        ("upstreams", upstreams),
        ("instances", instances),
        ("restarts", restarts),
        ("cpu", cpu),
        ("memory", memory),
        ("disk_io_load", io),
        ("disk_usage", usage),
        ("network", network),
        ("dns", dns),
        ("logs", logs),
    ];
    let mut status = params.iter().map(|(_, p)| p.status).max().unwrap_or(Status::Unknown);
    if status == Status::Unknown {
        return None;
    }
    let typ = app_type(app, Some(a));
    if let Some(ts) = typ.get("status").and_then(Value::as_str).map(parse_status) {
        status = status.max(ts);
        if status == Status::Ok && ts == Status::Unknown && typ["report"] != "" {
            status = Status::Unknown;
        }
    }
    let mut obj = json!({"id": app.id, "category": app.category, "status": status.as_str(), "type": typ});
    for (k, v) in &params {
        super::set(&mut obj, k, v.json());
    }
    Some((status, with_cluster(p, app, obj)))
}

fn parse_status(s: &str) -> Status {
    match s {
        "ok" => Status::Ok,
        "info" => Status::Info,
        "warning" => Status::Warning,
        "critical" => Status::Critical,
        _ => Status::Unknown,
    }
}

/// The audits of every app in a window.
pub(crate) fn audits(p: &Project, ctx: &TimeCtx, f: &Facts) -> Vec<Audit> {
    (0..p.apps.len()).map(|i| audit::audit(p, i, ctx, f)).collect()
}

/// The applications view, sorted like Coroot: non-ok statuses worst first, ok last, then by name.
fn applications(p: &Project, ctx: &TimeCtx) -> Value {
    let f = audit::facts(p, ctx);
    let audits = audits(p, ctx, &f);
    let mut rows: Vec<(Status, &str, Value)> = (0..p.apps.len())
        .filter_map(|i| application_row(p, i, &audits).map(|(s, v)| (s, p.apps[i].name.as_str(), v)))
        .collect();
    rows.sort_by(|x, y| {
        let ok = |s: Status| s == Status::Ok;
        ok(x.0).cmp(&ok(y.0)).then(y.0.cmp(&x.0)).then(x.1.cmp(y.1))
    });
    if rows.is_empty() {
        return Value::Null;
    }
    Value::Array(rows.into_iter().map(|r| r.2).collect())
}

/// The service map (v1.24.5:api/views/overview/service_map.go): apps with links only;
/// upstream links carry the worst connection status, stats and weight; downstream links
/// are bare ids (`status` unknown, `stats` null, `weight` 0); `status` is the app's own.
fn service_map(p: &Project, ctx: &TimeCtx) -> Value {
    let f = audit::facts(p, ctx);
    let mut out = Vec::new();
    for (idx, a) in p.apps.iter().enumerate() {
        let ups: Vec<Value> = p
            .upstreams(idx)
            .filter(|l| l.to != idx)
            .map(|l| {
                let st = l.stats();
                json!({"id": p.apps[l.to].id, "status": l.status().0.as_str(),
                       "stats": if st.is_empty() { Value::Null } else { json!(st) }, "weight": l.weight()})
            })
            .collect();
        let downs: Vec<Value> = p
            .downstreams(idx)
            .filter(|l| l.from != idx)
            .map(|l| json!({"id": p.apps[l.from].id, "status": "unknown", "stats": null, "weight": 0}))
            .collect();
        if ups.is_empty() && downs.is_empty() {
            continue;
        }
        // A leaf of the default category takes its clients' category when they share one.
        let mut category = a.category.clone();
        if ups.is_empty() && category == "application" {
            let mut cats: Vec<&str> = p.downstreams(idx).map(|l| p.apps[l.from].category.as_str()).collect();
            cats.sort_unstable();
            cats.dedup();
            if let [only] = cats.as_slice() {
                category = (*only).to_string();
            }
        }
        let audit = audit::audit(p, idx, ctx, &f);
        out.push(with_cluster(
            p,
            a,
            json!({
                "id": a.id, "custom": false, "category": category, "labels": app_labels(a),
                "status": audit.status().as_str(), "icon": a.tech.as_deref().map(icon_for).unwrap_or_default(),
                "indicators": audit.indicators(), "upstreams": ups, "downstreams": downs
            }),
        ));
    }
    if out.is_empty() { Value::Null } else { Value::Array(out) }
}

fn node_status(n: &Node) -> (Status, &str) {
    (n.status, n.status_msg.as_str())
}

/// The nodes view in its three shapes: a `Table` before v1.17.0
/// (v1.16.1:api/views/overview/nodes.go), `[]Node` with int percentages (0 when unknown)
/// v1.17.0–v1.22.x, and with `null` for unknown from v1.23.0 (1c46baf); `os` and
/// `kernel_version` from v1.19.1 (32739b0).
fn nodes(p: &Project) -> Value {
    let v = p.env.version;
    if !v.has_cluster_ids() {
        return nodes_table(p);
    }
    let rows: Vec<Value> = p
        .nodes
        .iter()
        .map(|n| {
            let up = n.cpu_percent.is_some();
            let (st, msg) = node_status(n);
            let pct = |x: Option<u32>| if v.at_least((1, 23, 0)) { json!(x) } else { json!(x.unwrap_or(0)) };
            let bw = up && (n.rx_bps > 0 || n.tx_bps > 0);
            let mut o = json!({
                "name": n.name, "cluster_id": p.node_cluster(n).0, "cluster_name": p.node_cluster(n).1,
                "status": {"status": st.as_str(), "message": msg},
                "uptime_ms": n.uptime_ms,
                "availability_zone": n.az, "cloud_provider": n.provider.to_lowercase(), "instance_type": n.instance_type,
                // `compute` reads the last CPU and memory capacity: a node without metrics at
                // the end has none (v1.24.5:api/views/overview/nodes.go:117-125).
                "compute": if up { format!("{} vCPU / {}GB", n.vcpu, n.mem_gb) } else { String::new() },
                "ips": if up { json!([n.ip]) } else { json!([]) },
                "cpu_percent": pct(n.cpu_percent), "memory_percent": pct(n.mem_percent), "gpus": 0,
                "total_network_band_width": if bw { n.rx_bps + n.tx_bps } else { 0 },
                "network_bandwidth": if bw { json!({"rx": n.rx_bps, "tx": n.tx_bps}) } else { Value::Null }
            });
            if v.at_least((1, 19, 1)) {
                super::set(&mut o, "os", json!("linux"));
                super::set(&mut o, "kernel_version", json!(n.kernel));
            }
            o
        })
        .collect();
    Value::Array(rows)
}

/// The nodes `Table` of v1.12.0–v1.16.x: a progress bar only for known CPU/memory,
/// `bandwidth` `{Rx, Tx}` (no JSON tags), nodes without an agent last.
fn nodes_table(p: &Project) -> Value {
    let mut rows = Vec::new();
    let mut unknown = Vec::new();
    for n in &p.nodes {
        let mut node = super::cell(&n.name);
        super::set(&mut node, "max_width", json!(30));
        super::set(
            &mut node,
            "link",
            json!({"title": n.name, "name": "overview", "params": {"view": "nodes", "id": n.name}}),
        );
        super::set(
            &mut node,
            "tags",
            json!([n.instance_type, format!("{} vCPU", n.vcpu), format!("{}GB", n.mem_gb)]),
        );
        let (st, msg) = node_status(n);
        // No uptime unit: until v1.17.0 Coroot queried `node_uptime_second` (a typo,
        // v1.12.0:constructor/queries.go:125), so the uptime was always missing.
        let mut status = super::cell(msg);
        super::set(&mut status, "status", json!(st.as_str()));
        let mut az = super::cell(&n.az);
        super::set(&mut az, "max_width", json!(20));
        super::set(&mut az, "unit", json!(format!("({})", n.provider.to_lowercase())));
        let progress = |x: Option<u32>, color: &str| {
            let mut c = super::cell("");
            if let Some(x) = x {
                super::set(&mut c, "progress", json!({"percent": x, "color": color}));
            }
            c
        };
        let mut net = super::cell("");
        if n.cpu_percent.is_some() && (n.rx_bps > 0 || n.tx_bps > 0) {
            super::set(
                &mut net,
                "bandwidth",
                json!({"Rx": humanize_bits(n.rx_bps as f64), "Tx": humanize_bits(n.tx_bps as f64)}),
            );
        }
        let ips = if n.cpu_percent.is_some() {
            super::cell(&n.ip)
        } else {
            super::cell("")
        };
        let row = json!({"id": "", "cells": [node, status, az, ips, progress(n.cpu_percent, "blue"),
                         progress(n.mem_percent, "deep-purple"), super::cell(""), net]});
        if st == Status::Unknown {
            unknown.push(row)
        } else {
            rows.push(row)
        }
    }
    rows.extend(unknown);
    json!({"header": ["Node", "Status", "Availability zone", "IP", "CPU", "Memory", "GPU", "Network"],
           "rows": if rows.is_empty() { Value::Null } else { Value::Array(rows) }})
}

/// Deployments whose rollout started inside the window, newest first.
fn deployments(p: &Project, ctx: &TimeCtx) -> Value {
    let mut ds: Vec<_> = p
        .deployments
        .iter()
        .filter(|d| d.started_at >= ctx.from && d.started_at <= ctx.to)
        .collect();
    ds.sort_by_key(|d| std::cmp::Reverse(d.started_at));
    if ds.is_empty() {
        return Value::Null;
    }
    let v: Vec<Value> = ds
        .into_iter()
        .map(|d| {
            let a = &p.apps[d.app];
            let summary: Vec<Value> = d
                .summary
                .iter()
                .map(|(emoji, msg, report)| {
                    let link = match report {
                        Some(r) => json!({"title": "", "name": "overview", "params": {"view": "applications", "id": a.id, "report": r},
                                          "query": {"from": d.started_at - 1_800_000, "to": d.started_at + 1_800_000}}),
                        None => Value::Null,
                    };
                    json!({"status": emoji, "message": msg, "link": link})
                })
                .collect();
            // The application stub is a service-map `Application` left unset but its id and
            // category; its `cluster` (v1.17.0+) stays empty (v1.24.5:api/views/overview/deployments.go).
            let mut stub = json!({"id": a.id, "custom": false, "category": a.category, "labels": null, "status": "unknown",
                                  "icon": "", "indicators": null, "upstreams": null, "downstreams": null});
            if p.env.version.has_cluster_ids() {
                super::set(&mut stub, "cluster", json!(""));
            }
            json!({
                "application": stub,
                "version": d.version,
                "deployed": format!("{} ago", human_age(p.now_ms - d.started_at)),
                "status": d.status.as_str(),
                "link": {"title": "", "name": "overview", "params": {"view": "applications", "id": a.id, "report": "Instances"},
                         "query": {"from": d.started_at - 1_800_000, "to": d.started_at + 1_800_000}},
                "age": human_age(p.now_ms - d.started_at),
                "summary": if summary.is_empty() { Value::Null } else { Value::Array(summary) }
            })
        })
        .collect();
    Value::Array(v)
}

fn risks(p: &Project, ctx: &TimeCtx) -> Value {
    let f = audit::facts(p, ctx);
    let rs = super::risks::all(p);
    if rs.is_empty() {
        return Value::Null;
    }
    let v: Vec<Value> = rs
        .iter()
        .map(|r| {
            let a = &p.apps[r.app];
            let typ = app_type(a, Some(&audit::audit(p, r.app, ctx, &f)));
            // A dismissed risk is OK (v1.24.5:api/views/overview/risks.go:187-190, 269-272).
            let severity = if r.dismissal.is_some() { Status::Ok } else { r.severity };
            let mut o = with_cluster(p, a, json!({
                "key": {"category": r.category, "type": r.rtype}, "application_id": a.id,
                "application_category": a.category, "application_type": typ, "severity": severity.as_str(), "type": ""
            }));
            if let Some(d) = &r.dismissal {
                super::set(&mut o, "dismissal", json!({"by": d.by, "timestamp": d.timestamp, "reason": d.reason}));
            }
            if let Some((ips, ports, lbs)) = &r.exposure {
                super::set(&mut o, "exposure", json!({"ips": ips, "ports": ports, "node_port_services": [], "load_balancer_services": lbs}));
            }
            if let Some(d) = &r.description {
                super::set(&mut o, "availability", json!({"description": d}));
            }
            o
        })
        .collect();
    Value::Array(v)
}
