//! The costs overview (v1.24.5:api/views/overview/costs.go, types.go; unchanged since
//! v1.12 but `cluster`, v1.17.0): per priced node its top-5 consumers by usage and by
//! request (`NodeApplication {name, value, instances}`, `~other` and `~cached`), and per
//! application its usage, allocation and over-provisioning costs, components and instances
//! (with their CPU and memory usage series). A node's price is split over its vCPUs and its
//! gigabytes of memory alike (cloud-pricing/manager.go).

use serde_json::{Value, json};

use super::metrics::instance_series;
use crate::gofmt::{format_bytes, format_float};
use crate::util::{TimeCtx, round};
use crate::world::{App, Instance, Node, Project};

/// `resourceType.format` (types.go:16-29): `450m`, `268MB`, `""` for 0.
fn fmt_cpu(cores: f64) -> String {
    if cores == 0.0 {
        String::new()
    } else {
        format!("{}m", format_float(cores * 1000.0))
    }
}

fn fmt_mem(bytes: f64) -> String {
    if bytes == 0.0 {
        String::new()
    } else {
        format_bytes(bytes)
    }
}

/// `resourceType.suggestRequest` (types.go:31-53): usage + 10%, rounded up to a step.
fn suggest(usage: f64, min_unit: f64) -> f64 {
    let u = usage * 1.1 / min_unit;
    if u < 10.0 {
        return 10.0 * min_unit;
    }
    let step = if u < 100.0 { 10.0 } else { 100.0 };
    ((u + step) / step).trunc() * step * min_unit
}

/// Per-core and per-byte monthly prices of a node: Coroot prices a gigabyte of memory like a
/// vCPU and splits the node's price over both (v1.24.5:cloud-pricing/manager.go:155-159,
/// `perUnit = price / (cpuCores + memBytes/1e9)`).
fn unit_prices(n: &Node) -> (f64, f64) {
    let price = n.price.unwrap_or(0.0);
    let per_unit = price / (f64::from(n.vcpu) + f64::from(n.mem_gb)).max(1.0);
    (per_unit, per_unit / 1e9)
}

/// One instance on a priced node: (app, instance, cpu series, memory series).
struct Inst<'a> {
    app: usize,
    i: &'a Instance,
    cpu: Vec<f64>,
    mem: Vec<f64>,
    node: &'a Node,
}

fn avg(v: &[f64]) -> f64 {
    let d: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    if d.is_empty() {
        0.0
    } else {
        d.iter().sum::<f64>() / d.len() as f64
    }
}

fn chart(v: &[f64]) -> Value {
    Value::Array(v.iter().map(|x| crate::util::num(*x)).collect())
}

/// `topBy` (costs.go:353-373): the top 5 by `by`, the rest summed as `~other`.
fn top(mut apps: Vec<(String, f64, Value)>) -> Value {
    apps.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut out: Vec<Value> = Vec::new();
    let mut rest = 0.0;
    for (k, (name, v, inst)) in apps.into_iter().enumerate() {
        if k < 5 {
            out.push(json!({"name": name, "value": round(v, 4), "instances": inst}));
        } else {
            rest += v;
        }
    }
    if rest > 0.0 {
        out.push(json!({"name": "~other", "value": round(rest, 4), "instances": null}));
    }
    Value::Array(out)
}

