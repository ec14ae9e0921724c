//! The node report (§6.13, §10.3): an info table, then the CPU, Memory, Network and Disks
//! groups. Unlike application reports, empty charts are kept.

use serde_json::{Value, json};

use super::metrics::object_series;
use super::{cell, chart, series, set};
use crate::util::{TimeCtx, fmt_size, round, trim_float};
use crate::world::{Node, Project};

fn grouped(mut w: Value, group: &str) -> Value {
    set(&mut w, "group", json!(group));
    w
}

fn header(group: &str) -> Value {
    json!({"group_header": group, "width": "100%"})
}

fn stacked(mut c: Value) -> Value {
    set(&mut c, "stacked", json!(true));
    set(&mut c, "sorted", json!(true));
    c
}

fn threshold(mut c: Value, name: &str, data: Vec<f64>) -> Value {
    let mut s = series(name, Some("black"), data);
    set(&mut s, "fill", json!(true));
    set(&mut c, "threshold", s);
    c
}

/// `data` of `/node/{node}`.
pub(crate) fn detail(p: &Project, n: &Node, ctx: &TimeCtx) -> Value {
    let up = n.cpu_percent.is_some();
    let cores = f64::from(n.vcpu.max(1));
    let const_series = |v: f64| -> Vec<f64> { ctx.times().map(|_| v).collect() };
    let mut widgets = Vec::new();
    let mut info_header = Vec::new();
    let mut cells = Vec::new();
    if !n.kernel.is_empty() {
        info_header.push("OS");
        let mut c = cell(&n.kernel);
        set(&mut c, "tech_icon", json!("linux"));
        cells.push(c);
    }
    for (h, v) in [
        ("Cloud", n.provider.to_uppercase()),
        ("Region", n.region.clone()),
        ("AZ", n.az.clone()),
        ("Instance Type", n.instance_type.clone()),
    ] {
        if !v.is_empty() {
            info_header.push(h);
            cells.push(cell(&v));
        }
    }
    info_header.push("Coroot Agent");
    cells.push(cell(if n.agent_version.is_empty() {
        "unknown"
    } else {
        &n.agent_version
    }));
    widgets.push(json!({"table": {"header": info_header, "rows": [{"id": n.name, "cells": cells}]}, "width": "100%"}));

    // CPU
    widgets.push(header("CPU"));
    let cpu = object_series(p, "node_resources_cpu_usage_seconds_total", &n.name, None, ctx);
    let modes: Vec<Value> = if up && !cpu.is_empty() {
        [("user", "blue"), ("system", "red"), ("iowait", "orange")]
            .iter()
            .map(|(m, color)| {
                series(
                    m,
                    Some(color),
                    object_series(
                        p,
                        "node_resources_cpu_usage_seconds_total",
                        &n.name,
                        Some(("mode", m)),
                        ctx,
                    )
                    .iter()
                    .map(|v| round(v / cores * 100.0, 2))
                    .collect(),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let cpu_chart = stacked(chart(ctx, "CPU usage, %", modes));
    widgets.push(json!({"chart": cpu_chart, "width": "50%", "group": "CPU", "doc_link": {"group": "inspections", "item": "cpu", "hash": "node-cpu-usage"}}));
    let consumers: Vec<(String, f64)> = p
        .apps
        .iter()
        .filter_map(|a| {
            let k = a.instances.iter().filter(|i| i.node == n.name).count();
            if k == 0 || !up {
                None
            } else {
                Some((a.name.clone(), a.cpu_usage * k as f64))
            }
        })
        .collect();
    let top = |mut v: Vec<(String, f64)>| -> Vec<Value> {
        v.sort_by(|a, b| b.1.total_cmp(&a.1));
        let mut out: Vec<Value> = v
            .iter()
            .take(4)
            .map(|(name, val)| series(name, None, const_series(*val)))
            .collect();
        let rest: f64 = v.iter().skip(4).map(|x| x.1).sum();
        if rest > 0.0 {
            out.push(series("other", Some("grey"), const_series(rest)));
        }
        out
    };
    widgets.push(grouped(json!({"chart": threshold(stacked(chart(ctx, "CPU consumers, cores", top(consumers))), "total", const_series(cores)), "width": "50%"}), "CPU"));

    // Memory
    widgets.push(header("Memory"));
    let total = f64::from(n.mem_gb) * 1e9;
    let used = total * f64::from(n.mem_percent.unwrap_or(0)) / 100.0;
    let mem_series = if up {
        vec![
            series("free", Some("light-blue"), const_series((total - used) * 0.4)),
            series("cache", Some("amber"), const_series((total - used) * 0.6)),
            series("used", Some("red"), const_series(used)),
        ]
    } else {
        Vec::new()
    };
    widgets.push(grouped(
        json!({"chart": stacked(chart(ctx, "Memory usage, bytes", mem_series)), "width": "50%"}),
        "Memory",
    ));
    let mem_consumers: Vec<(String, f64)> = p
        .apps
        .iter()
        .filter_map(|a| {
            let k = a.instances.iter().filter(|i| i.node == n.name).count();
            if k == 0 || !up {
                None
            } else {
                Some((a.name.clone(), a.mem_usage * k as f64))
            }
        })
        .collect();
    widgets.push(grouped(json!({"chart": threshold(stacked(chart(ctx, "Memory consumers, bytes", top(mem_consumers))), "total", const_series(total)), "width": "50%"}), "Memory"));

    // Network
    if !n.ifaces.is_empty() {
        widgets.push(header("Network"));
        let charts: Vec<Value> = n
            .ifaces
            .iter()
            .map(|i| {
                let s = if up {
                    vec![
                        series("in", Some("green"), const_series(n.rx_bps as f64)),
                        series("out", Some("blue"), const_series(n.tx_bps as f64)),
                    ]
                } else {
                    Vec::new()
                };
                chart(ctx, i, s)
            })
            .collect();
        widgets.push(json!({"chart_group": {"title": "Network bandwidth <selector>, bits/second", "charts": charts}, "width": "50%", "group": "Network"}));
    }

    // Disks
    if !n.disks.is_empty() {
        widgets.push(header("Disks"));
        let rows: Vec<Value> = n
            .disks
            .iter()
            .map(|d| {
                let mut lat = cell(&trim_float(d.latency_ms));
                set(&mut lat, "unit", json!("ms"));
                let mut load = cell(&trim_float(d.io_load));
                if d.io_load > 5.0 {
                    set(&mut load, "status", json!("warning"));
                    set(&mut lat, "status", json!("warning"));
                }
                let pct = (d.used / d.total * 100.0).round();
                let mut mounts = cell("");
                set(&mut mounts, "values", json!(d.mounts));
                let mut used_by = cell("");
                set(
                    &mut used_by,
                    "values",
                    if d.used_by.is_empty() {
                        Value::Null
                    } else {
                        json!(d.used_by)
                    },
                );
                json!({"id": d.device, "cells": [cell(&d.device), mounts, used_by, lat, load,
                       cell(&format!("{pct}% ({} / {})", fmt_size(d.used), fmt_size(d.total)))]})
            })
            .collect();
        widgets.push(grouped(json!({"table": {"header": ["Device", "Mount points", "Used by", "Latency", "I/O Load", "Space"], "rows": rows}, "width": "100%"}), "Disks"));
        let io_series: Vec<(String, Vec<f64>)> = n
            .disks
            .iter()
            .map(|d| {
                let dev = d.device.trim_start_matches("/dev/");
                let s = object_series(
                    p,
                    "node_disk_io_time_seconds_total",
                    &n.name,
                    Some(("device", dev)),
                    ctx,
                );
                (d.device.clone(), if s.is_empty() { const_series(d.io_load) } else { s })
            })
            .collect();
        let mut overview = chart(
            ctx,
            "overview",
            io_series.iter().map(|(d, s)| series(d, None, s.clone())).collect(),
        );
        set(&mut overview, "featured", json!(true));
        let mut load_charts = vec![overview];
        for (d, s) in &io_series {
            load_charts.push(chart(
                ctx,
                d,
                vec![
                    series("read", Some("blue"), s.iter().map(|v| v * 0.3).collect()),
                    series("write", Some("amber"), s.iter().map(|v| v * 0.7).collect()),
                ],
            ));
        }
        let lat_charts: Vec<Value> = n
            .disks
            .iter()
            .zip(&io_series)
            .map(|(d, (_, s))| {
                let base = d.latency_ms / 1000.0;
                chart(
                    ctx,
                    &d.device,
                    vec![series(
                        "read",
                        Some("blue"),
                        s.iter().map(|v| base * (0.5 + v / d.io_load.max(0.01) * 0.5)).collect(),
                    )],
                )
            })
            .collect();
        widgets.push(json!({"chart_group": {"title": "Average I/O latency <selector>, seconds", "charts": lat_charts}, "width": "50%", "group": "Disks"}));
        widgets.push(json!({"chart_group": {"title": "I/O load (total latency) <selector>, seconds/second", "charts": load_charts}, "width": "50%", "group": "Disks"}));
        let space: Vec<Value> = n
            .disks
            .iter()
            .map(|d| {
                threshold(
                    chart(ctx, &d.device, vec![series("used", Some("blue"), const_series(d.used))]),
                    "total",
                    const_series(d.total),
                )
            })
            .collect();
        widgets.push(json!({"chart_group": {"title": "Disk space <selector>, bytes", "charts": space}, "width": "50%", "group": "Disks"}));
    }
    json!({"name": "Node", "status": "ok", "widgets": widgets, "checks": null, "custom": false, "instrumentation": ""})
}
