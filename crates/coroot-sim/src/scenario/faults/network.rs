//! Network faults: packet loss on one node's interface, and an external dependency that cannot
//! be reached. Coroot sees both only through connections (v1.24.5:model/connection.go:105-135,
//! auditor/network.go): a link whose RTT samples stop is critical "connectivity issues"
//! (`NetworkConnectivity`), failed connects make it "failed connections"
//! (`NetworkTCPConnections`), and a slow round trip fires `NetworkRTT` (> 10 ms in-cluster).

use super::kit::{Breach, ERROR, Shop, Slo};
use super::noise;
use crate::scenario::truth::ExpectedCause;
use crate::util::{DAY, HOUR, MIN};
use crate::world::Shape;

/// When node-2's interface starts dropping packets.
fn loss_since(now: i64) -> i64 {
    now - 38 * MIN
}

/// node-2's network interface drops packets (an ENA pps allowance exceeded).
pub(super) fn packet_loss(s: &mut Shop) {
    let now = s.now;
    let since = loss_since(now);
    // cart runs only on node-2, so every connection to or from it crosses the lossy interface
    // and its RTT samples stop: "connectivity issues".
    s.with_link("cart", "redis", |l| l.no_connectivity = true);
    s.with_link("frontend", "cart", |l| l.no_connectivity = true);
    // Links with some pods on node-2 still carry RTT samples, inflated by retransmissions.
    for (from, to, rtt_ms) in [
        ("frontend", "catalog", 38.0),
        ("frontend", "checkout", 22.0),
        ("frontend", "recommendation", 19.0),
        ("catalog", "postgres", 31.0),
        ("checkout", "payment", 14.0),
        ("payment", "postgres", 12.0),
    ] {
        s.with_link(from, to, |l| l.rtt_ms = rtt_ms);
    }
    for (app, dest, per_s) in [
        ("cart", "10.42.1.81:6379", 41.0),
        ("frontend", "10.42.2.61:8080", 37.0),
        ("frontend", "10.42.2.51:8080", 22.0),
        ("catalog", "10.42.3.15:5432", 18.0),
        ("checkout", "10.42.3.41:8080", 6.0),
    ] {
        s.story(
            "container_net_tcp_retransmits_total",
            app,
            Some(("destination", dest)),
            Shape::Step {
                at: since,
                before: 0.02,
                after: per_s,
            },
        );
    }
    for (app, ip, rtt) in [("frontend", "10.42.2.51", 0.038), ("catalog", "10.42.3.15", 0.031)] {
        s.story(
            "container_net_latency_seconds",
            app,
            Some(("destination_ip", ip)),
            Shape::Step {
                at: since,
                before: 0.0005,
                after: rtt,
            },
        );
    }
    for app in ["frontend", "cart", "catalog", "checkout", "payment"] {
        s.with(app, |a| a.trouble_since = Some(since));
    }
    s.with("frontend", |a| a.latency_ms = 2400.0);
    s.with("cart", |a| a.latency_ms = 5000.0);
    s.open_incident(
        "m2v8q4rw",
        "frontend",
        &[Breach::errors(33.0, since), Breach::slow(18.0, since)],
    );
    s.open_incident("x7c3n9pd", "cart", &[Breach::errors(41.0, since + MIN)]);
    s.log_every(
        "cart",
        since + MIN,
        45_000,
        ERROR,
        "redis.exceptions.TimeoutError: Timeout reading from socket",
    );
    s.log_every(
        "frontend",
        since + 2 * MIN,
        60_000,
        ERROR,
        "GET /api/cart 504 5001ms - upstream request timeout",
    );
    noise::cdn_nxdomain(s);
    noise::harmless_deploy(s, "checkout", "6d9c8b7a5", "4.2.1", now - 75 * MIN);
    noise::old_incident(s, "j5r2h7ba", "cart", Slo::Latency, 2 * DAY + 3 * HOUR, 40 * MIN);
}

pub(super) const PACKET_LOSS: &[ExpectedCause] = &[ExpectedCause {
    kind: "connectivity",
    also: &["network_latency", "tcp_connect"],
    node: Some("node-2"),
    seen_in: &["cart", "frontend"],
    incidents: &["m2v8q4rw", "x7c3n9pd"],
    summary: "node-2's network interface drops packets: connections of its pods lose their RTT samples (cart → redis, frontend → cart: connectivity issues) or slow down",
    ..ExpectedCause::BASE
}];

/// api.stripe.com stops answering: payment's connects time out.
pub(super) fn external_dependency_down(s: &mut Shop) {
    let now = s.now;
    let since = now - 33 * MIN;
    s.with_link("payment", "api.stripe.com:443", |l| {
        l.failed_connects = true;
        l.no_connectivity = true;
    });
    s.with("payment", |a| {
        a.trouble_since = Some(since);
        a.dns = noise::lookups(
            noise::domain("api.stripe.com", 6.1),
            vec![noise::domain("postgres.default.svc.cluster.local", 3.0)],
        );
    });
    charges_fail(
        s,
        since,
        "charge failed: Post \"https://api.stripe.com/v1/charges\": dial tcp 54.187.216.72:443: i/o timeout",
        [("u4x6s2ti", 48.0), ("v9k1e5rm", 46.0)],
    );
    noise::harmless_deploy(s, "payment", "7a8b9c0d1", "2.4.2", now - 3 * HOUR);
    noise::old_incident(s, "g8t4z1nw", "checkout", Slo::Availability, 20 * HOUR, 25 * MIN);
}

/// payment cannot charge cards from `since` on and logs `why`; checkout answers 502 a minute
/// later. Both availability SLOs burn: incidents (key, percent failing) of payment, then checkout.
pub(super) fn charges_fail(s: &mut Shop, since: i64, why: &str, incidents: [(&str, f64); 2]) {
    let [(payment, p), (checkout, c)] = incidents;
    s.with("payment", |a| a.trouble_since = Some(since));
    s.with("checkout", |a| a.trouble_since = Some(since + MIN));
    s.open_incident(payment, "payment", &[Breach::errors(p, since)]);
    s.open_incident(checkout, "checkout", &[Breach::errors(c, since + MIN)]);
    s.log_every("payment", since, 30_000, ERROR, why);
    s.log_every(
        "checkout",
        since + MIN,
        40_000,
        ERROR,
        "upstream payment returned 502: charge failed",
    );
}

pub(super) const EXTERNAL_DEPENDENCY_DOWN: &[ExpectedCause] = &[ExpectedCause {
    app: Some("api.stripe.com:443"),
    app_id: Some("external:external:ExternalService:api.stripe.com:443"),
    kind: "connectivity",
    also: &["tcp_connect"],
    seen_in: &["payment"],
    incidents: &["u4x6s2ti", "v9k1e5rm"],
    summary: "the external service api.stripe.com:443 cannot be reached: payment's connects time out (connectivity issues, failed connections) and its charges fail",
    ..ExpectedCause::BASE
}];
