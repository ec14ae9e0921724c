//! Every setting, declared once: [`Config`] is both the flags (each with its environment
//! variable) and the TOML file's keys. Flags win over environment variables, which win over
//! the file. The file is read once, when a command first needs settings, and each part is
//! validated once, by the command that uses it: the Coroot connection ([`Config::context`])
//! and the tools to serve ([`Config::tools`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow, bail};
use clap::{ArgMatches, Args, FromArgMatches};
use coroot_client::{Client, ClientConfig, Credentials, Observer, Secret};
use coroot_tools::ToolContext;
use serde::{Deserialize, Deserializer};

/// Every setting. As flags, each also reads its environment variable; in the file, the keys are
/// the field names. Every field is optional so that a layer that leaves it out lets the layer
/// below speak. `Debug` hides the secrets (password, API key, header values, a password in the
/// URL).
#[derive(Clone, Default, Args, Deserialize)]
#[serde(default, deny_unknown_fields)]
// The field docs are also the `--help` text, which shows a URL as typed, not as a link.
#[allow(rustdoc::bare_urls)]
pub struct Config {
    /// Coroot URL, including any base path (e.g. https://coroot.example.com/coroot).
    #[arg(long, env = "COROOT_URL", global = true)]
    pub url: Option<String>,
    /// The URL people open Coroot at, when it differs from --url (an ingress, a proxy): the
    /// base of the UI links in every answer. Defaults to the Coroot URL.
    #[arg(long, env = "COROOT_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// Login email (Coroot's default admin is "admin").
    #[arg(long, env = "COROOT_EMAIL", global = true)]
    pub email: Option<String>,
    /// Login password (prefer the environment variable over the flag).
    #[arg(long, env = "COROOT_PASSWORD", global = true, hide_env_values = true)]
    pub password: Option<String>,
    /// A Coroot session cookie (the value of `coroot_session` in a browser signed in to Coroot),
    /// for users whose login is SSO and who have no password.
    #[arg(long, env = "COROOT_SESSION_COOKIE", global = true, hide_env_values = true)]
    pub session_cookie: Option<String>,
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
    /// Seconds an answer from Coroot is reused for the same request, so a drill-down right
    /// after an investigation does not make Coroot rebuild the same world; 0 turns it off
    /// [default: 15].
    #[arg(long, env = "COROOT_CACHE_SECONDS", global = true)]
    pub cache_seconds: Option<f64>,
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
    #[serde(deserialize_with = "header_table")]
    pub headers: Vec<String>,
    /// Largest Coroot response accepted, in bytes [default: 67108864].
    #[arg(long, env = "COROOT_MAX_RESPONSE_BYTES", global = true)]
    pub max_response_bytes: Option<usize>,
    /// Redact secrets (tokens, passwords, keys) in log lines returned to the agent [default: true].
    #[arg(long, env = "COROOT_REDACT_SECRETS", global = true)]
    pub redact_secrets: Option<bool>,
    /// Expose only these tools (comma separated).
    // Global like every setting, so `serve --enabled-tools` works; the heading says who reads it.
    #[arg(
        long,
        env = "COROOT_MCP_ENABLED_TOOLS",
        global = true,
        value_delimiter = ',',
        help_heading = "Serve options"
    )]
    pub enabled_tools: Vec<String>,
    /// Hide these tools (comma separated).
    #[arg(
        long,
        env = "COROOT_MCP_DISABLED_TOOLS",
        global = true,
        value_delimiter = ',',
        help_heading = "Serve options"
    )]
    pub disabled_tools: Vec<String>,
    /// TOML config file (keys as the long flags, with underscores).
    #[arg(long, env = "COROOT_MCP_CONFIG", global = true)]
    // Not a key of the file itself: `config = …` in the file is refused as unknown.
    #[serde(skip)]
    pub config: Option<PathBuf>,
}

impl Config {
    /// The settings from flags and env (`self`, as clap parsed them from `matches`) over the
    /// file they name, if any.
    pub fn load(&self, matches: &ArgMatches) -> Result<Config> {
        let Some(path) = &self.config else {
            return Ok(self.clone());
        };
        let mut merged = read_file(path)?;
        let file_headers = std::mem::take(&mut merged.headers);
        // clap sets exactly the fields a flag or an environment variable gave (none of them has
        // a default), so what is left is the file's.
        merged.update_from_arg_matches(matches)?;
        // Headers add up by name, a flag's or env's value winning over the file's for the same
        // name, instead of one set replacing the other.
        merged.headers.splice(0..0, file_headers);
        Ok(merged)
    }

