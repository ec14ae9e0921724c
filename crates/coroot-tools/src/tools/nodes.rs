//! `coroot_get_nodes`: which nodes are down, busy or missing an agent?
//!
//! Coroot v1.17+ returns a list of nodes; older servers return a UI table whose cells hide the
//! uptime (`unit` of the status cell), the cloud provider (`unit` of the AZ cell) and the
//! instance type and size (tags of the name cell). Both are read here, the table through the
//! client's conversion plus those extra cells, so the output is the same for either version.

use std::cmp::Reverse;
use std::fmt::Write;

use coroot_client::Status;
use coroot_client::models::{Indicator, Node, NodesView, Table};
use schemars::JsonSchema;
use serde::Serialize;

use crate::context::{ToolContext, Window};
use crate::error::ToolError;
use crate::links::Ui;
use crate::params::tool_params;
use crate::render::units::{push_bits, push_percent, span_ms};
use crate::render::{Answer, Frame, Health};
use crate::tool::Tool;
use crate::tools::names;

/// The tool.
pub struct GetNodes;

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
    /// Nodes Coroot knows.
    pub total: usize,
    /// Down and warning first, then nodes without an agent, then the busiest.
    pub nodes: Vec<NodeOut>,
}

/// One node.
#[derive(Debug, Serialize, JsonSchema)]
pub struct NodeOut {
    /// Node name, for coroot_get_node_detail.
    pub name: String,
    /// The node's page in Coroot's UI.
    pub url: String,
    /// Health: OK when up, WARNING when down, UNKNOWN without an agent.
    #[serde(flatten)]
    pub health: Health,
    /// Coroot's status text: `up`, `down (no metrics)`, `no agent installed`.
    pub message: String,
    /// CPU usage, %.
    pub cpu_percent: Option<f64>,
    /// Memory usage, %.
    pub memory_percent: Option<f64>,
    /// Availability zone (or region).
    pub availability_zone: String,
    /// Cloud provider, e.g. `aws`.
    pub cloud_provider: String,
    /// Instance type, e.g. `m5.xlarge`.
    pub instance_type: String,
    /// e.g. `4 vCPU / 16GB`.
    pub compute: String,
    /// IP addresses.
    pub ips: Vec<String>,
    /// Uptime, ms (0 when unknown).
    pub uptime_ms: i64,
    /// OS, e.g. `linux`.
    pub os: String,
    /// Kernel version.
    pub kernel_version: String,
    /// GPU count.
    pub gpus: u32,
    /// The cluster (in a multi-cluster project).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cluster: String,
    /// Received traffic, bits/s, when Coroot knows it.
    pub network_rx_bits: Option<f64>,
    /// Transmitted traffic, bits/s, when Coroot knows it.
    pub network_tx_bits: Option<f64>,
    #[serde(skip)]
    status: Status,
}

/// Order of attention: failing nodes, then nodes Coroot cannot see, then healthy ones.
fn rank(s: Status) -> u8 {
    match s {
        Status::Critical => 0,
        Status::Warning => 1,
        Status::Unknown => 2,
        Status::Info => 3,
        Status::Ok => 4,
    }
}

/// `x` as an integer in `f64::total_cmp`'s order, for a sort key: negative floats order in
/// reverse of their bits, so they are inverted; the sign bit lifts the others above them.
fn total_order(x: f64) -> u64 {
    let bits = x.to_bits();
    if bits >> 63 == 1 { !bits } else { bits | 1 << 63 }
}

/// The nodes whatever the server version; the old table's extra cells fill what the client's
/// conversion leaves empty.
fn nodes_of(view: NodesView) -> Vec<Node> {
    match view {
        NodesView::List(nodes) => nodes,
        NodesView::Table(table) => {
            let extras = table_extras(&table);
            let mut nodes = NodesView::Table(table).into_nodes();
            for node in &mut nodes {
                if let Some((_, extra)) = extras.iter().find(|(name, _)| *name == node.name) {
                    node.uptime_ms = extra.uptime_ms;
                    node.cloud_provider.clone_from(&extra.cloud_provider);
                    node.instance_type.clone_from(&extra.instance_type);
                    node.compute.clone_from(&extra.compute);
                }
            }
            nodes
        }
    }
}

