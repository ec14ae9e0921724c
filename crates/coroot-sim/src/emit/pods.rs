//! The node agent's per-container series (v1.24.5:constructor/queries.go:231-262, read by
//! constructor/containers.go): image and application type, CPU and memory with the story's
//! OOM kills, restarts, memory sawtooth and throttling, listen addresses, volumes, the DNS
//! requests of the world's domains and the log message counters of the world's container
//! log lines. Checks a scenario makes fire without data of their own get the series that
//! make Coroot's auditor fire them (CPUContainer, MemoryPressure, MemoryLeakPercent).

use std::collections::BTreeMap;

use super::plan::Plan;
use super::series::{Sink, jitter, lbl};
use super::slo::BUCKETS;
use crate::prng::hash_str;
use crate::util::MIN;
use crate::world::{App, Instance, Shape};

/// The story's shape for `metric` of `object` (an app or pod name).
pub(crate) fn story<'a>(plan: &'a Plan, metric: &str, object: &str) -> Option<&'a Shape> {
    plan.p
        .story
        .iter()
        .find(|s| s.metric == metric && s.object == object && s.label.is_none())
        .map(|s| &s.shape)
}

/// A gauge or rate following a story shape, else `base` with a little jitter.
pub(crate) fn shaped(shape: Option<&Shape>, base: f64, seed: u64) -> impl Fn(i64) -> f64 + Send + Sync + 'static {
    let shape = shape.cloned();
    move |t| match &shape {
        Some(Shape::Step { at, before, after }) => (if t >= *at { *after } else { *before }) * jitter(seed, t, 0.03),
        Some(Shape::Sawtooth {
            from,
            before,
            lo,
            hi,
            period,
        }) => {
            if t < *from {
                *before * jitter(seed, t, 0.02)
            } else {
                lo + (hi - lo) * ((t - from) % period) as f64 / *period as f64
            }
        }
        _ => base * jitter(seed, t, 0.05),
    }
}

/// Every container's series.
pub(crate) fn emit(plan: &Plan, sink: &mut Sink) {
    for (idx, a) in plan.p.apps.iter().enumerate() {
        for (k, i) in a.instances.iter().enumerate() {
            container(plan, idx, a, k, i, sink);
        }
    }
}

fn container(plan: &Plan, idx: usize, a: &App, k: usize, i: &Instance, sink: &mut Sink) {
    let Some(ids) = plan.container_labels(a, i) else {
        return;
    };
    let id: Vec<(&str, &str)> = ids.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let ap = &plan.apps[idx];
    let end = ap.instance_end[k];
    let now = plan.now;
    let seed = hash_str(&i.name);
    sink.constant("container_info", &lbl(&id, &[("image", &ap.image)]), 1.0)
        .span(i64::MIN, end);
    if let Some(t) = &a.tech {
        sink.constant("container_application_type", &lbl(&id, &[("application_type", t)]), 1.0)
            .span(i64::MIN, end);
    }
    if a.cpu_limit > 0.0 {
        sink.constant("container_resources_cpu_limit_cores", &lbl(&id, &[]), a.cpu_limit)
            .span(i64::MIN, end);
    }
    // CPUContainer fires on usage above 80% of the limit at the last point (auditor/cpu.go).
    let hot = a.fired("CPUContainer").is_some_and(|f| (k as f64) < f.n.max(1.0));
    let (usage, limit) = (a.cpu_usage, a.cpu_limit);
    let cpu = shaped(
        story(plan, "container_resources_cpu_usage_seconds_total", &a.name),
        usage,
        seed,
    );
    let cpu = move |t: i64| if hot && t > now - 10 * MIN { limit * 0.9 } else { cpu(t) };
    sink.rate("container_resources_cpu_usage_seconds_total", &lbl(&id, &[]), cpu)
        .span(i64::MIN, end);
    sink.rate(
        "container_resources_cpu_delay_seconds_total",
        &lbl(&id, &[]),
        move |_| usage * 0.02,
    )
    .span(i64::MIN, end);
    let throttled = shaped(
        story(plan, "container_resources_cpu_throttled_seconds_total", &a.name),
        if a.cpu_limit > 0.0 { 0.005 } else { 0.0 },
        seed ^ 1,
    );
    sink.rate(
        "container_resources_cpu_throttled_seconds_total",
        &lbl(&id, &[]),
        throttled,
    )
    .span(i64::MIN, end);
    memory(plan, a, k, i, &lbl(&id, &[]), end, sink);
    // OOM kills and restarts are raw counters Coroot turns into increases with `up`.
    for metric in ["container_oom_kills_total", "container_restarts_total"] {
        let times = match story(plan, metric, &i.name) {
            Some(Shape::Events(t)) => t.clone(),
            _ => Vec::new(),
        };
        sink.events(metric, &lbl(&id, &[]), times).span(i64::MIN, end);
    }
    if a.kind != "DaemonSet" {
        let listen = format!("{}:{}", i.ip, ap.port);
        sink.constant(
            "container_net_tcp_listen_info",
            &lbl(&id, &[("listen_addr", &listen), ("proxy", "")]),
            1.0,
        )
        .span(i64::MIN, end);
    }
    for v in &a.volumes {
        let dev = v.device.trim_start_matches("/dev/");
        let l = lbl(
            &id,
            &[
                ("mount_point", v.mount.as_str()),
                ("volume", v.name.as_str()),
                ("device", dev),
            ],
        );
        sink.constant("container_resources_disk_size_bytes", &l, v.total)
            .span(i64::MIN, end);
        sink.constant("container_resources_disk_used_bytes", &l, v.used)
            .span(i64::MIN, end);
    }
    dns(plan, a, k, &lbl(&id, &[]), end, sink);
    logs(plan, a, i, &lbl(&id, &[]), end, sink);
}

