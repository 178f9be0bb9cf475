//! Accounts over the API (PRODUCT.md §11): who am I, my API tokens, users
//! (admins), who may see an incident (managers), the audit log (admins).
//! The caller is what the guard (`crate::access`) resolved.

use axum::Extension;
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use debrief_app::{App, Caller};
use debrief_core::{IncidentKey, Role, User, UserDraft};
use debrief_store::{AuditFilter, TokenRecord};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::problem::{ApiError, Problem};
use super::{ApiJson, first, invalid, query_pairs};

/// A user.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserDto {
    pub email: String,
    pub name: String,
    /// viewer, contributor, manager or admin.
    pub role: String,
    pub active: bool,
    pub created_at: String,
}

impl From<User> for UserDto {
    fn from(u: User) -> Self {
        Self {
            email: u.email,
            name: u.name,
            role: u.role.to_string(),
            active: u.active,
            created_at: u.created_at.to_string(),
        }
    }
}

/// Who the request is from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeDto {
    /// The email (or the system's name).
    pub actor: String,
    /// The role in effect (a token's role).
    pub role: String,
}

/// An API token (never its secret, except once in [`CreatedTokenDto`]).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenDto {
    pub id: String,
    pub user: String,
    pub name: String,
    pub role: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

impl From<TokenRecord> for TokenDto {
    fn from(t: TokenRecord) -> Self {
        Self {
            id: t.id.to_string(),
            user: t.user_email,
            name: t.name,
            role: t.role.to_string(),
            created_at: t.created_at.to_string(),
            last_used_at: t.last_used_at.map(|t| t.to_string()),
            revoked_at: t.revoked_at.map(|t| t.to_string()),
        }
    }
}

/// A new token with its secret, shown this once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedTokenDto {
    pub token: TokenDto,
    /// Send as `Authorization: Bearer <secret>`.
    pub secret: String,
}

/// A token to create.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenInput {
    pub name: String,
    /// At most your role; yours when absent.
    pub role: Option<String>,
    /// Whose token (admins only); yours when absent.
    pub user: Option<String>,
}

/// A user to add.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    pub email: String,
    pub name: String,
    pub role: String,
    pub password: String,
}

/// Changes to a user.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatchInput {
    pub role: Option<String>,
    pub active: Option<bool>,
}

/// Who may see an incident.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessDto {
    pub restricted: bool,
    /// Emails of users.
    pub members: Vec<String>,
}

/// One audit entry.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEntryDto {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    /// JSON text.
    pub before: String,
    /// JSON text.
    pub after: String,
    /// Through what: `PATCH /api/v1/incidents/{key}`, `cli: debrief incident edit` …
    pub via: String,
    /// The fields that changed, old → new.
    pub changes: Vec<AuditChangeDto>,
    pub prev_hash: String,
    pub hash: String,
}

/// One changed field of an audit entry (values as compact JSON, cut at 160
/// characters; `null` where there was none).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditChangeDto {
    /// `title`, `document.causes.0.text` …
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

fn role(s: &str) -> Result<Role, ApiError> {
    s.parse::<Role>().map_err(|m| invalid("role", m))
}

/// The caller.
#[utoipa::path(get, path = "/me", tag = "accounts",
    responses((status = 200, body = MeDto)))]
pub async fn me(Extension(caller): Extension<Caller>) -> Json<MeDto> {
    Json(MeDto {
        actor: caller.actor,
        role: caller.role.to_string(),
    })
}

