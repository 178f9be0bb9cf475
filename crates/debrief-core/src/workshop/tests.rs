use jiff::civil::{Date, date};
use jiff::tz::TimeZone;
use proptest::prelude::*;
use uuid::Uuid;

use super::*;
use crate::review::{
    CauseDraft, GapDraft, ItemDraft, LessonDraft, ObservationDraft, QuestionTemplate, Review,
    ReviewChange,
};
use crate::{
    IncidentDraft, NewTimelineEvent, Person, Severity, Taxonomy, TimelineEvent, Timestamp,
};

fn ts(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

fn paris() -> TimeZone {
    TimeZone::get("Europe/Paris").unwrap()
}

fn stamp(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

fn none() -> Holidays {
    Holidays::default()
}

// ----- business days and promptness --------------------------------------

#[test]
fn business_days_skip_the_weekend() {
    // Friday 2026-09-25 + 5 business days is the next Friday.
    assert_eq!(
        add_business_days(date(2026, 9, 25), 5, &none()),
        date(2026, 10, 2)
    );
    // A Saturday closure counts from Monday: Monday is day 1.
    assert_eq!(
        add_business_days(date(2026, 9, 26), 1, &none()),
        date(2026, 9, 28)
    );
    assert_eq!(
        add_business_days(date(2026, 9, 26), 0, &none()),
        date(2026, 9, 26)
    );
    assert!(!is_business_day(date(2026, 9, 27), &none()));
    assert!(is_business_day(date(2026, 9, 28), &none()));
}

#[test]
fn business_days_skip_holidays() {
    let holidays = Holidays::new([date(2026, 12, 24), date(2026, 12, 25), date(2027, 1, 1)]);
    // Tuesday 22 December: 23 (1), 24 and 25 are holidays, 26–27 weekend,
    // 28 (2), 29 (3), 30 (4), 31 (5).
    assert_eq!(
        add_business_days(date(2026, 12, 22), 5, &holidays),
        date(2026, 12, 31)
    );
    // One more skips New Year's Day and the weekend.
    assert_eq!(
        add_business_days(date(2026, 12, 22), 6, &holidays),
        date(2027, 1, 4)
    );
    assert!(!is_business_day(date(2026, 12, 25), &holidays));
}

proptest! {
    #[test]
    fn the_nth_business_day_is_a_business_day_n_business_days_on(
        start in 0i64..3650, n in 0u32..40, holiday_offsets in proptest::collection::vec(0i64..120, 0..10)
    ) {
        let from = date(2020, 1, 1).checked_add(jiff::Span::new().days(start)).unwrap();
        let holidays = Holidays::new(holiday_offsets.iter().map(|o| from.checked_add(jiff::Span::new().days(*o)).unwrap()));
        let due = add_business_days(from, n, &holidays);
        prop_assert!(due >= from);
        if n > 0 {
            prop_assert!(is_business_day(due, &holidays));
        }
        let mut counted = 0;
        let mut d = from;
        while d < due {
            d = d.tomorrow().unwrap();
            if is_business_day(d, &holidays) {
                counted += 1;
            }
        }
        prop_assert_eq!(counted, n);
    }
}

#[test]
fn critical_incidents_get_three_calendar_days_and_the_rest_five_business_days() {
    let policy = WorkshopPolicy::default();
    let critical = policy.promptness_for(Severity::Critical);
    assert_eq!(critical.describe(), "3 calendar days");
    // Closed Saturday 2026-09-26: calendar days run through the weekend.
    assert_eq!(
        critical.due_on(date(2026, 9, 26), &none()),
        date(2026, 9, 29)
    );
    let high = policy.promptness_for(Severity::High);
    assert_eq!(high.describe(), "5 business days");
    assert_eq!(high.due_on(date(2026, 9, 26), &none()), date(2026, 10, 2));
    assert_eq!(
        PromptnessRule::new(Severity::Low, 1, DayUnit::Business).describe(),
        "1 business day"
    );
}

#[test]
fn a_date_only_closure_is_never_moved_to_another_day() {
    let la = TimeZone::get("America/Los_Angeles").unwrap();
    assert_eq!(closure_date(stamp("2026-09-26"), &la), date(2026, 9, 26));
    assert_eq!(
        closure_date(stamp("2026-09-26"), &paris()),
        date(2026, 9, 26)
    );
    // An instant is the organisation's date.
    assert_eq!(
        closure_date(stamp("2026-09-26T23:30Z"), &paris()),
        date(2026, 9, 27)
    );
    assert_eq!(
        closure_date(stamp("2026-09-26T23:30Z"), &TimeZone::UTC),
        date(2026, 9, 26)
    );
}

#[test]
fn days_are_counted_in_the_organisations_zone_across_daylight_saving_time() {
    let rule = PromptnessRule::new(Severity::High, 5, DayUnit::Business);
    // In Paris, summer time begins on Sunday 2026-03-29 at 02:00. An
    // incident closed at 23:30 UTC on Saturday the 28th closed on Sunday
    // in Paris, so Monday the 30th is the first business day.
    let closed = stamp("2026-03-28T23:30Z");
    let due = review_due(
        Some(closed),
        &rule,
        &none(),
        &paris(),
        &[],
        date(2026, 3, 30),
    )
    .unwrap();
    assert_eq!(due.closed_on, date(2026, 3, 29));
    assert_eq!(due.due_on, date(2026, 4, 3));
    // In UTC the same instant is Saturday: due the same Friday, from one
    // business day earlier in the count (Monday is still day 1).
    let utc = review_due(
        Some(closed),
        &rule,
        &none(),
        &TimeZone::UTC,
        &[],
        date(2026, 3, 30),
    )
    .unwrap();
    assert_eq!(utc.closed_on, date(2026, 3, 28));

    // Winter time returns on Sunday 2026-10-25. Closed Monday the 19th:
    // due Monday the 26th, a day at UTC+1.
    let closed = stamp("2026-10-19T16:00+02:00");
    let on_time = [(ts("2026-10-26T23:30+01:00"), true)];
    let due = review_due(
        Some(closed),
        &rule,
        &none(),
        &paris(),
        &on_time,
        date(2026, 11, 2),
    )
    .unwrap();
    assert_eq!(due.due_on, date(2026, 10, 26));
    assert_eq!(due.held_on, Some(date(2026, 10, 26)));
    assert!(!due.late, "{}", due.summary());
    // 23:30 UTC on the 26th is already the 27th in Paris: late, although
    // the same instant is still the 26th in UTC.
    let late = [(ts("2026-10-26T23:30Z"), true)];
    let due = review_due(
        Some(closed),
        &rule,
        &none(),
        &paris(),
        &late,
        date(2026, 11, 2),
    )
    .unwrap();
    assert_eq!(due.held_on, Some(date(2026, 10, 27)));
    assert!(due.late, "{}", due.summary());
    let in_utc = review_due(
        Some(closed),
        &rule,
        &none(),
        &TimeZone::UTC,
        &late,
        date(2026, 11, 2),
    )
    .unwrap();
    assert!(!in_utc.late);
}

#[test]
fn a_review_is_flagged_late_or_unscheduled_until_it_is_held() {
    let rule = PromptnessRule::new(Severity::Critical, 3, DayUnit::Calendar);
    let closed = Some(stamp("2026-09-26"));
    let z = TimeZone::UTC;
    let check = |workshops: &[(jiff::Timestamp, bool)], today: Date| {
        review_due(closed, &rule, &none(), &z, workshops, today).unwrap()
    };
    assert!(review_due(None, &rule, &none(), &z, &[], date(2026, 9, 27)).is_none());

    let d = check(&[], date(2026, 9, 28));
    assert!(d.unscheduled && !d.late);
    assert_eq!(
        d.summary(),
        "review due by 2026-09-29 (3 calendar days after closure on 2026-09-26) — unscheduled"
    );
    let d = check(&[], date(2026, 9, 30));
    assert!(d.unscheduled && d.late);
    assert!(d.summary().ends_with("late and unscheduled"));

    let planned = [(ts("2026-09-29T08:00Z"), false)];
    let d = check(&planned, date(2026, 9, 28));
    assert!(!d.unscheduled && !d.late);
    assert_eq!(d.scheduled_on, Some(date(2026, 9, 29)));
    // Planned in time but not held by now: late.
    assert!(check(&planned, date(2026, 10, 1)).late);
    // Planned after the due date: late already.
    let d = check(&[(ts("2026-10-02T08:00Z"), false)], date(2026, 9, 28));
    assert!(d.late && d.summary().contains("late: scheduled for 2026-10-02"));

    let held = [
        (ts("2026-09-29T08:00Z"), true),
        (ts("2026-10-20T08:00Z"), false),
    ];
    let d = check(&held, date(2026, 11, 1));
    assert!(!d.late && d.summary().ends_with("held on 2026-09-29, within policy"));
    let d = check(&[(ts("2026-09-30T08:00Z"), true)], date(2026, 11, 1));
    assert!(d.late && d.summary().ends_with("held late, on 2026-09-30"));
}

#[test]
fn holidays_are_checked_by_field() {
    let h = Holiday::parse("2026-12-25", "  Christmas   Day ").unwrap();
    assert_eq!(
        (h.date, h.name.as_str()),
        (date(2026, 12, 25), "Christmas Day")
    );
    let e = Holiday::parse("25/12/2026", "").unwrap_err();
    assert!(e.for_field("date").unwrap().contains("25/12/2026"));
    assert!(e.for_field("name").is_some());
    assert!(Holiday::parse("2026-02-30", "x").is_err());
}

// ----- coverage ------------------------------------------------------------

fn roles(needs: &[RoleNeed]) -> Vec<&str> {
    needs.iter().map(|n| n.role.as_str()).collect()
}

#[test]
fn the_default_coverage_asks_more_of_severe_incidents_and_data_breaches() {
    let p = WorkshopPolicy::default();
    assert_eq!(
        roles(&p.required_roles(Severity::Low, "misconfiguration")),
        ["responder", "it", "management"]
    );
    assert_eq!(
        roles(&p.required_roles(Severity::High, "misconfiguration")),
        ["responder", "it", "management", "legal", "communications"]
    );
    let breach = p.required_roles(Severity::Medium, "data_breach");
    assert_eq!(
        roles(&breach),
        ["responder", "it", "management", "legal", "communications"]
    );
    assert_eq!(breach[3].because, ["data_breach incidents"]);
    let both = p.required_roles(Severity::Critical, "data_breach");
    assert_eq!(
        both[3].because,
        ["critical or high incidents", "data_breach incidents"]
    );
}

#[test]
fn missing_roles_are_named_with_the_reason() {
    use StakeholderRole::*;
    let p = WorkshopPolicy::default();
    let c = Coverage::new(
        p.required_roles(Severity::Critical, "ransomware"),
        &[Responder, Responder, It, Security],
    );
    assert_eq!(c.missing, [Management, Legal, Communications]);
    assert!(!c.is_complete());
    assert_eq!(
        c.missing_text(),
        "Management (always), Legal (critical or high incidents), Communications (critical or high incidents)"
    );
    let full = Coverage::new(
        p.required_roles(Severity::Low, "other"),
        &[Responder, It, Management],
    );
    assert!(full.is_complete() && full.missing_text().is_empty());
}

#[test]
fn a_policy_names_what_is_wrong_with_it() {
    let mut p = WorkshopPolicy::default();
    assert!(p.validate(&Taxonomy::default()).is_ok());
    p.promptness.retain(|r| r.severity != Severity::Low);
    p.promptness[0].days = 0;
    p.coverage.push(CoverageRule {
        roles: vec![],
        severities: vec![],
        categories: vec!["volcano".into()],
    });
    p.service_owners.push(ServiceOwners {
        service: " ".into(),
        owners: vec!["not an email".into()],
    });
    let e = p.validate(&Taxonomy::default()).unwrap_err();
    let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "promptness",
            "promptness[0].days",
            "coverage[3].roles",
            "coverage[3].categories",
            "service_owners[0].service",
            "service_owners[0].owners"
        ]
    );
    assert!(e.for_field("promptness").unwrap().contains("low"));
    // JSON form, unknown fields refused.
    let json = serde_json::to_string(&WorkshopPolicy::default()).unwrap();
    let back: WorkshopPolicy = serde_json::from_str(&json).unwrap();
    assert_eq!(back, WorkshopPolicy::default());
    assert!(
        serde_json::from_str::<WorkshopPolicy>(r#"{"promptness":[],"coverage":[],"typo":1}"#)
            .is_err()
    );
}

// ----- neutrality ----------------------------------------------------------

fn person(name: &str, email: &str, team: &str) -> Person {
    Person {
        id: Uuid::now_v7(),
        name: name.into(),
        email: email.into(),
        team: team.into(),
        phone: String::new(),
        version: 1,
    }
}

fn incident() -> crate::IncidentFields {
    IncidentDraft {
        title: "Ransomware".into(),
        category: "ransomware".into(),
        severity: "critical".into(),
        services: vec!["Backup platform".into(), "File servers (Lyon)".into()],
        responders: vec!["Priya Raman".into(), "tomas.ortega@example.org".into()],
        ..Default::default()
    }
    .validate(&Taxonomy::default())
    .unwrap()
}

fn event(actor: &str, text: &str) -> TimelineEvent {
    TimelineEvent {
        id: Uuid::now_v7(),
        incident_id: Uuid::nil(),
        event: NewTimelineEvent {
            at: stamp("2026-09-14T04:05+02:00"),
            kind: crate::EventKind::Decision,
            source: "manual".into(),
            actor: Some(actor.into()),
            text: text.into(),
            evidence_url: None,
            tags: vec![],
            key: true,
        },
        hash: String::new(),
        created_at: ts("2026-09-14T04:05Z"),
    }
}

#[test]
fn a_responder_an_actor_or_a_service_owner_is_not_neutral() {
    let events = [
        event("Forensics (Hannah Becker)", "Found the macro"),
        event("Hannah Becker", "Checked the logs"),
        event("Samantha Cole", "Paged the on-call"),
    ];
    let owners = [ServiceOwners {
        service: "backup  platform".into(),
        owners: vec!["Jordan.Lee@example.org".into()],
    }];
    let i = incident();
    let concerns = |p: &Person| facilitator_concerns(p, &i, &events, &owners);

    let priya = person(
        "Priya Raman",
        "priya.raman@example.org",
        "Security operations",
    );
    assert_eq!(
        concerns(&priya),
        ["Priya Raman is a responder of this incident (listed as “Priya Raman”)"]
    );
    let tomas = person("Tomás Ortega", "tomas.ortega@example.org", "Infrastructure");
    assert!(concerns(&tomas)[0].contains("listed as “tomas.ortega@example.org”"));
    let hannah = person("Hannah Becker", "hannah.becker@example.org", "Identity");
    assert_eq!(
        concerns(&hannah),
        [
            "Hannah Becker is the actor of 2 timeline events (first: 2026-09-14T04:05+02:00 “Found the macro”)"
        ]
    );
    let jordan = person("Jordan Lee", "jordan.lee@example.org", "Platform SRE");
    assert_eq!(
        concerns(&jordan),
        [
            "Jordan Lee owns the affected service “Backup platform” (service owners in the workshop policy)"
        ]
    );
    let team = person("Kai Moreau", "kai@example.org", "File servers (Lyon)");
    assert!(concerns(&team)[0].ends_with("(their team is named after it)"));
    // "Sam" is not "Samantha"; a neutral person raises nothing.
    assert!(concerns(&person("Sam Cole", "sam@example.org", "Service desk")).is_empty());
    assert!(!names_person(
        "Samantha Cole",
        &person("Sam", "s@x.org", "")
    ));
    assert!(names_person("On call: SAM.", &person("Sam", "s@x.org", "")));
    let marta = person("Marta Nowak", "marta.nowak@example.org", "Risk office");
    assert!(concerns(&marta).is_empty());
}

// ----- schedule and the workshop workflow --------------------------------

fn draft(starts: &str) -> ScheduleDraft {
    ScheduleDraft {
        starts: starts.into(),
        time_zone: "Europe/Paris".into(),
        duration_minutes: "90".into(),
        location: "Lyon HQ, room Rhône".into(),
        url: String::new(),
        facilitator: "marta@example.org".into(),
    }
}

const FACILITATOR: Uuid = Uuid::from_u128(1);
const ADA: Uuid = Uuid::from_u128(2);
const GRACE: Uuid = Uuid::from_u128(3);

fn schedule(starts: &str) -> Schedule {
    draft(starts)
        .validate(Some(FACILITATOR), "UTC", FieldErrors::default())
        .unwrap()
}

#[test]
fn a_start_is_a_wall_clock_time_in_the_workshops_zone() {
    let s = schedule("2026-09-29 10:00");
    assert_eq!(s.starts_at, ts("2026-09-29T08:00Z"));
    assert_eq!(s.ends_at(), ts("2026-09-29T09:30Z"));
    assert_eq!(s.time_zone, "Europe/Paris");
    // In winter the same wall clock is an hour later in UTC.
    assert_eq!(
        schedule("2026-12-01T10:00").starts_at,
        ts("2026-12-01T09:00Z")
    );
    // An instant with an offset is taken as it is.
    assert_eq!(
        schedule("2026-09-29T10:00-04:00").starts_at,
        ts("2026-09-29T14:00Z")
    );
    // The organisation's zone when none is given.
    let mut d = draft("2026-09-29 10:00");
    d.time_zone = String::new();
    let s = d
        .validate(
            Some(FACILITATOR),
            "America/New_York",
            FieldErrors::default(),
        )
        .unwrap();
    assert_eq!(
        (s.time_zone.as_str(), s.starts_at),
        ("America/New_York", ts("2026-09-29T14:00Z"))
    );
}

#[test]
fn a_time_the_clocks_skip_or_repeat_is_refused_with_a_way_out() {
    let e = draft("2026-03-29 02:30")
        .validate(Some(FACILITATOR), "UTC", FieldErrors::default())
        .unwrap_err();
    assert!(
        e.for_field("starts")
            .unwrap()
            .contains("does not exist in Europe/Paris")
    );
    let e = draft("2026-10-25 02:30")
        .validate(Some(FACILITATOR), "UTC", FieldErrors::default())
        .unwrap_err();
    let m = e.for_field("starts").unwrap();
    assert!(
        m.contains("happens twice")
            && m.contains("2026-10-25T02:30+02:00")
            && m.contains("2026-10-25T02:30+01:00"),
        "{m}"
    );
    // Either offset is then accepted.
    assert_eq!(
        schedule("2026-10-25T02:30+01:00").starts_at,
        ts("2026-10-25T01:30Z")
    );
}

#[test]
fn every_bad_schedule_field_is_reported_at_once() {
    let bad = ScheduleDraft {
        starts: "tomorrow morning".into(),
        time_zone: "Europe/Paris".into(),
        duration_minutes: "9000".into(),
        location: String::new(),
        url: "ftp://example.org".into(),
        facilitator: String::new(),
    };
    let mut errors = FieldErrors::default();
    errors.push("facilitator", "say who facilitates");
    let e = bad.validate(None, "UTC", errors).unwrap_err();
    let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["facilitator", "starts", "duration_minutes", "url"]);
    let e = ScheduleDraft {
        time_zone: "Mars/Olympus".into(),
        duration_minutes: "ninety".into(),
        ..draft("2026-09-29")
    }
    .validate(Some(FACILITATOR), "UTC", FieldErrors::default())
    .unwrap_err();
    assert!(e.for_field("time_zone").unwrap().contains("Mars/Olympus"));
    assert!(
        e.for_field("duration_minutes")
            .unwrap()
            .contains("`ninety`")
    );
    let e = ScheduleDraft {
        location: String::new(),
        ..draft("2026-09-29")
    }
    .validate(Some(FACILITATOR), "UTC", FieldErrors::default())
    .unwrap_err();
    assert!(e.for_field("starts").unwrap().contains("no time of day"));
    assert!(e.for_field("location").unwrap().contains("meeting link"));
}

