//! The review API end to end on a random port (SQLite, and PostgreSQL when
//! configured): open, edit concurrently, approve, reopen.

mod common;
use common::start;

use debrief_testkit::TestDatabase;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

async fn change(c: &Client, base: &str, who: &str, body: Value) -> reqwest::Response {
    c.post(format!(
        "{base}/api/v1/incidents/INC-2026-0001/review/changes"
    ))
    .header("x-debrief-actor", who)
    .json(&body)
    .send()
    .await
    .unwrap()
}

#[tokio::test]
async fn a_review_is_filled_edited_concurrently_approved_and_reopened() {
    for db in TestDatabase::all().await {
        eprintln!("story on {}", db.kind);
        let base = start(&db).await;
        let c = common::client();
        let incident =
            json!({"title": "Mailbox compromise", "category": "data_breach", "severity": "high"});
        c.post(format!("{base}/api/v1/incidents"))
            .json(&incident)
            .send()
            .await
            .unwrap();
        let url = format!("{base}/api/v1/incidents/INC-2026-0001/review");
        assert_eq!(
            c.get(&url).send().await.unwrap().status(),
            StatusCode::NOT_FOUND
        );
        let opened = c
            .post(&url)
            .header("x-debrief-actor", "Priya")
            .send()
            .await
            .unwrap();
        assert_eq!(opened.status(), StatusCode::CREATED);
        let review: Value = opened.json().await.unwrap();
        assert_eq!(review["status"], "draft");
        assert_eq!(
            review["template"]["questions"].as_array().unwrap().len(),
            11
        );
        assert_eq!(
            c.post(&url).send().await.unwrap().status(),
            StatusCode::CONFLICT
        );

        let cause = |statement: &str| json!({"change": "add_item", "item": {"section": "cause", "kind": "root_cause", "category": "technology", "statement": statement, "whys": [{"why": "Why no MFA?", "because": "Legacy exemption group"}]}});
        let r: Value = change(&c, &base, "Priya", cause("The account had no MFA"))
            .await
            .json()
            .await
            .unwrap();
        let r2: Value = change(&c, &base, "Sam", cause("Export permission too broad"))
            .await
            .json()
            .await
            .unwrap();
        let (first, second) = (r2["causes"][0]["id"].clone(), r2["causes"][1]["id"].clone());
        assert_eq!(r["causes"].as_array().unwrap().len(), 1);
        assert_eq!(
            r2["causes"][0]["whys"][0]["because"],
            "Legacy exemption group"
        );

        // Different items: both edits succeed. The same item: the second is a conflict.
        let edit = |id: &Value, statement: &str, version: i64| json!({"change": "update_item", "id": id, "version": version, "draft": {"section": "cause", "kind": "contributing_factor", "category": "process", "statement": statement}});
        assert_eq!(
            change(
                &c,
                &base,
                "Priya",
                edit(&first, "No MFA on a support account", 1)
            )
            .await
            .status(),
            StatusCode::OK
        );
        assert_eq!(
            change(
                &c,
                &base,
                "Sam",
                edit(&second, "Exports open to all agents", 1)
            )
            .await
            .status(),
            StatusCode::OK
        );
        let stale = change(&c, &base, "Sam", edit(&first, "Sam's stale edit", 1)).await;
        assert_eq!(stale.status(), StatusCode::CONFLICT);
        let p: Value = stale.json().await.unwrap();
        assert_eq!(p["current_version"], 2);

        let bad = change(&c, &base, "Sam", json!({"change": "set_assessment", "phase": "detection", "version": 0, "draft": {"rating": "9"}})).await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let p: Value = bad.json().await.unwrap();
        assert_eq!(p["errors"][0]["field"], "rating");
        let typo = change(
            &c,
            &base,
            "Sam",
            json!({"change": "add_item", "item": {"section": "lesson", "statment": "x"}}),
        )
        .await;
        assert_eq!(typo.status(), StatusCode::UNPROCESSABLE_ENTITY);

        assert_eq!(
            change(
                &c,
                &base,
                "Priya",
                json!({"change": "transition", "to": "in_review"})
            )
            .await
            .status(),
            StatusCode::OK
        );
        let early = change(
            &c,
            &base,
            "Boss",
            json!({"change": "transition", "to": "approved"}),
        )
        .await;
        assert_eq!(early.status(), StatusCode::CONFLICT);
        let p: Value = early.json().await.unwrap();
        let detail = p["detail"].as_str().unwrap();
        assert!(
            detail.contains("a summary")
                && detail.contains("at least one root cause")
                && detail.contains("at least one lesson"),
            "{detail}"
        );

        change(&c, &base, "Priya", json!({"change": "set_text", "section": "summary", "text": "An agent's mailbox was taken over.", "version": 0})).await;
        change(&c, &base, "Priya", cause("Phishing page imitated our SSO")).await;
        for phase in ["detection", "containment", "eradication", "recovery"] {
            let res = change(&c, &base, "Priya", json!({"change": "set_assessment", "phase": phase, "version": 0, "draft": {"rating": "4", "went_well": "Fast", "to_improve": "Earlier alerting"}})).await;
            assert_eq!(res.status(), StatusCode::OK);
        }
        let added: Value = change(&c, &base, "Priya", json!({"change": "add_item", "item": {"section": "lesson", "statement": "Exemptions from MFA need an expiry", "tags": ["MFA"]}})).await.json().await.unwrap();
        // The review complete policy: no approval while a lesson has no home.
        let homeless = change(
            &c,
            &base,
            "Boss",
            json!({"change": "transition", "to": "approved"}),
        )
        .await;
        assert_eq!(homeless.status(), StatusCode::CONFLICT);
        let p: Value = homeless.json().await.unwrap();
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("1 lesson has no home yet"),
            "{p}"
        );
        let lesson = added["lessons"][0]["id"].as_str().unwrap();
        let linked = c
            .post(format!("{base}/api/v1/incidents/INC-2026-0001/lessons/{lesson}/links"))
            .json(&json!({"change": "The access policy already requires expiries; it was not applied"}))
            .send()
            .await
            .unwrap();
        assert_eq!(linked.status(), StatusCode::CREATED);
        let approved = change(
            &c,
            &base,
            "Boss",
            json!({"change": "transition", "to": "approved", "note": "Agreed"}),
        )
        .await;
        assert_eq!(approved.status(), StatusCode::OK);
        let r: Value = approved.json().await.unwrap();
        assert_eq!(r["sign_off"]["by"], "Boss");
        assert_eq!(r["lessons"][0]["tags"], json!(["mfa"]));
        let locked = change(&c, &base, "Sam", json!({"change": "add_item", "item": {"section": "gap", "area": "training", "severity": "high", "description": "No phishing drill"}})).await;
        assert_eq!(locked.status(), StatusCode::CONFLICT);
        assert_eq!(
            change(
                &c,
                &base,
                "Sam",
                json!({"change": "add_dissent", "text": "The root cause is the exemption process"})
            )
            .await
            .status(),
            StatusCode::OK
        );
        let reopened: Value = change(
            &c,
            &base,
            "Priya",
            json!({"change": "transition", "to": "draft", "note": "New evidence"}),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(reopened["status"], "draft");
        assert_eq!(reopened["history"].as_array().unwrap().len(), 3);
        assert_eq!(reopened["dissent"][0]["by"], "Sam");

        // The review travels in the bundle, losslessly.
        let exported = c
            .get(format!("{base}/api/v1/export"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let other = TestDatabase::sqlite();
        let base2 = start(&other).await;
        assert_eq!(
            c.post(format!("{base2}/api/v1/import"))
                .body(exported.clone())
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::OK
        );
        let again = c
            .get(format!("{base2}/api/v1/export"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(again, exported);
        let copied: Value = c
            .get(format!("{base2}/api/v1/incidents/INC-2026-0001/review"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(copied, reopened);
    }
}

#[tokio::test]
async fn costs_in_several_currencies_total_in_the_reporting_currency_or_say_which_rate_is_missing()
{
    for db in TestDatabase::all().await {
        eprintln!("story on {}", db.kind);
        let base = start(&db).await;
        let c = common::client();
        let incident = json!({"title": "Ransomware", "category": "ransomware", "severity": "critical", "timestamps": {"started": "2026-09-14"}});
        c.post(format!("{base}/api/v1/incidents"))
            .json(&incident)
            .send()
            .await
            .unwrap();
        let cost = |amount: &str, currency: &str| json!({"change": "add_item", "item": {"section": "financial", "category": "response_and_recovery", "amount": amount, "currency": currency, "certainty": "actual"}});
        for (amount, currency) in [("12,500.00", "EUR"), ("3000", "USD"), ("160000", "JPY")] {
            assert_eq!(
                change(&c, &base, "CFO", cost(amount, currency))
                    .await
                    .status(),
                StatusCode::OK
            );
        }
        let staff = json!({"change": "add_item", "item": {"section": "financial", "category": "staff_time", "hours": "40", "hourly_rate": "95.50", "currency": "EUR"}});
        let r: Value = change(&c, &base, "CFO", staff).await.json().await.unwrap();
        assert_eq!(
            r["impact"]["financial"][3]["amount"],
            json!({"amount": "3820.00", "currency": "EUR"})
        );

        for (body, field) in [
            (cost("12.345", "EUR"), "amount"),
            (cost("10", "EUX"), "currency"),
            (cost("-5", "USD"), "amount"),
            (cost("12.5", "JPY"), "amount"),
        ] {
            let res = change(&c, &base, "CFO", body).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
            let p: Value = res.json().await.unwrap();
            assert_eq!(p["errors"][0]["field"], field, "{p}");
        }

        let rates = format!("{base}/api/v1/exchange-rates");
        let rate = |from: &str, to: &str, rate: &str, date: &str| json!({"from": from, "to": to, "rate": rate, "date": date, "source": "ECB reference rate"});
        assert_eq!(
            c.post(&rates)
                .json(&rate("USD", "EUR", "0.90", "2026-09-01"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::CREATED
        );
        assert_eq!(
            c.post(&rates)
                .json(&rate("USD", "EUR", "0.95", "2026-09-20"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::CREATED
        );
        assert_eq!(
            c.post(&rates)
                .json(&rate("USD", "EUR", "0.91", "2026-09-01"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::CONFLICT
        );
        assert_eq!(
            c.post(&rates)
                .json(&rate("USD", "EUR", "0", "2026-09-02"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            c.post(&rates)
                .json(&rate("USD", "XYZ", "1", "2026-09-02"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );

        let total_url = format!("{base}/api/v1/incidents/INC-2026-0001/review/impact-total");
        let t: Value = c
            .get(&total_url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(t["amount"], Value::Null, "JPY has no rate: no guess");
        let described = t["describe"].to_string();
        assert!(
            described.contains("needs a rate for JPY→EUR"),
            "{described}"
        );

        assert_eq!(
            c.post(&rates)
                .json(&rate("EUR", "JPY", "160", "2026-09-10"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::CREATED
        );
        let t: Value = c
            .get(&total_url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        // 12,500 + 3,820 + 3,000 × 0.90 (the rate of 2026-09-01, not the later one) + 160,000 / 160
        assert_eq!(
            t["amount"],
            json!({"amount": "20020.00", "currency": "EUR"}),
            "{t}"
        );
        assert_eq!(t["rates_used"].as_array().unwrap().len(), 2);

        let listed: Value = c.get(&rates).send().await.unwrap().json().await.unwrap();
        let id = listed[0]["id"].as_str().unwrap().to_owned();
        assert_eq!(
            c.delete(format!("{rates}/{id}"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            c.delete(format!("{rates}/{id}"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn reports_and_pictures_are_served_for_people_and_scripts() {
    let db = TestDatabase::sqlite();
    debrief_testkit::seed_users(&db.url).await;
    let app = common::app(&db).await;
    app.load_demo().await.unwrap();
    let base = common::start_app(app).await;
    let c = common::client();

    let md = c
        .get(format!(
            "{base}/api/v1/incidents/INC-2026-0001/report?kind=pir&format=md"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(md.status(), StatusCode::OK);
    assert!(
        md.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/markdown")
    );
    let text = md.text().await.unwrap();
    assert!(text.contains("201,057.80 EUR"));
    let html = c
        .get(format!(
            "{base}/incidents/INC-2026-0001/reports/executive.html"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(html.status(), StatusCode::OK);
    assert!(
        html.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline")
    );
    let page = html.text().await.unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    let download = c
        .get(format!("{base}/incidents/INC-2026-0001/reports/pir.md"))
        .send()
        .await
        .unwrap();
    assert!(
        download.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("INC-2026-0001-post-incident-report.md")
    );
    for path in ["fishbone.svg", "phase-bar.svg"] {
        let svg = c
            .get(format!("{base}/incidents/INC-2026-0001/{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(svg.status(), StatusCode::OK, "{path}");
        assert_eq!(svg.headers()["content-type"], "image/svg+xml");
        assert!(svg.text().await.unwrap().contains("<svg"));
    }
    let bad = c
        .get(format!(
            "{base}/api/v1/incidents/INC-2026-0001/report?format=pdf"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        c.get(format!("{base}/incidents/INC-2026-0001/reports/pir.pdf"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.get(format!("{base}/incidents/INC-2026-0099/fishbone.svg"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn question_templates_are_data_the_organisation_edits_and_reviews_keep_theirs() {
    for db in TestDatabase::all().await {
        eprintln!("story on {}", db.kind);
        let base = start(&db).await;
        let c = common::client();
        for title in ["First", "Second"] {
            let incident = json!({"title": title, "category": "malware", "severity": "low"});
            c.post(format!("{base}/api/v1/incidents"))
                .json(&incident)
                .send()
                .await
                .unwrap();
        }
        let templates: Value = c
            .get(format!("{base}/api/v1/question-templates"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(templates[0]["id"], "nist-800-61r2");
        assert_eq!(templates[0]["version"], 0);
        let first: Value = c
            .post(format!("{base}/api/v1/incidents/INC-2026-0001/review"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(first["template"]["questions"].as_array().unwrap().len(), 11);

        let url = format!("{base}/api/v1/question-templates/nist-800-61r2");
        let edit = json!({"name": "Our lessons-learned questions", "questions": ["Exactly what happened, and at what times?", "Which customers must hear from us?"], "version": 0});
        let res = c.put(&url).json(&edit).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let saved: Value = res.json().await.unwrap();
        assert_eq!(
            saved["questions"][0]["id"], "what_happened",
            "unchanged questions keep their ids"
        );
        assert_eq!(
            c.put(&url).json(&edit).send().await.unwrap().status(),
            StatusCode::CONFLICT,
            "stale version"
        );
        let bad = json!({"name": "", "questions": [], "version": 1});
        assert_eq!(
            c.put(&url).json(&bad).send().await.unwrap().status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );

        let custom = json!({"name": "Short", "questions": ["What surprised us?"], "version": 0});
        assert_eq!(
            c.put(format!("{base}/api/v1/question-templates/short"))
                .json(&custom)
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::OK
        );
        let second: Value = c
            .post(format!(
                "{base}/api/v1/incidents/INC-2026-0002/review?template=short"
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            second["template"]["questions"][0]["text"],
            "What surprised us?"
        );
        let again: Value = c
            .get(format!("{base}/api/v1/incidents/INC-2026-0001/review"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            again["template"]["questions"].as_array().unwrap().len(),
            11,
            "an open review keeps its template"
        );
        let missing = c
            .post(format!(
                "{base}/api/v1/incidents/INC-2026-0002/review?template=nope"
            ))
            .send()
            .await
            .unwrap();
        assert!(
            missing.status() == StatusCode::NOT_FOUND || missing.status() == StatusCode::CONFLICT
        );
    }
}

#[tokio::test]
async fn causes_and_assessments_link_only_to_events_of_their_own_incident() {
    let db = TestDatabase::sqlite();
    let base = start(&db).await;
    let c = common::client();
    for title in ["First", "Second"] {
        let incident = json!({"title": title, "category": "malware", "severity": "low"});
        c.post(format!("{base}/api/v1/incidents"))
            .json(&incident)
            .send()
            .await
            .unwrap();
    }
    let ev = |key: &'static str| {
        let c = c.clone();
        let url = format!("{base}/api/v1/incidents/{key}/timeline");
        async move {
            let body = json!({"at": "2026-01-01T09:00Z", "kind": "detection", "text": format!("Alert on {key}")});
            let v: Value = c
                .post(url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            v["id"].as_str().unwrap().to_owned()
        }
    };
    let own = ev("INC-2026-0001").await;
    let other = ev("INC-2026-0002").await;
    let cause = |id: &str| json!({"change": "add_item", "item": {"section": "cause", "kind": "root_cause", "category": "technology", "statement": "Unpatched VPN", "event_ids": [id]}});
    let ok = change(&c, &base, "P", cause(&own)).await;
    assert_eq!(ok.status(), StatusCode::OK);
    let r: Value = ok.json().await.unwrap();
    assert_eq!(r["causes"][0]["event_ids"][0], own);
    let foreign = change(&c, &base, "P", cause(&other)).await;
    assert_eq!(foreign.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p: Value = foreign.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "event_ids");
    let assessment = json!({"change": "set_assessment", "phase": "detection", "version": 0, "draft": {"rating": "3", "event_ids": [own]}});
    assert_eq!(
        change(&c, &base, "P", assessment).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_templates_settings_page_saves_reports_errors_and_refuses_stale_edits() {
    let db = TestDatabase::sqlite();
    let base = start(&db).await;
    let c = common::client_no_redirect();
    let url = format!("{base}/settings/question-templates");
    let page = c.get(&url).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Exactly what happened, and at what times?")
    );
    let empty = c
        .post(&url)
        .form(&[
            ("id", "nist-800-61r2"),
            ("version", "0"),
            ("name", ""),
            ("questions", "Q?"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty
            .text()
            .await
            .unwrap()
            .contains("tpl-nist-800-61r2-name-error")
    );
    let saved = c
        .post(&url)
        .form(&[
            ("id", "nist-800-61r2"),
            ("version", "0"),
            ("name", "Ours"),
            ("questions", "What happened?\nWhat next?"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let stale = c
        .post(&url)
        .form(&[
            ("id", "nist-800-61r2"),
            ("version", "0"),
            ("name", "Theirs"),
            ("questions", "Q?"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    let templates: Value = c
        .get(format!("{base}/api/v1/question-templates"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(templates[0]["name"], "Ours");
    assert_eq!(templates[0]["questions"].as_array().unwrap().len(), 2);
}
