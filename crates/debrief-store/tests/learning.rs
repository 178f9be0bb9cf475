//! Learning across incidents in the store (PRODUCT.md §9) on SQLite and,
//! when `DEBRIEF_TEST_POSTGRES_URL` is set, PostgreSQL: search ranks and
//! filters, stays in step with every write (and with a rollback), snippets
//! mark the matches; the KPI rows; the data version and the change log
//! the facts cache refreshes from.

use std::sync::Arc;

use debrief_core::kpi::IncidentScope;
use debrief_core::review::{
    QuestionTemplate, RecurrenceAnswer, Review, ReviewChange, TextSectionName,
};
use debrief_core::{IncidentDraft, IncidentFields, Severity, Taxonomy, TimelineEventDraft};
use debrief_store::learning::{MARK_END, MARK_START, SearchSource};
use debrief_store::{KeyRequest, NewIncidentRecord, SearchQuery, Store, Visibility};
use debrief_testkit::TestDatabase;
use uuid::Uuid;

fn now() -> jiff::Timestamp {
    "2026-11-26T12:00:00Z".parse().unwrap()
}

fn fields(
    title: &str,
    summary: &str,
    category: &str,
    severity: &str,
    detected: &str,
    services: &[&str],
) -> IncidentFields {
    IncidentDraft {
        title: title.into(),
        summary: summary.into(),
        category: category.into(),
        severity: severity.into(),
        services: services.iter().map(|s| (*s).into()).collect(),
        tags: vec!["edr".into()],
        timestamps: vec![("detected".into(), detected.into())],
        ..Default::default()
    }
    .validate(&Taxonomy::default())
    .unwrap()
}

async fn incident(store: &dyn Store, f: IncidentFields) -> debrief_core::Incident {
    store
        .create_incident(NewIncidentRecord {
            id: Uuid::now_v7(),
            key: KeyRequest::Next {
                prefix: "INC".into(),
                year: 2026,
            },
            fields: f,
            created_at: now(),
            updated_at: now(),
        })
        .await
        .unwrap()
}

fn query(words: &[&str]) -> SearchQuery {
    SearchQuery {
        words: words.iter().map(|w| (*w).into()).collect(),
        scope: IncidentScope::default(),
        visibility: Visibility::All,
        limit: 20,
        offset: 0,
    }
}

async fn each_database<F, Fut>(story: F)
where
    F: Fn(Arc<dyn Store>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for db in TestDatabase::all().await {
        let store = debrief_store::open(&db.url)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", db.kind));
        eprintln!("story on {}", db.kind);
        story(Arc::new(store.clone())).await;
        store.close().await;
    }
}

