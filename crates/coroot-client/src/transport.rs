//! HTTP to Coroot: the connection pool, the base URL and its user info, the credentials a
//! request carries, retries with backoff, the body cap, and the translation of Coroot's answers
//! (statuses, HTML where JSON belongs, broken bodies) into [`Error`]s. No session logic: the
//! caller passes the cookie to send.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, COOKIE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;

use crate::config::{ClientConfig, Credentials};
use crate::error::{Error, Object, Result};
use crate::secret::Secret;

/// The name of Coroot's session cookie.
pub(crate) const SESSION_COOKIE: &str = "coroot_session";

/// Idle connections to Coroot kept open for reuse.
const MAX_IDLE_CONNECTIONS: usize = 16;

/// Which credentials a request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Auth {
    /// None (`/health`, the index page).
    None,
    /// The session cookie (`/api/...` UI routes).
    Session,
    /// The project API key (`/api/v1/...`).
    ApiKey,
}

/// One request to the API: where it goes and what it carries.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Request<'a> {
    /// The path under the base URL, e.g. `/api/user`.
    pub(crate) path: &'a str,
    /// Query parameters, in order.
    pub(crate) query: &'a [(&'a str, String)],
    /// The credentials to send.
    pub(crate) auth: Auth,
    /// What the request reads: what a 404 means is missing.
    pub(crate) object: Object,
    /// A PromQL endpoint: a 400 means the expression was refused.
    pub(crate) promql: bool,
}

impl<'a> Request<'a> {
    /// A request of `path` with `query`, carrying `auth`, about no object in particular.
    pub(crate) fn new(path: &'a str, query: &'a [(&'a str, String)], auth: Auth) -> Self {
        Request {
            path,
            query,
            auth,
            object: Object::Other,
            promql: false,
        }
    }

    /// The same request, reading `object`.
    pub(crate) fn about(self, object: Object) -> Self {
        Request { object, ..self }
    }

    /// The same request, to an endpoint that evaluates PromQL.
    pub(crate) fn promql(self) -> Self {
        Request { promql: true, ..self }
    }
}

/// reqwest's client, and what it is built from. Building it loads the system's root
/// certificates and webpki's: parsing a few hundred PEM certificates was 60 % of a server's
/// start-up instructions and a megabyte of its idle memory, wasted by a server no one calls
/// and by every command that never reaches Coroot. So the first request builds it, once,
/// for every identity (a few milliseconds; the TLS handshake of that request costs more).
struct LazyHttp {
    client: OnceLock<std::result::Result<reqwest::Client, String>>,
    headers: HeaderMap,
    extra_roots: Vec<reqwest::Certificate>,
    connect_timeout: Duration,
    timeout: Duration,
    insecure_tls: bool,
}

impl LazyHttp {
    fn build(&self) -> std::result::Result<reqwest::Client, String> {
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("coroot-mcp/", env!("CARGO_PKG_VERSION")))
            .default_headers(self.headers.clone())
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .redirect(reqwest::redirect::Policy::limited(5))
            // A burst of concurrent calls opens one connection each; keep a few for reuse
            // rather than every one of them idle for the pool's 90 s.
            .pool_max_idle_per_host(MAX_IDLE_CONNECTIONS)
            .danger_accept_invalid_certs(self.insecure_tls);
        for cert in &self.extra_roots {
            builder = builder.add_root_certificate(cert.clone());
        }
        builder.build().map_err(|e| e.to_string())
    }
}

/// The HTTP side of a client: everything needed to send a request and read its answer.
pub(crate) struct Transport {
    /// Shared by the clients of every identity: one pool, one TLS set-up.
    http: Arc<LazyHttp>,
    /// Base URL without a trailing slash and without user info.
    base: String,
    /// User info from the configured URL, sent as basic auth.
    basic: Option<BasicAuth>,
    config: ClientConfig,
}

impl Transport {
    /// Checks the configuration and builds the HTTP client. Nothing is sent.
    pub(crate) fn new(config: ClientConfig) -> Result<Self> {
        let (base, basic) = normalize_base_url(&config.url)?;
        // An explicit Authorization header wins over user info in the URL.
        let basic = basic.filter(|_| {
            !config
                .headers
                .iter()
                .any(|(name, _)| name.trim().eq_ignore_ascii_case("authorization"))
        });
        let mut headers = HeaderMap::new();
        for (name, value) in &config.headers {
            let name = HeaderName::from_bytes(name.trim().as_bytes())
                .map_err(|_| Error::Config(format!("invalid header name '{name}'")))?;
            let mut value = HeaderValue::from_str(value.expose().trim())
                .map_err(|_| Error::Config(format!("invalid value for header '{name}'")))?;
            value.set_sensitive(true);
            headers.insert(name, value);
        }
        // The CA file is read now, so that a wrong path stops the server at start-up.
        let mut extra_roots = Vec::new();
        if let Some(path) = &config.ca_file {
            let pem = std::fs::read(path)
                .map_err(|e| Error::Config(format!("cannot read CA file {}: {e}", path.display())))?;
            extra_roots = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| Error::Config(format!("CA file {} is not PEM: {e}", path.display())))?;
            if extra_roots.is_empty() {
                return Err(Error::Config(format!(
                    "CA file {} holds no certificate",
                    path.display()
                )));
            }
        }
        let http = LazyHttp {
            client: OnceLock::new(),
            headers,
            extra_roots,
            connect_timeout: config.connect_timeout,
            timeout: config.timeout,
            insecure_tls: config.insecure_tls,
        };
        Ok(Transport {
            http: Arc::new(http),
            base,
            basic,
            config,
        })
    }

