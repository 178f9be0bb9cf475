//! Accounts as use cases (PRODUCT.md §11): users and their passwords
//! (argon2id), sign-in with rate limiting, sessions with idle and absolute
//! timeouts, API tokens scoped to their creator's role, one-time setup and
//! reset links, restricted incidents, and the audit log with its
//! verification. Every change here writes its audit entry in the same
//! transaction (the store methods take the entry).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use debrief_core::account::check_password;
use debrief_core::audit::{AuditEntry, BrokenLink, verify_chain};
use debrief_core::{FieldErrors, IncidentKey, Role, User, UserDraft};
use debrief_store::{AuditFilter, AuditRecord, TokenRecord, Visibility};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{App, AppError, PasswordCost};

/// Who is acting: a signed-in user, a token's holder, or the system (the
/// CLI, which has the database in hand and acts as an admin under the name
/// `--as` gives).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The account, `None` for the system.
    pub user_id: Option<Uuid>,
    /// The name changes are recorded under (the email for users).
    pub actor: String,
    /// The role in effect (a token's role, at most its user's).
    pub role: Role,
}

impl Caller {
    /// The CLI and background work: an admin named `actor`.
    pub fn system(actor: impl Into<String>) -> Self {
        Self {
            user_id: None,
            actor: actor.into(),
            role: Role::Admin,
        }
    }
    pub fn user(u: &User) -> Self {
        Self {
            user_id: Some(u.id),
            actor: u.email.clone(),
            role: u.role,
        }
    }
    /// Which incidents this caller may see: admins and the system all,
    /// others unrestricted ones and those they are members of.
    pub fn visibility(&self) -> Visibility {
        match self.user_id {
            Some(id) if self.role != Role::Admin => Visibility::MemberOf(id),
            _ => Visibility::All,
        }
    }
    pub fn require(&self, role: Role) -> Result<(), AppError> {
        if self.role.allows(role) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "this needs the {role} role; you are signed in as {}",
                self.role
            )))
        }
    }
}

/// Failed sign-ins allowed per account, and per address, in [`LOGIN_WINDOW`].
pub const LOGIN_FAILURES_PER_ACCOUNT: u64 = 5;
pub const LOGIN_FAILURES_PER_ADDRESS: u64 = 20;
pub const LOGIN_WINDOW: jiff::SignedDuration = jiff::SignedDuration::from_mins(15);
/// How long a setup or reset link works.
pub const LINK_LIFETIME: jiff::SignedDuration = jiff::SignedDuration::from_hours(24);
/// A session's last-seen time is written at most this often.
const TOUCH_EVERY: jiff::SignedDuration = jiff::SignedDuration::from_mins(1);
/// The prefix of API tokens (so secret scanners and people recognise them).
pub const TOKEN_PREFIX: &str = "dbt_";

/// Why a sign-in failed. The page says the same words for both wrong
/// email and wrong password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginError {
    WrongCredentials,
    /// Too many failures for this account or from this address.
    TooManyAttempts,
}

/// 32 random bytes from the operating system, as hex.
pub fn random_secret() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| AppError::NotAllowed(format!("no randomness from the system: {e}")))?;
    Ok(hex::encode(bytes))
}

/// A readable random password: 4 groups of 5 lower-case letters and
/// digits (about 100 bits), for generated and demo accounts.
pub fn random_password() -> Result<String, AppError> {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes)
        .map_err(|e| AppError::NotAllowed(format!("no randomness from the system: {e}")))?;
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char)
        .collect();
    Ok(chars
        .chunks(5)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-"))
}

/// What is stored for a secret: its SHA-256, hex. Secrets are 256-bit
/// random values, so a fast hash is enough (unlike passwords).
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn argon2(cost: PasswordCost) -> Argon2<'static> {
    let params = match cost {
        PasswordCost::Standard => Params::default(),
        PasswordCost::FastForTests => {
            Params::new(8, 1, 1, None).expect("8 KiB, 1 pass, 1 lane are valid argon2 parameters")
        }
    };
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// An argon2id PHC string for the password.
pub fn hash_password(password: &str, cost: PasswordCost) -> Result<String, AppError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt)
        .map_err(|e| AppError::NotAllowed(format!("no randomness from the system: {e}")))?;
    let salt =
        SaltString::encode_b64(&salt).map_err(|e| AppError::NotAllowed(format!("salt: {e}")))?;
    Ok(argon2(cost)
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| AppError::NotAllowed(format!("hashing failed: {e}")))?
        .to_string())
}

