//! The emitter's unit of output: one Prometheus series (a metric name, its labels, and a value
//! as a function of time), the builder the renderers fill, and the two ways a series is
//! written: OpenMetrics history for `promtool tsdb create-blocks-from openmetrics` and the
//! text exposition format a live Prometheus scrape reads.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::sync::Arc;

/// The grid every value sits on: the node agent's and kube-state-metrics' usual scrape
/// interval. Coroot derives its step from Prometheus' data (cache/updater.go
/// `getScrapeInterval`) and queries `rate(x[3 × step])` (prom/http.go:42), so history and
/// live samples on one 15 s grid give the same rates everywhere.
pub(crate) const STEP: i64 = 15_000;

/// How long Prometheus keeps returning a series' last sample after it ends (its lookback).
/// Backfilled blocks cannot hold staleness markers, so an ended series is followed by NaN
/// samples for this long instead: Coroot reads NaN as "no value", as it would a stale series.
pub(crate) const STALE: i64 = 300_000;

/// A value as a function of the time in ms.
pub(crate) type Fun = Arc<dyn Fn(i64) -> f64 + Send + Sync>;

/// What a series holds.
#[derive(Clone)]
pub(crate) enum Kind {
    /// A gauge: the value at `t`.
    Gauge(Fun),
    /// A counter, given as its per-second rate at `t`: each grid step adds `rate × 15 s`.
    Rate(Fun),
    /// A counter of discrete events: its value at `t` is the number of events at or before
    /// `t` (sorted ascending).
    Events(Arc<[i64]>),
}

/// One series.
#[derive(Clone)]
pub(crate) struct Series {
    pub name: &'static str,
    /// Rendered `k="v",...` (no braces).
    pub labels: String,
    pub kind: Kind,
    /// First time it has a value (inclusive).
    pub start: i64,
    /// When it ends (exclusive); `i64::MAX` while it lives.
    pub end: i64,
}

impl Series {
    pub(crate) fn active(&self, t: i64) -> bool {
        self.start <= t && t < self.end
    }

    /// Whether `t` falls in the stale stretch after the series ended.
    pub(crate) fn stale(&self, t: i64) -> bool {
        self.end <= t && t < self.end.saturating_add(STALE)
    }
}

/// The growing list of series, with the helpers the renderers use.
#[derive(Default)]
pub(crate) struct Sink {
    pub out: Vec<Series>,
}

impl Sink {
    /// Adds a series living for the whole history; returns it to narrow its span.
    pub(crate) fn add(&mut self, name: &'static str, labels: &[(&str, &str)], kind: Kind) -> &mut Series {
        self.out.push(Series {
            name,
            labels: render_labels(labels),
            kind,
            start: i64::MIN,
            end: i64::MAX,
        });
        let last = self.out.len() - 1;
        &mut self.out[last]
    }

    /// A gauge.
    pub(crate) fn gauge(
        &mut self,
        name: &'static str,
        labels: &[(&str, &str)],
        f: impl Fn(i64) -> f64 + Send + Sync + 'static,
    ) -> &mut Series {
        self.add(name, labels, Kind::Gauge(Arc::new(f)))
    }

    /// A gauge with one constant value.
    pub(crate) fn constant(&mut self, name: &'static str, labels: &[(&str, &str)], v: f64) -> &mut Series {
        self.gauge(name, labels, move |_| v)
    }

    /// A counter growing at `f(t)` per second.
    pub(crate) fn rate(
        &mut self,
        name: &'static str,
        labels: &[(&str, &str)],
        f: impl Fn(i64) -> f64 + Send + Sync + 'static,
    ) -> &mut Series {
        self.add(name, labels, Kind::Rate(Arc::new(f)))
    }

    /// A counter of events.
    pub(crate) fn events(&mut self, name: &'static str, labels: &[(&str, &str)], mut times: Vec<i64>) -> &mut Series {
        times.sort_unstable();
        self.add(name, labels, Kind::Events(Arc::from(times)))
    }
}

impl Series {
    /// Narrows the series to `[start, end)`.
    pub(crate) fn span(&mut self, start: i64, end: i64) -> &mut Series {
        self.start = start;
        self.end = end;
        self
    }
}

/// `id` labels (a node's or a container's identities) followed by `extra`.
pub(crate) fn lbl<'a>(id: &[(&'a str, &'a str)], extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut v = id.to_vec();
    v.extend_from_slice(extra);
    v
}

/// Deterministic jitter of ±`amp` around 1 per grid step.
pub(crate) fn jitter(seed: u64, t: i64, amp: f64) -> f64 {
    1.0 + amp * (2.0 * crate::prng::noise(seed, t / STEP) - 1.0)
}

/// `k="v",...` with the exposition format's escapes.
pub(crate) fn render_labels(labels: &[(&str, &str)]) -> String {
    let mut s = String::new();
    for (i, (k, v)) in labels.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(k);
        s.push_str("=\"");
        for c in v.chars() {
            match c {
                '\\' => s.push_str("\\\\"),
                '"' => s.push_str("\\\""),
                '\n' => s.push_str("\\n"),
                c => s.push(c),
            }
        }
        s.push('"');
    }
    s
}

/// A sample value as both formats accept it.
pub(crate) fn fmt_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf".into() } else { "-Inf".into() }
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// The values of every series over time: counters integrate their rate from the first grid
/// point, so the same value comes out whether a time is written as history or served live.
pub(crate) struct Clock {
    /// The grid point the accumulators stand at.
    pub t: i64,
    acc: Vec<f64>,
}

