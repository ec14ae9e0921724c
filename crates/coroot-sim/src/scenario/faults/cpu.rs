//! CPU faults (v1.24.5:auditor/cpu.go): a container throttled by its CPU limit
//! (`CPUContainer`: usage/limit > 80% per container, item `container@instance`), and a node
//! saturated by a noisy neighbour (`CPUNode`: the node's CPU usage > 80%, fired in every app with
//! a pod on it). The neighbour has no CPU limit, so its own `CPUContainer` cannot fire.

use super::kit::{Breach, INFO, Shop, Slo, WARN};
use super::noise;
use crate::scenario::truth::ExpectedCause;
use crate::util::{DAY, HOUR, MIN};
use crate::world::{MIB, Shape};

/// A rollout of catalog that only lowered its CPU limit from 1 core to 250m (same image, new
/// ReplicaSet): both containers run at their limit and are throttled, queries queue up.
pub(super) fn throttling_after_limit_change(s: &mut Shop) {
    let now = s.now;
    let at = now - 52 * MIN;
    // The rollout's metrics snapshot (10 to 30 minutes after it) saw 35% of requests slower
    // than 500ms: "Latency: 65% of requests faster 500ms (objective: 99%)" (critical,
    // model/application_deployment.go:196-209). Coroot also compares the CPU usage per request
    // with a monthly cost from the nodes' prices, which the simulator does not model, so that
    // line is left out.
    s.deploy(
        "catalog",
        "7c1d2e3f4",
        "3.1.0",
        at,
        vec![(
            "💔",
            "Latency: 65% of requests faster 500ms (objective: 99%)".into(),
            Some("SLO"),
        )],
    );
    s.with("catalog", |a| {
        a.cpu_limit = 0.25;
        a.cpu_usage = 0.245;
        a.latency_ms = 1900.0;
        a.trouble_since = Some(at + MIN);
    });
    s.fire("catalog", "CPUContainer", 2.0);
    s.story(
        "container_resources_cpu_throttled_seconds_total",
        "catalog",
        None,
        Shape::Step {
            at: at + MIN,
            before: 0.005,
            after: 0.71,
        },
    );
    s.story(
        "container_resources_cpu_usage_seconds_total",
        "catalog",
        None,
        Shape::Step {
            at: at + MIN,
            before: 0.31,
            after: 0.245,
        },
    );
    s.open_incident("t2h8r4lc", "catalog", &[Breach::slow(35.0, at + 2 * MIN)]);
    s.log_every("catalog", at + 3 * MIN, 2 * MIN, WARN, "GET /api/products took 1.7s");
    noise::old_incident(s, "y2q6f9hc", "catalog", Slo::Latency, 5 * HOUR, 40 * MIN);
    noise::harmless_deploy(s, "cart", "3e4f5a6b7", "2.7.4", now - 40 * MIN);
    noise::cdn_nxdomain(s);
}

pub(super) const THROTTLING_AFTER_LIMIT_CHANGE: &[ExpectedCause] = &[ExpectedCause {
    app: Some("catalog"),
    app_id: Some("k3h2x9qa:default:Deployment:catalog"),
    kind: "cpu_throttling",
    also: &["deploy"],
    incidents: &["t2h8r4lc"],
    summary: "catalog's rollout 7c1d2e3f4 lowered its CPU limit to 250m: its containers are throttled and its latency SLO burns",
    ..ExpectedCause::BASE
}];

/// A search indexer without a CPU limit starts a full reindex on node-1 and takes 3.4 of its
/// 4 cores: every app with a pod there is short of CPU; checkout's latency SLO burns and redis
/// answers slowly.
pub(super) fn noisy_neighbour(s: &mut Shop) {
    let now = s.now;
    let since = now - 44 * MIN;
    let mut indexer = Shop::new_app(
        "search",
        "Deployment",
        "search-indexer",
        Some("golang"),
        &[("search-indexer-5c6d7e8f9-q2w3e", "node-1", "10.42.1.91")],
    );
    indexer.cpu_limit = 0.0;
    indexer.cpu_request_m = 500;
    indexer.cpu_usage = 3.4;
    indexer.mem_usage = 1200.0 * MIB;
    indexer.mem_limit = 2048.0 * MIB;
    s.add_app(indexer);
    s.add_link("search-indexer", "postgres", 45.0, 3.0, 5432);
    s.with_node("node-1", |n| n.cpu_percent = Some(97));
    for (mode, share) in [("user", 0.7), ("system", 0.2), ("iowait", 0.1)] {
        s.story(
            "node_resources_cpu_usage_seconds_total",
            "node-1",
            Some(("mode", mode)),
            Shape::Step {
                at: since,
                before: 4.0 * 0.28 * share,
                after: 4.0 * 0.97 * share,
            },
        );
    }
    s.story(
        "container_resources_cpu_usage_seconds_total",
        "search-indexer",
        None,
        Shape::Step {
            at: since,
            before: 0.05,
            after: 3.4,
        },
    );
    for app in [
        "frontend",
        "checkout",
        "payment",
        "recommendation",
        "redis",
        "kube-proxy",
        "search-indexer",
    ] {
        s.with(app, |a| a.trouble_since = Some(since));
    }
    // Redis is single-threaded: starved of CPU, its average command time passes 5 ms.
    s.fire("redis", "RedisLatency", 1.0);
    s.with("checkout", |a| a.latency_ms = 1400.0);
    s.open_incident("n6b4g2yv", "checkout", &[Breach::slow(30.0, since + 2 * MIN)]);
    s.log(
        "search-indexer",
        0,
        since,
        INFO,
        "starting full reindex of 1432118 products (reason: schema change)",
    );
    let mut t = since + 5 * MIN;
    let mut pct = 9;
    while t < now {
        s.log("search-indexer", 0, t, INFO, &format!("reindex progress: {pct}%"));
        t += 5 * MIN;
        pct += 9;
    }
    s.dismiss(
        "search-indexer",
        "single-instance-app",
        now - 30 * DAY,
        "batch indexer, one replica by design",
    );
    noise::harmless_deploy(s, "recommendation", "9d8c7b6a5", "5.0.3", now - 70 * MIN);
    noise::old_incident(s, "g8t4z1nw", "checkout", Slo::Availability, 22 * HOUR, 30 * MIN);
}

pub(super) const NOISY_NEIGHBOUR: &[ExpectedCause] = &[ExpectedCause {
    app: Some("search-indexer"),
    app_id: Some("k3h2x9qa:search:Deployment:search-indexer"),
    kind: "node_cpu",
    node: Some("node-1"),
    incidents: &["n6b4g2yv"],
    summary: "search-indexer (no CPU limit) runs a full reindex on node-1 and saturates its CPU (97%): checkout, on the same node, slows down",
    ..ExpectedCause::BASE
}];
