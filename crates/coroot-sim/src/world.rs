//! The simulator's own data model: a materialised "world" of projects, applications,
//! nodes, incidents, logs and spans. Scenarios build it relative to "now"; renderers turn
//! it into Coroot's wire format. Kept compact so large synthetic worlds start fast.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use crate::config::ProjectHealth;
use crate::model::Status;
use crate::version::Version;

/// Everything the simulator serves.
pub(crate) struct World {
    pub projects: Vec<Project>,
    /// The Coroot version every project is served as.
    pub version: Version,
}

impl World {
    /// A world of these projects, served as the newest version until configured.
    pub(crate) fn new(projects: Vec<Project>) -> World {
        World {
            projects,
            version: Version::LATEST,
        }
    }

    /// Applies the server's settings to every project: the version (before v1.17.0
    /// application ids have no cluster: `ns:Kind:name`), the integrations (no Prometheus: an
    /// empty world, ClickHouse data kept), the Cloud RCA option and the multi-cluster project.
    pub(crate) fn configure(&mut self, config: &crate::config::SimConfig, cloud_rca: bool) {
        self.version = Version::parse(&config.version);
        if config.multicluster && self.version.has_cluster_ids() {
            let all = Project::merge("m9lt1c5r", "all", &self.projects_by_name());
            self.projects.push(all);
        }
        for p in &mut self.projects {
            p.env.version = self.version;
            p.env.clickhouse = config.clickhouse;
            p.env.health = config.health.clone();
            p.env.cloud_rca = cloud_rca;
            if !config.health.prometheus_configured() {
                p.forget_metrics();
            }
            if !self.version.has_cluster_ids() {
                p.drop_cluster_from_ids();
            }
        }
    }

    pub(crate) fn project_by_name(&self, name: &str) -> Option<&Project> {
        self.projects.iter().find(|p| p.name == name)
    }

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
    pub metric_days: u32,
    pub seed: u64,
    /// Metric shape overrides that tell a scenario's story.
    pub story: Vec<MetricStory>,
    pub now_ms: i64,
    /// Link indexes by client app, built by `finish`.
    pub ups: Vec<Vec<usize>>,
    /// Link indexes by upstream app, built by `finish`.
    pub downs: Vec<Vec<usize>>,
    /// Node indexes by name, built by `finish`.
    pub node_index: HashMap<String, usize>,
    /// How the Coroot server serving this project is set up.
    pub env: Env,
    /// The check-based alerts, evaluated once at "now" on first use (as Coroot's watcher
    /// stores them), see `render::alerts`.
    pub alerts: OnceLock<Vec<AlertRow>>,
}

/// The Coroot server around a project: its version and integrations.
#[derive(Clone)]
pub(crate) struct Env {
    pub version: Version,
    pub clickhouse: bool,
    pub health: ProjectHealth,
    /// Member project names when this is a multi-cluster project (v1.17.0+).
    pub members: Vec<String>,
    /// The scenario has an AI (Coroot Cloud) RCA for its incidents.
    pub cloud_rca: bool,
}

impl Default for Env {
    fn default() -> Env {
        Env {
            version: Version::LATEST,
            clickhouse: true,
            health: ProjectHealth::default(),
            members: Vec::new(),
            cloud_rca: false,
        }
    }
}

