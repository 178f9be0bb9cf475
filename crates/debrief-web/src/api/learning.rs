//! Learning across incidents over HTTP (PRODUCT.md §9): search, KPIs with
//! the previous period and monthly trends, related incidents, "did it
//! work?". The scope (category, severity, service, tag, from, to) is read
//! from the query string the same way here and on the pages.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use debrief_app::learning::Period;
use debrief_app::{App, AppError, Caller};
use debrief_core::Severity;
use debrief_core::kpi::IncidentScope;
use debrief_store::learning::{MARK_END, MARK_START};
use serde::Serialize;
use utoipa::ToSchema;

use super::problem::{ApiError, FieldProblem, Problem};

/// The query string as pairs.
pub(crate) fn pairs(raw: Option<String>) -> Vec<(String, String)> {
    serde_urlencoded::from_str(&raw.unwrap_or_default()).unwrap_or_default()
}

fn bad_param(field: &str, message: impl Into<String>) -> ApiError {
    let message = message.into();
    let mut p = Problem::bad_request(format!("{field}: {message}"));
    p.errors.push(FieldProblem {
        field: field.into(),
        message,
    });
    p.field = Some(field.into());
    ApiError(Box::new(p))
}

/// A day (`YYYY-MM-DD`) as the instant it starts in the organisation's zone.
fn day_start(app: &App, field: &str, v: &str, plus_one: bool) -> Result<jiff::Timestamp, ApiError> {
    let d: jiff::civil::Date = v
        .trim()
        .parse()
        .map_err(|_| bad_param(field, format!("`{v}` is not a date like 2026-07-01")))?;
    let d = if plus_one {
        d.tomorrow().unwrap_or(d)
    } else {
        d
    };
    d.to_zoned_datetime(app.settings().time_zone.clone())
        .map(|z| z.timestamp())
        .map_err(|e| bad_param(field, e.to_string()))
}

/// Reads `category`, `severity`, `service`, `tag` (each repeatable) and
/// `from` / `to` (days, both inclusive) into a scope; an unknown value is a
/// 400 naming the parameter.
pub(crate) fn scope_from(app: &App, pairs: &[(String, String)]) -> Result<IncidentScope, ApiError> {
    let mut s = IncidentScope::default();
    for (k, v) in pairs {
        if v.trim().is_empty() {
            continue;
        }
        match k.as_str() {
            "category" => {
                if app
                    .settings()
                    .taxonomy
                    .entries()
                    .iter()
                    .all(|c| c.slug != *v)
                {
                    return Err(bad_param("category", format!("unknown category `{v}`")));
                }
                s.categories.push(v.clone());
            }
            "severity" => s.severities.push(
                v.parse::<Severity>()
                    .map_err(|e| bad_param("severity", e))?,
            ),
            "service" => s.services.push(v.trim().to_owned()),
            "tag" => s.tags.push(v.trim().to_owned()),
            "from" => s.from = Some(day_start(app, "from", v, false)?),
            "to" => s.to = Some(day_start(app, "to", v, true)?),
            _ => {}
        }
    }
    if let (Some(f), Some(t)) = (s.from, s.to)
        && t <= f
    {
        return Err(bad_param("to", "the period ends before it starts"));
    }
    Ok(s)
}

