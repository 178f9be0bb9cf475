//! Report downloads and the review's pictures, for people (the pages link
//! them) and for scripts (`/api/v1/incidents/{key}/report`). Rendering is done
//! by `debrief-report` from values the use case gathers.

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use debrief_app::App;
use debrief_app::report::{ReportFormat, ReportKind};
use jiff::tz::TimeZone;

use crate::api::problem::{ApiError, Problem, problem_for};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/incidents/{key}/reports/{file}", get(report_file))
        .route("/incidents/{key}/fishbone.svg", get(fishbone))
        .route("/incidents/{key}/phase-bar.svg", get(phase_bar))
}

/// The viewer's zone from the `tz` cookie (as the pages do), UTC otherwise.
fn zone(headers: &axum::http::HeaderMap) -> TimeZone {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().strip_prefix("tz="))
        .find_map(|name| TimeZone::get(&name.replace("%2F", "/")).ok())
        .unwrap_or(TimeZone::UTC)
}

fn document(key: &str, kind: ReportKind, format: ReportFormat, body: String) -> Response {
    let name = match kind {
        ReportKind::Pir => "post-incident-report",
        ReportKind::Executive => "executive-summary",
    };
    let disposition = match format {
        // HTML opens in the browser, ready to print; Markdown downloads.
        ReportFormat::Html => format!("inline; filename=\"{key}-{name}.html\""),
        ReportFormat::Markdown => format!("attachment; filename=\"{key}-{name}.md\""),
    };
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// The printable report is one self-contained file with its stylesheet
/// inline (so it can be saved and mailed); the site's CSP would block
/// that style, so the report gets a stricter one of its own that allows
/// exactly that stylesheet by its hash and nothing else.
pub(crate) fn report_csp(style: Option<String>) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let style_src = match style {
        Some(css) => format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(css.as_bytes()))
        ),
        None => "'none'".into(),
    };
    format!(
        "default-src 'none'; style-src {style_src}; img-src 'self' data:; frame-ancestors 'none'; \
         base-uri 'none'; form-action 'none'"
    )
}

fn parse_file(file: &str) -> Option<(ReportKind, ReportFormat)> {
    let (stem, ext) = file.rsplit_once('.')?;
    let kind = match stem {
        "pir" | "post-incident-report" => ReportKind::Pir,
        "executive" | "executive-summary" => ReportKind::Executive,
        _ => return None,
    };
    Some((kind, ext.parse().ok()?))
}

/// `/incidents/INC-…/reports/pir.html`, `executive.md`, …
async fn report_file(
    State(app): State<App>,
    Path((key, file)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
) -> Response {
    let Some((kind, format)) = parse_file(&file) else {
        return (
            StatusCode::NOT_FOUND,
            "no such report: try pir.html, pir.md, executive.html or executive.md",
        )
            .into_response();
    };
    match app.report(&key, kind, format, &zone(&headers)).await {
        Ok(body) => {
            let style = body
                .split_once("<style>")
                .and_then(|(_, rest)| rest.split_once("</style>"))
                .map(|(css, _)| css.to_owned());
            let mut res = document(&key, kind, format, body);
            if format == ReportFormat::Html
                && let Ok(v) = HeaderValue::from_str(&report_csp(style))
            {
                res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
            }
            res
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}

async fn svg(body: String) -> Response {
    let mut res = body.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml"),
    );
    res
}

async fn fishbone(State(app): State<App>, Path(key): Path<String>) -> Response {
    match app.review(&key).await {
        Ok((incident, Some(review))) => {
            svg(debrief_report::fishbone_svg(
                &review,
                &incident.fields.title,
            ))
            .await
        }
        Ok((incident, None)) => {
            let p = Problem::new(
                StatusCode::NOT_FOUND,
                "not-found",
                "Not found",
                format!("{} has no review yet", incident.key),
            );
            p.into_response()
        }
        Err(e) => problem_for(e).into_response(),
    }
}

async fn phase_bar(
    State(app): State<App>,
    Path(key): Path<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    match app.incident(&key).await {
        Ok(incident) => svg(debrief_report::phase_bar_svg(&incident, &zone(&headers))).await,
        Err(e) => problem_for(e).into_response(),
    }
}

/// The post-incident report or the executive summary, as Markdown or HTML.
#[utoipa::path(get, path = "/incidents/{key}/report", tag = "review",
    params(("key" = String, Path),
           ("kind" = Option<String>, Query, description = "pir (default) or executive"),
           ("format" = Option<String>, Query, description = "md (default) or html"),
           ("zone" = Option<String>, Query, description = "IANA zone for instants; UTC by default")),
    responses((status = 200, description = "the report", content_type = "text/markdown"),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn api_report(
    State(app): State<App>,
    Path(key): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&q.unwrap_or_default())
        .map_err(|e| Problem::bad_request(format!("the query string cannot be read: {e}")))?;
    let get = |n: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };
    let invalid = |field: &str, m: String| {
        let mut p = Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-input",
            "The input is not valid",
            format!("{field}: {m}"),
        );
        p.errors.push(crate::api::problem::FieldProblem {
            field: field.into(),
            message: m,
        });
        ApiError::from(p)
    };
    let kind = get("kind")
        .unwrap_or("pir")
        .parse::<ReportKind>()
        .map_err(|m| invalid("kind", m))?;
    let format = get("format")
        .unwrap_or("md")
        .parse::<ReportFormat>()
        .map_err(|m| invalid("format", m))?;
    let zone = match get("zone") {
        None => TimeZone::UTC,
        Some(z) => TimeZone::get(z)
            .map_err(|_| invalid("zone", format!("`{z}` is not an IANA time zone")))?,
    };
    let body = app.report(&key, kind, format, &zone).await?;
    Ok(document(&key, kind, format, body))
}
