//! The CLI commands for people: `check`, `tools`, `call` and the per-tool subcommands.

use std::io::IsTerminal;
use std::time::Duration;

use coroot_tools::{ToolContext, ToolSpec};

use crate::cli::short_name;

/// `check`: prints the report; `Err` carries the one-line reason.
pub async fn check(ctx: &ToolContext, json: bool) -> Result<(), String> {
    let report = with_progress("checking Coroot", coroot_tools::check::run(ctx)).await;
    if json {
        out!("{}", serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?);
    } else if report.ok() {
        out!("{}", report.render());
    }
    match report.error {
        None => Ok(()),
        Some(e) => Err(format!("not connected: {e}")),
    }
}

/// `tools`: names and first sentences, or the full JSON.
pub fn tools(json: bool) -> Result<(), String> {
    if json {
        let list: Vec<serde_json::Value> = coroot_tools::TOOLS
            .iter()
            .map(|t| {
                serde_json::json!({"name": t.name, "title": t.title, "description": t.description,
                    "inputSchema": (t.input_schema)(), "outputSchema": (t.output_schema)()})
            })
            .collect();
        out!("{}", serde_json::to_string_pretty(&list).map_err(|e| e.to_string())?);
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
pub async fn call(ctx: &ToolContext, tool: &str, args: &str, json: bool) -> Result<(), String> {
    let spec = find(tool)?;
    let args: serde_json::Value = serde_json::from_str(args)
        .map_err(|e| format!("--args is not valid JSON ({e}); example: --args '{{\"lookback_hours\": 24}}'"))?;
    run(ctx, spec, args, json).await
}

/// `<short-name> --param value ...`: the tool's parameters as flags, built from its schema.
pub async fn friendly(
    ctx_factory: impl AsyncFnOnce() -> Result<ToolContext, String>,
    argv: &[String],
) -> Result<(), String> {
    let Some(name) = argv.first() else {
        return Err("no command given; see coroot-mcp --help".into());
    };
    let spec = coroot_tools::TOOLS
        .iter()
        .find(|t| short_name(t.name) == *name || t.name == name)
        .ok_or_else(|| format!("unknown command '{name}'; see coroot-mcp --help for the tool commands"))?;
    let command = tool_command(spec);
    let matches = command.try_get_matches_from(argv).map_err(|e| e.render().to_string())?;
    let mut args = serde_json::Map::new();
    let schema = (spec.input_schema)();
    if let Some(props) = schema["properties"].as_object() {
        for (prop, def) in props {
            if is_boolean(def) {
                if matches.get_flag(prop) {
                    args.insert(prop.clone(), true.into());
                }
            } else if let Some(v) = matches.get_one::<String>(prop) {
                // The tools accept numbers as strings, so every value goes through as text.
                args.insert(prop.clone(), v.clone().into());
            }
        }
    }
    let json = matches.get_flag("json");
    let ctx = ctx_factory().await?;
    run(&ctx, spec, serde_json::Value::Object(args), json).await
}

fn tool_command(spec: &ToolSpec) -> clap::Command {
    let schema = (spec.input_schema)();
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    let mut cmd = clap::Command::new(short_name(spec.name))
        .about(spec.description)
        .no_binary_name(false)
        .arg(
            clap::Arg::new("json")
                .long("json")
                .action(clap::ArgAction::SetTrue)
                .help("Print the structured JSON instead of the text"),
        );
    if let Some(props) = schema["properties"].as_object() {
        for (prop, def) in props {
            let help = def["description"].as_str().unwrap_or_default().to_string();
            let mut arg = clap::Arg::new(prop.clone()).long(prop.replace('_', "-")).help(help);
            arg = if is_boolean(def) {
                arg.action(clap::ArgAction::SetTrue)
            } else {
                arg.value_name("VALUE").required(required.contains(&prop.as_str()))
            };
            cmd = cmd.arg(arg);
        }
    }
    cmd
}

fn is_boolean(def: &serde_json::Value) -> bool {
    match &def["type"] {
        serde_json::Value::String(t) => t == "boolean",
        serde_json::Value::Array(ts) => ts.iter().any(|t| t == "boolean"),
        _ => false,
    }
}

fn find(tool: &str) -> Result<&'static ToolSpec, String> {
    coroot_tools::TOOLS
        .iter()
        .find(|t| t.name == tool || short_name(t.name) == tool)
        .ok_or_else(|| {
            format!(
                "unknown tool '{tool}'; tools: {}",
                coroot_tools::TOOLS
                    .iter()
                    .map(|t| t.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
}

async fn run(ctx: &ToolContext, spec: &ToolSpec, args: serde_json::Value, json: bool) -> Result<(), String> {
    let out = with_progress(&format!("calling {}", spec.name), (spec.call)(ctx, args))
        .await
        .map_err(|e| e.to_string())?;
    if json {
        out!(
            "{}",
            serde_json::to_string_pretty(&out.structured).map_err(|e| e.to_string())?
        );
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tool_has_a_parsable_friendly_command() {
        for spec in &coroot_tools::TOOLS {
            let cmd = tool_command(spec);
            cmd.clone().debug_assert();
            assert_eq!(cmd.get_name(), short_name(spec.name));
        }
    }

    #[test]
    fn flags_map_to_parameters() {
        let spec = coroot_tools::find("coroot_get_incidents").unwrap();
        let m = tool_command(spec)
            .try_get_matches_from(["incidents", "--lookback-hours", "48"])
            .unwrap();
        assert_eq!(m.get_one::<String>("lookback_hours").map(String::as_str), Some("48"));
    }
}
