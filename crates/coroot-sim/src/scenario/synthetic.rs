//! The `synthetic` scenario: a large deterministic world (thousands of apps, hundreds of
//! nodes, 100k log lines) for testing how tools cope with big responses. Rows are compact
//! and share strings through `Arc`s so the default spec builds in well under a second.

use std::sync::Arc;

use crate::model::Status;
use crate::prng::Rng;
use crate::util::{DAY, HOUR, MIN};
use crate::world::{
    App, Attrs, Burn, Deployment, Disk, Incident, Instance, Link, LogRow, MIB, Node, Project, Rca, Risk, Span, Volume,
    World,
};

/// Size and seed of the synthetic scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntheticSpec {
    /// Seed of the deterministic generator.
    pub seed: u64,
    /// Number of applications.
    pub apps: usize,
    /// Number of nodes.
    pub nodes: usize,
    /// Number of stored log lines, spread over the last 24 hours.
    pub log_lines: usize,
    /// Number of stored traces.
    pub traces: usize,
    /// Days of metric history (30 s resolution, generated on demand).
    pub metric_days: u32,
}

impl Default for SyntheticSpec {
    fn default() -> SyntheticSpec {
        SyntheticSpec {
            seed: 42,
            apps: 5_000,
            nodes: 500,
            log_lines: 100_000,
            traces: 1_000,
            metric_days: 14,
        }
    }
}

const ID: &str = "s7n7h3t1";

const NAMESPACES: &[&str] = &[
    "default",
    "shop",
    "payments",
    "search",
    "ml",
    "data",
    "platform",
    "auth",
    "media",
    "analytics",
    "ads",
    "billing",
    "catalog",
    "edge",
    "messaging",
    "identity",
    "reporting",
    "logistics",
    "pricing",
    "support",
];
const WORDS: &[&str] = &[
    "api",
    "worker",
    "gateway",
    "cache",
    "db",
    "queue",
    "scheduler",
    "indexer",
    "billing",
    "auth",
    "search",
    "feed",
    "notifier",
    "exporter",
    "ingest",
    "router",
    "renderer",
    "resizer",
    "ledger",
    "profile",
];
const APP_TECH: &[&str] = &["golang", "java", "python", "nodejs", "ruby", "php", "dotnet", "nginx"];
const DB_TECH: &[&str] = &["postgres", "redis", "mysql", "mongodb", "kafka"];

struct Msgs {
    info: Vec<Arc<str>>,
    warn: Vec<Arc<str>>,
    error: Vec<Arc<str>>,
    debug: Vec<Arc<str>>,
}

fn msgs() -> Msgs {
    let a = |v: &[&str]| v.iter().map(|s| Arc::from(*s)).collect();
    Msgs {
        info: a(&[
            "request served in 12ms",
            "GET /api/v1/items 200",
            "processed batch of 500 events",
            "cache refreshed",
            "connected to upstream",
            "job finished successfully",
        ]),
        warn: a(&[
            "slow request: 2.1s",
            "retrying upstream call (attempt 2)",
            "connection pool is 90% utilised",
            "deprecated config option used",
        ]),
        error: a(&[
            "upstream returned 503: service unavailable",
            "context deadline exceeded",
            "dial tcp 10.96.0.10:5432: connect: connection refused",
            "failed to process message: invalid payload",
            "panic: runtime error: index out of range [3] with length 3",
        ]),
        debug: a(&["cache miss for key user:1234", "span exported", "config reloaded"]),
    }
}

