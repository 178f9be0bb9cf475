//! The Review tab of an incident (PRODUCT.md §4 and §5): the page a
//! facilitator fills in during the meeting. Plain forms, no JavaScript
//! needed: every change is a POST to `/incidents/{key}/review` with a hidden
//! `op` that becomes one [`ReviewChange`], answered with a redirect back to
//! its section (303), or with the page again: the errors beside the fields
//! of the form that failed and its input kept (422), or the workflow's or a
//! conflict's explanation (409).

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use debrief_app::{App, AppError};
use debrief_core::impact::{
    Certainty, DataClass, FinancialDraft, FinancialEntry, ImpactDetails, ImpactDetailsDraft,
    LossCategory, OverallRating, ReputationalRating,
};
use debrief_core::review::{
    AssessedPhase, AssessmentDraft, CauseCategory, CauseDraft, CauseKind, GapArea, GapDraft,
    GapSeverity, ItemDraft, LessonDraft, ListSection, ObservationDraft, ObservationKind,
    REQUIRED_ASSESSMENTS, RecommendationDraft, RecurrenceAnswer, Review, ReviewChange,
    ReviewStatus, TextSectionName, WhyStep,
};
use debrief_core::{DurationName, FieldError, FieldErrors, Precision, Timestamp, Total};
use uuid::Uuid;

use super::form::{Failed, FormView, pairs};
use super::view::{TimeView, Viewer, capitalise};
use super::{FormValues, IncidentHead, Layout, error_page, render};

pub(super) fn routes() -> Router<App> {
    Router::new()
        .route("/incidents/{key}/review", get(review_page).post(change))
        .route("/incidents/{key}/review/open", post(open))
}

/// What a 409 says when the same item was changed by someone else.
pub(super) const CONFLICT_MESSAGE: &str = "Someone else changed this item while you were editing; the page now shows their version — apply your change again if it is still right.";

/// Common currency codes offered while typing (any ISO 4217 code works).
pub(super) const COMMON_CURRENCIES: [&str; 9] = [
    "EUR", "USD", "GBP", "INR", "JPY", "CHF", "AUD", "CAD", "SGD",
];

/// The words beside the ratings 1–5.
const RATING_WORDS: [&str; 5] = ["poor", "fair", "adequate", "good", "excellent"];

/// A message at the top of the page: why nothing was saved.
struct Alert {
    heading: String,
    message: String,
}

/// `(value, label)` options of a `<select>`.
type Options = Vec<(String, String)>;

