//! The scenario's stored logs: background container lines, each problem's errors and
//! warnings, and the Kubernetes events around them.

use std::sync::Arc;

use super::plot::{Variant, checkout_error_traces, oom_times};
use crate::prng::{Rng, hash_str};
use crate::util::{HOUR, MIN};
use crate::world::{LogRow, Project};

/// Appends log rows to a project (the fault scenarios write theirs with it too).
pub(crate) struct LogSink<'a> {
    pub(crate) p: &'a mut Project,
}

impl LogSink<'_> {
    /// A container log line of `app`'s pod number `pod_idx` (wrapping around its pods), as
    /// the node agent ships it (see `world::container_log_attrs`).
    pub(crate) fn container(&mut self, app: &str, pod_idx: usize, ts_ms: i64, sev: u8, msg: &str, trace: &str) {
        let Some(ai) = self.p.app_by_name(app) else {
            return;
        };
        let a = &self.p.apps[ai];
        let inst = &a.instances[pod_idx % a.instances.len().max(1)];
        let (service, attrs) = crate::world::container_log_attrs(&a.ns, &inst.name, &a.name, &inst.node);
        self.p.logs.push(LogRow {
            ts_ns: ts_ms * 1_000_000 + (ts_ms.rem_euclid(997)) * 1000 + 123,
            service: Arc::from(service.as_str()),
            app: Some(ai as u32),
            severity: sev,
            message: Arc::from(msg),
            trace_id: Arc::from(trace),
            attrs: Arc::new(attrs),
            pattern: Arc::from(crate::logpattern::hash(msg).as_str()),
            cluster: None,
        });
    }

    /// An OpenTelemetry log line of `service` (SDK resource attributes, no container).
    fn otel(&mut self, service: &str, ts_ms: i64, sev: u8, msg: &str, trace: &str) {
        let attrs = vec![
            ("service.name".to_string(), service.to_string()),
            ("telemetry.sdk.language".to_string(), "nodejs".to_string()),
        ];
        self.p.logs.push(LogRow {
            ts_ns: ts_ms * 1_000_000,
            service: Arc::from(service),
            app: self.p.app_by_name(service).map(|i| i as u32),
            severity: sev,
            message: Arc::from(msg),
            trace_id: Arc::from(trace),
            attrs: Arc::new(attrs),
            pattern: Arc::from(""),
            cluster: None,
        });
    }

    /// A Kubernetes event about `object` (kind, name, namespace) reported by `source`
    /// (component, host), stored as Coroot stores them: an OTel log of `KubernetesEvents`.
    pub(crate) fn event(
        &mut self,
        ts_ms: i64,
        typ: &str,
        reason: &str,
        (kind, name, ns): (&str, &str, &str),
        (component, host): (&str, &str),
        msg: &str,
    ) {
        let sev = match typ {
            "Normal" => 9,
            "Warning" => 13,
            _ => 0,
        };
        let mut attrs = vec![
            (
                "event.name".to_string(),
                format!("{name}.{:x}", hash_str(&format!("{reason}{ts_ms}")) & 0xffff_ffff_ffff),
            ),
            (
                "event.namespace".to_string(),
                if ns.is_empty() {
                    "default".to_string()
                } else {
                    ns.to_string()
                },
            ),
            ("event.reason".to_string(), reason.to_string()),
            ("object.kind".to_string(), kind.to_string()),
            ("object.name".to_string(), name.to_string()),
            ("object.namespace".to_string(), ns.to_string()),
            ("source.component".to_string(), component.to_string()),
            ("source.host".to_string(), host.to_string()),
            ("service.name".to_string(), "KubernetesEvents".to_string()),
        ];
        attrs.retain(|(_, v)| !v.is_empty());
        self.p.logs.push(LogRow {
            ts_ns: ts_ms * 1_000_000,
            service: Arc::from("KubernetesEvents"),
            app: None,
            severity: sev,
            message: Arc::from(msg),
            trace_id: Arc::from(""),
            attrs: Arc::new(attrs),
            pattern: Arc::from(""),
            cluster: None,
        });
    }
}

