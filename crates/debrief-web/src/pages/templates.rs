//! Settings: question templates (PRODUCT.md §4.9), data the organisation
//! edits. A review keeps the template it was opened with, so saving here
//! never changes an existing review.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use debrief_app::{App, AppError};

use super::view::Viewer;
use super::{FormValues, Layout, error_page, render};

pub(super) fn routes() -> Router<App> {
    Router::new().route("/settings/question-templates", get(page).post(save))
}

/// One template's edit form, with what was typed and its problems.
struct TemplateForm {
    /// Empty for the "new template" form.
    id: String,
    dom_id: String,
    name: String,
    questions: String,
    version: i64,
    count: usize,
    builtin: bool,
    errors: HashMap<String, String>,
    notice: bool,
}

#[derive(Template)]
#[template(path = "settings_templates.html")]
struct TemplatesPage {
    layout: Layout,
    forms: Vec<TemplateForm>,
    new_form: TemplateForm,
    alert: Option<String>,
}

/// What a failed save brings back to its form.
struct Failed {
    id: String,
    name: String,
    questions: String,
    errors: HashMap<String, String>,
}

async fn respond(
    app: &App,
    viewer: &Viewer,
    failed: Option<Failed>,
    alert: Option<String>,
    saved: Option<String>,
    status: StatusCode,
) -> Response {
    let templates = match app.templates().await {
        Ok(t) => t,
        Err(e) => return error_page(viewer, e),
    };
    let mut new_form = TemplateForm {
        id: String::new(),
        dom_id: "tpl-new".into(),
        name: String::new(),
        questions: String::new(),
        version: 0,
        count: 0,
        builtin: false,
        errors: HashMap::new(),
        notice: false,
    };
    let mut forms: Vec<TemplateForm> = templates
        .iter()
        .map(|(t, version)| TemplateForm {
            id: t.id.clone(),
            dom_id: format!("tpl-{}", t.id),
            name: t.name.clone(),
            questions: t
                .questions
                .iter()
                .map(|q| q.text.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            version: *version,
            count: t.questions.len(),
            builtin: *version == 0,
            errors: HashMap::new(),
            notice: saved.as_deref() == Some(t.id.as_str()),
        })
        .collect();
    if let Some(f) = failed {
        let target = forms
            .iter_mut()
            .find(|x| x.id == f.id)
            .unwrap_or(&mut new_form);
        if target.id.is_empty() {
            target.id = f.id.clone();
        }
        target.name = f.name;
        target.questions = f.questions;
        target.errors = f.errors;
    }
    let page = TemplatesPage {
        layout: Layout::new(
            "Question templates",
            "settings",
            viewer,
            "/settings/question-templates",
        ),
        forms,
        new_form,
        alert,
    };
    render(&page, status)
}

async fn page(State(app): State<App>, viewer: Viewer, RawQuery(q): RawQuery) -> Response {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(&q.unwrap_or_default()).unwrap_or_default();
    let saved = pairs
        .into_iter()
        .find(|(k, _)| k == "saved")
        .map(|(_, v)| v);
    respond(&app, &viewer, None, None, saved, StatusCode::OK).await
}

async fn save(
    State(app): State<App>,
    viewer: Viewer,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let values = FormValues { fields };
    let id = values.get("id").trim().to_owned();
    let name = values.get("name");
    let questions = values.get("questions");
    let version = values.get("version").parse::<i64>().unwrap_or(0);
    let lines: Vec<String> = questions.lines().map(str::to_owned).collect();
    let failed = |errors: HashMap<String, String>| Failed {
        id: id.clone(),
        name: name.clone(),
        questions: questions.clone(),
        errors,
    };
    match app.save_template(&id, &name, &lines, version).await {
        Ok(t) => Redirect::to(&format!(
            "/settings/question-templates?saved={}#tpl-{}",
            t.id, t.id
        ))
        .into_response(),
        Err(AppError::Invalid(e)) => {
            let errors = e
                .iter()
                .map(|e| (e.field.clone(), e.message.clone()))
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
            respond(
                &app,
                &viewer,
                Some(failed(HashMap::new())),
                Some(message),
                None,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => error_page(&viewer, e),
    }
}
