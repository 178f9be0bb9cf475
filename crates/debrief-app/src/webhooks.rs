//! Webhook use cases (PRODUCT.md §12): subscriptions, the delivery log,
//! [`App::emit`] and the [`Dispatcher`] that sends what it enqueued.
//!
//! Emitting never sends anything: it writes one delivery per active
//! subscription to the database (the outbox) and wakes the dispatcher, so the
//! request that caused the event never waits for a receiver. The dispatcher,
//! a background task of `debrief serve` (or `debrief webhook deliver` once),
//! claims due deliveries, POSTs each signed body and records the attempt;
//! failures are retried on [`RetryPolicy`]'s schedule.
//!
//! The signature is `sha256=` + hex HMAC-SHA256(secret, `"{timestamp}.{body}"`)
//! with the `X-Debrief-Timestamp` value, so a receiver can refuse replays of
//! old requests as well as forgeries (see `docs/webhooks.md`).

use std::sync::Arc;
use std::time::Duration;

use debrief_core::review::Review;
use debrief_core::webhook::{
    DeliveryStatus, PING_EVENT, RetryPolicy, WebhookDraft, WebhookEvent, WebhookFields,
    check_description, check_events, check_url, is_success,
};
use debrief_core::{FieldError, FieldErrors, Incident};
use debrief_store::webhooks::{
    AttemptOutcome, AttemptRecord, ClaimedDelivery, DeliveryFilter, NewDelivery, StoredDelivery,
    StoredWebhook,
};
use debrief_store::{Cursor, Page, StoreError};
use futures::StreamExt as _;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use uuid::Uuid;

use crate::{App, AppError};

/// A delivery with its attempts, as the log shows it.
pub type Delivery = StoredDelivery;

/// A subscription as shown after creation: everything but the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub id: Uuid,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub description: String,
    pub active: bool,
    pub version: i64,
    pub created_at: jiff::Timestamp,
    pub updated_at: jiff::Timestamp,
}

impl From<StoredWebhook> for Webhook {
    fn from(w: StoredWebhook) -> Self {
        Self {
            id: w.id,
            url: w.fields.url,
            events: w.fields.events,
            description: w.fields.description,
            active: w.active,
            version: w.version,
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}

/// A new subscription and its secret: the only time the secret is handed out.
#[derive(Debug, Clone)]
pub struct CreatedWebhook {
    pub webhook: Webhook,
    pub secret: String,
}

/// A change to a subscription; `None` leaves a field as it is. The secret
/// cannot be changed (delete and add again to rotate it).
#[derive(Debug, Clone, Default)]
pub struct WebhookPatch {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub description: Option<String>,
    pub active: Option<bool>,
}

/// What the delivery log shows: filters as typed, a cursor, a page size.
#[derive(Debug, Clone, Default)]
pub struct DeliveryQuery {
    pub webhook_id: Option<String>,
    pub statuses: Vec<DeliveryStatus>,
    pub event: Option<String>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
    /// 1–500, default 50.
    pub limit: Option<u32>,
}

/// One attempt a dispatcher made, for the CLI and the logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptReport {
    pub delivery_id: Uuid,
    pub webhook_id: Uuid,
    pub url: String,
    pub event: String,
    pub attempt: u32,
    pub http_status: Option<u16>,
    pub error: Option<String>,
    pub duration_ms: i64,
    pub outcome: AttemptOutcome,
}

/// How often a subscription edit is re-applied after a concurrent one.
const RETRIES: usize = 5;
/// Deliveries one claim takes.
const BATCH: u32 = 32;
/// Deliveries sent at the same time by one dispatcher.
const CONCURRENCY: usize = 8;
/// The longest error text kept for an attempt.
const ERROR_MAX: usize = 300;
/// The dispatcher looks for work at least this often: deliveries enqueued by
/// other processes (the CLI, another `serve`) wake nobody here.
const POLL: Duration = Duration::from_secs(15);

/// `sha256=<hex>`: HMAC-SHA256 with the subscription's secret over
/// `"{timestamp}.{body}"`, `timestamp` being the `X-Debrief-Timestamp` value
/// (unix seconds) and `body` the exact bytes posted.
pub fn sign(secret: &str, timestamp: i64, body: &str) -> String {
    format!(
        "sha256={}",
        hex::encode(mac(secret, timestamp, body).finalize().into_bytes())
    )
}

/// Whether `signature` (the `X-Debrief-Signature` value) is [`sign`]'s for
/// these inputs; compared in constant time.
pub fn verify(secret: &str, timestamp: i64, body: &str, signature: &str) -> bool {
    let Some(bytes) = signature
        .trim()
        .strip_prefix("sha256=")
        .and_then(|h| hex::decode(h).ok())
    else {
        return false;
    };
    mac(secret, timestamp, body).verify_slice(&bytes).is_ok()
}

fn mac(secret: &str, timestamp: i64, body: &str) -> Hmac<Sha256> {
    // HMAC takes a key of any length (long keys are hashed), so this never fails.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    mac
}

/// 32 random bytes from the operating system, as 64 hex digits.
pub fn generate_secret() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| {
        tracing::error!(error = %e, "the random number generator failed");
        AppError::NotAllowed(
            "the system's random number generator is not available; give a secret of your own"
                .into(),
        )
    })?;
    Ok(hex::encode(bytes))
}

