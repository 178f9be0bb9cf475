//! The REST API under `/api/v1`. Each handler reads its input, calls one use
//! case and shapes the answer; the OpenAPI document is generated from these
//! handlers' annotations and the DTO types.

pub mod accounts;
pub mod actions;
pub mod attachments;
pub mod blameless;
pub mod documents;
pub mod dto;
pub mod learning;
pub mod problem;
pub mod programme;
pub mod review;
pub mod webhooks;
pub mod workshops;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Path, RawQuery, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};
use debrief_app::App;
use debrief_app::import::{ImportFormat, TimelineImportOptions};
use debrief_app::incidents::IncidentQuery;
use debrief_core::{EventKind, Severity, Status};
use debrief_store::{EventFilter, IncidentFilter, IncidentSort};
use serde::de::DeserializeOwned;
use utoipa::OpenApi;

use dto::*;
use problem::{ApiError, FieldProblem, Problem};

/// The API's routes (mounted under `/api/v1`).
pub fn routes() -> Router<App> {
    Router::new()
        .route("/openapi.json", get(openapi_json))
        .route("/incidents", get(list_incidents).post(create_incident))
        .route("/incidents/{key}", get(get_incident).put(update_incident))
        .route("/incidents/{key}/timestamps/{field}", put(set_timestamp))
        .route(
            "/incidents/{key}/timeline",
            get(list_events).post(add_event),
        )
        .route("/incidents/{key}/timeline/import", post(import_timeline))
        .route(
            "/incidents/{key}/events/{event_id}/attachments",
            get(attachments::list_for_event)
                .post(attachments::upload)
                // The upload enforces the organisation's limit itself, as
                // it streams (413 naming the limit).
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/incidents/{key}/attachments",
            get(attachments::list_for_incident),
        )
        .route("/attachments/{id}", get(attachments::download))
        .route("/attachments/{id}/custody", get(attachments::custody))
        .route(
            "/incidents/{key}/review",
            get(review::get_review).post(review::open_review),
        )
        .route(
            "/incidents/{key}/review/changes",
            post(review::change_review),
        )
        .route(
            "/incidents/{key}/review/impact-total",
            get(review::impact_total),
        )
        .route("/incidents/{key}/report", get(crate::reports::api_report))
        .route("/question-templates", get(review::list_templates))
        .route("/question-templates/{id}", put(review::save_template))
        .route(
            "/exchange-rates",
            get(review::list_rates).post(review::add_rate),
        )
        .route(
            "/exchange-rates/{id}",
            axum::routing::delete(review::delete_rate),
        )
        .route(
            "/webhooks",
            get(webhooks::list_webhooks).post(webhooks::create_webhook),
        )
        .route(
            "/webhooks/{id}",
            get(webhooks::get_webhook)
                .patch(webhooks::update_webhook)
                .delete(webhooks::delete_webhook),
        )
        .route("/webhooks/{id}/deliveries", get(webhooks::list_deliveries))
        .route("/webhooks/{id}/test", post(webhooks::test_webhook))
        .route("/actions", get(actions::list_actions))
        .route("/actions/export.csv", get(actions::export_actions))
        .route(
            "/actions/{reference}",
            get(actions::get_action).put(actions::update_action),
        )
        .route("/actions/{reference}/status", post(actions::move_action))
        .route("/actions/{reference}/verify", post(actions::verify_action))
        .route("/actions/{reference}/history", get(actions::action_history))
        .route(
            "/incidents/{key}/actions",
            get(actions::incident_actions).post(actions::create_action),
        )
        .route(
            "/incidents/{key}/follow-ups",
            get(actions::list_follow_ups).post(actions::take_follow_up),
        )
        .route("/incidents/{key}/burn-down", get(actions::burn_down))
        .route(
            "/people",
            get(actions::list_people).post(actions::add_person),
        )
        .route("/people/{id}", put(actions::update_person))
        .route("/lint", post(blameless::lint_text))
        .route(
            "/lint-rules",
            get(blameless::get_rules).put(blameless::put_rules),
        )
        .route(
            "/incidents/{key}/findings",
            get(blameless::incident_findings),
        )
        .route(
            "/incidents/{key}/workshops",
            get(workshops::list_workshops).post(workshops::schedule_workshop),
        )
        .route(
            "/incidents/{key}/workshops/check",
            post(workshops::check_workshop),
        )
        .route("/incidents/{key}/review-due", get(workshops::review_due))
        .route("/incidents/{key}/agenda", get(workshops::generated_agenda))
        .route("/workshops/{id}", get(workshops::get_workshop))
        .route("/workshops/{id}/changes", post(workshops::change_workshop))
        .route("/workshops/{id}/lessons", post(workshops::add_lesson))
        .route("/workshops/{id}/actions", post(workshops::add_action))
        .route("/workshops/{id}/invite.ics", get(workshops::invite))
        .route("/workshops/{id}/minutes", get(workshops::minutes))
        .route(
            "/holidays",
            get(workshops::list_holidays).post(workshops::add_holiday),
        )
        .route(
            "/holidays/{date}",
            axum::routing::delete(workshops::delete_holiday),
        )
        .route(
            "/workshop-policy",
            get(workshops::get_policy).put(workshops::put_policy),
        )
        .route("/search", get(learning::search))
        .route("/kpis", get(learning::kpis))
        .route("/improvements", get(learning::improvements))
        .route("/reports/programme", get(programme::programme_report))
        .route("/incidents/{key}/related", get(learning::related))
        .route("/export", get(export_bundle))
        .route("/import", post(import_bundle))
        .route("/me", get(accounts::me))
        .route(
            "/tokens",
            get(accounts::list_tokens).post(accounts::create_token),
        )
        .route(
            "/tokens/{id}",
            axum::routing::delete(accounts::revoke_token),
        )
        .route("/users", get(accounts::list_users).post(accounts::add_user))
        .route(
            "/users/{email}",
            axum::routing::patch(accounts::update_user),
        )
        .route(
            "/incidents/{key}/access",
            get(accounts::get_access).put(accounts::put_access),
        )
        .route("/audit", get(accounts::audit_log))
        .route(
            "/documents",
            get(documents::list_documents).post(documents::add_document),
        )
        .route(
            "/documents/{id}",
            get(documents::get_document).patch(documents::update_document),
        )
        .route("/incidents/{key}/lesson-links", get(documents::list_links))
        .route(
            "/incidents/{key}/lessons/{lesson}/links",
            post(documents::add_link),
        )
        .route(
            "/incidents/{key}/lessons/{lesson}/links/{id}",
            patch(documents::update_link),
        )
        .route("/lessons/unhomed", get(documents::unhomed))
        .route(
            "/review-policy",
            get(documents::get_review_policy).put(documents::put_review_policy),
        )
        .fallback(not_found)
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "debrief API",
        description = "Post-incident reviews: incidents and their chronology. Errors are \
                       application/problem+json (RFC 9457) with field details; lists page by cursor.",
        license(name = "AGPL-3.0-or-later")
    ),
    paths(
        list_incidents, create_incident, get_incident, update_incident, set_timestamp,
        list_events, add_event, import_timeline, export_bundle, import_bundle,
        attachments::upload, attachments::list_for_event, attachments::list_for_incident,
        attachments::download, attachments::custody,
        review::get_review, review::open_review, review::change_review,
        review::list_rates, review::add_rate, review::delete_rate, review::impact_total,
        crate::reports::api_report, review::list_templates, review::save_template,
        webhooks::list_webhooks, webhooks::create_webhook, webhooks::get_webhook,
        webhooks::update_webhook, webhooks::delete_webhook, webhooks::list_deliveries,
        webhooks::test_webhook,
        actions::list_actions, actions::export_actions, actions::incident_actions,
        actions::create_action, actions::get_action, actions::update_action,
        actions::move_action, actions::verify_action, actions::action_history,
        actions::list_follow_ups, actions::take_follow_up, actions::burn_down,
        actions::list_people, actions::add_person, actions::update_person,
        blameless::lint_text, blameless::incident_findings, blameless::get_rules,
        blameless::put_rules,
        workshops::list_workshops, workshops::check_workshop, workshops::schedule_workshop,
        workshops::review_due, workshops::generated_agenda, workshops::get_workshop,
        workshops::change_workshop, workshops::add_lesson, workshops::add_action,
        workshops::invite, workshops::minutes, workshops::list_holidays,
        workshops::add_holiday, workshops::delete_holiday, workshops::get_policy,
        workshops::put_policy,
        accounts::me, accounts::list_tokens, accounts::create_token, accounts::revoke_token,
        accounts::list_users, accounts::add_user, accounts::update_user, accounts::get_access,
        accounts::put_access, accounts::audit_log,
        learning::search, learning::kpis, learning::related, learning::improvements,
        documents::list_documents, documents::add_document, documents::get_document,
        documents::update_document, documents::list_links, documents::add_link,
        documents::update_link, documents::unhomed, documents::get_review_policy,
        documents::put_review_policy,
        programme::programme_report
    ),
    components(schemas(
        IncidentDto, IncidentPageDto, IncidentInput, TimestampDto, DurationDto, SetTimeInput,
        EventDto, EventInput, ImportReportDto, BundleReportDto, Problem, FieldProblem,
        attachments::AttachmentDto, attachments::CustodyDto, attachments::CustodyPageDto,
        webhooks::WebhookDto, webhooks::CreatedWebhookDto, webhooks::WebhookInput,
        webhooks::WebhookPatchInput, webhooks::DeliveryDto, webhooks::AttemptDto,
        webhooks::DeliveryPageDto,
        review::RateDto, review::TemplateDto, actions::ActionDto, actions::ActionSavedDto,
        actions::ActionPageDto, actions::ActionInput, actions::MoveInput, actions::VerifyBody,
        actions::HistoryDto, actions::PersonDto, actions::PersonInput, actions::OverrideDto,
        actions::VerificationDto, actions::FollowUpInput, blameless::LintInput,
        blameless::LintOutput, blameless::LintRulesDto,
        actions::VerificationDto, actions::FollowUpInput, workshops::WorkshopDto,
        workshops::WorkshopBody, workshops::AttendeeBody, workshops::WorkshopSavedDto,
        workshops::CheckDto, workshops::CoverageDto, workshops::RoleNeedDto,
        workshops::ReviewDueDto, workshops::AttendeeDto, workshops::AgendaItemDto,
        workshops::NoteDto, workshops::LessonBody, workshops::WorkshopActionBody,
        workshops::WorkshopActionDto, workshops::HolidayDto, workshops::PolicyDto,
        accounts::UserDto, accounts::MeDto, accounts::TokenDto, accounts::CreatedTokenDto,
        accounts::TokenInput, accounts::UserInput, accounts::UserPatchInput, accounts::AccessDto,
        accounts::AuditEntryDto,
        learning::SearchDto, learning::SearchHitDto, learning::KpisDto, learning::RelatedDto,
        documents::DocumentDto, documents::DocumentInput, documents::DocumentPatch,
        documents::LessonLinkDto, documents::LessonLinkInput, documents::LessonLinkPatchInput,
        documents::UnhomedLessonDto, documents::ReviewPolicyDto
    )),
    tags((name = "incidents", description = "Incidents and their lifecycle (PRODUCT.md §2)"),
         (name = "timeline", description = "The chronology (§3)"),
         (name = "review", description = "The post-incident review (§4)"),
         (name = "impact", description = "Impact in any currency, exchange rates (§5)"),
         (name = "actions", description = "Action items, the portfolio, follow-ups (§6)"),
         (name = "blameless", description = "The blameless-language linter and its rules (§7)"),
         (name = "people", description = "People: action owners and attendees (§6, §8)"),
         (name = "workshops", description = "Lessons-learned workshops and follow-ups, holidays, the workshop policy (§8)"),
         (name = "accounts", description = "Users, API tokens, restricted incidents, the audit log (§11)"),
         (name = "learning", description = "Search, KPIs and trends, related incidents, did it work (§9)"),
         (name = "plans", description = "Plans and training: documents, lessons linked to document changes, lessons without a home, the review-complete policy (§9)"),
         (name = "bundle", description = "Export and import of whole incidents (§12)"),
         (name = "webhooks", description = "Signed HTTP callbacks on events, retried with back-off (§12, docs/webhooks.md)"))
)]
pub struct ApiDoc;

