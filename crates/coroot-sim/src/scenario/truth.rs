//! The ground truth of the scenarios: for each independent problem of a scenario, the app,
//! node and kind of fault that is its root cause, so benchmarks and tests can score a root
//! cause analysis without parsing the scenario docs ([`crate::Scenario::expected_causes`]).

use crate::scenario::ecommerce::Variant;

/// One independent problem of a scenario and its root cause.
///
/// Matching a suspect (see [`ExpectedCause::matches`]): its kind is [`ExpectedCause::kind`] or
/// one of [`ExpectedCause::also`]; when the cause has an app, the suspect names it or one of
/// [`ExpectedCause::seen_in`] (by short name or full id); when it has a node, the suspect names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExpectedCause {
    /// Short name of the app the cause lives in (`payment`, `api.stripe.com:443`); `None` when
    /// the cause is a node (a node down, a lossy network interface).
    pub app: Option<&'static str>,
    /// The same app's full id in the production project (`k3h2x9qa:default:Deployment:payment`).
    pub app_id: Option<&'static str>,
    /// The kind of fault, one of [`ExpectedCause::KINDS`].
    pub kind: &'static str,
    /// Other kinds that name the same cause correctly (an OOM is also `memory` and `restarts`).
    pub also: &'static [&'static str],
    /// The node the cause is on, when a node is part of it.
    pub node: Option<&'static str>,
    /// Apps whose checks show the cause when it lives elsewhere (the client of an unreachable
    /// external service, the apps on a down node); naming one of them counts as naming the app.
    pub seen_in: &'static [&'static str],
    /// Keys of the open incidents this cause explains (empty when no incident covers it).
    pub incidents: &'static [&'static str],
    /// What happened, in one line.
    pub summary: &'static str,
}

impl ExpectedCause {
    /// The kinds of fault [`ExpectedCause::kind`] uses: coroot-tools' `analysis::signals::Kind`
    /// variants in snake_case, most fundamental first.
    pub const KINDS: &[&str] = &[
        "node_down",
        "oom",
        "disk_io",
        "tcp_connect",
        "dns",
        "cpu_throttling",
        "node_cpu",
        "memory",
        "disk_space",
        "connectivity",
        "network_latency",
        "instances_down",
        "restarts",
        "database",
        "runtime",
        "deploy",
        "other",
        "errors",
    ];

    /// A cause with every optional part empty, to build the others from.
    pub(crate) const BASE: ExpectedCause = ExpectedCause {
        app: None,
        app_id: None,
        kind: "other",
        also: &[],
        node: None,
        seen_in: &[],
        incidents: &[],
        summary: "",
    };

    /// Whether a suspect (its app as a short name, `namespace/name` or full id, its kind, its node) names this
    /// cause: its kind is [`ExpectedCause::kind`] or one of [`ExpectedCause::also`], and it names
    /// the cause's app (or, when the cause has an app, one of [`ExpectedCause::seen_in`]) or the
    /// cause's node. A cause with neither app nor node matches on the kind alone.
    pub fn matches(&self, app: Option<&str>, kind: &str, node: Option<&str>) -> bool {
        if kind != self.kind && !self.also.contains(&kind) {
            return false;
        }
        if self.app.is_none() && self.node.is_none() {
            return true;
        }
        // A full id (`…:Deployment:payment`) or `namespace/name` ends with the short name.
        let named = |want: &str| {
            app.is_some_and(|a| {
                a == want
                    || a.strip_suffix(want)
                        .is_some_and(|head| head.ends_with(':') || head.ends_with('/'))
            })
        };
        let app_hit = self.app.is_some_and(|a| named(a) || self.app_id.is_some_and(named))
            || (self.app.is_some() && self.seen_in.iter().any(|a| named(a)));
        app_hit || self.node.is_some_and(|n| node == Some(n))
    }
}

/// The ground truth of the e-commerce scenario and its single-story variants.
pub(crate) fn ecommerce(v: Variant) -> Vec<ExpectedCause> {
    const PAYMENT_OOM: ExpectedCause = ExpectedCause {
        app: Some("payment"),
        app_id: Some("k3h2x9qa:default:Deployment:payment"),
        kind: "oom",
        also: &["memory", "restarts", "deploy", "instances_down"],
        incidents: &["q8w7e6r5", "f1r2n3t4"],
        summary: "payment 2.4.1 (deployed 70 minutes ago with a 256Mi memory limit) is OOM-killed; checkout fails to connect to it and frontend slows down",
        ..ExpectedCause::BASE
    };
    const CATALOG_TCP: ExpectedCause = ExpectedCause {
        app: Some("catalog"),
        app_id: Some("k3h2x9qa:default:Deployment:catalog"),
        kind: "tcp_connect",
        also: &["connectivity"],
        summary: "catalog's TCP connections to postgres (10.42.3.15:5432) are refused",
        ..ExpectedCause::BASE
    };
    const NODE3_DISK: ExpectedCause = ExpectedCause {
        app: Some("postgres"),
        app_id: Some("k3h2x9qa:default:StatefulSet:postgres"),
        kind: "disk_io",
        also: &["database"],
        node: Some("node-3"),
        summary: "node-3's /dev/nvme1n1 (postgres' volume) is saturated, so postgres and catalog are slow",
        ..ExpectedCause::BASE
    };
    match v {
        Variant::Full => vec![
            PAYMENT_OOM,
            CATALOG_TCP,
            NODE3_DISK,
            ExpectedCause {
                app: Some("cart"),
                app_id: Some("k3h2x9qa:default:Deployment:cart"),
                kind: "dns",
                summary: "cart gets NXDOMAIN for redis-cache.default.svc.cluster.local",
                ..ExpectedCause::BASE
            },
            ExpectedCause {
                app: Some("recommendation"),
                app_id: Some("k3h2x9qa:default:Deployment:recommendation"),
                kind: "cpu_throttling",
                summary: "recommendation is CPU-throttled",
                ..ExpectedCause::BASE
            },
            ExpectedCause {
                kind: "node_down",
                also: &["instances_down"],
                node: Some("node-4"),
                summary: "node-4 is down (no metrics)",
                ..ExpectedCause::BASE
            },
        ],
        Variant::Oom => vec![PAYMENT_OOM],
        Variant::Tcp => vec![ExpectedCause {
            incidents: &["t5c4p3f2"],
            ..CATALOG_TCP
        }],
        Variant::Disk => vec![ExpectedCause {
            incidents: &["a1b2c3d4", "f1r2n3t4"],
            ..NODE3_DISK
        }],
        Variant::Healthy => Vec::new(),
    }
}
