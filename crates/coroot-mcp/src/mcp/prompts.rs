//! The seed's investigation workflows as MCP prompts: an agent (or a person picking a prompt in
//! their client) gets the steps with the exact tool calls, filled with the arguments given.

use rmcp::model::{JsonObject, Prompt, PromptArgument, PromptMessage, Role};

struct Workflow {
    name: &'static str,
    title: &'static str,
    description: &'static str,
    /// (argument, description); all optional.
    args: &'static [(&'static str, &'static str)],
    steps: fn(&Args) -> String,
}

struct Args<'a>(&'a JsonObject);

impl Args<'_> {
    /// The argument's value, or `placeholder` when it was not given.
    fn get(&self, name: &str, placeholder: &str) -> String {
        self.0
            .get(name)
            .and_then(|v| {
                v.as_str()
                    .map(str::to_string)
                    .or_else(|| (!v.is_null()).then(|| v.to_string()))
            })
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| placeholder.to_string())
    }
}

const WORKFLOWS: &[Workflow] = &[
    Workflow {
        name: "rca-workflow",
        title: "Root cause analysis (8 steps)",
        description: "Find the root cause of a production problem with Coroot, step by step",
        args: &[("lookback_hours", "How far back to look (default 24)")],
        steps: |a| {
            let h = a.get("lookback_hours", "24");
            format!(
                "Find the root cause of the current production problem using Coroot. Follow these steps, reading each result before the next call:
1. coroot_get_incidents(lookback_hours={h}): recent incidents with Coroot's built-in RCA. Note open incidents, their apps and root causes.
2. coroot_get_overview_logs(severity='error', limit=50): errors across all apps. Then coroot_get_overview_logs(kubernetes_only=true) for Kubernetes events (OOMKilled, Evicted, CrashLoopBackOff, FailedScheduling).
3. coroot_get_incident_detail(incident_key='KEY') for the main incident: full RCA and the propagation map.
4. coroot_get_app_detail(app_id='ID') for the affected app and the suspected root-cause app: failing health checks (OOM kills, TCP failures, disk I/O, CPU throttling, DNS errors, packet loss, DB connections).
5. coroot_get_app_logs(app_id='ID', severity='error'): its error logs, with trace ids.
6. coroot_get_traces(service_name='svc', status_error=true), then coroot_get_traces(trace_id='ID') for the span tree of one failing request.
7. coroot_get_deployments(lookback_hours={h}): did a deployment just before the first failure change behaviour?
8. coroot_get_nodes(), then coroot_get_node_detail(node_name='NODE') for WARNING/CRITICAL nodes under the affected apps.
Finish with: the root cause, the evidence for it (tool and item), what was checked and found healthy, and the fix."
            )
        },
    },
    Workflow {
        name: "incident-investigation",
        title: "Investigate an incident",
        description: "Investigate one Coroot incident (or the latest open one)",
        args: &[("incident_key", "Incident key; omit for the latest open incident")],
        steps: |a| {
            let key = a.get("incident_key", "the key of the latest open incident from step 1");
            format!(
                "Investigate a Coroot incident.
1. coroot_get_incidents(lookback_hours=24): list incidents with RCA summaries, root cause and fixes.
2. coroot_get_overview_logs(severity='error', limit=50): cluster-wide errors (includes Kubernetes events when kubernetes_only=true).
3. coroot_get_incident_detail(incident_key='{key}'): full detail with the propagation map.
4. coroot_get_app_detail(app_id='ID') for each app on the propagation path: its health checks.
5. coroot_get_app_logs(app_id='ID', severity='error'): error logs with trace correlation.
6. coroot_get_traces(service_name='svc', status_error=true), then coroot_get_traces(trace_id='ID') for the full trace tree.
Report the root cause with its evidence and the immediate fix."
            )
        },
    },
    Workflow {
        name: "proactive-health-scan",
        title: "Proactive health scan",
        description: "Scan the cluster for unhealthy apps, risky dependencies, bad deploys and risks",
        args: &[],
        steps: |_| {
            "Scan production health with Coroot before users notice.
1. coroot_get_applications(): all apps, CRITICAL first; note every non-OK check.
2. coroot_get_service_map(): dependencies discovered from eBPF TCP tracking; note failing links.
3. coroot_get_deployments(lookback_hours=24): recent rollouts and their effect.
4. coroot_get_risks(): single-instance, single-AZ, spot-only apps, unreplicated or exposed databases.
Summarise what needs attention, most severe first, with the evidence."
                .to_string()
        },
    },
    Workflow {
        name: "node-investigation",
        title: "Investigate nodes",
        description: "Find unhealthy nodes and what is wrong with them",
        args: &[("node_name", "Node to inspect; omit to start from the node list")],
        steps: |a| {
            let node = a.get("node_name", "each WARNING/CRITICAL node from step 1");
            format!(
                "Investigate infrastructure nodes with Coroot.
1. coroot_get_nodes(): all nodes with status, CPU and memory.
2. coroot_get_node_detail(node_name='{node}'): full audit: CPU, memory, disks (latency, I/O load, space), network per interface.
Report the nodes in trouble, the resource at fault, and the apps running there."
            )
        },
    },
    Workflow {
        name: "cost-investigation",
        title: "Investigate costs",
        description: "Break down cloud costs and find right-sizing savings",
        args: &[("lookback_hours", "Window (default 24)")],
        steps: |a| {
            let h = a.get("lookback_hours", "24");
            format!(
                "Investigate costs with Coroot.
1. coroot_get_costs(lookback_hours={h}): cost per node and app, idle and over-provisioned spend, right-sizing recommendations.
Cost spikes correlate with autoscaling issues, memory leaks and retry storms: for a suspicious app, check coroot_get_app_detail(app_id='ID') and coroot_get_deployments(lookback_hours={h}).
Report the biggest savings first, with the recommended requests."
            )
        },
    },
];