/// The OpenAPI 3.1 document as JSON.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    use utoipa::openapi::security::{
        HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
    };
    let mut doc = ApiDoc::openapi();
    doc.servers = Some(vec![utoipa::openapi::Server::new("/api/v1")]);
    // Every operation but this document needs an API token (docs/security.md).
    if let Some(components) = doc.components.as_mut() {
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token (`debrief token create`, or My account); 401 without one, 403 below the route's role",
                    ))
                    .build(),
            ),
        );
    }
    doc.security = Some(vec![SecurityRequirement::new(
        "token",
        Vec::<String>::new(),
    )]);
    doc
}

async fn openapi_json() -> impl IntoResponse {
    Json(openapi_document())
}

async fn not_found() -> ApiError {
    Problem::new(
        StatusCode::NOT_FOUND,
        "not-found",
        "Not found",
        "no such API route",
    )
    .into()
}

/// `Json<T>` whose rejections are problem documents naming what was wrong.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_rejection(rejection).into()),
        }
    }
}

fn json_rejection(r: JsonRejection) -> Problem {
    match r {
        JsonRejection::JsonDataError(e) => {
            let mut p = Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-input",
                "The input is not valid",
                e.body_text(),
            );
            p.errors.push(FieldProblem {
                field: "body".into(),
                message: e.body_text(),
            });
            p
        }
        JsonRejection::MissingJsonContentType(_) => {
            Problem::bad_request("send the body as JSON with Content-Type: application/json")
        }
        other => Problem::bad_request(other.body_text()),
    }
}

