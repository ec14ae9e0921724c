//! Who a request over HTTP runs as. A token file maps each bearer token to a person's name and
//! the Coroot credentials to use for them, so that Coroot's own RBAC decides what each person
//! sees; a caller may instead pass its own Coroot session cookie (pass-through). Every Coroot
//! identity gets its own client: its own login, session, project list and caches, so nothing
//! fetched for one person is served to another.
//!
//! The token file is TOML:
//!
//! ```toml
//! [[tokens]]
//! name = "alice"                  # shown in logs
//! token = "…at least 16 characters…"
//! email = "alice@example.com"     # Coroot login…
//! password = "…"
//! [[tokens]]
//! name = "bob"
//! token = "…"
//! session_cookie = "…"            # …or a Coroot session cookie (SSO users)
//! [[tokens]]
//! name = "ci"
//! token = "…"                     # neither: the server's own Coroot credentials
//! ```
//!
//! It is read again on SIGHUP and when it changes; a file that no longer parses leaves the
//! previous tokens in force. Clients of identities whose credentials did not change are kept,
//! so a reload logs nobody out.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Instant, SystemTime};

use anyhow::{Context as _, Result, anyhow, bail};
use coroot_client::{Credentials, Secret};
use coroot_tools::ToolContext;
use serde::Deserialize;

use super::metrics::Metrics;

/// The header a caller puts its own Coroot session cookie in, with pass-through on.
pub const SESSION_HEADER: &str = "x-coroot-session";

/// At most this many pass-through sessions keep a client; the least recently used goes first.
const MAX_PASSTHROUGH: usize = 512;

/// How often the token file's modification time is looked at.
pub const POLL_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// One entry of the token file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    token: String,
    email: Option<String>,
    password: Option<String>,
    session_cookie: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    tokens: Vec<Entry>,
}

/// A person the token file names.
#[derive(Clone)]
pub struct Person {
    /// The name logs show.
    pub name: String,
    token: Secret,
    /// The Coroot credentials; `None`: the server's own.
    credentials: Option<Credentials>,
}

/// The tokens in force.
#[derive(Default)]
pub struct Tokens {
    people: Vec<Person>,
}

impl Tokens {
    /// Parses a token file's text; errors name the entry and the problem, never a token.
    pub fn parse(text: &str, path: &Path) -> Result<Tokens> {
        if matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
            bail!(
                "token file {} is YAML; write it as TOML ([[tokens]] entries with name, token and email/password or session_cookie)",
                path.display()
            );
        }
        let file: File =
            toml::from_str(text).map_err(|e| anyhow!("token file {} is invalid: {}", path.display(), e.message()))?;
        let mut people: Vec<Person> = Vec::new();
        for (i, e) in file.tokens.into_iter().enumerate() {
            let which = if e.name.trim().is_empty() {
                format!("entry {} of {}", i + 1, path.display())
            } else {
                format!("entry '{}' of {}", e.name, path.display())
            };
            if e.name.trim().is_empty() {
                bail!("{which} has no name; give every token a name (it is what logs show)");
            }
            if e.token.trim().len() < 16 {
                bail!("{which}: the token must be at least 16 characters (e.g. openssl rand -hex 24)");
            }
            if people.iter().any(|p| p.name == e.name) {
                bail!("{which}: the name is used twice; names must be unique");
            }
            if people.iter().any(|p| p.token.expose() == e.token.trim()) {
                bail!("{which}: its token is also another entry's; tokens must be unique");
            }
            let cookie = e.session_cookie.filter(|c| !c.trim().is_empty());
            let credentials = match (e.email, e.password, cookie) {
                (None, None, None) => None,
                (Some(email), Some(password), None) if !email.trim().is_empty() && !password.is_empty() => {
                    Some(Credentials::Password {
                        email,
                        password: Secret::new(password),
                    })
                }
                (None, None, Some(cookie)) => Some(Credentials::session_cookie(&cookie)),
                _ => bail!(
                    "{which}: give either email and password, or session_cookie, or neither (the server's own login)"
                ),
            };
            people.push(Person {
                name: e.name,
                token: Secret::new(e.token.trim()),
                credentials,
            });
        }
        Ok(Tokens { people })
    }

    /// Reads and parses the token file at `path`.
    pub fn read(path: &Path) -> Result<Tokens> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("cannot read token file {}", path.display()))?;
        Tokens::parse(&text, path)
    }

    /// The person whose token is `given`. Every token is compared, each in constant time, so
    /// the time taken tells nothing about which token, or how much of one, matched.
    pub fn find(&self, given: &str) -> Option<&Person> {
        let mut found = None;
        for p in &self.people {
            if constant_time_eq(p.token.expose().as_bytes(), given.as_bytes()) {
                found = Some(p);
            }
        }
        found
    }

    /// How many tokens are in force.
    pub fn len(&self) -> usize {
        self.people.len()
    }
}

