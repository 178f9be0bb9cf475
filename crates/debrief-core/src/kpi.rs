//! Key performance indicators (PRODUCT.md §9) as pure functions over plain
//! values: per-incident facts the application prepared (durations in
//! seconds, review state, workshop promptness, costs already converted to
//! the reporting currency, the incident's actions). No I/O and no clock:
//! "today" is an argument. `docs/kpis.md` defines each KPI in words; the
//! web shows the same definitions ([`definition`]) as tooltips.
//!
//! Statistics: the **median** is the middle value of the sorted values, or
//! the mean of the two middle ones (rounded down) for an even count; the
//! **90th percentile** uses the nearest-rank method (the value at rank
//! ⌈0.9 × n⌉ of the sorted values, 1-based), so it is always a value that
//! occurred; the **mean** is rounded down. An empty set has no statistics
//! (`None`, shown as "no data"), never 0.

use std::collections::BTreeMap;

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::review::ReviewStatus;
use crate::{ActionStatus, DurationName, Severity};

pub mod compare;

pub use compare::{Comparison, Side, compare_before_after};

/// The incidents a KPI, a search or a list is about: empty lists mean "any";
/// `from` is inclusive, `to` exclusive, both on the instant an incident is
/// placed in time (detected, else started, else recorded).
///
/// The store turns the same value into SQL (`debrief-store`'s
/// `scope::scope_sql`); [`IncidentScope::matches`] is the in-memory twin
/// used over cached facts. Restricted-incident visibility (accounts) is to
/// be added in both places.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct IncidentScope {
    pub categories: Vec<String>,
    pub severities: Vec<Severity>,
    pub services: Vec<String>,
    pub tags: Vec<String>,
    pub from: Option<jiff::Timestamp>,
    pub to: Option<jiff::Timestamp>,
}

impl IncidentScope {
    /// The same scope over another period.
    pub fn with_period(&self, from: Option<jiff::Timestamp>, to: Option<jiff::Timestamp>) -> Self {
        Self {
            from,
            to,
            ..self.clone()
        }
    }
    pub fn matches(&self, f: &IncidentFacts) -> bool {
        (self.categories.is_empty() || self.categories.contains(&f.category))
            && (self.severities.is_empty() || self.severities.contains(&f.severity))
            && (self.services.is_empty() || f.services.iter().any(|s| self.services.contains(s)))
            && (self.tags.is_empty() || f.tags.iter().any(|t| self.tags.contains(t)))
            && self.from.is_none_or(|from| f.at >= from)
            && self.to.is_none_or(|to| f.at < to)
    }
}

/// Median, 90th percentile, mean and count of a set of values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub n: usize,
    pub median: i64,
    pub p90: i64,
    pub mean: i64,
    pub min: i64,
    pub max: i64,
}

/// The statistics of `values` (reordered in place); `None` when empty.
pub fn stats(values: &mut [i64]) -> Option<Stats> {
    if values.is_empty() {
        return None;
    }
    let n = values.len();
    let sum: i128 = values.iter().map(|v| i128::from(*v)).sum();
    let min = values.iter().copied().min().unwrap_or_default();
    let max = values.iter().copied().max().unwrap_or_default();
    // Selection, not a sort: linear in n (the dashboard computes these over
    // every incident and action).
    let half = n / 2;
    let (lower, upper, higher) = values.select_nth_unstable(half);
    let upper = *upper;
    let median = if n % 2 == 1 {
        upper
    } else {
        let below = lower.iter().copied().max().unwrap_or(upper);
        (i128::from(below) + i128::from(upper)).div_euclid(2) as i64
    };
    let rank = nearest_rank_index(n, 90);
    let p90 = match rank.cmp(&half) {
        std::cmp::Ordering::Equal => upper,
        std::cmp::Ordering::Greater => *higher.select_nth_unstable(rank - half - 1).1,
        std::cmp::Ordering::Less => *lower.select_nth_unstable(rank).1,
    };
    Some(Stats {
        n,
        median,
        p90,
        mean: sum.div_euclid(n as i128) as i64,
        min,
        max,
    })
}

/// The `p`-th percentile of sorted, non-empty values by nearest rank.
pub fn nearest_rank(sorted: &[i64], p: u32) -> i64 {
    sorted[nearest_rank_index(sorted.len(), p)]
}

/// The 0-based index of the `p`th percentile by nearest rank among `n`
/// sorted values (`n` > 0).
fn nearest_rank_index(n: usize, p: u32) -> usize {
    (p as usize * n).div_ceil(100).clamp(1, n) - 1
}

