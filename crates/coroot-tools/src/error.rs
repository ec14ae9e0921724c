//! Tool errors: each says what went wrong and what the agent should do next.

use coroot_client::{Error as CorootError, Object};

use crate::tools::names;

/// A failed tool call. `Display` is the message the agent reads.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// The arguments do not fit the tool's parameters.
    #[error("invalid arguments for {tool}: {message}")]
    InvalidParams {
        /// Tool name.
        tool: &'static str,
        /// What is wrong, naming the valid parameters.
        message: String,
    },

    /// An application id that matches nothing, or several things.
    #[error("{message}")]
    Resolve {
        /// The full explanation with candidates.
        message: String,
    },

    /// Coroot cannot answer this for a reason of its own setup, e.g. no Prometheus configured.
    #[error("{message}")]
    Unavailable {
        /// What Coroot lacks and where to set it up.
        message: String,
    },

    /// Coroot refused or failed; the client's message already says what to do.
    #[error("{}", describe(.0))]
    Coroot(#[from] CorootError),
}

/// The client's message, plus the call that lists what the agent may pass instead.
fn describe(e: &CorootError) -> String {
    let lists = match e {
        CorootError::NotFound { object, .. } => match object {
            Object::Application => Some(format!("call {} to list valid app ids", names::APPLICATIONS)),
            Object::Node => Some(format!("call {} to list node names", names::NODES)),
            Object::Incident => Some(format!("call {} to list incident keys", names::INCIDENTS)),
            Object::Trace | Object::Project | Object::Other => None,
        },
        CorootError::UnknownProject { .. } => Some("pass project_id as one of them, or omit it for the default".into()),
        _ => None,
    };
    match lists {
        Some(next) => format!("{e}; {next}"),
        None => e.to_string(),
    }
}

impl ToolError {
    /// An invalid-arguments error.
    pub fn params(tool: &'static str, message: impl Into<String>) -> Self {
        ToolError::InvalidParams {
            tool,
            message: message.into(),
        }
    }
}
