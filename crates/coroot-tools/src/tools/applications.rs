//! `coroot_get_applications`: which applications are unhealthy right now, and in what way?
//!
//! Coroot's statuses are strings (`"critical"`), which the original tool compared with
//! upper-case integers-as-labels, so its counters were always 0; here they are parsed. The
//! order is applied here (CRITICAL, WARNING, INFO, then UNKNOWN and OK, each by name) rather
//! than trusted from the server. Each unhealthy app shows only its cells that are not OK;
//! UNKNOWN and OK apps are listed by name, 20 per line, so 5,000 apps still fit the cap.

use coroot_client::models::ApplicationStatus;
use coroot_client::{AppId, Status};
use schemars::JsonSchema;
use serde::Serialize;

use crate::analysis::severity::attention_rank;
use crate::context::{ToolContext, Window};
use crate::error::ToolError;
use crate::links::Ui;
use crate::params::{opt_string, tool_params};
use crate::render::{Answer, Frame, Health};
use crate::tool::Tool;
use crate::tools::names;

/// The tool.
pub struct GetApplications;

/// Healthy (or unknown) apps listed per text line.
const NAMES_PER_LINE: usize = 20;
/// The structured list the answer's items stand for.
const APPS: &str = "/applications";
/// What narrows the output, named in the cap notice.
const NARROW: &str = "pass status='warning' to list only failing apps, or call coroot_get_app_detail for one app";

tool_params! {
    /// Parameters.
    pub struct Params {
        /// Only apps at or above this status: "info", "warning" or "critical" (default: all).
        #[serde(default, deserialize_with = "opt_string")]
        pub status: Option<String>,
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
    /// The applications view in Coroot's UI.
    pub url: String,
    /// What Coroot says is wrong with the project's data sources (Prometheus, node agent,
    /// kube-state-metrics): when present, the answer may be empty or incomplete.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub coroot_status: Vec<String>,
    /// Applications in the project, before the status filter.
    pub total: usize,
    /// Applications per status, before the status filter.
    pub counts: Counts,
    /// The minimum status listed, when filtered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_filter: Option<&'static str>,
    /// CRITICAL, WARNING, INFO, UNKNOWN, then OK; by name within a status.
    pub applications: Vec<AppOut>,
}

/// Applications per status.
#[derive(Debug, Default, Serialize, JsonSchema)]
pub struct Counts {
    /// CRITICAL.
    pub critical: usize,
    /// WARNING.
    pub warning: usize,
    /// INFO.
    pub info: usize,
    /// UNKNOWN (no data).
    pub unknown: usize,
    /// OK.
    pub ok: usize,
}

/// One application.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AppOut {
    /// Application id (for coroot_get_app_detail).
    pub id: String,
    /// Overall status.
    #[serde(flatten)]
    pub status: Health,
    /// Detected technology, e.g. `postgres`, `golang`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub app_type: Option<String>,
    /// Category, e.g. `application`, `monitoring`.
    pub category: String,
    /// Cells whose status is neither OK nor UNKNOWN.
    pub cells: Vec<CellOut>,
    /// The app's page in Coroot's UI.
    pub url: String,
}

/// One status cell of an application.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CellOut {
    /// Column: errors, latency, upstreams, instances, restarts, cpu, memory, disk_io_load, disk_usage, network, dns, logs.
    pub name: &'static str,
    /// Coroot's value, e.g. `4%`, `OOM`, `3/4`.
    pub value: String,
    /// Cell status.
    #[serde(flatten)]
    pub status: Health,
}

/// Listed one per item, with its cells.
fn detailed(s: Status) -> bool {
    s >= Status::Info
}

fn parse_filter(raw: Option<&str>) -> Result<Option<Status>, ToolError> {
    let Some(raw) = raw else { return Ok(None) };
    match raw.trim().to_ascii_lowercase().as_str() {
        "all" | "ok" | "any" => Ok(None),
        "info" => Ok(Some(Status::Info)),
        "warning" | "warn" => Ok(Some(Status::Warning)),
        "critical" => Ok(Some(Status::Critical)),
        other => Err(ToolError::params(
            names::APPLICATIONS,
            format!("status must be 'info', 'warning' or 'critical', got '{other}'"),
        )),
    }
}