    /// The HTTP client, built by the first request that needs it.
    fn http(&self) -> Result<&reqwest::Client> {
        self.http
            .client
            .get_or_init(|| self.http.build())
            .as_ref()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))
    }

    /// The same Coroot, pool and settings, with other credentials: one process serving many
    /// users keeps one connection pool and one TLS setup for all of them.
    pub(crate) fn with_credentials(&self, credentials: Credentials) -> Transport {
        Transport {
            http: self.http.clone(),
            base: self.base.clone(),
            basic: self.basic.clone(),
            config: ClientConfig {
                credentials,
                ..self.config.clone()
            },
        }
    }

    /// The base URL (no trailing slash, no user info).
    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// The configuration the client was built with.
    pub(crate) fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Sends one request, retrying a GET on 502/503/504 and on broken connections.
    pub(crate) async fn send(
        &self,
        method: Method,
        req: Request<'_>,
        cookie: Option<&Secret>,
        body: Option<String>,
    ) -> Result<reqwest::Response> {
        let path = req.path;
        let url = format!("{}{}", self.base, path);
        let retries = if method == Method::GET { self.config.retries } else { 0 };
        let mut attempt = 0;
        loop {
            let mut request = self.with_basic(self.http()?.request(method.clone(), &url).query(req.query));
            if let Some(cookie) = cookie {
                let mut value =
                    HeaderValue::from_str(&format!("{SESSION_COOKIE}={}", cookie.expose())).map_err(|_| {
                        Error::Api {
                            status: 0,
                            endpoint: path.into(),
                            message: "malformed session cookie".into(),
                        }
                    })?;
                value.set_sensitive(true);
                request = request.header(COOKIE, value);
            }
            if req.auth == Auth::ApiKey {
                let key = self.config.api_key.as_ref().ok_or(Error::MissingApiKey)?;
                let mut value = HeaderValue::from_str(key.expose())
                    .map_err(|_| Error::Config("COROOT_API_KEY has characters a header cannot carry".into()))?;
                value.set_sensitive(true);
                request = request.header("X-API-Key", value);
            }
            if let Some(body) = &body {
                request = request.header(CONTENT_TYPE, "application/json").body(body.clone());
            }
            let started = std::time::Instant::now();
            let outcome = request.send().await;
            if let Some(observer) = &self.config.observer {
                let status = outcome.as_ref().ok().map(|r| r.status().as_u16());
                observer.request(route(path), status, started.elapsed());
            }
            let retryable = match &outcome {
                Ok(r) => matches!(r.status().as_u16(), 502..=504),
                Err(e) => !e.is_timeout() && (e.is_connect() || e.is_request()) && !is_tls(e),
            };
            if retryable && attempt < retries {
                let delay = self.config.retry_backoff.saturating_mul(1 << attempt.min(8));
                tracing::debug!(endpoint = path, attempt, ?delay, "transient failure, retrying");
                tokio::time::sleep(delay).await;
                attempt += 1;
                continue;
            }
            return outcome.map_err(|e| self.transport_error(path, e));
        }
    }

    /// Reads the body, refusing to hold more than the configured cap.
    pub(crate) async fn read_body(&self, mut response: reqwest::Response, path: &str) -> Result<Vec<u8>> {
        let limit = self.config.max_body_bytes;
        let too_large = || Error::BodyTooLarge {
            endpoint: path.to_string(),
            limit,
        };
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(too_large());
        }
        // Sized up front when the length is known: growing by doubling can hold twice the body.
        let expected = response
            .content_length()
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(0);
        let mut body = Vec::with_capacity(expected.min(limit));
        while let Some(chunk) = response.chunk().await.map_err(|e| self.transport_error(path, e))? {
            if body.len() + chunk.len() > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    fn transport_error(&self, path: &str, e: reqwest::Error) -> Error {
        let url = self.base.clone();
        let reason = error_chain(&e);
        if e.is_timeout() {
            Error::Timeout {
                endpoint: path.to_string(),
                after: self.config.timeout,
            }
        } else if is_tls(&e) {
            // rustls reads a plain-HTTP answer as a corrupt record: say what that means.
            let reason = if reason.to_ascii_lowercase().contains("invalidcontenttype") {
                format!("the server answered in plain HTTP, not TLS; use http:// in COROOT_URL ({reason})")
            } else {
                reason
            };
            Error::Tls { url, reason }
        } else if e.is_connect() {
            Error::Connect { url, reason }
        } else {
            Error::Transport {
                endpoint: path.to_string(),
                reason,
            }
        }
    }

    /// Maps a non-401 answer to `req` to its body or an error.
    pub(crate) fn check(&self, status: StatusCode, html: bool, req: Request<'_>, body: Vec<u8>) -> Result<Vec<u8>> {
        let endpoint = req.path.to_string();
        if status.is_success() {
            if html || looks_like_html(&body) {
                return Err(self.not_coroot(req.path));
            }
            return Ok(body);
        }
        let message = text_message(&body);
        Err(match status.as_u16() {
            400 if req.promql => Error::BadQuery { endpoint, message },
            403 => Error::Forbidden { endpoint, message },
            404 if !message.is_empty() => Error::NotFound {
                endpoint,
                object: missing(req, &message),
                message,
            },
            code => Error::Api {
                status: code,
                endpoint,
                message,
            },
        })
    }

    /// `endpoint` answered something other than the Coroot API.
    pub(crate) fn not_coroot(&self, endpoint: &str) -> Error {
        Error::NotCorootApi {
            url: self.base.clone(),
            endpoint: endpoint.to_string(),
        }
    }

    /// Decodes the JSON body of a 2xx answer to `path`.
    ///
    /// The body is checked as UTF-8 once, whole, and parsed as text: parsed as bytes, serde_json
    /// checks every string on its own, which was a sixth of decoding 20,000 log lines. A body
    /// that is not UTF-8 is parsed as bytes, for serde_json's own words on where it breaks.
    pub(crate) fn decode<T: DeserializeOwned>(&self, path: &str, body: &[u8]) -> Result<T> {
        let parsed = match std::str::from_utf8(body) {
            Ok(text) => serde_json::from_str(text),
            Err(_) => serde_json::from_slice(body),
        };
        parsed.map_err(|e| {
            if looks_like_html(body) {
                self.not_coroot(path)
            } else if body.iter().all(u8::is_ascii_whitespace) {
                Error::Decode {
                    endpoint: path.to_string(),
                    detail: "the body is empty".into(),
                }
            } else {
                Error::Decode {
                    endpoint: path.to_string(),
                    detail: format!("not the JSON Coroot sends ({e})"),
                }
            }
        })
    }

    /// A GET of an absolute URL without credentials or the API guards (the index page is HTML
    /// by design): status and body text, the body capped like any other.
    pub(crate) async fn fetch_text(&self, url: &str, endpoint: &str) -> Result<(u16, String)> {
        let started = std::time::Instant::now();
        let outcome = self.with_basic(self.http()?.get(url)).send().await;
        if let Some(observer) = &self.config.observer {
            let status = outcome.as_ref().ok().map(|r| r.status().as_u16());
            observer.request(route(endpoint), status, started.elapsed());
        }
        let response = outcome.map_err(|e| self.transport_error(endpoint, e))?;
        let status = response.status().as_u16();
        let body = self.read_body(response, endpoint).await?;
        Ok((status, String::from_utf8_lossy(&body).into_owned()))
    }

    /// Adds the URL's user info as basic auth (reqwest marks the header sensitive).
    fn with_basic(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.basic {
            Some(b) => request.basic_auth(&b.user, b.password.as_ref().map(Secret::expose)),
            None => request,
        }
    }
}

