//! Coroot's shared enums and the audit check catalogue (ids, types, titles, units, default
//! thresholds, condition and message templates of `model/check.go`, by version), used by
//! every report renderer.

use crate::version::Version;

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

/// How a check decides to fire (`model.CheckType`, v1.24.5:model/check.go): `Calc` renders
/// the message template and sets WARNING when it fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The auditor sets the status itself (SLO, instance availability).
    Manual,
    /// Fires when the count exceeds the threshold.
    Events,
    /// Fires when it has items.
    Items,
    /// Fires when the value exceeds the threshold.
    Value,
}

/// One entry of the check catalogue (`model.CheckConfig`).
pub(crate) struct CheckDef {
    pub id: &'static str,
    pub report: &'static str,
    pub kind: Kind,
    pub title: &'static str,
    pub unit: &'static str,
    pub threshold: f64,
    /// `condition_format_template`.
    pub template: &'static str,
    /// The Go template of the message.
    pub message: &'static str,
    /// The first version that has the check.
    pub since: (u32, u32, u32),
}

macro_rules! c {
    ($id:literal, $rep:literal, $kind:ident, $title:literal, $unit:literal, $th:expr, $tpl:literal, $msg:literal, $since:expr) => {
        CheckDef {
            id: $id,
            report: $rep,
            kind: Kind::$kind,
            title: $title,
            unit: $unit,
            threshold: $th,
            template: $tpl,
            message: $msg,
            since: $since,
        }
    };
}

