//! The HTTP machinery: session login and reuse, retries, the body cap, and the translation of
//! Coroot's answers into [`Error`]s; concurrent identical GETs coalesced into one request, and
//! the short-lived caches (projects, application ids). Endpoints live in `api.rs`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use reqwest::header::{CONTENT_TYPE, COOKIE, HeaderMap, HeaderName, HeaderValue, SET_COOKIE};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;

use crate::config::{ClientConfig, Credentials};
use crate::error::{Error, Result};
use crate::ids::AppId;
use crate::models::Project;
use crate::secret::Secret;

const SESSION_COOKIE: &str = "coroot_session";

/// Idle connections to Coroot kept open for reuse.
const MAX_IDLE_CONNECTIONS: usize = 16;

/// A Coroot API client. Cheap to clone: clones share the HTTP pool, the session and caches.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    /// Base URL without a trailing slash and without user info.
    base: String,
    /// User info from the configured URL, sent as basic auth.
    basic: Option<BasicAuth>,
    config: ClientConfig,
    session: RwLock<Session>,
    /// Held while logging in, so concurrent callers share one login.
    login_lock: tokio::sync::Mutex<()>,
    projects: Mutex<Option<(Instant, Arc<Vec<Project>>)>>,
    /// Application ids per project, reused for `app_ids_ttl`.
    app_ids: Mutex<HashMap<String, Stamped<Arc<Vec<AppId>>>>>,
    /// GETs in flight by [`flight_key`]: a caller asking for what is already being fetched
    /// waits for that answer (body or error) instead of sending its own request.
    inflight: Mutex<HashMap<String, Flight>>,
    /// Benchmark support: recorded bodies to answer GETs from, or a recording in progress.
    tape: Tape,
}

/// A cached value and when it was fetched.
type Stamped<T> = (Instant, T);

/// A response body shared by every caller of a coalesced GET.
pub(crate) type Body = Arc<Vec<u8>>;

/// One GET in flight; the first caller to poll it sends the request.
type Flight = Arc<tokio::sync::OnceCell<Result<Body>>>;

/// Record/replay of GET bodies by [`flight_key`], so a benchmark can run the tools on real
/// Coroot bytes without a network.
#[derive(Default)]
struct Tape {
    replay: Option<HashMap<String, Body>>,
    recording: Mutex<Option<Vec<(String, Body)>>>,
}

