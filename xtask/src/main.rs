//! The workspace's task runner: `cargo xtask <command>` (an alias in
//! `.cargo/config.toml`). Commands are matched in [`main`]; add new ones
//! there (`ci`, `e2e`, `screenshots` …), each in its own module.

mod bench;
mod ci;

use std::process::ExitCode;

use anyhow::{Result, bail};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  ci  rustfmt, clippy, the Rust tests on SQLite and PostgreSQL, the browser tests
  bench import [--events N] [--postgres URL]
  bench learning [--incidents N] [--postgres URL] [--runs R]
      the timeline import against a minimal prepared-statement loop";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match dispatch(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(args: &[String]) -> Result<()> {
    let (command, rest) = match args.split_first() {
        Some((c, rest)) => (c.as_str(), rest),
        None => ("help", &[][..]),
    };
    match (command, rest.first().map(String::as_str)) {
        ("ci", _) => ci::run(rest),
        ("bench", Some("import")) => bench::import(&rest[1..]),
        ("bench", Some("learning")) => bench::learning_bench(&rest[1..]),
        ("bench", Some("-h" | "--help") | None) => {
            println!("{}", bench::USAGE);
            Ok(())
        }
        ("bench", Some(other)) => {
            bail!(
                "unknown benchmark `{other}`; try `cargo xtask bench import` or `cargo xtask bench learning`"
            )
        }
        // Hidden: what `bench import` runs in the release profile.
        (bench::RUN, _) => bench::run(rest),
        (bench::LEARNING_RUN, _) => bench::learning::run(rest),
        ("help" | "-h" | "--help", _) => {
            println!("{USAGE}");
            Ok(())
        }
        (other, _) => bail!("unknown command `{other}`\n\n{USAGE}"),
    }
}
