//! Small helpers shared by the server and the renderers: Coroot's time-range parsing
//! and step rules (§5), Go-compatible JSON output, query-string decoding, a tiny regex
//! subset, base64 and HTTP dates.

use jiff::Timestamp;
use percent_encoding::percent_decode_str;
use serde_json::{Value, json};

/// The resolved time window of a request (Coroot's `timeseries.Context`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TimeCtx {
    pub from: i64,
    pub to: i64,
    pub step: i64,
    pub truncated: bool,
}

impl TimeCtx {
    /// A window with the step chosen by Coroot's rules for its length.
    pub(crate) fn new(from: i64, to: i64) -> TimeCtx {
        TimeCtx {
            from,
            to,
            step: step_for(to - from),
            truncated: false,
        }
    }

    pub(crate) fn json(&self) -> Value {
        json!({"from": self.from, "to": self.to, "step": self.step, "raw_step": self.step, "truncated": self.truncated})
    }

    /// The first point: `from` rounded down to the step.
    pub(crate) fn start(&self) -> i64 {
        self.from - self.from.rem_euclid(self.step)
    }

    /// Number of points in the window.
    pub(crate) fn points(&self) -> usize {
        ((self.to - self.start()) / self.step).max(0) as usize
    }

    /// Timestamps of the points.
    pub(crate) fn times(&self) -> impl Iterator<Item = i64> + '_ {
        let start = self.start();
        (0..self.points()).map(move |i| start + i as i64 * self.step)
    }
}

/// A minute in ms.
pub(crate) const MIN: i64 = 60_000;
/// An hour in ms.
pub(crate) const HOUR: i64 = 60 * MIN;
/// A day in ms.
pub(crate) const DAY: i64 = 24 * HOUR;

/// Step for a range: 30 s, raised for long ranges (§5).
pub(crate) fn step_for(range_ms: i64) -> i64 {
    let mut step = 30_000;
    for (over, min_step) in [
        (HOUR, MIN),
        (6 * HOUR, 5 * MIN),
        (12 * HOUR, 10 * MIN),
        (DAY, 15 * MIN),
        (5 * DAY, 60 * MIN),
    ] {
        if range_ms > over {
            step = step.max(min_step);
        }
    }
    step
}

/// Parses a Go/str2duration duration such as `1h30m`, `15m`, `7d`, `1w`, `500ms` into ms.
pub(crate) fn parse_duration_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let b = s.as_bytes();
    let mut i = 0;
    let mut total = 0f64;
    while i < b.len() {
        let start = i;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
            i += 1;
        }
        let num: f64 = s.get(start..i)?.parse().ok()?;
        let ustart = i;
        while i < b.len() && b[i].is_ascii_alphabetic() {
            i += 1;
        }
        let mult = match s.get(ustart..i)? {
            "ns" => 1e-6,
            "us" | "µs" => 1e-3,
            "ms" => 1.0,
            "s" => 1e3,
            "m" => 6e4,
            "h" => 3.6e6,
            "d" => 8.64e7,
            "w" => 6.048e8,
            _ => return None,
        };
        total += num * mult;
    }
    Some(total as i64)
}

/// Parses `now`, `now-<dur>` or epoch ms; `None` for anything invalid or 0.
pub(crate) fn parse_time(s: &str, now: i64) -> Option<i64> {
    let s = s.trim();
    if s == "now" {
        return Some(now);
    }
    if let Some(rest) = s.strip_prefix("now-") {
        return parse_duration_ms(rest).map(|d| now - d);
    }
    match s.parse::<i64>() {
        Ok(0) | Err(_) => None,
        Ok(v) => Some(v),
    }
}

/// `from`/`to` with Coroot's defaults (now-1h, now) and the `from >= to` fix-up.
pub(crate) fn time_range(from: Option<&str>, to: Option<&str>, now: i64) -> (i64, i64) {
    let to = to.and_then(|t| parse_time(t, now)).unwrap_or(now);
    let mut from = from.and_then(|f| parse_time(f, now)).unwrap_or(now - HOUR);
    if from >= to {
        from = to - HOUR;
    }
    (from, to)
}

/// `limit` rows in a deterministic but arbitrary order (by `key`), as a ClickHouse
/// `SELECT … LIMIT n` without `ORDER BY` returns them: not the newest, not sorted.
pub(crate) fn arbitrary_sample<T>(mut v: Vec<T>, limit: usize, key: impl Fn(&T) -> u64) -> Vec<T> {
    v.sort_by_cached_key(|x| key(x));
    v.truncate(limit);
    v
}

