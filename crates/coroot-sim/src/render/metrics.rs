//! Metrics generated on demand (never stored): a deterministic value function per series,
//! bent by the scenario's story overrides, served through `panel/data` (§6.17) and the
//! Prometheus-compatible `/api/v1/query_range` (§6.15). PromQL is not evaluated: the first
//! known metric name and its label matchers pick the series; `rate`-style functions and a
//! leading or trailing `sum|avg|max|min|count by (...)` are honoured.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::prng::{hash_str, noise};
use crate::http::{RecordedRequest, Reply};
use crate::util::{TimeCtx, num, parse_duration_ms, parse_query, tiny_match};
use crate::world::{Project, Shape};

/// Metrics the simulator knows, and whether each is a counter.
pub(crate) const KNOWN: &[(&str, bool)] = &[
    ("container_resources_cpu_usage_seconds_total", true),
    ("container_resources_cpu_throttled_seconds_total", true),
    ("container_memory_rss", false),
    ("container_oom_kills_total", true),
    ("container_restarts_total", true),
    ("container_net_tcp_failed_connects_total", true),
    ("container_net_tcp_retransmits_total", true),
    ("container_net_latency_seconds", false),
    ("container_dns_requests_total", true),
    ("container_http_requests_total", true),
    ("container_http_requests_duration_seconds_total", true),
    ("node_resources_cpu_usage_seconds_total", true),
    ("node_disk_io_time_seconds_total", true),
    ("up", false),
];

/// How values are produced for a query.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Mode {
    /// Per-second rate of a counter, or the value of a gauge.
    Rate,
    /// The raw cumulative counter.
    Counter,
}

/// One generated series: its labels and generator parameters.
pub(crate) struct SeriesSpec {
    pub labels: BTreeMap<String, String>,
    /// Objects a story may name (app, pod, node).
    pub objects: Vec<String>,
    pub base: f64,
    pub seed: u64,
}

/// Evaluates a series at `t` (ms); NaN outside the retained history or in the future.
pub(crate) fn value_at(p: &Project, metric: &str, spec: &SeriesSpec, t: i64, mode: Mode) -> f64 {
    if t > p.now_ms || t < p.now_ms - i64::from(p.metric_days) * 86_400_000 {
        return f64::NAN;
    }
    let story = p.story.iter().find(|s| {
        s.metric == metric
            && spec.objects.contains(&s.object)
            && s.label
                .as_ref()
                .is_none_or(|(k, v)| spec.labels.get(k).is_some_and(|x| x == v))
    });
    let counter = KNOWN.iter().any(|(m, c)| *m == metric && *c);
    let cumulative = counter && mode == Mode::Counter;
    let start = p.now_ms - i64::from(p.metric_days) * 86_400_000;
    match story.map(|s| &s.shape) {
        Some(Shape::Step { at, before, after }) => {
            if cumulative {
                let secs_before = ((t.min(*at) - start).max(0)) as f64 / 1000.0;
                let secs_after = ((t - *at).max(0)) as f64 / 1000.0;
                (before * secs_before + after * secs_after).floor()
            } else {
                let v = if t >= *at { *after } else { *before };
                v * (1.0 + 0.08 * (noise(spec.seed, t / 30_000) - 0.5))
            }
        }
        Some(Shape::Events(times)) => {
            if cumulative {
                times.iter().filter(|e| **e <= t).count() as f64
            } else {
                // A rate over a 5-minute lookback, like rate(x[5m]).
                times.iter().filter(|e| **e <= t && **e > t - 300_000).count() as f64 / 300.0
            }
        }
        Some(Shape::Sawtooth {
            from,
            before,
            lo,
            hi,
            period,
        }) => {
            if t < *from {
                *before * (1.0 + 0.03 * (noise(spec.seed, t / 30_000) - 0.5))
            } else {
                let ph = ((t - from) % period) as f64 / *period as f64;
                lo + (hi - lo) * ph
            }
        }
        Some(Shape::DownFrom(at)) => {
            if t >= *at {
                0.0
            } else {
                1.0
            }
        }
        None => {
            if metric == "up" {
                return 1.0;
            }
            let period = 3_600_000.0 * (1.0 + (spec.seed % 5) as f64);
            let phase = (spec.seed % 1000) as f64 / 1000.0 * std::f64::consts::TAU;
            if cumulative {
                let secs = (t - start) as f64 / 1000.0;
                let wave = -0.15 * period / 1000.0 / std::f64::consts::TAU
                    * ((t as f64 / period * std::f64::consts::TAU + phase).cos());
                (spec.base * (secs + wave)).max(0.0).floor()
            } else {
                let w = 1.0 + 0.15 * (t as f64 / period * std::f64::consts::TAU + phase).sin();
                spec.base * (w + 0.1 * (noise(spec.seed, t / 30_000) - 0.5))
            }
        }
    }
}