pub(crate) fn build(spec: &SyntheticSpec, now: i64) -> World {
    let mut rng = Rng::new(spec.seed);
    let mut p = Project::new(ID, "synthetic", now, spec.seed);
    p.metric_days = spec.metric_days;
    let zones = ["us-east-1a", "us-east-1b", "us-east-1c"];
    for i in 0..spec.nodes {
        let (itype, vcpu, mem, price) = match rng.below(3) {
            0 => ("m5.xlarge", 4, 16, 140.16),
            1 => ("m5.2xlarge", 8, 32, 280.32),
            _ => ("c5.4xlarge", 16, 32, 496.40),
        };
        let down = rng.chance(0.01);
        let heavy = rng.chance(0.05);
        p.nodes.push(Node {
            name: format!("node-{i:04}"),
            cluster: None,
            status: if down { Status::Warning } else { Status::Ok },
            status_msg: if down { "down (no metrics)".into() } else { "up".into() },
            ip: format!("10.0.{}.{}", i / 250, i % 250 + 1),
            provider: "aws".into(),
            region: "us-east-1".into(),
            az: zones[i % 3].into(),
            instance_type: itype.into(),
            vcpu,
            mem_gb: mem,
            cpu_percent: if down {
                None
            } else {
                Some(if heavy {
                    85 + rng.below(14) as u32
                } else {
                    10 + rng.below(60) as u32
                })
            },
            mem_percent: if down { None } else { Some(20 + rng.below(70) as u32) },
            uptime_ms: rng.below(60) as i64 * DAY + rng.below(24) as i64 * HOUR,
            kernel: "6.1.109-118.189.amzn2023.x86_64".into(),
            agent_version: "1.26.3".into(),
            disks: vec![Disk {
                device: "/dev/nvme0n1".into(),
                mounts: vec!["/".into()],
                used_by: Vec::new(),
                latency_ms: rng.range_f(0.5, 3.0),
                io_load: if heavy {
                    rng.range_f(5.0, 12.0)
                } else {
                    rng.range_f(0.05, 1.0)
                },
                used: rng.range_f(20e9, 90e9),
                total: 100e9,
            }],
            ifaces: vec!["eth0".into()],
            rx_bps: rng.below(500_000_000) as i64,
            tx_bps: rng.below(300_000_000) as i64,
            price: Some(price),
            life_cycle: if rng.chance(0.2) {
                "spot".into()
            } else {
                "on-demand".into()
            },
        });
    }
    let nnodes = p.nodes.len().max(1);
    let mut slo_candidates: Vec<usize> = Vec::new();
    let mut failing_net: Vec<usize> = Vec::new();
    for i in 0..spec.apps {
        let ns = NAMESPACES[rng.below(NAMESPACES.len())];
        let r = rng.f64();
        let (kind, tech) = if r < 0.70 {
            ("Deployment", APP_TECH[rng.below(APP_TECH.len())])
        } else if r < 0.85 {
            ("StatefulSet", DB_TECH[rng.below(DB_TECH.len())])
        } else if r < 0.90 {
            ("DaemonSet", "golang")
        } else {
            ("CronJob", "python")
        };
        let name = format!("{}-{i:05}", WORDS[rng.below(WORDS.len())]);
        let mut a = App::new(ID, ns, kind, &name, Some(tech));
        let n_inst = 1 + rng.below(3);
        let hash = rng.hex(9);
        for k in 0..n_inst {
            let node = rng.below(nnodes);
            let pod = if kind == "StatefulSet" {
                format!("{name}-{k}")
            } else {
                format!("{name}-{hash}-{}", rng.alnum(5))
            };
            a.instances.push(Instance {
                name: pod,
                node: p.nodes[node].name.clone(),
                ip: format!("10.{}.{}.{}", 64 + i / 62_500, (i / 250) % 250, i % 250 + 1),
                status_text: "up (running)".into(),
                up: true,
                restarts: 0,
                labels: Vec::new(),
            });
        }
        a.cpu_usage = rng.range_f(0.01, 1.5);
        a.mem_usage = rng.range_f(50.0, 2000.0) * MIB;
        a.cpu_request_m = [100, 250, 500, 1000, 2000][rng.below(5)];
        a.mem_request = [128e6, 256e6, 512e6, 1e9, 2e9, 4e9][rng.below(6)];
        a.cpu_limit = f64::from(a.cpu_request_m) / 500.0;
        a.mem_limit = a.mem_request * 1.5;
        a.rps = if kind == "Deployment" || kind == "StatefulSet" {
            rng.range_f(0.5, 300.0)
        } else {
            0.0
        };
        a.latency_ms = rng.range_f(1.0, 250.0);
        a.error_ratio = rng.range_f(0.0, 0.008);
        if kind == "StatefulSet" {
            a.volumes.push(Volume {
                name: "data".into(),
                mount: "/data".into(),
                device: "/dev/nvme1n1".into(),
                latency_ms: rng.range_f(0.5, 5.0),
                io_load: rng.range_f(0.1, 2.0),
                used: rng.range_f(5e9, 90e9),
                total: 100e9,
            });
        }
        let s = rng.f64();
        if s < 0.03 {
            // SLO-violating candidates: the first five get an open incident below.
            a.error_ratio = rng.range_f(0.02, 0.2);
            a.trouble_since = Some(now - HOUR);
            slo_candidates.push(i);
        } else if s < 0.13 {
            a.trouble_since = Some(now - rng.range_f(10.0, 300.0) as i64 * MIN);
            match rng.below(6) {
                0 => a = a.fire("MemoryOOM", (1 + rng.below(9)) as f64),
                1 => a = a.fire("CPUContainer", 1.0),
                2 => {
                    let n = 2 + rng.below(20) as u32;
                    if let Some(inst) = a.instances.first_mut() {
                        inst.restarts = n;
                    }
                }
                3 if kind != "CronJob" => a = a.fire("MemoryLeakPercent", rng.range_f(11.0, 40.0).round()),
                4 => {
                    if let Some(inst) = a.instances.last_mut() {
                        inst.up = false;
                        inst.status_text = "down (waiting:CrashLoopBackOff)".into();
                    }
                }
                _ => failing_net.push(i),
            }
        }
        p.add_app(a);
    }
    let napps = p.apps.len();
    if napps > 1 {
        for i in 0..napps {
            if p.apps[i].kind == "StatefulSet" {
                continue;
            }
            for _ in 0..rng.below(4) {
                let j = rng.below(napps);
                if j == i || p.links.iter().rev().take(4).any(|l| l.from == i && l.to == j) {
                    continue;
                }
                let failing =
                    failing_net.binary_search(&i).is_ok() && !p.links.iter().rev().take(4).any(|l| l.from == i);
                let port = match p.apps[j].tech.as_deref() {
                    Some("postgres") => 5432,
                    Some("redis") => 6379,
                    Some("mysql") => 3306,
                    Some("mongodb") => 27017,
                    Some("kafka") => 9092,
                    _ => 8080,
                };
                let rps = crate::util::round(rng.range_f(0.1, 50.0), 1);
                let latency = crate::util::round(rng.range_f(0.5, 80.0), 1);
                let mut l = Link::new(i, j, rps, latency, port);
                // Every other failing app loses packets too (no RTT samples): "connectivity issues".
                l.failed_connects = failing;
                l.no_connectivity = failing && i % 2 == 0;
                p.links.push(l);
            }
        }
    }
    // Incidents: mostly resolved over the last week, five still open for SLO-violating apps.
    let n_inc = if napps == 0 { 0 } else { 50.min(napps * 2) };
    let n_open = 5.min(slo_candidates.len());
    for k in 0..n_inc {
        let open = k < n_open;
        let app = match slo_candidates.get(k) {
            Some(&a) if open => a,
            _ => rng.below(napps),
        };
        let opened = if open {
            now - rng.range_f(5.0, 55.0) as i64 * MIN
        } else {
            now - rng.below(7 * 24 * 60) as i64 * MIN - HOUR
        };
        let avail = open || rng.chance(0.6);
        let pct = crate::util::round(rng.range_f(0.5, 15.0), 1);
        let rate = crate::util::round(rng.range_f(15.0, 80.0), 1);
        let firing = Burn {
            fast: (rate, crate::util::round(rate * 1.3, 1)),
            slow: (crate::util::round(rate / 3.0, 1), crate::util::round(rate / 2.0, 1)),
        };
        let quiet = Burn {
            fast: (0.5, 0.8),
            slow: (0.3, 0.6),
        };
        p.incidents.push(Incident {
            key: format!("{}{}", rng.alnum(4), rng.hex(4)),
            app_id: p.apps[app].id.clone(),
            opened_at: opened,
            resolved_at: if open {
                None
            } else {
                Some(opened + rng.range_f(5.0, 120.0) as i64 * MIN)
            },
            availability: Some(if avail { firing } else { quiet }),
            latency: Some(if avail { quiet } else { firing }),
            availability_impact: if avail { pct } else { 0.0 },
            latency_impact: if avail { 0.0 } else { pct },
            rca: if rng.chance(0.3) {
                Some(Rca {
                    short_summary: format!("{} degraded by an upstream", p.apps[app].name),
                    root_cause: "Synthetic root cause.".into(),
                    ..Rca::default()
                })
            } else {
                None
            },
        });
    }
    for _ in 0..(if napps == 0 { 0 } else { 200 }) {
        let app = rng.below(napps);
        let bad = rng.chance(0.1);
        let a = &p.apps[app];
        p.deployments.push(Deployment {
            app,
            version: format!(
                "{}: {}:{}.{}.{}",
                rng.hex(9),
                a.name,
                1 + rng.below(4),
                rng.below(20),
                rng.below(10)
            ),
            started_at: now - rng.below(7 * 24 * 60) as i64 * MIN,
            status: if bad { Status::Critical } else { Status::Ok },
            summary: vec![if bad {
                (
                    "💔".into(),
                    "Logs: the number of errors in the logs has increased by 40%".into(),
                    Some("Logs".into()),
                )
            } else {
                ("🎉".into(), "No notable changes".into(), None)
            }],
        });
    }
    for (i, a) in p.apps.iter().enumerate() {
        if a.is_db()
            && a.instances.len() == 1
            && matches!(a.tech.as_deref(), Some("postgres" | "redis" | "mysql" | "mongodb"))
        {
            let t = a.tech.clone().unwrap_or_default();
            let cap = t[..1].to_uppercase() + &t[1..];
            p.risks.push(Risk {
                app: i,
                category: "Availability",
                rtype: "unreplicated-database",
                severity: Status::Critical,
                exposure: None,
                description: Some(format!("{cap} isn’t replicated - data loss possible")),
                dismissal: None,
            });
        } else if a.instances.len() == 1 && a.kind == "Deployment" && nnodes > 1 {
            p.risks.push(Risk {
                app: i,
                category: "Availability",
                rtype: "single-instance-app",
                severity: Status::Warning,
                exposure: None,
                description: Some("Single instance - not resilient to node failure".into()),
                dismissal: None,
            });
        }
        if a.is_db() && i % 97 == 0 {
            p.risks.push(Risk {
                app: i,
                category: "Security",
                rtype: "db-internet-exposure",
                severity: Status::Critical,
                exposure: Some((
                    vec![format!("34.201.{}.{}", i / 250 % 250, i % 250)],
                    vec!["5432".into()],
                    vec![format!("{}-public", a.name)],
                )),
                description: None,
                dismissal: None,
            });
        }
    }
    // Index links before traces walk them.
    p.finish();
    logs(&mut p, spec, &mut rng, now);
    traces(&mut p, spec, &mut rng, now);
    p.finish();
    World::new(vec![p])
}

