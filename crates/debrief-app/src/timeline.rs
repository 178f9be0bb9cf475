//! Timeline use cases: add an event, list the chronology.

use debrief_core::{TimelineEvent, TimelineEventDraft, Timestamp};
use debrief_store::EventFilter;
use jiff::tz::TimeZone;

use crate::{App, AppError};

/// What adding one event did.
#[derive(Debug, Clone)]
pub struct AddedEvent {
    pub event: TimelineEvent,
    /// False when an identical event was already there (nothing was added).
    pub created: bool,
}

impl App {
    /// Adds one event (source `manual` unless the draft names one). An
    /// identical event already in the timeline is returned instead.
    pub async fn add_event(
        &self,
        key: &str,
        draft: &TimelineEventDraft,
        zone: Option<&TimeZone>,
    ) -> Result<AddedEvent, AppError> {
        let incident = self.incident(key).await?;
        let event = match zone {
            Some(z) => draft.validate_with("manual", |s| Timestamp::parse_in_zone(s, z))?,
            None => draft.validate("manual")?,
        };
        let outcome = self
            .store()
            .add_events(incident.id, std::slice::from_ref(&event), self.now())
            .await?;
        let stored = self
            .store()
            .event_by_hash(incident.id, &event.content_hash())
            .await?;
        Ok(AddedEvent {
            event: stored,
            created: outcome.added == 1,
        })
    }

    pub async fn events(
        &self,
        key: &str,
        filter: &EventFilter,
    ) -> Result<Vec<TimelineEvent>, AppError> {
        let incident = self.incident(key).await?;
        Ok(self.store().list_events(incident.id, filter).await?)
    }
}
