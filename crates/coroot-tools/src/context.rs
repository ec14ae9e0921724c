//! What every tool runs with: the Coroot client, the clock and the output limits; and what
//! every tool looks at: its [`Scope`] (the project and the time window).

use std::sync::Arc;

use coroot_client::models::Project;
use coroot_client::{Client, TimeRange};
use schemars::JsonSchema;
use serde::Serialize;

use crate::error::ToolError;
use crate::links::Ui;
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
    /// The URL people open Coroot at, when it is not the one the client uses (a proxy, an
    /// ingress): the base of every UI link.
    pub public_url: Option<String>,
    /// How a call hands over its structured result.
    pub structured: Structured,
}

/// The form of a tool call's structured result ([`crate::ToolOutput::structured`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Structured {
    /// A `serde_json::Value`.
    #[default]
    Value,
    /// Its compact JSON text, as the one member of an object ([`Structured::text`]): for a
    /// transport that writes JSON itself and writes the text in place of that object
    /// (`coroot-mcp`'s stdio), where a `Value` would be built only to be written out and
    /// dropped. An object, since rmcp moves any other structured result into the text content
    /// for clients before MCP 2026-07-28.
    Text,
}

impl Structured {
    /// The key of the one member holding the text: no tool's output has a key starting with NUL.
    const TEXT_KEY: &'static str = "\u{0}coroot-mcp:json-text";

    /// The structured result that stands for the JSON text `json`.
    pub fn text(json: String) -> serde_json::Value {
        let mut holder = serde_json::Map::new();
        holder.insert(Self::TEXT_KEY.to_owned(), serde_json::Value::String(json));
        serde_json::Value::Object(holder)
    }

    /// The JSON text a structured result stands for, when it was given as text.
    pub fn text_of(value: &serde_json::Value) -> Option<&str> {
        match value.as_object()? {
            holder if holder.len() == 1 => holder.get(Self::TEXT_KEY)?.as_str(),
            _ => None,
        }
    }

    /// [`Structured::text_of`], taking the text out.
    pub fn into_text(value: serde_json::Value) -> Result<String, serde_json::Value> {
        if Self::text_of(&value).is_none() {
            return Err(value);
        }
        match value {
            serde_json::Value::Object(holder) => match holder.into_iter().next() {
                Some((_, serde_json::Value::String(json))) => Ok(json),
                _ => Err(serde_json::Value::Null),
            },
            other => Err(other),
        }
    }
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
            public_url: None,
            structured: Structured::Value,
        }
    }

    /// Reports progress to the caller, if it listens.
    pub fn report_progress(&self, done: u32, total: u32, message: impl Into<String>) {
        if let Some(progress) = &self.progress {
            progress(done, total, message.into());
        }
    }

    /// Links into Coroot's UI for `project` over `range`.
    pub fn ui(&self, project: &str, range: TimeRange) -> Ui {
        Ui::new(
            self.public_url.as_deref().unwrap_or(self.client.base_url()),
            project,
            range,
        )
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
    /// Links into Coroot's UI for the project over the window.
    pub ui: Ui,
}

impl Scope {
    /// The project, the range, the window and the links, to bind in one line.
    pub fn parts(self) -> (Project, TimeRange, Window, Ui) {
        (self.project, self.range, self.window, self.ui)
    }

    /// Resolves `project_id` (an id, a name, or the default) and the window asked for (the
    /// tool's `default_hours` when neither `lookback_hours` nor `from` is set) into what the
    /// tool looks at.
    pub async fn resolve(
        ctx: &ToolContext,
        tool: &'static str,
        project_id: Option<&str>,
        asked: WindowArgs,
        default_hours: f64,
    ) -> Result<Scope, ToolError> {
        let (range, window) = window(ctx, tool, asked, default_hours)?;
        let project = project(ctx, project_id).await?;
        let ui = ctx.ui(&project.id, range);
        Ok(Scope {
            project,
            range,
            window,
            ui,
        })
    }
}

/// The project to query: `project_id` (an id or a name) or the default one.
pub async fn project(ctx: &ToolContext, project_id: Option<&str>) -> Result<Project, ToolError> {
    Ok(ctx.client.resolve_project(project_id).await?)
}

