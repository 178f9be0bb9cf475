//! Webhook storage (PRODUCT.md §12): subscriptions, the outbox of
//! deliveries, and the log of every attempt, for both databases.
//!
//! The outbox is claimed, never locked: a dispatcher reads due deliveries,
//! then takes each with one conditional UPDATE that bumps `attempts` only if
//! nobody bumped it since and no unexpired lease is held. Whoever's UPDATE
//! touches the row owns that attempt; the others skip it. This works the
//! same on SQLite and PostgreSQL (no `SELECT … FOR UPDATE SKIP LOCKED`,
//! which SQLite lacks), and a dispatcher that dies mid-send only delays the
//! delivery until its lease runs out.

use async_trait::async_trait;
use debrief_core::webhook::{DeliveryStatus, WebhookEvent, WebhookFields};
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::audit::{NULL, record, record_row, row_json};
use crate::codec::micros;
use crate::sql::{Value, bind_all, duplicate_or, int, placeholders, stale_write_error, text};
use crate::{Cursor, Page, SqlStore, StoreError};

/// A subscription as stored. `secret` is the HMAC key; only the app's
/// create call hands it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredWebhook {
    pub id: Uuid,
    pub fields: WebhookFields,
    pub secret: String,
    pub active: bool,
    pub version: i64,
    pub created_at: jiff::Timestamp,
    pub updated_at: jiff::Timestamp,
}

/// A delivery to enqueue: one event for one subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    pub id: Uuid,
    pub webhook_id: Uuid,
    /// The same for every subscription an emitted event goes to.
    pub event_id: Uuid,
    pub event: String,
    /// The exact JSON body to POST (signed as is).
    pub body: String,
    /// Also when it is first due.
    pub created_at: jiff::Timestamp,
}

/// A delivery a dispatcher has claimed: everything needed to send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedDelivery {
    pub id: Uuid,
    pub webhook_id: Uuid,
    pub url: String,
    pub secret: String,
    pub event: String,
    pub body: String,
    /// The number of this attempt (1 for the first).
    pub attempt: u32,
}

/// What became of one attempt, and so of the delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    Delivered,
    /// Failed; try again at this instant.
    Retry {
        at: jiff::Timestamp,
    },
    /// Failed for the last time.
    Failed,
}

/// One attempt, as the dispatcher reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRecord {
    pub delivery_id: Uuid,
    pub attempt: u32,
    pub at: jiff::Timestamp,
    /// The receiver's HTTP status, when it answered.
    pub http_status: Option<u16>,
    /// What went wrong (a non-2xx answer or a connection error), short.
    pub error: Option<String>,
    pub duration_ms: i64,
    pub outcome: AttemptOutcome,
}

/// One logged attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAttempt {
    pub attempt: u32,
    pub at: jiff::Timestamp,
    pub http_status: Option<u16>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// A delivery with its state and its attempts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDelivery {
    pub id: Uuid,
    pub webhook_id: Uuid,
    /// The subscription's target URL now.
    pub url: String,
    pub event_id: Uuid,
    pub event: String,
    pub body: String,
    pub status: DeliveryStatus,
    pub attempts: u32,
    /// When a pending delivery is due next.
    pub next_attempt_at: Option<jiff::Timestamp>,
    /// Until when a dispatcher holds it for an attempt (in flight when later
    /// than now).
    pub leased_until: Option<jiff::Timestamp>,
    pub last_attempt_at: Option<jiff::Timestamp>,
    pub last_http_status: Option<u16>,
    pub last_error: Option<String>,
    pub delivered_at: Option<jiff::Timestamp>,
    pub created_at: jiff::Timestamp,
    /// Oldest first.
    pub attempt_log: Vec<StoredAttempt>,
}

/// Filters of the delivery log; empty means "any".
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    pub webhook_id: Option<Uuid>,
    pub statuses: Vec<DeliveryStatus>,
    pub event: Option<String>,
}

