//! `coroot_get_node_detail`: what is a node short of: CPU, memory, network or disk?
//!
//! Coroot's node report is a list of widgets: an info table, then charts and tables grouped
//! under `CPU`, `Memory`, `Network`, `Disks` and `GPUs` (v1.24; older servers send the same
//! charts ungrouped, and before v1.20 without the info table). Charts are summarised as
//! last/max/avg per series in units; chart groups (one chart per interface or device, titles
//! with a `<selector>` placeholder) keep their busiest charts. Tables, above all the Disks
//! table where saturation shows, are rendered in full, and any cell Coroot flags is repeated at
//! the top. Coroot accepts `<cluster_id>:<name>` and keeps the text after the first `:`; older
//! servers only know the bare name, so that is retried.

use coroot_client::models::{AuditReport, Chart, Table, Widget};
use coroot_client::{Error as CorootError, TimeRange};
use schemars::JsonSchema;
use serde::Serialize;

use crate::analysis::charts::{SeriesStats, peak, series_stats, stats};
use crate::analysis::markup::{split_unit, title};
use crate::analysis::signals::flags;
use crate::analysis::tables::cell_text;
use crate::context::{ToolContext, Window};
use crate::error::ToolError;
use crate::params::{req_string, tool_params};
use crate::render::units::{bits, bytes, latency_ms, num};
use crate::render::{Answer, Frame, Health};
use crate::tool::Tool;
use crate::tools::names;

/// The tool.
pub struct GetNodeDetail;

/// Series kept per chart (the ones with the highest peak).
const MAX_SERIES: usize = 5;
/// Charts kept per chart group (overview first, then the busiest).
const MAX_CHARTS: usize = 4;

tool_params! {
    /// Parameters.
    pub struct Params {
        /// Node name from coroot_get_nodes (`<cluster_id>:<name>` also accepted).
        #[serde(deserialize_with = "req_string")]
        pub node_name: String,
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
    /// Node name.
    pub node: String,
    /// Report status: OK when the agent reports, UNKNOWN without an agent.
    #[serde(flatten)]
    pub health: Health,
    /// The info table: OS, cloud, region, AZ, instance type, agent version.
    pub info: Vec<Field>,
    /// Table cells Coroot flags WARNING or CRITICAL, e.g. a saturated disk.
    pub flagged: Vec<String>,
    /// The workloads using the flagged rows' resources (their `Used by` cells).
    #[serde(skip)]
    flagged_users: Vec<String>,
    /// Widget groups in report order (`CPU`, `Memory`, `Network`, `Disks`, `GPUs`).
    pub groups: Vec<GroupOut>,
}

/// A name and its value.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Field {
    /// Column name.
    pub name: String,
    /// Value.
    pub value: String,
}

/// One group of the report.
#[derive(Debug, Serialize, JsonSchema)]
pub struct GroupOut {
    /// Group name; empty for ungrouped widgets (older Coroot).
    pub name: String,
    /// Tables, in full.
    pub tables: Vec<TableOut>,
    /// Charts, summarised.
    pub charts: Vec<ChartOut>,
    /// Charts left out of chart groups.
    pub omitted_charts: usize,
}

/// A table.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TableOut {
    /// Column names.
    pub header: Vec<String>,
    /// Cell texts per row.
    pub rows: Vec<Vec<String>>,
}

/// A chart's series as last/max/avg.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ChartOut {
    /// Title, e.g. `Average I/O latency /dev/nvme1n1`.
    pub title: String,
    /// Unit of the values: `%`, `bytes`, `bits/second`, `seconds`, `seconds/second`, `cores`, ...
    pub unit: String,
    /// Series with the highest peaks.
    pub series: Vec<SeriesStats>,
    /// Series left out.
    pub omitted_series: usize,
    /// Last value of the chart's threshold line (e.g. total capacity).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<SeriesStats>,
}

impl Tool for GetNodeDetail {
    const NAME: &'static str = names::NODE_DETAIL;
    const TITLE: &'static str = "Coroot node detail";
    const DESCRIPTION: &'static str = "One node's audit: OS, cloud, instance type, agent; CPU and memory usage and top consumers; network per interface; disks with latency, I/O load and space (disk saturation shows here). Use after coroot_get_nodes for a WARNING or CRITICAL node.";
    type Params = Params;
    type Output = Output;

