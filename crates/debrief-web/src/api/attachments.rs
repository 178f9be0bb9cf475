//! Evidence attachments over HTTP: upload (multipart/form-data, or the raw
//! file as the body with `?name=`), list, download with the safe headers,
//! and the chain of custody. The upload and download helpers are shared
//! with the pages.
//!
//! Uploads stream: the body is read chunk by chunk and refused with 413 as
//! soon as it passes the organisation's limit (`--max-attachment-bytes`),
//! whatever `Content-Length` claimed. Downloads are served only after the
//! use case re-hashed the bytes, never with a type a browser would run:
//! only [`debrief_core::attachment::INLINE_TYPES`] are inline, always with
//! `X-Content-Type-Options: nosniff` and a sandboxing CSP.

use axum::Extension;
use axum::Json;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use debrief_app::attachments::VerifiedDownload;
use debrief_app::{App, Caller};
use debrief_core::attachment::{
    Attachment, AttachmentDraft, CustodyEntry, content_disposition, too_large_message,
};
use futures::StreamExt as _;
use serde::Serialize;
use utoipa::ToSchema;

use super::problem::{ApiError, FieldProblem, Problem};

/// What multipart framing and the text fields may add to the file's size.
pub const UPLOAD_OVERHEAD_BYTES: u64 = 64 * 1024;
/// The longest text field of an upload form (the description).
const TEXT_FIELD_LIMIT: usize = 16 * 1024;

/// An attachment's metadata.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentDto {
    pub id: String,
    pub incident_id: String,
    pub event_id: String,
    pub file_name: String,
    /// The type the uploader declared.
    pub declared_type: String,
    /// The type detected from the content.
    pub detected_type: String,
    /// The `Content-Type` it is downloaded with.
    pub served_as: String,
    /// Whether a browser shows it (`inline`) or saves it (`attachment`).
    pub disposition: String,
    pub size: u64,
    /// Lower-case hex SHA-256 of the content, recorded when it was added.
    pub sha256: String,
    pub added_by: String,
    /// RFC 3339, UTC.
    pub added_at: String,
    pub description: Option<String>,
    /// Where to download it.
    pub download: String,
}

impl AttachmentDto {
    pub fn from(a: &Attachment) -> Self {
        let s = a.serving();
        Self {
            id: a.id.to_string(),
            incident_id: a.incident_id.to_string(),
            event_id: a.event_id.to_string(),
            file_name: a.file_name.clone(),
            declared_type: a.declared_type.clone(),
            detected_type: a.detected_type.clone(),
            served_as: s.content_type.into(),
            disposition: if s.inline { "inline" } else { "attachment" }.into(),
            size: a.size,
            sha256: a.sha256.clone(),
            added_by: a.added_by.clone(),
            added_at: a.added_at.to_string(),
            description: a.description.clone(),
            download: format!("/api/v1/attachments/{}", a.id),
        }
    }
}

/// One entry of the chain of custody.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustodyDto {
    pub at: String,
    pub actor: String,
    /// added, downloaded, verified, integrity_failed, imported.
    pub action: String,
    /// The hash computed from the stored bytes at that moment.
    pub sha256: String,
    pub note: Option<String>,
}

/// An attachment with its chain of custody.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustodyPageDto {
    pub attachment: AttachmentDto,
    pub custody: Vec<CustodyDto>,
}

impl CustodyDto {
    pub fn from(e: &CustodyEntry) -> Self {
        Self {
            at: e.at.to_string(),
            actor: e.actor.clone(),
            action: e.action.as_str().into(),
            sha256: e.sha256.clone(),
            note: e.note.clone(),
        }
    }
}

/// A file as it arrived, before the use case checks it.
pub struct Upload {
    pub draft: AttachmentDraft,
    pub content: Vec<u8>,
}

/// Why an upload could not be read.
pub enum UploadError {
    /// Over the limit (413).
    TooLarge(String),
    /// Unreadable or incomplete (400/422), with the field concerned.
    Bad {
        field: &'static str,
        message: String,
    },
}

impl UploadError {
    pub fn problem(self) -> Problem {
        match self {
            UploadError::TooLarge(m) => {
                let mut p = Problem::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too-large",
                    "The file is larger than the limit",
                    m,
                );
                p.field = Some("file".into());
                p
            }
            UploadError::Bad { field, message } => {
                let mut p = Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid-input",
                    "The input is not valid",
                    format!("{field}: {message}"),
                );
                p.errors.push(FieldProblem {
                    field: field.into(),
                    message,
                });
                p
            }
        }
    }
    pub fn message(&self) -> String {
        match self {
            UploadError::TooLarge(m) => m.clone(),
            UploadError::Bad { field, message } => format!("{field}: {message}"),
        }
    }
}

