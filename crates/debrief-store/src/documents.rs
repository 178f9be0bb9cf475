//! Plans and training (PRODUCT.md §9) on both databases: the document
//! register, the links from lessons to the document changes they require,
//! and the reviews whose lessons the "lessons without a home" list reads
//! (narrowed by the caller's [`Visibility`]).

use async_trait::async_trait;
use debrief_core::Incident;
use debrief_core::document::{Document, LessonLink};
use debrief_core::review::Review;
use jiff::civil::Date;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use crate::StoreError;
use crate::accounts::Visibility;
use crate::audit::{NULL, incident_key, record_row, row_json};
use crate::codec::{INCIDENT_COLUMNS, corrupt, incident_from_row, micros};
use crate::sql::{SqlStore, Value, bind_all, stale_write_error, text};

/// An incident with its review (the source of lessons).
#[derive(Debug, Clone)]
pub struct IncidentReview {
    pub incident: Incident,
    pub review: Review,
}

#[async_trait]
pub trait DocumentStore: Send + Sync {
    async fn create_document(&self, doc: &Document, now: jiff::Timestamp)
    -> Result<(), StoreError>;
    /// Replaces the fields if `expected_version` is current; the document's
    /// `version` must be `expected_version + 1`.
    async fn update_document(
        &self,
        doc: &Document,
        expected_version: i64,
        now: jiff::Timestamp,
    ) -> Result<(), StoreError>;
    /// Every document: current ones first, then by title.
    async fn documents(&self) -> Result<Vec<Document>, StoreError>;
    async fn document_by_id(&self, id: Uuid) -> Result<Option<Document>, StoreError>;

    async fn create_lesson_link(
        &self,
        link: &LessonLink,
        now: jiff::Timestamp,
    ) -> Result<(), StoreError>;
    /// Replaces a link's fields over `expected_version`; the link's
    /// `version` must be `expected_version + 1`.
    async fn update_lesson_link(
        &self,
        link: &LessonLink,
        expected_version: i64,
        now: jiff::Timestamp,
    ) -> Result<(), StoreError>;
    async fn lesson_link_by_id(&self, id: Uuid) -> Result<Option<LessonLink>, StoreError>;
    /// The links of an incident's lessons, oldest first.
    async fn lesson_links_of(&self, incident_id: Uuid) -> Result<Vec<LessonLink>, StoreError>;
    /// Every link to a document change, oldest first (the unhomed list
    /// joins them with the reviews).
    async fn all_lesson_links(&self) -> Result<Vec<LessonLink>, StoreError>;
    /// The incidents the caller may see that have a review, with it, in key
    /// order.
    async fn incident_reviews(
        &self,
        visibility: &Visibility,
    ) -> Result<Vec<IncidentReview>, StoreError>;
    /// What [`DocumentStore::incident_reviews`] and the links give for these
    /// incidents only (any visibility; ids without a review left out): the
    /// unhomed-lessons cache's refresh after a write.
    async fn reviews_and_links_of(
        &self,
        ids: &[Uuid],
    ) -> Result<(Vec<IncidentReview>, Vec<LessonLink>), StoreError>;
}

/// The writes a bundle import makes, inside its transaction.
#[async_trait]
pub trait DocumentStoreTx: Send {
    /// Stores the document unless its id is here already (false).
    async fn insert_document_if_new(
        &mut self,
        doc: &Document,
        now: jiff::Timestamp,
    ) -> Result<bool, StoreError>;
    async fn document_by_id(&mut self, id: Uuid) -> Result<Option<Document>, StoreError>;
    /// Stores the link unless its id is here already (false).
    async fn insert_lesson_link_if_new(
        &mut self,
        link: &LessonLink,
        now: jiff::Timestamp,
    ) -> Result<bool, StoreError>;
}

#[async_trait]
impl DocumentStoreTx for crate::sql::SqlTx {
    async fn insert_document_if_new(
        &mut self,
        doc: &Document,
        now: jiff::Timestamp,
    ) -> Result<bool, StoreError> {
        if one_document(&mut self.tx, doc.id).await?.is_some() {
            return Ok(false);
        }
        create_document_on(&mut self.tx, doc, now).await?;
        Ok(true)
    }

