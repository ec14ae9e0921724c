//! Application detail (`GET /app/{app}`, v1.24.5:api/views/application/application.go):
//! the app map and the audit reports in the auditor's order, then the Profiling and
//! Tracing placeholders (api.go:1096-1097).

use serde_json::{Value, json};

use super::app_widgets::{
    cpu_widgets, db_widgets, deployments_widgets, dns_widgets, instances_widgets, memory_widgets, net_widgets,
    runtime_widget, slo_widgets, storage_widgets,
};
use super::audit::{self, Audit, Facts, ReportOut};
use super::{app_labels, cell, set};
use crate::model::{Status, icon_for};
use crate::util::TimeCtx;
use crate::world::{App, Link, Project};

/// An `Application` of the app map (application.go:30-45): `category` is set only for the
/// app itself, `status` is the peer's own status, `indicators` its report statuses.
fn app_map_app(p: &Project, idx: usize, a: &Audit, own: bool) -> Value {
    let app = &p.apps[idx];
    let mut v = json!({"id": app.id, "category": if own { app.category.as_str() } else { "" }, "custom": false,
           "status": a.status().as_str(), "icon": app.tech.as_deref().map(icon_for).unwrap_or_default(),
           "indicators": a.indicators(), "labels": app_labels(app),
           "link_status": "unknown", "link_status_reason": "", "link_direction": "", "link_stats": null, "link_weight": 0});
    if p.env.version.has_cluster_ids() {
        set(&mut v, "cluster", json!(p.app_cluster(app)));
    }
    v
}

/// A client or dependency with its link (the outgoing connection for dependencies).
fn peer(p: &Project, idx: usize, l: &Link, direction: &str, ctx: &TimeCtx, f: &Facts) -> Value {
    let mut v = app_map_app(p, idx, &audit::audit(p, idx, ctx, f), false);
    let (status, reason) = l.status();
    let st = l.stats();
    set(&mut v, "link_status", json!(status.as_str()));
    set(&mut v, "link_status_reason", json!(reason));
    set(&mut v, "link_direction", json!(direction));
    set(
        &mut v,
        "link_stats",
        if st.is_empty() { Value::Null } else { json!(st) },
    );
    set(&mut v, "link_weight", json!(l.weight()));
    v
}

/// Chart annotations: the app's incidents and rollouts in the window.
fn annotations(p: &Project, idx: usize, ctx: &TimeCtx) -> Value {
    let a = &p.apps[idx];
    let mut anns: Vec<Value> = p
        .incidents
        .iter()
        .filter(|i| i.app_id == a.id && i.opened_at <= ctx.to && i.resolved_at.unwrap_or(p.now_ms) >= ctx.from)
        .map(|i| json!({"name": "incident", "x1": i.opened_at, "x2": i.resolved_at.unwrap_or(ctx.to).min(ctx.to), "icon": ""}))
        .collect();
    for d in p
        .deployments
        .iter()
        .filter(|d| d.app == idx && d.started_at >= ctx.from && d.started_at <= ctx.to)
    {
        anns.push(
            json!({"name": format!("deployment {}", d.version), "x1": d.started_at, "x2": d.started_at,
                         "icon": "mdi-swap-horizontal-circle-outline"}),
        );
    }
    if anns.is_empty() {
        Value::Null
    } else {
        Value::Array(anns)
    }
}

/// Builds one report's JSON from its checks and widgets.
fn report(r: &ReportOut, app: &App, widgets: Vec<Value>, anns: &Value, v: crate::version::Version) -> Value {
    let widgets: Vec<Value> = widgets
        .into_iter()
        .map(|mut w| {
            if !anns.is_null()
                && let Some(c) = w.get_mut("chart")
            {
                set(c, "annotations", anns.clone());
            }
            w
        })
        .collect();
    let checks: Vec<Value> = r.checks.iter().map(|c| c.json(app)).collect();
    let instrumentation = match r.name {
        "Postgres" => "postgres",
        "Mysql" => "mysql",
        "Redis" => "redis",
        "Mongodb" => "mongodb",
        "Memcached" => "memcached",
        _ => "",
    };
    let mut o = json!({"name": r.name, "status": r.status().as_str(), "widgets": if widgets.is_empty() { Value::Null } else { Value::Array(widgets) },
           "checks": if checks.is_empty() { Value::Null } else { Value::Array(checks) },
           "custom": r.name == "Logs", "instrumentation": instrumentation});
    // `configuration_hint` (v1.24.5:model/audit_report.go:38-56): no simulated JVM runs
    // async-profiler (auditor/jvm.go:98-115, v1.19.0+) and every simulated postgres has
    // `track_io_timing` off (auditor/postgres.go:570-589, v1.24.0+).
    let hint = match r.name {
        "JVM" if v.at_least((1, 19, 0)) => Some((
            "Enable async-profiler to get Java CPU, memory allocation, and lock contention profiles and metrics.",
            "https://docs.coroot.com/profiling/java-profiling",
        )),
        "Postgres" if v.at_least((1, 24, 0)) => Some((
            "Enable track_io_timing to attribute disk I/O to specific queries - without it, the per-query I/O time is always zero.",
            "https://docs.coroot.com/databases/postgres",
        )),
        _ => None,
    };
    if let Some((message, link)) = hint {
        set(
            &mut o,
            "configuration_hint",
            json!({"message": message, "read_more_link": link}),
        );
    }
    o
}

