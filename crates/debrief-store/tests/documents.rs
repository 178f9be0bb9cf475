//! Plans and training in the store (PRODUCT.md §9) on SQLite and, when
//! `DEBRIEF_TEST_POSTGRES_URL` is set, PostgreSQL: documents and lesson
//! links round-trip, stale versions are conflicts, the reviews the unhomed
//! list reads honour visibility, and links move the data version.

use std::sync::Arc;

use debrief_core::document::{Document, DocumentKind, DocumentStatus, LessonLink, LinkState};
use debrief_core::review::{ItemDraft, LessonDraft, QuestionTemplate, Review, ReviewChange};
use debrief_core::{IncidentDraft, Person, Taxonomy};
use debrief_store::{KeyRequest, NewIncidentRecord, SqlStore, Store, StoreError, Visibility};
use debrief_testkit::TestDatabase;
use uuid::Uuid;

fn now() -> jiff::Timestamp {
    "2026-11-26T12:00:00Z".parse().unwrap()
}

async fn each_database<F, Fut>(story: F)
where
    F: Fn(Arc<dyn Store>, SqlStore) -> Fut,
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

async fn incident(store: &dyn Store, title: &str) -> debrief_core::Incident {
    let fields = IncidentDraft {
        title: title.into(),
        category: "ransomware".into(),
        severity: "high".into(),
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
}

async fn review_with_lesson(store: &dyn Store, incident_id: Uuid, lesson: &str) -> Review {
    let mut review = Review::open(incident_id, QuestionTemplate::nist_default(), "P", now());
    review
        .apply(
            ReviewChange::AddItem {
                item: ItemDraft::Lesson(LessonDraft {
                    statement: lesson.into(),
                    tags: vec![],
                }),
            },
            "P",
            now(),
        )
        .unwrap();
    store.save_review(&review, None, now()).await.unwrap();
    review
}

async fn owner(store: &dyn Store) -> Person {
    let p = Person {
        id: Uuid::new_v4(),
        name: "Ada Byron".into(),
        email: "ada@example.org".into(),
        team: String::new(),
        phone: String::new(),
        version: 1,
    };
    store.create_person(&p, now()).await.unwrap();
    p
}

fn document(owner: Uuid) -> Document {
    Document {
        id: Uuid::new_v4(),
        kind: DocumentKind::Playbook,
        title: "Ransomware playbook".into(),
        owner_id: owner,
        document_version: "2.0".into(),
        link: "https://intranet.example.org/playbooks/ransomware".into(),
        status: DocumentStatus::Current,
        review_on: Some(jiff::civil::date(2027, 1, 31)),
        version: 1,
    }
}

#[tokio::test]
async fn documents_round_trip_and_a_stale_version_is_a_conflict() {
    each_database(|store, _| async move {
        let ada = owner(&*store).await;
        let doc = document(ada.id);
        store.create_document(&doc, now()).await.unwrap();
        assert_eq!(
            store.document_by_id(doc.id).await.unwrap(),
            Some(doc.clone())
        );

        let retired = Document {
            title: "Old plan".into(),
            status: DocumentStatus::Retired,
            review_on: None,
            ..document(ada.id)
        };
        store.create_document(&retired, now()).await.unwrap();
        let titles: Vec<String> = store
            .documents()
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.title)
            .collect();
        assert_eq!(titles, ["Ransomware playbook", "Old plan"], "current first");

        let changed = Document {
            document_version: "2.1".into(),
            version: 2,
            ..doc.clone()
        };
        store.update_document(&changed, 1, now()).await.unwrap();
        assert_eq!(store.document_by_id(doc.id).await.unwrap(), Some(changed));
        match store.update_document(&doc, 1, now()).await {
            Err(StoreError::Conflict {
                expected, actual, ..
            }) => assert_eq!((expected, actual), (1, 2)),
            other => panic!("expected a conflict, got {other:?}"),
        }
        let missing = Document {
            id: Uuid::new_v4(),
            ..doc
        };
        assert!(matches!(
            store.update_document(&missing, 1, now()).await,
            Err(StoreError::NotFound { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn lesson_links_round_trip_bump_the_data_version_and_conflict_when_stale() {
    each_database(|store, _| async move {
        let ada = owner(&*store).await;
        let doc = document(ada.id);
        store.create_document(&doc, now()).await.unwrap();
        let i = incident(&*store, "Ransomware").await;
        let review = review_with_lesson(&*store, i.id, "Separate backup credentials").await;
        let lesson = review.lessons[0].id;

        let v0 = store.learning_version().await.unwrap();
        let link = LessonLink {
            id: Uuid::new_v4(),
            incident_id: i.id,
            lesson_id: lesson,
            document_id: Some(doc.id),
            change: "Add a credential separation step".into(),
            state: LinkState::Needed,
            done_version: String::new(),
            done_on: None,
            version: 1,
        };
        store.create_lesson_link(&link, now()).await.unwrap();
        let none = LessonLink {
            id: Uuid::new_v4(),
            document_id: None,
            change: "Covered by the existing policy".into(),
            state: LinkState::NotNeeded,
            ..link.clone()
        };
        // A second later: links list in the order they were made.
        let later = now()
            .checked_add(jiff::SignedDuration::from_secs(1))
            .unwrap();
        store.create_lesson_link(&none, later).await.unwrap();
        let v1 = store.learning_version().await.unwrap();
        assert!(v1 > v0, "a link moves the data version");

        assert_eq!(
            store.lesson_links_of(i.id).await.unwrap(),
            vec![link.clone(), none.clone()]
        );
        assert_eq!(store.all_lesson_links().await.unwrap().len(), 2);

        let done = LessonLink {
            state: LinkState::Done,
            done_version: "2.1".into(),
            done_on: Some(jiff::civil::date(2026, 12, 1)),
            version: 2,
            ..link.clone()
        };
        store.update_lesson_link(&done, 1, now()).await.unwrap();
        assert_eq!(store.lesson_link_by_id(link.id).await.unwrap(), Some(done));
        assert!(store.learning_version().await.unwrap() > v1);
        assert!(matches!(
            store.update_lesson_link(&link, 1, now()).await,
            Err(StoreError::Conflict { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn the_reviews_behind_unhomed_lessons_hide_restricted_incidents_from_non_members() {
    each_database(|store, sql| async move {
        let open = incident(&*store, "Phishing").await;
        let secret = incident(&*store, "Insider case").await;
        let _no_review = incident(&*store, "No review yet").await;
        review_with_lesson(&*store, open.id, "Report look-alike domains").await;
        review_with_lesson(&*store, secret.id, "Log exports of HR data").await;
        sqlx::query("UPDATE incidents SET restricted = 1 WHERE id = $1")
            .bind(secret.id.to_string())
            .execute(sql.pool())
            .await
            .unwrap();

        let all = store.incident_reviews(&Visibility::All).await.unwrap();
        let keys: Vec<String> = all.iter().map(|r| r.incident.key.to_string()).collect();
        assert_eq!(keys, [open.key.to_string(), secret.key.to_string()]);
        assert_eq!(all[1].review.lessons[0].statement, "Log exports of HR data");

        let outsider = store
            .incident_reviews(&Visibility::MemberOf(Uuid::new_v4()))
            .await
            .unwrap();
        assert_eq!(outsider.len(), 1);
        assert_eq!(outsider[0].incident.id, open.id);
    })
    .await;
}