/// The production logs of the variant.
pub(super) fn production(p: &mut Project, v: Variant, now: i64) {
    let mut rng = Rng::new(1234);
    let mut sink = LogSink { p };
    // Background info lines over the last 3 hours.
    let infos: &[(&str, &[&str])] = &[
        (
            "frontend",
            &[
                "GET /api/products 200 12ms",
                "GET /api/cart 200 9ms",
                "POST /api/checkout 200 143ms",
                "GET / 200 3ms",
            ],
        ),
        (
            "checkout",
            &["order placed", "validating cart", "charging card via payment service"],
        ),
        ("payment", &["charge accepted", "charge request received"]),
        ("catalog", &["served product list", "cache refreshed: 1432 products"]),
        ("cart", &["cart updated", "cart loaded from redis"]),
        (
            "recommendation",
            &["computed recommendations for user", "model scores refreshed"],
        ),
        (
            "postgres",
            &[
                "checkpoint complete: wrote 1204 buffers (7.3%)",
                "automatic vacuum of table \"shop.public.orders\"",
            ],
        ),
        ("redis", &["DB saved on disk", "Background saving started by pid 42"]),
        ("prometheus", &["Compacting blocks", "Head GC completed"]),
        ("kube-proxy", &["Syncing iptables rules"]),
    ];
    let mut t = now - 3 * HOUR;
    while t < now {
        for (app, msgs) in infos {
            if rng.chance(0.5) {
                let m = msgs[rng.below(msgs.len())];
                let ts = t + rng.below(60_000) as i64;
                if ts < now {
                    sink.container(app, rng.below(4), ts, 9, m, "");
                }
            }
        }
        t += 60_000;
    }
    if v.oom() {
        for (i, (ts, tid)) in checkout_error_traces(now).into_iter().enumerate() {
            sink.container(
                "checkout",
                i,
                ts + 40,
                17,
                "upstream payment returned 502: connection reset by peer",
                &tid,
            );
        }
        for (i, ts) in oom_times(now).into_iter().enumerate() {
            sink.container(
                "payment",
                3,
                ts - 20_000,
                13,
                "memory usage at 94% of limit (241Mi/256Mi)",
                "",
            );
            sink.container(
                "payment",
                3,
                ts - 200,
                21,
                "runtime: out of memory: cannot allocate 268435456-byte block",
                "",
            );
            sink.container(
                "payment",
                3,
                ts + 15_000 + i as i64 * 1000,
                9,
                "starting payment service version 2.4.1",
                "",
            );
        }
        sink.container(
            "payment",
            0,
            now - 69 * MIN,
            9,
            "starting payment service version 2.4.1",
            "",
        );
        sink.container("payment", 1, now - 9 * MIN, 13, "slow charge: 2.3s for order 88123", "");
    }
    if v.tcp() {
        let mut t = now - 45 * MIN;
        let mut i = 0;
        while t < now {
            sink.container(
                "catalog",
                i,
                t + 777,
                17,
                "dial tcp 10.42.3.15:5432: connect: connection refused",
                "",
            );
            t += 120_000;
            i += 1;
        }
    }
    if v.disk() {
        let base = if v == Variant::Disk {
            now - 40 * MIN
        } else {
            now - 5 * HOUR
        };
        for k in 0..6 {
            sink.container(
                "postgres",
                0,
                base + k * 5 * MIN,
                13,
                "duration: 1843.221 ms  statement: SELECT id, name, price FROM products WHERE category_id = $1",
                "",
            );
        }
    }
    if v.full() {
        for k in 0..7 {
            sink.container(
                "cart",
                0,
                now - 52 * MIN + k * 7 * MIN,
                17,
                "dial tcp: lookup redis-cache.default.svc.cluster.local: no such host",
                "",
            );
        }
    }
    // Kubernetes events.
    if v.oom() {
        let pod = "payment-7d9f8b6c5-x2x9k";
        for (k, ts) in oom_times(now).into_iter().enumerate() {
            sink.event(
                ts + 30_000,
                "Warning",
                "BackOff",
                ("Pod", pod, "default"),
                ("kubelet", "node-2"),
                "Back-off restarting failed container payment in pod payment-7d9f8b6c5-x2x9k_default(3f1c9a52-8d7e-4b1a-9c6f-2e5d4a7b8c90)",
            );
            sink.event(
                ts - 100 + k as i64,
                "Warning",
                "OOMKilling",
                ("Node", "node-2", ""),
                ("kernel-monitor", "node-2"),
                "Memory cgroup out of memory: Killed process 4211 (payment) total-vm:812344kB, anon-rss:262144kB",
            );
        }
        sink.event(
            now - 69 * MIN,
            "Normal",
            "Killing",
            ("Pod", "payment-6b5a4c3d2-j8k9l", "default"),
            ("kubelet", "node-2"),
            "Stopping container payment",
        );
        sink.event(
            now - 25 * MIN,
            "Warning",
            "FailedScheduling",
            ("Pod", "payment-7d9f8b6c5-n5b6v", "default"),
            ("default-scheduler", ""),
            "0/4 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 3 Insufficient memory. preemption: 0/4 nodes are available: 4 No preemption victims found for incoming pod.",
        );
    }
    if v.full() {
        sink.event(
            now - 33 * MIN,
            "Warning",
            "Evicted",
            ("Pod", "recommendation-5b7c9d8f6-q1w2e", "default"),
            ("kubelet", "node-1"),
            "The node was low on resource: memory. Threshold quantity: 100Mi, available: 51200Ki. Container recommendation was using 1200Mi, request is 256Mi, has larger consumption of memory. ",
        );
    }
    sink.event(
        now - 20 * MIN,
        "Normal",
        "Killing",
        ("Pod", "prometheus-0", "monitoring"),
        ("kubelet", "node-2"),
        "Stopping container config-reloader",
    );
}

/// The quiet staging project's logs: a request line every five minutes; frontend also
/// ships OpenTelemetry logs (service.name `frontend`), so its app logs have both sources.
pub(super) fn staging(p: &mut Project, now: i64) {
    let mut sink = LogSink { p };
    let mut t = now - 2 * HOUR;
    while t < now {
        sink.container("frontend", 0, t, 9, "GET / 200 4ms", "");
        sink.container("catalog", 0, t + 1500, 9, "served product list", "");
        sink.otel("frontend", t + 700, 9, "rendered home page", &format!("{:032x}", t));
        t += 5 * MIN;
    }
}
