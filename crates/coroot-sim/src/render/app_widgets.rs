//! The widgets of an application's audit reports (v1.24.5:auditor/*.go): tables first,
//! then charts and chart groups; empty charts are dropped, empty tables kept. Table cells
//! carry a status only where Coroot sets one (Instances `Status` and `Node`, the Postgres
//! instance `Status`, the DNS `Domain`, the Deployments version); the Storage table has none.

use serde_json::{Value, json};

use super::metrics::object_series;
use super::{cell, chart, chart_widget, doc, group_widget, series, set};
use crate::gofmt::humanize_bytes;
use crate::model::Status;
use crate::util::{TimeCtx, human_age, round, trim_float};
use crate::world::{App, Project};

pub(super) fn nonempty(v: Vec<f64>) -> Option<Vec<f64>> {
    if v.iter().any(|x| x.is_finite() && *x != 0.0) {
        Some(v)
    } else {
        None
    }
}

pub(super) fn constant(ctx: &TimeCtx, v: f64) -> Vec<f64> {
    ctx.times().map(|t| if t <= ctx.to { v } else { f64::NAN }).collect()
}

pub(super) fn with_threshold(mut c: Value, name: &str, color: &str, data: Vec<f64>) -> Value {
    let mut s = series(name, Some(color), data);
    set(&mut s, "fill", json!(true));
    set(&mut c, "threshold", s);
    c
}

