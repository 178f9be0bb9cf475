//! People, action items, their history and follow-up snapshots (PRODUCT.md
//! §6) on both databases. Actions are rows so the portfolio can rank and
//! filter across every incident in SQL: the score is stored in thousandths
//! (`score_milli`) and the priority is computed in the query from the
//! thresholds the caller passes, so changing the policy needs no rewrite.

use async_trait::async_trait;
use debrief_core::action::{
    Action, ActionFields, ActionStatus, ActionType, FollowUp, HistoryEntry, ItemRef, Priority,
    PriorityOverride, PriorityPolicy, Scoring, Verification,
};
use debrief_core::{IncidentKey, Person};
use jiff::civil::Date;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use crate::StoreError;
use crate::audit::{NULL, incident_key, record_row, row_json};
use crate::codec::{corrupt, instant, micros};
use crate::sql::{SqlStore, SqlTx, Value, bind_all, duplicate_or, int, stale_write_error, text};

/// An action with what lists show beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionRecord {
    pub action: Action,
    pub incident_key: IncidentKey,
    pub incident_title: String,
    pub owner: Person,
}

/// Filters of an action listing; empty vectors mean "any".
#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    pub incident_id: Option<Uuid>,
    pub owner_id: Option<Uuid>,
    pub statuses: Vec<ActionStatus>,
    pub types: Vec<ActionType>,
    /// Effective priorities (the override when there is one).
    pub priorities: Vec<Priority>,
    /// Only actions open and due before this date (overdue on it).
    pub overdue_on: Option<Date>,
    /// Only actions of incidents the caller may see.
    pub visibility: crate::Visibility,
    /// Only these actions (none: no such condition).
    pub ids: Vec<Uuid>,
}

/// Storage of people, actions and follow-ups.
#[async_trait]
pub trait ActionStore: Send + Sync {
    /// Adds a person; a second person with the same email is a `Duplicate`.
    async fn create_person(&self, person: &Person, now: jiff::Timestamp) -> Result<(), StoreError>;
    async fn update_person(
        &self,
        person: &Person,
        expected_version: i64,
        now: jiff::Timestamp,
    ) -> Result<(), StoreError>;
    /// Everyone, by name.
    async fn people(&self) -> Result<Vec<Person>, StoreError>;
    async fn person_by_id(&self, id: Uuid) -> Result<Option<Person>, StoreError>;
    /// By email, compared lower-case.
    async fn person_by_email(&self, email: &str) -> Result<Option<Person>, StoreError>;

    /// Adds an action with the next number of its incident (the number in
    /// `action` is ignored) and its first history line; returns the number.
    async fn create_action(
        &self,
        action: &Action,
        history: &HistoryEntry,
    ) -> Result<u32, StoreError>;
    /// Replaces the action if `expected_version` is current, adding history.
    async fn update_action(
        &self,
        action: &Action,
        expected_version: i64,
        history: &[HistoryEntry],
    ) -> Result<(), StoreError>;
    async fn action_by_id(&self, id: Uuid) -> Result<ActionRecord, StoreError>;
    async fn action_by_number(
        &self,
        incident_id: Uuid,
        number: u32,
    ) -> Result<ActionRecord, StoreError>;
    /// Ranked: priority (P1 first), score (highest first), due date (soonest
    /// first, none last), then oldest. Returns the page and the total count.
    async fn list_actions(
        &self,
        filter: &ActionFilter,
        policy: &PriorityPolicy,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<ActionRecord>, u64), StoreError>;
    async fn action_history(&self, action_id: Uuid) -> Result<Vec<HistoryEntry>, StoreError>;
    /// The history of every action of an incident, oldest first.
    async fn incident_action_history(
        &self,
        incident_id: Uuid,
    ) -> Result<Vec<HistoryEntry>, StoreError>;
    async fn add_follow_up(&self, follow_up: &FollowUp) -> Result<(), StoreError>;
    /// Oldest first.
    async fn follow_ups(&self, incident_id: Uuid) -> Result<Vec<FollowUp>, StoreError>;
    /// Overdue on `today` and not yet notified for their current due date.
    async fn overdue_unnotified(&self, today: Date) -> Result<Vec<ActionRecord>, StoreError>;
    /// Marks the overdue notice for this due date as sent; false when another
    /// instance got there first (so each notice goes out once).
    async fn claim_overdue_notice(&self, action_id: Uuid, due_on: Date)
    -> Result<bool, StoreError>;
}

