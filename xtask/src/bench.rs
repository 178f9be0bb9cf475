//! `cargo xtask bench import`: imports generated timeline events through the
//! real import path and, in the same run, inserts the same rows with a
//! minimal prepared-statement loop (the baseline). Targets from the issue:
//! at least half the baseline's events/s, at most 150 MB peak memory.
//!
//! Layout: the dev-profile xtask re-runs itself with `--release` as the
//! hidden `bench-import-run`, which generates the JSON Lines file and starts
//! one child process per measurement (`bench-import-run --phase …`), so each
//! peak RSS (`VmHWM`) belongs to that phase alone.

mod events;
pub mod learning;

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail, ensure};
use debrief_app::import::{ImportFormat, TimelineImportOptions};
use debrief_app::{App, Settings, SystemClock};
use debrief_core::{Incident, IncidentDraft, TimelineEventDraft};
use debrief_store::{SqlStore, Store};
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Connection, Executor};
use uuid::Uuid;

/// The hidden subcommand the optimised build runs.
pub const RUN: &str = "bench-import-run";

const DEFAULT_EVENTS: u64 = 1_000_000;
const SEED: u64 = 2026;
const TARGET_RATIO: f64 = 0.5;
const TARGET_PEAK_MB: f64 = 150.0;

pub const USAGE: &str = "\
usage: cargo xtask bench import [--events N] [--postgres URL]

Generates N timeline events (default 1000000) as JSON Lines, imports them into
a fresh SQLite database through the real import path (App::import_timeline),
and inserts the same rows into another fresh database with a minimal
prepared-statement loop. Prints events/s for both, their ratio and the real
import's peak memory. Targets: ratio >= 0.5, peak <= 150 MB.

  --events N       how many events (e.g. 20000 for a quick run)
  --postgres URL   also compare on PostgreSQL: URL names a server and a
                   database to connect to for CREATE/DROP DATABASE; each
                   phase gets a fresh debrief_bench_<random> database";

/// The benchmark's options.
#[derive(Debug, Clone)]
struct Options {
    events: u64,
    postgres: Option<String>,
}

impl Options {
    fn parse(args: &[String]) -> Result<Self> {
        let mut options = Self {
            events: DEFAULT_EVENTS,
            postgres: None,
        };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let mut value = |name: &str| {
                it.next()
                    .cloned()
                    .ok_or_else(|| anyhow!("{name} needs a value\n\n{USAGE}"))
            };
            match arg.as_str() {
                "--events" => {
                    let v = value("--events")?;
                    options.events = v
                        .replace('_', "")
                        .parse()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| anyhow!("--events `{v}` is not a positive number"))?;
                }
                "--postgres" => options.postgres = Some(value("--postgres")?),
                other => bail!("unknown argument `{other}`\n\n{USAGE}"),
            }
        }
        Ok(options)
    }
}

/// `cargo xtask bench import …`: re-runs itself optimised unless it already is.
pub fn import(args: &[String]) -> Result<()> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return Ok(());
    }
    Options::parse(args)?;
    if !cfg!(debug_assertions) {
        return run(args);
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("xtask lives in the workspace")?;
    eprintln!("bench: building xtask with --release so the measured code is optimised");
    let status = Command::new(cargo)
        .current_dir(root)
        .args(["run", "--release", "--package", "xtask", "--", RUN])
        .args(args)
        .status()
        .context("cannot run cargo")?;
    ensure!(status.success(), "the benchmark failed ({status})");
    Ok(())
}

/// The hidden subcommand the optimised build runs for `bench learning`.
pub const LEARNING_RUN: &str = "bench-learning-run";

/// `cargo xtask bench learning …`: re-runs itself optimised unless it already is.
pub fn learning_bench(args: &[String]) -> Result<()> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{}", learning::USAGE);
        return Ok(());
    }
    if !cfg!(debug_assertions) {
        return learning::run(args);
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("xtask lives in the workspace")?;
    eprintln!("bench: building xtask with --release so the measured code is optimised");
    let status = Command::new(cargo)
        .current_dir(root)
        .args(["run", "--release", "--package", "xtask", "--", LEARNING_RUN])
        .args(args)
        .status()
        .context("cannot run cargo")?;
    ensure!(status.success(), "the benchmark failed ({status})");
    Ok(())
}