/// What the pre-v1.17 table keeps outside the cells the client reads.
#[derive(Default)]
struct TableExtra {
    uptime_ms: i64,
    cloud_provider: String,
    instance_type: String,
    compute: String,
}

fn table_extras(table: &Table) -> Vec<(String, TableExtra)> {
    let col = |name: &str| table.header.iter().position(|h| h == name);
    let (name_c, status_c, az_c) = (col("Node"), col("Status"), col("Availability zone"));
    table
        .rows
        .iter()
        .filter_map(|row| {
            let cell = |c: Option<usize>| c.and_then(|i| row.cells.get(i));
            let name_cell = cell(name_c)?;
            let mut extra = TableExtra::default();
            // Tags are `[instance type] [<n> vCPU] [<size>]`, each only when known.
            let mut compute = Vec::new();
            for tag in &name_cell.tags {
                if tag.ends_with("vCPU") || tag.ends_with('B') && tag.starts_with(|c: char| c.is_ascii_digit()) {
                    compute.push(tag.as_str());
                } else if extra.instance_type.is_empty() {
                    extra.instance_type.clone_from(tag);
                }
            }
            extra.compute = compute.join(" / ");
            if let Some(c) = cell(status_c) {
                extra.uptime_ms = parse_short_duration(unparen(&c.unit)).unwrap_or(0);
            }
            if let Some(c) = cell(az_c) {
                extra.cloud_provider = unparen(&c.unit).to_string();
            }
            Some((name_cell.value.clone(), extra))
        })
        .collect()
}

fn unparen(s: &str) -> &str {
    s.trim().trim_start_matches('(').trim_end_matches(')').trim()
}

/// Coroot's short durations (`23d`, `5h`, `40m`, `1w`, `2y`) in ms.
fn parse_short_duration(s: &str) -> Option<i64> {
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = s.split_at(split);
    let n: i64 = n.parse().ok()?;
    let unit_ms = match unit.trim() {
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "w" => 7 * 86_400_000,
        "y" => 365 * 86_400_000,
        _ => return None,
    };
    Some(n * unit_ms)
}

/// CPU and memory usage Coroot could not know: a node without an agent or without metrics has
/// none, and from v1.17.0 to v1.22.x Coroot sent them as plain integers, so unknown arrived as
/// `0` (`v1.22.2:api/views/overview/nodes.go:33-34`; `*int`, null when unknown, from v1.23.0).
fn forget_unknown_usage(nodes: &mut [Node], plain_ints: bool) {
    for n in nodes {
        let reporting = n.status.status == Status::Ok;
        for v in [&mut n.cpu_percent, &mut n.memory_percent] {
            if !reporting || (plain_ints && *v == Some(0.0)) {
                *v = None;
            }
        }
    }
}

fn build(project: String, window: Window, ui: &Ui, nodes: Vec<Node>) -> Output {
    let mut nodes: Vec<NodeOut> = nodes
        .into_iter()
        .map(|n| {
            let Indicator { status, message } = n.status;
            NodeOut {
                url: ui.node(&n.name),
                name: n.name,
                health: status.into(),
                message,
                cpu_percent: n.cpu_percent,
                memory_percent: n.memory_percent,
                availability_zone: n.availability_zone,
                cloud_provider: n.cloud_provider,
                instance_type: n.instance_type,
                compute: n.compute,
                // The old table's IP cell is `""` for a node without addresses.
                ips: n.ips.into_iter().filter(|ip| !ip.trim().is_empty()).collect(),
                uptime_ms: n.uptime_ms,
                os: n.os,
                kernel_version: n.kernel_version,
                // A single-cluster project's one cluster is the project itself.
                cluster: if n.cluster_name == project {
                    String::new()
                } else {
                    n.cluster_name
                },
                network_rx_bits: n.network_bandwidth.map(|b| b.rx),
                network_tx_bits: n.network_bandwidth.map(|b| b.tx),
                gpus: n.gpus,
                status,
            }
        })
        .collect();
    // Keys computed once, and each row moved once: sorting the rows themselves moved each a
    // dozen times.
    nodes.sort_by_cached_key(|n| {
        let load = n.cpu_percent.unwrap_or(0.0).max(n.memory_percent.unwrap_or(0.0));
        (rank(n.status), Reverse(total_order(load)), n.name.clone())
    });
    Output {
        project,
        window,
        url: ui.view("nodes"),
        coroot_status: Vec::new(),
        total: nodes.len(),
        nodes,
    }
}