fn options<T: Copy>(
    placeholder: Option<&str>,
    all: &[T],
    value: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Options {
    placeholder
        .map(|p| (String::new(), p.to_owned()))
        .into_iter()
        .chain(
            all.iter()
                .map(|v| (value(*v).to_owned(), label(*v).to_owned())),
        )
        .collect()
}

/// The choices every form of the page offers.
struct Choices {
    cause_kinds: Options,
    cause_categories: Options,
    ratings: Options,
    gap_areas: Options,
    gap_severities: Options,
    observation_kinds: Options,
    loss_categories: Options,
    certainties: Options,
    reputational: Options,
    overall: Options,
    data_classes: Options,
    currencies: [&'static str; 9],
}

impl Choices {
    fn new() -> Self {
        Self {
            cause_kinds: options(
                Some("Choose a kind"),
                CauseKind::ALL,
                CauseKind::as_str,
                CauseKind::label,
            ),
            cause_categories: options(
                Some("Choose a category"),
                CauseCategory::ALL,
                CauseCategory::as_str,
                CauseCategory::label,
            ),
            ratings: std::iter::once((String::new(), "Not rated yet".to_owned()))
                .chain(
                    RATING_WORDS
                        .iter()
                        .enumerate()
                        .map(|(i, w)| ((i + 1).to_string(), format!("{} – {w}", i + 1))),
                )
                .collect(),
            gap_areas: options(
                Some("Choose an area"),
                GapArea::ALL,
                GapArea::as_str,
                GapArea::label,
            ),
            gap_severities: options(
                Some("Choose a severity"),
                GapSeverity::ALL,
                GapSeverity::as_str,
                GapSeverity::label,
            ),
            observation_kinds: options(
                Some("Choose a kind"),
                ObservationKind::ALL,
                ObservationKind::as_str,
                ObservationKind::label,
            ),
            loss_categories: options(
                Some("Choose a category"),
                LossCategory::ALL,
                LossCategory::as_str,
                LossCategory::label,
            ),
            certainties: options(None, Certainty::ALL, Certainty::as_str, Certainty::label),
            reputational: options(
                Some("Not rated"),
                ReputationalRating::ALL,
                ReputationalRating::as_str,
                ReputationalRating::label,
            ),
            overall: options(
                Some("Not rated"),
                OverallRating::ALL,
                OverallRating::as_str,
                OverallRating::label,
            ),
            data_classes: options(None, DataClass::ALL, DataClass::as_str, DataClass::label),
            currencies: COMMON_CURRENCIES,
        }
    }
}

#[derive(Template)]
#[template(path = "review.html", whitespace = "minimize")]
struct ReviewPage {
    layout: Layout,
    head: IncidentHead,
    tab: &'static str,
    /// Where every change form posts.
    action: String,
    /// Who changes are recorded as.
    actor: String,
    dissent_hint: String,
    named: bool,
    r: Option<ReviewView>,
    /// The failed form's title and its problems `(link target, text)`.
    problems: Option<(String, Vec<(String, String)>)>,
    alert: Option<Alert>,
    /// A "Saved." line shown in the section it concerns.
    notice_at: String,
    notice: String,
    c: Choices,
    /// Blameless-language findings over everything written about the incident.
    findings: Vec<FindingView>,
    open_findings: usize,
    /// Each lesson's document links and the form that adds one.
    plans: super::documents::LessonPlans,
    /// "Is this a recurrence?" with the related incidents to choose from.
    recurrence: Option<RecurrenceView>,
}

/// A related earlier incident offered as a recurrence.
struct RecurrenceChoice {
    key: String,
    title: String,
    reasons: String,
    checked: bool,
}

/// The recurrence answer and its form.
struct RecurrenceView {
    answer_label: &'static str,
    of: Vec<String>,
    note: String,
    answers: Vec<(String, String)>,
    related: Vec<RecurrenceChoice>,
    form: FormView,
}

impl RecurrenceView {
    async fn load(
        app: &App,
        viewer: &Viewer,
        key: &str,
        review: &Review,
        failed: Option<&Failed>,
    ) -> Result<Self, AppError> {
        let rec = &review.recurrence;
        let related = app.related(key, 10, &viewer.caller().visibility()).await?;
        let failed_here = failed.filter(|f| f.key == "set-recurrence");
        let chosen: Vec<String> = match failed_here {
            Some(f) => f
                .values
                .iter()
                .filter(|(k, _)| k == "of")
                .map(|(_, v)| v.clone())
                .collect(),
            None => rec.of.clone(),
        };
        // Keys named earlier that are not among the related ones stay
        // editable in the text field.
        let other: Vec<String> = rec
            .of
            .iter()
            .filter(|k| !related.iter().any(|r| &r.key == *k))
            .cloned()
            .collect();
        Ok(Self {
            answer_label: rec.answer.label(),
            of: rec.of.clone(),
            note: rec.note.clone(),
            answers: RecurrenceAnswer::ALL
                .iter()
                .map(|a| (a.as_str().to_owned(), a.label().to_owned()))
                .collect(),
            related: related
                .iter()
                .map(|r| RecurrenceChoice {
                    checked: chosen.contains(&r.key),
                    key: r.key.clone(),
                    title: r.title.clone(),
                    reasons: r.reasons.join("; "),
                })
                .collect(),
            form: FormView::new(
                "set-recurrence",
                pairs([
                    ("answer", rec.answer.as_str().to_owned()),
                    ("of_other", other.join(", ")),
                    ("note", rec.note.clone()),
                    ("version", rec.version.to_string()),
                ]),
                failed,
            ),
        })
    }
}

/// A blameless-language finding as the review page shows it: the span in
/// its context, what to write instead, and the acknowledge form.
struct FindingView {
    label: String,
    href: String,
    before: String,
    excerpt: String,
    after: String,
    rule: String,
    location: String,
    message: String,
    why: String,
    suggestion: String,
    /// `(by, reason)` when kept on purpose.
    acknowledged: Option<(String, String)>,
    form: FormView,
}

impl FindingView {
    fn new(
        f: &debrief_core::review::blameless::LocatedFinding,
        n: usize,
        failed: Option<&Failed>,
    ) -> Self {
        let (start, end) = (
            f.finding.start.min(f.text.len()),
            f.finding.end.min(f.text.len()),
        );
        let before: String = f
            .text
            .get(..start)
            .unwrap_or("")
            .chars()
            .rev()
            .take(60)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let after: String = f.text.get(end..).unwrap_or("").chars().take(60).collect();
        Self {
            label: f.label.clone(),
            href: if f.anchor.starts_with('/') {
                f.anchor.clone()
            } else {
                format!("#{}", f.anchor)
            },
            before: if start > before.len() {
                format!("…{before}")
            } else {
                before
            },
            excerpt: f.finding.excerpt.clone(),
            after: if f.text.len() - end > after.len() {
                format!("{after}…")
            } else {
                after
            },
            rule: f.finding.rule.clone(),
            location: f.location.clone(),
            message: f.finding.message.clone(),
            why: f.finding.why.clone(),
            suggestion: f.finding.suggestion.clone(),
            acknowledged: f
                .acknowledged
                .as_ref()
                .map(|a| (a.by.clone(), a.reason.clone())),
            form: FormView::new(format!("ack-{n}"), Vec::new(), failed),
        }
    }
}

impl ReviewPage {
    fn notice_for(&self, section: &str) -> Option<&str> {
        (self.notice_at == section).then_some(self.notice.as_str())
    }
}

struct TransitionForm {
    to: &'static str,
    label: &'static str,
    hint: &'static str,
    form: FormView,
}

struct WhyView {
    why: String,
    because: String,
}

struct CauseView {
    id: Uuid,
    version: i64,
    kind: &'static str,
    kind_class: &'static str,
    category: &'static str,
    statement: String,
    whys: Vec<WhyView>,
    evidence: usize,
    form: FormView,
    short: String,
}

struct CauseGroup {
    label: &'static str,
    causes: Vec<CauseView>,
}

struct AssessmentView {
    phase: &'static str,
    label: &'static str,
    required: bool,
    /// `(name, definition, value)` of the derived duration beside the phase.
    duration: Option<(&'static str, &'static str, Option<String>)>,
    rated: Option<String>,
    went_well: String,
    to_improve: String,
    form: FormView,
}

/// A simple list item: gaps, observations, lessons, recommendations.
struct ItemView {
    id: Uuid,
    version: i64,
    /// A badge with a word (severity, area) when the section has one.
    badge: Option<(&'static str, &'static str)>,
    label: Option<&'static str>,
    text: String,
    tags: Vec<String>,
    form: FormView,
    short: String,
}

struct ObservationGroup {
    label: &'static str,
    items: Vec<ItemView>,
}

struct CostView {
    id: Uuid,
    version: i64,
    category: &'static str,
    amount: String,
    staff: Option<String>,
    certainty: &'static str,
    note: String,
    form: FormView,
    short: String,
}

struct TotalView {
    headline: String,
    complete: bool,
    rates: Vec<String>,
    missing: Vec<String>,
    by_currency: Vec<String>,
}

struct QuestionView {
    text: String,
    answer: String,
    form: FormView,
}

struct DissentView {
    by: String,
    at: TimeView,
    text: String,
}

struct HistoryView {
    from: &'static str,
    to: &'static str,
    by: String,
    at: TimeView,
    note: String,
}

/// A fact of the impact details, for the read-only view.
struct Fact {
    label: &'static str,
    value: String,
}

struct ReviewView {
    status: &'static str,
    status_class: &'static str,
    opened_by: String,
    opened_at: TimeView,
    sign_off: Option<(String, TimeView)>,
    missing: Vec<String>,
    editable: bool,
    transitions: Vec<TransitionForm>,
    summary_text: String,
    summary: FormView,
    narrative_text: String,
    narrative: FormView,
    costs: Vec<CostView>,
    add_cost: FormView,
    total: Option<TotalView>,
    details: FormView,
    facts: Vec<Fact>,
    estimate_change: Option<String>,
    cause_groups: Vec<CauseGroup>,
    add_cause: FormView,
    assessments: Vec<AssessmentView>,
    gaps: Vec<ItemView>,
    add_gap: FormView,
    observation_groups: Vec<ObservationGroup>,
    add_observation: FormView,
    lessons: Vec<ItemView>,
    add_lesson: FormView,
    recommendations: Vec<ItemView>,
    add_recommendation: FormView,
    questions: Vec<QuestionView>,
    dissent: Vec<DissentView>,
    add_dissent: FormView,
    history: Vec<HistoryView>,
}

fn time(t: jiff::Timestamp, viewer: &Viewer) -> TimeView {
    TimeView::new(Timestamp::from_jiff(t, Precision::Minute), viewer)
}

/// At most 60 characters of `text`, for buttons that name what they remove.
fn short(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= 60 {
        text
    } else {
        let cut: String = text.chars().take(57).collect();
        format!("{}…", cut.trim_end())
    }
}

fn status_class(s: ReviewStatus) -> &'static str {
    match s {
        ReviewStatus::Draft => "review-draft",
        ReviewStatus::InReview => "review-in-review",
        ReviewStatus::Approved => "review-approved",
    }
}

fn kind_class(k: CauseKind) -> &'static str {
    match k {
        CauseKind::RootCause => "cause-root",
        CauseKind::ContributingFactor => "cause-contributing",
        CauseKind::Trigger => "cause-trigger",
    }
}

