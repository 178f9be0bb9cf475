//! The JSON shapes of the REST API, with their OpenAPI schemas. Conversions
//! from domain values live here so handlers stay one line per use case.

use std::collections::BTreeMap;

use debrief_app::import::ImportReport;
use debrief_app::incidents::IncidentView;
use debrief_core::{
    DurationName, Incident, IncidentDraft, LifecycleField, TimelineEvent, TimelineEventDraft,
    Timestamp,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A lifecycle timestamp: `"2019-07-02"` (day precision), `"2019-07-02T13:42Z"`
/// (minute), `"2019-07-02T13:42:05+02:00"` (second), or an explicit precision.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum TimestampDto {
    Text(String),
    Precise {
        at: String,
        /// `day`, `hour`, `minute` or `second`.
        precision: String,
    },
}

impl TimestampDto {
    pub fn from_timestamp(t: Timestamp) -> Self {
        match t.to_canonical_string() {
            Some(s) => Self::Text(s),
            None => Self::Precise {
                at: t.to_rfc3339(),
                precision: t.precision().as_str().into(),
            },
        }
    }
}

/// A derived duration in seconds, as precise as its coarser end.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DurationDto {
    pub seconds: i64,
    /// `day`, `hour`, `minute` or `second`.
    pub precision: String,
    /// The same in words, e.g. `3 h 12 min`.
    pub human: String,
}

/// An incident as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IncidentDto {
    pub id: String,
    /// `INC-2026-0042`.
    pub key: String,
    pub title: String,
    pub summary: String,
    pub category: String,
    /// `critical`, `high`, `medium`, `low`.
    pub severity: String,
    /// Derived from the lifecycle: `open`, `contained`, `eradicated`, `recovered`, `closed`.
    pub status: String,
    pub services: Vec<String>,
    pub business_units: Vec<String>,
    pub tags: Vec<String>,
    pub responders: Vec<String>,
    /// Every lifecycle field, `null` when unknown.
    #[schema(value_type = BTreeMap<String, TimestampDto>)]
    pub timestamps: BTreeMap<&'static str, Option<TimestampDto>>,
    /// The derived durations of PRODUCT.md §2, `null` when an end is unknown.
    /// Present on single-incident responses.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<BTreeMap<String, DurationDto>>)]
    pub durations: Option<BTreeMap<&'static str, Option<DurationDto>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_count: Option<u64>,
    /// Send it back with an update; a stale one gets 409.
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl IncidentDto {
    pub fn from_incident(i: &Incident) -> Self {
        let f = &i.fields;
        Self {
            id: i.id.to_string(),
            key: i.key.to_string(),
            title: f.title.clone(),
            summary: f.summary.clone(),
            category: f.category.clone(),
            severity: f.severity.as_str().into(),
            status: i.status().as_str().into(),
            services: f.services.clone(),
            business_units: f.business_units.clone(),
            tags: f.tags.clone(),
            responders: f.responders.clone(),
            timestamps: f
                .lifecycle
                .iter()
                .map(|(field, t)| (field.as_str(), t.map(TimestampDto::from_timestamp)))
                .collect(),
            durations: None,
            event_count: None,
            version: i.version,
            created_at: i.created_at.to_string(),
            updated_at: i.updated_at.to_string(),
        }
    }

    pub fn from_view(v: &IncidentView) -> Self {
        let mut dto = Self::from_incident(&v.incident);
        dto.durations = Some(
            DurationName::ALL
                .into_iter()
                .map(|n| {
                    let d = v.durations.get(n).map(|d| DurationDto {
                        seconds: d.seconds,
                        precision: d.precision.as_str().into(),
                        human: d.human(),
                    });
                    (n.as_str(), d)
                })
                .collect(),
        );
        dto.event_count = Some(v.event_count);
        dto
    }
}

/// A page of incidents.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentPageDto {
    pub items: Vec<IncidentDto>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// The fields of a new incident, or all fields of an update.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentInput {
    pub title: String,
    #[serde(default)]
    pub summary: String,
    /// A category slug (`ransomware`, `phishing`, …).
    pub category: String,
    pub severity: String,
    #[serde(default)]
    pub services: Vec<String>,
    #[serde(default)]
    pub business_units: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub responders: Vec<String>,
    /// Lifecycle timestamps by name (`started`, `detected`, …); omit or
    /// send `null` for unknown ones.
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, TimestampDto>)]
    pub timestamps: BTreeMap<String, Option<TimestampDto>>,
    /// Required on updates: the version you read.
    #[serde(default)]
    pub version: Option<i64>,
}

