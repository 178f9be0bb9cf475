//! The store on SQLite and PostgreSQL, written once over sqlx's `Any` driver.
//!
//! Every operation is a function of a `&mut AnyConnection`, so the same code
//! runs on a pooled connection and inside an import's transaction.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use debrief_core::{
    Incident, IncidentFields, IncidentKey, LifecycleField, NewTimelineEvent, TimelineEvent,
};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyQueryResult};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Executor, Row, Transaction};
use uuid::Uuid;

use crate::StoredTemplate;
use crate::audit::{NULL, record, record_as, record_row, row_json};
use crate::codec::{
    EVENT_COLUMN_COUNT, EVENT_COLUMNS, INCIDENT_COLUMNS, event_from_row, incident_from_row,
    list_to_json, micros,
};
use debrief_core::review::Review;

use crate::{
    AddedEvents, Cursor, EventFilter, IncidentFilter, IncidentSort, KeyRequest, NewIncidentRecord,
    Page, Store, StoreError, StoreTx, StoredRate,
};

/// Which database is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// The store; cheap to clone (a pool handle).
#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: AnyPool,
    dialect: Dialect,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Events per multi-row INSERT: 14 columns × 500 rows stays well under both
/// databases' bind-parameter limits.
const EVENT_BATCH: usize = 500;

impl SqlStore {
    /// Connects without migrating. See [`crate::open`] for the URL forms.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let (dialect, url) = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Dialect::Postgres, url.to_owned())
        } else {
            let path = url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
                .unwrap_or(url);
            let path = path.split('?').next().unwrap_or(path);
            let parent = std::path::Path::new(path)
                .parent()
                .filter(|p| !p.as_os_str().is_empty());
            if let Some(parent) = parent.filter(|_| path != ":memory:") {
                std::fs::create_dir_all(parent).map_err(|e| {
                    StoreError::Database(sqlx::Error::Configuration(
                        format!("cannot create the folder for {path}: {e}").into(),
                    ))
                })?;
            }
            (Dialect::Sqlite, format!("sqlite://{path}?mode=rwc"))
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool_options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        let pool = match dialect {
            Dialect::Postgres => {
                pool_options
                    .max_connections(16)
                    .connect_with(options)
                    .await?
            }
            Dialect::Sqlite => {
                pool_options
                    .max_connections(8)
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            // WAL: readers never block the writer. NORMAL is
                            // durable across application crashes in WAL mode.
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute("PRAGMA synchronous = NORMAL").await?;
                            conn.execute("PRAGMA busy_timeout = 10000").await?;
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await?
            }
        };
        Ok(Self { pool, dialect })
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Runs the forward-only migrations for this database.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self.dialect {
            Dialect::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Dialect::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    /// The pool, for tools that measure the store against raw SQL (benchmarks).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A write transaction that holds the audit chain's head from its first
    /// statement (see [`crate::audit::lock_chain`]): how every audited
    /// write begins.
    pub(crate) async fn audited_tx(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        let mut tx = self.pool.begin().await?;
        crate::audit::lock_chain(&mut tx).await?;
        Ok(tx)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn conn(&self) -> Result<PoolConnection<Any>, StoreError> {
        Ok(self.pool.acquire().await?)
    }

    /// The one event matching `condition`, or NotFound naming `what`.
    async fn one_event(
        &self,
        condition: &str,
        binds: Vec<Value>,
        what: String,
    ) -> Result<TimelineEvent, StoreError> {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM timeline_events WHERE {condition}");
        let row = bind_all(sqlx::query(&sql), binds)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        match row {
            Some(r) => event_from_row(&r),
            None => Err(StoreError::NotFound {
                entity: "timeline event",
                id: what,
            }),
        }
    }
}

/// A bind value; the schema needs only integers and text.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Int(Option<i64>),
    Text(Option<String>),
}

pub(crate) fn int(v: i64) -> Value {
    Value::Int(Some(v))
}
pub(crate) fn text(v: impl Into<String>) -> Value {
    Value::Text(Some(v.into()))
}

pub(crate) type AnyQuery<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>;

pub(crate) fn bind_all<'q>(mut q: AnyQuery<'q>, values: Vec<Value>) -> AnyQuery<'q> {
    for v in values {
        q = match v {
            Value::Int(i) => q.bind(i),
            Value::Text(t) => q.bind(t),
        };
    }
    q
}