    async fn run(ctx: &ToolContext, p: Params) -> Result<Output, ToolError> {
        let (project, range, window, ui) = p.scope(ctx, Self::NAME, 1.0).await?.parts();
        let given = p.node_name.trim().to_string();
        let bare = given.split_once(':').map_or(given.as_str(), |(_, n)| n).to_string();
        let report = match ctx.client.node(&project.id, &given, range).await {
            Err(CorootError::NotFound { .. }) if bare != given => ctx.client.node(&project.id, &bare, range).await,
            other => other,
        };
        let report = match report {
            Ok(r) => r,
            Err(CorootError::NotFound { .. }) => {
                return Err(unknown_node(ctx, &project.id, &project.name, &bare, range).await);
            }
            Err(e) => return Err(e.into()),
        };
        let mut out = build(project.name, window, bare, report.data);
        out.coroot_status = report.status.problems();
        out.url = ui.node(&out.node);
        Ok(out)
    }

    fn render(out: &Output, frame: Frame) -> Answer {
        let mut t = Answer::new(frame, "widget groups", "pass a shorter lookback_hours");
        t.header(&format!("Node {}", out.node), &out.project, &out.window);
        t.ui(format!("node {}", out.node), &out.url);
        t.coroot_status(&out.coroot_status);
        if !out.info.is_empty() {
            t.line(
                out.info
                    .iter()
                    .map(|f| format!("{} {}", f.name, f.value))
                    .collect::<Vec<_>>()
                    .join(" · "),
            );
        }
        if out.groups.is_empty() {
            if out.health.status == "UNKNOWN" {
                t.line("No report: Coroot's node agent is not installed on this node.");
            } else {
                t.line("Coroot's report for this node is empty.");
            }
            t.footer("next: coroot_get_nodes to see every node's status");
            return t;
        }
        for f in &out.flagged {
            t.line(f.clone());
        }
        let all_empty = out.groups.iter().all(|g| g.charts.iter().all(|c| c.series.is_empty()));
        if all_empty {
            t.line("No metrics in this window: the node is down or its agent stopped sending (coroot_get_nodes shows its status).");
        } else {
            t.line("Series: last/max/avg over the window (one value when steady).");
        }
        for (i, g) in out.groups.iter().enumerate() {
            let mut lines = Vec::new();
            for table in &g.tables {
                for row in &table.rows {
                    lines.push(format!("  {}", table_row(&table.header, row)));
                }
            }
            for c in g.charts.iter().filter(|c| !c.series.is_empty()) {
                lines.push(format!("  {}", chart_line(c)));
            }
            let empty: Vec<&str> = g
                .charts
                .iter()
                .filter(|c| c.series.is_empty())
                .map(|c| c.title.as_str())
                .collect();
            if !empty.is_empty() && !lines.is_empty() {
                lines.push(format!("  no data: {}", empty.join(", ")));
            }
            if g.omitted_charts > 0 {
                lines.push(format!("  (+{} more charts not shown)", g.omitted_charts));
            }
            let name = if g.name.is_empty() { "Charts" } else { g.name.as_str() };
            if lines.is_empty() {
                t.item("/groups", i, format!("{name}: no data"));
            } else if g.name.is_empty() {
                t.item("/groups", i, lines.join("\n"));
            } else {
                t.item("/groups", i, format!("{name}:\n{}", lines.join("\n")));
            }
        }
        let used_by = &out.flagged_users;
        if !out.flagged.is_empty() && !used_by.is_empty() {
            t.footer(format!(
                "next: coroot_get_app_detail for the apps using the flagged device (used by {}); coroot_get_applications lists their ids",
                used_by.join(", ")
            ));
        } else if !out.flagged.is_empty() {
            t.footer(
                "next: coroot_get_applications to find the apps on this node, then coroot_get_app_detail for them",
            );
        } else {
            t.footer(
                "next: coroot_get_applications to see which apps suffer, or coroot_query_metrics for a longer history",
            );
        }
        t
    }
}

