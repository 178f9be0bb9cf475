//! Who changes what, recorded by the store in the same transaction as the
//! change (PRODUCT.md §11). The edges (the web guard, the CLI, background
//! work) set an ambient [`AuditContext`] around the work they start; every
//! write method of the store then locks the chain head first, reads the
//! row(s) it changes before and after, and appends one audit entry per
//! changed entity, so a write that fails or rolls back leaves no entry and
//! no use case has to remember to log.

use std::future::Future;

use serde_json::{Map, Value as Json};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Column, Row};

use crate::StoreError;
use crate::accounts::{AuditRecord, append_audit_on};

/// Who is acting and through what, for the entries the store writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditContext {
    /// A user's email (`admin@x (for Jane Doe)` when an admin acts for
    /// someone), the CLI's `--as`, or `system`.
    pub actor: String,
    /// `PATCH /api/v1/incidents/{key}`, `cli: debrief incident edit`,
    /// `system: webhook dispatcher`, `system: demo` …
    pub via: String,
}

impl AuditContext {
    pub fn new(actor: impl Into<String>, via: impl Into<String>) -> Self {
        Self {
            actor: actor.into(),
            via: via.into(),
        }
    }
}

tokio::task_local! {
    static CONTEXT: AuditContext;
}

/// Runs `work` with `context` as the ambient audit context. Work spawned
/// onto other tasks does not inherit it (set it there again).
pub async fn with_audit_context<F: Future>(context: AuditContext, work: F) -> F::Output {
    CONTEXT.scope(context, work).await
}

/// The ambient context, or `system` / `system: unattributed` when no edge
/// set one (a change is never left out for want of a name).
pub fn current_context() -> AuditContext {
    CONTEXT
        .try_with(Clone::clone)
        .unwrap_or_else(|_| AuditContext::new("system", "system: unattributed"))
}

/// "Nothing": the before of a creation, the after of a deletion.
pub(crate) const NULL: &Json = &Json::Null;

/// Columns whose values never reach the log.
const SECRET_COLUMNS: &[&str] = &["password_hash", "token_hash", "id_hash", "secret"];

/// Columns that are bookkeeping of the row, not what anyone changed.
const SKIPPED_COLUMNS: &[&str] = &["overdue_notified_on", "action_counter"];

/// Takes the audit chain's head first thing in a write transaction: on
/// PostgreSQL every audited transaction then queues on the same row before
/// it locks anything else (no lock-order deadlocks with the append at the
/// end), and on SQLite the transaction takes the write lock before it reads.
pub(crate) async fn lock_chain(conn: &mut AnyConnection) -> Result<(), StoreError> {
    sqlx::query("UPDATE audit_chain_head SET seq = seq WHERE id = 1")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The row of `table` whose `key_column` is `key` as a JSON object (column
/// → value), or `null` when there is none. Microsecond instants (`*_us`)
/// read as RFC 3339 text, JSON documents and lists stored as text are
/// embedded as JSON, secrets are redacted.
pub(crate) async fn row_json(
    conn: &mut AnyConnection,
    table: &str,
    key_column: &str,
    key: &str,
) -> Result<Json, StoreError> {
    let sql = format!("SELECT * FROM {table} WHERE {key_column} = $1");
    let row = sqlx::query(&sql)
        .bind(key.to_owned())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.as_ref().map(json_of_row).unwrap_or(Json::Null))
}

fn json_of_row(row: &AnyRow) -> Json {
    let mut map = Map::new();
    for (i, column) in row.columns().iter().enumerate() {
        let name = column.name();
        if SKIPPED_COLUMNS.contains(&name) {
            continue;
        }
        let value = if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
            match v {
                Some(us) if name.ends_with("_us") => jiff::Timestamp::from_microsecond(us)
                    .map(|t| Json::String(t.to_string()))
                    .unwrap_or(Json::from(us)),
                Some(n) => Json::from(n),
                None => Json::Null,
            }
        } else if let Ok(v) = row.try_get::<Option<String>, _>(i) {
            match v {
                None => Json::Null,
                Some(s) if s.starts_with('{') || s.starts_with('[') => {
                    serde_json::from_str(&s).unwrap_or(Json::String(s))
                }
                Some(s) => Json::String(s),
            }
        } else if let Ok(v) = row.try_get::<Option<f64>, _>(i) {
            v.map(Json::from).unwrap_or(Json::Null)
        } else {
            Json::Null
        };
        let value = if SECRET_COLUMNS.contains(&name) && !value.is_null() {
            Json::String("[redacted]".into())
        } else {
            value
        };
        map.insert(name.to_owned(), value);
    }
    Json::Object(map)
}

/// Appends the entry for one entity's change under the ambient context:
/// `create` when there was nothing before, `delete` when nothing is left,
/// `update` otherwise; nothing when before and after are equal.
pub(crate) async fn record(
    conn: &mut AnyConnection,
    entity: &str,
    entity_id: &str,
    before: &Json,
    after: &Json,
) -> Result<(), StoreError> {
    if before == after {
        return Ok(());
    }
    let action = match (before.is_null(), after.is_null()) {
        (true, _) => "create",
        (_, true) => "delete",
        _ => "update",
    };
    record_as(conn, entity, entity_id, action, before, after).await
}

/// [`record`] with an explicit action (`import`, `add_events` …).
pub(crate) async fn record_as(
    conn: &mut AnyConnection,
    entity: &str,
    entity_id: &str,
    action: &str,
    before: &Json,
    after: &Json,
) -> Result<(), StoreError> {
    let context = current_context();
    append_audit_on(
        conn,
        &AuditRecord {
            at: jiff::Timestamp::now(),
            actor: context.actor,
            entity: entity.to_owned(),
            entity_id: entity_id.to_owned(),
            action: action.to_owned(),
            before: before.to_string(),
            after: after.to_string(),
        },
    )
    .await?;
    Ok(())
}

/// The key of an incident (`INC-2026-0001`), what people call it in the
/// log, or its id when it is gone.
pub(crate) async fn incident_key(
    conn: &mut AnyConnection,
    incident_id: &str,
) -> Result<String, StoreError> {
    let row = sqlx::query("SELECT key FROM incidents WHERE id = $1")
        .bind(incident_id.to_owned())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        Some(r) => r.try_get("key")?,
        None => incident_id.to_owned(),
    })
}

/// The row after a change and its entry: the usual tail of an audited write.
pub(crate) async fn record_row(
    conn: &mut AnyConnection,
    entity: &str,
    entity_id: &str,
    (table, key_column, key): (&str, &str, &str),
    before: &Json,
) -> Result<(), StoreError> {
    let after = row_json(conn, table, key_column, key).await?;
    record(conn, entity, entity_id, before, &after).await
}
