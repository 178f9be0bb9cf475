//! Plans and training over HTTP (PRODUCT.md §9): the document register,
//! lesson links to document changes, the lessons without a home, and the
//! "review complete" policy.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use debrief_app::documents::{LessonLinkPatch, UnhomedLesson};
use debrief_app::{App, AppError, Caller};
use debrief_core::document::{Document, DocumentDraft, LessonLink, LessonLinkDraft, ReviewPolicy};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::problem::{ApiError, Problem};
use super::{ApiJson, invalid};

/// A registered document.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentDto {
    pub id: String,
    /// `response_plan`, `playbook`, `runbook`, `policy`, `training_module`, `other`.
    pub kind: String,
    pub title: String,
    /// The owner's email.
    pub owner: String,
    pub owner_name: String,
    /// The document's own version (`3.2`).
    pub document_version: String,
    pub link: String,
    /// `current` or `retired`.
    pub status: String,
    /// `YYYY-MM-DD`, when the document is next due for review.
    pub review_on: Option<String>,
    /// The row version: send it back to change the document.
    pub version: i64,
}

/// The document as the API shows it (its owner's email and name looked up).
pub async fn document_dto(app: &App, d: &Document) -> Result<DocumentDto, AppError> {
    let owner = app.person(&d.owner_id.to_string()).await?;
    Ok(DocumentDto {
        id: d.id.to_string(),
        kind: d.kind.as_str().into(),
        title: d.title.clone(),
        owner: owner.as_ref().map(|p| p.email.clone()).unwrap_or_default(),
        owner_name: owner.map(|p| p.name).unwrap_or_default(),
        document_version: d.document_version.clone(),
        link: d.link.clone(),
        status: d.status.as_str().into(),
        review_on: d.review_on.map(|d| d.to_string()),
        version: d.version,
    })
}

/// A new document. `owner` is a person's email (or id).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentInput {
    pub kind: String,
    pub title: String,
    pub owner: String,
    #[serde(default)]
    pub document_version: String,
    pub link: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub review_on: String,
}

/// A document's changed fields and the `version` you read; absent fields
/// keep their value (`review_on: ""` clears the date).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentPatch {
    pub version: Option<i64>,
    pub kind: Option<String>,
    pub title: Option<String>,
    pub owner: Option<String>,
    pub document_version: Option<String>,
    pub link: Option<String>,
    pub status: Option<String>,
    pub review_on: Option<String>,
}

/// Every registered document, current ones first.
#[utoipa::path(get, path = "/documents", tag = "plans",
    responses((status = 200, body = [DocumentDto])))]
pub async fn list_documents(State(app): State<App>) -> Result<Json<Vec<DocumentDto>>, ApiError> {
    let mut out = Vec::new();
    for d in app.documents().await? {
        out.push(document_dto(&app, &d).await?);
    }
    Ok(Json(out))
}

