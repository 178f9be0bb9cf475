//! The programme report over HTTP on SQLite and PostgreSQL: JSON, Markdown
//! and print-ready HTML (with the report's own CSP) for a quarter, a year
//! and any days; a bad period a 422 naming the field; a restricted incident
//! left out for a non-member; the programme page with its period picker and
//! download links, linked from the dashboard; the route in the OpenAPI
//! document.

mod common;
use common::start;

use debrief_core::Role;
use debrief_testkit::TestDatabase;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

async fn incident(c: &Client, base: &str, title: &str, category: &str, detected: &str) {
    let r = c
        .post(format!("{base}/api/v1/incidents"))
        .json(
            &json!({"title": title, "category": category, "severity": "high",
                      "summary": "what happened", "services": ["Mail"],
                      "timestamps": {"detected": detected, "contained": detected}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "{:?}", r.text().await);
}

async fn json_of(c: &Client, url: String) -> (StatusCode, Value) {
    let r = c.get(url).send().await.unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_programme_report_in_every_format_for_what_the_caller_may_see() {
    for db in TestDatabase::all().await {
        eprintln!("story on {}", db.kind);
        let base = start(&db).await;
        let admin = common::client();
        incident(
            &admin,
            &base,
            "Spring phishing",
            "phishing",
            "2026-05-04T10:00Z",
        )
        .await;
        incident(
            &admin,
            &base,
            "Summer phishing",
            "phishing",
            "2026-07-14T10:00Z",
        )
        .await;
        incident(
            &admin,
            &base,
            "Payroll leak",
            "data_breach",
            "2026-08-20T10:00Z",
        )
        .await;
        let r = admin
            .put(format!("{base}/api/v1/incidents/INC-2026-0003/access"))
            .json(&json!({"restricted": true, "members": []}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{:?}", r.text().await);

        // JSON by default, for a quarter; the previous quarter compared.
        let (s, v) = json_of(
            &admin,
            format!("{base}/api/v1/reports/programme?quarter=2026Q3"),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["label"], "2026 Q3");
        assert_eq!(v["first_day"], "2026-07-01");
        assert_eq!(v["last_day"], "2026-09-30");
        assert_eq!(v["previous_first_day"], "2026-04-01");
        assert_eq!(v["kpis"]["incidents"], 2);
        assert_eq!(v["previous"]["incidents"], 1);
        assert_eq!(v["trend"].as_array().unwrap().len(), 3);
        assert_eq!(v["restricted_excluded"], false);

        // A viewer does not see the restricted incident, and is told so.
        let viewer = common::client_as(Some(Role::Viewer), true);
        let (s, v) = json_of(
            &viewer,
            format!("{base}/api/v1/reports/programme?from=2026-07-01&to=2026-09-30&format=json"),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["kpis"]["incidents"], 1);
        assert_eq!(v["restricted_excluded"], true);
        let md = viewer
            .get(format!(
                "{base}/api/v1/reports/programme?year=2026&format=md"
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
        assert!(
            md.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains("programme-2026-01-01-2026-12-31.md")
        );
        let md = md.text().await.unwrap();
        assert!(md.starts_with("# Programme report 2026\n"), "{md}");
        assert!(!md.contains("Payroll"), "restricted: {md}");
        assert!(md.contains("not included in any figure"));

        // HTML: standalone, with the report's own CSP allowing its style.
        let r = admin
            .get(format!(
                "{base}/api/v1/reports/programme?quarter=2026Q3&format=html"
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let csp = r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(csp.contains("style-src 'sha256-"), "{csp}");
        let html = r.text().await.unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("Programme report 2026 Q3"));
        assert!(html.contains("<svg"));

        // Bad periods name the field.
        for (q, field) in [
            ("from=2026-09-30&to=2026-07-01", "to"),
            ("from=July&to=2026-07-01", "from"),
            ("quarter=2026Q7", "quarter"),
            ("year=twenty", "year"),
            ("quarter=2026Q3&format=pdf", "format"),
            ("", "from"),
        ] {
            let (s, p) = json_of(&admin, format!("{base}/api/v1/reports/programme?{q}")).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {p}");
            assert_eq!(p["errors"][0]["field"], field, "{q}: {p}");
        }

        // The page: picker, figures and download links; linked from the dashboard.
        let page = viewer
            .get(format!("{base}/programme?quarter=2026Q3"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let page = page.text().await.unwrap();
        assert!(page.contains("Programme report 2026 Q3"));
        let links: Vec<&str> = page
            .match_indices("href=\"/api/v1/reports/programme?")
            .map(|(k, _)| &page[k..k + 120])
            .collect();
        assert_eq!(links.len(), 3, "{links:?}");
        assert!(
            links.iter().all(|l| l.contains("quarter=2026Q3")),
            "{links:?}"
        );
        assert!(links.iter().any(|l| l.contains("format=html")), "{links:?}");
        assert!(links.iter().any(|l| l.contains("format=md")), "{links:?}");
        assert!(page.contains("name=\"quarter\""));
        assert!(page.contains("type=\"date\""));
        let bad = viewer
            .get(format!("{base}/programme?from=2026-09-30&to=2026-07-01"))
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let bad = bad.text().await.unwrap();
        assert!(bad.contains("That period cannot be used"), "{bad}");
        assert!(bad.contains("Below: this quarter"), "{bad}");
        // Both days wrong: both named at once.
        let (s, p) = json_of(
            &viewer,
            format!("{base}/api/v1/reports/programme?from=2026-13-40&to=yesterday"),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        let fields: Vec<&str> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["from", "to"], "{p}");
        let home = viewer
            .get(format!("{base}/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            home.contains("href=\"/programme\""),
            "the dashboard links the programme page"
        );
    }
}

#[tokio::test]
async fn the_programme_report_is_in_the_openapi_document() {
    let db = TestDatabase::sqlite();
    let base = start(&db).await;
    let (_, doc) = json_of(&common::client(), format!("{base}/api/v1/openapi.json")).await;
    assert!(doc["paths"]["/reports/programme"].is_object());
}
