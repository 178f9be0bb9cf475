use super::*;
use jiff::civil::date;
use proptest::prelude::*;

fn draft() -> ActionDraft {
    ActionDraft {
        title: "Add alerting on replication lag".into(),
        action_type: "detect".into(),
        owner: "ada@example.org".into(),
        due_on: "2026-12-31".into(),
        risk: 4,
        impact: 3,
        effort: 2,
        ..Default::default()
    }
}

fn valid(d: &ActionDraft) -> Result<(ActionFields, Warnings), FieldErrors> {
    d.validate(
        Some(Uuid::nil()),
        FieldErrors::default(),
        Some(&empty_review()),
        date(2026, 11, 26),
    )
}

fn empty_review() -> Review {
    Review::open(
        Uuid::nil(),
        crate::review::QuestionTemplate::nist_default(),
        "tester",
        "2026-11-26T00:00:00Z".parse().unwrap(),
    )
}

fn action(status: ActionStatus, due: Option<Date>) -> Action {
    let (fields, _) = valid(&draft()).unwrap();
    Action {
        id: Uuid::nil(),
        incident_id: Uuid::nil(),
        number: 1,
        fields: ActionFields {
            due_on: due,
            ..fields
        },
        status,
        cancel_reason: String::new(),
        verification: None,
        done_on: None,
        created_at: "2026-11-01T00:00:00Z".parse().unwrap(),
        updated_at: "2026-11-01T00:00:00Z".parse().unwrap(),
        version: 1,
    }
}

#[test]
fn scores_and_priorities_follow_the_policy() {
    let p = PriorityPolicy::default();
    let s = Scoring::new(4, 3, 2).unwrap();
    assert_eq!(s.score().to_string(), "6.00");
    assert_eq!(p.priority(s.score()), Priority::P2);
    let s = Scoring::new(4, 5, 3).unwrap();
    assert_eq!(s.score().to_string(), "6.67");
    assert_eq!(s.score_milli(), 6666);
    assert_eq!(
        p.priority(Scoring::new(5, 5, 1).unwrap().score()),
        Priority::P1
    );
    assert_eq!(
        p.priority(Scoring::new(4, 3, 1).unwrap().score()),
        Priority::P1
    );
    assert_eq!(
        p.priority(Scoring::new(3, 1, 1).unwrap().score()),
        Priority::P3
    );
    assert_eq!(
        p.priority(Scoring::new(1, 1, 5).unwrap().score()),
        Priority::P4
    );
    assert_eq!(Scoring::new(1, 1, 5).unwrap().score().to_string(), "0.20");
}

#[test]
fn the_priority_is_decided_on_the_exact_score_not_the_rounded_one() {
    // 2 × 4 ÷ 3 = 2.666…, shown as 2.67: below a P3 threshold of 2.67.
    let p = PriorityPolicy::parse("12,6,2.67").unwrap();
    let s = Scoring::new(2, 4, 3).unwrap();
    assert_eq!(s.score().to_string(), "2.67");
    assert_eq!(p.priority_of(s), Priority::P4);
    assert_eq!(p.priority_of(Scoring::new(2, 4, 2).unwrap()), Priority::P3);
}

#[test]
fn scoring_inputs_out_of_range_name_the_field() {
    let e = Scoring::new(0, 6, 3).unwrap_err();
    assert!(e.for_field("risk").unwrap().contains("1 to 5, not 0"));
    assert!(e.for_field("impact").unwrap().contains("not 6"));
    assert!(e.for_field("effort").is_none());
}

