//! Settings → Webhooks (PRODUCT.md §12): the subscriptions, a form to add
//! one (its secret is shown once, on the answer to that POST), pause/resume,
//! a test delivery, delete, and the delivery log with every attempt.
//!
//! An admin page. Access control arrives with accounts (issue 6); until then
//! the server listens on 127.0.0.1 by default, like every settings page.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use debrief_app::webhooks::{Delivery, DeliveryQuery};
use debrief_app::{App, AppError};
use debrief_core::lifecycle::human_duration;
use debrief_core::webhook::{DeliveryStatus, WebhookDraft, WebhookEvent};
use debrief_core::{Precision, Timestamp};

use super::form::{Failed, FormView};
use super::view::{Choice, TimeView, Viewer, capitalise};
use super::{FormValues, Layout, error_page, render};

pub(super) fn routes() -> Router<App> {
    Router::new()
        .route("/settings/webhooks", get(page).post(create))
        .route("/settings/webhooks/{id}/active", post(set_active))
        .route("/settings/webhooks/{id}/test", post(send_test))
        .route("/settings/webhooks/{id}/delete", post(delete))
}

/// The log shows this many deliveries a page.
const LOG_PAGE: u32 = 25;

struct WebhookRow {
    id: String,
    url: String,
    description: String,
    events: Vec<&'static str>,
    active: bool,
    created: TimeView,
}

struct DeliveryRow {
    event: String,
    url: String,
    status: &'static str,
    status_class: &'static str,
    attempts: u32,
    /// The last answer or error, `—` before the first attempt.
    last: String,
    created: TimeView,
    next: Option<TimeView>,
    delivered: Option<TimeView>,
}

/// The subscription just created, with the secret shown this once.
struct Created {
    url: String,
    secret: String,
}

#[derive(Template)]
#[template(path = "settings_webhooks.html", whitespace = "minimize")]
struct WebhooksPage {
    layout: Layout,
    webhooks: Vec<WebhookRow>,
    form: FormView,
    problems: Vec<(String, String)>,
    notice: Option<String>,
    alert: Option<String>,
    created: Option<Created>,
    events: Vec<(&'static str, &'static str)>,
    schedule: String,
    deliveries: Vec<DeliveryRow>,
    log_webhooks: Vec<Choice>,
    log_statuses: Vec<Choice>,
    log_filtered: bool,
    log_error: Option<String>,
    older_url: Option<String>,
}

fn time(t: jiff::Timestamp, viewer: &Viewer) -> TimeView {
    TimeView::new(Timestamp::from_jiff(t, Precision::Second), viewer)
}

fn delivery_row(d: &Delivery, viewer: &Viewer, now: jiff::Timestamp) -> DeliveryRow {
    let sending = d.leased_until.is_some_and(|t| t > now);
    let (status_class, status) = match d.status {
        DeliveryStatus::Pending if sending => ("delivery-pending", "Sending"),
        DeliveryStatus::Pending => ("delivery-pending", "Pending"),
        DeliveryStatus::Delivered => ("delivery-delivered", "Delivered"),
        DeliveryStatus::Failed => ("delivery-failed", "Failed"),
    };
    let last = match (&d.last_error, d.last_http_status) {
        (Some(e), _) => e.clone(),
        (None, Some(s)) => format!("HTTP {s}"),
        (None, None) => "—".into(),
    };
    DeliveryRow {
        event: d.event.clone(),
        url: d.url.clone(),
        status,
        status_class,
        // The attempts made so far; one in flight is not counted yet.
        attempts: d.attempt_log.len() as u32,
        last,
        created: time(d.created_at, viewer),
        next: d
            .next_attempt_at
            .filter(|_| d.status == DeliveryStatus::Pending && !sending)
            .map(|t| time(t, viewer)),
        delivered: d.delivered_at.map(|t| time(t, viewer)),
    }
}

/// The log's filters, from the query string.
struct LogQuery {
    webhook: String,
    status: String,
    cursor: String,
}

