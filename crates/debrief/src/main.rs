//! The `debrief` binary: the command line and `serve`. Parsing is in `cli`,
//! the work in `commands`, rendering in `output`, exit codes in `exit`.

mod cli;
mod commands;
mod exit;
mod output;
mod progress;

use std::process::ExitCode;

use clap::Parser as _;

#[tokio::main]
async fn main() -> ExitCode {
    // On a malformed command line clap prints usage and exits with 2 itself.
    let cli = cli::Cli::parse();
    match commands::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => exit::report(&error),
    }
}
