//! The post-incident review (PRODUCT.md §4): its workflow, causes with
//! five-whys chains, phase assessments, gaps, successes and lucky breaks,
//! lessons, recommendations, answers to the question template, sign-off and
//! dissent.
//!
//! A review is one value, changed only through [`Review::apply`] with a
//! [`ReviewChange`]. Every item and text section carries its own version, so
//! two people editing different causes in the same meeting never conflict,
//! while two edits of the same cause do (the second gets a conflict, not a
//! silent overwrite).

use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::field_error::{FieldError, FieldErrors};
use crate::impact::{FinancialDraft, FinancialEntry, Impact, ImpactDetailsDraft};

pub mod blameless;

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($variant:ident => $text:literal, $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let s = s.trim();
                Self::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| {
                    let all: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    format!("unknown {} `{s}`; expected one of {}", $what, all.join(", "))
                })
            }
        }
    };
}
pub(crate) use string_enum;

string_enum!(
    /// Where a review stands.
    ReviewStatus, "review status" {
        Draft => "draft", "Draft",
        InReview => "in_review", "In review",
        Approved => "approved", "Approved",
    }
);

string_enum!(
    /// What role a cause played.
    CauseKind, "cause kind" {
        RootCause => "root_cause", "Root cause",
        ContributingFactor => "contributing_factor", "Contributing factor",
        Trigger => "trigger", "Trigger",
    }
);

string_enum!(
    /// The bones of the fishbone diagram.
    CauseCategory, "cause category" {
        People => "people", "People",
        Process => "process", "Process",
        Technology => "technology", "Technology",
        Policy => "policy", "Policy",
        Training => "training", "Training",
        Communication => "communication", "Communication",
        External => "external", "External / third party",
    }
);

string_enum!(
    /// The phases and qualities a review rates.
    AssessedPhase, "phase" {
        Detection => "detection", "Detection",
        Containment => "containment", "Containment",
        Eradication => "eradication", "Eradication",
        Recovery => "recovery", "Recovery",
        Communication => "communication", "Communication",
        Coordination => "coordination", "Coordination",
        DecisionMaking => "decision_making", "Decision-making",
    }
);

string_enum!(
    /// Where a gap was found.
    GapArea, "gap area" {
        Policy => "policy", "Policy",
        Procedure => "procedure", "Procedure",
        Technology => "technology", "Technology",
        Training => "training", "Training",
        People => "people", "People",
        Communication => "communication", "Communication",
    }
);

string_enum!(
    /// How much a gap matters.
    GapSeverity, "gap severity" {
        Low => "low", "Low",
        Medium => "medium", "Medium",
        High => "high", "High",
        Critical => "critical", "Critical",
    }
);

string_enum!(
    /// A success to reinforce, or a lucky break not to count on again.
    ObservationKind, "observation kind" {
        WentWell => "went_well", "What went well",
        Lucky => "lucky", "Where we got lucky",
    }
);

/// One step of a five-whys chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhyStep {
    pub why: String,
    pub because: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cause {
    pub id: Uuid,
    pub kind: CauseKind,
    pub category: CauseCategory,
    pub statement: String,
    #[serde(default)]
    pub whys: Vec<WhyStep>,
    /// Timeline events this cause rests on.
    #[serde(default)]
    pub event_ids: Vec<Uuid>,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub phase: AssessedPhase,
    /// 1 (poor) to 5 (excellent).
    pub rating: u8,
    pub went_well: String,
    pub to_improve: String,
    #[serde(default)]
    pub event_ids: Vec<Uuid>,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gap {
    pub id: Uuid,
    pub area: GapArea,
    pub severity: GapSeverity,
    pub description: String,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observation {
    pub id: Uuid,
    pub kind: ObservationKind,
    pub text: String,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lesson {
    pub id: Uuid,
    pub statement: String,
    #[serde(default)]
    pub tags: Vec<String>,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recommendation {
    pub id: Uuid,
    pub text: String,
    pub version: i64,
}

/// A question of a lessons-learned template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    pub text: String,
}

/// A question template: data an organisation can edit. A review keeps a copy
/// of the template it was opened with, so later edits do not change it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionTemplate {
    pub id: String,
    pub name: String,
    pub questions: Vec<Question>,
}

impl QuestionTemplate {
    /// NIST SP 800-61r2 §3.4.1's nine questions, plus what went well and
    /// where we got lucky.
    pub fn nist_default() -> Self {
        let q = |id: &str, text: &str| Question {
            id: id.into(),
            text: text.into(),
        };
        Self {
            id: "nist-800-61r2".into(),
            name: "NIST SP 800-61r2 lessons learned".into(),
            questions: vec![
                q("what_happened", "Exactly what happened, and at what times?"),
                q(
                    "performance",
                    "How well did staff and management perform in dealing with the incident? Were the documented procedures followed? Were they adequate?",
                ),
                q("information_sooner", "What information was needed sooner?"),
                q(
                    "inhibited_recovery",
                    "Were any steps or actions taken that might have inhibited the recovery?",
                ),
                q(
                    "do_differently",
                    "What would the staff and management do differently the next time a similar incident occurs?",
                ),
                q(
                    "information_sharing",
                    "How could information sharing with other organizations have been improved?",
                ),
                q(
                    "corrective_actions",
                    "What corrective actions can prevent similar incidents in the future?",
                ),
                q(
                    "precursors",
                    "What precursors or indicators should be watched for in the future to detect similar incidents?",
                ),
                q(
                    "tools_resources",
                    "What additional tools or resources are needed to detect, analyze, and mitigate future incidents?",
                ),
                q("went_well", "What went well?"),
                q("got_lucky", "Where did we get lucky?"),
            ],
        }
    }
}

impl QuestionTemplate {
    /// Builds an edited template from its id, name and question texts (one
    /// per entry, blank ones dropped). Questions whose text did not change
    /// keep their ids.
    pub fn from_texts(
        id: &str,
        name: &str,
        texts: &[String],
        previous: Option<&QuestionTemplate>,
    ) -> Result<Self, FieldErrors> {
        let mut e = FieldErrors::default();
        let id = id.trim();
        if id.is_empty()
            || id.len() > 40
            || !id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            e.push(
                "id",
                "use 1–40 lower-case letters, digits and hyphens, e.g. `major-incident`",
            );
        }
        let name = name.trim();
        if name.is_empty() {
            e.push("name", "give the template a name");
        } else if name.chars().count() > 100 {
            e.push("name", "at most 100 characters");
        }
        let texts: Vec<&str> = texts
            .iter()
            .flat_map(|t| t.lines())
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect();
        if texts.is_empty() {
            e.push("questions", "a template needs at least one question");
        } else if texts.len() > 50 {
            e.push("questions", "at most 50 questions");
        }
        if let Some(long) = texts.iter().find(|t| t.chars().count() > 500) {
            e.push(
                "questions",
                format!(
                    "at most 500 characters per question (\"{}…\")",
                    long.chars().take(40).collect::<String>()
                ),
            );
        }
        let mut questions: Vec<Question> = Vec::new();
        for text in &texts {
            let kept = previous
                .and_then(|p| p.questions.iter().find(|q| q.text == *text))
                .map(|q| q.id.clone());
            let id = kept.unwrap_or_else(|| {
                let mut n = questions.len() + 1;
                loop {
                    let candidate = format!("q{n}");
                    let taken = questions.iter().any(|q| q.id == candidate)
                        || previous.is_some_and(|p| p.questions.iter().any(|q| q.id == candidate));
                    if !taken {
                        break candidate;
                    }
                    n += 1;
                }
            });
            if !questions.iter().any(|q| q.text == *text) {
                questions.push(Question {
                    id,
                    text: (*text).to_owned(),
                });
            }
        }
        e.into_result(Self {
            id: id.to_owned(),
            name: name.to_owned(),
            questions,
        })
    }
}

/// An answer to one template question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub question_id: String,
    pub text: String,
    pub version: i64,
}