/// The storage operations of webhooks. A supertrait of [`crate::Store`].
#[async_trait]
pub trait WebhookStore: Send + Sync {
    async fn create_webhook(&self, webhook: &StoredWebhook) -> Result<(), StoreError>;
    /// Every subscription, oldest first.
    async fn webhooks(&self) -> Result<Vec<StoredWebhook>, StoreError>;
    async fn webhook(&self, id: Uuid) -> Result<StoredWebhook, StoreError>;
    /// Writes fields and `active` (never the secret) over `expected_version`;
    /// the stored version becomes `webhook.version`.
    async fn update_webhook(
        &self,
        webhook: &StoredWebhook,
        expected_version: i64,
    ) -> Result<(), StoreError>;
    /// Deletes a subscription with its deliveries and their attempts.
    async fn delete_webhook(&self, id: Uuid) -> Result<(), StoreError>;

    /// Adds pending deliveries, due at their `created_at`, all or none.
    async fn enqueue_deliveries(&self, deliveries: &[NewDelivery]) -> Result<(), StoreError>;
    /// Claims up to `limit` pending deliveries of active subscriptions due at
    /// `now`, each for one attempt, leased until `lease_until`.
    async fn claim_due_deliveries(
        &self,
        now: jiff::Timestamp,
        lease_until: jiff::Timestamp,
        limit: u32,
    ) -> Result<Vec<ClaimedDelivery>, StoreError>;
    /// Logs an attempt and moves the delivery on. Returns false (logging the
    /// attempt all the same) when the claim was lost: the lease ran out and
    /// another dispatcher claimed the next attempt.
    async fn record_attempt(&self, record: &AttemptRecord) -> Result<bool, StoreError>;
    /// The delivery log, newest first, paged by cursor.
    async fn deliveries(
        &self,
        filter: &DeliveryFilter,
        after: Option<&Cursor>,
        limit: u32,
    ) -> Result<Page<StoredDelivery>, StoreError>;
    async fn delivery(&self, id: Uuid) -> Result<StoredDelivery, StoreError>;
    /// When the next pending delivery of an active subscription may be
    /// claimed (its due time, or when its lease runs out).
    async fn next_delivery_due(&self) -> Result<Option<jiff::Timestamp>, StoreError>;
}

const WEBHOOK_COLUMNS: &str =
    "id, url, secret, events, description, active, version, created_us, updated_us";

const DELIVERY_COLUMNS: &str = "d.id, d.webhook_id, w.url, d.event_id, d.event, d.body, d.status, \
    d.attempts, d.next_attempt_us, d.lease_until_us, d.last_attempt_us, d.last_http_status, d.last_error, \
    d.delivered_us, d.created_us";

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

fn uuid(s: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(s).map_err(|e| corrupt(format!("id `{s}`: {e}")))
}

fn instant(us: i64) -> Result<jiff::Timestamp, StoreError> {
    jiff::Timestamp::from_microsecond(us).map_err(corrupt)
}

fn optional_instant(us: Option<i64>) -> Result<Option<jiff::Timestamp>, StoreError> {
    us.map(instant).transpose()
}

fn http_status(v: Option<i64>) -> Result<Option<u16>, StoreError> {
    v.map(|s| u16::try_from(s).map_err(corrupt)).transpose()
}

fn count(v: i64) -> Result<u32, StoreError> {
    u32::try_from(v).map_err(corrupt)
}

fn events_to_json(events: &[WebhookEvent]) -> String {
    serde_json::to_string(events).expect("event names always serialise")
}

fn webhook_from_row(row: &AnyRow) -> Result<StoredWebhook, StoreError> {
    let events: String = row.try_get("events")?;
    let active: i64 = row.try_get("active")?;
    Ok(StoredWebhook {
        id: uuid(&row.try_get::<String, _>("id")?)?,
        fields: WebhookFields {
            url: row.try_get("url")?,
            events: serde_json::from_str(&events)
                .map_err(|e| corrupt(format!("webhook events `{events}`: {e}")))?,
            description: row.try_get("description")?,
        },
        secret: row.try_get("secret")?,
        active: active != 0,
        version: row.try_get("version")?,
        created_at: instant(row.try_get("created_us")?)?,
        updated_at: instant(row.try_get("updated_us")?)?,
    })
}

