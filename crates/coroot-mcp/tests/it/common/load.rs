//! The load driver shared by the CI-size test (`reliability_load`) and the full-size bench
//! (`benches/load.rs`): one `coroot-mcp serve --http` process against an in-process simulator,
//! many concurrent MCP sessions (each with its own HTTP client and connection) calling every
//! tool in turn, with the server's memory (VmRSS/VmHWM) and open file descriptors read from
//! /proc before, during and after.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;

use super::{Http, fd_count, rss_kib, tool_mix};

/// What to run.
#[derive(Debug, Clone, Copy)]
pub struct LoadSpec {
    /// Concurrent MCP sessions.
    pub sessions: usize,
    /// Tool calls per session.
    pub calls_per_session: usize,
}

/// What happened.
#[derive(Debug, Clone)]
pub struct LoadReport {
    pub spec: LoadSpec,
    pub calls: usize,
    pub failures: usize,
    /// First few failures, for the message.
    pub failure_samples: Vec<String>,
    pub elapsed: Duration,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
    /// Server VmRSS after warm-up, when half the calls were done, and after the run (KiB).
    pub rss_start_kib: u64,
    pub rss_mid_kib: u64,
    pub rss_end_kib: u64,
    /// Server VmHWM: the peak resident set over the process's life (KiB).
    pub peak_rss_kib: u64,
    /// Server open file descriptors after warm-up and after every session has closed.
    pub fds_before: usize,
    pub fds_after: usize,
    /// Idle connections to Coroot after warm-up.
    pub upstream_before: usize,
    /// Highest fd count seen while the sessions ran.
    pub fds_peak: usize,
    /// MCP client connections still open at the end (all sessions have closed theirs).
    pub inbound_after: usize,
    /// Idle connections to Coroot kept in the client's pool at the end.
    pub upstream_after: usize,
    /// Successful logins the simulator saw.
    pub logins: usize,
    pub tools: usize,
}

impl LoadReport {
    pub fn render(&self) -> String {
        let mib = |k: u64| k as f64 / 1024.0;
        format!(
            "sessions: {} · calls: {} ({} per session, {} tools round-robin) · failures: {}\n\
             elapsed: {:.1} s · throughput: {:.0} calls/s\n\
             latency: p50 {:.1} ms · p99 {:.1} ms · max {:.1} ms\n\
             server RSS: {:.1} MiB after warm-up · {:.1} MiB at half · {:.1} MiB at the end · peak (VmHWM) {:.1} MiB\n\
             server fds: {} before · {} peak · {} after ({} MCP client connections, {} idle connections to Coroot)\n\
             logins: {}",
            self.spec.sessions,
            self.calls,
            self.spec.calls_per_session,
            self.tools,
            self.failures,
            self.elapsed.as_secs_f64(),
            self.calls as f64 / self.elapsed.as_secs_f64().max(1e-9),
            self.p50.as_secs_f64() * 1e3,
            self.p99.as_secs_f64() * 1e3,
            self.max.as_secs_f64() * 1e3,
            mib(self.rss_start_kib),
            mib(self.rss_mid_kib),
            mib(self.rss_end_kib),
            mib(self.peak_rss_kib),
            self.fds_before,
            self.fds_peak,
            self.fds_after,
            self.inbound_after,
            self.upstream_after,
            self.logins,
        )
    }
}

