//! How to reach and authenticate to a Coroot server.

use std::path::PathBuf;
use std::time::Duration;

use crate::secret::Secret;

/// How the client authenticates to Coroot's UI API.
#[derive(Debug, Clone, Default)]
pub enum Credentials {
    /// Coroot runs with `--auth-anonymous-role`: no login.
    #[default]
    Anonymous,
    /// Session login with `POST /api/login`.
    Password {
        /// Login email (the default admin's is `admin`).
        email: String,
        /// Password.
        password: Secret,
    },
}

/// Everything the client needs; `ClientConfig::new(url)` gives sensible defaults.
#[derive(Clone)]
pub struct ClientConfig {
    /// Base URL, including any `--url-base-path` (e.g. `https://host/coroot`).
    pub url: String,
    /// Session credentials.
    pub credentials: Credentials,
    /// Project API key, for `/api/v1/query_range`.
    pub api_key: Option<Secret>,
    /// Project (id or name) used when a call names none; else the first project.
    pub default_project: Option<String>,
    /// Extra headers on every request, e.g. a reverse proxy's `Authorization`.
    pub headers: Vec<(String, Secret)>,
    /// PEM file with extra CA certificates to trust.
    pub ca_file: Option<PathBuf>,
    /// Skip TLS certificate verification (explicit opt-in only).
    pub insecure_tls: bool,
    /// TCP + TLS connect timeout.
    pub connect_timeout: Duration,
    /// Whole-request timeout.
    pub timeout: Duration,
    /// Largest response body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Retries of a GET on 502/503/504 or a broken connection.
    pub retries: u32,
    /// First retry delay; doubles each time.
    pub retry_backoff: Duration,
    /// How long the project list from `/api/user` is reused.
    pub projects_ttl: Duration,
    /// How long a project's application ids (for resolving the names an agent passes) are
    /// reused; a name they miss is looked up afresh.
    pub app_ids_ttl: Duration,
    /// How long a successful GET's body answers the same GET again (same credentials, path
    /// and query), so an agent's drill-down after an investigation does not make Coroot
    /// rebuild the same world; zero turns it off.
    pub response_ttl: Duration,
    /// Most bytes of response bodies kept for `response_ttl`; the oldest go first, and a body
    /// larger than a quarter of this is not kept.
    pub response_cache_bytes: usize,
}

impl ClientConfig {
    /// Defaults: anonymous, 5 s connect, 30 s total, 64 MiB body cap, 2 retries from 200 ms,
    /// projects cached 60 s, application ids 30 s, responses 15 s up to 32 MiB.
    pub fn new(url: impl Into<String>) -> Self {
        ClientConfig {
            url: url.into(),
            credentials: Credentials::Anonymous,
            api_key: None,
            default_project: None,
            headers: Vec::new(),
            ca_file: None,
            insecure_tls: false,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(30),
            max_body_bytes: 64 * 1024 * 1024,
            retries: 2,
            retry_backoff: Duration::from_millis(200),
            projects_ttl: Duration::from_secs(60),
            app_ids_ttl: Duration::from_secs(30),
            response_ttl: Duration::from_secs(15),
            response_cache_bytes: 32 * 1024 * 1024,
        }
    }

    /// Sets email/password credentials.
    pub fn with_password(mut self, email: impl Into<String>, password: impl Into<Secret>) -> Self {
        self.credentials = Credentials::Password {
            email: email.into(),
            password: password.into(),
        };
        self
    }
}

/// `Debug` shows the URL with any password in it masked; the other secrets are [`Secret`]s.
impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let url = match reqwest::Url::parse(self.url.trim()) {
            Ok(mut u) if u.password().is_some() => {
                let _ = u.set_password(Some("***"));
                u.to_string()
            }
            Ok(_) => self.url.clone(),
            Err(_) => "(not a URL)".into(),
        };
        f.debug_struct("ClientConfig")
            .field("url", &url)
            .field("credentials", &self.credentials)
            .field("api_key", &self.api_key)
            .field("default_project", &self.default_project)
            .field("headers", &self.headers)
            .field("ca_file", &self.ca_file)
            .field("insecure_tls", &self.insecure_tls)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_no_secret() {
        let mut c = ClientConfig::new("https://proxy:url-pw-1234@h/coroot").with_password("admin", "pw-5678");
        c.api_key = Some(Secret::new("key-9012"));
        c.headers = vec![("X-Proxy".into(), Secret::new("hdr-3456"))];
        let shown = format!("{c:?}");
        for secret in ["url-pw-1234", "pw-5678", "key-9012", "hdr-3456"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("https://proxy:***@h/coroot"), "{shown}");
    }
}
