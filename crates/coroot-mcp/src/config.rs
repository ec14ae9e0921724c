//! One configuration from three sources: flags win over environment variables, which win over
//! an optional TOML file. Resolved once, validated once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow, bail};
use clap::Args;
use coroot_client::{Client, ClientConfig, Credentials, Secret};
use coroot_tools::ToolContext;
use serde::Deserialize;

/// How to reach Coroot. Every flag also reads its environment variable. `Debug` hides the
/// secrets (password, API key, header values, a password in the URL).
#[derive(Clone, Default, Args)]
pub struct ConnectionArgs {
    /// Coroot URL, including any base path (e.g. https://coroot.example.com/coroot).
    #[arg(long, env = "COROOT_URL", global = true)]
    pub url: Option<String>,
    /// Login email (Coroot's default admin is "admin").
    #[arg(long, env = "COROOT_EMAIL", global = true)]
    pub email: Option<String>,
    /// Login password (prefer the environment variable over the flag).
    #[arg(long, env = "COROOT_PASSWORD", global = true, hide_env_values = true)]
    pub password: Option<String>,
    /// Default project (id or name); otherwise the first project.
    #[arg(long, env = "COROOT_PROJECT", global = true)]
    pub project: Option<String>,
    /// Project API key, for PromQL through /api/v1/query_range.
    #[arg(long, env = "COROOT_API_KEY", global = true, hide_env_values = true)]
    pub api_key: Option<String>,
    /// Whole-request timeout in seconds [default: 30].
    #[arg(long, env = "COROOT_TIMEOUT", global = true)]
    pub timeout: Option<f64>,
    /// Connect timeout in seconds [default: 5].
    #[arg(long, env = "COROOT_CONNECT_TIMEOUT", global = true)]
    pub connect_timeout: Option<f64>,
    /// PEM file of extra CA certificates to trust.
    #[arg(long, env = "COROOT_CA_FILE", global = true)]
    pub ca_file: Option<PathBuf>,
    /// Skip TLS certificate verification (only for testing).
    #[arg(long, env = "COROOT_INSECURE_TLS", global = true, num_args = 0..=1, default_missing_value = "true")]
    pub insecure_tls: Option<bool>,
    /// Extra header on every request to Coroot, `Name: value` (repeatable; env: newline-separated).
    #[arg(
        long = "header",
        env = "COROOT_HEADERS",
        global = true,
        value_delimiter = '\n',
        hide_env_values = true
    )]
    pub headers: Vec<String>,
    /// Largest Coroot response accepted, in bytes [default: 67108864].
    #[arg(long, env = "COROOT_MAX_RESPONSE_BYTES", global = true)]
    pub max_response_bytes: Option<usize>,
    /// Redact secrets (tokens, passwords, keys) in log lines returned to the agent [default: true].
    #[arg(long, env = "COROOT_REDACT_SECRETS", global = true)]
    pub redact_secrets: Option<bool>,
    /// TOML config file (keys as the long flags, with underscores).
    #[arg(long, env = "COROOT_MCP_CONFIG", global = true)]
    pub config: Option<PathBuf>,
}

impl std::fmt::Debug for ConnectionArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |v: &Option<String>| v.as_ref().map(|_| "***");
        let url = self.url.as_deref().map(|u| match u.find("://").zip(u.rfind('@')) {
            Some((scheme, at)) if scheme < at => format!("{}***{}", &u[..scheme + 3], &u[at..]),
            _ => u.to_string(),
        });
        f.debug_struct("ConnectionArgs")
            .field("url", &url)
            .field("email", &self.email)
            .field("password", &hidden(&self.password))
            .field("project", &self.project)
            .field("api_key", &hidden(&self.api_key))
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field(
                "headers",
                &self
                    .headers
                    .iter()
                    .map(|h| h.split(':').next().unwrap_or_default())
                    .collect::<Vec<_>>(),
            )
            .field("redact_secrets", &self.redact_secrets)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// The TOML file: the same settings as the flags.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    url: Option<String>,
    email: Option<String>,
    password: Option<String>,
    project: Option<String>,
    api_key: Option<String>,
    timeout: Option<f64>,
    connect_timeout: Option<f64>,
    ca_file: Option<PathBuf>,
    insecure_tls: Option<bool>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    max_response_bytes: Option<usize>,
    redact_secrets: Option<bool>,
    enabled_tools: Option<Vec<String>>,
    disabled_tools: Option<Vec<String>>,
}

