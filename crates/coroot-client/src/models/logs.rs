//! Logs: the project-wide overview view and one application's logs.

use serde::Deserialize;

use super::attributes::Attributes;
use super::common::{Chart, Status};
use crate::de::null_default;

/// `overview/logs` payload.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Logs {
    /// `""` or "Clickhouse integration is not configured."
    #[serde(deserialize_with = "null_default")]
    pub message: String,
    /// ClickHouse error text.
    #[serde(deserialize_with = "null_default")]
    pub error: String,
    /// Newest first.
    #[serde(deserialize_with = "null_default")]
    pub entries: Vec<LogEntry>,
    /// ns of the newest entry, for paging.
    #[serde(deserialize_with = "null_default")]
    pub max_ts: String,
    /// Lines per severity and step over every matching line, not only those returned
    /// (`api/views/overview/logs.go`).
    pub chart: Option<Chart>,
}

/// A log line.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct LogEntry {
    /// App id, service name, or `KubernetesEvents` (overview only).
    #[serde(deserialize_with = "null_default")]
    pub application: String,
    /// Epoch ms.
    pub timestamp: i64,
    /// `error`, `warning`, `info`, ...
    #[serde(deserialize_with = "null_default")]
    pub severity: String,
    /// The log body.
    #[serde(deserialize_with = "null_default")]
    pub message: String,
    /// Log and resource attributes.
    #[serde(deserialize_with = "null_default")]
    pub attributes: Attributes,
    /// `""` when none.
    #[serde(deserialize_with = "null_default")]
    pub trace_id: String,
}

/// `app/{id}/logs` payload.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AppLogs {
    /// `ok`, `unknown` (no logs), `warning` (ClickHouse error).
    pub status: Status,
    /// e.g. "Using container logs", "Clickhouse integration is not configured".
    #[serde(deserialize_with = "null_default")]
    pub message: String,
    /// Sources with logs: `agent` (container stdout, collected by coroot-node-agent) when the
    /// project has any, then `otel` when this app has an OpenTelemetry service
    /// (`api/views/logs/logs.go`); `null` without ClickHouse.
    #[serde(deserialize_with = "null_default")]
    pub sources: Vec<String>,
    /// Source used.
    #[serde(deserialize_with = "null_default")]
    pub source: String,
    /// The app's OpenTelemetry service, when it has one.
    #[serde(deserialize_with = "null_default")]
    pub service: String,
    /// Lines per severity and step over every matching line, not only those returned; from
    /// the node agent's log-pattern counters when Coroot has no ClickHouse.
    pub chart: Option<Chart>,
    /// `messages` or `patterns`.
    #[serde(deserialize_with = "null_default")]
    pub view: String,
    /// Newest first.
    #[serde(deserialize_with = "null_default")]
    pub entries: Vec<LogEntry>,
    /// Log patterns (view `patterns`).
    #[serde(deserialize_with = "null_default")]
    pub patterns: Vec<LogPattern>,
    /// The query limit when reached, else 0.
    pub limit: u64,
}

/// A log pattern.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct LogPattern {
    /// Severity.
    #[serde(deserialize_with = "null_default")]
    pub severity: String,
    /// A sample message.
    #[serde(deserialize_with = "null_default")]
    pub sample: String,
    /// Occurrences.
    pub sum: u64,
}
