//! What the audit trail costs a write: the median (and p90) of 200 incident
//! updates through the router over HTTP, printed for each database. No
//! wall-clock assertion (the machine is shared); the figures are for the
//! hand-over notes (`cargo test -p debrief-web --test audit_cost -- --nocapture`).

mod common;

use std::time::{Duration, Instant};

use debrief_testkit::TestDatabase;
use reqwest::StatusCode;
use serde_json::json;

const UPDATES: usize = 200;

#[tokio::test]
async fn the_median_incident_update_through_the_router_is_printed() {
    for db in TestDatabase::all().await {
        debrief_testkit::seed_users(&db.url).await;
        let base = common::start_app(common::app(&db).await).await;
        let c = common::client();
        let incident = json!({"title": "Outage 0", "category": "availability", "severity": "high",
                              "summary": "Checkout failed for some customers.", "services": ["checkout"]});
        let r = c
            .post(format!("{base}/api/v1/incidents"))
            .json(&incident)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let mut times: Vec<Duration> = Vec::with_capacity(UPDATES);
        for i in 1..=UPDATES {
            let mut edit = incident.clone();
            edit["title"] = json!(format!("Outage {i}"));
            edit["version"] = json!(i);
            let started = Instant::now();
            let r = c
                .put(format!("{base}/api/v1/incidents/INC-2026-0001"))
                .json(&edit)
                .send()
                .await
                .unwrap();
            let took = started.elapsed();
            assert_eq!(r.status(), StatusCode::OK);
            times.push(took);
        }
        times.sort();
        let median = times[UPDATES / 2];
        let p90 = times[UPDATES * 9 / 10];
        println!(
            "incident update through the router on {}: median {:.2} ms, p90 {:.2} ms ({UPDATES} updates)",
            db.kind,
            median.as_secs_f64() * 1000.0,
            p90.as_secs_f64() * 1000.0
        );
    }
}
