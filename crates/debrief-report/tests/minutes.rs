//! The workshop minutes: every part in both formats, user text escaped for
//! each (no HTML gets through the Markdown, nothing unescaped in the HTML),
//! and the Markdown parsing as CommonMark with the headings expected.

use debrief_report::{
    MinutesInput, MinutesItem, MinutesNote, MinutesPerson, minutes_html, minutes_markdown,
};
use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

fn note(text: &str, reference: &str) -> MinutesNote {
    MinutesNote {
        time: "10:42".into(),
        by: "Marta Nowak".into(),
        text: text.into(),
        reference: reference.into(),
    }
}

fn input() -> MinutesInput {
    let person = |name: &str, role: &str| MinutesPerson {
        name: name.into(),
        role: role.into(),
    };
    MinutesInput {
        title: "Lessons-learned workshop".into(),
        incident_key: "INC-2026-0001".into(),
        incident_title: "Ransomware <script>alert(1)</script>".into(),
        status: "Held".into(),
        when: "2026-09-29 10:00–12:00 CEST (Europe/Paris)".into(),
        location: "Lyon HQ, room Rhône".into(),
        url: "https://meet.example.org/inc-1".into(),
        facilitator: "Marta Nowak".into(),
        attended: vec![
            person("Priya Raman", "Responder"),
            person("Elena Rossi", "Legal"),
        ],
        absent: vec![person("Chris Park", "Communications")],
        unrecorded: vec![],
        items: vec![
            MinutesItem {
                title: "Chronology highlights".into(),
                points: vec!["01:12 encryption".into()],
                notes: vec![note("The EDR alert came *2 h 35 min* late", "")],
            },
            MinutesItem {
                title: "Gaps".into(),
                points: vec![],
                notes: vec![],
            },
        ],
        other_notes: vec![note("# not a heading", "")],
        decisions: vec![note("Keep offline backups weekly", "")],
        lessons: vec![note("Backups need their own credentials", "0192-lesson")],
        actions: vec![note("Rehearse the restore runbook", "INC-2026-0001-A5")],
        generated: "2026-09-29 14:02 UTC".into(),
    }
}

#[test]
fn the_markdown_minutes_are_commonmark_with_every_part_and_no_html() {
    let md = minutes_markdown(&input());
    let events: Vec<Event> = Parser::new(&md).collect();
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Event::Html(_) | Event::InlineHtml(_))),
        "{md}"
    );
    let mut headings = Vec::new();
    let mut current: Option<(HeadingLevel, String)> = None;
    for e in &events {
        match e {
            Event::Start(Tag::Heading { level, .. }) => current = Some((*level, String::new())),
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, s)) = current.as_mut() {
                    s.push_str(t);
                }
            }
            Event::End(TagEnd::Heading(_)) => headings.extend(current.take()),
            _ => {}
        }
    }
    let h2: Vec<&str> = headings
        .iter()
        .filter(|(l, _)| *l == HeadingLevel::H2)
        .map(|(_, s)| s.as_str())
        .collect();
    assert_eq!(
        h2,
        [
            "Attendance",
            "Decisions",
            "Lessons added",
            "Actions added",
            "Notes by agenda item",
            "Other notes"
        ]
    );
    assert!(md.contains("- **Attended:** Priya Raman (Responder), Elena Rossi (Legal)\n"));
    assert!(md.contains("- **Absent:** Chris Park (Communications)\n"));
    assert!(md.contains("Rehearse the restore runbook `INC-2026-0001-A5` — Marta Nowak, 10:42"));
    assert!(md.contains("### 2. Gaps\n\nNo notes.\n"));
    assert!(md.contains("\\# not a heading"));
    assert!(md.contains("\\*2 h 35 min\\*"));
}

#[test]
fn the_html_minutes_escape_user_text() {
    let html = minutes_html(&input());
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script>"));
    assert!(
        html.contains("Ransomware &#60;script&#62;") || html.contains("Ransomware &lt;script&gt;")
    );
    assert!(html.contains("<h2>Actions added</h2>"));
    assert!(html.contains("<code>INC-2026-0001-A5</code>"));
    assert!(html.contains("Chris Park <span class=\"muted\">(Communications)</span>"));
    let empty = MinutesInput {
        attended: vec![],
        absent: vec![],
        decisions: vec![],
        ..input()
    };
    let html = minutes_html(&empty);
    assert!(html.contains("No decisions recorded."));
}
