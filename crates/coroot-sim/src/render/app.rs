//! Application detail (§6.8, §10.1): the app map and the audit reports in Coroot's order,
//! with tables first, then charts and chart groups; empty charts are dropped, empty
//! tables kept.

use serde_json::{Value, json};

use super::metrics::object_series;
use super::{
    ReportOut, app_labels, app_reports, cell, chart, chart_widget, group_widget, indicators, log_errors, series, set,
};
use crate::model::{Status, icon_for};
use crate::util::{TimeCtx, fmt_size, human_age, round, trim_float};
use crate::world::{App, Project};

fn app_map_app(p: &Project, idx: usize, ctx: &TimeCtx, errors: Option<&(u64, Vec<String>)>, own: bool) -> Value {
    let a = &p.apps[idx];
    let reports = app_reports(p, idx, ctx, errors);
    json!({"id": a.id, "cluster": p.name, "category": if own { a.category.as_str() } else { "" }, "custom": false,
           "status": a.status.as_str(), "icon": a.tech.as_deref().map(icon_for).unwrap_or_default(),
           "indicators": indicators(&reports), "labels": app_labels(a),
           "link_status": "unknown", "link_status_reason": "", "link_direction": "", "link_stats": null, "link_weight": 0})
}

fn nonempty(v: Vec<f64>) -> Option<Vec<f64>> {
    if v.iter().any(|x| x.is_finite() && *x != 0.0) {
        Some(v)
    } else {
        None
    }
}

fn constant(ctx: &TimeCtx, v: f64) -> Vec<f64> {
    ctx.times().map(|t| if t <= ctx.to { v } else { f64::NAN }).collect()
}

fn with_threshold(mut c: Value, name: &str, color: &str, data: Vec<f64>) -> Value {
    let mut s = series(name, Some(color), data);
    set(&mut s, "fill", json!(true));
    set(&mut c, "threshold", s);
    c
}

fn annotations(p: &Project, idx: usize, ctx: &TimeCtx) -> Value {
    let a = &p.apps[idx];
    let mut anns: Vec<Value> = p
        .incidents
        .iter()
        .filter(|i| i.app_id == a.id && i.opened_at <= ctx.to && i.resolved_at.unwrap_or(p.now_ms) >= ctx.from)
        .map(|i| json!({"name": "incident", "x1": i.opened_at, "x2": i.resolved_at.unwrap_or(p.now_ms), "icon": ""}))
        .collect();
    for d in p
        .deployments
        .iter()
        .filter(|d| d.app == idx && d.started_at >= ctx.from && d.started_at <= ctx.to)
    {
        anns.push(json!({"name": "deployment", "x1": d.started_at, "x2": d.started_at, "icon": "mdi-swap-horizontal-circle-outline"}));
    }
    if anns.is_empty() {
        Value::Null
    } else {
        Value::Array(anns)
    }
}

/// Builds one report's JSON from its checks and widgets.
fn report(r: &ReportOut, app: &App, widgets: Vec<Value>, anns: &Value) -> Value {
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
    json!({"name": r.name, "status": r.status().as_str(), "widgets": if widgets.is_empty() { Value::Null } else { Value::Array(widgets) },
           "checks": if checks.is_empty() { Value::Null } else { Value::Array(checks) },
           "custom": r.name == "Logs", "instrumentation": instrumentation})
}

