//! The programme report (PRODUCT.md §9, §10): the use case gathers a
//! [`ProgrammeInput`] from the cached KPI facts the caller may see (a
//! restricted incident never counts for a non-member), and
//! `debrief-report` renders it as Markdown or HTML; JSON is the input
//! itself.

use std::collections::BTreeMap;

use debrief_core::kpi::{self, IncidentFacts, IncidentScope};
use debrief_core::review::CauseCategory;
use debrief_core::{ActionStatus, FieldError, FieldErrors, Money};
use debrief_report::{
    ActionPerformance, Improvement, ProgrammeInput, RecurringIncident, programme_html,
    programme_markdown,
};
use debrief_store::Visibility;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::{App, AppError};

/// How long before and after a verified action "did it work?" looks.
pub const IMPROVEMENT_WINDOW_DAYS: i64 = 180;

/// The period a programme report covers: whole days in the organisation's
/// zone, both inclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgrammePeriod {
    pub label: String,
    pub first: Date,
    pub last: Date,
}

/// The programme report's formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgrammeFormat {
    Markdown,
    Html,
    Json,
}

impl std::str::FromStr for ProgrammeFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "md" | "markdown" => Ok(Self::Markdown),
            "html" => Ok(Self::Html),
            "json" => Ok(Self::Json),
            other => Err(format!(
                "unknown format `{other}`; expected md, html or json"
            )),
        }
    }
}

impl ProgrammeFormat {
    pub fn extension(self) -> &'static str {
        match self {
            Self::Markdown => "md",
            Self::Html => "html",
            Self::Json => "json",
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Markdown => "text/markdown; charset=utf-8",
            Self::Html => "text/html; charset=utf-8",
            Self::Json => "application/json",
        }
    }
}

fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::Invalid(FieldErrors::from(FieldError::new(field, message)))
}

fn parse_date(field: &str, v: &str) -> Result<Date, FieldError> {
    v.trim().parse::<Date>().map_err(|_| {
        FieldError::new(
            field,
            format!("`{v}` is not a date; write it as YYYY-MM-DD, e.g. 2026-07-01"),
        )
    })
}

fn add_months(d: Date, months: i32) -> Option<Date> {
    d.checked_add(jiff::Span::new().months(months)).ok()
}

fn nonempty(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|v| !v.is_empty())
}

impl ProgrammePeriod {
    /// A period from `--from`/`--to` (dates), `--quarter 2026Q3` or
    /// `--year 2026`; exactly one of the three ways. Errors name the field.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        quarter: Option<&str>,
        year: Option<&str>,
    ) -> Result<Self, AppError> {
        let (from, to, quarter, year) = (
            nonempty(from),
            nonempty(to),
            nonempty(quarter),
            nonempty(year),
        );
        let ways = usize::from(from.is_some() || to.is_some())
            + usize::from(quarter.is_some())
            + usize::from(year.is_some());
        if ways > 1 {
            return Err(invalid(
                "period",
                "give either from and to, a quarter or a year, not several",
            ));
        }
        if let Some(q) = quarter {
            let bad = || {
                invalid(
                    "quarter",
                    format!("`{q}` is not a quarter; write it as 2026Q3"),
                )
            };
            let (y, n) = q
                .to_ascii_uppercase()
                .split_once('Q')
                .map(|(y, n)| (y.trim_end_matches('-').to_owned(), n.to_owned()))
                .ok_or_else(bad)?;
            let y: i16 = y.parse().map_err(|_| bad())?;
            let n: i8 = n.parse().map_err(|_| bad())?;
            if !(1..=4).contains(&n) || !(1900..=9998).contains(&y) {
                return Err(bad());
            }
            let first = Date::new(y, (n - 1) * 3 + 1, 1).map_err(|_| bad())?;
            let last = add_months(first, 3)
                .and_then(|d| d.yesterday().ok())
                .ok_or_else(bad)?;
            return Ok(Self {
                label: format!("{y} Q{n}"),
                first,
                last,
            });
        }
        if let Some(y) = year {
            let bad = || invalid("year", format!("`{y}` is not a year; write it as 2026"));
            let n: i16 = y.parse().map_err(|_| bad())?;
            if !(1900..=9998).contains(&n) {
                return Err(bad());
            }
            return Ok(Self {
                label: n.to_string(),
                first: Date::new(n, 1, 1).map_err(|_| bad())?,
                last: Date::new(n, 12, 31).map_err(|_| bad())?,
            });
        }
        let (Some(from), Some(to)) = (from, to) else {
            return Err(invalid(
                if from.is_none() { "from" } else { "to" },
                "give the period's first day (from) and last day (to), or a quarter (2026Q3) or a year",
            ));
        };
        // Both days read before either is refused, so both are named.
        let (first, last) = match (parse_date("from", from), parse_date("to", to)) {
            (Ok(f), Ok(l)) => (f, l),
            (f, l) => {
                return Err(AppError::Invalid(FieldErrors(
                    [f.err(), l.err()].into_iter().flatten().collect(),
                )));
            }
        };
        if last < first {
            return Err(invalid(
                "to",
                format!("the last day {last} is before the first day {first}"),
            ));
        }
        if first.until(last).map(|s| s.get_days()).unwrap_or(0) > 3660 {
            return Err(invalid("to", "a programme report covers at most ten years"));
        }
        Ok(Self {
            label: format!(
                "{} – {}",
                first.strftime("%-d %b %Y"),
                last.strftime("%-d %b %Y")
            ),
            first,
            last,
        })
    }

    /// The previous period of the same length: the same number of whole
    /// months when the period is whole months (so Q3 compares with Q2),
    /// else the same number of days.
    pub fn previous(&self) -> (Date, Date) {
        let day_before = self.first.yesterday().unwrap_or(self.first);
        let next = self.last.tomorrow().unwrap_or(self.last);
        if self.first.day() == 1 && next.day() == 1 {
            let months = (i32::from(next.year()) - i32::from(self.first.year())) * 12
                + i32::from(next.month())
                - i32::from(self.first.month());
            if let Some(first) = add_months(self.first, -months) {
                return (first, day_before);
            }
        }
        let days = self.first.until(next).map(|s| s.get_days()).unwrap_or(1);
        let first = self
            .first
            .checked_sub(jiff::Span::new().days(days))
            .unwrap_or(self.first);
        (first, day_before)
    }
}

