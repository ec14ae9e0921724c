//! `coroot_get_deployments`: did a rollout happen around the failure, and did Coroot judge it bad?
//!
//! Coroot lists rollouts newest first with a relative `deployed` text ("2 hours ago") and a
//! summary whose verdict is an emoji (`🎉` ok, `💔` bad). The rollout time is recovered from the
//! ±30 min window Coroot links to, so it can be shown as UTC and lined up with incidents; the
//! emoji become the words `ok`/`bad`. Problem rollouts come first.

use schemars::JsonSchema;
use serde::Serialize;

use crate::context::{ToolContext, Window};
use crate::error::ToolError;
use crate::params::tool_params;
use crate::render::units::{hours, iso, one_line, when};
use crate::render::{Answer, Frame, Health};
use crate::tool::Tool;
use crate::tools::names;

/// The tool.
pub struct GetDeployments;

/// Default lookback, hours: a day of rollouts covers most "what changed" questions.
const DEFAULT_HOURS: f64 = 24.0;

tool_params! {
    /// Parameters.
    pub struct Params {
    }
    lookback_hours = "Hours to look back (default 24, max 720)."
}

/// Output.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    /// Project name.
    pub project: String,
    /// Window searched.
    pub window: Window,
    /// What Coroot says is wrong with the project's data sources (Prometheus, node agent,
    /// kube-state-metrics): when present, the answer may be empty or incomplete.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub coroot_status: Vec<String>,
    /// Rollouts in the window.
    pub total: usize,
    /// Worst status first, then newest.
    pub deployments: Vec<DeploymentOut>,
}

/// One rollout.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DeploymentOut {
    /// Application id.
    pub application_id: String,
    /// The rollout in Coroot's UI: the app's instances around it.
    pub url: String,
    /// ReplicaSet hash, optionally with images (`7d9f8b6c5: payment:2.4.1`).
    pub version: String,
    /// Rollout start, UTC ISO-8601, when Coroot gives it.
    pub deployed_at: Option<String>,
    /// Coroot's relative text, e.g. `2 hours ago`.
    pub deployed: String,
    /// Coroot's verdict on the rollout.
    #[serde(flatten)]
    pub health: Health,
    /// Comparison with the previous version.
    pub summary: Vec<SummaryOut>,
    #[serde(skip)]
    started_ms: Option<i64>,
    #[serde(skip)]
    status_rank: coroot_client::Status,
}

/// One line of a rollout summary.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SummaryOut {
    /// `ok` (Coroot's 🎉), `bad` (💔), or empty (informational).
    pub result: &'static str,
    /// e.g. "Memory: app containers have been restarted 3 times by the OOM killer".
    pub message: String,
}

/// Coroot's summary emoji as a word.
fn verdict(emoji: &str) -> &'static str {
    match emoji.trim() {
        "🎉" => "ok",
        "💔" => "bad",
        _ => "",
    }
}

impl Tool for GetDeployments {
    const NAME: &'static str = names::DEPLOYMENTS;
    const TITLE: &'static str = "Coroot deployments";
    const DESCRIPTION: &'static str = "Rollouts in the window with Coroot's verdict (OOM kills, crashes, error/latency/CPU/memory changes vs the previous version), problem rollouts first. Use it to check whether a deploy correlates with a failure.";
    type Params = Params;
    type Output = Output;

    async fn run(ctx: &ToolContext, p: Params) -> Result<Output, ToolError> {
        let (project, range, window, ui) = p.scope(ctx, Self::NAME, DEFAULT_HOURS).await?.parts();
        let viewed = ctx.client.deployments(&project.id, range).await?;
        let mut deployments: Vec<DeploymentOut> = viewed
            .data
            .into_iter()
            .map(|d| {
                let started_ms = d.started_at_ms();
                DeploymentOut {
                    url: started_ms.map_or_else(
                        || ui.app_report(d.application.id.as_str(), "Instances"),
                        |ms| ui.deployment(d.application.id.as_str(), ms),
                    ),
                    application_id: d.application.id.as_str().to_owned(),
                    version: d.version,
                    deployed_at: started_ms.map(iso),
                    deployed: d.deployed,
                    health: d.status.into(),
                    summary: d
                        .summary
                        .into_iter()
                        .filter(|s| !s.message.trim().is_empty())
                        .map(|s| SummaryOut {
                            result: verdict(&s.status),
                            message: one_line(&s.message),
                        })
                        .collect(),
                    started_ms,
                    status_rank: d.status,
                }
            })
            .collect();
        // Stable sort: Coroot's newest-first order breaks ties when the time is unknown.
        deployments.sort_by(|a, b| b.status_rank.cmp(&a.status_rank).then(b.started_ms.cmp(&a.started_ms)));
        Ok(Output {
            project: project.name,
            coroot_status: viewed.status.problems(),
            window,
            total: deployments.len(),
            deployments,
        })
    }

