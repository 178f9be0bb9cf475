//! Accounts as use cases on both databases: users and the password policy,
//! sign-in with its rate limits, sessions and their idle and absolute
//! timeouts (with the injected clock), API tokens (scope, revocation, last
//! use), restricted incidents, and the audit chain — intact, and broken by
//! tampering with a row directly in the database.

use std::sync::Arc;

use debrief_app::accounts::{LOGIN_FAILURES_PER_ACCOUNT, LoginError};
use debrief_app::{App, AppError, Caller, FixedClock, PasswordCost, Settings};
use debrief_core::{IncidentDraft, Role, UserDraft};
use debrief_store::{AccountStore, SqlStore, Visibility};
use debrief_testkit::TestDatabase;

const PASSWORD: &str = "correct horse battery staple";

fn app_at(store: &SqlStore, now: &str) -> App {
    App::new(
        Arc::new(store.clone()),
        Arc::new(FixedClock(now.parse().unwrap())),
        Settings {
            password_cost: PasswordCost::FastForTests,
            ..Settings::default()
        },
    )
}

fn draft(email: &str, role: Role) -> UserDraft {
    UserDraft {
        email: email.into(),
        name: format!("User {role}"),
        role,
    }
}

async fn stores() -> Vec<(TestDatabase, SqlStore)> {
    let mut out = Vec::new();
    for db in TestDatabase::all().await {
        let store = debrief_store::open(&db.url).await.unwrap();
        out.push((db, store));
    }
    out
}

#[tokio::test]
async fn users_sign_in_and_sessions_end_when_idle_or_old() {
    for (db, store) in stores().await {
        eprintln!("story on {}", db.kind);
        let app = app_at(&store, "2026-11-26T12:00:00Z");
        let system = Caller::system("tests");
        // The password policy and the role check.
        let e = app
            .add_user(&system, &draft("ana@x.example", Role::Manager), "short")
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid(ref f) if f.to_string().contains("12 characters")),
            "{e}"
        );
        let ana = app
            .add_user(&system, &draft("Ana@X.example", Role::Manager), PASSWORD)
            .await
            .unwrap();
        assert_eq!(ana.email, "ana@x.example");
        let dup = app
            .add_user(&system, &draft("ana@x.example", Role::Viewer), PASSWORD)
            .await
            .unwrap_err();
        assert!(matches!(dup, AppError::Conflict { .. }), "{dup}");
        let not_admin = app
            .add_user(
                &Caller::user(&ana),
                &draft("bo@x.example", Role::Viewer),
                PASSWORD,
            )
            .await
            .unwrap_err();
        assert!(matches!(not_admin, AppError::Forbidden(_)));

        // Wrong password and unknown email say the same.
        assert_eq!(
            app.login("ana@x.example", "wrong password!!", "10.0.0.1")
                .await
                .unwrap()
                .unwrap_err(),
            LoginError::WrongCredentials
        );
        assert_eq!(
            app.login("nobody@x.example", PASSWORD, "10.0.0.1")
                .await
                .unwrap()
                .unwrap_err(),
            LoginError::WrongCredentials
        );
        let (session, user) = app
            .login(" ANA@x.example ", PASSWORD, "10.0.0.1")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(user.id, ana.id);
        assert_eq!(
            app.session_user(&session).await.unwrap().unwrap().id,
            ana.id
        );

        // Idle: 8 h without a request ends it.
        let later = app_at(&store, "2026-11-26T19:59:00Z");
        assert!(later.session_user(&session).await.unwrap().is_some());
        let idle = app_at(&store, "2026-11-27T04:00:00Z");
        assert!(idle.session_user(&session).await.unwrap().is_none());

        // Absolute: 7 days however busy.
        let (session, _) = app
            .login("ana@x.example", PASSWORD, "10.0.0.1")
            .await
            .unwrap()
            .unwrap();
        let start: jiff::Timestamp = "2026-11-26T12:00:00Z".parse().unwrap();
        for k in 1..=27 {
            let t = start + jiff::SignedDuration::from_hours(6 * k);
            assert!(
                app_at(&store, &t.to_string())
                    .session_user(&session)
                    .await
                    .unwrap()
                    .is_some(),
                "{t}"
            );
        }
        let week = app_at(&store, "2026-12-03T12:00:01Z");
        assert!(week.session_user(&session).await.unwrap().is_none());

        // Sign-out ends a session.
        let (session, _) = app
            .login("ana@x.example", PASSWORD, "10.0.0.1")
            .await
            .unwrap()
            .unwrap();
        app.logout(&session).await.unwrap();
        assert!(app.session_user(&session).await.unwrap().is_none());

        // Deactivation ends sessions and refuses sign-in.
        let (session, _) = app
            .login("ana@x.example", PASSWORD, "10.0.0.1")
            .await
            .unwrap()
            .unwrap();
        app.update_user(&system, "ana@x.example", None, Some(false))
            .await
            .unwrap();
        assert!(app.session_user(&session).await.unwrap().is_none());
        assert!(
            app.login("ana@x.example", PASSWORD, "10.0.0.1")
                .await
                .unwrap()
                .is_err()
        );
        store.close().await;
    }
}