/// The writes a bundle import makes, inside its transaction.
#[async_trait]
pub trait ActionStoreTx: Send {
    async fn person_by_email(&mut self, email: &str) -> Result<Option<Person>, StoreError>;
    async fn create_person(
        &mut self,
        person: &Person,
        now: jiff::Timestamp,
    ) -> Result<(), StoreError>;
    /// Inserts an action as it is (number included) with its history,
    /// unless an action with its id exists (then false).
    async fn insert_action_if_new(
        &mut self,
        action: &Action,
        history: &[HistoryEntry],
    ) -> Result<bool, StoreError>;
    async fn add_follow_up_if_new(&mut self, follow_up: &FollowUp) -> Result<bool, StoreError>;
}

const ACTION_COLUMNS: &str = "a.id, a.incident_id, a.number, a.title, a.description, a.action_type, \
    a.answers, a.owner_id, a.due_on, a.risk, a.impact, a.effort, a.priority_override, \
    a.override_justification, a.ticket, a.status, a.cancel_reason, a.verification, a.done_on, \
    a.version, a.created_us, a.updated_us, i.key_prefix, i.key_year, i.key_number, \
    i.title AS incident_title, p.id AS p_id, p.name AS p_name, p.email AS p_email, \
    p.team AS p_team, p.phone AS p_phone, p.version AS p_version";

const ACTION_FROM: &str =
    "actions a JOIN incidents i ON i.id = a.incident_id JOIN people p ON p.id = a.owner_id";

const PERSON_COLUMNS: &str = "id, name, email, team, phone, version";

fn uuid(s: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(s).map_err(|e| corrupt(format!("id `{s}`: {e}")))
}

fn date(s: Option<String>) -> Result<Option<Date>, StoreError> {
    s.map(|d| d.parse().map_err(|e| corrupt(format!("date `{d}`: {e}"))))
        .transpose()
}

fn person_from_row(row: &AnyRow, prefix: &str) -> Result<Person, StoreError> {
    let col = |c: &str| format!("{prefix}{c}");
    let id: String = row.try_get(col("id").as_str())?;
    Ok(Person {
        id: uuid(&id)?,
        name: row.try_get(col("name").as_str())?,
        email: row.try_get(col("email").as_str())?,
        team: row.try_get(col("team").as_str())?,
        phone: row.try_get(col("phone").as_str())?,
        version: row.try_get(col("version").as_str())?,
    })
}

fn small(v: i64, what: &str) -> Result<u8, StoreError> {
    u8::try_from(v).map_err(|_| corrupt(format!("{what} {v}")))
}

