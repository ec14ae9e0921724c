//! OOM kills with no rollout behind them: a marketing campaign more than doubles
//! recommendation's traffic, its per-request buffers push each gunicorn worker over the
//! container's 4 GB limit, and the kernel kills a worker every 11 minutes per pod. The master
//! process survives, so the containers are not restarted: `MemoryOOM` fires
//! (`container_oom_kills_total`, v1.24.5:auditor/memory.go:90-93), `InstanceRestarts` does not,
//! and no `MemoryLeakPercent` is found (the RSS resets too often for `MemoryGrowthPct`'s
//! 20-minute segments, auditor/memory.go:160-225).

use super::kit::{Breach, ERROR, Shop, Slo};
use super::noise;
use crate::scenario::truth::ExpectedCause;
use crate::util::{DAY, MIN};
use crate::world::Shape;

/// When the campaign's traffic arrives.
fn growth_since(now: i64) -> i64 {
    now - 55 * MIN
}

/// The OOM kills of each recommendation pod, with the node it runs on: every 11 minutes.
fn kills(now: i64) -> [(&'static str, &'static str, [i64; 4]); 2] {
    let at = |m: [i64; 4]| m.map(|x| now - x * MIN);
    [
        ("recommendation-5b7c9d8f6-k2j4h", "node-1", at([41, 30, 19, 8])),
        ("recommendation-5b7c9d8f6-z7x5c", "node-3", at([36, 25, 14, 3])),
    ]
}

/// recommendation is OOM-killed under grown traffic; its latency SLO burns (incident `key`).
pub(super) fn traffic_oom(s: &mut Shop, key: &str) {
    let now = s.now;
    let since = growth_since(now);
    s.with("recommendation", |a| {
        a.rps = 46.0;
        a.mem_usage = 3.6e9;
        a.cpu_usage = 0.9;
        a.latency_ms = 2600.0;
        a.trouble_since = Some(now - 41 * MIN);
    });
    s.with_link("frontend", "recommendation", |l| {
        l.rps = 46.0;
        l.bytes_sent = 46.0 * 310.0;
        l.bytes_received = 46.0 * 2_480.0;
    });
    s.story(
        "container_http_requests_total",
        "frontend",
        Some(("destination", "10.42.1.71:8080")),
        Shape::Step {
            at: since,
            before: 10.0,
            after: 23.0,
        },
    );
    let mut total = 0;
    for (pod, node, times) in kills(now) {
        total += times.len();
        s.story("container_oom_kills_total", pod, None, Shape::Events(times.to_vec()));
        // The RSS climbs to the limit and drops when the worker is killed.
        s.story(
            "container_resources_memory_rss_bytes",
            pod,
            None,
            Shape::Sawtooth {
                from: times[0] - 11 * MIN,
                before: 2.1e9,
                lo: 1.9e9,
                hi: 4.0e9,
                period: 11 * MIN,
            },
        );
        for (k, t) in times.into_iter().enumerate() {
            s.event(
                t,
                "Warning",
                "OOMKilling",
                ("Node", node, ""),
                ("kernel-monitor", node),
                &format!(
                    "Memory cgroup out of memory: Killed process {} (gunicorn) total-vm:5312448kB, anon-rss:3905112kB, file-rss:10240kB, shmem-rss:0kB",
                    41_000 + k * 37
                ),
            );
            // In the container's pid namespace the new worker gets the same pid every time.
            s.log(
                "recommendation",
                usize::from(node == "node-3"),
                t + 400,
                ERROR,
                "Worker (pid:9) was sent SIGKILL! Perhaps out of memory?",
            );
        }
    }
    s.fire("recommendation", "MemoryOOM", total as f64);
    s.open_incident(key, "recommendation", &[Breach::slow(28.0, now - 52 * MIN)]);
}

/// recommendation's OOM kills after traffic growth, no deploy.
pub(super) fn oom_without_deploy(s: &mut Shop) {
    let now = s.now;
    traffic_oom(s, "o3m7w5xa");
    noise::prometheus_growth(s);
    noise::harmless_deploy(s, "cart", "3e4f5a6b7", "2.7.4", now - 80 * MIN);
    noise::old_incident(s, "j5r2h7ba", "recommendation", Slo::Latency, 2 * DAY, MIN * 70);
}

pub(super) const OOM_WITHOUT_DEPLOY: &[ExpectedCause] = &[ExpectedCause {
    app: Some("recommendation"),
    app_id: Some("k3h2x9qa:default:Deployment:recommendation"),
    kind: "oom",
    also: &["memory"],
    incidents: &["o3m7w5xa"],
    summary: "recommendation's workers are OOM-killed (8 times in the hour) since a traffic surge; no rollout is involved",
    ..ExpectedCause::BASE
}];