/// A share: `count` of `of`. No share when `of` is 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Share {
    pub count: usize,
    pub of: usize,
}

impl Share {
    pub fn percent(&self) -> Option<f64> {
        (self.of > 0).then(|| self.count as f64 * 100.0 / self.of as f64)
    }
    /// "42 % (21 of 50)" or "no data".
    pub fn describe(&self) -> String {
        match self.percent() {
            Some(p) => format!("{p:.0} % ({} of {})", self.count, self.of),
            None => "no data".into(),
        }
    }
}

/// How the lessons-learned workshop of a closed incident went against the
/// workshop policy (from `workshop::calendar::review_due`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WorkshopFacts {
    /// Days from the closure date to the first workshop held (or, when none
    /// was held yet, the next one scheduled).
    pub days_to_workshop: Option<i64>,
    /// Held or scheduled on or before the due date.
    pub within_policy: bool,
}

/// An action of an incident, as the KPIs need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionFacts {
    pub status: ActionStatus,
    pub created_on: Date,
    pub due_on: Option<Date>,
    pub done_on: Option<Date>,
    /// The day it was verified, if it was.
    pub verified_on: Option<Date>,
}

/// One incident, as the KPIs need it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentFacts {
    pub key: String,
    /// Where the incident sits in time: detected, else started, else recorded.
    pub at: jiff::Timestamp,
    /// `at` as a date in the organisation's zone (for monthly series).
    pub on: Date,
    pub category: String,
    pub severity: Severity,
    pub services: Vec<String>,
    pub tags: Vec<String>,
    pub closed: bool,
    /// Seconds, indexed like [`DurationName::ALL`].
    pub durations: [Option<i64>; 7],
    pub review: Option<ReviewStatus>,
    /// Whether the review says this incident recurs an earlier one
    /// (`None`: not answered).
    pub recurrence: Option<bool>,
    pub workshop: Option<WorkshopFacts>,
    /// The total impact cost in the reporting currency, when it has costs
    /// and every rate they need.
    pub cost: Option<Decimal>,
    /// It has costs but a rate is missing, so it has no total.
    pub cost_missing_rate: bool,
    /// Cause categories named in its review.
    pub cause_categories: Vec<String>,
    pub actions: Vec<ActionFacts>,
}

/// The action KPIs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionKpis {
    pub total: usize,
    /// Open, in progress or blocked.
    pub open: usize,
    /// Open with a due date before today.
    pub overdue: usize,
    /// Done or verified on or before the due date, of those done or
    /// verified that had one.
    pub closed_on_time: Share,
    /// Days from creation to done.
    pub days_to_complete: Option<Stats>,
    /// Verified, of those done or verified.
    pub verified: Share,
}

/// Cost per incident in the reporting currency.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostKpi {
    pub total: Decimal,
    /// Incidents whose total is known.
    pub incidents: usize,
    /// Incidents with costs whose total could not be computed (a rate is
    /// missing): left out, and said so.
    pub missing_rate: usize,
    /// `total ÷ incidents`, rounded to cents half to even.
    pub per_incident: Option<Decimal>,
}

/// Every KPI for one set of incidents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kpis {
    pub incidents: usize,
    /// By category, most frequent first (ties by name).
    pub by_category: Vec<(String, usize)>,
    /// Critical first.
    pub by_severity: Vec<(Severity, usize)>,
    /// Each duration of PRODUCT.md §2, in seconds.
    pub durations: Vec<(DurationName, Option<Stats>)>,
    /// Closed incidents with an approved review, of closed incidents.
    pub review_coverage: Share,
    /// Days from closure to the lessons-learned workshop.
    pub closure_to_workshop_days: Option<Stats>,
    /// Closed incidents whose workshop was within policy, of closed ones.
    pub workshop_within_policy: Share,
    pub actions: ActionKpis,
    /// Reviews that say "recurrence", of reviews that answered.
    pub recurrence: Share,
    pub cost: CostKpi,
}

impl Kpis {
    pub fn duration(&self, name: DurationName) -> Option<Stats> {
        self.durations
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, s)| *s)
    }
}

