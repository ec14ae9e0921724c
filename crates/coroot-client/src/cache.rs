//! What a client keeps between calls: the project list and each project's application ids for
//! a short while, the GETs in flight, so that concurrent identical requests share one answer
//! (its body or its error) instead of each going to Coroot, and recent bodies for a few
//! seconds, so a request repeated soon after is answered without Coroot rebuilding its world.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::error::Result;
use crate::ids::AppId;
use crate::models::Project;
use crate::transport::Request;

/// A response body shared by every caller of a coalesced GET.
pub(crate) type Body = Arc<Vec<u8>>;

/// A cached value and when it was fetched.
type Stamped<T> = (Instant, T);

/// One GET in flight; the first caller to poll it sends the request.
type Flight = Arc<tokio::sync::OnceCell<Result<Body>>>;

/// The caches of one client, shared by its clones.
pub(crate) struct Cache {
    projects_ttl: Duration,
    app_ids_ttl: Duration,
    projects: Mutex<Option<Stamped<Arc<Vec<Project>>>>>,
    /// Application ids per project, reused for `app_ids_ttl`.
    app_ids: Mutex<HashMap<String, Stamped<Arc<Vec<AppId>>>>>,
    /// GETs in flight by [`flight_key`]: a caller asking for what is already being fetched
    /// waits for that answer (body or error) instead of sending its own request.
    inflight: Mutex<HashMap<String, Flight>>,
    /// Recent bodies by [`flight_key`].
    responses: Mutex<Responses>,
}

/// Recent response bodies, bounded in age and in bytes.
struct Responses {
    ttl: Duration,
    max_bytes: usize,
    bytes: usize,
    by_key: HashMap<String, Stamped<Body>>,
    /// Keys in the order they were stored, for eviction.
    order: VecDeque<(Instant, String)>,
}

impl Responses {
    fn get(&self, key: &str) -> Option<Body> {
        let (at, body) = self.by_key.get(key)?;
        (at.elapsed() < self.ttl).then(|| body.clone())
    }

    fn forget(&mut self, matches: impl Fn(&str) -> bool) {
        let bytes = &mut self.bytes;
        self.by_key.retain(|key, (_, body)| {
            let keep = !matches(key);
            if !keep {
                *bytes -= body.len();
            }
            keep
        });
    }

    fn store(&mut self, key: &str, body: &Body) {
        if self.ttl.is_zero() || body.len() > self.max_bytes / 4 {
            return;
        }
        let now = Instant::now();
        if let Some((_, old)) = self.by_key.insert(key.to_string(), (now, body.clone())) {
            self.bytes -= old.len();
        }
        self.bytes += body.len();
        self.order.push_back((now, key.to_string()));
        // Expired first, then the oldest while over the bound. An order entry whose key was
        // stored again since is stale: only the matching stamp evicts.
        while let Some((at, _)) = self.order.front() {
            if at.elapsed() < self.ttl && self.bytes <= self.max_bytes {
                break;
            }
            let Some((at, key)) = self.order.pop_front() else { break };
            if self.by_key.get(&key).is_some_and(|(stored, _)| *stored == at)
                && let Some((_, body)) = self.by_key.remove(&key)
            {
                self.bytes -= body.len();
            }
        }
    }
}

impl Cache {
    /// Empty caches: the project list lives `projects_ttl`, application ids `app_ids_ttl`,
    /// response bodies `response_ttl` and at most `response_bytes` of them.
    pub(crate) fn new(
        projects_ttl: Duration,
        app_ids_ttl: Duration,
        response_ttl: Duration,
        response_bytes: usize,
    ) -> Self {
        Cache {
            projects_ttl,
            app_ids_ttl,
            projects: Mutex::new(None),
            app_ids: Mutex::new(HashMap::new()),
            inflight: Mutex::new(HashMap::new()),
            responses: Mutex::new(Responses {
                ttl: response_ttl,
                max_bytes: response_bytes,
                bytes: 0,
                by_key: HashMap::new(),
                order: VecDeque::new(),
            }),
        }
    }

    /// The body of the GET known by `key`, if one came back less than the response TTL ago.
    pub(crate) fn response(&self, key: &str) -> Option<Body> {
        self.responses.lock().unwrap_or_else(PoisonError::into_inner).get(key)
    }

