//! The actions API (PRODUCT.md §6): people, action items of an incident, the
//! ranked portfolio across incidents, status moves, verification, history,
//! follow-up snapshots, the burn-down and the CSV export.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use debrief_app::App;
use debrief_app::Caller;
use debrief_app::actions::{ActionQuery, ActionView, VerifyInput};
use debrief_core::action::{
    ActionDraft, ActionStatus, ActionType, BurnDownPoint, FollowUp, HistoryEntry, Priority,
};
use debrief_core::{Person, PersonDraft};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::problem::{ApiError, Problem};
use super::review::actor;
use super::{ApiJson, first, invalid, parse_all, query_pairs};

/// A person debrief knows (owners, attendees).
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonDto {
    pub id: String,
    pub name: String,
    pub email: String,
    pub team: String,
    pub phone: String,
    pub version: i64,
}

impl PersonDto {
    pub fn from_person(p: &Person) -> Self {
        Self {
            id: p.id.to_string(),
            name: p.name.clone(),
            email: p.email.clone(),
            team: p.team.clone(),
            phone: p.phone.clone(),
            version: p.version,
        }
    }
}

/// A new person, or a person's new fields (`version` is required to update).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonInput {
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub team: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub version: Option<i64>,
}

impl PersonInput {
    fn draft(&self) -> PersonDraft {
        PersonDraft {
            name: self.name.clone(),
            email: self.email.clone(),
            team: self.team.clone(),
            phone: self.phone.clone(),
        }
    }
}

/// The priority chosen by hand and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct OverrideDto {
    /// `P1`…`P4`.
    pub priority: String,
    pub justification: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerificationDto {
    pub verified_on: String,
    pub verified_by: String,
    pub evidence: String,
}

/// An action item as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionDto {
    /// `INC-2026-0003-A2`: use it (or the id) in URLs.
    pub reference: String,
    pub id: String,
    pub incident: String,
    pub incident_title: String,
    pub number: u32,
    pub title: String,
    pub description: String,
    /// `prevent`, `mitigate`, `detect`, `respond`, `process`, `training`, `documentation`.
    #[serde(rename = "type")]
    pub action_type: String,
    /// Review items it answers, `section:id`.
    pub answers: Vec<String>,
    pub owner: PersonDto,
    pub due_on: Option<String>,
    pub risk: u8,
    pub impact: u8,
    pub effort: u8,
    /// risk × impact ÷ effort, two decimals.
    pub score: String,
    /// The effective priority: the override when there is one.
    pub priority: String,
    /// What the score gives under the organisation's thresholds.
    pub computed_priority: String,
    pub priority_override: Option<OverrideDto>,
    pub ticket: String,
    /// `open`, `in_progress`, `blocked`, `done`, `verified`, `cancelled`.
    pub status: String,
    /// The statuses the workflow allows next.
    pub next_statuses: Vec<String>,
    pub cancel_reason: String,
    pub verification: Option<VerificationDto>,
    pub done_on: Option<String>,
    pub overdue: bool,
    pub days_overdue: i64,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

impl ActionDto {
    pub fn from_view(v: &ActionView) -> Self {
        let a = v.action();
        let f = &a.fields;
        Self {
            reference: v.key.to_string(),
            id: a.id.to_string(),
            incident: v.record.incident_key.to_string(),
            incident_title: v.record.incident_title.clone(),
            number: a.number,
            title: f.title.clone(),
            description: f.description.clone(),
            action_type: f.action_type.to_string(),
            answers: f.answers.iter().map(|r| r.to_string()).collect(),
            owner: PersonDto::from_person(&v.record.owner),
            due_on: f.due_on.map(|d| d.to_string()),
            risk: f.scoring.risk,
            impact: f.scoring.impact,
            effort: f.scoring.effort,
            score: v.score.to_string(),
            priority: v.priority.to_string(),
            computed_priority: v.computed_priority.to_string(),
            priority_override: f.priority_override.as_ref().map(|o| OverrideDto {
                priority: o.priority.to_string(),
                justification: o.justification.clone(),
            }),
            ticket: f.ticket.clone(),
            status: a.status.to_string(),
            next_statuses: a.status.next().iter().map(|s| s.to_string()).collect(),
            cancel_reason: a.cancel_reason.clone(),
            verification: a.verification.as_ref().map(|x| VerificationDto {
                verified_on: x.verified_on.to_string(),
                verified_by: x.verified_by.clone(),
                evidence: x.evidence.clone(),
            }),
            done_on: a.done_on.map(|d| d.to_string()),
            overdue: v.overdue,
            days_overdue: v.days_overdue,
            created_at: a.created_at.to_string(),
            updated_at: a.updated_at.to_string(),
            version: a.version,
        }
    }
}

