//! The simulator's settings: how it authenticates, its API key, URL base path, clock and
//! advertised version.

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
