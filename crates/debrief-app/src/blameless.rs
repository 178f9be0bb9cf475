//! The blameless-language linter in the product (PRODUCT.md §7): the
//! organisation's rules (stored as one versioned document, the built-in
//! rules until someone edits them), linting any text, the findings over
//! everything written about an incident, and the approval gate — a review
//! is not approved while a finding is open, unless it was acknowledged with
//! a reason.

use debrief_core::lint::{Finding, LintContext, LintRule, RuleSet};
use debrief_core::review::blameless::{LocatedFinding, TextField, find_blame, review_texts};
use debrief_core::{FieldError, FieldErrors, Incident};
use debrief_store::{EventFilter, StoreError};

use crate::lint::{lint_document, rules_from_json};
use crate::{App, AppError};

/// The name of the stored rules document.
pub const LINT_RULES: &str = "lint_rules";

/// The organisation's rules and their version (0: the built-in rules, never
/// saved).
#[derive(Debug, Clone)]
pub struct LintRules {
    pub rules: RuleSet,
    pub version: i64,
}

impl App {
    /// The rules in force.
    pub async fn lint_rules(&self) -> Result<LintRules, AppError> {
        match self.store().setting(LINT_RULES).await? {
            None => Ok(LintRules {
                rules: RuleSet::builtin(),
                version: 0,
            }),
            Some(s) => {
                let rules = rules_from_json(&s.value).map_err(|e| {
                    AppError::Store(StoreError::Corrupt(format!(
                        "the stored lint rules no longer read: {}",
                        e.iter()
                            .map(|e| format!("{}: {}", e.field, e.message))
                            .collect::<Vec<_>>()
                            .join("; ")
                    )))
                })?;
                Ok(LintRules {
                    rules,
                    version: s.version,
                })
            }
        }
    }

    /// Replaces the rules, over the version read (0 for the built-in ones).
    /// Every problem is reported under the rule's id and field.
    pub async fn save_lint_rules(
        &self,
        rules: Vec<LintRule>,
        expected_version: i64,
    ) -> Result<LintRules, AppError> {
        let set = RuleSet::new(rules)?;
        let json = serde_json::to_string(set.rules())
            .map_err(|e| AppError::Store(StoreError::Corrupt(e.to_string())))?;
        let expected = (expected_version > 0).then_some(expected_version);
        let version = match self
            .store()
            .save_setting(LINT_RULES, &json, expected, self.now())
            .await
        {
            Ok(v) => v,
            Err(StoreError::Duplicate { .. }) => {
                let current = self.lint_rules().await?.version;
                return Err(AppError::Conflict {
                    message: format!(
                        "the rules were changed by someone else (you had version {expected_version}, they are now at {current}); reload and apply your change again"
                    ),
                    current_version: Some(current),
                });
            }
            Err(e) => return Err(e.into()),
        };
        Ok(LintRules {
            rules: set,
            version,
        })
    }

    /// What the linter knows besides the text: the names of the people
    /// debrief knows.
    pub async fn lint_context(&self) -> Result<LintContext, AppError> {
        let people = self.people().await?;
        Ok(LintContext::with_names(people.into_iter().map(|p| p.name)))
    }

    /// The findings of the organisation's rules in a text (Markdown when
    /// `markdown`), with the people debrief knows.
    pub async fn lint_text(&self, text: &str, markdown: bool) -> Result<Vec<Finding>, AppError> {
        if text.len() > 1_000_000 {
            return Err(AppError::Invalid(FieldErrors::from(FieldError::new(
                "text",
                "the text is longer than 1 MB",
            ))));
        }
        let rules = self.lint_rules().await?;
        let ctx = self.lint_context().await?;
        Ok(lint_document(text, markdown, &rules.rules, &ctx))
    }

    /// Every free text written about the incident: its review, its actions
    /// and its timeline.
    async fn incident_texts(&self, incident: &Incident) -> Result<Vec<TextField>, AppError> {
        let mut fields = match self.store().review(incident.id).await? {
            Some(r) => review_texts(&r),
            None => Vec::new(),
        };
        let (_, actions) = self.incident_actions(&incident.key.to_string()).await?;
        for a in &actions {
            let f = &a.action().fields;
            let label = format!("Action {} “{}”", a.key, f.title);
            fields.push(TextField::new(
                format!("actions/{}/title", a.action().id),
                &label,
                format!("/actions/{}", a.key),
                &f.title,
            ));
            if !f.description.trim().is_empty() {
                fields.push(TextField::new(
                    format!("actions/{}/description", a.action().id),
                    format!("{label}, description"),
                    format!("/actions/{}", a.key),
                    &f.description,
                ));
            }
        }
        for e in self
            .store()
            .list_events(incident.id, &EventFilter::default())
            .await?
        {
            let short: String = e.event.text.chars().take(50).collect();
            fields.push(TextField::new(
                format!("timeline/{}", e.id),
                format!("Timeline event “{short}”"),
                format!("/incidents/{}/timeline#event-{}", incident.key, e.id),
                &e.event.text,
            ));
        }
        Ok(fields)
    }

    /// The blameless-language findings over everything written about the
    /// incident, each marked acknowledged or not.
    pub async fn incident_findings(&self, key: &str) -> Result<Vec<LocatedFinding>, AppError> {
        let incident = self.incident(key).await?;
        self.findings_of(&incident).await
    }

    pub(crate) async fn findings_of(
        &self,
        incident: &Incident,
    ) -> Result<Vec<LocatedFinding>, AppError> {
        let fields = self.incident_texts(incident).await?;
        let rules = self.lint_rules().await?;
        let ctx = self.lint_context().await?;
        let acks = self
            .store()
            .review(incident.id)
            .await?
            .map(|r| r.acknowledgements)
            .unwrap_or_default();
        Ok(find_blame(&fields, &rules.rules, &ctx, &acks))
    }

    /// Refuses an approval while a finding is open, listing them.
    pub(crate) async fn check_blameless(&self, incident: &Incident) -> Result<(), AppError> {
        let open: Vec<LocatedFinding> = self
            .findings_of(incident)
            .await?
            .into_iter()
            .filter(|f| f.acknowledged.is_none())
            .collect();
        if open.is_empty() {
            return Ok(());
        }
        let listed: Vec<String> = open
            .iter()
            .take(5)
            .map(|f| {
                format!(
                    "{}: “{}” ({})",
                    f.label, f.finding.excerpt, f.finding.message
                )
            })
            .collect();
        Err(AppError::NotAllowed(format!(
            "{} blameless-language finding{} still open — rephrase, or acknowledge each with a reason: {}{}",
            open.len(),
            if open.len() == 1 { " is" } else { "s are" },
            listed.join("; "),
            if open.len() > 5 { "; …" } else { "" }
        )))
    }
}
