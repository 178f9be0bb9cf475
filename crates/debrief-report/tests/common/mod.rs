//! The report fixture: a ransomware incident with lifecycle timestamps of
//! mixed precision and offsets, nine timeline events, a complete approved
//! review with a dissent, and impact lines. Built through the domain's own
//! constructors (`IncidentDraft::validate`, `TimelineEventDraft::validate`,
//! `Review::open` + `Review::apply`), so it is a value the app could produce.

#![allow(dead_code)]

use debrief_core::review::{
    AssessedPhase, AssessmentDraft, CauseDraft, GapDraft, ItemDraft, LessonDraft, ObservationDraft,
    QuestionTemplate, RecommendationDraft, Review, ReviewChange, ReviewStatus, TextSectionName,
    WhyStep,
};
use debrief_core::{
    Incident, IncidentDraft, IncidentKey, Taxonomy, TimelineEvent, TimelineEventDraft,
};
use debrief_report::{FinancialLine, ReportImpact, ReportInput};
use uuid::Uuid;

pub const INCIDENT_ID: Uuid = Uuid::from_u128(0x0192_0000_0000_7000_8000_0000_0000_0042);

fn at(s: &str) -> jiff::Timestamp {
    s.parse().expect("a fixture instant")
}

fn event_id(n: u128) -> Uuid {
    Uuid::from_u128(0x0192_0000_0000_7000_8000_0000_0000_1000 + n)
}

pub fn incident() -> Incident {
    let ts = |f: &str, v: &str| (f.to_owned(), v.to_owned());
    let draft = IncidentDraft {
        title: "Ransomware & data theft: file servers and ERP encrypted".into(),
        summary: "Ransomware encrypted the file servers and the ERP system.".into(),
        category: "ransomware".into(),
        severity: "critical".into(),
        services: vec!["File servers".into(), "ERP".into(), "VPN".into()],
        business_units: vec!["Finance".into(), "Logistics".into()],
        tags: vec!["ransomware".into(), "vpn".into()],
        responders: vec![
            "Lena Brandt".into(),
            "Priya Raman".into(),
            "Tomás Ortega".into(),
        ],
        timestamps: vec![
            ts("started", "2026-08-30"),
            ts("detected", "2026-09-03T06:40+02:00"),
            ts("reported", "2026-09-03T07+02:00"),
            ts("acknowledged", "2026-09-03T05:12:30Z"),
            ts("contained", "2026-09-03T14:05-04:00"),
            ts("eradicated", "2026-09-05T10:00+02:00"),
            ts("recovered", "2026-09-07T18+02:00"),
            ts("closed", "2026-09-18"),
        ],
        precisions: vec![],
    };
    let fields = draft
        .validate(&Taxonomy::default())
        .expect("the fixture incident is valid");
    Incident {
        id: INCIDENT_ID,
        key: IncidentKey::new("INC", 2026, 42).unwrap(),
        fields,
        version: 7,
        created_at: at("2026-09-03T05:00:00Z"),
        updated_at: at("2026-09-18T12:00:00Z"),
    }
}

