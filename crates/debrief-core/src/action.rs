//! Action items (PRODUCT.md §6): what the organisation will change after an
//! incident, who owns it, by when, how it ranks against everything else, and
//! whether the change was verified to work.
//!
//! Rules kept here, pure: the title starts with a verb; scores are
//! risk × impact ÷ effort mapped to P1–P4 by a [`PriorityPolicy`]; an override
//! needs a justification; the status workflow
//! `open → in_progress ⇄ blocked`, `in_progress → done → verified`,
//! `done → in_progress` (reopened when the change did not hold) and
//! `cancelled` (with a reason) from any open state; overdue is a function of
//! the date the caller passes, never of a clock read here.

mod burndown;
mod verbs;

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::review::{Review, string_enum};
use crate::{FieldErrors, IncidentKey};

pub use burndown::{BurnDownPoint, StatusChange, burn_down};

string_enum!(
    /// What kind of change an action makes.
    ActionType, "action type" {
        Prevent => "prevent", "Prevent",
        Mitigate => "mitigate", "Mitigate",
        Detect => "detect", "Detect",
        Respond => "respond", "Respond",
        Process => "process", "Process",
        Training => "training", "Training",
        Documentation => "documentation", "Documentation",
    }
);

string_enum!(
    /// Where an action stands.
    ActionStatus, "action status" {
        Open => "open", "Open",
        InProgress => "in_progress", "In progress",
        Blocked => "blocked", "Blocked",
        Done => "done", "Done",
        Verified => "verified", "Verified",
        Cancelled => "cancelled", "Cancelled",
    }
);

impl ActionStatus {
    /// Still to be done: open, in progress or blocked.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Open | Self::InProgress | Self::Blocked)
    }
    /// The statuses the workflow allows next.
    pub fn next(self) -> &'static [ActionStatus] {
        use ActionStatus::*;
        match self {
            Open => &[InProgress, Cancelled],
            InProgress => &[Blocked, Done, Cancelled],
            Blocked => &[InProgress, Cancelled],
            Done => &[Verified, InProgress],
            Verified | Cancelled => &[],
        }
    }
    /// Checks a move; the error says which moves are possible.
    pub fn check_move(self, to: ActionStatus) -> Result<(), String> {
        if self.next().contains(&to) {
            return Ok(());
        }
        let next: Vec<&str> = self.next().iter().map(|s| s.as_str()).collect();
        let hint = match (self, to) {
            (_, ActionStatus::Verified) => {
                " (`verified` is only reachable from `done`, with evidence)".to_owned()
            }
            _ => String::new(),
        };
        Err(if next.is_empty() {
            format!(
                "an action that is {self} cannot change status any more; cannot move to {to}{hint}"
            )
        } else {
            format!(
                "cannot move an action from {self} to {to}{hint}; from {self} it can move to {}",
                next.join(", ")
            )
        })
    }
}

string_enum!(
    /// The review items an action can answer.
    AnswerSection, "review section" {
        Cause => "cause", "Cause",
        Gap => "gap", "Gap",
        Lesson => "lesson", "Lesson",
        Recommendation => "recommendation", "Recommendation",
    }
);

/// A review item an action answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemRef {
    pub section: AnswerSection,
    pub item_id: Uuid,
}

impl ItemRef {
    /// The statement of the item in `review`, if it is there.
    pub fn text_in<'r>(&self, review: &'r Review) -> Option<&'r str> {
        match self.section {
            AnswerSection::Cause => review
                .causes
                .iter()
                .find(|c| c.id == self.item_id)
                .map(|c| c.statement.as_str()),
            AnswerSection::Gap => review
                .gaps
                .iter()
                .find(|g| g.id == self.item_id)
                .map(|g| g.description.as_str()),
            AnswerSection::Lesson => review
                .lessons
                .iter()
                .find(|l| l.id == self.item_id)
                .map(|l| l.statement.as_str()),
            AnswerSection::Recommendation => review
                .recommendations
                .iter()
                .find(|r| r.id == self.item_id)
                .map(|r| r.text.as_str()),
        }
    }
}

