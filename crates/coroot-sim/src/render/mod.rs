//! Renderers: turn the world into Coroot's JSON shapes (§4–§7). Shared pieces live here:
//! the envelope context, the audit-check evaluation every view uses, and chart builders.

pub(crate) mod app;
pub(crate) mod incidents;
pub(crate) mod logs;
pub(crate) mod metrics;
pub(crate) mod node;
pub(crate) mod overview;
pub(crate) mod traces;

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use crate::model::{CheckDef, Status, checks_of};
use crate::util::{TimeCtx, plural};
use crate::world::{App, Project};

/// The `Context` of the envelope for a known project.
pub(crate) fn context(p: &Project) -> Value {
    let apps: Vec<Value> = p.apps.iter().map(|a| json!({"id": a.id})).collect();
    let nodes: Vec<Value> = p.nodes.iter().map(|n| json!({"name": n.name})).collect();
    let mut incidents: Map<String, Value> = Map::new();
    let mut latest: HashMap<&str, (i64, bool)> = HashMap::new();
    for i in &p.incidents {
        let e = latest.entry(i.app_id.as_str()).or_insert((i64::MIN, false));
        if i.opened_at > e.0 {
            *e = (i.opened_at, i.resolved_at.is_none());
        }
    }
    let mut counts: HashMap<&str, u64> = HashMap::new();
    for (app_id, (_, open)) in latest {
        if open {
            let cat = p
                .app_index
                .get(app_id)
                .map(|&i| p.apps[i].category.as_str())
                .unwrap_or("application");
            *counts.entry(cat).or_default() += 1;
        }
    }
    for (k, v) in counts {
        incidents.insert(k.to_string(), json!(v));
    }
    let mut alerts = Map::new();
    for (sev, n) in &p.alerts {
        alerts.insert((*sev).to_string(), json!(n));
    }
    json!({
        "status": project_status(p),
        "search": {"applications": if apps.is_empty() { Value::Null } else { Value::Array(apps) },
                   "nodes": if nodes.is_empty() { Value::Null } else { Value::Array(nodes) }},
        "incidents": incidents,
        "alerts": alerts,
        "fluxcd": null,
        "argocd": null,
        "multicluster": false
    })
}

/// The zero context used for unknown projects.
pub(crate) fn zero_context() -> Value {
    json!({
        "status": zero_status(),
        "search": {"applications": null, "nodes": null},
        "incidents": null, "alerts": null, "fluxcd": null, "argocd": null, "multicluster": false
    })
}

/// A zero `ProjectStatus`.
pub(crate) fn zero_status() -> Value {
    json!({"status": "unknown", "error": "",
           "prometheus": {"status": "unknown", "message": "", "error": "", "action": ""},
           "node_agent": {"status": "unknown", "nodes": 0}, "kube_state_metrics": null})
}

/// The `ProjectStatus` of a project.
pub(crate) fn project_status(p: &Project) -> Value {
    json!({"status": "ok", "error": "",
           "prometheus": {"status": "ok", "message": "ok", "error": "", "action": ""},
           "node_agent": {"status": "ok", "nodes": p.nodes.len()},
           "kube_state_metrics": {"status": "ok", "applications": p.apps.len()}})
}

/// The outcome of one check for an app.
pub(crate) struct CheckOut {
    pub def: &'static CheckDef,
    pub status: Status,
    pub message: String,
}

impl CheckOut {
    pub(crate) fn json(&self, app: &App) -> Value {
        let mut tpl = self.def.template.to_string();
        if self.def.id == "SLOLatency" && (app.category == "monitoring" || app.category == "control-plane") {
            tpl = tpl.replace("500ms", "5s");
        }
        json!({"id": self.def.id, "title": self.def.title, "status": self.status.as_str(), "message": self.message,
               "threshold": self.def.threshold, "unit": self.def.unit, "condition_format_template": tpl})
    }
}

/// A report with its checks.
pub(crate) struct ReportOut {
    pub name: &'static str,
    pub checks: Vec<CheckOut>,
}

impl ReportOut {
    pub(crate) fn status(&self) -> Status {
        self.checks.iter().map(|c| c.status).max().unwrap_or(Status::Unknown)
    }
}

/// Per-app error-log statistics in a window: (error count, unique messages).
pub(crate) fn log_errors(p: &Project, ctx: &TimeCtx) -> HashMap<u32, (u64, Vec<String>)> {
    let mut out: HashMap<u32, (u64, Vec<String>)> = HashMap::new();
    let lo = p.logs.partition_point(|l| l.ts_ms() < ctx.from);
    for l in &p.logs[lo..] {
        if l.ts_ms() > ctx.to {
            break;
        }
        if l.severity >= 17
            && let Some(a) = l.app
        {
            let e = out.entry(a).or_default();
            e.0 += 1;
            if !e.1.iter().any(|m| m.as_str() == &*l.message) {
                e.1.push(l.message.to_string());
            }
        }
    }
    out
}

/// Whether an app had a rollout inside the window.
pub(crate) fn has_rollout(p: &Project, app: usize, ctx: &TimeCtx) -> bool {
    p.deployments
        .iter()
        .any(|d| d.app == app && d.started_at >= ctx.from && d.started_at <= ctx.to)
}

