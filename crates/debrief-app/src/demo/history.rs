//! Two years of generated history before the demo's showcase incidents
//! (PRODUCT.md §9): about 200 past incidents from September 2024 to August
//! 2026 with realistic categories, severities and services, lifecycle
//! times that improve over the two years, reviews (most approved, with
//! causes, lessons, costs and the recurrence question answered), actions
//! with their history (most done, many verified, some overdue) and held
//! lessons-learned workshops — so every chart, KPI and "did it work?"
//! comparison of the dashboard and the programme report has something to
//! say. One story is planted: phishing-resistant MFA, verified on
//! 15 September 2025, after which phishing incidents become rarer and
//! stop recurring.
//!
//! Deterministic (a seeded generator, fixed dates) and loaded as one
//! bundle through the ordinary import — one transaction, no webhooks.

use debrief_core::impact::FinancialDraft;
use debrief_core::review::{
    CauseDraft, ItemDraft, LessonDraft, QuestionTemplate, RecommendationDraft, RecurrenceAnswer,
    Review, ReviewChange, ReviewStatus, SignOff, TextSectionName, Transition,
};
use jiff::civil::Date;
use jiff::{Span, Timestamp, ToSpan};
use uuid::Uuid;

use crate::bundle::{
    Bundle, BundleAction, BundleAttendee, BundleDocument, BundleEvent, BundleHistory,
    BundleIncident, BundleLessonLink, BundleTime, BundleTimestamps, BundleVerification,
    BundleWorkshop, FORMAT, VERSION,
};

/// How many past incidents the demo generates.
pub const HISTORY_INCIDENTS: usize = 200;
/// The day phishing-resistant MFA was verified (the planted change).
pub const MFA_VERIFIED_ON: &str = "2025-09-15";

/// A small deterministic generator (xorshift64*).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// (slug, weight before the MFA change, weight after, services, titles,
/// the cause category a review names most).
type Category = (
    &'static str,
    u64,
    u64,
    &'static [&'static str],
    &'static [&'static str],
    &'static str,
);

const CATEGORIES: &[Category] = &[
    (
        "phishing",
        34,
        9,
        &["Mail", "Identity provider", "Finance shares"],
        &[
            "Credential phishing against {s} users",
            "Invoice-fraud mail reached {s}",
            "MFA fatigue prompts after a phishing wave",
        ],
        "people",
    ),
    (
        "malware",
        10,
        12,
        &["Endpoints", "File servers", "Build agents"],
        &["Commodity malware on {s}", "Malicious macro opened on {s}"],
        "technology",
    ),
    (
        "ransomware",
        3,
        3,
        &["Backup platform", "Hypervisors"],
        &["Ransomware staging detected on {s}"],
        "process",
    ),
    (
        "unauthorised_access",
        10,
        12,
        &["VPN", "Customer portal", "Admin console"],
        &[
            "Credential stuffing against the {s}",
            "Unusual admin sign-ins on the {s}",
        ],
        "technology",
    ),
    (
        "denial_of_service",
        8,
        10,
        &["Web shop", "Payments API", "DNS"],
        &["Traffic flood against the {s}", "Layer 7 attack on the {s}"],
        "technology",
    ),
    (
        "misconfiguration",
        12,
        16,
        &["Storage buckets", "Firewall", "Kubernetes"],
        &[
            "Publicly readable {s} after a change",
            "{s} rule change exposed an internal service",
        ],
        "process",
    ),
    (
        "third_party",
        8,
        10,
        &["Payroll provider", "CRM", "Mail"],
        &[
            "Supplier breach affecting the {s}",
            "{s} outage at a supplier",
        ],
        "external",
    ),
    (
        "availability",
        10,
        14,
        &["ERP", "Customer portal", "Payments API"],
        &[
            "{s} unavailable after maintenance",
            "{s} degraded for hours",
        ],
        "process",
    ),
    (
        "data_breach",
        5,
        6,
        &["CRM", "HR system", "Data warehouse"],
        &[
            "Personal data exported from the {s}",
            "{s} extract sent to the wrong recipient",
        ],
        "people",
    ),
];

