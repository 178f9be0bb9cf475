//! The workshops part of a bundle: each incident's workshops with their
//! attendees, agenda and notes, and at the top level the organisation's
//! holidays and workshop policy. People travel as emails (the facilitator
//! and attendees must be in the bundle's people or already known), so a
//! bundle moves between databases whose people have different ids.

use debrief_core::workshop::{
    AgendaItem, Attendance, Attendee, Holiday, NoteKind, ScheduleDraft, StakeholderRole, Workshop,
    WorkshopNote,
};
use debrief_core::{FieldErrors, Person};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A lessons-learned workshop or follow-up session (PRODUCT.md §8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleWorkshop {
    /// Stable identity (UUID); the invite's UID is made from it, and
    /// importing twice adds it once.
    pub id: String,
    /// `lessons_learned` or `follow_up`.
    pub kind: String,
    /// `scheduled`, `held` or `cancelled`.
    pub status: String,
    /// RFC 3339 instant.
    pub starts_at: String,
    /// The IANA zone it was planned in.
    pub time_zone: String,
    #[schemars(range(min = 15, max = 480))]
    pub duration_minutes: u32,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub location: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub url: String,
    /// The facilitator's email.
    pub facilitator: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attendees: Vec<BundleAttendee>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agenda: Vec<BundleAgendaItem>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<BundleNote>,
    /// The invite's SEQUENCE.
    pub sequence: u32,
    /// RFC 3339 instant it was held (its start), once held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_at: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cancel_reason: String,
    pub created_by: String,
    /// RFC 3339 instants.
    pub created_at: String,
    pub updated_at: String,
    #[schemars(range(min = 1))]
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleAttendee {
    /// The person's email.
    pub person: String,
    /// `responder`, `it`, `management`, `legal`, `communications`,
    /// `security`, `vendor`, `executive` or `other`.
    pub role: String,
    /// `invited`, `accepted`, `attended` or `absent`.
    pub attendance: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleAgendaItem {
    pub title: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub points: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleNote {
    pub id: String,
    /// The agenda item it was taken under, counted from 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<u32>,
    /// `note`, `decision`, `lesson` or `action`.
    pub kind: String,
    pub text: String,
    /// A lesson's id or an action's reference.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reference: String,
    pub by: String,
    /// RFC 3339 instant.
    pub at: String,
}

/// A holiday of the organisation (business days skip it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleHoliday {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub name: String,
}

impl BundleHoliday {
    pub(crate) fn from_holiday(h: &Holiday) -> Self {
        Self {
            date: h.date.to_string(),
            name: h.name.clone(),
        }
    }
}

/// A validated bundle workshop; people are still emails.
pub(crate) struct PreparedWorkshop {
    pub workshop: Workshop,
    pub facilitator: String,
    /// The email of each attendee, in the order of `workshop.attendees`.
    pub attendees: Vec<String>,
}

impl BundleWorkshop {
    pub(crate) fn from_workshop(w: &Workshop, people: &[Person]) -> Self {
        let email = |id: Uuid| {
            people
                .iter()
                .find(|p| p.id == id)
                .map(|p| p.email.clone())
                .unwrap_or_default()
        };
        let s = &w.schedule;
        Self {
            id: w.id.to_string(),
            kind: w.kind.to_string(),
            status: w.status.to_string(),
            starts_at: s.starts_at.to_string(),
            time_zone: s.time_zone.clone(),
            duration_minutes: s.duration_minutes,
            location: s.location.clone(),
            url: s.url.clone(),
            facilitator: email(s.facilitator_id),
            attendees: w
                .attendees
                .iter()
                .map(|a| BundleAttendee {
                    person: email(a.person_id),
                    role: a.role.to_string(),
                    attendance: a.attendance.to_string(),
                })
                .collect(),
            agenda: w
                .agenda
                .iter()
                .map(|i| BundleAgendaItem {
                    title: i.title.clone(),
                    points: i.points.clone(),
                })
                .collect(),
            notes: w
                .notes
                .iter()
                .map(|n| BundleNote {
                    id: n.id.to_string(),
                    item: n.item,
                    kind: n.kind.to_string(),
                    text: n.text.clone(),
                    reference: n.reference.clone(),
                    by: n.by.clone(),
                    at: n.at.to_string(),
                })
                .collect(),
            sequence: w.sequence,
            held_at: w.held_at.map(|t| t.to_string()),
            cancel_reason: w.cancel_reason.clone(),
            created_by: w.created_by.clone(),
            created_at: w.created_at.to_string(),
            updated_at: w.updated_at.to_string(),
            version: w.version,
        }
    }

    /// Checks every field as the domain would; people are resolved by the
    /// caller inside the import's transaction.
    pub(crate) fn validate(&self, incident_id: Uuid) -> Result<PreparedWorkshop, FieldErrors> {
        let mut e = FieldErrors::default();
        let id = Uuid::parse_str(&self.id)
            .map_err(|_| e.push("id", format!("`{}` is not a UUID", self.id)))
            .unwrap_or_default();
        let kind = self.kind.parse().map_err(|m| e.push("kind", m)).ok();
        let status = self.status.parse().map_err(|m| e.push("status", m)).ok();
        let instant = |field: &str, s: &str, e: &mut FieldErrors| {
            s.parse::<jiff::Timestamp>()
                .map_err(|_| e.push(field, format!("`{s}` is not an RFC 3339 instant")))
                .ok()
        };
        let schedule = ScheduleDraft {
            starts: self.starts_at.clone(),
            time_zone: self.time_zone.clone(),
            duration_minutes: self.duration_minutes.to_string(),
            location: self.location.clone(),
            url: self.url.clone(),
            facilitator: self.facilitator.clone(),
        }
        .validate(Some(Uuid::nil()), "UTC", FieldErrors::default())
        .map_err(|errs| e.0.extend(errs.0))
        .ok();
        for (field, email) in std::iter::once(("facilitator".to_owned(), &self.facilitator)).chain(
            self.attendees
                .iter()
                .enumerate()
                .map(|(i, a)| (format!("attendees[{i}].person"), &a.person)),
        ) {
            if let Err(m) = debrief_core::person::check_email(&email.trim().to_lowercase()) {
                e.push(field, m);
            }
        }
        let mut attendees = Vec::with_capacity(self.attendees.len());
        for (i, a) in self.attendees.iter().enumerate() {
            let role = a
                .role
                .parse::<StakeholderRole>()
                .map_err(|m| e.push(format!("attendees[{i}].role"), m))
                .ok();
            let attendance = a
                .attendance
                .parse::<Attendance>()
                .map_err(|m| e.push(format!("attendees[{i}].attendance"), m))
                .ok();
            if let (Some(role), Some(attendance)) = (role, attendance) {
                attendees.push(Attendee {
                    person_id: Uuid::nil(),
                    role,
                    attendance,
                });
            }
        }
        let mut notes = Vec::with_capacity(self.notes.len());
        for (i, n) in self.notes.iter().enumerate() {
            let id = Uuid::parse_str(&n.id)
                .map_err(|_| {
                    e.push(
                        format!("notes[{i}].id"),
                        format!("`{}` is not a UUID", n.id),
                    )
                })
                .ok();
            let kind = n
                .kind
                .parse::<NoteKind>()
                .map_err(|m| e.push(format!("notes[{i}].kind"), m))
                .ok();
            let at = instant(&format!("notes[{i}].at"), &n.at, &mut e);
            if n.item.is_some_and(|x| x as usize >= self.agenda.len()) {
                e.push(format!("notes[{i}].item"), "no such agenda item");
            }
            if let (Some(id), Some(kind), Some(at)) = (id, kind, at) {
                notes.push(WorkshopNote {
                    id,
                    item: n.item,
                    kind,
                    text: n.text.clone(),
                    reference: n.reference.clone(),
                    by: n.by.clone(),
                    at,
                });
            }
        }
        let held_at = self
            .held_at
            .as_deref()
            .and_then(|s| instant("held_at", s, &mut e));
        let created_at = instant("created_at", &self.created_at, &mut e);
        let updated_at = instant("updated_at", &self.updated_at, &mut e);
        if self.version < 1 {
            e.push("version", "versions start at 1");
        }
        match (kind, status, schedule, created_at, updated_at) {
            (Some(kind), Some(status), Some(schedule), Some(created_at), Some(updated_at))
                if e.is_empty() =>
            {
                Ok(PreparedWorkshop {
                    workshop: Workshop {
                        id,
                        incident_id,
                        kind,
                        status,
                        schedule,
                        attendees,
                        agenda: self
                            .agenda
                            .iter()
                            .map(|i| AgendaItem {
                                title: i.title.clone(),
                                points: i.points.clone(),
                            })
                            .collect(),
                        notes,
                        sequence: self.sequence,
                        held_at,
                        cancel_reason: self.cancel_reason.clone(),
                        created_by: self.created_by.clone(),
                        created_at,
                        updated_at,
                        version: self.version,
                    },
                    facilitator: self.facilitator.trim().to_lowercase(),
                    attendees: self
                        .attendees
                        .iter()
                        .map(|a| a.person.trim().to_lowercase())
                        .collect(),
                })
            }
            _ => Err(e),
        }
    }
}
