//! Accounts in the database: users, sessions, API tokens, failed sign-ins,
//! one-time links, restricted incidents with their members, and the
//! append-only, hash-chained audit log. Secrets never reach this module:
//! it keeps SHA-256 hashes of session ids and tokens and argon2id hashes of
//! passwords, computed by `debrief-app`.

use async_trait::async_trait;
use debrief_core::audit::{AuditEntry, AuditFields, entry_hash};
use debrief_core::{Role, User};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use crate::StoreError;
use crate::codec::{corrupt, instant, micros};
use crate::sql::{SqlStore, Value, bind_all, duplicate_or, int, text};

/// Who is asking, as far as incident visibility goes. Admins (and the CLI,
/// which acts as the system) see every incident; everyone else sees the
/// unrestricted ones and those they are a member of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Visibility {
    /// Every incident.
    #[default]
    All,
    /// Unrestricted incidents and restricted ones this user is a member of.
    MemberOf(Uuid),
}

impl Visibility {
    /// The SQL condition over an incidents row aliased `alias` (its `id`
    /// and `restricted` columns); binds go after `values`' current length.
    /// This is the one place the rule is written: every query that lists,
    /// counts, exports or reads incidents or what hangs off them adds it.
    pub(crate) fn clause(&self, alias: &str, values: &mut Vec<Value>) -> String {
        match self {
            Visibility::All => "1 = 1".into(),
            Visibility::MemberOf(user) => {
                values.push(text(user.to_string()));
                format!(
                    "({alias}.restricted = 0 OR EXISTS (SELECT 1 FROM incident_members vm \
                     WHERE vm.incident_id = {alias}.id AND vm.user_id = ${}))",
                    values.len()
                )
            }
        }
    }
}

/// A session as stored (its id only as a hash).
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub user: User,
    pub created_at: jiff::Timestamp,
    pub last_seen_at: jiff::Timestamp,
}

/// An API token as stored (its secret only as a hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub id: Uuid,
    pub user_id: Uuid,
    /// The creator's email, for lists.
    pub user_email: String,
    pub name: String,
    /// At most the creator's role.
    pub role: Role,
    pub created_at: jiff::Timestamp,
    pub last_used_at: Option<jiff::Timestamp>,
    pub revoked_at: Option<jiff::Timestamp>,
}

/// What a change records in the audit log; the store adds seq, hashes.
#[derive(Debug, Clone)]
pub struct AuditRecord {
    pub at: jiff::Timestamp,
    pub actor: String,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    /// JSON text, `null` when there was nothing before.
    pub before: String,
    /// JSON text, `null` when nothing is left.
    pub after: String,
}

/// Filters of the audit log page.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub actor: Option<String>,
    pub from: Option<jiff::Timestamp>,
    pub until: Option<jiff::Timestamp>,
}

#[async_trait]
pub trait AccountStore: Send + Sync {
    async fn count_users(&self) -> Result<u64, StoreError>;
    /// Adds a user (a `Duplicate` when the email is taken) and its audit entry.
    async fn create_user(
        &self,
        user: &User,
        password_hash: &str,
        audit: AuditRecord,
    ) -> Result<(), StoreError>;
    async fn user_by_id(&self, id: Uuid) -> Result<Option<User>, StoreError>;
    /// The user and their password hash, for the sign-in check.
    async fn user_with_hash(&self, email: &str) -> Result<Option<(User, String)>, StoreError>;
    async fn list_users(&self) -> Result<Vec<User>, StoreError>;
    /// Writes role, name and active flag (and the password hash when given);
    /// a deactivated user's sessions end and their tokens stop working.
    async fn update_user(
        &self,
        user: &User,
        password_hash: Option<&str>,
        now: jiff::Timestamp,
        audit: AuditRecord,
    ) -> Result<(), StoreError>;

    async fn create_session(
        &self,
        id_hash: &str,
        user_id: Uuid,
        now: jiff::Timestamp,
    ) -> Result<(), StoreError>;
    async fn session(&self, id_hash: &str) -> Result<Option<SessionRecord>, StoreError>;
    async fn touch_session(&self, id_hash: &str, now: jiff::Timestamp) -> Result<(), StoreError>;
    async fn delete_session(&self, id_hash: &str) -> Result<(), StoreError>;

