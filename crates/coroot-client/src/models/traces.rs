//! The traces view (`overview/traces`): root spans, one trace's spans, error groups, summary.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::attributes::Attributes;
use crate::de::{lenient_f64, null_default};

/// `overview/traces` payload.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Traces {
    /// `""`, `no_clickhouse`, `not_found`.
    #[serde(deserialize_with = "null_default")]
    pub message: String,
    /// ClickHouse error text.
    #[serde(deserialize_with = "null_default")]
    pub error: String,
    /// Root spans (view `traces`), at most 100; newest first from v1.24.1 (`clickhouse/traces.go`,
    /// ea35868), an arbitrary sample before.
    #[serde(deserialize_with = "null_default")]
    pub traces: Vec<Span>,
    /// 100 when Coroot capped the list.
    pub limit: u64,
    /// All spans of the requested `trace_id`, by start time.
    #[serde(deserialize_with = "null_default")]
    pub trace: Vec<Span>,
    /// Error groups (view `errors`).
    #[serde(deserialize_with = "null_default")]
    pub errors: Vec<TraceError>,
}

/// `app/{app}/tracing`: the requests one application served (`api/views/tracing/tracing.go`).
/// Unlike the overview, it lists the app's server spans at any depth, from OpenTelemetry or
/// from the node agent's eBPF tracer.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AppTraces {
    /// `ok`, `warning` (no or failing ClickHouse), `unknown` (no traces at all).
    pub status: super::common::Status,
    /// e.g. "Using traces of <i>catalog</i>", "Using data gathered by the eBPF tracer",
    /// "Clickhouse integration is not configured", "No traces found".
    #[serde(deserialize_with = "null_default")]
    pub message: String,
    /// The sources Coroot has traces in.
    #[serde(deserialize_with = "null_default")]
    pub sources: Vec<TraceSourceOption>,
    /// The spans (at most 100), each with the client that sent the request.
    #[serde(deserialize_with = "null_default")]
    pub spans: Vec<Span>,
    /// 100 when Coroot capped the list.
    pub limit: u64,
}

/// A source of `app/{app}/tracing`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TraceSourceOption {
    /// `otel` or `agent` (eBPF).
    #[serde(rename = "type", deserialize_with = "null_default")]
    pub source_type: String,
    /// The one used for these spans.
    pub selected: bool,
}

/// A span.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Span {
    /// Service name.
    #[serde(deserialize_with = "null_default")]
    pub service: String,
    /// Trace id.
    #[serde(deserialize_with = "null_default")]
    pub trace_id: String,
    /// Span id.
    #[serde(deserialize_with = "null_default")]
    pub id: String,
    /// Parent span id, `""` for a root.
    #[serde(deserialize_with = "null_default")]
    pub parent_id: String,
    /// Span name, e.g. `GET /api/cart`.
    #[serde(deserialize_with = "null_default")]
    pub name: String,
    /// Start, epoch ms.
    pub timestamp: i64,
    /// Duration, ms.
    #[serde(deserialize_with = "lenient_f64")]
    pub duration: f64,
    /// Error flag and message (`HTTP-502`, the OTel status message, ...).
    pub status: SpanStatus,
    /// URL or statement.
    pub details: SpanDetails,
    /// Attributes.
    #[serde(deserialize_with = "null_default")]
    pub attributes: Attributes,
    /// Events (exceptions).
    #[serde(deserialize_with = "null_default")]
    pub events: Vec<SpanEvent>,
    /// The app that sent the request (`app/{app}/tracing` only).
    #[serde(deserialize_with = "null_default")]
    pub client: String,
}

/// `{error, message}` of a span.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SpanStatus {
    /// Failed.
    pub error: bool,
    /// Message.
    #[serde(deserialize_with = "null_default")]
    pub message: String,
}

/// `{text, lang}` of a span.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SpanDetails {
    /// URL or statement.
    #[serde(deserialize_with = "null_default")]
    pub text: String,
    /// `""`, `sql`, `json`, `bash`.
    #[serde(deserialize_with = "null_default")]
    pub lang: String,
}

/// A span event.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SpanEvent {
    /// Epoch ms.
    pub timestamp: i64,
    /// e.g. `exception`.
    #[serde(deserialize_with = "null_default")]
    pub name: String,
    /// Attributes such as `exception.message`.
    #[serde(deserialize_with = "null_default")]
    pub attributes: Attributes,
}

/// An error group of the `errors` view.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TraceError {
    /// Service.
    #[serde(deserialize_with = "null_default")]
    pub service_name: String,
    /// Span name.
    #[serde(deserialize_with = "null_default")]
    pub span_name: String,
    /// Selected attributes.
    #[serde(deserialize_with = "null_default")]
    pub labels: BTreeMap<String, String>,
    /// A trace to look at.
    #[serde(deserialize_with = "null_default")]
    pub sample_trace_id: String,
    /// The error text.
    #[serde(deserialize_with = "null_default")]
    pub sample_error: String,
    /// Fraction of all errors.
    #[serde(deserialize_with = "lenient_f64")]
    pub count: f64,
}
