//! The report's content prepared once for every printer: facts, instants in
//! the reader's zone, durations by name, causes by category, phases beside
//! their durations. Strings here are plain text; each printer escapes them
//! for its own format.

use debrief_core::review::{AssessedPhase, CauseCategory, CauseKind, ObservationKind, Review};
use debrief_core::{DurationName, LifecycleField, Status, TimelineEvent};
use uuid::Uuid;

use crate::format::{self, TimeText};
use crate::{ReportImpact, ReportInput};

/// How many recommendations the executive summary lists.
pub(crate) const EXECUTIVE_RECOMMENDATIONS: usize = 5;
/// How much of the summary fits the executive page.
pub(crate) const EXECUTIVE_SUMMARY_CHARS: usize = 600;
/// How much of each recommendation fits the executive page.
pub(crate) const EXECUTIVE_RECOMMENDATION_CHARS: usize = 140;

pub(crate) struct Fact {
    pub label: &'static str,
    pub value: String,
}

pub(crate) struct LifecycleRow {
    pub label: String,
    pub meaning: &'static str,
    pub time: Option<TimeText>,
}

pub(crate) struct DurationRow {
    /// `time_to_detect`, the name every chart and report uses.
    pub name: &'static str,
    pub label: &'static str,
    pub definition: &'static str,
    /// `~2 d (day precision)` or `unknown`.
    pub value: String,
}

pub(crate) struct EventRow {
    pub time: TimeText,
    pub kind: &'static str,
    pub source: String,
    pub actor: String,
    pub text: String,
    pub key: bool,
    pub evidence_url: String,
}

pub(crate) struct WhyView {
    pub why: String,
    pub because: String,
}

pub(crate) struct CauseView {
    pub kind: &'static str,
    pub root: bool,
    pub statement: String,
    pub whys: Vec<WhyView>,
    /// The events it rests on: `3 Sep 2026 06:40 CEST — EDR alert …`.
    pub evidence: Vec<String>,
}

pub(crate) struct CategoryView {
    pub label: &'static str,
    pub causes: Vec<CauseView>,
}

pub(crate) struct PhaseView {
    pub label: &'static str,
    pub rating: Option<u8>,
    /// `2 of 5` or `not assessed`.
    pub rating_text: String,
    pub duration: Option<DurationRow>,
    pub went_well: String,
    pub to_improve: String,
    pub evidence: Vec<String>,
}

impl PhaseView {
    /// `●●○○○` for a rating of 2: a picture beside the words, never alone.
    pub fn dots(&self) -> String {
        let r = usize::from(self.rating.unwrap_or(0).min(5));
        format!("{}{}", "●".repeat(r), "○".repeat(5 - r))
    }
}

pub(crate) struct GapView {
    pub area: &'static str,
    pub severity: &'static str,
    pub description: String,
}

pub(crate) struct LessonView {
    pub statement: String,
    pub tags: String,
}

pub(crate) struct AnswerView {
    pub number: usize,
    pub question: String,
    pub answer: Option<String>,
}

pub(crate) struct TransitionView {
    pub from: &'static str,
    pub to: &'static str,
    pub by: String,
    pub at: TimeText,
    pub note: String,
}

pub(crate) struct DissentView {
    pub by: String,
    pub at: TimeText,
    pub text: String,
}

pub(crate) struct ReviewView {
    pub status: &'static str,
    pub opened_by: String,
    pub opened_at: TimeText,
    pub summary: String,
    pub narrative: String,
    /// All seven categories, in the fishbone's order.
    pub categories: Vec<CategoryView>,
    pub cause_count: usize,
    pub phases: Vec<PhaseView>,
    pub gaps: Vec<GapView>,
    pub went_well: Vec<String>,
    pub lucky: Vec<String>,
    pub lessons: Vec<LessonView>,
    pub recommendations: Vec<String>,
    pub template_name: String,
    pub answers: Vec<AnswerView>,
    pub approved_by: Option<String>,
    pub approved_at: Option<TimeText>,
    pub history: Vec<TransitionView>,
    pub dissent: Vec<DissentView>,
}