fn slo_widgets(p: &Project, idx: usize, ctx: &TimeCtx) -> Vec<Value> {
    let a = &p.apps[idx];
    let rows: Vec<Value> = p
        .downstreams(idx)
        .map(|l| {
            let c = &p.apps[l.from];
            let mut name = cell(&c.name);
            set(
                &mut name,
                "link",
                json!({"title": "", "name": "overview", "params": {"view": "applications", "id": c.id}}),
            );
            let mut spark = cell("");
            set(
                &mut spark,
                "chart",
                json!(
                    object_series(
                        p,
                        "container_http_requests_total",
                        &c.name,
                        Some(("status", "200")),
                        ctx
                    )
                    .iter()
                    .map(|v| round(*v, 2))
                    .collect::<Vec<_>>()
                ),
            );
            let mut req = cell(&trim_float(l.rps));
            set(&mut req, "unit", json!("/s"));
            let mut lat = cell(&trim_float(l.latency_ms));
            set(&mut lat, "unit", json!("ms"));
            let mut err = cell(&if l.status >= Status::Warning {
                trim_float(l.rps * 0.04)
            } else {
                "0".to_string()
            });
            set(&mut err, "unit", json!("/s"));
            json!({"id": c.id, "cells": [name, spark, req, lat, err]})
        })
        .collect();
    let mut out = vec![
        json!({"table": {"header": ["Client", "", "Requests", "Latency", "Errors"], "rows": if rows.is_empty() { Value::Null } else { Value::Array(rows) }}, "width": "100%"}),
    ];
    if a.rps > 0.0 || p.downstreams(idx).next().is_some() {
        let total: f64 = p.downstreams(idx).map(|l| l.rps).sum::<f64>().max(a.rps);
        let errs = p
            .incidents
            .iter()
            .filter(|i| i.app_id == a.id && i.availability_impact > 0.0)
            .map(|i| (i.opened_at, i.resolved_at.unwrap_or(p.now_ms), i.availability_impact))
            .collect::<Vec<_>>();
        let err_at = |t: i64| {
            errs.iter()
                .find(|(f, to, _)| t >= *f && t <= *to)
                .map(|(_, _, pct)| total * pct / 100.0)
                .unwrap_or(total * a.error_ratio)
        };
        let fast = series(
            "0-5 ms",
            Some("green"),
            ctx.times().map(|t| (total - err_at(t)) * 0.3).collect(),
        );
        let mid = series(
            "5-500 ms",
            Some("green"),
            ctx.times().map(|t| (total - err_at(t)) * 0.68).collect(),
        );
        let slow = series(
            "500ms-inf",
            Some("red"),
            ctx.times().map(|t| (total - err_at(t)) * 0.02).collect(),
        );
        let errors = series("errors", Some("black"), ctx.times().map(err_at).collect());
        let mut c = chart(
            ctx,
            &format!("Requests to the <var>{}</var> app, per second", a.name),
            vec![fast, mid, slow, errors],
        );
        set(&mut c, "stacked", json!(true));
        set(&mut c, "sorted", json!(true));
        let c = with_threshold(c, "total", "grey-lighten1", constant(ctx, total));
        out.push(chart_widget(c, "50%"));
        let mut e = chart(
            ctx,
            "Errors, per second",
            vec![series("errors", Some("black"), ctx.times().map(err_at).collect())],
        );
        set(&mut e, "stacked", json!(true));
        out.push(chart_widget(e, "50%"));
    }
    out
}

fn instances_widgets(p: &Project, idx: usize, ctx: &TimeCtx) -> Vec<Value> {
    let a = &p.apps[idx];
    let rows: Vec<Value> = a
        .instances
        .iter()
        .map(|i| {
            let mut st = cell(&i.status_text);
            set(&mut st, "icon", json!({"name": if i.up { "mdi-check-circle" } else { "mdi-alert-circle" }, "color": if i.up { "green" } else { "red" }}));
            let mut node = cell(&i.node);
            set(&mut node, "link", json!({"title": "", "name": "overview", "params": {"view": "nodes", "id": format!("{}:{}", p.id, i.node)}}));
            json!({"id": i.name, "cells": [cell(&i.name), st, cell(&i.restarts.to_string()), cell(&i.ip), node]})
        })
        .collect();
    let mut out = vec![
        json!({"table": {"header": ["Instance", "Status", "Restarts", "IP", "Node"], "rows": if rows.is_empty() { Value::Null } else { Value::Array(rows) }}, "width": "100%"}),
    ];
    let desired = a.instances.len() as f64;
    let mut up = vec![0.0; ctx.points()];
    for i in &a.instances {
        for (k, v) in object_series(p, "up", &i.name, None, ctx).into_iter().enumerate() {
            if let Some(x) = up.get_mut(k) {
                *x += if v.is_nan() { 0.0 } else { v };
            }
        }
    }
    let mut c = chart(ctx, "Instances", vec![series("up", Some("green"), up)]);
    set(&mut c, "stacked", json!(true));
    out.push(chart_widget(
        with_threshold(c, "desired", "red", constant(ctx, desired)),
        "50%",
    ));
    let restarts: Vec<Value> = a
        .instances
        .iter()
        .filter_map(|i| {
            nonempty(
                object_series(p, "container_restarts_total", &i.name, None, ctx)
                    .into_iter()
                    .map(|v| (v * 300.0).round())
                    .collect(),
            )
            .map(|d| series(&i.name, None, d))
        })
        .collect();
    if !restarts.is_empty() {
        let mut r = chart(ctx, "Restarts", restarts);
        set(&mut r, "column", json!(true));
        set(&mut r, "stacked", json!(true));
        out.push(chart_widget(r, "50%"));
    }
    out
}

