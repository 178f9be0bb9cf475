//! Settings pages. For now: the exchange rates the organisation records
//! (PRODUCT.md §5). debrief never fetches a rate; totals in the reporting
//! currency use the rate valid on an incident's date and name it.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use debrief_app::{App, AppError};
use debrief_core::{Currency, ExchangeRate, MoneyError};
use uuid::Uuid;

use super::form::{Failed, FormView};
use super::view::{Viewer, capitalise};
use super::{FormValues, Layout, error_page, render};

pub(super) fn routes() -> Router<App> {
    Router::new()
        .route("/settings/exchange-rates", get(rates_page).post(add_rate))
        .route("/settings/exchange-rates/{id}/delete", post(delete_rate))
}

struct RateRow {
    id: Uuid,
    from: String,
    to: String,
    rate: String,
    date: String,
    source: String,
}

#[derive(Template)]
#[template(path = "settings_rates.html", whitespace = "minimize")]
struct RatesPage {
    layout: Layout,
    reporting: String,
    rates: Vec<RateRow>,
    form: FormView,
    problems: Vec<(String, String)>,
    alert: Option<String>,
    notice: Option<String>,
    currencies: [&'static str; 9],
}

async fn respond(
    app: &App,
    viewer: &Viewer,
    failed: Option<Failed>,
    alert: Option<String>,
    notice: Option<String>,
    status: StatusCode,
) -> Response {
    let mut rates = match app.rates().await {
        Ok(r) => r,
        Err(e) => return error_page(viewer, e),
    };
    rates.sort_by(|(_, a), (_, b)| {
        (a.from().code(), a.to().code(), b.date()).cmp(&(b.from().code(), b.to().code(), a.date()))
    });
    let page = RatesPage {
        layout: Layout::new(
            "Exchange rates",
            "settings",
            viewer,
            "/settings/exchange-rates",
        ),
        reporting: app.settings().reporting_currency.code().to_owned(),
        rates: rates
            .iter()
            .map(|(id, r)| RateRow {
                id: *id,
                from: r.from().code().to_owned(),
                to: r.to().code().to_owned(),
                rate: r.rate().normalize().to_string(),
                date: r.date().to_string(),
                source: r.source().to_owned(),
            })
            .collect(),
        form: FormView::new(
            "rate",
            vec![(
                "to".to_owned(),
                app.settings().reporting_currency.code().to_owned(),
            )],
            failed.as_ref(),
        ),
        problems: failed.map(|f| f.summary()).unwrap_or_default(),
        alert,
        notice,
        currencies: super::review::COMMON_CURRENCIES,
    };
    render(&page, status)
}

async fn rates_page(State(app): State<App>, viewer: Viewer, RawQuery(q): RawQuery) -> Response {
    let q = q.unwrap_or_default();
    let notice = if q.contains("added=1") {
        Some("Rate recorded.".to_owned())
    } else if q.contains("deleted=1") {
        Some("Rate deleted.".to_owned())
    } else {
        None
    };
    respond(&app, &viewer, None, None, notice, StatusCode::OK).await
}

/// Checks what can be checked field by field, so that each problem stands
/// beside its own field: the two codes, the date, then the rate and source.
fn check(v: &FormValues) -> Vec<(Option<String>, String)> {
    let mut errors = Vec::new();
    let mut code = |field: &str| match Currency::from_code(&v.get(field)) {
        Ok(c) => Some(c),
        Err(e) => {
            errors.push((Some(field.to_owned()), e.to_string()));
            None
        }
    };
    let (from, to) = (code("from"), code("to"));
    let date = v.get("date");
    let day = match date.trim() {
        "" => {
            errors.push((
                Some("date".into()),
                "enter the day the rate is valid from, like 2026-09-01".into(),
            ));
            None
        }
        d => match d.parse::<jiff::civil::Date>() {
            Ok(day) => Some(day),
            Err(_) => {
                errors.push((
                    Some("date".into()),
                    format!("`{d}` is not a date like 2026-09-01"),
                ));
                None
            }
        },
    };
    if let (Some(from), Some(to)) = (from, to) {
        let day = day.unwrap_or(jiff::civil::date(2000, 1, 1));
        if let Err(e) = ExchangeRate::parse(
            from.code(),
            to.code(),
            &v.get("rate"),
            day,
            &v.get("source"),
        ) {
            let field = match e {
                MoneyError::SameCurrency { .. } => "to",
                MoneyError::MissingSource { .. } => "source",
                _ => "rate",
            };
            errors.push((Some(field.into()), e.to_string()));
        }
    }
    errors
}

async fn add_rate(
    State(app): State<App>,
    viewer: Viewer,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let values = FormValues { fields };
    let failed = |errors| Failed {
        key: "rate".into(),
        title: "the new rate".into(),
        values: values.fields.clone(),
        errors,
    };
    let errors = check(&values);
    if !errors.is_empty() {
        return respond(
            &app,
            &viewer,
            Some(failed(errors)),
            None,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    match app
        .add_rate(
            &values.get("from"),
            &values.get("to"),
            &values.get("rate"),
            &values.get("date"),
            &values.get("source"),
        )
        .await
    {
        Ok(_) => Redirect::to("/settings/exchange-rates?added=1").into_response(),
        Err(AppError::Invalid(e)) => {
            let errors = e
                .iter()
                .map(|e| {
                    let field = if e.field == "currency" {
                        "to"
                    } else {
                        &e.field
                    };
                    (Some(field.to_owned()), e.message.clone())
                })
                .collect();
            respond(
                &app,
                &viewer,
                Some(failed(errors)),
                None,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(AppError::Conflict { message, .. }) => {
            let errors = vec![(Some("date".to_owned()), message)];
            respond(
                &app,
                &viewer,
                Some(failed(errors)),
                None,
                None,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => error_page(&viewer, e),
    }
}

async fn delete_rate(State(app): State<App>, viewer: Viewer, Path(id): Path<String>) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else {
        return error_page(
            &viewer,
            AppError::NotFound(format!("there is no exchange rate {id}")),
        );
    };
    match app.delete_rate(id).await {
        Ok(()) => Redirect::to("/settings/exchange-rates?deleted=1").into_response(),
        Err(AppError::NotFound(m)) => {
            respond(
                &app,
                &viewer,
                None,
                Some(format!(
                    "{}; it may have been deleted already.",
                    capitalise(&m)
                )),
                None,
                StatusCode::NOT_FOUND,
            )
            .await
        }
        Err(e) => error_page(&viewer, e),
    }
}