const SEVERITIES: &[(&str, u64)] = &[("critical", 6), ("high", 24), ("medium", 45), ("low", 25)];

const CAUSE_TEXT: &[(&str, &str)] = &[
    (
        "people",
        "A convincing lure and no second check before acting on it",
    ),
    ("process", "The change was made without a peer review step"),
    (
        "technology",
        "Detection depended on a single signal that was noisy",
    ),
    ("external", "The supplier's notification reached us late"),
    ("training", "The runbook was new to the people on call"),
    (
        "communication",
        "Status updates went to a channel nobody watched at night",
    ),
];

const LESSONS: &[&str] = &[
    "Alert on the first signal, not the third",
    "Keep the on-call runbook next to the alert",
    "Agree who informs customers before the next incident",
    "Test restores, not only backups",
    "Review risky changes with a second person",
];

/// (verb-first title, type) of follow-up actions by cause category.
const ACTIONS: &[(&str, &str, &str)] = &[
    (
        "people",
        "Run a targeted awareness session for the affected team",
        "training",
    ),
    (
        "process",
        "Add a peer review step to risky changes",
        "process",
    ),
    (
        "technology",
        "Tune the detection rule and add a second signal",
        "detect",
    ),
    (
        "external",
        "Agree a notification deadline with the supplier",
        "process",
    ),
    (
        "training",
        "Rehearse the runbook in a tabletop exercise",
        "training",
    ),
    (
        "communication",
        "Document who posts status updates at night",
        "documentation",
    ),
];

const OWNERS: &[&str] = &[
    "priya.raman@example.org",
    "tomas.ortega@example.org",
    "hannah.becker@example.org",
    "sam.okafor@example.org",
    "lena.fischer@example.org",
    "jordan.lee@example.org",
    "aisha.mensah@example.org",
];
const FACILITATOR: &str = "marta.nowak@example.org";
const APPROVER: &str = "daniel.kim@example.org";

fn at(t: Timestamp) -> String {
    // Minute precision, UTC.
    t.strftime("%Y-%m-%dT%H:%MZ").to_string()
}

