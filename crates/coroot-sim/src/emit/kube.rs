//! kube-state-metrics' series (v1.24.5:constructor/queries.go:190-229, read by
//! constructor/k8s.go): nodes joined to the node agent's by system UUID, the workloads'
//! desired replicas, Services with their ClusterIPs and endpoints, and every pod with its
//! owner, IPs, phase, readiness, container states and resource requests.

use super::plan::{Plan, uuid};
use super::series::{Sink, lbl};
use crate::world::{App, Instance};

/// kube-state-metrics' series for the whole project.
pub(crate) fn emit(plan: &Plan, sink: &mut Sink) {
    for (n, ids) in plan.p.nodes.iter().zip(&plan.nodes) {
        sink.constant(
            "kube_node_info",
            &[
                ("node", &n.name),
                ("system_uuid", &ids.system_uuid),
                ("kernel_version", &n.kernel),
                ("internal_ip", &n.ip),
                ("container_runtime_version", "containerd://1.7.22"),
            ],
            1.0,
        )
        .span(i64::MIN, ids.end);
    }
    for (idx, a) in plan.p.apps.iter().enumerate() {
        if a.kind == "ExternalService" {
            continue;
        }
        workload(plan, idx, a, sink);
        for (k, i) in a.instances.iter().enumerate() {
            pod(plan, idx, a, k, i, sink);
        }
    }
}

/// The workload's desired replicas and its Service.
fn workload(plan: &Plan, idx: usize, a: &App, sink: &mut Sink) {
    let n = a.instances.len() as f64;
    let ns = a.ns.as_str();
    match a.kind.as_str() {
        "Deployment" => sink.constant(
            "kube_deployment_spec_replicas",
            &[("namespace", ns), ("deployment", &a.name)],
            n,
        ),
        "StatefulSet" => sink.constant(
            "kube_statefulset_replicas",
            &[("namespace", ns), ("statefulset", &a.name)],
            n,
        ),
        "DaemonSet" => sink.constant(
            "kube_daemonset_status_desired_number_scheduled",
            &[("namespace", ns), ("daemonset", &a.name)],
            n,
        ),
        _ => return,
    };
    let ap = &plan.apps[idx];
    let Some(ip) = &ap.service_ip else {
        return;
    };
    let endpoints: Vec<(&str, i64)> = a
        .instances
        .iter()
        .map(|i| i.ip.as_str())
        .zip(ap.instance_end.iter().copied())
        .collect();
    service(sink, (ns, &a.name), ip, "ClusterIP", ap.port, &endpoints);
    // A scenario's exposure risk: a LoadBalancer Service with a public ingress IP in front of
    // the app (what api/views/overview/risks.go `dbPortExposures` finds).
    for (k, r) in plan.p.risks.iter().filter(|r| r.app == idx).enumerate() {
        let Some((ips, _, lbs)) = &r.exposure else {
            continue;
        };
        for lb in lbs {
            let cluster_ip = format!("10.96.250.{}", 10 + k);
            service(sink, (ns, lb), &cluster_ip, "LoadBalancer", ap.port, &endpoints);
            for ingress in ips {
                sink.constant(
                    "kube_service_status_load_balancer_ingress",
                    &[("namespace", ns), ("service", lb), ("ip", ingress)],
                    1.0,
                );
            }
        }
    }
}

/// A Service: its ClusterIP, type, port and the pod endpoints behind it (each until it ends).
fn service(sink: &mut Sink, (ns, name): (&str, &str), ip: &str, typ: &str, port: u16, endpoints: &[(&str, i64)]) {
    let svc = [("namespace", ns), ("service", name)];
    sink.constant("kube_service_info", &lbl(&svc, &[("cluster_ip", ip)]), 1.0);
    sink.constant("kube_service_spec_type", &lbl(&svc, &[("type", typ)]), 1.0);
    let port = port.to_string();
    sink.constant(
        "kube_service_port",
        &lbl(
            &svc,
            &[
                ("port", port.as_str()),
                ("target_port", port.as_str()),
                ("port_protocol", "TCP"),
            ],
        ),
        1.0,
    );
    for (ip, end) in endpoints {
        sink.constant(
            "kube_endpoint_address",
            &[
                ("namespace", ns),
                ("endpoint", name),
                ("ip", ip),
                ("port_number", &port),
                ("ready", "true"),
            ],
            1.0,
        )
        .span(i64::MIN, *end);
    }
}