    async fn create_token(
        &self,
        token: &TokenRecord,
        token_hash: &str,
        audit: AuditRecord,
    ) -> Result<(), StoreError>;
    /// A token that is not revoked, with its (active or not) user.
    async fn token_by_hash(&self, hash: &str) -> Result<Option<(TokenRecord, User)>, StoreError>;
    async fn touch_token(&self, id: Uuid, now: jiff::Timestamp) -> Result<(), StoreError>;
    async fn token_by_id(&self, id: Uuid) -> Result<Option<TokenRecord>, StoreError>;
    /// Tokens of one user, or everyone's; newest first.
    async fn list_tokens(&self, user: Option<Uuid>) -> Result<Vec<TokenRecord>, StoreError>;
    async fn revoke_token(
        &self,
        id: Uuid,
        now: jiff::Timestamp,
        audit: AuditRecord,
    ) -> Result<(), StoreError>;

    async fn record_login_failure(
        &self,
        email: &str,
        address: &str,
        now: jiff::Timestamp,
    ) -> Result<(), StoreError>;
    /// Failures since `since`: (for this email, from this address).
    async fn login_failures(
        &self,
        email: &str,
        address: &str,
        since: jiff::Timestamp,
    ) -> Result<(u64, u64), StoreError>;
    async fn clear_login_failures(&self, email: &str) -> Result<(), StoreError>;

    async fn create_link(
        &self,
        token_hash: &str,
        purpose: &str,
        user_id: Option<Uuid>,
        expires: jiff::Timestamp,
    ) -> Result<(), StoreError>;
    /// Whether the link is unused and unexpired (without using it).
    async fn link_valid(
        &self,
        token_hash: &str,
        purpose: &str,
        now: jiff::Timestamp,
    ) -> Result<Option<Option<Uuid>>, StoreError>;
    /// Uses the link once: its user, or `None` when it is used, expired or
    /// unknown. One conditional update, so two uses cannot both succeed.
    async fn use_link(
        &self,
        token_hash: &str,
        purpose: &str,
        now: jiff::Timestamp,
    ) -> Result<Option<Option<Uuid>>, StoreError>;

    /// Whether the incident is restricted and who its members are.
    async fn incident_access(&self, incident_id: Uuid) -> Result<(bool, Vec<Uuid>), StoreError>;
    async fn set_incident_access(
        &self,
        incident_id: Uuid,
        restricted: bool,
        members: &[Uuid],
        audit: AuditRecord,
    ) -> Result<(), StoreError>;
    /// Whether `visibility` lets its holder see the incident.
    async fn incident_visible(
        &self,
        incident_id: Uuid,
        visibility: Visibility,
    ) -> Result<bool, StoreError>;

