//! Just enough PromQL for the simulator: a syntax check with Prometheus-style messages, the
//! first known metric and its label matchers, `rate`-style functions and one leading or
//! trailing `sum|avg|max|min|count by/without`, evaluated over the generated series.

use std::collections::BTreeMap;

use super::series::{KNOWN, Mode, series_of, value_at};
use crate::util::tiny_match;
use crate::world::Project;

/// Checks PromQL bracket balance, quotes and dangling operators, with Prometheus-style messages.
pub(crate) fn syntax_check(q: &str) -> Result<(), String> {
    if q.trim().is_empty() {
        return Err("1:1: parse error: no expression found in input".into());
    }
    let mut stack: Vec<(char, usize)> = Vec::new();
    let mut chars = q.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let pos = q[..i].chars().count() + 1;
        match c {
            '"' | '\'' | '`' => {
                let mut closed = false;
                while let Some((_, d)) = chars.next() {
                    if d == '\\' && c != '`' {
                        chars.next();
                        continue;
                    }
                    if d == c {
                        closed = true;
                        break;
                    }
                }
                if !closed {
                    return Err(format!("1:{pos}: parse error: unterminated quoted string"));
                }
            }
            '(' | '{' | '[' => stack.push((c, pos)),
            ')' | '}' | ']' => {
                let want = match c {
                    ')' => '(',
                    '}' => '{',
                    _ => '[',
                };
                match stack.pop() {
                    Some((open, _)) if open == want => {}
                    _ => {
                        let what = match c {
                            ')' => "unexpected right parenthesis ')'",
                            '}' => "unexpected \"}\"",
                            _ => "unexpected right bracket ']'",
                        };
                        return Err(format!("1:{pos}: parse error: {what}"));
                    }
                }
            }
            _ => {}
        }
    }
    if let Some((open, pos)) = stack.last() {
        let what = match open {
            '(' => "unclosed left parenthesis",
            '{' => "unexpected end of input inside braces",
            _ => "unclosed left bracket",
        };
        return Err(format!("1:{pos}: parse error: {what}"));
    }
    let t = q.trim_end();
    let end = t.chars().count() + 1;
    let dangling = t.ends_with(['+', '-', '*', '/', '%', '^', '=', '<', '>', '!', ','])
        || [" and", " or", " unless", " by", " without", " on", " ignoring"]
            .iter()
            .any(|w| t.ends_with(w));
    if dangling {
        return Err(format!("1:{end}: parse error: unexpected end of input"));
    }
    Ok(())
}

/// A parsed selector: the known metric, its matchers, how to evaluate, and grouping.
struct Selection {
    metric: &'static str,
    matchers: Vec<(String, String, String)>,
    mode: Mode,
    /// (aggregation, by-labels or None for `without`/no grouping, without-labels)
    agg: Option<(String, Option<Vec<String>>, Vec<String>)>,
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

fn parse_selection(q: &str) -> Option<Selection> {
    // Find the first known metric name outside quotes and braces.
    let b: Vec<char> = q.chars().collect();
    let mut i = 0;
    let mut depth_brace = 0;
    let mut found: Option<(&'static str, usize)> = None;
    while i < b.len() {
        let c = b[i];
        if c == '"' || c == '\'' {
            i += 1;
            while i < b.len() && b[i] != c {
                i += 1;
            }
            i += 1;
            continue;
        }
        if c == '{' {
            depth_brace += 1;
        } else if c == '}' {
            depth_brace -= 1;
        }
        if depth_brace == 0 && is_ident(c) && (i == 0 || !is_ident(b[i - 1])) {
            let start = i;
            while i < b.len() && is_ident(b[i]) {
                i += 1;
            }
            let word: String = b[start..i].iter().collect();
            if let Some((m, _)) = KNOWN.iter().find(|(m, _)| *m == word) {
                found = Some((m, i));
                break;
            }
            continue;
        }
        i += 1;
    }
    let (metric, mut j) = found?;
    while j < b.len() && b[j].is_whitespace() {
        j += 1;
    }
    let mut matchers = Vec::new();
    if j < b.len() && b[j] == '{' {
        let close = b[j..].iter().position(|c| *c == '}').map(|k| j + k)?;
        let inner: String = b[j + 1..close].iter().collect();
        for part in split_top(&inner) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let ops = ["=~", "!~", "!=", "="];
            let Some((pos, op)) = ops
                .iter()
                .filter_map(|op| part.find(op).map(|p| (p, *op)))
                .min_by_key(|(p, op)| (*p, std::cmp::Reverse(op.len())))
            else {
                continue;
            };
            let name = part[..pos].trim().to_string();
            let val = part[pos + op.len()..]
                .trim()
                .trim_matches(|c| c == '"' || c == '\'' || c == '`')
                .to_string();
            matchers.push((name, op.to_string(), val));
        }
    }
    let lower = q.to_ascii_lowercase();
    let mode = if ["rate(", "irate(", "increase(", "deriv(", "delta(", "idelta("]
        .iter()
        .any(|f| lower.contains(f))
    {
        Mode::Rate
    } else {
        Mode::Counter
    };
    Some(Selection {
        metric,
        matchers,
        mode,
        agg: parse_agg(q),
    })
}

/// Splits matcher text on commas outside quotes.
fn split_top(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                cur.push(c);
            }
            (None, '"' | '\'' | '`') => {
                quote = Some(c);
                cur.push(c);
            }
            (None, ',') => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn parse_label_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
        .collect()
}