/// Values of a series at every point of a window.
pub(crate) fn values(p: &Project, metric: &str, spec: &SeriesSpec, ctx: &TimeCtx, mode: Mode) -> Vec<f64> {
    ctx.times().map(|t| value_at(p, metric, spec, t, mode)).collect()
}

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// Every series of a metric in a project.
pub(crate) fn series_of(p: &Project, metric: &str) -> Vec<SeriesSpec> {
    let mut out = Vec::new();
    let base_seed = hash_str(metric) ^ p.seed;
    if metric.starts_with("container_") {
        for (ai, a) in p.apps.iter().enumerate() {
            for inst in &a.instances {
                let cid = format!("/k8s/{}/{}/{}", a.ns, inst.name, a.name);
                let common = [
                    ("app_id", a.id.as_str()),
                    ("container", a.name.as_str()),
                    ("container_id", cid.as_str()),
                    ("namespace", a.ns.as_str()),
                    ("node", inst.node.as_str()),
                    ("pod", inst.name.as_str()),
                ];
                let objects = vec![a.name.clone(), inst.name.clone(), inst.node.clone()];
                let seed = base_seed ^ hash_str(&cid);
                let n = a.instances.len().max(1) as f64;
                let mut push = |extra: &[(&str, &str)], base: f64, salt: &str| {
                    let mut l = labels(&common);
                    for (k, v) in extra {
                        l.insert(k.to_string(), v.to_string());
                    }
                    out.push(SeriesSpec {
                        labels: l,
                        objects: objects.clone(),
                        base,
                        seed: seed ^ hash_str(salt),
                    });
                };
                match metric {
                    "container_resources_cpu_usage_seconds_total" => push(&[], a.cpu_usage, ""),
                    "container_resources_cpu_throttled_seconds_total" => {
                        push(&[], if a.cpu_limit > 0.0 { 0.005 } else { 0.0 }, "")
                    }
                    "container_memory_rss" => push(&[], a.mem_usage, ""),
                    "container_oom_kills_total" | "container_restarts_total" => push(&[], 0.0, ""),
                    "container_dns_requests_total" => {
                        for d in &a.dns {
                            push(
                                &[("domain", &d.domain), ("request_type", "TypeA"), ("status", "ok")],
                                d.rps / n,
                                &d.domain,
                            );
                            let has_story = p.story.iter().any(|s| s.metric == metric && s.object == a.name);
                            if d.nx_a > 0 && has_story {
                                push(
                                    &[("domain", &d.domain), ("request_type", "TypeA"), ("status", "nxdomain")],
                                    0.0,
                                    &format!("{}nx", d.domain),
                                );
                            }
                        }
                    }
                    _ => {
                        for l in p.upstreams(ai) {
                            let up = &p.apps[l.to];
                            let ip = up.instances.first().map(|i| i.ip.as_str()).unwrap_or("10.96.0.1");
                            let dest = format!("{ip}:{}", l.port);
                            let d = [("destination", dest.as_str()), ("actual_destination", dest.as_str())];
                            match metric {
                                "container_net_tcp_failed_connects_total" => push(&d, 0.0, &dest),
                                "container_net_tcp_retransmits_total" => push(&d, 0.02, &dest),
                                "container_net_latency_seconds" => push(&d, 0.0004 + (l.to % 5) as f64 * 0.0001, &dest),
                                "container_http_requests_total" => {
                                    push(&[d[0], d[1], ("status", "200")], l.rps / n, &dest);
                                    for s in p.story.iter().filter(|s| s.metric == metric && s.object == a.name) {
                                        if let Some((k, v)) = &s.label
                                            && k == "status"
                                        {
                                            push(&[d[0], d[1], ("status", v.as_str())], 0.0, &format!("{dest}{v}"));
                                        }
                                    }
                                }
                                "container_http_requests_duration_seconds_total" => {
                                    push(&d, l.rps / n * l.latency_ms / 1000.0, &dest)
                                }
                                _ => {}
                            }
                        }
                    }
                }
            }
        }
    } else if metric.starts_with("node_") {
        for n in &p.nodes {
            let seed = base_seed ^ hash_str(&n.name);
            let objects = vec![n.name.clone()];
            let common = [("machine_id", n.name.as_str()), ("node", n.name.as_str())];
            if metric == "node_resources_cpu_usage_seconds_total" {
                let cores = f64::from(n.vcpu) * f64::from(n.cpu_percent.unwrap_or(0)) / 100.0;
                for (mode, share) in [("user", 0.7), ("system", 0.2), ("iowait", 0.1)] {
                    let mut l = labels(&common);
                    l.insert("mode".into(), mode.into());
                    out.push(SeriesSpec {
                        labels: l,
                        objects: objects.clone(),
                        base: cores * share,
                        seed: seed ^ hash_str(mode),
                    });
                }
            } else if metric == "node_disk_io_time_seconds_total" {
                for d in &n.disks {
                    let dev = d.device.trim_start_matches("/dev/");
                    let mut l = labels(&common);
                    l.insert("device".into(), dev.into());
                    out.push(SeriesSpec {
                        labels: l,
                        objects: objects.clone(),
                        base: d.io_load,
                        seed: seed ^ hash_str(dev),
                    });
                }
            }
        }
    } else if metric == "up" {
        for n in &p.nodes {
            let inst = format!("{}:10300", n.ip);
            out.push(SeriesSpec {
                labels: labels(&[("instance", &inst), ("job", "coroot-node-agent"), ("node", &n.name)]),
                objects: vec![n.name.clone()],
                base: 1.0,
                seed: 0,
            });
        }
        for a in &p.apps {
            for i in &a.instances {
                let inst = format!("{}:9090", i.ip);
                out.push(SeriesSpec {
                    labels: labels(&[
                        ("app_id", &a.id),
                        ("instance", &inst),
                        ("job", "kubernetes-pods"),
                        ("namespace", &a.ns),
                        ("pod", &i.name),
                    ]),
                    objects: vec![a.name.clone(), i.name.clone()],
                    base: 1.0,
                    seed: 0,
                });
            }
        }
    }
    out
}

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

