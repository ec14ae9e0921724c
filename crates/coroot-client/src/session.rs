//! The login session: `POST /api/login` and its `coroot_session` cookie, reused by every call;
//! one login in flight however many calls need it, and one fresh login when Coroot refuses a
//! cookie it issued (it restarted with a new secret, or the user was re-created). A cookie
//! given by the user (SSO logins have no password) is sent as it is and never renewed.

use std::sync::RwLock;

use reqwest::header::SET_COOKIE;
use reqwest::{Method, StatusCode};

use crate::config::Credentials;
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::transport::{Auth, Request, SESSION_COOKIE, Transport, is_html, looks_like_html, text_message};

/// The session of one client, shared by its clones.
#[derive(Default)]
pub(crate) struct Session {
    state: RwLock<State>,
    /// Held while logging in, so concurrent callers share one login.
    login_lock: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct State {
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

impl Session {
    /// True once a session cookie is held.
    pub(crate) fn is_open(&self) -> bool {
        self.state.read().is_ok_and(|s| s.cookie.is_some())
    }

    /// One GET with session handling: logs in when needed and once more on a rejected session.
    pub(crate) async fn get(&self, transport: &Transport, req: Request<'_>) -> Result<Vec<u8>> {
        let has_credentials = matches!(transport.config().credentials, Credentials::Password { .. });
        let mut relogged = false;
        let mut seen_generation = None;
        loop {
            let cookie = match req.auth {
                Auth::Session => {
                    let (cookie, generation) = self.cookie(transport, seen_generation).await?;
                    seen_generation = Some(generation);
                    cookie
                }
                _ => None,
            };
            let response = transport.send(Method::GET, req, cookie.as_ref(), None).await?;
            let status = response.status();
            let html = is_html(&response);
            let body = transport.read_body(response, req.path).await?;
            if status == StatusCode::UNAUTHORIZED {
                let message = text_message(&body);
                if message == "set_admin_password" {
                    return Err(Error::AdminPasswordNotSet);
                }
                if req.auth == Auth::Session && has_credentials && !relogged {
                    // The cookie was invalidated (Coroot restarted with a new secret, or the
                    // user was re-created): log in again once, then retry.
                    tracing::debug!(endpoint = req.path, "session rejected, logging in again");
                    relogged = true;
                    continue;
                }
                let hint = match transport.config().credentials {
                    Credentials::Password { .. } => {
                        "the login succeeded but the session was refused; check the user still exists"
                    }
                    Credentials::SessionCookie(_) => {
                        "Coroot refused the session cookie (it expired, or the user signed out); sign in to Coroot again and pass the new coroot_session cookie"
                    }
                    Credentials::Anonymous => {
                        "set COROOT_EMAIL and COROOT_PASSWORD, or COROOT_SESSION_COOKIE (this Coroot does not allow anonymous access)"
                    }
                };
                return Err(Error::Unauthorized {
                    endpoint: req.path.to_string(),
                    hint,
                });
            }
            return transport.check(status, html, req, body);
        }
    }

    /// Returns the session cookie to send, logging in when there is none or when the caller's
    /// cookie (of generation `stale`) was rejected and nobody has logged in since.
    async fn cookie(&self, transport: &Transport, stale: Option<u64>) -> Result<(Option<Secret>, u64)> {
        let (email, password) = match &transport.config().credentials {
            Credentials::Password { email, password } => (email, password),
            // A cookie from the user's browser: sent as it is, never renewed here.
            Credentials::SessionCookie(cookie) => return Ok((Some(cookie.clone()), 0)),
            Credentials::Anonymous => return Ok((None, 0)),
        };
        let usable = |s: &State| s.cookie.is_some() && stale.is_none_or(|g| g != s.generation);
        if let Some(found) = self.read(usable) {
            return Ok(found);
        }
        let attempts_seen = self.state.read().map_err(|_| poisoned())?.attempts;
        let _guard = self.login_lock.lock().await;
        let attempt = {
            let mut state = self.state.write().map_err(|_| poisoned())?;
            if usable(&state) {
                return Ok((state.cookie.clone(), state.generation));
            }
            // A login was tried while this call waited, and failed (wrong password, Coroot
            // hanging): its answer is this call's too. Trying again at once would send one
            // login per waiting call, and a hanging Coroot would cost each a timeout in turn.
            if let Some((attempt, error)) = &state.failed
                && *attempt > attempts_seen
            {
                return Err(error.clone());
            }
            state.attempts += 1;
            state.attempts
        };
        let outcome = login(transport, email, password).await;
        if let Some(observer) = &transport.config().observer {
            observer.login(outcome.is_ok());
        }
        let mut state = self.state.write().map_err(|_| poisoned())?;
        match outcome {
            Ok(cookie) => {
                state.cookie = Some(cookie.clone());
                state.generation += 1;
                state.failed = None;
                Ok((Some(cookie), state.generation))
            }
            Err(error) => {
                state.failed = Some((attempt, error.clone()));
                Err(error)
            }
        }
    }

    fn read(&self, usable: impl Fn(&State) -> bool) -> Option<(Option<Secret>, u64)> {
        let state = self.state.read().ok()?;
        usable(&state).then(|| (state.cookie.clone(), state.generation))
    }
}

/// `POST /api/login`; returns the `coroot_session` cookie.
async fn login(transport: &Transport, email: &str, password: &Secret) -> Result<Secret> {
    let path = "/api/login";
    let body = serde_json::json!({"email": email, "password": password.expose()}).to_string();
    let response = transport
        .send(Method::POST, Request::new(path, &[], Auth::None), None, Some(body))
        .await?;
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
    let body = transport.read_body(response, path).await?;
    match status.as_u16() {
        200..=299 if html || looks_like_html(&body) => Err(transport.not_coroot(path)),
        200..=299 => {
            tracing::debug!("logged in to Coroot");
            cookie.ok_or_else(|| Error::Api {
                status: status.as_u16(),
                endpoint: path.into(),
                message: "login succeeded but no coroot_session cookie came back; is a proxy stripping cookies?".into(),
            })
        }
        // Coroot's wrong-password 404 always says "Invalid email or password."; any other
        // 404 (Go's "404 page not found", a proxy's page) comes from a server that is not
        // Coroot, and must not read as a credentials problem.
        404 if !text_message(&body)
            .to_ascii_lowercase()
            .contains("invalid email or password") =>
        {
            Err(transport.not_coroot(path))
        }
        // A first-run server also rejects every password until the admin one is set,
        // which /api/user tells apart.
        404 | 400 => Err(first_run_or(transport, Error::InvalidCredentials).await),
        401 if text_message(&body) == "set_admin_password" => Err(Error::AdminPasswordNotSet),
        code => Err(Error::Api {
            status: code,
            endpoint: path.into(),
            message: text_message(&body),
        }),
    }
}

/// [`Error::AdminPasswordNotSet`] when `/api/user` says so, else `otherwise`.
async fn first_run_or(transport: &Transport, otherwise: Error) -> Error {
    let probe = Request::new("/api/user", &[], Auth::None);
    let Ok(response) = transport.send(Method::GET, probe, None, None).await else {
        return otherwise;
    };
    if response.status() == StatusCode::UNAUTHORIZED
        && let Ok(body) = transport.read_body(response, probe.path).await
        && text_message(&body) == "set_admin_password"
    {
        return Error::AdminPasswordNotSet;
    }
    otherwise
}

fn poisoned() -> Error {
    Error::Transport {
        endpoint: "/api/login".into(),
        reason: "internal session state is unusable".into(),
    }
}