fn gap_class(s: GapSeverity) -> &'static str {
    match s {
        GapSeverity::Critical => "sev-critical",
        GapSeverity::High => "sev-high",
        GapSeverity::Medium => "sev-medium",
        GapSeverity::Low => "sev-low",
    }
}

fn phase_duration(p: AssessedPhase) -> Option<DurationName> {
    match p {
        AssessedPhase::Detection => Some(DurationName::TimeToDetect),
        AssessedPhase::Containment => Some(DurationName::TimeToContain),
        AssessedPhase::Eradication => Some(DurationName::TimeToEradicate),
        AssessedPhase::Recovery => Some(DurationName::TimeToRecover),
        _ => None,
    }
}

fn rating_text(r: u8) -> String {
    match RATING_WORDS.get(usize::from(r).wrapping_sub(1)) {
        Some(w) => format!("{r} – {w}"),
        None => r.to_string(),
    }
}

fn count(n: Option<u64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

fn events(ids: &[Uuid]) -> Vec<(String, String)> {
    ids.iter()
        .map(|id| ("event_id".to_owned(), id.to_string()))
        .collect()
}

fn cost_values(f: &FinancialEntry) -> Vec<(String, String)> {
    let (amount, hours, rate) = match (f.hours, f.hourly_rate) {
        (Some(h), Some(r)) => (String::new(), h.to_string(), r.amount().to_string()),
        _ => (f.amount.amount().to_string(), String::new(), String::new()),
    };
    let mut v = pairs([
        ("category", f.category.as_str().to_owned()),
        ("amount", amount),
        ("currency", f.amount.currency().code().to_owned()),
        ("certainty", f.certainty.as_str().to_owned()),
        ("note", f.note.clone()),
        ("hours", hours),
        ("hourly_rate", rate),
        ("version", f.version.to_string()),
    ]);
    v.push(("id".into(), f.id.to_string()));
    v
}

fn details_values(d: &ImpactDetails, reporting: &str) -> Vec<(String, String)> {
    let currency = d
        .initial_estimate
        .or(d.final_estimate)
        .map(|m| m.currency().code())
        .unwrap_or(reporting);
    let mut v = pairs([
        ("downtime_minutes", count(d.downtime_minutes)),
        ("services_affected", d.services_affected.join(", ")),
        ("users_affected", count(d.users_affected)),
        ("customers_affected", count(d.customers_affected)),
        ("sla_breaches", count(d.sla_breaches)),
        ("records_affected", count(d.records_affected)),
        (
            "reputational",
            d.reputational.map(|r| r.as_str()).unwrap_or("").to_owned(),
        ),
        ("media_coverage", d.media_coverage.clone()),
        ("complaints", count(d.complaints)),
        (
            "overall",
            d.overall.map(|r| r.as_str()).unwrap_or("").to_owned(),
        ),
        (
            "initial_estimate",
            d.initial_estimate
                .map(|m| m.amount().to_string())
                .unwrap_or_default(),
        ),
        (
            "final_estimate",
            d.final_estimate
                .map(|m| m.amount().to_string())
                .unwrap_or_default(),
        ),
        ("estimate_currency", currency.to_owned()),
        ("version", d.version.to_string()),
    ]);
    for c in &d.data_classes {
        v.push(("data_classes".into(), c.as_str().into()));
    }
    for (name, on) in [
        ("confidentiality", d.confidentiality),
        ("integrity", d.integrity),
        ("availability", d.availability),
    ] {
        if on {
            v.push((name.into(), "on".into()));
        }
    }
    v
}

fn facts(d: &ImpactDetails) -> Vec<Fact> {
    let mut out = Vec::new();
    let mut push = |label: &'static str, value: String| {
        if !value.is_empty() {
            out.push(Fact { label, value });
        }
    };
    push(
        "Downtime",
        d.downtime_minutes
            .map(|m| debrief_core::lifecycle::human_duration(m as i64 * 60, Precision::Minute))
            .unwrap_or_default(),
    );
    push("Services affected", d.services_affected.join(", "));
    push("Users affected", count(d.users_affected));
    push("Customers affected", count(d.customers_affected));
    push("SLA breaches", count(d.sla_breaches));
    push("Records affected", count(d.records_affected));
    push(
        "Data classes",
        d.data_classes
            .iter()
            .map(|c| c.label())
            .collect::<Vec<_>>()
            .join(", "),
    );
    let cia: Vec<&str> = [
        ("confidentiality", d.confidentiality),
        ("integrity", d.integrity),
        ("availability", d.availability),
    ]
    .into_iter()
    .filter(|(_, on)| *on)
    .map(|(n, _)| n)
    .collect();
    push("Security properties affected", capitalise(&cia.join(", ")));
    push(
        "Reputational",
        d.reputational
            .map(|r| r.label().to_owned())
            .unwrap_or_default(),
    );
    push("Media coverage", d.media_coverage.clone());
    push("Complaints", count(d.complaints));
    push(
        "Overall (VERIS)",
        d.overall.map(|r| r.label().to_owned()).unwrap_or_default(),
    );
    push(
        "Initial estimate",
        d.initial_estimate
            .map(|m| m.to_string())
            .unwrap_or_default(),
    );
    push(
        "Final estimate",
        d.final_estimate.map(|m| m.to_string()).unwrap_or_default(),
    );
    out
}

