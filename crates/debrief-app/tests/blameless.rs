//! The blameless-language linter in the product, on SQLite and PostgreSQL:
//! findings over the review, the actions and the timeline; the approval
//! gate and acknowledgements with reasons; the organisation's rules, saved
//! and versioned, changing what is found.

use std::sync::Arc;

use debrief_app::{App, AppError, FixedClock, Settings};
use debrief_core::lint::{LintRule, Matcher, PatternMatcher};
use debrief_core::review::ReviewChange;
use debrief_core::{IncidentDraft, PersonDraft, TimelineEventDraft};
use debrief_testkit::TestDatabase;
use serde_json::json;

async fn each_app<F, Fut>(story: F)
where
    F: Fn(App) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for db in TestDatabase::all().await {
        let store = debrief_store::open(&db.url).await.unwrap();
        eprintln!("story on {}", db.kind);
        let clock = FixedClock("2026-11-26T12:00:00Z".parse().unwrap());
        story(App::new(
            Arc::new(store.clone()),
            Arc::new(clock),
            Settings::default(),
        ))
        .await;
        store.close().await;
    }
}

fn change(v: serde_json::Value) -> ReviewChange {
    serde_json::from_value(v).expect("a review change")
}

/// A review with everything approval needs; `cause` is the root cause.
async fn ready_review(app: &App, cause: &str) -> String {
    let incident = app
        .create_incident(&IncidentDraft {
            title: "Checkout outage".into(),
            category: "availability".into(),
            severity: "high".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let key = incident.key.to_string();
    let changes = [
        json!({"change": "set_text", "section": "summary", "text": "Checkout failed for 39 minutes after a configuration change.", "version": 0}),
        json!({"change": "add_item", "item": {"section": "cause", "kind": "root_cause", "category": "process", "statement": cause}}),
        json!({"change": "add_item", "item": {"section": "lesson", "statement": "Configuration changes need the same canary as code"}}),
    ];
    for c in changes {
        app.change_review(&key, change(c), "Priya").await.unwrap();
    }
    for phase in ["detection", "containment", "eradication", "recovery"] {
        app.change_review(
            &key,
            change(json!({"change": "set_assessment", "phase": phase, "draft": {"rating": "3", "went_well": "Paging worked", "to_improve": "Alert sooner"}, "version": 0})),
            "Priya",
        )
        .await
        .unwrap();
    }
    // The review complete policy: the lesson needs a home before approval.
    let (_, review) = app.review(&key).await.unwrap();
    app.link_lesson(
        &key,
        &review.unwrap().lessons[0].id.to_string(),
        &debrief_core::document::LessonLinkDraft {
            change: "The deployment runbook already covers canaries".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    app.change_review(
        &key,
        change(json!({"change": "transition", "to": "in_review"})),
        "Priya",
    )
    .await
    .unwrap();
    key
}

#[tokio::test]
async fn approval_waits_for_every_finding_to_be_rephrased_or_acknowledged() {
    each_app(|app| async move {
        let key = ready_review(&app, "The engineer should have checked the config, a clear human error").await;
        let findings = app.incident_findings(&key).await.unwrap();
        let rules: Vec<&str> = findings.iter().map(|f| f.finding.rule.as_str()).collect();
        assert!(rules.contains(&"counterfactual"), "{rules:?}");
        assert!(rules.contains(&"human-error"), "{rules:?}");
        assert!(findings.iter().all(|f| f.location.starts_with("causes/") && f.acknowledged.is_none()));

        let approve = || change(json!({"change": "transition", "to": "approved"}));
        match app.change_review(&key, approve(), "Dana").await {
            Err(AppError::NotAllowed(m)) => {
                assert!(m.contains("2 blameless-language findings are still open"), "{m}");
                assert!(m.contains("should have"), "{m}");
            }
            other => panic!("approval went ahead: {other:?}"),
        }
        // Acknowledging needs a reason, and covers only its own finding.
        let f = &findings[0];
        let ack = |reason: &str| {
            change(json!({"change": "acknowledge_finding", "location": f.location,
                          "rule": f.finding.rule, "excerpt": f.finding.excerpt, "reason": reason}))
        };
        assert!(matches!(app.change_review(&key, ack("  "), "Dana").await, Err(AppError::Invalid(_))));
        app.change_review(&key, ack("Quoted from the vendor's own report"), "Dana").await.unwrap();
        let after = app.incident_findings(&key).await.unwrap();
        assert_eq!(after.iter().filter(|f| f.acknowledged.is_some()).count(), 1);
        assert_eq!(after.iter().find(|f| f.acknowledged.is_some()).unwrap().acknowledged.as_ref().unwrap().by, "Dana");
        match app.change_review(&key, approve(), "Dana").await {
            Err(AppError::NotAllowed(m)) => assert!(m.contains("1 blameless-language finding is still open"), "{m}"),
            other => panic!("approval went ahead: {other:?}"),
        }
        // Rephrasing the cause clears the rest; the acknowledgement no
        // longer matches any text, so nothing is hidden by it.
        let (_, review) = app.review(&key).await.unwrap();
        let cause = &review.unwrap().causes[0];
        app.change_review(
            &key,
            change(json!({"change": "update_item", "id": cause.id, "version": cause.version,
                          "draft": {"section": "cause", "kind": "root_cause", "category": "process",
                                    "statement": "The config change skipped the canary stage that code changes go through"}})),
            "Priya",
        )
        .await
        .unwrap();
        assert!(app.incident_findings(&key).await.unwrap().is_empty());
        let approved = app.change_review(&key, approve(), "Dana").await.unwrap();
        assert_eq!(approved.status.as_str(), "approved");
    })
    .await;
}

#[tokio::test]
async fn actions_timeline_and_known_names_are_read_too() {
    each_app(|app| async move {
        let key = ready_review(&app, "The config change skipped the canary stage").await;
        assert!(app.incident_findings(&key).await.unwrap().is_empty());
        app.add_person(&PersonDraft {
            name: "Priya Raman".into(),
            email: "priya@example.org".into(),
            ..Default::default()
        })
        .await
        .unwrap();
        app.create_action(
            &key,
            &serde_json::from_value(
                json!({"title": "Stop careless deploys by adding a canary", "type": "prevent",
                "owner": "priya@example.org", "risk": 3, "impact": 3, "effort": 2}),
            )
            .unwrap(),
            "Priya",
        )
        .await
        .unwrap();
        app.add_event(
            &key,
            &TimelineEventDraft {
                at: "2026-11-03T09:02:14-05:00".into(),
                kind: "action".into(),
                text: "Priya Raman pushed the broken load-balancer configuration".into(),
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
        let findings = app.incident_findings(&key).await.unwrap();
        let found: Vec<(&str, &str)> = findings
            .iter()
            .map(|f| {
                (
                    f.location.split('/').next().unwrap(),
                    f.finding.rule.as_str(),
                )
            })
            .collect();
        assert!(found.contains(&("actions", "judgemental")), "{found:?}");
        assert!(
            found.contains(&("timeline", "person-as-subject")),
            "{found:?}"
        );
        let action = findings
            .iter()
            .find(|f| f.location.starts_with("actions/"))
            .unwrap();
        assert_eq!(action.anchor, format!("/actions/{key}-A1"));
        assert!(matches!(
            app.change_review(
                &key,
                change(json!({"change": "transition", "to": "approved"})),
                "Dana"
            )
            .await,
            Err(AppError::NotAllowed(_))
        ));
    })
    .await;
}

#[tokio::test]
async fn the_organisations_rules_are_saved_versioned_and_used() {
    each_app(|app| async move {
        let builtin = app.lint_rules().await.unwrap();
        assert_eq!(builtin.version, 0);
        let found = app
            .lint_text(
                "We should have rotated the key. It was a blunder by ops.",
                false,
            )
            .await
            .unwrap();
        assert_eq!(found.len(), 1, "{found:?}");

        // Turn the counterfactual rule off and add a phrase of our own.
        let mut rules = builtin.rules.clone().into_rules();
        rules
            .iter_mut()
            .find(|r| r.id == "counterfactual")
            .unwrap()
            .enabled = false;
        rules.push(LintRule {
            id: "blunder".into(),
            matcher: Matcher::Pattern(PatternMatcher {
                phrases: vec!["blunder".into()],
                ..Default::default()
            }),
            message: "“blunder” judges the people".into(),
            why: String::new(),
            suggestion: "Say what happened".into(),
            severity: Default::default(),
            enabled: true,
        });
        let saved = app.save_lint_rules(rules.clone(), 0).await.unwrap();
        assert_eq!(saved.version, 1);
        let found = app
            .lint_text(
                "We should have rotated the key. It was a blunder by ops.",
                false,
            )
            .await
            .unwrap();
        let ids: Vec<&str> = found.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(ids, ["blunder"]);
        assert_eq!((found[0].line, found[0].column), (1, 42));

        // A stale save is a conflict; a bad rule names itself and its field.
        assert!(matches!(
            app.save_lint_rules(rules.clone(), 0).await,
            Err(AppError::Conflict { .. })
        ));
        let mut bad = rules.clone();
        bad.push(LintRule {
            id: "broken".into(),
            matcher: Matcher::Pattern(PatternMatcher {
                regex: Some("(unclosed".into()),
                ..Default::default()
            }),
            message: "x".into(),
            why: String::new(),
            suggestion: String::new(),
            severity: Default::default(),
            enabled: true,
        });
        match app.save_lint_rules(bad, 1).await {
            Err(AppError::Invalid(e)) => {
                assert!(e.iter().any(|e| e.field == "broken.matcher.regex"), "{e:?}")
            }
            other => panic!("saved a broken rule: {other:?}"),
        }
        assert_eq!(app.lint_rules().await.unwrap().version, 1, "nothing saved");
        // Markdown code is not prose.
        let md = "Fine text.\n\n    The root cause was human error.\n";
        assert!(app.lint_text(md, true).await.unwrap().is_empty());
        assert_eq!(app.lint_text(md, false).await.unwrap().len(), 1);
    })
    .await;
}
