//! Workshop pages (PRODUCT.md §8): the Workshops tab of an incident (when
//! the review is due, the workshops, the schedule form whose "Check" step
//! shows the stakeholder coverage and the facilitator check before any
//! invite exists), one workshop (attendees and attendance, agenda,
//! reschedule, hold, cancel, the invite), the facilitation view that runs
//! the meeting, the minutes, and Settings → Holidays and Workshop policy.
//! Plain forms: every change is a POST answered by a redirect, or the page
//! again with the errors beside the fields.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use debrief_app::workshops::{
    AttendeeInput, WorkshopCheck, WorkshopInput, WorkshopView, agenda_text, when_text,
};
use debrief_app::{App, AppError};
use debrief_core::action::ActionDraft;
use debrief_core::lint::{LintContext, RuleSet, lint};
use debrief_core::review::LessonDraft;
use debrief_core::workshop::{
    Attendance, CoverageRule, DayUnit, NoteKind, PromptnessRule, ReviewDue, ScheduleDraft,
    ServiceOwners, StakeholderRole, WorkshopChange, WorkshopKind, WorkshopPolicy, WorkshopStatus,
};
use debrief_core::{FieldErrors, Person, Severity};

use super::form::{Failed, FormView, pairs};
use super::view::{Viewer, capitalise};
use super::{FormValues, IncidentHead, Layout, error_page, render};

pub(super) fn routes() -> Router<App> {
    Router::new()
        .route(
            "/incidents/{key}/workshops",
            get(workshops_tab).post(schedule),
        )
        .route("/workshops/{id}", get(workshop_page).post(change))
        .route("/workshops/{id}/facilitate", get(facilitate_page))
        .route("/workshops/{id}/minutes", get(minutes_page))
        .route("/workshops/{id}/minutes.md", get(minutes_md))
        .route("/workshops/{id}/invite.ics", get(invite))
        .route("/settings/holidays", get(holidays_page).post(add_holiday))
        .route("/settings/holidays/{date}/delete", post(delete_holiday))
        .route(
            "/settings/workshop-policy",
            get(policy_page).post(save_policy),
        )
}

type Options = Vec<(String, String)>;

fn role_options(placeholder: &str) -> Options {
    std::iter::once((String::new(), placeholder.to_owned()))
        .chain(
            StakeholderRole::ALL
                .iter()
                .map(|r| (r.as_str().to_owned(), r.label().to_owned())),
        )
        .collect()
}

fn people_options(people: &[Person], placeholder: &str) -> Options {
    std::iter::once((String::new(), placeholder.to_owned()))
        .chain(
            people
                .iter()
                .map(|p| (p.email.clone(), format!("{} ({})", p.name, display_team(p)))),
        )
        .collect()
}

fn display_team(p: &Person) -> String {
    if p.team.is_empty() {
        p.email.clone()
    } else {
        p.team.clone()
    }
}

/// Field errors as a form shows them: `attendees[2].role` is `role_N` of
/// the row it came from.
fn form_errors(e: &FieldErrors, rows: &[usize]) -> Vec<(Option<String>, String)> {
    e.iter()
        .map(|e| {
            let field = match e.field.strip_prefix("attendees[") {
                Some(rest) => {
                    let (n, tail) = rest.split_once(']').unwrap_or((rest, ""));
                    let row = n
                        .parse::<usize>()
                        .ok()
                        .and_then(|i| rows.get(i).copied())
                        .unwrap_or(1);
                    if tail == ".role" {
                        format!("role_{row}")
                    } else {
                        format!("person_{row}")
                    }
                }
                None => match e.field.as_str() {
                    "person" | "role" | "attendance" | "item" | "kind" | "text" | "reason"
                    | "agenda" => e.field.clone(),
                    f => f.split('[').next().unwrap_or(f).to_owned(),
                },
            };
            (Some(field), e.message.clone())
        })
        .collect()
}

fn failure(e: AppError, rows: &[usize]) -> Result<Vec<(Option<String>, String)>, AppError> {
    match e {
        AppError::Invalid(f) => Ok(form_errors(&f, rows)),
        AppError::Conflict { message, .. } | AppError::NotAllowed(message) => {
            Ok(vec![(None, message)])
        }
        other => Err(other),
    }
}

fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::Conflict { .. } | AppError::NotAllowed(_) => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

fn notice(q: &Option<String>, texts: &[(&str, &str)]) -> Option<String> {
    let q = q.as_deref().unwrap_or_default();
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q).unwrap_or_default();
    texts
        .iter()
        .find(|(k, _)| pairs.iter().any(|(pk, _)| pk == k))
        .map(|(_, t)| (*t).to_owned())
}

/// The review-due line as the pages show it.
pub(super) struct DueView {
    pub summary: String,
    pub late: bool,
    pub unscheduled: bool,
}

impl DueView {
    pub fn new(d: &ReviewDue) -> Self {
        Self {
            summary: capitalise(&d.summary()),
            late: d.late,
            unscheduled: d.unscheduled,
        }
    }
}

/// One required role in a check: the role, why, and who covers it.
struct NeedView {
    role: &'static str,
    because: String,
    covered_by: Vec<String>,
}

/// What a check shows before the invites go out.
struct CheckView {
    needs: Vec<NeedView>,
    missing: String,
    facilitator: String,
    concerns: Vec<String>,
    complete: bool,
}

