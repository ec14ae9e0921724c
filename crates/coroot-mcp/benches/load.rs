//! Full-size load on the HTTP transport: `cargo bench -p coroot-mcp --bench load`.
//!
//! One `coroot-mcp serve --http` process (the release binary) against an in-process
//! simulator; 200 concurrent MCP sessions, each with its own HTTP connection, make 100 tool
//! calls each (20,000 in all) round-robin over every tool. Prints calls, failures, p50/p99
//! latency, the server's RSS over the run and its peak (VmHWM from /proc/<pid>/status), and
//! its open file descriptors before, at peak and after. Exits non-zero on any failed call.
//! `LOAD_SESSIONS` and `LOAD_CALLS_PER_SESSION` change the size.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/it/common/mod.rs"]
mod common;

use common::load::{LoadSpec, run};

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let spec = LoadSpec {
        sessions: env_or("LOAD_SESSIONS", 200),
        calls_per_session: env_or("LOAD_CALLS_PER_SESSION", 100),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let report = runtime.block_on(run(spec));
    println!("coroot-mcp load bench (HTTP transport, release binary)");
    println!("{}", report.render());
    if report.failures > 0 {
        for sample in &report.failure_samples {
            println!("failure: {sample}");
        }
        std::process::exit(1);
    }
}
