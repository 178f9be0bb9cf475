//! The lifecycle timestamps of an incident (§2), the rules on their order,
//! the status they imply and the durations derived from them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::field_error::{FieldError, FieldErrors};
use crate::timestamp::{Precision, Timestamp};

/// The eight lifecycle moments, in the order they usually happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LifecycleField {
    Started,
    Detected,
    Reported,
    Acknowledged,
    Contained,
    Eradicated,
    Recovered,
    Closed,
}

impl LifecycleField {
    pub const ALL: [LifecycleField; 8] = [
        Self::Started,
        Self::Detected,
        Self::Reported,
        Self::Acknowledged,
        Self::Contained,
        Self::Eradicated,
        Self::Recovered,
        Self::Closed,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Started => "started",
            Self::Detected => "detected",
            Self::Reported => "reported",
            Self::Acknowledged => "acknowledged",
            Self::Contained => "contained",
            Self::Eradicated => "eradicated",
            Self::Recovered => "recovered",
            Self::Closed => "closed",
        }
    }
    /// What the moment means, for forms and tooltips.
    pub fn description(self) -> &'static str {
        match self {
            Self::Started => "first harmful event",
            Self::Detected => "someone or something noticed",
            Self::Reported => "reported to the incident team",
            Self::Acknowledged => "response began",
            Self::Contained => "spread stopped",
            Self::Eradicated => "cause removed",
            Self::Recovered => "normal operation restored",
            Self::Closed => "incident closed",
        }
    }
    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for LifecycleField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LifecycleField {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|f| f.as_str() == s).ok_or_else(|| {
            format!(
                "unknown lifecycle timestamp `{s}`; expected one of started, detected, reported, \
                 acknowledged, contained, eradicated, recovered, closed"
            )
        })
    }
}

/// The lifecycle timestamps, each optional.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lifecycle {
    values: [Option<Timestamp>; 8],
}

/// `(later, earlier)`: the later field must not be before the earlier one.
const ORDER_RULES: &[(LifecycleField, LifecycleField)] = {
    use LifecycleField::*;
    &[
        (Detected, Started),
        (Acknowledged, Detected),
        (Contained, Detected),
        (Eradicated, Contained),
        (Recovered, Started),
        (Closed, Started),
        (Closed, Detected),
        (Closed, Reported),
        (Closed, Acknowledged),
        (Closed, Contained),
        (Closed, Eradicated),
        (Closed, Recovered),
    ]
};

impl Lifecycle {
    pub fn get(&self, field: LifecycleField) -> Option<Timestamp> {
        self.values[field.index()]
    }
    pub fn set(&mut self, field: LifecycleField, value: Option<Timestamp>) {
        self.values[field.index()] = value;
    }
    pub fn iter(&self) -> impl Iterator<Item = (LifecycleField, Option<Timestamp>)> + '_ {
        LifecycleField::ALL.into_iter().map(|f| (f, self.get(f)))
    }

    /// Every broken order rule, each naming both fields. Imprecise values are
    /// compared as the intervals they stand for: `2019-07-02` (a day) is not
    /// "after" `2019-07-02T13:42Z`.
    pub fn order_violations(&self) -> FieldErrors {
        let mut errors = FieldErrors::default();
        for &(later, earlier) in ORDER_RULES {
            let (Some(l), Some(e)) = (self.get(later), self.get(earlier)) else {
                continue;
            };
            if l.definitely_before(e) {
                errors.0.push(FieldError::new(
                    format!("timestamps.{later}"),
                    format!(
                        "{later} ({}) is before {earlier} ({}); {later} must be at or after {earlier}",
                        l.to_rfc3339_or_date(),
                        e.to_rfc3339_or_date()
                    ),
                ));
            }
        }
        errors
    }

    /// The status implied by how far the lifecycle has come.
    pub fn status(&self) -> Status {
        use LifecycleField::*;
        if self.get(Closed).is_some() {
            Status::Closed
        } else if self.get(Recovered).is_some() {
            Status::Recovered
        } else if self.get(Eradicated).is_some() {
            Status::Eradicated
        } else if self.get(Contained).is_some() {
            Status::Contained
        } else {
            Status::Open
        }
    }

    /// The derived durations of §2 (`time_to_review` needs the first held
    /// workshop, which the caller passes when there is one).
    pub fn durations(&self, first_workshop_held: Option<Timestamp>) -> Durations {
        let mut out = Durations::default();
        for name in DurationName::ALL {
            let (from, to) = name.ends();
            let from = self.get(from);
            let to = match to {
                DurationEnd::Field(f) => self.get(f),
                DurationEnd::FirstWorkshopHeld => first_workshop_held,
            };
            out.values[name as usize] = match (from, to) {
                (Some(a), Some(b)) => Some(DerivedDuration::between(a, b)),
                _ => None,
            };
        }
        out
    }
}

