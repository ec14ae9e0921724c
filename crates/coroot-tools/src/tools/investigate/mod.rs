//! `coroot_investigate`: why is it broken? The seed's RCA workflow in one call, with a ranked
//! evidence report.
//!
//! It starts from an incident, an application, the open incidents, or else the applications in
//! WARNING or CRITICAL. The workflow's calls (incidents, incident detail, applications, service
//! map, deployments, nodes, Kubernetes events, risks, error traces, then app detail and logs of
//! the apps involved, then the nodes under them) run concurrently, each with its own timeout: a
//! call that fails or times out becomes a "could not check" line, never a failed tool. What they
//! say is correlated (deployments shortly before the first failure; OOM kills, throttling, TCP
//! and DNS failures, disk saturation from the failing checks and node tables; error logs with
//! their trace ids; the failure path on the service map) and each suspected root cause is
//! scored by the simple rules below. Every line of evidence names the tool and item it came
//! from, so the agent can re-check it; nothing is inferred that the data does not say.
//!
//! Scoring rules (points add up; the reasons are printed with each suspect):
//! * a failing check on the app that names a cause (OOM, disk I/O, TCP, DNS, CPU...): CRITICAL
//!   +4, WARNING +3. SLO and log-error checks are symptoms, not causes: they score nothing.
//! * a flagged node resource (disk latency/I/O load, CPU, memory) used by the app: +2 when it
//!   confirms the app's own check, +3 when it is the only signal.
//! * the app is where the failure path starts (Coroot's propagation map root, else the deepest
//!   failing upstream reached from the affected app): +3; elsewhere on the path: +1. A cause at
//!   the start explains every symptom downstream of it.
//! * Coroot's own RCA names the app: +2 (it correlates metrics this tool does not read).
//! * a deployment of the app within 6h before the first failure signal: +2, and +1 more when
//!   Coroot flags that rollout. Added to the same suspect, so "OOM after a deploy" outranks
//!   either alone.
//! * Kubernetes warning events about the app: +1; its own error logs showing the same cause:
//!   +1; error traces failing deepest in it: +1.
//! * an app with only symptoms gets a suspect (+1) only when it starts the failure path; a node
//!   that is down scores +3 when investigated apps run on it, +1 otherwise.
//! * a cause in a node takes the score of the strongest app suspect it explains (an app on it
//!   whose main signal that node fault produces: instances lost with a down node, the node-CPU
//!   check beside a noisy neighbour, connectivity issues through a lossy interface), so the
//!   node ranks above its victims. A saturated CPU names the workload taking most of it (the
//!   node's consumers chart); network trouble in two or more apps whose pods share exactly one
//!   node makes that node a suspect (+3).
//!
//! Suspects are grouped into independent problems (same app, a failing link between them, a
//! node and the apps it explains, or the same open incident's path); the strongest suspect of
//! each problem is ranked first, and each says which open incidents it explains. Without an
//! app_id or incident_key, failing apps off the incidents' paths are examined too.
//! `docs/rca.md` explains each rule and measures them on every fault class.

mod changes;
mod draft;
mod evidence;
mod fetch;
mod output;
mod plan;
mod problems;
mod report;
mod score;
mod shared;

use coroot_client::{AppId, TimeRange};

use crate::context::{Scope, ToolContext, WindowArgs};
use crate::error::ToolError;
use crate::params::{opt_string, tool_params};
use crate::render::units::{one_line, percent, span_ms, when};
use crate::render::untrusted::fenced;
use crate::render::{Answer, Frame};
use crate::resolve;
use crate::tool::Tool;
use crate::tools::names;
use evidence::Case;
use fetch::{Facts, Fan};
pub use output::{Evidence, FirstFailure, IncidentOut, Output, Suspect};
use plan::{MAX_INCIDENTS, Plan, nodes_to_check};
use report::Meta;

/// The tool.
pub struct Investigate;

/// Suspects shown with their evidence; the rest are listed in one line.
const SHOWN: usize = 5;
/// Lookback of the incidents and deployments searched, at least; also the most the window is
/// widened to cover an open incident's start (Coroot's incident window cap).
const WIDE_HOURS: f64 = 24.0;
/// How far before an open incident's opening the widened window starts: the failure began
/// before Coroot's burn-rate alert could fire.
const WIDEN_MARGIN_MS: i64 = 15 * 60_000;
/// The structured list the answer's items stand for.
const SUSPECTS: &str = "/suspects";
/// Suspects whose page the text links (the rest are linked in the structured result).
const LINKED_SUSPECTS: usize = 3;
/// The structured list the what-changed items stand for.
const CHANGES: &str = "/changes";