/// One firing check-based alert (`model.Alert`), derived from an app's failing check.
#[derive(Clone, Debug)]
pub(crate) struct AlertRow {
    pub id: String,
    pub fingerprint: String,
    pub rule_id: &'static str,
    pub rule_name: &'static str,
    pub app: usize,
    pub severity: Status,
    pub summary: String,
    pub description: &'static str,
    pub report: &'static str,
    pub opened_at: i64,
    pub updated_at: i64,
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
        self.node_index.get(name).map(|&i| &self.nodes[i])
    }

    /// Whether an app has SLIs: inbound requests, measured by the app or by its clients
    /// (constructor/sli.go: inbound, else client-side "builtin" metrics).
    pub(crate) fn has_sli(&self, idx: usize) -> bool {
        self.apps[idx].rps > 0.0 || self.downstreams(idx).next().is_some()
    }

    /// `World.ClusterName` of an app's cluster (v1.24.5:model/world.go:87-93): external
    /// services are in cluster `external` (no project has that id, so the id is the name).
    pub(crate) fn app_cluster<'a>(&'a self, a: &'a App) -> &'a str {
        if a.kind == "ExternalService" {
            "external"
        } else if !a.cluster.is_empty() {
            &a.cluster
        } else {
            &self.name
        }
    }

    /// A node's (cluster id, cluster name).
    pub(crate) fn node_cluster<'a>(&'a self, n: &'a Node) -> (&'a str, &'a str) {
        match &n.cluster {
            Some((id, name)) => (id, name),
            None => (&self.id, &self.name),
        }
    }

    /// The cluster name of a log row or span.
    pub(crate) fn row_cluster<'a>(&'a self, c: &'a Option<Arc<str>>) -> &'a str {
        c.as_deref().unwrap_or(&self.name)
    }

    /// Whether the metric cache holds no data, so Coroot has no world for the range
    /// (`LoadWorld` returns nil, v1.24.5:api/api.go:2335-2337).
    pub(crate) fn cache_empty(&self) -> bool {
        self.apps.is_empty() && self.nodes.is_empty()
    }

    /// A multi-cluster project over `members` (v1.17.0+): its world is the members' worlds
    /// together (`LoadWorld` over every member's cache, api.go:2351-2389), each app, node,
    /// log line and span keeping its member's cluster; `member_projects` are the members' names.
    pub(crate) fn merge(id: &str, name: &str, members: &[&Project]) -> Project {
        let now = members.first().map(|p| p.now_ms).unwrap_or(0);
        let mut all = Project::new(id, name, now, 5);
        all.env.members = members.iter().map(|p| p.name.clone()).collect();
        for m in members {
            let base = all.apps.len();
            let named = |c: &Option<Arc<str>>| Some(c.clone().unwrap_or_else(|| Arc::from(m.name.as_str())));
            all.apps.extend(m.apps.iter().cloned().map(|mut a| {
                a.cluster = m.name.clone();
                a
            }));
            all.nodes.extend(m.nodes.iter().cloned().map(|mut n| {
                n.cluster = Some((m.id.clone(), m.name.clone()));
                n
            }));
            all.links.extend(m.links.iter().cloned().map(|mut l| {
                l.from += base;
                l.to += base;
                l
            }));
            all.incidents.extend(m.incidents.iter().cloned());
            all.deployments.extend(m.deployments.iter().cloned().map(|mut d| {
                d.app += base;
                d
            }));
            all.risks.extend(m.risks.iter().cloned().map(|mut r| {
                r.app += base;
                r
            }));
            all.logs.extend(m.logs.iter().cloned().map(|mut l| {
                l.app = l.app.map(|a| a + base as u32);
                l.cluster = named(&l.cluster);
                l
            }));
            all.spans.extend(m.spans.iter().cloned().map(|mut sp| {
                sp.cluster = named(&sp.cluster);
                sp
            }));
            all.story.extend(m.story.iter().cloned());
            all.metric_days = all.metric_days.max(m.metric_days);
        }
        all.finish();
        all
    }

    /// Without Prometheus Coroot has no world: no applications, nodes, links, incidents
    /// (no watcher ran), rollouts or risks; the logs and spans in ClickHouse stay, no longer
    /// attributed to applications.
    fn forget_metrics(&mut self) {
        self.apps.clear();
        self.nodes.clear();
        self.links.clear();
        self.incidents.clear();
        self.deployments.clear();
        self.risks.clear();
        self.story.clear();
        for l in &mut self.logs {
            l.app = None;
        }
        self.finish();
    }

    /// Rewrites `cluster:ns:Kind:name` ids to the `ns:Kind:name` of v1.12.0–v1.16.x.
    fn drop_cluster_from_ids(&mut self) {
        let strip = |id: &mut String| {
            if let Some((_, rest)) = id.split_once(':')
                && rest.matches(':').count() == 2
            {
                *id = rest.to_string();
            }
        };
        for a in &mut self.apps {
            // `external:ExternalService:<name>` keeps its namespace, the name may hold `:`.
            if a.kind == "ExternalService" {
                a.id = format!("external:ExternalService:{}", a.name);
            } else {
                strip(&mut a.id);
            }
        }
        for i in &mut self.incidents {
            strip(&mut i.app_id);
            for pm in i.rca.iter_mut().flat_map(|r| r.propagation.iter_mut()) {
                strip(&mut pm.id);
                for l in pm.upstreams.iter_mut().chain(pm.downstreams.iter_mut()) {
                    strip(&mut l.0);
                }
            }
        }
        self.finish();
    }

    /// Finishes building: sorts time-ordered data and indexes links.
    pub(crate) fn finish(&mut self) {
        self.logs.sort_by_key(|l| l.ts_ns);
        self.spans.sort_by_key(|s| s.ts_ms);
        self.node_index = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.name.clone(), i))
            .collect();
        self.app_index = self.apps.iter().enumerate().map(|(i, a)| (a.id.clone(), i)).collect();
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
    /// The member project's name in a multi-cluster project (`""`: the app's own project).
    pub cluster: String,
    /// The checks the scenario says fire that the simulator does not derive from its own
    /// data (see `render::audit` for the derived ones).
    pub fired: Vec<Fired>,
    /// When this app's trouble began (the start of its failing checks' alerts).
    pub trouble_since: Option<i64>,
    pub instances: Vec<Instance>,
    /// The workload's desired replicas (`DesiredInstances`, auditor/instances.go:160-163) when
    /// it is not the number of listed instances: the pods of a node that went down stay listed
    /// (Terminating, phase Running) while their replacements run elsewhere.
    pub desired: Option<u32>,
    pub volumes: Vec<Volume>,
    pub dns: Vec<DnsDomain>,
    /// CPU limit per container in cores (0 = none).
    pub cpu_limit: f64,
    pub mem_limit: f64,
    pub cpu_request_m: u32,
    pub mem_request: f64,
    pub cpu_usage: f64,
    pub mem_usage: f64,
    /// Inbound requests per second (0 = no SLO data).
    pub rps: f64,
    pub latency_ms: f64,
    pub error_ratio: f64,
    /// An external service's public IP, the address its clients connect to: Coroot names its
    /// instances after it (constructor/connections.go).
    pub address: Option<String>,
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
            cpu_limit: 1.0,
            mem_limit: 512.0 * MIB,
            cpu_request_m: 250,
            mem_request: 256e6,
            cpu_usage: 0.12,
            mem_usage: 180.0 * MIB,
            ..App::default()
        }
    }

    pub(crate) fn fired(&self, id: &str) -> Option<&Fired> {
        self.fired.iter().find(|c| c.id == id)
    }

    /// Makes a check fire: `n` is its count (event-based checks), its number of items
    /// (item-based) or its value (value-based), as `model/check.go` defines each check's type.
    pub(crate) fn fire(mut self, id: &'static str, n: f64) -> App {
        self.fired.push(Fired { id, n });
        self
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

/// A check the scenario makes fire.
#[derive(Clone, Debug)]
pub(crate) struct Fired {
    pub id: &'static str,
    /// Count, number of items or value, by the check's type.
    pub n: f64,
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
    /// Every answer was NXDOMAIN (a search-path variant such as
    /// `api.stripe.com.default.svc.cluster.local`): Coroot counts no NXDOMAIN error for it and
    /// leaves its Domain cell unknown (`DnsTypeStats.Nxdomain`, v1.24.5:auditor/dns.go:17-22,147-149).
    pub nx_only: bool,
}

/// A connection from a client app to an upstream app (`model.AppToAppConnection`).
#[derive(Clone, Default)]
pub(crate) struct Link {
    pub from: usize,
    pub to: usize,
    /// L7 requests per second (0 = none seen).
    pub rps: f64,
    /// L7 request latency.
    pub latency_ms: f64,
    /// TCP round-trip time.
    pub rtt_ms: f64,
    pub port: u16,
    /// `FailedConnections.Last() > 0`.
    pub failed_connects: bool,
    /// The RTT series exists but its tail is empty: no packet comes back.
    pub no_connectivity: bool,
    /// Bytes per second sent to / received from the upstream.
    pub bytes_sent: f64,
    pub bytes_received: f64,
}

impl Link {
    /// A healthy link; traffic volumes follow the request rate.
    pub(crate) fn new(from: usize, to: usize, rps: f64, latency_ms: f64, port: u16) -> Link {
        Link {
            from,
            to,
            rps,
            latency_ms,
            rtt_ms: 0.4 + (to % 5) as f64 * 0.1,
            port,
            bytes_sent: rps * 310.0,
            bytes_received: rps * 2_480.0,
            ..Link::default()
        }
    }

    /// `AppToAppConnection.Status()` (v1.24.5:model/connection.go:123-135, unchanged since
    /// v1.12.0): only unknown, ok or critical, with these two reasons. Every simulated link
    /// is actual (it has connections at the last point), so it is never unknown.
    pub(crate) fn status(&self) -> (Status, &'static str) {
        if self.no_connectivity {
            (Status::Critical, "connectivity issues")
        } else if self.failed_connects {
            (Status::Critical, "failed connections")
        } else {
            (Status::Ok, "")
        }
    }

    /// `utils.FormatLinkStats` (v1.24.5:utils/format.go:93-120): the issue, or the request
    /// rate and latency line plus the traffic line.
    pub(crate) fn stats(&self) -> Vec<String> {
        use crate::gofmt::{format_bytes, format_float, format_latency};
        let (_, reason) = self.status();
        if !reason.is_empty() {
            return vec![format!("⚠️ {reason}")];
        }
        let mut out = Vec::new();
        if self.rps > 0.0 {
            out.push(format!(
                "📈 {} rps ⏱️ {}",
                format_float(self.rps),
                format_latency(self.latency_ms / 1000.0)
            ));
        }
        if self.bytes_sent > 0.0 && self.bytes_received > 0.0 {
            out.push(format!(
                "↑{}/s ↓{}/s",
                format_bytes(self.bytes_sent),
                format_bytes(self.bytes_received)
            ));
        }
        out
    }

    /// The map weight: the request rate (0 when there are no requests).
    pub(crate) fn weight(&self) -> f64 {
        crate::util::round(self.rps, 2)
    }
}

/// A node (VM) of the cluster.
#[derive(Clone, Default)]
pub(crate) struct Node {
    pub name: String,
    /// The member project's (id, name) in a multi-cluster project.
    pub cluster: Option<(String, String)>,
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

/// The burn rates of one SLO of an incident, one per alert rule of `model.AlertRules`
/// (v1.12.5+: 1h/5m ×14.4 and 6h/15m ×6, both CRITICAL; v1.24.5:model/alert.go:18-21).
/// The error budget is 1% (objective 99%), so a window's percentage equals its burn rate.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Burn {
    /// (long window, short window) burn rates of the 1h/5m rule.
    pub fast: (f64, f64),
    /// (long window, short window) burn rates of the 6h/15m rule.
    pub slow: (f64, f64),
}

/// A stored incident (`model.ApplicationIncident`).
#[derive(Clone, Default)]
pub(crate) struct Incident {
    pub key: String,
    pub app_id: String,
    pub opened_at: i64,
    pub resolved_at: Option<i64>,
    pub availability: Option<Burn>,
    pub latency: Option<Burn>,
    pub availability_impact: f64,
    pub latency_impact: f64,
    /// An AI (Coroot Cloud) RCA; served only when the scenario has the Cloud RCA option.
    pub rca: Option<Rca>,
}

/// A root cause analysis by Coroot Cloud.
#[derive(Clone, Default)]
pub(crate) struct Rca {
    pub short_summary: String,
    pub root_cause: String,
    pub immediate_fixes: String,
    /// Markdown; a line `WIDGET-<n>` shows `widgets[n]` (front/src/components/Markdown.vue:34).
    pub detailed: String,
    pub propagation: Vec<PmApp>,
    /// The charts the detailed analysis refers to: (title, metric, object).
    pub widgets: Vec<(String, &'static str, String)>,
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
    /// Resource and log attributes merged (no `Cluster`), but `pattern.hash`.
    pub attrs: Arc<Vec<(String, String)>>,
    /// The log attribute `pattern.hash` of container logs (`""` for OTel logs).
    pub pattern: Arc<str>,
    /// The member project's name in a multi-cluster project.
    pub cluster: Option<Arc<str>>,
}

impl LogRow {
    pub(crate) fn ts_ms(&self) -> i64 {
        self.ts_ns.div_euclid(1_000_000)
    }

    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        if name == "pattern.hash" && !self.pattern.is_empty() {
            return Some(&self.pattern);
        }
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Every attribute, `pattern.hash` included.
    pub(crate) fn all_attrs(&self) -> impl Iterator<Item = (&str, &str)> {
        let pattern = (!self.pattern.is_empty()).then_some(("pattern.hash", &*self.pattern));
        self.attrs.iter().map(|(k, v)| (k.as_str(), v.as_str())).chain(pattern)
    }
}

/// The ServiceName and attributes of a container log row as the node agent writes them
/// (coroot-node-agent `logs/otel.go` OtelLogEmitter; Coroot's collector stores them,
/// v1.24.5:collector/logs.go:129-166): resource `service.name` =
/// `ContainerIdToOtelServiceName(container.id)` (`/k8s/<ns>/<workload>`), `container.id`
/// (`/k8s/<ns>/<pod>/<container>`), the provider's `host.name` and `host.id`; log attribute
/// `pattern.hash` (a row's [`LogRow::pattern`]). There is no `k8s.pod.name`: the pod is
/// `container.id`'s third segment.
pub(crate) fn container_log_attrs(ns: &str, pod: &str, container: &str, node: &str) -> (String, Vec<(String, String)>) {
    let cid = format!("/k8s/{ns}/{pod}/{container}");
    let service = crate::gofmt::container_service_name(&cid);
    let attrs = vec![
        ("container.id".to_string(), cid),
        (
            "host.id".to_string(),
            format!(
                "{:016x}{:016x}",
                crate::prng::hash_str(node),
                crate::prng::hash_str(&format!("{node}/id"))
            ),
        ),
        ("host.name".to_string(), node.to_string()),
        ("service.name".to_string(), service.clone()),
    ];
    (service, attrs)
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
    /// The member project's name in a multi-cluster project.
    pub cluster: Option<Arc<str>>,
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
    /// Dismissed by a user: the risk is served with severity `ok` and its dismissal
    /// (v1.24.5:api/views/overview/risks.go:182-200, model/risk.go:31-35).
    pub dismissal: Option<Dismissal>,
}

/// A risk dismissal (`model.RiskDismissal`, v1.24.5:model/risk.go:31-35): who dismissed it,
/// when (unix seconds, api/api.go:2233-2236) and why.
#[derive(Clone, Default)]
pub(crate) struct Dismissal {
    pub by: String,
    pub timestamp: i64,
    pub reason: String,
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