fn rfc(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn minutes(n: u64) -> Span {
    (n as i64).minutes()
}

fn day_of(t: Timestamp) -> Date {
    t.to_zoned_datetime(jiff::tz::TimeZone::UTC).date()
}

fn noon(d: Date) -> Timestamp {
    d.at(12, 0, 0, 0)
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

/// `n` days as hours (a timestamp takes no calendar units).
fn dh(n: i64) -> Span {
    (n * 24).hours()
}

fn add(t: Timestamp, s: Span) -> Timestamp {
    t.checked_add(s).unwrap_or(t)
}

fn add_days(d: Date, n: i64) -> Date {
    d.checked_add(n.days()).unwrap_or(d)
}

/// The generated history as a bundle (incidents with their timelines,
/// reviews, actions and workshops). The owners and the facilitator are the
/// demo's people, loaded before it.
pub(crate) fn history_bundle() -> Bundle {
    let mut r = Rng(0xDEB1_EF20_2409_0001);
    let start: Timestamp = "2024-09-02T08:00:00Z"
        .parse()
        .unwrap_or(Timestamp::UNIX_EPOCH);
    let end: Timestamp = "2026-08-28T08:00:00Z"
        .parse()
        .unwrap_or(Timestamp::UNIX_EPOCH);
    let change: Date = MFA_VERIFIED_ON.parse().unwrap_or(Date::MIN);
    let span_s = end.as_second() - start.as_second();
    let mut numbers: std::collections::BTreeMap<i16, u32> = Default::default();
    // The showcase incidents are INC-2026-0001 … 0003.
    numbers.insert(2026, 3);
    let mut incidents = Vec::with_capacity(HISTORY_INCIDENTS);
    let mut mfa_planted = false;
    for k in 0..HISTORY_INCIDENTS {
        let base = start.as_second() + span_s * k as i64 / HISTORY_INCIDENTS as i64;
        let detected = Timestamp::from_second(base + r.below(3 * 86_400) as i64).unwrap_or(start);
        let detected_day = day_of(detected);
        let after_change = detected_day >= change;
        // How far along the two years: response gets faster.
        let progress = k as f64 / HISTORY_INCIDENTS as f64;
        let speed = 1.0 - 0.5 * progress;
        // The planted incident: a phishing wave in mid-August 2025 whose
        // review asks for phishing-resistant MFA.
        let plant = !mfa_planted && detected_day >= "2025-08-01".parse().unwrap_or(Date::MAX);
        let category = if plant {
            mfa_planted = true;
            &CATEGORIES[0]
        } else {
            let total: u64 = CATEGORIES
                .iter()
                .map(|c| if after_change { c.2 } else { c.1 })
                .sum();
            let mut x = r.below(total);
            let mut chosen = &CATEGORIES[CATEGORIES.len() - 1];
            for c in CATEGORIES {
                let w = if after_change { c.2 } else { c.1 };
                if x < w {
                    chosen = c;
                    break;
                }
                x -= w;
            }
            chosen
        };
        let (slug, _, _, services, titles, cause_category) = *category;
        let severity = {
            let mut x = r.below(100);
            let mut s = "low";
            for (name, w) in SEVERITIES {
                if x < *w {
                    s = name;
                    break;
                }
                x -= w;
            }
            if plant { "high" } else { s }
        };
        let service = *r.pick(services);
        let title = r.pick(titles).replace("{s}", service);
        let year = detected_day.year();
        let number = numbers.entry(year).or_insert(0);
        *number += 1;
        let key = format!("INC-{year}-{:04}", *number);
        let id = Uuid::from_u128(0x0d3b_0000_0000_4000_8000_0000_0000_0000 + k as u128);

        let dwell = minutes(10 + r.below(if slug == "malware" { 4 * 1440 } else { 600 }));
        let started = detected.checked_sub(dwell).unwrap_or(detected);
        let acknowledged = add(detected, minutes(3 + (r.below(60) as f64 * speed) as u64));
        let contained = add(
            detected,
            minutes(30 + (r.below(20 * 60) as f64 * speed) as u64),
        );
        let eradicated = add(contained, minutes(60 + r.below(36 * 60)));
        let recovered = add(
            eradicated,
            minutes(30 + (r.below(18 * 60) as f64 * speed) as u64),
        );
        let closed = add(recovered, dh(2 + r.below(18) as i64));
        let closed_day = day_of(closed);

        let events = vec![
            event(
                detected,
                "detection",
                &format!("Alert raised: {title}"),
                true,
            ),
            event(
                acknowledged,
                "escalation",
                "On-call security engineer acknowledged and opened the incident",
                false,
            ),
            event(
                contained,
                "containment",
                &format!("{service} isolated; further impact stopped"),
                true,
            ),
            event(
                eradicated,
                "eradication",
                "Root cause removed and credentials rotated",
                false,
            ),
            event(
                recovered,
                "recovery",
                &format!("{service} back to normal service"),
                true,
            ),
        ];

        // The review: most incidents have one, most of those approved.
        let reviewed = plant || r.chance(88);
        let recurrence = if slug == "phishing" {
            if after_change {
                r.chance(15)
            } else {
                r.chance(60)
            }
        } else {
            r.chance(18)
        };
        let mut review = None;
        let mut lesson_links = Vec::new();
        let mut actions = Vec::new();
        let mut workshops = Vec::new();
        if reviewed {
            let opened_at = add(closed, dh(1));
            let cause_cat = if r.chance(70) {
                cause_category
            } else {
                r.pick(CAUSE_TEXT).0
            };
            let cause_text = CAUSE_TEXT
                .iter()
                .find(|c| c.0 == cause_cat)
                .map(|c| c.1)
                .unwrap_or("Unclear ownership");
            let mut rv = Review::open(id, QuestionTemplate::nist_default(), FACILITATOR, opened_at);
            let cost_eur =
                500 + r.below(40) * 250 + if severity == "critical" { 25_000 } else { 0 };
            let lesson = if plant {
                "Passwords alone do not stop phishing; phishing-resistant MFA does"
            } else {
                *r.pick(LESSONS)
            };
            let changes = [
                ReviewChange::SetText {
                    section: TextSectionName::Summary,
                    text: format!(
                        "{title}. Detected by monitoring, contained the same day, no lasting customer impact."
                    ),
                    version: 0,
                },
                ReviewChange::AddItem {
                    item: ItemDraft::Cause(CauseDraft {
                        kind: "root_cause".into(),
                        category: cause_cat.into(),
                        statement: cause_text.into(),
                        ..Default::default()
                    }),
                },
                ReviewChange::AddItem {
                    item: ItemDraft::Lesson(LessonDraft {
                        statement: lesson.into(),
                        tags: vec![slug.into()],
                    }),
                },
                ReviewChange::AddItem {
                    item: ItemDraft::Recommendation(RecommendationDraft {
                        text: if plant {
                            "Enforce phishing-resistant MFA for every account".into()
                        } else {
                            format!("Prevent a repeat of: {title}")
                        },
                    }),
                },
                ReviewChange::AddItem {
                    item: ItemDraft::Financial(FinancialDraft {
                        category: "response_and_recovery".into(),
                        amount: format!("{cost_eur}.00"),
                        currency: "EUR".into(),
                        certainty: "actual".into(),
                        note: "Staff and contractor time".into(),
                        ..Default::default()
                    }),
                },
                ReviewChange::SetRecurrence {
                    answer: if recurrence {
                        RecurrenceAnswer::Yes
                    } else {
                        RecurrenceAnswer::No
                    },
                    of: vec![],
                    note: if recurrence {
                        "The same pattern as an earlier incident".into()
                    } else {
                        String::new()
                    },
                    version: 0,
                },
            ];
            for c in changes {
                // Generated text is valid by construction; a change the
                // review refuses is skipped rather than failing the demo.
                let _ = rv.apply(c, FACILITATOR, opened_at);
            }
            let approved = plant || r.chance(80);
            let in_review_at = add(opened_at, dh(2 + r.below(5) as i64));
            let approved_at = add(in_review_at, dh(1 + r.below(6) as i64));
            rv.history.push(Transition {
                from: ReviewStatus::Draft,
                to: ReviewStatus::InReview,
                by: FACILITATOR.into(),
                at: in_review_at,
                note: None,
            });
            rv.status = ReviewStatus::InReview;
            if approved {
                rv.history.push(Transition {
                    from: ReviewStatus::InReview,
                    to: ReviewStatus::Approved,
                    by: APPROVER.into(),
                    at: approved_at,
                    note: Some("Approved".into()),
                });
                rv.status = ReviewStatus::Approved;
                rv.sign_off = Some(SignOff {
                    by: APPROVER.into(),
                    at: approved_at,
                });
                // The lessons-learned workshop, held a few days after closure.
                let held_on = add_days(closed_day, 3 + r.below(9) as i64);
                let starts = add(noon(held_on), (-3_i64).hours());
                workshops.push(BundleWorkshop {
                    id: Uuid::from_u128(0x0d3b_0001_0000_4000_8000_0000_0000_0000 + k as u128)
                        .to_string(),
                    kind: "lessons_learned".into(),
                    status: "held".into(),
                    starts_at: rfc(starts),
                    time_zone: "Europe/Berlin".into(),
                    duration_minutes: 60,
                    location: "Room 2.14".into(),
                    url: String::new(),
                    facilitator: FACILITATOR.into(),
                    attendees: vec![
                        BundleAttendee {
                            person: OWNERS[k % OWNERS.len()].into(),
                            role: "responder".into(),
                            attendance: "attended".into(),
                        },
                        BundleAttendee {
                            person: APPROVER.into(),
                            role: "management".into(),
                            attendance: if r.chance(70) { "attended" } else { "absent" }.into(),
                        },
                    ],
                    agenda: vec![],
                    notes: vec![],
                    sequence: 0,
                    held_at: Some(rfc(starts)),
                    cancel_reason: String::new(),
                    created_by: FACILITATOR.into(),
                    created_at: rfc(add(closed, 1.hours())),
                    updated_at: rfc(add(starts, 2.hours())),
                    version: 2,
                });
            }
            // Approved reviews have a home for every lesson (the review
            // policy); the oldest changes are done, recent ones still needed.
            if approved {
                for (n, lesson) in rv.lessons.iter().enumerate() {
                    let document = if plant { PHISHING_PLAYBOOK } else { RUNBOOKS };
                    let done_on = add_days(day_of(approved_at), 10 + r.below(30) as i64);
                    let done = done_on < HISTORY_DOCS_DONE_BEFORE;
                    lesson_links.push(BundleLessonLink {
                        id: Uuid::from_u128(
                            0x0d3b_0003_0000_4000_8000_0000_0000_0000 + (k as u128) * 8 + n as u128,
                        )
                        .to_string(),
                        lesson_id: lesson.id.to_string(),
                        document: Some(document.to_owned()),
                        change: format!("Fold in: {}", lesson.statement),
                        state: if done { "done" } else { "needed" }.into(),
                        done_version: if done {
                            format!("{}.{}", done_on.year() - 2020, done_on.month())
                        } else {
                            String::new()
                        },
                        done_on: done.then(|| done_on.to_string()),
                    });
                }
            }
            review = serde_json::to_value(&rv).ok();

            // Actions: one or two per reviewed incident, with history.
            let n_actions = if plant { 1 } else { 1 + r.below(2) };
            for a in 0..n_actions {
                let created = add(closed, dh(1 + a as i64));
                let created_day = day_of(created);
                let (title, kind) = if plant {
                    ("Enforce phishing-resistant MFA for all staff", "prevent")
                } else {
                    ACTIONS
                        .iter()
                        .find(|x| x.0 == cause_cat)
                        .map(|x| (x.1, x.2))
                        .unwrap_or(("Review the incident's timeline with the team", "process"))
                };
                let due = add_days(created_day, 30 + r.below(45) as i64);
                let owner = OWNERS[(k + a as usize) % OWNERS.len()];
                let mut history = vec![BundleHistory {
                    at: rfc(created),
                    actor: FACILITATOR.into(),
                    what: "created".into(),
                    from_status: None,
                    to_status: None,
                    detail: String::new(),
                }];
                // Recent actions are more often still open; a few old ones
                // too (overdue).
                let recent = created_day >= "2026-06-01".parse().unwrap_or(Date::MAX);
                let outcome = if plant {
                    3
                } else if recent {
                    r.below(4)
                } else if r.chance(8) {
                    0
                } else {
                    2 + r.below(2)
                };
                let started_at = add(created, dh(2 + r.below(5) as i64));
                let mut done_on = None;
                let mut verification = None;
                let status = match outcome {
                    0 => "in_progress",
                    1 => "open",
                    _ => {
                        let done = if plant {
                            "2025-09-05".parse().unwrap_or(created_day)
                        } else if recent {
                            add_days(created_day, 8 + r.below(22) as i64)
                        } else {
                            add_days(created_day, 8 + r.below(60) as i64)
                        };
                        done_on = Some(done);
                        if outcome == 3 {
                            let v = if plant {
                                change
                            } else {
                                add_days(done, 5 + r.below(if recent { 5 } else { 20 }) as i64)
                            };
                            verification = Some(v);
                            "verified"
                        } else {
                            "done"
                        }
                    }
                };
                if status != "open" {
                    history.push(move_line(started_at, owner, "open", "in_progress"));
                }
                if let Some(d) = done_on {
                    history.push(move_line(noon(d), owner, "in_progress", "done"));
                }
                if let Some(v) = verification {
                    history.push(BundleHistory {
                        at: rfc(noon(v)),
                        actor: APPROVER.into(),
                        what: "verified".into(),
                        from_status: Some("done".into()),
                        to_status: Some("verified".into()),
                        detail: String::new(),
                    });
                }
                let updated = history
                    .last()
                    .map(|h| h.at.clone())
                    .unwrap_or_else(|| rfc(created));
                actions.push(BundleAction {
                    id: Uuid::from_u128(
                        0x0d3b_0002_0000_4000_8000_0000_0000_0000 + (k as u128) * 4 + a as u128,
                    )
                    .to_string(),
                    number: a as u32 + 1,
                    title: title.into(),
                    description: String::new(),
                    action_type: kind.into(),
                    answers: vec![],
                    owner: owner.into(),
                    due_on: Some(due.to_string()),
                    risk: 3 + (r.below(3) as u8),
                    impact: 2 + (r.below(4) as u8),
                    effort: 1 + (r.below(4) as u8),
                    priority_override: None,
                    override_justification: String::new(),
                    ticket: String::new(),
                    status: status.into(),
                    cancel_reason: String::new(),
                    verification: verification.map(|v| BundleVerification {
                        verified_on: v.to_string(),
                        verified_by: APPROVER.into(),
                        evidence: if plant {
                            "Sign-in logs show every account on FIDO2 keys or passkeys".into()
                        } else {
                            "Checked in the follow-up review".into()
                        },
                    }),
                    done_on: done_on.map(|d| d.to_string()),
                    created_at: rfc(created),
                    updated_at: updated,
                    version: history.len() as i64,
                    history,
                });
            }
        }

        incidents.push(BundleIncident {
            id: Some(id.to_string()),
            key,
            title: title.clone(),
            summary: format!("{title}, affecting {service}."),
            category: slug.into(),
            severity: severity.into(),
            services: vec![service.into()],
            business_units: vec![],
            tags: vec!["history".into()],
            responders: vec![],
            timestamps: BundleTimestamps {
                started: Some(BundleTime::Text(at(started))),
                detected: Some(BundleTime::Text(at(detected))),
                reported: None,
                acknowledged: Some(BundleTime::Text(at(acknowledged))),
                contained: Some(BundleTime::Text(at(contained))),
                eradicated: Some(BundleTime::Text(at(eradicated))),
                recovered: Some(BundleTime::Text(at(recovered))),
                closed: Some(BundleTime::Text(closed_day.to_string())),
            },
            created_at: Some(rfc(detected)),
            updated_at: Some(rfc(closed)),
            timeline: events,
            review,
            actions,
            follow_ups: vec![],
            workshops,
            lesson_links,
        });
    }
    Bundle {
        format: FORMAT.into(),
        version: VERSION,
        incidents,
        exchange_rates: vec![],
        people: vec![],
        holidays: vec![],
        workshop_policy: None,
        documents: vec![
            history_document(
                RUNBOOKS,
                "runbook",
                "Operations and security runbook collection",
                "tomas.ortega@example.org",
                "https://wiki.example.org/ops/runbooks",
            ),
            history_document(
                PHISHING_PLAYBOOK,
                "playbook",
                "Phishing response playbook",
                "hannah.becker@example.org",
                "https://intranet.example.org/security/playbooks/phishing",
            ),
        ],
    }
}

/// The documents the history's lessons were folded into.
const RUNBOOKS: &str = "0d3b0004-0000-4000-8000-000000000001";
const PHISHING_PLAYBOOK: &str = "0d3b0004-0000-4000-8000-000000000002";
/// Document changes due before this day are done; later ones still needed.
const HISTORY_DOCS_DONE_BEFORE: Date = jiff::civil::date(2026, 7, 1);

fn history_document(id: &str, kind: &str, title: &str, owner: &str, link: &str) -> BundleDocument {
    BundleDocument {
        id: id.into(),
        kind: kind.into(),
        title: title.into(),
        owner: owner.into(),
        document_version: "6.8".into(),
        link: link.into(),
        status: "current".into(),
        review_on: None,
    }
}

fn event(t: Timestamp, kind: &str, text: &str, key: bool) -> BundleEvent {
    BundleEvent {
        at: at(t),
        precision: None,
        kind: kind.into(),
        source: Some("demo history".into()),
        actor: None,
        text: text.into(),
        key,
        tags: vec![],
        evidence_url: None,
        attachments: vec![],
    }
}

fn move_line(t: Timestamp, actor: &str, from: &str, to: &str) -> BundleHistory {
    BundleHistory {
        at: rfc(t),
        actor: actor.into(),
        what: "status".into(),
        from_status: Some(from.into()),
        to_status: Some(to.into()),
        detail: String::new(),
    }
}
