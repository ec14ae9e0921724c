//! The command line: the arguments, the commands (`serve`, `check`, `tools`, `call`), one
//! friendly subcommand per tool (`coroot-mcp incidents --lookback-hours 24`), and the demo.
//!
//! Files depend one way: this file dispatches to the commands, `friendly` runs tools through
//! `commands`, and both read tool names through `args`.

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

pub mod args;
mod commands;
mod demo;
mod friendly;

use clap::ArgMatches;

use self::args::{Cli, Command};

/// Runs the command the user asked for; `matches` are what `cli` was parsed from. Settings
/// (and so the config file) are read only by the commands that need them: `tools` and `demo`
/// work whatever the configuration.
pub async fn run(cli: Cli, matches: &ArgMatches) -> anyhow::Result<()> {
    let config = || cli.config.load(matches);
    match cli.command {
        Command::Serve(args) => commands::serve(&config()?, args).await,
        Command::Check { json } => commands::check(&config()?.context()?, json).await,
        Command::Tools { json } => commands::tools(json),
        Command::Call { tool, args, json } => commands::call(&config()?.context()?, &tool, &args, json).await,
        Command::Healthcheck { http } => commands::healthcheck(http).await,
        Command::Demo { full } => demo::run(full).await,
        Command::Tool(argv) => friendly::run(async || config()?.context(), &argv).await,
    }
}
