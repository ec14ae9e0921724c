//! The HTTP server: one axum fallback handler that records every request, applies
//! injected faults, authenticates like Coroot (§3) and routes like Coroot's gorilla/mux
//! router, where unknown paths and wrong methods fall through to the SPA index page.

use std::collections::HashMap;
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
use crate::users::{self, User};
use crate::util::{TimeCtx, base64url, go_json, http_date, parse_query, query_unescape, time_range};
use crate::world::{Project, World};

struct State_ {
    requests: Vec<RecordedRequest>,
    faults: Vec<FaultRule>,
    /// Live session cookies and whose they are: `None` for the configured account, else an
    /// index into `users`.
    sessions: HashMap<String, Option<usize>>,
    /// Accounts added with [`Simulator::add_user`].
    users: Vec<User>,
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
        // Coroot's times are whole seconds (`timeseries.Time`).
        let now_ms = config
            .now_ms
            .unwrap_or_else(|| Timestamp::now().as_millisecond() / 1000 * 1000);
        let mut world = scenario.build(now_ms);
        world.configure(&config, scenario.cloud_rca());
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
                sessions: HashMap::new(),
                users: Vec::new(),
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

    /// Adds an account that logs in with its own email and password and sees what its grants
    /// allow (see [`User`]), beside the configured one.
    pub fn add_user(&self, user: User) {
        self.inner.lock().users.push(user);
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

    /// The SPA index page; the version is only here (v1.24.5:front/public/index.html:14,
    /// main.go:275-303), in the template's single-quoted JS object.
    fn index_html(&self) -> String {
        format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><link rel=\"icon\" href=\"{base}static/favicon.ico\"><title>Coroot</title>\
<script>window.coroot = {{\n            base_path: '{base}',\n            version: '{ver}',\n            instance_uuid: '{uuid}',\n\
            check_for_updates: false,\n            edition: 'Community',\n            cloud_url: 'https://cloud.coroot.com',\n        }};</script>\
<script defer=\"defer\" src=\"{base}static/js/app.js\"></script></head><body><noscript><strong>We're sorry but Coroot doesn't work properly \
without JavaScript enabled. Please enable it to continue.</strong></noscript><div id=\"app\"></div></body></html>",
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

    /// Checks the session of an `A` route; returns the added account it belongs to, if any.
    fn authenticate(&self, req: &RecordedRequest) -> Result<Option<User>, Reply> {
        let mut st = self.lock();
        match &self.config.auth {
            Auth::Anonymous { .. } => return Ok(None),
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
            .find_map(|v| st.sessions.get(v).copied());
        let Some(who) = cookie else {
            return Err(Reply::Error(401, String::new()));
        };
        if let Some(n) = st.expire_countdown.as_mut() {
            *n = n.saturating_sub(1);
        }
        Ok(who.and_then(|i| st.users.get(i).cloned()))
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
        let added = st.users.iter().position(|u| u.email == email && u.password == password);
        let ok = added.is_some()
            || match &self.config.auth {
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
        let id = added.map_or(1, |i| i + 2);
        let value = format!(
            "{}.{}",
            base64url(format!("{{\"id\":{id}}}").as_bytes()),
            base64url(&sig)
        );
        st.sessions.insert(value.clone(), added);
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

    fn user(&self, who: Option<&User>) -> Reply {
        if let Some(user) = who {
            let projects: Vec<(String, String)> = self
                .world
                .projects_by_name()
                .iter()
                .map(|p| (p.id.clone(), p.name.clone()))
                .collect();
            return Reply::Json(200, user.render(&projects));
        }
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
        let (from, to) = time_range(req.param("from"), req.param("to"), self.now_ms);
        if let (Some(p), Some(key)) = (p, req.param("incident"))
            && let Some(i) = p.incidents.iter().find(|i| i.key == key)
        {
            return render::incidents::incident_ctx(p, i, to);
        }
        TimeCtx::new(from, to)
    }

    fn env(&self, p: &Project, ctx: &TimeCtx, data: Value) -> Reply {
        Reply::Json(
            200,
            json!({"context": render::context::context(p, ctx, true), "data": data}),
        )
    }

    fn zero_env(&self) -> Reply {
        Reply::Json(
            200,
            json!({"context": render::context::zero_context(self.world.version), "data": null}),
        )
    }

    fn api_key_project(&self, req: &RecordedRequest) -> Result<&Project, Reply> {
        let Some(key) = req.header("x-api-key").filter(|k| !k.is_empty()) else {
            return Err(Reply::Error(400, "no api key".into()));
        };
        if self.config.api_key.as_deref() == Some(key)
            && let Some(p) = self
                .world
                .projects_by_name()
                .into_iter()
                .find(|p| p.env.members.is_empty())
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
                Ok(who) if m == "GET" => self.user(who.as_ref()),
                Ok(_) => Reply::Empty(200),
            },
            // The API-key Prometheus passthrough exists from v1.17.7 (main.go:206-209).
            (_, ["api", "v1", "query_range"]) if self.world.version.has_query_range() => {
                match self.api_key_project(req) {
                    Err(r) => r,
                    Ok(p) if !p.env.health.prometheus_configured() => Reply::Error(500, String::new()),
                    Ok(p) => render::metrics::query_range(p, req),
                }
            }
            ("GET", ["api", "project", pid, rest @ ..]) if !pid.is_empty() => self.project_route(req, pid, rest),
            _ => Reply::Html,
        }
    }

    fn project_route(&self, req: &RecordedRequest, pid: &str, rest: &[&str]) -> Reply {
        let v = self.world.version;
        let known = match rest {
            [] | ["status"] | ["overview", _] | ["incident", _] | ["node", _] | ["panel", "data"] => true,
            ["app", _] | ["app", _, "logs" | "rca" | "tracing" | "profiling"] => true,
            ["incidents"] => v.has_incidents_route(),
            ["alerts"] => v.has_alerts(),
            _ => false,
        };
        if !known || rest.iter().any(|s| s.is_empty()) {
            return Reply::Html;
        }
        let who = match self.authenticate(req) {
            Ok(who) => who,
            Err(r) => return r,
        };
        if who.as_ref().is_some_and(|u| !u.sees_project(pid)) {
            return Reply::Error(403, users::NO_PROJECT_ACCESS.into());
        }
        let project = self.world.project(pid);
        let Some(p) = project else {
            return match rest {
                [] => Reply::Empty(200),
                ["status"] => Reply::Json(200, render::context::zero_status()),
                ["incidents"] => Reply::Error(404, "project not found".into()),
                ["panel", "data"] => Reply::Error(404, "Project not found".into()),
                _ => self.zero_env(),
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
            ["status"] => {
                // `Status` loads the world of the last hour; with an empty cache it is nil
                // (api.go:380-401), so the node agent is not even checked.
                let world = !p.cache_empty();
                let status = render::context::status(p, world);
                let mut c = render::context::context(p, &ctx, world);
                render::set(&mut c, "status", status.clone());
                Reply::Json(200, json!({"context": c, "data": status}))
            }
            ["overview", view] => {
                let mut data = render::overview::overview(p, view, &ctx, req.param("query").unwrap_or(""));
                if let Some(user) = &who {
                    user.filter_overview(&mut data);
                }
                self.env(p, &ctx, data)
            }
            ["incidents"] => {
                let limit = match req.param("limit") {
                    None | Some("") => 100usize,
                    Some(l) => match l.parse::<u32>() {
                        Ok(v) => v as usize,
                        Err(_) => return Reply::Error(400, String::new()),
                    },
                };
                self.env(p, &ctx, render::incidents::list(p, limit))
            }
            ["incident", key] => {
                let key = query_unescape(key).unwrap_or_default();
                let Some(i) = p.incidents.iter().find(|i| i.key == key) else {
                    return Reply::Error(404, "Incident not found".into());
                };
                if !p.app_index.contains_key(&i.app_id) {
                    return Reply::Error(404, "Application not found".into());
                }
                let (_, to) = time_range(req.param("from"), req.param("to"), self.now_ms);
                let ictx = render::incidents::incident_ctx(p, i, to);
                let data = if v.has_incidents_route() {
                    render::incidents::detail(p, i)
                } else {
                    render::incidents::detail_v1_12(p, i, &ictx)
                };
                self.env(p, &ictx, data)
            }
            ["alerts"] => self.env(p, &ctx, render::alerts::list(p, req)),
            // The RCA handler resolves no application (api/rca.go; v1.12.5:api/api.go:919-931).
            ["app", _, "rca"] => self.rca(p, &ctx, req),
            ["app", app, tail @ ..] => {
                let idx = match find_app(p, app) {
                    Ok(i) => i,
                    Err(r) => return r,
                };
                if who.as_ref().is_some_and(|u| !u.sees_app(&p.apps[idx].id)) {
                    return Reply::Error(403, users::NO_APP_ACCESS.into());
                }
                let query = req.param("query").unwrap_or("");
                match tail {
                    [] => self.env(p, &ctx, render::app::detail(p, idx, &ctx)),
                    ["logs"] => self.env(p, &ctx, render::app_logs::app_logs(p, idx, &ctx, query)),
                    ["tracing"] => self.env(
                        p,
                        &ctx,
                        render::tracing::app_tracing(p, idx, &ctx, req.param("trace").unwrap_or("")),
                    ),
                    ["profiling"] => self.env(p, &ctx, render::tracing::app_profiling(p)),
                    _ => Reply::Html,
                }
            }
            ["node", node] => {
                let Some(name) = query_unescape(node) else {
                    return Reply::Error(400, "invalid node name".into());
                };
                let name = name.split_once(':').map(|(_, n)| n.to_string()).unwrap_or(name);
                match p.node(&name) {
                    None => Reply::Error(404, "Node not found".into()),
                    Some(n) => self.env(p, &ctx, render::node::detail(p, n, &ctx)),
                }
            }
            ["panel", "data"] => {
                if !p.env.health.prometheus_configured() && p.env.members.is_empty() {
                    return Reply::Error(500, String::new());
                }
                let resolve = |ds: &str| -> Option<&Project> {
                    if p.env.members.is_empty() {
                        // A single project: its own name, or none (datasource is ignored before v1.17.0).
                        (ds.is_empty() || ds == p.name || !v.has_cluster_ids()).then_some(p)
                    } else if ds.is_empty() && p.env.members.len() == 1 {
                        self.world.project_by_name(&p.env.members[0])
                    } else {
                        p.env
                            .members
                            .iter()
                            .find(|m| *m == ds)
                            .and_then(|m| self.world.project_by_name(m))
                    }
                };
                match render::metrics::panel_data(&resolve, &ctx, req.param("query")) {
                    Ok(v) => Reply::Json(200, v),
                    Err(msg) => Reply::Error(400, msg),
                }
            }
            _ => Reply::Html,
        }
    }

    /// `GET /app/{app}/rca` on open-source Coroot: the RCA status, unenveloped (v1.14.0+,
    /// api/rca.go:19-43); with `incident=` the answer is stored, not written. Before: the
    /// envelope with `data: "not implemented"`.
    fn rca(&self, p: &Project, ctx: &TimeCtx, req: &RecordedRequest) -> Reply {
        if !self.world.version.at_least((1, 14, 0)) {
            return self.env(p, ctx, json!("not implemented"));
        }
        if req.param("incident").is_some() {
            return Reply::Empty(200);
        }
        let mut o = json!({"status": "AI disabled", "error": "", "short_summary": "", "root_cause": "", "immediate_fixes": "",
                           "detailed_root_cause_analysis": "", "widgets": null});
        if self.world.version.at_least((1, 14, 4)) {
            render::set(&mut o, "propagation_map", Value::Null);
        }
        Reply::Json(200, o)
    }
}

/// Resolves an `{app}` path variable like `GetApplicationId` (api.go:2570) and
/// `model.NewApplicationIdFromString`: v1.17.0+ splits in at most 4 parts; a 3-part id has no
/// cluster (so it matches nothing but an external service), and a 4-part id whose first part
/// is `external` but whose second is not is a 3-part id whose name contains `:`
/// (v1.24.5:model/application_id.go:53-75); an `ExternalService` is always in cluster
/// `external`. Before v1.17.0 ids are `ns:Kind:name` (`SplitN(src, ":", 3)`, 400 `invalid
/// application id: <id>` under 3 parts, v1.12.0:model/application_id.go:45-51).
fn find_app(p: &Project, raw: &str) -> Result<usize, Reply> {
    let Some(id) = query_unescape(raw) else {
        return Err(Reply::Error(400, "invalid application id".into()));
    };
    let not_found = || Reply::Error(404, "Application not found".into());
    if !p.env.version.has_cluster_ids() {
        if id.splitn(3, ':').count() < 3 {
            return Err(Reply::Error(400, "invalid application id".into()));
        }
        return p.app_index.get(&id).copied().ok_or_else(not_found);
    }
    let parts: Vec<&str> = id.splitn(4, ':').collect();
    let (cluster, ns, kind, name) = match parts.as_slice() {
        [ns, kind, name] => ("".to_string(), *ns, *kind, name.to_string()),
        [c, ns, kind, name] if *c == "external" && *ns != "external" => {
            ("".to_string(), *c, *ns, format!("{kind}:{name}"))
        }
        [c, ns, kind, name] => (c.to_string(), *ns, *kind, name.to_string()),
        _ => return Err(Reply::Error(400, "invalid application id".into())),
    };
    let cluster = if kind == "ExternalService" {
        "external".to_string()
    } else {
        cluster
    };
    p.app_index
        .get(&format!("{cluster}:{ns}:{kind}:{name}"))
        .copied()
        .ok_or_else(not_found)
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
                _ => go_json(&json!({"context": render::context::zero_context(inner.world.version), "data": null})),
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
