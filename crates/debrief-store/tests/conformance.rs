//! The store conformance suite: the same stories against SQLite and, when
//! `DEBRIEF_TEST_POSTGRES_URL` is set (always under CI), PostgreSQL.

use std::sync::Arc;

use debrief_core::{
    EventKind, IncidentDraft, IncidentFields, IncidentKey, NewTimelineEvent, Severity, Status,
    Taxonomy, TimelineEventDraft,
};
use debrief_store::{
    EventFilter, IncidentFilter, IncidentSort, KeyRequest, NewIncidentRecord, Store, StoreError,
};
use debrief_testkit::TestDatabase;
use uuid::Uuid;

fn now() -> jiff::Timestamp {
    "2026-03-02T10:00:00Z".parse().unwrap()
}

fn fields(title: &str, severity: &str, category: &str, times: &[(&str, &str)]) -> IncidentFields {
    IncidentDraft {
        title: title.into(),
        summary: "Summary".into(),
        category: category.into(),
        severity: severity.into(),
        services: vec!["File servers".into(), "VPN".into()],
        tags: vec!["edr".into()],
        responders: vec!["Priya Raman".into()],
        business_units: vec!["Finance".into()],
        timestamps: times
            .iter()
            .map(|(a, b)| ((*a).into(), (*b).into()))
            .collect(),
        precisions: Vec::new(),
    }
    .validate(&Taxonomy::default())
    .unwrap()
}

fn next_key() -> KeyRequest {
    KeyRequest::Next {
        prefix: "INC".into(),
        year: 2026,
    }
}

fn record(f: IncidentFields) -> NewIncidentRecord {
    NewIncidentRecord {
        id: Uuid::now_v7(),
        key: next_key(),
        fields: f,
        created_at: now(),
        updated_at: now(),
    }
}