fn too_large(size: u64, max: u64) -> UploadError {
    UploadError::TooLarge(too_large_message(size, max))
}

/// Reads an upload: `multipart/form-data` with a `file` part (its file
/// name and type) and optional `description` and `content_type` parts, or
/// any other body as the file itself, named by `?name=` (its type from
/// `Content-Type`, a description from `?description=`).
pub async fn read_upload(request: Request, max: u64) -> Result<Upload, UploadError> {
    let declared_length = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(n) = declared_length
        && n > max.saturating_add(UPLOAD_OVERHEAD_BYTES)
    {
        return Err(too_large(n, max));
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if content_type
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        read_multipart(request, max).await
    } else {
        let query: Vec<(String, String)> =
            serde_urlencoded::from_str(request.uri().query().unwrap_or_default())
                .unwrap_or_default();
        let get = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let Some(name) = get("name") else {
            return Err(UploadError::Bad {
                field: "name",
                message:
                    "send the file as multipart/form-data, or as the body with ?name=FILE_NAME"
                        .into(),
            });
        };
        let mut content = Vec::new();
        let mut stream = request.into_body().into_data_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| UploadError::Bad {
                field: "file",
                message: format!("the upload broke off: {e}"),
            })?;
            if (content.len() + chunk.len()) as u64 > max {
                return Err(too_large((content.len() + chunk.len()) as u64, max));
            }
            content.extend_from_slice(&chunk);
        }
        Ok(Upload {
            draft: AttachmentDraft {
                file_name: name,
                content_type: Some(content_type).filter(|t| !t.is_empty()),
                description: get("description"),
            },
            content,
        })
    }
}

async fn read_multipart(request: Request, max: u64) -> Result<Upload, UploadError> {
    let bad = |field: &'static str, message: String| UploadError::Bad { field, message };
    let mut multipart = Multipart::from_request(request, &()).await.map_err(|e| {
        bad(
            "file",
            format!("the form cannot be read: {}", e.body_text()),
        )
    })?;
    let mut file: Option<(String, Option<String>, Vec<u8>)> = None;
    let mut description = None;
    let mut declared = None;
    let mut parts = 0;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    return Err(UploadError::TooLarge(too_large_message(max + 1, max)));
                }
                return Err(bad(
                    "file",
                    format!("the form cannot be read: {}", e.body_text()),
                ));
            }
        };
        parts += 1;
        if parts > 16 {
            return Err(bad("file", "the form has too many parts".into()));
        }
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" => {
                if file.is_some() {
                    return Err(bad("file", "send one file per upload".into()));
                }
                let file_name = field.file_name().unwrap_or_default().to_owned();
                let kind = field.content_type().map(str::to_owned);
                let mut content = Vec::new();
                let mut field = field;
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => {
                            let n = (content.len() + chunk.len()) as u64;
                            if n > max {
                                return Err(too_large(n, max));
                            }
                            content.extend_from_slice(&chunk);
                        }
                        Ok(None) => break,
                        Err(e) => {
                            return Err(bad(
                                "file",
                                format!("the upload broke off: {}", e.body_text()),
                            ));
                        }
                    }
                }
                file = Some((file_name, kind, content));
            }
            "description" | "content_type" => {
                let mut text = Vec::new();
                let mut field = field;
                while let Ok(Some(chunk)) = field.chunk().await {
                    text.extend_from_slice(&chunk);
                    if text.len() > TEXT_FIELD_LIMIT {
                        return Err(bad(
                            "description",
                            format!("at most {TEXT_FIELD_LIMIT} bytes"),
                        ));
                    }
                }
                let text = String::from_utf8(text)
                    .map_err(|_| bad("description", "is not UTF-8 text".into()))?;
                if name == "description" {
                    description = Some(text);
                } else {
                    declared = Some(text);
                }
            }
            // The CSRF field of page forms, and anything else, is ignored.
            _ => {}
        }
    }
    let Some((file_name, kind, content)) = file else {
        return Err(bad(
            "file",
            "choose a file to attach (a form part named `file`)".into(),
        ));
    };
    Ok(Upload {
        draft: AttachmentDraft {
            file_name,
            content_type: declared.filter(|d| !d.trim().is_empty()).or(kind),
            description,
        },
        content,
    })
}

