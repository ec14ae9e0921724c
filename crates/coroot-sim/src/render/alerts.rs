//! Alerts (v1.18.0+, 51f0a60): `GET /api/project/{p}/alerts`. Coroot's watcher evaluates the
//! built-in check-based alerting rules (v1.24.5:model/alerting_rule.go BuiltinAlertingRules)
//! against every app's checks and stores an alert while a rule's check is not OK
//! (`evaluateCheckAlert`, v1.24.5:watchers/alerts.go:138-233): summary = the check's
//! message, details = the rule's description, report = the check's report, fingerprint =
//! sha256(rule id + app id)[:16]. The simulator evaluates them once at "now" over the last
//! hour. Log-pattern, Kubernetes-event and PromQL rules are not simulated.

use serde_json::{Value, json};

use super::audit;
use crate::http::RecordedRequest;
use crate::model::Status;
use crate::util::{HOUR, MIN, TimeCtx};
use crate::world::{AlertRow, Project};

/// (rule id, name, check id, severity, `For` in minutes, first version, description).
type Rule = (
    &'static str,
    &'static str,
    &'static str,
    Status,
    i64,
    (u32, u32, u32),
    &'static str,
);

/// The check-based built-in rules, in Coroot's order (v1.18.0 had all but `memory-leak`,
/// added in v1.19.5, and the seven Postgres rules of v1.24.0).
const RULES: &[Rule] = &[
    (
        "storage-space",
        "Low disk space",
        "StorageSpace",
        Status::Warning,
        5,
        (1, 18, 0),
        "Disk space is running low. If the volume fills up completely, the application may fail to write data, causing errors and potential data loss.",
    ),
    (
        "memory-oom",
        "Out of memory kills",
        "MemoryOOM",
        Status::Warning,
        0,
        (1, 18, 0),
        "Containers are being terminated by the kernel due to memory limits. This can cause request failures and temporary service unavailability.",
    ),
    (
        "memory-pressure",
        "Memory pressure",
        "MemoryPressure",
        Status::Warning,
        5,
        (1, 18, 0),
        "High memory stall time indicates the application is waiting for memory operations, leading to increased latency and degraded performance.",
    ),
    (
        "memory-leak",
        "Memory leak",
        "MemoryLeakPercent",
        Status::Warning,
        15,
        (1, 19, 5),
        "Memory usage is growing steadily, likely indicating a memory leak. Without intervention, the container will eventually be OOM-killed.",
    ),
    (
        "cpu-limit",
        "Container CPU utilization",
        "CPUContainer",
        Status::Warning,
        5,
        (1, 18, 0),
        "Application is being throttled due to CPU limits. This can cause increased response times and request timeouts.",
    ),
    (
        "instance-availability",
        "Instance availability",
        "InstanceAvailability",
        Status::Warning,
        2,
        (1, 18, 0),
        "Some application instances are unavailable. This reduces capacity and may affect service availability.",
    ),
    (
        "instance-restarts",
        "Instance restarts",
        "InstanceRestarts",
        Status::Warning,
        0,
        (1, 18, 0),
        "Application instances are restarting frequently. This may indicate crashes, health check failures, or configuration issues.",
    ),
    (
        "network-connectivity",
        "Network connectivity",
        "NetworkConnectivity",
        Status::Warning,
        2,
        (1, 18, 0),
        "Network connectivity issues detected. This may cause failed requests to upstream services.",
    ),
    (
        "redis-availability",
        "Redis availability",
        "RedisAvailability",
        Status::Warning,
        2,
        (1, 18, 0),
        "Some Redis instances are unavailable. This may cause degraded performance or failures for dependent applications.",
    ),
    (
        "postgres-availability",
        "Postgres availability",
        "PostgresAvailability",
        Status::Warning,
        2,
        (1, 18, 0),
        "Some PostgreSQL instances are unavailable. This may cause failures for dependent applications.",
    ),
    (
        "postgres-replication-lag",
        "Postgres replication lag",
        "PostgresReplicationLag",
        Status::Warning,
        2,
        (1, 18, 0),
        "PostgreSQL replica is falling behind the primary. Read queries on replicas may return stale data.",
    ),
    (
        "postgres-latency",
        "Postgres latency",
        "PostgresLatency",
        Status::Warning,
        5,
        (1, 18, 0),
        "PostgreSQL query latency is elevated. This may cause slow response times for dependent applications.",
    ),
    (
        "postgres-connections",
        "Postgres connections",
        "PostgresConnections",
        Status::Warning,
        5,
        (1, 18, 0),
        "PostgreSQL connection pool is nearing capacity. New connections may be rejected.",
    ),
    (
        "postgres-checkpoints",
        "Postgres checkpoints",
        "PostgresCheckpoint",
        Status::Warning,
        5,
        (1, 24, 0),
        "PostgreSQL is not completing checkpoints on schedule. The checkpointer may be stuck, risking a long crash recovery.",
    ),
    (
        "postgres-wal-archiving",
        "Postgres WAL archiving",
        "PostgresWalArchiving",
        Status::Warning,
        5,
        (1, 24, 0),
        "PostgreSQL is failing to archive WAL. WAL files cannot be recycled and will accumulate until the disk fills.",
    ),
    (
        "postgres-wraparound",
        "Postgres transaction ID wraparound",
        "PostgresWraparound",
        Status::Critical,
        5,
        (1, 24, 0),
        "PostgreSQL is approaching transaction ID wraparound. If the age reaches the limit the database will stop accepting writes. Vacuum freezing is likely blocked by a held xmin horizon (a replication slot, long-running or prepared transaction).",
    ),
    (
        "postgres-bloat",
        "Postgres bloat",
        "PostgresBloat",
        Status::Warning,
        10,
        (1, 24, 0),
        "A large share of a PostgreSQL database is estimated to be wasted space (bloat). Reclaim it with pg_repack (online) or VACUUM FULL/REINDEX.",
    ),
    (
        "postgres-autovacuum",
        "Postgres autovacuum",
        "PostgresAutovacuum",
        Status::Warning,
        10,
        (1, 24, 0),
        "Dead rows are accumulating in a PostgreSQL database faster than autovacuum can reclaim them, risking bloat and degraded performance. Check for snapshot-pinning transactions/slots and autovacuum tuning.",
    ),
    (
        "postgres-stale-statistics",
        "Postgres stale statistics",
        "PostgresStaleStatistics",
        Status::Warning,
        10,
        (1, 24, 0),
        "A large table has changed far past its autoanalyze threshold, so the query planner is working from stale row estimates and may pick bad plans (like a sequential scan instead of an index). Run ANALYZE and check why autoanalyze fell behind.",
    ),
    (
        "postgres-backups",
        "Postgres backups",
        "PostgresBackups",
        Status::Warning,
        10,
        (1, 24, 0),
        "PostgreSQL backups are stale or failing: either no successful backup completed within the expected window, the most recent backup failed, or continuous WAL archiving has stopped. Without healthy backups and archiving, point-in-time recovery is not possible. Check the backup target and the database logs.",
    ),
    (
        "redis-latency",
        "Redis latency",
        "RedisLatency",
        Status::Warning,
        5,
        (1, 18, 0),
        "Redis latency is elevated. This may cause slow response times for dependent applications.",
    ),
    (
        "mongodb-availability",
        "MongoDB availability",
        "MongodbAvailability",
        Status::Warning,
        2,
        (1, 18, 0),
        "Some MongoDB instances are unavailable. This may cause failures for dependent applications.",
    ),
    (
        "mongodb-replication-lag",
        "MongoDB replication lag",
        "MongodbReplicationLag",
        Status::Warning,
        2,
        (1, 18, 0),
        "MongoDB replica is falling behind the primary. Read queries on secondaries may return stale data.",
    ),
    (
        "mysql-availability",
        "MySQL availability",
        "MysqlAvailability",
        Status::Warning,
        2,
        (1, 18, 0),
        "Some MySQL instances are unavailable. This may cause failures for dependent applications.",
    ),
    (
        "mysql-replication-lag",
        "MySQL replication lag",
        "MysqlReplicationLag",
        Status::Warning,
        2,
        (1, 18, 0),
        "MySQL replica is falling behind the primary. Read queries on replicas may return stale data.",
    ),
    (
        "mysql-connections",
        "MySQL connections",
        "MysqlConnections",
        Status::Warning,
        5,
        (1, 18, 0),
        "MySQL connection pool is nearing capacity. New connections may be rejected.",
    ),
    (
        "memcached-availability",
        "Memcached availability",
        "MemcachedAvailability",
        Status::Warning,
        2,
        (1, 18, 0),
        "Some Memcached instances are unavailable. This may cause degraded performance for dependent applications.",
    ),
    (
        "storage-io-load",
        "Storage I/O load",
        "StorageIOLoad",
        Status::Warning,
        5,
        (1, 18, 0),
        "Storage I/O load is high. This may cause slow read/write operations and degraded application performance.",
    ),
    (
        "network-rtt",
        "Network RTT (in-cluster)",
        "NetworkRTT",
        Status::Warning,
        5,
        (1, 18, 0),
        "Network round-trip time between services within the cluster is elevated.",
    ),
    (
        "network-rtt-external",
        "Network RTT (external)",
        "NetworkRTTExternal",
        Status::Warning,
        5,
        (1, 18, 0),
        "Network round-trip time to external services is elevated.",
    ),
    (
        "network-rtt-other-clusters",
        "Network RTT (cross-cluster)",
        "NetworkRTTOtherClusters",
        Status::Warning,
        5,
        (1, 18, 0),
        "Network round-trip time to services in other clusters is elevated.",
    ),
    (
        "network-tcp-connections",
        "Network TCP connections",
        "NetworkTCPConnections",
        Status::Warning,
        5,
        (1, 18, 0),
        "High number of TCP connection failures. This may indicate network issues or unavailable upstream services.",
    ),
    (
        "jvm-availability",
        "JVM availability",
        "JvmAvailability",
        Status::Warning,
        2,
        (1, 18, 0),
        "JVM metrics are not being collected. This may indicate the application is down or instrumentation is misconfigured.",
    ),
    (
        "jvm-safepoint-time",
        "JVM safepoint time",
        "JvmSafepointTime",
        Status::Warning,
        5,
        (1, 18, 0),
        "JVM is spending significant time at safepoints. This may cause application pauses and increased latency.",
    ),
    (
        "dotnet-availability",
        ".NET availability",
        "DotNetAvailability",
        Status::Warning,
        2,
        (1, 18, 0),
        ".NET metrics are not being collected. This may indicate the application is down or instrumentation is misconfigured.",
    ),
    (
        "dns-latency",
        "DNS latency",
        "DnsLatency",
        Status::Warning,
        5,
        (1, 18, 0),
        "DNS resolution latency is elevated. This may cause slow connection establishment to other services.",
    ),
    (
        "dns-server-errors",
        "DNS server errors",
        "DnsServerErrors",
        Status::Warning,
        2,
        (1, 18, 0),
        "DNS server errors detected. This may cause failures when connecting to other services.",
    ),
    (
        "dns-nxdomain-errors",
        "DNS NXDOMAIN errors",
        "DnsNxdomainErrors",
        Status::Warning,
        2,
        (1, 18, 0),
        "Application is trying to resolve non-existent domain names. Check for typos in service names or missing services.",
    ),
    (
        "python-gil-waiting-time",
        "Python GIL waiting time",
        "PythonGILWaitingTime",
        Status::Warning,
        5,
        (1, 18, 0),
        "Python threads are spending significant time waiting for the GIL. This may cause increased latency and reduced throughput.",
    ),
    (
        "nodejs-event-loop-blocked-time",
        "Node.js event loop blocked time",
        "NodejsEventLoopBlockedTime",
        Status::Warning,
        5,
        (1, 18, 0),
        "The Node.js event loop is being blocked for extended periods. This may cause increased latency and unresponsive behavior.",
    ),
    (
        "mysql-replication-status",
        "MySQL replication status",
        "MysqlReplicationStatus",
        Status::Warning,
        2,
        (1, 18, 0),
        "MySQL replication thread is not running. The replica may not be receiving updates from the primary.",
    ),
];

