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
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use serde_json::{Value, json};

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

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A runner configuration with a fixed seed, so a CI run is reproducible and a failure can be
/// replayed; `PROPTEST_RNG_SEED=<n>` explores other inputs.
fn config(cases: u32) -> Config {
    let mut config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    if matches!(config.rng_seed, RngSeed::Random) {
        config.rng_seed = RngSeed::Fixed(0xC0_2007);
    }
    config
}

/// One change to a JSON document, applied at the node picked by the index.
#[derive(Debug, Clone)]
enum Mutation {
    DropKey(Index),
    Null,
    Replace(Value),
    Nest(usize),
    EmptyArray,
    Multiply(usize),
}

fn odd_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(null)),
        Just(json!(true)),
        Just(json!("")),
        Just(json!("NaN")),
        Just(json!("Infinity")),
        Just(json!("-Inf")),
        Just(json!("1e309")),
        Just(json!(1e308)),
        Just(json!(-1e308)),
        Just(json!(u64::MAX)),
        Just(json!(i64::MIN)),
        Just(json!(-1)),
        Just(json!(0.5)),
        Just(json!("\u{202e}ﬁ🙂\u{0}\u{feff}\u{10ffff}ǅ")),
        Just(json!("x".repeat(100_000))),
        Just(json!([])),
        Just(json!({})),
        Just(json!([null, 1, "a", {}])),
        Just(json!({"": null, "\u{0}": [1]})),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        "\\PC{0,40}".prop_map(|s| json!(s)),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => any::<Index>().prop_map(Mutation::DropKey),
        2 => Just(Mutation::Null),
        4 => odd_value().prop_map(Mutation::Replace),
        1 => (1usize..200).prop_map(Mutation::Nest),
        1 => Just(Mutation::EmptyArray),
        1 => (2usize..300).prop_map(Mutation::Multiply),
    ]
}

/// How a body is damaged: some mutations, then maybe a cut or a non-UTF-8 byte.
#[derive(Debug, Clone)]
struct Damage {
    mutations: Vec<(Index, Mutation)>,
    cut: Option<Index>,
    bad_byte: Option<Index>,
}

fn damage() -> impl Strategy<Value = Damage> {
    (
        prop::collection::vec((any::<Index>(), mutation()), 1..5),
        prop::option::weighted(0.15, any::<Index>()),
        prop::option::weighted(0.05, any::<Index>()),
    )
        .prop_map(|(mutations, cut, bad_byte)| Damage {
            mutations,
            cut,
            bad_byte,
        })
}

/// Paths to every node of `v`, in document order.
fn node_paths(v: &Value) -> Vec<Vec<Value>> {
    fn walk(v: &Value, at: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
        out.push(at.clone());
        match v {
            Value::Object(m) => {
                for (k, child) in m {
                    at.push(json!(k));
                    walk(child, at, out);
                    at.pop();
                }
            }
            Value::Array(a) => {
                for (i, child) in a.iter().enumerate() {
                    at.push(json!(i));
                    walk(child, at, out);
                    at.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

fn node_mut<'a>(mut v: &'a mut Value, path: &[Value]) -> Option<&'a mut Value> {
    for seg in path {
        v = match seg {
            Value::String(k) => v.get_mut(k.as_str())?,
            Value::Number(i) => v.get_mut(usize::try_from(i.as_u64()?).ok()?)?,
            _ => return None,
        };
    }
    Some(v)
}

fn apply(doc: &Value, damage: &Damage) -> Vec<u8> {
    let mut doc = doc.clone();
    for (at, m) in &damage.mutations {
        let paths = node_paths(&doc);
        let path = at.get(&paths).clone();
        let Some(node) = node_mut(&mut doc, &path) else {
            continue;
        };
        match m {
            Mutation::DropKey(k) => {
                if let Value::Object(map) = node
                    && !map.is_empty()
                {
                    let key = k.get(&map.keys().cloned().collect::<Vec<_>>()).clone();
                    map.remove(&key);
                }
            }
            Mutation::Null => *node = Value::Null,
            Mutation::Replace(v) => *node = v.clone(),
            Mutation::Nest(depth) => {
                let mut v = node.take();
                for _ in 0..*depth {
                    v = json!([v]);
                }
                *node = v;
            }
            Mutation::EmptyArray => {
                if let Value::Array(a) = node {
                    a.clear();
                }
            }
            Mutation::Multiply(n) => {
                if let Value::Array(a) = node
                    && let Some(first) = a.first().cloned()
                {
                    a.extend(std::iter::repeat_n(first, *n));
                }
            }
        }
    }
    let mut bytes = serde_json::to_vec(&doc).unwrap();
    if let Some(cut) = &damage.cut {
        bytes.truncate(cut.index(bytes.len().max(1)));
    }
    if let Some(at) = &damage.bad_byte
        && !bytes.is_empty()
    {
        let i = at.index(bytes.len());
        bytes[i] = 0xff;
    }
    bytes
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
