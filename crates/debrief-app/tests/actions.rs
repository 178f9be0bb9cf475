//! The action use cases (PRODUCT.md §6) end to end on a real store (SQLite,
//! and PostgreSQL when configured): people, validation, the status workflow
//! and verification, the ranked portfolio with its filters and cursor,
//! overdue in the organisation's time zone, follow-ups, the burn-down, the
//! CSV export, the bundle and overdue notices. Time comes from `FixedClock`.

use std::sync::Arc;

use debrief_app::actions::{ActionQuery, ActionView, VerifyInput};
use debrief_app::{App, AppError, FixedClock, Settings};
use debrief_core::action::{ActionDraft, ActionStatus, ActionType, Priority, PriorityPolicy};
use debrief_core::{IncidentDraft, PersonDraft};
use debrief_testkit::TestDatabase;
use jiff::civil::Date;
use jiff::tz::TimeZone;

const NOON: &str = "2026-11-26T12:00:00Z";

fn clock() -> FixedClock {
    FixedClock(NOON.parse().unwrap())
}

fn day(s: &str) -> Date {
    s.parse().unwrap()
}

/// The database a story runs on, to open more apps over it (other
/// settings) or a fresh one of the same kind.
#[derive(Clone)]
struct Env {
    kind: &'static str,
    url: String,
}

impl Env {
    /// Another app over the same database.
    async fn app(&self, settings: Settings) -> App {
        let store = debrief_store::open(&self.url).await.unwrap();
        App::new(Arc::new(store), Arc::new(clock()), settings)
    }
    /// An empty database of the same kind, with an app over it.
    async fn fresh(&self) -> (TestDatabase, App) {
        let db = match self.kind {
            "postgres" => TestDatabase::postgres()
                .await
                .expect("PostgreSQL is configured"),
            _ => TestDatabase::sqlite(),
        };
        let store = debrief_store::open(&db.url).await.unwrap();
        let app = App::new(Arc::new(store), Arc::new(clock()), Settings::default());
        (db, app)
    }
}

/// Runs the story on every database, each in its own task so that a
/// failure on one still lets the others run; fails naming every database
/// the story failed on.
async fn each_app<F, Fut>(story: F)
where
    F: Fn(App, Env) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let mut failures = Vec::new();
    for db in TestDatabase::all().await {
        let env = Env {
            kind: db.kind,
            url: db.url.clone(),
        };
        let app = env.app(Settings::default()).await;
        eprintln!("story on {}", db.kind);
        let outcome = tokio::spawn(story(app, env)).await;
        if let Err(e) = outcome {
            failures.push(format!("{}: {}", db.kind, panic_message(e)));
        }
    }
    assert!(
        failures.is_empty(),
        "the story failed on {}",
        failures.join("\n")
    );
}

fn panic_message(e: tokio::task::JoinError) -> String {
    match e.try_into_panic() {
        Ok(p) => p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "a panic".into()),
        Err(e) => e.to_string(),
    }
}

fn nothing(_: u64) {}

/// The same app reading another instant.
fn at(app: &App, instant: &str) -> App {
    app.with_clock(Arc::new(FixedClock(instant.parse().unwrap())))
}

async fn new_incident(app: &App, title: &str) -> String {
    let draft = IncidentDraft {
        title: title.into(),
        category: "other".into(),
        severity: "high".into(),
        ..Default::default()
    };
    app.create_incident(&draft).await.unwrap().key.to_string()
}

const ADA: &str = "ada@example.org";
const GRACE: &str = "grace@example.org";

async fn add_people(app: &App) {
    for (name, email) in [("Ada Byron", ADA), ("Grace Hopper", GRACE)] {
        app.add_person(&PersonDraft {
            name: name.into(),
            email: email.into(),
            team: "Platform".into(),
            phone: String::new(),
        })
        .await
        .unwrap();
    }
}

fn draft(
    title: &str,
    owner: &str,
    (risk, impact, effort): (i64, i64, i64),
    due: &str,
) -> ActionDraft {
    ActionDraft {
        title: title.into(),
        action_type: "prevent".into(),
        owner: owner.into(),
        due_on: due.into(),
        risk,
        impact,
        effort,
        ..Default::default()
    }
}

async fn create(app: &App, key: &str, d: &ActionDraft) -> ActionView {
    app.create_action(key, d, "Marta").await.unwrap().0
}

/// The reference and version of an action, for the next move.
fn handle(v: &ActionView) -> (String, i64) {
    (v.key.to_string(), v.action().version)
}

async fn step(app: &App, v: &ActionView, to: ActionStatus, note: &str) -> ActionView {
    let (r, version) = handle(v);
    app.move_action(&r, version, to, note, "Ada")
        .await
        .unwrap_or_else(|e| panic!("{r} to {to}: {e}"))
}

fn invalid(err: &AppError) -> &debrief_core::FieldErrors {
    match err {
        AppError::Invalid(e) => e,
        other => panic!("expected invalid input, got {other:?}"),
    }
}

fn fields(err: &AppError) -> Vec<String> {
    invalid(err).iter().map(|e| e.field.clone()).collect()
}

fn message<'e>(err: &'e AppError, field: &str) -> &'e str {
    invalid(err)
        .for_field(field)
        .unwrap_or_else(|| panic!("no error for {field}: {err:?}"))
}

async fn everything(app: &App) -> Vec<ActionView> {
    app.list_actions(&ActionQuery {
        limit: Some(5000),
        ..Default::default()
    })
    .await
    .unwrap()
    .items
}

fn titles(items: &[ActionView]) -> Vec<&str> {
    items
        .iter()
        .map(|v| v.action().fields.title.as_str())
        .collect()
}