    /// How to reach Coroot, validated.
    pub fn client(&self) -> Result<ClientConfig> {
        let url = self.url.clone().ok_or_else(|| {
            anyhow!("no Coroot URL: set COROOT_URL (or --url), e.g. COROOT_URL=http://coroot.monitoring:8080; to try without a Coroot, run `coroot-mcp demo`")
        })?;
        let mut client = ClientConfig::new(url);
        let cookie = self.session_cookie.as_deref().filter(|c| !c.trim().is_empty());
        client.credentials = match (self.email.clone(), self.password.clone()) {
            (Some(_), _) | (_, Some(_)) if cookie.is_some() => {
                bail!(
                    "COROOT_SESSION_COOKIE is set together with COROOT_EMAIL/COROOT_PASSWORD; keep one: the session cookie for an SSO login, or the email and password"
                )
            }
            (None, None) => cookie.map_or(Credentials::Anonymous, Credentials::session_cookie),
            (Some(email), Some(password)) => Credentials::Password {
                email,
                password: Secret::new(password),
            },
            (Some(_), None) => {
                bail!("COROOT_EMAIL is set but COROOT_PASSWORD is not; set both, or neither for anonymous access")
            }
            (None, Some(_)) => {
                bail!(
                    "COROOT_PASSWORD is set but COROOT_EMAIL is not; set both (Coroot's default admin email is \"admin\")"
                )
            }
        };
        client.default_project = self.project.clone();
        client.api_key = self.api_key.clone().filter(|k| !k.is_empty()).map(Secret::new);
        if let Some(t) = self.timeout {
            client.timeout = seconds("timeout", t)?;
        }
        if let Some(t) = self.connect_timeout {
            client.connect_timeout = seconds("connect_timeout", t)?;
        }
        if let Some(t) = self.cache_seconds {
            client.response_ttl = if t == 0.0 {
                Duration::ZERO
            } else {
                seconds("cache_seconds", t)?
            };
        }
        client.ca_file = self.ca_file.clone();
        client.insecure_tls = self.insecure_tls.unwrap_or(false);
        if let Some(max) = self.max_response_bytes {
            client.max_body_bytes = max;
        }
        let mut headers = BTreeMap::new();
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
        Ok(client)
    }

    /// The tool context for a real Coroot.
    pub fn context(&self) -> Result<ToolContext> {
        self.context_observed(None)
    }

    /// The tool context for a real Coroot, with `observer` told about every request.
    pub fn context_observed(&self, observer: Option<Arc<dyn Observer>>) -> Result<ToolContext> {
        let mut config = self.client()?;
        config.observer = observer;
        let client = Client::new(config)?;
        Ok(ToolContext {
            redact_secrets: self.redact_secrets.unwrap_or(true),
            public_url: self.public_url()?,
            ..ToolContext::new(client)
        })
    }

    /// `public_url`, checked and without a trailing slash; blank means unset.
    pub fn public_url(&self) -> Result<Option<String>> {
        let Some(url) = self.public_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) else {
            return Ok(None);
        };
        if !(url.starts_with("http://") || url.starts_with("https://")) || url.contains(['?', '#', ' ']) {
            return Err(anyhow!(
                "COROOT_PUBLIC_URL must be an http(s) URL with no query, e.g. https://coroot.example.com/coroot; got {url}"
            ));
        }
        Ok(Some(url.trim_end_matches('/').to_string()))
    }

    /// The tools to serve: all, narrowed by `enabled_tools`, minus `disabled_tools`.
    pub fn tools(&self) -> Result<Vec<&'static str>> {
        select_tools(&self.enabled_tools, &self.disabled_tools)
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |v: &Option<String>| v.as_ref().map(|_| "***");
        let url = self.url.as_deref().map(|u| match u.find("://").zip(u.rfind('@')) {
            Some((scheme, at)) if scheme < at => format!("{}***{}", &u[..scheme + 3], &u[at..]),
            _ => u.to_string(),
        });
        let header_names: Vec<&str> = self
            .headers
            .iter()
            .map(|h| h.split(':').next().unwrap_or_default())
            .collect();
        f.debug_struct("Config")
            .field("url", &url)
            .field("email", &self.email)
            .field("password", &hidden(&self.password))
            .field("session_cookie", &hidden(&self.session_cookie))
            .field("public_url", &self.public_url)
            .field("project", &self.project)
            .field("api_key", &hidden(&self.api_key))
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("cache_seconds", &self.cache_seconds)
            .field("ca_file", &self.ca_file)
            .field("insecure_tls", &self.insecure_tls)
            .field("headers", &header_names)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("redact_secrets", &self.redact_secrets)
            .field("enabled_tools", &self.enabled_tools)
            .field("disabled_tools", &self.disabled_tools)
            .field("config", &self.config)
            .finish()
    }
}