impl fmt::Display for ItemRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.section, self.item_id)
    }
}

impl FromStr for ItemRef {
    type Err = String;
    /// `section:uuid`, as forms and the CLI write it.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (section, id) = s
            .trim()
            .split_once(':')
            .ok_or_else(|| format!("`{s}` is not SECTION:ID (e.g. gap:0190…)"))?;
        Ok(Self {
            section: section.parse()?,
            item_id: Uuid::parse_str(id.trim())
                .map_err(|_| format!("`{id}` is not the id of a review item"))?,
        })
    }
}

/// P1 (most urgent) to P4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Priority {
    P1,
    P2,
    P3,
    P4,
}

impl Priority {
    pub const ALL: [Priority; 4] = [Self::P1, Self::P2, Self::P3, Self::P4];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::P1 => "P1",
            Self::P2 => "P2",
            Self::P3 => "P3",
            Self::P4 => "P4",
        }
    }
    /// 1 for P1 … 4 for P4 (the stored form; sorts most urgent first).
    pub fn rank(self) -> i64 {
        self as i64 + 1
    }
    pub fn from_rank(rank: i64) -> Option<Self> {
        Self::ALL
            .get(usize::try_from(rank).ok()?.checked_sub(1)?)
            .copied()
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Priority {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "P1" | "1" => Ok(Self::P1),
            "P2" | "2" => Ok(Self::P2),
            "P3" | "3" => Ok(Self::P3),
            "P4" | "4" => Ok(Self::P4),
            _ => Err(format!("unknown priority `{s}`; expected P1, P2, P3 or P4")),
        }
    }
}

impl Serialize for Priority {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Priority {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Risk, impact and effort, each 1–5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scoring {
    /// How likely the problem recurs without this action.
    pub risk: u8,
    /// How much harm a recurrence does.
    pub impact: u8,
    /// The resources the action needs (5 = most).
    pub effort: u8,
}

impl Scoring {
    /// Checks each input is 1–5, naming the field.
    pub fn new(risk: i64, impact: i64, effort: i64) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        for (field, v) in [("risk", risk), ("impact", impact), ("effort", effort)] {
            if !(1..=5).contains(&v) {
                errors.push(field, format!("{field} is rated 1 to 5, not {v}"));
            }
        }
        let small = |v: i64| u8::try_from(v).unwrap_or(1);
        errors.into_result(Self {
            risk: small(risk),
            impact: small(impact),
            effort: small(effort),
        })
    }
    /// risk × impact ÷ effort, exact, rounded half-even to two places for
    /// display (0.20 … 25.00).
    pub fn score(self) -> Decimal {
        let mut d = Decimal::from(u32::from(self.risk) * u32::from(self.impact))
            / Decimal::from(self.effort.max(1));
        d = d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointNearestEven);
        d.rescale(2);
        d
    }
    /// The score in thousandths, rounded down: what the store sorts and
    /// filters on. Exact for thresholds with at most three decimals.
    pub fn score_milli(self) -> i64 {
        i64::from(self.risk) * i64::from(self.impact) * 1000 / i64::from(self.effort.max(1))
    }
}

/// Score thresholds for P1–P3; anything below `p3` is P4. Defaults: P1 from
/// 12 (e.g. risk 4 × impact 3 at effort 1, or 5 × 5 at effort 2), P2 from 6,
/// P3 from 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityPolicy {
    pub p1: Decimal,
    pub p2: Decimal,
    pub p3: Decimal,
}

impl Default for PriorityPolicy {
    fn default() -> Self {
        Self {
            p1: Decimal::from(12),
            p2: Decimal::from(6),
            p3: Decimal::from(3),
        }
    }
}