/// The query string as pairs; repeated keys and comma-separated values both work.
fn query_pairs(raw: Option<String>) -> Result<Vec<(String, String)>, ApiError> {
    let raw = raw.unwrap_or_default();
    serde_urlencoded::from_str::<Vec<(String, String)>>(&raw)
        .map_err(|e| Problem::bad_request(format!("the query string cannot be read: {e}")).into())
}

fn values<'a>(pairs: &'a [(String, String)], name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    pairs
        .iter()
        .filter(move |(k, _)| k == name)
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

fn invalid(field: &str, message: String) -> ApiError {
    let mut p = Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid-input",
        "The input is not valid",
        format!("{field}: {message}"),
    );
    p.errors.push(FieldProblem {
        field: field.into(),
        message,
    });
    p.into()
}

fn parse_all<T: std::str::FromStr<Err = String>>(
    pairs: &[(String, String)],
    name: &str,
) -> Result<Vec<T>, ApiError> {
    values(pairs, name)
        .map(|v| v.parse::<T>().map_err(|m| invalid(name, m)))
        .collect()
}

fn first<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// Parses the incident list's query parameters (shared with the pages).
pub fn incident_query(pairs: &[(String, String)]) -> Result<IncidentQuery, ApiError> {
    let sort = match first(pairs, "sort") {
        Some(s) => s.parse::<IncidentSort>().map_err(|m| invalid("sort", m))?,
        None => IncidentSort::default(),
    };
    let limit = match first(pairs, "limit") {
        Some(l) => Some(
            l.parse::<u32>()
                .map_err(|_| invalid("limit", format!("`{l}` is not a number")))?,
        ),
        None => None,
    };
    Ok(IncidentQuery {
        filter: IncidentFilter {
            statuses: parse_all::<Status>(pairs, "status")?,
            severities: parse_all::<Severity>(pairs, "severity")?,
            categories: values(pairs, "category").map(str::to_owned).collect(),
            text: first(pairs, "q").map(str::to_owned),
            // Set from the caller by the handler (`Caller::visibility`).
            visibility: debrief_store::Visibility::All,
        },
        sort,
        after: first(pairs, "cursor").map(str::to_owned),
        limit,
    })
}