/// Whether the password matches the PHC string (its own parameters are
/// used, so hashes made under either cost verify).
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

fn user_json(u: &User) -> String {
    json!({"email": u.email, "name": u.name, "role": u.role, "active": u.active}).to_string()
}

fn token_json(t: &TokenRecord) -> String {
    json!({"id": t.id, "user": t.user_email, "name": t.name, "role": t.role,
           "revoked": t.revoked_at.is_some()})
    .to_string()
}

fn field(name: &str, message: impl Into<String>) -> AppError {
    let mut e = FieldErrors::default();
    e.push(name, message);
    AppError::Invalid(e)
}

impl App {
    /// An audit record of a change made now by `caller`.
    pub fn audit_record(
        &self,
        caller: &Caller,
        entity: &str,
        entity_id: impl Into<String>,
        action: &str,
        before: String,
        after: String,
    ) -> AuditRecord {
        AuditRecord {
            at: self.now(),
            actor: caller.actor.clone(),
            entity: entity.into(),
            entity_id: entity_id.into(),
            action: action.into(),
            before,
            after,
        }
    }

    /// Appends an audit entry on its own, for account events that write
    /// nothing the store audits (a reset link handed out). Store writes
    /// audit themselves (`debrief_store::audit`).
    pub async fn audit(
        &self,
        caller: &Caller,
        entity: &str,
        entity_id: impl Into<String>,
        action: &str,
        before: serde_json::Value,
        after: serde_json::Value,
    ) -> Result<(), AppError> {
        let r = self.audit_record(
            caller,
            entity,
            entity_id,
            action,
            before.to_string(),
            after.to_string(),
        );
        self.store().append_audit(r).await?;
        Ok(())
    }

    /// Adds a user. Only admins add users (the CLI is one).
    pub async fn add_user(
        &self,
        caller: &Caller,
        draft: &UserDraft,
        password: &str,
    ) -> Result<User, AppError> {
        caller.require(Role::Admin)?;
        self.insert_user(caller, draft, password).await
    }

