//! `coroot-sim`: runs the Coroot API simulator as a standalone server for manual testing
//! and demos, or (`serve-metrics`) renders a scenario as the Prometheus series a real Coroot
//! reads: history for promtool, then the same values live on `/metrics`. Prints what it
//! serves on stdout, logs to stderr.

mod metrics;

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use coroot_sim::{Auth, ProjectHealth, PrometheusHealth, Scenario, SimConfig, Simulator};

/// Serve a simulated Coroot API.
#[derive(Parser, Debug)]
#[command(name = "coroot-sim", version, about = "A Coroot API simulator")]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Scenario to serve: one of `Scenario::NAMES` (an unknown name lists them).
    #[arg(long, default_value = "ecommerce")]
    scenario: String,
    /// Login email.
    #[arg(long, default_value = "admin")]
    email: String,
    /// Login password.
    #[arg(long, default_value = "sim-password")]
    password: String,
    /// Anonymous mode with this role (Admin, Editor, Viewer): no login needed.
    #[arg(long, conflicts_with = "first_run")]
    anonymous: Option<String>,
    /// First-run mode: the admin password must be set through the login form first.
    #[arg(long)]
    first_run: bool,
    /// API key accepted as X-API-Key on /api/v1/query_range.
    #[arg(long, default_value = "sim-api-key")]
    api_key: String,
    /// URL base path, e.g. /coroot/.
    #[arg(long, default_value = "/")]
    base_path: String,
    /// The Coroot version to impersonate, e.g. 1.17.4.
    #[arg(long, default_value = "1.24.5")]
    coroot_version: String,
    /// Serve as a Coroot without ClickHouse (no logs, traces or profiles).
    #[arg(long)]
    no_clickhouse: bool,
    /// Serve as a Coroot without Prometheus ("Prometheus is not configured.").
    #[arg(long)]
    no_prometheus: bool,
    /// Serve the scenario's AI (Coroot Cloud) root cause analyses.
    #[arg(long)]
    cloud_rca: bool,
    /// Add the multi-cluster project `all` over the scenario's projects.
    #[arg(long)]
    multicluster: bool,
}

/// What to run instead of the API simulator.
#[derive(Subcommand, Debug)]
enum Command {
    /// Render a scenario as Prometheus series: write its history as OpenMetrics (and
    /// backfill it with promtool), then serve the same values live on /metrics.
    ServeMetrics(metrics::MetricsArgs),
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let args = Args::parse();
    if let Some(Command::ServeMetrics(m)) = args.command {
        return metrics::run(m).await;
    }
    let Some(mut scenario) = Scenario::by_name(&args.scenario) else {
        eprintln!(
            "unknown scenario {:?}; known: {}",
            args.scenario,
            Scenario::NAMES.join(", ")
        );
        return ExitCode::from(2);
    };
    if args.cloud_rca {
        scenario = scenario.with_cloud_rca();
    }
    let auth = if let Some(role) = args.anonymous.clone() {
        Auth::Anonymous { role }
    } else if args.first_run {
        Auth::FirstRun
    } else {
        Auth::Password {
            email: args.email.clone(),
            password: args.password.clone(),
        }
    };
    let config = SimConfig {
        auth: auth.clone(),
        api_key: Some(args.api_key.clone()),
        base_path: args.base_path.clone(),
        version: args.coroot_version.clone(),
        clickhouse: !args.no_clickhouse,
        health: ProjectHealth {
            prometheus: if args.no_prometheus {
                PrometheusHealth::NotConfigured
            } else {
                PrometheusHealth::Ok
            },
            ..ProjectHealth::default()
        },
        multicluster: args.multicluster,
        ..SimConfig::default()
    };
    let sim = match Simulator::bind(args.listen, scenario, config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot listen on {}: {e}", args.listen);
            return ExitCode::FAILURE;
        }
    };
    println!("coroot-sim serving scenario {:?} at {}", args.scenario, sim.base_url());
    match &auth {
        Auth::Password { email, password } => println!("login: email={email} password={password}"),
        Auth::Anonymous { role } => println!("anonymous access as {role}"),
        Auth::FirstRun => {
            println!("first run: set the admin password via POST /api/login with action set_admin_password")
        }
    }
    println!("api key (X-API-Key): {}", args.api_key);
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("cannot wait for Ctrl-C: {e}");
    }
    sim.shutdown().await;
    ExitCode::SUCCESS
}