pub(super) fn slo_widgets(p: &Project, idx: usize, ctx: &TimeCtx) -> Vec<Value> {
    let a = &p.apps[idx];
    let rows: Vec<Value> = p
        .downstreams(idx)
        .map(|l| {
            let c = &p.apps[l.from];
            let mut name = cell(&c.name);
            set(
                &mut name,
                "unit",
                json!(if l.port == 5432 {
                    "postgres"
                } else if l.port == 6379 {
                    "redis"
                } else {
                    "http"
                }),
            );
            set(
                &mut name,
                "link",
                json!({"title": c.name, "name": "overview", "params": {"view": "applications", "id": c.id}}),
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
            let mut err = cell(&if l.status().0 >= Status::Warning {
                trim_float(l.rps * 0.04)
            } else {
                "0".to_string()
            });
            set(&mut err, "unit", json!("/s"));
            json!({"id": "", "cells": [name, spark, req, lat, err]})
        })
        .collect();
    let mut out = vec![
        json!({"table": {"header": ["Client", "", "Requests", "Latency", "Errors"], "rows": if rows.is_empty() { Value::Null } else { Value::Array(rows) }}, "width": "100%"}),
    ];
    if p.has_sli(idx) {
        out.push(heatmap(p, idx, ctx));
    }
    if p.has_sli(idx) {
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
        out.push(chart_widget(c));
        let mut e = chart(
            ctx,
            "Errors, per second",
            vec![series("errors", Some("black"), ctx.times().map(err_at).collect())],
        );
        set(&mut e, "stacked", json!(true));
        out.push(chart_widget(e));
    }
    out
}

/// The latency buckets of the SLO heatmap: (name, title, le).
const BUCKETS: [(&str, &str, &str, f64); 12] = [
    ("5ms", "0-5 ms", "0.005", 0.005),
    ("10ms", "5-10 ms", "0.01", 0.01),
    ("25ms", "10-25 ms", "0.025", 0.025),
    ("50ms", "25-50 ms", "0.05", 0.05),
    ("100ms", "50-100 ms", "0.1", 0.1),
    ("0.25s", "0.1-0.25 s", "0.25", 0.25),
    ("0.5s", "0.25-0.5 s", "0.5", 0.5),
    ("1s", "0.5-1 s", "1", 1.0),
    ("2.5s", "1-2.5 s", "2.5", 2.5),
    ("5s", "2.5-5 s", "5", 5.0),
    ("10s", "5-10 s", "10", 10.0),
    (">10s", ">10 s", "inf", f64::INFINITY),
];

/// The SLO report's "Latency & Errors heatmap, requests per second" widget
/// (auditor/slo.go sloRequestsChart, `model.Heatmap`): one series per latency bucket with
/// `title` and `value` (the bucket's `le`), the objective bucket carrying the `threshold`
/// text, then `errors` (`value: "err"`).
pub(crate) fn heatmap(p: &Project, idx: usize, ctx: &TimeCtx) -> Value {
    let a = &p.apps[idx];
    let secs = a.latency_ms / 1000.0;
    let bucket = BUCKETS.iter().position(|b| secs <= b.3).unwrap_or(BUCKETS.len() - 1);
    let mut series: Vec<Value> = BUCKETS
        .iter()
        .enumerate()
        .map(|(k, (name, title, le, _))| {
            let share = match k.abs_diff(bucket) {
                0 => 0.6,
                1 => 0.18,
                2 => 0.02,
                _ => 0.0,
            };
            let data: Vec<Value> = ctx.times().map(|_| crate::util::num(a.rps * share)).collect();
            let mut s = json!({"name": name, "title": title, "data": data, "value": le});
            if *le == "0.5" {
                set(
                    &mut s,
                    "threshold",
                    json!("<b>Latency objective</b><br> 99% of requests should be served faster than 500ms"),
                );
            }
            s
        })
        .collect();
    let errors: Vec<Value> = ctx.times().map(|_| crate::util::num(a.rps * a.error_ratio)).collect();
    series.push(json!({"name": "errors", "title": "errors", "data": errors, "value": "err"}));
    json!({"heatmap": {"ctx": ctx.json(), "title": "Latency & Errors heatmap, requests per second", "series": series,
                       "annotations": null, "drill_down_link": null}, "width": "100%"})
}

/// A widget of an AI RCA: a chart of one metric of one object over the incident window.
pub(crate) fn rca_widget(p: &Project, ctx: &TimeCtx, title: &str, metric: &str, object: &str) -> Value {
    let data = object_series(p, metric, object, None, ctx);
    json!({"chart": chart(ctx, title, vec![series(object, None, data)]), "width": "100%"})
}

/// An external service's instance rows: no pod, so status `unknown` and no node
/// (auditor/instances.go:56-66, 109-117).
fn external_rows(p: &Project, idx: usize) -> Vec<Value> {
    let a = &p.apps[idx];
    let port = p.downstreams(idx).next().map_or(0, |l| l.port);
    let ip = a.address.clone().unwrap_or_default();
    super::endpoint_instances(a, port)
        .into_iter()
        .map(|name| {
            let mut st = cell("unknown");
            set(&mut st, "status", json!("unknown"));
            let mut node = cell("");
            set(&mut node, "status", json!("unknown"));
            set(
                &mut node,
                "link",
                json!({"title": "", "name": "overview", "params": {"id": "", "view": "nodes"}}),
            );
            json!({"id": "", "cells": [cell(&name), st, cell(""), cell(&ip), node]})
        })
        .collect()
}

pub(super) fn instances_widgets(p: &Project, idx: usize, ctx: &TimeCtx) -> Vec<Value> {
    let a = &p.apps[idx];
    // v1.24.5:auditor/instances.go:37-117,149: the Status and Node cells carry statuses,
    // the node link's id is `<cluster id>:<node>`, zero restarts are an empty value.
    let rows: Vec<Value> = a
        .instances
        .iter()
        .map(|i| {
            let mut st = cell(&i.status_text);
            set(&mut st, "status", json!(if i.up { "ok" } else { "warning" }));
            let mut node = cell(&i.node);
            let node_status = p.node(&i.node).map(|n| n.status).unwrap_or(Status::Unknown);
            set(&mut node, "status", json!(node_status.as_str()));
            set(&mut node, "link", json!({"title": i.node, "name": "overview", "params": {"view": "nodes", "id": format!("{}:{}", p.node(&i.node).map(|n| p.node_cluster(n).0).unwrap_or(&p.id), i.node)}}));
            let restarts = if i.restarts > 0 { i.restarts.to_string() } else { String::new() };
            json!({"id": "", "cells": [cell(&i.name), st, cell(&restarts), cell(&i.ip), node]})
        })
        .chain(external_rows(p, idx))
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
    let mut c = chart(ctx, "Instances", vec![series("up", None, up)]);
    set(&mut c, "stacked", json!(true));
    out.push(chart_widget(with_threshold(
        c,
        "desired",
        "red",
        constant(ctx, desired),
    )));
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
        out.push(chart_widget(r));
    }
    out
}

/// A chart group with one chart per container of the app, one series per instance, and
/// the container's limit as the threshold (auditor/cpu.go, memory.go).
fn per_container_group(
    p: &Project,
    a: &App,
    ctx: &TimeCtx,
    title: &str,
    metric: &str,
    prefix: &str,
    limit: Option<f64>,
) -> Option<Value> {
    let per: Vec<Value> = a
        .instances
        .iter()
        .filter_map(|i| nonempty(object_series(p, metric, &i.name, None, ctx)).map(|d| series(&i.name, None, d)))
        .collect();
    if per.is_empty() {
        return None;
    }
    let mut c = chart(ctx, &format!("{prefix}{}", a.name), per);
    if let Some(l) = limit.filter(|l| *l > 0.0) {
        set(&mut c, "threshold", series("limit", Some("black"), constant(ctx, l)));
    }
    Some(group_widget(title, vec![c]))
}

