//! What a use case can answer instead of a result.

use std::fmt;

use debrief_core::FieldErrors;
use debrief_store::StoreError;

/// A use case's failure. Web and CLI map each variant to a status code or an
/// exit code; `Store` is the only one that is not the caller's fault.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input is wrong; every problem, by field.
    #[error("invalid input: {0}")]
    Invalid(FieldErrors),
    #[error("{0}")]
    NotFound(String),
    /// Someone else changed it first (stale version), or a unique value clashes.
    #[error("{message}")]
    Conflict {
        message: String,
        current_version: Option<i64>,
    },
    /// The workflow does not allow this now (approving a draft, editing an
    /// approved review …).
    #[error("{0}")]
    NotAllowed(String),
    /// The caller's role or ownership does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// An import stopped at a bad record; nothing of it was kept.
    #[error("{0}")]
    Import(ImportError),
    /// Stored evidence no longer matches its recorded SHA-256; nothing
    /// was served, and the failed check is in its chain of custody.
    #[error("{0}")]
    Integrity(String),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { entity, id } => {
                AppError::NotFound(format!("{entity} {id} was not found"))
            }
            StoreError::Conflict { actual, .. } => AppError::Conflict {
                message: format!("{e}; reload to see their change, then apply yours again"),
                current_version: Some(actual),
            },
            StoreError::Duplicate { message, .. } => AppError::Conflict {
                message,
                current_version: None,
            },
            other => AppError::Store(other),
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(e: FieldErrors) -> Self {
        AppError::Invalid(e)
    }
}

impl From<ImportError> for AppError {
    fn from(e: ImportError) -> Self {
        AppError::Import(e)
    }
}

/// Where an import stopped and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// 1-based line of the input (the physical line where the record starts).
    pub line: u64,
    /// 1-based column: a CSV field's position, or a JSON character position.
    pub column: Option<u64>,
    /// The field or CSV header concerned.
    pub field: Option<String>,
    pub message: String,
}

impl ImportError {
    pub fn at_line(line: u64, message: impl Into<String>) -> Self {
        Self {
            line,
            column: None,
            field: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}", self.line)?;
        if let Some(c) = self.column {
            write!(f, ", column {c}")?;
        }
        if let Some(field) = &self.field {
            write!(f, " ({field})")?;
        }
        write!(f, ": {}; nothing was imported", self.message)
    }
}

impl std::error::Error for ImportError {}
