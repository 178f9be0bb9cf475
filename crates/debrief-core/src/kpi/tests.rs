//! KPI functions against hand-computed values, and properties of the
//! statistics.

use jiff::civil::date;
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;

fn ts(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

fn facts(key: &str, at: &str) -> IncidentFacts {
    let at = ts(at);
    IncidentFacts {
        key: key.into(),
        at,
        on: at.to_zoned_datetime(jiff::tz::TimeZone::UTC).date(),
        category: "phishing".into(),
        severity: Severity::High,
        services: vec![],
        tags: vec![],
        closed: false,
        durations: [None; 7],
        review: None,
        recurrence: None,
        workshop: None,
        cost: None,
        cost_missing_rate: false,
        cause_categories: vec![],
        actions: vec![],
    }
}

fn action(
    status: ActionStatus,
    created: Date,
    due: Option<Date>,
    done: Option<Date>,
) -> ActionFacts {
    ActionFacts {
        status,
        created_on: created,
        due_on: due,
        done_on: done,
        verified_on: None,
    }
}

#[test]
fn statistics_of_an_empty_set_are_no_data_not_zero() {
    assert_eq!(stats(&mut []), None);
    assert_eq!(Share::default().percent(), None);
    assert_eq!(Share::default().describe(), "no data");
}

#[test]
fn statistics_of_one_value_are_that_value() {
    let s = stats(&mut [42]).unwrap();
    assert_eq!(
        (s.n, s.median, s.p90, s.mean, s.min, s.max),
        (1, 42, 42, 42, 42, 42)
    );
}

#[test]
fn median_of_an_even_count_is_the_mean_of_the_middle_two_rounded_down() {
    let s = stats(&mut [10, 1, 4, 3]).unwrap();
    assert_eq!(s.median, 3); // (3 + 4) / 2 = 3.5 → 3
    assert_eq!(s.mean, 4); // 18 / 4 = 4.5 → 4
}

#[test]
fn p90_is_the_nearest_rank() {
    // Ten values 1..=10: rank ⌈0.9 × 10⌉ = 9 → 9.
    let mut v: Vec<i64> = (1..=10).rev().collect();
    assert_eq!(stats(&mut v).unwrap().p90, 9);
    // Eleven values: rank ⌈9.9⌉ = 10 → 10.
    let mut v: Vec<i64> = (1..=11).collect();
    assert_eq!(stats(&mut v).unwrap().p90, 10);
    // Skewed: the median stays low while the mean is pulled up.
    let s = stats(&mut [60, 60, 120, 180, 86_400]).unwrap();
    assert_eq!((s.median, s.p90, s.mean), (120, 86_400, 17_364));
}

#[test]
fn kpis_of_an_empty_period_have_no_data() {
    let k = compute([], date(2026, 11, 27));
    assert_eq!(k.incidents, 0);
    assert!(k.durations.iter().all(|(_, s)| s.is_none()));
    assert_eq!(k.review_coverage.percent(), None);
    assert_eq!(k.cost.per_incident, None);
    assert_eq!(k.actions.days_to_complete, None);
}

#[test]
fn kpis_of_a_single_incident() {
    let mut i = facts("INC-2026-0001", "2026-03-02T10:00:00Z");
    i.closed = true;
    i.durations[DurationName::TimeToContain as usize] = Some(7200);
    i.review = Some(ReviewStatus::Approved);
    i.recurrence = Some(false);
    i.workshop = Some(WorkshopFacts {
        days_to_workshop: Some(3),
        within_policy: true,
    });
    i.cost = Some(Decimal::new(123_456, 2));
    let k = compute([&i], date(2026, 11, 27));
    assert_eq!(k.incidents, 1);
    assert_eq!(k.by_category, vec![("phishing".to_owned(), 1)]);
    assert_eq!(
        k.duration(DurationName::TimeToContain).unwrap().median,
        7200
    );
    assert_eq!(k.duration(DurationName::TimeToDetect), None);
    assert_eq!(k.review_coverage, Share { count: 1, of: 1 });
    assert_eq!(k.workshop_within_policy, Share { count: 1, of: 1 });
    assert_eq!(k.closure_to_workshop_days.unwrap().median, 3);
    assert_eq!(k.recurrence, Share { count: 0, of: 1 });
    assert_eq!(k.cost.per_incident, Some(Decimal::new(123_456, 2)));
}

#[test]
fn kpis_over_several_incidents_match_hand_computed_values() {
    let today = date(2026, 6, 1);
    let mut a = facts("A", "2026-01-05T00:00:00Z");
    a.closed = true;
    a.review = Some(ReviewStatus::Approved);
    a.durations[DurationName::TimeToDetect as usize] = Some(3600);
    a.recurrence = Some(true);
    a.cost = Some(Decimal::new(100, 0));
    a.actions = vec![
        // Done on time in 10 days.
        action(
            ActionStatus::Done,
            date(2026, 1, 10),
            Some(date(2026, 1, 31)),
            Some(date(2026, 1, 20)),
        ),
        // Verified late, in 40 days.
        ActionFacts {
            verified_on: Some(date(2026, 3, 1)),
            ..action(
                ActionStatus::Verified,
                date(2026, 1, 10),
                Some(date(2026, 1, 31)),
                Some(date(2026, 2, 19)),
            )
        },
    ];
    let mut b = facts("B", "2026-02-05T00:00:00Z");
    b.severity = Severity::Critical;
    b.category = "malware".into();
    b.closed = true;
    b.review = Some(ReviewStatus::Draft);
    b.durations[DurationName::TimeToDetect as usize] = Some(7200);
    b.recurrence = Some(false);
    b.cost = Some(Decimal::new(201, 0));
    b.workshop = Some(WorkshopFacts {
        days_to_workshop: Some(9),
        within_policy: false,
    });
    b.actions = vec![
        action(
            ActionStatus::Open,
            date(2026, 2, 6),
            Some(date(2026, 5, 1)),
            None,
        ), // overdue
        action(
            ActionStatus::InProgress,
            date(2026, 2, 6),
            Some(date(2026, 7, 1)),
            None,
        ),
        action(ActionStatus::Cancelled, date(2026, 2, 6), None, None),
    ];
    let mut c = facts("C", "2026-02-06T00:00:00Z");
    c.durations[DurationName::TimeToDetect as usize] = Some(36_000);
    c.cost_missing_rate = true;
    let k = compute([&a, &b, &c], today);
    assert_eq!(k.incidents, 3);
    assert_eq!(
        k.by_category,
        vec![("phishing".to_owned(), 2), ("malware".to_owned(), 1)]
    );
    assert_eq!(k.by_severity[0], (Severity::Critical, 1));
    assert_eq!(k.by_severity[1], (Severity::High, 2));
    let ttd = k.duration(DurationName::TimeToDetect).unwrap();
    assert_eq!(
        (ttd.n, ttd.median, ttd.p90, ttd.mean),
        (3, 7200, 36_000, 15_600)
    );
    assert_eq!(k.review_coverage, Share { count: 1, of: 2 });
    assert_eq!(k.workshop_within_policy, Share { count: 0, of: 2 });
    assert_eq!(k.recurrence, Share { count: 1, of: 2 });
    assert_eq!(k.cost.total, Decimal::new(301, 0));
    assert_eq!(k.cost.incidents, 2);
    assert_eq!(k.cost.missing_rate, 1);
    assert_eq!(k.cost.per_incident, Some(Decimal::new(15050, 2)));
    let act = &k.actions;
    assert_eq!((act.total, act.open, act.overdue), (5, 2, 1));
    assert_eq!(act.closed_on_time, Share { count: 1, of: 2 });
    assert_eq!(act.verified, Share { count: 1, of: 2 });
    assert_eq!(act.days_to_complete.unwrap().median, 25); // (10 + 40) / 2
}

#[test]
fn scope_matches_on_every_filter_and_the_half_open_period() {
    let mut i = facts("A", "2026-03-01T00:00:00Z");
    i.services = vec!["mail".into()];
    i.tags = vec!["vip".into()];
    let all = IncidentScope::default();
    assert!(all.matches(&i));
    let period = all.with_period(
        Some(ts("2026-03-01T00:00:00Z")),
        Some(ts("2026-04-01T00:00:00Z")),
    );
    assert!(period.matches(&i));
    assert!(
        !all.with_period(None, Some(ts("2026-03-01T00:00:00Z")))
            .matches(&i)
    );
    let s = IncidentScope {
        services: vec!["vpn".into()],
        ..Default::default()
    };
    assert!(!s.matches(&i));
    let s = IncidentScope {
        tags: vec!["vip".into()],
        severities: vec![Severity::High],
        ..Default::default()
    };
    assert!(s.matches(&i));
    let s = IncidentScope {
        categories: vec!["malware".into()],
        ..Default::default()
    };
    assert!(!s.matches(&i));
}

#[test]
fn monthly_series_include_empty_months() {
    let a = facts("A", "2026-01-31T23:00:00Z");
    let b = facts("B", "2026-03-01T00:00:00Z");
    let m = monthly([&a, &b], date(2026, 1, 15), date(2026, 3, 2));
    let counts: Vec<(Date, usize)> = m.iter().map(|p| (p.month, p.incidents)).collect();
    assert_eq!(
        counts,
        vec![
            (date(2026, 1, 1), 1),
            (date(2026, 2, 1), 0),
            (date(2026, 3, 1), 1)
        ]
    );
    assert_eq!(m[1].time_to_contain, None);
}

#[test]
fn top_causes_count_each_incident_once() {
    let mut a = facts("A", "2026-01-01T00:00:00Z");
    a.cause_categories = vec!["process".into(), "process".into(), "technology".into()];
    let mut b = facts("B", "2026-01-02T00:00:00Z");
    b.cause_categories = vec!["process".into()];
    assert_eq!(
        top_causes([&a, &b], 5),
        vec![("process".to_owned(), 2), ("technology".to_owned(), 1)]
    );
}

#[test]
fn before_and_after_with_too_few_incidents_says_so() {
    let a = facts("A", "2026-01-01T00:00:00Z");
    let c = compare_before_after(
        &[&a],
        ts("2026-02-01T00:00:00Z"),
        jiff::SignedDuration::from_hours(24 * 90),
        ts("2026-11-01T00:00:00Z"),
    );
    assert!(!c.enough_data);
    assert_eq!((c.before.incidents, c.after.incidents), (1, 0));
    assert!(
        c.verdict.starts_with("Too few incidents to say"),
        "{}",
        c.verdict
    );
}

#[test]
fn before_and_after_counts_equal_windows_and_compares_medians() {
    // Ten incidents a month before (contained in 4 h), two a month after
    // (contained in 1 h), over 30-day windows.
    let mut all = Vec::new();
    for d in 1..=10 {
        let mut i = facts("B", &format!("2026-01-{:02}T00:00:00Z", d + 5));
        i.durations[DurationName::TimeToContain as usize] = Some(4 * 3600);
        all.push(i);
    }
    for d in 1..=6 {
        let mut i = facts("A", &format!("2026-02-{:02}T00:00:00Z", d + 10));
        i.durations[DurationName::TimeToContain as usize] = Some(3600);
        i.recurrence = Some(d == 1);
        all.push(i);
    }
    let refs: Vec<&IncidentFacts> = all.iter().collect();
    let c = compare_before_after(
        &refs,
        ts("2026-02-01T00:00:00Z"),
        jiff::SignedDuration::from_hours(24 * 30),
        ts("2026-11-01T00:00:00Z"),
    );
    assert!(c.enough_data);
    assert_eq!((c.before.incidents, c.after.incidents), (10, 6));
    assert_eq!(c.after.time_to_contain.unwrap().median, 3600);
    assert_eq!(c.after.recurrence, Share { count: 1, of: 6 });
    assert!(c.verdict.contains("fewer incidents"), "{}", c.verdict);
    assert!(c.verdict.contains("contained faster"), "{}", c.verdict);
}

#[test]
fn the_after_window_stops_now() {
    let c = compare_before_after(
        &[],
        ts("2026-10-31T00:00:00Z"),
        jiff::SignedDuration::from_hours(24 * 90),
        ts("2026-11-01T00:00:00Z"),
    );
    assert_eq!(c.before.from, ts("2026-10-30T00:00:00Z"));
    assert_eq!(c.after.to, ts("2026-11-01T00:00:00Z"));
}

#[test]
fn every_kpi_has_a_definition() {
    for name in DurationName::ALL {
        assert!(!definition(name.as_str()).is_empty(), "{}", name.as_str());
    }
    for name in [
        "incidents",
        "review_coverage",
        "closure_to_workshop",
        "workshop_within_policy",
        "actions_open",
        "actions_overdue",
        "actions_on_time",
        "days_to_complete",
        "actions_verified",
        "recurrence",
        "cost_per_incident",
    ] {
        assert!(!definition(name).is_empty(), "{name}");
    }
}

proptest! {
    #[test]
    fn statistics_are_ordered_and_within_the_values(mut v in proptest::collection::vec(-1_000_000i64..1_000_000, 1..200)) {
        let s = stats(&mut v).unwrap();
        v.sort_unstable();
        prop_assert_eq!(s.n, v.len());
        prop_assert!(s.min <= s.median && s.median <= s.max);
        prop_assert!(s.median <= s.p90 || v.len() < 2 || s.p90 >= v[v.len() / 2 - 1]);
        prop_assert!(s.min <= s.mean && s.mean <= s.max);
        prop_assert!(v.contains(&s.p90));
    }

    #[test]
    fn p90_has_at_least_90_percent_at_or_below(mut v in proptest::collection::vec(0i64..1000, 1..300)) {
        let s = stats(&mut v).unwrap();
        let below = v.iter().filter(|x| **x <= s.p90).count();
        prop_assert!(below * 10 >= v.len() * 9);
    }

    /// Selection gives exactly what sorting gives: the median (the two
    /// middle values' floor mean when n is even), the nearest-rank p90, the
    /// ends and the floor mean.
    #[test]
    fn statistics_by_selection_match_a_sort(mut v in proptest::collection::vec(-1_000_000i64..1_000_000, 1..300)) {
        let mut sorted = v.clone();
        sorted.sort_unstable();
        let n = sorted.len();
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (i128::from(sorted[n / 2 - 1]) + i128::from(sorted[n / 2])).div_euclid(2) as i64
        };
        let sum: i128 = sorted.iter().map(|x| i128::from(*x)).sum();
        let expected = Stats {
            n,
            median,
            p90: nearest_rank(&sorted, 90),
            mean: sum.div_euclid(n as i128) as i64,
            min: sorted[0],
            max: sorted[n - 1],
        };
        prop_assert_eq!(stats(&mut v), Some(expected));
    }

    /// Day numbers agree with the calendar's own arithmetic.
    #[test]
    fn days_between_matches_the_calendar(a in -700_000i64..700_000, b in -700_000i64..700_000) {
        let base = jiff::civil::date(2000, 1, 1);
        let (Ok(x), Ok(y)) = (
            base.checked_add(jiff::Span::new().days(a / 1000)),
            base.checked_add(jiff::Span::new().days(b / 10)),
        ) else {
            return Ok(());
        };
        let expected = i64::from(x.until((jiff::Unit::Day, y)).unwrap().get_days());
        prop_assert_eq!(days_between(x, y), expected);
    }
}
