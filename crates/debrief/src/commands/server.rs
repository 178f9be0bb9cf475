//! `debrief serve` and `debrief migrate`: the long-running web server and the
//! schema check operators run before it.

use std::io::{IsTerminal as _, Write as _};

use anyhow::Context as _;
use debrief_app::App;
use debrief_app::demo::DemoOutcome;
use debrief_app::webhooks::Dispatcher;
use tracing_subscriber::EnvFilter;

use super::redact;
use crate::cli::ServeArgs;
use crate::output;

/// Structured logs on stderr, filtered by `DEBRIEF_LOG` (default `info`).
pub fn init_tracing() {
    let filter = EnvFilter::try_from_env("DEBRIEF_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    // `try_init`: a second initialisation (never expected) must not abort the server.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes are for people; piped into a log collector they are noise.
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

pub async fn serve(app: App, args: ServeArgs) -> anyhow::Result<()> {
    let mut sign_in = String::new();
    if args.demo {
        match app.load_demo().await? {
            DemoOutcome::Loaded(report) => {
                tracing::info!(incidents = ?report.keys, events = report.events_added, "loaded the demo data");
                let history = app.load_demo_history().await?;
                tracing::info!(
                    incidents = history.incidents_created,
                    "loaded two years of demo history"
                );
                sign_in = super::bundle::demo_accounts(&app, &report.keys).await?;
            }
            DemoOutcome::NotEmpty { incidents } => {
                tracing::info!(
                    incidents,
                    "the database is not empty; the demo data was not loaded"
                );
            }
        }
    }
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let address = listener
        .local_addr()
        .context("cannot read the listening address")?;
    // Printed only once the socket is bound, with the real port when 0 was
    // asked for: tests and scripts wait for this line before connecting.
    // One write: stderr is unbuffered, and a reader of the pipe must never
    // see the address cut in two.
    let line = format!("debrief listening on http://{address}\n");
    let _ = std::io::stderr().write_all(line.as_bytes());
    if !sign_in.is_empty() {
        let _ = write!(
            std::io::stderr(),
            "open http://{address}/login and {sign_in}"
        );
    }
    // A database without users: a one-time link to create the first admin
    // (or run `debrief user add EMAIL --name NAME --admin`).
    if let Some(token) = app.setup_link_if_no_users().await? {
        let _ = writeln!(
            std::io::stderr(),
            "no users yet: create the first admin at http://{address}/setup/{token} \
             (single use, valid 24 hours), or run `debrief user add EMAIL --name NAME --admin`"
        );
        tracing::warn!("no users yet; the setup link is printed above");
    }
    tracing::info!(%address, "serving");
    // Webhook deliveries go out from a background task, never from the
    // request that caused them. Several `serve` instances on one database
    // each run one; their claims keep them from sending an attempt twice.
    let dispatcher = Dispatcher::new(app.clone()).spawn();
    let overdue = tokio::spawn(debrief_store::with_audit_context(
        debrief_store::AuditContext::new("system", "system: overdue notices"),
        overdue_notices(app.clone()),
    ));
    // The KPI facts cache is built once in the background, so the first
    // dashboard after a start does not wait for every incident to be read
    // (seconds at 100,000 incidents); later writes refresh it per incident.
    let warm = tokio::spawn({
        let app = app.clone();
        async move {
            let started = std::time::Instant::now();
            match app.learning_facts().await {
                Ok(f) => tracing::info!(
                    incidents = f.incidents.len(),
                    ms = started.elapsed().as_millis() as u64,
                    "KPI facts ready"
                ),
                Err(e) => tracing::warn!(error = %e, "the KPI facts could not be read ahead"),
            }
        }
    });
    let served = debrief_web::serve(app, listener).await;
    // An attempt cut short here is sent again once its lease runs out.
    dispatcher.abort();
    overdue.abort();
    warm.abort();
    served.context("the server stopped")?;
    tracing::info!("stopped");
    Ok(())
}

/// How often `serve` looks for actions that became overdue.
const OVERDUE_EVERY: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Emits `action.overdue` for actions that became overdue: at start, then
/// every [`OVERDUE_EVERY`]. Each notice is claimed in the database, so it is
/// sent once per action and due date however many instances run this.
async fn overdue_notices(app: App) {
    let mut every = tokio::time::interval(OVERDUE_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        match app.notify_overdue().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(actions = n, "overdue notices queued for webhooks"),
            Err(e) => tracing::error!(error = %e, "overdue actions could not be checked"),
        }
    }
}

/// Opening the database already migrated it; this only says so.
pub fn migrate(url: &str) -> anyhow::Result<()> {
    output::print(&format!(
        "the database {} is migrated and up to date\n",
        redact(url)
    ))?;
    Ok(())
}
