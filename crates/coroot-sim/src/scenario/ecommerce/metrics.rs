//! The metric stories: shape overrides that make the generated metrics show each problem
//! (OOM kills and restarts, 502s, failed connections, disk I/O, throttling, NXDOMAIN, a node
//! going down) at the moments the rest of the story says.

use super::plot::{Variant, disk_since, oom_times};
use crate::util::{HOUR, MIN};
use crate::world::{MIB, MetricStory, Shape};

fn story(metric: &'static str, object: &str, label: Option<(&str, &str)>, shape: Shape) -> MetricStory {
    MetricStory {
        metric,
        object: object.into(),
        label: label.map(|(k, v)| (k.into(), v.into())),
        shape,
    }
}

/// The overrides of the variant.
pub(super) fn stories(v: Variant, now: i64) -> Vec<MetricStory> {
    let mut s = Vec::new();
    if v.oom() {
        s.push(story(
            "container_oom_kills_total",
            "payment-7d9f8b6c5-x2x9k",
            None,
            Shape::Events(oom_times(now)),
        ));
        s.push(story(
            "container_restarts_total",
            "payment-7d9f8b6c5-x2x9k",
            None,
            Shape::Events(oom_times(now)),
        ));
        s.push(story(
            "container_resources_memory_rss_bytes",
            "payment",
            None,
            Shape::Sawtooth {
                from: now - 70 * MIN,
                before: 210.0 * MIB,
                lo: 150.0 * MIB,
                hi: 256.0 * MIB,
                period: 17 * MIN,
            },
        ));
        s.push(story(
            "container_http_requests_total",
            "checkout",
            Some(("status", "502")),
            Shape::Step {
                at: now - 40 * MIN,
                before: 0.0,
                after: 1.5,
            },
        ));
        s.push(story(
            "container_net_tcp_retransmits_total",
            "checkout",
            Some(("destination", "10.42.1.42:8080")),
            Shape::Step {
                at: now - 58 * MIN,
                before: 0.1,
                after: 4.0,
            },
        ));
        s.push(story(
            "up",
            "payment-7d9f8b6c5-x2x9k",
            None,
            Shape::DownFrom(now - 16 * MIN),
        ));
    }
    if v.tcp() {
        s.push(story(
            "container_net_tcp_failed_connects_total",
            "catalog",
            Some(("destination", "10.42.3.15:5432")),
            Shape::Step {
                at: now - 45 * MIN,
                before: 0.0,
                after: 1.8,
            },
        ));
    }
    if v.disk() {
        let at = disk_since(v, now);
        // The I/O load (read + write time per second) of nvme1n1 goes from 0.4 to 9.5.
        for (metric, share) in [
            ("node_resources_disk_read_time_seconds_total", 0.3),
            ("node_resources_disk_write_time_seconds_total", 0.7),
        ] {
            s.push(story(
                metric,
                "node-3",
                Some(("device", "nvme1n1")),
                Shape::Step {
                    at,
                    before: 0.4 * share,
                    after: 9.5 * share,
                },
            ));
        }
        s.push(story(
            "node_resources_disk_io_time_seconds_total",
            "node-3",
            Some(("device", "nvme1n1")),
            Shape::Step {
                at,
                before: 0.04,
                after: 0.95,
            },
        ));
        s.push(story(
            "container_net_latency_seconds",
            "catalog",
            Some(("destination_ip", "10.42.3.15")),
            Shape::Step {
                at,
                before: 0.0004,
                after: 0.0011,
            },
        ));
    }
    if v.full() {
        s.push(story(
            "container_resources_cpu_throttled_seconds_total",
            "recommendation",
            None,
            Shape::Step {
                at: now - 3 * HOUR,
                before: 0.02,
                after: 0.45,
            },
        ));
        s.push(story(
            "container_dns_requests_total",
            "cart",
            Some(("status", "nxdomain")),
            Shape::Step {
                at: now - 50 * MIN,
                before: 0.0,
                after: 0.002,
            },
        ));
    }
    if v.full() {
        s.push(story("up", "node-4", None, Shape::DownFrom(now - 30 * MIN)));
    }
    s
}
