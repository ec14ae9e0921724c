//! Types shared by many endpoints: `Status`, the `{context, data}` envelope, audit reports,
//! checks, widgets, charts and tables.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::de::{lenient_f64, null_default};
use crate::ids::AppId;

/// Coroot's health status. Go encodes it as a lower-case string; the seed's integer codes
/// (0–4) are accepted too, and anything unrecognised is `Unknown`, as in Coroot itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// 0: no data.
    #[default]
    Unknown,
    /// 1: healthy.
    Ok,
    /// 2: informational.
    Info,
    /// 3: degraded.
    Warning,
    /// 4: failing.
    Critical,
}

impl Status {
    /// The seed's integer code: 0 UNKNOWN, 1 OK, 2 INFO, 3 WARNING, 4 CRITICAL.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The upper-case word the seed uses.
    pub fn label(self) -> &'static str {
        match self {
            Status::Unknown => "UNKNOWN",
            Status::Ok => "OK",
            Status::Info => "INFO",
            Status::Warning => "WARNING",
            Status::Critical => "CRITICAL",
        }
    }

    /// WARNING or CRITICAL.
    pub fn is_failing(self) -> bool {
        self >= Status::Warning
    }

    /// Parses a status string or code, any case.
    pub fn parse(s: &str) -> Status {
        let s = s.trim();
        let is = |word: &str, code: &str| s.eq_ignore_ascii_case(word) || s == code;
        if is("ok", "1") {
            Status::Ok
        } else if is("info", "2") {
            Status::Info
        } else if is("warning", "3") {
            Status::Warning
        } else if is("critical", "4") {
            Status::Critical
        } else {
            Status::Unknown
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Statuses arrive by the thousand (every app, cell, node and check): read in place from the
/// token, never buffered. A string or a code 0–4; anything else (`null`, another type) is
/// `Unknown`, as in Coroot.
impl<'de> Deserialize<'de> for Status {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct StatusVisitor;
        impl<'de> Visitor<'de> for StatusVisitor {
            type Value = Status;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a status")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Status, E> {
                Ok(Status::parse(s))
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Status, E> {
                Ok(match n {
                    1 => Status::Ok,
                    2 => Status::Info,
                    3 => Status::Warning,
                    4 => Status::Critical,
                    _ => Status::Unknown,
                })
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Status, E> {
                self.visit_i64(i64::try_from(n).unwrap_or(0))
            }
            fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Status, E> {
                Ok(Status::Unknown)
            }
            fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Status, E> {
                Ok(Status::Unknown)
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Status, E> {
                Ok(Status::Unknown)
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<Status, E> {
                Ok(Status::Unknown)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Status, D::Error> {
                Status::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Status, A::Error> {
                IgnoredAny.visit_seq(seq).map(|_| Status::Unknown)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Status, A::Error> {
                IgnoredAny.visit_map(map).map(|_| Status::Unknown)
            }
        }
        d.deserialize_any(StatusVisitor)
    }
}

/// `{status, message}` pairs: report indicators, node status.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct Indicator {
    /// Status.
    pub status: Status,
    /// Report name or message.
    #[serde(deserialize_with = "null_default")]
    pub message: String,
}

/// The `{context, data}` envelope of Coroot's UI endpoints. `C` is what is read of the
/// context: [`Context`], which skips the search index, or [`Indexed`] for the index alone.
#[derive(Debug, Clone, Deserialize)]
pub struct Envelope<T, C = Context> {
    /// Project status and counters, or the search index.
    #[serde(default)]
    pub context: C,
    /// The endpoint's payload; `null` when the project has no world.
    pub data: Option<T>,
}

/// The envelope's `context` without its search index. Every endpoint of the world repeats the
/// index of all apps and nodes (a quarter of a megabyte on 5,000 apps), and only the app-id
/// lookup reads it, so it is skipped unread here ([`Indexed`] reads it).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Context {
    /// Project status: Prometheus, node agent, kube-state-metrics.
    pub status: ProjectStatus,
    /// Unresolved incidents per application category.
    #[serde(deserialize_with = "null_default")]
    pub incidents: BTreeMap<String, u64>,
    /// Firing alerts by severity (v1.18+).
    #[serde(deserialize_with = "null_default")]
    pub alerts: BTreeMap<String, u64>,
    /// Present from v1.17 on; a version signal.
    pub multicluster: Option<bool>,
    /// The member projects' names in a multi-cluster project (v1.17+), which are also the
    /// `datasource` values `panel/data` takes.
    #[serde(deserialize_with = "null_default")]
    pub member_projects: Vec<String>,
}

/// `context.status`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ProjectStatus {
    /// Overall status.
    pub status: Status,
    /// Error text (normally empty).
    #[serde(deserialize_with = "null_default")]
    pub error: String,
    /// Prometheus health.
    pub prometheus: PrometheusStatus,
    /// Node agent health.
    pub node_agent: NodeAgentStatus,
    /// kube-state-metrics health, when Coroot needs it (Kubernetes containers seen).
    pub kube_state_metrics: Option<KubeStateMetricsStatus>,
}

impl ProjectStatus {
    /// What is wrong with the project's data sources, in Coroot's own words (`api/ctx.go`
    /// renderStatus, and the UI's texts for the states it leaves unworded,
    /// `front/src/App.vue`). Empty when all is well: a non-empty list means an answer built on
    /// this data may be empty or incomplete, not healthy.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let p = &self.prometheus;
        if p.status.is_failing() {
            // Coroot's sentences end in a period; the problems are phrases, joined by callers.
            let mut text = p.message.trim().trim_end_matches('.').to_string();
            if !p.error.trim().is_empty() {
                text = format!("{text}: {}", p.error.trim().trim_end_matches('.'));
            }
            match p.action.as_str() {
                "configure" => text.push_str(" (configure Prometheus in the project's settings in Coroot)"),
                "wait" => text.push_str(" (the data may be incomplete until it catches up)"),
                _ => {}
            }
            out.push(text);
        }
        if self.node_agent.status.is_failing() {
            out.push(
                "No metrics found from coroot-node-agent: if it was just installed, wait a couple of minutes for it to collect data; if it is not installed, install it on every node".into(),
            );
        }
        if self.kube_state_metrics.as_ref().is_some_and(|k| k.status.is_failing()) {
            out.push(
                "kube-state-metrics is missing: Coroot needs it to combine Kubernetes containers into applications"
                    .into(),
            );
        }
        if !self.error.trim().is_empty() {
            out.push(self.error.trim().to_string());
        }
        out
    }
}

/// `context.status.kube_state_metrics`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct KubeStateMetricsStatus {
    /// Status.
    pub status: Status,
    /// Applications it describes.
    pub applications: u64,
}

/// An endpoint's data with what the envelope said about the project's data sources: an answer
/// built on a project whose Prometheus is not configured is empty, not healthy.
#[derive(Debug, Clone, Default)]
pub struct Viewed<T> {
    /// The payload.
    pub data: T,
    /// `context.status` of the envelope.
    pub status: ProjectStatus,
}

impl<T> Viewed<T> {
    /// The payload alone.
    pub fn into_data(self) -> T {
        self.data
    }

    /// The payload turned into another, with the same status.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Viewed<U> {
        Viewed {
            data: f(self.data),
            status: self.status,
        }
    }
}

impl<T> std::ops::Deref for Viewed<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.data
    }
}

