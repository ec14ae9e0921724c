//! Streamable HTTP: MCP at `/mcp`, liveness at `/healthz`.
//!
//! Loopback by default. Host and Origin are checked so a web page cannot reach a local server
//! through DNS rebinding, and a bearer token (required off loopback) guards `/mcp`.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context as _, Result, bail};
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};

use super::handler::CorootMcp;

/// HTTP transport options, as `serve` flags. `Debug` hides the token.
#[derive(Clone, Default, clap::Args)]
// The field docs are also the `--help` text, which shows a URL as typed, not as a link.
#[allow(rustdoc::bare_urls)]
pub struct HttpOptions {
    /// Bearer token required on /mcp (required when not bound to loopback).
    #[arg(long, env = "COROOT_MCP_AUTH_TOKEN", hide_env_values = true)]
    pub auth_token: Option<String>,
    /// Accepted Host header values (comma separated).
    // Empty means the defaults: loopback names when bound to loopback, any name otherwise.
    #[arg(long, env = "COROOT_MCP_ALLOWED_HOSTS", value_delimiter = ',')]
    pub allowed_hosts: Vec<String>,
    /// Accepted Origin header values (comma separated, with scheme, e.g. https://app.example.com:443).
    // Empty means local origins only when bound to loopback.
    #[arg(long, env = "COROOT_MCP_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,
}

impl std::fmt::Debug for HttpOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpOptions")
            .field("auth_token", &self.auth_token.as_ref().map(|_| "***"))
            .field("allowed_hosts", &self.allowed_hosts)
            .field("allowed_origins", &self.allowed_origins)
            .finish()
    }
}

/// Checks the options against the bind address; an exposed server without a token is refused.
pub fn validate(addr: SocketAddr, opts: &HttpOptions) -> Result<()> {
    if !addr.ip().is_loopback() && opts.auth_token.as_deref().is_none_or(str::is_empty) {
        bail!(
            "refusing to serve on {addr} without a bearer token: set --auth-token (or COROOT_MCP_AUTH_TOKEN), or bind to 127.0.0.1"
        );
    }
    if opts.auth_token.as_deref().is_some_and(|t| t.len() < 16) {
        bail!("--auth-token must be at least 16 characters");
    }
    Ok(())
}

/// The router: `/mcp` and `/healthz`.
pub fn router(server: CorootMcp, addr: SocketAddr, opts: &HttpOptions) -> Router {
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
    let mcp = StreamableHttpService::new(
        move || Ok(server.clone()),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    let token: Arc<Option<String>> = Arc::new(opts.auth_token.clone().filter(|t| !t.is_empty()));
    Router::new()
        .nest_service("/mcp", mcp)
        .layer(middleware::from_fn_with_state(token, require_token))
        .route("/healthz", axum::routing::get(|| async { "ok\n" }))
}

async fn require_token(State(token): State<Arc<Option<String>>>, request: Request, next: Next) -> Response {
    let Some(expected) = token.as_deref() else {
        return next.run(request).await;
    };
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match given {
        Some(given) if constant_time_eq(given.as_bytes(), expected.as_bytes()) => next.run(request).await,
        _ => (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "missing or wrong bearer token: send 'Authorization: Bearer <token>'\n",
        )
            .into_response(),
    }
}

/// Compares without leaking, through timing, how much of the token matched.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Serves until Ctrl-C.
pub async fn serve(server: CorootMcp, addr: SocketAddr, opts: HttpOptions) -> Result<()> {
    validate(addr, &opts)?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot bind {addr}"))?;
    let local = listener.local_addr()?;
    tracing::info!("serving MCP at http://{local}/mcp (health: /healthz)");
    eprintln!("coroot-mcp: serving MCP at http://{local}/mcp");
    axum::serve(listener, router(server, local, &opts))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("HTTP server failed")
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

    #[test]
    fn token_comparison() {
        assert!(constant_time_eq(b"secret-token", b"secret-token"));
        assert!(!constant_time_eq(b"secret-token", b"secret-tokeN"));
        assert!(!constant_time_eq(b"short", b"longer"));
    }
}
