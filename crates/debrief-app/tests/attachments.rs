//! Evidence attachments as use cases on both databases: the size limit
//! and empty files, unknown and foreign events, who may add and see them,
//! downloads recorded in the chain of custody, stored bytes tampered with
//! directly in the database (refused, and the failed check recorded), and
//! the bundle carrying them losslessly while refusing altered evidence.

use std::sync::Arc;

use debrief_app::{App, AppError, Caller, FixedClock, PasswordCost, Settings};
use debrief_core::attachment::{AttachmentDraft, CustodyAction};
use debrief_core::{IncidentDraft, IncidentKey, Role, TimelineEventDraft, UserDraft};
use debrief_store::{EventFilter, SqlStore};
use debrief_testkit::TestDatabase;

fn app_at(store: &SqlStore, now: &str, max: u64) -> App {
    App::new(
        Arc::new(store.clone()),
        Arc::new(FixedClock(now.parse().unwrap())),
        Settings {
            password_cost: PasswordCost::FastForTests,
            max_attachment_bytes: max,
            ..Settings::default()
        },
    )
}

async fn stores() -> Vec<(TestDatabase, SqlStore)> {
    let mut out = Vec::new();
    for db in TestDatabase::all().await {
        let store = debrief_store::open(&db.url).await.unwrap();
        out.push((db, store));
    }
    out
}

/// A new incident with one event: (key, event id).
async fn incident(app: &App, title: &str) -> (String, String) {
    let i = app
        .create_incident(&IncidentDraft {
            title: title.into(),
            category: "ransomware".into(),
            severity: "high".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let key = i.key.to_string();
    let e = app
        .add_event(
            &key,
            &TimelineEventDraft {
                at: "2026-11-26T10:00Z".into(),
                kind: "detection".into(),
                text: format!("{title}: EDR alert"),
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
    (key, e.event.id.to_string())
}

fn draft(name: &str) -> AttachmentDraft {
    AttachmentDraft {
        file_name: name.into(),
        content_type: Some("text/plain".into()),
        description: None,
    }
}

async fn raw(store: &SqlStore, sql: &str) {
    sqlx::raw_sql(sql).execute(store.pool()).await.unwrap();
}

#[tokio::test]
async fn files_over_the_limit_empty_files_and_wrong_events_are_refused_naming_why() {
    for (db, store) in stores().await {
        eprintln!("story on {}", db.kind);
        let app = app_at(&store, "2026-11-26T12:00:00Z", 10);
        let system = Caller::system("tests");
        let (key, event) = incident(&app, "Ransomware").await;
        let (_, other_event) = incident(&app, "Phishing").await;

        let e = app
            .add_attachment(&system, &key, &event, &draft("big.log"), &[b'a'; 11])
            .await
            .unwrap_err();
        let AppError::Invalid(f) = e else {
            panic!("{e}")
        };
        let m = f.for_field("file").unwrap();
        assert!(
            m.contains("11 bytes") && m.contains("limit is 10 bytes"),
            "{m}"
        );

        let e = app
            .add_attachment(&system, &key, &event, &draft("empty.log"), b"")
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(ref f) if f.for_field("file").is_some()),
            "{e}"
        );

        let e = app
            .add_attachment(&system, &key, &event, &draft("../"), b"x")
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(ref f) if f.for_field("file_name").is_some()),
            "{e}"
        );

        for wrong in [
            other_event.as_str(),
            "not-a-uuid",
            "0192f0a4-6c1e-7d2a-9a51-3c7e1b2d4f99",
        ] {
            let e = app
                .add_attachment(&system, &key, wrong, &draft("a.log"), b"x")
                .await
                .unwrap_err();
            assert!(
                matches!(e, AppError::NotFound(ref m) if m.contains(wrong)),
                "{e}"
            );
        }
        let e = app
            .add_attachment(&system, "INC-2026-0999", &event, &draft("a.log"), b"x")
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::NotFound(_)), "{e}");
        assert!(
            app.incident_attachments(&system, &key)
                .await
                .unwrap()
                .is_empty()
        );
        store.close().await;
    }
}