pub(super) fn cpu_widgets(p: &Project, idx: usize, ctx: &TimeCtx) -> Vec<Value> {
    let a = &p.apps[idx];
    let mut out = Vec::new();
    out.extend(
        per_container_group(
            p,
            a,
            ctx,
            "CPU usage <selector>, cores",
            "container_resources_cpu_usage_seconds_total",
            "container: ",
            Some(a.cpu_limit),
        )
        .map(|w| doc(w, "cpu", "cpu-usage")),
    );
    out.extend(
        per_container_group(
            p,
            a,
            ctx,
            "Throttled time <selector>, seconds/second",
            "container_resources_cpu_throttled_seconds_total",
            "container: ",
            None,
        )
        .map(|w| doc(w, "cpu", "throttled-time")),
    );
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
        let mut overview = chart(ctx, "overview", node_series);
        set(&mut overview, "featured", json!(true));
        out.push(doc(
            group_widget("Node CPU usage <selector>, %", vec![overview]),
            "cpu",
            "node-cpu-usage",
        ));
    }
    out
}

pub(super) fn memory_widgets(p: &Project, idx: usize, ctx: &TimeCtx) -> Vec<Value> {
    let a = &p.apps[idx];
    let mut out = Vec::new();
    out.extend(
        per_container_group(
            p,
            a,
            ctx,
            "Memory usage <selector>, bytes",
            "container_resources_memory_rss_bytes",
            "RSS container: ",
            Some(a.mem_limit),
        )
        .map(|w| doc(w, "memory", "memory-usage")),
    );
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
        out.push(doc(chart_widget(c), "memory", "out-of-memory-events"));
    }
    out
}

pub(super) fn storage_widgets(p: &Project, idx: usize, ctx: &TimeCtx) -> Vec<Value> {
    let a = &p.apps[idx];
    let rows: Vec<Value> = a
        .volumes
        .iter()
        .map(|v| {
            let mut lat = cell(&trim_float(v.latency_ms));
            set(&mut lat, "unit", json!("ms"));
            let load = cell(&crate::gofmt::format_float(v.io_load));
            let pct = (v.used / v.total * 100.0).round();
            // `humanize.Bytes` (v1.24.5:auditor/storage.go:94-100), as on the node page.
            json!({"id": "", "cells": [cell(&format!("{}:{}", v.name, v.mount)), lat, load,
                   cell(&format!("{pct}% ({} / {})", humanize_bytes(v.used), humanize_bytes(v.total))), cell(&v.device)]})
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
            let read = object_series(
                p,
                "node_resources_disk_read_time_seconds_total",
                node,
                Some(("device", dev)),
                ctx,
            );
            let write = object_series(
                p,
                "node_resources_disk_write_time_seconds_total",
                node,
                Some(("device", dev)),
                ctx,
            );
            let data = nonempty(read.iter().zip(&write).map(|(r, w)| r + w).collect())?;
            Some(chart(ctx, &v.mount, vec![series("total", None, data)]))
        })
        .collect();
    if !charts.is_empty() {
        out.push(group_widget(
            "I/O load (total latency) <selector>, seconds/second",
            charts,
        ));
    }
    out
}

pub(super) fn net_widgets(p: &Project, idx: usize, ctx: &TimeCtx) -> Vec<Value> {
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
        out.push(chart_widget(chart(ctx, "Network RTT (in-cluster), seconds", rtt)));
    }
    if !failed.is_empty() {
        out.push(chart_widget(chart(ctx, "Failed TCP connections, per second", failed)));
    }
    if !retrans.is_empty() {
        out.push(chart_widget(chart(
            ctx,
            "TCP retransmissions, segments/second",
            retrans,
        )));
    }
    out
}

