//! `coroot_get_app_detail`: what exactly is wrong with this application?
//!
//! Coroot's audit reports hold ~40 health checks; the failing ones come first with their
//! message, threshold and condition (the original tool compared the string statuses with
//! integers, so its `failing_checks` was always empty). The app id may be the 4-part id, the
//! older 3-part `namespace:Kind:name`, `namespace/name` or a bare name; it is resolved to the
//! 4-part id Coroot requires. Charts are left out (coroot_query_metrics has the series); the
//! report tables an SRE reads (instances, volumes, DNS, databases, deployments) are kept.

use std::collections::BTreeMap;

use coroot_client::models::{AppMapApp, ApplicationView, AuditReport, Table};
use coroot_client::{AppId, Error as CorootError, Status};
use schemars::JsonSchema;
use serde::Serialize;

use crate::analysis::tables::{cell_in, compact, row_name};
use crate::context::{ToolContext, Window};
use crate::error::ToolError;
use crate::params::{req_string, tool_params};
use crate::render::units::{one_line, threshold};
use crate::render::{Answer, Frame, Health};
use crate::resolve;
use crate::tool::Tool;
use crate::tools::names;

/// The tool.
pub struct GetAppDetail;

/// Rows shown per report table.
const MAX_ROWS: usize = 20;
/// Longest table cell.
const CELL_CHARS: usize = 300;

tool_params! {
    /// Parameters.
    pub struct Params {
        /// App id "cluster:namespace:Kind:name" (from coroot_get_applications); "namespace/name" or a bare name also work.
        #[serde(deserialize_with = "req_string")]
        pub app_id: String,
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
    /// The resolved 4-part application id.
    pub app_id: String,
    /// Overall status (worst of the SLO, Instances and database reports).
    #[serde(flatten)]
    pub status: Health,
    /// One per report with a known status.
    pub indicators: Vec<ReportStatus>,
    /// WARNING and CRITICAL checks, worst first.
    pub failing_checks: Vec<CheckOut>,
    /// Every audit report with its status.
    pub reports: Vec<ReportStatus>,
    /// Coroot's views of the app without checks (`Tracing`, `Profiling`).
    pub views: Vec<String>,
    /// Instances (pods), problems first.
    pub instances: Vec<InstanceOut>,
    /// Apps calling this one, problem links first.
    pub clients: Vec<LinkOut>,
    /// Apps this one calls, problem links first.
    pub dependencies: Vec<LinkOut>,
    /// Report tables (volumes, DNS, databases, deployments, SLO clients).
    pub tables: Vec<TableOut>,
}

/// A report and its status.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ReportStatus {
    /// Report name, e.g. `Memory`.
    pub report: String,
    /// Status.
    #[serde(flatten)]
    pub status: Health,
    /// What to configure for this report to show more, and Coroot's page on it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub configuration_hint: Option<String>,
}

/// A failing health check.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CheckOut {
    /// Report, e.g. `Memory`.
    pub report: String,
    /// Check id, e.g. `MemoryOOM`.
    pub id: String,
    /// Title, e.g. `Out of Memory`.
    pub title: String,
    /// Status.
    #[serde(flatten)]
    pub status: Health,
    /// What Coroot found.
    pub message: String,
    /// Configured threshold, in `unit`.
    pub threshold: f64,
    /// `""`, `percent`, `second`, `seconds/second`.
    pub unit: String,
    /// The condition with the threshold filled in.
    pub condition: String,
    /// Extra lines (Coroot v1.24+).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

/// An instance of the application.
#[derive(Debug, Serialize, JsonSchema)]
pub struct InstanceOut {
    /// Instance (pod) name.
    pub name: String,
    /// Coroot's status text, e.g. `up (running)`, `down (waiting:CrashLoopBackOff)`.
    pub status: String,
    /// Container restarts in the window.
    pub restarts: String,
    /// Node name.
    pub node: String,
    /// Pod IP.
    pub ip: String,
    /// Labels such as `role`, `version`.
    pub labels: BTreeMap<String, String>,
}

