//! The `ecommerce` scenario: a production cluster in trouble after a bad payment deploy
//! (OOM kills → checkout 502s → frontend latency), plus a quiet staging project. The
//! story variants (`oom_after_deploy`, `tcp_connect_failures`, `node_disk_saturation`,
//! `healthy`) reuse the same cluster with only one root cause switched on.

use std::sync::Arc;

use crate::model::Status;
use crate::prng::Rng;
use crate::world::{
    App, BurnRate, Deployment, Disk, DnsDomain, Incident, Instance, Link, LogRow, MIB, MetricStory, Node, PmApp,
    Project, Rca, Risk, Shape, Span, Volume, World,
};

/// Which problems of the cluster are switched on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Variant {
    Full,
    Oom,
    Tcp,
    Disk,
    Healthy,
}

impl Variant {
    fn oom(self) -> bool {
        matches!(self, Variant::Full | Variant::Oom)
    }
    fn tcp(self) -> bool {
        matches!(self, Variant::Full | Variant::Tcp)
    }
    fn disk(self) -> bool {
        matches!(self, Variant::Full | Variant::Disk)
    }
    fn full(self) -> bool {
        self == Variant::Full
    }
}

const P: &str = "k3h2x9qa";
const S: &str = "p0m1n2b3";
const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;
const DAY: i64 = 24 * HOUR;

/// The error trace that ties frontend → checkout → payment together.
pub(crate) const ERROR_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

pub(crate) fn build(v: Variant, now: i64) -> World {
    World {
        projects: vec![production(v, now), staging(now)],
    }
}

fn pod(name: &str, node: &str, ip: &str) -> Instance {
    Instance {
        name: name.into(),
        node: node.into(),
        ip: ip.into(),
        status_text: "up (running)".into(),
        up: true,
        restarts: 0,
        labels: Vec::new(),
    }
}

fn node(name: &str, ip: &str, az: &str, cpu: u32, mem: u32) -> Node {
    Node {
        name: name.into(),
        status: Status::Ok,
        status_msg: "up".into(),
        ip: ip.into(),
        provider: "aws".into(),
        region: "us-east-1".into(),
        az: az.into(),
        instance_type: "m5.xlarge".into(),
        vcpu: 4,
        mem_gb: 16,
        cpu_percent: Some(cpu),
        mem_percent: Some(mem),
        uptime_ms: 23 * DAY + 4 * HOUR,
        kernel: "6.1.109-118.189.amzn2023.x86_64".into(),
        agent_version: "1.26.3".into(),
        disks: vec![Disk {
            device: "/dev/nvme0n1".into(),
            mounts: vec!["/".into()],
            used_by: Vec::new(),
            latency_ms: 1.2,
            io_load: 0.3,
            used: 38e9,
            total: 100e9,
        }],
        ifaces: vec!["eth0".into()],
        rx_bps: 180_000_000,
        tx_bps: 120_000_000,
        price: Some(140.16),
        life_cycle: "on-demand".into(),
    }
}

