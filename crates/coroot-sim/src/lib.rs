//! A Coroot API simulator: serves Coroot v1.24.5's HTTP wire format (login and session
//! cookies, the `{context, data}` envelope, overview views, incidents, application and node
//! audit reports, logs, traces, panel data and Prometheus `query_range`) from its own
//! deterministic scenario data, with request recording and fault injection for tests.
//!
//! It is an independent oracle: every body is built from scenario data with
//! `serde_json::json!`, never from a client crate's types.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use coroot_sim::{Fault, FaultRule, Scenario, SimConfig, Simulator};
//! let sim = Simulator::start(Scenario::ecommerce(), SimConfig { now_ms: Some(1_700_000_000_000), ..SimConfig::default() }).await?;
//! // POST {base}/api/login {"email":"admin","password":"sim-password"} → coroot_session cookie.
//! sim.inject(FaultRule { path_contains: "/overview/".into(), fault: Fault::Html, times: Some(1) });
//! println!("{} {}", sim.base_url(), sim.requests().len());
//! sim.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Behaviour worth knowing when writing tests against it:
//! * Time windows follow §5 (`from`/`to`, default the last hour; step 30 s raised for long
//!   ranges, strictly: exactly 6 h still uses 1 m). Logs, traces, deployments and the
//!   `Deployments` report only include data inside the window; the incidents list does not.
//! * Application logs are container (agent) logs with ServiceName `/k8s/<ns>/<name>`;
//!   Kubernetes events are OTel logs (`service.name = KubernetesEvents`), so the overview
//!   returns them only with `"otel": true` and app logs never do.
//! * `panel/data` and `/api/v1/query_range` do not evaluate PromQL: they check bracket
//!   balance, quotes and dangling operators, pick the first known metric name and its
//!   `{...}` matchers, honour `rate`-style functions and one `sum|avg|max|min|count by/without`.
//! * Application `status` values are the scenario's own (see [`Scenario::ecommerce`]),
//!   not recomputed from the SLO/Instances/Postgres/Redis reports only.
//!
//! Layout (files depend one way: `server` → `render` → `http`, `world`, `util`; `server` →
//! `scenario` → `world`; nothing depends on `lib.rs` or `server`):
//! * `config`: [`SimConfig`] and [`Auth`].
//! * `server`: the axum server that records each request, applies faults, authenticates
//!   and routes like Coroot; [`Simulator`] is its handle.
//! * `http`: [`RecordedRequest`] and a route's reply, shared by the server and the renderers.
//! * `faults`: [`FaultRule`] and [`Fault`], and which rule a request meets.
//! * `scenario`: [`Scenario`] recipes: `ecommerce/` (`plot`: variants, ids and when things
//!   happen; `cluster`: nodes, apps, links, risks; `incidents`: incidents and rollouts;
//!   `metrics`: the metric stories; `logs`; `traces`) and `synthetic` ([`SyntheticSpec`]).
//! * `world`: the materialised projects the renderers read; `model`: Coroot's audit checks,
//!   statuses and log severities.
//! * `render`: Coroot's JSON per view (`overview`, `app`, `node`, `incidents`, `logs`,
//!   `traces`), with `metrics/` (`series`: generated values, `promql`: the query subset,
//!   `mod`: `panel/data` and `query_range`).
//! * `util`: time windows and steps, Go-style JSON, query decoding, the tiny regex, number
//!   and date formatting; `prng`: the deterministic generator.
//! * `testing` (cargo feature `testing`, off by default): the kit other crates' tests share,
//!   the fixed clock `NOW_MS` and `assert_no_secret`.

mod config;
mod faults;
mod gofmt;
mod http;
mod model;
mod prng;
mod render;
mod scenario;
mod server;
mod sha256;
#[cfg(feature = "testing")]
pub mod testing;
mod util;
mod version;
mod world;

pub use config::{Auth, ProjectHealth, PrometheusHealth, SimConfig};
pub use faults::{Fault, FaultRule};
pub use http::RecordedRequest;
pub use scenario::{Scenario, SyntheticSpec};
pub use server::Simulator;
