//! `coroot_get_incidents`: what is broken, or was, and what Coroot's RCA says about it.
//!
//! Coroot's list returns the newest incidents whatever the window, so the window is applied
//! here. The list carries only the RCA summary; the root cause and fixes of open incidents are
//! fetched from their detail, because that is what an agent needs first.

use coroot_client::models::{Alert, Incident};
use schemars::JsonSchema;
use serde::Serialize;

use crate::analysis::incident::{rca_summary, why_no_rca};
use crate::context::{ToolContext, Window};
use crate::error::ToolError;
use crate::params::tool_params;
use crate::render::units::{iso, one_line, percent, span_ms, when};
use crate::render::untrusted::fenced;
use crate::render::{Answer, Frame, Health};
use crate::tool::Tool;
use crate::tools::names;

/// The tool.
pub struct GetIncidents;

/// Open incidents whose root cause is fetched from their detail.
const DETAILED: usize = 3;
/// Longest root cause or fix text in the list; the detail tool has the whole text.
const RCA_CHARS: usize = 600;

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
    /// This answer's page in Coroot's UI.
    pub url: String,
    /// What Coroot says is wrong with the project's data sources (Prometheus, node agent,
    /// kube-state-metrics): when present, the answer may be empty or incomplete.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub coroot_status: Vec<String>,
    /// Incidents in the window.
    pub total: usize,
    /// Of which still open.
    pub open: usize,
    /// Rule-based alerts firing now (Coroot v1.18+): failing checks, log patterns, Kubernetes
    /// events and PromQL rules that may have no incident (incidents come only from SLOs).
    pub firing_alerts: Vec<AlertOut>,
    /// Open first, then by severity, then newest.
    pub incidents: Vec<IncidentOut>,
}

/// A firing alert.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AlertOut {
    /// The rule, e.g. "Out of memory kills".
    pub rule: String,
    /// Severity.
    #[serde(flatten)]
    pub severity: Health,
    /// The application it is about.
    pub application_id: String,
    /// e.g. "application has been restarted 11 times by the OOM killer".
    pub summary: String,
    /// The report of the check behind it, e.g. `Memory`.
    pub report: String,
    /// UTC ISO-8601.
    pub opened_at: Option<String>,
    #[serde(skip)]
    opened_ms: Option<i64>,
}

impl AlertOut {
    fn of(a: Alert) -> AlertOut {
        AlertOut {
            rule: if a.rule_name.is_empty() { a.rule_id } else { a.rule_name },
            severity: a.severity.into(),
            application_id: a.application_id.as_str().to_owned(),
            summary: one_line(&a.summary),
            report: a.report,
            opened_at: a.opened_at.map(iso),
            opened_ms: a.opened_at,
        }
    }
}

/// What every answer says of an incident: this tool's list, the incident's detail and the
/// investigation's.
#[derive(Debug, Serialize, JsonSchema)]
pub struct IncidentHead {
    /// Key for coroot_get_incident_detail.
    pub key: String,
    /// Affected application id.
    pub application_id: String,
    /// Severity.
    #[serde(flatten)]
    pub severity: Health,
    /// Still open.
    pub open: bool,
    /// UTC ISO-8601.
    pub opened_at: Option<String>,
    /// UTC ISO-8601; absent while open.
    pub resolved_at: Option<String>,
    /// Duration so far, ms.
    pub duration_ms: i64,
    /// Share of requests affected, %.
    pub impact_percent: f64,
    #[serde(skip)]
    pub(crate) opened_ms: Option<i64>,
    #[serde(skip)]
    pub(crate) resolved_ms: Option<i64>,
}

impl From<&Incident> for IncidentHead {
    fn from(i: &Incident) -> Self {
        IncidentHead {
            key: i.key.clone(),
            application_id: i.application_id.as_str().to_owned(),
            severity: i.severity.into(),
            open: i.resolved_at.is_none(),
            opened_at: i.opened_at.map(iso),
            resolved_at: i.resolved_at.map(iso),
            duration_ms: i.duration,
            impact_percent: i.impact,
            opened_ms: i.opened_at,
            resolved_ms: i.resolved_at,
        }
    }
}

impl IncidentHead {
    /// `OPEN CRITICAL`, `RESOLVED`: Coroot sets a resolved incident's severity to OK
    /// (watchers/incidents.go), so "RESOLVED OK" would say nothing more.
    pub fn state(&self) -> String {
        match (self.open, self.severity.status_code) {
            (true, _) => format!("OPEN {}", self.severity.status),
            (false, code) if code <= coroot_client::Status::Ok.code() => "RESOLVED".into(),
            (false, _) => format!("RESOLVED {}", self.severity.status),
        }
    }
}