/// A link to a client or dependency.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LinkOut {
    /// The other application's id.
    pub id: String,
    /// Status of the connection.
    #[serde(flatten)]
    pub link: Health,
    /// The connection problem, e.g. "failed connections".
    pub reason: String,
    /// e.g. "📈 40 rps ⏱️ 2ms".
    pub stats: Vec<String>,
    /// Requests per second.
    pub rps: f64,
    /// The other application's own status word.
    pub app_status: &'static str,
}

/// A report table.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TableOut {
    /// Report the table belongs to.
    pub report: String,
    /// Column headers (empty-titled, empty columns dropped).
    pub header: Vec<String>,
    /// Rows as text cells; a cell's non-OK status is appended in parentheses.
    pub rows: Vec<Vec<String>>,
    /// Rows left out beyond the first 20.
    pub more_rows: usize,
}

impl Tool for GetAppDetail {
    const NAME: &'static str = names::APP_DETAIL;
    const TITLE: &'static str = "Coroot application detail";
    const DESCRIPTION: &'static str = "Audit of one application: failing health checks first (OOM kills, restarts, CPU throttling, TCP/DNS failures, disk I/O, DB latency...) with values and thresholds, then instances, clients and dependencies with link health, and key tables (volumes, DNS, databases, deployments). Accepts the app id, namespace/name or a bare name.";
    type Params = Params;
    type Output = Output;

    async fn run(ctx: &ToolContext, p: Params) -> Result<Output, ToolError> {
        let (project, range, window, ui) = p.scope(ctx, Self::NAME, 1.0).await?.parts();
        let id = resolve::app_id(ctx, &project.id, &p.app_id).await?;
        let view = match ctx.client.app(&project.id, &id, range).await {
            Ok(view) => view,
            // A well-formed id Coroot does not know: suggest the closest real ones.
            Err(CorootError::NotFound { .. }) => {
                let index = resolve::app_index(ctx, &project.id).await.unwrap_or_default();
                return Err(resolve::unknown(&p.app_id, &index));
            }
            Err(e) => return Err(e.into()),
        };
        let mut out = build(project.name, window, &id, view.data);
        out.coroot_status = view.status.problems();
        out.url = ui.app(out.app_id.as_str());
        Ok(out)
    }

