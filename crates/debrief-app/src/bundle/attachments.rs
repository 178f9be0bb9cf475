//! Evidence attachments in the bundle: each event carries its files with
//! their metadata, the content in base64 and the chain of custody. The
//! export refuses a file whose stored bytes no longer match their hash; the
//! import re-hashes every file and refuses the bundle naming the first one
//! that does not match, so a bundle cannot smuggle altered evidence in.

use base64::Engine as _;
use debrief_core::FieldErrors;
use debrief_core::attachment::{
    Attachment, CustodyAction, CustodyEntry, detect_type, sanitise_file_name, sha256_hex,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::AppError;

/// One evidence file attached to an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleAttachment {
    /// Stable identity (UUID): importing twice adds it once.
    pub id: String,
    pub file_name: String,
    /// The media type the uploader declared.
    pub declared_type: String,
    /// The type detected from the content (recomputed on import).
    pub detected_type: String,
    /// In bytes.
    pub size: u64,
    /// Lower-case hex SHA-256 of the content; the import checks it.
    #[schemars(regex(pattern = r"^[0-9a-f]{64}$"))]
    pub sha256: String,
    pub added_by: String,
    /// RFC 3339 instant.
    pub added_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The file itself, base64 (RFC 4648, with padding).
    pub content_base64: String,
    /// The chain of custody, oldest first.
    #[serde(default)]
    pub custody: Vec<BundleCustody>,
}

/// One entry of a chain of custody.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleCustody {
    /// RFC 3339 instant.
    pub at: String,
    pub actor: String,
    /// added, downloaded, verified, integrity_failed or imported.
    pub action: String,
    /// The hash computed from the bytes at that moment.
    pub sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl BundleAttachment {
    pub fn from_stored(a: &Attachment, content: &[u8], custody: &[CustodyEntry]) -> Self {
        Self {
            id: a.id.to_string(),
            file_name: a.file_name.clone(),
            declared_type: a.declared_type.clone(),
            detected_type: a.detected_type.clone(),
            size: a.size,
            sha256: a.sha256.clone(),
            added_by: a.added_by.clone(),
            added_at: a.added_at.to_string(),
            description: a.description.clone(),
            content_base64: base64::engine::general_purpose::STANDARD.encode(content),
            custody: custody
                .iter()
                .map(|e| BundleCustody {
                    at: e.at.to_string(),
                    actor: e.actor.clone(),
                    action: e.action.as_str().into(),
                    sha256: e.sha256.clone(),
                    note: e.note.clone(),
                })
                .collect(),
        }
    }

    /// The attachment (its incident and event filled in by the caller),
    /// its bytes and custody, after checking the bytes against the hash.
    /// Field names in errors are relative (`content_base64`, `custody[2].at`).
    pub fn validate(&self) -> Result<PreparedAttachment, AppError> {
        let mut errors = FieldErrors::default();
        let id = Uuid::parse_str(&self.id)
            .map_err(|e| errors.push("id", format!("`{}` is not a UUID: {e}", self.id)))
            .ok();
        if let Err(m) = sanitise_file_name(&self.file_name) {
            errors.push("file_name", m);
        }
        let added_at = self
            .added_at
            .parse::<jiff::Timestamp>()
            .map_err(|e| {
                errors.push(
                    "added_at",
                    format!("`{}` is not an RFC 3339 instant: {e}", self.added_at),
                )
            })
            .ok();
        let content = base64::engine::general_purpose::STANDARD
            .decode(self.content_base64.as_bytes())
            .map_err(|e| errors.push("content_base64", format!("not base64: {e}")))
            .ok();
        let mut custody = Vec::with_capacity(self.custody.len());
        for (i, c) in self.custody.iter().enumerate() {
            let at = c.at.parse::<jiff::Timestamp>().map_err(|e| {
                errors.push(
                    format!("custody[{i}].at"),
                    format!("`{}` is not an RFC 3339 instant: {e}", c.at),
                )
            });
            let action = c
                .action
                .parse::<CustodyAction>()
                .map_err(|m| errors.push(format!("custody[{i}].action"), m));
            if let (Ok(at), Ok(action)) = (at, action) {
                custody.push(CustodyEntry {
                    at,
                    actor: c.actor.clone(),
                    action,
                    sha256: c.sha256.clone(),
                    note: c.note.clone(),
                });
            }
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let (Some(id), Some(added_at), Some(content)) = (id, added_at, content) else {
            return Err(errors.into());
        };
        let actual = sha256_hex(&content);
        if actual != self.sha256 || content.len() as u64 != self.size {
            return Err(AppError::Integrity(format!(
                "attachment {} ({}) does not match its recorded SHA-256: the bundle records {} ({} bytes), its content hashes to {} ({} bytes); the bundle was altered or damaged, nothing was imported",
                self.id,
                self.file_name,
                self.sha256,
                self.size,
                actual,
                content.len()
            )));
        }
        Ok(PreparedAttachment {
            attachment: Attachment {
                id,
                incident_id: Uuid::nil(),
                event_id: Uuid::nil(),
                file_name: self.file_name.clone(),
                declared_type: self.declared_type.clone(),
                // Never trusted from the document: the bytes decide.
                detected_type: detect_type(&content).to_owned(),
                size: self.size,
                sha256: self.sha256.clone(),
                added_by: self.added_by.clone(),
                added_at,
                description: self.description.clone(),
            },
            content,
            custody,
        })
    }
}

/// A bundle attachment, checked, ready to write.
#[derive(Debug, Clone)]
pub struct PreparedAttachment {
    pub attachment: Attachment,
    pub content: Vec<u8>,
    pub custody: Vec<CustodyEntry>,
}