/// One incident.
#[derive(Debug, Serialize, JsonSchema)]
pub struct IncidentOut {
    /// The incident.
    #[serde(flatten)]
    pub head: IncidentHead,
    /// The incident's page in Coroot's UI.
    pub url: String,
    /// Coroot's automatic description of the SLO breach ("High latency and errors"): what
    /// broke, not why.
    pub description: String,
    /// The RCA's summary, only when Coroot has an RCA.
    pub rca_summary: String,
    /// RCA status (`OK`, `In progress`, `AI disabled`, ...), empty when none.
    pub rca_status: String,
    /// Root cause (markdown), for open incidents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_cause: Option<String>,
    /// Immediate fixes (markdown), for open incidents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub immediate_fixes: Option<String>,
}

impl Tool for GetIncidents {
    const NAME: &'static str = names::INCIDENTS;
    const TITLE: &'static str = "Coroot incidents";
    const DESCRIPTION: &'static str = "Start here when investigating production issues. Lists recent incidents (SLO violations) with severity, impact and Coroot's built-in RCA: root cause and fixes for open ones. Then call coroot_get_incident_detail for one incident.";
    type Params = Params;
    type Output = Output;
    const UNTRUSTED: &'static [&'static str] = &[
        "/incidents/*/rca_summary",
        "/incidents/*/root_cause",
        "/incidents/*/immediate_fixes",
    ];

    async fn run(ctx: &ToolContext, p: Params) -> Result<Output, ToolError> {
        let (project, range, window, ui) = p.scope(ctx, Self::NAME, 24.0).await?.parts();
        let (viewed, alerts) = tokio::join!(
            ctx.client.incidents(&project.id, ctx.now_ms(), 100),
            ctx.client.alerts(&project.id, range, false)
        );
        let viewed = viewed?;
        // Alerts add to the answer; an alerts failure must not hide the incidents.
        let mut firing_alerts: Vec<AlertOut> = alerts
            .ok()
            .flatten()
            .map(|a| {
                a.data
                    .alerts
                    .into_iter()
                    .filter(Alert::is_firing)
                    .map(AlertOut::of)
                    .collect()
            })
            .unwrap_or_default();
        firing_alerts.sort_by(|a, b| {
            b.severity
                .status_code
                .cmp(&a.severity.status_code)
                .then(b.opened_ms.cmp(&a.opened_ms))
        });
        let coroot_status = viewed.status.problems();
        let mut incidents: Vec<_> = viewed
            .data
            .into_iter()
            .filter(|i| {
                i.is_open()
                    || i.resolved_at.is_some_and(|r| r >= range.from_ms)
                    || i.opened_at.is_some_and(|o| o >= range.from_ms)
            })
            .collect();
        incidents.sort_by(|a, b| {
            b.is_open()
                .cmp(&a.is_open())
                .then(b.severity.cmp(&a.severity))
                .then(b.opened_at.cmp(&a.opened_at))
        });

        // Root cause and fixes of the first open incidents, fetched concurrently.
        let mut details = tokio::task::JoinSet::new();
        for (idx, incident) in incidents.iter().enumerate().filter(|(_, i)| i.is_open()).take(DETAILED) {
            let (client, project_id, key) = (ctx.client.clone(), project.id.clone(), incident.key.clone());
            details.spawn(async move { (idx, client.incident(&project_id, &key).await) });
        }
        let mut rca = vec![None; incidents.len()];
        while let Some(joined) = details.join_next().await {
            // A failed detail only costs the extra text; the list itself stands.
            if let Ok((idx, Ok(view))) = joined
                && let Some(slot) = rca.get_mut(idx)
            {
                *slot = view.data.incident.rca;
            }
        }

        let out: Vec<IncidentOut> = incidents
            .into_iter()
            .zip(rca)
            .map(|(i, detail)| {
                let head = IncidentHead::from(&i);
                let list_rca = i.rca.unwrap_or_default();
                let detail = detail.unwrap_or_default();
                let rca_summary = [rca_summary(Some(&detail)), rca_summary(Some(&list_rca))]
                    .into_iter()
                    .find(|s| !s.is_empty())
                    .unwrap_or_default();
                let status = if list_rca.status.is_empty() {
                    detail.status
                } else {
                    list_rca.status
                };
                IncidentOut {
                    url: ui.incident(&head.key),
                    head,
                    description: i.short_description.trim().to_string(),
                    rca_summary,
                    rca_status: status,
                    root_cause: Some(detail.root_cause).filter(|s| !s.trim().is_empty()),
                    immediate_fixes: Some(detail.immediate_fixes).filter(|s| !s.trim().is_empty()),
                }
            })
            .collect();
        Ok(Output {
            project: project.name,
            window,
            url: ui.view("incidents"),
            coroot_status,
            total: out.len(),
            open: out.iter().filter(|i| i.head.open).count(),
            firing_alerts,
            incidents: out,
        })
    }

    fn render(out: &Output, frame: Frame) -> Answer {
        let now_ms = frame.now_ms;
        let mut t = Answer::new(frame, "incidents", "pass a shorter lookback_hours");
        t.header("Incidents", &out.project, &out.window);
        t.ui("incidents", &out.url);
        t.coroot_status(&out.coroot_status);
        // Open-source Coroot has no AI RCA: when no incident has one for the same reason, the
        // reason is said once.
        let no_rca: Vec<String> = out
            .incidents
            .iter()
            .filter(|i| i.rca_summary.is_empty() && i.root_cause.is_none())
            .map(|i| why_no_rca(&i.rca_status, ""))
            .collect();
        let shared_no_rca =
            (no_rca.len() > 1 && no_rca.len() == out.incidents.len() && no_rca.iter().all(|r| *r == no_rca[0]))
                .then(|| no_rca[0].clone());
        let critical = out
            .incidents
            .iter()
            .filter(|i| i.head.open && i.head.severity.status == "CRITICAL")
            .count();
        if out.incidents.is_empty() {
            t.line("No incident was open or opened in this window.");
        } else {
            t.line(format!(
                "{} incidents: {} open{}, {} resolved",
                out.total,
                out.open,
                if critical > 0 {
                    format!(" ({critical} CRITICAL)")
                } else {
                    String::new()
                },
                out.total - out.open
            ));
        }
        if let Some(reason) = &shared_no_rca {
            t.line(format!("no RCA on any of them: {reason}"));
        }
        for (n, incident) in out.incidents.iter().enumerate() {
            let i = &incident.head;
            let app = coroot_client::AppId::new(i.application_id.as_str()).short();
            let mut item = format!("{} {} · {}", i.state(), i.key, app);
            if let Some(ms) = i.opened_ms {
                item.push_str(&format!(" · opened {}", when(now_ms, ms)));
            }
            if i.open {
                item.push_str(&format!(", ongoing {}", span_ms(i.duration_ms)));
            } else {
                item.push_str(&format!(", lasted {}", span_ms(i.duration_ms)));
            }
            if i.impact_percent > 0.0 {
                item.push_str(&format!(" · impact {} of requests", percent(i.impact_percent)));
            }
            let i = incident;
            item.push_str(&format!(" · {}", i.url));
            t.resource(format!("incident {}", i.head.key), &i.url);
            // With an RCA, Coroot's description is the RCA's summary.
            if !i.description.is_empty() && i.description != i.rca_summary {
                item.push_str(&format!("\n  what broke: {}", one_line(&i.description)));
            }
            if !i.rca_summary.is_empty() {
                item.push_str(&format!("\n  Coroot RCA: {}", fenced(&i.rca_summary, RCA_CHARS)));
            }
            if let Some(rc) = &i.root_cause {
                item.push_str(&format!("\n  root cause: {}", fenced(rc, RCA_CHARS)));
            }
            if let Some(fix) = &i.immediate_fixes {
                item.push_str(&format!("\n  fixes: {}", fenced(fix, RCA_CHARS)));
            }
            if i.rca_summary.is_empty() && i.root_cause.is_none() && shared_no_rca.is_none() {
                item.push_str(&format!("\n  no RCA: {}", why_no_rca(&i.rca_status, "")));
            }
            t.item("/incidents", n, item);
        }
        if !out.firing_alerts.is_empty() {
            t.heading(format!(
                "FIRING ALERTS ({}), rule-based, incidents or not:",
                out.firing_alerts.len()
            ));
            for (n, a) in out.firing_alerts.iter().enumerate() {
                let mut line = format!(
                    "{} {} · {}",
                    a.severity.status,
                    a.rule,
                    coroot_client::AppId::new(a.application_id.as_str()).short()
                );
                if !a.summary.is_empty() {
                    line.push_str(&format!(": {}", a.summary));
                }
                if let Some(ms) = a.opened_ms {
                    line.push_str(&format!(" · since {}", when(now_ms, ms)));
                }
                t.item("/firing_alerts", n, line);
            }
        }
        if let Some(first) = out.incidents.first() {
            t.footer(format!(
                "next: coroot_get_incident_detail(incident_key='{}') for the full RCA and propagation map",
                first.head.key
            ));
        } else if let Some(alert) = out.firing_alerts.first() {
            t.footer(format!(
                "next: coroot_get_app_detail(app_id='{}') for the checks behind the worst firing alert",
                alert.application_id
            ));
        } else {
            t.footer("next: coroot_get_applications to check current health, or a longer lookback_hours");
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
    async fn open_incident_leads_with_its_root_cause_and_fixes() {
        let kit = testing::cloud_rca().await;
        let out = testing::run::<GetIncidents>(&kit, json!({})).await;
        let first = out.text.lines().nth(2).unwrap();
        assert!(
            first.starts_with("OPEN CRITICAL q8w7e6r5 · default/checkout"),
            "{}",
            out.text
        );
        assert!(
            out.text.contains("root cause:") && out.text.contains("payment"),
            "{}",
            out.text
        );
        assert!(
            out.text.contains("fixes: ⟦* Roll back payment to 2.4.0"),
            "{}",
            out.text
        );
        assert!(out.text.contains("a1b2c3d4"), "resolved incident within 24h is listed");
        assert!(
            !out.text.contains("z9y8x7w6"),
            "an incident resolved 3 days ago is outside 24h"
        );
        assert_eq!(out.structured["incidents"][0]["status_code"], 4);
        assert_eq!(out.structured["open"], 2);
        insta::assert_snapshot!(out.text);
    }

    #[tokio::test]
    async fn open_source_coroot_says_once_why_there_is_no_rca_and_lists_firing_alerts_after() {
        let kit = testing::ecommerce().await;
        let out = testing::run::<GetIncidents>(&kit, json!({})).await;
        let lines: Vec<&str> = out.text.lines().collect();
        assert_eq!(lines[1], "4 incidents: 2 open (2 CRITICAL), 2 resolved", "{}", out.text);
        assert_eq!(
            lines[2],
            "no RCA on any of them: Coroot's AI RCA is not enabled (open-source Coroot has none)"
        );
        assert_eq!(out.text.matches("AI RCA is not enabled").count(), 1, "{}", out.text);
        assert!(
            lines[3].starts_with("OPEN CRITICAL q8w7e6r5 · default/checkout"),
            "{}",
            out.text
        );
        assert!(
            lines[4].starts_with("  what broke: High latency and errors"),
            "{}",
            out.text
        );
        // Alerts fire on checks whether or not an SLO is broken: payment's OOM kills are
        // there, though only checkout and frontend have incidents.
        let alerts = out.text.find("FIRING ALERTS (8)").unwrap();
        assert!(alerts > out.text.find("RESOLVED a1b2c3d4").unwrap(), "{}", out.text);
        assert!(
            out.text[alerts..].contains(
                "WARNING Out of memory kills · default/payment: application has been restarted 3 times by the OOM killer"
            ),
            "{}",
            out.text
        );
        assert_eq!(out.structured["firing_alerts"][0]["status"], "WARNING");
        assert!(testing::unpinned(&out.text).ends_with(
            "next: coroot_get_incident_detail(incident_key='q8w7e6r5') for the full RCA and propagation map"
        ));
    }

    #[tokio::test]
    async fn lookback_is_clamped_to_720_hours_and_said() {
        let kit = testing::ecommerce().await;
        let out = testing::run::<GetIncidents>(&kit, json!({"lookback_hours": 10_000})).await;
        assert!(
            out.text.contains("lookback_hours=10k is outside (0, 720]; used 30d"),
            "{}",
            out.text
        );
        let sent = kit
            .sim
            .requests()
            .into_iter()
            .find(|r| r.path.ends_with("/incidents"))
            .unwrap();
        // Coroot does not filter the list by time but builds its world for the window sent
        // (api/api.go Incidents), so only the last minutes are asked for; the 30 days are
        // applied here.
        let from: i64 = sent.param("from").unwrap().parse().unwrap();
        let to: i64 = sent.param("to").unwrap().parse().unwrap();
        assert_eq!((to, to - from), (testing::NOW_MS, 5 * 60_000));
        assert!(out.text.contains("z9y8x7w6"), "30 days include the 3-day-old incident");
    }

    #[tokio::test]
    async fn an_empty_window_says_what_was_searched() {
        let kit = testing::start(coroot_sim::Scenario::empty()).await;
        let out = testing::run::<GetIncidents>(&kit, json!({"lookback_hours": "2"})).await;
        assert!(out.text.contains("last 2h"), "{}", out.text);
        assert!(out.text.contains("No incident was open or opened in this window."));
        assert!(testing::unpinned(&out.text).contains("next: coroot_get_applications"));
    }
}
