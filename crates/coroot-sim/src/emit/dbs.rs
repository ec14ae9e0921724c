//! The database exporters' series for the world's Postgres and Redis pods (coroot-pg-agent
//! and redis_exporter; v1.24.5:constructor/queries.go:350-430): matched to a pod by their
//! `address` label, the pod's listen address (constructor/constructor.go:410-431), so Coroot
//! fills the Postgres and Redis reports instead of leaving them "unknown". A scenario's
//! `PostgresLatency` / `RedisLatency` makes the average latency cross the check's threshold.

use super::plan::Plan;
use super::series::Sink;
use crate::util::MIN;
use crate::world::App;

/// The exporters' series of every database pod.
pub(crate) fn emit(plan: &Plan, sink: &mut Sink) {
    for (idx, a) in plan.p.apps.iter().enumerate() {
        match a.tech.as_deref() {
            Some("postgres") => postgres(plan, idx, a, sink),
            Some("redis") => redis(plan, idx, a, sink),
            _ => {}
        }
    }
}

/// The version label a pod carries, else a default.
fn version<'a>(labels: &'a [(String, String)], default: &'a str) -> &'a str {
    labels
        .iter()
        .find(|(k, _)| k == "version")
        .map(|(_, v)| v.as_str())
        .unwrap_or(default)
}

/// The rate of queries the app's clients send (its load as its exporter counts it).
fn load(plan: &Plan, idx: usize) -> f64 {
    plan.p.downstreams(idx).map(|l| l.rps).sum::<f64>().max(1.0)
}

/// When the scenario's slow-database story starts, if it makes `check` fire.
fn slow_since(plan: &Plan, a: &App, check: &str) -> Option<i64> {
    a.fired(check)?;
    Some(a.trouble_since.unwrap_or(plan.now - 30 * MIN))
}

fn postgres(plan: &Plan, idx: usize, a: &App, sink: &mut Sink) {
    let ap = &plan.apps[idx];
    let qps = load(plan, idx) / a.instances.len().max(1) as f64;
    let normal = (a.latency_ms / 1000.0 * 0.5).min(0.05);
    let slow = slow_since(plan, a, "PostgresLatency");
    for (i, end) in a.instances.iter().zip(&ap.instance_end) {
        let address = format!("{}:{}", i.ip, ap.port);
        let id = [("address", address.as_str())];
        sink.constant("pg_up", &id, 1.0).span(i64::MIN, *end);
        sink.constant(
            "pg_info",
            &[("address", &address), ("server_version", version(&i.labels, "16.4"))],
            1.0,
        )
        .span(i64::MIN, *end);
        // PostgresLatency compares the average at the last point with 100 ms (auditor/postgres.go).
        let avg = move |t: i64| if slow.is_some_and(|s| t >= s) { 0.15 } else { normal };
        for (summary, k) in [("avg", 1.0), ("p50", 0.8), ("p95", 2.5), ("p99", 4.0)] {
            sink.gauge(
                "pg_latency_seconds",
                &[("address", &address), ("summary", summary)],
                move |t| avg(t) * k,
            )
            .span(i64::MIN, *end);
        }
        for (state, n) in [("active", 4.0), ("idle", 16.0)] {
            sink.constant(
                "pg_connections",
                &[
                    ("address", &address),
                    ("db", a.ns.as_str()),
                    ("user", "app"),
                    ("state", state),
                    ("query", ""),
                    ("wait_event_type", ""),
                ],
                n,
            )
            .span(i64::MIN, *end);
        }
        sink.constant(
            "pg_setting",
            &[("address", &address), ("name", "max_connections"), ("unit", "")],
            100.0,
        )
        .span(i64::MIN, *end);
        sink.constant(
            "pg_db_queries_per_second",
            &[("address", &address), ("db", a.ns.as_str())],
            qps,
        )
        .span(i64::MIN, *end);
    }
}

fn redis(plan: &Plan, idx: usize, a: &App, sink: &mut Sink) {
    let ap = &plan.apps[idx];
    let qps = load(plan, idx) / a.instances.len().max(1) as f64;
    let normal = (a.latency_ms / 1000.0).min(0.002);
    let slow = slow_since(plan, a, "RedisLatency");
    for (k, (i, end)) in a.instances.iter().zip(&ap.instance_end).enumerate() {
        let address = format!("{}:{}", i.ip, ap.port);
        sink.constant("redis_up", &[("address", &address)], 1.0)
            .span(i64::MIN, *end);
        let role = if k == 0 { "master" } else { "slave" };
        sink.constant(
            "redis_instance_info",
            &[
                ("address", &address),
                ("redis_version", version(&i.labels, "7.2.4")),
                ("role", role),
            ],
            1.0,
        )
        .span(i64::MIN, *end);
        for (cmd, share) in [("get", 0.7), ("set", 0.3)] {
            let l = [("address", address.as_str()), ("cmd", cmd)];
            sink.rate("redis_commands_total", &l, move |_| qps * share)
                .span(i64::MIN, *end);
            // RedisLatency compares the average call time with 5 ms (auditor/redis.go).
            sink.rate("redis_commands_duration_seconds_total", &l, move |t| {
                let avg = if slow.is_some_and(|s| t >= s) { 0.01 } else { normal };
                qps * share * avg
            })
            .span(i64::MIN, *end);
        }
    }
}