pub fn events() -> Vec<TimelineEvent> {
    struct E {
        at: &'static str,
        kind: &'static str,
        source: &'static str,
        actor: Option<&'static str>,
        text: &'static str,
        evidence: Option<&'static str>,
        key: bool,
    }
    let raw = [
        E {
            at: "2026-08-30",
            kind: "technical_finding",
            source: "log",
            actor: None,
            text: "Phishing e-mail with a macro document opened on WS-114 (found later in the mail logs)",
            evidence: None,
            key: false,
        },
        E {
            at: "2026-09-03T06:40+02:00",
            kind: "detection",
            source: "siem",
            actor: Some("SOC on-call"),
            text: "EDR alert: mass file renames with the extension .lockd on FS-01",
            evidence: Some("https://siem.example.internal/alerts/88121"),
            key: true,
        },
        E {
            at: "2026-09-03T05:12:30Z",
            kind: "escalation",
            source: "chat",
            actor: Some("Lena Brandt"),
            text: "Incident declared; ransomware playbook started",
            evidence: None,
            key: true,
        },
        E {
            at: "2026-09-03T09:30+02:00",
            kind: "decision",
            source: "manual",
            actor: Some("Crisis team"),
            text: "Take the file servers and the ERP offline; do not pay | negotiate",
            evidence: None,
            key: true,
        },
        E {
            at: "2026-09-03T14:05-04:00",
            kind: "containment",
            source: "ticket",
            actor: Some("Network team (New York)"),
            text: "Backup network segmented; `svc_backup` credentials rotated",
            evidence: None,
            key: true,
        },
        E {
            at: "2026-09-04T11+02:00",
            kind: "technical_finding",
            source: "log",
            actor: Some("Forensics partner"),
            text: "Initial access: VPN account of a former contractor, password-only login, password from a 2024 breach",
            evidence: None,
            key: false,
        },
        E {
            at: "2026-09-05T10:00+02:00",
            kind: "eradication",
            source: "manual",
            actor: Some("IT operations"),
            text: "All affected hosts re-imaged; persistence (scheduled task *upd*) removed",
            evidence: None,
            key: true,
        },
        E {
            at: "2026-09-07T18+02:00",
            kind: "recovery",
            source: "manual",
            actor: Some("IT operations"),
            text: "ERP and file services restored from offline backups",
            evidence: None,
            key: true,
        },
        E {
            at: "2026-09-08T09:15+02:00",
            kind: "communication",
            source: "email",
            actor: Some("Communications"),
            text: "Notice sent to 4,812 affected customers",
            evidence: None,
            key: false,
        },
    ];
    raw.iter()
        .enumerate()
        .map(|(i, e)| {
            let event = TimelineEventDraft {
                at: e.at.into(),
                kind: e.kind.into(),
                source: Some(e.source.into()),
                actor: e.actor.map(Into::into),
                text: e.text.into(),
                evidence_url: e.evidence.map(Into::into),
                key: e.key,
                ..Default::default()
            }
            .validate("manual")
            .expect("a valid fixture event");
            TimelineEvent {
                id: event_id(i as u128 + 1),
                incident_id: INCIDENT_ID,
                hash: event.content_hash(),
                event,
                created_at: at("2026-09-10T08:00:00Z"),
            }
        })
        .collect()
}

fn apply(review: &mut Review, change: ReviewChange, by: &str, when: &str) {
    review
        .apply(change, by, at(when))
        .unwrap_or_else(|e| panic!("fixture change refused: {e}"));
}

fn add(review: &mut Review, item: ItemDraft) {
    apply(
        review,
        ReviewChange::AddItem { item },
        "Priya Raman",
        "2026-09-12T10:00:00Z",
    );
}

fn why(why: &str, because: &str) -> WhyStep {
    WhyStep {
        why: why.into(),
        because: because.into(),
    }
}

fn cause(
    kind: &str,
    category: &str,
    statement: &str,
    whys: Vec<WhyStep>,
    events: &[u128],
) -> ItemDraft {
    ItemDraft::Cause(CauseDraft {
        kind: kind.into(),
        category: category.into(),
        statement: statement.into(),
        whys,
        event_ids: events.iter().map(|&n| event_id(n).to_string()).collect(),
    })
}