fn logs(p: &mut Project, spec: &SyntheticSpec, rng: &mut Rng, now: i64) {
    if p.apps.is_empty() {
        return;
    }
    let m = msgs();
    let services: Vec<Arc<str>> = p
        .apps
        .iter()
        .map(|a| Arc::from(format!("/k8s/{}/{}", a.ns, a.name).as_str()))
        .collect();
    let attrs: Vec<Vec<Attrs>> = p
        .apps
        .iter()
        .map(|a| {
            a.instances
                .iter()
                .map(|i| Arc::new(crate::world::container_log_attrs(&a.ns, &i.name, &a.name, &i.node).1))
                .collect()
        })
        .collect();
    let hashes = |pool: &[Arc<str>]| -> Vec<Arc<str>> {
        pool.iter()
            .map(|m| Arc::from(crate::logpattern::hash(m).as_str()))
            .collect()
    };
    let (h_info, h_warn, h_error, h_debug) = (hashes(&m.info), hashes(&m.warn), hashes(&m.error), hashes(&m.debug));
    let empty: Arc<str> = Arc::from("");
    p.logs.reserve(spec.log_lines);
    for _ in 0..spec.log_lines {
        let app = rng.below(p.apps.len());
        let a = &p.apps[app];
        let bias = if a.trouble_since.is_some() { 0.12 } else { 0.03 };
        let r = rng.f64();
        let (sev, pool, hs) = if r < bias {
            (17, &m.error, &h_error)
        } else if r < bias + 0.08 {
            (13, &m.warn, &h_warn)
        } else if r < bias + 0.12 {
            (5, &m.debug, &h_debug)
        } else {
            (9, &m.info, &h_info)
        };
        let inst = rng.below(a.instances.len().max(1));
        let ts_ns = (now - rng.below(DAY as usize) as i64) * 1_000_000 + rng.below(1_000_000) as i64;
        let row_attrs = attrs[app].get(inst).cloned().unwrap_or_default();
        let k = rng.below(pool.len());
        p.logs.push(LogRow {
            ts_ns,
            service: services[app].clone(),
            app: Some(app as u32),
            severity: sev,
            message: pool[k].clone(),
            trace_id: empty.clone(),
            attrs: row_attrs,
            pattern: hs[k].clone(),
            cluster: None,
        });
    }
}