fn total_view(total: &Total) -> TotalView {
    let lines = total.describe();
    TotalView {
        headline: capitalise(lines.first().map(String::as_str).unwrap_or("")),
        complete: total.is_complete(),
        rates: total.rates_used.iter().map(|r| r.describe()).collect(),
        missing: total.missing_messages(),
        by_currency: total.by_currency.iter().map(|m| m.to_string()).collect(),
    }
}

fn item_view(
    id: Uuid,
    version: i64,
    text: &str,
    values: Vec<(String, String)>,
    failed: Option<&Failed>,
) -> ItemView {
    let mut values = values;
    values.push(("version".into(), version.to_string()));
    ItemView {
        id,
        version,
        badge: None,
        label: None,
        text: text.to_owned(),
        tags: Vec::new(),
        form: FormView::new(format!("edit-{id}"), values, failed),
        short: short(text),
    }
}

fn build(
    review: &Review,
    incident: &debrief_app::incidents::IncidentView,
    total: &Total,
    viewer: &Viewer,
    failed: Option<&Failed>,
) -> ReviewView {
    let editable = review.status != ReviewStatus::Approved;
    let transitions = match review.status {
        ReviewStatus::Draft => vec![(
            ReviewStatus::InReview,
            "Submit for review",
            "Ask for the review to be checked and approved; editing stays possible.",
        )],
        ReviewStatus::InReview => vec![
            (
                ReviewStatus::Draft,
                "Return to draft",
                "Send it back for more work.",
            ),
            (
                ReviewStatus::Approved,
                "Approve",
                "Sign off the review; its content is then locked.",
            ),
        ],
        ReviewStatus::Approved => vec![(
            ReviewStatus::Draft,
            "Reopen",
            "Withdraw the sign-off to change the review; the history keeps it.",
        )],
    }
    .into_iter()
    .map(|(to, label, hint)| TransitionForm {
        to: to.as_str(),
        label,
        hint,
        form: FormView::new(
            format!("transition-{to}"),
            pairs([("note", String::new())]),
            failed,
        ),
    })
    .collect();

    let text_form = |name: TextSectionName, s: &debrief_core::review::TextSection| {
        FormView::new(
            format!("text-{name}"),
            pairs([("text", s.text.clone()), ("version", s.version.to_string())]),
            failed,
        )
    };

    let mut cause_groups = Vec::new();
    for category in CauseCategory::ALL {
        let causes: Vec<CauseView> = review
            .causes
            .iter()
            .filter(|c| c.category == *category)
            .map(|c| {
                let mut values = pairs([
                    ("kind", c.kind.as_str().to_owned()),
                    ("category", c.category.as_str().to_owned()),
                    ("statement", c.statement.clone()),
                    ("version", c.version.to_string()),
                ]);
                for (i, w) in c.whys.iter().enumerate() {
                    values.push((format!("why_{}", i + 1), w.why.clone()));
                    values.push((format!("because_{}", i + 1), w.because.clone()));
                }
                values.extend(events(&c.event_ids));
                CauseView {
                    id: c.id,
                    version: c.version,
                    kind: c.kind.label(),
                    kind_class: kind_class(c.kind),
                    category: c.category.label(),
                    statement: c.statement.clone(),
                    whys: c
                        .whys
                        .iter()
                        .map(|w| WhyView {
                            why: w.why.clone(),
                            because: w.because.clone(),
                        })
                        .collect(),
                    evidence: c.event_ids.len(),
                    form: FormView::new(format!("edit-{}", c.id), values, failed)
                        .with_slots("why_", 2),
                    short: short(&c.statement),
                }
            })
            .collect();
        if !causes.is_empty() {
            cause_groups.push(CauseGroup {
                label: category.label(),
                causes,
            });
        }
    }

    let durations = incident.incident.fields.lifecycle.durations(None);
    let assessments = AssessedPhase::ALL
        .iter()
        .map(|phase| {
            let a = review.assessment(*phase);
            let mut values = pairs([
                (
                    "rating",
                    a.map(|a| a.rating.to_string()).unwrap_or_default(),
                ),
                (
                    "went_well",
                    a.map(|a| a.went_well.clone()).unwrap_or_default(),
                ),
                (
                    "to_improve",
                    a.map(|a| a.to_improve.clone()).unwrap_or_default(),
                ),
                ("version", a.map(|a| a.version).unwrap_or(0).to_string()),
            ]);
            if let Some(a) = a {
                values.extend(events(&a.event_ids));
            }
            AssessmentView {
                phase: phase.as_str(),
                label: phase.label(),
                required: REQUIRED_ASSESSMENTS.contains(phase),
                duration: phase_duration(*phase).map(|d| {
                    (
                        d.label(),
                        d.definition(),
                        durations.get(d).map(|x| x.human()),
                    )
                }),
                rated: a.map(|a| rating_text(a.rating)),
                went_well: a.map(|a| a.went_well.clone()).unwrap_or_default(),
                to_improve: a.map(|a| a.to_improve.clone()).unwrap_or_default(),
                form: FormView::new(format!("assess-{phase}"), values, failed),
            }
        })
        .collect();

    let gaps = review
        .gaps
        .iter()
        .map(|g| ItemView {
            badge: Some((gap_class(g.severity), g.severity.label())),
            label: Some(g.area.label()),
            ..item_view(
                g.id,
                g.version,
                &g.description,
                pairs([
                    ("area", g.area.as_str().to_owned()),
                    ("severity", g.severity.as_str().to_owned()),
                    ("description", g.description.clone()),
                ]),
                failed,
            )
        })
        .collect();

    let observation_groups = ObservationKind::ALL
        .iter()
        .map(|kind| ObservationGroup {
            label: kind.label(),
            items: review
                .observations
                .iter()
                .filter(|o| o.kind == *kind)
                .map(|o| {
                    item_view(
                        o.id,
                        o.version,
                        &o.text,
                        pairs([
                            ("kind", o.kind.as_str().to_owned()),
                            ("text", o.text.clone()),
                        ]),
                        failed,
                    )
                })
                .collect(),
        })
        .collect();

    let lessons = review
        .lessons
        .iter()
        .map(|l| ItemView {
            tags: l.tags.clone(),
            ..item_view(
                l.id,
                l.version,
                &l.statement,
                pairs([
                    ("statement", l.statement.clone()),
                    ("tags", l.tags.join(", ")),
                ]),
                failed,
            )
        })
        .collect();

    let recommendations = review
        .recommendations
        .iter()
        .map(|r| {
            item_view(
                r.id,
                r.version,
                &r.text,
                pairs([("text", r.text.clone())]),
                failed,
            )
        })
        .collect();

    let costs = review
        .impact
        .financial
        .iter()
        .map(|f| CostView {
            id: f.id,
            version: f.version,
            category: f.category.label(),
            amount: f.amount.to_string(),
            staff: match (f.hours, f.hourly_rate) {
                (Some(h), Some(r)) => Some(format!("{h} h × {r}")),
                _ => None,
            },
            certainty: f.certainty.label(),
            note: f.note.clone(),
            form: FormView::new(format!("edit-{}", f.id), cost_values(f), failed),
            short: format!("{}, {}", f.category.label(), f.amount),
        })
        .collect();

    let reporting = total.reporting.code();
    let questions = review
        .template
        .questions
        .iter()
        .map(|q| {
            let a = review.answer(&q.id);
            QuestionView {
                text: q.text.clone(),
                answer: a.map(|a| a.text.clone()).unwrap_or_default(),
                form: FormView::new(
                    format!("answer-{}", q.id),
                    pairs([
                        ("text", a.map(|a| a.text.clone()).unwrap_or_default()),
                        ("version", a.map(|a| a.version).unwrap_or(0).to_string()),
                        ("question_id", q.id.clone()),
                    ]),
                    failed,
                ),
            }
        })
        .collect();

    let empty = || Vec::new();
    ReviewView {
        status: review.status.label(),
        status_class: status_class(review.status),
        opened_by: review.opened_by.clone(),
        opened_at: time(review.opened_at, viewer),
        sign_off: review
            .sign_off
            .as_ref()
            .map(|s| (s.by.clone(), time(s.at, viewer))),
        missing: if editable {
            review.missing_for_approval()
        } else {
            Vec::new()
        },
        editable,
        transitions,
        summary_text: review.summary.text.clone(),
        summary: text_form(TextSectionName::Summary, &review.summary),
        narrative_text: review.narrative.text.clone(),
        narrative: text_form(TextSectionName::Narrative, &review.narrative),
        costs,
        add_cost: FormView::new(
            "add-financial",
            pairs([
                ("currency", reporting.to_owned()),
                ("certainty", Certainty::Estimated.as_str().to_owned()),
            ]),
            failed,
        ),
        total: (!review.impact.financial.is_empty()).then(|| total_view(total)),
        details: FormView::new(
            "impact-details",
            details_values(&review.impact.details, reporting),
            failed,
        ),
        facts: facts(&review.impact.details),
        estimate_change: review.impact.estimate_change().map(|m| {
            if m.is_negative() || m.is_zero() {
                m.to_string()
            } else {
                format!("+{m}")
            }
        }),
        cause_groups,
        add_cause: FormView::new("add-cause", empty(), failed).with_slots("why_", 5),
        assessments,
        gaps,
        add_gap: FormView::new("add-gap", empty(), failed),
        observation_groups,
        add_observation: FormView::new("add-observation", empty(), failed),
        lessons,
        add_lesson: FormView::new("add-lesson", empty(), failed),
        recommendations,
        add_recommendation: FormView::new("add-recommendation", empty(), failed),
        questions,
        dissent: review
            .dissent
            .iter()
            .map(|d| DissentView {
                by: d.by.clone(),
                at: time(d.at, viewer),
                text: d.text.clone(),
            })
            .collect(),
        add_dissent: FormView::new("add-dissent", empty(), failed),
        history: review
            .history
            .iter()
            .map(|t| HistoryView {
                from: t.from.label(),
                to: t.to.label(),
                by: t.by.clone(),
                at: time(t.at, viewer),
                note: t.note.clone().unwrap_or_default(),
            })
            .collect(),
    }
}

