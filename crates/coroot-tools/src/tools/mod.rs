//! The 14 tools of the seed and `coroot_investigate`, one per file (the log tools and the
//! investigation in folders of their own), and [`TOOLS`], the registry every front end reads.

pub mod app_detail;
pub mod applications;
pub mod costs;
pub mod deployments;
pub mod incident_detail;
pub mod incidents;
pub mod investigate;
pub mod logs;
pub mod names;
pub mod node_detail;
pub mod nodes;
pub mod query_metrics;
pub mod risks;
pub mod service_map;
pub mod traces;

use crate::tool::{ToolSpec, spec};

/// Every tool, in the seed's order, then `coroot_investigate` (the RCA workflow in one call).
pub static TOOLS: [ToolSpec; 15] = [
    spec::<incidents::GetIncidents>(),
    spec::<incident_detail::GetIncidentDetail>(),
    spec::<applications::GetApplications>(),
    spec::<app_detail::GetAppDetail>(),
    spec::<logs::app::GetAppLogs>(),
    spec::<traces::GetTraces>(),
    spec::<service_map::GetServiceMap>(),
    spec::<query_metrics::QueryMetrics>(),
    spec::<deployments::GetDeployments>(),
    spec::<nodes::GetNodes>(),
    spec::<logs::overview::GetOverviewLogs>(),
    spec::<node_detail::GetNodeDetail>(),
    spec::<costs::GetCosts>(),
    spec::<risks::GetRisks>(),
    spec::<investigate::Investigate>(),
];

/// The tool named `name`.
pub fn find(name: &str) -> Option<&'static ToolSpec> {
    TOOLS.iter().find(|t| t.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_has_the_seeds_fourteen_tools_in_order_then_investigate() {
        let names: Vec<&str> = TOOLS.iter().map(|t| t.name).collect();
        assert_eq!(
            names,
            [
                "coroot_get_incidents",
                "coroot_get_incident_detail",
                "coroot_get_applications",
                "coroot_get_app_detail",
                "coroot_get_app_logs",
                "coroot_get_traces",
                "coroot_get_service_map",
                "coroot_query_metrics",
                "coroot_get_deployments",
                "coroot_get_nodes",
                "coroot_get_overview_logs",
                "coroot_get_node_detail",
                "coroot_get_costs",
                "coroot_get_risks",
                "coroot_investigate",
            ]
        );
    }

    #[test]
    fn every_schema_is_an_object_with_project_id() {
        for t in &TOOLS {
            let input = (t.input_schema)();
            assert_eq!(input["type"], "object", "{}", t.name);
            assert!(
                input["properties"]["project_id"].is_object(),
                "{} lacks project_id",
                t.name
            );
            assert_eq!(
                input["additionalProperties"], false,
                "{} accepts unknown parameters",
                t.name
            );
            assert_eq!((t.output_schema)()["type"], "object", "{}", t.name);
            assert!(
                !t.description.is_empty() && t.description.len() < 600,
                "{} description size",
                t.name
            );
        }
    }
}
