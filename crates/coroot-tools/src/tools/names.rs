//! Every tool's name, in one leaf module: a tool's `NAME` and every hint, error and evidence
//! line that names another tool read them from here, so no name is ever spelt twice and tools
//! can point at each other without importing each other.

/// `coroot_get_incidents`.
pub const INCIDENTS: &str = "coroot_get_incidents";
/// `coroot_get_incident_detail`.
pub const INCIDENT_DETAIL: &str = "coroot_get_incident_detail";
/// `coroot_get_applications`.
pub const APPLICATIONS: &str = "coroot_get_applications";
/// `coroot_get_app_detail`.
pub const APP_DETAIL: &str = "coroot_get_app_detail";
/// `coroot_get_app_logs`.
pub const APP_LOGS: &str = "coroot_get_app_logs";
/// `coroot_get_traces`.
pub const TRACES: &str = "coroot_get_traces";
/// `coroot_get_service_map`.
pub const SERVICE_MAP: &str = "coroot_get_service_map";
/// `coroot_query_metrics`.
pub const QUERY_METRICS: &str = "coroot_query_metrics";
/// `coroot_get_deployments`.
pub const DEPLOYMENTS: &str = "coroot_get_deployments";
/// `coroot_get_nodes`.
pub const NODES: &str = "coroot_get_nodes";
/// `coroot_get_overview_logs`.
pub const OVERVIEW_LOGS: &str = "coroot_get_overview_logs";
/// `coroot_get_node_detail`.
pub const NODE_DETAIL: &str = "coroot_get_node_detail";
/// `coroot_get_costs`.
pub const COSTS: &str = "coroot_get_costs";
/// `coroot_get_risks`.
pub const RISKS: &str = "coroot_get_risks";
/// `coroot_investigate`.
pub const INVESTIGATE: &str = "coroot_investigate";
