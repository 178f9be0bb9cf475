//! The workshop use cases (PRODUCT.md §8) end to end on a real store
//! (SQLite, and PostgreSQL when configured): the check before invites
//! (coverage, neutral facilitator), bad input by field, promptness with
//! holidays in the organisation's zone, versioned changes, notes taken
//! live, lessons and actions added during the meeting, the minutes, the
//! policy as data, the bundle and the demo. Time comes from `FixedClock`.

use std::sync::Arc;

use debrief_app::workshops::{AttendeeInput, WorkshopInput};
use debrief_app::{App, AppError, FixedClock, Settings};
use debrief_core::action::ActionDraft;
use debrief_core::review::LessonDraft;
use debrief_core::workshop::{
    CoverageRule, DayUnit, NoteKind, ScheduleDraft, StakeholderRole, WorkshopChange,
    WorkshopPolicy, WorkshopStatus,
};
use debrief_core::{DurationName, IncidentDraft, PersonDraft, Severity, TimelineEventDraft};
use debrief_testkit::TestDatabase;
use jiff::civil::date;
use jiff::tz::TimeZone;

const NOON: &str = "2026-11-26T12:00:00Z";

async fn app_over(url: String, settings: Settings) -> App {
    let store = debrief_store::open(&url).await.unwrap();
    App::new(
        Arc::new(store),
        Arc::new(FixedClock(NOON.parse().unwrap())),
        settings,
    )
}

async fn each_app<F, Fut>(story: F)
where
    F: Fn(App, String) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let mut failures = Vec::new();
    for db in TestDatabase::all().await {
        let app = app_over(db.url.clone(), Settings::default()).await;
        eprintln!("story on {}", db.kind);
        if let Err(e) = tokio::spawn(story(app, db.url.clone())).await {
            let m = match e.try_into_panic() {
                Ok(p) => p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default(),
                Err(e) => e.to_string(),
            };
            failures.push(format!("{}: {m}", db.kind));
        }
    }
    assert!(failures.is_empty(), "failed on {}", failures.join("\n"));
}

fn at(app: &App, instant: &str) -> App {
    app.with_clock(Arc::new(FixedClock(instant.parse().unwrap())))
}

/// A closed critical ransomware incident with responders, a timeline
/// actor, and the people of the story.
async fn seed(app: &App) -> String {
    let key = app
        .create_incident(&IncidentDraft {
            title: "Ransomware on the file servers".into(),
            category: "ransomware".into(),
            severity: "critical".into(),
            services: vec!["Backup platform".into()],
            responders: vec!["Priya Raman".into()],
            timestamps: vec![
                ("started".into(), "2026-09-14T01:12+02:00".into()),
                ("detected".into(), "2026-09-14T03:47+02:00".into()),
                ("closed".into(), "2026-09-25".into()),
            ],
            ..Default::default()
        })
        .await
        .unwrap()
        .key
        .to_string();
    app.add_event(
        &key,
        &TimelineEventDraft {
            at: "2026-09-14T04:05+02:00".into(),
            kind: "decision".into(),
            actor: Some("Forensics (Hannah Becker)".into()),
            text: "Isolate the servers, do not power them off".into(),
            key: true,
            ..Default::default()
        },
        None,
    )
    .await
    .unwrap();
    for (name, email, team) in [
        ("Marta Nowak", "marta@example.org", "Risk office"),
        ("Priya Raman", "priya@example.org", "Security operations"),
        ("Hannah Becker", "hannah@example.org", "Identity"),
        ("Tomás Ortega", "tomas@example.org", "Infrastructure"),
        ("Daniel Kim", "daniel@example.org", "CISO"),
        ("Elena Rossi", "elena@example.org", "Legal"),
        ("Chris Park", "chris@example.org", "Communications"),
    ] {
        app.add_person(&PersonDraft {
            name: name.into(),
            email: email.into(),
            team: team.into(),
            phone: String::new(),
        })
        .await
        .unwrap();
    }
    key
}

