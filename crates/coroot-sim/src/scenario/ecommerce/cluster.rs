//! The production cluster's topology: its nodes, its applications (with the checks the
//! variant's problems make fire), the links between them and the risks. Statuses are not
//! set here: Coroot derives them from the checks (see `render::audit`).

use super::plot::{P, Variant, oom_times};
use crate::model::Status;
use crate::util::{DAY, HOUR, MIN};
use crate::world::{App, Disk, DnsDomain, Instance, Link, MIB, Node, Project, Risk, Volume};

/// Indexes of the production apps that links, rollouts and risks refer to.
pub(super) struct Apps {
    pub frontend: usize,
    pub checkout: usize,
    pub payment: usize,
    pub catalog: usize,
    pub postgres: usize,
    pub cart: usize,
    pub reco: usize,
    pub redis: usize,
    pub stripe: usize,
}

/// A running pod.
pub(crate) fn pod(name: &str, node: &str, ip: &str) -> Instance {
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

/// A healthy m5.xlarge-like node with one root disk.
pub(super) fn node(name: &str, ip: &str, az: &str, cpu: u32, mem: u32) -> Node {
    Node {
        name: name.into(),
        cluster: None,
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

/// The four production nodes: node-4 is down and node-3's data disk saturated in the
/// variants that say so.
pub(super) fn nodes(v: Variant) -> Vec<Node> {
    let mut nodes = vec![
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
                // Priced from its instance type, as long as it reported in the window.
                price: Some(140.16),
                life_cycle: "on-demand".into(),
                ..Node::default()
            }
        } else {
            node("node-4", "10.0.1.14", "us-east-1a", 9, 22)
        },
    ];
    let (latency_ms, io_load) = if v.disk() { (120.0, 9.5) } else { (2.1, 0.4) };
    if let Some(n3) = nodes.get_mut(2) {
        n3.disks.push(Disk {
            device: "/dev/nvme1n1".into(),
            mounts: vec!["/var/lib/kubelet/pods/pvc-7f3a/volumes/kubernetes.io~csi/pvc-7f3a/mount".into()],
            used_by: vec!["postgres-0".into()],
            latency_ms,
            io_load,
            used: 71e9,
            total: 200e9,
        });
    }
    nodes
}

/// Adds the production apps and returns the indexes the story refers to.
pub(super) fn add_apps(p: &mut Project, v: Variant) -> Apps {
    let now = p.now_ms;
    let apps = Apps {
        frontend: p.add_app(frontend(v)),
        checkout: p.add_app(checkout(v, now)),
        payment: p.add_app(payment(v, now)),
        catalog: p.add_app(catalog(v, now)),
        postgres: p.add_app(postgres(v, now)),
        cart: p.add_app(cart(v, now)),
        reco: p.add_app(recommendation(v, now)),
        redis: p.add_app(redis()),
        // An external service payment calls: `external:external:ExternalService:<fqdn>:<port>`
        // (constructor/containers.go:580, 707-735).
        stripe: p.add_app(App {
            address: Some("52.9.221.18".into()),
            ..App::new("external", "external", "ExternalService", "api.stripe.com:443", None)
        }),
    };
    p.add_app(kube_proxy());
    p.add_app(prometheus());
    apps
}

/// The storefront; its latency SLO burns (incident `f1r2n3t4`) when payment OOMs or
/// postgres' disk is saturated.
fn frontend(v: Variant) -> App {
    let mut frontend = App::new(P, "default", "Deployment", "frontend", Some("nodejs"));
    frontend.instances = vec![
        pod("frontend-6c8f9d7b5-bcdfg", "node-1", "10.42.1.21"),
        pod("frontend-6c8f9d7b5-fghjk", "node-2", "10.42.2.22"),
    ];
    frontend.rps = 83.0;
    frontend.latency_ms = if v.oom() || v.disk() { 1200.0 } else { 180.0 };
    frontend.error_ratio = 0.004;
    frontend
}

/// Checkout; its availability SLO burns while payment is OOM-killed.
fn checkout(v: Variant, now: i64) -> App {
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
        // The availability SLO burns through incident `q8w7e6r5`; connections to the
        // crash-looping payment pod fail.
        checkout.error_ratio = 0.19;
        checkout.trouble_since = Some(now - 40 * MIN);
    }
    checkout
}

/// Payment: the OOM story's root cause (a 256Mi limit after the 2.4.1 rollout).
fn payment(v: Variant, now: i64) -> App {
    let mut payment = App::new(P, "default", "Deployment", "payment", Some("golang"));
    payment.instances = vec![
        pod("payment-7d9f8b6c5-m4k7p", "node-3", "10.42.3.41"),
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
        payment.trouble_since = oom_times(now).first().copied();
        payment = payment.fire("MemoryOOM", oom_times(now).len() as f64);
    } else {
        payment.mem_limit = 512.0 * MIB;
        payment.mem_usage = 210.0 * MIB;
    }
    payment
}

