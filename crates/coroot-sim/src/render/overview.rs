//! `GET /api/project/{p}/overview/{view}` (§6.5): every response carries all 11 keys and
//! only the requested view is filled.

use serde_json::{Map, Value, json};

use super::{app_labels, app_reports, indicators, log_errors};
use crate::model::{Status, icon_for};
use crate::util::{TimeCtx, fmt_bytes_dec, human_age, round, trim_float};
use crate::world::{App, Project};

const KEYS: [&str; 11] = [
    "applications",
    "map",
    "nodes",
    "deployments",
    "traces",
    "logs",
    "costs",
    "risks",
    "fluxcd",
    "argocd",
    "categories",
];

/// The `Overview` object for a view.
pub(crate) fn overview(p: &Project, view: &str, ctx: &TimeCtx, query: &str) -> Value {
    let mut m = Map::new();
    for k in KEYS {
        m.insert(k.into(), Value::Null);
    }
    let filled = match view {
        "applications" => Some(applications(p, ctx)),
        "map" => Some(service_map(p, ctx)),
        "nodes" => Some(nodes(p)),
        "deployments" => Some(deployments(p, ctx)),
        "traces" => Some(super::traces::overview(p, ctx, query)),
        "logs" => Some(super::logs::overview(p, ctx, query)),
        "costs" => Some(costs(p)),
        "risks" => Some(risks(p)),
        _ => None,
    };
    if let Some(v) = filled {
        m.insert(view.into(), v);
    }
    Value::Object(m)
}

fn param(status: Status, value: &str) -> Value {
    json!({"status": status.as_str(), "value": value, "chart": null})
}

fn fmt_latency(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{}s", trim_float(ms / 1000.0))
    } else {
        format!("{}ms", ms.round() as i64)
    }
}

/// `type` of an app (§6.5.1).
pub(crate) fn app_type(app: &App, report_status: Status) -> Value {
    match app.tech.as_deref() {
        None => Value::Null,
        Some(t) => {
            let report = match t {
                "postgres" => "Postgres",
                "mysql" => "Mysql",
                "redis" => "Redis",
                "mongodb" => "Mongodb",
                "memcached" => "Memcached",
                _ => "",
            };
            json!({"name": t, "icon": icon_for(t), "report": report, "status": if report.is_empty() { "unknown" } else { report_status.as_str() }})
        }
    }
}

