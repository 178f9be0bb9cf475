//! Learning across incidents over HTTP on a random port, on SQLite and
//! PostgreSQL: search (ranked, filtered, highlighted, a bad query a 400
//! naming `q`), the KPIs (and that they follow a write at once), related
//! incidents with their reasons, the recurrence on the review, the
//! dashboard as the home page, the search page and the search box, and the
//! OpenAPI document.

mod common;
use common::start;

use debrief_testkit::TestDatabase;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

async fn incident(
    c: &Client,
    base: &str,
    title: &str,
    category: &str,
    detected: &str,
    services: &[&str],
) {
    let r = c
        .post(format!("{base}/api/v1/incidents"))
        .json(
            &json!({"title": title, "category": category, "severity": "high",
                      "summary": format!("{title}: what happened"),
                      "services": services, "timestamps": {"detected": detected}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "{:?}", r.text().await);
}

async fn get(c: &Client, url: String) -> (StatusCode, Value) {
    let r = c.get(url).send().await.unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn search_kpis_related_and_recurrence_through_the_api() {
    for db in TestDatabase::all().await {
        eprintln!("story on {}", db.kind);
        let base = start(&db).await;
        let c = common::client();
        incident(
            &c,
            &base,
            "VPN credential stuffing",
            "unauthorised_access",
            "2026-05-01T10:00Z",
            &["VPN"],
        )
        .await;
        incident(
            &c,
            &base,
            "Phishing wave",
            "phishing",
            "2026-09-01T10:00Z",
            &["Mail"],
        )
        .await;
        incident(
            &c,
            &base,
            "Credential stuffing against the VPN again",
            "unauthorised_access",
            "2026-10-01T10:00Z",
            &["VPN"],
        )
        .await;

        // Search: ranked, with highlighted snippets escaped as HTML.
        let (s, r) = get(&c, format!("{base}/api/v1/search?q=credential+stuffing")).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(r["total"], 2);
        assert_eq!(r["more"], false);
        assert!(
            r["hits"][0]["snippet_html"]
                .as_str()
                .unwrap()
                .contains("<mark>"),
            "{r}"
        );
        assert!(
            r["hits"][0]["url"]
                .as_str()
                .unwrap()
                .starts_with("/incidents/INC-2026-")
        );
        let (_, r) = get(
            &c,
            format!("{base}/api/v1/search?q=stuffing&from=2026-09-15"),
        )
        .await;
        assert_eq!(r["total"], 1);
        assert_eq!(r["hits"][0]["incident_key"], "INC-2026-0003");
        let (_, r) = get(&c, format!("{base}/api/v1/search?q=wave&category=phishing")).await;
        assert_eq!(r["hits"][0]["incident_key"], "INC-2026-0002");
        // FTS syntax is just words; nothing to search is a 400 naming q.
        let (s, r) = get(&c, format!("{base}/api/v1/search?q=%22vpn%20OR%20*")).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        let (s, r) = get(&c, format!("{base}/api/v1/search?q=%22%28%29")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(r["field"], "q");
        let (s, r) = get(&c, format!("{base}/api/v1/search?q=vpn&category=nope")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(r["field"], "category");

        // Related: the earlier VPN incident, with the reasons; never a later one.
        let (s, r) = get(&c, format!("{base}/api/v1/incidents/INC-2026-0003/related")).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(r.as_array().unwrap().len(), 1, "{r}");
        assert_eq!(r[0]["key"], "INC-2026-0001");
        let reasons = r[0]["reasons"].to_string();
        assert!(
            reasons.contains("VPN") && reasons.contains("same category"),
            "{reasons}"
        );
        let (_, r) = get(&c, format!("{base}/api/v1/incidents/INC-2026-0001/related")).await;
        assert_eq!(r.as_array().unwrap().len(), 0);

        // KPIs: counts, no data as null, and a write shows at once.
        let (s, k) = get(&c, format!("{base}/api/v1/kpis")).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(k["kpis"]["incidents"], 3);
        assert_eq!(k["kpis"]["recurrence"]["of"], 0);
        assert!(k["kpis"]["durations"][0][1].is_null());
        let r = c
            .post(format!("{base}/api/v1/incidents/INC-2026-0003/review"))
            .header("x-debrief-actor", "Priya")
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        let r = c
            .post(format!("{base}/api/v1/incidents/INC-2026-0003/review/changes"))
            .header("x-debrief-actor", "Priya")
            .json(&json!({"change": "set_recurrence", "answer": "yes", "of": ["INC-2026-0001"], "version": 0}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{:?}", r.text().await);
        let (_, k) = get(
            &c,
            format!("{base}/api/v1/kpis?from=2026-09-01&to=2026-10-31"),
        )
        .await;
        assert_eq!(k["kpis"]["incidents"], 2);
        assert_eq!(k["kpis"]["recurrence"], json!({"count": 1, "of": 1}));
        // The previous 61 days (2026-07-02 … 2026-08-31) had none.
        assert_eq!(k["previous"]["incidents"], 0);
        let (s, r) = get(
            &c,
            format!("{base}/api/v1/kpis?from=2026-10-31&to=2026-09-01"),
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(r["field"], "to");

        let (s, r) = get(&c, format!("{base}/api/v1/improvements")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(r.is_array());

        // Pages: the dashboard at /, the search page, the box on every page.
        let home = c.get(format!("{base}/")).send().await.unwrap();
        assert_eq!(home.status(), StatusCode::OK);
        let html = home.text().await.unwrap();
        assert!(html.contains("<h1>Dashboard</h1>"));
        assert!(
            html.contains("role=\"img\""),
            "trend charts are images with text"
        );
        assert!(html.contains("Review coverage"));
        let html = c
            .get(format!("{base}/search?q=credential+stuffing"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("2 matches"), "{html}");
        assert!(html.contains("<mark>"));
        let html = c
            .get(format!("{base}/incidents/INC-2026-0003"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("id=\"site-search-q\""));
        assert!(html.contains("Related earlier incidents"));
        assert!(html.contains("INC-2026-0001"));
        let html = c
            .get(format!("{base}/search?q=%21%21"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("type at least one word"));
    }
}

#[tokio::test]
async fn the_learning_routes_are_in_the_openapi_document() {
    let db = TestDatabase::sqlite();
    let base = start(&db).await;
    let (_, doc) = get(&common::client(), format!("{base}/api/v1/openapi.json")).await;
    for path in [
        "/search",
        "/kpis",
        "/improvements",
        "/incidents/{key}/related",
    ] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
}

/// A restricted incident does not exist for a non-member anywhere learning
/// looks: search, the KPIs, related incidents, the dashboard and the search
/// page; a member and an admin still find and count it.
#[tokio::test]
async fn restricted_incidents_are_left_out_of_search_kpis_related_and_the_dashboard() {
    use debrief_core::Role;
    for db in TestDatabase::all().await {
        eprintln!("story on {}", db.kind);
        let base = start(&db).await;
        let admin = common::client();
        incident(
            &admin,
            &base,
            "Payroll export leaked",
            "data_breach",
            "2026-05-01T10:00Z",
            &["Payroll"],
        )
        .await;
        incident(
            &admin,
            &base,
            "Payroll portal outage",
            "data_breach",
            "2026-09-01T10:00Z",
            &["Payroll"],
        )
        .await;
        // The first is restricted, with the contributor as its one member.
        let r = admin
            .put(format!("{base}/api/v1/incidents/INC-2026-0001/access"))
            .json(&json!({"restricted": true, "members": ["contributor@test.example"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{:?}", r.text().await);

        let viewer = common::client_as(Some(Role::Viewer), true);
        let member = common::client_as(Some(Role::Contributor), true);
        for (who, c, sees) in [
            ("viewer", &viewer, false),
            ("member", &member, true),
            ("admin", &admin, true),
        ] {
            let (s, r) = get(c, format!("{base}/api/v1/search?q=payroll")).await;
            assert_eq!(s, StatusCode::OK, "{who}: {r}");
            let keys: Vec<&str> = r["hits"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["incident_key"].as_str().unwrap())
                .collect();
            assert_eq!(
                keys.contains(&"INC-2026-0001"),
                sees,
                "{who} search: {keys:?}"
            );
            assert!(keys.contains(&"INC-2026-0002"), "{who} search: {keys:?}");

            let (_, k) = get(c, format!("{base}/api/v1/kpis")).await;
            assert_eq!(
                k["kpis"]["incidents"],
                if sees { 2 } else { 1 },
                "{who} kpis: {k}"
            );

            let (_, r) = get(c, format!("{base}/api/v1/incidents/INC-2026-0002/related")).await;
            let related: Vec<&str> = r
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["key"].as_str().unwrap())
                .collect();
            assert_eq!(
                related.contains(&"INC-2026-0001"),
                sees,
                "{who} related: {related:?}"
            );

            let page = c
                .get(format!("{base}/search?q=leaked"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert_eq!(page.contains("INC-2026-0001"), sees, "{who} search page");
            let page = c
                .get(format!("{base}/incidents/INC-2026-0002"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert_eq!(
                page.contains("Payroll export leaked"),
                sees,
                "{who} incident page"
            );
        }
        // And the incident itself is a 404 for the viewer.
        let (s, _) = get(
            &viewer,
            format!("{base}/api/v1/incidents/INC-2026-0001/related"),
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
}
