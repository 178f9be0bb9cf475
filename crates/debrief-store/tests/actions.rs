//! The action part of the store (PRODUCT.md §6) against SQLite and, when
//! `DEBRIEF_TEST_POSTGRES_URL` is set, PostgreSQL: people, action numbers
//! under concurrency, versioned updates, the ranked and filtered listing,
//! history, follow-ups, overdue notices and the import transaction.

use std::sync::Arc;

use debrief_core::action::{
    Action, ActionFields, ActionStatus, ActionType, FollowUp, HistoryEntry, Priority,
    PriorityOverride, PriorityPolicy, Scoring, SnapshotItem,
};
use debrief_core::{IncidentDraft, IncidentFields, Person, Taxonomy};
use debrief_store::{ActionFilter, ActionRecord, KeyRequest, NewIncidentRecord, Store, StoreError};
use debrief_testkit::TestDatabase;
use jiff::civil::Date;
use uuid::Uuid;

fn now() -> jiff::Timestamp {
    "2026-11-26T12:00:00Z".parse().unwrap()
}

/// `now()` plus `minutes`.
fn at(minutes: i64) -> jiff::Timestamp {
    now()
        .checked_add(jiff::SignedDuration::from_mins(minutes))
        .unwrap()
}

fn day(s: &str) -> Date {
    s.parse().unwrap()
}

fn incident_fields(title: &str) -> IncidentFields {
    IncidentDraft {
        title: title.into(),
        category: "other".into(),
        severity: "medium".into(),
        ..Default::default()
    }
    .validate(&Taxonomy::default())
    .unwrap()
}

fn incident_record(title: &str) -> NewIncidentRecord {
    NewIncidentRecord {
        id: Uuid::now_v7(),
        key: KeyRequest::Next {
            prefix: "INC".into(),
            year: 2026,
        },
        fields: incident_fields(title),
        created_at: now(),
        updated_at: now(),
    }
}

async fn incident(store: &dyn Store, title: &str) -> Uuid {
    store
        .create_incident(incident_record(title))
        .await
        .unwrap()
        .id
}

fn person(name: &str, email: &str) -> Person {
    Person {
        id: Uuid::now_v7(),
        name: name.into(),
        email: email.into(),
        team: "Platform".into(),
        phone: String::new(),
        version: 1,
    }
}

async fn add_person(store: &dyn Store, name: &str, email: &str) -> Person {
    let p = person(name, email);
    store.create_person(&p, now()).await.unwrap();
    p
}

/// What an action is made of, with sensible defaults.
#[derive(Clone)]
struct Spec {
    title: &'static str,
    scores: (u8, u8, u8),
    due: Option<&'static str>,
    priority_override: Option<Priority>,
    status: ActionStatus,
    action_type: ActionType,
    created: jiff::Timestamp,
}

fn spec(title: &'static str, scores: (u8, u8, u8)) -> Spec {
    Spec {
        title,
        scores,
        due: None,
        priority_override: None,
        status: ActionStatus::Open,
        action_type: ActionType::Prevent,
        created: now(),
    }
}

impl Spec {
    fn due(mut self, d: &'static str) -> Self {
        self.due = Some(d);
        self
    }
    fn overridden(mut self, p: Priority) -> Self {
        self.priority_override = Some(p);
        self
    }
    fn status(mut self, s: ActionStatus) -> Self {
        self.status = s;
        self
    }
    fn kind(mut self, t: ActionType) -> Self {
        self.action_type = t;
        self
    }
    fn created(mut self, t: jiff::Timestamp) -> Self {
        self.created = t;
        self
    }
    fn build(&self, incident_id: Uuid, owner_id: Uuid) -> Action {
        let (risk, impact, effort) = self.scores;
        Action {
            id: Uuid::now_v7(),
            incident_id,
            number: 0,
            fields: ActionFields {
                title: self.title.into(),
                description: String::new(),
                action_type: self.action_type,
                answers: Vec::new(),
                owner_id,
                due_on: self.due.map(day),
                scoring: Scoring {
                    risk,
                    impact,
                    effort,
                },
                priority_override: self.priority_override.map(|priority| PriorityOverride {
                    priority,
                    justification: "Asked for by the board".into(),
                }),
                ticket: String::new(),
            },
            status: self.status,
            cancel_reason: if self.status == ActionStatus::Cancelled {
                "No longer needed".into()
            } else {
                String::new()
            },
            verification: None,
            done_on: None,
            created_at: self.created,
            updated_at: self.created,
            version: 1,
        }
    }
}

fn created_entry(a: &Action) -> HistoryEntry {
    HistoryEntry {
        action_id: a.id,
        at: a.created_at,
        actor: "Marta".into(),
        what: "created".into(),
        from_status: None,
        to_status: Some(a.status),
        detail: String::new(),
    }
}