fn record_from_row(row: &AnyRow) -> Result<ActionRecord, StoreError> {
    let id: String = row.try_get("id")?;
    let incident_id: String = row.try_get("incident_id")?;
    let owner_id: String = row.try_get("owner_id")?;
    let answers: String = row.try_get("answers")?;
    let answers: Vec<ItemRef> =
        serde_json::from_str(&answers).map_err(|e| corrupt(format!("answers: {e}")))?;
    let action_type: String = row.try_get("action_type")?;
    let status: String = row.try_get("status")?;
    let override_rank: Option<i64> = row.try_get("priority_override")?;
    let justification: String = row.try_get("override_justification")?;
    let priority_override = match override_rank {
        Some(r) => Some(PriorityOverride {
            priority: Priority::from_rank(r).ok_or_else(|| corrupt(format!("priority {r}")))?,
            justification,
        }),
        None => None,
    };
    let verification: Option<String> = row.try_get("verification")?;
    let verification: Option<Verification> = verification
        .map(|v| serde_json::from_str(&v).map_err(|e| corrupt(format!("verification: {e}"))))
        .transpose()?;
    let number: i64 = row.try_get("number")?;
    let action = Action {
        id: uuid(&id)?,
        incident_id: uuid(&incident_id)?,
        number: u32::try_from(number).map_err(corrupt)?,
        fields: ActionFields {
            title: row.try_get("title")?,
            description: row.try_get("description")?,
            action_type: action_type.parse().map_err(corrupt)?,
            answers,
            owner_id: uuid(&owner_id)?,
            due_on: date(row.try_get("due_on")?)?,
            scoring: Scoring {
                risk: small(row.try_get("risk")?, "risk")?,
                impact: small(row.try_get("impact")?, "impact")?,
                effort: small(row.try_get("effort")?, "effort")?,
            },
            priority_override,
            ticket: row.try_get("ticket")?,
        },
        status: status.parse().map_err(corrupt)?,
        cancel_reason: row.try_get("cancel_reason")?,
        verification,
        done_on: date(row.try_get("done_on")?)?,
        created_at: instant(row.try_get("created_us")?)?,
        updated_at: instant(row.try_get("updated_us")?)?,
        version: row.try_get("version")?,
    };
    let prefix: String = row.try_get("key_prefix")?;
    let year: i64 = row.try_get("key_year")?;
    let key_number: i64 = row.try_get("key_number")?;
    let incident_key = IncidentKey::new(
        &prefix,
        i32::try_from(year).map_err(corrupt)?,
        u32::try_from(key_number).map_err(corrupt)?,
    )
    .map_err(corrupt)?;
    Ok(ActionRecord {
        action,
        incident_key,
        incident_title: row.try_get("incident_title")?,
        owner: person_from_row(row, "p_")?,
    })
}

fn history_from_row(row: &AnyRow) -> Result<HistoryEntry, StoreError> {
    let action_id: String = row.try_get("action_id")?;
    let from: Option<String> = row.try_get("from_status")?;
    let to: Option<String> = row.try_get("to_status")?;
    Ok(HistoryEntry {
        action_id: uuid(&action_id)?,
        at: instant(row.try_get("at_us")?)?,
        actor: row.try_get("actor")?,
        what: row.try_get("what")?,
        from_status: from.map(|s| s.parse().map_err(corrupt)).transpose()?,
        to_status: to.map(|s| s.parse().map_err(corrupt)).transpose()?,
        detail: row.try_get("detail")?,
    })
}

fn follow_up_from_row(row: &AnyRow) -> Result<FollowUp, StoreError> {
    let id: String = row.try_get("id")?;
    let incident_id: String = row.try_get("incident_id")?;
    let snapshot: String = row.try_get("snapshot")?;
    Ok(FollowUp {
        id: uuid(&id)?,
        incident_id: uuid(&incident_id)?,
        taken_at: instant(row.try_get("taken_us")?)?,
        actor: row.try_get("actor")?,
        note: row.try_get("note")?,
        items: serde_json::from_str(&snapshot)
            .map_err(|e| corrupt(format!("follow-up snapshot: {e}")))?,
    })
}

