//! Coroot's shared enums and the audit check catalogue (ids, titles, units, default
//! thresholds and condition templates of `model/check.go`), used by every report renderer.

/// Coroot's `model.Status`, serialised as a lower-case string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub(crate) enum Status {
    #[default]
    Unknown,
    Ok,
    Info,
    Warning,
    Critical,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Unknown => "unknown",
            Status::Ok => "ok",
            Status::Info => "info",
            Status::Warning => "warning",
            Status::Critical => "critical",
        }
    }
}

/// One entry of the check catalogue.
pub(crate) struct CheckDef {
    pub id: &'static str,
    pub report: &'static str,
    pub title: &'static str,
    pub unit: &'static str,
    pub threshold: f64,
    pub template: &'static str,
}

macro_rules! c {
    ($id:literal, $rep:literal, $title:literal, $unit:literal, $th:expr, $tpl:literal) => {
        CheckDef {
            id: $id,
            report: $rep,
            title: $title,
            unit: $unit,
            threshold: $th,
            template: $tpl,
        }
    };
}

/// All 46 checks of v1.24.5, in report order.
pub(crate) const CHECKS: &[CheckDef] = &[
    c!(
        "SLOAvailability",
        "SLO",
        "Availability",
        "percent",
        99.0,
        "the successful request percentage < <threshold>"
    ),
    c!(
        "SLOLatency",
        "SLO",
        "Latency",
        "percent",
        99.0,
        "the percentage of requests served faster than 500ms < <threshold>"
    ),
    c!(
        "InstanceAvailability",
        "Instances",
        "Instance availability",
        "percent",
        75.0,
        "the number of available instances < <threshold> of the desired"
    ),
    c!(
        "InstanceRestarts",
        "Instances",
        "Restarts",
        "",
        1.0,
        "the number of container restarts > <threshold>"
    ),
    c!(
        "CPUNode",
        "CPU",
        "Node CPU utilization",
        "percent",
        80.0,
        "the CPU usage of a node > <threshold>"
    ),
    c!(
        "CPUContainer",
        "CPU",
        "Container CPU utilization",
        "percent",
        80.0,
        "the CPU usage of a container > <threshold> of its CPU limit"
    ),
    c!(
        "MemoryOOM",
        "Memory",
        "Out of Memory",
        "",
        0.0,
        "the number of container terminations due to Out of Memory > <threshold>"
    ),
    c!(
        "MemoryPressure",
        "Memory",
        "Memory pressure",
        "second",
        0.02,
        "memory stall time > <threshold> per second"
    ),
    c!(
        "MemoryLeakPercent",
        "Memory",
        "Memory leak",
        "",
        10.0,
        "memory usage is growing by > <threshold> % per hour"
    ),
    c!(
        "StorageIOLoad",
        "Storage",
        "Disk I/O load",
        "seconds/second",
        5.0,
        "the I/O load of a volume > <threshold>"
    ),
    c!(
        "StorageSpace",
        "Storage",
        "Disk space",
        "percent",
        80.0,
        "the space usage of a volume > <threshold>"
    ),
    c!(
        "NetworkRTT",
        "Net",
        "Network RTT within the cluster",
        "second",
        0.01,
        "the RTT to an upstream service > <threshold>"
    ),
    c!(
        "NetworkRTTExternal",
        "Net",
        "Network RTT to external services",
        "second",
        0.2,
        "the RTT to an external service > <threshold>"
    ),
    c!(
        "NetworkRTTOtherClusters",
        "Net",
        "Network RTT to services in other clusters",
        "second",
        0.1,
        "the RTT to a service in another cluster > <threshold>"
    ),
    c!(
        "NetworkTCPConnections",
        "Net",
        "TCP connections",
        "",
        0.0,
        "the number of upstream services to which the app failed to connect > <threshold>"
    ),
    c!(
        "NetworkConnectivity",
        "Net",
        "Network connectivity",
        "",
        0.0,
        "the number of unavailable upstream services > <threshold>"
    ),
    c!(
        "DnsLatency",
        "DNS",
        "DNS latency",
        "second",
        0.1,
        "the 95th percentile of DNS response times > <threshold>"
    ),
    c!(
        "DnsServerErrors",
        "DNS",
        "DNS server errors",
        "",
        0.0,
        "the number of server DNS errors (excluding NXDOMAIN) > <threshold>"
    ),
    c!(
        "DnsNxdomainErrors",
        "DNS",
        "DNS NXDOMAIN errors",
        "",
        0.0,
        "the number of the NXDOMAIN DNS errors (for previously valid requests) > <threshold>"
    ),
    c!(
        "PostgresAvailability",
        "Postgres",
        "Postgres availability",
        "",
        0.0,
        "the number of unavailable postgres instances > <threshold>"
    ),
    c!(
        "PostgresLatency",
        "Postgres",
        "Postgres latency",
        "second",
        0.1,
        "the average query execution time of a postgres instance > <threshold>"
    ),
    c!(
        "PostgresReplicationLag",
        "Postgres",
        "Postgres replication lag",
        "second",
        30.0,
        "replication lag > <threshold>"
    ),
    c!(
        "PostgresConnections",
        "Postgres",
        "Postgres connections",
        "percent",
        90.0,
        "the number of connections > <threshold> of `max_connections`"
    ),
    c!(
        "PostgresCheckpoint",
        "Postgres",
        "Postgres checkpoints",
        "",
        3.0,
        "the time since the last checkpoint > <threshold> × checkpoint_timeout"
    ),
    c!(
        "PostgresWalArchiving",
        "Postgres",
        "Postgres WAL archiving",
        "",
        0.0,
        "the number of failed WAL archiving attempts > <threshold>"
    ),
    c!(
        "PostgresWraparound",
        "Postgres",
        "Postgres transaction ID wraparound",
        "percent",
        50.0,
        "the transaction ID age > <threshold> of the wraparound limit"
    ),
    c!(
        "PostgresBloat",
        "Postgres",
        "Postgres bloat",
        "percent",
        50.0,
        "the estimated bloat of a database > <threshold> of its size"
    ),
    c!(
        "PostgresAutovacuum",
        "Postgres",
        "Postgres autovacuum",
        "",
        2.0,
        "the number of dead rows of a table > <threshold> × its autovacuum trigger"
    ),
    c!(
        "PostgresStaleStatistics",
        "Postgres",
        "Postgres stale statistics",
        "",
        2.0,
        "the number of modified rows of a table > <threshold> × its autoanalyze trigger"
    ),
    c!(
        "MysqlAvailability",
        "Mysql",
        "Mysql availability",
        "",
        0.0,
        "the number of unavailable mysql instances > <threshold>"
    ),
    c!(
        "MysqlReplicationStatus",
        "Mysql",
        "Mysql replication status",
        "second",
        0.0,
        "IO or SQL replication thread is not running "
    ),
    c!(
        "MysqlReplicationLag",
        "Mysql",
        "Mysql replication lag",
        "second",
        30.0,
        "replication lag > <threshold>"
    ),
    c!(
        "MysqlConnections",
        "Mysql",
        "Mysql connections",
        "percent",
        90.0,
        "the number of connections > <threshold> of `max_connections`"
    ),
    c!(
        "RedisAvailability",
        "Redis",
        "Redis availability",
        "",
        0.0,
        "the number of unavailable redis instances > <threshold>"
    ),
    c!(
        "RedisLatency",
        "Redis",
        "Redis latency",
        "second",
        0.005,
        "the average command execution time of a redis instance > <threshold>"
    ),
    c!(
        "MongodbAvailability",
        "Mongodb",
        "Mongodb availability",
        "",
        0.0,
        "the number of unavailable mongodb instances > <threshold>"
    ),
    c!(
        "MongodbReplicationLag",
        "Mongodb",
        "Mongodb replication lag",
        "second",
        30.0,
        "replication lag > <threshold>"
    ),
    c!(
        "MemcachedAvailability",
        "Memcached",
        "Memcached availability",
        "",
        0.0,
        "the number of unavailable memcached instances > <threshold>"
    ),
    c!(
        "JvmAvailability",
        "JVM",
        "JVM availability",
        "",
        0.0,
        "the number of unavailable JVM instances > <threshold>"
    ),
    c!(
        "JvmSafepointTime",
        "JVM",
        "JVM safepoints",
        "second",
        0.05,
        "the time application have been stopped for safepoint operations > <threshold>"
    ),
    c!(
        "DotNetAvailability",
        ".NET",
        ".NET runtime availability",
        "",
        0.0,
        "the number of unavailable .NET instances > <threshold>"
    ),
    c!(
        "PythonGILWaitingTime",
        "Python",
        "Python GIL (Global Interpreter Lock) waiting time",
        "second",
        0.05,
        "the time Python threads have been waiting for acquiring the GIL (Global Interpreter Lock) > <threshold>"
    ),
    c!(
        "NodejsEventLoopBlockedTime",
        "Node.js",
        "Node.js event loop blocked time",
        "second",
        0.7,
        "the time Node.js event loop executes blocking code > <threshold>"
    ),
    c!(
        "LogErrors",
        "Logs",
        "Errors",
        "",
        0.0,
        "the number of messages with the ERROR and CRITICAL severity levels > <threshold>"
    ),
    c!(
        "DeploymentStatus",
        "Deployments",
        "Deployment status",
        "second",
        180.0,
        "a rollout is in progress > <threshold>"
    ),
    c!(
        "PostgresBackups",
        "Postgres",
        "Postgres backups",
        "second",
        86400.0,
        "the time since the last successful backup > <threshold>"
    ),
];

