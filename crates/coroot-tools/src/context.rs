//! What every tool runs with: the Coroot client, the clock and the output limits; and what
//! every tool looks at: its [`Scope`] (the project and the time window).

use std::sync::Arc;

use coroot_client::models::Project;
use coroot_client::{Client, TimeRange};
use schemars::JsonSchema;
use serde::Serialize;

use crate::error::ToolError;
use crate::render::units::{hours, iso, num};

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

/// The project and the time window a tool call looks at.
#[derive(Debug, Clone)]
pub struct Scope {
    /// The project (from `project_id`, or the default one).
    pub project: Project,
    /// The window, as sent to Coroot.
    pub range: TimeRange,
    /// The window, as reported in the output.
    pub window: Window,
}

impl Scope {
    /// Resolves `project_id` (an id, a name, or the default) and `lookback_hours` (the
    /// tool's `default_hours` when unset) into what the tool looks at.
    pub async fn resolve(
        ctx: &ToolContext,
        tool: &'static str,
        project_id: Option<&str>,
        lookback_hours: Option<f64>,
        default_hours: f64,
    ) -> Result<Scope, ToolError> {
        let (range, window) = window(ctx, tool, lookback_hours, default_hours)?;
        let project = project(ctx, project_id).await?;
        Ok(Scope { project, range, window })
    }
}

/// The project to query: `project_id` (an id or a name) or the default one.
pub async fn project(ctx: &ToolContext, project_id: Option<&str>) -> Result<Project, ToolError> {
    Ok(ctx.client.resolve_project(project_id).await?)
}

/// The time window a tool looked at, as reported in its output.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
pub struct Window {
    /// Start, UTC ISO-8601.
    pub from: String,
    /// End, UTC ISO-8601.
    pub to: String,
    /// Hours covered.
    pub lookback_hours: f64,
    /// What was asked for, when it was out of range and replaced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_hours: Option<f64>,
}

impl Window {
    /// The note to show when the request was adjusted.
    pub fn note(&self) -> Option<String> {
        self.requested_hours.map(|asked| {
            format!(
                "note: lookback_hours={} is outside (0, 720]; used {}",
                num(asked),
                hours(self.lookback_hours)
            )
        })
    }
}

/// Resolves `lookback_hours` into a time range ending now: the default when unset, clamped
/// into (0, 720] otherwise (a non-positive value takes the default). The clamp is reported.
pub fn window(
    ctx: &ToolContext,
    tool: &'static str,
    requested: Option<f64>,
    default: f64,
) -> Result<(TimeRange, Window), ToolError> {
    let max = ctx.limits.max_lookback_hours;
    let (hours, requested_hours) = match requested {
        None => (default, None),
        Some(h) if !h.is_finite() => {
            return Err(ToolError::params(
                tool,
                "lookback_hours must be a finite number of hours, e.g. 24",
            ));
        }
        Some(h) if h <= 0.0 => (default, Some(h)),
        Some(h) if h > max => (max, Some(h)),
        Some(h) => (h, None),
    };
    let range = TimeRange::last_hours(ctx.now_ms(), hours);
    let window = Window {
        from: iso(range.from_ms),
        to: iso(range.to_ms),
        lookback_hours: hours,
        requested_hours,
    };
    Ok((range, window))
}