fn input(facilitator: &str, starts: &str, attendees: &[(&str, &str)]) -> WorkshopInput {
    WorkshopInput {
        kind: "lessons_learned".into(),
        schedule: ScheduleDraft {
            starts: starts.into(),
            time_zone: "Europe/Paris".into(),
            duration_minutes: "90".into(),
            location: "Lyon HQ, room Rhône".into(),
            url: "https://meet.example.org/inc".into(),
            facilitator: facilitator.into(),
        },
        attendees: attendees
            .iter()
            .map(|(p, r)| AttendeeInput {
                person: (*p).into(),
                role: (*r).into(),
            })
            .collect(),
        agenda: String::new(),
    }
}

const TEAM: [(&str, &str); 3] = [
    ("priya@example.org", "responder"),
    ("tomas@example.org", "it"),
    ("daniel@example.org", "management"),
];

fn fields(e: &AppError) -> Vec<String> {
    match e {
        AppError::Invalid(f) => f.iter().map(|e| e.field.clone()).collect(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

#[tokio::test]
async fn the_check_names_missing_roles_and_a_facilitator_who_is_not_neutral() {
    each_app(|app, _| async move {
        let key = seed(&app).await;
        let (check, prepared) = app
            .check_workshop(&key, &input("hannah@example.org", "2026-09-28 10:00", &TEAM))
            .await
            .unwrap();
        assert!(prepared.is_some() && check.errors.is_empty());
        let missing: Vec<&str> = check.coverage.missing.iter().map(|r| r.as_str()).collect();
        assert_eq!(missing, ["legal", "communications"]);
        let warnings = check.warnings();
        assert_eq!(
            warnings[0],
            "Stakeholders missing from the invite: Legal (critical or high incidents), Communications (critical or high incidents)."
        );
        assert!(
            warnings[1].contains("Hannah Becker is the actor of 1 timeline event"),
            "{warnings:?}"
        );
        let (check, _) = app
            .check_workshop(&key, &input("priya@example.org", "2026-09-28 10:00", &[]))
            .await
            .unwrap();
        assert!(check.facilitator_concerns[0].contains("is a responder"));
        let full = [
            TEAM[0],
            TEAM[1],
            TEAM[2],
            ("elena@example.org", "legal"),
            ("chris@example.org", "communications"),
        ];
        let (check, _) = app
            .check_workshop(&key, &input("marta@example.org", "2026-09-28 10:00", &full))
            .await
            .unwrap();
        assert!(check.warnings().is_empty(), "{:?}", check.warnings());
        // Checking saves nothing.
        assert!(app.incident_workshops(&key).await.unwrap().1.is_empty());
    })
    .await;
}

#[tokio::test]
async fn every_bad_field_is_named_at_once_and_nothing_is_scheduled() {
    each_app(|app, _| async move {
        let key = seed(&app).await;
        let mut bad = input(
            "nobody@example.org",
            "29/09/2026",
            &[
                ("ghost@example.org", "responder"),
                ("priya@example.org", "chef"),
            ],
        );
        bad.kind = "retro".into();
        bad.schedule.duration_minutes = "5".into();
        bad.agenda = "#\n".into();
        let e = app
            .schedule_workshop(&key, &bad, "Marta")
            .await
            .unwrap_err();
        assert_eq!(
            fields(&e),
            [
                "kind",
                "facilitator",
                "starts",
                "duration_minutes",
                "attendees[0]",
                "attendees[1].role",
                "agenda"
            ]
        );
        let twice = input(
            "marta@example.org",
            "2026-09-28 10:00",
            &[
                ("priya@example.org", "responder"),
                ("priya@example.org", "it"),
                ("marta@example.org", "it"),
            ],
        );
        let e = app
            .schedule_workshop(&key, &twice, "Marta")
            .await
            .unwrap_err();
        assert_eq!(fields(&e), ["attendees[1]", "attendees[2]"]);
        assert!(app.incident_workshops(&key).await.unwrap().1.is_empty());
        assert!(matches!(
            app.schedule_workshop("INC-2026-9999", &twice, "M").await,
            Err(AppError::NotFound(_))
        ));
    })
    .await;
}

#[tokio::test]
async fn scheduling_generates_the_agenda_and_changes_are_versioned() {
    each_app(|app, _| async move {
        let key = seed(&app).await;
        let early = at(&app, "2026-09-26T09:00:00Z");
        let (view, _) = early
            .schedule_workshop(&key, &input("marta@example.org", "2026-09-28 10:00", &TEAM), "Marta")
            .await
            .unwrap();
        let w = &view.workshop;
        assert_eq!((w.sequence, w.version, w.status), (0, 1, WorkshopStatus::Scheduled));
        assert_eq!(w.agenda.len(), 8);
        assert_eq!(
            w.agenda[1].points,
            ["2026-09-14 04:05+02:00 — Forensics (Hannah Becker): Isolate the servers, do not power them off"]
        );
        let id = view.id().to_string();

        // A stale version is a conflict and changes nothing.
        let add = WorkshopChange::AddAttendee {
            person: "elena@example.org".into(),
            role: "legal".into(),
        };
        let v = early.change_workshop(&id, add.clone(), Some(1), "Marta").await.unwrap();
        assert_eq!((v.workshop.sequence, v.workshop.version), (1, 2));
        assert!(v.coverage.missing.iter().all(|r| *r != StakeholderRole::Legal));
        match early.change_workshop(&id, add, Some(1), "Marta").await {
            Err(AppError::Conflict { current_version, message }) => {
                assert_eq!(current_version, Some(2));
                assert!(message.contains("you had version 1, it is now 2"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        // Notes without a version go onto the current one.
        let note = |text: &str| WorkshopChange::AddNote {
            item: Some(1),
            kind: String::new(),
            text: text.into(),
        };
        let during = at(&app, "2026-09-28T08:30:00Z");
        during.change_workshop(&id, note("one"), None, "Marta").await.unwrap();
        let v = during.change_workshop(&id, note("two"), None, "Ada").await.unwrap();
        assert_eq!(v.workshop.notes.len(), 2);
        // Field problems of a change are named.
        let e = during
            .change_workshop(
                &id,
                WorkshopChange::AddNote { item: Some(9), kind: "gossip".into(), text: "x".into() },
                None,
                "M",
            )
            .await
            .unwrap_err();
        assert_eq!(fields(&e), ["kind"]);
        let e = during
            .change_workshop(&id, WorkshopChange::AddNote { item: Some(9), kind: String::new(), text: "x".into() }, None, "M")
            .await
            .unwrap_err();
        assert_eq!(fields(&e), ["item"]);
        let e = during
            .change_workshop(
                &id,
                WorkshopChange::SetAttendance { person: "elena@example.org".into(), attendance: "maybe".into() },
                None,
                "M",
            )
            .await
            .unwrap_err();
        assert_eq!(fields(&e), ["attendance"]);
        // Attendance is recorded once it has started; holding needs the start.
        let e = early
            .change_workshop(
                &id,
                WorkshopChange::SetAttendance { person: "elena@example.org".into(), attendance: "attended".into() },
                None,
                "M",
            )
            .await
            .unwrap_err();
        assert_eq!(fields(&e), ["attendance"]);
        assert!(matches!(
            early.change_workshop(&id, WorkshopChange::MarkHeld, None, "M").await,
            Err(AppError::NotAllowed(_))
        ));
        // The agenda is edited as text.
        let v = early
            .change_workshop(&id, WorkshopChange::SetAgenda { agenda: "## Timeline\n- 01:12\n## Close".into() }, None, "M")
            .await
            .unwrap();
        assert_eq!(v.workshop.agenda.len(), 2);
        assert_eq!(v.workshop.sequence, 2);
        assert!(matches!(app.workshop("not-a-uuid").await, Err(AppError::NotFound(_))));
        assert!(matches!(
            app.workshop("0192f3c4-0000-7000-8000-000000000000").await,
            Err(AppError::NotFound(_))
        ));
    })
    .await;
}

#[tokio::test]
async fn lessons_and_actions_added_live_land_in_the_review_the_actions_and_the_minutes() {
    each_app(|app, _| async move {
        let key = seed(&app).await;
        let (view, _) = at(&app, "2026-09-26T09:00:00Z")
            .schedule_workshop(
                &key,
                &input("marta@example.org", "2026-09-28 10:00", &TEAM),
                "Marta",
            )
            .await
            .unwrap();
        let id = view.id().to_string();
        let live = at(&app, "2026-09-28T08:40:00Z");
        for (p, a) in [
            ("priya@example.org", "attended"),
            ("tomas@example.org", "absent"),
        ] {
            live.change_workshop(
                &id,
                WorkshopChange::SetAttendance {
                    person: p.into(),
                    attendance: a.into(),
                },
                None,
                "Marta",
            )
            .await
            .unwrap();
        }
        live.change_workshop(
            &id,
            WorkshopChange::AddNote {
                item: Some(2),
                kind: "decision".into(),
                text: "Keep isolating first".into(),
            },
            None,
            "Marta",
        )
        .await
        .unwrap();
        let v = live
            .add_workshop_lesson(
                &id,
                &LessonDraft {
                    statement: "Backups need credentials of their own".into(),
                    tags: vec!["backups".into()],
                },
                Some(7),
                "Marta",
            )
            .await
            .unwrap();
        let (_, review) = app.review(&key).await.unwrap();
        let lesson = review.unwrap().lessons.pop().unwrap();
        let note = v.workshop.notes_of(NoteKind::Lesson).next().unwrap();
        assert_eq!(
            (note.reference.clone(), note.item),
            (lesson.id.to_string(), Some(6))
        );
        let (v, action, _) = live
            .add_workshop_action(
                &id,
                &ActionDraft {
                    title: "Rehearse the restore runbook".into(),
                    action_type: "respond".into(),
                    owner: "tomas@example.org".into(),
                    due_on: "2026-12-31".into(),
                    risk: 3,
                    impact: 4,
                    effort: 2,
                    ..Default::default()
                },
                Some(8),
                "Marta",
            )
            .await
            .unwrap();
        assert_eq!(action.key.to_string(), format!("{key}-A1"));
        assert_eq!(
            v.workshop
                .notes_of(NoteKind::Action)
                .next()
                .unwrap()
                .reference,
            format!("{key}-A1")
        );
        // A bad action is refused by field and notes nothing.
        let e = live
            .add_workshop_action(
                &id,
                &ActionDraft {
                    title: "Backups".into(),
                    ..Default::default()
                },
                None,
                "M",
            )
            .await
            .unwrap_err();
        assert!(fields(&e).contains(&"title".to_owned()));
        live.change_workshop(&id, WorkshopChange::MarkHeld, None, "Marta")
            .await
            .unwrap();

        let (_, m) = app.workshop_minutes(&id).await.unwrap();
        let md = debrief_report::minutes_markdown(&m);
        assert!(
            md.contains("- **Attended:** Priya Raman (Responder)\n"),
            "{md}"
        );
        assert!(md.contains("- **Absent:** Tomás Ortega (IT)\n"));
        assert!(md.contains("- **Not recorded:** Daniel Kim (Management)\n"));
        assert!(md.contains("Keep isolating first — Marta, 10:40"));
        assert!(md.contains("Backups need credentials of their own"));
        assert!(md.contains(&format!("Rehearse the restore runbook `{key}-A1`")));
        assert!(md.contains("- **When:** 2026-09-28 10:00–11:30 CEST (Europe/Paris)"));
        // Held: it ends time_to_review (closed on a day, so about 3 days).
        let v = app.incident_view(&key).await.unwrap();
        let review_time = v.durations.get(DurationName::TimeToReview).unwrap();
        assert_eq!(review_time.human(), "~3 d");
    })
    .await;
}

#[tokio::test]
async fn the_review_is_due_in_business_days_with_the_organisations_holidays() {
    each_app(|_, url| async move {
        // A high incident closed on Thursday 2026-12-17 in Paris: five
        // business days, skipping Christmas and Boxing Day on a weekend…
        let paris = Settings {
            time_zone: TimeZone::get("Europe/Paris").unwrap(),
            ..Settings::default()
        };
        let app = at(&app_over(url, paris).await, "2026-12-18T09:00:00Z");
        app.add_holiday("2026-12-24", "Christmas Eve")
            .await
            .unwrap();
        app.add_holiday("2026-12-25", "Christmas Day")
            .await
            .unwrap();
        let e = app.add_holiday("2026-12-25", "Noël").await.unwrap_err();
        assert_eq!(fields(&e), ["date"]);
        let e = app.add_holiday("25.12.", "").await.unwrap_err();
        assert_eq!(fields(&e), ["date", "name"]);
        let key = app
            .create_incident(&IncidentDraft {
                title: "Phishing".into(),
                category: "phishing".into(),
                severity: "high".into(),
                timestamps: vec![
                    ("detected".into(), "2026-12-17T10:00+01:00".into()),
                    ("closed".into(), "2026-12-17T23:30Z".into()),
                ],
                ..Default::default()
            })
            .await
            .unwrap()
            .key
            .to_string();
        // …closed at 00:30 on Friday the 18th in Paris: Mon 21 (1), Tue 22
        // (2), Wed 23 (3), Thu 24 and Fri 25 are holidays, Mon 28 (4),
        // Tue 29 (5).
        let incident = app.incident(&key).await.unwrap();
        let due = app.review_due(&incident).await.unwrap().unwrap();
        assert_eq!(
            (due.closed_on, due.due_on),
            (date(2026, 12, 18), date(2026, 12, 29))
        );
        assert!(due.unscheduled && !due.late);
        let later = at(&app, "2026-12-30T09:00:00Z");
        assert!(later.review_due(&incident).await.unwrap().unwrap().late);
        // Deleting a holiday moves the due date.
        app.delete_holiday("2026-12-24").await.unwrap();
        assert!(matches!(
            app.delete_holiday("2026-12-24").await,
            Err(AppError::NotFound(_))
        ));
        let due = app.review_due(&incident).await.unwrap().unwrap();
        assert_eq!(due.due_on, date(2026, 12, 28));
        // A workshop scheduled in time; a cancelled one does not count.
        app.add_person(&PersonDraft {
            name: "Marta Nowak".into(),
            email: "marta@example.org".into(),
            ..Default::default()
        })
        .await
        .unwrap();
        let (v, _) = app
            .schedule_workshop(
                &key,
                &input("marta@example.org", "2026-12-22 10:00", &[]),
                "M",
            )
            .await
            .unwrap();
        let due = app.review_due(&incident).await.unwrap().unwrap();
        assert_eq!(
            (due.scheduled_on, due.late),
            (Some(date(2026, 12, 22)), false)
        );
        app.change_workshop(
            &v.id().to_string(),
            WorkshopChange::Cancel {
                reason: "clash".into(),
            },
            None,
            "M",
        )
        .await
        .unwrap();
        assert!(
            app.review_due(&incident)
                .await
                .unwrap()
                .unwrap()
                .unscheduled
        );
    })
    .await;
}

#[tokio::test]
async fn the_policy_is_data_checked_by_field_and_versioned() {
    each_app(|app, _| async move {
        let key = seed(&app).await;
        let (mut policy, version) = app.workshop_policy().await.unwrap();
        assert_eq!((policy.clone(), version), (WorkshopPolicy::default(), 0));
        policy.coverage.push(CoverageRule {
            roles: vec![StakeholderRole::Security, StakeholderRole::Vendor],
            severities: vec![],
            categories: vec!["ransomware".into()],
        });
        policy
            .promptness
            .retain(|r| r.severity != Severity::Critical);
        policy
            .promptness
            .push(debrief_core::workshop::PromptnessRule::new(
                Severity::Critical,
                2,
                DayUnit::Business,
            ));
        policy
            .service_owners
            .push(debrief_core::workshop::ServiceOwners {
                service: "Backup   platform".into(),
                owners: vec!["Marta@Example.org".into()],
            });
        let (saved, v) = app.save_workshop_policy(&policy, 0).await.unwrap();
        assert_eq!(v, 1);
        assert_eq!(saved.service_owners[0].service, "Backup platform");
        assert_eq!(saved.service_owners[0].owners, ["marta@example.org"]);
        assert!(matches!(
            app.save_workshop_policy(&policy, 0).await,
            Err(AppError::Conflict { .. })
        ));
        let mut bad = policy.clone();
        bad.coverage[0].categories = vec!["volcano".into()];
        let e = app.save_workshop_policy(&bad, 1).await.unwrap_err();
        assert_eq!(fields(&e), ["coverage[0].categories"]);

        let (check, _) = app
            .check_workshop(&key, &input("marta@example.org", "2026-09-28 10:00", &TEAM))
            .await
            .unwrap();
        let missing: Vec<&str> = check.coverage.missing.iter().map(|r| r.as_str()).collect();
        assert_eq!(missing, ["legal", "communications", "security", "vendor"]);
        assert!(
            check.facilitator_concerns[0].contains("owns the affected service “Backup platform”")
        );
        // Closed Friday 2026-09-25: two business days is Tuesday.
        assert_eq!(check.review_due.unwrap().due_on, date(2026, 9, 29));
    })
    .await;
}

#[tokio::test]
async fn the_demo_has_a_held_workshop_with_minutes_and_a_scheduled_follow_up() {
    each_app(|app, url| async move {
        app.load_demo().await.unwrap();
        let (incident, workshops) = app.incident_workshops("INC-2026-0001").await.unwrap();
        assert_eq!(workshops.len(), 2);
        let held = &workshops[0];
        assert_eq!(held.workshop.status, WorkshopStatus::Held);
        assert_eq!(held.facilitator.name, "Marta Nowak");
        assert!(
            held.facilitator_concerns.is_empty(),
            "{:?}",
            held.facilitator_concerns
        );
        assert!(held.coverage.is_complete());
        assert_eq!(held.workshop.notes_of(NoteKind::Lesson).count(), 1);
        assert_eq!(held.workshop.notes_of(NoteKind::Action).count(), 1);
        let follow_up = &workshops[1];
        assert_eq!(
            (follow_up.workshop.kind.as_str(), follow_up.workshop.status),
            ("follow_up", WorkshopStatus::Scheduled)
        );
        let due = app.review_due(&incident).await.unwrap().unwrap();
        assert_eq!(
            (due.due_on, due.held_on, due.late),
            (date(2026, 9, 29), Some(date(2026, 9, 29)), false)
        );
        // The breach was closed on 2026-10-23 and never reviewed in a workshop.
        let breach = app.incident("INC-2026-0002").await.unwrap();
        let due = app.review_due(&breach).await.unwrap().unwrap();
        assert!(due.late && due.unscheduled);
        let (_, m) = app.workshop_minutes(&held.id().to_string()).await.unwrap();
        assert_eq!(m.absent.len(), 1);
        assert_eq!(m.attended.len(), 6);
        // The bundle carries it all: export → import → export is identical.
        let first = serde_json::to_string_pretty(&app.export_bundle(&[]).await.unwrap()).unwrap();
        let other = TestDatabase::sqlite();
        let app2 = app_over(other.url.clone(), Settings::default()).await;
        let report = app2.import_bundle(first.as_bytes(), &|_| {}).await.unwrap();
        assert_eq!(report.workshops_added, 2);
        let second = serde_json::to_string_pretty(&app2.export_bundle(&[]).await.unwrap()).unwrap();
        assert_eq!(first, second);
        let again = app2.import_bundle(first.as_bytes(), &|_| {}).await.unwrap();
        assert_eq!(again.workshops_added, 0);
        // A partial export keeps the facilitator and attendees it needs.
        let one = app.export_bundle(&["INC-2026-0001".into()]).await.unwrap();
        assert!(
            one.people
                .iter()
                .any(|p| p.email == "marta.nowak@example.org")
        );
        assert!(
            one.people
                .iter()
                .any(|p| p.email == "chris.park@example.org")
        );
        drop(url);
    })
    .await;
}

#[tokio::test]
async fn a_bundle_workshop_with_an_unknown_facilitator_is_refused_by_place() {
    each_app(|app, _| async move {
        app.load_demo().await.unwrap();
        let mut bundle = serde_json::to_value(app.export_bundle(&[]).await.unwrap()).unwrap();
        bundle["people"]
            .as_array_mut()
            .unwrap()
            .retain(|p| p["email"] != "marta.nowak@example.org");
        let text = serde_json::to_string(&bundle).unwrap();
        let fresh = TestDatabase::sqlite();
        let empty = app_over(fresh.url.clone(), Settings::default()).await;
        let e = empty
            .import_bundle(text.as_bytes(), &|_| {})
            .await
            .unwrap_err();
        assert_eq!(fields(&e), ["incidents[0].workshops[0].facilitator"]);
        assert_eq!(empty.store().count_incidents().await.unwrap(), 0);
        // A bad workshop is named by field before anything is written.
        bundle["incidents"][0]["workshops"][0]["kind"] = "retro".into();
        bundle["incidents"][0]["workshops"][0]["time_zone"] = "Mars/Olympus".into();
        let e = empty
            .import_bundle(serde_json::to_string(&bundle).unwrap().as_bytes(), &|_| {})
            .await
            .unwrap_err();
        assert_eq!(
            fields(&e),
            [
                "incidents[0].workshops[0].kind",
                "incidents[0].workshops[0].time_zone"
            ]
        );
    })
    .await;
}
