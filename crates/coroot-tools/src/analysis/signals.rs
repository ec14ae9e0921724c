//! What a signal points at: the kind of fault a failing check, a log line, a Kubernetes event or
//! a flagged table row names. One taxonomy for every tool, so `coroot_investigate` and the
//! per-object tools never disagree about what a signal means.

use coroot_client::Status;
use coroot_client::models::{AuditReport, Table, TableRow};
use schemars::JsonSchema;
use serde::Serialize;

use crate::analysis::charts::series_stats;
use crate::analysis::markup::title;
use crate::analysis::tables::{column, row_name};

/// Kinds of fault, most fundamental first (the order picks a suspect's headline).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A node is down or NotReady.
    NodeDown,
    /// Containers killed by the OOM killer.
    Oom,
    /// A volume's disk saturated (I/O load, latency).
    DiskIo,
    /// TCP connections to a dependency fail.
    TcpConnect,
    /// DNS queries fail (NXDOMAIN, SERVFAIL) or are slow.
    Dns,
    /// Containers throttled or short of CPU.
    CpuThrottling,
    /// The node's CPU is saturated.
    NodeCpu,
    /// Memory pressure or a leak.
    Memory,
    /// A volume is running out of space.
    DiskSpace,
    /// A dependency cannot be reached.
    Connectivity,
    /// Network round-trip time is high.
    NetworkLatency,
    /// Instances are down.
    InstancesDown,
    /// Containers restart.
    Restarts,
    /// A database is slow or failing.
    Database,
    /// The language runtime (JVM, .NET, Python, Node.js) is in trouble.
    Runtime,
    /// A rollout.
    Deploy,
    /// Another failing check.
    Other,
    /// Errors with no resource signal.
    Errors,
}

impl Kind {
    /// The kind's name in structured output and text.
    pub fn name(self) -> &'static str {
        match self {
            Kind::NodeDown => "node_down",
            Kind::Oom => "oom",
            Kind::DiskIo => "disk_io",
            Kind::TcpConnect => "tcp_connect",
            Kind::Dns => "dns",
            Kind::CpuThrottling => "cpu_throttling",
            Kind::NodeCpu => "node_cpu",
            Kind::Memory => "memory",
            Kind::DiskSpace => "disk_space",
            Kind::Connectivity => "connectivity",
            Kind::NetworkLatency => "network_latency",
            Kind::InstancesDown => "instances_down",
            Kind::Restarts => "restarts",
            Kind::Database => "database",
            Kind::Runtime => "runtime",
            Kind::Deploy => "deploy",
            Kind::Other => "other",
            Kind::Errors => "errors",
        }
    }

    /// Kinds that the same log or event line supports.
    pub fn family(self) -> &'static [Kind] {
        match self {
            Kind::Oom | Kind::Memory | Kind::Restarts | Kind::InstancesDown => {
                &[Kind::Oom, Kind::Memory, Kind::Restarts, Kind::InstancesDown]
            }
            Kind::DiskIo | Kind::Database => &[Kind::DiskIo, Kind::Database],
            Kind::TcpConnect | Kind::Connectivity => &[Kind::TcpConnect, Kind::Connectivity],
            Kind::Dns => &[Kind::Dns],
            Kind::CpuThrottling | Kind::NodeCpu => &[Kind::CpuThrottling, Kind::NodeCpu],
            _ => &[],
        }
    }

    /// The app-level signals a fault of this kind on a node causes in the apps running there:
    /// a down node takes their instances (and the connections to them), a saturated CPU shows
    /// as their node-CPU check and throttling, a lossy interface as connectivity issues and RTT
    /// on their links (`auditor/cpu.go`, `auditor/instances.go`, `auditor/network.go`).
    pub fn shows_in_apps_as(self) -> &'static [Kind] {
        match self {
            Kind::NodeDown => &[
                Kind::InstancesDown,
                Kind::Restarts,
                Kind::Connectivity,
                Kind::TcpConnect,
                Kind::Database,
            ],
            Kind::NodeCpu => &[Kind::NodeCpu, Kind::CpuThrottling],
            Kind::Memory => &[Kind::Memory],
            Kind::Connectivity | Kind::NetworkLatency => &[Kind::Connectivity, Kind::NetworkLatency],
            Kind::DiskIo => &[Kind::DiskIo, Kind::Database],
            Kind::DiskSpace => &[Kind::DiskSpace],
            _ => &[],
        }
    }

    /// True when a signal of kind `other` supports this kind.
    pub fn supported_by(self, other: Kind) -> bool {
        self == other || self.family().contains(&other)
    }
}

