//! The debrief bundle (§12), version 1: incidents with everything attached as
//! one JSON document. Lossless: `export` → `import` into an empty database →
//! `export` gives the same bytes. Its JSON Schema is generated from these
//! types into `docs/bundle.schema.json` (a test keeps the two in step).

mod actions;
mod attachments;
mod documents;
mod workshops;

use std::io::{BufReader, Read};

use debrief_core::review::Review;
use debrief_core::{
    FieldErrors, Incident, IncidentDraft, IncidentKey, LifecycleField, NewTimelineEvent,
    TimelineEvent, TimelineEventDraft, Timestamp,
};
use debrief_store::{EventFilter, KeyRequest, NewIncidentRecord};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use actions::{BundleAction, BundleHistory, BundlePerson, BundleVerification};
pub use attachments::{BundleAttachment, BundleCustody, PreparedAttachment};
pub use documents::{BundleDocument, BundleLessonLink};
pub use workshops::{BundleAgendaItem, BundleAttendee, BundleHoliday, BundleNote, BundleWorkshop};

use crate::import::{BATCH, Progress, json_message};
use crate::{App, AppError, ImportError};

pub const FORMAT: &str = "debrief-bundle";
pub const VERSION: u32 = 1;

/// A set of incidents with their chronologies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "debrief bundle, version 1")]
pub struct Bundle {
    /// Always `debrief-bundle`.
    #[schemars(regex(pattern = r"^debrief-bundle$"))]
    pub format: String,
    /// The bundle format's version: 1.
    #[schemars(range(min = 1, max = 1))]
    pub version: u32,
    pub incidents: Vec<BundleIncident>,
    /// The organisation's exchange rates (PRODUCT.md §5), so a bundle used as
    /// a backup keeps the totals it can compute.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exchange_rates: Vec<BundleRate>,
    /// People the actions name as owners (PRODUCT.md §6); matched by email
    /// on import, created when unknown.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub people: Vec<BundlePerson>,
    /// The organisation's holidays (business days skip them; PRODUCT.md §8).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holidays: Vec<BundleHoliday>,
    /// The workshop policy as `GET /api/v1/workshop-policy` shows it, when
    /// the organisation saved one; kept on import only where none is stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workshop_policy: Option<serde_json::Value>,
    /// The organisation's plans and training (PRODUCT.md §9), matched by id
    /// on import; owners are the bundle's people or people known here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<BundleDocument>,
}

/// `1 from = rate to`, valid from `date`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleRate {
    /// ISO 4217 code.
    pub from: String,
    pub to: String,
    /// A positive decimal, as a string.
    pub rate: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub source: String,
}

/// One incident (PRODUCT.md §2) with its timeline (§3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleIncident {
    /// Stable identity (UUID). Importing a bundle twice matches incidents by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `INC-2026-0042`: prefix, year, number of at least four digits.
    #[schemars(regex(pattern = r"^[A-Z][A-Z0-9]{0,9}-[0-9]{4}-[0-9]{4,}$"))]
    pub key: String,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    /// A category slug of the taxonomy (`ransomware`, `phishing`, …).
    pub category: String,
    /// `critical`, `high`, `medium` or `low`.
    pub severity: String,
    #[serde(default)]
    pub services: Vec<String>,
    #[serde(default)]
    pub business_units: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub responders: Vec<String>,
    #[serde(default)]
    pub timestamps: BundleTimestamps,
    /// RFC 3339 instant the incident was opened; now when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub timeline: Vec<BundleEvent>,
    /// The post-incident review (PRODUCT.md §4) as `GET
    /// /api/v1/incidents/{key}/review` shows it, when one was opened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<serde_json::Value>,
    /// Action items with their history (PRODUCT.md §6), by number.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<BundleAction>,
    /// Follow-up snapshots as `GET /api/v1/incidents/{key}/follow-ups` shows
    /// them, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub follow_ups: Vec<serde_json::Value>,
    /// Lessons-learned workshops and follow-up sessions (PRODUCT.md §8),
    /// earliest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub workshops: Vec<BundleWorkshop>,
    /// The review's lessons linked to the document changes they require
    /// (PRODUCT.md §9), oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lesson_links: Vec<BundleLessonLink>,
}