fn node_row(p: &Project, n: &Node, insts: &[&Inst]) -> Value {
    let cores = f64::from(n.vcpu.max(1));
    let mem_total = f64::from(n.mem_gb.max(1)) * 1e9;
    let (per_core, per_byte) = unit_prices(n);
    let mut apps: Vec<usize> = insts.iter().map(|i| i.app).collect();
    apps.sort_unstable();
    apps.dedup();
    let mut cpu_usage = Vec::new();
    let mut cpu_req = Vec::new();
    let mut mem_usage = Vec::new();
    let mut mem_req = Vec::new();
    for app in apps {
        let a = &p.apps[app];
        let mine: Vec<&&Inst> = insts.iter().filter(|i| i.app == app).collect();
        let list = |cpu: bool| -> Value {
            let mut v: Vec<Value> = mine
                .iter()
                .map(|i| {
                    let (series, req, usage) = if cpu {
                        (&i.cpu, f64::from(a.cpu_request_m) / 1000.0, fmt_cpu(avg(&i.cpu)))
                    } else {
                        (&i.mem, a.mem_request, fmt_mem(avg(&i.mem)))
                    };
                    json!({"name": i.i.name, "usage": usage, "request": if cpu { fmt_cpu(req) } else { fmt_mem(req) }, "chart": chart(series)})
                })
                .collect();
            v.sort_by(|x, y| x["name"].as_str().cmp(&y["name"].as_str()));
            Value::Array(v)
        };
        let k = mine.len() as f64;
        let cpu = mine.iter().map(|i| avg(&i.cpu)).sum::<f64>() * 100.0 / cores;
        let mem = mine.iter().map(|i| avg(&i.mem)).sum::<f64>() * 100.0 / mem_total;
        cpu_usage.push((a.name.clone(), cpu, list(true)));
        cpu_req.push((
            a.name.clone(),
            f64::from(a.cpu_request_m) / 1000.0 * k * 100.0 / cores,
            list(true),
        ));
        mem_usage.push((a.name.clone(), mem, list(false)));
        mem_req.push((a.name.clone(), a.mem_request * k * 100.0 / mem_total, list(false)));
    }
    let cpu_total: f64 = cpu_usage.iter().map(|x| x.1).sum();
    let cached: f64 = insts.iter().map(|i| avg(&i.mem) * 0.25).sum();
    let mut mem_apps = top(mem_usage);
    if cached > 0.0
        && let Value::Array(v) = &mut mem_apps
    {
        v.push(json!({"name": "~cached", "value": round(cached / mem_total * 100.0, 4), "instances": null}));
    }
    let mem_total_pct: f64 = mem_apps
        .as_array()
        .map(|v| v.iter().filter_map(|x| x["value"].as_f64()).sum())
        .unwrap_or(0.0);
    let cpu_apps = top(cpu_usage);
    let cpu_sum: f64 = cpu_apps
        .as_array()
        .map(|v| v.iter().filter_map(|x| x["value"].as_f64()).sum())
        .unwrap_or(cpu_total);
    let node_cpu = f64::from(n.cpu_percent.unwrap_or(0));
    let mem_used = mem_total * f64::from(n.mem_percent.unwrap_or(0)) / 100.0;
    let idle = cores * (1.0 - node_cpu / 100.0) * per_core + (mem_total - mem_used) * 0.4 * per_byte;
    let mut o = json!({
        "name": n.name, "instance_life_cycle": n.life_cycle,
        // `getNodeTags` (costs.go): capacities only while the node reports them.
        "description": if n.cpu_percent.is_some() {
            format!("{} / {} vCPU / {}GB", n.instance_type, n.vcpu, n.mem_gb)
        } else {
            n.instance_type.clone()
        },
        "cpu_usage": round(cpu_sum, 4), "cpu_usage_applications": cpu_apps, "cpu_request_applications": top(cpu_req),
        "memory_usage": round(mem_total_pct, 4), "memory_usage_applications": mem_apps, "memory_request_applications": top(mem_req),
        "price": n.price.unwrap_or(0.0), "idle_costs": round(idle, 2)
    });
    if p.env.version.has_cluster_ids() {
        super::set(&mut o, "cluster", json!(p.node_cluster(n).1));
    }
    o
}

