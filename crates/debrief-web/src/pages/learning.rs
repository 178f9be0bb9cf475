//! The dashboard (the home page: KPI tiles against the previous period,
//! monthly trends as SVG with their tables, reviews due or late, overdue
//! actions) and the search page, PRODUCT.md §9 and UI.md.

use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use debrief_app::App;
use debrief_app::learning::Dashboard;
use debrief_core::kpi::{Share, Stats, definition};
use debrief_core::lifecycle::human_duration;
use debrief_core::{DurationName, Precision, Severity};
use debrief_report::{TrendPoint, trend_svg};

use super::view::{Choice, Viewer, capitalise, severity_class};
use super::{Layout, error_page, render};
use crate::api::learning::{named_period, pairs, run_search, scope_from, snippet_parts};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/", get(dashboard))
        .route("/search", get(search_page))
}

/// One KPI tile.
struct Tile {
    label: &'static str,
    value: String,
    detail: String,
    /// "▲ 3 vs the previous period" or empty.
    change: String,
    definition: &'static str,
}

struct Chart {
    svg: String,
    caption: String,
    rows: Vec<(String, String)>,
}

struct DueRow {
    key: String,
    title: String,
    summary: String,
}

struct OverdueRow {
    key: String,
    title: String,
    owner: String,
    due: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    period_label: String,
    periods: Vec<Choice>,
    categories: Vec<Choice>,
    severities: Vec<Choice>,
    tiles: Vec<Tile>,
    charts: Vec<Chart>,
    by_category: Vec<(String, usize)>,
    reviews_due: Vec<DueRow>,
    overdue: Vec<OverdueRow>,
    overdue_total: u64,
    /// Lessons not yet folded into any document (Plans & training).
    unhomed: usize,
    error: Option<String>,
}

fn stat_text(s: Option<Stats>) -> (String, String) {
    match s {
        Some(s) => (
            human_duration(s.median, Precision::Minute),
            format!(
                "median of {}; 90th percentile {}, mean {}",
                s.n,
                human_duration(s.p90, Precision::Minute),
                human_duration(s.mean, Precision::Minute)
            ),
        ),
        None => (
            "no data".into(),
            "no incident in the period has both ends".into(),
        ),
    }
}

fn share_text(s: Share) -> (String, String) {
    match s.percent() {
        Some(p) => (format!("{p:.0} %"), format!("{} of {}", s.count, s.of)),
        None => ("no data".into(), "none in the period".into()),
    }
}

fn delta(cur: Option<f64>, prev: Option<f64>, unit: &str, lower_is_better: bool) -> String {
    match (cur, prev) {
        (Some(c), Some(p)) => {
            let d = c - p;
            if d.abs() < 0.5 {
                "no change against the previous period".into()
            } else {
                let arrow = if d > 0.0 { "▲" } else { "▼" };
                let better = (d < 0.0) == lower_is_better;
                format!(
                    "{arrow} {:.0}{unit} against the previous period ({})",
                    d.abs(),
                    if better { "better" } else { "worse" }
                )
            }
        }
        _ => String::new(),
    }
}

fn tiles(d: &Dashboard, currency: debrief_core::money::Currency) -> Vec<Tile> {
    let k = &d.kpis;
    let p = d.previous.as_ref();
    let median_h = |k: &debrief_core::kpi::Kpis, n: DurationName| {
        k.duration(n).map(|s| s.median as f64 / 3600.0)
    };
    let mut out = Vec::new();
    out.push(Tile {
        label: "Incidents",
        value: k.incidents.to_string(),
        detail: k
            .by_severity
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| format!("{n} {}", s.as_str()))
            .collect::<Vec<_>>()
            .join(", "),
        change: p
            .map(|p| delta(Some(k.incidents as f64), Some(p.incidents as f64), "", true))
            .unwrap_or_default(),
        definition: definition("incidents"),
    });
    for (name, label) in [
        (DurationName::TimeToDetect, "Time to detect"),
        (DurationName::TimeToContain, "Time to contain"),
        (DurationName::TimeToRecover, "Time to recover"),
    ] {
        let (value, detail) = stat_text(k.duration(name));
        out.push(Tile {
            label,
            value,
            detail,
            change: p
                .map(|p| delta(median_h(k, name), median_h(p, name), " h", true))
                .unwrap_or_default(),
            definition: definition(name.as_str()),
        });
    }
    let share_tile = |label, s: Share, prev: Option<Share>, def, lower_better| {
        let (value, detail) = share_text(s);
        Tile {
            label,
            value,
            detail,
            change: prev
                .map(|ps| delta(s.percent(), ps.percent(), " points", lower_better))
                .unwrap_or_default(),
            definition: definition(def),
        }
    };
    out.push(share_tile(
        "Review coverage",
        k.review_coverage,
        p.map(|p| p.review_coverage),
        "review_coverage",
        false,
    ));
    out.push(share_tile(
        "Workshops within policy",
        k.workshop_within_policy,
        p.map(|p| p.workshop_within_policy),
        "workshop_within_policy",
        false,
    ));
    out.push(share_tile(
        "Recurrence rate",
        k.recurrence,
        p.map(|p| p.recurrence),
        "recurrence",
        true,
    ));
    out.push(share_tile(
        "Actions closed on time",
        k.actions.closed_on_time,
        p.map(|p| p.actions.closed_on_time),
        "actions_on_time",
        false,
    ));
    out.push(Tile {
        label: "Actions open",
        value: k.actions.open.to_string(),
        detail: format!("{} overdue", k.actions.overdue),
        change: String::new(),
        definition: definition("actions_overdue"),
    });
    out.push(Tile {
        label: "Cost per incident",
        value: match k.cost.per_incident {
            Some(c) => debrief_core::Money::new_rounded(c, currency).to_string(),
            None => "no data".into(),
        },
        detail: if k.cost.missing_rate > 0 {
            format!(
                "over {} incidents; {} left out for a missing exchange rate",
                k.cost.incidents, k.cost.missing_rate
            )
        } else {
            format!("over {} incidents with costs", k.cost.incidents)
        },
        change: String::new(),
        definition: definition("cost_per_incident"),
    });
    out
}