impl<T> std::ops::DerefMut for Viewed<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.data
    }
}

/// `context.status.prometheus`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PrometheusStatus {
    /// Status.
    pub status: Status,
    /// e.g. "ok", "Prometheus is not configured."
    #[serde(deserialize_with = "null_default")]
    pub message: String,
    /// Error text.
    #[serde(deserialize_with = "null_default")]
    pub error: String,
    /// What Coroot's UI offers to do: `configure`, `wait`, or empty.
    #[serde(deserialize_with = "null_default")]
    pub action: String,
}

/// `context.status.node_agent`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NodeAgentStatus {
    /// Status.
    pub status: Status,
    /// Nodes with an agent.
    pub nodes: u64,
}

/// The envelope's `context` read for its search index alone.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Indexed {
    /// Every app and node of the world.
    pub search: Search,
}

/// `context.search`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Search {
    /// Every application id.
    #[serde(deserialize_with = "null_default")]
    pub applications: Vec<SearchApp>,
    /// Every node name.
    #[serde(deserialize_with = "null_default")]
    pub nodes: Vec<SearchNode>,
}

/// One entry of `context.search.applications`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SearchApp {
    /// Application id.
    pub id: AppId,
}

/// One entry of `context.search.nodes`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SearchNode {
    /// Node name.
    #[serde(deserialize_with = "null_default")]
    pub name: String,
}