/// Midnight at the start of `d` in `zone`.
fn start_of(d: Date, zone: &TimeZone) -> Result<jiff::Timestamp, AppError> {
    d.to_zoned_datetime(zone.clone())
        .map(|z| z.timestamp())
        .map_err(|e| invalid("period", format!("{d} has no start in the zone: {e}")))
}

impl App {
    /// The programme report's content for `period`, as `visibility` lets
    /// its holder see it.
    pub async fn programme(
        &self,
        period: &ProgrammePeriod,
        visibility: &Visibility,
    ) -> Result<ProgrammeInput, AppError> {
        let facts = self.visible_facts(visibility).await?;
        let zone = self.settings().time_zone.clone();
        let (prev_first, prev_last) = period.previous();
        let from = start_of(period.first, &zone)?;
        let to = start_of(period.last.tomorrow().unwrap_or(period.last), &zone)?;
        let prev_from = start_of(prev_first, &zone)?;
        let scope = IncidentScope::default().with_period(Some(from), Some(to));
        let prev_scope = IncidentScope::default().with_period(Some(prev_from), Some(from));
        let all: Vec<&IncidentFacts> = facts.incidents.iter().map(|c| &c.facts).collect();
        let current: Vec<&IncidentFacts> =
            all.iter().copied().filter(|f| scope.matches(f)).collect();
        let kpis = kpi::compute(current.iter().copied(), facts.today);
        let previous = kpi::compute(
            all.iter().copied().filter(|f| prev_scope.matches(f)),
            facts.today,
        );
        let trend = kpi::monthly(current.iter().copied(), period.first, period.last);
        let taxonomy = &self.settings().taxonomy;
        let mut category_labels = BTreeMap::new();
        for (c, _) in kpis.by_category.iter().chain(previous.by_category.iter()) {
            category_labels.insert(c.clone(), taxonomy.label(c).to_owned());
        }
        let top_causes = kpi::top_causes(current.iter().copied(), 10)
            .into_iter()
            .map(|(c, n)| {
                let label = c
                    .parse::<CauseCategory>()
                    .map(|k| k.label().to_owned())
                    .unwrap_or(c);
                (label, n)
            })
            .collect();
        let recurring = facts
            .incidents
            .iter()
            .filter(|c| scope.matches(&c.facts) && c.facts.recurrence == Some(true))
            .map(|c| RecurringIncident {
                key: c.facts.key.clone(),
                title: c.title.clone(),
                category: taxonomy.label(&c.facts.category).to_owned(),
            })
            .collect();
        // Overdue is judged at the period's end, or today when it has not ended.
        let judged_on = period.last.min(facts.today);
        let in_period = |d: Date| d >= period.first && d <= period.last;
        let mut actions = ActionPerformance::default();
        let mut days = Vec::new();
        for a in all.iter().flat_map(|f| f.actions.iter()) {
            let open = matches!(
                a.status,
                ActionStatus::Open | ActionStatus::InProgress | ActionStatus::Blocked
            );
            if in_period(a.created_on) {
                actions.opened += 1;
                if open {
                    actions.still_open += 1;
                }
            }
            if let Some(done) = a.done_on.filter(|d| in_period(*d))
                && matches!(a.status, ActionStatus::Done | ActionStatus::Verified)
            {
                actions.closed += 1;
                days.push(kpi::days_between(a.created_on, done));
                if let Some(due) = a.due_on {
                    actions.closed_on_time.of += 1;
                    if done <= due {
                        actions.closed_on_time.count += 1;
                    }
                }
            }
            if a.verified_on.is_some_and(in_period) {
                actions.verified += 1;
            }
            if open && a.created_on <= judged_on && a.due_on.is_some_and(|d| d < judged_on) {
                actions.overdue += 1;
            }
        }
        actions.days_to_close = kpi::stats(&mut days);
        // "Did it work?" for actions verified in the period (one per
        // incident category and day; of the newest 50, those with enough
        // incidents on both sides first, then the newest).
        let now = self.now();
        let window = jiff::SignedDuration::from_hours(24 * IMPROVEMENT_WINDOW_DAYS);
        let mut verified: Vec<(Date, &crate::learning::CachedIncident)> = facts
            .incidents
            .iter()
            .flat_map(|c| {
                c.facts
                    .actions
                    .iter()
                    .filter_map(move |a| a.verified_on.filter(|d| in_period(*d)).map(|d| (d, &**c)))
            })
            .collect();
        verified.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.facts.key.cmp(&b.1.facts.key)));
        verified.dedup_by(|a, b| a.0 == b.0 && a.1.facts.category == b.1.facts.category);
        let mut improvements: Vec<Improvement> = verified
            .into_iter()
            .take(50)
            .map(|(on, c)| {
                let at = start_of(on, &zone).unwrap_or(now);
                let same: Vec<&IncidentFacts> = all
                    .iter()
                    .copied()
                    .filter(|f| f.category == c.facts.category)
                    .collect();
                Improvement {
                    subject: format!("An action of {} verified on {on}", c.facts.key),
                    category: taxonomy.label(&c.facts.category).to_owned(),
                    comparison: kpi::compare_before_after(&same, at, window, now),
                }
            })
            .collect();
        // Stable: within each group the newest stay first.
        improvements.sort_by_key(|i| !i.comparison.enough_data);
        improvements.truncate(10);
        let currency = self.settings().reporting_currency;
        let money = |k: &kpi::Kpis| {
            k.cost
                .per_incident
                .map(|c| Money::new_rounded(c, currency).to_string())
        };
        Ok(ProgrammeInput {
            label: period.label.clone(),
            first_day: period.first,
            last_day: period.last,
            previous_first_day: prev_first,
            previous_last_day: prev_last,
            cost_per_incident: money(&kpis),
            previous_cost_per_incident: money(&previous),
            kpis,
            previous,
            trend,
            category_labels,
            top_causes,
            recurring,
            actions,
            improvements,
            restricted_excluded: !matches!(visibility, Visibility::All),
            generated_at: now,
            zone,
        })
    }

    /// The programme report rendered in `format`.
    pub async fn programme_report(
        &self,
        period: &ProgrammePeriod,
        format: ProgrammeFormat,
        visibility: &Visibility,
    ) -> Result<String, AppError> {
        let input = self.programme(period, visibility).await?;
        Ok(match format {
            ProgrammeFormat::Markdown => programme_markdown(&input),
            ProgrammeFormat::Html => programme_html(&input),
            ProgrammeFormat::Json => serde_json::to_string_pretty(&input)
                .map_err(|e| AppError::Store(debrief_store::StoreError::Corrupt(e.to_string())))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quarter_is_its_three_months_and_compares_with_the_one_before() {
        let p = ProgrammePeriod::parse(None, None, Some("2026Q3"), None).unwrap();
        assert_eq!(p.label, "2026 Q3");
        assert_eq!(p.first.to_string(), "2026-07-01");
        assert_eq!(p.last.to_string(), "2026-09-30");
        let (f, l) = p.previous();
        assert_eq!(
            (f.to_string(), l.to_string()),
            ("2026-04-01".into(), "2026-06-30".into())
        );
    }

    #[test]
    fn a_year_and_free_dates_work_and_bad_ones_name_their_field() {
        let y = ProgrammePeriod::parse(None, None, None, Some("2026")).unwrap();
        assert_eq!(y.previous().0.to_string(), "2025-01-01");
        let d = ProgrammePeriod::parse(Some("2026-07-10"), Some("2026-07-19"), None, None).unwrap();
        assert_eq!(d.previous().0.to_string(), "2026-06-30");
        assert_eq!(d.previous().1.to_string(), "2026-07-09");
        let field = |e: AppError| match e {
            AppError::Invalid(f) => f.0[0].field.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(
                ProgrammePeriod::parse(Some("2026-07-10"), Some("2026-07-01"), None, None)
                    .unwrap_err()
            ),
            "to"
        );
        assert_eq!(
            field(
                ProgrammePeriod::parse(Some("July"), Some("2026-07-01"), None, None).unwrap_err()
            ),
            "from"
        );
        assert_eq!(
            field(ProgrammePeriod::parse(None, None, Some("2026Q5"), None).unwrap_err()),
            "quarter"
        );
        assert_eq!(
            field(ProgrammePeriod::parse(None, None, None, None).unwrap_err()),
            "from"
        );
    }
}
