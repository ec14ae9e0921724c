//! coroot-mcp's integration tests, one binary (one link on a 2-core machine): the real binary
//! over stdio and HTTP against the simulator, the CLI, reliability under faults, bad input,
//! concurrency, load and secrets, long calls as MCP tasks, the tools/list budget, and the tool
//! names every text mentions. `common` is the shared MCP client and helpers (the load bench
//! reuses it).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

mod cli;
mod deploy;
mod mcp_http;
mod mcp_stdio;
mod names;
mod reliability_concurrency;
mod reliability_faults;
mod reliability_input;
mod reliability_load;
mod reliability_secrets;
mod tasks;
mod team_identity;
mod team_ops;
mod tools_list;