tool_params! {
    /// Parameters.
    pub struct Params {
        /// Start from this app (id, "namespace/name" or name); default: open incidents, else failing apps.
        #[serde(default, deserialize_with = "opt_string")]
        pub app_id: Option<String>,
        /// Start from this incident (key from coroot_get_incidents).
        #[serde(default, deserialize_with = "opt_string")]
        pub incident_key: Option<String>,
    }
    lookback_hours = "Hours of health data to examine (default 1, max 720); incidents and deployments use at least 24."
}

impl Tool for Investigate {
    const NAME: &'static str = names::INVESTIGATE;
    const TITLE: &'static str = "Coroot root-cause investigation";
    const DESCRIPTION: &'static str = "Runs the RCA workflow in one call: incidents, app checks, logs, traces, deployments, nodes, K8s events and the service map, fetched concurrently and correlated. Returns ranked suspected root causes with the evidence behind each (tool and item), what was found healthy, and the calls to confirm. Optional app_id or incident_key; default: open incidents, else failing apps.";
    type Params = Params;
    type Output = Output;
    const UNTRUSTED: &'static [&'static str] = &[
        "/incidents/*/rca_summary",
        "/first_failure/what",
        "/changes/*/sample",
        "/suspects/*/evidence/*/fact",
    ];

    async fn run(ctx: &ToolContext, p: Params) -> Result<Output, ToolError> {
        let Scope {
            project,
            mut range,
            mut window,
            ..
        } = p.scope(ctx, Self::NAME, 1.0).await?;
        // Incidents and deployments look at least a day back from the window's end.
        let wide = TimeRange {
            from_ms: range.to_ms - (window.lookback_hours.max(WIDE_HOURS) * 3_600_000.0) as i64,
            to_ms: range.to_ms,
        };
        let given_app = match &p.app_id {
            Some(input) => Some(resolve::app_id(ctx, &project.id, input).await?),
            None => None,
        };
        let mut fan = Fan::new(ctx, project.id.clone());
        let mut facts = Facts::default();
        if let Some(key) = &p.incident_key {
            fan.named_incident(&mut facts, key, &project.name).await?;
        }
        fan.incident_list(&mut facts, wide).await;
        // An open incident that began before the window: look from its start (as Coroot's own
        // incident page does, up to a day), unless the caller chose the window.
        let mut widened = None;
        if p.window() == WindowArgs::default()
            && let Some((key, opened)) = earliest_open(&facts, p.incident_key.as_deref(), given_app.as_ref())
            && opened < range.from_ms
        {
            let hours = ((ctx.now_ms() - opened + WIDEN_MARGIN_MS) as f64 / 900_000.0).ceil() / 4.0;
            (range, window) = crate::context::window(ctx, Self::NAME, WindowArgs::hours(hours.min(WIDE_HOURS)), 1.0)?;
            widened = Some(key);
        }
        let before = changes::before(range);
        fan.cluster(&mut facts, range, wide, before).await;
        if p.incident_key.is_none() {
            let keys = open_incidents(&facts, given_app.as_ref());
            fan.incidents(&mut facts, keys).await;
        }
        let broad = given_app.is_none() && p.incident_key.is_none();
        let plan = Plan::new(&facts, given_app.as_ref(), broad);
        fan.apps(&mut facts, &plan.focus, range).await;
        let nodes = nodes_to_check(&facts, &plan);
        fan.nodes(&mut facts, nodes, range).await;

        let case = Case::new(&facts, &plan, given_app.as_ref());
        let suspects = score::suspects(&case, ctx.now_ms());
        let opened = earliest_open(&facts, p.incident_key.as_deref(), given_app.as_ref()).map(|(_, ms)| ms);
        let meta = Meta {
            project: project.name,
            window,
            wide_hours: (wide.to_ms - wide.from_ms) as f64 / 3_600_000.0,
            now: ctx.now_ms(),
            failed: fan.failed,
            incident_key: p.incident_key,
            given_app,
            started_from: plan.started_from.clone(),
            widened,
            ui: ctx.ui(&project.id, range),
            range,
            before,
            opened,
        };
        Ok(report::output(&case, suspects, meta))
    }

    fn render(out: &Output, frame: Frame) -> Answer {
        let now_ms = frame.now_ms;
        let mut t = Answer::new(
            frame,
            "suspects",
            "pass app_id or incident_key to narrow the investigation",
        );
        t.header("Investigation", &out.project, &out.window);
        t.coroot_status(&out.coroot_status);
        t.line(format!("Started from: {}", out.started_from));
        t.line(format!("Verdict: {}", out.verdict));
        for incident in &out.incidents {
            let i = &incident.head;
            let mut line = format!(
                "Incident {} {} · {}",
                i.key,
                i.state(),
                AppId::new(i.application_id.as_str()).short()
            );
            if let Some(ms) = i.opened_ms {
                line.push_str(&format!(" · opened {}", when(now_ms, ms)));
            }
            if i.impact_percent > 0.0 {
                line.push_str(&format!(" · {} of requests affected", percent(i.impact_percent)));
            }
            if !incident.description.is_empty() && incident.description != incident.rca_summary {
                line.push_str(&format!(" · {}", one_line(&incident.description)));
            }
            if !incident.rca_summary.is_empty() {
                line.push_str(&format!(" · Coroot RCA: {}", fenced(&incident.rca_summary, 300)));
            }
            line.push_str(&format!(" · {}", incident.url));
            t.resource(format!("incident {}", i.key), &incident.url);
            t.line(line);
        }
        for path in &out.paths {
            let names: Vec<String> = path.iter().map(|a| AppId::new(a.as_str()).short()).collect();
            t.line(format!("Failure path (failure flows →): {}", names.join(" → ")));
        }
        if let Some(f) = &out.first_failure {
            t.line(format!("First failure signal: {} · {}", when(now_ms, f.ms), f.what));
        }
        if !out.changes.is_empty() {
            t.heading(format!(
                "WHAT CHANGED since the {} before {}, in time order",
                span_ms(out.compared.before_ms),
                out.compared.from
            ));
            for (i, change) in out.changes.iter().enumerate() {
                let at = change
                    .ms
                    .map_or_else(|| "during the window".to_string(), |ms| when(now_ms, ms));
                let mut line = format!(
                    "  {}{at} · {} {}: {}",
                    if i == 0 && change.ms.is_some() { "first: " } else { "" },
                    change.kind,
                    AppId::new(change.app.as_str()).short(),
                    change.what
                );
                if let Some(sample) = &change.sample {
                    line.push_str(&format!(" {}", fenced(sample, changes::PATTERN_CHARS)));
                }
                t.item(CHANGES, i, line);
            }
        }
        let several = out.suspects.iter().any(|s| s.problem > 1);
        if !out.suspects.is_empty() {
            t.heading(if several {
                "SUSPECTS, the strongest of each independent problem first (score = sum of the rules in brackets)"
            } else {
                "SUSPECTS, most likely first (score = sum of the rules in brackets)"
            });
        }
        for (i, s) in out.suspects.iter().enumerate().take(SHOWN) {
            let mut item = format!(
                "{}. {} · kind {} · score {} [{}]",
                s.rank,
                s.cause,
                s.kind.name(),
                s.score,
                s.score_rules.join(", ")
            );
            if several {
                item.push_str(&format!(" · problem {}", s.problem));
            }
            // The pages a person opens first; every suspect's is in the structured result.
            if let Some(url) = s.url.as_ref().filter(|_| s.rank <= LINKED_SUSPECTS) {
                item.push_str(&format!(" · {url}"));
                t.resource(
                    format!(
                        "suspect {}: {}",
                        s.rank,
                        s.app.as_deref().or(s.node.as_deref()).unwrap_or("")
                    ),
                    url,
                );
            }
            for e in &s.evidence {
                item.push_str(&format!("\n  - [{} › {}] {}", e.source_tool, e.item, e.fact));
            }
            t.item(SUSPECTS, i, item);
        }
        if out.suspects.len() > SHOWN {
            let rest: Vec<String> = out
                .suspects
                .iter()
                .skip(SHOWN)
                .map(|s| format!("{}. {} (score {})", s.rank, s.cause, s.score))
                .collect();
            t.items(
                SUSPECTS,
                SHOWN..out.suspects.len(),
                format!("Lower: {}", rest.join("; ")),
            );
        }
        if !out.symptoms.is_empty() {
            let list: Vec<String> = out
                .symptoms
                .iter()
                .map(|e| format!("[{} › {}] {}", e.source_tool, e.item, e.fact))
                .collect();
            t.line(format!("Symptoms (impact, not causes): {}", list.join(" · ")));
        }
        if !out.risks.is_empty() {
            t.line(format!(
                "Risks of these apps (coroot_get_risks): {}",
                out.risks.join("; ")
            ));
        }
        if !out.healthy.is_empty() {
            t.line(format!("Checked and healthy: {}", out.healthy.join("; ")));
        }
        if !out.could_not_check.is_empty() {
            t.line(format!("Could not check: {}", out.could_not_check.join("; ")));
        }
        if !out.next_calls.is_empty() {
            t.footer(format!("next: {}", out.next_calls.join("; ")));
        }
        t
    }
}

