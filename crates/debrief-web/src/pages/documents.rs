//! Plans and training pages (PRODUCT.md §9): the document register
//! (`/plans`), the lessons without a home (`/lessons/unhomed`), the
//! "review complete" policy (Settings → Review policy), and the forms on
//! the review page that link a lesson to the document change it requires
//! or mark that change done.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use debrief_app::documents::{LessonLinkPatch, UnhomedLesson};
use debrief_app::{App, AppError};
use debrief_core::document::{
    Document, DocumentDraft, DocumentKind, DocumentStatus, LessonLink, LessonLinkDraft, LinkState,
    ReviewPolicy,
};
use debrief_core::{FieldErrors, Person};
use uuid::Uuid;

use super::form::{Failed, FormView, pairs};
use super::view::{Viewer, capitalise, severity_class};
use super::{FormValues, Layout, error_page, render};

pub(super) fn routes() -> Router<App> {
    Router::new()
        .route("/plans", get(plans_page).post(add_document))
        .route("/plans/{id}", post(edit_document))
        .route("/lessons/unhomed", get(unhomed_page))
        .route(
            "/settings/review-policy",
            get(policy_page).post(save_policy),
        )
        .route("/incidents/{key}/review/lesson-links", post(add_link))
        .route("/incidents/{key}/review/lesson-links/{id}", post(edit_link))
}

fn form_errors(e: &FieldErrors) -> Vec<(Option<String>, String)> {
    e.iter()
        .map(|e| (Some(e.field.clone()), e.message.clone()))
        .collect()
}

/// Errors a form can show; anything else is an error page.
fn app_failure(e: AppError) -> Result<Vec<(Option<String>, String)>, AppError> {
    match e {
        AppError::Invalid(f) => Ok(form_errors(&f)),
        AppError::Conflict { message, .. } | AppError::NotAllowed(message) => {
            Ok(vec![(None, message)])
        }
        other => Err(other),
    }
}

fn notice(q: &Option<String>, texts: &[(&str, &str)]) -> Option<String> {
    let q = q.as_deref().unwrap_or_default();
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q).unwrap_or_default();
    texts
        .iter()
        .find(|(k, _)| pairs.iter().any(|(pk, v)| pk == k && v == "1"))
        .map(|(_, t)| (*t).to_owned())
}

fn kind_options() -> Vec<(String, String)> {
    DocumentKind::ALL
        .iter()
        .map(|k| (k.as_str().to_owned(), k.label().to_owned()))
        .collect()
}

fn status_options() -> Vec<(String, String)> {
    DocumentStatus::ALL
        .iter()
        .map(|k| (k.as_str().to_owned(), k.label().to_owned()))
        .collect()
}

// ----- /plans -------------------------------------------------------------

struct DocumentRow {
    doc: Document,
    kind: &'static str,
    owner: String,
    retired: bool,
    form: FormView,
}

#[derive(Template)]
#[template(path = "plans.html", whitespace = "minimize")]
struct PlansPage {
    layout: Layout,
    documents: Vec<DocumentRow>,
    unhomed: usize,
    form: FormView,
    kinds: Vec<(String, String)>,
    statuses: Vec<(String, String)>,
    people: Vec<(String, String)>,
    problems: Vec<(String, String)>,
    notice: Option<String>,
}

fn owner_name(people: &[Person], id: Uuid) -> (String, String) {
    people
        .iter()
        .find(|p| p.id == id)
        .map(|p| (p.name.clone(), p.email.clone()))
        .unwrap_or_default()
}

