//! The audit trail over HTTP (PRODUCT.md §11): every change made through
//! the API records who, when, what, through which route, and the entity
//! before and after — written by the store in the change's transaction, so
//! a refused or failed write leaves nothing. Both databases.

mod common;

use debrief_testkit::TestDatabase;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

const ADMIN: &str = "admin@test.example";

struct Server {
    base: String,
    c: Client,
    _db: TestDatabase,
}

impl Server {
    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut r = self.c.request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            r = r.json(&b);
        }
        let res = r.send().await.unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }
    /// Audit entries, newest first, for a query string.
    async fn audit(&self, query: &str) -> Vec<Value> {
        let (s, v) = self
            .send(
                Method::GET,
                &format!("/api/v1/audit?limit=1000&{query}"),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v.as_array().unwrap().clone()
    }
    async fn count(&self) -> usize {
        self.audit("").await.len()
    }
    /// The newest entry about `entity`.
    async fn last(&self, entity: &str) -> Value {
        self.audit(&format!("entity={entity}"))
            .await
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no audit entry about {entity}"))
    }
}

async fn start(db: TestDatabase) -> Server {
    debrief_testkit::seed_users(&db.url).await;
    let base = common::start_app(common::app(&db).await).await;
    Server {
        base,
        c: common::client(),
        _db: db,
    }
}

fn parsed(entry: &Value, side: &str) -> Value {
    serde_json::from_str(entry[side].as_str().unwrap()).unwrap()
}

fn changed<'a>(entry: &'a Value, field: &str) -> Option<&'a Value> {
    entry["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == field)
}

