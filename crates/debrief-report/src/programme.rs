//! The programme report (PRODUCT.md §9, §10): how the incident programme
//! did over a period — the KPIs against the previous period, monthly
//! trends, the top recurring causes, how actions performed and which
//! improvements worked — as Markdown, print-ready HTML and (through the
//! caller's serde) JSON. A pure function of a [`ProgrammeInput`] the
//! application gathers with the caller's visibility already applied.

use std::collections::BTreeMap;
use std::fmt::Write;

use askama::Template;
use debrief_core::DurationName;
use debrief_core::Precision;
use debrief_core::kpi::{Comparison, Kpis, MonthPoint, Share, Stats, definition};
use debrief_core::lifecycle::human_duration;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::format::{TimeText, recorded, zone_name};
use crate::html::CSS;
use crate::markdown::md_escape;
use crate::svg::trend::{TrendPoint, trend_svg};

/// Everything the programme report shows, gathered by the caller.
#[derive(Debug, Clone, Serialize)]
pub struct ProgrammeInput {
    /// "2026 Q3", "2026" or "1 Jul 2026 – 15 Aug 2026".
    pub label: String,
    /// First and last day of the period (inclusive, organisation's zone).
    pub first_day: Date,
    pub last_day: Date,
    /// The previous period of the same length, compared against.
    pub previous_first_day: Date,
    pub previous_last_day: Date,
    pub kpis: Kpis,
    pub previous: Kpis,
    /// Cost per incident, formatted with its currency ("1,250.00 EUR").
    pub cost_per_incident: Option<String>,
    pub previous_cost_per_incident: Option<String>,
    /// One point per month of the period.
    pub trend: Vec<MonthPoint>,
    /// Category slug → label, for the incidents' and causes' categories.
    pub category_labels: BTreeMap<String, String>,
    /// Cause categories named by the period's reviews, most first.
    pub top_causes: Vec<(String, usize)>,
    /// Incidents of the period whose review records a recurrence.
    pub recurring: Vec<RecurringIncident>,
    pub actions: ActionPerformance,
    /// "Did it work?" for actions verified in the period.
    pub improvements: Vec<Improvement>,
    /// The reader is not an admin: restricted incidents they are not a
    /// member of are left out (and the report says so, without a count).
    pub restricted_excluded: bool,
    pub generated_at: jiff::Timestamp,
    #[serde(skip)]
    pub zone: TimeZone,
}

/// An incident whose review records it as a recurrence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecurringIncident {
    pub key: String,
    pub title: String,
    /// The category's label.
    pub category: String,
}

/// How actions did in the period (by the dates they were created, done
/// and verified, in the organisation's zone).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ActionPerformance {
    /// Created in the period.
    pub opened: usize,
    /// Done (or verified) with a completion date in the period.
    pub closed: usize,
    /// Of those closed that had a due date: closed on or before it.
    pub closed_on_time: Share,
    /// Verified in the period.
    pub verified: usize,
    /// Created in the period and still open, in progress or blocked.
    pub still_open: usize,
    /// Open (of any period) with a due date before the period's end (or
    /// today, when the period has not ended).
    pub overdue: usize,
    /// Days from creation to done of those closed in the period.
    pub days_to_close: Option<Stats>,
}

/// "Did it work?" for one change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Improvement {
    pub subject: String,
    /// The category's label.
    pub category: String,
    pub comparison: Comparison,
}

/// One KPI against the previous period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KpiRow {
    pub label: String,
    pub current: String,
    pub previous: String,
    pub change: String,
    pub definition: &'static str,
}

/// One month of the trend table.
#[derive(Debug, Clone, PartialEq, Eq)]
struct MonthRow {
    month: String,
    incidents: String,
    contain: String,
    recover: String,
    coverage: String,
    recurrence: String,
}

fn stat_median(s: Option<Stats>) -> String {
    match s {
        Some(s) => format!(
            "{} (median of {})",
            human_duration(s.median, Precision::Minute),
            s.n
        ),
        None => "no data".into(),
    }
}

fn share(s: Share) -> String {
    s.describe()
}

