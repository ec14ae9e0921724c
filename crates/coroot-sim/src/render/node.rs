//! The node page (`GET /node/{node}`, v1.24.5:auditor/node.go `AuditNode`): one report
//! `{name: "Node", status, widgets, checks: null}` with no check and no cell status (node
//! problems surface only as app checks: CPUNode, StorageIOLoad, StorageSpace). An info
//! table (v1.19.1+), then the CPU, Memory, Network and Disks groups: group-header widgets,
//! and from v1.24.0 `Group()` adds `group` to every widget after its header. The Disks table
//! writes latency in ms (`unit: "ms"`), the I/O load (read + write time per second) and
//! `"<pct>% (<used> / <capacity>)"`. Unlike application reports, empty charts are kept.

use serde_json::{Value, json};

use super::metrics::object_series;
use super::{cell, chart, series, set};
use crate::gofmt::{format_float, humanize_bytes};
use crate::util::{TimeCtx, round};
use crate::world::{Disk, Node, Project};

/// Adds `group` from v1.24.0 (`Widget.Group`), nothing before.
fn grouped(p: &Project, mut w: Value, group: &str) -> Value {
    if p.env.version.at_least((1, 24, 0)) {
        set(&mut w, "group", json!(group));
    } else if let Value::Object(m) = &mut w {
        m.remove("group");
    }
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

fn stacked_only(mut c: Value) -> Value {
    set(&mut c, "stacked", json!(true));
    c
}

fn threshold(mut c: Value, name: &str, data: Vec<f64>) -> Value {
    set(&mut c, "threshold", series(name, Some("black"), data));
    c
}

/// `data` of `/node/{node}`.
pub(crate) fn detail(p: &Project, n: &Node, ctx: &TimeCtx) -> Value {
    if n.status == crate::model::Status::Unknown {
        // No agent installed: `report.Status` stays unknown and no widget is added.
        return json!({"name": "Node", "status": "unknown", "widgets": null, "checks": null, "custom": false, "instrumentation": ""});
    }
    let v = p.env.version;
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
    for (h, val) in [
        ("Cloud", n.provider.clone()),
        ("Region", n.region.clone()),
        ("AZ", n.az.clone()),
        ("Instance Type", n.instance_type.clone()),
    ] {
        if !val.is_empty() {
            info_header.push(h);
            cells.push(cell(&val));
        }
    }
    info_header.push("Coroot Agent");
    cells.push(cell(if n.agent_version.is_empty() {
        "unknown"
    } else {
        &n.agent_version
    }));
    if v.at_least((1, 19, 1)) {
        widgets.push(json!({"table": {"header": info_header, "rows": [{"id": "", "cells": cells}]}, "width": "100%"}));
    }

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
    widgets.push(grouped(
        p,
        json!({"chart": cpu_chart, "doc_link": {"group": "inspections", "item": "cpu", "hash": "node-cpu-usage"}}),
        "CPU",
    ));
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
            out.push(series("other", None, const_series(rest)));
        }
        out
    };
    widgets.push(grouped(p, json!({"chart": threshold(stacked(chart(ctx, "CPU consumers, cores", top(consumers))), "total", const_series(cores)),
                                   "doc_link": {"group": "inspections", "item": "cpu", "hash": "cpu-consumers"}}), "CPU"));

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
        p,
        json!({"chart": stacked(chart(ctx, "Memory usage, bytes", mem_series))}),
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
    widgets.push(grouped(p, json!({"chart": threshold(stacked(chart(ctx, "Memory consumers, bytes", top(mem_consumers))), "total", const_series(total)),
                                   "doc_link": {"group": "inspections", "item": "memory", "hash": "memory-consumers"}}), "Memory"));

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
        widgets.push(grouped(
            p,
            json!({"chart_group": {"title": "Network bandwidth <selector>, bits/second", "charts": charts}}),
            "Network",
        ));
    }

    // Disks: only devices the node's containers have volumes on, with those volumes' mount
    // points, pods and space (v1.24.5:auditor/node.go:104-128); the node agent reports no
    // file systems of its own.
    let disks = volume_disks(p, n);
    let table = |rows: Value| json!({"table": {"header": ["Device", "Mount points", "Used by", "Latency", "I/O Load", "Space"], "rows": rows}, "width": "100%"});
    if disks.is_empty() && !v.at_least((1, 24, 0)) {
        // Before v1.24.0 the table is created whatever the node has.
        widgets.push(table(Value::Null));
    }
    if !disks.is_empty() {
        widgets.push(header("Disks"));
        let one_or_many = |c: &mut Value, v: &[String]| match v {
            [] => {}
            [one] => set(c, "value", json!(one)),
            many => set(c, "values", json!(many)),
        };
        let rows: Vec<Value> = disks
            .iter()
            .map(|d| {
                let mut lat = cell(&format_float(d.latency_ms));
                set(&mut lat, "unit", json!("ms"));
                let load = cell(&format_float(d.io_load));
                let pct = (d.used / d.total * 100.0).round();
                let mut mounts = cell("");
                one_or_many(&mut mounts, &d.mounts);
                let mut used_by = cell("");
                one_or_many(&mut used_by, &d.used_by);
                json!({"id": "", "cells": [cell(&d.device), mounts, used_by, lat, load,
                       cell(&format!("{pct}% ({} / {})", humanize_bytes(d.used), humanize_bytes(d.total)))]})
            })
            .collect();
        widgets.push(grouped(p, table(Value::Array(rows)), "Disks"));
        let disk_series = |metric: &str, d: &Disk| -> Vec<f64> {
            let dev = d.device.trim_start_matches("/dev/");
            let s = object_series(p, metric, &n.name, Some(("device", dev)), ctx);
            if s.is_empty() { const_series(d.io_load / 2.0) } else { s }
        };
        let io: Vec<(String, Vec<f64>, Vec<f64>)> = disks
            .iter()
            .map(|d| {
                let dev = d.device.trim_start_matches("/dev/").to_string();
                let read = disk_series("node_resources_disk_read_time_seconds_total", d);
                let write = disk_series("node_resources_disk_write_time_seconds_total", d);
                (dev, read, write)
            })
            .collect();
        let featured = |mut c: Value| {
            set(&mut c, "featured", json!(true));
            c
        };
        let mut load_charts = vec![featured(chart(
            ctx,
            "overview",
            io.iter()
                .map(|(d, r, w)| series(d, None, r.iter().zip(w).map(|(a, b)| a + b).collect()))
                .collect(),
        ))];
        let mut lat_charts = vec![featured(chart(
            ctx,
            "overview",
            disks
                .iter()
                .zip(&io)
                .map(|(d, (dev, _, _))| series(dev, None, const_series(d.latency_ms / 1000.0)))
                .collect(),
        ))];
        for (d, (dev, r, w)) in disks.iter().zip(&io) {
            let mut load = chart(
                ctx,
                dev,
                vec![
                    series("read", Some("blue"), r.clone()),
                    series("write", Some("amber"), w.clone()),
                ],
            );
            set(&mut load, "stacked", json!(true));
            load_charts.push(load);
            let base = d.latency_ms / 1000.0;
            lat_charts.push(chart(
                ctx,
                dev,
                vec![
                    series("read", Some("blue"), const_series(base * 0.8)),
                    series("write", Some("amber"), const_series(base * 1.1)),
                ],
            ));
        }
        widgets.push(grouped(
            p,
            json!({"chart_group": {"title": "Average I/O latency <selector>, seconds", "charts": lat_charts}}),
            "Disks",
        ));
        widgets.push(grouped(p, json!({"chart_group": {"title": "I/O load (total latency) <selector>, seconds/second", "charts": load_charts}}), "Disks"));
        // IOPS and bandwidth follow the I/O load (4 KiB operations of 1 ms each).
        let mut iops = vec![featured(chart(
            ctx,
            "overview",
            io.iter()
                .map(|(d, r, w)| series(d, None, r.iter().zip(w).map(|(a, b)| (a + b) * 1000.0).collect()))
                .collect(),
        ))];
        let mut bandwidth = Vec::new();
        for (dev, r, w) in &io {
            let per = |v: &Vec<f64>, k: f64| v.iter().map(|x| x * k).collect::<Vec<f64>>();
            iops.push(stacked(chart(
                ctx,
                dev,
                vec![
                    series("read", Some("blue"), per(r, 1000.0)),
                    series("write", Some("amber"), per(w, 1000.0)),
                ],
            )));
            bandwidth.push(stacked(chart(
                ctx,
                dev,
                vec![
                    series("read", Some("blue"), per(r, 4.096e6)),
                    series("written", Some("amber"), per(w, 4.096e6)),
                ],
            )));
        }
        widgets.push(grouped(
            p,
            json!({"chart_group": {"title": "IOPS <selector>", "charts": iops}}),
            "Disks",
        ));
        widgets.push(grouped(
            p,
            json!({"chart_group": {"title": "Bandwidth <selector>, bytes/second", "charts": bandwidth}}),
            "Disks",
        ));
        let space: Vec<Value> = disks
            .iter()
            .map(|d| {
                let dev = d.device.trim_start_matches("/dev/");
                threshold(
                    stacked_only(chart(ctx, dev, vec![series("used", None, const_series(d.used))])),
                    "total",
                    const_series(d.total),
                )
            })
            .collect();
        widgets.push(grouped(
            p,
            json!({"chart_group": {"title": "Disk space <selector>, bytes", "charts": space}}),
            "Disks",
        ));
    }
    json!({"name": "Node", "status": "ok", "widgets": widgets, "checks": null, "custom": false, "instrumentation": ""})
}

/// The node's disks that hold container volumes, described by those volumes.
fn volume_disks(p: &Project, n: &Node) -> Vec<Disk> {
    let mut out = Vec::new();
    for d in &n.disks {
        let mut disk = Disk {
            mounts: Vec::new(),
            used_by: Vec::new(),
            ..d.clone()
        };
        for a in &p.apps {
            for v in a.volumes.iter().filter(|v| v.device == d.device) {
                for i in a.instances.iter().filter(|i| i.node == n.name) {
                    if !disk.mounts.contains(&v.mount) {
                        disk.mounts.push(v.mount.clone());
                    }
                    disk.used_by.push(i.name.clone());
                    (disk.used, disk.total) = (v.used, v.total);
                }
            }
        }
        if !disk.used_by.is_empty() {
            out.push(disk);
        }
    }
    out
}