fn delivery_from_row(row: &AnyRow) -> Result<StoredDelivery, StoreError> {
    let status: String = row.try_get("status")?;
    Ok(StoredDelivery {
        id: uuid(&row.try_get::<String, _>("id")?)?,
        webhook_id: uuid(&row.try_get::<String, _>("webhook_id")?)?,
        url: row.try_get("url")?,
        event_id: uuid(&row.try_get::<String, _>("event_id")?)?,
        event: row.try_get("event")?,
        body: row.try_get("body")?,
        status: status.parse().map_err(corrupt)?,
        attempts: count(row.try_get("attempts")?)?,
        next_attempt_at: optional_instant(row.try_get("next_attempt_us")?)?,
        leased_until: optional_instant(row.try_get("lease_until_us")?)?,
        last_attempt_at: optional_instant(row.try_get("last_attempt_us")?)?,
        last_http_status: http_status(row.try_get("last_http_status")?)?,
        last_error: row.try_get("last_error")?,
        delivered_at: optional_instant(row.try_get("delivered_us")?)?,
        created_at: instant(row.try_get("created_us")?)?,
        attempt_log: Vec::new(),
    })
}

fn not_found(id: Uuid) -> StoreError {
    StoreError::NotFound {
        entity: "webhook",
        id: id.to_string(),
    }
}

impl SqlStore {
    /// Fills in the attempt logs of `deliveries` with one query.
    async fn attach_attempts(&self, deliveries: &mut [StoredDelivery]) -> Result<(), StoreError> {
        if deliveries.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "SELECT delivery_id, attempt, at_us, http_status, error, duration_ms \
             FROM webhook_attempts WHERE delivery_id IN ({}) ORDER BY delivery_id, attempt",
            placeholders(1, deliveries.len())
        );
        let binds = deliveries.iter().map(|d| text(d.id.to_string())).collect();
        let rows = bind_all(sqlx::query(&sql), binds)
            .fetch_all(self.pool())
            .await?;
        for row in &rows {
            let delivery_id = uuid(&row.try_get::<String, _>("delivery_id")?)?;
            let attempt = StoredAttempt {
                attempt: count(row.try_get("attempt")?)?,
                at: instant(row.try_get("at_us")?)?,
                http_status: http_status(row.try_get("http_status")?)?,
                error: row.try_get("error")?,
                duration_ms: row.try_get("duration_ms")?,
            };
            if let Some(d) = deliveries.iter_mut().find(|d| d.id == delivery_id) {
                d.attempt_log.push(attempt);
            }
        }
        Ok(())
    }
}

