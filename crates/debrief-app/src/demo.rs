//! The demo data: three realistic showcase incidents with full chronologies
//! (and two years of generated history before them, `demo/history.rs`), loaded
//! through the ordinary bundle import, then reviews, impact and exchange rates
//! added through the ordinary review use cases, actions, and the ransomware
//! case's lessons-learned workshop (held, with attendance, notes, a lesson
//! and an action added live) and its follow-up (scheduled) — so the demo
//! exercises the real paths and a new user sees every part filled in.

mod evidence;

use debrief_core::impact::{FinancialDraft, ImpactDetailsDraft};
use debrief_core::review::{
    AssessedPhase, AssessmentDraft, CauseDraft, GapDraft, ItemDraft, LessonDraft, ObservationDraft,
    RecommendationDraft, ReviewChange, ReviewStatus, TextSectionName, WhyStep,
};

use crate::bundle::BundleReport;

pub mod history;
use crate::{App, AppError};

/// The demo bundle, shipped inside the binary.
pub const DEMO_BUNDLE: &str = include_str!("demo/demo-bundle.json");

/// What loading the demo did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DemoOutcome {
    Loaded(BundleReport),
    /// The database already holds incidents; the demo never mixes with real data.
    NotEmpty {
        incidents: u64,
    },
}

const RATES: &[(&str, &str, &str, &str)] = &[
    ("USD", "EUR", "0.9012", "2026-09-01"),
    ("USD", "EUR", "0.9187", "2026-11-02"),
    ("INR", "EUR", "0.01052", "2026-10-01"),
    ("GBP", "EUR", "1.1763", "2026-09-01"),
];

fn text(section: TextSectionName, text: &str) -> ReviewChange {
    ReviewChange::SetText {
        section,
        text: text.into(),
        version: 0,
    }
}

fn cause(kind: &str, category: &str, statement: &str, whys: &[(&str, &str)]) -> ReviewChange {
    ReviewChange::AddItem {
        item: ItemDraft::Cause(CauseDraft {
            kind: kind.into(),
            category: category.into(),
            statement: statement.into(),
            whys: whys
                .iter()
                .map(|(w, b)| WhyStep {
                    why: (*w).into(),
                    because: (*b).into(),
                })
                .collect(),
            event_ids: vec![],
        }),
    }
}

fn assess(phase: AssessedPhase, rating: u8, went_well: &str, to_improve: &str) -> ReviewChange {
    ReviewChange::SetAssessment {
        phase,
        draft: AssessmentDraft {
            rating: rating.to_string(),
            went_well: went_well.into(),
            to_improve: to_improve.into(),
            event_ids: vec![],
        },
        version: 0,
    }
}

fn gap(area: &str, severity: &str, description: &str) -> ReviewChange {
    ReviewChange::AddItem {
        item: ItemDraft::Gap(GapDraft {
            area: area.into(),
            severity: severity.into(),
            description: description.into(),
        }),
    }
}

fn seen(kind: &str, text: &str) -> ReviewChange {
    ReviewChange::AddItem {
        item: ItemDraft::Observation(ObservationDraft {
            kind: kind.into(),
            text: text.into(),
        }),
    }
}

fn lesson(statement: &str, tags: &[&str]) -> ReviewChange {
    ReviewChange::AddItem {
        item: ItemDraft::Lesson(LessonDraft {
            statement: statement.into(),
            tags: tags.iter().map(|t| (*t).into()).collect(),
        }),
    }
}

fn recommend(text: &str) -> ReviewChange {
    ReviewChange::AddItem {
        item: ItemDraft::Recommendation(RecommendationDraft { text: text.into() }),
    }
}

fn answer(question_id: &str, text: &str) -> ReviewChange {
    ReviewChange::SetAnswer {
        question_id: question_id.into(),
        text: text.into(),
        version: 0,
    }
}

fn cost(category: &str, amount: &str, currency: &str, certainty: &str, note: &str) -> ReviewChange {
    ReviewChange::AddItem {
        item: ItemDraft::Financial(FinancialDraft {
            category: category.into(),
            amount: amount.into(),
            currency: currency.into(),
            certainty: certainty.into(),
            note: note.into(),
            ..Default::default()
        }),
    }
}

fn staff(hours: &str, rate: &str, currency: &str, note: &str) -> ReviewChange {
    ReviewChange::AddItem {
        item: ItemDraft::Financial(FinancialDraft {
            category: "staff_time".into(),
            currency: currency.into(),
            hours: hours.into(),
            hourly_rate: rate.into(),
            certainty: "actual".into(),
            note: note.into(),
            ..Default::default()
        }),
    }
}

fn go(to: ReviewStatus, note: &str) -> ReviewChange {
    ReviewChange::Transition {
        to,
        note: Some(note.into()),
    }
}