impl CheckView {
    fn new(c: &WorkshopCheck, attendees: &[(Person, StakeholderRole)]) -> Self {
        Self {
            needs: c
                .coverage
                .required
                .iter()
                .map(|n| NeedView {
                    role: n.role.label(),
                    because: n.because.join("; "),
                    covered_by: attendees
                        .iter()
                        .filter(|(_, r)| *r == n.role)
                        .map(|(p, _)| p.name.clone())
                        .collect(),
                })
                .collect(),
            missing: c.coverage.missing_text(),
            facilitator: c
                .facilitator
                .as_ref()
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            concerns: c.facilitator_concerns.clone(),
            complete: c.warnings().is_empty(),
        }
    }
}

// ----- the Workshops tab -----------------------------------------------------

struct WorkshopRow {
    id: String,
    kind: &'static str,
    status: &'static str,
    status_class: String,
    when: String,
    facilitator: String,
    invited: usize,
    attended: usize,
    missing: String,
    concerns: usize,
}

impl WorkshopRow {
    fn new(v: &WorkshopView) -> Self {
        let w = &v.workshop;
        Self {
            id: w.id.to_string(),
            kind: w.kind.label(),
            status: w.status.label(),
            status_class: format!("workshop-{}", w.status.as_str()),
            when: when_text(w),
            facilitator: v.facilitator.name.clone(),
            invited: v.attendees.len(),
            attended: v
                .attendees
                .iter()
                .filter(|a| a.attendance == Attendance::Attended)
                .count(),
            missing: v.coverage.missing_text(),
            concerns: v.facilitator_concerns.len(),
        }
    }
}

#[derive(Template)]
#[template(path = "incident_workshops.html", whitespace = "minimize")]
struct WorkshopsTab {
    layout: Layout,
    head: IncidentHead,
    tab: &'static str,
    due: Option<DueView>,
    closed: bool,
    rows: Vec<WorkshopRow>,
    form: FormView,
    kinds: Options,
    people: Options,
    roles: Options,
    zone_hint: String,
    check: Option<CheckView>,
    problems: Vec<(String, String)>,
    notice: Option<String>,
    no_people: bool,
}

const ATTENDEE_ROWS: usize = 8;

#[allow(clippy::too_many_arguments)]
async fn respond_tab(
    app: &App,
    viewer: &Viewer,
    key: &str,
    failed: Option<Failed>,
    check: Option<CheckView>,
    notice: Option<String>,
    status: StatusCode,
) -> Response {
    let result = async {
        let view = app.incident_view(key).await?;
        let (_, workshops) = app.incident_workshops(key).await?;
        let due = app.review_due(&view.incident).await?;
        let people = app.people().await?;
        let agenda = agenda_text(&app.generated_agenda(key).await?);
        Ok::<_, AppError>((view, workshops, due, people, agenda))
    }
    .await;
    let (view, workshops, due, people, agenda) = match result {
        Ok(r) => r,
        Err(e) => return error_page(viewer, e),
    };
    let key = view.incident.key.to_string();
    let zone = app
        .settings()
        .time_zone
        .iana_name()
        .unwrap_or("UTC")
        .to_owned();
    let defaults = pairs([
        ("kind", "lessons_learned".into()),
        ("time_zone", zone.clone()),
        ("duration_minutes", "90".into()),
        ("agenda", agenda),
    ]);
    let page = WorkshopsTab {
        layout: Layout::new(
            format!("Workshops · {key}"),
            "incidents",
            viewer,
            format!("/incidents/{key}/workshops"),
        ),
        head: IncidentHead::new(app, &view, viewer),
        tab: "workshops",
        closed: view
            .incident
            .fields
            .lifecycle
            .get(debrief_core::LifecycleField::Closed)
            .is_some(),
        due: due.as_ref().map(DueView::new),
        rows: workshops.iter().map(WorkshopRow::new).collect(),
        form: FormView::new("schedule", defaults, failed.as_ref())
            .with_slots("person_", ATTENDEE_ROWS),
        kinds: WorkshopKind::ALL
            .iter()
            .map(|k| (k.as_str().to_owned(), k.label().to_owned()))
            .collect(),
        people: people_options(&people, "Choose a person"),
        roles: role_options("Choose a role"),
        zone_hint: format!("An IANA zone; the organisation's is {zone}"),
        check,
        problems: failed.as_ref().map(|f| f.summary()).unwrap_or_default(),
        notice,
        no_people: people.is_empty(),
    };
    render(&page, status)
}

async fn workshops_tab(
    State(app): State<App>,
    viewer: Viewer,
    Path(key): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let notice = notice(&q, &[("cancelled", "The workshop was cancelled.")]);
    respond_tab(&app, &viewer, &key, None, None, notice, StatusCode::OK).await
}

/// The schedule form as a workshop input, with the row number of each
/// attendee it holds (for errors).
fn schedule_input(v: &FormValues) -> (WorkshopInput, Vec<usize>) {
    let mut rows = Vec::new();
    let mut attendees = Vec::new();
    for n in 1..=50 {
        let (person, role) = (v.get(&format!("person_{n}")), v.get(&format!("role_{n}")));
        if person.trim().is_empty() && role.trim().is_empty() {
            continue;
        }
        rows.push(n);
        attendees.push(AttendeeInput { person, role });
    }
    (
        WorkshopInput {
            kind: v.get("kind"),
            schedule: schedule_draft(v),
            attendees,
            agenda: v.get("agenda"),
        },
        rows,
    )
}

