//! Lessons-learned workshops and follow-up sessions (PRODUCT.md §8): their
//! schedule with a time zone, the facilitator, attendees with a stakeholder
//! role and attendance, the agenda, notes and decisions, and the rules that
//! keep them honest — promptness after closure (`calendar`), stakeholder
//! coverage (`coverage`), a neutral facilitator (`neutrality`) and the
//! agenda generated from the incident (`agenda`).
//!
//! A workshop changes only through [`Workshop::apply`], which checks the
//! workflow (`scheduled → held`, `scheduled → cancelled`) and bumps the
//! invite's `sequence` whenever what an invite says changes (time, place,
//! people, agenda, cancellation), as RFC 5545 asks.

mod agenda;
mod calendar;
mod coverage;
mod neutrality;

use std::fmt;

use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::FieldErrors;
use crate::review::string_enum;

pub use agenda::{AgendaAction, AgendaSource, agenda_from_text, agenda_to_text, generate_agenda};
pub use calendar::{
    DayUnit, Holiday, Holidays, PromptnessRule, ReviewDue, add_business_days, closure_date,
    is_business_day, review_due,
};
pub use coverage::{Coverage, CoverageRule, RoleNeed};
pub use neutrality::{ServiceOwners, facilitator_concerns, names_person};

string_enum!(
    /// What a workshop is for.
    WorkshopKind, "workshop kind" {
        LessonsLearned => "lessons_learned", "Lessons learned",
        FollowUp => "follow_up", "Follow-up",
    }
);

string_enum!(
    /// Where a workshop stands.
    WorkshopStatus, "workshop status" {
        Scheduled => "scheduled", "Scheduled",
        Held => "held", "Held",
        Cancelled => "cancelled", "Cancelled",
    }
);

string_enum!(
    /// Why someone is in the room.
    StakeholderRole, "stakeholder role" {
        Responder => "responder", "Responder",
        It => "it", "IT",
        Management => "management", "Management",
        Legal => "legal", "Legal",
        Communications => "communications", "Communications",
        Security => "security", "Security",
        Vendor => "vendor", "Vendor",
        Executive => "executive", "Executive",
        Other => "other", "Other",
    }
);

string_enum!(
    /// Whether an attendee answered and came.
    Attendance, "attendance" {
        Invited => "invited", "Invited",
        Accepted => "accepted", "Accepted",
        Attended => "attended", "Attended",
        Absent => "absent", "Absent",
    }
);

string_enum!(
    /// What a note records.
    NoteKind, "note kind" {
        Note => "note", "Note",
        Decision => "decision", "Decision",
        Lesson => "lesson", "Lesson added",
        Action => "action", "Action added",
    }
);

impl Attendance {
    /// The iCalendar participation status (RFC 5545 §3.2.12).
    pub fn partstat(self) -> &'static str {
        match self {
            Self::Invited => "NEEDS-ACTION",
            Self::Accepted | Self::Attended => "ACCEPTED",
            Self::Absent => "DECLINED",
        }
    }
    /// Only known once the workshop has started.
    pub fn is_after_the_fact(self) -> bool {
        matches!(self, Self::Attended | Self::Absent)
    }
}

/// When and where, and who runs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub starts_at: jiff::Timestamp,
    /// The IANA zone the workshop is planned in (`Europe/Paris`): invites
    /// carry it, and the wall-clock time people agreed on is in it.
    pub time_zone: String,
    pub duration_minutes: u32,
    /// A room or an address.
    pub location: String,
    /// A meeting link.
    pub url: String,
    /// A person's id.
    pub facilitator_id: Uuid,
}

impl Schedule {
    /// The zone, or UTC if the stored name is no longer known (it was
    /// checked when saved).
    pub fn zone(&self) -> TimeZone {
        TimeZone::get(&self.time_zone).unwrap_or(TimeZone::UTC)
    }
    pub fn starts_zoned(&self) -> jiff::ZonedDateTime {
        self.starts_at.to_zoned_datetime(self.zone())
    }
    pub fn ends_at(&self) -> jiff::Timestamp {
        self.starts_at
            .checked_add(jiff::SignedDuration::from_mins(i64::from(
                self.duration_minutes,
            )))
            .unwrap_or(self.starts_at)
    }
}

