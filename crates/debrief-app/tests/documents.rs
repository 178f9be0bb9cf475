//! Plans and training in the product, on SQLite and PostgreSQL: the
//! document register with owners from People and versioned updates, lessons
//! linked to document changes, the "review complete" policy refusing
//! approval while a lesson has no home, linked lessons kept from removal,
//! and the lessons without a home.

use std::sync::Arc;

use debrief_app::documents::LessonLinkPatch;
use debrief_app::{App, AppError, FixedClock, Settings};
use debrief_core::document::{DocumentDraft, LessonLinkDraft, LinkState, ReviewPolicy};
use debrief_core::review::ReviewChange;
use debrief_core::{IncidentDraft, PersonDraft};
use debrief_store::Visibility;
use debrief_testkit::TestDatabase;
use serde_json::json;

async fn each_app<F, Fut>(story: F)
where
    F: Fn(App) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for db in TestDatabase::all().await {
        let store = debrief_store::open(&db.url).await.unwrap();
        eprintln!("story on {}", db.kind);
        let clock = FixedClock("2026-11-26T12:00:00Z".parse().unwrap());
        story(App::new(
            Arc::new(store.clone()),
            Arc::new(clock),
            Settings::default(),
        ))
        .await;
        store.close().await;
    }
}

fn change(v: serde_json::Value) -> ReviewChange {
    serde_json::from_value(v).expect("a review change")
}

fn playbook() -> DocumentDraft {
    DocumentDraft {
        kind: "playbook".into(),
        title: "Ransomware playbook".into(),
        owner: "Ada@Example.org".into(),
        document_version: "2.0".into(),
        link: "https://intranet.example.org/playbooks/ransomware".into(),
        status: String::new(),
        review_on: "2027-01-31".into(),
    }
}

