//! Workshop use cases (PRODUCT.md §8): check a planned workshop (stakeholder
//! coverage, a neutral facilitator, when the review is due) before the
//! invites go out, schedule it with an agenda generated from the incident,
//! change it (versioned: a stale version is a conflict), run it (notes,
//! decisions, attendance, and lessons and actions added through the review
//! and action use cases), and produce its iCalendar invite and its minutes.
//! The organisation's holidays and workshop policy are data edited here.

use debrief_core::action::{ActionDraft, Warnings};
use debrief_core::review::{ItemDraft, LessonDraft, ReviewChange};
use debrief_core::workshop::{
    AgendaAction, AgendaItem, AgendaSource, Attendance, Attendee, Coverage, Holiday, Holidays,
    NoteKind, ReviewDue, ScheduleDraft, StakeholderRole, Workshop, WorkshopChange, WorkshopEdit,
    WorkshopError, WorkshopKind, WorkshopPolicy, WorkshopStatus, agenda_from_text, agenda_to_text,
    facilitator_concerns, generate_agenda, review_due,
};
use debrief_core::{FieldError, FieldErrors, Incident, Person, Precision, Timestamp};
use debrief_report::{
    Invite, InviteAttendee, MinutesInput, MinutesItem, MinutesNote, MinutesPerson, Participant,
};
use debrief_store::{EventFilter, StoreError};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::actions::ActionView;
use crate::{App, AppError};

/// Someone to invite, as typed: a person's email (or id) and a role.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttendeeInput {
    pub person: String,
    pub role: String,
}

/// A workshop to schedule, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkshopInput {
    /// `lessons_learned` or `follow_up`.
    pub kind: String,
    pub schedule: ScheduleDraft,
    #[serde(default)]
    pub attendees: Vec<AttendeeInput>,
    /// The agenda as text; generated from the incident when empty.
    #[serde(default)]
    pub agenda: String,
}

/// What a check finds before the invites go out.
#[derive(Debug, Clone)]
pub struct WorkshopCheck {
    pub incident: Incident,
    /// Roles the policy asks for, and which of them nobody on the list has.
    pub coverage: Coverage,
    /// The facilitator, when the name resolved.
    pub facilitator: Option<Person>,
    /// Why the facilitator is not neutral; empty when neutral.
    pub facilitator_concerns: Vec<String>,
    pub review_due: Option<ReviewDue>,
    /// Problems that stop the workshop from being scheduled, by field.
    pub errors: FieldErrors,
}

impl WorkshopCheck {
    /// What people should see before sending invites: missing roles and a
    /// facilitator who is not neutral (neither stops scheduling).
    pub fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        if !self.coverage.is_complete() {
            w.push(format!(
                "Stakeholders missing from the invite: {}.",
                self.coverage.missing_text()
            ));
        }
        for c in &self.facilitator_concerns {
            w.push(format!("The facilitator is not neutral: {c}."));
        }
        w
    }
}

/// An attendee with who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendeeView {
    pub person: Person,
    pub role: StakeholderRole,
    pub attendance: Attendance,
    /// The policy asks for this role.
    pub required: bool,
}

/// A workshop with everything derived for showing it.
#[derive(Debug, Clone)]
pub struct WorkshopView {
    pub workshop: Workshop,
    pub incident: Incident,
    pub facilitator: Person,
    pub attendees: Vec<AttendeeView>,
    pub coverage: Coverage,
    pub facilitator_concerns: Vec<String>,
}

impl WorkshopView {
    pub fn id(&self) -> Uuid {
        self.workshop.id
    }
    /// `INC-2026-0001-lessons-learned-2026-09-29.ics`.
    pub fn file_stem(&self) -> String {
        format!(
            "{}-{}-{}",
            self.incident.key,
            self.workshop.kind.as_str().replace('_', "-"),
            self.workshop.schedule.starts_zoned().date()
        )
    }
}

/// The `data` of the `workshop.scheduled` webhook event.
#[derive(Debug, Serialize)]
struct ScheduledPayload {
    id: Uuid,
    incident_id: Uuid,
    kind: WorkshopKind,
    starts_at: String,
    time_zone: String,
    duration_minutes: u32,
    location: String,
    url: String,
    facilitator_id: Uuid,
    attendees: usize,
    sequence: u32,
}

fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::Invalid(FieldErrors::from(FieldError::new(field, message)))
}

