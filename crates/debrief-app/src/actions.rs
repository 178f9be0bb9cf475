//! Action use cases (PRODUCT.md §6): people, action items, their workflow
//! and verification, the ranked portfolio, follow-up snapshots, the
//! burn-down and the CSV export. "Today" is the organisation's date from the
//! injected clock, so overdue is reproducible in tests (`--now`).

use debrief_core::action::{
    Action, ActionDraft, ActionKey, ActionStatus, ActionType, BurnDownPoint, FollowUp,
    HistoryEntry, Priority, PriorityPolicy, SnapshotItem, StatusChange, Verification, Warnings,
    burn_down, changed_fields,
};
use debrief_core::{FieldError, FieldErrors, Incident, Person, PersonDraft};
use debrief_store::{ActionFilter, ActionRecord, StoreError};
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::Serialize;
use uuid::Uuid;

use crate::{App, AppError};

/// An action with everything derived for showing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionView {
    pub record: ActionRecord,
    pub key: ActionKey,
    pub score: Decimal,
    pub priority: Priority,
    pub computed_priority: Priority,
    pub overdue: bool,
    pub days_overdue: i64,
}

impl ActionView {
    pub fn action(&self) -> &Action {
        &self.record.action
    }
}

/// What the portfolio and the other action lists take.
#[derive(Debug, Clone, Default)]
pub struct ActionQuery {
    /// An incident key.
    pub incident: Option<String>,
    /// An owner's email or id.
    pub owner: Option<String>,
    pub statuses: Vec<ActionStatus>,
    /// Shorthand for open, in progress and blocked (added to `statuses`).
    pub open: bool,
    pub types: Vec<ActionType>,
    pub priorities: Vec<Priority>,
    /// Only overdue actions.
    pub overdue: bool,
    /// The cursor a previous page returned.
    pub after: Option<String>,
    pub limit: Option<u32>,
    /// Whose view: actions of restricted incidents only for members.
    pub visibility: debrief_store::Visibility,
}

/// One page of a ranked action list.
#[derive(Debug, Clone)]
pub struct ActionPage {
    pub items: Vec<ActionView>,
    /// How many match the filters in all.
    pub total: u64,
    pub next: Option<String>,
}

/// What verifying an action takes.
#[derive(Debug, Clone, Default)]
pub struct VerifyInput {
    /// `YYYY-MM-DD`; today when empty.
    pub verified_on: String,
    /// Who checked; the actor when empty.
    pub verified_by: String,
    pub evidence: String,
}

pub const DEFAULT_ACTION_PAGE: u32 = 100;

/// The answer to a change made against an older version.
fn stale(current: &ActionView, expected_version: i64) -> AppError {
    AppError::Conflict {
        message: format!(
            "action {} was changed by someone else (you had version {expected_version}, it is now {}); reload to see their change, then apply yours again",
            current.key,
            current.action().version
        ),
        current_version: Some(current.action().version),
    }
}

fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::Invalid(FieldErrors::from(FieldError::new(field, message)))
}

impl App {
    /// The organisation's date now (its time zone, the injected clock).
    pub fn today(&self) -> Date {
        self.now()
            .to_zoned_datetime(self.settings().time_zone.clone())
            .date()
    }

    pub fn priority_policy(&self) -> &PriorityPolicy {
        &self.settings().priority_policy
    }

    fn view(&self, record: ActionRecord) -> ActionView {
        let today = self.today();
        let policy = self.priority_policy();
        ActionView {
            key: record.action.reference(&record.incident_key),
            score: record.action.score(),
            priority: record.action.priority(policy),
            computed_priority: record.action.computed_priority(policy),
            overdue: record.action.is_overdue(today),
            days_overdue: record.action.days_overdue(today),
            record,
        }
    }

    // ----- people -------------------------------------------------------

