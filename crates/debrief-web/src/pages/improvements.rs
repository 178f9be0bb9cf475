//! "Did it work?" (PRODUCT.md §9) at `/improvements`: for each recently
//! verified action, and for each category over the chosen period against
//! the one before, the incidents, times to contain and recover and the
//! recurrence before and after, with the counts behind them and the plain
//! "too few incidents to say" when there are not enough. Data from the
//! app's `improvements` and `category_check`; filters in the URL.

use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use debrief_app::App;
use debrief_app::learning::ImprovementCheck;
use debrief_core::Precision;
use debrief_core::kpi::{Share, Stats};
use debrief_core::lifecycle::human_duration;

use super::view::{Choice, Viewer};
use super::{Layout, error_page, render};

pub(super) fn routes() -> Router<App> {
    Router::new().route("/improvements", get(improvements_page))
}

/// One line of a before/after table.
struct Line {
    label: &'static str,
    before: String,
    after: String,
}

struct CheckView {
    subject: String,
    category: String,
    window: String,
    enough: bool,
    verdict: String,
    lines: Vec<Line>,
}

#[derive(Template)]
#[template(path = "improvements.html", whitespace = "minimize")]
struct ImprovementsPage {
    layout: Layout,
    periods: Vec<Choice>,
    categories: Vec<Choice>,
    actions: Vec<CheckView>,
    by_category: Vec<CheckView>,
    period_label: String,
}

fn stat(s: &Option<Stats>) -> String {
    match s {
        Some(s) => format!(
            "{} (median of {})",
            human_duration(s.median, Precision::Minute),
            s.n
        ),
        None => "no data".into(),
    }
}

fn share(s: &Share) -> String {
    match s.percent() {
        Some(p) => format!("{:.0}% ({} of {} answered)", p, s.count, s.of),
        None => "not answered".into(),
    }
}

fn view(c: &ImprovementCheck) -> CheckView {
    let (b, a) = (&c.comparison.before, &c.comparison.after);
    let day = |t: jiff::Timestamp| t.strftime("%Y-%m-%d").to_string();
    CheckView {
        subject: c.subject.clone(),
        category: c.category.clone(),
        window: format!(
            "{} – {} against {} – {}",
            day(b.from),
            day(b.to),
            day(a.from),
            day(a.to)
        ),
        enough: c.comparison.enough_data,
        verdict: c.comparison.verdict.clone(),
        lines: vec![
            Line {
                label: "Incidents",
                before: format!("{} ({:.1} per 30 days)", b.incidents, b.per_30_days),
                after: format!("{} ({:.1} per 30 days)", a.incidents, a.per_30_days),
            },
            Line {
                label: "Time to contain",
                before: stat(&b.time_to_contain),
                after: stat(&a.time_to_contain),
            },
            Line {
                label: "Time to recover",
                before: stat(&b.time_to_recover),
                after: stat(&a.time_to_recover),
            },
            Line {
                label: "Recurrences",
                before: share(&b.recurrence),
                after: share(&a.recurrence),
            },
        ],
    }
}

const PERIODS: [(&str, i64, &str); 3] = [
    ("90", 90, "90 days"),
    ("180", 180, "180 days"),
    ("365", 365, "365 days"),
];

async fn improvements_page(
    State(app): State<App>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Response {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(&raw.unwrap_or_default()).unwrap_or_default();
    let get = |n: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let (period_value, days, period_label) = PERIODS
        .iter()
        .find(|(v, _, _)| *v == get("period"))
        .copied()
        .unwrap_or(PERIODS[1]);
    let category = get("category");
    let taxonomy = &app.settings().taxonomy;
    let category = taxonomy
        .entries()
        .iter()
        .find(|c| c.slug == category)
        .map(|c| c.slug.clone());
    let visibility = viewer.caller().visibility();
    let checks = match app.improvements(days, 20, &visibility).await {
        Ok(c) => c,
        Err(e) => return error_page(&viewer, e),
    };
    let wanted_label = category.as_deref().map(|c| taxonomy.label(c).to_owned());
    let actions: Vec<CheckView> = checks
        .iter()
        .filter(|c| wanted_label.as_ref().is_none_or(|l| *l == c.category))
        .map(view)
        .collect();
    // Each category: the chosen period up to now against the one before.
    let change_at = app
        .now()
        .checked_sub(jiff::SignedDuration::from_hours(24 * days))
        .unwrap_or(app.now());
    let chosen: Vec<&debrief_core::incident::CategoryEntry> = taxonomy
        .entries()
        .iter()
        .filter(|c| category.as_ref().is_none_or(|want| *want == c.slug))
        .collect();
    let slugs: Vec<&str> = chosen.iter().map(|c| c.slug.as_str()).collect();
    let checks = match app
        .category_checks(&slugs, change_at, days, &visibility)
        .await
    {
        Ok(c) => c,
        Err(e) => return error_page(&viewer, e),
    };
    let by_category: Vec<CheckView> = chosen
        .iter()
        .zip(&checks)
        .filter(|(_, check)| {
            check.comparison.before.incidents + check.comparison.after.incidents > 0
        })
        .map(|(c, check)| {
            let mut v = view(check);
            v.subject = c.label.clone();
            v
        })
        .collect();
    let page = ImprovementsPage {
        layout: Layout::new("Did it work?", "improvements", &viewer, "/improvements"),
        periods: PERIODS
            .iter()
            .map(|(v, _, l)| Choice::new(*v, *l, *v == period_value))
            .collect(),
        categories: std::iter::once(Choice::new("", "Any category", category.is_none()))
            .chain(taxonomy.entries().iter().map(|c| {
                Choice::new(
                    c.slug.clone(),
                    c.label.clone(),
                    category.as_deref() == Some(c.slug.as_str()),
                )
            }))
            .collect(),
        actions,
        by_category,
        period_label: period_label.to_owned(),
    };
    render(&page, StatusCode::OK)
}
