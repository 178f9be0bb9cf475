//! The programme page (PRODUCT.md §9, §10): pick a period (a quarter, a
//! year or any days), see its key figures against the previous period,
//! and open the print-ready report or download it as Markdown or JSON
//! (the API route, which accepts the session cookie).

use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use debrief_app::App;
use debrief_app::programme::{ProgrammeFormat, ProgrammePeriod};
use debrief_report::{KpiRow, programme_kpi_rows};

use super::view::{Choice, Viewer};
use super::{Layout, error_page, render};
use crate::api::learning::pairs;
use crate::api::programme::period_and_format;

pub fn routes() -> Router<App> {
    Router::new().route("/programme", get(programme_page))
}

#[derive(Template)]
#[template(path = "programme.html")]
struct ProgrammePage {
    layout: Layout,
    label: String,
    quarters: Vec<Choice>,
    years: Vec<(String, String)>,
    from: String,
    to: String,
    kpis: Vec<KpiRow>,
    incidents: usize,
    previous: String,
    html_url: String,
    md_url: String,
    json_url: String,
    error: Option<String>,
}

fn quarter_of(d: jiff::civil::Date) -> (i16, i8) {
    (d.year(), (d.month() - 1) / 3 + 1)
}

async fn programme_page(
    State(app): State<App>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Response {
    let raw_s = raw.clone().unwrap_or_default();
    let mut pairs = pairs(raw);
    pairs.retain(|(k, v)| k != "format" && !v.trim().is_empty());
    let today = app.today();
    let (ty, tq) = quarter_of(today);
    let this_quarter = format!("{ty}Q{tq}");
    let mut error = None;
    let period = if pairs.is_empty() {
        ProgrammePeriod::parse(None, None, Some(&this_quarter), None)
    } else {
        period_and_format(&pairs, ProgrammeFormat::Html).map(|(p, _)| p)
    };
    let period = match period {
        Ok(p) => p,
        Err(e) => {
            error = Some(crate::api::problem::problem_for(e).detail);
            match ProgrammePeriod::parse(None, None, Some(&this_quarter), None) {
                Ok(p) => p,
                Err(e) => return error_page(&viewer, e),
            }
        }
    };
    let input = match app.programme(&period, &viewer.caller().visibility()).await {
        Ok(i) => i,
        Err(e) => return error_page(&viewer, e),
    };
    let selected_q = pairs
        .iter()
        .find(|(k, _)| k == "quarter")
        .map(|(_, v)| v.to_ascii_uppercase())
        .unwrap_or_else(|| {
            if error.is_none() && raw_s.is_empty() {
                this_quarter.clone()
            } else {
                String::new()
            }
        });
    let mut quarters = vec![Choice::new("", "Choose a quarter", selected_q.is_empty())];
    let (mut y, mut q) = (ty, tq);
    for _ in 0..8 {
        let v = format!("{y}Q{q}");
        quarters.push(Choice::new(v.clone(), format!("{y} Q{q}"), v == selected_q));
        if q == 1 {
            y -= 1;
            q = 4;
        } else {
            q -= 1;
        }
    }
    let years = (0..3)
        .map(|k| {
            let y = ty - k;
            (format!("/programme?year={y}"), y.to_string())
        })
        .collect();
    // The downloads name the period as it was asked for (a quarter keeps
    // its label), else the days.
    let query = if error.is_none() && !pairs.is_empty() {
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    } else {
        format!("from={}&to={}", period.first, period.last)
    };
    let page = ProgrammePage {
        layout: Layout::new(
            format!("Programme report {}", period.label),
            "dashboard",
            &viewer,
            format!("/programme?{raw_s}"),
        ),
        label: period.label.clone(),
        quarters,
        years,
        from: period.first.to_string(),
        to: period.last.to_string(),
        kpis: programme_kpi_rows(&input),
        incidents: input.kpis.incidents,
        previous: format!(
            "{} to {}",
            input.previous_first_day, input.previous_last_day
        ),
        html_url: format!("/api/v1/reports/programme?{query}&format=html"),
        md_url: format!("/api/v1/reports/programme?{query}&format=md"),
        json_url: format!("/api/v1/reports/programme?{query}&format=json"),
        error,
    };
    // A period that cannot be used is refused (422) even though the page
    // still shows this quarter below the message.
    let status = if page.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(&page, status)
}
