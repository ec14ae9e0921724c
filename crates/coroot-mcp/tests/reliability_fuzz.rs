//! Fuzzing the parsers and renderers on arbitrary Coroot JSON (proptest): no input panics.
//!
//! * `models_decode_any_json_without_panicking`: every response model of the client decodes
//!   arbitrary JSON (keys drawn from Coroot's own vocabulary, so the generator reaches deep
//!   into the models) and mutated real bodies to `Ok` or `Err`, never a panic.
//! * `every_tool_survives_mutated_coroot_bodies`: each registered tool runs against the
//!   simulator while one of the endpoints it reads serves a mutated copy of its real body
//!   (keys dropped, values set to null, to the wrong type, to huge numbers, to NaN-like
//!   strings, to deep nesting, to odd unicode, arrays emptied or multiplied, the body cut
//!   short, bytes that are not UTF-8) through `Fault::Body`. The call returns a result within
//!   the text cap or a tool error, and no thread panics.
//!
//! `PROPTEST_CASES` raises the case count (defaults keep the CI run to a few seconds).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use coroot_client::models::{
    AppLogs, ApplicationView, AuditReport, Envelope, Incident, IncidentView, Overview, PanelData, ProjectStatus,
    PromResponse, User,
};
use coroot_client::{Client, ClientConfig};
use coroot_sim::{Fault, FaultRule, Simulator};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use serde_json::{Map, Value, json};

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

/// Every key in `v`, for generating documents in Coroot's vocabulary.
fn keys(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                out.insert(k.clone());
                keys(child, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|c| keys(c, out)),
        _ => {}
    }
}

/// Arbitrary JSON whose object keys are mostly Coroot's.
fn arbitrary_json(vocab: Vec<String>) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        odd_value(),
        any::<bool>().prop_map(|b| json!(b)),
        Just(json!("Critical"))
    ];
    let key = prop_oneof![4 => proptest::sample::select(vocab), 1 => "[a-z_]{0,8}"];
    leaf.prop_recursive(6, 256, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Decodes `bytes` as each response model; only a panic is a failure.
fn decode_all(bytes: &[u8]) {
    let _ = serde_json::from_slice::<Envelope<Overview>>(bytes);
    let _ = serde_json::from_slice::<Envelope<Vec<Incident>>>(bytes);
    let _ = serde_json::from_slice::<Envelope<IncidentView>>(bytes);
    let _ = serde_json::from_slice::<Envelope<ApplicationView>>(bytes);
    let _ = serde_json::from_slice::<Envelope<AppLogs>>(bytes);
    let _ = serde_json::from_slice::<Envelope<AuditReport>>(bytes);
    let _ = serde_json::from_slice::<Envelope<ProjectStatus>>(bytes);
    let _ = serde_json::from_slice::<PanelData>(bytes);
    let _ = serde_json::from_slice::<PromResponse>(bytes);
    let _ = serde_json::from_slice::<User>(bytes);
}

fn client(sim: &Simulator) -> Client {
    let mut config = ClientConfig::new(sim.base_url()).with_password(common::SIM_EMAIL, common::SIM_PASSWORD);
    config.api_key = Some(common::SIM_API_KEY.into());
    config.retry_backoff = Duration::from_millis(1);
    config.timeout = Duration::from_secs(5);
    Client::new(config).unwrap()
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
async fn real_bodies(sim: &Simulator) -> Vec<(&'static str, Vec<(String, Value)>)> {
    let mut out = Vec::new();
    for spec in &coroot_tools::TOOLS {
        sim.clear_requests();
        let ctx = coroot_tools::ToolContext::new(client(sim));
        let out_ok = (spec.call)(&ctx, common::args_for(spec.name, &(spec.input_schema)())).await;
        assert!(
            out_ok.is_ok(),
            "{} runs on the real bodies: {:?}",
            spec.name,
            out_ok.err()
        );
        let fetch = client(sim);
        let mut bodies = Vec::new();
        for (path, params) in tool_requests(sim) {
            let query: Vec<(&str, String)> = params.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            let raw = fetch.get_raw(&path, &query).await.unwrap();
            bodies.push((path, serde_json::from_slice(&raw).unwrap()));
        }
        assert!(!bodies.is_empty(), "{} read no project endpoint", spec.name);
        out.push((spec.name, bodies));
    }
    out
}

#[test]
fn models_decode_any_json_without_panicking() {
    count_panics();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let sim = rt.block_on(common::sim());
    let bodies: Vec<Value> = rt.block_on(async {
        let c = client(&sim);
        let mut out = vec![serde_json::from_slice(&c.get_raw("/api/user", &[]).await.unwrap()).unwrap()];
        for (_, bodies) in real_bodies(&sim).await {
            out.extend(bodies.into_iter().map(|(_, b)| b));
        }
        out
    });
    let mut vocab = BTreeSet::new();
    bodies.iter().for_each(|b| keys(b, &mut vocab));
    let vocab: Vec<String> = vocab.into_iter().collect();

    let mut runner = TestRunner::new(config(cases(512)));
    runner
        .run(&arbitrary_json(vocab), |doc| {
            decode_all(&serde_json::to_vec(&doc).unwrap());
            decode_all(&serde_json::to_vec(&json!({"context": {}, "data": doc})).unwrap());
            Ok(())
        })
        .unwrap();
    let mut runner = TestRunner::new(config(cases(512)));
    runner
        .run(&(proptest::sample::select(bodies), damage()), |(body, damage)| {
            decode_all(&apply(&body, &damage));
            Ok(())
        })
        .unwrap();
    assert_eq!(PANICS.load(Ordering::SeqCst), 0, "a decoder panicked");
}

#[test]
fn every_tool_survives_mutated_coroot_bodies() {
    count_panics();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let sim = rt.block_on(common::sim());
    let per_tool = rt.block_on(real_bodies(&sim));
    let max_chars = coroot_tools::Limits::default().max_chars;
    let (oks, errs) = (AtomicUsize::new(0), AtomicUsize::new(0));
    for (tool, bodies) in per_tool {
        let spec = coroot_tools::find(tool).unwrap();
        let args = common::args_for(tool, &(spec.input_schema)());
        let mut runner = TestRunner::new(config(cases(24)));
        let strategy = (proptest::sample::select(bodies), damage());
        let result = runner.run(&strategy, |((path, body), damage)| {
            sim.clear_faults();
            sim.inject(FaultRule {
                path_contains: path.clone(),
                fault: Fault::Body {
                    status: 200,
                    content_type: "application/json".into(),
                    body: apply(&body, &damage),
                },
                times: None,
            });
            let ctx = coroot_tools::ToolContext::new(client(&sim));
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
    sim.clear_faults();
    assert_eq!(PANICS.load(Ordering::SeqCst), 0);
    // Both outcomes occur: the mutations are neither all harmless nor all fatal.
    let (oks, errs) = (oks.into_inner(), errs.into_inner());
    eprintln!("mutated bodies: {oks} tool results, {errs} tool errors");
    assert!(oks > 0 && errs > 0, "ok/err: {oks}/{errs}");
}