/// The lifecycle timestamps, each optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleTimestamps {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<BundleTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detected: Option<BundleTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reported: Option<BundleTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged: Option<BundleTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contained: Option<BundleTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eradicated: Option<BundleTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovered: Option<BundleTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<BundleTime>,
}

impl BundleTimestamps {
    fn slot(&mut self, f: LifecycleField) -> &mut Option<BundleTime> {
        match f {
            LifecycleField::Started => &mut self.started,
            LifecycleField::Detected => &mut self.detected,
            LifecycleField::Reported => &mut self.reported,
            LifecycleField::Acknowledged => &mut self.acknowledged,
            LifecycleField::Contained => &mut self.contained,
            LifecycleField::Eradicated => &mut self.eradicated,
            LifecycleField::Recovered => &mut self.recovered,
            LifecycleField::Closed => &mut self.closed,
        }
    }
}

/// `"2019-07-02"` (day precision), `"2019-07-02T13:42Z"` (minute),
/// `"2019-07-02T13:42:05+02:00"` (second), or an explicit precision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum BundleTime {
    Text(String),
    Precise {
        at: String,
        /// `day`, `hour`, `minute` or `second`.
        precision: String,
    },
}

impl BundleTime {
    fn from_timestamp(t: Timestamp) -> Self {
        match t.to_canonical_string() {
            Some(s) => Self::Text(s),
            None => Self::Precise {
                at: t.to_rfc3339(),
                precision: t.precision().as_str().into(),
            },
        }
    }
    fn parse(&self) -> Result<Timestamp, String> {
        match self {
            Self::Text(s) => Timestamp::parse(s).map_err(|e| e.0),
            Self::Precise { at, precision } => {
                let t = Timestamp::parse(at).map_err(|e| e.0)?;
                t.with_precision(precision.parse()?).map_err(|e| e.0)
            }
        }
    }
}

/// One timeline event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleEvent {
    /// RFC 3339 instant or a date.
    pub at: String,
    /// Present when `at` alone would not say it (hour precision, or a day
    /// written with an offset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<String>,
    /// detection, escalation, decision, communication, action,
    /// technical_finding, containment, eradication, recovery, impact, other.
    pub kind: String,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub actor: Option<String>,
    pub text: String,
    /// Part of the short (key events only) chronology.
    #[serde(default)]
    pub key: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_url: Option<String>,
    /// Evidence files attached to the event, with their content (base64),
    /// SHA-256 and chain of custody; the import checks every hash.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<BundleAttachment>,
}