/// An audit report of an application or a node.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AuditReport {
    /// Report name: `SLO`, `CPU`, `Memory`, `Node`, ...
    #[serde(deserialize_with = "null_default")]
    pub name: String,
    /// Worst status of its checks.
    pub status: Status,
    /// Charts, tables and layout widgets.
    #[serde(deserialize_with = "null_default")]
    pub widgets: Vec<Widget>,
    /// Health checks.
    #[serde(deserialize_with = "null_default")]
    pub checks: Vec<Check>,
    /// A setting that would let Coroot see more, e.g. async-profiler for a JVM (v1.19+,
    /// `model/audit_report.go`).
    pub configuration_hint: Option<ConfigurationHint>,
}

/// What to configure for a report to show more.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ConfigurationHint {
    /// e.g. "Enable async-profiler to get Java CPU, memory allocation, ... profiles".
    #[serde(deserialize_with = "null_default")]
    pub message: String,
    /// Coroot's documentation page on it.
    #[serde(deserialize_with = "null_default")]
    pub read_more_link: String,
}

/// A health check inside a report.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Check {
    /// e.g. `MemoryOOM`.
    #[serde(deserialize_with = "null_default")]
    pub id: String,
    /// e.g. `Out of Memory`.
    #[serde(deserialize_with = "null_default")]
    pub title: String,
    /// Status.
    pub status: Status,
    /// What was found, e.g. "application has been restarted 3 times by the OOM killer".
    #[serde(deserialize_with = "null_default")]
    pub message: String,
    /// Configured threshold.
    #[serde(deserialize_with = "lenient_f64")]
    pub threshold: f64,
    /// `""`, `percent`, `second`, `seconds/second`.
    #[serde(deserialize_with = "null_default")]
    pub unit: String,
    /// e.g. `the number of container restarts > <threshold>`.
    #[serde(deserialize_with = "null_default")]
    pub condition_format_template: String,
    /// Extra lines (v1.24+).
    #[serde(deserialize_with = "null_default")]
    pub details: Vec<String>,
}

/// A report widget. Only the content kinds a reader needs are modelled; the rest is ignored.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Widget {
    /// A chart.
    pub chart: Option<Chart>,
    /// A group of charts under one title.
    pub chart_group: Option<ChartGroup>,
    /// A table.
    pub table: Option<Table>,
    /// A group header layout widget.
    pub group_header: Option<String>,
    /// The group this widget belongs to.
    pub group: Option<String>,
}

/// A time-series chart.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Chart {
    /// Time axis.
    pub ctx: ChartContext,
    /// Title, may contain HTML such as `<var>`.
    #[serde(deserialize_with = "null_default")]
    pub title: String,
    /// Series.
    #[serde(deserialize_with = "null_default")]
    pub series: Vec<Series>,
    /// Threshold line (e.g. a limit).
    pub threshold: Option<Series>,
}

/// `timeseries.Context`.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(default)]
pub struct ChartContext {
    /// Start, epoch ms.
    pub from: i64,
    /// End, epoch ms.
    pub to: i64,
    /// Step, ms.
    pub step: i64,
}

/// One series: one point per step from `ctx.from`; `None` where Coroot sent `null` (no data).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Series {
    /// Name (legend).
    #[serde(deserialize_with = "null_default")]
    pub name: String,
    /// Points.
    #[serde(deserialize_with = "null_default")]
    pub data: Vec<Option<f64>>,
}

/// `{title, charts}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ChartGroup {
    /// Title with a `<selector>` placeholder.
    #[serde(deserialize_with = "null_default")]
    pub title: String,
    /// Member charts.
    #[serde(deserialize_with = "null_default")]
    pub charts: Vec<Chart>,
}

