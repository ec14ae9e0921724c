//! JSON shape comparison with the real Coroot captures in `tests/fixtures/real-v1.24.5`:
//! the same keys (absent is not null), the same scalar types, and null never standing for
//! an empty list (or the reverse). Values may differ, and a value that is null on one side
//! and filled on the other is data, not shape; arrays are compared element by element
//! against the real elements of the same kind.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{Map, Value};

/// Keys whose values are free-form maps (labels, attributes, link params, counts by key).
const FREE: &[&str] = &["labels", "attributes", "params", "query", "incidents", "alerts"];

/// Loads a fixture.
pub fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/real-v1.24.5")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn keys(m: &Map<String, Value>) -> BTreeSet<&str> {
    m.keys().map(String::as_str).collect()
}

/// The real element most like `sim` (most shared keys; among equals the one with the same
/// `name` or `title`, then the one at the same position, then the first).
fn closest<'a>(sim: &Map<String, Value>, real: &'a [Value], at: usize) -> Option<&'a Map<String, Value>> {
    let sk = keys(sim);
    let score = |r: &Map<String, Value>| keys(r).intersection(&sk).count();
    let best = real.iter().filter_map(Value::as_object).map(score).max()?;
    let same_name = |r: &&Map<String, Value>| {
        ["name", "title"]
            .iter()
            .any(|k| sim.get(*k).is_some_and(|n| r.get(*k) == Some(n)))
    };
    let bests = || {
        real.iter()
            .filter_map(Value::as_object)
            .filter(move |r| score(r) == best)
    };
    bests()
        .find(same_name)
        .or_else(|| real.get(at).and_then(Value::as_object).filter(|r| score(r) == best))
        .or_else(|| bests().next())
}

/// Appends every shape difference between `sim` and `real` at `path`.
pub fn diff(path: &str, sim: &Value, real: &Value, out: &mut Vec<String>) {
    let empty_list = |v: &Value| v.as_array().is_some_and(Vec::is_empty);
    match (sim, real) {
        (Value::Null, r) | (r, Value::Null) => {
            if empty_list(r) {
                out.push(format!("{path}: null on one side, [] on the other"));
            }
        }
        (Value::Object(s), Value::Object(r)) => {
            let last = path.rsplit('.').next().unwrap_or("");
            if FREE.contains(&last) {
                return;
            }
            let (sk, rk) = (keys(s), keys(r));
            for k in rk.difference(&sk) {
                out.push(format!("{path}.{k}: missing (real has it)"));
            }
            for k in sk.difference(&rk) {
                out.push(format!("{path}.{k}: extra (real lacks it)"));
            }
            for k in sk.intersection(&rk) {
                diff(&format!("{path}.{k}"), &s[*k], &r[*k], out);
            }
        }
        (Value::Array(s), Value::Array(r)) => {
            if r.is_empty() {
                return;
            }
            let objects = r.iter().all(Value::is_object);
            let common: Option<BTreeSet<&str>> = objects.then(|| {
                r.iter()
                    .filter_map(Value::as_object)
                    .map(keys)
                    .reduce(|a, b| a.intersection(&b).copied().collect())
                    .unwrap_or_default()
            });
            let union: BTreeSet<&str> = r.iter().filter_map(Value::as_object).flat_map(keys).collect();
            for (i, e) in s.iter().enumerate() {
                let p = format!("{path}[{i}]");
                match (e, &common) {
                    (Value::Object(so), Some(common)) => {
                        let sk = keys(so);
                        for k in common.difference(&sk) {
                            out.push(format!("{p}.{k}: missing (every real element has it)"));
                        }
                        for k in sk.difference(&union) {
                            out.push(format!("{p}.{k}: extra (no real element has it)"));
                        }
                        if let Some(ro) = closest(so, r, i) {
                            for k in sk.intersection(&keys(ro)) {
                                diff(&format!("{p}.{k}"), &so[*k], &ro[*k], out);
                            }
                        }
                    }
                    _ => diff(&p, e, r.get(i).unwrap_or(&r[0]), out),
                }
            }
        }
        (s, r) => {
            if kind(s) != kind(r) {
                out.push(format!("{path}: {} here, {} in Coroot", kind(s), kind(r)));
            }
        }
    }
}

/// Asserts that `sim` has the shape of the fixture `name` (minus the listed paths, each
/// with its reason in the caller).
#[track_caller]
pub fn assert_shape(name: &str, sim: &Value, ignore: &[&str]) {
    let mut out = Vec::new();
    diff("$", sim, &fixture(name), &mut out);
    out.retain(|d| !ignore.iter().any(|i| d.starts_with(i)));
    assert!(
        out.is_empty(),
        "{name}: the simulator's shape differs from real Coroot:\n{}",
        out.join("\n")
    );
}
