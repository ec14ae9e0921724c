//! Damage to a JSON body, for the fuzz tests of coroot-client (the response models) and
//! coroot-tools (every tool, through the simulator's `Fault::Body`), which include this one file:
//! keys dropped, values set to null, to the wrong type, to huge numbers, to NaN-like strings, to
//! deep nesting, to odd unicode, arrays emptied or multiplied, the body cut short, bytes that are
//! not UTF-8. The runner's seed is fixed unless `PROPTEST_RNG_SEED` names one; `PROPTEST_CASES`
//! sets the case count.

#![allow(dead_code)]

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngSeed};
use serde_json::{Value, json};

pub(crate) fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A runner configuration with a fixed seed, unless `PROPTEST_RNG_SEED` names one.
pub(crate) fn config(cases: u32) -> Config {
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
pub(crate) enum Mutation {
    DropKey(Index),
    Null,
    Replace(Value),
    Nest(usize),
    EmptyArray,
    Multiply(usize),
}

pub(crate) fn odd_value() -> impl Strategy<Value = Value> {
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

pub(crate) fn mutation() -> impl Strategy<Value = Mutation> {
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
pub(crate) struct Damage {
    mutations: Vec<(Index, Mutation)>,
    cut: Option<Index>,
    bad_byte: Option<Index>,
}

pub(crate) fn damage() -> impl Strategy<Value = Damage> {
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
pub(crate) fn node_paths(v: &Value) -> Vec<Vec<Value>> {
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

pub(crate) fn node_mut<'a>(mut v: &'a mut Value, path: &[Value]) -> Option<&'a mut Value> {
    for seg in path {
        v = match seg {
            Value::String(k) => v.get_mut(k.as_str())?,
            Value::Number(i) => v.get_mut(usize::try_from(i.as_u64()?).ok()?)?,
            _ => return None,
        };
    }
    Some(v)
}

pub(crate) fn apply(doc: &Value, damage: &Damage) -> Vec<u8> {
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