pub fn review() -> Review {
    let mut r = Review::open(
        INCIDENT_ID,
        QuestionTemplate::nist_default(),
        "Priya Raman",
        at("2026-09-10T08:00:00Z"),
    );
    let by = "Priya Raman";
    let when = "2026-09-11T09:00:00Z";
    apply(
        &mut r,
        ReviewChange::SetText {
            section: TextSectionName::Summary,
            text: "On 3 September 2026 ransomware encrypted the file servers and the ERP system. \
                   The attacker entered through the VPN account of a former contractor that still \
                   accepted password-only logins. Backups were offline and intact; services were \
                   restored within five days and no ransom was paid."
                .into(),
            version: 0,
        },
        by,
        when,
    );
    apply(
        &mut r,
        ReviewChange::SetText {
            section: TextSectionName::Narrative,
            text: "The attacker logged in to the VPN on 30 August with a password from a 2024 breach.\n\
                   Over four days they moved to the file servers using the svc_backup account.\n\n\
                   Timeline highlights:\n\
                   - 06:40 EDR alert on FS-01\n\
                   - 09:30 file servers and ERP taken offline\n\n\
                   # of hosts re-imaged: 37"
                .into(),
            version: 0,
        },
        by,
        when,
    );
    add(
        &mut r,
        cause(
            "root_cause",
            "technology",
            "The VPN accepted password-only logins for legacy accounts (no MFA)",
            vec![
                why(
                    "Why could the attacker log in?",
                    "The VPN accepted the password alone",
                ),
                why(
                    "Why did it accept the password alone?",
                    "Legacy accounts were exempt from MFA",
                ),
                why(
                    "Why were they exempt?",
                    "An exception granted in 2021 for a migration was never removed",
                ),
                why(
                    "Why was it never removed?",
                    "Exceptions have no expiry date and no owner",
                ),
                why(
                    "Why do exceptions have no expiry?",
                    "The exception process predates the access policy",
                ),
            ],
            &[6],
        ),
    );
    add(
        &mut r,
        cause(
            "root_cause",
            "process",
            "Offboarding did not disable the VPN account of a contractor who left in 2024",
            vec![why(
                "Why was the account still active?",
                "Contractor accounts are not in the HR leaver process",
            )],
            &[],
        ),
    );
    add(
        &mut r,
        cause(
            "contributing_factor",
            "technology",
            "Backups were reachable from production with the `svc_backup` domain account",
            vec![],
            &[5],
        ),
    );
    add(
        &mut r,
        cause(
            "contributing_factor",
            "training",
            "Phishing training had not covered macro documents since 2023",
            vec![],
            &[1],
        ),
    );
    add(
        &mut r,
        cause(
            "contributing_factor",
            "communication",
            "Status updates to customer service were ad hoc, so agents learned about the outage from social media before the first internal notice",
            vec![],
            &[],
        ),
    );
    add(
        &mut r,
        cause(
            "trigger",
            "external",
            "A third-party breach in 2024 leaked the contractor's password",
            vec![],
            &[6],
        ),
    );
    let assess =
        |r: &mut Review, phase, rating: &str, well: &str, improve: &str, events: &[u128]| {
            apply(
                r,
                ReviewChange::SetAssessment {
                    phase,
                    draft: AssessmentDraft {
                        rating: rating.into(),
                        went_well: well.into(),
                        to_improve: improve.into(),
                        event_ids: events.iter().map(|&n| event_id(n).to_string()).collect(),
                    },
                    version: 0,
                },
                "Priya Raman",
                "2026-09-13T10:00:00Z",
            )
        };
    assess(
        &mut r,
        AssessedPhase::Detection,
        "2",
        "The EDR alert fired within minutes of the encryption starting.",
        "Four days of dwell time: VPN logins from new countries raised no alert.",
        &[2],
    );
    assess(
        &mut r,
        AssessedPhase::Containment,
        "4",
        "Servers offline within three hours; the backup network segmented the same day.",
        "The decision to take the ERP offline waited for one person.",
        &[4, 5],
    );
    assess(
        &mut r,
        AssessedPhase::Eradication,
        "4",
        "Re-imaging from the golden images went to plan.",
        "The inventory of affected hosts was assembled by hand.",
        &[7],
    );
    assess(
        &mut r,
        AssessedPhase::Recovery,
        "3",
        "Offline backups were intact.",
        "Restore order of the ERP dependencies was not documented.",
        &[8],
    );
    assess(
        &mut r,
        AssessedPhase::Communication,
        "2",
        "The customer notice was clear and went out on time.",
        "Customer service heard about the outage from social media.",
        &[9],
    );
    for (area, severity, description) in [
        (
            "technology",
            "high",
            "MFA is not enforced on the VPN for legacy accounts",
        ),
        (
            "procedure",
            "medium",
            "No offboarding step for contractor accounts",
        ),
        (
            "training",
            "low",
            "Phishing training does not cover macro documents",
        ),
    ] {
        add(
            &mut r,
            ItemDraft::Gap(GapDraft {
                area: area.into(),
                severity: severity.into(),
                description: description.into(),
            }),
        );
    }
    for (kind, text) in [
        ("went_well", "Offline backups were intact and restorable"),
        (
            "went_well",
            "The crisis team met within 90 minutes of the alert",
        ),
        (
            "lucky",
            "The attacker did not find the offline backup vault",
        ),
    ] {
        add(
            &mut r,
            ItemDraft::Observation(ObservationDraft {
                kind: kind.into(),
                text: text.into(),
            }),
        );
    }
    for (statement, tags) in [
        (
            "Exceptions to MFA need an owner and an expiry date",
            vec!["mfa", "policy"],
        ),
        (
            "Contractor accounts must follow the leaver process",
            vec!["identity"],
        ),
        (
            "Backups must not share credentials with production",
            vec!["backups", "credentials"],
        ),
    ] {
        add(
            &mut r,
            ItemDraft::Lesson(LessonDraft {
                statement: statement.into(),
                tags: tags.into_iter().map(Into::into).collect(),
            }),
        );
    }
    for text in [
        "Enforce MFA on the VPN for every account, legacy ones included",
        "Add contractor accounts to the leaver process and review them quarterly",
        "Give the backup system its own credentials and network segment",
        "Alert on VPN logins from new countries",
        "Document the ERP restore order and rehearse it twice a year",
        "Brief customer service within 30 minutes of a major incident",
    ] {
        add(
            &mut r,
            ItemDraft::Recommendation(RecommendationDraft { text: text.into() }),
        );
    }
    for (question, answer) in [
        (
            "what_happened",
            "Ransomware encrypted FS-01, FS-02 and the ERP database between 04:40 and 06:40 UTC on 3 September.",
        ),
        (
            "information_sooner",
            "VPN login locations, and which accounts were exempt from MFA.",
        ),
        (
            "corrective_actions",
            "MFA everywhere, contractor offboarding, separate backup credentials.",
        ),
        ("precursors", "VPN logins from new countries at night."),
        ("went_well", "Backups, and a fast crisis-team decision."),
        ("got_lucky", "The offline vault was not found."),
    ] {
        apply(
            &mut r,
            ReviewChange::SetAnswer {
                question_id: question.into(),
                text: answer.into(),
                version: 0,
            },
            by,
            "2026-09-14T10:00:00Z",
        );
    }
    apply(
        &mut r,
        ReviewChange::Transition {
            to: ReviewStatus::InReview,
            note: Some("Ready for the approvers".into()),
        },
        "Priya Raman",
        "2026-09-16T15:00:00Z",
    );
    apply(
        &mut r,
        ReviewChange::Transition {
            to: ReviewStatus::Approved,
            note: Some("Approved; the dissent is noted".into()),
        },
        "Dana Whitfield",
        "2026-09-18T14:00:00Z",
    );
    apply(
        &mut r,
        ReviewChange::AddDissent {
            text: "The root cause is the missing MFA policy for exceptions, not the offboarding process.".into(),
        },
        "Marco Silva",
        "2026-09-18T15:10:00Z",
    );
    r
}

