//! Action pages (PRODUCT.md §6): the Actions tab of an incident (ranked
//! list, new-action form, follow-ups and the burn-down), one action (its
//! fields, priority reasoning, workflow, verification, history), the
//! portfolio across incidents, and Settings → People. Plain forms: every
//! change is a POST answered by a redirect, or the page again with the
//! errors beside the fields.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use debrief_app::actions::{ActionQuery, ActionView, VerifyInput};
use debrief_app::{App, AppError};
use debrief_core::action::{
    ActionDraft, ActionStatus, ActionType, FollowUp, HistoryEntry, Priority,
};
use debrief_core::review::Review;
use debrief_core::{FieldErrors, Person, PersonDraft, Precision, Timestamp};

use super::form::{Failed, FormView, pairs};
use super::view::{TimeView, Viewer};
use super::{FormValues, IncidentHead, Layout, error_page, render};
use crate::api::actions::action_query;

pub(super) fn routes() -> Router<App> {
    Router::new()
        .route(
            "/incidents/{key}/actions",
            get(incident_actions_page).post(create_action),
        )
        .route("/incidents/{key}/follow-ups", post(take_follow_up))
        .route("/incidents/{key}/burn-down.svg", get(burn_down_svg))
        .route("/actions", get(portfolio_page))
        .route("/actions.csv", get(portfolio_csv))
        .route("/actions/{reference}", get(action_page).post(edit_action))
        .route("/actions/{reference}/status", post(move_action))
        .route("/actions/{reference}/verify", post(verify_action))
        .route("/settings/people", get(people_page).post(add_person))
        .route("/settings/people/{id}", post(edit_person))
}

type Options = Vec<(String, String)>;

/// One row of an action table.
pub(super) struct ActionRow {
    reference: String,
    incident: String,
    incident_title: String,
    title: String,
    action_type: &'static str,
    status: &'static str,
    status_class: String,
    priority: String,
    priority_class: String,
    overridden: bool,
    override_reason: String,
    score: String,
    owner: String,
    due: String,
    overdue: bool,
    days_overdue: i64,
}

impl ActionRow {
    fn new(v: &ActionView) -> Self {
        let a = v.action();
        Self {
            reference: v.key.to_string(),
            incident: v.record.incident_key.to_string(),
            incident_title: v.record.incident_title.clone(),
            title: a.fields.title.clone(),
            action_type: a.fields.action_type.label(),
            status: a.status.label(),
            status_class: format!("action-{}", a.status.as_str().replace('_', "-")),
            priority: v.priority.to_string(),
            priority_class: v.priority.to_string().to_lowercase(),
            overridden: a.fields.priority_override.is_some(),
            override_reason: a
                .fields
                .priority_override
                .as_ref()
                .map(|o| {
                    format!(
                        "Set by hand from {}: {}",
                        v.computed_priority, o.justification
                    )
                })
                .unwrap_or_default(),
            score: v.score.to_string(),
            owner: v.record.owner.name.clone(),
            due: a.fields.due_on.map(|d| d.to_string()).unwrap_or_default(),
            overdue: v.overdue,
            days_overdue: v.days_overdue,
        }
    }
}

fn type_options(placeholder: Option<&str>) -> Options {
    placeholder
        .map(|p| (String::new(), p.to_owned()))
        .into_iter()
        .chain(
            ActionType::ALL
                .iter()
                .map(|t| (t.as_str().to_owned(), t.label().to_owned())),
        )
        .collect()
}

fn scale(labels: [&str; 5]) -> Options {
    labels
        .iter()
        .enumerate()
        .map(|(i, l)| ((i + 1).to_string(), format!("{} — {l}", i + 1)))
        .collect()
}

/// The choices of the action form.
pub(super) struct ActionChoices {
    types: Options,
    owners: Options,
    risk: Options,
    impact: Options,
    effort: Options,
    priorities: Options,
    answers: Options,
    policy: String,
}

