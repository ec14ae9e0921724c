//! The arguments: `serve`, `check`, `tools`, `call`, `healthcheck`, `demo`, and one friendly subcommand per
//! tool (`coroot-mcp incidents --lookback-hours 24`), and each tool's short name.

use std::net::SocketAddr;

use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::mcp::http::HttpOptions;

/// Investigate production through Coroot, from an AI agent (MCP) or a terminal.
#[derive(Debug, Parser)]
#[command(name = "coroot-mcp", version, about, after_help = after_help())]
pub struct Cli {
    /// The settings as far as flags and env give them; [`Config::load`] adds the file.
    #[command(flatten)]
    pub config: Config,
    /// Log level on stderr: error, warn, info, debug, trace.
    #[arg(long, env = "COROOT_MCP_LOG", global = true, default_value = "warn")]
    pub log_level: String,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve MCP over stdio (default) or Streamable HTTP (--http).
    Serve(ServeArgs),
    /// Check the connection to Coroot; exits non-zero with a one-line reason on failure.
    Check {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the tools.
    Tools {
        /// Print names, descriptions and schemas as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Call one tool with JSON arguments.
    Call {
        /// Tool name, e.g. coroot_get_incidents.
        tool: String,
        /// Arguments as a JSON object.
        #[arg(long, default_value = "{}")]
        args: String,
        /// Print the structured JSON instead of the text.
        #[arg(long)]
        json: bool,
    },
    /// Exit 0 when the HTTP server on this machine answers /healthz (for container
    /// HEALTHCHECKs in images without curl).
    Healthcheck {
        /// The server's --http address; 0.0.0.0 means this machine.
        #[arg(long, env = "COROOT_MCP_HTTP", default_value = "127.0.0.1:8080")]
        http: SocketAddr,
    },
    /// Walk the RCA workflow against the built-in simulator (no Coroot needed).
    Demo {
        /// Print every tool output in full (by default long outputs are shortened).
        #[arg(long)]
        full: bool,
    },
    /// A tool by its short name: `coroot-mcp incidents --lookback-hours 24` (see the list below).
    #[command(external_subcommand)]
    Tool(Vec<String>),
}

/// `serve` options (the tools to serve are settings: see [`Config`]).
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Serve Streamable HTTP at this address instead of stdio, e.g. 127.0.0.1:8080.
    #[arg(long, env = "COROOT_MCP_HTTP")]
    pub http: Option<SocketAddr>,
    /// What the HTTP transport accepts.
    #[command(flatten)]
    pub http_options: HttpOptions,
    /// Serve against the built-in simulator instead of a real Coroot.
    #[arg(long)]
    pub demo: bool,
}

/// The short CLI name of a tool: `coroot_get_app_logs` → `app-logs`.
pub fn short_name(tool: &str) -> String {
    tool.trim_start_matches("coroot_get_")
        .trim_start_matches("coroot_")
        .replace('_', "-")
}

fn after_help() -> String {
    let names: Vec<String> = coroot_tools::TOOLS.iter().map(|t| short_name(t.name)).collect();
    format!(
        "Tool commands (each takes --help): {}\n\nConnection settings come from flags, then COROOT_* environment variables, then --config FILE.",
        names.join(", ")
    )
}
