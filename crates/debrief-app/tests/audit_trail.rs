//! The audit trail written by the store on both databases: the ambient
//! context names who and through what, a rolled-back transaction leaves no
//! entry, work without a context is still recorded (as `system`), the chain
//! verifies after a run of mixed writes and breaks when one is tampered
//! with, and 16 concurrent writers keep one valid chain.

use std::sync::Arc;

use debrief_app::audit::{AuditContext, with_audit_context};
use debrief_app::{App, Caller, FixedClock, Settings};
use debrief_core::{IncidentDraft, PersonDraft};
use debrief_store::{KeyRequest, NewIncidentRecord, SqlStore, Store};
use debrief_testkit::TestDatabase;

fn app_of(store: &SqlStore) -> App {
    App::new(
        Arc::new(store.clone()),
        Arc::new(FixedClock("2026-11-26T12:00:00Z".parse().unwrap())),
        Settings::default(),
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

fn incident(title: &str) -> IncidentDraft {
    IncidentDraft {
        title: title.into(),
        category: "availability".into(),
        severity: "medium".into(),
        ..Default::default()
    }
}

async fn all_entries(app: &App) -> Vec<debrief_core::audit::AuditEntry> {
    app.audit_log(&Caller::system("tests"), &Default::default(), 0, 10_000)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_ambient_context_names_the_actor_and_the_way_in() {
    for (db, store) in stores().await {
        eprintln!("story on {}", db.kind);
        let app = app_of(&store);
        let ctx = AuditContext::new("jane", "cli: debrief incident new");
        let created = with_audit_context(ctx, app.create_incident(&incident("Outage")))
            .await
            .unwrap();
        // Without a context the change is still recorded, as the system.
        app.update_incident(&created.key.to_string(), 1, &incident("Outage in EU"), None)
            .await
            .unwrap();
        let log = all_entries(&app).await;
        assert_eq!(log.len(), 2);
        assert_eq!(
            (
                log[1].actor.as_str(),
                log[1].via.as_str(),
                log[1].action.as_str()
            ),
            ("jane", "cli: debrief incident new", "create")
        );
        assert_eq!(
            (log[0].actor.as_str(), log[0].via.as_str()),
            ("system", "system: unattributed")
        );
        let changes = debrief_app::audit::changes(&log[0].before, &log[0].after);
        assert!(changes.iter().any(|c| c.field == "title"
            && c.old.as_deref() == Some("Outage")
            && c.new.as_deref() == Some("Outage in EU")));
        store.close().await;
    }
}

#[tokio::test]
async fn a_rolled_back_transaction_leaves_no_entry() {
    for (db, store) in stores().await {
        eprintln!("story on {}", db.kind);
        let app = app_of(&store);
        let mut tx = store.begin().await.unwrap();
        let fields = incident("Never kept")
            .validate(&debrief_core::Taxonomy::default())
            .unwrap();
        tx.create_incident(NewIncidentRecord {
            id: uuid::Uuid::now_v7(),
            key: KeyRequest::Next {
                prefix: "INC".into(),
                year: 2026,
            },
            fields,
            created_at: jiff::Timestamp::now(),
            updated_at: jiff::Timestamp::now(),
        })
        .await
        .unwrap();
        drop(tx);
        assert!(all_entries(&app).await.is_empty());
        assert_eq!(app.verify_audit().await.unwrap(), Ok(0));
        store.close().await;
    }
}

#[tokio::test]
async fn the_chain_verifies_after_mixed_writes_and_breaks_when_one_is_changed() {
    for (db, store) in stores().await {
        eprintln!("story on {}", db.kind);
        let app = app_of(&store);
        let ctx = AuditContext::new("ops@x.example", "test: mixed writes");
        with_audit_context(ctx, async {
            let i = app.create_incident(&incident("Mixed")).await.unwrap();
            let key = i.key.to_string();
            app.update_incident(&key, 1, &incident("Mixed, edited"), None)
                .await
                .unwrap();
            app.add_person(&PersonDraft {
                name: "Sam Lee".into(),
                email: "sam@x.example".into(),
                ..Default::default()
            })
            .await
            .unwrap();
            app.add_rate("EUR", "USD", "1.08", "2026-11-01", "test")
                .await
                .unwrap();
        })
        .await;
        let n = all_entries(&app).await.len() as u64;
        assert_eq!(n, 4);
        assert_eq!(app.verify_audit().await.unwrap(), Ok(n));
        let drop_trigger = match store.dialect() {
            debrief_store::Dialect::Sqlite => "DROP TRIGGER audit_log_no_update",
            debrief_store::Dialect::Postgres => "DROP TRIGGER audit_log_no_update ON audit_log",
        };
        sqlx::raw_sql(drop_trigger)
            .execute(store.pool())
            .await
            .unwrap();
        sqlx::raw_sql("UPDATE audit_log SET via = 'cli: debrief something else' WHERE seq = 2")
            .execute(store.pool())
            .await
            .unwrap();
        let broken = app.verify_audit().await.unwrap().unwrap_err();
        assert_eq!(broken.seq, 2, "{broken:?}");
        store.close().await;
    }
}

#[tokio::test]
async fn sixteen_concurrent_writers_keep_one_valid_chain() {
    for (db, store) in stores().await {
        eprintln!("story on {}", db.kind);
        let app = app_of(&store);
        let mut tasks = Vec::new();
        for w in 0..16 {
            let app = app.clone();
            tasks.push(tokio::spawn(with_audit_context(
                AuditContext::new(format!("writer {w}"), "test: concurrent"),
                async move {
                    let i = app
                        .create_incident(&incident(&format!("Writer {w}")))
                        .await
                        .unwrap();
                    app.update_incident(
                        &i.key.to_string(),
                        1,
                        &incident(&format!("Writer {w}, edited")),
                        None,
                    )
                    .await
                    .unwrap();
                    app.add_person(&PersonDraft {
                        name: format!("Person {w}"),
                        email: format!("p{w}@x.example"),
                        ..Default::default()
                    })
                    .await
                    .unwrap();
                },
            )));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(app.verify_audit().await.unwrap(), Ok(48));
        let log = all_entries(&app).await;
        for w in 0..16 {
            let mine = log
                .iter()
                .filter(|e| e.actor == format!("writer {w}"))
                .count();
            assert_eq!(mine, 3, "writer {w}");
        }
        store.close().await;
    }
}
