//! `cargo xtask bench learning`: generates a deterministic data set (by
//! default 100,000 incidents over two years, 20 timeline events and 3
//! actions each, a review for every third) with bulk inserts — the search
//! index and the data version are filled by the database's own triggers, as
//! in production — then times requests through the real router (tower
//! `oneshot`, no socket): the dashboard for all time (cold: a fresh cache;
//! and cached), for a quarter, the KPI API, search (three words and a
//! common word), related incidents, the incident page and the incident
//! list. Median of 15 runs each, against the `/health` route and a
//! `SELECT 1` round trip measured in the same run.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use axum::body::Body;
use debrief_app::{App, Settings, SystemClock};
use debrief_core::review::{
    CauseDraft, ItemDraft, QuestionTemplate, RecurrenceAnswer, Review, ReviewChange, ReviewStatus,
};
use debrief_store::{Dialect, SqlStore};
use sqlx::Row;
use std::sync::Arc;
use tower::ServiceExt;
use uuid::Uuid;

pub const USAGE: &str = "\
usage: cargo xtask bench learning [--incidents N] [--postgres URL] [--runs R]

Generates N incidents (default 100000) with 20 timeline events and 3 actions
each, over the two years before now, and measures the dashboard, KPIs,
search, related incidents, the incident page and the list through the real
router. Prints the median of R runs (default 15) and the ratio to /health.
Targets on SQLite: dashboard <= 100 ms, search <= 50 ms, incident page <= 30 ms.

  --postgres URL   run on PostgreSQL instead: URL names a server and a database
                   to connect to for CREATE/DROP DATABASE
  --reuse NAME     keep the generated data for the next run: on SQLite NAME is a
                   file, on PostgreSQL a database on that server; when it already
                   holds N generated incidents nothing is generated (the data
                   then ages: its dates were spread over the two years before the
                   run that made it)";

struct Options {
    incidents: usize,
    postgres: Option<String>,
    runs: usize,
    reuse: Option<String>,
}

fn parse(args: &[String]) -> Result<Options> {
    let mut o = Options {
        incidents: 100_000,
        postgres: None,
        runs: 15,
        reuse: None,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut v = || {
            it.next()
                .cloned()
                .ok_or_else(|| anyhow!("{a} needs a value"))
        };
        match a.as_str() {
            "--incidents" => o.incidents = v()?.replace('_', "").parse()?,
            "--runs" => o.runs = v()?.parse()?,
            "--postgres" => o.postgres = Some(v()?),
            "--reuse" => o.reuse = Some(v()?),
            other => bail!("unknown argument `{other}`\n\n{USAGE}"),
        }
    }
    Ok(o)
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[self.below(v.len() as u64) as usize]
    }
}

const CATEGORIES: &[&str] = &[
    "malware",
    "ransomware",
    "phishing",
    "unauthorised_access",
    "data_breach",
    "denial_of_service",
    "insider_misuse",
    "misconfiguration",
    "vulnerability_exploitation",
    "third_party",
    "physical",
    "availability",
    "other",
];
const SEVERITIES: &[&str] = &["critical", "high", "medium", "low"];
const SERVICES: &[&str] = &[
    "VPN",
    "Mail",
    "ERP",
    "Payroll",
    "File servers",
    "CRM",
    "Web shop",
    "Active Directory",
    "Backup platform",
    "Data warehouse",
    "Payments API",
    "Customer portal",
    "HR system",
    "Wiki",
    "CI pipeline",
    "Kubernetes",
    "DNS",
    "Load balancers",
    "Badge system",
    "Print",
];
const NOUNS: &[&str] = &[
    "server",
    "account",
    "credential",
    "token",
    "firewall",
    "backup",
    "laptop",
    "certificate",
    "database",
    "endpoint",
    "mailbox",
    "router",
    "container",
    "cluster",
    "bucket",
    "password",
    "session",
    "domain",
    "vendor",
    "invoice",
    "ticket",
    "alert",
    "rule",
    "policy",
    "script",
    "macro",
    "attachment",
    "link",
    "payload",
    "binary",
    "share",
    "drive",
    "key",
    "secret",
];
const VERBS: &[&str] = &[
    "reset",
    "blocked",
    "isolated",
    "restored",
    "rotated",
    "flagged",
    "encrypted",
    "deleted",
    "patched",
    "reported",
    "escalated",
    "scanned",
    "disabled",
    "exported",
    "uploaded",
    "phished",
    "compromised",
    "expired",
    "misrouted",
    "throttled",
    "reimaged",
    "revoked",
];
const ADJECTIVES: &[&str] = &[
    "suspicious",
    "stale",
    "privileged",
    "external",
    "unpatched",
    "shared",
    "legacy",
    "public",
    "internal",
    "expired",
    "unknown",
    "critical",
    "temporary",
    "orphaned",
    "weak",
];