/// The prompts, for `prompts/list`.
pub fn list() -> Vec<Prompt> {
    WORKFLOWS
        .iter()
        .map(|w| {
            let args: Vec<PromptArgument> = w
                .args
                .iter()
                .map(|(name, desc)| PromptArgument::new(*name).with_description(*desc).with_required(false))
                .collect();
            Prompt::new(w.name, Some(w.description), (!args.is_empty()).then_some(args)).with_title(w.title)
        })
        .collect()
}

/// The prompt's description and messages, or `None` for an unknown name.
pub fn get(name: &str, args: &JsonObject) -> Option<(String, Vec<PromptMessage>)> {
    let w = WORKFLOWS.iter().find(|w| w.name == name)?;
    Some((
        w.description.to_string(),
        vec![PromptMessage::new_text(Role::User, (w.steps)(&Args(args)))],
    ))
}

/// Prompt names.
pub fn names() -> Vec<&'static str> {
    WORKFLOWS.iter().map(|w| w.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_workflows_are_prompts() {
        assert_eq!(
            names(),
            [
                "rca-workflow",
                "incident-investigation",
                "proactive-health-scan",
                "node-investigation",
                "cost-investigation"
            ]
        );
    }

    #[test]
    fn arguments_fill_the_steps() {
        let mut args = JsonObject::new();
        args.insert("incident_key".into(), "q8w7e6r5".into());
        let (_, messages) = get("incident-investigation", &args).unwrap();
        let text = serde_json::to_string(&messages).unwrap();
        assert!(text.contains("incident_key='q8w7e6r5'"));
        let (_, rca) = get("rca-workflow", &JsonObject::new()).unwrap();
        let text = serde_json::to_string(&rca).unwrap();
        for step in 1..=8 {
            assert!(text.contains(&format!("{step}. coroot_")), "step {step} missing");
        }
        assert!(get("nope", &args).is_none());
    }
}
