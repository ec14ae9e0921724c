//! The connection check: is Coroot reachable, which version, do the credentials work, which
//! projects are visible and which one is the default. Every failure says why.

use schemars::JsonSchema;
use serde::Serialize;

use crate::ToolContext;

/// The outcome of a connection check.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CheckReport {
    /// The Coroot URL checked.
    pub url: String,
    /// `/health` answered.
    pub reachable: bool,
    /// Version from the UI page, when it says.
    pub version: Option<String>,
    /// Edition (Community, Enterprise), when known.
    pub edition: Option<String>,
    /// The credentials (or anonymous access) opened `/api/user`.
    pub authenticated: bool,
    /// `password`, `anonymous`.
    pub auth_mode: String,
    /// Logged-in user, when known.
    pub user: Option<String>,
    /// Visible projects as `name (id)`.
    pub projects: Vec<String>,
    /// The project used when a call names none.
    pub default_project: Option<String>,
    /// Prometheus status of the default project, when known.
    pub prometheus: Option<String>,
    /// Why the check failed; `None` when connected.
    pub error: Option<String>,
}

impl CheckReport {
    /// Connected and usable.
    pub fn ok(&self) -> bool {
        self.error.is_none()
    }

    /// One line for a person or an agent.
    pub fn summary(&self) -> String {
        match &self.error {
            Some(e) => format!("not connected: {e}"),
            None => format!(
                "connected to Coroot {}{} at {} as {} · projects: {} · default: {}",
                self.version.as_deref().unwrap_or("(version unknown)"),
                self.edition
                    .as_deref()
                    .map(|e| format!(" {e}"))
                    .unwrap_or_default(),
                self.url,
                self.user.as_deref().unwrap_or("anonymous"),
                if self.projects.is_empty() {
                    "none".into()
                } else {
                    self.projects.join(", ")
                },
                self.default_project.as_deref().unwrap_or("none"),
            ),
        }
    }

    /// Several lines, for `coroot-mcp check` and the MCP resource.
    pub fn render(&self) -> String {
        let mut lines = vec![self.summary()];
        lines.push(format!("url: {}", self.url));
        lines.push(format!("reachable: {}", yes(self.reachable)));
        lines.push(format!(
            "version: {}",
            self.version
                .as_deref()
                .unwrap_or("unknown (the index page does not say; normal behind some proxies)")
        ));
        lines.push(format!(
            "authenticated: {} ({})",
            yes(self.authenticated),
            self.auth_mode
        ));
        if let Some(p) = &self.prometheus {
            lines.push(format!("prometheus (default project): {p}"));
        }
        lines.join("\n")
    }
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// Runs the check. Never fails: failures land in `error`.
pub async fn run(ctx: &ToolContext) -> CheckReport {
    let client = &ctx.client;
    let auth_mode = match client.config().credentials {
        coroot_client::Credentials::Anonymous => "anonymous",
        coroot_client::Credentials::Password { .. } => "password",
    };
    let mut report = CheckReport {
        url: client.base_url().to_string(),
        reachable: false,
        version: None,
        edition: None,
        authenticated: false,
        auth_mode: auth_mode.into(),
        user: None,
        projects: Vec::new(),
        default_project: None,
        prometheus: None,
        error: None,
    };
    if let Err(e) = client.health().await {
        report.error = Some(e.to_string());
        return report;
    }
    report.reachable = true;
    if let Ok(info) = client.server_info().await {
        report.version = info.version;
        report.edition = info.edition;
    }
    let user = match client.user().await {
        Ok(user) => user,
        Err(e) => {
            report.error = Some(e.to_string());
            return report;
        }
    };
    report.authenticated = true;
    report.user = Some(if user.anonymous {
        "anonymous".into()
    } else {
        user.email.clone()
    })
    .filter(|u| !u.is_empty());
    report.projects = user
        .projects
        .iter()
        .map(|p| format!("{} ({})", p.name, p.id))
        .collect();
    match client.resolve_project(None).await {
        Ok(project) => {
            report.default_project = Some(format!("{} ({})", project.name, project.id));
            if let Ok(status) = client.project_status(&project.id).await {
                let p = &status.prometheus;
                report.prometheus = Some(if p.message.is_empty() {
                    p.status.label().to_lowercase()
                } else {
                    p.message.clone()
                });
            }
        }
        Err(e) => report.error = Some(e.to_string()),
    }
    report
}