fn schedule_draft(v: &FormValues) -> ScheduleDraft {
    ScheduleDraft {
        starts: v.get("starts"),
        time_zone: v.get("time_zone"),
        duration_minutes: v.get("duration_minutes"),
        location: v.get("location"),
        url: v.get("url"),
        facilitator: v.get("facilitator"),
    }
}

/// "Check" shows the coverage and the facilitator check; "Schedule" does
/// the same and, when there is something to see, asks for it to be
/// acknowledged before any workshop (or invite) exists.
async fn schedule(
    State(app): State<App>,
    viewer: Viewer,
    Path(key): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let values = FormValues { fields };
    let (input, rows) = schedule_input(&values);
    let check = match app.check_workshop(&key, &input).await {
        Ok((check, _)) => check,
        Err(e) => return error_page(&viewer, e),
    };
    let people = app.people().await.unwrap_or_default();
    let chosen: Vec<(Person, StakeholderRole)> = input
        .attendees
        .iter()
        .filter_map(|a| {
            let p = people.iter().find(|p| p.email == a.person.trim())?;
            Some((p.clone(), a.role.parse().ok()?))
        })
        .collect();
    let view = CheckView::new(&check, &chosen);
    let step = values.get("step");
    let acknowledged = matches!(values.get("acknowledge").as_str(), "on" | "yes" | "1");
    let errors = form_errors(&check.errors, &rows);
    let stop =
        !errors.is_empty() || step != "schedule" || (!check.warnings().is_empty() && !acknowledged);
    if stop {
        let mut errors = errors;
        if step == "schedule" && errors.is_empty() {
            errors.push((
                Some("acknowledge".into()),
                "read the warnings above, then tick “Schedule anyway” (or change the attendees or the facilitator)".into(),
            ));
        }
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let failed = Failed {
            key: "schedule".into(),
            title: "the workshop".into(),
            values: values.fields,
            errors,
        };
        return respond_tab(&app, &viewer, &key, Some(failed), Some(view), None, status).await;
    }
    match app.schedule_workshop(&key, &input, &viewer.actor()).await {
        Ok((w, _)) => Redirect::to(&format!("/workshops/{}?scheduled=1", w.id())).into_response(),
        Err(e) => {
            let status = status_of(&e);
            match failure(e, &rows) {
                Ok(errors) => {
                    let failed = Failed {
                        key: "schedule".into(),
                        title: "the workshop".into(),
                        values: values.fields,
                        errors,
                    };
                    respond_tab(&app, &viewer, &key, Some(failed), Some(view), None, status).await
                }
                Err(e) => error_page(&viewer, e),
            }
        }
    }
}

// ----- one workshop ------------------------------------------------------------

struct AttendeeRow {
    name: String,
    email: String,
    team: String,
    phone: String,
    role: &'static str,
    attendance_value: &'static str,
    required: bool,
}

struct NoteRow {
    kind: &'static str,
    kind_class: &'static str,
    text: String,
    reference: String,
    by: String,
    time: String,
    item: String,
    findings: Vec<(String, String)>,
}

fn note_rows(v: &WorkshopView, names: &[String], only_item: Option<Option<u32>>) -> Vec<NoteRow> {
    let w = &v.workshop;
    let rules = RuleSet::builtin();
    let ctx = LintContext::with_names(names.iter().cloned());
    let zone = w.schedule.zone();
    let mut notes: Vec<&debrief_core::workshop::WorkshopNote> = w.notes.iter().collect();
    notes.sort_by_key(|n| n.at);
    notes
        .into_iter()
        .filter(|n| only_item.is_none_or(|i| n.item == i))
        .map(|n| NoteRow {
            kind: n.kind.label(),
            kind_class: match n.kind {
                NoteKind::Decision => "note-decision",
                NoteKind::Lesson => "note-lesson",
                NoteKind::Action => "note-action",
                NoteKind::Note => "note-note",
            },
            text: n.text.clone(),
            reference: n.reference.clone(),
            by: n.by.clone(),
            time: n
                .at
                .to_zoned_datetime(zone.clone())
                .strftime("%-d %b %H:%M %Z")
                .to_string(),
            item: n
                .item
                .and_then(|i| w.agenda.get(i as usize))
                .map(|a| a.title.clone())
                .unwrap_or_default(),
            findings: lint(&n.text, &rules, &ctx)
                .into_iter()
                .map(|f| {
                    (
                        format!("“{}”: {}", f.excerpt, f.message),
                        f.suggestion.clone(),
                    )
                })
                .collect(),
        })
        .collect()
}

fn attendee_rows(v: &WorkshopView) -> Vec<AttendeeRow> {
    v.attendees
        .iter()
        .map(|a| AttendeeRow {
            name: a.person.name.clone(),
            email: a.person.email.clone(),
            team: a.person.team.clone(),
            phone: a.person.phone.clone(),
            role: a.role.label(),
            attendance_value: a.attendance.as_str(),
            required: a.required,
        })
        .collect()
}

fn attendance_options() -> Options {
    Attendance::ALL
        .iter()
        .map(|a| (a.as_str().to_owned(), a.label().to_owned()))
        .collect()
}