pub fn impact() -> ReportImpact {
    let line = |category: &str, amount: &str, certainty: &str, note: &str| FinancialLine {
        category: category.into(),
        amount: amount.into(),
        certainty: certainty.into(),
        note: note.into(),
    };
    let pair = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    ReportImpact {
        financial: vec![
            line(
                "Response and recovery",
                "18,400.00 EUR",
                "actual",
                "Forensics partner, 4 days",
            ),
            line(
                "Lost revenue",
                "22,000.00 EUR",
                "estimated",
                "ERP down for 4.5 days",
            ),
            line("Staff time", "6,210.00 EUR", "actual", "138 h × 45.00 EUR"),
            line(
                "Legal",
                "1,600.00 USD",
                "actual",
                "Outside counsel | US customers",
            ),
        ],
        total: Some("48,082.00 EUR".into()),
        total_notes: vec!["rate USD→EUR 0.92 of 2026-09-01 (ECB)".into()],
        operational: vec![
            pair("Downtime", "4 d 11 h (ERP)"),
            pair("Services affected", "File servers, ERP"),
            pair("Customers affected", "4,812"),
            pair("SLA breaches", "2"),
        ],
        data: vec![
            pair("Records affected", "4,812"),
            pair("Data classes", "personal, payment"),
            pair("Affected", "integrity, availability"),
        ],
        reputational: vec![
            pair("Rating", "moderate"),
            pair("Media coverage", "one regional news item"),
            pair("Complaints", "37"),
        ],
        overall_rating: Some("damaging".into()),
        estimate_change: Some(
            "initial estimate 20,000.00 EUR → final 48,082.00 EUR (+28,082.00 EUR)".into(),
        ),
    }
}

/// The complete fixture, shown in Europe/Berlin.
pub fn fixture() -> ReportInput {
    let incident = incident();
    ReportInput {
        durations: incident.fields.lifecycle.durations(None),
        incident,
        events: events(),
        review: Some(review()),
        impact: impact(),
        category_label: "Ransomware".into(),
        generated_at: at("2026-09-20T09:00:00Z"),
        zone: jiff::tz::TimeZone::get("Europe/Berlin").expect("the bundled tzdb knows Berlin"),
    }
}

/// The same incident before anyone opened a review or recorded impact.
pub fn fixture_without_review() -> ReportInput {
    ReportInput {
        review: None,
        impact: ReportImpact::default(),
        ..fixture()
    }
}