impl PriorityPolicy {
    /// `P1,P2,P3` thresholds, e.g. `12,6,3`: strictly decreasing, positive,
    /// at most three decimals.
    pub fn parse(s: &str) -> Result<Self, String> {
        let parts: Vec<&str> = s.split(',').map(str::trim).collect();
        if parts.len() != 3 {
            return Err(format!(
                "priority thresholds are three numbers for P1,P2,P3 (like 12,6,3), not `{s}`"
            ));
        }
        let mut v = [Decimal::ZERO; 3];
        for (slot, part) in v.iter_mut().zip(&parts) {
            *slot = Decimal::from_str(part)
                .map_err(|_| format!("priority threshold `{part}` is not a number"))?;
            if *slot <= Decimal::ZERO || slot.scale() > 3 {
                return Err(format!(
                    "priority threshold `{part}` must be positive with at most three decimals"
                ));
            }
        }
        if !(v[0] > v[1] && v[1] > v[2]) {
            return Err(format!(
                "priority thresholds must decrease from P1 to P3 (like 12,6,3), not `{s}`"
            ));
        }
        Ok(Self {
            p1: v[0],
            p2: v[1],
            p3: v[2],
        })
    }
    pub fn priority(&self, score: Decimal) -> Priority {
        if score >= self.p1 {
            Priority::P1
        } else if score >= self.p2 {
            Priority::P2
        } else if score >= self.p3 {
            Priority::P3
        } else {
            Priority::P4
        }
    }
    /// The priority of a scoring, decided on [`Scoring::score_milli`] so it
    /// agrees with the store's filter and ranking for every threshold with
    /// at most three decimals (which [`PriorityPolicy::parse`] enforces).
    pub fn priority_of(&self, scoring: Scoring) -> Priority {
        Self::priority_at(self.milli(), scoring.score_milli())
    }
    /// The priority of a score in thousandths against thresholds from
    /// [`PriorityPolicy::milli`] (worked out once for many scores).
    pub fn priority_at([p1, p2, p3]: [i64; 3], s: i64) -> Priority {
        if s >= p1 {
            Priority::P1
        } else if s >= p2 {
            Priority::P2
        } else if s >= p3 {
            Priority::P3
        } else {
            Priority::P4
        }
    }
    /// The thresholds in thousandths (see [`Scoring::score_milli`]).
    pub fn milli(&self) -> [i64; 3] {
        [self.p1, self.p2, self.p3].map(|d| {
            (d * Decimal::from(1000))
                .trunc()
                .try_into()
                .unwrap_or(i64::MAX)
        })
    }
}

impl fmt::Display for PriorityPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{},{},{}", self.p1, self.p2, self.p3)
    }
}

/// A priority chosen by hand instead of the computed one, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorityOverride {
    pub priority: Priority,
    pub justification: String,
}

/// Evidence that a done action worked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verification {
    pub verified_on: Date,
    /// Who checked.
    pub verified_by: String,
    pub evidence: String,
}

/// The fields a person edits (everything but status, verification and
/// bookkeeping).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionFields {
    pub title: String,
    pub description: String,
    pub action_type: ActionType,
    /// Review items this action answers.
    pub answers: Vec<ItemRef>,
    /// A person's id.
    pub owner_id: Uuid,
    pub due_on: Option<Date>,
    pub scoring: Scoring,
    pub priority_override: Option<PriorityOverride>,
    /// A URL or a key in another tracker (`OPS-123`).
    pub ticket: String,
}

/// An action item as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    pub id: Uuid,
    pub incident_id: Uuid,
    /// 1, 2, … within the incident; with the incident key it makes the
    /// action's reference (`INC-2026-0003-A2`).
    pub number: u32,
    pub fields: ActionFields,
    pub status: ActionStatus,
    /// Why it was cancelled (required for `cancelled`).
    pub cancel_reason: String,
    pub verification: Option<Verification>,
    /// The day it was last marked done (for "closed on time").
    pub done_on: Option<Date>,
    pub created_at: jiff::Timestamp,
    pub updated_at: jiff::Timestamp,
    pub version: i64,
}

