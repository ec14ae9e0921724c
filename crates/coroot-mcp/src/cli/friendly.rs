//! One subcommand per tool for people: `coroot-mcp incidents --lookback-hours 24`. Each tool's
//! flags are built from its input schema, so a new tool gets its subcommand for free.

use anyhow::{Result, anyhow, bail};
use coroot_tools::{ToolContext, ToolSpec};

use super::args::short_name;
use super::commands;

/// `<short-name> --param value ...`: the tool's parameters as flags, built from its schema.
pub async fn run(ctx_factory: impl AsyncFnOnce() -> Result<ToolContext>, argv: &[String]) -> Result<()> {
    let Some(name) = argv.first() else {
        bail!("no command given; see coroot-mcp --help");
    };
    let spec = coroot_tools::TOOLS
        .iter()
        .find(|t| short_name(t.name) == *name || t.name == name)
        .ok_or_else(|| anyhow!("unknown command '{name}'; see coroot-mcp --help for the tool commands"))?;
    let command = tool_command(spec);
    let matches = command
        .try_get_matches_from(argv)
        .map_err(|e| anyhow!("{}", e.render()))?;
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
    commands::run(&ctx, spec, serde_json::Value::Object(args), json).await
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