#[async_trait]
impl WebhookStore for SqlStore {
    async fn create_webhook(&self, w: &StoredWebhook) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO webhooks ({WEBHOOK_COLUMNS}) VALUES ({})",
            placeholders(1, 9)
        );
        let values = vec![
            text(w.id.to_string()),
            text(w.fields.url.clone()),
            text(w.secret.clone()),
            text(events_to_json(&w.fields.events)),
            text(w.fields.description.clone()),
            int(i64::from(w.active)),
            int(w.version),
            int(micros(w.created_at)),
            int(micros(w.updated_at)),
        ];
        let mut tx = self.audited_tx().await?;
        bind_all(sqlx::query(&sql), values)
            .execute(&mut *tx)
            .await
            .map_err(|e| duplicate_or(e, |_| format!("webhook {} already exists", w.id)))?;
        let id = w.id.to_string();
        record_row(&mut tx, "webhook", &id, ("webhooks", "id", &id), NULL).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn webhooks(&self) -> Result<Vec<StoredWebhook>, StoreError> {
        let sql = format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks ORDER BY created_us, id");
        let rows = sqlx::query(&sql).fetch_all(self.pool()).await?;
        rows.iter().map(webhook_from_row).collect()
    }

    async fn webhook(&self, id: Uuid) -> Result<StoredWebhook, StoreError> {
        let sql = format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some(r) => webhook_from_row(&r),
            None => Err(not_found(id)),
        }
    }

    async fn update_webhook(
        &self,
        w: &StoredWebhook,
        expected_version: i64,
    ) -> Result<(), StoreError> {
        let mut conn = self.audited_tx().await?;
        let id = w.id.to_string();
        let before = row_json(&mut conn, "webhooks", "id", &id).await?;
        let result = bind_all(
            sqlx::query(
                "UPDATE webhooks SET url = $1, events = $2, description = $3, active = $4, \
                 version = $5, updated_us = $6 WHERE id = $7 AND version = $8",
            ),
            vec![
                text(w.fields.url.clone()),
                text(events_to_json(&w.fields.events)),
                text(w.fields.description.clone()),
                int(i64::from(w.active)),
                int(w.version),
                int(micros(w.updated_at)),
                text(w.id.to_string()),
                int(expected_version),
            ],
        )
        .execute(&mut *conn)
        .await?;
        if result.rows_affected() == 0 {
            let sql = "SELECT version FROM webhooks WHERE id = $1";
            return Err(stale_write_error(
                &mut conn,
                sql,
                "webhook",
                w.id.to_string(),
                expected_version,
            )
            .await);
        }
        record_row(&mut conn, "webhook", &id, ("webhooks", "id", &id), &before).await?;
        conn.commit().await?;
        Ok(())
    }

    async fn delete_webhook(&self, id: Uuid) -> Result<(), StoreError> {
        // The foreign keys cascade to deliveries and attempts (SQLite
        // enforces them: `foreign_keys = ON` on every connection).
        let mut tx = self.audited_tx().await?;
        let key = id.to_string();
        let before = row_json(&mut tx, "webhooks", "id", &key).await?;
        let r = sqlx::query("DELETE FROM webhooks WHERE id = $1")
            .bind(key.clone())
            .execute(&mut *tx)
            .await?;
        if r.rows_affected() == 0 {
            return Err(not_found(id));
        }
        record(&mut tx, "webhook", &key, &before, NULL).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn enqueue_deliveries(&self, deliveries: &[NewDelivery]) -> Result<(), StoreError> {
        if deliveries.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool().begin().await?;
        for d in deliveries {
            sqlx::query(
                "INSERT INTO webhook_deliveries (id, webhook_id, event_id, event, body, status, \
                 attempts, next_attempt_us, created_us) VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6)",
            )
            .bind(d.id.to_string())
            .bind(d.webhook_id.to_string())
            .bind(d.event_id.to_string())
            .bind(d.event.clone())
            .bind(d.body.clone())
            .bind(micros(d.created_at))
            .execute(&mut *tx)
            .await
            .map_err(|e| duplicate_or(e, |_| format!("delivery {} already exists", d.id)))?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn claim_due_deliveries(
        &self,
        now: jiff::Timestamp,
        lease_until: jiff::Timestamp,
        limit: u32,
    ) -> Result<Vec<ClaimedDelivery>, StoreError> {
        let now = micros(now);
        let sql = format!(
            "SELECT d.id, d.webhook_id, w.url, w.secret, d.event, d.body, d.attempts \
             FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
             WHERE d.status = 'pending' AND w.active = 1 AND d.next_attempt_us <= $1 \
             AND (d.lease_until_us IS NULL OR d.lease_until_us <= $1) \
             ORDER BY d.next_attempt_us, d.id LIMIT {}",
            limit.clamp(1, 500)
        );
        let candidates = sqlx::query(&sql).bind(now).fetch_all(self.pool()).await?;
        let mut claimed = Vec::with_capacity(candidates.len());
        for row in &candidates {
            let id: String = row.try_get("id")?;
            let attempts: i64 = row.try_get("attempts")?;
            // The claim: only one dispatcher's UPDATE can move `attempts`
            // from the value read; the others touch no row and skip it.
            let taken = sqlx::query(
                "UPDATE webhook_deliveries SET attempts = attempts + 1, lease_until_us = $1 \
                 WHERE id = $2 AND attempts = $3 AND status = 'pending' \
                 AND (lease_until_us IS NULL OR lease_until_us <= $4)",
            )
            .bind(micros(lease_until))
            .bind(id.clone())
            .bind(attempts)
            .bind(now)
            .execute(self.pool())
            .await?;
            if taken.rows_affected() == 1 {
                claimed.push(ClaimedDelivery {
                    id: uuid(&id)?,
                    webhook_id: uuid(&row.try_get::<String, _>("webhook_id")?)?,
                    url: row.try_get("url")?,
                    secret: row.try_get("secret")?,
                    event: row.try_get("event")?,
                    body: row.try_get("body")?,
                    attempt: count(attempts + 1)?,
                });
            }
        }
        Ok(claimed)
    }

    async fn record_attempt(&self, r: &AttemptRecord) -> Result<bool, StoreError> {
        let at = micros(r.at);
        let (status, next, delivered) = match r.outcome {
            AttemptOutcome::Delivered => (DeliveryStatus::Delivered, None, Some(at)),
            AttemptOutcome::Retry { at: next } => {
                (DeliveryStatus::Pending, Some(micros(next)), None)
            }
            AttemptOutcome::Failed => (DeliveryStatus::Failed, None, None),
        };
        let http = r.http_status.map(i64::from);
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO webhook_attempts (delivery_id, attempt, at_us, http_status, error, duration_ms) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (delivery_id, attempt) DO NOTHING",
        )
        .bind(r.delivery_id.to_string())
        .bind(i64::from(r.attempt))
        .bind(at)
        .bind(http)
        .bind(r.error.clone())
        .bind(r.duration_ms)
        .execute(&mut *tx)
        .await?;
        let values: Vec<Value> = vec![
            text(status.as_str()),
            Value::Int(next),
            int(at),
            Value::Int(http),
            Value::Text(r.error.clone()),
            Value::Int(delivered),
            text(r.delivery_id.to_string()),
            int(i64::from(r.attempt)),
        ];
        let moved = bind_all(
            sqlx::query(
                "UPDATE webhook_deliveries SET status = $1, next_attempt_us = $2, lease_until_us = NULL, \
                 last_attempt_us = $3, last_http_status = $4, last_error = $5, delivered_us = $6 \
                 WHERE id = $7 AND attempts = $8",
            ),
            values,
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(moved.rows_affected() == 1)
    }

    async fn deliveries(
        &self,
        filter: &DeliveryFilter,
        after: Option<&Cursor>,
        limit: u32,
    ) -> Result<Page<StoredDelivery>, StoreError> {
        let limit = limit.clamp(1, 500);
        let mut values: Vec<Value> = Vec::new();
        let mut wheres: Vec<String> = Vec::new();
        let mut next = |v: Value| {
            values.push(v);
            format!("${}", values.len())
        };
        if let Some(id) = filter.webhook_id {
            let p = next(text(id.to_string()));
            wheres.push(format!("d.webhook_id = {p}"));
        }
        if !filter.statuses.is_empty() {
            let p: Vec<String> = filter
                .statuses
                .iter()
                .map(|s| next(text(s.as_str())))
                .collect();
            wheres.push(format!("d.status IN ({})", p.join(", ")));
        }
        if let Some(event) = &filter.event {
            let p = next(text(event.clone()));
            wheres.push(format!("d.event = {p}"));
        }
        if let Some(c) = after {
            let (pa, pi) = (next(int(c.sort_a)), next(text(c.id.clone())));
            wheres.push(format!("(d.created_us, d.id) < ({pa}, {pi})"));
        }
        let where_sql = if wheres.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", wheres.join(" AND "))
        };
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
             {where_sql} ORDER BY d.created_us DESC, d.id DESC LIMIT {}",
            limit + 1
        );
        let rows = bind_all(sqlx::query(&sql), values)
            .fetch_all(self.pool())
            .await?;
        let mut items = rows
            .iter()
            .take(limit as usize)
            .map(delivery_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let next = if rows.len() > limit as usize {
            items.last().map(|d| Cursor {
                sort_a: micros(d.created_at),
                sort_b: 0,
                id: d.id.to_string(),
            })
        } else {
            None
        };
        self.attach_attempts(&mut items).await?;
        Ok(Page { items, next })
    }

    async fn delivery(&self, id: Uuid) -> Result<StoredDelivery, StoreError> {
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
             WHERE d.id = $1"
        );
        let row = sqlx::query(&sql)
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else {
            return Err(StoreError::NotFound {
                entity: "webhook delivery",
                id: id.to_string(),
            });
        };
        let mut items = vec![delivery_from_row(&row)?];
        self.attach_attempts(&mut items).await?;
        Ok(items.remove(0))
    }

    async fn next_delivery_due(&self) -> Result<Option<jiff::Timestamp>, StoreError> {
        let row = sqlx::query(
            "SELECT MIN(CASE WHEN d.lease_until_us IS NOT NULL AND d.lease_until_us > d.next_attempt_us \
             THEN d.lease_until_us ELSE d.next_attempt_us END) AS due \
             FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
             WHERE d.status = 'pending' AND w.active = 1",
        )
        .fetch_one(self.pool())
        .await?;
        optional_instant(row.try_get("due")?)
    }
}
