//! Every invite debrief generates, parsed by a real iCalendar parser:
//! Python's `icalendar` package (`tests/support/ical_check.py` prints what it
//! read as JSON). The story schedules a workshop in Europe/Paris, updates
//! it twice and cancels it, and also reads the demo's held workshop; the
//! checks: organiser, attendees with ROLE and PARTSTAT, DTSTART with the
//! workshop's TZID and a matching VTIMEZONE, the UID stable across updates,
//! SEQUENCE increasing, the cancellation, CRLF line ends and 75-octet lines.
//!
//! The interpreter is `$DEBRIEF_TEST_PYTHON` (set by `cargo xtask ci` to a
//! venv under `target/` with a pinned `icalendar`), else `python3`. Without
//! the package the test is skipped with a message — except under
//! `CI=true`, where that is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use debrief_app::workshops::{AttendeeInput, WorkshopInput};
use debrief_app::{App, FixedClock, Settings};
use debrief_core::workshop::{ScheduleDraft, WorkshopChange};
use debrief_core::{IncidentDraft, PersonDraft};
use debrief_testkit::TestDatabase;
use serde_json::Value;

fn python() -> Option<String> {
    let python = std::env::var("DEBRIEF_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&python)
        .args(["-c", "import icalendar"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some(python);
    }
    let message = format!(
        "{python} cannot import the `icalendar` package, so the invites cannot be parsed; \
         `cargo xtask ci` installs it into target/py-icalendar (or: pip install icalendar==7.3.2)"
    );
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true: {message}");
    }
    eprintln!("note: skipped — {message}");
    None
}

/// Runs the checker on the files; returns what the parser read, one object each.
fn parse(python: &str, files: &[PathBuf]) -> Vec<Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/ical_check.py");
    let out = Command::new(python)
        .arg(script)
        .args(files)
        .output()
        .expect("the checker runs");
    let parsed: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "the checker printed no JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert!(
        out.status.success(),
        "the parser found errors: {}",
        serde_json::to_string_pretty(&parsed).unwrap_or_default()
    );
    parsed
}

fn app_at(instant: &str, store: &debrief_store::SqlStore) -> App {
    App::new(
        Arc::new(store.clone()),
        Arc::new(FixedClock(instant.parse().unwrap())),
        Settings::default(),
    )
}

fn attendee<'v>(parsed: &'v Value, email: &str) -> &'v Value {
    parsed["attendees"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["address"] == format!("mailto:{email}"))
        .unwrap_or_else(|| panic!("no attendee {email} in {parsed}"))
}

