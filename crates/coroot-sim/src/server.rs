//! The HTTP server: one axum fallback handler that records every request, applies
//! injected faults, authenticates like Coroot (§3) and routes like Coroot's gorilla/mux
//! router, where unknown paths and wrong methods fall through to the SPA index page.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::{Auth, SimConfig};
use crate::faults::{self, Fault, FaultRule};
use crate::http::{RecordedRequest, Reply};
use crate::render;
use crate::scenario::Scenario;
use crate::util::{TimeCtx, base64url, go_json, http_date, parse_query, query_unescape, time_range};
use crate::world::{Project, World};

struct State_ {
    requests: Vec<RecordedRequest>,
    faults: Vec<FaultRule>,
    sessions: HashSet<String>,
    /// Every session cookie value ever issued, kept when sessions expire.
    issued: Vec<String>,
    session_seq: u64,
    admin_password: Option<String>,
    expire_countdown: Option<u32>,
}

struct Inner {
    config: SimConfig,
    world: World,
    now_ms: i64,
    instance_uuid: String,
    login_count: AtomicUsize,
    state: Mutex<State_>,
}

/// A running simulator bound to a loopback port.
pub struct Simulator {
    inner: Arc<Inner>,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Simulator {
    /// Starts a simulator on `127.0.0.1` with an ephemeral port.
    pub async fn start(scenario: Scenario, config: SimConfig) -> std::io::Result<Simulator> {
        Simulator::bind(SocketAddr::from(([127, 0, 0, 1], 0)), scenario, config).await
    }

    /// Starts a simulator on the given address.
    pub async fn bind(addr: SocketAddr, scenario: Scenario, mut config: SimConfig) -> std::io::Result<Simulator> {
        config.base_path = normalise_base(&config.base_path);
        let now_ms = config.now_ms.unwrap_or_else(|| Timestamp::now().as_millisecond());
        let world = scenario.build(now_ms);
        let inner = Arc::new(Inner {
            instance_uuid: format!(
                "{:08x}-5f1e-4c2a-9b7d-{:012x}",
                crate::prng::mix(now_ms as u64) as u32,
                crate::prng::mix(7) & 0xffff_ffff_ffff
            ),
            config,
            world,
            now_ms,
            login_count: AtomicUsize::new(0),
            state: Mutex::new(State_ {
                requests: Vec::new(),
                faults: Vec::new(),
                sessions: HashSet::new(),
                issued: Vec::new(),
                session_seq: 0,
                admin_password: None,
                expire_countdown: None,
            }),
        });
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let app = Router::new().fallback(handle).with_state(inner.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = rx.await;
            });
            if let Err(e) = served.await {
                tracing::error!("simulator server stopped: {e}");
            }
        });
        tracing::debug!(%addr, "coroot-sim listening");
        Ok(Simulator {
            inner,
            addr,
            shutdown: Some(tx),
            task,
        })
    }

    /// `http://127.0.0.1:PORT` plus the base path without its trailing slash.
    pub fn base_url(&self) -> String {
        format!(
            "http://{}{}",
            self.addr,
            self.inner.config.base_path.trim_end_matches('/')
        )
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The scenario's "now" in epoch ms.
    pub fn now_ms(&self) -> i64 {
        self.inner.now_ms
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.inner.lock().requests.clone()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        self.inner.lock().requests.clear();
    }

    /// Adds a fault rule (rules are tried in the order they were added).
    pub fn inject(&self, rule: FaultRule) {
        self.inner.lock().faults.push(rule);
    }

    /// Removes every fault rule and any armed session-expiry countdown.
    pub fn clear_faults(&self) {
        let mut st = self.inner.lock();
        st.faults.clear();
        st.expire_countdown = None;
    }

    /// Invalidates every session cookie issued so far.
    pub fn expire_sessions(&self) {
        self.inner.lock().sessions.clear();
    }

    /// Every session cookie value issued by a successful login so far, in order, including
    /// those since expired or invalidated: the secrets a test should find nowhere else.
    pub fn session_cookies(&self) -> Vec<String> {
        self.inner.lock().issued.clone()
    }

    /// Number of successful `POST /api/login` requests.
    pub fn login_count(&self) -> usize {
        self.inner.login_count.load(Ordering::SeqCst)
    }

    /// Stops the server and waits for it to finish.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

fn normalise_base(b: &str) -> String {
    let t = b.trim_matches('/');
    if t.is_empty() { "/".into() } else { format!("/{t}/") }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State_> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn index_html(&self) -> String {
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n\
<base href=\"{base}\">\n<link rel=\"icon\" href=\"{base}static/favicon.ico\">\n<title>Coroot</title>\n\
<script>window.coroot = {{base_path:\"{base}\", version:\"{ver}\", instance_uuid:\"{uuid}\", check_for_updates:false, edition:\"Community\", cloud_url:\"https://coroot.com/cloud\"}}</script>\n\
<script defer src=\"{base}static/js/app.js\"></script>\n</head>\n<body>\n<div id=\"app\"></div>\n</body>\n</html>\n",
            base = self.config.base_path,
            ver = self.config.version,
            uuid = self.instance_uuid
        )
    }

    fn to_response(&self, reply: Reply) -> Response {
        match reply {
            Reply::Json(code, v) => json_response(code, go_json(&v)),
            Reply::Error(code, msg) => text_error(code, &msg),
            Reply::Empty(code) => (status(code), Body::empty()).into_response(),
            Reply::Html => html_response(self.index_html()),
            Reply::Redirect(loc) => {
                (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, loc)], Body::empty()).into_response()
            }
            Reply::WithCookie(inner, cookie) => {
                let mut r = self.to_response(*inner);
                if let Ok(v) = HeaderValue::from_str(&cookie) {
                    r.headers_mut().append(header::SET_COOKIE, v);
                }
                r
            }
        }
    }

    /// Checks the session of an `A` route.
    fn authenticate(&self, req: &RecordedRequest) -> Result<(), Reply> {
        let mut st = self.lock();
        match &self.config.auth {
            Auth::Anonymous { .. } => return Ok(()),
            Auth::FirstRun if st.admin_password.is_none() => {
                return Err(Reply::Error(401, "set_admin_password".into()));
            }
            _ => {}
        }
        if st.expire_countdown == Some(0) {
            st.sessions.clear();
            st.expire_countdown = None;
        }
        let cookie = req
            .headers
            .iter()
            .filter(|(k, _)| k == "cookie")
            .flat_map(|(_, v)| v.split(';'))
            .filter_map(|c| c.trim().strip_prefix("coroot_session="))
            .find(|v| st.sessions.contains(*v));
        if cookie.is_none() {
            return Err(Reply::Error(401, String::new()));
        }
        if let Some(n) = st.expire_countdown.as_mut() {
            *n = n.saturating_sub(1);
        }
        Ok(())
    }

    fn login(&self, req: &RecordedRequest) -> Reply {
        let form: Value = serde_json::from_str(&req.body).unwrap_or(Value::Null);
        let email = form.get("email").and_then(Value::as_str).unwrap_or("");
        let password = form.get("password").and_then(Value::as_str).unwrap_or("");
        let action = form.get("action").and_then(Value::as_str).unwrap_or("");
        if email.is_empty() || password.is_empty() {
            return Reply::Error(400, String::new());
        }
        let mut st = self.lock();
        let ok = match &self.config.auth {
            Auth::Password { email: e, password: p } => email == e && password == p,
            Auth::Anonymous { .. } => false,
            Auth::FirstRun => {
                if action == "set_admin_password" {
                    if st.admin_password.is_some() {
                        return Reply::Error(401, "The admin password has already been set.".into());
                    }
                    if email == "admin" {
                        st.admin_password = Some(password.to_string());
                        true
                    } else {
                        false
                    }
                } else {
                    email == "admin" && st.admin_password.as_deref() == Some(password)
                }
            }
        };
        if !ok {
            return Reply::Error(404, "Invalid email or password.".into());
        }
        st.session_seq += 1;
        let seq = st.session_seq;
        let mut sig = Vec::with_capacity(32);
        for i in 0..4u64 {
            sig.extend_from_slice(&crate::prng::mix(self.now_ms as u64 ^ (seq << 8) ^ i).to_be_bytes());
        }
        let value = format!("{}.{}", base64url(br#"{"id":1}"#), base64url(&sig));
        st.sessions.insert(value.clone());
        st.issued.push(value.clone());
        self.login_count.fetch_add(1, Ordering::SeqCst);
        let cookie = format!(
            "coroot_session={value}; Path=/; Expires={}; HttpOnly",
            http_date(
                Timestamp::now()
                    .checked_add(SignedDuration::from_hours(7 * 24))
                    .unwrap_or(Timestamp::MAX)
            )
        );
        Reply::WithCookie(Box::new(Reply::Empty(200)), cookie)
    }

    fn user(&self) -> Reply {
        let projects: Vec<Value> = self
            .world
            .projects_by_name()
            .iter()
            .map(|p| json!({"id": p.id, "name": p.name}))
            .collect();
        let mut u = match &self.config.auth {
            Auth::Anonymous { role } => {
                let mut u = json!({"email": "", "name": "Anonymous", "role": role, "anonymous": true});
                if role != "Admin" {
                    u["readonly"] = json!(true);
                }
                u
            }
            Auth::Password { email, .. } => {
                json!({"email": email, "name": "Admin", "role": "Admin"})
            }
            Auth::FirstRun => json!({"email": "admin", "name": "Admin", "role": "Admin"}),
        };
        if !projects.is_empty() {
            u["projects"] = Value::Array(projects);
        }
        Reply::Json(200, u)
    }

    fn is_admin(&self) -> bool {
        !matches!(&self.config.auth, Auth::Anonymous { role } if role != "Admin")
    }

    /// The request's time window (§5), with the `incident` override.
    fn time_ctx(&self, p: Option<&Project>, req: &RecordedRequest) -> TimeCtx {
        if let (Some(p), Some(key)) = (p, req.param("incident"))
            && let Some(i) = p.incidents.iter().find(|i| i.key == key)
        {
            return render::incidents::incident_ctx(i, self.now_ms);
        }
        let (from, to) = time_range(req.param("from"), req.param("to"), self.now_ms);
        TimeCtx::new(from, to)
    }

    fn env(&self, p: &Project, data: Value) -> Reply {
        Reply::Json(200, json!({"context": render::context(p), "data": data}))
    }

    fn zero_env() -> Reply {
        Reply::Json(200, json!({"context": render::zero_context(), "data": null}))
    }

    fn api_key_project(&self, req: &RecordedRequest) -> Result<&Project, Reply> {
        let Some(key) = req.header("x-api-key").filter(|k| !k.is_empty()) else {
            return Err(Reply::Error(400, "no api key".into()));
        };
        if self.config.api_key.as_deref() == Some(key)
            && let Some(p) = self.world.projects_by_name().first()
        {
            return Ok(p);
        }
        self.world
            .project(key)
            .ok_or_else(|| Reply::Error(404, "no project found".into()))
    }

    fn dispatch(&self, req: &RecordedRequest) -> Reply {
        let base = self.config.base_path.as_str();
        let rel = if base == "/" {
            req.path.strip_prefix('/').unwrap_or(&req.path)
        } else if let Some(r) = req.path.strip_prefix(base) {
            r
        } else if req.path == base.trim_end_matches('/') {
            ""
        } else if req.path == "/health" && req.method == "GET" {
            return Reply::Empty(200);
        } else {
            return Reply::Redirect(base.to_string());
        };
        let seg: Vec<&str> = rel.split('/').collect();
        let m = req.method.as_str();
        match (m, seg.as_slice()) {
            ("GET", ["health"]) if base == "/" => Reply::Empty(200),
            ("POST", ["api", "login"]) => self.login(req),
            ("POST", ["api", "logout"]) => {
                Reply::WithCookie(Box::new(Reply::Empty(200)), "coroot_session=; Path=/; HttpOnly".into())
            }
            ("GET" | "POST", ["api", "user"]) => match self.authenticate(req) {
                Err(r) => r,
                Ok(()) if m == "GET" => self.user(),
                Ok(()) => Reply::Empty(200),
            },
            (_, ["api", "v1", "query_range"]) => match self.api_key_project(req) {
                Err(r) => r,
                Ok(p) => render::metrics::query_range(p, req),
            },
            ("GET", ["api", "project", pid, rest @ ..]) if !pid.is_empty() => self.project_route(req, pid, rest),
            _ => Reply::Html,
        }
    }

    fn project_route(&self, req: &RecordedRequest, pid: &str, rest: &[&str]) -> Reply {
        let known = matches!(
            rest,
            [] | ["status"]
                | ["overview", _]
                | ["incidents"]
                | ["incident", _]
                | ["app", _]
                | ["app", _, "logs" | "rca"]
                | ["node", _]
                | ["panel", "data"]
        );
        if !known || rest.iter().any(|s| s.is_empty()) {
            return Reply::Html;
        }
        if let Err(r) = self.authenticate(req) {
            return r;
        }
        let project = self.world.project(pid);
        let Some(p) = project else {
            return match rest {
                [] => Reply::Empty(200),
                ["status"] => Reply::Json(200, render::zero_status()),
                ["incidents"] => Reply::Error(404, "project not found".into()),
                ["panel", "data"] => Reply::Error(404, "Project not found".into()),
                _ => Self::zero_env(),
            };
        };
        let ctx = self.time_ctx(Some(p), req);
        match rest {
            [] => Reply::Json(
                200,
                json!({"readonly": true, "name": p.name,
                       "api_keys": if self.is_admin() { json!([{"key": p.id, "description": "default"}]) } else { json!("permission denied") },
                       "refresh_interval": 30000}),
            ),
            ["status"] => self.env(p, render::project_status(p)),
            ["overview", view] => self.env(
                p,
                render::overview::overview(p, view, &ctx, req.param("query").unwrap_or("")),
            ),
            ["incidents"] => {
                let limit = match req.param("limit") {
                    None | Some("") => 100usize,
                    Some(l) => match l.parse::<u32>() {
                        Ok(v) => v as usize,
                        Err(_) => return Reply::Error(400, String::new()),
                    },
                };
                self.env(p, render::incidents::list(p, limit, self.now_ms))
            }
            ["incident", key] => {
                let key = query_unescape(key).unwrap_or_default();
                match p.incidents.iter().find(|i| i.key == key) {
                    None => Reply::Error(404, "Incident not found".into()),
                    Some(i) => match p.app_index.get(&i.app_id) {
                        None => Reply::Error(404, "Application not found".into()),
                        Some(_) => self.env(p, render::incidents::detail(p, i, self.now_ms)),
                    },
                }
            }
            ["app", app, tail @ ..] => {
                let idx = match find_app(p, app) {
                    Ok(i) => i,
                    Err(r) => return r,
                };
                match tail {
                    [] => self.env(p, render::app::detail(p, idx, &ctx)),
                    ["logs"] => self.env(
                        p,
                        render::logs::app_logs(p, idx, &ctx, req.param("query").unwrap_or("")),
                    ),
                    _ => {
                        if req.param("incident").is_some() {
                            Reply::Empty(200)
                        } else {
                            Reply::Json(
                                200,
                                json!({"status": "AI disabled", "error": "", "short_summary": "", "root_cause": "", "immediate_fixes": "",
                                       "detailed_root_cause_analysis": "", "propagation_map": null, "widgets": null}),
                            )
                        }
                    }
                }
            }
            ["node", node] => {
                let Some(name) = query_unescape(node) else {
                    return Reply::Error(400, "invalid node name".into());
                };
                let name = name.split_once(':').map(|(_, n)| n.to_string()).unwrap_or(name);
                match p.node(&name) {
                    None => Reply::Error(404, "Node not found".into()),
                    Some(n) => self.env(p, render::node::detail(p, n, &ctx)),
                }
            }
            ["panel", "data"] => match render::metrics::panel_data(p, &ctx, req.param("query")) {
                Ok(v) => Reply::Json(200, v),
                Err(msg) => Reply::Error(400, msg),
            },
            _ => Reply::Html,
        }
    }
}

/// Resolves an `{app}` path variable like `GetApplicationId` (§7.2).
fn find_app(p: &Project, raw: &str) -> Result<usize, Reply> {
    let Some(id) = query_unescape(raw) else {
        return Err(Reply::Error(400, "invalid application id".into()));
    };
    let parts: Vec<&str> = id.splitn(4, ':').collect();
    let full = match parts.as_slice() {
        [ns, kind, name] if *kind == "ExternalService" => format!("external:{ns}:{kind}:{name}"),
        [_, _, _] => return Err(Reply::Error(404, "Application not found".into())),
        [c, ns, kind, name] => {
            if *c == "external" && *ns != "external" {
                // A 3-part id whose name contains ':'.
                if *kind == "ExternalService" {
                    format!("external:{c}:{kind}:{name}")
                } else {
                    return Err(Reply::Error(404, "Application not found".into()));
                }
            } else {
                format!("{c}:{ns}:{kind}:{name}")
            }
        }
        _ => return Err(Reply::Error(400, "invalid application id".into())),
    };
    p.app_index
        .get(&full)
        .copied()
        .ok_or_else(|| Reply::Error(404, "Application not found".into()))
}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn json_response(code: u16, body: String) -> Response {
    (status(code), [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn html_response(body: String) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

fn text_error(code: u16, msg: &str) -> Response {
    (
        status(code),
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        format!("{msg}\n"),
    )
        .into_response()
}

async fn handle(State(inner): State<Arc<Inner>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, 64 * 1024 * 1024).await.unwrap_or_default();
    let query = parts.uri.query().unwrap_or("").to_string();
    let rec = RecordedRequest {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        params: parse_query(&query),
        query,
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: String::from_utf8_lossy(&bytes).into_owned(),
    };
    let fault = {
        let mut st = inner.lock();
        st.requests.push(rec.clone());
        faults::take(&mut st.faults, &rec.path)
    };
    match fault {
        None => inner.to_response(inner.dispatch(&rec)),
        Some(Fault::Latency(d)) => {
            tokio::time::sleep(d).await;
            inner.to_response(inner.dispatch(&rec))
        }
        Some(Fault::Status { code, body }) => text_error(code, &body),
        Some(Fault::MalformedJson) => json_response(200, "{\"context\": {\"status\": <html>oops</html>,\n".into()),
        Some(Fault::Html) => html_response(inner.index_html()),
        Some(Fault::Body {
            status: code,
            content_type,
            body,
        }) => {
            let mut r = (status(code), body).into_response();
            if let Ok(v) = HeaderValue::from_str(&content_type) {
                r.headers_mut().insert(header::CONTENT_TYPE, v);
            }
            r
        }
        Some(Fault::ExpireSessionsAfter { requests }) => {
            inner.lock().expire_countdown = Some(requests);
            inner.to_response(inner.dispatch(&rec))
        }
        Some(Fault::TruncatedJson) => {
            let body = match inner.dispatch(&rec) {
                Reply::Json(_, v) => go_json(&v),
                _ => go_json(&json!({"context": render::zero_context(), "data": null})),
            };
            let mut cut = body.len() / 2;
            while !body.is_char_boundary(cut) {
                cut -= 1;
            }
            json_response(200, body[..cut].to_string())
        }
        Some(Fault::OversizedBody { bytes }) => {
            let mut v = match inner.dispatch(&rec) {
                Reply::Json(_, v @ Value::Object(_)) => v,
                _ => json!({}),
            };
            let size = go_json(&v).len();
            let pad = bytes.saturating_sub(size) + 16;
            if let Value::Object(m) = &mut v {
                m.insert("padding".into(), Value::String("x".repeat(pad)));
            }
            json_response(200, go_json(&v))
        }
    }
}
