//! Webhooks end to end on a real store (SQLite, and PostgreSQL when
//! configured) against a real HTTP receiver on 127.0.0.1 that checks every
//! signature itself. Time is a settable clock; the dispatcher runs one round
//! at a time with `run_due_once`, so the back-off schedule is checked
//! instant by instant.

use std::sync::{Arc, Mutex};

use debrief_app::webhooks::{DeliveryQuery, Dispatcher, WebhookPatch};
use debrief_app::{App, AppError, Clock, Settings};
use debrief_core::webhook::{DeliveryStatus, WebhookDraft};
use debrief_store::webhooks::AttemptOutcome;
use debrief_testkit::TestDatabase;
use debrief_testkit::receiver::Receiver;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

const SECRET: &str = "test-secret-0123456789abcdef";

/// A clock the test moves.
struct SettableClock(Mutex<Timestamp>);

impl Clock for SettableClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap()
    }
}

fn t0() -> Timestamp {
    "2026-11-26T12:00:00Z".parse().unwrap()
}

fn at(secs: i64) -> Timestamp {
    t0() + SignedDuration::from_secs(secs)
}

struct World {
    app: App,
    clock: Arc<SettableClock>,
    dispatcher: Dispatcher,
    receiver: Receiver,
}

impl World {
    fn set_now(&self, t: Timestamp) {
        *self.clock.0.lock().unwrap() = t;
    }

    async fn subscribe(&self, path: &str, events: &[&str]) -> String {
        let draft = WebhookDraft {
            url: self.receiver.url(path),
            events: events.iter().map(|e| (*e).to_owned()).collect(),
            secret: Some(SECRET.into()),
            description: format!("receiver {path}"),
        };
        let created = self.app.create_webhook(&draft).await.unwrap();
        assert_eq!(created.secret, SECRET);
        created.webhook.id.to_string()
    }

    async fn log(&self) -> Vec<debrief_app::webhooks::Delivery> {
        self.app
            .webhook_deliveries(&DeliveryQuery::default())
            .await
            .unwrap()
            .items
    }
}

async fn each_world<F, Fut>(settings: fn() -> Settings, story: F)
where
    F: Fn(World) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for db in TestDatabase::all().await {
        let store = debrief_store::open(&db.url).await.unwrap();
        eprintln!("story on {}", db.kind);
        let clock = Arc::new(SettableClock(Mutex::new(t0())));
        let app = App::new(Arc::new(store.clone()), clock.clone(), settings());
        let world = World {
            dispatcher: Dispatcher::new(app.clone()),
            app,
            clock,
            receiver: Receiver::start(SECRET).await,
        };
        story(world).await;
        store.close().await;
    }
}

fn payload() -> Value {
    json!({"incident": {"key": "INC-2026-0001"}, "note": "ünïcode ✓"})
}