    fn render(out: &Output, frame: Frame) -> Answer {
        let mut t = Answer::new(
            frame,
            "entries",
            "pass a shorter lookback_hours, or use coroot_get_app_logs / coroot_query_metrics for one signal",
        );
        let id = AppId::new(out.app_id.as_str());
        t.header(&format!("App {}", id.short()), &out.project, &out.window);
        t.ui(format!("application {}", out.app_id), &out.url);
        t.coroot_status(&out.coroot_status);
        let bad: Vec<String> = out
            .indicators
            .iter()
            .filter(|i| i.status.status_code >= Status::Warning.code())
            .map(|i| format!("{} {}", i.report, i.status.status))
            .collect();
        t.line(format!(
            "{} · {} · indicators: {}",
            out.app_id,
            out.status.status,
            if bad.is_empty() {
                "all OK".to_string()
            } else {
                bad.join(", ")
            }
        ));
        if out.reports.is_empty() {
            t.line("Coroot returned no audit reports for this application in the window.");
        }

        if out.failing_checks.is_empty() {
            t.line("no failing checks");
        } else {
            t.heading(format!("FAILING CHECKS ({})", out.failing_checks.len()));
            for (i, c) in out.failing_checks.iter().enumerate() {
                let mut line = format!("{} / {} {}", c.report, c.title, c.status.status);
                if !c.message.is_empty() {
                    line.push_str(&format!(": {}", c.message));
                }
                if c.condition.is_empty() {
                    line.push_str(&format!(" (threshold {})", threshold(c.threshold, &c.unit)));
                } else {
                    line.push_str(&format!(" (condition: {})", c.condition));
                }
                for d in &c.details {
                    line.push_str(&format!("\n  {}", one_line(d)));
                }
                t.item("/failing_checks", i, line);
            }
        }
        if !out.reports.is_empty() {
            let reports: Vec<String> = out
                .reports
                .iter()
                .map(|r| format!("{} {}", r.report, r.status.status))
                .collect();
            t.line(format!("reports: {}", reports.join(" · ")));
            for r in &out.reports {
                if let Some(hint) = &r.configuration_hint {
                    t.line(format!("configuration hint ({}): {hint}", r.report));
                }
            }
        }
        if !out.views.is_empty() {
            let views: Vec<String> = (out.views.iter())
                .map(|v| match v.as_str() {
                    "Tracing" => format!("Tracing: {}(app_id='{}')", names::TRACES, out.app_id),
                    "Profiling" => "Profiling: CPU and memory flame graphs in Coroot's UI".into(),
                    other => other.into(),
                })
                .collect();
            t.line(format!("views: {}", views.join(" · ")));
        }

        if !out.instances.is_empty() {
            t.heading(format!("INSTANCES ({})", out.instances.len()));
            for (n, i) in out.instances.iter().enumerate() {
                let mut line = i.name.clone();
                if !i.status.is_empty() {
                    line.push_str(&format!(": {}", i.status));
                }
                if !i.restarts.is_empty() {
                    line.push_str(&format!(" · restarts {}", i.restarts));
                }
                if !i.node.is_empty() {
                    line.push_str(&format!(" · node {}", i.node));
                }
                if !i.ip.is_empty() {
                    line.push_str(&format!(" · ip {}", i.ip));
                }
                if !i.labels.is_empty() {
                    let labels: Vec<String> = i.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    line.push_str(&format!(" · {}", labels.join(" ")));
                }
                t.item("/instances", n, line);
            }
        }
        let name = id.name();
        for (section, title, list, client) in [
            ("/clients", "CLIENTS calling", &out.clients, true),
            ("/dependencies", "DEPENDENCIES called by", &out.dependencies, false),
        ] {
            if list.is_empty() {
                continue;
            }
            t.heading(format!("{title} {name} ({})", list.len()));
            for (i, l) in list.iter().enumerate() {
                let other = AppId::new(l.id.as_str()).short();
                let (from, to) = if client {
                    (other.as_str(), name)
                } else {
                    (name, other.as_str())
                };
                let mut line = format!("{from} → {to}: {}", l.link.status);
                let stats = l.stats.join(" ");
                if !stats.is_empty() {
                    line.push_str(&format!(" {stats}"));
                }
                if !l.reason.is_empty() && !stats.contains(&l.reason) {
                    line.push_str(&format!(" ({})", l.reason));
                }
                line.push_str(&format!(" · app {}", l.app_status));
                t.item(section, i, line);
            }
        }
        if !out.tables.is_empty() {
            t.heading("TABLES");
            for (i, tab) in out.tables.iter().enumerate() {
                let mut block = format!("{}: {}", tab.report, tab.header.join(" | "));
                for row in &tab.rows {
                    block.push_str(&format!("\n  {}", row.join(" | ")));
                }
                if tab.more_rows > 0 {
                    block.push_str(&format!("\n  (+{} more rows)", tab.more_rows));
                }
                t.item("/tables", i, block);
            }
        }

        let mut next = format!(
            "next: coroot_get_app_logs(app_id='{}', severity='error') for the errors behind these checks",
            out.app_id
        );
        if let Some(dep) = out
            .dependencies
            .iter()
            .chain(&out.clients)
            .find(|l| l.link.status_code >= Status::Warning.code())
        {
            next.push_str(&format!(
                "; coroot_get_app_detail(app_id='{}') for the failing link",
                dep.id
            ));
        }
        t.footer(next);
        t
    }
}

