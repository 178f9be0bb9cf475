//! The workshop part of the store (PRODUCT.md §8) against SQLite and, when
//! `DEBRIEF_TEST_POSTGRES_URL` is set, PostgreSQL: workshops read back as
//! written, ordered by start, versioned updates (a stale or concurrent one
//! is a conflict), holidays unique by day, the policy document with its
//! version, and the import transaction's writes.

use std::sync::Arc;

use debrief_core::workshop::{
    AgendaItem, Attendance, Attendee, Holiday, NoteKind, Schedule, StakeholderRole, Workshop,
    WorkshopEdit, WorkshopKind, WorkshopPolicy,
};
use debrief_core::{IncidentDraft, Person, Taxonomy};
use debrief_store::{KeyRequest, NewIncidentRecord, Store, StoreError};
use debrief_testkit::TestDatabase;
use jiff::civil::date;
use uuid::Uuid;

fn now() -> jiff::Timestamp {
    "2026-11-26T12:00:00Z".parse().unwrap()
}

async fn incident(store: &dyn Store) -> Uuid {
    let fields = IncidentDraft {
        title: "Ransomware".into(),
        category: "ransomware".into(),
        severity: "critical".into(),
        ..Default::default()
    }
    .validate(&Taxonomy::default())
    .unwrap();
    store
        .create_incident(NewIncidentRecord {
            id: Uuid::now_v7(),
            key: KeyRequest::Next {
                prefix: "INC".into(),
                year: 2026,
            },
            fields,
            created_at: now(),
            updated_at: now(),
        })
        .await
        .unwrap()
        .id
}

async fn person(store: &dyn Store, name: &str, email: &str) -> Person {
    let p = Person {
        id: Uuid::now_v7(),
        name: name.into(),
        email: email.into(),
        team: String::new(),
        phone: String::new(),
        version: 1,
    };
    store.create_person(&p, now()).await.unwrap();
    p
}

fn workshop(incident_id: Uuid, facilitator: Uuid, attendee: Uuid, starts: &str) -> Workshop {
    let mut w = Workshop::new(
        incident_id,
        WorkshopKind::LessonsLearned,
        Schedule {
            starts_at: starts.parse().unwrap(),
            time_zone: "Europe/Paris".into(),
            duration_minutes: 90,
            location: "Lyon HQ, room Rhône".into(),
            url: "https://meet.example.org/inc-1".into(),
            facilitator_id: facilitator,
        },
        vec![Attendee {
            person_id: attendee,
            role: StakeholderRole::Responder,
            attendance: Attendance::Invited,
        }],
        vec![AgendaItem {
            title: "Chronology highlights".into(),
            points: vec!["01:12 — first files encrypted".into()],
        }],
        "Marta Nowak",
        now(),
    )
    .unwrap();
    w.apply(
        WorkshopEdit::AddNote {
            item: Some(0),
            kind: NoteKind::Decision,
            text: "Keep offline backups «as is»".into(),
            reference: String::new(),
        },
        "Marta Nowak",
        now(),
    )
    .unwrap();
    w
}

async fn each_database<F, Fut>(story: F)
where
    F: Fn(Arc<dyn Store>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let mut failures = Vec::new();
    for db in TestDatabase::all().await {
        let store = debrief_store::open(&db.url)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", db.kind));
        eprintln!("story on {}", db.kind);
        let outcome = tokio::spawn(story(Arc::new(store.clone()))).await;
        store.close().await;
        if let Err(e) = outcome {
            let message = match e.try_into_panic() {
                Ok(p) => p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_else(|| "a panic".into()),
                Err(e) => e.to_string(),
            };
            failures.push(format!("{}: {message}", db.kind));
        }
    }
    assert!(
        failures.is_empty(),
        "the story failed on {}",
        failures.join("\n")
    );
}

