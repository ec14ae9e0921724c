//! The connection check: is Coroot reachable, which version, do the credentials work, which
//! projects are visible and which one is the default. Every failure says why.

use schemars::JsonSchema;
use serde::Serialize;

use crate::context::ToolContext;

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
    /// What Coroot says is wrong with the default project's data sources.
    pub warnings: Vec<String>,
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
                self.edition.as_deref().map(|e| format!(" {e}")).unwrap_or_default(),
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
        for w in &self.warnings {
            lines.push(format!("warning: {w}"));
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
    let auth_mode = client.config().credentials.kind();
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
        warnings: Vec::new(),
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
    if let Err(e) = client.supported().await {
        report.error = Some(e.to_string());
        return report;
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
    report.projects = user.projects.iter().map(|p| format!("{} ({})", p.name, p.id)).collect();
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
                report.warnings = status.problems();
            }
        }
        Err(e) => report.error = Some(e.to_string()),
    }
    report
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use coroot_client::{Client, ClientConfig};
    use coroot_sim::{Auth, Fault, FaultRule, Scenario, SimConfig, Simulator};

    use super::*;
    use crate::testing;

    fn ctx_for(config: ClientConfig) -> ToolContext {
        ToolContext::new(Client::new(config).expect("client"))
    }

    #[tokio::test]
    async fn a_working_connection_reports_version_projects_and_default() {
        let kit = testing::ecommerce().await;
        let report = run(&kit.ctx).await;
        assert!(report.ok(), "{report:?}");
        assert_eq!(report.version.as_deref(), Some("1.24.5"));
        assert_eq!(report.projects, ["production (k3h2x9qa)", "staging (p0m1n2b3)"]);
        assert_eq!(report.default_project.as_deref(), Some("production (k3h2x9qa)"));
        assert!(
            report.summary().starts_with("connected to Coroot 1.24.5 Community"),
            "{}",
            report.summary()
        );
    }

    #[tokio::test]
    async fn a_wrong_password_is_named() {
        let kit = testing::ecommerce().await;
        let report = run(&ctx_for(
            ClientConfig::new(kit.sim.base_url()).with_password("admin", "wrong"),
        ))
        .await;
        assert!(report.reachable && !report.authenticated);
        assert!(
            report.summary().contains("invalid email or password"),
            "{}",
            report.summary()
        );
    }

    #[tokio::test]
    async fn a_wrong_base_path_is_not_the_coroot_api() {
        let sim = Simulator::start(
            Scenario::ecommerce(),
            SimConfig {
                base_path: "/coroot/".into(),
                ..SimConfig::default()
            },
        )
        .await
        .expect("sim");
        let root = sim.base_url().trim_end_matches("/coroot").to_string();
        let report = run(&ctx_for(ClientConfig::new(root).with_password("admin", "sim-password"))).await;
        assert!(
            report.summary().contains("does not serve the Coroot API"),
            "{}",
            report.summary()
        );
    }

    #[tokio::test]
    async fn tls_refused_and_timeout_each_say_why() {
        let kit = testing::ecommerce().await;
        let https = kit.sim.base_url().replacen("http://", "https://", 1);
        let report = run(&ctx_for(ClientConfig::new(https))).await;
        assert!(
            !report.reachable && report.summary().contains("TLS"),
            "{}",
            report.summary()
        );

        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("bind")
            .local_addr()
            .expect("addr")
            .port();
        let report = run(&ctx_for(ClientConfig::new(format!("http://127.0.0.1:{port}")))).await;
        assert!(report.summary().contains("cannot reach Coroot"), "{}", report.summary());

        kit.sim.inject(FaultRule {
            path_contains: "/api/user".into(),
            fault: Fault::Latency(Duration::from_secs(5)),
            times: None,
        });
        let mut config = ClientConfig::new(kit.sim.base_url()).with_password("admin", "sim-password");
        config.timeout = Duration::from_millis(300);
        config.retries = 0;
        let report = run(&ctx_for(config)).await;
        assert!(report.summary().contains("did not answer"), "{}", report.summary());
    }

    #[tokio::test]
    async fn a_first_run_server_asks_for_the_admin_password() {
        let sim = Simulator::start(
            Scenario::ecommerce(),
            SimConfig {
                auth: Auth::FirstRun,
                ..SimConfig::default()
            },
        )
        .await
        .expect("sim");
        let report = run(&ctx_for(ClientConfig::new(sim.base_url()).with_password("admin", "x"))).await;
        assert!(
            report.summary().contains("no admin password yet"),
            "{}",
            report.summary()
        );
    }

    /// Before v1.12.5 Coroot had no `/api/project/{p}/incidents` (`v1.12.4:main.go`): such a
    /// server is named and refused plainly, never taken for a URL that is not Coroot.
    #[tokio::test]
    async fn a_coroot_older_than_v1_12_5_is_refused_plainly() {
        let config = SimConfig {
            version: "1.12.4".into(),
            ..SimConfig::default()
        };
        let kit = testing::start_with(Scenario::ecommerce(), config).await;
        let report = run(&kit.ctx).await;
        let error = report.error.clone().unwrap_or_default();
        assert!(error.contains("Coroot 1.12.4 is older than v1.12.5"), "{error}");
        assert!(!error.contains("does not serve the Coroot API"), "{error}");
        let e = testing::run_err::<crate::tools::incidents::GetIncidents>(&kit, serde_json::json!({})).await;
        assert!(e.contains("upgrade Coroot"), "{e}");
    }
}
