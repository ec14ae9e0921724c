//! The server's own metrics, served at `/metrics` in Prometheus' text format (0.0.4) so that
//! Coroot, or any Prometheus, can scrape them: tool calls, errors and latency per tool, Coroot
//! requests by route and status with latency, logins, cache hits, calls in flight.
//!
//! Written by hand: a dozen families do not need a metrics crate. Labels hold only names the
//! server chose (tool names, route templates, statuses, error classes), never ids, arguments
//! or people's names, so the label sets stay small and free of secrets.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use coroot_client::Observer;

/// Upper bounds (seconds) of the tool-call latency buckets: an answer from the cache to a slow
/// investigation of a large cluster.
const TOOL_BUCKETS: [f64; 11] = [0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];

/// Upper bounds (seconds) of the Coroot-request latency buckets.
const COROOT_BUCKETS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 30.0];

/// A histogram: cumulative counts per bucket, the sum and the count.
#[derive(Default, Clone)]
struct Histogram {
    buckets: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, bounds: &[f64], seconds: f64) {
        if self.buckets.len() != bounds.len() {
            self.buckets = vec![0; bounds.len()];
        }
        for (count, bound) in self.buckets.iter_mut().zip(bounds) {
            if seconds <= *bound {
                *count += 1;
            }
        }
        self.sum += seconds;
        self.count += 1;
    }
}

