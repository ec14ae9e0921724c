//! What `coroot_investigate` returns: the ranked suspects with their evidence, and around them
//! what the report says of the incidents, the failure paths, the symptoms and what was checked.

use schemars::JsonSchema;
use serde::Serialize;

pub use super::changes::{Change, Compared};
use crate::analysis::signals::Kind;
use crate::context::Window;
use crate::tools::incidents::IncidentHead;

/// Output.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    /// Project name.
    pub project: String,
    /// Window of the health data (incidents and deployments: at least the last 24h).
    pub window: Window,
    /// What Coroot says is wrong with the project's data sources (Prometheus, node agent,
    /// kube-state-metrics): when present, the answer may be empty or incomplete.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub coroot_status: Vec<String>,
    /// What the investigation started from.
    pub started_from: String,
    /// One-line conclusion.
    pub verdict: String,
    /// Incidents investigated.
    pub incidents: Vec<IncidentOut>,
    /// Failure paths, each from where the failure starts to the app that shows it.
    pub paths: Vec<Vec<String>>,
    /// The earliest failure signal found, UTC ISO-8601, and what it was.
    pub first_failure: Option<FirstFailure>,
    /// The windows compared for `changes`.
    pub compared: Compared,
    /// What changed from the window before: rollouts, new error log patterns, checks turned
    /// WARNING or CRITICAL, links that started failing; the earliest first.
    pub changes: Vec<Change>,
    /// Suspected root causes, most likely first.
    pub suspects: Vec<Suspect>,
    /// Failing SLOs of the apps involved: the impact, not a cause.
    pub symptoms: Vec<Evidence>,
    /// Availability and security risks of the apps involved.
    pub risks: Vec<String>,
    /// What was checked and found healthy.
    pub healthy: Vec<String>,
    /// What could not be checked, and why.
    pub could_not_check: Vec<String>,
    /// The calls that would confirm the top suspect.
    pub next_calls: Vec<String>,
}

/// An incident the investigation started from.
#[derive(Debug, Serialize, JsonSchema)]
pub struct IncidentOut {
    /// The incident.
    #[serde(flatten)]
    pub head: IncidentHead,
    /// The incident's page in Coroot's UI.
    pub url: String,
    /// Coroot's RCA summary, only when Coroot has an RCA.
    pub rca_summary: String,
    /// Coroot's automatic description of the SLO breach: what broke, not why.
    pub description: String,
}

/// The earliest failure signal.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FirstFailure {
    /// UTC ISO-8601.
    pub at: String,
    /// What it was, e.g. "default/payment fatal log".
    pub what: String,
    #[serde(skip)]
    pub(crate) ms: i64,
}

/// A suspected root cause.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Suspect {
    /// 1 = most likely.
    pub rank: usize,
    /// e.g. "OOM kills of default/payment after deployment 7d9f8b6c5: payment:2.4.1".
    pub cause: String,
    /// The kind of fault it is.
    pub kind: Kind,
    /// Every kind of signal found for it.
    pub signals: Vec<Kind>,
    /// Application id, when the cause is in an app.
    pub app: Option<String>,
    /// Node, when the cause involves one.
    pub node: Option<String>,
    /// Its page in Coroot's UI: the app's, else the node's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The independent problem it belongs to (1 = the strongest); the first suspect of each
    /// problem comes before any second one.
    pub problem: usize,
    /// Open incidents whose failure path this problem explains; empty when no open incident
    /// covers it.
    pub incidents: Vec<String>,
    /// Sum of the rules below.
    pub score: u32,
    /// The scoring rules that applied, e.g. "path start +3".
    pub score_rules: Vec<String>,
    /// The facts behind it.
    pub evidence: Vec<Evidence>,
}

/// One fact and where it came from.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
pub struct Evidence {
    /// The tool that shows it, e.g. `coroot_get_app_detail`.
    pub source_tool: &'static str,
    /// Where in that tool's output, e.g. "payment: Memory / Out of Memory".
    pub item: String,
    /// The message or value.
    pub fact: String,
}