/// The body of every delivery; `data` is the event's payload.
#[derive(Serialize)]
struct Envelope<'a> {
    id: Uuid,
    event: &'a str,
    created_at: jiff::Timestamp,
    data: &'a serde_json::Value,
}

fn not_found(id: &str) -> AppError {
    AppError::NotFound(format!("webhook `{id}` was not found"))
}

fn parse_id(id: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(id.trim()).map_err(|_| not_found(id))
}

/// The payload of `review.approved`.
pub(crate) fn review_approved_payload(incident: &Incident, review: &Review) -> serde_json::Value {
    serde_json::json!({
        "incident": {
            "key": incident.key.to_string(),
            "title": incident.fields.title,
            "severity": incident.fields.severity.as_str(),
        },
        "review": {
            "status": review.status.as_str(),
            "version": review.version,
            "approved_by": review.sign_off.as_ref().map(|s| s.by.clone()),
            "approved_at": review.sign_off.as_ref().map(|s| s.at),
        },
        "path": format!("/incidents/{}/review", incident.key),
    })
}

impl App {
    /// Adds a subscription. The secret is the one given or 32 random bytes
    /// (hex); it is returned here and never again.
    pub async fn create_webhook(&self, draft: &WebhookDraft) -> Result<CreatedWebhook, AppError> {
        let (fields, secret) = draft.validate()?;
        let secret = match secret {
            Some(s) => s,
            None => generate_secret()?,
        };
        let now = self.now();
        let stored = StoredWebhook {
            id: Uuid::now_v7(),
            fields,
            secret: secret.clone(),
            active: true,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        self.store().create_webhook(&stored).await?;
        Ok(CreatedWebhook {
            webhook: stored.into(),
            secret,
        })
    }

    /// Every subscription, oldest first.
    pub async fn webhooks(&self) -> Result<Vec<Webhook>, AppError> {
        Ok(self
            .store()
            .webhooks()
            .await?
            .into_iter()
            .map(Webhook::from)
            .collect())
    }

    pub async fn webhook(&self, id: &str) -> Result<Webhook, AppError> {
        let uuid = parse_id(id)?;
        match self.store().webhook(uuid).await {
            Ok(w) => Ok(w.into()),
            Err(StoreError::NotFound { .. }) => Err(not_found(id)),
            Err(e) => Err(e.into()),
        }
    }

    /// Changes the fields the patch names. Concurrent edits of other fields
    /// are kept: the patch is applied again to the newer version.
    pub async fn update_webhook(
        &self,
        id: &str,
        patch: &WebhookPatch,
    ) -> Result<Webhook, AppError> {
        let uuid = parse_id(id)?;
        let mut errors = FieldErrors::default();
        let url = patch
            .url
            .as_deref()
            .map(check_url)
            .transpose()
            .map_err(|m| errors.push("url", m))
            .ok()
            .flatten();
        let events = patch
            .events
            .as_deref()
            .map(check_events)
            .transpose()
            .map_err(|m| errors.push("events", m))
            .ok()
            .flatten();
        let description = patch
            .description
            .as_deref()
            .map(check_description)
            .transpose()
            .map_err(|m| errors.push("description", m))
            .ok()
            .flatten();
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        for _ in 0..RETRIES {
            let current = match self.store().webhook(uuid).await {
                Ok(w) => w,
                Err(StoreError::NotFound { .. }) => return Err(not_found(id)),
                Err(e) => return Err(e.into()),
            };
            let expected = current.version;
            let updated = StoredWebhook {
                fields: WebhookFields {
                    url: url.clone().unwrap_or(current.fields.url.clone()),
                    events: events.clone().unwrap_or(current.fields.events.clone()),
                    description: description
                        .clone()
                        .unwrap_or(current.fields.description.clone()),
                },
                active: patch.active.unwrap_or(current.active),
                version: expected + 1,
                updated_at: self.now(),
                ..current
            };
            match self.store().update_webhook(&updated, expected).await {
                Ok(()) => return Ok(updated.into()),
                Err(StoreError::Conflict { .. }) => continue,
                Err(StoreError::NotFound { .. }) => return Err(not_found(id)),
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Conflict {
            message: format!("webhook {id} is being changed by many people at once; try again"),
            current_version: None,
        })
    }

    /// Deletes a subscription with its delivery log.
    pub async fn delete_webhook(&self, id: &str) -> Result<(), AppError> {
        match self.store().delete_webhook(parse_id(id)?).await {
            Err(StoreError::NotFound { .. }) => Err(not_found(id)),
            other => Ok(other?),
        }
    }

    /// The delivery log, newest first.
    pub async fn webhook_deliveries(&self, q: &DeliveryQuery) -> Result<Page<Delivery>, AppError> {
        let webhook_id = match q.webhook_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(id) => Some(self.webhook(id).await?.id),
        };
        let after =
            match q.after.as_deref() {
                None | Some("") => None,
                Some(c) => Some(Cursor::decode(c).map_err(|m| {
                    AppError::Invalid(FieldErrors::from(FieldError::new("cursor", m)))
                })?),
            };
        let filter = DeliveryFilter {
            webhook_id,
            statuses: q.statuses.clone(),
            event: q.event.clone().filter(|e| !e.trim().is_empty()),
        };
        Ok(self
            .store()
            .deliveries(&filter, after.as_ref(), q.limit.unwrap_or(50))
            .await?)
    }

    /// Enqueues a `ping` to one active subscription, whatever its events.
    pub async fn test_webhook(&self, id: &str) -> Result<Delivery, AppError> {
        let webhook = self.webhook(id).await?;
        if !webhook.active {
            return Err(AppError::NotAllowed(format!(
                "webhook {id} is paused; activate it to send a test"
            )));
        }
        let data = serde_json::json!({
            "webhook_id": webhook.id,
            "message": "A test delivery from debrief: your endpoint is reachable and the signature can be checked.",
        });
        let deliveries = self.enqueue(PING_EVENT, &data, &[webhook.id]).await?;
        self.webhook_wake.notify_one();
        let id = deliveries[0];
        Ok(self.store().delivery(id).await?)
    }

    /// Tells every active subscription to `event` about it: one delivery each,
    /// written to the outbox, then the dispatcher is woken. Never fails the
    /// caller (whose own work is done): problems are logged.
    pub async fn emit(&self, event: &str, payload: serde_json::Value) {
        if event.parse::<WebhookEvent>().is_err() {
            tracing::error!(event, "emit of an event no subscription can name");
            return;
        }
        let targets: Vec<Uuid> = match self.store().webhooks().await {
            Ok(all) => all
                .into_iter()
                .filter(|w| w.active && w.fields.events.iter().any(|e| e.as_str() == event))
                .map(|w| w.id)
                .collect(),
            Err(e) => {
                tracing::error!(event, error = %e, "webhook subscriptions could not be read; the event is not delivered");
                return;
            }
        };
        if targets.is_empty() {
            return;
        }
        match self.enqueue(event, &payload, &targets).await {
            Ok(_) => self.webhook_wake.notify_one(),
            Err(e) => {
                tracing::error!(event, error = %e, "webhook deliveries could not be enqueued")
            }
        }
    }

    /// Writes one delivery of the same body per subscription; returns their ids.
    async fn enqueue(
        &self,
        event: &str,
        payload: &serde_json::Value,
        webhooks: &[Uuid],
    ) -> Result<Vec<Uuid>, AppError> {
        let now = self.now();
        let event_id = Uuid::now_v7();
        let body = serde_json::to_string(&Envelope {
            id: event_id,
            event,
            created_at: now,
            data: payload,
        })
        .map_err(|e| StoreError::Corrupt(format!("webhook payload: {e}")))?;
        let deliveries: Vec<NewDelivery> = webhooks
            .iter()
            .map(|webhook_id| NewDelivery {
                id: Uuid::now_v7(),
                webhook_id: *webhook_id,
                event_id,
                event: event.to_owned(),
                body: body.clone(),
                created_at: now,
            })
            .collect();
        self.store().enqueue_deliveries(&deliveries).await?;
        Ok(deliveries.iter().map(|d| d.id).collect())
    }
}

/// Sends due deliveries. One runs as a background task of each `debrief
/// serve`; several may share a database (claims keep them apart).
#[derive(Clone)]
pub struct Dispatcher {
    app: App,
    client: reqwest::Client,
    retry: RetryPolicy,
    timeout: Duration,
}

impl Dispatcher {
    pub fn new(app: App) -> Self {
        let timeout = app.settings().webhook_timeout;
        let client = reqwest::Client::builder()
            .timeout(timeout)
            // A redirect is not a delivery: the receiver's URL is configured,
            // and following one could carry the signed body elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("debrief-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "the webhook HTTP client could not be configured; using defaults");
                reqwest::Client::new()
            });
        Self {
            retry: app.settings().webhook_retry,
            app,
            client,
            timeout,
        }
    }

    /// How long a claim holds: longer than any attempt can take.
    fn lease(&self) -> jiff::SignedDuration {
        let secs = self.timeout.as_secs().saturating_add(50).min(3_600);
        jiff::SignedDuration::from_secs(secs as i64)
    }

    /// Sends every delivery due at `now` once (failures are scheduled, not
    /// retried here) and reports each attempt.
    pub async fn run_due_once(&self, now: jiff::Timestamp) -> Result<Vec<AttemptReport>, AppError> {
        let mut reports = Vec::new();
        loop {
            let claimed = self.claim(now, BATCH).await?;
            let full = claimed.len() == BATCH as usize;
            let sent: Vec<Result<AttemptReport, AppError>> = futures::stream::iter(claimed)
                .map(|c| self.attempt(c, now))
                .buffer_unordered(CONCURRENCY)
                .collect()
                .await;
            for r in sent {
                reports.push(r?);
            }
            if !full {
                return Ok(reports);
            }
        }
    }

    /// Claims up to `limit` deliveries due at `now`, each for one attempt.
    async fn claim(
        &self,
        now: jiff::Timestamp,
        limit: u32,
    ) -> Result<Vec<ClaimedDelivery>, AppError> {
        let lease_until = now.checked_add(self.lease()).unwrap_or(now);
        Ok(self
            .app
            .store()
            .claim_due_deliveries(now, lease_until, limit)
            .await?)
    }

    /// One POST, recorded.
    async fn attempt(
        &self,
        c: ClaimedDelivery,
        now: jiff::Timestamp,
    ) -> Result<AttemptReport, AppError> {
        let timestamp = now.as_second();
        let started = std::time::Instant::now();
        let sent = self
            .client
            .post(&c.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("X-Debrief-Event", &c.event)
            .header("X-Debrief-Delivery", c.id.to_string())
            .header("X-Debrief-Timestamp", timestamp.to_string())
            .header("X-Debrief-Signature", sign(&c.secret, timestamp, &c.body))
            .body(c.body.clone())
            .send()
            .await;
        let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let (http_status, error) = match sent {
            Ok(res) if is_success(res.status().as_u16()) => (Some(res.status().as_u16()), None),
            Ok(res) => {
                let s = res.status();
                let reason = s.canonical_reason().unwrap_or("");
                (
                    Some(s.as_u16()),
                    Some(
                        format!("HTTP {} {reason}", s.as_u16())
                            .trim_end()
                            .to_owned(),
                    ),
                )
            }
            Err(e) => (None, Some(describe(&e, self.timeout))),
        };
        let outcome = if error.is_none() {
            AttemptOutcome::Delivered
        } else {
            match self.retry.delay_after(c.attempt) {
                Some(delay) => AttemptOutcome::Retry {
                    at: now.checked_add(delay).unwrap_or(now),
                },
                None => AttemptOutcome::Failed,
            }
        };
        let record = AttemptRecord {
            delivery_id: c.id,
            attempt: c.attempt,
            at: now,
            http_status,
            error: error.clone(),
            duration_ms,
            outcome,
        };
        if !self.app.store().record_attempt(&record).await? {
            tracing::warn!(delivery = %c.id, attempt = c.attempt, "the claim ran out before the attempt was recorded; another dispatcher has the delivery");
        }
        let target = reqwest::Url::parse(&c.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_default();
        // The host only: a query string may carry the receiver's token.
        match &error {
            None => {
                tracing::info!(delivery = %c.id, event = %c.event, %target, attempt = c.attempt, status = ?http_status, duration_ms, "webhook delivered")
            }
            Some(e) => {
                tracing::warn!(delivery = %c.id, event = %c.event, %target, attempt = c.attempt, error = %e, duration_ms, outcome = ?outcome, "webhook attempt failed")
            }
        }
        Ok(AttemptReport {
            delivery_id: c.id,
            webhook_id: c.webhook_id,
            url: c.url,
            event: c.event,
            attempt: c.attempt,
            http_status,
            error,
            duration_ms,
            outcome,
        })
    }

    /// Sends due deliveries forever, up to [`CONCURRENCY`] at a time, each
    /// attempt in its own task so that a slow receiver holds one slot, not
    /// everyone's deliveries. Between claims it sleeps until the next
    /// delivery is due, [`App::emit`] or a finished attempt wakes it, or
    /// [`POLL`] passes.
    pub async fn run(self) {
        let slots = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
        loop {
            let now = self.app.now();
            let free = u32::try_from(slots.available_permits()).unwrap_or(0);
            let mut claimed_any = false;
            if free > 0 {
                match self.claim(now, free).await {
                    Ok(claimed) => {
                        for c in claimed {
                            claimed_any = true;
                            // Never waits: no more were claimed than were free,
                            // and only this loop takes slots.
                            let Ok(slot) = slots.clone().acquire_owned().await else {
                                return;
                            };
                            let d = self.clone();
                            tokio::spawn(async move {
                                if let Err(e) = d.attempt(c, now).await {
                                    tracing::error!(error = %e, "a webhook attempt could not be recorded");
                                }
                                drop(slot);
                                d.app.webhook_wake.notify_one();
                            });
                        }
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "webhook deliveries could not be claimed; trying again shortly")
                    }
                }
            }
            if claimed_any && slots.available_permits() > 0 {
                continue; // more may be due
            }
            let wait = match self.app.store().next_delivery_due().await {
                Ok(Some(due)) => {
                    let until = due.duration_since(self.app.now()).as_millis().max(0);
                    Duration::from_millis(u64::try_from(until).unwrap_or(0))
                }
                Ok(None) => POLL,
                Err(e) => {
                    tracing::error!(error = %e, "the next webhook delivery time could not be read");
                    POLL
                }
            };
            // A due delivery that cannot be claimed (all slots busy, or
            // another instance holds it) must not make this loop spin.
            let wait = wait.clamp(Duration::from_millis(250), POLL);
            tokio::select! {
                _ = self.app.webhook_wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Starts [`Dispatcher::run`] on the current tokio runtime (audited as
    /// `system: webhook dispatcher`, though what it writes — claims and
    /// attempts — is delivery bookkeeping the log leaves out).
    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        let context = debrief_store::AuditContext::new("system", "system: webhook dispatcher");
        tokio::spawn(debrief_store::with_audit_context(context, self.run()))
    }
}

/// A failed request in a few words, without the URL (it may carry a token).
fn describe(e: &reqwest::Error, timeout: Duration) -> String {
    let text = if e.is_timeout() {
        format!("no answer within {} s", timeout.as_secs())
    } else {
        let mut text = if e.is_connect() {
            "could not connect".to_owned()
        } else {
            "the request failed".to_owned()
        };
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        text
    };
    text.chars().take(ERROR_MAX).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_with_the_same_secret_timestamp_and_body() {
        let body = r#"{"id":"1","event":"ping"}"#;
        let sig = sign("s3cret-s3cret-s3cret", 1_764_158_400, body);
        assert!(sig.starts_with("sha256=") && sig.len() == 7 + 64);
        assert!(verify("s3cret-s3cret-s3cret", 1_764_158_400, body, &sig));
        assert!(!verify("other-secret-other", 1_764_158_400, body, &sig));
        assert!(!verify("s3cret-s3cret-s3cret", 1_764_158_401, body, &sig));
        assert!(!verify("s3cret-s3cret-s3cret", 1_764_158_400, "{}", &sig));
        assert!(!verify(
            "s3cret-s3cret-s3cret",
            1_764_158_400,
            body,
            "sha256=zz"
        ));
        assert!(!verify(
            "s3cret-s3cret-s3cret",
            1_764_158_400,
            body,
            &sig[7..]
        ));
    }

    #[test]
    fn the_signature_is_the_documented_hmac() {
        // Computed independently, as docs/webhooks.md shows:
        // printf '%s' '1700000000.{}' | openssl dgst -sha256 -hmac key
        assert_eq!(
            sign("key", 1_700_000_000, "{}"),
            "sha256=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae"
        );
    }

    #[test]
    fn generated_secrets_are_64_hex_digits_and_differ() {
        let a = generate_secret().unwrap();
        let b = generate_secret().unwrap();
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
