//! Streamable HTTP: MCP at `/mcp`, liveness at `/healthz`, readiness at `/readyz`, the
//! server's metrics at `/metrics`.
//!
//! Loopback by default. Host and Origin are checked so a web page cannot reach a local server
//! through DNS rebinding, and the gate (`gate.rs`) guards `/mcp`: a token is required off
//! loopback. Stateful by default (sessions, progress streamed while a call runs, MCP tasks);
//! with `--stateless` any replica answers any request, so none keeps tasks. SIGTERM (or Ctrl-C) stops accepting
//! connections, lets the calls in flight finish for up to `--shutdown-timeout` seconds, then
//! ends every session and exits.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use axum::Router;
use axum::http::{StatusCode, header};
use axum::middleware;
use axum::response::IntoResponse;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};

use super::gate::{self, Gate};
use super::handler::CorootMcp;
use super::identity::Identities;
use super::metrics::Metrics;

/// HTTP transport options, as `serve` flags. `Debug` hides the token.
#[derive(Clone, clap::Args)]
// The field docs are also the `--help` text, which shows a URL as typed, not as a link.
#[allow(rustdoc::bare_urls)]
pub struct HttpOptions {
    /// Bearer token required on /mcp (required when not bound to loopback, unless --tokens or
    /// --session-passthrough is given); callers with it run as the server's own Coroot login.
    #[arg(long, env = "COROOT_MCP_AUTH_TOKEN", hide_env_values = true)]
    pub auth_token: Option<String>,
    /// Token file (TOML): each bearer token names a person and the Coroot credentials to use
    /// for them (email/password or a session cookie). Reloaded on SIGHUP and when it changes.
    #[arg(long, env = "COROOT_MCP_TOKENS")]
    pub tokens: Option<PathBuf>,
    /// Let a caller send its own Coroot session cookie in the X-Coroot-Session header; the
    /// call then runs as that Coroot user.
    #[arg(long, env = "COROOT_MCP_SESSION_PASSTHROUGH")]
    pub session_passthrough: bool,
    /// No MCP sessions: any replica can answer any request, so several can run behind a
    /// plain load balancer (progress is not streamed, and long calls are never MCP tasks).
    #[arg(long, env = "COROOT_MCP_STATELESS")]
    pub stateless: bool,
    /// Seconds to let calls in flight finish after SIGTERM before exiting.
    #[arg(long, env = "COROOT_MCP_SHUTDOWN_TIMEOUT", default_value_t = 25.0)]
    pub shutdown_timeout: f64,
    /// Accepted Host header values (comma separated).
    // Empty means the defaults: loopback names when bound to loopback, any name otherwise.
    #[arg(long, env = "COROOT_MCP_ALLOWED_HOSTS", value_delimiter = ',')]
    pub allowed_hosts: Vec<String>,
    /// Accepted Origin header values (comma separated, with scheme, e.g. https://app.example.com:443).
    // Empty means local origins only when bound to loopback.
    #[arg(long, env = "COROOT_MCP_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            auth_token: None,
            tokens: None,
            session_passthrough: false,
            stateless: false,
            shutdown_timeout: 25.0,
            allowed_hosts: Vec::new(),
            allowed_origins: Vec::new(),
        }
    }
}

impl std::fmt::Debug for HttpOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpOptions")
            .field("auth_token", &self.auth_token.as_ref().map(|_| "***"))
            .field("tokens", &self.tokens)
            .field("session_passthrough", &self.session_passthrough)
            .field("stateless", &self.stateless)
            .field("shutdown_timeout", &self.shutdown_timeout)
            .field("allowed_hosts", &self.allowed_hosts)
            .field("allowed_origins", &self.allowed_origins)
            .finish()
    }
}

/// Checks the options against the bind address; an exposed server that would let anyone in
/// is refused.
pub fn validate(addr: SocketAddr, opts: &HttpOptions) -> Result<()> {
    let token = opts.auth_token.as_deref().is_some_and(|t| !t.is_empty());
    if !addr.ip().is_loopback() && !token && opts.tokens.is_none() && !opts.session_passthrough {
        bail!(
            "refusing to serve on {addr} without a bearer token: set --auth-token (or COROOT_MCP_AUTH_TOKEN), --tokens FILE for one token per person, or bind to 127.0.0.1"
        );
    }
    if opts.auth_token.as_deref().is_some_and(|t| t.len() < 16) {
        bail!("--auth-token must be at least 16 characters");
    }
    if !(opts.shutdown_timeout.is_finite() && (0.0..=3600.0).contains(&opts.shutdown_timeout)) {
        bail!("--shutdown-timeout must be a number of seconds in [0, 3600]");
    }
    Ok(())
}

/// What the router serves and with what.
pub struct Served {
    /// The MCP handler.
    pub server: CorootMcp,
    /// Every identity's client, and the token file.
    pub identities: Arc<Identities>,
    /// The server's metrics.
    pub metrics: Arc<Metrics>,
    /// Set once shutdown has begun: `/readyz` answers 503 so load balancers stop sending.
    pub draining: Arc<AtomicBool>,
}