#[tokio::test]
async fn sign_in_is_rate_limited_per_account_and_per_address() {
    for (db, store) in stores().await {
        eprintln!("story on {}", db.kind);
        let app = app_at(&store, "2026-11-26T12:00:00Z");
        let system = Caller::system("tests");
        app.add_user(&system, &draft("cy@x.example", Role::Viewer), PASSWORD)
            .await
            .unwrap();
        for _ in 0..LOGIN_FAILURES_PER_ACCOUNT {
            let r = app
                .login("cy@x.example", "not the password", "10.0.0.2")
                .await
                .unwrap();
            assert_eq!(r.unwrap_err(), LoginError::WrongCredentials);
        }
        // Now even the right password waits, from any address.
        let r = app
            .login("cy@x.example", PASSWORD, "10.0.0.3")
            .await
            .unwrap();
        assert_eq!(r.unwrap_err(), LoginError::TooManyAttempts);
        // 15 minutes later it works again.
        let later = app_at(&store, "2026-11-26T12:15:01Z");
        assert!(
            later
                .login("cy@x.example", PASSWORD, "10.0.0.3")
                .await
                .unwrap()
                .is_ok()
        );

        // Per address: many accounts tried from one place.
        for i in 0..20 {
            let _ = later
                .login(
                    &format!("guess{i}@x.example"),
                    "whatever password",
                    "10.0.0.9",
                )
                .await
                .unwrap();
        }
        let r = later
            .login("cy@x.example", PASSWORD, "10.0.0.9")
            .await
            .unwrap();
        assert_eq!(r.unwrap_err(), LoginError::TooManyAttempts);
        assert!(
            later
                .login("cy@x.example", PASSWORD, "10.0.0.4")
                .await
                .unwrap()
                .is_ok()
        );
        store.close().await;
    }
}