/// RSS (the story's sawtooth or the app's usage), cache, limit and memory pressure.
fn memory(plan: &Plan, a: &App, k: usize, i: &Instance, id: &[(&str, &str)], end: i64, sink: &mut Sink) {
    let seed = hash_str(&format!("{}/rss", i.name));
    let now = plan.now;
    let rss = shaped(
        story(plan, "container_resources_memory_rss_bytes", &a.name),
        a.mem_usage,
        seed,
    );
    // MemoryLeakPercent: usage growing by more than 10% per hour (auditor/memory.go).
    let leak = a.fired("MemoryLeakPercent").map(|f| f.n.max(15.0) / 100.0);
    let rss = move |t: i64| match leak {
        Some(g) => rss(t) * (1.0 + g * (t - now) as f64 / 3_600_000.0).max(0.1),
        None => rss(t),
    };
    sink.gauge("container_resources_memory_rss_bytes", id, rss)
        .span(i64::MIN, end);
    let usage = a.mem_usage;
    sink.constant("container_resources_memory_cache_bytes", id, usage * 0.1)
        .span(i64::MIN, end);
    if a.mem_limit > 0.0 {
        sink.constant("container_resources_memory_limit_bytes", id, a.mem_limit)
            .span(i64::MIN, end);
    }
    let pressure = a.fired("MemoryPressure").is_some_and(|f| (k as f64) < f.n.max(1.0));
    for kind in ["some", "full"] {
        let mut l = id.to_vec();
        l.push(("kind", kind));
        sink.rate(
            "container_resources_memory_pressure_waiting_seconds_total",
            &l,
            move |t| if pressure && t > now - 10 * MIN { 0.05 } else { 0.0 },
        )
        .span(i64::MIN, end);
    }
}

/// Event times spread evenly over the middle of the last hour, clear of window edges.
fn spread(n: u32, from: i64, to: i64) -> Vec<i64> {
    let n = i64::from(n);
    (0..n).map(|j| from + (to - from) * (2 * j + 1) / (2 * n)).collect()
}