impl ActionChoices {
    fn new(app: &App, people: &[Person], review: Option<&Review>) -> Self {
        let mut answers = vec![(String::new(), "— none —".to_owned())];
        if let Some(r) = review {
            let short = |s: &str| {
                let s: String = s.chars().take(90).collect();
                s
            };
            for c in &r.causes {
                answers.push((
                    format!("cause:{}", c.id),
                    format!("Cause: {}", short(&c.statement)),
                ));
            }
            for g in &r.gaps {
                answers.push((
                    format!("gap:{}", g.id),
                    format!("Gap: {}", short(&g.description)),
                ));
            }
            for l in &r.lessons {
                answers.push((
                    format!("lesson:{}", l.id),
                    format!("Lesson: {}", short(&l.statement)),
                ));
            }
            for x in &r.recommendations {
                answers.push((
                    format!("recommendation:{}", x.id),
                    format!("Recommendation: {}", short(&x.text)),
                ));
            }
        }
        let p = app.priority_policy();
        Self {
            types: type_options(Some("Choose a type")),
            owners: std::iter::once((String::new(), "Choose the owner".to_owned()))
                .chain(
                    people
                        .iter()
                        .map(|p| (p.email.clone(), format!("{} <{}>", p.name, p.email))),
                )
                .collect(),
            risk: scale([
                "unlikely to recur",
                "could recur",
                "may well recur",
                "likely to recur",
                "will recur",
            ]),
            impact: scale(["negligible", "minor", "moderate", "major", "severe"]),
            effort: scale(["hours", "days", "weeks", "a quarter", "a programme"]),
            priorities: std::iter::once((String::new(), "As computed".to_owned()))
                .chain(
                    Priority::ALL
                        .iter()
                        .map(|p| (p.to_string(), format!("{p} (set by hand)"))),
                )
                .collect(),
            answers,
            policy: format!(
                "P1 from a score of {}, P2 from {}, P3 from {}, P4 below",
                p.p1, p.p2, p.p3
            ),
        }
    }
}

fn draft_from(v: &FormValues) -> ActionDraft {
    let n = |name: &str| v.get(name).trim().parse::<i64>().unwrap_or(0);
    ActionDraft {
        title: v.get("title"),
        description: v.get("description"),
        action_type: v.get("type"),
        answers: v.all("answers"),
        owner: v.get("owner"),
        due_on: v.get("due_on"),
        risk: n("risk"),
        impact: n("impact"),
        effort: n("effort"),
        priority_override: v.get("priority_override"),
        override_justification: v.get("override_justification"),
        ticket: v.get("ticket"),
    }
}

fn values_of(v: &ActionView) -> Vec<(String, String)> {
    let a = v.action();
    let f = &a.fields;
    let mut values = pairs([
        ("title", f.title.clone()),
        ("description", f.description.clone()),
        ("type", f.action_type.to_string()),
        ("owner", v.record.owner.email.clone()),
        (
            "due_on",
            f.due_on.map(|d| d.to_string()).unwrap_or_default(),
        ),
        ("risk", f.scoring.risk.to_string()),
        ("impact", f.scoring.impact.to_string()),
        ("effort", f.scoring.effort.to_string()),
        (
            "priority_override",
            f.priority_override
                .as_ref()
                .map(|o| o.priority.to_string())
                .unwrap_or_default(),
        ),
        (
            "override_justification",
            f.priority_override
                .as_ref()
                .map(|o| o.justification.clone())
                .unwrap_or_default(),
        ),
        ("ticket", f.ticket.clone()),
        ("version", a.version.to_string()),
    ]);
    for r in &f.answers {
        values.push(("answers".into(), r.to_string()));
    }
    values
}

/// Field errors as the form shows them (`answers[0]` belongs to `answers`).
fn form_errors(e: &FieldErrors) -> Vec<(Option<String>, String)> {
    e.iter()
        .map(|e| {
            let field = e.field.split('[').next().unwrap_or(&e.field).to_owned();
            (Some(field), e.message.clone())
        })
        .collect()
}

fn app_failure(e: AppError) -> Result<Vec<(Option<String>, String)>, AppError> {
    match e {
        AppError::Invalid(f) => Ok(form_errors(&f)),
        AppError::Conflict { message, .. } | AppError::NotAllowed(message) => {
            Ok(vec![(None, message)])
        }
        other => Err(other),
    }
}

