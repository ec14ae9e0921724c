//! A slow database with nothing wrong underneath: the nightly `catalog-import` CronJob loads
//! 2.8M rows into `products`, autoanalyze has not caught up, and the planner's stale statistics
//! pick sequential scans. The Postgres report says so (`PostgresLatency`: average query time >
//! 100 ms, v1.24.5:auditor/postgres.go:188; `PostgresStaleStatistics`, postgres.go:927-999,
//! v1.24.0+); the disk and the CPU stay well under Coroot's thresholds, unlike
//! `node_disk_saturation`.

use super::kit::{Breach, INFO, Shop, Slo, WARN};
use super::noise;
use crate::scenario::truth::ExpectedCause;
use crate::util::{HOUR, MIN};
use crate::world::Shape;

/// Postgres slows down after a bulk import; catalog's latency SLO burns.
pub(super) fn postgres_latency(s: &mut Shop) {
    let now = s.now;
    let since = now - 40 * MIN;
    let mut job = Shop::new_app(
        "default",
        "CronJob",
        "catalog-import",
        Some("python"),
        &[("catalog-import-29411520-k7w2x", "node-2", "10.42.2.77")],
    );
    job.instances
        .iter_mut()
        .for_each(|i| i.status_text = "succeeded".into());
    s.add_app(job);
    s.log(
        "catalog-import",
        0,
        now - 48 * MIN,
        INFO,
        "starting nightly product import",
    );
    s.log(
        "catalog-import",
        0,
        since - 20_000,
        INFO,
        "imported 2840112 rows into products in 396s",
    );
    s.fire("postgres", "PostgresLatency", 1.0);
    s.fire("postgres", "PostgresStaleStatistics", 1.0);
    s.with("postgres", |a| {
        a.cpu_usage = 1.3;
        a.latency_ms = 410.0;
        a.trouble_since = Some(since);
    });
    s.story(
        "container_resources_cpu_usage_seconds_total",
        "postgres",
        None,
        Shape::Step {
            at: since,
            before: 0.6,
            after: 1.3,
        },
    );
    s.with_link("catalog", "postgres", |l| l.latency_ms = 410.0);
    s.log_every(
        "postgres",
        since + 30_000,
        40_000,
        INFO,
        "duration: 2412.118 ms  statement: SELECT id, name, price FROM products WHERE category_id = $1",
    );
    s.with("catalog", |a| {
        a.latency_ms = 2300.0;
        a.trouble_since = Some(since + MIN);
    });
    noise::catalog_lookups(s);
    s.log_every("catalog", since + 2 * MIN, 3 * MIN, WARN, "GET /api/products took 2.4s");
    s.open_incident("q5l3p7gz", "catalog", &[Breach::slow(40.0, since + 2 * MIN)]);
    noise::harmless_deploy(s, "frontend", "8a9b0c1d2", "1.9.1", now - 55 * MIN);
    noise::old_incident(s, "a7w3p5qe", "catalog", Slo::Latency, 5 * HOUR, 40 * MIN);
}

pub(super) const POSTGRES_LATENCY: &[ExpectedCause] = &[ExpectedCause {
    app: Some("postgres"),
    app_id: Some("k3h2x9qa:default:StatefulSet:postgres"),
    kind: "database",
    incidents: &["q5l3p7gz"],
    summary: "postgres answers slowly (stale planner statistics after a 2.8M-row import): catalog's latency SLO burns; the disk and CPU are fine",
    ..ExpectedCause::BASE
}];