/// `$first, $first+1, …` for `n` values.
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn incident_values(
    id: Uuid,
    key: &IncidentKey,
    f: &IncidentFields,
    version: i64,
    created: i64,
    updated: i64,
) -> Vec<Value> {
    let mut v = vec![
        text(id.to_string()),
        text(key.to_string()),
        text(key.prefix()),
        int(i64::from(key.year())),
        int(i64::from(key.number())),
    ];
    v.extend(field_values(f));
    v.extend([int(version), int(created), int(updated)]);
    v
}

/// The editable columns, title … closed_prec, in [`INCIDENT_COLUMNS`] order.
fn field_values(f: &IncidentFields) -> Vec<Value> {
    let mut v = vec![
        text(f.title.clone()),
        text(f.summary.clone()),
        text(f.category.clone()),
        text(f.severity.as_str()),
        int(i64::from(f.severity.rank())),
        text(f.lifecycle.status().as_str()),
        text(list_to_json(&f.services)),
        text(list_to_json(&f.business_units)),
        text(list_to_json(&f.tags)),
        text(list_to_json(&f.responders)),
    ];
    for field in LifecycleField::ALL {
        let t = f.lifecycle.get(field);
        v.push(Value::Int(t.map(|t| t.micros_utc())));
        v.push(Value::Int(t.map(|t| i64::from(t.offset_seconds()))));
        v.push(Value::Text(t.map(|t| t.precision().as_str().to_owned())));
    }
    v
}

const EDITABLE_COLUMNS: &[&str] = &[
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
];

pub(crate) fn duplicate_or(e: sqlx::Error, message: impl FnOnce(&str) -> String) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        let unique = db.is_unique_violation()
            || db.message().contains("UNIQUE constraint failed")
            || db.code().as_deref() == Some("23505");
        if unique {
            let constraint = db.constraint().unwrap_or_else(|| db.message()).to_owned();
            return StoreError::Duplicate {
                message: message(&constraint),
                constraint,
            };
        }
    }
    StoreError::Database(e)
}

async fn create_incident_on(
    conn: &mut AnyConnection,
    new: NewIncidentRecord,
) -> Result<Incident, StoreError> {
    // The counter write comes first so that, on SQLite, the transaction takes
    // the write lock before it reads anything (no lock upgrade, no BUSY).
    let key = match new.key {
        KeyRequest::Next { prefix, year } => {
            let row = sqlx::query(
                "INSERT INTO key_counters (prefix, year, last) VALUES ($1, $2, 1) \
                 ON CONFLICT (prefix, year) DO UPDATE SET last = key_counters.last + 1 \
                 RETURNING last",
            )
            .bind(prefix.clone())
            .bind(i64::from(year))
            .fetch_one(&mut *conn)
            .await?;
            let last: i64 = row.try_get("last")?;
            IncidentKey::new(
                &prefix,
                year,
                u32::try_from(last).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            )
            .map_err(StoreError::Corrupt)?
        }
        KeyRequest::Given(key) => {
            sqlx::query(
                "INSERT INTO key_counters (prefix, year, last) VALUES ($1, $2, $3) \
                 ON CONFLICT (prefix, year) DO UPDATE SET last = \
                 CASE WHEN key_counters.last < $3 THEN $3 ELSE key_counters.last END",
            )
            .bind(key.prefix().to_owned())
            .bind(i64::from(key.year()))
            .bind(i64::from(key.number()))
            .execute(&mut *conn)
            .await?;
            key
        }
    };
    let values = incident_values(
        new.id,
        &key,
        &new.fields,
        1,
        micros(new.created_at),
        micros(new.updated_at),
    );
    let sql = format!(
        "INSERT INTO incidents ({INCIDENT_COLUMNS}) VALUES ({})",
        placeholders(1, values.len())
    );
    bind_all(sqlx::query(&sql), values)
        .execute(&mut *conn)
        .await
        .map_err(|e| {
            duplicate_or(e, |c| {
                if c.contains("key") {
                    format!("incident key {key} is already used by another incident")
                } else {
                    format!("incident {} already exists", new.id)
                }
            })
        })?;
    let id = new.id.to_string();
    record_row(
        conn,
        "incident",
        &key.to_string(),
        ("incidents", "id", &id),
        NULL,
    )
    .await?;
    incident_by_id_on(conn, new.id)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "incident",
            id: new.id.to_string(),
        })
}

