//! Load on the HTTP transport at CI size: many concurrent MCP sessions, each with its own
//! connection, calling every tool in turn through the real binary against the simulator.
//! Zero failed calls, one login, a bounded peak RSS, and no file descriptor left open once
//! the sessions have closed. The full-size run (200 sessions, 20,000 calls) is
//! `cargo bench -p coroot-mcp --bench load`; its result is in docs/reliability.md.

use crate::common::load::{LoadSpec, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_sessions_lose_no_call_and_leak_no_fd() {
    let sessions = std::env::var("LOAD_SESSIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let calls = std::env::var("LOAD_CALLS_PER_SESSION")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let report = run(LoadSpec {
        sessions,
        calls_per_session: calls,
    })
    .await;
    eprintln!("{}", report.render());
    assert_eq!(report.calls, sessions * calls, "every call answered");
    assert_eq!(report.failures, 0, "failures: {:#?}", report.failure_samples);
    assert_eq!(report.logins, 1, "one login shared by every session");
    assert!(
        report.fds_peak >= report.fds_before + sessions / 2,
        "the sessions really ran concurrently: {}",
        report.render()
    );
    // Afterwards: no MCP connection left but the harness's own keep-alive one, at most the
    // client's 16 idle connections to Coroot, and no other descriptor.
    assert!(
        report.inbound_after <= 1,
        "MCP connections left open: {}",
        report.render()
    );
    assert!(
        report.upstream_after <= 16,
        "idle connections to Coroot: {}",
        report.render()
    );
    assert!(
        // Connections to Coroot are the pool's (at most 16, checked above), not a leak.
        report.fds_after - report.upstream_after <= report.fds_before - report.upstream_before + 2,
        "file descriptors leaked: {}",
        report.render()
    );
    assert!(report.peak_rss_kib < 512 * 1024, "peak RSS {} KiB", report.peak_rss_kib);
    // Stable: the second half of the calls does not grow the server's memory.
    let margin = (report.rss_mid_kib / 4).max(8 * 1024);
    assert!(
        report.rss_end_kib <= report.rss_mid_kib + margin,
        "memory grew: {}",
        report.render()
    );
}