    async fn insert_user(
        &self,
        caller: &Caller,
        draft: &UserDraft,
        password: &str,
    ) -> Result<User, AppError> {
        let mut errors = match draft.validate() {
            Ok(_) => FieldErrors::default(),
            Err(e) => e,
        };
        if let Err(m) = check_password(password, &draft.email) {
            errors.push("password", m);
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let d = draft.validate()?;
        let user = User {
            id: Uuid::now_v7(),
            email: d.email,
            name: d.name,
            role: d.role,
            active: true,
            created_at: self.now(),
        };
        let hash = hash_password(password, self.settings().password_cost)?;
        let audit = self.audit_record(
            caller,
            "user",
            &user.email,
            "create",
            "null".into(),
            user_json(&user),
        );
        self.store().create_user(&user, &hash, audit).await?;
        Ok(user)
    }

    pub async fn users(&self, caller: &Caller) -> Result<Vec<User>, AppError> {
        caller.require(Role::Viewer)?;
        Ok(self.store().list_users().await?)
    }

    pub async fn user_by_email(&self, email: &str) -> Result<User, AppError> {
        self.store()
            .user_with_hash(email)
            .await?
            .map(|(u, _)| u)
            .ok_or_else(|| AppError::NotFound(format!("there is no user {}", email.trim())))
    }

    /// Changes a user's role, name or active flag (admins). An admin cannot
    /// demote or deactivate themselves, so there is always one admin.
    pub async fn update_user(
        &self,
        caller: &Caller,
        email: &str,
        role: Option<Role>,
        active: Option<bool>,
    ) -> Result<User, AppError> {
        caller.require(Role::Admin)?;
        let before = self.user_by_email(email).await?;
        if Some(before.id) == caller.user_id
            && (role.is_some_and(|r| r != Role::Admin) || active == Some(false))
        {
            return Err(AppError::NotAllowed(
                "you cannot demote or deactivate yourself; ask another admin".into(),
            ));
        }
        let mut after = before.clone();
        if let Some(r) = role {
            after.role = r;
        }
        if let Some(a) = active {
            after.active = a;
        }
        let audit = self.audit_record(
            caller,
            "user",
            &after.email,
            "update",
            user_json(&before),
            user_json(&after),
        );
        self.store()
            .update_user(&after, None, self.now(), audit)
            .await?;
        Ok(after)
    }

    /// Sets a password: the user's own (with the current one) or through a
    /// reset link. Ends the user's other sessions.
    pub async fn change_password(
        &self,
        caller: &Caller,
        current: &str,
        new: &str,
    ) -> Result<(), AppError> {
        let id = caller
            .user_id
            .ok_or_else(|| AppError::NotAllowed("the system has no password".into()))?;
        let user = self
            .store()
            .user_by_id(id)
            .await?
            .ok_or_else(|| AppError::NotFound("your account is gone".into()))?;
        let (_, hash) = self
            .store()
            .user_with_hash(&user.email)
            .await?
            .ok_or_else(|| AppError::NotFound("your account is gone".into()))?;
        if !verify_password(current, &hash) {
            return Err(field("current", "this is not your current password"));
        }
        check_password(new, &user.email).map_err(|m| field("password", m))?;
        let new_hash = hash_password(new, self.settings().password_cost)?;
        let audit = self.audit_record(
            caller,
            "user",
            &user.email,
            "password",
            user_json(&user),
            user_json(&user),
        );
        self.store()
            .update_user(&user, Some(&new_hash), self.now(), audit)
            .await?;
        Ok(())
    }

    /// A one-time link for a user to set a new password (admins hand it over).
    pub async fn password_reset_link(
        &self,
        caller: &Caller,
        email: &str,
    ) -> Result<String, AppError> {
        caller.require(Role::Admin)?;
        let user = self.user_by_email(email).await?;
        let token = random_secret()?;
        self.store()
            .create_link(
                &secret_hash(&token),
                "reset",
                Some(user.id),
                self.now() + LINK_LIFETIME,
            )
            .await?;
        self.audit(
            caller,
            "user",
            &user.email,
            "reset_link",
            serde_json::Value::Null,
            serde_json::Value::Null,
        )
        .await?;
        Ok(token)
    }

    /// Whether a setup or reset link still works.
    pub async fn link_valid(&self, token: &str, purpose: &str) -> Result<bool, AppError> {
        Ok(self
            .store()
            .link_valid(&secret_hash(token), purpose, self.now())
            .await?
            .is_some())
    }

    /// Uses a reset link to set a password.
    pub async fn reset_password(&self, token: &str, new: &str) -> Result<User, AppError> {
        let user_id = self
            .store()
            .link_valid(&secret_hash(token), "reset", self.now())
            .await?
            .flatten()
            .ok_or_else(|| AppError::NotFound("this link was used or has expired".into()))?;
        let user = self
            .store()
            .user_by_id(user_id)
            .await?
            .ok_or_else(|| AppError::NotFound("the account is gone".into()))?;
        check_password(new, &user.email).map_err(|m| field("password", m))?;
        if self
            .store()
            .use_link(&secret_hash(token), "reset", self.now())
            .await?
            .is_none()
        {
            return Err(AppError::NotFound(
                "this link was used or has expired".into(),
            ));
        }
        let new_hash = hash_password(new, self.settings().password_cost)?;
        let audit = self.audit_record(
            &Caller::user(&user),
            "user",
            &user.email,
            "password",
            user_json(&user),
            user_json(&user),
        );
        self.store()
            .update_user(&user, Some(&new_hash), self.now(), audit)
            .await?;
        Ok(user)
    }

    /// On a start with no users: a one-time link to create the first admin.
    pub async fn setup_link_if_no_users(&self) -> Result<Option<String>, AppError> {
        if self.store().count_users().await? > 0 {
            return Ok(None);
        }
        let token = random_secret()?;
        self.store()
            .create_link(
                &secret_hash(&token),
                "setup",
                None,
                self.now() + LINK_LIFETIME,
            )
            .await?;
        Ok(Some(token))
    }

    /// Creates the first admin through the setup link.
    pub async fn complete_setup(
        &self,
        token: &str,
        draft: &UserDraft,
        password: &str,
    ) -> Result<User, AppError> {
        if !self.link_valid(token, "setup").await? || self.store().count_users().await? > 0 {
            return Err(AppError::NotFound(
                "this setup link was used or has expired".into(),
            ));
        }
        let draft = UserDraft {
            role: Role::Admin,
            ..draft.clone()
        };
        let d = draft.validate()?;
        check_password(password, &d.email).map_err(|m| field("password", m))?;
        if self
            .store()
            .use_link(&secret_hash(token), "setup", self.now())
            .await?
            .is_none()
        {
            return Err(AppError::NotFound(
                "this setup link was used or has expired".into(),
            ));
        }
        self.insert_user(&Caller::system(d.email.clone()), &draft, password)
            .await
    }

    /// Checks an email and password. Counts failures per account and per
    /// address over [`LOGIN_WINDOW`]; an unknown email is hashed against
    /// anyway, so timing does not tell which emails exist.
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        address: &str,
    ) -> Result<Result<(String, User), LoginError>, AppError> {
        let email = email.trim().to_lowercase();
        let since = self.now() - LOGIN_WINDOW;
        let (by_email, by_address) = self.store().login_failures(&email, address, since).await?;
        if by_email >= LOGIN_FAILURES_PER_ACCOUNT || by_address >= LOGIN_FAILURES_PER_ADDRESS {
            return Ok(Err(LoginError::TooManyAttempts));
        }
        let found = self.store().user_with_hash(&email).await?;
        let ok = match &found {
            Some((u, hash)) => verify_password(password, hash) && u.active,
            None => {
                let _ = verify_password(password, dummy_hash(self.settings().password_cost));
                false
            }
        };
        match found {
            Some((user, _)) if ok => {
                self.store().clear_login_failures(&email).await?;
                let session = random_secret()?;
                self.store()
                    .create_session(&secret_hash(&session), user.id, self.now())
                    .await?;
                Ok(Ok((session, user)))
            }
            _ => {
                self.store()
                    .record_login_failure(&email, address, self.now())
                    .await?;
                Ok(Err(LoginError::WrongCredentials))
            }
        }
    }

