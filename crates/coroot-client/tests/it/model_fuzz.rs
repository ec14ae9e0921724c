//! Fuzzing the response models on arbitrary Coroot JSON (proptest): no input panics.
//!
//! `models_decode_any_json_without_panicking` decodes, as every response model, arbitrary JSON
//! whose keys are drawn from Coroot's own vocabulary (so the generator reaches deep into the
//! models) and mutated copies of the simulator's real bodies: keys dropped, values set to null,
//! to the wrong type, to huge numbers, to NaN-like strings, to deep nesting, to odd unicode,
//! arrays emptied or multiplied, the body cut short, bytes that are not UTF-8. Each decodes to
//! `Ok` or `Err`, never a panic.
//!
//! The seed is fixed, so a run is reproducible and a failure can be replayed;
//! `PROPTEST_RNG_SEED=<n>` explores other inputs and `PROPTEST_CASES` raises the case count
//! (the default keeps the run to a few seconds).

use std::cell::Cell;
use std::collections::BTreeSet;

use coroot_client::models::{
    AppLogs, ApplicationView, AuditReport, Envelope, Incident, IncidentView, Overview, PanelData, ProjectStatus,
    PromResponse, User,
};
use coroot_client::{AppId, AppLogQuery, OverviewLogQuery, TraceQuery};
use coroot_sim::Simulator;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngSeed, TestRunner};
use serde_json::{Map, Value, json};

use crate::common::*;

thread_local! {
    /// Panics on this thread, counted by a hook: the decoders run on the test's own thread,
    /// so the other tests of the binary cannot blur the count.
    static PANICS: Cell<usize> = const { Cell::new(0) };
}

fn count_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.with(|n| n.set(n.get() + 1));
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

/// A runner configuration with a fixed seed, unless `PROPTEST_RNG_SEED` names one.
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

/// The real bodies of `/api/user` and of every project endpoint the client reads, one per path.
async fn real_bodies(sim: &Simulator) -> Vec<Value> {
    let client = client(sim);
    let range = last_hour();
    let payment = AppId::new(format!("{PROD}:default:Deployment:payment"));
    let one_trace = TraceQuery {
        trace_id: Some(ERROR_TRACE.into()),
        ..TraceQuery::default()
    };
    client.user().await.unwrap();
    client.project_status(PROD).await.unwrap();
    client.applications(PROD, range).await.unwrap();
    client.service_map(PROD, range).await.unwrap();
    client.nodes(PROD, range).await.unwrap();
    client.deployments(PROD, range).await.unwrap();
    client.traces(PROD, range, &TraceQuery::default()).await.unwrap();
    client.traces(PROD, range, &one_trace).await.unwrap();
    client
        .overview_logs(PROD, range, &OverviewLogQuery::default())
        .await
        .unwrap();
    client.costs(PROD, range).await.unwrap();
    client.risks(PROD, range).await.unwrap();
    client.incidents(PROD, range.to_ms, 20).await.unwrap();
    client.incident(PROD, "q8w7e6r5").await.unwrap();
    client.app(PROD, &payment, range).await.unwrap();
    client
        .app_logs(PROD, &payment, range, &AppLogQuery::default())
        .await
        .unwrap();
    client.node(PROD, "node-1", range).await.unwrap();
    client
        .panel_data(PROD, range, "container_resources_memory_rss_bytes", "", "")
        .await
        .unwrap();

    let mut seen = BTreeSet::new();
    let mut bodies = Vec::new();
    for req in sim.requests() {
        let wanted = req.path == "/api/user" || req.path.starts_with("/api/project/");
        if req.method != "GET" || !wanted || !seen.insert(req.path.clone()) {
            continue;
        }
        let query: Vec<(&str, String)> = req.params.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        let raw = client.get_raw(&req.path, &query).await.unwrap();
        bodies.push(serde_json::from_slice(&raw).unwrap());
    }
    bodies
}

#[test]
fn models_decode_any_json_without_panicking() {
    count_panics();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let sim = rt.block_on(ecommerce());
    let bodies = rt.block_on(real_bodies(&sim));
    assert!(bodies.len() >= 15, "{} bodies", bodies.len());
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
    assert_eq!(PANICS.with(Cell::get), 0, "a decoder panicked");
}