/// Runs the load against a fresh simulator and server.
pub async fn run(spec: LoadSpec) -> LoadReport {
    let sim = super::sim().await;
    let (server, stderr) = Http::against(
        &sim.base_url(),
        &[("COROOT_TIMEOUT", "20"), ("COROOT_MCP_LOG", "warn")],
        None,
    )
    .await;
    let pid = server.pid().expect("server pid");

    // Warm-up: one session calls every tool once.
    let mut warm = server.fork(Some(reqwest::Client::new()));
    warm.initialize().await;
    let list = warm.request("tools/list", json!({})).await;
    let mix = tool_mix(&list);
    for (tool, args) in &mix {
        let (is_error, text) = warm.call(tool, args.clone()).await;
        assert!(!is_error, "warm-up {tool}: {text}");
    }
    warm.close().await;
    drop(warm);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let fds_before = fd_count(pid).expect("fd count");
    // The client keeps up to 16 idle connections to Coroot; how many is up to its pool.
    let upstream_before = super::tcp_ports(pid)
        .iter()
        .filter(|(_, r)| *r == sim.addr().port())
        .count();
    let rss_start_kib = rss_kib(pid).expect("rss").0;

    let mix = Arc::new(mix);
    let total = spec.sessions * spec.calls_per_session;
    let done = Arc::new(AtomicU64::new(0));
    let running = Arc::new(AtomicBool::new(true));
    // Sampler: the fd peak, RSS at half way, and a recording log that does not grow forever.
    let sampler = {
        let (done, running) = (done.clone(), running.clone());
        tokio::spawn(async move {
            let (mut fds_peak, mut rss_mid) = (0usize, 0u64);
            while running.load(Ordering::SeqCst) {
                fds_peak = fds_peak.max(fd_count(pid).unwrap_or(0));
                if rss_mid == 0 && done.load(Ordering::SeqCst) as usize >= total / 2 {
                    rss_mid = rss_kib(pid).map_or(0, |r| r.0);
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            (fds_peak, rss_mid)
        })
    };

    let started = Instant::now();
    let sessions: Vec<_> = (0..spec.sessions)
        .map(|i| {
            let mut c = server.fork(Some(reqwest::Client::new()));
            let (mix, done) = (mix.clone(), done.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(spec.calls_per_session);
                let mut failures = Vec::new();
                c.initialize().await;
                for k in 0..spec.calls_per_session {
                    let (tool, args) = &mix[(i + k) % mix.len()];
                    let t = Instant::now();
                    let (is_error, text) = c.call(tool, args.clone()).await;
                    latencies.push(t.elapsed());
                    if is_error {
                        failures.push(format!(
                            "session {i} call {k} {tool}: {}",
                            text.chars().take(300).collect::<String>()
                        ));
                    }
                    done.fetch_add(1, Ordering::SeqCst);
                }
                c.close().await;
                (latencies, failures)
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(total);
    let mut failures = Vec::new();
    let mut clearing = tokio::time::interval(Duration::from_secs(1));
    let mut pending = sessions;
    // Join the sessions while keeping the simulator's request log small.
    loop {
        tokio::select! {
            _ = clearing.tick() => sim.clear_requests(),
            () = tokio::time::sleep(Duration::from_millis(10)) => {
                let (finished, rest): (Vec<_>, Vec<_>) = pending.into_iter().partition(|h| h.is_finished());
                pending = rest;
                for h in finished {
                    match h.await {
                        Ok((l, f)) => {
                            latencies.extend(l);
                            failures.extend(f);
                        }
                        Err(e) => failures.push(format!("session task failed: {e}")),
                    }
                }
                if pending.is_empty() {
                    break;
                }
            }
        }
    }
    let elapsed = started.elapsed();
    running.store(false, Ordering::SeqCst);
    let (fds_peak, rss_mid_kib) = sampler.await.expect("sampler");
    // Every session's client is gone, so its connection closes; give the server a moment.
    let mcp_port: u16 = server.base.rsplit(':').next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let mut conns = super::tcp_ports(pid);
    for _ in 0..50 {
        if conns.iter().filter(|(l, _)| *l == mcp_port).count() <= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        conns = super::tcp_ports(pid);
    }
    let fds_after = fd_count(pid).unwrap_or(usize::MAX);
    let (rss_end_kib, peak_rss_kib) = rss_kib(pid).expect("rss");
    let inbound_after = conns.iter().filter(|(l, _)| *l == mcp_port).count();
    let upstream_after = conns.iter().filter(|(_, r)| *r == sim.addr().port()).count();
    let logins = sim.login_count();
    server.stop().await;
    let calls = latencies.len();
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(
                ((calls as f64 * p).ceil() as usize)
                    .saturating_sub(1)
                    .min(calls.saturating_sub(1)),
            )
            .copied()
            .unwrap_or_default()
    };
    let failures_n = failures.len() + total.saturating_sub(calls);
    if failures_n > 0 {
        eprintln!(
            "server stderr:\n{}",
            stderr.text().chars().take(4000).collect::<String>()
        );
    }
    LoadReport {
        spec,
        calls,
        failures: failures_n,
        failure_samples: failures.into_iter().take(5).collect(),
        elapsed,
        p50: pct(0.50),
        p99: pct(0.99),
        max: latencies.last().copied().unwrap_or_default(),
        rss_start_kib,
        rss_mid_kib,
        rss_end_kib,
        peak_rss_kib,
        fds_before,
        fds_after,
        upstream_before,
        fds_peak,
        inbound_after,
        upstream_after,
        logins,
        tools: mix.len(),
    }
}