/// Compares without leaking, through timing, how much of a token matched.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Who a request runs as: a name for logs and the tool context with that person's client.
#[derive(Clone)]
pub struct Caller {
    /// The name logs show: the token's name, `pass-through`, or `default`.
    pub name: Arc<str>,
    /// Who owns what this caller starts (MCP tasks): only the same key may read or cancel
    /// it. Names alone do not tell pass-through callers apart, so theirs adds a keyed hash of
    /// the session cookie (the cookie itself is a secret and stays out of it).
    pub key: Arc<str>,
    /// The context whose client acts as this person.
    pub ctx: ToolContext,
}

impl Caller {
    /// The server's own identity, as stdio and HTTP without tokens run.
    pub fn default_for(ctx: ToolContext) -> Caller {
        Caller {
            name: Arc::from("default"),
            key: Arc::from("default"),
            ctx,
        }
    }
}

/// The clients of every identity, created on first use from the server's own client.
pub struct Identities {
    base: ToolContext,
    metrics: Arc<Metrics>,
    tokens: RwLock<Arc<Tokens>>,
    path: Option<PathBuf>,
    /// By person name: the credentials the client was made with, and the context.
    named: Mutex<HashMap<String, (Option<Credentials>, ToolContext)>>,
    /// By session cookie value, with when it was last used.
    passthrough: Mutex<HashMap<String, (Instant, ToolContext)>>,
    /// Keys the hash of a pass-through cookie in a caller's key, anew in every process.
    cookie_hash: RandomState,
}

impl Identities {
    /// Identities over `base` (the server's own Coroot context), with the tokens of `path`.
    pub fn new(base: ToolContext, metrics: Arc<Metrics>, path: Option<PathBuf>) -> Result<Self> {
        let tokens = match &path {
            Some(p) => Tokens::read(p)?,
            None => Tokens::default(),
        };
        Ok(Identities {
            base,
            metrics,
            tokens: RwLock::new(Arc::new(tokens)),
            path,
            named: Mutex::new(HashMap::new()),
            passthrough: Mutex::new(HashMap::new()),
            cookie_hash: RandomState::new(),
        })
    }

    /// The server's own identity.
    pub fn default_caller(&self) -> Caller {
        Caller::default_for(self.base.clone())
    }

    /// Whether a token file is in use.
    pub fn has_token_file(&self) -> bool {
        self.path.is_some()
    }

