//! Black-box tests of the HTTP server: the real router on a random port, a
//! real HTTP client, a fresh database per story (SQLite, and PostgreSQL when
//! configured).

mod common;

use debrief_testkit::TestDatabase;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

struct Server {
    base: String,
    client: Client,
    _db: TestDatabase,
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
    async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }
    async fn post_json(&self, path: &str, body: Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap()
    }
    async fn put_json(&self, path: &str, body: Value) -> reqwest::Response {
        self.client
            .put(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap()
    }
}

async fn start(db: TestDatabase) -> Server {
    debrief_testkit::seed_users(&db.url).await;
    let app = common::app(&db).await;
    let base = common::start_app(app).await;
    let client = common::client_no_redirect();
    Server {
        base,
        client,
        _db: db,
    }
}

async fn each_server<F, Fut>(story: F)
where
    F: Fn(Server) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for db in TestDatabase::all().await {
        eprintln!("story on {}", db.kind);
        story(start(db).await).await;
    }
}

fn ransomware() -> Value {
    json!({
        "title": "Ransomware on file servers",
        "category": "ransomware",
        "severity": "critical",
        "services": ["File servers"],
        "timestamps": {
            "started": "2019-07-02",
            "detected": "2019-07-02T13:42+02:00",
            "contained": {"at": "2019-07-02T16:00Z", "precision": "hour"}
        }
    })
}

async fn problem(res: reqwest::Response, status: StatusCode) -> Value {
    assert_eq!(res.status(), status);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    res.json().await.unwrap()
}

