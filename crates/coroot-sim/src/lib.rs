//! A Coroot API simulator: serves Coroot's HTTP wire format (login and session cookies, the
//! `{context, data}` envelope, overview views, incidents, alerts, application and node audit
//! reports, logs, tracing, profiling, panel data and Prometheus `query_range`) from its own
//! deterministic scenario data, as a chosen Coroot version (v1.12.0 to v1.24.5) with a chosen
//! project health, with request recording and fault injection for tests.
//!
//! It is an independent oracle: every body is built from scenario data with
//! `serde_json::json!`, never from a client crate's types, and every shape, status rule,
//! check, message and metric name follows Coroot's Go source (coroot/coroot; the renderers
//! cite the file and the version next to the code). `tests/fixtures/real-v1.24.5` holds
//! pruned answers of a real Coroot v1.24.5 the integration tests compare shapes with.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use coroot_sim::{Fault, FaultRule, PrometheusHealth, ProjectHealth, Scenario, SimConfig, Simulator};
//! let config = SimConfig {
//!     now_ms: Some(1_700_000_000_000),
//!     version: "1.17.4".into(),
//!     clickhouse: false,
//!     health: ProjectHealth { prometheus: PrometheusHealth::CacheLag { avg_ms: 600_000 }, ..ProjectHealth::default() },
//!     ..SimConfig::default()
//! };
//! let sim = Simulator::start(Scenario::ecommerce().with_cloud_rca(), config).await?;
//! // POST {base}/api/login {"email":"admin","password":"sim-password"} → coroot_session cookie.
//! sim.inject(FaultRule { path_contains: "/overview/".into(), fault: Fault::Html, times: Some(1) });
//! println!("{} {}", sim.base_url(), sim.requests().len());
//! sim.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Behaviour worth knowing when writing tests against it:
//! * Statuses are derived, never set: each app's checks come from the scenario's data
//!   (incidents → SLO checks with the first firing burn rate's message, instances → Instances,
//!   nodes → CPUNode, volumes → Storage, links → Net, DNS stats → DNS, container error logs →
//!   LogErrors) plus the checks a scenario makes fire (`render::audit`). An app's own status
//!   (service map, app page, app-map peers) is the worst of its SLO, Instances, Postgres and
//!   Redis reports (auditor/auditor.go:85-90); the applications overview applies
//!   api/views/overview/applications.go's indicator rules (errors/latency critical only when
//!   the SLO fires, network forced ok unless the SLO burns, logs `info`, …).
//! * Links are unknown, ok or critical, with "connectivity issues" or "failed connections"
//!   (model/connection.go); incidents are critical while open and ok once resolved.
//! * Alerts (v1.18.0+) are the built-in check-based rules firing for the failing checks,
//!   evaluated once at "now" over the last hour; log-pattern, Kubernetes-event and PromQL
//!   rules are not simulated.
//! * `rca` is `{"status": "AI disabled", …}` (v1.14.0+; null before) unless the scenario was
//!   made with [`Scenario::with_cloud_rca`].
//! * Time windows: `from`/`to`, default the last hour; the step 30 s raised for long ranges
//!   (exactly 6 h still uses 1 m); `incident=<key>` sets the incident's window by version.
//!   Logs, traces, deployments and the `Deployments` report only include data inside the
//!   window; the incidents list does not.
//! * Container logs are agent logs with ServiceName `/k8s/<ns>/<workload>` and the node
//!   agent's attributes (`service.name`, `container.id`, `host.name`, `host.id`,
//!   `pattern.hash`); Kubernetes events are OTel logs (`service.name = KubernetesEvents`).
//!   Before v1.24.1 a `LIMIT n` answer of logs or spans is an arbitrary (deterministic) sample,
//!   from v1.24.1 the newest lines.
//! * `panel/data` and `/api/v1/query_range` do not evaluate PromQL: they check bracket
//!   balance, quotes and dangling operators, pick the first known metric name (all of
//!   constructor/queries.go) and its `{...}` matchers, honour `rate`-style functions and one
//!   `sum|avg|max|min|count by/without`.
//! * [`SimConfig::version`] switches what changed between versions: routes (`/incidents`
//!   v1.12.5, `/api/v1/query_range` v1.17.7, `/alerts` v1.18.0; older servers answer the SPA
//!   page), application ids (`ns:Kind:name` before v1.17.0) and `cluster` fields, the nodes
//!   overview (Table, ints, nullable ints), the node page layout, the incident shapes, windows
//!   and RCA, check messages (v1.18.0, v1.19.1) and checks added since v1.12.0, the context's
//!   keys, app tracing without ClickHouse, the log and span order. See `version.rs`.
//! * [`SimConfig::health`] sets what the context reports: Prometheus not configured (an
//!   empty world), a query error, a cache lag, a missing node agent or kube-state-metrics;
//!   [`SimConfig::clickhouse`] `false` serves logs, traces and profiling as without
//!   ClickHouse; [`SimConfig::multicluster`] adds the multi-cluster project `all`.
//!
//! Layout (files depend one way: `server` → `render` → `http`, `world`, `util`; `server` →
//! `scenario` → `world`; nothing depends on `lib.rs` or `server`):
//! * `config`: [`SimConfig`], [`Auth`], [`ProjectHealth`], [`PrometheusHealth`];
//!   `version`: the parsed version and its switches.
//! * `server`: the axum server that records each request, applies faults, authenticates
//!   and routes like Coroot; [`Simulator`] is its handle.
//! * `http`: [`RecordedRequest`] and a route's reply, shared by the server and the renderers.
//! * `faults`: [`FaultRule`] and [`Fault`], and which rule a request meets.
//! * `scenario`: [`Scenario`] recipes: `ecommerce/` (`plot`: variants, ids and when things
//!   happen; `cluster`: nodes, apps, links, risks; `incidents`: incidents and rollouts;
//!   `metrics`: the metric stories; `logs`; `traces`) and `synthetic` ([`SyntheticSpec`]).
//! * `scenario/faults/`: one fault class per scenario on the healthy e-commerce cluster (`kit`:
//!   the shared builder, `noise`: background noise and red herrings), documented in
//!   `scenario/classes.rs`; `scenario/truth.rs`: their ground truth, [`ExpectedCause`].
//! * `world`: the materialised projects the renderers read (and the multi-cluster merge);
//!   `model`: statuses, the check catalogue by version, message templates, severities.
//! * `render`: Coroot's JSON per view: `audit` (checks and both statuses), `context`,
//!   `overview`, `costs`, `app` and `app_widgets`, `node`, `incidents`, `alerts`, `logs` and
//!   `app_logs`, `traces` (overview) and `tracing` (app tracing, profiling), with `metrics/`
//!   (`series`: generated values, `promql`: the query subset, `mod`: `panel/data` and
//!   `query_range`).
//! * `util`: time windows and steps, Go-style JSON, query decoding, the tiny regex;
//!   `gofmt`: Coroot's and go-humanize's number, size, duration and plural formatting and
//!   the container-id → service-name rule; `sha256`: alert fingerprints; `prng`: the
//!   deterministic generator.
//! * `testing` (cargo feature `testing`, off by default): the kit other crates' tests share,
//!   the fixed clock `NOW_MS` and `assert_no_secret`.

mod config;
mod emit;
mod faults;
mod gofmt;
mod http;
mod logpattern;
mod model;
mod prng;
mod render;
mod scenario;
mod server;
mod sha256;
#[cfg(feature = "testing")]
pub mod testing;
mod users;
mod util;
mod version;
mod world;

pub use config::{Auth, ProjectHealth, PrometheusHealth, SimConfig};
pub use emit::{Emitter, LiveMetrics};
pub use faults::{Fault, FaultRule};
pub use http::RecordedRequest;
pub use scenario::{ExpectedCause, INJECTIONS, Scenario, SyntheticSpec};
pub use server::Simulator;
pub use users::User;