/// `bench-import-run`: the coordinator, or with `--phase` one measurement.
pub fn run(args: &[String]) -> Result<()> {
    if args.first().map(String::as_str) == Some("--phase") {
        return phase_main(&args[1..]);
    }
    let options = Options::parse(args)?;
    let dir = tempfile::Builder::new()
        .prefix("debrief-bench-")
        .tempdir()
        .context("a temporary folder")?;
    let file = dir.path().join("events.jsonl");

    let started = Instant::now();
    let out = BufWriter::with_capacity(
        1 << 20,
        File::create(&file).context("creating the events file")?,
    );
    let bytes =
        events::write_jsonl(out, options.events, SEED).context("writing the events file")?;
    println!(
        "generated {} events as JSON Lines ({:.1} MB) in {:.1} s",
        options.events,
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );

    let mut backends = vec![Backend::Sqlite(dir.path().to_owned())];
    if let Some(url) = &options.postgres {
        backends.push(Backend::Postgres(url.clone()));
    }
    let mut failed = Vec::new();
    for backend in &backends {
        println!();
        println!("{}, {} events:", backend.name(), options.events);
        match compare(backend, &file, options.events) {
            Ok(c) => c.print(options.events),
            Err(e) => {
                println!("  FAILED: {e:#}");
                failed.push(backend.name());
            }
        }
    }
    ensure!(
        failed.is_empty(),
        "the benchmark failed on {}",
        failed.join(" and ")
    );
    Ok(())
}

/// Where the fresh databases come from.
enum Backend {
    /// A folder for database files.
    Sqlite(PathBuf),
    /// A server URL with the rights to create databases.
    Postgres(String),
}

impl Backend {
    fn name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "SQLite",
            Self::Postgres(_) => "PostgreSQL",
        }
    }

    /// An empty database (migrated later by `debrief_store::open`).
    fn fresh(&self, phase: &str) -> Result<FreshDb> {
        match self {
            Self::Sqlite(dir) => {
                let path = dir.join(format!("{phase}.db"));
                Ok(FreshDb {
                    url: path.display().to_string(),
                    cleanup: Cleanup::Files(path),
                })
            }
            Self::Postgres(admin) => {
                let name = format!("debrief_bench_{}", Uuid::new_v4().simple());
                on_admin(admin, format!("CREATE DATABASE {name}"))
                    .with_context(|| format!("creating database {name}"))?;
                Ok(FreshDb {
                    url: debrief_testkit::replace_database(admin, &name),
                    cleanup: Cleanup::Postgres {
                        admin: admin.clone(),
                        name,
                    },
                })
            }
        }
    }
}

/// Runs one statement on the server's admin connection.
fn on_admin(admin: &str, sql: String) -> Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let mut conn = AnyConnection::connect(admin).await?;
        conn.execute(sql.as_str()).await?;
        conn.close().await?;
        Ok(())
    })
}

/// A database for one phase; removed when dropped.
struct FreshDb {
    url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Files(PathBuf),
    Postgres { admin: String, name: String },
}

impl Drop for FreshDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Files(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(p);
                }
            }
            Cleanup::Postgres { admin, name } => {
                if let Err(e) = on_admin(
                    admin,
                    format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                ) {
                    eprintln!("warning: could not drop database {name}: {e:#}");
                }
            }
        }
    }
}

/// What one phase measured, as the child reports it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct PhaseResult {
    /// Records read from the file.
    read: u64,
    /// Rows the timed code reported as inserted.
    added: u64,
    /// Events in the table afterwards.
    count: u64,
    /// The timed part.
    secs: f64,
    /// Baseline only: parsing, validating and hashing beforehand (untimed).
    prepare_secs: Option<f64>,
    /// The process's peak resident set (Linux `VmHWM`).
    peak_rss_kb: Option<u64>,
}

impl PhaseResult {
    fn rate(&self) -> f64 {
        self.added as f64 / self.secs
    }
}

struct Comparison {
    real: PhaseResult,
    baseline: PhaseResult,
}

