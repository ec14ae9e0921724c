//! What every tool runs with: the Coroot client, the clock, and the output limits.

use std::sync::Arc;

use coroot_client::Client;

/// Receives progress as a long tool call advances: `(done, total, message)`. The MCP server
/// turns it into `notifications/progress`; the CLI ignores it.
pub type ProgressFn = Arc<dyn Fn(u32, u32, String) + Send + Sync>;

/// The seed's output limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Text output cap, in characters.
    pub max_chars: usize,
    /// Points kept per metric series (the latest ones).
    pub max_points: usize,
    /// Largest `lookback_hours` accepted.
    pub max_lookback_hours: f64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_chars: 120_000,
            max_points: 120,
            max_lookback_hours: 720.0,
        }
    }
}

/// Where "now" comes from: the wall clock, or a fixed instant so outputs are reproducible.
#[derive(Debug, Clone, Copy, Default)]
pub enum Clock {
    /// System time.
    #[default]
    System,
    /// A fixed epoch-ms instant (tests, snapshots, the demo).
    Fixed(i64),
}

/// Shared by all tool calls; cheap to clone.
#[derive(Clone)]
pub struct ToolContext {
    /// The Coroot client.
    pub client: Client,
    /// The clock.
    pub clock: Clock,
    /// Output limits.
    pub limits: Limits,
    /// Redact secrets (tokens, passwords, keys) found in log lines before an agent reads them.
    pub redact_secrets: bool,
    /// Where progress goes, when the caller asked for it.
    pub progress: Option<ProgressFn>,
}

impl std::fmt::Debug for ToolContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolContext")
            .field("client", &self.client)
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

impl ToolContext {
    /// A context with the system clock and the seed's limits.
    pub fn new(client: Client) -> Self {
        ToolContext {
            client,
            clock: Clock::System,
            limits: Limits::default(),
            redact_secrets: true,
            progress: None,
        }
    }

    /// Reports progress to the caller, if it listens.
    pub fn report_progress(&self, done: u32, total: u32, message: impl Into<String>) {
        if let Some(progress) = &self.progress {
            progress(done, total, message.into());
        }
    }

    /// Now, epoch ms.
    pub fn now_ms(&self) -> i64 {
        match self.clock {
            Clock::Fixed(ms) => ms,
            Clock::System => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
        }
    }
}
