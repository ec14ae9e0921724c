//! The world's links as the node agent sees them on the client side (v1.24.5:constructor/
//! queries.go:264-315, read by constructor/containers.go `loadConnection`): per client pod and
//! server pod, TCP connects, traffic, retransmissions, RTT, and the L7 requests whose statuses
//! and latency buckets are the server app's SLIs; failed connects to the Service address; the
//! entry apps' own inbound requests; `ip_to_fqdn` for external services.

use std::sync::Arc;

use super::plan::Plan;
use super::series::{Sink, jitter};
use super::slo::{BUCKETS, Latency, Timeline};
use crate::prng::hash_str;
use crate::util::MIN;
use crate::world::{Link, Shape};

/// One end of a connection: its address and when it stops answering.
struct Peer {
    ip: String,
    end: i64,
}

/// The L7 metric family of a server's protocol, and its (ok, failed) status labels.
fn protocol(tech: Option<&str>) -> (&'static str, &'static str, &'static str) {
    match tech {
        Some("postgres") => ("container_postgres_queries", "ok", "failed"),
        Some("redis") => ("container_redis_queries", "ok", "failed"),
        _ => ("container_http_requests", "200", "502"),
    }
}

/// Every link's series, the inbound SLIs of entry apps and the external names.
pub(crate) fn emit(plan: &Plan, sink: &mut Sink) {
    for l in &plan.p.links {
        link(plan, l, sink);
    }
    for (idx, a) in plan.p.apps.iter().enumerate() {
        if plan.apps[idx].inbound {
            inbound(plan, idx, sink);
        }
        if let Some(ip) = &plan.apps[idx].external_ip {
            let fqdn = a.name.rsplit_once(':').map(|(h, _)| h).unwrap_or(&a.name);
            sink.constant("ip_to_fqdn", &[("ip", ip), ("fqdn", fqdn)], 1.0);
        }
    }
}

/// The story's step for a metric of the client app whose `key` label is `value`.
fn step(plan: &Plan, metric: &str, object: &str, key: &str, value: &str) -> Option<(i64, f64, f64)> {
    plan.p.story.iter().find_map(|s| match &s.shape {
        Shape::Step { at, before, after }
            if s.metric == metric
                && s.object == object
                && s.label.as_ref().is_some_and(|(k, v)| k == key && v == value) =>
        {
            Some((*at, *before, *after))
        }
        _ => None,
    })
}