/// The cause a failing check points at, by its id (`auditor/*.go`); `None` for symptoms: the SLO
/// checks and log errors say something is wrong, not why.
pub fn check_kind(id: &str) -> Option<Kind> {
    Some(match id {
        "SLOAvailability" | "SLOLatency" | "LogErrors" => return None,
        "MemoryOOM" => Kind::Oom,
        "InstanceRestarts" => Kind::Restarts,
        "InstanceAvailability" => Kind::InstancesDown,
        "CPUContainer" => Kind::CpuThrottling,
        "CPUNode" => Kind::NodeCpu,
        "MemoryPressure" | "MemoryLeakPercent" => Kind::Memory,
        "StorageIOLoad" => Kind::DiskIo,
        "StorageSpace" => Kind::DiskSpace,
        "NetworkTCPConnections" => Kind::TcpConnect,
        "NetworkConnectivity" => Kind::Connectivity,
        "DeploymentStatus" => Kind::Deploy,
        id if id.starts_with("NetworkRTT") => Kind::NetworkLatency,
        id if id.starts_with("Dns") => Kind::Dns,
        id if ["Postgres", "Mysql", "Redis", "Mongodb", "Memcached"]
            .iter()
            .any(|p| id.starts_with(p)) =>
        {
            Kind::Database
        }
        id if ["Jvm", "DotNet", "Python", "Nodejs"].iter().any(|p| id.starts_with(p)) => Kind::Runtime,
        _ => Kind::Other,
    })
}

/// The cause a log line names, from the words runtimes and clients use.
pub fn log_kind(message: &str) -> Option<Kind> {
    let m = message.to_ascii_lowercase();
    let has = |s: &str| m.contains(s);
    if has("out of memory") || has("oomkill") || has("cannot allocate memory") {
        Some(Kind::Oom)
    } else if has("no such host") || has("nxdomain") || has("server misbehaving") {
        Some(Kind::Dns)
    } else if has("connection refused") || has("connect: ") || has("i/o timeout") || has("no route to host") {
        Some(Kind::TcpConnect)
    } else if (has("duration:") && has("statement")) || has("slow query") {
        Some(Kind::Database)
    } else if has("memory usage") {
        Some(Kind::Memory)
    } else {
        None
    }
}

/// The cause a Kubernetes event's reason names.
pub fn event_kind(reason: &str) -> Kind {
    match reason {
        "OOMKilling" | "OOMKilled" => Kind::Oom,
        "BackOff" | "CrashLoopBackOff" => Kind::Restarts,
        "Evicted" => Kind::Memory,
        _ => Kind::Other,
    }
}

/// A table row with cells Coroot flags WARNING or CRITICAL.
#[derive(Debug, Clone, PartialEq)]
pub struct Flag {
    /// The widget group the table sits in (`Disks`), or `table`.
    pub group: String,
    /// The row's name (its first cell), e.g. the device.
    pub row: String,
    /// The `Device` column, when the table has one.
    pub device: Option<String>,
    /// The `Used by` column: the workloads the row's resource serves.
    pub used_by: Vec<String>,
    /// The flagged cells: header and text.
    pub cells: Vec<(String, String)>,
    /// The worst flag.
    pub status: Status,
    /// What it points at.
    pub kind: Kind,
}