    /// The tokens in force now.
    pub fn tokens(&self) -> Arc<Tokens> {
        self.tokens.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Reads the token file again. On failure the tokens in force stay and the reason is
    /// returned; clients of people whose credentials did not change are kept.
    pub fn reload(&self) -> Result<usize> {
        let Some(path) = &self.path else { return Ok(0) };
        let outcome = Tokens::read(path);
        self.metrics.token_reload(outcome.is_ok());
        let tokens = outcome?;
        let n = tokens.len();
        let keep: HashMap<&str, Option<&Credentials>> = tokens
            .people
            .iter()
            .map(|p| (p.name.as_str(), p.credentials.as_ref()))
            .collect();
        {
            let mut named = self.named.lock().unwrap_or_else(PoisonError::into_inner);
            named.retain(|name, (creds, _)| keep.get(name.as_str()).is_some_and(|c| same(*c, creds.as_ref())));
        }
        *self.tokens.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(tokens);
        self.count();
        Ok(n)
    }

    /// The caller for `person`: their client, made on first use.
    pub fn person(&self, person: &Person) -> Result<Caller> {
        let name: Arc<str> = Arc::from(person.name.as_str());
        let key: Arc<str> = Arc::from(format!("token:{}", person.name));
        let Some(credentials) = &person.credentials else {
            return Ok(Caller {
                name,
                key,
                ctx: self.base.clone(),
            });
        };
        let mut named = self.named.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((creds, ctx)) = named.get(&person.name)
            && same(creds.as_ref(), Some(credentials))
        {
            return Ok(Caller {
                name,
                key,
                ctx: ctx.clone(),
            });
        }
        let ctx = self.context_for(credentials.clone())?;
        named.insert(person.name.clone(), (Some(credentials.clone()), ctx.clone()));
        drop(named);
        self.count();
        Ok(Caller { name, key, ctx })
    }

    /// The caller for a session cookie passed through by the client, named `name`.
    pub fn passthrough(&self, name: Arc<str>, cookie: &str) -> Result<Caller> {
        let credentials = Credentials::session_cookie(cookie);
        let Credentials::SessionCookie(secret) = &credentials else {
            bail!("not a session cookie");
        };
        let cookie = secret.expose().to_string();
        let key: Arc<str> = Arc::from(format!("{name}+session:{:016x}", self.cookie_hash.hash_one(&cookie)));
        let mut map = self.passthrough.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((used, ctx)) = map.get_mut(&cookie) {
            *used = Instant::now();
            return Ok(Caller {
                name,
                key,
                ctx: ctx.clone(),
            });
        }
        if map.len() >= MAX_PASSTHROUGH
            && let Some(oldest) = map.iter().min_by_key(|(_, (used, _))| *used).map(|(k, _)| k.clone())
        {
            map.remove(&oldest);
        }
        let ctx = self.context_for(credentials)?;
        map.insert(cookie, (Instant::now(), ctx.clone()));
        drop(map);
        self.count();
        Ok(Caller { name, key, ctx })
    }

    fn context_for(&self, credentials: Credentials) -> Result<ToolContext> {
        let client = self.base.client.with_credentials(credentials)?;
        Ok(ToolContext {
            client,
            ..self.base.clone()
        })
    }

    fn count(&self) {
        let named = self.named.lock().unwrap_or_else(PoisonError::into_inner).len();
        let passed = self.passthrough.lock().unwrap_or_else(PoisonError::into_inner).len();
        self.metrics.set_identities(1 + named + passed);
    }

    /// Reloads the token file on SIGHUP and whenever its modification time changes, until
    /// the process ends.
    pub fn watch(self: &Arc<Self>) {
        let Some(path) = self.path.clone() else { return };
        let me = self.clone();
        tokio::spawn(async move {
            let mut hangup = hangup();
            let mut seen = modified(&path);
            let mut tick = tokio::time::interval(POLL_EVERY);
            loop {
                let why = tokio::select! {
                    _ = tick.tick() => {
                        let now = modified(&path);
                        if now == seen { continue; }
                        seen = now;
                        "the file changed"
                    }
                    Some(()) = recv(&mut hangup) => "SIGHUP",
                };
                match me.reload() {
                    Ok(n) => tracing::info!(tokens = n, "token file reloaded ({why})"),
                    Err(e) => tracing::warn!("token file not reloaded ({why}); the previous tokens stay: {e:#}"),
                }
            }
        });
    }
}

/// Whether two sets of credentials are the same (so a client made with one serves the other).
fn same(a: Option<&Credentials>, b: Option<&Credentials>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(Credentials::Anonymous), Some(Credentials::Anonymous)) => true,
        (
            Some(Credentials::Password {
                email: e1,
                password: p1,
            }),
            Some(Credentials::Password {
                email: e2,
                password: p2,
            }),
        ) => e1 == e2 && p1 == p2,
        (Some(Credentials::SessionCookie(a)), Some(Credentials::SessionCookie(b))) => a == b,
        _ => false,
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

#[cfg(unix)]
type Hangup = Option<tokio::signal::unix::Signal>;
#[cfg(not(unix))]
type Hangup = ();

#[cfg(unix)]
fn hangup() -> Hangup {
    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok()
}
#[cfg(not(unix))]
fn hangup() -> Hangup {}

/// The next SIGHUP; never, where there are none.
#[cfg(unix)]
async fn recv(h: &mut Hangup) -> Option<()> {
    match h {
        Some(s) => s.recv().await,
        None => std::future::pending().await,
    }
}
#[cfg(not(unix))]
async fn recv(_: &mut Hangup) -> Option<()> {
    std::future::pending().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Tokens> {
        Tokens::parse(text, Path::new("tokens.toml"))
    }

    #[test]
    fn a_token_file_maps_tokens_to_people_and_credentials() {
        let t = parse(
            "[[tokens]]\nname = \"alice\"\ntoken = \"alice-token-0123456789\"\nemail = \"alice@x\"\npassword = \"pw-alice\"\n\
             [[tokens]]\nname = \"bob\"\ntoken = \"bob-token-0123456789ab\"\nsession_cookie = \"coroot_session=abc.def\"\n\
             [[tokens]]\nname = \"ci\"\ntoken = \"ci-token-0123456789abc\"\n",
        )
        .unwrap();
        assert_eq!(t.len(), 3);
        assert_eq!(t.find("alice-token-0123456789").unwrap().name, "alice");
        assert!(matches!(
            t.find("bob-token-0123456789ab").unwrap().credentials,
            Some(Credentials::SessionCookie(ref c)) if c.expose() == "abc.def"
        ));
        assert!(t.find("ci-token-0123456789abc").unwrap().credentials.is_none());
        assert!(t.find("alice-token-012345678X").is_none());
        assert!(t.find("").is_none());
    }

    #[test]
    fn bad_token_files_say_what_is_wrong_without_showing_a_token() {
        let cases = [
            ("[[tokens]]\nname = \"a\"\ntoken = \"short\"\n", "at least 16"),
            ("[[tokens]]\nname = \"\"\ntoken = \"0123456789abcdef\"\n", "no name"),
            (
                "[[tokens]]\nname = \"a\"\ntoken = \"0123456789abcdef\"\n[[tokens]]\nname = \"a\"\ntoken = \"0123456789abcdeg\"\n",
                "used twice",
            ),
            (
                "[[tokens]]\nname = \"a\"\ntoken = \"0123456789abcdef\"\n[[tokens]]\nname = \"b\"\ntoken = \"0123456789abcdef\"\n",
                "tokens must be unique",
            ),
            (
                "[[tokens]]\nname = \"a\"\ntoken = \"0123456789abcdef\"\nemail = \"x\"\n",
                "either email and password",
            ),
            (
                "[[tokens]]\nname = \"a\"\ntoken = \"0123456789abcdef\"\ntokn = \"x\"\n",
                "unknown field",
            ),
        ];
        for (text, expected) in cases {
            let err = format!("{:#}", parse(text).err().unwrap());
            assert!(err.contains(expected), "{err}");
            assert!(!err.contains("0123456789abcde"), "{err}");
        }
        let yaml = Tokens::parse("tokens: []", Path::new("t.yaml"))
            .err()
            .unwrap()
            .to_string();
        assert!(yaml.contains("write it as TOML"), "{yaml}");
    }

    /// What a caller starts (MCP tasks) is theirs by this key: pass-through callers share a
    /// name, so their keys must tell their cookies apart, without holding one.
    #[tokio::test]
    async fn callers_keys_tell_people_and_sessions_apart_without_a_secret() {
        let kit = coroot_tools::testing::ecommerce().await;
        let ids = Identities::new(kit.ctx.clone(), Arc::default(), None).unwrap();
        let name: Arc<str> = Arc::from("pass-through");
        let first = ids.passthrough(name.clone(), "cookie-of-alice-0123456789").unwrap();
        let again = ids.passthrough(name.clone(), "cookie-of-alice-0123456789").unwrap();
        let other = ids.passthrough(name, "cookie-of-bob-0123456789ab").unwrap();
        assert_eq!(first.key, again.key);
        assert_ne!(first.key, other.key);
        assert!(!first.key.contains("cookie-of-alice"), "{}", first.key);
        let tokens = parse("[[tokens]]\nname = \"ci\"\ntoken = \"ci-token-0123456789abc\"\n").unwrap();
        let ci = ids.person(tokens.find("ci-token-0123456789abc").unwrap()).unwrap();
        let keys = [&*ci.key, &*ids.default_caller().key, &*first.key];
        assert!(
            keys[0] != keys[1] && keys[1] != keys[2] && keys[0] != keys[2],
            "{keys:?}"
        );
    }

    #[test]
    fn token_comparison() {
        assert!(constant_time_eq(b"secret-token", b"secret-token"));
        assert!(!constant_time_eq(b"secret-token", b"secret-tokeN"));
        assert!(!constant_time_eq(b"short", b"longer"));
    }
}