/// The result series of a query over the given timestamps: (labels, values).
/// A labelled series of values.
type Row = (BTreeMap<String, String>, Vec<f64>);

/// Aggregation groups: label key → (values, sample counts per point).
type Groups = BTreeMap<Vec<(String, String)>, (Vec<f64>, Vec<u32>)>;

fn evaluate(p: &Project, q: &str, times: &[i64]) -> Result<Vec<Row>, String> {
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

fn legend_name(legend: &str, labels: &BTreeMap<String, String>, q: &str) -> String {
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

/// `GET /api/project/{p}/panel/data` (§6.17).
pub(crate) fn panel_data(p: &Project, ctx: &TimeCtx, query: Option<&str>) -> Result<Value, String> {
    let panel: Value = query
        .and_then(|q| serde_json::from_str(q).ok())
        .ok_or_else(|| "Invalid query".to_string())?;
    let mut ctx = *ctx;
    ctx.truncated = false;
    let times: Vec<i64> = ctx.times().collect();
    let queries = panel
        .pointer("/source/metrics/queries")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut out_series = Vec::new();
    for q in &queries {
        let expr = q.get("query").and_then(Value::as_str).unwrap_or("");
        if expr.is_empty() {
            continue;
        }
        let ds = q.get("datasource").and_then(Value::as_str).unwrap_or("");
        if !ds.is_empty() && ds != p.name {
            return Err("invalid datasource".into());
        }
        let expr = expr.replace("$RANGE", &format!("{}s", ctx.step / 1000 * 3));
        let legend = q.get("legend").and_then(Value::as_str).unwrap_or("");
        for (labels, vals) in evaluate(p, &expr, &times)? {
            let data: Vec<Value> = vals.into_iter().map(num).collect();
            out_series.push(json!({"name": legend_name(legend, &labels, &expr), "data": data, "value": ""}));
        }
    }
    let Some(chart_cfg) = panel.pointer("/widget/chart") else {
        return Ok(json!({}));
    };
    if out_series.is_empty() {
        return Ok(json!({}));
    }
    let bar = chart_cfg.get("display").and_then(Value::as_str) == Some("bar");
    let stacked = bar || chart_cfg.get("stacked").and_then(Value::as_bool).unwrap_or(false);
    Ok(
        json!({"chart": {"ctx": ctx.json(), "title": "", "series": out_series, "threshold": null, "featured": false,
        "stacked": stacked, "sorted": false, "column": bar, "color_shift": 0, "annotations": null, "drill_down_link": null, "hide_legend": false}}),
    )
}

fn prom_error(msg: &str) -> Reply {
    Reply::Json(400, json!({"status": "error", "errorType": "bad_data", "error": msg}))
}

fn parse_ts(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

fn fmt_prom(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// `/api/v1/query_range` in Prometheus' JSON format (§6.15).
pub(crate) fn query_range(p: &Project, req: &RecordedRequest) -> Reply {
    let mut params = req.params.clone();
    if req.method == "POST" {
        params.extend(parse_query(&req.body));
    }
    let get = |k: &str| {
        params
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let Some(start) = parse_ts(get("start")) else {
        return prom_error(&format!(
            "invalid parameter \"start\": cannot parse \"{}\" to a valid timestamp",
            get("start")
        ));
    };
    let Some(end) = parse_ts(get("end")) else {
        return prom_error(&format!(
            "invalid parameter \"end\": cannot parse \"{}\" to a valid timestamp",
            get("end")
        ));
    };
    if end < start {
        return prom_error("invalid parameter \"end\": end timestamp must not be before start time");
    }
    let step_s = match parse_ts(get("step")) {
        Some(s) => s,
        None => match parse_duration_ms(get("step")) {
            Some(ms) => ms as f64 / 1000.0,
            None => {
                return prom_error(&format!(
                    "invalid parameter \"step\": cannot parse \"{}\" to a valid duration",
                    get("step")
                ));
            }
        },
    };
    if step_s <= 0.0 {
        return prom_error("zero or negative query resolution step widths are not accepted. Try a positive integer");
    }
    if (end - start) / step_s > 11_000.0 {
        return prom_error(
            "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)",
        );
    }
    let n = ((end - start) / step_s).floor() as usize + 1;
    let secs: Vec<f64> = (0..n).map(|i| start + i as f64 * step_s).collect();
    let times: Vec<i64> = secs.iter().map(|s| (s * 1000.0) as i64).collect();
    let q = get("query").to_string();
    match evaluate(p, &q, &times) {
        Err(e) => prom_error(&e),
        Ok(rows) => {
            let result: Vec<Value> = rows
                .into_iter()
                .filter_map(|(labels, vals)| {
                    let values: Vec<Value> = secs
                        .iter()
                        .zip(vals)
                        .filter(|(_, v)| v.is_finite())
                        .map(|(s, v)| {
                            json!([
                                if s.fract() == 0.0 { json!(*s as i64) } else { json!(s) },
                                fmt_prom(crate::util::round(v, 6))
                            ])
                        })
                        .collect();
                    if values.is_empty() {
                        None
                    } else {
                        Some(json!({"metric": labels, "values": values}))
                    }
                })
                .collect();
            Reply::Json(
                200,
                json!({"status": "success", "data": {"resultType": "matrix", "result": result}}),
            )
        }
    }
}

/// A story-aware series for report charts: the first series of `metric` owned by `object`
/// (and matching `label` when given), as rates/gauges over the window.
pub(crate) fn object_series(
    p: &Project,
    metric: &str,
    object: &str,
    label: Option<(&str, &str)>,
    ctx: &TimeCtx,
) -> Vec<f64> {
    let all = series_of(p, metric);
    let mut picked: Vec<&SeriesSpec> = all
        .iter()
        .filter(|s| {
            s.objects.iter().any(|o| o == object) && label.is_none_or(|(k, v)| s.labels.get(k).is_some_and(|x| x == v))
        })
        .collect();
    if picked.is_empty() {
        return Vec::new();
    }
    // Pods are more specific than apps: prefer a series whose pod label is the object.
    if let Some(exact) = picked
        .iter()
        .position(|s| s.labels.get("pod").is_some_and(|x| x == object))
    {
        picked = vec![picked[exact]];
    }
    let mut sum = vec![0.0; ctx.points()];
    for s in picked {
        for (k, v) in values(p, metric, s, ctx, Mode::Rate).into_iter().enumerate() {
            sum[k] += v;
        }
    }
    sum
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