/// The route template of a request path, for metrics: ids, names and keys become
/// placeholders, so the set of labels stays small and holds nothing a user typed.
pub(crate) fn route(path: &str) -> &'static str {
    let seg: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let project = match seg.as_slice() {
        [""] => return "/",
        ["health"] => return "/health",
        ["api", "user"] => return "/api/user",
        ["api", "login"] => return "/api/login",
        ["api", "v1", "query_range"] => return "/api/v1/query_range",
        ["api", "project", _, rest @ ..] => rest,
        _ => return "other",
    };
    match project {
        [] => "/api/project/{project}",
        ["status"] => "/api/project/{project}/status",
        ["overview", view] => match *view {
            "applications" => "/api/project/{project}/overview/applications",
            "map" => "/api/project/{project}/overview/map",
            "nodes" => "/api/project/{project}/overview/nodes",
            "deployments" => "/api/project/{project}/overview/deployments",
            "traces" => "/api/project/{project}/overview/traces",
            "logs" => "/api/project/{project}/overview/logs",
            "costs" => "/api/project/{project}/overview/costs",
            "risks" => "/api/project/{project}/overview/risks",
            _ => "/api/project/{project}/overview/{view}",
        },
        ["incidents"] => "/api/project/{project}/incidents",
        ["incident", _] => "/api/project/{project}/incident/{key}",
        ["alerts"] => "/api/project/{project}/alerts",
        ["app", _] => "/api/project/{project}/app/{app}",
        ["app", _, "logs"] => "/api/project/{project}/app/{app}/logs",
        ["app", _, "rca"] => "/api/project/{project}/app/{app}/rca",
        ["app", _, "tracing"] => "/api/project/{project}/app/{app}/tracing",
        ["app", _, "profiling"] => "/api/project/{project}/app/{app}/profiling",
        ["node", _] => "/api/project/{project}/node/{node}",
        ["panel", "data"] => "/api/project/{project}/panel/data",
        _ => "/api/project/{project}/other",
    }
}

