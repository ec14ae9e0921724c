//! The Coroot investigation tools: the seed's 14 read-only tools and `coroot_investigate`, with
//! validated parameters, compact text written for an LLM, and structured JSON with a schema.
//! Nothing here knows about MCP: the server and the CLI call tools through [`TOOLS`].
//!
//! Layout (see `docs/architecture.md`):
//! - [`tool`]: the contract ([`Tool`], [`call`], the type-erased [`ToolSpec`]); [`schema`]: the
//!   published JSON Schemas.
//! - [`context`]: what a call runs with ([`ToolContext`]) and looks at ([`Scope`]: the
//!   project, the window, and [`links`] into Coroot's UI for both).
//! - [`params`]: lenient parameter parsing; [`resolve`]: application ids; [`error`]: tool
//!   errors with a next step.
//! - [`render`]: the budgeted [`Answer`] builder (text and structured result cut together),
//!   units for people, the shared header.
//! - [`analysis`]: pure functions over Coroot's models, one answer per Coroot question
//!   (severity order, log grouping, the propagation root, fault kinds, markup, charts,
//!   table cells), used by every tool that asks it.
//! - [`redact`]: secrets masked in third-party text (log lines, span attributes).
//! - [`tools`]: one file (or folder) per tool, and the registry [`TOOLS`].
//! - [`check`]: the connection check.

pub mod analysis;
pub mod check;
pub mod context;
pub mod error;
pub mod links;
pub mod params;
pub mod redact;
pub mod render;
pub mod resolve;
pub mod schema;
pub mod tool;
pub mod tools;

#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use context::{Clock, Limits, Scope, Structured, ToolContext, Window};
pub use error::ToolError;
pub use render::{Answer, Frame, Health};
pub use tool::{BoxFuture, Tool, ToolOutput, ToolSpec, call, spec};
pub use tools::{TOOLS, find};
