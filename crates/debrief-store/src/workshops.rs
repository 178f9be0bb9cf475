//! Workshops (PRODUCT.md §8), the organisation's holidays and its workshop
//! policy on both databases. A workshop is a row whose scalar columns are
//! what lists and promptness need (incident, kind, status, start, the
//! facilitator) and a JSON document for the parts always read whole
//! (attendees, agenda, notes); updates compare and bump the version in one
//! statement, as incidents do.

use async_trait::async_trait;
use debrief_core::workshop::{
    AgendaItem, Attendee, Holiday, Schedule, Workshop, WorkshopNote, WorkshopPolicy,
};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use crate::StoreError;
use crate::audit::{NULL, record, record_row, row_json};
use crate::codec::{corrupt, instant, micros};
use crate::sql::{SqlStore, SqlTx, Value, bind_all, duplicate_or, int, stale_write_error, text};

/// The workshop policy as stored, with its version (0: never saved, the
/// defaults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPolicy {
    pub policy: WorkshopPolicy,
    pub version: i64,
}

/// Storage of workshops, holidays and the workshop policy.
#[async_trait]
pub trait WorkshopStore: Send + Sync {
    /// Adds a workshop (its incident and facilitator must exist).
    async fn create_workshop(&self, workshop: &Workshop) -> Result<(), StoreError>;
    /// Replaces the workshop if `expected_version` is current (the version
    /// in `workshop` is what is written).
    async fn update_workshop(
        &self,
        workshop: &Workshop,
        expected_version: i64,
    ) -> Result<(), StoreError>;
    async fn workshop_by_id(&self, id: Uuid) -> Result<Workshop, StoreError>;
    /// An incident's workshops, earliest start first.
    async fn workshops_of(&self, incident_id: Uuid) -> Result<Vec<Workshop>, StoreError>;

    /// Every holiday, by date.
    async fn holidays(&self) -> Result<Vec<Holiday>, StoreError>;
    /// A second holiday on the same day is a `Duplicate`.
    async fn add_holiday(&self, holiday: &Holiday, now: jiff::Timestamp) -> Result<(), StoreError>;
    async fn delete_holiday(&self, date: Date) -> Result<(), StoreError>;

    /// The stored policy, if the organisation saved one.
    async fn workshop_policy(&self) -> Result<Option<StoredPolicy>, StoreError>;
    /// Writes the policy: the first time when `expected_version` is `None`,
    /// else only over that version. Returns the new version.
    async fn save_workshop_policy(
        &self,
        policy: &WorkshopPolicy,
        expected_version: Option<i64>,
        now: jiff::Timestamp,
    ) -> Result<i64, StoreError>;
}

/// The writes a bundle import makes, inside its transaction.
#[async_trait]
pub trait WorkshopStoreTx: Send {
    /// Inserts the workshop as it is, unless one with its id exists (false).
    async fn insert_workshop_if_new(&mut self, workshop: &Workshop) -> Result<bool, StoreError>;
    async fn add_holiday_if_new(
        &mut self,
        holiday: &Holiday,
        now: jiff::Timestamp,
    ) -> Result<bool, StoreError>;
    /// Stores the policy unless one is stored already (false).
    async fn save_workshop_policy_if_none(
        &mut self,
        policy: &WorkshopPolicy,
        now: jiff::Timestamp,
    ) -> Result<bool, StoreError>;
}

/// The JSON part of a workshop row.
#[derive(Serialize, Deserialize)]
struct Document {
    #[serde(default)]
    attendees: Vec<Attendee>,
    #[serde(default)]
    agenda: Vec<AgendaItem>,
    #[serde(default)]
    notes: Vec<WorkshopNote>,
}

const COLUMNS: &str = "id, incident_id, kind, status, starts_us, time_zone, duration_min, location, \
    url, facilitator_id, document, sequence, held_us, cancel_reason, created_by, version, \
    created_us, updated_us";

