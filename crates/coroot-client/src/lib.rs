//! Typed async client for Coroot's HTTP API.
//!
//! Coroot's API is the internal one its UI uses: session-cookie auth, a `{context, data}`
//! envelope, string statuses and `null` lists. This crate hides all of that behind typed
//! methods and [`Error`]s that say what went wrong and what to do.
//!
//! ```no_run
//! # async fn demo() -> coroot_client::Result<()> {
//! use coroot_client::{Client, ClientConfig, TimeRange};
//! let client = Client::new(ClientConfig::new("http://coroot:8080").with_password("admin", "secret"))?;
//! let project = client.resolve_project(None).await?;
//! let apps = client.applications(&project.id, TimeRange::last_hours(1_700_000_000_000, 1.0)).await?;
//! # Ok(()) }
//! ```
//!
//! Modules, each depending only on those listed after it:
//! - `api`: one [`Client`] method per endpoint, and project discovery;
//! - `client`: the [`Client`] handle, wiring a GET through the caches and the session;
//! - `tape` (feature `bench` only): GET bodies recorded and replayed, for benchmarks;
//! - `cache`: the project and application-id caches, and one request for concurrent
//!   identical GETs;
//! - `session`: the login, its `coroot_session` cookie, one login in flight, one fresh login
//!   when Coroot refuses the cookie;
//! - `transport`: HTTP, retries with backoff, the body cap, Coroot's answers mapped to
//!   [`Error`]s;
//! - `version`: Coroot's release, read once from the index page;
//! - `models` (response types), `query` (the JSON queries of logs and traces), `ids` (app
//!   ids, time ranges, path encoding), `config`, `error`, `secret`, `de` (tolerant decoding).

mod api;
mod cache;
mod client;
mod config;
mod de;
mod error;
mod ids;
pub mod models;
pub mod query;
mod secret;
mod session;
#[cfg(feature = "bench")]
mod tape;
mod transport;
mod version;

pub use api::{AppIds, ServerInfo};
pub use client::Client;
pub use config::{ClientConfig, Credentials, Observer};
pub use error::{Error, Object, Result};
pub use ids::{AppId, AppIdParts, TimeRange, encode_segment};
pub use models::Status;
pub use query::{AppLogQuery, LogFilter, OverviewLogQuery, TraceQuery, TraceView, normalize_severity, panel_query};
pub use secret::Secret;
pub use version::Version;