impl BundleEvent {
    fn from_event(e: &TimelineEvent) -> Self {
        let ev = &e.event;
        let (at, precision) = match ev.at.to_canonical_string() {
            Some(s) => (s, None),
            None => (
                ev.at.to_rfc3339(),
                Some(ev.at.precision().as_str().to_owned()),
            ),
        };
        Self {
            at,
            precision,
            kind: ev.kind.as_str().into(),
            source: Some(ev.source.clone()),
            actor: ev.actor.clone(),
            text: ev.text.clone(),
            key: ev.key,
            tags: ev.tags.clone(),
            evidence_url: ev.evidence_url.clone(),
            attachments: Vec::new(),
        }
    }
    fn to_draft(&self) -> TimelineEventDraft {
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

/// The JSON Schema of version 1, as published in `docs/bundle.schema.json`.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Bundle);
    serde_json::to_string_pretty(&schema).expect("a schema serialises") + "\n"
}

/// Reads and checks a bundle document (syntax, format and version).
pub fn read_bundle<R: Read>(input: R) -> Result<Bundle, ImportError> {
    let value: serde_json::Value =
        serde_json::from_reader(BufReader::new(input)).map_err(|e| ImportError {
            line: e.line() as u64,
            column: Some(e.column() as u64),
            field: None,
            message: json_message(&e),
        })?;
    match value.get("format").and_then(|f| f.as_str()) {
        Some(FORMAT) => {}
        Some(other) => {
            return Err(ImportError::at_line(
                1,
                format!("format is `{other}`, not `{FORMAT}`"),
            ));
        }
        None => {
            return Err(ImportError::at_line(
                1,
                format!("not a debrief bundle: no \"format\": \"{FORMAT}\""),
            ));
        }
    }
    match value.get("version").and_then(|v| v.as_u64()) {
        Some(1) => {}
        Some(v) => {
            return Err(ImportError::at_line(
                1,
                format!(
                    "bundle version {v} is not one this debrief reads (it reads version {VERSION})"
                ),
            ));
        }
        None => {
            return Err(ImportError::at_line(
                1,
                "the bundle has no numeric \"version\"",
            ));
        }
    }
    serde_json::from_value(value).map_err(|e| ImportError {
        line: 1,
        column: None,
        field: None,
        message: format!("the bundle does not match version 1: {}", json_message(&e)),
    })
}

/// Validated events of the incident `key` in a bundle (or of its only incident).
pub fn timeline_for(bundle: &Bundle, key: &str) -> Result<Vec<NewTimelineEvent>, AppError> {
    let (index, incident) = match bundle
        .incidents
        .iter()
        .enumerate()
        .find(|(_, i)| i.key == key)
    {
        Some(found) => found,
        None if bundle.incidents.len() == 1 => (0, &bundle.incidents[0]),
        None => {
            return Err(AppError::NotFound(format!(
                "the bundle has no incident {key} (it has {})",
                bundle
                    .incidents
                    .iter()
                    .map(|i| i.key.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    };
    validate_events(index, incident)
}

fn validate_events(
    index: usize,
    incident: &BundleIncident,
) -> Result<Vec<NewTimelineEvent>, AppError> {
    let mut out = Vec::with_capacity(incident.timeline.len());
    for (i, e) in incident.timeline.iter().enumerate() {
        let event = e
            .to_draft()
            .validate("import")
            .map_err(|errs| errs.prefixed(&format!("incidents[{index}].timeline[{i}].")))?;
        out.push(event);
    }
    Ok(out)
}

fn parse_instant(
    field: &str,
    value: &Option<String>,
    default: jiff::Timestamp,
    errors: &mut FieldErrors,
) -> jiff::Timestamp {
    match value {
        None => default,
        Some(s) => s.parse().unwrap_or_else(|e| {
            errors.push(field, format!("`{s}` is not an RFC 3339 instant: {e}"));
            default
        }),
    }
}

/// What importing a bundle did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BundleReport {
    pub incidents_created: u64,
    /// Incidents already here (same id): only their new events were added.
    pub incidents_existing: u64,
    pub events_added: u64,
    pub events_duplicate: u64,
    /// Actions new to this database.
    pub actions_added: u64,
    /// Workshops new to this database.
    pub workshops_added: u64,
    /// Evidence attachments new to this database (each hash checked).
    pub attachments_added: u64,
    pub keys: Vec<String>,
}

impl App {
    /// Exports the incidents with these keys, or all when `keys` is empty.
    pub async fn export_bundle(&self, keys: &[String]) -> Result<Bundle, AppError> {
        let ids: Vec<Uuid> = if keys.is_empty() {
            self.store().all_incident_ids().await?
        } else {
            let mut ids = Vec::new();
            for k in keys {
                ids.push(self.incident(k).await?.id);
            }
            ids
        };
        let mut incidents = Vec::with_capacity(ids.len());
        let mut owners: Vec<debrief_core::Person> = Vec::new();
        let everyone = self.people().await?;
        for id in ids {
            let incident = self.store().incident_by_id(id).await?;
            let events = self
                .store()
                .list_events(id, &EventFilter::default())
                .await?;
            let review = self.store().review(id).await?;
            let mut bi = to_bundle_incident(&incident, &events);
            for a in self.store().incident_attachments(id).await? {
                let content = self.store().attachment_content(a.id).await?;
                let actual = debrief_core::attachment::sha256_hex(&content);
                if actual != a.sha256 {
                    return Err(AppError::Integrity(format!(
                        "attachment {} ({}) of {} no longer matches its recorded SHA-256 {} (the stored bytes hash to {actual}); nothing was exported — check it with `debrief attachment verify {}`",
                        a.id, a.file_name, incident.key, a.sha256, a.id
                    )));
                }
                let custody = self.store().custody(a.id).await?;
                if let Some(j) = events.iter().position(|e| e.id == a.event_id) {
                    bi.timeline[j]
                        .attachments
                        .push(BundleAttachment::from_stored(&a, &content, &custody));
                }
            }
            bi.review = review
                .map(|r| {
                    serde_json::to_value(r).map_err(|e| {
                        AppError::Store(debrief_store::StoreError::Corrupt(e.to_string()))
                    })
                })
                .transpose()?;
            let (_, mut actions) = self.incident_actions(&incident.key.to_string()).await?;
            actions.sort_by_key(|v| v.action().number);
            for v in &actions {
                let history = self.store().action_history(v.action().id).await?;
                bi.actions.push(BundleAction::from_view(v, &history));
                if !owners
                    .iter()
                    .any(|p: &debrief_core::Person| p.id == v.record.owner.id)
                {
                    owners.push(v.record.owner.clone());
                }
            }
            for f in self.store().follow_ups(id).await? {
                bi.follow_ups.push(serde_json::to_value(&f).map_err(|e| {
                    AppError::Store(debrief_store::StoreError::Corrupt(e.to_string()))
                })?);
            }
            for w in self.store().workshops_of(id).await? {
                let ids = std::iter::once(w.schedule.facilitator_id)
                    .chain(w.attendees.iter().map(|a| a.person_id));
                for pid in ids {
                    if !owners.iter().any(|p| p.id == pid)
                        && let Some(p) = everyone.iter().find(|p| p.id == pid)
                    {
                        owners.push(p.clone());
                    }
                }
                bi.workshops
                    .push(BundleWorkshop::from_workshop(&w, &everyone));
            }
            for l in self.store().lesson_links_of(id).await? {
                bi.lesson_links.push(BundleLessonLink::from_link(&l));
            }
            incidents.push(bi);
        }
        // Documents belong to the organisation: a whole export carries the
        // register, a partial one the documents its links name; each with
        // its owner.
        let named: std::collections::HashSet<Uuid> = incidents
            .iter()
            .flat_map(|i| i.lesson_links.iter())
            .filter_map(|l| l.document.as_deref())
            .filter_map(|d| Uuid::parse_str(d).ok())
            .collect();
        let register: Vec<debrief_core::document::Document> = self
            .documents()
            .await?
            .into_iter()
            .filter(|d| keys.is_empty() || named.contains(&d.id))
            .collect();
        let mut documents = Vec::with_capacity(register.len());
        for d in &register {
            let owner = everyone.iter().find(|p| p.id == d.owner_id);
            if let Some(p) = owner
                && !owners.iter().any(|o| o.id == p.id)
            {
                owners.push(p.clone());
            }
            documents.push(BundleDocument::from_document(
                d,
                owner.map(|p| p.email.as_str()).unwrap_or_default(),
            ));
        }
        // A whole export is a backup and keeps everyone; a partial one only
        // the owners it needs.
        let people = if keys.is_empty() {
            everyone
        } else {
            owners.sort_by(|a, b| {
                a.name
                    .to_lowercase()
                    .cmp(&b.name.to_lowercase())
                    .then(a.email.cmp(&b.email))
            });
            owners
        };
        let exchange_rates = self
            .rates()
            .await?
            .iter()
            .map(|(_, r)| BundleRate {
                from: r.from().code().into(),
                to: r.to().code().into(),
                rate: r.rate().normalize().to_string(),
                date: r.date().to_string(),
                source: r.source().into(),
            })
            .collect();
        let holidays = self
            .holidays()
            .await?
            .iter()
            .map(BundleHoliday::from_holiday)
            .collect();
        let workshop_policy =
            match self.store().workshop_policy().await? {
                Some(p) => Some(serde_json::to_value(&p.policy).map_err(|e| {
                    AppError::Store(debrief_store::StoreError::Corrupt(e.to_string()))
                })?),
                None => None,
            };
        Ok(Bundle {
            format: FORMAT.into(),
            version: VERSION,
            incidents,
            exchange_rates,
            people: people.iter().map(BundlePerson::from_person).collect(),
            holidays,
            workshop_policy,
            documents,
        })
    }

    /// Imports a bundle, all or nothing. An incident whose id is already here
    /// gets only the events it lacks; a new one keeps its key, which must not
    /// belong to another incident.
    pub async fn import_bundle<R: Read + Send>(
        &self,
        input: R,
        progress: Progress<'_>,
    ) -> Result<BundleReport, AppError> {
        let bundle = read_bundle(input)?;
        let now = self.now();
        let mut prepared: Vec<PreparedIncident> = Vec::with_capacity(bundle.incidents.len());
        let mut errors = FieldErrors::default();
        for (i, bi) in bundle.incidents.iter().enumerate() {
            match self.prepare_incident(i, bi, now) {
                Ok(p) => prepared.push(p),
                Err(e) => errors.0.extend(e.0),
            }
        }
        let mut rates = Vec::with_capacity(bundle.exchange_rates.len());
        for (i, r) in bundle.exchange_rates.iter().enumerate() {
            let parsed = r
                .date
                .parse::<jiff::civil::Date>()
                .map_err(|_| format!("`{}` is not a date like 2026-09-01", r.date))
                .and_then(|d| {
                    debrief_core::ExchangeRate::parse(&r.from, &r.to, &r.rate, d, &r.source)
                        .map_err(|e| e.to_string())
                });
            match parsed {
                Ok(rate) => rates.push(debrief_store::StoredRate {
                    id: Uuid::now_v7(),
                    from: rate.from().code().into(),
                    to: rate.to().code().into(),
                    rate: rate.rate().normalize().to_string(),
                    valid_on: rate.date().to_string(),
                    source: rate.source().into(),
                    created_at: now,
                }),
                Err(m) => errors.push(format!("exchange_rates[{i}]"), m),
            }
        }
        let mut people = Vec::with_capacity(bundle.people.len());
        for (i, p) in bundle.people.iter().enumerate() {
            match p.validate() {
                Ok(p) => people.push(p),
                Err(e) => errors.0.extend(e.prefixed(&format!("people[{i}].")).0),
            }
        }
        let mut holidays = Vec::with_capacity(bundle.holidays.len());
        for (i, h) in bundle.holidays.iter().enumerate() {
            match debrief_core::workshop::Holiday::parse(&h.date, &h.name) {
                Ok(h) => holidays.push(h),
                Err(e) => errors.0.extend(e.prefixed(&format!("holidays[{i}].")).0),
            }
        }
        let policy = match &bundle.workshop_policy {
            None => None,
            Some(v) => match serde_json::from_value::<debrief_core::WorkshopPolicy>(v.clone()) {
                Ok(p) => match p.validate(&self.settings().taxonomy) {
                    Ok(()) => Some(p),
                    Err(e) => {
                        errors.0.extend(e.prefixed("workshop_policy.").0);
                        None
                    }
                },
                Err(e) => {
                    errors.push(
                        "workshop_policy",
                        format!("not a workshop policy debrief can read: {e}"),
                    );
                    None
                }
            },
        };
        // Evidence: every file's hash is checked before anything is written.
        for p in prepared.iter_mut() {
            let bi = &bundle.incidents[p.index];
            for (j, e) in bi.timeline.iter().enumerate() {
                for (k, a) in e.attachments.iter().enumerate() {
                    match a.validate() {
                        Ok(prepared_attachment) => p
                            .attachments
                            .push((p.events[j].content_hash(), prepared_attachment)),
                        Err(AppError::Invalid(fe)) => errors.0.extend(
                            fe.prefixed(&format!(
                                "incidents[{}].timeline[{j}].attachments[{k}].",
                                p.index
                            ))
                            .0,
                        ),
                        Err(other) => return Err(other),
                    }
                }
            }
        }
        let mut documents = Vec::with_capacity(bundle.documents.len());
        for (i, d) in bundle.documents.iter().enumerate() {
            match d.validate() {
                Ok(d) => documents.push(d),
                Err(e) => errors.0.extend(e.prefixed(&format!("documents[{i}].")).0),
            }
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let mut tx = self.store().begin().await?;
        for h in &holidays {
            tx.add_holiday_if_new(h, now).await?;
        }
        if let Some(p) = &policy {
            tx.save_workshop_policy_if_none(p, now).await?;
        }
        for rate in &rates {
            tx.add_rate_if_new(rate).await?;
        }
        for person in &people {
            if tx.person_by_email(&person.email).await?.is_none() {
                tx.create_person(person, now).await?;
            }
        }
        for (i, mut d) in documents.into_iter().enumerate() {
            let Some(owner) = tx.person_by_email(&d.owner).await? else {
                return Err(AppError::Invalid(FieldErrors::from(
                    debrief_core::FieldError::new(
                        format!("documents[{i}].owner"),
                        format!(
                            "`{}` is neither in the bundle's people nor known here",
                            d.owner
                        ),
                    ),
                )));
            };
            d.document.owner_id = owner.id;
            tx.insert_document_if_new(&d.document, now).await?;
        }
        let mut report = BundleReport::default();
        let mut read = 0u64;
        for PreparedIncident {
            index,
            key,
            record,
            events,
            id_given,
            review,
            actions,
            follow_ups,
            workshops,
            attachments,
            lesson_links,
        } in prepared
        {
            // With an id, the id says which incident this is; without one, the key does.
            let existing = if id_given {
                tx.incident_by_id(record.id).await?
            } else {
                tx.incident_by_key(&key).await?
            };
            let incident_id = match existing {
                Some(existing) if existing.key != key => {
                    return Err(AppError::Conflict {
                        message: format!(
                            "incident {} is here as {}, but the bundle calls it {key}",
                            record.id, existing.key
                        ),
                        current_version: None,
                    });
                }
                Some(existing) => {
                    report.incidents_existing += 1;
                    existing.id
                }
                None => {
                    let created = tx.create_incident(record).await?;
                    report.incidents_created += 1;
                    created.id
                }
            };
            // A review already here is kept; the bundle's only fills a gap.
            if let Some(mut review) = review
                && tx.review(incident_id).await?.is_none()
            {
                review.incident_id = incident_id;
                tx.save_review(&review, None, now).await?;
            }
            for (j, (mut action, history)) in actions.into_iter().enumerate() {
                let owner = &bundle.incidents[index].actions[j].owner;
                let Some(person) = tx.person_by_email(owner).await? else {
                    return Err(AppError::Invalid(FieldErrors::from(
                        debrief_core::FieldError::new(
                            format!("incidents[{index}].actions[{j}].owner"),
                            format!("`{owner}` is neither in the bundle's people nor known here"),
                        ),
                    )));
                };
                action.incident_id = incident_id;
                action.fields.owner_id = person.id;
                if tx.insert_action_if_new(&action, &history).await? {
                    report.actions_added += 1;
                }
            }
            for mut f in follow_ups {
                f.incident_id = incident_id;
                tx.add_follow_up_if_new(&f).await?;
            }
            for (j, mut p) in workshops.into_iter().enumerate() {
                let unknown = |field: String, email: &str| {
                    AppError::Invalid(FieldErrors::from(debrief_core::FieldError::new(
                        format!("incidents[{index}].workshops[{j}].{field}"),
                        format!("`{email}` is neither in the bundle's people nor known here"),
                    )))
                };
                let Some(f) = tx.person_by_email(&p.facilitator).await? else {
                    return Err(unknown("facilitator".into(), &p.facilitator));
                };
                p.workshop.schedule.facilitator_id = f.id;
                for (k, email) in p.attendees.iter().enumerate() {
                    let Some(a) = tx.person_by_email(email).await? else {
                        return Err(unknown(format!("attendees[{k}].person"), email));
                    };
                    p.workshop.attendees[k].person_id = a.id;
                }
                p.workshop.incident_id = incident_id;
                if tx.insert_workshop_if_new(&p.workshop).await? {
                    report.workshops_added += 1;
                }
            }
            // The review's lessons, read only when there are links to check.
            let lessons: Vec<Uuid> = if lesson_links.is_empty() {
                Vec::new()
            } else {
                tx.review(incident_id)
                    .await?
                    .map(|r| r.lessons.iter().map(|l| l.id).collect())
                    .unwrap_or_default()
            };
            for (j, mut link) in lesson_links.into_iter().enumerate() {
                let field = |f: &str, m: String| {
                    AppError::Invalid(FieldErrors::from(debrief_core::FieldError::new(
                        format!("incidents[{index}].lesson_links[{j}].{f}"),
                        m,
                    )))
                };
                if !lessons.contains(&link.lesson_id) {
                    return Err(field(
                        "lesson_id",
                        format!("`{}` is not a lesson of {key}'s review", link.lesson_id),
                    ));
                }
                if let Some(doc) = link.document_id
                    && tx.document_by_id(doc).await?.is_none()
                {
                    return Err(field(
                        "document",
                        format!("`{doc}` is neither in the bundle's documents nor known here"),
                    ));
                }
                link.incident_id = incident_id;
                tx.insert_lesson_link_if_new(&link, now).await?;
            }
            report.keys.push(key.to_string());
            for chunk in events.chunks(BATCH) {
                let added = tx.add_events(incident_id, chunk, now).await?;
                report.events_added += added.added;
                report.events_duplicate += added.duplicates;
                read += chunk.len() as u64;
                progress(read);
            }
            for (hash, mut p) in attachments {
                let Some(event_id) = tx.event_id_by_hash(incident_id, &hash).await? else {
                    return Err(AppError::NotFound(format!(
                        "the event of attachment {} is not in {key}",
                        p.attachment.id
                    )));
                };
                p.attachment.incident_id = incident_id;
                p.attachment.event_id = event_id;
                if tx
                    .import_attachment_if_new(&p.attachment, &p.content, &p.custody)
                    .await?
                {
                    report.attachments_added += 1;
                }
            }
        }
        tx.commit().await?;
        Ok(report)
    }

    fn prepare_incident(
        &self,
        index: usize,
        bi: &BundleIncident,
        now: jiff::Timestamp,
    ) -> Result<PreparedIncident, FieldErrors> {
        let prefix = format!("incidents[{index}].");
        let mut errors = FieldErrors::default();
        let key = bi
            .key
            .parse::<IncidentKey>()
            .map_err(|m| errors.push("key", m))
            .ok();
        let id = match &bi.id {
            None => Uuid::now_v7(),
            Some(s) => Uuid::parse_str(s).unwrap_or_else(|e| {
                errors.push("id", format!("`{s}` is not a UUID: {e}"));
                Uuid::nil()
            }),
        };
        let draft = IncidentDraft {
            title: bi.title.clone(),
            summary: bi.summary.clone(),
            category: bi.category.clone(),
            severity: bi.severity.clone(),
            services: bi.services.clone(),
            business_units: bi.business_units.clone(),
            tags: bi.tags.clone(),
            responders: bi.responders.clone(),
            timestamps: Vec::new(),
            precisions: Vec::new(),
        };
        let mut fields = draft
            .validate(&self.settings().taxonomy)
            .map_err(|e| errors.0.extend(e.0))
            .ok();
        let mut stamps = bi.timestamps.clone();
        let mut times_ok = true;
        for f in LifecycleField::ALL {
            if let Some(t) = stamps.slot(f).as_ref() {
                match t.parse() {
                    Ok(t) => {
                        if let Some(fields) = fields.as_mut() {
                            fields.lifecycle.set(f, Some(t));
                        }
                    }
                    Err(m) => {
                        errors.push(format!("timestamps.{f}"), m);
                        times_ok = false;
                    }
                }
            }
        }
        if let Some(fields) = fields.as_ref().filter(|_| times_ok) {
            errors.0.extend(fields.lifecycle.order_violations().0);
        }
        let created_at = parse_instant("created_at", &bi.created_at, now, &mut errors);
        let updated_at = parse_instant("updated_at", &bi.updated_at, created_at, &mut errors);
        let review = match &bi.review {
            None => None,
            Some(v) => serde_json::from_value::<Review>(v.clone())
                .map_err(|e| errors.push("review", format!("not a review debrief can read: {e}")))
                .ok(),
        };
        let mut actions = Vec::with_capacity(bi.actions.len());
        for (j, a) in bi.actions.iter().enumerate() {
            match a.validate(id, review.as_ref()) {
                Ok(v) => actions.push(v),
                Err(e) => errors.0.extend(e.prefixed(&format!("actions[{j}].")).0),
            }
        }
        let mut workshops = Vec::with_capacity(bi.workshops.len());
        for (j, w) in bi.workshops.iter().enumerate() {
            match w.validate(id) {
                Ok(p) => workshops.push(p),
                Err(e) => errors.0.extend(e.prefixed(&format!("workshops[{j}].")).0),
            }
        }
        let mut lesson_links = Vec::with_capacity(bi.lesson_links.len());
        for (j, l) in bi.lesson_links.iter().enumerate() {
            match l.validate(id) {
                Ok(l) => lesson_links.push(l),
                Err(e) => errors
                    .0
                    .extend(e.prefixed(&format!("lesson_links[{j}].")).0),
            }
        }
        let mut follow_ups = Vec::with_capacity(bi.follow_ups.len());
        for (j, f) in bi.follow_ups.iter().enumerate() {
            match actions::follow_up_from_value(f, id) {
                Ok(f) => follow_ups.push(f),
                Err(m) => errors.push(format!("follow_ups[{j}]"), m),
            }
        }
        let events = match validate_events(index, bi) {
            Ok(e) => e,
            Err(AppError::Invalid(e)) => {
                // Already prefixed with the incident's index.
                let mut all = errors.prefixed(&prefix);
                all.0.extend(e.0);
                return Err(all);
            }
            Err(other) => {
                errors.push("timeline", other.to_string());
                Vec::new()
            }
        };
        match (key, fields, errors.is_empty()) {
            (Some(key), Some(fields), true) => Ok(PreparedIncident {
                index,
                actions,
                follow_ups,
                workshops,
                lesson_links,
                key: key.clone(),
                record: NewIncidentRecord {
                    id,
                    key: KeyRequest::Given(key),
                    fields,
                    created_at,
                    updated_at,
                },
                events,
                id_given: bi.id.is_some(),
                review,
                attachments: Vec::new(),
            }),
            _ => Err(errors.prefixed(&prefix)),
        }
    }
}

/// A bundle incident, validated, ready to write.
struct PreparedIncident {
    index: usize,
    actions: Vec<(
        debrief_core::action::Action,
        Vec<debrief_core::action::HistoryEntry>,
    )>,
    follow_ups: Vec<debrief_core::action::FollowUp>,
    workshops: Vec<workshops::PreparedWorkshop>,
    lesson_links: Vec<debrief_core::document::LessonLink>,
    key: IncidentKey,
    record: NewIncidentRecord,
    events: Vec<NewTimelineEvent>,
    id_given: bool,
    review: Option<Review>,
    /// Each with the content hash of its event.
    attachments: Vec<(String, PreparedAttachment)>,
}

fn to_bundle_incident(incident: &Incident, events: &[TimelineEvent]) -> BundleIncident {
    let f = &incident.fields;
    let mut timestamps = BundleTimestamps::default();
    for (field, value) in f.lifecycle.iter() {
        *timestamps.slot(field) = value.map(BundleTime::from_timestamp);
    }
    BundleIncident {
        id: Some(incident.id.to_string()),
        key: incident.key.to_string(),
        title: f.title.clone(),
        summary: f.summary.clone(),
        category: f.category.clone(),
        severity: f.severity.as_str().into(),
        services: f.services.clone(),
        business_units: f.business_units.clone(),
        tags: f.tags.clone(),
        responders: f.responders.clone(),
        timestamps,
        created_at: Some(incident.created_at.to_string()),
        updated_at: Some(incident.updated_at.to_string()),
        timeline: events.iter().map(BundleEvent::from_event).collect(),
        review: None,
        actions: Vec::new(),
        follow_ups: Vec::new(),
        workshops: Vec::new(),
        lesson_links: Vec::new(),
    }
}