fn workshop() -> Workshop {
    Workshop::new(
        Uuid::nil(),
        WorkshopKind::LessonsLearned,
        schedule("2026-09-29 10:00"),
        vec![Attendee {
            person_id: ADA,
            role: StakeholderRole::Responder,
            attendance: Attendance::Invited,
        }],
        vec![AgendaItem {
            title: "Chronology".into(),
            points: vec![],
        }],
        "Marta",
        ts("2026-09-27T10:00Z"),
    )
    .unwrap()
}

#[test]
fn every_change_to_what_the_invite_says_increases_the_sequence() {
    let mut w = workshop();
    assert_eq!((w.sequence, w.version), (0, 1));
    let now = ts("2026-09-28T10:00Z");
    w.apply(
        WorkshopEdit::AddAttendee {
            person_id: GRACE,
            role: StakeholderRole::Legal,
        },
        "Marta",
        now,
    )
    .unwrap();
    assert_eq!((w.sequence, w.version), (1, 2));
    // Accepting is not a change of the invite.
    w.apply(
        WorkshopEdit::SetAttendance {
            person_id: GRACE,
            attendance: Attendance::Accepted,
        },
        "Grace",
        now,
    )
    .unwrap();
    assert_eq!((w.sequence, w.version), (1, 3));
    // Rescheduling to the same time changes nothing the invite says.
    w.apply(WorkshopEdit::Reschedule(w.schedule.clone()), "Marta", now)
        .unwrap();
    assert_eq!(w.sequence, 1);
    w.apply(
        WorkshopEdit::Reschedule(schedule("2026-09-29 14:00")),
        "Marta",
        now,
    )
    .unwrap();
    assert_eq!(w.sequence, 2);
    w.apply(WorkshopEdit::SetAgenda(vec![]), "Marta", now)
        .unwrap();
    assert_eq!(w.sequence, 3);
    w.apply(
        WorkshopEdit::RemoveAttendee { person_id: GRACE },
        "Marta",
        now,
    )
    .unwrap();
    assert_eq!(w.sequence, 4);
    w.apply(
        WorkshopEdit::Cancel {
            reason: "merged into the follow-up".into(),
        },
        "Marta",
        now,
    )
    .unwrap();
    assert_eq!((w.sequence, w.status), (5, WorkshopStatus::Cancelled));
    let e = w
        .apply(WorkshopEdit::MarkHeld, "Marta", ts("2026-10-01T00:00Z"))
        .unwrap_err();
    assert!(matches!(e, WorkshopError::NotAllowed(m) if m.contains("cancelled")));
}

