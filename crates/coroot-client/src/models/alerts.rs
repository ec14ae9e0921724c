//! Alerts (Coroot v1.18+): rule-based alerts that fire on failing checks, log patterns,
//! Kubernetes events or PromQL (`api/views/alert/alert.go`, `model/alert.go`).

use serde::Deserialize;

use super::common::Status;
use crate::de::{null_default, time_ms};
use crate::ids::AppId;

/// `GET /alerts`: the firing alerts (and resolved ones when asked).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Alerts {
    /// Newest first.
    #[serde(deserialize_with = "null_default")]
    pub alerts: Vec<Alert>,
    /// Alerts matching the query.
    pub total: u64,
    /// Firing alerts.
    pub firing: u64,
    /// Resolved alerts (counted even when not listed).
    pub resolved: u64,
}

/// One alert.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Alert {
    /// Alert id.
    #[serde(deserialize_with = "null_default")]
    pub id: String,
    /// e.g. `memory-oom`.
    #[serde(deserialize_with = "null_default")]
    pub rule_id: String,
    /// e.g. `Out of memory kills`.
    #[serde(deserialize_with = "null_default")]
    pub rule_name: String,
    /// The application it is about.
    pub application_id: AppId,
    /// `warning` or `critical`.
    pub severity: Status,
    /// e.g. "application has been restarted 11 times by the OOM killer".
    #[serde(deserialize_with = "null_default")]
    pub summary: String,
    /// Name/value pairs, e.g. the rule's description.
    #[serde(deserialize_with = "null_default")]
    pub details: Vec<AlertDetail>,
    /// Epoch ms.
    #[serde(deserialize_with = "time_ms")]
    pub opened_at: Option<i64>,
    /// Epoch ms; `null` while firing.
    #[serde(deserialize_with = "time_ms")]
    pub resolved_at: Option<i64>,
    /// Epoch ms, when someone resolved it by hand.
    #[serde(deserialize_with = "time_ms")]
    pub manually_resolved_at: Option<i64>,
    /// Silenced by someone.
    pub suppressed: bool,
    /// The report of the check behind it, e.g. `Memory`.
    #[serde(deserialize_with = "null_default")]
    pub report: String,
}

/// A detail line of an alert.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AlertDetail {
    /// e.g. `Description`.
    #[serde(deserialize_with = "null_default")]
    pub name: String,
    /// The text.
    #[serde(deserialize_with = "null_default")]
    pub value: String,
}

impl Alert {
    /// True while it fires: not resolved, not resolved by hand, not silenced.
    pub fn is_firing(&self) -> bool {
        self.resolved_at.is_none() && self.manually_resolved_at.is_none() && !self.suppressed
    }
}