fn applications(p: &Project, ctx: &TimeCtx) -> Value {
    let errors = log_errors(p, ctx);
    let charts = super::logs::error_charts(p, ctx);
    let mut rows: Vec<(Status, &str, Value)> = Vec::with_capacity(p.apps.len());
    for (idx, a) in p.apps.iter().enumerate() {
        let errs = errors.get(&(idx as u32));
        let reports = app_reports(p, idx, ctx, errs);
        let db_status = reports
            .iter()
            .find(|r| matches!(r.name, "Postgres" | "Mysql" | "Redis" | "Mongodb" | "Memcached"))
            .map(|r| r.status())
            .unwrap_or(Status::Unknown);
        let ups: Vec<_> = p.upstreams(idx).collect();
        let has_slo = a.rps > 0.0 || p.downstreams(idx).next().is_some();
        let up_count = a.instances.iter().filter(|i| i.up).count();
        let restarts: u32 = a.instances.iter().map(|i| i.restarts).sum();
        let mut params: Vec<(&str, Value)> = vec![
            (
                "errors",
                if has_slo {
                    param(
                        Status::Ok,
                        &if a.error_ratio < 0.01 {
                            "<1%".to_string()
                        } else {
                            format!("{}%", (a.error_ratio * 100.0).round())
                        },
                    )
                } else {
                    param(Status::Unknown, "")
                },
            ),
            (
                "latency",
                if has_slo {
                    param(Status::Ok, &fmt_latency(a.latency_ms))
                } else {
                    param(Status::Unknown, "")
                },
            ),
            (
                "upstreams",
                if ups.is_empty() {
                    param(Status::Unknown, "")
                } else {
                    param(
                        Status::Ok,
                        &format!(
                            "{}/{}",
                            ups.iter().filter(|l| l.status <= Status::Ok).count(),
                            ups.len()
                        ),
                    )
                },
            ),
            (
                "instances",
                param(
                    if up_count == a.instances.len() {
                        Status::Ok
                    } else {
                        Status::Warning
                    },
                    &format!("{}/{}", up_count, a.instances.len()),
                ),
            ),
            (
                "restarts",
                param(
                    if restarts > 0 { Status::Warning } else { Status::Ok },
                    &if restarts > 0 {
                        restarts.to_string()
                    } else {
                        String::new()
                    },
                ),
            ),
            ("cpu", param(Status::Ok, "")),
            ("memory", param(Status::Ok, "")),
            (
                "disk_io_load",
                match a.volumes.first() {
                    Some(v) => param(Status::Ok, &trim_float(v.io_load)),
                    None => param(Status::Unknown, ""),
                },
            ),
            (
                "disk_usage",
                match a.volumes.first() {
                    Some(v) => param(Status::Ok, &format!("{}%", (v.used / v.total * 100.0).round())),
                    None => param(Status::Unknown, ""),
                },
            ),
            (
                "network",
                if ups.is_empty() {
                    param(Status::Unknown, "")
                } else {
                    param(Status::Ok, &format!("{}ms", trim_float(0.4 + (idx % 5) as f64 * 0.1)))
                },
            ),
            (
                "dns",
                if a.dns.is_empty() {
                    param(Status::Unknown, "")
                } else {
                    param(Status::Ok, "")
                },
            ),
        ];
        let logs = match errs {
            Some((_, uniq)) if !uniq.is_empty() => {
                let chart: Vec<u32> = charts.get(&(idx as u32)).cloned().unwrap_or_default();
                json!({"status": Status::Info.as_str(), "value": format!("{} unique error{}", uniq.len(), if uniq.len() == 1 { "" } else { "s" }), "chart": chart})
            }
            _ => param(Status::Ok, ""),
        };
        params.push(("logs", logs));
        let mut obj = Map::new();
        obj.insert("id".into(), json!(a.id));
        obj.insert("cluster".into(), json!(p.name));
        obj.insert("category".into(), json!(a.category));
        obj.insert("status".into(), json!(a.status.as_str()));
        obj.insert("type".into(), app_type(a, db_status));
        for (k, mut v) in params {
            if let Some((s, val)) = a.param(k) {
                v["status"] = json!(s.as_str());
                v["value"] = json!(val);
            }
            obj.insert(k.into(), v);
        }
        rows.push((a.status, a.name.as_str(), Value::Object(obj)));
    }
    rows.sort_by(|x, y| {
        let ok_x = x.0 <= Status::Ok;
        let ok_y = y.0 <= Status::Ok;
        ok_x.cmp(&ok_y).then(y.0.cmp(&x.0)).then(x.1.cmp(y.1))
    });
    if rows.is_empty() {
        return Value::Null;
    }
    Value::Array(rows.into_iter().map(|r| r.2).collect())
}

fn service_map(p: &Project, ctx: &TimeCtx) -> Value {
    let errors = log_errors(p, ctx);
    let mut out = Vec::new();
    for (idx, a) in p.apps.iter().enumerate() {
        let ups: Vec<Value> = p
            .upstreams(idx)
            .map(|l| {
                let st = l.stats();
                json!({"id": p.apps[l.to].id, "status": l.status.as_str(), "stats": if st.is_empty() { Value::Null } else { json!(st) }, "weight": l.rps})
            })
            .collect();
        let downs: Vec<Value> = p
            .downstreams(idx)
            .map(|l| json!({"id": p.apps[l.from].id, "status": "unknown", "stats": null, "weight": 0}))
            .collect();
        if ups.is_empty() && downs.is_empty() {
            continue;
        }
        let reports = app_reports(p, idx, ctx, errors.get(&(idx as u32)));
        out.push(json!({
            "id": a.id, "cluster": p.name, "custom": false, "category": a.category, "labels": app_labels(a),
            "status": a.status.as_str(), "icon": a.tech.as_deref().map(icon_for).unwrap_or_default(),
            "indicators": indicators(&reports), "upstreams": ups, "downstreams": downs
        }));
    }
    if out.is_empty() { Value::Null } else { Value::Array(out) }
}

