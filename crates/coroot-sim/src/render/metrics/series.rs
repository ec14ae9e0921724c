//! Generated series (never stored): which series each known metric has in a project, and a
//! deterministic value function per series, bent by the scenario's story overrides. Every
//! metric name is one Coroot queries (v1.24.5:constructor/queries.go), with its labels.

use std::collections::BTreeMap;

use crate::prng::{hash_str, noise};
use crate::util::TimeCtx;
use crate::world::{App, Instance, Project, Shape};

/// Metrics the simulator knows, and whether each is a counter; each is a PromQL metric of
/// v1.24.5:constructor/queries.go (the node agent's and Prometheus' `up`): e.g. RSS is
/// `container_resources_memory_rss_bytes` (queries.go:243; `container_memory_rss` is
/// only Coroot's internal query name and a Fargate cAdvisor metric), a disk's I/O load is
/// `rate(node_resources_disk_read_time_seconds_total)+rate(..._write_time_seconds_total)`
/// and its utilisation `node_resources_disk_io_time_seconds_total` (queries.go:159-165).
pub(crate) const KNOWN: &[(&str, bool)] = &[
    ("container_resources_cpu_usage_seconds_total", true),
    ("container_resources_cpu_throttled_seconds_total", true),
    ("container_resources_memory_rss_bytes", false),
    ("container_oom_kills_total", true),
    ("container_restarts_total", true),
    ("container_net_tcp_failed_connects_total", true),
    ("container_net_tcp_retransmits_total", true),
    ("container_net_latency_seconds", false),
    ("container_dns_requests_total", true),
    ("container_http_requests_total", true),
    ("container_http_requests_duration_seconds_total_sum", true),
    ("node_resources_cpu_usage_seconds_total", true),
    ("node_resources_disk_read_time_seconds_total", true),
    ("node_resources_disk_write_time_seconds_total", true),
    ("node_resources_disk_io_time_seconds_total", true),
    ("up", false),
];

/// How values are produced for a query.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Mode {
    /// Per-second rate of a counter, or the value of a gauge.
    Rate,
    /// The raw cumulative counter.
    Counter,
}

/// One generated series: its labels and generator parameters.
pub(crate) struct SeriesSpec {
    pub labels: BTreeMap<String, String>,
    /// Objects a story may name (app, pod, node).
    pub objects: Vec<String>,
    pub base: f64,
    pub seed: u64,
}

/// Evaluates a series at `t` (ms); NaN outside the retained history or in the future.
pub(crate) fn value_at(p: &Project, metric: &str, spec: &SeriesSpec, t: i64, mode: Mode) -> f64 {
    if t > p.now_ms || t < p.now_ms - i64::from(p.metric_days) * 86_400_000 {
        return f64::NAN;
    }
    let story = p.story.iter().find(|s| {
        s.metric == metric
            && spec.objects.contains(&s.object)
            && s.label
                .as_ref()
                .is_none_or(|(k, v)| spec.labels.get(k).is_some_and(|x| x == v))
    });
    let counter = KNOWN.iter().any(|(m, c)| *m == metric && *c);
    let cumulative = counter && mode == Mode::Counter;
    let start = p.now_ms - i64::from(p.metric_days) * 86_400_000;
    match story.map(|s| &s.shape) {
        Some(Shape::Step { at, before, after }) => {
            if cumulative {
                let secs_before = ((t.min(*at) - start).max(0)) as f64 / 1000.0;
                let secs_after = ((t - *at).max(0)) as f64 / 1000.0;
                (before * secs_before + after * secs_after).floor()
            } else {
                let v = if t >= *at { *after } else { *before };
                v * (1.0 + 0.08 * (noise(spec.seed, t / 30_000) - 0.5))
            }
        }
        Some(Shape::Events(times)) => {
            if cumulative {
                times.iter().filter(|e| **e <= t).count() as f64
            } else {
                // A rate over a 5-minute lookback, like rate(x[5m]).
                times.iter().filter(|e| **e <= t && **e > t - 300_000).count() as f64 / 300.0
            }
        }
        Some(Shape::Sawtooth {
            from,
            before,
            lo,
            hi,
            period,
        }) => {
            if t < *from {
                *before * (1.0 + 0.03 * (noise(spec.seed, t / 30_000) - 0.5))
            } else {
                let ph = ((t - from) % period) as f64 / *period as f64;
                lo + (hi - lo) * ph
            }
        }
        Some(Shape::DownFrom(at)) => {
            if t >= *at {
                0.0
            } else {
                1.0
            }
        }
        None => {
            if metric == "up" {
                return 1.0;
            }
            let period = 3_600_000.0 * (1.0 + (spec.seed % 5) as f64);
            let phase = (spec.seed % 1000) as f64 / 1000.0 * std::f64::consts::TAU;
            if cumulative {
                let secs = (t - start) as f64 / 1000.0;
                let wave = -0.15 * period / 1000.0 / std::f64::consts::TAU
                    * ((t as f64 / period * std::f64::consts::TAU + phase).cos());
                (spec.base * (secs + wave)).max(0.0).floor()
            } else {
                let w = 1.0 + 0.15 * (t as f64 / period * std::f64::consts::TAU + phase).sin();
                spec.base * (w + 0.1 * (noise(spec.seed, t / 30_000) - 0.5))
            }
        }
    }
}