/// All 46 checks of v1.24.5 (v1.24.5:model/check.go:63-510), in the auditor's report order
/// (v1.24.5:auditor/auditor.go:51-69), with the version that added each (35 at v1.12.0:
/// NodejsEventLoopBlockedTime v1.14.5, MemoryPressure v1.14.6, NetworkRTTExternal and
/// NetworkRTTOtherClusters v1.18.0, seven Postgres checks v1.24.0).
pub(crate) const CHECKS: &[CheckDef] = &[
    c!(
        "SLOAvailability",
        "SLO",
        Manual,
        "Availability",
        "percent",
        99.0,
        "the successful request percentage < <threshold>",
        r#"the app is serving errors"#,
        (1, 12, 0)
    ),
    c!(
        "SLOLatency",
        "SLO",
        Manual,
        "Latency",
        "percent",
        99.0,
        "the percentage of requests served faster than <bucket> < <threshold>",
        r#"the app is performing slowly"#,
        (1, 12, 0)
    ),
    c!(
        "InstanceAvailability",
        "Instances",
        Manual,
        "Instance availability",
        "percent",
        75.0,
        "the number of available instances < <threshold> of the desired",
        r#"{{.ItemsWithToBe "instance"}} unavailable"#,
        (1, 12, 0)
    ),
    c!(
        "InstanceRestarts",
        "Instances",
        Items,
        "Restarts",
        "",
        1.0,
        "the number of container restarts > <threshold>",
        r#"application restarted {{.Count "time"}}"#,
        (1, 12, 0)
    ),
    c!(
        "CPUNode",
        "CPU",
        Items,
        "Node CPU utilization",
        "percent",
        80.0,
        "the CPU usage of a node > <threshold>",
        r#"high CPU utilization of {{.Items "node"}}"#,
        (1, 12, 0)
    ),
    c!(
        "CPUContainer",
        "CPU",
        Items,
        "Container CPU utilization",
        "percent",
        80.0,
        "the CPU usage of a container > <threshold> of its CPU limit",
        r#"high CPU utilization of {{.Items "container"}}"#,
        (1, 12, 0)
    ),
    c!(
        "MemoryOOM",
        "Memory",
        Events,
        "Out of Memory",
        "",
        0.0,
        "the number of container terminations due to Out of Memory > <threshold>",
        r#"application has been restarted {{.Count "time"}} by the OOM killer"#,
        (1, 12, 0)
    ),
    c!(
        "MemoryLeakPercent",
        "Memory",
        Value,
        "Memory leak",
        "",
        10.0,
        "memory usage is growing by > <threshold> % per hour",
        r#"memory usage is growing by {{.Value}}% per hour"#,
        (1, 12, 0)
    ),
    c!(
        "MemoryPressure",
        "Memory",
        Items,
        "Memory pressure",
        "second",
        0.02,
        "memory stall time > <threshold> per second",
        r#"high memory stall time on {{.Items "instances"}}"#,
        (1, 14, 6)
    ),
    c!(
        "StorageIOLoad",
        "Storage",
        Items,
        "Disk I/O load",
        "seconds/second",
        5.0,
        "the I/O load of a volume > <threshold>",
        r#"high I/O load of {{.Items "volume"}}"#,
        (1, 12, 0)
    ),
    c!(
        "StorageSpace",
        "Storage",
        Items,
        "Disk space",
        "percent",
        80.0,
        "the space usage of a volume > <threshold>",
        r#"{{.ItemsWithToBe "volume"}} over {{.ThresholdPercent}} full, max usage: {{.ValuePercent}}"#,
        (1, 12, 0)
    ),
    c!(
        "NetworkRTT",
        "Net",
        Items,
        "Network RTT within the cluster",
        "second",
        0.01,
        "RTT between services within the cluster exceeds <threshold>",
        r#"high in-cluster network latency: {{.Items "service"}} affected, max RTT: {{.ValueDuration}}"#,
        (1, 12, 0)
    ),
    c!(
        "NetworkRTTExternal",
        "Net",
        Items,
        "Network RTT to external services",
        "second",
        0.2,
        "RTT to an external service exceeds <threshold>",
        r#"high network latency to external services: {{.Items "service"}} affected, max RTT: {{.ValueDuration}}"#,
        (1, 18, 0)
    ),
    c!(
        "NetworkRTTOtherClusters",
        "Net",
        Items,
        "Network RTT to services in other clusters",
        "second",
        0.1,
        "RTT to a service in another cluster exceeds <threshold>",
        r#"high cross-cluster network latency: {{.Items "service"}} affected, max RTT: {{.ValueDuration}}"#,
        (1, 18, 0)
    ),
    c!(
        "NetworkConnectivity",
        "Net",
        Items,
        "Network connectivity",
        "",
        0.0,
        "the number of unavailable upstream services > <threshold>",
        r#"no connectivity with {{.Items "upstream service"}}"#,
        (1, 12, 0)
    ),
    c!(
        "NetworkTCPConnections",
        "Net",
        Items,
        "TCP connections",
        "",
        0.0,
        "the number of upstream services to which the app failed to connect > <threshold>",
        r#"failed to connect to {{.Items "upstream service"}}"#,
        (1, 12, 0)
    ),
    c!(
        "DnsLatency",
        "DNS",
        Value,
        "DNS latency",
        "second",
        0.1,
        "the 95th percentile of DNS response times > <threshold>",
        r#"high latency"#,
        (1, 12, 0)
    ),
    c!(
        "DnsServerErrors",
        "DNS",
        Events,
        "DNS server errors",
        "",
        0.0,
        "the number of server DNS errors (excluding NXDOMAIN) > <threshold>",
        r#"{{.Count "server DNS error"}} occurred"#,
        (1, 12, 0)
    ),
    c!(
        "DnsNxdomainErrors",
        "DNS",
        Events,
        "DNS NXDOMAIN errors",
        "",
        0.0,
        "the number of the NXDOMAIN DNS errors (for previously valid requests) > <threshold>",
        r#"the app received an empty DNS response {{.Count "time"}}"#,
        (1, 12, 0)
    ),
    c!(
        "PostgresAvailability",
        "Postgres",
        Items,
        "Postgres availability",
        "",
        0.0,
        "the number of unavailable postgres instances > <threshold>",
        r#"{{.ItemsWithToBe "postgres instance"}} unavailable"#,
        (1, 12, 0)
    ),
    c!(
        "PostgresLatency",
        "Postgres",
        Items,
        "Postgres latency",
        "second",
        0.1,
        "the average query execution time of a postgres instance > <threshold>",
        r#"{{.ItemsWithToBe "postgres instance"}} performing slowly"#,
        (1, 12, 0)
    ),
    c!(
        "PostgresReplicationLag",
        "Postgres",
        Items,
        "Postgres replication lag",
        "second",
        30.0,
        "replication lag > <threshold>",
        r#"{{.ItemsWithToBe "postgres replica"}} far behind the primary"#,
        (1, 12, 0)
    ),
    c!(
        "PostgresConnections",
        "Postgres",
        Items,
        "Postgres connections",
        "percent",
        90.0,
        "the number of connections > <threshold> of `max_connections`",
        r#"{{.ItemsWithHave "postgres instance"}} too many connections"#,
        (1, 12, 0)
    ),
    c!(
        "PostgresCheckpoint",
        "Postgres",
        Items,
        "Postgres checkpoints",
        "",
        3.0,
        "time since the last checkpoint > <threshold> * `checkpoint_timeout`",
        r#"too long since the last checkpoint on {{.Items "postgres instance"}}"#,
        (1, 24, 0)
    ),
    c!(
        "PostgresWalArchiving",
        "Postgres",
        Items,
        "Postgres WAL archiving",
        "",
        0.0,
        "the most recent WAL archive attempt has failed",
        r#"WAL archiving is failing on {{.Items "postgres instance"}}"#,
        (1, 24, 0)
    ),
    c!(
        "PostgresWraparound",
        "Postgres",
        Items,
        "Postgres transaction ID wraparound",
        "percent",
        50.0,
        "the transaction ID age > <threshold> of the wraparound limit",
        r#"transaction ID wraparound risk on {{.Items "postgres instance"}}"#,
        (1, 24, 0)
    ),
    c!(
        "PostgresBloat",
        "Postgres",
        Items,
        "Postgres bloat",
        "percent",
        50.0,
        "the estimated wasted space of a database > <threshold> of its size",
        r#"{{.ItemsWithToBe "database"}} bloated"#,
        (1, 24, 0)
    ),
    c!(
        "PostgresAutovacuum",
        "Postgres",
        Items,
        "Postgres autovacuum",
        "",
        2.0,
        "a table sits above <threshold>x its autovacuum trigger threshold with a material amount of dead rows",
        r#"autovacuum is falling behind on {{.Items "postgres instance"}}"#,
        (1, 24, 0)
    ),
    c!(
        "PostgresStaleStatistics",
        "Postgres",
        Items,
        "Postgres stale statistics",
        "",
        2.0,
        "a large table sits above <threshold>x its autoanalyze trigger threshold",
        r#"planner statistics are stale on {{.Items "postgres instance"}}"#,
        (1, 24, 0)
    ),
    c!(
        "PostgresBackups",
        "Postgres",
        Items,
        "Postgres backups",
        "second",
        86400.0,
        "no successful backup within <threshold>, the last backup failed, or WAL archiving is broken",
        r#"backups are failing or stale on {{.Items "postgres cluster"}}"#,
        (1, 24, 0)
    ),
    c!(
        "MysqlAvailability",
        "Mysql",
        Items,
        "Mysql availability",
        "",
        0.0,
        "the number of unavailable mysql instances > <threshold>",
        r#"{{.ItemsWithToBe "mysql instance"}} unavailable"#,
        (1, 12, 0)
    ),
    c!(
        "MysqlReplicationStatus",
        "Mysql",
        Items,
        "Mysql replication status",
        "second",
        0.0,
        "IO or SQL replication thread is not running ",
        r#"{{.ItemsWithHave "mysql replica"}} issues with IO or SQL replication threads"#,
        (1, 12, 0)
    ),
    c!(
        "MysqlReplicationLag",
        "Mysql",
        Items,
        "Mysql replication lag",
        "second",
        30.0,
        "replication lag > <threshold>",
        r#"{{.ItemsWithToBe "mysql replica"}} far behind the primary"#,
        (1, 12, 0)
    ),
    c!(
        "MysqlConnections",
        "Mysql",
        Items,
        "Mysql connections",
        "percent",
        90.0,
        "the number of connections > <threshold> of `max_connections`",
        r#"{{.ItemsWithHave "mysql instance"}} too many connections"#,
        (1, 12, 0)
    ),
    c!(
        "RedisAvailability",
        "Redis",
        Items,
        "Redis availability",
        "",
        0.0,
        "the number of unavailable redis instances > <threshold>",
        r#"{{.ItemsWithToBe "redis instance"}} unavailable"#,
        (1, 12, 0)
    ),
    c!(
        "RedisLatency",
        "Redis",
        Items,
        "Redis latency",
        "second",
        0.005,
        "the average command execution time of a redis instance > <threshold>",
        r#"{{.ItemsWithToBe "redis instance"}} performing slowly"#,
        (1, 12, 0)
    ),
    c!(
        "MongodbAvailability",
        "Mongodb",
        Items,
        "Mongodb availability",
        "",
        0.0,
        "the number of unavailable mongodb instances > <threshold>",
        r#"{{.ItemsWithToBe "mongodb instance"}} unavailable"#,
        (1, 12, 0)
    ),
    c!(
        "MongodbReplicationLag",
        "Mongodb",
        Items,
        "Mongodb replication lag",
        "second",
        30.0,
        "replication lag > <threshold>",
        r#"{{.ItemsWithToBe "mongodb replica"}} far behind the primary"#,
        (1, 12, 0)
    ),
    c!(
        "MemcachedAvailability",
        "Memcached",
        Items,
        "Memcached availability",
        "",
        0.0,
        "the number of unavailable memcached instances > <threshold>",
        r#"{{.ItemsWithToBe "memcached instance"}} unavailable"#,
        (1, 12, 0)
    ),
    c!(
        "JvmAvailability",
        "JVM",
        Items,
        "JVM availability",
        "",
        0.0,
        "the number of unavailable JVM instances > <threshold>",
        r#"{{.ItemsWithToBe "JVM instance"}} unavailable"#,
        (1, 12, 0)
    ),
    c!(
        "JvmSafepointTime",
        "JVM",
        Items,
        "JVM safepoints",
        "second",
        0.05,
        "the time application have been stopped for safepoint operations > <threshold>",
        r#"high safepoint time on {{.Items "JVM instance"}}"#,
        (1, 12, 0)
    ),
    c!(
        "DotNetAvailability",
        ".NET",
        Items,
        ".NET runtime availability",
        "",
        0.0,
        "the number of unavailable .NET instances > <threshold>",
        r#"{{.ItemsWithToBe ".NET instance"}} unavailable"#,
        (1, 12, 0)
    ),
    c!(
        "PythonGILWaitingTime",
        "Python",
        Items,
        "Python GIL (Global Interpreter Lock) waiting time",
        "second",
        0.05,
        "the time Python threads have been waiting for acquiring the GIL (Global Interpreter Lock) > <threshold>",
        r#"high GIL waiting times on {{.Items "Python instance"}}"#,
        (1, 12, 0)
    ),
    c!(
        "NodejsEventLoopBlockedTime",
        "Node.js",
        Items,
        "Node.js event loop blocked time",
        "second",
        0.7,
        "the time Node.js event loop executes blocking code > <threshold>",
        r#"high Node.js event loop blocked times on {{.Items "Node.js instance"}}"#,
        (1, 14, 5)
    ),
    c!(
        "LogErrors",
        "Logs",
        Events,
        "Errors",
        "",
        0.0,
        "the number of messages with the ERROR and CRITICAL severity levels > <threshold>",
        r#"{{.Count "error"}} occurred"#,
        (1, 12, 0)
    ),
    c!(
        "DeploymentStatus",
        "Deployments",
        Value,
        "Deployment status",
        "second",
        180.0,
        "a rollout is in progress > <threshold>",
        r#"the rollout has already been in progress for {{.Value}}"#,
        (1, 12, 0)
    ),
];