/// What the workshop page and the facilitation view share.
struct WorkshopHead {
    id: String,
    key: String,
    incident_title: String,
    kind: &'static str,
    status: &'static str,
    status_class: String,
    when: String,
    location: String,
    url: String,
    facilitator: String,
    facilitator_email: String,
    sequence: u32,
    scheduled: bool,
    cancelled: bool,
    cancel_reason: String,
    missing: String,
    concerns: Vec<String>,
}

impl WorkshopHead {
    fn new(v: &WorkshopView) -> Self {
        let w = &v.workshop;
        Self {
            id: w.id.to_string(),
            key: v.incident.key.to_string(),
            incident_title: v.incident.fields.title.clone(),
            kind: w.kind.label(),
            status: w.status.label(),
            status_class: format!("workshop-{}", w.status.as_str()),
            when: when_text(w),
            location: w.schedule.location.clone(),
            url: w.schedule.url.clone(),
            facilitator: v.facilitator.name.clone(),
            facilitator_email: v.facilitator.email.clone(),
            sequence: w.sequence,
            scheduled: w.status == WorkshopStatus::Scheduled,
            cancelled: w.status == WorkshopStatus::Cancelled,
            cancel_reason: w.cancel_reason.clone(),
            missing: v.coverage.missing_text(),
            concerns: v.facilitator_concerns.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "workshop.html", whitespace = "minimize")]
struct WorkshopPage {
    layout: Layout,
    w: WorkshopHead,
    attendees: Vec<AttendeeRow>,
    agenda: Vec<(String, Vec<String>)>,
    notes: Vec<NoteRow>,
    attendance: Options,
    people: Options,
    roles: Options,
    reschedule: FormView,
    add_form: FormView,
    agenda_form: FormView,
    cancel_form: FormView,
    attendance_form: FormView,
    problems: Vec<(String, String)>,
    notice: Option<String>,
}

async fn respond_workshop(
    app: &App,
    viewer: &Viewer,
    id: &str,
    failed: Option<Failed>,
    notice: Option<String>,
    status: StatusCode,
) -> Response {
    let (v, people) =
        match async { Ok::<_, AppError>((app.workshop(id).await?, app.people().await?)) }.await {
            Ok(r) => r,
            Err(e) => return error_page(viewer, e),
        };
    let w = &v.workshop;
    let names: Vec<String> = people.iter().map(|p| p.name.clone()).collect();
    let head = WorkshopHead::new(&v);
    let mut attendance_values = vec![("version".to_owned(), w.version.to_string())];
    for a in &v.attendees {
        attendance_values.push((
            format!("att_{}", a.person.email),
            a.attendance.as_str().to_owned(),
        ));
    }
    let page = WorkshopPage {
        layout: Layout::new(
            format!("{} workshop · {}", w.kind.label(), head.key),
            "incidents",
            viewer,
            format!("/workshops/{}", w.id),
        ),
        attendees: attendee_rows(&v),
        agenda: w
            .agenda
            .iter()
            .map(|i| (i.title.clone(), i.points.clone()))
            .collect(),
        notes: note_rows(&v, &names, None),
        attendance: attendance_options(),
        people: people_options(&people, "Choose a person"),
        roles: role_options("Choose a role"),
        reschedule: FormView::new(
            "reschedule",
            pairs([
                (
                    "starts",
                    w.schedule
                        .starts_zoned()
                        .strftime("%Y-%m-%d %H:%M")
                        .to_string(),
                ),
                ("time_zone", w.schedule.time_zone.clone()),
                ("duration_minutes", w.schedule.duration_minutes.to_string()),
                ("location", w.schedule.location.clone()),
                ("url", w.schedule.url.clone()),
                ("facilitator", v.facilitator.email.clone()),
                ("version", w.version.to_string()),
            ]),
            failed.as_ref(),
        ),
        add_form: FormView::new("add_attendee", Vec::new(), failed.as_ref()),
        agenda_form: FormView::new(
            "agenda",
            pairs([
                ("agenda", agenda_text(&w.agenda)),
                ("version", w.version.to_string()),
            ]),
            failed.as_ref(),
        ),
        cancel_form: FormView::new(
            "cancel",
            pairs([("version", w.version.to_string())]),
            failed.as_ref(),
        ),
        attendance_form: FormView::new("attendance", attendance_values, failed.as_ref()),
        problems: failed.as_ref().map(|f| f.summary()).unwrap_or_default(),
        notice,
        w: head,
    };
    render(&page, status)
}

async fn workshop_page(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let notice = notice(
        &q,
        &[
            (
                "scheduled",
                "Workshop scheduled. Download the invite and send it to the attendees.",
            ),
            (
                "rescheduled",
                "Saved. Send the updated invite: calendars replace the old one.",
            ),
            (
                "invited",
                "Saved. Send the updated invite to the attendees.",
            ),
            ("attendance", "Attendance saved."),
            ("agenda", "Agenda saved. Send the updated invite."),
            ("held", "Marked as held. The minutes are ready to share."),
            ("saved", "Saved."),
        ],
    );
    respond_workshop(&app, &viewer, &id, None, notice, StatusCode::OK).await
}

/// The change a workshop form makes, and where to go after it.
async fn apply_form(
    app: &App,
    viewer: &Viewer,
    id: &str,
    op: &str,
    v: &FormValues,
) -> Result<&'static str, AppError> {
    let version = || v.get("version").trim().parse::<i64>().ok();
    let item = v.get("item").trim().parse::<u32>().ok();
    let by = viewer.actor();
    match op {
        "reschedule" => {
            app.change_workshop(
                id,
                WorkshopChange::Reschedule {
                    schedule: schedule_draft(v),
                },
                version(),
                &by,
            )
            .await?;
            Ok("rescheduled")
        }
        "add_attendee" => {
            app.change_workshop(
                id,
                WorkshopChange::AddAttendee {
                    person: v.get("person"),
                    role: v.get("role"),
                },
                None,
                &by,
            )
            .await?;
            Ok("invited")
        }
        "remove_attendee" => {
            app.change_workshop(
                id,
                WorkshopChange::RemoveAttendee {
                    person: v.get("person"),
                },
                None,
                &by,
            )
            .await?;
            Ok("invited")
        }
        "attendance" => {
            let current = app.workshop(id).await?;
            for a in &current.attendees {
                let chosen = v.get(&format!("att_{}", a.person.email));
                if chosen.is_empty() || chosen == a.attendance.as_str() {
                    continue;
                }
                app.change_workshop(
                    id,
                    WorkshopChange::SetAttendance {
                        person: a.person.email.clone(),
                        attendance: chosen,
                    },
                    None,
                    &by,
                )
                .await?;
            }
            Ok("attendance")
        }
        "agenda" => {
            app.change_workshop(
                id,
                WorkshopChange::SetAgenda {
                    agenda: v.get("agenda"),
                },
                version(),
                &by,
            )
            .await?;
            Ok("agenda")
        }
        "note" => {
            app.change_workshop(
                id,
                WorkshopChange::AddNote {
                    item,
                    kind: v.get("kind"),
                    text: v.get("text"),
                },
                None,
                &by,
            )
            .await?;
            Ok("noted")
        }
        "lesson" => {
            app.add_workshop_lesson(
                id,
                &LessonDraft {
                    statement: v.get("statement"),
                    tags: v
                        .get("tags")
                        .split(',')
                        .map(|t| t.trim().to_owned())
                        .filter(|t| !t.is_empty())
                        .collect(),
                },
                item,
                &by,
            )
            .await?;
            Ok("lesson")
        }
        "action" => {
            let n = |name: &str| v.get(name).trim().parse::<i64>().unwrap_or(0);
            app.add_workshop_action(
                id,
                &ActionDraft {
                    title: v.get("title"),
                    action_type: v.get("type"),
                    owner: v.get("owner"),
                    due_on: v.get("due_on"),
                    risk: n("risk"),
                    impact: n("impact"),
                    effort: n("effort"),
                    ..Default::default()
                },
                item,
                &by,
            )
            .await?;
            Ok("action")
        }
        "held" => {
            app.change_workshop(id, WorkshopChange::MarkHeld, None, &by)
                .await?;
            Ok("held")
        }
        "cancel" => {
            app.change_workshop(
                id,
                WorkshopChange::Cancel {
                    reason: v.get("reason"),
                },
                version(),
                &by,
            )
            .await?;
            Ok("cancelled")
        }
        other => Err(AppError::NotFound(format!(
            "the form sent an unknown change `{other}`; reload the page"
        ))),
    }
}

