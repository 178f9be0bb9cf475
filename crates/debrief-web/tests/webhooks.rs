//! Webhooks over HTTP, black-box: the API (problem documents naming the
//! field), a test delivery that answers at once while a slow receiver takes
//! seconds, and the settings page used with plain forms (no JavaScript).

mod common;
use std::time::{Duration, Instant};

use debrief_app::webhooks::Dispatcher;

use debrief_testkit::TestDatabase;
use debrief_testkit::receiver::Receiver;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

const SECRET: &str = "web-test-secret-0123456789";

struct Server {
    base: String,
    client: Client,
    dispatcher: Option<tokio::task::JoinHandle<()>>,
    _db: TestDatabase,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(d) = self.dispatcher.take() {
            d.abort();
        }
    }
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
    async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }
    async fn send(&self, method: reqwest::Method, path: &str, body: Value) -> reqwest::Response {
        self.client
            .request(method, self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap()
    }
    async fn form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .unwrap()
    }
}

/// The router on a random port; with `dispatch`, the webhook dispatcher runs
/// in the background as under `debrief serve`.
async fn start(db: TestDatabase, dispatch: bool) -> Server {
    debrief_testkit::seed_users(&db.url).await;
    let app = common::app(&db).await;
    let dispatcher = dispatch.then(|| Dispatcher::new(app.clone()).spawn());
    let base = common::start_app(app).await;
    Server {
        base,
        client: common::client_no_redirect(),
        dispatcher,
        _db: db,
    }
}

async fn problem(res: reqwest::Response, status: StatusCode) -> Value {
    assert_eq!(res.status(), status);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    res.json().await.unwrap()
}