impl Clock {
    /// Counters at zero just before `from` (a grid point).
    pub(crate) fn new(series: &[Series], from: i64) -> Clock {
        Clock {
            t: from - STEP,
            acc: vec![0.0; series.len()],
        }
    }

    /// Advances the counters to grid point `t` (never backwards).
    pub(crate) fn advance(&mut self, series: &[Series], t: i64) {
        while self.t < t {
            self.t += STEP;
            for (s, acc) in series.iter().zip(self.acc.iter_mut()) {
                if let Kind::Rate(f) = &s.kind
                    && s.active(self.t)
                {
                    let v = f(self.t);
                    if v.is_finite() && v > 0.0 {
                        *acc += v * (STEP / 1000) as f64;
                    }
                }
            }
        }
    }

    /// Series `i`'s value at the current grid point: NaN when it has none.
    pub(crate) fn value(&self, series: &[Series], i: usize) -> f64 {
        let s = &series[i];
        if !s.active(self.t) {
            return f64::NAN;
        }
        match &s.kind {
            Kind::Gauge(f) => f(self.t),
            Kind::Rate(_) => self.acc[i],
            Kind::Events(times) => times.partition_point(|e| *e <= self.t) as f64,
        }
    }
}

/// Writes `[from, to]` as OpenMetrics (timestamps in seconds), every series' samples
/// together and families contiguous, as promtool's OpenMetrics parser wants; `extra` are
/// the target labels (`job`, `instance`) Prometheus adds to the live scrape, so history
/// and live samples form one series. Adds the target's `up`. Returns the sample count.
pub(crate) fn write_openmetrics(
    series: &[Series],
    out: &mut dyn Write,
    from: i64,
    to: i64,
    extra: &[(&str, &str)],
) -> io::Result<u64> {
    let extra = render_labels(extra);
    let mut n = 0u64;
    let mut line = String::new();
    let mut t = from;
    while t <= to {
        line.clear();
        let _ = writeln!(line, "up{{{extra}}} 1 {}", t / 1000);
        out.write_all(line.as_bytes())?;
        n += 1;
        t += STEP;
    }
    // One pass per family keeps each family contiguous; a pass per series keeps its samples
    // in time order. The clock integrates counters, so each series is replayed from `from`.
    let mut order: Vec<usize> = (0..series.len()).collect();
    order.sort_by_key(|&i| series[i].name);
    for i in order {
        let s = &series[i];
        let one = std::slice::from_ref(s);
        let mut clock = Clock::new(one, from);
        let prefix = if s.labels.is_empty() {
            format!("{}{{{extra}}} ", s.name)
        } else {
            format!("{}{{{},{extra}}} ", s.name, s.labels)
        };
        let mut t = from;
        while t <= to {
            clock.advance(one, t);
            let v = if s.active(t) {
                clock.value(one, 0)
            } else if s.stale(t) {
                f64::NAN
            } else {
                t += STEP;
                continue;
            };
            line.clear();
            line.push_str(&prefix);
            line.push_str(&fmt_value(v));
            let _ = writeln!(line, " {}", t / 1000);
            out.write_all(line.as_bytes())?;
            n += 1;
            t += STEP;
        }
    }
    out.write_all(b"# EOF\n")?;
    Ok(n)
}

/// The text exposition of every series at grid point `clock.t`, stamped with that time (ms):
/// the stamp keeps live samples on the history's grid whenever Prometheus scrapes.
pub(crate) fn render_exposition(series: &[Series], clock: &Clock) -> String {
    let mut s = String::new();
    let t = clock.t;
    for (i, x) in series.iter().enumerate() {
        let v = if x.active(t) {
            clock.value(series, i)
        } else if x.stale(t) {
            f64::NAN
        } else {
            continue;
        };
        if x.labels.is_empty() {
            let _ = writeln!(s, "{} {} {t}", x.name, fmt_value(v));
        } else {
            let _ = writeln!(s, "{}{{{}}} {} {t}", x.name, x.labels, fmt_value(v));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_as_the_exposition_format_wants() {
        assert_eq!(
            render_labels(&[("a", "x\"y"), ("b", "c\\d\ne")]),
            r#"a="x\"y",b="c\\d\ne""#
        );
    }

    #[test]
    fn counters_integrate_their_rate_and_count_their_events() {
        let mut sink = Sink::default();
        sink.rate("c", &[], |_| 2.0);
        sink.events("e", &[], vec![30_000, 31_000, 90_000]);
        let series = sink.out;
        let mut clock = Clock::new(&series, 0);
        clock.advance(&series, 45_000);
        assert_eq!(clock.value(&series, 0), 2.0 * 15.0 * 4.0);
        assert_eq!(clock.value(&series, 1), 2.0);
        clock.advance(&series, 90_000);
        assert_eq!(clock.value(&series, 1), 3.0);
    }

    #[test]
    fn history_groups_families_follows_an_end_with_nan_and_ends_with_eof() {
        let mut sink = Sink::default();
        sink.constant("g", &[("k", "v")], 1.5).span(0, 30_000);
        let mut out = Vec::new();
        let n = write_openmetrics(&sink.out, &mut out, 0, 60_000, &[("job", "j")]).unwrap_or(0);
        let text = String::from_utf8(out).unwrap_or_default();
        assert_eq!(n, 5 + 5);
        assert!(text.contains("g{k=\"v\",job=\"j\"} 1.5 15\n"));
        assert!(text.contains("g{k=\"v\",job=\"j\"} NaN 30\n"));
        assert!(text.ends_with("# EOF\n"));
    }
}