async fn change(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let values = FormValues { fields };
    let op = values.get("op");
    let facilitate = values.get("back") == "facilitate";
    let item = values.get("item");
    match apply_form(&app, &viewer, &id, &op, &values).await {
        Ok(done) => {
            if facilitate {
                let item = item.parse::<u32>().unwrap_or(1);
                Redirect::to(&format!(
                    "/workshops/{id}/facilitate?item={item}&{done}=1#capture"
                ))
                .into_response()
            } else if done == "cancelled" {
                match app.workshop(&id).await {
                    Ok(v) => Redirect::to(&format!(
                        "/incidents/{}/workshops?cancelled=1",
                        v.incident.key
                    ))
                    .into_response(),
                    Err(e) => error_page(&viewer, e),
                }
            } else {
                Redirect::to(&format!("/workshops/{id}?{done}=1")).into_response()
            }
        }
        Err(e) => {
            let status = status_of(&e);
            match failure(e, &[]) {
                Ok(errors) => {
                    let failed = Failed {
                        key: op.clone(),
                        title: "the change".into(),
                        values: values.fields,
                        errors,
                    };
                    if facilitate {
                        respond_facilitate(
                            &app,
                            &viewer,
                            &id,
                            item.parse().ok(),
                            Some(failed),
                            None,
                            status,
                        )
                        .await
                    } else {
                        respond_workshop(&app, &viewer, &id, Some(failed), None, status).await
                    }
                }
                Err(e) => error_page(&viewer, e),
            }
        }
    }
}

async fn invite(State(app): State<App>, viewer: Viewer, Path(id): Path<String>) -> Response {
    match app.workshop_invite(&id).await {
        Ok((v, ics)) => crate::api::workshops::ics_response(&v, ics),
        Err(e) => error_page(&viewer, e),
    }
}

// ----- the facilitation view ---------------------------------------------------

