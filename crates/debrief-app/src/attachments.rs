//! Evidence attachments as use cases (PRODUCT.md §3, §11): add a file to a
//! timeline event (size limit, hash, chain of custody, audit entry), list
//! them, download them only after the stored bytes hash to the recorded
//! SHA-256, and read an attachment's chain of custody.
//!
//! Every call names its caller: an attachment of a restricted incident does
//! not exist for a non-member, and adding needs the contributor role.

use debrief_core::Role;
use debrief_core::attachment::{
    Attachment, AttachmentDraft, CustodyAction, CustodyEntry, sha256_hex,
};
use uuid::Uuid;

use crate::{App, AppError, Caller};

/// A download that passed its integrity check.
#[derive(Debug, Clone)]
pub struct VerifiedDownload {
    pub attachment: Attachment,
    /// The bytes, which hash to `attachment.sha256`.
    pub content: Vec<u8>,
}

impl App {
    /// The organisation's size limit for one attachment, in bytes.
    pub fn max_attachment_bytes(&self) -> u64 {
        self.settings().max_attachment_bytes
    }

    /// Adds `content` as evidence to event `event_id` of incident `key`.
    /// The attachment, its first custody entry and its audit entry (the
    /// metadata, never the content) are written in one transaction.
    pub async fn add_attachment(
        &self,
        caller: &Caller,
        key: &str,
        event_id: &str,
        draft: &AttachmentDraft,
        content: &[u8],
    ) -> Result<Attachment, AppError> {
        caller.require(Role::Contributor)?;
        let incident = self.incident(key).await?;
        if !self.can_see_incident(caller, incident.id).await? {
            return Err(AppError::NotFound(format!("incident {key} was not found")));
        }
        let event_not_found =
            || AppError::NotFound(format!("incident {key} has no timeline event {event_id}"));
        let event_uuid = Uuid::parse_str(event_id.trim()).map_err(|_| event_not_found())?;
        let event = match self.store().event_by_id(event_uuid).await {
            Ok(e) if e.incident_id == incident.id => e,
            Ok(_) | Err(debrief_store::StoreError::NotFound { .. }) => {
                return Err(event_not_found());
            }
            Err(e) => return Err(e.into()),
        };
        let new = draft.validate(content, self.max_attachment_bytes())?;
        let now = self.now();
        let attachment = Attachment {
            id: Uuid::now_v7(),
            incident_id: incident.id,
            event_id: event.id,
            file_name: new.file_name,
            declared_type: new.declared_type,
            detected_type: new.detected_type,
            size: new.size,
            sha256: new.sha256,
            added_by: caller.actor.clone(),
            added_at: now,
            description: new.description,
        };
        let custody = CustodyEntry {
            at: now,
            actor: caller.actor.clone(),
            action: CustodyAction::Added,
            sha256: attachment.sha256.clone(),
            note: None,
        };
        let after = serde_json::to_string(&attachment).map_err(|e| {
            AppError::Store(debrief_store::StoreError::Corrupt(format!(
                "attachment metadata did not serialise: {e}"
            )))
        })?;
        let audit = self.audit_record(
            caller,
            "attachment",
            attachment.id.to_string(),
            "add",
            "null".into(),
            after,
        );
        self.store()
            .add_attachment(&attachment, content, &custody, audit)
            .await?;
        Ok(attachment)
    }

    /// Every attachment of incident `key`, by event, oldest first.
    pub async fn incident_attachments(
        &self,
        caller: &Caller,
        key: &str,
    ) -> Result<Vec<Attachment>, AppError> {
        let incident = self.incident(key).await?;
        if !self.can_see_incident(caller, incident.id).await? {
            return Err(AppError::NotFound(format!("incident {key} was not found")));
        }
        Ok(self.store().incident_attachments(incident.id).await?)
    }

    /// One attachment's metadata.
    pub async fn attachment(&self, caller: &Caller, id: &str) -> Result<Attachment, AppError> {
        let not_found = || AppError::NotFound(format!("attachment {id} was not found"));
        let uuid = Uuid::parse_str(id.trim()).map_err(|_| not_found())?;
        let attachment = match self.store().attachment(uuid).await {
            Ok(a) => a,
            Err(debrief_store::StoreError::NotFound { .. }) => return Err(not_found()),
            Err(e) => return Err(e.into()),
        };
        if !self
            .can_see_incident(caller, attachment.incident_id)
            .await?
        {
            return Err(not_found());
        }
        Ok(attachment)
    }

    /// The attachment's bytes after re-hashing them: when they no longer
    /// match the recorded SHA-256 nothing is handed out, the failed check
    /// is recorded in the chain of custody and the answer is
    /// [`AppError::Integrity`]; otherwise the download is recorded.
    pub async fn download_attachment(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<VerifiedDownload, AppError> {
        self.checked_content(caller, id, CustodyAction::Downloaded)
            .await
    }

    /// Re-hashes the stored bytes and records the result, without handing
    /// them out (`debrief attachment verify`).
    pub async fn verify_attachment(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<Attachment, AppError> {
        Ok(self
            .checked_content(caller, id, CustodyAction::Verified)
            .await?
            .attachment)
    }

    async fn checked_content(
        &self,
        caller: &Caller,
        id: &str,
        on_success: CustodyAction,
    ) -> Result<VerifiedDownload, AppError> {
        let attachment = self.attachment(caller, id).await?;
        let content = self.store().attachment_content(attachment.id).await?;
        let actual = sha256_hex(&content);
        if actual != attachment.sha256 {
            let message = format!(
                "attachment {} ({}) failed its integrity check: the recorded SHA-256 is {}, the stored bytes ({} bytes, {} recorded) hash to {}; nothing was served",
                attachment.id,
                attachment.file_name,
                attachment.sha256,
                content.len(),
                attachment.size,
                actual
            );
            self.store()
                .record_custody(
                    attachment.id,
                    &CustodyEntry {
                        at: self.now(),
                        actor: caller.actor.clone(),
                        action: CustodyAction::IntegrityFailed,
                        sha256: actual,
                        note: Some(format!(
                            "expected {}, {} bytes stored",
                            attachment.sha256,
                            content.len()
                        )),
                    },
                )
                .await?;
            tracing::error!(attachment = %attachment.id, "{message}");
            return Err(AppError::Integrity(message));
        }
        self.store()
            .record_custody(
                attachment.id,
                &CustodyEntry {
                    at: self.now(),
                    actor: caller.actor.clone(),
                    action: on_success,
                    sha256: actual,
                    note: None,
                },
            )
            .await?;
        Ok(VerifiedDownload {
            attachment,
            content,
        })
    }

    /// An attachment's chain of custody, oldest first.
    pub async fn attachment_custody(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<(Attachment, Vec<CustodyEntry>), AppError> {
        let attachment = self.attachment(caller, id).await?;
        let custody = self.store().custody(attachment.id).await?;
        Ok((attachment, custody))
    }
}