/// Settings after merging flags, env and file.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Client configuration.
    pub client: ClientConfig,
    /// Redact secrets in log text returned to agents.
    pub redact_secrets: bool,
    /// Tools to expose (from the file; flags override in `serve`).
    pub enabled_tools: Option<Vec<String>>,
    /// Tools to hide.
    pub disabled_tools: Option<Vec<String>>,
}

impl ConnectionArgs {
    /// Merges the file under flags and env, and builds the client configuration.
    pub fn resolve(&self) -> Result<Settings> {
        let file = match &self.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let url = self.url.clone().or(file.url).ok_or_else(|| {
            anyhow!("no Coroot URL: set COROOT_URL (or --url), e.g. COROOT_URL=http://coroot.monitoring:8080; to try without a Coroot, run `coroot-mcp demo`")
        })?;
        let mut client = ClientConfig::new(url);
        let email = self.email.clone().or(file.email);
        let password = self.password.clone().or(file.password);
        client.credentials = match (email, password) {
            (Some(email), Some(password)) => Credentials::Password {
                email,
                password: Secret::new(password),
            },
            (None, None) => Credentials::Anonymous,
            (Some(_), None) => {
                bail!("COROOT_EMAIL is set but COROOT_PASSWORD is not; set both, or neither for anonymous access")
            }
            (None, Some(_)) => {
                bail!(
                    "COROOT_PASSWORD is set but COROOT_EMAIL is not; set both (Coroot's default admin email is \"admin\")"
                )
            }
        };
        client.default_project = self.project.clone().or(file.project);
        client.api_key = self
            .api_key
            .clone()
            .or(file.api_key)
            .filter(|k| !k.is_empty())
            .map(Secret::new);
        if let Some(t) = self.timeout.or(file.timeout) {
            client.timeout = seconds("timeout", t)?;
        }
        if let Some(t) = self.connect_timeout.or(file.connect_timeout) {
            client.connect_timeout = seconds("connect_timeout", t)?;
        }
        client.ca_file = self.ca_file.clone().or(file.ca_file);
        client.insecure_tls = self.insecure_tls.or(file.insecure_tls).unwrap_or(false);
        if let Some(max) = self.max_response_bytes.or(file.max_response_bytes) {
            client.max_body_bytes = max;
        }
        let mut headers: BTreeMap<String, String> = file.headers;
        for raw in self.headers.iter().filter(|h| !h.trim().is_empty()) {
            let (name, value) = raw.split_once(':').ok_or_else(|| {
                anyhow!(
                    "header '{}' is not 'Name: value'",
                    raw.split(':').next().unwrap_or_default()
                )
            })?;
            headers.insert(name.trim().to_string(), value.trim().to_string());
        }
        client.headers = headers.into_iter().map(|(k, v)| (k, Secret::new(v))).collect();
        Ok(Settings {
            client,
            redact_secrets: self.redact_secrets.or(file.redact_secrets).unwrap_or(true),
            enabled_tools: file.enabled_tools,
            disabled_tools: file.disabled_tools,
        })
    }
}

impl ConnectionArgs {
    /// The tool context for a real Coroot, from flags, env and file.
    pub fn context(&self) -> Result<ToolContext> {
        let settings = self.resolve()?;
        let client = Client::new(settings.client)?;
        Ok(ToolContext {
            redact_secrets: settings.redact_secrets,
            ..ToolContext::new(client)
        })
    }
}

fn seconds(name: &str, value: f64) -> Result<Duration> {
    if value.is_finite() && value > 0.0 && value <= 3600.0 {
        Ok(Duration::from_secs_f64(value))
    } else {
        Err(anyhow!("{name} must be a number of seconds in (0, 3600], got {value}"))
    }
}

fn read_file(path: &Path) -> Result<FileConfig> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read config file {}", path.display()))?;
    toml::from_str(&text).map_err(|e| anyhow!("config file {} is invalid: {}", path.display(), e.message()))
}