impl LogQuery {
    fn from_query(raw: Option<String>) -> Self {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(&raw.unwrap_or_default()).unwrap_or_default();
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.trim().to_owned())
                .unwrap_or_default()
        };
        Self {
            webhook: get("webhook"),
            status: get("status"),
            cursor: get("cursor"),
        }
    }
}

struct Outcome {
    failed: Option<Failed>,
    created: Option<Created>,
    notice: Option<String>,
    alert: Option<String>,
}

async fn respond(
    app: &App,
    viewer: &Viewer,
    log: &LogQuery,
    outcome: Outcome,
    status: StatusCode,
) -> Response {
    let webhooks = match app.webhooks().await {
        Ok(w) => w,
        Err(e) => return error_page(viewer, e),
    };
    let mut log_error = None;
    let statuses = match log.status.parse::<DeliveryStatus>() {
        Ok(s) => vec![s],
        Err(m) if !log.status.is_empty() => {
            log_error = Some(capitalise(&m));
            Vec::new()
        }
        Err(_) => Vec::new(),
    };
    let query = DeliveryQuery {
        webhook_id: Some(log.webhook.clone()).filter(|w| !w.is_empty()),
        statuses,
        event: None,
        after: Some(log.cursor.clone()).filter(|c| !c.is_empty()),
        limit: Some(LOG_PAGE),
    };
    let (deliveries, next) = match app.webhook_deliveries(&query).await {
        Ok(page) => (page.items, page.next),
        Err(e @ (AppError::Invalid(_) | AppError::NotFound(_))) => {
            log_error = Some(capitalise(&e.to_string()));
            (Vec::new(), None)
        }
        Err(e) => return error_page(viewer, e),
    };
    let older_url = next.map(|c| {
        let keep = [
            ("webhook", log.webhook.as_str()),
            ("status", log.status.as_str()),
            ("cursor", &c.encode()),
        ];
        let keep: Vec<(&str, &str)> = keep.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        format!(
            "/settings/webhooks?{}#log",
            serde_urlencoded::to_string(&keep).unwrap_or_default()
        )
    });
    let mut log_webhooks = vec![Choice::new(
        "",
        "Every subscription",
        log.webhook.is_empty(),
    )];
    log_webhooks.extend(webhooks.iter().map(|w| {
        let id = w.id.to_string();
        let selected = id == log.webhook;
        Choice::new(id, w.url.clone(), selected)
    }));
    let mut log_statuses = vec![Choice::new("", "Any status", log.status.is_empty())];
    log_statuses.extend(
        DeliveryStatus::ALL
            .iter()
            .map(|s| Choice::new(s.as_str(), s.label(), s.as_str() == log.status)),
    );
    let schedule = app
        .settings()
        .webhook_retry
        .schedule()
        .iter()
        .map(|d| human_duration(d.as_secs(), Precision::Second))
        .collect::<Vec<_>>()
        .join(", ");
    let page = WebhooksPage {
        layout: Layout::new("Webhooks", "settings", viewer, "/settings/webhooks"),
        webhooks: webhooks
            .iter()
            .map(|w| WebhookRow {
                id: w.id.to_string(),
                url: w.url.clone(),
                description: w.description.clone(),
                events: w.events.iter().map(|e| e.as_str()).collect(),
                active: w.active,
                created: time(w.created_at, viewer),
            })
            .collect(),
        form: FormView::new("webhook", Vec::new(), outcome.failed.as_ref()),
        problems: outcome.failed.map(|f| f.summary()).unwrap_or_default(),
        notice: outcome.notice,
        alert: outcome.alert,
        created: outcome.created,
        events: WebhookEvent::ALL
            .iter()
            .map(|e| (e.as_str(), e.label()))
            .collect(),
        schedule,
        deliveries: deliveries
            .iter()
            .map(|d| delivery_row(d, viewer, app.now()))
            .collect(),
        log_webhooks,
        log_statuses,
        log_filtered: !(log.webhook.is_empty() && log.status.is_empty()),
        log_error,
        older_url,
    };
    render(&page, status)
}

fn nothing() -> Outcome {
    Outcome {
        failed: None,
        created: None,
        notice: None,
        alert: None,
    }
}