async fn incident_by_id_on(
    conn: &mut AnyConnection,
    id: Uuid,
) -> Result<Option<Incident>, StoreError> {
    let sql = format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(incident_from_row).transpose()
}

async fn incident_by_key_on(
    conn: &mut AnyConnection,
    key: &IncidentKey,
) -> Result<Option<Incident>, StoreError> {
    let sql = format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE key = $1");
    let row = sqlx::query(&sql)
        .bind(key.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(incident_from_row).transpose()
}

/// Inserts events in multi-row statements; a content hash already present
/// for the incident is skipped, not an error.
async fn add_events_on(
    conn: &mut AnyConnection,
    incident_id: Uuid,
    events: &[NewTimelineEvent],
    now: jiff::Timestamp,
) -> Result<AddedEvents, StoreError> {
    let mut outcome = AddedEvents::default();
    let incident = incident_id.to_string();
    let mut ids = Vec::with_capacity(events.len());
    let created = micros(now);
    // SQLite resolves every `$N` by name (a linear walk per parameter, so a
    // 7,000-parameter statement costs ~n²/2 steps); plain `?` is positional.
    let positional = conn.backend_name() == "SQLite";
    for chunk in events.chunks(EVENT_BATCH) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| {
                if positional {
                    format!("({})", vec!["?"; EVENT_COLUMN_COUNT].join(", "))
                } else {
                    format!(
                        "({})",
                        placeholders(1 + i * EVENT_COLUMN_COUNT, EVENT_COLUMN_COUNT)
                    )
                }
            })
            .collect();
        let sql = format!(
            "INSERT INTO timeline_events ({EVENT_COLUMNS}) VALUES {} \
             ON CONFLICT (incident_id, hash) DO NOTHING",
            rows.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for e in chunk {
            let id = Uuid::now_v7().to_string();
            ids.push(id.clone());
            q = q
                .bind(id)
                .bind(incident.clone())
                .bind(e.at.micros_utc())
                .bind(i64::from(e.at.offset_seconds()))
                .bind(e.at.precision().as_str().to_owned())
                .bind(e.kind.as_str().to_owned())
                .bind(e.source.clone())
                .bind(e.actor.clone())
                .bind(e.text.clone())
                .bind(e.evidence_url.clone())
                .bind(list_to_json(&e.tags))
                .bind(i64::from(e.key))
                .bind(e.content_hash())
                .bind(created);
        }
        let result: AnyQueryResult = q.execute(&mut *conn).await?;
        let added = result.rows_affected();
        outcome.added += added;
        outcome.duplicates += chunk.len() as u64 - added;
    }
    audit_added_events(conn, &incident, events, &ids, outcome).await?;
    Ok(outcome)
}

/// One event added by hand: its entry with the event as it is stored. A
/// batch (an import): one entry for the batch with the counts and a SHA-256
/// over the events' content hashes in order, so the log stays proportionate
/// to what people did (a million imported events are one change) and still
/// pins down what was added.
async fn audit_added_events(
    conn: &mut AnyConnection,
    incident: &str,
    events: &[NewTimelineEvent],
    ids: &[String],
    outcome: AddedEvents,
) -> Result<(), StoreError> {
    use sha2::Digest;
    if outcome.added == 0 {
        return Ok(());
    }
    if let [id] = ids {
        return record_row(
            conn,
            "timeline_event",
            id,
            ("timeline_events", "id", id),
            NULL,
        )
        .await;
    }
    let key: Option<String> = sqlx::query("SELECT key FROM incidents WHERE id = $1")
        .bind(incident.to_owned())
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| r.try_get("key"))
        .transpose()?;
    let mut hasher = sha2::Sha256::new();
    for e in events {
        hasher.update(e.content_hash().as_bytes());
        hasher.update(b"\n");
    }
    let after = serde_json::json!({
        "incident_id": incident,
        "events": events.len(),
        "added": outcome.added,
        "duplicates": outcome.duplicates,
        "content_hashes_sha256": hex::encode(hasher.finalize()),
    });
    record_as(
        conn,
        "timeline",
        key.as_deref().unwrap_or(incident),
        "add_events",
        NULL,
        &after,
    )
    .await
}

