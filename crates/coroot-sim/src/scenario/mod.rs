//! Scenarios: named, deterministic worlds the simulator can serve. A `Scenario` is only a
//! recipe; the world is materialised when the simulator starts, relative to its "now".

mod ecommerce;
mod synthetic;

use crate::world::World;

pub(crate) use ecommerce::Variant;
pub use synthetic::SyntheticSpec;

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
    ];

    /// The realistic e-commerce cluster in trouble.
    ///
    /// * Projects: `production` (`k3h2x9qa`) and `staging` (`p0m1n2b3`, apps
    ///   `default:Deployment:frontend` and `default:Deployment:catalog`, node `stg-node-1`,
    ///   no incidents). App ids are `k3h2x9qa:<ns>:<Kind>:<name>`.
    /// * Production apps (status): frontend (warning, SLOLatency), checkout (critical,
    ///   SLOAvailability "error budget burn rate is 42.0x within 1 hour"), payment (warning,
    ///   MemoryOOM "application has been restarted 3 times by the OOM killer", InstanceRestarts
    ///   "application restarted 3 times"; 4 pods, `payment-7d9f8b6c5-x2x9k` is
    ///   `down (waiting:CrashLoopBackOff)`), catalog (warning, NetworkTCPConnections "failed to
    ///   connect to 1 upstream service"), postgres StatefulSet on node-3 (warning, PostgresLatency
    ///   "1 postgres instance is performing slowly", StorageIOLoad "high I/O load of 1 volume"),
    ///   cart (warning, DnsNxdomainErrors "the app received an empty DNS response 7 times"),
    ///   recommendation (warning, CPUContainer "high CPU utilization of 1 container"), redis,
    ///   `kube-system:DaemonSet:kube-proxy` (control-plane) and
    ///   `monitoring:StatefulSet:prometheus` (monitoring), all ok. Apps with error logs in the
    ///   window also get a `LogErrors` warning ("N errors occurred").
    /// * Nodes node-1..node-3 up (node-3: cpu 35%, memory 61%, `/dev/nvme1n1` latency 120 ms,
    ///   I/O load 9.5); node-4 "down (no metrics)".
    /// * Incidents: `q8w7e6r5` (checkout, critical, open, opened now-40m, RCA),
    ///   `a1b2c3d4` (catalog, warning, opened now-5h, resolved now-4h20m, RCA),
    ///   `z9y8x7w6` (cart, warning, resolved now-3d, no RCA).
    /// * Deployments: payment `7d9f8b6c5: payment:2.4.1` (now-70m, critical), catalog
    ///   `5f6a7b8c9: catalog:3.1.0` (now-20h), frontend `6c8f9d7b5: frontend:1.9.0` (now-3d).
    /// * Error trace `4bf92f3577b34da6a3ce929d0e0e4736` (frontend → checkout → payment, plus a
    ///   catalog `SELECT products` span) 12 minutes before now.
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

    /// A large generated world; deterministic from `spec.seed`.
    pub fn synthetic(spec: SyntheticSpec) -> Scenario {
        Scenario {
            kind: Kind::Synthetic(spec),
            cloud_rca: false,
        }
    }

    /// Only the payment OOM-after-deploy story (same project ids as `ecommerce`).
    pub fn oom_after_deploy() -> Scenario {
        Scenario {
            kind: Kind::Ecommerce(Variant::Oom),
            cloud_rca: false,
        }
    }

    /// Only the catalog → postgres TCP connection failure story.
    pub fn tcp_connect_failures() -> Scenario {
        Scenario {
            kind: Kind::Ecommerce(Variant::Tcp),
            cloud_rca: false,
        }
    }

    /// Only the node-3 disk I/O saturation story (postgres slow, catalog latency).
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
            _ => None,
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
        }
    }
}
