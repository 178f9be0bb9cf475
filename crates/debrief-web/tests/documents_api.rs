//! Plans and training over HTTP on a random port, on SQLite and PostgreSQL:
//! the document register (viewers read, managers edit, 409 on a stale
//! version, 422 naming the field), lesson links and the approval they gate,
//! the lessons without a home (restricted incidents only for members), the
//! review policy, and the pages without JavaScript.

mod common;
use common::start;

use debrief_core::Role;
use debrief_testkit::TestDatabase;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

async fn send(r: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let r = r.send().await.unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn person(c: &Client, base: &str) {
    let (s, r) = send(
        c.post(format!("{base}/api/v1/people"))
            .json(&json!({"name": "Ada Byron", "email": "ada@example.org"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
}

/// An incident with a review holding one lesson; returns the lesson's id.
async fn incident_with_lesson(c: &Client, base: &str, title: &str, lesson: &str) -> String {
    let (s, r) = send(
        c.post(format!("{base}/api/v1/incidents"))
            .json(&json!({"title": title, "category": "ransomware", "severity": "high"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let key = r["key"].as_str().unwrap().to_owned();
    let (s, r) = send(
        c.post(format!("{base}/api/v1/incidents/{key}/review/changes"))
            .json(
                &json!({"change": "add_item", "item": {"section": "lesson", "statement": lesson}}),
            ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    r["lessons"][0]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn documents_are_read_by_viewers_and_edited_by_managers_with_versions() {
    for db in TestDatabase::all().await {
        eprintln!("story on {}", db.kind);
        let base = start(&db).await;
        let admin = common::client();
        person(&admin, &base).await;
        let manager = common::client_as(Some(Role::Manager), true);
        let viewer = common::client_as(Some(Role::Viewer), true);
        let body = json!({"kind": "playbook", "title": "Ransomware playbook", "owner": "ada@example.org",
                          "document_version": "2.0", "link": "https://intranet.example.org/rw", "review_on": "2027-01-31"});

        let (s, _) = send(viewer.post(format!("{base}/api/v1/documents")).json(&body)).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, bad) = send(
            manager
                .post(format!("{base}/api/v1/documents"))
                .json(&json!({"kind": "playbook", "title": "X", "owner": "ada@example.org", "link": "ftp://x.example.org/p"})),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(bad["errors"][0]["field"], "link", "{bad}");

        let (s, doc) = send(manager.post(format!("{base}/api/v1/documents")).json(&body)).await;
        assert_eq!(s, StatusCode::CREATED, "{doc}");
        assert_eq!(doc["owner"], "ada@example.org");
        assert_eq!(doc["owner_name"], "Ada Byron");
        assert_eq!(doc["status"], "current");
        let id = doc["id"].as_str().unwrap();

        let (s, list) = send(viewer.get(format!("{base}/api/v1/documents"))).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(list.as_array().unwrap().len(), 1);
        let (s, one) = send(viewer.get(format!("{base}/api/v1/documents/{id}"))).await;
        assert_eq!(
            (s, one["review_on"].as_str()),
            (StatusCode::OK, Some("2027-01-31"))
        );

        let (s, patched) = send(
            manager
                .patch(format!("{base}/api/v1/documents/{id}"))
                .json(&json!({"version": 1, "document_version": "2.1", "status": "retired"})),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{patched}");
        assert_eq!(
            (
                patched["document_version"].as_str(),
                patched["status"].as_str(),
                patched["title"].as_str()
            ),
            (Some("2.1"), Some("retired"), Some("Ransomware playbook"))
        );
        let (s, stale) = send(
            manager
                .patch(format!("{base}/api/v1/documents/{id}"))
                .json(&json!({"version": 1, "title": "Late edit"})),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT, "{stale}");
        let (s, _) =
            send(viewer.get(format!("{base}/api/v1/documents/{}", uuid::Uuid::new_v4()))).await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // The audit log holds the creation and the edit with before and
        // after, by the manager; the stale edit left nothing.
        let admin = common::client();
        let (s, log) =
            send(admin.get(format!("{base}/api/v1/audit?entity=document&limit=100"))).await;
        assert_eq!(s, StatusCode::OK, "{log}");
        let log = log.as_array().unwrap();
        let actions: Vec<&str> = log.iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["update", "create"], "{log:?}");
        let update = &log[0];
        assert_eq!(update["entity_id"].as_str(), Some(id));
        assert!(
            update["actor"].as_str().unwrap().starts_with("manager@"),
            "{update}"
        );
        let before: Value = serde_json::from_str(update["before"].as_str().unwrap()).unwrap();
        let after: Value = serde_json::from_str(update["after"].as_str().unwrap()).unwrap();
        assert_eq!(
            (&before["status"], &after["status"]),
            (&json!("current"), &json!("retired"))
        );
        assert_eq!(after["document_version"], "2.1");
    }
}

#[tokio::test]
async fn lessons_link_to_documents_approval_waits_and_unhomed_lessons_respect_restriction() {
    for db in TestDatabase::all().await {
        eprintln!("story on {}", db.kind);
        let base = start(&db).await;
        let admin = common::client();
        person(&admin, &base).await;
        let (_, doc) = send(admin.post(format!("{base}/api/v1/documents")).json(&json!({
            "kind": "runbook", "title": "Backup runbook", "owner": "ada@example.org",
            "link": "https://wiki.example.org/backup"})))
        .await;
        let doc_id = doc["id"].as_str().unwrap().to_owned();
        let open_lesson = incident_with_lesson(
            &admin,
            &base,
            "Ransomware",
            "Backups need their own credentials",
        )
        .await;
        let secret_lesson = incident_with_lesson(
            &admin,
            &base,
            "Insider export",
            "Log bulk exports of HR data",
        )
        .await;
        let (s, r) = send(
            admin
                .put(format!("{base}/api/v1/incidents/INC-2026-0002/access"))
                .json(&json!({"restricted": true, "members": ["contributor@test.example"]})),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{r}");

        let viewer = common::client_as(Some(Role::Viewer), true);
        let member = common::client_as(Some(Role::Contributor), true);
        let unhomed = |c: Client| {
            let base = base.clone();
            async move {
                let (s, r) = send(c.get(format!("{base}/api/v1/lessons/unhomed"))).await;
                assert_eq!(s, StatusCode::OK, "{r}");
                r.as_array()
                    .unwrap()
                    .iter()
                    .map(|u| u["incident_key"].as_str().unwrap().to_owned())
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(unhomed(viewer.clone()).await, ["INC-2026-0001"]);
        assert_eq!(
            unhomed(member.clone()).await,
            ["INC-2026-0001", "INC-2026-0002"]
        );
        assert_eq!(unhomed(admin.clone()).await.len(), 2);
        // The restricted incident's links do not exist for a non-member.
        let (s, _) = send(viewer.get(format!(
            "{base}/api/v1/incidents/INC-2026-0002/lesson-links"
        )))
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        // The unhomed page shows the same.
        let page = viewer
            .get(format!("{base}/lessons/unhomed"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Backups need their own credentials"),
            "{page}"
        );
        assert!(
            !page.contains("Log bulk exports"),
            "a non-member sees a restricted lesson"
        );

        // Viewers cannot link; contributors can.
        let link_url = format!("{base}/api/v1/incidents/INC-2026-0001/lessons/{open_lesson}/links");
        let (s, _) = send(
            viewer
                .post(&link_url)
                .json(&json!({"document": doc_id, "change": "x"})),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, bad) = send(
            member
                .post(&link_url)
                .json(&json!({"document": doc_id, "change": " "})),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(bad["errors"][0]["field"], "change", "{bad}");
        let (s, link) =
            send(member.post(&link_url).json(
                &json!({"document": doc_id, "change": "Add a separate backup credential step"}),
            ))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{link}");
        assert_eq!(link["state"], "needed");
        let link_id = link["id"].as_str().unwrap();
        let (s, links) = send(viewer.get(format!(
            "{base}/api/v1/incidents/INC-2026-0001/lesson-links"
        )))
        .await;
        assert_eq!((s, links.as_array().unwrap().len()), (StatusCode::OK, 1));

        let (s, done) = send(member.patch(format!("{link_url}/{link_id}")).json(
            &json!({"version": 1, "state": "done", "done_version": "1.4", "done_on": "2026-11-20"}),
        ))
        .await;
        assert_eq!(s, StatusCode::OK, "{done}");
        assert_eq!(
            (done["state"].as_str(), done["version"].as_i64()),
            (Some("done"), Some(2))
        );
        let (s, _) = send(
            member
                .patch(format!("{link_url}/{link_id}"))
                .json(&json!({"version": 1, "change": "late"})),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT);
        assert_eq!(unhomed(member.clone()).await, ["INC-2026-0002"]);

        // The dashboard counts what the caller may see.
        let home = viewer
            .get(format!("{base}/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(home.contains("Lessons without a home"), "{home}");
        assert!(
            home.contains("Every lesson is folded into a document"),
            "{home}"
        );
        let home = member
            .get(format!("{base}/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(home.contains("1 lesson is not yet folded"), "{home}");
        let _ = secret_lesson;
    }
}

#[tokio::test]
async fn the_review_policy_is_read_by_all_and_changed_by_admins() {
    for db in TestDatabase::all().await {
        eprintln!("story on {}", db.kind);
        let base = start(&db).await;
        let manager = common::client_as(Some(Role::Manager), true);
        let (s, p) = send(manager.get(format!("{base}/api/v1/review-policy"))).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(p, json!({"lessons_need_documents": true, "version": 0}));
        let off = json!({"lessons_need_documents": false, "version": 0});
        let (s, _) = send(
            manager
                .put(format!("{base}/api/v1/review-policy"))
                .json(&off),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let admin = common::client();
        let (s, p) = send(admin.put(format!("{base}/api/v1/review-policy")).json(&off)).await;
        assert_eq!(s, StatusCode::OK, "{p}");
        assert_eq!(p, json!({"lessons_need_documents": false, "version": 1}));
        let (s, _) = send(admin.put(format!("{base}/api/v1/review-policy")).json(&off)).await;
        assert_eq!(s, StatusCode::CONFLICT);
    }
}

#[tokio::test]
async fn the_pages_register_documents_and_link_lessons_with_plain_forms() {
    for db in TestDatabase::all().await {
        eprintln!("story on {}", db.kind);
        let base = start(&db).await;
        let admin = common::client();
        person(&admin, &base).await;
        let lesson = incident_with_lesson(
            &admin,
            &base,
            "Ransomware",
            "Backups need their own credentials",
        )
        .await;
        // Forms posted with a bearer token need no CSRF field.
        let page = admin.get(format!("{base}/plans")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("Register a document"), "{html}");

        let r = admin
            .post(format!("{base}/plans"))
            .form(&[
                ("kind", "playbook"),
                ("title", ""),
                ("owner", "ada@example.org"),
                ("link", "nope"),
                ("status", "current"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("a document needs a title"), "{html}");
        assert!(html.contains("`nope` is not a link"), "{html}");

        let r = admin
            .post(format!("{base}/plans"))
            .form(&[
                ("kind", "playbook"),
                ("title", "Ransomware playbook"),
                ("owner", "ada@example.org"),
                ("link", "https://intranet.example.org/rw"),
                ("document_version", "2.0"),
                ("status", "current"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let html = r.text().await.unwrap();
        assert!(html.contains("Document registered."), "{html}");
        assert!(html.contains("Ransomware playbook"), "{html}");

        // The review page offers the document beside the lesson.
        let review = admin
            .get(format!("{base}/incidents/INC-2026-0001/review"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            review.contains("No document link yet; approval waits for one."),
            "{review}"
        );
        assert!(review.contains("Ransomware playbook (v2.0)"), "{review}");
        let (_, docs) = send(admin.get(format!("{base}/api/v1/documents"))).await;
        let doc_id = docs[0]["id"].as_str().unwrap().to_owned();

        let r = admin
            .post(format!(
                "{base}/incidents/INC-2026-0001/review/lesson-links"
            ))
            .form(&[
                ("lesson", lesson.as_str()),
                ("document", doc_id.as_str()),
                ("change", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("describe the change the document needs")
        );
        let r = admin
            .post(format!(
                "{base}/incidents/INC-2026-0001/review/lesson-links"
            ))
            .form(&[
                ("lesson", lesson.as_str()),
                ("document", doc_id.as_str()),
                ("change", "Add a credential step"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let html = r.text().await.unwrap();
        assert!(html.contains("Document link saved."), "{html}");
        assert!(html.contains("Add a credential step"), "{html}");
        assert!(html.contains("Mark done"), "{html}");

        let (_, links) = send(admin.get(format!(
            "{base}/api/v1/incidents/INC-2026-0001/lesson-links"
        )))
        .await;
        let link_id = links[0]["id"].as_str().unwrap().to_owned();
        let r = admin
            .post(format!(
                "{base}/incidents/INC-2026-0001/review/lesson-links/{link_id}"
            ))
            .form(&[
                ("version", "1"),
                ("done_version", "2.1"),
                ("done_on", "2026-11-20"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let html = r.text().await.unwrap();
        assert!(html.contains("in version 2.1 on 2026-11-20"), "{html}");

        let policy = admin
            .get(format!("{base}/settings/review-policy"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(policy.contains("Approval waits until every lesson has a document link"));
        let r = admin
            .post(format!("{base}/settings/review-policy"))
            .form(&[("version", "0")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let (_, p) = send(admin.get(format!("{base}/api/v1/review-policy"))).await;
        assert_eq!(p["lessons_need_documents"], false);
    }
}

#[tokio::test]
async fn the_recurrence_names_existing_earlier_incidents_and_shows_on_the_overview() {
    for db in TestDatabase::all().await {
        eprintln!("story on {}", db.kind);
        let base = start(&db).await;
        let c = common::client_as(Some(Role::Admin), false);
        for (title, detected) in [
            ("VPN credential stuffing", "2026-05-01T10:00Z"),
            ("VPN credential stuffing again", "2026-09-01T10:00Z"),
        ] {
            let (s, r) = send(c.post(format!("{base}/api/v1/incidents")).json(&json!({
                "title": title, "category": "unauthorised_access", "severity": "high",
                "services": ["VPN"], "timestamps": {"detected": detected}})))
            .await;
            assert_eq!(s, StatusCode::CREATED, "{r}");
        }
        let changes = format!("{base}/api/v1/incidents/INC-2026-0002/review/changes");
        let later = json!({"change": "set_recurrence", "answer": "yes", "of": ["INC-2026-0002"], "version": 0});
        let (s, p) = send(c.post(&changes).json(&later)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        assert_eq!(p["errors"][0]["field"], "of", "{p}");
        assert!(
            p["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("itself"),
            "{p}"
        );
        let (s, p) = send(c.post(format!("{base}/api/v1/incidents/INC-2026-0001/review/changes"))
            .json(&json!({"change": "set_recurrence", "answer": "yes", "of": ["INC-2026-0002"], "version": 0}))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        assert!(
            p["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("is not earlier than INC-2026-0001"),
            "{p}"
        );

        // The review page's form, without JavaScript: the related incident
        // is offered; an unknown key is named beside the field.
        let (s, _) = send(c.post(format!("{base}/api/v1/incidents/INC-2026-0002/review"))).await;
        assert_eq!(s, StatusCode::CREATED);
        let page = c
            .get(format!("{base}/incidents/INC-2026-0002/review"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("name=\"of\" value=\"INC-2026-0001\""),
            "{page}"
        );
        let r = c
            .post(format!("{base}/incidents/INC-2026-0002/review"))
            .form(&[
                ("op", "set_recurrence"),
                ("version", "0"),
                ("answer", "yes"),
                ("of_other", "INC-2026-0042"),
                ("note", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(
            html.contains("id=\"set-recurrence-of-other-error\""),
            "{html}"
        );
        assert!(
            html.contains("`INC-2026-0042` is not an incident debrief knows"),
            "{html}"
        );
        let r = c
            .post(format!("{base}/incidents/INC-2026-0002/review"))
            .form(&[
                ("op", "set_recurrence"),
                ("version", "0"),
                ("answer", "yes"),
                ("of", "INC-2026-0001"),
                ("of_other", ""),
                ("note", "Same VPN gateway"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let overview = c
            .get(format!("{base}/incidents/INC-2026-0002"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(overview.contains("<strong>Recurrence:</strong> Yes, a recurrence — recurs <a href=\"/incidents/INC-2026-0001\">INC-2026-0001</a>. Same VPN gateway"), "{overview}");
        let (_, review) =
            send(c.get(format!("{base}/api/v1/incidents/INC-2026-0002/review"))).await;
        assert_eq!(review["recurrence"]["of"], json!(["INC-2026-0001"]));

        // A restricted earlier incident answers a non-member exactly as a key
        // that does not exist: the field cannot probe for restricted keys.
        let (s, r) = send(
            c.put(format!("{base}/api/v1/incidents/INC-2026-0001/access"))
                .json(&json!({"restricted": true, "members": []})),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        let manager = common::client_as(Some(Role::Manager), false);
        let mut answers = Vec::new();
        for key in ["INC-2026-0001", "INC-2025-0999"] {
            let (s, p) = send(manager.post(&changes).json(&json!({
                "change": "set_recurrence", "answer": "yes", "of": [key], "version": 1})))
            .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
            answers.push(
                p["errors"][0]["message"]
                    .as_str()
                    .unwrap()
                    .replace(key, "KEY"),
            );
        }
        assert_eq!(answers[0], answers[1]);
        assert_eq!(answers[0], "`KEY` is not an incident debrief knows");
    }
}

/// The unhomed list pages by 100, oldest first, with links both ways and a
/// count; a page past the end shows the last one.
#[tokio::test]
async fn the_unhomed_lessons_page_pages_by_a_hundred() {
    for db in TestDatabase::all().await {
        eprintln!("story on {}", db.kind);
        let base = start(&db).await;
        let c = common::client();
        incident_with_lesson(&c, &base, "Ransomware on the file servers", "Lesson 000").await;
        for n in 1..=100 {
            let (s, r) = send(
                c.post(format!("{base}/api/v1/incidents/INC-2026-0001/review/changes"))
                    .json(&json!({"change": "add_item",
                                  "item": {"section": "lesson", "statement": format!("Lesson {n:03}")}})),
            )
            .await;
            assert_eq!(s, StatusCode::OK, "{r}");
        }
        let page = |q: &'static str| {
            let c = c.clone();
            let base = base.clone();
            async move {
                c.get(format!("{base}/lessons/unhomed{q}"))
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap()
            }
        };
        let first = page("").await;
        assert!(first.contains("Lessons 1–100 of 101."), "{first}");
        assert!(first.contains(r#"href="/lessons/unhomed?page=2""#));
        assert!(!first.contains("Older lessons"));
        assert_eq!(first.matches("<th scope=\"row\">").count(), 100);
        let second = page("?page=2").await;
        assert!(second.contains("Lessons 101–101 of 101."), "{second}");
        assert_eq!(second.matches("<th scope=\"row\">").count(), 1);
        assert!(second.contains(r#"href="/lessons/unhomed?page=1""#));
        assert!(!second.contains("Newer lessons"));
        assert_eq!(
            page("?page=99").await,
            second,
            "past the end: the last page"
        );
        assert_eq!(
            page("?page=nope").await,
            first,
            "not a number: the first page"
        );
    }
}