fn count_change(cur: usize, prev: usize) -> String {
    match cur.cmp(&prev) {
        std::cmp::Ordering::Equal => "no change".into(),
        std::cmp::Ordering::Greater => format!("+{}", cur - prev),
        std::cmp::Ordering::Less => format!("−{}", prev - cur),
    }
}

fn duration_change(cur: Option<Stats>, prev: Option<Stats>) -> String {
    match (cur, prev) {
        (Some(c), Some(p)) => {
            let d = c.median - p.median;
            if d == 0 {
                "no change".into()
            } else {
                format!(
                    "{} {}",
                    human_duration(d.abs(), Precision::Minute),
                    if d < 0 { "shorter" } else { "longer" }
                )
            }
        }
        _ => "—".into(),
    }
}

fn share_change(cur: Share, prev: Share) -> String {
    match (cur.percent(), prev.percent()) {
        (Some(c), Some(p)) => {
            let d = c - p;
            if d.abs() < 0.5 {
                "no change".into()
            } else if d > 0.0 {
                format!("+{:.0} points", d)
            } else {
                format!("−{:.0} points", -d)
            }
        }
        _ => "—".into(),
    }
}

fn days_stat(s: Option<Stats>) -> String {
    match s {
        Some(s) => format!(
            "{} {} (median of {})",
            s.median,
            if s.median == 1 { "day" } else { "days" },
            s.n
        ),
        None => "no data".into(),
    }
}

fn days_change(cur: Option<Stats>, prev: Option<Stats>) -> String {
    match (cur, prev) {
        (Some(c), Some(p)) => count_change_i(c.median, p.median, "days"),
        _ => "—".into(),
    }
}

fn count_change_i(cur: i64, prev: i64, unit: &str) -> String {
    match cur.cmp(&prev) {
        std::cmp::Ordering::Equal => "no change".into(),
        std::cmp::Ordering::Greater => format!("+{} {unit}", cur - prev),
        std::cmp::Ordering::Less => format!("−{} {unit}", prev - cur),
    }
}