/// A saved action with what is worth knowing but did not stop the save
/// (a due date already past).
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionSavedDto {
    pub action: ActionDto,
    pub warnings: Vec<String>,
}

/// One page of a ranked list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionPageDto {
    pub items: Vec<ActionDto>,
    /// How many actions match the filters in all.
    pub total: u64,
    pub next_cursor: Option<String>,
}

/// An action's fields. `owner` is a person's email (or id). To update, send
/// every field with the `version` you read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionInput {
    /// Starts with a verb: "Add alerting on replication lag".
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(rename = "type")]
    pub action_type: String,
    #[serde(default)]
    pub answers: Vec<String>,
    pub owner: String,
    /// `YYYY-MM-DD`; a date already past is accepted with a warning.
    #[serde(default)]
    pub due_on: String,
    /// 1–5.
    pub risk: i64,
    /// 1–5.
    pub impact: i64,
    /// 1–5 (5 = most resources).
    pub effort: i64,
    /// `P1`…`P4` to override the computed priority (needs a justification).
    #[serde(default)]
    pub priority_override: String,
    #[serde(default)]
    pub override_justification: String,
    /// A URL or a ticket key (`OPS-123`).
    #[serde(default)]
    pub ticket: String,
    #[serde(default)]
    pub version: Option<i64>,
}

impl ActionInput {
    pub(crate) fn draft(&self) -> ActionDraft {
        ActionDraft {
            title: self.title.clone(),
            description: self.description.clone(),
            action_type: self.action_type.clone(),
            answers: self.answers.clone(),
            owner: self.owner.clone(),
            due_on: self.due_on.clone(),
            risk: self.risk,
            impact: self.impact,
            effort: self.effort,
            priority_override: self.priority_override.clone(),
            override_justification: self.override_justification.clone(),
            ticket: self.ticket.clone(),
        }
    }
}

/// A status move. `note` is required (the reason) for `cancelled`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveInput {
    /// `in_progress`, `blocked`, `done` or `cancelled` (verify with `/verify`).
    pub to: String,
    #[serde(default)]
    pub note: String,
    pub version: i64,
}

/// Evidence that a done action worked.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyBody {
    pub evidence: String,
    /// `YYYY-MM-DD`; today when absent.
    #[serde(default)]
    pub verified_on: String,
    /// Who checked; the actor when absent.
    #[serde(default)]
    pub verified_by: String,
    pub version: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryDto {
    pub at: String,
    pub actor: String,
    /// `created`, `edited`, `status`, `verified`.
    pub what: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub detail: String,
}

