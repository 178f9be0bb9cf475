//! The server-rendered pages. They work without JavaScript: every change is
//! a form POST answered with a redirect (or the same page with the errors
//! beside the fields), and every filter lives in the URL.

mod accounts;
mod actions;
mod attachments;
mod blameless;
mod documents;
mod form;
mod improvements;
mod learning;
mod programme;
mod review;
mod settings;
mod templates;
mod view;
mod webhooks;
mod workshops;

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use debrief_app::incidents::IncidentView;
use debrief_app::{App, AppError};
use debrief_core::lifecycle::human_duration;
use debrief_core::{
    DurationName, EventKind, FieldErrors, Incident, IncidentDraft, LifecycleField, Severity,
    Status, TimelineEvent, TimelineEventDraft, Timestamp,
};
use debrief_store::{EventFilter, IncidentSort};

use crate::api::incident_query;
use crate::assets::{CSS_PATH, JS_PATH};
use view::{COMMON_ZONES, Choice, TimeView, Viewer, capitalise, severity_class, status_label};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/incidents", get(incident_list).post(create_incident))
        .route("/incidents/new", get(new_incident_form))
        .route("/incidents/{key}", get(incident_overview))
        .route(
            "/incidents/{key}/edit",
            get(edit_incident_form).post(update_incident),
        )
        .route(
            "/incidents/{key}/timeline",
            get(timeline_page).post(add_event),
        )
        .route("/incidents/{key}/lifecycle", post(set_time_from_event))
        .route("/preferences/zone", post(set_zone))
        .route("/preferences/name", post(set_name))
        .merge(accounts::routes())
        .merge(attachments::routes())
        .merge(actions::routes())
        .merge(blameless::routes())
        .merge(documents::routes())
        .merge(improvements::routes())
        .merge(learning::routes())
        .merge(programme::routes())
        .merge(review::routes())
        .merge(settings::routes())
        .merge(templates::routes())
        .merge(webhooks::routes())
        .merge(workshops::routes())
        .fallback(not_found)
}

/// What every page's frame needs.
struct Layout {
    title: String,
    nav: &'static str,
    zone_name: String,
    zones: Vec<Choice>,
    /// The name changes are recorded under (footer form), if given.
    editor: Option<String>,
    back: String,
    css: &'static str,
    js: &'static str,
    /// The session's CSRF token, a hidden `_csrf` field in every POST form.
    csrf: String,
    /// Who is signed in: name, email and role.
    user: Option<(String, String, String)>,
    /// Whether the footer's "record as" name form is offered (admins).
    scribe: bool,
    /// Whether the caller's role shows editing and managing buttons (the
    /// guard refuses the routes anyway; hiding them spares a 403).
    can_contribute: bool,
    can_manage: bool,
}

impl Layout {
    fn new(
        title: impl Into<String>,
        nav: &'static str,
        viewer: &Viewer,
        back: impl Into<String>,
    ) -> Self {
        let mut zones: Vec<Choice> = COMMON_ZONES
            .iter()
            .map(|z| Choice::new(*z, z.replace('_', " "), *z == viewer.zone_name))
            .collect();
        if !COMMON_ZONES.contains(&viewer.zone_name.as_str()) {
            zones.insert(
                0,
                Choice::new(
                    viewer.zone_name.clone(),
                    viewer.zone_name.replace('_', " "),
                    true,
                ),
            );
        }
        Self {
            title: title.into(),
            nav,
            zone_name: viewer.zone_name.clone(),
            zones,
            editor: viewer.name.clone(),
            back: back.into(),
            css: CSS_PATH,
            js: JS_PATH,
            csrf: viewer.csrf(),
            user: viewer.signed.as_ref().map(|s| {
                (
                    s.name.clone(),
                    s.caller.actor.clone(),
                    s.caller.role.to_string(),
                )
            }),
            scribe: viewer
                .signed
                .as_ref()
                .is_some_and(|s| s.caller.role == debrief_core::Role::Admin),
            can_contribute: viewer
                .signed
                .as_ref()
                .is_some_and(|s| s.caller.role >= debrief_core::Role::Contributor),
            can_manage: viewer
                .signed
                .as_ref()
                .is_some_and(|s| s.caller.role >= debrief_core::Role::Manager),
        }
    }
}