#[test]
fn attendance_and_holding_wait_for_the_start() {
    let mut w = workshop();
    let before = ts("2026-09-29T07:59Z");
    let e = w
        .apply(
            WorkshopEdit::SetAttendance {
                person_id: ADA,
                attendance: Attendance::Attended,
            },
            "Marta",
            before,
        )
        .unwrap_err();
    assert!(
        matches!(&e, WorkshopError::Invalid(f) if f.for_field("attendance").unwrap().contains("2026-09-29 10:00 CEST"))
    );
    assert!(matches!(
        w.apply(WorkshopEdit::MarkHeld, "Marta", before),
        Err(WorkshopError::NotAllowed(_))
    ));
    let after = ts("2026-09-29T09:00Z");
    w.apply(
        WorkshopEdit::SetAttendance {
            person_id: ADA,
            attendance: Attendance::Attended,
        },
        "Marta",
        after,
    )
    .unwrap();
    w.apply(WorkshopEdit::MarkHeld, "Marta", after).unwrap();
    assert_eq!(w.held_at, Some(w.schedule.starts_at));
    assert_eq!(w.status, WorkshopStatus::Held);
    // Held: notes and attendance may still be corrected, the rest is fixed.
    w.apply(
        WorkshopEdit::AddNote {
            item: Some(0),
            kind: NoteKind::Decision,
            text: "  Keep the offline backups  ".into(),
            reference: String::new(),
        },
        "Marta",
        after,
    )
    .unwrap();
    assert_eq!(w.notes[0].text, "Keep the offline backups");
    assert!(matches!(
        w.apply(WorkshopEdit::Reschedule(schedule("2026-10-01 10:00")), "M", after),
        Err(WorkshopError::NotAllowed(m)) if m.contains("held")
    ));
}