#[tokio::test]
async fn a_failing_receiver_is_retried_after_the_back_off_and_the_signed_body_is_the_same() {
    each_world(Settings::default, |w| async move {
        let id = w.subscribe("/hooks/a", &["review.approved"]).await;
        w.receiver.answer(&[500]);
        w.app.emit("review.approved", payload()).await;

        let first = w.dispatcher.run_due_once(at(0)).await.unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].http_status, Some(500));
        assert_eq!(
            first[0].error.as_deref(),
            Some("HTTP 500 Internal Server Error")
        );
        assert_eq!(first[0].outcome, AttemptOutcome::Retry { at: at(30) });
        // Not before the back-off has passed.
        assert!(w.dispatcher.run_due_once(at(29)).await.unwrap().is_empty());
        let second = w.dispatcher.run_due_once(at(30)).await.unwrap();
        assert_eq!(second.len(), 1);
        assert_eq!((second[0].attempt, second[0].http_status), (2, Some(200)));
        assert_eq!(second[0].outcome, AttemptOutcome::Delivered);
        assert!(
            w.dispatcher
                .run_due_once(at(4000))
                .await
                .unwrap()
                .is_empty()
        );

        let got = w.receiver.requests();
        assert_eq!(got.len(), 2);
        for r in &got {
            assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/hooks/a"));
            assert!(r.signature_valid, "signature of {r:?}");
            assert_eq!(r.header("content-type"), Some("application/json"));
            assert_eq!(r.header("x-debrief-event"), Some("review.approved"));
        }
        assert_eq!(got[0].header("x-debrief-timestamp"), Some("1795694400"));
        assert_eq!(got[1].header("x-debrief-timestamp"), Some("1795694430"));
        assert_ne!(
            got[0].header("x-debrief-signature"),
            got[1].header("x-debrief-signature")
        );
        // A retry sends the same bytes, under the same delivery id.
        assert_eq!(got[0].body, got[1].body);
        assert_eq!(
            got[0].header("x-debrief-delivery"),
            got[1].header("x-debrief-delivery")
        );
        let body: Value = serde_json::from_str(&got[0].body).unwrap();
        assert_eq!(body["event"], "review.approved");
        assert_eq!(body["created_at"], "2026-11-26T12:00:00Z");
        assert_eq!(body["data"], payload());
        assert!(body["id"].as_str().is_some_and(|s| s.len() == 36));

        let log = w.log().await;
        assert_eq!(log.len(), 1);
        let d = &log[0];
        assert_eq!(d.webhook_id.to_string(), id);
        assert_eq!(
            Some(d.id.to_string().as_str()),
            got[0].header("x-debrief-delivery")
        );
        assert_eq!((d.status, d.attempts), (DeliveryStatus::Delivered, 2));
        assert_eq!(d.delivered_at, Some(at(30)));
        let attempts: Vec<(u32, Timestamp, Option<u16>, Option<&str>)> = d
            .attempt_log
            .iter()
            .map(|a| (a.attempt, a.at, a.http_status, a.error.as_deref()))
            .collect();
        assert_eq!(
            attempts,
            [
                (1, at(0), Some(500), Some("HTTP 500 Internal Server Error")),
                (2, at(30), Some(200), None)
            ]
        );
        assert!(d.attempt_log.iter().all(|a| a.duration_ms >= 0));

        // A later event is stamped with the app's clock and due from then on.
        w.set_now(at(100));
        w.app.emit("review.approved", json!({})).await;
        assert!(w.dispatcher.run_due_once(at(99)).await.unwrap().is_empty());
        assert_eq!(w.dispatcher.run_due_once(at(100)).await.unwrap().len(), 1);
        let third: Value = serde_json::from_str(&w.receiver.requests()[2].body).unwrap();
        assert_eq!(third["created_at"], "2026-11-26T12:01:40Z");
        assert_ne!(third["id"], body["id"]);
    })
    .await;
}

