//! The plot every part of the e-commerce scenario shares: which problems a variant switches
//! on, the project ids, and when the story's events happen (the OOM kills, the checkout
//! error traces), so that the apps, metrics, logs and traces tell one story.

use crate::prng::Rng;
use crate::util::MIN;

/// Which problems of the cluster are switched on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Variant {
    Full,
    Oom,
    Tcp,
    Disk,
    Healthy,
}

impl Variant {
    pub(super) fn oom(self) -> bool {
        matches!(self, Variant::Full | Variant::Oom)
    }
    pub(super) fn tcp(self) -> bool {
        matches!(self, Variant::Full | Variant::Tcp)
    }
    pub(super) fn disk(self) -> bool {
        matches!(self, Variant::Full | Variant::Disk)
    }
    pub(super) fn full(self) -> bool {
        self == Variant::Full
    }
}

/// Project id of `production`.
pub(super) const P: &str = "k3h2x9qa";
/// Project id of `staging`.
pub(super) const S: &str = "p0m1n2b3";

/// The error trace that ties frontend → checkout → payment together.
pub(super) const ERROR_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

/// The OOM kill times of the crash-looping payment pod.
pub(super) fn oom_times(now: i64) -> Vec<i64> {
    vec![now - 58 * MIN, now - 41 * MIN, now - 16 * MIN]
}

/// Trace ids of the checkout error traces (the first is [`ERROR_TRACE`]).
pub(super) fn checkout_error_traces(now: i64) -> Vec<(i64, String)> {
    let mut rng = Rng::new(99);
    let mut out = vec![(now - 12 * MIN, ERROR_TRACE.to_string())];
    let mut t = now - 39 * MIN;
    while t < now - 30_000 {
        if (t - (now - 12 * MIN)).abs() > 60_000 {
            out.push((t, rng.hex(32)));
        }
        t += 150_000;
    }
    out
}

/// When node-3's data disk saturates: 40 minutes ago in the disk story, 5h10m ago in the
/// full one (whose catalog incident is long resolved, while the disk stays busy).
pub(super) fn disk_since(v: Variant, now: i64) -> i64 {
    if v == Variant::Disk {
        now - 40 * MIN
    } else {
        now - 5 * crate::util::HOUR - 10 * MIN
    }
}