#[test]
fn people_and_notes_are_checked() {
    let mut w = workshop();
    let now = ts("2026-09-28T10:00Z");
    let unchanged = w.clone();
    let field_of = |e: WorkshopError| match e {
        WorkshopError::Invalid(f) => f.0[0].field.clone(),
        other => panic!("{other:?}"),
    };
    let cases = [
        WorkshopEdit::AddAttendee {
            person_id: FACILITATOR,
            role: StakeholderRole::It,
        },
        WorkshopEdit::RemoveAttendee { person_id: GRACE },
        WorkshopEdit::SetAttendance {
            person_id: GRACE,
            attendance: Attendance::Accepted,
        },
        WorkshopEdit::AddNote {
            item: None,
            kind: NoteKind::Note,
            text: "   ".into(),
            reference: String::new(),
        },
        WorkshopEdit::AddNote {
            item: Some(7),
            kind: NoteKind::Note,
            text: "x".into(),
            reference: String::new(),
        },
        WorkshopEdit::Cancel { reason: " ".into() },
    ];
    let fields: Vec<String> = cases
        .into_iter()
        .map(|c| field_of(w.apply(c, "M", now).unwrap_err()))
        .collect();
    assert_eq!(
        fields,
        ["person", "person", "person", "text", "item", "reason"]
    );
    assert_eq!(
        w, unchanged,
        "a refused change leaves the workshop as it was"
    );
    // Adding someone already invited changes their role.
    w.apply(
        WorkshopEdit::AddAttendee {
            person_id: ADA,
            role: StakeholderRole::It,
        },
        "M",
        now,
    )
    .unwrap();
    assert_eq!(w.attendees.len(), 1);
    assert_eq!(w.attendees[0].role, StakeholderRole::It);
    // The facilitator cannot also be an attendee.
    let mut s = w.schedule.clone();
    s.facilitator_id = ADA;
    assert!(matches!(
        w.apply(WorkshopEdit::Reschedule(s), "M", now),
        Err(WorkshopError::Invalid(f)) if f.for_field("facilitator").is_some()
    ));
}