/// The download response: the bytes with a type no browser runs, the
/// disposition, `nosniff`, a sandboxing CSP and the SHA-256 as
/// `Repr-Digest` (RFC 9530) and `Digest` (RFC 3230).
pub fn download_response(d: VerifiedDownload) -> Response {
    let a = &d.attachment;
    let serving = a.serving();
    let digest = match hex::decode(&a.sha256) {
        Ok(raw) => base64::engine::general_purpose::STANDARD.encode(raw),
        Err(_) => String::new(),
    };
    let mut res = Response::new(Body::from(d.content));
    let h = res.headers_mut();
    let mut set = |name: header::HeaderName, value: String| {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    };
    set(header::CONTENT_TYPE, serving.content_type.into());
    set(
        header::CONTENT_DISPOSITION,
        content_disposition(&a.file_name, serving.inline),
    );
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff".into());
    set(
        header::CONTENT_SECURITY_POLICY,
        "sandbox; default-src 'none'; frame-ancestors 'none'".into(),
    );
    set(
        header::HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin".into(),
    );
    set(header::CACHE_CONTROL, "private, no-store".into());
    set(
        header::HeaderName::from_static("repr-digest"),
        format!("sha-256=:{digest}:"),
    );
    set(
        header::HeaderName::from_static("digest"),
        format!("sha-256={digest}"),
    );
    res
}

/// Attach a file to a timeline event as evidence: `multipart/form-data`
/// with a `file` part (and optional `description`, `content_type`), or the
/// file as the body with `?name=`. Stored with its SHA-256, size, types,
/// who added it and when; 413 over the limit (`--max-attachment-bytes`).
#[utoipa::path(post, path = "/incidents/{key}/events/{event_id}/attachments", tag = "timeline",
    params(("key" = String, Path), ("event_id" = String, Path),
           ("name" = Option<String>, Query, description = "the file name, when the body is the file itself"),
           ("description" = Option<String>, Query, description = "what the file shows, when the body is the file itself")),
    request_body(content_type = "multipart/form-data", description = "a `file` part; or any type with `?name=`"),
    responses((status = 201, body = AttachmentDto, headers(("Location" = String))),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 413, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn upload(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path((key, event_id)): Path<(String, String)>,
    request: Request,
) -> Result<Response, ApiError> {
    let upload = read_upload(request, app.max_attachment_bytes())
        .await
        .map_err(|e| ApiError::from(e.problem()))?;
    let a = app
        .add_attachment(&caller, &key, &event_id, &upload.draft, &upload.content)
        .await?;
    let dto = AttachmentDto::from(&a);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, dto.download.clone())],
        Json(dto),
    )
        .into_response())
}

/// The evidence attached to one event.
#[utoipa::path(get, path = "/incidents/{key}/events/{event_id}/attachments", tag = "timeline",
    params(("key" = String, Path), ("event_id" = String, Path)),
    responses((status = 200, body = Vec<AttachmentDto>),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_for_event(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path((key, event_id)): Path<(String, String)>,
) -> Result<Json<Vec<AttachmentDto>>, ApiError> {
    let all = app.incident_attachments(&caller, &key).await?;
    Ok(Json(
        all.iter()
            .filter(|a| a.event_id.to_string() == event_id.trim())
            .map(AttachmentDto::from)
            .collect(),
    ))
}

/// All the evidence attached to an incident's events.
#[utoipa::path(get, path = "/incidents/{key}/attachments", tag = "timeline",
    params(("key" = String, Path)),
    responses((status = 200, body = Vec<AttachmentDto>),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_for_incident(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(key): Path<String>,
) -> Result<Json<Vec<AttachmentDto>>, ApiError> {
    let all = app.incident_attachments(&caller, &key).await?;
    Ok(Json(all.iter().map(AttachmentDto::from).collect()))
}

/// Download an attachment. The stored bytes are re-hashed first: on a
/// mismatch nothing is served (500 `integrity-failed`, recorded in the
/// chain of custody). Only PNG, JPEG, GIF, WebP and plain text are shown
/// inline; everything else is `application/octet-stream` as a download.
#[utoipa::path(get, path = "/attachments/{id}", tag = "timeline",
    params(("id" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>,
               headers(("Repr-Digest" = String, description = "sha-256=:BASE64:"),
                       ("Content-Disposition" = String))),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 500, body = Problem, content_type = "application/problem+json")))]
pub async fn download(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(download_response(
        app.download_attachment(&caller, &id).await?,
    ))
}

/// An attachment's chain of custody: added, every download and check with
/// the hash seen, who and when.
#[utoipa::path(get, path = "/attachments/{id}/custody", tag = "timeline",
    params(("id" = String, Path)),
    responses((status = 200, body = CustodyPageDto),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn custody(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<CustodyPageDto>, ApiError> {
    let (a, entries) = app.attachment_custody(&caller, &id).await?;
    Ok(Json(CustodyPageDto {
        attachment: AttachmentDto::from(&a),
        custody: entries.iter().map(CustodyDto::from).collect(),
    }))
}