fn build(project: String, window: Window, id: &AppId, view: ApplicationView) -> Output {
    let app = &view.app_map.application;
    let indicators = app
        .indicators
        .iter()
        .map(|i| ReportStatus {
            report: i.message.clone(),
            status: i.status.into(),
            configuration_hint: None,
        })
        .collect();

    let mut failing: Vec<(usize, CheckOut)> = Vec::new();
    for (order, r) in view.reports.iter().enumerate() {
        for c in r.checks.iter().filter(|c| c.status.is_failing()) {
            let th = threshold(c.threshold, &c.unit);
            failing.push((
                order,
                CheckOut {
                    report: r.name.clone(),
                    id: c.id.clone(),
                    title: c.title.clone(),
                    status: c.status.into(),
                    message: one_line(&c.message),
                    threshold: c.threshold,
                    unit: c.unit.clone(),
                    condition: one_line(&c.condition_format_template.replace("<threshold>", &th)),
                    details: c.details.clone(),
                },
            ));
        }
    }
    failing.sort_by(|a, b| b.1.status.status_code.cmp(&a.1.status.status_code).then(a.0.cmp(&b.0)));

    // Profiling and Tracing carry no checks and always say "unknown": they are views, named
    // apart so the agent knows they exist.
    let (views, reports): (Vec<_>, Vec<_>) = view
        .reports
        .iter()
        .partition(|r| matches!(r.name.as_str(), "Profiling" | "Tracing") && r.checks.is_empty());
    let views = views.into_iter().map(|r| r.name.clone()).collect();
    let reports = reports
        .into_iter()
        .map(|r| ReportStatus {
            report: r.name.clone(),
            status: r.status.into(),
            configuration_hint: r.configuration_hint.as_ref().map(|h| {
                let message = one_line(&h.message);
                match h.read_more_link.trim() {
                    "" => message,
                    link => format!("{message} ({link})"),
                }
            }),
        })
        .collect();

    let instances = instances(&view);
    let links = |list: &[AppMapApp]| {
        let mut out: Vec<LinkOut> = list
            .iter()
            .map(|a| LinkOut {
                id: a.id.as_str().to_owned(),
                link: a.link_status.into(),
                reason: a.link_status_reason.trim().to_string(),
                stats: a.link_stats.clone(),
                rps: a.link_weight,
                app_status: a.status.label(),
            })
            .collect();
        out.sort_by(|x, y| {
            y.link
                .status_code
                .cmp(&x.link.status_code)
                .then_with(|| AppId::new(x.id.as_str()).name().cmp(AppId::new(y.id.as_str()).name()))
                .then_with(|| x.id.cmp(&y.id))
        });
        out
    };
    // A peer that both calls the app and is called by it appears once, among the
    // dependencies, with `link_direction: "both"` (`api/views/application/application.go`
    // addClient): it is a client too.
    let both: Vec<AppMapApp> = view
        .app_map
        .dependencies
        .iter()
        .filter(|d| d.link_direction == "both")
        .cloned()
        .collect();
    let clients = links(&[view.app_map.clients.as_slice(), both.as_slice()].concat());
    let dependencies = links(&view.app_map.dependencies);
    let tables = view
        .reports
        .iter()
        .flat_map(|r| {
            r.widgets
                .iter()
                .filter_map(|w| w.table.as_ref())
                .filter_map(move |tab| table_out(r, tab))
        })
        .collect();

    Output {
        project,
        window,
        url: String::new(),
        coroot_status: Vec::new(),
        app_id: id.to_string(),
        status: app.status.into(),
        indicators,
        failing_checks: failing.into_iter().map(|(_, c)| c).collect(),
        reports,
        views,
        instances,
        clients,
        dependencies,
        tables,
    }
}

