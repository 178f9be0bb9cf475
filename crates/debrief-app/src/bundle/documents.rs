//! Plans and training in the bundle: the document register (owners by
//! email) and each incident's lesson links, with their ids so a second
//! import adds nothing.

use debrief_core::FieldErrors;
use debrief_core::document::{Document, DocumentDraft, LessonLink, LessonLinkDraft};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A registered document (PRODUCT.md §9).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleDocument {
    /// Stable identity (UUID); lesson links name it.
    pub id: String,
    /// `response_plan`, `playbook`, `runbook`, `policy`, `training_module`, `other`.
    pub kind: String,
    pub title: String,
    /// The owner's email, one of the bundle's people or a person known here.
    pub owner: String,
    /// The document's own version (`3.2`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub document_version: String,
    /// An http(s) URL.
    pub link: String,
    /// `current` or `retired`.
    pub status: String,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_on: Option<String>,
}

/// A document checked, with the owner's email still to resolve.
pub(crate) struct PreparedDocument {
    pub document: Document,
    pub owner: String,
}

impl BundleDocument {
    pub(crate) fn from_document(d: &Document, owner_email: &str) -> Self {
        Self {
            id: d.id.to_string(),
            kind: d.kind.as_str().into(),
            title: d.title.clone(),
            owner: owner_email.into(),
            document_version: d.document_version.clone(),
            link: d.link.clone(),
            status: d.status.as_str().into(),
            review_on: d.review_on.map(|d| d.to_string()),
        }
    }

    pub(crate) fn validate(&self) -> Result<PreparedDocument, FieldErrors> {
        let mut errors = FieldErrors::default();
        let id = Uuid::parse_str(&self.id)
            .map_err(|e| errors.push("id", format!("`{}` is not a UUID: {e}", self.id)))
            .ok();
        let valid = DocumentDraft {
            kind: self.kind.clone(),
            title: self.title.clone(),
            owner: self.owner.clone(),
            document_version: self.document_version.clone(),
            link: self.link.clone(),
            status: self.status.clone(),
            review_on: self.review_on.clone().unwrap_or_default(),
        }
        .validate()
        .map_err(|e| errors.0.extend(e.0))
        .ok();
        match (id, valid) {
            (Some(id), Some(v)) if errors.is_empty() => Ok(PreparedDocument {
                document: Document {
                    id,
                    kind: v.kind,
                    title: v.title,
                    owner_id: Uuid::nil(),
                    document_version: v.document_version,
                    link: v.link,
                    status: v.status,
                    review_on: v.review_on,
                    version: 1,
                },
                owner: v.owner,
            }),
            _ => Err(errors),
        }
    }
}

/// A lesson's link to the document change it requires, or "no document
/// change needed" with the reason (no `document`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleLessonLink {
    /// Stable identity (UUID).
    pub id: String,
    /// The lesson's id in this incident's review.
    pub lesson_id: String,
    /// A document's id (from `documents` or known here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    /// The change needed, or why none is.
    pub change: String,
    /// `needed`, `done` or `not_needed`.
    pub state: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub done_version: String,
    /// `YYYY-MM-DD`, with `done`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_on: Option<String>,
}

impl BundleLessonLink {
    pub(crate) fn from_link(l: &LessonLink) -> Self {
        Self {
            id: l.id.to_string(),
            lesson_id: l.lesson_id.to_string(),
            document: l.document_id.map(|d| d.to_string()),
            change: l.change.clone(),
            state: l.state.as_str().into(),
            done_version: l.done_version.clone(),
            done_on: l.done_on.map(|d| d.to_string()),
        }
    }

    /// The link for `incident_id`, checked; whether its lesson and document
    /// exist is for the import to check where they are stored.
    pub(crate) fn validate(&self, incident_id: Uuid) -> Result<LessonLink, FieldErrors> {
        let mut errors = FieldErrors::default();
        let id = Uuid::parse_str(&self.id)
            .map_err(|e| errors.push("id", format!("`{}` is not a UUID: {e}", self.id)))
            .ok();
        let lesson_id = Uuid::parse_str(&self.lesson_id)
            .map_err(|e| {
                errors.push(
                    "lesson_id",
                    format!("`{}` is not a UUID: {e}", self.lesson_id),
                )
            })
            .ok();
        let valid = LessonLinkDraft {
            document: self.document.clone().unwrap_or_default(),
            change: self.change.clone(),
            state: self.state.clone(),
            done_version: self.done_version.clone(),
            done_on: self.done_on.clone().unwrap_or_default(),
        }
        .validate()
        .map_err(|e| errors.0.extend(e.0))
        .ok();
        match (id, lesson_id, valid) {
            (Some(id), Some(lesson_id), Some(v)) if errors.is_empty() => Ok(LessonLink {
                id,
                incident_id,
                lesson_id,
                document_id: v.document_id,
                change: v.change,
                state: v.state,
                done_version: v.done_version,
                done_on: v.done_on,
                version: 1,
            }),
            _ => Err(errors),
        }
    }
}
