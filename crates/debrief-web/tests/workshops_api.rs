//! Workshops over HTTP on a random port, on SQLite and PostgreSQL: the API
//! (check, schedule with warnings, field errors, 409 on a stale version,
//! live notes, lessons and actions, the invite and the minutes, holidays,
//! the policy) and the plain-form pages (the check step before invites,
//! scheduling only once warnings are acknowledged, the workshop page, the
//! facilitation view, the minutes, Settings → Holidays and the policy).

mod common;
use common::start;

use debrief_testkit::TestDatabase;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

async fn seed(c: &Client, base: &str) {
    let r = c
        .post(format!("{base}/api/v1/incidents"))
        .json(
            &json!({"title": "Ransomware", "category": "ransomware", "severity": "critical",
                      "responders": ["Priya Raman"],
                      "timestamps": {"detected": "2026-11-20T10:00Z", "closed": "2026-11-24"}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
    for (name, email) in [
        ("Marta Nowak", "marta@example.org"),
        ("Priya Raman", "priya@example.org"),
        ("Tomás Ortega", "tomas@example.org"),
    ] {
        let r = c
            .post(format!("{base}/api/v1/people"))
            .json(&json!({"name": name, "email": email}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
    }
}

fn body(facilitator: &str, responder: &str) -> Value {
    json!({"starts": "2026-11-27 10:00", "time_zone": "Europe/Paris", "duration_minutes": 90,
           "location": "Room 1", "facilitator": facilitator,
           "attendees": [{"person": responder, "role": "responder"}]})
}

async fn post(c: &Client, url: String, body: Value) -> (StatusCode, Value) {
    let r = c
        .post(url)
        .header("x-debrief-actor", "Marta")
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn workshops_are_checked_scheduled_changed_and_exported_over_the_api() {
    for db in TestDatabase::all().await {
        eprintln!("story on {}", db.kind);
        let base = start(&db).await;
        let c = common::client();
        seed(&c, &base).await;
        let inc = format!("{base}/api/v1/incidents/INC-2026-0001");

        // The check: missing roles and a facilitator who responded.
        let (status, check) = post(
            &c,
            format!("{inc}/workshops/check"),
            body("priya@example.org", "tomas@example.org"),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            check["coverage"]["missing"],
            json!(["it", "management", "legal", "communications"])
        );
        assert!(
            check["facilitator_concerns"][0]
                .as_str()
                .unwrap()
                .contains("is a responder")
        );
        assert_eq!(check["review_due"]["due_on"], "2026-11-27");
        assert!(!check["warnings"].as_array().unwrap().is_empty());

        // Bad input: 422 naming each field; nothing scheduled.
        let (status, problem) = post(
            &c,
            format!("{inc}/workshops"),
            json!({"starts": "soon", "duration_minutes": 9, "facilitator": "x@example.org", "kind": "party"}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            fields(&problem),
            [
                "kind",
                "facilitator",
                "starts",
                "duration_minutes",
                "location"
            ]
        );
        let (status, problem) = post(&c, format!("{inc}/workshops"), json!({"starts": "x"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        let listed: Value = c
            .get(format!("{inc}/workshops"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(listed, json!([]));

        // Scheduled, with the warnings.
        let (status, saved) = post(
            &c,
            format!("{inc}/workshops"),
            body("marta@example.org", "priya@example.org"),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{saved}");
        assert!(saved["warnings"][0].as_str().unwrap().contains("IT"));
        let w = &saved["workshop"];
        let id = w["id"].as_str().unwrap().to_owned();
        assert_eq!(
            (w["sequence"].as_u64(), w["version"].as_i64()),
            (Some(0), Some(1))
        );
        assert_eq!(w["starts_local"], "2026-11-27T10:00:00+01:00");
        let url = format!("{base}/api/v1/workshops/{id}");

        // A stale version is 409 with the current version; without one the
        // change lands on the current version.
        let add = json!({"change": "add_attendee", "person": "tomas@example.org", "role": "it"});
        let (status, v) = post(&c, format!("{url}/changes?version=1"), add.clone()).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        assert_eq!(v["sequence"], 1);
        let (status, problem) = post(
            &c,
            format!("{url}/changes?version=1"),
            json!({"change": "cancel", "reason": "x"}),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(problem["current_version"], 2);
        let (status, problem) = post(&c, format!("{url}/changes"), json!({"change": "set_attendance", "person": "tomas@example.org", "attendance": "attended"})).await;
        assert_eq!(
            (status, fields(&problem)),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                vec!["attendance".to_owned()]
            )
        );
        let (status, problem) =
            post(&c, format!("{url}/changes"), json!({"change": "explode"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        let (status, _) = post(
            &c,
            format!("{url}/changes"),
            json!({"change": "add_note", "item": 1, "kind": "decision", "text": "Isolate first"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let (status, v) = post(
            &c,
            format!("{url}/lessons"),
            json!({"statement": "Backups need their own credentials", "item": 7}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        let (status, v) = post(
            &c,
            format!("{url}/actions"),
            json!({"item": 8, "action": {"title": "Rehearse the restore runbook", "type": "respond",
                   "owner": "tomas@example.org", "risk": 3, "impact": 4, "effort": 2}}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        assert_eq!(v["action"]["reference"], "INC-2026-0001-A1");
        assert_eq!(v["workshop"]["notes"].as_array().unwrap().len(), 3);

        // The invite and the minutes.
        let r = c.get(format!("{url}/invite.ics")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(
            r.headers()["content-type"],
            "text/calendar; charset=utf-8; method=REQUEST"
        );
        assert!(
            r.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains("INC-2026-0001-lessons-learned-2026-11-27.ics")
        );
        let ics = r.text().await.unwrap();
        assert!(ics.contains("SEQUENCE:1\r\n") && ics.contains("X-DEBRIEF-ROLE=it"));
        let md = c
            .get(format!("{url}/minutes"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            md.contains("## Decisions") && md.contains("Isolate first"),
            "{md}"
        );
        let r = c
            .get(format!("{url}/minutes?format=pdf"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = c
            .get(format!("{url}/minutes?format=html"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"));
        let r = c
            .get(format!("{base}/api/v1/workshops/nope"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);

        // Cancelled: the invite becomes a cancellation.
        let (status, _) = post(
            &c,
            format!("{url}/changes"),
            json!({"change": "cancel", "reason": "merged"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let r = c.get(format!("{url}/invite.ics")).send().await.unwrap();
        assert_eq!(
            r.headers()["content-type"],
            "text/calendar; charset=utf-8; method=CANCEL"
        );
        assert!(r.text().await.unwrap().contains("STATUS:CANCELLED\r\n"));
        let due: Value = c
            .get(format!("{inc}/review-due"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(due["unscheduled"], true);
        let agenda: Value = c
            .get(format!("{inc}/agenda"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(agenda.as_array().unwrap().len(), 8);

        // Holidays and the policy.
        let (status, _) = post(
            &c,
            format!("{base}/api/v1/holidays"),
            json!({"date": "2026-12-25", "name": "Christmas Day"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, problem) = post(
            &c,
            format!("{base}/api/v1/holidays"),
            json!({"date": "2026-12-25", "name": "Again"}),
        )
        .await;
        assert_eq!(
            (status, fields(&problem)),
            (StatusCode::UNPROCESSABLE_ENTITY, vec!["date".to_owned()])
        );
        let r = c
            .delete(format!("{base}/api/v1/holidays/2026-12-25"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let r = c
            .delete(format!("{base}/api/v1/holidays/2026-12-25"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let mut policy: Value = c
            .get(format!("{base}/api/v1/workshop-policy"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(policy["version"], 0);
        policy["policy"]["promptness"][0]["days"] = json!(2);
        let r = c
            .put(format!("{base}/api/v1/workshop-policy"))
            .json(&policy)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let r = c
            .put(format!("{base}/api/v1/workshop-policy"))
            .json(&policy)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CONFLICT);
        policy["version"] = json!(1);
        policy["policy"]["coverage"][0]["categories"] = json!(["volcano"]);
        let r = c
            .put(format!("{base}/api/v1/workshop-policy"))
            .json(&policy)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = r.json().await.unwrap();
        assert_eq!(fields(&problem), ["coverage[0].categories"]);

        // Every workshop route is in the OpenAPI document.
        let doc: Value = c
            .get(format!("{base}/api/v1/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for path in [
            "/incidents/{key}/workshops",
            "/incidents/{key}/workshops/check",
            "/workshops/{id}/changes",
            "/workshops/{id}/invite.ics",
            "/workshops/{id}/minutes",
            "/holidays",
            "/workshop-policy",
        ] {
            assert!(doc["paths"][path].is_object(), "{path} is documented");
        }
    }
}

fn form(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap()
}

async fn post_form(
    c: &Client,
    url: String,
    pairs: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let r = c
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", "name=Marta")
        .body(form(pairs))
        .send()
        .await
        .unwrap();
    let status = r.status();
    let location = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, location, r.text().await.unwrap())
}

#[tokio::test]
async fn the_workshop_pages_check_before_scheduling_and_run_the_meeting_without_javascript() {
    for db in TestDatabase::all().await {
        eprintln!("story on {}", db.kind);
        let base = start(&db).await;
        let c = common::client_no_redirect();
        seed(&c, &base).await;
        let tab = format!("{base}/incidents/INC-2026-0001/workshops");
        let page = c.get(&tab).send().await.unwrap().text().await.unwrap();
        assert!(
            page.contains("Review due by 2026-11-27"),
            "the due date is shown"
        );
        assert!(page.contains("Unscheduled"));
        assert!(
            page.contains("## Chronology highlights"),
            "the agenda is generated and editable"
        );
        let overview = c
            .get(format!("{base}/incidents/INC-2026-0001"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(overview.contains("id=\"review-due\"") && overview.contains("Unscheduled"));

        let fields = [
            ("kind", "lessons_learned"),
            ("starts", "2026-11-27 10:00"),
            ("time_zone", "Europe/Paris"),
            ("duration_minutes", "90"),
            ("location", "Room 1"),
            ("facilitator", "priya@example.org"),
            ("person_1", "tomas@example.org"),
            ("role_1", "responder"),
            ("person_3", "marta@example.org"),
            ("role_3", "it"),
            ("agenda", "## Timeline\n- what happened\n## Actions"),
        ];
        // Check: the warnings are shown and nothing is saved.
        let mut check = fields.to_vec();
        check.push(("step", "check"));
        let (status, _, html) = post_form(&c, tab.clone(), &check).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("Missing roles:") && html.contains("Management (always)"),
            "coverage warning"
        );
        assert!(
            html.contains("is not a neutral facilitator"),
            "facilitator check"
        );
        assert!(
            html.contains("value=\"marta@example.org\" selected"),
            "input kept"
        );
        // Schedule without acknowledging: refused, the warnings shown again.
        let mut schedule = fields.to_vec();
        schedule.push(("step", "schedule"));
        let (status, _, html) = post_form(&c, tab.clone(), &schedule).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("Schedule anyway"));
        // A bad row is named by its row.
        let mut bad = schedule.clone();
        bad.push(("person_5", "ghost@example.org"));
        bad.push(("role_5", "legal"));
        let (status, _, html) = post_form(&c, tab.clone(), &bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            html.contains("id=\"schedule-person-5-error\""),
            "{}",
            &html[..2000.min(html.len())]
        );
        let api: Value = c
            .get(format!("{base}/api/v1/incidents/INC-2026-0001/workshops"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(api, json!([]));
        // Acknowledged: scheduled, to the workshop page.
        schedule.push(("acknowledge", "on"));
        let (status, location, _) = post_form(&c, tab.clone(), &schedule).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(location.starts_with("/workshops/") && location.ends_with("?scheduled=1"));
        let id = location
            .trim_start_matches("/workshops/")
            .trim_end_matches("?scheduled=1")
            .to_owned();
        let page = c
            .get(format!("{base}{location}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Workshop scheduled") && page.contains("is not a neutral facilitator")
        );
        assert!(page.contains("/workshops/") && page.contains("invite.ics"));
        let r = c
            .get(format!("{base}/workshops/{id}/invite.ics"))
            .send()
            .await
            .unwrap();
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/calendar")
        );

        // Reschedule with a stale version: 409, the form explains.
        let ws = format!("{base}/workshops/{id}");
        let (status, _, html) = post_form(
            &c,
            ws.clone(),
            &[
                ("op", "reschedule"),
                ("version", "0"),
                ("starts", "2026-11-27 11:00"),
                ("time_zone", "Europe/Paris"),
                ("duration_minutes", "60"),
                ("location", "Room 2"),
                ("facilitator", "priya@example.org"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(html.contains("changed by someone else"));
        let (status, location, _) = post_form(
            &c,
            ws.clone(),
            &[
                ("op", "reschedule"),
                ("version", "1"),
                ("starts", "2026-11-27 11:00"),
                ("time_zone", "Europe/Paris"),
                ("duration_minutes", "60"),
                ("location", "Room 2"),
                ("facilitator", "priya@example.org"),
            ],
        )
        .await;
        assert_eq!(
            (status, location.as_str()),
            (
                StatusCode::SEE_OTHER,
                format!("/workshops/{id}?rescheduled=1").as_str()
            )
        );

        // The facilitation view: step through, take a note, add a lesson.
        let fac = c
            .get(format!("{ws}/facilitate?item=2"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(fac.contains("Item 2 of 2") && fac.contains("rel=\"prev\""));
        let (status, location, _) = post_form(
            &c,
            ws.clone(),
            &[
                ("op", "note"),
                ("back", "facilitate"),
                ("item", "1"),
                ("kind", "note"),
                ("text", "The operator should have noticed the alert"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(location.contains("/facilitate?item=1&noted=1"));
        let fac = c
            .get(format!("{base}{location}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            fac.contains("Blameless language:"),
            "the linter reads the notes"
        );
        let (status, _, html) = post_form(
            &c,
            ws.clone(),
            &[
                ("op", "lesson"),
                ("back", "facilitate"),
                ("item", "1"),
                ("statement", " "),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("id=\"lesson-statement-error\""));
        let (status, _, _) = post_form(
            &c,
            ws.clone(),
            &[
                ("op", "lesson"),
                ("back", "facilitate"),
                ("item", "1"),
                ("statement", "Alerts need an owner at night"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let minutes = c
            .get(format!("{ws}/minutes"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(minutes.contains("Alerts need an owner at night"));
        let md = c
            .get(format!("{ws}/minutes.md"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(md.starts_with("# Lessons learned workshop: INC-2026-0001"));

        // Settings: holidays and the policy.
        let (status, location, _) = post_form(
            &c,
            format!("{base}/settings/holidays"),
            &[("date", "2026-12-25"), ("name", "Christmas Day")],
        )
        .await;
        assert_eq!(
            (status, location.as_str()),
            (StatusCode::SEE_OTHER, "/settings/holidays?added=1")
        );
        let (status, _, html) = post_form(
            &c,
            format!("{base}/settings/holidays"),
            &[("date", "next friday"), ("name", "")],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            html.contains("id=\"holiday-date-error\"")
                && html.contains("id=\"holiday-name-error\"")
        );
        let page = c
            .get(format!("{base}/settings/workshop-policy"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("value=\"responder, it, management\""));
        let (status, _, html) = post_form(
            &c,
            format!("{base}/settings/workshop-policy"),
            &[
                ("version", "0"),
                ("days_critical", "3"),
                ("unit_critical", "calendar"),
                ("days_high", "five"),
                ("unit_high", "business"),
                ("days_medium", "5"),
                ("unit_medium", "business"),
                ("days_low", "5"),
                ("unit_low", "business"),
                ("roles_1", "responder, wizard"),
                ("owners", "no colon here"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        for id in [
            "policy-days-high-error",
            "policy-roles-1-error",
            "policy-owners-error",
        ] {
            assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
        }
        let (status, location, _) = post_form(
            &c,
            format!("{base}/settings/workshop-policy"),
            &[
                ("version", "0"),
                ("days_critical", "2"),
                ("unit_critical", "business"),
                ("days_high", "5"),
                ("unit_high", "business"),
                ("days_medium", "5"),
                ("unit_medium", "business"),
                ("days_low", "10"),
                ("unit_low", "calendar"),
                ("roles_1", "responder, it"),
                ("categories_2", "data_breach"),
                ("roles_2", "legal"),
                ("owners", "Backup platform: marta@example.org"),
            ],
        )
        .await;
        assert_eq!(
            (status, location.as_str()),
            (StatusCode::SEE_OTHER, "/settings/workshop-policy?saved=1")
        );
        let policy: Value = c
            .get(format!("{base}/api/v1/workshop-policy"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(policy["version"], 1);
        assert_eq!(policy["policy"]["coverage"].as_array().unwrap().len(), 2);
        assert_eq!(
            policy["policy"]["service_owners"][0]["owners"],
            json!(["marta@example.org"])
        );
    }
}