/// The KPI table: this period, the previous one and the change.
pub fn programme_kpi_rows(input: &ProgrammeInput) -> Vec<KpiRow> {
    let (k, p) = (&input.kpis, &input.previous);
    let mut rows = vec![KpiRow {
        label: "Incidents".into(),
        current: k.incidents.to_string(),
        previous: p.incidents.to_string(),
        change: count_change(k.incidents, p.incidents),
        definition: definition("incidents"),
    }];
    for name in DurationName::ALL {
        let (c, pr) = (k.duration(name), p.duration(name));
        rows.push(KpiRow {
            label: name.label().to_owned(),
            current: stat_median(c),
            previous: stat_median(pr),
            change: duration_change(c, pr),
            definition: definition(name.as_str()),
        });
    }
    let shares: [(&str, &'static str, Share, Share); 5] = [
        (
            "Review coverage",
            "review_coverage",
            k.review_coverage,
            p.review_coverage,
        ),
        (
            "Workshops within policy",
            "workshop_within_policy",
            k.workshop_within_policy,
            p.workshop_within_policy,
        ),
        ("Recurrence rate", "recurrence", k.recurrence, p.recurrence),
        (
            "Actions closed on time",
            "actions_on_time",
            k.actions.closed_on_time,
            p.actions.closed_on_time,
        ),
        (
            "Actions verified",
            "actions_verified",
            k.actions.verified,
            p.actions.verified,
        ),
    ];
    for (label, def, c, pr) in shares {
        rows.push(KpiRow {
            label: label.into(),
            current: share(c),
            previous: share(pr),
            change: share_change(c, pr),
            definition: definition(def),
        });
    }
    rows.push(KpiRow {
        label: "Closure to workshop".into(),
        current: days_stat(k.closure_to_workshop_days),
        previous: days_stat(p.closure_to_workshop_days),
        change: days_change(k.closure_to_workshop_days, p.closure_to_workshop_days),
        definition: definition("closure_to_workshop"),
    });
    rows.push(KpiRow {
        label: "Actions of the period's incidents still open".into(),
        current: format!("{} ({} overdue)", k.actions.open, k.actions.overdue),
        previous: format!("{} ({} overdue)", p.actions.open, p.actions.overdue),
        change: count_change(k.actions.open, p.actions.open),
        definition: definition("actions_open"),
    });
    let cost = |c: &Option<String>, kp: &Kpis| match c {
        Some(c) => format!("{c} (over {} incidents)", kp.cost.incidents),
        None => "no data".into(),
    };
    rows.push(KpiRow {
        label: "Cost per incident".into(),
        current: cost(&input.cost_per_incident, k),
        previous: cost(&input.previous_cost_per_incident, p),
        change: "—".into(),
        definition: definition("cost_per_incident"),
    });
    rows
}

fn month_label(d: Date) -> String {
    d.strftime("%b %Y").to_string()
}

fn month_rows(input: &ProgrammeInput) -> Vec<MonthRow> {
    input
        .trend
        .iter()
        .map(|m| MonthRow {
            month: month_label(m.month),
            incidents: m.incidents.to_string(),
            contain: m
                .time_to_contain
                .map(|s| human_duration(s.median, Precision::Minute))
                .unwrap_or_else(|| "no data".into()),
            recover: m
                .time_to_recover
                .map(|s| human_duration(s.median, Precision::Minute))
                .unwrap_or_else(|| "no data".into()),
            coverage: m.review_coverage.describe(),
            recurrence: m.recurrence.describe(),
        })
        .collect()
}

fn label_of<'a>(input: &'a ProgrammeInput, slug: &'a str) -> &'a str {
    input
        .category_labels
        .get(slug)
        .map(String::as_str)
        .unwrap_or(slug)
}

/// Incidents by category with the previous period's count.
fn category_rows(input: &ProgrammeInput) -> Vec<(String, usize, usize)> {
    let prev: BTreeMap<&str, usize> = input
        .previous
        .by_category
        .iter()
        .map(|(c, n)| (c.as_str(), *n))
        .collect();
    let mut rows: Vec<(String, usize, usize)> = input
        .kpis
        .by_category
        .iter()
        .map(|(c, n)| {
            (
                label_of(input, c).to_owned(),
                *n,
                prev.get(c.as_str()).copied().unwrap_or(0),
            )
        })
        .collect();
    for (c, n) in &input.previous.by_category {
        if !input.kpis.by_category.iter().any(|(k, _)| k == c) {
            rows.push((label_of(input, c).to_owned(), 0, *n));
        }
    }
    rows
}

fn severity_line(k: &Kpis) -> String {
    let parts: Vec<String> = k
        .by_severity
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {}", s.as_str()))
        .collect();
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(", ")
    }
}

fn action_rows(a: &ActionPerformance) -> Vec<(String, String)> {
    vec![
        ("Opened in the period".into(), a.opened.to_string()),
        ("Closed in the period".into(), a.closed.to_string()),
        ("Closed on time".into(), a.closed_on_time.describe()),
        ("Verified in the period".into(), a.verified.to_string()),
        (
            "Opened in the period and still open".into(),
            a.still_open.to_string(),
        ),
        ("Overdue at the period's end".into(), a.overdue.to_string()),
        (
            "Days from creation to done".into(),
            days_stat(a.days_to_close),
        ),
    ]
}

/// One side of a comparison, for the tables.
fn side_text(s: &debrief_core::kpi::Side) -> (String, String, String, String) {
    let day = |t: jiff::Timestamp| t.strftime("%Y-%m-%d").to_string();
    (
        format!("{} – {}", day(s.from), day(s.to)),
        format!("{} ({:.1} per 30 days)", s.incidents, s.per_30_days),
        s.time_to_contain
            .map(|x| human_duration(x.median, Precision::Minute))
            .unwrap_or_else(|| "no data".into()),
        s.recurrence.describe(),
    )
}

fn period_text(input: &ProgrammeInput) -> String {
    format!(
        "{} to {}",
        input.first_day.strftime("%-d %b %Y"),
        input.last_day.strftime("%-d %b %Y")
    )
}

fn previous_text(input: &ProgrammeInput) -> String {
    format!(
        "{} to {}",
        input.previous_first_day.strftime("%-d %b %Y"),
        input.previous_last_day.strftime("%-d %b %Y")
    )
}

const RESTRICTED_NOTE: &str =
    "Restricted incidents you are not a member of are not included in any figure.";

// ---- Markdown ----------------------------------------------------------------

