//! The commands: `serve` (MCP over stdio or HTTP), `healthcheck` for containers, and for
//! people `check`, `tools` and `call`;
//! also how a tool runs for a person (the friendly subcommands run tools the same way).

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Result, anyhow, bail};
use coroot_tools::{ToolContext, ToolSpec};

use super::args::{ServeArgs, short_name};
use super::demo;
use crate::config::Config;
use crate::mcp::handler::CorootMcp;
use crate::mcp::identity::Identities;
use crate::mcp::metrics::Metrics;
use crate::mcp::{http, stdio};

/// `serve`: MCP over stdio, or Streamable HTTP with `--http`, against Coroot or the simulator.
pub async fn serve(config: &Config, args: ServeArgs) -> Result<()> {
    let o = &args.http_options;
    if args.http.is_none() && (o.tokens.is_some() || o.session_passthrough || o.stateless) {
        // On stdio there is one client and no bearer token: these would silently do nothing.
        bail!(
            "--tokens, --session-passthrough and --stateless apply to the HTTP transport; add --http ADDR (e.g. --http 0.0.0.0:8080), or drop them for stdio"
        );
    }
    let metrics = Arc::new(Metrics::default());
    // Held until the server ends: dropping the simulator stops it.
    let (ctx, _sim) = if args.demo {
        let (sim, mut ctx) = demo::embedded().await?;
        ctx.public_url = config.public_url()?;
        eprintln!(
            "coroot-mcp: serving against the built-in simulator at {}",
            sim.base_url()
        );
        (ctx, Some(sim))
    } else {
        (config.context_observed(Some(metrics.clone()))?, None)
    };
    let tools = config.tools()?;
    let server = CorootMcp::new(ctx.clone(), &tools).with_metrics(metrics.clone());
    match args.http {
        Some(addr) => {
            http::validate(addr, &args.http_options)?;
            let identities = Identities::new(ctx, metrics.clone(), args.http_options.tokens.clone())?;
            let served = http::Served {
                server,
                identities: Arc::new(identities),
                metrics,
                draining: Arc::default(),
            };
            http::serve(served, addr, args.http_options).await
        }
        None => {
            tracing::info!(tools = tools.len(), "serving MCP on stdio");
            stdio::serve(server).await
        }
    }
}

/// `check`: prints the report; `Err` carries the one-line reason.
pub async fn check(ctx: &ToolContext, json: bool) -> Result<()> {
    let report = with_progress("checking Coroot", coroot_tools::check::run(ctx)).await;
    if json {
        out!("{}", serde_json::to_string_pretty(&report)?);
    } else if report.ok() {
        out!("{}", report.render());
    }
    match report.error {
        None => Ok(()),
        Some(e) => bail!("not connected: {e}"),
    }
}

/// `healthcheck`: GET /healthz of the server at `addr` (plain HTTP/1.0 on loopback: the
/// image has no curl, and this needs no HTTP client).
pub async fn healthcheck(addr: SocketAddr) -> Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = if addr.ip().is_unspecified() {
        SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), addr.port())
    } else {
        addr
    };
    let probe = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        stream
            .write_all(format!("GET /healthz HTTP/1.0\r\nHost: {addr}\r\n\r\n").as_bytes())
            .await?;
        let mut answer = Vec::new();
        stream.take(4096).read_to_end(&mut answer).await?;
        Ok::<_, std::io::Error>(answer)
    };
    let answer = tokio::time::timeout(Duration::from_secs(3), probe)
        .await
        .map_err(|_| anyhow!("http://{addr}/healthz did not answer within 3 s"))?
        .map_err(|e| {
            anyhow!("cannot reach http://{addr}/healthz ({e}); is `coroot-mcp serve --http {addr}` running?")
        })?;
    let status = String::from_utf8_lossy(&answer);
    let status = status.lines().next().unwrap_or_default();
    if status.split_whitespace().nth(1) == Some("200") {
        out!("ok");
        Ok(())
    } else {
        bail!("http://{addr}/healthz answered '{status}'")
    }
}

/// `tools`: names and first sentences, or the full JSON.
pub fn tools(json: bool) -> Result<()> {
    if json {
        let list: Vec<serde_json::Value> = coroot_tools::TOOLS
            .iter()
            .map(|t| {
                serde_json::json!({"name": t.name, "title": t.title, "description": t.description,
                    "inputSchema": (t.input_schema)(), "outputSchema": (t.output_schema)()})
            })
            .collect();
        out!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(());
    }
    let width = coroot_tools::TOOLS.iter().map(|t| t.name.len()).max().unwrap_or(0);
    for t in &coroot_tools::TOOLS {
        let first = t
            .description
            .split(". ")
            .next()
            .unwrap_or(t.description)
            .trim_end_matches('.');
        out!("{:width$}  {:16} {first}", t.name, short_name(t.name));
    }
    Ok(())
}

/// `call TOOL --args JSON`.
pub async fn call(ctx: &ToolContext, tool: &str, args: &str, json: bool) -> Result<()> {
    let spec = find(tool)?;
    let args: serde_json::Value = serde_json::from_str(args)
        .map_err(|e| anyhow!("--args is not valid JSON ({e}); example: --args '{{\"lookback_hours\": 24}}'"))?;
    run(ctx, spec, args, json).await
}

fn find(tool: &str) -> Result<&'static ToolSpec> {
    coroot_tools::TOOLS
        .iter()
        .find(|t| t.name == tool || short_name(t.name) == tool)
        .ok_or_else(|| {
            anyhow!(
                "unknown tool '{tool}'; tools: {}",
                coroot_tools::TOOLS
                    .iter()
                    .map(|t| t.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
}

pub async fn run(ctx: &ToolContext, spec: &ToolSpec, args: serde_json::Value, json: bool) -> Result<()> {
    let out = with_progress(&format!("calling {}", spec.name), (spec.call)(ctx, args))
        .await
        // The tool's message already names its cause: keep the cause out of the `{:#}` chain.
        .map_err(|e| anyhow!("{e}"))?;
    if json {
        out!("{}", serde_json::to_string_pretty(&out.structured)?);
    } else {
        out!("{}", out.text);
    }
    Ok(())
}

/// Shows a spinner on stderr while `fut` runs longer than a moment, when stderr is a terminal.
pub async fn with_progress<T>(label: &str, fut: impl Future<Output = T>) -> T {
    if !std::io::stderr().is_terminal() {
        return fut.await;
    }
    let label = label.to_string();
    let spinner = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(400)).await;
        let frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
        for i in 0.. {
            eprint!("\r{} {label}…", frames[i % frames.len()]);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let out = fut.await;
    spinner.abort();
    eprint!("\r\x1b[2K");
    out
}