/// The audit reports (with checks) an application has, in Coroot's order.
pub(crate) fn app_reports(
    p: &Project,
    idx: usize,
    ctx: &TimeCtx,
    errors: Option<&(u64, Vec<String>)>,
) -> Vec<ReportOut> {
    let app = &p.apps[idx];
    let tech = app.tech.as_deref().unwrap_or("");
    let has_upstreams = p.upstreams(idx).next().is_some();
    let has_clients = p.downstreams(idx).next().is_some();
    let mut names: Vec<&'static str> = vec!["SLO", "Instances", "CPU", "Memory"];
    if !app.volumes.is_empty() {
        names.push("Storage");
    }
    if has_upstreams {
        names.push("Net");
    }
    if !app.dns.is_empty() {
        names.push("DNS");
    }
    match tech {
        "postgres" => names.push("Postgres"),
        "mysql" => names.push("Mysql"),
        "redis" => names.push("Redis"),
        "mongodb" => names.push("Mongodb"),
        "memcached" => names.push("Memcached"),
        "java" => names.push("JVM"),
        "dotnet" => names.push(".NET"),
        "python" => names.push("Python"),
        "nodejs" => names.push("Node.js"),
        _ => {}
    }
    names.push("Logs");
    if has_rollout(p, idx, ctx) {
        names.push("Deployments");
    }
    names
        .into_iter()
        .map(|name| {
            let checks = checks_of(name)
                .map(|def| {
                    if let Some(o) = app.check(def.id) {
                        return CheckOut {
                            def,
                            status: o.status,
                            message: o.message.clone(),
                        };
                    }
                    let (status, message) = match def.id {
                        "SLOAvailability" | "SLOLatency" => {
                            if app.rps > 0.0 || has_clients {
                                (Status::Ok, "OK".to_string())
                            } else {
                                (Status::Unknown, "no data".to_string())
                            }
                        }
                        "LogErrors" => match errors {
                            _ if app.instances.is_empty() => (Status::Unknown, "no data".to_string()),
                            Some((n, _)) if *n > 0 => (Status::Warning, format!("{} occurred", plural(*n, "error"))),
                            _ => (Status::Ok, String::new()),
                        },
                        _ => (Status::Ok, String::new()),
                    };
                    CheckOut { def, status, message }
                })
                .collect();
            ReportOut { name, checks }
        })
        .collect()
}

/// `Indicator[]` of an app: one per report with a known status.
pub(crate) fn indicators(reports: &[ReportOut]) -> Value {
    let v: Vec<Value> = reports
        .iter()
        .filter(|r| r.status() != Status::Unknown)
        .map(|r| json!({"status": r.status().as_str(), "message": r.name}))
        .collect();
    if v.is_empty() { Value::Null } else { Value::Array(v) }
}

/// The `labels` of an app in maps (§6.5.2).
pub(crate) fn app_labels(app: &App) -> Value {
    let mut m = Map::new();
    match app.tech.as_deref() {
        Some(t @ ("postgres" | "mysql" | "redis" | "mongodb" | "memcached")) => {
            m.insert("db".into(), json!(t));
        }
        Some(t @ ("kafka" | "rabbitmq" | "nats")) => {
            m.insert("queue".into(), json!(t));
        }
        _ => {}
    }
    m.insert("ns".into(), json!(app.ns));
    Value::Object(m)
}

/// A `Chart` object.
pub(crate) fn chart(ctx: &TimeCtx, title: &str, series: Vec<Value>) -> Value {
    json!({"ctx": ctx.json(), "title": title, "series": if series.is_empty() { Value::Null } else { Value::Array(series) },
           "threshold": null, "featured": false, "stacked": false, "sorted": false, "column": false, "color_shift": 0,
           "annotations": null, "drill_down_link": null, "hide_legend": false})
}

/// A `Series` object.
pub(crate) fn series(name: &str, color: Option<&str>, data: Vec<f64>) -> Value {
    let data: Vec<Value> = data.into_iter().map(crate::util::num).collect();
    let mut s =
        json!({"name": name, "data": if data.is_empty() { Value::Null } else { Value::Array(data) }, "value": ""});
    if let Some(c) = color {
        s["color"] = json!(c);
    }
    s
}

/// Sets a key of a JSON object (no-op for non-objects).
pub(crate) fn set(v: &mut Value, key: &str, val: Value) {
    if let Value::Object(m) = v {
        m.insert(key.into(), val);
    }
}

/// A widget wrapping a chart.
pub(crate) fn chart_widget(chart: Value, width: &str) -> Value {
    json!({"chart": chart, "width": width})
}

/// A chart group widget.
pub(crate) fn group_widget(title: &str, charts: Vec<Value>, group: Option<&str>) -> Value {
    let mut w = json!({"chart_group": {"title": title, "charts": charts}, "width": "50%"});
    if let Some(g) = group {
        set(&mut w, "group", json!(g));
    }
    w
}

/// A table cell with just a value.
pub(crate) fn cell(value: &str) -> Value {
    json!({"icon": null, "value": value, "short_value": "", "values": null, "tags": null, "unit": "", "status": null, "link": null,
           "progress": null, "bandwidth": null, "chart": null, "is_stub": false, "max_width": 0, "deployment_summaries": null})
}