/// The programme report as CommonMark with GitHub-style tables.
pub fn programme_markdown(input: &ProgrammeInput) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Programme report {}\n", md_escape(&input.label));
    let _ = writeln!(
        s,
        "Period: {}, compared with {}.\n",
        period_text(input),
        previous_text(input)
    );
    if input.restricted_excluded {
        let _ = writeln!(s, "{RESTRICTED_NOTE}\n");
    }
    let _ = writeln!(s, "## Key figures\n");
    if input.kpis.incidents == 0 {
        let _ = writeln!(s, "No incidents in this period.\n");
    }
    let _ = writeln!(
        s,
        "| Measure | This period | Previous period | Change |\n|---|---|---|---|"
    );
    for r in programme_kpi_rows(input) {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            md_escape(&r.label),
            md_escape(&r.current),
            md_escape(&r.previous),
            md_escape(&r.change)
        );
    }
    let _ = writeln!(
        s,
        "\nBy severity: {}.\n",
        md_escape(&severity_line(&input.kpis))
    );
    let cats = category_rows(input);
    if !cats.is_empty() {
        let _ = writeln!(
            s,
            "| Category | This period | Previous period |\n|---|---|---|"
        );
        for (c, n, p) in cats {
            let _ = writeln!(s, "| {} | {n} | {p} |", md_escape(&c));
        }
        s.push('\n');
    }

    let _ = writeln!(s, "## Monthly trends\n");
    let _ = writeln!(
        s,
        "| Month | Incidents | Median time to contain | Median time to recover | Review coverage | Recurrence |\n|---|---|---|---|---|---|"
    );
    for m in month_rows(input) {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} |",
            m.month,
            m.incidents,
            md_escape(&m.contain),
            md_escape(&m.recover),
            md_escape(&m.coverage),
            md_escape(&m.recurrence)
        );
    }
    s.push('\n');

    let _ = writeln!(s, "## Top recurring causes\n");
    if input.top_causes.is_empty() {
        let _ = writeln!(s, "No review of the period names a cause category.\n");
    } else {
        let _ = writeln!(s, "| Cause category | Incidents |\n|---|---|");
        for (c, n) in &input.top_causes {
            let _ = writeln!(s, "| {} | {n} |", md_escape(c));
        }
        s.push('\n');
    }
    if input.recurring.is_empty() {
        let _ = writeln!(s, "No review of the period records a recurrence.\n");
    } else {
        let _ = writeln!(s, "Recurring incidents:\n");
        for r in &input.recurring {
            let _ = writeln!(
                s,
                "- {} {} ({})",
                md_escape(&r.key),
                md_escape(&r.title),
                md_escape(&r.category)
            );
        }
        s.push('\n');
    }

    let _ = writeln!(s, "## Action performance\n");
    let _ = writeln!(s, "| Measure | Value |\n|---|---|");
    for (l, v) in action_rows(&input.actions) {
        let _ = writeln!(s, "| {} | {} |", md_escape(&l), md_escape(&v));
    }
    s.push('\n');

    let _ = writeln!(s, "## Did it work?\n");
    if input.improvements.is_empty() {
        let _ = writeln!(
            s,
            "No action was verified in this period, so there is no change to compare before and after.\n"
        );
    }
    for i in &input.improvements {
        let _ = writeln!(
            s,
            "### {} ({})\n",
            md_escape(&i.subject),
            md_escape(&i.category)
        );
        let (bw, bn, bc, br) = side_text(&i.comparison.before);
        let (aw, an, ac, ar) = side_text(&i.comparison.after);
        let _ = writeln!(
            s,
            "| | Before | After |\n|---|---|---|\n| Window | {bw} | {aw} |\n| Incidents | {bn} | {an} |\n| Median time to contain | {} | {} |\n| Recurrence | {} | {} |\n",
            md_escape(&bc),
            md_escape(&ac),
            md_escape(&br),
            md_escape(&ar)
        );
        let _ = writeln!(s, "{}\n", md_escape(&i.comparison.verdict));
    }
    let _ = writeln!(
        s,
        "---\n\nGenerated by debrief on {}. Dates are days in {}.",
        recorded(input.generated_at, &input.zone).text,
        zone_name(&input.zone, input.generated_at)
    );
    s
}