#[tokio::test]
async fn an_incident_is_created_read_and_listed_with_its_durations() {
    each_server(|s| async move {
        let res = s.post_json("/api/v1/incidents", ransomware()).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        assert_eq!(res.headers()["location"], "/api/v1/incidents/INC-2026-0001");
        let created: Value = res.json().await.unwrap();
        assert_eq!(created["key"], "INC-2026-0001");
        assert_eq!(created["status"], "contained");
        assert_eq!(created["timestamps"]["started"], "2019-07-02");
        assert_eq!(created["timestamps"]["detected"], "2019-07-02T13:42+02:00");
        assert_eq!(
            created["timestamps"]["contained"],
            json!({"at": "2019-07-02T16:00Z", "precision": "hour"})
        );
        assert_eq!(created["timestamps"]["closed"], Value::Null);
        let d = &created["durations"];
        assert_eq!(
            d["time_to_detect"],
            json!({"seconds": 0, "precision": "day", "human": "under a day"})
        );
        assert_eq!(d["time_to_contain"]["precision"], "hour");
        assert_eq!(d["time_to_contain"]["seconds"], 14_400);
        assert_eq!(d["time_to_recover"], Value::Null);
        for name in [
            "time_to_acknowledge",
            "time_to_eradicate",
            "time_to_close",
            "time_to_review",
        ] {
            assert!(d.get(name).is_some(), "{name} missing");
        }
        let got: Value = s
            .get("/api/v1/incidents/INC-2026-0001")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(got, created);

        for i in 0..4 {
            let mut body = ransomware();
            body["title"] = json!(format!("Phishing wave {i}"));
            body["category"] = json!("phishing");
            body["severity"] = json!("low");
            assert_eq!(
                s.post_json("/api/v1/incidents", body).await.status(),
                StatusCode::CREATED
            );
        }
        let page: Value = s
            .get("/api/v1/incidents?category=phishing&limit=3&sort=oldest")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(page["items"].as_array().unwrap().len(), 3);
        assert_eq!(page["items"][0]["title"], "Phishing wave 0");
        let cursor = page["next_cursor"].as_str().unwrap().to_owned();
        let rest: Value = s
            .get(&format!(
                "/api/v1/incidents?category=phishing&limit=3&sort=oldest&cursor={cursor}"
            ))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(rest["items"].as_array().unwrap().len(), 1);
        assert!(rest.get("next_cursor").is_none());
        let both: Value = s
            .get("/api/v1/incidents?severity=critical,low&status=contained")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(both["items"].as_array().unwrap().len(), 5);
        let crit: Value = s
            .get("/api/v1/incidents?severity=critical")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(crit["items"].as_array().unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn bad_input_gets_a_problem_document_naming_each_field() {
    each_server(|s| async move {
        let bad = json!({
            "title": "",
            "category": "aliens",
            "severity": "apocalyptic",
            "timestamps": {"started": "2019-07-02T10:00Z", "detected": "2019-07-01T10:00Z"}
        });
        let p = problem(
            s.post_json("/api/v1/incidents", bad).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        let fields: Vec<&str> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(
            fields,
            ["title", "category", "severity", "timestamps.detected"]
        );
        let order = p["errors"][3]["message"].as_str().unwrap();
        assert!(
            order.contains("detected") && order.contains("started"),
            "{order}"
        );

        let mut impossible = ransomware();
        impossible["timestamps"]["started"] = json!("2019-02-30");
        let p = problem(
            s.post_json("/api/v1/incidents", impossible).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(p["errors"][0]["field"], "timestamps.started");

        let mut offset = ransomware();
        offset["timestamps"]["detected"] = json!("2019-07-02T13:42+25:00");
        let p = problem(
            s.post_json("/api/v1/incidents", offset).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(
            p["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("offset")
        );

        let truncated = s
            .client
            .post(s.url("/api/v1/incidents"))
            .header("content-type", "application/json")
            .body(r#"{"title": "x", "category": "#)
            .send()
            .await
            .unwrap();
        let p = problem(truncated, StatusCode::BAD_REQUEST).await;
        assert!(p["detail"].as_str().unwrap().contains("EOF"), "{p}");

        let unknown_field =
            json!({"title": "x", "category": "other", "severity": "low", "colour": "red"});
        let p = problem(
            s.post_json("/api/v1/incidents", unknown_field).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(p["detail"].as_str().unwrap().contains("colour"), "{p}");

        problem(
            s.get("/api/v1/incidents/INC-2026-0404").await,
            StatusCode::NOT_FOUND,
        )
        .await;
        problem(
            s.get("/api/v1/incidents?sort=sideways").await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        problem(
            s.get("/api/v1/incidents?cursor=nonsense").await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        problem(s.get("/api/v1/no-such-thing").await, StatusCode::NOT_FOUND).await;
        let listed: Value = s.get("/api/v1/incidents").await.json().await.unwrap();
        assert!(
            listed["items"].as_array().unwrap().is_empty(),
            "nothing was saved"
        );
    })
    .await;
}

#[tokio::test]
async fn a_stale_update_is_a_conflict_and_nothing_is_overwritten() {
    each_server(|s| async move {
        s.post_json("/api/v1/incidents", ransomware()).await;
        let mut first = ransomware();
        first["title"] = json!("First edit");
        first["version"] = json!(1);
        let res = s.put_json("/api/v1/incidents/INC-2026-0001", first).await;
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["version"], 2);
        let mut second = ransomware();
        second["title"] = json!("Second edit from a stale page");
        second["version"] = json!(1);
        let p = problem(
            s.put_json("/api/v1/incidents/INC-2026-0001", second.clone())
                .await,
            StatusCode::CONFLICT,
        )
        .await;
        assert_eq!(p["current_version"], 2);
        second.as_object_mut().unwrap().remove("version");
        problem(
            s.put_json("/api/v1/incidents/INC-2026-0001", second).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        let now: Value = s
            .get("/api/v1/incidents/INC-2026-0001")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(now["title"], "First edit");
    })
    .await;
}

#[tokio::test]
async fn the_timeline_is_added_to_imported_filtered_and_sets_lifecycle_times() {
    each_server(|s| async move {
        s.post_json("/api/v1/incidents", json!({"title": "Breach", "category": "data_breach", "severity": "high"})).await;
        let base = "/api/v1/incidents/INC-2026-0001/timeline";
        let ev = json!({"at": "2026-01-01T09:00+01:00", "kind": "detection", "text": "User reported a phishing mail", "actor": "Alex", "key": true});
        let res = s.post_json(base, ev.clone()).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let created: Value = res.json().await.unwrap();
        assert_eq!(created["at"], "2026-01-01T09:00+01:00");
        assert_eq!(created["at_utc"], "2026-01-01T08:00:00Z");
        assert_eq!(created["source"], "manual");
        let again = s.post_json(base, ev).await;
        assert_eq!(again.status(), StatusCode::OK, "an identical event is not added twice");

        let csv = "at,kind,text,actor\n2026-01-01T10:00Z,containment,Blocked the sender,Sam\n2026-01-01T11:00Z,communication,Told the DPO,Sam\n";
        let res = s.client.post(s.url(&format!("{base}/import?format=csv&source=chat"))).body(csv).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let report: Value = res.json().await.unwrap();
        assert_eq!(report, json!({"read": 2, "added": 2, "duplicates": 0}));
        let bad = "at,kind,text\n2026-01-01T12:00Z,recovery,fine\n2026-01-01T13:00Z,party,bad\n";
        let res = s.client.post(s.url(&format!("{base}/import?format=csv"))).body(bad).send().await.unwrap();
        let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!((p["line"].as_u64(), p["column"].as_u64()), (Some(3), Some(2)));

        let all: Value = s.get(base).await.json().await.unwrap();
        assert_eq!(all.as_array().unwrap().len(), 3, "the failed import kept nothing");
        assert_eq!(all[1]["source"], "chat");
        let key_only: Value = s.get(&format!("{base}?key_only=true")).await.json().await.unwrap();
        assert_eq!(key_only.as_array().unwrap().len(), 1);
        let kinds: Value = s.get(&format!("{base}?kind=containment&kind=communication")).await.json().await.unwrap();
        assert_eq!(kinds.as_array().unwrap().len(), 2);
        problem(s.get(&format!("{base}?kind=party")).await, StatusCode::UNPROCESSABLE_ENTITY).await;

        let contained_event = all[1]["id"].as_str().unwrap();
        let set = s
            .put_json("/api/v1/incidents/INC-2026-0001/timestamps/detected", json!({"from_event": all[0]["id"], "version": 1}))
            .await;
        assert_eq!(set.status(), StatusCode::OK);
        let set = s
            .put_json("/api/v1/incidents/INC-2026-0001/timestamps/contained", json!({"from_event": contained_event, "version": 2}))
            .await;
        let incident: Value = set.json().await.unwrap();
        assert_eq!(incident["timestamps"]["contained"], "2026-01-01T10:00Z");
        assert_eq!(incident["durations"]["time_to_contain"]["seconds"], 7_200);
        let order = s
            .put_json("/api/v1/incidents/INC-2026-0001/timestamps/started", json!({"value": "2026-01-02", "version": 3}))
            .await;
        let p = problem(order, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(p["detail"].as_str().unwrap().contains("started"));
    })
    .await;
}

#[tokio::test]
async fn a_bundle_exported_over_http_imports_into_another_server_identically() {
    let first = start(TestDatabase::sqlite()).await;
    first.post_json("/api/v1/incidents", ransomware()).await;
    first
        .post_json(
            "/api/v1/incidents/INC-2026-0001/timeline",
            json!({"at": "2019-07-02", "kind": "impact", "text": "Files encrypted"}),
        )
        .await;
    let exported = first.get("/api/v1/export").await.text().await.unwrap();
    let second = start(TestDatabase::sqlite()).await;
    let res = second
        .client
        .post(second.url("/api/v1/import"))
        .body(exported.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["incidents_created"], 1);
    assert_eq!(
        second.get("/api/v1/export").await.text().await.unwrap(),
        exported
    );
}

#[tokio::test]
async fn the_openapi_document_is_valid_openapi_3_1_and_describes_every_route() {
    let s = start(TestDatabase::sqlite()).await;
    let res = s.get("/api/v1/openapi.json").await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    let spec = oas3::from_json(&text).expect("a valid OpenAPI 3.1 document");
    assert!(spec.openapi.starts_with("3.1"), "{}", spec.openapi);
    let paths = spec.paths.expect("paths");
    for path in [
        "/incidents",
        "/incidents/{key}",
        "/incidents/{key}/timestamps/{field}",
        "/incidents/{key}/timeline",
        "/incidents/{key}/timeline/import",
        "/export",
        "/import",
    ] {
        assert!(paths.contains_key(path), "{path} is not documented");
    }
    let doc: Value = serde_json::from_str(&text).unwrap();
    for schema in [
        "IncidentDto",
        "IncidentInput",
        "EventDto",
        "Problem",
        "TimestampDto",
    ] {
        assert!(
            doc["components"]["schemas"].get(schema).is_some(),
            "{schema}"
        );
    }
}

#[tokio::test]
async fn the_pages_render_and_the_new_incident_form_reports_errors_beside_fields() {
    each_server(|s| async move {
        // The home page is the dashboard (PRODUCT.md §9).
        let home = s.get("/").await;
        assert_eq!(home.status(), StatusCode::OK);
        let list = s.get("/incidents").await;
        assert_eq!(list.status(), StatusCode::OK);
        assert!(
            list.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(list.text().await.unwrap().contains("No incidents yet"));

        let form = [
            ("title", ""),
            ("category", "phishing"),
            ("severity", ""),
            ("started", "2026-03-02 14:07"),
            ("detected", "2026-03-01"),
        ];
        let res = s
            .client
            .post(s.url("/incidents"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.unwrap();
        assert!(
            html.contains("id=\"f-title-error\""),
            "title error beside the field"
        );
        assert!(html.contains("id=\"f-severity-error\""));
        assert!(html.contains("value=\"2026-03-02 14:07\""), "input is kept");
        assert!(
            html.contains("href=\"#f-title\""),
            "the summary links to the field"
        );

        let form = [
            ("title", "Lost laptop"),
            ("category", "physical"),
            ("severity", "medium"),
            ("started", "2026-03-02 14:07"),
            ("services", "Laptops, VPN"),
        ];
        let res = s
            .client
            .post(s.url("/incidents"))
            .header("cookie", "tz=Europe/Paris")
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(res.headers()["location"], "/incidents/INC-2026-0001");
        let api: Value = s
            .get("/api/v1/incidents/INC-2026-0001")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            api["timestamps"]["started"], "2026-03-02T14:07+01:00",
            "read in the viewer's zone"
        );
        assert_eq!(api["services"], json!(["Laptops", "VPN"]));

        let page = s
            .client
            .get(s.url("/incidents/INC-2026-0001"))
            .header("cookie", "tz=America/New_York")
            .send()
            .await
            .unwrap();
        let html = page.text().await.unwrap();
        assert!(
            html.contains("2 Mar 2026 08:07 EST"),
            "shown in the viewer's zone"
        );
        assert!(html.contains("written 2026-03-02T14:07+01:00 · minute precision"));

        let res = s
            .client
            .post(s.url("/incidents/INC-2026-0001/timeline"))
            .form(&[
                ("at", "2026-03-02T15:00Z"),
                ("kind", "detection"),
                ("text", "Owner reported the loss"),
                ("key", "on"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let timeline = s
            .get("/incidents/INC-2026-0001/timeline")
            .await
            .text()
            .await
            .unwrap();
        assert!(timeline.contains("Owner reported the loss"));
        let res = s
            .client
            .post(s.url("/incidents/INC-2026-0001/timeline"))
            .form(&[("at", "yesterday"), ("kind", ""), ("text", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.unwrap();
        assert!(html.contains("id=\"e-at-error\"") && html.contains("id=\"e-kind-error\""));

        let stale = [
            ("version", "1"),
            ("title", "Stale"),
            ("category", "physical"),
            ("severity", "low"),
        ];
        let res = s
            .client
            .post(s.url("/incidents/INC-2026-0001/edit"))
            .form(&stale)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let res = s
            .client
            .post(s.url("/incidents/INC-2026-0001/edit"))
            .form(&stale)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CONFLICT);
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("Someone else saved this incident")
        );

        assert_eq!(
            s.get("/incidents/INC-2026-0999").await.status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            s.get("/incidents/not-a-key").await.status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(s.get("/nowhere").await.status(), StatusCode::NOT_FOUND);
    })
    .await;
}
