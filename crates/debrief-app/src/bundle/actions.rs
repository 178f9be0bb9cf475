//! The actions part of a bundle: people (owners) at the top level, each
//! incident's actions with their history, and its follow-up snapshots.
//! Owners travel as emails so a bundle moves between databases whose people
//! have different ids.

use debrief_core::action::{
    Action, ActionDraft, ActionStatus, FollowUp, HistoryEntry, Verification,
};
use debrief_core::review::Review;
use debrief_core::{FieldErrors, Person, PersonDraft};
use jiff::civil::Date;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::actions::ActionView;

/// Someone an action names as owner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BundlePerson {
    pub name: String,
    /// Identifies the person across databases (compared lower-case).
    pub email: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub team: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub phone: String,
}

impl BundlePerson {
    pub(crate) fn from_person(p: &Person) -> Self {
        Self {
            name: p.name.clone(),
            email: p.email.clone(),
            team: p.team.clone(),
            phone: p.phone.clone(),
        }
    }
    pub(crate) fn validate(&self) -> Result<Person, FieldErrors> {
        let d = PersonDraft {
            name: self.name.clone(),
            email: self.email.clone(),
            team: self.team.clone(),
            phone: self.phone.clone(),
        }
        .validate()?;
        Ok(Person {
            id: Uuid::now_v7(),
            name: d.name,
            email: d.email,
            team: d.team,
            phone: d.phone,
            version: 1,
        })
    }
}

/// An action item (PRODUCT.md §6) with its history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleAction {
    /// Stable identity (UUID); importing twice adds it once.
    pub id: String,
    /// Its number within the incident (`INC-2026-0003-A2` is number 2).
    #[schemars(range(min = 1))]
    pub number: u32,
    /// Starts with a verb.
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// `prevent`, `mitigate`, `detect`, `respond`, `process`, `training` or
    /// `documentation`.
    #[serde(rename = "type")]
    pub action_type: String,
    /// Review items it answers, as `section:id` (`gap:0190…`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answers: Vec<String>,
    /// The owner's email; the owner must be in `people` or already known.
    pub owner: String,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_on: Option<String>,
    #[schemars(range(min = 1, max = 5))]
    pub risk: u8,
    #[schemars(range(min = 1, max = 5))]
    pub impact: u8,
    #[schemars(range(min = 1, max = 5))]
    pub effort: u8,
    /// `P1`…`P4` when the computed priority was overridden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority_override: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub override_justification: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ticket: String,
    /// `open`, `in_progress`, `blocked`, `done`, `verified` or `cancelled`.
    pub status: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cancel_reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<BundleVerification>,
    /// `YYYY-MM-DD` it was last marked done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_on: Option<String>,
    /// RFC 3339 instants.
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
    #[serde(default)]
    pub history: Vec<BundleHistory>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleVerification {
    /// `YYYY-MM-DD`.
    pub verified_on: String,
    pub verified_by: String,
    pub evidence: String,
}

/// One line of an action's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleHistory {
    /// RFC 3339 instant.
    pub at: String,
    pub actor: String,
    /// `created`, `edited`, `status` or `verified`.
    pub what: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_status: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

impl BundleAction {
    pub(crate) fn from_view(v: &ActionView, history: &[HistoryEntry]) -> Self {
        let a = v.action();
        let f = &a.fields;
        Self {
            id: a.id.to_string(),
            number: a.number,
            title: f.title.clone(),
            description: f.description.clone(),
            action_type: f.action_type.to_string(),
            answers: f.answers.iter().map(|r| r.to_string()).collect(),
            owner: v.record.owner.email.clone(),
            due_on: f.due_on.map(|d| d.to_string()),
            risk: f.scoring.risk,
            impact: f.scoring.impact,
            effort: f.scoring.effort,
            priority_override: f.priority_override.as_ref().map(|o| o.priority.to_string()),
            override_justification: f
                .priority_override
                .as_ref()
                .map(|o| o.justification.clone())
                .unwrap_or_default(),
            ticket: f.ticket.clone(),
            status: a.status.to_string(),
            cancel_reason: a.cancel_reason.clone(),
            verification: a.verification.as_ref().map(|x| BundleVerification {
                verified_on: x.verified_on.to_string(),
                verified_by: x.verified_by.clone(),
                evidence: x.evidence.clone(),
            }),
            done_on: a.done_on.map(|d| d.to_string()),
            created_at: a.created_at.to_string(),
            updated_at: a.updated_at.to_string(),
            version: a.version,
            history: history
                .iter()
                .map(|h| BundleHistory {
                    at: h.at.to_string(),
                    actor: h.actor.clone(),
                    what: h.what.clone(),
                    from_status: h.from_status.map(|s| s.to_string()),
                    to_status: h.to_status.map(|s| s.to_string()),
                    detail: h.detail.clone(),
                })
                .collect(),
        }
    }

