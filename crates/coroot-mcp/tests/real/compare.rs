//! The comparison: every fact of either side must be on the other with the same text, or a
//! number within its tolerance. A difference either is fixed in the simulator or is one a
//! fresh real Coroot cannot help (documented in docs/coroot-compat.md, "Differential tests"),
//! listed in [`EXPLAINED`] with the reason; explained differences are reported, not failed.

use crate::facts::{Facts, Tol, Val};

/// Differences a real Coroot started for the test cannot avoid: (scenario or `*`, fact key
/// pattern, why). A pattern is a key prefix in which `*` stands for any run of characters.
pub const EXPLAINED: &[(&str, &str, &str)] = &[
    (
        "*",
        "incident/*/6h.",
        "a fresh Coroot holds 4 h of history (its cache back-fills 4 h), so its 6 h burn rates \
         cover 4 h: when the last hour alone burns more than the scenario's 6 h rate allows over \
         4 h, no series can give the simulator's value",
    ),
    (
        "*",
        "risks/default:Deployment:cart/single-instance-app/status",
        "the fault scenarios dismiss this risk as a user would (POST /api/project/…/risks); a \
         fresh Coroot has no dismissal and the tests do not make one",
    ),
];

/// Whether `key` matches `pattern` (a prefix with `*` wildcards).
fn matches(pattern: &str, key: &str) -> bool {
    let mut rest = key;
    for (i, part) in pattern.split('*').enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

fn agree(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::Text(x), Val::Text(y)) => x == y,
        (Val::Num(x, tol), Val::Num(y, _)) => match tol {
            Tol::Exact => (x - y).abs() < 1e-9,
            Tol::Near(abs, rel) => (x - y).abs() <= abs.max(rel * x.abs().max(y.abs())) + 1e-9,
        },
        _ => false,
    }
}

fn show(v: Option<&Val>) -> String {
    match v {
        None => "absent".into(),
        Some(Val::Text(t)) => format!("{t:?}"),
        Some(Val::Num(n, _)) => format!("{n}"),
    }
}

/// The differences between the simulator's facts and the real Coroot's, split into
/// (unexplained, explained with their reason).
pub fn diff(scenario: &str, sim: &Facts, real: &Facts) -> (Vec<String>, Vec<String>) {
    let mut keys: Vec<&String> = sim.keys().chain(real.keys()).collect();
    keys.sort();
    keys.dedup();
    let (mut bad, mut explained) = (Vec::new(), Vec::new());
    for k in keys {
        let (a, b) = (sim.get(k), real.get(k));
        if let (Some(a), Some(b)) = (a, b)
            && agree(a, b)
        {
            continue;
        }
        let line = format!("{k}: simulator {} / real {}", show(a), show(b));
        match EXPLAINED
            .iter()
            .find(|(sc, pattern, _)| (*sc == "*" || *sc == scenario) && matches(pattern, k))
        {
            Some((_, _, why)) => explained.push(format!("{line} ({why})")),
            None => bad.push(line),
        }
    }
    (bad, explained)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_agree_within_their_tolerance_and_texts_exactly() {
        let mut sim = Facts::new();
        let mut real = Facts::new();
        sim.insert("a".into(), Val::Num(19.0, Tol::Near(0.5, 0.1)));
        real.insert("a".into(), Val::Num(18.2, Tol::Exact));
        sim.insert("b".into(), Val::Text("ok".into()));
        real.insert("b".into(), Val::Text("OK".into()));
        sim.insert("c".into(), Val::Num(3.0, Tol::Exact));
        let (bad, _) = diff("x", &sim, &real);
        assert_eq!(bad.len(), 2, "{bad:?}");
        assert!(bad[0].starts_with("b:") && bad[1].contains("real absent"));
    }

    #[test]
    fn patterns_match_prefixes_with_wildcards() {
        assert!(matches(
            "incident/*/6h.",
            "incident/default:Deployment:checkout/availability/6h.long"
        ));
        assert!(!matches("incident/*/6h.", "incidents/x/availability/6h.long"));
        assert!(!matches("incident/*/6h.", "incident/x/availability/1h.long"));
    }
}