fn per_container_group(
    p: &Project,
    a: &App,
    ctx: &TimeCtx,
    title: &str,
    metric: &str,
    prefix: &str,
    limit: Option<f64>,
) -> Option<Value> {
    let data = object_series(p, metric, &a.name, None, ctx);
    let n = a.instances.len().max(1) as f64;
    let per = nonempty(data.into_iter().map(|v| v / n).collect())?;
    let mut c = chart(
        ctx,
        &format!("{prefix}{}", a.name),
        vec![series("usage", Some("blue"), per)],
    );
    if let Some(l) = limit.filter(|l| *l > 0.0) {
        c = with_threshold(c, "limit", "red", constant(ctx, l));
    }
    Some(group_widget(title, vec![c], None))
}

fn cpu_widgets(p: &Project, idx: usize, ctx: &TimeCtx) -> Vec<Value> {
    let a = &p.apps[idx];
    let mut out = Vec::new();
    out.extend(per_container_group(
        p,
        a,
        ctx,
        "CPU usage <selector>, cores",
        "container_resources_cpu_usage_seconds_total",
        "container: ",
        Some(a.cpu_limit),
    ));
    out.extend(per_container_group(
        p,
        a,
        ctx,
        "Throttled time <selector>, seconds/second",
        "container_resources_cpu_throttled_seconds_total",
        "container: ",
        None,
    ));
    let nodes: Vec<&str> = {
        let mut v: Vec<&str> = a.instances.iter().map(|i| i.node.as_str()).collect();
        v.sort();
        v.dedup();
        v
    };
    let node_series: Vec<Value> = nodes
        .iter()
        .filter_map(|n| {
            let node = p.node(n)?;
            let cores = f64::from(node.vcpu.max(1));
            nonempty(
                object_series(p, "node_resources_cpu_usage_seconds_total", n, None, ctx)
                    .into_iter()
                    .map(|v| round(v / cores * 100.0, 2))
                    .collect(),
            )
            .map(|d| series(n, None, d))
        })
        .collect();
    if !node_series.is_empty() {
        out.push(group_widget(
            "Node CPU usage <selector>, %",
            vec![chart(ctx, "overview", node_series)],
            None,
        ));
    }
    out
}

fn memory_widgets(p: &Project, idx: usize, ctx: &TimeCtx) -> Vec<Value> {
    let a = &p.apps[idx];
    let mut out = Vec::new();
    out.extend(per_container_group(
        p,
        a,
        ctx,
        "Memory usage <selector>, bytes",
        "container_memory_rss",
        "RSS container: ",
        Some(a.mem_limit),
    ));
    let ooms: Vec<Value> = a
        .instances
        .iter()
        .filter_map(|i| {
            nonempty(
                object_series(p, "container_oom_kills_total", &i.name, None, ctx)
                    .into_iter()
                    .map(|v| (v * 300.0).round())
                    .collect(),
            )
            .map(|d| series(&i.name, None, d))
        })
        .collect();
    if !ooms.is_empty() {
        let mut c = chart(ctx, "Out of memory events", ooms);
        set(&mut c, "column", json!(true));
        set(&mut c, "stacked", json!(true));
        out.push(chart_widget(c, "50%"));
    }
    out
}