impl IncidentInput {
    pub fn to_draft(&self) -> IncidentDraft {
        let mut timestamps = Vec::new();
        let mut precisions = Vec::new();
        for (name, value) in &self.timestamps {
            match value {
                None => {}
                Some(TimestampDto::Text(s)) => timestamps.push((name.clone(), s.clone())),
                Some(TimestampDto::Precise { at, precision }) => {
                    timestamps.push((name.clone(), at.clone()));
                    precisions.push((name.clone(), precision.clone()));
                }
            }
        }
        IncidentDraft {
            title: self.title.clone(),
            summary: self.summary.clone(),
            category: self.category.clone(),
            severity: self.severity.clone(),
            services: self.services.clone(),
            business_units: self.business_units.clone(),
            tags: self.tags.clone(),
            responders: self.responders.clone(),
            timestamps,
            precisions,
        }
    }
}

/// Sets one lifecycle timestamp from a value or from a timeline event.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetTimeInput {
    /// The new value; `null` clears it. Ignored when `from_event` is given.
    #[serde(default)]
    pub value: Option<String>,
    /// Take the instant (with precision and offset) of this timeline event.
    #[serde(default)]
    pub from_event: Option<String>,
    /// The version you read; a stale one gets 409.
    pub version: i64,
}

/// A timeline event as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventDto {
    pub id: String,
    /// The instant as written (a date for day precision).
    pub at: String,
    pub precision: String,
    /// The instant in UTC, RFC 3339.
    pub at_utc: String,
    /// `detection`, `escalation`, `decision`, …
    pub kind: String,
    pub source: String,
    pub actor: Option<String>,
    pub text: String,
    pub evidence_url: Option<String>,
    pub tags: Vec<String>,
    /// Part of the short chronology.
    pub key: bool,
    /// The de-duplication hash (SHA-256 of instant, kind, source, actor, text).
    pub hash: String,
}

impl EventDto {
    pub fn from_event(e: &TimelineEvent) -> Self {
        let ev = &e.event;
        Self {
            id: e.id.to_string(),
            at: ev.at.to_rfc3339_or_date(),
            precision: ev.at.precision().as_str().into(),
            at_utc: ev.at.instant().to_string(),
            kind: ev.kind.as_str().into(),
            source: ev.source.clone(),
            actor: ev.actor.clone(),
            text: ev.text.clone(),
            evidence_url: ev.evidence_url.clone(),
            tags: ev.tags.clone(),
            key: ev.key,
            hash: e.hash.clone(),
        }
    }
}

/// A new timeline event.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    /// RFC 3339 instant with an offset, or a date.
    pub at: String,
    #[serde(default)]
    pub precision: Option<String>,
    pub kind: String,
    /// `manual` when absent.
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub actor: Option<String>,
    pub text: String,
    #[serde(default)]
    pub evidence_url: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub key: bool,
}

impl EventInput {
    pub fn to_draft(&self) -> TimelineEventDraft {
        TimelineEventDraft {
            at: self.at.clone(),
            precision: self.precision.clone(),
            kind: self.kind.clone(),
            source: self.source.clone(),
            actor: self.actor.clone(),
            text: self.text.clone(),
            evidence_url: self.evidence_url.clone(),
            tags: self.tags.clone(),
            key: self.key,
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportReportDto {
    pub read: u64,
    pub added: u64,
    pub duplicates: u64,
}

impl From<ImportReport> for ImportReportDto {
    fn from(r: ImportReport) -> Self {
        Self {
            read: r.read,
            added: r.added,
            duplicates: r.duplicates,
        }
    }
}

/// What a bundle import did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BundleReportDto {
    pub incidents_created: u64,
    pub incidents_existing: u64,
    pub events_added: u64,
    pub events_duplicate: u64,
    /// Evidence attachments new to this database, each SHA-256 checked.
    pub attachments_added: u64,
    pub keys: Vec<String>,
}

/// The lifecycle field names, for documentation.
pub fn lifecycle_names() -> Vec<&'static str> {
    LifecycleField::ALL.iter().map(|f| f.as_str()).collect()
}
