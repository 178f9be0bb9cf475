//! The blameless-language check of a review (PRODUCT.md §7): every free
//! text of the review, the incident's actions and its timeline, each with
//! where it lives; the findings of the linter on them; and the
//! acknowledgements that let an approval go ahead with a finding kept on
//! purpose (a quotation, a term of art), each with its reason.
//!
//! An acknowledgement names the location, the rule and the excerpt, so it
//! stops applying as soon as the text it excused changes.

use serde::{Deserialize, Serialize};

use super::Review;
use crate::lint::{Finding, LintContext, RuleSet, lint};

/// One free text and where it lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextField {
    /// A stable path: `summary`, `causes/{id}/statement`, `causes/{id}/whys/2`,
    /// `actions/{id}/title`, `timeline/{id}`.
    pub location: String,
    /// What people call it: `Cause “The VPN accepted …”`.
    pub label: String,
    /// Where it is shown: the id of an element of the review page, or a path
    /// (`/actions/…`, `/incidents/…/timeline#event-…`) for text elsewhere.
    pub anchor: String,
    pub text: String,
}

impl TextField {
    pub fn new(
        location: impl Into<String>,
        label: impl Into<String>,
        anchor: impl Into<String>,
        text: impl Into<String>,
    ) -> Self {
        Self {
            location: location.into(),
            label: label.into(),
            anchor: anchor.into(),
            text: text.into(),
        }
    }
}

/// A finding kept on purpose, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledgement {
    pub location: String,
    pub rule: String,
    pub excerpt: String,
    pub reason: String,
    pub by: String,
    pub at: jiff::Timestamp,
}

impl Acknowledgement {
    pub fn covers(&self, location: &str, f: &Finding) -> bool {
        self.location == location && self.rule == f.rule && self.excerpt == f.excerpt
    }
}

/// A finding with where it is and whether it was acknowledged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocatedFinding {
    pub location: String,
    pub label: String,
    pub anchor: String,
    /// The whole text the finding is in (for showing the span in context).
    pub text: String,
    #[serde(flatten)]
    pub finding: Finding,
    pub acknowledged: Option<Acknowledgement>,
}

/// Shortens a text for a label.
fn short(text: &str) -> String {
    let one: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() <= 60 {
        one
    } else {
        format!("{}…", one.chars().take(59).collect::<String>())
    }
}

/// Every free text of the review, in the order of the review page.
pub fn review_texts(r: &Review) -> Vec<TextField> {
    let mut v = Vec::new();
    if !r.summary.text.trim().is_empty() {
        v.push(TextField::new(
            "summary",
            "Summary",
            "summary",
            &r.summary.text,
        ));
    }
    if !r.narrative.text.trim().is_empty() {
        v.push(TextField::new(
            "narrative",
            "Narrative",
            "narrative",
            &r.narrative.text,
        ));
    }
    for c in &r.causes {
        let label = format!("Cause “{}”", short(&c.statement));
        let anchor = format!("item-{}", c.id);
        v.push(TextField::new(
            format!("causes/{}/statement", c.id),
            &label,
            &anchor,
            &c.statement,
        ));
        for (i, w) in c.whys.iter().enumerate() {
            v.push(TextField::new(
                format!("causes/{}/whys/{}/why", c.id, i + 1),
                format!("{label}, why {}", i + 1),
                &anchor,
                &w.why,
            ));
            v.push(TextField::new(
                format!("causes/{}/whys/{}/because", c.id, i + 1),
                format!("{label}, because {}", i + 1),
                &anchor,
                &w.because,
            ));
        }
    }
    for a in &r.assessments {
        let label = format!("Assessment of {}", a.phase.label().to_lowercase());
        let anchor = "assessments".to_owned();
        for (field, text, what) in [
            ("went_well", &a.went_well, "what went well"),
            ("to_improve", &a.to_improve, "what to improve"),
        ] {
            if !text.trim().is_empty() {
                v.push(TextField::new(
                    format!("assessments/{}/{field}", a.phase.as_str()),
                    format!("{label}, {what}"),
                    &anchor,
                    text.as_str(),
                ));
            }
        }
    }
    for g in &r.gaps {
        v.push(TextField::new(
            format!("gaps/{}", g.id),
            format!("Gap “{}”", short(&g.description)),
            format!("item-{}", g.id),
            &g.description,
        ));
    }
    for o in &r.observations {
        v.push(TextField::new(
            format!("observations/{}", o.id),
            format!("{} “{}”", o.kind.label(), short(&o.text)),
            format!("item-{}", o.id),
            &o.text,
        ));
    }
    for l in &r.lessons {
        v.push(TextField::new(
            format!("lessons/{}", l.id),
            format!("Lesson “{}”", short(&l.statement)),
            format!("item-{}", l.id),
            &l.statement,
        ));
    }
    for x in &r.recommendations {
        v.push(TextField::new(
            format!("recommendations/{}", x.id),
            format!("Recommendation “{}”", short(&x.text)),
            format!("item-{}", x.id),
            &x.text,
        ));
    }
    for a in &r.answers {
        if !a.text.trim().is_empty() {
            v.push(TextField::new(
                format!("answers/{}", a.question_id),
                format!("Answer to “{}”", a.question_id),
                "questions",
                &a.text,
            ));
        }
    }
    for d in &r.dissent {
        v.push(TextField::new(
            format!("dissent/{}", d.id),
            format!("Dissent of {}", d.by),
            "dissent",
            &d.text,
        ));
    }
    v
}

/// The findings of `rules` in `fields`, each marked with the
/// acknowledgement that covers it, if any.
pub fn find_blame(
    fields: &[TextField],
    rules: &RuleSet,
    ctx: &LintContext,
    acknowledgements: &[Acknowledgement],
) -> Vec<LocatedFinding> {
    let mut out = Vec::new();
    for field in fields {
        for f in lint(&field.text, rules, ctx) {
            let acknowledged = acknowledgements
                .iter()
                .find(|a| a.covers(&field.location, &f))
                .cloned();
            out.push(LocatedFinding {
                location: field.location.clone(),
                label: field.label.clone(),
                anchor: field.anchor.clone(),
                text: field.text.clone(),
                finding: f,
                acknowledged,
            });
        }
    }
    out
}