impl ReviewView {
    pub fn categories_with_causes(&self) -> impl Iterator<Item = &CategoryView> {
        self.categories.iter().filter(|c| !c.causes.is_empty())
    }

    /// "Policy, Training, Communication" or empty.
    pub fn empty_categories(&self) -> String {
        self.categories
            .iter()
            .filter(|c| c.causes.is_empty())
            .map(|c| c.label)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The fishbone as words, for the Markdown and for screen readers:
    /// "5 causes in 4 of 7 categories: People 1, Process 2 …".
    pub fn fishbone_text(&self) -> String {
        let used: Vec<String> = self
            .categories_with_causes()
            .map(|c| format!("{} {}", c.label, c.causes.len()))
            .collect();
        let roots = self
            .categories
            .iter()
            .flat_map(|c| &c.causes)
            .filter(|c| c.root)
            .count();
        format!(
            "{} in {} of {} categories ({}); {}",
            plural(self.cause_count, "cause", "causes"),
            used.len(),
            self.categories.len(),
            if used.is_empty() {
                "none".to_owned()
            } else {
                used.join(", ")
            },
            plural(roots, "root cause", "root causes"),
        )
    }

    /// The first recommendations, each shortened to keep the executive
    /// summary on one page.
    pub fn top_recommendations(&self) -> Vec<String> {
        self.recommendations
            .iter()
            .take(EXECUTIVE_RECOMMENDATIONS)
            .map(|r| format::truncate(r, EXECUTIVE_RECOMMENDATION_CHARS))
            .collect()
    }

    pub fn more_recommendations(&self) -> usize {
        self.recommendations
            .len()
            .saturating_sub(EXECUTIVE_RECOMMENDATIONS)
    }
}

pub(crate) struct ReportView {
    /// `INC-2026-0042`.
    pub key: String,
    pub title: String,
    pub severity: &'static str,
    pub severity_word: String,
    pub status: &'static str,
    pub category: String,
    pub facts: Vec<Fact>,
    pub zone_name: String,
    pub generated: TimeText,
    pub incident_summary: String,
    pub lifecycle: Vec<LifecycleRow>,
    pub durations: Vec<DurationRow>,
    pub key_events: Vec<EventRow>,
    pub events: Vec<EventRow>,
    pub review: Option<ReviewView>,
    pub impact: ReportImpact,
}

impl ReportView {
    /// The review's summary, or the incident's when the review has none.
    pub fn summary(&self) -> &str {
        match &self.review {
            Some(r) if !r.summary.trim().is_empty() => &r.summary,
            _ => &self.incident_summary,
        }
    }

    /// The executive summary's "what happened": shortened to fit the page.
    pub fn short_summary(&self) -> (String, bool) {
        format::shorten_at_word(self.summary(), EXECUTIVE_SUMMARY_CHARS)
    }

    /// The four durations that stand beside the lifecycle phases, which the
    /// executive summary shows.
    pub fn key_durations(&self) -> impl Iterator<Item = &DurationRow> {
        let key = AssessedPhase::ALL
            .iter()
            .filter_map(|&p| phase_duration(p))
            .map(DurationName::as_str)
            .collect::<Vec<_>>();
        self.durations.iter().filter(move |d| key.contains(&d.name))
    }

    /// "Approved by Dana Whitfield on 18 Sep 2026 16:00 CEST", "In review",
    /// or "No review opened yet".
    pub fn review_status_line(&self) -> String {
        review_status_line(self.review.as_ref())
    }

    pub fn dissent_line(&self) -> Option<String> {
        let n = self.review.as_ref().map_or(0, |r| r.dissent.len());
        (n > 0).then(|| {
            format!(
                "{} recorded beside the sign-off",
                plural(n, "dissent", "dissents")
            )
        })
    }