#[derive(Template)]
#[template(path = "facilitate.html", whitespace = "minimize")]
struct FacilitatePage {
    layout: Layout,
    w: WorkshopHead,
    items: Vec<String>,
    /// 1-based.
    current: usize,
    title: String,
    points: Vec<String>,
    notes: Vec<NoteRow>,
    prev: Option<usize>,
    next: Option<usize>,
    attendees: Vec<AttendeeRow>,
    attendance: Options,
    people: Options,
    types: Options,
    scale: Options,
    note_form: FormView,
    lesson_form: FormView,
    action_form: FormView,
    attendance_form: FormView,
    problems: Vec<(String, String)>,
    notice: Option<String>,
    started: bool,
}

async fn respond_facilitate(
    app: &App,
    viewer: &Viewer,
    id: &str,
    item: Option<usize>,
    failed: Option<Failed>,
    notice: Option<String>,
    status: StatusCode,
) -> Response {
    let (v, people) =
        match async { Ok::<_, AppError>((app.workshop(id).await?, app.people().await?)) }.await {
            Ok(r) => r,
            Err(e) => return error_page(viewer, e),
        };
    let w = &v.workshop;
    let count = w.agenda.len();
    let current = item.unwrap_or(1).clamp(1, count.max(1));
    let (title, points) = w
        .agenda
        .get(current - 1)
        .map(|i| (i.title.clone(), i.points.clone()))
        .unwrap_or_else(|| {
            (
                "No agenda".into(),
                vec!["Write the agenda on the workshop page.".into()],
            )
        });
    let names: Vec<String> = people.iter().map(|p| p.name.clone()).collect();
    let item_value = current.to_string();
    let with_item = |mut v: Vec<(String, String)>| {
        v.push(("item".into(), item_value.clone()));
        v
    };
    let mut attendance_values = vec![];
    for a in &v.attendees {
        attendance_values.push((
            format!("att_{}", a.person.email),
            a.attendance.as_str().to_owned(),
        ));
    }
    let head = WorkshopHead::new(&v);
    let page = FacilitatePage {
        layout: Layout::new(
            format!("Facilitate · {} · {}", title, head.key),
            "incidents",
            viewer,
            format!("/workshops/{}/facilitate?item={current}", w.id),
        ),
        items: w.agenda.iter().map(|i| i.title.clone()).collect(),
        current,
        title,
        points,
        notes: note_rows(&v, &names, Some(Some((current - 1) as u32))),
        prev: (current > 1).then(|| current - 1),
        next: (current < count).then(|| current + 1),
        attendees: attendee_rows(&v),
        attendance: attendance_options(),
        people: people_options(&people, "Choose the owner"),
        types: std::iter::once((String::new(), "Choose a type".to_owned()))
            .chain(
                debrief_core::action::ActionType::ALL
                    .iter()
                    .map(|t| (t.as_str().to_owned(), t.label().to_owned())),
            )
            .collect(),
        scale: (1..=5).map(|n| (n.to_string(), n.to_string())).collect(),
        note_form: FormView::new(
            "note",
            with_item(pairs([("kind", "note".into())])),
            failed.as_ref(),
        ),
        lesson_form: FormView::new("lesson", with_item(Vec::new()), failed.as_ref()),
        action_form: FormView::new(
            "action",
            with_item(pairs([
                ("risk", "3".into()),
                ("impact", "3".into()),
                ("effort", "2".into()),
            ])),
            failed.as_ref(),
        ),
        attendance_form: FormView::new("attendance", with_item(attendance_values), failed.as_ref()),
        problems: failed.as_ref().map(|f| f.summary()).unwrap_or_default(),
        notice,
        started: app.now() >= w.schedule.starts_at,
        w: head,
    };
    render(&page, status)
}

async fn facilitate_page(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(q.as_deref().unwrap_or_default()).unwrap_or_default();
    let item = pairs
        .iter()
        .find(|(k, _)| k == "item")
        .and_then(|(_, v)| v.parse::<usize>().ok());
    let notice = notice(
        &q,
        &[
            ("noted", "Note saved."),
            ("lesson", "Lesson added to the review."),
            ("action", "Action created."),
            ("attendance", "Attendance saved."),
            ("held", "Marked as held."),
        ],
    );
    respond_facilitate(&app, &viewer, &id, item, None, notice, StatusCode::OK).await
}

// ----- minutes ---------------------------------------------------------------

#[derive(Template)]
#[template(path = "workshop_minutes.html", whitespace = "minimize")]
struct MinutesPage {
    layout: Layout,
    id: String,
    m: debrief_report::MinutesInput,
}

async fn minutes_page(State(app): State<App>, viewer: Viewer, Path(id): Path<String>) -> Response {
    match app.workshop_minutes(&id).await {
        Ok((v, m)) => render(
            &MinutesPage {
                layout: Layout::new(
                    format!("Minutes · {}", v.incident.key),
                    "incidents",
                    &viewer,
                    format!("/workshops/{id}/minutes"),
                ),
                id: v.id().to_string(),
                m,
            },
            StatusCode::OK,
        ),
        Err(e) => error_page(&viewer, e),
    }
}

async fn minutes_md(State(app): State<App>, viewer: Viewer, Path(id): Path<String>) -> Response {
    match app.workshop_minutes(&id).await {
        Ok((v, m)) => crate::api::workshops::minutes_response(&v, &m, "md"),
        Err(e) => error_page(&viewer, e),
    }
}

// ----- Settings → Holidays ---------------------------------------------------

