//! The simulator's integration tests, as one test binary (one link instead of one per file):
//! `server` covers the HTTP behaviour, `scenario` the scenario data, both over loopback
//! HTTP through the small client in `common`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod faults;
mod incidents_alerts;
mod logs_traces;
mod nodes_context;
mod real_shapes;
mod scenario;
mod server;
mod shape;
mod statuses;
mod versions;