/// Computes every KPI over `incidents`; `today` decides what is overdue.
pub fn compute<'a>(incidents: impl IntoIterator<Item = &'a IncidentFacts>, today: Date) -> Kpis {
    let incidents: Vec<&IncidentFacts> = incidents.into_iter().collect();
    let mut by_category: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_severity = [0usize; 4];
    let mut durations: [Vec<i64>; 7] = Default::default();
    let mut coverage = Share::default();
    let mut to_workshop = Vec::new();
    let mut within = Share::default();
    let mut recurrence = Share::default();
    let mut cost = CostKpi {
        total: Decimal::ZERO,
        incidents: 0,
        missing_rate: 0,
        per_incident: None,
    };
    let mut actions = Vec::new();
    for i in &incidents {
        *by_category.entry(i.category.as_str()).or_default() += 1;
        by_severity[i.severity.rank() as usize] += 1;
        for (k, d) in i.durations.iter().enumerate() {
            if let Some(d) = d {
                durations[k].push(*d);
            }
        }
        if i.closed {
            coverage.of += 1;
            if i.review == Some(ReviewStatus::Approved) {
                coverage.count += 1;
            }
            within.of += 1;
            if let Some(w) = i.workshop {
                if w.within_policy {
                    within.count += 1;
                }
                if let Some(d) = w.days_to_workshop {
                    to_workshop.push(d);
                }
            }
        }
        if let Some(r) = i.recurrence {
            recurrence.of += 1;
            if r {
                recurrence.count += 1;
            }
        }
        if let Some(c) = i.cost {
            cost.total += c;
            cost.incidents += 1;
        } else if i.cost_missing_rate {
            cost.missing_rate += 1;
        }
        actions.extend(i.actions.iter());
    }
    if cost.incidents > 0 {
        cost.per_incident = Some(
            (cost.total / Decimal::from(cost.incidents as u64))
                .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointNearestEven),
        );
    }
    let mut by_category: Vec<(String, usize)> = by_category
        .into_iter()
        .map(|(c, n)| (c.to_owned(), n))
        .collect();
    by_category.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Kpis {
        incidents: incidents.len(),
        by_category,
        by_severity: Severity::ALL
            .into_iter()
            .map(|s| (s, by_severity[s.rank() as usize]))
            .collect(),
        durations: DurationName::ALL
            .into_iter()
            .zip(durations.iter_mut())
            .map(|(n, v)| (n, stats(v)))
            .collect(),
        review_coverage: coverage,
        closure_to_workshop_days: stats(&mut to_workshop),
        workshop_within_policy: within,
        actions: action_kpis(actions, today),
        recurrence,
        cost,
    }
}

/// The action KPIs over `actions`.
pub fn action_kpis<'a>(
    actions: impl IntoIterator<Item = &'a ActionFacts>,
    today: Date,
) -> ActionKpis {
    let mut k = ActionKpis {
        total: 0,
        open: 0,
        overdue: 0,
        closed_on_time: Share::default(),
        days_to_complete: None,
        verified: Share::default(),
    };
    let mut days = Vec::new();
    for a in actions {
        k.total += 1;
        match a.status {
            ActionStatus::Open | ActionStatus::InProgress | ActionStatus::Blocked => {
                k.open += 1;
                if a.due_on.is_some_and(|d| d < today) {
                    k.overdue += 1;
                }
            }
            ActionStatus::Done | ActionStatus::Verified => {
                k.verified.of += 1;
                if a.status == ActionStatus::Verified {
                    k.verified.count += 1;
                }
                if let (Some(due), Some(done)) = (a.due_on, a.done_on) {
                    k.closed_on_time.of += 1;
                    if done <= due {
                        k.closed_on_time.count += 1;
                    }
                }
                if let Some(done) = a.done_on {
                    days.push(days_between(a.created_on, done));
                }
            }
            ActionStatus::Cancelled => {}
        }
    }
    k.days_to_complete = stats(&mut days);
    k
}

/// Whole days from `a` to `b` (negative when `b` is earlier).
pub fn days_between(a: Date, b: Date) -> i64 {
    day_number(b) - day_number(a)
}

/// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's
/// `days_from_civil`): plain arithmetic, where a calendar span costs a
/// hundred times more over hundreds of thousands of actions.
pub fn day_number(d: Date) -> i64 {
    let (m, day) = (i64::from(d.month()), i64::from(d.day()));
    let y = i64::from(d.year()) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// One month of the trend series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthPoint {
    /// The first day of the month.
    pub month: Date,
    pub incidents: usize,
    pub time_to_contain: Option<Stats>,
    pub time_to_recover: Option<Stats>,
    pub review_coverage: Share,
    pub recurrence: Share,
}