/// The error for a node Coroot does not know, with the names it does.
async fn unknown_node(
    ctx: &ToolContext,
    project_id: &str,
    project_name: &str,
    name: &str,
    range: TimeRange,
) -> ToolError {
    let names: Vec<String> = ctx
        .client
        .nodes(project_id, range)
        .await
        .map(|nodes| nodes.data.into_iter().map(|n| n.name).collect())
        .unwrap_or_default();
    let lower = name.to_ascii_lowercase();
    let mut close: Vec<&String> = names
        .iter()
        .filter(|n| {
            let n = n.to_ascii_lowercase();
            n.contains(&lower) || lower.contains(&n)
        })
        .collect();
    if close.is_empty() && names.len() <= 10 {
        close = names.iter().collect();
    }
    close.truncate(10);
    let hint = if close.is_empty() {
        String::new()
    } else {
        format!(
            " (known: {})",
            close.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
        )
    };
    ToolError::Resolve {
        message: format!(
            "Coroot has no node named '{name}' in project {project_name}{hint}; call coroot_get_nodes to list node names"
        ),
    }
}

fn build(project: String, window: Window, node: String, report: AuditReport) -> Output {
    let mut info = Vec::new();
    let mut groups: Vec<GroupOut> = Vec::new();
    let flags = flags(&report);
    let flagged = flags
        .iter()
        .map(|f| format!("{} {} {}: {}", f.status.label(), f.group, f.row, f.cells_text()))
        .collect();
    let flagged_users = flags.into_iter().flat_map(|f| f.used_by).collect();
    fn group<'a>(groups: &'a mut Vec<GroupOut>, name: &str) -> &'a mut GroupOut {
        let idx = match groups.iter().position(|g| g.name == name) {
            Some(i) => i,
            None => {
                groups.push(GroupOut {
                    name: name.to_string(),
                    tables: Vec::new(),
                    charts: Vec::new(),
                    omitted_charts: 0,
                });
                groups.len() - 1
            }
        };
        &mut groups[idx]
    }
    for w in report.widgets {
        let Widget {
            chart,
            chart_group,
            table,
            group_header,
            group: in_group,
            ..
        } = w;
        if let Some(name) = group_header {
            group(&mut groups, &name);
            continue;
        }
        let gname = in_group.unwrap_or_default();
        if let Some(table) = table {
            if gname.is_empty() && info.is_empty() && is_info_table(&table) {
                info = info_fields(&table);
                continue;
            }
            group(&mut groups, &gname).tables.push(table_out(&table));
        }
        if let Some(chart) = chart {
            let (base, unit) = split_unit(&title(&chart.title));
            group(&mut groups, &gname).charts.push(chart_out(base, unit, &chart));
        }
        if let Some(cg) = chart_group {
            let (base, unit) = split_unit(&title(&cg.title));
            let mut charts: Vec<&Chart> = cg.charts.iter().collect();
            // The overview (all devices in one chart) first, then the busiest charts.
            charts.sort_by(|a, b| {
                (b.title == "overview")
                    .cmp(&(a.title == "overview"))
                    .then(peak(b).total_cmp(&peak(a)))
            });
            let omitted = charts.len().saturating_sub(MAX_CHARTS);
            let g = group(&mut groups, &gname);
            for c in charts.into_iter().take(MAX_CHARTS) {
                let sub = title(&c.title);
                let title = if base.contains("<selector>") {
                    base.replace("<selector>", &sub)
                } else {
                    format!("{base} {sub}")
                };
                g.charts.push(chart_out(
                    title.split_whitespace().collect::<Vec<_>>().join(" "),
                    unit.clone(),
                    c,
                ));
            }
            g.omitted_charts += omitted;
        }
    }
    groups.retain(|g| !g.tables.is_empty() || !g.charts.is_empty());
    Output {
        project,
        window,
        url: String::new(),
        coroot_status: Vec::new(),
        node,
        health: report.status.into(),
        info,
        flagged,
        flagged_users,
        groups,
    }
}

fn is_info_table(t: &Table) -> bool {
    t.rows.len() == 1
        && t.header
            .iter()
            .any(|h| h == "Coroot Agent" || h == "Instance Type" || h == "OS")
}