fn render(t: &impl Template, status: StatusCode) -> Response {
    match t.render() {
        Ok(html) => {
            let mut res = (status, Html(html)).into_response();
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be rendered",
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    heading: String,
    message: String,
}

/// A page outside the signed-in frame (the guard's 403 and 404).
pub(crate) fn plain_page(status: StatusCode, heading: &str, message: &str) -> Response {
    let viewer = Viewer {
        zone: jiff::tz::TimeZone::UTC,
        zone_name: "UTC".into(),
        name: None,
        signed: None,
    };
    let page = ErrorPage {
        layout: Layout::new(heading, "", &viewer, "/"),
        heading: heading.into(),
        message: message.into(),
    };
    render(&page, status)
}

fn error_page(viewer: &Viewer, e: AppError) -> Response {
    let (status, heading, message) = match e {
        AppError::NotFound(m) => (StatusCode::NOT_FOUND, "Not found", m),
        AppError::Forbidden(m) => (StatusCode::FORBIDDEN, "Not allowed", m),
        AppError::Integrity(m) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "Integrity check failed",
            m,
        ),
        AppError::Store(e) => {
            tracing::error!(error = %e, "store error");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "The server could not complete the request; it has been logged.".to_owned(),
            )
        }
        other => (
            StatusCode::BAD_REQUEST,
            "That did not work",
            other.to_string(),
        ),
    };
    let page = ErrorPage {
        layout: Layout::new(heading, "", viewer, "/"),
        heading: heading.into(),
        message,
    };
    render(&page, status)
}

async fn not_found(viewer: Viewer) -> Response {
    error_page(
        &viewer,
        AppError::NotFound("There is no page at this address.".into()),
    )
}

// ----- incident list -------------------------------------------------------

struct IncidentRow {
    key: String,
    title: String,
    severity: String,
    severity_class: &'static str,
    status: &'static str,
    category: String,
    started: Option<TimeView>,
    time_to_detect: String,
    time_to_recover: String,
}

#[derive(Template)]
#[template(path = "incidents.html")]
struct IncidentListPage {
    layout: Layout,
    rows: Vec<IncidentRow>,
    q: String,
    statuses: Vec<Choice>,
    severities: Vec<Choice>,
    categories: Vec<Choice>,
    sorts: Vec<Choice>,
    next_url: Option<String>,
    filtered: bool,
    error: Option<String>,
}

fn duration_text(i: &Incident, name: DurationName) -> String {
    i.fields
        .lifecycle
        .durations(None)
        .get(name)
        .map(|d| d.human())
        .unwrap_or_else(|| "—".into())
}

