//! Who may call what: the one policy table of every route, and the guard
//! middleware layered over the whole router that applies it.
//!
//! The guard resolves the caller (a bearer token, else the session cookie),
//! looks up the rule for the request's method and matched route in
//! [`POLICY`], and answers for the handler when the caller falls short:
//! anonymous API calls get 401 with `WWW-Authenticate`, anonymous page
//! requests a redirect to the sign-in page, a role below the rule 403. A
//! route missing from the table is open to admins only — and the
//! `access_matrix` test fails naming it, so every new route gets a rule.
//!
//! It also checks the CSRF token of cookie-authenticated unsafe requests,
//! hides restricted incidents from non-members (404 for the incident and
//! everything under it, whatever route names it), sets the ambient audit
//! context (who, and `METHOD /route`) under which the store records every
//! change in the same transaction, and adds the security headers to every
//! answer.

use axum::body::Body;
use axum::extract::{FromRequestParts, MatchedPath, RawPathParams, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use debrief_app::{App, Caller};
use debrief_core::Role;
use debrief_store::{AuditContext, with_audit_context};
use sha2::{Digest, Sha256};

use crate::api::problem::Problem;

/// What a route demands of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Anyone, signed in or not.
    Public,
    /// A signed-in caller with at least this role.
    AtLeast(Role),
}

use Rule::{AtLeast, Public};
const VIEWER: Rule = AtLeast(Role::Viewer);
const CONTRIBUTOR: Rule = AtLeast(Role::Contributor);
const MANAGER: Rule = AtLeast(Role::Manager);
const ADMIN: Rule = AtLeast(Role::Admin);

