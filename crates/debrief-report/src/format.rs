//! Time, duration and text helpers shared by every printer: instants in the
//! reader's zone with the zone named, durations by name with their
//! precision, and truncation that never splits a character.

use debrief_core::{DerivedDuration, Precision, Timestamp};
use jiff::tz::{Offset, TimeZone};

/// An instant ready to print, in the reader's zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TimeText {
    /// `3 Sep 2026 06:40 CEST`; a date-only value stays on the date it was
    /// written (`1 Sep 2026`), since a day does not move to the previous
    /// evening in another zone.
    pub text: String,
    /// `3 Sep 06:40 CEST`, for the phase bar's narrow labels.
    pub short: String,
    /// The machine form for `<time datetime>`: a date, or the UTC instant.
    pub datetime: String,
    /// `written 2026-09-03T06:40+02:00 · minute precision`.
    pub title: String,
}

/// A lifecycle or event timestamp, shown at its own precision.
pub(crate) fn timestamp(t: Timestamp, zone: &TimeZone) -> TimeText {
    let written = t.to_rfc3339_or_date();
    let precision = t.precision();
    let title = format!("written {written} · {precision} precision");
    if precision == Precision::Day {
        let offset = Offset::from_seconds(t.offset_seconds()).unwrap_or(Offset::UTC);
        let date = offset.to_datetime(t.instant()).date();
        return TimeText {
            text: format!("{} (date only)", date.strftime("%-d %b %Y")),
            short: format!("{} (date)", date.strftime("%-d %b")),
            datetime: date.to_string(),
            title,
        };
    }
    let zoned = t.instant().to_zoned_datetime(zone.clone());
    let abbr = zoned.strftime("%Z").to_string();
    let clock = match precision {
        Precision::Second => zoned.strftime("%H:%M:%S").to_string(),
        Precision::Hour => format!("~{}", zoned.strftime("%H:00")),
        _ => zoned.strftime("%H:%M").to_string(),
    };
    TimeText {
        text: format!("{} {clock} {abbr}", zoned.strftime("%-d %b %Y")),
        short: format!("{} {clock} {abbr}", zoned.strftime("%-d %b")),
        datetime: debrief_core::timestamp::machine_instant(t.instant()),
        title,
    }
}

/// A moment the system recorded (sign-off, transitions, generation), to the
/// minute.
pub(crate) fn recorded(t: jiff::Timestamp, zone: &TimeZone) -> TimeText {
    let zoned = t.to_zoned_datetime(zone.clone());
    let abbr = zoned.strftime("%Z").to_string();
    TimeText {
        text: format!("{} {abbr}", zoned.strftime("%-d %b %Y %H:%M")),
        short: format!("{} {abbr}", zoned.strftime("%-d %b %H:%M")),
        datetime: debrief_core::timestamp::machine_instant(t),
        title: format!("{t}"),
    }
}

/// How the zone is called in "Times are shown in …": its IANA name when it
/// has one, else its abbreviation at `at`.
pub(crate) fn zone_name(zone: &TimeZone, at: jiff::Timestamp) -> String {
    match zone.iana_name() {
        Some(name) => name.to_owned(),
        None => at
            .to_zoned_datetime(zone.clone())
            .strftime("%Z")
            .to_string(),
    }
}

/// `~2 d (day precision)`, `4 h 40 min (minute precision)` or `unknown`.
pub(crate) fn duration(d: Option<DerivedDuration>) -> String {
    match d {
        Some(d) => format!("{} ({} precision)", d.human(), d.precision),
        None => "unknown".to_owned(),
    }
}

/// Whitespace (newlines included) collapsed to single spaces.
pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most `max_chars` characters on one line, ending in `…` when shortened.
pub(crate) fn truncate(s: &str, max_chars: usize) -> String {
    let s = one_line(s);
    if s.chars().count() <= max_chars {
        return s;
    }
    let kept: String = s.chars().take(max_chars.saturating_sub(1)).collect();
    format!("{}…", kept.trim_end())
}

/// Cuts a long text at a word boundary near `max_chars`, for the one-page
/// executive summary; says whether it cut.
pub(crate) fn shorten_at_word(s: &str, max_chars: usize) -> (String, bool) {
    let s = s.trim();
    if s.chars().count() <= max_chars {
        return (s.to_owned(), false);
    }
    let head: String = s.chars().take(max_chars).collect();
    let cut = head
        .rfind(char::is_whitespace)
        .filter(|&i| i > max_chars / 2)
        .unwrap_or(head.len());
    (format!("{}…", head[..cut].trim_end()), true)
}

/// Upper-cases the first letter: `critical` → `Critical`.
pub(crate) fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn berlin() -> TimeZone {
        TimeZone::get("Europe/Berlin").unwrap()
    }

    #[test]
    fn an_instant_is_shown_in_the_readers_zone_with_the_zone_named() {
        let t = Timestamp::parse("2026-09-03T04:40Z").unwrap();
        let shown = timestamp(t, &berlin());
        assert_eq!(shown.text, "3 Sep 2026 06:40 CEST");
        assert_eq!(shown.title, "written 2026-09-03T04:40Z · minute precision");
        assert_eq!(timestamp(t, &TimeZone::UTC).text, "3 Sep 2026 04:40 UTC");
    }

    #[test]
    fn a_date_only_value_stays_on_its_date_in_any_zone() {
        let t = Timestamp::parse("2026-09-01").unwrap();
        let la = TimeZone::get("America/Los_Angeles").unwrap();
        assert_eq!(timestamp(t, &la).text, "1 Sep 2026 (date only)");
        assert_eq!(timestamp(t, &la).datetime, "2026-09-01");
    }

    #[test]
    fn an_hour_precise_value_is_marked_approximate() {
        let t = Timestamp::parse("2026-09-03T07+02:00").unwrap();
        assert_eq!(timestamp(t, &berlin()).text, "3 Sep 2026 ~07:00 CEST");
    }

    #[test]
    fn durations_carry_their_precision_and_unknown_says_so() {
        let a = Timestamp::parse("2026-09-01").unwrap();
        let b = Timestamp::parse("2026-09-03T06:40+02:00").unwrap();
        let d = DerivedDuration::between(a, b);
        assert_eq!(duration(Some(d)), "~2 d (day precision)");
        assert_eq!(duration(None), "unknown");
    }

    #[test]
    fn truncation_counts_characters_not_bytes() {
        assert_eq!(truncate("äöü äöü", 5), "äöü…");
        assert_eq!(truncate("short", 5), "short");
        assert_eq!(truncate("two\nlines", 20), "two lines");
    }

    #[test]
    fn shortening_cuts_at_a_word() {
        let (s, cut) = shorten_at_word("one two three four five", 12);
        assert_eq!((s.as_str(), cut), ("one two…", true));
        assert_eq!(shorten_at_word("short", 12), ("short".into(), false));
    }
}