impl HistoryDto {
    fn from_entry(h: &HistoryEntry) -> Self {
        Self {
            at: h.at.to_string(),
            actor: h.actor.clone(),
            what: h.what.clone(),
            from_status: h.from_status.map(|s| s.to_string()),
            to_status: h.to_status.map(|s| s.to_string()),
            detail: h.detail.clone(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpInput {
    #[serde(default)]
    pub note: String,
}

/// Parses the action list's query parameters (shared with the pages).
pub fn action_query(pairs: &[(String, String)]) -> Result<ActionQuery, ApiError> {
    let flag = |name: &str| -> Result<bool, ApiError> {
        match first(pairs, name) {
            None => Ok(false),
            Some("true" | "1" | "yes" | "on") => Ok(true),
            Some("false" | "0" | "no" | "off") => Ok(false),
            Some(v) => Err(invalid(name, format!("`{v}` is not true or false"))),
        }
    };
    let limit = match first(pairs, "limit") {
        Some(l) => Some(
            l.parse::<u32>()
                .map_err(|_| invalid("limit", format!("`{l}` is not a number")))?,
        ),
        None => None,
    };
    Ok(ActionQuery {
        incident: first(pairs, "incident").map(str::to_owned),
        owner: first(pairs, "owner").map(str::to_owned),
        statuses: parse_all::<ActionStatus>(pairs, "status")?,
        open: flag("open")?,
        types: parse_all::<ActionType>(pairs, "type")?,
        priorities: parse_all::<Priority>(pairs, "priority")?,
        overdue: flag("overdue")?,
        after: first(pairs, "cursor").map(str::to_owned),
        limit,
        // Set from the caller by the handler (`Caller::visibility`).
        visibility: debrief_store::Visibility::All,
    })
}

/// The portfolio: actions across every incident, ranked by priority, score
/// and due date.
#[utoipa::path(get, path = "/actions", tag = "actions",
    params(
        ("open" = Option<bool>, Query, description = "only open, in progress and blocked"),
        ("status" = Option<String>, Query, description = "statuses; repeat or comma-separate"),
        ("owner" = Option<String>, Query, description = "owner's email or id"),
        ("incident" = Option<String>, Query, description = "incident key"),
        ("priority" = Option<String>, Query, description = "P1…P4; repeat or comma-separate"),
        ("type" = Option<String>, Query, description = "action types; repeat or comma-separate"),
        ("overdue" = Option<bool>, Query, description = "only overdue (open and past the due date in the organisation's time zone)"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
        ("limit" = Option<u32>, Query, description = "1–5000, default 100"),
    ),
    responses((status = 200, body = ActionPageDto), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list_actions(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    RawQuery(q): RawQuery,
) -> Result<Json<ActionPageDto>, ApiError> {
    let mut query = action_query(&query_pairs(q)?)?;
    query.visibility = caller.visibility();
    let page = app.list_actions(&query).await?;
    Ok(Json(ActionPageDto {
        items: page.items.iter().map(ActionDto::from_view).collect(),
        total: page.total,
        next_cursor: page.next,
    }))
}

/// The actions matching the portfolio filters as CSV (RFC 4180), with
/// owner, due date, priority and score columns.
#[utoipa::path(get, path = "/actions/export.csv", tag = "actions",
    params(("open" = Option<bool>, Query), ("owner" = Option<String>, Query), ("incident" = Option<String>, Query),
           ("priority" = Option<String>, Query), ("type" = Option<String>, Query), ("overdue" = Option<bool>, Query)),
    responses((status = 200, content_type = "text/csv", body = String)))]
pub async fn export_actions(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let mut query = action_query(&query_pairs(q)?)?;
    query.visibility = caller.visibility();
    csv_response(app.actions_csv(&query).await?, "actions.csv")
}

pub fn csv_response(body: String, name: &str) -> Result<Response, ApiError> {
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/csv; charset=utf-8; header=present".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// The actions of one incident, ranked.
#[utoipa::path(get, path = "/incidents/{key}/actions", tag = "actions",
    params(("key" = String, Path)),
    responses((status = 200, body = [ActionDto]), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn incident_actions(
    State(app): State<App>,
    Path(key): Path<String>,
) -> Result<Json<Vec<ActionDto>>, ApiError> {
    let (_, actions) = app.incident_actions(&key).await?;
    Ok(Json(actions.iter().map(ActionDto::from_view).collect()))
}

/// Add an action to an incident.
#[utoipa::path(post, path = "/incidents/{key}/actions", tag = "actions", request_body = ActionInput,
    params(("key" = String, Path), ("X-Debrief-Actor" = Option<String>, Header)),
    responses((status = 201, body = ActionSavedDto, headers(("Location" = String))),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_action(
    State(app): State<App>,
    Path(key): Path<String>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<ActionInput>,
) -> Result<Response, ApiError> {
    let (view, warnings) = app
        .create_action(&key, &input.draft(), &actor(&headers))
        .await?;
    let location = format!("/api/v1/actions/{}", view.key);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(ActionSavedDto {
            action: ActionDto::from_view(&view),
            warnings: warnings.0,
        }),
    )
        .into_response())
}

/// One action, by reference (`INC-2026-0003-A2`) or id.
#[utoipa::path(get, path = "/actions/{reference}", tag = "actions",
    params(("reference" = String, Path)),
    responses((status = 200, body = ActionDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_action(
    State(app): State<App>,
    Path(reference): Path<String>,
) -> Result<Json<ActionDto>, ApiError> {
    Ok(Json(ActionDto::from_view(&app.action(&reference).await?)))
}

/// Replace an action's fields (not its status). `version` is required.
#[utoipa::path(put, path = "/actions/{reference}", tag = "actions", request_body = ActionInput,
    params(("reference" = String, Path), ("X-Debrief-Actor" = Option<String>, Header)),
    responses((status = 200, body = ActionSavedDto),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_action(
    State(app): State<App>,
    Path(reference): Path<String>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<ActionInput>,
) -> Result<Json<ActionSavedDto>, ApiError> {
    let version = input
        .version
        .ok_or_else(|| invalid("version", "send the version you read".into()))?;
    let (view, warnings) = app
        .update_action(&reference, version, &input.draft(), &actor(&headers))
        .await?;
    Ok(Json(ActionSavedDto {
        action: ActionDto::from_view(&view),
        warnings: warnings.0,
    }))
}

/// Move an action along its workflow: `open → in_progress ⇄ blocked`,
/// `in_progress → done`, `done → in_progress` (reopen), `cancelled` with a
/// reason from any open state. `verified` goes through `/verify`.
#[utoipa::path(post, path = "/actions/{reference}/status", tag = "actions", request_body = MoveInput,
    params(("reference" = String, Path), ("X-Debrief-Actor" = Option<String>, Header)),
    responses((status = 200, body = ActionDto),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json", description = "a move the workflow does not allow, or no reason for a cancellation")))]
pub async fn move_action(
    State(app): State<App>,
    Path(reference): Path<String>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<MoveInput>,
) -> Result<Json<ActionDto>, ApiError> {
    let to = input
        .to
        .parse::<ActionStatus>()
        .map_err(|m| invalid("to", m))?;
    let view = app
        .move_action(&reference, input.version, to, &input.note, &actor(&headers))
        .await?;
    Ok(Json(ActionDto::from_view(&view)))
}

/// Record that a done action worked: evidence, date, who.
#[utoipa::path(post, path = "/actions/{reference}/verify", tag = "actions", request_body = VerifyBody,
    params(("reference" = String, Path), ("X-Debrief-Actor" = Option<String>, Header)),
    responses((status = 200, body = ActionDto),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn verify_action(
    State(app): State<App>,
    Path(reference): Path<String>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<VerifyBody>,
) -> Result<Json<ActionDto>, ApiError> {
    let view = app
        .verify_action(
            &reference,
            input.version,
            &VerifyInput {
                verified_on: input.verified_on,
                verified_by: input.verified_by,
                evidence: input.evidence,
            },
            &actor(&headers),
        )
        .await?;
    Ok(Json(ActionDto::from_view(&view)))
}

/// Every change of an action, oldest first.
#[utoipa::path(get, path = "/actions/{reference}/history", tag = "actions",
    params(("reference" = String, Path)),
    responses((status = 200, body = [HistoryDto])))]
pub async fn action_history(
    State(app): State<App>,
    Path(reference): Path<String>,
) -> Result<Json<Vec<HistoryDto>>, ApiError> {
    let history = app.action_history(&reference).await?;
    Ok(Json(history.iter().map(HistoryDto::from_entry).collect()))
}

/// The follow-up snapshots of an incident, oldest first.
#[utoipa::path(get, path = "/incidents/{key}/follow-ups", tag = "actions",
    params(("key" = String, Path)),
    responses((status = 200, description = "snapshots", body = [Object])))]
pub async fn list_follow_ups(
    State(app): State<App>,
    Path(key): Path<String>,
) -> Result<Json<Vec<FollowUp>>, ApiError> {
    Ok(Json(app.follow_ups(&key).await?))
}

/// Record a follow-up session: the status of every action of the incident now.
#[utoipa::path(post, path = "/incidents/{key}/follow-ups", tag = "actions", request_body = FollowUpInput,
    params(("key" = String, Path), ("X-Debrief-Actor" = Option<String>, Header)),
    responses((status = 201, description = "the snapshot", body = Object),
              (status = 409, body = Problem, content_type = "application/problem+json", description = "no actions to follow up")))]
pub async fn take_follow_up(
    State(app): State<App>,
    Path(key): Path<String>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<FollowUpInput>,
) -> Result<Response, ApiError> {
    let f = app
        .take_follow_up(&key, &input.note, &actor(&headers))
        .await?;
    Ok((StatusCode::CREATED, Json(f)).into_response())
}

/// The burn-down of an incident's actions: counts at every change and
/// follow-up, up to now.
#[utoipa::path(get, path = "/incidents/{key}/burn-down", tag = "actions",
    params(("key" = String, Path)),
    responses((status = 200, description = "points: at, total, open, done, verified, follow_up", body = [Object])))]
pub async fn burn_down(
    State(app): State<App>,
    Path(key): Path<String>,
) -> Result<Json<Vec<BurnDownPoint>>, ApiError> {
    Ok(Json(app.burn_down(&key).await?))
}

/// Everyone debrief knows, by name.
#[utoipa::path(get, path = "/people", tag = "people",
    responses((status = 200, body = [PersonDto])))]
pub async fn list_people(State(app): State<App>) -> Result<Json<Vec<PersonDto>>, ApiError> {
    Ok(Json(
        app.people()
            .await?
            .iter()
            .map(PersonDto::from_person)
            .collect(),
    ))
}

/// Add a person (an email is unique).
#[utoipa::path(post, path = "/people", tag = "people", request_body = PersonInput,
    responses((status = 201, body = PersonDto), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_person(
    State(app): State<App>,
    ApiJson(input): ApiJson<PersonInput>,
) -> Result<Response, ApiError> {
    let p = app.add_person(&input.draft()).await?;
    Ok((StatusCode::CREATED, Json(PersonDto::from_person(&p))).into_response())
}

/// Change a person's details; `version` is required.
#[utoipa::path(put, path = "/people/{id}", tag = "people", request_body = PersonInput,
    params(("id" = String, Path, description = "id or email")),
    responses((status = 200, body = PersonDto), (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_person(
    State(app): State<App>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<PersonInput>,
) -> Result<Json<PersonDto>, ApiError> {
    let version = input
        .version
        .ok_or_else(|| invalid("version", "send the version you read".into()))?;
    let p = app.update_person(&id, version, &input.draft()).await?;
    Ok(Json(PersonDto::from_person(&p)))
}
