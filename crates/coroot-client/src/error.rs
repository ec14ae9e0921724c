//! The client's error type: every way a Coroot call can fail, each with a message that names
//! the problem and what to do next.
//!
//! Coroot answers failures in ways a generic HTTP client misreads: a wrong password is a 404,
//! an unknown path is a 200 with the UI's HTML, a fresh install is a 401 `set_admin_password`,
//! and error bodies are `text/plain`. The variants below turn each of those into its meaning,
//! so nobody ever reads a JSON decode error for what is really a wrong URL.

use std::time::Duration;

/// Result alias for the client.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A failed Coroot call.
///
/// `endpoint` fields hold the request path without host, query string or credentials. Errors are
/// `Clone` so that concurrent identical requests, coalesced into one, can all receive its error.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// The configuration cannot work (bad URL, unreadable CA file, bad header).
    #[error("invalid configuration: {0}")]
    Config(String),

    /// The caller passed something Coroot cannot take (an empty id, a bad app id).
    #[error("{0}")]
    InvalidInput(String),

    /// `POST /api/login` answered 404 "Invalid email or password."
    #[error("Coroot rejected the login: invalid email or password; check COROOT_EMAIL and COROOT_PASSWORD")]
    InvalidCredentials,

    /// The server is in its first-run state: the admin password has never been set.
    #[error(
        "Coroot has no admin password yet (first-run setup); open Coroot in a browser, set the admin password, then use it as COROOT_PASSWORD"
    )]
    AdminPasswordNotSet,

    /// A 401 that logging in (again) did not cure, or no credentials were configured.
    #[error("Coroot answered 401 Unauthorized on {endpoint}: {hint}")]
    Unauthorized {
        /// The request path.
        endpoint: String,
        /// What to do about it.
        hint: &'static str,
    },

    /// RBAC denial (403), with Coroot's own sentence.
    #[error("Coroot denied access to {endpoint}: {message}; ask a Coroot admin for a role that can view it")]
    Forbidden {
        /// The request path.
        endpoint: String,
        /// Coroot's message, e.g. "You are not allowed to view traces."
        message: String,
    },

    /// A 404 with Coroot's message ("Application not found", "Incident not found", ...).
    #[error("Coroot has no such object at {endpoint}: {message}")]
    NotFound {
        /// The request path.
        endpoint: String,
        /// What is missing, from the endpoint that was called: match on it rather than on the
        /// message or the path.
        object: Object,
        /// Coroot's message.
        message: String,
    },

    /// A project id or name that is not among the visible projects.
    #[error("unknown Coroot project '{given}'; visible projects: {available}")]
    UnknownProject {
        /// What the caller asked for.
        given: String,
        /// `name (id)` of each visible project, comma separated.
        available: String,
    },

    /// The user sees no project at all.
    #[error("no Coroot project is visible to this user; create a project in Coroot or check the user's role")]
    NoProjects,

    /// The project exists in the request but Coroot returned no world for it.
    #[error(
        "Coroot returned no data for project '{project}': the project does not exist or Coroot has not collected data for it yet"
    )]
    NoProjectData {
        /// The project id sent.
        project: String,
    },

    /// The URL answered with an HTML page (or another server's error) where the API should
    /// answer JSON.
    #[error(
        "{url} does not serve the Coroot API ({endpoint} returned an HTML page or another server's answer); check COROOT_URL, including any base path such as https://host/coroot"
    )]
    NotCorootApi {
        /// The configured base URL.
        url: String,
        /// The request path.
        endpoint: String,
    },

    /// Any other non-success status, with Coroot's message text (e.g. a PromQL parse error).
    #[error("Coroot returned HTTP {status} for {endpoint}{}", fmt_message(message))]
    Api {
        /// HTTP status code.
        status: u16,
        /// The request path.
        endpoint: String,
        /// Coroot's message (trimmed `text/plain` body), possibly empty.
        message: String,
    },

    /// Coroot (or the Prometheus behind it) refused a PromQL expression: a 400 from
    /// `panel/data` or `/api/v1/query_range`, or a query_range answer with `status: "error"`.
    #[error(
        "Coroot rejected the PromQL query{}; fix the expression and retry",
        fmt_message(message)
    )]
    BadQuery {
        /// The request path.
        endpoint: String,
        /// The parser's or Prometheus' message, e.g. `1:4: parse error: unclosed left
        /// parenthesis`, possibly empty.
        message: String,
    },

    /// No TCP connection could be made (refused, unreachable, DNS failure).
    #[error("cannot reach Coroot at {url}: {reason}; check COROOT_URL and that Coroot is running")]
    Connect {
        /// The configured base URL.
        url: String,
        /// The underlying cause in words.
        reason: String,
    },

    /// The TLS handshake failed (unknown CA, name mismatch, expired certificate).
    #[error(
        "TLS handshake with {url} failed: {reason}; pass the server's CA with COROOT_CA_FILE, or COROOT_INSECURE_TLS=true to skip verification"
    )]
    Tls {
        /// The configured base URL.
        url: String,
        /// The underlying cause in words.
        reason: String,
    },

    /// The request took longer than the configured timeout.
    #[error("Coroot did not answer {endpoint} within {}s; raise COROOT_TIMEOUT or narrow the query", .after.as_secs_f64())]
    Timeout {
        /// The request path.
        endpoint: String,
        /// The timeout that elapsed.
        after: Duration,
    },

    /// The connection broke mid-request, after retries.
    #[error("the connection to Coroot broke during {endpoint}: {reason}")]
    Transport {
        /// The request path.
        endpoint: String,
        /// The underlying cause in words.
        reason: String,
    },

    /// The body is larger than the configured cap.
    #[error(
        "the response of {endpoint} exceeds the {limit}-byte cap; narrow the query (shorter lookback_hours, filters) or raise COROOT_MAX_RESPONSE_BYTES"
    )]
    BodyTooLarge {
        /// The request path.
        endpoint: String,
        /// The cap in bytes.
        limit: usize,
    },

    /// A 2xx body that is not the JSON the endpoint should return.
    #[error("Coroot's response to {endpoint} could not be read: {detail}")]
    Decode {
        /// The request path.
        endpoint: String,
        /// What is wrong: serde's message with the line and column where it failed, or that
        /// the body is empty.
        detail: String,
    },

    /// A Coroot older than the oldest release this client reads.
    #[error(
        "Coroot {version} is older than v1.12.5, the oldest release coroot-mcp supports (before it Coroot had no incidents API); upgrade Coroot"
    )]
    UnsupportedVersion {
        /// The server's version.
        version: String,
    },

    /// `query_range` needs the project's API key.
    #[error("PromQL through /api/v1/query_range needs a project API key; set COROOT_API_KEY")]
    MissingApiKey,
}