#[derive(Default)]
struct Session {
    cookie: Option<Secret>,
    /// Bumped on every login; a caller that saw a 401 with generation `g` logs in again only if
    /// nobody has done so since `g`.
    generation: u64,
    /// Logins tried so far.
    attempts: u64,
    /// The last login attempt, when it failed, and why: calls that were waiting for it get the
    /// same answer instead of trying again one after another.
    failed: Option<(u64, Error)>,
}

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

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("url", &self.inner.base)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Builds a client. Nothing is sent until the first call.
    pub fn new(config: ClientConfig) -> Result<Self> {
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
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("coroot-mcp/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers)
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::limited(5))
            // A burst of concurrent calls opens one connection each; keep a few for reuse
            // rather than every one of them idle for the pool's 90 s.
            .pool_max_idle_per_host(MAX_IDLE_CONNECTIONS)
            .danger_accept_invalid_certs(config.insecure_tls);
        if let Some(path) = &config.ca_file {
            let pem = std::fs::read(path)
                .map_err(|e| Error::Config(format!("cannot read CA file {}: {e}", path.display())))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| Error::Config(format!("CA file {} is not PEM: {e}", path.display())))?;
            if certs.is_empty() {
                return Err(Error::Config(format!(
                    "CA file {} holds no certificate",
                    path.display()
                )));
            }
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        if let Credentials::Password { email, password } = &config.credentials
            && (email.trim().is_empty() || password.is_empty())
        {
            return Err(Error::Config(
                "both COROOT_EMAIL and COROOT_PASSWORD must be set for a password login".into(),
            ));
        }
        let http = builder
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                basic,
                config,
                session: RwLock::new(Session::default()),
                login_lock: tokio::sync::Mutex::new(()),
                projects: Mutex::new(None),
                app_ids: Mutex::new(HashMap::new()),
                inflight: Mutex::new(HashMap::new()),
                tape: Tape::default(),
            }),
        })
    }

    /// Benchmark support: a client that answers every GET from `bodies` (keyed like
    /// [`Client::recording`]'s entries) and never touches the network. A GET not in `bodies`
    /// fails with a transport error.
    #[doc(hidden)]
    pub fn replaying(config: ClientConfig, bodies: impl IntoIterator<Item = (String, Vec<u8>)>) -> Result<Self> {
        let mut client = Client::new(config)?;
        let replay = bodies.into_iter().map(|(k, v)| (k, Arc::new(v))).collect();
        match Arc::get_mut(&mut client.inner) {
            Some(inner) => inner.tape.replay = Some(replay),
            None => return Err(Error::Config("replaying client is shared".into())),
        }
        Ok(client)
    }

    /// Benchmark support: starts recording the body of every successful GET (`true`), or stops
    /// and returns what was recorded, as `(key, body)` in request order (`false`).
    #[doc(hidden)]
    pub fn recording(&self, on: bool) -> Vec<(String, Vec<u8>)> {
        let Ok(mut recording) = self.inner.tape.recording.lock() else {
            return Vec::new();
        };
        let taken = if on {
            recording.replace(Vec::new())
        } else {
            recording.take()
        };
        taken
            .unwrap_or_default()
            .into_iter()
            .map(|(k, body)| (k, body.as_ref().clone()))
            .collect()
    }

    /// The base URL in use (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.inner.base
    }

    /// The configuration the client was built with.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// True once a session cookie is held.
    pub fn has_session(&self) -> bool {
        self.inner.session.read().is_ok_and(|s| s.cookie.is_some())
    }

    /// GETs `path` and decodes its JSON.
    pub(crate) async fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        auth: Auth,
    ) -> Result<T> {
        let body = self.get_bytes(path, query, auth).await?;
        decode(&self.inner.base, path, &body)
    }

    /// GETs `path` and returns the raw body: the escape hatch for endpoints not modelled here,
    /// and the baseline for measuring how much smaller the tools' output is.
    pub async fn get_raw(&self, path: &str, query: &[(&str, String)]) -> Result<Vec<u8>> {
        let body = self.get_bytes(path, query, Auth::Session).await?;
        Ok(Arc::try_unwrap(body).unwrap_or_else(|shared| shared.as_ref().clone()))
    }

    /// GETs `path`, coalescing concurrent identical requests (same path, query and kind of
    /// credentials): one request goes out, and every caller gets its body or its error. Only
    /// requests in flight are shared; nothing is cached once the answer is out.
    pub(crate) async fn get_bytes(&self, path: &str, query: &[(&str, String)], auth: Auth) -> Result<Body> {
        let key = flight_key(path, query, auth);
        if let Some(replay) = &self.inner.tape.replay {
            return replay.get(&key).cloned().ok_or_else(|| Error::Transport {
                endpoint: path.to_string(),
                reason: "not in the recorded responses".into(),
            });
        }
        let flight = {
            let mut inflight = self.inner.inflight.lock().map_err(|_| poisoned())?;
            inflight.entry(key.clone()).or_default().clone()
        };
        let result = flight.get_or_init(|| self.fetch_bytes(path, query, auth)).await.clone();
        if let Ok(mut inflight) = self.inner.inflight.lock()
            && inflight.get(&key).is_some_and(|f| Arc::ptr_eq(f, &flight))
        {
            inflight.remove(&key);
        }
        if let Ok(body) = &result
            && let Ok(mut recording) = self.inner.tape.recording.lock()
            && let Some(recording) = recording.as_mut()
        {
            recording.push((key, body.clone()));
        }
        result
    }

    /// One GET with session handling: logs in when needed and once more on a rejected session.
    async fn fetch_bytes(&self, path: &str, query: &[(&str, String)], auth: Auth) -> Result<Body> {
        let mut relogged = false;
        let mut seen_generation = None;
        loop {
            let cookie = match auth {
                Auth::Session => {
                    let (cookie, generation) = self.ensure_session(seen_generation).await?;
                    seen_generation = Some(generation);
                    cookie
                }
                _ => None,
            };
            let response = self.send(Method::GET, path, query, auth, cookie.as_ref(), None).await?;
            let status = response.status();
            let html = is_html(&response);
            let body = self.read_body(response, path).await?;
            if status == StatusCode::UNAUTHORIZED {
                let message = text_message(&body);
                if message == "set_admin_password" {
                    return Err(Error::AdminPasswordNotSet);
                }
                if auth == Auth::Session && self.has_credentials() && !relogged {
                    // The cookie was invalidated (Coroot restarted with a new secret, or the
                    // user was re-created): log in again once, then retry.
                    tracing::debug!(endpoint = path, "session rejected, logging in again");
                    relogged = true;
                    continue;
                }
                let hint = if self.has_credentials() {
                    "the login succeeded but the session was refused; check the user still exists"
                } else {
                    "set COROOT_EMAIL and COROOT_PASSWORD (this Coroot does not allow anonymous access)"
                };
                return Err(Error::Unauthorized {
                    endpoint: path.to_string(),
                    hint,
                });
            }
            return self.check(status, html, path, body).map(Arc::new);
        }
    }

    /// Maps a non-401 answer to the body or an error.
    fn check(&self, status: StatusCode, html: bool, path: &str, body: Vec<u8>) -> Result<Vec<u8>> {
        let endpoint = path.to_string();
        if status.is_success() {
            if html || looks_like_html(&body) {
                return Err(Error::NotCorootApi {
                    url: self.inner.base.clone(),
                    endpoint,
                });
            }
            return Ok(body);
        }
        let message = text_message(&body);
        Err(match status.as_u16() {
            403 => Error::Forbidden { endpoint, message },
            404 if !message.is_empty() => Error::NotFound { endpoint, message },
            code => Error::Api {
                status: code,
                endpoint,
                message,
            },
        })
    }

    fn has_credentials(&self) -> bool {
        matches!(self.inner.config.credentials, Credentials::Password { .. })
    }

    /// Returns the session cookie to send, logging in when there is none or when the caller's
    /// cookie (of generation `stale`) was rejected and nobody has logged in since.
    async fn ensure_session(&self, stale: Option<u64>) -> Result<(Option<Secret>, u64)> {
        let Credentials::Password { email, password } = &self.inner.config.credentials else {
            return Ok((None, 0));
        };
        let usable = |s: &Session| s.cookie.is_some() && stale.is_none_or(|g| g != s.generation);
        if let Some(found) = self.read_session(usable) {
            return Ok(found);
        }
        let attempts_seen = self.inner.session.read().map_err(|_| poisoned())?.attempts;
        let _guard = self.inner.login_lock.lock().await;
        let attempt = {
            let mut session = self.inner.session.write().map_err(|_| poisoned())?;
            if usable(&session) {
                return Ok((session.cookie.clone(), session.generation));
            }
            // A login was tried while this call waited, and failed (wrong password, Coroot
            // hanging): its answer is this call's too. Trying again at once would send one
            // login per waiting call, and a hanging Coroot would cost each a timeout in turn.
            if let Some((attempt, error)) = &session.failed
                && *attempt > attempts_seen
            {
                return Err(error.clone());
            }
            session.attempts += 1;
            session.attempts
        };
        let outcome = self.login(email, password).await;
        let mut session = self.inner.session.write().map_err(|_| poisoned())?;
        match outcome {
            Ok(cookie) => {
                session.cookie = Some(cookie.clone());
                session.generation += 1;
                session.failed = None;
                Ok((Some(cookie), session.generation))
            }
            Err(error) => {
                session.failed = Some((attempt, error.clone()));
                Err(error)
            }
        }
    }

    fn read_session(&self, usable: impl Fn(&Session) -> bool) -> Option<(Option<Secret>, u64)> {
        let session = self.inner.session.read().ok()?;
        usable(&session).then(|| (session.cookie.clone(), session.generation))
    }

    /// `POST /api/login`; returns the `coroot_session` cookie.
    async fn login(&self, email: &str, password: &Secret) -> Result<Secret> {
        let path = "/api/login";
        let body = serde_json::json!({"email": email, "password": password.expose()}).to_string();
        let response = self.send(Method::POST, path, &[], Auth::None, None, Some(body)).await?;
        let status = response.status();
        let cookie = response.headers().get_all(SET_COOKIE).iter().find_map(|v| {
            let v = v.to_str().ok()?;
            let value = v
                .split(';')
                .next()?
                .trim()
                .strip_prefix(SESSION_COOKIE)?
                .strip_prefix('=')?;
            (!value.is_empty()).then(|| Secret::new(value))
        });
        let html = is_html(&response);
        let body = self.read_body(response, path).await?;
        match status.as_u16() {
            200..=299 if html || looks_like_html(&body) => Err(Error::NotCorootApi {
                url: self.inner.base.clone(),
                endpoint: path.into(),
            }),
            200..=299 => {
                tracing::debug!("logged in to Coroot");
                cookie.ok_or_else(|| Error::Api {
                    status: status.as_u16(),
                    endpoint: path.into(),
                    message: "login succeeded but no coroot_session cookie came back; is a proxy stripping cookies?"
                        .into(),
                })
            }
            // Coroot's wrong-password 404 always says "Invalid email or password."; any other
            // 404 (Go's "404 page not found", a proxy's page) comes from a server that is not
            // Coroot, and must not read as a credentials problem.
            404 if !text_message(&body)
                .to_ascii_lowercase()
                .contains("invalid email or password") =>
            {
                Err(Error::NotCorootApi {
                    url: self.inner.base.clone(),
                    endpoint: path.into(),
                })
            }
            // A first-run server also rejects every password until the admin one is set,
            // which /api/user tells apart.
            404 | 400 => Err(self.first_run_or(Error::InvalidCredentials).await),
            401 if text_message(&body) == "set_admin_password" => Err(Error::AdminPasswordNotSet),
            code => Err(Error::Api {
                status: code,
                endpoint: path.into(),
                message: text_message(&body),
            }),
        }
    }

    async fn first_run_or(&self, otherwise: Error) -> Error {
        let Ok(response) = self.send(Method::GET, "/api/user", &[], Auth::None, None, None).await else {
            return otherwise;
        };
        if response.status() == StatusCode::UNAUTHORIZED
            && let Ok(body) = self.read_body(response, "/api/user").await
            && text_message(&body) == "set_admin_password"
        {
            return Error::AdminPasswordNotSet;
        }
        otherwise
    }

    /// Sends one request, retrying a GET on 502/503/504 and on broken connections.
    async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        auth: Auth,
        cookie: Option<&Secret>,
        body: Option<String>,
    ) -> Result<reqwest::Response> {
        let url = format!("{}{}", self.inner.base, path);
        let retries = if method == Method::GET {
            self.inner.config.retries
        } else {
            0
        };
        let mut attempt = 0;
        loop {
            let mut request = self.with_basic(self.inner.http.request(method.clone(), &url).query(query));
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
            if auth == Auth::ApiKey {
                let key = self.inner.config.api_key.as_ref().ok_or(Error::MissingApiKey)?;
                let mut value = HeaderValue::from_str(key.expose())
                    .map_err(|_| Error::Config("COROOT_API_KEY has characters a header cannot carry".into()))?;
                value.set_sensitive(true);
                request = request.header("X-API-Key", value);
            }
            if let Some(body) = &body {
                request = request.header(CONTENT_TYPE, "application/json").body(body.clone());
            }
            let outcome = request.send().await;
            let retryable = match &outcome {
                Ok(r) => matches!(r.status().as_u16(), 502..=504),
                Err(e) => !e.is_timeout() && (e.is_connect() || e.is_request()) && !is_tls(e),
            };
            if retryable && attempt < retries {
                let delay = self.inner.config.retry_backoff.saturating_mul(1 << attempt.min(8));
                tracing::debug!(endpoint = path, attempt, ?delay, "transient failure, retrying");
                tokio::time::sleep(delay).await;
                attempt += 1;
                continue;
            }
            return outcome.map_err(|e| self.transport_error(path, e));
        }
    }

    /// Reads the body, refusing to hold more than the configured cap.
    async fn read_body(&self, mut response: reqwest::Response, path: &str) -> Result<Vec<u8>> {
        let limit = self.inner.config.max_body_bytes;
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
        let url = self.inner.base.clone();
        let reason = error_chain(&e);
        if e.is_timeout() {
            Error::Timeout {
                endpoint: path.to_string(),
                after: self.inner.config.timeout,
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

    /// The cached project list, refreshed after `projects_ttl`.
    pub(crate) fn cached_projects(&self) -> Option<Arc<Vec<Project>>> {
        let cache = self.inner.projects.lock().ok()?;
        let (at, projects) = cache.as_ref()?;
        (at.elapsed() < self.inner.config.projects_ttl).then(|| projects.clone())
    }

    pub(crate) fn store_projects(&self, projects: Vec<Project>) -> Arc<Vec<Project>> {
        let projects = Arc::new(projects);
        if let Ok(mut cache) = self.inner.projects.lock() {
            *cache = Some((Instant::now(), projects.clone()));
        }
        projects
    }

    /// The cached application ids of `project`, while younger than `app_ids_ttl`.
    pub(crate) fn cached_app_ids(&self, project: &str) -> Option<Arc<Vec<AppId>>> {
        let cache = self.inner.app_ids.lock().ok()?;
        let (at, ids) = cache.get(project)?;
        (at.elapsed() < self.inner.config.app_ids_ttl).then(|| ids.clone())
    }

    pub(crate) fn store_app_ids(&self, project: &str, ids: Vec<AppId>) -> Arc<Vec<AppId>> {
        let ids = Arc::new(ids);
        if let Ok(mut cache) = self.inner.app_ids.lock() {
            let ttl = self.inner.config.app_ids_ttl;
            cache.retain(|_, (at, _)| at.elapsed() < ttl);
            cache.insert(project.to_string(), (Instant::now(), ids.clone()));
        }
        ids
    }

    /// Forgets the cached application ids of `project`.
    pub fn forget_app_ids(&self, project: &str) {
        if let Ok(mut cache) = self.inner.app_ids.lock() {
            cache.remove(project);
        }
    }

    /// A GET of an absolute URL without credentials or the API guards (the index page is HTML
    /// by design): status and body text, the body capped like any other.
    pub(crate) async fn fetch_text(&self, url: &str, endpoint: &str) -> Result<(u16, String)> {
        let response = self
            .with_basic(self.inner.http.get(url))
            .send()
            .await
            .map_err(|e| self.transport_error(endpoint, e))?;
        let status = response.status().as_u16();
        let body = self.read_body(response, endpoint).await?;
        Ok((status, String::from_utf8_lossy(&body).into_owned()))
    }

    /// Adds the URL's user info as basic auth (reqwest marks the header sensitive).
    fn with_basic(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.inner.basic {
            Some(b) => request.basic_auth(&b.user, b.password.as_ref().map(Secret::expose)),
            None => request,
        }
    }

    /// The configured request timeout.
    pub fn timeout(&self) -> Duration {
        self.inner.config.timeout
    }
}

/// What makes two GETs identical: the kind of credentials, the path and the query, in order.
/// Values are percent-encoded so that no value can forge a separator.
fn flight_key(path: &str, query: &[(&str, String)], auth: Auth) -> String {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    let mut key = format!("{auth:?} {path}");
    for (i, (name, value)) in query.iter().enumerate() {
        key.push(if i == 0 { '?' } else { '&' });
        key.extend(utf8_percent_encode(name, NON_ALPHANUMERIC));
        key.push('=');
        key.extend(utf8_percent_encode(value, NON_ALPHANUMERIC));
    }
    key
}

fn poisoned() -> Error {
    Error::Transport {
        endpoint: "/api/login".into(),
        reason: "internal session state is unusable".into(),
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

fn is_html(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("text/html"))
}

fn looks_like_html(body: &[u8]) -> bool {
    let start = body.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(body.len());
    body.get(start..start + 1) == Some(b"<")
}

/// Coroot's error bodies are `text/plain` message + "\n".
fn text_message(body: &[u8]) -> String {
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

pub(crate) fn decode<T: DeserializeOwned>(base: &str, path: &str, body: &[u8]) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| {
        if looks_like_html(body) {
            Error::NotCorootApi {
                url: base.to_string(),
                endpoint: path.to_string(),
            }
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let client = Client::new(ClientConfig::new("http://u:pw-123456@h:1")).unwrap();
        assert_eq!(client.base_url(), "http://h:1");
        assert!(!format!("{client:?}").contains("pw-123456"));
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
    fn html_is_recognised() {
        assert!(looks_like_html(b"  <!DOCTYPE html>"));
        assert!(!looks_like_html(b"{\"a\":1}"));
    }

    #[test]
    fn flight_keys_tell_requests_apart() {
        let q = |v: &str| vec![("query", v.to_string())];
        assert_eq!(flight_key("/api/user", &[], Auth::Session), "Session /api/user");
        assert_ne!(
            flight_key("/p", &q("a&b=c"), Auth::Session),
            flight_key("/p", &[("query", "a".into()), ("b", "c".into())], Auth::Session)
        );
        assert_ne!(
            flight_key("/p", &q("x"), Auth::Session),
            flight_key("/p", &q("x"), Auth::ApiKey)
        );
        assert_eq!(flight_key("/p", &q("x y"), Auth::Session), "Session /p?query=x%20y");
    }

    #[test]
    fn password_login_needs_both_values() {
        let cfg = ClientConfig::new("http://x").with_password("admin", "");
        assert!(matches!(Client::new(cfg), Err(Error::Config(_))));
    }
}
