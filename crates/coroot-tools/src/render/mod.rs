//! How answers are written: the budgeted [`Answer`] builder, units for people ([`units`]), and
//! the pieces every answer shares (the header line, the status words).

mod answer;
pub(crate) mod doomed;
pub mod units;

pub use answer::{Answer, Frame, json_chars};

use schemars::JsonSchema;
use serde::Serialize;

use crate::context::Window;
use crate::render::units::hours;

impl Answer {
    /// `<what> · project <name> · last 24h (from → to)`, the first line of most answers so the
    /// agent always knows what was searched, then the note when lookback_hours was adjusted.
    pub fn header(&mut self, what: &str, project: &str, window: &Window) -> &mut Self {
        self.line(format!(
            "{what} · project {project} · last {} ({} → {})",
            hours(window.lookback_hours),
            window.from,
            window.to
        ));
        if let Some(note) = window.note() {
            self.line(note);
        }
        self
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
