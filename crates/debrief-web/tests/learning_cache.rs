//! The KPI facts cache refreshes per changed incident (PRODUCT.md §9): two
//! servers on one database, on SQLite and PostgreSQL. Each write through
//! one — a new incident, an edit, an action — shows at once in the other's
//! KPIs, whose cache was built before (so the refresh re-reads only what
//! `learning_changes` names). The dashboard's overdue actions, ranked from
//! the cache, come in the portfolio's order with its count.

mod common;
use common::{start, start_app};

use debrief_testkit::TestDatabase;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

async fn get(c: &Client, url: String) -> Value {
    let r = c.get(url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

async fn post(c: &Client, url: String, body: Value) -> Value {
    let r = c.post(url).json(&body).send().await.unwrap();
    let status = r.status();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{status}: {v}");
    v
}

fn action(title: &str, due: &str, (r, i, e): (i64, i64, i64)) -> Value {
    json!({"title": title, "type": "prevent", "owner": "ada@example.org", "due_on": due,
           "risk": r, "impact": i, "effort": e})
}

#[tokio::test]
async fn a_write_through_one_server_shows_in_the_other_at_once() {
    for db in TestDatabase::all().await {
        eprintln!("story on {}", db.kind);
        let a = start(&db).await;
        let b = start_app(common::app(&db).await).await;
        let c = common::client();
        for (title, category) in [
            ("Phishing wave", "phishing"),
            ("VPN outage", "availability"),
        ] {
            post(
                &c,
                format!("{a}/api/v1/incidents"),
                json!({"title": title, "category": category, "severity": "high",
                       "timestamps": {"detected": "2026-10-01T10:00Z"}}),
            )
            .await;
        }
        // Server A builds its cache.
        let k = get(&c, format!("{a}/api/v1/kpis")).await;
        assert_eq!(k["kpis"]["incidents"], 2);
        assert_eq!(
            k["kpis"]["by_category"],
            json!([["availability", 1], ["phishing", 1]])
        );

        // A new incident through B.
        post(
            &c,
            format!("{b}/api/v1/incidents"),
            json!({"title": "Second phishing wave", "category": "phishing", "severity": "low",
                   "timestamps": {"detected": "2026-10-02T10:00Z"}}),
        )
        .await;
        let k = get(&c, format!("{a}/api/v1/kpis")).await;
        assert_eq!(k["kpis"]["incidents"], 3);
        assert_eq!(
            k["kpis"]["by_category"],
            json!([["phishing", 2], ["availability", 1]])
        );

        // An edit through B moves an incident to another category.
        let r = c
            .put(format!("{b}/api/v1/incidents/INC-2026-0002"))
            .json(
                &json!({"title": "VPN outage", "category": "phishing", "severity": "high",
                          "timestamps": {"detected": "2026-10-01T10:00Z"}, "version": 1}),
            )
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{:?}", r.text().await);
        let k = get(&c, format!("{a}/api/v1/kpis")).await;
        assert_eq!(k["kpis"]["incidents"], 3);
        assert_eq!(k["kpis"]["by_category"], json!([["phishing", 3]]));

        // Actions through B: their counts follow, and A's dashboard lists
        // the overdue ones in the portfolio's order, with the count.
        post(
            &c,
            format!("{b}/api/v1/people"),
            json!({"name": "Ada Byron", "email": "ada@example.org"}),
        )
        .await;
        for (key, title, due, score) in [
            (
                "INC-2026-0001",
                "Add low and late alerting",
                "2026-11-01",
                (1, 1, 5),
            ),
            (
                "INC-2026-0002",
                "Add urgent and late alerting",
                "2026-11-20",
                (5, 5, 1),
            ),
            (
                "INC-2026-0003",
                "Add middling and late alerting",
                "2026-11-10",
                (3, 3, 3),
            ),
            (
                "INC-2026-0003",
                "Add alerting not due yet",
                "2026-12-31",
                (5, 5, 1),
            ),
        ] {
            post(
                &c,
                format!("{b}/api/v1/incidents/{key}/actions"),
                action(title, due, score),
            )
            .await;
        }
        let k = get(&c, format!("{a}/api/v1/kpis")).await;
        assert_eq!(k["kpis"]["actions"]["open"], 4);
        assert_eq!(k["kpis"]["actions"]["overdue"], 3);
        let portfolio = get(&c, format!("{a}/api/v1/actions?overdue=true")).await;
        let order: Vec<String> = portfolio["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["reference"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            order,
            ["INC-2026-0002-A1", "INC-2026-0003-A1", "INC-2026-0001-A1"]
        );
        let page = c.get(format!("{a}/?period=all")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        let at = |t: &str| html.find(t).unwrap_or_else(|| panic!("{t} missing"));
        assert!(at("Add urgent and late alerting") < at("Add middling and late alerting"));
        assert!(at("Add middling and late alerting") < at("Add low and late alerting"));
        assert!(!html.contains("Add alerting not due yet"));
        assert!(
            html.contains(r#"Overdue actions <span class="badge overdue-text">3</span>"#),
            "the count of overdue actions"
        );
    }
}