async fn respond_plans(
    app: &App,
    viewer: &Viewer,
    failed: Option<Failed>,
    notice: Option<String>,
    status: StatusCode,
) -> Response {
    let (documents, people, unhomed) = match (
        app.documents().await,
        app.people().await,
        app.unhomed_count(&viewer.caller().visibility()).await,
    ) {
        (Ok(d), Ok(p), Ok(u)) => (d, p, u),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return error_page(viewer, e),
    };
    let page = PlansPage {
        layout: Layout::new("Plans & training", "plans", viewer, "/plans"),
        documents: documents
            .into_iter()
            .map(|d| {
                let (name, email) = owner_name(&people, d.owner_id);
                DocumentRow {
                    form: FormView::new(
                        format!("edit-doc-{}", d.id),
                        pairs([
                            ("kind", d.kind.as_str().to_owned()),
                            ("title", d.title.clone()),
                            ("owner", email),
                            ("document_version", d.document_version.clone()),
                            ("link", d.link.clone()),
                            ("status", d.status.as_str().to_owned()),
                            (
                                "review_on",
                                d.review_on.map(|d| d.to_string()).unwrap_or_default(),
                            ),
                            ("version", d.version.to_string()),
                        ]),
                        failed.as_ref(),
                    ),
                    kind: d.kind.label(),
                    owner: name,
                    retired: d.status == DocumentStatus::Retired,
                    doc: d,
                }
            })
            .collect(),
        unhomed,
        form: FormView::new(
            "doc",
            pairs([("kind", "playbook".into()), ("status", "current".into())]),
            failed.as_ref(),
        ),
        kinds: kind_options(),
        statuses: status_options(),
        people: people
            .iter()
            .map(|p| (p.email.clone(), format!("{} <{}>", p.name, p.email)))
            .collect(),
        problems: failed.as_ref().map(|f| f.summary()).unwrap_or_default(),
        notice,
    };
    render(&page, status)
}

async fn plans_page(State(app): State<App>, viewer: Viewer, RawQuery(q): RawQuery) -> Response {
    let notice = notice(
        &q,
        &[
            ("added", "Document registered."),
            ("saved", "Changes saved."),
        ],
    );
    respond_plans(&app, &viewer, None, notice, StatusCode::OK).await
}

fn document_draft(v: &FormValues) -> DocumentDraft {
    DocumentDraft {
        kind: v.get("kind"),
        title: v.get("title"),
        owner: v.get("owner"),
        document_version: v.get("document_version"),
        link: v.get("link"),
        status: v.get("status"),
        review_on: v.get("review_on"),
    }
}

