//! Tool errors: each says what went wrong and what the agent should do next.

use coroot_client::Error as CorootError;

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

    /// Coroot refused or failed; the client's message already says what to do.
    #[error("{}", describe(.0))]
    Coroot(#[from] CorootError),
}

fn describe(e: &CorootError) -> String {
    match e {
        CorootError::NotFound { message, .. } if message.contains("Application") => {
            format!("{e}; call coroot_get_applications to list valid app ids")
        }
        CorootError::NotFound { message, .. } if message.contains("Node") => {
            format!("{e}; call coroot_get_nodes to list node names")
        }
        CorootError::NotFound { message, .. } if message.contains("Incident") => {
            format!("{e}; call coroot_get_incidents to list incident keys")
        }
        CorootError::Api {
            status: 400,
            endpoint,
            message,
        } if endpoint.ends_with("/panel/data") || endpoint.ends_with("query_range") => {
            format!("Coroot rejected the PromQL query: {message}; fix the expression and retry")
        }
        CorootError::UnknownProject { .. } => {
            format!("{e}; pass project_id as one of them, or omit it for the default")
        }
        _ => e.to_string(),
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