/// A snippet as plain text with the matches between `[` … `]`-free markers
/// turned into parts: `(text, matched)`.
pub(crate) fn snippet_parts(s: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut marked = false;
    for c in s.chars() {
        if c == MARK_START || c == MARK_END {
            if !cur.is_empty() {
                out.push((std::mem::take(&mut cur), marked));
            }
            marked = c == MARK_START;
        } else {
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        out.push((cur, marked));
    }
    out
}

fn plain_and_html(s: &str) -> (String, String) {
    let parts = snippet_parts(s);
    let plain: String = parts.iter().map(|(t, _)| t.as_str()).collect();
    let html: String = parts
        .iter()
        .map(|(t, m)| {
            let e = debrief_report::xml_escape(t);
            if *m { format!("<mark>{e}</mark>") } else { e }
        })
        .collect();
    (plain, html)
}

#[derive(Serialize, ToSchema)]
pub struct SearchHitDto {
    /// incident | event | review | action
    pub source: String,
    pub source_id: String,
    pub incident_key: String,
    pub incident_title: String,
    pub severity: String,
    pub category: String,
    pub at: String,
    /// The matched title (incidents and actions), plain text.
    pub title: String,
    /// The best passage, plain text.
    pub snippet: String,
    /// The same passage as HTML: escaped text with `<mark>` around matches.
    pub snippet_html: String,
    pub score: f64,
    /// Where to read it in the web UI.
    pub url: String,
    #[serde(skip)]
    pub(crate) marked_title: String,
    #[serde(skip)]
    pub(crate) marked_snippet: String,
}

#[derive(Serialize, ToSchema)]
pub struct SearchDto {
    pub query: String,
    /// Matches ranked (at most 1,000).
    pub total: usize,
    /// More than `total` match: refine the query or the filters.
    pub more: bool,
    pub hits: Vec<SearchHitDto>,
}

pub(crate) fn hit_url(h: &debrief_store::learning::SearchHit) -> String {
    use debrief_store::learning::SearchSource::*;
    match h.source {
        Incident => format!("/incidents/{}", h.incident_key),
        Event => format!(
            "/incidents/{}/timeline#event-{}",
            h.incident_key, h.source_id
        ),
        Review => format!("/incidents/{}/review", h.incident_key),
        Action => format!("/incidents/{}/actions", h.incident_key),
    }
}

/// Runs a search from query pairs (`q`, `limit`, `offset` and the scope).
pub(crate) async fn run_search(
    app: &App,
    caller: &Caller,
    pairs: &[(String, String)],
) -> Result<SearchDto, ApiError> {
    let get = |n: &str| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let q = get("q").unwrap_or_default();
    let scope = scope_from(app, pairs)?;
    let num = |n: &str, d: usize| -> Result<usize, ApiError> {
        match get(n) {
            None => Ok(d),
            Some(v) if v.is_empty() => Ok(d),
            Some(v) => v
                .parse()
                .map_err(|_| bad_param(n, format!("`{v}` is not a whole number"))),
        }
    };
    let limit = num("limit", 20)?;
    let offset = num("offset", 0)?;
    let r = app
        .search(&q, scope, limit, offset, &caller.visibility())
        .await
        .map_err(|e| match e {
            AppError::Invalid(errors) => {
                let msg = errors
                    .iter()
                    .next()
                    .map(|e| e.message.clone())
                    .unwrap_or_default();
                bad_param("q", msg)
            }
            other => other.into(),
        })?;
    Ok(SearchDto {
        query: q,
        total: r.total,
        more: r.more,
        hits: r
            .hits
            .iter()
            .map(|h| {
                let (title, _) = plain_and_html(&h.title);
                let (snippet, snippet_html) = plain_and_html(&h.snippet);
                SearchHitDto {
                    source: h.source.as_str().into(),
                    source_id: h.source_id.clone(),
                    incident_key: h.incident_key.clone(),
                    incident_title: h.incident_title.clone(),
                    severity: h.severity.as_str().into(),
                    category: h.category.clone(),
                    at: h.at.to_string(),
                    title,
                    snippet,
                    snippet_html,
                    score: h.score,
                    url: hit_url(h),
                    marked_title: h.title.clone(),
                    marked_snippet: h.snippet.clone(),
                }
            })
            .collect(),
    })
}

/// Full-text search across incidents, timelines, reviews (lessons
/// included) and actions, ranked (BM25 on SQLite, `ts_rank` on
/// PostgreSQL) over the newest 1,000 matches, every word required, with
/// highlighted snippets. A query without a word is a 400 naming `q`.
#[utoipa::path(get, path = "/search", tag = "learning",
    params(("q" = String, Query, description = "words to find (letters and digits; punctuation is ignored)"),
           ("category" = Option<String>, Query), ("severity" = Option<String>, Query),
           ("service" = Option<String>, Query), ("tag" = Option<String>, Query),
           ("from" = Option<String>, Query, description = "YYYY-MM-DD, inclusive"),
           ("to" = Option<String>, Query, description = "YYYY-MM-DD, inclusive"),
           ("limit" = Option<u32>, Query), ("offset" = Option<u32>, Query)),
    responses((status = 200, body = SearchDto),
              (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn search(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SearchDto>, ApiError> {
    Ok(Json(run_search(&app, &caller, &pairs(raw)).await?))
}

#[derive(Serialize, ToSchema)]
pub struct KpisDto {
    /// The period (absent ends: open).
    #[schema(value_type = Object)]
    pub period: serde_json::Value,
    /// Every KPI (see docs/kpis.md); statistics are `null` when there are
    /// no data; durations in seconds.
    #[schema(value_type = Object)]
    pub kpis: serde_json::Value,
    /// The same over the previous period of equal length.
    #[schema(value_type = Object)]
    pub previous: serde_json::Value,
    /// Monthly series.
    #[schema(value_type = Object)]
    pub trend: serde_json::Value,
    /// Closed incidents whose lessons-learned review is late or unscheduled.
    #[schema(value_type = Object)]
    pub reviews_due: serde_json::Value,
}

fn to_json(v: impl Serialize) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(v).map_err(|e| {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            e.to_string(),
        )
        .into()
    })
}

/// The KPIs of a period and filter, against the previous period of equal
/// length, with monthly trends (PRODUCT.md §9; definitions in
/// docs/kpis.md). Without `from`/`to`: all time.
#[utoipa::path(get, path = "/kpis", tag = "learning",
    params(("category" = Option<String>, Query), ("severity" = Option<String>, Query),
           ("service" = Option<String>, Query), ("tag" = Option<String>, Query),
           ("from" = Option<String>, Query), ("to" = Option<String>, Query)),
    responses((status = 200, body = KpisDto),
              (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn kpis(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> Result<Json<KpisDto>, ApiError> {
    let scope = scope_from(&app, &pairs(raw))?;
    let d = app.dashboard(&scope, &caller.visibility()).await?;
    Ok(Json(KpisDto {
        period: to_json(d.period)?,
        kpis: to_json(&d.kpis)?,
        previous: to_json(&d.previous)?,
        trend: to_json(&d.trend)?,
        reviews_due: to_json(&d.reviews_due)?,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct RelatedDto {
    pub key: String,
    pub title: String,
    pub category: String,
    pub severity: String,
    pub at: String,
    /// Why it is related: shared services, category, cause categories, wording.
    pub reasons: Vec<String>,
    pub score: u32,
}

/// Earlier incidents that share services, the category, cause categories
/// or wording with this one, best first, each with the reasons.
#[utoipa::path(get, path = "/incidents/{key}/related", tag = "learning",
    params(("key" = String, Path)),
    responses((status = 200, body = [RelatedDto]),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn related(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(key): Path<String>,
) -> Result<Json<Vec<RelatedDto>>, ApiError> {
    let r = app.related(&key, 10, &caller.visibility()).await?;
    Ok(Json(
        r.into_iter()
            .map(|r| RelatedDto {
                key: r.key,
                title: r.title,
                category: r.category,
                severity: r.severity,
                at: r.at.to_string(),
                reasons: r.reasons,
                score: r.score,
            })
            .collect(),
    ))
}

/// "Did it work?": for the most recently verified actions, the incidents of
/// the same category in equal windows (`window_days`, default 180) before
/// and after the verification, with the counts behind them and a plain
/// statement when there are too few to say.
#[utoipa::path(get, path = "/improvements", tag = "learning",
    params(("window_days" = Option<i64>, Query)),
    responses((status = 200, body = Object)))]
pub async fn improvements(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> Result<Json<serde_json::Value>, ApiError> {
    let p = pairs(raw);
    let window = match p.iter().find(|(k, _)| k == "window_days") {
        Some((_, v)) => v
            .parse::<i64>()
            .ok()
            .filter(|d| (1..=3660).contains(d))
            .ok_or_else(|| bad_param("window_days", "give a number of days from 1 to 3660"))?,
        None => 180,
    };
    let checks = app.improvements(window, 20, &caller.visibility()).await?;
    Ok(Json(to_json(checks)?))
}

/// The period a dashboard shows, by name: `90d` (default), `quarter`,
/// `year`, `all`.
pub(crate) fn named_period(app: &App, name: &str) -> Period {
    let zone = app.settings().time_zone.clone();
    let today = app.today();
    let start = |d: jiff::civil::Date| {
        d.to_zoned_datetime(zone.clone())
            .map(|z| z.timestamp())
            .ok()
    };
    let tomorrow = today.tomorrow().ok().and_then(start);
    match name {
        "all" => Period::all_time(),
        "quarter" => {
            let q0 = ((today.month() - 1) / 3) * 3 + 1;
            Period {
                from: jiff::civil::Date::new(today.year(), q0, 1)
                    .ok()
                    .and_then(start),
                to: tomorrow,
            }
        }
        "year" => Period {
            from: today
                .checked_sub(jiff::Span::new().years(1))
                .ok()
                .and_then(|d| d.tomorrow().ok())
                .and_then(start),
            to: tomorrow,
        },
        _ => Period {
            from: today
                .checked_sub(jiff::Span::new().days(89))
                .ok()
                .and_then(start),
            to: tomorrow,
        },
    }
}
