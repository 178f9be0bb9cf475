//! Incident use cases: open, read, list, edit, set lifecycle timestamps.

use debrief_core::{
    Durations, FieldError, FieldErrors, Incident, IncidentDraft, IncidentKey, LifecycleField,
    Timestamp,
};
use debrief_store::{
    Cursor, IncidentFilter, IncidentSort, KeyRequest, NewIncidentRecord, Page, StoreError,
};
use jiff::tz::TimeZone;
use uuid::Uuid;

use crate::{App, AppError};

/// An incident with what is derived from it.
#[derive(Debug, Clone)]
pub struct IncidentView {
    pub incident: Incident,
    pub durations: Durations,
    pub event_count: u64,
}

/// A page request for the incident list.
#[derive(Debug, Clone, Default)]
pub struct IncidentQuery {
    pub filter: IncidentFilter,
    pub sort: IncidentSort,
    /// The opaque cursor a previous page returned.
    pub after: Option<String>,
    pub limit: Option<u32>,
}

pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 500;

/// Reads `INC-2026-0042`; a malformed key is simply not found.
pub fn parse_key(key: &str) -> Result<IncidentKey, AppError> {
    key.trim()
        .parse::<IncidentKey>()
        .map_err(|_| AppError::NotFound(format!("incident {key} was not found")))
}

impl App {
    /// Validates the draft and stores a new incident under the next key.
    pub async fn create_incident(&self, draft: &IncidentDraft) -> Result<Incident, AppError> {
        self.create_incident_in_zone(draft, None).await
    }

    /// Like [`App::create_incident`]; times without an offset are read in `zone`.
    pub async fn create_incident_in_zone(
        &self,
        draft: &IncidentDraft,
        zone: Option<&TimeZone>,
    ) -> Result<Incident, AppError> {
        let fields = self.validate_draft(draft, zone)?;
        let now = self.now();
        let year = i32::from(
            now.to_zoned_datetime(self.settings().time_zone.clone())
                .year(),
        );
        let record = NewIncidentRecord {
            id: Uuid::now_v7(),
            key: KeyRequest::Next {
                prefix: self.settings().key_prefix.clone(),
                year,
            },
            fields,
            created_at: now,
            updated_at: now,
        };
        Ok(self.store().create_incident(record).await?)
    }

    fn validate_draft(
        &self,
        draft: &IncidentDraft,
        zone: Option<&TimeZone>,
    ) -> Result<debrief_core::IncidentFields, AppError> {
        let taxonomy = &self.settings().taxonomy;
        Ok(match zone {
            Some(z) => draft.validate_with(taxonomy, |s| Timestamp::parse_in_zone(s, z))?,
            None => draft.validate(taxonomy)?,
        })
    }

    pub async fn incident(&self, key: &str) -> Result<Incident, AppError> {
        Ok(self.store().incident_by_key(&parse_key(key)?).await?)
    }

    /// The incident with its derived durations and event count.
    pub async fn incident_view(&self, key: &str) -> Result<IncidentView, AppError> {
        let incident = self.incident(key).await?;
        let event_count = self.store().count_events(incident.id).await?;
        // time_to_review runs to the first lessons-learned workshop held.
        let held = self.first_workshop_held(&incident).await?;
        let durations = incident.fields.lifecycle.durations(held);
        Ok(IncidentView {
            incident,
            durations,
            event_count,
        })
    }

    pub async fn list_incidents(&self, q: &IncidentQuery) -> Result<Page<Incident>, AppError> {
        let after = match q.after.as_deref().filter(|c| !c.is_empty()) {
            Some(c) => Some(
                Cursor::decode(c).map_err(|m| FieldErrors::from(FieldError::new("cursor", m)))?,
            ),
            None => None,
        };
        let limit = q.limit.unwrap_or(DEFAULT_PAGE);
        if limit == 0 || limit > MAX_PAGE {
            return Err(FieldErrors::from(FieldError::new(
                "limit",
                format!("must be between 1 and {MAX_PAGE}"),
            ))
            .into());
        }
        Ok(self
            .store()
            .list_incidents(&q.filter, q.sort, after.as_ref(), limit)
            .await?)
    }

    /// Replaces the editable fields if `expected_version` is still current.
    pub async fn update_incident(
        &self,
        key: &str,
        expected_version: i64,
        draft: &IncidentDraft,
        zone: Option<&TimeZone>,
    ) -> Result<Incident, AppError> {
        let current = self.incident(key).await?;
        let fields = self.validate_draft(draft, zone)?;
        self.store()
            .update_incident(current.id, expected_version, &fields, self.now())
            .await
            .map_err(|e| named_conflict(e, &current))
    }

    /// Sets (or clears, with `None`) one lifecycle timestamp. Without an
    /// expected version the current one is used: the write still fails if
    /// someone else saves in between.
    pub async fn set_time(
        &self,
        key: &str,
        field: &str,
        value: Option<&str>,
        expected_version: Option<i64>,
    ) -> Result<Incident, AppError> {
        let field = parse_field(field)?;
        let value = match value.map(str::trim).filter(|v| !v.is_empty()) {
            None => None,
            Some(v) => Some(Timestamp::parse(v).map_err(|e| {
                FieldErrors::from(FieldError::new(format!("timestamps.{field}"), e.0))
            })?),
        };
        self.write_time(key, field, value, expected_version).await
    }

    /// "This is when we contained it": copies an event's instant (with its
    /// precision and offset) into a lifecycle timestamp.
    pub async fn set_time_from_event(
        &self,
        key: &str,
        field: &str,
        event_id: Uuid,
        expected_version: Option<i64>,
    ) -> Result<Incident, AppError> {
        let field = parse_field(field)?;
        let incident = self.incident(key).await?;
        let event = self.store().event_by_id(event_id).await?;
        if event.incident_id != incident.id {
            return Err(AppError::NotFound(format!(
                "timeline event {event_id} does not belong to {key}"
            )));
        }
        self.write_time(key, field, Some(event.event.at), expected_version)
            .await
    }

    async fn write_time(
        &self,
        key: &str,
        field: LifecycleField,
        value: Option<Timestamp>,
        expected_version: Option<i64>,
    ) -> Result<Incident, AppError> {
        let incident = self.incident(key).await?;
        let mut fields = incident.fields.clone();
        fields.lifecycle.set(field, value);
        let violations = fields.lifecycle.order_violations();
        if !violations.is_empty() {
            return Err(violations.into());
        }
        let version = expected_version.unwrap_or(incident.version);
        self.store()
            .update_incident(incident.id, version, &fields, self.now())
            .await
            .map_err(|e| named_conflict(e, &incident))
    }
}

/// A conflict message that names the incident by its key, as people do.
fn named_conflict(e: StoreError, incident: &Incident) -> AppError {
    match e {
        StoreError::Conflict {
            expected, actual, ..
        } => AppError::Conflict {
            message: format!(
                "{} was changed by someone else (you had version {expected}, it is now {actual}); \
                 reload to see their change, then apply yours again",
                incident.key
            ),
            current_version: Some(actual),
        },
        other => other.into(),
    }
}

fn parse_field(field: &str) -> Result<LifecycleField, AppError> {
    field
        .parse::<LifecycleField>()
        .map_err(|m| FieldErrors::from(FieldError::new("field", m)).into())
}