/// The values of every `actions` column after `id, incident_id, number`, in
/// the order of [`ACTION_WRITE_COLUMNS`].
fn action_values(a: &Action) -> Vec<Value> {
    let f = &a.fields;
    vec![
        text(f.title.clone()),
        text(f.description.clone()),
        text(f.action_type.as_str()),
        text(serde_json::to_string(&f.answers).unwrap_or_else(|_| "[]".into())),
        text(f.owner_id.to_string()),
        Value::Text(f.due_on.map(|d| d.to_string())),
        int(i64::from(f.scoring.risk)),
        int(i64::from(f.scoring.impact)),
        int(i64::from(f.scoring.effort)),
        int(f.scoring.score_milli()),
        Value::Int(f.priority_override.as_ref().map(|o| o.priority.rank())),
        text(
            f.priority_override
                .as_ref()
                .map(|o| o.justification.clone())
                .unwrap_or_default(),
        ),
        text(f.ticket.clone()),
        text(a.status.as_str()),
        text(a.cancel_reason.clone()),
        Value::Text(
            a.verification
                .as_ref()
                .map(|v| serde_json::to_string(v).unwrap_or_default()),
        ),
        Value::Text(a.done_on.map(|d| d.to_string())),
        int(a.version),
        int(micros(a.created_at)),
        int(micros(a.updated_at)),
    ]
}

const ACTION_WRITE_COLUMNS: [&str; 20] = [
    "title",
    "description",
    "action_type",
    "answers",
    "owner_id",
    "due_on",
    "risk",
    "impact",
    "effort",
    "score_milli",
    "priority_override",
    "override_justification",
    "ticket",
    "status",
    "cancel_reason",
    "verification",
    "done_on",
    "version",
    "created_us",
    "updated_us",
];

async fn insert_action_on(
    conn: &mut AnyConnection,
    a: &Action,
    number: u32,
) -> Result<(), StoreError> {
    let id = a.id.to_string();
    let mut values = vec![
        text(a.id.to_string()),
        text(a.incident_id.to_string()),
        int(i64::from(number)),
    ];
    values.extend(action_values(a));
    let sql = format!(
        "INSERT INTO actions (id, incident_id, number, {}) VALUES ({})",
        ACTION_WRITE_COLUMNS.join(", "),
        (1..=values.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    bind_all(sqlx::query(&sql), values)
        .execute(&mut *conn)
        .await
        .map_err(|e| {
            duplicate_or(e, |_| {
                format!("action number {number} of this incident was just taken")
            })
        })?;
    // The action's reference, `INC-2026-0001-A2`, is its name in the log.
    let reference = format!(
        "{}-A{number}",
        incident_key(conn, &a.incident_id.to_string()).await?
    );
    record_row(conn, "action", &reference, ("actions", "id", &id), NULL).await
}

async fn insert_history_on(
    conn: &mut AnyConnection,
    incident_id: Uuid,
    entries: &[HistoryEntry],
) -> Result<(), StoreError> {
    for h in entries {
        sqlx::query(
            "INSERT INTO action_history (id, action_id, incident_id, at_us, actor, what, from_status, to_status, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(Uuid::now_v7().to_string())
        .bind(h.action_id.to_string())
        .bind(incident_id.to_string())
        .bind(micros(h.at))
        .bind(h.actor.clone())
        .bind(h.what.clone())
        .bind(h.from_status.map(|s| s.as_str().to_owned()))
        .bind(h.to_status.map(|s| s.as_str().to_owned()))
        .bind(h.detail.clone())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn person_by_email_on(
    conn: &mut AnyConnection,
    email: &str,
) -> Result<Option<Person>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {PERSON_COLUMNS} FROM people WHERE email = $1"
    ))
    .bind(email.trim().to_lowercase())
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| person_from_row(&r, "")).transpose()
}

async fn create_person_on(
    conn: &mut AnyConnection,
    p: &Person,
    now: jiff::Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO people (id, name, email, team, phone, version, created_us, updated_us) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(p.id.to_string())
    .bind(p.name.clone())
    .bind(p.email.to_lowercase())
    .bind(p.team.clone())
    .bind(p.phone.clone())
    .bind(p.version)
    .bind(micros(now))
    .execute(&mut *conn)
    .await
    .map_err(|e| {
        duplicate_or(e, |_| {
            format!("a person with the email {} already exists", p.email)
        })
    })?;
    let id = p.id.to_string();
    record_row(conn, "person", &id, ("people", "id", &id), NULL).await
}

async fn add_follow_up_on(conn: &mut AnyConnection, f: &FollowUp) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO follow_ups (id, incident_id, taken_us, actor, note, snapshot) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(f.id.to_string())
    .bind(f.incident_id.to_string())
    .bind(micros(f.taken_at))
    .bind(f.actor.clone())
    .bind(f.note.clone())
    .bind(serde_json::to_string(&f.items).map_err(corrupt)?)
    .execute(&mut *conn)
    .await
    .map_err(|e| duplicate_or(e, |_| format!("follow-up {} already exists", f.id)))?;
    let id = f.id.to_string();
    record_row(conn, "follow_up", &id, ("follow_ups", "id", &id), NULL).await
}

