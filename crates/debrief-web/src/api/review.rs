//! The review API: read the review of an incident, open it, and change it one
//! step at a time. Every change names the version of the item it was made
//! against, so concurrent edits of the same item get 409 and edits of
//! different items both succeed.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use debrief_app::App;
use debrief_core::review::{Review, ReviewChange};

use super::ApiJson;
use super::problem::{ApiError, Problem};

/// Who makes a change, until accounts exist: the `X-Debrief-Actor` header.
pub fn actor(headers: &HeaderMap) -> String {
    headers
        .get("x-debrief-actor")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .unwrap_or("anonymous")
        .chars()
        .take(200)
        .collect()
}

/// The review of an incident (PRODUCT.md §4): status, sections, causes with
/// five-whys chains, assessments, gaps, observations, lessons,
/// recommendations, answers to its question template, history, sign-off and
/// dissent. Each item carries its own `version`.
#[utoipa::path(get, path = "/incidents/{key}/review", tag = "review",
    params(("key" = String, Path, description = "INC-2026-0042")),
    responses((status = 200, description = "the review", body = Object),
              (status = 404, body = Problem, content_type = "application/problem+json", description = "no such incident, or no review opened yet")))]
pub async fn get_review(
    State(app): State<App>,
    Path(key): Path<String>,
) -> Result<Json<Review>, ApiError> {
    match app.review(&key).await? {
        (_, Some(review)) => Ok(Json(review)),
        (incident, None) => Err(Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            format!("{} has no review yet; POST to open one", incident.key),
        )
        .into()),
    }
}

/// Open the review of an incident with the default question template
/// (NIST SP 800-61r2's nine questions plus what went well and where we got lucky).
#[utoipa::path(post, path = "/incidents/{key}/review", tag = "review",
    params(("key" = String, Path), ("template" = Option<String>, Query, description = "question template id; default nist-800-61r2"),
           ("X-Debrief-Actor" = Option<String>, Header, description = "who does it (until accounts exist)")),
    responses((status = 201, description = "the new review", body = Object),
              (status = 409, body = Problem, content_type = "application/problem+json", description = "already open")))]
pub async fn open_review(
    State(app): State<App>,
    Path(key): Path<String>,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(&q.unwrap_or_default()).unwrap_or_default();
    let template = pairs
        .iter()
        .find(|(k, _)| k == "template")
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty());
    let review = app
        .open_review_with(&key, &actor(&headers), template)
        .await?;
    Ok((StatusCode::CREATED, Json(review)).into_response())
}

/// Apply one change. The body is tagged by `change`:
/// `set_text` {section: summary|narrative, text, version};
/// `set_answer` {question_id, text, version};
/// `add_item` {item: {section: cause|gap|observation|lesson|recommendation, …fields}};
/// `update_item` {id, draft: {section, …}, version}; `remove_item` {section: causes|gaps|observations|lessons|recommendations, id, version};
/// `set_assessment` {phase, draft: {rating: "1".."5", went_well, to_improve, event_ids}, version};
/// `transition` {to: draft|in_review|approved, note}; `add_dissent` {text}.
/// Versions are those you read (0 for a section never written).
#[utoipa::path(post, path = "/incidents/{key}/review/changes", tag = "review",
    params(("key" = String, Path), ("X-Debrief-Actor" = Option<String>, Header, description = "who does it (until accounts exist)")),
    request_body(content = Object, description = "one change, tagged by `change`"),
    responses((status = 200, description = "the review after the change", body = Object),
              (status = 409, body = Problem, content_type = "application/problem+json", description = "stale version, or a step the workflow does not allow now"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn change_review(
    State(app): State<App>,
    Path(key): Path<String>,
    headers: HeaderMap,
    axum::Extension(caller): axum::Extension<debrief_app::Caller>,
    ApiJson(change): ApiJson<ReviewChange>,
) -> Result<Json<Review>, ApiError> {
    App::check_review_change(&caller, &change)?;
    app.check_recurrence_visible(&caller, &change).await?;
    Ok(Json(
        app.change_review(&key, change, &actor(&headers)).await?,
    ))
}

/// An exchange rate the organisation recorded: `1 from = rate to`, valid from `date`.
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct RateDto {
    #[serde(default, skip_deserializing)]
    pub id: String,
    /// ISO 4217 code.
    pub from: String,
    pub to: String,
    /// A positive decimal, as a string.
    pub rate: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Where the rate came from (e.g. "ECB reference rate").
    pub source: String,
}

fn rate_dto(id: uuid::Uuid, r: &debrief_core::ExchangeRate) -> RateDto {
    RateDto {
        id: id.to_string(),
        from: r.from().code().into(),
        to: r.to().code().into(),
        rate: r.rate().normalize().to_string(),
        date: r.date().to_string(),
        source: r.source().into(),
    }
}

/// The exchange rates recorded by the organisation (debrief never fetches rates).
#[utoipa::path(get, path = "/exchange-rates", tag = "impact", responses((status = 200, body = Vec<RateDto>)))]
pub async fn list_rates(State(app): State<App>) -> Result<Json<Vec<RateDto>>, ApiError> {
    Ok(Json(
        app.rates()
            .await?
            .iter()
            .map(|(id, r)| rate_dto(*id, r))
            .collect(),
    ))
}

/// Record an exchange rate.
#[utoipa::path(post, path = "/exchange-rates", tag = "impact", request_body = RateDto,
    responses((status = 201, body = RateDto),
              (status = 409, body = Problem, content_type = "application/problem+json", description = "a rate for this pair and date exists"),
              (status = 422, body = Problem, content_type = "application/problem+json", description = "unknown currency, rate of zero, …")))]
