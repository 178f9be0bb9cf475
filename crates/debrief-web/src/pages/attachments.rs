//! Evidence on the pages: the attach form on each timeline event (a plain
//! multipart form POST, no JavaScript), the download, and an attachment's
//! page with its chain of custody.
//!
//! The multipart form carries its CSRF token in the action's query string
//! (`?_csrf=`): the guard checks it there for bodies it does not parse, so
//! it never buffers an upload to find a form field.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use debrief_app::App;
use debrief_core::Precision;
use debrief_core::attachment::{Attachment, CustodyAction, human_size};

use super::view::{TimeView, Viewer};
use super::{Layout, error_page, render, timeline_response};
use crate::api::attachments::{UploadError, download_response, read_upload};

pub fn routes() -> Router<App> {
    Router::new()
        .route(
            "/incidents/{key}/events/{event_id}/attachments",
            post(upload)
                // The upload enforces the organisation's limit itself.
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/attachments/{id}", get(attachment_page))
        .route("/attachments/{id}/download", get(download))
}

/// One attachment as the timeline shows it.
pub(crate) struct AttachmentRow {
    pub id: String,
    pub file_name: String,
    pub size: String,
    pub detected_type: String,
    pub declared_type: String,
    pub mismatch: bool,
    pub inline: bool,
    pub sha256: String,
    pub short_hash: String,
    pub added_by: String,
    pub added: TimeView,
    pub description: String,
}

impl AttachmentRow {
    pub fn new(a: &Attachment, viewer: &Viewer) -> Self {
        Self {
            id: a.id.to_string(),
            file_name: a.file_name.clone(),
            size: human_size(a.size),
            detected_type: a.detected_type.clone(),
            declared_type: a.declared_type.clone(),
            mismatch: a.type_mismatch(),
            inline: a.serving().inline,
            sha256: a.sha256.clone(),
            short_hash: a.short_hash().to_owned(),
            added_by: a.added_by.clone(),
            added: TimeView::new(
                debrief_core::Timestamp::from_jiff(a.added_at, Precision::Second),
                viewer,
            ),
            description: a.description.clone().unwrap_or_default(),
        }
    }
}

async fn upload(
    State(app): State<App>,
    viewer: Viewer,
    Path((key, event_id)): Path<(String, String)>,
    request: Request,
) -> Response {
    let upload = match read_upload(request, app.max_attachment_bytes()).await {
        Ok(u) => u,
        Err(e) => {
            let status = match e {
                UploadError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
                UploadError::Bad { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            };
            return refused(&app, &viewer, &key, status, e.message()).await;
        }
    };
    match app
        .add_attachment(
            &viewer.caller(),
            &key,
            &event_id,
            &upload.draft,
            &upload.content,
        )
        .await
    {
        Ok(a) => {
            let name: String = form_urlencoded(&a.file_name);
            Redirect::to(&format!(
                "/incidents/{key}/timeline?attached={name}#event-{}",
                a.event_id
            ))
            .into_response()
        }
        Err(debrief_app::AppError::Invalid(errors)) => {
            let message = errors
                .iter()
                .map(|e| format!("{}: {}", e.field.replace('_', " "), e.message))
                .collect::<Vec<_>>()
                .join("; ");
            refused(
                &app,
                &viewer,
                &key,
                StatusCode::UNPROCESSABLE_ENTITY,
                message,
            )
            .await
        }
        Err(e) => error_page(&viewer, e),
    }
}

/// The timeline again, with why the file was not attached.
async fn refused(
    app: &App,
    viewer: &Viewer,
    key: &str,
    status: StatusCode,
    message: String,
) -> Response {
    timeline_response(
        app,
        viewer,
        key,
        "",
        None,
        None,
        Some(format!("The file was not attached. {message}")),
        status,
    )
    .await
}

fn form_urlencoded(v: &str) -> String {
    serde_urlencoded::to_string([("", v)])
        .unwrap_or_default()
        .trim_start_matches('=')
        .to_owned()
}

async fn download(State(app): State<App>, viewer: Viewer, Path(id): Path<String>) -> Response {
    match app.download_attachment(&viewer.caller(), &id).await {
        Ok(d) => download_response(d),
        Err(e) => error_page(&viewer, e),
    }
}

struct CustodyRow {
    at: TimeView,
    actor: String,
    label: &'static str,
    failed: bool,
    sha256: String,
    matches: bool,
    note: String,
}

#[derive(Template)]
#[template(path = "attachment.html")]
struct AttachmentPage {
    layout: Layout,
    key: String,
    row: AttachmentRow,
    served_as: &'static str,
    custody: Vec<CustodyRow>,
    failures: usize,
}

async fn attachment_page(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let (a, entries) = match app.attachment_custody(&viewer.caller(), &id).await {
        Ok(v) => v,
        Err(e) => return error_page(&viewer, e),
    };
    let key = match app.store().incident_by_id(a.incident_id).await {
        Ok(i) => i.key.to_string(),
        Err(e) => return error_page(&viewer, e.into()),
    };
    let custody: Vec<CustodyRow> = entries
        .iter()
        .map(|e| CustodyRow {
            at: TimeView::new(
                debrief_core::Timestamp::from_jiff(e.at, Precision::Second),
                &viewer,
            ),
            actor: e.actor.clone(),
            label: e.action.label(),
            failed: e.action == CustodyAction::IntegrityFailed,
            matches: e.sha256 == a.sha256,
            sha256: e.sha256.clone(),
            note: e.note.clone().unwrap_or_default(),
        })
        .collect();
    let page = AttachmentPage {
        layout: Layout::new(
            format!("Evidence · {}", a.file_name),
            "incidents",
            &viewer,
            format!("/attachments/{}", a.id),
        ),
        failures: custody.iter().filter(|c| c.failed).count(),
        served_as: a.serving().content_type,
        row: AttachmentRow::new(&a, &viewer),
        key,
        custody,
    };
    render(&page, StatusCode::OK)
}
