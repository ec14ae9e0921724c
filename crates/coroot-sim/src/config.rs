//! The simulator's settings: how it authenticates, its API key, URL base path, clock, the
//! Coroot version it impersonates, and the state of the project's integrations.

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
    /// API key accepted as `X-API-Key` on `/api/v1/query_range` (for the first project by name,
    /// the multi-cluster project aside);
    /// every project's id is also accepted as its own key.
    pub api_key: Option<String>,
    /// URL base path, normalised to begin and end with `/`; `/health` stays at the root.
    pub base_path: String,
    /// Fixed "now" in epoch ms, for deterministic data; `None` = wall clock at start.
    pub now_ms: Option<i64>,
    /// The Coroot version to impersonate: shown in the index page's `window.coroot` and
    /// selecting the version-dependent routes and shapes (see the crate doc; `1.24.5`,
    /// `v1.17.4` and `1.24.5-localbuild` all parse, anything else means 1.24.5).
    pub version: String,
    /// Whether ClickHouse is configured. Without it logs, traces and profiling answer as
    /// Coroot does with no ClickHouse integration (overview traces `no_clickhouse`, logs
    /// "Clickhouse integration is not configured", ...), and only Prometheus data remains.
    pub clickhouse: bool,
    /// The health of every project's integrations, as the envelope's `context.status`
    /// reports it (`api/ctx.go` renderStatus).
    pub health: ProjectHealth,
    /// Adds a multi-cluster project `all` (id `m9lt1c5r`, v1.17.0+) whose member projects are
    /// the scenario's projects: its context has `multicluster: true` and `member_projects`,
    /// and its `panel/data` needs a member's name as each query's `datasource`.
    pub multicluster: bool,
}

/// The state of a project's integrations (`api/ctx.go` renderStatus, v1.24.5:136-200).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectHealth {
    /// The Prometheus integration.
    pub prometheus: PrometheusHealth,
    /// Whether the node agent is installed (any `node_info` series).
    pub node_agent: bool,
    /// Whether kube-state-metrics is installed (any `kube_pod_info` series); it is only
    /// required, and reported, when the project has Kubernetes applications.
    pub kube_state_metrics: bool,
}

impl ProjectHealth {
    /// Whether a Prometheus URL is set.
    pub(crate) fn prometheus_configured(&self) -> bool {
        self.prometheus != PrometheusHealth::NotConfigured
    }
}

impl Default for ProjectHealth {
    fn default() -> ProjectHealth {
        ProjectHealth {
            prometheus: PrometheusHealth::Ok,
            node_agent: true,
            kube_state_metrics: true,
        }
    }
}

/// How the Prometheus integration fares.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum PrometheusHealth {
    /// Configured and in sync.
    #[default]
    Ok,
    /// No Prometheus URL: "Prometheus is not configured." and an empty world (no
    /// applications, nodes, incidents or metrics); ClickHouse data stays.
    NotConfigured,
    /// The metric cache failed to query Prometheus with this error; the data stays.
    QueryError(String),
    /// The metric cache lags behind by this many ms on average (more than 5 refresh
    /// intervals at its worst): "The Prometheus cache lag is …"; the data stays.
    CacheLag {
        /// Average lag in ms.
        avg_ms: i64,
    },
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
            clickhouse: true,
            health: ProjectHealth::default(),
            multicluster: false,
        }
    }
}
