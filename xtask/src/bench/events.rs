//! Deterministic, realistic timeline events written as JSON Lines: the input
//! of the import benchmark. The same seed gives the same file everywhere.

use std::io::{self, Write};

use debrief_core::EventKind;
use jiff::tz::Offset;
use serde::Serialize;

/// A 64-bit linear congruential generator (Knuth's MMIX constants); the high
/// bits are good enough for picking words.
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x853c_49e6_748f_ea9b)
    }

    fn next_u32(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 32) as u32
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: u32) -> u32 {
        ((u64::from(self.next_u32()) * u64::from(n)) >> 32) as u32
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u32) as usize]
    }

    fn percent(&mut self, p: u32) -> bool {
        self.below(100) < p
    }
}

/// One JSON Lines record, in the shape of `TimelineEventDraft` with the
/// optional fields left out when empty (as exporters write them).
#[derive(Serialize)]
struct Line<'a> {
    at: &'a str,
    kind: &'a str,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    actor: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence_url: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    tags: &'a [&'a str],
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    key: bool,
}

/// Kinds with their weights: detections and actions dominate real timelines.
const KINDS: &[(EventKind, u32)] = &[
    (EventKind::Detection, 18),
    (EventKind::Escalation, 6),
    (EventKind::Decision, 7),
    (EventKind::Communication, 15),
    (EventKind::Action, 20),
    (EventKind::TechnicalFinding, 16),
    (EventKind::Containment, 6),
    (EventKind::Eradication, 3),
    (EventKind::Recovery, 4),
    (EventKind::Impact, 3),
    (EventKind::Other, 2),
];

const SOURCES: &[&str] = &["siem", "chat", "ticket", "log", "email", "edr-export"];

const ACTORS: &[&str] = &[
    "Dana Whitfield",
    "Sam Okafor",
    "Priya Raman",
    "Jonas Berg",
    "Lea Müller",
    "Mateo García",
    "Chen Wei",
    "Aoife Byrne",
    "SIEM",
    "EDR",
    "PagerDuty",
    "soc-bot",
    "IT service desk",
    "CISO",
];

const OPENERS: &[&str] = &[
    "EDR alert on",
    "Impossible travel detected for the VPN account used on",
    "Blocked outbound connection from",
    "Isolated host",
    "Suspicious PowerShell execution on",
    "Password reset forced for the service account on",
    "Firewall rule added in front of",
    "Backup restore started for",
    "Users report login failures through",
    "Memory image taken from",
    "Scheduled task removed from",
    "Patched and rebooted",
    "Vendor support case opened about",
    "Status page updated for the outage of",
];

const HOSTS: &[&str] = &["FS", "WS", "DC", "VPN", "SQL", "WEB", "MAIL", "APP", "JUMP"];

const DETAILS: &[&str] = &[
    "rule matched a credential dumping pattern",
    "\"impossible travel\" from two countries within ten minutes",
    "the user confirmed they did not start the request",
    "file hash matches a known loader",
    "ticket escalated to the on-call lead",
    "containment approved by the CISO",
    "traffic to 185.220.101.4 blocked at the edge",
    "waiting for the vendor to confirm",
    "no lateral movement observed so far",
    "Zürich office notified — waiting for a reply",
    "legal asked to keep all logs for 90 days",
    "customers in the EU region see errors on checkout",
    "shadow copies were deleted shortly before",
    "the attacker used a valid session cookie",
    "decision: keep the payment API online behind the WAF",
    "see the attached screenshot & chat export",
];

const TAGS: &[&str] = &[
    "edr",
    "phishing",
    "vpn",
    "mfa",
    "ransomware",
    "customer-impact",
    "legal",
    "comms",
];

/// Offsets the instants are written with, in seconds: mostly UTC.
const OFFSETS: &[i32] = &[0, 0, 0, 0, 3_600, 7_200, -18_000, 19_800, -25_200];

/// 2026-03-02T08:00:00Z, where the generated timeline starts.
const START_MS: i64 = 1_772_438_400_000;

