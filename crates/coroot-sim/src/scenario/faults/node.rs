//! A node that goes down: node-1 stops answering (its agent's metrics stop), Kubernetes marks
//! it NotReady and, after the 5-minute `unreachable` toleration, evicts its pods. Deployments get
//! replacements on other nodes while the old pods stay listed, Terminating ("down (node down)",
//! v1.24.5:auditor/instances.go:88-100); a StatefulSet's pod is not replaced, so redis has no
//! instance left. The node reads "down (no metrics)" (api/views/overview/nodes.go:56-62).

use super::kit::{Breach, ERROR, Shop, Slo};
use super::noise;
use crate::model::Status;
use crate::prng::{Rng, hash_str};
use crate::scenario::ecommerce::cluster::pod;
use crate::scenario::truth::ExpectedCause;
use crate::util::{DAY, MIN};
use crate::world::Shape;

/// The node that goes down.
const NODE: &str = "node-1";

/// node-1 goes down 31 minutes ago.
pub(super) fn node_down(s: &mut Shop) {
    let now = s.now;
    let down = now - 31 * MIN;
    let evicted = down + 6 * MIN;
    s.with_node(NODE, |n| {
        n.status = Status::Warning;
        n.status_msg = "down (no metrics)".into();
        n.cpu_percent = None;
        n.mem_percent = None;
        n.uptime_ms = 0;
    });
    // node-4, nearly idle, takes most replacements.
    s.with_node("node-4", |n| {
        n.cpu_percent = Some(41);
        n.mem_percent = Some(58);
    });
    s.story("up", NODE, None, Shape::DownFrom(down));
    // The agent on node-1 ships nothing after it went down.
    s.p.logs
        .retain(|l| l.ts_ms() < down || l.attr("host.name") != Some(NODE));
    let mut rng = Rng::new(hash_str(NODE));
    let mut lost = Vec::new();
    for i in 0..s.p.apps.len() {
        let a = &mut s.p.apps[i];
        let on_node: Vec<usize> = (0..a.instances.len())
            .filter(|&k| a.instances[k].node == NODE)
            .collect();
        if on_node.is_empty() || a.kind == "ExternalService" {
            continue;
        }
        let listed = a.instances.len() as u32;
        for k in &on_node {
            let inst = &mut a.instances[*k];
            inst.up = false;
            inst.status_text = "down (node down)".into();
            lost.push((a.name.clone(), a.ns.clone(), inst.name.clone()));
        }
        if a.kind != "Deployment" {
            continue;
        }
        // The ReplicaSet replaces each evicted pod on node-4 (node-2 once node-4 has two).
        a.desired = Some(listed);
        for (n, k) in on_node.iter().enumerate() {
            let old = a.instances[*k].name.clone();
            let stem = old.rsplit_once('-').map_or(old.as_str(), |(stem, _)| stem).to_string();
            let (node, ip) = if n < 2 {
                ("node-4", format!("10.42.4.{}", 20 + i * 2 + n))
            } else {
                ("node-2", format!("10.42.2.{}", 120 + i * 2 + n))
            };
            a.instances.push(pod(&format!("{stem}-{}", rng.alnum(5)), node, &ip));
        }
        a.trouble_since = Some(down);
    }
    for (_, ns, inst) in &lost {
        s.story("up", inst, None, Shape::DownFrom(down));
        s.event(
            down + 40_000,
            "Normal",
            "NodeNotReady",
            ("Pod", inst, ns),
            ("node-controller", ""),
            "Node is not ready",
        );
    }
    s.event(
        down + 40_000,
        "Normal",
        "NodeNotReady",
        ("Node", NODE, ""),
        ("node-controller", ""),
        "Node node-1 status is now: NodeNotReady",
    );
    // DaemonSet pods tolerate `unreachable`; the others are marked for deletion.
    for (_, ns, inst) in lost.iter().filter(|(a, _, _)| a != "kube-proxy") {
        s.event(
            evicted,
            "Normal",
            "TaintManagerEviction",
            ("Pod", inst, ns),
            ("taint-controller", ""),
            &format!("Marking for deletion Pod {ns}/{inst}"),
        );
    }
    s.fire("redis", "RedisAvailability", 1.0);
    s.with_link("cart", "redis", |l| l.failed_connects = true);
    s.with("cart", |a| a.trouble_since = Some(down + MIN));
    s.open_incident("e1w9d3nk", "cart", &[Breach::errors(44.0, down + MIN)]);
    s.log_every(
        "cart",
        down + MIN,
        20_000,
        ERROR,
        "redis.exceptions.ConnectionError: Error 110 connecting to redis.default.svc.cluster.local:6379. Connection timed out.",
    );
    s.log_every("frontend", down + 2 * MIN, 90_000, ERROR, "GET /api/cart 500 3004ms");
    noise::harmless_deploy(s, "catalog", "8b9c0d1e2", "3.1.1", now - 48 * MIN);
    noise::old_incident(s, "k4m8s2dv", "cart", Slo::Availability, 3 * DAY, 25 * MIN);
}

pub(super) const NODE_DOWN: &[ExpectedCause] = &[ExpectedCause {
    kind: "node_down",
    also: &["instances_down"],
    node: Some(NODE),
    seen_in: &["redis", "cart"],
    incidents: &["e1w9d3nk"],
    summary: "node-1 is down: redis-0 (a StatefulSet pod) is not rescheduled, cart cannot connect to redis",
    ..ExpectedCause::BASE
}];