/// The project's firing alerts, evaluated on first use.
pub(crate) fn rows(p: &Project) -> &[AlertRow] {
    p.alerts.get_or_init(|| evaluate(p))
}

fn evaluate(p: &Project) -> Vec<AlertRow> {
    let v = p.env.version;
    if !v.has_alerts() {
        return Vec::new();
    }
    let now = p.now_ms;
    let ctx = TimeCtx::new(now - HOUR, now);
    let f = audit::facts(p, &ctx);
    let mut out = Vec::new();
    for (idx, app) in p.apps.iter().enumerate() {
        let a = audit::audit(p, idx, &ctx, &f);
        for (rule_id, name, check, severity, for_min, since, description) in RULES {
            if !v.at_least(*since) {
                continue;
            }
            let Some((c, report)) = a
                .reports
                .iter()
                .find_map(|r| r.checks.iter().find(|c| c.vc.def.id == *check).map(|c| (c, r.name)))
            else {
                continue;
            };
            if c.status <= Status::Ok {
                continue;
            }
            let fingerprint = crate::sha256::hex(format!("{rule_id}{}", app.id).as_bytes())[..16].to_string();
            let opened_at = (app.trouble_since.unwrap_or(now - HOUR) + for_min * MIN).min(now);
            out.push(AlertRow {
                id: nano_id(&fingerprint),
                fingerprint,
                rule_id,
                rule_name: name,
                app: idx,
                severity: *severity,
                summary: c.message.clone(),
                description,
                report,
                opened_at: opened_at - opened_at.rem_euclid(1000),
                updated_at: now - now.rem_euclid(30_000),
            });
        }
    }
    out
}