/// Writes `n` events and returns the number of bytes written. Every event is
/// distinct (its text carries a unique reference), so an import adds all `n`.
pub fn write_jsonl(out: impl Write, n: u64, seed: u64) -> io::Result<u64> {
    let mut out = Counting {
        inner: out,
        bytes: 0,
    };
    let mut rng = Lcg::new(seed);
    let total_weight: u32 = KINDS.iter().map(|(_, w)| w).sum();
    let mut at = String::with_capacity(32);
    let mut text = String::with_capacity(256);
    let mut url = String::with_capacity(64);
    let mut tags: Vec<&str> = Vec::with_capacity(3);
    let mut t_ms = START_MS;
    for i in 0..n {
        // ~0.6 s apart on average, with an occasional quiet hour: a million
        // events span about a week.
        t_ms += 50 + i64::from(rng.below(1_100));
        if rng.below(5_000) == 0 {
            t_ms += i64::from(rng.below(3_600_000));
        }
        write_at(&mut at, t_ms, &mut rng);

        let mut w = rng.below(total_weight);
        let kind = KINDS
            .iter()
            .find(|(_, weight)| {
                if w < *weight {
                    true
                } else {
                    w -= weight;
                    false
                }
            })
            .map_or(EventKind::Other, |(k, _)| *k);

        write_text(&mut text, i, &mut rng);
        let source = if rng.percent(30) {
            None
        } else {
            Some(rng.pick(SOURCES))
        };
        let actor = if rng.percent(20) {
            None
        } else {
            Some(rng.pick(ACTORS))
        };
        tags.clear();
        if rng.percent(30) {
            for _ in 0..=rng.below(3) {
                tags.push(rng.pick(TAGS));
            }
        }
        let evidence_url = if rng.percent(8) {
            url.clear();
            use std::fmt::Write as _;
            let _ = write!(
                url,
                "https://tickets.example.com/browse/SEC-{}",
                1_000 + rng.below(90_000)
            );
            Some(url.as_str())
        } else {
            None
        };
        let line = Line {
            at: &at,
            kind: kind.as_str(),
            text: &text,
            source,
            actor,
            evidence_url,
            tags: &tags,
            key: rng.percent(3),
        };
        serde_json::to_writer(&mut out, &line)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(out.bytes)
}

/// An instant in one of the forms people export: mostly seconds, some with
/// milliseconds, some only to the minute, a few bare dates; `Z` or an offset.
fn write_at(buf: &mut String, t_ms: i64, rng: &mut Lcg) {
    use std::fmt::Write as _;
    buf.clear();
    let offset = rng.pick(OFFSETS);
    let ts = jiff::Timestamp::from_millisecond(t_ms).expect("the generated instants are in range");
    let dt = Offset::from_seconds(offset)
        .expect("a valid offset")
        .to_datetime(ts);
    let _ = write!(buf, "{:04}-{:02}-{:02}", dt.year(), dt.month(), dt.day());
    let form = rng.below(100);
    if form < 3 {
        return; // a bare date: day precision, UTC
    }
    buf.push(if form < 8 { ' ' } else { 'T' });
    let _ = write!(buf, "{:02}:{:02}", dt.hour(), dt.minute());
    if form >= 15 {
        let _ = write!(buf, ":{:02}", dt.second());
    }
    if form >= 85 {
        let _ = write!(buf, ".{:03}", dt.millisecond());
    }
    if offset == 0 {
        buf.push('Z');
    } else {
        let sign = if offset < 0 { '-' } else { '+' };
        let abs = offset.unsigned_abs();
        let _ = write!(buf, "{sign}{:02}:{:02}", abs / 3_600, abs % 3_600 / 60);
    }
}

/// A sentence of 25–185 characters and a unique reference: 40–200 in all.
fn write_text(buf: &mut String, i: u64, rng: &mut Lcg) {
    use std::fmt::Write as _;
    buf.clear();
    let target = 25 + rng.below(161) as usize;
    let _ = write!(
        buf,
        "{} {}-{:02}: {}",
        rng.pick(OPENERS),
        rng.pick(HOSTS),
        1 + rng.below(40),
        rng.pick(DETAILS)
    );
    while buf.len() < target {
        buf.push_str("; ");
        buf.push_str(rng.pick(DETAILS));
    }
    let mut cut = target.min(buf.len());
    while !buf.is_char_boundary(cut) {
        cut -= 1;
    }
    buf.truncate(cut);
    let kept = buf.trim_end_matches([' ', ';', ':', ',', '—', '&']).len();
    buf.truncate(kept);
    // Multiplying by an odd constant is a bijection on u32: distinct for the
    // first 2^32 events.
    let reference = (i as u32).wrapping_mul(0x9E37_79B1).rotate_left(13);
    let _ = write!(buf, " (ref {reference:08x})");
}

/// A writer that counts what passes through it.
struct Counting<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use debrief_core::TimelineEventDraft;

    #[test]
    fn every_generated_line_is_a_valid_distinct_event() {
        let mut out = Vec::new();
        write_jsonl(&mut out, 5_000, 7).unwrap();
        let mut hashes = std::collections::HashSet::new();
        for line in String::from_utf8(out).unwrap().lines() {
            let draft: TimelineEventDraft = serde_json::from_str(line).unwrap();
            let len = draft.text.chars().count();
            assert!((30..=200).contains(&len), "{len}: {}", draft.text);
            let event = draft
                .validate("import")
                .unwrap_or_else(|e| panic!("{line}: {e:?}"));
            assert!(hashes.insert(event.content_hash()));
        }
        assert_eq!(hashes.len(), 5_000);
    }

    #[test]
    fn the_same_seed_gives_the_same_file() {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        write_jsonl(&mut a, 100, 1).unwrap();
        write_jsonl(&mut b, 100, 1).unwrap();
        assert_eq!(a, b);
    }
}
