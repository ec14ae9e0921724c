//! The `coroot-mcp` binary: an MCP server (stdio or Streamable HTTP) and a CLI for people.
//!
//! Modules: `cli` (arguments), `config` (flags > env > file), `server` (the MCP handler),
//! `prompts` (the seed's workflows), `http` (the HTTP transport), `stdio` (the stdio
//! transport's parse errors), `commands` (the CLI commands), `demo` (the walkthrough against
//! the built-in simulator).

/// `println!` for command output that treats a closed stdout (`coroot-mcp call … | head`) as
/// the reader being done, not as a reason to panic.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if writeln!(std::io::stdout().lock(), $($arg)*).is_err() {
            std::process::exit(0);
        }
    }};
}

mod cli;
mod commands;
mod config;
mod demo;
mod http;
mod prompts;
mod server;
mod stdio;

use std::process::ExitCode;

use clap::Parser;
use coroot_client::Client;
use coroot_tools::ToolContext;
use rmcp::ServiceExt;

use crate::cli::{Cli, Command, ServeArgs};
use crate::config::ConnectionArgs;
use crate::server::CorootMcp;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli.log_level);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("coroot-mcp: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(dispatch(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("coroot-mcp: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr only: on stdio, stdout carries nothing but protocol messages.
fn init_logging(level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(format!("{level},rmcp=warn")))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}

async fn dispatch(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Serve(args) => serve(&cli.conn, args).await,
        Command::Check { json } => commands::check(&context(&cli.conn)?, json).await,
        Command::Tools { json } => commands::tools(json),
        Command::Call { tool, args, json } => commands::call(&context(&cli.conn)?, &tool, &args, json).await,
        Command::Demo { full } => demo::run(full).await,
        Command::Tool(argv) => {
            let conn = cli.conn.clone();
            commands::friendly(async move || context(&conn), &argv).await
        }
    }
}

/// The tool context for a real Coroot, from flags, env and file.
fn context(conn: &ConnectionArgs) -> Result<ToolContext, String> {
    let settings = conn.resolve()?;
    let redact = settings.redact_secrets;
    let client = Client::new(settings.client).map_err(|e| e.to_string())?;
    Ok(ToolContext {
        redact_secrets: redact,
        ..ToolContext::new(client)
    })
}

async fn serve(conn: &ConnectionArgs, args: ServeArgs) -> Result<(), String> {
    let (ctx, settings_tools, _sim) = if args.demo {
        let (sim, ctx) = demo::embedded().await?;
        eprintln!(
            "coroot-mcp: serving against the built-in simulator at {}",
            sim.base_url()
        );
        (ctx, (None, None), Some(sim))
    } else {
        let settings = conn.resolve()?;
        let tools = (settings.enabled_tools.clone(), settings.disabled_tools.clone());
        (context(conn)?, tools, None)
    };
    let enabled = if args.enabled_tools.is_empty() {
        settings_tools.0
    } else {
        Some(args.enabled_tools.clone())
    };
    let disabled = if args.disabled_tools.is_empty() {
        settings_tools.1
    } else {
        Some(args.disabled_tools.clone())
    };
    let tools = config::select_tools(enabled.as_deref(), disabled.as_deref())?;
    let server = CorootMcp::new(ctx, &tools);
    match args.http {
        Some(addr) => {
            let opts = http::HttpOptions {
                auth_token: args.auth_token,
                allowed_hosts: args.allowed_hosts,
                allowed_origins: args.allowed_origins,
            };
            http::serve(server, addr, opts).await
        }
        None => {
            tracing::info!(tools = tools.len(), "serving MCP on stdio");
            let io = stdio::transport();
            let running = server
                .serve((io.reader, io.writer))
                .await
                .map_err(|e| format!("MCP stdio failed: {e}"))?;
            running.waiting().await.map_err(|e| format!("MCP stdio failed: {e}"))?;
            // rmcp has closed its side: let the last answers reach stdout before exiting.
            let _ = io.flushed.await;
            Ok(())
        }
    }
}
