//! `GET /api/v1/reports/programme`: the programme report (PRODUCT.md §9,
//! §10) for a period, as JSON, Markdown or print-ready HTML, over the
//! incidents the caller may see. The programme page links its downloads
//! here (the session cookie is accepted like a token).

use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use debrief_app::programme::{ProgrammeFormat, ProgrammePeriod};
use debrief_app::{App, AppError, Caller};
use debrief_core::{FieldError, FieldErrors};

use super::learning::pairs;
use super::problem::ApiError;

/// Reads the period (`from`/`to`, `quarter` or `year`) and the format
/// (`json` by default) from the query string.
pub(crate) fn period_and_format(
    pairs: &[(String, String)],
    default_format: ProgrammeFormat,
) -> Result<(ProgrammePeriod, ProgrammeFormat), AppError> {
    let get = |n: &str| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
    let period = ProgrammePeriod::parse(get("from"), get("to"), get("quarter"), get("year"))?;
    let format = match get("format").filter(|f| !f.is_empty()) {
        None => default_format,
        Some(f) => f.parse().map_err(|m: String| {
            AppError::Invalid(FieldErrors::from(FieldError::new("format", m)))
        })?,
    };
    Ok((period, format))
}

/// The programme report for a period: `from` and `to` (days, inclusive,
/// in the organisation's zone), or `quarter` (2026Q3), or `year` (2026).
#[utoipa::path(get, path = "/reports/programme", tag = "learning",
    params(("from" = Option<String>, Query, description = "first day, YYYY-MM-DD"),
           ("to" = Option<String>, Query, description = "last day, YYYY-MM-DD (inclusive)"),
           ("quarter" = Option<String>, Query, description = "instead of from/to: 2026Q3"),
           ("year" = Option<String>, Query, description = "instead of from/to: 2026"),
           ("format" = Option<String>, Query, description = "json (default), md or html")),
    responses((status = 200, description = "the report", content_type = "application/json"),
              (status = 422, body = super::problem::Problem, content_type = "application/problem+json")))]
pub async fn programme_report(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let pairs = pairs(raw);
    let (period, format) = period_and_format(&pairs, ProgrammeFormat::Json)?;
    let body = app
        .programme_report(&period, format, &caller.visibility())
        .await?;
    let file = format!(
        "programme-{}-{}.{}",
        period.first,
        period.last,
        format.extension()
    );
    let style = (format == ProgrammeFormat::Html)
        .then(|| {
            body.split_once("<style>")
                .and_then(|(_, rest)| rest.split_once("</style>"))
                .map(|(css, _)| css.to_owned())
        })
        .flatten();
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    let disposition = match format {
        ProgrammeFormat::Markdown => format!("attachment; filename=\"{file}\""),
        _ => format!("inline; filename=\"{file}\""),
    };
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if format == ProgrammeFormat::Html
        && let Ok(v) = HeaderValue::from_str(&crate::reports::report_csp(style))
    {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    Ok(res)
}