impl Tool for GetApplications {
    const NAME: &'static str = names::APPLICATIONS;
    const TITLE: &'static str = "Coroot applications";
    const DESCRIPTION: &'static str = "Health of every application, CRITICAL first: for each unhealthy app, the failing signals (errors, latency, upstreams, instances, restarts, CPU, memory, disk, network, DNS, logs) with their values. Healthy apps are listed by name. Use for a proactive health scan; then coroot_get_app_detail for one app.";
    type Params = Params;
    type Output = Output;

    async fn run(ctx: &ToolContext, p: Params) -> Result<Output, ToolError> {
        let filter = parse_filter(p.status.as_deref())?;
        let (project, range, window, ui) = p.scope(ctx, Self::NAME, 1.0).await?.parts();
        let apps = ctx.client.applications(&project.id, range).await?;
        let mut out = build(project.name, window, &ui, apps.data, filter);
        out.coroot_status = apps.status.problems();
        Ok(out)
    }

    fn render(out: &Output, frame: Frame) -> Answer {
        let mut t = Answer::new(frame, "entries (one per unhealthy app, 20 names per OK line)", NARROW);
        t.header("Applications", &out.project, &out.window);
        t.ui("applications", &out.url);
        t.coroot_status(&out.coroot_status);
        if out.total == 0 {
            t.line("No applications: Coroot lists only apps with at least one known status in the window.");
            t.footer("next: a longer lookback_hours, another project_id, or coroot_get_nodes to check that the node agents report");
            return t;
        }
        let c = &out.counts;
        let parts: Vec<String> = [
            (c.critical, "CRITICAL"),
            (c.warning, "WARNING"),
            (c.info, "INFO"),
            (c.unknown, "UNKNOWN"),
            (c.ok, "OK"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, label)| format!("{n} {label}"))
        .collect();
        t.line(format!("{} applications: {}", out.total, parts.join(", ")));
        if let Some(f) = out.status_filter {
            t.line(format!(
                "listing only apps at {f} or worse (status filter); {} listed",
                out.applications.len()
            ));
        }
        // `applications` is sorted by status: the detailed apps, then UNKNOWN, then OK.
        let detailed_apps = out.applications.iter().take_while(|a| detailed(status_of(a))).count();
        for (i, a) in out.applications.iter().enumerate().take(detailed_apps) {
            t.resource(format!("application {}", a.id), &a.url);
            t.item(APPS, i, app_line(a));
        }
        let mut start = detailed_apps;
        for status in [Status::Unknown, Status::Ok] {
            let count = out
                .applications
                .iter()
                .skip(start)
                .take_while(|a| status_of(a) == status)
                .count();
            if count == 0 {
                continue;
            }
            t.heading(format!("{} ({count}):", status.label()));
            t.name_lines(APPS, start..start + count, NAMES_PER_LINE, |i| {
                out.applications
                    .get(i)
                    .map(|a| AppId::new(a.id.as_str()).short())
                    .unwrap_or_default()
            });
            start += count;
        }
        if out.applications.is_empty() {
            t.line("No application is at that status.");
            t.footer("next: call again without status to list every app");
            return t;
        }
        match out.applications.first() {
            Some(worst) if detailed(status_of(worst)) => t.footer(format!(
                "next: {}(app_id='{}') for the failing checks of the worst app",
                names::APP_DETAIL,
                worst.id
            )),
            _ => t.footer("next: coroot_get_incidents(lookback_hours=24) or coroot_get_service_map() to look for trouble elsewhere"),
        };
        t
    }
}

fn status_of(a: &AppOut) -> Status {
    Status::parse(a.status.status)
}