#[tokio::test]
async fn a_download_rehashes_the_bytes_and_tampering_is_refused_and_recorded() {
    for (db, store) in stores().await {
        eprintln!("story on {}", db.kind);
        let app = app_at(&store, "2026-11-26T12:00:00Z", 1024);
        let priya = Caller::system("priya@example.org");
        let (key, event) = incident(&app, "Ransomware").await;
        let a = app
            .add_attachment(
                &priya,
                &key,
                &event,
                &AttachmentDraft {
                    file_name: "edr.log".into(),
                    content_type: Some("text/plain".into()),
                    description: Some("EDR export".into()),
                },
                b"01:12 first rename\n",
            )
            .await
            .unwrap();
        assert_eq!(a.added_by, "priya@example.org");
        assert_eq!(a.added_at.to_string(), "2026-11-26T12:00:00Z");
        assert_eq!(a.size, 19);
        assert_eq!(a.detected_type, "text/plain");

        let later = app_at(&store, "2026-11-27T08:00:00Z", 1024);
        let auditor = Caller::system("auditor@example.org");
        let d = later
            .download_attachment(&auditor, &a.id.to_string())
            .await
            .unwrap();
        assert_eq!(d.content, b"01:12 first rename\n");

        // Someone with the database owner's rights drops the guard rails
        // and changes the bytes.
        match store.dialect() {
            debrief_store::Dialect::Sqlite => {
                raw(&store, "DROP TRIGGER attachment_contents_no_update").await;
                raw(
                    &store,
                    "UPDATE attachment_contents SET content = CAST('01:12 nothing happened' AS BLOB)",
                )
                .await;
            }
            debrief_store::Dialect::Postgres => {
                raw(
                    &store,
                    "DROP TRIGGER attachment_contents_immutable ON attachment_contents",
                )
                .await;
                raw(
                    &store,
                    "UPDATE attachment_contents SET content = convert_to('01:12 nothing happened', 'UTF8')",
                )
                .await;
            }
        }
        let e = later
            .download_attachment(&auditor, &a.id.to_string())
            .await
            .unwrap_err();
        let AppError::Integrity(m) = e else {
            panic!("{e}")
        };
        assert!(
            m.contains(&a.sha256) && m.contains("nothing was served"),
            "{m}"
        );
        let e = later
            .verify_attachment(&auditor, &a.id.to_string())
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Integrity(_)), "{e}");

        let (_, custody) = later
            .attachment_custody(&auditor, &a.id.to_string())
            .await
            .unwrap();
        let actions: Vec<_> = custody.iter().map(|c| c.action).collect();
        assert_eq!(
            actions,
            [
                CustodyAction::Added,
                CustodyAction::Downloaded,
                CustodyAction::IntegrityFailed,
                CustodyAction::IntegrityFailed
            ]
        );
        assert_eq!(custody[0].actor, "priya@example.org");
        assert_eq!(custody[1].actor, "auditor@example.org");
        assert_eq!(custody[1].at.to_string(), "2026-11-27T08:00:00Z");
        assert_eq!(custody[1].sha256, a.sha256);
        assert_ne!(
            custody[2].sha256, a.sha256,
            "the hash actually seen is kept"
        );
        assert!(custody[2].note.as_deref().unwrap().contains(&a.sha256));

        // The export refuses to carry altered evidence.
        let e = later.export_bundle(&[]).await.unwrap_err();
        assert!(
            matches!(e, AppError::Integrity(ref m) if m.contains(&a.id.to_string())),
            "{e}"
        );
        store.close().await;
    }
}

#[tokio::test]
async fn restricted_evidence_does_not_exist_for_non_members_and_viewers_cannot_add() {
    for (db, store) in stores().await {
        eprintln!("story on {}", db.kind);
        let app = app_at(&store, "2026-11-26T12:00:00Z", 1024);
        let system = Caller::system("tests");
        let (key, event) = incident(&app, "Insider case").await;
        let a = app
            .add_attachment(&system, &key, &event, &draft("hr.txt"), b"confidential")
            .await
            .unwrap();
        let mut users = Vec::new();
        for (email, role) in [
            ("viewer@x.example", Role::Viewer),
            ("contrib@x.example", Role::Contributor),
        ] {
            let draft = UserDraft {
                email: email.into(),
                name: email.into(),
                role,
            };
            let user = app
                .add_user(&system, &draft, "correct horse battery staple")
                .await
                .unwrap();
            users.push(Caller::user(&user));
        }
        let (viewer, contributor) = (&users[0], &users[1]);
        // Open incident: a viewer reads and downloads, but may not add.
        assert_eq!(
            app.incident_attachments(viewer, &key).await.unwrap().len(),
            1
        );
        app.download_attachment(viewer, &a.id.to_string())
            .await
            .unwrap();
        let e = app
            .add_attachment(viewer, &key, &event, &draft("x.txt"), b"x")
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e}");

        // Restricted to someone else: it does not exist for them.
        let k: IncidentKey = key.parse().unwrap();
        app.set_incident_access(&system, &k, true, &[])
            .await
            .unwrap();
        for caller in [viewer, contributor] {
            for e in [
                app.download_attachment(caller, &a.id.to_string())
                    .await
                    .unwrap_err(),
                app.attachment_custody(caller, &a.id.to_string())
                    .await
                    .unwrap_err(),
                app.incident_attachments(caller, &key).await.unwrap_err(),
                app.add_attachment(caller, &key, &event, &draft("y.txt"), b"y")
                    .await
                    .unwrap_err(),
            ] {
                assert!(
                    matches!(e, AppError::NotFound(_) | AppError::Forbidden(_)),
                    "{e}"
                );
            }
        }
        let e = app
            .add_attachment(contributor, &key, &event, &draft("y.txt"), b"y")
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::NotFound(_)), "{e}");
        store.close().await;
    }
}