fn storage_widgets(p: &Project, idx: usize, ctx: &TimeCtx) -> Vec<Value> {
    let a = &p.apps[idx];
    let rows: Vec<Value> = a
        .volumes
        .iter()
        .map(|v| {
            let mut lat = cell(&trim_float(v.latency_ms));
            set(&mut lat, "unit", json!("ms"));
            let mut load = cell(&trim_float(v.io_load));
            if v.io_load > 5.0 {
                set(&mut load, "status", json!("warning"));
            }
            let pct = (v.used / v.total * 100.0).round();
            json!({"id": v.name, "cells": [cell(&format!("{}:{}", v.name, v.mount)), lat, load,
                   cell(&format!("{pct}% ({} / {})", fmt_size(v.used), fmt_size(v.total))), cell(&v.device)]})
        })
        .collect();
    let mut out = vec![
        json!({"table": {"header": ["Volume", "Latency", "I/O load", "Space", "Device"], "rows": rows}, "width": "100%"}),
    ];
    let charts: Vec<Value> = a
        .volumes
        .iter()
        .filter_map(|v| {
            let node = a.instances.first().map(|i| i.node.as_str()).unwrap_or("");
            let dev = v.device.trim_start_matches("/dev/");
            let data = nonempty(object_series(
                p,
                "node_disk_io_time_seconds_total",
                node,
                Some(("device", dev)),
                ctx,
            ))?;
            Some(chart(ctx, &v.mount, vec![series("total", Some("blue"), data)]))
        })
        .collect();
    if !charts.is_empty() {
        out.push(group_widget(
            "I/O load (total latency) <selector>, seconds/second",
            charts,
            None,
        ));
    }
    out
}

fn net_widgets(p: &Project, idx: usize, ctx: &TimeCtx) -> Vec<Value> {
    let a = &p.apps[idx];
    let mut out = Vec::new();
    let mut failed = Vec::new();
    let mut rtt = Vec::new();
    let mut retrans = Vec::new();
    for l in p.upstreams(idx) {
        let up = &p.apps[l.to];
        let ip = up.instances.first().map(|i| i.ip.as_str()).unwrap_or("10.96.0.1");
        let dest = format!("{ip}:{}", l.port);
        let name = format!("→{}", up.name);
        if let Some(d) = nonempty(object_series(
            p,
            "container_net_tcp_failed_connects_total",
            &a.name,
            Some(("destination", &dest)),
            ctx,
        )) {
            failed.push(series(&name, None, d));
        }
        if let Some(d) = nonempty(object_series(
            p,
            "container_net_latency_seconds",
            &a.name,
            Some(("destination", &dest)),
            ctx,
        )) {
            let n = a.instances.len().max(1) as f64;
            rtt.push(series(&name, None, d.into_iter().map(|v| v / n).collect()));
        }
        if let Some(d) = nonempty(object_series(
            p,
            "container_net_tcp_retransmits_total",
            &a.name,
            Some(("destination", &dest)),
            ctx,
        )) {
            retrans.push(series(&name, None, d));
        }
    }
    if !rtt.is_empty() {
        out.push(chart_widget(
            chart(ctx, "Network RTT (in-cluster), seconds", rtt),
            "50%",
        ));
    }
    if !failed.is_empty() {
        out.push(chart_widget(
            chart(ctx, "Failed TCP connections, per second", failed),
            "50%",
        ));
    }
    if !retrans.is_empty() {
        out.push(chart_widget(
            chart(ctx, "TCP retransmissions, segments/second", retrans),
            "50%",
        ));
    }
    out
}

fn dns_widgets(p: &Project, idx: usize, ctx: &TimeCtx) -> Vec<Value> {
    let a = &p.apps[idx];
    let rows: Vec<Value> = a
        .dns
        .iter()
        .map(|d| {
            let mut req = cell(&trim_float(d.rps));
            set(&mut req, "unit", json!("/s"));
            let nx = |n: u32| if n == 0 { cell("") } else { cell(&n.to_string()) };
            json!({"id": d.domain, "cells": [cell(&d.domain), req, nx(d.nx_a), nx(d.nx_aaaa), cell(""), nx(d.servfail)]})
        })
        .collect();
    let mut out = vec![
        json!({"table": {"header": ["Domain", "Requests", "No results (IPv4: A)", "No results (IPv6: AAAA)", "No results (other)", "ServFail"], "rows": rows}, "width": "100%"}),
    ];
    if let Some(d) = nonempty(object_series(
        p,
        "container_dns_requests_total",
        &a.name,
        Some(("status", "ok")),
        ctx,
    )) {
        out.push(chart_widget(
            chart(ctx, "DNS requests by type, per second", vec![series("TypeA", None, d)]),
            "50%",
        ));
    }
    if let Some(d) = nonempty(object_series(
        p,
        "container_dns_requests_total",
        &a.name,
        Some(("status", "nxdomain")),
        ctx,
    )) {
        out.push(chart_widget(
            chart(ctx, "DNS errors, per second", vec![series("TypeA:nxdomain", None, d)]),
            "50%",
        ));
    }
    out
}