/// The router, and rmcp's configuration (its cancellation token ends every session).
pub fn router(served: &Served, addr: SocketAddr, opts: &HttpOptions) -> (Router, StreamableHttpServerConfig) {
    let mut config = StreamableHttpServerConfig::default();
    if !opts.allowed_hosts.is_empty() {
        config = config.with_allowed_hosts(opts.allowed_hosts.clone());
    } else if !addr.ip().is_loopback() {
        // Off loopback the Host is whatever name clients use; the required token guards instead.
        config = config.disable_allowed_hosts();
    }
    if !opts.allowed_origins.is_empty() {
        config = config.with_allowed_origins(opts.allowed_origins.clone());
    } else if addr.ip().is_loopback() {
        config = config.with_allowed_origins(["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"]);
    }
    if opts.stateless {
        // Every request stands alone: no session id to route by, plain JSON answers.
        config = config.with_legacy_session_mode(false).with_json_response(true);
    }
    // A task lives in one process: behind a load balancer its tasks/get would reach others.
    let server = if opts.stateless {
        served.server.clone().without_tasks()
    } else {
        served.server.clone()
    };
    let mcp = StreamableHttpService::new(
        move || Ok(server.clone()),
        Arc::new(LocalSessionManager::default()),
        config.clone(),
    );
    let token = opts.auth_token.clone().filter(|t| !t.is_empty());
    let gate = Arc::new(Gate {
        cookie_required: opts.session_passthrough
            && !addr.ip().is_loopback()
            && token.is_none()
            && opts.tokens.is_none(),
        shared_token: token,
        identities: served.identities.clone(),
        passthrough: opts.session_passthrough,
        metrics: served.metrics.clone(),
    });
    let metrics = served.metrics.clone();
    let draining = served.draining.clone();
    let router = Router::new()
        .nest_service("/mcp", mcp)
        .layer(middleware::from_fn_with_state(gate, gate::admit))
        .route("/healthz", axum::routing::get(|| async { "ok\n" }))
        .route(
            "/readyz",
            axum::routing::get(move || async move {
                if draining.load(Ordering::SeqCst) {
                    (StatusCode::SERVICE_UNAVAILABLE, "draining\n")
                } else {
                    (StatusCode::OK, "ready\n")
                }
            }),
        )
        .route(
            "/metrics",
            axum::routing::get(move || async move {
                (
                    [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
                    metrics.render(),
                )
                    .into_response()
            }),
        );
    (router, config)
}

/// Serves until SIGTERM or Ctrl-C, then drains.
pub async fn serve(served: Served, addr: SocketAddr, opts: HttpOptions) -> Result<()> {
    validate(addr, &opts)?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot bind {addr}"))?;
    let local = listener.local_addr()?;
    let (router, config) = router(&served, local, &opts);
    served.identities.watch();
    tracing::info!(
        stateless = opts.stateless,
        tokens = served.identities.tokens().len(),
        "serving MCP at http://{local}/mcp (health: /healthz, metrics: /metrics)"
    );
    eprintln!("coroot-mcp: serving MCP at http://{local}/mcp");

    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        termination().await;
        let _ = stop.send(true);
    });
    let mut signalled = stopped.clone();
    let mut server = tokio::spawn(
        axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = signalled.wait_for(|s| *s).await;
            })
            .into_future(),
    );
    tokio::select! {
        ended = &mut server => {
            return ended.context("HTTP server failed")?.context("HTTP server failed");
        }
        _ = stopped.wait_for(|s| *s) => {}
    }

    // New connections are refused from here on; the calls in flight may finish.
    served.draining.store(true, Ordering::SeqCst);
    let bound = Duration::from_secs_f64(opts.shutdown_timeout);
    let deadline = Instant::now() + bound;
    let waiting = served.metrics.in_flight();
    tracing::info!(
        calls_in_flight = waiting,
        "stopping: no new connections; letting calls in flight finish"
    );
    eprintln!("coroot-mcp: stopping; {waiting} call(s) in flight, waiting up to {bound:?}");
    while served.metrics.in_flight() > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let abandoned = served.metrics.in_flight();
    // Answers just computed still have to reach their clients: a moment for the connections
    // to close on their own before the sessions (and their open streams) are ended.
    if tokio::time::timeout(Duration::from_secs(1), &mut server).await.is_err() {
        config.cancellation_token.cancel();
        let _ = tokio::time::timeout(Duration::from_secs(2), &mut server).await;
        server.abort();
    }
    if abandoned > 0 {
        tracing::warn!(calls = abandoned, "stopped with calls still running after {bound:?}");
        eprintln!("coroot-mcp: stopped; {abandoned} call(s) did not finish within {bound:?}");
    } else {
        eprintln!("coroot-mcp: stopped");
    }
    Ok(())
}

/// SIGTERM (what Kubernetes and Docker send) or Ctrl-C.
async fn termination() {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        let term = async {
            match term.as_mut() {
                Some(t) => {
                    t.recv().await;
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = term => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposed_servers_need_a_token() {
        let public: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        let local: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        assert!(
            validate(public, &HttpOptions::default())
                .unwrap_err()
                .to_string()
                .contains("--auth-token")
        );
        assert!(validate(local, &HttpOptions::default()).is_ok());
        let short = HttpOptions {
            auth_token: Some("abc".into()),
            ..Default::default()
        };
        assert!(validate(public, &short).is_err());
        let good = HttpOptions {
            auth_token: Some("0123456789abcdef".into()),
            ..Default::default()
        };
        assert!(validate(public, &good).is_ok());
    }

    #[test]
    fn debug_hides_the_token() {
        let opts = HttpOptions {
            auth_token: Some("tok-0123456789abcdef".into()),
            ..Default::default()
        };
        assert!(!format!("{opts:?}").contains("tok-0123456789abcdef"));
    }
}
