//! The node agent's node-level series (v1.24.5:constructor/queries.go:144-181, read by
//! constructor/nodes.go): identity, cloud metadata, uptime, CPU by mode, memory, disks and
//! network interfaces of every node of the world, ending where the story stops the agent.

use super::plan::Plan;
use super::series::{Sink, jitter, lbl};
use crate::world::{Node, Shape};

/// The node agent's series for every node.
pub(crate) fn emit(plan: &Plan, sink: &mut Sink) {
    for (idx, n) in plan.p.nodes.iter().enumerate() {
        node(plan, idx, n, sink);
    }
}

fn node(plan: &Plan, idx: usize, n: &Node, sink: &mut Sink) {
    let ids = &plan.nodes[idx];
    let (mid, uuid) = (ids.machine_id.as_str(), ids.system_uuid.as_str());
    let end = ids.end;
    let id = [("machine_id", mid), ("system_uuid", uuid)];
    let seed = crate::prng::hash_str(&n.name);
    sink.constant("node_agent_info", &lbl(&id, &[("version", &n.agent_version)]), 1.0)
        .span(i64::MIN, end);
    sink.constant(
        "node_info",
        &lbl(&id, &[("hostname", &n.name), ("kernel_version", &n.kernel)]),
        1.0,
    )
    .span(i64::MIN, end);
    let short_id = &mid[..16];
    sink.constant(
        "node_cloud_info",
        &lbl(
            &id,
            &[
                ("provider", &n.provider),
                ("account_id", "123456789012"),
                ("instance_id", &format!("i-0{short_id}")),
                ("instance_type", &n.instance_type),
                ("instance_life_cycle", &n.life_cycle),
                ("region", &n.region),
                ("availability_zone", &n.az),
                ("local_ipv4", &n.ip),
            ],
        ),
        1.0,
    )
    .span(i64::MIN, end);
    let now = plan.now;
    let uptime_now = n.uptime_ms as f64 / 1000.0;
    sink.gauge("node_uptime_seconds", &lbl(&id, &[]), move |t| {
        uptime_now + (t - now) as f64 / 1000.0
    })
    .span(now - n.uptime_ms.max(1), end);
    let cores = f64::from(n.vcpu.max(1));
    sink.constant("node_resources_cpu_logical_cores", &lbl(&id, &[]), cores)
        .span(i64::MIN, end);
    // Coroot's CPU usage is the non-idle share of all modes (queries.go:151).
    let busy = cores * f64::from(n.cpu_percent.unwrap_or(0)) / 100.0;
    for (mode, share) in [("user", 0.7), ("system", 0.25), ("iowait", 0.03), ("softirq", 0.02)] {
        let s = seed ^ crate::prng::hash_str(mode);
        sink.rate(
            "node_resources_cpu_usage_seconds_total",
            &lbl(&id, &[("mode", mode)]),
            move |t| busy * share * jitter(s, t, 0.01),
        )
        .span(i64::MIN, end);
    }
    sink.rate(
        "node_resources_cpu_usage_seconds_total",
        &lbl(&id, &[("mode", "idle")]),
        move |_| (cores - busy).max(0.0),
    )
    .span(i64::MIN, end);
    // Memory in decimal gigabytes, so Coroot's "<n>GB" (humanize) reads the world's size.
    let total = f64::from(n.mem_gb) * 1e9;
    let available = total * (1.0 - f64::from(n.mem_percent.unwrap_or(0)) / 100.0);
    sink.constant("node_resources_memory_total_bytes", &lbl(&id, &[]), total)
        .span(i64::MIN, end);
    sink.constant("node_resources_memory_available_bytes", &lbl(&id, &[]), available)
        .span(i64::MIN, end);
    sink.constant("node_resources_memory_free_bytes", &lbl(&id, &[]), available * 0.4)
        .span(i64::MIN, end);
    sink.constant("node_resources_memory_cached_bytes", &lbl(&id, &[]), available * 0.5)
        .span(i64::MIN, end);
    for d in &n.disks {
        disk(plan, n, d, &id, end, sink);
    }
    for (k, iface) in n.ifaces.iter().enumerate() {
        let i = [("interface", iface.as_str())];
        sink.constant("node_net_interface_up", &lbl(&id, &i), 1.0)
            .span(i64::MIN, end);
        if k == 0 {
            sink.constant(
                "node_net_interface_ip",
                &lbl(&id, &[("interface", iface), ("ip", &n.ip)]),
                1.0,
            )
            .span(i64::MIN, end);
        }
        let (rx, tx) = if k == 0 {
            (n.rx_bps as f64 / 8.0, n.tx_bps as f64 / 8.0)
        } else {
            (0.0, 0.0)
        };
        sink.rate("node_net_received_bytes_total", &lbl(&id, &i), move |_| rx)
            .span(i64::MIN, end);
        sink.rate("node_net_transmitted_bytes_total", &lbl(&id, &i), move |_| tx)
            .span(i64::MIN, end);
    }
}

/// A block device: its I/O load (read + write time per second, what StorageIOLoad and the
/// Disks table read, constructor/nodes.go:115-116), its latency (that time per operation) and
/// its utilisation, bent by the story's steps on the read/write/io time of this device.
fn disk(plan: &Plan, n: &Node, d: &crate::world::Disk, id: &[(&str, &str)], end: i64, sink: &mut Sink) {
    let dev = d.device.trim_start_matches("/dev/").to_string();
    let step = |metric: &str| {
        plan.p.story.iter().find_map(|s| match &s.shape {
            Shape::Step { at, before, after }
                if s.metric == metric
                    && s.object == n.name
                    && s.label.as_ref().is_some_and(|(k, v)| k == "device" && *v == dev) =>
            {
                Some((*at, *before, *after))
            }
            _ => None,
        })
    };
    let flat = |share: f64| (i64::MIN, d.io_load * share, d.io_load * share);
    let read = step("node_resources_disk_read_time_seconds_total").unwrap_or(flat(0.3));
    let write = step("node_resources_disk_write_time_seconds_total").unwrap_or(flat(0.7));
    let util = step("node_resources_disk_io_time_seconds_total").unwrap_or((
        i64::MIN,
        (d.io_load / 10.0).min(0.98),
        (d.io_load / 10.0).min(0.98),
    ));
    let at = |(at, before, after): (i64, f64, f64)| move |t: i64| if t >= at { after } else { before };
    let (read, write, util) = (at(read), at(write), at(util));
    let latency = (d.latency_ms / 1000.0).max(0.0001);
    let labels = lbl(id, &[("device", &dev)]);
    let r2 = read;
    sink.rate("node_resources_disk_read_time_seconds_total", &labels, read)
        .span(i64::MIN, end);
    let w2 = write;
    sink.rate("node_resources_disk_write_time_seconds_total", &labels, write)
        .span(i64::MIN, end);
    let (r3, w3) = (r2, w2);
    sink.rate("node_resources_disk_reads_total", &labels, move |t| r2(t) / latency)
        .span(i64::MIN, end);
    sink.rate("node_resources_disk_writes_total", &labels, move |t| w2(t) / latency)
        .span(i64::MIN, end);
    sink.rate("node_resources_disk_read_bytes_total", &labels, move |t| {
        r3(t) / latency * 16384.0
    })
    .span(i64::MIN, end);
    sink.rate("node_resources_disk_written_bytes_total", &labels, move |t| {
        w3(t) / latency * 32768.0
    })
    .span(i64::MIN, end);
    sink.rate("node_resources_disk_io_time_seconds_total", &labels, util)
        .span(i64::MIN, end);
}