    pub async fn add_person(&self, draft: &PersonDraft) -> Result<Person, AppError> {
        let d = draft.validate()?;
        let person = Person {
            id: Uuid::now_v7(),
            name: d.name,
            email: d.email,
            team: d.team,
            phone: d.phone,
            version: 1,
        };
        match self.store().create_person(&person, self.now()).await {
            Ok(()) => Ok(person),
            Err(StoreError::Duplicate { .. }) => Err(invalid(
                "email",
                format!("{} already belongs to someone debrief knows", person.email),
            )),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn update_person(
        &self,
        who: &str,
        expected_version: i64,
        draft: &PersonDraft,
    ) -> Result<Person, AppError> {
        let current = self
            .person(who)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("person {who} was not found")))?;
        let d = draft.validate()?;
        let person = Person {
            id: current.id,
            name: d.name,
            email: d.email,
            team: d.team,
            phone: d.phone,
            version: expected_version + 1,
        };
        match self
            .store()
            .update_person(&person, expected_version, self.now())
            .await
        {
            Ok(()) => Ok(person),
            Err(StoreError::Duplicate { .. }) => Err(invalid(
                "email",
                format!("{} already belongs to someone debrief knows", person.email),
            )),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn people(&self) -> Result<Vec<Person>, AppError> {
        Ok(self.store().people().await?)
    }

    /// A person by email or id.
    pub async fn person(&self, who: &str) -> Result<Option<Person>, AppError> {
        let who = who.trim();
        if let Ok(id) = Uuid::parse_str(who) {
            return Ok(self.store().person_by_id(id).await?);
        }
        Ok(self.store().person_by_email(who).await?)
    }

    async fn owner_of(&self, draft: &ActionDraft, errors: &mut FieldErrors) -> Option<Uuid> {
        let owner = draft.owner.trim();
        if owner.is_empty() {
            errors.push("owner", "an action needs an owner: a person's email");
            return None;
        }
        match self.person(owner).await {
            Ok(Some(p)) => Some(p.id),
            Ok(None) => {
                errors.push(
                    "owner",
                    format!(
                        "no person `{owner}` is known; an owner must be a person (add them under Settings → People or with `debrief person add`)"
                    ),
                );
                None
            }
            Err(e) => {
                errors.push("owner", e.to_string());
                None
            }
        }
    }

    // ----- actions ------------------------------------------------------

    /// Adds an action to the incident `key`. A due date already past is
    /// accepted with a warning (see [`ActionDraft::validate`]).
    pub async fn create_action(
        &self,
        key: &str,
        draft: &ActionDraft,
        actor: &str,
    ) -> Result<(ActionView, Warnings), AppError> {
        let incident = self.incident(key).await?;
        let review = self.store().review(incident.id).await?;
        let mut errors = FieldErrors::default();
        let owner = self.owner_of(draft, &mut errors).await;
        let (fields, warnings) = draft.validate(owner, errors, review.as_ref(), self.today())?;
        let now = self.now();
        let mut action = Action {
            id: Uuid::now_v7(),
            incident_id: incident.id,
            number: 0,
            fields,
            status: ActionStatus::Open,
            cancel_reason: String::new(),
            verification: None,
            done_on: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let history = HistoryEntry {
            action_id: action.id,
            at: now,
            actor: actor.to_owned(),
            what: "created".into(),
            from_status: None,
            to_status: Some(ActionStatus::Open),
            detail: String::new(),
        };
        action.number = self.store().create_action(&action, &history).await?;
        let view = self.view(self.store().action_by_id(action.id).await?);
        self.emit_action_event("action.created", &view).await;
        Ok((view, warnings))
    }

    /// An action by reference (`INC-2026-0003-A2`) or id.
    pub async fn action(&self, reference: &str) -> Result<ActionView, AppError> {
        let reference = reference.trim();
        let record = if let Ok(id) = Uuid::parse_str(reference) {
            self.store().action_by_id(id).await?
        } else {
            let key: ActionKey = reference
                .parse()
                .map_err(|_| AppError::NotFound(format!("action {reference} was not found")))?;
            let incident = self.incident(&key.incident.to_string()).await?;
            self.store()
                .action_by_number(incident.id, key.number)
                .await
                .map_err(|e| match e {
                    StoreError::NotFound { .. } => {
                        AppError::NotFound(format!("action {reference} was not found"))
                    }
                    e => e.into(),
                })?
        };
        Ok(self.view(record))
    }

    pub async fn action_history(&self, reference: &str) -> Result<Vec<HistoryEntry>, AppError> {
        let a = self.action(reference).await?;
        Ok(self.store().action_history(a.action().id).await?)
    }

    /// Replaces the editable fields of an action, over `expected_version`.
    pub async fn update_action(
        &self,
        reference: &str,
        expected_version: i64,
        draft: &ActionDraft,
        actor: &str,
    ) -> Result<(ActionView, Warnings), AppError> {
        let current = self.action(reference).await?;
        let review = self.store().review(current.action().incident_id).await?;
        let mut errors = FieldErrors::default();
        let owner = self.owner_of(draft, &mut errors).await;
        let (fields, mut warnings) =
            draft.validate(owner, errors, review.as_ref(), self.today())?;
        if current.action().fields.due_on == fields.due_on {
            // Only a newly set past date deserves the warning.
            warnings.0.clear();
        }
        if current.action().version != expected_version {
            return Err(stale(&current, expected_version));
        }
        let changed = changed_fields(&current.action().fields, &fields);
        if changed.is_empty() {
            return Ok((current, warnings));
        }
        let mut action = current.record.action.clone();
        action.fields = fields;
        action.version = expected_version + 1;
        action.updated_at = self.now();
        let history = HistoryEntry {
            action_id: action.id,
            at: action.updated_at,
            actor: actor.to_owned(),
            what: "edited".into(),
            from_status: None,
            to_status: None,
            detail: changed.join(", "),
        };
        self.store()
            .update_action(&action, expected_version, &[history])
            .await?;
        Ok((
            self.view(self.store().action_by_id(action.id).await?),
            warnings,
        ))
    }

    /// Moves an action to `to`; `note` is the reason of a cancellation.
    pub async fn move_action(
        &self,
        reference: &str,
        expected_version: i64,
        to: ActionStatus,
        note: &str,
        actor: &str,
    ) -> Result<ActionView, AppError> {
        if to == ActionStatus::Verified {
            return Err(invalid(
                "status",
                "verify an action with its evidence (the verify form, `POST …/verify` or `debrief action verify`)",
            ));
        }
        self.apply_move(reference, expected_version, to, note, None, actor)
            .await
    }

    /// Records the verification of a done action.
    pub async fn verify_action(
        &self,
        reference: &str,
        expected_version: i64,
        input: &VerifyInput,
        actor: &str,
    ) -> Result<ActionView, AppError> {
        let verified_on = match input.verified_on.trim() {
            "" => self.today(),
            s => s.parse::<Date>().map_err(|_| {
                invalid(
                    "verified_on",
                    format!("`{s}` is not a date like 2026-12-31"),
                )
            })?,
        };
        let by = match input.verified_by.trim() {
            "" => actor.trim(),
            b => b,
        };
        let v = Verification {
            verified_on,
            verified_by: by.to_owned(),
            evidence: input.evidence.clone(),
        };
        self.apply_move(
            reference,
            expected_version,
            ActionStatus::Verified,
            "",
            Some(v),
            actor,
        )
        .await
    }

    async fn apply_move(
        &self,
        reference: &str,
        expected_version: i64,
        to: ActionStatus,
        note: &str,
        verification: Option<Verification>,
        actor: &str,
    ) -> Result<ActionView, AppError> {
        let current = self.action(reference).await?;
        if current.action().version != expected_version {
            return Err(stale(&current, expected_version));
        }
        let mut action = current.record.action.clone();
        let from = action.status;
        action.apply_move(to, note, verification, self.today())?;
        action.version = expected_version + 1;
        action.updated_at = self.now();
        let detail = match (&action.verification, to) {
            (Some(v), ActionStatus::Verified) => {
                format!(
                    "verified on {} by {}: {}",
                    v.verified_on, v.verified_by, v.evidence
                )
            }
            _ => note.trim().to_owned(),
        };
        let history = HistoryEntry {
            action_id: action.id,
            at: action.updated_at,
            actor: actor.to_owned(),
            what: if to == ActionStatus::Verified {
                "verified".into()
            } else {
                "status".into()
            },
            from_status: Some(from),
            to_status: Some(to),
            detail,
        };
        self.store()
            .update_action(&action, expected_version, &[history])
            .await?;
        let view = self.view(self.store().action_by_id(action.id).await?);
        match to {
            ActionStatus::Done => self.emit_action_event("action.done", &view).await,
            ActionStatus::Verified => self.emit_action_event("action.verified", &view).await,
            _ => {}
        }
        Ok(view)
    }

    /// Ranked actions matching the query (the portfolio when no incident is
    /// named).
    pub async fn list_actions(&self, q: &ActionQuery) -> Result<ActionPage, AppError> {
        let mut filter = ActionFilter {
            statuses: q.statuses.clone(),
            types: q.types.clone(),
            priorities: q.priorities.clone(),
            visibility: q.visibility,
            ..Default::default()
        };
        if q.open {
            for s in [
                ActionStatus::Open,
                ActionStatus::InProgress,
                ActionStatus::Blocked,
            ] {
                if !filter.statuses.contains(&s) {
                    filter.statuses.push(s);
                }
            }
        }
        if let Some(key) = q.incident.as_deref().filter(|k| !k.trim().is_empty()) {
            filter.incident_id = Some(self.incident(key).await?.id);
        }
        if let Some(owner) = q.owner.as_deref().filter(|o| !o.trim().is_empty()) {
            match self.person(owner).await? {
                Some(p) => filter.owner_id = Some(p.id),
                None => {
                    return Err(invalid("owner", format!("no person `{owner}` is known")));
                }
            }
        }
        if q.overdue {
            filter.overdue_on = Some(self.today());
        }
        let offset = match q.after.as_deref() {
            None | Some("") => 0,
            Some(c) => c
                .strip_prefix("o")
                .and_then(|n| n.parse::<u64>().ok())
                .ok_or_else(|| {
                    invalid(
                        "cursor",
                        format!("`{c}` is not a cursor this server handed out"),
                    )
                })?,
        };
        let limit = q.limit.unwrap_or(DEFAULT_ACTION_PAGE).clamp(1, 5000);
        let (records, total) = self
            .store()
            .list_actions(&filter, self.priority_policy(), offset, limit)
            .await?;
        let end = offset + records.len() as u64;
        Ok(ActionPage {
            items: records.into_iter().map(|r| self.view(r)).collect(),
            total,
            next: (end < total).then(|| format!("o{end}")),
        })
    }

    /// These actions, ranked (any visibility: the caller chose the ids);
    /// none for no ids.
    pub(crate) async fn list_action_ids(&self, ids: Vec<Uuid>) -> Result<ActionPage, AppError> {
        if ids.is_empty() {
            // An empty id list in the filter means no condition at all.
            return Ok(ActionPage {
                items: Vec::new(),
                total: 0,
                next: None,
            });
        }
        let limit = ids.len() as u32;
        let filter = ActionFilter {
            ids,
            ..Default::default()
        };
        let (records, total) = self
            .store()
            .list_actions(&filter, self.priority_policy(), 0, limit)
            .await?;
        Ok(ActionPage {
            items: records.into_iter().map(|r| self.view(r)).collect(),
            total,
            next: None,
        })
    }

    /// Every action of an incident, ranked.
    pub async fn incident_actions(
        &self,
        key: &str,
    ) -> Result<(Incident, Vec<ActionView>), AppError> {
        let incident = self.incident(key).await?;
        let mut all = Vec::new();
        let mut after = None;
        loop {
            let page = self
                .list_actions(&ActionQuery {
                    incident: Some(incident.key.to_string()),
                    after: after.clone(),
                    limit: Some(5000),
                    ..Default::default()
                })
                .await?;
            all.extend(page.items);
            match page.next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        Ok((incident, all))
    }

    /// Records where every action of the incident stands now (a follow-up
    /// session).
    pub async fn take_follow_up(
        &self,
        key: &str,
        note: &str,
        actor: &str,
    ) -> Result<FollowUp, AppError> {
        let (incident, actions) = self.incident_actions(key).await?;
        if actions.is_empty() {
            return Err(AppError::NotAllowed(format!(
                "{} has no actions to follow up yet",
                incident.key
            )));
        }
        if note.chars().count() > 20_000 {
            return Err(invalid("note", "the note is longer than 20,000 characters"));
        }
        let mut items: Vec<SnapshotItem> = actions
            .iter()
            .map(|v| SnapshotItem {
                action_id: v.action().id,
                number: v.action().number,
                title: v.action().fields.title.clone(),
                status: v.action().status,
                owner: v.record.owner.name.clone(),
                due_on: v.action().fields.due_on,
                overdue: v.overdue,
                priority: v.priority,
            })
            .collect();
        items.sort_by_key(|i| i.number);
        let f = FollowUp {
            id: Uuid::now_v7(),
            incident_id: incident.id,
            taken_at: self.now(),
            actor: actor.to_owned(),
            note: note.trim().to_owned(),
            items,
        };
        self.store().add_follow_up(&f).await?;
        Ok(f)
    }

    pub async fn follow_ups(&self, key: &str) -> Result<Vec<FollowUp>, AppError> {
        let incident = self.incident(key).await?;
        Ok(self.store().follow_ups(incident.id).await?)
    }

    /// The burn-down of the incident's actions up to now.
    pub async fn burn_down(&self, key: &str) -> Result<Vec<BurnDownPoint>, AppError> {
        let incident = self.incident(key).await?;
        let history = self.store().incident_action_history(incident.id).await?;
        let changes: Vec<StatusChange> = history
            .iter()
            .filter_map(|h| {
                h.to_status.map(|to| StatusChange {
                    action_id: h.action_id,
                    at: h.at,
                    to,
                })
            })
            .collect();
        let follow_ups: Vec<jiff::Timestamp> = self
            .store()
            .follow_ups(incident.id)
            .await?
            .iter()
            .map(|f| f.taken_at)
            .collect();
        Ok(burn_down(&changes, &follow_ups, self.now()))
    }

    /// The actions matching `q` (every page) as CSV (RFC 4180: CRLF line
    /// ends, quotes doubled). Cells a spreadsheet would read as a formula
    /// (`=`, `+`, `-`, `@` first) are prefixed with `'`.
    pub async fn actions_csv(&self, q: &ActionQuery) -> Result<String, AppError> {
        let mut q = q.clone();
        q.limit = Some(5000);
        q.after = None;
        let mut out = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        let header = [
            "reference",
            "incident",
            "incident_title",
            "title",
            "type",
            "status",
            "priority",
            "score",
            "risk",
            "impact",
            "effort",
            "priority_justification",
            "owner",
            "owner_email",
            "due_on",
            "overdue",
            "days_overdue",
            "ticket",
            "answers",
            "cancel_reason",
            "verified_on",
            "verified_by",
            "evidence",
            "created_at",
            "updated_at",
            "description",
        ];
        let csv_err = |e: csv::Error| invalid("csv", e.to_string());
        out.write_record(header).map_err(csv_err)?;
        loop {
            let page = self.list_actions(&q).await?;
            for v in &page.items {
                let a = v.action();
                let f = &a.fields;
                let row = [
                    v.key.to_string(),
                    v.record.incident_key.to_string(),
                    v.record.incident_title.clone(),
                    f.title.clone(),
                    f.action_type.to_string(),
                    a.status.to_string(),
                    v.priority.to_string(),
                    v.score.to_string(),
                    f.scoring.risk.to_string(),
                    f.scoring.impact.to_string(),
                    f.scoring.effort.to_string(),
                    f.priority_override
                        .as_ref()
                        .map(|o| o.justification.clone())
                        .unwrap_or_default(),
                    v.record.owner.name.clone(),
                    v.record.owner.email.clone(),
                    f.due_on.map(|d| d.to_string()).unwrap_or_default(),
                    if v.overdue { "yes" } else { "no" }.into(),
                    v.days_overdue.to_string(),
                    f.ticket.clone(),
                    f.answers
                        .iter()
                        .map(|r| r.to_string())
                        .collect::<Vec<_>>()
                        .join(" "),
                    a.cancel_reason.clone(),
                    a.verification
                        .as_ref()
                        .map(|x| x.verified_on.to_string())
                        .unwrap_or_default(),
                    a.verification
                        .as_ref()
                        .map(|x| x.verified_by.clone())
                        .unwrap_or_default(),
                    a.verification
                        .as_ref()
                        .map(|x| x.evidence.clone())
                        .unwrap_or_default(),
                    a.created_at.to_string(),
                    a.updated_at.to_string(),
                    f.description.clone(),
                ];
                out.write_record(row.iter().map(|c| spreadsheet_safe(c)))
                    .map_err(csv_err)?;
            }
            match page.next {
                Some(n) => q.after = Some(n),
                None => break,
            }
        }
        let bytes = out
            .into_inner()
            .map_err(|e| invalid("csv", e.to_string()))?;
        String::from_utf8(bytes).map_err(|e| invalid("csv", e.to_string()))
    }

    /// Sends `action.overdue` once per action and due date for every action
    /// overdue today. Safe to run from several instances at once: each
    /// notice is claimed in the database first. Returns how many were sent.
    pub async fn notify_overdue(&self) -> Result<usize, AppError> {
        let today = self.today();
        let mut sent = 0;
        for record in self.store().overdue_unnotified(today).await? {
            let Some(due) = record.action.fields.due_on else {
                continue;
            };
            if self
                .store()
                .claim_overdue_notice(record.action.id, due)
                .await?
            {
                let view = self.view(record);
                self.emit_action_event("action.overdue", &view).await;
                sent += 1;
            }
        }
        Ok(sent)
    }

    /// Announces an action event to webhook subscribers (never fails the
    /// caller; see `webhooks`).
    async fn emit_action_event(&self, event: &str, view: &ActionView) {
        let payload = serde_json::to_value(ActionPayload::from(view)).unwrap_or_default();
        self.emit(event, payload).await;
    }
}

/// The `data` of an action webhook event.
#[derive(Debug, Serialize)]
pub struct ActionPayload {
    pub reference: String,
    pub id: Uuid,
    pub incident: String,
    pub title: String,
    pub status: ActionStatus,
    pub priority: Priority,
    pub score: String,
    pub owner: String,
    pub owner_email: String,
    pub due_on: Option<Date>,
    pub overdue: bool,
    pub days_overdue: i64,
    pub verification: Option<Verification>,
}

impl From<&ActionView> for ActionPayload {
    fn from(v: &ActionView) -> Self {
        let a = v.action();
        Self {
            reference: v.key.to_string(),
            id: a.id,
            incident: v.record.incident_key.to_string(),
            title: a.fields.title.clone(),
            status: a.status,
            priority: v.priority,
            score: v.score.to_string(),
            owner: v.record.owner.name.clone(),
            owner_email: v.record.owner.email.clone(),
            due_on: a.fields.due_on,
            overdue: v.overdue,
            days_overdue: v.days_overdue,
            verification: a.verification.clone(),
        }
    }
}

/// A cell safe to open in a spreadsheet: formulas are neutralised.
fn spreadsheet_safe(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}