/// A table widget.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Table {
    /// Column headers.
    #[serde(deserialize_with = "null_default")]
    pub header: Vec<String>,
    /// Rows (`null` for an empty table).
    #[serde(deserialize_with = "null_default")]
    pub rows: Vec<TableRow>,
}

/// A table row.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TableRow {
    /// Row id.
    #[serde(deserialize_with = "null_default")]
    pub id: String,
    /// Cells in header order.
    #[serde(deserialize_with = "null_default")]
    pub cells: Vec<TableCell>,
}

/// A table cell. Its text is spread over `value`, `values`, `unit` and `tags`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TableCell {
    /// Main text.
    #[serde(deserialize_with = "null_default")]
    pub value: String,
    /// Several texts.
    #[serde(deserialize_with = "null_default")]
    pub values: Vec<String>,
    /// Small tags, e.g. `age: 3 days`.
    #[serde(deserialize_with = "null_default")]
    pub tags: Vec<String>,
    /// Unit shown after the value.
    #[serde(deserialize_with = "null_default")]
    pub unit: String,
    /// Status colour of the cell.
    pub status: Option<Status>,
    /// Progress bar (`percent`), used for CPU/memory in old node tables.
    pub progress: Option<Progress>,
    /// The Deployments table's summary cell: how the rollout compares with the previous one.
    #[serde(deserialize_with = "null_default")]
    pub deployment_summaries: Vec<CellDeploymentSummary>,
    /// Technology icon, e.g. the OS (`linux`) in the node report's info table.
    #[serde(deserialize_with = "null_default")]
    pub tech_icon: String,
}

/// One line of a Deployments table summary cell.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CellDeploymentSummary {
    /// Report the line is about, e.g. `Memory`.
    #[serde(deserialize_with = "null_default")]
    pub report: String,
    /// False for a regression.
    pub ok: bool,
    /// e.g. "app containers have been restarted 3 times by the OOM killer".
    #[serde(deserialize_with = "null_default")]
    pub message: String,
}

/// A cell's progress bar.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(default)]
pub struct Progress {
    /// Percent.
    #[serde(deserialize_with = "lenient_f64")]
    pub percent: f64,
}

impl TableCell {
    /// The cell as one line of text: value (or values), unit, then tags.
    pub fn text(&self) -> String {
        let mut out = if self.value.is_empty() {
            self.values.join(", ")
        } else {
            self.value.clone()
        };
        if !self.unit.is_empty() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&self.unit);
        }
        for tag in &self.tags {
            out.push_str(&format!(" [{tag}]"));
        }
        out.trim().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_read_from_any_token() {
        let status = |json: &str| serde_json::from_str::<Status>(json).unwrap();
        assert_eq!(status(r#""critical""#), Status::Critical);
        assert_eq!(status(r#"" Warning ""#), Status::Warning);
        assert_eq!(status(r#""OK""#), Status::Ok);
        assert_eq!(status(r#""info""#), Status::Info);
        assert_eq!(status(r#""unknown""#), Status::Unknown);
        assert_eq!(status(r#""3""#), Status::Warning);
        assert_eq!(status("4"), Status::Critical);
        assert_eq!(status("1"), Status::Ok);
        assert_eq!(status("0"), Status::Unknown);
        assert_eq!(status("-1"), Status::Unknown);
        assert_eq!(status("18446744073709551615"), Status::Unknown);
        assert_eq!(status("2.0"), Status::Unknown);
        assert_eq!(status("null"), Status::Unknown);
        assert_eq!(status("true"), Status::Unknown);
        assert_eq!(status(r#"{"a": [1, {"b": null}]}"#), Status::Unknown);
        assert_eq!(status("[1, 2]"), Status::Unknown);
        // Inside a struct, with the fields after it still read.
        let i: Indicator = serde_json::from_str(r#"{"status": {"x": 1}, "message": "m"}"#).unwrap();
        assert_eq!((i.status, i.message.as_str()), (Status::Unknown, "m"));
        let i: Indicator = serde_json::from_str(r#"{"status": null, "message": null}"#).unwrap();
        assert_eq!((i.status, i.message.as_str()), (Status::Unknown, ""));
    }
}