async fn page(State(app): State<App>, viewer: Viewer, RawQuery(q): RawQuery) -> Response {
    let flags = q.clone().unwrap_or_default();
    let has = |flag: &str| flags.split('&').any(|p| p == flag);
    let notice = if has("paused=1") {
        Some("Subscription paused: it gets no new deliveries until resumed.")
    } else if has("resumed=1") {
        Some("Subscription resumed.")
    } else if has("tested=1") {
        Some("Test delivery queued: it appears in the delivery log below.")
    } else if has("deleted=1") {
        Some("Subscription deleted with its delivery log.")
    } else {
        None
    };
    let outcome = Outcome {
        notice: notice.map(str::to_owned),
        ..nothing()
    };
    respond(
        &app,
        &viewer,
        &LogQuery::from_query(q),
        outcome,
        StatusCode::OK,
    )
    .await
}

async fn create(
    State(app): State<App>,
    viewer: Viewer,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let values = FormValues { fields };
    let draft = WebhookDraft {
        url: values.get("url"),
        events: values.all("events"),
        secret: Some(values.get("secret")),
        description: values.get("description"),
    };
    let log = LogQuery::from_query(None);
    match app.create_webhook(&draft).await {
        // The secret goes into this answer and nowhere else: no redirect,
        // since a URL would carry it into history and logs. The page is
        // `no-store`, so it is not kept in the browser's cache either.
        Ok(created) => {
            let outcome = Outcome {
                created: Some(Created {
                    url: created.webhook.url,
                    secret: created.secret,
                }),
                ..nothing()
            };
            respond(&app, &viewer, &log, outcome, StatusCode::CREATED).await
        }
        Err(AppError::Invalid(errors)) => {
            // What was typed comes back, except the secret.
            let kept = values
                .fields
                .iter()
                .filter(|(k, _)| k != "secret")
                .cloned()
                .collect();
            let failed = Failed {
                key: "webhook".into(),
                title: "the new subscription".into(),
                values: kept,
                errors: errors
                    .iter()
                    .map(|e| (Some(e.field.clone()), e.message.clone()))
                    .collect(),
            };
            let outcome = Outcome {
                failed: Some(failed),
                ..nothing()
            };
            respond(
                &app,
                &viewer,
                &log,
                outcome,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => error_page(&viewer, e),
    }
}

/// Answers a change of one subscription: back to the list, or the page
/// again with the problem when it is gone.
async fn after_change(
    app: &App,
    viewer: &Viewer,
    result: Result<(), AppError>,
    done: &str,
) -> Response {
    match result {
        Ok(()) => Redirect::to(&format!("/settings/webhooks?{done}")).into_response(),
        Err(e @ (AppError::NotFound(_) | AppError::NotAllowed(_))) => {
            let outcome = Outcome {
                alert: Some(format!("{}.", capitalise(&e.to_string()))),
                ..nothing()
            };
            let status = match e {
                AppError::NotFound(_) => StatusCode::NOT_FOUND,
                _ => StatusCode::CONFLICT,
            };
            respond(app, viewer, &LogQuery::from_query(None), outcome, status).await
        }
        Err(e) => error_page(viewer, e),
    }
}

async fn set_active(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let active = FormValues { fields }.get("active") == "true";
    let patch = debrief_app::webhooks::WebhookPatch {
        active: Some(active),
        ..Default::default()
    };
    let result = app.update_webhook(&id, &patch).await.map(|_| ());
    let done = if active { "resumed=1" } else { "paused=1" };
    after_change(&app, &viewer, result, done).await
}

async fn send_test(State(app): State<App>, viewer: Viewer, Path(id): Path<String>) -> Response {
    let result = app.test_webhook(&id).await.map(|_| ());
    after_change(&app, &viewer, result, "tested=1#log").await
}

async fn delete(State(app): State<App>, viewer: Viewer, Path(id): Path<String>) -> Response {
    let result = app.delete_webhook(&id).await;
    after_change(&app, &viewer, result, "deleted=1").await
}
