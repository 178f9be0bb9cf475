//! Plans and training (PRODUCT.md §9): the organisation's documents —
//! response plans, playbooks, runbooks, policies, training modules — and the
//! links from a review's lessons to the document change each requires.
//!
//! A lesson is **linked** when it names a document change (needed or done)
//! or says, with a reason, that no document needs to change; it is
//! **homed** when that change is done or none is needed. The "review
//! complete" policy refuses approval while a lesson is not linked; the
//! "lessons without a home" list shows every lesson not yet homed.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::FieldErrors;
use crate::review::string_enum;

string_enum!(
    /// What kind of document it is.
    DocumentKind, "document kind" {
        ResponsePlan => "response_plan", "Incident response plan",
        Playbook => "playbook", "Playbook",
        Runbook => "runbook", "Runbook",
        Policy => "policy", "Policy",
        TrainingModule => "training_module", "Training module",
        Other => "other", "Other",
    }
);

string_enum!(
    /// Whether the document is in force.
    DocumentStatus, "document status" {
        Current => "current", "Current",
        Retired => "retired", "Retired",
    }
);

string_enum!(
    /// Where a lesson's document change stands.
    LinkState, "link state" {
        Needed => "needed", "Change needed",
        Done => "done", "Done",
        NotNeeded => "not_needed", "No document change needed",
    }
);

/// A registered document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub id: Uuid,
    pub kind: DocumentKind,
    pub title: String,
    /// A person of the People register.
    pub owner_id: Uuid,
    /// The document's own version as its authors write it (`3.2`).
    pub document_version: String,
    /// Where the document lives (an http or https URL).
    pub link: String,
    pub status: DocumentStatus,
    /// When the document is next due for review.
    pub review_on: Option<Date>,
    /// Bumped by every change; updates name the version they read.
    pub version: i64,
}

/// Raw input for a document: the owner by email (or id), dates as text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentDraft {
    pub kind: String,
    pub title: String,
    pub owner: String,
    #[serde(default)]
    pub document_version: String,
    pub link: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub review_on: String,
}

/// A draft's fields, checked; the owner still to be resolved by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidDocument {
    pub kind: DocumentKind,
    pub title: String,
    pub owner: String,
    pub document_version: String,
    pub link: String,
    pub status: DocumentStatus,
    pub review_on: Option<Date>,
}

impl DocumentDraft {
    /// Checks every field and reports every problem at once.
    pub fn validate(&self) -> Result<ValidDocument, FieldErrors> {
        let mut e = FieldErrors::default();
        let kind = match self.kind.parse::<DocumentKind>() {
            Ok(k) => Some(k),
            Err(m) => {
                e.push("kind", m);
                None
            }
        };
        let title = self.title.trim();
        if title.is_empty() {
            e.push("title", "a document needs a title");
        } else if title.chars().count() > 200 {
            e.push("title", "the title is longer than 200 characters");
        }
        let owner = self.owner.trim();
        if owner.is_empty() {
            e.push(
                "owner",
                "name the document's owner (a person's email from Settings → People)",
            );
        }
        let document_version = self.document_version.trim();
        if document_version.chars().count() > 50 {
            e.push(
                "document_version",
                "the document version is longer than 50 characters",
            );
        }
        let link = self.link.trim();
        if let Err(m) = check_link(link) {
            e.push("link", m);
        }
        let status = if self.status.trim().is_empty() {
            Some(DocumentStatus::Current)
        } else {
            match self.status.parse::<DocumentStatus>() {
                Ok(s) => Some(s),
                Err(m) => {
                    e.push("status", m);
                    None
                }
            }
        };
        let review_on = parse_date(&mut e, "review_on", &self.review_on);
        match (kind, status) {
            (Some(kind), Some(status)) if e.is_empty() => Ok(ValidDocument {
                kind,
                title: title.to_owned(),
                owner: owner.to_owned(),
                document_version: document_version.to_owned(),
                link: link.to_owned(),
                status,
                review_on,
            }),
            _ => Err(e),
        }
    }
}

/// An optional `YYYY-MM-DD`; an error under `field` when it does not read.
fn parse_date(e: &mut FieldErrors, field: &str, raw: &str) -> Option<Date> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match raw.parse::<Date>() {
        Ok(d) => Some(d),
        Err(_) => {
            e.push(field, format!("`{raw}` is not a date like 2026-12-31"));
            None
        }
    }
}

