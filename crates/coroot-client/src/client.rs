//! The [`Client`] handle: one transport, one session and one set of caches, shared by every
//! clone, wired together for a GET (and, with the `bench` feature, the tape that records or
//! replays GETs). Endpoints live in `api.rs`.

use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::cache::{Body, Cache, flight_key};
use crate::config::{ClientConfig, Credentials};
use crate::error::{Error, Result};
use crate::session::Session;
#[cfg(feature = "bench")]
use crate::tape::Tape;
use crate::transport::{Auth, Request, Transport};
use crate::version::Version;

/// A Coroot API client. Cheap to clone: clones share the HTTP pool, the session and caches.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    session: Session,
    cache: Cache,
    /// The server's version, once read (`None` inside when its page does not say).
    version: tokio::sync::OnceCell<Option<Version>>,
    /// Recorded bodies to answer GETs from, or a recording in progress.
    #[cfg(feature = "bench")]
    tape: Tape,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("url", &self.base_url())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Builds a client. Nothing is sent until the first call.
    pub fn new(config: ClientConfig) -> Result<Self> {
        let transport = Transport::new(config)?;
        let config = transport.config();
        if let Credentials::Password { email, password } = &config.credentials
            && (email.trim().is_empty() || password.is_empty())
        {
            return Err(Error::Config(
                "both COROOT_EMAIL and COROOT_PASSWORD must be set for a password login".into(),
            ));
        }
        let cache = Cache::new(
            config.projects_ttl,
            config.app_ids_ttl,
            config.response_ttl,
            config.response_cache_bytes,
        );
        Ok(Client {
            inner: Arc::new(Inner {
                transport,
                session: Session::default(),
                cache,
                version: tokio::sync::OnceCell::new(),
                #[cfg(feature = "bench")]
                tape: Tape::default(),
            }),
        })
    }

    /// The base URL in use (no trailing slash).
    pub fn base_url(&self) -> &str {
        self.inner.transport.base()
    }

    /// The configuration the client was built with.
    pub fn config(&self) -> &ClientConfig {
        self.inner.transport.config()
    }

    /// The configured request timeout.
    pub fn timeout(&self) -> Duration {
        self.config().timeout
    }

    /// True once a session cookie is held.
    pub fn has_session(&self) -> bool {
        self.inner.session.is_open()
    }

    /// Forgets the cached application ids of `project`.
    pub fn forget_app_ids(&self, project: &str) {
        self.inner.cache.forget_app_ids(project);
    }

    /// GETs `path` and returns the raw body: the escape hatch for endpoints not modelled here,
    /// and the baseline for measuring how much smaller the tools' output is.
    pub async fn get_raw(&self, path: &str, query: &[(&str, String)]) -> Result<Vec<u8>> {
        let req = Request::new(path, query, Auth::Session);
        let body = self.get_bytes(req, &flight_key(req)).await?;
        Ok(Arc::try_unwrap(body).unwrap_or_else(|shared| shared.as_ref().clone()))
    }

    /// GETs `req` and decodes its JSON. Only a body that decodes is kept for the response
    /// TTL: a truncated or malformed answer must not be served again.
    pub(crate) async fn get_json<T: DeserializeOwned>(&self, req: Request<'_>) -> Result<T> {
        let key = flight_key(req);
        let body = self.get_bytes(req, &key).await?;
        let decoded = self.inner.transport.decode(req.path, &body)?;
        self.inner.cache.store_response(&key, &body);
        Ok(decoded)
    }

    /// GETs `req`, coalescing concurrent identical requests (same path, query and kind of
    /// credentials): one request goes out, and every caller gets its body or its error. A body
    /// that came back and decoded moments ago answers again (see
    /// [`ClientConfig::response_ttl`]).
    async fn get_bytes(&self, req: Request<'_>, key: &str) -> Result<Body> {
        let inner = &self.inner;
        #[cfg(feature = "bench")]
        if let Some(replayed) = inner.tape.replay(key, req.path) {
            return replayed;
        }
        if let Some(body) = inner.cache.response(key) {
            return Ok(body);
        }
        let fetch = async { inner.session.get(&inner.transport, req).await.map(Arc::new) };
        let result = inner.cache.coalesce(key, fetch).await;
        #[cfg(feature = "bench")]
        if let Ok(body) = &result {
            inner.tape.record(key, body);
        }
        result
    }

    /// The server's version, read from its index page on first use and kept: what Coroot
    /// serves depends on it. `None` when the page does not say (or could not be read; that
    /// is tried again on the next call).
    pub async fn version(&self) -> Option<Version> {
        let read = self
            .inner
            .version
            .get_or_try_init(|| async {
                let info = self.server_info().await?;
                Ok::<_, Error>(info.version.as_deref().and_then(Version::parse))
            })
            .await;
        read.ok().copied().flatten()
    }

    /// The caches, for the endpoints that keep what they fetched.
    pub(crate) fn cache(&self) -> &Cache {
        &self.inner.cache
    }

    /// A GET of an absolute URL without credentials or the API guards (the index page is HTML
    /// by design): status and body text, the body capped like any other.
    pub(crate) async fn fetch_text(&self, url: &str, endpoint: &str) -> Result<(u16, String)> {
        self.inner.transport.fetch_text(url, endpoint).await
    }
}

/// Benchmark support: running the tools on recorded Coroot bodies.
#[cfg(feature = "bench")]
impl Client {
    /// A client that answers every GET from `bodies` (keyed like [`Client::recording`]'s
    /// entries) and never touches the network. A GET not in `bodies` fails with a transport
    /// error.
    pub fn replaying(config: ClientConfig, bodies: impl IntoIterator<Item = (String, Vec<u8>)>) -> Result<Self> {
        let mut client = Client::new(config)?;
        match Arc::get_mut(&mut client.inner) {
            Some(inner) => inner.tape = Tape::replaying(bodies),
            None => return Err(Error::Config("replaying client is shared".into())),
        }
        Ok(client)
    }

    /// Starts recording the body of every successful GET (`true`), or stops and returns what
    /// was recorded, as `(key, body)` in request order (`false`).
    pub fn recording(&self, on: bool) -> Vec<(String, Vec<u8>)> {
        self.inner.tape.switch(on)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_login_needs_both_values() {
        let cfg = ClientConfig::new("http://x").with_password("admin", "");
        assert!(matches!(Client::new(cfg), Err(Error::Config(_))));
    }

    #[test]
    fn user_info_in_the_url_shows_neither_in_the_base_url_nor_in_debug() {
        let client = Client::new(ClientConfig::new("http://u:pw-123456@h:1")).unwrap();
        assert_eq!(client.base_url(), "http://h:1");
        assert!(!format!("{client:?}").contains("pw-123456"));
    }
}