async fn one_action(
    conn: &mut AnyConnection,
    condition: &str,
    binds: Vec<Value>,
    what: String,
) -> Result<ActionRecord, StoreError> {
    let sql = format!("SELECT {ACTION_COLUMNS} FROM {ACTION_FROM} WHERE {condition}");
    let row = bind_all(sqlx::query(&sql), binds)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(r) => record_from_row(&r),
        None => Err(StoreError::NotFound {
            entity: "action",
            id: what,
        }),
    }
}

/// The effective priority (1–4) as SQL, from the thresholds `$t1..$t3`.
fn priority_sql(t: [String; 3]) -> String {
    format!(
        "COALESCE(a.priority_override, CASE WHEN a.score_milli >= {} THEN 1 WHEN a.score_milli >= {} THEN 2 WHEN a.score_milli >= {} THEN 3 ELSE 4 END)",
        t[0], t[1], t[2]
    )
}

#[async_trait]
impl ActionStore for SqlStore {
    async fn create_person(&self, person: &Person, now: jiff::Timestamp) -> Result<(), StoreError> {
        let mut tx = self.audited_tx().await?;
        create_person_on(&mut tx, person, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn update_person(
        &self,
        p: &Person,
        expected_version: i64,
        now: jiff::Timestamp,
    ) -> Result<(), StoreError> {
        let mut conn = self.audited_tx().await?;
        let id = p.id.to_string();
        let before = row_json(&mut conn, "people", "id", &id).await?;
        let result = sqlx::query(
            "UPDATE people SET name = $1, email = $2, team = $3, phone = $4, version = $5, updated_us = $6 \
             WHERE id = $7 AND version = $8",
        )
        .bind(p.name.clone())
        .bind(p.email.to_lowercase())
        .bind(p.team.clone())
        .bind(p.phone.clone())
        .bind(expected_version + 1)
        .bind(micros(now))
        .bind(p.id.to_string())
        .bind(expected_version)
        .execute(&mut *conn)
        .await
        .map_err(|e| duplicate_or(e, |_| format!("a person with the email {} already exists", p.email)))?;
        if result.rows_affected() == 1 {
            record_row(&mut conn, "person", &id, ("people", "id", &id), &before).await?;
            conn.commit().await?;
            return Ok(());
        }
        let sql = "SELECT version FROM people WHERE id = $1";
        Err(stale_write_error(&mut conn, sql, "person", p.id.to_string(), expected_version).await)
    }

    async fn people(&self) -> Result<Vec<Person>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {PERSON_COLUMNS} FROM people ORDER BY LOWER(name), email"
        ))
        .fetch_all(&mut *self.pool().acquire().await?)
        .await?;
        rows.iter().map(|r| person_from_row(r, "")).collect()
    }

    async fn person_by_id(&self, id: Uuid) -> Result<Option<Person>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {PERSON_COLUMNS} FROM people WHERE id = $1"
        ))
        .bind(id.to_string())
        .fetch_optional(&mut *self.pool().acquire().await?)
        .await?;
        row.map(|r| person_from_row(&r, "")).transpose()
    }

    async fn person_by_email(&self, email: &str) -> Result<Option<Person>, StoreError> {
        person_by_email_on(&mut *self.pool().acquire().await?, email).await
    }

    async fn create_action(
        &self,
        action: &Action,
        history: &HistoryEntry,
    ) -> Result<u32, StoreError> {
        // The counter update comes first: it serialises concurrent
        // creations on the incident's row (and on SQLite takes the write
        // lock before any read, so no transaction has to upgrade).
        let mut tx = self.audited_tx().await?;
        let row = sqlx::query(
            "UPDATE incidents SET action_counter = action_counter + 1 WHERE id = $1 RETURNING action_counter",
        )
        .bind(action.incident_id.to_string())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "incident",
            id: action.incident_id.to_string(),
        })?;
        let n: i64 = row.try_get("action_counter")?;
        let number = u32::try_from(n).map_err(corrupt)?;
        insert_action_on(&mut tx, action, number).await?;
        insert_history_on(&mut tx, action.incident_id, std::slice::from_ref(history)).await?;
        tx.commit().await?;
        Ok(number)
    }

    async fn update_action(
        &self,
        action: &Action,
        expected_version: i64,
        history: &[HistoryEntry],
    ) -> Result<(), StoreError> {
        let mut tx = self.audited_tx().await?;
        let id = action.id.to_string();
        let before = row_json(&mut tx, "actions", "id", &id).await?;
        let mut values = action_values(action);
        let n = values.len();
        let sets: Vec<String> = ACTION_WRITE_COLUMNS
            .iter()
            .enumerate()
            .filter(|(_, c)| **c != "created_us")
            .map(|(i, c)| format!("{c} = ${}", i + 1))
            .collect();
        values.push(text(action.id.to_string()));
        values.push(int(expected_version));
        let sql = format!(
            "UPDATE actions SET {} WHERE id = ${} AND version = ${}",
            sets.join(", "),
            n + 1,
            n + 2
        );
        let result = bind_all(sqlx::query(&sql), values)
            .execute(&mut *tx)
            .await?;
        if result.rows_affected() != 1 {
            let sql = "SELECT version FROM actions WHERE id = $1";
            return Err(stale_write_error(
                &mut tx,
                sql,
                "action",
                action.id.to_string(),
                expected_version,
            )
            .await);
        }
        insert_history_on(&mut tx, action.incident_id, history).await?;
        let reference = format!(
            "{}-A{}",
            incident_key(&mut tx, &action.incident_id.to_string()).await?,
            action.number
        );
        record_row(
            &mut tx,
            "action",
            &reference,
            ("actions", "id", &id),
            &before,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn action_by_id(&self, id: Uuid) -> Result<ActionRecord, StoreError> {
        one_action(
            &mut *self.pool().acquire().await?,
            "a.id = $1",
            vec![text(id.to_string())],
            id.to_string(),
        )
        .await
    }

    async fn action_by_number(
        &self,
        incident_id: Uuid,
        number: u32,
    ) -> Result<ActionRecord, StoreError> {
        one_action(
            &mut *self.pool().acquire().await?,
            "a.incident_id = $1 AND a.number = $2",
            vec![text(incident_id.to_string()), int(i64::from(number))],
            format!("number {number}"),
        )
        .await
    }

    async fn list_actions(
        &self,
        filter: &ActionFilter,
        policy: &PriorityPolicy,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<ActionRecord>, u64), StoreError> {
        let mut values: Vec<Value> = Vec::new();
        let next = |v: Value, values: &mut Vec<Value>| {
            values.push(v);
            format!("${}", values.len())
        };
        let t = policy.milli().map(|m| next(int(m), &mut values));
        let priority = priority_sql(t);
        let mut wheres: Vec<String> = Vec::new();
        if let Some(id) = filter.incident_id {
            wheres.push(format!(
                "a.incident_id = {}",
                next(text(id.to_string()), &mut values)
            ));
        }
        if filter.visibility != crate::Visibility::All {
            let clause = filter.visibility.clause("i", &mut values);
            wheres.push(clause);
        }
        if !filter.ids.is_empty() {
            let ps: Vec<String> = filter
                .ids
                .iter()
                .map(|id| next(text(id.to_string()), &mut values))
                .collect();
            wheres.push(format!("a.id IN ({})", ps.join(", ")));
        }
        if let Some(id) = filter.owner_id {
            wheres.push(format!(
                "a.owner_id = {}",
                next(text(id.to_string()), &mut values)
            ));
        }
        let mut any_of = |column: &str, items: Vec<Value>, values: &mut Vec<Value>| {
            if !items.is_empty() {
                let ps: Vec<String> = items.into_iter().map(|v| next(v, values)).collect();
                wheres.push(format!("{column} IN ({})", ps.join(", ")));
            }
        };
        any_of(
            "a.status",
            filter.statuses.iter().map(|s| text(s.as_str())).collect(),
            &mut values,
        );
        any_of(
            "a.action_type",
            filter.types.iter().map(|s| text(s.as_str())).collect(),
            &mut values,
        );
        any_of(
            &priority,
            filter.priorities.iter().map(|p| int(p.rank())).collect(),
            &mut values,
        );
        if let Some(today) = filter.overdue_on {
            let p = next(text(today.to_string()), &mut values);
            wheres.push(format!(
                "a.status IN ('open', 'in_progress', 'blocked') AND a.due_on IS NOT NULL AND a.due_on < {p}"
            ));
        }
        let where_sql = if wheres.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", wheres.join(" AND "))
        };
        let mut conn = self.pool().acquire().await?;
        // The count and the ranking read the incident (`i`) only for the
        // visibility clause, and never the owner: joining 300,000 actions
        // to both cost more than counting them.
        let from = if filter.visibility == crate::Visibility::All {
            "actions a"
        } else {
            "actions a JOIN incidents i ON i.id = a.incident_id"
        };
        let count_sql = format!("SELECT COUNT(*) AS n FROM {from} {where_sql}");
        let total: i64 = bind_all(sqlx::query(&count_sql), values.clone())
            .fetch_one(&mut *conn)
            .await?
            .try_get("n")?;
        let limit = limit.clamp(1, 5000);
        let order = format!(
            "{priority}, a.score_milli DESC, CASE WHEN a.due_on IS NULL THEN 1 ELSE 0 END, a.due_on, a.created_us, a.id"
        );
        // The page's ids first, then their rows with the joins.
        let sql = format!(
            "SELECT {ACTION_COLUMNS} FROM {ACTION_FROM} WHERE a.id IN \
               (SELECT a.id FROM {from} {where_sql} ORDER BY {order} LIMIT {limit} OFFSET {offset}) \
             ORDER BY {order}"
        );
        let rows = bind_all(sqlx::query(&sql), values)
            .fetch_all(&mut *conn)
            .await?;
        let items = rows.iter().map(record_from_row).collect::<Result<_, _>>()?;
        Ok((items, u64::try_from(total).unwrap_or(0)))
    }

    async fn action_history(&self, action_id: Uuid) -> Result<Vec<HistoryEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT action_id, at_us, actor, what, from_status, to_status, detail FROM action_history \
             WHERE action_id = $1 ORDER BY at_us, id",
        )
        .bind(action_id.to_string())
        .fetch_all(&mut *self.pool().acquire().await?)
        .await?;
        rows.iter().map(history_from_row).collect()
    }

    async fn incident_action_history(
        &self,
        incident_id: Uuid,
    ) -> Result<Vec<HistoryEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT action_id, at_us, actor, what, from_status, to_status, detail FROM action_history \
             WHERE incident_id = $1 ORDER BY at_us, id",
        )
        .bind(incident_id.to_string())
        .fetch_all(&mut *self.pool().acquire().await?)
        .await?;
        rows.iter().map(history_from_row).collect()
    }

    async fn add_follow_up(&self, follow_up: &FollowUp) -> Result<(), StoreError> {
        let mut tx = self.audited_tx().await?;
        add_follow_up_on(&mut tx, follow_up).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn follow_ups(&self, incident_id: Uuid) -> Result<Vec<FollowUp>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, incident_id, taken_us, actor, note, snapshot FROM follow_ups \
             WHERE incident_id = $1 ORDER BY taken_us, id",
        )
        .bind(incident_id.to_string())
        .fetch_all(&mut *self.pool().acquire().await?)
        .await?;
        rows.iter().map(follow_up_from_row).collect()
    }

    async fn overdue_unnotified(&self, today: Date) -> Result<Vec<ActionRecord>, StoreError> {
        let sql = format!(
            "SELECT {ACTION_COLUMNS} FROM {ACTION_FROM} \
             WHERE a.status IN ('open', 'in_progress', 'blocked') AND a.due_on IS NOT NULL AND a.due_on < $1 \
             AND (a.overdue_notified_on IS NULL OR a.overdue_notified_on <> a.due_on) \
             ORDER BY a.due_on, a.id LIMIT 1000"
        );
        let rows = sqlx::query(&sql)
            .bind(today.to_string())
            .fetch_all(&mut *self.pool().acquire().await?)
            .await?;
        rows.iter().map(record_from_row).collect()
    }

    async fn claim_overdue_notice(
        &self,
        action_id: Uuid,
        due_on: Date,
    ) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "UPDATE actions SET overdue_notified_on = $1 WHERE id = $2 \
             AND (overdue_notified_on IS NULL OR overdue_notified_on <> $1)",
        )
        .bind(due_on.to_string())
        .bind(action_id.to_string())
        .execute(&mut *self.pool().acquire().await?)
        .await?;
        Ok(result.rows_affected() == 1)
    }
}