#[allow(clippy::too_many_lines)]
fn production(v: Variant, now: i64) -> Project {
    let mut p = Project::new(P, "production", now, 7);
    p.nodes = vec![
        node("node-1", "10.0.1.11", "us-east-1a", 28, 54),
        node("node-2", "10.0.1.12", "us-east-1b", 41, 72),
        node("node-3", "10.0.1.13", "us-east-1c", 35, 61),
        if v.full() {
            Node {
                name: "node-4".into(),
                status: Status::Warning,
                status_msg: "down (no metrics)".into(),
                ip: "10.0.1.14".into(),
                provider: "aws".into(),
                region: "us-east-1".into(),
                az: "us-east-1a".into(),
                instance_type: "m5.xlarge".into(),
                vcpu: 4,
                mem_gb: 16,
                cpu_percent: None,
                mem_percent: None,
                uptime_ms: 0,
                kernel: "6.1.109-118.189.amzn2023.x86_64".into(),
                agent_version: "1.26.3".into(),
                ifaces: vec!["eth0".into()],
                life_cycle: "on-demand".into(),
                ..Node::default()
            }
        } else {
            node("node-4", "10.0.1.14", "us-east-1a", 9, 22)
        },
    ];
    if v.disk() {
        if let Some(n3) = p.nodes.get_mut(2) {
            n3.disks.push(Disk {
                device: "/dev/nvme1n1".into(),
                mounts: vec!["/var/lib/kubelet/pods/pvc-7f3a/volumes/kubernetes.io~csi/pvc-7f3a/mount".into()],
                used_by: vec!["postgres-0".into()],
                latency_ms: 120.0,
                io_load: 9.5,
                used: 71e9,
                total: 200e9,
            });
        }
    } else if let Some(n3) = p.nodes.get_mut(2) {
        n3.disks.push(Disk {
            device: "/dev/nvme1n1".into(),
            mounts: vec!["/var/lib/kubelet/pods/pvc-7f3a/volumes/kubernetes.io~csi/pvc-7f3a/mount".into()],
            used_by: vec!["postgres-0".into()],
            latency_ms: 2.1,
            io_load: 0.4,
            used: 71e9,
            total: 200e9,
        });
    }

    // frontend
    let mut frontend = App::new(P, "default", "Deployment", "frontend", Some("nodejs"));
    frontend.instances = vec![
        pod("frontend-6c8f9d7b5-abcde", "node-1", "10.42.1.21"),
        pod("frontend-6c8f9d7b5-fghij", "node-2", "10.42.2.22"),
    ];
    frontend.rps = 83.0;
    frontend.latency_ms = 180.0;
    frontend.error_ratio = 0.004;
    if v.oom() || v.disk() {
        frontend.status = Status::Warning;
        frontend = frontend.with_check(
            "SLOLatency",
            Status::Warning,
            "error budget burn rate is 7.2x within 1 hour",
        );
        frontend.params.push(("latency", Status::Warning, "1.2s".into()));
    }
    let frontend = p.add_app(frontend);

    // checkout
    let mut checkout = App::new(P, "default", "Deployment", "checkout", Some("java"));
    checkout.instances = vec![
        pod("checkout-5d7f8c9b6-k8m2p", "node-1", "10.42.1.31"),
        pod("checkout-5d7f8c9b6-r4t6v", "node-3", "10.42.3.32"),
    ];
    checkout.cpu_limit = 2.0;
    checkout.mem_limit = 1024.0 * MIB;
    checkout.mem_usage = 610.0 * MIB;
    checkout.cpu_usage = 0.35;
    checkout.rps = 8.0;
    checkout.latency_ms = 95.0;
    checkout.error_ratio = 0.002;
    if v.oom() {
        checkout.status = Status::Critical;
        checkout.error_ratio = 0.042;
        checkout = checkout.with_check(
            "SLOAvailability",
            Status::Critical,
            "error budget burn rate is 42.0x within 1 hour",
        );
        checkout.params.push(("errors", Status::Critical, "4%".into()));
        checkout.params.push(("upstreams", Status::Critical, "0/1".into()));
    }
    let checkout = p.add_app(checkout);

    // payment
    let mut payment = App::new(P, "default", "Deployment", "payment", Some("golang"));
    payment.instances = vec![
        pod("payment-7d9f8b6c5-m3k7p", "node-3", "10.42.3.41"),
        pod("payment-7d9f8b6c5-q4w8n", "node-1", "10.42.1.42"),
        pod("payment-7d9f8b6c5-t6r2z", "node-1", "10.42.1.43"),
        pod("payment-7d9f8b6c5-x2x9k", "node-2", "10.42.2.44"),
    ];
    payment.rps = 8.0;
    payment.latency_ms = 40.0;
    if v.oom() {
        payment.mem_limit = 256.0 * MIB;
        payment.mem_usage = 236.0 * MIB;
        if let Some(i) = payment.instances.get_mut(3) {
            i.status_text = "down (waiting:CrashLoopBackOff)".into();
            i.up = false;
            i.restarts = 3;
        }
        payment.status = Status::Warning;
        payment = payment
            .with_check("InstanceRestarts", Status::Warning, "application restarted 3 times")
            .with_check(
                "MemoryOOM",
                Status::Warning,
                "application has been restarted 3 times by the OOM killer",
            );
        payment.params.push(("instances", Status::Warning, "3/4".into()));
        payment.params.push(("restarts", Status::Warning, "3".into()));
        payment.params.push(("memory", Status::Warning, "OOM".into()));
    } else {
        payment.mem_limit = 512.0 * MIB;
        payment.mem_usage = 210.0 * MIB;
    }
    let payment = p.add_app(payment);

    // catalog
    let mut catalog = App::new(P, "default", "Deployment", "catalog", Some("golang"));
    catalog.instances = vec![
        pod("catalog-5f6a7b8c9-h2j4k", "node-2", "10.42.2.51"),
        pod("catalog-5f6a7b8c9-w9x8y", "node-3", "10.42.3.52"),
    ];
    catalog.rps = 40.0;
    catalog.latency_ms = 12.0;
    catalog.error_ratio = 0.001;
    if v.tcp() {
        catalog.status = Status::Warning;
        catalog = catalog.with_check(
            "NetworkTCPConnections",
            Status::Warning,
            "failed to connect to 1 upstream service",
        );
        catalog.params.push(("network", Status::Warning, "failed conns".into()));
        catalog.params.push(("upstreams", Status::Warning, "0/1".into()));
    }
    if v == Variant::Disk {
        catalog.status = Status::Warning;
        catalog.latency_ms = 640.0;
        catalog = catalog.with_check(
            "SLOLatency",
            Status::Warning,
            "error budget burn rate is 8.4x within 1 hour",
        );
        catalog.params.push(("latency", Status::Warning, "640ms".into()));
    }
    let catalog = p.add_app(catalog);

    // postgres
    let mut postgres = App::new(P, "default", "StatefulSet", "postgres", Some("postgres"));
    let mut pg0 = pod("postgres-0", "node-3", "10.42.3.15");
    pg0.labels = vec![("role".into(), "primary".into()), ("version".into(), "16.4".into())];
    postgres.instances = vec![pg0];
    postgres.cpu_limit = 2.0;
    postgres.mem_limit = 4096.0 * MIB;
    postgres.mem_usage = 2300.0 * MIB;
    postgres.cpu_request_m = 1000;
    postgres.mem_request = 4e9;
    postgres.cpu_usage = 0.6;
    postgres.volumes = vec![Volume {
        name: "pgdata".into(),
        mount: "/var/lib/postgresql/data".into(),
        device: "/dev/nvme1n1".into(),
        latency_ms: if v.disk() { 120.0 } else { 2.1 },
        io_load: if v.disk() { 9.5 } else { 0.4 },
        used: 71e9,
        total: 200e9,
    }];
    if v.disk() {
        postgres.status = Status::Warning;
        postgres = postgres
            .with_check("StorageIOLoad", Status::Warning, "high I/O load of 1 volume")
            .with_check(
                "PostgresLatency",
                Status::Warning,
                "1 postgres instance is performing slowly",
            );
        postgres.params.push(("disk_io_load", Status::Warning, "9.5".into()));
    }
    let postgres = p.add_app(postgres);

    // cart
    let mut cart = App::new(P, "default", "Deployment", "cart", Some("python"));
    cart.instances = vec![pod("cart-7b8c9d0e1-p5q6r", "node-2", "10.42.2.61")];
    cart.rps = 15.0;
    cart.latency_ms = 8.0;
    cart.dns = vec![
        DnsDomain {
            domain: "redis.default.svc.cluster.local".into(),
            rps: 12.0,
            ..DnsDomain::default()
        },
        DnsDomain {
            domain: "redis-cache.default.svc.cluster.local".into(),
            rps: 0.5,
            nx_a: if v.full() { 7 } else { 0 },
            ..DnsDomain::default()
        },
    ];
    if v.full() {
        cart.status = Status::Warning;
        cart = cart.with_check(
            "DnsNxdomainErrors",
            Status::Warning,
            "the app received an empty DNS response 7 times",
        );
        cart.params.push(("dns", Status::Warning, "errors".into()));
    }
    let cart = p.add_app(cart);

    // recommendation
    let mut reco = App::new(P, "default", "Deployment", "recommendation", Some("python"));
    reco.instances = vec![
        pod("recommendation-5b7c9d8f6-k2j4h", "node-1", "10.42.1.71"),
        pod("recommendation-5b7c9d8f6-z7x5c", "node-3", "10.42.3.72"),
    ];
    reco.cpu_request_m = 2000;
    reco.cpu_limit = 2.0;
    reco.mem_request = 4e9;
    reco.mem_limit = 4e9;
    reco.cpu_usage = 0.3;
    reco.mem_usage = 700e6;
    reco.rec_cpu_m = Some(400);
    reco.rec_mem = Some(1e9);
    reco.rps = 20.0;
    reco.latency_ms = 35.0;
    if v.full() {
        reco.status = Status::Warning;
        reco = reco.with_check("CPUContainer", Status::Warning, "high CPU utilization of 1 container");
        reco.params.push(("cpu", Status::Warning, "shortage".into()));
    }
    let reco = p.add_app(reco);

    // redis
    let mut redis = App::new(P, "default", "StatefulSet", "redis", Some("redis"));
    let mut r0 = pod("redis-0", "node-1", "10.42.1.81");
    r0.labels = vec![("role".into(), "primary".into()), ("version".into(), "7.2.4".into())];
    redis.instances = vec![r0];
    redis.rps = 60.0;
    redis.latency_ms = 0.4;
    let redis = p.add_app(redis);

    let mut kp = App::new(P, "kube-system", "DaemonSet", "kube-proxy", Some("kube-proxy"));
    kp.instances = vec![
        pod("kube-proxy-4xk2m", "node-1", "10.0.1.11"),
        pod("kube-proxy-9pl3q", "node-2", "10.0.1.12"),
        pod("kube-proxy-v7n8b", "node-3", "10.0.1.13"),
    ];
    kp.cpu_usage = 0.01;
    kp.mem_usage = 30.0 * MIB;
    p.add_app(kp);

    let mut prom = App::new(P, "monitoring", "StatefulSet", "prometheus", Some("prometheus"));
    prom.instances = vec![pod("prometheus-0", "node-2", "10.42.2.91")];
    prom.cpu_usage = 0.4;
    prom.mem_usage = 1800.0 * MIB;
    prom.mem_limit = 4096.0 * MIB;
    p.add_app(prom);

    // links
    let link = |from, to, rps: f64, lat: f64, port| Link {
        from,
        to,
        status: Status::Ok,
        rps,
        latency_ms: lat,
        port,
        ..Link::default()
    };
    p.links = vec![
        link(frontend, checkout, 8.0, 95.0, 8080),
        link(frontend, catalog, 40.0, 12.0, 8080),
        link(frontend, cart, 15.0, 8.0, 8080),
        link(frontend, reco, 20.0, 35.0, 8080),
        link(checkout, payment, 8.0, 40.0, 8080),
        link(catalog, postgres, 120.0, if v.disk() { 48.0 } else { 2.0 }, 5432),
        link(cart, redis, 60.0, 1.0, 6379),
        link(payment, postgres, 6.0, 3.0, 5432),
    ];
    if v.oom()
        && let Some(l) = p.links.get_mut(4)
    {
        l.status = Status::Critical;
        l.reason = "connection reset by peer".into();
    }
    if v.tcp()
        && let Some(l) = p.links.get_mut(5)
    {
        l.status = Status::Warning;
        l.reason = "failed connections".into();
        l.failed_connects = true;
    }

    incidents(&mut p, v, now);
    deployments(&mut p, v, now, [frontend, payment, catalog]);
    if v.full() {
        p.risks = vec![
            Risk {
                app: redis,
                category: "Availability",
                rtype: "unreplicated-database",
                severity: Status::Critical,
                exposure: None,
                description: Some("Redis isn’t replicated - data loss possible".into()),
            },
            Risk {
                app: cart,
                category: "Availability",
                rtype: "single-instance-app",
                severity: Status::Warning,
                exposure: None,
                description: Some("Single instance - not resilient to node failure".into()),
            },
            Risk {
                app: postgres,
                category: "Security",
                rtype: "db-internet-exposure",
                severity: Status::Critical,
                exposure: Some((
                    vec!["34.201.10.7".into()],
                    vec!["5432".into()],
                    vec!["postgres-public".into()],
                )),
                description: None,
            },
        ];
    }
    p.alerts = if v == Variant::Healthy {
        Vec::new()
    } else {
        vec![("critical", 1), ("warning", 1)]
    };
    stories(&mut p, v, now);
    logs(&mut p, v, now);
    traces(&mut p, v, now);
    p.finish();
    p
}