/// Renders the Review tab: the review with `failed`'s input and errors, an
/// alert, or a notice in the section just saved.
async fn respond(
    app: &App,
    viewer: &Viewer,
    key: &str,
    failed: Option<Failed>,
    alert: Option<Alert>,
    notice: Option<(String, String)>,
    status: StatusCode,
) -> Response {
    let view = match app.incident_view(key).await {
        Ok(v) => v,
        Err(e) => return error_page(viewer, e),
    };
    let review = match app.review(key).await {
        Ok((_, r)) => r,
        Err(e) => return error_page(viewer, e),
    };
    let r = match &review {
        Some(review) => {
            let total = match app.impact_total(key).await {
                Ok(t) => t,
                Err(e) => return error_page(viewer, e),
            };
            Some(build(review, &view, &total, viewer, failed.as_ref()))
        }
        None => None,
    };
    let findings = if review.is_some() {
        match app.incident_findings(key).await {
            Ok(f) => f,
            Err(e) => return error_page(viewer, e),
        }
    } else {
        Vec::new()
    };
    let plans = match &review {
        Some(r) => {
            let ids: Vec<Uuid> = r.lessons.iter().map(|l| l.id).collect();
            match super::documents::LessonPlans::load(app, key, &ids, failed.as_ref()).await {
                Ok(p) => p,
                Err(e) => return error_page(viewer, e),
            }
        }
        None => Default::default(),
    };
    let recurrence = match &review {
        Some(r) => match RecurrenceView::load(app, viewer, key, r, failed.as_ref()).await {
            Ok(v) => Some(v),
            Err(e) => return error_page(viewer, e),
        },
        None => None,
    };
    let open_findings = findings.iter().filter(|f| f.acknowledged.is_none()).count();
    let findings: Vec<FindingView> = findings
        .iter()
        .enumerate()
        .map(|(n, f)| FindingView::new(f, n, failed.as_ref()))
        .collect();
    let i = &view.incident;
    let (notice_at, notice) = notice.unwrap_or_default();
    let page = ReviewPage {
        findings,
        open_findings,
        layout: Layout::new(
            format!("Review · {} {}", i.key, i.fields.title),
            "incidents",
            viewer,
            format!("/incidents/{}/review", i.key),
        ),
        head: IncidentHead::new(app, &view, viewer),
        tab: "review",
        action: format!("/incidents/{}/review", i.key),
        actor: viewer.actor(),
        dissent_hint: format!("Recorded as {}", viewer.actor()),
        named: viewer.name.is_some(),
        r,
        problems: failed.map(|f| (f.title.clone(), f.summary())),
        alert,
        notice_at,
        notice,
        c: Choices::new(),
        plans,
        recurrence,
    };
    render(&page, status)
}