#[async_trait]
impl Store for SqlStore {
    async fn create_incident(&self, new: NewIncidentRecord) -> Result<Incident, StoreError> {
        let mut tx = self.audited_tx().await?;
        let incident = create_incident_on(&mut tx, new).await?;
        tx.commit().await?;
        Ok(incident)
    }

    async fn incident_by_key(&self, key: &IncidentKey) -> Result<Incident, StoreError> {
        incident_by_key_on(&mut *self.conn().await?, key)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "incident",
                id: key.to_string(),
            })
    }

    async fn incident_by_id(&self, id: Uuid) -> Result<Incident, StoreError> {
        incident_by_id_on(&mut *self.conn().await?, id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "incident",
                id: id.to_string(),
            })
    }

    async fn update_incident(
        &self,
        id: Uuid,
        expected_version: i64,
        fields: &IncidentFields,
        now: jiff::Timestamp,
    ) -> Result<Incident, StoreError> {
        let mut conn = self.audited_tx().await?;
        let before = row_json(&mut conn, "incidents", "id", &id.to_string()).await?;
        let mut values = field_values(fields);
        let mut sets: Vec<String> = EDITABLE_COLUMNS
            .to_vec()
            .into_iter()
            .map(str::to_owned)
            .collect();
        for field in LifecycleField::ALL {
            for suffix in ["us", "off", "prec"] {
                sets.push(format!("{}_{suffix}", field.as_str()));
            }
        }
        let sets: Vec<String> = sets
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ${}", i + 1))
            .collect();
        let n = values.len();
        let sql = format!(
            "UPDATE incidents SET {}, version = version + 1, updated_us = ${} \
             WHERE id = ${} AND version = ${}",
            sets.join(", "),
            n + 1,
            n + 2,
            n + 3
        );
        values.extend([
            int(micros(now)),
            text(id.to_string()),
            int(expected_version),
        ]);
        let result = bind_all(sqlx::query(&sql), values)
            .execute(&mut *conn)
            .await?;
        if result.rows_affected() == 0 {
            let sql = "SELECT version FROM incidents WHERE id = $1";
            return Err(stale_write_error(
                &mut conn,
                sql,
                "incident",
                id.to_string(),
                expected_version,
            )
            .await);
        }
        let incident =
            incident_by_id_on(&mut conn, id)
                .await?
                .ok_or_else(|| StoreError::NotFound {
                    entity: "incident",
                    id: id.to_string(),
                })?;
        let after = row_json(&mut conn, "incidents", "id", &id.to_string()).await?;
        record(
            &mut conn,
            "incident",
            &incident.key.to_string(),
            &before,
            &after,
        )
        .await?;
        conn.commit().await?;
        Ok(incident)
    }

    async fn list_incidents(
        &self,
        filter: &IncidentFilter,
        sort: IncidentSort,
        after: Option<&Cursor>,
        limit: u32,
    ) -> Result<Page<Incident>, StoreError> {
        // Every sort is a tuple (a, b, id) in ascending order; descending
        // orders negate their numbers. This keeps keyset pagination to one
        // row-value comparison on both databases.
        let (a, b) = match sort {
            IncidentSort::Newest => ("-key_year", "-key_number"),
            IncidentSort::Oldest => ("key_year", "key_number"),
            IncidentSort::StartedDesc => (
                "CASE WHEN started_us IS NULL THEN 1 ELSE 0 END",
                "-COALESCE(started_us, 0)",
            ),
            IncidentSort::StartedAsc => (
                "CASE WHEN started_us IS NULL THEN 1 ELSE 0 END",
                "COALESCE(started_us, 0)",
            ),
            IncidentSort::Severity => ("severity_rank", "-(key_year * 10000000 + key_number)"),
        };
        let mut wheres: Vec<String> = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        let next = |v: Value, values: &mut Vec<Value>| {
            values.push(v);
            format!("${}", values.len())
        };
        let mut push_in = |column: &str, items: Vec<String>, values: &mut Vec<Value>| {
            if !items.is_empty() {
                let p: Vec<String> = items.into_iter().map(|v| next(text(v), values)).collect();
                wheres.push(format!("{column} IN ({})", p.join(", ")));
            }
        };
        push_in(
            "status",
            filter
                .statuses
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
            &mut values,
        );
        push_in(
            "severity",
            filter
                .severities
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
            &mut values,
        );
        push_in("category", filter.categories.clone(), &mut values);
        if let Some(t) = filter
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let escaped = t
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            let p = next(text(format!("%{escaped}%")), &mut values);
            wheres.push(format!(
                "(LOWER(title) LIKE {p} ESCAPE '\\' OR LOWER(key) LIKE {p} ESCAPE '\\')"
            ));
        }
        if filter.visibility != crate::Visibility::All {
            let clause = filter.visibility.clause("incidents", &mut values);
            wheres.push(clause);
        }
        if let Some(c) = after {
            let pa = next(int(c.sort_a), &mut values);
            let pb = next(int(c.sort_b), &mut values);
            let pi = next(text(c.id.clone()), &mut values);
            wheres.push(format!("(({a}), ({b}), id) > ({pa}, {pb}, {pi})"));
        }
        let where_sql = if wheres.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", wheres.join(" AND "))
        };
        let limit = limit.clamp(1, 500);
        let sql = format!(
            "SELECT {INCIDENT_COLUMNS}, CAST(({a}) AS BIGINT) AS sort_a, CAST(({b}) AS BIGINT) AS sort_b \
             FROM incidents {where_sql} ORDER BY ({a}), ({b}), id LIMIT {}",
            limit + 1
        );
        let rows = bind_all(sqlx::query(&sql), values)
            .fetch_all(&mut *self.conn().await?)
            .await?;
        let mut items = Vec::with_capacity(rows.len().min(limit as usize));
        let mut next_cursor = None;
        for (i, row) in rows.iter().enumerate() {
            if i == limit as usize {
                let last = &rows[i - 1];
                next_cursor = Some(Cursor {
                    sort_a: last.try_get("sort_a")?,
                    sort_b: last.try_get("sort_b")?,
                    id: last.try_get("id")?,
                });
                break;
            }
            items.push(incident_from_row(row)?);
        }
        Ok(Page {
            items,
            next: next_cursor,
        })
    }

    async fn count_incidents(&self) -> Result<u64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM incidents")
            .fetch_one(&mut *self.conn().await?)
            .await?;
        Ok(row.try_get::<i64, _>("n")? as u64)
    }

    async fn all_incident_ids(&self) -> Result<Vec<Uuid>, StoreError> {
        let rows =
            sqlx::query("SELECT id FROM incidents ORDER BY key_prefix, key_year, key_number")
                .fetch_all(&mut *self.conn().await?)
                .await?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get("id")?;
                Uuid::parse_str(&id).map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .collect()
    }

    async fn add_events(
        &self,
        incident_id: Uuid,
        events: &[NewTimelineEvent],
        now: jiff::Timestamp,
    ) -> Result<AddedEvents, StoreError> {
        let mut tx = self.audited_tx().await?;
        if incident_by_id_on(&mut tx, incident_id).await?.is_none() {
            return Err(StoreError::NotFound {
                entity: "incident",
                id: incident_id.to_string(),
            });
        }
        let outcome = add_events_on(&mut tx, incident_id, events, now).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    async fn event_by_id(&self, id: Uuid) -> Result<TimelineEvent, StoreError> {
        self.one_event("id = $1", vec![text(id.to_string())], id.to_string())
            .await
    }

    async fn event_by_hash(
        &self,
        incident_id: Uuid,
        hash: &str,
    ) -> Result<TimelineEvent, StoreError> {
        let binds = vec![text(incident_id.to_string()), text(hash)];
        self.one_event("incident_id = $1 AND hash = $2", binds, hash.to_owned())
            .await
    }

    async fn list_events(
        &self,
        incident_id: Uuid,
        filter: &EventFilter,
    ) -> Result<Vec<TimelineEvent>, StoreError> {
        let mut values = vec![text(incident_id.to_string())];
        let mut wheres = vec!["incident_id = $1".to_owned()];
        if !filter.kinds.is_empty() {
            let start = values.len() + 1;
            values.extend(filter.kinds.iter().map(|k| text(k.as_str())));
            wheres.push(format!(
                "kind IN ({})",
                placeholders(start, filter.kinds.len())
            ));
        }
        if filter.key_only {
            wheres.push("is_key = 1".into());
        }
        if let Some(actor) = &filter.actor {
            values.push(text(actor.clone()));
            wheres.push(format!("actor = ${}", values.len()));
        }
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM timeline_events WHERE {} ORDER BY at_us, id",
            wheres.join(" AND ")
        );
        let rows = bind_all(sqlx::query(&sql), values)
            .fetch_all(&mut *self.conn().await?)
            .await?;
        rows.iter().map(event_from_row).collect()
    }

    async fn count_events(&self, incident_id: Uuid) -> Result<u64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM timeline_events WHERE incident_id = $1")
            .bind(incident_id.to_string())
            .fetch_one(&mut *self.conn().await?)
            .await?;
        Ok(row.try_get::<i64, _>("n")? as u64)
    }

    async fn review(&self, incident_id: Uuid) -> Result<Option<Review>, StoreError> {
        review_on(&mut *self.conn().await?, incident_id).await
    }

    async fn save_review(
        &self,
        review: &Review,
        expected_version: Option<i64>,
        now: jiff::Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.audited_tx().await?;
        save_review_on(&mut tx, review, expected_version, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn add_rate(&self, rate: &StoredRate) -> Result<(), StoreError> {
        let mut tx = self.audited_tx().await?;
        add_rate_on(&mut tx, rate, false).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn rates(&self) -> Result<Vec<StoredRate>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, from_currency, to_currency, rate, valid_on, source, created_us FROM exchange_rates \
             ORDER BY from_currency, to_currency, valid_on",
        )
        .fetch_all(&mut *self.conn().await?)
        .await?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get("id")?;
                let created: i64 = r.try_get("created_us")?;
                Ok(StoredRate {
                    id: Uuid::parse_str(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    from: r.try_get("from_currency")?,
                    to: r.try_get("to_currency")?,
                    rate: r.try_get("rate")?,
                    valid_on: r.try_get("valid_on")?,
                    source: r.try_get("source")?,
                    created_at: jiff::Timestamp::from_microsecond(created)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                })
            })
            .collect()
    }

    async fn delete_rate(&self, id: Uuid) -> Result<(), StoreError> {
        let mut tx = self.audited_tx().await?;
        let key = id.to_string();
        let before = row_json(&mut tx, "exchange_rates", "id", &key).await?;
        let r = sqlx::query("DELETE FROM exchange_rates WHERE id = $1")
            .bind(key.clone())
            .execute(&mut *tx)
            .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                entity: "exchange rate",
                id: id.to_string(),
            });
        }
        record(&mut tx, "exchange_rate", &key, &before, NULL).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn templates(&self) -> Result<Vec<StoredTemplate>, StoreError> {
        let rows =
            sqlx::query("SELECT id, name, questions, version FROM question_templates ORDER BY id")
                .fetch_all(&mut *self.conn().await?)
                .await?;
        rows.iter()
            .map(|r| {
                let questions: String = r.try_get("questions")?;
                Ok(StoredTemplate {
                    template: debrief_core::review::QuestionTemplate {
                        id: r.try_get("id")?,
                        name: r.try_get("name")?,
                        questions: serde_json::from_str(&questions)
                            .map_err(|e| StoreError::Corrupt(format!("template questions: {e}")))?,
                    },
                    version: r.try_get("version")?,
                })
            })
            .collect()
    }

    async fn save_template(
        &self,
        t: &StoredTemplate,
        expected_version: Option<i64>,
        now: jiff::Timestamp,
    ) -> Result<(), StoreError> {
        let questions = serde_json::to_string(&t.template.questions)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let id = t.template.id.clone();
        let mut conn = self.audited_tx().await?;
        let before = row_json(&mut conn, "question_templates", "id", &id).await?;
        let result = match expected_version {
            None => sqlx::query(
                "INSERT INTO question_templates (id, name, questions, version, updated_us) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id.clone())
            .bind(t.template.name.clone())
            .bind(questions)
            .bind(t.version)
            .bind(micros(now))
            .execute(&mut *conn)
            .await
            .map_err(|e| duplicate_or(e, |_| format!("template `{id}` was just created by someone else")))?,
            Some(v) => {
                sqlx::query(
                    "UPDATE question_templates SET name = $1, questions = $2, version = $3, updated_us = $4 \
                     WHERE id = $5 AND version = $6",
                )
                .bind(t.template.name.clone())
                .bind(questions)
                .bind(t.version)
                .bind(micros(now))
                .bind(id.clone())
                .bind(v)
                .execute(&mut *conn)
                .await?
            }
        };
        if result.rows_affected() == 0 {
            let sql = "SELECT version FROM question_templates WHERE id = $1";
            let expected = expected_version.unwrap_or(0);
            return Err(stale_write_error(&mut conn, sql, "question template", id, expected).await);
        }
        record_row(
            &mut conn,
            "question_template",
            &id,
            ("question_templates", "id", &id),
            &before,
        )
        .await?;
        conn.commit().await?;
        Ok(())
    }

    async fn begin(&self) -> Result<Box<dyn StoreTx>, StoreError> {
        // Imports audit every entity they write; the chain head first, like
        // every audited write (see `audit::lock_chain`).
        let tx = self.audited_tx().await?;
        Ok(Box::new(SqlTx { tx }))
    }
}