#[tokio::test]
async fn every_change_over_http_is_audited_with_before_and_after_and_failures_leave_nothing() {
    for db in TestDatabase::all().await {
        eprintln!("story on {}", db.kind);
        let s = start(db).await;
        let incident =
            json!({"title": "Checkout outage", "category": "availability", "severity": "high"});

        // Create: before null, after the row, the route as "via".
        let (st, _) = s
            .send(Method::POST, "/api/v1/incidents", Some(incident.clone()))
            .await;
        assert_eq!(st, StatusCode::CREATED);
        let e = s.last("incident").await;
        assert_eq!(
            (&e["actor"], &e["entity_id"], &e["action"], &e["via"]),
            (
                &json!(ADMIN),
                &json!("INC-2026-0001"),
                &json!("create"),
                &json!("POST /api/v1/incidents")
            )
        );
        assert_eq!(e["before"], "null");
        assert_eq!(parsed(&e, "after")["title"], "Checkout outage");

        // Update: the field-level diff names the title, old → new.
        let mut edit = incident.clone();
        edit["title"] = json!("Checkout outage in EU");
        edit["version"] = json!(1);
        let (st, _) = s
            .send(
                Method::PUT,
                "/api/v1/incidents/INC-2026-0001",
                Some(edit.clone()),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let e = s.last("incident").await;
        assert_eq!(e["action"], "update");
        assert_eq!(e["via"], "PUT /api/v1/incidents/{key}");
        let title = changed(&e, "title").expect("the title changed");
        assert_eq!(
            (&title["old"], &title["new"]),
            (&json!("Checkout outage"), &json!("Checkout outage in EU"))
        );
        assert_eq!(parsed(&e, "before")["version"], 1);
        assert_eq!(parsed(&e, "after")["version"], 2);

        // A stale write (409) and an invalid one (422) leave no entry.
        let n = s.count().await;
        let (st, _) = s
            .send(
                Method::PUT,
                "/api/v1/incidents/INC-2026-0001",
                Some(edit.clone()),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT);
        let (st, _) = s
            .send(
                Method::POST,
                "/api/v1/incidents",
                Some(json!({"title": "", "severity": "huge"})),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(s.count().await, n, "refused writes are not audited");

        // A timeline event by hand: the event itself.
        let base = "/api/v1/incidents/INC-2026-0001/timeline";
        let (st, ev) = s
            .send(
                Method::POST,
                base,
                Some(json!({"at": "2026-11-20T10:00Z", "kind": "detection", "text": "Alerts on checkout errors"})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED);
        let e = s.last("timeline_event").await;
        assert_eq!(e["entity_id"], ev["id"]);
        assert_eq!(parsed(&e, "after")["text"], "Alerts on checkout errors");

        // An import: one entry with counts and a hash of what was added;
        // a failed import leaves none.
        let csv = "at,kind,text\n2026-11-20T10:05Z,escalation,Paged the on-call\n2026-11-20T10:30Z,containment,Rolled back\n";
        let res =
            s.c.post(format!("{}{base}/import?format=csv", s.base))
                .body(csv)
                .send()
                .await
                .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let e = s.last("timeline").await;
        assert_eq!(
            (&e["entity_id"], &e["action"]),
            (&json!("INC-2026-0001"), &json!("add_events"))
        );
        let after = parsed(&e, "after");
        assert_eq!(
            (&after["added"], &after["duplicates"]),
            (&json!(2), &json!(0))
        );
        assert_eq!(after["content_hashes_sha256"].as_str().unwrap().len(), 64);
        let n = s.count().await;
        let bad = "at,kind,text\n2026-11-20T11:00Z,recovery,fine\n2026-11-20T12:00Z,party,bad\n";
        let res =
            s.c.post(format!("{}{base}/import?format=csv", s.base))
                .body(bad)
                .send()
                .await
                .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(s.count().await, n, "a failed import leaves no entry");

        // The review: opened, then a change, each with the document.
        let review = "/api/v1/incidents/INC-2026-0001/review";
        assert_eq!(
            s.send(Method::POST, review, None).await.0,
            StatusCode::CREATED
        );
        let e = s.last("review").await;
        assert_eq!(
            (&e["action"], &e["entity_id"]),
            (&json!("create"), &json!("INC-2026-0001"))
        );
        let (st, _) = s
            .send(
                Method::POST,
                &format!("{review}/changes"),
                Some(json!({"change": "set_text", "section": "summary", "text": "Checkout failed for 39 minutes.", "version": 0})),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let e = s.last("review").await;
        assert_eq!(e["action"], "update");
        assert!(
            e["changes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["new"] == "Checkout failed for 39 minutes."),
            "{e}"
        );

        // A person, an action and its status.
        let (st, _) = s
            .send(
                Method::POST,
                "/api/v1/people",
                Some(json!({"name": "Priya Raman", "email": "priya@example.org"})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED);
        assert_eq!(
            parsed(&s.last("person").await, "after")["email"],
            "priya@example.org"
        );
        let (st, a) = s
            .send(
                Method::POST,
                "/api/v1/incidents/INC-2026-0001/actions",
                Some(json!({"title": "Add a canary to config pushes", "type": "prevent", "owner": "priya@example.org",
                            "due_on": "2026-12-20", "risk": 3, "impact": 3, "effort": 2})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{a}");
        assert_eq!(s.last("action").await["action"], "create");
        let (st, _) = s
            .send(
                Method::POST,
                "/api/v1/actions/INC-2026-0001-A1/status",
                Some(json!({"to": "in_progress", "version": 1})),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let e = s.last("action").await;
        assert_eq!(e["entity_id"], "INC-2026-0001-A1");
        let status = changed(&e, "status").expect("the status changed");
        assert_eq!(
            (&status["old"], &status["new"]),
            (&json!("open"), &json!("in_progress"))
        );

        // A workshop scheduled: the row with its document.
        s.send(
            Method::POST,
            "/api/v1/people",
            Some(json!({"name": "Marta Nowak", "email": "marta@example.org"})),
        )
        .await;
        let (st, w) = s
            .send(
                Method::POST,
                "/api/v1/incidents/INC-2026-0001/workshops",
                Some(json!({"starts": "2026-11-27 10:00", "time_zone": "Europe/Paris", "duration_minutes": 90,
                            "location": "Room 1", "facilitator": "marta@example.org",
                            "attendees": [{"person": "priya@example.org", "role": "responder"}]})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{w}");
        let e = s.last("workshop").await;
        assert_eq!(e["action"], "create");
        assert_eq!(e["via"], "POST /api/v1/incidents/{key}/workshops");
        assert!(e["after"].as_str().unwrap().contains("Room 1"), "{e}");

        // A holiday added and deleted: the deletion keeps the before.
        let (st, _) = s
            .send(
                Method::POST,
                "/api/v1/holidays",
                Some(json!({"date": "2026-12-25", "name": "Christmas Day"})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED);
        let (st, _) = s
            .send(Method::DELETE, "/api/v1/holidays/2026-12-25", None)
            .await;
        assert!(st.is_success(), "{st}");
        let e = s.last("holiday").await;
        assert_eq!(
            (&e["action"], &e["after"]),
            (&json!("delete"), &json!("null"))
        );
        assert_eq!(parsed(&e, "before")["name"], "Christmas Day");

        // The blameless-language rules (a setting).
        let (_, rules) = s.send(Method::GET, "/api/v1/lint-rules", None).await;
        let (st, _) = s
            .send(
                Method::PUT,
                "/api/v1/lint-rules",
                Some(json!({"rules": rules["rules"], "version": 0})),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let e = s.last("setting").await;
        assert_eq!(e["via"], "PUT /api/v1/lint-rules");

        // A webhook: its secret never reaches the log.
        let (st, hook) = s
            .send(
                Method::POST,
                "/api/v1/webhooks",
                Some(json!({"url": "https://hooks.example.com/x", "events": ["action.done"]})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED);
        let secret = hook["secret"].as_str().unwrap().to_owned();
        let e = s.last("webhook").await;
        assert_eq!(parsed(&e, "after")["secret"], "[redacted]");
        let id = hook["id"].as_str().unwrap();
        let (st, _) = s
            .send(Method::DELETE, &format!("/api/v1/webhooks/{id}"), None)
            .await;
        assert!(st.is_success());
        let e = s.last("webhook").await;
        assert_eq!(
            (&e["action"], &e["after"]),
            (&json!("delete"), &json!("null"))
        );
        let everything = serde_json::to_string(&s.audit("").await).unwrap();
        assert!(!everything.contains(&secret), "a webhook secret leaked");

        // An admin acting for someone is recorded as the admin's account,
        // and the actor filter finds it.
        let mut edit = incident.clone();
        edit["title"] = json!("Checkout outage (EU and US)");
        edit["version"] = json!(2);
        let res =
            s.c.put(format!("{}/api/v1/incidents/INC-2026-0001", s.base))
                .header("x-debrief-actor", "Jane Doe")
                .json(&edit)
                .send()
                .await
                .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let e = s.last("incident").await;
        assert_eq!(e["actor"], format!("{ADMIN} (for Jane Doe)"));
        let mine = s.audit(&format!("actor={ADMIN}&entity=incident")).await;
        assert_eq!(mine.len(), 3, "create, update, update for Jane");

        // Time range: everything is from just now.
        let now = jiff::Timestamp::now();
        let hour = jiff::SignedDuration::from_hours(1);
        let q = |from: jiff::Timestamp, until: jiff::Timestamp| {
            format!("entity=incident&from={from}&until={until}")
        };
        assert_eq!(s.audit(&q(now - hour, now + hour)).await.len(), 3);
        assert_eq!(s.audit(&q(now + hour, now + hour + hour)).await.len(), 0);
        let (st, p) = s
            .send(Method::GET, "/api/v1/audit?from=yesterday", None)
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p.to_string().contains("from"), "{p}");

        // The log page shows the diff, and the chain holds.
        let page =
            s.c.get(format!("{}/settings/audit?entity=incident", s.base))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
        assert!(
            page.contains(
                "<code>title</code>: <del>Checkout outage</del> → <ins>Checkout outage in EU</ins>"
            ),
            "{page}"
        );
        assert!(page.contains("PUT /api/v1/incidents/{key}"));
        assert!(
            page.contains("<summary>What was created ("),
            "a creation is folded away"
        );
        assert!(page.contains("chain intact"));
    }
}

#[tokio::test]
async fn a_bundle_import_audits_what_it_creates_and_a_failed_one_nothing() {
    for db in TestDatabase::all().await {
        eprintln!("story on {}", db.kind);
        let s = start(db).await;
        s.send(
            Method::POST,
            "/api/v1/incidents",
            Some(json!({"title": "Phishing", "category": "phishing", "severity": "low"})),
        )
        .await;
        let bundle =
            s.c.get(format!("{}/api/v1/export", s.base))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
        let second = start(TestDatabase::sqlite()).await;
        let n = second.count().await;
        // Cut short: the incident is read (and written in the import's
        // transaction) before the document turns out to be broken.
        let broken = bundle[..bundle.len() - 3].to_owned();
        let res = second
            .c
            .post(format!("{}/api/v1/import", second.base))
            .body(broken)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_client_error(), "{}", res.status());
        assert_eq!(second.count().await, n, "a failed import leaves no entry");
        let res = second
            .c
            .post(format!("{}/api/v1/import", second.base))
            .body(bundle)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let e = second.last("incident").await;
        assert_eq!(
            (&e["entity_id"], &e["action"], &e["via"], &e["actor"]),
            (
                &json!("INC-2026-0001"),
                &json!("create"),
                &json!("POST /api/v1/import"),
                &json!(ADMIN)
            )
        );
    }
}