/// List incidents, filtered, sorted and paged by cursor.
#[utoipa::path(get, path = "/incidents", tag = "incidents",
    params(
        ("status" = Option<String>, Query, description = "open, contained, eradicated, recovered, closed; repeat or comma-separate"),
        ("severity" = Option<String>, Query, description = "critical, high, medium, low; repeat or comma-separate"),
        ("category" = Option<String>, Query, description = "category slugs; repeat or comma-separate"),
        ("q" = Option<String>, Query, description = "text in the title or key"),
        ("sort" = Option<String>, Query, description = "newest (default), oldest, started_desc, started_asc, severity"),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
        ("limit" = Option<u32>, Query, description = "1–500, default 50"),
    ),
    responses((status = 200, body = IncidentPageDto), (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn list_incidents(
    State(app): State<App>,
    axum::Extension(caller): axum::Extension<debrief_app::Caller>,
    RawQuery(q): RawQuery,
) -> Result<Json<IncidentPageDto>, ApiError> {
    let mut query = incident_query(&query_pairs(q)?)?;
    query.filter.visibility = caller.visibility();
    let page = app.list_incidents(&query).await?;
    Ok(Json(IncidentPageDto {
        items: page.items.iter().map(IncidentDto::from_incident).collect(),
        next_cursor: page.next.map(|c| c.encode()),
    }))
}

/// Open a new incident; its key is assigned in order.
#[utoipa::path(post, path = "/incidents", tag = "incidents", request_body = IncidentInput,
    responses((status = 201, body = IncidentDto, headers(("Location" = String))),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_incident(
    State(app): State<App>,
    ApiJson(input): ApiJson<IncidentInput>,
) -> Result<Response, ApiError> {
    let incident = app.create_incident(&input.to_draft()).await?;
    let view = app.incident_view(&incident.key.to_string()).await?;
    let location = format!("/api/v1/incidents/{}", incident.key);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(IncidentDto::from_view(&view)),
    )
        .into_response())
}

/// One incident with its derived durations.
#[utoipa::path(get, path = "/incidents/{key}", tag = "incidents",
    params(("key" = String, Path, description = "INC-2026-0042")),
    responses((status = 200, body = IncidentDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn get_incident(
    State(app): State<App>,
    Path(key): Path<String>,
) -> Result<Json<IncidentDto>, ApiError> {
    Ok(Json(IncidentDto::from_view(
        &app.incident_view(&key).await?,
    )))
}

/// Replace an incident's fields. `version` must be the one you read.
#[utoipa::path(put, path = "/incidents/{key}", tag = "incidents", request_body = IncidentInput,
    params(("key" = String, Path, description = "INC-2026-0042")),
    responses((status = 200, body = IncidentDto),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json", description = "stale version"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn update_incident(
    State(app): State<App>,
    Path(key): Path<String>,
    ApiJson(input): ApiJson<IncidentInput>,
) -> Result<Json<IncidentDto>, ApiError> {
    let Some(version) = input.version else {
        return Err(invalid(
            "version",
            "send the version you read; it protects others' changes".into(),
        ));
    };
    app.update_incident(&key, version, &input.to_draft(), None)
        .await?;
    Ok(Json(IncidentDto::from_view(
        &app.incident_view(&key).await?,
    )))
}

/// Set or clear one lifecycle timestamp, from a value or a timeline event.
#[utoipa::path(put, path = "/incidents/{key}/timestamps/{field}", tag = "incidents", request_body = SetTimeInput,
    params(("key" = String, Path), ("field" = String, Path, description = "started, detected, reported, acknowledged, contained, eradicated, recovered, closed")),
    responses((status = 200, body = IncidentDto),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn set_timestamp(
    State(app): State<App>,
    Path((key, field)): Path<(String, String)>,
    ApiJson(input): ApiJson<SetTimeInput>,
) -> Result<Json<IncidentDto>, ApiError> {
    match input.from_event.as_deref() {
        Some(id) => {
            let id = uuid::Uuid::parse_str(id)
                .map_err(|_| invalid("from_event", format!("`{id}` is not an event id")))?;
            app.set_time_from_event(&key, &field, id, Some(input.version))
                .await?
        }
        None => {
            app.set_time(&key, &field, input.value.as_deref(), Some(input.version))
                .await?
        }
    };
    Ok(Json(IncidentDto::from_view(
        &app.incident_view(&key).await?,
    )))
}

/// The chronology, oldest first.
#[utoipa::path(get, path = "/incidents/{key}/timeline", tag = "timeline",
    params(("key" = String, Path),
           ("kind" = Option<String>, Query, description = "event kinds; repeat or comma-separate"),
           ("key_only" = Option<bool>, Query, description = "only key events"),
           ("actor" = Option<String>, Query)),
    responses((status = 200, body = Vec<EventDto>), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn list_events(
    State(app): State<App>,
    Path(key): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<Vec<EventDto>>, ApiError> {
    let pairs = query_pairs(q)?;
    let filter = EventFilter {
        kinds: parse_all::<EventKind>(&pairs, "kind")?,
        key_only: matches!(first(&pairs, "key_only"), Some("true" | "1" | "on" | "yes")),
        actor: first(&pairs, "actor").map(str::to_owned),
    };
    let events = app.events(&key, &filter).await?;
    Ok(Json(events.iter().map(EventDto::from_event).collect()))
}

/// Add one event. An identical event already there is returned with 200.
#[utoipa::path(post, path = "/incidents/{key}/timeline", tag = "timeline", request_body = EventInput,
    params(("key" = String, Path)),
    responses((status = 201, body = EventDto), (status = 200, body = EventDto, description = "already present"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn add_event(
    State(app): State<App>,
    Path(key): Path<String>,
    ApiJson(input): ApiJson<EventInput>,
) -> Result<Response, ApiError> {
    let added = app.add_event(&key, &input.to_draft(), None).await?;
    let status = if added.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(EventDto::from_event(&added.event))).into_response())
}

/// Import a timeline file (the request body), all or nothing.
#[utoipa::path(post, path = "/incidents/{key}/timeline/import", tag = "timeline",
    params(("key" = String, Path),
           ("format" = String, Query, description = "csv, jsonl or bundle"),
           ("source" = Option<String>, Query, description = "source recorded for events naming none; default import"),
           ("zone" = Option<String>, Query, description = "IANA zone for times written without an offset")),
    request_body(content = String, content_type = "text/csv", description = "the file: CSV with a header row, JSON Lines, or a bundle"),
    responses((status = 200, body = ImportReportDto),
              (status = 422, body = Problem, content_type = "application/problem+json", description = "bad record: line and column; nothing imported")))]
async fn import_timeline(
    State(app): State<App>,
    Path(key): Path<String>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Result<Json<ImportReportDto>, ApiError> {
    let pairs = query_pairs(q)?;
    let format = match first(&pairs, "format") {
        Some(f) => f
            .parse::<ImportFormat>()
            .map_err(|m| invalid("format", m))?,
        None => {
            return Err(invalid(
                "format",
                "say which format: csv, jsonl or bundle".into(),
            ));
        }
    };
    let mut options = TimelineImportOptions::new(format);
    if let Some(s) = first(&pairs, "source") {
        options.source = s.to_owned();
    }
    if let Some(z) = first(&pairs, "zone") {
        options.zone = Some(
            jiff::tz::TimeZone::get(z)
                .map_err(|_| invalid("zone", format!("`{z}` is not an IANA time zone")))?,
        );
    }
    for (k, v) in pairs.iter().filter(|(k, _)| k.starts_with("map.")) {
        options
            .mapping
            .push((k["map.".len()..].to_owned(), v.clone()));
    }
    let report = app
        .import_timeline(&key, &body[..], &options, &|_| {})
        .await?;
    Ok(Json(report.into()))
}

/// Export incidents as a debrief bundle (all when no key is given).
#[utoipa::path(get, path = "/export", tag = "bundle",
    params(("key" = Option<String>, Query, description = "incident keys; repeat or comma-separate")),
    responses((status = 200, description = "a debrief bundle, version 1 (docs/bundle.schema.json)", content_type = "application/json")))]
async fn export_bundle(
    State(app): State<App>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let pairs = query_pairs(q)?;
    let keys: Vec<String> = values(&pairs, "key").map(str::to_owned).collect();
    let bundle = app.export_bundle(&keys).await?;
    Ok((
        [(
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"debrief-bundle.json\"",
        )],
        Json(bundle),
    )
        .into_response())
}

/// Import a debrief bundle, all or nothing.
#[utoipa::path(post, path = "/import", tag = "bundle",
    request_body(content = String, content_type = "application/json", description = "a debrief bundle, version 1"),
    responses((status = 200, body = BundleReportDto),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn import_bundle(
    State(app): State<App>,
    body: Bytes,
) -> Result<Json<BundleReportDto>, ApiError> {
    let r = app.import_bundle(&body[..], &|_| {}).await?;
    Ok(Json(BundleReportDto {
        incidents_created: r.incidents_created,
        incidents_existing: r.incidents_existing,
        events_added: r.events_added,
        events_duplicate: r.events_duplicate,
        attachments_added: r.attachments_added,
        keys: r.keys,
    }))
}