    /// The user behind a session cookie, if the session is live: seen
    /// within the idle timeout and younger than the absolute one. Ended
    /// sessions are deleted.
    pub async fn session_user(&self, session: &str) -> Result<Option<User>, AppError> {
        let hash = secret_hash(session);
        let Some(s) = self.store().session(&hash).await? else {
            return Ok(None);
        };
        let now = self.now();
        let idle = jiff::SignedDuration::try_from(self.settings().session_idle)
            .unwrap_or(jiff::SignedDuration::MAX);
        let absolute = jiff::SignedDuration::try_from(self.settings().session_absolute)
            .unwrap_or(jiff::SignedDuration::MAX);
        if now.duration_since(s.last_seen_at) > idle
            || now.duration_since(s.created_at) > absolute
            || !s.user.active
        {
            self.store().delete_session(&hash).await?;
            return Ok(None);
        }
        if now.duration_since(s.last_seen_at) >= TOUCH_EVERY {
            self.store().touch_session(&hash, now).await?;
        }
        Ok(Some(s.user))
    }

    pub async fn logout(&self, session: &str) -> Result<(), AppError> {
        self.store().delete_session(&secret_hash(session)).await?;
        Ok(())
    }

    /// Creates an API token for `email` (yourself, or anyone for admins)
    /// with at most that user's role. Returns the secret (shown once).
    pub async fn create_token(
        &self,
        caller: &Caller,
        email: &str,
        name: &str,
        role: Option<Role>,
    ) -> Result<(String, TokenRecord), AppError> {
        let user = self.user_by_email(email).await?;
        if Some(user.id) != caller.user_id {
            caller.require(Role::Admin)?;
        }
        if !user.active {
            return Err(AppError::NotAllowed(format!(
                "{} is deactivated",
                user.email
            )));
        }
        let role = role.unwrap_or(user.role);
        if role > user.role || role > caller.role {
            return Err(field(
                "role",
                format!(
                    "a token can have at most its user's role ({}) and yours ({})",
                    user.role, caller.role
                ),
            ));
        }
        let name = name.trim();
        let name = if name.is_empty() { "token" } else { name };
        if name.chars().count() > 100 {
            return Err(field("name", "the name is longer than 100 characters"));
        }
        let secret = format!("{TOKEN_PREFIX}{}", random_secret()?);
        let record = TokenRecord {
            id: Uuid::now_v7(),
            user_id: user.id,
            user_email: user.email.clone(),
            name: name.to_owned(),
            role,
            created_at: self.now(),
            last_used_at: None,
            revoked_at: None,
        };
        let audit = self.audit_record(
            caller,
            "api_token",
            record.id.to_string(),
            "create",
            "null".into(),
            token_json(&record),
        );
        self.store()
            .create_token(&record, &secret_hash(&secret), audit)
            .await?;
        Ok((secret, record))
    }