/// Creates the action and returns it as stored (with its number).
async fn create(store: &dyn Store, s: &Spec, incident_id: Uuid, owner_id: Uuid) -> Action {
    let mut a = s.build(incident_id, owner_id);
    a.number = store.create_action(&a, &created_entry(&a)).await.unwrap();
    a
}

fn titles(records: &[ActionRecord]) -> Vec<&str> {
    records
        .iter()
        .map(|r| r.action.fields.title.as_str())
        .collect()
}

async fn list(
    store: &dyn Store,
    filter: &ActionFilter,
    policy: &PriorityPolicy,
) -> (Vec<ActionRecord>, u64) {
    store.list_actions(filter, policy, 0, 1000).await.unwrap()
}

/// Runs the story on every database, each in its own task so that a
/// failure on one still lets the others run; fails naming every database
/// the story failed on.
async fn each_database<F, Fut>(story: F)
where
    F: Fn(Arc<dyn Store>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let mut failures = Vec::new();
    for db in TestDatabase::all().await {
        let store = debrief_store::open(&db.url)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", db.kind));
        eprintln!("story on {}", db.kind);
        let outcome = tokio::spawn(story(Arc::new(store.clone()))).await;
        store.close().await;
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

#[tokio::test]
async fn people_are_unique_by_email_found_in_any_case_and_versioned() {
    each_database(|store| async move {
        let ada = person("Ada Byron", "Ada@Example.org");
        store.create_person(&ada, now()).await.unwrap();
        let grace = add_person(&*store, "grace Hopper", "grace@example.org").await;

        // The email is kept lower-case, and a second person with it, in any
        // case, is a duplicate.
        let err = store
            .create_person(&person("Someone Else", "ADA@example.ORG"), now())
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Duplicate { .. }), "{err:?}");

        let found = store
            .person_by_email("  ADA@EXAMPLE.ORG ")
            .await
            .unwrap()
            .expect("found by email in another case");
        assert_eq!(found.id, ada.id);
        assert_eq!(found.email, "ada@example.org");
        assert_eq!(found.version, 1);
        assert_eq!(
            store.person_by_id(ada.id).await.unwrap(),
            Some(found.clone())
        );
        assert_eq!(
            store.person_by_email("nobody@example.org").await.unwrap(),
            None
        );
        assert_eq!(store.person_by_id(Uuid::now_v7()).await.unwrap(), None);

        // Everyone, by name (case-insensitively).
        let names: Vec<String> = store
            .people()
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(names, ["Ada Byron", "grace Hopper"]);

        let mut renamed = found.clone();
        renamed.name = "Ada Lovelace".into();
        renamed.team = "Analytical engines".into();
        store.update_person(&renamed, 1, at(1)).await.unwrap();
        let read = store.person_by_id(ada.id).await.unwrap().unwrap();
        assert_eq!(read.name, "Ada Lovelace");
        assert_eq!(read.team, "Analytical engines");
        assert_eq!(read.version, 2);

        // A stale version is a conflict and changes nothing.
        let mut stale = found.clone();
        stale.name = "Someone's older edit".into();
        match store.update_person(&stale, 1, at(2)).await {
            Err(StoreError::Conflict {
                expected: 1,
                actual: 2,
                ..
            }) => {}
            other => panic!("expected a conflict, got {other:?}"),
        }
        assert_eq!(
            store.person_by_id(ada.id).await.unwrap().unwrap().name,
            "Ada Lovelace"
        );
        // Taking someone else's email is a duplicate.
        let mut clash = read.clone();
        clash.email = grace.email.to_uppercase();
        let err = store.update_person(&clash, 2, at(3)).await.unwrap_err();
        assert!(matches!(err, StoreError::Duplicate { .. }), "{err:?}");
        // A person who is not there is not found.
        let ghost = person("Ghost", "ghost@example.org");
        assert!(matches!(
            store.update_person(&ghost, 1, at(4)).await,
            Err(StoreError::NotFound { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn concurrent_actions_get_numbers_one_to_twelve_and_each_incident_counts_from_one() {
    each_database(|store| async move {
        let owner = add_person(&*store, "Ada", "ada@example.org").await;
        let first = incident(&*store, "Busy incident").await;
        let second = incident(&*store, "Quiet incident").await;
        let tasks: Vec<_> = (0..12)
            .map(|i| {
                let store = store.clone();
                let a = spec("Add alerting on replication lag", (3, 3, 3))
                    .created(at(i))
                    .build(first, owner.id);
                tokio::spawn(async move { store.create_action(&a, &created_entry(&a)).await })
            })
            .collect();
        let mut numbers: Vec<u32> = Vec::new();
        for result in futures::future::join_all(tasks).await {
            numbers.push(result.unwrap().expect("every concurrent create succeeds"));
        }
        numbers.sort_unstable();
        assert_eq!(numbers, (1..=12).collect::<Vec<u32>>());
        // The numbers returned are the numbers stored.
        for n in 1..=12 {
            let r = store.action_by_number(first, n).await.unwrap();
            assert_eq!(r.action.number, n);
        }
        let (all, total) = list(
            &*store,
            &ActionFilter {
                incident_id: Some(first),
                ..Default::default()
            },
            &PriorityPolicy::default(),
        )
        .await;
        assert_eq!((all.len(), total), (12, 12));

        let other = create(
            &*store,
            &spec("Document the restore procedure", (1, 1, 1)),
            second,
            owner.id,
        )
        .await;
        assert_eq!(other.number, 1);
        let record = store.action_by_number(second, 1).await.unwrap();
        assert_eq!(record.action, other);
        assert_eq!(record.incident_key.to_string(), "INC-2026-0002");
        assert_eq!(record.incident_title, "Quiet incident");
        assert_eq!(record.owner, owner);
        assert_eq!(store.action_by_id(other.id).await.unwrap(), record);
        assert!(matches!(
            store.action_by_number(second, 2).await,
            Err(StoreError::NotFound { .. })
        ));
        assert!(matches!(
            store.action_by_id(Uuid::now_v7()).await,
            Err(StoreError::NotFound { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn a_stale_action_update_is_a_conflict_and_changes_nothing() {
    each_database(|store| async move {
        let owner = add_person(&*store, "Ada", "ada@example.org").await;
        let other_owner = add_person(&*store, "Grace", "grace@example.org").await;
        let inc = incident(&*store, "Outage").await;
        let created = create(
            &*store,
            &spec("Rotate the backup credentials", (4, 4, 2)).due("2026-12-01"),
            inc,
            owner.id,
        )
        .await;

        let mut edited = created.clone();
        edited.fields.title = "Rotate and vault the backup credentials".into();
        edited.fields.owner_id = other_owner.id;
        edited.fields.due_on = Some(day("2026-12-15"));
        edited.fields.scoring = Scoring {
            risk: 5,
            impact: 5,
            effort: 1,
        };
        edited.fields.priority_override = Some(PriorityOverride {
            priority: Priority::P2,
            justification: "Waits for the vault migration".into(),
        });
        edited.fields.ticket = "OPS-12".into();
        edited.status = ActionStatus::InProgress;
        edited.version = 2;
        edited.updated_at = at(10);
        let edit = HistoryEntry {
            action_id: created.id,
            at: at(10),
            actor: "Ada".into(),
            what: "edited".into(),
            from_status: Some(ActionStatus::Open),
            to_status: Some(ActionStatus::InProgress),
            detail: "title, owner, due_on".into(),
        };
        store
            .update_action(&edited, 1, std::slice::from_ref(&edit))
            .await
            .unwrap();
        let read = store.action_by_id(created.id).await.unwrap();
        assert_eq!(read.action, edited);
        assert_eq!(read.owner, other_owner);
        // The creation instant is never rewritten by an update.
        assert_eq!(read.action.created_at, created.created_at);

        let mut late = created.clone();
        late.fields.title = "Someone else's edit".into();
        late.version = 2;
        late.updated_at = at(20);
        let late_entry = HistoryEntry {
            at: at(20),
            detail: "title".into(),
            ..edit.clone()
        };
        match store.update_action(&late, 1, &[late_entry]).await {
            Err(StoreError::Conflict {
                expected: 1,
                actual: 2,
                ..
            }) => {}
            other => panic!("expected a conflict, got {other:?}"),
        }
        assert_eq!(store.action_by_id(created.id).await.unwrap().action, edited);
        let history = store.action_history(created.id).await.unwrap();
        assert_eq!(history, [created_entry(&created), edit]);

        let mut missing = late.clone();
        missing.id = Uuid::now_v7();
        assert!(matches!(
            store.update_action(&missing, 1, &[]).await,
            Err(StoreError::NotFound { .. })
        ));
    })
    .await;
}

/// Two incidents, two owners and actions of every rank; returns
/// `(incident 1, incident 2, ada, grace)`.
async fn portfolio(store: &dyn Store) -> (Uuid, Uuid, Person, Person) {
    let ada = add_person(store, "Ada", "ada@example.org").await;
    let grace = add_person(store, "Grace", "grace@example.org").await;
    let one = incident(store, "Ransomware").await;
    let two = incident(store, "Outage").await;
    let items = [
        // 5×5÷2 = 12.5: P1.
        (
            spec("Add MFA to the backup console", (5, 5, 2)).due("2026-12-01"),
            one,
            &ada,
        ),
        // 2×2÷1 = 4 (P3) overridden to P1: P1, after every P1 scoring higher.
        (
            spec("Brief the board on the backup gap", (2, 2, 1))
                .overridden(Priority::P1)
                .kind(ActionType::Process),
            two,
            &grace,
        ),
        // 4×3÷1 = 12: P1 exactly on the threshold.
        (
            spec("Block macros from external senders", (4, 3, 1))
                .due("2026-11-01")
                .kind(ActionType::Mitigate),
            one,
            &grace,
        ),
        // 3×3÷1 = 9: P2, no due date (after the same score with one).
        (
            spec("Document the failover", (3, 3, 1)).kind(ActionType::Documentation),
            two,
            &ada,
        ),
        // 3×3÷1 = 9: P2 with a due date.
        (
            spec("Enable replication alerts", (3, 3, 1))
                .due("2026-12-10")
                .kind(ActionType::Detect),
            two,
            &ada,
        ),
        // 3×4÷2 = 6: P2 on the threshold, overdue on 2026-11-26.
        (
            spec("Patch the edge routers", (3, 4, 2))
                .due("2026-11-20")
                .status(ActionStatus::Blocked),
            one,
            &ada,
        ),
        // 1×1÷5 = 0.2: P4.
        (
            spec("Rename the alert channel", (1, 1, 5)).due("2026-10-01"),
            one,
            &grace,
        ),
        // 5×5÷1 = 25 overridden down to P4: first of the P4s by score.
        (
            spec("Replace the tape library", (5, 5, 1))
                .overridden(Priority::P4)
                .due("2026-10-15")
                .status(ActionStatus::Done),
            two,
            &grace,
        ),
        // 4×4÷3 = 5.33: P3; cancelled, past due, never overdue.
        (
            spec("Train the helpdesk on callbacks", (4, 4, 3))
                .due("2026-09-01")
                .status(ActionStatus::Cancelled)
                .kind(ActionType::Training),
            one,
            &ada,
        ),
    ];
    for (i, (s, inc, owner)) in items.into_iter().enumerate() {
        let s = s.created(at(i64::try_from(i).unwrap()));
        create(store, &s, inc, owner.id).await;
    }
    (one, two, ada, grace)
}

const RANKED: [&str; 9] = [
    "Add MFA to the backup console",
    "Block macros from external senders",
    "Brief the board on the backup gap",
    "Enable replication alerts",
    "Document the failover",
    "Patch the edge routers",
    "Train the helpdesk on callbacks",
    "Replace the tape library",
    "Rename the alert channel",
];

#[tokio::test]
async fn the_listing_ranks_by_effective_priority_then_score_then_due_date() {
    each_database(|store| async move {
        portfolio(&*store).await;
        let policy = PriorityPolicy::default();
        let (all, total) = list(&*store, &ActionFilter::default(), &policy).await;
        assert_eq!(titles(&all), RANKED);
        assert_eq!(total, 9);
        // The effective priorities are in order, as the domain computes them.
        let priorities: Vec<Priority> = all.iter().map(|r| r.action.priority(&policy)).collect();
        let mut sorted = priorities.clone();
        sorted.sort();
        assert_eq!(priorities, sorted);
        assert_eq!(
            priorities,
            [
                Priority::P1,
                Priority::P1,
                Priority::P1,
                Priority::P2,
                Priority::P2,
                Priority::P2,
                Priority::P3,
                Priority::P4,
                Priority::P4
            ]
        );
        // Equal rank, score and due date: the older first.
        let inc = all[0].action.incident_id;
        let owner = all[0].owner.id;
        let later = create(
            &*store,
            &spec("Add MFA to the VPN", (5, 5, 2))
                .due("2026-12-01")
                .created(at(100)),
            inc,
            owner,
        )
        .await;
        let earlier = create(
            &*store,
            &spec("Add MFA to the jump hosts", (5, 5, 2))
                .due("2026-12-01")
                .created(at(50)),
            inc,
            owner,
        )
        .await;
        let (all, _) = list(&*store, &ActionFilter::default(), &policy).await;
        assert_eq!(
            titles(&all[..3]),
            [
                "Add MFA to the backup console",
                earlier.fields.title.as_str(),
                later.fields.title.as_str()
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn every_filter_narrows_the_listing_and_priorities_follow_the_policy_given() {
    each_database(|store| async move {
        let (one, two, ada, grace) = portfolio(&*store).await;
        let policy = PriorityPolicy::default();
        let only = |f: ActionFilter| {
            let store = store.clone();
            async move {
                let (records, total) = list(&*store, &f, &policy).await;
                assert_eq!(records.len() as u64, total);
                titles(&records)
                    .into_iter()
                    .map(str::to_owned)
                    .collect::<Vec<String>>()
            }
        };
        let expect = |keep: &dyn Fn(&str) -> bool| -> Vec<String> {
            RANKED
                .iter()
                .filter(|t| keep(t))
                .map(|t| (*t).to_owned())
                .collect()
        };

        let by_incident = only(ActionFilter {
            incident_id: Some(two),
            ..Default::default()
        })
        .await;
        assert_eq!(
            by_incident,
            [
                "Brief the board on the backup gap",
                "Enable replication alerts",
                "Document the failover",
                "Replace the tape library"
            ]
        );
        let by_owner = only(ActionFilter {
            owner_id: Some(grace.id),
            ..Default::default()
        })
        .await;
        assert_eq!(
            by_owner,
            [
                "Block macros from external senders",
                "Brief the board on the backup gap",
                "Replace the tape library",
                "Rename the alert channel"
            ]
        );
        let both = only(ActionFilter {
            incident_id: Some(one),
            owner_id: Some(ada.id),
            ..Default::default()
        })
        .await;
        assert_eq!(
            both,
            [
                "Add MFA to the backup console",
                "Patch the edge routers",
                "Train the helpdesk on callbacks"
            ]
        );
        let open = only(ActionFilter {
            statuses: vec![
                ActionStatus::Open,
                ActionStatus::InProgress,
                ActionStatus::Blocked,
            ],
            ..Default::default()
        })
        .await;
        assert_eq!(
            open,
            expect(&|t| !matches!(
                t,
                "Replace the tape library" | "Train the helpdesk on callbacks"
            ))
        );
        let closed = only(ActionFilter {
            statuses: vec![ActionStatus::Done, ActionStatus::Cancelled],
            ..Default::default()
        })
        .await;
        assert_eq!(
            closed,
            [
                "Train the helpdesk on callbacks",
                "Replace the tape library"
            ]
        );
        let types = only(ActionFilter {
            types: vec![ActionType::Detect, ActionType::Documentation],
            ..Default::default()
        })
        .await;
        assert_eq!(
            types,
            ["Enable replication alerts", "Document the failover"]
        );

        let p1 = ActionFilter {
            priorities: vec![Priority::P1],
            ..Default::default()
        };
        assert_eq!(only(p1.clone()).await, RANKED[..3]);
        let p2_p4 = only(ActionFilter {
            priorities: vec![Priority::P2, Priority::P4],
            ..Default::default()
        })
        .await;
        assert_eq!(
            p2_p4,
            [
                "Enable replication alerts",
                "Document the failover",
                "Patch the edge routers",
                "Replace the tape library",
                "Rename the alert channel"
            ]
        );

        // Other thresholds, same rows: 12.5 and 12 fall to P2, 9 to P3, 6 to
        // P4; overrides keep their priority.
        let strict = PriorityPolicy::parse("13,9.5,6.5").unwrap();
        let (p1_strict, _) = list(&*store, &p1, &strict).await;
        assert_eq!(titles(&p1_strict), ["Brief the board on the backup gap"]);
        let (p2_strict, _) = list(
            &*store,
            &ActionFilter {
                priorities: vec![Priority::P2],
                ..Default::default()
            },
            &strict,
        )
        .await;
        assert_eq!(
            titles(&p2_strict),
            [
                "Add MFA to the backup console",
                "Block macros from external senders"
            ]
        );
        let (all_strict, _) = list(&*store, &ActionFilter::default(), &strict).await;
        assert_eq!(
            titles(&all_strict),
            [
                "Brief the board on the backup gap",
                "Add MFA to the backup console",
                "Block macros from external senders",
                "Enable replication alerts",
                "Document the failover",
                "Replace the tape library",
                "Patch the edge routers",
                "Train the helpdesk on callbacks",
                "Rename the alert channel"
            ]
        );
        // A threshold with three decimals is exact: 4×4÷3 = 5.333… is below
        // 5.334 and at 5.333.
        let at_5333 = PriorityPolicy::parse("12,5.333,3").unwrap();
        let at_5334 = PriorityPolicy::parse("12,5.334,3").unwrap();
        let p2 = ActionFilter {
            priorities: vec![Priority::P2],
            ..Default::default()
        };
        let (r, _) = list(&*store, &p2, &at_5333).await;
        assert!(titles(&r).contains(&"Train the helpdesk on callbacks"));
        let (r, _) = list(&*store, &p2, &at_5334).await;
        assert!(!titles(&r).contains(&"Train the helpdesk on callbacks"));
        // The rows were not rewritten: the default policy reads as before.
        assert_eq!(only(p1).await, RANKED[..3]);

        // Overdue on a date: open, in progress or blocked, due before it.
        let overdue = only(ActionFilter {
            overdue_on: Some(day("2026-11-26")),
            ..Default::default()
        })
        .await;
        assert_eq!(
            overdue,
            [
                "Block macros from external senders",
                "Patch the edge routers",
                "Rename the alert channel"
            ]
        );
        // Due on the day itself is not overdue yet.
        let on_the_day = only(ActionFilter {
            overdue_on: Some(day("2026-11-20")),
            ..Default::default()
        })
        .await;
        assert_eq!(
            on_the_day,
            [
                "Block macros from external senders",
                "Rename the alert channel"
            ]
        );
        let overdue_p2_ada = only(ActionFilter {
            overdue_on: Some(day("2026-11-26")),
            owner_id: Some(ada.id),
            priorities: vec![Priority::P2],
            ..Default::default()
        })
        .await;
        assert_eq!(overdue_p2_ada, ["Patch the edge routers"]);
        let none = only(ActionFilter {
            incident_id: Some(Uuid::now_v7()),
            ..Default::default()
        })
        .await;
        assert!(none.is_empty());
    })
    .await;
}

#[tokio::test]
async fn offset_and_limit_page_through_the_ranking_with_the_total() {
    each_database(|store| async move {
        portfolio(&*store).await;
        let policy = PriorityPolicy::default();
        let all = ActionFilter::default();
        let mut seen = Vec::new();
        let mut offset = 0;
        loop {
            let (page, total) = store.list_actions(&all, &policy, offset, 4).await.unwrap();
            assert_eq!(total, 9);
            assert!(page.len() <= 4);
            if page.is_empty() {
                break;
            }
            offset += page.len() as u64;
            seen.extend(titles(&page).into_iter().map(str::to_owned));
        }
        assert_eq!(seen, RANKED);
        let (page, total) = store.list_actions(&all, &policy, 7, 4).await.unwrap();
        assert_eq!((titles(&page), total), (RANKED[7..].to_vec(), 9));
        let (page, total) = store.list_actions(&all, &policy, 100, 4).await.unwrap();
        assert_eq!((page.len(), total), (0, 9));
        let filtered = ActionFilter {
            priorities: vec![Priority::P2],
            ..Default::default()
        };
        let (page, total) = store.list_actions(&filtered, &policy, 1, 1).await.unwrap();
        assert_eq!((titles(&page), total), (vec!["Document the failover"], 3));
    })
    .await;
}

#[tokio::test]
async fn history_reads_in_time_order_per_action_and_per_incident() {
    each_database(|store| async move {
        let owner = add_person(&*store, "Ada", "ada@example.org").await;
        let inc = incident(&*store, "Phishing").await;
        let other = incident(&*store, "Other").await;
        let a = create(
            &*store,
            &spec("Add DMARC reject", (3, 3, 3)).created(at(0)),
            inc,
            owner.id,
        )
        .await;
        let b = create(
            &*store,
            &spec("Train staff on reporting", (3, 3, 3)).created(at(5)),
            inc,
            owner.id,
        )
        .await;
        let elsewhere = create(
            &*store,
            &spec("Audit the mail relays", (3, 3, 3)).created(at(1)),
            other,
            owner.id,
        )
        .await;
        let step =
            |action: &Action, minutes: i64, from: ActionStatus, to: ActionStatus| HistoryEntry {
                action_id: action.id,
                at: at(minutes),
                actor: "Ada".into(),
                what: "status".into(),
                from_status: Some(from),
                to_status: Some(to),
                detail: format!("{from} to {to}"),
            };
        let mut a2 = a.clone();
        a2.status = ActionStatus::Done;
        a2.version = 2;
        // Two lines in one update, given out of order: read back by time.
        let a_late = step(&a, 20, ActionStatus::InProgress, ActionStatus::Done);
        let a_early = step(&a, 10, ActionStatus::Open, ActionStatus::InProgress);
        store
            .update_action(&a2, 1, &[a_late.clone(), a_early.clone()])
            .await
            .unwrap();
        let mut b2 = b.clone();
        b2.status = ActionStatus::InProgress;
        b2.version = 2;
        let b_move = step(&b, 15, ActionStatus::Open, ActionStatus::InProgress);
        store
            .update_action(&b2, 1, std::slice::from_ref(&b_move))
            .await
            .unwrap();

        assert_eq!(
            store.action_history(a.id).await.unwrap(),
            [created_entry(&a), a_early.clone(), a_late.clone()]
        );
        assert_eq!(
            store.action_history(b.id).await.unwrap(),
            [created_entry(&b), b_move.clone()]
        );
        assert_eq!(
            store.incident_action_history(inc).await.unwrap(),
            [
                created_entry(&a),
                created_entry(&b),
                a_early,
                b_move,
                a_late
            ]
        );
        assert_eq!(
            store.incident_action_history(other).await.unwrap(),
            [created_entry(&elsewhere)]
        );
        assert!(
            store
                .action_history(Uuid::now_v7())
                .await
                .unwrap()
                .is_empty()
        );
    })
    .await;
}

#[tokio::test]
async fn follow_ups_read_back_as_written_oldest_first() {
    each_database(|store| async move {
        let owner = add_person(&*store, "Ada", "ada@example.org").await;
        let inc = incident(&*store, "Phishing").await;
        let other = incident(&*store, "Other").await;
        let a = create(
            &*store,
            &spec("Add DMARC reject", (3, 3, 3)).due("2026-11-01"),
            inc,
            owner.id,
        )
        .await;
        let snapshot = |minutes: i64, status: ActionStatus, note: &str| FollowUp {
            id: Uuid::now_v7(),
            incident_id: inc,
            taken_at: at(minutes),
            actor: "Marta".into(),
            note: note.into(),
            items: vec![SnapshotItem {
                action_id: a.id,
                number: a.number,
                title: a.fields.title.clone(),
                status,
                owner: owner.name.clone(),
                due_on: a.fields.due_on,
                overdue: status.is_open(),
                priority: Priority::P3,
            }],
        };
        let later = snapshot(60, ActionStatus::Done, "Second session: \"done\", ✓");
        let earlier = snapshot(30, ActionStatus::InProgress, "");
        store.add_follow_up(&later).await.unwrap();
        store.add_follow_up(&earlier).await.unwrap();
        assert_eq!(
            store.follow_ups(inc).await.unwrap(),
            [earlier.clone(), later.clone()]
        );
        assert!(store.follow_ups(other).await.unwrap().is_empty());
        let err = store.add_follow_up(&earlier).await.unwrap_err();
        assert!(matches!(err, StoreError::Duplicate { .. }), "{err:?}");
        assert_eq!(store.follow_ups(inc).await.unwrap().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn an_overdue_notice_is_claimed_once_per_due_date() {
    each_database(|store| async move {
        let owner = add_person(&*store, "Ada", "ada@example.org").await;
        let inc = incident(&*store, "Outage").await;
        let today = day("2026-11-26");
        let late = create(
            &*store,
            &spec("Patch the edge routers", (3, 3, 3)).due("2026-11-20"),
            inc,
            owner.id,
        )
        .await;
        let blocked = create(
            &*store,
            &spec("Replace the core switch", (3, 3, 3))
                .due("2026-11-25")
                .status(ActionStatus::Blocked),
            inc,
            owner.id,
        )
        .await;
        // Not overdue: due today, due later, no due date, or no longer open.
        for s in [
            spec("Add a second uplink", (3, 3, 3)).due("2026-11-26"),
            spec("Add a third uplink", (3, 3, 3)).due("2026-12-26"),
            spec("Add monitoring", (3, 3, 3)),
            spec("Document the topology", (3, 3, 3))
                .due("2026-10-01")
                .status(ActionStatus::Done),
            spec("Review the vendor", (3, 3, 3))
                .due("2026-10-01")
                .status(ActionStatus::Cancelled),
        ] {
            create(&*store, &s, inc, owner.id).await;
        }
        let ids = |rs: Vec<ActionRecord>| -> Vec<Uuid> { rs.iter().map(|r| r.action.id).collect() };
        assert_eq!(
            ids(store.overdue_unnotified(today).await.unwrap()),
            [late.id, blocked.id]
        );

        assert!(
            store
                .claim_overdue_notice(late.id, day("2026-11-20"))
                .await
                .unwrap()
        );
        assert!(
            !store
                .claim_overdue_notice(late.id, day("2026-11-20"))
                .await
                .unwrap(),
            "a second claim for the same due date must lose"
        );
        assert_eq!(
            ids(store.overdue_unnotified(today).await.unwrap()),
            [blocked.id]
        );

        // A new due date (still past) makes it due for a notice again.
        let mut moved = late.clone();
        moved.fields.due_on = Some(day("2026-11-24"));
        moved.version = 2;
        store.update_action(&moved, 1, &[]).await.unwrap();
        // Ordered by due date: 2026-11-24 before 2026-11-25.
        assert_eq!(
            ids(store.overdue_unnotified(today).await.unwrap()),
            [late.id, blocked.id]
        );
        assert!(
            store
                .claim_overdue_notice(late.id, day("2026-11-24"))
                .await
                .unwrap()
        );
        assert!(
            !store
                .claim_overdue_notice(late.id, day("2026-11-24"))
                .await
                .unwrap()
        );
        // The edit kept the claim column: still nothing to send for it.
        moved.fields.title = "Patch the edge routers and the spares".into();
        moved.version = 3;
        store.update_action(&moved, 2, &[]).await.unwrap();
        assert_eq!(
            ids(store.overdue_unnotified(today).await.unwrap()),
            [blocked.id]
        );
        // Concurrent claims: exactly one wins.
        let claims: Vec<_> = (0..6)
            .map(|_| {
                let store = store.clone();
                let id = blocked.id;
                tokio::spawn(async move {
                    store
                        .claim_overdue_notice(id, day("2026-11-25"))
                        .await
                        .unwrap()
                })
            })
            .collect();
        let won = futures::future::join_all(claims)
            .await
            .into_iter()
            .filter(|r| *r.as_ref().unwrap())
            .count();
        assert_eq!(won, 1);
        assert!(store.overdue_unnotified(today).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn the_import_transaction_inserts_each_action_once_and_a_drop_keeps_nothing() {
    each_database(|store| async move {
        let inc = incident(&*store, "Imported").await;
        let imported_owner = person("Imported Owner", "Owner@Example.org");
        let mut a = spec("Add DMARC reject", (4, 4, 3))
            .due("2026-10-01")
            .status(ActionStatus::Done)
            .build(inc, imported_owner.id);
        a.number = 7;
        a.done_on = Some(day("2026-10-20"));
        a.version = 4;
        let history = vec![
            created_entry(&a),
            HistoryEntry {
                action_id: a.id,
                at: at(30),
                actor: "Ada".into(),
                what: "status".into(),
                from_status: Some(ActionStatus::Open),
                to_status: Some(ActionStatus::Done),
                detail: String::new(),
            },
        ];

        // Dropped without commit: nothing stays.
        {
            let mut tx = store.begin().await.unwrap();
            assert_eq!(tx.person_by_email("owner@example.org").await.unwrap(), None);
            tx.create_person(&imported_owner, now()).await.unwrap();
            assert_eq!(
                tx.person_by_email("OWNER@example.org")
                    .await
                    .unwrap()
                    .map(|p| p.id),
                Some(imported_owner.id)
            );
            assert!(tx.insert_action_if_new(&a, &history).await.unwrap());
            assert!(!tx.insert_action_if_new(&a, &history).await.unwrap());
        }
        assert!(matches!(
            store.action_by_id(a.id).await,
            Err(StoreError::NotFound { .. })
        ));
        assert!(store.action_history(a.id).await.unwrap().is_empty());
        assert_eq!(
            store.person_by_email("owner@example.org").await.unwrap(),
            None
        );
        assert!(store.people().await.unwrap().is_empty());

        // Committed: kept as given, number and all.
        let mut tx = store.begin().await.unwrap();
        tx.create_person(&imported_owner, now()).await.unwrap();
        assert!(tx.insert_action_if_new(&a, &history).await.unwrap());
        assert!(!tx.insert_action_if_new(&a, &history).await.unwrap());
        let f = FollowUp {
            id: Uuid::now_v7(),
            incident_id: inc,
            taken_at: at(40),
            actor: "Marta".into(),
            note: String::new(),
            items: Vec::new(),
        };
        assert!(tx.add_follow_up_if_new(&f).await.unwrap());
        assert!(!tx.add_follow_up_if_new(&f).await.unwrap());
        tx.commit().await.unwrap();

        let read = store.action_by_id(a.id).await.unwrap();
        assert_eq!(read.action, a);
        assert_eq!(read.owner.email, "owner@example.org");
        assert_eq!(store.action_history(a.id).await.unwrap(), history);
        assert_eq!(store.follow_ups(inc).await.unwrap(), [f]);
        // A new action continues after the imported number.
        let next = create(
            &*store,
            &spec("Document the mail flow", (1, 1, 1)),
            inc,
            imported_owner.id,
        )
        .await;
        assert_eq!(next.number, 8);
        // A later import of the same action adds nothing.
        let mut tx = store.begin().await.unwrap();
        assert!(!tx.insert_action_if_new(&a, &history).await.unwrap());
        tx.commit().await.unwrap();
        assert_eq!(store.action_history(a.id).await.unwrap().len(), 2);
    })
    .await;
}

#[test]
fn the_thresholds_used_above_are_in_thousandths() {
    assert_eq!(
        PriorityPolicy::parse("13,9.5,6.5").unwrap().milli(),
        [13_000, 9_500, 6_500]
    );
    assert_eq!(
        PriorityPolicy::parse("12,5.333,3").unwrap().milli(),
        [12_000, 5_333, 3_000]
    );
    let helpdesk = Scoring {
        risk: 4,
        impact: 4,
        effort: 3,
    };
    assert_eq!(helpdesk.score_milli(), 5_333);
}
