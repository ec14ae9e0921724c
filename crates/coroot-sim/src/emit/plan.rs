//! What the emitter derives once from a project before writing any series: the identities a
//! real cluster would have and the world leaves implicit (node machine ids and system UUIDs,
//! Service ClusterIPs, ports, pod UIDs, images, external IPs), when each pod and node stops
//! reporting, and each app's request timelines (errors and latency, from its incidents).

use std::collections::HashMap;

use super::slo::{Latency, Timeline};
use crate::model::Status;
use crate::prng::hash_str;
use crate::util::MIN;
use crate::world::{App, Instance, Project, Shape};

/// A node's identities as the node agent reports them.
pub(crate) struct NodeIds {
    pub machine_id: String,
    pub system_uuid: String,
    /// When its agent stops reporting (`i64::MAX`: never).
    pub end: i64,
}

/// One app's derived facts.
pub(crate) struct AppPlan {
    /// Its Kubernetes Service ClusterIP, when it has one.
    pub service_ip: Option<String>,
    /// The port it listens on and its Service exposes.
    pub port: u16,
    /// The public IP its clients reach (external services).
    pub external_ip: Option<String>,
    /// The image of its containers.
    pub image: String,
    /// The share of its requests that fail.
    pub errors: Timeline,
    pub latency: Latency,
    /// Whether its SLIs come from its own inbound metrics (no clients to measure them).
    pub inbound: bool,
    /// Per instance: when its containers stop reporting (`i64::MAX`: never).
    pub instance_end: Vec<i64>,
}

/// The derived facts of a project.
pub(crate) struct Plan<'a> {
    pub p: &'a Project,
    pub now: i64,
    pub nodes: Vec<NodeIds>,
    pub node_by_name: HashMap<&'a str, usize>,
    pub apps: Vec<AppPlan>,
}

impl<'a> Plan<'a> {
    pub(crate) fn new(p: &'a Project, history_ms: i64) -> Plan<'a> {
        let now = p.now_ms;
        let nodes = p
            .nodes
            .iter()
            .map(|n| NodeIds {
                machine_id: format!(
                    "{:016x}{:016x}",
                    hash_str(&n.name),
                    hash_str(&format!("{}/machine", n.name))
                ),
                system_uuid: uuid(&format!("{}/system", n.name)),
                end: down_from(p, &n.name).unwrap_or(if n.status == Status::Ok {
                    i64::MAX
                } else {
                    now - 30 * MIN
                }),
            })
            .collect();
        let node_by_name = p.nodes.iter().enumerate().map(|(i, n)| (n.name.as_str(), i)).collect();
        let apps = p
            .apps
            .iter()
            .enumerate()
            .map(|(i, a)| app_plan(p, i, a, now, history_ms))
            .collect();
        Plan {
            p,
            now,
            nodes,
            node_by_name,
            apps,
        }
    }

    pub(crate) fn node(&self, name: &str) -> Option<&NodeIds> {
        self.node_by_name.get(name).map(|&i| &self.nodes[i])
    }

    /// The node agent's labels of a container: its id and its node's identities.
    pub(crate) fn container_labels(&self, a: &App, i: &Instance) -> Option<[(String, String); 3]> {
        let n = self.node(&i.node)?;
        Some([
            ("container_id".into(), format!("/k8s/{}/{}/{}", a.ns, i.name, a.name)),
            ("machine_id".into(), n.machine_id.clone()),
            ("system_uuid".into(), n.system_uuid.clone()),
        ])
    }
}

/// When an object's telemetry stops, by the scenario's story (`up` going to 0).
fn down_from(p: &Project, object: &str) -> Option<i64> {
    p.story
        .iter()
        .find_map(|s| match (&s.shape, s.metric, s.object == object) {
            (Shape::DownFrom(at), "up", true) => Some(*at),
            _ => None,
        })
}

/// A UUID-shaped identity derived from `seed`.
pub(crate) fn uuid(seed: &str) -> String {
    let h = format!("{:016x}{:016x}", hash_str(seed), hash_str(&format!("{seed}/2")));
    format!(
        "{}-{}-4{}-8{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

/// The port an app serves on: the one its clients connect to, else its technology's.
fn port_of(p: &Project, idx: usize, a: &App) -> u16 {
    if let Some(l) = p.downstreams(idx).next() {
        return l.port;
    }
    match a.tech.as_deref() {
        Some("postgres") => 5432,
        Some("redis") => 6379,
        Some("prometheus") => 9090,
        _ => 8080,
    }
}

fn app_plan(p: &Project, idx: usize, a: &App, now: i64, history_ms: i64) -> AppPlan {
    let external = a.kind == "ExternalService";
    let service_ip = (!external && a.kind != "DaemonSet").then(|| format!("10.96.{}.{}", idx / 200, 10 + idx % 200));
    let external_ip = external.then(|| {
        a.address
            .clone()
            .unwrap_or_else(|| format!("52.{}.{}.{}", 1 + idx % 200, hash_str(&a.name) % 250, 10 + idx % 200))
    });
    // The open incident's burn rates shape the app's request shares; otherwise they are flat.
    let open = p
        .incidents
        .iter()
        .filter(|i| i.app_id == a.id && i.resolved_at.is_none_or(|r| r > now))
        .max_by_key(|i| i.opened_at);
    let errors = open
        .and_then(|i| i.availability.as_ref())
        .map(|b| Timeline::from_burn(b, now, history_ms))
        .unwrap_or_else(|| Timeline::constant(a.error_ratio));
    let slow = open
        .and_then(|i| i.latency.as_ref())
        .map(|b| Timeline::from_burn(b, now, history_ms));
    let latency = Latency::new(a.latency_ms.max(0.1) / 1000.0, slow, now);
    let inbound = a.rps > 0.0 && p.downstreams(idx).next().is_none();
    let version = p
        .deployments
        .iter()
        .filter(|d| d.app == idx)
        .max_by_key(|d| d.started_at)
        .and_then(|d| d.version.split_once(": ").map(|(_, img)| img.to_string()));
    let image = match version {
        Some(v) => format!("registry.example.com/{}/{v}", a.ns),
        None => format!(
            "registry.example.com/{}/{}:{}",
            a.ns,
            a.name,
            a.tech.as_deref().unwrap_or("app")
        ),
    };
    let instance_end = a
        .instances
        .iter()
        .map(|i| {
            // The last OOM kill or restart at the moment it stops is still scraped.
            down_from(p, &i.name)
                .map(|at| at + 2 * super::series::STEP)
                .unwrap_or(if i.up { i64::MAX } else { now - 10 * MIN })
        })
        .collect();
    AppPlan {
        service_ip,
        port: port_of(p, idx, a),
        external_ip,
        image,
        errors,
        latency,
        inbound,
        instance_end,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_have_the_shape_of_uuids() {
        let u = uuid("node-1");
        assert_eq!(u.len(), 36);
        assert_eq!(u.matches('-').count(), 4);
    }
}