    /// Appends one entry to the audit log (its own transaction).
    async fn append_audit(&self, audit: AuditRecord) -> Result<AuditEntry, StoreError>;
    /// A page of the log, newest first.
    async fn audit_entries(
        &self,
        filter: &AuditFilter,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError>;
    /// The whole log in seq order (for verification) and the chain head
    /// (seq, hash) the appends keep.
    async fn audit_chain(&self) -> Result<(Vec<AuditEntry>, (i64, String)), StoreError>;
}

const USER_COLUMNS: &str = "u.id, u.email, u.name, u.role, u.active, u.created_us";

fn user_from_row(r: &AnyRow) -> Result<User, StoreError> {
    let id: String = r.try_get("id")?;
    let role: String = r.try_get("role")?;
    let active: i64 = r.try_get("active")?;
    Ok(User {
        id: Uuid::parse_str(&id).map_err(corrupt)?,
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        role: role.parse().map_err(corrupt)?,
        active: active != 0,
        created_at: instant(r.try_get("created_us")?)?,
    })
}

const TOKEN_COLUMNS: &str = "t.id AS t_id, t.user_id AS t_user_id, t.name AS t_name, t.role AS t_role, \
     t.created_us AS t_created_us, t.last_used_us AS t_last_used_us, t.revoked_us AS t_revoked_us, \
     u.email AS t_email";

fn token_from_row(r: &AnyRow) -> Result<TokenRecord, StoreError> {
    let id: String = r.try_get("t_id")?;
    let user: String = r.try_get("t_user_id")?;
    let role: String = r.try_get("t_role")?;
    let opt = |c: &str| -> Result<Option<jiff::Timestamp>, StoreError> {
        r.try_get::<Option<i64>, _>(c)?.map(instant).transpose()
    };
    Ok(TokenRecord {
        id: Uuid::parse_str(&id).map_err(corrupt)?,
        user_id: Uuid::parse_str(&user).map_err(corrupt)?,
        user_email: r.try_get("t_email")?,
        name: r.try_get("t_name")?,
        role: role.parse().map_err(corrupt)?,
        created_at: instant(r.try_get("t_created_us")?)?,
        last_used_at: opt("t_last_used_us")?,
        revoked_at: opt("t_revoked_us")?,
    })
}

const AUDIT_COLUMNS: &str =
    "seq, at_us, actor, entity, entity_id, action, before_json, after_json, via, prev_hash, hash";

fn audit_from_row(r: &AnyRow) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        seq: r.try_get("seq")?,
        at_us: r.try_get("at_us")?,
        actor: r.try_get("actor")?,
        entity: r.try_get("entity")?,
        entity_id: r.try_get("entity_id")?,
        action: r.try_get("action")?,
        before: r.try_get("before_json")?,
        after: r.try_get("after_json")?,
        via: r.try_get("via")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

/// Appends to the chain on `conn`, which must be inside a transaction; `via`
/// comes from the ambient [`crate::audit::AuditContext`]. The
/// first statement writes the chain-head row, which locks it (PostgreSQL's
/// row lock; SQLite's database write lock) until the transaction ends, so
/// concurrent appends — from this process or another instance — queue up
/// and each reads the head the previous one wrote.
pub(crate) async fn append_audit_on(
    conn: &mut AnyConnection,
    a: &AuditRecord,
) -> Result<AuditEntry, StoreError> {
    crate::audit::lock_chain(conn).await?;
    let head = sqlx::query("SELECT seq, hash FROM audit_chain_head WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?;
    let last_seq: i64 = head.try_get("seq")?;
    let prev_hash: String = head.try_get("hash")?;
    let seq = last_seq + 1;
    let at_us = micros(a.at);
    let via = crate::audit::current_context().via;
    let hash = entry_hash(
        &prev_hash,
        AuditFields {
            seq,
            at_us,
            actor: &a.actor,
            entity: &a.entity,
            entity_id: &a.entity_id,
            action: &a.action,
            before: &a.before,
            after: &a.after,
            via: &via,
        },
    );
    sqlx::query(&format!(
        "INSERT INTO audit_log ({AUDIT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    ))
    .bind(seq)
    .bind(at_us)
    .bind(a.actor.clone())
    .bind(a.entity.clone())
    .bind(a.entity_id.clone())
    .bind(a.action.clone())
    .bind(a.before.clone())
    .bind(a.after.clone())
    .bind(via.clone())
    .bind(prev_hash.clone())
    .bind(hash.clone())
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_chain_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(seq)
        .bind(hash.clone())
        .execute(&mut *conn)
        .await?;
    Ok(AuditEntry {
        seq,
        at_us,
        actor: a.actor.clone(),
        entity: a.entity.clone(),
        entity_id: a.entity_id.clone(),
        action: a.action.clone(),
        before: a.before.clone(),
        after: a.after.clone(),
        via,
        prev_hash,
        hash,
    })
}

#[async_trait]
impl AccountStore for SqlStore {
    async fn count_users(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(&mut *self.pool().acquire().await?)
            .await?
            .try_get("n")?;
        Ok(n as u64)
    }

    async fn create_user(
        &self,
        user: &User,
        password_hash: &str,
        audit: AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        append_audit_on(&mut tx, &audit).await?;
        sqlx::query(
            "INSERT INTO users (id, email, name, role, password_hash, active, created_us, updated_us) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(user.id.to_string())
        .bind(user.email.clone())
        .bind(user.name.clone())
        .bind(user.role.as_str())
        .bind(password_hash.to_owned())
        .bind(i64::from(user.active))
        .bind(micros(user.created_at))
        .execute(&mut *tx)
        .await
        .map_err(|e| duplicate_or(e, |_| format!("there is already a user {}", user.email)))?;
        tx.commit().await?;
        Ok(())
    }

    async fn user_by_id(&self, id: Uuid) -> Result<Option<User>, StoreError> {
        sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1"
        ))
        .bind(id.to_string())
        .fetch_optional(&mut *self.pool().acquire().await?)
        .await?
        .as_ref()
        .map(user_from_row)
        .transpose()
    }

    async fn user_with_hash(&self, email: &str) -> Result<Option<(User, String)>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.email = $1"
        ))
        .bind(email.trim().to_lowercase())
        .fetch_optional(&mut *self.pool().acquire().await?)
        .await?;
        row.map(|r| Ok((user_from_row(&r)?, r.try_get("password_hash")?)))
            .transpose()
    }