/// `OS linux 6.1.109` (the OS is the cell's icon, the kernel its value), `Cloud AWS`, ...
fn info_fields(t: &Table) -> Vec<Field> {
    let Some(row) = t.rows.first() else {
        return Vec::new();
    };
    t.header
        .iter()
        .zip(&row.cells)
        .map(|(h, c)| {
            let text = c.text();
            let value = if c.tech_icon.is_empty() || text.contains(&c.tech_icon) {
                text
            } else {
                format!("{} {text}", c.tech_icon)
            };
            Field { name: h.clone(), value }
        })
        .filter(|f| !f.value.is_empty())
        .collect()
}

fn table_out(t: &Table) -> TableOut {
    TableOut {
        header: t.header.clone(),
        rows: t.rows.iter().map(|r| r.cells.iter().map(cell_text).collect()).collect(),
    }
}

/// `/dev/nvme1n1 · Mount points /var/lib/... · Used by postgres-0 · Latency 120 ms (WARNING)`.
fn table_row(header: &[String], row: &[String]) -> String {
    let mut parts = Vec::new();
    for (i, cell) in row.iter().enumerate() {
        if cell.is_empty() {
            continue;
        }
        match (i, header.get(i)) {
            (0, _) | (_, None) => parts.push(cell.clone()),
            (_, Some(h)) => parts.push(format!("{h} {cell}")),
        }
    }
    parts.join(" · ")
}

fn chart_out(title: String, unit: String, c: &Chart) -> ChartOut {
    let mut series = series_stats(c);
    series.sort_by(|a, b| b.max.total_cmp(&a.max));
    let omitted = series.len().saturating_sub(MAX_SERIES);
    series.truncate(MAX_SERIES);
    ChartOut {
        title,
        unit,
        series,
        omitted_series: omitted,
        threshold: c.threshold.as_ref().and_then(|t| stats(&t.name, &t.data)),
    }
}

/// A value in the chart's unit, for people. Summaries need two or three digits, not five.
fn value(v: f64, unit: &str) -> String {
    match unit {
        "%" => format!("{}%", short(v)),
        "bytes" => bytes(v),
        "bytes/second" => format!("{}/s", bytes(v)),
        "bits/second" => bits(v),
        "seconds" | "second" => latency_ms(v * 1000.0),
        "seconds/second" => format!("{} s/s", short(v)),
        _ => short(v),
    }
}

/// `27.38` → `27`, `6.39` → `6.4`, `0.35` → `0.35`.
fn short(v: f64) -> String {
    if v.abs() >= 10.0 {
        num(v.round())
    } else if v.abs() >= 1.0 {
        num((v * 10.0).round() / 10.0)
    } else {
        num(v)
    }
}

/// Units `value` already writes next to each number.
fn self_describing(unit: &str) -> bool {
    matches!(
        unit,
        "%" | "bytes" | "bytes/second" | "bits/second" | "seconds" | "second" | "seconds/second"
    )
}

/// `121/122/120ms` from `121ms`, `122ms`, `120ms`: the unit once when the three share it.
fn triple(l: &str, m: &str, a: &str) -> String {
    let split = |s: &str| {
        let end = s.rfind(|c: char| c.is_ascii_digit()).map_or(0, |i| i + 1);
        (s[..end].to_string(), s[end..].to_string())
    };
    let ((ln, lu), (mn, mu), (an, au)) = (split(l), split(m), split(a));
    if lu == mu && mu == au && !ln.is_empty() && !mn.is_empty() && !an.is_empty() {
        format!("{ln}/{mn}/{an}{lu}")
    } else {
        format!("{l}/{m}/{a}")
    }
}