/// A 12-character id in `utils.NanoId`'s alphabet, derived from the fingerprint.
fn nano_id(fingerprint: &str) -> String {
    const A: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    crate::sha256::digest(fingerprint.as_bytes())
        .iter()
        .take(12)
        .map(|b| A[*b as usize % A.len()] as char)
        .collect()
}

/// Firing alert counts by severity, the envelope's `context.alerts` (`{}` when none).
pub(crate) fn counts(p: &Project) -> Value {
    let mut m = serde_json::Map::new();
    for a in rows(p) {
        let e = m.entry(a.severity.as_str()).or_insert(json!(0));
        *e = json!(e.as_u64().unwrap_or(0) + 1);
    }
    Value::Object(m)
}

/// `AlertsListView` (v1.24.5:api/views/alert/alert.go:215-220) with the query of
/// `api.Alerts` (v1.24.5:api/api.go:1188-1262, db/alert.go:280-370).
pub(crate) fn list(p: &Project, req: &RecordedRequest) -> Value {
    let search = req.param("search").unwrap_or("").to_lowercase();
    let mut v: Vec<&AlertRow> = rows(p)
        .iter()
        .filter(|a| {
            search.is_empty()
                || a.summary.to_lowercase().contains(&search)
                || p.apps[a.app].id.to_lowercase().contains(&search)
                || a.rule_id.contains(&search)
        })
        .collect();
    let firing = v.len();
    let desc = req.param("sort_desc") != Some("false");
    match req.param("sort_by").unwrap_or("") {
        "application" => v.sort_by(|a, b| p.apps[a.app].id.cmp(&p.apps[b.app].id)),
        "summary" => v.sort_by(|a, b| a.summary.cmp(&b.summary)),
        "rule" => v.sort_by(|a, b| a.rule_id.cmp(b.rule_id)),
        "duration" => v.sort_by_key(|a| std::cmp::Reverse(a.opened_at)),
        _ => v.sort_by_key(|a| a.opened_at),
    }
    if desc {
        v.reverse();
    }
    let num = |k: &str, d: usize, min: usize| {
        req.param(k)
            .and_then(|s| s.parse::<usize>().ok())
            .filter(|n| *n >= min)
            .unwrap_or(d)
    };
    let (limit, offset) = (num("limit", 50, 1), num("offset", 0, 0));
    let alerts: Vec<Value> = v
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|a| alert_json(p, a))
        .collect();
    json!({"alerts": alerts, "total": firing, "firing": firing, "resolved": 0})
}

/// An `Alert` (v1.24.5:api/views/alert/alert.go:24-46; `cluster` from v1.24.1, a3d9040).
fn alert_json(p: &Project, a: &AlertRow) -> Value {
    let mut o = json!({
        "id": a.id, "fingerprint": a.fingerprint, "rule_id": a.rule_id, "rule_name": a.rule_name,
        "project_id": p.id, "application_id": p.apps[a.app].id, "severity": a.severity.as_str(),
        "summary": a.summary, "details": [{"name": "Description", "value": a.description}],
        "opened_at": a.opened_at, "resolved_at": null, "manually_resolved_at": null, "updated_at": a.updated_at,
        "suppressed": false, "report": a.report, "duration": p.now_ms - a.opened_at
    });
    if p.env.version.at_least((1, 24, 1)) {
        super::set(&mut o, "cluster", json!(p.app_cluster(&p.apps[a.app])));
    }
    o
}