/// Every route: (method, route as the router writes it, rule). The one
/// source of truth; `access_matrix` compares it with the router.
pub const POLICY: &[(&str, &str, Rule)] = &[
    // ----- public
    ("GET", "/health", Public),
    ("GET", "/api/v1/openapi.json", Public),
    ("GET", crate::assets::CSS_PATH, Public),
    ("GET", crate::assets::JS_PATH, Public),
    ("GET", "/login", Public),
    ("POST", "/login", Public),
    ("GET", "/setup/{token}", Public),
    ("POST", "/setup/{token}", Public),
    ("GET", "/reset/{token}", Public),
    ("POST", "/reset/{token}", Public),
    // ----- the API: reading
    ("GET", "/api/v1/incidents", VIEWER),
    ("GET", "/api/v1/incidents/{key}", VIEWER),
    ("GET", "/api/v1/incidents/{key}/timeline", VIEWER),
    ("GET", "/api/v1/incidents/{key}/review", VIEWER),
    ("GET", "/api/v1/incidents/{key}/review/impact-total", VIEWER),
    ("GET", "/api/v1/incidents/{key}/report", VIEWER),
    ("GET", "/api/v1/question-templates", VIEWER),
    ("GET", "/api/v1/exchange-rates", VIEWER),
    ("GET", "/api/v1/actions", VIEWER),
    ("GET", "/api/v1/actions/export.csv", VIEWER),
    ("GET", "/api/v1/actions/{reference}", VIEWER),
    ("GET", "/api/v1/actions/{reference}/history", VIEWER),
    ("GET", "/api/v1/incidents/{key}/actions", VIEWER),
    ("GET", "/api/v1/incidents/{key}/follow-ups", VIEWER),
    ("GET", "/api/v1/incidents/{key}/burn-down", VIEWER),
    ("GET", "/api/v1/people", VIEWER),
    ("POST", "/api/v1/lint", VIEWER),
    ("GET", "/api/v1/lint-rules", VIEWER),
    ("GET", "/api/v1/incidents/{key}/findings", VIEWER),
    // Evidence: read by viewers of the incident, the bytes only after their
    // hash is checked.
    ("GET", "/api/v1/incidents/{key}/attachments", VIEWER),
    (
        "GET",
        "/api/v1/incidents/{key}/events/{event_id}/attachments",
        VIEWER,
    ),
    ("GET", "/api/v1/attachments/{id}", VIEWER),
    ("GET", "/api/v1/attachments/{id}/custody", VIEWER),
    // Learning: only what the caller may see is searched and counted.
    ("GET", "/api/v1/search", VIEWER),
    ("GET", "/api/v1/kpis", VIEWER),
    ("GET", "/api/v1/improvements", VIEWER),
    ("GET", "/api/v1/reports/programme", VIEWER),
    ("GET", "/api/v1/incidents/{key}/related", VIEWER),
    // Plans and training: unhomed lessons only from incidents the caller sees.
    ("GET", "/api/v1/documents", VIEWER),
    ("GET", "/api/v1/documents/{id}", VIEWER),
    ("GET", "/api/v1/incidents/{key}/lesson-links", VIEWER),
    ("GET", "/api/v1/lessons/unhomed", VIEWER),
    ("GET", "/api/v1/review-policy", VIEWER),
    ("GET", "/api/v1/incidents/{key}/workshops", VIEWER),
    ("GET", "/api/v1/incidents/{key}/review-due", VIEWER),
    ("GET", "/api/v1/incidents/{key}/agenda", VIEWER),
    ("GET", "/api/v1/workshops/{id}", VIEWER),
    ("GET", "/api/v1/workshops/{id}/invite.ics", VIEWER),
    ("GET", "/api/v1/workshops/{id}/minutes", VIEWER),
    ("GET", "/api/v1/holidays", VIEWER),
    ("GET", "/api/v1/workshop-policy", VIEWER),
    ("GET", "/api/v1/me", VIEWER),
    ("GET", "/api/v1/tokens", VIEWER),
    ("POST", "/api/v1/tokens", VIEWER),
    ("DELETE", "/api/v1/tokens/{id}", VIEWER),
    // ----- the API: contributing
    ("POST", "/api/v1/incidents", CONTRIBUTOR),
    ("PUT", "/api/v1/incidents/{key}", CONTRIBUTOR),
    (
        "PUT",
        "/api/v1/incidents/{key}/timestamps/{field}",
        CONTRIBUTOR,
    ),
    ("POST", "/api/v1/incidents/{key}/timeline", CONTRIBUTOR),
    (
        "POST",
        "/api/v1/incidents/{key}/events/{event_id}/attachments",
        CONTRIBUTOR,
    ),
    (
        "POST",
        "/api/v1/incidents/{key}/timeline/import",
        CONTRIBUTOR,
    ),
    ("POST", "/api/v1/incidents/{key}/review", CONTRIBUTOR),
    (
        "POST",
        "/api/v1/incidents/{key}/review/changes",
        CONTRIBUTOR,
    ),
    ("PUT", "/api/v1/actions/{reference}", CONTRIBUTOR),
    ("POST", "/api/v1/actions/{reference}/status", CONTRIBUTOR),
    ("POST", "/api/v1/incidents/{key}/actions", CONTRIBUTOR),
    ("POST", "/api/v1/incidents/{key}/follow-ups", CONTRIBUTOR),
    ("POST", "/api/v1/people", CONTRIBUTOR),
    ("PUT", "/api/v1/people/{id}", CONTRIBUTOR),
    (
        "POST",
        "/api/v1/incidents/{key}/workshops/check",
        CONTRIBUTOR,
    ),
    ("POST", "/api/v1/workshops/{id}/changes", CONTRIBUTOR),
    ("POST", "/api/v1/workshops/{id}/lessons", CONTRIBUTOR),
    ("POST", "/api/v1/workshops/{id}/actions", CONTRIBUTOR),
    // Lesson links are review edits: whoever may change the review.
    (
        "POST",
        "/api/v1/incidents/{key}/lessons/{lesson}/links",
        CONTRIBUTOR,
    ),
    (
        "PATCH",
        "/api/v1/incidents/{key}/lessons/{lesson}/links/{id}",
        CONTRIBUTOR,
    ),
    // ----- the API: running reviews
    ("POST", "/api/v1/actions/{reference}/verify", MANAGER),
    ("POST", "/api/v1/incidents/{key}/workshops", MANAGER),
    ("PUT", "/api/v1/question-templates/{id}", MANAGER),
    ("POST", "/api/v1/exchange-rates", MANAGER),
    ("DELETE", "/api/v1/exchange-rates/{id}", MANAGER),
    ("PUT", "/api/v1/lint-rules", ADMIN),
    ("POST", "/api/v1/holidays", MANAGER),
    ("DELETE", "/api/v1/holidays/{date}", MANAGER),
    ("PUT", "/api/v1/workshop-policy", MANAGER),
    ("POST", "/api/v1/documents", MANAGER),
    ("PATCH", "/api/v1/documents/{id}", MANAGER),
    // The approval gate is the admins' to relax, like the lint rules: a
    // manager who approves reviews does not switch off its check.
    ("PUT", "/api/v1/review-policy", ADMIN),
    ("GET", "/api/v1/incidents/{key}/access", MANAGER),
    ("PUT", "/api/v1/incidents/{key}/access", MANAGER),
    // ----- the API: administration
    ("GET", "/api/v1/webhooks", ADMIN),
    ("POST", "/api/v1/webhooks", ADMIN),
    ("GET", "/api/v1/webhooks/{id}", ADMIN),
    ("PATCH", "/api/v1/webhooks/{id}", ADMIN),
    ("DELETE", "/api/v1/webhooks/{id}", ADMIN),
    ("GET", "/api/v1/webhooks/{id}/deliveries", ADMIN),
    ("POST", "/api/v1/webhooks/{id}/test", ADMIN),
    // The bundle holds every incident, restricted ones too.
    ("GET", "/api/v1/export", ADMIN),
    ("POST", "/api/v1/import", ADMIN),
    ("GET", "/api/v1/users", ADMIN),
    ("POST", "/api/v1/users", ADMIN),
    ("PATCH", "/api/v1/users/{email}", ADMIN),
    ("GET", "/api/v1/audit", ADMIN),
    // ----- pages: reading
    ("GET", "/", VIEWER),
    ("GET", "/search", VIEWER),
    ("GET", "/programme", VIEWER),
    ("GET", "/incidents", VIEWER),
    ("GET", "/incidents/{key}", VIEWER),
    ("GET", "/incidents/{key}/timeline", VIEWER),
    ("GET", "/attachments/{id}", VIEWER),
    ("GET", "/attachments/{id}/download", VIEWER),
    ("GET", "/incidents/{key}/review", VIEWER),
    ("GET", "/incidents/{key}/actions", VIEWER),
    ("GET", "/incidents/{key}/burn-down.svg", VIEWER),
    ("GET", "/incidents/{key}/workshops", VIEWER),
    ("GET", "/incidents/{key}/reports/{file}", VIEWER),
    ("GET", "/incidents/{key}/fishbone.svg", VIEWER),
    ("GET", "/incidents/{key}/phase-bar.svg", VIEWER),
    ("GET", "/actions", VIEWER),
    ("GET", "/actions.csv", VIEWER),
    ("GET", "/actions/{reference}", VIEWER),
    ("GET", "/workshops/{id}", VIEWER),
    ("GET", "/workshops/{id}/facilitate", VIEWER),
    ("GET", "/workshops/{id}/minutes", VIEWER),
    ("GET", "/workshops/{id}/minutes.md", VIEWER),
    ("GET", "/workshops/{id}/invite.ics", VIEWER),
    ("GET", "/settings/people", VIEWER),
    ("GET", "/settings/lint-rules", VIEWER),
    ("GET", "/settings/exchange-rates", VIEWER),
    ("GET", "/settings/question-templates", VIEWER),
    ("GET", "/settings/holidays", VIEWER),
    ("GET", "/settings/workshop-policy", VIEWER),
    ("GET", "/settings/review-policy", VIEWER),
    ("GET", "/plans", VIEWER),
    ("GET", "/lessons/unhomed", VIEWER),
    ("GET", "/improvements", VIEWER),
    ("POST", "/preferences/zone", VIEWER),
    ("POST", "/preferences/name", VIEWER),
    ("POST", "/logout", VIEWER),
    ("GET", "/account", VIEWER),
    ("POST", "/account/password", VIEWER),
    ("POST", "/account/tokens", VIEWER),
    ("POST", "/account/tokens/{id}/revoke", VIEWER),
    // ----- pages: contributing
    ("GET", "/incidents/new", CONTRIBUTOR),
    ("POST", "/incidents", CONTRIBUTOR),
    ("GET", "/incidents/{key}/edit", CONTRIBUTOR),
    ("POST", "/incidents/{key}/edit", CONTRIBUTOR),
    ("POST", "/incidents/{key}/timeline", CONTRIBUTOR),
    ("POST", "/incidents/{key}/lifecycle", CONTRIBUTOR),
    (
        "POST",
        "/incidents/{key}/events/{event_id}/attachments",
        CONTRIBUTOR,
    ),
    ("POST", "/incidents/{key}/review", CONTRIBUTOR),
    ("POST", "/incidents/{key}/review/open", CONTRIBUTOR),
    ("POST", "/incidents/{key}/actions", CONTRIBUTOR),
    ("POST", "/incidents/{key}/follow-ups", CONTRIBUTOR),
    ("POST", "/actions/{reference}", CONTRIBUTOR),
    ("POST", "/actions/{reference}/status", CONTRIBUTOR),
    ("POST", "/workshops/{id}", CONTRIBUTOR),
    ("POST", "/settings/people", CONTRIBUTOR),
    ("POST", "/settings/people/{id}", CONTRIBUTOR),
    ("POST", "/incidents/{key}/review/lesson-links", CONTRIBUTOR),
    (
        "POST",
        "/incidents/{key}/review/lesson-links/{id}",
        CONTRIBUTOR,
    ),
    // ----- pages: running reviews
    ("POST", "/plans", MANAGER),
    ("POST", "/plans/{id}", MANAGER),
    ("POST", "/settings/review-policy", ADMIN),
    ("POST", "/actions/{reference}/verify", MANAGER),
    ("POST", "/incidents/{key}/workshops", MANAGER),
    ("POST", "/settings/lint-rules", ADMIN),
    ("POST", "/settings/exchange-rates", MANAGER),
    ("POST", "/settings/exchange-rates/{id}/delete", MANAGER),
    ("POST", "/settings/question-templates", MANAGER),
    ("POST", "/settings/holidays", MANAGER),
    ("POST", "/settings/holidays/{date}/delete", MANAGER),
    ("POST", "/settings/workshop-policy", MANAGER),
    ("GET", "/incidents/{key}/access", MANAGER),
    ("POST", "/incidents/{key}/access", MANAGER),
    // ----- pages: administration
    ("GET", "/settings/webhooks", ADMIN),
    ("POST", "/settings/webhooks", ADMIN),
    ("POST", "/settings/webhooks/{id}/active", ADMIN),
    ("POST", "/settings/webhooks/{id}/test", ADMIN),
    ("POST", "/settings/webhooks/{id}/delete", ADMIN),
    ("GET", "/settings/users", ADMIN),
    ("POST", "/settings/users", ADMIN),
    ("POST", "/settings/users/{email}", ADMIN),
    ("POST", "/settings/users/{email}/reset", ADMIN),
    ("GET", "/settings/audit", ADMIN),
];

