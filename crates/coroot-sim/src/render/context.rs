//! The envelope's `context` (`api/ctx.go`): the project status exactly as `renderStatus`
//! writes it, search, incident and alert counts, and the keys each version has
//! (v1.12.0 `{status, search}`; `incidents` v1.12.5; `fluxcd` bool v1.15.0; `multicluster`,
//! `member_projects` v1.17.0; `alerts` v1.18.0, when search items lose `status`; `fluxcd`
//! and `argocd` pointers v1.22.0).

use serde_json::{Map, Value, json};

use super::audit;
use crate::config::PrometheusHealth;
use crate::gofmt::duration_first_unit;
use crate::model::Status;
use crate::util::TimeCtx;
use crate::version::Version;
use crate::world::Project;

/// `renderStatus` (v1.24.5:api/ctx.go:136-200). `world` is false when Coroot has no world
/// for the request: `/status` on a project whose metric cache is empty (`LoadWorld` returns
/// nil there, while the other views build an empty world, api.go:2411-2414).
pub(crate) fn status(p: &Project, world: bool) -> Value {
    let h = &p.env.health;
    let mut top = Status::Ok;
    let (pst, message, error, action) = match &h.prometheus {
        // A multi-cluster project has no Prometheus of its own (ctx.go:155).
        PrometheusHealth::Ok | PrometheusHealth::NotConfigured if !p.env.members.is_empty() => {
            (Status::Ok, "ok".to_string(), String::new(), "")
        }
        PrometheusHealth::Ok => (Status::Ok, "ok".to_string(), String::new(), ""),
        PrometheusHealth::NotConfigured => (
            Status::Warning,
            "Prometheus is not configured.".into(),
            String::new(),
            "configure",
        ),
        PrometheusHealth::QueryError(e) => (
            Status::Warning,
            "An error has been occurred while querying Prometheus:".into(),
            e.clone(),
            "configure",
        ),
        PrometheusHealth::CacheLag { avg_ms } => (
            Status::Warning,
            format!(
                "The Prometheus cache lag is {}, likely due to a restart or upgrade. Synchronization is in progress.",
                duration_first_unit(*avg_ms)
            ),
            String::new(),
            "wait",
        ),
    };
    top = top.max(pst);
    let mut node_agent = json!({"status": "unknown", "nodes": 0});
    let mut ksm = Value::Null;
    if world {
        if h.node_agent && !p.nodes.is_empty() {
            node_agent = json!({"status": "ok", "nodes": p.nodes.len()});
        } else {
            node_agent = json!({"status": "warning", "nodes": 0});
            top = Status::Warning;
        }
        // Required when any container is a Kubernetes one (constructor/containers.go:66,81).
        if !p.apps.is_empty() {
            ksm = if h.kube_state_metrics {
                json!({"status": "ok", "applications": p.apps.len()})
            } else {
                top = Status::Warning;
                json!({"status": "warning", "applications": 0})
            };
        }
    }
    json!({"status": top.as_str(), "error": "",
           "prometheus": {"status": pst.as_str(), "message": message, "error": error, "action": action},
           "node_agent": node_agent, "kube_state_metrics": ksm})
}

/// A zero `Status`, as an unknown project's `/status` answers it (unenveloped, api.go:380-390).
pub(crate) fn zero_status() -> Value {
    json!({"status": "unknown", "error": "",
           "prometheus": {"status": "unknown", "message": "", "error": "", "action": ""},
           "node_agent": {"status": "unknown", "nodes": 0}, "kube_state_metrics": null})
}

/// The `Context` of an enveloped answer (`world` as in [`status`]).
pub(crate) fn context(p: &Project, ctx: &TimeCtx, world: bool) -> Value {
    let v = p.env.version;
    let old_search = !v.has_alerts();
    let f = audit::facts(p, ctx);
    let apps: Vec<Value> = p
        .apps
        .iter()
        .enumerate()
        .map(|(i, a)| {
            if old_search {
                json!({"id": a.id, "status": audit::audit(p, i, ctx, &f).status().as_str()})
            } else {
                json!({"id": a.id})
            }
        })
        .collect();
    let nodes: Vec<Value> = p
        .nodes
        .iter()
        .map(|n| {
            if old_search {
                json!({"name": n.name, "status": n.status.as_str()})
            } else {
                json!({"name": n.name})
            }
        })
        .collect();
    // `renderIncidents`: apps whose last incident in the world's range is open, by category.
    let mut incidents = Map::new();
    for (app_id, list) in &f.incidents {
        if list.last().is_some_and(|i| i.resolved_at.is_none()) {
            let cat = p
                .app_index
                .get(*app_id)
                .map(|&i| p.apps[i].category.as_str())
                .unwrap_or("application");
            let e = incidents.entry(cat).or_insert(json!(0));
            *e = json!(e.as_u64().unwrap_or(0) + 1);
        }
    }
    let list = |v: Vec<Value>| if v.is_empty() { Value::Null } else { Value::Array(v) };
    let mut c = json!({
        "status": status(p, world),
        "search": {"applications": list(apps), "nodes": list(nodes)},
    });
    add_versioned(&mut c, v, json!(incidents), super::alerts::counts(p), &p.env.members);
    c
}

/// The context of an unknown project: `DataWithContext{}` zero values (ctx.go:82-84).
pub(crate) fn zero_context(v: Version) -> Value {
    let mut c = json!({"status": zero_status(), "search": {"applications": null, "nodes": null}});
    add_versioned(&mut c, v, Value::Null, Value::Null, &[]);
    c
}

fn add_versioned(c: &mut Value, v: Version, incidents: Value, alerts: Value, members: &[String]) {
    if v.has_incidents_route() {
        super::set(c, "incidents", incidents);
    }
    if v.has_alerts() {
        super::set(c, "alerts", alerts);
    }
    if v.at_least((1, 22, 0)) {
        super::set(c, "fluxcd", Value::Null);
        super::set(c, "argocd", Value::Null);
    } else if v.at_least((1, 15, 0)) {
        super::set(c, "fluxcd", json!(false));
    }
    if v.has_cluster_ids() {
        super::set(c, "multicluster", json!(!members.is_empty()));
        if !members.is_empty() {
            super::set(c, "member_projects", json!(members));
        }
    }
}