async fn add_document(
    State(app): State<App>,
    viewer: Viewer,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let values = FormValues { fields };
    match app.add_document(&document_draft(&values)).await {
        Ok(_) => Redirect::to("/plans?added=1").into_response(),
        Err(e) => match app_failure(e) {
            Ok(errors) => {
                let failed = Failed {
                    key: "doc".into(),
                    title: "the new document".into(),
                    values: values.fields,
                    errors,
                };
                respond_plans(
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

async fn edit_document(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let values = FormValues { fields };
    let version = values.version();
    match app
        .update_document(&id, version, &document_draft(&values))
        .await
    {
        Ok(_) => Redirect::to(&format!("/plans?saved=1#doc-{id}")).into_response(),
        Err(e) => match app_failure(e) {
            Ok(errors) => {
                let failed = Failed {
                    key: format!("edit-doc-{id}"),
                    title: "the document".into(),
                    values: values.fields,
                    errors,
                };
                respond_plans(
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

// ----- /lessons/unhomed ----------------------------------------------------

struct UnhomedRow {
    lesson: UnhomedLesson,
    severity: String,
    severity_class: &'static str,
    age: String,
}

#[derive(Template)]
#[template(path = "lessons_unhomed.html", whitespace = "minimize")]
struct UnhomedPage {
    layout: Layout,
    lessons: Vec<UnhomedRow>,
    required: bool,
    /// All of them, and the first and last shown (1-based).
    total: usize,
    first: usize,
    last: usize,
    prev_url: Option<String>,
    next_url: Option<String>,
}

/// Lessons per page of the unhomed list.
const UNHOMED_PAGE: usize = 100;

fn age(days: i64) -> String {
    match days {
        ..=0 => "today".into(),
        1 => "1 day".into(),
        n => format!("{n} days"),
    }
}

async fn unhomed_page(State(app): State<App>, viewer: Viewer, RawQuery(raw): RawQuery) -> Response {
    let lessons = match app.unhomed_lessons(&viewer.caller().visibility()).await {
        Ok(l) => l,
        Err(e) => return error_page(&viewer, e),
    };
    let required = match app.review_policy().await {
        Ok(p) => p.policy.lessons_need_documents,
        Err(e) => return error_page(&viewer, e),
    };
    // `?page=N` (1-based); a page past the end shows the last one.
    let total = lessons.len();
    let pages = total.div_ceil(UNHOMED_PAGE).max(1);
    let page_no = serde_urlencoded::from_str::<Vec<(String, String)>>(raw.as_deref().unwrap_or(""))
        .unwrap_or_default()
        .into_iter()
        .find(|(k, _)| k == "page")
        .and_then(|(_, v)| v.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, pages);
    let skip = (page_no - 1) * UNHOMED_PAGE;
    let url = |n: usize| format!("/lessons/unhomed?page={n}");
    let page = UnhomedPage {
        layout: Layout::new(
            "Lessons without a home",
            "plans",
            &viewer,
            if page_no == 1 {
                "/lessons/unhomed".to_owned()
            } else {
                url(page_no)
            },
        ),
        lessons: lessons
            .into_iter()
            .skip(skip)
            .take(UNHOMED_PAGE)
            .map(|l| UnhomedRow {
                severity: capitalise(l.severity.as_str()),
                severity_class: severity_class(l.severity),
                age: age(l.age_days),
                lesson: l,
            })
            .collect(),
        required,
        total,
        first: skip + 1,
        last: (skip + UNHOMED_PAGE).min(total),
        prev_url: (page_no > 1).then(|| url(page_no - 1)),
        next_url: (page_no < pages).then(|| url(page_no + 1)),
    };
    render(&page, StatusCode::OK)
}

// ----- Settings → Review policy ---------------------------------------------

#[derive(Template)]
#[template(path = "settings_review_policy.html", whitespace = "minimize")]
struct PolicyPage {
    layout: Layout,
    on: bool,
    version: i64,
    alert: Option<String>,
    notice: Option<String>,
}

async fn respond_policy(
    app: &App,
    viewer: &Viewer,
    alert: Option<String>,
    notice: Option<String>,
    status: StatusCode,
) -> Response {
    let p = match app.review_policy().await {
        Ok(p) => p,
        Err(e) => return error_page(viewer, e),
    };
    let page = PolicyPage {
        layout: Layout::new(
            "Review policy",
            "settings",
            viewer,
            "/settings/review-policy",
        ),
        on: p.policy.lessons_need_documents,
        version: p.version,
        alert,
        notice,
    };
    render(&page, status)
}

async fn policy_page(State(app): State<App>, viewer: Viewer, RawQuery(q): RawQuery) -> Response {
    let notice = notice(&q, &[("saved", "Review policy saved.")]);
    respond_policy(&app, &viewer, None, notice, StatusCode::OK).await
}

async fn save_policy(
    State(app): State<App>,
    viewer: Viewer,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let values = FormValues { fields };
    let policy = ReviewPolicy {
        lessons_need_documents: values.get("lessons_need_documents") == "on",
    };
    let version = values.version();
    match app.save_review_policy(policy, version).await {
        Ok(_) => Redirect::to("/settings/review-policy?saved=1").into_response(),
        Err(AppError::Conflict { message, .. }) => {
            respond_policy(
                &app,
                &viewer,
                Some(capitalise(&message) + "."),
                None,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => error_page(&viewer, e),
    }
}

// ----- lesson links on the review page -------------------------------------

/// One link as the review page shows it.
pub(super) struct LinkView {
    pub id: Uuid,
    pub state: &'static str,
    pub state_label: &'static str,
    /// The document's title and link.
    pub document: Option<(String, String)>,
    pub change: String,
    /// "in version 1.4 on 2026-10-20" for a change done.
    pub done: String,
    pub form: FormView,
}

/// The links of one lesson and the form that adds one.
pub(super) struct LessonLinksView {
    pub lesson_id: Uuid,
    pub links: Vec<LinkView>,
    pub form: FormView,
}

/// The document links of a review's lessons, for the review page.
#[derive(Default)]
pub(super) struct LessonPlans {
    pub key: String,
    pub lessons: Vec<LessonLinksView>,
    /// `(id, title)` of the current documents, and the "no change" choice.
    pub documents: Vec<(String, String)>,
    /// The policy asks for a link before approval.
    pub required: bool,
}

impl LessonPlans {
    pub fn of(&self, lesson: &Uuid) -> Option<&LessonLinksView> {
        self.lessons.iter().find(|l| l.lesson_id == *lesson)
    }

    /// Reads what the review page shows beside each lesson.
    pub async fn load(
        app: &App,
        key: &str,
        lesson_ids: &[Uuid],
        failed: Option<&Failed>,
    ) -> Result<Self, AppError> {
        let links = app.lesson_links(key).await?;
        let documents = app.documents().await?;
        let required = app.review_policy().await?.policy.lessons_need_documents;
        let view = |l: &LessonLink| LinkView {
            id: l.id,
            state: l.state.as_str(),
            state_label: l.state.label(),
            document: l
                .document_id
                .and_then(|id| documents.iter().find(|d| d.id == id))
                .map(|d| (d.title.clone(), d.link.clone())),
            change: l.change.clone(),
            done: match (l.state, l.done_on) {
                (LinkState::Done, Some(on)) => format!("in version {} on {on}", l.done_version),
                _ => String::new(),
            },
            form: FormView::new(
                format!("done-{}", l.id),
                pairs([
                    ("version", l.version.to_string()),
                    ("done_on", app.today().to_string()),
                ]),
                failed,
            ),
        };
        let mut choices = vec![(String::new(), "No document change needed".to_owned())];
        choices.extend(
            documents
                .iter()
                .filter(|d| d.status == DocumentStatus::Current)
                .map(|d| {
                    let v = if d.document_version.is_empty() {
                        String::new()
                    } else {
                        format!(" (v{})", d.document_version)
                    };
                    (d.id.to_string(), format!("{}{v}", d.title))
                }),
        );
        Ok(Self {
            key: key.to_owned(),
            lessons: lesson_ids
                .iter()
                .map(|id| LessonLinksView {
                    lesson_id: *id,
                    links: links
                        .iter()
                        .filter(|l| l.lesson_id == *id)
                        .map(view)
                        .collect(),
                    form: FormView::new(format!("link-{id}"), Vec::new(), failed),
                })
                .collect(),
            documents: choices,
            required,
        })
    }
}

async fn link_failed(
    app: &App,
    viewer: &Viewer,
    key: &str,
    form: String,
    values: FormValues,
    e: AppError,
) -> Response {
    match app_failure(e) {
        Ok(errors) => {
            let failed = Failed {
                key: form,
                title: "the lesson's document link".into(),
                values: values.fields,
                errors,
            };
            super::review::respond_failed(app, viewer, key, failed).await
        }
        Err(e) => error_page(viewer, e),
    }
}

async fn add_link(
    State(app): State<App>,
    viewer: Viewer,
    Path(key): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let values = FormValues { fields };
    let lesson = values.get("lesson");
    let draft = LessonLinkDraft {
        document: values.get("document"),
        change: values.get("change"),
        ..Default::default()
    };
    match app.link_lesson(&key, &lesson, &draft).await {
        Ok(_) => Redirect::to(&format!(
            "/incidents/{key}/review?saved=lessons&did=linked#item-{lesson}"
        ))
        .into_response(),
        Err(e) => {
            let form = format!("link-{}", lesson.trim());
            link_failed(&app, &viewer, &key, form, values, e).await
        }
    }
}

async fn edit_link(
    State(app): State<App>,
    viewer: Viewer,
    Path((key, id)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let values = FormValues { fields };
    let version = values.version();
    let patch = LessonLinkPatch {
        state: Some("done".into()),
        done_version: Some(values.get("done_version")),
        done_on: Some(values.get("done_on")),
        ..Default::default()
    };
    match app.update_lesson_link(&key, &id, version, &patch).await {
        Ok(l) => Redirect::to(&format!(
            "/incidents/{key}/review?saved=lessons&did=done#item-{}",
            l.lesson_id
        ))
        .into_response(),
        Err(e) => {
            let form = format!("done-{}", id.trim());
            link_failed(&app, &viewer, &key, form, values, e).await
        }
    }
}