/// Serialises like Go's `encoding/json` with HTML escaping, plus the trailing newline.
pub(crate) fn go_json(v: &Value) -> String {
    let raw = serde_json::to_string(v).unwrap_or_else(|_| "null".into());
    let mut out = String::with_capacity(raw.len() + 16);
    for ch in raw.chars() {
        match ch {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out.push('\n');
    out
}

/// Decodes one query-string component (`+` is a space).
pub(crate) fn decode_component(s: &str) -> String {
    percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// Go's `url.QueryUnescape`: `+` becomes a space, and a bad `%` escape is an error.
pub(crate) fn query_unescape(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if !(b.get(i + 1)?.is_ascii_hexdigit() && b.get(i + 2)?.is_ascii_hexdigit()) {
                return None;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    percent_decode_str(&s.replace('+', " "))
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

/// Splits a raw query string into decoded pairs.
pub(crate) fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode_component(k), decode_component(v)),
            None => (decode_component(p), String::new()),
        })
        .collect()
}

/// A tiny regex subset good enough for log and trace filters: alternation with `|`,
/// anchors `^`/`$`, `.*` wildcards and `\.` escapes; anything else is a literal substring.
pub(crate) fn tiny_match(pattern: &str, s: &str) -> bool {
    pattern.split('|').any(|alt| match_alt(alt, s))
}

fn match_alt(alt: &str, s: &str) -> bool {
    let mut p = alt;
    let anchored_start = p.starts_with('^');
    if anchored_start {
        p = &p[1..];
    }
    let anchored_end = p.ends_with('$') && !p.ends_with("\\$");
    if anchored_end {
        p = &p[..p.len() - 1];
    }
    let parts: Vec<String> = p.split(".*").map(|x| x.replace("\\.", ".").replace(".+", "")).collect();
    let n = parts.len();
    let mut pos = 0usize;
    for (i, part) in parts.iter().enumerate() {
        let first = i == 0;
        let last = i + 1 == n;
        if first && anchored_start {
            if !s.starts_with(part.as_str()) {
                return false;
            }
            pos = part.len();
            if last && anchored_end && n == 1 {
                return s.len() == part.len();
            }
            continue;
        }
        if last && anchored_end {
            return s.len() >= pos + part.len() && s.ends_with(part.as_str());
        }
        match s.get(pos..).and_then(|rest| rest.find(part.as_str())) {
            Some(idx) => pos += idx + part.len(),
            None => return false,
        }
    }
    true
}

/// Standard base64 with the URL-safe alphabet and `=` padding (Go's `base64.URLEncoding`).
pub(crate) fn base64url(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

/// RFC 7231 date, as in a cookie's `Expires`.
pub(crate) fn http_date(t: Timestamp) -> String {
    t.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// durafmt-style "first unit only" text: `2 hours`, `3 days`, `45 minutes`.
pub(crate) fn human_age(ms: i64) -> String {
    let s = (ms / 1000).max(0);
    let (n, unit) = if s >= 7 * 86_400 {
        (s / (7 * 86_400), "week")
    } else if s >= 86_400 {
        (s / 86_400, "day")
    } else if s >= 3600 {
        (s / 3600, "hour")
    } else if s >= 60 {
        (s / 60, "minute")
    } else {
        (s, "second")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// Formats a float without a trailing `.0`, one decimal at most.
pub(crate) fn trim_float(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// Rounds to a given number of decimals (keeps JSON numbers short).
pub(crate) fn round(v: f64, decimals: i32) -> f64 {
    let p = 10f64.powi(decimals);
    (v * p).round() / p
}

/// A JSON number that encodes NaN as null, like `timeseries.TimeSeries` does; whole
/// numbers are written without a fraction, as Go writes them.
pub(crate) fn num(v: f64) -> Value {
    if !v.is_finite() {
        Value::Null
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        json!(v as i64)
    } else {
        json!(round(v, 4))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_follow_coroot_rules() {
        assert_eq!(TimeCtx::new(0, HOUR).points(), 120);
        assert_eq!(TimeCtx::new(0, 2 * HOUR).points(), 120);
        assert_eq!(TimeCtx::new(0, 3 * HOUR).points(), 180);
        assert_eq!(TimeCtx::new(0, 6 * HOUR).points(), 360);
        assert_eq!(TimeCtx::new(0, 7 * HOUR).points(), 84);
        assert_eq!(step_for(6 * DAY), HOUR);
    }

    #[test]
    fn durations_and_times() {
        assert_eq!(parse_duration_ms("1h30m"), Some(90 * MIN));
        assert_eq!(parse_duration_ms("7d"), Some(7 * DAY));
        assert_eq!(parse_time("now-15m", 1_000_000_000), Some(1_000_000_000 - 15 * MIN));
        assert_eq!(parse_time("0", 5), None);
        assert_eq!(time_range(Some("now"), Some("now"), 10 * HOUR), (9 * HOUR, 10 * HOUR));
    }

    #[test]
    fn go_json_escapes_html() {
        assert_eq!(
            go_json(&json!({"a": "<i>&</i>"})),
            "{\"a\":\"\\u003ci\\u003e\\u0026\\u003c/i\\u003e\"}\n"
        );
    }

    #[test]
    fn tiny_regex_subset() {
        assert!(tiny_match("^catalog-", "catalog-abc"));
        assert!(!tiny_match("^catalog-", "xcatalog-abc"));
        assert!(tiny_match("abc$", "xxabc"));
        assert!(tiny_match("pay", "repayment"));
        assert!(tiny_match("^a.*z$", "abcz"));
        assert!(tiny_match("foo|bar", "xbar"));
        assert!(tiny_match("^exact$", "exact"));
        assert!(!tiny_match("^exact$", "exactly"));
    }

    #[test]
    fn base64_and_dates() {
        assert_eq!(base64url(br#"{"id":1}"#), "eyJpZCI6MX0=");
        assert_eq!(http_date(Timestamp::UNIX_EPOCH), "Thu, 01 Jan 1970 00:00:00 GMT");
        // A cookie expiry a week after the fixed test instant: zero-padded day, weekday.
        let week_later = Timestamp::from_second(1_764_000_000 + 7 * 86_400).unwrap();
        assert_eq!(http_date(week_later), "Mon, 01 Dec 2025 16:00:00 GMT");
        assert_eq!(query_unescape("a%3Ab+c").as_deref(), Some("a:b c"));
        assert_eq!(query_unescape("a%zz"), None);
    }
}