fn link(plan: &Plan, l: &Link, sink: &mut Sink) {
    let (c, s) = (&plan.p.apps[l.from], &plan.p.apps[l.to]);
    let (cp, sp) = (&plan.apps[l.from], &plan.apps[l.to]);
    let clients: Vec<Peer> = c
        .instances
        .iter()
        .zip(&cp.instance_end)
        .map(|(i, e)| Peer {
            ip: i.ip.clone(),
            end: *e,
        })
        .collect();
    let servers: Vec<Peer> = match &sp.external_ip {
        Some(ip) => vec![Peer {
            ip: ip.clone(),
            end: i64::MAX,
        }],
        None => s
            .instances
            .iter()
            .zip(&sp.instance_end)
            .map(|(i, e)| Peer {
                ip: i.ip.clone(),
                end: *e,
            })
            .collect(),
    };
    let port = l.port;
    let dest = match (&sp.service_ip, &sp.external_ip) {
        (_, Some(ip)) | (Some(ip), None) => format!("{ip}:{port}"),
        (None, None) => servers.first().map(|p| format!("{}:{port}", p.ip)).unwrap_or_default(),
    };
    let now = plan.now;
    // Traffic splits over the pods alive at each moment.
    let client_ends: Arc<[i64]> = clients.iter().map(|p| p.end).collect();
    let server_ends: Arc<[i64]> = servers.iter().map(|p| p.end).collect();
    let alive = |ends: &Arc<[i64]>, t: i64| ends.iter().filter(|e| **e > t).count().max(1) as f64;
    let (family, ok, failed) = protocol(s.tech.as_deref());
    let errors = sp.errors.clone();
    let latency = sp.latency.clone();
    let avg_s = l.latency_ms / 1000.0;
    // Links broken for good: no RTT comes back for the last stretch and no connection succeeds.
    let cut = l.no_connectivity.then_some(now - 10 * MIN);
    for (ci, client) in c.instances.iter().enumerate() {
        let Some(ids) = plan.container_labels(c, client) else {
            continue;
        };
        let id: Vec<(&str, &str)> = ids.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let cend = clients[ci].end;
        for server in &servers {
            let actual = format!("{}:{port}", server.ip);
            let end = cend.min(server.end).min(cut.unwrap_or(i64::MAX));
            let seed = hash_str(&format!("{}->{actual}", client.name));
            let (ce, se) = (client_ends.clone(), server_ends.clone());
            let rps = l.rps;
            let rate = move |t: i64| rps / alive(&ce, t) / alive(&se, t) * jitter(seed, t, 0.05);
            let rate: Arc<dyn Fn(i64) -> f64 + Send + Sync> = Arc::new(rate);
            let mut conn = id.clone();
            conn.extend([("destination", dest.as_str()), ("actual_destination", actual.as_str())]);
            let r = rate.clone();
            sink.rate("container_net_tcp_successful_connects_total", &conn, move |t| {
                r(t) * 0.02 + 0.01
            })
            .span(i64::MIN, end);
            let r = rate.clone();
            sink.rate("container_net_tcp_connection_time_seconds_total", &conn, move |t| {
                (r(t) * 0.02 + 0.01) * 0.0008
            })
            .span(i64::MIN, end);
            sink.constant("container_net_tcp_active_connections", &conn, 2.0)
                .span(i64::MIN, end);
            let (r, bs) = (rate.clone(), l.bytes_sent / l.rps.max(1e-9));
            sink.rate("container_net_tcp_bytes_sent_total", &conn, move |t| r(t) * bs)
                .span(i64::MIN, end);
            let (r, br) = (rate.clone(), l.bytes_received / l.rps.max(1e-9));
            sink.rate("container_net_tcp_bytes_received_total", &conn, move |t| r(t) * br)
                .span(i64::MIN, end);
            let retrans = step(
                plan,
                "container_net_tcp_retransmits_total",
                &c.name,
                "destination",
                &actual,
            );
            let r = rate.clone();
            sink.rate("container_net_tcp_retransmits_total", &conn, move |t| match retrans {
                Some((at, before, after)) => {
                    if t >= at {
                        after
                    } else {
                        before
                    }
                }
                None => r(t) * 0.0005,
            })
            .span(i64::MIN, end);
            let rtt = step(
                plan,
                "container_net_latency_seconds",
                &c.name,
                "destination_ip",
                &server.ip,
            );
            let rtt_s = l.rtt_ms / 1000.0;
            let mut lat = id.clone();
            lat.push(("destination_ip", server.ip.as_str()));
            sink.gauge("container_net_latency_seconds", &lat, move |t| {
                let v = match rtt {
                    Some((at, before, after)) => {
                        if t >= at {
                            after
                        } else {
                            before
                        }
                    }
                    None => rtt_s,
                };
                v * jitter(seed ^ 7, t, 0.05)
            })
            .span(i64::MIN, end);
            let flow = Flow {
                family,
                statuses: (ok, failed),
                rate,
                errors: errors.clone(),
                latency: latency.clone(),
                avg_s,
            };
            l7(sink, &flow, &conn, end);
        }
        if l.failed_connects || l.no_connectivity {
            failed_connects(plan, l, &c.name, &id, &dest, cend, sink);
        }
    }
}

/// The requests of one client pod to one server pod.
struct Flow {
    family: &'static str,
    /// The (ok, failed) status labels.
    statuses: (&'static str, &'static str),
    /// Requests per second.
    rate: Arc<dyn Fn(i64) -> f64 + Send + Sync>,
    errors: Timeline,
    latency: Latency,
    /// Average latency, seconds.
    avg_s: f64,
}

/// Requests by status, their latency histogram and total time, client side.
fn l7(sink: &mut Sink, f: &Flow, conn: &[(&str, &str)], end: i64) {
    let (total, count, sum, bucket) = names(f.family);
    let (ok, failed) = f.statuses;
    let (rate, errors, latency, avg_s) = (&f.rate, &f.errors, &f.latency, f.avg_s);
    for (status, bad) in [(ok, false), (failed, true)] {
        let (r, e) = (rate.clone(), errors.clone());
        let mut l = conn.to_vec();
        l.push(("status", status));
        sink.rate(total, &l, move |t| {
            let share = e.at(t);
            r(t) * if bad { share } else { 1.0 - share }
        })
        .span(i64::MIN, end);
    }
    for (k, le) in BUCKETS.iter().enumerate() {
        let (r, lat) = (rate.clone(), latency.clone());
        let le = le.to_string();
        let mut l = conn.to_vec();
        l.push(("le", le.as_str()));
        sink.rate(bucket, &l, move |t| r(t) * lat.cdf(k, t)).span(i64::MIN, end);
    }
    let mut l = conn.to_vec();
    l.push(("le", "+Inf"));
    let r = rate.clone();
    sink.rate(bucket, &l, move |t| r(t)).span(i64::MIN, end);
    let r = rate.clone();
    sink.rate(count, conn, move |t| r(t)).span(i64::MIN, end);
    let r = rate.clone();
    sink.rate(sum, conn, move |t| r(t) * avg_s).span(i64::MIN, end);
}