impl Action {
    pub fn score(&self) -> Decimal {
        self.fields.scoring.score()
    }
    /// The override when there is one, else the policy's priority.
    pub fn priority(&self, policy: &PriorityPolicy) -> Priority {
        self.fields
            .priority_override
            .as_ref()
            .map(|o| o.priority)
            .unwrap_or_else(|| self.computed_priority(policy))
    }
    /// The policy's priority for the exact score (not the two-decimal one
    /// shown), decided in thousandths exactly as the store filters and ranks.
    pub fn computed_priority(&self, policy: &PriorityPolicy) -> Priority {
        policy.priority_of(self.fields.scoring)
    }
    /// Open (or in progress, or blocked) past its due date: `today` is the
    /// caller's date in the organisation's time zone.
    pub fn is_overdue(&self, today: Date) -> bool {
        self.status.is_open() && self.fields.due_on.is_some_and(|d| d < today)
    }
    /// Days past due (0 when not overdue).
    pub fn days_overdue(&self, today: Date) -> i64 {
        match self.fields.due_on {
            Some(due) if self.is_overdue(today) => (today - due).get_days().into(),
            _ => 0,
        }
    }
    pub fn reference(&self, incident: &IncidentKey) -> ActionKey {
        ActionKey {
            incident: incident.clone(),
            number: self.number,
        }
    }

    /// Applies a status move made on `today`, checking the workflow.
    /// `note` is the reason for a cancellation (required) or a note.
    pub fn apply_move(
        &mut self,
        to: ActionStatus,
        note: &str,
        verification: Option<Verification>,
        today: Date,
    ) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        if let Err(m) = self.status.check_move(to) {
            errors.push("status", m);
            return Err(errors);
        }
        match to {
            ActionStatus::Cancelled if note.trim().is_empty() => {
                errors.push("reason", "say why the action is cancelled");
            }
            ActionStatus::Cancelled => self.cancel_reason = note.trim().to_owned(),
            ActionStatus::Verified => match verification {
                Some(v) => {
                    if v.evidence.trim().is_empty() {
                        errors.push(
                            "evidence",
                            "verification needs evidence that the change worked (a test, a drill, a metric, a link)",
                        );
                    }
                    if v.verified_by.trim().is_empty() {
                        errors.push("verified_by", "say who verified it");
                    }
                    if v.verified_on > today {
                        errors.push("verified_on", format!("{} is in the future", v.verified_on));
                    }
                    if self.done_on.is_some_and(|d| v.verified_on < d) {
                        errors.push(
                            "verified_on",
                            format!(
                                "{} is before the action was done ({})",
                                v.verified_on,
                                self.done_on.map(|d| d.to_string()).unwrap_or_default()
                            ),
                        );
                    }
                    self.verification = Some(Verification {
                        verified_on: v.verified_on,
                        verified_by: v.verified_by.trim().to_owned(),
                        evidence: v.evidence.trim().to_owned(),
                    });
                }
                None => errors.push("evidence", "verification needs evidence, a date and who"),
            },
            ActionStatus::Done => self.done_on = Some(today),
            ActionStatus::InProgress if self.status == ActionStatus::Done => {
                // Reopened: the earlier completion no longer counts.
                self.done_on = None;
            }
            _ => {}
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        self.status = to;
        Ok(())
    }
}

/// An action's human reference: the incident key, `-A`, the number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ActionKey {
    pub incident: IncidentKey,
    pub number: u32,
}

impl fmt::Display for ActionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-A{}", self.incident, self.number)
    }
}