/// The Review tab again with a failed form of another page module (the
/// lessons' document links) and its errors.
pub(super) async fn respond_failed(
    app: &App,
    viewer: &Viewer,
    key: &str,
    failed: Failed,
) -> Response {
    respond(
        app,
        viewer,
        key,
        Some(failed),
        None,
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

async fn review_page(
    State(app): State<App>,
    viewer: Viewer,
    Path(key): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(&q.unwrap_or_default()).unwrap_or_default();
    let get = |n: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let section = get("saved");
    let notice = (!section.is_empty()).then(|| {
        let text = match get("did").as_str() {
            "added" => "Added.",
            "updated" => "Changes saved.",
            "removed" => "Removed.",
            "linked" => "Document link saved.",
            "done" => "Document change marked done.",
            "status" => "Status changed.",
            "opened" => "Review opened: fill in the sections below, in any order.",
            _ => "Saved.",
        };
        (section, text.to_owned())
    });
    respond(&app, &viewer, &key, None, None, notice, StatusCode::OK).await
}

async fn open(State(app): State<App>, viewer: Viewer, Path(key): Path<String>) -> Response {
    match app.open_review(&key, &viewer.actor()).await {
        // Already open (someone was quicker): show it.
        Ok(_) | Err(AppError::Conflict { .. }) => Redirect::to(&format!(
            "/incidents/{key}/review?saved=status&did=opened#status"
        ))
        .into_response(),
        Err(e) => error_page(&viewer, e),
    }
}

/// A posted form, read.
struct Posted {
    change: ReviewChange,
    /// The key of the form it came from.
    form: String,
    /// What the form is, for the error summary.
    title: String,
    /// The section to return to.
    section: &'static str,
    did: &'static str,
}

fn bad(message: impl Into<String>) -> AppError {
    AppError::Invalid(FieldErrors::from(FieldError::new("form", message)))
}

fn version(v: &FormValues) -> Result<i64, AppError> {
    v.get("version")
        .trim()
        .parse::<i64>()
        .map_err(|_| bad("the form lost its version; reload the page and try again"))
}

fn id(v: &FormValues) -> Result<Uuid, AppError> {
    Uuid::parse_str(v.get("id").trim())
        .map_err(|_| bad("the form does not say which item it is about; reload the page"))
}

fn whys(v: &FormValues) -> Vec<WhyStep> {
    let last = v
        .fields
        .iter()
        .filter_map(|(k, _)| {
            k.strip_prefix("why_")
                .or_else(|| k.strip_prefix("because_"))?
                .parse::<usize>()
                .ok()
        })
        .filter(|n| (1..=20).contains(n))
        .max()
        .unwrap_or(0);
    (1..=last)
        .map(|n| WhyStep {
            why: v.get(&format!("why_{n}")),
            because: v.get(&format!("because_{n}")),
        })
        .collect()
}

fn item_draft(section: &str, v: &FormValues) -> Result<ItemDraft, AppError> {
    Ok(match section {
        "cause" => ItemDraft::Cause(CauseDraft {
            kind: v.get("kind"),
            category: v.get("category"),
            statement: v.get("statement"),
            whys: whys(v),
            event_ids: v.all("event_id"),
        }),
        "gap" => ItemDraft::Gap(GapDraft {
            area: v.get("area"),
            severity: v.get("severity"),
            description: v.get("description"),
        }),
        "observation" => ItemDraft::Observation(ObservationDraft {
            kind: v.get("kind"),
            text: v.get("text"),
        }),
        "lesson" => ItemDraft::Lesson(LessonDraft {
            statement: v.get("statement"),
            tags: vec![v.get("tags")],
        }),
        "recommendation" => ItemDraft::Recommendation(RecommendationDraft {
            text: v.get("text"),
        }),
        "financial" => ItemDraft::Financial(FinancialDraft {
            category: v.get("category"),
            amount: v.get("amount"),
            currency: v.get("currency"),
            certainty: v.get("certainty"),
            note: v.get("note"),
            hours: v.get("hours"),
            hourly_rate: v.get("hourly_rate"),
        }),
        other => return Err(bad(format!("there is no section `{other}`"))),
    })
}

/// The page section a list section lives in.
fn anchor(s: ListSection) -> &'static str {
    match s {
        ListSection::Financial => "impact",
        other => other.as_str(),
    }
}

/// "cause", "cost" … for titles.
fn noun(s: ListSection) -> &'static str {
    match s {
        ListSection::Causes => "cause",
        ListSection::Gaps => "gap",
        ListSection::Observations => "observation",
        ListSection::Lessons => "lesson",
        ListSection::Recommendations => "recommendation",
        ListSection::Financial => "cost",
    }
}