// ----- the agenda ----------------------------------------------------------

#[test]
fn the_agenda_is_generated_from_the_incident_in_meeting_order() {
    let mut review = Review::open(
        Uuid::nil(),
        QuestionTemplate::nist_default(),
        "P",
        ts("2026-09-20T00:00Z"),
    );
    let at = ts("2026-09-20T00:00Z");
    for item in [
        ItemDraft::Cause(CauseDraft {
            kind: "root_cause".into(),
            category: "technology".into(),
            statement: "One password reached production and backups.".into(),
            ..Default::default()
        }),
        ItemDraft::Observation(ObservationDraft {
            kind: "lucky".into(),
            text: "It was Sunday.".into(),
        }),
        ItemDraft::Observation(ObservationDraft {
            kind: "went_well".into(),
            text: "Backups were intact.".into(),
        }),
        ItemDraft::Gap(GapDraft {
            area: "procedure".into(),
            severity: "high".into(),
            description: "No ransomware runbook.".into(),
        }),
        ItemDraft::Lesson(LessonDraft {
            statement: "Separate backup credentials.".into(),
            tags: vec![],
        }),
    ] {
        review
            .apply(ReviewChange::AddItem { item }, "P", at)
            .unwrap();
    }
    let mut communication = event("Priya Raman", "CFO informed");
    communication.event.kind = crate::EventKind::Communication;
    communication.event.key = false;
    let mut dated = event("", "Foothold");
    dated.event.at = stamp("2026-09-10");
    dated.event.kind = crate::EventKind::TechnicalFinding;
    let events = [
        dated,
        event("Priya Raman", "Isolate, do not power off"),
        communication,
    ];
    let actions = [AgendaAction {
        reference: "INC-2026-0001-A1".into(),
        title: "Separate backup credentials".into(),
        priority: crate::Priority::P1,
        status: crate::ActionStatus::InProgress,
        owner: "Tomás Ortega".into(),
        due_on: Some(date(2026, 10, 31)),
    }];
    let agenda = generate_agenda(AgendaSource {
        events: &events,
        review: Some(&review),
        actions: &actions,
    });
    let titles: Vec<&str> = agenda.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Chronology highlights",
            "Decisions",
            "Communication flows",
            "Technical findings",
            "What went well",
            "Gaps",
            "Lessons",
            "Actions by priority"
        ]
    );
    assert_eq!(
        agenda[0].points,
        [
            "2026-09-10 — Foothold",
            "2026-09-14 04:05+02:00 — Priya Raman: Isolate, do not power off"
        ]
    );
    assert_eq!(agenda[1].points.len(), 1);
    assert_eq!(
        agenda[2].points,
        ["2026-09-14 04:05+02:00 — Priya Raman: CFO informed"]
    );
    assert_eq!(
        agenda[3].points,
        ["Root cause (technology): One password reached production and backups."]
    );
    assert_eq!(
        agenda[4].points,
        ["Backups were intact.", "Where we got lucky: It was Sunday."]
    );
    assert_eq!(
        agenda[5].points,
        ["Procedure (high): No ransomware runbook."]
    );
    assert_eq!(agenda[6].points, ["Separate backup credentials."]);
    assert_eq!(
        agenda[7].points,
        [
            "P1 INC-2026-0001-A1 Separate backup credentials — Tomás Ortega, due 2026-10-31, in progress"
        ]
    );
    // Without a review, the findings come from the timeline and every
    // empty item prompts a discussion.
    let bare = generate_agenda(AgendaSource {
        events: &events,
        review: None,
        actions: &[],
    });
    assert_eq!(bare[3].points, ["2026-09-10 — Foothold"]);
    assert!(bare[6].points[0].starts_with("No lessons recorded yet"));
    // The text form reads back to the same agenda.
    assert_eq!(agenda_from_text(&agenda_to_text(&agenda)).unwrap(), agenda);
}

#[test]
fn the_agenda_text_is_read_leniently_and_errors_name_the_line() {
    let a = agenda_from_text(
        "Welcome\n\n# Timeline\n- 01:12 encryption\n* 03:47 alert\nplain point\n### Close\n",
    )
    .unwrap();
    assert_eq!(a.len(), 3);
    assert_eq!(a[0].title, "Welcome");
    assert_eq!(
        a[1].points,
        ["01:12 encryption", "03:47 alert", "plain point"]
    );
    assert_eq!(a[2].title, "Close");
    assert_eq!(
        agenda_from_text("## ok\n#\n").unwrap_err(),
        "line 2: a heading needs a title"
    );
    assert!(agenda_from_text("  \n").unwrap_err().contains("empty"));
    let long = format!("## x\n- {}\n", "y".repeat(501));
    assert!(agenda_from_text(&long).unwrap_err().starts_with("line 2:"));
}
