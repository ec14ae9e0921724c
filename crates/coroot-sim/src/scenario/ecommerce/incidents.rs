//! The production incidents, with Coroot's RCA where the story has one, and the rollouts
//! that preceded them.

use super::cluster::Apps;
use super::plot::{P, Variant};
use crate::model::Status;
use crate::util::{DAY, HOUR, MIN};
use crate::world::{BurnRate, Deployment, Incident, PmApp, Rca};

/// The incidents of the variant.
pub(super) fn list(v: Variant, now: i64) -> Vec<Incident> {
    let mut out = Vec::new();
    let pm = |name: &str,
              icon: &str,
              status,
              issues: &[&str],
              up: Option<(&str, Status, &str)>,
              down: Option<(&str, Status, &str)>| PmApp {
        id: format!("{P}:default:Deployment:{name}"),
        icon: icon.into(),
        status,
        issues: issues.iter().map(|s| s.to_string()).collect(),
        upstreams: up
            .map(|(n, s, st)| vec![(format!("{P}:default:Deployment:{n}"), s, vec![st.to_string()])])
            .unwrap_or_default(),
        downstreams: down
            .map(|(n, s, st)| vec![(format!("{P}:default:Deployment:{n}"), s, vec![st.to_string()])])
            .unwrap_or_default(),
    };
    if v.oom() {
        out.push(Incident {
            key: "q8w7e6r5".into(),
            app_id: format!("{P}:default:Deployment:checkout"),
            opened_at: now - 40 * MIN,
            resolved_at: None,
            severity: Status::Critical,
            availability_burn: Some(BurnRate { long_pct: 4.2, short_pct: 6.1, long_rate: 42.0, short_rate: 61.0, severity: Status::Critical, threshold: 14.4 }),
            latency_burn: None,
            availability_impact: 4.2,
            latency_impact: 0.0,
            short_description: "payment OOM-killed after deploy 2.4.1".into(),
            availability_slo: Some(("99% of requests should not fail".into(), "95.8%".into(), true, 0.0)),
            latency_slo: None,
            rca: Some(Rca {
                status: "OK".into(),
                short_summary: "payment OOM-killed after deploy 2.4.1".into(),
                root_cause: "The **payment** service is being killed by the OOM killer. Deployment `7d9f8b6c5: payment:2.4.1` (70 minutes ago) \
lowered the container memory limit from `512Mi` to `256Mi`, while the working set of payment 2.4.1 peaks at about 250Mi. \
Each OOM kill drops in-flight requests, so **checkout** receives `connection reset by peer` from payment and answers 502.".into(),
                immediate_fixes: "* Roll back payment to 2.4.0 or raise its memory limit to 512Mi:\n\n```\nkubectl -n default set resources deployment/payment --limits=memory=512Mi\n```\n\
* Watch `payment-7d9f8b6c5-x2x9k` leave CrashLoopBackOff.".into(),
                detailed: "### Timeline\n1. 70 minutes ago payment 2.4.1 was rolled out with `resources.limits.memory: 256Mi` (was 512Mi).\n\
2. Memory usage (RSS) of payment containers climbs to the limit within ~12 minutes of each start.\n\
3. The kernel OOM killer terminated payment containers 3 times (`container_oom_kills_total`); pod `payment-7d9f8b6c5-x2x9k` is in CrashLoopBackOff.\n\
4. checkout → payment connections are reset while payment restarts; checkout returns HTTP 502 to frontend (4.2% of requests fail, burn rate 42x).\n\
5. frontend latency rises as its checkout calls time out and are retried.\n\n\
### Ruled out\n* node-2 memory pressure: the node has free memory; only the container limit is hit.\n* postgres: query latency of payment's queries is normal.".into(),
                propagation: vec![
                    pm("payment", "golang", Status::Critical, &["OOM killed 3 times", "restarts"], None, Some(("checkout", Status::Critical, "⚠️ connection reset by peer"))),
                    pm("checkout", "java", Status::Critical, &["errors 4.2%"], Some(("payment", Status::Critical, "⚠️ connection reset by peer")), Some(("frontend", Status::Warning, "📈 8 rps ⏱️ 95ms"))),
                    pm("frontend", "nodejs", Status::Warning, &["high latency"], Some(("checkout", Status::Critical, "📈 8 rps ⏱️ 95ms")), None),
                ],
            }),
        });
    }
    if v.disk() {
        let (opened, resolved) = if v == Variant::Disk {
            (now - 35 * MIN, None)
        } else {
            (now - 5 * HOUR, Some(now - 4 * HOUR - 20 * MIN))
        };
        out.push(Incident {
            key: "a1b2c3d4".into(),
            app_id: format!("{P}:default:Deployment:catalog"),
            opened_at: opened,
            resolved_at: resolved,
            severity: Status::Warning,
            availability_burn: None,
            latency_burn: Some(BurnRate { long_pct: 2.1, short_pct: 3.4, long_rate: 8.4, short_rate: 13.6, severity: Status::Warning, threshold: 6.0 }),
            availability_impact: 0.0,
            latency_impact: 2.1,
            short_description: "Slow postgres queries: disk I/O saturation on node-3".into(),
            availability_slo: None,
            latency_slo: Some(("99% of requests should be served faster than 500ms".into(), "97.9%".into(), true, 0.5)),
            rca: Some(Rca {
                status: "OK".into(),
                short_summary: "Slow postgres queries: disk I/O saturation on node-3".into(),
                root_cause: "The volume `/dev/nvme1n1` of **postgres** on **node-3** is saturated (I/O load ~9.5 seconds/second, average latency ~120ms), \
so postgres queries of **catalog** are slow.".into(),
                immediate_fixes: "* Move postgres to a volume with more provisioned IOPS.\n* Find and stop the I/O-heavy job on node-3.".into(),
                detailed: "### Evidence\n* `node_disk_io_time_seconds_total` on node-3 rose from 0.4 to 9.5 s/s.\n* postgres average query time rose above 100ms.\n\
* catalog latency SLO burned 8.4x.".into(),
                propagation: vec![
                    PmApp {
                        id: format!("{P}:default:StatefulSet:postgres"),
                        icon: "postgres".into(),
                        status: Status::Warning,
                        issues: vec!["disk I/O saturation on node-3".into()],
                        upstreams: Vec::new(),
                        downstreams: vec![(format!("{P}:default:Deployment:catalog"), Status::Warning, vec!["slow queries".into()])],
                    },
                    pm("catalog", "golang", Status::Warning, &["high latency"], None, None),
                ],
            }),
        });
    }
    if v.full() {
        out.push(Incident {
            key: "z9y8x7w6".into(),
            app_id: format!("{P}:default:Deployment:cart"),
            opened_at: now - 3 * DAY - 25 * MIN,
            resolved_at: Some(now - 3 * DAY),
            severity: Status::Warning,
            short_description: "SLO violation".into(),
            ..Incident::default()
        });
    }
    if v == Variant::Tcp {
        out.push(Incident {
            key: "t5c4p3f2".into(),
            app_id: format!("{P}:default:Deployment:catalog"),
            opened_at: now - 30 * MIN,
            resolved_at: None,
            severity: Status::Warning,
            availability_burn: Some(BurnRate {
                long_pct: 1.2,
                short_pct: 2.0,
                long_rate: 12.0,
                short_rate: 20.0,
                severity: Status::Warning,
                threshold: 6.0,
            }),
            availability_impact: 1.2,
            short_description: "catalog cannot connect to postgres".into(),
            availability_slo: Some(("99% of requests should not fail".into(), "98.8%".into(), true, 0.0)),
            rca: Some(Rca {
                status: "OK".into(),
                short_summary: "catalog cannot connect to postgres".into(),
                root_cause: "TCP connections from **catalog** to **postgres** (`10.42.3.15:5432`) are refused.".into(),
                immediate_fixes: "* Check that postgres is listening and its NetworkPolicy allows catalog.".into(),
                detailed:
                    "`container_net_tcp_failed_connects_total` of catalog to 10.42.3.15:5432 rose 45 minutes ago."
                        .into(),
                propagation: Vec::new(),
            }),
            ..Incident::default()
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
