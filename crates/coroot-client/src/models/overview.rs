//! The overview views: applications, service map, nodes, deployments and risks
//! (`GET /api/project/{p}/overview/{view}`).

use std::collections::BTreeMap;
use std::fmt;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::common::{Indicator, Status, Table};
use crate::de::{lenient_f64, null_default};
use crate::ids::AppId;

/// The overview object: every view's key is present, only the requested one is filled.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Overview {
    /// View `applications`.
    pub applications: Option<Vec<ApplicationStatus>>,
    /// View `map`.
    pub map: Option<Vec<MapApplication>>,
    /// View `nodes` (a list since v1.17, a table before).
    pub nodes: Option<NodesView>,
    /// View `deployments`.
    pub deployments: Option<Vec<Deployment>>,
    /// View `traces`.
    pub traces: Option<super::traces::Traces>,
    /// View `logs`.
    pub logs: Option<super::logs::Logs>,
    /// View `costs`.
    pub costs: Option<super::costs::Costs>,
    /// View `risks`.
    pub risks: Option<Vec<Risk>>,
}

/// A row of the applications view.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ApplicationStatus {
    /// Application id.
    pub id: AppId,
    /// Project name (v1.17+).
    #[serde(deserialize_with = "null_default")]
    pub cluster: String,
    /// Category, e.g. `application`, `monitoring`.
    #[serde(deserialize_with = "null_default")]
    pub category: String,
    /// Overall status.
    pub status: Status,
    /// Detected technology.
    #[serde(rename = "type")]
    pub app_type: Option<AppType>,
    /// Error rate cell.
    pub errors: AppParam,
    /// Latency cell.
    pub latency: AppParam,
    /// Upstreams cell, e.g. `2/3`.
    pub upstreams: AppParam,
    /// Instances cell, e.g. `2/3`.
    pub instances: AppParam,
    /// Restarts cell.
    pub restarts: AppParam,
    /// CPU cell.
    pub cpu: AppParam,
    /// Memory cell.
    pub memory: AppParam,
    /// Disk I/O load cell.
    pub disk_io_load: AppParam,
    /// Disk usage cell.
    pub disk_usage: AppParam,
    /// Network cell.
    pub network: AppParam,
    /// DNS cell.
    pub dns: AppParam,
    /// Logs cell.
    pub logs: AppParam,
}

impl ApplicationStatus {
    /// The cells in Coroot's column order, with their column names.
    pub fn params(&self) -> [(&'static str, &AppParam); 12] {
        [
            ("errors", &self.errors),
            ("latency", &self.latency),
            ("upstreams", &self.upstreams),
            ("instances", &self.instances),
            ("restarts", &self.restarts),
            ("cpu", &self.cpu),
            ("memory", &self.memory),
            ("disk_io_load", &self.disk_io_load),
            ("disk_usage", &self.disk_usage),
            ("network", &self.network),
            ("dns", &self.dns),
            ("logs", &self.logs),
        ]
    }
}

/// Detected application type.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AppType {
    /// e.g. `postgres`, `golang`.
    #[serde(deserialize_with = "null_default")]
    pub name: String,
}

/// One status cell of the applications view.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AppParam {
    /// Status.
    pub status: Status,
    /// Short value, e.g. `3%`, `OOM`, `2/3`.
    #[serde(deserialize_with = "null_default")]
    pub value: String,
}

/// An application of the service map.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MapApplication {
    /// Application id.
    pub id: AppId,
    /// Category.
    #[serde(deserialize_with = "null_default")]
    pub category: String,
    /// Status.
    pub status: Status,
    /// Labels such as `ns`, `db`.
    #[serde(deserialize_with = "null_default")]
    pub labels: BTreeMap<String, String>,
    /// One per audit report with a known status.
    #[serde(deserialize_with = "null_default")]
    pub indicators: Vec<Indicator>,
    /// Apps this one calls.
    #[serde(deserialize_with = "null_default")]
    pub upstreams: Vec<MapLink>,
    /// Apps calling this one (only `id` is filled).
    #[serde(deserialize_with = "null_default")]
    pub downstreams: Vec<MapLink>,
}

/// A link of the service map.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MapLink {
    /// The other application.
    pub id: AppId,
    /// Worst connection status.
    pub status: Status,
    /// e.g. `["📈 12 rps ⏱️ 5ms"]` or `["⚠️ connection reset by peer"]`.
    #[serde(deserialize_with = "null_default")]
    pub stats: Vec<String>,
    /// Requests per second.
    #[serde(deserialize_with = "lenient_f64")]
    pub weight: f64,
}

/// The nodes view: `Node[]` since v1.17, a table before.
#[derive(Debug, Clone)]
pub enum NodesView {
    /// v1.17+.
    List(Vec<Node>),
    /// v1.12–v1.16, converted to [`Node`]s by [`NodesView::into_nodes`].
    Table(Table),
}