fn compare(backend: &Backend, file: &Path, events: u64) -> Result<Comparison> {
    let real = {
        let db = backend.fresh("real")?;
        spawn_phase("real", &db.url, file)?
    };
    ensure!(
        real.read == events && real.added == events && real.count == events,
        "the real import read {}, added {} and left {} events in the table; expected {events}",
        real.read,
        real.added,
        real.count
    );
    let baseline = {
        let db = backend.fresh("baseline")?;
        spawn_phase("baseline", &db.url, file)?
    };
    ensure!(
        baseline.added == events && baseline.count == events,
        "the baseline inserted {} and left {} events in the table; expected {events}",
        baseline.added,
        baseline.count
    );
    Ok(Comparison { real, baseline })
}

impl Comparison {
    fn print(&self, events: u64) {
        let (r, b) = (&self.real, &self.baseline);
        let peak = r.peak_rss_kb.map(mb);
        println!(
            "  import (real path):                 {events} events in {:.2} s = {:.0} events/s, peak RSS {}",
            r.secs,
            r.rate(),
            peak.map_or("unknown".into(), |p| format!("{p:.1} MB"))
        );
        println!(
            "  baseline (prepared-statement loop): {events} events in {:.2} s = {:.0} events/s \
             (insert loop + commit only; parsing, validation, ids and hashes done beforehand \
             in {:.2} s, untimed; peak RSS {})",
            b.secs,
            b.rate(),
            b.prepare_secs.unwrap_or(f64::NAN),
            b.peak_rss_kb
                .map_or("unknown".into(), |k| format!("{:.1} MB", mb(k)))
        );
        let ratio = r.rate() / b.rate();
        let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
        println!(
            "  ratio: {ratio:.2} (target >= {TARGET_RATIO}: {})  peak memory: {} (target <= {TARGET_PEAK_MB} MB: {})",
            verdict(ratio >= TARGET_RATIO),
            peak.map_or("unknown".into(), |p| format!("{p:.1} MB")),
            peak.map_or("unknown", |p| verdict(p <= TARGET_PEAK_MB)),
        );
    }
}

/// kB (as /proc reports, i.e. KiB) to decimal megabytes.
fn mb(kb: u64) -> f64 {
    kb as f64 * 1024.0 / 1e6
}