/// Recognises `agg by (l) (...)`, `agg without (l) (...)`, `agg(...) by (l)` and `agg(...)`.
fn parse_agg(q: &str) -> Option<(String, Option<Vec<String>>, Vec<String>)> {
    let t = q.trim();
    let agg = ["sum", "avg", "max", "min", "count"].into_iter().find(|a| {
        t.strip_prefix(a).is_some_and(|rest| {
            rest.trim_start().starts_with('(')
                || rest.trim_start().starts_with("by")
                || rest.trim_start().starts_with("without")
        })
    })?;
    let rest = t[agg.len()..].trim_start();
    let clause = |r: &str| -> Option<(bool, Vec<String>)> {
        let (without, r2) = if let Some(x) = r.strip_prefix("by") {
            (false, x)
        } else if let Some(x) = r.strip_prefix("without") {
            (true, x)
        } else {
            return None;
        };
        let r2 = r2.trim_start().strip_prefix('(')?;
        let close = r2.find(')')?;
        Some((without, parse_label_list(&r2[..close])))
    };
    if let Some((without, ls)) = clause(rest) {
        return Some(if without {
            (agg.into(), None, ls)
        } else {
            (agg.into(), Some(ls), Vec::new())
        });
    }
    // Trailing clause after the closing parenthesis of the aggregation.
    let bytes: Vec<char> = rest.chars().collect();
    let mut depth = 0;
    let mut end = None;
    for (k, c) in bytes.iter().enumerate() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    end = Some(k);
                    break;
                }
            }
            _ => {}
        }
    }
    let tail: String = bytes[end? + 1..].iter().collect();
    match clause(tail.trim_start()) {
        Some((true, ls)) => Some((agg.into(), None, ls)),
        Some((false, ls)) => Some((agg.into(), Some(ls), Vec::new())),
        None => Some((agg.into(), Some(Vec::new()), Vec::new())),
    }
}

fn matches(labels: &BTreeMap<String, String>, metric: &str, m: &[(String, String, String)]) -> bool {
    m.iter().all(|(k, op, v)| {
        let actual = if k == "__name__" {
            metric
        } else {
            labels.get(k).map(String::as_str).unwrap_or("")
        };
        match op.as_str() {
            "=" => actual == v,
            "!=" => actual != v,
            "=~" => full_match(v, actual),
            _ => !full_match(v, actual),
        }
    })
}

/// PromQL regexes are anchored at both ends.
fn full_match(re: &str, s: &str) -> bool {
    re.split('|').any(|alt| {
        let a = alt.trim_start_matches('^').trim_end_matches('$');
        tiny_match(&format!("^{a}$"), s)
    })
}

/// A labelled series of values.
pub(super) type Row = (BTreeMap<String, String>, Vec<f64>);

/// Aggregation groups: label key → (values, sample counts per point).
type Groups = BTreeMap<Vec<(String, String)>, (Vec<f64>, Vec<u32>)>;