fn instant_view(t: jiff::Timestamp, viewer: &Viewer) -> TimeView {
    TimeView::new(Timestamp::from_jiff(t, Precision::Minute), viewer)
}

fn notice(q: &Option<String>, texts: &[(&str, &str)]) -> Option<String> {
    let q = q.as_deref().unwrap_or_default();
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q).unwrap_or_default();
    texts
        .iter()
        .find(|(k, _)| pairs.iter().any(|(pk, v)| pk == k && v == "1"))
        .map(|(_, t)| (*t).to_owned())
}

// ----- the Actions tab of an incident ----------------------------------

struct FollowUpView {
    when: TimeView,
    actor: String,
    note: String,
    counts: Vec<(String, usize)>,
    items: Vec<(String, String, String, String, bool)>,
}

impl FollowUpView {
    fn new(f: &FollowUp, viewer: &Viewer, key: &str) -> Self {
        Self {
            when: instant_view(f.taken_at, viewer),
            actor: f.actor.clone(),
            note: f.note.clone(),
            counts: f
                .counts()
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(s, n)| (s.label().to_owned(), *n))
                .collect(),
            items: f
                .items
                .iter()
                .map(|i| {
                    (
                        format!("{key}-A{}", i.number),
                        i.title.clone(),
                        i.status.label().to_owned(),
                        i.owner.clone(),
                        i.overdue,
                    )
                })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "incident_actions.html", whitespace = "minimize")]
