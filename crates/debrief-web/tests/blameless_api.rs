//! The blameless-language linter over HTTP, on SQLite and PostgreSQL: the
//! lint and rules API (problems by rule and field, 409 on a stale save), the
//! findings of an incident, and the pages — the review's findings panel with
//! its acknowledge form, the approval refused while findings are open, and
//! Settings → Blameless language.

mod common;
use common::start;

use debrief_testkit::TestDatabase;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

async fn send(
    c: &Client,
    method: reqwest::Method,
    url: String,
    body: Value,
) -> (StatusCode, Value) {
    let r = c.request(method, url).json(&body).send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn form(c: &Client, url: String, pairs: &[(&str, &str)]) -> reqwest::RequestBuilder {
    c.post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", "name=Dana")
        .body(serde_urlencoded::to_string(pairs).unwrap())
}

#[tokio::test]
async fn findings_block_approval_until_acknowledged_over_api_and_pages() {
    for db in TestDatabase::all().await {
        eprintln!("story on {}", db.kind);
        let base = start(&db).await;
        let c = common::client_no_redirect();
        let post = reqwest::Method::POST;

        // Lint any text.
        let (s, out) = send(
            &c,
            post.clone(),
            format!("{base}/api/v1/lint"),
            json!({"text": "Why did you restart the primary?\nThe operator should have waited."}),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        let rules: Vec<&str> = out["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap())
            .collect();
        assert_eq!(rules, ["blame-question", "counterfactual"]);
        assert_eq!(out["findings"][1]["line"], 2);
        let (s, _) = send(
            &c,
            post.clone(),
            format!("{base}/api/v1/lint"),
            json!({"txt": "x"}),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

        // An incident whose review is ready but for one finding.
        send(
            &c,
            post.clone(),
            format!("{base}/api/v1/incidents"),
            json!({"title": "Checkout outage", "category": "availability", "severity": "high"}),
        )
        .await;
        let changes = format!("{base}/api/v1/incidents/INC-2026-0001/review/changes");
        for body in [
            json!({"change": "set_text", "section": "summary", "text": "Checkout failed for 39 minutes.", "version": 0}),
            json!({"change": "add_item", "item": {"section": "cause", "kind": "root_cause", "category": "process", "statement": "Human error during the config push"}}),
            json!({"change": "add_item", "item": {"section": "lesson", "statement": "Configuration needs a canary"}}),
            json!({"change": "set_assessment", "phase": "detection", "draft": {"rating": "3", "went_well": "a", "to_improve": "b"}, "version": 0}),
            json!({"change": "set_assessment", "phase": "containment", "draft": {"rating": "3", "went_well": "a", "to_improve": "b"}, "version": 0}),
            json!({"change": "set_assessment", "phase": "eradication", "draft": {"rating": "3", "went_well": "a", "to_improve": "b"}, "version": 0}),
            json!({"change": "set_assessment", "phase": "recovery", "draft": {"rating": "3", "went_well": "a", "to_improve": "b"}, "version": 0}),
            json!({"change": "transition", "to": "in_review"}),
        ] {
            let (s, r) = send(&c, post.clone(), changes.clone(), body.clone()).await;
            assert_eq!(s, StatusCode::OK, "{body} → {r}");
        }
        // The review complete policy: the lesson gets its home.
        let review: Value = c
            .get(format!("{base}/api/v1/incidents/INC-2026-0001/review"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let lesson = review["lessons"][0]["id"].as_str().unwrap().to_owned();
        let (s, r) = send(
            &c,
            post.clone(),
            format!("{base}/api/v1/incidents/INC-2026-0001/lessons/{lesson}/links"),
            json!({"change": "The deployment runbook already asks for a canary"}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        let findings: Value = c
            .get(format!("{base}/api/v1/incidents/INC-2026-0001/findings"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(findings.as_array().unwrap().len(), 1, "{findings}");
        assert_eq!(findings[0]["rule"], "human-error");
        assert_eq!(findings[0]["acknowledged"], Value::Null);
        let (s, p) = send(
            &c,
            post.clone(),
            changes.clone(),
            json!({"change": "transition", "to": "approved"}),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT, "{p}");
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("blameless-language finding is still open"),
            "{p}"
        );

        // The review page shows the finding in context, the approval list
        // names it, and the acknowledge form works without JavaScript.
        let page = c
            .get(format!("{base}/incidents/INC-2026-0001/review"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains(r#"id="blameless""#));
        assert!(page.contains("<mark>Human error</mark>"), "{page}");
        assert!(page.contains("1 blameless-language finding rephrased or acknowledged"));
        let f = &findings[0];
        let r = form(
            &c,
            format!("{base}/incidents/INC-2026-0001/review"),
            &[
                ("op", "acknowledge_finding"),
                ("form", "ack-0"),
                ("location", f["location"].as_str().unwrap()),
                ("rule", "human-error"),
                ("excerpt", f["excerpt"].as_str().unwrap()),
                ("reason", ""),
            ],
        )
        .send()
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains(r#"id="ack-0-reason""#));
        let r = form(
            &c,
            format!("{base}/incidents/INC-2026-0001/review"),
            &[
                ("op", "acknowledge_finding"),
                ("form", "ack-0"),
                ("location", f["location"].as_str().unwrap()),
                ("rule", "human-error"),
                ("excerpt", f["excerpt"].as_str().unwrap()),
                ("reason", "The wording is the customer's, quoted"),
            ],
        )
        .send()
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let page = c
            .get(format!("{base}/incidents/INC-2026-0001/review"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Kept on purpose by Dana: The wording is the customer"),
            "{page}"
        );
        let (s, r) = send(
            &c,
            post.clone(),
            changes.clone(),
            json!({"change": "transition", "to": "approved"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{r}");

        // The rules: read, a bad save named by rule and field, a stale one 409.
        let rules: Value = c
            .get(format!("{base}/api/v1/lint-rules"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(rules["version"], 0);
        let mut list = rules["rules"].as_array().unwrap().clone();
        list.push(
            json!({"id": "oops", "matcher": {"kind": "pattern", "regex": "(x"}, "message": "m"}),
        );
        let (s, p) = send(
            &c,
            reqwest::Method::PUT,
            format!("{base}/api/v1/lint-rules"),
            json!({"rules": list, "version": 0}),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            p["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"] == "oops.matcher.regex"),
            "{p}"
        );
        list.pop();
        let (s, saved) = send(
            &c,
            reqwest::Method::PUT,
            format!("{base}/api/v1/lint-rules"),
            json!({"rules": list, "version": 0}),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(saved["version"], 1);
        let (s, _) = send(
            &c,
            reqwest::Method::PUT,
            format!("{base}/api/v1/lint-rules"),
            json!({"rules": list, "version": 0}),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT);

        // The settings page: turn a rule off, add one, try them.
        let r = form(
            &c,
            format!("{base}/settings/lint-rules"),
            &[("op", "toggle"), ("id", "blame-question"), ("version", "1")],
        )
        .send()
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = form(
            &c,
            format!("{base}/settings/lint-rules"),
            &[
                ("op", "add"),
                ("version", "2"),
                ("id", "hero"),
                ("severity", "notice"),
                ("message", "“hero” makes a person the story"),
                ("phrases", "hero\nheroics"),
            ],
        )
        .send()
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = form(
            &c,
            format!("{base}/settings/lint-rules"),
            &[
                ("op", "add"),
                ("version", "3"),
                ("id", "Bad Id"),
                ("severity", "notice"),
                ("message", "x"),
                ("phrases", "y"),
            ],
        )
        .send()
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let r = form(
            &c,
            format!("{base}/settings/lint-rules"),
            &[
                ("op", "try"),
                (
                    "text",
                    "Why did you page Sam? Thanks to his heroics it held.",
                ),
            ],
        )
        .send()
        .await
        .unwrap();
        let html = r.text().await.unwrap();
        assert!(html.contains("<mark>heroics</mark>"), "{html}");
        assert!(
            !html.contains("blame-question,"),
            "the rule turned off finds nothing"
        );
        let rules: Value = c
            .get(format!("{base}/api/v1/lint-rules"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(rules["version"], 3);
    }
}