pub const DURATION_MIN: u32 = 15;
pub const DURATION_MAX: u32 = 8 * 60;
pub const LOCATION_MAX: usize = 300;
pub const NOTE_MAX: usize = 5_000;
pub const NOTES_MAX: usize = 2_000;
pub const ATTENDEES_MAX: usize = 200;
pub const REASON_MAX: usize = 2_000;

/// Raw schedule input: strings where people type. `facilitator` is resolved
/// to a person by the caller.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleDraft {
    /// `2026-09-29 10:00` (wall clock in `time_zone`) or an RFC 3339
    /// instant with an offset.
    pub starts: String,
    /// IANA zone; the organisation's when empty.
    #[serde(default)]
    pub time_zone: String,
    /// Minutes, 15–480.
    pub duration_minutes: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub url: String,
    /// The facilitator's email (or id).
    pub facilitator: String,
}

impl ScheduleDraft {
    /// Checks every field; `facilitator_id` is the resolved facilitator, or
    /// `None` when the caller already recorded why in `errors`.
    /// `default_zone` is the organisation's zone name.
    pub fn validate(
        &self,
        facilitator_id: Option<Uuid>,
        default_zone: &str,
        mut errors: FieldErrors,
    ) -> Result<Schedule, FieldErrors> {
        let zone_name = match self.time_zone.trim() {
            "" => default_zone.to_owned(),
            z => z.to_owned(),
        };
        let zone = match TimeZone::get(&zone_name) {
            Ok(z) => Some(z),
            Err(_) => {
                errors.push(
                    "time_zone",
                    format!("`{zone_name}` is not an IANA time zone like Europe/Paris"),
                );
                None
            }
        };
        let starts_at =
            zone.as_ref()
                .and_then(|z| match parse_start(&self.starts, z, &zone_name) {
                    Ok(t) => Some(t),
                    Err(m) => {
                        errors.push("starts", m);
                        None
                    }
                });
        if zone.is_none() && self.starts.trim().is_empty() {
            errors.push(
                "starts",
                "say when the workshop starts, like 2026-09-29 10:00",
            );
        }
        let duration = self.duration_minutes.trim();
        let duration_minutes = match duration.parse::<u32>() {
            Ok(m) if (DURATION_MIN..=DURATION_MAX).contains(&m) => m,
            Ok(m) => {
                errors.push(
                    "duration_minutes",
                    format!("a workshop lasts {DURATION_MIN} to {DURATION_MAX} minutes, not {m}"),
                );
                0
            }
            Err(_) if duration.is_empty() => {
                errors.push("duration_minutes", "say how many minutes it lasts, like 90");
                0
            }
            Err(_) => {
                errors.push(
                    "duration_minutes",
                    format!("`{duration}` is not a number of minutes, like 90"),
                );
                0
            }
        };
        let location = self
            .location
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if location.chars().count() > LOCATION_MAX {
            errors.push(
                "location",
                format!("the place is longer than {LOCATION_MAX} characters"),
            );
        }
        let url = self.url.trim().to_owned();
        if !url.is_empty() {
            let ok = (url.starts_with("https://") || url.starts_with("http://"))
                && url.len() > "https://".len()
                && url.len() <= 2000
                && !url.chars().any(|c| c.is_whitespace() || c.is_control());
            if !ok {
                errors.push(
                    "url",
                    format!("`{url}` is not a meeting link starting with https://"),
                );
            }
        }
        if location.is_empty() && url.is_empty() {
            errors.push(
                "location",
                "say where it happens: a room, an address or a meeting link",
            );
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        match (starts_at, facilitator_id) {
            (Some(starts_at), Some(facilitator_id)) => Ok(Schedule {
                starts_at,
                time_zone: zone_name,
                duration_minutes,
                location,
                url,
                facilitator_id,
            }),
            _ => {
                errors.push("facilitator", "a workshop needs a facilitator");
                Err(errors)
            }
        }
    }
}

/// Reads a start time: an RFC 3339 instant with an offset, or a wall-clock
/// time in `zone`, refusing a time the clocks skip or pass twice.
fn parse_start(input: &str, zone: &TimeZone, zone_name: &str) -> Result<jiff::Timestamp, String> {
    let s = input.trim();
    if s.is_empty() {
        return Err("say when the workshop starts, like 2026-09-29 10:00".into());
    }
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Ok(t);
    }
    let dt = s.parse::<jiff::civil::DateTime>().map_err(|_| {
        format!("`{s}` is not a date and time like 2026-09-29 10:00 (or 2026-09-29T10:00+02:00)")
    })?;
    if s.len() <= 10 {
        return Err(format!(
            "`{s}` has no time of day; say when it starts, like {s} 10:00"
        ));
    }
    let ambiguous = zone.to_ambiguous_timestamp(dt);
    match ambiguous.offset() {
        jiff::tz::AmbiguousOffset::Unambiguous { .. } => ambiguous
            .unambiguous()
            .map_err(|e| format!("`{s}` in {zone_name}: {e}")),
        jiff::tz::AmbiguousOffset::Gap { .. } => Err(format!(
            "{s} does not exist in {zone_name}: the clocks skip that hour (daylight saving time); choose another time"
        )),
        jiff::tz::AmbiguousOffset::Fold { before, after } => Err(format!(
            "{s} happens twice in {zone_name} (the clocks go back); add the offset, like {}{} or {}{}",
            s.replace(' ', "T"),
            crate::timestamp::format_offset(before.seconds()),
            s.replace(' ', "T"),
            crate::timestamp::format_offset(after.seconds())
        )),
    }
}