/// One move of the workflow, kept forever.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub from: ReviewStatus,
    pub to: ReviewStatus,
    pub by: String,
    pub at: jiff::Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Disagreement recorded beside the sign-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dissent {
    pub id: Uuid,
    pub by: String,
    pub text: String,
    pub at: jiff::Timestamp,
}

/// Who approved, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOff {
    pub by: String,
    pub at: jiff::Timestamp,
}

/// The free-text sections, each with its own version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextSection {
    pub text: String,
    pub version: i64,
}

string_enum!(
    /// The review's answer to "is this a recurrence of an earlier incident?".
    RecurrenceAnswer, "recurrence answer" {
        Unknown => "unknown", "Not answered yet",
        No => "no", "No, not a recurrence",
        Yes => "yes", "Yes, a recurrence",
    }
);

// `string_enum!` writes the enum, so `#[default]` cannot go on a variant.
#[allow(clippy::derivable_impls)]
impl Default for RecurrenceAnswer {
    fn default() -> Self {
        Self::Unknown
    }
}

/// Whether an incident recurs earlier ones, and which.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recurrence {
    pub answer: RecurrenceAnswer,
    /// Keys of the earlier incidents it recurs (`INC-2026-0003`).
    #[serde(default)]
    pub of: Vec<String>,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub version: i64,
}

/// The review of one incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub incident_id: Uuid,
    pub status: ReviewStatus,
    pub summary: TextSection,
    pub narrative: TextSection,
    pub template: QuestionTemplate,
    #[serde(default)]
    pub answers: Vec<Answer>,
    #[serde(default)]
    pub causes: Vec<Cause>,
    #[serde(default)]
    pub assessments: Vec<Assessment>,
    #[serde(default)]
    pub gaps: Vec<Gap>,
    #[serde(default)]
    pub observations: Vec<Observation>,
    #[serde(default)]
    pub lessons: Vec<Lesson>,
    #[serde(default)]
    pub recommendations: Vec<Recommendation>,
    /// PRODUCT.md §5.
    #[serde(default)]
    pub impact: Impact,
    #[serde(default)]
    pub history: Vec<Transition>,
    #[serde(default)]
    pub sign_off: Option<SignOff>,
    #[serde(default)]
    pub dissent: Vec<Dissent>,
    /// Blameless-language findings kept on purpose, each with its reason
    /// (PRODUCT.md §7); see [`blameless`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acknowledgements: Vec<blameless::Acknowledgement>,
    /// Whether this incident recurs an earlier one (NIST SP 800-61's
    /// question; the recurrence-rate KPI counts it).
    #[serde(default)]
    pub recurrence: Recurrence,
    pub opened_by: String,
    pub opened_at: jiff::Timestamp,
    /// Bumped by every change; the store writes only over the version it read.
    pub version: i64,
}

/// The phases an approval needs an assessment for.
pub const REQUIRED_ASSESSMENTS: [AssessedPhase; 4] = [
    AssessedPhase::Detection,
    AssessedPhase::Containment,
    AssessedPhase::Eradication,
    AssessedPhase::Recovery,
];