fn event(at: &str, kind: &str, text: &str, actor: Option<&str>, key: bool) -> NewTimelineEvent {
    TimelineEventDraft {
        at: at.into(),
        kind: kind.into(),
        text: text.into(),
        actor: actor.map(Into::into),
        key,
        ..Default::default()
    }
    .validate("manual")
    .unwrap()
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
async fn an_incident_reads_back_exactly_as_written() {
    each_database(|store| async move {
        let f = fields(
            "Ransomware on file servers",
            "critical",
            "ransomware",
            &[
                ("started", "2019-07-02"),
                ("detected", "2019-07-02T15:42+02:00"),
                ("contained", "2019-07-03T08:12:30.5-05:00"),
            ],
        );
        let created = store.create_incident(record(f.clone())).await.unwrap();
        assert_eq!(created.key.to_string(), "INC-2026-0001");
        assert_eq!(created.version, 1);
        assert_eq!(created.fields, f);
        assert_eq!(created.status(), Status::Contained);
        let by_key = store.incident_by_key(&created.key).await.unwrap();
        assert_eq!(by_key, created);
        let by_id = store.incident_by_id(created.id).await.unwrap();
        assert_eq!(by_id, created);
        let missing: IncidentKey = "INC-2026-0099".parse().unwrap();
        assert!(matches!(
            store.incident_by_key(&missing).await,
            Err(StoreError::NotFound { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn keys_are_assigned_in_order_without_duplicates_under_concurrency() {
    each_database(|store| async move {
        let mut tasks = Vec::new();
        for i in 0..24 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                store
                    .create_incident(record(fields(
                        &format!("Concurrent {i}"),
                        "low",
                        "other",
                        &[],
                    )))
                    .await
            }));
        }
        let mut numbers = Vec::new();
        for t in tasks {
            numbers.push(t.await.unwrap().unwrap().key.number());
        }
        numbers.sort_unstable();
        assert_eq!(numbers, (1..=24).collect::<Vec<u32>>());
        // Another year counts from one.
        let mut r = record(fields("Next year", "low", "other", &[]));
        r.key = KeyRequest::Next {
            prefix: "INC".into(),
            year: 2027,
        };
        assert_eq!(
            store.create_incident(r).await.unwrap().key.to_string(),
            "INC-2027-0001"
        );
    })
    .await;
}

#[tokio::test]
async fn a_given_key_is_kept_and_later_keys_continue_after_it() {
    each_database(|store| async move {
        let mut r = record(fields("Imported", "high", "phishing", &[]));
        r.key = KeyRequest::Given("INC-2026-0041".parse().unwrap());
        store.create_incident(r).await.unwrap();
        let next = store
            .create_incident(record(fields("New", "high", "phishing", &[])))
            .await
            .unwrap();
        assert_eq!(next.key.to_string(), "INC-2026-0042");
        let mut dup = record(fields("Clash", "high", "phishing", &[]));
        dup.key = KeyRequest::Given("INC-2026-0041".parse().unwrap());
        let err = store.create_incident(dup).await.unwrap_err();
        assert!(matches!(err, StoreError::Duplicate { .. }), "{err}");
        assert_eq!(store.count_incidents().await.unwrap(), 2);
    })
    .await;
}

#[tokio::test]
async fn a_stale_update_is_a_conflict_and_changes_nothing() {
    each_database(|store| async move {
        let created = store
            .create_incident(record(fields("Outage", "medium", "availability", &[])))
            .await
            .unwrap();
        let mut first = created.fields.clone();
        first.title = "Outage after config change".into();
        let later: jiff::Timestamp = "2026-03-03T10:00:00Z".parse().unwrap();
        let updated = store
            .update_incident(created.id, 1, &first, later)
            .await
            .unwrap();
        assert_eq!(updated.version, 2);
        assert_eq!(updated.updated_at, later);
        assert_eq!(updated.created_at, created.created_at);
        let mut second = created.fields.clone();
        second.title = "Someone else's edit".into();
        match store.update_incident(created.id, 1, &second, later).await {
            Err(StoreError::Conflict {
                expected: 1,
                actual: 2,
                ..
            }) => {}
            other => panic!("expected a conflict, got {other:?}"),
        }
        assert_eq!(
            store.incident_by_id(created.id).await.unwrap().fields.title,
            "Outage after config change"
        );
        assert!(matches!(
            store
                .update_incident(Uuid::now_v7(), 1, &second, later)
                .await,
            Err(StoreError::NotFound { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn the_list_filters_sorts_and_pages_through_everything_once() {
    each_database(|store| async move {
        let specs = [
            ("A phishing", "high", "phishing", Some("2026-01-05")),
            ("B outage", "low", "availability", None),
            ("C ransomware", "critical", "ransomware", Some("2026-01-01")),
            ("D phishing 100%", "medium", "phishing", Some("2026-01-09")),
            ("E closed", "low", "other", Some("2026-01-02")),
        ];
        for (title, sev, cat, started) in specs {
            let mut times = vec![];
            if let Some(s) = started {
                times.push(("started", s));
            }
            if title.starts_with('E') {
                times.push(("closed", "2026-01-03"));
            }
            store
                .create_incident(record(fields(title, sev, cat, &times)))
                .await
                .unwrap();
        }
        let titles = |p: &debrief_store::Page<debrief_core::Incident>| -> Vec<String> {
            p.items
                .iter()
                .map(|i| i.fields.title[..1].to_owned())
                .collect()
        };
        let all = IncidentFilter::default();
        let p = store
            .list_incidents(&all, IncidentSort::Newest, None, 50)
            .await
            .unwrap();
        assert_eq!(titles(&p), ["E", "D", "C", "B", "A"]);
        let p = store
            .list_incidents(&all, IncidentSort::StartedAsc, None, 50)
            .await
            .unwrap();
        assert_eq!(titles(&p), ["C", "E", "A", "D", "B"]);
        let p = store
            .list_incidents(&all, IncidentSort::StartedDesc, None, 50)
            .await
            .unwrap();
        assert_eq!(titles(&p), ["D", "A", "E", "C", "B"]);
        let p = store
            .list_incidents(&all, IncidentSort::Severity, None, 50)
            .await
            .unwrap();
        assert_eq!(titles(&p), ["C", "A", "D", "E", "B"]);

        let phishing = IncidentFilter {
            categories: vec!["phishing".into()],
            ..Default::default()
        };
        assert_eq!(
            titles(
                &store
                    .list_incidents(&phishing, IncidentSort::Oldest, None, 50)
                    .await
                    .unwrap()
            ),
            ["A", "D"]
        );
        let closed = IncidentFilter {
            statuses: vec![Status::Closed],
            ..Default::default()
        };
        assert_eq!(
            titles(
                &store
                    .list_incidents(&closed, IncidentSort::Oldest, None, 50)
                    .await
                    .unwrap()
            ),
            ["E"]
        );
        let sev = IncidentFilter {
            severities: vec![Severity::Low, Severity::Critical],
            ..Default::default()
        };
        assert_eq!(
            titles(
                &store
                    .list_incidents(&sev, IncidentSort::Oldest, None, 50)
                    .await
                    .unwrap()
            ),
            ["B", "C", "E"]
        );
        let text = IncidentFilter {
            text: Some("100%".into()),
            ..Default::default()
        };
        assert_eq!(
            titles(
                &store
                    .list_incidents(&text, IncidentSort::Oldest, None, 50)
                    .await
                    .unwrap()
            ),
            ["D"]
        );
        let by_key = IncidentFilter {
            text: Some("inc-2026-0002".into()),
            ..Default::default()
        };
        assert_eq!(
            titles(
                &store
                    .list_incidents(&by_key, IncidentSort::Oldest, None, 50)
                    .await
                    .unwrap()
            ),
            ["B"]
        );

        for sort in IncidentSort::ALL {
            let mut seen = Vec::new();
            let mut cursor = None;
            loop {
                let page = store
                    .list_incidents(&all, sort, cursor.as_ref(), 2)
                    .await
                    .unwrap();
                seen.extend(titles(&page));
                match page.next {
                    Some(c) => cursor = Some(debrief_store::Cursor::decode(&c.encode()).unwrap()),
                    None => break,
                }
            }
            let full = titles(&store.list_incidents(&all, sort, None, 50).await.unwrap());
            assert_eq!(seen, full, "{sort:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn events_are_ordered_filtered_and_never_stored_twice() {
    each_database(|store| async move {
        let incident = store
            .create_incident(record(fields("Breach", "high", "data_breach", &[])))
            .await
            .unwrap();
        let events = vec![
            event(
                "2026-01-02T10:00Z",
                "containment",
                "Blocked the sender domain",
                Some("Sam"),
                true,
            ),
            event(
                "2026-01-01T09:00+01:00",
                "detection",
                "User reported a phishing mail",
                Some("Alex"),
                true,
            ),
            event(
                "2026-01-01T12:00Z",
                "communication",
                "Notified the DPO",
                Some("Sam"),
                false,
            ),
            event(
                "2026-01-01T12:00Z",
                "communication",
                "Notified the DPO",
                Some("Sam"),
                false,
            ),
        ];
        let added = store.add_events(incident.id, &events, now()).await.unwrap();
        assert_eq!((added.added, added.duplicates), (3, 1));
        let again = store.add_events(incident.id, &events, now()).await.unwrap();
        assert_eq!((again.added, again.duplicates), (0, 4));
        let all = store
            .list_events(incident.id, &EventFilter::default())
            .await
            .unwrap();
        let texts: Vec<&str> = all.iter().map(|e| e.event.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "User reported a phishing mail",
                "Notified the DPO",
                "Blocked the sender domain"
            ]
        );
        assert_eq!(all[0].event.at.to_rfc3339(), "2026-01-01T09:00+01:00");
        assert_eq!(all[0].event, events[1]);
        assert_eq!(store.event_by_id(all[1].id).await.unwrap(), all[1]);
        let key_only = store
            .list_events(
                incident.id,
                &EventFilter {
                    key_only: true,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(key_only.len(), 2);
        let comms = EventFilter {
            kinds: vec![EventKind::Communication, EventKind::Detection],
            ..Default::default()
        };
        assert_eq!(
            store.list_events(incident.id, &comms).await.unwrap().len(),
            2
        );
        let sam = EventFilter {
            actor: Some("Sam".into()),
            ..Default::default()
        };
        assert_eq!(store.list_events(incident.id, &sam).await.unwrap().len(), 2);
        assert_eq!(store.count_events(incident.id).await.unwrap(), 3);
        assert!(matches!(
            store.add_events(Uuid::now_v7(), &events, now()).await,
            Err(StoreError::NotFound { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn a_transaction_dropped_without_commit_leaves_nothing() {
    each_database(|store| async move {
        {
            let mut tx = store.begin().await.unwrap();
            let inc = tx
                .create_incident(record(fields("Half", "low", "other", &[])))
                .await
                .unwrap();
            tx.add_events(
                inc.id,
                &[event("2026-01-01", "other", "x", None, false)],
                now(),
            )
            .await
            .unwrap();
            assert!(tx.incident_by_key(&inc.key).await.unwrap().is_some());
        }
        assert_eq!(store.count_incidents().await.unwrap(), 0);
        let mut tx = store.begin().await.unwrap();
        let inc = tx
            .create_incident(record(fields("Whole", "low", "other", &[])))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        // The rolled-back key number was not consumed either.
        assert_eq!(inc.key.number(), 1);
        assert_eq!(store.count_incidents().await.unwrap(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_review_is_saved_as_written_and_a_stale_save_conflicts() {
    use debrief_core::review::{QuestionTemplate, Review, ReviewChange, TextSectionName};
    each_database(|store| async move {
        let incident = store
            .create_incident(record(fields("Breach", "high", "data_breach", &[])))
            .await
            .unwrap();
        assert_eq!(store.review(incident.id).await.unwrap(), None);
        let mut review = Review::open(
            incident.id,
            QuestionTemplate::nist_default(),
            "Priya",
            now(),
        );
        store.save_review(&review, None, now()).await.unwrap();
        assert!(matches!(
            store.save_review(&review, None, now()).await,
            Err(StoreError::Duplicate { .. })
        ));
        let read = review.version;
        review
            .apply(
                ReviewChange::SetText {
                    section: TextSectionName::Summary,
                    text: "Mailbox compromised".into(),
                    version: 0,
                },
                "Priya",
                now(),
            )
            .unwrap();
        store.save_review(&review, Some(read), now()).await.unwrap();
        assert_eq!(
            store.review(incident.id).await.unwrap().as_ref(),
            Some(&review)
        );
        match store.save_review(&review, Some(read), now()).await {
            Err(StoreError::Conflict {
                expected: 1,
                actual: 2,
                ..
            }) => {}
            other => panic!("expected a conflict, got {other:?}"),
        }
    })
    .await;
}

#[tokio::test]
async fn exchange_rates_are_unique_per_pair_and_date() {
    use debrief_store::StoredRate;
    each_database(|store| async move {
        let rate = |from: &str, on: &str| StoredRate {
            id: Uuid::now_v7(),
            from: from.into(),
            to: "EUR".into(),
            rate: "0.92".into(),
            valid_on: on.into(),
            source: "ECB".into(),
            created_at: now(),
        };
        store.add_rate(&rate("USD", "2026-09-01")).await.unwrap();
        store.add_rate(&rate("INR", "2026-09-01")).await.unwrap();
        store.add_rate(&rate("USD", "2026-10-01")).await.unwrap();
        assert!(matches!(
            store.add_rate(&rate("USD", "2026-10-01")).await,
            Err(StoreError::Duplicate { .. })
        ));
        let all = store.rates().await.unwrap();
        let pairs: Vec<(String, String)> = all
            .iter()
            .map(|r| (r.from.clone(), r.valid_on.clone()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("INR".into(), "2026-09-01".into()),
                ("USD".into(), "2026-09-01".into()),
                ("USD".into(), "2026-10-01".into())
            ]
        );
        store.delete_rate(all[0].id).await.unwrap();
        assert!(matches!(
            store.delete_rate(all[0].id).await,
            Err(StoreError::NotFound { .. })
        ));
        assert_eq!(store.rates().await.unwrap().len(), 2);
    })
    .await;
}