#[tokio::test]
async fn people_are_unique_by_email_and_versioned() {
    each_app(|app, _| async move {
        let ada = app
            .add_person(&PersonDraft {
                name: "  Ada Byron ".into(),
                email: " Ada@Example.ORG ".into(),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!((ada.name.as_str(), ada.email.as_str()), ("Ada Byron", ADA));
        let err = app
            .add_person(&PersonDraft {
                name: "Another Ada".into(),
                email: "ADA@example.org".into(),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert!(message(&err, "email").contains(ADA), "{err}");
        let err = app
            .add_person(&PersonDraft {
                name: " ".into(),
                email: "not an email".into(),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_eq!(fields(&err), ["name", "email"]);
        assert_eq!(app.people().await.unwrap(), std::slice::from_ref(&ada));
        assert_eq!(
            app.person("ADA@EXAMPLE.ORG").await.unwrap(),
            Some(ada.clone())
        );
        assert_eq!(
            app.person(&ada.id.to_string()).await.unwrap(),
            Some(ada.clone())
        );

        let renamed = PersonDraft {
            name: "Ada Lovelace".into(),
            email: ADA.into(),
            team: "Engines".into(),
            ..Default::default()
        };
        let updated = app.update_person(ADA, 1, &renamed).await.unwrap();
        assert_eq!(
            (updated.name.as_str(), updated.version),
            ("Ada Lovelace", 2)
        );
        let err = app.update_person(ADA, 1, &renamed).await.unwrap_err();
        assert!(
            matches!(
                err,
                AppError::Conflict {
                    current_version: Some(2),
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(matches!(
            app.update_person("ghost@example.org", 1, &renamed).await,
            Err(AppError::NotFound(_))
        ));
    })
    .await;
}

#[tokio::test]
async fn an_unknown_owner_is_refused_by_field_and_nothing_is_saved() {
    each_app(|app, _| async move {
        add_people(&app).await;
        let key = new_incident(&app, "Outage").await;
        let d = draft(
            "Add a canary stage to rollouts",
            "nobody@example.org",
            (3, 3, 3),
            "2026-12-31",
        );
        let err = app.create_action(&key, &d, "Marta").await.unwrap_err();
        assert_eq!(fields(&err), ["owner"]);
        assert!(
            message(&err, "owner").contains("nobody@example.org"),
            "{err}"
        );
        let no_owner = ActionDraft {
            owner: "  ".into(),
            ..d.clone()
        };
        let err = app
            .create_action(&key, &no_owner, "Marta")
            .await
            .unwrap_err();
        assert_eq!(fields(&err), ["owner"]);
        assert!(everything(&app).await.is_empty());
        let incident = app.incident(&key).await.unwrap();
        assert!(
            app.store()
                .incident_action_history(incident.id)
                .await
                .unwrap()
                .is_empty()
        );
        // The same draft with a known owner (in any case) is fine, and is A1.
        let ok = ActionDraft {
            owner: "GRACE@example.org".into(),
            ..d
        };
        let (v, warnings) = app.create_action(&key, &ok, "Marta").await.unwrap();
        assert_eq!(v.key.to_string(), format!("{key}-A1"));
        assert_eq!(v.record.owner.email, GRACE);
        assert!(warnings.0.is_empty());
    })
    .await;
}

#[tokio::test]
async fn every_bad_field_is_reported_at_once_and_nothing_is_saved() {
    each_app(|app, _| async move {
        add_people(&app).await;
        let key = new_incident(&app, "Outage").await;
        let bad = ActionDraft {
            title: "The backups need a second copy".into(),
            action_type: "fix".into(),
            owner: "nobody@example.org".into(),
            due_on: "2026-13-01".into(),
            risk: 0,
            impact: 6,
            effort: 3,
            priority_override: "P1".into(),
            override_justification: "  ".into(),
            ticket: "not a ticket".into(),
            ..Default::default()
        };
        let err = app.create_action(&key, &bad, "Marta").await.unwrap_err();
        let mut got = fields(&err);
        got.sort();
        assert_eq!(
            got,
            [
                "due_on",
                "impact",
                "override_justification",
                "owner",
                "risk",
                "ticket",
                "title",
                "type"
            ],
            "{err}"
        );
        assert!(message(&err, "title").contains("`The`"), "{err}");
        assert!(message(&err, "risk").contains("not 0"), "{err}");
        assert!(message(&err, "impact").contains("not 6"), "{err}");
        assert!(message(&err, "due_on").contains("2026-13-01"), "{err}");
        assert!(
            message(&err, "override_justification").contains("P1"),
            "{err}"
        );
        // Only the owner wrong: still only the owner reported, nothing saved.
        let effort_six = ActionDraft {
            title: "Add a second backup copy".into(),
            action_type: "prevent".into(),
            owner: ADA.into(),
            effort: 6,
            risk: 3,
            impact: 3,
            ..Default::default()
        };
        let err = app
            .create_action(&key, &effort_six, "Marta")
            .await
            .unwrap_err();
        assert_eq!(fields(&err), ["effort"]);
        // A justification without a priority to override with is refused too.
        let stray = ActionDraft {
            effort: 3,
            override_justification: "Because".into(),
            ..effort_six
        };
        let err = app.create_action(&key, &stray, "Marta").await.unwrap_err();
        assert_eq!(fields(&err), ["priority_override"]);
        assert!(everything(&app).await.is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_past_due_date_is_saved_with_a_warning() {
    each_app(|app, _| async move {
        add_people(&app).await;
        let key = new_incident(&app, "Outage").await;
        let (v, warnings) = app
            .create_action(
                &key,
                &draft("Patch the edge routers", ADA, (3, 3, 3), "2026-11-20"),
                "Marta",
            )
            .await
            .unwrap();
        assert_eq!(warnings.0.len(), 1, "{warnings:?}");
        assert!(warnings.0[0].contains("2026-11-20"), "{warnings:?}");
        assert!(warnings.0[0].contains("2026-11-26"), "{warnings:?}");
        assert_eq!(v.action().fields.due_on, Some(day("2026-11-20")));
        assert!(v.overdue);
        assert_eq!(v.days_overdue, 6);
        assert_eq!(app.action(&v.key.to_string()).await.unwrap(), v);
        // Today and later: no warning, not overdue.
        for due in ["2026-11-26", "2027-01-01", ""] {
            let (v, warnings) = app
                .create_action(&key, &draft("Add a spare router", ADA, (3, 3, 3), due), "M")
                .await
                .unwrap();
            assert!(warnings.0.is_empty(), "{due}: {warnings:?}");
            assert!(!v.overdue);
            assert_eq!(v.days_overdue, 0);
        }
        // An edit that keeps the past date says nothing; a new past date warns.
        let (r, version) = handle(&v);
        let (v2, warnings) = app
            .update_action(
                &r,
                version,
                &ActionDraft {
                    title: "Patch the edge routers and spares".into(),
                    ..draft("", ADA, (3, 3, 3), "2026-11-20")
                },
                "Ada",
            )
            .await
            .unwrap();
        assert!(warnings.0.is_empty(), "{warnings:?}");
        assert_eq!(v2.action().version, 2);
        let (_, warnings) = app
            .update_action(
                &r,
                2,
                &ActionDraft {
                    title: "Patch the edge routers and spares".into(),
                    ..draft("", ADA, (3, 3, 3), "2026-11-21")
                },
                "Ada",
            )
            .await
            .unwrap();
        assert_eq!(warnings.0.len(), 1);
        let history = app.action_history(&r).await.unwrap();
        let what: Vec<(&str, &str)> = history
            .iter()
            .map(|h| (h.what.as_str(), h.detail.as_str()))
            .collect();
        assert_eq!(
            what,
            [("created", ""), ("edited", "title"), ("edited", "due_on")]
        );
        // An edit that changes nothing is no new version.
        let (same, _) = app
            .update_action(
                &r,
                3,
                &ActionDraft {
                    title: "Patch the edge routers and spares".into(),
                    ..draft("", ADA, (3, 3, 3), "2026-11-21")
                },
                "Ada",
            )
            .await
            .unwrap();
        assert_eq!(same.action().version, 3);
        assert_eq!(app.action_history(&r).await.unwrap().len(), 3);
    })
    .await;
}

#[tokio::test]
async fn the_workflow_refuses_jumps_naming_the_allowed_moves() {
    each_app(|app, _| async move {
        add_people(&app).await;
        let key = new_incident(&app, "Outage").await;
        let v = create(
            &app,
            &key,
            &draft("Add a canary stage", ADA, (3, 3, 3), "2026-12-31"),
        )
        .await;
        let r = v.key.to_string();
        let refuse = |version: i64, to: ActionStatus, note: &'static str| {
            let app = app.clone();
            let r = r.clone();
            async move {
                app.move_action(&r, version, to, note, "Ada")
                    .await
                    .unwrap_err()
            }
        };

        let err = refuse(1, ActionStatus::Done, "").await;
        assert!(
            message(&err, "status").contains("from open it can move to in_progress, cancelled"),
            "{err}"
        );
        let err = refuse(1, ActionStatus::Blocked, "").await;
        assert!(
            message(&err, "status").contains("in_progress, cancelled"),
            "{err}"
        );
        // `verified` is never a plain move…
        let err = refuse(1, ActionStatus::Verified, "").await;
        assert!(message(&err, "status").contains("evidence"), "{err}");
        // …and verifying an open action names where it can go instead.
        let err = app
            .verify_action(
                &r,
                1,
                &VerifyInput {
                    evidence: "It works".into(),
                    ..Default::default()
                },
                "Ada",
            )
            .await
            .unwrap_err();
        let m = message(&err, "status");
        assert!(m.contains("only reachable from `done`"), "{err}");
        assert!(m.contains("in_progress, cancelled"), "{err}");
        // A cancellation needs its reason.
        let err = refuse(1, ActionStatus::Cancelled, "   ").await;
        assert_eq!(fields(&err), ["reason"]);
        let same = app.action(&r).await.unwrap();
        assert_eq!(
            (same.action().status, same.action().version),
            (ActionStatus::Open, 1)
        );
        assert_eq!(app.action_history(&r).await.unwrap().len(), 1);

        let v = step(&app, &v, ActionStatus::InProgress, "").await;
        let v = step(&app, &v, ActionStatus::Blocked, "waiting for the vendor").await;
        assert_eq!(v.action().version, 3);
        let err = refuse(3, ActionStatus::Done, "").await;
        assert!(
            message(&err, "status").contains("from blocked it can move to in_progress, cancelled"),
            "{err}"
        );
        let v = step(&app, &v, ActionStatus::InProgress, "").await;
        let err = refuse(4, ActionStatus::Open, "").await;
        assert!(
            message(&err, "status").contains("blocked, done, cancelled"),
            "{err}"
        );
        step(&app, &v, ActionStatus::Done, "").await;
        let err = refuse(5, ActionStatus::Cancelled, "too late").await;
        assert!(
            message(&err, "status").contains("verified, in_progress"),
            "{err}"
        );
        let v = app
            .verify_action(
                &r,
                5,
                &VerifyInput {
                    evidence: "Canary caught a bad config in the drill".into(),
                    ..Default::default()
                },
                "Priya",
            )
            .await
            .unwrap();
        assert_eq!(v.action().status, ActionStatus::Verified);
        for to in ActionStatus::ALL {
            let err = refuse(6, *to, "reason").await;
            let m = message(&err, "status");
            assert!(
                m.contains("cannot change status any more") || m.contains("evidence"),
                "{to}: {err}"
            );
        }
        assert_eq!(app.action(&r).await.unwrap().action().version, 6);

        // Cancelled with a reason from any open state; then final.
        let c = create(
            &app,
            &key,
            &draft("Add a second canary", GRACE, (1, 1, 1), ""),
        )
        .await;
        let c = step(&app, &c, ActionStatus::Cancelled, "  Superseded by A1 ").await;
        assert_eq!(c.action().cancel_reason, "Superseded by A1");
        let (cr, cv) = handle(&c);
        let err = app
            .move_action(&cr, cv, ActionStatus::InProgress, "", "Ada")
            .await
            .unwrap_err();
        assert!(
            message(&err, "status").contains("cannot change status any more"),
            "{err}"
        );

        let moves: Vec<(Option<ActionStatus>, Option<ActionStatus>, String)> = app
            .action_history(&r)
            .await
            .unwrap()
            .into_iter()
            .map(|h| (h.from_status, h.to_status, h.what))
            .collect();
        use ActionStatus::*;
        assert_eq!(
            moves,
            [
                (None, Some(Open), "created".to_owned()),
                (Some(Open), Some(InProgress), "status".into()),
                (Some(InProgress), Some(Blocked), "status".into()),
                (Some(Blocked), Some(InProgress), "status".into()),
                (Some(InProgress), Some(Done), "status".into()),
                (Some(Done), Some(Verified), "verified".into()),
            ]
        );
    })
    .await;
}

/// An action created on `2026-11-20`, started on the 21st and done on the
/// 22nd (today is the 26th).
async fn done_on_the_22nd(app: &App, key: &str, title: &str) -> ActionView {
    let v = at(app, "2026-11-20T09:00:00Z")
        .create_action(key, &draft(title, ADA, (4, 4, 2), "2026-11-30"), "Marta")
        .await
        .unwrap()
        .0;
    let v = step(
        &at(app, "2026-11-21T09:00:00Z"),
        &v,
        ActionStatus::InProgress,
        "",
    )
    .await;
    let v = step(&at(app, "2026-11-22T09:00:00Z"), &v, ActionStatus::Done, "").await;
    assert_eq!(v.action().done_on, Some(day("2026-11-22")));
    v
}

#[tokio::test]
async fn verification_needs_done_evidence_and_a_date_from_done_to_today() {
    each_app(|app, _| async move {
        add_people(&app).await;
        let key = new_incident(&app, "Ransomware").await;
        let v = done_on_the_22nd(&app, &key, "Separate the backup credentials").await;
        let (r, version) = handle(&v);
        let verify = |on: &'static str, evidence: &'static str| {
            let app = app.clone();
            let r = r.clone();
            async move {
                app.verify_action(
                    &r,
                    version,
                    &VerifyInput {
                        verified_on: on.into(),
                        verified_by: String::new(),
                        evidence: evidence.into(),
                    },
                    "Priya Raman",
                )
                .await
            }
        };
        let err = verify("2026-11-24", "  ").await.unwrap_err();
        assert_eq!(fields(&err), ["evidence"]);
        let err = verify("2026-11-27", "Restore drill").await.unwrap_err();
        assert!(message(&err, "verified_on").contains("future"), "{err}");
        let err = verify("2026-11-21", "Restore drill").await.unwrap_err();
        assert!(
            message(&err, "verified_on").contains("before the action was done (2026-11-22)"),
            "{err}"
        );
        let err = verify("26/11/2026", "Restore drill").await.unwrap_err();
        assert_eq!(fields(&err), ["verified_on"]);
        let still = app.action(&r).await.unwrap();
        assert_eq!(still.action().status, ActionStatus::Done);
        assert_eq!(still.action().verification, None);
        assert_eq!(still.action().version, version);

        // The done date itself is allowed; who defaults to the actor.
        let verified = verify("2026-11-22", " Restore drill passed ")
            .await
            .unwrap();
        assert_eq!(verified.action().status, ActionStatus::Verified);
        let proof = verified.action().verification.clone().unwrap();
        assert_eq!(proof.verified_on, day("2026-11-22"));
        assert_eq!(proof.verified_by, "Priya Raman");
        assert_eq!(proof.evidence, "Restore drill passed");
        let last = app.action_history(&r).await.unwrap().pop().unwrap();
        assert_eq!(last.what, "verified");
        assert!(last.detail.contains("Restore drill passed"), "{last:?}");

        // An empty date is today; someone else can be named.
        let other = done_on_the_22nd(&app, &key, "Rotate the backup keys").await;
        let (r2, v2) = handle(&other);
        let verified = app
            .verify_action(
                &r2,
                v2,
                &VerifyInput {
                    verified_on: String::new(),
                    verified_by: "Tomás Ortega".into(),
                    evidence: "Key age dashboard is green".into(),
                },
                "Marta",
            )
            .await
            .unwrap();
        let proof = verified.action().verification.clone().unwrap();
        assert_eq!(proof.verified_on, day("2026-11-26"));
        assert_eq!(proof.verified_by, "Tomás Ortega");

        // Not done yet: refused.
        let open = create(&app, &key, &draft("Add restore tests", ADA, (2, 2, 2), "")).await;
        let open = step(&app, &open, ActionStatus::InProgress, "").await;
        let (r3, v3) = handle(&open);
        let err = app
            .verify_action(
                &r3,
                v3,
                &VerifyInput {
                    evidence: "Looks fine".into(),
                    ..Default::default()
                },
                "Marta",
            )
            .await
            .unwrap_err();
        assert!(
            message(&err, "status").contains("only reachable from `done`"),
            "{err}"
        );
    })
    .await;
}

#[tokio::test]
async fn reopening_a_done_action_clears_its_done_date() {
    each_app(|app, _| async move {
        add_people(&app).await;
        let key = new_incident(&app, "Ransomware").await;
        let v = done_on_the_22nd(&app, &key, "Separate the backup credentials").await;
        let reopened = step(&app, &v, ActionStatus::InProgress, "the drill failed").await;
        assert_eq!(reopened.action().status, ActionStatus::InProgress);
        assert_eq!(reopened.action().done_on, None);
        let stored = app.action(&reopened.key.to_string()).await.unwrap();
        assert_eq!(stored.action().done_on, None);
        let last = app
            .action_history(&reopened.key.to_string())
            .await
            .unwrap()
            .pop()
            .unwrap();
        assert_eq!(
            (last.from_status, last.to_status, last.detail.as_str()),
            (
                Some(ActionStatus::Done),
                Some(ActionStatus::InProgress),
                "the drill failed"
            )
        );
        // Done again today: the new date counts.
        let again = step(&app, &reopened, ActionStatus::Done, "").await;
        assert_eq!(again.action().done_on, Some(day("2026-11-26")));
    })
    .await;
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_and_changes_nothing() {
    each_app(|app, _| async move {
        add_people(&app).await;
        let key = new_incident(&app, "Outage").await;
        let v = create(
            &app,
            &key,
            &draft("Add a canary stage", ADA, (3, 3, 3), "2026-12-31"),
        )
        .await;
        let r = v.key.to_string();
        let moved = step(&app, &v, ActionStatus::InProgress, "").await;
        assert_eq!(moved.action().version, 2);
        let conflict = |err: AppError| {
            assert!(
                matches!(
                    err,
                    AppError::Conflict {
                        current_version: Some(2),
                        ..
                    }
                ),
                "{err:?}"
            )
        };
        conflict(
            app.move_action(&r, 1, ActionStatus::Cancelled, "stale", "Grace")
                .await
                .unwrap_err(),
        );
        conflict(
            app.update_action(
                &r,
                1,
                &draft("Add a canary stage everywhere", GRACE, (5, 5, 1), ""),
                "Grace",
            )
            .await
            .unwrap_err(),
        );
        conflict(
            app.verify_action(
                &r,
                1,
                &VerifyInput {
                    evidence: "x".into(),
                    ..Default::default()
                },
                "Grace",
            )
            .await
            .unwrap_err(),
        );
        assert_eq!(app.action(&r).await.unwrap(), moved);
        assert_eq!(app.action_history(&r).await.unwrap().len(), 2);
        // The current version goes through.
        let (edited, _) = app
            .update_action(
                &r,
                2,
                &draft("Add a canary stage everywhere", GRACE, (5, 5, 1), ""),
                "Grace",
            )
            .await
            .unwrap();
        assert_eq!(edited.action().version, 3);
        assert_eq!(edited.record.owner.email, GRACE);
        assert_eq!(edited.action().status, ActionStatus::InProgress);
        let last = app.action_history(&r).await.unwrap().pop().unwrap();
        assert_eq!(last.detail, "title, owner, due_on, scoring");
    })
    .await;
}

/// Title, owner, scores, due date and an override with its justification.
type Seed = (
    &'static str,
    &'static str,
    (i64, i64, i64),
    &'static str,
    Option<(&'static str, &'static str)>,
);

/// Seven open actions, one done and one cancelled on one incident.
async fn seven_open(app: &App, key: &str) {
    let specs: [Seed; 7] = [
        (
            "Separate the backup credentials",
            ADA,
            (5, 5, 2),
            "2026-12-01",
            None,
        ),
        (
            "Inventory the service accounts",
            GRACE,
            (4, 4, 3),
            "2026-12-15",
            None,
        ),
        (
            "Block macros from external senders",
            ADA,
            (4, 5, 1),
            "2026-11-20",
            None,
        ),
        (
            "Write the ransomware runbook",
            GRACE,
            (3, 5, 3),
            "",
            Some(("P2", "The board wants it before the audit")),
        ),
        (
            "Limit the helpdesk exports",
            ADA,
            (4, 4, 2),
            "2026-12-20",
            None,
        ),
        (
            "Train the helpdesk on callbacks",
            GRACE,
            (3, 3, 2),
            "2026-11-25",
            None,
        ),
        ("Rename the alert channel", ADA, (1, 2, 5), "", None),
    ];
    for (title, owner, scores, due, priority) in specs {
        let mut d = draft(title, owner, scores, due);
        if let Some((p, why)) = priority {
            d.priority_override = p.into();
            d.override_justification = why.into();
        }
        create(app, key, &d).await;
    }
    let done = create(
        app,
        key,
        &draft("Rotate the admin passwords", ADA, (5, 5, 1), ""),
    )
    .await;
    let done = step(app, &done, ActionStatus::InProgress, "").await;
    step(app, &done, ActionStatus::Done, "").await;
    let gone = create(
        app,
        key,
        &draft("Replace the tape library", GRACE, (5, 5, 1), ""),
    )
    .await;
    step(app, &gone, ActionStatus::Cancelled, "Moved to the cloud").await;
}

#[tokio::test]
async fn the_portfolio_ranks_open_actions_with_their_score_and_priority() {
    each_app(|app, _| async move {
        add_people(&app).await;
        let key = new_incident(&app, "Ransomware").await;
        seven_open(&app, &key).await;
        let page = app
            .list_actions(&ActionQuery {
                open: true,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(page.total, 7);
        assert_eq!(page.next, None);
        let rows: Vec<(String, &str, String, Priority, Priority, bool)> = page
            .items
            .iter()
            .map(|v| {
                (
                    v.key.to_string(),
                    v.action().fields.title.as_str(),
                    v.score.to_string(),
                    v.priority,
                    v.computed_priority,
                    v.overdue,
                )
            })
            .collect();
        let k = |n: u32| format!("{key}-A{n}");
        use Priority::*;
        assert_eq!(
            rows,
            [
                // 4×5÷1 = 20
                (
                    k(3),
                    "Block macros from external senders",
                    "20.00".into(),
                    P1,
                    P1,
                    true
                ),
                // 5×5÷2 = 12.50
                (
                    k(1),
                    "Separate the backup credentials",
                    "12.50".into(),
                    P1,
                    P1,
                    false
                ),
                // 4×4÷2 = 8
                (
                    k(5),
                    "Limit the helpdesk exports",
                    "8.00".into(),
                    P2,
                    P2,
                    false
                ),
                // 3×5÷3 = 5, overridden from P3 to P2
                (
                    k(4),
                    "Write the ransomware runbook",
                    "5.00".into(),
                    P2,
                    P3,
                    false
                ),
                // 4×4÷3 = 5.33
                (
                    k(2),
                    "Inventory the service accounts",
                    "5.33".into(),
                    P3,
                    P3,
                    false
                ),
                // 3×3÷2 = 4.50
                (
                    k(6),
                    "Train the helpdesk on callbacks",
                    "4.50".into(),
                    P3,
                    P3,
                    true
                ),
                // 1×2÷5 = 0.40
                (
                    k(7),
                    "Rename the alert channel",
                    "0.40".into(),
                    P4,
                    P4,
                    false
                ),
            ]
        );
        let overdue: Vec<i64> = page.items.iter().map(|v| v.days_overdue).collect();
        assert_eq!(overdue, [6, 0, 0, 0, 0, 1, 0]);
        // Without `open`, the done and cancelled ones are there too, ranked.
        let all = everything(&app).await;
        assert_eq!(all.len(), 9);
        assert_eq!(
            titles(&all[..2]),
            ["Rotate the admin passwords", "Replace the tape library"]
        );
        assert!(
            all.iter()
                .all(|v| !v.overdue || v.action().status.is_open())
        );
        // The same open list by explicit statuses.
        let explicit = app
            .list_actions(&ActionQuery {
                statuses: vec![
                    ActionStatus::Open,
                    ActionStatus::InProgress,
                    ActionStatus::Blocked,
                ],
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(titles(&explicit.items), titles(&page.items));
        let closed = app
            .list_actions(&ActionQuery {
                statuses: vec![ActionStatus::Done],
                open: true,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(closed.total, 8);
    })
    .await;
}

#[tokio::test]
async fn overdue_is_decided_on_the_organisations_date() {
    each_app(|utc, env| async move {
        add_people(&utc).await;
        let key = new_incident(&utc, "Outage").await;
        // 2026-11-26T12:00Z is already 2026-11-27 01:00 in Auckland (NZDT).
        let auckland = env
            .app(Settings {
                time_zone: TimeZone::get("Pacific/Auckland").unwrap(),
                ..Default::default()
            })
            .await;
        assert_eq!(utc.today(), day("2026-11-26"));
        assert_eq!(auckland.today(), day("2026-11-27"));
        let (v, warnings) = utc
            .create_action(
                &key,
                &draft("Patch the edge routers", ADA, (3, 3, 3), "2026-11-26"),
                "Marta",
            )
            .await
            .unwrap();
        assert!(warnings.0.is_empty());
        assert!(!v.overdue);
        let r = v.key.to_string();
        let there = auckland.action(&r).await.unwrap();
        assert!(there.overdue);
        assert_eq!(there.days_overdue, 1);
        let overdue_only = ActionQuery {
            overdue: true,
            ..Default::default()
        };
        assert_eq!(utc.list_actions(&overdue_only).await.unwrap().total, 0);
        let page = auckland.list_actions(&overdue_only).await.unwrap();
        assert_eq!(titles(&page.items), ["Patch the edge routers"]);
        assert!(page.items[0].overdue);
        // The same due date typed in Auckland is already past there.
        let (_, warnings) = auckland
            .create_action(
                &key,
                &draft("Patch the spare routers", ADA, (3, 3, 3), "2026-11-26"),
                "Marta",
            )
            .await
            .unwrap();
        assert_eq!(warnings.0.len(), 1, "{warnings:?}");
        // Notices follow the same date.
        assert_eq!(utc.notify_overdue().await.unwrap(), 0);
        assert_eq!(auckland.notify_overdue().await.unwrap(), 2);
        // A west-of-UTC zone is still on the 26th at 05:00Z.
        let honolulu = at(
            &env.app(Settings {
                time_zone: TimeZone::get("Pacific/Honolulu").unwrap(),
                ..Default::default()
            })
            .await,
            "2026-11-27T05:00:00Z",
        );
        assert_eq!(honolulu.today(), day("2026-11-26"));
        assert!(!honolulu.action(&r).await.unwrap().overdue);
        assert!(
            at(&utc, "2026-11-27T05:00:00Z")
                .action(&r)
                .await
                .unwrap()
                .overdue
        );
    })
    .await;
}

#[tokio::test]
async fn the_portfolio_filters_by_owner_incident_priority_type_and_overdue() {
    each_app(|app, _| async move {
        add_people(&app).await;
        let one = new_incident(&app, "Ransomware").await;
        let two = new_incident(&app, "Outage").await;
        seven_open(&app, &one).await;
        let mut detect = draft("Alert on config changes", GRACE, (4, 3, 1), "2026-11-01");
        detect.action_type = "detect".into();
        create(&app, &two, &detect).await;
        let mut docs = draft("Document the rollback", ADA, (2, 2, 2), "");
        docs.action_type = "documentation".into();
        create(&app, &two, &docs).await;

        let q = |q: ActionQuery| {
            let app = app.clone();
            async move {
                let page = app
                    .list_actions(&ActionQuery { open: true, ..q })
                    .await
                    .unwrap();
                assert_eq!(page.items.len() as u64, page.total);
                page.items
            }
        };
        let of_two = q(ActionQuery {
            incident: Some(two.clone()),
            ..Default::default()
        })
        .await;
        assert_eq!(
            titles(&of_two),
            ["Alert on config changes", "Document the rollback"]
        );
        assert!(
            of_two
                .iter()
                .all(|v| v.record.incident_key.to_string() == two)
        );

        let grace = q(ActionQuery {
            owner: Some("Grace@Example.org".into()),
            ..Default::default()
        })
        .await;
        assert_eq!(
            titles(&grace),
            [
                "Alert on config changes",
                "Write the ransomware runbook",
                "Inventory the service accounts",
                "Train the helpdesk on callbacks"
            ]
        );
        let grace_id = app.person(GRACE).await.unwrap().unwrap().id.to_string();
        let by_id = q(ActionQuery {
            owner: Some(grace_id),
            ..Default::default()
        })
        .await;
        assert_eq!(titles(&by_id), titles(&grace));

        let p1 = q(ActionQuery {
            priorities: vec![Priority::P1],
            ..Default::default()
        })
        .await;
        assert_eq!(
            titles(&p1),
            [
                "Block macros from external senders",
                "Separate the backup credentials",
                "Alert on config changes"
            ]
        );
        assert!(p1.iter().all(|v| v.priority == Priority::P1));
        // The override counts: the runbook is P2, not P3.
        let p2 = q(ActionQuery {
            priorities: vec![Priority::P2],
            ..Default::default()
        })
        .await;
        assert_eq!(
            titles(&p2),
            ["Limit the helpdesk exports", "Write the ransomware runbook"]
        );
        let types = q(ActionQuery {
            types: vec![ActionType::Detect, ActionType::Documentation],
            ..Default::default()
        })
        .await;
        assert_eq!(
            titles(&types),
            ["Alert on config changes", "Document the rollback"]
        );
        let overdue = q(ActionQuery {
            overdue: true,
            ..Default::default()
        })
        .await;
        assert_eq!(
            titles(&overdue),
            [
                "Block macros from external senders",
                "Alert on config changes",
                "Train the helpdesk on callbacks"
            ]
        );
        assert!(overdue.iter().all(|v| v.overdue && v.days_overdue > 0));
        let combined = q(ActionQuery {
            incident: Some(one.clone()),
            owner: Some(GRACE.into()),
            overdue: true,
            priorities: vec![Priority::P3],
            ..Default::default()
        })
        .await;
        assert_eq!(titles(&combined), ["Train the helpdesk on callbacks"]);

        let err = app
            .list_actions(&ActionQuery {
                owner: Some("nobody@example.org".into()),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_eq!(fields(&err), ["owner"]);
        assert!(matches!(
            app.list_actions(&ActionQuery {
                incident: Some("INC-2026-0099".into()),
                ..Default::default()
            })
            .await,
            Err(AppError::NotFound(_))
        ));
    })
    .await;
}

#[tokio::test]
async fn the_cursor_pages_through_everything_once() {
    each_app(|app, _| async move {
        add_people(&app).await;
        let key = new_incident(&app, "Ransomware").await;
        seven_open(&app, &key).await;
        let full = everything(&app).await;
        assert_eq!(full.len(), 9);
        for limit in [1, 2, 4, 9, 10] {
            let mut seen = Vec::new();
            let mut after = None;
            let mut pages = 0;
            loop {
                let page = app
                    .list_actions(&ActionQuery {
                        after: after.clone(),
                        limit: Some(limit),
                        ..Default::default()
                    })
                    .await
                    .unwrap();
                assert_eq!(page.total, 9);
                assert!(page.items.len() <= limit as usize);
                seen.extend(page.items);
                pages += 1;
                match page.next {
                    Some(n) => after = Some(n),
                    None => break,
                }
            }
            assert_eq!(seen, full, "limit {limit}");
            assert_eq!(pages, 9usize.div_ceil(limit as usize), "limit {limit}");
        }
        let open_pages = app
            .list_actions(&ActionQuery {
                open: true,
                limit: Some(4),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!((open_pages.items.len(), open_pages.total), (4, 7));
        let rest = app
            .list_actions(&ActionQuery {
                open: true,
                limit: Some(4),
                after: open_pages.next,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!((rest.items.len(), rest.next), (3, None));
        for bad in ["xyz", "o-1", "12"] {
            let err = app
                .list_actions(&ActionQuery {
                    after: Some(bad.into()),
                    ..Default::default()
                })
                .await
                .unwrap_err();
            assert_eq!(fields(&err), ["cursor"], "{bad}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_follow_up_snapshots_every_action_and_needs_one() {
    each_app(|app, _| async move {
        add_people(&app).await;
        let empty = new_incident(&app, "Quiet").await;
        let err = app.take_follow_up(&empty, "", "Marta").await.unwrap_err();
        assert!(
            matches!(err, AppError::NotAllowed(ref m) if m.contains(&empty)),
            "{err:?}"
        );
        assert!(app.follow_ups(&empty).await.unwrap().is_empty());

        let key = new_incident(&app, "Ransomware").await;
        seven_open(&app, &key).await;
        let f = app
            .take_follow_up(&key, "  Second session  ", "Marta")
            .await
            .unwrap();
        assert_eq!(f.taken_at, NOON.parse::<jiff::Timestamp>().unwrap());
        assert_eq!(
            (f.actor.as_str(), f.note.as_str()),
            ("Marta", "Second session")
        );
        let numbers: Vec<u32> = f.items.iter().map(|i| i.number).collect();
        assert_eq!(numbers, (1..=9).collect::<Vec<u32>>());
        let all = everything(&app).await;
        for item in &f.items {
            let v = all
                .iter()
                .find(|v| v.action().id == item.action_id)
                .unwrap();
            assert_eq!(item.status, v.action().status);
            assert_eq!(item.title, v.action().fields.title);
            assert_eq!(item.owner, v.record.owner.name);
            assert_eq!(item.due_on, v.action().fields.due_on);
            assert_eq!(item.overdue, v.overdue);
            assert_eq!(item.priority, v.priority);
        }
        let counts = f.counts();
        assert_eq!(
            counts,
            [
                (ActionStatus::Open, 7),
                (ActionStatus::InProgress, 0),
                (ActionStatus::Blocked, 0),
                (ActionStatus::Done, 1),
                (ActionStatus::Verified, 0),
                (ActionStatus::Cancelled, 1)
            ]
        );
        assert_eq!(
            app.follow_ups(&key).await.unwrap(),
            std::slice::from_ref(&f)
        );
        // A later session records what changed since.
        let a1 = app.action(&format!("{key}-A1")).await.unwrap();
        step(&app, &a1, ActionStatus::InProgress, "").await;
        let later = at(&app, "2026-11-27T09:00:00Z")
            .take_follow_up(&key, "", "Marta")
            .await
            .unwrap();
        assert_eq!(later.items[0].status, ActionStatus::InProgress);
        assert_eq!(app.follow_ups(&key).await.unwrap(), [f, later]);
    })
    .await;
}

#[tokio::test]
async fn the_burn_down_counts_from_history_with_follow_up_points() {
    each_app(|app, _| async move {
        add_people(&app).await;
        let key = new_incident(&app, "Ransomware").await;
        let mut made = Vec::new();
        for (when, title) in [
            ("2026-11-01T09:00:00Z", "Separate the backup credentials"),
            ("2026-11-01T09:01:00Z", "Inventory the service accounts"),
            ("2026-11-01T09:02:00Z", "Block macros from external senders"),
        ] {
            made.push(create(&at(&app, when), &key, &draft(title, ADA, (3, 3, 3), "")).await);
        }
        let a1 = step(
            &at(&app, "2026-11-05T09:00:00Z"),
            &made[0],
            ActionStatus::InProgress,
            "",
        )
        .await;
        let a1 = step(
            &at(&app, "2026-11-10T09:00:00Z"),
            &a1,
            ActionStatus::Done,
            "",
        )
        .await;
        at(&app, "2026-11-12T14:00:00Z")
            .take_follow_up(&key, "first session", "Marta")
            .await
            .unwrap();
        step(
            &at(&app, "2026-11-15T09:00:00Z"),
            &made[1],
            ActionStatus::Cancelled,
            "Superseded",
        )
        .await;
        let (r1, v1) = handle(&a1);
        at(&app, "2026-11-20T09:00:00Z")
            .verify_action(
                &r1,
                v1,
                &VerifyInput {
                    evidence: "Restore drill".into(),
                    ..Default::default()
                },
                "Priya",
            )
            .await
            .unwrap();
        // A change after "now" (a clock behind the data) is not counted.
        let points = at(&app, "2026-11-18T00:00:00Z")
            .burn_down(&key)
            .await
            .unwrap();
        assert_eq!(points.last().unwrap().verified, 0);

        let points = app.burn_down(&key).await.unwrap();
        let got: Vec<(String, u32, u32, u32, u32, bool)> = points
            .iter()
            .map(|p| {
                (
                    p.at.to_string(),
                    p.total,
                    p.open,
                    p.done,
                    p.verified,
                    p.follow_up,
                )
            })
            .collect();
        let row = |at: &str, total, open, done, verified, follow_up| {
            (at.to_owned(), total, open, done, verified, follow_up)
        };
        assert_eq!(
            got,
            [
                row("2026-11-01T09:00:00Z", 1, 1, 0, 0, false),
                row("2026-11-01T09:01:00Z", 2, 2, 0, 0, false),
                row("2026-11-01T09:02:00Z", 3, 3, 0, 0, false),
                // Started: still open.
                row("2026-11-05T09:00:00Z", 3, 3, 0, 0, false),
                row("2026-11-10T09:00:00Z", 3, 2, 1, 0, false),
                row("2026-11-12T14:00:00Z", 3, 2, 1, 0, true),
                // Cancelled: out of scope.
                row("2026-11-15T09:00:00Z", 2, 1, 1, 0, false),
                row("2026-11-20T09:00:00Z", 2, 1, 0, 1, false),
                row(NOON, 2, 1, 0, 1, false),
            ]
        );
        // Edits (no status change) add no point.
        let a3 = app.action(&format!("{key}-A3")).await.unwrap();
        app.update_action(
            &a3.key.to_string(),
            a3.action().version,
            &draft(
                "Block macros from every external sender",
                ADA,
                (3, 3, 3),
                "",
            ),
            "Ada",
        )
        .await
        .unwrap();
        assert_eq!(app.burn_down(&key).await.unwrap(), points);
        let empty = new_incident(&app, "Quiet").await;
        let only_now = app.burn_down(&empty).await.unwrap();
        assert_eq!(only_now.len(), 1);
        assert_eq!((only_now[0].total, only_now[0].open), (0, 0));
    })
    .await;
}

#[tokio::test]
async fn the_csv_export_reads_back_cell_for_cell() {
    each_app(|app, _| async move {
        add_people(&app).await;
        app.add_person(&PersonDraft {
            name: "Byron, \"Ada\" Jr".into(),
            email: "junior@example.org".into(),
            ..Default::default()
        })
        .await
        .unwrap();
        let key = new_incident(&app, "Outage, \"big\"\nand long").await;
        let mut tricky = draft(
            "Add a \"canary\" stage, then roll out",
            "junior@example.org",
            (5, 5, 2),
            "2026-12-01",
        );
        tricky.description = "First line, with a comma\nsecond \"quoted\" line".into();
        tricky.ticket = "OPS-7".into();
        create(&app, &key, &tricky).await;
        let mut formula = draft("Add backups", ADA, (4, 4, 3), "2026-11-20");
        formula.description = "=HYPERLINK(\"http://example.org\",\"x\")".into();
        let f = create(&app, &key, &formula).await;
        step(&app, &f, ActionStatus::Cancelled, "@ops: not needed").await;
        create(&app, &key, &draft("Add dashboards", GRACE, (1, 1, 1), "")).await;

        let text = app.actions_csv(&ActionQuery::default()).await.unwrap();
        // CRLF after every record; the only bare newlines are inside quotes.
        assert!(text.ends_with("\r\n"));
        assert_eq!(text.matches("\r\n").count(), 4, "{text:?}");
        // One in the description, and one in the incident title of each row.
        assert_eq!(
            text.replace("\r\n", "").matches('\n').count(),
            4,
            "{text:?}"
        );

        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        for column in [
            "reference",
            "title",
            "owner",
            "owner_email",
            "due_on",
            "priority",
            "score",
            "status",
            "description",
        ] {
            assert!(header.iter().any(|h| h == column), "{column} in {header:?}");
        }
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 3);
        assert!(rows.iter().all(|r| r.len() == header.len()));
        let cell = |row: usize, name: &str| rows[row][col(name)].to_owned();

        // Ranked: 12.50 (P1), 5.33 (P3), 1.00 (P4).
        assert_eq!(cell(0, "reference"), format!("{key}-A1"));
        assert_eq!(cell(0, "title"), "Add a \"canary\" stage, then roll out");
        assert_eq!(
            cell(0, "description"),
            "First line, with a comma\nsecond \"quoted\" line"
        );
        assert_eq!(cell(0, "incident_title"), "Outage, \"big\"\nand long");
        assert_eq!(cell(0, "owner"), "Byron, \"Ada\" Jr");
        assert_eq!(cell(0, "owner_email"), "junior@example.org");
        assert_eq!(cell(0, "due_on"), "2026-12-01");
        assert_eq!(cell(0, "priority"), "P1");
        assert_eq!(cell(0, "score"), "12.50");
        assert_eq!(cell(0, "ticket"), "OPS-7");
        assert_eq!(cell(0, "status"), "open");
        assert_eq!(cell(0, "overdue"), "no");

        assert_eq!(cell(1, "reference"), format!("{key}-A2"));
        assert_eq!(cell(1, "score"), "5.33");
        assert_eq!(cell(1, "priority"), "P3");
        assert_eq!(cell(1, "status"), "cancelled");
        // Formula-looking cells are neutralised with a leading quote.
        assert_eq!(
            cell(1, "description"),
            "'=HYPERLINK(\"http://example.org\",\"x\")"
        );
        assert_eq!(cell(1, "cancel_reason"), "'@ops: not needed");
        // Cancelled is never overdue, even past its date.
        assert_eq!(
            (cell(1, "overdue"), cell(1, "days_overdue")),
            ("no".into(), "0".into())
        );

        assert_eq!(cell(2, "owner"), "Grace Hopper");
        assert_eq!(cell(2, "due_on"), "");
        assert_eq!(cell(2, "priority"), "P4");

        // The query filters the export like the list.
        let grace_only = app
            .actions_csv(&ActionQuery {
                owner: Some(GRACE.into()),
                ..Default::default()
            })
            .await
            .unwrap();
        let mut reader = csv::ReaderBuilder::new().from_reader(grace_only.as_bytes());
        let titles: Vec<String> = reader
            .records()
            .map(|r| r.unwrap()[col("title")].to_owned())
            .collect();
        assert_eq!(titles, ["Add dashboards"]);
    })
    .await;
}

#[tokio::test]
async fn the_bundle_round_trips_actions_history_people_and_follow_ups() {
    each_app(|app, env| async move {
        app.load_demo().await.unwrap();
        let bundle = app.export_bundle(&[]).await.unwrap();
        assert_eq!(bundle.people.len(), 11);
        let actions: usize = bundle.incidents.iter().map(|i| i.actions.len()).sum();
        let follow_ups: usize = bundle.incidents.iter().map(|i| i.follow_ups.len()).sum();
        // Eight demo actions and one added during the ransomware workshop.
        assert_eq!((actions, follow_ups), (9, 3));
        assert!(
            bundle
                .incidents
                .iter()
                .flat_map(|i| &i.actions)
                .all(|a| !a.history.is_empty())
        );
        let statuses: Vec<&str> = bundle
            .incidents
            .iter()
            .flat_map(|i| &i.actions)
            .map(|a| a.status.as_str())
            .collect();
        for s in ["open", "in_progress", "blocked", "done", "verified"] {
            assert!(statuses.contains(&s), "{s} in {statuses:?}");
        }
        let first = serde_json::to_string_pretty(&bundle).unwrap();

        let (_db, empty) = env.fresh().await;
        let report = empty
            .import_bundle(first.as_bytes(), &nothing)
            .await
            .unwrap();
        assert_eq!((report.incidents_created, report.actions_added), (3, 9));
        let second =
            serde_json::to_string_pretty(&empty.export_bundle(&[]).await.unwrap()).unwrap();
        assert_eq!(first, second);

        // What the actions say is the same on both sides.
        let summary =
            |items: Vec<ActionView>| -> Vec<(String, ActionStatus, Priority, String, bool)> {
                items
                    .into_iter()
                    .map(|v| {
                        (
                            v.key.to_string(),
                            v.action().status,
                            v.priority,
                            v.score.to_string(),
                            v.overdue,
                        )
                    })
                    .collect()
            };
        assert_eq!(
            summary(everything(&app).await),
            summary(everything(&empty).await)
        );
        for key in ["INC-2026-0001", "INC-2026-0002", "INC-2026-0003"] {
            assert_eq!(
                app.burn_down(key).await.unwrap(),
                empty.burn_down(key).await.unwrap(),
                "{key}"
            );
            assert_eq!(
                app.follow_ups(key).await.unwrap(),
                empty.follow_ups(key).await.unwrap(),
                "{key}"
            );
        }
        // Again: nothing new.
        let again = empty
            .import_bundle(first.as_bytes(), &nothing)
            .await
            .unwrap();
        assert_eq!((again.incidents_existing, again.actions_added), (3, 0));
        assert_eq!(
            serde_json::to_string_pretty(&empty.export_bundle(&[]).await.unwrap()).unwrap(),
            first
        );
        // A partial export carries only the owners it needs.
        let partial = app.export_bundle(&["INC-2026-0003".into()]).await.unwrap();
        let emails: Vec<&str> = partial.people.iter().map(|p| p.email.as_str()).collect();
        assert_eq!(
            emails,
            ["aisha.mensah@example.org", "jordan.lee@example.org"]
        );
    })
    .await;
}

#[tokio::test]
async fn a_bundle_action_with_an_unknown_owner_is_refused_by_place_and_keeps_nothing() {
    each_app(|app, env| async move {
        app.load_demo().await.unwrap();
        let mut bundle = serde_json::to_value(app.export_bundle(&[]).await.unwrap()).unwrap();
        let missing = "jordan.lee@example.org";
        bundle["people"]
            .as_array_mut()
            .unwrap()
            .retain(|p| p["email"] != missing);
        let (i, j) = bundle["incidents"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .find_map(|(i, inc)| {
                inc["actions"]
                    .as_array()?
                    .iter()
                    .position(|a| a["owner"] == missing)
                    .map(|j| (i, j))
            })
            .unwrap();
        let text = serde_json::to_string(&bundle).unwrap();

        let (_db, empty) = env.fresh().await;
        let err = empty
            .import_bundle(text.as_bytes(), &nothing)
            .await
            .unwrap_err();
        let field = format!("incidents[{i}].actions[{j}].owner");
        assert_eq!(fields(&err), std::slice::from_ref(&field));
        assert!(message(&err, &field).contains(missing), "{err}");
        assert_eq!(empty.store().count_incidents().await.unwrap(), 0);
        assert!(empty.people().await.unwrap().is_empty());
        assert!(empty.rates().await.unwrap().is_empty());
        assert!(everything(&empty).await.is_empty());

        // Known here already: the same bundle imports.
        empty
            .add_person(&PersonDraft {
                name: "Jordan Lee".into(),
                email: "Jordan.Lee@example.org".into(),
                ..Default::default()
            })
            .await
            .unwrap();
        let report = empty
            .import_bundle(text.as_bytes(), &nothing)
            .await
            .unwrap();
        // Eight demo actions, and the one added during the ransomware
        // workshop.
        assert_eq!(report.actions_added, 9);
        let owned = empty
            .list_actions(&ActionQuery {
                owner: Some(missing.into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(owned.total, 1);
    })
    .await;
}

#[tokio::test]
async fn overdue_notices_go_out_once_per_action_and_due_date() {
    each_app(|app, _| async move {
        add_people(&app).await;
        let key = new_incident(&app, "Outage").await;
        let late = create(
            &app,
            &key,
            &draft("Patch the edge routers", ADA, (3, 3, 3), "2026-11-20"),
        )
        .await;
        let blocked = create(
            &app,
            &key,
            &draft("Replace the core switch", GRACE, (3, 3, 3), "2026-11-25"),
        )
        .await;
        let blocked = step(&app, &blocked, ActionStatus::InProgress, "").await;
        step(&app, &blocked, ActionStatus::Blocked, "vendor").await;
        create(
            &app,
            &key,
            &draft("Add a spare uplink", ADA, (3, 3, 3), "2026-11-26"),
        )
        .await;
        let done = create(
            &app,
            &key,
            &draft("Document the topology", ADA, (3, 3, 3), "2026-11-01"),
        )
        .await;
        let done = step(&app, &done, ActionStatus::InProgress, "").await;
        step(&app, &done, ActionStatus::Done, "").await;

        assert_eq!(app.notify_overdue().await.unwrap(), 2);
        assert_eq!(app.notify_overdue().await.unwrap(), 0);
        // Tomorrow the action due today is overdue too; the others were sent.
        let tomorrow = at(&app, "2026-11-27T12:00:00Z");
        assert_eq!(tomorrow.notify_overdue().await.unwrap(), 1);
        assert_eq!(tomorrow.notify_overdue().await.unwrap(), 0);
        // A new due date, missed again, deserves a new notice.
        let (r, version) = handle(&late);
        app.update_action(
            &r,
            version,
            &draft("Patch the edge routers", ADA, (3, 3, 3), "2026-11-24"),
            "Ada",
        )
        .await
        .unwrap();
        assert_eq!(app.notify_overdue().await.unwrap(), 1);
        assert_eq!(app.notify_overdue().await.unwrap(), 0);
        // Several instances at once still send each notice once.
        let later = at(&app, "2026-12-31T12:00:00Z");
        create(
            &app,
            &key,
            &draft("Add a third uplink", ADA, (3, 3, 3), "2026-12-01"),
        )
        .await;
        let runs: Vec<_> = (0..4)
            .map(|_| {
                let later = later.clone();
                tokio::spawn(async move { later.notify_overdue().await.unwrap() })
            })
            .collect();
        let mut sent = 0;
        for run in runs {
            sent += run.await.unwrap();
        }
        assert_eq!(sent, 1);
    })
    .await;
}

/// The priority a list shows for an action is the one its priority filter
/// uses, whatever the thresholds (they may have three decimals).
#[tokio::test]
async fn the_priority_shown_is_the_priority_filtered_on() {
    each_app(|_, env| async move {
        // 2×4÷3 = 2.666…: below a P3 threshold of 2.67, though it shows as 2.67.
        let app = env
            .app(Settings {
                priority_policy: PriorityPolicy::parse("12,6,2.67").unwrap(),
                ..Default::default()
            })
            .await;
        add_people(&app).await;
        let key = new_incident(&app, "Outage").await;
        let v = create(&app, &key, &draft("Add a spare router", ADA, (2, 4, 3), "")).await;
        assert_eq!(v.score.to_string(), "2.67");
        let mut filtered_as = Vec::new();
        for p in Priority::ALL {
            let page = app
                .list_actions(&ActionQuery {
                    priorities: vec![p],
                    ..Default::default()
                })
                .await
                .unwrap();
            if page.total > 0 {
                filtered_as.push(p);
            }
        }
        assert_eq!(
            filtered_as,
            [v.priority],
            "the list shows {} but the priority filter finds it under {filtered_as:?}",
            v.priority
        );
    })
    .await;
}