/// Register a document.
#[utoipa::path(post, path = "/documents", tag = "plans", request_body = DocumentInput,
    responses((status = 201, body = DocumentDto),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_document(
    State(app): State<App>,
    ApiJson(input): ApiJson<DocumentInput>,
) -> Result<Response, ApiError> {
    let d = app
        .add_document(&DocumentDraft {
            kind: input.kind,
            title: input.title,
            owner: input.owner,
            document_version: input.document_version,
            link: input.link,
            status: input.status,
            review_on: input.review_on,
        })
        .await?;
    Ok((StatusCode::CREATED, Json(document_dto(&app, &d).await?)).into_response())
}

/// One document.
#[utoipa::path(get, path = "/documents/{id}", tag = "plans",
    params(("id" = String, Path)),
    responses((status = 200, body = DocumentDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_document(
    State(app): State<App>,
    Path(id): Path<String>,
) -> Result<Json<DocumentDto>, ApiError> {
    let d = app.document(&id).await?;
    Ok(Json(document_dto(&app, &d).await?))
}

/// Change a document; `version` is required (409 when someone changed it
/// first).
#[utoipa::path(patch, path = "/documents/{id}", tag = "plans", request_body = DocumentPatch,
    params(("id" = String, Path)),
    responses((status = 200, body = DocumentDto),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_document(
    State(app): State<App>,
    Path(id): Path<String>,
    ApiJson(p): ApiJson<DocumentPatch>,
) -> Result<Json<DocumentDto>, ApiError> {
    let version = p
        .version
        .ok_or_else(|| invalid("version", "send the version you read".into()))?;
    let current = document_dto(&app, &app.document(&id).await?).await?;
    let draft = DocumentDraft {
        kind: p.kind.unwrap_or(current.kind),
        title: p.title.unwrap_or(current.title),
        owner: p.owner.unwrap_or(current.owner),
        document_version: p.document_version.unwrap_or(current.document_version),
        link: p.link.unwrap_or(current.link),
        status: p.status.unwrap_or(current.status),
        review_on: p.review_on.unwrap_or(current.review_on.unwrap_or_default()),
    };
    let d = app.update_document(&id, version, &draft).await?;
    Ok(Json(document_dto(&app, &d).await?))
}

/// A lesson's link to the document change it requires.
#[derive(Debug, Serialize, ToSchema)]
pub struct LessonLinkDto {
    pub id: String,
    pub lesson_id: String,
    /// The document's id; absent when no document change is needed.
    pub document: Option<String>,
    /// The change needed, or why none is.
    pub change: String,
    /// `needed`, `done` or `not_needed`.
    pub state: String,
    pub done_version: String,
    pub done_on: Option<String>,
    pub version: i64,
}

impl LessonLinkDto {
    pub fn from_link(l: &LessonLink) -> Self {
        Self {
            id: l.id.to_string(),
            lesson_id: l.lesson_id.to_string(),
            document: l.document_id.map(|d| d.to_string()),
            change: l.change.clone(),
            state: l.state.as_str().into(),
            done_version: l.done_version.clone(),
            done_on: l.done_on.map(|d| d.to_string()),
            version: l.version,
        }
    }
}

/// A new link: a document and the change it needs, or no document and the
/// reason no change is needed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LessonLinkInput {
    #[serde(default)]
    pub document: String,
    pub change: String,
    /// `needed` (default with a document), `done`, `not_needed` (default
    /// without one).
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub done_version: String,
    #[serde(default)]
    pub done_on: String,
}

/// A link's changed fields and the `version` you read; `state: "done"`
/// needs `done_version` and `done_on`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LessonLinkPatchInput {
    pub version: Option<i64>,
    pub document: Option<String>,
    pub change: Option<String>,
    pub state: Option<String>,
    pub done_version: Option<String>,
    pub done_on: Option<String>,
}

/// The document links of an incident's lessons.
#[utoipa::path(get, path = "/incidents/{key}/lesson-links", tag = "plans",
    params(("key" = String, Path)),
    responses((status = 200, body = [LessonLinkDto])))]
pub async fn list_links(
    State(app): State<App>,
    Path(key): Path<String>,
) -> Result<Json<Vec<LessonLinkDto>>, ApiError> {
    Ok(Json(
        app.lesson_links(&key)
            .await?
            .iter()
            .map(LessonLinkDto::from_link)
            .collect(),
    ))
}