/// Values of a series at every point of a window.
pub(crate) fn values(p: &Project, metric: &str, spec: &SeriesSpec, ctx: &TimeCtx, mode: Mode) -> Vec<f64> {
    ctx.times().map(|t| value_at(p, metric, spec, t, mode)).collect()
}

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// Every series of a metric in a project.
pub(crate) fn series_of(p: &Project, metric: &str) -> Vec<SeriesSpec> {
    let mut out = Vec::new();
    let base_seed = hash_str(metric) ^ p.seed;
    if metric.starts_with("container_") {
        for (ai, a) in p.apps.iter().enumerate() {
            for inst in &a.instances {
                let cid = format!("/k8s/{}/{}/{}", a.ns, inst.name, a.name);
                let common = [
                    ("app_id", a.id.as_str()),
                    ("container", a.name.as_str()),
                    ("container_id", cid.as_str()),
                    ("namespace", a.ns.as_str()),
                    ("node", inst.node.as_str()),
                    ("pod", inst.name.as_str()),
                ];
                let objects = vec![a.name.clone(), inst.name.clone(), inst.node.clone()];
                let seed = base_seed ^ hash_str(&cid);
                let n = a.instances.len().max(1) as f64;
                let mut push = |extra: &[(&str, &str)], base: f64, salt: &str| {
                    let mut l = labels(&common);
                    for (k, v) in extra {
                        l.insert(k.to_string(), v.to_string());
                    }
                    out.push(SeriesSpec {
                        labels: l,
                        objects: objects.clone(),
                        base,
                        seed: seed ^ hash_str(salt),
                    });
                };
                match metric {
                    "container_resources_cpu_usage_seconds_total" => push(&[], a.cpu_usage, ""),
                    "container_resources_cpu_throttled_seconds_total" => {
                        push(&[], if a.cpu_limit > 0.0 { 0.005 } else { 0.0 }, "")
                    }
                    "container_resources_memory_rss_bytes" => push(&[], a.mem_usage, ""),
                    "container_oom_kills_total" | "container_restarts_total" => push(&[], 0.0, ""),
                    "container_dns_requests_total" => {
                        for d in &a.dns {
                            push(
                                &[("domain", &d.domain), ("request_type", "TypeA"), ("status", "ok")],
                                d.rps / n,
                                &d.domain,
                            );
                            let has_story = p.story.iter().any(|s| s.metric == metric && s.object == a.name);
                            if d.nx_a > 0 && has_story {
                                push(
                                    &[("domain", &d.domain), ("request_type", "TypeA"), ("status", "nxdomain")],
                                    0.0,
                                    &format!("{}nx", d.domain),
                                );
                            }
                            // The node agent's rcode 2 (coroot-node-agent ebpftracer/l7/l7.go `Status.DNS`).
                            if d.servfail > 0 && has_story {
                                push(
                                    &[("domain", &d.domain), ("request_type", "TypeA"), ("status", "servfail")],
                                    0.0,
                                    &format!("{}sf", d.domain),
                                );
                            }
                        }
                    }
                    _ => {
                        for l in p.upstreams(ai) {
                            let up = &p.apps[l.to];
                            let ip = up.instances.first().map(|i| i.ip.as_str()).unwrap_or("10.96.0.1");
                            let dest = format!("{ip}:{}", l.port);
                            let d = [("destination", dest.as_str()), ("actual_destination", dest.as_str())];
                            match metric {
                                "container_net_tcp_failed_connects_total" => push(&d, 0.0, &dest),
                                "container_net_tcp_retransmits_total" => push(&d, 0.02, &dest),
                                "container_net_latency_seconds" => {
                                    push(&[("destination_ip", ip)], l.rtt_ms / 1000.0, &dest)
                                }
                                "container_http_requests_total" => {
                                    push(&[d[0], d[1], ("status", "200")], l.rps / n, &dest);
                                    for s in p.story.iter().filter(|s| s.metric == metric && s.object == a.name) {
                                        if let Some((k, v)) = &s.label
                                            && k == "status"
                                        {
                                            push(&[d[0], d[1], ("status", v.as_str())], 0.0, &format!("{dest}{v}"));
                                        }
                                    }
                                }
                                "container_http_requests_duration_seconds_total_sum" => {
                                    push(&d, l.rps / n * l.latency_ms / 1000.0, &dest)
                                }
                                _ => {}
                            }
                        }
                    }
                }
            }
        }
    } else if metric.starts_with("node_") {
        for n in &p.nodes {
            let seed = base_seed ^ hash_str(&n.name);
            let objects = vec![n.name.clone()];
            let common = [("machine_id", n.name.as_str()), ("node", n.name.as_str())];
            if metric == "node_resources_cpu_usage_seconds_total" {
                let cores = f64::from(n.vcpu) * f64::from(n.cpu_percent.unwrap_or(0)) / 100.0;
                for (mode, share) in [("user", 0.7), ("system", 0.2), ("iowait", 0.1)] {
                    let mut l = labels(&common);
                    l.insert("mode".into(), mode.into());
                    out.push(SeriesSpec {
                        labels: l,
                        objects: objects.clone(),
                        base: cores * share,
                        seed: seed ^ hash_str(mode),
                    });
                }
            } else if let Some(share) = disk_share(metric) {
                for d in &n.disks {
                    let dev = d.device.trim_start_matches("/dev/");
                    let mut l = labels(&common);
                    l.insert("device".into(), dev.into());
                    let base = if share > 0.0 {
                        d.io_load * share
                    } else {
                        (d.io_load / 10.0).min(0.98)
                    };
                    out.push(SeriesSpec {
                        labels: l,
                        objects: objects.clone(),
                        base,
                        seed: seed ^ hash_str(dev),
                    });
                }
            }
        }
    } else if metric == "up" {
        for n in &p.nodes {
            let inst = format!("{}:10300", n.ip);
            out.push(SeriesSpec {
                labels: labels(&[("instance", &inst), ("job", "coroot-node-agent"), ("node", &n.name)]),
                objects: vec![n.name.clone()],
                base: 1.0,
                seed: 0,
            });
        }
        for a in &p.apps {
            for i in &a.instances {
                let inst = format!("{}:9090", i.ip);
                out.push(SeriesSpec {
                    labels: labels(&[
                        ("app_id", &a.id),
                        ("instance", &inst),
                        ("job", "kubernetes-pods"),
                        ("namespace", &a.ns),
                        ("pod", &i.name),
                    ]),
                    objects: vec![a.name.clone(), i.name.clone()],
                    base: 1.0,
                    seed: 0,
                });
            }
        }
    }
    out
}

