//! Signing in through the pages: the session cookie and its flags, the
//! return address (local paths only), CSRF on every cookie-authenticated
//! change, sign-out, and the rate limit's message. SQLite and PostgreSQL.

mod common;

use debrief_app::Caller;
use debrief_core::{Role, UserDraft};
use debrief_testkit::TestDatabase;
use reqwest::StatusCode;

const PASSWORD: &str = "correct horse battery staple";

fn between<'a>(s: &'a str, start: &str, end: &str) -> &'a str {
    let from = s
        .find(start)
        .unwrap_or_else(|| panic!("{start} not in page"))
        + start.len();
    &s[from..from + s[from..].find(end).unwrap()]
}

#[tokio::test]
async fn a_session_signs_in_needs_its_csrf_token_for_changes_and_signs_out() {
    for db in TestDatabase::all().await {
        eprintln!("sessions on {}", db.kind);
        let base = common::start(&db).await;
        let app = common::app(&db).await;
        app.add_user(
            &Caller::system("tests"),
            &UserDraft {
                email: "kim@x.example".into(),
                name: "Kim".into(),
                role: Role::Manager,
            },
            PASSWORD,
        )
        .await
        .unwrap();
        let anon = common::client_as(None, false);
        let login = |password: &'static str, next: &'static str| {
            let anon = anon.clone();
            let base = base.clone();
            async move {
                anon.post(format!("{base}/login"))
                    .form(&[
                        ("email", "kim@x.example"),
                        ("password", password),
                        ("next", next),
                    ])
                    .send()
                    .await
                    .unwrap()
            }
        };
        let wrong = login("not the password!", "/actions").await;
        assert_eq!(wrong.status(), StatusCode::OK);
        assert!(wrong.headers().get("set-cookie").is_none());
        assert!(
            wrong
                .text()
                .await
                .unwrap()
                .contains("The email or the password is wrong.")
        );

        // Another site's address is never where sign-in leads.
        let res = login(PASSWORD, "//evil.example/x").await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(res.headers()["location"], "/incidents");
        let res = login(PASSWORD, "/actions?open=true").await;
        assert_eq!(res.headers()["location"], "/actions?open=true");
        let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(cookie.starts_with("debrief_session="), "{cookie}");
        for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(cookie.contains(flag), "{cookie}");
        }
        assert!(
            !cookie.contains("Secure"),
            "plain http on localhost: {cookie}"
        );
        let session = cookie.split(';').next().unwrap().to_owned();

        let page = anon
            .get(format!("{base}/account"))
            .header("cookie", &session)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        let csrf = between(&html, "name=\"_csrf\" value=\"", "\"").to_owned();
        assert_eq!(csrf.len(), 64);

        // Without the token (a form from another site): refused, nothing made.
        let forged = anon
            .post(format!("{base}/account/tokens"))
            .header("cookie", &session)
            .form(&[("name", "forged"), ("role", "viewer")])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        let wrong_token = anon
            .post(format!("{base}/account/tokens"))
            .header("cookie", &session)
            .form(&[
                ("name", "forged"),
                ("role", "viewer"),
                ("_csrf", &"0".repeat(64)),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(wrong_token.status(), StatusCode::FORBIDDEN);
        let made = anon
            .post(format!("{base}/account/tokens"))
            .header("cookie", &session)
            .form(&[("name", "mine"), ("role", "viewer"), ("_csrf", &csrf)])
            .send()
            .await
            .unwrap();
        assert_eq!(made.status(), StatusCode::CREATED);
        let html = made.text().await.unwrap();
        assert!(!html.contains("forged"));
        let secret = between(&html, "id=\"new-token\">", "<").to_owned();
        assert!(secret.starts_with("dbt_"));
        // JSON with the session needs the header.
        let json = anon
            .put(format!("{base}/api/v1/workshop-policy"))
            .header("cookie", &session)
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(json.status(), StatusCode::FORBIDDEN);

        // The new token is a viewer's: it reads, it may not write.
        let token = common::client_with_token(&secret, false);
        let me: serde_json::Value = token
            .get(format!("{base}/api/v1/me"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(me["role"], "viewer");
        let res = token
            .post(format!("{base}/api/v1/holidays"))
            .json(&serde_json::json!({"date": "2026-12-25", "name": "Christmas"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);

        // Sign-out ends the session in the database.
        let out = anon
            .post(format!("{base}/logout"))
            .header("cookie", &session)
            .form(&[("_csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(out.status(), StatusCode::SEE_OTHER);
        assert!(
            out.headers()["set-cookie"]
                .to_str()
                .unwrap()
                .contains("Max-Age=0")
        );
        let after = anon
            .get(format!("{base}/account"))
            .header("cookie", &session)
            .send()
            .await
            .unwrap();
        assert_eq!(after.status(), StatusCode::SEE_OTHER);
    }
}

#[tokio::test]
async fn too_many_failed_sign_ins_are_refused_with_a_message() {
    let db = TestDatabase::sqlite();
    let base = common::start(&db).await;
    let anon = common::client_as(None, false);
    for _ in 0..5 {
        let res = anon
            .post(format!("{base}/login"))
            .form(&[
                ("email", "admin@test.example"),
                ("password", "guessing guessing"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
    let res = anon
        .post(format!("{base}/login"))
        .form(&[
            ("email", "admin@test.example"),
            ("password", "guessing guessing"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Too many failed sign-ins")
    );
}

#[tokio::test]
async fn the_setup_link_creates_the_first_admin_once() {
    for db in TestDatabase::all().await {
        eprintln!("setup on {}", db.kind);
        // No seeded users: a fresh installation.
        let app = common::app(&db).await;
        let token = app.setup_link_if_no_users().await.unwrap().unwrap();
        let base = common::start_app(app.clone()).await;
        let anon = common::client_as(None, false);
        let page = anon
            .get(format!("{base}/setup/{token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let bad = anon
            .post(format!("{base}/setup/{token}"))
            .form(&[
                ("email", "root@x.example"),
                ("name", "Root"),
                ("password", "short"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let made = anon
            .post(format!("{base}/setup/{token}"))
            .form(&[
                ("email", "root@x.example"),
                ("name", "Root"),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(made.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            app.user_by_email("root@x.example").await.unwrap().role,
            Role::Admin
        );
        let again = anon
            .post(format!("{base}/setup/{token}"))
            .form(&[
                ("email", "eve@x.example"),
                ("name", "Eve"),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_FOUND);
        assert!(app.setup_link_if_no_users().await.unwrap().is_none());
    }
}
