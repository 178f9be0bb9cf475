//! Evidence attachments (PRODUCT.md §3, §11): metadata, the bytes (BLOB on
//! SQLite, BYTEA on PostgreSQL) and the append-only chain of custody. An
//! attachment, its first custody entry and its audit entry are written in
//! one transaction; nothing here updates or deletes evidence (and triggers
//! refuse it on both databases).

use async_trait::async_trait;
use debrief_core::attachment::{Attachment, CustodyAction, CustodyEntry};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use crate::StoreError;
use crate::accounts::{AuditRecord, append_audit_on};
use crate::codec::{corrupt, instant, micros};
use crate::sql::{SqlStore, SqlTx, duplicate_or};

const ATTACHMENT_COLUMNS: &str = "id, incident_id, event_id, file_name, declared_type, \
    detected_type, size_bytes, sha256, added_by, added_us, description";

/// The storage operations of attachments. A supertrait of [`crate::Store`].
#[async_trait]
pub trait AttachmentStore: Send + Sync {
    /// Stores the metadata, the bytes, the first custody entry and the audit
    /// entry, all or nothing.
    async fn add_attachment(
        &self,
        attachment: &Attachment,
        content: &[u8],
        custody: &CustodyEntry,
        audit: AuditRecord,
    ) -> Result<(), StoreError>;
    async fn attachment(&self, id: Uuid) -> Result<Attachment, StoreError>;
    /// The stored bytes, exactly as they are now (the caller re-hashes them).
    async fn attachment_content(&self, id: Uuid) -> Result<Vec<u8>, StoreError>;
    /// An incident's attachments by event, oldest first.
    async fn incident_attachments(&self, incident_id: Uuid) -> Result<Vec<Attachment>, StoreError>;
    /// Appends to an attachment's chain of custody.
    async fn record_custody(&self, id: Uuid, entry: &CustodyEntry) -> Result<(), StoreError>;
    /// The chain of custody, oldest first.
    async fn custody(&self, id: Uuid) -> Result<Vec<CustodyEntry>, StoreError>;
}

/// The attachment writes of a bundle import, inside its transaction.
#[async_trait]
pub trait AttachmentStoreTx: Send {
    /// Stores an attachment with its bytes and its whole chain of custody
    /// unless one with this id exists (then false, nothing written).
    async fn import_attachment_if_new(
        &mut self,
        attachment: &Attachment,
        content: &[u8],
        custody: &[CustodyEntry],
    ) -> Result<bool, StoreError>;
    /// The id of the event of this incident with this content hash (the
    /// bundle names events by content, not by id).
    async fn event_id_by_hash(
        &mut self,
        incident_id: Uuid,
        hash: &str,
    ) -> Result<Option<Uuid>, StoreError>;
}

fn attachment_from_row(row: &AnyRow) -> Result<Attachment, StoreError> {
    let uuid = |column: &str| -> Result<Uuid, StoreError> {
        let s: String = row.try_get(column)?;
        Uuid::parse_str(&s).map_err(|e| corrupt(format!("attachments.{column} `{s}`: {e}")))
    };
    let size: i64 = row.try_get("size_bytes")?;
    Ok(Attachment {
        id: uuid("id")?,
        incident_id: uuid("incident_id")?,
        event_id: uuid("event_id")?,
        file_name: row.try_get("file_name")?,
        declared_type: row.try_get("declared_type")?,
        detected_type: row.try_get("detected_type")?,
        size: u64::try_from(size).map_err(corrupt)?,
        sha256: row.try_get("sha256")?,
        added_by: row.try_get("added_by")?,
        added_at: instant(row.try_get("added_us")?)?,
        description: row.try_get("description")?,
    })
}

async fn insert_attachment_on(
    conn: &mut AnyConnection,
    a: &Attachment,
    content: &[u8],
) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO attachments ({ATTACHMENT_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    ))
    .bind(a.id.to_string())
    .bind(a.incident_id.to_string())
    .bind(a.event_id.to_string())
    .bind(a.file_name.clone())
    .bind(a.declared_type.clone())
    .bind(a.detected_type.clone())
    .bind(i64::try_from(a.size).map_err(corrupt)?)
    .bind(a.sha256.clone())
    .bind(a.added_by.clone())
    .bind(micros(a.added_at))
    .bind(a.description.clone())
    .execute(&mut *conn)
    .await
    .map_err(|e| duplicate_or(e, |_| format!("there is already an attachment {}", a.id)))?;
    sqlx::query("INSERT INTO attachment_contents (attachment_id, content) VALUES ($1, $2)")
        .bind(a.id.to_string())
        .bind(content.to_vec())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn record_custody_on(
    conn: &mut AnyConnection,
    id: Uuid,
    e: &CustodyEntry,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO attachment_custody (attachment_id, at_us, actor, action, sha256, note) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id.to_string())
    .bind(micros(e.at))
    .bind(e.actor.clone())
    .bind(e.action.as_str())
    .bind(e.sha256.clone())
    .bind(e.note.clone())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn attachment_on(
    conn: &mut AnyConnection,
    id: Uuid,
) -> Result<Option<Attachment>, StoreError> {
    sqlx::query(&format!(
        "SELECT {ATTACHMENT_COLUMNS} FROM attachments WHERE id = $1"
    ))
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await?
    .as_ref()
    .map(attachment_from_row)
    .transpose()
}

