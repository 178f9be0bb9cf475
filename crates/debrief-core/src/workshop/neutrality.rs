//! The neutral facilitator (PRODUCT.md §8): whoever runs a lessons-learned
//! workshop must not have been part of the response — not a responder, not
//! an actor in the timeline, not an owner of an affected service — so that
//! nobody feels judged by someone with a stake in the story.
//!
//! Responders and actors are free text (`"Forensics (Hannah Becker)"`), so
//! a person is matched by their full name as whole words, or their email,
//! case-insensitively. Service owners are data in the workshop policy (a
//! service's owners by email); a person whose team is named exactly like an
//! affected service owns it too.

use serde::{Deserialize, Serialize};

use crate::{IncidentFields, Person, TimelineEvent};

/// The owners of one service, by email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceOwners {
    pub service: String,
    pub owners: Vec<String>,
}

/// Whether `text` names `person`: their full name as whole words, or their
/// email, ignoring case.
pub fn names_person(text: &str, person: &Person) -> bool {
    let hay = text.to_lowercase();
    if !person.email.is_empty() && hay.contains(&person.email.to_lowercase()) {
        return true;
    }
    let name = person
        .name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    if name.is_empty() {
        return false;
    }
    let hay: String = hay.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut from = 0;
    while let Some(pos) = hay[from..].find(&name) {
        let start = from + pos;
        let end = start + name.len();
        let before_ok = hay[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after_ok = hay[end..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric());
        if before_ok && after_ok {
            return true;
        }
        from = start + hay[start..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// Why `facilitator` is not neutral for this incident; empty when neutral.
pub fn facilitator_concerns(
    facilitator: &Person,
    incident: &IncidentFields,
    events: &[TimelineEvent],
    owners: &[ServiceOwners],
) -> Vec<String> {
    let mut concerns = Vec::new();
    if let Some(r) = incident
        .responders
        .iter()
        .find(|r| names_person(r, facilitator))
    {
        concerns.push(format!(
            "{} is a responder of this incident (listed as “{r}”)",
            facilitator.name
        ));
    }
    let acted: Vec<&TimelineEvent> = events
        .iter()
        .filter(|e| {
            e.event
                .actor
                .as_deref()
                .is_some_and(|a| names_person(a, facilitator))
        })
        .collect();
    if let Some(first) = acted.first() {
        let n = acted.len();
        concerns.push(format!(
            "{} is the actor of {n} timeline event{} (first: {} “{}”)",
            facilitator.name,
            if n == 1 { "" } else { "s" },
            first.event.at.to_rfc3339(),
            shorten(&first.event.text, 80)
        ));
    }
    for service in &incident.services {
        let by_policy = owners.iter().any(|o| {
            same(&o.service, service)
                && o.owners
                    .iter()
                    .any(|e| e.trim().eq_ignore_ascii_case(&facilitator.email))
        });
        let by_team = !facilitator.team.trim().is_empty() && same(&facilitator.team, service);
        if by_policy || by_team {
            concerns.push(format!(
                "{} owns the affected service “{service}”{}",
                facilitator.name,
                if by_policy {
                    " (service owners in the workshop policy)"
                } else {
                    " (their team is named after it)"
                }
            ));
        }
    }
    concerns
}

fn same(a: &str, b: &str) -> bool {
    a.split_whitespace()
        .map(str::to_lowercase)
        .eq(b.split_whitespace().map(str::to_lowercase))
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>().trim_end())
    }
}
