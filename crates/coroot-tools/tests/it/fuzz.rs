//! Every tool on arbitrary damage to the Coroot bodies it reads (proptest): each registered
//! tool runs against the simulator while one of the endpoints it reads serves a mutated copy of
//! its real body (keys dropped, values set to null, to the wrong type, to huge numbers, to
//! NaN-like strings, to deep nesting, to odd unicode, arrays emptied or multiplied, the body
//! cut short, bytes that are not UTF-8) through `Fault::Body`. The call returns a result within
//! the text cap or a tool error, and no thread panics. (The response models alone are fuzzed
//! in coroot-client.)
//!
//! The seed is fixed, so a run is reproducible; `PROPTEST_RNG_SEED=<n>` explores other inputs
//! and `PROPTEST_CASES` raises the case count (the default keeps the run to seconds). The panic
//! counter is process-wide: a test that panics on purpose belongs in another binary.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use coroot_client::{Client, ClientConfig};
use coroot_sim::{Auth, Fault, FaultRule, SimConfig, Simulator};
use coroot_tools::ToolContext;
use coroot_tools::testing::{self, Kit};
use proptest::test_runner::{TestCaseError, TestRunner};
use serde_json::{Value, json};

use crate::mutate::{apply, cases, config, damage};

/// Panics anywhere in the process (spawned tasks included), counted by a hook.
static PANICS: AtomicUsize = AtomicUsize::new(0);

fn count_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.fetch_add(1, Ordering::SeqCst);
            previous(info);
        }));
    });
}

/// Arguments that make `tool` succeed on the e-commerce scenario.
fn args_for(tool: &str) -> Value {
    match tool {
        "coroot_get_incident_detail" => json!({"incident_key": "q8w7e6r5"}),
        "coroot_get_app_detail" => json!({"app_id": "payment"}),
        "coroot_get_app_logs" => json!({"app_id": "checkout"}),
        "coroot_get_node_detail" => json!({"node_name": "node-3"}),
        "coroot_query_metrics" => json!({"promql": "container_resources_memory_rss_bytes"}),
        _ => json!({}),
    }
}

/// A fresh context on the kit's simulator and clock: a new client, so no cache (project list,
/// app ids) hides the damaged body, with the API key for the PromQL fallback and short waits.
fn fresh(kit: &Kit) -> ToolContext {
    let defaults = SimConfig::default();
    let Auth::Password { email, password } = defaults.auth else {
        panic!("the simulator's default account has a password");
    };
    let mut config = ClientConfig::new(kit.sim.base_url()).with_password(email, password);
    config.api_key = defaults.api_key.map(Into::into);
    config.retry_backoff = Duration::from_millis(1);
    config.timeout = Duration::from_secs(5);
    ToolContext {
        client: Client::new(config).unwrap(),
        ..kit.ctx.clone()
    }
}

/// The GET requests (path, query) a tool sent, without login and the user/project list.
fn tool_requests(sim: &Simulator) -> Vec<(String, Vec<(String, String)>)> {
    let mut seen = BTreeSet::new();
    sim.requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path.starts_with("/api/project/"))
        .filter(|r| seen.insert(r.path.clone()))
        .map(|r| (r.path, r.params))
        .collect()
}

/// Real bodies of the endpoints every tool reads.
async fn real_bodies(kit: &Kit) -> Vec<(&'static str, Vec<(String, Value)>)> {
    let mut out = Vec::new();
    for spec in &coroot_tools::TOOLS {
        kit.sim.clear_requests();
        let ran = (spec.call)(&fresh(kit), args_for(spec.name)).await;
        assert!(ran.is_ok(), "{} runs on the real bodies: {:?}", spec.name, ran.err());
        let fetch = fresh(kit).client;
        let mut bodies = Vec::new();
        for (path, params) in tool_requests(&kit.sim) {
            let query: Vec<(&str, String)> = params.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            // An endpoint this Coroot does not serve (its UI page answers) has no body to mutate.
            let Ok(raw) = fetch.get_raw(&path, &query).await else {
                continue;
            };
            bodies.push((path, serde_json::from_slice(&raw).unwrap()));
        }
        assert!(!bodies.is_empty(), "{} read no project endpoint", spec.name);
        out.push((spec.name, bodies));
    }
    out
}

#[test]
fn every_tool_survives_mutated_coroot_bodies() {
    count_panics();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let kit = rt.block_on(testing::ecommerce());
    let per_tool = rt.block_on(real_bodies(&kit));
    let max_chars = coroot_tools::Limits::default().max_chars;
    let (oks, errs) = (AtomicUsize::new(0), AtomicUsize::new(0));
    for (tool, bodies) in per_tool {
        let spec = coroot_tools::find(tool).unwrap();
        let args = args_for(tool);
        let mut runner = TestRunner::new(config(cases(24)));
        let strategy = (proptest::sample::select(bodies), damage());
        let result = runner.run(&strategy, |((path, body), damage)| {
            kit.sim.clear_faults();
            kit.sim.inject(FaultRule {
                path_contains: path.clone(),
                fault: Fault::Body {
                    status: 200,
                    content_type: "application/json".into(),
                    body: apply(&body, &damage),
                },
                times: None,
            });
            let ctx = fresh(&kit);
            let started = Instant::now();
            let out = rt.block_on((spec.call)(&ctx, args.clone()));
            let took = started.elapsed();
            if took > Duration::from_secs(15) {
                return Err(TestCaseError::fail(format!("{tool} took {took:?} on a mutated {path}")));
            }
            match out {
                Ok(o) => {
                    oks.fetch_add(1, Ordering::Relaxed);
                    if o.text.chars().count() > max_chars || !o.structured.is_object() {
                        return Err(TestCaseError::fail(format!(
                            "{tool}: output out of shape on a mutated {path}"
                        )));
                    }
                }
                Err(e) => {
                    errs.fetch_add(1, Ordering::Relaxed);
                    if e.to_string().trim().is_empty() {
                        return Err(TestCaseError::fail(format!("{tool}: empty error on a mutated {path}")));
                    }
                }
            }
            if PANICS.load(Ordering::SeqCst) > 0 {
                return Err(TestCaseError::fail(format!("{tool} panicked on a mutated {path}")));
            }
            Ok(())
        });
        if let Err(e) = result {
            panic!("{tool}: {e}");
        }
    }
    kit.sim.clear_faults();
    assert_eq!(PANICS.load(Ordering::SeqCst), 0);
    // Both outcomes occur: the mutations are neither all harmless nor all fatal.
    let (oks, errs) = (oks.into_inner(), errs.into_inner());
    eprintln!("mutated bodies: {oks} tool results, {errs} tool errors");
    assert!(oks > 0 && errs > 0, "ok/err: {oks}/{errs}");
}