impl FromStr for ActionKey {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{s}` is not an action reference like INC-2026-0003-A2");
        let (incident, number) = s.trim().rsplit_once("-A").ok_or_else(bad)?;
        let number: u32 = number.parse().map_err(|_| bad())?;
        if number == 0 {
            return Err(bad());
        }
        Ok(Self {
            incident: incident.parse().map_err(|_| bad())?,
            number,
        })
    }
}

/// Raw input for an action: strings where people type, so every problem is
/// reported at once by field. `owner` is resolved to a person by the caller.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionDraft {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(rename = "type")]
    pub action_type: String,
    /// `section:id` references to review items.
    #[serde(default)]
    pub answers: Vec<String>,
    /// The owner's email (or id).
    pub owner: String,
    /// `YYYY-MM-DD`, or empty for none.
    #[serde(default)]
    pub due_on: String,
    pub risk: i64,
    pub impact: i64,
    pub effort: i64,
    /// `P1`…`P4`, or empty for the computed priority.
    #[serde(default)]
    pub priority_override: String,
    #[serde(default)]
    pub override_justification: String,
    #[serde(default)]
    pub ticket: String,
}

/// What validation of a draft gives back besides the fields: things worth
/// saying that do not stop the save.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Warnings(pub Vec<String>);

impl ActionDraft {
    /// Checks every field but the owner (which needs the people list): the
    /// caller passes the resolved owner id, or records an error for `owner`
    /// in `errors` first. `today` is the organisation's date, for the
    /// past-due warning: a due date already past is **allowed with a
    /// warning**, because reviews are often written up after the fact and
    /// imports carry history.
    pub fn validate(
        &self,
        owner_id: Option<Uuid>,
        mut errors: FieldErrors,
        review: Option<&Review>,
        today: Date,
    ) -> Result<(ActionFields, Warnings), FieldErrors> {
        let mut warnings = Warnings::default();
        let title = self.title.split_whitespace().collect::<Vec<_>>().join(" ");
        if let Err(m) = check_title(&title) {
            errors.push("title", m);
        }
        if self.description.chars().count() > 20_000 {
            errors.push(
                "description",
                "the description is longer than 20,000 characters",
            );
        }
        let action_type = match self.action_type.parse::<ActionType>() {
            Ok(t) => Some(t),
            Err(m) => {
                errors.push("type", m);
                None
            }
        };
        let mut answers = Vec::new();
        for (i, a) in self
            .answers
            .iter()
            .filter(|a| !a.trim().is_empty())
            .enumerate()
        {
            match a.parse::<ItemRef>() {
                Ok(r) => match review {
                    Some(rv) if r.text_in(rv).is_none() => errors.push(
                        format!("answers[{i}]"),
                        format!("the review has no {} with id {}", r.section, r.item_id),
                    ),
                    None => errors.push(
                        format!("answers[{i}]"),
                        "the incident has no review yet, so the action cannot answer one of its items",
                    ),
                    Some(_) => {
                        if !answers.contains(&r) {
                            answers.push(r);
                        }
                    }
                },
                Err(m) => errors.push(format!("answers[{i}]"), m),
            }
        }
        let due_on = match self.due_on.trim() {
            "" => None,
            s => match s.parse::<Date>() {
                Ok(d) => {
                    if d < today {
                        warnings.0.push(format!(
                            "the due date {d} is already past (today is {today}); the action will show as overdue"
                        ));
                    }
                    Some(d)
                }
                Err(_) => {
                    errors.push("due_on", format!("`{s}` is not a date like 2026-12-31"));
                    None
                }
            },
        };
        let scoring = match Scoring::new(self.risk, self.impact, self.effort) {
            Ok(s) => Some(s),
            Err(e) => {
                errors.0.extend(e.0);
                None
            }
        };
        let priority_override = match self.priority_override.trim() {
            "" => {
                if !self.override_justification.trim().is_empty() {
                    errors.push(
                        "priority_override",
                        "a justification was given but no priority to override with",
                    );
                }
                None
            }
            p => match p.parse::<Priority>() {
                Ok(priority) => {
                    let justification = self.override_justification.trim();
                    if justification.is_empty() {
                        errors.push(
                            "override_justification",
                            format!("overriding the computed priority with {priority} needs a justification"),
                        );
                    }
                    Some(PriorityOverride {
                        priority,
                        justification: justification.to_owned(),
                    })
                }
                Err(m) => {
                    errors.push("priority_override", m);
                    None
                }
            },
        };
        let ticket = self.ticket.trim();
        if let Err(m) = check_ticket(ticket) {
            errors.push("ticket", m);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        match (action_type, scoring, owner_id) {
            (Some(action_type), Some(scoring), Some(owner_id)) => Ok((
                ActionFields {
                    title,
                    description: self.description.trim().to_owned(),
                    action_type,
                    answers,
                    owner_id,
                    due_on,
                    scoring,
                    priority_override,
                    ticket: ticket.to_owned(),
                },
                warnings,
            )),
            _ => {
                errors.push("owner", "an action needs an owner");
                Err(errors)
            }
        }
    }
}

/// The title starts with a verb, says something after it, and is short
/// enough to read in a list.
pub fn check_title(title: &str) -> Result<(), String> {
    let title = title.trim();
    if title.is_empty() {
        return Err("an action needs a title that starts with a verb, like \"Add alerting on replication lag\"".into());
    }
    if title.chars().count() > 150 {
        return Err(
            "the title is longer than 150 characters; put the detail in the description".into(),
        );
    }
    let first = title
        .split_whitespace()
        .next()
        .unwrap_or("")
        .trim_matches(|c: char| !c.is_alphanumeric() && c != '-');
    if !verbs::is_verb(first) {
        return Err(format!(
            "start the title with a verb that says what will be done (\"Add …\", \"Rotate …\", \"Document …\"); `{first}` is not a verb debrief knows"
        ));
    }
    if title.split_whitespace().count() < 2 {
        return Err(format!(
            "say what to {} — a title of one word is not specific",
            first.to_lowercase()
        ));
    }
    Ok(())
}

/// A ticket is an http(s) URL or a tracker key like `OPS-123`.
pub fn check_ticket(ticket: &str) -> Result<(), String> {
    if ticket.is_empty() {
        return Ok(());
    }
    if ticket.chars().any(char::is_whitespace) {
        return Err(format!(
            "`{ticket}` is not a URL or a ticket key (no spaces)"
        ));
    }
    if let Some(rest) = ticket
        .strip_prefix("https://")
        .or_else(|| ticket.strip_prefix("http://"))
    {
        return if rest.is_empty() || ticket.len() > 2000 {
            Err(format!("`{ticket}` is not a usable URL"))
        } else {
            Ok(())
        };
    }
    let key_like = ticket.len() <= 64
        && ticket
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && ticket
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '#' | '/' | '.'));
    if key_like {
        Ok(())
    } else {
        Err(format!(
            "`{ticket}` is neither an http(s) URL nor a ticket key like OPS-123"
        ))
    }
}

/// One line of an action's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub action_id: Uuid,
    pub at: jiff::Timestamp,
    pub actor: String,
    /// `created`, `edited`, `status`, `verified`.
    pub what: String,
    pub from_status: Option<ActionStatus>,
    pub to_status: Option<ActionStatus>,
    /// The fields an edit changed, or the note/reason of a move.
    pub detail: String,
}

/// A follow-up session's record of where every action of an incident stood.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    pub id: Uuid,
    pub incident_id: Uuid,
    pub taken_at: jiff::Timestamp,
    pub actor: String,
    #[serde(default)]
    pub note: String,
    pub items: Vec<SnapshotItem>,
}

/// One action in a follow-up snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotItem {
    pub action_id: Uuid,
    pub number: u32,
    pub title: String,
    pub status: ActionStatus,
    pub owner: String,
    pub due_on: Option<Date>,
    pub overdue: bool,
    pub priority: Priority,
}

impl FollowUp {
    /// How many actions were in each state at the session.
    pub fn counts(&self) -> [(ActionStatus, usize); 6] {
        ActionStatus::ALL
            .iter()
            .map(|s| (*s, self.items.iter().filter(|i| i.status == *s).count()))
            .collect::<Vec<_>>()
            .try_into()
            .unwrap_or([(ActionStatus::Open, 0); 6])
    }
}

/// The names of the fields that differ between two versions (for history).
pub fn changed_fields(before: &ActionFields, after: &ActionFields) -> Vec<&'static str> {
    let mut v = Vec::new();
    if before.title != after.title {
        v.push("title");
    }
    if before.description != after.description {
        v.push("description");
    }
    if before.action_type != after.action_type {
        v.push("type");
    }
    if before.answers != after.answers {
        v.push("answers");
    }
    if before.owner_id != after.owner_id {
        v.push("owner");
    }
    if before.due_on != after.due_on {
        v.push("due_on");
    }
    if before.scoring != after.scoring {
        v.push("scoring");
    }
    if before.priority_override != after.priority_override {
        v.push("priority_override");
    }
    if before.ticket != after.ticket {
        v.push("ticket");
    }
    v
}

#[cfg(test)]
mod tests;