fn db_widgets(p: &Project, idx: usize, ctx: &TimeCtx, kind: &str, slow: bool) -> Vec<Value> {
    let a = &p.apps[idx];
    let rows: Vec<Value> = a
        .instances
        .iter()
        .map(|i| {
            let role = i
                .labels
                .iter()
                .find(|(k, _)| k == "role")
                .map(|(_, v)| v.as_str())
                .unwrap_or("primary");
            let version = i
                .labels
                .iter()
                .find(|(k, _)| k == "version")
                .map(|(_, v)| v.as_str())
                .unwrap_or("");
            let mut status = cell(if i.up { "up" } else { "down" });
            set(&mut status, "status", json!(if i.up { "ok" } else { "critical" }));
            if kind == "postgres" {
                let mut lat = cell(if slow { "182" } else { "1.2" });
                set(&mut lat, "unit", json!("ms"));
                if slow {
                    set(&mut lat, "status", json!("warning"));
                }
                let mut q = cell("126");
                set(&mut q, "unit", json!("/s"));
                json!({"id": i.name, "cells": [cell(&i.name), cell(role), status, q, lat, cell(""), cell("48 GB")]})
            } else {
                json!({"id": i.name, "cells": [cell(&i.name), cell(role), status, cell(version)]})
            }
        })
        .collect();
    if kind == "postgres" {
        let lat_base = if slow { 0.18 } else { 0.0012 };
        let node = a.instances.first().map(|i| i.node.as_str()).unwrap_or("");
        let io = object_series(
            p,
            "node_disk_io_time_seconds_total",
            node,
            Some(("device", "nvme1n1")),
            ctx,
        );
        let lat: Vec<f64> = if io.is_empty() {
            constant(ctx, lat_base)
        } else {
            io.iter().map(|v| 0.001 + v / 9.5 * 0.18).collect()
        };
        vec![
            json!({"table": {"header": ["Instance", "Role", "Status", "Queries", "Latency", "Replication lag", "DB Size"], "rows": rows}, "width": "100%"}),
            json!({"group_header": "Queries", "width": "100%"}),
            json!({"chart_group": {"title": "Query latency <selector>, seconds", "charts": [chart(ctx, "overview", vec![series("postgres-0", None, lat)])]}, "width": "50%", "group": "Queries"}),
            json!({"chart": chart(ctx, "Queries per second", vec![series("queries", None, constant(ctx, 126.0))]), "width": "50%", "group": "Queries"}),
        ]
    } else {
        vec![
            json!({"table": {"header": ["Instance", "Role", "Status", "Version"], "rows": rows}, "width": "100%"}),
            chart_widget(
                chart(
                    ctx,
                    "Redis average latency, seconds",
                    vec![series("redis-0", None, constant(ctx, 0.0004))],
                ),
                "50%",
            ),
        ]
    }
}

fn runtime_widget(ctx: &TimeCtx, title: &str, value: f64, instances: &[String]) -> Vec<Value> {
    let s: Vec<Value> = instances
        .iter()
        .map(|i| series(i, None, constant(ctx, value)))
        .collect();
    vec![chart_widget(chart(ctx, title, s), "50%")]
}

fn deployments_widgets(p: &Project, idx: usize, ctx: &TimeCtx) -> Vec<Value> {
    let mut ds: Vec<_> = p
        .deployments
        .iter()
        .filter(|d| d.app == idx && d.started_at >= ctx.from && d.started_at <= ctx.to)
        .collect();
    ds.sort_by_key(|d| std::cmp::Reverse(d.started_at));
    let rows: Vec<Value> = ds
        .into_iter()
        .map(|d| {
            let mut v = cell(&d.version);
            set(&mut v, "status", json!(d.status.as_str()));
            set(&mut v, "tags", json!([format!("age: {}", human_age(p.now_ms - d.started_at))]));
            let mut deployed = cell(&format!("{} ago", human_age(p.now_ms - d.started_at)));
            set(&mut deployed, "timestamp", json!(d.started_at));
            let mut summary = cell("");
            let sums: Vec<Value> = d
                .summary
                .iter()
                .map(|(emoji, msg, rep)| json!({"report": rep.clone().unwrap_or_default(), "ok": emoji != "💔", "message": msg, "time": d.started_at}))
                .collect();
            set(&mut summary, "deployment_summaries", json!(sums));
            json!({"id": d.version, "cells": [v, deployed, summary]})
        })
        .collect();
    vec![json!({"table": {"header": ["Deployment", "Deployed", "Summary"], "rows": rows}, "width": "100%"})]
}