fn traces(p: &mut Project, spec: &SyntheticSpec, rng: &mut Rng, now: i64) {
    if p.apps.is_empty() {
        return;
    }
    let names: Vec<Arc<str>> = p.apps.iter().map(|a| Arc::from(a.name.as_str())).collect();
    let ops: Vec<Arc<str>> = [
        "GET /api/items",
        "POST /api/orders",
        "GET /api/users/{id}",
        "PUT /api/cart",
        "GET /healthz",
    ]
    .iter()
    .map(|s| Arc::from(*s))
    .collect();
    for _ in 0..spec.traces {
        let tid: Arc<str> = Arc::from(rng.hex(32).as_str());
        let root_app = rng.below(p.apps.len());
        let ts = now - rng.below(DAY as usize) as i64;
        let err = rng.chance(if p.apps[root_app].error_ratio > 0.01 { 0.5 } else { 0.05 });
        let op = ops[rng.below(ops.len())].clone();
        let dur = rng.range_f(2.0, 400.0);
        let root_id = rng.hex(16);
        let code = if err { "500" } else { "200" };
        p.spans.push(Span {
            trace_id: tid.clone(),
            id: root_id.clone(),
            parent_id: String::new(),
            service: names[root_app].clone(),
            name: op.clone(),
            ts_ms: ts,
            duration_ms: crate::util::round(dur, 3),
            error: err,
            status_message: String::new(),
            attrs: Arc::new(vec![
                ("http.method".into(), op.split(' ').next().unwrap_or("GET").into()),
                ("http.status_code".into(), code.into()),
                ("service.name".into(), names[root_app].to_string()),
            ]),
            events: Vec::new(),
            cluster: None,
        });
        let ups: Vec<usize> = p.upstreams(root_app).map(|l| l.to).take(3).collect();
        for (k, up) in ups.into_iter().enumerate() {
            let child_err = err && k == 0;
            p.spans.push(Span {
                trace_id: tid.clone(),
                id: rng.hex(16),
                parent_id: root_id.clone(),
                service: names[up].clone(),
                name: Arc::from("handle request"),
                ts_ms: ts + 1 + k as i64,
                duration_ms: crate::util::round(dur * 0.6, 3),
                error: child_err,
                status_message: if child_err {
                    "upstream returned 503: service unavailable".into()
                } else {
                    String::new()
                },
                attrs: Arc::new(vec![("service.name".into(), names[up].to_string())]),
                events: Vec::new(),
                cluster: None,
            });
        }
    }
}