/// The columns after `id`, in the order of [`values`].
const WRITE_COLUMNS: [&str; 17] = [
    "incident_id",
    "kind",
    "status",
    "starts_us",
    "time_zone",
    "duration_min",
    "location",
    "url",
    "facilitator_id",
    "document",
    "sequence",
    "held_us",
    "cancel_reason",
    "created_by",
    "version",
    "created_us",
    "updated_us",
];

fn values(w: &Workshop) -> Result<Vec<Value>, StoreError> {
    let document = serde_json::to_string(&Document {
        attendees: w.attendees.clone(),
        agenda: w.agenda.clone(),
        notes: w.notes.clone(),
    })
    .map_err(corrupt)?;
    let s = &w.schedule;
    Ok(vec![
        text(w.incident_id.to_string()),
        text(w.kind.as_str()),
        text(w.status.as_str()),
        int(micros(s.starts_at)),
        text(s.time_zone.clone()),
        int(i64::from(s.duration_minutes)),
        text(s.location.clone()),
        text(s.url.clone()),
        text(s.facilitator_id.to_string()),
        text(document),
        int(i64::from(w.sequence)),
        Value::Int(w.held_at.map(micros)),
        text(w.cancel_reason.clone()),
        text(w.created_by.clone()),
        int(w.version),
        int(micros(w.created_at)),
        int(micros(w.updated_at)),
    ])
}

fn uuid(s: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(s).map_err(|e| corrupt(format!("id `{s}`: {e}")))
}

fn workshop_from_row(row: &AnyRow) -> Result<Workshop, StoreError> {
    let id: String = row.try_get("id")?;
    let incident_id: String = row.try_get("incident_id")?;
    let facilitator_id: String = row.try_get("facilitator_id")?;
    let kind: String = row.try_get("kind")?;
    let status: String = row.try_get("status")?;
    let document: String = row.try_get("document")?;
    let document: Document =
        serde_json::from_str(&document).map_err(|e| corrupt(format!("workshop {id}: {e}")))?;
    let duration: i64 = row.try_get("duration_min")?;
    let sequence: i64 = row.try_get("sequence")?;
    let held: Option<i64> = row.try_get("held_us")?;
    Ok(Workshop {
        id: uuid(&id)?,
        incident_id: uuid(&incident_id)?,
        kind: kind.parse().map_err(corrupt)?,
        status: status.parse().map_err(corrupt)?,
        schedule: Schedule {
            starts_at: instant(row.try_get("starts_us")?)?,
            time_zone: row.try_get("time_zone")?,
            duration_minutes: u32::try_from(duration).map_err(corrupt)?,
            location: row.try_get("location")?,
            url: row.try_get("url")?,
            facilitator_id: uuid(&facilitator_id)?,
        },
        attendees: document.attendees,
        agenda: document.agenda,
        notes: document.notes,
        sequence: u32::try_from(sequence).map_err(corrupt)?,
        held_at: held.map(instant).transpose()?,
        cancel_reason: row.try_get("cancel_reason")?,
        created_by: row.try_get("created_by")?,
        created_at: instant(row.try_get("created_us")?)?,
        updated_at: instant(row.try_get("updated_us")?)?,
        version: row.try_get("version")?,
    })
}