/// `Memory consumers: postgres 2.14 GiB · other 30 MiB; total 14.9 GiB`.
fn chart_line(c: &ChartOut) -> String {
    let label = if self_describing(&c.unit) || c.unit.is_empty() {
        c.title.clone()
    } else {
        format!("{}, {}", c.title, c.unit)
    };
    let fmt = |s: &SeriesStats| {
        let (l, m, a) = (value(s.last, &c.unit), value(s.max, &c.unit), value(s.avg, &c.unit));
        if l == m && m == a {
            format!("{} {l}", s.name)
        } else {
            format!("{} {}", s.name, triple(&l, &m, &a))
        }
    };
    let mut line = format!("{label}: {}", c.series.iter().map(fmt).collect::<Vec<_>>().join(" · "));
    if c.omitted_series > 0 {
        line.push_str(&format!(" (+{} more series)", c.omitted_series));
    }
    if let Some(th) = &c.threshold {
        line.push_str(&format!("; {} {}", th.name, value(th.last, &c.unit)));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;
    use serde_json::json;

    #[tokio::test]
    async fn the_saturated_disk_of_node_3_is_obvious() {
        let kit = testing::ecommerce().await;
        let out = testing::run::<GetNodeDetail>(&kit, json!({"node_name": "node-3"})).await;
        let lines: Vec<&str> = out.text.lines().collect();
        assert!(lines[0].starts_with("Node node-3 · project production · last 1h"));
        assert_eq!(
            lines[1],
            "OS linux 6.1.109-118.189.amzn2023.x86_64 · Cloud aws · Region us-east-1 · AZ us-east-1c · Instance Type m5.xlarge · Coroot Agent 1.26.3"
        );
        assert_eq!(
            lines[2], "WARNING Disks /dev/nvme1n1: Latency 120 ms, I/O Load 10",
            "{}",
            out.text
        );
        assert!(
            out.text.contains("  /dev/nvme1n1 · Mount points /var/lib/postgresql/data · Used by postgres-0 · Latency 120 ms · I/O Load 10 · Space 36%"),
            "{}",
            out.text
        );
        assert!(out.text.contains("\nCPU:\n"), "{}", out.text);
        assert!(
            out.text
                .contains("\nNetwork:\n  Network bandwidth eth0: in 180 Mb/s · out 120 Mb/s"),
            "{}",
            out.text
        );
        let disks = out.structured["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["name"] == "Disks")
            .unwrap();
        assert_eq!(disks["tables"][0]["header"][3], "Latency");
        // Only the disk holding a container volume: the node agent reports no file systems of
        // its own (auditor/node.go).
        assert_eq!(disks["tables"][0]["rows"][0][4], "10");
        insta::assert_snapshot!(out.text);
    }

    #[tokio::test]
    async fn a_cluster_prefixed_name_works() {
        let kit = testing::ecommerce().await;
        let out =
            testing::run::<GetNodeDetail>(&kit, json!({"node_name": "k3h2x9qa:node-1", "lookback_hours": 2})).await;
        assert!(
            out.text.starts_with("Node node-1 · project production · last 2h"),
            "{}",
            out.text
        );
        assert!(!out.text.contains("WARNING Disks"));
    }

    #[tokio::test]
    async fn an_unknown_node_names_coroot_get_nodes() {
        let kit = testing::ecommerce().await;
        let err = testing::run_err::<GetNodeDetail>(&kit, json!({"node_name": "node-9"})).await;
        assert!(err.contains("no node named 'node-9'"), "{err}");
        assert!(err.contains("node-1, node-2, node-3, node-4"), "{err}");
        assert!(err.contains("coroot_get_nodes"), "{err}");
    }

    #[tokio::test]
    async fn a_down_node_says_it_has_no_metrics() {
        let kit = testing::ecommerce().await;
        let out = testing::run::<GetNodeDetail>(&kit, json!({"node_name": "node-4"})).await;
        assert!(out.text.contains("No metrics in this window"), "{}", out.text);
        assert!(
            out.text.contains("\nCPU: no data\nMemory: no data\nNetwork: no data\n"),
            "{}",
            out.text
        );
        assert_eq!(out.structured["groups"].as_array().unwrap().len(), 3);
    }

    #[test]
    fn values_read_in_their_unit() {
        assert_eq!(bits(180_000_000.0), "180 Mb/s");
        assert_eq!(value(0.12, "seconds"), "120ms");
        assert_eq!(triple("121ms", "122ms", "120ms"), "121/122/120ms");
        assert_eq!(triple("9.7 s/s", "9.9 s/s", "9.5 s/s"), "9.7/9.9/9.5 s/s");
        assert_eq!(triple("900 MiB", "1.2 GiB", "1 GiB"), "900 MiB/1.2 GiB/1 GiB");
        assert_eq!(value(27.38, "%"), "27%");
    }
}
