//! Facts, not text: every tool's structured answer reduced to `key → value` pairs a user
//! relies on (statuses, check ids and messages, links, burn rates, costs, suspects), with
//! the tolerance each number gets where real Coroot's math differs slightly from the
//! simulator's (noisy rates, bucket interpolation, float32 sums). Project ids are dropped
//! from application ids so both sides name apps alike.

use std::collections::BTreeMap;

use serde_json::Value;

/// How close two numbers must be.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Tol {
    /// Equal.
    Exact,
    /// Within this absolute difference, or this relative one (whichever is looser).
    Near(f64, f64),
}

/// One fact.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Text(String),
    Num(f64, Tol),
}

/// Every fact of one side, by key.
pub type Facts = BTreeMap<String, Val>;

/// `Near` tolerances by what a number is.
pub const PERCENT: Tol = Tol::Near(2.0, 0.0);
pub const RATE: Tol = Tol::Near(0.5, 0.12);
pub const LATENCY: Tol = Tol::Near(0.0005, 0.25);
pub const BURN: Tol = Tol::Near(0.6, 0.12);
pub const MONEY: Tol = Tol::Near(0.5, 0.1);

/// An application id without its project (`ns:Kind:name`); external services keep theirs.
pub fn app(id: &str) -> String {
    if id.starts_with("external:") {
        return id.to_string();
    }
    id.split_once(':')
        .map(|(_, rest)| rest.to_string())
        .unwrap_or_else(|| id.to_string())
}

/// A string field.
pub fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// An array field (empty when absent).
pub fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key).and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[])
}

/// A number in a Coroot text: `19%`, `<1%`, `40ms`, `1.2s`, `0.4`, `12 GB`; latencies in
/// seconds. `None` when the text is not a number.
pub fn number(text: &str) -> Option<f64> {
    let t = text.trim();
    let (num, unit) = match t.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-')) {
        Some(i) => (&t[..i], t[i..].trim()),
        None => (t, ""),
    };
    let v: f64 = num.parse().ok()?;
    Some(match unit {
        "ms" => v / 1000.0,
        "µs" => v / 1e6,
        "" | "s" | "%" | "/s" | "rps" => v,
        "kB" | "kB/s" => v * 1e3,
        "MB" | "MB/s" => v * 1e6,
        "GB" | "GB/s" => v * 1e9,
        "m" => v / 1000.0,
        _ => return None,
    })
}

/// Adds facts to a set under a prefix.
pub struct Put<'a> {
    pub facts: &'a mut Facts,
    pub prefix: String,
}

impl Put<'_> {
    pub fn text(&mut self, key: &str, v: impl Into<String>) {
        self.facts.insert(format!("{}/{key}", self.prefix), Val::Text(v.into()));
    }

    pub fn num(&mut self, key: &str, v: f64, tol: Tol) {
        self.facts.insert(format!("{}/{key}", self.prefix), Val::Num(v, tol));
    }

    /// A Coroot text that may hold a number: the number with `tol`, else the text.
    pub fn value(&mut self, key: &str, text: &str, tol: Tol) {
        match number(text) {
            Some(v) if !text.starts_with('<') => self.num(key, v, tol),
            _ => self.text(key, text),
        }
    }

    /// A message whose numbers are compared with `tol` and words exactly: the words with
    /// `#` for each number, then each number.
    pub fn message(&mut self, key: &str, text: &str, tol: Tol) {
        let mut words = Vec::new();
        let mut nums = Vec::new();
        for w in text.split_whitespace() {
            let bare = w.trim_end_matches([',', '.', ')']).trim_start_matches('(');
            match bare.replace(',', "").trim_end_matches('x').parse::<f64>() {
                Ok(n) if bare.chars().next().is_some_and(|c| c.is_ascii_digit()) => {
                    nums.push(n);
                    words.push("#".to_string());
                }
                _ => words.push(w.to_string()),
            }
        }
        self.text(key, words.join(" "));
        for (i, n) in nums.into_iter().enumerate() {
            self.num(&format!("{key}#{i}"), n, tol);
        }
    }
}

/// Link stats (`⚠️ reason`, or `📈 8 rps ⏱️ 95ms` and `↑2kB/s ↓15kB/s`) as facts.
pub fn link_stats(put: &mut Put, stats: &[Value]) {
    for line in stats.iter().filter_map(Value::as_str) {
        if let Some(reason) = line.strip_prefix("⚠️ ") {
            put.text("issue", reason);
            continue;
        }
        let parts: Vec<&str> = line.split_whitespace().collect();
        for (i, p) in parts.iter().enumerate() {
            match *p {
                "rps" if i > 0 => put.value("rps", parts[i - 1].trim_start_matches("📈"), RATE),
                "⏱️" if i + 1 < parts.len() => put.value("latency", parts[i + 1], LATENCY),
                _ if p.starts_with('↑') => put.value("sent", p.trim_start_matches('↑'), Tol::Near(1e3, 0.2)),
                _ if p.starts_with('↓') => put.value("received", p.trim_start_matches('↓'), Tol::Near(1e3, 0.2)),
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_coroot_writes_them() {
        assert_eq!(number("19%"), Some(19.0));
        assert_eq!(number("40ms"), Some(0.04));
        assert_eq!(number("1.2s"), Some(1.2));
        assert_eq!(number("250m"), Some(0.25));
        assert_eq!(number("failed conns"), None);
    }

    #[test]
    fn messages_split_into_words_and_numbers() {
        let mut f = Facts::new();
        let mut p = Put {
            facts: &mut f,
            prefix: "x".into(),
        };
        p.message("m", "error budget burn rate is 19.0x within 1 hour", BURN);
        assert_eq!(
            f.get("x/m"),
            Some(&Val::Text("error budget burn rate is # within # hour".into()))
        );
        assert_eq!(f.get("x/m#0"), Some(&Val::Num(19.0, BURN)));
    }
}
