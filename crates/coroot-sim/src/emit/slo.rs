//! What an app's requests look like over time: the share that fails and the share slower than
//! the latency objective, solved from a scenario's stored incident burn rates so that real
//! Coroot computes the same burn rates from the emitted series, and a latency histogram over
//! the node agent's buckets whose 99th percentile (Coroot's overview latency) is the app's.

use crate::util::{HOUR, MIN};
use crate::world::Burn;

/// The node agent's latency buckets (`le`, seconds) for L7 requests and DNS.
pub(crate) const BUCKETS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// Coroot's default latency objective: 99% of requests faster than 500 ms
/// (model/check.go SLOLatency; 5 s for monitoring and control-plane apps).
pub(crate) const OBJECTIVE_S: f64 = 0.5;

/// A piecewise-constant share over time.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Timeline {
    /// `(from, value)`, ascending; the first value also holds before its `from`.
    segs: Vec<(i64, f64)>,
}

impl Timeline {
    pub(crate) fn constant(v: f64) -> Timeline {
        Timeline {
            segs: vec![(i64::MIN, v)],
        }
    }

    pub(crate) fn at(&self, t: i64) -> f64 {
        let i = self.segs.partition_point(|(from, _)| *from <= t);
        self.segs[i.saturating_sub(1)].1
    }

    /// The average over the last hour before `now` (what Coroot shows for a 1 h window).
    pub(crate) fn last_hour(&self, now: i64) -> f64 {
        let n = 240;
        (0..n).map(|k| self.at(now - HOUR + (k * HOUR) / n + 1)).sum::<f64>() / n as f64
    }

    /// The share whose windowed averages are the burn rates of `b` at `now`: Coroot's burn rate
    /// is the bad share of a window over the 1% error budget (watchers/incidents.go
    /// `calcBurnRates`, objective 99%), so a window's percentage equals its burn rate. Solved
    /// on four stretches (the last 5 min, 15 min, hour, and the rest of the history Coroot
    /// holds, which bounds its "6 h" window: the cache backfills 4 h, cache/updater.go
    /// `BackFillInterval`), each clamped to [0, 95%].
    pub(crate) fn from_burn(b: &Burn, now: i64, history_ms: i64) -> Timeline {
        let (l1, s5) = b.fast;
        let (l6, s15) = b.slow;
        let h = (history_ms.min(6 * HOUR) / MIN) as f64;
        let clamp = |v: f64| (v / 100.0).clamp(0.0, 0.95);
        let d = s5;
        let c = (15.0 * s15 - 5.0 * s5) / 10.0;
        let bb = (60.0 * l1 - 15.0 * s15) / 45.0;
        let a = if h > 60.0 {
            (h * l6 - 60.0 * l1) / (h - 60.0)
        } else {
            bb
        };
        Timeline {
            segs: vec![
                (i64::MIN, clamp(a)),
                (now - HOUR, clamp(bb)),
                (now - 15 * MIN, clamp(c)),
                (now - 5 * MIN, clamp(d)),
            ],
        }
    }
}

/// The latency of an app's requests: a cumulative share per bucket, mixing a fast part (all
/// within the objective) and a slow part (beyond it) whose share follows `slow`.
#[derive(Clone, Debug)]
pub(crate) struct Latency {
    /// Cumulative share of the fast part at each bucket.
    fast: [f64; BUCKETS.len()],
    /// Cumulative share of the slow part at each bucket.
    slow_cdf: [f64; BUCKETS.len()],
    pub slow: Timeline,
}

impl Latency {
    /// A distribution whose 99th percentile over the last hour is `p99_s`, given the slow
    /// share over time (`None`: nothing slower than the objective unless the p99 needs it).
    /// Coroot interpolates linearly inside a bucket (api/views/overview/applications.go
    /// `quantile`), so the p99 is pinned by the two bounds of its bucket; it cannot be under
    /// 4.95 ms, the interpolated p99 of a first bucket holding every request.
    pub(crate) fn new(p99_s: f64, slow: Option<Timeline>, now: i64) -> Latency {
        let slow = slow.unwrap_or_else(|| Timeline::constant(if p99_s > OBJECTIVE_S { 0.015 } else { 0.0 }));
        let share = slow.last_hour(now);
        let mut fast = [1.0; BUCKETS.len()];
        let mut slow_cdf = [1.0; BUCKETS.len()];
        if share <= 0.01 {
            pin(&mut fast, p99_s.min(OBJECTIVE_S), 0.99 / (1.0 - share).max(0.5), 0.0);
        } else {
            // The p99 falls in the slow part, at this position of its own distribution.
            let within = (1.0 - 0.01 / share).clamp(0.0, 1.0);
            let target = if p99_s > OBJECTIVE_S { p99_s } else { 0.75 };
            pin(&mut slow_cdf, target, within, OBJECTIVE_S);
            pin(&mut fast, (p99_s / 3.0).clamp(0.003, 0.45), 0.99, 0.0);
        }
        Latency { fast, slow_cdf, slow }
    }