fn app_line(a: &AppOut) -> String {
    let id = AppId::new(a.id.as_str());
    let mut line = format!("{} {}", a.status.status, id.short());
    if let Some(t) = &a.app_type {
        line.push_str(&format!(" · {t}"));
    }
    if !a.category.is_empty() && a.category != "application" {
        line.push_str(&format!(" [{}]", a.category));
    }
    let cells: Vec<String> = a
        .cells
        .iter()
        .map(|c| {
            if c.value.is_empty() {
                format!("{} {}", c.name, c.status.status)
            } else {
                format!("{} {} {}", c.name, c.value, c.status.status)
            }
        })
        .collect();
    if !cells.is_empty() {
        line.push_str(": ");
        line.push_str(&cells.join(" · "));
    }
    line.push_str(" · ");
    line.push_str(&a.url);
    line
}

fn build(project: String, window: Window, ui: &Ui, apps: Vec<ApplicationStatus>, filter: Option<Status>) -> Output {
    let mut counts = Counts::default();
    for a in &apps {
        match a.status {
            Status::Critical => counts.critical += 1,
            Status::Warning => counts.warning += 1,
            Status::Info => counts.info += 1,
            Status::Unknown => counts.unknown += 1,
            Status::Ok => counts.ok += 1,
        }
    }
    let total = apps.len();
    let mut apps: Vec<ApplicationStatus> = apps
        .into_iter()
        .filter(|a| filter.is_none_or(|min| a.status >= min))
        .collect();
    apps.sort_by(|a, b| {
        attention_rank(a.status)
            .cmp(&attention_rank(b.status))
            .then_with(|| a.id.name().cmp(b.id.name()))
            .then_with(|| a.id.cmp(&b.id))
    });
    let applications = apps
        .into_iter()
        .map(|a| {
            let cells = a
                .params()
                .into_iter()
                .filter(|(_, p)| !matches!(p.status, Status::Ok | Status::Unknown))
                .map(|(name, p)| CellOut {
                    name,
                    value: p.value.trim().to_string(),
                    status: p.status.into(),
                })
                .collect();
            AppOut {
                url: ui.app(a.id.as_str()),
                id: a.id.as_str().to_owned(),
                status: a.status.into(),
                app_type: a.app_type.map(|t| t.name).filter(|n| !n.is_empty()),
                category: a.category,
                cells,
            }
        })
        .collect();
    Output {
        project,
        window,
        url: ui.view("applications"),
        coroot_status: Vec::new(),
        total,
        counts,
        status_filter: filter.map(Status::label),
        applications,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;
    use serde_json::json;

    #[tokio::test]
    async fn unhealthy_apps_come_first_with_only_their_failing_cells() {
        let kit = testing::ecommerce().await;
        let out = testing::run::<GetApplications>(&kit, json!({})).await;
        let lines: Vec<&str> = out.text.lines().collect();
        assert!(
            lines[0].starts_with("Applications · project production · last 1h"),
            "{}",
            out.text
        );
        assert!(lines[1].starts_with("10 applications: 2 CRITICAL, "), "{}", out.text);
        assert!(
            lines[2]
                .starts_with("CRITICAL default/checkout · java: errors 19% CRITICAL · network failed conns WARNING"),
            "{}",
            out.text
        );
        let payment = lines.iter().find(|l| l.starts_with("WARNING default/payment")).unwrap();
        assert!(
            payment.contains("restarts 3 WARNING") && payment.contains("memory OOM WARNING"),
            "{payment}"
        );
        assert!(!payment.contains("latency"), "OK cells are left out: {payment}");
        assert!(
            out.text
                .contains("CRITICAL default/frontend · nodejs: latency 1s CRITICAL"),
            "{}",
            out.text
        );
        assert!(
            out.text.contains("catalog · golang: network failed conns WARNING"),
            "{}",
            out.text
        );
        assert!(out.text.contains("OK ("), "{}", out.text);
        assert!(out.text.contains("kube-system/kube-proxy"), "{}", out.text);
        assert!(testing::unpinned(&out.text).ends_with(
            "next: coroot_get_app_detail(app_id='k3h2x9qa:default:Deployment:checkout') for the failing checks of the worst app"
        ));
        // Statuses are counted from Coroot's strings (the original's counters were always 0).
        let s = &out.structured;
        assert_eq!(s["counts"]["critical"], 2);
        assert!(s["counts"]["warning"].as_u64().unwrap() >= 4);
        assert_eq!(s["applications"][0]["id"], "k3h2x9qa:default:Deployment:checkout");
        assert_eq!(s["applications"][0]["status_code"], 4);
        assert_eq!(s["applications"][0]["cells"][0]["name"], "errors");
        assert_eq!(s["applications"][0]["cells"][0]["value"], "19%");
        assert_eq!(s["applications"].as_array().unwrap().len(), 10);
        insta::assert_snapshot!(out.text);
    }

    #[tokio::test]
    async fn a_status_filter_lists_only_failing_apps() {
        let kit = testing::ecommerce().await;
        let out = testing::run::<GetApplications>(&kit, json!({"status": "CRITICAL"})).await;
        let apps = out.structured["applications"].as_array().unwrap();
        assert_eq!(apps.len(), 2);
        assert!(apps.iter().all(|a| a["status"] == "CRITICAL"), "{apps:?}");
        assert_eq!(out.structured["total"], 10);
        assert!(!out.text.contains("OK ("), "{}", out.text);
        let e = testing::run_err::<GetApplications>(&kit, json!({"status": "bad"})).await;
        assert!(e.contains("'info', 'warning' or 'critical'"), "{e}");
    }

    #[tokio::test]
    async fn five_thousand_apps_fit_the_cap_worst_first() {
        let kit = testing::start(coroot_sim::Scenario::synthetic(Default::default())).await;
        let out = testing::run::<GetApplications>(&kit, json!({})).await;
        assert!(out.text.chars().count() <= 120_000, "{}", out.text.len());
        let s = &out.structured;
        let total = s["total"].as_u64().unwrap() as usize;
        assert!(total >= 1000, "{total}");
        let listed = s["applications"].as_array().unwrap();
        // CRITICAL apps first, in both forms.
        let critical = s["counts"]["critical"].as_u64().unwrap() as usize;
        if critical > 0 {
            assert_eq!(listed[0]["status"], "CRITICAL");
            assert!(out.text.lines().nth(2).unwrap().starts_with("CRITICAL "));
        }
        let codes: Vec<u64> = listed.iter().map(|a| a["status_code"].as_u64().unwrap()).collect();
        let ranks: Vec<u8> = codes
            .iter()
            .map(|&c| attention_rank(Status::parse(&c.to_string())))
            .collect();
        assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "sorted by status");
        // The default synthetic cluster does not fit: whole entries are left out and said.
        let cut = &s["truncated"];
        assert!(cut["omitted"].as_u64().unwrap() > 0, "{s}");
        assert!(
            out.text.contains(" not shown; pass status='warning'"),
            "{}",
            &out.text[out.text.len() - 400..]
        );
        // The structured list holds exactly the apps the text names.
        let detailed_lines = out
            .text
            .lines()
            .filter(|l| ["CRITICAL ", "WARNING ", "INFO "].iter().any(|p| l.starts_with(p)))
            .count();
        let ok_names: usize = out
            .text
            .lines()
            .skip_while(|l| !l.starts_with("OK ("))
            .skip(1)
            .take_while(|l| !l.starts_with("[output capped"))
            .map(|l| l.split(", ").count())
            .sum();
        assert_eq!(listed.len(), detailed_lines + ok_names);
        assert!(listed.len() < total);
        for a in listed {
            let short = AppId::new(a["id"].as_str().unwrap()).short();
            assert!(out.text.contains(&short), "{short}");
        }
    }

    #[tokio::test]
    async fn an_empty_project_says_what_was_searched() {
        let kit = testing::start(coroot_sim::Scenario::empty()).await;
        let out = testing::run::<GetApplications>(&kit, json!({"lookback_hours": 3})).await;
        assert!(out.text.contains("last 3h"), "{}", out.text);
        assert!(out.text.contains("No applications"), "{}", out.text);
        assert!(testing::unpinned(&out.text).contains("next: "), "{}", out.text);
    }
}