/// The tools to expose: all, narrowed by `enabled`, minus `disabled`. Unknown names are errors.
pub fn select_tools(enabled: Option<&[String]>, disabled: Option<&[String]>) -> Result<Vec<&'static str>> {
    let all: Vec<&'static str> = coroot_tools::TOOLS.iter().map(|t| t.name).collect();
    let check = |names: &[String]| -> Result<()> {
        match names.iter().find(|n| !all.contains(&n.as_str())) {
            Some(bad) => Err(anyhow!("unknown tool '{bad}'; valid tools: {}", all.join(", "))),
            None => Ok(()),
        }
    };
    let mut chosen = all.clone();
    if let Some(enabled) = enabled.filter(|e| !e.is_empty()) {
        check(enabled)?;
        chosen.retain(|t| enabled.iter().any(|e| e == t));
    }
    if let Some(disabled) = disabled {
        check(disabled)?;
        chosen.retain(|t| !disabled.iter().any(|d| d == t));
    }
    if chosen.is_empty() {
        bail!("--enabled-tools/--disabled-tools leave no tool to serve");
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        conn: ConnectionArgs,
    }

    fn file(body: &str) -> tempfile_path::TempPath {
        tempfile_path::write(body)
    }

    /// A tiny temp-file helper so the tests need no extra crate.
    mod tempfile_path {
        pub struct TempPath(pub std::path::PathBuf);
        impl Drop for TempPath {
            fn drop(&mut self) {
                let _ = std::fs::remove_file(&self.0);
            }
        }
        pub fn write(body: &str) -> TempPath {
            let n = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos();
            let path = std::env::temp_dir().join(format!("coroot-mcp-test-{}-{n}.toml", std::process::id()));
            std::fs::write(&path, body).unwrap();
            TempPath(path)
        }
    }

    #[test]
    fn flags_win_over_the_file() {
        let f = file(
            "url = \"http://from-file:8080\"\nemail = \"admin\"\npassword = \"p\"\nproject = \"staging\"\ntimeout = 12\n",
        );
        let t = T::try_parse_from(["x", "--url", "http://flag:1", "--config", f.0.to_str().unwrap()]).unwrap();
        let s = t.conn.resolve().unwrap();
        assert_eq!(s.client.url, "http://flag:1");
        assert_eq!(s.client.default_project.as_deref(), Some("staging"));
        assert_eq!(s.client.timeout, Duration::from_secs(12));
        assert!(matches!(s.client.credentials, Credentials::Password { .. }));
    }

    #[test]
    fn debug_of_the_arguments_shows_no_secret() {
        let t = T::try_parse_from([
            "x",
            "--url",
            "https://proxy:url-pw-1234@h/coroot",
            "--email",
            "admin",
            "--password",
            "pw-5678",
            "--api-key",
            "key-9012",
            "--header",
            "X-Proxy-Token: hdr-3456",
        ])
        .unwrap();
        let shown = format!("{:?} {:?}", t.conn, t.conn.resolve().unwrap());
        for secret in ["url-pw-1234", "pw-5678", "key-9012", "hdr-3456"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("X-Proxy-Token"), "{shown}");
    }

    #[test]
    fn half_credentials_are_refused_with_a_reason() {
        let t = T::try_parse_from(["x", "--url", "http://h", "--email", "admin"]).unwrap();
        assert!(
            t.conn
                .resolve()
                .unwrap_err()
                .to_string()
                .contains("COROOT_PASSWORD is not")
        );
    }

    #[test]
    fn missing_url_points_at_the_demo() {
        let t = T::try_parse_from(["x"]).unwrap();
        if std::env::var_os("COROOT_URL").is_none() {
            assert!(t.conn.resolve().unwrap_err().to_string().contains("coroot-mcp demo"));
        }
    }

    #[test]
    fn unknown_file_keys_are_refused() {
        let f = file("url = \"http://h\"\npasword = \"typo\"\n");
        let t = T::try_parse_from(["x", "--config", f.0.to_str().unwrap()]).unwrap();
        assert!(
            t.conn
                .resolve()
                .unwrap_err()
                .to_string()
                .contains("unknown field `pasword`")
        );
    }

    #[test]
    fn headers_parse_as_name_value() {
        let t = T::try_parse_from(["x", "--url", "http://h", "--header", "Authorization: Basic abc"]).unwrap();
        let s = t.conn.resolve().unwrap();
        assert_eq!(s.client.headers[0].0, "Authorization");
        assert_eq!(s.client.headers[0].1.expose(), "Basic abc");
    }

    #[test]
    fn tool_selection_validates_names() {
        let all = select_tools(None, None).unwrap();
        assert_eq!(all.len(), 15);
        let some = select_tools(Some(&["coroot_get_incidents".into()]), None).unwrap();
        assert_eq!(some, ["coroot_get_incidents"]);
        let fewer = select_tools(None, Some(&["coroot_get_costs".into()])).unwrap();
        assert_eq!(fewer.len(), 14);
        assert!(
            select_tools(Some(&["nope".into()]), None)
                .unwrap_err()
                .to_string()
                .contains("valid tools")
        );
    }
}
