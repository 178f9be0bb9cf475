//! Workshop invites as iCalendar (RFC 5545): one VEVENT with a stable UID, a
//! SEQUENCE that grows with each update, the organiser and attendees with
//! their ROLE and PARTSTAT, the start and end in the workshop's own zone
//! (TZID with a VTIMEZONE built from the IANA data jiff embeds), the agenda
//! as DESCRIPTION, LOCATION and URL; a cancellation is METHOD:CANCEL with
//! STATUS:CANCELLED.
//!
//! Written by hand rather than with a crate: the iCalendar crates build on
//! chrono (we use jiff), none emits a VTIMEZONE from tz data, and the
//! format's rules that matter — CRLF line ends, folding at 75 octets
//! without splitting a UTF-8 character, TEXT escaping, quoted parameter
//! values — fit in the functions below, each tested here and every
//! generated file parsed by Python's `icalendar` in the app's tests.

use jiff::tz::{Offset, TimeZone};

/// The organiser or an attendee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub name: String,
    pub email: String,
}

/// An attendee of the invite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteAttendee {
    pub who: Participant,
    /// `CHAIR`, `REQ-PARTICIPANT` or `OPT-PARTICIPANT`.
    pub role: &'static str,
    /// `NEEDS-ACTION`, `ACCEPTED`, `DECLINED` …
    pub partstat: &'static str,
    /// Why they are invited (`legal`), as `X-DEBRIEF-ROLE`.
    pub stakeholder: String,
}

/// Everything one invite says.
#[derive(Debug, Clone)]
pub struct Invite {
    /// Stable across updates and the cancellation.
    pub uid: String,
    pub sequence: u32,
    /// When this version of the invite was made.
    pub dtstamp: jiff::Timestamp,
    pub cancelled: bool,
    pub summary: String,
    pub description: String,
    pub location: String,
    pub url: String,
    pub starts_at: jiff::Timestamp,
    pub ends_at: jiff::Timestamp,
    /// The zone the times are written in, and its IANA name.
    pub zone: TimeZone,
    pub zone_name: String,
    pub organizer: Participant,
    pub attendees: Vec<InviteAttendee>,
}

/// The invite as an iCalendar document (CRLF line ends, folded lines).
pub fn invite_ics(invite: &Invite) -> String {
    let mut out = Ics::default();
    out.line("BEGIN:VCALENDAR");
    out.line("VERSION:2.0");
    out.line("PRODID:-//debrief//lessons-learned workshops//EN");
    out.line("CALSCALE:GREGORIAN");
    out.line(if invite.cancelled {
        "METHOD:CANCEL"
    } else {
        "METHOD:REQUEST"
    });
    let utc = invite.zone_name == "UTC" || invite.zone_name == "Etc/UTC";
    if !utc {
        vtimezone(&mut out, invite);
    }
    out.line("BEGIN:VEVENT");
    out.line(&format!("UID:{}", text(&invite.uid)));
    out.line(&format!("SEQUENCE:{}", invite.sequence));
    out.line(&format!("DTSTAMP:{}", utc_stamp(invite.dtstamp)));
    for (name, t) in [("DTSTART", invite.starts_at), ("DTEND", invite.ends_at)] {
        if utc {
            out.line(&format!("{name}:{}", utc_stamp(t)));
        } else {
            let local = invite.zone.to_offset(t).to_datetime(t);
            out.line(&format!(
                "{name};TZID={}:{}",
                param(&invite.zone_name),
                local_stamp(local)
            ));
        }
    }
    out.line(&format!("SUMMARY:{}", text(&invite.summary)));
    if !invite.description.is_empty() {
        out.line(&format!("DESCRIPTION:{}", text(&invite.description)));
    }
    if !invite.location.is_empty() {
        out.line(&format!("LOCATION:{}", text(&invite.location)));
    }
    if !invite.url.is_empty() {
        // URI values are not TEXT: no escaping, but never a line break.
        out.line(&format!("URL:{}", strip_controls(&invite.url)));
    }
    out.line(&format!(
        "ORGANIZER;CN={}:mailto:{}",
        param(&invite.organizer.name),
        strip_controls(&invite.organizer.email)
    ));
    for a in &invite.attendees {
        let mut l = format!(
            "ATTENDEE;CN={};CUTYPE=INDIVIDUAL;ROLE={};PARTSTAT={}",
            param(&a.who.name),
            a.role,
            a.partstat
        );
        if a.partstat == "NEEDS-ACTION" {
            l.push_str(";RSVP=TRUE");
        }
        if !a.stakeholder.is_empty() {
            l.push_str(&format!(";X-DEBRIEF-ROLE={}", param(&a.stakeholder)));
        }
        l.push_str(&format!(":mailto:{}", strip_controls(&a.who.email)));
        out.line(&l);
    }
    out.line(if invite.cancelled {
        "STATUS:CANCELLED"
    } else {
        "STATUS:CONFIRMED"
    });
    out.line("TRANSP:OPAQUE");
    out.line("END:VEVENT");
    out.line("END:VCALENDAR");
    out.0
}