/// Someone invited, with why they are there and whether they came.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendee {
    pub person_id: Uuid,
    pub role: StakeholderRole,
    pub attendance: Attendance,
}

/// One item of the agenda: a heading and its talking points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaItem {
    pub title: String,
    #[serde(default)]
    pub points: Vec<String>,
}

/// A note taken during the workshop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkshopNote {
    pub id: Uuid,
    /// The agenda item (0-based) it was taken under, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<u32>,
    pub kind: NoteKind,
    pub text: String,
    /// What a lesson or action note points at: the lesson's id or the
    /// action's reference.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reference: String,
    pub by: String,
    pub at: jiff::Timestamp,
}

/// A workshop as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workshop {
    pub id: Uuid,
    pub incident_id: Uuid,
    pub kind: WorkshopKind,
    pub status: WorkshopStatus,
    pub schedule: Schedule,
    pub attendees: Vec<Attendee>,
    pub agenda: Vec<AgendaItem>,
    pub notes: Vec<WorkshopNote>,
    /// The iCalendar SEQUENCE: 0 for the first invite, one more for each
    /// update of what the invite says.
    pub sequence: u32,
    /// When it was held (its scheduled start), once marked held.
    pub held_at: Option<jiff::Timestamp>,
    pub cancel_reason: String,
    pub created_by: String,
    pub created_at: jiff::Timestamp,
    pub updated_at: jiff::Timestamp,
    pub version: i64,
}

/// A change to a workshop with people resolved (see the app's
/// `WorkshopChange` for the raw form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkshopEdit {
    Reschedule(Schedule),
    /// Invites a person, or changes the role of one already invited.
    AddAttendee {
        person_id: Uuid,
        role: StakeholderRole,
    },
    RemoveAttendee {
        person_id: Uuid,
    },
    SetAttendance {
        person_id: Uuid,
        attendance: Attendance,
    },
    SetAgenda(Vec<AgendaItem>),
    AddNote {
        item: Option<u32>,
        kind: NoteKind,
        text: String,
        reference: String,
    },
    /// The workshop took place (at its scheduled start).
    MarkHeld,
    Cancel {
        reason: String,
    },
}

/// A change to a workshop as the API and the CLI send it: people by email
/// (or id), enums as text, agenda items numbered from 1. The app resolves
/// it into a [`WorkshopEdit`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case", deny_unknown_fields)]
pub enum WorkshopChange {
    /// New time, place or facilitator (every field of the schedule).
    Reschedule {
        schedule: ScheduleDraft,
    },
    /// Invite someone, or change the role of someone invited.
    AddAttendee {
        person: String,
        role: String,
    },
    RemoveAttendee {
        person: String,
    },
    /// `invited`, `accepted`, `attended` or `absent`.
    SetAttendance {
        person: String,
        attendance: String,
    },
    /// The agenda as text: `## heading` lines and their points.
    SetAgenda {
        agenda: String,
    },
    /// A note or a decision, under agenda item `item` (1 is the first).
    AddNote {
        #[serde(default)]
        item: Option<u32>,
        /// `note` (default) or `decision`.
        #[serde(default)]
        kind: String,
        text: String,
    },
    /// It took place.
    MarkHeld,
    Cancel {
        reason: String,
    },
}

/// Why a change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkshopError {
    #[error("{0}")]
    Invalid(FieldErrors),
    /// The workflow does not allow this now.
    #[error("{0}")]
    NotAllowed(String),
}