/// What a [`Error::NotFound`] is about. The client knows it from the endpoint it called, and
/// from Coroot's answer when it says the project itself is unknown (which any project endpoint
/// can), so a caller can say what to list instead without reading Coroot's wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Object {
    /// An application: `app/{id}` and its logs. The id matches no application of the project.
    Application,
    /// A node: `node/{name}`.
    Node,
    /// An incident: `incident/{key}`.
    Incident,
    /// One trace: the traces view asked for a trace id.
    Trace,
    /// The project: the id is unknown to Coroot, or the API key belongs to no project.
    Project,
    /// Anything else: the user, a raw GET, or a path this Coroot does not serve (such as
    /// `panel/data` before v1.12).
    Other,
}

fn fmt_message(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        format!(": {message}")
    }
}

impl Error {
    /// The HTTP status behind the error, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::InvalidCredentials | Error::NotFound { .. } => Some(404),
            Error::BadQuery { .. } => Some(400),
            Error::AdminPasswordNotSet | Error::Unauthorized { .. } => Some(401),
            Error::Forbidden { .. } => Some(403),
            Error::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// A short, stable name for the kind of failure, for logs and metrics labels: it holds
    /// no endpoint, id or message, only the class (`timeout`, `unauthorized`, `http_5xx`…).
    pub fn class(&self) -> &'static str {
        match self {
            Error::Config(_) => "config",
            Error::InvalidInput(_) => "invalid_input",
            Error::InvalidCredentials => "invalid_credentials",
            Error::AdminPasswordNotSet => "admin_password_not_set",
            Error::Unauthorized { .. } => "unauthorized",
            Error::Forbidden { .. } => "forbidden",
            Error::NotFound { .. } => "not_found",
            Error::UnknownProject { .. } => "unknown_project",
            Error::NoProjects => "no_projects",
            Error::NoProjectData { .. } => "no_project_data",
            Error::NotCorootApi { .. } => "not_coroot_api",
            Error::Api { status, .. } if *status >= 500 => "http_5xx",
            Error::Api { .. } => "http_error",
            Error::BadQuery { .. } => "bad_query",
            Error::Connect { .. } => "connect",
            Error::Tls { .. } => "tls",
            Error::Timeout { .. } => "timeout",
            Error::Transport { .. } => "transport",
            Error::BodyTooLarge { .. } => "body_too_large",
            Error::Decode { .. } => "decode",
            Error::UnsupportedVersion { .. } => "unsupported_version",
            Error::MissingApiKey => "missing_api_key",
        }
    }

    /// True when retrying the same call later may succeed (timeouts, broken connections, 5xx).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Error::Timeout { .. } | Error::Transport { .. } | Error::Connect { .. }
        ) || matches!(self, Error::Api { status, .. } if *status >= 500)
    }
}
