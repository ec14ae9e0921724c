//! The simulator's own data model: a materialised "world" of projects, applications,
//! nodes, incidents, logs and spans. Scenarios build it relative to "now"; renderers turn
//! it into Coroot's wire format. Kept compact so large synthetic worlds start fast.

use std::collections::HashMap;
use std::sync::Arc;

use crate::model::Status;

/// Everything the simulator serves.
pub(crate) struct World {
    pub projects: Vec<Project>,
}

impl World {
    pub(crate) fn project(&self, id: &str) -> Option<&Project> {
        self.projects.iter().find(|p| p.id == id)
    }

    /// Projects sorted by name, as `/api/user` lists them.
    pub(crate) fn projects_by_name(&self) -> Vec<&Project> {
        let mut v: Vec<&Project> = self.projects.iter().collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v
    }
}

/// One Coroot project (a cluster).
#[derive(Default)]
pub(crate) struct Project {
    pub id: String,
    pub name: String,
    pub apps: Vec<App>,
    pub app_index: HashMap<String, usize>,
    pub nodes: Vec<Node>,
    pub links: Vec<Link>,
    pub incidents: Vec<Incident>,
    pub deployments: Vec<Deployment>,
    /// Ascending by timestamp.
    pub logs: Vec<LogRow>,
    /// Ascending by timestamp.
    pub spans: Vec<Span>,
    pub risks: Vec<Risk>,
    pub alerts: Vec<(&'static str, u32)>,
    pub metric_days: u32,
    pub seed: u64,
    /// Metric shape overrides that tell a scenario's story.
    pub story: Vec<MetricStory>,
    pub now_ms: i64,
    /// Link indexes by client app, built by `finish`.
    pub ups: Vec<Vec<usize>>,
    /// Link indexes by upstream app, built by `finish`.
    pub downs: Vec<Vec<usize>>,
}

impl Project {
    pub(crate) fn new(id: &str, name: &str, now_ms: i64, seed: u64) -> Project {
        Project {
            id: id.into(),
            name: name.into(),
            now_ms,
            seed,
            metric_days: 14,
            ..Project::default()
        }
    }

    pub(crate) fn add_app(&mut self, app: App) -> usize {
        let idx = self.apps.len();
        self.app_index.insert(app.id.clone(), idx);
        self.apps.push(app);
        idx
    }

    pub(crate) fn app_by_name(&self, name: &str) -> Option<usize> {
        self.apps.iter().position(|a| a.name == name)
    }

    pub(crate) fn node(&self, name: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.name == name)
    }

    /// Finishes building: sorts time-ordered data and indexes links.
    pub(crate) fn finish(&mut self) {
        self.logs.sort_by_key(|l| l.ts_ns);
        self.spans.sort_by_key(|s| s.ts_ms);
        self.ups = vec![Vec::new(); self.apps.len()];
        self.downs = vec![Vec::new(); self.apps.len()];
        for (i, l) in self.links.iter().enumerate() {
            if let Some(v) = self.ups.get_mut(l.from) {
                v.push(i);
            }
            if let Some(v) = self.downs.get_mut(l.to) {
                v.push(i);
            }
        }
    }

    pub(crate) fn upstreams(&self, app: usize) -> impl Iterator<Item = &Link> {
        self.ups.get(app).into_iter().flatten().map(move |&i| &self.links[i])
    }

    pub(crate) fn downstreams(&self, app: usize) -> impl Iterator<Item = &Link> {
        self.downs.get(app).into_iter().flatten().map(move |&i| &self.links[i])
    }
}

/// An application (a Kubernetes workload).
#[derive(Clone, Default)]
pub(crate) struct App {
    pub id: String,
    pub ns: String,
    pub kind: String,
    pub name: String,
    pub category: String,
    /// Detected technology (`golang`, `postgres`, ...).
    pub tech: Option<String>,
    pub status: Status,
    /// Check results that differ from the default ok.
    pub checks: Vec<CheckResult>,
    /// Overview parameter overrides: (param, status, value).
    pub params: Vec<(&'static str, Status, String)>,
    pub instances: Vec<Instance>,
    pub volumes: Vec<Volume>,
    pub dns: Vec<DnsDomain>,
    /// CPU limit per container in cores (0 = none).
    pub cpu_limit: f64,
    pub mem_limit: f64,
    pub cpu_request_m: u32,
    pub mem_request: f64,
    pub cpu_usage: f64,
    pub mem_usage: f64,
    pub rec_cpu_m: Option<u32>,
    pub rec_mem: Option<f64>,
    /// Inbound requests per second (0 = no SLO data).
    pub rps: f64,
    pub latency_ms: f64,
    pub error_ratio: f64,
}

impl App {
    pub(crate) fn new(project_id: &str, ns: &str, kind: &str, name: &str, tech: Option<&str>) -> App {
        let category = match ns {
            "kube-system" => "control-plane",
            "monitoring" => "monitoring",
            _ => "application",
        };
        App {
            id: format!("{project_id}:{ns}:{kind}:{name}"),
            ns: ns.into(),
            kind: kind.into(),
            name: name.into(),
            category: category.into(),
            tech: tech.map(str::to_string),
            status: Status::Ok,
            cpu_limit: 1.0,
            mem_limit: 512.0 * MIB,
            cpu_request_m: 250,
            mem_request: 256e6,
            cpu_usage: 0.12,
            mem_usage: 180.0 * MIB,
            ..App::default()
        }
    }

