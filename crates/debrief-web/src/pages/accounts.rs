//! Account pages (PRODUCT.md §11): sign-in and sign-out, the one-time
//! setup and reset links, my account (password, my API tokens),
//! Settings → Users and Settings → Audit log (admins), and who may see a
//! restricted incident (managers).

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::{Extensions, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use debrief_app::accounts::LoginError;
use debrief_app::{App, AppError};
use debrief_core::account::is_local_path;
use debrief_core::{IncidentKey, Role, UserDraft};
use debrief_store::AuditFilter;
use uuid::Uuid;

use super::view::{TimeView, Viewer};
use super::{Layout, error_page, render};
use crate::access::{SESSION_COOKIE, cookie};

pub(super) fn routes() -> Router<App> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/setup/{token}", get(setup_page).post(setup))
        .route("/reset/{token}", get(reset_page).post(reset))
        .route("/account", get(account_page))
        .route("/account/password", post(change_password))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
        .route("/settings/users", get(users_page).post(add_user))
        .route("/settings/users/{email}", post(update_user))
        .route("/settings/users/{email}/reset", post(reset_link))
        .route("/settings/audit", get(audit_page))
        .route("/incidents/{key}/access", get(access_page).post(set_access))
}

fn field(fields: &[(String, String)], name: &str) -> String {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn query_pairs(q: &Option<String>) -> Vec<(String, String)> {
    q.as_deref()
        .and_then(|q| serde_urlencoded::from_str(q).ok())
        .unwrap_or_default()
}

fn problems_of(e: AppError) -> Vec<String> {
    match e {
        AppError::Invalid(f) => f
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect(),
        other => vec![other.to_string()],
    }
}

// ----- sign-in -------------------------------------------------------------

/// The sign-in page, and the setup and reset pages (same form, other fields).
#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    /// `login`, `setup` or `reset`.
    mode: &'static str,
    action: String,
    next: String,
    email: String,
    name: String,
    problems: Vec<String>,
    notice: Option<String>,
}

fn login_view(viewer: &Viewer, mode: &'static str, action: String) -> LoginPage {
    let title = match mode {
        "setup" => "Create the first admin",
        "reset" => "Choose a new password",
        _ => "Sign in",
    };
    LoginPage {
        layout: Layout::new(title, "login", viewer, "/login"),
        mode,
        action,
        next: "/incidents".into(),
        email: String::new(),
        name: String::new(),
        problems: Vec::new(),
        notice: None,
    }
}

fn safe_next(next: &str) -> String {
    if is_local_path(next) && !next.starts_with("/login") {
        next.to_owned()
    } else {
        "/incidents".into()
    }
}

async fn login_page(viewer: Viewer, RawQuery(q): RawQuery) -> Response {
    let pairs = query_pairs(&q);
    let mut page = login_view(&viewer, "login", "/login".into());
    page.next = safe_next(&field(&pairs, "next"));
    if field(&pairs, "signed_out") == "1" {
        page.notice = Some("You are signed out.".into());
    }
    render(&page, StatusCode::OK)
}

fn session_cookie(app: &App, value: &str, max_age: u64) -> HeaderValue {
    let secure = if app.settings().secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("debrief_session=; Path=/; Max-Age=0"))
}

fn address(ext: &Extensions) -> String {
    ext.get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

async fn login(
    State(app): State<App>,
    viewer: Viewer,
    ext: Extensions,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let email = field(&fields, "email");
    let next = safe_next(&field(&fields, "next"));
    let outcome = match app
        .login(&email, &field(&fields, "password"), &address(&ext))
        .await
    {
        Ok(o) => o,
        Err(e) => return error_page(&viewer, e),
    };
    match outcome {
        Ok((session, _user)) => {
            let mut res = Redirect::to(&next).into_response();
            let max_age = app.settings().session_absolute.as_secs();
            res.headers_mut()
                .insert(header::SET_COOKIE, session_cookie(&app, &session, max_age));
            res
        }
        Err(why) => {
            let mut page = login_view(&viewer, "login", "/login".into());
            page.email = email;
            page.next = next;
            let (status, message) = match why {
                // The form again, with the message: a page, not an HTTP
                // authentication challenge.
                LoginError::WrongCredentials => {
                    (StatusCode::OK, "The email or the password is wrong.")
                }
                LoginError::TooManyAttempts => (
                    StatusCode::TOO_MANY_REQUESTS,
                    "Too many failed sign-ins: wait 15 minutes and try again, or ask an admin to reset your password.",
                ),
            };
            page.problems = vec![message.into()];
            render(&page, status)
        }
    }
}

async fn logout(State(app): State<App>, headers: axum::http::HeaderMap) -> Response {
    if let Some(session) = cookie(&headers, SESSION_COOKIE)
        && let Err(e) = app.logout(session).await
    {
        tracing::error!(error = %e, "sign-out failed");
    }
    let mut res = Redirect::to("/login?signed_out=1").into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&app, "", 0));
    res
}

