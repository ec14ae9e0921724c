//! `coroot-sim serve-metrics`: a scenario's series for a real Coroot. Binds the listener first
//! (the history carries the `instance` label Prometheus will give the live scrape), writes the
//! history up to now as OpenMetrics, optionally backfills it into a Prometheus data dir with
//! `promtool tsdb create-blocks-from openmetrics` and writes Coroot's cloud price list, then
//! serves the same values on `/metrics` until interrupted.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use coroot_sim::{Emitter, Scenario};

/// `serve-metrics` options.
#[derive(clap::Args, Debug)]
pub(crate) struct MetricsArgs {
    /// Scenario to render.
    #[arg(long, default_value = "ecommerce")]
    scenario: String,
    /// Project of the scenario (default: its first, `production` for the e-commerce ones).
    #[arg(long)]
    project: Option<String>,
    /// Address of the /metrics endpoint.
    #[arg(long, default_value = "127.0.0.1:19101")]
    listen: SocketAddr,
    /// Hours of history to write (Coroot back-fills at most 4).
    #[arg(long, default_value_t = 4.0)]
    history_hours: f64,
    /// The scenario's "now" this many seconds after start: a real Coroot needs about two
    /// minutes to back-fill and open incidents, and the faults keep going until then.
    #[arg(long, default_value_t = 0)]
    lead_seconds: i64,
    /// The Prometheus job name of the scrape (the history carries it).
    #[arg(long, default_value = "coroot-sim")]
    job: String,
    /// Where to write the OpenMetrics history.
    #[arg(long)]
    history: PathBuf,
    /// Backfill the history into this Prometheus data dir (then delete the history file).
    #[arg(long)]
    prom_data: Option<PathBuf>,
    /// The promtool binary.
    #[arg(long, default_value = "promtool")]
    promtool: PathBuf,
    /// Write Coroot's cloud price list (the scenario's node prices) to this file.
    #[arg(long)]
    pricing: Option<PathBuf>,
}

/// Runs `serve-metrics`.
pub(crate) async fn run(args: MetricsArgs) -> ExitCode {
    match serve(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("coroot-sim serve-metrics: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: MetricsArgs) -> Result<(), String> {
    const STEP: i64 = 15_000;
    let Some(scenario) = Scenario::by_name(&args.scenario) else {
        return Err(format!(
            "unknown scenario {:?}; known: {}",
            args.scenario,
            Scenario::NAMES.join(", ")
        ));
    };
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let start = jiff::Timestamp::now().as_millisecond();
    let start = start - start.rem_euclid(STEP);
    let now = start + args.lead_seconds * 1000;
    let history_ms = (args.history_hours * 3_600_000.0) as i64;
    let emitter = Emitter::new(&scenario, args.project.as_deref(), now, history_ms)
        .ok_or_else(|| format!("scenario {:?} has no such project", args.scenario))?;
    let from = start - history_ms;
    let file = std::fs::File::create(&args.history).map_err(|e| format!("{}: {e}", args.history.display()))?;
    let mut out = std::io::BufWriter::new(file);
    let samples = emitter
        .write_history(&mut out, from, start - STEP, &args.job, &addr.to_string())
        .and_then(|n| std::io::Write::flush(&mut out).map(|()| n))
        .map_err(|e| format!("{}: {e}", args.history.display()))?;
    drop(out);
    println!(
        "wrote {samples} samples of {} series of project {:?} to {}",
        emitter.series_count(),
        emitter.project(),
        args.history.display()
    );
    if let Some(dir) = &args.prom_data {
        let status = tokio::process::Command::new(&args.promtool)
            .args(["tsdb", "create-blocks-from", "openmetrics"])
            .arg(&args.history)
            .arg(dir)
            .stdout(std::process::Stdio::null())
            .status()
            .await
            .map_err(|e| format!("{}: {e}", args.promtool.display()))?;
        if !status.success() {
            return Err(format!("promtool failed: {status}"));
        }
        let _ = std::fs::remove_file(&args.history);
        println!("backfilled into {}", dir.display());
    }
    if let Some(path) = &args.pricing {
        std::fs::write(path, emitter.cloud_pricing_gz()).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let live = Arc::new(emitter.live(from));
    println!("scenario now: {now} (epoch ms); serving http://{addr}/metrics");
    tokio::select! {
        r = live.serve(listener) => r.map_err(|e| e.to_string()),
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}