/// The window a call asks for: the hours before `to` (or now), or a pinned `from`–`to`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct WindowArgs {
    /// `lookback_hours`.
    pub lookback_hours: Option<f64>,
    /// `from`, epoch ms.
    pub from: Option<i64>,
    /// `to`, epoch ms.
    pub to: Option<i64>,
}

impl WindowArgs {
    /// The last `hours`.
    pub fn hours(hours: f64) -> Self {
        WindowArgs {
            lookback_hours: Some(hours),
            ..WindowArgs::default()
        }
    }
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
    /// True when the caller pinned the window with `from`/`to` rather than hours before now.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub pinned: bool,
    /// Why the window differs from what was asked, for the answer's note.
    #[serde(skip)]
    pub adjusted: Option<String>,
}

impl Window {
    /// The window of `range`.
    pub fn of(range: TimeRange, pinned: bool) -> Window {
        Window {
            from: iso(range.from_ms),
            to: iso(range.to_ms),
            lookback_hours: (range.to_ms - range.from_ms) as f64 / 3_600_000.0,
            requested_hours: None,
            pinned,
            adjusted: None,
        }
    }

    /// The note to show when the request was adjusted.
    pub fn note(&self) -> Option<String> {
        self.adjusted.as_ref().map(|why| format!("note: {why}"))
    }

    /// `from='…', to='…'`: the arguments that make a follow-up call look at the same minutes.
    pub fn pin(&self) -> String {
        format!("from='{}', to='{}'", self.from, self.to)
    }
}

/// Resolves the window asked for into a time range: `to` (default now, never later), and
/// `from` or the hours before `to` (the default when unset; clamped into (0, 720], a
/// non-positive value taking the default). Every adjustment is reported.
pub fn window(
    ctx: &ToolContext,
    tool: &'static str,
    asked: WindowArgs,
    default: f64,
) -> Result<(TimeRange, Window), ToolError> {
    let max = ctx.limits.max_lookback_hours;
    let now = ctx.now_ms();
    // Both ends may be adjusted; the note names every adjustment.
    let mut adjusted: Option<String> = None;
    let mut adjust = |why: String| {
        adjusted = Some(match adjusted.take() {
            Some(before) => format!("{before}; {why}"),
            None => why,
        });
    };
    let to = match asked.to {
        Some(to) if to > now => {
            adjust(format!("to={} is in the future; used now", iso(to)));
            now
        }
        Some(to) => to,
        None => now,
    };
    if let Some(from) = asked.from {
        if asked.lookback_hours.is_some() {
            return Err(ToolError::params(
                tool,
                "from and lookback_hours were both given: pass from (and to) for a pinned window, or lookback_hours for the hours before to",
            ));
        }
        if from >= to {
            return Err(ToolError::params(
                tool,
                format!(
                    "from={} is not before to={}: pass a from earlier than to",
                    iso(from),
                    iso(to)
                ),
            ));
        }
        let max_ms = (max * 3_600_000.0) as i64;
        let range = TimeRange {
            from_ms: from.max(to - max_ms),
            to_ms: to,
        };
        let mut w = Window::of(range, true);
        if from < range.from_ms {
            w.requested_hours = Some((to - from) as f64 / 3_600_000.0);
            adjust(format!(
                "from={} is more than {} before to; used the last {}",
                iso(from),
                hours(max),
                hours(max)
            ));
        }
        w.adjusted = adjusted;
        return Ok((range, w));
    }
    let (span, requested_hours) = match asked.lookback_hours {
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
    if let Some(asked) = requested_hours {
        adjust(format!(
            "lookback_hours={} is outside (0, 720]; used {}",
            num(asked),
            hours(span)
        ));
    }
    let pinned = asked.to.is_some();
    let range = if pinned {
        TimeRange {
            from_ms: to - (span * 3_600_000.0).round() as i64,
            to_ms: to,
        }
    } else {
        TimeRange::last_hours(now, span)
    };
    let mut w = Window::of(range, pinned);
    w.lookback_hours = span;
    w.requested_hours = requested_hours;
    w.adjusted = adjusted;
    Ok((range, w))
}