impl From<FieldErrors> for WorkshopError {
    fn from(e: FieldErrors) -> Self {
        Self::Invalid(e)
    }
}

fn invalid(field: &str, message: impl Into<String>) -> WorkshopError {
    WorkshopError::Invalid(FieldErrors::from(crate::FieldError::new(field, message)))
}

impl Workshop {
    /// A new workshop, as scheduled; the invite starts at sequence 0.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        incident_id: Uuid,
        kind: WorkshopKind,
        schedule: Schedule,
        attendees: Vec<Attendee>,
        agenda: Vec<AgendaItem>,
        by: &str,
        now: jiff::Timestamp,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        check_attendees(&attendees, schedule.facilitator_id, &mut errors);
        errors.into_result(Self {
            id: Uuid::now_v7(),
            incident_id,
            kind,
            status: WorkshopStatus::Scheduled,
            schedule,
            attendees,
            agenda,
            notes: Vec::new(),
            sequence: 0,
            held_at: None,
            cancel_reason: String::new(),
            created_by: by.to_owned(),
            created_at: now,
            updated_at: now,
            version: 1,
        })
    }

    pub fn attendee(&self, person_id: Uuid) -> Option<&Attendee> {
        self.attendees.iter().find(|a| a.person_id == person_id)
    }

    /// Applies one change made by `by` at `now`, or leaves the workshop
    /// untouched and says why. Bumps `version`, and `sequence` when the
    /// invite changes.
    pub fn apply(
        &mut self,
        edit: WorkshopEdit,
        by: &str,
        now: jiff::Timestamp,
    ) -> Result<(), WorkshopError> {
        let mut next = self.clone();
        let invite_changed = next.apply_inner(edit, by, now)?;
        if invite_changed {
            next.sequence += 1;
        }
        next.version += 1;
        next.updated_at = now;
        *self = next;
        Ok(())
    }

    fn require_scheduled(&self, what: &str) -> Result<(), WorkshopError> {
        match self.status {
            WorkshopStatus::Scheduled => Ok(()),
            WorkshopStatus::Held => Err(WorkshopError::NotAllowed(format!(
                "the workshop was held; {what} is no longer possible (schedule a follow-up instead)"
            ))),
            WorkshopStatus::Cancelled => Err(WorkshopError::NotAllowed(format!(
                "the workshop was cancelled; {what} is no longer possible (schedule a new one)"
            ))),
        }
    }

    /// The change itself; true when the invite says something new.
    fn apply_inner(
        &mut self,
        edit: WorkshopEdit,
        by: &str,
        now: jiff::Timestamp,
    ) -> Result<bool, WorkshopError> {
        match edit {
            WorkshopEdit::Reschedule(schedule) => {
                self.require_scheduled("rescheduling")?;
                let mut errors = FieldErrors::default();
                check_attendees(&self.attendees, schedule.facilitator_id, &mut errors);
                if !errors.is_empty() {
                    return Err(errors.into());
                }
                let changed = self.schedule != schedule;
                self.schedule = schedule;
                Ok(changed)
            }
            WorkshopEdit::AddAttendee { person_id, role } => {
                self.require_scheduled("inviting people")?;
                if person_id == self.schedule.facilitator_id {
                    return Err(invalid(
                        "person",
                        "that person is the facilitator, who is invited as the chair already",
                    ));
                }
                match self.attendees.iter_mut().find(|a| a.person_id == person_id) {
                    Some(a) => {
                        let changed = a.role != role;
                        a.role = role;
                        Ok(changed)
                    }
                    None => {
                        if self.attendees.len() >= ATTENDEES_MAX {
                            return Err(invalid(
                                "person",
                                format!("a workshop has at most {ATTENDEES_MAX} attendees"),
                            ));
                        }
                        self.attendees.push(Attendee {
                            person_id,
                            role,
                            attendance: Attendance::Invited,
                        });
                        Ok(true)
                    }
                }
            }
            WorkshopEdit::RemoveAttendee { person_id } => {
                self.require_scheduled("uninviting people")?;
                let before = self.attendees.len();
                self.attendees.retain(|a| a.person_id != person_id);
                if self.attendees.len() == before {
                    return Err(invalid("person", "that person is not invited"));
                }
                Ok(true)
            }
            WorkshopEdit::SetAttendance {
                person_id,
                attendance,
            } => {
                if self.status == WorkshopStatus::Cancelled {
                    return Err(WorkshopError::NotAllowed(
                        "the workshop was cancelled; there is no attendance to record".into(),
                    ));
                }
                if attendance.is_after_the_fact() && now < self.schedule.starts_at {
                    return Err(invalid(
                        "attendance",
                        format!(
                            "`{attendance}` is recorded once the workshop has started ({}); before that, an attendee is invited or accepted",
                            self.schedule.starts_zoned().strftime("%Y-%m-%d %H:%M %Z")
                        ),
                    ));
                }
                let a = self
                    .attendees
                    .iter_mut()
                    .find(|a| a.person_id == person_id)
                    .ok_or_else(|| {
                        invalid("person", "that person is not invited; invite them first")
                    })?;
                a.attendance = attendance;
                Ok(false)
            }
            WorkshopEdit::SetAgenda(agenda) => {
                self.require_scheduled("changing the agenda")?;
                let changed = self.agenda != agenda;
                self.agenda = agenda;
                Ok(changed)
            }
            WorkshopEdit::AddNote {
                item,
                kind,
                text,
                reference,
            } => {
                if self.status == WorkshopStatus::Cancelled {
                    return Err(WorkshopError::NotAllowed(
                        "the workshop was cancelled; notes cannot be added".into(),
                    ));
                }
                let text = text.trim().to_owned();
                if text.is_empty() {
                    return Err(invalid("text", "write the note"));
                }
                if text.chars().count() > NOTE_MAX {
                    return Err(invalid(
                        "text",
                        format!("a note has at most {NOTE_MAX} characters"),
                    ));
                }
                if let Some(i) = item
                    && i as usize >= self.agenda.len()
                {
                    return Err(invalid(
                        "item",
                        format!(
                            "the agenda has {} items; there is no item {}",
                            self.agenda.len(),
                            i + 1
                        ),
                    ));
                }
                if self.notes.len() >= NOTES_MAX {
                    return Err(invalid(
                        "text",
                        format!("a workshop keeps at most {NOTES_MAX} notes"),
                    ));
                }
                self.notes.push(WorkshopNote {
                    id: Uuid::now_v7(),
                    item,
                    kind,
                    text,
                    reference,
                    by: by.to_owned(),
                    at: now,
                });
                Ok(false)
            }
            WorkshopEdit::MarkHeld => {
                self.require_scheduled("marking it held")?;
                if now < self.schedule.starts_at {
                    return Err(WorkshopError::NotAllowed(format!(
                        "the workshop starts at {}; it can be marked held once it has started",
                        self.schedule.starts_zoned().strftime("%Y-%m-%d %H:%M %Z")
                    )));
                }
                self.status = WorkshopStatus::Held;
                self.held_at = Some(self.schedule.starts_at);
                Ok(false)
            }
            WorkshopEdit::Cancel { reason } => {
                self.require_scheduled("cancelling")?;
                let reason = reason.trim().to_owned();
                if reason.is_empty() {
                    return Err(invalid(
                        "reason",
                        "say why it is cancelled; the attendees' calendars show it",
                    ));
                }
                if reason.chars().count() > REASON_MAX {
                    return Err(invalid(
                        "reason",
                        format!("the reason is longer than {REASON_MAX} characters"),
                    ));
                }
                self.status = WorkshopStatus::Cancelled;
                self.cancel_reason = reason;
                Ok(true)
            }
        }
    }

    /// Notes of one kind, oldest first.
    pub fn notes_of(&self, kind: NoteKind) -> impl Iterator<Item = &WorkshopNote> {
        self.notes.iter().filter(move |n| n.kind == kind)
    }
}