/// An incident whose review is in review with two lessons and everything
/// else approval needs.
async fn review_in_review(app: &App) -> String {
    let incident = app
        .create_incident(&IncidentDraft {
            title: "Ransomware on file servers".into(),
            category: "ransomware".into(),
            severity: "critical".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let key = incident.key.to_string();
    let changes = [
        json!({"change": "set_text", "section": "summary", "text": "Shares were encrypted; offline backups restored them.", "version": 0}),
        json!({"change": "add_item", "item": {"section": "cause", "kind": "root_cause", "category": "technology", "statement": "One service account reached production and backups"}}),
        json!({"change": "add_item", "item": {"section": "lesson", "statement": "Backups need credentials production cannot use"}}),
        json!({"change": "add_item", "item": {"section": "lesson", "statement": "Night alerts need a human on call"}}),
    ];
    for c in changes {
        app.change_review(&key, change(c), "Priya").await.unwrap();
    }
    for phase in ["detection", "containment", "eradication", "recovery"] {
        app.change_review(
            &key,
            change(json!({"change": "set_assessment", "phase": phase, "draft": {"rating": "3", "went_well": "Backups held", "to_improve": "Alert sooner"}, "version": 0})),
            "Priya",
        )
        .await
        .unwrap();
    }
    app.change_review(
        &key,
        change(json!({"change": "transition", "to": "in_review"})),
        "Priya",
    )
    .await
    .unwrap();
    key
}

async fn lesson_ids(app: &App, key: &str) -> Vec<String> {
    let (_, review) = app.review(key).await.unwrap();
    review
        .unwrap()
        .lessons
        .iter()
        .map(|l| l.id.to_string())
        .collect()
}

async fn add_ada(app: &App) {
    app.add_person(&PersonDraft {
        name: "Ada Byron".into(),
        email: "ada@example.org".into(),
        ..Default::default()
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn documents_need_a_known_owner_and_a_web_link_and_updates_name_their_version() {
    each_app(|app| async move {
        match app.add_document(&playbook()).await {
            Err(AppError::Invalid(e)) => {
                assert!(
                    e.for_field("owner").unwrap().contains("Ada@Example.org"),
                    "{e:?}"
                )
            }
            other => panic!("an unknown owner was accepted: {other:?}"),
        }
        add_ada(&app).await;
        let bad = DocumentDraft {
            link: "intranet/playbook".into(),
            kind: "wiki".into(),
            ..playbook()
        };
        match app.add_document(&bad).await {
            Err(AppError::Invalid(e)) => {
                assert!(
                    e.for_field("link").is_some() && e.for_field("kind").is_some(),
                    "{e:?}"
                )
            }
            other => panic!("{other:?}"),
        }
        let doc = app.add_document(&playbook()).await.unwrap();
        assert_eq!(doc.version, 1);
        let id = doc.id.to_string();
        let newer = DocumentDraft {
            document_version: "2.1".into(),
            ..playbook()
        };
        let updated = app.update_document(&id, 1, &newer).await.unwrap();
        assert_eq!(
            (updated.version, updated.document_version.as_str()),
            (2, "2.1")
        );
        match app.update_document(&id, 1, &newer).await {
            Err(AppError::Conflict {
                current_version, ..
            }) => assert_eq!(current_version, Some(2)),
            other => panic!("a stale update went through: {other:?}"),
        }
        assert_eq!(app.documents().await.unwrap().len(), 1);
        assert!(matches!(
            app.document("not-an-id").await,
            Err(AppError::NotFound(_))
        ));
    })
    .await;
}

#[tokio::test]
async fn approval_waits_until_every_lesson_has_a_document_link() {
    each_app(|app| async move {
        add_ada(&app).await;
        let doc = app.add_document(&playbook()).await.unwrap();
        let key = review_in_review(&app).await;
        let lessons = lesson_ids(&app, &key).await;
        let approve = || change(json!({"change": "transition", "to": "approved"}));

        match app.change_review(&key, approve(), "Dana").await {
            Err(AppError::NotAllowed(m)) => {
                assert!(m.contains("2 lessons have no home yet"), "{m}");
                assert!(m.contains("Backups need credentials"), "{m}");
                assert!(m.contains("Night alerts"), "{m}");
            }
            other => panic!("approval went ahead: {other:?}"),
        }
        // A change still needed is a link: approval does not wait for the
        // document to be rewritten.
        let link = app
            .link_lesson(
                &key,
                &lessons[0],
                &LessonLinkDraft {
                    document: doc.id.to_string(),
                    change: "Add a credential separation check".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(link.state, LinkState::Needed);
        match app.change_review(&key, approve(), "Dana").await {
            Err(AppError::NotAllowed(m)) => {
                assert!(m.contains("1 lesson has no home yet"), "{m}");
                assert!(!m.contains("Backups need"), "{m}");
            }
            other => panic!("approval went ahead: {other:?}"),
        }
        // "No document change needed" needs its reason.
        match app
            .link_lesson(&key, &lessons[1], &LessonLinkDraft::default())
            .await
        {
            Err(AppError::Invalid(e)) => assert!(e.for_field("change").is_some()),
            other => panic!("{other:?}"),
        }
        app.link_lesson(
            &key,
            &lessons[1],
            &LessonLinkDraft {
                change: "The on-call rota already pages at night".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let approved = app.change_review(&key, approve(), "Dana").await.unwrap();
        assert_eq!(approved.status.as_str(), "approved");

        // After approval the change is made and recorded as done.
        match app
            .update_lesson_link(
                &key,
                &link.id.to_string(),
                1,
                &LessonLinkPatch {
                    state: Some("done".into()),
                    ..Default::default()
                },
            )
            .await
        {
            Err(AppError::Invalid(e)) => {
                assert!(e.for_field("done_version").is_some() && e.for_field("done_on").is_some())
            }
            other => panic!("{other:?}"),
        }
        let done = app
            .update_lesson_link(
                &key,
                &link.id.to_string(),
                1,
                &LessonLinkPatch {
                    state: Some("done".into()),
                    done_version: Some("2.1".into()),
                    done_on: Some("2026-12-01".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!((done.state, done.version), (LinkState::Done, 2));
        assert!(matches!(
            app.update_lesson_link(&key, &link.id.to_string(), 1, &LessonLinkPatch::default())
                .await,
            Err(AppError::Conflict { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn with_the_policy_off_lessons_do_not_hold_approval_up() {
    each_app(|app| async move {
        let key = review_in_review(&app).await;
        let policy = app.review_policy().await.unwrap();
        assert!(policy.policy.lessons_need_documents, "on by default");
        assert_eq!(policy.version, 0);
        let off = app
            .save_review_policy(
                ReviewPolicy {
                    lessons_need_documents: false,
                },
                0,
            )
            .await
            .unwrap();
        assert_eq!(off.version, 1);
        assert!(matches!(
            app.save_review_policy(ReviewPolicy::default(), 0).await,
            Err(AppError::Conflict { .. })
        ));
        app.change_review(
            &key,
            change(json!({"change": "transition", "to": "approved"})),
            "Dana",
        )
        .await
        .unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_linked_lesson_is_kept_and_links_must_name_a_real_lesson_and_document() {
    each_app(|app| async move {
        add_ada(&app).await;
        let doc = app.add_document(&playbook()).await.unwrap();
        let key = review_in_review(&app).await;
        let lessons = lesson_ids(&app, &key).await;
        assert!(matches!(
            app.link_lesson(
                &key,
                &uuid::Uuid::new_v4().to_string(),
                &LessonLinkDraft {
                    change: "x".into(),
                    ..Default::default()
                }
            )
            .await,
            Err(AppError::NotFound(_))
        ));
        match app
            .link_lesson(
                &key,
                &lessons[0],
                &LessonLinkDraft {
                    document: uuid::Uuid::new_v4().to_string(),
                    change: "x".into(),
                    ..Default::default()
                },
            )
            .await
        {
            Err(AppError::Invalid(e)) => assert!(e.for_field("document").is_some()),
            other => panic!("{other:?}"),
        }
        app.link_lesson(
            &key,
            &lessons[0],
            &LessonLinkDraft {
                document: doc.id.to_string(),
                change: "Add a step".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        app.change_review(
            &key,
            change(json!({"change": "transition", "to": "draft"})),
            "Priya",
        )
        .await
        .unwrap();
        let remove = |id: &str| {
            change(json!({"change": "remove_item", "section": "lessons", "id": id, "version": 1}))
        };
        match app.change_review(&key, remove(&lessons[0]), "Priya").await {
            Err(AppError::NotAllowed(m)) => {
                assert!(m.contains("linked to 1 document change"), "{m}")
            }
            other => panic!("a linked lesson was removed: {other:?}"),
        }
        // An unlinked lesson goes as before.
        let r = app
            .change_review(&key, remove(&lessons[1]), "Priya")
            .await
            .unwrap();
        assert_eq!(r.lessons.len(), 1);
        assert_eq!(app.lesson_links(&key).await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn lessons_without_a_home_are_listed_oldest_first_until_their_change_is_done() {
    each_app(|app| async move {
        add_ada(&app).await;
        let doc = app.add_document(&playbook()).await.unwrap();
        let key = review_in_review(&app).await;
        let lessons = lesson_ids(&app, &key).await;
        let unhomed = app.unhomed_lessons(&Visibility::All).await.unwrap();
        assert_eq!(unhomed.len(), 2);
        assert!(
            unhomed
                .iter()
                .all(|u| u.incident_key == key && u.changes_needed == 0)
        );

        let link = app
            .link_lesson(
                &key,
                &lessons[0],
                &LessonLinkDraft {
                    document: doc.id.to_string(),
                    change: "Add a step".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let unhomed = app.unhomed_lessons(&Visibility::All).await.unwrap();
        assert_eq!(unhomed.len(), 2, "a change still needed is not a home");
        assert_eq!(
            unhomed
                .iter()
                .find(|u| u.lesson_id.to_string() == lessons[0])
                .unwrap()
                .changes_needed,
            1
        );
        app.update_lesson_link(
            &key,
            &link.id.to_string(),
            1,
            &LessonLinkPatch {
                state: Some("done".into()),
                done_version: Some("2.1".into()),
                done_on: Some("2026-11-26".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let unhomed = app.unhomed_lessons(&Visibility::All).await.unwrap();
        assert_eq!(unhomed.len(), 1);
        assert_eq!(unhomed[0].statement, "Night alerts need a human on call");
        assert_eq!(unhomed[0].age_days, 0);
    })
    .await;
}

#[tokio::test]
async fn documents_and_lesson_links_travel_in_the_bundle() {
    each_app(|app| async move {
        app.load_demo().await.unwrap();
        let bundle = app.export_bundle(&[]).await.unwrap();
        assert_eq!(bundle.documents.len(), 5);
        let links: usize = bundle.incidents.iter().map(|i| i.lesson_links.len()).sum();
        assert_eq!(links, 4);
        assert_eq!(bundle.incidents[0].lesson_links.len(), 3);

        let first = serde_json::to_string_pretty(&bundle).unwrap();
        let other = TestDatabase::sqlite();
        let store = debrief_store::open(&other.url).await.unwrap();
        let app2 = App::new(
            Arc::new(store),
            Arc::new(FixedClock("2026-11-26T12:00:00Z".parse().unwrap())),
            Settings::default(),
        );
        app2.import_bundle(first.as_bytes(), &|_| {}).await.unwrap();
        let second = serde_json::to_string_pretty(&app2.export_bundle(&[]).await.unwrap()).unwrap();
        assert_eq!(first, second);
        app2.import_bundle(first.as_bytes(), &|_| {}).await.unwrap();
        assert_eq!(app2.documents().await.unwrap().len(), 5);
        assert_eq!(app2.lesson_links("INC-2026-0001").await.unwrap().len(), 3);

        // A partial export carries the documents its links name, with
        // their owners.
        let one = app.export_bundle(&["INC-2026-0002".into()]).await.unwrap();
        assert_eq!(one.documents.len(), 1);
        assert_eq!(one.documents[0].title, "Phishing awareness: invoice lures");
        assert!(
            one.people
                .iter()
                .any(|p| p.email == "daniel.kim@example.org")
        );
        let none = app.export_bundle(&["INC-2026-0003".into()]).await.unwrap();
        assert!(none.documents.is_empty());

        // A link to a lesson the review lacks is refused by place, whole.
        let mut v = serde_json::to_value(&bundle).unwrap();
        v["incidents"][0]["lesson_links"][0]["lesson_id"] = uuid::Uuid::new_v4().to_string().into();
        let fresh = TestDatabase::sqlite();
        let store = debrief_store::open(&fresh.url).await.unwrap();
        let app3 = App::new(
            Arc::new(store),
            Arc::new(FixedClock("2026-11-26T12:00:00Z".parse().unwrap())),
            Settings::default(),
        );
        match app3
            .import_bundle(serde_json::to_string(&v).unwrap().as_bytes(), &|_| {})
            .await
        {
            Err(AppError::Invalid(e)) => assert!(
                e.for_field("incidents[0].lesson_links[0].lesson_id")
                    .is_some(),
                "{e:?}"
            ),
            other => panic!("{other:?}"),
        }
        assert_eq!(app3.store().count_incidents().await.unwrap(), 0);
        assert!(app3.documents().await.unwrap().is_empty());
    })
    .await;
}