/// The metric names of an L7 family: total, histogram count, sum and bucket.
fn names(family: &'static str) -> (&'static str, &'static str, &'static str, &'static str) {
    match family {
        "container_postgres_queries" => (
            "container_postgres_queries_total",
            "container_postgres_queries_duration_seconds_total_count",
            "container_postgres_queries_duration_seconds_total_sum",
            "container_postgres_queries_duration_seconds_total_bucket",
        ),
        "container_redis_queries" => (
            "container_redis_queries_total",
            "container_redis_queries_duration_seconds_total_count",
            "container_redis_queries_duration_seconds_total_sum",
            "container_redis_queries_duration_seconds_total_bucket",
        ),
        _ => (
            "container_http_requests_total",
            "container_http_requests_duration_seconds_total_count",
            "container_http_requests_duration_seconds_total_sum",
            "container_http_requests_duration_seconds_total_bucket",
        ),
    }
}

/// Connection attempts to the Service address that fail (only `destination`: the node agent
/// never learns the pod behind it); the link is critical while the last point is above zero
/// (model/connection.go `HasFailedConnectionAttempts`).
fn failed_connects(plan: &Plan, l: &Link, client: &str, id: &[(&str, &str)], dest: &str, end: i64, sink: &mut Sink) {
    let story = plan.p.story.iter().find_map(|s| match &s.shape {
        Shape::Step { at, before, after }
            if s.metric == "container_net_tcp_failed_connects_total" && s.object == client =>
        {
            Some((*at, *before, *after))
        }
        _ => None,
    });
    let since = plan.p.apps[l.from]
        .trouble_since
        .or(plan.p.apps[l.to].trouble_since)
        .unwrap_or(plan.now - 30 * MIN);
    let (at, before, after) = story.unwrap_or((since, 0.0, 0.5));
    let mut lbl = id.to_vec();
    lbl.push(("destination", dest));
    sink.rate("container_net_tcp_failed_connects_total", &lbl, move |t| {
        if t >= at { after } else { before }
    })
    .span(i64::MIN, end);
}

/// Server-side requests of an app nobody measures from the client side (an entry point).
fn inbound(plan: &Plan, idx: usize, sink: &mut Sink) {
    let a = &plan.p.apps[idx];
    let ap = &plan.apps[idx];
    let n = a.instances.len().max(1) as f64;
    for (k, i) in a.instances.iter().enumerate() {
        let Some(ids) = plan.container_labels(a, i) else {
            continue;
        };
        let id: Vec<(&str, &str)> = ids.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let end = ap.instance_end[k];
        let seed = hash_str(&format!("{}/inbound", i.name));
        let rps = a.rps / n;
        for (status, bad) in [("200", false), ("502", true)] {
            let e = ap.errors.clone();
            let mut l = id.clone();
            l.push(("status", status));
            sink.rate("container_http_inbound_requests_total", &l, move |t| {
                let share = e.at(t);
                rps * jitter(seed, t, 0.05) * if bad { share } else { 1.0 - share }
            })
            .span(i64::MIN, end);
        }
        for (k, le) in BUCKETS
            .iter()
            .map(|b| b.to_string())
            .chain(["+Inf".to_string()])
            .enumerate()
        {
            let lat = ap.latency.clone();
            let mut l = id.clone();
            l.push(("le", le.as_str()));
            sink.rate(
                "container_http_inbound_requests_duration_seconds_total_bucket",
                &l,
                move |t| {
                    let share = if k < BUCKETS.len() { lat.cdf(k, t) } else { 1.0 };
                    rps * jitter(seed, t, 0.05) * share
                },
            )
            .span(i64::MIN, end);
        }
    }
}
