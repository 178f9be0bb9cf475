//! Between rows and domain values: private row decoding and the column lists
//! shared by the queries.

use debrief_core::{
    Incident, IncidentFields, IncidentKey, Lifecycle, LifecycleField, NewTimelineEvent, Precision,
    TimelineEvent, Timestamp,
};
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::StoreError;

pub(crate) const INCIDENT_COLUMNS: &str = "id, key, key_prefix, key_year, key_number, title, summary, \
    category, severity, severity_rank, status, services, business_units, tags, responders, \
    started_us, started_off, started_prec, detected_us, detected_off, detected_prec, \
    reported_us, reported_off, reported_prec, acknowledged_us, acknowledged_off, acknowledged_prec, \
    contained_us, contained_off, contained_prec, eradicated_us, eradicated_off, eradicated_prec, \
    recovered_us, recovered_off, recovered_prec, closed_us, closed_off, closed_prec, \
    version, created_us, updated_us";

pub(crate) const EVENT_COLUMNS: &str = "id, incident_id, at_us, at_off, at_prec, kind, source, actor, \
    text, evidence_url, tags, is_key, hash, created_us";

/// The number of columns in [`EVENT_COLUMNS`].
pub(crate) const EVENT_COLUMN_COUNT: usize = 14;

pub(crate) fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

pub(crate) fn list_to_json(items: &[String]) -> String {
    serde_json::to_string(items).expect("a list of strings always serialises")
}

fn list_from_json(s: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(s).map_err(|e| corrupt(format!("list column `{s}`: {e}")))
}

pub(crate) fn micros(t: jiff::Timestamp) -> i64 {
    t.as_microsecond()
}

pub(crate) fn instant(us: i64) -> Result<jiff::Timestamp, StoreError> {
    jiff::Timestamp::from_microsecond(us).map_err(corrupt)
}

fn timestamp(us: i64, off: i64, prec: &str) -> Result<Timestamp, StoreError> {
    let precision: Precision = prec.parse().map_err(corrupt)?;
    let off = i32::try_from(off).map_err(corrupt)?;
    Timestamp::from_parts(us, off, precision).map_err(corrupt)
}

pub(crate) fn incident_from_row(row: &AnyRow) -> Result<Incident, StoreError> {
    let id: String = row.try_get("id")?;
    let prefix: String = row.try_get("key_prefix")?;
    let year: i64 = row.try_get("key_year")?;
    let number: i64 = row.try_get("key_number")?;
    let key = IncidentKey::new(
        &prefix,
        i32::try_from(year).map_err(corrupt)?,
        u32::try_from(number).map_err(corrupt)?,
    )
    .map_err(corrupt)?;
    let mut lifecycle = Lifecycle::default();
    for field in LifecycleField::ALL {
        let name = field.as_str();
        let us: Option<i64> = row.try_get(format!("{name}_us").as_str())?;
        let off: Option<i64> = row.try_get(format!("{name}_off").as_str())?;
        let prec: Option<String> = row.try_get(format!("{name}_prec").as_str())?;
        if let (Some(us), Some(off), Some(prec)) = (us, off, prec) {
            lifecycle.set(field, Some(timestamp(us, off, &prec)?));
        }
    }
    let severity: String = row.try_get("severity")?;
    Ok(Incident {
        id: Uuid::parse_str(&id).map_err(corrupt)?,
        key,
        fields: IncidentFields {
            title: row.try_get("title")?,
            summary: row.try_get("summary")?,
            category: row.try_get("category")?,
            severity: severity.parse().map_err(corrupt)?,
            services: list_from_json(&row.try_get::<String, _>("services")?)?,
            business_units: list_from_json(&row.try_get::<String, _>("business_units")?)?,
            tags: list_from_json(&row.try_get::<String, _>("tags")?)?,
            responders: list_from_json(&row.try_get::<String, _>("responders")?)?,
            lifecycle,
        },
        version: row.try_get("version")?,
        created_at: instant(row.try_get("created_us")?)?,
        updated_at: instant(row.try_get("updated_us")?)?,
    })
}

pub(crate) fn event_from_row(row: &AnyRow) -> Result<TimelineEvent, StoreError> {
    let id: String = row.try_get("id")?;
    let incident_id: String = row.try_get("incident_id")?;
    let prec: String = row.try_get("at_prec")?;
    let kind: String = row.try_get("kind")?;
    let is_key: i64 = row.try_get("is_key")?;
    Ok(TimelineEvent {
        id: Uuid::parse_str(&id).map_err(corrupt)?,
        incident_id: Uuid::parse_str(&incident_id).map_err(corrupt)?,
        event: NewTimelineEvent {
            at: timestamp(row.try_get("at_us")?, row.try_get("at_off")?, &prec)?,
            kind: kind.parse().map_err(corrupt)?,
            source: row.try_get("source")?,
            actor: row.try_get("actor")?,
            text: row.try_get("text")?,
            evidence_url: row.try_get("evidence_url")?,
            tags: list_from_json(&row.try_get::<String, _>("tags")?)?,
            key: is_key != 0,
        },
        hash: row.try_get("hash")?,
        created_at: instant(row.try_get("created_us")?)?,
    })
}
