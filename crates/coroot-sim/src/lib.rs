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

mod faults;
mod model;
mod prng;
mod render;
mod scenario;
mod server;
mod util;
mod world;

pub use faults::{Fault, FaultRule};
pub use scenario::{Scenario, SyntheticSpec};
pub use server::{RecordedRequest, Simulator};

/// How the simulator authenticates `A` routes (§3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Auth {
    /// Cookie sessions for one account, created by `POST /api/login`.
    Password {
        /// The account's email (login).
        email: String,
        /// The account's password.
        password: String,
    },
    /// Every request is the anonymous user with this role (`Admin`, `Editor`, `Viewer`).
    Anonymous {
        /// The role of the anonymous user.
        role: String,
    },
    /// The admin password is not set yet: `A` routes answer 401 `set_admin_password`
    /// until a login with `"action":"set_admin_password"` sets it.
    FirstRun,
}

/// Simulator settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimConfig {
    /// Authentication mode.
    pub auth: Auth,
    /// API key accepted as `X-API-Key` on `/api/v1/query_range` (for the first project by name);
    /// every project's id is also accepted as its own key.
    pub api_key: Option<String>,
    /// URL base path, normalised to begin and end with `/`; `/health` stays at the root.
    pub base_path: String,
    /// Fixed "now" in epoch ms, for deterministic data; `None` = wall clock at start.
    pub now_ms: Option<i64>,
    /// Version shown in the index page's `window.coroot`.
    pub version: String,
}

impl Default for SimConfig {
    fn default() -> SimConfig {
        SimConfig {
            auth: Auth::Password {
                email: "admin".into(),
                password: "sim-password".into(),
            },
            api_key: Some("sim-api-key".into()),
            base_path: "/".into(),
            now_ms: None,
            version: "1.24.5".into(),
        }
    }
}