    fn render(out: &Output, frame: Frame) -> Answer {
        let now_ms = frame.now_ms;
        let mut t = Answer::new(frame, "deployments", "pass a shorter lookback_hours");
        t.header("Deployments", &out.project, &out.window);
        t.coroot_status(&out.coroot_status);
        if out.deployments.is_empty() {
            t.line("No rollout started in this window.");
            let h = out.window.lookback_hours;
            if h < 720.0 {
                let longer = if h < 168.0 { 168.0 } else { 720.0 };
                t.footer(format!(
                    "next: coroot_get_deployments(lookback_hours={}) to look further back ({})",
                    longer,
                    hours(longer)
                ));
            }
            return t;
        }
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for d in &out.deployments {
            match counts.iter_mut().find(|(s, _)| *s == d.health.status) {
                Some((_, n)) => *n += 1,
                None => counts.push((d.health.status, 1)),
            }
        }
        t.line(format!(
            "{} rollout{}: {}",
            out.total,
            if out.total == 1 { "" } else { "s" },
            counts
                .iter()
                .map(|(s, n)| format!("{n} {s}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        for (i, d) in out.deployments.iter().enumerate() {
            let app = coroot_client::AppId::new(d.application_id.as_str()).short();
            let at = match d.started_ms {
                Some(ms) => when(now_ms, ms),
                None => d.deployed.clone(),
            };
            let mut item = format!(
                "{} {app} · version {} · deployed {at} · {}",
                d.health.status, d.version, d.url
            );
            t.resource(format!("deployment of {app}"), &d.url);
            for s in &d.summary {
                if s.result.is_empty() {
                    item.push_str(&format!("\n  {}", s.message));
                } else {
                    item.push_str(&format!("\n  {}: {}", s.result, s.message));
                }
            }
            t.item("/deployments", i, item);
        }
        if let Some(bad) = out
            .deployments
            .iter()
            .find(|d| d.status_rank.is_failing() || d.summary.iter().any(|s| s.result == "bad"))
        {
            let app = coroot_client::AppId::new(bad.application_id.as_str()).short();
            t.footer(format!(
                "next: coroot_get_app_detail(app_id='{app}') for the failing checks; coroot_get_incidents to see what it broke"
            ));
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;
    use serde_json::json;

    #[tokio::test]
    async fn the_bad_payment_rollout_comes_first_with_its_oom_summary() {
        let kit = testing::ecommerce().await;
        let out = testing::run::<GetDeployments>(&kit, json!({})).await;
        let lines: Vec<&str> = out.text.lines().collect();
        assert!(
            lines[2].starts_with("CRITICAL default/payment · version 7d9f8b6c5: payment:2.4.1 · deployed 2025-11-24T14:50:00Z (1h 10m ago)"),
            "{}",
            out.text
        );
        assert_eq!(
            lines[3],
            "  bad: Memory: app containers have been restarted 3 times by the OOM killer"
        );
        assert!(
            out.text
                .contains("OK default/catalog · version 5f6a7b8c9: catalog:3.1.0")
        );
        assert!(out.text.contains("  ok: No notable changes"));
        assert!(
            !out.text.contains("frontend:1.9.0"),
            "the 3-day-old rollout is outside 24h"
        );
        assert!(testing::unpinned(&out.text).contains("next: coroot_get_app_detail(app_id='default/payment')"));
        assert!(!out.text.contains('🎉') && !out.text.contains('💔'));
        let first = &out.structured["deployments"][0];
        assert_eq!(first["application_id"], "k3h2x9qa:default:Deployment:payment");
        assert_eq!(first["status"], "CRITICAL");
        assert_eq!(first["status_code"], 4);
        assert_eq!(first["deployed_at"], "2025-11-24T14:50:00Z");
        assert_eq!(first["summary"][0]["result"], "bad");
        assert_eq!(out.structured["total"], 2);

        let sent = kit
            .sim
            .requests()
            .into_iter()
            .find(|r| r.path.ends_with("/overview/deployments"))
            .unwrap();
        let from: i64 = sent.param("from").unwrap().parse().unwrap();
        let to: i64 = sent.param("to").unwrap().parse().unwrap();
        assert_eq!((to, to - from), (testing::NOW_MS, 24 * 3_600_000));
        insta::assert_snapshot!(out.text);
    }

    #[tokio::test]
    async fn a_week_includes_the_older_rollout() {
        let kit = testing::ecommerce().await;
        let out = testing::run::<GetDeployments>(&kit, json!({"lookback_hours": "168"})).await;
        assert!(out.text.contains("3 rollouts: 1 CRITICAL, 2 OK"), "{}", out.text);
        assert!(
            out.text.contains(
                "OK default/frontend · version 6c8f9d7b5: frontend:1.9.0 · deployed 2025-11-21T16:00:00Z (3d ago)"
            ),
            "{}",
            out.text
        );
    }

    #[tokio::test]
    async fn an_empty_window_suggests_a_longer_one() {
        let kit = testing::start(coroot_sim::Scenario::empty()).await;
        let out = testing::run::<GetDeployments>(&kit, json!({})).await;
        assert!(out.text.contains("last 24h"), "{}", out.text);
        assert!(out.text.contains("No rollout started in this window."));
        assert!(
            testing::unpinned(&out.text).contains("next: coroot_get_deployments(lookback_hours=168)"),
            "{}",
            out.text
        );
        assert_eq!(out.structured["total"], 0);
    }
}
