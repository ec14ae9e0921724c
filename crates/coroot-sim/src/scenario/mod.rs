//! Scenarios: named, deterministic worlds the simulator can serve. A `Scenario` is only a
//! recipe; the world is materialised when the simulator starts, relative to its "now".

mod classes;
mod ecommerce;
mod faults;
mod synthetic;
mod truth;

use crate::world::World;

pub(crate) use ecommerce::Variant;
use faults::Fault;
pub use faults::INJECTIONS;
pub use synthetic::SyntheticSpec;
pub use truth::ExpectedCause;

/// A named, deterministic world the simulator serves.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    kind: Kind,
    cloud_rca: bool,
}

#[derive(Clone, Debug, PartialEq)]
enum Kind {
    Ecommerce(Variant),
    Empty,
    Synthetic(SyntheticSpec),
    Fault(Fault),
}

impl Scenario {
    /// Scenario names accepted by [`Scenario::by_name`].
    pub const NAMES: &'static [&'static str] = &[
        "ecommerce",
        "empty",
        "synthetic",
        "oom_after_deploy",
        "tcp_connect_failures",
        "node_disk_saturation",
        "healthy",
        "packet_loss",
        "dns_nxdomain",
        "dns_servfail",
        "disk_space_full",
        "oom_without_deploy",
        "cpu_throttling_after_limit_change",
        "noisy_neighbour",
        "node_down",
        "postgres_latency",
        "connection_pool_exhausted",
        "bad_deploy_log_errors",
        "hostile_telemetry",
        "external_dependency_down",
        "healthy_with_noise",
        "concurrent_faults",
    ];

    /// The realistic e-commerce cluster in trouble.
    ///
    /// * Projects: `production` (`k3h2x9qa`) and `staging` (`p0m1n2b3`, apps
    ///   `default:Deployment:frontend` and `default:Deployment:catalog`, node `stg-node-1`,
    ///   no incidents; frontend also ships OTel logs as service `frontend`). App ids are
    ///   `k3h2x9qa:<ns>:<Kind>:<name>`.
    /// * Production story: payment 2.4.1 (rolled out 70 minutes ago) is OOM-killed
    ///   (`MemoryOOM` 3 times; pod `payment-7d9f8b6c5-x2x9k` is `down
    ///   (waiting:CrashLoopBackOff)` with 3 restarts, so `InstanceRestarts` fires), checkout's
    ///   connections to it fail (link critical "failed connections", `NetworkTCPConnections`)
    ///   and checkout serves 19% errors (open incident `q8w7e6r5`, "error budget burn rate is
    ///   19.0x within 1 hour"); frontend's latency SLO burns (open incident `f1r2n3t4`, "…6.8x
    ///   within 6 hours"); catalog fails to connect to postgres (link critical, `NetworkTCPConnections`);
    ///   node-3's `/dev/nvme1n1` is saturated (postgres `StorageIOLoad` "high I/O load of 1
    ///   volume", I/O load 9.5, and `PostgresLatency`); cart gets NXDOMAIN answers for
    ///   `redis-cache.default.svc.cluster.local` (`DnsNxdomainErrors`, 7 times);
    ///   recommendation is CPU-throttled (`CPUContainer`); payment calls the external service
    ///   `external:external:ExternalService:api.stripe.com:443`. redis, kube-proxy
    ///   (control-plane) and prometheus (monitoring) are fine. Apps with error logs in the
    ///   window get a `LogErrors` warning.
    /// * Own statuses (SLO/Instances/Postgres/Redis): checkout and frontend critical, payment
    ///   and postgres warning, the rest ok. The applications overview adds the Net, DNS, CPU,
    ///   Storage and Logs indicators: cart, catalog and recommendation warning too.
    /// * Nodes node-1..node-3 up (node-3: cpu 35%, memory 61%, `/dev/nvme1n1` latency 120 ms,
    ///   I/O load 9.5); node-4 "down (no metrics)".
    /// * Incidents: `q8w7e6r5` (checkout, open, opened now-40m), `f1r2n3t4` (frontend, open,
    ///   now-42m), `a1b2c3d4` (catalog latency, opened now-5h, resolved now-4h20m),
    ///   `k7l6m5n4` (recommendation latency, a day long, resolved a day ago), `z9y8x7w6`
    ///   (cart availability, resolved now-3d). With [`Scenario::with_cloud_rca`] q8w7e6r5 and
    ///   a1b2c3d4 carry an AI RCA with widgets and propagation maps.
    /// * Deployments: payment `7d9f8b6c5: payment:2.4.1` (now-70m, critical), catalog
    ///   `5f6a7b8c9: catalog:3.1.0` (now-20h), frontend `6c8f9d7b5: frontend:1.9.0` (now-3d).
    /// * Error trace `4bf92f3577b34da6a3ce929d0e0e4736` (frontend → checkout → payment, plus a
    ///   catalog `SELECT products` span) 12 minutes before now; eBPF spans of frontend →
    ///   catalog and catalog → postgres.
    /// * Every simulated JVM runs without async-profiler and every postgres with
    ///   `track_io_timing` off, so their reports carry a `configuration_hint` (v1.19.0+/v1.24.0+).
    pub fn ecommerce() -> Scenario {
        Scenario {
            kind: Kind::Ecommerce(Variant::Full),
            cloud_rca: false,
        }
    }

    /// One project "default" (id `d3f4u1t0`) with nothing in it.
    pub fn empty() -> Scenario {
        Scenario {
            kind: Kind::Empty,
            cloud_rca: false,
        }
    }

    /// A large generated world (project `synthetic`, id `s7n7h3t1`); deterministic from
    /// `spec.seed`. About 3% of the apps burn error budget, the first five of them with an
    /// open incident (their SLO checks fire); 10% have one problem each (OOM kills, CPU
    /// throttling, restarts, a memory leak, an unavailable instance, or failed connections,
    /// half of them with connectivity issues); about 5% of the nodes run above 80% CPU
    /// (`CPUNode` in their apps). 50 incidents in all, mostly resolved over the last week.
    pub fn synthetic(spec: SyntheticSpec) -> Scenario {
        Scenario {
            kind: Kind::Synthetic(spec),
            cloud_rca: false,
        }
    }

    /// Only the payment OOM-after-deploy story (same project ids as `ecommerce`; incidents
    /// `q8w7e6r5` and `f1r2n3t4`).
    pub fn oom_after_deploy() -> Scenario {
        Scenario {
            kind: Kind::Ecommerce(Variant::Oom),
            cloud_rca: false,
        }
    }

    /// Only the catalog → postgres TCP connection failure story (open incident `t5c4p3f2`).
    pub fn tcp_connect_failures() -> Scenario {
        Scenario {
            kind: Kind::Ecommerce(Variant::Tcp),
            cloud_rca: false,
        }
    }

    /// Only the node-3 disk I/O saturation story (postgres slow; open latency incidents
    /// `a1b2c3d4` of catalog and `f1r2n3t4` of frontend).
    pub fn node_disk_saturation() -> Scenario {
        Scenario {
            kind: Kind::Ecommerce(Variant::Disk),
            cloud_rca: false,
        }
    }

    /// The e-commerce cluster with nothing wrong.
    pub fn healthy() -> Scenario {
        Scenario {
            kind: Kind::Ecommerce(Variant::Healthy),
            cloud_rca: false,
        }
    }

    /// The same scenario on a Coroot connected to Coroot Cloud: its incidents that have an
    /// AI root cause analysis serve it (`rca.status: "OK"`, root cause, fixes, a detailed
    /// analysis whose `WIDGET-<n>` lines refer to `rca.widgets[n]`, the propagation map), and
    /// their `short_description` is the RCA's summary. Without it, as on open-source Coroot,
    /// every incident's `rca` is `{"status": "AI disabled", …}` (v1.14.0+; null before) and
    /// `short_description` is Coroot's automatic text ("High latency and errors", …).
    pub fn with_cloud_rca(mut self) -> Scenario {
        self.cloud_rca = true;
        self
    }

    pub(crate) fn cloud_rca(&self) -> bool {
        self.cloud_rca
    }

    /// Looks a scenario up by one of [`Scenario::NAMES`].
    pub fn by_name(name: &str) -> Option<Scenario> {
        match name {
            "ecommerce" => Some(Scenario::ecommerce()),
            "empty" => Some(Scenario::empty()),
            "synthetic" => Some(Scenario::synthetic(SyntheticSpec::default())),
            "oom_after_deploy" => Some(Scenario::oom_after_deploy()),
            "tcp_connect_failures" => Some(Scenario::tcp_connect_failures()),
            "node_disk_saturation" => Some(Scenario::node_disk_saturation()),
            "healthy" => Some(Scenario::healthy()),
            _ => Fault::by_name(name).map(Scenario::fault),
        }
    }

    /// Materialises the world relative to `now_ms`.
    pub(crate) fn build(&self, now_ms: i64) -> World {
        match &self.kind {
            Kind::Ecommerce(v) => ecommerce::build(*v, now_ms),
            Kind::Empty => {
                let mut p = crate::world::Project::new("d3f4u1t0", "default", now_ms, 1);
                p.finish();
                World::new(vec![p])
            }
            Kind::Synthetic(spec) => synthetic::build(spec, now_ms),
            Kind::Fault(f) => f.build(now_ms),
        }
    }

    /// The ground truth: one [`ExpectedCause`] per independent problem of the scenario, the
    /// one behind the open incidents first; empty for a scenario with nothing wrong (`healthy`,
    /// `healthy_with_noise`, `empty`) and for `synthetic`, whose problems are random.
    pub fn expected_causes(&self) -> Vec<ExpectedCause> {
        match &self.kind {
            Kind::Ecommerce(v) => truth::ecommerce(*v),
            Kind::Fault(f) => f.truth().to_vec(),
            Kind::Empty | Kind::Synthetic(_) => Vec::new(),
        }
    }

    /// The root cause of the scenario's open incidents: the first of
    /// [`Scenario::expected_causes`], `None` when nothing is wrong. Scenarios with several
    /// independent problems (`ecommerce`, `concurrent_faults`) list the others there.
    pub fn expected_cause(&self) -> Option<ExpectedCause> {
        self.expected_causes().into_iter().next()
    }
}
