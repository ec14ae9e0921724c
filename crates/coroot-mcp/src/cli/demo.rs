//! `coroot-mcp demo`: the seed's RCA workflow, step by step, against the built-in simulator's
//! e-commerce cluster in trouble. Each step prints the tool call and its output; the next
//! step's arguments come from what the previous ones found, as an agent would choose them.

use anyhow::{Context as _, Result, anyhow};
use coroot_client::{AppId, Client, ClientConfig, TraceQuery};
use coroot_sim::{Scenario, SimConfig, Simulator};
use coroot_tools::ToolContext;
use serde_json::{Value, json};

/// Lines of a tool's output shown unless `--full`.
const SHORT: usize = 25;

/// Starts the simulator in-process and a tool context logged in to it.
pub async fn embedded() -> Result<(Simulator, ToolContext)> {
    let config = SimConfig::default();
    let (email, password) = match &config.auth {
        coroot_sim::Auth::Password { email, password } => (email.clone(), password.clone()),
        _ => ("admin".into(), String::new()),
    };
    let sim = Simulator::start(Scenario::ecommerce(), config)
        .await
        .context("cannot start the simulator")?;
    let client = Client::new(ClientConfig::new(sim.base_url()).with_password(email, password))?;
    Ok((sim, ToolContext::new(client)))
}

/// Runs the walkthrough.
pub async fn run(full: bool) -> Result<()> {
    let (sim, ctx) = embedded().await?;
    out!(
        "coroot-mcp demo: a simulated Coroot at {} (e-commerce cluster in trouble)\n",
        sim.base_url()
    );
    let mut step = Steps { ctx: &ctx, n: 0, full };

    let incidents = step
        .call(
            "coroot_get_incidents",
            json!({"lookback_hours": 24}),
            "Check incidents with Coroot's built-in RCA",
        )
        .await?;
    let first = incidents["incidents"]
        .as_array()
        .and_then(|l| l.iter().find(|i| i["open"] == true).or(l.first()))
        .cloned();
    step.call(
        "coroot_get_overview_logs",
        json!({"severity": "error", "limit": 20}),
        "Cluster-wide error logs",
    )
    .await?;
    step.call(
        "coroot_get_overview_logs",
        json!({"kubernetes_only": true, "limit": 20}),
        "Kubernetes events",
    )
    .await?;

    let Some(incident) = first else {
        out!("No incident found: the cluster looks healthy.");
        return Ok(());
    };
    let key = incident["key"].as_str().unwrap_or_default().to_string();
    let affected = AppId::new(incident["application_id"].as_str().unwrap_or_default());
    step.call(
        "coroot_get_incident_detail",
        json!({"incident_key": key}),
        "Full RCA and propagation map of the open incident",
    )
    .await?;

    let project = ctx.client.resolve_project(None).await?;
    let view = ctx.client.incident(&project.id, &key).await?;
    let mut detail = step
        .call(
            "coroot_get_app_detail",
            json!({"app_id": affected.as_str()}),
            "Health checks of the affected app",
        )
        .await?;
    // With Coroot's RCA, the root of its propagation map; without one (open-source Coroot),
    // the seed's workflow: follow the failing dependency upstream while there is one.
    let mut culprit = affected.clone();
    if let Some(root) = root_cause_app(&view).filter(|r| *r != affected) {
        culprit = root;
        step.call(
            "coroot_get_app_detail",
            json!({"app_id": culprit.as_str()}),
            "Health checks of the root-cause app on Coroot's propagation map",
        )
        .await?;
    } else {
        let mut seen = vec![affected.clone()];
        while let Some(next) = failing_dependency(&detail).filter(|d| !seen.contains(d)) {
            culprit = next.clone();
            seen.push(next);
            detail = step
                .call(
                    "coroot_get_app_detail",
                    json!({"app_id": culprit.as_str()}),
                    "Health checks of its failing dependency",
                )
                .await?;
        }
    }
    step.call(
        "coroot_get_app_logs",
        json!({"app_id": culprit.as_str(), "severity": "error"}),
        "Its error logs, with trace ids",
    )
    .await?;
    step.call(
        "coroot_get_traces",
        json!({"status_error": true}),
        "Error traces across services",
    )
    .await?;
    if let Some(trace_id) = first_error_trace(&ctx.client, &project.id).await {
        step.call(
            "coroot_get_traces",
            json!({"trace_id": trace_id}),
            "The span tree of one failing request",
        )
        .await?;
    }
    step.call(
        "coroot_get_deployments",
        json!({"lookback_hours": 24}),
        "Correlate with deployments",
    )
    .await?;
    let nodes = step.call("coroot_get_nodes", json!({}), "Infrastructure nodes").await?;
    if let Some(node) = worst_node(&nodes) {
        step.call(
            "coroot_get_node_detail",
            json!({"node_name": node}),
            "The node in the worst state",
        )
        .await?;
    }

    // The same workflow in one call, printed in full: the ranked report is the point.
    step.full = true;
    let report = step
        .call(
            "coroot_investigate",
            json!({}),
            "All of the above in one call: ranked root causes with their evidence",
        )
        .await?;

    let rca = view.data.incident.rca.unwrap_or_default();
    out!("━━ Conclusion");
    out!(
        "Incident {key} on {} traces back to {}.",
        affected.short(),
        culprit.short()
    );
    if let Some(verdict) = report["verdict"].as_str() {
        out!("coroot_investigate: {verdict}");
    }
    if !rca.short_summary.is_empty() {
        out!("Coroot's RCA: {}", rca.short_summary);
    }
    if !rca.immediate_fixes.is_empty() {
        out!("Fix: {}", coroot_tools::render::units::one_line(&rca.immediate_fixes));
    }
    sim.shutdown().await;
    Ok(())
}

