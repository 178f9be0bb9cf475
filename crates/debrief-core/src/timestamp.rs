//! Instants as people report them: an RFC 3339 instant with the offset it was
//! written in, and how precise it is (`2019-07-02` is a day, not midnight).
//!
//! Parsing is hand-written on purpose: every way a value can be wrong gets its
//! own message naming what was wrong, which a generic parser cannot give.

use std::cmp::Ordering;
use std::fmt;

use jiff::civil::Date;
use jiff::tz::{Offset, TimeZone};
use serde::{Deserialize, Serialize};

/// How precisely an instant is known. Ordered from finest to coarsest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    Second,
    Minute,
    Hour,
    Day,
}

impl Precision {
    pub const ALL: [Precision; 4] = [Self::Second, Self::Minute, Self::Hour, Self::Day];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Second => "second",
            Self::Minute => "minute",
            Self::Hour => "hour",
            Self::Day => "day",
        }
    }

    /// Length of one unit of this precision, in microseconds.
    pub fn unit_micros(self) -> i64 {
        match self {
            Self::Second => 1_000_000,
            Self::Minute => 60_000_000,
            Self::Hour => 3_600_000_000,
            Self::Day => 86_400_000_000,
        }
    }

    /// The coarser of two precisions: what a value computed from both can claim.
    pub fn coarser(self, other: Precision) -> Precision {
        self.max(other)
    }
}

impl fmt::Display for Precision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Precision {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "second" => Ok(Self::Second),
            "minute" => Ok(Self::Minute),
            "hour" => Ok(Self::Hour),
            "day" => Ok(Self::Day),
            other => Err(format!(
                "unknown precision `{other}`; expected one of day, hour, minute, second"
            )),
        }
    }
}

/// Why a timestamp could not be read. The message names the offending value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TimestampError(pub String);

fn err<T>(msg: impl Into<String>) -> Result<T, TimestampError> {
    Err(TimestampError(msg.into()))
}

/// The furthest real-world UTC offsets (Baker Island to Kiribati).
const MIN_OFFSET_SECONDS: i32 = -12 * 3600;
const MAX_OFFSET_SECONDS: i32 = 14 * 3600;

/// An instant, the UTC offset it was written with, and its precision.
///
/// The instant is normalised to the start of its precision unit in the written
/// offset, so two values that say the same thing compare equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp {
    micros: i64,
    offset_seconds: i32,
    precision: Precision,
}

impl Timestamp {
    /// Builds a timestamp from its stored parts, normalising the instant.
    pub fn from_parts(
        micros_utc: i64,
        offset_seconds: i32,
        precision: Precision,
    ) -> Result<Self, TimestampError> {
        if !(MIN_OFFSET_SECONDS..=MAX_OFFSET_SECONDS).contains(&offset_seconds) {
            return err(format!(
                "offset {} is outside the real-world range -12:00 to +14:00",
                format_offset(offset_seconds)
            ));
        }
        if jiff::Timestamp::from_microsecond(micros_utc).is_err() {
            return err(format!("instant {micros_utc} µs is out of range"));
        }
        let local = micros_utc + i64::from(offset_seconds) * 1_000_000;
        // Second precision keeps its fraction ("seconds or more" is one level).
        let unit = match precision {
            Precision::Second => 1,
            p => p.unit_micros(),
        };
        let truncated_local = local - local.rem_euclid(unit);
        Ok(Self {
            micros: truncated_local - i64::from(offset_seconds) * 1_000_000,
            offset_seconds,
            precision,
        })
    }

    /// A precise instant in UTC (for clocks and generated data).
    pub fn from_jiff(ts: jiff::Timestamp, precision: Precision) -> Self {
        Self::from_parts(ts.as_microsecond(), 0, precision)
            .expect("a jiff timestamp with offset 0 is always in range")
    }

    /// Parses `2019-07-02`, `2019-07-02T13Z`, `2019-07-02T13:42+02:00`,
    /// `2019-07-02T13:42:05.123-05:00` (also with a space instead of `T`).
    /// A value with a time of day must carry an offset.
    pub fn parse(input: &str) -> Result<Self, TimestampError> {
        Self::parse_with_zone(input, None)
    }

    /// Like [`Timestamp::parse`], but a value without an offset is read as a
    /// wall-clock time in `zone` (what a person types into a form).
    pub fn parse_in_zone(input: &str, zone: &TimeZone) -> Result<Self, TimestampError> {
        Self::parse_with_zone(input, Some(zone))
    }