#[tokio::test]
async fn tokens_are_scoped_to_their_creator_revocable_and_record_their_last_use() {
    for (db, store) in stores().await {
        eprintln!("story on {}", db.kind);
        let app = app_at(&store, "2026-11-26T12:00:00Z");
        let system = Caller::system("tests");
        let dee = app
            .add_user(
                &system,
                &draft("dee@x.example", Role::Contributor),
                PASSWORD,
            )
            .await
            .unwrap();
        let eve = app
            .add_user(&system, &draft("eve@x.example", Role::Viewer), PASSWORD)
            .await
            .unwrap();
        let as_dee = Caller::user(&dee);
        // Not above your role, not for someone else.
        let e = app
            .create_token(&as_dee, "dee@x.example", "ci", Some(Role::Manager))
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Invalid(_)), "{e}");
        let e = app
            .create_token(&as_dee, "eve@x.example", "ci", None)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e}");
        let (secret, record) = app
            .create_token(&as_dee, "dee@x.example", "ci", Some(Role::Viewer))
            .await
            .unwrap();
        assert!(secret.starts_with("dbt_") && secret.len() > 60);
        // Stored hashed: the secret is nowhere in the database.
        let listed = app.tokens(&as_dee, false).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert!(listed[0].last_used_at.is_none());
        let caller = app.token_caller(&secret).await.unwrap().unwrap();
        assert_eq!(caller.role, Role::Viewer);
        assert_eq!(caller.actor, "dee@x.example");
        let listed = app.tokens(&as_dee, false).await.unwrap();
        assert_eq!(listed[0].last_used_at, Some(app.now()));
        // A token never outranks its user, even after a demotion.
        let (full, _) = app
            .create_token(&as_dee, "dee@x.example", "full", None)
            .await
            .unwrap();
        app.update_user(&system, "dee@x.example", Some(Role::Viewer), None)
            .await
            .unwrap();
        assert_eq!(
            app.token_caller(&full).await.unwrap().unwrap().role,
            Role::Viewer
        );
        // Someone else cannot revoke it; its owner can.
        let e = app
            .revoke_token(&Caller::user(&eve), record.id)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)));
        app.revoke_token(&as_dee, record.id).await.unwrap();
        assert!(app.token_caller(&secret).await.unwrap().is_none());
        assert!(
            app.tokens(&as_dee, false)
                .await
                .unwrap()
                .iter()
                .any(|t| t.revoked_at.is_some())
        );
        store.close().await;
    }
}

#[tokio::test]
async fn restricted_incidents_are_seen_by_members_and_admins_only() {
    for (db, store) in stores().await {
        eprintln!("story on {}", db.kind);
        let app = app_at(&store, "2026-11-26T12:00:00Z");
        let system = Caller::system("tests");
        let member = app
            .add_user(&system, &draft("m@x.example", Role::Viewer), PASSWORD)
            .await
            .unwrap();
        let other = app
            .add_user(&system, &draft("o@x.example", Role::Manager), PASSWORD)
            .await
            .unwrap();
        let admin = app
            .add_user(&system, &draft("a@x.example", Role::Admin), PASSWORD)
            .await
            .unwrap();
        let incident = app
            .create_incident(&IncidentDraft {
                title: "Payroll data exposure".into(),
                category: "data_breach".into(),
                severity: "high".into(),
                ..Default::default()
            })
            .await
            .unwrap();
        let e = app
            .set_incident_access(&Caller::user(&member), &incident.key, true, &[])
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)));
        app.set_incident_access(
            &Caller::user(&other),
            &incident.key,
            true,
            &["m@x.example".into()],
        )
        .await
        .unwrap();
        let seen = |u: &debrief_core::User| Caller::user(u).visibility();
        assert!(
            store
                .incident_visible(incident.id, seen(&member))
                .await
                .unwrap()
        );
        assert!(
            !store
                .incident_visible(incident.id, seen(&other))
                .await
                .unwrap()
        );
        assert!(
            store
                .incident_visible(incident.id, seen(&admin))
                .await
                .unwrap()
        );
        assert!(
            store
                .incident_visible(incident.id, Visibility::All)
                .await
                .unwrap()
        );
        let mut q = debrief_app::incidents::IncidentQuery::default();
        q.filter.visibility = seen(&other);
        assert!(app.list_incidents(&q).await.unwrap().items.is_empty());
        q.filter.visibility = seen(&member);
        assert_eq!(app.list_incidents(&q).await.unwrap().items.len(), 1);
        store.close().await;
    }
}

/// Runs SQL straight on the database, as someone with the file or the
/// database owner's rights would.
async fn raw(store: &SqlStore, sql: &str) -> Result<(), sqlx::Error> {
    sqlx::raw_sql(sql).execute(store.pool()).await.map(|_| ())
}

