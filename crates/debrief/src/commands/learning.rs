//! `debrief search` and `debrief kpi`: learning across incidents from the
//! shell (PRODUCT.md §9), the same use cases as the dashboard and the API.

use debrief_app::{App, AppError};
use debrief_core::kpi::{IncidentScope, Share, Stats};
use debrief_core::lifecycle::human_duration;
use debrief_core::{FieldError, FieldErrors, Precision, Severity};
use debrief_store::learning::{MARK_END, MARK_START};

use crate::cli::{KpiArgs, ScopeArgs, SearchArgs};
use crate::output;

fn invalid(field: &str, message: impl Into<String>) -> anyhow::Error {
    AppError::Invalid(FieldErrors::from(FieldError::new(field, message))).into()
}

fn day(app: &App, field: &str, v: &str, next: bool) -> anyhow::Result<jiff::Timestamp> {
    let d: jiff::civil::Date = v
        .trim()
        .parse()
        .map_err(|_| invalid(field, format!("`{v}` is not a date like 2026-07-01")))?;
    let d = if next { d.tomorrow()? } else { d };
    Ok(d.to_zoned_datetime(app.settings().time_zone.clone())?
        .timestamp())
}

fn scope(app: &App, a: &ScopeArgs) -> anyhow::Result<IncidentScope> {
    let mut severities = Vec::new();
    for s in &a.severity {
        severities.push(
            s.parse::<Severity>()
                .map_err(|e| invalid("--severity", e))?,
        );
    }
    for c in &a.category {
        if app
            .settings()
            .taxonomy
            .entries()
            .iter()
            .all(|e| e.slug != *c)
        {
            return Err(invalid("--category", format!("unknown category `{c}`")));
        }
    }
    Ok(IncidentScope {
        categories: a.category.clone(),
        severities,
        services: a.service.clone(),
        tags: a.tag.clone(),
        from: a
            .from
            .as_deref()
            .map(|v| day(app, "--from", v, false))
            .transpose()?,
        to: a
            .to
            .as_deref()
            .map(|v| day(app, "--to", v, true))
            .transpose()?,
    })
}

fn plain(s: &str) -> String {
    s.replace([MARK_START, MARK_END], "")
}

/// Matches shown between `*` in the table (the terminal has no `<mark>`).
fn starred(s: &str) -> String {
    s.replace([MARK_START, MARK_END], "*")
}

pub async fn search(app: &App, args: SearchArgs) -> anyhow::Result<()> {
    let scope = scope(app, &args.scope)?;
    let r = app
        .search(
            &args.query.join(" "),
            scope,
            args.limit,
            0,
            &debrief_store::Visibility::All,
        )
        .await?;
    if args.json {
        let hits: Vec<serde_json::Value> = r
            .hits
            .iter()
            .map(|h| {
                serde_json::json!({
                    "source": h.source.as_str(), "source_id": h.source_id,
                    "incident_key": h.incident_key, "incident_title": h.incident_title,
                    "severity": h.severity.as_str(), "category": h.category,
                    "at": h.at.to_string(), "title": plain(&h.title),
                    "snippet": plain(&h.snippet), "score": h.score,
                })
            })
            .collect();
        output::print(&output::to_json(&serde_json::json!({
            "total": r.total, "more": r.more, "hits": hits,
        })))?;
    } else {
        let rows: Vec<Vec<String>> = r
            .hits
            .iter()
            .map(|h| {
                vec![
                    h.incident_key.clone(),
                    h.source.as_str().to_owned(),
                    if h.title.is_empty() {
                        h.incident_title.clone()
                    } else {
                        starred(&h.title)
                    },
                    starred(&h.snippet),
                ]
            })
            .collect();
        output::print(&output::table(&["INCIDENT", "IN", "TITLE", "MATCH"], &rows))?;
        let more = if r.more {
            "more than 1,000 matches; the newest 1,000 ranked".to_owned()
        } else {
            format!("{} matches", r.total)
        };
        eprintln!("{more}");
    }
    Ok(())
}

fn stat(s: Option<Stats>) -> String {
    match s {
        Some(s) => format!(
            "median {}, p90 {}, mean {}, n {}",
            human_duration(s.median, Precision::Minute),
            human_duration(s.p90, Precision::Minute),
            human_duration(s.mean, Precision::Minute),
            s.n
        ),
        None => "no data".into(),
    }
}

fn share(s: Share) -> String {
    s.describe()
}

pub async fn kpi(app: &App, args: KpiArgs) -> anyhow::Result<()> {
    let scope = scope(app, &args.scope)?;
    let k = app.kpis(&scope, &debrief_store::Visibility::All).await?;
    if args.json {
        output::print(&output::to_json(&k))?;
        return Ok(());
    }
    let mut rows: Vec<Vec<String>> = vec![vec!["incidents".into(), k.incidents.to_string()]];
    for (n, s) in &k.durations {
        rows.push(vec![n.as_str().into(), stat(*s)]);
    }
    rows.push(vec!["review_coverage".into(), share(k.review_coverage)]);
    rows.push(vec![
        "closure_to_workshop_days".into(),
        match k.closure_to_workshop_days {
            Some(s) => format!("median {}, p90 {}, n {}", s.median, s.p90, s.n),
            None => "no data".into(),
        },
    ]);
    rows.push(vec![
        "workshop_within_policy".into(),
        share(k.workshop_within_policy),
    ]);
    rows.push(vec!["actions_open".into(), k.actions.open.to_string()]);
    rows.push(vec![
        "actions_overdue".into(),
        k.actions.overdue.to_string(),
    ]);
    rows.push(vec![
        "actions_on_time".into(),
        share(k.actions.closed_on_time),
    ]);
    rows.push(vec![
        "days_to_complete".into(),
        match k.actions.days_to_complete {
            Some(s) => format!("median {}, n {}", s.median, s.n),
            None => "no data".into(),
        },
    ]);
    rows.push(vec!["actions_verified".into(), share(k.actions.verified)]);
    rows.push(vec!["recurrence".into(), share(k.recurrence)]);
    rows.push(vec![
        "cost_per_incident".into(),
        match k.cost.per_incident {
            Some(c) => format!(
                "{c} {} over {} incidents ({} missing a rate)",
                app.settings().reporting_currency.code(),
                k.cost.incidents,
                k.cost.missing_rate
            ),
            None => "no data".into(),
        },
    ]);
    output::print(&output::table(&["KPI", "VALUE"], &rows))?;
    Ok(())
}
