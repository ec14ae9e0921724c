//! `coroot_get_costs`: what does the cluster cost, where is money idle or over-allocated, and
//! which requests should be right-sized?
//!
//! Coroot prices only nodes whose pricing it knows (cloud metadata or custom pricing); without
//! any, the view is empty, which is said as such rather than as "no costs". Money is USD per
//! month. The saving of a recommendation is Coroot's own allocation cost minus the cost with
//! the recommended requests. Costs need the project's Costs view permission (403 otherwise).

use coroot_client::AppId;
use schemars::JsonSchema;
use serde::Serialize;

use crate::context::{ToolContext, Window};
use crate::error::ToolError;
use crate::params::tool_params;
use crate::render::units::{money, percent};
use crate::render::{Answer, Frame};
use crate::tool::Tool;
use crate::tools::names;

/// The tool.
pub struct GetCosts;

/// Default lookback, hours: a day smooths daily cycles in usage.
const DEFAULT_HOURS: f64 = 24.0;
/// Savings below a cent are noise from rounding.
const MIN_SAVING: f64 = 0.01;

tool_params! {
    /// Parameters.
    pub struct Params {
    }
    lookback_hours = "Hours to look back (default 24, max 720)."
}

/// Output. Money is USD per month.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    /// Project name.
    pub project: String,
    /// Window searched.
    pub window: Window,
    /// This answer's page in Coroot's UI.
    pub url: String,
    /// What Coroot says is wrong with the project's data sources (Prometheus, node agent,
    /// kube-state-metrics): when present, the answer may be empty or incomplete.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub coroot_status: Vec<String>,
    /// Sums over every priced node and application.
    pub totals: Totals,
    /// Coroot uses custom pricing rather than cloud prices.
    pub custom_pricing: bool,
    /// Priced nodes, most expensive first.
    pub nodes: Vec<NodeCostOut>,
    /// Applications, most over-provisioned first.
    pub applications: Vec<AppCostOut>,
}

/// Sums, USD per month.
#[derive(Debug, Default, Serialize, JsonSchema)]
pub struct Totals {
    /// Sum of node prices.
    pub nodes: f64,
    /// Node capacity no application uses.
    pub idle: f64,
    /// Requested by applications but unused.
    pub over_provisioning: f64,
    /// Cost of the resources applications use.
    pub usage: f64,
    /// Cost of the resources applications request.
    pub allocation: f64,
    /// Cross-AZ traffic.
    pub cross_az_traffic: f64,
    /// Internet egress.
    pub internet_egress: f64,
    /// What the recommendations would save.
    pub recommended_savings: f64,
}

/// One priced node.
#[derive(Debug, Serialize, JsonSchema)]
pub struct NodeCostOut {
    /// Node name.
    pub name: String,
    /// e.g. `m5.large / 2 vCPU / 8GB`.
    pub description: String,
    /// `on-demand`, `spot`, ...
    pub instance_life_cycle: String,
    /// Price, USD per month.
    pub price: f64,
    /// Idle part of the price, USD per month.
    pub idle_costs: f64,
    /// CPU used by applications, % of the node.
    pub cpu_usage_percent: f64,
    /// Memory used by applications, % of the node.
    pub memory_usage_percent: f64,
    /// Cluster (multi-cluster Coroot, v1.17+), empty when Coroot has none.
    pub cluster: String,
    /// Who uses the node's CPU: Coroot's top 5 applications, then `~other`.
    pub cpu_consumers: Vec<ShareOut>,
    /// Who uses its memory: the top 5, then `~other` and the page cache as `~cached`.
    pub memory_consumers: Vec<ShareOut>,
}

/// An application's share of a node.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ShareOut {
    /// Application name, `~other` or `~cached`.
    pub name: String,
    /// % of the node.
    pub percent: f64,
}

/// Average usage of one instance.
#[derive(Debug, Serialize, JsonSchema)]
pub struct InstanceUsage {
    /// Instance (pod) name.
    pub name: String,
    /// Average CPU, e.g. `120m`.
    pub cpu: String,
    /// Average memory, e.g. `230MB`.
    pub memory: String,
}