/// The share of a disk's I/O load (seconds/second) a disk metric carries: reads 30%,
/// writes 70%; `Some(0)` for the utilisation (`io_time`, at most 1 second/second).
pub(crate) fn disk_share(metric: &str) -> Option<f64> {
    match metric {
        "node_resources_disk_read_time_seconds_total" => Some(0.3),
        "node_resources_disk_write_time_seconds_total" => Some(0.7),
        "node_resources_disk_io_time_seconds_total" => Some(0.0),
        _ => None,
    }
}

/// One container's series of a `container_*` metric (rates/gauges over the window),
/// without building the project's whole series list: the costs view asks for thousands.
pub(crate) fn instance_series(p: &Project, metric: &str, a: &App, i: &Instance, ctx: &TimeCtx) -> Vec<f64> {
    let cid = format!("/k8s/{}/{}/{}", a.ns, i.name, a.name);
    let base = match metric {
        "container_resources_cpu_usage_seconds_total" => a.cpu_usage,
        _ => a.mem_usage,
    };
    let spec = SeriesSpec {
        labels: BTreeMap::new(),
        objects: vec![a.name.clone(), i.name.clone(), i.node.clone()],
        base,
        seed: hash_str(metric) ^ p.seed ^ hash_str(&cid),
    };
    values(p, metric, &spec, ctx, Mode::Rate)
}

/// A story-aware series for report charts: the first series of `metric` owned by `object`
/// (and matching `label` when given), as rates/gauges over the window.
pub(crate) fn object_series(
    p: &Project,
    metric: &str,
    object: &str,
    label: Option<(&str, &str)>,
    ctx: &TimeCtx,
) -> Vec<f64> {
    let all = series_of(p, metric);
    let mut picked: Vec<&SeriesSpec> = all
        .iter()
        .filter(|s| {
            s.objects.iter().any(|o| o == object) && label.is_none_or(|(k, v)| s.labels.get(k).is_some_and(|x| x == v))
        })
        .collect();
    if picked.is_empty() {
        return Vec::new();
    }
    // Pods are more specific than apps: prefer a series whose pod label is the object.
    if let Some(exact) = picked
        .iter()
        .position(|s| s.labels.get("pod").is_some_and(|x| x == object))
    {
        picked = vec![picked[exact]];
    }
    let mut sum = vec![0.0; ctx.points()];
    for s in picked {
        for (k, v) in values(p, metric, s, ctx, Mode::Rate).into_iter().enumerate() {
            sum[k] += v;
        }
    }
    sum
}