/// The app map's instances merged with the Instances table (which also lists failed ones).
fn instances(view: &ApplicationView) -> Vec<InstanceOut> {
    let mut out: Vec<InstanceOut> = view
        .app_map
        .instances
        .iter()
        .map(|i| InstanceOut {
            name: i.id.clone(),
            status: String::new(),
            restarts: String::new(),
            node: String::new(),
            ip: String::new(),
            labels: i.labels.clone(),
        })
        .collect();
    let table = view
        .reports
        .iter()
        .filter(|r| r.name == "Instances")
        .flat_map(|r| r.widgets.iter().filter_map(|w| w.table.as_ref()))
        .find(|t| t.header.first().is_some_and(|h| h == "Instance"));
    if let Some(table) = table {
        for row in &table.rows {
            let name = row_name(row);
            let pos = match out.iter().position(|i| i.name == name) {
                Some(pos) => pos,
                None => {
                    out.push(InstanceOut {
                        name,
                        status: String::new(),
                        restarts: String::new(),
                        node: String::new(),
                        ip: String::new(),
                        labels: BTreeMap::new(),
                    });
                    out.len() - 1
                }
            };
            if let Some(i) = out.get_mut(pos) {
                i.status = cell_in(table, row, "Status");
                i.restarts = cell_in(table, row, "Restarts");
                i.ip = cell_in(table, row, "IP");
                i.node = cell_in(table, row, "Node");
            }
        }
    }
    out.sort_by(|a, b| {
        instance_trouble(b)
            .cmp(&instance_trouble(a))
            .then_with(|| a.name.cmp(&b.name))
    });
    out
}

/// 2 for an instance that is not up, 1 for one that restarted, else 0.
fn instance_trouble(i: &InstanceOut) -> u8 {
    let s = i.status.to_ascii_lowercase();
    if !(s.is_empty() || s.starts_with("up") || s == "ok" || s == "succeeded") {
        2
    } else if i.restarts.parse::<u64>().is_ok_and(|r| r > 0) {
        1
    } else {
        0
    }
}