#[derive(Template)]
#[template(path = "settings_holidays.html", whitespace = "minimize")]
struct HolidaysPage {
    layout: Layout,
    holidays: Vec<(String, String, String)>,
    form: FormView,
    problems: Vec<(String, String)>,
    notice: Option<String>,
    zone: String,
}

async fn respond_holidays(
    app: &App,
    viewer: &Viewer,
    failed: Option<Failed>,
    notice: Option<String>,
    status: StatusCode,
) -> Response {
    let holidays = match app.holidays().await {
        Ok(h) => h,
        Err(e) => return error_page(viewer, e),
    };
    let page = HolidaysPage {
        layout: Layout::new("Holidays", "settings", viewer, "/settings/holidays"),
        holidays: holidays
            .iter()
            .map(|h| {
                (
                    h.date.to_string(),
                    h.date.strftime("%A").to_string(),
                    h.name.clone(),
                )
            })
            .collect(),
        form: FormView::new("holiday", Vec::new(), failed.as_ref()),
        problems: failed.as_ref().map(|f| f.summary()).unwrap_or_default(),
        notice,
        zone: app
            .settings()
            .time_zone
            .iana_name()
            .unwrap_or("UTC")
            .to_owned(),
    };
    render(&page, status)
}

async fn holidays_page(State(app): State<App>, viewer: Viewer, RawQuery(q): RawQuery) -> Response {
    let notice = notice(
        &q,
        &[
            ("added", "Holiday recorded."),
            ("deleted", "Holiday deleted."),
        ],
    );
    respond_holidays(&app, &viewer, None, notice, StatusCode::OK).await
}

async fn add_holiday(
    State(app): State<App>,
    viewer: Viewer,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let values = FormValues { fields };
    match app
        .add_holiday(&values.get("date"), &values.get("name"))
        .await
    {
        Ok(_) => Redirect::to("/settings/holidays?added=1").into_response(),
        Err(e) => {
            let status = status_of(&e);
            match failure(e, &[]) {
                Ok(errors) => {
                    let failed = Failed {
                        key: "holiday".into(),
                        title: "the holiday".into(),
                        values: values.fields,
                        errors,
                    };
                    respond_holidays(&app, &viewer, Some(failed), None, status).await
                }
                Err(e) => error_page(&viewer, e),
            }
        }
    }
}

async fn delete_holiday(
    State(app): State<App>,
    viewer: Viewer,
    Path(date): Path<String>,
) -> Response {
    match app.delete_holiday(&date).await {
        Ok(()) => Redirect::to("/settings/holidays?deleted=1").into_response(),
        Err(e) => error_page(&viewer, e),
    }
}

// ----- Settings → Workshop policy --------------------------------------------

#[derive(Template)]
#[template(path = "settings_policy.html", whitespace = "minimize")]
struct PolicyPage {
    layout: Layout,
    form: FormView,
    /// `(days field, unit field, their labels)` per severity.
    severities: Vec<(String, String, String, String)>,
    units: Options,
    rules: Vec<usize>,
    roles: String,
    problems: Vec<(String, String)>,
    notice: Option<String>,
}

const EXTRA_RULES: usize = 2;

fn policy_values(p: &WorkshopPolicy, version: i64) -> Vec<(String, String)> {
    let mut v = vec![("version".to_owned(), version.to_string())];
    for r in &p.promptness {
        v.push((format!("days_{}", r.severity), r.days.to_string()));
        v.push((format!("unit_{}", r.severity), r.unit.as_str().to_owned()));
    }
    for (i, r) in p.coverage.iter().enumerate() {
        let n = i + 1;
        let join = |items: Vec<String>| items.join(", ");
        v.push((
            format!("roles_{n}"),
            join(r.roles.iter().map(|x| x.to_string()).collect()),
        ));
        v.push((
            format!("severities_{n}"),
            join(r.severities.iter().map(|x| x.to_string()).collect()),
        ));
        v.push((format!("categories_{n}"), r.categories.join(", ")));
    }
    v.push((
        "owners".to_owned(),
        p.service_owners
            .iter()
            .map(|s| format!("{}: {}", s.service, s.owners.join(", ")))
            .collect::<Vec<_>>()
            .join("\n"),
    ));
    v
}

fn list(s: &str) -> Vec<String> {
    s.split(',')
        .map(|x| x.trim().to_lowercase())
        .filter(|x| !x.is_empty())
        .collect()
}

