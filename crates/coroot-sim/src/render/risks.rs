//! The risks Coroot finds in a world (v1.24.5:api/views/overview/risks.go): availability
//! risks derived from where each app's live instances run (one instance, one node, one zone,
//! spot only) and from databases without a replica, plus the scenario's exposure risks
//! (Security: a database reachable from the internet), which need addresses the world keeps
//! as facts. Sorted like Coroot: by severity, then by app name.

use crate::model::Status;
use crate::world::{Project, Risk};

/// The database types Coroot checks for replication, with the name its description uses
/// (`utils.Capitalize` of the type).
const REPLICATED_TYPES: &[(&str, &str)] = &[
    ("mysql", "Mysql"),
    ("postgres", "Postgres"),
    ("redis", "Redis"),
    ("dragonfly", "Dragonfly"),
    ("keydb", "Keydb"),
    ("valkey", "Valkey"),
    ("mongodb", "Mongodb"),
    ("elasticsearch", "Elasticsearch"),
    ("opensearch", "Opensearch"),
];

fn risk(app: usize, severity: Status, rtype: &'static str, description: String) -> Risk {
    Risk {
        app,
        category: "Availability",
        rtype,
        severity,
        exposure: None,
        description: Some(description),
        dismissal: None,
    }
}

/// `availabilityRisks` (risks.go:49-160).
fn availability(p: &Project) -> Vec<Risk> {
    let mut zones: Vec<&str> = p
        .nodes
        .iter()
        .map(|n| n.az.as_str())
        .filter(|z| !z.is_empty())
        .collect();
    zones.sort_unstable();
    zones.dedup();
    let on_demand = p.nodes.iter().any(|n| n.life_cycle == "on-demand");
    let mut out = Vec::new();
    for (idx, a) in p.apps.iter().enumerate() {
        if matches!(a.kind.as_str(), "ExternalService" | "Job" | "CronJob") {
            continue;
        }
        let live: Vec<_> = a.instances.iter().filter(|i| i.up).collect();
        let mut nodes: Vec<&str> = live.iter().map(|i| i.node.as_str()).collect();
        nodes.sort_unstable();
        nodes.dedup();
        let mut app_zones: Vec<&str> = nodes.iter().filter_map(|n| p.node(n)).map(|n| n.az.as_str()).collect();
        app_zones.sort_unstable();
        app_zones.dedup();
        let mut cycles: Vec<&str> = nodes
            .iter()
            .filter_map(|n| p.node(n))
            .map(|n| {
                if n.life_cycle == "preemptible" {
                    "spot"
                } else {
                    n.life_cycle.as_str()
                }
            })
            .collect();
        cycles.sort_unstable();
        cycles.dedup();
        // `IsStandalone`: no link to another app either way.
        let standalone = p.upstreams(idx).all(|l| l.to == idx) && p.downstreams(idx).all(|l| l.from == idx);
        let many_nodes = p.nodes.len() > 1;
        if standalone {
            // Risks of losing an app's replicas concern apps something depends on.
        } else if live.len() == 1 && many_nodes {
            out.push(risk(
                idx,
                Status::Warning,
                "single-instance-app",
                "Single instance - not resilient to node failure".into(),
            ));
        } else if nodes.len() == 1 && many_nodes {
            out.push(risk(
                idx,
                Status::Warning,
                "single-node-app",
                "All instances on one node - not resilient to node failure".into(),
            ));
        } else if app_zones.len() == 1 && zones.len() > 1 {
            out.push(risk(
                idx,
                Status::Warning,
                "single-az-app",
                "All instances in one Availability Zone - failure causes downtime".into(),
            ));
        } else if on_demand && cycles == ["spot"] {
            out.push(risk(
                idx,
                Status::Warning,
                "spot-only-app",
                "All instances on Spot nodes - risk of sudden termination. Add On-Demand".into(),
            ));
        }
        let Some((_, name)) = REPLICATED_TYPES.iter().find(|(t, _)| a.tech.as_deref() == Some(*t)) else {
            continue;
        };
        let same = |other: usize| other != idx && p.apps[other].tech == a.tech;
        let replicated = p.upstreams(idx).any(|l| same(l.to)) || p.downstreams(idx).any(|l| same(l.from));
        if live.len() == 1 && !replicated {
            out.push(risk(
                idx,
                Status::Critical,
                "unreplicated-database",
                format!("{name} isn’t replicated - data loss possible"),
            ));
        }
    }
    out
}

/// Every risk of the project: the scenario's exposure risks and the derived availability
/// ones (a derived risk keeps the dismissal the scenario gave the same app and type), worst
/// first as shown (a dismissed risk reads `ok`), then by app name (risks.go:36-47, 182-200).
pub(crate) fn all(p: &Project) -> Vec<Risk> {
    let stored = |r: &Risk| {
        p.risks
            .iter()
            .find(|s| s.app == r.app && s.rtype == r.rtype)
            .and_then(|s| s.dismissal.clone())
    };
    let mut rs: Vec<Risk> = p
        .risks
        .iter()
        .filter(|r| r.category != "Availability")
        .cloned()
        .collect();
    for mut r in availability(p) {
        r.dismissal = stored(&r);
        rs.push(r);
    }
    let shown = |r: &Risk| if r.dismissal.is_some() { Status::Ok } else { r.severity };
    rs.sort_by(|a, b| {
        shown(b)
            .cmp(&shown(a))
            .then(p.apps[a.app].name.cmp(&p.apps[b.app].name))
    });
    rs
}