/// Link a lesson of the incident's review to a document change (or record
/// that none is needed, with the reason).
#[utoipa::path(post, path = "/incidents/{key}/lessons/{lesson}/links", tag = "plans",
    request_body = LessonLinkInput,
    params(("key" = String, Path), ("lesson" = String, Path)),
    responses((status = 201, body = LessonLinkDto),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_link(
    State(app): State<App>,
    Path((key, lesson)): Path<(String, String)>,
    ApiJson(input): ApiJson<LessonLinkInput>,
) -> Result<Response, ApiError> {
    let l = app
        .link_lesson(
            &key,
            &lesson,
            &LessonLinkDraft {
                document: input.document,
                change: input.change,
                state: input.state,
                done_version: input.done_version,
                done_on: input.done_on,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(LessonLinkDto::from_link(&l))).into_response())
}

/// Change a lesson's link (mark the change done with the document version
/// and date, …); `version` is required.
#[utoipa::path(patch, path = "/incidents/{key}/lessons/{lesson}/links/{id}", tag = "plans",
    request_body = LessonLinkPatchInput,
    params(("key" = String, Path), ("lesson" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = LessonLinkDto),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_link(
    State(app): State<App>,
    Path((key, lesson, id)): Path<(String, String, String)>,
    ApiJson(p): ApiJson<LessonLinkPatchInput>,
) -> Result<Json<LessonLinkDto>, ApiError> {
    let version = p
        .version
        .ok_or_else(|| invalid("version", "send the version you read".into()))?;
    let current = app.lesson_links(&key).await?;
    if !current
        .iter()
        .any(|l| l.id.to_string() == id && l.lesson_id.to_string() == lesson)
    {
        return Err(AppError::NotFound(format!(
            "link {id} is not a link of lesson {lesson} of {key}"
        ))
        .into());
    }
    let l = app
        .update_lesson_link(
            &key,
            &id,
            version,
            &LessonLinkPatch {
                document: p.document,
                change: p.change,
                state: p.state,
                done_version: p.done_version,
                done_on: p.done_on,
            },
        )
        .await?;
    Ok(Json(LessonLinkDto::from_link(&l)))
}

/// A lesson not yet folded into any document.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnhomedLessonDto {
    pub incident_key: String,
    pub incident_title: String,
    pub severity: String,
    pub review_status: String,
    pub lesson_id: String,
    pub statement: String,
    /// Document changes recorded as still needed (0: not linked at all).
    pub changes_needed: usize,
    /// Since when it waits: the review's approval, else its opening (RFC 3339).
    pub since: String,
    pub age_days: i64,
}

impl UnhomedLessonDto {
    pub fn from_lesson(u: &UnhomedLesson) -> Self {
        Self {
            incident_key: u.incident_key.clone(),
            incident_title: u.incident_title.clone(),
            severity: u.severity.as_str().into(),
            review_status: u.review_status.as_str().into(),
            lesson_id: u.lesson_id.to_string(),
            statement: u.statement.clone(),
            changes_needed: u.changes_needed,
            since: u.since.to_string(),
            age_days: u.age_days,
        }
    }
}

/// Lessons without a home: not linked to any document, or linked only to
/// changes still needed; oldest first. Restricted incidents only for their
/// members.
#[utoipa::path(get, path = "/lessons/unhomed", tag = "plans",
    responses((status = 200, body = [UnhomedLessonDto])))]
pub async fn unhomed(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Vec<UnhomedLessonDto>>, ApiError> {
    Ok(Json(
        app.unhomed_lessons(&caller.visibility())
            .await?
            .iter()
            .map(UnhomedLessonDto::from_lesson)
            .collect(),
    ))
}

/// The "review complete" policy and its version (0: the default, never saved).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewPolicyDto {
    /// Approval is refused while a lesson has no document link (default true).
    pub lessons_need_documents: bool,
    pub version: i64,
}

/// The review policy in force.
#[utoipa::path(get, path = "/review-policy", tag = "plans",
    responses((status = 200, body = ReviewPolicyDto)))]
pub async fn get_review_policy(State(app): State<App>) -> Result<Json<ReviewPolicyDto>, ApiError> {
    let p = app.review_policy().await?;
    Ok(Json(ReviewPolicyDto {
        lessons_need_documents: p.policy.lessons_need_documents,
        version: p.version,
    }))
}

/// Replace the review policy (send the version you read; 0 for the default).
#[utoipa::path(put, path = "/review-policy", tag = "plans", request_body = ReviewPolicyDto,
    responses((status = 200, body = ReviewPolicyDto),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn put_review_policy(
    State(app): State<App>,
    ApiJson(input): ApiJson<ReviewPolicyDto>,
) -> Result<Json<ReviewPolicyDto>, ApiError> {
    let p = app
        .save_review_policy(
            ReviewPolicy {
                lessons_need_documents: input.lessons_need_documents,
            },
            input.version,
        )
        .await?;
    Ok(Json(ReviewPolicyDto {
        lessons_need_documents: p.policy.lessons_need_documents,
        version: p.version,
    }))
}
