//! The production incidents (with the AI RCA the Coroot Cloud RCA option serves) and the
//! rollouts that preceded them.

use super::cluster::Apps;
use super::plot::{P, Variant};
use crate::model::Status;
use crate::util::{DAY, HOUR, MIN};
use crate::world::{Burn, Deployment, Incident, PmApp, Rca};

/// The incidents of the variant. Each carries the burn rates of both SLOs (the app has both
/// SLIs) and, for the Coroot Cloud RCA option, an AI RCA.
pub(super) fn list(v: Variant, now: i64) -> Vec<Incident> {
    let mut out = Vec::new();
    let app = |kind: &str, name: &str| format!("{P}:default:{kind}:{name}");
    let pm = |name: &str,
              icon: &str,
              status,
              issues: &[&str],
              up: Option<(&str, Status, &str)>,
              down: Option<(&str, Status, &str)>| PmApp {
        id: app("Deployment", name),
        icon: icon.into(),
        status,
        issues: issues.iter().map(|s| s.to_string()).collect(),
        upstreams: up
            .map(|(n, s, st)| vec![(app("Deployment", n), s, vec![st.to_string()])])
            .unwrap_or_default(),
        downstreams: down
            .map(|(n, s, st)| vec![(app("Deployment", n), s, vec![st.to_string()])])
            .unwrap_or_default(),
    };
    let quiet = Burn {
        fast: (0.4, 0.6),
        slow: (0.3, 0.5),
    };
    if v.oom() {
        out.push(Incident {
            key: "q8w7e6r5".into(),
            app_id: app("Deployment", "checkout"),
            opened_at: now - 40 * MIN,
            resolved_at: None,
            availability: Some(Burn {
                fast: (19.0, 25.4),
                slow: (4.9, 24.3),
            }),
            latency: Some(Burn {
                fast: (1.2, 2.0),
                slow: (0.6, 1.1),
            }),
            availability_impact: 19.0,
            latency_impact: 0.8,
            rca: Some(Rca {
                short_summary: "payment OOM-killed after deploy 2.4.1".into(),
                root_cause: "The **payment** service is being killed by the OOM killer. Deployment `7d9f8b6c5: payment:2.4.1` (70 minutes ago) \
lowered the container memory limit from `512Mi` to `256Mi`, while the working set of payment 2.4.1 peaks at about 250Mi. \
Each OOM kill drops in-flight requests, so **checkout** fails to connect to payment and answers 502.".into(),
                immediate_fixes: "* Roll back payment to 2.4.0 or raise its memory limit to 512Mi:\n\n```\nkubectl -n default set resources deployment/payment --limits=memory=512Mi\n```\n\
* Watch `payment-7d9f8b6c5-x2x9k` leave CrashLoopBackOff.".into(),
                detailed: "### Timeline\n1. 70 minutes ago payment 2.4.1 was rolled out with `resources.limits.memory: 256Mi` (was 512Mi).\n\
2. Memory usage (RSS) of payment containers climbs to the limit within ~12 minutes of each start:\n\nWIDGET-0\n\n\
3. The kernel OOM killer terminated payment containers 3 times (`container_oom_kills_total`); pod `payment-7d9f8b6c5-x2x9k` is in CrashLoopBackOff:\n\nWIDGET-1\n\n\
4. checkout → payment connections fail while payment restarts; checkout returns HTTP 502 to frontend (19% of requests fail, burn rate 19x).\n\
5. frontend latency rises as its checkout calls time out and are retried.\n\n\
### Ruled out\n* node-2 memory pressure: the node has free memory; only the container limit is hit.\n* postgres: query latency of payment's queries is normal.".into(),
                propagation: vec![
                    pm("payment", "golang", Status::Critical, &["OOM killed 3 times", "restarts"], None, Some(("checkout", Status::Critical, "⚠️ failed connections"))),
                    pm("checkout", "java", Status::Critical, &["errors 19%"], Some(("payment", Status::Critical, "⚠️ failed connections")), Some(("frontend", Status::Ok, "📈 8 rps ⏱️ 95ms"))),
                    pm("frontend", "nodejs", Status::Critical, &["high latency"], Some(("checkout", Status::Ok, "📈 8 rps ⏱️ 95ms")), None),
                ],
                widgets: vec![
                    ("Memory usage (RSS) of payment, bytes".into(), "container_resources_memory_rss_bytes", "payment".into()),
                    ("Out of memory events of payment-7d9f8b6c5-x2x9k".into(), "container_oom_kills_total", "payment-7d9f8b6c5-x2x9k".into()),
                ],
            }),
        });
        out.push(Incident {
            key: "f1r2n3t4".into(),
            app_id: app("Deployment", "frontend"),
            opened_at: now - 42 * MIN,
            resolved_at: None,
            availability: Some(quiet),
            latency: Some(Burn {
                fast: (7.2, 9.6),
                slow: (6.8, 11.0),
            }),
            availability_impact: 0.3,
            latency_impact: 2.6,
            rca: None,
        });
    }
    if v.disk() {
        let (opened, resolved) = if v == Variant::Disk {
            (now - 35 * MIN, None)
        } else {
            (now - 5 * HOUR, Some(now - 4 * HOUR - 20 * MIN))
        };
        if v == Variant::Disk {
            out.push(Incident {
                key: "f1r2n3t4".into(),
                app_id: app("Deployment", "frontend"),
                opened_at: now - 37 * MIN,
                availability: Some(quiet),
                latency: Some(Burn {
                    fast: (7.0, 9.1),
                    slow: (6.4, 10.2),
                }),
                // Coroot measures both impacts since the opening (watchers/incidents.go
                // `calcImpact`): the quiet availability burn is 0.4% of failed requests.
                availability_impact: 0.4,
                latency_impact: 2.2,
                ..Incident::default()
            });
        }
        out.push(Incident {
            key: "a1b2c3d4".into(),
            app_id: app("Deployment", "catalog"),
            opened_at: opened,
            resolved_at: resolved,
            availability: Some(quiet),
            latency: Some(Burn {
                fast: (5.1, 16.0),
                slow: (8.4, 13.6),
            }),
            availability_impact: if v == Variant::Disk { 0.4 } else { 0.0 },
            latency_impact: 2.1,
            rca: Some(Rca {
                short_summary: "Slow postgres queries: disk I/O saturation on node-3".into(),
                root_cause: "The volume `/dev/nvme1n1` of **postgres** on **node-3** is saturated (I/O load ~9.5 seconds/second, average latency ~120ms), \
so postgres queries of **catalog** are slow.".into(),
                immediate_fixes: "* Move postgres to a volume with more provisioned IOPS.\n* Find and stop the I/O-heavy job on node-3.".into(),
                detailed: "### Evidence\n* The I/O load of `nvme1n1` on node-3 (`node_resources_disk_read_time_seconds_total` + `node_resources_disk_write_time_seconds_total`) rose from 0.4 to 9.5 seconds/second:\n\nWIDGET-0\n\n\
* postgres average query time rose above 100ms.\n* catalog latency SLO burned 8.4x within 6 hours.".into(),
                propagation: vec![
                    PmApp {
                        id: app("StatefulSet", "postgres"),
                        icon: "postgres".into(),
                        status: Status::Warning,
                        issues: vec!["disk I/O saturation on node-3".into()],
                        upstreams: Vec::new(),
                        downstreams: vec![(app("Deployment", "catalog"), Status::Critical, vec!["slow queries".into()])],
                    },
                    pm("catalog", "golang", Status::Critical, &["high latency"], None, None),
                ],
                widgets: vec![(
                    "Disk nvme1n1 write time of node-3, seconds/second".into(),
                    "node_resources_disk_write_time_seconds_total",
                    "node-3".into(),
                )],
            }),
        });
    }
    if v.full() {
        out.push(Incident {
            key: "z9y8x7w6".into(),
            app_id: app("Deployment", "cart"),
            opened_at: now - 3 * DAY - 25 * MIN,
            resolved_at: Some(now - 3 * DAY),
            availability: Some(Burn {
                fast: (15.3, 22.1),
                slow: (3.2, 9.0),
            }),
            latency: Some(quiet),
            availability_impact: 0.9,
            ..Incident::default()
        });
    }
    if v.full() {
        // A day-long latency incident of recommendation, resolved a day ago: its window
        // (±1h05m) is longer than 24 hours, so v1.17.4+ truncates it.
        out.push(Incident {
            key: "k7l6m5n4".into(),
            app_id: app("Deployment", "recommendation"),
            opened_at: now - 2 * DAY,
            resolved_at: Some(now - DAY),
            availability: Some(quiet),
            latency: Some(Burn {
                fast: (4.1, 9.0),
                slow: (6.3, 7.7),
            }),
            latency_impact: 3.4,
            ..Incident::default()
        });
    }
    if v == Variant::Tcp {
        out.push(Incident {
            key: "t5c4p3f2".into(),
            app_id: app("Deployment", "catalog"),
            opened_at: now - 30 * MIN,
            resolved_at: None,
            availability: Some(Burn {
                fast: (12.0, 20.0),
                slow: (6.6, 19.0),
            }),
            latency: Some(quiet),
            // The failed share since the opening (and its 5-minute lead), and the quiet
            // latency burn's slow share: Coroot measures both (watchers/incidents.go).
            availability_impact: 13.7,
            latency_impact: 0.5,
            rca: Some(Rca {
                short_summary: "catalog cannot connect to postgres".into(),
                root_cause: "TCP connections from **catalog** to **postgres** (`10.42.3.15:5432`) are refused.".into(),
                immediate_fixes: "* Check that postgres is listening and its NetworkPolicy allows catalog.".into(),
                detailed: "`container_net_tcp_failed_connects_total` of catalog to 10.42.3.15:5432 rose 45 minutes ago:\n\nWIDGET-0".into(),
                propagation: Vec::new(),
                widgets: vec![(
                    "Failed TCP connections of catalog, per second".into(),
                    "container_net_tcp_failed_connects_total",
                    "catalog".into(),
                )],
            }),
        });
    }
    out
}

/// The rollouts of the variant: payment's bad 2.4.1 in the OOM story, and two harmless ones.
pub(super) fn deployments(v: Variant, now: i64, a: &Apps) -> Vec<Deployment> {
    let mut out = Vec::new();
    if v.oom() {
        out.push(Deployment {
            app: a.payment,
            version: "7d9f8b6c5: payment:2.4.1".into(),
            started_at: now - 70 * MIN,
            status: Status::Critical,
            summary: vec![(
                "💔".into(),
                "Memory: app containers have been restarted 3 times by the OOM killer".into(),
                Some("Memory".into()),
            )],
        });
    }
    out.push(Deployment {
        app: a.catalog,
        version: "5f6a7b8c9: catalog:3.1.0".into(),
        started_at: now - 20 * HOUR,
        status: Status::Ok,
        summary: vec![("🎉".into(), "No notable changes".into(), None)],
    });
    out.push(Deployment {
        app: a.frontend,
        version: "6c8f9d7b5: frontend:1.9.0".into(),
        started_at: now - 3 * DAY,
        status: Status::Ok,
        summary: vec![("🎉".into(), "No notable changes".into(), None)],
    });
    out
}