#[tokio::test]
async fn a_delivery_is_failed_after_eight_attempts_on_the_doubling_schedule() {
    each_world(Settings::default, |w| async move {
        w.subscribe("/always-down", &["action.overdue"]).await;
        w.receiver.answer(&[503; 20]);
        w.app.emit("action.overdue", json!({"action": 7})).await;
        let mut when = 0;
        let mut times = Vec::new();
        for _ in 0..8 {
            let reports = w.dispatcher.run_due_once(at(when)).await.unwrap();
            assert_eq!(reports.len(), 1, "an attempt at +{when} s");
            times.push(when);
            match reports[0].outcome {
                AttemptOutcome::Retry { at: next } => when = next.as_second() - t0().as_second(),
                AttemptOutcome::Failed => break,
                AttemptOutcome::Delivered => panic!("503 is not delivered"),
            }
        }
        // 30 s doubling: waits of 30, 60, 120, 240, 480, 960, 1920 s.
        assert_eq!(times, [0, 30, 90, 210, 450, 930, 1890, 3810]);
        let log = w.log().await;
        assert_eq!(
            (log[0].status, log[0].attempts),
            (DeliveryStatus::Failed, 8)
        );
        assert_eq!(log[0].next_attempt_at, None);
        assert_eq!(log[0].last_http_status, Some(503));
        assert_eq!(log[0].attempt_log.len(), 8);
        // Failed is final.
        assert!(
            w.dispatcher
                .run_due_once(at(100_000))
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(w.receiver.requests().len(), 8);
    })
    .await;
}

fn quick_retries() -> Settings {
    let mut s = Settings::default();
    s.webhook_retry.base = SignedDuration::from_secs(5);
    s.webhook_retry.max_attempts = 3;
    s
}

#[tokio::test]
async fn the_back_off_base_and_the_number_of_attempts_come_from_the_settings() {
    each_world(quick_retries, |w| async move {
        w.subscribe("/x", &["action.done"]).await;
        w.receiver.answer(&[500, 500, 500]);
        w.app.emit("action.done", json!({})).await;
        let r = w.dispatcher.run_due_once(at(0)).await.unwrap();
        assert_eq!(r[0].outcome, AttemptOutcome::Retry { at: at(5) });
        let r = w.dispatcher.run_due_once(at(5)).await.unwrap();
        assert_eq!(r[0].outcome, AttemptOutcome::Retry { at: at(15) });
        let r = w.dispatcher.run_due_once(at(15)).await.unwrap();
        assert_eq!(r[0].outcome, AttemptOutcome::Failed);
    })
    .await;
}

#[tokio::test]
async fn only_active_subscriptions_to_the_event_receive_it() {
    each_world(Settings::default, |w| async move {
        w.subscribe("/subscribed", &["review.approved", "action.done"])
            .await;
        let paused = w.subscribe("/paused", &["review.approved"]).await;
        w.subscribe("/other-event", &["action.created"]).await;
        let patch = WebhookPatch {
            active: Some(false),
            ..Default::default()
        };
        assert!(!w.app.update_webhook(&paused, &patch).await.unwrap().active);

        w.app.emit("review.approved", payload()).await;
        // A name no subscription can have is refused (and logged), not sent.
        w.app.emit("review.deleted", payload()).await;
        let reports = w.dispatcher.run_due_once(at(0)).await.unwrap();
        assert_eq!(reports.len(), 1);
        let paths: Vec<String> = w.receiver.requests().into_iter().map(|r| r.path).collect();
        assert_eq!(paths, ["/subscribed"]);
        assert_eq!(w.log().await.len(), 1);

        // Emitted while paused: nothing is queued for it, even once active again.
        let patch = WebhookPatch {
            active: Some(true),
            ..Default::default()
        };
        w.app.update_webhook(&paused, &patch).await.unwrap();
        assert!(w.dispatcher.run_due_once(at(60)).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_receiver_that_cannot_be_reached_is_retried_with_the_reason_logged() {
    each_world(Settings::default, |w| async move {
        // A port that was free a moment ago: nothing listens there.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = closed.local_addr().unwrap().port();
        drop(closed);
        let draft = WebhookDraft {
            url: format!("http://127.0.0.1:{port}/gone"),
            events: vec!["workshop.scheduled".into()],
            secret: None,
            description: String::new(),
        };
        let created = w.app.create_webhook(&draft).await.unwrap();
        assert_eq!(created.secret.len(), 64, "a generated secret");
        w.app.emit("workshop.scheduled", json!({})).await;
        let r = w.dispatcher.run_due_once(at(0)).await.unwrap();
        assert_eq!(r[0].http_status, None);
        assert!(
            r[0].error
                .as_deref()
                .is_some_and(|e| e.starts_with("could not connect")),
            "{:?}",
            r[0].error
        );
        assert_eq!(r[0].outcome, AttemptOutcome::Retry { at: at(30) });
    })
    .await;
}

#[tokio::test]
async fn a_test_ping_goes_to_one_subscription_whatever_its_events() {
    each_world(Settings::default, |w| async move {
        let id = w.subscribe("/ping-me", &["action.verified"]).await;
        w.subscribe("/not-me", &["action.verified"]).await;
        let queued = w.app.test_webhook(&id).await.unwrap();
        assert_eq!(
            (queued.event.as_str(), queued.status),
            ("ping", DeliveryStatus::Pending)
        );
        w.dispatcher.run_due_once(at(0)).await.unwrap();
        let got = w.receiver.requests();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].path, "/ping-me");
        assert_eq!(got[0].header("x-debrief-event"), Some("ping"));
        assert!(got[0].signature_valid);

        w.app
            .update_webhook(
                &id,
                &WebhookPatch {
                    active: Some(false),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(matches!(
            w.app.test_webhook(&id).await,
            Err(AppError::NotAllowed(_))
        ));
        assert!(matches!(
            w.app.test_webhook("not-an-id").await,
            Err(AppError::NotFound(_))
        ));
    })
    .await;
}

#[tokio::test]
async fn bad_subscriptions_are_refused_naming_the_field_and_nothing_is_saved() {
    each_world(Settings::default, |w| async move {
        let bad = WebhookDraft {
            url: "ftp://files.example.com/drop".into(),
            events: vec!["action.created".into(), "action.deleted".into()],
            secret: Some("short".into()),
            description: String::new(),
        };
        let Err(AppError::Invalid(errors)) = w.app.create_webhook(&bad).await else {
            panic!("refused");
        };
        assert!(
            errors
                .for_field("url")
                .unwrap()
                .contains("use http:// or https://")
        );
        let events = errors.for_field("events").unwrap();
        assert!(
            events.contains("`action.deleted`")
                && events.contains("action.created, action.overdue"),
            "{events}"
        );
        assert!(errors.for_field("secret").is_some());
        assert!(w.app.webhooks().await.unwrap().is_empty());

        let id = w.subscribe("/ok", &["action.done"]).await;
        let patch = WebhookPatch {
            url: Some("not a url".into()),
            events: Some(vec!["nope".into()]),
            description: Some("x".repeat(501)),
            ..Default::default()
        };
        let Err(AppError::Invalid(errors)) = w.app.update_webhook(&id, &patch).await else {
            panic!("refused");
        };
        assert_eq!(
            errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            ["url", "events", "description"]
        );
        let unchanged = w.app.webhook(&id).await.unwrap();
        assert_eq!(
            (unchanged.url.as_str(), unchanged.version),
            (w.receiver.url("/ok").as_str(), 1)
        );

        w.app.delete_webhook(&id).await.unwrap();
        assert!(matches!(
            w.app.delete_webhook(&id).await,
            Err(AppError::NotFound(_))
        ));
        assert!(matches!(
            w.app.webhook("x").await,
            Err(AppError::NotFound(_))
        ));
    })
    .await;
}

#[tokio::test]
async fn approving_a_review_emits_review_approved() {
    each_world(Settings::default, |w| async move {
        w.subscribe("/reviews", &["review.approved"]).await;
        // The demo approves the ransomware review through the review use case.
        w.app.load_demo().await.unwrap();
        w.dispatcher.run_due_once(w.app.now()).await.unwrap();
        let got = w.receiver.requests();
        assert_eq!(got.len(), 1, "one approval in the demo");
        let body: Value = serde_json::from_str(&got[0].body).unwrap();
        assert_eq!(body["event"], "review.approved");
        assert_eq!(body["data"]["incident"]["key"], "INC-2026-0001");
        assert_eq!(body["data"]["review"]["status"], "approved");
        assert_eq!(body["data"]["path"], "/incidents/INC-2026-0001/review");
        assert!(body["data"]["review"]["approved_by"].is_string());
    })
    .await;
}