#[tokio::test]
async fn a_workshop_reads_back_as_written_and_lists_by_start() {
    each_database(|store| async move {
        let inc = incident(&*store).await;
        let marta = person(&*store, "Marta Nowak", "marta@example.org").await;
        let priya = person(&*store, "Priya Raman", "priya@example.org").await;
        let later = workshop(inc, marta.id, priya.id, "2026-10-20T12:00:00Z");
        let earlier = workshop(inc, marta.id, priya.id, "2026-09-29T08:00:00Z");
        store.create_workshop(&later).await.unwrap();
        store.create_workshop(&earlier).await.unwrap();
        assert_eq!(store.workshop_by_id(earlier.id).await.unwrap(), earlier);
        let listed = store.workshops_of(inc).await.unwrap();
        assert_eq!(
            listed.iter().map(|w| w.id).collect::<Vec<_>>(),
            [earlier.id, later.id]
        );
        assert!(store.workshops_of(Uuid::now_v7()).await.unwrap().is_empty());
        assert!(matches!(
            store.workshop_by_id(Uuid::now_v7()).await,
            Err(StoreError::NotFound {
                entity: "workshop",
                ..
            })
        ));
        // The same id twice is refused.
        assert!(matches!(
            store.create_workshop(&earlier).await,
            Err(StoreError::Duplicate { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn updates_name_the_version_they_read() {
    each_database(|store| async move {
        let inc = incident(&*store).await;
        let marta = person(&*store, "Marta Nowak", "marta@example.org").await;
        let priya = person(&*store, "Priya Raman", "priya@example.org").await;
        let w = workshop(inc, marta.id, priya.id, "2026-09-29T08:00:00Z");
        store.create_workshop(&w).await.unwrap();
        let read = w.version;

        let mut held = w.clone();
        held.apply(
            WorkshopEdit::MarkHeld,
            "Marta Nowak",
            "2026-09-29T09:00:00Z".parse().unwrap(),
        )
        .unwrap();
        store.update_workshop(&held, read).await.unwrap();
        let stored = store.workshop_by_id(w.id).await.unwrap();
        assert_eq!(stored, held);
        assert!(stored.held_at.is_some());

        // Another change made against the version read before is refused
        // and changes nothing.
        let mut stale = w.clone();
        stale
            .apply(
                WorkshopEdit::Cancel {
                    reason: "double-booked".into(),
                },
                "Someone",
                now(),
            )
            .unwrap();
        match store.update_workshop(&stale, read).await {
            Err(StoreError::Conflict {
                expected, actual, ..
            }) => assert_eq!((expected, actual), (read, read + 1)),
            other => panic!("{other:?}"),
        }
        assert_eq!(store.workshop_by_id(w.id).await.unwrap(), held);
        // A workshop that is not there is not found, not a conflict.
        let mut ghost = w.clone();
        ghost.id = Uuid::now_v7();
        assert!(matches!(
            store.update_workshop(&ghost, 1).await,
            Err(StoreError::NotFound { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn of_two_concurrent_updates_of_one_version_exactly_one_lands() {
    each_database(|store| async move {
        let inc = incident(&*store).await;
        let marta = person(&*store, "Marta Nowak", "marta@example.org").await;
        let priya = person(&*store, "Priya Raman", "priya@example.org").await;
        let w = workshop(inc, marta.id, priya.id, "2026-09-29T08:00:00Z");
        store.create_workshop(&w).await.unwrap();
        let edit = |text: &str| {
            let mut c = w.clone();
            c.apply(
                WorkshopEdit::AddNote {
                    item: None,
                    kind: NoteKind::Note,
                    text: text.into(),
                    reference: String::new(),
                },
                "x",
                now(),
            )
            .unwrap();
            c
        };
        let (a, b) = (edit("one"), edit("two"));
        let (ra, rb) = tokio::join!(
            store.update_workshop(&a, w.version),
            store.update_workshop(&b, w.version)
        );
        assert_eq!(
            [ra.is_ok(), rb.is_ok()].iter().filter(|ok| **ok).count(),
            1,
            "{ra:?} {rb:?}"
        );
        let stored = store.workshop_by_id(w.id).await.unwrap();
        assert_eq!(stored.notes.len(), 2);
    })
    .await;
}

#[tokio::test]
async fn holidays_are_unique_by_day_and_listed_in_order() {
    each_database(|store| async move {
        let christmas = Holiday::parse("2026-12-25", "Christmas Day").unwrap();
        let new_year = Holiday::parse("2027-01-01", "New Year's Day").unwrap();
        store.add_holiday(&new_year, now()).await.unwrap();
        store.add_holiday(&christmas, now()).await.unwrap();
        assert_eq!(
            store.holidays().await.unwrap(),
            [christmas.clone(), new_year.clone()]
        );
        let again = Holiday::parse("2026-12-25", "Noël").unwrap();
        match store.add_holiday(&again, now()).await {
            Err(StoreError::Duplicate { message, .. }) => {
                assert!(
                    message.contains("2026-12-25 is already a holiday"),
                    "{message}"
                )
            }
            other => panic!("{other:?}"),
        }
        store.delete_holiday(date(2026, 12, 25)).await.unwrap();
        assert_eq!(store.holidays().await.unwrap(), [new_year]);
        assert!(matches!(
            store.delete_holiday(date(2026, 12, 25)).await,
            Err(StoreError::NotFound { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn the_policy_is_one_versioned_document() {
    each_database(|store| async move {
        assert!(store.workshop_policy().await.unwrap().is_none());
        let mut policy = WorkshopPolicy::default();
        assert_eq!(
            store
                .save_workshop_policy(&policy, None, now())
                .await
                .unwrap(),
            1
        );
        // A second first save loses: someone saved meanwhile.
        assert!(matches!(
            store.save_workshop_policy(&policy, None, now()).await,
            Err(StoreError::Duplicate { .. })
        ));
        policy.promptness[0].days = 2;
        assert_eq!(
            store
                .save_workshop_policy(&policy, Some(1), now())
                .await
                .unwrap(),
            2
        );
        assert!(matches!(
            store.save_workshop_policy(&policy, Some(1), now()).await,
            Err(StoreError::Conflict { actual: 2, .. })
        ));
        let stored = store.workshop_policy().await.unwrap().unwrap();
        assert_eq!((stored.policy, stored.version), (policy, 2));
    })
    .await;
}

#[tokio::test]
async fn an_import_adds_workshops_holidays_and_a_policy_once_and_rolls_back_whole() {
    each_database(|store| async move {
        let inc = incident(&*store).await;
        let marta = person(&*store, "Marta Nowak", "marta@example.org").await;
        let priya = person(&*store, "Priya Raman", "priya@example.org").await;
        let w = workshop(inc, marta.id, priya.id, "2026-09-29T08:00:00Z");
        let h = Holiday::parse("2026-12-25", "Christmas Day").unwrap();
        let policy = WorkshopPolicy::default();

        // Dropped without commit: nothing is kept.
        let mut tx = store.begin().await.unwrap();
        assert!(tx.insert_workshop_if_new(&w).await.unwrap());
        assert!(tx.add_holiday_if_new(&h, now()).await.unwrap());
        assert!(
            tx.save_workshop_policy_if_none(&policy, now())
                .await
                .unwrap()
        );
        drop(tx);
        assert!(store.workshops_of(inc).await.unwrap().is_empty());
        assert!(store.holidays().await.unwrap().is_empty());
        assert!(store.workshop_policy().await.unwrap().is_none());

        let mut tx = store.begin().await.unwrap();
        assert!(tx.insert_workshop_if_new(&w).await.unwrap());
        assert!(!tx.insert_workshop_if_new(&w).await.unwrap());
        assert!(tx.add_holiday_if_new(&h, now()).await.unwrap());
        assert!(!tx.add_holiday_if_new(&h, now()).await.unwrap());
        assert!(
            tx.save_workshop_policy_if_none(&policy, now())
                .await
                .unwrap()
        );
        assert!(
            !tx.save_workshop_policy_if_none(&policy, now())
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        assert_eq!(store.workshops_of(inc).await.unwrap(), [w]);
        assert_eq!(store.holidays().await.unwrap(), [h]);
        assert_eq!(store.workshop_policy().await.unwrap().unwrap().version, 1);
    })
    .await;
}