    fn parse_with_zone(input: &str, zone: Option<&TimeZone>) -> Result<Self, TimestampError> {
        let s = input.trim();
        if s.is_empty() {
            return err(
                "empty value; expected a date like 2019-07-02 or an instant like 2019-07-02T13:42Z",
            );
        }
        let bytes = s.as_bytes();
        if bytes.len() < 10 || !s.is_char_boundary(10) {
            return err(format!(
                "`{s}` is not a date; expected YYYY-MM-DD, optionally followed by a time and offset"
            ));
        }
        let date = parse_date(&s[..10], s)?;
        let rest = &s[10..];
        if rest.is_empty() {
            // Date only: day precision. In a zone, the day starts at local midnight.
            return match zone {
                Some(tz) => {
                    let zoned = date.to_zoned_datetime(tz.clone()).map_err(|e| {
                        TimestampError(format!("`{s}` does not exist in the zone: {e}"))
                    })?;
                    let off = zoned.offset().seconds();
                    Self::from_parts(zoned.timestamp().as_microsecond(), off, Precision::Day)
                }
                None => {
                    let ts = Offset::UTC
                        .to_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
                        .map_err(|e| TimestampError(format!("`{s}`: {e}")))?;
                    Self::from_parts(ts.as_microsecond(), 0, Precision::Day)
                }
            };
        }
        let sep = rest.as_bytes()[0];
        if !matches!(sep, b'T' | b't' | b' ') {
            return err(format!(
                "`{s}`: expected `T` or a space between the date and the time, found `{}`",
                rest.chars().next().unwrap_or(' ')
            ));
        }
        let rest = &rest[1..];
        // Split the time from the offset.
        let offset_at = rest.find(['Z', 'z', '+', '-']).unwrap_or(rest.len());
        let (time_part, offset_part) = rest.split_at(offset_at);
        let (hour, minute, second, micros, precision) = parse_time(time_part.trim_end(), s)?;
        let datetime = date
            .at(hour, minute, second, 0)
            .checked_add(jiff::SignedDuration::from_micros(micros))
            .map_err(|e| TimestampError(format!("`{s}`: {e}")))?;
        if offset_part.is_empty() {
            let Some(tz) = zone else {
                return err(format!(
                    "`{s}` has no UTC offset; add one such as `Z` or `+02:00`"
                ));
            };
            let zoned = datetime
                .to_zoned_datetime(tz.clone())
                .map_err(|e| TimestampError(format!("`{s}` in the zone: {e}")))?;
            return Self::from_parts(
                zoned.timestamp().as_microsecond(),
                zoned.offset().seconds(),
                precision,
            );
        }
        let offset_seconds = parse_offset(offset_part, s)?;
        if !(MIN_OFFSET_SECONDS..=MAX_OFFSET_SECONDS).contains(&offset_seconds) {
            return err(format!(
                "`{s}`: offset {offset_part} is outside the real-world range -12:00 to +14:00"
            ));
        }
        let offset = Offset::from_seconds(offset_seconds)
            .map_err(|e| TimestampError(format!("`{s}`: offset {offset_part}: {e}")))?;
        let ts = offset
            .to_timestamp(datetime)
            .map_err(|e| TimestampError(format!("`{s}`: {e}")))?;
        Self::from_parts(ts.as_microsecond(), offset_seconds, precision)
    }

    /// Re-states this value with a different (coarser or equal) precision.
    pub fn with_precision(self, precision: Precision) -> Result<Self, TimestampError> {
        if precision < self.precision {
            return err(format!(
                "precision {precision} is finer than the value written ({})",
                self.precision
            ));
        }
        Self::from_parts(self.micros, self.offset_seconds, precision)
    }

    pub fn micros_utc(self) -> i64 {
        self.micros
    }
    pub fn offset_seconds(self) -> i32 {
        self.offset_seconds
    }
    pub fn precision(self) -> Precision {
        self.precision
    }
    pub fn instant(self) -> jiff::Timestamp {
        jiff::Timestamp::from_microsecond(self.micros).expect("checked on construction")
    }

    /// The exclusive end of the interval this value stands for.
    pub fn latest_micros(self) -> i64 {
        self.micros + self.precision.unit_micros()
    }

    /// Compares as intervals: `Less` only when every moment this value could
    /// mean is before every moment `other` could mean.
    pub fn definitely_before(self, other: Timestamp) -> bool {
        self.latest_micros() <= other.micros
    }

    /// The canonical string form. Returns `None` when the string would not read
    /// back with the same precision (hour precision, or a day with an offset);
    /// those are written as `{"at": …, "precision": …}`.
    pub fn to_canonical_string(self) -> Option<String> {
        match self.precision {
            Precision::Day if self.offset_seconds == 0 => Some(self.local_date().to_string()),
            Precision::Day | Precision::Hour => None,
            Precision::Minute | Precision::Second => Some(self.to_rfc3339()),
        }
    }

    fn local_datetime(self) -> jiff::civil::DateTime {
        let off = Offset::from_seconds(self.offset_seconds).expect("checked on construction");
        off.to_datetime(self.instant())
    }

