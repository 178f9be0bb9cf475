//! Presentation helpers for the pages: instants in the viewer's zone, the
//! viewer's zone itself, and small view models the templates print as is.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use debrief_core::{Precision, Severity, Status, Timestamp};
use jiff::tz::TimeZone;

/// Who is looking: their time zone (cookie `tz`, else the organisation's).
#[derive(Debug, Clone)]
pub struct Viewer {
    pub zone: TimeZone,
    pub zone_name: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let from_cookie = parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().strip_prefix("tz="))
            .map(|v| v.replace("%2F", "/").replace("%2f", "/"))
            .find_map(|name| TimeZone::get(&name).ok().map(|z| (z, name)));
        Ok(match from_cookie {
            Some((zone, zone_name)) => Viewer { zone, zone_name },
            None => Viewer {
                zone: TimeZone::UTC,
                zone_name: "UTC".into(),
            },
        })
    }
}

/// An instant ready to print: the text in the viewer's zone, the machine
/// form, and a tooltip with the written offset and the precision.
#[derive(Debug, Clone)]
pub struct TimeView {
    pub text: String,
    pub datetime: String,
    pub title: String,
    /// The day it falls on for the viewer (grouping the timeline).
    pub day: String,
    /// `HH:MM` (or `—` for a date), for the timeline's time column.
    pub clock: String,
}

impl TimeView {
    pub fn new(t: Timestamp, viewer: &Viewer) -> Self {
        let written = t.to_rfc3339_or_date();
        let precision = t.precision();
        let title = format!("written {written} · {precision} precision");
        if precision == Precision::Day {
            // A date is a date: it does not move to the previous evening in
            // another zone.
            let date = written.clone();
            let pretty = date_text(&date);
            return Self {
                text: pretty.clone(),
                datetime: date,
                title,
                day: pretty,
                clock: "—".into(),
            };
        }
        let zoned = t.instant().to_zoned_datetime(viewer.zone.clone());
        let abbr = zoned.strftime("%Z").to_string();
        let day = zoned.strftime("%a %-d %b %Y").to_string();
        let clock = match precision {
            Precision::Second => zoned.strftime("%H:%M:%S").to_string(),
            Precision::Hour => format!("~{}", zoned.strftime("%H:00")),
            _ => zoned.strftime("%H:%M").to_string(),
        };
        Self {
            text: format!("{} {clock} {abbr}", zoned.strftime("%-d %b %Y")),
            datetime: t.instant().to_string(),
            title,
            day,
            clock: format!("{clock} {abbr}"),
        }
    }
}

fn date_text(iso: &str) -> String {
    match iso.parse::<jiff::civil::Date>() {
        Ok(d) => d.strftime("%a %-d %b %Y").to_string(),
        Err(_) => iso.to_owned(),
    }
}

/// A severity badge: colour and a word (never colour alone).
pub fn severity_class(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "sev-critical",
        Severity::High => "sev-high",
        Severity::Medium => "sev-medium",
        Severity::Low => "sev-low",
    }
}

pub fn status_label(s: Status) -> &'static str {
    match s {
        Status::Open => "Open",
        Status::Contained => "Contained",
        Status::Eradicated => "Eradicated",
        Status::Recovered => "Recovered",
        Status::Closed => "Closed",
    }
}

pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// A `<select>` option.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    pub fn new(value: impl Into<String>, label: impl Into<String>, selected: bool) -> Self {
        Self {
            value: value.into(),
            label: label.into(),
            selected,
        }
    }
}

/// Frequently used zones for the footer's zone picker.
pub const COMMON_ZONES: &[&str] = &[
    "UTC",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Warsaw",
    "Africa/Lagos",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/Sao_Paulo",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
];
