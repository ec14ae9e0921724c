//! `coroot_get_risks`: what could turn the next node or zone failure into an outage, and which
//! databases are reachable from the internet?
//!
//! Coroot reports availability risks (single instance, single node, single AZ, spot-only,
//! unreplicated databases) and security risks (databases exposed on public IPs). A dismissed
//! risk keeps its key but has severity `ok` and a dismissal: it is listed last, marked with who
//! dismissed it and why, so an agent neither misses nor re-raises it. Coroot's `type` field is
//! always empty; the risk type is in `key.type`.

use std::cmp::Reverse;

use coroot_client::models::Risk;
use coroot_client::{AppId, Status};
use schemars::JsonSchema;
use serde::Serialize;

use crate::context::{ToolContext, Window};
use crate::error::ToolError;
use crate::links::Ui;
use crate::params::tool_params;
use crate::render::{Answer, Frame, Health};
use crate::tool::Tool;
use crate::tools::names;

/// The tool.
pub struct GetRisks;

tool_params! {
    /// Parameters.
    pub struct Params {
    }
    lookback_hours = "Hours to look back (default 1, max 720)."
}

/// Output.
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
    /// Risks, dismissed ones included.
    pub total: usize,
    /// Of which dismissed.
    pub dismissed: usize,
    /// CRITICAL, then WARNING, then dismissed.
    pub risks: Vec<RiskOut>,
}

/// One risk.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RiskOut {
    /// Application id.
    pub application_id: String,
    /// The app's page in Coroot's UI.
    pub url: String,
    /// `Security` or `Availability`.
    pub category: String,
    /// Coroot's risk type, e.g. `single-instance-app`, `db-internet-exposure`.
    #[serde(rename = "type")]
    pub risk_type: String,
    /// Severity (OK when dismissed).
    #[serde(flatten)]
    pub severity: Health,
    /// What is at risk, in words.
    pub description: String,
    /// Security risks: public IPs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exposed_ips: Vec<String>,
    /// Security risks: exposed ports.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exposed_ports: Vec<String>,
    /// Security risks: NodePort services exposing it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub node_port_services: Vec<String>,
    /// Security risks: LoadBalancer services exposing it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub load_balancer_services: Vec<String>,
    /// Someone dismissed it.
    pub dismissed: bool,
    /// Who dismissed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dismissed_by: Option<String>,
    /// Why it was dismissed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dismissal_reason: Option<String>,
    #[serde(skip)]
    status: Status,
}

/// Coroot's risk type in words.
fn type_words(t: &str) -> &str {
    match t {
        "db-internet-exposure" => "database exposed to the internet",
        "single-instance-app" => "single instance",
        "single-node-app" => "all instances on one node",
        "single-az-app" => "all instances in one availability zone",
        "spot-only-app" => "only on spot nodes",
        "unreplicated-database" => "unreplicated database",
        other => other,
    }
}

fn build(project: String, window: Window, ui: &Ui, risks: Vec<Risk>) -> Output {
    let mut risks: Vec<RiskOut> = risks
        .into_iter()
        .map(|r| {
            let exposure = r.exposure.unwrap_or_default();
            let description = r
                .availability
                .map(|a| a.description)
                .filter(|d| !d.trim().is_empty())
                .unwrap_or_else(|| exposure_words(&exposure));
            let dismissal = r.dismissal;
            RiskOut {
                url: ui.app(r.application_id.as_str()),
                application_id: r.application_id.into(),
                category: r.key.category,
                risk_type: r.key.risk_type,
                severity: r.severity.into(),
                description,
                exposed_ips: exposure.ips,
                exposed_ports: exposure.ports,
                node_port_services: exposure.node_port_services,
                load_balancer_services: exposure.load_balancer_services,
                dismissed: dismissal.is_some(),
                dismissed_by: dismissal.as_ref().map(|d| d.by.clone()).filter(|s| !s.is_empty()),
                dismissal_reason: dismissal.map(|d| d.reason).filter(|s| !s.is_empty()),
                status: r.severity,
            }
        })
        .collect();
    // Keys computed once: a comparison parsing both ids, and moving rows of a few hundred
    // bytes a dozen times each, were a third of building a 5,000-risk answer.
    risks.sort_by_cached_key(|r| {
        (
            r.dismissed,
            Reverse(r.status),
            AppId::new(r.application_id.as_str()).name().to_owned(),
        )
    });
    Output {
        project,
        window,
        url: ui.view("risks"),
        coroot_status: Vec::new(),
        total: risks.len(),
        dismissed: risks.iter().filter(|r| r.dismissed).count(),
        risks,
    }
}