pub async fn add_rate(
    State(app): State<App>,
    ApiJson(input): ApiJson<RateDto>,
) -> Result<Response, ApiError> {
    let (id, rate) = app
        .add_rate(
            &input.from,
            &input.to,
            &input.rate,
            &input.date,
            &input.source,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(rate_dto(id, &rate))).into_response())
}

/// Delete an exchange rate.
#[utoipa::path(delete, path = "/exchange-rates/{id}", tag = "impact", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_rate(
    State(app): State<App>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = uuid::Uuid::parse_str(&id).map_err(|_| {
        Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            format!("no exchange rate {id}"),
        )
    })?;
    app.delete_rate(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The incident's costs in the reporting currency: the total (rounded half to
/// even, once), the rates used, and the rates still missing — never a guess.
#[utoipa::path(get, path = "/incidents/{key}/review/impact-total", tag = "impact", params(("key" = String, Path)),
    responses((status = 200, description = "reporting currency, date, amount (null when a rate is missing), rates_used, missing, by_currency", body = Object)))]
pub async fn impact_total(
    State(app): State<App>,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    let total = app.impact_total(&key).await?;
    let mut body = serde_json::to_value(&total).map_err(|e| Problem::bad_request(e.to_string()))?;
    body["describe"] = serde_json::json!(total.describe());
    Ok(Json(body).into_response())
}

/// A question template (PRODUCT.md §4.9): data the organisation edits.
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct TemplateDto {
    #[serde(default, skip_deserializing)]
    pub id: String,
    pub name: String,
    /// The questions, in order. On input, plain strings.
    #[schema(value_type = Vec<String>)]
    pub questions: Vec<serde_json::Value>,
    /// 0 for the built-in template; send the version you read when editing.
    pub version: i64,
}

/// The question templates (the built-in NIST SP 800-61r2 one unless replaced).
#[utoipa::path(get, path = "/question-templates", tag = "review", responses((status = 200, body = Vec<TemplateDto>)))]
pub async fn list_templates(State(app): State<App>) -> Result<Json<Vec<TemplateDto>>, ApiError> {
    Ok(Json(
        app.templates()
            .await?
            .into_iter()
            .map(|(t, version)| TemplateDto {
                id: t.id,
                name: t.name,
                questions: t
                    .questions
                    .iter()
                    .map(|q| serde_json::json!({"id": q.id, "text": q.text}))
                    .collect(),
                version,
            })
            .collect(),
    ))
}

/// Create or edit a template. Reviews keep the template they were opened
/// with, so editing never changes an existing review.
#[utoipa::path(put, path = "/question-templates/{id}", tag = "review", params(("id" = String, Path)), request_body = TemplateDto,
    responses((status = 200, body = TemplateDto),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn save_template(
    State(app): State<App>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<TemplateDto>,
) -> Result<Json<TemplateDto>, ApiError> {
    let texts: Vec<String> = input
        .questions
        .iter()
        .map(|q| match q {
            serde_json::Value::String(s) => s.clone(),
            other => other
                .get("text")
                .and_then(|t| t.as_str())
                .unwrap_or_default()
                .to_owned(),
        })
        .collect();
    let t = app
        .save_template(&id, &input.name, &texts, input.version)
        .await?;
    Ok(Json(TemplateDto {
        id: t.id,
        name: t.name,
        questions: t
            .questions
            .iter()
            .map(|q| serde_json::json!({"id": q.id, "text": q.text}))
            .collect(),
        version: input.version + 1,
    }))
}
