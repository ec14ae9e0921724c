//! The `coroot-mcp` binary: an MCP server (stdio or Streamable HTTP) and a CLI for people.
//!
//! Layout: `config` (every setting once: flags > env > file), `mcp/` (the MCP server: the
//! handler, prompts, resources, and the stdio and HTTP transports), `cli/` (the arguments,
//! the commands, one friendly subcommand per tool, the demo against the built-in simulator).
//! `cli` uses `mcp` and `config`; `mcp` uses neither.

mod cli;
mod config;
mod mcp;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use crate::cli::args::Cli;

fn main() -> ExitCode {
    // The matches stay: they tell which settings came from flags or env, over the config file.
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.format(&mut Cli::command()).exit());
    // One line per tool call is what a server's operators count on; on stdio the client owns
    // stderr, and one that never reads it would block the server once the pipe filled up.
    let call_lines = matches!(&cli.command, cli::args::Command::Serve(serve) if serve.http.is_some());
    init_logging(&cli.log_level, call_lines);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("coroot-mcp: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(cli::run(cli, &matches)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // `{:#}` prints the context and its cause: "cannot bind 0.0.0.0:80: Permission denied".
            eprintln!("coroot-mcp: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr only: on stdio, stdout carries nothing but protocol messages. With
/// `call_lines`, the one line per tool call (target `calls`) shows at the default level too;
/// `--log-level error` (or `RUST_LOG`) silences it.
fn init_logging(level: &str, call_lines: bool) {
    let calls = if call_lines && !matches!(level, "error" | "off") {
        ",calls=info"
    } else {
        ""
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(format!("{level},rmcp=warn{calls}")))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colours only for a person at a terminal: log collectors read the pipe as text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
}
