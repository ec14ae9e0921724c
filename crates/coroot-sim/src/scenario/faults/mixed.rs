//! The two scenarios that are not one fault: a healthy cluster with only noise, and four
//! independent faults at once, of which only one has an incident.

use super::kit::{ERROR, Shop, Slo, WARN};
use super::{memory, noise, storage};
use crate::scenario::truth::ExpectedCause;
use crate::util::{DAY, HOUR, MIN};
use crate::world::{Disk, DnsDomain, Shape, Volume};

/// Nothing is wrong: a harmless rollout, an old resolved incident, benign log errors, the
/// search-path NXDOMAIN answers and the common noise.
pub(super) fn healthy_with_noise(s: &mut Shop) {
    let now = s.now;
    noise::harmless_deploy(s, "frontend", "8a9b0c1d2", "1.9.1", now - 50 * MIN);
    noise::old_incident(s, "y2q6f9hc", "cart", Slo::Availability, 2 * DAY, 25 * MIN);
    noise::benign_errors(s);
    noise::catalog_lookups(s);
}

/// Four independent faults: recommendation OOM-killed under grown traffic (the only incident);
/// one payment pod cannot connect to postgres (a critical link no incident covers, the other
/// pods' retries succeed); cart's NXDOMAIN storm for a deleted cache Service (it falls back to
/// redis); prometheus' volume on node-2 filling up.
pub(super) fn concurrent_faults(s: &mut Shop) {
    let now = s.now;
    memory::traffic_oom(s, "w3c8m1of");

    let refused = now - 26 * MIN;
    s.with_link("payment", "postgres", |l| l.failed_connects = true);
    s.with("payment", |a| a.trouble_since = Some(refused));
    s.story(
        "container_net_tcp_failed_connects_total",
        "payment-7d9f8b6c5-x2x9k",
        Some(("destination", "10.42.3.15:5432")),
        Shape::Step {
            at: refused,
            before: 0.0,
            after: 0.4,
        },
    );
    s.log_every(
        "payment",
        refused,
        2 * MIN,
        ERROR,
        "failed to connect to `host=postgres.default.svc.cluster.local user=payment database=payments`: dial error (dial tcp 10.42.3.15:5432: i/o timeout)",
    );

    let deleted = now - 40 * MIN;
    s.with("cart", |a| {
        a.dns = vec![
            noise::domain("redis.default.svc.cluster.local", 12.0),
            DnsDomain {
                nx_a: 3_940,
                ..noise::domain("redis-cache.default.svc.cluster.local", 1.7)
            },
        ];
        a.trouble_since = Some(deleted);
    });
    s.story(
        "container_dns_requests_total",
        "cart",
        Some(("status", "nxdomain")),
        Shape::Step {
            at: deleted,
            before: 0.0,
            after: 1.64,
        },
    );
    s.log_every(
        "cart",
        deleted,
        30_000,
        WARN,
        "redis-cache lookup failed, falling back to redis.default.svc.cluster.local: [Errno -2] Name or service not known",
    );

    s.with_node("node-2", |n| {
        n.disks.push(Disk {
            device: "/dev/nvme1n1".into(),
            mounts: vec!["/var/lib/kubelet/pods/pvc-91c2/volumes/kubernetes.io~csi/pvc-91c2/mount".into()],
            used_by: vec!["prometheus-0".into()],
            latency_ms: 1.4,
            io_load: 0.6,
            used: 0.0,
            total: 100e9,
        });
    });
    s.with("prometheus", |a| {
        a.volumes.push(Volume {
            name: "prometheus-db".into(),
            mount: "/prometheus".into(),
            device: "/dev/nvme1n1".into(),
            latency_ms: 1.4,
            io_load: 0.6,
            used: 0.0,
            total: 100e9,
        });
        a.trouble_since = Some(now - 2 * HOUR);
    });
    storage::fill(s, ("node-2", "/dev/nvme1n1"), "prometheus", 91.3e9);

    noise::harmless_deploy(s, "frontend", "8a9b0c1d2", "1.9.1", now - 70 * MIN);
    noise::old_incident(s, "a7w3p5qe", "catalog", Slo::Latency, 5 * HOUR, 40 * MIN);
}

pub(super) const CONCURRENT_FAULTS: &[ExpectedCause] = &[
    ExpectedCause {
        app: Some("recommendation"),
        app_id: Some("k3h2x9qa:default:Deployment:recommendation"),
        kind: "oom",
        also: &["memory"],
        incidents: &["w3c8m1of"],
        summary: "recommendation's workers are OOM-killed under grown traffic; its latency SLO burns",
        ..ExpectedCause::BASE
    },
    ExpectedCause {
        app: Some("payment"),
        app_id: Some("k3h2x9qa:default:Deployment:payment"),
        kind: "tcp_connect",
        also: &["connectivity"],
        summary: "one payment pod (on node-2) cannot connect to postgres: the link is critical, no incident covers it",
        ..ExpectedCause::BASE
    },
    ExpectedCause {
        app: Some("cart"),
        app_id: Some("k3h2x9qa:default:Deployment:cart"),
        kind: "dns",
        summary: "cart gets NXDOMAIN for redis-cache.default.svc.cluster.local (the Service was deleted) and falls back to redis",
        ..ExpectedCause::BASE
    },
    ExpectedCause {
        app: Some("prometheus"),
        app_id: Some("k3h2x9qa:monitoring:StatefulSet:prometheus"),
        kind: "disk_space",
        node: Some("node-2"),
        summary: "prometheus' volume on node-2 is 91% full",
        ..ExpectedCause::BASE
    },
];
