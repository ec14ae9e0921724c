//! The resources: the projects the configured user sees, and the connection check, as text.

use coroot_tools::ToolContext;
use rmcp::model::Resource;

const PROJECTS_URI: &str = "coroot://projects";
const CONNECTION_URI: &str = "coroot://connection";

/// Every resource URI, for the message that answers an unknown one.
pub const URIS: [&str; 2] = [PROJECTS_URI, CONNECTION_URI];

/// The resources, for `resources/list`.
pub fn list() -> Vec<Resource> {
    vec![
        Resource::new(PROJECTS_URI, "projects")
            .with_title("Coroot projects")
            .with_description("Projects visible to the configured user; the default one is marked")
            .with_mime_type("text/plain"),
        Resource::new(CONNECTION_URI, "connection")
            .with_title("Coroot connection check")
            .with_description("Reachability, version, credentials, projects and the default project")
            .with_mime_type("text/plain"),
    ]
}

/// The text of the resource at `uri`, or `None` when there is no such resource.
pub async fn read(ctx: &ToolContext, uri: &str) -> Option<String> {
    match uri {
        PROJECTS_URI => Some(projects_text(ctx).await),
        CONNECTION_URI => Some(coroot_tools::check::run(ctx).await.render()),
        _ => None,
    }
}

async fn projects_text(ctx: &ToolContext) -> String {
    match ctx.client.projects().await {
        Ok(projects) => {
            let default = ctx.client.resolve_project(None).await.ok();
            let lines: Vec<String> = projects
                .iter()
                .map(|p| {
                    let mark = if default.as_ref().is_some_and(|d| d.id == p.id) {
                        " (default)"
                    } else {
                        ""
                    };
                    format!("{} · id {}{mark}", p.name, p.id)
                })
                .collect();
            if lines.is_empty() {
                "No project is visible to this user.".into()
            } else {
                lines.join("\n")
            }
        }
        Err(e) => format!("cannot list projects: {e}"),
    }
}