    async fn document_by_id(&mut self, id: Uuid) -> Result<Option<Document>, StoreError> {
        one_document(&mut self.tx, id).await
    }

    async fn insert_lesson_link_if_new(
        &mut self,
        link: &LessonLink,
        now: jiff::Timestamp,
    ) -> Result<bool, StoreError> {
        if one_link(&mut self.tx, link.id).await?.is_some() {
            return Ok(false);
        }
        create_lesson_link_on(&mut self.tx, link, now).await?;
        Ok(true)
    }
}

const DOCUMENT_COLUMNS: &str =
    "id, kind, title, owner_id, document_version, link, status, review_on, version";
const LINK_COLUMNS: &str = "id, incident_id, lesson_id, document_id, change, state, done_version, \
    done_on, version";

fn uuid(s: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(s).map_err(|e| corrupt(format!("id `{s}`: {e}")))
}

fn date(s: Option<String>) -> Result<Option<Date>, StoreError> {
    s.map(|d| d.parse().map_err(|e| corrupt(format!("date `{d}`: {e}"))))
        .transpose()
}

fn document_from_row(r: &AnyRow) -> Result<Document, StoreError> {
    let id: String = r.try_get("id")?;
    let owner: String = r.try_get("owner_id")?;
    let kind: String = r.try_get("kind")?;
    let status: String = r.try_get("status")?;
    Ok(Document {
        id: uuid(&id)?,
        kind: kind.parse().map_err(corrupt)?,
        title: r.try_get("title")?,
        owner_id: uuid(&owner)?,
        document_version: r.try_get("document_version")?,
        link: r.try_get("link")?,
        status: status.parse().map_err(corrupt)?,
        review_on: date(r.try_get("review_on")?)?,
        version: r.try_get("version")?,
    })
}

fn link_from_row(r: &AnyRow) -> Result<LessonLink, StoreError> {
    let id: String = r.try_get("id")?;
    let incident: String = r.try_get("incident_id")?;
    let lesson: String = r.try_get("lesson_id")?;
    let document: Option<String> = r.try_get("document_id")?;
    let state: String = r.try_get("state")?;
    Ok(LessonLink {
        id: uuid(&id)?,
        incident_id: uuid(&incident)?,
        lesson_id: uuid(&lesson)?,
        document_id: document.as_deref().map(uuid).transpose()?,
        change: r.try_get("change")?,
        state: state.parse().map_err(corrupt)?,
        done_version: r.try_get("done_version")?,
        done_on: date(r.try_get("done_on")?)?,
        version: r.try_get("version")?,
    })
}

async fn create_document_on(
    conn: &mut AnyConnection,
    d: &Document,
    now: jiff::Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO documents (id, kind, title, owner_id, document_version, link, status, review_on, \
         version, created_us, updated_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(d.id.to_string())
    .bind(d.kind.as_str().to_owned())
    .bind(d.title.clone())
    .bind(d.owner_id.to_string())
    .bind(d.document_version.clone())
    .bind(d.link.clone())
    .bind(d.status.as_str().to_owned())
    .bind(d.review_on.map(|d| d.to_string()))
    .bind(d.version)
    .bind(micros(now))
    .execute(&mut *conn)
    .await
    .map_err(|e| crate::sql::duplicate_or(e, |_| format!("document {} already exists", d.id)))?;
    let id = d.id.to_string();
    record_row(conn, "document", &id, ("documents", "id", &id), NULL).await
}

async fn create_lesson_link_on(
    conn: &mut AnyConnection,
    l: &LessonLink,
    now: jiff::Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO lesson_links (id, incident_id, lesson_id, document_id, change, state, \
         done_version, done_on, version, created_us, updated_us) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(l.id.to_string())
    .bind(l.incident_id.to_string())
    .bind(l.lesson_id.to_string())
    .bind(l.document_id.map(|d| d.to_string()))
    .bind(l.change.clone())
    .bind(l.state.as_str().to_owned())
    .bind(l.done_version.clone())
    .bind(l.done_on.map(|d| d.to_string()))
    .bind(l.version)
    .bind(micros(now))
    .execute(&mut *conn)
    .await
    .map_err(|e| crate::sql::duplicate_or(e, |_| format!("lesson link {} already exists", l.id)))?;
    let id = l.id.to_string();
    let name = link_entity_id(conn, l).await?;
    record_row(
        conn,
        "lesson_link",
        &name,
        ("lesson_links", "id", &id),
        NULL,
    )
    .await
}

/// `INC-2026-0001/<link id>`: the incident people know, then the link.
async fn link_entity_id(conn: &mut AnyConnection, l: &LessonLink) -> Result<String, StoreError> {
    let key = incident_key(conn, &l.incident_id.to_string()).await?;
    Ok(format!("{key}/{}", l.id))
}

async fn one_document(conn: &mut AnyConnection, id: Uuid) -> Result<Option<Document>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE id = $1"
    ))
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| document_from_row(&r)).transpose()
}