/// `data` of `/app/{app}`.
pub(crate) fn detail(p: &Project, idx: usize, ctx: &TimeCtx) -> Value {
    let a = &p.apps[idx];
    let errors = log_errors(p, ctx);
    let errs = errors.get(&(idx as u32));
    let reports = app_reports(p, idx, ctx, errs);
    let anns = annotations(p, idx, ctx);
    let pod_names: Vec<String> = a.instances.iter().map(|i| i.name.clone()).collect();
    let mut out: Vec<Value> = Vec::new();
    for r in &reports {
        let widgets = match r.name {
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
                let rows: Vec<Value> = a.instances.iter().map(|i| json!({"id": i.name, "cells": [cell(&i.name), cell(if i.up { "up" } else { "down" }), cell("21.0.4")]})).collect();
                let mut w = vec![
                    json!({"table": {"header": ["Instance", "Status", "Java version"], "rows": rows}, "width": "100%"}),
                ];
                w.extend(runtime_widget(ctx, "Safepoint time, seconds/second", 0.002, &pod_names));
                w
            }
            "Python" => runtime_widget(ctx, "GIL waiting time, seconds/second", 0.004, &pod_names),
            "Node.js" => runtime_widget(ctx, "Node.js event loop blocked time, seconds/second", 0.01, &pod_names),
            "Logs" => {
                let check = r.checks.first().map(|c| c.json(a)).unwrap_or(Value::Null);
                vec![json!({"logs": {"application_id": a.id, "check": check}, "width": "100%"})]
            }
            "Deployments" => deployments_widgets(p, idx, ctx),
            _ => Vec::new(),
        };
        out.push(report(r, a, widgets, &anns));
    }
    out.push(json!({"name": "Profiling", "status": "unknown", "widgets": [{"profiling": {"application_id": a.id}, "width": "100%"}], "checks": null, "custom": false, "instrumentation": ""}));
    out.push(json!({"name": "Tracing", "status": "unknown", "widgets": [{"tracing": {"application_id": a.id}, "width": "100%"}], "checks": null, "custom": false, "instrumentation": ""}));

    let mut clients: Vec<(String, Value)> = Vec::new();
    let mut deps: Vec<(String, Value)> = Vec::new();
    for l in p.upstreams(idx) {
        let mut v = app_map_app(p, l.to, ctx, errors.get(&(l.to as u32)), false);
        let both = p.downstreams(idx).any(|d| d.from == l.to);
        let st = l.stats();
        set(&mut v, "link_status", json!(l.status.as_str()));
        set(&mut v, "link_status_reason", json!(l.reason));
        set(&mut v, "link_direction", json!(if both { "both" } else { "to" }));
        set(
            &mut v,
            "link_stats",
            if st.is_empty() { Value::Null } else { json!(st) },
        );
        set(&mut v, "link_weight", json!(l.rps));
        deps.push((p.apps[l.to].name.clone(), v));
    }
    for l in p.downstreams(idx) {
        if p.upstreams(idx).any(|u| u.to == l.from) {
            continue;
        }
        let mut v = app_map_app(p, l.from, ctx, errors.get(&(l.from as u32)), false);
        let st = l.stats();
        set(&mut v, "link_status", json!(l.status.as_str()));
        set(&mut v, "link_status_reason", json!(l.reason));
        set(&mut v, "link_direction", json!("to"));
        set(
            &mut v,
            "link_stats",
            if st.is_empty() { Value::Null } else { json!(st) },
        );
        set(&mut v, "link_weight", json!(l.rps));
        clients.push((p.apps[l.from].name.clone(), v));
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
    instances.sort_by(|x, y| x["id"].as_str().cmp(&y["id"].as_str()));
    json!({
        "app_map": {
            "application": app_map_app(p, idx, ctx, errs, true),
            "instances": if instances.is_empty() { Value::Null } else { Value::Array(instances) },
            "clients": list(clients),
            "dependencies": list(deps),
            "custom_applications": [],
            "categories": null
        },
        "reports": out
    })
}