    /// Keeps a successful GET's body for the response TTL.
    pub(crate) fn store_response(&self, key: &str, body: &Body) {
        self.responses
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .store(key, body);
    }

    /// The cached project list, while younger than `projects_ttl`.
    pub(crate) fn projects(&self) -> Option<Arc<Vec<Project>>> {
        let cache = self.projects.lock().ok()?;
        let (at, projects) = cache.as_ref()?;
        (at.elapsed() < self.projects_ttl).then(|| projects.clone())
    }

    pub(crate) fn store_projects(&self, projects: Vec<Project>) -> Arc<Vec<Project>> {
        let projects = Arc::new(projects);
        if let Ok(mut cache) = self.projects.lock() {
            *cache = Some((Instant::now(), projects.clone()));
        }
        projects
    }

    /// The cached application ids of `project`, while younger than `app_ids_ttl`.
    pub(crate) fn app_ids(&self, project: &str) -> Option<Arc<Vec<AppId>>> {
        let cache = self.app_ids.lock().ok()?;
        let (at, ids) = cache.get(project)?;
        (at.elapsed() < self.app_ids_ttl).then(|| ids.clone())
    }

    pub(crate) fn store_app_ids(&self, project: &str, ids: Vec<AppId>) -> Arc<Vec<AppId>> {
        let ids = Arc::new(ids);
        if let Ok(mut cache) = self.app_ids.lock() {
            let ttl = self.app_ids_ttl;
            cache.retain(|_, (at, _)| at.elapsed() < ttl);
            cache.insert(project.to_string(), (Instant::now(), ids.clone()));
        }
        ids
    }

    /// Forgets the cached application ids of `project`, and the recent answers they came
    /// from, so the next lookup asks Coroot.
    pub(crate) fn forget_app_ids(&self, project: &str) {
        if let Ok(mut cache) = self.app_ids.lock() {
            cache.remove(project);
        }
        let source = format!("/project/{project}/overview/applications");
        self.responses
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .forget(|key| key.contains(&source));
    }

    /// The answer of the GET known by `key`: `fetch` runs unless an identical GET is already
    /// in flight, whose answer is then shared. Only requests in flight are shared; nothing is
    /// kept once the answer is out.
    pub(crate) async fn coalesce<F>(&self, key: &str, fetch: F) -> Result<Body>
    where
        F: Future<Output = Result<Body>>,
    {
        // The map only ever gains or loses whole entries, so a poisoned lock still holds a
        // usable one.
        let flight = {
            let mut inflight = self.inflight.lock().unwrap_or_else(PoisonError::into_inner);
            inflight.entry(key.to_string()).or_default().clone()
        };
        let result = flight.get_or_init(|| fetch).await.clone();
        let mut inflight = self.inflight.lock().unwrap_or_else(PoisonError::into_inner);
        if inflight.get(key).is_some_and(|f| Arc::ptr_eq(f, &flight)) {
            inflight.remove(key);
        }
        result
    }
}

/// What makes two GETs identical: the kind of credentials, the path and the query, in order.
/// Values are percent-encoded so that no value can forge a separator.
pub(crate) fn flight_key(req: Request<'_>) -> String {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    let mut key = format!("{:?} {}", req.auth, req.path);
    for (i, (name, value)) in req.query.iter().enumerate() {
        key.push(if i == 0 { '?' } else { '&' });
        key.extend(utf8_percent_encode(name, NON_ALPHANUMERIC));
        key.push('=');
        key.extend(utf8_percent_encode(value, NON_ALPHANUMERIC));
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::Auth;

    #[test]
    fn flight_keys_tell_requests_apart() {
        let key = |path, query: &[(&str, String)], auth| flight_key(Request::new(path, query, auth));
        let q = |v: &str| vec![("query", v.to_string())];
        assert_eq!(key("/api/user", &[], Auth::Session), "Session /api/user");
        assert_ne!(
            key("/p", &q("a&b=c"), Auth::Session),
            key("/p", &[("query", "a".into()), ("b", "c".into())], Auth::Session)
        );
        assert_ne!(key("/p", &q("x"), Auth::Session), key("/p", &q("x"), Auth::ApiKey));
        assert_eq!(key("/p", &q("x y"), Auth::Session), "Session /p?query=x%20y");
    }
}