async fn incident_list(
    State(app): State<App>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Response {
    let raw = raw.unwrap_or_default();
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&raw).unwrap_or_default();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (q, status, severity, category, sort) = (
        get("q"),
        get("status"),
        get("severity"),
        get("category"),
        get("sort"),
    );
    let mut error = None;
    let page = match incident_query(&pairs).map(|mut q| {
        q.filter.visibility = viewer.caller().visibility();
        q
    }) {
        Ok(query) => match app.list_incidents(&query).await {
            Ok(p) => Some(p),
            Err(AppError::Invalid(e)) => {
                error = Some(e.to_string());
                None
            }
            Err(e) => return error_page(&viewer, e),
        },
        Err(e) => {
            error = Some(e.0.detail);
            None
        }
    };
    let (rows, next) = match page {
        Some(p) => (p.items, p.next),
        None => (Vec::new(), None),
    };
    let rows = rows
        .iter()
        .map(|i| IncidentRow {
            key: i.key.to_string(),
            title: i.fields.title.clone(),
            severity: capitalise(i.fields.severity.as_str()),
            severity_class: severity_class(i.fields.severity),
            status: status_label(i.status()),
            category: app.settings().taxonomy.label(&i.fields.category).to_owned(),
            started: i
                .fields
                .lifecycle
                .get(LifecycleField::Started)
                .map(|t| TimeView::new(t, &viewer)),
            time_to_detect: duration_text(i, DurationName::TimeToDetect),
            time_to_recover: duration_text(i, DurationName::TimeToRecover),
        })
        .collect();
    let next_url = next.map(|c| {
        let mut keep: Vec<(String, String)> = pairs
            .iter()
            .filter(|(k, _)| k != "cursor")
            .cloned()
            .collect();
        keep.push(("cursor".into(), c.encode()));
        format!(
            "/incidents?{}",
            serde_urlencoded::to_string(&keep).unwrap_or_default()
        )
    });
    let with_any = |label: &str, mut v: Vec<Choice>| {
        v.insert(0, Choice::new("", label, false));
        v
    };
    let page = IncidentListPage {
        layout: Layout::new(
            "Incidents",
            "incidents",
            &viewer,
            format!("/incidents?{raw}"),
        ),
        rows,
        statuses: with_any(
            "Any status",
            Status::ALL
                .iter()
                .map(|s| Choice::new(s.as_str(), status_label(*s), s.as_str() == status))
                .collect(),
        ),
        severities: with_any(
            "Any severity",
            Severity::ALL
                .iter()
                .map(|s| Choice::new(s.as_str(), capitalise(s.as_str()), s.as_str() == severity))
                .collect(),
        ),
        categories: with_any(
            "Any category",
            app.settings()
                .taxonomy
                .entries()
                .iter()
                .map(|c| Choice::new(c.slug.clone(), c.label.clone(), c.slug == category))
                .collect(),
        ),
        sorts: IncidentSort::ALL
            .iter()
            .map(|s| Choice::new(s.as_str(), s.label(), s.as_str() == sort))
            .collect(),
        filtered: !(q.is_empty()
            && status.is_empty()
            && severity.is_empty()
            && category.is_empty()),
        q,
        next_url,
        error,
    };
    render(&page, StatusCode::OK)
}

// ----- new / edit form -----------------------------------------------------

struct TimeField {
    name: &'static str,
    label: String,
    hint: &'static str,
    value: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "incident_form.html")]
struct IncidentFormPage {
    layout: Layout,
    heading: String,
    action: String,
    submit: &'static str,
    cancel: String,
    key: Option<String>,
    version: Option<i64>,
    title: String,
    summary: String,
    services: String,
    business_units: String,
    tags: String,
    responders: String,
    categories: Vec<Choice>,
    severities: Vec<Choice>,
    times: Vec<TimeField>,
    errors: Vec<(String, String)>,
    error_for: std::collections::HashMap<String, String>,
    conflict: Option<String>,
}

/// The form's values as submitted (strings), so a failed save keeps them.
#[derive(Default)]
struct FormValues {
    fields: Vec<(String, String)>,
}

impl FormValues {
    /// The `version` field a form read (0 for something never saved).
    fn version(&self) -> i64 {
        self.get("version").trim().parse().unwrap_or(0)
    }