/// One application.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AppCostOut {
    /// Application id.
    pub application_id: String,
    /// Cost of the resources used.
    pub usage_costs: f64,
    /// Cost of the resources requested.
    pub allocation_costs: f64,
    /// Requested but unused.
    pub over_provisioning_costs: f64,
    /// Cross-AZ traffic.
    pub cross_az_traffic_costs: f64,
    /// Internet egress.
    pub internet_egress_costs: f64,
    /// Containers with their requests and Coroot's recommendation.
    pub components: Vec<ComponentOut>,
    /// Instances with their average usage over the window.
    pub instances: Vec<InstanceUsage>,
}

/// Requests and right-sizing of one component.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ComponentOut {
    /// Component (container) name.
    pub name: String,
    /// Kind, e.g. `Deployment`.
    pub kind: String,
    /// Current CPU request, e.g. `2000m` (empty: none).
    pub cpu_request: String,
    /// Recommended CPU request.
    pub cpu_request_recommended: String,
    /// Current memory request, e.g. `4GB` (empty: none).
    pub memory_request: String,
    /// Recommended memory request.
    pub memory_request_recommended: String,
    /// Allocation cost now.
    pub allocation_costs: f64,
    /// Allocation cost with the recommendation.
    pub allocation_costs_recommended: f64,
    /// Monthly saving of the recommendation (negative: it costs more).
    pub saving: f64,
}

impl Tool for GetCosts {
    const NAME: &'static str = names::COSTS;
    const TITLE: &'static str = "Coroot costs";
    const DESCRIPTION: &'static str = "Monthly cost breakdown: node prices and idle costs, per-application usage, allocation and over-provisioning, with Coroot's CPU/memory request right-sizing recommendations and savings. Cost spikes can reveal autoscaling issues, memory leaks or retry storms.";
    type Params = Params;
    type Output = Output;

    async fn run(ctx: &ToolContext, p: Params) -> Result<Output, ToolError> {
        let (project, range, window, ui) = p.scope(ctx, Self::NAME, DEFAULT_HOURS).await?.parts();
        let viewed = ctx.client.costs(&project.id, range).await?;
        let coroot_status = viewed.status.problems();
        let costs = viewed.data;
        let mut nodes: Vec<NodeCostOut> = costs
            .nodes
            .into_iter()
            .map(|n| NodeCostOut {
                name: n.name,
                description: n.description,
                instance_life_cycle: n.instance_life_cycle,
                price: n.price,
                idle_costs: n.idle_costs,
                cpu_usage_percent: n.cpu_usage,
                memory_usage_percent: n.memory_usage,
                cluster: n.cluster,
                cpu_consumers: shares(n.cpu_usage_applications),
                memory_consumers: shares(n.memory_usage_applications),
            })
            .collect();
        // Coroot's order is not stable; price then name is.
        nodes.sort_by(|a, b| b.price.total_cmp(&a.price).then(a.name.cmp(&b.name)));
        let mut applications: Vec<AppCostOut> = costs
            .applications
            .into_iter()
            .map(|a| AppCostOut {
                application_id: a.id.as_str().to_owned(),
                usage_costs: a.usage_costs,
                allocation_costs: a.allocation_costs,
                over_provisioning_costs: a.over_provisioning_costs,
                cross_az_traffic_costs: a.cross_az_traffic_costs,
                internet_egress_costs: a.internet_egress_costs,
                components: a
                    .components
                    .into_iter()
                    .map(|c| ComponentOut {
                        saving: round2(c.allocation_costs - c.allocation_costs_recommended),
                        name: c.name,
                        kind: c.kind,
                        cpu_request: c.cpu_request,
                        cpu_request_recommended: c.cpu_request_recommended,
                        memory_request: c.memory_request,
                        memory_request_recommended: c.memory_request_recommended,
                        allocation_costs: c.allocation_costs,
                        allocation_costs_recommended: c.allocation_costs_recommended,
                    })
                    .collect(),
                instances: a
                    .instances
                    .into_iter()
                    .map(|i| InstanceUsage {
                        name: i.name,
                        cpu: i.cpu_usage_avg,
                        memory: i.memory_usage_avg,
                    })
                    .collect(),
            })
            .collect();
        applications.sort_by(|a, b| {
            b.over_provisioning_costs
                .total_cmp(&a.over_provisioning_costs)
                .then(b.allocation_costs.total_cmp(&a.allocation_costs))
                .then(b.usage_costs.total_cmp(&a.usage_costs))
                .then(a.application_id.cmp(&b.application_id))
        });
        let totals = Totals {
            nodes: round2(nodes.iter().map(|n| n.price).sum()),
            idle: round2(nodes.iter().map(|n| n.idle_costs).sum()),
            over_provisioning: round2(applications.iter().map(|a| a.over_provisioning_costs).sum()),
            usage: round2(applications.iter().map(|a| a.usage_costs).sum()),
            allocation: round2(applications.iter().map(|a| a.allocation_costs).sum()),
            cross_az_traffic: round2(applications.iter().map(|a| a.cross_az_traffic_costs).sum()),
            internet_egress: round2(applications.iter().map(|a| a.internet_egress_costs).sum()),
            recommended_savings: round2(
                applications
                    .iter()
                    .flat_map(|a| &a.components)
                    .map(|c| c.saving)
                    .filter(|s| *s >= MIN_SAVING)
                    .sum(),
            ),
        };
        Ok(Output {
            project: project.name,
            window,
            url: ui.view("costs"),
            coroot_status,
            totals,
            custom_pricing: costs.custom_pricing,
            nodes,
            applications,
        })
    }