/// Runs one phase in a child process of this (optimised) binary.
fn spawn_phase(phase: &str, db: &str, file: &Path) -> Result<PhaseResult> {
    let exe = std::env::current_exe().context("finding this program")?;
    let output = Command::new(exe)
        .arg(RUN)
        .args(["--phase", phase, "--db", db, "--file"])
        .arg(file)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("starting the {phase} phase"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    ensure!(
        output.status.success(),
        "the {phase} phase failed ({}){}",
        output.status,
        {
            let s = stdout.trim();
            if s.is_empty() {
                String::new()
            } else {
                format!(": {s}")
            }
        }
    );
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .ok_or_else(|| anyhow!("the {phase} phase printed no result: {stdout}"))?;
    serde_json::from_str(line).context("reading the phase's result")
}

/// `bench-import-run --phase real|baseline --db URL --file PATH`.
fn phase_main(args: &[String]) -> Result<()> {
    let [phase, db_flag, db, file_flag, file] = args else {
        bail!("usage: {RUN} --phase real|baseline --db URL --file PATH");
    };
    ensure!(
        db_flag == "--db" && file_flag == "--file",
        "usage: {RUN} --phase real|baseline --db URL --file PATH"
    );
    let file = Path::new(file);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let result = rt.block_on(async {
        match phase.as_str() {
            "real" => real_phase(db, file).await,
            "baseline" => baseline_phase(db, file).await,
            other => bail!("unknown phase `{other}`"),
        }
    })?;
    drop(rt);
    println!("RESULT {}", serde_json::to_string(&result)?);
    Ok(())
}

async fn app_with_incident(db: &str) -> Result<(SqlStore, App, Incident)> {
    let store = debrief_store::open(db)
        .await
        .with_context(|| format!("opening {db}"))?;
    let app = App::new(
        Arc::new(store.clone()),
        Arc::new(SystemClock),
        Settings::default(),
    );
    let draft = IncidentDraft {
        title: "Import benchmark".into(),
        category: "unauthorised_access".into(),
        severity: "medium".into(),
        ..Default::default()
    };
    let incident = app.create_incident(&draft).await?;
    Ok((store, app, incident))
}

/// The real path: the whole file through `App::import_timeline`, timed.
async fn real_phase(db: &str, file: &Path) -> Result<PhaseResult> {
    let (store, app, incident) = app_with_incident(db).await?;
    let key = incident.key.to_string();
    let options = TimelineImportOptions::new(ImportFormat::JsonLines);
    let input = File::open(file).with_context(|| format!("opening {}", file.display()))?;
    let started = Instant::now();
    let report = app
        .import_timeline(&key, input, &options, &|_| {})
        .await
        .context("the import failed")?;
    let secs = started.elapsed().as_secs_f64();
    let peak_rss_kb = peak_rss_kb();
    let count = store.count_events(incident.id).await?;
    store.close().await;
    Ok(PhaseResult {
        read: report.read,
        added: report.added,
        count,
        secs,
        prepare_secs: None,
        peak_rss_kb,
    })
}

/// One `timeline_events` row, ready to bind.
struct Row {
    id: String,
    at_us: i64,
    at_off: i64,
    at_prec: &'static str,
    kind: &'static str,
    source: String,
    actor: Option<String>,
    text: String,
    evidence_url: Option<String>,
    tags: String,
    is_key: i64,
    hash: String,
}

const BASELINE_INSERT: &str = "INSERT INTO timeline_events \
    (id, incident_id, at_us, at_off, at_prec, kind, source, actor, text, evidence_url, tags, is_key, hash, created_us) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
    ON CONFLICT (incident_id, hash) DO NOTHING";

/// Parses, validates and hashes the file exactly as the import does, so the
/// rows are the same; not timed.
fn prepare_rows(file: &Path) -> Result<Vec<Row>> {
    let reader = BufReader::with_capacity(1 << 16, File::open(file)?);
    let mut rows = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let draft: TimelineEventDraft =
            serde_json::from_str(&line).with_context(|| format!("line {}", i + 1))?;
        let e = draft
            .validate("import")
            .map_err(|e| anyhow!("line {}: {e:?}", i + 1))?;
        rows.push(Row {
            id: Uuid::now_v7().to_string(),
            at_us: e.at.micros_utc(),
            at_off: i64::from(e.at.offset_seconds()),
            at_prec: e.at.precision().as_str(),
            kind: e.kind.as_str(),
            tags: serde_json::to_string(&e.tags)?,
            is_key: i64::from(e.key),
            hash: e.content_hash(),
            source: e.source,
            actor: e.actor,
            text: e.text,
            evidence_url: e.evidence_url,
        });
    }
    Ok(rows)
}

/// The baseline: one connection, one transaction, one prepared single-row
/// INSERT executed per event. Only the loop and the commit are timed.
async fn baseline_phase(db: &str, file: &Path) -> Result<PhaseResult> {
    let (store, _app, incident) = app_with_incident(db).await?;
    let incident_id = incident.id.to_string();
    let created_us = jiff::Timestamp::now().as_microsecond();
    let prepare = Instant::now();
    let rows = prepare_rows(file)?;
    let prepare_secs = prepare.elapsed().as_secs_f64();

    let mut conn = store.pool().acquire().await?;
    let started = Instant::now();
    let mut tx = conn.begin().await?;
    let mut added = 0;
    for r in &rows {
        added += sqlx::query(BASELINE_INSERT)
            .bind(r.id.as_str())
            .bind(incident_id.as_str())
            .bind(r.at_us)
            .bind(r.at_off)
            .bind(r.at_prec)
            .bind(r.kind)
            .bind(r.source.as_str())
            .bind(r.actor.as_deref())
            .bind(r.text.as_str())
            .bind(r.evidence_url.as_deref())
            .bind(r.tags.as_str())
            .bind(r.is_key)
            .bind(r.hash.as_str())
            .bind(created_us)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    }
    tx.commit().await?;
    let secs = started.elapsed().as_secs_f64();
    let peak_rss_kb = peak_rss_kb();
    drop(conn);
    let count = store.count_events(incident.id).await?;
    store.close().await;
    Ok(PhaseResult {
        read: rows.len() as u64,
        added,
        count,
        secs,
        prepare_secs: Some(prepare_secs),
        peak_rss_kb,
    })
}

/// The peak resident set size of this process in KiB, where Linux tells it.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