/// The open incidents to examine (of the app asked for, when one is), worst and newest first.
/// The open incident in scope that began first: the one named, else the open ones of the given
/// app, else every open one. (key, opened at)
fn earliest_open(facts: &Facts, named: Option<&str>, given: Option<&AppId>) -> Option<(String, i64)> {
    let named_view = named.and_then(|k| facts.views.get(k)).map(|v| &v.incident);
    let listed = facts
        .incidents
        .iter()
        .flatten()
        .filter(|i| named.is_none() && given.is_none_or(|a| crate::analysis::same_app(a, &i.application_id)));
    named_view
        .into_iter()
        .chain(listed)
        .filter(|i| i.is_open())
        .filter_map(|i| i.opened_at.map(|o| (i.key.clone(), o)))
        .min_by_key(|(_, o)| *o)
}

fn open_incidents(facts: &Facts, given: Option<&AppId>) -> Vec<String> {
    let mut open: Vec<&coroot_client::models::Incident> = facts
        .incidents
        .iter()
        .flatten()
        .filter(|i| i.is_open())
        .filter(|i| given.is_none_or(|a| crate::analysis::same_app(a, &i.application_id)))
        .collect();
    open.sort_by(|a, b| b.severity.cmp(&a.severity).then(b.opened_at.cmp(&a.opened_at)));
    open.iter().take(MAX_INCIDENTS).map(|i| i.key.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;
    use coroot_sim::Scenario;
    use serde_json::{Value, json};
    use std::time::Duration;

    fn top(out: &crate::tool::ToolOutput) -> &Value {
        &out.structured["suspects"][0]
    }

    fn cites(s: &Value, tool: &str, item: &str) -> bool {
        s["evidence"].as_array().is_some_and(|ev| {
            ev.iter()
                .any(|e| e["source_tool"] == tool && e["item"].as_str().is_some_and(|i| i.contains(item)))
        })
    }

    #[tokio::test]
    async fn oom_after_deploy_ranks_the_payment_oom_and_its_deploy_first() {
        let kit = testing::start(Scenario::oom_after_deploy()).await;
        let out = testing::run::<Investigate>(&kit, json!({})).await;
        let s = top(&out);
        assert_eq!(s["kind"], "oom", "{}", out.text);
        assert_eq!(s["app"], "k3h2x9qa:default:Deployment:payment");
        assert!(
            s["cause"]
                .as_str()
                .unwrap()
                .contains("after deployment 7d9f8b6c5: payment:2.4.1"),
            "{}",
            out.text
        );
        assert!(cites(s, "coroot_get_app_detail", "payment: Memory / Out of Memory"));
        assert!(cites(s, "coroot_get_deployments", "payment 7d9f8b6c5: payment:2.4.1"));
        assert!(cites(s, "coroot_get_overview_logs", "K8s event OOMKilling"));
        assert!(
            out.text
                .contains("Failure path (failure flows →): default/payment → default/checkout → default/frontend"),
            "{}",
            out.text
        );
        assert!(
            out.text.contains("Started from: incidents f1r2n3t4, q8w7e6r5"),
            "{}",
            out.text
        );
        // checkout's incident is nearer the root cause than frontend's.
        assert!(
            testing::unpinned(&out.text).contains("coroot_get_incident_detail(incident_key='q8w7e6r5')"),
            "{}",
            out.text
        );
        assert!(out.text.chars().count() < 10_000, "{}", out.text.len());
    }

    #[tokio::test]
    async fn tcp_connect_failures_rank_catalog_to_postgres_first() {
        let kit = testing::start(Scenario::tcp_connect_failures()).await;
        let out = testing::run::<Investigate>(&kit, json!({})).await;
        let s = top(&out);
        assert_eq!(s["kind"], "tcp_connect", "{}", out.text);
        assert_eq!(s["app"], "k3h2x9qa:default:Deployment:catalog");
        assert!(s["cause"].as_str().unwrap().contains("to postgres"), "{}", out.text);
        assert!(cites(s, "coroot_get_app_detail", "catalog: Net / TCP connections"));
        assert!(cites(s, "coroot_get_service_map", "catalog → postgres"));
        assert!(cites(s, "coroot_get_app_logs", "catalog error"));
        assert!(out.text.contains("connection refused"), "{}", out.text);
        // The upstream itself is healthy, and the report says so.
        assert!(out.text.contains("checks of default/postgres (all OK)"), "{}", out.text);
        assert!(out.text.chars().count() < 10_000);
    }

    #[tokio::test]
    async fn node_disk_saturation_ranks_postgres_volume_on_node_3_first() {
        let kit = testing::start(Scenario::node_disk_saturation()).await;
        let out = testing::run::<Investigate>(&kit, json!({})).await;
        let s = top(&out);
        assert_eq!(s["kind"], "disk_io", "{}", out.text);
        assert_eq!(s["app"], "k3h2x9qa:default:StatefulSet:postgres");
        assert_eq!(s["node"], "node-3");
        assert!(cites(s, "coroot_get_app_detail", "postgres: Storage / Disk I/O load"));
        assert!(cites(s, "coroot_get_node_detail", "node-3 Disks /dev/nvme1n1"));
        assert!(out.text.contains("Latency 120 ms"), "{}", out.text);
        assert!(out.text.chars().count() < 10_000);
    }

    #[tokio::test]
    async fn a_slow_call_times_out_alone() {
        let mut kit = testing::start(Scenario::oom_after_deploy()).await;
        let mut config = coroot_client::ClientConfig::new(kit.sim.base_url()).with_password("admin", "sim-password");
        config.timeout = Duration::from_secs(1);
        kit.ctx.client = coroot_client::Client::new(config).unwrap();
        kit.sim.inject(coroot_sim::FaultRule {
            path_contains: "/overview/risks".into(),
            fault: coroot_sim::Fault::Latency(Duration::from_secs(3)),
            times: None,
        });
        let started = std::time::Instant::now();
        let out = testing::run::<Investigate>(&kit, json!({})).await;
        assert!(
            started.elapsed() < Duration::from_millis(2500),
            "{:?}",
            started.elapsed()
        );
        assert!(
            out.text.contains("Could not check: risks: no answer within 900ms"),
            "{}",
            out.text
        );
        assert_eq!(top(&out)["kind"], "oom");
    }

    #[tokio::test]
    async fn a_healthy_cluster_is_reported_as_healthy() {
        let kit = testing::start(Scenario::healthy()).await;
        let out = testing::run::<Investigate>(&kit, json!({})).await;
        assert_eq!(out.structured["suspects"].as_array().unwrap().len(), 0, "{}", out.text);
        assert!(
            out.text
                .contains("Verdict: nothing points at a cause: no open incident"),
            "{}",
            out.text
        );
        assert!(
            out.text.contains("Checked and healthy: incidents (none open"),
            "{}",
            out.text
        );
        assert!(out.text.contains("nodes (all 4 up)"), "{}", out.text);
        assert!(!out.text.contains("Could not check"), "{}", out.text);
        let out = testing::run::<Investigate>(&kit, json!({"app_id": "catalog"})).await;
        assert!(
            out.text.contains(
                "Verdict: nothing points at a cause: default/catalog has no failing check and no open incident"
            ),
            "{}",
            out.text
        );
        assert!(out.text.contains("checks of default/catalog (all OK)"), "{}", out.text);
    }

    #[tokio::test]
    async fn ecommerce_ranks_the_payment_oom_after_deploy_first() {
        let kit = testing::ecommerce().await;
        let out = testing::run::<Investigate>(&kit, json!({})).await;
        let s = top(&out);
        assert_eq!(s["kind"], "oom", "{}", out.text);
        assert_eq!(s["app"], "k3h2x9qa:default:Deployment:payment");
        assert!(s["cause"].as_str().unwrap().contains("payment:2.4.1"));
        let second = out.structured["suspects"][1]["score"].as_u64().unwrap();
        assert!(s["score"].as_u64().unwrap() > second, "{}", out.text);
        assert!(out.text.chars().count() < 10_000, "{}", out.text.len());
        insta::assert_snapshot!(out.text);
    }

    #[tokio::test]
    async fn without_clickhouse_the_ranking_stands_on_prometheus_and_says_what_it_could_not_check() {
        let config = coroot_sim::SimConfig {
            clickhouse: false,
            ..Default::default()
        };
        let kit = testing::start_with(Scenario::ecommerce(), config).await;
        let out = testing::run::<Investigate>(&kit, json!({})).await;
        let s = top(&out);
        assert_eq!(s["kind"], "oom", "{}", out.text);
        assert_eq!(s["app"], "k3h2x9qa:default:Deployment:payment");
        assert!(
            !cites(s, "coroot_get_app_logs", "payment"),
            "no logs to cite: {}",
            out.text
        );
        let could_not = out.text.lines().find(|l| l.starts_with("Could not check: ")).unwrap();
        assert!(
            could_not.contains("Kubernetes events: Clickhouse integration is not configured")
                && could_not.contains("traces: Clickhouse integration is not configured"),
            "{could_not}"
        );
        assert!(
            !out.text.contains("error logs of default/"),
            "no logs were read, none is called healthy: {}",
            out.text
        );
    }

    #[tokio::test]
    async fn an_incident_key_start_investigates_that_incident() {
        let kit = testing::start(Scenario::node_disk_saturation()).await;
        let out = testing::run::<Investigate>(&kit, json!({"incident_key": "a1b2c3d4"})).await;
        assert!(out.text.contains("Started from: incident a1b2c3d4"), "{}", out.text);
        assert_eq!(top(&out)["kind"], "disk_io");
        // Open-source Coroot has no RCA to cite: the ranking stands on the checks alone.
        assert!(
            !cites(top(&out), "coroot_get_incident_detail", "a1b2c3d4"),
            "{}",
            out.text
        );
        assert!(testing::unpinned(&out.text).contains("coroot_get_incident_detail(incident_key='a1b2c3d4')"));
        let cloud = testing::start(Scenario::node_disk_saturation().with_cloud_rca()).await;
        let out = testing::run::<Investigate>(&cloud, json!({"incident_key": "a1b2c3d4"})).await;
        assert_eq!(top(&out)["kind"], "disk_io");
        assert!(
            cites(top(&out), "coroot_get_incident_detail", "a1b2c3d4 root cause"),
            "{}",
            out.text
        );
        let err = testing::run_err::<Investigate>(&kit, json!({"incident_key": "nope1234"})).await;
        assert!(err.contains("coroot_get_incidents"), "{err}");
    }

    #[tokio::test]
    async fn an_app_id_start_follows_the_failure_upstream() {
        let kit = testing::start(Scenario::tcp_connect_failures()).await;
        let out = testing::run::<Investigate>(&kit, json!({"app_id": "catalog"})).await;
        assert!(
            out.text.contains("Started from: application default/catalog"),
            "{}",
            out.text
        );
        let s = top(&out);
        assert_eq!(s["kind"], "tcp_connect");
        assert_eq!(s["app"], "k3h2x9qa:default:Deployment:catalog");
        let sent: Vec<String> = kit.sim.requests().into_iter().map(|r| r.path).collect();
        assert!(
            sent.iter().any(|p| p.contains("/app/") && p.contains("postgres")),
            "the failing upstream is examined"
        );
    }

    #[tokio::test]
    async fn a_failed_call_is_reported_and_the_ranking_stands() {
        let kit = testing::start(Scenario::node_disk_saturation()).await;
        kit.sim.inject(coroot_sim::FaultRule {
            path_contains: "/node/".into(),
            fault: coroot_sim::Fault::Status {
                code: 500,
                body: "boom".into(),
            },
            times: None,
        });
        let out = testing::run::<Investigate>(&kit, json!({})).await;
        let s = top(&out);
        assert_eq!(s["kind"], "disk_io", "{}", out.text);
        assert_eq!(s["app"], "k3h2x9qa:default:StatefulSet:postgres");
        assert!(
            out.text.contains("node detail node-3: Coroot returned HTTP 500"),
            "{}",
            out.text
        );
        assert!(out.text.contains("boom"), "{}", out.text);
        assert!(!out.structured["could_not_check"].as_array().unwrap().is_empty());
    }

    #[tokio::test]
    async fn progress_is_reported_as_steps_finish() {
        let mut kit = testing::start(Scenario::oom_after_deploy()).await;
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = seen.clone();
        kit.ctx.progress = Some(std::sync::Arc::new(move |done, total, msg| {
            sink.lock().unwrap().push((done, total, msg));
        }));
        testing::run::<Investigate>(&kit, json!({})).await;
        let seen = seen.lock().unwrap();
        assert!(seen.len() >= 10, "{seen:?}");
        assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "progress only grows");
        assert!(seen.iter().any(|(_, _, m)| m.starts_with("app detail default/payment")));
    }
}