    fn render(out: &Output, frame: Frame) -> Answer {
        let mut t = Answer::new(
            frame,
            "nodes and applications",
            "pass project_id to look at one project",
        );
        t.header("Costs", &out.project, &out.window);
        t.ui("costs", &out.url);
        t.coroot_status(&out.coroot_status);
        if out.nodes.is_empty() && out.applications.is_empty() {
            t.line("No cost data: Coroot prices only nodes whose pricing it knows, and none is priced here.");
            t.footer("next: configure cloud pricing (nodes on AWS, GCP or Azure with instance metadata) or custom pricing in Coroot's project settings, then retry");
            return t;
        }
        let tot = &out.totals;
        let mut total = format!(
            "Totals (USD/month{}): nodes {} · idle {} · over-provisioned {} · apps use {} of {} allocated",
            if out.custom_pricing { ", custom pricing" } else { "" },
            money(tot.nodes),
            money(tot.idle),
            money(tot.over_provisioning),
            money(tot.usage),
            money(tot.allocation)
        );
        if tot.cross_az_traffic > 0.0 {
            total.push_str(&format!(" · cross-AZ traffic {}", money(tot.cross_az_traffic)));
        }
        if tot.internet_egress > 0.0 {
            total.push_str(&format!(" · internet egress {}", money(tot.internet_egress)));
        }
        if tot.recommended_savings > 0.0 {
            total.push_str(&format!(" · right-sizing saves {}", money(tot.recommended_savings)));
        }
        t.line(total);
        if !out.nodes.is_empty() {
            t.heading(format!("Nodes ({}, by price):", out.nodes.len()));
        }
        t.each("/nodes", &out.nodes, |n| {
            let mut item = format!("{} · {}", n.name, money(n.price));
            let what = [n.description.as_str(), n.instance_life_cycle.as_str()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            if !what.is_empty() {
                item.push_str(&format!(" ({what})"));
            }
            item.push_str(&format!(
                " · CPU {} · memory {} · idle {}",
                percent(round1(n.cpu_usage_percent)),
                percent(round1(n.memory_usage_percent)),
                money(n.idle_costs)
            ));
            for (what, list) in [("CPU", &n.cpu_consumers), ("memory", &n.memory_consumers)] {
                if !list.is_empty() {
                    let top: Vec<String> = list
                        .iter()
                        .map(|s| format!("{} {}", s.name, percent(round1(s.percent))))
                        .collect();
                    item.push_str(&format!("\n  {what} used by: {}", top.join(", ")));
                }
            }
            item
        });
        if !out.applications.is_empty() {
            t.heading(format!(
                "Applications ({}, by over-provisioning):",
                out.applications.len()
            ));
        }
        t.each("/applications", &out.applications, app_item);
        if let Some(a) = out.applications.iter().find(|a| a.over_provisioning_costs > 0.0) {
            t.footer(format!(
                "next: coroot_get_app_detail(app_id='{}') to check its CPU and memory usage before changing requests",
                AppId::new(a.application_id.as_str()).short()
            ));
        }
        t
    }
}

/// Instances named per application in the text (all are in the structured result).
const SHOWN_INSTANCES: usize = 3;

fn shares(list: Vec<coroot_client::models::NodeApplication>) -> Vec<ShareOut> {
    list.into_iter()
        .filter(|a| a.value > 0.0)
        .map(|a| ShareOut {
            name: a.name,
            percent: a.value,
        })
        .collect()
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// Usage shares need one decimal at most.
fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// `default/recommendation · over-provisioned $82.34/mo · usage ... · allocated ...` and one
/// line per component whose requests Coroot would change.
fn app_item(a: &AppCostOut) -> String {
    let id = AppId::new(a.application_id.as_str());
    let mut item = id.short();
    if a.over_provisioning_costs > 0.0 {
        item.push_str(&format!(" · over-provisioned {}", money(a.over_provisioning_costs)));
    }
    item.push_str(&format!(" · usage {}", money(a.usage_costs)));
    if a.allocation_costs > 0.0 {
        item.push_str(&format!(" · allocated {}", money(a.allocation_costs)));
    } else {
        item.push_str(" · no requests");
    }
    if a.cross_az_traffic_costs > 0.0 {
        item.push_str(&format!(" · cross-AZ traffic {}", money(a.cross_az_traffic_costs)));
    }
    if a.internet_egress_costs > 0.0 {
        item.push_str(&format!(" · internet egress {}", money(a.internet_egress_costs)));
    }
    for c in &a.components {
        if let Some(rec) = recommendation(c) {
            if c.name == id.name() || a.components.len() == 1 && c.name.is_empty() {
                item.push_str(&format!("\n  right-size: {rec}"));
            } else {
                item.push_str(&format!("\n  right-size {}: {rec}", c.name));
            }
        }
    }
    if !a.instances.is_empty() {
        let shown: Vec<String> = a
            .instances
            .iter()
            .take(SHOWN_INSTANCES)
            .map(|i| format!("{} {}/{}", i.name, or_dash(&i.cpu), or_dash(&i.memory)))
            .collect();
        item.push_str(&format!("\n  avg CPU/memory per instance: {}", shown.join(", ")));
        if a.instances.len() > SHOWN_INSTANCES {
            item.push_str(&format!(" (+{} more)", a.instances.len() - SHOWN_INSTANCES));
        }
    }
    item
}

fn or_dash(s: &str) -> &str {
    if s.trim().is_empty() { "-" } else { s }
}

/// `cpu_request 2000m → 400m, memory 4GB → 1GB, saves $82.34/mo`, for a recommendation worth
/// acting on: one that saves money, or one that raises a request already set (under-sized).
/// Recommendations for containers without requests only add cost and are left to the JSON.
fn recommendation(c: &ComponentOut) -> Option<String> {
    let none = |s: &str| {
        if s.is_empty() {
            "none".to_string()
        } else {
            s.to_string()
        }
    };
    let mut changes = Vec::new();
    if !c.cpu_request_recommended.is_empty() && c.cpu_request != c.cpu_request_recommended {
        changes.push(format!(
            "cpu_request {} → {}",
            none(&c.cpu_request),
            c.cpu_request_recommended
        ));
    }
    if !c.memory_request_recommended.is_empty() && c.memory_request != c.memory_request_recommended {
        changes.push(format!(
            "memory {} → {}",
            none(&c.memory_request),
            c.memory_request_recommended
        ));
    }
    if changes.is_empty() {
        return None;
    }
    let has_requests = !c.cpu_request.is_empty() || !c.memory_request.is_empty();
    if c.saving >= MIN_SAVING {
        changes.push(format!("saves {}", money(c.saving)));
    } else if has_requests {
        changes.push(format!("adds {}", money(-c.saving)));
    } else {
        return None;
    }
    Some(changes.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;
    use serde_json::json;

    #[tokio::test]
    async fn totals_then_nodes_then_the_recommendation_saving() {
        let kit = testing::ecommerce().await;
        let out = testing::run::<GetCosts>(&kit, json!({})).await;
        let lines: Vec<&str> = out.text.lines().collect();
        assert!(
            lines[1].starts_with("Totals (USD/month): nodes $560.64/mo · idle "),
            "{}",
            out.text
        );
        assert!(lines[2].starts_with("Nodes (4, by price):"), "{}", out.text);
        assert!(
            lines[3].starts_with("node-1 · $140.16/mo (m5.xlarge / 4 vCPU / 16GB on-demand) · CPU "),
            "{}",
            out.text
        );
        // node-4 stopped reporting half an hour ago: still priced, without its capacities.
        assert!(
            out.text.contains("node-4 · $140.16/mo (m5.xlarge on-demand)"),
            "{}",
            out.text
        );
        // Who uses each node, as Coroot ranks it (top 5, then ~other; memory adds ~cached).
        assert_eq!(
            lines[4],
            "  CPU used by: checkout 8.8%, recommendation 7.5%, payment 6%, frontend 3%, redis 3%, ~other 0.3%"
        );
        assert!(lines[5].ends_with(", ~cached 3.4%"), "{}", lines[5]);
        assert_eq!(out.structured["nodes"][0]["cpu_consumers"][0]["name"], "checkout");
        assert!(
            out.text.contains("  avg CPU/memory per instance: postgres-0 601m/2GB"),
            "{}",
            out.text
        );
        let apps = lines.iter().position(|l| l.starts_with("Applications (")).unwrap();
        assert!(
            lines[apps + 1].starts_with("default/recommendation · over-provisioned $67.28/mo"),
            "{}",
            out.text
        );
        assert_eq!(
            lines[apps + 2],
            "  right-size: cpu_request 2000m → 400m, memory 4GB → 800MB, saves $67.28/mo"
        );
        assert!(testing::unpinned(&out.text).contains("next: coroot_get_app_detail(app_id='default/recommendation')"));
        let reco = &out.structured["applications"][0];
        assert_eq!(reco["application_id"], "k3h2x9qa:default:Deployment:recommendation");
        assert_eq!(reco["components"][0]["saving"], 67.28);
        assert_eq!(out.structured["totals"]["nodes"], 560.64);

        let sent = kit
            .sim
            .requests()
            .into_iter()
            .find(|r| r.path.ends_with("/overview/costs"))
            .unwrap();
        let from: i64 = sent.param("from").unwrap().parse().unwrap();
        let to: i64 = sent.param("to").unwrap().parse().unwrap();
        assert_eq!((to, to - from), (testing::NOW_MS, 24 * 3_600_000));
        insta::assert_snapshot!(out.text);
    }

    #[tokio::test]
    async fn no_pricing_says_what_to_configure() {
        let kit = testing::start(coroot_sim::Scenario::empty()).await;
        let out = testing::run::<GetCosts>(&kit, json!({})).await;
        assert!(out.text.contains("last 24h"), "{}", out.text);
        assert!(out.text.contains("No cost data"), "{}", out.text);
        assert!(out.text.contains("custom pricing"), "{}", out.text);
    }

    #[tokio::test]
    async fn forbidden_is_coroots_own_sentence() {
        let kit = testing::ecommerce().await;
        kit.sim.inject(coroot_sim::FaultRule {
            path_contains: "/overview/costs".into(),
            fault: coroot_sim::Fault::Status {
                code: 403,
                body: "You are not allowed to view costs.".into(),
            },
            times: None,
        });
        let err = testing::run_err::<GetCosts>(&kit, json!({})).await;
        assert!(
            err.contains("You are not allowed to view costs.") && err.contains("role"),
            "{err}"
        );
    }
}