fn table_out(report: &AuditReport, table: &Table) -> Option<TableOut> {
    // The Instances table is merged into `instances`.
    if report.name == "Instances" && table.header.first().is_some_and(|h| h == "Instance") {
        return None;
    }
    if table.rows.is_empty() {
        return None;
    }
    let table = compact(table, MAX_ROWS, CELL_CHARS);
    Some(TableOut {
        report: report.name.clone(),
        header: table.header,
        rows: table.rows,
        more_rows: table.more_rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;
    use serde_json::json;

    #[tokio::test]
    async fn payment_shows_its_oom_kills_and_restarts_first() {
        let kit = testing::ecommerce().await;
        let out = testing::run::<GetAppDetail>(&kit, json!({"app_id": "k3h2x9qa:default:Deployment:payment"})).await;
        let text = &out.text;
        assert!(
            text.starts_with("App default/payment · project production · last 1h"),
            "{text}"
        );
        assert!(
            text.contains("k3h2x9qa:default:Deployment:payment · WARNING · indicators: "),
            "{text}"
        );
        assert!(
            text.contains(
                "Memory / Out of Memory WARNING: application has been restarted 3 times by the OOM killer (condition: the number of container terminations due to Out of Memory > 0)"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "Instances / Restarts WARNING: application restarted 3 times (condition: the number of container restarts > 1)"
            ),
            "{text}"
        );
        // Failing checks come before everything else.
        let failing = text.find("FAILING CHECKS").unwrap();
        assert!(failing < text.find("reports: ").unwrap());
        assert!(failing < text.find("INSTANCES (4)").unwrap());
        // The crash-looping pod leads the instances.
        let first_instance = text.lines().skip_while(|l| !l.starts_with("INSTANCES")).nth(1).unwrap();
        assert_eq!(
            first_instance,
            "payment-7d9f8b6c5-x2x9k: down (waiting:CrashLoopBackOff) · restarts 3 · node node-2 · ip 10.42.2.44"
        );
        assert!(
            text.contains("default/checkout → payment: CRITICAL ⚠️ failed connections"),
            "{text}"
        );
        assert!(text.contains("payment → default/postgres: OK"), "{text}");
        let s = &out.structured;
        let ids: Vec<&str> = s["failing_checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        assert!(
            ids.contains(&"MemoryOOM") && ids.contains(&"InstanceRestarts"),
            "{ids:?}"
        );
        let oom = s["failing_checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "MemoryOOM")
            .unwrap();
        assert_eq!(oom["status_code"], 3);
        assert_eq!(oom["threshold"], 0.0);
        assert_eq!(s["clients"][0]["status"], "CRITICAL");
        insta::assert_snapshot!(out.text);
    }

    #[tokio::test]
    async fn short_ids_resolve_to_the_four_part_id() {
        let kit = testing::ecommerce().await;
        for given in ["default:Deployment:payment", "payment", "default/payment"] {
            let out = testing::run::<GetAppDetail>(&kit, json!({"app_id": given})).await;
            assert_eq!(
                out.structured["app_id"], "k3h2x9qa:default:Deployment:payment",
                "{given}"
            );
        }
        // Every form asked Coroot for the one 4-part id (the repeats came from the cache).
        let apps: Vec<String> = (kit.sim.requests().into_iter())
            .map(|r| r.path)
            .filter(|p| p.contains("/app/"))
            .collect();
        assert_eq!(
            apps,
            ["/api/project/k3h2x9qa/app/k3h2x9qa%3Adefault%3ADeployment%3Apayment"],
            "{apps:?}"
        );
    }

    #[tokio::test]
    async fn a_misspelt_name_suggests_the_closest_ids() {
        let kit = testing::ecommerce().await;
        let e = testing::run_err::<GetAppDetail>(&kit, json!({"app_id": "paymnt"})).await;
        assert!(e.contains("no application matches 'paymnt'"), "{e}");
        assert!(e.contains("k3h2x9qa:default:Deployment:payment"), "{e}");
        // A well-formed id of this project that Coroot does not know gets the same help.
        let e = testing::run_err::<GetAppDetail>(&kit, json!({"app_id": "k3h2x9qa:default:Deployment:paymnt"})).await;
        assert!(e.contains("k3h2x9qa:default:Deployment:payment"), "{e}");
    }

    #[tokio::test]
    async fn database_tables_are_kept_compact() {
        let kit = testing::ecommerce().await;
        let out = testing::run::<GetAppDetail>(&kit, json!({"app_id": "postgres"})).await;
        let text = &out.text;
        assert!(text.contains("Storage / Disk I/O load WARNING: high I/O load of 1 volume (condition: the I/O load of a volume > 5 s/s)"), "{text}");
        assert!(
            text.contains("Postgres: Instance | Role | Status | Queries | Latency"),
            "{text}"
        );
        assert!(
            text.contains("Storage: Volume | Latency | I/O load | Space | Device"),
            "{text}"
        );
        // Coroot formats the I/O load with utils.FormatFloat: 9.5 s/s shows as "10".
        assert!(
            text.contains("  pgdata:/var/lib/postgresql/data | 120 ms | 10 | 36% (71 GB / 200 GB) | /dev/nvme1n1"),
            "{text}"
        );
        assert!(text.contains("postgres-0: up (running)"), "{text}");
        // The report's configuration hint (model/audit_report.go, auditor/postgres.go v1.24.0+).
        assert!(
            text.contains(
                "configuration hint (Postgres): Enable track_io_timing to attribute disk I/O to specific queries"
            ) && text.contains("(https://docs.coroot.com/databases/postgres)"),
            "{text}"
        );
        assert!(
            text.contains("views: Profiling: CPU and memory flame graphs in Coroot's UI · Tracing: coroot_get_traces(app_id='k3h2x9qa:default:StatefulSet:postgres')"),
            "{text}"
        );
        let postgres = out.structured["reports"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["report"] == "Postgres")
            .unwrap();
        assert!(
            postgres["configuration_hint"]
                .as_str()
                .unwrap()
                .starts_with("Enable track_io_timing")
        );
        assert!(text.contains("role=primary"), "{text}");
    }

    #[tokio::test]
    async fn a_rollout_in_the_window_shows_its_regression() {
        let kit = testing::ecommerce().await;
        let out = testing::run::<GetAppDetail>(&kit, json!({"app_id": "payment", "lookback_hours": 2})).await;
        assert!(
            out.text
                .contains("Deployments: Deployment | Deployed | Summary\n  7d9f8b6c5: payment:2.4.1 [age: 1 hour] (CRITICAL) | 1 hour ago"),
            "{}",
            out.text
        );
        assert!(
            out.text
                .contains("| WORSE Memory: app containers have been restarted 3 times by the OOM killer"),
            "{}",
            out.text
        );
        let out = testing::run::<GetAppDetail>(&kit, json!({"app_id": "default/cart"})).await;
        assert!(
            out.text
                .contains("DNS / DNS NXDOMAIN errors WARNING: the app received an empty DNS response 7 times"),
            "{}",
            out.text
        );
        assert!(
            out.text
                .contains("  redis-cache.default.svc.cluster.local (WARNING) | 0.5 /s | 7 | - | - | -"),
            "{}",
            out.text
        );
    }

    /// A failing check without details (every check before Coroot v1.24) validated against a
    /// schema that required `details`.
    #[test]
    fn a_failing_check_without_details_validates() {
        let view: ApplicationView = serde_json::from_value(json!({
            "app_map": {"application": {"id": "c1:shop:Deployment:cart", "status": "warning"}},
            "reports": [{"name": "Memory", "status": "warning", "checks": [
                {"id": "MemoryOOM", "title": "Out of Memory", "status": "warning", "message": "1 OOM kill",
                 "threshold": 0, "unit": "", "condition_format_template": "the number of OOM kills > <threshold>"}
            ]}]
        }))
        .unwrap();
        let window = Window {
            from: "a".into(),
            to: "b".into(),
            lookback_hours: 1.0,
            requested_hours: None,
            pinned: false,
            adjusted: None,
        };
        let out = build("p".into(), window, &AppId::new("c1:shop:Deployment:cart"), view);
        assert!(out.failing_checks[0].details.is_empty());
        testing::assert_output_conforms::<GetAppDetail>(&out);
    }

    /// Coroot lists a peer that both calls the app and is called by it once, among the
    /// dependencies with `link_direction: "both"` (`api/views/application/application.go`
    /// addClient, v1.12.0–v1.24.5); it is listed on both sides here.
    #[test]
    fn a_peer_in_both_directions_is_a_client_and_a_dependency() {
        let view: ApplicationView = serde_json::from_value(json!({
            "app_map": {
                "application": {"id": "c1:shop:Deployment:cart", "status": "ok", "link_direction": ""},
                "clients": [{"id": "c1:shop:Deployment:frontend", "status": "ok", "link_status": "ok", "link_direction": "to"}],
                "dependencies": [
                    {"id": "c1:shop:Deployment:pricing", "status": "ok", "link_status": "critical",
                     "link_status_reason": "failed connections", "link_direction": "both"},
                    {"id": "c1:shop:StatefulSet:redis", "status": "ok", "link_status": "ok", "link_direction": "to"}
                ]
            },
            "reports": []
        }))
        .unwrap();
        let window = Window {
            from: "a".into(),
            to: "b".into(),
            lookback_hours: 1.0,
            requested_hours: None,
            pinned: false,
            adjusted: None,
        };
        let out = build("p".into(), window, &AppId::new("c1:shop:Deployment:cart"), view);
        let ids = |l: &[LinkOut]| {
            l.iter()
                .map(|l| AppId::new(l.id.as_str()).name().to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&out.clients), ["pricing", "frontend"], "worst link first");
        assert_eq!(ids(&out.dependencies), ["pricing", "redis"]);
    }
}