/// Told apart by the first token (`[` or `{`) and decoded in place, with no intermediate tree.
impl<'de> Deserialize<'de> for NodesView {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct NodesVisitor;
        impl<'de> Visitor<'de> for NodesVisitor {
            type Value = NodesView;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of nodes or a nodes table")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<NodesView, A::Error> {
                Vec::<Node>::deserialize(SeqAccessDeserializer::new(seq)).map(NodesView::List)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<NodesView, A::Error> {
                Table::deserialize(MapAccessDeserializer::new(map)).map(NodesView::Table)
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<NodesView, E> {
                Ok(NodesView::List(Vec::new()))
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<NodesView, E> {
                Ok(NodesView::List(Vec::new()))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<NodesView, D::Error> {
                NodesView::deserialize(d)
            }
        }
        d.deserialize_any(NodesVisitor)
    }
}

impl NodesView {
    /// The nodes, whatever the server version. From the old table, name, status, AZ, IP and
    /// CPU/memory percentages are recovered.
    pub fn into_nodes(self) -> Vec<Node> {
        match self {
            NodesView::List(nodes) => nodes,
            NodesView::Table(table) => {
                let col = |name: &str| table.header.iter().position(|h| h == name);
                let (name_c, status_c, az_c, ip_c, cpu_c, mem_c) = (
                    col("Node"),
                    col("Status"),
                    col("Availability zone"),
                    col("IP"),
                    col("CPU"),
                    col("Memory"),
                );
                table
                    .rows
                    .iter()
                    .map(|row| {
                        let cell = |c: Option<usize>| c.and_then(|i| row.cells.get(i));
                        let text = |c: Option<usize>| cell(c).map(|c| c.value.clone()).unwrap_or_default();
                        let status_text = text(status_c);
                        let status = match status_text.as_str() {
                            "up" => Status::Ok,
                            s if s.starts_with("down") => Status::Warning,
                            _ => Status::Unknown,
                        };
                        Node {
                            name: text(name_c),
                            status: Indicator {
                                status,
                                message: status_text,
                            },
                            availability_zone: text(az_c),
                            ips: cell(ip_c)
                                .map(|c| {
                                    if c.values.is_empty() {
                                        vec![c.value.clone()]
                                    } else {
                                        c.values.clone()
                                    }
                                })
                                .unwrap_or_default(),
                            cpu_percent: cell(cpu_c).and_then(|c| c.progress).map(|p| p.percent),
                            memory_percent: cell(mem_c).and_then(|c| c.progress).map(|p| p.percent),
                            ..Node::default()
                        }
                    })
                    .filter(|n| !n.name.is_empty())
                    .collect()
            }
        }
    }
}

/// A node of the nodes view.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Node {
    /// Node name.
    #[serde(deserialize_with = "null_default")]
    pub name: String,
    /// Project id.
    #[serde(deserialize_with = "null_default")]
    pub cluster_id: String,
    /// The cluster's (member project's) name, v1.17+.
    #[serde(deserialize_with = "null_default")]
    pub cluster_name: String,
    /// Traffic of the node's up interfaces, bits/s; `null` when none (`api/views/overview/nodes.go`).
    pub network_bandwidth: Option<NetworkBandwidth>,
    /// `up` / `down (no metrics)` / `no agent installed`.
    pub status: Indicator,
    /// Uptime, ms.
    pub uptime_ms: i64,
    /// e.g. `linux`.
    #[serde(deserialize_with = "null_default")]
    pub os: String,
    /// Kernel version.
    #[serde(deserialize_with = "null_default")]
    pub kernel_version: String,
    /// Availability zone (or region).
    #[serde(deserialize_with = "null_default")]
    pub availability_zone: String,
    /// e.g. `aws`.
    #[serde(deserialize_with = "null_default")]
    pub cloud_provider: String,
    /// e.g. `m5.large`.
    #[serde(deserialize_with = "null_default")]
    pub instance_type: String,
    /// e.g. `4 vCPU / 16GB`.
    #[serde(deserialize_with = "null_default")]
    pub compute: String,
    /// IP addresses.
    #[serde(deserialize_with = "null_default")]
    pub ips: Vec<String>,
    /// CPU usage %, when known.
    pub cpu_percent: Option<f64>,
    /// Memory usage %, when known.
    pub memory_percent: Option<f64>,
    /// GPU count.
    pub gpus: u32,
}

/// A node's traffic, bits per second.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(default)]
pub struct NetworkBandwidth {
    /// Received.
    pub rx: f64,
    /// Transmitted.
    pub tx: f64,
}

/// A rollout of the deployments view.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Deployment {
    /// The application (only `id` and `category` are filled).
    pub application: DeploymentApp,
    /// ReplicaSet hash, optionally `": image, image"`.
    #[serde(deserialize_with = "null_default")]
    pub version: String,
    /// e.g. `2 hours ago`.
    #[serde(deserialize_with = "null_default")]
    pub deployed: String,
    /// Status of the rollout.
    pub status: Status,
    /// Link to the rollout's window (±30 min around it).
    pub link: Option<RouterLink>,
    /// e.g. `3 days`.
    #[serde(deserialize_with = "null_default")]
    pub age: String,
    /// Comparison with the previous version.
    #[serde(deserialize_with = "null_default")]
    pub summary: Vec<DeploymentSummary>,
}