/// Where an incident stands, derived from its lifecycle (never stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Open,
    Contained,
    Eradicated,
    Recovered,
    Closed,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Self::Open,
        Self::Contained,
        Self::Eradicated,
        Self::Recovered,
        Self::Closed,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Contained => "contained",
            Self::Eradicated => "eradicated",
            Self::Recovered => "recovered",
            Self::Closed => "closed",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|v| v.as_str() == s).ok_or_else(|| {
            format!("unknown status `{s}`; expected one of open, contained, eradicated, recovered, closed")
        })
    }
}

/// The names of §2's derived durations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DurationName {
    TimeToDetect,
    TimeToAcknowledge,
    TimeToContain,
    TimeToEradicate,
    TimeToRecover,
    TimeToClose,
    TimeToReview,
}

enum DurationEnd {
    Field(LifecycleField),
    FirstWorkshopHeld,
}

impl DurationName {
    pub const ALL: [DurationName; 7] = [
        Self::TimeToDetect,
        Self::TimeToAcknowledge,
        Self::TimeToContain,
        Self::TimeToEradicate,
        Self::TimeToRecover,
        Self::TimeToClose,
        Self::TimeToReview,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TimeToDetect => "time_to_detect",
            Self::TimeToAcknowledge => "time_to_acknowledge",
            Self::TimeToContain => "time_to_contain",
            Self::TimeToEradicate => "time_to_eradicate",
            Self::TimeToRecover => "time_to_recover",
            Self::TimeToClose => "time_to_close",
            Self::TimeToReview => "time_to_review",
        }
    }
    /// A label for people: "Time to detect".
    pub fn label(self) -> &'static str {
        match self {
            Self::TimeToDetect => "Time to detect",
            Self::TimeToAcknowledge => "Time to acknowledge",
            Self::TimeToContain => "Time to contain",
            Self::TimeToEradicate => "Time to eradicate",
            Self::TimeToRecover => "Time to recover",
            Self::TimeToClose => "Time to close",
            Self::TimeToReview => "Time to review",
        }
    }
    /// "started → detected (dwell time)".
    pub fn definition(self) -> &'static str {
        match self {
            Self::TimeToDetect => "started → detected (dwell time)",
            Self::TimeToAcknowledge => "detected → acknowledged",
            Self::TimeToContain => "detected → contained",
            Self::TimeToEradicate => "detected → eradicated",
            Self::TimeToRecover => "started → recovered (impact duration)",
            Self::TimeToClose => "detected → closed",
            Self::TimeToReview => "closed → first lessons-learned workshop held",
        }
    }
    fn ends(self) -> (LifecycleField, DurationEnd) {
        use DurationEnd::*;
        use LifecycleField::*;
        match self {
            Self::TimeToDetect => (Started, Field(Detected)),
            Self::TimeToAcknowledge => (Detected, Field(Acknowledged)),
            Self::TimeToContain => (Detected, Field(Contained)),
            Self::TimeToEradicate => (Detected, Field(Eradicated)),
            Self::TimeToRecover => (Started, Field(Recovered)),
            Self::TimeToClose => (Detected, Field(Closed)),
            Self::TimeToReview => (Closed, FirstWorkshopHeld),
        }
    }
}

/// A duration between two timestamps, as precise as the coarser end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DerivedDuration {
    pub seconds: i64,
    pub precision: Precision,
}

impl DerivedDuration {
    /// `to − from`, rounded to the coarser precision of the two ends. When the
    /// ends overlap (same day, say) the duration is 0 at that precision.
    pub fn between(from: Timestamp, to: Timestamp) -> Self {
        let precision = from.precision().coarser(to.precision());
        let micros = (to.micros_utc() - from.micros_utc()).max(0);
        let unit = precision.unit_micros();
        let rounded = (micros + unit / 2) / unit * unit;
        Self {
            seconds: rounded / 1_000_000,
            precision,
        }
    }

    /// `3 h 12 min`; `~2 d` when only days are known. Never bare seconds,
    /// except for durations under a minute at second precision.
    pub fn human(&self) -> String {
        human_duration(self.seconds, self.precision)
    }
}

