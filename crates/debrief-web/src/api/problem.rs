//! API errors as `application/problem+json` (RFC 9457), with field-level
//! details. Internal errors are logged and never shown.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use debrief_app::AppError;
use serde::Serialize;
use utoipa::ToSchema;

/// One problem with one input field.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldProblem {
    /// The field, as named in the request (`timestamps.detected`, `severity`).
    pub field: String,
    pub message: String,
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// `urn:debrief:problem:<kind>`: invalid-input, not-found, conflict,
    /// not-allowed (the workflow forbids it now), import-failed, bad-request,
    /// too-large (an upload over the limit), integrity-failed (stored
    /// evidence no longer matches its SHA-256), internal.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Every field problem (invalid-input).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    /// Where an import stopped (import-failed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The version now stored (conflict), to reload before retrying.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
}

impl Problem {
    pub fn new(status: StatusCode, kind: &str, title: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("urn:debrief:problem:{kind}"),
            title: title.into(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            line: None,
            column: None,
            field: None,
            current_version: None,
        }
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "The request cannot be read",
            detail,
        )
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = (status, Json(self)).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        res
    }
}

/// The error of every API handler (boxed: problems are large, results small).
#[derive(Debug)]
pub struct ApiError(pub Box<Problem>);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(Box::new(problem_for(e)))
    }
}

impl From<Problem> for ApiError {
    fn from(p: Problem) -> Self {
        ApiError(Box::new(p))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (*self.0).into_response()
    }
}

/// The one place that decides which status each use-case error gets.
pub fn problem_for(e: AppError) -> Problem {
    match e {
        AppError::Invalid(errors) => {
            let mut p = Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-input",
                "The input is not valid",
                errors.to_string(),
            );
            p.errors = errors
                .0
                .into_iter()
                .map(|e| FieldProblem {
                    field: e.field,
                    message: e.message,
                })
                .collect();
            p
        }
        AppError::NotFound(m) => Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found", m),
        AppError::Conflict {
            message,
            current_version,
        } => {
            let mut p = Problem::new(StatusCode::CONFLICT, "conflict", "Conflict", message);
            p.current_version = current_version;
            p
        }
        AppError::NotAllowed(m) => {
            Problem::new(StatusCode::CONFLICT, "not-allowed", "Not allowed now", m)
        }
        AppError::Forbidden(m) => Problem::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden", m),
        AppError::Import(ie) => {
            let mut p = Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "import-failed",
                "The import stopped at a bad record; nothing was imported",
                ie.to_string(),
            );
            p.line = Some(ie.line);
            p.column = ie.column;
            p.field = ie.field;
            p
        }
        AppError::Integrity(m) => Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "integrity-failed",
            "The stored evidence failed its integrity check",
            m,
        ),
        AppError::Store(e) => {
            tracing::error!(error = %e, "store error");
            Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal error",
                "the server could not complete the request; it has been logged",
            )
        }
    }
}