// ---- HTML --------------------------------------------------------------------

struct ImprovementView {
    subject: String,
    category: String,
    before: (String, String, String, String),
    after: (String, String, String, String),
    verdict: String,
    enough_data: bool,
}

struct Chart {
    svg: String,
}

#[derive(Template)]
#[template(path = "programme.html")]
struct ProgrammePage {
    doc_title: String,
    css: &'static str,
    label: String,
    period: String,
    previous_period: String,
    restricted_note: Option<&'static str>,
    empty: bool,
    kpis: Vec<KpiRow>,
    severity: String,
    categories: Vec<(String, usize, usize)>,
    charts: Vec<Chart>,
    months: Vec<MonthRow>,
    causes: Vec<(String, usize)>,
    recurring: Vec<RecurringIncident>,
    actions: Vec<(String, String)>,
    improvements: Vec<ImprovementView>,
    generated: TimeText,
    zone_name: String,
}

fn charts(input: &ProgrammeInput) -> Vec<Chart> {
    let label = |m: &Date| format!("{:04}-{:02}", m.year(), m.month());
    let incidents: Vec<TrendPoint> = input
        .trend
        .iter()
        .map(|p| TrendPoint {
            label: label(&p.month),
            value: Some(p.incidents as f64),
            text: p.incidents.to_string(),
        })
        .collect();
    let duration = |f: fn(&MonthPoint) -> Option<Stats>| -> Vec<TrendPoint> {
        input
            .trend
            .iter()
            .map(|p| TrendPoint {
                label: label(&p.month),
                value: f(p).map(|s| s.median as f64),
                text: f(p)
                    .map(|s| human_duration(s.median, Precision::Minute))
                    .unwrap_or_else(|| "no data".into()),
            })
            .collect()
    };
    let pct = |f: fn(&MonthPoint) -> Share| -> Vec<TrendPoint> {
        input
            .trend
            .iter()
            .map(|p| TrendPoint {
                label: label(&p.month),
                value: f(p).percent(),
                text: f(p)
                    .percent()
                    .map(|v| format!("{v:.0} %"))
                    .unwrap_or_else(|| "no data".into()),
            })
            .collect()
    };
    [
        ("p-incidents", "Incidents per month", incidents),
        (
            "p-contain",
            "Median time to contain, by month",
            duration(|p| p.time_to_contain),
        ),
        (
            "p-recover",
            "Median time to recover, by month",
            duration(|p| p.time_to_recover),
        ),
        (
            "p-coverage",
            "Review coverage, by month",
            pct(|p| p.review_coverage),
        ),
        (
            "p-recurrence",
            "Recurrence, by month",
            pct(|p| p.recurrence),
        ),
    ]
    .into_iter()
    .map(|(id, title, points)| Chart {
        svg: trend_svg(id, title, &points),
    })
    .collect()
}

/// The programme report as a standalone, print-ready HTML document with
/// the monthly trends as inline SVG (and as a table beside them).
pub fn programme_html(input: &ProgrammeInput) -> String {
    let page = ProgrammePage {
        doc_title: format!("Programme report {}", input.label),
        css: CSS,
        label: input.label.clone(),
        period: period_text(input),
        previous_period: previous_text(input),
        restricted_note: input.restricted_excluded.then_some(RESTRICTED_NOTE),
        empty: input.kpis.incidents == 0,
        kpis: programme_kpi_rows(input),
        severity: severity_line(&input.kpis),
        categories: category_rows(input),
        charts: charts(input),
        months: month_rows(input),
        causes: input.top_causes.clone(),
        recurring: input.recurring.clone(),
        actions: action_rows(&input.actions),
        improvements: input
            .improvements
            .iter()
            .map(|i| ImprovementView {
                subject: i.subject.clone(),
                category: i.category.clone(),
                before: side_text(&i.comparison.before),
                after: side_text(&i.comparison.after),
                verdict: i.comparison.verdict.clone(),
                enough_data: i.comparison.enough_data,
            })
            .collect(),
        generated: recorded(input.generated_at, &input.zone),
        zone_name: zone_name(&input.zone, input.generated_at),
    };
    page.render()
        .expect("rendering a report template into a String cannot fail")
}