fn check_attendees(attendees: &[Attendee], facilitator: Uuid, errors: &mut FieldErrors) {
    if attendees.len() > ATTENDEES_MAX {
        errors.push(
            "attendees",
            format!("a workshop has at most {ATTENDEES_MAX} attendees"),
        );
    }
    if attendees.iter().any(|a| a.person_id == facilitator) {
        errors.push(
            "facilitator",
            "the facilitator is also on the attendee list; the facilitator is invited as the chair, so remove them from the attendees",
        );
    }
    for (i, a) in attendees.iter().enumerate() {
        if attendees[..i].iter().any(|b| b.person_id == a.person_id) {
            errors.push(
                format!("attendees[{i}]"),
                "this person is on the list twice",
            );
        }
    }
}

impl fmt::Display for Workshop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} workshop {}",
            self.kind.label(),
            self.schedule.starts_zoned().strftime("%Y-%m-%d %H:%M %Z")
        )
    }
}

/// The organisation's workshop rules, as data it can edit: how soon after
/// closure, who must be invited, who owns which service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkshopPolicy {
    /// One rule per severity.
    pub promptness: Vec<PromptnessRule>,
    /// Roles that must be invited; a rule applies when the incident matches
    /// its severities (any when empty) and its categories (any when empty).
    pub coverage: Vec<CoverageRule>,
    /// Who owns each service (emails): an owner of an affected service is
    /// not a neutral facilitator.
    #[serde(default)]
    pub service_owners: Vec<ServiceOwners>,
}

