//! The client's integration tests, one binary: every endpoint, error class, the session and
//! retry logic against the simulator over loopback HTTP, and the fuzzing of the response
//! models. One binary links once, where one per file linked the simulator seven times.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

mod auth;
mod caching;
mod endpoints;
mod errors;
mod identities;
mod model_fuzz;
mod mutate;
mod resilience;
mod secrets;