    /// The cumulative share of requests at bucket `k` at time `t`.
    pub(crate) fn cdf(&self, k: usize, t: i64) -> f64 {
        let s = self.slow.at(t);
        let fast = if BUCKETS[k] >= OBJECTIVE_S { 1.0 } else { self.fast[k] };
        let slow = if BUCKETS[k] <= OBJECTIVE_S {
            0.0
        } else {
            self.slow_cdf[k]
        };
        (1.0 - s) * fast + s * slow
    }
}

/// Shapes a CDF over the buckets above `floor` so that quantile `q` interpolates to `x`: every
/// request at or under the upper bound of `x`'s bucket, and the lower bound's share set to
/// land the interpolation on `x`; buckets below grow linearly from `floor`.
fn pin(cdf: &mut [f64; BUCKETS.len()], x: f64, q: f64, floor: f64) {
    let q = q.clamp(0.0, 1.0);
    let hi = BUCKETS
        .iter()
        .position(|b| *b >= x && *b > floor)
        .unwrap_or(BUCKETS.len() - 1);
    let lo_le = if hi == 0 { 0.0 } else { BUCKETS[hi - 1].max(floor) };
    let frac = ((x - lo_le) / (BUCKETS[hi] - lo_le)).clamp(0.0, 0.999);
    let at_lo = ((q - frac) / (1.0 - frac)).clamp(0.0, 1.0);
    for (k, le) in BUCKETS.iter().enumerate() {
        cdf[k] = if k >= hi {
            1.0
        } else if *le <= floor {
            0.0
        } else {
            at_lo * (le - floor) / (lo_le - floor).max(1e-9)
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Coroot's `quantile` over one time's buckets.
    fn p99(l: &Latency, t: i64) -> f64 {
        let (mut le_prev, mut sum_prev) = (0.0, 0.0);
        for (k, le) in BUCKETS.iter().enumerate() {
            let sum = l.cdf(k, t);
            if sum < 0.99 {
                (le_prev, sum_prev) = (*le, sum);
                continue;
            }
            return le_prev + (le - le_prev) * ((0.99 - sum_prev) / (sum - sum_prev));
        }
        f64::NAN
    }

    #[test]
    fn burn_rates_come_back_from_the_solved_timeline() {
        let now = 10 * HOUR;
        let b = Burn {
            fast: (19.0, 25.4),
            slow: (4.9, 24.3),
        };
        let tl = Timeline::from_burn(&b, now, 4 * HOUR);
        let avg = |from: i64| {
            let n = (now - from) / 15_000;
            (1..=n).map(|k| tl.at(from + k * 15_000)).sum::<f64>() / n as f64 * 100.0
        };
        assert!((avg(now - HOUR) - 19.0).abs() < 0.1, "{}", avg(now - HOUR));
        assert!((avg(now - 5 * MIN) - 25.4).abs() < 0.1);
        assert!((avg(now - 15 * MIN) - 24.3).abs() < 0.1);
        assert!((avg(now - 4 * HOUR) - 4.9).abs() < 0.1);
    }

    #[test]
    fn the_p99_lands_where_the_app_says() {
        let now = 10 * HOUR;
        for ms in [12.0, 95.0, 180.0, 48.0] {
            let l = Latency::new(ms / 1000.0, None, now);
            assert!(
                (p99(&l, now) * 1000.0 - ms).abs() < 0.01,
                "{ms}: {}",
                p99(&l, now) * 1000.0
            );
        }
        let slow = Timeline::constant(0.072);
        let l = Latency::new(1.2, Some(slow), now);
        assert!((p99(&l, now) - 1.2).abs() < 0.001, "{}", p99(&l, now));
        assert!((1.0 - l.cdf(6, now) - 0.072).abs() < 1e-9, "slow share beyond 500 ms");
    }
}