    pub fn has_impact(&self) -> bool {
        !self.impact.is_empty()
    }
}

pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn status_label(s: Status) -> &'static str {
    match s {
        Status::Open => "Open",
        Status::Contained => "Contained",
        Status::Eradicated => "Eradicated",
        Status::Recovered => "Recovered",
        Status::Closed => "Closed",
    }
}

/// The duration that stands next to a lifecycle phase (§4.3).
fn phase_duration(phase: AssessedPhase) -> Option<DurationName> {
    match phase {
        AssessedPhase::Detection => Some(DurationName::TimeToDetect),
        AssessedPhase::Containment => Some(DurationName::TimeToContain),
        AssessedPhase::Eradication => Some(DurationName::TimeToEradicate),
        AssessedPhase::Recovery => Some(DurationName::TimeToRecover),
        _ => None,
    }
}

fn duration_row(input: &ReportInput, name: DurationName) -> DurationRow {
    DurationRow {
        name: name.as_str(),
        label: name.label(),
        definition: name.definition(),
        value: format::duration(input.durations.get(name)),
    }
}

fn event_row(e: &TimelineEvent, input: &ReportInput) -> EventRow {
    EventRow {
        time: format::timestamp(e.event.at, &input.zone),
        kind: e.event.kind.label(),
        source: e.event.source.clone(),
        actor: e.event.actor.clone().unwrap_or_default(),
        text: e.event.text.clone(),
        key: e.event.key,
        evidence_url: e.event.evidence_url.clone().unwrap_or_default(),
    }
}

pub(crate) fn build(input: &ReportInput) -> ReportView {
    let fields = &input.incident.fields;
    let zone = &input.zone;
    let key = input.incident.key.to_string();
    let severity = fields.severity.as_str();
    let status = status_label(input.incident.status());
    let review = input.review.as_ref().map(|r| review_view(r, input));
    let joined = |v: &[String]| {
        if v.is_empty() {
            "—".to_owned()
        } else {
            v.join(", ")
        }
    };
    let fact = |label, value| Fact { label, value };
    let facts = vec![
        fact("Key", key.clone()),
        fact("Category", input.category_label.clone()),
        fact("Severity", format::capitalise(severity)),
        fact("Status", status.to_owned()),
        fact("Review", review_status_line(review.as_ref())),
        fact("Services", joined(&fields.services)),
        fact("Business units", joined(&fields.business_units)),
        fact("Responders", joined(&fields.responders)),
    ];
    ReportView {
        key,
        title: fields.title.clone(),
        severity,
        severity_word: format::capitalise(severity),
        status,
        category: input.category_label.clone(),
        facts,
        zone_name: format::zone_name(zone, input.generated_at),
        generated: format::recorded(input.generated_at, zone),
        incident_summary: fields.summary.clone(),
        lifecycle: LifecycleField::ALL
            .into_iter()
            .map(|f| LifecycleRow {
                label: format::capitalise(f.as_str()),
                meaning: f.description(),
                time: fields.lifecycle.get(f).map(|t| format::timestamp(t, zone)),
            })
            .collect(),
        durations: DurationName::ALL
            .into_iter()
            .map(|n| duration_row(input, n))
            .collect(),
        key_events: input
            .events
            .iter()
            .filter(|e| e.event.key)
            .map(|e| event_row(e, input))
            .collect(),
        events: input.events.iter().map(|e| event_row(e, input)).collect(),
        review,
        impact: input.impact.clone(),
    }
}

/// "Approved by Dana Whitfield on 18 Sep 2026 16:00 CEST", "In review",
/// or "No review opened yet".
fn review_status_line(review: Option<&ReviewView>) -> String {
    match review {
        None => "No review opened yet".to_owned(),
        Some(r) => match (&r.approved_by, &r.approved_at) {
            (Some(by), Some(at)) => format!("Approved by {by} on {}", at.text),
            _ => r.status.to_owned(),
        },
    }
}

