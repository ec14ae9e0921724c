//! The metrics emitter: a scenario's world rendered as the Prometheus series a real Coroot
//! reads (every query of v1.24.5:constructor/queries.go it needs), so a real Coroot fed with
//! them builds the applications, checks, service map, nodes, incidents, alerts and costs the
//! simulator serves for the same scenario.
//!
//! **One scenario model, two renderings.** A [`Scenario`] materialises one `world::Project`
//! relative to "now". The simulator's renderers (`render/`) turn it into Coroot's API answers;
//! this module turns the same project into the node agent's, kube-state-metrics' and the
//! database exporters' series, from which Coroot derives those answers itself. Neither
//! rendering reads the other: a disagreement between the simulator and a real Coroot fed by
//! the emitter is a disagreement about Coroot's rules (or a fact a fresh Coroot cannot
//! know), which is what the differential tests (`coroot-mcp/tests/real`) look for.
//!
//! Facts the world stores are turned into the data Coroot derives them from:
//! * an open incident's burn rates become the failing (availability) or slow (latency) share
//!   of the app's requests over the last 5 min, 15 min, hour and the rest of the history
//!   (`slo`), so Coroot's watcher opens the incident at its start with those burn rates;
//!   the app's latency is pinned as the 99th percentile of its request histogram;
//! * the story's OOM kills and restarts become counter increments (read with `up`), its
//!   memory sawtooth RSS, its failed connects and retransmissions per destination, its disk
//!   read/write time steps a node's I/O load; `up` going to 0 ends a pod's or node's series;
//! * a link with `failed_connects` gets failed connects to its Service address; a link with
//!   `no_connectivity` loses its RTT and successful connects for the last 10 minutes;
//! * DNS NXDOMAIN/SERVFAIL counts become counted answers; container log lines become
//!   `container_log_messages_total` per pattern;
//! * a check the scenario fires without data of its own (`App::fired`) gets the series its
//!   auditor reads (CPU near the limit, memory pressure, memory growth, slow Postgres/Redis);
//! * Java, Python and Node.js apps get their runtime series (the JVM, Python and Node.js
//!   reports), Postgres and Redis their exporters' (`dbs`);
//! * a Deployment's rollout inside the history gets the previous ReplicaSet's pods, which
//!   end just after it (`rollout`), so Coroot's deployment watcher finds it;
//! * node prices become a `cloud-pricing.json.gz` ([`Emitter::cloud_pricing_gz`]).
//!
//! Identities a real cluster has and the world leaves implicit (machine ids, system UUIDs,
//! Service IPs, pod UIDs, images, external IPs) are derived deterministically (`plan`).
//!
//! Output: [`Emitter::write_history`] writes OpenMetrics for `promtool tsdb
//! create-blocks-from openmetrics` (with the `job`/`instance` labels Prometheus adds to the
//! live scrape), and [`Emitter::live`] serves the very same values on `/metrics`, every
//! sample stamped on the same 15 s grid, so the backfilled history and the live scrape join.
//! Values are deterministic functions of time (counters integrate on the grid), so a fault
//! defined as ongoing at "now" keeps going after it: a real Coroot started at "now" opens
//! its incidents from the burn rates it sees then.
//!
//! What a fresh Coroot cannot know, no series can tell it: incidents that opened and resolved
//! before it started, rollouts older than its deployment watcher's first hour, history beyond
//! its 4 h backfill (its "6 h" burn rates cover 4 h), risk dismissals (a user's action),
//! ClickHouse data (logs, traces, profiles). See docs/coroot-compat.md, "Differential tests".

mod dbs;
mod kube;
mod live;
mod net;
mod nodes;
mod plan;
mod pods;
mod pricing;
mod rollout;
mod runtimes;
mod series;
mod slo;

use std::io::{self, Write};

pub use live::LiveMetrics;

use crate::scenario::Scenario;
use series::Series;

/// A scenario's project rendered as Prometheus series.
pub struct Emitter {
    series: Vec<Series>,
    project: String,
    pricing: serde_json::Value,
}

impl std::fmt::Debug for Emitter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emitter")
            .field("project", &self.project)
            .field("series", &self.series.len())
            .finish_non_exhaustive()
    }
}

impl Emitter {
    /// Renders `project` (a name; `None`: the scenario's first project, `production` in the
    /// e-commerce scenarios) of `scenario` built at `now_ms`. `history_ms` is how much
    /// history will be written: the burn rates of the 6 h rule are solved over what Coroot
    /// will hold of it. `None` when the scenario has no such project.
    pub fn new(scenario: &Scenario, project: Option<&str>, now_ms: i64, history_ms: i64) -> Option<Emitter> {
        let world = scenario.build(now_ms);
        let p = match project {
            Some(name) => world.project_by_name(name)?,
            None => world.projects.first()?,
        };
        let plan = plan::Plan::new(p, history_ms.min(4 * crate::util::HOUR));
        let mut sink = series::Sink::default();
        nodes::emit(&plan, &mut sink);
        kube::emit(&plan, &mut sink);
        pods::emit(&plan, &mut sink);
        net::emit(&plan, &mut sink);
        dbs::emit(&plan, &mut sink);
        runtimes::emit(&plan, &mut sink);
        rollout::emit(&plan, &mut sink, now_ms - history_ms);
        Some(Emitter {
            series: sink.out,
            project: p.name.clone(),
            pricing: pricing::json(p),
        })
    }

    /// The name of the rendered project.
    pub fn project(&self) -> &str {
        &self.project
    }

    /// How many series it renders.
    pub fn series_count(&self) -> usize {
        self.series.len()
    }

    /// Writes the samples of `[from_ms, to_ms]` (grid points) as OpenMetrics with the target
    /// labels Prometheus will add to the live scrape (`job`, `instance`), plus that target's
    /// `up` (Coroot reads counters into increases with it). Returns the number of samples.
    pub fn write_history(
        &self,
        out: &mut dyn Write,
        from_ms: i64,
        to_ms: i64,
        job: &str,
        instance: &str,
    ) -> io::Result<u64> {
        let grid = |t: i64| t - t.rem_euclid(series::STEP);
        series::write_openmetrics(
            &self.series,
            out,
            grid(from_ms),
            grid(to_ms),
            &[("job", job), ("instance", instance)],
        )
    }

    /// The live endpoint's state; counters count from `from_ms`, the history's start.
    pub fn live(self, from_ms: i64) -> LiveMetrics {
        LiveMetrics::new(self.series, from_ms)
    }

    /// The synthetic `cloud-pricing.json.gz` Coroot reads from `<data-dir>/cloud-pricing/`:
    /// the world's node prices.
    pub fn cloud_pricing_gz(&self) -> Vec<u8> {
        pricing::gzip(self.pricing.to_string().as_bytes())
    }
}