fn sentence(r: &mut Rng, words: usize) -> String {
    let mut s = Vec::with_capacity(words);
    for k in 0..words {
        s.push(match k % 3 {
            0 => r.pick(ADJECTIVES),
            1 => r.pick(NOUNS),
            _ => r.pick(VERBS),
        });
    }
    let mut out = s.join(" ");
    if let Some(f) = out.get_mut(0..1) {
        f.make_ascii_uppercase();
    }
    out
}

async fn exec(conn: &mut sqlx::AnyConnection, sql: &str, values: Vec<Value>) -> Result<()> {
    let mut q = sqlx::query(sql);
    for v in values {
        q = match v {
            Value::I(i) => q.bind(i),
            Value::T(t) => q.bind(t),
            Value::N => q.bind(None::<String>),
            Value::NI => q.bind(None::<i64>),
        };
    }
    q.execute(&mut *conn).await?;
    Ok(())
}

/// Runs statements without binds, one at a time.
async fn run_sql(conn: &mut sqlx::AnyConnection, statements: &[String]) -> Result<()> {
    for st in statements {
        sqlx::query(st)
            .execute(&mut *conn)
            .await
            .with_context(|| format!("running {}", st.lines().next().unwrap_or("")))?;
    }
    Ok(())
}

/// The statements of a migration's "index what existed" block, which fill
/// the search index from the tables in one pass per source.
fn index_statements(dialect: Dialect) -> Vec<String> {
    let file = match dialect {
        Dialect::Sqlite => {
            include_str!(
                "../../../crates/debrief-store/migrations/sqlite/20261127000007_search.sql"
            )
        }
        Dialect::Postgres => include_str!(
            "../../../crates/debrief-store/migrations/postgres/20261127000007_search.sql"
        ),
    };
    let block = file
        .split_once("-- Index what existed before this migration.")
        .map(|(_, b)| b)
        .unwrap_or("");
    let block = block.split("\n-- ").next().unwrap_or("");
    block
        .split(";\n")
        .map(str::trim)
        .filter(|st| st.starts_with("INSERT"))
        .map(str::to_owned)
        .collect()
}

/// Fast-load switches, for the load only: the search-index and
/// data-version triggers are dropped (SQLite; saved and re-created
/// afterwards) or skipped for the session (PostgreSQL's replica role), the
/// GIN index is built once at the end, and the index is filled by the
/// migration's own bulk statements — the same rows the triggers would
/// have written. Everything runs in one transaction.
async fn begin_load(conn: &mut sqlx::AnyConnection, dialect: Dialect) -> Result<Vec<String>> {
    let mut restore = Vec::new();
    match dialect {
        Dialect::Sqlite => {
            run_sql(
                conn,
                &[
                    "PRAGMA synchronous = OFF".into(),
                    "PRAGMA cache_size = -262144".into(),
                ],
            )
            .await?;
            let rows = sqlx::query(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' \
                 AND tbl_name IN ('incidents', 'timeline_events', 'actions', 'reviews') \
                 AND name LIKE '%_insert'",
            )
            .fetch_all(&mut *conn)
            .await?;
            let mut drops = Vec::new();
            for r in rows {
                let name: String = r.try_get("name")?;
                restore.push(r.try_get::<String, _>("sql")?);
                drops.push(format!("DROP TRIGGER {name}"));
            }
            run_sql(conn, &["BEGIN".into()]).await?;
            run_sql(conn, &drops).await?;
        }
        Dialect::Postgres => {
            run_sql(
                conn,
                &[
                    "BEGIN".into(),
                    "SET LOCAL session_replication_role = replica".into(),
                    "SET LOCAL maintenance_work_mem = '512MB'".into(),
                    "DROP INDEX search_docs_tsv".into(),
                ],
            )
            .await?;
            restore.push("CREATE INDEX search_docs_tsv ON search_docs USING GIN (tsv)".into());
        }
    }
    Ok(restore)
}