/// The ransomware case: a complete, approved review.
fn ransomware() -> Vec<(&'static str, ReviewChange)> {
    use AssessedPhase::*;
    let f = "Priya Raman";
    vec![
        (f, text(TextSectionName::Summary, "A phishing attachment gave an attacker a foothold on a finance workstation; four days later a service-account password shared between the file servers and the backup platform let the attacker encrypt the Lyon finance shares. Offline backups made recovery possible without paying; about six hours of changes were lost on two shares.")),
        (f, text(TextSectionName::Narrative, "On 10 September a macro-enabled invoice was opened on FIN-WS-114. The loader it installed stayed quiet until the night of 13–14 September, when the attacker used the svc-backup-sync account to reach LYON-FS01 and FS02 and began encrypting at 01:12 local time. EDR raised a high-severity alert at 03:47; the on-call analyst confirmed ransom notes and paged the incident manager, who declared a critical incident at 04:05. Isolating rather than powering off kept memory for forensics. The servers were isolated at 07:30. The executive team decided on 15 September not to engage with the attacker. Eradication finished on 16 September with credentials rotated across 212 hosts, and Finance verified the restored shares on 19 September.")),
        (f, cause("root_cause", "technology", "The backup platform and the file servers shared one service-account password, so one stolen credential reached both production data and its backups.", &[
            ("Why could the attacker reach the backups?", "The svc-backup-sync account worked on both systems."),
            ("Why did one account work on both?", "It was created in 2021 for a migration and never split."),
            ("Why was it never split?", "Service accounts had no owner and no rotation schedule."),
        ])),
        (f, cause("contributing_factor", "process", "The mail gateway allowed macro-enabled Office attachments from outside senders.", &[])),
        (f, cause("contributing_factor", "technology", "EDR alerting on mass file renames was tuned for business hours; the first alert came 2 h 35 min after encryption began.", &[])),
        (f, cause("trigger", "external", "A convincing invoice-dispute e-mail from a look-alike supplier domain.", &[])),
        (f, cause("contributing_factor", "training", "Finance staff had not had phishing training covering invoice lures since 2024.", &[])),
        (f, assess(Detection, 2, "EDR did detect the encryption and the on-call analyst confirmed quickly.", "The foothold went unnoticed for four days; the first alert came 2.5 hours after encryption started.")),
        (f, assess(Containment, 4, "Isolation through EDR kept memory for forensics and stopped the spread within 3.5 hours of the alert.", "Isolation steps were improvised; a runbook would have saved an hour.")),
        (f, assess(Eradication, 4, "Credentials were rotated across 212 hosts and persistence was checked systematically.", "We lacked an inventory of service accounts, which slowed rotation.")),
        (f, assess(Recovery, 3, "Offline backups were intact and restores were verified by Finance.", "Restores took three days; the runbook assumed one share at a time.")),
        (f, assess(Communication, 4, "Leadership and staff were informed within two hours with an agreed holding statement.", "The insurer was told a day late.")),
        (f, assess(Coordination, 4, "One bridge, one incident manager, clear roles from 04:05.", "The backup team joined late because they had no on-call rota.")),
        (f, assess(DecisionMaking, 5, "Isolate-not-power-off and no-payment decisions were made early and recorded with reasons.", "")),
        (f, gap("technology", "critical", "No separation between production and backup credentials.")),
        (f, gap("procedure", "high", "No runbook for ransomware isolation and restore order.")),
        (f, gap("people", "medium", "The backup team has no on-call rota.")),
        (f, seen("went_well", "Offline backup copies taken on 13 September were untouched.")),
        (f, seen("went_well", "Memory images were captured before any host was rebuilt.")),
        (f, seen("lucky", "The attacker started on a Sunday night; few users were working on the shares.")),
        (f, lesson("Backups are only a recovery option if the credentials that reach production cannot reach them.", &["backups", "service-accounts"])),
        (f, lesson("Detection tuned for business hours leaves nights and weekends to the attacker.", &["edr", "detection"])),
        (f, recommend("Separate backup-platform credentials from production and require MFA for backup administration.")),
        (f, recommend("Inventory all service accounts with an owner and a rotation schedule.")),
        (f, recommend("Block macro-enabled attachments from external senders at the gateway.")),
        (f, recommend("Write and rehearse a ransomware isolation and restore runbook.")),
        (f, answer("what_happened", "See the chronology: foothold on 10 September, encryption from 01:12 on 14 September, contained at 07:30, recovered on 19 September.")),
        (f, answer("information_sooner", "Which service accounts existed and what they could reach.")),
        (f, answer("precursors", "Macro execution on finance workstations; logons of service accounts outside their usual hosts.")),
        (f, answer("went_well", "Isolation preserved evidence; offline backups worked.")),
        (f, answer("got_lucky", "The attack ran on a Sunday night.")),
        ("Marc Lefèvre (CFO)", cost("response_and_recovery", "48,000.00", "EUR", "actual", "External incident-response firm, 6 days")),
        ("Marc Lefèvre (CFO)", staff("320", "85.00", "EUR", "Internal IT and security overtime")),
        ("Marc Lefèvre (CFO)", cost("lost_revenue", "120,000", "EUR", "estimated", "Delayed invoicing during the outage of the finance shares")),
        ("Amélie Roux (Legal)", cost("legal", "6,500.00", "USD", "actual", "Outside counsel, US subsidiary notification review")),
        (f, ReviewChange::SetImpactDetails {
            draft: ImpactDetailsDraft {
                downtime_minutes: "7500".into(),
                services_affected: vec!["File servers (Lyon), Finance shared drives".into()],
                users_affected: "240".into(),
                customers_affected: "0".into(),
                records_affected: "0".into(),
                data_classes: vec!["confidential".into()],
                integrity: true,
                availability: true,
                reputational: "minor".into(),
                media_coverage: "None; the incident stayed internal.".into(),
                overall: "damaging".into(),
                initial_estimate: "50,000".into(),
                final_estimate: "207,200".into(),
                estimate_currency: "EUR".into(),
                ..Default::default()
            },
            version: 0,
        }),
        (f, go(ReviewStatus::InReview, "Ready for the CISO")),
        ("Claire Dubois (CISO)", go(ReviewStatus::Approved, "Approved after the lessons-learned meeting of 29 September")),
        ("Hannah Becker", ReviewChange::AddDissent { text: "I would rank the missing macro block as a root cause, not a contributing factor: without it there is no foothold.".into() }),
    ]
}