impl Flag {
    /// `Latency 120 ms, I/O Load 9.5`.
    pub fn cells_text(&self) -> String {
        self.cells
            .iter()
            .map(|(h, v)| format!("{h} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Coroot's default thresholds for what its tables and charts show as plain values
/// (`model/check.go`): StorageIOLoad 5 s/s of read+write time, StorageSpace 80 %, CPUNode 80 %.
const IO_LOAD: f64 = 5.0;
const SPACE_PERCENT: f64 = 80.0;
const CPU_PERCENT: f64 = 80.0;

/// What a report says is wrong, judged as Coroot's checks judge it. Coroot colours no cell of
/// the node page or of an app's Storage table (`auditor/node.go`, `auditor/storage.go`: no
/// `SetStatus`), so a saturated disk or CPU shows only as values: I/O load over 5 s/s and space
/// over 80 % in Disks/Storage tables, CPU usage over 80 % on the CPU usage chart. Cells Coroot
/// does colour (Postgres, Instances, DNS tables) are taken as they are.
pub fn flags(report: &AuditReport) -> Vec<Flag> {
    let mut out = value_flags(report);
    for f in table_flags(report) {
        if !out.iter().any(|o| o.row == f.row && o.kind == f.kind) {
            out.push(f);
        }
    }
    out
}

/// Disks/Storage rows over Coroot's I/O load or space thresholds, and a CPU usage chart over
/// its CPU threshold.
fn value_flags(report: &AuditReport) -> Vec<Flag> {
    let mut out = Vec::new();
    for w in &report.widgets {
        let group = w
            .group
            .clone()
            .filter(|g| !g.is_empty())
            .unwrap_or_else(|| report.name.clone());
        if let Some(table) = &w.table {
            let col = |name: &str| table.header.iter().position(|h| h.eq_ignore_ascii_case(name));
            let (io, space, latency) = (col("I/O Load"), col("Space"), col("Latency"));
            for row in &table.rows {
                // (header, text) of a column of this row.
                let cell = |i: Option<usize>| {
                    let i = i?;
                    Some((table.header.get(i)?.clone(), row.cells.get(i)?.text()))
                };
                let over = |i: Option<usize>, limit: f64| {
                    cell(i).filter(|(_, text)| leading_number(text).is_some_and(|v| v > limit))
                };
                let mut flag = |kind: Kind, cells: Vec<(String, String)>| {
                    out.push(Flag {
                        group: group.clone(),
                        row: row_name(row),
                        device: device_of(table, row),
                        used_by: used_by(table, row),
                        cells,
                        status: Status::Warning,
                        kind,
                    });
                };
                if let Some(load) = over(io, IO_LOAD) {
                    // The latency is what the load costs the disk's users: shown with it.
                    flag(Kind::DiskIo, cell(latency).into_iter().chain([load]).collect());
                }
                if let Some(full) = over(space, SPACE_PERCENT) {
                    flag(Kind::DiskSpace, vec![full]);
                }
            }
        }
        if let Some(chart) = w.chart.as_ref().filter(|c| title(&c.title).starts_with("CPU usage")) {
            let usage: f64 = series_stats(chart).iter().map(|s| s.last).sum();
            if usage > CPU_PERCENT {
                out.push(Flag {
                    group: group.clone(),
                    row: "CPU usage".into(),
                    device: None,
                    used_by: Vec::new(),
                    cells: vec![("CPU usage".into(), format!("{}%", usage.round()))],
                    status: Status::Warning,
                    kind: Kind::NodeCpu,
                });
            }
        }
    }
    out
}

/// The number a cell's text starts with: `13`, `93% (50 GB / 54 GB)`.
fn leading_number(text: &str) -> Option<f64> {
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    text.get(..end)?.parse().ok()
}

fn device_of(table: &Table, row: &TableRow) -> Option<String> {
    column(table, "Device")
        .and_then(|i| row.cells.get(i))
        .map(|c| c.text())
        .filter(|d| !d.is_empty())
}

fn used_by(table: &Table, row: &TableRow) -> Vec<String> {
    column(table, "Used by")
        .and_then(|i| row.cells.get(i))
        .map(|c| {
            if c.values.is_empty() {
                vec![c.value.clone()]
            } else {
                c.values.clone()
            }
        })
        .unwrap_or_default()
        .into_iter()
        .filter(|v| !v.is_empty())
        .collect()
}

/// The rows of a report's tables with cells Coroot coloured.
fn table_flags(report: &AuditReport) -> Vec<Flag> {
    let mut out = Vec::new();
    for w in &report.widgets {
        let Some(table) = &w.table else {
            continue;
        };
        let group = w.group.clone().unwrap_or_default();
        // App reports have no widget groups: the report name says what the table is about.
        let topic = if group.is_empty() {
            report.name.to_ascii_lowercase()
        } else {
            group.to_ascii_lowercase()
        };
        let label = if group.is_empty() { "table".to_string() } else { group };
        out.extend(flags_of(&label, &topic, table));
    }
    out
}

fn flags_of(group: &str, topic: &str, table: &Table) -> Vec<Flag> {
    let mut out = Vec::new();
    for row in &table.rows {
        let flagged: Vec<(String, String, Status)> = row
            .cells
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let st = c.status.filter(|s| s.is_failing())?;
                Some((table.header.get(i).cloned().unwrap_or_default(), c.text(), st))
            })
            .collect();
        let Some(worst) = flagged.iter().map(|f| f.2).max() else {
            continue;
        };
        let used_by = used_by(table, row);
        let device = device_of(table, row);
        let cols = flagged
            .iter()
            .map(|(h, _, _)| h.to_ascii_lowercase())
            .collect::<Vec<_>>()
            .join(" ");
        let kind = if cols.contains("space") {
            Kind::DiskSpace
        } else if cols.contains("i/o") || topic.contains("disk") || topic.contains("storage") {
            Kind::DiskIo
        } else if ["postgres", "mysql", "redis", "mongodb", "memcached"]
            .iter()
            .any(|db| topic.contains(db))
        {
            Kind::Database
        } else if topic.contains("dns") {
            Kind::Dns
        } else if topic.contains("cpu") || cols.contains("cpu") {
            Kind::NodeCpu
        } else if topic.contains("memory") || cols.contains("memory") {
            Kind::Memory
        } else {
            Kind::Other
        };
        out.push(Flag {
            group: group.to_string(),
            row: row_name(row),
            device,
            used_by,
            cells: flagged.into_iter().map(|(h, v, _)| (h, v)).collect(),
            status: worst,
            kind,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_name_causes_and_slos_are_symptoms() {
        assert_eq!(check_kind("MemoryOOM"), Some(Kind::Oom));
        assert_eq!(check_kind("DnsNxdomainErrors"), Some(Kind::Dns));
        assert_eq!(check_kind("PostgresLatency"), Some(Kind::Database));
        assert_eq!(check_kind("SLOAvailability"), None);
        assert_eq!(check_kind("SomethingNew"), Some(Kind::Other));
    }

    #[test]
    fn log_lines_and_events_name_their_cause() {
        assert_eq!(log_kind("runtime: out of memory"), Some(Kind::Oom));
        assert_eq!(log_kind("dial tcp: lookup redis: no such host"), Some(Kind::Dns));
        assert_eq!(
            log_kind("dial tcp 10.0.0.1:6379: connect: connection refused"),
            Some(Kind::TcpConnect)
        );
        assert_eq!(log_kind("request served"), None);
        assert_eq!(event_kind("OOMKilling"), Kind::Oom);
        assert!(Kind::Oom.supported_by(Kind::Restarts));
        assert!(!Kind::Dns.supported_by(Kind::Oom));
    }

    /// A node page as real Coroot v1.24.5 sends it (no coloured cell, `checks: null`): the
    /// saturated disk shows only as its I/O load of 13 s/s, over Coroot's threshold of 5.
    #[test]
    fn a_saturated_disk_is_read_from_its_values() {
        let report: AuditReport = serde_json::from_value(serde_json::json!({
            "name": "Node", "status": "ok", "checks": null,
            "widgets": [
                {"group_header": "Disks"},
                {"group": "Disks", "table": {"header": ["Device", "Mount points", "Used by", "Latency", "I/O Load", "Space"],
                  "rows": [
                    {"id": "", "cells": [{"value": "/dev/nvme1n1"}, {"value": "/var/lib/postgresql/data"},
                      {"value": "catalog-db-0"}, {"value": "17", "unit": "ms"}, {"value": "13"}, {"value": "36% (19 GB / 54 GB)"}]},
                    {"id": "", "cells": [{"value": "/dev/nvme0n1"}, {"value": "/"}, {"value": ""},
                      {"value": "1", "unit": "ms"}, {"value": "0.02"}, {"value": "91% (45 GB / 50 GB)"}]}
                  ]}},
                {"group": "CPU", "chart": {"title": "CPU usage, %", "ctx": {"from": 0, "to": 30000, "step": 15000},
                  "series": [{"name": "user", "data": [50, 70]}, {"name": "system", "data": [10, 15]}]}}
            ]
        }))
        .unwrap();
        let flags = flags(&report);
        let io = flags.iter().find(|f| f.kind == Kind::DiskIo).expect("the I/O load");
        assert_eq!((io.row.as_str(), io.group.as_str()), ("/dev/nvme1n1", "Disks"));
        assert_eq!(io.used_by, ["catalog-db-0"]);
        assert_eq!(io.cells_text(), "Latency 17 ms, I/O Load 13");
        let space = flags.iter().find(|f| f.kind == Kind::DiskSpace).expect("the full disk");
        assert_eq!(space.row, "/dev/nvme0n1");
        let cpu = flags.iter().find(|f| f.kind == Kind::NodeCpu).expect("the CPU");
        assert_eq!(cpu.cells_text(), "CPU usage 85%");
        assert_eq!(flags.len(), 3);
    }
}