/// A document's link: an absolute http or https URL with a host.
pub fn check_link(raw: &str) -> Result<(), String> {
    if raw.is_empty() {
        return Err("a document needs a link (where people read it)".into());
    }
    if raw.len() > 2000 {
        return Err("the link is longer than 2,000 characters".into());
    }
    match url::Url::parse(raw) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok(()),
        Ok(u) => Err(format!(
            "`{raw}` is a {} link; use an http:// or https:// address",
            u.scheme()
        )),
        Err(err) => Err(format!(
            "`{raw}` is not a link like https://intranet.example.org/plan ({err})"
        )),
    }
}

/// A lesson's link to the document change it requires — or the statement
/// that no document needs to change, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonLink {
    pub id: Uuid,
    pub incident_id: Uuid,
    /// The lesson's id inside the incident's review.
    pub lesson_id: Uuid,
    /// `None` only when `state` is `not_needed`.
    pub document_id: Option<Uuid>,
    /// The change needed (or, when none is, why not).
    pub change: String,
    pub state: LinkState,
    /// The document version that carries the change (when done).
    #[serde(default)]
    pub done_version: String,
    /// When the change was made (when done).
    #[serde(default)]
    pub done_on: Option<Date>,
    pub version: i64,
}

impl LessonLink {
    /// Whether the lesson is folded into a document (or needs none).
    pub fn homes(&self) -> bool {
        matches!(self.state, LinkState::Done | LinkState::NotNeeded)
    }
}

/// Raw input for a new link or a link's new fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonLinkDraft {
    /// A document id; empty for "no document change needed".
    #[serde(default)]
    pub document: String,
    /// The change needed, or the reason none is.
    pub change: String,
    /// `needed` (default with a document), `done` or `not_needed` (default
    /// without one).
    #[serde(default)]
    pub state: String,
    /// With `done`: the document version that carries the change.
    #[serde(default)]
    pub done_version: String,
    /// With `done`: when it was made (`YYYY-MM-DD`).
    #[serde(default)]
    pub done_on: String,
}

/// A link draft's fields, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidLessonLink {
    pub document_id: Option<Uuid>,
    pub change: String,
    pub state: LinkState,
    pub done_version: String,
    pub done_on: Option<Date>,
}

impl LessonLinkDraft {
    /// Checks every field: a document unless none is needed, a text, and
    /// for `done` the version and date of the change.
    pub fn validate(&self) -> Result<ValidLessonLink, FieldErrors> {
        let mut e = FieldErrors::default();
        let raw_doc = self.document.trim();
        let document_id = if raw_doc.is_empty() {
            None
        } else {
            match Uuid::parse_str(raw_doc) {
                Ok(id) => Some(id),
                Err(_) => {
                    e.push(
                        "document",
                        format!("`{raw_doc}` is not a document id (see Plans & training)"),
                    );
                    None
                }
            }
        };
        let state = if self.state.trim().is_empty() {
            if raw_doc.is_empty() {
                Some(LinkState::NotNeeded)
            } else {
                Some(LinkState::Needed)
            }
        } else {
            match self.state.parse::<LinkState>() {
                Ok(s) => Some(s),
                Err(m) => {
                    e.push("state", m);
                    None
                }
            }
        };
        let change = self.change.trim();
        let done_version = self.done_version.trim();
        let done_on = parse_date(&mut e, "done_on", &self.done_on);
        match state {
            Some(LinkState::NotNeeded) => {
                if !raw_doc.is_empty() {
                    e.push(
                        "document",
                        "a lesson that needs no document change names no document",
                    );
                }
                if change.is_empty() {
                    e.push(
                        "change",
                        "say why no document needs to change (the reason is kept)",
                    );
                }
            }
            Some(s) => {
                if raw_doc.is_empty() {
                    e.push(
                        "document",
                        "choose the document the lesson changes (or mark it as needing no change)",
                    );
                }
                if change.is_empty() {
                    e.push(
                        "change",
                        "describe the change the document needs in a sentence",
                    );
                }
                if s == LinkState::Done {
                    if done_version.is_empty() {
                        e.push(
                            "done_version",
                            "name the document version that carries the change",
                        );
                    }
                    if done_on.is_none() && e.for_field("done_on").is_none() {
                        e.push("done_on", "give the date the change was made");
                    }
                }
            }
            None => {}
        }
        if change.chars().count() > 1000 {
            e.push("change", "the text is longer than 1,000 characters");
        }
        if done_version.chars().count() > 50 {
            e.push(
                "done_version",
                "the document version is longer than 50 characters",
            );
        }
        let Some(state) = state else {
            return Err(e);
        };
        let done = state == LinkState::Done;
        e.into_result(ValidLessonLink {
            document_id,
            change: change.to_owned(),
            state,
            done_version: if done {
                done_version.to_owned()
            } else {
                String::new()
            },
            done_on: if done { done_on } else { None },
        })
    }
}

