//! The node agent's language-runtime series for the world's Java, Python and Node.js apps
//! (v1.24.5:constructor/queries.go:446-473, read by constructor/jvm.go, python.go, nodejs.go):
//! with them Coroot adds the JVM, Python and Node.js reports the simulator shows, their
//! checks within their thresholds. No `container_jvm_profiling_status`: the simulated JVMs
//! run without async-profiler (the JVM report's configuration hint).

use super::plan::Plan;
use super::series::{Sink, lbl};

/// The runtime series of every container of a Java, Python or Node.js app.
pub(crate) fn emit(plan: &Plan, sink: &mut Sink) {
    for (idx, a) in plan.p.apps.iter().enumerate() {
        let tech = a.tech.as_deref().unwrap_or("");
        if !matches!(tech, "java" | "python" | "nodejs") {
            continue;
        }
        for (k, i) in a.instances.iter().enumerate() {
            let Some(ids) = plan.container_labels(a, i) else {
                continue;
            };
            let id: Vec<(&str, &str)> = ids.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let end = plan.apps[idx].instance_end[k];
            match tech {
                "java" => {
                    let jvm = format!("{}.jar", a.name);
                    let j = lbl(&id, &[("jvm", jvm.as_str())]);
                    sink.constant("container_jvm_info", &lbl(&j, &[("java_version", "21.0.4")]), 1.0)
                        .span(i64::MIN, end);
                    let (heap, max) = (a.mem_usage * 0.6, a.mem_limit * 0.75);
                    sink.constant("container_jvm_heap_used_bytes", &j, heap)
                        .span(i64::MIN, end);
                    sink.constant("container_jvm_heap_max_size_bytes", &j, max)
                        .span(i64::MIN, end);
                    sink.rate(
                        "container_jvm_gc_time_seconds",
                        &lbl(&j, &[("gc", "G1 Young Generation")]),
                        |_| 0.004,
                    )
                    .span(i64::MIN, end);
                    sink.rate("container_jvm_safepoint_time_seconds", &j, |_| 0.002)
                        .span(i64::MIN, end);
                    sink.rate("container_jvm_safepoint_sync_time_seconds", &j, |_| 0.0005)
                        .span(i64::MIN, end);
                }
                "python" => {
                    sink.rate("container_python_thread_lock_wait_time_seconds", &id, |_| 0.002)
                        .span(i64::MIN, end);
                }
                _ => {
                    sink.rate("container_nodejs_event_loop_blocked_time_seconds_total", &id, |_| 0.01)
                        .span(i64::MIN, end);
                }
            }
        }
    }
}
