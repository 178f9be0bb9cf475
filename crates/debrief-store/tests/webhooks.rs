//! Webhook storage stories (subscriptions, the outbox, claims and the
//! attempt log) against SQLite and, when `DEBRIEF_TEST_POSTGRES_URL` is set,
//! PostgreSQL.

use std::sync::Arc;

use debrief_core::webhook::{DeliveryStatus, WebhookEvent, WebhookFields};
use debrief_store::webhooks::{
    AttemptOutcome, AttemptRecord, DeliveryFilter, NewDelivery, StoredWebhook,
};
use debrief_store::{Store, StoreError};
use debrief_testkit::TestDatabase;
use jiff::{SignedDuration, Timestamp};
use uuid::Uuid;

fn t0() -> Timestamp {
    "2026-11-26T12:00:00Z".parse().unwrap()
}

fn at(secs: i64) -> Timestamp {
    t0() + SignedDuration::from_secs(secs)
}

fn webhook(url: &str, events: &[WebhookEvent], active: bool) -> StoredWebhook {
    StoredWebhook {
        id: Uuid::now_v7(),
        fields: WebhookFields {
            url: url.into(),
            events: events.to_vec(),
            description: "Ticketing bridge".into(),
        },
        secret: "a".repeat(64),
        active,
        version: 1,
        created_at: t0(),
        updated_at: t0(),
    }
}

fn delivery(webhook_id: Uuid, created: Timestamp) -> NewDelivery {
    NewDelivery {
        id: Uuid::now_v7(),
        webhook_id,
        event_id: Uuid::now_v7(),
        event: "review.approved".into(),
        body: r#"{"id":"x","event":"review.approved","data":{}}"#.into(),
        created_at: created,
    }
}