/// The phishing-led breach: a review in progress, submitted for review.
fn breach() -> Vec<(&'static str, ReviewChange)> {
    use AssessedPhase::*;
    let f = "Sam Okafor";
    vec![
        (
            f,
            text(
                TextSectionName::Summary,
                "A support agent entered their credentials on a look-alike single-sign-on page. Without MFA (a legacy exemption), the attacker forwarded invoice mail and exported 4,812 customer records from the helpdesk. The breach was notified to the supervisory authority within 72 hours and to customers.",
            ),
        ),
        (
            f,
            cause(
                "root_cause",
                "policy",
                "A legacy MFA exemption group had no expiry and still contained support accounts.",
                &[
                    (
                        "Why did the account have no MFA?",
                        "It was in the legacy exemption group.",
                    ),
                    (
                        "Why was it in the group?",
                        "Support laptops could not run the authenticator in 2023; the group was never reviewed.",
                    ),
                ],
            ),
        ),
        (
            f,
            cause(
                "contributing_factor",
                "technology",
                "Any agent could export the full customer list from the helpdesk.",
                &[],
            ),
        ),
        (
            f,
            cause(
                "trigger",
                "external",
                "An invoice-dispute lure leading to a look-alike SSO page.",
                &[],
            ),
        ),
        (
            f,
            assess(
                Detection,
                2,
                "The gateway rule on external forwarding worked.",
                "Two days passed before the forwarding rule was flagged.",
            ),
        ),
        (
            f,
            assess(
                Containment,
                4,
                "Sessions were revoked before the user was contacted, so the attacker was not warned.",
                "",
            ),
        ),
        (
            f,
            assess(
                Eradication,
                4,
                "All mailboxes were searched for the same lure.",
                "",
            ),
        ),
        (
            f,
            assess(
                Recovery,
                5,
                "The agent was back the next day with a hardware key.",
                "",
            ),
        ),
        (
            f,
            gap(
                "policy",
                "high",
                "Exemptions from MFA have no owner and no expiry.",
            ),
        ),
        (
            f,
            gap(
                "technology",
                "medium",
                "Helpdesk export permission was granted to all agents.",
            ),
        ),
        (
            f,
            seen(
                "went_well",
                "The DPO assessed notifiability the same evening.",
            ),
        ),
        (
            f,
            seen(
                "lucky",
                "The attacker exported the list only once, late at night.",
            ),
        ),
        (
            f,
            lesson(
                "An exemption without an expiry becomes permanent.",
                &["mfa", "policy"],
            ),
        ),
        (
            f,
            recommend(
                "Give every security exemption an owner and an expiry date, reviewed monthly.",
            ),
        ),
        (
            f,
            recommend("Limit helpdesk exports to team leads and alert on large exports."),
        ),
        (
            "Lena Fischer",
            cost(
                "regulatory_fine",
                "25,000",
                "EUR",
                "estimated",
                "Provision pending the supervisory authority's decision",
            ),
        ),
        (
            "Lena Fischer",
            cost(
                "customer_compensation",
                "85,000",
                "INR",
                "actual",
                "Customer notification mailing by the Bengaluru support centre",
            ),
        ),
        (
            "Lena Fischer",
            staff("46", "70.00", "EUR", "Security and DPO time"),
        ),
        (
            f,
            ReviewChange::SetImpactDetails {
                draft: ImpactDetailsDraft {
                    services_affected: vec!["Mail, Helpdesk".into()],
                    customers_affected: "4,812".into(),
                    records_affected: "4,812".into(),
                    data_classes: vec!["personal".into()],
                    confidentiality: true,
                    reputational: "moderate".into(),
                    complaints: "37".into(),
                    overall: "painful".into(),
                    initial_estimate: "10,000".into(),
                    final_estimate: "28,940".into(),
                    estimate_currency: "EUR".into(),
                    ..Default::default()
                },
                version: 0,
            },
        ),
        (
            f,
            text(
                TextSectionName::Narrative,
                "On 6 October a support agent followed an invoice-dispute link to a look-alike single-sign-on page and entered their password. The account sat in a legacy group exempted from MFA, so the attacker signed in from abroad, added a rule forwarding invoice and refund mail, and on the evening of 7 October exported the customer list from the helpdesk. On 8 October the mail gateway flagged the external forwarding rule; the analyst escalated within 15 minutes, and sessions were revoked before the user was contacted so the attacker would not be warned. The DPO judged the breach notifiable that evening; the supervisory authority was notified within 72 hours of awareness and customers were informed on 12 October.",
            ),
        ),
        (
            f,
            assess(
                AssessedPhase::Communication,
                4,
                "Customers were told what data was taken and what to watch for.",
                "The customer letter took four days to agree.",
            ),
        ),
        (
            f,
            assess(
                AssessedPhase::Coordination,
                3,
                "Security and the DPO worked from one channel.",
                "Customer support leads learned of the breach from customers.",
            ),
        ),
        (
            f,
            assess(
                AssessedPhase::DecisionMaking,
                4,
                "Revoking sessions before contacting the user was decided and recorded quickly.",
                "The notifiability assessment had no template and took longer than needed.",
            ),
        ),
        (
            f,
            lesson(
                "Who can export customer data matters as much as who can read it.",
                &["data-protection"],
            ),
        ),
        (
            f,
            answer(
                "what_happened",
                "Credentials phished on 6 October, customer list exported on 7 October, detected on 8 October at 14:20 UTC.",
            ),
        ),
        (
            f,
            answer(
                "information_sooner",
                "That the account was exempt from MFA.",
            ),
        ),
        (
            f,
            answer(
                "information_sharing",
                "The look-alike domain was reported to the registrar and shared with our sector ISAC.",
            ),
        ),
        (
            f,
            answer(
                "precursors",
                "Sign-ins to support accounts from outside the EU; new external forwarding rules.",
            ),
        ),
        (f, answer("got_lucky", "The export ran only once.")),
        (f, go(ReviewStatus::InReview, "Awaiting the DPO's sign-off")),
    ]
}