    /// The caller a bearer token stands for: the token's role, never more
    /// than its user's current role; `None` when revoked, unknown or the
    /// user is deactivated. Records the last use.
    pub async fn token_caller(&self, secret: &str) -> Result<Option<Caller>, AppError> {
        let Some((token, user)) = self.store().token_by_hash(&secret_hash(secret)).await? else {
            return Ok(None);
        };
        if !user.active {
            return Ok(None);
        }
        let now = self.now();
        if token
            .last_used_at
            .is_none_or(|t| now.duration_since(t) >= TOUCH_EVERY)
        {
            self.store().touch_token(token.id, now).await?;
        }
        Ok(Some(Caller {
            user_id: Some(user.id),
            actor: user.email,
            role: token.role.min(user.role),
        }))
    }

    /// Tokens: the caller's own, or everyone's for admins (`all`).
    pub async fn tokens(&self, caller: &Caller, all: bool) -> Result<Vec<TokenRecord>, AppError> {
        if all || caller.user_id.is_none() {
            caller.require(Role::Admin)?;
            return Ok(self.store().list_tokens(None).await?);
        }
        Ok(self.store().list_tokens(caller.user_id).await?)
    }

    /// Revokes a token: your own, or anyone's for admins.
    pub async fn revoke_token(&self, caller: &Caller, id: Uuid) -> Result<(), AppError> {
        let token = self
            .store()
            .token_by_id(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("there is no API token {id}")))?;
        if Some(token.user_id) != caller.user_id {
            caller.require(Role::Admin)?;
        }
        let mut after = token.clone();
        after.revoked_at = Some(self.now());
        let audit = self.audit_record(
            caller,
            "api_token",
            id.to_string(),
            "revoke",
            token_json(&token),
            token_json(&after),
        );
        self.store().revoke_token(id, self.now(), audit).await?;
        Ok(())
    }

    /// The role a review change needs beyond the route's: approving a
    /// review is a manager's (they run reviews, PRODUCT.md §11); other
    /// changes a contributor's.
    pub fn check_review_change(
        caller: &Caller,
        change: &debrief_core::review::ReviewChange,
    ) -> Result<(), AppError> {
        use debrief_core::review::{ReviewChange, ReviewStatus};
        if let ReviewChange::Transition { to, .. } = change
            && *to == ReviewStatus::Approved
        {
            return caller.require(Role::Manager);
        }
        Ok(())
    }

    /// Whether `caller` may see the incident (restricted: members and admins).
    pub async fn can_see_incident(&self, caller: &Caller, id: Uuid) -> Result<bool, AppError> {
        Ok(self
            .store()
            .incident_visible(id, caller.visibility())
            .await?)
    }

    /// Restriction and members of an incident (by member email).
    pub async fn incident_access(&self, key: &IncidentKey) -> Result<(bool, Vec<User>), AppError> {
        let incident = self.store().incident_by_key(key).await?;
        let (restricted, ids) = self.store().incident_access(incident.id).await?;
        let mut members = Vec::new();
        for id in ids {
            if let Some(u) = self.store().user_by_id(id).await? {
                members.push(u);
            }
        }
        Ok((restricted, members))
    }

    /// Restricts or opens an incident and sets its members (managers).
    pub async fn set_incident_access(
        &self,
        caller: &Caller,
        key: &IncidentKey,
        restricted: bool,
        member_emails: &[String],
    ) -> Result<(), AppError> {
        caller.require(Role::Manager)?;
        let incident = self.store().incident_by_key(key).await?;
        let (was, before_ids) = self.store().incident_access(incident.id).await?;
        let mut ids = Vec::new();
        let mut errors = FieldErrors::default();
        for e in member_emails
            .iter()
            .map(|e| e.trim())
            .filter(|e| !e.is_empty())
        {
            match self.store().user_with_hash(e).await? {
                Some((u, _)) => {
                    if !ids.contains(&u.id) {
                        ids.push(u.id)
                    }
                }
                None => errors.push("members", format!("there is no user {e}")),
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let audit = self.audit_record(
            caller,
            "incident_access",
            key.to_string(),
            "update",
            json!({"restricted": was, "members": before_ids}).to_string(),
            json!({"restricted": restricted, "members": ids}).to_string(),
        );
        self.store()
            .set_incident_access(incident.id, restricted, &ids, audit)
            .await?;
        Ok(())
    }

    /// A page of the audit log (admins).
    pub async fn audit_log(
        &self,
        caller: &Caller,
        filter: &AuditFilter,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, AppError> {
        caller.require(Role::Admin)?;
        Ok(self.store().audit_entries(filter, offset, limit).await?)
    }

    /// Checks the whole chain and that the head the appends keep is its
    /// last entry (so removing the newest entries is found too).
    pub async fn verify_audit(&self) -> Result<Result<u64, BrokenLink>, AppError> {
        let (entries, (head_seq, head_hash)) = self.store().audit_chain().await?;
        let n = match verify_chain(&entries) {
            Ok(n) => n,
            Err(b) => return Ok(Err(b)),
        };
        let last = entries.last();
        let (last_seq, last_hash) = last
            .map(|e| (e.seq, e.hash.as_str()))
            .unwrap_or((0, debrief_core::audit::GENESIS_HASH));
        if last_seq != head_seq || last_hash != head_hash {
            return Ok(Err(BrokenLink {
                seq: last_seq + 1,
                reason: format!(
                    "the chain head says {head_seq} entries but the log ends at {last_seq} (entries were removed)"
                ),
            }));
        }
        Ok(Ok(n))
    }
}

/// A fixed hash to verify against when the email is unknown, so a wrong
/// email costs the same time as a wrong password.
fn dummy_hash(cost: PasswordCost) -> &'static str {
    static STANDARD: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    static FAST: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let cell = match cost {
        PasswordCost::Standard => &STANDARD,
        PasswordCost::FastForTests => &FAST,
    };
    cell.get_or_init(|| hash_password("not a password anyone has", cost).unwrap_or_default())
}

/// A demo account: email, role, password (printed once by `debrief demo`).
pub type DemoAccount = (String, Role, String);

impl App {
    /// The demo's users, one of each role, with random passwords, and the
    /// last demo incident restricted to the manager and the contributor
    /// (the viewer is not a member). Only into a database without users.
    pub async fn demo_accounts(
        &self,
        restricted: Option<&IncidentKey>,
    ) -> Result<Vec<DemoAccount>, AppError> {
        if self.store().count_users().await? > 0 {
            return Ok(Vec::new());
        }
        let system = Caller::system("demo");
        let mut out = Vec::new();
        for (email, name, role) in [
            ("admin@demo.example", "Ada Admin", Role::Admin),
            ("manager@demo.example", "Mo Manager", Role::Manager),
            (
                "contributor@demo.example",
                "Cy Contributor",
                Role::Contributor,
            ),
            ("viewer@demo.example", "Vi Viewer", Role::Viewer),
        ] {
            let password = random_password()?;
            let draft = UserDraft {
                email: email.into(),
                name: name.into(),
                role,
            };
            self.insert_user(&system, &draft, &password).await?;
            out.push((email.to_owned(), role, password));
        }
        if let Some(key) = restricted {
            self.set_incident_access(
                &system,
                key,
                true,
                &[
                    "manager@demo.example".into(),
                    "contributor@demo.example".into(),
                ],
            )
            .await?;
        }
        Ok(out)
    }

    /// The incident a path names through one of its parameters (`key` of
    /// an incident, `reference` of an action, `id` of a workshop); `None`
    /// when there is no such thing (the handler then answers 404 itself).
    pub async fn incident_named_by(&self, param: &str, value: &str) -> Option<Uuid> {
        match param {
            "key" => {
                let key: IncidentKey = value.parse().ok()?;
                self.store().incident_by_key(&key).await.ok().map(|i| i.id)
            }
            "reference" => self
                .action(value)
                .await
                .ok()
                .map(|a| a.record.action.incident_id),
            "workshop" => {
                let id = Uuid::parse_str(value.trim()).ok()?;
                self.store()
                    .workshop_by_id(id)
                    .await
                    .ok()
                    .map(|w| w.incident_id)
            }
            "attachment" => {
                let id = Uuid::parse_str(value.trim()).ok()?;
                self.store()
                    .attachment(id)
                    .await
                    .ok()
                    .map(|a| a.incident_id)
            }
            _ => None,
        }
    }
}