fn charts(d: &Dashboard) -> Vec<Chart> {
    let label = |m: &jiff::civil::Date| format!("{:04}-{:02}", m.year(), m.month());
    let incidents: Vec<TrendPoint> = d
        .trend
        .iter()
        .map(|p| TrendPoint {
            label: label(&p.month),
            value: Some(p.incidents as f64),
            text: p.incidents.to_string(),
        })
        .collect();
    let contain: Vec<TrendPoint> = d
        .trend
        .iter()
        .map(|p| TrendPoint {
            label: label(&p.month),
            value: p.time_to_contain.map(|s| s.median as f64),
            text: p
                .time_to_contain
                .map(|s| human_duration(s.median, Precision::Minute))
                .unwrap_or_else(|| "no data".into()),
        })
        .collect();
    let coverage: Vec<TrendPoint> = d
        .trend
        .iter()
        .map(|p| TrendPoint {
            label: label(&p.month),
            value: p.review_coverage.percent(),
            text: p
                .review_coverage
                .percent()
                .map(|v| format!("{v:.0} %"))
                .unwrap_or_else(|| "no data".into()),
        })
        .collect();
    [
        ("trend-incidents", "Incidents per month", incidents),
        ("trend-contain", "Median time to contain, by month", contain),
        ("trend-coverage", "Review coverage, by month", coverage),
    ]
    .into_iter()
    .map(|(id, title, points)| Chart {
        svg: trend_svg(id, title, &points),
        caption: title.to_owned(),
        rows: points.into_iter().map(|p| (p.label, p.text)).collect(),
    })
    .collect()
}

async fn dashboard(State(app): State<App>, viewer: Viewer, RawQuery(raw): RawQuery) -> Response {
    let raw_s = raw.clone().unwrap_or_default();
    let pairs = pairs(raw);
    let get = |n: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let period_name = match get("period").as_str() {
        p @ ("quarter" | "year" | "all") => p.to_owned(),
        _ => "90d".to_owned(),
    };
    let period = named_period(&app, &period_name);
    let mut error = None;
    let scope = match scope_from(&app, &pairs) {
        Ok(s) => s.with_period(period.from, period.to),
        Err(p) => {
            error = Some(p.0.detail);
            debrief_core::kpi::IncidentScope::default().with_period(period.from, period.to)
        }
    };
    let d = match app.dashboard(&scope, &viewer.caller().visibility()).await {
        Ok(d) => d,
        Err(e) => return error_page(&viewer, e),
    };
    let overdue = match app.overdue_actions(8, &viewer.caller().visibility()).await {
        Ok(p) => p,
        Err(e) => return error_page(&viewer, e),
    };
    let unhomed = match app.unhomed_count(&viewer.caller().visibility()).await {
        Ok(u) => u,
        Err(e) => return error_page(&viewer, e),
    };
    let category = get("category");
    let severity = get("severity");
    let periods = [
        ("90d", "Last 90 days"),
        ("quarter", "This quarter"),
        ("year", "Last 12 months"),
        ("all", "All time"),
    ];
    let page =
        DashboardPage {
            layout: Layout::new("Dashboard", "dashboard", &viewer, format!("/?{raw_s}")),
            period_label: periods
                .iter()
                .find(|(v, _)| *v == period_name)
                .map(|(_, l)| (*l).to_owned())
                .unwrap_or_default(),
            periods: periods
                .iter()
                .map(|(v, l)| Choice::new(*v, *l, *v == period_name))
                .collect(),
            categories: std::iter::once(Choice::new("", "Any category", false))
                .chain(
                    app.settings()
                        .taxonomy
                        .entries()
                        .iter()
                        .map(|c| Choice::new(c.slug.clone(), c.label.clone(), c.slug == category)),
                )
                .collect(),
            severities: std::iter::once(Choice::new("", "Any severity", false))
                .chain(Severity::ALL.iter().map(|s| {
                    Choice::new(s.as_str(), capitalise(s.as_str()), s.as_str() == severity)
                }))
                .collect(),
            tiles: tiles(&d, app.settings().reporting_currency),
            charts: charts(&d),
            by_category: d
                .kpis
                .by_category
                .iter()
                .map(|(c, n)| (app.settings().taxonomy.label(c).to_owned(), *n))
                .collect(),
            reviews_due: d
                .reviews_due
                .iter()
                .map(|r| DueRow {
                    key: r.key.clone(),
                    title: r.title.clone(),
                    summary: r.due.summary(),
                })
                .collect(),
            overdue: overdue
                .items
                .iter()
                .map(|a| OverdueRow {
                    key: a.key.to_string(),
                    title: a.action().fields.title.clone(),
                    owner: a.record.owner.name.clone(),
                    due: a
                        .action()
                        .fields
                        .due_on
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                })
                .collect(),
            overdue_total: overdue.total,
            unhomed,
            error,
        };
    render(&page, StatusCode::OK)
}