impl Tool for GetNodes {
    const NAME: &'static str = names::NODES;
    const TITLE: &'static str = "Coroot nodes";
    const DESCRIPTION: &'static str = "Infrastructure nodes with health (up, down, no agent), CPU and memory usage, zone, instance type, IPs and uptime; problem nodes first. Then call coroot_get_node_detail for a WARNING or CRITICAL node.";
    type Params = Params;
    type Output = Output;

    async fn run(ctx: &ToolContext, p: Params) -> Result<Output, ToolError> {
        let (project, range, window, ui) = p.scope(ctx, Self::NAME, 1.0).await?.parts();
        let (context, overview) = ctx.client.overview(&project.id, "nodes", range, None).await?;
        let mut nodes = overview.nodes.map(nodes_of).unwrap_or_default();
        let plain_ints = ctx.client.version().await.is_some_and(|v| !v.at_least(1, 23, 0));
        forget_unknown_usage(&mut nodes, plain_ints);
        let mut out = build(project.name, window, &ui, nodes);
        out.coroot_status = context.status.problems();
        Ok(out)
    }

    fn render(out: &Output, frame: Frame) -> Answer {
        let mut t = Answer::new(frame, "nodes", "pass project_id to look at one project");
        t.header("Nodes", &out.project, &out.window);
        t.ui("nodes", &out.url);
        t.coroot_status(&out.coroot_status);
        if out.nodes.is_empty() {
            t.line("No nodes found: Coroot lists nodes from its node agent's metrics, so coroot-node-agent may not be installed.");
            t.footer("next: coroot_get_applications for application health, which works without node metrics");
            return t;
        }
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for n in &out.nodes {
            match counts.iter_mut().find(|(s, _)| *s == n.health.status) {
                Some((_, c)) => *c += 1,
                None => counts.push((n.health.status, 1)),
            }
        }
        t.line(format!(
            "{} node{}: {}",
            out.total,
            if out.total == 1 { "" } else { "s" },
            counts
                .iter()
                .map(|(s, c)| format!("{c} {s}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        for n in out.nodes.iter().filter(|n| n.status.is_failing()) {
            t.resource(format!("node {}", n.name), &n.url);
        }
        t.each("/nodes", &out.nodes, node_line);
        let target = out
            .nodes
            .iter()
            .find(|n| n.status.is_failing())
            .or_else(|| out.nodes.iter().find(|n| n.status == Status::Ok));
        if let Some(n) = target {
            t.footer(format!(
                "next: coroot_get_node_detail(node_name='{}') for its CPU, memory, disk and network charts",
                n.name
            ));
        }
        t
    }
}

/// `OK node-2 · up 23d 4h · CPU 41% · memory 72% · aws us-east-1b · m5.xlarge 4 vCPU / 16GB · 10.0.1.12`
///
/// The parts of a node's line, joined by ` · ` as they are written: one buffer for the line,
/// where a `Vec` of formatted parts cost a dozen allocations a node on a 500-node cluster.
fn node_line(n: &NodeOut) -> String {
    let mut line = Line(String::with_capacity(200));
    let _ = write!(line.part(), "{} {}", n.health.status, n.name);
    let lowered;
    let message = if n.message.is_empty() {
        lowered = n.health.status.to_ascii_lowercase();
        &lowered
    } else {
        &n.message
    };
    match (n.uptime_ms > 0, message.as_str()) {
        (true, "up") => {
            let _ = write!(line.part(), "up {}", span_ms(n.uptime_ms));
        }
        (true, message) => {
            let _ = write!(line.part(), "{message}, uptime {}", span_ms(n.uptime_ms));
        }
        (false, message) => line.part().push_str(message),
    }
    for (what, percent) in [("CPU ", n.cpu_percent), ("memory ", n.memory_percent)] {
        if let Some(p) = percent {
            let out = line.part();
            out.push_str(what);
            push_percent(out, p);
        }
    }
    if let (Some(rx), Some(tx)) = (n.network_rx_bits, n.network_tx_bits) {
        let out = line.part();
        out.push_str("net in ");
        push_bits(out, rx);
        out.push_str(" out ");
        push_bits(out, tx);
    }
    if !n.cluster.is_empty() {
        let _ = write!(line.part(), "cluster {}", n.cluster);
    }
    for words in [
        [&n.cloud_provider, &n.availability_zone],
        [&n.instance_type, &n.compute],
    ] {
        line.joined(words.into_iter().filter(|w| !w.is_empty()), " ");
    }
    if n.gpus > 0 {
        let _ = write!(line.part(), "{} GPU{}", n.gpus, if n.gpus == 1 { "" } else { "s" });
    }
    line.joined(&n.ips, ", ");
    line.part().push_str(&n.url);
    line.0
}

/// A line of parts separated by ` · `.
struct Line(String);

impl Line {
    /// The buffer, ready for the next part.
    fn part(&mut self) -> &mut String {
        if !self.0.is_empty() {
            self.0.push_str(" · ");
        }
        &mut self.0
    }

    /// One part of `items` joined by `sep`, if there are any.
    fn joined<S: AsRef<str>>(&mut self, items: impl IntoIterator<Item = S>, sep: &str) {
        let mut items = items.into_iter();
        if let Some(first) = items.next() {
            let out = self.part();
            out.push_str(first.as_ref());
            for item in items {
                out.push_str(sep);
                out.push_str(item.as_ref());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;
    use coroot_client::models::Overview;
    use serde_json::json;

    #[test]
    fn the_load_key_orders_as_total_cmp() {
        let mut values = [
            3.5,
            -0.0,
            0.0,
            -2.0,
            100.0,
            f64::INFINITY,
            -f64::INFINITY,
            1e-300,
            -1e-300,
            0.5,
        ];
        let mut by_key = values;
        values.sort_by(f64::total_cmp);
        by_key.sort_by_key(|v| total_order(*v));
        assert_eq!(values.map(f64::to_bits), by_key.map(f64::to_bits));
    }

    #[tokio::test]
    async fn the_down_node_comes_first() {
        let kit = testing::ecommerce().await;
        let out = testing::run::<GetNodes>(&kit, json!({})).await;
        let lines: Vec<&str> = out.text.lines().collect();
        assert_eq!(lines[1], "4 nodes: 1 WARNING, 3 OK", "{}", out.text);
        assert_eq!(
            lines[2],
            "WARNING node-4 · down (no metrics) · aws us-east-1a · m5.xlarge · https://coroot.example.com/p/k3h2x9qa/nodes/node-4?from=1763996400000&to=1764000000000"
        );
        assert!(
            out.text.contains(
                "OK node-2 · up 23d 4h · CPU 41% · memory 72% · net in 180 Mb/s out 120 Mb/s · aws us-east-1b · m5.xlarge 4 vCPU / 16GB · 10.0.1.12"
            ),
            "{}",
            out.text
        );
        assert!(testing::unpinned(&out.text).contains("next: coroot_get_node_detail(node_name='node-4')"));
        let first = &out.structured["nodes"][0];
        assert_eq!(first["name"], "node-4");
        assert_eq!(first["status"], "WARNING");
        assert_eq!(first["status_code"], 3);
        assert_eq!(first["message"], "down (no metrics)");
        assert_eq!(out.structured["nodes"][1]["name"], "node-2", "busiest next");
        insta::assert_snapshot!(out.text);
    }

    #[test]
    fn a_pre_1_17_node_table_renders_the_same_facts() {
        // Coroot v1.12's nodes view: a UI table (api/views/overview/nodes.go of that era).
        let overview: Overview = serde_json::from_value(json!({
            "applications": null, "map": null, "deployments": null, "traces": null,
            "logs": null, "costs": null, "risks": null, "categories": null,
            "nodes": {
                "header": ["Node", "Status", "Availability zone", "IP", "CPU", "Memory", "GPU", "Network"],
                "rows": [
                    {"id": "", "cells": [
                        {"value": "node-1", "tags": ["m5.xlarge", "4 vCPU", "16GB"], "link": {"title": "node-1"}},
                        {"status": "ok", "value": "up", "unit": "(23d)"},
                        {"value": "us-east-1a", "unit": "(aws)"},
                        {"value": "10.0.1.11"},
                        {"progress": {"percent": 28, "color": "blue"}},
                        {"progress": {"percent": 54, "color": "deep-purple"}},
                        {},
                        {"net_interfaces": [{"Name": "eth0", "Rx": "180Mb", "Tx": "120Mb"}]}
                    ]},
                    {"id": "", "cells": [
                        {"value": "node-4", "tags": ["m5.xlarge", "4 vCPU", "16GB"]},
                        {"status": "warning", "value": "down (no metrics)"},
                        {"value": "us-east-1a", "unit": "(aws)"},
                        {"values": null},
                        {}, {}, {}, {}
                    ]},
                    {"id": "", "cells": [
                        {"value": "edge-7"},
                        {"status": "unknown", "value": "no agent installed"},
                        {"value": "", "unit": "()"},
                        {"values": ["192.168.0.7", "10.8.0.7"]},
                        {}, {}, {}, {}
                    ]}
                ]
            }
        }))
        .unwrap();
        let nodes = nodes_of(overview.nodes.unwrap());
        let window = Window {
            from: "2025-11-24T15:00:00Z".into(),
            to: "2025-11-24T16:00:00Z".into(),
            lookback_hours: 1.0,
            requested_hours: None,
            pinned: false,
            adjusted: None,
        };
        let out = build("production".into(), window, &testing::ui(), nodes);
        let (text, _) = testing::answer::<GetNodes>(&out);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], "3 nodes: 1 WARNING, 1 UNKNOWN, 1 OK", "{text}");
        assert_eq!(
            lines[2],
            "WARNING node-4 · down (no metrics) · aws us-east-1a · m5.xlarge 4 vCPU / 16GB · https://coroot.example.com/p/p1/nodes/node-4?from=1763996400000&to=1764000000000"
        );
        assert_eq!(
            lines[3],
            "UNKNOWN edge-7 · no agent installed · 192.168.0.7, 10.8.0.7 · https://coroot.example.com/p/p1/nodes/edge-7?from=1763996400000&to=1764000000000"
        );
        assert_eq!(
            lines[4],
            "OK node-1 · up 23d · CPU 28% · memory 54% · aws us-east-1a · m5.xlarge 4 vCPU / 16GB · 10.0.1.11 · https://coroot.example.com/p/p1/nodes/node-1?from=1763996400000&to=1764000000000"
        );
    }

    #[test]
    fn short_durations_parse() {
        assert_eq!(parse_short_duration("23d"), Some(23 * 86_400_000));
        assert_eq!(parse_short_duration("40m"), Some(2_400_000));
        assert_eq!(parse_short_duration(""), None);
        assert_eq!(parse_short_duration("soon"), None);
    }

    /// Before v1.23.0 a node's usage was a plain integer, so "unknown" arrived as 0
    /// (`v1.22.2:api/views/overview/nodes.go:33-34`): it must read as unknown, not 0%.
    #[tokio::test]
    async fn before_v1_23_a_zero_usage_is_unknown_not_zero_percent() {
        let mut nodes: Vec<Node> = serde_json::from_value(json!([
            {"name": "n1", "status": {"status": "ok", "message": "up"}, "cpu_percent": 0, "memory_percent": 41},
            {"name": "n2", "status": {"status": "warning", "message": "down (no metrics)"}, "cpu_percent": 0, "memory_percent": 0}
        ]))
        .unwrap();
        forget_unknown_usage(&mut nodes, true);
        assert_eq!((nodes[0].cpu_percent, nodes[0].memory_percent), (None, Some(41.0)));
        assert_eq!((nodes[1].cpu_percent, nodes[1].memory_percent), (None, None));
        let window = Window {
            from: "a".into(),
            to: "b".into(),
            lookback_hours: 1.0,
            requested_hours: None,
            pinned: false,
            adjusted: None,
        };
        let (text, _) = testing::answer::<GetNodes>(&build("p".into(), window, &testing::ui(), nodes));
        assert!(!text.contains("CPU 0%"), "{text}");
        assert!(text.contains("memory 41%"), "{text}");
    }
}