/// `public IPs 34.201.10.7 · ports 5432 · LoadBalancer postgres-public`.
fn exposure_words(e: &coroot_client::models::RiskExposure) -> String {
    let mut parts = Vec::new();
    if !e.ips.is_empty() {
        parts.push(format!("public IPs {}", e.ips.join(", ")));
    }
    if !e.ports.is_empty() {
        parts.push(format!("ports {}", e.ports.join(", ")));
    }
    if !e.node_port_services.is_empty() {
        parts.push(format!("NodePort {}", e.node_port_services.join(", ")));
    }
    if !e.load_balancer_services.is_empty() {
        parts.push(format!("LoadBalancer {}", e.load_balancer_services.join(", ")));
    }
    parts.join(" · ")
}

impl Tool for GetRisks {
    const NAME: &'static str = names::RISKS;
    const TITLE: &'static str = "Coroot risks";
    const DESCRIPTION: &'static str = "Availability and security risks: single-instance, single-node, single-AZ and spot-only apps, unreplicated databases, databases exposed to the internet. CRITICAL first; dismissed risks last with their reason.";
    type Params = Params;
    type Output = Output;

    async fn run(ctx: &ToolContext, p: Params) -> Result<Output, ToolError> {
        let (project, range, window, ui) = p.scope(ctx, Self::NAME, 1.0).await?.parts();
        let risks = ctx.client.risks(&project.id, range).await?;
        let mut out = build(project.name, window, &ui, risks.data);
        out.coroot_status = risks.status.problems();
        Ok(out)
    }