/// The rule for a method and matched route; `None` when the table has none.
pub fn rule_for(method: &Method, route: &str) -> Option<Rule> {
    let method = if method == Method::HEAD {
        "GET"
    } else {
        method.as_str()
    };
    POLICY
        .iter()
        .find(|(m, r, _)| *m == method && *r == route)
        .map(|(_, _, rule)| *rule)
}

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "debrief_session";

/// The signed-in caller, as the guard put it into the request.
#[derive(Debug, Clone)]
pub struct Signed {
    pub caller: Caller,
    /// Display name (the user's name).
    pub name: String,
    /// The session's CSRF token; `None` for bearer tokens.
    pub csrf: Option<String>,
}

/// The CSRF token of a session: derived from the session secret, so it
/// needs no storage and dies with the session.
pub fn csrf_token(session: &str) -> String {
    hex::encode(Sha256::digest(format!("debrief-csrf:{session}").as_bytes()))
}

/// The value of one cookie.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .map(str::trim)
        .find_map(|c| c.strip_prefix(name).and_then(|r| r.strip_prefix('=')))
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
}

fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

fn unsafe_method(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The largest form body the guard reads to check its CSRF field.
const FORM_LIMIT: usize = 2 * 1024 * 1024;

/// The guard; see the module documentation.
pub async fn guard(State(app): State<App>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned());
    let (mut parts, body) = request.into_parts();

    // Who is calling.
    let mut signed: Option<Signed> = None;
    if let Some(token) = bearer(&parts.headers) {
        match app.token_caller(token).await {
            Ok(Some(caller)) => {
                let name = display_name(&app, &caller).await;
                signed = Some(Signed {
                    caller,
                    name,
                    csrf: None,
                })
            }
            Ok(None) => {}
            Err(e) => return internal(&path, e),
        }
    } else if let Some(session) = cookie(&parts.headers, SESSION_COOKIE) {
        match app.session_user(session).await {
            Ok(Some(user)) => {
                signed = Some(Signed {
                    caller: Caller::user(&user),
                    name: user.name.clone(),
                    csrf: Some(csrf_token(session)),
                })
            }
            Ok(None) => {}
            Err(e) => return internal(&path, e),
        }
    }

    // The rule. Unmatched paths (404s) need a signed-in caller, so probing
    // addresses tells an anonymous caller nothing; an unlisted route is
    // for admins only.
    let rule = match &route {
        Some(r) => rule_for(&method, r).unwrap_or(ADMIN),
        None => VIEWER,
    };
    if let AtLeast(needed) = rule {
        let Some(s) = &signed else {
            return unauthenticated(&path, &parts);
        };
        if !s.caller.role.allows(needed) {
            return forbidden(
                &path,
                format!(
                    "this needs the {needed} role; you are signed in as {} ({})",
                    s.caller.actor, s.caller.role
                ),
            );
        }
    }

    // Restricted incidents: a non-member gets the same 404 as for an
    // incident that does not exist, on every route that names it.
    if let Some(s) = &signed
        && route.is_some()
        && let Ok(params) =
            <RawPathParams as FromRequestParts<()>>::from_request_parts(&mut parts, &()).await
    {
        for (name, value) in params.iter() {
            let kind = match name {
                "key" => "key",
                "reference" => "reference",
                "id" if path.starts_with("/workshops/")
                    || path.starts_with("/api/v1/workshops/") =>
                {
                    "workshop"
                }
                "id" if path.starts_with("/attachments/")
                    || path.starts_with("/api/v1/attachments/") =>
                {
                    "attachment"
                }
                _ => continue,
            };
            if let Some(incident) = app.incident_named_by(kind, value).await {
                match app.can_see_incident(&s.caller, incident).await {
                    Ok(true) => {}
                    Ok(false) => return not_found(&path),
                    Err(e) => return internal(&path, e),
                }
            }
        }
    }

    // CSRF: a browser sends the session cookie with any site's form; only
    // our pages know the token. Bearer callers are not at risk.
    let mut body = body;
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if unsafe_method(&method) {
        let form = content_type.starts_with("application/x-www-form-urlencoded");
        let expected = signed.as_ref().and_then(|s| s.csrf.clone());
        let header_token = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let query_token = parts.uri.query().and_then(|q| {
            serde_urlencoded::from_str::<Vec<(String, String)>>(q)
                .ok()?
                .into_iter()
                .find(|(k, _)| k == "_csrf")
                .map(|(_, v)| v)
        });
        if form {
            let bytes = match axum::body::to_bytes(body, FORM_LIMIT).await {
                Ok(b) => b,
                Err(_) => {
                    return (StatusCode::PAYLOAD_TOO_LARGE, "the form is too large")
                        .into_response();
                }
            };
            let pairs: Vec<(String, String)> =
                serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
            let field_token = pairs
                .iter()
                .find(|(k, _)| k == "_csrf")
                .map(|(_, v)| v.clone());
            if let Some(expected) = &expected
                && !token_matches(expected, field_token.or(header_token.clone()).as_deref())
            {
                return csrf_refused(&path);
            }
            // Handlers never see the token.
            let kept: Vec<(String, String)> =
                pairs.into_iter().filter(|(k, _)| k != "_csrf").collect();
            let encoded = serde_urlencoded::to_string(&kept).unwrap_or_default();
            parts.headers.remove(header::CONTENT_LENGTH);
            body = Body::from(encoded);
        } else {
            if let Some(expected) = &expected
                && !token_matches(expected, header_token.or(query_token).as_deref())
            {
                return csrf_refused(&path);
            }
        }
    }

    // Until accounts, who acted was a header or a cookie; now it is the
    // caller. Only an admin may name someone they act for (a scribe typing
    // for the room, an integration relaying a person's edit): the
    // `X-Debrief-Actor` header or the footer's name. The audit log keeps
    // the admin's account either way.
    let mut audit_actor = "anonymous".to_owned();
    if let Some(s) = &signed {
        let acting_for = s.caller.role == Role::Admin;
        let given = parts
            .headers
            .get("x-debrief-actor")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned);
        audit_actor = match &given {
            Some(g) if acting_for && *g != s.name && *g != s.caller.actor => {
                format!("{} (for {g})", s.caller.actor)
            }
            _ => s.caller.actor.clone(),
        };
        let actor = match given {
            Some(g) if acting_for => g,
            _ => s.name.clone(),
        };
        if let Ok(v) = HeaderValue::from_str(&actor) {
            parts
                .headers
                .insert(HeaderName::from_static("x-debrief-actor"), v);
        } else {
            parts.headers.remove("x-debrief-actor");
        }
        parts.extensions.insert(s.clone());
        parts.extensions.insert(s.caller.clone());
    }

    // Every change the handler makes is audited by the store, in its own
    // transaction, under this context.
    let request = Request::from_parts(parts, body);
    let context = AuditContext::new(
        audit_actor,
        format!("{} {}", method, route.as_deref().unwrap_or(&path)),
    );
    let mut response = with_audit_context(context, next.run(request)).await;

    add_security_headers(response.headers_mut(), signed.is_some());
    response
}

