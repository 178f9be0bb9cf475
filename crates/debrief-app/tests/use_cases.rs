//! The use cases end to end on a real store (SQLite, and PostgreSQL when
//! configured): imports, the bundle round trip, lifecycle edits, bad input.

use std::sync::Arc;

use debrief_app::import::{ImportFormat, TimelineImportOptions};
use debrief_app::{App, AppError, FixedClock, Settings};
use debrief_core::{DurationName, IncidentDraft, Precision, TimelineEventDraft};
use debrief_store::EventFilter;
use debrief_testkit::TestDatabase;

fn clock() -> FixedClock {
    FixedClock("2026-11-26T12:00:00Z".parse().unwrap())
}

async fn each_app<F, Fut>(story: F)
where
    F: Fn(App) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for db in TestDatabase::all().await {
        let store = debrief_store::open(&db.url).await.unwrap();
        eprintln!("story on {}", db.kind);
        story(App::new(
            Arc::new(store.clone()),
            Arc::new(clock()),
            Settings::default(),
        ))
        .await;
        store.close().await;
    }
}

async fn new_incident(app: &App) -> String {
    let draft = IncidentDraft {
        title: "Suspicious logins".into(),
        category: "unauthorised_access".into(),
        severity: "medium".into(),
        ..Default::default()
    };
    app.create_incident(&draft).await.unwrap().key.to_string()
}

fn nothing(_: u64) {}

const CSV: &str = "Time,Type,Description,Who,key\n\
2026-01-01T09:00Z,detection,\"Alert: \"\"impossible travel\"\"\",SIEM,yes\n\
2026-01-01T09:30+01:00,decision,\"Lock the account,\nthen call the user\",Dana,\n\
2026-01-02,containment,Account locked,Dana,1\n";

#[tokio::test]
async fn a_csv_timeline_is_imported_once_with_headers_mapped_by_name() {
    each_app(|app| async move {
        let key = new_incident(&app).await;
        let mut opts = TimelineImportOptions::new(ImportFormat::Csv);
        opts.source = "siem-export".into();
        let report = app
            .import_timeline(&key, CSV.as_bytes(), &opts, &nothing)
            .await
            .unwrap();
        assert_eq!((report.read, report.added, report.duplicates), (3, 3, 0));
        let again = app
            .import_timeline(&key, CSV.as_bytes(), &opts, &nothing)
            .await
            .unwrap();
        assert_eq!((again.read, again.added, again.duplicates), (3, 0, 3));
        let events = app.events(&key, &EventFilter::default()).await.unwrap();
        assert_eq!(events.len(), 3);
        assert_eq!(events[1].event.text, "Alert: \"impossible travel\"");
        assert_eq!(events[1].event.source, "siem-export");
        assert_eq!(events[1].event.actor.as_deref(), Some("SIEM"));
        assert!(events[1].event.key);
        assert!(!events[0].event.key);
        // 09:30+01:00 is 08:30Z: it sorts before the 09:00Z alert.
        assert_eq!(events[0].event.kind.as_str(), "decision");
        assert_eq!(
            events[0].event.text,
            "Lock the account,\nthen call the user"
        );
        assert_eq!(events[2].event.at.precision(), Precision::Day);
    })
    .await;
}

#[tokio::test]
async fn a_bad_row_stops_the_import_with_its_line_and_column_and_keeps_nothing() {
    each_app(|app| async move {
        let key = new_incident(&app).await;
        let csv_opts = TimelineImportOptions::new(ImportFormat::Csv);
        let jsonl_opts = TimelineImportOptions::new(ImportFormat::JsonLines);
        let cases: Vec<(&TimelineImportOptions, String, u64, &str)> = vec![
            (&csv_opts, "at,kind,text\n2026-01-01T09:00Z,detection,ok\n2026-01-01T10:00Z,explosion,bad\n".into(), 3, "unknown kind `explosion`"),
            (&csv_opts, "at,kind,text\n2026-01-01T09:00Z,detection,ok\n2026-02-30,detection,bad\n".into(), 3, "not a real date"),
            (&csv_opts, "at,kind,text\n2026-01-01T09:00+31:00,detection,bad\n".into(), 2, "outside the real-world range"),
            (&csv_opts, "at,text\n2026-01-01T09:00Z,no kind column\n".into(), 1, "missing column `kind`"),
            (&csv_opts, "at,kind,text\n2026-01-01T09:00Z,detection\n".into(), 2, "2 fields but the header has 3"),
            (&jsonl_opts, "{\"at\":\"2026-01-01T09:00Z\",\"kind\":\"detection\",\"text\":\"ok\"}\n{\"at\":\"2026-01-01T09:05Z\",\"kind\":\"detec".into(), 2, "truncated"),
            (&jsonl_opts, "{\"at\":\"2026-01-01T09:00Z\",\"kind\":\"detection\",\"txt\":\"typo\"}\n".into(), 1, "unknown field `txt`"),
            (&jsonl_opts, format!("{{\"at\":\"2026-01-01T09:00Z\",\"kind\":\"detection\",\"text\":\"ok\"}}\n{{\"text\":\"{}\"}}\n", "x".repeat(50 << 20)), 2, "longer than 1 MiB"),
        ];
        for (opts, input, line, needle) in cases {
            let err = app.import_timeline(&key, input.as_bytes(), opts, &nothing).await.unwrap_err();
            let AppError::Import(e) = &err else { panic!("expected an import error, got {err:?}") };
            assert_eq!(e.line, line, "{err}");
            assert!(err.to_string().contains(needle), "{err}");
            assert!(err.to_string().contains("nothing was imported"), "{err}");
        }
        let e = app
            .import_timeline(&key, "at,kind,text\n2026-01-01T09:00Z,detection,ok\n2026-01-01T10:00Z,explosion,bad\n".as_bytes(), &csv_opts, &nothing)
            .await
            .unwrap_err();
        let AppError::Import(e) = e else { unreachable!() };
        assert_eq!(e.column, Some(2));
        assert!(app.events(&key, &EventFilter::default()).await.unwrap().is_empty());
    })
    .await;
}

