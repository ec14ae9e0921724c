//! The door of `/mcp`: decides who each HTTP request runs as, or refuses it with 401 and a
//! `WWW-Authenticate` header.
//!
//! A bearer token from the token file names a person; the shared `--auth-token` names the
//! server's own identity; with pass-through on, a Coroot session cookie in `X-Coroot-Session`
//! makes the call run as that Coroot user. Tokens are looked up on every request, so a token
//! removed from the file is refused from the next request on, even inside an open MCP
//! session.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::identity::{Caller, Identities, SESSION_HEADER, constant_time_eq};
use super::metrics::Metrics;

/// What the door checks against.
pub struct Gate {
    /// The shared token (`--auth-token`), if any.
    pub shared_token: Option<String>,
    /// The people of the token file, and every identity's client.
    pub identities: Arc<Identities>,
    /// Whether a caller may pass its own Coroot session cookie.
    pub passthrough: bool,
    /// Whether a request must carry a session cookie when it carries no token (pass-through
    /// is the only way in: exposed, with no token configured).
    pub cookie_required: bool,
    /// Where refusals are counted.
    pub metrics: Arc<Metrics>,
}

/// The middleware: puts the [`Caller`] on the request, or answers 401.
pub async fn admit(State(gate): State<Arc<Gate>>, mut request: Request, next: Next) -> Response {
    let headers = request.headers();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let cookie = headers
        .get(SESSION_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|c| gate.passthrough && !c.is_empty())
        .map(str::to_string);
    let tokens = gate.identities.tokens();
    let person = bearer.and_then(|b| tokens.find(b)).cloned();
    let shared = match (&gate.shared_token, bearer) {
        (Some(expected), Some(given)) => constant_time_eq(expected.as_bytes(), given.as_bytes()),
        _ => false,
    };
    let bearer_required = gate.shared_token.is_some() || gate.identities.has_token_file();
    if bearer_required && person.is_none() && !shared {
        return refuse(&gate, bearer.is_some(), false);
    }
    if gate.cookie_required && !bearer_required && cookie.is_none() {
        return refuse(&gate, false, true);
    }
    let caller = match (&cookie, &person) {
        (Some(cookie), _) => {
            let name: Arc<str> = Arc::from(person.as_ref().map_or("pass-through", |p| p.name.as_str()));
            gate.identities.passthrough(name, cookie)
        }
        (None, Some(person)) => gate.identities.person(person),
        (None, None) => Ok(gate.identities.default_caller()),
    };
    let caller: Caller = match caller {
        Ok(c) => c,
        Err(e) => {
            return (StatusCode::BAD_REQUEST, format!("cannot act as this caller: {e:#}\n")).into_response();
        }
    };
    request.extensions_mut().insert(caller);
    next.run(request).await
}

/// 401 with the header RFC 6750 asks for, and a body that says what to send.
fn refuse(gate: &Gate, token_given: bool, cookie_missing: bool) -> Response {
    gate.metrics.unauthorized();
    let (challenge, body) = if cookie_missing {
        (
            "Bearer realm=\"coroot-mcp\"",
            "no Coroot session: send your Coroot session cookie in the X-Coroot-Session header (the value of coroot_session from a browser signed in to Coroot)\n",
        )
    } else if token_given {
        (
            "Bearer realm=\"coroot-mcp\", error=\"invalid_token\"",
            "unknown or revoked bearer token; ask the server's admin for a token, then send 'Authorization: Bearer <token>'\n",
        )
    } else {
        (
            "Bearer realm=\"coroot-mcp\"",
            "missing bearer token: send 'Authorization: Bearer <token>' with a token the server's admin gave you\n",
        )
    };
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge))],
        body,
    )
        .into_response()
}