fn attempt(id: Uuid, n: u32, when: Timestamp, outcome: AttemptOutcome) -> AttemptRecord {
    AttemptRecord {
        delivery_id: id,
        attempt: n,
        at: when,
        http_status: Some(500),
        error: Some("HTTP 500 Internal Server Error".into()),
        duration_ms: 12,
        outcome,
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
async fn a_subscription_reads_back_updates_over_its_version_and_deletes_with_its_log() {
    each_database(|store| async move {
        let w = webhook(
            "https://hooks.example.com/a",
            &[WebhookEvent::ActionCreated, WebhookEvent::ReviewApproved],
            true,
        );
        store.create_webhook(&w).await.unwrap();
        assert_eq!(store.webhook(w.id).await.unwrap(), w);
        assert_eq!(store.webhooks().await.unwrap(), vec![w.clone()]);

        let mut paused = w.clone();
        paused.active = false;
        paused.version = 2;
        paused.updated_at = at(60);
        store.update_webhook(&paused, 1).await.unwrap();
        assert_eq!(store.webhook(w.id).await.unwrap(), paused);
        // The secret is never rewritten by an update.
        assert_eq!(store.webhook(w.id).await.unwrap().secret, w.secret);

        let mut stale = w.clone();
        stale.version = 2;
        assert!(matches!(
            store.update_webhook(&stale, 1).await,
            Err(StoreError::Conflict {
                expected: 1,
                actual: 2,
                ..
            })
        ));

        let d = delivery(w.id, at(0));
        store
            .enqueue_deliveries(std::slice::from_ref(&d))
            .await
            .unwrap();
        store.delete_webhook(w.id).await.unwrap();
        assert!(matches!(
            store.webhook(w.id).await,
            Err(StoreError::NotFound { .. })
        ));
        assert!(matches!(
            store.delivery(d.id).await,
            Err(StoreError::NotFound { .. })
        ));
        assert!(matches!(
            store.delete_webhook(w.id).await,
            Err(StoreError::NotFound { .. })
        ));
        assert!(matches!(
            store.update_webhook(&paused, 2).await,
            Err(StoreError::NotFound { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn only_due_deliveries_of_active_subscriptions_are_claimed_and_each_attempt_once() {
    each_database(|store| async move {
        let active = webhook("https://a.example/", &[WebhookEvent::ActionDone], true);
        let paused = webhook("https://b.example/", &[WebhookEvent::ActionDone], false);
        store.create_webhook(&active).await.unwrap();
        store.create_webhook(&paused).await.unwrap();
        let due = delivery(active.id, at(0));
        let later = delivery(active.id, at(100));
        let of_paused = delivery(paused.id, at(0));
        store
            .enqueue_deliveries(&[due.clone(), later.clone(), of_paused.clone()])
            .await
            .unwrap();
        assert_eq!(store.next_delivery_due().await.unwrap(), Some(at(0)));

        let claimed = store
            .claim_due_deliveries(at(10), at(70), 10)
            .await
            .unwrap();
        assert_eq!(claimed.len(), 1);
        let c = &claimed[0];
        assert_eq!((c.id, c.attempt), (due.id, 1));
        assert_eq!(c.url, "https://a.example/");
        assert_eq!(c.secret, active.secret);
        assert_eq!(c.body, due.body);
        let held = store.delivery(due.id).await.unwrap();
        assert_eq!((held.leased_until, held.attempts), (Some(at(70)), 1));
        assert!(held.attempt_log.is_empty(), "in flight, not yet logged");

        // Leased: nobody else gets it until the lease runs out.
        assert!(
            store
                .claim_due_deliveries(at(20), at(80), 10)
                .await
                .unwrap()
                .is_empty()
        );
        // The lease ran out (the first dispatcher died): attempt 2 is claimed…
        let again = store
            .claim_due_deliveries(at(70), at(130), 1)
            .await
            .unwrap();
        assert_eq!((again[0].id, again[0].attempt), (due.id, 2));
        // …and the first dispatcher's late report is logged but moves nothing.
        let late = attempt(due.id, 1, at(71), AttemptOutcome::Delivered);
        assert!(!store.record_attempt(&late).await.unwrap());
        let d = store.delivery(due.id).await.unwrap();
        assert_eq!((d.status, d.attempts), (DeliveryStatus::Pending, 2));
        assert_eq!(d.attempt_log.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn concurrent_dispatchers_never_claim_the_same_attempt() {
    each_database(|store| async move {
        let w = webhook("https://a.example/", &[WebhookEvent::ActionDone], true);
        store.create_webhook(&w).await.unwrap();
        let batch: Vec<NewDelivery> = (0..20).map(|_| delivery(w.id, at(0))).collect();
        store.enqueue_deliveries(&batch).await.unwrap();
        let mut tasks = Vec::new();
        for _ in 0..4 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                store.claim_due_deliveries(at(1), at(61), 20).await.unwrap()
            }));
        }
        let mut ids = Vec::new();
        for t in tasks {
            ids.extend(t.await.unwrap().into_iter().map(|c| (c.id, c.attempt)));
        }
        ids.sort();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len(), "an attempt was claimed twice");
        assert_eq!(ids.len(), 20, "every due delivery was claimed once");
        assert!(ids.iter().all(|(_, attempt)| *attempt == 1));
    })
    .await;
}

#[tokio::test]
async fn attempts_move_a_delivery_to_retry_delivered_or_failed_and_are_logged() {
    each_database(|store| async move {
        let w = webhook("https://a.example/", &[WebhookEvent::ActionDone], true);
        store.create_webhook(&w).await.unwrap();
        let ok = delivery(w.id, at(0));
        let bad = delivery(w.id, at(1));
        store
            .enqueue_deliveries(&[ok.clone(), bad.clone()])
            .await
            .unwrap();

        store.claim_due_deliveries(at(5), at(65), 10).await.unwrap();
        let retry = AttemptOutcome::Retry { at: at(35) };
        assert!(
            store
                .record_attempt(&attempt(ok.id, 1, at(5), retry))
                .await
                .unwrap()
        );
        assert!(
            store
                .record_attempt(&attempt(bad.id, 1, at(5), AttemptOutcome::Failed))
                .await
                .unwrap()
        );
        let d = store.delivery(ok.id).await.unwrap();
        assert_eq!(d.status, DeliveryStatus::Pending);
        assert_eq!(d.next_attempt_at, Some(at(35)));
        assert_eq!(d.leased_until, None, "recording releases the claim");
        assert_eq!(d.last_http_status, Some(500));
        assert_eq!(d.last_attempt_at, Some(at(5)));
        assert_eq!(store.next_delivery_due().await.unwrap(), Some(at(35)));
        // Not due before its retry time.
        assert!(
            store
                .claim_due_deliveries(at(34), at(94), 10)
                .await
                .unwrap()
                .is_empty()
        );
        let claimed = store
            .claim_due_deliveries(at(35), at(95), 10)
            .await
            .unwrap();
        assert_eq!((claimed.len(), claimed[0].attempt), (1, 2));
        let mut success = attempt(ok.id, 2, at(36), AttemptOutcome::Delivered);
        success.http_status = Some(204);
        success.error = None;
        assert!(store.record_attempt(&success).await.unwrap());

        let d = store.delivery(ok.id).await.unwrap();
        assert_eq!(d.status, DeliveryStatus::Delivered);
        assert_eq!(d.delivered_at, Some(at(36)));
        assert_eq!(d.next_attempt_at, None);
        assert_eq!(d.last_error, None);
        let log: Vec<(u32, Option<u16>)> = d
            .attempt_log
            .iter()
            .map(|a| (a.attempt, a.http_status))
            .collect();
        assert_eq!(log, [(1, Some(500)), (2, Some(204))]);
        assert_eq!(
            d.attempt_log[0].error.as_deref(),
            Some("HTTP 500 Internal Server Error")
        );
        assert_eq!(d.attempt_log[0].duration_ms, 12);
        assert_eq!(store.next_delivery_due().await.unwrap(), None);

        let failed = store.delivery(bad.id).await.unwrap();
        assert_eq!(
            (failed.status, failed.attempts),
            (DeliveryStatus::Failed, 1)
        );
    })
    .await;
}

#[tokio::test]
async fn the_delivery_log_filters_and_pages_newest_first() {
    each_database(|store| async move {
        let a = webhook("https://a.example/", &[WebhookEvent::ActionDone], true);
        let b = webhook("https://b.example/", &[WebhookEvent::ActionDone], true);
        store.create_webhook(&a).await.unwrap();
        store.create_webhook(&b).await.unwrap();
        let mut all = Vec::new();
        for i in 0..5 {
            all.push(delivery(a.id, at(i)));
        }
        let mut ping = delivery(b.id, at(10));
        ping.event = "ping".into();
        all.push(ping.clone());
        store.enqueue_deliveries(&all).await.unwrap();

        let first = store
            .deliveries(&DeliveryFilter::default(), None, 4)
            .await
            .unwrap();
        assert_eq!(first.items.len(), 4);
        assert_eq!(first.items[0].id, ping.id);
        assert_eq!(first.items[0].url, "https://b.example/");
        let rest = store
            .deliveries(&DeliveryFilter::default(), first.next.as_ref(), 4)
            .await
            .unwrap();
        assert_eq!(rest.items.len(), 2);
        assert!(rest.next.is_none());
        assert_eq!(rest.items[1].id, all[0].id);

        let of_b = DeliveryFilter {
            webhook_id: Some(b.id),
            ..Default::default()
        };
        let page = store.deliveries(&of_b, None, 50).await.unwrap();
        assert_eq!(page.items.len(), 1);
        let pings = DeliveryFilter {
            event: Some("ping".into()),
            statuses: vec![DeliveryStatus::Pending],
            ..Default::default()
        };
        assert_eq!(
            store
                .deliveries(&pings, None, 50)
                .await
                .unwrap()
                .items
                .len(),
            1
        );
        let failed = DeliveryFilter {
            statuses: vec![DeliveryStatus::Failed],
            ..Default::default()
        };
        assert!(
            store
                .deliveries(&failed, None, 50)
                .await
                .unwrap()
                .items
                .is_empty()
        );
    })
    .await;
}
