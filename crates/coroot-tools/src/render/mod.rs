//! How answers are written: the budgeted [`Answer`] builder, units for people ([`units`]), and
//! the pieces every answer shares (the header line, the status words).

mod answer;
pub(crate) mod count;
pub(crate) mod doomed;
pub mod units;
pub mod untrusted;
pub(crate) mod written;

pub(crate) use answer::pinned;
pub use answer::{Answer, Frame, Resource, json_chars};
pub use doomed::json_bytes;

use schemars::JsonSchema;
use serde::Serialize;

use crate::context::Window;
use crate::render::units::hours;

impl Answer {
    /// `<what> · project <name> · last 24h (from → to)` (or `· from → to (24h)` for a pinned
    /// window), the first line of most answers so the agent always knows what was searched, then
    /// the note when the window was adjusted. From here on, the calls the footer suggests carry
    /// the window.
    pub fn header(&mut self, what: &str, project: &str, window: &Window) -> &mut Self {
        let span = hours(window.lookback_hours);
        self.line(if window.pinned {
            format!("{what} · project {project} · {} → {} ({span})", window.from, window.to)
        } else {
            format!(
                "{what} · project {project} · last {span} ({} → {})",
                window.from, window.to
            )
        });
        if let Some(note) = window.note() {
            self.line(note);
        }
        self.pin(window.pin())
    }
}

impl Answer {
    /// `Coroot UI: <url>`, the page this answer came from, at the end before the next steps
    /// (a person's next click, after the agent's), and the same page as a resource link named
    /// `name`.
    pub fn ui(&mut self, name: impl Into<String>, url: &str) -> &mut Self {
        self.footer(format!("Coroot UI: {url}"));
        self.resource(name, url)
    }
}

impl Answer {
    /// Coroot's own warnings about the project's data sources, right under the header: an
    /// empty list on a project whose Prometheus is not configured is not a healthy project.
    pub fn coroot_status(&mut self, problems: &[String]) -> &mut Self {
        for p in problems {
            self.line(format!(
                "COROOT WARNING: {p}. What follows may be empty or incomplete; it does not mean healthy."
            ));
        }
        self
    }
}

/// Status as the seed shows it: the word, with the code 0–4 in structured output.
#[derive(Debug, Clone, Copy, Serialize, JsonSchema, PartialEq, Eq)]
pub struct Health {
    /// UNKNOWN, OK, INFO, WARNING or CRITICAL.
    #[schemars(extend("enum" = ["UNKNOWN", "OK", "INFO", "WARNING", "CRITICAL"]))]
    pub status: &'static str,
    /// 0 UNKNOWN, 1 OK, 2 INFO, 3 WARNING, 4 CRITICAL.
    pub status_code: u8,
}

impl From<coroot_client::Status> for Health {
    fn from(s: coroot_client::Status) -> Self {
        Health {
            status: s.label(),
            status_code: s.code(),
        }
    }
}