impl Default for WorkshopPolicy {
    /// PRODUCT.md §8: within 5 business days of closure (3 calendar days
    /// for critical); responders, IT and management always, legal and
    /// communications for critical and high incidents and data breaches.
    fn default() -> Self {
        use crate::Severity::*;
        use StakeholderRole::*;
        Self {
            promptness: vec![
                PromptnessRule::new(Critical, 3, DayUnit::Calendar),
                PromptnessRule::new(High, 5, DayUnit::Business),
                PromptnessRule::new(Medium, 5, DayUnit::Business),
                PromptnessRule::new(Low, 5, DayUnit::Business),
            ],
            coverage: vec![
                CoverageRule {
                    roles: vec![Responder, It, Management],
                    severities: vec![],
                    categories: vec![],
                },
                CoverageRule {
                    roles: vec![Legal, Communications],
                    severities: vec![Critical, High],
                    categories: vec![],
                },
                CoverageRule {
                    roles: vec![Legal, Communications],
                    severities: vec![],
                    categories: vec!["data_breach".into()],
                },
            ],
            service_owners: vec![],
        }
    }
}

impl WorkshopPolicy {
    /// Checks the policy; categories must be in `taxonomy`.
    pub fn validate(&self, taxonomy: &crate::Taxonomy) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::default();
        for s in crate::Severity::ALL {
            match self.promptness.iter().filter(|r| r.severity == s).count() {
                1 => {}
                0 => e.push(
                    "promptness",
                    format!("say within how many days a {s} incident's workshop is due"),
                ),
                _ => e.push(
                    "promptness",
                    format!("there is more than one rule for {s} incidents"),
                ),
            }
        }
        for (i, r) in self.promptness.iter().enumerate() {
            if !(1..=90).contains(&r.days) {
                e.push(
                    format!("promptness[{i}].days"),
                    format!("between 1 and 90 days, not {}", r.days),
                );
            }
        }
        if self.coverage.len() > 50 {
            e.push("coverage", "at most 50 coverage rules");
        }
        for (i, r) in self.coverage.iter().enumerate() {
            if r.roles.is_empty() {
                e.push(
                    format!("coverage[{i}].roles"),
                    "a coverage rule names at least one role",
                );
            }
            for c in &r.categories {
                if let Err(m) = taxonomy.parse(c) {
                    e.push(format!("coverage[{i}].categories"), m);
                }
            }
        }
        if self.service_owners.len() > 500 {
            e.push("service_owners", "at most 500 services");
        }
        for (i, s) in self.service_owners.iter().enumerate() {
            if s.service.trim().is_empty() {
                e.push(format!("service_owners[{i}].service"), "name the service");
            }
            for o in &s.owners {
                if let Err(m) = crate::person::check_email(&o.trim().to_lowercase()) {
                    e.push(format!("service_owners[{i}].owners"), m);
                }
            }
        }
        e.into_result(())
    }

    /// The rule for a severity (the default rule if the policy lacks one).
    pub fn promptness_for(&self, severity: crate::Severity) -> PromptnessRule {
        self.promptness
            .iter()
            .find(|r| r.severity == severity)
            .copied()
            .unwrap_or_else(|| {
                WorkshopPolicy::default()
                    .promptness
                    .into_iter()
                    .find(|r| r.severity == severity)
                    .unwrap_or(PromptnessRule::new(severity, 5, DayUnit::Business))
            })
    }

    /// The roles this incident's workshop must include, each with the rules
    /// that ask for it.
    pub fn required_roles(&self, severity: crate::Severity, category: &str) -> Vec<RoleNeed> {
        coverage::required_roles(&self.coverage, severity, category)
    }
}

#[cfg(test)]
mod tests;