impl Deployment {
    /// The rollout time (epoch ms): the middle of the ±30 min window Coroot links to.
    pub fn started_at_ms(&self) -> Option<i64> {
        let q = &self.link.as_ref()?.query;
        let num = |k: &str| {
            q.get(k)
                .and_then(|v| v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok())))
        };
        Some((num("from")? + num("to")?) / 2)
    }
}

/// The application of a deployment.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DeploymentApp {
    /// Application id.
    pub id: AppId,
    /// Category.
    #[serde(deserialize_with = "null_default")]
    pub category: String,
}

/// A UI route link.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RouterLink {
    /// Route query (e.g. `from`, `to`).
    #[serde(deserialize_with = "null_default")]
    pub query: BTreeMap<String, serde_json::Value>,
}

/// One line of a deployment summary.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DeploymentSummary {
    /// `🎉` ok, `💔` bad, or empty.
    #[serde(deserialize_with = "null_default")]
    pub status: String,
    /// e.g. "Memory: app containers have been restarted 3 times by the OOM killer".
    #[serde(deserialize_with = "null_default")]
    pub message: String,
}

/// A risk of the risks view.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Risk {
    /// Category and type.
    pub key: RiskKey,
    /// The application at risk.
    pub application_id: AppId,
    /// Category of the application.
    #[serde(deserialize_with = "null_default")]
    pub application_category: String,
    /// `critical`, `warning`, or `ok` when dismissed.
    pub severity: Status,
    /// Set when someone dismissed the risk.
    pub dismissal: Option<RiskDismissal>,
    /// Security risks: what is exposed.
    pub exposure: Option<RiskExposure>,
    /// Availability risks: the description.
    pub availability: Option<RiskAvailability>,
}

/// `{category, type}` of a risk.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RiskKey {
    /// `Security` or `Availability`.
    #[serde(deserialize_with = "null_default")]
    pub category: String,
    /// e.g. `single-instance-app`.
    #[serde(rename = "type", deserialize_with = "null_default")]
    pub risk_type: String,
}

/// Who dismissed a risk and why.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RiskDismissal {
    /// User.
    #[serde(deserialize_with = "null_default")]
    pub by: String,
    /// Reason.
    #[serde(deserialize_with = "null_default")]
    pub reason: String,
}

/// What a security risk exposes.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RiskExposure {
    /// Public IPs.
    #[serde(deserialize_with = "null_default")]
    pub ips: Vec<String>,
    /// Ports.
    #[serde(deserialize_with = "null_default")]
    pub ports: Vec<String>,
    /// NodePort services.
    #[serde(deserialize_with = "null_default")]
    pub node_port_services: Vec<String>,
    /// LoadBalancer services.
    #[serde(deserialize_with = "null_default")]
    pub load_balancer_services: Vec<String>,
}

/// An availability risk's description.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RiskAvailability {
    /// e.g. "Single instance - not resilient to node failure".
    #[serde(deserialize_with = "null_default")]
    pub description: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_are_a_list_or_an_old_table() {
        let nodes =
            |json: &str| serde_json::from_str::<Overview>(&format!(r#"{{"nodes": {json}, "risks": []}}"#)).unwrap();
        let list = nodes(r#"[{"name": "node-1", "status": {"status": "ok", "message": "up"}}]"#);
        let Some(NodesView::List(list)) = list.nodes else {
            panic!("a list")
        };
        assert_eq!((list[0].name.as_str(), list[0].status.status), ("node-1", Status::Ok));
        let table = nodes(
            r#"{"header": ["Node", "Status"], "rows": [{"cells": [{"value": "n1"}, {"value": "down (no metrics)"}]}]}"#,
        );
        assert!(table.risks.is_some(), "fields after the view are still read");
        let converted = table.nodes.unwrap().into_nodes();
        assert_eq!(
            (converted[0].name.as_str(), converted[0].status.status),
            ("n1", Status::Warning)
        );
        assert!(nodes("null").nodes.is_none());
        assert!(serde_json::from_str::<Overview>(r#"{"nodes": "x"}"#).is_err());
    }
}