#[tokio::test]
async fn invites_parse_with_a_real_icalendar_parser_through_updates_and_the_cancellation() {
    let Some(python) = python() else { return };
    for db in TestDatabase::all().await {
        eprintln!("story on {}", db.kind);
        let store = debrief_store::open(&db.url).await.unwrap();
        let app = app_at("2026-09-26T09:00:00Z", &store);
        let key = app
            .create_incident(&IncidentDraft {
                title: "Ransomware; backups, and \"quotes\"".into(),
                category: "ransomware".into(),
                severity: "critical".into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .key
            .to_string();
        for (name, email) in [
            ("Nowak, Marta", "marta@example.org"),
            ("Priya Raman", "priya@example.org"),
            ("Amélie Roux", "amelie@example.org"),
        ] {
            app.add_person(&PersonDraft {
                name: name.into(),
                email: email.into(),
                ..Default::default()
            })
            .await
            .unwrap();
        }
        let input = WorkshopInput {
            kind: "lessons_learned".into(),
            schedule: ScheduleDraft {
                starts: "2026-09-29 10:00".into(),
                time_zone: "Europe/Paris".into(),
                duration_minutes: "90".into(),
                location: "Lyon HQ, room Rhône; 3rd floor".into(),
                url: "https://meet.example.org/inc-1?pwd=a;b".into(),
                facilitator: "marta@example.org".into(),
            },
            attendees: vec![AttendeeInput {
                person: "priya@example.org".into(),
                role: "responder".into(),
            }],
            agenda: String::new(),
        };
        let (view, _) = app.schedule_workshop(&key, &input, "Marta").await.unwrap();
        let id = view.id().to_string();
        let dir = tempfile::tempdir().unwrap();
        let mut files = Vec::new();
        let mut save = |ics: String| {
            let path = dir.path().join(format!("invite-{}.ics", files.len()));
            std::fs::write(&path, ics).unwrap();
            files.push(path);
        };
        save(app.workshop_invite(&id).await.unwrap().1);
        // Update 1: someone from legal is invited; Priya accepts.
        let later = app_at("2026-09-27T09:00:00Z", &store);
        later
            .change_workshop(
                &id,
                WorkshopChange::AddAttendee {
                    person: "amelie@example.org".into(),
                    role: "legal".into(),
                },
                None,
                "Marta",
            )
            .await
            .unwrap();
        later
            .change_workshop(
                &id,
                WorkshopChange::SetAttendance {
                    person: "priya@example.org".into(),
                    attendance: "accepted".into(),
                },
                None,
                "Priya",
            )
            .await
            .unwrap();
        save(later.workshop_invite(&id).await.unwrap().1);
        // Update 2: moved to the afternoon, after winter time begins.
        let mut moved = input.schedule.clone();
        moved.starts = "2026-10-26 14:30".into();
        later
            .change_workshop(
                &id,
                WorkshopChange::Reschedule { schedule: moved },
                None,
                "Marta",
            )
            .await
            .unwrap();
        save(later.workshop_invite(&id).await.unwrap().1);
        // The cancellation.
        let last = app_at("2026-09-28T09:00:00Z", &store);
        last.change_workshop(
            &id,
            WorkshopChange::Cancel {
                reason: "merged with the follow-up".into(),
            },
            None,
            "Marta",
        )
        .await
        .unwrap();
        save(last.workshop_invite(&id).await.unwrap().1);

        let parsed = parse(&python, &files);
        assert_eq!(parsed.len(), 4);
        for p in &parsed {
            assert_eq!(p["version"], "2.0");
            assert_eq!(p["crlf_only"], true, "{p}");
            assert!(p["longest_line_octets"].as_u64().unwrap() <= 75, "{p}");
            assert_eq!(p["uid"], format!("{id}@debrief"), "the UID is stable");
            assert_eq!(p["organizer"], "mailto:marta@example.org");
            assert_eq!(p["organizer_params"]["CN"], "Nowak, Marta");
            assert_eq!(p["dtstart_tzid"], "Europe/Paris");
            assert_eq!(p["timezones"][0]["tzid"], "Europe/Paris");
            assert_eq!(
                p["summary"],
                format!("Lessons learned: {key} Ransomware; backups, and \"quotes\"")
            );
            assert_eq!(p["location"], "Lyon HQ, room Rhône; 3rd floor");
            assert_eq!(p["url"], "https://meet.example.org/inc-1?pwd=a;b");
            assert!(
                p["description"]
                    .as_str()
                    .unwrap()
                    .contains("1. Chronology highlights")
            );
            let chair = attendee(p, "marta@example.org");
            assert_eq!(
                (chair["ROLE"].as_str(), chair["PARTSTAT"].as_str()),
                (Some("CHAIR"), Some("ACCEPTED"))
            );
        }
        let sequences: Vec<u64> = parsed
            .iter()
            .map(|p| p["sequence"].as_u64().unwrap())
            .collect();
        assert_eq!(sequences, [0, 1, 2, 3], "SEQUENCE grows with every update");
        // The first invite: Priya required, not answered yet.
        let priya = attendee(&parsed[0], "priya@example.org");
        assert_eq!(priya["ROLE"], "REQ-PARTICIPANT");
        assert_eq!(priya["PARTSTAT"], "NEEDS-ACTION");
        assert_eq!(priya["X-DEBRIEF-ROLE"], "responder");
        assert_eq!(priya["CN"], "Priya Raman");
        assert_eq!(parsed[0]["dtstart_local"], "2026-09-29T10:00:00");
        assert_eq!(parsed[0]["dtstart_utc"], "2026-09-29T08:00:00+00:00");
        assert_eq!(parsed[0]["dtend_utc"], "2026-09-29T09:30:00+00:00");
        assert_eq!(parsed[0]["method"], "REQUEST");
        assert_eq!(parsed[0]["status"], "CONFIRMED");
        // Update 1: Amélie added as required legal, Priya accepted.
        assert_eq!(
            attendee(&parsed[1], "amelie@example.org")["CN"],
            "Amélie Roux"
        );
        assert_eq!(
            attendee(&parsed[1], "amelie@example.org")["X-DEBRIEF-ROLE"],
            "legal"
        );
        assert_eq!(
            attendee(&parsed[1], "priya@example.org")["PARTSTAT"],
            "ACCEPTED"
        );
        assert_eq!(parsed[1]["dtstamp"], "2026-09-27T09:00:00+00:00");
        // Update 2: 14:30 in Paris is 13:30 UTC after the change to winter
        // time, and the VTIMEZONE has the observance that says so.
        assert_eq!(parsed[2]["dtstart_local"], "2026-10-26T14:30:00");
        assert_eq!(parsed[2]["dtstart_utc"], "2026-10-26T13:30:00+00:00");
        let observances = parsed[2]["timezones"][0]["observances"].as_array().unwrap();
        assert!(
            observances.iter().any(|o| o["kind"] == "STANDARD"
                && o["dtstart"] == "2026-10-25T03:00:00"
                && o["from"] == "+0200"
                && o["to"] == "+0100"),
            "{observances:?}"
        );
        // The cancellation.
        assert_eq!(parsed[3]["method"], "CANCEL");
        assert_eq!(parsed[3]["status"], "CANCELLED");
        assert!(
            parsed[3]["description"]
                .as_str()
                .unwrap()
                .contains("Cancelled: merged with the follow-up")
        );
        store.close().await;
    }
}

#[tokio::test]
async fn the_demo_invites_parse_too() {
    let Some(python) = python() else { return };
    let db = TestDatabase::sqlite();
    let store = debrief_store::open(&db.url).await.unwrap();
    let app = app_at("2026-11-26T12:00:00Z", &store);
    app.load_demo().await.unwrap();
    let (_, workshops) = app.incident_workshops("INC-2026-0001").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (i, w) in workshops.iter().enumerate() {
        let path = dir.path().join(format!("demo-{i}.ics"));
        std::fs::write(
            &path,
            app.workshop_invite(&w.id().to_string()).await.unwrap().1,
        )
        .unwrap();
        files.push(path);
    }
    let parsed = parse(&python, &files);
    assert_eq!(parsed[0]["attendees"].as_array().unwrap().len(), 8);
    assert_eq!(
        attendee(&parsed[0], "chris.park@example.org")["PARTSTAT"],
        "DECLINED"
    );
    assert_eq!(
        attendee(&parsed[0], "elena.rossi@example.org")["PARTSTAT"],
        "ACCEPTED"
    );
    assert_eq!(parsed[0]["dtstart_utc"], "2026-09-29T08:00:00+00:00");
    assert_eq!(parsed[1]["dtstart_local"], "2026-12-03T14:00:00");
    assert_eq!(parsed[1]["dtstart_utc"], "2026-12-03T13:00:00+00:00");
}