/// The outage: a review just started, already well filled in.
fn outage() -> Vec<(&'static str, ReviewChange)> {
    use AssessedPhase::*;
    let f = "Jordan Lee";
    vec![
        (
            f,
            text(
                TextSectionName::Summary,
                "A health-check path change was rolled out to all regions at once; every checkout instance failed the new check and was removed from rotation for 39 minutes.",
            ),
        ),
        (
            f,
            cause(
                "root_cause",
                "process",
                "The pipeline rolled load-balancer configuration changes to every region at once, with no canary.",
                &[
                    (
                        "Why did every region fail together?",
                        "The change was applied to all regions in one step.",
                    ),
                    (
                        "Why in one step?",
                        "Load-balancer settings were treated as low-risk configuration, outside the staged rollout.",
                    ),
                ],
            ),
        ),
        (
            f,
            cause(
                "trigger",
                "technology",
                "Change CHG-20931 pointed the health check at /health, which the checkout service does not serve.",
                &[],
            ),
        ),
        (
            f,
            cause(
                "contributing_factor",
                "communication",
                "The checkout team was not a reviewer of the change.",
                &[],
            ),
        ),
        (
            f,
            assess(
                Detection,
                5,
                "Synthetic checks alerted within 4.5 minutes.",
                "",
            ),
        ),
        (
            f,
            assess(
                Containment,
                3,
                "Rolling back was the right call.",
                "Diagnosing the 404 took 9 minutes; the change was not linked from the alert.",
            ),
        ),
        (
            f,
            assess(
                Recovery,
                4,
                "Traffic recovered 17 minutes after the rollback.",
                "",
            ),
        ),
        (
            f,
            gap(
                "procedure",
                "high",
                "Load-balancer changes skip the staged rollout.",
            ),
        ),
        (
            f,
            seen(
                "went_well",
                "The status page was updated within half an hour.",
            ),
        ),
        (
            f,
            seen(
                "lucky",
                "It happened on a Tuesday morning, not during a sale.",
            ),
        ),
        (
            f,
            lesson(
                "Configuration is code: it needs the same staged rollout.",
                &["change-management"],
            ),
        ),
        (
            f,
            recommend(
                "Roll out load-balancer changes one region at a time with an automatic halt.",
            ),
        ),
        (
            f,
            recommend("Link recent changes to alerts for the services they touch."),
        ),
        (
            "Aisha Mensah",
            cost(
                "lost_revenue",
                "18,400",
                "USD",
                "estimated",
                "Orders not completed during 39 minutes",
            ),
        ),
        (
            "Aisha Mensah",
            staff("12", "95.00", "EUR", "On-call and review time"),
        ),
        (
            f,
            ReviewChange::SetImpactDetails {
                draft: ImpactDetailsDraft {
                    downtime_minutes: "39".into(),
                    services_affected: vec!["Checkout".into()],
                    customers_affected: "2,300".into(),
                    sla_breaches: "1".into(),
                    availability: true,
                    reputational: "minor".into(),
                    complaints: "54".into(),
                    overall: "distracting".into(),
                    initial_estimate: "15,000".into(),
                    final_estimate: "18,400".into(),
                    estimate_currency: "USD".into(),
                    ..Default::default()
                },
                version: 0,
            },
        ),
    ]
}

impl App {
    /// Fills an empty database with the demo incidents, their reviews and
    /// the exchange rates their totals need. Audited as `system: demo`.
    pub async fn load_demo(&self) -> Result<DemoOutcome, AppError> {
        let context = debrief_store::AuditContext::new("system", "system: demo");
        debrief_store::with_audit_context(context, self.load_demo_data()).await
    }

