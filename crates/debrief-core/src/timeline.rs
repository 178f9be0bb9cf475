//! The chronology (§3): timeline events, their kinds and sources, validation,
//! and the content hash that makes re-imports add nothing.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::field_error::FieldErrors;
use crate::timestamp::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Detection,
    Escalation,
    Decision,
    Communication,
    Action,
    TechnicalFinding,
    Containment,
    Eradication,
    Recovery,
    Impact,
    Other,
}

impl EventKind {
    pub const ALL: [EventKind; 11] = [
        Self::Detection,
        Self::Escalation,
        Self::Decision,
        Self::Communication,
        Self::Action,
        Self::TechnicalFinding,
        Self::Containment,
        Self::Eradication,
        Self::Recovery,
        Self::Impact,
        Self::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Detection => "detection",
            Self::Escalation => "escalation",
            Self::Decision => "decision",
            Self::Communication => "communication",
            Self::Action => "action",
            Self::TechnicalFinding => "technical_finding",
            Self::Containment => "containment",
            Self::Eradication => "eradication",
            Self::Recovery => "recovery",
            Self::Impact => "impact",
            Self::Other => "other",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Detection => "Detection",
            Self::Escalation => "Escalation",
            Self::Decision => "Decision",
            Self::Communication => "Communication",
            Self::Action => "Action",
            Self::TechnicalFinding => "Technical finding",
            Self::Containment => "Containment",
            Self::Eradication => "Eradication",
            Self::Recovery => "Recovery",
            Self::Impact => "Impact",
            Self::Other => "Other",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                let all: Vec<&str> = Self::ALL.iter().map(|k| k.as_str()).collect();
                format!("unknown kind `{s}`; expected one of {}", all.join(", "))
            })
    }
}

/// The sources debrief knows by name; an import may name its own.
pub const KNOWN_SOURCES: &[&str] = &["manual", "chat", "siem", "ticket", "log", "email"];

pub const TEXT_MAX: usize = 10_000;
pub const ACTOR_MAX: usize = 200;
pub const SOURCE_MAX: usize = 64;
pub const URL_MAX: usize = 2_000;

/// A validated event, not yet stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTimelineEvent {
    pub at: Timestamp,
    pub kind: EventKind,
    pub source: String,
    pub actor: Option<String>,
    pub text: String,
    pub evidence_url: Option<String>,
    pub tags: Vec<String>,
    pub key: bool,
}

impl NewTimelineEvent {
    /// The de-duplication hash: SHA-256 over the instant, precision, kind,
    /// source, actor and text. The key flag, tags and evidence are left out on
    /// purpose, so marking an event as key and re-importing the original file
    /// still adds nothing.
    pub fn content_hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.at.micros_utc().to_be_bytes());
        h.update(self.at.precision().as_str().as_bytes());
        for part in [
            self.kind.as_str(),
            self.source.as_str(),
            self.actor.as_deref().unwrap_or(""),
            self.text.as_str(),
        ] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEvent {
    pub id: Uuid,
    pub incident_id: Uuid,
    pub event: NewTimelineEvent,
    pub hash: String,
    pub created_at: jiff::Timestamp,
}

/// Raw event input (form, CLI, API, import row). Unknown fields are errors,
/// so a misspelt `txt` is reported rather than silently dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimelineEventDraft {
    pub at: String,
    /// An explicit precision, coarser than or equal to what `at` says.
    #[serde(default)]
    pub precision: Option<String>,
    pub kind: String,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub actor: Option<String>,
    pub text: String,
    #[serde(default)]
    pub evidence_url: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub key: bool,
}

