//! debrief's reports (PRODUCT.md §10) as pure functions of a [`ReportInput`]:
//! the post-incident report and the one-page executive summary, each as
//! Markdown and as print-ready HTML, and the SVG pictures they embed (the
//! fishbone diagram of the causes and the phase bar of the lifecycle); and
//! for workshops (§8) the iCalendar invite and the minutes.
//!
//! Nothing here queries a database, reads a clock or touches a file: the
//! caller gathers the incident, its chronology, its review and its impact
//! (already formatted, since money formatting lives in `debrief-core::money`)
//! and passes them in, together with the moment of generation and the zone
//! to show instants in. The same value always gives the same bytes, which is
//! what lets the snapshot tests hold the reports still.
//!
//! The printers share one prepared view of the content (`view.rs`), so the
//! Markdown and the HTML cannot drift apart; each escapes user text for its
//! own format (`md_escape` for CommonMark, askama's auto-escaping for HTML,
//! [`xml_escape`] for the hand-built SVG).

mod format;
mod html;
pub mod ical;
mod markdown;
mod minutes;
mod programme;
mod svg;
mod view;

pub use html::{executive_html, pir_html};
pub use ical::{Invite, InviteAttendee, Participant, invite_ics};
pub use markdown::{executive_markdown, md_escape, pir_markdown};
pub use minutes::{
    MinutesInput, MinutesItem, MinutesNote, MinutesPerson, minutes_html, minutes_markdown,
};
pub use programme::{
    ActionPerformance, Improvement, KpiRow, ProgrammeInput, RecurringIncident, programme_html,
    programme_kpi_rows, programme_markdown,
};
pub use svg::burn_down::burn_down_svg;
pub use svg::fishbone::fishbone_svg;
pub use svg::phase_bar::phase_bar_svg;
pub use svg::trend::{TrendPoint, trend_svg};
pub use svg::xml_escape;

/// Everything a report shows, gathered by the caller.
#[derive(Debug, Clone)]
pub struct ReportInput {
    pub incident: debrief_core::Incident,
    /// The derived durations of §2 (`time_to_review` is known once a
    /// workshop has been held).
    pub durations: debrief_core::Durations,
    /// The full chronology, oldest first.
    pub events: Vec<debrief_core::TimelineEvent>,
    /// The review, when one has been opened.
    pub review: Option<debrief_core::review::Review>,
    /// The impact, ready to print.
    pub impact: ReportImpact,
    /// The incident category's label, e.g. "Ransomware".
    pub category_label: String,
    /// When the report was generated; passed in, since reports read no clock.
    pub generated_at: jiff::Timestamp,
    /// The zone instants are shown in (and named: "14:07 UTC").
    pub zone: jiff::tz::TimeZone,
}

/// Impact lines already formatted by the caller (money formatting lives in
/// `debrief-core::money`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportImpact {
    pub financial: Vec<FinancialLine>,
    /// "48,210.00 EUR"; `None` when a rate is missing.
    pub total: Option<String>,
    /// "rate USD→EUR 0.92 of 2026-09-01 (ECB)", "needs a rate for JPY→EUR …".
    pub total_notes: Vec<String>,
    /// ("Downtime", "6 h"), ("Customers affected", "4,812").
    pub operational: Vec<(String, String)>,
    pub data: Vec<(String, String)>,
    pub reputational: Vec<(String, String)>,
    /// VERIS: insignificant, distracting, painful, damaging, catastrophic.
    pub overall_rating: Option<String>,
    /// "initial estimate 20,000.00 EUR → final 48,210.00 EUR (+28,210.00 EUR)".
    pub estimate_change: Option<String>,
}

impl ReportImpact {
    /// True when nothing at all was recorded.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// One financial impact entry, ready to print.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FinancialLine {
    pub category: String,
    /// "12,500.00 EUR".
    pub amount: String,
    /// "estimated" or "actual".
    pub certainty: String,
    pub note: String,
}