#[test]
fn policies_parse_and_refuse_nonsense() {
    let p = PriorityPolicy::parse("10, 5.5, 2").unwrap();
    assert_eq!(p.priority(Decimal::new(55, 1)), Priority::P2);
    assert_eq!(p.milli(), [10_000, 5_500, 2_000]);
    assert_eq!(p.to_string(), "10,5.5,2");
    for bad in ["12,6", "3,6,12", "12,6,0", "a,b,c", "12,6,0.0001"] {
        assert!(PriorityPolicy::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn milli_comparison_agrees_with_exact_comparison() {
    let p = PriorityPolicy::parse("6.667,6.666,3").unwrap();
    let t = p.milli();
    for r in 1..=5u8 {
        for i in 1..=5u8 {
            for e in 1..=5u8 {
                let s = Scoring::new(r.into(), i.into(), e.into()).unwrap();
                let exact = Decimal::from(u32::from(r * i)) / Decimal::from(e);
                let by_milli = if s.score_milli() >= t[0] {
                    Priority::P1
                } else if s.score_milli() >= t[1] {
                    Priority::P2
                } else if s.score_milli() >= t[2] {
                    Priority::P3
                } else {
                    Priority::P4
                };
                assert_eq!(by_milli, p.priority(exact), "{r}×{i}÷{e}");
            }
        }
    }
}

#[test]
fn titles_start_with_a_verb() {
    assert!(check_title("Rotate the database credentials").is_ok());
    assert!(check_title("Re-enable MFA on the VPN").is_ok());
    let e = check_title("Alerting for replication lag").unwrap_err();
    assert!(e.contains("`Alerting` is not a verb"), "{e}");
    assert!(check_title("Monitoring").is_err());
    assert!(check_title("Fix").unwrap_err().contains("one word"));
    assert!(check_title("").is_err());
    assert!(check_title(&format!("Fix {}", "x".repeat(200))).is_err());
}

#[test]
fn tickets_are_urls_or_keys() {
    for ok in [
        "",
        "OPS-123",
        "https://tracker.example.org/browse/OPS-1",
        "gh#42",
        "JIRA_7",
    ] {
        assert!(check_ticket(ok).is_ok(), "{ok}");
    }
    for bad in ["OPS 123", "ftp://x", "https://", "-x", "<script>"] {
        assert!(check_ticket(bad).is_err(), "{bad}");
    }
}

#[test]
fn a_draft_reports_every_problem_at_once() {
    let d = ActionDraft {
        title: "The monitoring".into(),
        action_type: "fix".into(),
        due_on: "31/12/2026".into(),
        risk: 9,
        impact: 0,
        effort: 3,
        priority_override: "P1".into(),
        answers: vec!["gap:nope".into()],
        ticket: "two words".into(),
        ..draft()
    };
    let e = valid(&d).unwrap_err();
    for field in [
        "title",
        "type",
        "due_on",
        "risk",
        "impact",
        "override_justification",
        "answers[0]",
        "ticket",
    ] {
        assert!(e.for_field(field).is_some(), "{field}: {e:?}");
    }
}

#[test]
fn a_past_due_date_is_allowed_with_a_warning() {
    let (fields, warnings) = valid(&ActionDraft {
        due_on: "2026-01-15".into(),
        ..draft()
    })
    .unwrap();
    assert_eq!(fields.due_on, Some(date(2026, 1, 15)));
    assert_eq!(warnings.0.len(), 1);
    assert!(warnings.0[0].contains("already past"));
    assert!(valid(&draft()).unwrap().1.0.is_empty());
}

#[test]
fn answers_must_name_items_of_the_review() {
    let mut review = empty_review();
    let gap = crate::review::Gap {
        id: Uuid::now_v7(),
        area: crate::review::GapArea::Technology,
        severity: crate::review::GapSeverity::High,
        description: "No alert on lag".into(),
        version: 1,
    };
    review.gaps.push(gap.clone());
    let d = ActionDraft {
        answers: vec![format!("gap:{}", gap.id), format!("lesson:{}", gap.id)],
        ..draft()
    };
    let e = d
        .validate(
            Some(Uuid::nil()),
            FieldErrors::default(),
            Some(&review),
            date(2026, 11, 26),
        )
        .unwrap_err();
    assert!(e.for_field("answers[1]").unwrap().contains("no lesson"));
    let d = ActionDraft {
        answers: vec![format!("gap:{}", gap.id)],
        ..draft()
    };
    let (f, _) = d
        .validate(
            Some(Uuid::nil()),
            FieldErrors::default(),
            Some(&review),
            date(2026, 11, 26),
        )
        .unwrap();
    assert_eq!(f.answers[0].text_in(&review), Some("No alert on lag"));
    let e = d
        .validate(
            Some(Uuid::nil()),
            FieldErrors::default(),
            None,
            date(2026, 11, 26),
        )
        .unwrap_err();
    assert!(e.for_field("answers[0]").unwrap().contains("no review"));
}

#[test]
fn the_workflow_allows_only_its_moves() {
    use ActionStatus::*;
    let today = date(2026, 11, 26);
    let mut a = action(Open, None);
    let e = a.apply_move(Done, "", None, today).unwrap_err();
    assert!(
        e.for_field("status")
            .unwrap()
            .contains("from open it can move to in_progress, cancelled")
    );
    let e = a.apply_move(Verified, "", None, today).unwrap_err();
    assert!(
        e.for_field("status")
            .unwrap()
            .contains("only reachable from `done`")
    );
    a.apply_move(InProgress, "", None, today).unwrap();
    a.apply_move(Blocked, "waiting on vendor", None, today)
        .unwrap();
    a.apply_move(InProgress, "", None, today).unwrap();
    a.apply_move(Done, "", None, today).unwrap();
    assert_eq!(a.done_on, Some(today));
    let e = a.apply_move(Verified, "", None, today).unwrap_err();
    assert!(e.for_field("evidence").is_some());
    let v = |on, evidence: &str| Verification {
        verified_on: on,
        verified_by: "Grace".into(),
        evidence: evidence.into(),
    };
    let e = a
        .apply_move(Verified, "", Some(v(date(2026, 11, 27), "drill")), today)
        .unwrap_err();
    assert!(e.for_field("verified_on").unwrap().contains("future"));
    let e = a
        .apply_move(Verified, "", Some(v(date(2026, 11, 20), "drill")), today)
        .unwrap_err();
    assert!(
        e.for_field("verified_on")
            .unwrap()
            .contains("before the action was done")
    );
    assert_eq!(a.status, Done, "a refused move changes nothing");
    a.apply_move(Verified, "", Some(v(today, "failover drill passed")), today)
        .unwrap();
    assert_eq!(a.status, Verified);
    assert!(a.apply_move(Cancelled, "no", None, today).is_err());

    let mut b = action(Blocked, None);
    let e = b.apply_move(Cancelled, "  ", None, today).unwrap_err();
    assert!(e.for_field("reason").is_some());
    b.apply_move(Cancelled, "superseded by INC-2026-0009-A1", None, today)
        .unwrap();
    assert_eq!(b.cancel_reason, "superseded by INC-2026-0009-A1");
}

#[test]
fn reopening_a_done_action_forgets_its_completion() {
    let today = date(2026, 11, 26);
    let mut a = action(ActionStatus::InProgress, None);
    a.apply_move(ActionStatus::Done, "", None, today).unwrap();
    a.apply_move(ActionStatus::InProgress, "did not hold", None, today)
        .unwrap();
    assert_eq!(a.done_on, None);
}

#[test]
fn overdue_depends_on_the_date_given_and_the_status() {
    let due = Some(date(2026, 11, 20));
    let today = date(2026, 11, 26);
    assert!(action(ActionStatus::Open, due).is_overdue(today));
    assert_eq!(action(ActionStatus::Blocked, due).days_overdue(today), 6);
    assert!(!action(ActionStatus::Open, due).is_overdue(date(2026, 11, 20)));
    assert!(!action(ActionStatus::Done, due).is_overdue(today));
    assert!(!action(ActionStatus::Open, None).is_overdue(today));
}

#[test]
fn action_keys_round_trip() {
    let k: ActionKey = "INC-2026-0003-A12".parse().unwrap();
    assert_eq!(k.number, 12);
    assert_eq!(k.to_string(), "INC-2026-0003-A12");
    for bad in [
        "INC-2026-0003",
        "INC-2026-0003-A0",
        "INC-2026-0003-Ax",
        "A1",
    ] {
        assert!(bad.parse::<ActionKey>().is_err(), "{bad}");
    }
}

#[test]
fn burn_down_counts_from_the_history() {
    let t = |h: i64| jiff::Timestamp::from_second(1_800_000_000 + h * 3600).unwrap();
    let (a, b, c) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
    let changes = [
        StatusChange {
            action_id: a,
            at: t(0),
            to: ActionStatus::Open,
        },
        StatusChange {
            action_id: b,
            at: t(0),
            to: ActionStatus::Open,
        },
        StatusChange {
            action_id: c,
            at: t(1),
            to: ActionStatus::Open,
        },
        StatusChange {
            action_id: a,
            at: t(2),
            to: ActionStatus::Done,
        },
        StatusChange {
            action_id: c,
            at: t(3),
            to: ActionStatus::Cancelled,
        },
        StatusChange {
            action_id: a,
            at: t(5),
            to: ActionStatus::Verified,
        },
        StatusChange {
            action_id: b,
            at: t(9),
            to: ActionStatus::Done,
        },
    ];
    let points = burn_down(&changes, &[t(4)], t(6));
    let summary: Vec<(u32, u32, u32, u32, bool)> = points
        .iter()
        .map(|p| (p.total, p.open, p.done, p.verified, p.follow_up))
        .collect();
    assert_eq!(
        summary,
        vec![
            (2, 2, 0, 0, false),
            (3, 3, 0, 0, false),
            (3, 2, 1, 0, false),
            (2, 1, 1, 0, false),
            (2, 1, 1, 0, true),
            (2, 1, 0, 1, false),
            (2, 1, 0, 1, false),
        ]
    );
    assert_eq!(burn_down(&[], &[], t(0)).len(), 1);
}

proptest! {
    #[test]
    fn any_walk_of_the_workflow_keeps_its_invariants(moves in proptest::collection::vec(0usize..6, 0..30)) {
        let today = date(2026, 11, 26);
        let mut a = action(ActionStatus::Open, Some(date(2026, 12, 1)));
        for m in moves {
            let to = ActionStatus::ALL[m];
            let before = a.clone();
            let v = Verification { verified_on: today, verified_by: "x".into(), evidence: "y".into() };
            match a.apply_move(to, "reason", Some(v), today) {
                Ok(()) => prop_assert!(before.status.next().contains(&to)),
                Err(_) => prop_assert_eq!(&a, &before),
            }
            if a.status == ActionStatus::Verified {
                prop_assert!(a.verification.is_some());
                prop_assert!(before.status == ActionStatus::Done || before.status == ActionStatus::Verified);
            }
        }
    }
}
