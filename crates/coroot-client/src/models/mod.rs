//! Serde models of Coroot's responses, faithful to the Go JSON encoding: string statuses,
//! `null` lists, millisecond timestamps. Responses are decoded tolerantly: unknown fields are
//! ignored and missing or null fields take their default.

pub mod alerts;
pub mod app;
pub mod attributes;
pub mod common;
pub mod costs;
pub mod incidents;
pub mod logs;
pub mod metrics;
pub mod overview;
pub mod traces;
pub mod user;

pub use alerts::*;
pub use app::*;
pub use attributes::Attributes;
pub use common::*;
pub use costs::*;
pub use incidents::*;
pub use logs::*;
pub use metrics::*;
pub use overview::*;
pub use traces::*;
pub use user::*;