async fn display_name(app: &App, caller: &Caller) -> String {
    match caller.user_id {
        Some(id) => match app.store().user_by_id(id).await {
            Ok(Some(u)) => u.name,
            _ => caller.actor.clone(),
        },
        None => caller.actor.clone(),
    }
}

fn token_matches(expected: &str, given: Option<&str>) -> bool {
    // Constant time over the (fixed-length, hex) token.
    given.is_some_and(|g| {
        g.len() == expected.len()
            && g.bytes()
                .zip(expected.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    })
}

/// The headers every answer carries. The CSP allows only our own files:
/// no inline script or style, no framing, forms post only to us.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

fn add_security_headers(h: &mut HeaderMap, signed: bool) {
    let set = |h: &mut HeaderMap, name: HeaderName, value: &'static str| {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    };
    set(h, header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::REFERRER_POLICY, "same-origin");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(
        h,
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    );
    set(
        h,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    if signed {
        // What a signed-in person sees stays out of shared caches and the
        // back-forward cache of a shared machine (the versioned stylesheet
        // and script keep their own caching).
        set(h, header::CACHE_CONTROL, "no-store");
    }
}

fn unauthenticated(path: &str, parts: &axum::http::request::Parts) -> Response {
    if is_api(path) {
        let mut res = Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Sign-in needed",
            "send `Authorization: Bearer <token>` (create one with `debrief token create` or on your account page)",
        )
        .into_response();
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"debrief\""),
        );
        add_security_headers(res.headers_mut(), false);
        return res;
    }
    let here = match parts.uri.path_and_query() {
        Some(pq) if parts.method == Method::GET => pq.as_str().to_owned(),
        _ => "/incidents".to_owned(),
    };
    let target = format!(
        "/login?next={}",
        serde_urlencoded::to_string([("", here.as_str())])
            .unwrap_or_default()
            .trim_start_matches('=')
    );
    let mut res = Redirect::to(&target).into_response();
    add_security_headers(res.headers_mut(), false);
    res
}

fn forbidden(path: &str, message: String) -> Response {
    let mut res = if is_api(path) {
        Problem::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden", message).into_response()
    } else {
        crate::pages::plain_page(StatusCode::FORBIDDEN, "Not allowed", &message)
    };
    add_security_headers(res.headers_mut(), true);
    res
}

fn csrf_refused(path: &str) -> Response {
    forbidden(
        path,
        "the form had no valid security token (it may be from an old page or another site); \
         reload the page and try again"
            .into(),
    )
}

fn not_found(path: &str) -> Response {
    let mut res = if is_api(path) {
        Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            "there is nothing at this address",
        )
        .into_response()
    } else {
        crate::pages::plain_page(
            StatusCode::NOT_FOUND,
            "Not found",
            "There is no page at this address.",
        )
    };
    add_security_headers(res.headers_mut(), true);
    res
}

fn internal(path: &str, e: debrief_app::AppError) -> Response {
    tracing::error!(error = %e, path, "the caller could not be checked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "the server could not check who you are; it has been logged",
    )
        .into_response()
}
