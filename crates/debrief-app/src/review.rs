//! Review use cases: open the review of an incident, read it, change it.
//!
//! A change is applied by the domain (`Review::apply`) to the stored review
//! and written back only over the version that was read. When someone else
//! saved a *different* part of the review in between, the change is simply
//! applied again to their version; when they changed the *same* item, the
//! domain reports the conflict.

use debrief_core::review::{
    ItemDraft, ListSection, Review, ReviewChange, ReviewError, ReviewStatus,
};
use debrief_core::{FieldError, FieldErrors, Incident};
use debrief_store::StoreError;

use crate::{App, AppError};

/// How often a change is re-applied after a concurrent save of another part.
const RETRIES: usize = 5;

impl From<ReviewError> for AppError {
    fn from(e: ReviewError) -> Self {
        match e {
            ReviewError::Invalid(f) => AppError::Invalid(f),
            ReviewError::Conflict { actual, .. } => AppError::Conflict {
                message: format!("{e}; reload to see their change, then apply yours again"),
                current_version: Some(actual),
            },
            ReviewError::NotFound(m) => AppError::NotFound(m),
            ReviewError::NotAllowed(m) => AppError::NotAllowed(m),
        }
    }
}

impl App {
    /// Opens the review of `key` with the default question template.
    pub async fn open_review(&self, key: &str, by: &str) -> Result<Review, AppError> {
        self.open_review_with(key, by, None).await
    }

    /// Opens the review of `key` answering the named template (the default
    /// one when `None`).
    pub async fn open_review_with(
        &self,
        key: &str,
        by: &str,
        template: Option<&str>,
    ) -> Result<Review, AppError> {
        let incident = self.incident(key).await?;
        let (template, _) = self
            .template(template.unwrap_or(crate::templates::DEFAULT_TEMPLATE))
            .await?;
        let review = Review::open(incident.id, template, by, self.now());
        match self.store().save_review(&review, None, self.now()).await {
            Ok(()) => Ok(review),
            Err(StoreError::Duplicate { .. }) => Err(AppError::Conflict {
                message: format!("{key} already has a review"),
                current_version: None,
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// The incident and its review, if one was opened.
    pub async fn review(&self, key: &str) -> Result<(Incident, Option<Review>), AppError> {
        let incident = self.incident(key).await?;
        let review = self.store().review(incident.id).await?;
        Ok((incident, review))
    }

    /// Event ids a change links to must be events of this incident.
    async fn check_event_links(
        &self,
        incident: &Incident,
        change: &ReviewChange,
    ) -> Result<(), AppError> {
        let ids: &[String] = match change {
            ReviewChange::AddItem {
                item: ItemDraft::Cause(c),
            }
            | ReviewChange::UpdateItem {
                draft: ItemDraft::Cause(c),
                ..
            } => &c.event_ids,
            ReviewChange::SetAssessment { draft, .. } => &draft.event_ids,
            _ => &[],
        };
        for id in ids.iter().map(|i| i.trim()).filter(|i| !i.is_empty()) {
            let Ok(uuid) = uuid::Uuid::parse_str(id) else {
                continue; // the domain reports malformed ids with the other field errors
            };
            let belongs = match self.store().event_by_id(uuid).await {
                Ok(e) => e.incident_id == incident.id,
                Err(StoreError::NotFound { .. }) => false,
                Err(e) => return Err(e.into()),
            };
            if !belongs {
                return Err(AppError::Invalid(FieldErrors::from(FieldError::new(
                    "event_ids",
                    format!("`{id}` is not an event of {}'s timeline", incident.key),
                ))));
            }
        }
        Ok(())
    }

    /// The earlier incidents a recurrence names must exist and be earlier
    /// than this one (placed by detection, else start, else recording).
    async fn check_recurrence_keys(
        &self,
        incident: &Incident,
        change: &ReviewChange,
    ) -> Result<(), AppError> {
        let ReviewChange::SetRecurrence { of, .. } = change else {
            return Ok(());
        };
        let mut errors = FieldErrors::default();
        let here = crate::learning::placed_at(incident);
        for raw in of.iter().map(|k| k.trim()).filter(|k| !k.is_empty()) {
            let Ok(key) = raw.parse::<debrief_core::IncidentKey>() else {
                continue; // the domain names malformed keys with the other field errors
            };
            if key == incident.key {
                errors.push("of", format!("{key} cannot be a recurrence of itself"));
                continue;
            }
            match self.store().incident_by_key(&key).await {
                Ok(earlier) if crate::learning::placed_at(&earlier) < here => {}
                Ok(_) => errors.push(
                    "of",
                    format!(
                        "{key} is not earlier than {}; name earlier incidents",
                        incident.key
                    ),
                ),
                Err(StoreError::NotFound { .. }) => {
                    errors.push("of", format!("`{key}` is not an incident debrief knows"))
                }
                Err(e) => return Err(e.into()),
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(errors))
        }
    }

    /// A recurrence may only name incidents `caller` can see: an incident
    /// restricted from them gets the same answer as one that does not exist,
    /// so the recurrence field cannot probe for restricted keys.
    pub async fn check_recurrence_visible(
        &self,
        caller: &crate::Caller,
        change: &ReviewChange,
    ) -> Result<(), AppError> {
        let ReviewChange::SetRecurrence { of, .. } = change else {
            return Ok(());
        };
        let mut errors = FieldErrors::default();
        for raw in of.iter().map(|k| k.trim()).filter(|k| !k.is_empty()) {
            let Ok(key) = raw.parse::<debrief_core::IncidentKey>() else {
                continue;
            };
            match self.store().incident_by_key(&key).await {
                Ok(earlier) if !self.can_see_incident(caller, earlier.id).await? => {
                    errors.push("of", format!("`{key}` is not an incident debrief knows"))
                }
                Ok(_) | Err(StoreError::NotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(errors))
        }
    }

    /// Applies one change made by `by`, opening the review first if needed.
    pub async fn change_review(
        &self,
        key: &str,
        change: ReviewChange,
        by: &str,
    ) -> Result<Review, AppError> {
        let incident = self.incident(key).await?;
        self.check_event_links(&incident, &change).await?;
        self.check_recurrence_keys(&incident, &change).await?;
        let approving = matches!(
            change,
            ReviewChange::Transition {
                to: ReviewStatus::Approved,
                ..
            }
        );
        if approving {
            self.check_blameless(&incident).await?;
            self.check_lessons_linked(&incident).await?;
        }
        if let ReviewChange::RemoveItem {
            section: ListSection::Lessons,
            id,
            ..
        } = &change
        {
            self.check_lesson_unlinked(&incident, *id).await?;
        }
        for _ in 0..RETRIES {
            let (mut review, expected) = match self.store().review(incident.id).await? {
                Some(r) => {
                    let v = r.version;
                    (r, Some(v))
                }
                None => {
                    let (template, _) = self.template(crate::templates::DEFAULT_TEMPLATE).await?;
                    (Review::open(incident.id, template, by, self.now()), None)
                }
            };
            review.apply(change.clone(), by, self.now())?;
            match self
                .store()
                .save_review(&review, expected, self.now())
                .await
            {
                Ok(()) => {
                    if approving {
                        let payload = crate::webhooks::review_approved_payload(&incident, &review);
                        self.emit("review.approved", payload).await;
                    }
                    return Ok(review);
                }
                // Someone saved another part meanwhile: apply ours to theirs.
                Err(StoreError::Conflict { .. } | StoreError::Duplicate { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Conflict {
            message: format!(
                "the review of {key} is being changed by many people at once; try again"
            ),
            current_version: None,
        })
    }
}
