//! The webhook API (PRODUCT.md §12): subscriptions, their delivery log, and
//! a test delivery. An admin interface: access control arrives with accounts
//! (issue 6); until then the server listens on 127.0.0.1 by default.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use debrief_app::App;
use debrief_app::webhooks::{Delivery, DeliveryQuery, Webhook, WebhookPatch};
use debrief_core::webhook::{DeliveryStatus, WebhookDraft};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::problem::{ApiError, Problem};
use super::{ApiJson, first, invalid, parse_all, query_pairs};

/// A subscription. The secret is shown only in the answer that created it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookDto {
    pub id: String,
    /// Where deliveries are POSTed.
    pub url: String,
    /// `action.created`, `action.overdue`, `action.done`, `action.verified`,
    /// `review.approved`, `workshop.scheduled`.
    pub events: Vec<String>,
    pub description: String,
    /// Paused subscriptions get no new deliveries; their pending ones wait.
    pub active: bool,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<Webhook> for WebhookDto {
    fn from(w: Webhook) -> Self {
        Self {
            id: w.id.to_string(),
            url: w.url,
            events: w.events.iter().map(|e| e.as_str().to_owned()).collect(),
            description: w.description,
            active: w.active,
            version: w.version,
            created_at: w.created_at.to_string(),
            updated_at: w.updated_at.to_string(),
        }
    }
}

/// A new subscription with its secret: keep it now, it is not shown again.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedWebhookDto {
    #[serde(flatten)]
    pub webhook: WebhookDto,
    /// The HMAC-SHA256 key of `X-Debrief-Signature` (docs/webhooks.md).
    pub secret: String,
}

/// A new subscription.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookInput {
    /// An `http` or `https` URL, without a user name or password.
    pub url: String,
    /// At least one event name.
    pub events: Vec<String>,
    /// At least 16 characters; omit it and debrief generates 32 random
    /// bytes (64 hex digits).
    #[serde(default)]
    pub secret: Option<String>,
    #[serde(default)]
    pub description: String,
}

/// A change: only the fields sent are changed. The secret cannot be changed.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookPatchInput {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub description: Option<String>,
    pub active: Option<bool>,
}

/// One attempt to deliver.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttemptDto {
    /// 1 for the first.
    pub attempt: u32,
    pub at: String,
    /// The receiver's status, when it answered.
    pub http_status: Option<u16>,
    /// A non-2xx answer or the connection error, shortened.
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// One event for one subscription, with every attempt.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryDto {
    /// Also the `X-Debrief-Delivery` header.
    pub id: String,
    pub webhook_id: String,
    /// The subscription's URL.
    pub url: String,
    /// `ping` for a test delivery.
    pub event: String,
    /// The body's `id`: the same for every subscription the event went to.
    pub event_id: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: u32,
    pub created_at: String,
    /// When a pending delivery is tried next.
    pub next_attempt_at: Option<String>,
    pub last_attempt_at: Option<String>,
    pub last_http_status: Option<u16>,
    pub last_error: Option<String>,
    pub delivered_at: Option<String>,
    pub attempt_log: Vec<AttemptDto>,
}

impl From<Delivery> for DeliveryDto {
    fn from(d: Delivery) -> Self {
        let text = |t: Option<jiff::Timestamp>| t.map(|t| t.to_string());
        Self {
            id: d.id.to_string(),
            webhook_id: d.webhook_id.to_string(),
            url: d.url,
            event: d.event,
            event_id: d.event_id.to_string(),
            status: d.status.as_str().into(),
            attempts: d.attempts,
            created_at: d.created_at.to_string(),
            next_attempt_at: text(d.next_attempt_at),
            last_attempt_at: text(d.last_attempt_at),
            last_http_status: d.last_http_status,
            last_error: d.last_error,
            delivered_at: text(d.delivered_at),
            attempt_log: d
                .attempt_log
                .into_iter()
                .map(|a| AttemptDto {
                    attempt: a.attempt,
                    at: a.at.to_string(),
                    http_status: a.http_status,
                    error: a.error,
                    duration_ms: a.duration_ms,
                })
                .collect(),
        }
    }
}

/// A page of the delivery log, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryPageDto {
    pub items: Vec<DeliveryDto>,
    /// Pass as `cursor` for the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Every subscription, oldest first.
#[utoipa::path(get, path = "/webhooks", tag = "webhooks",
    responses((status = 200, body = Vec<WebhookDto>)))]
