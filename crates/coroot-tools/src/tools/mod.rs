//! The 14 tools and coroot_investigate, one per file, plus what they share: project resolution and the header line.

pub mod app_detail;
pub mod app_logs;
pub mod applications;
pub mod costs;
pub mod deployments;
pub mod incident_detail;
pub mod incidents;
pub mod investigate;
pub mod node_detail;
pub mod nodes;
pub mod overview_logs;
pub mod query_metrics;
pub mod risks;
pub mod service_map;
pub mod traces;

use coroot_client::models::Project;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::format::hours;
use crate::params::Window;

/// Order of attention for apps and links: CRITICAL, WARNING, INFO, UNKNOWN, OK.
pub(crate) fn attention_rank(s: coroot_client::Status) -> u8 {
    use coroot_client::Status;
    match s {
        Status::Critical => 0,
        Status::Warning => 1,
        Status::Info => 2,
        Status::Unknown => 3,
        Status::Ok => 4,
    }
}

/// The project to query: `project_id` (an id or a name) or the default one.
pub(crate) async fn project(ctx: &ToolContext, project_id: Option<&str>) -> Result<Project, ToolError> {
    Ok(ctx.client.resolve_project(project_id).await?)
}

/// `<what> · project <name> · last 24h (from → to)`: the first line of most outputs, so the
/// agent always knows what was searched.
pub(crate) fn header(what: &str, project: &str, window: &Window) -> String {
    format!(
        "{what} · project {project} · last {} ({} → {})",
        hours(window.lookback_hours),
        window.from,
        window.to
    )
}

/// The line to print under the header when lookback_hours was adjusted.
pub(crate) fn window_note(text: &mut crate::Text, window: &Window) {
    if let Some(note) = window.note() {
        text.line(note);
    }
}