/// What a 404 with `message` says is missing: any project endpoint answers "project not found"
/// for an unknown project, whatever it reads; otherwise what the request reads.
fn missing(req: Request<'_>, message: &str) -> Object {
    if message.to_ascii_lowercase().contains("project") {
        Object::Project
    } else {
        req.object
    }
}

/// Validates the base URL and strips trailing slashes.
fn normalize_base_url(raw: &str) -> Result<(String, Option<BasicAuth>)> {
    let trimmed = raw.trim().trim_end_matches('/');
    let mut parsed = reqwest::Url::parse(trimmed).map_err(|e| {
        Error::Config(format!(
            "COROOT_URL '{}' is not a URL ({e}); expected e.g. http://coroot:8080",
            hide_userinfo(trimmed)
        ))
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::Config(format!(
            "COROOT_URL must start with http:// or https://, got '{}'",
            parsed.scheme()
        )));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(Error::Config(
            "COROOT_URL must not carry a query string or fragment".into(),
        ));
    }
    if parsed.username().is_empty() && parsed.password().is_none() {
        return Ok((trimmed.to_string(), None));
    }
    // `https://user:password@host`: sent as HTTP basic auth on every request, and kept out
    // of the URL that errors, logs and the connection check show.
    let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
    let basic = BasicAuth {
        user: decode(parsed.username()),
        password: parsed.password().map(|p| Secret::new(decode(p))),
    };
    let _ = parsed.set_username("");
    let _ = parsed.set_password(None);
    Ok((parsed.as_str().trim_end_matches('/').to_string(), Some(basic)))
}

/// Credentials given in the URL's user-info part.
#[derive(Debug, Clone)]
struct BasicAuth {
    user: String,
    password: Option<Secret>,
}

/// `scheme://user:password@host…` with the password replaced by `***`, for messages about a
/// URL that did not parse.
fn hide_userinfo(url: &str) -> String {
    let Some(start) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    let rest = url.get(start..).unwrap_or_default();
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest.get(..authority_end).and_then(|a| a.rfind('@')) {
        Some(at) => {
            let user = rest.get(..at).unwrap_or_default();
            let user = user.split(':').next().unwrap_or_default();
            format!(
                "{}{user}:***{}",
                url.get(..start).unwrap_or_default(),
                rest.get(at..).unwrap_or_default()
            )
        }
        None => url.to_string(),
    }
}

/// True when the answer declares itself an HTML page.
pub(crate) fn is_html(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("text/html"))
}

/// True when the body starts like markup, whatever its content type says.
pub(crate) fn looks_like_html(body: &[u8]) -> bool {
    let start = body.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(body.len());
    body.get(start..start + 1) == Some(b"<")
}