struct IncidentActionsPage {
    layout: Layout,
    show_incident: bool,
    head: IncidentHead,
    tab: &'static str,
    rows: Vec<ActionRow>,
    open_count: usize,
    overdue_count: usize,
    form: FormView,
    open_form: bool,
    c: ActionChoices,
    no_people: bool,
    problems: Vec<(String, String)>,
    follow_form: FormView,
    follow_ups: Vec<FollowUpView>,
    burn_down: String,
    notice: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn respond_incident(
    app: &App,
    viewer: &Viewer,
    key: &str,
    failed: Option<Failed>,
    prefill: Vec<(String, String)>,
    notice: Option<String>,
    status: StatusCode,
) -> Response {
    let result = async {
        let view = app.incident_view(key).await?;
        let (_, actions) = app.incident_actions(key).await?;
        let people = app.people().await?;
        let review = app.store().review(view.incident.id).await?;
        let follow_ups = app.follow_ups(key).await?;
        let points = app.burn_down(key).await?;
        Ok::<_, AppError>((view, actions, people, review, follow_ups, points))
    }
    .await;
    let (view, actions, people, review, follow_ups, points) = match result {
        Ok(r) => r,
        Err(e) => return error_page(viewer, e),
    };
    let key = view.incident.key.to_string();
    let open_form = failed.as_ref().is_some_and(|f| f.key == "new-action") || !prefill.is_empty();
    let mut defaults = pairs([
        ("risk", "3".into()),
        ("impact", "3".into()),
        ("effort", "2".into()),
    ]);
    for (k, v) in prefill {
        defaults.retain(|(dk, _)| *dk != k);
        defaults.push((k, v));
    }
    let page = IncidentActionsPage {
        layout: Layout::new(
            format!("Actions · {key}"),
            "incidents",
            viewer,
            format!("/incidents/{key}/actions"),
        ),
        head: IncidentHead::new(app, &view, viewer),
        show_incident: false,
        tab: "actions",
        open_count: actions
            .iter()
            .filter(|a| a.action().status.is_open())
            .count(),
        overdue_count: actions.iter().filter(|a| a.overdue).count(),
        rows: actions.iter().map(ActionRow::new).collect(),
        form: FormView::new("new-action", defaults, failed.as_ref()),
        open_form,
        c: ActionChoices::new(app, &people, review.as_ref()),
        no_people: people.is_empty(),
        problems: failed.as_ref().map(|f| f.summary()).unwrap_or_default(),
        follow_form: FormView::new("follow-up", Vec::new(), failed.as_ref()),
        follow_ups: follow_ups
            .iter()
            .rev()
            .map(|f| FollowUpView::new(f, viewer, &key))
            .collect(),
        burn_down: if actions.is_empty() {
            String::new()
        } else {
            debrief_report::burn_down_svg(&points, &viewer.zone)
        },
        notice,
    };
    render(&page, status)
}

async fn incident_actions_page(
    State(app): State<App>,
    viewer: Viewer,
    Path(key): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    // `?answers=recommendation:…&title=…` prefills the form (the review's
    // "Create an action" links).
    let prefill: Vec<(String, String)> =
        serde_urlencoded::from_str::<Vec<(String, String)>>(q.as_deref().unwrap_or_default())
            .unwrap_or_default()
            .into_iter()
            .filter(|(k, v)| matches!(k.as_str(), "answers" | "title" | "type") && !v.is_empty())
            .collect();
    let notice = notice(
        &q,
        &[(
            "followed",
            "Follow-up recorded: the status of every action is kept.",
        )],
    );
    respond_incident(&app, &viewer, &key, None, prefill, notice, StatusCode::OK).await
}

async fn create_action(
    State(app): State<App>,
    viewer: Viewer,
    Path(key): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let values = FormValues { fields };
    match app
        .create_action(&key, &draft_from(&values), &viewer.actor())
        .await
    {
        Ok((view, warnings)) => {
            let flag = if warnings.0.is_empty() {
                "created"
            } else {
                "created_past"
            };
            Redirect::to(&format!("/actions/{}?{flag}=1", view.key)).into_response()
        }
        Err(e) => {
            failed_incident(
                &app,
                &viewer,
                &key,
                ("new-action", "the new action"),
                values,
                e,
            )
            .await
        }
    }
}

/// The Actions tab again with the form `(key, title)` that failed.
async fn failed_incident(
    app: &App,
    viewer: &Viewer,
    key: &str,
    (form, title): (&str, &str),
    values: FormValues,
    e: AppError,
) -> Response {
    match app_failure(e) {
        Ok(errors) => {
            let failed = Failed {
                key: form.into(),
                title: title.into(),
                values: values.fields,
                errors,
            };
            respond_incident(
                app,
                viewer,
                key,
                Some(failed),
                Vec::new(),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => error_page(viewer, e),
    }
}

async fn take_follow_up(
    State(app): State<App>,
    viewer: Viewer,
    Path(key): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let values = FormValues { fields };
    match app
        .take_follow_up(&key, &values.get("note"), &viewer.actor())
        .await
    {
        Ok(_) => {
            Redirect::to(&format!("/incidents/{key}/actions?followed=1#follow-ups")).into_response()
        }
        Err(e) => {
            failed_incident(
                &app,
                &viewer,
                &key,
                ("follow-up", "the follow-up"),
                values,
                e,
            )
            .await
        }
    }
}

async fn burn_down_svg(
    State(app): State<App>,
    viewer: Viewer,
    Path(key): Path<String>,
) -> Response {
    match app.burn_down(&key).await {
        Ok(points) => (
            [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
            debrief_report::burn_down_svg(&points, &viewer.zone),
        )
            .into_response(),
        Err(e) => error_page(&viewer, e),
    }
}

// ----- one action --------------------------------------------------------

struct HistoryRow {
    when: TimeView,
    actor: String,
    text: String,
}

fn history_text(h: &HistoryEntry) -> String {
    match (h.what.as_str(), h.from_status, h.to_status) {
        ("created", _, _) => "Created".to_owned(),
        ("edited", _, _) => format!("Edited: {}", h.detail.replace('_', " ")),
        ("verified", _, _) => format!("Verified — {}", h.detail),
        (_, Some(from), Some(to)) => {
            let mut t = format!("{} → {}", from.label(), to.label());
            if !h.detail.is_empty() {
                t.push_str(&format!(": {}", h.detail));
            }
            t
        }
        _ => h.detail.clone(),
    }
}

struct MoveButton {
    to: &'static str,
    label: &'static str,
    needs_reason: bool,
}

#[derive(Template)]
#[template(path = "action.html", whitespace = "minimize")]
struct ActionPage {
    layout: Layout,
    row: ActionRow,
    description: String,
    answers: Vec<(String, String)>,
    ticket: String,
    ticket_is_url: bool,
    owner_email: String,
    risk: u8,
    impact: u8,
    effort: u8,
    computed_priority: String,
    policy: String,
    cancel_reason: String,
    verification: Option<(String, String, String)>,
    done_on: String,
    version: i64,
    moves: Vec<MoveButton>,
    can_verify: bool,
    history: Vec<HistoryRow>,
    form: FormView,
    move_form: FormView,
    verify_form: FormView,
    c: ActionChoices,
    problems: Vec<(String, String)>,
    notice: Option<String>,
    warning: Option<String>,
}

async fn respond_action(
    app: &App,
    viewer: &Viewer,
    reference: &str,
    failed: Option<Failed>,
    notice: Option<String>,
    status: StatusCode,
) -> Response {
    let result = async {
        let v = app.action(reference).await?;
        let history = app.store().action_history(v.action().id).await?;
        let people = app.people().await?;
        let review = app.store().review(v.action().incident_id).await?;
        Ok::<_, AppError>((v, history, people, review))
    }
    .await;
    let (v, history, people, review) = match result {
        Ok(r) => r,
        Err(e) => return error_page(viewer, e),
    };
    let a = v.action();
    let reference = v.key.to_string();
    let answers = a
        .fields
        .answers
        .iter()
        .map(|r| {
            (
                r.section.label().to_owned(),
                review
                    .as_ref()
                    .and_then(|rv| r.text_in(rv))
                    .unwrap_or("(no longer in the review)")
                    .to_owned(),
            )
        })
        .collect();
    let moves = a
        .status
        .next()
        .iter()
        .filter(|s| **s != ActionStatus::Verified)
        .map(|s| MoveButton {
            to: s.as_str(),
            label: match (a.status, s) {
                (ActionStatus::Open, ActionStatus::InProgress) => "Start work",
                (ActionStatus::Blocked, ActionStatus::InProgress) => "Unblock",
                (ActionStatus::Done, ActionStatus::InProgress) => "Reopen",
                (_, ActionStatus::Blocked) => "Mark blocked",
                (_, ActionStatus::Done) => "Mark done",
                (_, ActionStatus::Cancelled) => "Cancel action",
                _ => s.label(),
            },
            needs_reason: *s == ActionStatus::Cancelled,
        })
        .collect();
    let warning = if v.overdue {
        Some(format!(
            "Overdue by {} day{}: it was due on {}.",
            v.days_overdue,
            if v.days_overdue == 1 { "" } else { "s" },
            a.fields.due_on.map(|d| d.to_string()).unwrap_or_default()
        ))
    } else {
        None
    };
    let mut verify_defaults = pairs([
        ("verified_on", app.today().to_string()),
        ("verified_by", viewer.actor()),
    ]);
    verify_defaults.push(("version".into(), a.version.to_string()));
    let page = ActionPage {
        layout: Layout::new(
            format!("{reference} · {}", a.fields.title),
            "actions",
            viewer,
            format!("/actions/{reference}"),
        ),
        description: a.fields.description.clone(),
        answers,
        ticket: a.fields.ticket.clone(),
        ticket_is_url: a.fields.ticket.starts_with("http"),
        owner_email: v.record.owner.email.clone(),
        risk: a.fields.scoring.risk,
        impact: a.fields.scoring.impact,
        effort: a.fields.scoring.effort,
        computed_priority: v.computed_priority.to_string(),
        policy: ActionChoices::new(app, &[], None).policy,
        cancel_reason: a.cancel_reason.clone(),
        verification: a.verification.as_ref().map(|x| {
            (
                x.verified_on.to_string(),
                x.verified_by.clone(),
                x.evidence.clone(),
            )
        }),
        done_on: a.done_on.map(|d| d.to_string()).unwrap_or_default(),
        version: a.version,
        moves,
        can_verify: a.status == ActionStatus::Done,
        history: history
            .iter()
            .rev()
            .map(|h| HistoryRow {
                when: instant_view(h.at, viewer),
                actor: h.actor.clone(),
                text: history_text(h),
            })
            .collect(),
        form: FormView::new("edit-action", values_of(&v), failed.as_ref()),
        move_form: FormView::new(
            "move",
            pairs([("version", a.version.to_string())]),
            failed.as_ref(),
        ),
        verify_form: FormView::new("verify", verify_defaults, failed.as_ref()),
        c: ActionChoices::new(app, &people, review.as_ref()),
        problems: failed.as_ref().map(|f| f.summary()).unwrap_or_default(),
        notice,
        warning,
        row: ActionRow::new(&v),
    };
    render(&page, status)
}

async fn action_page(
    State(app): State<App>,
    viewer: Viewer,
    Path(reference): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let notice = notice(
        &q,
        &[
            ("created", "Action created."),
            (
                "created_past",
                "Action created. Its due date is already past, so it shows as overdue.",
            ),
            ("saved", "Changes saved."),
            ("moved", "Status changed."),
            ("verified", "Verification recorded."),
        ],
    );
    respond_action(&app, &viewer, &reference, None, notice, StatusCode::OK).await
}

async fn failed_action(
    app: &App,
    viewer: &Viewer,
    reference: &str,
    form: &str,
    title: &str,
    values: FormValues,
    e: AppError,
) -> Response {
    match app_failure(e) {
        Ok(errors) => {
            let failed = Failed {
                key: form.into(),
                title: title.into(),
                values: values.fields,
                errors,
            };
            respond_action(
                app,
                viewer,
                reference,
                Some(failed),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => error_page(viewer, e),
    }
}

async fn edit_action(
    State(app): State<App>,
    viewer: Viewer,
    Path(reference): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let values = FormValues { fields };
    match app
        .update_action(
            &reference,
            values.version(),
            &draft_from(&values),
            &viewer.actor(),
        )
        .await
    {
        Ok((v, _)) => Redirect::to(&format!("/actions/{}?saved=1", v.key)).into_response(),
        Err(e) => {
            failed_action(
                &app,
                &viewer,
                &reference,
                "edit-action",
                "the action",
                values,
                e,
            )
            .await
        }
    }
}

async fn move_action(
    State(app): State<App>,
    viewer: Viewer,
    Path(reference): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let values = FormValues { fields };
    let to = match values.get("to").parse::<ActionStatus>() {
        Ok(to) => to,
        Err(m) => {
            let e = AppError::Invalid(FieldErrors::from(debrief_core::FieldError::new(
                "status", m,
            )));
            return failed_action(&app, &viewer, &reference, "move", "the status", values, e).await;
        }
    };
    match app
        .move_action(
            &reference,
            values.version(),
            to,
            &values.get("note"),
            &viewer.actor(),
        )
        .await
    {
        Ok(v) => Redirect::to(&format!("/actions/{}?moved=1", v.key)).into_response(),
        Err(e) => failed_action(&app, &viewer, &reference, "move", "the status", values, e).await,
    }
}

async fn verify_action(
    State(app): State<App>,
    viewer: Viewer,
    Path(reference): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let values = FormValues { fields };
    let input = VerifyInput {
        verified_on: values.get("verified_on"),
        verified_by: values.get("verified_by"),
        evidence: values.get("evidence"),
    };
    match app
        .verify_action(&reference, values.version(), &input, &viewer.actor())
        .await
    {
        Ok(v) => Redirect::to(&format!("/actions/{}?verified=1", v.key)).into_response(),
        Err(e) => {
            failed_action(
                &app,
                &viewer,
                &reference,
                "verify",
                "the verification",
                values,
                e,
            )
            .await
        }
    }
}

// ----- the portfolio -------------------------------------------------------

#[derive(Template)]
#[template(path = "actions.html", whitespace = "minimize")]
struct PortfolioPage {
    layout: Layout,
    show_incident: bool,
    rows: Vec<ActionRow>,
    total: u64,
    next: Option<String>,
    owners: Options,
    owner: String,
    incident: String,
    priorities: Options,
    priority: String,
    types: Options,
    action_type: String,
    scopes: Options,
    scope: String,
    overdue: bool,
    filtered: bool,
    query: String,
    error: Option<String>,
    overdue_total: u64,
}

/// The portfolio's form fields as an action query: `scope` is `open`
/// (default), `all`, `done` or a status.
fn portfolio_query(pairs: &[(String, String)]) -> Result<(ActionQuery, String), String> {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(pk, _)| pk == k)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let scope = match get("scope").as_str() {
        "" => "active".to_owned(),
        s => s.to_owned(),
    };
    let mut rest: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| k != "scope")
        .cloned()
        .collect();
    match scope.as_str() {
        "active" => rest.push(("open".into(), "true".into())),
        "all" => {}
        s => {
            s.parse::<ActionStatus>()?;
            rest.push(("status".into(), s.into()));
        }
    }
    let q = action_query(&rest).map_err(|e| e.0.detail.clone())?;
    Ok((q, scope))
}

async fn portfolio_page(State(app): State<App>, viewer: Viewer, RawQuery(q): RawQuery) -> Response {
    let raw = q.unwrap_or_default();
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&raw).unwrap_or_default();
    let people = match app.people().await {
        Ok(p) => p,
        Err(e) => return error_page(&viewer, e),
    };
    let (query, scope, error) = match portfolio_query(&pairs) {
        Ok((q, s)) => (q, s, None),
        Err(m) => (
            ActionQuery {
                open: true,
                ..Default::default()
            },
            "active".into(),
            Some(m),
        ),
    };
    let mut query = query;
    query.visibility = viewer.caller().visibility();
    let (page, error) = match app.list_actions(&query).await {
        Ok(p) => (Some(p), error),
        Err(AppError::Invalid(e)) => (
            None,
            Some(
                e.iter()
                    .map(|e| e.message.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        ),
        Err(AppError::NotFound(m)) => (None, Some(m)),
        Err(e) => return error_page(&viewer, e),
    };
    let overdue_total = match app
        .list_actions(&ActionQuery {
            overdue: true,
            limit: Some(1),
            visibility: viewer.caller().visibility(),
            ..Default::default()
        })
        .await
    {
        Ok(p) => p.total,
        Err(e) => return error_page(&viewer, e),
    };
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(pk, _)| pk == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let filtered = pairs.iter().any(|(k, v)| k != "cursor" && !v.is_empty());
    let without_cursor: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| k != "cursor")
        .cloned()
        .collect();
    let query_string = serde_urlencoded::to_string(&without_cursor).unwrap_or_default();
    let page_view = PortfolioPage {
        layout: Layout::new("Actions", "actions", &viewer, "/actions"),
        show_incident: true,
        rows: page
            .as_ref()
            .map(|p| p.items.iter().map(ActionRow::new).collect())
            .unwrap_or_default(),
        total: page.as_ref().map(|p| p.total).unwrap_or(0),
        next: page.as_ref().and_then(|p| p.next.clone()),
        owners: std::iter::once((String::new(), "Anyone".to_owned()))
            .chain(people.iter().map(|p| (p.email.clone(), p.name.clone())))
            .collect(),
        owner: get("owner"),
        incident: get("incident"),
        priorities: std::iter::once((String::new(), "Any".to_owned()))
            .chain(Priority::ALL.iter().map(|p| (p.to_string(), p.to_string())))
            .collect(),
        priority: get("priority"),
        types: type_options(Some("Any")),
        action_type: get("type"),
        scopes: [
            ("active", "Still to do (open, in progress, blocked)"),
            ("all", "All"),
        ]
        .iter()
        .map(|(v, l)| ((*v).to_owned(), (*l).to_owned()))
        .chain(ActionStatus::ALL.iter().map(|s| {
            (
                s.as_str().to_owned(),
                format!("Only {}", s.label().to_lowercase()),
            )
        }))
        .collect(),
        scope,
        overdue: query.overdue,
        filtered,
        query: query_string,
        error,
        overdue_total,
    };
    render(&page_view, StatusCode::OK)
}

async fn portfolio_csv(State(app): State<App>, viewer: Viewer, RawQuery(q): RawQuery) -> Response {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(q.as_deref().unwrap_or_default()).unwrap_or_default();
    let query = match portfolio_query(&pairs) {
        Ok((mut q, _)) => {
            q.visibility = viewer.caller().visibility();
            q
        }
        Err(m) => {
            return error_page(
                &viewer,
                AppError::Invalid(FieldErrors::from(debrief_core::FieldError::new(
                    "filters", m,
                ))),
            );
        }
    };
    match app.actions_csv(&query).await {
        Ok(csv) => crate::api::actions::csv_response(csv, "actions.csv")
            .unwrap_or_else(|e| e.into_response()),
        Err(e) => error_page(&viewer, e),
    }
}

// ----- Settings → People -------------------------------------------------

struct PersonRow {
    person: Person,
    form: FormView,
}

#[derive(Template)]
#[template(path = "settings_people.html", whitespace = "minimize")]
struct PeoplePage {
    layout: Layout,
    people: Vec<PersonRow>,
    form: FormView,
    problems: Vec<(String, String)>,
    notice: Option<String>,
}

async fn respond_people(
    app: &App,
    viewer: &Viewer,
    failed: Option<Failed>,
    notice: Option<String>,
    status: StatusCode,
) -> Response {
    let people = match app.people().await {
        Ok(p) => p,
        Err(e) => return error_page(viewer, e),
    };
    let page = PeoplePage {
        layout: Layout::new("People", "settings", viewer, "/settings/people"),
        people: people
            .into_iter()
            .map(|p| PersonRow {
                form: FormView::new(
                    format!("edit-person-{}", p.id),
                    pairs([
                        ("name", p.name.clone()),
                        ("email", p.email.clone()),
                        ("team", p.team.clone()),
                        ("phone", p.phone.clone()),
                        ("version", p.version.to_string()),
                    ]),
                    failed.as_ref(),
                ),
                person: p,
            })
            .collect(),
        form: FormView::new("person", Vec::new(), failed.as_ref()),
        problems: failed.as_ref().map(|f| f.summary()).unwrap_or_default(),
        notice,
    };
    render(&page, status)
}

async fn people_page(State(app): State<App>, viewer: Viewer, RawQuery(q): RawQuery) -> Response {
    let notice = notice(
        &q,
        &[("added", "Person added."), ("saved", "Changes saved.")],
    );
    respond_people(&app, &viewer, None, notice, StatusCode::OK).await
}

fn person_draft(v: &FormValues) -> PersonDraft {
    PersonDraft {
        name: v.get("name"),
        email: v.get("email"),
        team: v.get("team"),
        phone: v.get("phone"),
    }
}

async fn add_person(
    State(app): State<App>,
    viewer: Viewer,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let values = FormValues { fields };
    match app.add_person(&person_draft(&values)).await {
        Ok(_) => Redirect::to("/settings/people?added=1").into_response(),
        Err(e) => match app_failure(e) {
            Ok(errors) => {
                let failed = Failed {
                    key: "person".into(),
                    title: "the new person".into(),
                    values: values.fields,
                    errors,
                };
                respond_people(
                    &app,
                    &viewer,
                    Some(failed),
                    None,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            Err(e) => error_page(&viewer, e),
        },
    }
}

async fn edit_person(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let values = FormValues { fields };
    match app
        .update_person(&id, values.version(), &person_draft(&values))
        .await
    {
        Ok(_) => Redirect::to("/settings/people?saved=1").into_response(),
        Err(e) => match app_failure(e) {
            Ok(errors) => {
                let failed = Failed {
                    key: format!("edit-person-{id}"),
                    title: "the person".into(),
                    values: values.fields,
                    errors,
                };
                respond_people(
                    &app,
                    &viewer,
                    Some(failed),
                    None,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            Err(e) => error_page(&viewer, e),
        },
    }
}
