//! Renderers: turn the world into Coroot's JSON shapes. Shared pieces live here: chart,
//! table and widget builders; the audit is `audit`, the envelope's context `context`.

pub(crate) mod alerts;
pub(crate) mod app;
pub(crate) mod app_logs;
pub(crate) mod app_widgets;
pub(crate) mod audit;
pub(crate) mod context;
pub(crate) mod costs;
pub(crate) mod incidents;
pub(crate) mod logs;
pub(crate) mod metrics;
pub(crate) mod node;
pub(crate) mod overview;
pub(crate) mod risks;
pub(crate) mod traces;
pub(crate) mod tracing;

use serde_json::{Map, Value, json};

use crate::util::TimeCtx;
use crate::world::{App, Project};

/// Whether an app had a rollout inside the window.
pub(crate) fn has_rollout(p: &Project, app: usize, ctx: &TimeCtx) -> bool {
    p.deployments
        .iter()
        .any(|d| d.app == app && d.started_at >= ctx.from && d.started_at <= ctx.to)
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

/// A `Chart` object (`model.NewChart` appends " (truncated range)" to the title of a
/// truncated window, v1.24.5:model/chart.go:126-131).
pub(crate) fn chart(ctx: &TimeCtx, title: &str, series: Vec<Value>) -> Value {
    let title = if ctx.truncated {
        format!("{title} (truncated range)")
    } else {
        title.to_string()
    };
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
/// A widget wrapping a chart (chart widgets have no `width`; v1.24.5:model/widget.go).
pub(crate) fn chart_widget(chart: Value) -> Value {
    json!({"chart": chart})
}

/// A chart group widget.
pub(crate) fn group_widget(title: &str, charts: Vec<Value>) -> Value {
    json!({"chart_group": {"title": title, "charts": charts}})
}

/// Adds the documentation link of an inspection chart (`model.NewDocLink`).
pub(crate) fn doc(mut w: Value, item: &str, hash: &str) -> Value {
    set(
        &mut w,
        "doc_link",
        json!({"group": "inspections", "item": item, "hash": hash}),
    );
    w
}

/// A table cell with just a value.
pub(crate) fn cell(value: &str) -> Value {
    json!({"icon": null, "value": value, "short_value": "", "values": null, "tags": null, "unit": "", "status": null, "link": null,
           "progress": null, "bandwidth": null, "chart": null, "is_stub": false, "max_width": 0, "deployment_summaries": null})
}

/// An external service's instances as Coroot lists them: its IP (from `ip_to_fqdn`) and the
/// `ip:port` its clients connect to (v1.24.5:constructor/connections.go:33-45, 87-95). Empty
/// for other apps.
fn endpoint_instances(a: &crate::world::App, port: u16) -> Vec<String> {
    match (&a.address, a.kind.as_str()) {
        (Some(ip), "ExternalService") => vec![ip.clone(), format!("{ip}:{port}")],
        _ => Vec::new(),
    }
}