/// The organisation's rule for when a review counts as complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewPolicy {
    /// Approval is refused while a lesson has no document link (a change
    /// needed or done, or "no change needed" with a reason). Default on.
    pub lessons_need_documents: bool,
}

impl Default for ReviewPolicy {
    fn default() -> Self {
        Self {
            lessons_need_documents: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> DocumentDraft {
        DocumentDraft {
            kind: "playbook".into(),
            title: " Ransomware playbook ".into(),
            owner: "ada@example.org".into(),
            document_version: "3.2".into(),
            link: "https://intranet.example.org/playbooks/ransomware".into(),
            status: String::new(),
            review_on: "2027-03-31".into(),
        }
    }

    #[test]
    fn a_document_draft_is_trimmed_and_current_by_default() {
        let d = draft().validate().unwrap();
        assert_eq!(d.title, "Ransomware playbook");
        assert_eq!(d.kind, DocumentKind::Playbook);
        assert_eq!(d.status, DocumentStatus::Current);
        assert_eq!(d.review_on, Some(jiff::civil::date(2027, 3, 31)));
    }

    #[test]
    fn every_bad_document_field_is_named() {
        let e = DocumentDraft {
            kind: "wiki".into(),
            title: " ".into(),
            owner: String::new(),
            document_version: String::new(),
            link: "ftp://files.example.org/plan".into(),
            status: "draft".into(),
            review_on: "31/03/2027".into(),
        }
        .validate()
        .unwrap_err();
        for field in ["kind", "title", "owner", "link", "status", "review_on"] {
            assert!(e.for_field(field).is_some(), "{field}: {e:?}");
        }
        assert!(e.for_field("kind").unwrap().contains("wiki"));
        assert!(e.for_field("link").unwrap().contains("ftp"));
        assert!(e.for_field("review_on").unwrap().contains("31/03/2027"));
    }

    #[test]
    fn links_must_be_web_addresses() {
        assert!(check_link("https://example.org/x").is_ok());
        assert!(check_link("http://[::1]:8080/plan").is_ok());
        for bad in ["", "example.org/plan", "javascript:alert(1)", "file:///etc"] {
            assert!(check_link(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_link_needs_a_document_and_a_change_unless_none_is_needed() {
        let id = Uuid::new_v4().to_string();
        let l = LessonLinkDraft {
            document: id.clone(),
            change: "Add isolation steps".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(l.state, LinkState::Needed);

        let none = LessonLinkDraft {
            change: "Covered by the existing runbook".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(none.state, LinkState::NotNeeded);
        assert_eq!(none.document_id, None);

        let e = LessonLinkDraft::default().validate().unwrap_err();
        assert!(e.for_field("change").unwrap().contains("why"));

        let e = LessonLinkDraft {
            document: id.clone(),
            change: "x".into(),
            state: "done".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert!(e.for_field("done_version").is_some());
        assert!(e.for_field("done_on").is_some());

        let e = LessonLinkDraft {
            document: "not-an-id".into(),
            change: "x".into(),
            state: "finished".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert!(e.for_field("document").unwrap().contains("not-an-id"));
        assert!(e.for_field("state").unwrap().contains("finished"));
    }

    #[test]
    fn only_done_or_not_needed_links_home_a_lesson() {
        let mut l = LessonLink {
            id: Uuid::new_v4(),
            incident_id: Uuid::new_v4(),
            lesson_id: Uuid::new_v4(),
            document_id: Some(Uuid::new_v4()),
            change: "x".into(),
            state: LinkState::Needed,
            done_version: String::new(),
            done_on: None,
            version: 1,
        };
        assert!(!l.homes());
        l.state = LinkState::Done;
        assert!(l.homes());
        l.state = LinkState::NotNeeded;
        assert!(l.homes());
        assert!(ReviewPolicy::default().lessons_need_documents);
    }
}