fn widgets_of(p: &Project, idx: usize, r: &ReportOut, ctx: &TimeCtx) -> Vec<Value> {
    let a = &p.apps[idx];
    let pods: Vec<String> = a.instances.iter().map(|i| i.name.clone()).collect();
    match r.name {
        "SLO" => slo_widgets(p, idx, ctx),
        "Instances" => instances_widgets(p, idx, ctx),
        "CPU" => cpu_widgets(p, idx, ctx),
        "Memory" => memory_widgets(p, idx, ctx),
        "Storage" => storage_widgets(p, idx, ctx),
        "Net" => net_widgets(p, idx, ctx),
        "DNS" => dns_widgets(p, idx, ctx),
        "Postgres" => db_widgets(p, idx, ctx, "postgres", r.status() >= Status::Warning),
        "Redis" => db_widgets(p, idx, ctx, "redis", false),
        "JVM" => {
            let rows: Vec<Value> = a
                .instances
                .iter()
                .map(|i| json!({"id": "", "cells": [cell(&i.name), cell(if i.up { "up" } else { "down" }), cell("21.0.4")]}))
                .collect();
            let mut w = vec![
                json!({"table": {"header": ["Instance", "Status", "Java version"], "rows": rows}, "width": "100%"}),
            ];
            w.extend(runtime_widget(ctx, "Safepoint time, seconds/second", 0.002, &pods));
            w
        }
        "Python" => runtime_widget(ctx, "GIL waiting time, seconds/second", 0.004, &pods),
        "Node.js" => runtime_widget(ctx, "Node.js event loop blocked time, seconds/second", 0.01, &pods),
        "Logs" => {
            let check = r.checks.first().map(|c| c.json(a)).unwrap_or(Value::Null);
            vec![json!({"logs": {"application_id": a.id, "check": check}, "width": "100%"})]
        }
        "Deployments" => deployments_widgets(p, idx, ctx),
        _ => Vec::new(),
    }
}

/// `data` of `/app/{app}`. A peer that is both a client and a dependency appears once, in
/// `dependencies`, with `link_direction: "both"` and its outgoing link (application.go:132-190).
pub(crate) fn detail(p: &Project, idx: usize, ctx: &TimeCtx) -> Value {
    let a = &p.apps[idx];
    let f = audit::facts(p, ctx);
    let own = audit::audit(p, idx, ctx, &f);
    let anns = annotations(p, idx, ctx);
    let mut out: Vec<Value> = own
        .reports
        .iter()
        .map(|r| report(r, a, widgets_of(p, idx, r, ctx), &anns, p.env.version))
        .collect();
    out.push(json!({"name": "Profiling", "status": "unknown", "widgets": [{"profiling": {"application_id": a.id}, "width": "100%"}], "checks": null, "custom": false, "instrumentation": ""}));
    out.push(json!({"name": "Tracing", "status": "unknown", "widgets": [{"tracing": {"application_id": a.id}, "width": "100%"}], "checks": null, "custom": false, "instrumentation": ""}));

    let mut deps: Vec<(String, Value)> = Vec::new();
    for l in p.upstreams(idx).filter(|l| l.to != idx) {
        if deps.iter().any(|d| d.0 == p.apps[l.to].id) {
            continue;
        }
        let both = p.downstreams(idx).any(|d| d.from == l.to);
        deps.push((
            p.apps[l.to].id.clone(),
            peer(p, l.to, l, if both { "both" } else { "to" }, ctx, &f),
        ));
    }
    let mut clients: Vec<(String, Value)> = Vec::new();
    for l in p.downstreams(idx).filter(|l| l.from != idx) {
        let id = &p.apps[l.from].id;
        if deps.iter().any(|d| d.0 == *id) || clients.iter().any(|c| c.0 == *id) {
            continue;
        }
        clients.push((id.clone(), peer(p, l.from, l, "to", ctx, &f)));
    }
    clients.sort_by(|x, y| x.0.cmp(&y.0));
    deps.sort_by(|x, y| x.0.cmp(&y.0));
    let list = |v: Vec<(String, Value)>| {
        if v.is_empty() {
            Value::Null
        } else {
            Value::Array(v.into_iter().map(|x| x.1).collect())
        }
    };
    let mut instances: Vec<Value> = a
        .instances
        .iter()
        .map(|i| {
            let labels: serde_json::Map<String, Value> = i.labels.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
            json!({"id": i.name, "labels": labels})
        })
        .collect();
    let port = p.downstreams(idx).next().map_or(0, |l| l.port);
    instances.extend(
        super::endpoint_instances(a, port)
            .into_iter()
            .map(|i| json!({"id": i, "labels": {}})),
    );
    instances.sort_by(|x, y| x["id"].as_str().cmp(&y["id"].as_str()));
    json!({
        "app_map": {
            "application": app_map_app(p, idx, &own, true),
            "instances": if instances.is_empty() { Value::Null } else { Value::Array(instances) },
            "clients": list(clients),
            "dependencies": list(deps),
            "custom_applications": [],
            "categories": null
        },
        "reports": out
    })
}