struct Steps<'a> {
    ctx: &'a ToolContext,
    n: usize,
    full: bool,
}

impl Steps<'_> {
    async fn call(&mut self, tool: &str, args: Value, why: &str) -> Result<Value> {
        self.n += 1;
        out!("━━ Step {}: {why}\n→ {tool}({})", self.n, args_text(&args));
        let spec = coroot_tools::find(tool).ok_or_else(|| anyhow!("no tool {tool}"))?;
        match (spec.call)(self.ctx, args).await {
            Ok(out) => {
                let lines: Vec<&str> = out.text.lines().collect();
                let shown = if self.full { lines.len() } else { lines.len().min(SHORT) };
                for line in lines.iter().take(shown) {
                    out!("  {line}");
                }
                if shown < lines.len() {
                    out!(
                        "  … {} more lines (coroot-mcp demo --full shows everything)",
                        lines.len() - shown
                    );
                }
                out!();
                Ok(out.structured)
            }
            Err(e) => {
                out!("  error: {e}\n");
                Ok(Value::Null)
            }
        }
    }
}

fn args_text(args: &Value) -> String {
    args.as_object()
        .map(|m| m.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", "))
        .unwrap_or_default()
}

/// Where the incident's failure starts, by the same rule every tool uses; else its first
/// failing app.
fn root_cause_app(view: &coroot_client::models::IncidentView) -> Option<AppId> {
    let graph = coroot_tools::analysis::propagation::Graph::of(view);
    graph
        .root()
        .or_else(|| graph.apps.iter().find(|a| a.status.is_failing()))
        .map(|a| a.id.clone())
}

/// The worst failing dependency in a coroot_get_app_detail result.
fn failing_dependency(detail: &Value) -> Option<AppId> {
    let code = |d: &Value| d["status_code"].as_u64().unwrap_or(0);
    detail["dependencies"]
        .as_array()?
        .iter()
        .filter(|d| code(d) >= 3)
        .max_by_key(|d| code(d))
        .and_then(|d| d["id"].as_str())
        .map(AppId::new)
}

async fn first_error_trace(client: &Client, project: &str) -> Option<String> {
    let range = coroot_client::TimeRange::last_hours(now_ms(), 1.0);
    let query = TraceQuery {
        errors_only: true,
        ..Default::default()
    };
    let traces = client.traces(project, range, &query).await.ok()?;
    traces.traces.first().map(|s| s.trace_id.clone())
}

fn worst_node(nodes: &Value) -> Option<String> {
    let list = nodes["nodes"].as_array()?;
    list.iter()
        .max_by_key(|n| n["status_code"].as_u64().unwrap_or(0))
        .filter(|n| n["status_code"].as_u64().unwrap_or(0) >= 3)
        .and_then(|n| n["name"].as_str().map(str::to_string))
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