fn fields_of(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn subscriptions_are_created_listed_paused_and_deleted_and_bad_input_saves_nothing() {
    for db in TestDatabase::all().await {
        eprintln!("story on {}", db.kind);
        let s = start(db, false).await;
        let res = s
            .send(
                reqwest::Method::POST,
                "/api/v1/webhooks",
                json!({"url": "https://hooks.example.com/debrief", "events": ["review.approved", "action.done"], "description": "Ticketing"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        let created: Value = res.json().await.unwrap();
        let id = created["id"].as_str().unwrap().to_owned();
        assert_eq!(location, format!("/api/v1/webhooks/{id}"));
        let secret = created["secret"].as_str().unwrap();
        assert_eq!(secret.len(), 64);
        assert!(secret.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(created["events"], json!(["action.done", "review.approved"]));
        assert_eq!(
            (created["active"].clone(), created["version"].clone()),
            (json!(true), json!(1))
        );

        // The secret is shown once: never in a list or a read.
        let list: Value = s.get("/api/v1/webhooks").await.json().await.unwrap();
        assert_eq!(list.as_array().unwrap().len(), 1);
        assert!(list[0].get("secret").is_none());
        let one: Value = s.get(&location).await.json().await.unwrap();
        assert!(one.get("secret").is_none());
        assert_eq!(one["description"], "Ticketing");

        let paused: Value = s
            .send(reqwest::Method::PATCH, &location, json!({"active": false}))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            (paused["active"].clone(), paused["version"].clone()),
            (json!(false), json!(2))
        );
        assert_eq!(paused["url"], "https://hooks.example.com/debrief");
        // A paused subscription cannot be tested.
        let p = problem(
            s.send(
                reqwest::Method::POST,
                &format!("{location}/test"),
                json!({}),
            )
            .await,
            StatusCode::CONFLICT,
        )
        .await;
        assert!(p["detail"].as_str().unwrap().contains("paused"), "{p}");

        // Bad input: every field named, nothing saved.
        let p = problem(
            s.send(
                reqwest::Method::POST,
                "/api/v1/webhooks",
                json!({"url": "ftp://files.example.com", "events": ["action.created", "action.deleted"], "secret": "short"}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(fields_of(&p), ["url", "events", "secret"]);
        let events = p["errors"][1]["message"].as_str().unwrap();
        assert!(events.contains("`action.deleted`"), "{events}");
        assert!(events.contains("action.created, action.overdue, action.done, action.verified, review.approved, workshop.scheduled"), "{events}");
        let p = problem(
            s.send(
                reqwest::Method::PATCH,
                &location,
                json!({"url": "not a url", "events": []}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(fields_of(&p), ["url", "events"]);
        let p = problem(
            s.send(
                reqwest::Method::POST,
                "/api/v1/webhooks",
                json!({"url": "https://x.example", "events": ["action.done"], "colour": "red"}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(p["detail"].as_str().unwrap().contains("colour"), "{p}");
        let list: Value = s.get("/api/v1/webhooks").await.json().await.unwrap();
        assert_eq!(list.as_array().unwrap().len(), 1);
        assert_eq!(list[0]["version"], 2);

        let p = problem(s.get("/api/v1/webhooks/nope").await, StatusCode::NOT_FOUND).await;
        assert!(p["detail"].as_str().unwrap().contains("nope"));
        let gone = s.client.delete(s.url(&location)).send().await.unwrap();
        assert_eq!(gone.status(), StatusCode::NO_CONTENT);
        problem(s.get(&location).await, StatusCode::NOT_FOUND).await;
        problem(
            s.get(&format!("{location}/deliveries")).await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }
}

#[tokio::test]
async fn a_test_delivery_answers_at_once_while_a_slow_receiver_takes_seconds() {
    for db in TestDatabase::all().await {
        eprintln!("story on {}", db.kind);
        let s = start(db, true).await;
        let receiver = Receiver::start(SECRET).await;
        receiver.delay(Duration::from_secs(5));
        let created: Value = s
            .send(
                reqwest::Method::POST,
                "/api/v1/webhooks",
                json!({"url": receiver.url("/slow"), "events": ["action.created"], "secret": SECRET}),
            )
            .await
            .json()
            .await
            .unwrap();
        let id = created["id"].as_str().unwrap();

        let started = Instant::now();
        let res = s
            .send(
                reqwest::Method::POST,
                &format!("/api/v1/webhooks/{id}/test"),
                json!({}),
            )
            .await;
        let took = started.elapsed();
        assert_eq!(res.status(), StatusCode::ACCEPTED);
        assert!(
            took < Duration::from_secs(2),
            "the API waited for the receiver: {took:?}"
        );
        let queued: Value = res.json().await.unwrap();
        assert_eq!(
            (queued["event"].clone(), queued["status"].clone()),
            (json!("ping"), json!("pending"))
        );

        // While the slow receiver holds its attempt, another subscription's
        // delivery is not held up behind it.
        let fast = Receiver::start(SECRET).await;
        let other: Value = s
            .send(
                reqwest::Method::POST,
                "/api/v1/webhooks",
                json!({"url": fast.url("/fast"), "events": ["action.done"], "secret": SECRET}),
            )
            .await
            .json()
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        let res = s
            .send(
                reqwest::Method::POST,
                &format!("/api/v1/webhooks/{}/test", other["id"].as_str().unwrap()),
                json!({}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::ACCEPTED);
        let quick = fast.wait_for(1, Duration::from_secs(3)).await;
        assert_eq!(quick.len(), 1, "the fast receiver waited for the slow one");
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "{:?}",
            started.elapsed()
        );
        assert!(
            receiver.requests().is_empty(),
            "the slow one is still answering"
        );

        // The dispatcher delivers it in the background.
        let got = receiver.wait_for(1, Duration::from_secs(30)).await;
        assert_eq!(got.len(), 1, "the ping arrived");
        assert!(got[0].signature_valid);
        assert_eq!(got[0].header("x-debrief-event"), Some("ping"));
        assert_eq!(got[0].header("x-debrief-delivery"), queued["id"].as_str());
        let body: Value = serde_json::from_str(&got[0].body).unwrap();
        assert_eq!(body["data"]["webhook_id"], id);

        let log = loop {
            let page: Value = s
                .get(&format!("/api/v1/webhooks/{id}/deliveries"))
                .await
                .json()
                .await
                .unwrap();
            if page["items"][0]["status"] == "delivered"
                || started.elapsed() > Duration::from_secs(30)
            {
                break page;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let d = &log["items"][0];
        assert_eq!(d["status"], "delivered");
        assert_eq!(d["attempts"], 1);
        assert_eq!(d["attempt_log"][0]["http_status"], 200);
        assert!(
            d["attempt_log"][0]["duration_ms"].as_i64().unwrap() >= 4_900,
            "{d}"
        );
        let filtered: Value = s
            .get(&format!("/api/v1/webhooks/{id}/deliveries?status=failed"))
            .await
            .json()
            .await
            .unwrap();
        assert!(filtered["items"].as_array().unwrap().is_empty());
        let p = problem(
            s.get(&format!("/api/v1/webhooks/{id}/deliveries?status=lost"))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(fields_of(&p), ["status"]);
    }
}

#[tokio::test]
async fn the_openapi_document_describes_the_webhook_routes() {
    let s = start(TestDatabase::sqlite(), false).await;
    let doc: Value = s.get("/api/v1/openapi.json").await.json().await.unwrap();
    for path in [
        "/webhooks",
        "/webhooks/{id}",
        "/webhooks/{id}/deliveries",
        "/webhooks/{id}/test",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is not documented");
    }
    assert!(doc["paths"]["/webhooks/{id}"].get("patch").is_some());
    assert!(doc["paths"]["/webhooks/{id}"].get("delete").is_some());
    for schema in [
        "WebhookDto",
        "CreatedWebhookDto",
        "WebhookInput",
        "DeliveryDto",
        "DeliveryPageDto",
    ] {
        assert!(
            doc["components"]["schemas"].get(schema).is_some(),
            "{schema}"
        );
    }
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> &'a str {
    let from = s
        .find(start)
        .unwrap_or_else(|| panic!("`{start}` in the page"))
        + start.len();
    let to = s[from..].find(end).map_or(s.len(), |i| from + i);
    &s[from..to]
}

#[tokio::test]
async fn the_settings_page_adds_pauses_tests_and_deletes_subscriptions_with_plain_forms() {
    for db in TestDatabase::all().await {
        eprintln!("story on {}", db.kind);
        let s = start(db, false).await;
        let page = s.get("/settings/webhooks").await;
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("No subscriptions yet"));
        assert!(html.contains("30 s, 1 min, 2 min, 4 min, 8 min, 16 min, 32 min"));
        // The other settings pages link here.
        let rates = s
            .get("/settings/exchange-rates")
            .await
            .text()
            .await
            .unwrap();
        assert!(rates.contains(r#"href="/settings/webhooks""#));

        // Mistakes: each beside its field, the input kept (but not the secret).
        let res = s
            .form(
                "/settings/webhooks",
                &[
                    ("url", "hooks.example.com/x"),
                    ("secret", "tiny"),
                    ("description", "Pager bridge"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.unwrap();
        assert!(html.contains("Not saved: please fix 3 problems"), "{html}");
        assert!(html.contains(
            r##"<a href="#webhook-url">URL: `hooks.example.com/x` is not an absolute URL"##
        ));
        assert!(html.contains(r#"id="webhook-events-error""#));
        assert!(html.contains(r#"id="webhook-secret-error""#));
        assert!(html.contains(r#"value="hooks.example.com/x""#));
        assert!(html.contains(r#"value="Pager bridge""#));
        assert!(!html.contains(r#"value="tiny""#));
        let list: Value = s.get("/api/v1/webhooks").await.json().await.unwrap();
        assert!(list.as_array().unwrap().is_empty(), "nothing saved");

        // Added: the secret is on this answer only.
        let res = s
            .form(
                "/settings/webhooks",
                &[
                    ("url", "https://hooks.example.com/pager"),
                    ("events", "review.approved"),
                    ("events", "workshop.scheduled"),
                    ("secret", ""),
                    ("description", "Pager bridge"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        assert_eq!(res.headers()["cache-control"], "no-store");
        let html = res.text().await.unwrap();
        let secret = between(&html, r#"id="new-secret" class="mono" value=""#, "\"");
        assert_eq!(secret.len(), 64, "{html}");
        let again = s.get("/settings/webhooks").await.text().await.unwrap();
        assert!(!again.contains(secret), "the secret is shown once");
        assert!(again.contains("https://hooks.example.com/pager"));
        assert!(again.contains(">Active<"));

        let list: Value = s.get("/api/v1/webhooks").await.json().await.unwrap();
        let id = list[0]["id"].as_str().unwrap().to_owned();
        assert_eq!(
            list[0]["events"],
            json!(["review.approved", "workshop.scheduled"])
        );

        let res = s.form(&format!("/settings/webhooks/{id}/test"), &[]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let html = s
            .get("/settings/webhooks?tested=1")
            .await
            .text()
            .await
            .unwrap();
        assert!(html.contains("Test delivery queued"));
        let log = between(&html, r#"id="log-h""#, "</section>");
        assert!(log.contains(">ping<") && log.contains(">Pending<"), "{log}");
        assert!(log.contains("26 Nov 2026 12:00:00 UTC"), "{log}");

        let res = s
            .form(
                &format!("/settings/webhooks/{id}/active"),
                &[("active", "false")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let html = s
            .get("/settings/webhooks?paused=1")
            .await
            .text()
            .await
            .unwrap();
        assert!(html.contains(">Paused<") && html.contains("Subscription paused"));
        let html = s
            .get(&format!("/settings/webhooks?webhook={id}&status=failed"))
            .await
            .text()
            .await
            .unwrap();
        assert!(html.contains("No delivery matches these filters."));

        let res = s
            .form(&format!("/settings/webhooks/{id}/delete"), &[])
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let res = s
            .form(&format!("/settings/webhooks/{id}/delete"), &[])
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert!(res.text().await.unwrap().contains("was not found"));
        let list: Value = s.get("/api/v1/webhooks").await.json().await.unwrap();
        assert!(list.as_array().unwrap().is_empty());
    }
}