/// The zone's observances around the workshop: the transition that set the
/// offset in force at the start, and the transitions of the following year
/// (so a calendar that shows the series around it gets them right). A zone
/// with no transitions gets one STANDARD observance.
fn vtimezone(out: &mut Ics, invite: &Invite) {
    let tz = &invite.zone;
    out.line("BEGIN:VTIMEZONE");
    out.line(&format!("TZID:{}", text(&invite.zone_name)));
    let probe = invite
        .starts_at
        .checked_add(jiff::SignedDuration::from_secs(1))
        .unwrap_or(invite.starts_at);
    let horizon = invite
        .ends_at
        .checked_add(jiff::SignedDuration::from_hours(24 * 366))
        .unwrap_or(invite.ends_at);
    let mut transitions: Vec<(jiff::Timestamp, Offset, bool, String)> = Vec::new();
    if let Some(t) = tz.preceding(probe).next() {
        transitions.push((
            t.timestamp(),
            t.offset(),
            t.dst().is_dst(),
            t.abbreviation().to_owned(),
        ));
    }
    for t in tz.following(invite.starts_at) {
        if t.timestamp() > horizon {
            break;
        }
        transitions.push((
            t.timestamp(),
            t.offset(),
            t.dst().is_dst(),
            t.abbreviation().to_owned(),
        ));
    }
    if transitions.is_empty() {
        let info = tz.to_offset_info(invite.starts_at);
        let off = offset_text(info.offset());
        out.line("BEGIN:STANDARD");
        out.line("DTSTART:19700101T000000");
        out.line(&format!("TZOFFSETFROM:{off}"));
        out.line(&format!("TZOFFSETTO:{off}"));
        out.line(&format!("TZNAME:{}", text(info.abbreviation())));
        out.line("END:STANDARD");
    }
    for (at, to, dst, abbreviation) in transitions {
        let before = at
            .checked_sub(jiff::SignedDuration::from_secs(1))
            .unwrap_or(at);
        let from = tz.to_offset(before);
        let kind = if dst { "DAYLIGHT" } else { "STANDARD" };
        out.line(&format!("BEGIN:{kind}"));
        out.line(&format!("DTSTART:{}", local_stamp(from.to_datetime(at))));
        out.line(&format!("TZOFFSETFROM:{}", offset_text(from)));
        out.line(&format!("TZOFFSETTO:{}", offset_text(to)));
        out.line(&format!("TZNAME:{}", text(&abbreviation)));
        out.line(&format!("END:{kind}"));
    }
    out.line("END:VTIMEZONE");
}

/// `+0200`, `-0500`, `+0530`, with seconds only when there are any.
fn offset_text(o: Offset) -> String {
    let s = o.seconds();
    let sign = if s < 0 { '-' } else { '+' };
    let a = s.unsigned_abs();
    let (h, m, sec) = (a / 3600, (a % 3600) / 60, a % 60);
    if sec == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{sec:02}")
    }
}

fn utc_stamp(t: jiff::Timestamp) -> String {
    format!("{}Z", local_stamp(Offset::UTC.to_datetime(t)))
}

fn local_stamp(dt: jiff::civil::DateTime) -> String {
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

/// Content lines, each ended with CRLF and folded at 75 octets.
#[derive(Default)]
struct Ics(String);

impl Ics {
    fn line(&mut self, content: &str) {
        self.0.push_str(&fold(content));
    }
}

/// Folds a content line (RFC 5545 §3.1): no line longer than 75 octets
/// without its CRLF, continuation lines start with one space, and a UTF-8
/// character is never split.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
    out
}