    async fn load_demo_data(&self) -> Result<DemoOutcome, AppError> {
        let incidents = self.store().count_incidents().await?;
        if incidents > 0 {
            return Ok(DemoOutcome::NotEmpty { incidents });
        }
        let report = self.import_bundle(DEMO_BUNDLE.as_bytes(), &|_| {}).await?;
        self.load_demo_evidence().await?;
        for (from, to, rate, date) in RATES {
            match self
                .add_rate(from, to, rate, date, "ECB euro reference rate (demo)")
                .await
            {
                Ok(_) | Err(AppError::Conflict { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        // The ransomware review is approved after its lessons-learned
        // workshop (which adds a lesson to it), so its last three steps wait.
        let mut ransomware = ransomware();
        let after_workshop = ransomware.split_off(ransomware.len() - 3);
        for (key, changes) in [
            ("INC-2026-0001", ransomware),
            ("INC-2026-0002", breach()),
            ("INC-2026-0003", outage()),
        ] {
            for (by, change) in changes {
                self.change_review(key, change, by).await?;
            }
        }
        self.load_demo_people().await?;
        let workshop = self.schedule_demo_workshop().await?;
        self.load_demo_actions().await?;
        self.hold_demo_workshop(&workshop).await?;
        // The review complete policy: every lesson has a home before approval.
        self.load_demo_documents().await?;
        for (by, change) in after_workshop {
            self.change_review("INC-2026-0001", change, by).await?;
        }
        Ok(DemoOutcome::Loaded(report))
    }

    /// Two years of generated history before the showcase incidents
    /// (`demo/history.rs`), in one import: one transaction, no webhooks.
    /// `debrief demo` and `serve --demo` load it right after
    /// [`App::load_demo`]; the showcase alone stays what tests count on.
    pub async fn load_demo_history(&self) -> Result<BundleReport, AppError> {
        let history = serde_json::to_vec(&history::history_bundle())
            .map_err(|e| AppError::Store(debrief_store::StoreError::Corrupt(e.to_string())))?;
        self.import_bundle(history.as_slice(), &|_| {}).await
    }
}

/// A person of the demo: name, email, team.
const PEOPLE: [(&str, &str, &str); 11] = [
    (
        "Priya Raman",
        "priya.raman@example.org",
        "Security operations",
    ),
    ("Tomás Ortega", "tomas.ortega@example.org", "Infrastructure"),
    (
        "Hannah Becker",
        "hannah.becker@example.org",
        "Identity and access",
    ),
    ("Sam Okafor", "sam.okafor@example.org", "Service desk"),
    (
        "Lena Fischer",
        "lena.fischer@example.org",
        "Security operations",
    ),
    ("Jordan Lee", "jordan.lee@example.org", "Platform SRE"),
    (
        "Aisha Mensah",
        "aisha.mensah@example.org",
        "Network engineering",
    ),
    (
        "Marta Nowak",
        "marta.nowak@example.org",
        "Risk office (facilitator)",
    ),
    ("Daniel Kim", "daniel.kim@example.org", "CISO"),
    ("Elena Rossi", "elena.rossi@example.org", "Legal"),
    ("Chris Park", "chris.park@example.org", "Communications"),
];

/// A demo action: where, when it was created, what, and what happened to it.
struct DemoAction {
    key: &'static str,
    created: &'static str,
    /// The start of the recommendation it answers.
    answers: &'static str,
    title: &'static str,
    action_type: &'static str,
    owner: &'static str,
    due: &'static str,
    scores: (i64, i64, i64),
    /// `(P, justification)` when overridden.
    priority: Option<(&'static str, &'static str)>,
    ticket: &'static str,
    /// `(instant, status, note)`, in order.
    moves: &'static [(&'static str, &'static str, &'static str)],
    /// `(instant, evidence)`.
    verified: Option<(&'static str, &'static str)>,
}

const DEMO_ACTIONS: [DemoAction; 8] = [
    DemoAction {
        key: "INC-2026-0001",
        created: "2026-09-28T10:00:00Z",
        answers: "Separate backup-platform credentials",
        title: "Separate backup-platform credentials from production and enforce MFA",
        action_type: "prevent",
        owner: "tomas.ortega@example.org",
        due: "2026-10-31",
        scores: (5, 5, 2),
        priority: None,
        ticket: "OPS-2041",
        moves: &[
            ("2026-10-02T08:30:00Z", "in_progress", ""),
            ("2026-10-20T16:00:00Z", "done", ""),
        ],
        verified: Some((
            "2026-11-05T11:00:00Z",
            "Restore drill on 4 November: a production domain admin could not reach the backup console; restore completed with the separate credentials.",
        )),
    },
    DemoAction {
        key: "INC-2026-0001",
        created: "2026-09-28T10:05:00Z",
        answers: "Inventory all service accounts",
        title: "Inventory service accounts with an owner and a rotation schedule",
        action_type: "prevent",
        owner: "hannah.becker@example.org",
        due: "2026-11-15",
        scores: (4, 4, 3),
        priority: None,
        ticket: "",
        moves: &[
            ("2026-10-05T09:00:00Z", "in_progress", ""),
            (
                "2026-10-30T14:00:00Z",
                "blocked",
                "waiting for the HR system export of leavers",
            ),
        ],
        verified: None,
    },
    DemoAction {
        key: "INC-2026-0001",
        created: "2026-09-28T10:10:00Z",
        answers: "Block macro-enabled attachments",
        title: "Block macro-enabled attachments from external senders at the mail gateway",
        action_type: "prevent",
        owner: "priya.raman@example.org",
        due: "2026-10-15",
        scores: (4, 5, 1),
        priority: None,
        ticket: "https://tracker.example.org/browse/SEC-318",
        moves: &[
            ("2026-09-30T09:00:00Z", "in_progress", ""),
            ("2026-10-10T15:30:00Z", "done", ""),
        ],
        verified: None,
    },
    DemoAction {
        key: "INC-2026-0001",
        created: "2026-09-28T10:15:00Z",
        answers: "Write and rehearse a ransomware",
        title: "Write and rehearse a ransomware isolation and restore runbook",
        action_type: "respond",
        owner: "priya.raman@example.org",
        due: "2026-12-18",
        scores: (3, 5, 3),
        priority: Some(("P2", "The board asked for the runbook before the Q1 audit")),
        ticket: "",
        moves: &[],
        verified: None,
    },
    DemoAction {
        key: "INC-2026-0002",
        created: "2026-10-26T09:00:00Z",
        answers: "Limit helpdesk exports",
        title: "Limit helpdesk exports to team leads and alert on large exports",
        action_type: "detect",
        owner: "sam.okafor@example.org",
        due: "2026-11-20",
        scores: (4, 4, 2),
        priority: None,
        ticket: "HD-77",
        moves: &[],
        verified: None,
    },
    DemoAction {
        key: "INC-2026-0002",
        created: "2026-10-26T09:10:00Z",
        answers: "",
        title: "Train helpdesk staff to verify callers with a callback",
        action_type: "training",
        owner: "lena.fischer@example.org",
        due: "2026-12-15",
        scores: (3, 3, 2),
        priority: None,
        ticket: "",
        moves: &[("2026-11-02T10:00:00Z", "in_progress", "")],
        verified: None,
    },
    DemoAction {
        key: "INC-2026-0003",
        created: "2026-11-05T15:00:00Z",
        answers: "Link recent changes to alerts",
        title: "Link recent changes to the alerts of the services they touch",
        action_type: "detect",
        owner: "jordan.lee@example.org",
        due: "2026-12-20",
        scores: (3, 3, 3),
        priority: None,
        ticket: "",
        moves: &[],
        verified: None,
    },
    DemoAction {
        key: "INC-2026-0003",
        created: "2026-11-05T15:05:00Z",
        answers: "",
        title: "Add a canary stage to load-balancer configuration rollouts",
        action_type: "prevent",
        owner: "aisha.mensah@example.org",
        due: "2026-11-25",
        scores: (4, 4, 2),
        priority: None,
        ticket: "NET-902",
        moves: &[("2026-11-09T09:00:00Z", "in_progress", "")],
        verified: None,
    },
];

/// Follow-up sessions of the demo: incident, instant, note.
const FOLLOW_UPS: [(&str, &str, &str); 3] = [
    (
        "INC-2026-0001",
        "2026-10-12T14:00:00Z",
        "First follow-up: the mail gateway change is live; backup credentials in progress.",
    ),
    (
        "INC-2026-0001",
        "2026-11-09T14:00:00Z",
        "Backup separation verified by drill; the service-account inventory is blocked on HR data.",
    ),
    (
        "INC-2026-0002",
        "2026-11-10T10:00:00Z",
        "Export limits not started; training sessions booked.",
    ),
];

impl App {
    /// The demo's people.
    async fn load_demo_people(&self) -> Result<(), AppError> {
        for (name, email, team) in PEOPLE {
            self.add_person(&debrief_core::PersonDraft {
                name: name.into(),
                email: email.into(),
                team: team.into(),
                phone: String::new(),
            })
            .await?;
        }
        Ok(())
    }

    /// The demo's actions in every state, and follow-ups, written as of the
    /// dates they happened (so the history and burn-down are real).
    async fn load_demo_actions(&self) -> Result<(), AppError> {
        let at = demo_clock;
        // Follow-ups and moves interleave in time; apply everything in order.
        enum Step {
            Create(usize),
            Move(usize, &'static str, &'static str),
            Verify(usize, &'static str),
            FollowUp(&'static str, &'static str),
        }
        let mut steps: Vec<(&str, Step)> = Vec::new();
        for (n, a) in DEMO_ACTIONS.iter().enumerate() {
            steps.push((a.created, Step::Create(n)));
            for (when, to, note) in a.moves {
                steps.push((when, Step::Move(n, to, note)));
            }
            if let Some((when, evidence)) = a.verified {
                steps.push((when, Step::Verify(n, evidence)));
            }
        }
        for (key, when, note) in FOLLOW_UPS {
            steps.push((when, Step::FollowUp(key, note)));
        }
        steps.sort_by_key(|(when, _)| *when);
        // The reference each demo action got, by its index.
        let mut refs: Vec<String> = vec![String::new(); DEMO_ACTIONS.len()];
        for (when, step) in steps {
            let app = self.with_clock(at(when)?);
            let by = "Marta Nowak";
            match step {
                Step::Create(n) => {
                    let a = &DEMO_ACTIONS[n];
                    let (_, review) = self.review(a.key).await?;
                    let answers = review
                        .iter()
                        .flat_map(|r| r.recommendations.iter())
                        .filter(|r| !a.answers.is_empty() && r.text.starts_with(a.answers))
                        .map(|r| format!("recommendation:{}", r.id))
                        .collect();
                    let (r, i, e) = a.scores;
                    let draft = debrief_core::action::ActionDraft {
                        title: a.title.into(),
                        description: String::new(),
                        action_type: a.action_type.into(),
                        answers,
                        owner: a.owner.into(),
                        due_on: a.due.into(),
                        risk: r,
                        impact: i,
                        effort: e,
                        priority_override: a.priority.map(|p| p.0.to_owned()).unwrap_or_default(),
                        override_justification: a
                            .priority
                            .map(|p| p.1.to_owned())
                            .unwrap_or_default(),
                        ticket: a.ticket.into(),
                    };
                    let (view, _) = app.create_action(a.key, &draft, by).await?;
                    refs[n] = view.key.to_string();
                }
                Step::Move(n, to, note) => {
                    let (a, r) = (&DEMO_ACTIONS[n], &refs[n]);
                    let v = app.action(r).await?;
                    let to = to
                        .parse()
                        .map_err(|m: String| AppError::NotAllowed(format!("demo move: {m}")))?;
                    let owner = PEOPLE
                        .iter()
                        .find(|(_, email, _)| *email == a.owner)
                        .map_or(a.owner, |(name, _, _)| *name);
                    app.move_action(r, v.action().version, to, note, owner)
                        .await?;
                }
                Step::Verify(n, evidence) => {
                    let r = &refs[n];
                    let v = app.action(r).await?;
                    let input = crate::actions::VerifyInput {
                        verified_on: String::new(),
                        verified_by: "Priya Raman".into(),
                        evidence: evidence.into(),
                    };
                    app.verify_action(r, v.action().version, &input, by).await?;
                }
                Step::FollowUp(key, note) => {
                    app.take_follow_up(key, note, by).await?;
                }
            }
        }
        Ok(())
    }
}

/// The demo clock at an RFC 3339 instant.
fn demo_clock(s: &str) -> Result<std::sync::Arc<dyn crate::Clock>, AppError> {
    let t: jiff::Timestamp = s
        .parse()
        .map_err(|e| AppError::NotAllowed(format!("demo instant {s}: {e}")))?;
    Ok(std::sync::Arc::new(crate::FixedClock(t)))
}

fn attendee(person: &str, role: &str) -> crate::workshops::AttendeeInput {
    crate::workshops::AttendeeInput {
        person: person.into(),
        role: role.into(),
    }
}

const MARTA: &str = "marta.nowak@example.org";

impl App {
    /// The lessons-learned workshop of the ransomware case, scheduled two
    /// days before it took place, with Marta Nowak (risk office, no part in
    /// the response) as the neutral facilitator.
    async fn schedule_demo_workshop(&self) -> Result<String, AppError> {
        let app = self.with_clock(demo_clock("2026-09-27T09:00:00Z")?);
        let input = crate::workshops::WorkshopInput {
            kind: "lessons_learned".into(),
            schedule: debrief_core::workshop::ScheduleDraft {
                starts: "2026-09-29 10:00".into(),
                time_zone: "Europe/Paris".into(),
                duration_minutes: "120".into(),
                location: "Lyon HQ, room Rhône".into(),
                url: "https://meet.example.org/inc-2026-0001".into(),
                facilitator: MARTA.into(),
            },
            attendees: vec![
                attendee("priya.raman@example.org", "responder"),
                attendee("hannah.becker@example.org", "responder"),
                attendee("tomas.ortega@example.org", "it"),
                attendee("lena.fischer@example.org", "security"),
                attendee("daniel.kim@example.org", "management"),
                attendee("elena.rossi@example.org", "legal"),
                attendee("chris.park@example.org", "communications"),
            ],
            agenda: String::new(),
        };
        let (view, _) = app
            .schedule_workshop("INC-2026-0001", &input, "Marta Nowak")
            .await?;
        Ok(view.id().to_string())
    }

    /// The meeting of 29 September as it went: attendance, notes and
    /// decisions under the agenda items, a lesson and an action added live,
    /// then marked held; and the follow-up planned in November.
    async fn hold_demo_workshop(&self, id: &str) -> Result<(), AppError> {
        use debrief_core::workshop::WorkshopChange::*;
        let people = [
            ("priya.raman@example.org", "attended"),
            ("hannah.becker@example.org", "attended"),
            ("tomas.ortega@example.org", "attended"),
            ("lena.fischer@example.org", "attended"),
            ("daniel.kim@example.org", "attended"),
            ("elena.rossi@example.org", "attended"),
            ("chris.park@example.org", "absent"),
        ];
        let by = "Marta Nowak";
        let at = |s: &str| -> Result<App, AppError> { Ok(self.with_clock(demo_clock(s)?)) };
        for (person, attendance) in people {
            at("2026-09-29T08:00:00Z")?
                .change_workshop(
                    id,
                    SetAttendance {
                        person: person.into(),
                        attendance: attendance.into(),
                    },
                    None,
                    by,
                )
                .await?;
        }
        let notes: [(&str, u32, &str, &str); 5] = [
            (
                "2026-09-29T08:10:00Z",
                1,
                "note",
                "The foothold went unseen for four days: no alert covers macros running on finance workstations.",
            ),
            (
                "2026-09-29T08:25:00Z",
                2,
                "note",
                "Isolating the servers instead of powering them off kept the memory images that showed how the attacker moved.",
            ),
            (
                "2026-09-29T08:30:00Z",
                2,
                "decision",
                "Isolate, do not power off, stays the first containment step for ransomware.",
            ),
            (
                "2026-09-29T08:50:00Z",
                4,
                "note",
                "Dissent recorded: the missing macro block could be ranked as a root cause too; the review will say so.",
            ),
            (
                "2026-09-29T09:30:00Z",
                8,
                "decision",
                "Hold a follow-up in December to check the credential separation and the runbook rehearsal.",
            ),
        ];
        for (when, item, kind, text) in notes {
            at(when)?
                .change_workshop(
                    id,
                    AddNote {
                        item: Some(item),
                        kind: kind.into(),
                        text: text.into(),
                    },
                    None,
                    by,
                )
                .await?;
        }
        at("2026-09-29T09:05:00Z")?
            .add_workshop_lesson(
                id,
                &debrief_core::review::LessonDraft {
                    statement: "A restore drill proves backups only when it uses the credentials an attacker would not have.".into(),
                    tags: vec!["backups".into(), "drills".into()],
                },
                Some(7),
                by,
            )
            .await?;
        at("2026-09-29T09:15:00Z")?
            .add_workshop_action(
                id,
                &debrief_core::action::ActionDraft {
                    title: "Schedule quarterly restore drills with the separate backup credentials"
                        .into(),
                    action_type: "process".into(),
                    owner: "tomas.ortega@example.org".into(),
                    due_on: "2026-12-31".into(),
                    risk: 3,
                    impact: 4,
                    effort: 2,
                    ..Default::default()
                },
                Some(8),
                by,
            )
            .await?;
        at("2026-09-29T10:05:00Z")?
            .change_workshop(id, MarkHeld, None, by)
            .await?;
        let follow_up = crate::workshops::WorkshopInput {
            kind: "follow_up".into(),
            schedule: debrief_core::workshop::ScheduleDraft {
                starts: "2026-12-03 14:00".into(),
                time_zone: "Europe/Paris".into(),
                duration_minutes: "45".into(),
                location: String::new(),
                url: "https://meet.example.org/inc-2026-0001-follow-up".into(),
                facilitator: MARTA.into(),
            },
            attendees: vec![
                attendee("priya.raman@example.org", "responder"),
                attendee("hannah.becker@example.org", "responder"),
                attendee("tomas.ortega@example.org", "it"),
                attendee("daniel.kim@example.org", "management"),
            ],
            agenda: "## Where each action stands\n- Walk the action list, owner by owner\n## Backup credential separation\n- Evidence from the restore drill\n## Service-account inventory\n- What unblocks it\n".into(),
        };
        at("2026-11-09T15:00:00Z")?
            .schedule_workshop("INC-2026-0001", &follow_up, by)
            .await?;
        Ok(())
    }
}

/// A demo document: kind, title, owner, version, link, review date.
const DOCUMENTS: [(&str, &str, &str, &str, &str, &str); 5] = [
    (
        "response_plan",
        "Incident response plan",
        "daniel.kim@example.org",
        "4.1",
        "https://intranet.example.org/security/incident-response-plan",
        "2027-03-31",
    ),
    (
        "playbook",
        "Ransomware playbook",
        "priya.raman@example.org",
        "2.0",
        "https://intranet.example.org/security/playbooks/ransomware",
        "2027-01-31",
    ),
    (
        "runbook",
        "Backup platform administration runbook",
        "tomas.ortega@example.org",
        "1.3",
        "https://wiki.example.org/infra/backup-runbook",
        "",
    ),
    (
        "runbook",
        "EDR alert triage runbook",
        "lena.fischer@example.org",
        "3.0",
        "https://wiki.example.org/soc/edr-triage",
        "",
    ),
    (
        "training_module",
        "Phishing awareness: invoice lures",
        "daniel.kim@example.org",
        "2026.1",
        "https://learning.example.org/modules/phishing-invoice-lures",
        "2026-12-15",
    ),
];

impl App {
    /// The demo's plans and training, and the links of the ransomware
    /// review's lessons (one change done, two still needed) and one of the
    /// breach review's, so the "without a home" list has both kinds.
    async fn load_demo_documents(&self) -> Result<(), AppError> {
        use debrief_core::document::{DocumentDraft, LessonLinkDraft};
        let mut ids = Vec::new();
        for (kind, title, owner, version, link, review_on) in DOCUMENTS {
            let d = self
                .add_document(&DocumentDraft {
                    kind: kind.into(),
                    title: title.into(),
                    owner: owner.into(),
                    document_version: version.into(),
                    link: link.into(),
                    status: "current".into(),
                    review_on: review_on.into(),
                })
                .await?;
            ids.push(d.id.to_string());
        }
        let links: [(&str, &str, usize, &str, &str, &str); 4] = [
            (
                "INC-2026-0001",
                "Backups are only",
                2,
                "Require separate credentials and MFA for backup administration.",
                "1.4",
                "2026-10-20",
            ),
            (
                "INC-2026-0001",
                "Detection tuned",
                3,
                "Page the on-call analyst for mass-rename alerts at any hour.",
                "",
                "",
            ),
            (
                "INC-2026-0001",
                "A restore drill",
                1,
                "Add a quarterly restore drill with the separate backup credentials.",
                "",
                "",
            ),
            (
                "INC-2026-0002",
                "",
                4,
                "Add the look-alike single-sign-on page to the invoice-lure module.",
                "",
                "",
            ),
        ];
        for (key, starts, doc, change, done_version, done_on) in links {
            let (_, review) = self.review(key).await?;
            let Some(review) = review else { continue };
            let lesson = review
                .lessons
                .iter()
                .find(|l| l.statement.starts_with(starts))
                .ok_or_else(|| {
                    AppError::NotFound(format!("the demo lesson “{starts}…” of {key}"))
                })?;
            let done = !done_version.is_empty();
            self.link_lesson(
                key,
                &lesson.id.to_string(),
                &LessonLinkDraft {
                    document: ids[doc].clone(),
                    change: change.into(),
                    state: if done { "done" } else { "needed" }.into(),
                    done_version: done_version.into(),
                    done_on: done_on.into(),
                },
            )
            .await?;
        }
        Ok(())
    }
}
