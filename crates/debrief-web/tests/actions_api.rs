//! Actions over HTTP on a random port, on SQLite and PostgreSQL: the API
//! (create with warnings, field errors, workflow, verification, 409 on stale
//! versions, the ranked portfolio paged by cursor, CSV, follow-ups and the
//! burn-down) and the plain-form pages (create, errors beside fields, moves,
//! the portfolio's overdue filter).

mod common;
use common::start;

use debrief_testkit::TestDatabase;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

async fn seed(c: &Client, base: &str) {
    for (title, cat) in [
        ("Mailbox compromise", "data_breach"),
        ("Checkout outage", "availability"),
    ] {
        let r = c
            .post(format!("{base}/api/v1/incidents"))
            .json(&json!({"title": title, "category": cat, "severity": "high"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    for (name, email) in [
        ("Ada Byron", "ada@example.org"),
        ("Grace Hopper", "grace@example.org"),
    ] {
        let r = c
            .post(format!("{base}/api/v1/people"))
            .json(&json!({"name": name, "email": email}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
    }
}

fn action(title: &str, owner: &str, due: &str, (r, i, e): (i64, i64, i64)) -> Value {
    json!({"title": title, "type": "prevent", "owner": owner, "due_on": due,
           "risk": r, "impact": i, "effort": e})
}

async fn post(c: &Client, url: String, body: Value) -> (StatusCode, Value) {
    let r = c
        .post(url)
        .header("x-debrief-actor", "Priya")
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn get_json(c: &Client, url: impl reqwest::IntoUrl) -> Value {
    c.get(url).send().await.unwrap().json().await.unwrap()
}

async fn get_text(c: &Client, url: impl reqwest::IntoUrl) -> String {
    c.get(url).send().await.unwrap().text().await.unwrap()
}

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn actions_are_created_ranked_moved_verified_and_exported_over_the_api() {
    for db in TestDatabase::all().await {
        eprintln!("story on {}", db.kind);
        let base = start(&db).await;
        let c = common::client();
        seed(&c, &base).await;
        let inc1 = format!("{base}/api/v1/incidents/INC-2026-0001/actions");
        let inc2 = format!("{base}/api/v1/incidents/INC-2026-0002/actions");

        // Bad input: every problem by field, nothing saved.
        let (status, problem) = post(
            &c,
            inc1.clone(),
            json!({"title": "Monitoring of exports", "type": "fix", "owner": "nobody@example.org",
                   "due_on": "31/12/2026", "risk": 9, "impact": 0, "effort": 3,
                   "priority_override": "P1"}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            problem["type"], "urn:debrief:problem:invalid-input",
            "{problem}"
        );
        let f = fields(&problem);
        for field in [
            "title",
            "type",
            "owner",
            "due_on",
            "risk",
            "impact",
            "override_justification",
        ] {
            assert!(
                f.contains(&field.to_owned()),
                "{field} missing in {problem}"
            );
        }
        let owner_msg = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["field"] == "owner")
            .unwrap()["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(owner_msg.contains("nobody@example.org"), "{owner_msg}");
        let list: Value = get_json(&c, &inc1).await;
        assert_eq!(list, json!([]), "nothing was saved");
        // An unknown field is refused too.
        let mut extra = action("Add alerting on exports", "ada@example.org", "", (3, 3, 3));
        extra["colour"] = json!("red");
        assert_eq!(
            post(&c, inc1.clone(), extra).await.0,
            StatusCode::UNPROCESSABLE_ENTITY
        );

        // Creation: Location, reference, score, priority; a past due date warns.
        let r = c
            .post(&inc1)
            .json(&action(
                "Add alerting on large exports",
                "ada@example.org",
                "2026-11-20",
                (4, 4, 2),
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        assert_eq!(r.headers()["location"], "/api/v1/actions/INC-2026-0001-A1");
        let saved: Value = r.json().await.unwrap();
        assert_eq!(saved["action"]["reference"], "INC-2026-0001-A1");
        assert_eq!(saved["action"]["score"], "8.00");
        assert_eq!(saved["action"]["priority"], "P2");
        assert_eq!(saved["action"]["overdue"], true);
        assert_eq!(saved["action"]["days_overdue"], 6);
        assert_eq!(
            saved["action"]["next_statuses"],
            json!(["in_progress", "cancelled"])
        );
        assert!(
            saved["warnings"][0]
                .as_str()
                .unwrap()
                .contains("already past")
        );
        let (s, a2) = post(
            &c,
            inc1.clone(),
            action(
                "Rotate the backup credentials",
                "grace@example.org",
                "2026-12-31",
                (5, 5, 2),
            ),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED);
        assert!(a2["warnings"].as_array().unwrap().is_empty());
        let mut overridden = action(
            "Document the export policy",
            "grace@example.org",
            "",
            (1, 2, 5),
        );
        overridden["priority_override"] = json!("P1");
        overridden["override_justification"] = json!("Regulator asked for it by Friday");
        let (s, a3) = post(&c, inc2.clone(), overridden).await;
        assert_eq!(s, StatusCode::CREATED, "{a3}");
        assert_eq!(a3["action"]["priority"], "P1");
        assert_eq!(a3["action"]["computed_priority"], "P4");
        assert_eq!(a3["action"]["reference"], "INC-2026-0002-A1");

        // The portfolio: P1s first (the override ranks as P1), then by score.
        let page: Value = get_json(&c, format!("{base}/api/v1/actions?open=true")).await;
        let refs: Vec<&str> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["reference"].as_str().unwrap())
            .collect();
        assert_eq!(
            refs,
            ["INC-2026-0001-A2", "INC-2026-0002-A1", "INC-2026-0001-A1"]
        );
        assert_eq!(page["total"], 3);
        // Paged by cursor, everything comes once.
        let mut seen = Vec::new();
        let mut url = format!("{base}/api/v1/actions?limit=1");
        loop {
            let p: Value = get_json(&c, &url).await;
            for i in p["items"].as_array().unwrap() {
                seen.push(i["reference"].as_str().unwrap().to_owned());
            }
            match p["next_cursor"].as_str() {
                Some(n) => url = format!("{base}/api/v1/actions?limit=1&cursor={n}"),
                None => break,
            }
        }
        assert_eq!(seen, refs);
        for (query, expected) in [
            ("overdue=true", vec!["INC-2026-0001-A1"]),
            (
                "owner=grace@example.org",
                vec!["INC-2026-0001-A2", "INC-2026-0002-A1"],
            ),
            ("priority=P2", vec!["INC-2026-0001-A1"]),
            ("incident=INC-2026-0002", vec!["INC-2026-0002-A1"]),
            ("type=detect", vec![]),
        ] {
            let p: Value = get_json(&c, format!("{base}/api/v1/actions?{query}")).await;
            let got: Vec<&str> = p["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["reference"].as_str().unwrap())
                .collect();
            assert_eq!(got, expected, "{query}");
        }
        let bad = c
            .get(format!("{base}/api/v1/actions?priority=P9"))
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // The workflow: an invalid jump, a stale version, then the moves.
        let a1 = format!("{base}/api/v1/actions/INC-2026-0001-A1");
        let (s, p) = post(
            &c,
            format!("{a1}/status"),
            json!({"to": "done", "version": 1}),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("can move to in_progress, cancelled"),
            "{p}"
        );
        let (s, _) = post(
            &c,
            format!("{a1}/verify"),
            json!({"evidence": "x", "version": 1}),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let (s, moved) = post(
            &c,
            format!("{a1}/status"),
            json!({"to": "in_progress", "version": 1}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{moved}");
        let (s, stale) = post(
            &c,
            format!("{a1}/status"),
            json!({"to": "blocked", "version": 1}),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT, "{stale}");
        let (s, _) = post(
            &c,
            format!("{a1}/status"),
            json!({"to": "done", "version": 2}),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        let (s, verified) = post(
            &c,
            format!("{a1}/verify"),
            json!({"evidence": "Export of 10,000 rows raised an alert in the drill", "version": 3}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{verified}");
        assert_eq!(verified["status"], "verified");
        assert_eq!(verified["verification"]["verified_by"], "Priya");
        assert_eq!(verified["verification"]["verified_on"], "2026-11-26");
        assert_eq!(verified["overdue"], false);
        let history: Value = get_json(&c, format!("{a1}/history")).await;
        let whats: Vec<&str> = history
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["what"].as_str().unwrap())
            .collect();
        assert_eq!(whats, ["created", "status", "status", "verified"]);
        // Cancelling needs a reason.
        let a2url = format!("{base}/api/v1/actions/INC-2026-0001-A2");
        let (s, p) = post(
            &c,
            format!("{a2url}/status"),
            json!({"to": "cancelled", "version": 1}),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(fields(&p), ["reason"]);

        // Editing: every field with the version; a stale one is a 409.
        let mut edit = action(
            "Rotate the backup credentials quarterly",
            "ada@example.org",
            "2027-01-15",
            (5, 5, 2),
        );
        edit["version"] = json!(1);
        let r = c.put(&a2url).json(&edit).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let edited: Value = r.json().await.unwrap();
        assert_eq!(edited["action"]["owner"]["email"], "ada@example.org");
        let r = c.put(&a2url).json(&edit).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CONFLICT);
        assert_eq!(
            c.get(format!("{base}/api/v1/actions/INC-2026-0009-A1"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::NOT_FOUND
        );

        // Follow-ups and the burn-down.
        let (s, f) = post(
            &c,
            format!("{base}/api/v1/incidents/INC-2026-0001/follow-ups"),
            json!({"note": "weekly"}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED);
        assert_eq!(f["items"].as_array().unwrap().len(), 2);
        let points: Value = get_json(
            &c,
            format!("{base}/api/v1/incidents/INC-2026-0001/burn-down"),
        )
        .await;
        let last = points.as_array().unwrap().last().unwrap();
        assert_eq!(
            (
                last["total"].as_u64(),
                last["open"].as_u64(),
                last["verified"].as_u64()
            ),
            (Some(2), Some(1), Some(1))
        );
        assert!(
            points
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["follow_up"] == true)
        );

        // CSV with the columns a spreadsheet needs.
        let r = c
            .get(format!("{base}/api/v1/actions/export.csv"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let body = r.text().await.unwrap();
        let mut reader = csv::Reader::from_reader(body.as_bytes());
        let headers = reader.headers().unwrap().clone();
        for col in ["owner", "due_on", "priority", "score"] {
            assert!(headers.iter().any(|h| h == col), "{col}");
        }
        assert_eq!(reader.records().count(), 3);
        assert!(body.contains("\r\n"));
    }
}

#[tokio::test]
async fn the_action_pages_work_without_javascript() {
    for db in TestDatabase::all().await {
        eprintln!("story on {}", db.kind);
        let base = start(&db).await;
        let c = common::client_no_redirect();
        seed(&c, &base).await;
        let form = |pairs: &[(&str, &str)]| serde_urlencoded::to_string(pairs).unwrap();
        let post_form = |url: String, body: String| {
            c.post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
        };
        // A bad form comes back with the errors beside the fields.
        let r = post_form(
            format!("{base}/incidents/INC-2026-0001/actions"),
            form(&[
                ("title", "Alerting"),
                ("type", "detect"),
                ("owner", ""),
                ("risk", "3"),
                ("impact", "3"),
                ("effort", "2"),
            ]),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("`Alerting` is not a verb"), "{html}");
        assert!(html.contains(r#"id="new-action-owner""#));
        assert!(html.contains(r#"aria-invalid="true""#));
        // A good one redirects to the action, which says it is overdue.
        let r = post_form(
            format!("{base}/incidents/INC-2026-0001/actions"),
            form(&[
                ("title", "Add alerting on large exports"),
                ("type", "detect"),
                ("owner", "ada@example.org"),
                ("due_on", "2026-11-01"),
                ("risk", "4"),
                ("impact", "4"),
                ("effort", "2"),
            ]),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let location = r.headers()["location"].to_str().unwrap().to_owned();
        assert_eq!(location, "/actions/INC-2026-0001-A1?created_past=1");
        let page = get_text(&c, format!("{base}{location}")).await;
        assert!(page.contains("Overdue by 25 days"), "{page}");
        assert!(
            page.contains("its due date is already past")
                || page.contains("Its due date is already past")
        );
        // It is on the overdue portfolio until it is done.
        let overdue = get_text(&c, format!("{base}/actions?overdue=true")).await;
        assert!(overdue.contains("INC-2026-0001-A1"));
        for (to, version) in [("in_progress", "1"), ("done", "2")] {
            let r = post_form(
                format!("{base}/actions/INC-2026-0001-A1/status"),
                form(&[("to", to), ("version", version)]),
            )
            .await
            .unwrap();
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "{to}");
        }
        let overdue = get_text(&c, format!("{base}/actions?overdue=true")).await;
        assert!(!overdue.contains("INC-2026-0001-A1"));
        // A stale move is refused on the page, not applied.
        let r = post_form(
            format!("{base}/actions/INC-2026-0001-A1/status"),
            form(&[("to", "in_progress"), ("version", "2")]),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("changed by someone else"));
        // Verify from the page; the tab shows the burn-down.
        let r = post_form(
            format!("{base}/actions/INC-2026-0001-A1/verify"),
            form(&[
                ("evidence", "drill passed"),
                ("verified_on", "2026-11-26"),
                ("verified_by", "Grace"),
                ("version", "3"),
            ]),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let tab = get_text(&c, format!("{base}/incidents/INC-2026-0001/actions")).await;
        assert!(tab.contains("Verified"));
        assert!(tab.contains("<svg"));
        let svg = c
            .get(format!("{base}/incidents/INC-2026-0001/burn-down.svg"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            svg.headers()["content-type"],
            "image/svg+xml; charset=utf-8"
        );
        // People: duplicate email refused beside the field.
        let r = post_form(
            format!("{base}/settings/people"),
            form(&[("name", "Ada Again"), ("email", "ADA@example.org")]),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("already belongs"));
        let csv = c
            .get(format!("{base}/actions.csv?scope=all"))
            .send()
            .await
            .unwrap();
        assert_eq!(csv.status(), StatusCode::OK);
        assert!(csv.text().await.unwrap().contains("INC-2026-0001-A1"));
    }
}