fn read(v: &FormValues) -> Result<Posted, AppError> {
    let op = v.get("op");
    Ok(match op.as_str() {
        "set_text" => {
            let section: TextSectionName = v.get("section").parse().map_err(bad)?;
            Posted {
                change: ReviewChange::SetText {
                    section,
                    text: v.get("text"),
                    version: version(v)?,
                },
                form: format!("text-{section}"),
                title: format!("the {}", section.label().to_lowercase()),
                section: section.as_str(),
                did: "saved",
            }
        }
        "set_answer" => {
            let question_id = v.get("question_id");
            Posted {
                form: format!("answer-{question_id}"),
                change: ReviewChange::SetAnswer {
                    question_id,
                    text: v.get("text"),
                    version: version(v)?,
                },
                title: "the answer".into(),
                section: "questions",
                did: "saved",
            }
        }
        "add_item" => {
            let section = v.get("section");
            let item = item_draft(&section, v)?;
            let list = item.section();
            Posted {
                change: ReviewChange::AddItem { item },
                form: format!("add-{section}"),
                title: format!("the new {}", noun(list)),
                section: anchor(list),
                did: "added",
            }
        }
        "update_item" => {
            let id = id(v)?;
            let draft = item_draft(&v.get("section"), v)?;
            let list = draft.section();
            Posted {
                change: ReviewChange::UpdateItem {
                    id,
                    draft,
                    version: version(v)?,
                },
                form: format!("edit-{id}"),
                title: format!("the {}", noun(list)),
                section: anchor(list),
                did: "updated",
            }
        }
        "remove_item" => {
            let list: ListSection = v.get("section").parse().map_err(bad)?;
            let id = id(v)?;
            Posted {
                change: ReviewChange::RemoveItem {
                    section: list,
                    id,
                    version: version(v)?,
                },
                form: format!("remove-{id}"),
                title: format!("the {}", noun(list)),
                section: anchor(list),
                did: "removed",
            }
        }
        "set_assessment" => {
            let phase: AssessedPhase = v.get("phase").parse().map_err(bad)?;
            Posted {
                change: ReviewChange::SetAssessment {
                    phase,
                    draft: AssessmentDraft {
                        rating: v.get("rating"),
                        went_well: v.get("went_well"),
                        to_improve: v.get("to_improve"),
                        event_ids: v.all("event_id"),
                    },
                    version: version(v)?,
                },
                form: format!("assess-{phase}"),
                title: format!("the {} assessment", phase.label().to_lowercase()),
                section: "assessments",
                did: "saved",
            }
        }
        "transition" => {
            let to: ReviewStatus = v.get("to").parse().map_err(bad)?;
            let note = v.get("note");
            Posted {
                change: ReviewChange::Transition {
                    to,
                    note: (!note.trim().is_empty()).then_some(note),
                },
                form: format!("transition-{to}"),
                title: "the status change".into(),
                section: "status",
                did: "status",
            }
        }
        "acknowledge_finding" => Posted {
            change: ReviewChange::AcknowledgeFinding {
                location: v.get("location"),
                rule: v.get("rule"),
                excerpt: v.get("excerpt"),
                reason: v.get("reason"),
            },
            form: v.get("form"),
            title: "the acknowledgement".into(),
            section: "blameless",
            did: "saved",
        },
        "set_recurrence" => {
            let answer: RecurrenceAnswer = v.get("answer").parse().map_err(bad)?;
            let mut of: Vec<String> = v.all("of");
            for k in v
                .get("of_other")
                .split(|c: char| c == ',' || c.is_whitespace())
                .map(str::trim)
                .filter(|k| !k.is_empty())
            {
                if !of.iter().any(|o| o == k) {
                    of.push(k.to_owned());
                }
            }
            Posted {
                change: ReviewChange::SetRecurrence {
                    answer,
                    of,
                    note: v.get("note"),
                    version: version(v)?,
                },
                form: "set-recurrence".into(),
                title: "the recurrence".into(),
                section: "recurrence",
                did: "saved",
            }
        }
        "add_dissent" => Posted {
            change: ReviewChange::AddDissent {
                text: v.get("text"),
            },
            form: "add-dissent".into(),
            title: "the dissent".into(),
            section: "dissent",
            did: "added",
        },
        "set_impact_details" => Posted {
            change: ReviewChange::SetImpactDetails {
                draft: ImpactDetailsDraft {
                    downtime_minutes: v.get("downtime_minutes"),
                    services_affected: vec![v.get("services_affected")],
                    users_affected: v.get("users_affected"),
                    customers_affected: v.get("customers_affected"),
                    sla_breaches: v.get("sla_breaches"),
                    records_affected: v.get("records_affected"),
                    data_classes: v.all("data_classes"),
                    confidentiality: v.get("confidentiality") == "on",
                    integrity: v.get("integrity") == "on",
                    availability: v.get("availability") == "on",
                    reputational: v.get("reputational"),
                    media_coverage: v.get("media_coverage"),
                    complaints: v.get("complaints"),
                    overall: v.get("overall"),
                    initial_estimate: v.get("initial_estimate"),
                    final_estimate: v.get("final_estimate"),
                    estimate_currency: v.get("estimate_currency"),
                },
                version: version(v)?,
            },
            form: "impact-details".into(),
            title: "the impact details".into(),
            section: "impact",
            did: "saved",
        },
        other => return Err(bad(format!("unknown change `{other}`"))),
    })
}