/// Raw input for a cause.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CauseDraft {
    pub kind: String,
    pub category: String,
    pub statement: String,
    #[serde(default)]
    pub whys: Vec<WhyStep>,
    #[serde(default)]
    pub event_ids: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessmentDraft {
    pub rating: String,
    #[serde(default)]
    pub went_well: String,
    #[serde(default)]
    pub to_improve: String,
    #[serde(default)]
    pub event_ids: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GapDraft {
    pub area: String,
    pub severity: String,
    pub description: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObservationDraft {
    pub kind: String,
    pub text: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonDraft {
    pub statement: String,
    #[serde(default)]
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecommendationDraft {
    pub text: String,
}

/// An item of a list section, in its draft form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "section", rename_all = "snake_case")]
pub enum ItemDraft {
    Cause(CauseDraft),
    Gap(GapDraft),
    Observation(ObservationDraft),
    Lesson(LessonDraft),
    Recommendation(RecommendationDraft),
    /// A cost (PRODUCT.md §5).
    Financial(FinancialDraft),
}

string_enum!(
    /// The list sections of a review.
    ListSection, "section" {
        Causes => "causes", "Causes",
        Gaps => "gaps", "Gaps",
        Observations => "observations", "Successes and lucky breaks",
        Lessons => "lessons", "Lessons learned",
        Recommendations => "recommendations", "Recommendations",
        Financial => "financial", "Financial impact",
    }
);

string_enum!(
    /// The free-text sections.
    TextSectionName, "text section" {
        Summary => "summary", "Summary",
        Narrative => "narrative", "Narrative",
    }
);

impl ItemDraft {
    pub fn section(&self) -> ListSection {
        match self {
            Self::Cause(_) => ListSection::Causes,
            Self::Gap(_) => ListSection::Gaps,
            Self::Observation(_) => ListSection::Observations,
            Self::Lesson(_) => ListSection::Lessons,
            Self::Recommendation(_) => ListSection::Recommendations,
            Self::Financial(_) => ListSection::Financial,
        }
    }
}

/// A change to a review. Changes that touch an existing item or section
/// name the version they were made against (0 for a section or answer that
/// was never written).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case", deny_unknown_fields)]
pub enum ReviewChange {
    SetText {
        section: TextSectionName,
        text: String,
        version: i64,
    },
    SetAnswer {
        question_id: String,
        text: String,
        version: i64,
    },
    AddItem {
        item: ItemDraft,
    },
    UpdateItem {
        id: Uuid,
        draft: ItemDraft,
        version: i64,
    },
    RemoveItem {
        section: ListSection,
        id: Uuid,
        version: i64,
    },
    SetAssessment {
        phase: AssessedPhase,
        draft: AssessmentDraft,
        version: i64,
    },
    Transition {
        to: ReviewStatus,
        note: Option<String>,
    },
    AddDissent {
        text: String,
    },
    /// Keeps a blameless-language finding on purpose (a quotation, a term of
    /// art), with the reason; approval then no longer waits for it.
    AcknowledgeFinding {
        location: String,
        rule: String,
        excerpt: String,
        reason: String,
    },
    /// Records whether the incident recurs earlier ones (`of`: their keys).
    SetRecurrence {
        answer: RecurrenceAnswer,
        #[serde(default)]
        of: Vec<String>,
        #[serde(default)]
        note: String,
        version: i64,
    },
    /// Operational, data and reputational impact, overall rating, estimates.
    SetImpactDetails {
        draft: ImpactDetailsDraft,
        version: i64,
    },
}

/// Why a change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    #[error("{0}")]
    Invalid(FieldErrors),
    #[error("{what} was changed by someone else (you had version {expected}, it is now {actual})")]
    Conflict {
        what: String,
        expected: i64,
        actual: i64,
    },
    #[error("{0} was not found in this review")]
    NotFound(String),
    /// The workflow does not allow this now.
    #[error("{0}")]
    NotAllowed(String),
}

impl From<FieldErrors> for ReviewError {
    fn from(e: FieldErrors) -> Self {
        Self::Invalid(e)
    }
}

pub const TEXT_MAX: usize = 50_000;
pub const ITEM_TEXT_MAX: usize = 5_000;

fn required(errors: &mut FieldErrors, field: &str, value: &str, max: usize, what: &str) -> String {
    let v = value.trim().to_owned();
    if v.is_empty() {
        errors.push(field, format!("write the {what}"));
    } else if v.chars().count() > max {
        errors.push(field, format!("at most {max} characters"));
    }
    v
}

fn optional(errors: &mut FieldErrors, field: &str, value: &str, max: usize) -> String {
    let v = value.trim().to_owned();
    if v.chars().count() > max {
        errors.push(field, format!("at most {max} characters"));
    }
    v
}

fn parse_enum<T: FromStr<Err = String>>(
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
) -> Option<T> {
    if value.trim().is_empty() {
        let what = field.replace('_', " ");
        let article = if what.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        errors.push(field, format!("choose {article} {what}"));
        return None;
    }
    value.parse::<T>().map_err(|m| errors.push(field, m)).ok()
}

fn parse_ids(errors: &mut FieldErrors, field: &str, ids: &[String]) -> Vec<Uuid> {
    let mut out = Vec::new();
    for id in ids.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        match Uuid::parse_str(id) {
            Ok(u) if !out.contains(&u) => out.push(u),
            Ok(_) => {}
            Err(_) => errors.push(field, format!("`{id}` is not an event id")),
        }
    }
    out
}

fn clean_tags(tags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in tags.iter().flat_map(|t| t.split(',')) {
        let t = t.trim().to_lowercase();
        if !t.is_empty() && !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// The validated content of a list item (id and version come from the review).
enum ItemValue {
    Cause {
        kind: CauseKind,
        category: CauseCategory,
        statement: String,
        whys: Vec<WhyStep>,
        event_ids: Vec<Uuid>,
    },
    Gap {
        area: GapArea,
        severity: GapSeverity,
        description: String,
    },
    Observation {
        kind: ObservationKind,
        text: String,
    },
    Lesson {
        statement: String,
        tags: Vec<String>,
    },
    Recommendation {
        text: String,
    },
    Financial(crate::impact::FinancialValue),
}

impl ItemDraft {
    fn validate(&self) -> Result<ItemValue, FieldErrors> {
        let mut e = FieldErrors::default();
        let value = match self {
            Self::Cause(d) => {
                let kind = parse_enum::<CauseKind>(&mut e, "kind", &d.kind);
                let category = parse_enum::<CauseCategory>(&mut e, "category", &d.category);
                let statement = required(&mut e, "statement", &d.statement, ITEM_TEXT_MAX, "cause");
                let mut whys = Vec::new();
                for (i, w) in d.whys.iter().enumerate() {
                    let why = w.why.trim().to_owned();
                    let because = w.because.trim().to_owned();
                    if why.is_empty() && because.is_empty() {
                        continue;
                    }
                    if why.is_empty() || because.is_empty() {
                        e.push(
                            format!("whys[{i}]"),
                            "each step needs both a why and a because",
                        );
                    }
                    whys.push(WhyStep { why, because });
                }
                if whys.len() > 10 {
                    e.push("whys", "at most 10 steps; five are usually enough");
                }
                let event_ids = parse_ids(&mut e, "event_ids", &d.event_ids);
                match (kind, category) {
                    (Some(kind), Some(category)) => ItemValue::Cause {
                        kind,
                        category,
                        statement,
                        whys,
                        event_ids,
                    },
                    _ => return Err(e),
                }
            }
            Self::Gap(d) => {
                let area = parse_enum::<GapArea>(&mut e, "area", &d.area);
                let severity = parse_enum::<GapSeverity>(&mut e, "severity", &d.severity);
                let description =
                    required(&mut e, "description", &d.description, ITEM_TEXT_MAX, "gap");
                match (area, severity) {
                    (Some(area), Some(severity)) => ItemValue::Gap {
                        area,
                        severity,
                        description,
                    },
                    _ => return Err(e),
                }
            }
            Self::Observation(d) => {
                let kind = parse_enum::<ObservationKind>(&mut e, "kind", &d.kind);
                let text = required(&mut e, "text", &d.text, ITEM_TEXT_MAX, "observation");
                match kind {
                    Some(kind) => ItemValue::Observation { kind, text },
                    None => return Err(e),
                }
            }
            Self::Lesson(d) => ItemValue::Lesson {
                statement: required(&mut e, "statement", &d.statement, ITEM_TEXT_MAX, "lesson"),
                tags: clean_tags(&d.tags),
            },
            Self::Recommendation(d) => ItemValue::Recommendation {
                text: required(&mut e, "text", &d.text, ITEM_TEXT_MAX, "recommendation"),
            },
            Self::Financial(d) => ItemValue::Financial(d.validate()?),
        };
        e.into_result(value)
    }
}

fn check_version(what: impl Into<String>, expected: i64, actual: i64) -> Result<(), ReviewError> {
    if expected == actual {
        Ok(())
    } else {
        Err(ReviewError::Conflict {
            what: what.into(),
            expected,
            actual,
        })
    }
}

/// Finds an item by id in one list, checking its version.
fn find_mut<'a, T>(
    items: &'a mut [T],
    id: Uuid,
    version: i64,
    what: &str,
    key: impl Fn(&T) -> (Uuid, i64),
) -> Result<&'a mut T, ReviewError> {
    let item = items
        .iter_mut()
        .find(|i| key(i).0 == id)
        .ok_or_else(|| ReviewError::NotFound(format!("{what} {id}")))?;
    check_version(format!("{what} {id}"), version, key(item).1)?;
    Ok(item)
}

fn remove<T>(
    items: &mut Vec<T>,
    id: Uuid,
    version: i64,
    what: &str,
    key: impl Fn(&T) -> (Uuid, i64),
) -> Result<(), ReviewError> {
    find_mut(items, id, version, what, &key)?;
    items.retain(|i| key(i).0 != id);
    Ok(())
}

impl Review {
    /// A new draft review answering `template`.
    pub fn open(
        incident_id: Uuid,
        template: QuestionTemplate,
        by: &str,
        at: jiff::Timestamp,
    ) -> Self {
        Self {
            incident_id,
            status: ReviewStatus::Draft,
            summary: TextSection::default(),
            narrative: TextSection::default(),
            template,
            answers: Vec::new(),
            causes: Vec::new(),
            assessments: Vec::new(),
            gaps: Vec::new(),
            observations: Vec::new(),
            lessons: Vec::new(),
            recommendations: Vec::new(),
            impact: Impact::default(),
            history: Vec::new(),
            sign_off: None,
            dissent: Vec::new(),
            acknowledgements: Vec::new(),
            recurrence: Recurrence::default(),
            opened_by: by.to_owned(),
            opened_at: at,
            version: 1,
        }
    }

    /// What an approval still lacks; empty when it may be approved.
    pub fn missing_for_approval(&self) -> Vec<String> {
        let mut missing = Vec::new();
        if self.summary.text.trim().is_empty() {
            missing.push("a summary".to_owned());
        }
        if !self.causes.iter().any(|c| c.kind == CauseKind::RootCause) {
            missing.push("at least one root cause".to_owned());
        }
        for phase in REQUIRED_ASSESSMENTS {
            if !self.assessments.iter().any(|a| a.phase == phase) {
                missing.push(format!("an assessment of {}", phase.label().to_lowercase()));
            }
        }
        if self.lessons.is_empty() {
            missing.push("at least one lesson".to_owned());
        }
        missing
    }

    pub fn assessment(&self, phase: AssessedPhase) -> Option<&Assessment> {
        self.assessments.iter().find(|a| a.phase == phase)
    }

    pub fn answer(&self, question_id: &str) -> Option<&Answer> {
        self.answers.iter().find(|a| a.question_id == question_id)
    }

    /// Applies one change made by `by` at `at`, or refuses it and changes
    /// nothing. Content is locked while approved: reopen to edit.
    pub fn apply(
        &mut self,
        change: ReviewChange,
        by: &str,
        at: jiff::Timestamp,
    ) -> Result<(), ReviewError> {
        let editing = !matches!(
            change,
            ReviewChange::Transition { .. } | ReviewChange::AddDissent { .. }
        );
        if editing && self.status == ReviewStatus::Approved {
            return Err(ReviewError::NotAllowed(
                "the review is approved; reopen it to draft before changing it".into(),
            ));
        }
        let mut next = self.clone();
        next.apply_inner(change, by, at)?;
        next.version += 1;
        *self = next;
        Ok(())
    }

    fn apply_inner(
        &mut self,
        change: ReviewChange,
        by: &str,
        at: jiff::Timestamp,
    ) -> Result<(), ReviewError> {
        match change {
            ReviewChange::SetText {
                section,
                text,
                version,
            } => {
                let mut e = FieldErrors::default();
                let text = optional(&mut e, section.as_str(), &text, TEXT_MAX);
                if !e.is_empty() {
                    return Err(e.into());
                }
                let s = match section {
                    TextSectionName::Summary => &mut self.summary,
                    TextSectionName::Narrative => &mut self.narrative,
                };
                check_version(section.label(), version, s.version)?;
                s.text = text;
                s.version += 1;
            }
            ReviewChange::SetAnswer {
                question_id,
                text,
                version,
            } => {
                if !self.template.questions.iter().any(|q| q.id == question_id) {
                    return Err(ReviewError::NotFound(format!("question `{question_id}`")));
                }
                let mut e = FieldErrors::default();
                let text = optional(&mut e, "text", &text, TEXT_MAX);
                if !e.is_empty() {
                    return Err(e.into());
                }
                match self
                    .answers
                    .iter_mut()
                    .find(|a| a.question_id == question_id)
                {
                    Some(a) => {
                        check_version(
                            format!("the answer to `{question_id}`"),
                            version,
                            a.version,
                        )?;
                        a.text = text;
                        a.version += 1;
                    }
                    None => {
                        check_version(format!("the answer to `{question_id}`"), version, 0)?;
                        self.answers.push(Answer {
                            question_id,
                            text,
                            version: 1,
                        });
                    }
                }
            }
            ReviewChange::AddItem { item: draft } => {
                let value = draft.validate()?;
                self.insert(Uuid::now_v7(), value);
            }
            ReviewChange::UpdateItem { id, draft, version } => {
                let value = draft.validate()?;
                self.update(id, version, value)?;
            }
            ReviewChange::RemoveItem {
                section,
                id,
                version,
            } => match section {
                ListSection::Causes => remove(&mut self.causes, id, version, "cause", |c| {
                    (c.id, c.version)
                })?,
                ListSection::Gaps => {
                    remove(&mut self.gaps, id, version, "gap", |c| (c.id, c.version))?
                }
                ListSection::Observations => {
                    remove(&mut self.observations, id, version, "observation", |c| {
                        (c.id, c.version)
                    })?
                }
                ListSection::Lessons => remove(&mut self.lessons, id, version, "lesson", |c| {
                    (c.id, c.version)
                })?,
                ListSection::Recommendations => remove(
                    &mut self.recommendations,
                    id,
                    version,
                    "recommendation",
                    |c| (c.id, c.version),
                )?,
                ListSection::Financial => remove(
                    &mut self.impact.financial,
                    id,
                    version,
                    "financial entry",
                    |c| (c.id, c.version),
                )?,
            },
            ReviewChange::SetRecurrence {
                answer,
                of,
                note,
                version,
            } => {
                let mut e = FieldErrors::default();
                let mut keys = Vec::new();
                for (i, k) in of.iter().enumerate() {
                    let k = k.trim();
                    if k.is_empty() {
                        continue;
                    }
                    match k.parse::<crate::IncidentKey>() {
                        Ok(key) => keys.push(key.to_string()),
                        Err(m) => e.push(format!("of[{i}]"), m.to_string()),
                    }
                }
                if answer != RecurrenceAnswer::Yes && !keys.is_empty() {
                    e.push("of", "name earlier incidents only when the answer is yes");
                }
                let note = optional(&mut e, "note", &note, TEXT_MAX);
                if !e.is_empty() {
                    return Err(e.into());
                }
                check_version("the recurrence", version, self.recurrence.version)?;
                self.recurrence = Recurrence {
                    answer,
                    of: keys,
                    note,
                    version: self.recurrence.version + 1,
                };
            }
            ReviewChange::SetImpactDetails { draft, version } => {
                let mut details = draft.validate()?;
                let current = self.impact.details.version;
                check_version("the impact details", version, current)?;
                details.version = current + 1;
                self.impact.details = details;
            }
            ReviewChange::SetAssessment {
                phase,
                draft,
                version,
            } => {
                let mut e = FieldErrors::default();
                let rating = match draft.rating.trim().parse::<u8>() {
                    Ok(r @ 1..=5) => r,
                    _ => {
                        e.push(
                            "rating",
                            format!(
                                "`{}` is not a rating: choose 1 (poor) to 5 (excellent)",
                                draft.rating.trim()
                            ),
                        );
                        0
                    }
                };
                let went_well = optional(&mut e, "went_well", &draft.went_well, ITEM_TEXT_MAX);
                let to_improve = optional(&mut e, "to_improve", &draft.to_improve, ITEM_TEXT_MAX);
                let event_ids = parse_ids(&mut e, "event_ids", &draft.event_ids);
                if !e.is_empty() {
                    return Err(e.into());
                }
                match self.assessments.iter_mut().find(|a| a.phase == phase) {
                    Some(a) => {
                        check_version(
                            format!("the {} assessment", phase.label().to_lowercase()),
                            version,
                            a.version,
                        )?;
                        *a = Assessment {
                            phase,
                            rating,
                            went_well,
                            to_improve,
                            event_ids,
                            version: a.version + 1,
                        };
                    }
                    None => {
                        check_version(
                            format!("the {} assessment", phase.label().to_lowercase()),
                            version,
                            0,
                        )?;
                        self.assessments.push(Assessment {
                            phase,
                            rating,
                            went_well,
                            to_improve,
                            event_ids,
                            version: 1,
                        });
                        self.assessments.sort_by_key(|a| a.phase);
                    }
                }
            }
            ReviewChange::Transition { to, note } => self.transition(to, note, by, at)?,
            ReviewChange::AddDissent { text } => {
                let mut e = FieldErrors::default();
                let text = required(&mut e, "text", &text, ITEM_TEXT_MAX, "dissent");
                if !e.is_empty() {
                    return Err(e.into());
                }
                self.dissent.push(Dissent {
                    id: Uuid::now_v7(),
                    by: by.to_owned(),
                    text,
                    at,
                });
            }
            ReviewChange::AcknowledgeFinding {
                location,
                rule,
                excerpt,
                reason,
            } => {
                let mut e = FieldErrors::default();
                let reason = required(&mut e, "reason", &reason, ITEM_TEXT_MAX, "reason");
                for (field, value) in [
                    ("location", &location),
                    ("rule", &rule),
                    ("excerpt", &excerpt),
                ] {
                    if value.trim().is_empty() || value.chars().count() > 500 {
                        e.push(
                            field,
                            format!("name the finding's {field} (at most 500 characters)"),
                        );
                    }
                }
                if !e.is_empty() {
                    return Err(e.into());
                }
                self.acknowledgements.retain(|a| {
                    !(a.location == location && a.rule == rule && a.excerpt == excerpt)
                });
                self.acknowledgements.push(blameless::Acknowledgement {
                    location,
                    rule,
                    excerpt,
                    reason,
                    by: by.to_owned(),
                    at,
                });
            }
        }
        Ok(())
    }

    fn transition(
        &mut self,
        to: ReviewStatus,
        note: Option<String>,
        by: &str,
        at: jiff::Timestamp,
    ) -> Result<(), ReviewError> {
        use ReviewStatus::*;
        let from = self.status;
        let allowed = matches!(
            (from, to),
            (Draft, InReview) | (InReview, Draft) | (InReview, Approved) | (Approved, Draft)
        );
        if !allowed {
            return Err(ReviewError::NotAllowed(match (from, to) {
                (Draft, Approved) => {
                    "a draft cannot be approved directly; submit it for review first".into()
                }
                (a, b) if a == b => format!("the review is already {}", a.label().to_lowercase()),
                (a, b) => format!(
                    "a review cannot go from {} to {}",
                    a.label().to_lowercase(),
                    b.label().to_lowercase()
                ),
            }));
        }
        if to == Approved {
            let missing = self.missing_for_approval();
            if !missing.is_empty() {
                return Err(ReviewError::NotAllowed(format!(
                    "cannot approve yet: the review needs {}",
                    missing.join(", ")
                )));
            }
            self.sign_off = Some(SignOff {
                by: by.to_owned(),
                at,
            });
        }
        if from == Approved {
            // Reopening withdraws the sign-off; the history keeps it.
            self.sign_off = None;
        }
        let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
        self.history.push(Transition {
            from,
            to,
            by: by.to_owned(),
            at,
            note,
        });
        self.status = to;
        Ok(())
    }

    fn insert(&mut self, id: Uuid, value: ItemValue) {
        match value {
            ItemValue::Cause {
                kind,
                category,
                statement,
                whys,
                event_ids,
            } => self.causes.push(Cause {
                id,
                kind,
                category,
                statement,
                whys,
                event_ids,
                version: 1,
            }),
            ItemValue::Gap {
                area,
                severity,
                description,
            } => self.gaps.push(Gap {
                id,
                area,
                severity,
                description,
                version: 1,
            }),
            ItemValue::Observation { kind, text } => self.observations.push(Observation {
                id,
                kind,
                text,
                version: 1,
            }),
            ItemValue::Lesson { statement, tags } => self.lessons.push(Lesson {
                id,
                statement,
                tags,
                version: 1,
            }),
            ItemValue::Recommendation { text } => self.recommendations.push(Recommendation {
                id,
                text,
                version: 1,
            }),
            ItemValue::Financial(v) => self.impact.financial.push(FinancialEntry {
                id,
                category: v.category,
                amount: v.amount,
                certainty: v.certainty,
                note: v.note,
                hours: v.hours,
                hourly_rate: v.hourly_rate,
                version: 1,
            }),
        }
    }

    fn update(&mut self, id: Uuid, version: i64, value: ItemValue) -> Result<(), ReviewError> {
        match value {
            ItemValue::Cause {
                kind,
                category,
                statement,
                whys,
                event_ids,
            } => {
                let c = find_mut(&mut self.causes, id, version, "cause", |c| {
                    (c.id, c.version)
                })?;
                *c = Cause {
                    id,
                    kind,
                    category,
                    statement,
                    whys,
                    event_ids,
                    version: c.version + 1,
                };
            }
            ItemValue::Gap {
                area,
                severity,
                description,
            } => {
                let g = find_mut(&mut self.gaps, id, version, "gap", |c| (c.id, c.version))?;
                *g = Gap {
                    id,
                    area,
                    severity,
                    description,
                    version: g.version + 1,
                };
            }
            ItemValue::Observation { kind, text } => {
                let o = find_mut(&mut self.observations, id, version, "observation", |c| {
                    (c.id, c.version)
                })?;
                *o = Observation {
                    id,
                    kind,
                    text,
                    version: o.version + 1,
                };
            }
            ItemValue::Lesson { statement, tags } => {
                let l = find_mut(&mut self.lessons, id, version, "lesson", |c| {
                    (c.id, c.version)
                })?;
                *l = Lesson {
                    id,
                    statement,
                    tags,
                    version: l.version + 1,
                };
            }
            ItemValue::Recommendation { text } => {
                let r = find_mut(
                    &mut self.recommendations,
                    id,
                    version,
                    "recommendation",
                    |c| (c.id, c.version),
                )?;
                *r = Recommendation {
                    id,
                    text,
                    version: r.version + 1,
                };
            }
            ItemValue::Financial(v) => {
                let f = find_mut(
                    &mut self.impact.financial,
                    id,
                    version,
                    "financial entry",
                    |c| (c.id, c.version),
                )?;
                *f = FinancialEntry {
                    id,
                    category: v.category,
                    amount: v.amount,
                    certainty: v.certainty,
                    note: v.note,
                    hours: v.hours,
                    hourly_rate: v.hourly_rate,
                    version: f.version + 1,
                };
            }
        }
        Ok(())
    }
}

/// Turns a single field problem into the error type of this module.
pub fn invalid(field: &str, message: impl Into<String>) -> ReviewError {
    ReviewError::Invalid(FieldErrors::from(FieldError::new(field, message)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn recurrence_is_recorded_with_the_earlier_incidents_and_versioned() {
        let mut r = Review::open(Uuid::nil(), QuestionTemplate::nist_default(), "P", at());
        r.apply(
            ReviewChange::SetRecurrence {
                answer: RecurrenceAnswer::Yes,
                of: vec!["INC-2025-0007".into(), " ".into()],
                note: "same VPN account".into(),
                version: 0,
            },
            "P",
            at(),
        )
        .unwrap();
        assert_eq!(r.recurrence.answer, RecurrenceAnswer::Yes);
        assert_eq!(r.recurrence.of, vec!["INC-2025-0007".to_owned()]);
        assert_eq!(r.recurrence.version, 1);
        let stale = r.apply(
            ReviewChange::SetRecurrence {
                answer: RecurrenceAnswer::No,
                of: vec![],
                note: String::new(),
                version: 0,
            },
            "P",
            at(),
        );
        assert!(matches!(stale, Err(ReviewError::Conflict { .. })));
        let bad = r.apply(
            ReviewChange::SetRecurrence {
                answer: RecurrenceAnswer::No,
                of: vec!["nope".into()],
                note: String::new(),
                version: 1,
            },
            "P",
            at(),
        );
        assert!(matches!(bad, Err(ReviewError::Invalid(_))));
    }

    use super::*;

    fn at() -> jiff::Timestamp {
        "2026-11-26T10:00:00Z".parse().unwrap()
    }

    fn review() -> Review {
        Review::open(Uuid::nil(), QuestionTemplate::nist_default(), "Priya", at())
    }

    fn cause(kind: &str) -> ItemDraft {
        ItemDraft::Cause(CauseDraft {
            kind: kind.into(),
            category: "technology".into(),
            statement: "Backups shared credentials with production".into(),
            whys: vec![WhyStep {
                why: "Why could the attacker reach the backups?".into(),
                because: "Same service account".into(),
            }],
            event_ids: vec![],
        })
    }

    fn complete(r: &mut Review) {
        r.apply(
            ReviewChange::SetText {
                section: TextSectionName::Summary,
                text: "What happened".into(),
                version: 0,
            },
            "P",
            at(),
        )
        .unwrap();
        r.apply(
            ReviewChange::AddItem {
                item: cause("root_cause"),
            },
            "P",
            at(),
        )
        .unwrap();
        for phase in REQUIRED_ASSESSMENTS {
            let d = AssessmentDraft {
                rating: "3".into(),
                ..Default::default()
            };
            r.apply(
                ReviewChange::SetAssessment {
                    phase,
                    draft: d,
                    version: 0,
                },
                "P",
                at(),
            )
            .unwrap();
        }
        r.apply(
            ReviewChange::AddItem {
                item: ItemDraft::Lesson(LessonDraft {
                    statement: "Separate backup credentials".into(),
                    tags: vec!["Backups".into()],
                }),
            },
            "P",
            at(),
        )
        .unwrap();
    }

    #[test]
    fn an_edited_template_keeps_the_ids_of_unchanged_questions() {
        let nist = QuestionTemplate::nist_default();
        let mut texts: Vec<String> = nist.questions.iter().map(|q| q.text.clone()).collect();
        texts.remove(5);
        texts.push("Which customers must hear from us, and when?".into());
        let edited = QuestionTemplate::from_texts(&nist.id, "Ours", &texts, Some(&nist)).unwrap();
        assert_eq!(edited.questions[0].id, "what_happened");
        assert_eq!(edited.questions.len(), 11);
        assert_eq!(edited.questions[10].id, "q11");
        let bad = QuestionTemplate::from_texts("Bad Id", " ", &[], None).unwrap_err();
        let fields: Vec<&str> = bad.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["id", "name", "questions"]);
    }

    #[test]
    fn the_default_template_has_nist_nine_questions_plus_two() {
        let t = QuestionTemplate::nist_default();
        assert_eq!(t.questions.len(), 11);
        assert_eq!(
            t.questions[0].text,
            "Exactly what happened, and at what times?"
        );
    }

    #[test]
    fn a_review_moves_through_its_workflow_and_keeps_history() {
        let mut r = review();
        let err = r
            .apply(
                ReviewChange::Transition {
                    to: ReviewStatus::Approved,
                    note: None,
                },
                "P",
                at(),
            )
            .unwrap_err();
        assert!(err.to_string().contains("submit it for review first"));
        r.apply(
            ReviewChange::Transition {
                to: ReviewStatus::InReview,
                note: None,
            },
            "P",
            at(),
        )
        .unwrap();
        let err = r
            .apply(
                ReviewChange::Transition {
                    to: ReviewStatus::Approved,
                    note: None,
                },
                "Boss",
                at(),
            )
            .unwrap_err();
        assert!(
            err.to_string().contains("a summary")
                && err.to_string().contains("at least one lesson"),
            "{err}"
        );
        complete(&mut r);
        r.apply(
            ReviewChange::Transition {
                to: ReviewStatus::Approved,
                note: Some("Good work".into()),
            },
            "Boss",
            at(),
        )
        .unwrap();
        assert_eq!(r.sign_off.as_ref().unwrap().by, "Boss");
        let locked = r
            .apply(
                ReviewChange::AddItem {
                    item: cause("trigger"),
                },
                "P",
                at(),
            )
            .unwrap_err();
        assert!(matches!(locked, ReviewError::NotAllowed(_)));
        r.apply(
            ReviewChange::AddDissent {
                text: "The root cause is the missing MFA".into(),
            },
            "Sam",
            at(),
        )
        .unwrap();
        r.apply(
            ReviewChange::Transition {
                to: ReviewStatus::Draft,
                note: Some("new evidence".into()),
            },
            "P",
            at(),
        )
        .unwrap();
        assert_eq!(r.sign_off, None);
        let moves: Vec<(ReviewStatus, ReviewStatus)> =
            r.history.iter().map(|t| (t.from, t.to)).collect();
        assert_eq!(
            moves,
            [
                (ReviewStatus::Draft, ReviewStatus::InReview),
                (ReviewStatus::InReview, ReviewStatus::Approved),
                (ReviewStatus::Approved, ReviewStatus::Draft)
            ]
        );
        assert_eq!(r.dissent.len(), 1);
    }

    #[test]
    fn two_edits_of_the_same_item_conflict_but_different_items_do_not() {
        let mut r = review();
        r.apply(
            ReviewChange::AddItem {
                item: cause("root_cause"),
            },
            "A",
            at(),
        )
        .unwrap();
        r.apply(
            ReviewChange::AddItem {
                item: cause("trigger"),
            },
            "B",
            at(),
        )
        .unwrap();
        let (first, second) = (r.causes[0].id, r.causes[1].id);
        r.apply(
            ReviewChange::UpdateItem {
                id: first,
                draft: cause("contributing_factor"),
                version: 1,
            },
            "A",
            at(),
        )
        .unwrap();
        r.apply(
            ReviewChange::UpdateItem {
                id: second,
                draft: cause("root_cause"),
                version: 1,
            },
            "B",
            at(),
        )
        .unwrap();
        let stale = r
            .apply(
                ReviewChange::UpdateItem {
                    id: first,
                    draft: cause("trigger"),
                    version: 1,
                },
                "B",
                at(),
            )
            .unwrap_err();
        assert_eq!(
            stale,
            ReviewError::Conflict {
                what: format!("cause {first}"),
                expected: 1,
                actual: 2
            }
        );
        assert_eq!(r.causes[0].kind, CauseKind::ContributingFactor);
        r.apply(
            ReviewChange::RemoveItem {
                section: ListSection::Causes,
                id: first,
                version: 2,
            },
            "A",
            at(),
        )
        .unwrap();
        assert_eq!(r.causes.len(), 1);
    }

    #[test]
    fn bad_items_name_every_field_and_change_nothing() {
        let mut r = review();
        let before = r.clone();
        let bad = ItemDraft::Cause(CauseDraft {
            kind: "blame".into(),
            category: "".into(),
            statement: " ".into(),
            whys: vec![WhyStep {
                why: "Why?".into(),
                because: "".into(),
            }],
            event_ids: vec!["nope".into()],
        });
        let ReviewError::Invalid(e) = r
            .apply(ReviewChange::AddItem { item: bad }, "P", at())
            .unwrap_err()
        else {
            panic!()
        };
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["kind", "category", "statement", "whys[0]", "event_ids"]
        );
        let rating = r.apply(
            ReviewChange::SetAssessment {
                phase: AssessedPhase::Detection,
                draft: AssessmentDraft {
                    rating: "7".into(),
                    ..Default::default()
                },
                version: 0,
            },
            "P",
            at(),
        );
        assert!(matches!(rating, Err(ReviewError::Invalid(_))));
        assert_eq!(r, before);
    }

    #[test]
    fn answers_belong_to_the_template_the_review_was_opened_with() {
        let mut r = review();
        r.apply(
            ReviewChange::SetAnswer {
                question_id: "precursors".into(),
                text: "Failed logins from TOR".into(),
                version: 0,
            },
            "P",
            at(),
        )
        .unwrap();
        assert_eq!(r.answer("precursors").unwrap().version, 1);
        assert!(matches!(
            r.apply(
                ReviewChange::SetAnswer {
                    question_id: "colour".into(),
                    text: "x".into(),
                    version: 0
                },
                "P",
                at()
            ),
            Err(ReviewError::NotFound(_))
        ));
    }
}

#[cfg(test)]
mod workflow_properties {
    use super::*;
    use proptest::prelude::*;

    fn at() -> jiff::Timestamp {
        "2026-11-26T10:00:00Z".parse().unwrap()
    }

    fn status(i: u8) -> ReviewStatus {
        ReviewStatus::ALL[usize::from(i) % ReviewStatus::ALL.len()]
    }

    proptest! {
        /// Whatever moves are tried, a review is approved only when nothing
        /// is missing, every accepted move is in the history, a refused move
        /// changes nothing, and an approved review has a sign-off.
        #[test]
        fn any_sequence_of_moves_keeps_the_workflow_rules(moves in proptest::collection::vec((0u8..3, any::<bool>()), 0..24)) {
            let mut r = Review::open(Uuid::nil(), QuestionTemplate::nist_default(), "P", at());
            let mut accepted = 0;
            for (to, fill) in moves {
                if fill && r.status != ReviewStatus::Approved && r.missing_for_approval().len() == 7 {
                    // Sometimes complete the review between moves.
                    r.apply(ReviewChange::SetText { section: TextSectionName::Summary, text: "S".into(), version: r.summary.version }, "P", at()).unwrap();
                    r.apply(ReviewChange::AddItem { item: ItemDraft::Cause(CauseDraft { kind: "root_cause".into(), category: "process".into(), statement: "C".into(), ..Default::default() }) }, "P", at()).unwrap();
                    for phase in REQUIRED_ASSESSMENTS {
                        r.apply(ReviewChange::SetAssessment { phase, draft: AssessmentDraft { rating: "3".into(), ..Default::default() }, version: 0 }, "P", at()).unwrap();
                    }
                    r.apply(ReviewChange::AddItem { item: ItemDraft::Lesson(LessonDraft { statement: "L".into(), tags: vec![] }) }, "P", at()).unwrap();
                }
                let before = r.clone();
                match r.apply(ReviewChange::Transition { to: status(to), note: None }, "P", at()) {
                    Ok(()) => {
                        accepted += 1;
                        prop_assert_eq!(r.status, status(to));
                        if r.status == ReviewStatus::Approved {
                            prop_assert!(before.missing_for_approval().is_empty());
                            prop_assert!(before.status == ReviewStatus::InReview);
                        }
                    }
                    Err(_) => prop_assert_eq!(&r, &before),
                }
                prop_assert_eq!(r.history.len(), accepted);
                prop_assert_eq!(r.sign_off.is_some(), r.status == ReviewStatus::Approved);
            }
        }
    }
}