#[async_trait]
impl ActionStoreTx for SqlTx {
    async fn person_by_email(&mut self, email: &str) -> Result<Option<Person>, StoreError> {
        person_by_email_on(&mut self.tx, email).await
    }
    async fn create_person(
        &mut self,
        person: &Person,
        now: jiff::Timestamp,
    ) -> Result<(), StoreError> {
        create_person_on(&mut self.tx, person, now).await
    }
    async fn insert_action_if_new(
        &mut self,
        action: &Action,
        history: &[HistoryEntry],
    ) -> Result<bool, StoreError> {
        let exists = sqlx::query("SELECT 1 AS x FROM actions WHERE id = $1")
            .bind(action.id.to_string())
            .fetch_optional(&mut *self.tx)
            .await?;
        if exists.is_some() {
            return Ok(false);
        }
        insert_action_on(&mut self.tx, action, action.number).await?;
        insert_history_on(&mut self.tx, action.incident_id, history).await?;
        // Later actions continue after the highest number imported.
        sqlx::query(
            "UPDATE incidents SET action_counter = $1 WHERE id = $2 AND action_counter < $1",
        )
        .bind(i64::from(action.number))
        .bind(action.incident_id.to_string())
        .execute(&mut *self.tx)
        .await?;
        Ok(true)
    }
    async fn add_follow_up_if_new(&mut self, follow_up: &FollowUp) -> Result<bool, StoreError> {
        let exists = sqlx::query("SELECT 1 AS x FROM follow_ups WHERE id = $1")
            .bind(follow_up.id.to_string())
            .fetch_optional(&mut *self.tx)
            .await?;
        if exists.is_some() {
            return Ok(false);
        }
        add_follow_up_on(&mut self.tx, follow_up).await?;
        Ok(true)
    }
}