async fn insert_workshop_on(conn: &mut AnyConnection, w: &Workshop) -> Result<(), StoreError> {
    let mut vals = vec![text(w.id.to_string())];
    vals.extend(values(w)?);
    let sql = format!(
        "INSERT INTO workshops (id, {}) VALUES ({})",
        WRITE_COLUMNS.join(", "),
        (1..=vals.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    bind_all(sqlx::query(&sql), vals)
        .execute(&mut *conn)
        .await
        .map_err(|e| duplicate_or(e, |_| format!("workshop {} already exists", w.id)))?;
    let id = w.id.to_string();
    record_row(conn, "workshop", &id, ("workshops", "id", &id), NULL).await
}

async fn add_holiday_on(
    conn: &mut AnyConnection,
    h: &Holiday,
    now: jiff::Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO holidays (day, name, created_us) VALUES ($1, $2, $3)")
        .bind(h.date.to_string())
        .bind(h.name.clone())
        .bind(micros(now))
        .execute(&mut *conn)
        .await
        .map_err(|e| {
            duplicate_or(e, |_| {
                format!(
                    "{} is already a holiday; delete it first to rename it",
                    h.date
                )
            })
        })?;
    let day = h.date.to_string();
    record_row(conn, "holiday", &day, ("holidays", "day", &day), NULL).await
}

const POLICY_ID: &str = "default";

async fn policy_on(conn: &mut AnyConnection) -> Result<Option<StoredPolicy>, StoreError> {
    let row = sqlx::query("SELECT document, version FROM workshop_policy WHERE id = $1")
        .bind(POLICY_ID)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        None => Ok(None),
        Some(r) => {
            let doc: String = r.try_get("document")?;
            Ok(Some(StoredPolicy {
                policy: serde_json::from_str(&doc)
                    .map_err(|e| corrupt(format!("workshop policy: {e}")))?,
                version: r.try_get("version")?,
            }))
        }
    }
}

async fn insert_policy_on(
    conn: &mut AnyConnection,
    policy: &WorkshopPolicy,
    now: jiff::Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO workshop_policy (id, document, version, updated_us) VALUES ($1, $2, 1, $3)",
    )
    .bind(POLICY_ID)
    .bind(serde_json::to_string(policy).map_err(corrupt)?)
    .bind(micros(now))
    .execute(&mut *conn)
    .await
    .map_err(|e| {
        duplicate_or(e, |_| {
            "the workshop policy was just saved by someone else".into()
        })
    })?;
    record_row(
        conn,
        "workshop_policy",
        POLICY_ID,
        ("workshop_policy", "id", POLICY_ID),
        NULL,
    )
    .await
}