#[tokio::test]
async fn the_audit_chain_verifies_and_names_the_first_tampered_entry() {
    for (db, store) in stores().await {
        eprintln!("story on {}", db.kind);
        let app = app_at(&store, "2026-11-26T12:00:00Z");
        let system = Caller::system("tests");
        for (i, role) in Role::ALL.into_iter().enumerate() {
            app.add_user(&system, &draft(&format!("u{i}@x.example"), role), PASSWORD)
                .await
                .unwrap();
        }
        app.update_user(&system, "u0@x.example", Some(Role::Contributor), None)
            .await
            .unwrap();
        assert_eq!(app.verify_audit().await.unwrap(), Ok(5));
        let log = app
            .audit_log(&system, &Default::default(), 0, 10)
            .await
            .unwrap();
        assert_eq!(log[0].seq, 5);
        assert_eq!(log[0].actor, "tests");
        assert!(log[0].before.contains("\"viewer\"") && log[0].after.contains("\"contributor\""));

        // The triggers refuse changes through SQL.
        let e = raw(
            &store,
            "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3",
        )
        .await;
        assert!(e.is_err(), "an UPDATE of the audit log must fail");
        let e = raw(&store, "DELETE FROM audit_log WHERE seq = 3").await;
        assert!(e.is_err(), "a DELETE from the audit log must fail");

        // Someone who drops the triggers can change a row; verify finds it.
        let drop = match store.dialect() {
            debrief_store::Dialect::Sqlite => {
                "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;"
            }
            debrief_store::Dialect::Postgres => "DROP TRIGGER audit_log_no_update ON audit_log;",
        };
        raw(&store, drop).await.unwrap();
        raw(
            &store,
            "UPDATE audit_log SET after_json = '{\"role\":\"admin\"}' WHERE seq = 3",
        )
        .await
        .unwrap();
        let broken = app.verify_audit().await.unwrap().unwrap_err();
        assert_eq!(broken.seq, 3, "{broken:?}");
        assert!(broken.reason.contains("changed"), "{}", broken.reason);
        store.close().await;
    }
}

#[tokio::test]
async fn removing_the_newest_audit_entries_is_found_too() {
    for (db, store) in stores().await {
        eprintln!("story on {}", db.kind);
        let app = app_at(&store, "2026-11-26T12:00:00Z");
        let system = Caller::system("tests");
        for i in 0..3 {
            app.add_user(
                &system,
                &draft(&format!("r{i}@x.example"), Role::Viewer),
                PASSWORD,
            )
            .await
            .unwrap();
        }
        let drop = match store.dialect() {
            debrief_store::Dialect::Sqlite => "DROP TRIGGER audit_log_no_delete;",
            debrief_store::Dialect::Postgres => "DROP TRIGGER audit_log_no_update ON audit_log;",
        };
        raw(&store, drop).await.unwrap();
        raw(&store, "DELETE FROM audit_log WHERE seq = 3")
            .await
            .unwrap();
        let broken = app.verify_audit().await.unwrap().unwrap_err();
        assert_eq!(broken.seq, 3, "{broken:?}");
        store.close().await;
    }
}

#[tokio::test]
async fn concurrent_appends_form_one_chain() {
    for (db, store) in stores().await {
        eprintln!("story on {}", db.kind);
        let app = app_at(&store, "2026-11-26T12:00:00Z");
        let mut tasks = Vec::new();
        for i in 0..16 {
            let app = app.clone();
            tasks.push(tokio::spawn(async move {
                app.audit(
                    &Caller::system(format!("writer {i}")),
                    "test",
                    i.to_string(),
                    "create",
                    serde_json::Value::Null,
                    serde_json::json!({"i": i}),
                )
                .await
                .unwrap();
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(app.verify_audit().await.unwrap(), Ok(16));
        store.close().await;
    }
}