    fn get(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
    /// Every value of a repeated field (checkboxes, hidden lists).
    fn all(&self, name: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
    fn list(&self, name: &str) -> Vec<String> {
        self.get(name)
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    }
    fn to_draft(&self) -> IncidentDraft {
        IncidentDraft {
            title: self.get("title"),
            summary: self.get("summary"),
            category: self.get("category"),
            severity: self.get("severity"),
            services: self.list("services"),
            business_units: self.list("business_units"),
            tags: self.list("tags"),
            responders: self.list("responders"),
            timestamps: LifecycleField::ALL
                .iter()
                .map(|f| (f.as_str().to_owned(), self.get(f.as_str())))
                .filter(|(_, v)| !v.trim().is_empty())
                .collect(),
            precisions: Vec::new(),
        }
    }
    fn from_incident(i: &Incident) -> Self {
        let d = i.fields.to_draft();
        let mut fields = vec![
            ("title".to_owned(), d.title),
            ("summary".to_owned(), d.summary),
            ("category".to_owned(), d.category),
            ("severity".to_owned(), d.severity),
            ("services".to_owned(), d.services.join(", ")),
            ("business_units".to_owned(), d.business_units.join(", ")),
            ("tags".to_owned(), d.tags.join(", ")),
            ("responders".to_owned(), d.responders.join(", ")),
        ];
        fields.extend(d.timestamps);
        Self { fields }
    }
}

/// The form field id of an error's field name.
fn field_id(field: &str) -> String {
    format!("f-{}", field.replace(['.', '_'], "-"))
}

fn form_page(
    app: &App,
    viewer: &Viewer,
    values: &FormValues,
    errors: &FieldErrors,
    existing: Option<&Incident>,
    conflict: Option<String>,
) -> IncidentFormPage {
    let category = values.get("category");
    let severity = values.get("severity");
    let mut categories = vec![Choice::new("", "Choose a category", category.is_empty())];
    categories.extend(
        app.settings()
            .taxonomy
            .entries()
            .iter()
            .map(|c| Choice::new(c.slug.clone(), c.label.clone(), c.slug == category)),
    );
    let mut severities = vec![Choice::new("", "Choose a severity", severity.is_empty())];
    severities.extend(
        Severity::ALL
            .iter()
            .map(|s| Choice::new(s.as_str(), capitalise(s.as_str()), s.as_str() == severity)),
    );
    let times = LifecycleField::ALL
        .iter()
        .map(|f| TimeField {
            name: f.as_str(),
            label: capitalise(f.as_str()),
            hint: f.description(),
            value: values.get(f.as_str()),
            error: errors
                .for_field(&format!("timestamps.{}", f.as_str()))
                .map(str::to_owned),
        })
        .collect();
    let error_for = errors
        .iter()
        .map(|e| (e.field.clone(), e.message.clone()))
        .collect();
    let (heading, action, submit, cancel, back) = match existing {
        Some(i) => (
            format!("Edit {}", i.key),
            format!("/incidents/{}/edit", i.key),
            "Save changes",
            format!("/incidents/{}", i.key),
            format!("/incidents/{}/edit", i.key),
        ),
        None => (
            "New incident".into(),
            "/incidents".into(),
            "Open incident",
            "/incidents".into(),
            "/incidents/new".into(),
        ),
    };
    IncidentFormPage {
        layout: Layout::new(
            heading.clone(),
            if existing.is_some() {
                "incidents"
            } else {
                "new"
            },
            viewer,
            back,
        ),
        heading,
        action,
        submit,
        cancel,
        key: existing.map(|i| i.key.to_string()),
        version: existing.map(|i| i.version),
        title: values.get("title"),
        summary: values.get("summary"),
        services: values.get("services"),
        business_units: values.get("business_units"),
        tags: values.get("tags"),
        responders: values.get("responders"),
        categories,
        severities,
        times,
        errors: errors
            .iter()
            .map(|e| {
                (
                    field_id(&e.field),
                    format!("{}: {}", pretty_field(&e.field), e.message),
                )
            })
            .collect(),
        error_for,
        conflict,
    }
}

fn pretty_field(field: &str) -> String {
    capitalise(&field.trim_start_matches("timestamps.").replace('_', " "))
}

async fn new_incident_form(State(app): State<App>, viewer: Viewer) -> Response {
    render(
        &form_page(
            &app,
            &viewer,
            &FormValues::default(),
            &FieldErrors::default(),
            None,
            None,
        ),
        StatusCode::OK,
    )
}

async fn create_incident(
    State(app): State<App>,
    viewer: Viewer,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let values = FormValues { fields };
    match app
        .create_incident_in_zone(&values.to_draft(), Some(&viewer.zone))
        .await
    {
        Ok(i) => Redirect::to(&format!("/incidents/{}", i.key)).into_response(),
        Err(AppError::Invalid(errors)) => render(
            &form_page(&app, &viewer, &values, &errors, None, None),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => error_page(&viewer, e),
    }
}

async fn edit_incident_form(
    State(app): State<App>,
    viewer: Viewer,
    Path(key): Path<String>,
) -> Response {
    match app.incident(&key).await {
        Ok(i) => render(
            &form_page(
                &app,
                &viewer,
                &FormValues::from_incident(&i),
                &FieldErrors::default(),
                Some(&i),
                None,
            ),
            StatusCode::OK,
        ),
        Err(e) => error_page(&viewer, e),
    }
}

async fn update_incident(
    State(app): State<App>,
    viewer: Viewer,
    Path(key): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let values = FormValues { fields };
    let current = match app.incident(&key).await {
        Ok(i) => i,
        Err(e) => return error_page(&viewer, e),
    };
    let Ok(version) = values.get("version").parse::<i64>() else {
        return error_page(
            &viewer,
            AppError::Invalid(FieldErrors::from(debrief_core::FieldError::new(
                "version",
                "the form lost its version; reload the page",
            ))),
        );
    };
    match app
        .update_incident(&key, version, &values.to_draft(), Some(&viewer.zone))
        .await
    {
        Ok(i) => Redirect::to(&format!("/incidents/{}", i.key)).into_response(),
        Err(AppError::Invalid(errors)) => {
            let mut shown = current.clone();
            shown.version = version;
            render(
                &form_page(&app, &viewer, &values, &errors, Some(&shown), None),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(AppError::Conflict {
            current_version, ..
        }) => {
            let msg = format!(
                "Someone else saved this incident while you were editing (it is now at version {}). \
                 Your changes are still in the form below: open the incident in another tab to see theirs, \
                 then save again to apply yours on top.",
                current_version.unwrap_or(current.version)
            );
            // Saving again applies on top of the version that is now current.
            render(
                &form_page(
                    &app,
                    &viewer,
                    &values,
                    &FieldErrors::default(),
                    Some(&current),
                    Some(msg),
                ),
                StatusCode::CONFLICT,
            )
        }
        Err(e) => error_page(&viewer, e),
    }
}

// ----- incident overview ---------------------------------------------------

struct Phase {
    name: String,
    hint: &'static str,
    time: Option<TimeView>,
}

struct DurationRow {
    label: &'static str,
    definition: &'static str,
    value: Option<String>,
    precision: Option<&'static str>,
}

struct EventRow {
    id: String,
    time: TimeView,
    kind: &'static str,
    kind_value: &'static str,
    actor: String,
    source: String,
    text: String,
    key: bool,
    tags: Vec<String>,
    evidence_url: Option<String>,
    /// Evidence files attached to the event (the timeline tab fills it).
    attachments: Vec<attachments::AttachmentRow>,
}

impl EventRow {
    fn new(e: &TimelineEvent, viewer: &Viewer) -> Self {
        Self {
            id: e.id.to_string(),
            time: TimeView::new(e.event.at, viewer),
            kind: e.event.kind.label(),
            kind_value: e.event.kind.as_str(),
            actor: e.event.actor.clone().unwrap_or_default(),
            source: e.event.source.clone(),
            text: e.event.text.clone(),
            key: e.event.key,
            tags: e.event.tags.clone(),
            evidence_url: e.event.evidence_url.clone(),
            attachments: Vec::new(),
        }
    }
}

/// What the header of every incident tab shows.
struct IncidentHead {
    key: String,
    title: String,
    severity: String,
    severity_class: &'static str,
    status: &'static str,
    category: String,
    version: i64,
    phases: Vec<Phase>,
    event_count: u64,
}

impl IncidentHead {
    fn new(app: &App, v: &IncidentView, viewer: &Viewer) -> Self {
        let i = &v.incident;
        Self {
            key: i.key.to_string(),
            title: i.fields.title.clone(),
            severity: capitalise(i.fields.severity.as_str()),
            severity_class: severity_class(i.fields.severity),
            status: status_label(i.status()),
            category: app.settings().taxonomy.label(&i.fields.category).to_owned(),
            version: i.version,
            phases: i
                .fields
                .lifecycle
                .iter()
                .map(|(f, t)| Phase {
                    name: capitalise(f.as_str()),
                    hint: f.description(),
                    time: t.map(|t| TimeView::new(t, viewer)),
                })
                .collect(),
            event_count: v.event_count,
        }
    }
}

#[derive(Template)]
#[template(path = "incident.html")]
struct IncidentPage {
    layout: Layout,
    head: IncidentHead,
    tab: &'static str,
    summary: String,
    services: Vec<String>,
    business_units: Vec<String>,
    tags: Vec<String>,
    responders: Vec<String>,
    durations: Vec<DurationRow>,
    key_events: Vec<EventRow>,
    due: Option<workshops::DueView>,
    created: TimeView,
    updated: TimeView,
    related: Vec<debrief_app::learning::Related>,
    /// The review's answer to "is this a recurrence?", when one was opened:
    /// the answer's words, the earlier keys and the note.
    recurrence: Option<(&'static str, Vec<String>, String)>,
}

async fn incident_overview(
    State(app): State<App>,
    viewer: Viewer,
    Path(key): Path<String>,
) -> Response {
    let view = match app.incident_view(&key).await {
        Ok(v) => v,
        Err(e) => return error_page(&viewer, e),
    };
    let key_events = match app
        .events(
            &key,
            &EventFilter {
                key_only: true,
                ..Default::default()
            },
        )
        .await
    {
        Ok(e) => e,
        Err(e) => return error_page(&viewer, e),
    };
    let due = match app.review_due(&view.incident).await {
        Ok(d) => d.as_ref().map(workshops::DueView::new),
        Err(e) => return error_page(&viewer, e),
    };
    let related = match app.related(&key, 8, &viewer.caller().visibility()).await {
        Ok(r) => r,
        Err(e) => return error_page(&viewer, e),
    };
    let recurrence = match app.review(&key).await {
        Ok((_, r)) => r.map(|r| {
            (
                r.recurrence.answer.label(),
                r.recurrence.of.clone(),
                r.recurrence.note.clone(),
            )
        }),
        Err(e) => return error_page(&viewer, e),
    };
    let i = &view.incident;
    let page = IncidentPage {
        related,
        recurrence,
        due,
        layout: Layout::new(
            format!("{} {}", i.key, i.fields.title),
            "incidents",
            &viewer,
            format!("/incidents/{}", i.key),
        ),
        head: IncidentHead::new(&app, &view, &viewer),
        tab: "overview",
        summary: i.fields.summary.clone(),
        services: i.fields.services.clone(),
        business_units: i.fields.business_units.clone(),
        tags: i.fields.tags.clone(),
        responders: i.fields.responders.clone(),
        durations: view
            .durations
            .iter()
            .map(|(n, d)| DurationRow {
                label: n.label(),
                definition: n.definition(),
                value: d.map(|d| d.human()),
                precision: d.map(|d| d.precision.as_str()),
            })
            .collect(),
        key_events: key_events
            .iter()
            .map(|e| EventRow::new(e, &viewer))
            .collect(),
        created: TimeView::new(
            Timestamp::from_jiff(i.created_at, debrief_core::Precision::Minute),
            &viewer,
        ),
        updated: TimeView::new(
            Timestamp::from_jiff(i.updated_at, debrief_core::Precision::Minute),
            &viewer,
        ),
    };
    render(&page, StatusCode::OK)
}

// ----- timeline ------------------------------------------------------------

/// One line of the chronology: a day heading, a silence, or an event.
enum Line {
    Day(String),
    Gap(String),
    Event(Box<EventRow>),
}

#[derive(Template)]
#[template(path = "timeline.html")]
struct TimelinePage {
    layout: Layout,
    head: IncidentHead,
    tab: &'static str,
    lines: Vec<Line>,
    shown: usize,
    kinds: Vec<Choice>,
    key_only: bool,
    actor: String,
    filtered: bool,
    lifecycle_choices: Vec<Choice>,
    form: EventForm,
    notice: Option<String>,
    error: Option<String>,
    zone_name: String,
    /// The upload limit, for the attach forms' hint.
    max_attachment: String,
}

/// The add-event form's values and errors.
#[derive(Default)]
struct EventForm {
    at: String,
    kinds: Vec<Choice>,
    actor: String,
    text: String,
    key: bool,
    errors: Vec<(String, String)>,
    error_for: std::collections::HashMap<String, String>,
}

impl EventForm {
    fn err(&self, field: &str) -> Option<&String> {
        self.error_for.get(field)
    }
    fn new(
        at: String,
        kind: String,
        actor: String,
        text: String,
        key: bool,
        errors: &FieldErrors,
    ) -> Self {
        let mut kinds = vec![Choice::new("", "Choose a kind", kind.is_empty())];
        kinds.extend(
            EventKind::ALL
                .iter()
                .map(|k| Choice::new(k.as_str(), k.label(), k.as_str() == kind)),
        );
        Self {
            at,
            kinds,
            actor,
            text,
            key,
            errors: errors
                .iter()
                .map(|e| {
                    (
                        format!("e-{}", e.field.replace('_', "-")),
                        format!("{}: {}", capitalise(&e.field.replace('_', " ")), e.message),
                    )
                })
                .collect(),
            error_for: errors
                .iter()
                .map(|e| (e.field.clone(), e.message.clone()))
                .collect(),
        }
    }
}

/// Silences longer than this are pointed out (they often hide waiting).
const GAP_MICROS: i64 = 2 * 3_600_000_000;

fn lines(
    events: &[TimelineEvent],
    viewer: &Viewer,
    show_gaps: bool,
    evidence: &[debrief_core::attachment::Attachment],
) -> Vec<Line> {
    let mut out = Vec::new();
    let mut last_day = String::new();
    let mut previous: Option<Timestamp> = None;
    for e in events {
        let mut row = EventRow::new(e, viewer);
        row.attachments = evidence
            .iter()
            .filter(|a| a.event_id == e.id)
            .map(|a| attachments::AttachmentRow::new(a, viewer))
            .collect();
        if let Some(p) = previous {
            let silence = e.event.at.micros_utc() - p.latest_micros();
            if show_gaps && silence > GAP_MICROS {
                let precision = p.precision().coarser(e.event.at.precision());
                out.push(Line::Gap(human_duration(silence / 1_000_000, precision)));
            }
        }
        if row.time.day != last_day {
            last_day = row.time.day.clone();
            out.push(Line::Day(last_day.clone()));
        }
        previous = Some(e.event.at);
        out.push(Line::Event(Box::new(row)));
    }
    out
}

#[allow(clippy::too_many_arguments)]
async fn timeline_response(
    app: &App,
    viewer: &Viewer,
    key: &str,
    raw_query: &str,
    form: Option<EventForm>,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw_query).unwrap_or_default();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let kind = get("kind");
    let key_only = matches!(get("key_only").as_str(), "on" | "true" | "1");
    let actor = get("actor");
    let filter = EventFilter {
        kinds: kind.parse::<EventKind>().ok().into_iter().collect(),
        key_only,
        actor: Some(actor.clone()).filter(|a| !a.is_empty()),
    };
    let view = match app.incident_view(key).await {
        Ok(v) => v,
        Err(e) => return error_page(viewer, e),
    };
    let events = match app.events(key, &filter).await {
        Ok(e) => e,
        Err(e) => return error_page(viewer, e),
    };
    let evidence = match app.incident_attachments(&viewer.caller(), key).await {
        Ok(a) => a,
        Err(e) => return error_page(viewer, e),
    };
    let filtered = !filter.kinds.is_empty() || key_only || filter.actor.is_some();
    let mut kinds = vec![Choice::new("", "All kinds", kind.is_empty())];
    kinds.extend(
        EventKind::ALL
            .iter()
            .map(|k| Choice::new(k.as_str(), k.label(), k.as_str() == kind)),
    );
    let mut lifecycle_choices = vec![Choice::new("", "Set as…", true)];
    lifecycle_choices.extend(
        LifecycleField::ALL
            .iter()
            .map(|f| Choice::new(f.as_str(), capitalise(f.as_str()), false)),
    );
    let i = &view.incident;
    let page = TimelinePage {
        layout: Layout::new(
            format!("Timeline · {} {}", i.key, i.fields.title),
            "incidents",
            viewer,
            format!("/incidents/{}/timeline", i.key),
        ),
        head: IncidentHead::new(app, &view, viewer),
        tab: "timeline",
        shown: events.len(),
        lines: lines(&events, viewer, !filtered, &evidence),
        max_attachment: debrief_core::attachment::human_size(app.max_attachment_bytes()),
        kinds,
        key_only,
        actor,
        filtered,
        lifecycle_choices,
        form: form.unwrap_or_else(|| {
            EventForm::new(
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                false,
                &FieldErrors::default(),
            )
        }),
        notice,
        error,
        zone_name: viewer.zone_name.clone(),
    };
    render(&page, status)
}

async fn timeline_page(
    State(app): State<App>,
    viewer: Viewer,
    Path(key): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let q = q.unwrap_or_default();
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&q).unwrap_or_default();
    let notice = pairs
        .iter()
        .find(|(k, _)| k == "added")
        .map(|(_, v)| match v.as_str() {
            "0" => "That event was already in the timeline; nothing was added.".to_owned(),
            _ => "Event added.".to_owned(),
        })
        .or_else(|| {
            pairs
                .iter()
                .find(|(k, _)| k == "attached")
                .map(|(_, v)| format!("Evidence attached: {v}; its SHA-256 is recorded."))
        })
        .or_else(|| {
            pairs
                .iter()
                .find(|(k, _)| k == "set")
                .map(|(_, v)| format!("{} time updated from the event.", capitalise(v)))
        });
    timeline_response(&app, &viewer, &key, &q, None, notice, None, StatusCode::OK).await
}

async fn add_event(
    State(app): State<App>,
    viewer: Viewer,
    Path(key): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let values = FormValues { fields };
    let draft = TimelineEventDraft {
        at: values.get("at"),
        kind: values.get("kind"),
        actor: Some(values.get("actor")),
        text: values.get("text"),
        key: matches!(values.get("key").as_str(), "on" | "true" | "1"),
        ..Default::default()
    };
    match app.add_event(&key, &draft, Some(&viewer.zone)).await {
        Ok(added) => Redirect::to(&format!(
            "/incidents/{key}/timeline?added={}#event-{}",
            u8::from(added.created),
            added.event.id
        ))
        .into_response(),
        Err(AppError::Invalid(errors)) => {
            let form = EventForm::new(
                draft.at,
                draft.kind,
                draft.actor.unwrap_or_default(),
                draft.text,
                draft.key,
                &errors,
            );
            timeline_response(
                &app,
                &viewer,
                &key,
                "",
                Some(form),
                None,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => error_page(&viewer, e),
    }
}

async fn set_time_from_event(
    State(app): State<App>,
    viewer: Viewer,
    Path(key): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let values = FormValues { fields };
    let field = values.get("field");
    let version = values.get("version").parse::<i64>().ok();
    let event_id = match uuid::Uuid::parse_str(&values.get("event_id")) {
        Ok(id) => id,
        Err(_) => {
            return error_page(
                &viewer,
                AppError::NotFound("that timeline event does not exist".into()),
            );
        }
    };
    if field.is_empty() {
        let msg = "Choose which lifecycle time this event sets, then press Set.".to_owned();
        return timeline_response(
            &app,
            &viewer,
            &key,
            "",
            None,
            None,
            Some(msg),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    match app
        .set_time_from_event(&key, &field, event_id, version)
        .await
    {
        Ok(_) => Redirect::to(&format!(
            "/incidents/{key}/timeline?set={field}#event-{event_id}"
        ))
        .into_response(),
        Err(AppError::Invalid(e)) => {
            timeline_response(
                &app,
                &viewer,
                &key,
                "",
                None,
                None,
                Some(
                    e.iter()
                        .map(|e| e.message.clone())
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(AppError::Conflict { .. }) => {
            let msg = "Someone else changed this incident a moment ago; the page now shows their change. Set the time again if it is still right.".to_owned();
            timeline_response(
                &app,
                &viewer,
                &key,
                "",
                None,
                None,
                Some(msg),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => error_page(&viewer, e),
    }
}

// ----- preferences ---------------------------------------------------------

/// Where a preference form returns to: only local paths, never another host.
fn local_back(back: String) -> String {
    if back.starts_with('/') && !back.starts_with("//") && !back.contains('\\') {
        back
    } else {
        "/".into()
    }
}

async fn set_zone(Form(fields): Form<Vec<(String, String)>>) -> Response {
    let get = |n: &str| {
        fields
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let zone = get("zone");
    let back = local_back(get("back"));
    let mut res = Redirect::to(&back).into_response();
    if jiff::tz::TimeZone::get(&zone).is_ok() {
        let cookie = format!("tz={zone}; Path=/; Max-Age=31536000; SameSite=Lax");
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            res.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    res
}

/// "Your name" in the footer: until accounts exist, the name changes are
/// recorded under (cookie `name`, at most 80 characters). An empty name
/// forgets it.
async fn set_name(Form(fields): Form<Vec<(String, String)>>) -> Response {
    let get = |n: &str| {
        fields
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let back = local_back(get("back"));
    let mut res = Redirect::to(&back).into_response();
    let cookie = match view::clean_name(&get("name")) {
        Some(name) => format!(
            "name={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly",
            view::cookie_encode(&name)
        ),
        None => "name=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly".to_owned(),
    };
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}
