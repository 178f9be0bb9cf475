//! The workshops API (PRODUCT.md §8): check a planned workshop (coverage,
//! neutral facilitator, review due) before sending invites, schedule it,
//! change it (`?version=` for edits that must not overwrite others), notes,
//! lessons and actions added live, the iCalendar invite, the minutes; the
//! organisation's holidays and workshop policy.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use debrief_app::App;
use debrief_app::workshops::{
    AttendeeInput, WorkshopCheck, WorkshopInput, WorkshopView, when_text,
};
use debrief_core::review::LessonDraft;
use debrief_core::workshop::{
    Coverage, Holiday, ReviewDue, ScheduleDraft, WorkshopChange, WorkshopPolicy,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::actions::{ActionDto, ActionInput, PersonDto};
use super::problem::{ApiError, FieldProblem, Problem};
use super::review::actor;
use super::{ApiJson, first, invalid, query_pairs};

/// A role the policy asks for, why, and whether someone on the list has it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoleNeedDto {
    /// `responder`, `it`, `management`, `legal`, `communications` …
    pub role: String,
    /// The rules asking for it ("always", "critical or high incidents").
    pub because: Vec<String>,
    pub covered: bool,
}

/// Stakeholder coverage of an attendee list.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoverageDto {
    pub required: Vec<RoleNeedDto>,
    /// Required roles nobody invited has.
    pub missing: Vec<String>,
}

impl CoverageDto {
    fn from(c: &Coverage) -> Self {
        Self {
            required: c
                .required
                .iter()
                .map(|n| RoleNeedDto {
                    role: n.role.to_string(),
                    because: n.because.clone(),
                    covered: !c.missing.contains(&n.role),
                })
                .collect(),
            missing: c.missing.iter().map(|r| r.to_string()).collect(),
        }
    }
}

/// When the lessons-learned workshop is due and where it stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewDueDto {
    pub closed_on: String,
    pub due_on: String,
    /// "5 business days", "3 calendar days".
    pub rule: String,
    pub held_on: Option<String>,
    pub scheduled_on: Option<String>,
    pub late: bool,
    pub unscheduled: bool,
    /// One line for people.
    pub summary: String,
}

impl ReviewDueDto {
    pub fn from(d: &ReviewDue) -> Self {
        Self {
            closed_on: d.closed_on.to_string(),
            due_on: d.due_on.to_string(),
            rule: d.rule.clone(),
            held_on: d.held_on.map(|x| x.to_string()),
            scheduled_on: d.scheduled_on.map(|x| x.to_string()),
            late: d.late,
            unscheduled: d.unscheduled,
            summary: d.summary(),
        }
    }
}

/// What a check finds before the invites go out. `errors` stop scheduling;
/// `warnings` (missing roles, a facilitator who is not neutral) do not.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckDto {
    pub coverage: CoverageDto,
    pub facilitator: Option<PersonDto>,
    /// Why the facilitator is not neutral; empty when neutral.
    pub facilitator_concerns: Vec<String>,
    pub review_due: Option<ReviewDueDto>,
    pub warnings: Vec<String>,
    pub errors: Vec<FieldProblem>,
}