/// My API tokens (`?all=true`: everyone's, admins only).
#[utoipa::path(get, path = "/tokens", tag = "accounts",
    params(("all" = Option<bool>, Query)),
    responses((status = 200, body = [TokenDto]),
              (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_tokens(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    RawQuery(q): RawQuery,
) -> Result<Json<Vec<TokenDto>>, ApiError> {
    let pairs = query_pairs(q)?;
    let all = first(&pairs, "all") == Some("true");
    Ok(Json(
        app.tokens(&caller, all)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// Creates a token (shown once), with at most your role.
#[utoipa::path(post, path = "/tokens", tag = "accounts", request_body = TokenInput,
    responses((status = 201, body = CreatedTokenDto),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_token(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiJson(input): ApiJson<TokenInput>,
) -> Result<(StatusCode, Json<CreatedTokenDto>), ApiError> {
    let r = input.role.as_deref().map(role).transpose()?;
    let user = input.user.unwrap_or_else(|| caller.actor.clone());
    let (secret, token) = app.create_token(&caller, &user, &input.name, r).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedTokenDto {
            token: token.into(),
            secret,
        }),
    ))
}

/// Revokes a token: yours, or anyone's for admins.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "accounts",
    params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn revoke_token(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| {
        ApiError::from(debrief_app::AppError::NotFound(format!(
            "there is no API token {id}"
        )))
    })?;
    app.revoke_token(&caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every user (admins).
#[utoipa::path(get, path = "/users", tag = "accounts",
    responses((status = 200, body = [UserDto])))]
pub async fn list_users(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Vec<UserDto>>, ApiError> {
    caller.require(Role::Admin)?;
    Ok(Json(
        app.users(&caller)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// Adds a user (admins).
#[utoipa::path(post, path = "/users", tag = "accounts", request_body = UserInput,
    responses((status = 201, body = UserDto),
              (status = 422, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn add_user(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    ApiJson(input): ApiJson<UserInput>,
) -> Result<(StatusCode, Json<UserDto>), ApiError> {
    let draft = UserDraft {
        email: input.email,
        name: input.name,
        role: role(&input.role)?,
    };
    let user = app.add_user(&caller, &draft, &input.password).await?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

/// Changes a user's role or deactivates them (admins).
#[utoipa::path(patch, path = "/users/{email}", tag = "accounts", request_body = UserPatchInput,
    params(("email" = String, Path)),
    responses((status = 200, body = UserDto),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn update_user(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(email): Path<String>,
    ApiJson(input): ApiJson<UserPatchInput>,
) -> Result<Json<UserDto>, ApiError> {
    let r = input.role.as_deref().map(role).transpose()?;
    Ok(Json(
        app.update_user(&caller, &email, r, input.active)
            .await?
            .into(),
    ))
}

fn key(k: &str) -> Result<IncidentKey, ApiError> {
    k.parse::<IncidentKey>().map_err(|_| {
        ApiError::from(debrief_app::AppError::NotFound(format!(
            "incident {k} was not found"
        )))
    })
}

/// Whether the incident is restricted, and its members (managers).
#[utoipa::path(get, path = "/incidents/{key}/access", tag = "accounts",
    params(("key" = String, Path)),
    responses((status = 200, body = AccessDto),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_access(
    State(app): State<App>,
    Path(k): Path<String>,
) -> Result<Json<AccessDto>, ApiError> {
    let (restricted, members) = app.incident_access(&key(&k)?).await?;
    Ok(Json(AccessDto {
        restricted,
        members: members.into_iter().map(|u| u.email).collect(),
    }))
}

/// Restricts or opens an incident and sets its members (managers).
#[utoipa::path(put, path = "/incidents/{key}/access", tag = "accounts", request_body = AccessDto,
    params(("key" = String, Path)),
    responses((status = 200, body = AccessDto),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn put_access(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    Path(k): Path<String>,
    ApiJson(input): ApiJson<AccessDto>,
) -> Result<Json<AccessDto>, ApiError> {
    let parsed = key(&k)?;
    app.set_incident_access(&caller, &parsed, input.restricted, &input.members)
        .await?;
    get_access(State(app), Path(k)).await
}

/// The audit log, newest first (admins): `entity`, `actor` (also finds
/// what that admin did for someone), `from` and `until` (RFC 3339 instants,
/// half-open), `offset`, `limit`.
#[utoipa::path(get, path = "/audit", tag = "accounts",
    params(("entity" = Option<String>, Query), ("actor" = Option<String>, Query),
           ("from" = Option<String>, Query), ("until" = Option<String>, Query),
           ("offset" = Option<u64>, Query), ("limit" = Option<u32>, Query)),
    responses((status = 200, body = [AuditEntryDto])))]
pub async fn audit_log(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    RawQuery(q): RawQuery,
) -> Result<Json<Vec<AuditEntryDto>>, ApiError> {
    let pairs = query_pairs(q)?;
    let instant = |name: &str| -> Result<Option<jiff::Timestamp>, ApiError> {
        first(&pairs, name)
            .filter(|v| !v.is_empty())
            .map(|v| {
                v.parse::<jiff::Timestamp>().map_err(|e| {
                    invalid(
                        name,
                        format!("`{v}` is not an RFC 3339 instant like 2026-11-28T09:00:00Z: {e}"),
                    )
                })
            })
            .transpose()
    };
    let filter = AuditFilter {
        entity: first(&pairs, "entity").map(str::to_owned),
        actor: first(&pairs, "actor").map(str::to_owned),
        from: instant("from")?,
        until: instant("until")?,
    };
    let offset = first(&pairs, "offset")
        .and_then(|o| o.parse().ok())
        .unwrap_or(0);
    let limit = first(&pairs, "limit")
        .and_then(|o| o.parse().ok())
        .unwrap_or(100u32)
        .clamp(1, 1000);
    Ok(Json(
        app.audit_log(&caller, &filter, offset, limit)
            .await?
            .into_iter()
            .map(|e| AuditEntryDto {
                seq: e.seq,
                at: jiff::Timestamp::from_microsecond(e.at_us)
                    .map(|t| t.to_string())
                    .unwrap_or_default(),
                actor: e.actor,
                entity: e.entity,
                entity_id: e.entity_id,
                action: e.action,
                changes: debrief_app::audit::changes(&e.before, &e.after)
                    .into_iter()
                    .map(|c| AuditChangeDto {
                        field: c.field,
                        old: c.old,
                        new: c.new,
                    })
                    .collect(),
                before: e.before,
                after: e.after,
                via: e.via,
                prev_hash: e.prev_hash,
                hash: e.hash,
            })
            .collect(),
    ))
}