    pub(crate) fn check(&self, id: &str) -> Option<&CheckResult> {
        self.checks.iter().find(|c| c.id == id)
    }

    pub(crate) fn with_check(mut self, id: &'static str, status: Status, message: &str) -> App {
        self.checks.push(CheckResult {
            id,
            status,
            message: message.into(),
        });
        self
    }

    pub(crate) fn param(&self, name: &str) -> Option<(Status, &str)> {
        self.params.iter().find(|p| p.0 == name).map(|p| (p.1, p.2.as_str()))
    }

    pub(crate) fn is_db(&self) -> bool {
        matches!(
            self.tech.as_deref(),
            Some("postgres" | "mysql" | "redis" | "mongodb" | "memcached" | "kafka" | "rabbitmq")
        )
    }
}

/// Mebibyte, for readable limits.
pub(crate) const MIB: f64 = 1024.0 * 1024.0;

/// A check whose state differs from the default.
#[derive(Clone, Debug)]
pub(crate) struct CheckResult {
    pub id: &'static str,
    pub status: Status,
    pub message: String,
}

/// One pod of an application.
#[derive(Clone, Default)]
pub(crate) struct Instance {
    pub name: String,
    pub node: String,
    pub ip: String,
    /// Status cell text such as `up (running)` or `down (waiting:CrashLoopBackOff)`.
    pub status_text: String,
    pub up: bool,
    pub restarts: u32,
    pub labels: Vec<(String, String)>,
}

/// A persistent volume mounted by an application.
#[derive(Clone, Default)]
pub(crate) struct Volume {
    pub name: String,
    pub mount: String,
    pub device: String,
    pub latency_ms: f64,
    pub io_load: f64,
    pub used: f64,
    pub total: f64,
}

/// DNS statistics of an application for one domain.
#[derive(Clone, Default)]
pub(crate) struct DnsDomain {
    pub domain: String,
    pub rps: f64,
    pub nx_a: u32,
    pub nx_aaaa: u32,
    pub servfail: u32,
}

/// A connection from a client app to an upstream app.
#[derive(Clone, Default)]
pub(crate) struct Link {
    pub from: usize,
    pub to: usize,
    pub status: Status,
    pub reason: String,
    pub rps: f64,
    pub latency_ms: f64,
    pub port: u16,
    pub failed_connects: bool,
}

impl Link {
    /// The `stats` lines of a map link.
    pub(crate) fn stats(&self) -> Vec<String> {
        if !self.reason.is_empty() {
            return vec![format!("⚠️ {}", self.reason)];
        }
        if self.rps > 0.0 {
            vec![format!(
                "📈 {} rps ⏱️ {}ms",
                crate::util::trim_float(self.rps),
                crate::util::trim_float(self.latency_ms)
            )]
        } else {
            Vec::new()
        }
    }
}

/// A node (VM) of the cluster.
#[derive(Clone, Default)]
pub(crate) struct Node {
    pub name: String,
    pub status: Status,
    pub status_msg: String,
    pub ip: String,
    pub provider: String,
    pub region: String,
    pub az: String,
    pub instance_type: String,
    pub vcpu: u32,
    pub mem_gb: u32,
    pub cpu_percent: Option<u32>,
    pub mem_percent: Option<u32>,
    pub uptime_ms: i64,
    pub kernel: String,
    pub agent_version: String,
    pub disks: Vec<Disk>,
    pub ifaces: Vec<String>,
    pub rx_bps: i64,
    pub tx_bps: i64,
    pub price: Option<f64>,
    pub life_cycle: String,
}

/// A block device of a node.
#[derive(Clone, Default)]
pub(crate) struct Disk {
    pub device: String,
    pub mounts: Vec<String>,
    pub used_by: Vec<String>,
    pub latency_ms: f64,
    pub io_load: f64,
    pub used: f64,
    pub total: f64,
}

/// An SLO burn rate of an incident.
#[derive(Clone, Default)]
pub(crate) struct BurnRate {
    pub long_pct: f64,
    pub short_pct: f64,
    pub long_rate: f64,
    pub short_rate: f64,
    pub severity: Status,
    pub threshold: f64,
}

/// A stored incident.
#[derive(Clone, Default)]
pub(crate) struct Incident {
    pub key: String,
    pub app_id: String,
    pub opened_at: i64,
    pub resolved_at: Option<i64>,
    pub severity: Status,
    pub availability_burn: Option<BurnRate>,
    pub latency_burn: Option<BurnRate>,
    pub availability_impact: f64,
    pub latency_impact: f64,
    pub rca: Option<Rca>,
    pub short_description: String,
    /// (objective, compliance, violated, threshold)
    pub availability_slo: Option<(String, String, bool, f64)>,
    pub latency_slo: Option<(String, String, bool, f64)>,
}

/// A root cause analysis.
#[derive(Clone, Default)]
pub(crate) struct Rca {
    pub status: String,
    pub short_summary: String,
    pub root_cause: String,
    pub immediate_fixes: String,
    pub detailed: String,
    pub propagation: Vec<PmApp>,
}

/// An application of an RCA propagation map.
#[derive(Clone, Default)]
pub(crate) struct PmApp {
    pub id: String,
    pub icon: String,
    pub status: Status,
    pub issues: Vec<String>,
    /// (id, status, stats)
    pub upstreams: Vec<(String, Status, Vec<String>)>,
    pub downstreams: Vec<(String, Status, Vec<String>)>,
}

/// A rollout of an application.
#[derive(Clone, Default)]
pub(crate) struct Deployment {
    pub app: usize,
    pub version: String,
    pub started_at: i64,
    pub status: Status,
    /// (emoji, message, report)
    pub summary: Vec<(String, String, Option<String>)>,
}

/// One stored log record (a ClickHouse `otel_logs` row).
#[derive(Clone)]
pub(crate) struct LogRow {
    pub ts_ns: i64,
    /// ServiceName: `/k8s/<ns>/<workload>` for container logs, else the OTel service.
    pub service: Arc<str>,
    pub app: Option<u32>,
    pub severity: u8,
    pub message: Arc<str>,
    pub trace_id: Arc<str>,
    /// Log attributes merged with resource attributes (no `Cluster`).
    pub attrs: Arc<Vec<(String, String)>>,
}

impl LogRow {
    pub(crate) fn ts_ms(&self) -> i64 {
        self.ts_ns.div_euclid(1_000_000)
    }

    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// Shared attribute list of a row.
pub(crate) type Attrs = Arc<Vec<(String, String)>>;

/// A span event: (timestamp, name, attributes).
pub(crate) type SpanEvent = (i64, String, Vec<(String, String)>);

/// One stored span (a ClickHouse `otel_traces` row).
#[derive(Clone)]
pub(crate) struct Span {
    pub trace_id: Arc<str>,
    pub id: String,
    pub parent_id: String,
    pub service: Arc<str>,
    pub name: Arc<str>,
    pub ts_ms: i64,
    pub duration_ms: f64,
    pub error: bool,
    pub status_message: String,
    pub attrs: Arc<Vec<(String, String)>>,
    /// (timestamp, name, attributes)
    pub events: Vec<SpanEvent>,
}

impl Span {
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// A risk of the risks overview.
#[derive(Clone, Default)]
pub(crate) struct Risk {
    pub app: usize,
    pub category: &'static str,
    pub rtype: &'static str,
    pub severity: Status,
    /// (ips, ports, load balancer services)
    pub exposure: Option<(Vec<String>, Vec<String>, Vec<String>)>,
    pub description: Option<String>,
}

/// Shapes that make a metric tell a scenario's story.
#[derive(Clone, Debug)]
pub(crate) enum Shape {
    /// The per-second rate (or gauge value) changes from `before` to `after` at `at`.
    Step { at: i64, before: f64, after: f64 },
    /// Discrete events (e.g. OOM kills) at these times; a counter increments by 1 at each.
    Events(Vec<i64>),
    /// A sawtooth between `lo` and `hi` with the given period, starting at `from`; `before` earlier.
    Sawtooth {
        from: i64,
        before: f64,
        lo: f64,
        hi: f64,
        period: i64,
    },
    /// Gauge value 0 from `at` on, else 1.
    DownFrom(i64),
}

/// A story override for one metric of one object.
#[derive(Clone, Debug)]
pub(crate) struct MetricStory {
    pub metric: &'static str,
    /// App name, node name or pod name the override applies to.
    pub object: String,
    /// Extra label match, e.g. `status=502` or `destination=10.42.3.15:5432` (empty = any).
    pub label: Option<(String, String)>,
    pub shape: Shape,
}