impl TimelineEventDraft {
    /// Validates every field, reading `at` with `read_time`; `default_source`
    /// is used when the draft names none (`manual`, or an import's name).
    pub fn validate_with(
        &self,
        default_source: &str,
        read_time: impl Fn(&str) -> Result<Timestamp, crate::timestamp::TimestampError>,
    ) -> Result<NewTimelineEvent, FieldErrors> {
        let mut errors = FieldErrors::default();
        let at = match read_time(&self.at) {
            Ok(t) => match self
                .precision
                .as_deref()
                .map(str::trim)
                .filter(|p| !p.is_empty())
            {
                None => Some(t),
                Some(p) => match p
                    .parse()
                    .map_err(|e: String| e)
                    .and_then(|p| t.with_precision(p).map_err(|e| e.0))
                {
                    Ok(t) => Some(t),
                    Err(e) => {
                        errors.push("precision", e);
                        None
                    }
                },
            },
            Err(e) => {
                errors.push("at", e.0);
                None
            }
        };
        let kind = match self.kind.trim().parse::<EventKind>() {
            Ok(k) => Some(k),
            Err(_) if self.kind.trim().is_empty() => {
                errors.push("kind", "a kind is required");
                None
            }
            Err(e) => {
                errors.push("kind", e);
                None
            }
        };
        let source = self
            .source
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or(default_source)
            .to_lowercase();
        if source.chars().count() > SOURCE_MAX {
            errors.push("source", format!("at most {SOURCE_MAX} characters"));
        } else if source.chars().any(char::is_control) {
            errors.push("source", "control characters are not allowed");
        }
        let actor = self
            .actor
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned);
        if actor
            .as_ref()
            .is_some_and(|a| a.chars().count() > ACTOR_MAX)
        {
            errors.push("actor", format!("at most {ACTOR_MAX} characters"));
        }
        let text = self.text.trim().to_owned();
        if text.is_empty() {
            errors.push("text", "describe what happened");
        } else if text.chars().count() > TEXT_MAX {
            errors.push("text", format!("at most {TEXT_MAX} characters"));
        }
        let evidence_url = self
            .evidence_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(str::to_owned);
        if let Some(u) = &evidence_url {
            if !(u.starts_with("https://") || u.starts_with("http://")) {
                errors.push("evidence_url", "must be an http:// or https:// link");
            } else if u.len() > URL_MAX {
                errors.push("evidence_url", format!("at most {URL_MAX} characters"));
            }
        }
        let mut tags: Vec<String> = Vec::new();
        for t in self.tags.iter().flat_map(|t| t.split(',')) {
            let t = t.trim().to_lowercase();
            if !t.is_empty() && !tags.contains(&t) {
                tags.push(t);
            }
        }
        match (at, kind, errors.is_empty()) {
            (Some(at), Some(kind), true) => Ok(NewTimelineEvent {
                at,
                kind,
                source,
                actor,
                text,
                evidence_url,
                tags,
                key: self.key,
            }),
            _ => Err(errors),
        }
    }

    pub fn validate(&self, default_source: &str) -> Result<NewTimelineEvent, FieldErrors> {
        self.validate_with(default_source, Timestamp::parse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> TimelineEventDraft {
        TimelineEventDraft {
            at: "2019-07-02T13:42Z".into(),
            kind: "detection".into(),
            text: "EDR alert on FS-01".into(),
            ..Default::default()
        }
    }

    #[test]
    fn the_hash_ignores_the_key_flag_and_tags() {
        let a = draft().validate("manual").unwrap();
        let mut b = draft();
        b.key = true;
        b.tags = vec!["edr".into()];
        assert_eq!(
            a.content_hash(),
            b.validate("manual").unwrap().content_hash()
        );
        let mut c = draft();
        c.text = "EDR alert on FS-02".into();
        assert_ne!(
            a.content_hash(),
            c.validate("manual").unwrap().content_hash()
        );
    }

    #[test]
    fn the_same_instant_written_in_another_offset_is_the_same_event() {
        let a = draft().validate("manual").unwrap();
        let mut b = draft();
        b.at = "2019-07-02T15:42+02:00".into();
        assert_eq!(
            a.content_hash(),
            b.validate("manual").unwrap().content_hash()
        );
    }

    #[test]
    fn bad_fields_are_named() {
        let d = TimelineEventDraft {
            at: "yesterday".into(),
            kind: "panic".into(),
            text: "".into(),
            evidence_url: Some("file:///etc/passwd".into()),
            ..Default::default()
        };
        let e = d.validate("manual").unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["at", "kind", "text", "evidence_url"]);
    }

    #[test]
    fn an_explicit_precision_coarsens_the_instant() {
        let mut d = draft();
        d.precision = Some("hour".into());
        let e = d.validate("manual").unwrap();
        assert_eq!(e.at.to_rfc3339(), "2019-07-02T13:00Z");
        d.at = "2019-07-02".into();
        d.precision = Some("second".into());
        assert!(
            d.validate("manual")
                .unwrap_err()
                .for_field("precision")
                .is_some()
        );
    }
}