struct HitRow {
    url: String,
    source: &'static str,
    incident_key: String,
    incident_title: String,
    severity: String,
    severity_class: &'static str,
    title: Vec<(String, bool)>,
    snippet: Vec<(String, bool)>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    layout: Layout,
    q: String,
    categories: Vec<Choice>,
    severities: Vec<Choice>,
    from: String,
    to: String,
    hits: Vec<HitRow>,
    total_text: String,
    next_url: Option<String>,
    searched: bool,
    error: Option<String>,
}

async fn search_page(State(app): State<App>, viewer: Viewer, RawQuery(raw): RawQuery) -> Response {
    let raw_s = raw.clone().unwrap_or_default();
    let pairs = pairs(raw);
    let get = |n: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let q = get("q");
    let (category, severity) = (get("category"), get("severity"));
    let mut error = None;
    let mut hits = Vec::new();
    let mut total_text = String::new();
    let mut next_url = None;
    let searched = !q.trim().is_empty();
    if searched {
        match run_search(&app, &viewer.caller(), &pairs).await {
            Ok(r) => {
                total_text = if r.more {
                    "More than 1,000 matches; the newest 1,000 are ranked. Add words or filters to narrow them.".into()
                } else if r.total == 1 {
                    "1 match".into()
                } else {
                    format!("{} matches", r.total)
                };
                let offset: usize = get("offset").parse().unwrap_or(0);
                if offset + r.hits.len() < r.total {
                    let mut keep: Vec<(String, String)> = pairs
                        .iter()
                        .filter(|(k, _)| k != "offset")
                        .cloned()
                        .collect();
                    keep.push(("offset".into(), (offset + r.hits.len()).to_string()));
                    next_url = Some(format!(
                        "/search?{}",
                        serde_urlencoded::to_string(&keep).unwrap_or_default()
                    ));
                }
                hits = r
                    .hits
                    .into_iter()
                    .map(|h| {
                        let sev: Severity = h.severity.parse().unwrap_or(Severity::Low);
                        HitRow {
                            source: match h.source.as_str() {
                                "incident" => "Incident",
                                "event" => "Timeline event",
                                "review" => "Review",
                                _ => "Action",
                            },
                            url: h.url,
                            incident_key: h.incident_key,
                            incident_title: h.incident_title,
                            severity: capitalise(sev.as_str()),
                            severity_class: severity_class(sev),
                            title: snippet_parts(&h.marked_title),
                            snippet: snippet_parts(&h.marked_snippet),
                        }
                    })
                    .collect();
            }
            Err(p) => error = Some(p.0.detail),
        }
    }
    let page =
        SearchPage {
            layout: Layout::new(
                if searched {
                    format!("Search: {q}")
                } else {
                    "Search".to_owned()
                },
                "search",
                &viewer,
                format!("/search?{raw_s}"),
            ),
            categories: std::iter::once(Choice::new("", "Any category", false))
                .chain(
                    app.settings()
                        .taxonomy
                        .entries()
                        .iter()
                        .map(|c| Choice::new(c.slug.clone(), c.label.clone(), c.slug == category)),
                )
                .collect(),
            severities: std::iter::once(Choice::new("", "Any severity", false))
                .chain(Severity::ALL.iter().map(|s| {
                    Choice::new(s.as_str(), capitalise(s.as_str()), s.as_str() == severity)
                }))
                .collect(),
            from: get("from"),
            to: get("to"),
            q,
            hits,
            total_text,
            next_url,
            searched,
            error,
        };
    render(&page, StatusCode::OK)
}