/// The file's `[headers]` table, as the `Name: value` lines the flag and env give.
fn header_table<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    let table = BTreeMap::<String, String>::deserialize(deserializer)?;
    Ok(table
        .into_iter()
        .map(|(name, value)| format!("{name}: {value}"))
        .collect())
}

fn seconds(name: &str, value: f64) -> Result<Duration> {
    if value.is_finite() && value > 0.0 && value <= 3600.0 {
        Ok(Duration::from_secs_f64(value))
    } else {
        Err(anyhow!("{name} must be a number of seconds in (0, 3600], got {value}"))
    }
}

fn read_file(path: &Path) -> Result<Config> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read config file {}", path.display()))?;
    toml::from_str(&text).map_err(|e| anyhow!("config file {} is invalid: {}", path.display(), e.message()))
}

/// The tools to expose: all, narrowed by `enabled` (when not empty), minus `disabled`. Unknown
/// names are errors.
pub fn select_tools(enabled: &[String], disabled: &[String]) -> Result<Vec<&'static str>> {
    let all: Vec<&'static str> = coroot_tools::TOOLS.iter().map(|t| t.name).collect();
    let check = |names: &[String]| -> Result<()> {
        match names.iter().find(|n| !all.contains(&n.as_str())) {
            Some(bad) => Err(anyhow!("unknown tool '{bad}'; valid tools: {}", all.join(", "))),
            None => Ok(()),
        }
    };
    check(enabled)?;
    check(disabled)?;
    let chosen: Vec<&'static str> = all
        .iter()
        .copied()
        .filter(|t| enabled.is_empty() || enabled.iter().any(|e| e == t))
        .filter(|t| !disabled.iter().any(|d| d == t))
        .collect();
    if chosen.is_empty() {
        bail!("--enabled-tools/--disabled-tools leave no tool to serve");
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        conn: Config,
    }

    /// What `coroot-mcp ARGS…` resolves to (flags, the environment, and the file they name).
    fn load(args: &[&str]) -> Result<Config> {
        let matches = T::command().try_get_matches_from(args)?;
        T::from_arg_matches(&matches)?.conn.load(&matches)
    }

    fn file(body: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
        std::io::Write::write_all(&mut f, body.as_bytes()).unwrap();
        f
    }

    #[test]
    fn flags_win_over_the_file() {
        let f = file(
            "url = \"http://from-file:8080\"\nemail = \"admin\"\npassword = \"p\"\nproject = \"staging\"\ntimeout = 12\n",
        );
        let s = load(&["x", "--url", "http://flag:1", "--config", f.path().to_str().unwrap()])
            .unwrap()
            .client()
            .unwrap();
        assert_eq!(s.url, "http://flag:1");
        assert_eq!(s.default_project.as_deref(), Some("staging"));
        assert_eq!(s.timeout, Duration::from_secs(12));
        assert!(matches!(s.credentials, Credentials::Password { .. }));
    }

    #[test]
    fn debug_of_the_arguments_shows_no_secret() {
        let conn = load(&[
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
        let shown = format!("{:?} {:?}", conn, conn.client().unwrap());
        for secret in ["url-pw-1234", "pw-5678", "key-9012", "hdr-3456"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("X-Proxy-Token"), "{shown}");
    }

    #[test]
    fn a_public_url_is_the_base_of_links_and_must_be_one() {
        let config = |url: &str| Config {
            url: Some("http://coroot:8080".into()),
            public_url: Some(url.into()),
            ..Config::default()
        };
        let ctx = config("https://coroot.example.com/coroot/").context().unwrap();
        assert_eq!(ctx.public_url.as_deref(), Some("https://coroot.example.com/coroot"));
        assert_eq!(config("  ").context().unwrap().public_url, None);
        let err = config("coroot.example.com").context().unwrap_err().to_string();
        assert!(err.contains("COROOT_PUBLIC_URL must be an http(s) URL"), "{err}");
    }

    #[test]
    fn a_session_cookie_is_the_credentials_alone() {
        let conn = load(&["x", "--url", "http://h", "--session-cookie", "coroot_session=abc.def"]).unwrap();
        match conn.client().unwrap().credentials {
            Credentials::SessionCookie(c) => assert_eq!(c.expose(), "abc.def"),
            other => panic!("{other:?}"),
        }
        assert!(!format!("{conn:?}").contains("abc.def"));
        let both = load(&[
            "x",
            "--url",
            "http://h",
            "--session-cookie",
            "abc",
            "--email",
            "a",
            "--password",
            "p",
        ])
        .unwrap()
        .client()
        .unwrap_err()
        .to_string();
        assert!(both.contains("keep one"), "{both}");
    }

    #[test]
    fn half_credentials_are_refused_with_a_reason() {
        let conn = load(&["x", "--url", "http://h", "--email", "admin"]).unwrap();
        assert!(
            conn.client()
                .unwrap_err()
                .to_string()
                .contains("COROOT_PASSWORD is not")
        );
    }

    #[test]
    fn missing_url_points_at_the_demo() {
        let conn = load(&["x"]).unwrap();
        if std::env::var_os("COROOT_URL").is_none() {
            assert!(conn.client().unwrap_err().to_string().contains("coroot-mcp demo"));
        }
    }

    #[test]
    fn unknown_file_keys_are_refused() {
        let f = file("url = \"http://h\"\npasword = \"typo\"\n");
        let err = load(&["x", "--config", f.path().to_str().unwrap()]).unwrap_err();
        assert!(err.to_string().contains("unknown field `pasword`"));
    }

    #[test]
    fn headers_parse_as_name_value() {
        let s = load(&["x", "--url", "http://h", "--header", "Authorization: Basic abc"])
            .unwrap()
            .client()
            .unwrap();
        assert_eq!(s.headers[0].0, "Authorization");
        assert_eq!(s.headers[0].1.expose(), "Basic abc");
    }

    #[test]
    fn file_headers_and_flag_headers_add_up_by_name() {
        let f = file("url = \"http://h\"\n[headers]\nX-A = \"file-a\"\nX-B = \"file-b\"\n");
        let s = load(&["x", "--config", f.path().to_str().unwrap(), "--header", "X-B: flag-b"])
            .unwrap()
            .client()
            .unwrap();
        let headers: Vec<(&str, &str)> = s.headers.iter().map(|(k, v)| (k.as_str(), v.expose())).collect();
        assert_eq!(headers, [("X-A", "file-a"), ("X-B", "flag-b")]);
    }

    #[test]
    fn tool_selection_comes_from_the_file_unless_a_flag_gives_it() {
        let f = file(
            "enabled_tools = [\"coroot_get_nodes\", \"coroot_get_costs\"]\ndisabled_tools = [\"coroot_get_costs\"]\n",
        );
        let path = f.path().to_str().unwrap();
        assert_eq!(
            load(&["x", "--config", path]).unwrap().tools().unwrap(),
            ["coroot_get_nodes"]
        );
        let flagged = load(&[
            "x",
            "--config",
            path,
            "--enabled-tools",
            "coroot_get_risks,coroot_get_costs",
        ])
        .unwrap();
        assert_eq!(flagged.tools().unwrap(), ["coroot_get_risks"]);
    }

    #[test]
    fn tool_selection_validates_names() {
        let all = select_tools(&[], &[]).unwrap();
        assert_eq!(all.len(), 15);
        let some = select_tools(&["coroot_get_incidents".into()], &[]).unwrap();
        assert_eq!(some, ["coroot_get_incidents"]);
        let fewer = select_tools(&[], &["coroot_get_costs".into()]).unwrap();
        assert_eq!(fewer.len(), 14);
        assert!(
            select_tools(&["nope".into()], &[])
                .unwrap_err()
                .to_string()
                .contains("valid tools")
        );
    }
}