fn app_row(p: &Project, a: &App, insts: &[&Inst]) -> Value {
    let mut usage_costs = 0.0;
    let (mut cpu_sum, mut cpu_max, mut mem_sum, mut mem_max) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    let mut instances: Vec<Value> = Vec::new();
    for i in insts {
        let (per_core, per_byte) = unit_prices(i.node);
        let (c, m) = (avg(&i.cpu), avg(&i.mem));
        usage_costs += c * per_core + m * per_byte;
        cpu_sum += c;
        mem_sum += m;
        cpu_max = cpu_max.max(c);
        mem_max = mem_max.max(m);
        instances.push(
            json!({"name": i.i.name, "cpu_usage": chart(&i.cpu), "cpu_usage_avg": fmt_cpu(c),
                              "memory_usage": chart(&i.mem), "memory_usage_avg": fmt_mem(m)}),
        );
    }
    instances.sort_by(|x, y| x["name"].as_str().cmp(&y["name"].as_str()));
    let desired = a.instances.len().max(1) as f64;
    let cpu_req = f64::from(a.cpu_request_m) / 1000.0;
    let cpu_rec = suggest((cpu_sum / desired).max(cpu_max), 0.001);
    let mem_rec = suggest((mem_sum / desired).max(mem_max), 1e6);
    let (mut alloc, mut alloc_rec) = (0.0, 0.0);
    // Requests cost only for instances running at the end (costs.go:233-241).
    for i in insts.iter().filter(|i| i.i.up) {
        let (per_core, per_byte) = unit_prices(i.node);
        alloc += cpu_req * per_core + a.mem_request * per_byte;
        alloc_rec += cpu_rec * per_core + mem_rec * per_byte;
    }
    let mut o = json!({
        "id": a.id, "category": a.category,
        "usage_costs": round(usage_costs, 4), "allocation_costs": round(alloc, 4),
        "over_provisioning_costs": round(alloc - alloc_rec, 4),
        "cross_az_traffic_costs": 0.0, "internet_egress_costs": 0.0,
        "components": [{"name": a.name, "kind": a.kind,
            "cpu_request": fmt_cpu(cpu_req), "cpu_request_recommended": fmt_cpu(cpu_rec),
            "memory_request": fmt_mem(a.mem_request), "memory_request_recommended": fmt_mem(mem_rec),
            "allocation_costs": round(alloc, 4), "allocation_costs_recommended": round(alloc_rec, 4)}],
        "instances": instances
    });
    if p.env.version.has_cluster_ids() {
        super::set(&mut o, "cluster", json!(p.app_cluster(a)));
    }
    o
}

/// The `Costs` object; nodes without a price are skipped (no cloud pricing → empty).
pub(crate) fn costs(p: &Project, ctx: &TimeCtx) -> Value {
    let priced: Vec<&Node> = p.nodes.iter().filter(|n| n.price.is_some()).collect();
    let mut insts: Vec<Inst> = Vec::new();
    for (app, a) in p.apps.iter().enumerate() {
        for i in &a.instances {
            let Some(node) = p.node(&i.node).filter(|n| n.price.is_some()) else {
                continue;
            };
            let cpu = instance_series(p, "container_resources_cpu_usage_seconds_total", a, i, ctx);
            let mem: Vec<f64> = instance_series(p, "container_resources_memory_rss_bytes", a, i, ctx)
                .into_iter()
                .map(f64::round)
                .collect();
            insts.push(Inst { app, i, cpu, mem, node });
        }
    }
    let mut by_node: std::collections::HashMap<&str, Vec<&Inst>> = std::collections::HashMap::new();
    let mut by_app: Vec<Vec<&Inst>> = vec![Vec::new(); p.apps.len()];
    for i in &insts {
        by_node.entry(i.node.name.as_str()).or_default().push(i);
        by_app[i.app].push(i);
    }
    let nodes: Vec<Value> = priced
        .iter()
        .map(|n| node_row(p, n, by_node.get(n.name.as_str()).map(Vec::as_slice).unwrap_or(&[])))
        .collect();
    let apps: Vec<Value> = by_app
        .iter()
        .enumerate()
        .filter(|(_, mine)| !mine.is_empty())
        .map(|(idx, mine)| app_row(p, &p.apps[idx], mine))
        .collect();
    let list = |v: Vec<Value>| if v.is_empty() { Value::Null } else { Value::Array(v) };
    json!({"nodes": list(nodes), "applications": list(apps), "custom_pricing": false})
}