/// A TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma escaped,
/// line breaks as `\n`, other control characters dropped.
pub fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let value = value.replace("\r\n", "\n").replace('\r', "\n");
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value (RFC 5545 §3.2): quoted when it holds `:`, `;` or `,`;
/// a double quote (which no parameter value may hold) becomes a single one;
/// control characters become spaces.
pub fn param(value: &str) -> String {
    let clean: String = value
        .chars()
        .map(|c| match c {
            '"' => '\'',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    if clean.contains([':', ';', ',']) {
        format!("\"{clean}\"")
    } else {
        clean
    }
}

fn strip_controls(value: &str) -> String {
    value.chars().filter(|c| !c.is_control()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invite() -> Invite {
        Invite {
            uid: "0192-abc@debrief".into(),
            sequence: 2,
            dtstamp: "2026-09-27T10:00:00Z".parse().unwrap(),
            cancelled: false,
            summary: "Lessons learned: INC-2026-0001, Ransomware".into(),
            description: "Agenda\n1. Chronology; decisions, comms\\notes".into(),
            location: "Lyon HQ, room Rhône".into(),
            url: "https://meet.example.org/inc-1?x=1;y=2".into(),
            starts_at: "2026-09-29T08:00:00Z".parse().unwrap(),
            ends_at: "2026-09-29T09:30:00Z".parse().unwrap(),
            zone: TimeZone::get("Europe/Paris").unwrap(),
            zone_name: "Europe/Paris".into(),
            organizer: Participant {
                name: "Marta Nowak".into(),
                email: "marta@example.org".into(),
            },
            attendees: vec![
                InviteAttendee {
                    who: Participant {
                        name: "Marta Nowak".into(),
                        email: "marta@example.org".into(),
                    },
                    role: "CHAIR",
                    partstat: "ACCEPTED",
                    stakeholder: String::new(),
                },
                InviteAttendee {
                    who: Participant {
                        name: "Roux, Amélie \"Legal\"".into(),
                        email: "amelie@example.org".into(),
                    },
                    role: "REQ-PARTICIPANT",
                    partstat: "NEEDS-ACTION",
                    stakeholder: "legal".into(),
                },
            ],
        }
    }

    #[test]
    fn every_line_ends_with_crlf_and_none_is_longer_than_75_octets() {
        let mut i = invite();
        i.description = "é".repeat(200) + &"x".repeat(300);
        let ics = invite_ics(&i);
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
            assert!(!line.contains('\n') && !line.contains('\r'));
        }
        // Unfolding gives back the escaped value whole.
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("DESCRIPTION:{}", i.description)));
    }

    #[test]
    fn folding_never_splits_a_character() {
        let line = format!("SUMMARY:{}", "€".repeat(40));
        let folded = fold(&line);
        for part in folded.split("\r\n") {
            assert!(part.len() <= 75);
        }
        assert_eq!(folded.replace("\r\n ", ""), format!("{line}\r\n"));
        assert_eq!(fold("SHORT"), "SHORT\r\n");
    }

    #[test]
    fn text_and_parameters_are_escaped() {
        assert_eq!(
            text("a;b,c\\d\r\ne\u{7}f"),
            "a\\;b\\,c\\\\d\\ne".to_owned() + "f"
        );
        assert_eq!(param("Nowak, Marta"), "\"Nowak, Marta\"");
        assert_eq!(param("Ada \"A\" Byron"), "Ada 'A' Byron");
        assert_eq!(param("Plain Name"), "Plain Name");
        let ics = invite_ics(&invite());
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains("SUMMARY:Lessons learned: INC-2026-0001\\, Ransomware"));
        assert!(unfolded.contains(
            "ATTENDEE;CN=\"Roux, Amélie 'Legal'\";CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;X-DEBRIEF-ROLE=legal:mailto:amelie@example.org"
        ));
        assert!(unfolded.contains("URL:https://meet.example.org/inc-1?x=1;y=2"));
    }

    #[test]
    fn times_are_in_the_workshops_zone_with_its_observances() {
        let ics = invite_ics(&invite());
        assert!(ics.contains("DTSTART;TZID=Europe/Paris:20260929T100000\r\n"));
        assert!(ics.contains("DTEND;TZID=Europe/Paris:20260929T113000\r\n"));
        assert!(ics.contains("DTSTAMP:20260927T100000Z\r\n"));
        // Summer time began on 2026-03-29 at 02:00 local; winter time
        // returns on 2026-10-25 at 03:00 local.
        assert!(ics.contains(
            "BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nEND:DAYLIGHT\r\n"
        ), "{ics}");
        assert!(ics.contains(
            "BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nEND:STANDARD\r\n"
        ));
        // A zone without transitions, and UTC.
        let mut i = invite();
        i.zone = TimeZone::get("Asia/Kolkata").unwrap();
        i.zone_name = "Asia/Kolkata".into();
        let ics = invite_ics(&i);
        assert!(ics.contains("DTSTART;TZID=Asia/Kolkata:20260929T133000\r\n"));
        assert!(ics.contains("TZOFFSETTO:+0530\r\n"));
        i.zone = TimeZone::UTC;
        i.zone_name = "UTC".into();
        let ics = invite_ics(&i);
        assert!(!ics.contains("VTIMEZONE"));
        assert!(ics.contains("DTSTART:20260929T080000Z\r\n"));
    }

    #[test]
    fn a_cancellation_says_so_twice() {
        let mut i = invite();
        i.cancelled = true;
        i.sequence = 3;
        let ics = invite_ics(&i);
        assert!(ics.contains("METHOD:CANCEL\r\n"));
        assert!(ics.contains("STATUS:CANCELLED\r\n"));
        assert!(ics.contains("UID:0192-abc@debrief\r\n"));
        assert!(ics.contains("SEQUENCE:3\r\n"));
    }
}