/// The owner kube-state-metrics reports for a pod: a Deployment's pods belong to their
/// ReplicaSet (the pod name without its random suffix, whose hash Coroot strips when it is
/// hex, model/application_id.go).
fn owner(a: &App, pod: &str) -> (&'static str, String) {
    match a.kind.as_str() {
        "Deployment" => (
            "ReplicaSet",
            pod.rsplit_once('-').map(|(rs, _)| rs).unwrap_or(pod).to_string(),
        ),
        "DaemonSet" => ("DaemonSet", a.name.clone()),
        "CronJob" => ("Job", a.name.clone()),
        _ => ("StatefulSet", a.name.clone()),
    }
}

/// One pod's series: its containers run until the plan says they stop, then wait with the
/// reason of the instance's status (`down (waiting:CrashLoopBackOff)`).
fn pod(plan: &Plan, idx: usize, a: &App, k: usize, i: &Instance, sink: &mut Sink) {
    let Some(node) = plan.p.node(&i.node) else {
        return;
    };
    let end = plan.apps[idx].instance_end[k];
    let uid = uuid(&format!("{}/{}/pod", a.ns, i.name));
    let (kind, owner_name) = owner(a, &i.name);
    let p = [
        ("namespace", a.ns.as_str()),
        ("pod", i.name.as_str()),
        ("uid", uid.as_str()),
    ];
    sink.constant(
        "kube_pod_info",
        &lbl(
            &p,
            &[
                ("created_by_kind", kind),
                ("created_by_name", &owner_name),
                ("node", &i.node),
                ("pod_ip", &i.ip),
                ("host_ip", &node.ip),
            ],
        ),
        1.0,
    );
    let mut labels: Vec<(String, String)> = vec![("label_app_kubernetes_io_name".into(), a.name.clone())];
    for (k, v) in &i.labels {
        labels.push((format!("label_{k}"), v.clone()));
    }
    let labels: Vec<(&str, &str)> = labels.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    sink.constant("kube_pod_labels", &lbl(&p, &labels), 1.0);
    sink.constant("kube_pod_status_phase", &lbl(&p, &[("phase", "Running")]), 1.0);
    sink.constant("kube_pod_status_scheduled", &lbl(&p, &[("condition", "true")]), 1.0);
    let up = move |t: i64| if t < end { 1.0 } else { 0.0 };
    sink.gauge("kube_pod_status_ready", &lbl(&p, &[("condition", "true")]), up);
    let c = [
        ("namespace", a.ns.as_str()),
        ("pod", i.name.as_str()),
        ("uid", uid.as_str()),
        ("container", a.name.as_str()),
    ];
    sink.gauge("kube_pod_container_status_running", &lbl(&c, &[]), up);
    sink.gauge("kube_pod_container_status_ready", &lbl(&c, &[]), up);
    sink.gauge("kube_pod_container_status_waiting", &lbl(&c, &[]), move |t| 1.0 - up(t));
    if let Some(reason) = i
        .status_text
        .split_once("waiting:")
        .map(|(_, r)| r.trim_end_matches(')'))
    {
        sink.gauge(
            "kube_pod_container_status_waiting_reason",
            &lbl(&c, &[("reason", reason)]),
            move |t| 1.0 - up(t),
        );
    }
    let ap = plan.p.apps.get(idx);
    let (cpu, mem) = ap.map_or((0.0, 0.0), |a| (f64::from(a.cpu_request_m) / 1000.0, a.mem_request));
    sink.constant(
        "kube_pod_container_resource_requests",
        &lbl(&c, &[("resource", "cpu"), ("unit", "core")]),
        cpu,
    );
    sink.constant(
        "kube_pod_container_resource_requests",
        &lbl(&c, &[("resource", "memory"), ("unit", "byte")]),
        mem,
    );
}
