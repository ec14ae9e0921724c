//! Runs all 15 tools on one side (the simulator or the real Coroot) with the same arguments
//! and gathers their facts. Application ids carry each side's project id; the incident keys
//! each side's own (matched by application).

use coroot_tools::ToolContext;
use serde_json::{Value, json};

use crate::extract;
use crate::facts::{Facts, Put, app};

/// What both sides are asked about, read from the simulator's first answers.
#[derive(Clone, Debug, Default)]
pub struct Subjects {
    /// Applications, without project id.
    pub apps: Vec<String>,
    pub nodes: Vec<String>,
    /// Rollouts a fresh Coroot can know: those at or after this time (ISO).
    pub deployments_since: String,
}

/// PromQL both sides answer alike: Prometheus itself on the real side, the simulator's
/// series on the other.
const QUERIES: &[(&str, &str)] = &[
    ("rss", "sum(container_resources_memory_rss_bytes)"),
    (
        "node_cpu",
        "sum(rate(node_resources_cpu_usage_seconds_total{mode!=\"idle\"}[5m]))",
    ),
];

/// One side.
pub struct Side<'a> {
    pub ctx: &'a ToolContext,
    pub project: &'a str,
    /// The project id its application ids start with.
    pub project_id: &'a str,
}

impl Side<'_> {
    async fn call(&self, tool: &str, mut args: Value) -> Result<Value, String> {
        args["project_id"] = json!(self.project);
        let spec = coroot_tools::find(tool).ok_or_else(|| format!("no tool {tool}"))?;
        (spec.call)(self.ctx, args)
            .await
            .map(|o| o.structured)
            .map_err(|e| e.to_string())
    }

    /// The full id of an app named without project.
    fn app_id(&self, id: &str) -> String {
        if id.starts_with("external:") {
            id.to_string()
        } else {
            format!("{}:{id}", self.project_id)
        }
    }

    /// Calls a tool and turns its answer into facts (an error is a fact too).
    async fn facts(&self, f: &mut Facts, tool: &str, args: Value, what: &str, read: impl FnOnce(&Value, &mut Facts)) {
        match self.call(tool, args).await {
            Ok(v) => read(&v, f),
            Err(e) => {
                let mut p = Put {
                    facts: f,
                    prefix: format!("error/{tool}/{what}"),
                };
                p.text("message", e);
            }
        }
    }

    /// Every tool's facts.
    pub async fn collect(&self, s: &Subjects) -> Facts {
        let mut f = Facts::new();
        let hour = json!({"lookback_hours": 1});
        self.facts(
            &mut f,
            "coroot_get_applications",
            hour.clone(),
            "",
            extract::applications,
        )
        .await;
        self.facts(&mut f, "coroot_get_service_map", hour.clone(), "", extract::service_map)
            .await;
        self.facts(&mut f, "coroot_get_nodes", hour.clone(), "", extract::nodes)
            .await;
        let since = s.deployments_since.clone();
        self.facts(
            &mut f,
            "coroot_get_deployments",
            json!({"lookback_hours": 6}),
            "",
            |v, f| extract::deployments(v, f, &since),
        )
        .await;
        let mut open = Vec::new();
        self.facts(
            &mut f,
            "coroot_get_incidents",
            json!({"lookback_hours": 6}),
            "",
            |v, f| open = extract::incidents(v, f),
        )
        .await;
        for (id, key) in &open {
            self.facts(
                &mut f,
                "coroot_get_incident_detail",
                json!({"incident_key": key}),
                id,
                |v, f| extract::incident_detail(v, f, id),
            )
            .await;
        }
        for id in &s.apps {
            let full = self.app_id(id);
            self.facts(
                &mut f,
                "coroot_get_app_detail",
                json!({"app_id": full}),
                id,
                extract::app_detail,
            )
            .await;
            if !id.starts_with("external:") {
                self.facts(
                    &mut f,
                    "coroot_get_app_logs",
                    json!({"app_id": full}),
                    id,
                    extract::app_logs,
                )
                .await;
            }
        }
        for n in &s.nodes {
            self.facts(
                &mut f,
                "coroot_get_node_detail",
                json!({"node_name": n}),
                n,
                extract::node_detail,
            )
            .await;
        }
        self.facts(&mut f, "coroot_get_traces", hour.clone(), "", |v, f| {
            extract::no_clickhouse("traces", v, f)
        })
        .await;
        self.facts(&mut f, "coroot_get_overview_logs", hour.clone(), "", |v, f| {
            extract::no_clickhouse("overview_logs", v, f)
        })
        .await;
        self.facts(&mut f, "coroot_get_costs", hour.clone(), "", extract::costs)
            .await;
        self.facts(&mut f, "coroot_get_risks", hour.clone(), "", extract::risks)
            .await;
        for (name, q) in QUERIES {
            self.facts(
                &mut f,
                "coroot_query_metrics",
                json!({"query": q, "lookback_hours": 1}),
                name,
                |v, f| extract::query(v, f, name),
            )
            .await;
        }
        self.facts(&mut f, "coroot_investigate", json!({}), "", extract::investigate)
            .await;
        f
    }

    /// The applications and nodes to ask about, from this side's overview.
    pub async fn subjects(&self, deployments_since: String) -> Result<Subjects, String> {
        let apps = self
            .call("coroot_get_applications", json!({"lookback_hours": 1}))
            .await?;
        let map = self
            .call("coroot_get_service_map", json!({"lookback_hours": 1}))
            .await?;
        let nodes = self.call("coroot_get_nodes", json!({"lookback_hours": 1})).await?;
        let mut ids: Vec<String> = extract_ids(&apps, "applications");
        ids.extend(extract_ids(&map, "apps"));
        ids.sort();
        ids.dedup();
        Ok(Subjects {
            apps: ids,
            nodes: crate::facts::arr(&nodes, "nodes")
                .iter()
                .map(|n| crate::facts::s(n, "name").to_string())
                .collect(),
            deployments_since,
        })
    }
}

fn extract_ids(v: &Value, key: &str) -> Vec<String> {
    crate::facts::arr(v, key)
        .iter()
        .map(|a| app(crate::facts::s(a, "id")))
        .collect()
}
