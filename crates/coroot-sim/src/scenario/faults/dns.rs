//! DNS faults, as the node agent counts answers per domain, type and rcode
//! (`container_dns_requests_total{status="ok|nxdomain|servfail"}`, coroot-node-agent
//! ebpftracer/l7/l7.go `Status.DNS`) and Coroot's DNS report judges them
//! (v1.24.5:auditor/dns.go): `DnsNxdomainErrors` counts NXDOMAIN answers for domains that also
//! resolved, `DnsServerErrors` every other failed rcode, `DnsLatency` the p95 answer time.

use super::kit::{Breach, ERROR, Shop, Slo};
use super::noise;
use crate::scenario::truth::ExpectedCause;
use crate::util::{DAY, HOUR, MIN};
use crate::world::{DnsDomain, Shape};

/// The `payment` Service is deleted (a manual cleanup): checkout's lookups of a name that
/// resolved until then get NXDOMAIN.
pub(super) fn nxdomain(s: &mut Shop) {
    let now = s.now;
    let since = now - 33 * MIN;
    s.with("checkout", |a| {
        a.dns = noise::lookups(
            DnsDomain {
                // 0.95 NXDOMAIN answers a second since the deletion.
                nx_a: 1_881,
                ..noise::domain("payment.default.svc.cluster.local", 3.1)
            },
            vec![noise::domain("otel-collector.monitoring.svc.cluster.local", 0.2)],
        );
        a.trouble_since = Some(since);
    });
    // Pooled keep-alive connections to payment's pods outlive the Service; new ones are not made.
    s.with_link("checkout", "payment", |l| {
        l.rps = 4.4;
        l.bytes_sent = 4.4 * 310.0;
        l.bytes_received = 4.4 * 2_480.0;
    });
    s.story(
        "container_dns_requests_total",
        "checkout",
        Some(("status", "nxdomain")),
        Shape::Step {
            at: since,
            before: 0.0,
            after: 0.95,
        },
    );
    s.open_incident("d4n5x1kq", "checkout", &[Breach::errors(45.0, since + MIN)]);
    s.log_every(
        "checkout",
        since + 20_000,
        20_000,
        ERROR,
        "I/O error on POST request for \"http://payment.default.svc.cluster.local:8080/charge\": payment.default.svc.cluster.local; nested exception is java.net.UnknownHostException: payment.default.svc.cluster.local",
    );
    noise::harmless_deploy(s, "cart", "3e4f5a6b7", "2.7.4", now - 50 * MIN);
    noise::old_incident(s, "y2q6f9hc", "checkout", Slo::Availability, 9 * HOUR, 18 * MIN);
}

pub(super) const NXDOMAIN: &[ExpectedCause] = &[ExpectedCause {
    app: Some("checkout"),
    app_id: Some("k3h2x9qa:default:Deployment:checkout"),
    kind: "dns",
    incidents: &["d4n5x1kq"],
    summary: "checkout's lookups of payment.default.svc.cluster.local get NXDOMAIN since the payment Service was deleted",
    ..ExpectedCause::BASE
}];

/// The cluster DNS cannot reach its upstream resolver: lookups of external names get SERVFAIL
/// after a 2 s timeout (in-cluster names still resolve).
pub(super) fn servfail(s: &mut Shop) {
    let now = s.now;
    let since = now - 32 * MIN;
    s.with("payment", |a| {
        a.dns = noise::lookups(
            DnsDomain {
                servfail: 2_114,
                ..noise::domain("api.stripe.com", 6.2)
            },
            vec![noise::domain("postgres.default.svc.cluster.local", 3.0)],
        );
        a.trouble_since = Some(since);
    });
    // The p95 answer time is the resolver's 2 s timeout: `DnsLatency` (value-based, 0.1 s).
    s.fire("payment", "DnsLatency", 2.01);
    s.with_link("payment", "api.stripe.com:443", |l| l.rps = 1.8);
    s.story(
        "container_dns_requests_total",
        "payment",
        Some(("status", "servfail")),
        Shape::Step {
            at: since,
            before: 0.0,
            after: 1.1,
        },
    );
    // Go's resolver reports SERVFAIL as "server misbehaving".
    super::network::charges_fail(
        s,
        since,
        "charge failed: Post \"https://api.stripe.com/v1/charges\": dial tcp: lookup api.stripe.com on 10.96.0.10:53: server misbehaving",
        [("s3rv5fq1", 38.0), ("h8j2w6tz", 34.0)],
    );
    noise::harmless_deploy(s, "payment", "7a8b9c0d1", "2.4.2", now - 2 * HOUR);
    noise::old_incident(s, "k4m8s2dv", "payment", Slo::Availability, 2 * DAY, 35 * MIN);
}

pub(super) const SERVFAIL: &[ExpectedCause] = &[ExpectedCause {
    app: Some("payment"),
    app_id: Some("k3h2x9qa:default:Deployment:payment"),
    kind: "dns",
    incidents: &["s3rv5fq1", "h8j2w6tz"],
    summary: "payment's lookups of api.stripe.com get SERVFAIL: the cluster DNS cannot reach its upstream resolver",
    ..ExpectedCause::BASE
}];