fn incidents(p: &mut Project, v: Variant, now: i64) {
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
        p.incidents.push(Incident {
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
        p.incidents.push(Incident {
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
        p.incidents.push(Incident {
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
        p.incidents.push(Incident {
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
}

fn deployments(p: &mut Project, v: Variant, now: i64, [frontend, payment, catalog]: [usize; 3]) {
    if v.oom() {
        p.deployments.push(Deployment {
            app: payment,
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
    p.deployments.push(Deployment {
        app: catalog,
        version: "5f6a7b8c9: catalog:3.1.0".into(),
        started_at: now - 20 * HOUR,
        status: Status::Ok,
        summary: vec![("🎉".into(), "No notable changes".into(), None)],
    });
    p.deployments.push(Deployment {
        app: frontend,
        version: "6c8f9d7b5: frontend:1.9.0".into(),
        started_at: now - 3 * DAY,
        status: Status::Ok,
        summary: vec![("🎉".into(), "No notable changes".into(), None)],
    });
}

fn story(metric: &'static str, object: &str, label: Option<(&str, &str)>, shape: Shape) -> MetricStory {
    MetricStory {
        metric,
        object: object.into(),
        label: label.map(|(k, v)| (k.into(), v.into())),
        shape,
    }
}

/// The OOM kill times of the crash-looping payment pod.
fn oom_times(now: i64) -> Vec<i64> {
    vec![now - 58 * MIN, now - 41 * MIN, now - 16 * MIN]
}

fn stories(p: &mut Project, v: Variant, now: i64) {
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
            "container_memory_rss",
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
                after: 0.35,
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
        let at = if v == Variant::Disk {
            now - 40 * MIN
        } else {
            now - 5 * HOUR - 10 * MIN
        };
        s.push(story(
            "node_disk_io_time_seconds_total",
            "node-3",
            Some(("device", "nvme1n1")),
            Shape::Step {
                at,
                before: 0.4,
                after: 9.5,
            },
        ));
        s.push(story(
            "container_net_latency_seconds",
            "catalog",
            Some(("destination", "10.42.3.15:5432")),
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
    p.story = s;
}

struct LogSink<'a> {
    p: &'a mut Project,
}

impl LogSink<'_> {
    fn container(&mut self, app: &str, pod_idx: usize, ts_ms: i64, sev: u8, msg: &str, trace: &str) {
        let Some(ai) = self.p.app_by_name(app) else {
            return;
        };
        let a = &self.p.apps[ai];
        let inst = &a.instances[pod_idx % a.instances.len().max(1)];
        let service = format!("/k8s/{}/{}", a.ns, a.name);
        let attrs = vec![
            ("host.name".to_string(), inst.node.clone()),
            ("k8s.container.name".to_string(), a.name.clone()),
            ("k8s.namespace.name".to_string(), a.ns.clone()),
            ("k8s.pod.name".to_string(), inst.name.clone()),
            ("service.name".to_string(), service.clone()),
        ];
        self.p.logs.push(LogRow {
            ts_ns: ts_ms * 1_000_000 + (ts_ms.rem_euclid(997)) * 1000 + 123,
            service: Arc::from(service.as_str()),
            app: Some(ai as u32),
            severity: sev,
            message: Arc::from(msg),
            trace_id: Arc::from(trace),
            attrs: Arc::new(attrs),
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn event(
        &mut self,
        ts_ms: i64,
        typ: &str,
        reason: &str,
        kind: &str,
        name: &str,
        ns: &str,
        component: &str,
        host: &str,
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
                format!(
                    "{name}.{:x}",
                    crate::prng::hash_str(&format!("{reason}{ts_ms}")) & 0xffff_ffff_ffff
                ),
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
        });
    }
}

/// Trace ids of the checkout error traces (the first is [`ERROR_TRACE`]).
fn checkout_error_traces(now: i64) -> Vec<(i64, String)> {
    let mut rng = Rng::new(99);
    let mut out = vec![(now - 12 * MIN, ERROR_TRACE.to_string())];
    let mut t = now - 39 * MIN;
    while t < now - 30_000 {
        if (t - (now - 12 * MIN)).abs() > 60_000 {
            out.push((t, rng.hex(32)));
        }
        t += 150_000;
    }
    out
}

fn logs(p: &mut Project, v: Variant, now: i64) {
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
                "Pod",
                pod,
                "default",
                "kubelet",
                "node-2",
                "Back-off restarting failed container payment in pod payment-7d9f8b6c5-x2x9k_default(3f1c9a52-8d7e-4b1a-9c6f-2e5d4a7b8c90)",
            );
            sink.event(
                ts - 100 + k as i64,
                "Warning",
                "OOMKilling",
                "Node",
                "node-2",
                "",
                "kernel-monitor",
                "node-2",
                "Memory cgroup out of memory: Killed process 4211 (payment) total-vm:812344kB, anon-rss:262144kB",
            );
        }
        sink.event(
            now - 69 * MIN,
            "Normal",
            "Killing",
            "Pod",
            "payment-6b5a4c3d2-j8k9l",
            "default",
            "kubelet",
            "node-2",
            "Stopping container payment",
        );
        sink.event(
            now - 25 * MIN,
            "Warning",
            "FailedScheduling",
            "Pod",
            "payment-7d9f8b6c5-n5b6v",
            "default",
            "default-scheduler",
            "",
            "0/4 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 3 Insufficient memory. preemption: 0/4 nodes are available: 4 No preemption victims found for incoming pod.",
        );
    }
    if v.full() {
        sink.event(
            now - 33 * MIN,
            "Warning",
            "Evicted",
            "Pod",
            "recommendation-5b7c9d8f6-q1w2e",
            "default",
            "kubelet",
            "node-1",
            "The node was low on resource: memory. Threshold quantity: 100Mi, available: 51200Ki. Container recommendation was using 1200Mi, request is 256Mi, has larger consumption of memory. ",
        );
    }
    sink.event(
        now - 20 * MIN,
        "Normal",
        "Killing",
        "Pod",
        "prometheus-0",
        "monitoring",
        "kubelet",
        "node-2",
        "Stopping container config-reloader",
    );
}

struct SpanSink<'a> {
    p: &'a mut Project,
    rng: Rng,
}

impl SpanSink<'_> {
    #[allow(clippy::too_many_arguments)]
    fn span(
        &mut self,
        trace: &str,
        parent: &str,
        service: &str,
        name: &str,
        ts: i64,
        dur: f64,
        error: Option<&str>,
        attrs: &[(&str, &str)],
    ) -> String {
        let id = self.rng.hex(16);
        let mut a: Vec<(String, String)> = attrs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        a.push(("service.name".into(), service.into()));
        a.sort();
        let (is_err, msg) = match error {
            Some(m) => (true, m.to_string()),
            None => (false, String::new()),
        };
        let events = if is_err && !msg.is_empty() {
            vec![(
                ts + dur as i64,
                "exception".to_string(),
                vec![("exception.message".to_string(), msg.clone())],
            )]
        } else {
            Vec::new()
        };
        self.p.spans.push(Span {
            trace_id: Arc::from(trace),
            id: id.clone(),
            parent_id: parent.into(),
            service: Arc::from(service),
            name: Arc::from(name),
            ts_ms: ts,
            duration_ms: dur,
            error: is_err,
            status_message: msg,
            attrs: Arc::new(a),
            events,
        });
        id
    }
}

fn traces(p: &mut Project, v: Variant, now: i64) {
    let mut s = SpanSink { p, rng: Rng::new(4242) };
    if v.oom() {
        for (ts, tid) in checkout_error_traces(now) {
            let root = s.span(
                &tid,
                "",
                "frontend",
                "POST /api/checkout",
                ts,
                1_042.5,
                Some(""),
                &[
                    ("http.method", "POST"),
                    ("http.status_code", "502"),
                    ("http.url", "http://frontend/api/checkout"),
                    ("http.route", "/api/checkout"),
                ],
            );
            let co = s.span(
                &tid,
                &root,
                "checkout",
                "POST /checkout",
                ts + 3,
                1_030.0,
                Some("upstream payment returned 502"),
                &[
                    ("http.method", "POST"),
                    ("http.route", "/checkout"),
                    ("net.peer.name", "payment"),
                ],
            );
            s.span(
                &tid,
                &co,
                "payment",
                "POST /charge",
                ts + 9,
                1_012.0,
                Some("connection reset by peer"),
                &[
                    ("http.method", "POST"),
                    ("http.route", "/charge"),
                    ("server.address", "payment"),
                ],
            );
            s.span(
                &tid,
                &root,
                "catalog",
                "SELECT products",
                ts + 1,
                2.4,
                None,
                &[
                    ("db.system", "postgresql"),
                    ("db.operation", "SELECT"),
                    ("db.statement", "SELECT id, name, price FROM products WHERE id = $1"),
                    ("net.peer.name", "postgres"),
                ],
            );
        }
    }
    // OK traffic over the last 2 hours.
    let mut t = now - 2 * HOUR;
    let mut k = 0u64;
    while t < now - 5_000 {
        let tid = s.rng.hex(32);
        match k % 4 {
            0 => {
                let root = s.span(
                    &tid,
                    "",
                    "frontend",
                    "GET /api/products",
                    t,
                    14.2 + (k % 7) as f64,
                    None,
                    &[
                        ("http.method", "GET"),
                        ("http.status_code", "200"),
                        ("http.url", "http://frontend/api/products"),
                    ],
                );
                let c = s.span(
                    &tid,
                    &root,
                    "catalog",
                    "GET /products",
                    t + 1,
                    11.0 + (k % 5) as f64,
                    None,
                    &[
                        ("http.method", "GET"),
                        ("http.status_code", "200"),
                        ("http.route", "/products"),
                    ],
                );
                s.span(
                    &tid,
                    &c,
                    "catalog",
                    "SELECT products",
                    t + 2,
                    2.1,
                    None,
                    &[
                        ("db.system", "postgresql"),
                        ("db.operation", "SELECT"),
                        ("db.statement", "SELECT id, name, price FROM products LIMIT 50"),
                    ],
                );
            }
            1 => {
                let root = s.span(
                    &tid,
                    "",
                    "frontend",
                    "GET /api/cart",
                    t,
                    9.4,
                    None,
                    &[
                        ("http.method", "GET"),
                        ("http.status_code", "200"),
                        ("http.url", "http://frontend/api/cart"),
                    ],
                );
                let c = s.span(
                    &tid,
                    &root,
                    "cart",
                    "GET /cart",
                    t + 1,
                    6.2,
                    None,
                    &[
                        ("http.method", "GET"),
                        ("http.status_code", "200"),
                        ("http.route", "/cart"),
                    ],
                );
                s.span(
                    &tid,
                    &c,
                    "cart",
                    "HGETALL",
                    t + 2,
                    0.8,
                    None,
                    &[("db.system", "redis"), ("db.statement", "HGETALL cart:7781")],
                );
            }
            2 => {
                let root = s.span(
                    &tid,
                    "",
                    "frontend",
                    "POST /api/checkout",
                    t,
                    143.0,
                    None,
                    &[
                        ("http.method", "POST"),
                        ("http.status_code", "200"),
                        ("http.url", "http://frontend/api/checkout"),
                    ],
                );
                let c = s.span(
                    &tid,
                    &root,
                    "checkout",
                    "POST /checkout",
                    t + 2,
                    131.0,
                    None,
                    &[("http.method", "POST"), ("http.status_code", "200")],
                );
                s.span(
                    &tid,
                    &c,
                    "payment",
                    "POST /charge",
                    t + 5,
                    38.0,
                    None,
                    &[("http.method", "POST"), ("http.status_code", "200")],
                );
            }
            _ => {
                s.span(
                    &tid,
                    "",
                    "frontend",
                    "GET /healthz",
                    t,
                    0.4,
                    None,
                    &[
                        ("http.method", "GET"),
                        ("http.status_code", "200"),
                        ("http.url", "http://frontend/healthz"),
                    ],
                );
            }
        }
        t += 45_000;
        k += 1;
    }
    // eBPF spans, which the overview must leave out.
    let tid = s.rng.hex(32);
    s.span(
        &tid,
        "",
        "/k8s/default/frontend",
        "GET /api/products",
        now - 5 * MIN,
        13.0,
        None,
        &[("http.method", "GET")],
    );
    let tid = s.rng.hex(32);
    s.span(
        &tid,
        "",
        "/k8s/default/catalog",
        "query products",
        now - 7 * MIN,
        2.0,
        None,
        &[("db.system", "postgresql")],
    );
}

fn staging(now: i64) -> Project {
    let mut p = Project::new(S, "staging", now, 11);
    let mut n = node("stg-node-1", "10.1.1.11", "us-east-1a", 12, 38);
    n.instance_type = "t3.large".into();
    n.vcpu = 2;
    n.mem_gb = 8;
    n.price = Some(60.74);
    p.nodes = vec![n];
    let mut fe = App::new(S, "default", "Deployment", "frontend", Some("nodejs"));
    fe.instances = vec![pod("frontend-7d8e9f0a1-aaaaa", "stg-node-1", "10.43.1.11")];
    fe.rps = 2.0;
    fe.latency_ms = 15.0;
    let fe = p.add_app(fe);
    let mut cat = App::new(S, "default", "Deployment", "catalog", Some("golang"));
    cat.instances = vec![pod("catalog-6a7b8c9d0-bbbbb", "stg-node-1", "10.43.1.12")];
    cat.rps = 1.5;
    cat.latency_ms = 6.0;
    let cat = p.add_app(cat);
    p.links = vec![Link {
        from: fe,
        to: cat,
        status: Status::Ok,
        rps: 1.5,
        latency_ms: 6.0,
        port: 8080,
        ..Link::default()
    }];
    let mut sink = LogSink { p: &mut p };
    let mut t = now - 2 * HOUR;
    while t < now {
        sink.container("frontend", 0, t, 9, "GET / 200 4ms", "");
        sink.container("catalog", 0, t + 1500, 9, "served product list", "");
        t += 5 * MIN;
    }
    p.finish();
    p
}
