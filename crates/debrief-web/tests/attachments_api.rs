//! Evidence attachments over HTTP on both databases: multipart and raw
//! uploads, the list with hashes, downloads with headers that never let a
//! browser run a file (HTML, SVG, a `.png` that is HTML), `Repr-Digest`,
//! 413 over the configured limit, roles (a viewer downloads but cannot
//! upload), restricted incidents (404), the chain of custody, and the
//! timeline page's upload form with a session and its CSRF token.

mod common;

use base64::Engine as _;
use debrief_app::{App, Caller, FixedClock, Settings};
use debrief_core::{IncidentDraft, Role, TimelineEventDraft, UserDraft};
use debrief_testkit::TestDatabase;
use reqwest::StatusCode;
use serde_json::Value;
use sha2::Digest as _;
use std::sync::Arc;

const BOUNDARY: &str = "debrief-test-boundary-7MA4YWxkTrZu0gW";

/// A multipart/form-data body with a `file` part and optional other fields.
fn multipart(name: &str, kind: &str, content: &[u8], fields: &[(&str, &str)]) -> Vec<u8> {
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: {kind}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn multipart_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

/// An app over the test database with this attachment limit.
async fn app_with_limit(db: &TestDatabase, max: u64) -> App {
    let store = debrief_store::open(&db.url).await.unwrap();
    App::new(
        Arc::new(store),
        Arc::new(FixedClock("2026-11-26T12:00:00Z".parse().unwrap())),
        Settings {
            max_attachment_bytes: max,
            ..common::settings()
        },
    )
}

/// An incident with one event, made through the use cases: (key, event id).
async fn incident(app: &App, title: &str) -> (String, String) {
    let i = app
        .create_incident(&IncidentDraft {
            title: title.into(),
            category: "ransomware".into(),
            severity: "high".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let key = i.key.to_string();
    let e = app
        .add_event(
            &key,
            &TimelineEventDraft {
                at: "2026-11-26T10:00Z".into(),
                kind: "detection".into(),
                text: "EDR alert on LYON-FS01".into(),
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
    (key, e.event.id.to_string())
}

async fn upload(
    c: &reqwest::Client,
    base: &str,
    key: &str,
    event: &str,
    name: &str,
    kind: &str,
    content: &[u8],
) -> reqwest::Response {
    c.post(format!(
        "{base}/api/v1/incidents/{key}/events/{event}/attachments"
    ))
    .header("content-type", multipart_type())
    .body(multipart(
        name,
        kind,
        content,
        &[("description", "from the test")],
    ))
    .send()
    .await
    .unwrap()
}

#[tokio::test]
async fn uploads_are_listed_with_their_hash_and_served_so_no_browser_runs_them() {
    for db in TestDatabase::all().await {
        eprintln!("attachments on {}", db.kind);
        debrief_testkit::seed_users(&db.url).await;
        let app = app_with_limit(&db, 1 << 20).await;
        let (key, event) = incident(&app, "Ransomware").await;
        let base = common::start_app(app).await;
        let contributor = common::client_as(Some(Role::Contributor), true);
        let viewer = common::client_as(Some(Role::Viewer), true);

        let log = b"01:12 first rename on \\\\lyon-fs01\\finance\n";
        let res = upload(
            &contributor,
            &base,
            &key,
            &event,
            "edr.log",
            "text/plain",
            log,
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        let created: Value = res.json().await.unwrap();
        let sha = hex::encode(sha2::Sha256::digest(log));
        assert_eq!(created["sha256"], sha);
        assert_eq!(created["size"], log.len());
        assert_eq!(created["file_name"], "edr.log");
        assert_eq!(created["detected_type"], "text/plain");
        assert_eq!(created["added_by"], "contributor@test.example");
        assert_eq!(created["added_at"], "2026-11-26T12:00:00Z");
        assert_eq!(created["description"], "from the test");
        assert_eq!(
            location,
            format!("/api/v1/attachments/{}", created["id"].as_str().unwrap())
        );

        // A viewer reads the list and downloads; plain text is inline.
        let list: Value = viewer
            .get(format!(
                "{base}/api/v1/incidents/{key}/events/{event}/attachments"
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(list.as_array().unwrap().len(), 1);
        assert_eq!(list[0]["sha256"], sha);
        let res = viewer
            .get(format!("{base}{location}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let h = res.headers().clone();
        assert_eq!(h["content-type"], "text/plain; charset=utf-8");
        assert!(
            h["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("inline; filename=\"edr.log\"")
        );
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .starts_with("sandbox")
        );
        let digest = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(log));
        assert_eq!(h["repr-digest"], format!("sha-256=:{digest}:").as_str());
        assert_eq!(res.bytes().await.unwrap().as_ref(), log);

        // Active content is never served as itself, whatever it is called.
        for (name, kind, content) in [
            (
                "evil.html",
                "text/html",
                &b"<html><script>alert(document.cookie)</script></html>"[..],
            ),
            (
                "logo.svg",
                "image/svg+xml",
                &b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"[..],
            ),
            (
                "cat.png",
                "image/png",
                &b"<!doctype html><script>alert(1)</script>"[..],
            ),
            (
                "run.js",
                "application/javascript",
                &b"alert(1); <script>"[..],
            ),
        ] {
            let res = upload(&contributor, &base, &key, &event, name, kind, content).await;
            assert_eq!(res.status(), StatusCode::CREATED, "{name}");
            let a: Value = res.json().await.unwrap();
            assert_eq!(a["served_as"], "application/octet-stream", "{name}");
            let res = viewer
                .get(format!("{base}{}", a["download"].as_str().unwrap()))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            let h = res.headers();
            assert_eq!(h["content-type"], "application/octet-stream", "{name}");
            assert!(
                h["content-disposition"]
                    .to_str()
                    .unwrap()
                    .starts_with("attachment;"),
                "{name}"
            );
            assert_eq!(h["x-content-type-options"], "nosniff");
            assert_eq!(
                h["content-security-policy"],
                "sandbox; default-src 'none'; frame-ancestors 'none'"
            );
        }

        // A raw body with ?name= works too; a viewer may not upload.
        let res = contributor
            .post(format!(
                "{base}/api/v1/incidents/{key}/events/{event}/attachments?name=notes.txt"
            ))
            .header("content-type", "text/plain")
            .body("raw body upload")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        let res = upload(&viewer, &base, &key, &event, "x.txt", "text/plain", b"x").await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);

        // The chain of custody: added, then each download.
        let id = created["id"].as_str().unwrap();
        let custody: Value = viewer
            .get(format!("{base}/api/v1/attachments/{id}/custody"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let actions: Vec<&str> = custody["custody"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, ["added", "downloaded"]);
        assert_eq!(custody["custody"][1]["actor"], "viewer@test.example");

        // Unknown ids are 404 problems.
        let res = viewer
            .get(format!(
                "{base}/api/v1/attachments/0192f0a4-6c1e-7d2a-9a51-3c7e1b2d4f99"
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let res = upload(
            &contributor,
            &base,
            &key,
            "not-an-event",
            "a.txt",
            "text/plain",
            b"a",
        )
        .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn an_upload_over_the_limit_is_413_naming_the_limit_and_nothing_is_kept() {
    for db in TestDatabase::all().await {
        eprintln!("limits on {}", db.kind);
        debrief_testkit::seed_users(&db.url).await;
        let app = app_with_limit(&db, 1000).await;
        let (key, event) = incident(&app, "Ransomware").await;
        let base = common::start_app(app).await;
        let c = common::client();
        let big = vec![b'a'; 1001];
        let res = upload(&c, &base, &key, &event, "big.log", "text/plain", &big).await;
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let p: Value = res.json().await.unwrap();
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("the limit is 1000 bytes"),
            "{p}"
        );
        assert_eq!(p["field"], "file");
        // A raw body over the limit, and one whose Content-Length says so.
        let res = c
            .post(format!(
                "{base}/api/v1/incidents/{key}/events/{event}/attachments?name=big.bin"
            ))
            .body(vec![0u8; 5000])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let res = c
            .post(format!(
                "{base}/api/v1/incidents/{key}/events/{event}/attachments?name=big.bin"
            ))
            .body(vec![0u8; 200_000])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
        // Exactly the limit is fine; empty is a 422 naming the file.
        let res = upload(
            &c,
            &base,
            &key,
            &event,
            "ok.log",
            "text/plain",
            &big[..1000],
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let res = upload(&c, &base, &key, &event, "empty.log", "text/plain", b"").await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let p: Value = res.json().await.unwrap();
        assert_eq!(p["errors"][0]["field"], "file");
        let list: Value = c
            .get(format!("{base}/api/v1/incidents/{key}/attachments"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(list.as_array().unwrap().len(), 1);
    }
}

#[tokio::test]
async fn a_restricted_incidents_evidence_is_404_for_non_members() {
    for db in TestDatabase::all().await {
        eprintln!("restricted on {}", db.kind);
        debrief_testkit::seed_users(&db.url).await;
        let app = app_with_limit(&db, 1 << 20).await;
        let (key, event) = incident(&app, "Insider case").await;
        let base = common::start_app(app).await;
        let admin = common::client();
        let res = upload(
            &admin,
            &base,
            &key,
            &event,
            "hr.txt",
            "text/plain",
            b"secret",
        )
        .await;
        let id = res.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let res = admin
            .put(format!("{base}/api/v1/incidents/{key}/access"))
            .json(&serde_json::json!({"restricted": true, "members": ["contributor@test.example"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        for (role, seen) in [
            (Role::Viewer, false),
            (Role::Manager, false),
            (Role::Contributor, true),
            (Role::Admin, true),
        ] {
            let c = common::client_as(Some(role), false);
            for path in [
                format!("/api/v1/attachments/{id}"),
                format!("/api/v1/attachments/{id}/custody"),
                format!("/api/v1/incidents/{key}/attachments"),
                format!("/attachments/{id}"),
                format!("/attachments/{id}/download"),
            ] {
                let status = c
                    .get(format!("{base}{path}"))
                    .send()
                    .await
                    .unwrap()
                    .status();
                if seen {
                    assert_eq!(status, StatusCode::OK, "{path} as {role:?}");
                } else {
                    assert_eq!(status, StatusCode::NOT_FOUND, "{path} as {role:?}");
                }
            }
        }
    }
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> &'a str {
    let from = s
        .find(start)
        .unwrap_or_else(|| panic!("{start} not in page"))
        + start.len();
    &s[from..from + s[from..].find(end).unwrap()]
}

#[tokio::test]
async fn the_timeline_page_uploads_without_javascript_and_shows_the_evidence() {
    for db in TestDatabase::all().await {
        eprintln!("page on {}", db.kind);
        debrief_testkit::seed_users(&db.url).await;
        let app = app_with_limit(&db, 1 << 20).await;
        app.add_user(
            &Caller::system("tests"),
            &UserDraft {
                email: "cy@x.example".into(),
                name: "Cy".into(),
                role: Role::Contributor,
            },
            "correct horse battery staple",
        )
        .await
        .unwrap();
        let (key, event) = incident(&app, "Ransomware").await;
        let base = common::start_app(app).await;
        let anon = common::client_as(None, false);
        let res = anon
            .post(format!("{base}/login"))
            .form(&[
                ("email", "cy@x.example"),
                ("password", "correct horse battery staple"),
                ("next", "/incidents"),
            ])
            .send()
            .await
            .unwrap();
        let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
        let session = cookie.split(';').next().unwrap().to_owned();
        let page = anon
            .get(format!("{base}/incidents/{key}/timeline"))
            .header("cookie", &session)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("enctype=\"multipart/form-data\""));
        let action =
            between(&page, "enctype=\"multipart/form-data\" action=\"", "\"").replace("&amp;", "&");
        assert!(
            action.contains(&event) && action.contains("?_csrf="),
            "{action}"
        );

        // Without the token the guard refuses; with it the file is kept.
        let bare = action.split('?').next().unwrap();
        let forged = anon
            .post(format!("{base}{bare}"))
            .header("cookie", &session)
            .header("content-type", multipart_type())
            .body(multipart("x.txt", "text/plain", b"x", &[]))
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        let res = anon
            .post(format!("{base}{action}"))
            .header("cookie", &session)
            .header("content-type", multipart_type())
            .body(multipart(
                "vpn.log",
                "text/plain",
                b"vpn login from 203.0.113.7\n",
                &[("description", "VPN gateway log")],
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.contains("attached=vpn.log"), "{location}");
        let page = anon
            .get(format!("{base}{}", location.split('#').next().unwrap()))
            .header("cookie", &session)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let sha = hex::encode(sha2::Sha256::digest(b"vpn login from 203.0.113.7\n"));
        assert!(page.contains("Evidence attached: vpn.log"));
        assert!(page.contains("vpn.log") && page.contains("VPN gateway log"));
        assert!(page.contains(&format!("title=\"{sha}\"")));
        assert!(page.contains(&format!("{}…", &sha[..12])));
        let id = between(&page, "href=\"/attachments/", "/download\"").to_owned();

        // The file's page: full hash, then the custody after a download.
        let res = anon
            .get(format!("{base}/attachments/{id}/download"))
            .header("cookie", &session)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        let custody = anon
            .get(format!("{base}/attachments/{id}"))
            .header("cookie", &session)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(custody.contains(&sha));
        assert!(custody.contains("Downloaded, hash matched"));
        assert!(custody.contains("cy@x.example"));

        // Over the limit from the page: the timeline again, with why.
        let limited = app_with_limit(&db, 10).await;
        let base2 = common::start_app(limited).await;
        let res = anon
            .post(format!("{base2}{action}"))
            .header("cookie", &session)
            .header("content-type", multipart_type())
            .body(multipart("big.log", "text/plain", &[b'a'; 50], &[]))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert!(res.text().await.unwrap().contains("the limit is 10 bytes"));
    }
}
