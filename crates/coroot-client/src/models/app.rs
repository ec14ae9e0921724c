//! One application (`/app/{id}`): its map (instances, clients, dependencies) and audit reports.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::common::{AuditReport, Indicator, Status};
use crate::de::{lenient_f64, null_default};
use crate::ids::AppId;

/// `/app/{id}` payload.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ApplicationView {
    /// The application and its neighbours.
    pub app_map: AppMap,
    /// Audit reports in Coroot's order (SLO, Instances, CPU, Memory, ...).
    #[serde(deserialize_with = "null_default")]
    pub reports: Vec<AuditReport>,
}

/// `app_map`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AppMap {
    /// The application itself.
    pub application: AppMapApp,
    /// Running instances (pods).
    #[serde(deserialize_with = "null_default")]
    pub instances: Vec<AppInstance>,
    /// Apps calling this one.
    #[serde(deserialize_with = "null_default")]
    pub clients: Vec<AppMapApp>,
    /// Apps this one calls.
    #[serde(deserialize_with = "null_default")]
    pub dependencies: Vec<AppMapApp>,
}

/// An application in an app map, with the link to the viewed app.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AppMapApp {
    /// Application id.
    pub id: AppId,
    /// Status.
    pub status: Status,
    /// One per audit report.
    #[serde(deserialize_with = "null_default")]
    pub indicators: Vec<Indicator>,
    /// Labels.
    #[serde(deserialize_with = "null_default")]
    pub labels: BTreeMap<String, String>,
    /// Status of the connection.
    pub link_status: Status,
    /// The connection problem, e.g. "failed connections".
    #[serde(deserialize_with = "null_default")]
    pub link_status_reason: String,
    /// `to`, `both`.
    #[serde(deserialize_with = "null_default")]
    pub link_direction: String,
    /// e.g. `["📈 40 rps ⏱️ 2ms"]`.
    #[serde(deserialize_with = "null_default")]
    pub link_stats: Vec<String>,
    /// Requests per second.
    #[serde(deserialize_with = "lenient_f64")]
    pub link_weight: f64,
}

/// An instance of an application.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AppInstance {
    /// Instance (pod) name.
    #[serde(deserialize_with = "null_default")]
    pub id: String,
    /// e.g. `role: primary`.
    #[serde(deserialize_with = "null_default")]
    pub labels: BTreeMap<String, String>,
}
