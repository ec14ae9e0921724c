//! A volume that runs out of space: postgres' data volume on node-3 fills up and writes fail.
//! Coroot judges space per volume (`StorageSpace`, used/capacity > 80%,
//! v1.24.5:auditor/storage.go:95-112); neither the node page nor the Storage table colours a
//! cell, the percentage is only a value ("99% (198 GB / 200 GB)").

use super::kit::{Breach, ERROR, Shop, Slo};
use super::noise;
use crate::scenario::truth::ExpectedCause;
use crate::util::{DAY, MIN};

/// Bytes in use on postgres' volume once writes start failing.
const FULL: f64 = 198.2e9;

/// Sets the used bytes of a node's disk and of the app volume on it.
pub(super) fn fill(s: &mut Shop, (node, device): (&str, &str), app: &str, used: f64) {
    s.with_node(node, |n| {
        for d in n.disks.iter_mut().filter(|d| d.device == device) {
            d.used = used;
        }
    });
    s.with(app, |a| {
        for v in a.volumes.iter_mut().filter(|v| v.device == device) {
            v.used = used;
        }
    });
}

/// postgres' volume is 99% full: inserts fail with "No space left on device".
pub(super) fn disk_space_full(s: &mut Shop) {
    let now = s.now;
    let since = now - 27 * MIN;
    fill(s, ("node-3", "/dev/nvme1n1"), "postgres", FULL);
    // The volume has been over 80% for hours: StorageSpace has been failing since.
    s.with("postgres", |a| a.trouble_since = Some(now - 5 * 60 * MIN));
    s.log_every(
        "postgres",
        since,
        45_000,
        ERROR,
        "could not extend file \"base/16384/16522\": No space left on device",
    );
    s.log_every(
        "payment",
        since + 20_000,
        30_000,
        ERROR,
        "pq: could not extend file \"base/16384/16522\": No space left on device",
    );
    s.log_every(
        "checkout",
        since + 2 * MIN,
        40_000,
        ERROR,
        "upstream payment returned 500: payment not recorded",
    );
    s.with("payment", |a| a.trouble_since = Some(since));
    s.with("checkout", |a| a.trouble_since = Some(since + MIN));
    s.open_incident("f9d2k4sp", "payment", &[Breach::errors(52.0, since + MIN)]);
    s.open_incident("r6t1y8ub", "checkout", &[Breach::errors(47.0, since + 2 * MIN)]);
    noise::harmless_deploy(s, "catalog", "8b9c0d1e2", "3.1.1", now - 45 * MIN);
    noise::old_incident(s, "a7w3p5qe", "payment", Slo::Latency, 2 * DAY + 5 * 60 * MIN, 50 * MIN);
}

pub(super) const DISK_SPACE_FULL: &[ExpectedCause] = &[ExpectedCause {
    app: Some("postgres"),
    app_id: Some("k3h2x9qa:default:StatefulSet:postgres"),
    kind: "disk_space",
    also: &["database"],
    node: Some("node-3"),
    incidents: &["f9d2k4sp", "r6t1y8ub"],
    summary: "postgres' data volume (/dev/nvme1n1 on node-3) is 99% full: inserts fail with No space left on device, payment and checkout fail",
    ..ExpectedCause::BASE
}];