fn not_found(id: Uuid) -> StoreError {
    StoreError::NotFound {
        entity: "attachment",
        id: id.to_string(),
    }
}

#[async_trait]
impl AttachmentStore for SqlStore {
    async fn add_attachment(
        &self,
        attachment: &Attachment,
        content: &[u8],
        custody: &CustodyEntry,
        audit: AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        // The audit append first: on SQLite it takes the write lock before
        // anything is read, as every writer here does.
        append_audit_on(&mut tx, &audit).await?;
        insert_attachment_on(&mut tx, attachment, content).await?;
        record_custody_on(&mut tx, attachment.id, custody).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn attachment(&self, id: Uuid) -> Result<Attachment, StoreError> {
        let mut conn = self.pool().acquire().await?;
        attachment_on(&mut conn, id)
            .await?
            .ok_or_else(|| not_found(id))
    }

    async fn attachment_content(&self, id: Uuid) -> Result<Vec<u8>, StoreError> {
        let row = sqlx::query("SELECT content FROM attachment_contents WHERE attachment_id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *self.pool().acquire().await?)
            .await?
            .ok_or_else(|| not_found(id))?;
        Ok(row.try_get("content")?)
    }

    async fn incident_attachments(&self, incident_id: Uuid) -> Result<Vec<Attachment>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {ATTACHMENT_COLUMNS} FROM attachments WHERE incident_id = $1 \
             ORDER BY event_id, added_us, id"
        ))
        .bind(incident_id.to_string())
        .fetch_all(&mut *self.pool().acquire().await?)
        .await?;
        rows.iter().map(attachment_from_row).collect()
    }

    async fn record_custody(&self, id: Uuid, entry: &CustodyEntry) -> Result<(), StoreError> {
        let mut conn = self.pool().acquire().await?;
        record_custody_on(&mut conn, id, entry).await
    }

    async fn custody(&self, id: Uuid) -> Result<Vec<CustodyEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT at_us, actor, action, sha256, note FROM attachment_custody \
             WHERE attachment_id = $1 ORDER BY seq",
        )
        .bind(id.to_string())
        .fetch_all(&mut *self.pool().acquire().await?)
        .await?;
        rows.iter()
            .map(|r| {
                let action: String = r.try_get("action")?;
                Ok(CustodyEntry {
                    at: instant(r.try_get("at_us")?)?,
                    actor: r.try_get("actor")?,
                    action: action.parse::<CustodyAction>().map_err(corrupt)?,
                    sha256: r.try_get("sha256")?,
                    note: r.try_get("note")?,
                })
            })
            .collect()
    }
}

#[async_trait]
impl AttachmentStoreTx for SqlTx {
    async fn import_attachment_if_new(
        &mut self,
        attachment: &Attachment,
        content: &[u8],
        custody: &[CustodyEntry],
    ) -> Result<bool, StoreError> {
        if attachment_on(&mut self.tx, attachment.id).await?.is_some() {
            return Ok(false);
        }
        insert_attachment_on(&mut self.tx, attachment, content).await?;
        for entry in custody {
            record_custody_on(&mut self.tx, attachment.id, entry).await?;
        }
        Ok(true)
    }

    async fn event_id_by_hash(
        &mut self,
        incident_id: Uuid,
        hash: &str,
    ) -> Result<Option<Uuid>, StoreError> {
        let row =
            sqlx::query("SELECT id FROM timeline_events WHERE incident_id = $1 AND hash = $2")
                .bind(incident_id.to_string())
                .bind(hash.to_owned())
                .fetch_optional(&mut *self.tx)
                .await?;
        row.map(|r| {
            let id: String = r.try_get("id")?;
            Uuid::parse_str(&id).map_err(|e| corrupt(format!("timeline_events.id `{id}`: {e}")))
        })
        .transpose()
    }
}
