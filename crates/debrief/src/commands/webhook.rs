//! `debrief webhook …`: subscriptions, the delivery log, and one round of
//! delivery. The JSON of `--json` is the REST API's (same DTOs), so scripts
//! can move between the two.

use debrief_app::App;
use debrief_app::webhooks::{AttemptReport, DeliveryQuery, Dispatcher};
use debrief_core::FieldErrors;
use debrief_core::webhook::{DeliveryStatus, WebhookDraft};
use debrief_store::webhooks::AttemptOutcome;
use debrief_web::api::webhooks::{CreatedWebhookDto, DeliveryDto, WebhookDto};

use super::parse_each;
use crate::cli::{
    WebhookAddArgs, WebhookDeliverArgs, WebhookListArgs, WebhookLogArgs, WebhookRemoveArgs,
};
use crate::output;

pub async fn add(app: &App, args: WebhookAddArgs) -> anyhow::Result<()> {
    let created = app
        .create_webhook(&WebhookDraft {
            url: args.url,
            events: args.events,
            secret: args.secret,
            description: args.description,
        })
        .await?;
    if args.json {
        let dto = CreatedWebhookDto {
            webhook: created.webhook.into(),
            secret: created.secret,
        };
        output::print(&output::to_json(&dto))?;
    } else {
        let w = &created.webhook;
        output::print(&format!(
            "added webhook {} for {} ({})\nsecret: {}\n(keep the secret now: it is not shown again)\n",
            w.id,
            w.url,
            w.events
                .iter()
                .map(|e| e.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            created.secret
        ))?;
    }
    Ok(())
}

pub async fn list(app: &App, args: WebhookListArgs) -> anyhow::Result<()> {
    let webhooks = app.webhooks().await?;
    if args.json {
        let list: Vec<WebhookDto> = webhooks.into_iter().map(WebhookDto::from).collect();
        output::print(&output::to_json(&list))?;
        return Ok(());
    }
    let rows: Vec<Vec<String>> = webhooks
        .iter()
        .map(|w| {
            vec![
                w.id.to_string(),
                if w.active { "active" } else { "paused" }.to_owned(),
                w.events
                    .iter()
                    .map(|e| e.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
                w.url.clone(),
            ]
        })
        .collect();
    output::print(&output::table(&["ID", "STATE", "EVENTS", "URL"], &rows))?;
    Ok(())
}

pub async fn remove(app: &App, args: WebhookRemoveArgs) -> anyhow::Result<()> {
    app.delete_webhook(&args.id).await?;
    output::print(&format!(
        "removed webhook {} and its delivery log\n",
        args.id.trim()
    ))?;
    Ok(())
}

pub async fn log(app: &App, args: WebhookLogArgs) -> anyhow::Result<()> {
    let mut errors = FieldErrors::default();
    let statuses = parse_each(
        &args.statuses,
        "status",
        |s| s.parse::<DeliveryStatus>(),
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(debrief_app::AppError::Invalid(errors).into());
    }
    let page = app
        .webhook_deliveries(&DeliveryQuery {
            webhook_id: args.id,
            statuses,
            event: None,
            after: None,
            limit: Some(args.limit),
        })
        .await?;
    if args.json {
        let list: Vec<DeliveryDto> = page.items.into_iter().map(DeliveryDto::from).collect();
        output::print(&output::to_json(&list))?;
        return Ok(());
    }
    let mut out = String::new();
    if page.items.is_empty() {
        out.push_str("no deliveries\n");
    }
    for d in &page.items {
        out.push_str(&format!(
            "{} {} {} → {}: {} after {} attempt{}",
            d.created_at,
            d.id,
            d.event,
            d.url,
            d.status,
            d.attempts,
            if d.attempts == 1 { "" } else { "s" }
        ));
        if let (DeliveryStatus::Pending, Some(next)) = (d.status, d.next_attempt_at) {
            out.push_str(&format!(", next at {next}"));
        }
        out.push('\n');
        for a in &d.attempt_log {
            out.push_str(&format!(
                "  attempt {} at {}: {} ({} ms)\n",
                a.attempt,
                a.at,
                answer(&a.error, a.http_status),
                a.duration_ms
            ));
        }
    }
    output::print(&out)?;
    Ok(())
}

pub async fn deliver(app: &App, args: WebhookDeliverArgs) -> anyhow::Result<()> {
    let reports = Dispatcher::new(app.clone()).run_due_once(app.now()).await?;
    if args.json {
        let list: Vec<serde_json::Value> = reports.iter().map(report_json).collect();
        output::print(&output::to_json(&list))?;
        return Ok(());
    }
    let mut out = String::new();
    if reports.is_empty() {
        out.push_str("nothing is due\n");
    }
    for r in &reports {
        out.push_str(&report_line(r));
        out.push('\n');
    }
    output::print(&out)?;
    Ok(())
}

/// What the receiver said: the error, else the status.
fn answer(error: &Option<String>, http_status: Option<u16>) -> String {
    match (error, http_status) {
        (Some(e), _) => e.clone(),
        (None, Some(s)) => format!("HTTP {s}"),
        (None, None) => "-".into(),
    }
}

fn report_line(r: &AttemptReport) -> String {
    let what = format!(
        "{} {} to {} (attempt {}, {}, {} ms)",
        r.event,
        r.delivery_id,
        r.url,
        r.attempt,
        answer(&r.error, r.http_status),
        r.duration_ms
    );
    match r.outcome {
        AttemptOutcome::Delivered => format!("delivered {what}"),
        AttemptOutcome::Retry { at } => format!("failed {what}; next attempt at {at}"),
        AttemptOutcome::Failed => format!("gave up on {what}"),
    }
}

fn report_json(r: &AttemptReport) -> serde_json::Value {
    let (outcome, next) = match r.outcome {
        AttemptOutcome::Delivered => ("delivered", None),
        AttemptOutcome::Retry { at } => ("retry", Some(at.to_string())),
        AttemptOutcome::Failed => ("failed", None),
    };
    serde_json::json!({
        "delivery_id": r.delivery_id.to_string(),
        "webhook_id": r.webhook_id.to_string(),
        "url": r.url,
        "event": r.event,
        "attempt": r.attempt,
        "http_status": r.http_status,
        "error": r.error,
        "duration_ms": r.duration_ms,
        "outcome": outcome,
        "next_attempt_at": next,
    })
}