    fn render(out: &Output, frame: Frame) -> Answer {
        let mut t = Answer::new(frame, "risks", "pass project_id to look at one project");
        t.header("Risks", &out.project, &out.window);
        t.ui("risks", &out.url);
        t.coroot_status(&out.coroot_status);
        if out.risks.is_empty() {
            t.line("No risks found: no single-instance, single-node, single-AZ or spot-only app, unreplicated database or internet-exposed database.");
            t.footer("next: coroot_get_applications for current application health");
            return t;
        }
        let mut counts: Vec<(String, usize)> = Vec::new();
        for r in &out.risks {
            let word = if r.dismissed {
                "dismissed".to_string()
            } else {
                r.severity.status.to_string()
            };
            match counts.iter_mut().find(|(s, _)| *s == word) {
                Some((_, n)) => *n += 1,
                None => counts.push((word, 1)),
            }
        }
        t.line(format!(
            "{} risk{}: {}",
            out.total,
            if out.total == 1 { "" } else { "s" },
            counts
                .iter()
                .map(|(s, n)| format!("{n} {s}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        t.each("/risks", &out.risks, |r| {
            let app = AppId::new(r.application_id.as_str()).short();
            let word = if r.dismissed { "DISMISSED" } else { r.severity.status };
            let mut item = format!("{word} {app} · {} · {}", r.category, type_words(&r.risk_type));
            if !r.description.is_empty() {
                item.push_str(&format!(": {}", r.description));
            }
            if r.dismissed {
                let by = r
                    .dismissed_by
                    .as_deref()
                    .map(|b| format!(" by {b}"))
                    .unwrap_or_default();
                let why = r
                    .dismissal_reason
                    .as_deref()
                    .map(|w| format!(": {w}"))
                    .unwrap_or_default();
                item.push_str(&format!(" (dismissed{by}{why})"));
            }
            item
        });
        if let Some(r) = out.risks.iter().find(|r| !r.dismissed) {
            t.footer(format!(
                "next: coroot_get_app_detail(app_id='{}') for its instances and health checks",
                AppId::new(r.application_id.as_str()).short()
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
    async fn critical_database_risks_come_before_the_single_instance_warning() {
        let kit = testing::ecommerce().await;
        let out = testing::run::<GetRisks>(&kit, json!({})).await;
        let lines: Vec<&str> = out.text.lines().collect();
        assert_eq!(lines[1], "6 risks: 3 CRITICAL, 3 WARNING", "{}", out.text);
        assert_eq!(
            lines[2],
            "CRITICAL default/postgres · Security · database exposed to the internet: public IPs 34.201.10.7 · LoadBalancer postgres-public"
        );
        assert_eq!(
            lines[4],
            "CRITICAL default/redis · Availability · unreplicated database: Redis isn’t replicated - data loss possible"
        );
        assert_eq!(
            lines[5],
            "WARNING default/cart · Availability · single instance: Single instance - not resilient to node failure"
        );
        let risks = &out.structured["risks"];
        assert_eq!(risks[0]["type"], "db-internet-exposure");
        assert_eq!(risks[0]["category"], "Security");
        assert_eq!(risks[0]["status_code"], 4);
        // A LoadBalancer exposes no port of the pod's own: the list is empty, so left out.
        assert!(risks[0].get("exposed_ports").is_none(), "{risks}");
        assert_eq!(risks[1]["type"], "unreplicated-database");
        assert_eq!(risks[3]["type"], "single-instance-app");
        assert_eq!(risks[3]["status"], "WARNING");
        insta::assert_snapshot!(out.text);
    }

    #[test]
    fn a_dismissed_risk_is_last_with_its_reason() {
        let risks: Vec<Risk> = serde_json::from_value(json!([
            {"key": {"category": "Availability", "type": "single-instance-app"},
             "application_id": "k3h2x9qa:default:Deployment:batch", "cluster": "production",
             "application_category": "application", "application_type": null, "severity": "ok", "type": "",
             "dismissal": {"by": "alice@example.com", "timestamp": 1763900000, "reason": "batch job, restarts are fine"},
             "availability": {"description": "Single instance - not resilient to node failure"}},
            {"key": {"category": "Availability", "type": "single-az-app"},
             "application_id": "k3h2x9qa:default:Deployment:api", "cluster": "production",
             "application_category": "application", "application_type": null, "severity": "warning", "type": "",
             "availability": {"description": "All instances in one Availability Zone - failure causes downtime"}}
        ]))
        .unwrap();
        let window = Window {
            from: "2025-11-24T15:00:00Z".into(),
            to: "2025-11-24T16:00:00Z".into(),
            lookback_hours: 1.0,
            requested_hours: None,
            pinned: false,
            adjusted: None,
        };
        let out = build("production".into(), window, &testing::ui(), risks);
        let (text, _) = testing::answer::<GetRisks>(&out);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], "2 risks: 1 WARNING, 1 dismissed", "{text}");
        assert!(lines[2].starts_with("WARNING default/api · Availability · all instances in one availability zone"));
        assert_eq!(
            lines[3],
            "DISMISSED default/batch · Availability · single instance: Single instance - not resilient to node failure (dismissed by alice@example.com: batch job, restarts are fine)"
        );
        assert!(
            testing::unpinned(&text)
                .ends_with("next: coroot_get_app_detail(app_id='default/api') for its instances and health checks")
        );
        assert_eq!(out.dismissed, 1);
        assert_eq!(out.risks[1].severity.status_code, 1);
    }

    #[tokio::test]
    async fn no_risks_says_what_was_checked() {
        let kit = testing::start(coroot_sim::Scenario::empty()).await;
        let out = testing::run::<GetRisks>(&kit, json!({})).await;
        assert!(out.text.contains("last 1h"), "{}", out.text);
        assert!(out.text.contains("No risks found"), "{}", out.text);
        assert_eq!(out.structured["total"], 0);
    }

    /// An availability risk (no exposed IPs) validated against a schema that required
    /// `exposed_ips`.
    #[test]
    fn an_availability_risk_without_exposed_ips_validates() {
        let risks: Vec<Risk> = serde_json::from_value(json!([{
            "key": {"category": "Availability", "type": "single-instance-app"},
            "application_id": "c1:shop:Deployment:cart", "severity": "warning",
            "availability": {"description": "the app runs one instance"}
        }]))
        .unwrap();
        let window = Window {
            from: "a".into(),
            to: "b".into(),
            lookback_hours: 1.0,
            requested_hours: None,
            pinned: false,
            adjusted: None,
        };
        let out = build("p".into(), window, &testing::ui(), risks);
        assert!(out.risks[0].exposed_ips.is_empty());
        testing::assert_output_conforms::<GetRisks>(&out);
    }
}
