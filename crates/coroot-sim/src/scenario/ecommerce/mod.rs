//! The `ecommerce` scenario: a production cluster in trouble after a bad payment deploy
//! (OOM kills → checkout 502s → frontend latency), plus a quiet staging project. The
//! story variants (`oom_after_deploy`, `tcp_connect_failures`, `node_disk_saturation`,
//! `healthy`) reuse the same cluster with only one root cause switched on.

pub(super) mod cluster;
mod incidents;
pub(super) mod logs;
mod metrics;
mod plot;
mod traces;

use crate::world::{App, Link, Project, World};
pub(crate) use plot::Variant;
use plot::{P, S};

/// Both projects of the scenario, relative to `now`.
pub(crate) fn build(v: Variant, now: i64) -> World {
    World::new(vec![production(v, now), staging(now)])
}

pub(super) fn production(v: Variant, now: i64) -> Project {
    let mut p = Project::new(P, "production", now, 7);
    p.nodes = cluster::nodes(v);
    let apps = cluster::add_apps(&mut p, v);
    p.links = cluster::links(v, &apps);
    p.incidents = incidents::list(v, now);
    p.deployments = incidents::deployments(v, now, &apps);
    p.risks = cluster::risks(v, &apps);
    p.story = metrics::stories(v, now);
    logs::production(&mut p, v, now);
    traces::production(&mut p, v, now);
    p.finish();
    p
}

/// The quiet staging project: two healthy apps on one node.
pub(super) fn staging(now: i64) -> Project {
    let mut p = Project::new(S, "staging", now, 11);
    let mut n = cluster::node("stg-node-1", "10.1.1.11", "us-east-1a", 12, 38);
    n.instance_type = "t3.large".into();
    n.vcpu = 2;
    n.mem_gb = 8;
    n.price = Some(60.74);
    p.nodes = vec![n];
    let mut fe = App::new(S, "default", "Deployment", "frontend", Some("nodejs"));
    fe.instances = vec![cluster::pod("frontend-7d8e9f0a1-bbbcd", "stg-node-1", "10.43.1.11")];
    fe.rps = 2.0;
    fe.latency_ms = 15.0;
    let fe = p.add_app(fe);
    let mut cat = App::new(S, "default", "Deployment", "catalog", Some("golang"));
    cat.instances = vec![cluster::pod("catalog-6a7b8c9d0-bbbbb", "stg-node-1", "10.43.1.12")];
    cat.rps = 1.5;
    cat.latency_ms = 6.0;
    let cat = p.add_app(cat);
    p.links = vec![Link::new(fe, cat, 1.5, 6.0, 8080)];
    logs::staging(&mut p, now);
    p.finish();
    p
}