#[tokio::test]
async fn search_finds_every_kind_of_text_ranks_titles_first_and_marks_matches() {
    each_database(|store| async move {
        let a = incident(
            &*store,
            fields(
                "Ransomware on file servers",
                "Encrypted shares",
                "ransomware",
                "critical",
                "2026-03-01T10:00Z",
                &["File servers"],
            ),
        )
        .await;
        let b = incident(
            &*store,
            fields(
                "Phishing wave",
                "Credentials phished; later ransomware note found",
                "phishing",
                "high",
                "2026-04-01T10:00Z",
                &["Mail"],
            ),
        )
        .await;
        store
            .add_events(
                b.id,
                &[TimelineEventDraft {
                    at: "2026-04-01T11:00Z".into(),
                    kind: "detection".into(),
                    text: "EDR flagged the encryptor binary".into(),
                    ..Default::default()
                }
                .validate("manual")
                .unwrap()],
                now(),
            )
            .await
            .unwrap();
        let mut review = Review::open(a.id, QuestionTemplate::nist_default(), "P", now());
        review
            .apply(
                ReviewChange::SetText {
                    section: TextSectionName::Summary,
                    text: "The backups were offline and intact.".into(),
                    version: 0,
                },
                "P",
                now(),
            )
            .unwrap();
        store.save_review(&review, None, now()).await.unwrap();

        // Stemming: "ransomware" in a title outranks it in a summary.
        let r = store.search(&query(&["ransomware"])).await.unwrap();
        assert_eq!(r.total, 2);
        assert!(!r.more);
        assert_eq!(r.hits[0].incident_key, a.key.to_string());
        assert_eq!(r.hits[0].source, SearchSource::Incident);
        assert!(
            r.hits[0]
                .title
                .contains(&format!("{MARK_START}Ransomware{MARK_END}")),
            "{:?}",
            r.hits[0].title
        );
        assert_eq!(r.hits[1].incident_key, b.key.to_string());

        // Timeline events and reviews are found, with the incident named.
        let r = store.search(&query(&["encryptor"])).await.unwrap();
        assert_eq!(r.hits.len(), 1);
        assert_eq!(r.hits[0].source, SearchSource::Event);
        assert_eq!(r.hits[0].incident_title, "Phishing wave");
        assert!(
            r.hits[0].snippet.contains(MARK_START),
            "{:?}",
            r.hits[0].snippet
        );
        let r = store.search(&query(&["backup"])).await.unwrap();
        assert_eq!(r.hits.len(), 1);
        assert_eq!(r.hits[0].source, SearchSource::Review);

        // Every word must match.
        assert_eq!(
            store
                .search(&query(&["ransomware", "phished"]))
                .await
                .unwrap()
                .hits
                .len(),
            1
        );
        assert_eq!(
            store
                .search(&query(&["nothinglikethis"]))
                .await
                .unwrap()
                .total,
            0
        );

        // Filters narrow by the incident.
        let mut q = query(&["ransomware"]);
        q.scope.categories = vec!["phishing".into()];
        assert_eq!(
            store.search(&q).await.unwrap().hits[0].incident_key,
            b.key.to_string()
        );
        let mut q = query(&["ransomware"]);
        q.scope.severities = vec![Severity::Critical];
        q.scope.services = vec!["File servers".into()];
        assert_eq!(store.search(&q).await.unwrap().total, 1);
        let mut q = query(&["ransomware"]);
        q.scope.from = Some("2026-03-15T00:00:00Z".parse().unwrap());
        assert_eq!(
            store.search(&q).await.unwrap().hits[0].incident_key,
            b.key.to_string()
        );
        let mut q = query(&["ransomware"]);
        q.scope.tags = vec!["none".into()];
        assert_eq!(store.search(&q).await.unwrap().total, 0);
    })
    .await;
}

#[tokio::test]
async fn the_index_follows_updates_and_a_rollback_leaves_it_as_it_was() {
    each_database(|store| async move {
        let a = incident(
            &*store,
            fields(
                "Printer outage",
                "",
                "availability",
                "low",
                "2026-03-01",
                &[],
            ),
        )
        .await;
        let mut f = a.fields.clone();
        f.title = "Badge reader outage".into();
        store
            .update_incident(a.id, a.version, &f, now())
            .await
            .unwrap();
        assert_eq!(store.search(&query(&["printer"])).await.unwrap().total, 0);
        assert_eq!(store.search(&query(&["badge"])).await.unwrap().total, 1);
        {
            let mut tx = store.begin().await.unwrap();
            tx.create_incident(NewIncidentRecord {
                id: Uuid::now_v7(),
                key: KeyRequest::Next {
                    prefix: "INC".into(),
                    year: 2026,
                },
                fields: fields("Badge cloning", "", "physical", "low", "2026-03-02", &[]),
                created_at: now(),
                updated_at: now(),
            })
            .await
            .unwrap();
            // Dropped without commit.
        }
        assert_eq!(store.search(&query(&["badge"])).await.unwrap().total, 1);
    })
    .await;
}

