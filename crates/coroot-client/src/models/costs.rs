//! The costs view: per-node and per-application monthly costs with right-sizing advice.

use serde::Deserialize;

use crate::de::{lenient_f64, null_default};
use crate::ids::AppId;

/// `overview/costs`. Money is USD per month.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Costs {
    /// Nodes with known pricing.
    #[serde(deserialize_with = "null_default")]
    pub nodes: Vec<NodeCosts>,
    /// Applications.
    #[serde(deserialize_with = "null_default")]
    pub applications: Vec<ApplicationCosts>,
    /// Custom pricing configured.
    pub custom_pricing: bool,
}

/// Costs of one node.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NodeCosts {
    /// Node name.
    #[serde(deserialize_with = "null_default")]
    pub name: String,
    /// Cluster name (v1.17+; empty before).
    #[serde(deserialize_with = "null_default")]
    pub cluster: String,
    /// `on-demand`, `spot`, ...
    #[serde(deserialize_with = "null_default")]
    pub instance_life_cycle: String,
    /// e.g. `m5.large / 2 vCPU / 8GB`.
    #[serde(deserialize_with = "null_default")]
    pub description: String,
    /// CPU usage, % of the node.
    #[serde(deserialize_with = "lenient_f64")]
    pub cpu_usage: f64,
    /// Memory usage, % of the node.
    #[serde(deserialize_with = "lenient_f64")]
    pub memory_usage: f64,
    /// Price, USD per month.
    #[serde(deserialize_with = "lenient_f64")]
    pub price: f64,
    /// Idle costs, USD per month.
    #[serde(deserialize_with = "lenient_f64")]
    pub idle_costs: f64,
    /// The top 5 applications by CPU usage, then `~other` (`api/views/overview/costs.go`
    /// topBy).
    #[serde(deserialize_with = "null_default")]
    pub cpu_usage_applications: Vec<NodeApplication>,
    /// The top 5 by memory usage, then `~other` and the page cache as `~cached`.
    #[serde(deserialize_with = "null_default")]
    pub memory_usage_applications: Vec<NodeApplication>,
}

/// An application's share of a node.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NodeApplication {
    /// Application name (no namespace), or `~other` / `~cached`.
    #[serde(deserialize_with = "null_default")]
    pub name: String,
    /// % of the node's CPU cores or memory.
    #[serde(deserialize_with = "lenient_f64")]
    pub value: f64,
}

/// Costs of one application.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ApplicationCosts {
    /// Application id.
    pub id: AppId,
    /// Category.
    #[serde(deserialize_with = "null_default")]
    pub category: String,
    /// Cost of the resources used.
    #[serde(deserialize_with = "lenient_f64")]
    pub usage_costs: f64,
    /// Cost of the resources requested.
    #[serde(deserialize_with = "lenient_f64")]
    pub allocation_costs: f64,
    /// Requested but unused.
    #[serde(deserialize_with = "lenient_f64")]
    pub over_provisioning_costs: f64,
    /// Cross-AZ traffic.
    #[serde(deserialize_with = "lenient_f64")]
    pub cross_az_traffic_costs: f64,
    /// Internet egress.
    #[serde(deserialize_with = "lenient_f64")]
    pub internet_egress_costs: f64,
    /// Containers with their requests and recommendations.
    #[serde(deserialize_with = "null_default")]
    pub components: Vec<CostComponent>,
    /// Instances with their average usage (v1.12+; charts left out).
    #[serde(deserialize_with = "null_default")]
    pub instances: Vec<CostInstance>,
}

/// Average usage of one instance over the window.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CostInstance {
    /// Instance (pod) name.
    #[serde(deserialize_with = "null_default")]
    pub name: String,
    /// e.g. `120m`.
    #[serde(deserialize_with = "null_default")]
    pub cpu_usage_avg: String,
    /// e.g. `230MB`.
    #[serde(deserialize_with = "null_default")]
    pub memory_usage_avg: String,
}

/// Requests and right-sizing recommendation of one component.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CostComponent {
    /// Component name.
    #[serde(deserialize_with = "null_default")]
    pub name: String,
    /// Kind.
    #[serde(deserialize_with = "null_default")]
    pub kind: String,
    /// e.g. `250m`.
    #[serde(deserialize_with = "null_default")]
    pub cpu_request: String,
    /// Recommended CPU request.
    #[serde(deserialize_with = "null_default")]
    pub cpu_request_recommended: String,
    /// e.g. `512MB`.
    #[serde(deserialize_with = "null_default")]
    pub memory_request: String,
    /// Recommended memory request.
    #[serde(deserialize_with = "null_default")]
    pub memory_request_recommended: String,
    /// Current allocation cost.
    #[serde(deserialize_with = "lenient_f64")]
    pub allocation_costs: f64,
    /// Allocation cost with the recommendation applied.
    #[serde(deserialize_with = "lenient_f64")]
    pub allocation_costs_recommended: f64,
}