/// Every labelled series, under one lock: they change a few times per tool call.
#[derive(Default)]
struct Series {
    tool_calls: BTreeMap<(String, &'static str), u64>,
    tool_errors: BTreeMap<(String, &'static str), u64>,
    tool_latency: BTreeMap<String, Histogram>,
    coroot_requests: BTreeMap<(&'static str, String), u64>,
    coroot_latency: BTreeMap<&'static str, Histogram>,
    logins: BTreeMap<&'static str, u64>,
    cache_hits: BTreeMap<&'static str, u64>,
    token_reloads: BTreeMap<&'static str, u64>,
}

/// The server's metrics. One per process, shared by every identity's client (as their
/// [`Observer`]) and by the handler.
#[derive(Default)]
pub struct Metrics {
    series: Mutex<Series>,
    in_flight: AtomicI64,
    cache_misses: AtomicU64,
    unauthorized: AtomicU64,
    identities: AtomicI64,
}

impl Metrics {
    /// A tool call started; the guard counts it in flight until dropped.
    pub fn call_started(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        InFlight(self)
    }

    /// Tool calls running now.
    pub fn in_flight(&self) -> i64 {
        self.in_flight.load(Ordering::SeqCst)
    }

    /// A tool call ended: `error` is its class when it failed.
    pub fn call_finished(&self, tool: &str, elapsed: Duration, error: Option<&'static str>) {
        let mut s = self.lock();
        let outcome = if error.is_some() { "error" } else { "ok" };
        *s.tool_calls.entry((tool.to_string(), outcome)).or_default() += 1;
        if let Some(class) = error {
            *s.tool_errors.entry((tool.to_string(), class)).or_default() += 1;
        }
        s.tool_latency
            .entry(tool.to_string())
            .or_default()
            .observe(&TOOL_BUCKETS, elapsed.as_secs_f64());
    }

    /// A request to /mcp was refused for its credentials.
    pub fn unauthorized(&self) {
        self.unauthorized.fetch_add(1, Ordering::Relaxed);
    }

    /// The number of Coroot identities the server holds a client for.
    pub fn set_identities(&self, n: usize) {
        self.identities
            .store(i64::try_from(n).unwrap_or(i64::MAX), Ordering::Relaxed);
    }

    /// The token file was read again: `ok` or `failed` (the old tokens stay).
    pub fn token_reload(&self, ok: bool) {
        *self
            .lock()
            .token_reloads
            .entry(if ok { "ok" } else { "failed" })
            .or_default() += 1;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Series> {
        self.series.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Everything, in Prometheus' text exposition format.
    pub fn render(&self) -> String {
        let s = self.lock();
        let mut out = String::with_capacity(8 * 1024);
        family(
            &mut out,
            "coroot_mcp_build_info",
            "gauge",
            "The running coroot-mcp version.",
        );
        let _ = writeln!(
            out,
            "coroot_mcp_build_info{{version=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION")
        );

        family(
            &mut out,
            "coroot_mcp_tool_calls_total",
            "counter",
            "Tool calls by tool and outcome (ok, error).",
        );
        for ((tool, outcome), n) in &s.tool_calls {
            let _ = writeln!(
                out,
                "coroot_mcp_tool_calls_total{{tool=\"{}\",outcome=\"{outcome}\"}} {n}",
                esc(tool)
            );
        }
        family(
            &mut out,
            "coroot_mcp_tool_errors_total",
            "counter",
            "Failed tool calls by tool and error class.",
        );
        for ((tool, class), n) in &s.tool_errors {
            let _ = writeln!(
                out,
                "coroot_mcp_tool_errors_total{{tool=\"{}\",class=\"{class}\"}} {n}",
                esc(tool)
            );
        }
        family(
            &mut out,
            "coroot_mcp_tool_call_duration_seconds",
            "histogram",
            "Tool call latency.",
        );
        for (tool, h) in &s.tool_latency {
            histogram(
                &mut out,
                "coroot_mcp_tool_call_duration_seconds",
                &format!("tool=\"{}\"", esc(tool)),
                &TOOL_BUCKETS,
                h,
            );
        }
        family(
            &mut out,
            "coroot_mcp_tool_calls_in_flight",
            "gauge",
            "Tool calls running now.",
        );
        let _ = writeln!(out, "coroot_mcp_tool_calls_in_flight {}", self.in_flight());

        family(
            &mut out,
            "coroot_mcp_coroot_requests_total",
            "counter",
            "HTTP requests to Coroot by route and status (error: no answer).",
        );
        for ((endpoint, status), n) in &s.coroot_requests {
            let _ = writeln!(
                out,
                "coroot_mcp_coroot_requests_total{{endpoint=\"{endpoint}\",status=\"{status}\"}} {n}"
            );
        }
        family(
            &mut out,
            "coroot_mcp_coroot_request_duration_seconds",
            "histogram",
            "Latency of HTTP requests to Coroot by route.",
        );
        for (endpoint, h) in &s.coroot_latency {
            histogram(
                &mut out,
                "coroot_mcp_coroot_request_duration_seconds",
                &format!("endpoint=\"{endpoint}\""),
                &COROOT_BUCKETS,
                h,
            );
        }
        family(
            &mut out,
            "coroot_mcp_coroot_logins_total",
            "counter",
            "Logins to Coroot by outcome (ok, failed).",
        );
        for (outcome, n) in &s.logins {
            let _ = writeln!(out, "coroot_mcp_coroot_logins_total{{outcome=\"{outcome}\"}} {n}");
        }
        family(
            &mut out,
            "coroot_mcp_cache_hits_total",
            "counter",
            "GETs answered without asking Coroot: from the response cache, or by sharing an identical request in flight.",
        );
        for (cache, n) in &s.cache_hits {
            let _ = writeln!(out, "coroot_mcp_cache_hits_total{{cache=\"{cache}\"}} {n}");
        }
        family(
            &mut out,
            "coroot_mcp_cache_misses_total",
            "counter",
            "GETs that had to ask Coroot.",
        );
        let _ = writeln!(
            out,
            "coroot_mcp_cache_misses_total {}",
            self.cache_misses.load(Ordering::Relaxed)
        );
        family(
            &mut out,
            "coroot_mcp_unauthorized_requests_total",
            "counter",
            "Requests to /mcp refused for a missing, unknown or revoked token.",
        );
        let _ = writeln!(
            out,
            "coroot_mcp_unauthorized_requests_total {}",
            self.unauthorized.load(Ordering::Relaxed)
        );
        family(
            &mut out,
            "coroot_mcp_identities",
            "gauge",
            "Coroot identities the server holds a session for.",
        );
        let _ = writeln!(out, "coroot_mcp_identities {}", self.identities.load(Ordering::Relaxed));
        family(
            &mut out,
            "coroot_mcp_token_reloads_total",
            "counter",
            "Reloads of the token file by outcome (ok, failed).",
        );
        for (outcome, n) in &s.token_reloads {
            let _ = writeln!(out, "coroot_mcp_token_reloads_total{{outcome=\"{outcome}\"}} {n}");
        }
        out
    }
}

impl Observer for Metrics {
    fn request(&self, endpoint: &'static str, status: Option<u16>, elapsed: Duration) {
        let mut s = self.lock();
        let status = status.map_or_else(|| "error".to_string(), |c| c.to_string());
        *s.coroot_requests.entry((endpoint, status)).or_default() += 1;
        s.coroot_latency
            .entry(endpoint)
            .or_default()
            .observe(&COROOT_BUCKETS, elapsed.as_secs_f64());
    }

    fn login(&self, ok: bool) {
        *self.lock().logins.entry(if ok { "ok" } else { "failed" }).or_default() += 1;
    }

    fn cache_hit(&self, kind: &'static str) {
        *self.lock().cache_hits.entry(kind).or_default() += 1;
    }

    fn cache_miss(&self) {
        self.cache_misses.fetch_add(1, Ordering::Relaxed);
    }
}

/// Counts a tool call in flight while alive.
pub struct InFlight<'a>(&'a Metrics);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

fn histogram(out: &mut String, name: &str, labels: &str, bounds: &[f64], h: &Histogram) {
    for (bound, count) in bounds.iter().zip(&h.buckets) {
        let _ = writeln!(out, "{name}_bucket{{{labels},le=\"{bound}\"}} {count}");
    }
    let _ = writeln!(out, "{name}_bucket{{{labels},le=\"+Inf\"}} {}", h.count);
    let _ = writeln!(out, "{name}_sum{{{labels}}} {}", h.sum);
    let _ = writeln!(out, "{name}_count{{{labels}}} {}", h.count);
}

/// A label value escaped as the text format requires.
fn esc(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_format_has_help_type_and_cumulative_buckets() {
        let m = Metrics::default();
        {
            let _call = m.call_started();
            assert_eq!(m.in_flight(), 1);
        }
        assert_eq!(m.in_flight(), 0);
        m.call_finished("coroot_get_nodes", Duration::from_millis(30), None);
        m.call_finished("coroot_get_nodes", Duration::from_secs(3), Some("timeout"));
        m.request("/api/user", Some(200), Duration::from_millis(2));
        m.request("/api/user", None, Duration::from_secs(1));
        m.login(true);
        m.cache_hit("response");
        let text = m.render();
        for line in [
            "# TYPE coroot_mcp_tool_calls_total counter",
            "coroot_mcp_tool_calls_total{tool=\"coroot_get_nodes\",outcome=\"ok\"} 1",
            "coroot_mcp_tool_calls_total{tool=\"coroot_get_nodes\",outcome=\"error\"} 1",
            "coroot_mcp_tool_errors_total{tool=\"coroot_get_nodes\",class=\"timeout\"} 1",
            "coroot_mcp_tool_call_duration_seconds_bucket{tool=\"coroot_get_nodes\",le=\"0.025\"} 0",
            "coroot_mcp_tool_call_duration_seconds_bucket{tool=\"coroot_get_nodes\",le=\"0.05\"} 1",
            "coroot_mcp_tool_call_duration_seconds_bucket{tool=\"coroot_get_nodes\",le=\"5\"} 2",
            "coroot_mcp_tool_call_duration_seconds_bucket{tool=\"coroot_get_nodes\",le=\"+Inf\"} 2",
            "coroot_mcp_tool_call_duration_seconds_count{tool=\"coroot_get_nodes\"} 2",
            "coroot_mcp_coroot_requests_total{endpoint=\"/api/user\",status=\"200\"} 1",
            "coroot_mcp_coroot_requests_total{endpoint=\"/api/user\",status=\"error\"} 1",
            "coroot_mcp_coroot_logins_total{outcome=\"ok\"} 1",
            "coroot_mcp_cache_hits_total{cache=\"response\"} 1",
            "coroot_mcp_tool_calls_in_flight 0",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line}:\n{text}");
        }
        // Every sample line belongs to a family declared above it.
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let name = line.split(['{', ' ']).next().unwrap();
            let base = name
                .trim_end_matches("_bucket")
                .trim_end_matches("_sum")
                .trim_end_matches("_count");
            assert!(
                text.contains(&format!("# TYPE {base} ")) || text.contains(&format!("# TYPE {name} ")),
                "{line}"
            );
        }
        assert_eq!(esc("a\"b\\c"), "a\\\"b\\\\c");
    }
}