/// Monthly series from the month of `first` to the month of `last`
/// (inclusive; empty months included, with no data), by each incident's
/// date in the organisation's zone.
pub fn monthly<'a>(
    incidents: impl IntoIterator<Item = &'a IncidentFacts>,
    first: Date,
    last: Date,
) -> Vec<MonthPoint> {
    let start = first.first_of_month();
    let end = last.first_of_month();
    let mut months: BTreeMap<Date, Vec<&IncidentFacts>> = BTreeMap::new();
    let mut m = start;
    while m <= end {
        months.insert(m, Vec::new());
        m = match m.checked_add(jiff::Span::new().months(1)) {
            Ok(n) => n,
            Err(_) => break,
        };
    }
    for i in incidents {
        if let Some(v) = months.get_mut(&i.on.first_of_month()) {
            v.push(i);
        }
    }
    months
        .into_iter()
        .map(|(month, v)| {
            let mut contain: Vec<i64> = v
                .iter()
                .filter_map(|i| i.durations[DurationName::TimeToContain as usize])
                .collect();
            let mut recover: Vec<i64> = v
                .iter()
                .filter_map(|i| i.durations[DurationName::TimeToRecover as usize])
                .collect();
            let closed = v.iter().filter(|i| i.closed);
            let review_coverage = Share {
                count: closed
                    .clone()
                    .filter(|i| i.review == Some(ReviewStatus::Approved))
                    .count(),
                of: closed.count(),
            };
            let recurrence = Share {
                count: v.iter().filter(|i| i.recurrence == Some(true)).count(),
                of: v.iter().filter(|i| i.recurrence.is_some()).count(),
            };
            MonthPoint {
                month,
                incidents: v.len(),
                time_to_contain: stats(&mut contain),
                time_to_recover: stats(&mut recover),
                review_coverage,
                recurrence,
            }
        })
        .collect()
}

/// The change of a value against the previous period, for a tile:
/// `None` when either side has no data.
pub fn change(current: Option<f64>, previous: Option<f64>) -> Option<f64> {
    Some(current? - previous?)
}

/// Cause categories named most often, with how many incidents named each
/// (most first, ties by name).
pub fn top_causes<'a>(
    incidents: impl IntoIterator<Item = &'a IncidentFacts>,
    n: usize,
) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for i in incidents {
        let mut seen: Vec<&str> = i.cause_categories.iter().map(String::as_str).collect();
        seen.sort_unstable();
        seen.dedup();
        for c in seen {
            *counts.entry(c).or_default() += 1;
        }
    }
    let mut v: Vec<(String, usize)> = counts.into_iter().map(|(c, k)| (c.to_owned(), k)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.truncate(n);
    v
}

/// The definition of a KPI by its name, as `docs/kpis.md` words it (shown
/// as a tooltip).
pub fn definition(name: &str) -> &'static str {
    match name {
        "incidents" => {
            "Incidents detected in the period (else started, else recorded), by category and severity."
        }
        "time_to_detect" => {
            "Started → detected (dwell time): median, 90th percentile (nearest rank), mean and n over incidents with both ends."
        }
        "time_to_acknowledge" => {
            "Detected → acknowledged: median, 90th percentile (nearest rank), mean and n."
        }
        "time_to_contain" => {
            "Detected → contained: median, 90th percentile (nearest rank), mean and n."
        }
        "time_to_eradicate" => {
            "Detected → eradicated: median, 90th percentile (nearest rank), mean and n."
        }
        "time_to_recover" => {
            "Started → recovered (impact duration): median, 90th percentile (nearest rank), mean and n."
        }
        "time_to_close" => "Detected → closed: median, 90th percentile (nearest rank), mean and n.",
        "time_to_review" => {
            "Closed → first lessons-learned workshop held: median, 90th percentile (nearest rank), mean and n."
        }
        "review_coverage" => {
            "Closed incidents whose review is approved, of all closed incidents in the period."
        }
        "closure_to_workshop" => {
            "Days from the closure date to the first lessons-learned workshop held (else the next scheduled), in the organisation's zone."
        }
        "workshop_within_policy" => {
            "Closed incidents whose lessons-learned workshop was held or is scheduled by the due date of the workshop policy, of all closed incidents."
        }
        "actions_open" => {
            "Actions of the period's incidents that are open, in progress or blocked."
        }
        "actions_overdue" => {
            "Open actions whose due date is before today in the organisation's zone."
        }
        "actions_on_time" => {
            "Actions done or verified on or before their due date, of those done or verified that had one."
        }
        "days_to_complete" => "Days from an action's creation to done: median and n.",
        "actions_verified" => "Verified actions, of actions done or verified.",
        "recurrence" => {
            "Reviews that record the incident as a recurrence of an earlier one, of reviews that answered the question."
        }
        "cost_per_incident" => {
            "Total impact cost in the reporting currency ÷ incidents with a known total; incidents missing an exchange rate are left out and counted."
        }
        _ => "",
    }
}

#[cfg(test)]
mod tests;