async fn review_on(
    conn: &mut AnyConnection,
    incident_id: Uuid,
) -> Result<Option<Review>, StoreError> {
    let row = sqlx::query("SELECT document FROM reviews WHERE incident_id = $1")
        .bind(incident_id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        None => Ok(None),
        Some(r) => {
            let doc: String = r.try_get("document")?;
            serde_json::from_str(&doc)
                .map(Some)
                .map_err(|e| StoreError::Corrupt(format!("review of {incident_id}: {e}")))
        }
    }
}

async fn save_review_on(
    conn: &mut AnyConnection,
    review: &Review,
    expected_version: Option<i64>,
    now: jiff::Timestamp,
) -> Result<(), StoreError> {
    let doc = serde_json::to_string(review).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let id = review.incident_id.to_string();
    let before = row_json(conn, "reviews", "incident_id", &id).await?;
    let result = match expected_version {
        None => sqlx::query(
            "INSERT INTO reviews (incident_id, status, version, document, updated_us) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id.clone())
        .bind(review.status.as_str().to_owned())
        .bind(review.version)
        .bind(doc)
        .bind(micros(now))
        .execute(&mut *conn)
        .await
        .map_err(|e| duplicate_or(e, |_| format!("the incident {id} already has a review")))?,
        Some(v) => {
            sqlx::query(
                "UPDATE reviews SET status = $1, version = $2, document = $3, updated_us = $4 \
                 WHERE incident_id = $5 AND version = $6",
            )
            .bind(review.status.as_str().to_owned())
            .bind(review.version)
            .bind(doc)
            .bind(micros(now))
            .bind(id.clone())
            .bind(v)
            .execute(&mut *conn)
            .await?
        }
    };
    if result.rows_affected() == 0 {
        let sql = "SELECT version FROM reviews WHERE incident_id = $1";
        let expected = expected_version.unwrap_or(0);
        return Err(stale_write_error(conn, sql, "review", id, expected).await);
    }
    let key = crate::audit::incident_key(conn, &id).await?;
    record_row(
        conn,
        "review",
        &key,
        ("reviews", "incident_id", &id),
        &before,
    )
    .await
}

/// Inserts a rate; with `skip_existing` a rate already recorded for the pair
/// and date is left as it is (returns false) instead of being an error.
async fn add_rate_on(
    conn: &mut AnyConnection,
    rate: &StoredRate,
    skip_existing: bool,
) -> Result<bool, StoreError> {
    let sql = format!(
        "INSERT INTO exchange_rates (id, from_currency, to_currency, rate, valid_on, source, created_us) \
         VALUES ($1, $2, $3, $4, $5, $6, $7){}",
        if skip_existing {
            " ON CONFLICT (from_currency, to_currency, valid_on) DO NOTHING"
        } else {
            ""
        }
    );
    let result = sqlx::query(&sql)
        .bind(rate.id.to_string())
        .bind(rate.from.clone())
        .bind(rate.to.clone())
        .bind(rate.rate.clone())
        .bind(rate.valid_on.clone())
        .bind(rate.source.clone())
        .bind(micros(rate.created_at))
        .execute(&mut *conn)
        .await
        .map_err(|e| {
            duplicate_or(e, |_| {
                format!(
                    "a {}→{} rate for {} is already recorded",
                    rate.from, rate.to, rate.valid_on
                )
            })
        })?;
    let added = result.rows_affected() == 1;
    if added {
        let id = rate.id.to_string();
        record_row(
            conn,
            "exchange_rate",
            &id,
            ("exchange_rates", "id", &id),
            NULL,
        )
        .await?;
    }
    Ok(added)
}

/// Why a versioned write touched no row: the row is gone, or its version
/// moved on. `version_sql` selects `version` by id (`$1`).
pub(crate) async fn stale_write_error(
    conn: &mut AnyConnection,
    version_sql: &'static str,
    entity: &'static str,
    id: String,
    expected: i64,
) -> StoreError {
    let row = match sqlx::query(version_sql)
        .bind(id.clone())
        .fetch_optional(&mut *conn)
        .await
    {
        Ok(row) => row,
        Err(e) => return e.into(),
    };
    match row {
        None => StoreError::NotFound { entity, id },
        Some(r) => match r.try_get("version") {
            Ok(actual) => StoreError::Conflict {
                entity,
                id,
                expected,
                actual,
            },
            Err(e) => e.into(),
        },
    }
}

/// An import's transaction.
pub(crate) struct SqlTx {
    pub(crate) tx: Transaction<'static, Any>,
}

#[async_trait]
impl StoreTx for SqlTx {
    async fn create_incident(&mut self, new: NewIncidentRecord) -> Result<Incident, StoreError> {
        create_incident_on(&mut self.tx, new).await
    }
    async fn incident_by_key(&mut self, key: &IncidentKey) -> Result<Option<Incident>, StoreError> {
        incident_by_key_on(&mut self.tx, key).await
    }
    async fn incident_by_id(&mut self, id: Uuid) -> Result<Option<Incident>, StoreError> {
        incident_by_id_on(&mut self.tx, id).await
    }
    async fn add_events(
        &mut self,
        incident_id: Uuid,
        events: &[NewTimelineEvent],
        now: jiff::Timestamp,
    ) -> Result<AddedEvents, StoreError> {
        add_events_on(&mut self.tx, incident_id, events, now).await
    }
    async fn review(&mut self, incident_id: Uuid) -> Result<Option<Review>, StoreError> {
        review_on(&mut self.tx, incident_id).await
    }
    async fn save_review(
        &mut self,
        review: &Review,
        expected_version: Option<i64>,
        now: jiff::Timestamp,
    ) -> Result<(), StoreError> {
        save_review_on(&mut self.tx, review, expected_version, now).await
    }
    async fn add_rate_if_new(&mut self, rate: &StoredRate) -> Result<bool, StoreError> {
        add_rate_on(&mut self.tx, rate, true).await
    }
    async fn commit(self: Box<Self>) -> Result<(), StoreError> {
        self.tx.commit().await?;
        Ok(())
    }
}