/// Catalog: cannot connect to postgres in the TCP story, slow in the disk story.
fn catalog(v: Variant, now: i64) -> App {
    let mut catalog = App::new(P, "default", "Deployment", "catalog", Some("golang"));
    catalog.instances = vec![
        pod("catalog-5f6a7b8c9-h2j4k", "node-2", "10.42.2.51"),
        pod("catalog-5f6a7b8c9-w9x8z", "node-3", "10.42.3.52"),
    ];
    catalog.rps = 40.0;
    catalog.latency_ms = 12.0;
    catalog.error_ratio = 0.001;
    if v.tcp() {
        // Its connections to postgres fail (the link's `failed_connects`).
        catalog.trouble_since = Some(now - 45 * MIN);
    }
    if v == Variant::Tcp {
        // Open incident `t5c4p3f2`: 12% of its requests failed over the last hour.
        catalog.error_ratio = 0.12;
    }
    if v == Variant::Disk {
        // The latency SLO burns through the open incident `a1b2c3d4`: 5.1% of the last hour's
        // requests took over 500 ms, which puts Coroot's interpolated p99 at 0.9 s at least.
        catalog.latency_ms = 900.0;
        catalog.trouble_since = Some(now - 40 * MIN);
    }
    catalog
}

/// Postgres on node-3, whose volume saturates in the disk story.
fn postgres(v: Variant, now: i64) -> App {
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
    postgres.latency_ms = if v.disk() { 48.0 } else { 2.0 };
    postgres.error_ratio = 0.0005;
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
        // StorageIOLoad follows from the volume's I/O load; the exporter sees slow queries.
        postgres = postgres.fire("PostgresLatency", 1.0);
        postgres.trouble_since = Some(super::plot::disk_since(v, now));
    }
    postgres
}

/// Cart: NXDOMAIN answers for a redis-cache service that does not exist, in the full story.
fn cart(v: Variant, now: i64) -> App {
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
        // DnsNxdomainErrors follows from the NXDOMAIN answers above.
        cart.trouble_since = Some(now - 52 * MIN);
    }
    cart
}

/// Recommendation: CPU-throttled in the full story, over-provisioned for the costs view.
fn recommendation(v: Variant, now: i64) -> App {
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
    reco.rps = 20.0;
    reco.latency_ms = 35.0;
    if v.full() {
        reco = reco.fire("CPUContainer", 1.0);
        reco.trouble_since = Some(now - 3 * HOUR);
    }
    reco
}

/// Redis, healthy (an unreplicated-database risk in the full story).
fn redis() -> App {
    let mut redis = App::new(P, "default", "StatefulSet", "redis", Some("redis"));
    let mut r0 = pod("redis-0", "node-1", "10.42.1.81");
    r0.labels = vec![("role".into(), "primary".into()), ("version".into(), "7.2.4".into())];
    redis.instances = vec![r0];
    redis.rps = 60.0;
    redis.latency_ms = 0.4;
    redis
}

/// kube-proxy, a control-plane DaemonSet on every node.
fn kube_proxy() -> App {
    let mut kp = App::new(P, "kube-system", "DaemonSet", "kube-proxy", Some("kube-proxy"));
    kp.instances = vec![
        pod("kube-proxy-4xk2m", "node-1", "10.0.1.11"),
        pod("kube-proxy-9pl4q", "node-2", "10.0.1.12"),
        pod("kube-proxy-v7n8b", "node-3", "10.0.1.13"),
    ];
    kp.cpu_usage = 0.01;
    kp.mem_usage = 30.0 * MIB;
    kp
}

/// Prometheus, in the monitoring namespace.
fn prometheus() -> App {
    let mut prom = App::new(P, "monitoring", "StatefulSet", "prometheus", Some("prometheus"));
    prom.instances = vec![pod("prometheus-0", "node-2", "10.42.2.91")];
    prom.cpu_usage = 0.4;
    prom.mem_usage = 1800.0 * MIB;
    prom.mem_limit = 4096.0 * MIB;
    prom
}

/// The connections between production apps; each problem marks its link.
pub(super) fn links(v: Variant, a: &Apps) -> Vec<Link> {
    let mut links = vec![
        Link::new(a.frontend, a.checkout, 8.0, 95.0, 8080),
        Link::new(a.frontend, a.catalog, 40.0, 12.0, 8080),
        Link::new(a.frontend, a.cart, 15.0, 8.0, 8080),
        Link::new(a.frontend, a.reco, 20.0, 35.0, 8080),
        Link::new(a.checkout, a.payment, 8.0, 40.0, 8080),
        Link::new(a.catalog, a.postgres, 120.0, if v.disk() { 48.0 } else { 2.0 }, 5432),
        Link::new(a.cart, a.redis, 60.0, 1.0, 6379),
        Link::new(a.payment, a.postgres, 6.0, 3.0, 5432),
        Link {
            rtt_ms: 11.0,
            ..Link::new(a.payment, a.stripe, 6.0, 180.0, 443)
        },
    ];
    // Connections to the crash-looping payment pod are refused while it restarts.
    if v.oom()
        && let Some(l) = links.get_mut(4)
    {
        l.failed_connects = true;
    }
    if v.tcp()
        && let Some(l) = links.get_mut(5)
    {
        l.failed_connects = true;
    }
    links
}

/// The risks the full story adds to the ones Coroot derives from the apps' instances
/// (single instances, unreplicated databases: `render::risks`): postgres is reachable from
/// the internet through the LoadBalancer Service `postgres-public`.
pub(super) fn risks(v: Variant, a: &Apps) -> Vec<Risk> {
    if !v.full() {
        return Vec::new();
    }
    vec![Risk {
        app: a.postgres,
        category: "Security",
        rtype: "db-internet-exposure",
        severity: Status::Critical,
        exposure: Some((
            vec!["34.201.10.7".into()],
            // A LoadBalancer exposes no port of the pod's own (risks.go `dbPortExposures`).
            Vec::new(),
            vec!["postgres-public".into()],
        )),
        description: None,
        dismissal: None,
    }]
}