/// Linked events as one line each: `3 Sep 2026 06:40 CEST — EDR alert …`.
fn linked_events(ids: &[Uuid], input: &ReportInput) -> Vec<String> {
    ids.iter()
        .filter_map(|id| input.events.iter().find(|e| &e.id == id))
        .map(|e| {
            format!(
                "{} — {}",
                format::timestamp(e.event.at, &input.zone).text,
                format::truncate(&e.event.text, 120)
            )
        })
        .collect()
}

fn review_view(r: &Review, input: &ReportInput) -> ReviewView {
    let zone = &input.zone;
    let categories = CauseCategory::ALL
        .iter()
        .map(|&category| CategoryView {
            label: category.label(),
            causes: r
                .causes
                .iter()
                .filter(|c| c.category == category)
                .map(|c| CauseView {
                    kind: c.kind.label(),
                    root: c.kind == CauseKind::RootCause,
                    statement: c.statement.clone(),
                    whys: c
                        .whys
                        .iter()
                        .map(|w| WhyView {
                            why: w.why.clone(),
                            because: w.because.clone(),
                        })
                        .collect(),
                    evidence: linked_events(&c.event_ids, input),
                })
                .collect(),
        })
        .collect();
    let phases = AssessedPhase::ALL
        .iter()
        .map(|&phase| {
            let a = r.assessment(phase);
            PhaseView {
                label: phase.label(),
                rating: a.map(|a| a.rating),
                rating_text: a.map_or_else(
                    || "not assessed".to_owned(),
                    |a| format!("{} of 5", a.rating),
                ),
                duration: phase_duration(phase).map(|n| duration_row(input, n)),
                went_well: a.map(|a| a.went_well.clone()).unwrap_or_default(),
                to_improve: a.map(|a| a.to_improve.clone()).unwrap_or_default(),
                evidence: a
                    .map(|a| linked_events(&a.event_ids, input))
                    .unwrap_or_default(),
            }
        })
        .collect();
    let observations = |kind: ObservationKind| {
        r.observations
            .iter()
            .filter(|o| o.kind == kind)
            .map(|o| o.text.clone())
            .collect()
    };
    ReviewView {
        status: r.status.label(),
        opened_by: r.opened_by.clone(),
        opened_at: format::recorded(r.opened_at, zone),
        summary: r.summary.text.clone(),
        narrative: r.narrative.text.clone(),
        categories,
        cause_count: r.causes.len(),
        phases,
        gaps: r
            .gaps
            .iter()
            .map(|g| GapView {
                area: g.area.label(),
                severity: g.severity.label(),
                description: g.description.clone(),
            })
            .collect(),
        went_well: observations(ObservationKind::WentWell),
        lucky: observations(ObservationKind::Lucky),
        lessons: r
            .lessons
            .iter()
            .map(|l| LessonView {
                statement: l.statement.clone(),
                tags: l.tags.join(", "),
            })
            .collect(),
        recommendations: r.recommendations.iter().map(|x| x.text.clone()).collect(),
        template_name: r.template.name.clone(),
        answers: r
            .template
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| AnswerView {
                number: i + 1,
                question: q.text.clone(),
                answer: r
                    .answer(&q.id)
                    .map(|a| a.text.clone())
                    .filter(|t| !t.trim().is_empty()),
            })
            .collect(),
        approved_by: r.sign_off.as_ref().map(|s| s.by.clone()),
        approved_at: r.sign_off.as_ref().map(|s| format::recorded(s.at, zone)),
        history: r
            .history
            .iter()
            .map(|t| TransitionView {
                from: t.from.label(),
                to: t.to.label(),
                by: t.by.clone(),
                at: format::recorded(t.at, zone),
                note: t.note.clone().unwrap_or_default(),
            })
            .collect(),
        dissent: r
            .dissent
            .iter()
            .map(|d| DissentView {
                by: d.by.clone(),
                at: format::recorded(d.at, zone),
                text: d.text.clone(),
            })
            .collect(),
    }
}