    async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u ORDER BY u.email"
        ))
        .fetch_all(&mut *self.pool().acquire().await?)
        .await?
        .iter()
        .map(user_from_row)
        .collect()
    }

    async fn update_user(
        &self,
        user: &User,
        password_hash: Option<&str>,
        now: jiff::Timestamp,
        audit: AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        append_audit_on(&mut tx, &audit).await?;
        let done = sqlx::query(
            "UPDATE users SET name = $1, role = $2, active = $3, \
             password_hash = COALESCE($4, password_hash), updated_us = $5 WHERE id = $6",
        )
        .bind(user.name.clone())
        .bind(user.role.as_str())
        .bind(i64::from(user.active))
        .bind(password_hash.map(str::to_owned))
        .bind(micros(now))
        .bind(user.id.to_string())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                entity: "user",
                id: user.email.clone(),
            });
        }
        if !user.active || password_hash.is_some() {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user.id.to_string())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn create_session(
        &self,
        id_hash: &str,
        user_id: Uuid,
        now: jiff::Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, created_us, last_seen_us) VALUES ($1, $2, $3, $3)",
        )
        .bind(id_hash.to_owned())
        .bind(user_id.to_string())
        .bind(micros(now))
        .execute(&mut *self.pool().acquire().await?)
        .await?;
        Ok(())
    }

    async fn session(&self, id_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, s.created_us AS s_created, s.last_seen_us AS s_seen \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1"
        ))
        .bind(id_hash.to_owned())
        .fetch_optional(&mut *self.pool().acquire().await?)
        .await?;
        row.map(|r| {
            Ok(SessionRecord {
                user: user_from_row(&r)?,
                created_at: instant(r.try_get("s_created")?)?,
                last_seen_at: instant(r.try_get("s_seen")?)?,
            })
        })
        .transpose()
    }

    async fn touch_session(&self, id_hash: &str, now: jiff::Timestamp) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET last_seen_us = $1 WHERE id_hash = $2")
            .bind(micros(now))
            .bind(id_hash.to_owned())
            .execute(&mut *self.pool().acquire().await?)
            .await?;
        Ok(())
    }

    async fn delete_session(&self, id_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash.to_owned())
            .execute(&mut *self.pool().acquire().await?)
            .await?;
        Ok(())
    }

    async fn create_token(
        &self,
        token: &TokenRecord,
        token_hash: &str,
        audit: AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        append_audit_on(&mut tx, &audit).await?;
        sqlx::query(
            "INSERT INTO api_tokens (id, token_hash, user_id, name, role, created_us) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token.id.to_string())
        .bind(token_hash.to_owned())
        .bind(token.user_id.to_string())
        .bind(token.name.clone())
        .bind(token.role.as_str())
        .bind(micros(token.created_at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn token_by_hash(&self, hash: &str) -> Result<Option<(TokenRecord, User)>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {TOKEN_COLUMNS}, {USER_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_us IS NULL"
        ))
        .bind(hash.to_owned())
        .fetch_optional(&mut *self.pool().acquire().await?)
        .await?;
        row.map(|r| Ok((token_from_row(&r)?, user_from_row(&r)?)))
            .transpose()
    }

    async fn touch_token(&self, id: Uuid, now: jiff::Timestamp) -> Result<(), StoreError> {
        sqlx::query("UPDATE api_tokens SET last_used_us = $1 WHERE id = $2")
            .bind(micros(now))
            .bind(id.to_string())
            .execute(&mut *self.pool().acquire().await?)
            .await?;
        Ok(())
    }

    async fn token_by_id(&self, id: Uuid) -> Result<Option<TokenRecord>, StoreError> {
        sqlx::query(&format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1"
        ))
        .bind(id.to_string())
        .fetch_optional(&mut *self.pool().acquire().await?)
        .await?
        .as_ref()
        .map(token_from_row)
        .transpose()
    }

    async fn list_tokens(&self, user: Option<Uuid>) -> Result<Vec<TokenRecord>, StoreError> {
        let mut values = Vec::new();
        let condition = match user {
            Some(u) => {
                values.push(text(u.to_string()));
                "t.user_id = $1"
            }
            None => "1 = 1",
        };
        let sql = format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE {condition} ORDER BY t.created_us DESC, t.id"
        );
        bind_all(sqlx::query(&sql), values)
            .fetch_all(&mut *self.pool().acquire().await?)
            .await?
            .iter()
            .map(token_from_row)
            .collect()
    }

    async fn revoke_token(
        &self,
        id: Uuid,
        now: jiff::Timestamp,
        audit: AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        append_audit_on(&mut tx, &audit).await?;
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_us = $1 WHERE id = $2 AND revoked_us IS NULL",
        )
        .bind(micros(now))
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                entity: "active API token",
                id: id.to_string(),
            });
        }
        tx.commit().await?;
        Ok(())
    }

    async fn record_login_failure(
        &self,
        email: &str,
        address: &str,
        now: jiff::Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO login_failures (id, email, address, at_us) VALUES ($1, $2, $3, $4)",
        )
        .bind(Uuid::now_v7().to_string())
        .bind(email.trim().to_lowercase())
        .bind(address.to_owned())
        .bind(micros(now))
        .execute(&mut *self.pool().acquire().await?)
        .await?;
        Ok(())
    }

    async fn login_failures(
        &self,
        email: &str,
        address: &str,
        since: jiff::Timestamp,
    ) -> Result<(u64, u64), StoreError> {
        let r = sqlx::query(
            "SELECT \
               (SELECT COUNT(*) FROM login_failures WHERE email = $1 AND at_us >= $3) AS by_email, \
               (SELECT COUNT(*) FROM login_failures WHERE address = $2 AND at_us >= $3) AS by_address",
        )
        .bind(email.trim().to_lowercase())
        .bind(address.to_owned())
        .bind(micros(since))
        .fetch_one(&mut *self.pool().acquire().await?)
        .await?;
        let a: i64 = r.try_get("by_email")?;
        let b: i64 = r.try_get("by_address")?;
        Ok((a as u64, b as u64))
    }

    async fn clear_login_failures(&self, email: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM login_failures WHERE email = $1")
            .bind(email.trim().to_lowercase())
            .execute(&mut *self.pool().acquire().await?)
            .await?;
        Ok(())
    }

    async fn create_link(
        &self,
        token_hash: &str,
        purpose: &str,
        user_id: Option<Uuid>,
        expires: jiff::Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO one_time_links (token_hash, purpose, user_id, expires_us) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash.to_owned())
        .bind(purpose.to_owned())
        .bind(user_id.map(|u| u.to_string()))
        .bind(micros(expires))
        .execute(&mut *self.pool().acquire().await?)
        .await?;
        Ok(())
    }

    async fn link_valid(
        &self,
        token_hash: &str,
        purpose: &str,
        now: jiff::Timestamp,
    ) -> Result<Option<Option<Uuid>>, StoreError> {
        let row = sqlx::query(
            "SELECT user_id FROM one_time_links WHERE token_hash = $1 AND purpose = $2 \
             AND used_us IS NULL AND expires_us > $3",
        )
        .bind(token_hash.to_owned())
        .bind(purpose.to_owned())
        .bind(micros(now))
        .fetch_optional(&mut *self.pool().acquire().await?)
        .await?;
        row.map(|r| {
            let u: Option<String> = r.try_get("user_id")?;
            u.map(|u| Uuid::parse_str(&u).map_err(corrupt)).transpose()
        })
        .transpose()
    }

    async fn use_link(
        &self,
        token_hash: &str,
        purpose: &str,
        now: jiff::Timestamp,
    ) -> Result<Option<Option<Uuid>>, StoreError> {
        let valid = self.link_valid(token_hash, purpose, now).await?;
        if valid.is_none() {
            return Ok(None);
        }
        let done = sqlx::query(
            "UPDATE one_time_links SET used_us = $1 WHERE token_hash = $2 AND used_us IS NULL",
        )
        .bind(micros(now))
        .bind(token_hash.to_owned())
        .execute(&mut *self.pool().acquire().await?)
        .await?;
        Ok(if done.rows_affected() == 1 {
            valid
        } else {
            None
        })
    }

    async fn incident_access(&self, incident_id: Uuid) -> Result<(bool, Vec<Uuid>), StoreError> {
        let mut conn = self.pool().acquire().await?;
        let row = sqlx::query("SELECT restricted FROM incidents WHERE id = $1")
            .bind(incident_id.to_string())
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "incident",
                id: incident_id.to_string(),
            })?;
        let restricted: i64 = row.try_get("restricted")?;
        let members = sqlx::query(
            "SELECT m.user_id FROM incident_members m JOIN users u ON u.id = m.user_id \
             WHERE m.incident_id = $1 ORDER BY u.email",
        )
        .bind(incident_id.to_string())
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            let s: String = r.try_get("user_id")?;
            Uuid::parse_str(&s).map_err(corrupt)
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        Ok((restricted != 0, members))
    }

    async fn set_incident_access(
        &self,
        incident_id: Uuid,
        restricted: bool,
        members: &[Uuid],
        audit: AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        append_audit_on(&mut tx, &audit).await?;
        sqlx::query("UPDATE incidents SET restricted = $1 WHERE id = $2")
            .bind(i64::from(restricted))
            .bind(incident_id.to_string())
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM incident_members WHERE incident_id = $1")
            .bind(incident_id.to_string())
            .execute(&mut *tx)
            .await?;
        for m in members {
            sqlx::query("INSERT INTO incident_members (incident_id, user_id) VALUES ($1, $2)")
                .bind(incident_id.to_string())
                .bind(m.to_string())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn incident_visible(
        &self,
        incident_id: Uuid,
        visibility: Visibility,
    ) -> Result<bool, StoreError> {
        let mut values = vec![text(incident_id.to_string())];
        let clause = visibility.clause("i", &mut values);
        let sql = format!("SELECT 1 AS one FROM incidents i WHERE i.id = $1 AND {clause}");
        Ok(bind_all(sqlx::query(&sql), values)
            .fetch_optional(&mut *self.pool().acquire().await?)
            .await?
            .is_some())
    }

    async fn append_audit(&self, audit: AuditRecord) -> Result<AuditEntry, StoreError> {
        let mut tx = self.pool().begin().await?;
        let e = append_audit_on(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(e)
    }

    async fn audit_entries(
        &self,
        filter: &AuditFilter,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let mut values = Vec::new();
        let mut wheres = vec!["1 = 1".to_owned()];
        if let Some(e) = filter.entity.as_deref().filter(|e| !e.is_empty()) {
            values.push(text(e));
            wheres.push(format!("entity = ${}", values.len()));
        }
        if let Some(a) = filter.actor.as_deref().filter(|a| !a.is_empty()) {
            // `admin@x` also finds what admin@x did for someone else
            // (recorded as `admin@x (for Jane Doe)`).
            values.push(text(a.to_lowercase()));
            let escaped = a
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            values.push(text(format!("{escaped} (for %")));
            wheres.push(format!(
                "(LOWER(actor) = ${} OR LOWER(actor) LIKE ${} ESCAPE '\\')",
                values.len() - 1,
                values.len()
            ));
        }
        if let Some(f) = filter.from {
            values.push(int(micros(f)));
            wheres.push(format!("at_us >= ${}", values.len()));
        }
        if let Some(u) = filter.until {
            values.push(int(micros(u)));
            wheres.push(format!("at_us < ${}", values.len()));
        }
        values.push(int(i64::from(limit)));
        values.push(int(offset as i64));
        let sql = format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE {} ORDER BY seq DESC LIMIT ${} OFFSET ${}",
            wheres.join(" AND "),
            values.len() - 1,
            values.len()
        );
        bind_all(sqlx::query(&sql), values)
            .fetch_all(&mut *self.pool().acquire().await?)
            .await?
            .iter()
            .map(audit_from_row)
            .collect()
    }

    async fn audit_chain(&self) -> Result<(Vec<AuditEntry>, (i64, String)), StoreError> {
        let mut conn = self.pool().acquire().await?;
        let entries = sqlx::query(&format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY seq"
        ))
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(audit_from_row)
        .collect::<Result<Vec<_>, _>>()?;
        let head = sqlx::query("SELECT seq, hash FROM audit_chain_head WHERE id = 1")
            .fetch_one(&mut *conn)
            .await?;
        Ok((entries, (head.try_get("seq")?, head.try_get("hash")?)))
    }
}
