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

use self::args::{Cli, Command};

/// Runs the command the user asked for.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => commands::serve(&cli.conn, args).await,
        Command::Check { json } => commands::check(&cli.conn.context()?, json).await,
        Command::Tools { json } => commands::tools(json),
        Command::Call { tool, args, json } => commands::call(&cli.conn.context()?, &tool, &args, json).await,
        Command::Demo { full } => demo::run(full).await,
        Command::Tool(argv) => friendly::run(async || cli.conn.context(), &argv).await,
    }
}
