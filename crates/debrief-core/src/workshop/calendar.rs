//! Promptness (PRODUCT.md §8): within how many days after closure the
//! lessons-learned workshop must be held, counted in business days (Monday
//! to Friday, less the organisation's holidays) or calendar days, on dates
//! in the organisation's time zone. Pure: "today" and the zone are
//! arguments.

use std::collections::BTreeSet;

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::review::string_enum;
use crate::{FieldErrors, Precision, Severity, Timestamp};

string_enum!(
    /// How days are counted.
    DayUnit, "day unit" {
        Business => "business", "business days",
        Calendar => "calendar", "calendar days",
    }
);

/// A day the organisation does not work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    pub date: Date,
    pub name: String,
}

impl Holiday {
    /// Checks a date typed as `YYYY-MM-DD` and a name.
    pub fn parse(date: &str, name: &str) -> Result<Self, FieldErrors> {
        let mut e = FieldErrors::default();
        let d = date.trim();
        let parsed = match d.parse::<Date>() {
            Ok(day) if d.len() == 10 => Some(day),
            _ if d.is_empty() => {
                e.push("date", "enter the day, like 2026-12-25");
                None
            }
            _ => {
                e.push("date", format!("`{d}` is not a date like 2026-12-25"));
                None
            }
        };
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            e.push("name", "name the holiday, like “Christmas Day”");
        } else if name.chars().count() > 100 {
            e.push("name", "at most 100 characters");
        }
        match parsed {
            Some(date) if e.is_empty() => Ok(Self { date, name }),
            _ => Err(e),
        }
    }
}

/// The organisation's holidays, for counting business days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holidays(BTreeSet<Date>);

impl Holidays {
    pub fn new(days: impl IntoIterator<Item = Date>) -> Self {
        Self(days.into_iter().collect())
    }
    pub fn contains(&self, d: Date) -> bool {
        self.0.contains(&d)
    }
}

/// Monday to Friday and not a holiday.
pub fn is_business_day(d: Date, holidays: &Holidays) -> bool {
    !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) && !holidays.contains(d)
}

/// The `n`th business day after `from` (`from` itself does not count: a
/// workshop due "within 5 business days" of a Friday closure is due on the
/// next Friday). `n = 0` is `from`.
pub fn add_business_days(from: Date, n: u32, holidays: &Holidays) -> Date {
    let mut day = from;
    let mut left = n;
    while left > 0 {
        match day.tomorrow() {
            Ok(next) => day = next,
            Err(_) => return day,
        }
        if is_business_day(day, holidays) {
            left -= 1;
        }
    }
    day
}

/// Within how many days of closure incidents of a severity are reviewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromptnessRule {
    pub severity: Severity,
    pub days: u32,
    pub unit: DayUnit,
}

impl PromptnessRule {
    pub fn new(severity: Severity, days: u32, unit: DayUnit) -> Self {
        Self {
            severity,
            days,
            unit,
        }
    }
    /// The last day a workshop is on time for an incident closed on `closed`.
    pub fn due_on(&self, closed: Date, holidays: &Holidays) -> Date {
        match self.unit {
            DayUnit::Business => add_business_days(closed, self.days, holidays),
            DayUnit::Calendar => closed
                .checked_add(jiff::Span::new().days(i64::from(self.days)))
                .unwrap_or(closed),
        }
    }
    /// "5 business days", "3 calendar days".
    pub fn describe(&self) -> String {
        let unit = self.unit.label();
        if self.days == 1 {
            format!("1 {}", unit.trim_end_matches('s'))
        } else {
            format!("{} {unit}", self.days)
        }
    }
}

/// The day an incident closed, as the organisation counts it: a date-only
/// value is that date (never shifted into another day); an instant is
/// read in the organisation's zone.
pub fn closure_date(closed: Timestamp, zone: &TimeZone) -> Date {
    if closed.precision() == Precision::Day {
        closed.local_date()
    } else {
        closed.instant().to_zoned_datetime(zone.clone()).date()
    }
}

/// When the lessons-learned workshop of a closed incident is due, and
/// where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewDue {
    pub closed_on: Date,
    pub due_on: Date,
    /// "3 calendar days" …
    pub rule: String,
    /// The first lessons-learned workshop held, as a date in the zone.
    pub held_on: Option<Date>,
    /// The next one still scheduled (when none was held yet).
    pub scheduled_on: Option<Date>,
    /// Held after the due date, scheduled after it, or not held by now
    /// although the due date has passed.
    pub late: bool,
    /// Nothing held and nothing scheduled.
    pub unscheduled: bool,
}

impl ReviewDue {
    /// One line for people: "review due by 2026-09-29 (3 calendar days
    /// after closure) — held on 2026-09-29".
    pub fn summary(&self) -> String {
        let mut s = format!(
            "review due by {} ({} after closure on {})",
            self.due_on, self.rule, self.closed_on
        );
        match (self.held_on, self.scheduled_on) {
            (Some(h), _) if self.late => s.push_str(&format!(" — held late, on {h}")),
            (Some(h), _) => s.push_str(&format!(" — held on {h}, within policy")),
            (None, Some(d)) if self.late => s.push_str(&format!(" — late: scheduled for {d}")),
            (None, Some(d)) => s.push_str(&format!(" — scheduled for {d}")),
            (None, None) if self.late => s.push_str(" — late and unscheduled"),
            (None, None) => s.push_str(" — unscheduled"),
        }
        s
    }
}

/// Where the review of an incident stands on `today`. `workshops` are the
/// starts of its lessons-learned workshops with whether each was held
/// (cancelled ones left out by the caller). `None` when it is not closed.
pub fn review_due(
    closed: Option<Timestamp>,
    rule: &PromptnessRule,
    holidays: &Holidays,
    zone: &TimeZone,
    workshops: &[(jiff::Timestamp, bool)],
    today: Date,
) -> Option<ReviewDue> {
    let closed_on = closure_date(closed?, zone);
    let due_on = rule.due_on(closed_on, holidays);
    let day = |t: jiff::Timestamp| t.to_zoned_datetime(zone.clone()).date();
    let held_on = workshops
        .iter()
        .filter(|(_, held)| *held)
        .map(|(t, _)| day(*t))
        .min();
    let scheduled_on = if held_on.is_some() {
        None
    } else {
        let upcoming: Vec<Date> = workshops
            .iter()
            .filter(|(_, held)| !*held)
            .map(|(t, _)| day(*t))
            .collect();
        // The next one from today, else the latest one that is past.
        upcoming
            .iter()
            .filter(|d| **d >= today)
            .min()
            .or_else(|| upcoming.iter().max())
            .copied()
    };
    let late = match (held_on, scheduled_on) {
        (Some(h), _) => h > due_on,
        (None, Some(s)) => s > due_on || today > due_on,
        (None, None) => today > due_on,
    };
    Some(ReviewDue {
        closed_on,
        due_on,
        rule: rule.describe(),
        held_on,
        scheduled_on,
        late,
        unscheduled: held_on.is_none() && scheduled_on.is_none(),
    })
}
