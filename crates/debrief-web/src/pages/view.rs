//! Presentation helpers for the pages: instants in the viewer's zone, the
//! viewer's zone itself, and small view models the templates print as is.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use debrief_core::{Precision, Severity, Status, Timestamp};
use jiff::tz::TimeZone;

/// Who is looking: their time zone (cookie `tz`, else the organisation's),
/// their account (as the guard resolved it) and the name changes are
/// recorded under: the account's name, or for admins the name they gave
/// in the footer (cookie `name`; a scribe typing for the room).
#[derive(Debug, Clone)]
pub struct Viewer {
    pub zone: TimeZone,
    pub zone_name: String,
    pub name: Option<String>,
    pub signed: Option<crate::access::Signed>,
}

/// The longest name the footer's "Your name" form keeps.
pub const NAME_MAX: usize = 80;

impl Viewer {
    /// Who a change is recorded as: the name they gave, else "anonymous".
    pub fn actor(&self) -> String {
        self.name.clone().unwrap_or_else(|| "anonymous".into())
    }
    /// The caller, for use cases that check roles and visibility (the
    /// system when the guard let an anonymous request through: public
    /// pages only, which call no such use case).
    pub fn caller(&self) -> debrief_app::Caller {
        self.signed
            .as_ref()
            .map(|s| s.caller.clone())
            .unwrap_or_else(|| debrief_app::Caller {
                user_id: None,
                actor: "anonymous".into(),
                role: debrief_core::Role::Viewer,
            })
    }
    pub fn csrf(&self) -> String {
        self.signed
            .as_ref()
            .and_then(|s| s.csrf.clone())
            .unwrap_or_default()
    }
}

/// Percent-encodes a cookie value (everything but letters, digits and `-._~`).
pub fn cookie_encode(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Reverses [`cookie_encode`]; `None` when the bytes are not UTF-8.
pub fn cookie_decode(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A name as the footer form keeps it: runs of spaces and control
/// characters become one space, at most [`NAME_MAX`] characters; `None`
/// when nothing is left.
pub fn clean_name(raw: &str) -> Option<String> {
    let spaced: String = raw
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let name: String = spaced
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(NAME_MAX)
        .collect();
    let name = name.trim_end().to_owned();
    (!name.is_empty()).then_some(name)
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let cookies: Vec<&str> = parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .map(str::trim)
            .collect();
        let from_cookie = cookies
            .iter()
            .filter_map(|c| c.strip_prefix("tz="))
            .map(|v| v.replace("%2F", "/").replace("%2f", "/"))
            .find_map(|name| TimeZone::get(&name).ok().map(|z| (z, name)));
        let name = cookies
            .iter()
            .filter_map(|c| c.strip_prefix("name="))
            .find_map(|v| cookie_decode(v).as_deref().and_then(clean_name));
        let (zone, zone_name) = from_cookie.unwrap_or((TimeZone::UTC, "UTC".into()));
        let signed = parts.extensions.get::<crate::access::Signed>().cloned();
        let name = match &signed {
            Some(s) if s.caller.role == debrief_core::Role::Admin => {
                name.or_else(|| Some(s.name.clone()))
            }
            Some(s) => Some(s.name.clone()),
            None => name,
        };
        Ok(Viewer {
            zone,
            zone_name,
            name,
            signed,
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
            datetime: debrief_core::timestamp::machine_instant(t.instant()),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_survive_the_cookie_and_are_cleaned() {
        for name in ["Priya Shah", "Zoë Ø'Brien; admin=1", "李 雷", "a%b"] {
            let encoded = cookie_encode(name);
            assert!(
                encoded
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)),
                "{encoded}"
            );
            assert_eq!(cookie_decode(&encoded).as_deref(), Some(name));
        }
        assert_eq!(cookie_decode("%FF%FE"), None);
        assert_eq!(cookie_decode("50%"), Some("50%".into()));
        assert_eq!(
            clean_name("  Sam\tOkafor \n").as_deref(),
            Some("Sam Okafor")
        );
        assert_eq!(clean_name("   "), None);
        assert_eq!(
            clean_name(&"é".repeat(100)).unwrap().chars().count(),
            NAME_MAX
        );
    }
}
