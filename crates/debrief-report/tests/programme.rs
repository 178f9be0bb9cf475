//! The programme report from hand-built data: an empty period and a
//! period with one incident, its Markdown read back by a CommonMark parser
//! (tables intact, user text escaped) and its HTML a standalone,
//! print-ready document (the Nu checker validates it in the browser test).

use std::collections::{BTreeMap, HashSet};

use debrief_core::kpi::{self, ActionFacts, IncidentFacts, Share};
use debrief_core::review::ReviewStatus;
use debrief_core::{ActionStatus, Severity};
use debrief_report::{
    ActionPerformance, Improvement, ProgrammeInput, RecurringIncident, programme_html,
    programme_kpi_rows, programme_markdown,
};
use jiff::civil::{Date, date};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

fn ts(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

fn facts(key: &str, at: &str, category: &str) -> IncidentFacts {
    let at = ts(at);
    IncidentFacts {
        key: key.into(),
        at,
        on: at.to_zoned_datetime(jiff::tz::TimeZone::UTC).date(),
        category: category.into(),
        severity: Severity::High,
        services: vec!["Mail".into()],
        tags: vec![],
        closed: true,
        durations: [
            Some(3600),
            Some(600),
            Some(7200),
            None,
            Some(36_000),
            Some(86_400 * 5),
            None,
        ],
        review: Some(ReviewStatus::Approved),
        recurrence: Some(true),
        workshop: None,
        cost: None,
        cost_missing_rate: false,
        cause_categories: vec!["process".into()],
        actions: vec![ActionFacts {
            status: ActionStatus::Verified,
            created_on: date(2026, 7, 3),
            due_on: Some(date(2026, 7, 20)),
            done_on: Some(date(2026, 7, 15)),
            verified_on: Some(date(2026, 7, 22)),
        }],
    }
}

fn input(current: &[IncidentFacts], previous: &[IncidentFacts]) -> ProgrammeInput {
    let today = date(2026, 10, 5);
    let kpis = kpi::compute(current.iter(), today);
    let prev = kpi::compute(previous.iter(), today);
    let mut labels = BTreeMap::new();
    labels.insert("phishing".to_owned(), "Phishing | social <b>".to_owned());
    ProgrammeInput {
        label: "2026 Q3".into(),
        first_day: date(2026, 7, 1),
        last_day: date(2026, 9, 30),
        previous_first_day: date(2026, 4, 1),
        previous_last_day: date(2026, 6, 30),
        cost_per_incident: None,
        previous_cost_per_incident: None,
        trend: kpi::monthly(current.iter(), date(2026, 7, 1), date(2026, 9, 30)),
        top_causes: kpi::top_causes(current.iter(), 10)
            .into_iter()
            .map(|(c, n)| (if c == "process" { "Process".into() } else { c }, n))
            .collect(),
        recurring: current
            .iter()
            .filter(|f| f.recurrence == Some(true))
            .map(|f| RecurringIncident {
                key: f.key.clone(),
                title: "# Mail *outage* | again".into(),
                category: "Phishing | social <b>".into(),
            })
            .collect(),
        actions: if current.is_empty() {
            ActionPerformance::default()
        } else {
            ActionPerformance {
                opened: 1,
                closed: 1,
                closed_on_time: Share { count: 1, of: 1 },
                verified: 1,
                still_open: 0,
                overdue: 0,
                days_to_close: kpi::stats(&mut [12]),
            }
        },
        improvements: current
            .iter()
            .map(|f| Improvement {
                subject: format!("An action of {} verified on 2026-07-22", f.key),
                category: "Phishing | social <b>".into(),
                comparison: kpi::compare_before_after(
                    &[f],
                    ts("2026-07-22T00:00:00Z"),
                    jiff::SignedDuration::from_hours(24 * 90),
                    ts("2026-10-05T00:00:00Z"),
                ),
            })
            .collect(),
        category_labels: labels,
        kpis,
        previous: prev,
        restricted_excluded: true,
        generated_at: ts("2026-10-05T08:00:00Z"),
        zone: jiff::tz::TimeZone::get("Europe/Berlin").unwrap(),
    }
}

fn options() -> Options {
    Options::ENABLE_TABLES
}

/// Every table as rows of cell texts (the head row first).
fn tables(md: &str) -> Vec<Vec<Vec<String>>> {
    let mut out: Vec<Vec<Vec<String>>> = Vec::new();
    let mut in_table = false;
    for event in Parser::new_ext(md, options()) {
        match event {
            Event::Start(Tag::Table(_)) => {
                in_table = true;
                out.push(Vec::new())
            }
            Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => {
                out.last_mut().unwrap().push(Vec::new())
            }
            Event::Start(Tag::TableCell) => out
                .last_mut()
                .unwrap()
                .last_mut()
                .unwrap()
                .push(String::new()),
            Event::Text(t) | Event::Code(t) if in_table => {
                if let Some(cell) = out
                    .last_mut()
                    .and_then(|t| t.last_mut())
                    .and_then(|r| r.last_mut())
                {
                    cell.push_str(&t);
                }
            }
            Event::End(TagEnd::Table) => in_table = false,
            _ => {}
        }
    }
    out
}

fn headings(md: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for event in Parser::new_ext(md, options()) {
        match event {
            Event::Start(Tag::Heading { .. }) => current = Some(String::new()),
            Event::Text(t) => {
                if let Some(h) = current.as_mut() {
                    h.push_str(&t)
                }
            }
            Event::End(TagEnd::Heading(_)) => out.extend(current.take()),
            _ => {}
        }
    }
    out
}

#[test]
fn an_empty_period_says_so_and_still_has_every_section() {
    let md = programme_markdown(&input(&[], &[]));
    let h = headings(&md);
    for expected in [
        "Programme report 2026 Q3",
        "Key figures",
        "Monthly trends",
        "Top recurring causes",
        "Action performance",
        "Did it work?",
    ] {
        assert!(h.iter().any(|x| x == expected), "{expected} in {h:?}");
    }
    assert!(md.contains("No incidents in this period."));
    assert!(md.contains("No action was verified in this period"));
    let t = tables(&md);
    // Key figures: four columns in every row; "no data", never 0, for durations.
    assert!(t[0].iter().all(|r| r.len() == 4), "{:?}", t[0]);
    let contain = t[0].iter().find(|r| r[0] == "Time to contain").unwrap();
    assert_eq!(contain[1], "no data");
    // Three months in the trend table, each with no data.
    let months = t.iter().find(|t| t[0][0] == "Month").unwrap();
    assert_eq!(months.len(), 4);
    assert_eq!(months[1][0], "Jul 2026");
    assert_eq!(months[1][1], "0");
    let html = programme_html(&input(&[], &[]));
    assert!(html.contains("No incidents in this period."));
}

#[test]
fn one_incident_gives_its_figures_changes_and_a_too_few_statement() {
    let current = [facts("INC-2026-0001", "2026-07-10T09:00:00Z", "phishing")];
    let previous = [
        facts("INC-2026-0000", "2026-05-10T09:00:00Z", "phishing"),
        facts("INC-2026-0002", "2026-05-12T09:00:00Z", "phishing"),
    ];
    let i = input(&current, &previous);
    let rows = programme_kpi_rows(&i);
    let incidents = rows.iter().find(|r| r.label == "Incidents").unwrap();
    assert_eq!(
        (incidents.current.as_str(), incidents.previous.as_str()),
        ("1", "2")
    );
    assert_eq!(incidents.change, "−1");
    let coverage = rows.iter().find(|r| r.label == "Review coverage").unwrap();
    assert_eq!(coverage.current, "100 % (1 of 1)");
    assert_eq!(coverage.change, "no change");

    let md = programme_markdown(&i);
    let t = tables(&md);
    // User text with table and markup characters stays in its cell.
    let cats = t.iter().find(|t| t[0][0] == "Category").unwrap();
    assert_eq!(cats[1], vec!["Phishing | social <b>", "1", "2"]);
    let causes = t.iter().find(|t| t[0][0] == "Cause category").unwrap();
    assert_eq!(causes[1], vec!["Process", "1"]);
    let months = t.iter().find(|t| t[0][0] == "Month").unwrap();
    assert_eq!(months[1][1], "1");
    assert_eq!(months[1][2], "2 h");
    // The recurring incident's title starting with # is not a heading.
    assert!(!headings(&md).iter().any(|h| h.contains("Mail")));
    assert!(md.contains("Too few incidents to say: 1 before and 0 after"));
    assert!(
        md.contains("Restricted incidents you are not a member of are not included in any figure.")
    );

    let html = programme_html(&i);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.contains("@media print"));
    assert!(!html.contains("<script"));
    assert!(!html.contains("<b>"), "user text is escaped");
    assert!(
        html.contains("Phishing | social &lt;b&gt;")
            || html.contains("Phishing | social &#60;b&#62;")
    );
    assert_eq!(html.matches("<svg").count(), 5, "five trend charts");
    assert_eq!(
        html.matches("<table").count(),
        html.matches("<thead>").count()
    );
    let ids: Vec<&str> = html
        .match_indices(" id=\"")
        .map(|(k, _)| {
            let rest = &html[k + 5..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect();
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate ids: {ids:?}");
    assert!(html.contains("Too few incidents to say"));
    // The same input gives the same bytes.
    assert_eq!(html, programme_html(&i));
}

#[test]
fn the_programme_input_serialises_to_json() {
    let i = input(
        &[facts("INC-2026-0001", "2026-07-10T09:00:00Z", "phishing")],
        &[],
    );
    let v: serde_json::Value = serde_json::to_value(&i).unwrap();
    assert_eq!(v["first_day"], "2026-07-01");
    assert_eq!(v["kpis"]["incidents"], 1);
    assert_eq!(v["improvements"][0]["comparison"]["enough_data"], false);
    let _: Date = serde_json::from_value(v["last_day"].clone()).unwrap();
}