/// Coroot's error bodies are `text/plain` message + "\n".
pub(crate) fn text_message(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.starts_with('<') {
        return String::new();
    }
    // A JSON error (from a proxy, or Prometheus) carries its text in `error`.
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(text)
        && let Some(serde_json::Value::String(e)) = map.get("error")
    {
        return e.clone();
    }
    text.chars().take(500).collect()
}

fn is_tls(e: &reqwest::Error) -> bool {
    let chain = error_chain(e).to_ascii_lowercase();
    [
        "certificate",
        "tls",
        "handshake",
        "invalidcertificate",
        "unknownissuer",
        // A plain-HTTP server behind an https:// URL.
        "corrupt message",
        "invalidcontenttype",
    ]
    .iter()
    .any(|k| chain.contains(k))
}

/// The error and its sources as one line, without the URL (which may carry user info).
fn error_chain(e: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    if parts.is_empty() {
        parts.push(e.to_string());
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A UTF-8 body is read as text, anything else as bytes; both say where a bad one breaks.
    #[test]
    fn bodies_decode_as_text_or_bytes_alike() {
        let transport = Transport::new(ClientConfig::new("http://h:1")).unwrap();
        let decoded: Vec<String> = transport.decode("/p", "[\"é\\n\", \"ok\"]".as_bytes()).unwrap();
        assert_eq!(decoded, ["é\n", "ok"]);
        for bad in [&b"[\"a\xff\"]"[..], b"[1,", b"  "] {
            let e = transport.decode::<Vec<String>>("/p", bad).unwrap_err().to_string();
            assert!(
                e.contains("not the JSON Coroot sends") || e.contains("the body is empty"),
                "{e}"
            );
        }
        let e = transport
            .decode::<Vec<String>>("/p", b"[\"a\xff\"]")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 1 column"), "serde_json says where: {e}");
    }

    #[test]
    fn base_urls_are_validated_and_trimmed() {
        assert_eq!(
            normalize_base_url(" http://coroot:8080/ ").unwrap().0,
            "http://coroot:8080"
        );
        assert_eq!(normalize_base_url("https://h/coroot/").unwrap().0, "https://h/coroot");
        assert!(matches!(normalize_base_url("coroot:8080"), Err(Error::Config(_))));
        assert!(matches!(normalize_base_url("ftp://x"), Err(Error::Config(_))));
    }

    #[test]
    fn user_info_in_the_url_becomes_basic_auth_and_leaves_the_url() {
        let (base, basic) = normalize_base_url("https://proxy%40corp:p%40ss:w0rd@h:8443/coroot/").unwrap();
        assert_eq!(base, "https://h:8443/coroot");
        let basic = basic.unwrap();
        assert_eq!(
            (basic.user.as_str(), basic.password.as_ref().map(Secret::expose)),
            ("proxy@corp", Some("p@ss:w0rd"))
        );
        assert!(!format!("{basic:?}").contains("w0rd"));
        let transport = Transport::new(ClientConfig::new("http://u:pw-123456@h:1")).unwrap();
        assert_eq!(transport.base(), "http://h:1");
        let Err(Error::Config(message)) = normalize_base_url("http://u:pw-123456@[::1") else {
            panic!("not a URL")
        };
        assert!(
            message.contains("u:***@") && !message.contains("pw-123456"),
            "{message}"
        );
    }

    #[test]
    fn error_bodies_become_messages() {
        assert_eq!(
            text_message(b"Invalid email or password.\n"),
            "Invalid email or password."
        );
        assert_eq!(text_message(b"<!doctype html><html>"), "");
        assert_eq!(
            text_message(br#"{"status":"error","error":"parse error"}"#),
            "parse error"
        );
    }

    #[test]
    fn routes_hide_ids_and_stay_few() {
        assert_eq!(route("/api/user"), "/api/user");
        assert_eq!(
            route("/api/project/k3h2x9qa/app/default%3ADeployment%3Apayment/logs"),
            "/api/project/{project}/app/{app}/logs"
        );
        assert_eq!(
            route("/api/project/k3h2x9qa/node/secret-node"),
            "/api/project/{project}/node/{node}"
        );
        assert_eq!(
            route("/api/project/p/overview/applications"),
            "/api/project/{project}/overview/applications"
        );
        assert_eq!(
            route("/api/project/p/overview/x-y"),
            "/api/project/{project}/overview/{view}"
        );
        assert_eq!(route("/whatever/else"), "other");
    }

    #[test]
    fn html_is_recognised() {
        assert!(looks_like_html(b"  <!DOCTYPE html>"));
        assert!(!looks_like_html(b"{\"a\":1}"));
    }
}