async fn one_link(conn: &mut AnyConnection, id: Uuid) -> Result<Option<LessonLink>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {LINK_COLUMNS} FROM lesson_links WHERE id = $1"
    ))
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| link_from_row(&r)).transpose()
}

#[async_trait]
impl DocumentStore for SqlStore {
    async fn create_document(
        &self,
        doc: &Document,
        now: jiff::Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.audited_tx().await?;
        create_document_on(&mut tx, doc, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn update_document(
        &self,
        d: &Document,
        expected_version: i64,
        now: jiff::Timestamp,
    ) -> Result<(), StoreError> {
        let mut conn = self.audited_tx().await?;
        let id = d.id.to_string();
        let before = row_json(&mut conn, "documents", "id", &id).await?;
        let done = sqlx::query(
            "UPDATE documents SET kind = $1, title = $2, owner_id = $3, document_version = $4, \
             link = $5, status = $6, review_on = $7, version = $8, updated_us = $9 \
             WHERE id = $10 AND version = $11",
        )
        .bind(d.kind.as_str().to_owned())
        .bind(d.title.clone())
        .bind(d.owner_id.to_string())
        .bind(d.document_version.clone())
        .bind(d.link.clone())
        .bind(d.status.as_str().to_owned())
        .bind(d.review_on.map(|d| d.to_string()))
        .bind(expected_version + 1)
        .bind(micros(now))
        .bind(d.id.to_string())
        .bind(expected_version)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() == 1 {
            record_row(
                &mut conn,
                "document",
                &id,
                ("documents", "id", &id),
                &before,
            )
            .await?;
            conn.commit().await?;
            return Ok(());
        }
        let sql = "SELECT version FROM documents WHERE id = $1";
        Err(stale_write_error(
            &mut conn,
            sql,
            "document",
            d.id.to_string(),
            expected_version,
        )
        .await)
    }

    async fn documents(&self) -> Result<Vec<Document>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {DOCUMENT_COLUMNS} FROM documents \
             ORDER BY CASE status WHEN 'current' THEN 0 ELSE 1 END, LOWER(title), id"
        ))
        .fetch_all(&mut *self.pool().acquire().await?)
        .await?;
        rows.iter().map(document_from_row).collect()
    }

    async fn document_by_id(&self, id: Uuid) -> Result<Option<Document>, StoreError> {
        one_document(&mut *self.pool().acquire().await?, id).await
    }

    async fn create_lesson_link(
        &self,
        link: &LessonLink,
        now: jiff::Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.audited_tx().await?;
        create_lesson_link_on(&mut tx, link, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn update_lesson_link(
        &self,
        l: &LessonLink,
        expected_version: i64,
        now: jiff::Timestamp,
    ) -> Result<(), StoreError> {
        let mut conn = self.audited_tx().await?;
        let id = l.id.to_string();
        let before = row_json(&mut conn, "lesson_links", "id", &id).await?;
        let done = sqlx::query(
            "UPDATE lesson_links SET document_id = $1, change = $2, state = $3, done_version = $4, \
             done_on = $5, version = $6, updated_us = $7 WHERE id = $8 AND version = $9",
        )
        .bind(l.document_id.map(|d| d.to_string()))
        .bind(l.change.clone())
        .bind(l.state.as_str().to_owned())
        .bind(l.done_version.clone())
        .bind(l.done_on.map(|d| d.to_string()))
        .bind(expected_version + 1)
        .bind(micros(now))
        .bind(l.id.to_string())
        .bind(expected_version)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() == 1 {
            let name = link_entity_id(&mut conn, l).await?;
            record_row(
                &mut conn,
                "lesson_link",
                &name,
                ("lesson_links", "id", &id),
                &before,
            )
            .await?;
            conn.commit().await?;
            return Ok(());
        }
        let sql = "SELECT version FROM lesson_links WHERE id = $1";
        Err(stale_write_error(
            &mut conn,
            sql,
            "lesson link",
            l.id.to_string(),
            expected_version,
        )
        .await)
    }

    async fn lesson_link_by_id(&self, id: Uuid) -> Result<Option<LessonLink>, StoreError> {
        one_link(&mut *self.pool().acquire().await?, id).await
    }

    async fn lesson_links_of(&self, incident_id: Uuid) -> Result<Vec<LessonLink>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {LINK_COLUMNS} FROM lesson_links WHERE incident_id = $1 ORDER BY created_us, id"
        ))
        .bind(incident_id.to_string())
        .fetch_all(&mut *self.pool().acquire().await?)
        .await?;
        rows.iter().map(link_from_row).collect()
    }

    async fn all_lesson_links(&self) -> Result<Vec<LessonLink>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {LINK_COLUMNS} FROM lesson_links ORDER BY created_us, id"
        ))
        .fetch_all(&mut *self.pool().acquire().await?)
        .await?;
        rows.iter().map(link_from_row).collect()
    }

    async fn incident_reviews(
        &self,
        visibility: &Visibility,
    ) -> Result<Vec<IncidentReview>, StoreError> {
        let mut values: Vec<Value> = Vec::new();
        let clause = visibility.clause("incidents", &mut values);
        self.incident_reviews_where(&clause, values).await
    }

    async fn reviews_and_links_of(
        &self,
        ids: &[Uuid],
    ) -> Result<(Vec<IncidentReview>, Vec<LessonLink>), StoreError> {
        let (mut reviews, mut links) = (Vec::new(), Vec::new());
        // In chunks: far below any database's limit on placeholders.
        for chunk in ids.chunks(500) {
            let values: Vec<Value> = chunk.iter().map(|id| text(id.to_string())).collect();
            let list: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
            let list = list.join(", ");
            reviews.extend(
                self.incident_reviews_where(&format!("incidents.id IN ({list})"), values.clone())
                    .await?,
            );
            let sql = format!(
                "SELECT {LINK_COLUMNS} FROM lesson_links WHERE incident_id IN ({list}) \
                 ORDER BY created_us, id"
            );
            let rows = bind_all(sqlx::query(&sql), values)
                .fetch_all(&mut *self.pool().acquire().await?)
                .await?;
            for r in &rows {
                links.push(link_from_row(r)?);
            }
        }
        Ok((reviews, links))
    }
}

impl SqlStore {
    /// The incidents `clause` (over `incidents`) selects that have a review,
    /// with it, in key order.
    async fn incident_reviews_where(
        &self,
        clause: &str,
        values: Vec<Value>,
    ) -> Result<Vec<IncidentReview>, StoreError> {
        let sql = format!(
            "SELECT {INCIDENT_COLUMNS}, \
             (SELECT r.document FROM reviews r WHERE r.incident_id = incidents.id) AS review_document \
             FROM incidents WHERE EXISTS (SELECT 1 FROM reviews r WHERE r.incident_id = incidents.id) \
             AND {clause} ORDER BY key_prefix, key_year, key_number"
        );
        let rows = bind_all(sqlx::query(&sql), values)
            .fetch_all(&mut *self.pool().acquire().await?)
            .await?;
        rows.iter()
            .map(|r| {
                let incident = incident_from_row(r)?;
                let doc: String = r.try_get("review_document")?;
                let review = serde_json::from_str(&doc)
                    .map_err(|e| corrupt(format!("review of {}: {e}", incident.key)))?;
                Ok(IncidentReview { incident, review })
            })
            .collect()
    }
}
