//! Background noise every fault scenario shares, and the red herrings each picks from: things a
//! real cluster shows all the time that are not the root cause (a harmless rollout, a
//! long-standing DNS or memory warning, the search-path NXDOMAIN answers `ndots:5` causes, a
//! dismissed risk, an old resolved incident, a few benign errors).

use super::kit::{Shop, Slo, WARN};
use crate::util::{DAY, HOUR, MIN};
use crate::world::{DnsDomain, MIB, Shape};

/// Warning lines and a probe failure that come and go, and the dismissed single-instance risk of
/// cart: present in every fault scenario.
pub(super) fn common(s: &mut Shop) {
    let now = s.now;
    s.log_every(
        "frontend",
        now - 3 * HOUR + 4 * MIN,
        17 * MIN,
        WARN,
        "slow request: GET /api/recommendations took 1204ms",
    );
    s.log_every(
        "recommendation",
        now - 3 * HOUR + 11 * MIN,
        23 * MIN,
        WARN,
        "feature store lag 12s, serving cached scores",
    );
    s.event(
        now - 2 * HOUR - 13 * MIN,
        "Warning",
        "Unhealthy",
        ("Pod", "recommendation-5b7c9d8f6-k2j4h", "default"),
        ("kubelet", "node-1"),
        "Readiness probe failed: Get \"http://10.42.1.71:8080/healthz\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
    );
    s.dismiss(
        "cart",
        "single-instance-app",
        now - 12 * DAY,
        "cart is stateless and scales out before campaigns",
    );
}

/// A rollout that changed nothing Coroot measures ("No notable changes").
pub(super) fn harmless_deploy(s: &mut Shop, app: &str, hash: &str, tag: &str, at: i64) {
    s.deploy(app, hash, tag, at, Vec::new());
}

/// An incident of an app that resolved long ago, with no RCA.
pub(super) fn old_incident(s: &mut Shop, key: &str, app: &str, slo: Slo, opened_ago: i64, lasted: i64) {
    let opened = s.now - opened_ago;
    s.resolved_incident(key, app, slo, 27.0, (opened, opened + lasted));
}

/// frontend has received a trickle of NXDOMAIN answers for its asset CDN for four days (a
/// flaky secondary nameserver): `DnsNxdomainErrors` fires ("the app received an empty DNS
/// response 41 times") and the node.js client logs a warning, but nothing depends on it.
pub(super) fn cdn_nxdomain(s: &mut Shop) {
    let since = s.now - 4 * DAY - 3 * HOUR;
    s.with("frontend", |a| {
        a.dns = vec![
            domain("catalog.default.svc.cluster.local", 9.4),
            domain("checkout.default.svc.cluster.local", 4.1),
            DnsDomain {
                nx_a: 41,
                ..domain("cdn.shop-assets.net", 3.2)
            },
        ];
        a.trouble_since = Some(since);
    });
    s.story(
        "container_dns_requests_total",
        "frontend",
        Some(("status", "nxdomain")),
        Shape::Step {
            at: since,
            before: 0.0,
            after: 0.0114,
        },
    );
    s.log_every(
        "frontend",
        s.now - 3 * HOUR + 2 * MIN,
        9 * MIN,
        WARN,
        "asset manifest prefetch failed: getaddrinfo ENOTFOUND cdn.shop-assets.net",
    );
}

/// A domain that resolved on every request in the window.
pub(super) fn domain(name: &str, rps: f64) -> DnsDomain {
    DnsDomain {
        domain: name.into(),
        rps,
        ..DnsDomain::default()
    }
}

/// An app's DNS lookups: `main` and the search-path variants `ndots:5` makes the resolver try
/// first for it (NXDOMAIN every time, so Coroot counts none and leaves their Domain cells unknown,
/// auditor/dns.go:17-22), then `others`.
pub(super) fn lookups(main: DnsDomain, others: Vec<DnsDomain>) -> Vec<DnsDomain> {
    let variants = [
        format!("{}.default.svc.cluster.local", main.domain),
        format!("{}.svc.cluster.local", main.domain),
    ]
    .map(|d| DnsDomain {
        nx_a: (main.rps * 3600.0) as u32,
        nx_only: true,
        ..domain(&d, main.rps)
    });
    std::iter::once(main).chain(others).chain(variants).collect()
}

/// catalog resolves postgres through its search path.
pub(super) fn catalog_lookups(s: &mut Shop) {
    s.with("catalog", |a| {
        a.dns = lookups(domain("postgres.default.svc.cluster.local", 2.4), Vec::new());
    });
}

/// prometheus' memory has grown for hours as its head block fills (no limit is near):
/// `MemoryLeakPercent` reads "memory usage is growing by 13% per hour" (auditor/memory.go:125-140).
pub(super) fn prometheus_growth(s: &mut Shop) {
    let now = s.now;
    s.with("prometheus", |a| {
        a.mem_usage = 3400.0 * MIB;
        a.trouble_since = Some(now - 3 * HOUR);
    });
    s.fire("prometheus", "MemoryLeakPercent", 13.3);
    s.story(
        "container_resources_memory_rss_bytes",
        "prometheus",
        None,
        Shape::Sawtooth {
            from: now - 5 * HOUR - 30 * MIN,
            before: 1200.0 * MIB,
            lo: 1200.0 * MIB,
            hi: 3650.0 * MIB,
            period: 6 * HOUR,
        },
    );
}

/// recommendation logs a few benign errors an hour (cancelled refreshes): `LogErrors` fires and
/// the applications overview shows its logs `info` ("1 unique error").
pub(super) fn benign_errors(s: &mut Shop) {
    s.log_every(
        "recommendation",
        s.now - 2 * HOUR - 7 * MIN,
        21 * MIN,
        super::kit::ERROR,
        "failed to refresh model scores: context canceled",
    );
}