impl From<WorkshopError> for AppError {
    fn from(e: WorkshopError) -> Self {
        match e {
            WorkshopError::Invalid(f) => AppError::Invalid(f),
            WorkshopError::NotAllowed(m) => AppError::NotAllowed(m),
        }
    }
}

/// The first held lessons-learned workshop of these (for `time_to_review`).
pub fn first_held(workshops: &[Workshop]) -> Option<jiff::Timestamp> {
    workshops
        .iter()
        .filter(|w| w.kind == WorkshopKind::LessonsLearned && w.status == WorkshopStatus::Held)
        .filter_map(|w| w.held_at)
        .min()
}

/// "2026-09-29 10:00–11:30 CEST (Europe/Paris)".
pub fn when_text(w: &Workshop) -> String {
    let start = w.schedule.starts_zoned();
    let end = w.schedule.ends_at().to_zoned_datetime(w.schedule.zone());
    let end_text = if end.date() == start.date() {
        end.strftime("%H:%M %Z").to_string()
    } else {
        end.strftime("%Y-%m-%d %H:%M %Z").to_string()
    };
    format!(
        "{}–{end_text} ({})",
        start.strftime("%Y-%m-%d %H:%M"),
        w.schedule.time_zone
    )
}

impl App {
    // ----- policy and holidays ------------------------------------------

    /// The organisation's workshop policy and its version (0: the defaults,
    /// never saved).
    pub async fn workshop_policy(&self) -> Result<(WorkshopPolicy, i64), AppError> {
        Ok(match self.store().workshop_policy().await? {
            Some(p) => (p.policy, p.version),
            None => (WorkshopPolicy::default(), 0),
        })
    }