const BUNDLE: &str = r#"{
  "format": "debrief-bundle", "version": 1,
  "incidents": [{
    "key": "INC-2019-0007", "title": "Offsets and dates", "category": "malware", "severity": "high",
    "timestamps": {
      "started": "2019-07-01",
      "detected": "2019-07-02T13:42+02:00",
      "acknowledged": {"at": "2019-07-02T08:00-05:00", "precision": "hour"},
      "contained": "2019-07-02T19:12:30.25+05:30",
      "recovered": "2019-07-04"
    },
    "timeline": [
      {"at": "2019-07-02T11:42Z", "kind": "detection", "source": "siem", "actor": "EDR", "text": "Alert", "key": true},
      {"at": "2019-07-02T13:00Z", "precision": "hour", "kind": "decision", "actor": null, "text": "Isolate", "key": false}
    ]
  }]
}"#;

#[tokio::test]
async fn a_bundle_with_several_offsets_and_dates_gives_durations_with_their_precision() {
    each_app(|app| async move {
        let report = app
            .import_bundle(BUNDLE.as_bytes(), &nothing)
            .await
            .unwrap();
        assert_eq!((report.incidents_created, report.events_added), (1, 2));
        let view = app.incident_view("INC-2019-0007").await.unwrap();
        let d = |n| view.durations.get(n);
        // 2019-07-01 (day) → 2019-07-02T11:42Z: day precision, rounds to 1 day.
        let detect = d(DurationName::TimeToDetect).unwrap();
        assert_eq!((detect.seconds, detect.precision), (86_400, Precision::Day));
        // 11:42Z → 13:00Z at hour precision: 1 hour (rounded from 78 min).
        let ack = d(DurationName::TimeToAcknowledge).unwrap();
        assert_eq!((ack.seconds, ack.precision), (3_600, Precision::Hour));
        // 11:42Z (minute) → 13:42:30.25Z (second): 2 h 0 min 30.25 s, at minute precision.
        let contain = d(DurationName::TimeToContain).unwrap();
        assert_eq!(
            (contain.seconds, contain.precision),
            (7_260, Precision::Minute)
        );
        assert_eq!(
            d(DurationName::TimeToRecover).unwrap().precision,
            Precision::Day
        );
        assert_eq!(d(DurationName::TimeToClose), None);
        // Importing it again adds nothing.
        let again = app
            .import_bundle(BUNDLE.as_bytes(), &nothing)
            .await
            .unwrap();
        assert_eq!(
            (
                again.incidents_existing,
                again.events_added,
                again.events_duplicate
            ),
            (1, 0, 2)
        );
    })
    .await;
}

#[tokio::test]
async fn export_import_export_is_identical() {
    each_app(|app| async move {
        app.load_demo().await.unwrap();
        let first = serde_json::to_string_pretty(&app.export_bundle(&[]).await.unwrap()).unwrap();
        let other = TestDatabase::sqlite();
        let store = debrief_store::open(&other.url).await.unwrap();
        let app2 = App::new(Arc::new(store), Arc::new(clock()), Settings::default());
        app2.import_bundle(first.as_bytes(), &nothing)
            .await
            .unwrap();
        let second = serde_json::to_string_pretty(&app2.export_bundle(&[]).await.unwrap()).unwrap();
        assert_eq!(first, second);
        // Importing the same bundle again into either database adds nothing.
        let again = app2
            .import_bundle(first.as_bytes(), &nothing)
            .await
            .unwrap();
        assert_eq!(
            (
                again.incidents_created,
                again.incidents_existing,
                again.events_added
            ),
            (0, 3, 0)
        );
    })
    .await;
}

