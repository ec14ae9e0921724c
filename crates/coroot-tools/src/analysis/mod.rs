//! Coroot knowledge as pure functions over the client's models: one answer per Coroot question,
//! asked by every tool that needs it (and by `coroot_investigate`), tested without a server.
//!
//! - [`severity`]: the order of statuses and of log levels.
//! - [`logs`]: grouping log lines into messages, and the pod a line came from.
//! - [`incident`]: whether an incident has a root cause analysis, and what is not one.
//! - [`propagation`]: an incident's propagation map as a graph: where the failure starts and the
//!   path it took.
//! - [`signals`]: the kind of fault a check, a log line, a Kubernetes event or a table row
//!   points at.
//! - [`storage`]: logs and traces that are unavailable (no ClickHouse), not empty.
//! - [`markup`]: Coroot's HTML markup in messages and titles.
//! - [`charts`]: chart titles, units and series statistics.
//! - [`tables`]: report table cells and columns.

pub mod charts;
pub mod incident;
pub mod logs;
pub mod markup;
pub mod propagation;
pub mod severity;
pub mod signals;
pub mod storage;
pub mod tables;

use coroot_client::AppId;

/// An app id without its cluster part, so the 3- and 4-part ids of one app (Coroot's views
/// disagree on which they send) compare equal.
pub fn app_key(id: &AppId) -> String {
    match id.parts() {
        Some(p) => format!("{}:{}:{}", p.namespace, p.kind, p.name),
        None => id.as_str().to_string(),
    }
}

/// True when two ids name the same app.
pub fn same_app(a: &AppId, b: &AppId) -> bool {
    app_key(a) == app_key(b)
}