    /// Saves the policy over the version read (0 the first time).
    pub async fn save_workshop_policy(
        &self,
        policy: &WorkshopPolicy,
        version: i64,
    ) -> Result<(WorkshopPolicy, i64), AppError> {
        policy.validate(&self.settings().taxonomy)?;
        let mut policy = policy.clone();
        for s in &mut policy.service_owners {
            s.service = s.service.split_whitespace().collect::<Vec<_>>().join(" ");
            for o in &mut s.owners {
                *o = o.trim().to_lowercase();
            }
        }
        let expected = (version > 0).then_some(version);
        match self
            .store()
            .save_workshop_policy(&policy, expected, self.now())
            .await
        {
            Ok(v) => Ok((policy, v)),
            Err(StoreError::Duplicate { .. }) => Err(AppError::Conflict {
                message: "the workshop policy was saved by someone else meanwhile; reload it and apply your change again".into(),
                current_version: Some(1),
            }),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn holidays(&self) -> Result<Vec<Holiday>, AppError> {
        Ok(self.store().holidays().await?)
    }

    /// Records a holiday (`YYYY-MM-DD`, a name); one per day.
    pub async fn add_holiday(&self, date: &str, name: &str) -> Result<Holiday, AppError> {
        let h = Holiday::parse(date, name)?;
        match self.store().add_holiday(&h, self.now()).await {
            Ok(()) => Ok(h),
            Err(StoreError::Duplicate { message, .. }) => Err(invalid("date", message)),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn delete_holiday(&self, date: &str) -> Result<(), AppError> {
        let d = date
            .trim()
            .parse::<Date>()
            .map_err(|_| invalid("date", format!("`{date}` is not a date like 2026-12-25")))?;
        self.store().delete_holiday(d).await.map_err(|e| match e {
            StoreError::NotFound { .. } => AppError::NotFound(format!("{d} is not a holiday")),
            e => e.into(),
        })
    }

    // ----- promptness -------------------------------------------------------

    /// When the lessons-learned workshop of this incident is due and where
    /// it stands today; `None` while the incident is not closed.
    pub async fn review_due(&self, incident: &Incident) -> Result<Option<ReviewDue>, AppError> {
        let workshops = self.store().workshops_of(incident.id).await?;
        self.review_due_with(incident, &workshops).await
    }

    async fn review_due_with(
        &self,
        incident: &Incident,
        workshops: &[Workshop],
    ) -> Result<Option<ReviewDue>, AppError> {
        let (policy, _) = self.workshop_policy().await?;
        let holidays = Holidays::new(self.holidays().await?.into_iter().map(|h| h.date));
        let lessons: Vec<(jiff::Timestamp, bool)> = workshops
            .iter()
            .filter(|w| {
                w.kind == WorkshopKind::LessonsLearned && w.status != WorkshopStatus::Cancelled
            })
            .map(|w| (w.schedule.starts_at, w.status == WorkshopStatus::Held))
            .collect();
        Ok(review_due(
            incident
                .fields
                .lifecycle
                .get(debrief_core::LifecycleField::Closed),
            &policy.promptness_for(incident.fields.severity),
            &holidays,
            &self.settings().time_zone,
            &lessons,
            self.today(),
        ))
    }

    /// When the first lessons-learned workshop of an incident was held.
    pub async fn first_workshop_held(
        &self,
        incident: &Incident,
    ) -> Result<Option<Timestamp>, AppError> {
        let workshops = self.store().workshops_of(incident.id).await?;
        Ok(first_held(&workshops).map(|t| Timestamp::from_jiff(t, Precision::Minute)))
    }

    // ----- the agenda ---------------------------------------------------

    /// The agenda generated from the incident as it is now.
    pub async fn generated_agenda(&self, key: &str) -> Result<Vec<AgendaItem>, AppError> {
        let incident = self.incident(key).await?;
        let events = self
            .store()
            .list_events(incident.id, &EventFilter::default())
            .await?;
        let review = self.store().review(incident.id).await?;
        let (_, actions) = self.incident_actions(key).await?;
        let actions: Vec<AgendaAction> = actions
            .iter()
            .map(|v| AgendaAction {
                reference: v.key.to_string(),
                title: v.action().fields.title.clone(),
                priority: v.priority,
                status: v.action().status,
                owner: v.record.owner.name.clone(),
                due_on: v.action().fields.due_on,
            })
            .collect();
        Ok(generate_agenda(AgendaSource {
            events: &events,
            review: review.as_ref(),
            actions: &actions,
        }))
    }

    // ----- checking and scheduling --------------------------------------

    async fn resolve(&self, field: &str, who: &str, errors: &mut FieldErrors) -> Option<Person> {
        let who = who.trim();
        if who.is_empty() {
            errors.push(field, "name a person by their email");
            return None;
        }
        match self.person(who).await {
            Ok(Some(p)) => Some(p),
            Ok(None) => {
                errors.push(
                    field,
                    format!(
                        "no person `{who}` is known; add them under Settings → People or with `debrief person add`"
                    ),
                );
                None
            }
            Err(e) => {
                errors.push(field, e.to_string());
                None
            }
        }
    }

    /// Checks a planned workshop without saving it: every field, the
    /// stakeholder coverage of the attendee list, whether the facilitator is
    /// neutral, and when the review is due. Field problems are in
    /// `errors`; coverage and neutrality are computed from what resolved.
    pub async fn check_workshop(
        &self,
        key: &str,
        input: &WorkshopInput,
    ) -> Result<(WorkshopCheck, Option<PreparedWorkshop>), AppError> {
        let incident = self.incident(key).await?;
        let mut errors = FieldErrors::default();
        let kind = match input.kind.trim() {
            "" => Some(WorkshopKind::LessonsLearned),
            k => k
                .parse::<WorkshopKind>()
                .map_err(|m| errors.push("kind", m))
                .ok(),
        };
        let facilitator = self
            .resolve("facilitator", &input.schedule.facilitator, &mut errors)
            .await;
        let zone_name = self
            .settings()
            .time_zone
            .iana_name()
            .unwrap_or("UTC")
            .to_owned();
        let schedule = input
            .schedule
            .validate(
                facilitator.as_ref().map(|p| p.id),
                &zone_name,
                FieldErrors::default(),
            )
            .map_err(|e| errors.0.extend(e.0))
            .ok();
        let mut attendees: Vec<Attendee> = Vec::new();
        for (i, a) in input
            .attendees
            .iter()
            .filter(|a| !(a.person.trim().is_empty() && a.role.trim().is_empty()))
            .enumerate()
        {
            let field = format!("attendees[{i}]");
            let person = self.resolve(&field, &a.person, &mut errors).await;
            let role = match a.role.trim() {
                "" => {
                    errors.push(
                        format!("{field}.role"),
                        "say why they are invited: responder, it, management, legal, communications …",
                    );
                    None
                }
                r => r
                    .parse::<StakeholderRole>()
                    .map_err(|m| errors.push(format!("{field}.role"), m))
                    .ok(),
            };
            if let (Some(p), Some(role)) = (person, role) {
                if attendees.iter().any(|x| x.person_id == p.id) {
                    errors.push(field, format!("{} is on the list twice", p.name));
                } else if facilitator.as_ref().is_some_and(|f| f.id == p.id) {
                    errors.push(
                        field,
                        format!(
                            "{} is the facilitator, who is invited as the chair already",
                            p.name
                        ),
                    );
                } else {
                    attendees.push(Attendee {
                        person_id: p.id,
                        role,
                        attendance: Attendance::Invited,
                    });
                }
            }
        }
        let agenda = match input.agenda.trim() {
            "" => None,
            text => match agenda_from_text(text) {
                Ok(a) => Some(a),
                Err(m) => {
                    errors.push("agenda", m);
                    None
                }
            },
        };
        let (policy, _) = self.workshop_policy().await?;
        let required = required_roles(&policy, &incident, kind);
        let roles: Vec<StakeholderRole> = attendees.iter().map(|a| a.role).collect();
        let coverage = Coverage::new(required, &roles);
        let events = self
            .store()
            .list_events(incident.id, &EventFilter::default())
            .await?;
        let concerns = match &facilitator {
            Some(f) => facilitator_concerns(f, &incident.fields, &events, &policy.service_owners),
            None => Vec::new(),
        };
        let review_due = self.review_due(&incident).await?;
        let prepared = match (kind, schedule, errors.is_empty()) {
            (Some(kind), Some(schedule), true) => Some(PreparedWorkshop {
                kind,
                schedule,
                attendees,
                agenda,
            }),
            _ => None,
        };
        Ok((
            WorkshopCheck {
                incident,
                coverage,
                facilitator,
                facilitator_concerns: concerns,
                review_due,
                errors,
            },
            prepared,
        ))
    }

    /// Schedules a workshop; the agenda is generated from the incident when
    /// none is given. Returns it with the check, whose warnings (missing
    /// roles, a facilitator who is not neutral) the caller shows.
    pub async fn schedule_workshop(
        &self,
        key: &str,
        input: &WorkshopInput,
        by: &str,
    ) -> Result<(WorkshopView, WorkshopCheck), AppError> {
        let (check, prepared) = self.check_workshop(key, input).await?;
        let Some(p) = prepared else {
            return Err(AppError::Invalid(check.errors));
        };
        let agenda = match p.agenda {
            Some(a) => a,
            None => self.generated_agenda(key).await?,
        };
        let workshop = Workshop::new(
            check.incident.id,
            p.kind,
            p.schedule,
            p.attendees,
            agenda,
            by,
            self.now(),
        )?;
        self.store().create_workshop(&workshop).await?;
        self.announce_scheduled(&workshop).await;
        let view = self.view_of(workshop, check.incident.clone()).await?;
        Ok((view, check))
    }

    /// Sends the `workshop.scheduled` webhook event (never fails the caller).
    async fn announce_scheduled(&self, workshop: &Workshop) {
        let s = &workshop.schedule;
        let payload = serde_json::to_value(ScheduledPayload {
            id: workshop.id,
            incident_id: workshop.incident_id,
            kind: workshop.kind,
            starts_at: s.starts_zoned().timestamp().to_string(),
            time_zone: s.time_zone.clone(),
            duration_minutes: s.duration_minutes,
            location: s.location.clone(),
            url: s.url.clone(),
            facilitator_id: s.facilitator_id,
            attendees: workshop.attendees.len(),
            sequence: workshop.sequence,
        })
        .unwrap_or_default();
        self.emit("workshop.scheduled", payload).await;
    }

    // ----- reading ------------------------------------------------------

    async fn view_of(
        &self,
        workshop: Workshop,
        incident: Incident,
    ) -> Result<WorkshopView, AppError> {
        let people = self.people().await?;
        let find = |id: Uuid| people.iter().find(|p| p.id == id).cloned();
        let facilitator = find(workshop.schedule.facilitator_id).ok_or_else(|| {
            AppError::Store(StoreError::Corrupt(format!(
                "workshop {} names a facilitator who is not a person",
                workshop.id
            )))
        })?;
        let (policy, _) = self.workshop_policy().await?;
        let required = required_roles(&policy, &incident, Some(workshop.kind));
        let mut attendees = Vec::with_capacity(workshop.attendees.len());
        for a in &workshop.attendees {
            let person = find(a.person_id).ok_or_else(|| {
                AppError::Store(StoreError::Corrupt(format!(
                    "workshop {} invites a person who does not exist",
                    workshop.id
                )))
            })?;
            attendees.push(AttendeeView {
                person,
                role: a.role,
                attendance: a.attendance,
                required: required.iter().any(|n| n.role == a.role),
            });
        }
        let roles: Vec<StakeholderRole> = workshop.attendees.iter().map(|a| a.role).collect();
        let coverage = Coverage::new(required, &roles);
        let events = self
            .store()
            .list_events(incident.id, &EventFilter::default())
            .await?;
        let concerns = facilitator_concerns(
            &facilitator,
            &incident.fields,
            &events,
            &policy.service_owners,
        );
        Ok(WorkshopView {
            workshop,
            incident,
            facilitator,
            attendees,
            coverage,
            facilitator_concerns: concerns,
        })
    }

    fn workshop_id(id: &str) -> Result<Uuid, AppError> {
        Uuid::parse_str(id.trim())
            .map_err(|_| AppError::NotFound(format!("workshop {id} was not found")))
    }

    /// A workshop by id.
    pub async fn workshop(&self, id: &str) -> Result<WorkshopView, AppError> {
        let w = self
            .store()
            .workshop_by_id(Self::workshop_id(id)?)
            .await
            .map_err(|e| match e {
                StoreError::NotFound { .. } => {
                    AppError::NotFound(format!("workshop {id} was not found"))
                }
                e => e.into(),
            })?;
        let incident = self.store().incident_by_id(w.incident_id).await?;
        self.view_of(w, incident).await
    }

    /// An incident's workshops, earliest first.
    pub async fn incident_workshops(
        &self,
        key: &str,
    ) -> Result<(Incident, Vec<WorkshopView>), AppError> {
        let incident = self.incident(key).await?;
        let mut out = Vec::new();
        for w in self.store().workshops_of(incident.id).await? {
            out.push(self.view_of(w, incident.clone()).await?);
        }
        Ok((incident, out))
    }

    /// Every workshop of every incident, by incident then start.
    pub async fn all_workshops(&self) -> Result<Vec<WorkshopView>, AppError> {
        let mut out = Vec::new();
        for id in self.store().all_incident_ids().await? {
            let incident = self.store().incident_by_id(id).await?;
            for w in self.store().workshops_of(id).await? {
                out.push(self.view_of(w, incident.clone()).await?);
            }
        }
        Ok(out)
    }

    // ----- changing -----------------------------------------------------

    async fn edit_of(
        &self,
        current: &Workshop,
        change: WorkshopChange,
    ) -> Result<WorkshopEdit, AppError> {
        let mut errors = FieldErrors::default();
        let edit = match change {
            WorkshopChange::Reschedule { schedule } => {
                let f = self
                    .resolve("facilitator", &schedule.facilitator, &mut errors)
                    .await;
                let zone = self.settings().time_zone.iana_name().unwrap_or("UTC");
                let s = schedule.validate(f.map(|p| p.id), zone, errors)?;
                return Ok(WorkshopEdit::Reschedule(s));
            }
            WorkshopChange::AddAttendee { person, role } => {
                let p = self.resolve("person", &person, &mut errors).await;
                let r = role
                    .parse::<StakeholderRole>()
                    .map_err(|m| errors.push("role", m))
                    .ok();
                match (p, r) {
                    (Some(p), Some(role)) if errors.is_empty() => WorkshopEdit::AddAttendee {
                        person_id: p.id,
                        role,
                    },
                    _ => return Err(errors.into()),
                }
            }
            WorkshopChange::RemoveAttendee { person } => {
                match self.resolve("person", &person, &mut errors).await {
                    Some(p) => WorkshopEdit::RemoveAttendee { person_id: p.id },
                    None => return Err(errors.into()),
                }
            }
            WorkshopChange::SetAttendance { person, attendance } => {
                let p = self.resolve("person", &person, &mut errors).await;
                let a = attendance
                    .parse::<Attendance>()
                    .map_err(|m| errors.push("attendance", m))
                    .ok();
                match (p, a) {
                    (Some(p), Some(attendance)) if errors.is_empty() => {
                        WorkshopEdit::SetAttendance {
                            person_id: p.id,
                            attendance,
                        }
                    }
                    _ => return Err(errors.into()),
                }
            }
            WorkshopChange::SetAgenda { agenda } => WorkshopEdit::SetAgenda(
                agenda_from_text(&agenda).map_err(|m| invalid("agenda", m))?,
            ),
            WorkshopChange::AddNote { item, kind, text } => {
                let kind = match kind.trim() {
                    "" | "note" => NoteKind::Note,
                    "decision" => NoteKind::Decision,
                    "lesson" | "action" => {
                        return Err(invalid(
                            "kind",
                            "lessons and actions are added with their own forms (they go into the review and the action list)",
                        ));
                    }
                    other => {
                        return Err(invalid(
                            "kind",
                            format!("unknown note kind `{other}`; expected note or decision"),
                        ));
                    }
                };
                WorkshopEdit::AddNote {
                    item: agenda_index(item, current)?,
                    kind,
                    text,
                    reference: String::new(),
                }
            }
            WorkshopChange::MarkHeld => WorkshopEdit::MarkHeld,
            WorkshopChange::Cancel { reason } => WorkshopEdit::Cancel { reason },
        };
        Ok(edit)
    }

    /// Applies one change made by `by`. With `expected_version` the change
    /// is refused (409) when the workshop moved on since it was read;
    /// without, it is applied to the current version (notes and attendance
    /// taken live in a meeting do not collide with each other).
    pub async fn change_workshop(
        &self,
        id: &str,
        change: WorkshopChange,
        expected_version: Option<i64>,
        by: &str,
    ) -> Result<WorkshopView, AppError> {
        let wid = Self::workshop_id(id)?;
        for _ in 0..5 {
            let current = self.workshop(id).await?;
            let read = current.workshop.version;
            if let Some(v) = expected_version
                && v != read
            {
                return Err(AppError::Conflict {
                    message: format!(
                        "the workshop was changed by someone else (you had version {v}, it is now {read}); reload to see their change, then apply yours again"
                    ),
                    current_version: Some(read),
                });
            }
            let edit = self.edit_of(&current.workshop, change.clone()).await?;
            let mut next = current.workshop.clone();
            next.apply(edit, by, self.now())?;
            match self.store().update_workshop(&next, read).await {
                Ok(()) => return self.view_of(next, current.incident).await,
                Err(StoreError::Conflict { actual, .. }) if expected_version.is_some() => {
                    return Err(AppError::Conflict {
                        message: format!(
                            "the workshop was changed by someone else (you had version {read}, it is now {actual}); reload to see their change, then apply yours again"
                        ),
                        current_version: Some(actual),
                    });
                }
                Err(StoreError::Conflict { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Conflict {
            message: format!("workshop {wid} is being changed by many people at once; try again"),
            current_version: None,
        })
    }

    /// Adds a lesson to the incident's review during the workshop (through
    /// the review's change use case) and notes it in the workshop.
    pub async fn add_workshop_lesson(
        &self,
        id: &str,
        lesson: &LessonDraft,
        item: Option<u32>,
        by: &str,
    ) -> Result<WorkshopView, AppError> {
        let view = self.workshop(id).await?;
        if view.workshop.status == WorkshopStatus::Cancelled {
            return Err(AppError::NotAllowed(
                "the workshop was cancelled; add the lesson on the review page".into(),
            ));
        }
        let index = agenda_index(item, &view.workshop)?;
        let key = view.incident.key.to_string();
        let before = self
            .store()
            .review(view.incident.id)
            .await?
            .map(|r| r.lessons.iter().map(|l| l.id).collect::<Vec<_>>())
            .unwrap_or_default();
        let review = self
            .change_review(
                &key,
                ReviewChange::AddItem {
                    item: ItemDraft::Lesson(lesson.clone()),
                },
                by,
            )
            .await?;
        let added = review
            .lessons
            .iter()
            .rev()
            .find(|l| !before.contains(&l.id))
            .ok_or_else(|| AppError::NotAllowed("the lesson was not added".into()))?;
        self.note(
            id,
            WorkshopEdit::AddNote {
                item: index,
                kind: NoteKind::Lesson,
                text: added.statement.clone(),
                reference: added.id.to_string(),
            },
            by,
        )
        .await
    }

    /// Creates an action during the workshop (through the action use case)
    /// and notes it in the workshop.
    pub async fn add_workshop_action(
        &self,
        id: &str,
        draft: &ActionDraft,
        item: Option<u32>,
        by: &str,
    ) -> Result<(WorkshopView, ActionView, Warnings), AppError> {
        let view = self.workshop(id).await?;
        if view.workshop.status == WorkshopStatus::Cancelled {
            return Err(AppError::NotAllowed(
                "the workshop was cancelled; add the action on the Actions tab".into(),
            ));
        }
        let index = agenda_index(item, &view.workshop)?;
        let (action, warnings) = self
            .create_action(&view.incident.key.to_string(), draft, by)
            .await?;
        let view = self
            .note(
                id,
                WorkshopEdit::AddNote {
                    item: index,
                    kind: NoteKind::Action,
                    text: action.action().fields.title.clone(),
                    reference: action.key.to_string(),
                },
                by,
            )
            .await?;
        Ok((view, action, warnings))
    }

    /// Appends a note to the current version (retried over concurrent notes).
    async fn note(&self, id: &str, edit: WorkshopEdit, by: &str) -> Result<WorkshopView, AppError> {
        for _ in 0..5 {
            let current = self.workshop(id).await?;
            let mut next = current.workshop.clone();
            next.apply(edit.clone(), by, self.now())?;
            match self
                .store()
                .update_workshop(&next, current.workshop.version)
                .await
            {
                Ok(()) => return self.view_of(next, current.incident).await,
                Err(StoreError::Conflict { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Conflict {
            message: "the workshop is being changed by many people at once; try again".into(),
            current_version: None,
        })
    }

    // ----- invite and minutes -------------------------------------------

    /// The invite as it stands: an update (higher SEQUENCE) after every
    /// change of time, place, people or agenda, a cancellation once
    /// cancelled.
    pub async fn workshop_invite(&self, id: &str) -> Result<(WorkshopView, String), AppError> {
        let v = self.workshop(id).await?;
        let ics = debrief_report::invite_ics(&invite_of(&v));
        Ok((v, ics))
    }

    /// The minutes' content: attendance, notes by agenda item, decisions,
    /// lessons and actions added, times in the workshop's zone.
    pub async fn workshop_minutes(
        &self,
        id: &str,
    ) -> Result<(WorkshopView, MinutesInput), AppError> {
        let v = self.workshop(id).await?;
        let m = minutes_of(&v, self.now());
        Ok((v, m))
    }
}

/// A validated workshop, not yet stored.
#[derive(Debug, Clone)]
pub struct PreparedWorkshop {
    kind: WorkshopKind,
    schedule: debrief_core::workshop::Schedule,
    attendees: Vec<Attendee>,
    agenda: Option<Vec<AgendaItem>>,
}

/// The roles a workshop of `kind` must invite: the coverage policy is for
/// lessons-learned workshops; a follow-up checks where the actions stand
/// and asks for nobody in particular.
fn required_roles(
    policy: &WorkshopPolicy,
    incident: &Incident,
    kind: Option<WorkshopKind>,
) -> Vec<debrief_core::workshop::RoleNeed> {
    match kind {
        Some(WorkshopKind::FollowUp) => Vec::new(),
        _ => policy.required_roles(incident.fields.severity, &incident.fields.category),
    }
}

/// A 1-based agenda item number as the index notes keep.
fn agenda_index(item: Option<u32>, w: &Workshop) -> Result<Option<u32>, AppError> {
    match item {
        None => Ok(None),
        Some(0) => Err(invalid("item", "agenda items are numbered from 1")),
        Some(n) if n as usize > w.agenda.len() => Err(invalid(
            "item",
            format!(
                "the agenda has {} items; there is no item {n}",
                w.agenda.len()
            ),
        )),
        Some(n) => Ok(Some(n - 1)),
    }
}

fn invite_of(v: &WorkshopView) -> Invite {
    let w = &v.workshop;
    let i = &v.incident;
    let mut description = format!(
        "{} workshop for {} — {}\nFacilitator: {}\n",
        w.kind.label(),
        i.key,
        i.fields.title,
        v.facilitator.name
    );
    if w.status == WorkshopStatus::Cancelled {
        description.push_str(&format!("\nCancelled: {}\n", w.cancel_reason));
    }
    if !w.agenda.is_empty() {
        description.push_str("\nAgenda\n");
        for (n, item) in w.agenda.iter().enumerate() {
            description.push_str(&format!("{}. {}\n", n + 1, item.title));
            for p in &item.points {
                description.push_str(&format!("   - {p}\n"));
            }
        }
    }
    let mut attendees = vec![InviteAttendee {
        who: Participant {
            name: v.facilitator.name.clone(),
            email: v.facilitator.email.clone(),
        },
        role: "CHAIR",
        partstat: "ACCEPTED",
        stakeholder: "facilitator".into(),
    }];
    attendees.extend(v.attendees.iter().map(|a| InviteAttendee {
        who: Participant {
            name: a.person.name.clone(),
            email: a.person.email.clone(),
        },
        role: if a.required {
            "REQ-PARTICIPANT"
        } else {
            "OPT-PARTICIPANT"
        },
        partstat: a.attendance.partstat(),
        stakeholder: a.role.as_str().to_owned(),
    }));
    Invite {
        uid: format!("{}@debrief", w.id),
        sequence: w.sequence,
        dtstamp: w.updated_at,
        cancelled: w.status == WorkshopStatus::Cancelled,
        summary: format!("{}: {} {}", w.kind.label(), i.key, i.fields.title),
        description: description.trim_end().to_owned(),
        location: w.schedule.location.clone(),
        url: w.schedule.url.clone(),
        starts_at: w.schedule.starts_at,
        ends_at: w.schedule.ends_at(),
        zone: w.schedule.zone(),
        zone_name: w.schedule.time_zone.clone(),
        organizer: Participant {
            name: v.facilitator.name.clone(),
            email: v.facilitator.email.clone(),
        },
        attendees,
    }
}

fn minutes_of(v: &WorkshopView, now: jiff::Timestamp) -> MinutesInput {
    let w = &v.workshop;
    let zone = w.schedule.zone();
    let note = |n: &debrief_core::workshop::WorkshopNote| MinutesNote {
        time: n
            .at
            .to_zoned_datetime(zone.clone())
            .strftime("%H:%M")
            .to_string(),
        by: n.by.clone(),
        text: n.text.clone(),
        reference: n.reference.clone(),
    };
    let people = |pred: fn(Attendance) -> bool| -> Vec<MinutesPerson> {
        v.attendees
            .iter()
            .filter(|a| pred(a.attendance))
            .map(|a| MinutesPerson {
                name: a.person.name.clone(),
                role: a.role.label().to_owned(),
            })
            .collect()
    };
    let mut sorted: Vec<&debrief_core::workshop::WorkshopNote> = w.notes.iter().collect();
    sorted.sort_by_key(|n| n.at);
    let of_kind = |k: NoteKind| -> Vec<MinutesNote> {
        sorted
            .iter()
            .filter(|n| n.kind == k)
            .map(|n| note(n))
            .collect()
    };
    let items = w
        .agenda
        .iter()
        .enumerate()
        .map(|(i, item)| MinutesItem {
            title: item.title.clone(),
            points: item.points.clone(),
            notes: sorted
                .iter()
                .filter(|n| n.item == Some(i as u32))
                .map(|n| note(n))
                .collect(),
        })
        .collect();
    MinutesInput {
        title: format!("{} workshop", w.kind.label()),
        incident_key: v.incident.key.to_string(),
        incident_title: v.incident.fields.title.clone(),
        status: w.status.label().to_owned(),
        when: when_text(w),
        location: w.schedule.location.clone(),
        url: w.schedule.url.clone(),
        facilitator: v.facilitator.name.clone(),
        attended: people(|a| a == Attendance::Attended),
        absent: people(|a| a == Attendance::Absent),
        unrecorded: people(|a| matches!(a, Attendance::Invited | Attendance::Accepted)),
        items,
        other_notes: sorted
            .iter()
            .filter(|n| n.item.is_none() && n.kind == NoteKind::Note)
            .map(|n| note(n))
            .collect(),
        decisions: of_kind(NoteKind::Decision),
        lessons: of_kind(NoteKind::Lesson),
        actions: of_kind(NoteKind::Action),
        generated: now.strftime("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

/// The agenda as the text people edit (re-exported for the edges).
pub fn agenda_text(agenda: &[AgendaItem]) -> String {
    agenda_to_text(agenda)
}