async fn setup_page(State(app): State<App>, viewer: Viewer, Path(token): Path<String>) -> Response {
    match app.link_valid(&token, "setup").await {
        Ok(true) => render(
            &login_view(&viewer, "setup", format!("/setup/{token}")),
            StatusCode::OK,
        ),
        Ok(false) => error_page(
            &viewer,
            AppError::NotFound("This setup link was used or has expired.".into()),
        ),
        Err(e) => error_page(&viewer, e),
    }
}

async fn setup(
    State(app): State<App>,
    viewer: Viewer,
    Path(token): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let draft = UserDraft {
        email: field(&fields, "email"),
        name: field(&fields, "name"),
        role: Role::Admin,
    };
    match app
        .complete_setup(&token, &draft, &field(&fields, "password"))
        .await
    {
        Ok(_) => Redirect::to("/login").into_response(),
        Err(AppError::NotFound(m)) => error_page(&viewer, AppError::NotFound(m)),
        Err(e) => {
            let mut page = login_view(&viewer, "setup", format!("/setup/{token}"));
            page.email = draft.email;
            page.name = draft.name;
            page.problems = problems_of(e);
            render(&page, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

async fn reset_page(State(app): State<App>, viewer: Viewer, Path(token): Path<String>) -> Response {
    match app.link_valid(&token, "reset").await {
        Ok(true) => render(
            &login_view(&viewer, "reset", format!("/reset/{token}")),
            StatusCode::OK,
        ),
        Ok(false) => error_page(
            &viewer,
            AppError::NotFound(
                "This link was used or has expired; ask an admin for a new one.".into(),
            ),
        ),
        Err(e) => error_page(&viewer, e),
    }
}

async fn reset(
    State(app): State<App>,
    viewer: Viewer,
    Path(token): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    match app
        .reset_password(&token, &field(&fields, "password"))
        .await
    {
        Ok(_) => Redirect::to("/login").into_response(),
        Err(AppError::NotFound(m)) => error_page(&viewer, AppError::NotFound(m)),
        Err(e) => {
            let mut page = login_view(&viewer, "reset", format!("/reset/{token}"));
            page.problems = problems_of(e);
            render(&page, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

// ----- my account ----------------------------------------------------------

struct TokenRow {
    id: Uuid,
    name: String,
    role: String,
    created: TimeView,
    last_used: Option<TimeView>,
    revoked: Option<TimeView>,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    email: String,
    role: String,
    roles: Vec<&'static str>,
    tokens: Vec<TokenRow>,
    new_token: Option<String>,
    problems: Vec<String>,
    notice: Option<String>,
}

async fn account_view(
    app: &App,
    viewer: &Viewer,
    new_token: Option<String>,
    problems: Vec<String>,
    notice: Option<String>,
    status: StatusCode,
) -> Response {
    let caller = viewer.caller();
    let tokens = match app.tokens(&caller, false).await {
        Ok(t) => t,
        Err(e) => return error_page(viewer, e),
    };
    let ts = |t: jiff::Timestamp| {
        TimeView::new(
            debrief_core::Timestamp::from_jiff(t, debrief_core::Precision::Minute),
            viewer,
        )
    };
    let page = AccountPage {
        layout: Layout::new("My account", "account", viewer, "/account"),
        email: caller.actor.clone(),
        role: caller.role.to_string(),
        roles: Role::ALL
            .into_iter()
            .filter(|r| *r <= caller.role)
            .map(Role::as_str)
            .collect(),
        tokens: tokens
            .into_iter()
            .map(|t| TokenRow {
                id: t.id,
                name: t.name,
                role: t.role.to_string(),
                created: ts(t.created_at),
                last_used: t.last_used_at.map(ts),
                revoked: t.revoked_at.map(ts),
            })
            .collect(),
        new_token,
        problems,
        notice,
    };
    render(&page, status)
}

async fn account_page(State(app): State<App>, viewer: Viewer, RawQuery(q): RawQuery) -> Response {
    let notice = match field(&query_pairs(&q), "done").as_str() {
        "password" => Some("Your password is changed; your other sessions are signed out.".into()),
        "revoked" => Some("The token is revoked; it no longer works.".into()),
        _ => None,
    };
    account_view(&app, &viewer, None, Vec::new(), notice, StatusCode::OK).await
}

async fn change_password(
    State(app): State<App>,
    viewer: Viewer,
    headers: axum::http::HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let caller = viewer.caller();
    if field(&fields, "password") != field(&fields, "confirm") {
        return account_view(
            &app,
            &viewer,
            None,
            vec!["New password: the two entries differ".into()],
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    match app
        .change_password(
            &caller,
            &field(&fields, "current"),
            &field(&fields, "password"),
        )
        .await
    {
        Ok(()) => {
            // Every session ended; this one starts again.
            let _ = headers;
            Redirect::to("/login?next=%2Faccount%3Fdone%3Dpassword").into_response()
        }
        Err(e) => {
            account_view(
                &app,
                &viewer,
                None,
                problems_of(e),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

async fn create_token(
    State(app): State<App>,
    viewer: Viewer,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let caller = viewer.caller();
    let role = match field(&fields, "role").parse::<Role>() {
        Ok(r) => Some(r),
        Err(m) => {
            return account_view(
                &app,
                &viewer,
                None,
                vec![m],
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    match app
        .create_token(&caller, &caller.actor, &field(&fields, "name"), role)
        .await
    {
        Ok((secret, _)) => {
            account_view(
                &app,
                &viewer,
                Some(secret),
                Vec::new(),
                None,
                StatusCode::CREATED,
            )
            .await
        }
        Err(e) => {
            account_view(
                &app,
                &viewer,
                None,
                problems_of(e),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

async fn revoke_token(State(app): State<App>, viewer: Viewer, Path(id): Path<String>) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else {
        return error_page(
            &viewer,
            AppError::NotFound(format!("there is no API token {id}")),
        );
    };
    match app.revoke_token(&viewer.caller(), id).await {
        Ok(()) => Redirect::to("/account?done=revoked").into_response(),
        Err(e) => error_page(&viewer, e),
    }
}

// ----- Settings → Users ----------------------------------------------------

struct UserRow {
    email: String,
    name: String,
    role: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "settings_users.html")]
struct UsersPage {
    layout: Layout,
    users: Vec<UserRow>,
    roles: [&'static str; 4],
    problems: Vec<String>,
    notice: Option<String>,
    link: Option<String>,
    email: String,
    name: String,
}

async fn users_view(
    app: &App,
    viewer: &Viewer,
    problems: Vec<String>,
    notice: Option<String>,
    link: Option<String>,
    typed: (String, String),
    status: StatusCode,
) -> Response {
    let users = match app.users(&viewer.caller()).await {
        Ok(u) => u,
        Err(e) => return error_page(viewer, e),
    };
    let page = UsersPage {
        layout: Layout::new("Users", "settings", viewer, "/settings/users"),
        users: users
            .into_iter()
            .map(|u| UserRow {
                email: u.email,
                name: u.name,
                role: u.role.to_string(),
                active: u.active,
            })
            .collect(),
        roles: ["viewer", "contributor", "manager", "admin"],
        problems,
        notice,
        link,
        email: typed.0,
        name: typed.1,
    };
    render(&page, status)
}

async fn users_page(State(app): State<App>, viewer: Viewer, RawQuery(q): RawQuery) -> Response {
    let notice = match field(&query_pairs(&q), "done").as_str() {
        "added" => Some("The user is added; give them their password.".into()),
        "saved" => Some("The user is saved.".into()),
        _ => None,
    };
    users_view(
        &app,
        &viewer,
        Vec::new(),
        notice,
        None,
        Default::default(),
        StatusCode::OK,
    )
    .await
}

async fn add_user(
    State(app): State<App>,
    viewer: Viewer,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let role = field(&fields, "role")
        .parse::<Role>()
        .unwrap_or(Role::Viewer);
    let draft = UserDraft {
        email: field(&fields, "email"),
        name: field(&fields, "name"),
        role,
    };
    match app
        .add_user(&viewer.caller(), &draft, &field(&fields, "password"))
        .await
    {
        Ok(_) => Redirect::to("/settings/users?done=added").into_response(),
        Err(e) => {
            users_view(
                &app,
                &viewer,
                problems_of(e),
                None,
                None,
                (draft.email, draft.name),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

async fn update_user(
    State(app): State<App>,
    viewer: Viewer,
    Path(email): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let role = field(&fields, "role").parse::<Role>().ok();
    let active = match field(&fields, "active").as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    };
    match app
        .update_user(&viewer.caller(), &email, role, active)
        .await
    {
        Ok(_) => Redirect::to("/settings/users?done=saved").into_response(),
        Err(e) => {
            users_view(
                &app,
                &viewer,
                problems_of(e),
                None,
                None,
                Default::default(),
                StatusCode::CONFLICT,
            )
            .await
        }
    }
}

async fn reset_link(
    State(app): State<App>,
    viewer: Viewer,
    headers: axum::http::HeaderMap,
    Path(email): Path<String>,
) -> Response {
    match app.password_reset_link(&viewer.caller(), &email).await {
        Ok(token) => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("localhost");
            let scheme = if app.settings().secure_cookies {
                "https"
            } else {
                "http"
            };
            let link = format!("{scheme}://{host}/reset/{token}");
            users_view(
                &app,
                &viewer,
                Vec::new(),
                Some(format!(
                    "A one-time link for {email} (valid 24 hours, shown once):"
                )),
                Some(link),
                Default::default(),
                StatusCode::OK,
            )
            .await
        }
        Err(e) => error_page(&viewer, e),
    }
}

// ----- Settings → Audit log ------------------------------------------------

struct AuditRow {
    seq: i64,
    at: TimeView,
    actor: String,
    entity: String,
    entity_id: String,
    action: String,
    via: String,
    changes: Vec<debrief_app::audit::FieldChange>,
    /// A creation or deletion: the whole entity, folded away (the page
    /// stays a list of what changed).
    whole: bool,
}

#[derive(Template)]
#[template(path = "settings_audit.html")]
struct AuditPage {
    layout: Layout,
    rows: Vec<AuditRow>,
    entity: String,
    actor: String,
    from: String,
    until: String,
    verified: String,
    intact: bool,
    next_url: Option<String>,
    prev_url: Option<String>,
}

const AUDIT_PAGE: u32 = 50;

async fn audit_page(State(app): State<App>, viewer: Viewer, RawQuery(q): RawQuery) -> Response {
    let pairs = query_pairs(&q);
    let date = |name: &str| -> Option<jiff::Timestamp> {
        let d: jiff::civil::Date = field(&pairs, name).parse().ok()?;
        viewer
            .zone
            .to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
            .ok()
    };
    let filter = AuditFilter {
        entity: Some(field(&pairs, "entity")).filter(|s| !s.is_empty()),
        actor: Some(field(&pairs, "actor")).filter(|s| !s.is_empty()),
        from: date("from"),
        until: date("until").map(|t| t + jiff::SignedDuration::from_hours(24)),
    };
    let offset: u64 = field(&pairs, "offset").parse().unwrap_or(0);
    let entries = match app
        .audit_log(&viewer.caller(), &filter, offset, AUDIT_PAGE + 1)
        .await
    {
        Ok(e) => e,
        Err(e) => return error_page(&viewer, e),
    };
    let (verified, intact) = match app.verify_audit().await {
        Ok(Ok(n)) => (format!("{n} entries, chain intact"), true),
        Ok(Err(b)) => (format!("Broken at entry {}: {}", b.seq, b.reason), false),
        Err(e) => return error_page(&viewer, e),
    };
    let more = entries.len() > AUDIT_PAGE as usize;
    let url = |offset: u64| {
        let mut p: Vec<(String, String)> = pairs
            .iter()
            .filter(|(k, _)| k != "offset")
            .cloned()
            .collect();
        p.push(("offset".into(), offset.to_string()));
        format!(
            "/settings/audit?{}",
            serde_urlencoded::to_string(&p).unwrap_or_default()
        )
    };
    let page = AuditPage {
        layout: Layout::new("Audit log", "settings", &viewer, "/settings/audit"),
        rows: entries
            .into_iter()
            .take(AUDIT_PAGE as usize)
            .map(|e| AuditRow {
                seq: e.seq,
                at: TimeView::new(
                    debrief_core::Timestamp::from_jiff(
                        jiff::Timestamp::from_microsecond(e.at_us).unwrap_or_default(),
                        debrief_core::Precision::Second,
                    ),
                    &viewer,
                ),
                actor: e.actor,
                entity: e.entity,
                entity_id: e.entity_id,
                action: e.action,
                via: e.via,
                whole: e.before == "null" || e.after == "null",
                changes: debrief_app::audit::changes(&e.before, &e.after),
            })
            .collect(),
        entity: field(&pairs, "entity"),
        actor: field(&pairs, "actor"),
        from: field(&pairs, "from"),
        until: field(&pairs, "until"),
        verified,
        intact,
        next_url: more.then(|| url(offset + u64::from(AUDIT_PAGE))),
        prev_url: (offset > 0).then(|| url(offset.saturating_sub(u64::from(AUDIT_PAGE)))),
    };
    render(&page, StatusCode::OK)
}

// ----- who may see an incident ---------------------------------------------

#[derive(Template)]
#[template(path = "incident_access.html")]
struct AccessPage {
    layout: Layout,
    key: String,
    title: String,
    restricted: bool,
    members: String,
    problems: Vec<String>,
}

async fn access_view(
    app: &App,
    viewer: &Viewer,
    key: &str,
    problems: Vec<String>,
    typed: Option<(bool, String)>,
    status: StatusCode,
) -> Response {
    let Ok(parsed) = key.parse::<IncidentKey>() else {
        return error_page(
            viewer,
            AppError::NotFound(format!("incident {key} was not found")),
        );
    };
    let incident = match app.store().incident_by_key(&parsed).await {
        Ok(i) => i,
        Err(e) => return error_page(viewer, e.into()),
    };
    let (restricted, members) = match app.incident_access(&parsed).await {
        Ok(a) => a,
        Err(e) => return error_page(viewer, e),
    };
    let (restricted, members) = typed.unwrap_or((
        restricted,
        members
            .iter()
            .map(|u| u.email.clone())
            .collect::<Vec<_>>()
            .join("\n"),
    ));
    let page = AccessPage {
        layout: Layout::new(
            format!("Who may see {key}"),
            "incidents",
            viewer,
            format!("/incidents/{key}/access"),
        ),
        key: key.to_owned(),
        title: incident.fields.title,
        restricted,
        members,
        problems,
    };
    render(&page, status)
}

async fn access_page(State(app): State<App>, viewer: Viewer, Path(key): Path<String>) -> Response {
    access_view(&app, &viewer, &key, Vec::new(), None, StatusCode::OK).await
}

async fn set_access(
    State(app): State<App>,
    viewer: Viewer,
    Path(key): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let restricted = field(&fields, "restricted") == "on";
    let members_text = field(&fields, "members");
    let members: Vec<String> = members_text
        .split([',', '\n', ' '])
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    let Ok(parsed) = key.parse::<IncidentKey>() else {
        return error_page(
            &viewer,
            AppError::NotFound(format!("incident {key} was not found")),
        );
    };
    match app
        .set_incident_access(&viewer.caller(), &parsed, restricted, &members)
        .await
    {
        Ok(()) => Redirect::to(&format!("/incidents/{key}")).into_response(),
        Err(e) => {
            access_view(
                &app,
                &viewer,
                &key,
                problems_of(e),
                Some((restricted, members_text)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}