/// Formats seconds for people at the given precision.
pub fn human_duration(seconds: i64, precision: Precision) -> String {
    let s = seconds.max(0);
    let (d, h, m, sec) = (s / 86_400, (s % 86_400) / 3600, (s % 3600) / 60, s % 60);
    let mut parts: Vec<String> = Vec::new();
    match precision {
        Precision::Day => {
            return if d == 0 {
                "under a day".into()
            } else {
                format!("~{d} d")
            };
        }
        Precision::Hour => {
            if d > 0 {
                parts.push(format!("{d} d"));
            }
            if h > 0 || d == 0 {
                parts.push(format!("{h} h"));
            }
            return format!("~{}", parts.join(" "));
        }
        Precision::Minute | Precision::Second => {
            if d > 0 {
                parts.push(format!("{d} d"));
            }
            if h > 0 {
                parts.push(format!("{h} h"));
            }
            if m > 0 && d < 10 {
                parts.push(format!("{m} min"));
            }
            if precision == Precision::Second && sec > 0 && d == 0 && h == 0 {
                parts.push(format!("{sec} s"));
            }
        }
    }
    if parts.is_empty() {
        if precision == Precision::Second {
            "0 s".into()
        } else {
            "0 min".into()
        }
    } else {
        parts.join(" ")
    }
}

/// All derived durations of one incident.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Durations {
    values: [Option<DerivedDuration>; 7],
}

impl Durations {
    pub fn get(&self, name: DurationName) -> Option<DerivedDuration> {
        self.values[name as usize]
    }
    pub fn iter(&self) -> impl Iterator<Item = (DurationName, Option<DerivedDuration>)> + '_ {
        DurationName::ALL.into_iter().map(|n| (n, self.get(n)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use LifecycleField::*;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    fn lifecycle(pairs: &[(LifecycleField, &str)]) -> Lifecycle {
        let mut l = Lifecycle::default();
        for (f, v) in pairs {
            l.set(*f, Some(t(v)));
        }
        l
    }

    #[test]
    fn a_violation_names_both_fields() {
        let l = lifecycle(&[
            (Started, "2019-07-02T10:00Z"),
            (Detected, "2019-07-02T09:00Z"),
        ]);
        let e = l.order_violations();
        assert_eq!(e.0.len(), 1);
        assert_eq!(e.0[0].field, "timestamps.detected");
        assert!(e.0[0].message.contains("detected") && e.0[0].message.contains("started"));
    }

    #[test]
    fn closed_must_follow_every_other_timestamp() {
        let l = lifecycle(&[
            (Reported, "2019-07-05T10:00Z"),
            (Closed, "2019-07-04T10:00Z"),
        ]);
        assert_eq!(l.order_violations().0[0].field, "timestamps.closed");
    }

    #[test]
    fn a_day_does_not_contradict_a_time_on_that_day() {
        let l = lifecycle(&[(Started, "2019-07-02T13:42Z"), (Detected, "2019-07-02")]);
        assert!(l.order_violations().is_empty());
        let d = l.durations(None).get(DurationName::TimeToDetect).unwrap();
        assert_eq!(
            d,
            DerivedDuration {
                seconds: 0,
                precision: Precision::Day
            }
        );
    }

    #[test]
    fn durations_carry_the_coarser_precision() {
        let l = lifecycle(&[
            (Started, "2019-06-28"),
            (Detected, "2019-07-02T13:42+02:00"),
            (Contained, "2019-07-02T14:54:20+02:00"),
        ]);
        let d = l.durations(None);
        let detect = d.get(DurationName::TimeToDetect).unwrap();
        assert_eq!(detect.precision, Precision::Day);
        assert_eq!(detect.seconds, 4 * 86_400);
        let contain = d.get(DurationName::TimeToContain).unwrap();
        assert_eq!(
            contain,
            DerivedDuration {
                seconds: 72 * 60,
                precision: Precision::Minute
            }
        );
        assert_eq!(contain.human(), "1 h 12 min");
        assert_eq!(d.get(DurationName::TimeToRecover), None);
    }

    #[test]
    fn status_follows_the_furthest_phase() {
        assert_eq!(Lifecycle::default().status(), Status::Open);
        assert_eq!(
            lifecycle(&[(Contained, "2019-07-02")]).status(),
            Status::Contained
        );
        assert_eq!(
            lifecycle(&[(Closed, "2019-07-02")]).status(),
            Status::Closed
        );
    }

    #[test]
    fn human_durations_read_naturally() {
        assert_eq!(human_duration(11_520, Precision::Minute), "3 h 12 min");
        assert_eq!(human_duration(45, Precision::Second), "45 s");
        assert_eq!(human_duration(3 * 86_400, Precision::Day), "~3 d");
        assert_eq!(human_duration(90_000, Precision::Hour), "~1 d 1 h");
        assert_eq!(human_duration(0, Precision::Minute), "0 min");
    }
}
