//! Evidence attachments in the store (PRODUCT.md §3, §11) on SQLite and,
//! when `DEBRIEF_TEST_POSTGRES_URL` is set, PostgreSQL: the bytes come back
//! exactly, the custody log is append-only, the audit entry is written in
//! the same transaction (a failed insert leaves neither), and the database
//! itself refuses to change or delete evidence.

use std::sync::Arc;

use debrief_core::attachment::{Attachment, CustodyAction, CustodyEntry, sha256_hex};
use debrief_core::{IncidentDraft, Taxonomy, TimelineEventDraft};
use debrief_store::{AuditFilter, AuditRecord, EventFilter, KeyRequest, NewIncidentRecord, Store};
use debrief_testkit::TestDatabase;
use uuid::Uuid;

fn now() -> jiff::Timestamp {
    "2026-11-26T12:00:00Z".parse().unwrap()
}

async fn each_database<F, Fut>(story: F)
where
    F: Fn(Arc<dyn Store>, debrief_store::SqlStore) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for db in TestDatabase::all().await {
        let store = debrief_store::open(&db.url)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", db.kind));
        eprintln!("story on {}", db.kind);
        story(Arc::new(store.clone()), store.clone()).await;
        store.close().await;
    }
}

/// An incident with one event; returns (incident id, event id).
async fn incident_with_event(store: &dyn Store) -> (Uuid, Uuid) {
    let fields = IncidentDraft {
        title: "Ransomware on file servers".into(),
        category: "ransomware".into(),
        severity: "critical".into(),
        ..Default::default()
    }
    .validate(&Taxonomy::default())
    .unwrap();
    let incident = store
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
        .unwrap();
    let event = TimelineEventDraft {
        at: "2026-11-26T10:00Z".into(),
        kind: "detection".into(),
        text: "EDR alert".into(),
        ..Default::default()
    }
    .validate("manual")
    .unwrap();
    store
        .add_events(incident.id, &[event], now())
        .await
        .unwrap();
    let events = store
        .list_events(incident.id, &EventFilter::default())
        .await
        .unwrap();
    (incident.id, events[0].id)
}

fn attachment(incident: Uuid, event: Uuid, content: &[u8]) -> Attachment {
    Attachment {
        id: Uuid::now_v7(),
        incident_id: incident,
        event_id: event,
        file_name: "capture.bin".into(),
        declared_type: "application/octet-stream".into(),
        detected_type: "application/octet-stream".into(),
        size: content.len() as u64,
        sha256: sha256_hex(content),
        added_by: "priya@example.org".into(),
        added_at: now(),
        description: Some("packet capture".into()),
    }
}

fn added(a: &Attachment) -> CustodyEntry {
    CustodyEntry {
        at: now(),
        actor: a.added_by.clone(),
        action: CustodyAction::Added,
        sha256: a.sha256.clone(),
        note: None,
    }
}

fn audit(a: &Attachment) -> AuditRecord {
    AuditRecord {
        at: now(),
        actor: a.added_by.clone(),
        entity: "attachment".into(),
        entity_id: a.id.to_string(),
        action: "add".into(),
        before: "null".into(),
        after: serde_json::to_string(a).unwrap(),
    }
}

async fn attachment_audits(store: &dyn Store) -> Vec<debrief_core::audit::AuditEntry> {
    store
        .audit_entries(
            &AuditFilter {
                entity: Some("attachment".into()),
                ..Default::default()
            },
            0,
            100,
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn every_byte_comes_back_with_its_metadata_custody_and_audit_entry() {
    each_database(|store, _| async move {
        let (incident, event) = incident_with_event(&*store).await;
        // Every byte value, NULs and invalid UTF-8 included.
        let content: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
        let a = attachment(incident, event, &content);
        store
            .add_attachment(&a, &content, &added(&a), audit(&a))
            .await
            .unwrap();
        assert_eq!(store.attachment(a.id).await.unwrap(), a);
        assert_eq!(store.attachment_content(a.id).await.unwrap(), content);
        assert_eq!(
            store.incident_attachments(incident).await.unwrap(),
            vec![a.clone()]
        );
        let later = CustodyEntry {
            at: now() + jiff::SignedDuration::from_secs(60),
            actor: "auditor@example.org".into(),
            action: CustodyAction::Downloaded,
            sha256: a.sha256.clone(),
            note: None,
        };
        store.record_custody(a.id, &later).await.unwrap();
        assert_eq!(store.custody(a.id).await.unwrap(), vec![added(&a), later]);
        let audits = attachment_audits(&*store).await;
        assert_eq!(audits.len(), 1);
        assert_eq!(audits[0].entity_id, a.id.to_string());
        assert_eq!(audits[0].before, "null");
        assert!(audits[0].after.contains(&a.sha256));
        assert!(
            audits[0].after.len() < 1000,
            "the audit entry holds the metadata, never the content"
        );
        let missing = store.attachment(Uuid::now_v7()).await.unwrap_err();
        assert!(matches!(
            missing,
            debrief_store::StoreError::NotFound { .. }
        ));
    })
    .await;
}

#[tokio::test]
async fn a_failed_insert_leaves_neither_the_attachment_nor_its_audit_entry() {
    each_database(|store, _| async move {
        let (incident, event) = incident_with_event(&*store).await;
        let a = attachment(incident, event, b"first");
        store
            .add_attachment(&a, b"first", &added(&a), audit(&a))
            .await
            .unwrap();
        // The same id again: the attachment insert fails after the audit
        // append, so the transaction must take the audit entry back too.
        let mut again = attachment(incident, event, b"second");
        again.id = a.id;
        let e = store
            .add_attachment(&again, b"second", &added(&again), audit(&again))
            .await
            .unwrap_err();
        assert!(
            matches!(e, debrief_store::StoreError::Duplicate { .. }),
            "{e}"
        );
        assert_eq!(attachment_audits(&*store).await.len(), 1);
        assert_eq!(store.attachment_content(a.id).await.unwrap(), b"first");
        assert_eq!(store.custody(a.id).await.unwrap().len(), 1);
        // An event that does not exist is refused by the foreign key.
        let orphan = attachment(incident, Uuid::now_v7(), b"x");
        assert!(
            store
                .add_attachment(&orphan, b"x", &added(&orphan), audit(&orphan))
                .await
                .is_err()
        );
        assert_eq!(attachment_audits(&*store).await.len(), 1);
        assert_eq!(store.incident_attachments(incident).await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn the_database_refuses_to_change_or_delete_evidence_and_custody() {
    each_database(|store, sql| async move {
        let (incident, event) = incident_with_event(&*store).await;
        let a = attachment(incident, event, b"evidence");
        store
            .add_attachment(&a, b"evidence", &added(&a), audit(&a))
            .await
            .unwrap();
        for statement in [
            "UPDATE attachment_contents SET content = content",
            "DELETE FROM attachment_contents",
            "UPDATE attachments SET sha256 = 'x'",
            "DELETE FROM attachments",
            "UPDATE attachment_custody SET actor = 'someone else'",
            "DELETE FROM attachment_custody",
        ] {
            let r = sqlx::query(statement).execute(sql.pool()).await;
            assert!(r.is_err(), "{statement} was allowed");
        }
        assert_eq!(store.attachment_content(a.id).await.unwrap(), b"evidence");
        assert_eq!(store.custody(a.id).await.unwrap().len(), 1);
    })
    .await;
}