/// A check as a given version defines it: the v1.24.5 entry with the older title,
/// threshold, type and message where they differed (v1.18.0, 51f0a60: InstanceRestarts,
/// MemoryOOM, NetworkRTT, StorageSpace; v1.19.1, 32739b0: MemoryLeakPercent's literal `%%`).
pub(crate) struct VersionedCheck {
    pub def: &'static CheckDef,
    pub kind: Kind,
    pub title: &'static str,
    pub threshold: f64,
    pub template: &'static str,
    pub message: &'static str,
}

/// The checks of one report in a version, in catalogue order (`PostgresBackups` is left
/// out: it is only created when backup information exists, which no scenario has).
pub(crate) fn checks_of(report: &str, v: Version) -> impl Iterator<Item = VersionedCheck> + '_ {
    CHECKS
        .iter()
        .filter(move |c| c.report == report && c.id != "PostgresBackups" && v.at_least(c.since))
        .map(move |c| versioned(c, v))
}

/// `def` as version `v` defines it.
pub(crate) fn versioned(def: &'static CheckDef, v: Version) -> VersionedCheck {
    let mut c = VersionedCheck {
        def,
        kind: def.kind,
        title: def.title,
        threshold: def.threshold,
        template: def.template,
        message: def.message,
    };
    if !v.new_check_messages() {
        match def.id {
            "InstanceRestarts" => {
                c.kind = Kind::Events;
                c.threshold = 0.0;
                c.message = r#"app containers have been restarted {{.Count "time"}}"#;
            }
            "MemoryOOM" => c.message = r#"app containers have been restarted {{.Count "time"}} by the OOM killer"#,
            "NetworkRTT" => {
                c.title = "Network round-trip time (RTT)";
                c.message = r#"high network latency to {{.Items "upstream service"}}"#;
                c.template = "the RTT to an upstream service > <threshold>";
            }
            "StorageSpace" => c.message = r#"disk space on {{.Items "volume"}} will be exhausted soon"#,
            _ => {}
        }
    }
    if def.id == "MemoryLeakPercent" && !v.at_least((1, 19, 1)) {
        c.message = "memory usage is growing by {{.Value}} %% per hour";
    }
    c
}