/// The result series of a query over the given timestamps: (labels, values).
pub(super) fn evaluate(p: &Project, q: &str, times: &[i64]) -> Result<Vec<Row>, String> {
    syntax_check(q)?;
    let Some(sel) = parse_selection(q) else {
        return Ok(Vec::new());
    };
    let funcs = sel.mode == Mode::Rate || sel.agg.is_some();
    let mut rows: Vec<Row> = series_of(p, sel.metric)
        .into_iter()
        .filter(|s| matches(&s.labels, sel.metric, &sel.matchers))
        .map(|s| {
            let vals = times
                .iter()
                .map(|t| value_at(p, sel.metric, &s, *t, sel.mode))
                .collect();
            let mut l = s.labels;
            if !funcs {
                l.insert("__name__".into(), sel.metric.into());
            }
            (l, vals)
        })
        .collect();
    if let Some((agg, by, without)) = sel.agg {
        let mut groups: Groups = BTreeMap::new();
        for (l, vals) in rows {
            let key: Vec<(String, String)> = match &by {
                Some(keep) => keep
                    .iter()
                    .filter_map(|k| l.get(k).map(|v| (k.clone(), v.clone())))
                    .collect(),
                None => l
                    .iter()
                    .filter(|(k, _)| !without.contains(k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            };
            let e = groups
                .entry(key)
                .or_insert_with(|| (vec![f64::NAN; times.len()], vec![0; times.len()]));
            for (k, v) in vals.iter().enumerate() {
                if v.is_nan() {
                    continue;
                }
                let cur = e.0[k];
                e.0[k] = match agg.as_str() {
                    "max" => {
                        if cur.is_nan() {
                            *v
                        } else {
                            cur.max(*v)
                        }
                    }
                    "min" => {
                        if cur.is_nan() {
                            *v
                        } else {
                            cur.min(*v)
                        }
                    }
                    "count" => {
                        if cur.is_nan() {
                            1.0
                        } else {
                            cur + 1.0
                        }
                    }
                    _ => {
                        if cur.is_nan() {
                            *v
                        } else {
                            cur + v
                        }
                    }
                };
                e.1[k] += 1;
            }
        }
        rows = groups
            .into_iter()
            .map(|(k, (mut vals, counts))| {
                if agg == "avg" {
                    for (v, c) in vals.iter_mut().zip(counts) {
                        if c > 0 {
                            *v /= f64::from(c);
                        }
                    }
                }
                (k.into_iter().collect(), vals)
            })
            .collect();
    }
    Ok(rows)
}

pub(super) fn legend_name(legend: &str, labels: &BTreeMap<String, String>, q: &str) -> String {
    let mut name = String::new();
    if !legend.is_empty() {
        let mut rest = legend;
        while let Some(s) = rest.find("{{") {
            name.push_str(&rest[..s]);
            match rest[s + 2..].find("}}") {
                Some(e) => {
                    let key = rest[s + 2..s + 2 + e].trim();
                    name.push_str(labels.get(key).map(String::as_str).unwrap_or(""));
                    rest = &rest[s + 2 + e + 2..];
                }
                None => {
                    name.push_str(&rest[s..]);
                    rest = "";
                }
            }
        }
        name.push_str(rest);
    }
    if !name.is_empty() {
        return name;
    }
    let shown: Vec<String> = labels
        .iter()
        .filter(|(k, _)| *k != "__name__")
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if shown.is_empty() {
        q.to_string()
    } else {
        format!("{{{}}}", shown.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_are_prometheus_style() {
        assert_eq!(
            syntax_check("sum(rate(x[5m])").unwrap_err(),
            "1:4: parse error: unclosed left parenthesis"
        );
        assert!(syntax_check("up +").unwrap_err().contains("unexpected end of input"));
        assert!(syntax_check("up{a=\"b\"").unwrap_err().contains("inside braces"));
        assert!(syntax_check("up)").unwrap_err().contains("right parenthesis"));
        assert!(syntax_check("sum by (pod) (rate(container_memory_rss{a=\"(\"}[5m]))").is_ok());
    }

    #[test]
    fn aggregation_forms() {
        assert_eq!(
            parse_agg("sum by (pod) (rate(x[1m]))").map(|a| a.1),
            Some(Some(vec!["pod".to_string()]))
        );
        assert_eq!(
            parse_agg("sum(rate(x[1m])) by (node)").map(|a| a.1),
            Some(Some(vec!["node".to_string()]))
        );
        assert_eq!(parse_agg("sum(rate(x[1m]))").map(|a| a.1), Some(Some(vec![])));
        assert!(parse_agg("rate(x[1m])").is_none());
    }

    #[test]
    fn legend_templating() {
        let l: BTreeMap<String, String> = [
            ("pod".to_string(), "a-1".to_string()),
            ("ns".to_string(), "d".to_string()),
        ]
        .into_iter()
        .collect();
        assert_eq!(legend_name("{{ pod }} in {{ns}}", &l, "q"), "a-1 in d");
        assert_eq!(legend_name("", &l, "q"), "{ns=d,pod=a-1}");
    }
}
