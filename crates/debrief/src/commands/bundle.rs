//! `debrief export`, `debrief import` and `debrief demo`: whole incidents in
//! and out as a debrief bundle (§12).

use anyhow::Context as _;
use debrief_app::App;
use debrief_app::demo::DemoOutcome;

use super::open_input;
use crate::cli::{ExportArgs, ImportArgs};
use crate::output;
use crate::progress::Progress;

pub async fn export(app: &App, args: ExportArgs) -> anyhow::Result<()> {
    let bundle = app.export_bundle(&args.keys).await?;
    // Pretty with a trailing newline: diffable, and byte-identical on a
    // round trip through an empty database.
    let text = output::to_json(&bundle);
    match &args.output {
        None => output::print(&text)?,
        Some(path) => {
            std::fs::write(path, &text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            let count = bundle.incidents.len();
            let noun = if count == 1 { "incident" } else { "incidents" };
            eprintln_quietly(&format!("wrote {count} {noun} to {}", path.display()));
        }
    }
    Ok(())
}

pub async fn import(app: &App, args: ImportArgs) -> anyhow::Result<()> {
    let input = open_input(&args.file)?;
    let progress = Progress::start("events");
    let report = app
        .import_bundle(input, &|read| progress.update(read))
        .await?;
    progress.finish();
    if args.json {
        output::print(&output::to_json(&report))?;
    } else {
        output::print(&output::bundle_report(&report))?;
    }
    Ok(())
}

pub async fn demo(app: &App) -> anyhow::Result<()> {
    match app.load_demo().await? {
        DemoOutcome::Loaded(report) => {
            output::print(&format!(
                "loaded the demo data: {}",
                output::bundle_report(&report)
            ))?;
            let history = app.load_demo_history().await?;
            output::print(&format!(
                "and two years of history before it: {} incidents\n",
                history.incidents_created
            ))?;
            let accounts = demo_accounts(app, &report.keys).await?;
            output::print(&accounts)?;
        }
        DemoOutcome::NotEmpty { incidents } => {
            // Not an error: the database is usable, it just is not empty.
            output::print(&format!(
                "the database already holds {incidents} incidents; the demo data is only \
                 loaded into an empty database, so nothing was changed\n"
            ))?;
        }
    }
    Ok(())
}

/// Adds the demo's users and restricts its last incident; the text that
/// tells how to sign in (the passwords are random and shown only here).
pub async fn demo_accounts(app: &App, keys: &[String]) -> anyhow::Result<String> {
    let restricted = keys
        .last()
        .and_then(|k| k.parse::<debrief_core::IncidentKey>().ok());
    let accounts = app.demo_accounts(restricted.as_ref()).await?;
    if accounts.is_empty() {
        return Ok(String::new());
    }
    let mut text = String::from("sign in with one of the demo users (passwords shown once):\n");
    for (email, role, password) in &accounts {
        text.push_str(&format!("  {email:<26} {:<12} {password}\n", role.as_str()));
    }
    if let Some(k) = &restricted {
        text.push_str(&format!(
            "{k} is restricted: the manager and the contributor are members; the viewer cannot see it\n"
        ));
    }
    Ok(text)
}

/// A side note on stderr; if stderr is gone there is nobody to tell.
fn eprintln_quietly(text: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "{text}");
}