#[tokio::test]
async fn a_bundle_with_a_bad_incident_is_refused_whole_naming_the_place() {
    each_app(|app| async move {
        let bad = BUNDLE
            .replace("\"severity\": \"high\"", "\"severity\": \"dire\"")
            .replace("\"kind\": \"decision\"", "\"kind\": \"musing\"");
        let err = app
            .import_bundle(bad.as_bytes(), &nothing)
            .await
            .unwrap_err();
        let AppError::Invalid(errors) = &err else {
            panic!("{err:?}")
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"incidents[0].severity"), "{fields:?}");
        assert!(
            fields.contains(&"incidents[0].timeline[1].kind"),
            "{fields:?}"
        );
        assert_eq!(app.store().count_incidents().await.unwrap(), 0);
        let truncated = &BUNDLE[..BUNDLE.len() / 2];
        let err = app
            .import_bundle(truncated.as_bytes(), &nothing)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("truncated"), "{err}");
        let wrong = r#"{"format":"debrief-bundle","version":2,"incidents":[]}"#;
        assert!(
            app.import_bundle(wrong.as_bytes(), &nothing)
                .await
                .unwrap_err()
                .to_string()
                .contains("version 2")
        );
    })
    .await;
}

#[tokio::test]
async fn lifecycle_timestamps_follow_the_order_rules_and_versions() {
    each_app(|app| async move {
        let key = new_incident(&app).await;
        let i = app
            .set_time(&key, "started", Some("2026-01-01T10:00Z"), None)
            .await
            .unwrap();
        assert_eq!(i.version, 2);
        let err = app
            .set_time(&key, "detected", Some("2026-01-01T09:00Z"), None)
            .await
            .unwrap_err();
        let AppError::Invalid(e) = &err else {
            panic!("{err:?}")
        };
        assert!(e.0[0].message.contains("detected") && e.0[0].message.contains("started"));
        let err = app
            .set_time(&key, "detected", Some("2026-01-01T11:00Z"), Some(1))
            .await
            .unwrap_err();
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
        let added = app
            .add_event(
                &key,
                &TimelineEventDraft {
                    at: "2026-01-01T12:15+01:00".into(),
                    kind: "containment".into(),
                    text: "Blocked".into(),
                    ..Default::default()
                },
                None,
            )
            .await
            .unwrap();
        assert!(added.created);
        let i = app
            .set_time_from_event(&key, "contained", added.event.id, Some(2))
            .await
            .unwrap();
        assert_eq!(
            i.fields
                .lifecycle
                .get(debrief_core::LifecycleField::Contained)
                .unwrap()
                .to_rfc3339(),
            "2026-01-01T12:15+01:00"
        );
        let dup = app
            .add_event(
                &key,
                &TimelineEventDraft {
                    at: "2026-01-01T11:15Z".into(),
                    kind: "containment".into(),
                    text: "Blocked".into(),
                    ..Default::default()
                },
                None,
            )
            .await
            .unwrap();
        assert!(!dup.created);
        assert_eq!(dup.event.id, added.event.id);
        assert!(matches!(
            app.incident("INC-2026-9999").await,
            Err(AppError::NotFound(_))
        ));
        assert!(matches!(
            app.set_time(&key, "finished", Some("2026-01-01"), None)
                .await,
            Err(AppError::Invalid(_))
        ));
    })
    .await;
}

#[test]
fn the_published_json_schema_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/bundle.schema.json");
    let generated = debrief_app::bundle::json_schema();
    if std::env::var("UPDATE_SCHEMA").is_ok() {
        std::fs::write(path, &generated).unwrap();
    }
    let published = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        published == generated,
        "docs/bundle.schema.json is stale: run UPDATE_SCHEMA=1 cargo test -p debrief-app"
    );
}

#[tokio::test]
async fn the_demo_has_reviews_at_every_stage_and_totals_in_euros() {
    use debrief_core::review::ReviewStatus;
    each_app(|app| async move {
        app.load_demo().await.unwrap();
        let status = |r: Option<debrief_core::review::Review>| r.map(|r| r.status);
        assert_eq!(
            status(app.review("INC-2026-0001").await.unwrap().1),
            Some(ReviewStatus::Approved)
        );
        assert_eq!(
            status(app.review("INC-2026-0002").await.unwrap().1),
            Some(ReviewStatus::InReview)
        );
        assert_eq!(
            status(app.review("INC-2026-0003").await.unwrap().1),
            Some(ReviewStatus::Draft)
        );
        let total = |key: &'static str| {
            let app = app.clone();
            async move {
                app.impact_total(key)
                    .await
                    .unwrap()
                    .amount
                    .map(|m| m.to_string())
            }
        };
        // 48,000 + 320 h × 85 + 120,000 + 6,500 USD × 0.9012 (rate of 2026-09-01)
        assert_eq!(
            total("INC-2026-0001").await.as_deref(),
            Some("201,057.80 EUR")
        );
        // 25,000 + 85,000 INR × 0.01052 + 46 h × 70
        assert_eq!(
            total("INC-2026-0002").await.as_deref(),
            Some("29,114.20 EUR")
        );
        // 18,400 USD × 0.9187 (rate of 2026-11-02, the latest on or before 2026-11-03) + 12 h × 95
        assert_eq!(
            total("INC-2026-0003").await.as_deref(),
            Some("18,044.08 EUR")
        );
        assert_eq!(
            app.load_demo().await.unwrap(),
            debrief_app::demo::DemoOutcome::NotEmpty { incidents: 3 }
        );
    })
    .await;
}