#[tokio::test]
async fn the_bundle_carries_evidence_losslessly_and_refuses_altered_files() {
    for (db, store) in stores().await {
        eprintln!("story on {}", db.kind);
        let app = app_at(&store, "2026-11-26T12:00:00Z", 1 << 20);
        let system = Caller::system("priya@example.org");
        let (key, event) = incident(&app, "Ransomware").await;
        let png = b"\x89PNG\r\n\x1a\n fake but png-headed".to_vec();
        let a = app
            .add_attachment(&system, &key, &event, &draft("shot.png"), &png)
            .await
            .unwrap();
        app.download_attachment(&system, &a.id.to_string())
            .await
            .unwrap();
        let first = serde_json::to_string_pretty(&app.export_bundle(&[]).await.unwrap()).unwrap();
        assert!(first.contains("content_base64") && first.contains(&a.sha256));

        // Into a fresh database of the same kind, and out again.
        let fresh_db = if db.kind == "sqlite" {
            TestDatabase::sqlite()
        } else {
            TestDatabase::postgres().await.unwrap()
        };
        let fresh = debrief_store::open(&fresh_db.url).await.unwrap();
        let other = app_at(&fresh, "2026-11-28T12:00:00Z", 1 << 20);
        let report = other
            .import_bundle(first.as_bytes(), &|_| {})
            .await
            .unwrap();
        assert_eq!(report.attachments_added, 1);
        let second =
            serde_json::to_string_pretty(&other.export_bundle(&[]).await.unwrap()).unwrap();
        assert_eq!(first, second, "export → import → export is lossless");
        // Importing again adds nothing.
        let again = other
            .import_bundle(first.as_bytes(), &|_| {})
            .await
            .unwrap();
        assert_eq!(again.attachments_added, 0);
        let events = other.events(&key, &EventFilter::default()).await.unwrap();
        let moved = other.incident_attachments(&system, &key).await.unwrap();
        assert_eq!(moved[0].event_id, events[0].id);
        let d = other
            .download_attachment(&system, &a.id.to_string())
            .await
            .unwrap();
        assert_eq!(d.content, png);

        // One changed byte of content: the whole bundle is refused, naming
        // the attachment, and nothing of it is kept.
        let mut value: serde_json::Value = serde_json::from_str(&first).unwrap();
        let slot = &mut value["incidents"][0]["timeline"][0]["attachments"][0];
        slot["id"] = serde_json::json!("0192f0a4-6c1e-7d2a-9a51-3c7e1b2d4f77");
        let content = slot["content_base64"].as_str().unwrap().to_owned();
        let tampered = format!("A{}", &content[1..]);
        slot["content_base64"] = serde_json::json!(tampered);
        value["incidents"][0]["id"] = serde_json::json!("0192f0a4-6c1e-7d2a-9a51-3c7e1b2d4f78");
        value["incidents"][0]["key"] = serde_json::json!("INC-2026-0900");
        let e = other
            .import_bundle(value.to_string().as_bytes(), &|_| {})
            .await
            .unwrap_err();
        let AppError::Integrity(m) = e else {
            panic!("{e}")
        };
        assert!(
            m.contains("0192f0a4-6c1e-7d2a-9a51-3c7e1b2d4f77") && m.contains("shot.png"),
            "{m}"
        );
        assert!(other.incident("INC-2026-0900").await.is_err());
        fresh.close().await;
        store.close().await;
    }
}