/// The form field a domain error is about; `None` when it is about no one
/// field of the form.
fn form_field(field: &str) -> Option<String> {
    if let Some(i) = field
        .strip_prefix("whys[")
        .and_then(|r| r.strip_suffix(']'))
        .and_then(|n| n.parse::<usize>().ok())
    {
        return Some(format!("why_{}", i + 1));
    }
    if field == "of" || field.starts_with("of[") {
        return Some("of_other".into());
    }
    match field {
        "summary" | "narrative" => Some("text".into()),
        "whys" | "event_ids" | "version" | "form" => None,
        other => Some(other.into()),
    }
}

async fn change(
    State(app): State<App>,
    viewer: Viewer,
    Path(key): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let values = FormValues { fields };
    let posted = match read(&values) {
        Ok(p) => p,
        Err(e) => return error_page(&viewer, e),
    };
    let Posted {
        change,
        form,
        title,
        section,
        did,
    } = posted;
    if let Err(e) = App::check_review_change(&viewer.caller(), &change) {
        return error_page(&viewer, e);
    }
    if let Err(e) = app
        .check_recurrence_visible(&viewer.caller(), &change)
        .await
    {
        return error_page(&viewer, e);
    }
    match app.change_review(&key, change, &viewer.actor()).await {
        Ok(_) => Redirect::to(&format!(
            "/incidents/{key}/review?saved={section}&did={did}#{section}"
        ))
        .into_response(),
        Err(AppError::Invalid(errors)) => {
            let failed = Failed {
                key: form,
                title,
                values: values.fields,
                errors: errors
                    .iter()
                    .map(|e| (form_field(&e.field), e.message.clone()))
                    .collect(),
            };
            respond(
                &app,
                &viewer,
                &key,
                Some(failed),
                None,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(AppError::NotAllowed(message)) => {
            let alert = Alert {
                heading: "Not saved".into(),
                message: capitalise(&message) + ".",
            };
            respond(
                &app,
                &viewer,
                &key,
                None,
                Some(alert),
                None,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(AppError::Conflict { .. }) => {
            let alert = Alert {
                heading: "Not saved: someone else was quicker".into(),
                message: CONFLICT_MESSAGE.into(),
            };
            respond(
                &app,
                &viewer,
                &key,
                None,
                Some(alert),
                None,
                StatusCode::CONFLICT,
            )
            .await
        }
        // The incident exists but the item is gone (removed by someone else).
        Err(AppError::NotFound(message)) if app.incident(&key).await.is_ok() => {
            let alert = Alert {
                heading: "Not saved: that is no longer there".into(),
                message: format!(
                    "{}; someone else may have removed it. The page now shows the review as it is.",
                    capitalise(&message)
                ),
            };
            respond(
                &app,
                &viewer,
                &key,
                None,
                Some(alert),
                None,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => error_page(&viewer, e),
    }
}
