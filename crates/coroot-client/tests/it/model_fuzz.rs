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
use proptest::test_runner::TestRunner;
use serde_json::{Map, Value, json};

use crate::common::*;
use crate::mutate::{apply, cases, config, damage, odd_value};

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