/// DNS requests of the app's domains: answered ones spread over its pods, NXDOMAIN and
/// SERVFAIL answers as counted events of its first pod (auditor/dns.go counts NXDOMAIN only
/// for a type that also got answers; a search-path variant gets none).
fn dns(plan: &Plan, a: &App, k: usize, id: &[(&str, &str)], end: i64, sink: &mut Sink) {
    if a.dns.is_empty() {
        return;
    }
    let n = a.instances.len().max(1) as f64;
    let now = plan.now;
    let mut total = 0.0;
    for d in &a.dns {
        let seed = hash_str(&d.domain) ^ k as u64;
        let rps = d.rps / n;
        total += rps;
        let l = |typ: &'static str, status: &'static str| {
            let mut l = id.to_vec();
            l.extend([("request_type", typ), ("domain", d.domain.as_str()), ("status", status)]);
            l
        };
        // A search-path variant only ever gets NXDOMAIN: no answered type, so Coroot does not
        // count its NXDOMAINs (auditor/dns.go).
        if !d.nx_only {
            sink.rate("container_dns_requests_total", &l("TypeA", "ok"), move |t| {
                rps * jitter(seed, t, 0.05)
            })
            .span(i64::MIN, end);
        }
        if k != 0 {
            continue;
        }
        let since = plan
            .p
            .story
            .iter()
            .find_map(|s| match (&s.shape, s.metric, s.object == a.name) {
                (Shape::Step { at, .. }, "container_dns_requests_total", true) => Some(*at),
                _ => None,
            })
            .unwrap_or(now - 50 * MIN)
            .max(now - 55 * MIN);
        for (count, typ, status) in [
            (d.nx_a, "TypeA", "nxdomain"),
            (d.nx_aaaa, "TypeAAAA", "nxdomain"),
            (d.servfail, "TypeA", "servfail"),
        ] {
            if count > 0 {
                if typ == "TypeAAAA" {
                    // The AAAA answers that make its NXDOMAINs count.
                    sink.rate("container_dns_requests_total", &l(typ, "ok"), move |_| rps)
                        .span(i64::MIN, end);
                }
                sink.events(
                    "container_dns_requests_total",
                    &l(typ, status),
                    spread(count, since, now - 5 * MIN),
                )
                .span(i64::MIN, end);
            }
        }
    }
    // Answers within a millisecond: the p95 stays far from DnsLatency's 100 ms.
    for le in BUCKETS.iter().map(|b| b.to_string()).chain(["+Inf".to_string()]) {
        let mut l = id.to_vec();
        l.push(("le", le.as_str()));
        sink.rate("container_dns_requests_duration_seconds_total_bucket", &l, move |_| {
            total
        })
        .span(i64::MIN, end);
    }
}

/// The node agent's level label of an OpenTelemetry severity number.
fn level(severity: u8) -> &'static str {
    match severity {
        21.. => "critical",
        17..=20 => "error",
        13..=16 => "warning",
        9..=12 => "info",
        1..=8 => "debug",
        0 => "unknown",
    }
}

/// `container_log_messages_total{source,level,pattern_hash,sample}`: one counter per pattern
/// of the container's stored log lines, counting them as they happen (read with `up` into
/// increases, constructor/logs.go, and summed by the LogErrors check).
fn logs(plan: &Plan, a: &App, i: &Instance, id: &[(&str, &str)], end: i64, sink: &mut Sink) {
    let cid = format!("/k8s/{}/{}/{}", a.ns, i.name, a.name);
    let mut by: BTreeMap<(&'static str, &str), (&str, Vec<i64>)> = BTreeMap::new();
    for l in &plan.p.logs {
        if !l.service.starts_with('/') || l.attr("container.id") != Some(cid.as_str()) {
            continue;
        }
        let e = by
            .entry((level(l.severity), &l.pattern))
            .or_insert((&l.message, Vec::new()));
        e.1.push(l.ts_ms());
    }
    for ((lvl, pattern), (sample, times)) in by {
        let mut l = id.to_vec();
        l.extend([
            ("source", "stdout/stderr"),
            ("level", lvl),
            ("pattern_hash", pattern),
            ("sample", sample),
        ]);
        sink.events("container_log_messages_total", &l, times)
            .span(i64::MIN, end);
    }
}