/// What a check's message template is rendered with (`model.CheckContext`).
pub(crate) struct CheckContext {
    pub items: u64,
    pub count: u64,
    pub value: f64,
    pub unit: &'static str,
    pub threshold: f64,
}

/// Renders a check message template (the subset of Go's text/template Coroot's checks use:
/// `{{.Items "x"}}`, `{{.ItemsWithToBe "x"}}`, `{{.ItemsWithHave "x"}}`, `{{.Count "x"}}`,
/// `{{.Value}}`, `{{.ValuePercent}}`, `{{.ValueDuration}}`, `{{.ThresholdPercent}}`;
/// v1.24.5:model/check.go:528-573).
pub(crate) fn render_message(template: &str, c: &CheckContext) -> String {
    use crate::gofmt::{format_float, format_latency, format_percentage, plural};
    let mut out = String::new();
    let mut rest = template;
    while let Some(i) = rest.find("{{.") {
        out.push_str(&rest[..i]);
        let Some(j) = rest[i..].find("}}") else {
            break;
        };
        let inner = &rest[i + 3..i + j];
        let (name, arg) = match inner.split_once(' ') {
            Some((n, a)) => (n, a.trim().trim_matches('"')),
            None => (inner, ""),
        };
        let verb = |items: u64, one: &str, many: &str| if items > 1 { many.to_string() } else { one.to_string() };
        out.push_str(&match name {
            "Items" => plural(c.items, arg),
            "ItemsWithToBe" => format!("{} {}", plural(c.items, arg), verb(c.items, "is", "are")),
            "ItemsWithHave" => format!("{} {}", plural(c.items, arg), verb(c.items, "has", "have")),
            "Count" => plural(c.count, arg),
            "ValuePercent" => format!("{:.0}%", c.value),
            "ValueDuration" => format_latency(c.value),
            "ThresholdPercent" => format!("{:.0}%", c.threshold),
            "Value" => match c.unit {
                "second" => crate::gofmt::duration_first_unit((c.value * 1000.0) as i64),
                "seconds/second" => format!(
                    "{}/second",
                    crate::gofmt::duration_first_unit((c.value * 1000.0) as i64)
                ),
                "percent" => format_percentage(c.value),
                _ => format_float(c.value),
            },
            _ => String::new(),
        });
        rest = &rest[i + j + 2..];
    }
    out.push_str(rest);
    out
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
