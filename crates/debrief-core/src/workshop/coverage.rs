//! Stakeholder coverage (PRODUCT.md §8): which roles a workshop must invite
//! for an incident of a given severity and category, and which of them the
//! attendee list leaves out — shown before the invites go out.

use serde::{Deserialize, Serialize};

use super::StakeholderRole;
use crate::Severity;

/// Roles to invite when an incident matches: any of `severities` (or any
/// severity when empty) and any of `categories` (or any category when
/// empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoverageRule {
    pub roles: Vec<StakeholderRole>,
    #[serde(default)]
    pub severities: Vec<Severity>,
    #[serde(default)]
    pub categories: Vec<String>,
}

impl CoverageRule {
    pub fn applies(&self, severity: Severity, category: &str) -> bool {
        (self.severities.is_empty() || self.severities.contains(&severity))
            && (self.categories.is_empty() || self.categories.iter().any(|c| c == category))
    }
    /// Why the rule applies, for people: "always", "critical or high
    /// incidents", "data_breach incidents".
    pub fn reason(&self) -> String {
        let sev: Vec<&str> = self.severities.iter().map(|s| s.as_str()).collect();
        match (sev.is_empty(), self.categories.is_empty()) {
            (true, true) => "always".into(),
            (false, true) => format!("{} incidents", sev.join(" or ")),
            (true, false) => format!("{} incidents", self.categories.join(" or ")),
            (false, false) => format!(
                "{} incidents of category {}",
                sev.join(" or "),
                self.categories.join(" or ")
            ),
        }
    }
}

/// A role the policy asks for, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleNeed {
    pub role: StakeholderRole,
    /// The reasons of every rule that asks for it.
    pub because: Vec<String>,
}

/// The roles asked for by the rules that apply, in role order.
pub(super) fn required_roles(
    rules: &[CoverageRule],
    severity: Severity,
    category: &str,
) -> Vec<RoleNeed> {
    let mut needs: Vec<RoleNeed> = Vec::new();
    for rule in rules.iter().filter(|r| r.applies(severity, category)) {
        for role in &rule.roles {
            match needs.iter_mut().find(|n| n.role == *role) {
                Some(n) => {
                    let reason = rule.reason();
                    if !n.because.contains(&reason) {
                        n.because.push(reason);
                    }
                }
                None => needs.push(RoleNeed {
                    role: *role,
                    because: vec![rule.reason()],
                }),
            }
        }
    }
    needs.sort_by_key(|n| n.role);
    needs
}

/// The required roles against the roles invited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub required: Vec<RoleNeed>,
    /// Required roles nobody on the list has.
    pub missing: Vec<StakeholderRole>,
}

impl Coverage {
    pub fn new(required: Vec<RoleNeed>, invited: &[StakeholderRole]) -> Self {
        let missing = required
            .iter()
            .map(|n| n.role)
            .filter(|r| !invited.contains(r))
            .collect();
        Self { required, missing }
    }
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty()
    }
    /// "Missing: legal (critical or high incidents), communications (…)".
    pub fn missing_text(&self) -> String {
        self.missing
            .iter()
            .map(|r| {
                let why = self
                    .required
                    .iter()
                    .find(|n| n.role == *r)
                    .map(|n| n.because.join("; "))
                    .unwrap_or_default();
                format!("{} ({why})", r.label())
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}