#[tokio::test]
async fn kpi_rows_carry_the_review_facts_and_the_version_moves_with_writes() {
    each_database(|store| async move {
        let v0 = store.learning_version().await.unwrap();
        let a = incident(
            &*store,
            fields("A", "", "malware", "high", "2026-03-01T10:00Z", &["Mail"]),
        )
        .await;
        let _b = incident(
            &*store,
            fields("B", "", "phishing", "low", "2026-05-01T10:00Z", &[]),
        )
        .await;
        let v1 = store.learning_version().await.unwrap();
        assert!(v1 > v0);
        let mut review = Review::open(a.id, QuestionTemplate::nist_default(), "P", now());
        review
            .apply(
                ReviewChange::SetRecurrence {
                    answer: RecurrenceAnswer::Yes,
                    of: vec![],
                    note: String::new(),
                    version: 0,
                },
                "P",
                now(),
            )
            .unwrap();
        store.save_review(&review, None, now()).await.unwrap();
        assert!(store.learning_version().await.unwrap() > v1);
        let all = store.kpi_data(&IncidentScope::default()).await.unwrap();
        assert_eq!(all.incidents.len(), 2);
        let row = all
            .incidents
            .iter()
            .find(|r| r.incident.id == a.id)
            .unwrap();
        assert_eq!(row.review_status.as_deref(), Some("draft"));
        assert_eq!(row.recurrence.as_deref(), Some("yes"));
        let march = IncidentScope {
            from: Some("2026-03-01T00:00:00Z".parse().unwrap()),
            to: Some("2026-04-01T00:00:00Z".parse().unwrap()),
            ..Default::default()
        };
        let m = store.kpi_data(&march).await.unwrap();
        assert_eq!(m.incidents.len(), 1);
        assert_eq!(m.incidents[0].incident.id, a.id);
    })
    .await;
}

#[tokio::test]
async fn every_write_names_its_incident_in_the_change_log_and_settings_move_their_own_version() {
    each_database(|store| async move {
        let v0 = store.learning_versions().await.unwrap();
        let a = incident(
            &*store,
            fields("A", "", "malware", "high", "2026-03-01T10:00Z", &["Mail"]),
        )
        .await;
        let b = incident(
            &*store,
            fields("B", "", "phishing", "low", "2026-05-01T10:00Z", &[]),
        )
        .await;
        let v1 = store.learning_versions().await.unwrap();
        assert!(v1.version > v0.version);
        assert_eq!(v1.settings, v0.settings, "incidents are not settings");
        let mut since_v0 = store.learning_changes_since(v0.version).await.unwrap();
        since_v0.sort();
        let mut both = vec![a.id, b.id];
        both.sort();
        assert_eq!(since_v0, both);
        assert!(
            store
                .learning_changes_since(v1.version)
                .await
                .unwrap()
                .is_empty()
        );

        // A review of A names A only.
        let review = Review::open(a.id, QuestionTemplate::nist_default(), "P", now());
        store.save_review(&review, None, now()).await.unwrap();
        let v2 = store.learning_versions().await.unwrap();
        assert_eq!(
            store.learning_changes_since(v1.version).await.unwrap(),
            [a.id]
        );

        // The facts of named incidents only, review included; an id that
        // does not exist is left out.
        let data = store.kpi_data_for(&[a.id, Uuid::now_v7()]).await.unwrap();
        assert_eq!(data.incidents.len(), 1);
        assert_eq!(data.incidents[0].incident.id, a.id);
        assert_eq!(data.incidents[0].review_status.as_deref(), Some("draft"));
        assert!(store.kpi_data_for(&[]).await.unwrap().incidents.is_empty());

        // A holiday concerns every incident: the settings version moves.
        store
            .add_holiday(
                &debrief_core::workshop::Holiday {
                    date: "2026-12-25".parse().unwrap(),
                    name: "Christmas".into(),
                },
                now(),
            )
            .await
            .unwrap();
        let v3 = store.learning_versions().await.unwrap();
        assert!(v3.version > v2.version);
        assert!(v3.settings > v2.settings);
        assert!(
            store
                .learning_changes_since(v2.version)
                .await
                .unwrap()
                .is_empty()
        );
    })
    .await;
}