    /// The date in the offset it was written with.
    pub fn local_date(self) -> Date {
        self.local_datetime().date()
    }

    /// RFC 3339 in the written offset, as precise as the value (minutes at
    /// least, since RFC 3339 has no shorter form).
    pub fn to_rfc3339(self) -> String {
        let dt = self.local_datetime();
        let mut out = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}",
            dt.year(),
            dt.month(),
            dt.day(),
            dt.hour(),
            dt.minute()
        );
        if self.precision == Precision::Second {
            out.push_str(&format!(":{:02}", dt.second()));
            let sub = dt.subsec_nanosecond() / 1000;
            if sub != 0 {
                let frac = format!("{sub:06}");
                out.push('.');
                out.push_str(frac.trim_end_matches('0'));
            }
        }
        out.push_str(&format_offset(self.offset_seconds));
        out
    }
}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.micros, self.precision, self.offset_seconds).cmp(&(
            other.micros,
            other.precision,
            other.offset_seconds,
        ))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_canonical_string() {
            Some(s) => f.write_str(&s),
            None => write!(f, "{} ({} precision)", self.to_rfc3339(), self.precision),
        }
    }
}

/// An instant in UTC for machines that accept at most milliseconds (HTML's
/// `<time datetime>`): `2026-11-26T19:57:28.993Z`.
pub fn machine_instant(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// `Z` for UTC, `+HH:MM` otherwise.
pub fn format_offset(seconds: i32) -> String {
    if seconds == 0 {
        return "Z".to_owned();
    }
    let sign = if seconds < 0 { '-' } else { '+' };
    let abs = seconds.unsigned_abs();
    format!("{sign}{:02}:{:02}", abs / 3600, (abs % 3600) / 60)
}

fn digits(s: &str) -> Option<u32> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

fn parse_date(d: &str, whole: &str) -> Result<Date, TimestampError> {
    let b = d.as_bytes();
    if b[4] != b'-' || b[7] != b'-' {
        return err(format!("`{whole}`: the date must be written YYYY-MM-DD"));
    }
    let (Some(y), Some(m), Some(day)) = (digits(&d[0..4]), digits(&d[5..7]), digits(&d[8..10]))
    else {
        return err(format!("`{whole}`: the date must be written YYYY-MM-DD"));
    };
    if !(1..=12).contains(&m) {
        return err(format!("`{whole}`: month {m} does not exist"));
    }
    Date::new(y as i16, m as i8, day as i8).map_err(|_| {
        TimestampError(format!(
            "`{whole}`: {d} is not a real date (day {day} does not exist in that month)"
        ))
    })
}

type TimeParts = (i8, i8, i8, i64, Precision);

fn parse_time(t: &str, whole: &str) -> Result<TimeParts, TimestampError> {
    let bad = || {
        TimestampError(format!(
            "`{whole}`: the time must be written HH, HH:MM or HH:MM:SS[.fraction]"
        ))
    };
    let mut parts = t.splitn(3, ':');
    let h = parts
        .next()
        .filter(|p| p.len() == 2)
        .and_then(digits)
        .ok_or_else(bad)?;
    if h > 23 {
        return err(format!("`{whole}`: hour {h} does not exist (00–23)"));
    }
    let Some(m) = parts.next() else {
        return Ok((h as i8, 0, 0, 0, Precision::Hour));
    };
    let m = Some(m)
        .filter(|p| p.len() == 2)
        .and_then(digits)
        .ok_or_else(bad)?;
    if m > 59 {
        return err(format!("`{whole}`: minute {m} does not exist (00–59)"));
    }
    let Some(sec) = parts.next() else {
        return Ok((h as i8, m as i8, 0, 0, Precision::Minute));
    };
    let (whole_sec, frac) = match sec.split_once(['.', ',']) {
        Some((w, f)) => (w, Some(f)),
        None => (sec, None),
    };
    let s = Some(whole_sec)
        .filter(|p| p.len() == 2)
        .and_then(digits)
        .ok_or_else(bad)?;
    if s > 59 {
        return err(format!("`{whole}`: second {s} does not exist (00–59)"));
    }
    let micros = match frac {
        None => 0,
        Some(f) => {
            if f.is_empty() || f.len() > 9 || !f.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            let mut padded = f.to_owned();
            padded.truncate(6);
            while padded.len() < 6 {
                padded.push('0');
            }
            padded.parse::<i64>().map_err(|_| bad())?
        }
    };
    Ok((h as i8, m as i8, s as i8, micros, Precision::Second))
}

fn parse_offset(o: &str, whole: &str) -> Result<i32, TimestampError> {
    if o.eq_ignore_ascii_case("z") {
        return Ok(0);
    }
    let bad = || {
        TimestampError(format!(
            "`{whole}`: the offset `{o}` must be written Z, +HH:MM, +HHMM or +HH"
        ))
    };
    let sign = match o.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return Err(bad()),
    };
    let body = &o[1..];
    let (h, m) = match body.len() {
        2 => (body, "00"),
        4 => (&body[..2], &body[2..]),
        5 if body.as_bytes()[2] == b':' => (&body[..2], &body[3..]),
        _ => return Err(bad()),
    };
    let (Some(h), Some(m)) = (digits(h), digits(m)) else {
        return Err(bad());
    };
    if m > 59 {
        return err(format!(
            "`{whole}`: the offset `{o}` has minute {m} (00–59)"
        ));
    }
    Ok(sign * (h as i32 * 3600 + m as i32 * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn a_date_alone_has_day_precision_at_utc_midnight() {
        let t = p("2019-07-02");
        assert_eq!(t.precision(), Precision::Day);
        assert_eq!(t.instant().to_string(), "2019-07-02T00:00:00Z");
        assert_eq!(t.to_canonical_string().as_deref(), Some("2019-07-02"));
    }

    #[test]
    fn minutes_and_seconds_set_the_precision() {
        assert_eq!(p("2019-07-02T13:42Z").precision(), Precision::Minute);
        assert_eq!(p("2019-07-02T13:42:05Z").precision(), Precision::Second);
        assert_eq!(p("2019-07-02T13:42:05.25Z").precision(), Precision::Second);
        assert_eq!(p("2019-07-02T13Z").precision(), Precision::Hour);
    }

    #[test]
    fn any_offset_is_stored_in_utc_and_kept_for_display() {
        let t = p("2019-07-02T15:42+02:00");
        assert_eq!(t.instant().to_string(), "2019-07-02T13:42:00Z");
        assert_eq!(t.offset_seconds(), 7200);
        assert_eq!(t.to_rfc3339(), "2019-07-02T15:42+02:00");
        assert_eq!(
            p("2019-07-02T08:12:00.5-05:30").to_rfc3339(),
            "2019-07-02T08:12:00.5-05:30"
        );
        assert_eq!(
            p("2019-07-02 13:42 +0530").to_rfc3339(),
            "2019-07-02T13:42+05:30"
        );
    }

    #[test]
    fn impossible_values_are_rejected_naming_the_problem() {
        for (input, needle) in [
            ("2019-02-30", "not a real date"),
            ("2019-13-01", "month 13"),
            ("2019-07-02T24:00Z", "hour 24"),
            ("2019-07-02T13:60Z", "minute 60"),
            ("2019-07-02T13:42:61Z", "second 61"),
            ("2019-07-02T13:42+25:00", "outside the real-world range"),
            ("2019-07-02T13:42+02:99", "minute 99"),
            ("2019-07-02T13:42", "no UTC offset"),
            ("02/07/2019", "YYYY-MM-DD"),
            ("", "empty value"),
            ("2019-07-02X13:42Z", "expected `T`"),
            ("2019-07-02T1:42Z", "HH:MM"),
        ] {
            let e = Timestamp::parse(input).expect_err(input).0;
            assert!(e.contains(needle), "{input}: {e}");
        }
    }

    #[test]
    fn a_local_time_is_read_in_the_given_zone() {
        let tz = TimeZone::get("Europe/Paris").unwrap();
        let t = Timestamp::parse_in_zone("2026-03-02 14:07", &tz).unwrap();
        assert_eq!(t.instant().to_string(), "2026-03-02T13:07:00Z");
        assert_eq!(t.offset_seconds(), 3600);
        let summer = Timestamp::parse_in_zone("2026-07-02 14:07", &tz).unwrap();
        assert_eq!(summer.offset_seconds(), 7200);
    }

    #[test]
    fn imprecise_values_compare_as_intervals() {
        let day = p("2019-07-02");
        let same_day = p("2019-07-02T13:42Z");
        assert!(!day.definitely_before(same_day));
        assert!(!same_day.definitely_before(day));
        assert!(p("2019-07-01").definitely_before(same_day));
    }

    #[test]
    fn machine_instants_carry_at_most_milliseconds() {
        let t: jiff::Timestamp = "2026-11-26T19:57:28.993521774Z".parse().unwrap();
        assert_eq!(machine_instant(t), "2026-11-26T19:57:28.993Z");
        let whole: jiff::Timestamp = "2026-11-26T19:57:28Z".parse().unwrap();
        assert_eq!(machine_instant(whole), "2026-11-26T19:57:28.000Z");
    }

    #[test]
    fn hour_precision_has_no_string_form() {
        assert_eq!(p("2019-07-02T13Z").to_canonical_string(), None);
        assert_eq!(
            p("2019-07-02T13:42Z")
                .with_precision(Precision::Hour)
                .unwrap(),
            p("2019-07-02T13Z")
        );
        assert!(p("2019-07-02").with_precision(Precision::Second).is_err());
    }
}