/// The form as a policy, with each problem on the field it came from.
fn policy_from_form(v: &FormValues) -> Result<WorkshopPolicy, Vec<(Option<String>, String)>> {
    let mut errors = Vec::new();
    let mut promptness = Vec::new();
    for s in Severity::ALL {
        let days = v.get(&format!("days_{s}"));
        let unit = v.get(&format!("unit_{s}"));
        let d = days.trim().parse::<u32>().map_err(|_| {
            errors.push((
                Some(format!("days_{s}")),
                format!("`{days}` is not a number of days"),
            ))
        });
        let u = unit
            .parse::<DayUnit>()
            .map_err(|m| errors.push((Some(format!("unit_{s}")), m)));
        if let (Ok(d), Ok(u)) = (d, u) {
            promptness.push(PromptnessRule::new(s, d, u));
        }
    }
    let mut coverage = Vec::new();
    for n in 1..=60 {
        let (roles, sev, cats) = (
            v.get(&format!("roles_{n}")),
            v.get(&format!("severities_{n}")),
            v.get(&format!("categories_{n}")),
        );
        if roles.trim().is_empty() && sev.trim().is_empty() && cats.trim().is_empty() {
            continue;
        }
        let mut rule = CoverageRule {
            roles: Vec::new(),
            severities: Vec::new(),
            categories: list(&cats),
        };
        for r in list(&roles) {
            match r.parse::<StakeholderRole>() {
                Ok(r) => rule.roles.push(r),
                Err(m) => errors.push((Some(format!("roles_{n}")), m)),
            }
        }
        if rule.roles.is_empty()
            && !errors
                .iter()
                .any(|(f, _)| f.as_deref() == Some(&format!("roles_{n}")))
        {
            errors.push((
                Some(format!("roles_{n}")),
                "name at least one role, like legal, communications".into(),
            ));
        }
        for s in list(&sev) {
            match s.parse::<Severity>() {
                Ok(s) => rule.severities.push(s),
                Err(m) => errors.push((Some(format!("severities_{n}")), m)),
            }
        }
        coverage.push((n, rule));
    }
    let mut service_owners = Vec::new();
    for (i, line) in v.get("owners").lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match line.rsplit_once(':') {
            Some((service, owners)) if !service.trim().is_empty() => {
                service_owners.push(ServiceOwners {
                    service: service.trim().to_owned(),
                    owners: list(owners),
                })
            }
            _ => errors.push((
                Some("owners".into()),
                format!(
                    "line {}: write “service: owner@example.org, …”, not “{line}”",
                    i + 1
                ),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(WorkshopPolicy {
        promptness,
        coverage: coverage.into_iter().map(|(_, r)| r).collect(),
        service_owners,
    })
}

async fn respond_policy(
    app: &App,
    viewer: &Viewer,
    failed: Option<Failed>,
    notice: Option<String>,
    status: StatusCode,
) -> Response {
    let (policy, version) = match app.workshop_policy().await {
        Ok(p) => p,
        Err(e) => return error_page(viewer, e),
    };
    let shown_rules = failed
        .as_ref()
        .map(|f| {
            f.values
                .iter()
                .filter_map(|(k, _)| k.strip_prefix("roles_")?.parse::<usize>().ok())
                .max()
                .unwrap_or(0)
        })
        .unwrap_or(policy.coverage.len() + EXTRA_RULES)
        .max(policy.coverage.len() + EXTRA_RULES);
    let page = PolicyPage {
        layout: Layout::new(
            "Workshop policy",
            "settings",
            viewer,
            "/settings/workshop-policy",
        ),
        form: FormView::new("policy", policy_values(&policy, version), failed.as_ref()),
        severities: Severity::ALL
            .iter()
            .map(|s| {
                let label = capitalise(s.as_str());
                (
                    format!("days_{s}"),
                    format!("unit_{s}"),
                    format!("{label} incidents: days"),
                    format!("{label} incidents: counted in"),
                )
            })
            .collect(),
        units: DayUnit::ALL
            .iter()
            .map(|u| (u.as_str().to_owned(), u.label().to_owned()))
            .collect(),
        rules: (1..=shown_rules).collect(),
        roles: StakeholderRole::ALL
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        problems: failed.as_ref().map(|f| f.summary()).unwrap_or_default(),
        notice,
    };
    render(&page, status)
}

async fn policy_page(State(app): State<App>, viewer: Viewer, RawQuery(q): RawQuery) -> Response {
    let notice = notice(&q, &[("saved", "Workshop policy saved.")]);
    respond_policy(&app, &viewer, None, notice, StatusCode::OK).await
}

/// `coverage[2].categories` → `categories_3`; `promptness…` → the first
/// severity's days.
fn policy_field(field: &str) -> String {
    if let Some(rest) = field.strip_prefix("coverage[") {
        let (n, tail) = rest.split_once("].").unwrap_or((rest, "roles"));
        let n = n.parse::<usize>().map(|i| i + 1).unwrap_or(1);
        return format!("{tail}_{n}");
    }
    if field.starts_with("service_owners") {
        return "owners".into();
    }
    "days_critical".into()
}

async fn save_policy(
    State(app): State<App>,
    viewer: Viewer,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let values = FormValues { fields };
    let version = values.get("version").trim().parse::<i64>().unwrap_or(0);
    let (errors, status): (Vec<(Option<String>, String)>, StatusCode) =
        match policy_from_form(&values) {
            Ok(policy) => match app.save_workshop_policy(&policy, version).await {
                Ok(_) => return Redirect::to("/settings/workshop-policy?saved=1").into_response(),
                Err(AppError::Invalid(e)) => (
                    e.iter()
                        .map(|e| (Some(policy_field(&e.field)), e.message.clone()))
                        .collect(),
                    StatusCode::UNPROCESSABLE_ENTITY,
                ),
                Err(AppError::Conflict { message, .. }) => {
                    (vec![(None, message)], StatusCode::CONFLICT)
                }
                Err(e) => return error_page(&viewer, e),
            },
            Err(errors) => (errors, StatusCode::UNPROCESSABLE_ENTITY),
        };
    let failed = Failed {
        key: "policy".into(),
        title: "the policy".into(),
        values: values.fields,
        errors,
    };
    respond_policy(&app, &viewer, Some(failed), None, status).await
}