impl CheckDto {
    fn from(c: &WorkshopCheck) -> Self {
        Self {
            coverage: CoverageDto::from(&c.coverage),
            facilitator: c.facilitator.as_ref().map(PersonDto::from_person),
            facilitator_concerns: c.facilitator_concerns.clone(),
            review_due: c.review_due.as_ref().map(ReviewDueDto::from),
            warnings: c.warnings(),
            errors: c
                .errors
                .iter()
                .map(|e| FieldProblem {
                    field: e.field.clone(),
                    message: e.message.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttendeeDto {
    pub person: PersonDto,
    pub role: String,
    /// `invited`, `accepted`, `attended`, `absent`.
    pub attendance: String,
    /// The policy asks for this role (`ROLE=REQ-PARTICIPANT` in the invite).
    pub required: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgendaItemDto {
    pub title: String,
    pub points: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoteDto {
    pub id: String,
    /// The agenda item, numbered from 1.
    pub item: Option<u32>,
    /// `note`, `decision`, `lesson`, `action`.
    pub kind: String,
    pub text: String,
    /// A lesson's id or an action's reference.
    pub reference: String,
    pub by: String,
    pub at: String,
}

/// A workshop as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkshopDto {
    pub id: String,
    pub incident: String,
    /// `lessons_learned` or `follow_up`.
    pub kind: String,
    /// `scheduled`, `held` or `cancelled`.
    pub status: String,
    /// RFC 3339, UTC.
    pub starts_at: String,
    /// The wall-clock start in `time_zone`.
    pub starts_local: String,
    pub time_zone: String,
    pub duration_minutes: u32,
    pub when: String,
    pub location: String,
    pub url: String,
    pub facilitator: PersonDto,
    pub attendees: Vec<AttendeeDto>,
    pub coverage: CoverageDto,
    pub facilitator_concerns: Vec<String>,
    pub agenda: Vec<AgendaItemDto>,
    pub notes: Vec<NoteDto>,
    /// The invite's SEQUENCE.
    pub sequence: u32,
    pub held_at: Option<String>,
    pub cancel_reason: String,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

impl WorkshopDto {
    pub fn from_view(v: &WorkshopView) -> Self {
        let w = &v.workshop;
        Self {
            id: w.id.to_string(),
            incident: v.incident.key.to_string(),
            kind: w.kind.to_string(),
            status: w.status.to_string(),
            starts_at: w.schedule.starts_at.to_string(),
            starts_local: w
                .schedule
                .starts_zoned()
                .strftime("%Y-%m-%dT%H:%M:%S%:z")
                .to_string(),
            time_zone: w.schedule.time_zone.clone(),
            duration_minutes: w.schedule.duration_minutes,
            when: when_text(w),
            location: w.schedule.location.clone(),
            url: w.schedule.url.clone(),
            facilitator: PersonDto::from_person(&v.facilitator),
            attendees: v
                .attendees
                .iter()
                .map(|a| AttendeeDto {
                    person: PersonDto::from_person(&a.person),
                    role: a.role.to_string(),
                    attendance: a.attendance.to_string(),
                    required: a.required,
                })
                .collect(),
            coverage: CoverageDto::from(&v.coverage),
            facilitator_concerns: v.facilitator_concerns.clone(),
            agenda: w
                .agenda
                .iter()
                .map(|i| AgendaItemDto {
                    title: i.title.clone(),
                    points: i.points.clone(),
                })
                .collect(),
            notes: w
                .notes
                .iter()
                .map(|n| NoteDto {
                    id: n.id.to_string(),
                    item: n.item.map(|i| i + 1),
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
}

/// Someone to invite.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendeeBody {
    /// Their email (or id).
    pub person: String,
    /// `responder`, `it`, `management`, `legal`, `communications`,
    /// `security`, `vendor`, `executive` or `other`.
    pub role: String,
}

/// A workshop to check or schedule.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkshopBody {
    /// `lessons_learned` (default) or `follow_up`.
    #[serde(default)]
    pub kind: String,
    /// `2026-09-29 10:00` (wall clock in `time_zone`) or RFC 3339.
    pub starts: String,
    /// IANA zone; the organisation's when absent.
    #[serde(default)]
    pub time_zone: String,
    pub duration_minutes: u32,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub url: String,
    /// The facilitator's email (or id).
    pub facilitator: String,
    #[serde(default)]
    pub attendees: Vec<AttendeeBody>,
    /// `## heading` lines and their points; generated when absent.
    #[serde(default)]
    pub agenda: String,
}

impl WorkshopBody {
    fn input(&self) -> WorkshopInput {
        WorkshopInput {
            kind: self.kind.clone(),
            schedule: ScheduleDraft {
                starts: self.starts.clone(),
                time_zone: self.time_zone.clone(),
                duration_minutes: self.duration_minutes.to_string(),
                location: self.location.clone(),
                url: self.url.clone(),
                facilitator: self.facilitator.clone(),
            },
            attendees: self
                .attendees
                .iter()
                .map(|a| AttendeeInput {
                    person: a.person.clone(),
                    role: a.role.clone(),
                })
                .collect(),
            agenda: self.agenda.clone(),
        }
    }
}

/// A scheduled workshop and what is worth knowing about it.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkshopSavedDto {
    pub workshop: WorkshopDto,
    /// Missing roles, a facilitator who is not neutral.
    pub warnings: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LessonBody {
    pub statement: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// The agenda item it came up under, from 1.
    #[serde(default)]
    pub item: Option<u32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkshopActionBody {
    /// The agenda item it came up under, from 1.
    #[serde(default)]
    pub item: Option<u32>,
    pub action: ActionInput,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkshopActionDto {
    pub workshop: WorkshopDto,
    pub action: ActionDto,
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HolidayDto {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub name: String,
}

/// The workshop policy with its version (0: the defaults, never saved).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyDto {
    /// `promptness` (one rule per severity: days and `business` or
    /// `calendar`), `coverage` (roles by severities and categories),
    /// `service_owners` (service and owners' emails).
    #[schema(value_type = Object)]
    pub policy: WorkshopPolicy,
    pub version: i64,
}

fn version_param(q: Option<String>) -> Result<Option<i64>, ApiError> {
    let pairs = query_pairs(q)?;
    first(&pairs, "version")
        .map(|v| {
            v.parse::<i64>()
                .map_err(|_| invalid("version", format!("`{v}` is not a version number")))
        })
        .transpose()
}

/// An incident's workshops, earliest first.
#[utoipa::path(get, path = "/incidents/{key}/workshops", tag = "workshops",
    params(("key" = String, Path)),
    responses((status = 200, body = [WorkshopDto]), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_workshops(
    State(app): State<App>,
    Path(key): Path<String>,
) -> Result<Json<Vec<WorkshopDto>>, ApiError> {
    let (_, views) = app.incident_workshops(&key).await?;
    Ok(Json(views.iter().map(WorkshopDto::from_view).collect()))
}

/// Check a planned workshop without saving it: field errors, stakeholder
/// coverage with the missing roles named, whether the facilitator is
/// neutral (and why not), and when the review is due.
#[utoipa::path(post, path = "/incidents/{key}/workshops/check", tag = "workshops", request_body = WorkshopBody,
    params(("key" = String, Path)),
    responses((status = 200, body = CheckDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn check_workshop(
    State(app): State<App>,
    Path(key): Path<String>,
    ApiJson(body): ApiJson<WorkshopBody>,
) -> Result<Json<CheckDto>, ApiError> {
    let (check, _) = app.check_workshop(&key, &body.input()).await?;
    Ok(Json(CheckDto::from(&check)))
}

/// Schedule a workshop (the agenda is generated from the incident when none
/// is given). Missing roles and a facilitator who is not neutral come back
/// as `warnings`: check first to see them before the invites go out.
#[utoipa::path(post, path = "/incidents/{key}/workshops", tag = "workshops", request_body = WorkshopBody,
    params(("key" = String, Path), ("X-Debrief-Actor" = Option<String>, Header)),
    responses((status = 201, body = WorkshopSavedDto, headers(("Location" = String))),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn schedule_workshop(
    State(app): State<App>,
    Path(key): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<WorkshopBody>,
) -> Result<Response, ApiError> {
    let (view, check) = app
        .schedule_workshop(&key, &body.input(), &actor(&headers))
        .await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/workshops/{}", view.id()))],
        Json(WorkshopSavedDto {
            workshop: WorkshopDto::from_view(&view),
            warnings: check.warnings(),
        }),
    )
        .into_response())
}

/// When the incident's lessons-learned workshop is due (null while it is
/// not closed), and whether it is late or unscheduled.
#[utoipa::path(get, path = "/incidents/{key}/review-due", tag = "workshops",
    params(("key" = String, Path)),
    responses((status = 200, body = Option<ReviewDueDto>)))]
pub async fn review_due(
    State(app): State<App>,
    Path(key): Path<String>,
) -> Result<Json<Option<ReviewDueDto>>, ApiError> {
    let incident = app.incident(&key).await?;
    Ok(Json(
        app.review_due(&incident)
            .await?
            .as_ref()
            .map(ReviewDueDto::from),
    ))
}

/// The agenda generated from the incident as it is now.
#[utoipa::path(get, path = "/incidents/{key}/agenda", tag = "workshops",
    params(("key" = String, Path)),
    responses((status = 200, body = [AgendaItemDto])))]
pub async fn generated_agenda(
    State(app): State<App>,
    Path(key): Path<String>,
) -> Result<Json<Vec<AgendaItemDto>>, ApiError> {
    Ok(Json(
        app.generated_agenda(&key)
            .await?
            .into_iter()
            .map(|i| AgendaItemDto {
                title: i.title,
                points: i.points,
            })
            .collect(),
    ))
}

/// One workshop.
#[utoipa::path(get, path = "/workshops/{id}", tag = "workshops",
    params(("id" = String, Path)),
    responses((status = 200, body = WorkshopDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_workshop(
    State(app): State<App>,
    Path(id): Path<String>,
) -> Result<Json<WorkshopDto>, ApiError> {
    Ok(Json(WorkshopDto::from_view(&app.workshop(&id).await?)))
}

/// Apply one change, tagged by `change`: `reschedule` {schedule: {starts,
/// time_zone, duration_minutes, location, url, facilitator}},
/// `add_attendee` {person, role}, `remove_attendee` {person},
/// `set_attendance` {person, attendance}, `set_agenda` {agenda},
/// `add_note` {item, kind: note|decision, text}, `mark_held`, `cancel`
/// {reason}. With `?version=` the change is refused (409) if the workshop
/// changed since you read it; without, it applies to the current version.
#[utoipa::path(post, path = "/workshops/{id}/changes", tag = "workshops",
    params(("id" = String, Path), ("version" = Option<i64>, Query), ("X-Debrief-Actor" = Option<String>, Header)),
    request_body(content = Object, description = "one change, tagged by `change`"),
    responses((status = 200, body = WorkshopDto),
              (status = 409, body = Problem, content_type = "application/problem+json", description = "stale version, or a step the workflow does not allow now"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn change_workshop(
    State(app): State<App>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    ApiJson(change): ApiJson<WorkshopChange>,
) -> Result<Json<WorkshopDto>, ApiError> {
    let version = version_param(q)?;
    let v = app
        .change_workshop(&id, change, version, &actor(&headers))
        .await?;
    Ok(Json(WorkshopDto::from_view(&v)))
}

/// Add a lesson to the incident's review during the workshop; it is noted
/// in the workshop too.
#[utoipa::path(post, path = "/workshops/{id}/lessons", tag = "workshops", request_body = LessonBody,
    params(("id" = String, Path), ("X-Debrief-Actor" = Option<String>, Header)),
    responses((status = 201, body = WorkshopDto), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_lesson(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LessonBody>,
) -> Result<Response, ApiError> {
    let v = app
        .add_workshop_lesson(
            &id,
            &LessonDraft {
                statement: body.statement,
                tags: body.tags,
            },
            body.item,
            &actor(&headers),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(WorkshopDto::from_view(&v))).into_response())
}

/// Create an action during the workshop; it is noted in the workshop too.
#[utoipa::path(post, path = "/workshops/{id}/actions", tag = "workshops", request_body = WorkshopActionBody,
    params(("id" = String, Path), ("X-Debrief-Actor" = Option<String>, Header)),
    responses((status = 201, body = WorkshopActionDto), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_action(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<WorkshopActionBody>,
) -> Result<Response, ApiError> {
    let (v, action, warnings) = app
        .add_workshop_action(&id, &body.action.draft(), body.item, &actor(&headers))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(WorkshopActionDto {
            workshop: WorkshopDto::from_view(&v),
            action: ActionDto::from_view(&action),
            warnings: warnings.0,
        }),
    )
        .into_response())
}

/// The invite as an iCalendar file (RFC 5545); after every change of time,
/// place, people or agenda its SEQUENCE is higher, and once cancelled it is
/// a cancellation.
#[utoipa::path(get, path = "/workshops/{id}/invite.ics", tag = "workshops",
    params(("id" = String, Path)),
    responses((status = 200, content_type = "text/calendar", body = String)))]
pub async fn invite(State(app): State<App>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let (v, ics) = app.workshop_invite(&id).await?;
    Ok(ics_response(&v, ics))
}

pub fn ics_response(v: &WorkshopView, ics: String) -> Response {
    let method = if v.workshop.status == debrief_core::WorkshopStatus::Cancelled {
        "CANCEL"
    } else {
        "REQUEST"
    };
    (
        [
            (
                header::CONTENT_TYPE,
                format!("text/calendar; charset=utf-8; method={method}"),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.ics\"", v.file_stem()),
            ),
        ],
        ics,
    )
        .into_response()
}

/// The minutes, for those who could not attend: `?format=md` (default) or
/// `html`.
#[utoipa::path(get, path = "/workshops/{id}/minutes", tag = "workshops",
    params(("id" = String, Path), ("format" = Option<String>, Query, description = "md (default) or html")),
    responses((status = 200, content_type = "text/markdown", body = String)))]
pub async fn minutes(
    State(app): State<App>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let pairs = query_pairs(q)?;
    let format = first(&pairs, "format").unwrap_or("md").to_owned();
    if !matches!(format.as_str(), "md" | "html") {
        return Err(invalid(
            "format",
            format!("`{format}` is not a format; use md or html"),
        ));
    }
    let (v, m) = app.workshop_minutes(&id).await?;
    Ok(minutes_response(&v, &m, &format))
}

pub fn minutes_response(
    v: &WorkshopView,
    m: &debrief_report::MinutesInput,
    format: &str,
) -> Response {
    let (body, mime, ext) = if format == "html" {
        (
            debrief_report::minutes_html(m),
            "text/html; charset=utf-8",
            "html",
        )
    } else {
        (
            debrief_report::minutes_markdown(m),
            "text/markdown; charset=utf-8",
            "md",
        )
    };
    (
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}-minutes.{ext}\"", v.file_stem()),
            ),
        ],
        body,
    )
        .into_response()
}

/// The organisation's holidays, by date (business days skip them).
#[utoipa::path(get, path = "/holidays", tag = "workshops",
    responses((status = 200, body = [HolidayDto])))]
pub async fn list_holidays(State(app): State<App>) -> Result<Json<Vec<HolidayDto>>, ApiError> {
    Ok(Json(
        app.holidays().await?.iter().map(holiday_dto).collect(),
    ))
}

fn holiday_dto(h: &Holiday) -> HolidayDto {
    HolidayDto {
        date: h.date.to_string(),
        name: h.name.clone(),
    }
}

/// Record a holiday (one per day).
#[utoipa::path(post, path = "/holidays", tag = "workshops", request_body = HolidayDto,
    responses((status = 201, body = HolidayDto), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_holiday(
    State(app): State<App>,
    ApiJson(body): ApiJson<HolidayDto>,
) -> Result<Response, ApiError> {
    let h = app.add_holiday(&body.date, &body.name).await?;
    Ok((StatusCode::CREATED, Json(holiday_dto(&h))).into_response())
}

/// Delete the holiday of a day.
#[utoipa::path(delete, path = "/holidays/{date}", tag = "workshops",
    params(("date" = String, Path, description = "YYYY-MM-DD")),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_holiday(
    State(app): State<App>,
    Path(date): Path<String>,
) -> Result<StatusCode, ApiError> {
    app.delete_holiday(&date).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The workshop policy: promptness by severity, stakeholder coverage,
/// service owners.
#[utoipa::path(get, path = "/workshop-policy", tag = "workshops",
    responses((status = 200, body = PolicyDto)))]
pub async fn get_policy(State(app): State<App>) -> Result<Json<PolicyDto>, ApiError> {
    let (policy, version) = app.workshop_policy().await?;
    Ok(Json(PolicyDto { policy, version }))
}

/// Replace the workshop policy; `version` is the one you read (0 for the
/// defaults).
#[utoipa::path(put, path = "/workshop-policy", tag = "workshops", request_body = PolicyDto,
    responses((status = 200, body = PolicyDto),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn put_policy(
    State(app): State<App>,
    ApiJson(body): ApiJson<PolicyDto>,
) -> Result<Json<PolicyDto>, ApiError> {
    let (policy, version) = app.save_workshop_policy(&body.policy, body.version).await?;
    Ok(Json(PolicyDto { policy, version }))
}