async fn end_load(
    conn: &mut sqlx::AnyConnection,
    dialect: Dialect,
    restore: Vec<String>,
) -> Result<()> {
    let started = Instant::now();
    run_sql(conn, &index_statements(dialect)).await?;
    run_sql(conn, &restore).await?;
    run_sql(
        conn,
        &[
            "UPDATE learning_version SET version = version + 1 WHERE id = 1".into(),
            "COMMIT".into(),
        ],
    )
    .await?;
    match dialect {
        Dialect::Sqlite => run_sql(conn, &["PRAGMA synchronous = NORMAL".into()]).await?,
        // What autovacuum does soon after a load this size: without the
        // statistics the planner guesses a common word matches 4 % of the
        // documents, not 12 %, and sorts them all (440 ms instead of 6 ms).
        Dialect::Postgres => run_sql(conn, &["ANALYZE".into()]).await?,
    }
    eprintln!(
        "  search index built in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

enum Value {
    I(i64),
    T(String),
    N,
    NI,
}

/// A multi-row INSERT. SQLite gets anonymous `?` placeholders: with `$N`
/// every bind looks its parameter name up in a list, which is quadratic in
/// the parameters of a statement and was nearly all of the load's time.
fn rows_sql(dialect: Dialect, table: &str, columns: &[&str], rows: usize) -> String {
    let n = columns.len();
    let mut s = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    for r in 0..rows {
        if r > 0 {
            s.push_str(", ");
        }
        s.push('(');
        for c in 0..n {
            if c > 0 {
                s.push_str(", ");
            }
            match dialect {
                Dialect::Sqlite => s.push('?'),
                Dialect::Postgres => s.push_str(&format!("${}", r * n + c + 1)),
            }
        }
        s.push(')');
    }
    s
}

/// Inserts `rows` (each `columns.len()` values) in batches of one
/// statement (the same SQL text for every full batch, so the driver
/// prepares it once).
async fn insert(
    conn: &mut sqlx::AnyConnection,
    dialect: Dialect,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
) -> Result<()> {
    let per = (30_000 / columns.len()).min(1000);
    let mut it = rows.into_iter().peekable();
    while it.peek().is_some() {
        let chunk: Vec<Vec<Value>> = it.by_ref().take(per).collect();
        let sql = rows_sql(dialect, table, columns, chunk.len());
        exec(conn, &sql, chunk.into_iter().flatten().collect())
            .await
            .with_context(|| format!("inserting into {table}"))?;
    }
    Ok(())
}

const INCIDENT_COLUMNS: &[&str] = &[
    "id",
    "key",
    "key_prefix",
    "key_year",
    "key_number",
    "title",
    "summary",
    "category",
    "severity",
    "severity_rank",
    "status",
    "services",
    "business_units",
    "tags",
    "responders",
    "started_us",
    "started_off",
    "started_prec",
    "detected_us",
    "detected_off",
    "detected_prec",
    "acknowledged_us",
    "acknowledged_off",
    "acknowledged_prec",
    "contained_us",
    "contained_off",
    "contained_prec",
    "recovered_us",
    "recovered_off",
    "recovered_prec",
    "closed_us",
    "closed_off",
    "closed_prec",
    "version",
    "created_us",
    "updated_us",
    "action_counter",
];
const EVENT_COLUMNS: &[&str] = &[
    "id",
    "incident_id",
    "at_us",
    "at_off",
    "at_prec",
    "kind",
    "source",
    "actor",
    "text",
    "evidence_url",
    "tags",
    "is_key",
    "hash",
    "created_us",
];
const ACTION_COLUMNS: &[&str] = &[
    "id",
    "incident_id",
    "number",
    "title",
    "description",
    "action_type",
    "answers",
    "owner_id",
    "due_on",
    "risk",
    "impact",
    "effort",
    "score_milli",
    "priority_override",
    "override_justification",
    "ticket",
    "status",
    "cancel_reason",
    "verification",
    "done_on",
    "version",
    "created_us",
    "updated_us",
];

const HOUR: i64 = 3_600_000_000;

/// Generates the data set; returns a key in the middle and the newest key.
/// The id of the `k`th generated incident.
fn generated_id(k: usize) -> String {
    Uuid::from_u128(0x1000_0000_0000_4000_8000_0000_0000_0000 + k as u128).to_string()
}

/// The middle and the last incident's keys when `store` already holds the
/// `n` generated incidents (a `--reuse` run), else `None`.
async fn generated_before(store: &SqlStore, n: usize) -> Result<Option<(String, String)>> {
    let count: i64 = sqlx::query("SELECT COUNT(*) AS n FROM incidents")
        .fetch_one(store.pool())
        .await?
        .try_get("n")?;
    if count != n as i64 {
        if count > 0 {
            bail!(
                "the reused database holds {count} incidents, not {n}: remove it or pass --incidents {count}"
            );
        }
        return Ok(None);
    }
    let key = |k: usize| async move {
        let row = sqlx::query("SELECT key FROM incidents WHERE id = $1")
            .bind(generated_id(k))
            .fetch_optional(store.pool())
            .await?;
        match row {
            Some(r) => Ok::<String, anyhow::Error>(r.try_get("key")?),
            None => bail!("the reused database was not made by this benchmark"),
        }
    };
    Ok(Some((key(n / 2).await?, key(n - 1).await?)))
}

async fn generate(store: &SqlStore, n: usize) -> Result<(String, String)> {
    let dialect = store.dialect();
    let mut conn = store.pool().acquire().await?.detach();
    let restore = begin_load(&mut conn, dialect).await?;
    let keys = generate_rows(&mut conn, dialect, n).await?;
    end_load(&mut conn, dialect, restore).await?;
    Ok(keys)
}

async fn generate_rows(
    conn: &mut sqlx::AnyConnection,
    dialect: Dialect,
    n: usize,
) -> Result<(String, String)> {
    let store = conn;
    let mut r = Rng(0x5EED_2026);
    let now = jiff::Timestamp::now().as_microsecond();
    let span = 730 * 24 * HOUR;
    let people: Vec<String> = (0..50)
        .map(|k| format!("00000000-0000-4000-8000-{k:012}"))
        .collect();
    insert(
        store,
        dialect,
        "people",
        &[
            "id",
            "name",
            "email",
            "team",
            "phone",
            "version",
            "created_us",
            "updated_us",
        ],
        people
            .iter()
            .enumerate()
            .map(|(k, id)| {
                vec![
                    Value::T(id.clone()),
                    Value::T(format!("Person {k}")),
                    Value::T(format!("p{k}@example.org")),
                    Value::T("Ops".into()),
                    Value::T(String::new()),
                    Value::I(1),
                    Value::I(now),
                    Value::I(now),
                ]
            })
            .collect(),
    )
    .await?;
    let batch = 2000;
    let mut numbers: std::collections::BTreeMap<i16, i64> = Default::default();
    let mut mid_key = String::new();
    let mut last_key = String::new();
    let started = Instant::now();
    for b in (0..n).step_by(batch) {
        let mut incidents = Vec::new();
        let mut events = Vec::new();
        let mut actions = Vec::new();
        let mut reviews = Vec::new();
        for k in b..(b + batch).min(n) {
            let id = generated_id(k);
            // Spread over two years, in order.
            let detected = now - span + (span / n as i64) * k as i64;
            let year = jiff::Timestamp::from_microsecond(detected)?
                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .year();
            let number = numbers.entry(year).or_default();
            *number += 1;
            let key = format!("INC-{year}-{:04}", *number);
            if k == n / 2 {
                mid_key = key.clone();
            }
            last_key = key.clone();
            let sev = r.below(4) as usize;
            let category = r.pick(CATEGORIES);
            let services = format!("[\"{}\",\"{}\"]", r.pick(SERVICES), r.pick(SERVICES));
            let started_us = detected - (1 + r.below(72) as i64) * HOUR;
            let ack = detected + (r.below(60) as i64 + 1) * 60_000_000;
            let contained = detected + (1 + r.below(48) as i64) * HOUR;
            let recovered = contained + (1 + r.below(96) as i64) * HOUR;
            let closed = recovered + (1 + r.below(14) as i64) * 24 * HOUR;
            let is_closed = closed < now;
            let title = format!("{} {} {}", r.pick(ADJECTIVES), r.pick(NOUNS), r.pick(VERBS));
            let mut title = title;
            if let Some(f) = title.get_mut(0..1) {
                f.make_ascii_uppercase();
            }
            incidents.push(vec![
                Value::T(id.clone()),
                Value::T(key.clone()),
                Value::T("INC".into()),
                Value::I(i64::from(year)),
                Value::I(*number),
                Value::T(title),
                Value::T(sentence(&mut r, 18)),
                Value::T(category.into()),
                Value::T(SEVERITIES[sev].into()),
                Value::I(sev as i64),
                Value::T(if is_closed { "closed" } else { "recovered" }.into()),
                Value::T(services),
                Value::T("[\"Finance\"]".into()),
                Value::T("[\"generated\"]".into()),
                Value::T("[]".into()),
                Value::I(started_us),
                Value::I(0),
                Value::T("minute".into()),
                Value::I(detected),
                Value::I(0),
                Value::T("minute".into()),
                Value::I(ack),
                Value::I(0),
                Value::T("minute".into()),
                Value::I(contained),
                Value::I(0),
                Value::T("minute".into()),
                Value::I(recovered),
                Value::I(0),
                Value::T("minute".into()),
                if is_closed {
                    Value::I(closed)
                } else {
                    Value::NI
                },
                if is_closed { Value::I(0) } else { Value::NI },
                if is_closed {
                    Value::T("minute".into())
                } else {
                    Value::N
                },
                Value::I(1),
                Value::I(detected),
                Value::I(detected),
                Value::I(3),
            ]);
            for e in 0..20 {
                events.push(vec![
                    Value::T(
                        Uuid::from_u128(((k as u128) << 32) | e as u128 | (7 << 124)).to_string(),
                    ),
                    Value::T(id.clone()),
                    Value::I(detected + e * 600_000_000),
                    Value::I(0),
                    Value::T("minute".into()),
                    Value::T("other".into()),
                    Value::T("bench".into()),
                    Value::N,
                    Value::T(sentence(&mut r, 12)),
                    Value::N,
                    Value::T("[]".into()),
                    Value::I(i64::from(e == 0)),
                    Value::T(format!("h{k}-{e}")),
                    Value::I(detected),
                ]);
            }
            for a in 1..=3i64 {
                let status_pick = r.below(10);
                let created_day = jiff::Timestamp::from_microsecond(detected + 2 * 24 * HOUR)?
                    .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                    .date();
                let due = created_day.checked_add(jiff::Span::new().days(30))?;
                let done = created_day.checked_add(jiff::Span::new().days(r.below(60) as i64))?;
                let (status, done_on, verification) = match status_pick {
                    0..=3 => (
                        "verified",
                        Some(done),
                        Some(format!(
                            "{{\"verified_on\":\"{}\",\"verified_by\":\"p1@example.org\",\"evidence\":\"drill\"}}",
                            done.checked_add(jiff::Span::new().days(7))?
                        )),
                    ),
                    4..=6 => ("done", Some(done), None),
                    7 => ("in_progress", None, None),
                    8 => ("open", None, None),
                    _ => ("cancelled", None, None),
                };
                actions.push(vec![
                    Value::T(
                        Uuid::from_u128(((k as u128) << 8) | a as u128 | (9 << 124)).to_string(),
                    ),
                    Value::T(id.clone()),
                    Value::I(a),
                    Value::T(format!(
                        "Rotate the {} {}",
                        r.pick(ADJECTIVES),
                        r.pick(NOUNS)
                    )),
                    Value::T(sentence(&mut r, 10)),
                    Value::T("prevent".into()),
                    Value::T("[]".into()),
                    Value::T(people[r.below(50) as usize].clone()),
                    Value::T(due.to_string()),
                    Value::I(3),
                    Value::I(3),
                    Value::I(2),
                    Value::I(4500),
                    Value::NI,
                    Value::T(String::new()),
                    Value::T(String::new()),
                    Value::T(status.into()),
                    Value::T(String::new()),
                    verification.map(Value::T).unwrap_or(Value::N),
                    done_on.map(|d| Value::T(d.to_string())).unwrap_or(Value::N),
                    Value::I(1),
                    Value::I(detected + 2 * 24 * HOUR),
                    Value::I(detected + 2 * 24 * HOUR),
                ]);
            }
            if k % 3 == 0 {
                let at = jiff::Timestamp::from_microsecond(detected)?;
                let mut review = Review::open(
                    Uuid::parse_str(&id)?,
                    QuestionTemplate::nist_default(),
                    "bench",
                    at,
                );
                let cause = ItemDraft::Cause(CauseDraft {
                    kind: "root_cause".into(),
                    category: ["process", "technology", "people"][r.below(3) as usize].into(),
                    statement: sentence(&mut r, 9),
                    ..Default::default()
                });
                review
                    .apply(ReviewChange::AddItem { item: cause }, "bench", at)
                    .map_err(|e| anyhow!("{e}"))?;
                review
                    .apply(
                        ReviewChange::SetRecurrence {
                            answer: if r.below(5) == 0 {
                                RecurrenceAnswer::Yes
                            } else {
                                RecurrenceAnswer::No
                            },
                            of: vec![],
                            note: String::new(),
                            version: 0,
                        },
                        "bench",
                        at,
                    )
                    .map_err(|e| anyhow!("{e}"))?;
                if r.below(2) == 0 {
                    review.status = ReviewStatus::Approved;
                }
                reviews.push(vec![
                    Value::T(id.clone()),
                    Value::T(review.status.as_str().into()),
                    Value::I(review.version),
                    Value::T(serde_json::to_string(&review)?),
                    Value::I(detected),
                ]);
            }
        }
        insert(store, dialect, "incidents", INCIDENT_COLUMNS, incidents).await?;
        insert(store, dialect, "timeline_events", EVENT_COLUMNS, events).await?;
        insert(store, dialect, "actions", ACTION_COLUMNS, actions).await?;
        insert(
            store,
            dialect,
            "reviews",
            &["incident_id", "status", "version", "document", "updated_us"],
            reviews,
        )
        .await?;
        if b % 20_000 == 0 {
            eprintln!(
                "  generated {} incidents in {:.0} s",
                b + batch,
                started.elapsed().as_secs_f64()
            );
        }
    }
    for (year, last) in numbers {
        exec(
            store,
            "INSERT INTO key_counters (prefix, year, last) VALUES ('INC', $1, $2)",
            vec![Value::I(i64::from(year)), Value::I(last)],
        )
        .await?;
    }
    Ok((mid_key, last_key))
}

/// The seeded admin's token, or the viewer's for paths starting with `viewer:`
/// (a non-admin: the hidden-incidents filter runs).
fn token_for(path: &str) -> (&str, &'static str) {
    match path.strip_prefix("viewer:") {
        Some(p) => (p, debrief_testkit::SEEDED[3].2),
        None => (path, debrief_testkit::ADMIN_TOKEN),
    }
}

async fn get(app: &App, path: &str) -> Result<Duration> {
    let router = debrief_web::router(app.clone());
    let (path, token) = token_for(path);
    let started = Instant::now();
    let res = router
        .oneshot(
            axum::http::Request::builder()
                .uri(path)
                .header("authorization", format!("Bearer {token}"))
                .body(Body::empty())?,
        )
        .await?;
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), 64 << 20).await?;
    let took = started.elapsed();
    if !status.is_success() {
        bail!(
            "{path} answered {status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(300)])
        );
    }
    Ok(took)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn measure(app: &App, path: &str, runs: usize) -> Result<Duration> {
    let mut v = Vec::with_capacity(runs);
    for _ in 0..runs {
        v.push(get(app, path).await?);
    }
    Ok(median(v))
}

/// The median time of an App call.
async fn time_app<F, Fut>(runs: usize, call: F) -> Result<Duration>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<(), debrief_app::AppError>>,
{
    let mut v = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        call().await?;
        v.push(t.elapsed());
    }
    Ok(median(v))
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

pub fn run(args: &[String]) -> Result<()> {
    let o = parse(args)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let dir = tempfile::Builder::new()
            .prefix("debrief-bench-")
            .tempdir()?;
        // Before the first connection (the PostgreSQL admin one below).
        sqlx::any::install_default_drivers();
        // Where the data lives, and the database to drop afterwards (none
        // when it is kept for the next run).
        let (url, drop_name) = match (&o.postgres, &o.reuse) {
            (Some(admin), reuse) => {
                let name = match reuse {
                    Some(n) => n.clone(),
                    None => format!("debrief_bench_{}", Uuid::new_v4().simple()),
                };
                let mut c = <sqlx::AnyConnection as sqlx::Connection>::connect(admin).await?;
                let exists = sqlx::query("SELECT 1 FROM pg_database WHERE datname = $1")
                    .bind(&name)
                    .fetch_optional(&mut c)
                    .await?
                    .is_some();
                if !exists {
                    sqlx::Executor::execute(&mut c, format!("CREATE DATABASE {name}").as_str())
                        .await?;
                }
                (
                    debrief_testkit::replace_database(admin, &name),
                    reuse.is_none().then(|| (admin.clone(), name)),
                )
            }
            (None, Some(file)) => (file.clone(), None),
            (None, None) => (dir.path().join("bench.db").display().to_string(), None),
        };
        let result = async {
            let store = debrief_store::open(&url).await?;
            let engine = if o.postgres.is_some() {
                "PostgreSQL"
            } else {
                "SQLite"
            };
            let (mid, last) = match generated_before(&store, o.incidents).await? {
                Some(keys) => {
                    println!("{engine}: reusing {} generated incidents in {url}", o.incidents);
                    keys
                }
                None => {
                    debrief_testkit::seed_users(&url).await;
                    let started = Instant::now();
                    let keys = generate(&store, o.incidents).await?;
                    println!(
                        "{engine}: generated {} incidents, {} events, {} actions, {} reviews in {:.0} s",
                        o.incidents,
                        o.incidents * 20,
                        o.incidents * 3,
                        o.incidents.div_ceil(3),
                        started.elapsed().as_secs_f64()
                    );
                    keys
                }
            };
            let store = Arc::new(store);
            let new_app = || App::new(store.clone(), Arc::new(SystemClock), Settings::default());
            let app = new_app();
            // Baselines.
            let mut ones = Vec::new();
            for _ in 0..o.runs {
                let t = Instant::now();
                sqlx::query("SELECT 1")
                    .fetch_one(store.pool())
                    .await?
                    .try_get::<i32, _>(0)
                    .ok();
                ones.push(t.elapsed());
            }
            let select_one = median(ones);
            let health = measure(&app, "/health", o.runs).await?;
            // Cold: a fresh cache each time (3 runs).
            let mut cold = Vec::new();
            for _ in 0..3 {
                cold.push(get(&new_app(), "/?period=all").await?);
            }
            let cold = median(cold);
            let mut rows: Vec<(&str, String, Duration)> = vec![
                ("SELECT 1 round trip", "".into(), select_one),
                ("GET /health", "/health".into(), health),
                (
                    "dashboard, all time, cold cache",
                    "/?period=all".into(),
                    cold,
                ),
            ];
            let today = jiff::Timestamp::now()
                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .date();
            let q0 = ((today.month() - 1) / 3) * 3 + 1;
            let q_from = jiff::civil::Date::new(today.year(), q0, 1)?;
            let paths: Vec<(&str, String)> = vec![
                ("dashboard, all time, cached", "/?period=all".into()),
                ("dashboard, this quarter", "/?period=quarter".into()),
                (
                    "dashboard, all time, a viewer",
                    "viewer:/?period=all".into(),
                ),
                ("API KPIs, all time", "/api/v1/kpis".into()),
                (
                    "API KPIs, a quarter",
                    format!("/api/v1/kpis?from={q_from}&to={today}"),
                ),
                (
                    "search, 3 words",
                    "/api/v1/search?q=privileged+credential+rotated".into(),
                ),
                ("search, a common word", "/api/v1/search?q=server".into()),
                (
                    "search page, 3 words",
                    "/search?q=stale+token+revoked".into(),
                ),
                (
                    "related incidents (API)",
                    format!("/api/v1/incidents/{mid}/related"),
                ),
                ("incident page (with related)", format!("/incidents/{mid}")),
                ("incident page, newest", format!("/incidents/{last}")),
                ("incident list", "/incidents".into()),
            ];
            for (name, path) in paths {
                let d = measure(&app, &path, o.runs).await?;
                rows.push((name, path, d));
            }
            // After a write (any instance's): the cache reads the changed
            // incident again, not all of them.
            let mut after_write = Vec::new();
            for _ in 0..o.runs {
                sqlx::query("UPDATE incidents SET title = title WHERE key = $1")
                    .bind(&mid)
                    .execute(store.pool())
                    .await?;
                after_write.push(get(&app, "/?period=all").await?);
            }
            rows.push((
                "dashboard, all time, after a write",
                "/?period=all".into(),
                median(after_write),
            ));
            // Where the dashboard's time goes: its parts, called directly.
            let all = debrief_store::Visibility::All;
            let scope = debrief_core::kpi::IncidentScope::default();
            let mut parts: Vec<(&str, Duration)> = Vec::new();
            parts.push((
                "  part: KPIs, trend, reviews due",
                time_app(o.runs, || async { app.dashboard(&scope, &all).await.map(|_| ()) }).await?,
            ));
            parts.push((
                "  part: overdue actions (8)",
                time_app(o.runs, || async { app.overdue_actions(8, &all).await.map(|_| ()) })
                    .await?,
            ));
            parts.push((
                "  the action portfolio, overdue",
                time_app(o.runs, || async {
                    app.list_actions(&debrief_app::actions::ActionQuery {
                        overdue: true,
                        ..Default::default()
                    })
                    .await
                    .map(|_| ())
                })
                .await?,
            ));
            parts.push((
                "  part: unhomed lessons count",
                time_app(o.runs, || async { app.unhomed_count(&all).await.map(|_| ()) }).await?,
            ));
            for (name, d) in parts {
                rows.push((name, "(App call)".into(), d));
            }
            println!();
            println!(
                "{:<34} {:>10} {:>10}  path",
                "measure", "median ms", "× health"
            );
            for (name, path, d) in &rows {
                println!(
                    "{:<34} {:>10} {:>10.1}  {}",
                    name,
                    ms(*d),
                    d.as_secs_f64() / health.as_secs_f64(),
                    path
                );
            }
            // The targets (stated for SQLite), the slowest measure
            // of each kind against its bound.
            println!();
            for (what, prefix, bound) in [
                ("dashboard (cached, a quarter, a viewer, after a write)", "dashboard, ", 100.0),
                ("search", "search", 50.0),
                ("incident page", "incident page", 30.0),
            ] {
                let worst = rows
                    .iter()
                    .filter(|(n, _, _)| n.starts_with(prefix) && !n.contains("cold"))
                    .map(|(_, _, d)| d.as_secs_f64() * 1000.0)
                    .fold(0.0f64, f64::max);
                println!(
                    "target {what}: <= {bound:.0} ms, slowest {worst:.1} ms — {}",
                    if worst <= bound { "met" } else { "missed" }
                );
            }
            store.close().await;
            Ok::<(), anyhow::Error>(())
        }
        .await;
        if let Some((admin, name)) = drop_name {
            let mut c = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin).await?;
            sqlx::Executor::execute(
                &mut c,
                format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str(),
            )
            .await?;
        }
        result
    })
}