fn nodes(p: &Project) -> Value {
    let v: Vec<Value> = p
        .nodes
        .iter()
        .map(|n| {
            let up = n.status == Status::Ok;
            json!({
                "name": n.name, "cluster_id": p.id, "cluster_name": p.name,
                "status": {"status": n.status.as_str(), "message": n.status_msg},
                "uptime_ms": n.uptime_ms, "os": "linux", "kernel_version": n.kernel,
                "availability_zone": n.az, "cloud_provider": n.provider, "instance_type": n.instance_type,
                "compute": format!("{} vCPU / {}GB", n.vcpu, n.mem_gb), "ips": [n.ip],
                "cpu_percent": n.cpu_percent, "memory_percent": n.mem_percent, "gpus": 0,
                "total_network_band_width": if up { 10_000_000_000i64 } else { 0 },
                "network_bandwidth": if up { json!({"rx": n.rx_bps, "tx": n.tx_bps}) } else { Value::Null }
            })
        })
        .collect();
    Value::Array(v)
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
            json!({
                "application": {"id": a.id, "cluster": "", "custom": false, "category": a.category, "labels": null, "status": "unknown",
                                "icon": "", "indicators": null, "upstreams": null, "downstreams": null},
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

fn cpu_str(m: u32) -> String {
    if m == 0 { String::new() } else { format!("{m}m") }
}

/// Recommended CPU request in millicores for an app.
fn rec_cpu(a: &App) -> u32 {
    a.rec_cpu_m
        .unwrap_or_else(|| (((a.cpu_usage * 1.3 * 1000.0) / 50.0).ceil() as u32 * 50).max(50))
}

fn rec_mem(a: &App) -> f64 {
    a.rec_mem
        .unwrap_or_else(|| ((a.mem_usage * 1.3 / 64e6).ceil() * 64e6).max(64e6))
}

fn costs(p: &Project) -> Value {
    let priced: Vec<_> = p.nodes.iter().filter(|n| n.price.is_some()).collect();
    if priced.is_empty() {
        return json!({"nodes": null, "applications": null, "custom_pricing": false});
    }
    // Half of a node's price pays for its CPU, half for its memory.
    let avg_price = priced.iter().filter_map(|n| n.price).sum::<f64>() / priced.len() as f64;
    let avg_cpu = priced.iter().map(|n| f64::from(n.vcpu)).sum::<f64>() / priced.len() as f64;
    let avg_mem = priced.iter().map(|n| f64::from(n.mem_gb)).sum::<f64>() / priced.len() as f64;
    let per_core = avg_price / 2.0 / avg_cpu.max(1.0);
    let per_gb = avg_price / 2.0 / avg_mem.max(1.0);
    let mut node_rows = Vec::new();
    for n in &priced {
        let mut cpu_apps: Vec<(String, f64)> = Vec::new();
        let mut mem_apps: Vec<(String, f64)> = Vec::new();
        let mut cpu_req: Vec<(String, f64)> = Vec::new();
        let mut mem_req: Vec<(String, f64)> = Vec::new();
        for a in &p.apps {
            let k = a.instances.iter().filter(|i| i.node == n.name).count() as f64;
            if k == 0.0 {
                continue;
            }
            cpu_apps.push((a.name.clone(), a.cpu_usage * k / f64::from(n.vcpu.max(1)) * 100.0));
            mem_apps.push((
                a.name.clone(),
                a.mem_usage * k / (f64::from(n.mem_gb.max(1)) * 1e9) * 100.0,
            ));
            cpu_req.push((
                a.name.clone(),
                f64::from(a.cpu_request_m) / 1000.0 * k / f64::from(n.vcpu.max(1)) * 100.0,
            ));
            mem_req.push((
                a.name.clone(),
                a.mem_request * k / (f64::from(n.mem_gb.max(1)) * 1e9) * 100.0,
            ));
        }
        let top = |mut v: Vec<(String, f64)>| -> (f64, Value) {
            v.sort_by(|a, b| b.1.total_cmp(&a.1));
            let total: f64 = v.iter().map(|x| x.1).sum();
            let mut out: Vec<Value> = v
                .iter()
                .take(5)
                .map(|(name, val)| json!({"name": name, "value": round(*val, 2), "instances": null}))
                .collect();
            let rest: f64 = v.iter().skip(5).map(|x| x.1).sum();
            if rest > 0.0 {
                out.push(json!({"name": "~other", "value": round(rest, 2), "instances": null}));
            }
            (round(total, 2), Value::Array(out))
        };
        let (cpu_total, cpu_v) = top(cpu_apps);
        let (mem_total, mem_v) = top(mem_apps);
        let (_, cpu_req_v) = top(cpu_req);
        let (_, mem_req_v) = top(mem_req);
        let price = n.price.unwrap_or(0.0);
        let used = (cpu_total + mem_total) / 200.0;
        node_rows.push(json!({
            "name": n.name, "cluster": p.name, "instance_life_cycle": n.life_cycle,
            "description": format!("{} / {} vCPU / {}GB", n.instance_type, n.vcpu, n.mem_gb),
            "cpu_usage": cpu_total, "cpu_usage_applications": cpu_v, "cpu_request_applications": cpu_req_v,
            "memory_usage": mem_total, "memory_usage_applications": mem_v, "memory_request_applications": mem_req_v,
            "price": price, "idle_costs": round(price * (1.0 - used).clamp(0.0, 1.0), 2)
        }));
    }
    let mut app_rows = Vec::new();
    for a in &p.apps {
        let k = a.instances.len() as f64;
        if k == 0.0 {
            continue;
        }
        let alloc = k * (f64::from(a.cpu_request_m) / 1000.0 * per_core + a.mem_request / 1e9 * per_gb);
        let alloc_rec = k * (f64::from(rec_cpu(a)) / 1000.0 * per_core + rec_mem(a) / 1e9 * per_gb);
        let usage = k * (a.cpu_usage * per_core + a.mem_usage / 1e9 * per_gb);
        let instances: Vec<Value> = a
            .instances
            .iter()
            .map(|i| {
                json!({"name": i.name, "cpu_usage": null, "cpu_usage_avg": cpu_str((a.cpu_usage * 1000.0).round() as u32),
                       "memory_usage": null, "memory_usage_avg": fmt_bytes_dec(a.mem_usage)})
            })
            .collect();
        app_rows.push(json!({
            "id": a.id, "category": a.category, "cluster": p.name,
            "usage_costs": round(usage, 2), "allocation_costs": round(alloc, 2),
            "over_provisioning_costs": round((alloc - alloc_rec).max(0.0), 2),
            "cross_az_traffic_costs": 0.0, "internet_egress_costs": 0.0,
            "components": [{"name": a.name, "kind": a.kind,
                "cpu_request": cpu_str(a.cpu_request_m), "cpu_request_recommended": cpu_str(rec_cpu(a)),
                "memory_request": fmt_bytes_dec(a.mem_request), "memory_request_recommended": fmt_bytes_dec(rec_mem(a)),
                "allocation_costs": round(alloc, 2), "allocation_costs_recommended": round(alloc_rec, 2)}],
            "instances": instances
        }));
    }
    json!({"nodes": node_rows, "applications": if app_rows.is_empty() { Value::Null } else { Value::Array(app_rows) }, "custom_pricing": false})
}

fn risks(p: &Project) -> Value {
    let mut rs: Vec<_> = p.risks.iter().collect();
    rs.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(p.apps[a.app].name.cmp(&p.apps[b.app].name))
    });
    if rs.is_empty() {
        return Value::Null;
    }
    let v: Vec<Value> = rs
        .into_iter()
        .map(|r| {
            let a = &p.apps[r.app];
            let mut o = json!({
                "key": {"category": r.category, "type": r.rtype}, "application_id": a.id, "cluster": p.name,
                "application_category": a.category, "application_type": app_type(a, Status::Unknown), "severity": r.severity.as_str(), "type": ""
            });
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