pub(super) fn dns_widgets(p: &Project, idx: usize, ctx: &TimeCtx) -> Vec<Value> {
    let a = &p.apps[idx];
    let rows: Vec<Value> = a
        .dns
        .iter()
        .map(|d| {
            let mut req = cell(&trim_float(d.rps));
            set(&mut req, "unit", json!("/s"));
            let nx = |n: u32| if n == 0 { cell("") } else { cell(&n.to_string()) };
            // auditor/dns.go:140-149: the Domain cell is WARNING when it got counted NXDOMAIN
            // answers or SERVFAIL, UNKNOWN when every answer was NXDOMAIN, else OK.
            let mut domain = cell(&d.domain);
            let status = if d.servfail > 0 || (!d.nx_only && d.nx_a + d.nx_aaaa > 0) {
                "warning"
            } else if d.nx_only {
                "unknown"
            } else {
                "ok"
            };
            set(&mut domain, "status", json!(status));
            json!({"id": "", "cells": [domain, req, nx(d.nx_a), nx(d.nx_aaaa), cell(""), nx(d.servfail)]})
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
        out.push(chart_widget(chart(
            ctx,
            "DNS requests by type, per second",
            vec![series("TypeA", None, d)],
        )));
    }
    // auditor/dns.go:103-111: one stacked series per `<type>:<status>` that is not ok.
    let errors: Vec<Value> = ["nxdomain", "servfail"]
        .into_iter()
        .filter_map(|status| {
            let d = nonempty(object_series(
                p,
                "container_dns_requests_total",
                &a.name,
                Some(("status", status)),
                ctx,
            ))?;
            Some(series(&format!("TypeA:{status}"), None, d))
        })
        .collect();
    if !errors.is_empty() {
        out.push(chart_widget(chart(ctx, "DNS errors, per second", errors)));
    }
    out
}

pub(super) fn db_widgets(p: &Project, idx: usize, ctx: &TimeCtx, kind: &str, slow: bool) -> Vec<Value> {
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
            // auditor/postgres.go:280-290: `SetStatus(OK, "up")` / `(WARNING, "down (no metrics)")`.
            let mut status = cell(if i.up { "up" } else { "down (no metrics)" });
            set(&mut status, "status", json!(if i.up { "ok" } else { "warning" }));
            if kind == "postgres" {
                let mut lat = cell(if slow { "182" } else { "1.2" });
                set(&mut lat, "unit", json!("ms"));
                let mut q = cell("126");
                set(&mut q, "unit", json!("/s"));
                json!({"id": "", "cells": [cell(&i.name), cell(role), status, q, lat, cell(""), cell("48 GB")]})
            } else {
                json!({"id": "", "cells": [cell(&i.name), cell(role), status, cell(version)]})
            }
        })
        .collect();
    if kind == "postgres" {
        let lat_base = if slow { 0.18 } else { 0.0012 };
        let node = a.instances.first().map(|i| i.node.as_str()).unwrap_or("");
        let io: Vec<f64> = object_series(
            p,
            "node_resources_disk_write_time_seconds_total",
            node,
            Some(("device", "nvme1n1")),
            ctx,
        )
        .iter()
        .map(|w| w / 0.7)
        .collect();
        let lat: Vec<f64> = if io.is_empty() {
            constant(ctx, lat_base)
        } else {
            io.iter().map(|v| 0.001 + v / 9.5 * 0.18).collect()
        };
        vec![
            json!({"table": {"header": ["Instance", "Role", "Status", "Queries", "Latency", "Replication lag", "DB Size"], "rows": rows}, "width": "100%"}),
            json!({"group_header": "Queries", "width": "100%"}),
            json!({"chart_group": {"title": "Query latency <selector>, seconds", "charts": [chart(ctx, "overview", vec![series("postgres-0", None, lat)])]}, "group": "Queries"}),
            json!({"chart": chart(ctx, "Queries per second", vec![series("queries", None, constant(ctx, 126.0))]), "group": "Queries"}),
        ]
    } else {
        vec![
            json!({"table": {"header": ["Instance", "Role", "Status", "Version"], "rows": rows}, "width": "100%"}),
            chart_widget(chart(
                ctx,
                "Redis average latency, seconds",
                vec![series("redis-0", None, constant(ctx, 0.0004))],
            )),
        ]
    }
}

pub(super) fn runtime_widget(ctx: &TimeCtx, title: &str, value: f64, instances: &[String]) -> Vec<Value> {
    let s: Vec<Value> = instances
        .iter()
        .map(|i| series(i, None, constant(ctx, value)))
        .collect();
    vec![chart_widget(chart(ctx, title, s))]
}

pub(super) fn deployments_widgets(p: &Project, idx: usize, ctx: &TimeCtx) -> Vec<Value> {
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
            let hash = d.version.split(':').next().unwrap_or("");
            json!({"id": format!("{hash}:{}", d.started_at / 1000), "cells": [v, deployed, summary]})
        })
        .collect();
    vec![json!({"table": {"header": ["Deployment", "Deployed", "Summary"], "rows": rows}, "width": "100%"})]
}