    /// Checks the action as the domain would; the owner stays an email
    /// (resolved inside the import's transaction). `owner_id` is a
    /// placeholder the caller replaces.
    pub(crate) fn validate(
        &self,
        incident_id: Uuid,
        review: Option<&Review>,
    ) -> Result<(Action, Vec<HistoryEntry>), FieldErrors> {
        let mut errors = FieldErrors::default();
        let id = Uuid::parse_str(&self.id)
            .map_err(|e| errors.push("id", format!("`{}` is not a UUID: {e}", self.id)))
            .unwrap_or_default();
        if self.number == 0 {
            errors.push("number", "action numbers start at 1");
        }
        let draft = ActionDraft {
            title: self.title.clone(),
            description: self.description.clone(),
            action_type: self.action_type.clone(),
            answers: self.answers.clone(),
            owner: self.owner.clone(),
            due_on: self.due_on.clone().unwrap_or_default(),
            risk: i64::from(self.risk),
            impact: i64::from(self.impact),
            effort: i64::from(self.effort),
            priority_override: self.priority_override.clone().unwrap_or_default(),
            override_justification: self.override_justification.clone(),
            ticket: self.ticket.clone(),
        };
        // History carries past due dates; only errors matter here.
        let fields = draft
            .validate(Some(Uuid::nil()), FieldErrors::default(), review, Date::MIN)
            .map_err(|e| errors.0.extend(e.0))
            .ok()
            .map(|(f, _)| f);
        if let Err(m) = debrief_core::person::check_email(&self.owner.trim().to_lowercase()) {
            errors.push("owner", m);
        }
        let status = self
            .status
            .parse::<ActionStatus>()
            .map_err(|m| errors.push("status", m))
            .ok();
        let date = |field: &str, s: &Option<String>, errors: &mut FieldErrors| -> Option<Date> {
            s.as_ref().and_then(|d| {
                d.parse::<Date>()
                    .map_err(|_| errors.push(field, format!("`{d}` is not a date like 2026-12-31")))
                    .ok()
            })
        };
        let done_on = date("done_on", &self.done_on, &mut errors);
        let verification = self.verification.as_ref().and_then(|v| {
            let on = date(
                "verification.verified_on",
                &Some(v.verified_on.clone()),
                &mut errors,
            )?;
            Some(Verification {
                verified_on: on,
                verified_by: v.verified_by.clone(),
                evidence: v.evidence.clone(),
            })
        });
        match status {
            Some(ActionStatus::Verified) if verification.is_none() => {
                errors.push("verification", "a verified action needs its verification")
            }
            Some(ActionStatus::Cancelled) if self.cancel_reason.trim().is_empty() => {
                errors.push("cancel_reason", "a cancelled action needs its reason")
            }
            _ => {}
        }
        let instant = |field: &str, s: &str, errors: &mut FieldErrors| {
            s.parse::<jiff::Timestamp>()
                .map_err(|_| errors.push(field, format!("`{s}` is not an RFC 3339 instant")))
                .unwrap_or_default()
        };
        let created_at = instant("created_at", &self.created_at, &mut errors);
        let updated_at = instant("updated_at", &self.updated_at, &mut errors);
        let mut history = Vec::with_capacity(self.history.len());
        for (i, h) in self.history.iter().enumerate() {
            let at = instant(&format!("history[{i}].at"), &h.at, &mut errors);
            let st = |s: &Option<String>, errors: &mut FieldErrors| {
                s.as_ref().and_then(|s| {
                    s.parse::<ActionStatus>()
                        .map_err(|m| errors.push(format!("history[{i}]"), m))
                        .ok()
                })
            };
            let from_status = st(&h.from_status, &mut errors);
            let to_status = st(&h.to_status, &mut errors);
            history.push(HistoryEntry {
                action_id: id,
                at,
                actor: h.actor.clone(),
                what: h.what.clone(),
                from_status,
                to_status,
                detail: h.detail.clone(),
            });
        }
        if self.version < 1 {
            errors.push("version", "versions start at 1");
        }
        match (fields, status, errors.is_empty()) {
            (Some(fields), Some(status), true) => Ok((
                Action {
                    id,
                    incident_id,
                    number: self.number,
                    fields,
                    status,
                    cancel_reason: self.cancel_reason.trim().to_owned(),
                    verification,
                    done_on,
                    created_at,
                    updated_at,
                    version: self.version,
                },
                history,
            )),
            _ => Err(errors),
        }
    }
}

/// Reads a follow-up of the bundle (the form the API shows).
pub(crate) fn follow_up_from_value(
    v: &serde_json::Value,
    incident_id: Uuid,
) -> Result<FollowUp, String> {
    let mut f: FollowUp = serde_json::from_value(v.clone())
        .map_err(|e| format!("not a follow-up debrief can read: {e}"))?;
    f.incident_id = incident_id;
    Ok(f)
}