pub async fn list_webhooks(State(app): State<App>) -> Result<Json<Vec<WebhookDto>>, ApiError> {
    Ok(Json(
        app.webhooks()
            .await?
            .into_iter()
            .map(WebhookDto::from)
            .collect(),
    ))
}

/// Subscribe a URL to events. The answer carries the secret, once.
#[utoipa::path(post, path = "/webhooks", tag = "webhooks", request_body = WebhookInput,
    responses((status = 201, body = CreatedWebhookDto, headers(("Location" = String))),
              (status = 422, body = Problem, content_type = "application/problem+json", description = "bad URL, unknown event (the problem lists the known ones), short secret")))]
pub async fn create_webhook(
    State(app): State<App>,
    ApiJson(input): ApiJson<WebhookInput>,
) -> Result<Response, ApiError> {
    let created = app
        .create_webhook(&WebhookDraft {
            url: input.url,
            events: input.events,
            secret: input.secret,
            description: input.description,
        })
        .await?;
    let location = format!("/api/v1/webhooks/{}", created.webhook.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(CreatedWebhookDto {
            webhook: created.webhook.into(),
            secret: created.secret,
        }),
    )
        .into_response())
}

/// One subscription (without its secret).
#[utoipa::path(get, path = "/webhooks/{id}", tag = "webhooks", params(("id" = String, Path)),
    responses((status = 200, body = WebhookDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_webhook(
    State(app): State<App>,
    Path(id): Path<String>,
) -> Result<Json<WebhookDto>, ApiError> {
    Ok(Json(app.webhook(&id).await?.into()))
}

/// Change a subscription: pause or resume it (`active`), or change its URL,
/// events or description. Fields not sent stay as they are.
#[utoipa::path(patch, path = "/webhooks/{id}", tag = "webhooks", params(("id" = String, Path)), request_body = WebhookPatchInput,
    responses((status = 200, body = WebhookDto),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_webhook(
    State(app): State<App>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<WebhookPatchInput>,
) -> Result<Json<WebhookDto>, ApiError> {
    let patch = WebhookPatch {
        url: input.url,
        events: input.events,
        description: input.description,
        active: input.active,
    };
    Ok(Json(app.update_webhook(&id, &patch).await?.into()))
}

/// Delete a subscription and its delivery log.
#[utoipa::path(delete, path = "/webhooks/{id}", tag = "webhooks", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_webhook(
    State(app): State<App>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    app.delete_webhook(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The subscription's delivery log, newest first, with every attempt.
#[utoipa::path(get, path = "/webhooks/{id}/deliveries", tag = "webhooks",
    params(("id" = String, Path),
           ("status" = Option<String>, Query, description = "pending, delivered, failed; repeat or comma-separate"),
           ("event" = Option<String>, Query, description = "an event name, or ping"),
           ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
           ("limit" = Option<u32>, Query, description = "1–500, default 50")),
    responses((status = 200, body = DeliveryPageDto),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list_deliveries(
    State(app): State<App>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<DeliveryPageDto>, ApiError> {
    let pairs = query_pairs(q)?;
    let limit = match first(&pairs, "limit") {
        Some(l) => Some(
            l.parse::<u32>()
                .map_err(|_| invalid("limit", format!("`{l}` is not a number")))?,
        ),
        None => None,
    };
    let query = DeliveryQuery {
        webhook_id: Some(id),
        statuses: parse_all::<DeliveryStatus>(&pairs, "status")?,
        event: first(&pairs, "event").map(str::to_owned),
        after: first(&pairs, "cursor").map(str::to_owned),
        limit,
    };
    let page = app.webhook_deliveries(&query).await?;
    Ok(Json(DeliveryPageDto {
        items: page.items.into_iter().map(DeliveryDto::from).collect(),
        next_cursor: page.next.map(|c| c.encode()),
    }))
}

/// Send a `ping` to this subscription (whatever its events). Answers at once
/// with the queued delivery; the dispatcher sends it in the background.
#[utoipa::path(post, path = "/webhooks/{id}/test", tag = "webhooks", params(("id" = String, Path)),
    responses((status = 202, body = DeliveryDto),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json", description = "the subscription is paused")))]
pub async fn test_webhook(
    State(app): State<App>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let delivery = app.test_webhook(&id).await?;
    Ok((StatusCode::ACCEPTED, Json(DeliveryDto::from(delivery))).into_response())
}