/// The checks of one report, in catalogue order (`PostgresBackups` is left out: it is
/// only shown when backup information exists, which no scenario has).
pub(crate) fn checks_of(report: &str) -> impl Iterator<Item = &'static CheckDef> + '_ {
    CHECKS
        .iter()
        .filter(move |c| c.report == report && c.id != "PostgresBackups")
}

/// Icon for an application type (§7.3).
pub(crate) fn icon_for(tech: &str) -> String {
    if tech.starts_with("kube") {
        "kubernetes".into()
    } else if tech.starts_with("coroot") {
        "coroot".into()
    } else if tech == "pgbouncer" {
        "postgres".into()
    } else if tech == "mongos" {
        "mongodb".into()
    } else if tech == "keydb" || tech == "dragonfly" {
        "redis".into()
    } else if tech.starts_with("victoria-") {
        "victoriametrics".into()
    } else {
        tech.into()
    }
}

/// Log severity name as Coroot reports it: `floor(n/4)+1`, 0 for unknown.
pub(crate) fn severity_name(n: u8) -> String {
    let level = if n == 0 { 0 } else { n / 4 + 1 };
    match level {
        0 => "unknown".into(),
        1 => "trace".into(),
        2 => "debug".into(),
        3 => "info".into(),
        4 => "warning".into(),
        5 => "error".into(),
        6 => "fatal".into(),
        l => format!("severity-{l}"),
    }
}

/// UI colour of a severity name.
pub(crate) fn severity_color(name: &str) -> &'static str {
    match name {
        "trace" => "green-lighten4",
        "debug" => "green-lighten2",
        "info" => "blue-lighten2",
        "warning" => "orange-lighten1",
        "error" => "red-darken1",
        "fatal" => "black",
        _ => "grey-lighten1",
    }
}

/// Order of severity names for the app-logs chart (ascending severity).
pub(crate) fn severity_rank(name: &str) -> u8 {
    match name {
        "unknown" => 0,
        "trace" => 1,
        "debug" => 2,
        "info" => 3,
        "warning" => 4,
        "error" => 5,
        "fatal" => 6,
        _ => 7,
    }
}
