//! Incidents: the list (`/incidents`) and one incident with its RCA (`/incident/{key}`).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::common::{Status, Widget};
use crate::de::{lenient_f64, null_default, time_ms};
use crate::ids::AppId;

/// An incident of the list. In the list only `rca.status` and `rca.short_summary` are filled.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Incident {
    /// Affected application.
    pub application_id: AppId,
    /// 8-character key used in URLs.
    #[serde(deserialize_with = "null_default")]
    pub key: String,
    /// Epoch ms.
    #[serde(deserialize_with = "time_ms")]
    pub opened_at: Option<i64>,
    /// Epoch ms; `None` while open.
    #[serde(deserialize_with = "time_ms")]
    pub resolved_at: Option<i64>,
    /// `warning` or `critical`.
    pub severity: Status,
    /// SLO burn rates and impact.
    pub details: IncidentDetails,
    /// Root cause analysis (v1.12.5+; `null` when none).
    pub rca: Option<Rca>,
    /// Max affected-request percentage.
    #[serde(deserialize_with = "lenient_f64")]
    pub impact: f64,
    /// RCA summary or a generic description.
    #[serde(deserialize_with = "null_default")]
    pub short_description: String,
    /// Category of the application.
    #[serde(deserialize_with = "null_default")]
    pub application_category: String,
    /// Duration, ms (to now while open).
    pub duration: i64,
}

impl Incident {
    /// Still open.
    pub fn is_open(&self) -> bool {
        self.resolved_at.is_none()
    }
}

/// `details` of an incident.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct IncidentDetails {
    /// Availability burn rates.
    #[serde(deserialize_with = "null_default")]
    pub availability_burn_rates: Vec<BurnRate>,
    /// Latency burn rates.
    #[serde(deserialize_with = "null_default")]
    pub latency_burn_rates: Vec<BurnRate>,
    /// Failed requests, %.
    pub availability_impact: Impact,
    /// Slow requests, %.
    pub latency_impact: Impact,
}

/// `{percentage}`.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(default)]
pub struct Impact {
    /// Affected requests, %.
    #[serde(deserialize_with = "lenient_f64")]
    pub percentage: f64,
}

/// An SLO burn rate.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BurnRate {
    /// Burn rate over the long window.
    #[serde(deserialize_with = "lenient_f64")]
    pub long_window_burn_rate: f64,
    /// Burn rate over the short window.
    #[serde(deserialize_with = "lenient_f64")]
    pub short_window_burn_rate: f64,
    /// Long window, ms.
    pub long_window: i64,
    /// Short window, ms.
    pub short_window: i64,
    /// Severity.
    pub severity: Status,
    /// Threshold.
    #[serde(deserialize_with = "lenient_f64")]
    pub threshold: f64,
}

/// Root cause analysis. v1.12 sent `ai_integration_enabled` instead of `status`/`error`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Rca {
    /// `OK`, `In progress`, `Failed`, `AI disabled`, `Out of credits` or `""`.
    #[serde(deserialize_with = "null_default")]
    pub status: String,
    /// Error text.
    #[serde(deserialize_with = "null_default")]
    pub error: String,
    /// One line.
    #[serde(deserialize_with = "null_default")]
    pub short_summary: String,
    /// Markdown.
    #[serde(deserialize_with = "null_default")]
    pub root_cause: String,
    /// Markdown.
    #[serde(deserialize_with = "null_default")]
    pub immediate_fixes: String,
    /// Markdown.
    #[serde(deserialize_with = "null_default")]
    pub detailed_root_cause_analysis: String,
    /// How the failure spread (v1.14.4+).
    pub propagation_map: Option<PropagationMap>,
    /// Charts the detailed analysis refers to by `WIDGET-<n>` lines (0-based).
    #[serde(deserialize_with = "null_default")]
    pub widgets: Vec<Widget>,
}

/// `rca.propagation_map`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PropagationMap {
    /// Applications on the failure path.
    #[serde(deserialize_with = "null_default")]
    pub applications: Vec<PropagationApp>,
}

/// An application of the propagation map.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PropagationApp {
    /// Application id.
    pub id: AppId,
    /// Status.
    pub status: Status,
    /// Issues found.
    #[serde(deserialize_with = "null_default")]
    pub issues: Vec<String>,
    /// Labels.
    #[serde(deserialize_with = "null_default")]
    pub labels: BTreeMap<String, String>,
    /// Apps it calls.
    #[serde(deserialize_with = "null_default")]
    pub upstreams: Vec<PropagationLink>,
    /// Apps calling it.
    #[serde(deserialize_with = "null_default")]
    pub downstreams: Vec<PropagationLink>,
}

/// A link of the propagation map.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PropagationLink {
    /// The other application.
    pub id: AppId,
    /// Status.
    pub status: Status,
    /// Stats lines.
    #[serde(deserialize_with = "null_default")]
    pub stats: Vec<String>,
}

/// `/incident/{key}`: the incident with its full RCA and SLOs.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct IncidentView {
    /// The incident fields.
    #[serde(flatten)]
    pub incident: Incident,
    /// Availability SLO.
    pub availability_slo: Option<Slo>,
    /// Latency SLO.
    pub latency_slo: Option<Slo>,
    /// Epoch ms.
    #[serde(deserialize_with = "time_ms")]
    pub actual_from: Option<i64>,
    /// Epoch ms.
    #[serde(deserialize_with = "time_ms")]
    pub actual_to: Option<i64>,
    /// The SLI charts (latency percentiles, errors per second) around the incident
    /// (`api/views/incident/incident.go`).
    #[serde(deserialize_with = "null_default")]
    pub widgets: Vec<Widget>,
}

/// An SLO of an incident.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Slo {
    /// e.g. "99% of requests should not fail".
    #[serde(deserialize_with = "null_default")]
    pub objective: String,
    /// e.g. "95.8%".
    #[serde(deserialize_with = "null_default")]
    pub compliance: String,
    /// Violated.
    pub violated: bool,
}