#[async_trait]
impl WorkshopStore for SqlStore {
    async fn create_workshop(&self, workshop: &Workshop) -> Result<(), StoreError> {
        let mut tx = self.audited_tx().await?;
        insert_workshop_on(&mut tx, workshop).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn update_workshop(
        &self,
        workshop: &Workshop,
        expected_version: i64,
    ) -> Result<(), StoreError> {
        let mut vals = values(workshop)?;
        let n = vals.len();
        let sets: Vec<String> = WRITE_COLUMNS
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ${}", i + 1))
            .collect();
        vals.push(text(workshop.id.to_string()));
        vals.push(int(expected_version));
        let sql = format!(
            "UPDATE workshops SET {} WHERE id = ${} AND version = ${}",
            sets.join(", "),
            n + 1,
            n + 2
        );
        let mut conn = self.audited_tx().await?;
        let id = workshop.id.to_string();
        let before = row_json(&mut conn, "workshops", "id", &id).await?;
        let result = bind_all(sqlx::query(&sql), vals)
            .execute(&mut *conn)
            .await?;
        if result.rows_affected() == 1 {
            record_row(
                &mut conn,
                "workshop",
                &id,
                ("workshops", "id", &id),
                &before,
            )
            .await?;
            conn.commit().await?;
            return Ok(());
        }
        let sql = "SELECT version FROM workshops WHERE id = $1";
        Err(stale_write_error(
            &mut conn,
            sql,
            "workshop",
            workshop.id.to_string(),
            expected_version,
        )
        .await)
    }

    async fn workshop_by_id(&self, id: Uuid) -> Result<Workshop, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM workshops WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&mut *self.pool().acquire().await?)
            .await?;
        match row {
            Some(r) => workshop_from_row(&r),
            None => Err(StoreError::NotFound {
                entity: "workshop",
                id: id.to_string(),
            }),
        }
    }

    async fn workshops_of(&self, incident_id: Uuid) -> Result<Vec<Workshop>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM workshops WHERE incident_id = $1 ORDER BY starts_us, id"
        ))
        .bind(incident_id.to_string())
        .fetch_all(&mut *self.pool().acquire().await?)
        .await?;
        rows.iter().map(workshop_from_row).collect()
    }

    async fn holidays(&self) -> Result<Vec<Holiday>, StoreError> {
        let rows = sqlx::query("SELECT day, name FROM holidays ORDER BY day")
            .fetch_all(&mut *self.pool().acquire().await?)
            .await?;
        rows.iter()
            .map(|r| {
                let day: String = r.try_get("day")?;
                Ok(Holiday {
                    date: day
                        .parse()
                        .map_err(|e| corrupt(format!("holiday `{day}`: {e}")))?,
                    name: r.try_get("name")?,
                })
            })
            .collect()
    }

    async fn add_holiday(&self, holiday: &Holiday, now: jiff::Timestamp) -> Result<(), StoreError> {
        let mut tx = self.audited_tx().await?;
        add_holiday_on(&mut tx, holiday, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete_holiday(&self, date: Date) -> Result<(), StoreError> {
        let mut tx = self.audited_tx().await?;
        let day = date.to_string();
        let before = row_json(&mut tx, "holidays", "day", &day).await?;
        let result = sqlx::query("DELETE FROM holidays WHERE day = $1")
            .bind(day.clone())
            .execute(&mut *tx)
            .await?;
        if result.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                entity: "holiday",
                id: date.to_string(),
            });
        }
        record(&mut tx, "holiday", &day, &before, NULL).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn workshop_policy(&self) -> Result<Option<StoredPolicy>, StoreError> {
        policy_on(&mut *self.pool().acquire().await?).await
    }

    async fn save_workshop_policy(
        &self,
        policy: &WorkshopPolicy,
        expected_version: Option<i64>,
        now: jiff::Timestamp,
    ) -> Result<i64, StoreError> {
        let mut conn = self.audited_tx().await?;
        let Some(expected) = expected_version else {
            insert_policy_on(&mut conn, policy, now).await?;
            conn.commit().await?;
            return Ok(1);
        };
        let before = row_json(&mut conn, "workshop_policy", "id", POLICY_ID).await?;
        let result = sqlx::query(
            "UPDATE workshop_policy SET document = $1, version = $2, updated_us = $3 \
             WHERE id = $4 AND version = $5",
        )
        .bind(serde_json::to_string(policy).map_err(corrupt)?)
        .bind(expected + 1)
        .bind(micros(now))
        .bind(POLICY_ID)
        .bind(expected)
        .execute(&mut *conn)
        .await?;
        if result.rows_affected() == 1 {
            let key = ("workshop_policy", "id", POLICY_ID);
            record_row(&mut conn, "workshop_policy", POLICY_ID, key, &before).await?;
            conn.commit().await?;
            return Ok(expected + 1);
        }
        let sql = "SELECT version FROM workshop_policy WHERE id = $1";
        Err(stale_write_error(
            &mut conn,
            sql,
            "workshop policy",
            POLICY_ID.into(),
            expected,
        )
        .await)
    }
}

#[async_trait]
impl WorkshopStoreTx for SqlTx {
    async fn insert_workshop_if_new(&mut self, workshop: &Workshop) -> Result<bool, StoreError> {
        let exists = sqlx::query("SELECT 1 AS x FROM workshops WHERE id = $1")
            .bind(workshop.id.to_string())
            .fetch_optional(&mut *self.tx)
            .await?;
        if exists.is_some() {
            return Ok(false);
        }
        insert_workshop_on(&mut self.tx, workshop).await?;
        Ok(true)
    }

    async fn add_holiday_if_new(
        &mut self,
        holiday: &Holiday,
        now: jiff::Timestamp,
    ) -> Result<bool, StoreError> {
        let exists = sqlx::query("SELECT 1 AS x FROM holidays WHERE day = $1")
            .bind(holiday.date.to_string())
            .fetch_optional(&mut *self.tx)
            .await?;
        if exists.is_some() {
            return Ok(false);
        }
        add_holiday_on(&mut self.tx, holiday, now).await?;
        Ok(true)
    }

    async fn save_workshop_policy_if_none(
        &mut self,
        policy: &WorkshopPolicy,
        now: jiff::Timestamp,
    ) -> Result<bool, StoreError> {
        if policy_on(&mut self.tx).await?.is_some() {
            return Ok(false);
        }
        insert_policy_on(&mut self.tx, policy, now).await?;
        Ok(true)
    }
}
