//! Learning across incidents (PRODUCT.md §9): search, related incidents,
//! the KPIs with their monthly trends and "did it work?", for the
//! dashboard, the API, the CLI and the programme report.
//!
//! KPIs are computed by `debrief_core::kpi` from facts prepared here. The
//! facts of every incident are cached in memory under the store's data
//! version ([`debrief_store::LearningStore::learning_version`], bumped by
//! triggers in every writing transaction) and today's date: each request
//! reads the version (one tiny query) and rebuilds only when it moved, so
//! the dashboard is never stale after a write by this or any other
//! instance, and any period or filter is a pass over memory.

use std::collections::HashMap;
use std::sync::Arc;

use debrief_core::action::Verification;
use debrief_core::impact::FinancialEntry;
use debrief_core::kpi::{
    self, ActionFacts, Comparison, IncidentFacts, IncidentScope, Kpis, MonthPoint, WorkshopFacts,
};
use debrief_core::review::ReviewStatus;
use debrief_core::workshop::{Holidays, ReviewDue, review_due};
use debrief_core::{
    ActionStatus, DurationName, ExchangeRate, FieldError, FieldErrors, Incident, LifecycleField,
    Money, Precision, Timestamp, total_in,
};
use debrief_store::learning::{KpiData, SearchResults};
use debrief_store::{SearchQuery, StoreError, Visibility};
use jiff::civil::Date;
use serde::Serialize;
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::impact::incident_date;
use crate::{App, AppError};

/// At most this many words in a search.
pub const MAX_WORDS: usize = 12;

/// The facts cache (see the module documentation).
#[derive(Default)]
pub struct LearningCache {
    inner: Mutex<Option<Arc<CachedFacts>>>,
}

/// One build of the facts.
pub struct CachedFacts {
    pub version: i64,
    pub today: Date,
    pub incidents: Vec<CachedIncident>,
}

/// An incident's facts with what the dashboard lists.
#[derive(Clone)]
pub struct CachedIncident {
    pub id: Uuid,
    pub title: String,
    pub facts: IncidentFacts,
    pub review_due: Option<ReviewDue>,
}

/// The words of a search box, lower-cased: letters and digits only, so no
/// query syntax reaches the database. No word is an error on `field`.
pub fn search_words(q: &str, field: &str) -> Result<Vec<String>, AppError> {
    let words: Vec<String> = q
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect();
    if words.is_empty() {
        return Err(invalid(
            field,
            "type at least one word (letters or digits) to search for",
        ));
    }
    if words.len() > MAX_WORDS {
        return Err(invalid(
            field,
            format!(
                "a search takes at most {MAX_WORDS} words; this one has {}",
                words.len()
            ),
        ));
    }
    if let Some(w) = words.iter().find(|w| w.chars().count() > 64) {
        return Err(invalid(
            field,
            format!(
                "`{}…` is longer than any word (64 characters at most)",
                w.chars().take(16).collect::<String>()
            ),
        ));
    }
    Ok(words)
}

fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::Invalid(FieldErrors::from(FieldError::new(field, message)))
}

/// A period with the same length just before it, for the change shown on
/// a tile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: Option<jiff::Timestamp>,
    pub to: Option<jiff::Timestamp>,
}

impl Period {
    pub fn all_time() -> Self {
        Self {
            from: None,
            to: None,
        }
    }
    /// The period of equal length that ends where this one starts.
    pub fn previous(&self) -> Option<Period> {
        let (from, to) = (self.from?, self.to?);
        let len = to.duration_since(from);
        Some(Period {
            from: from.checked_sub(len).ok(),
            to: Some(from),
        })
    }
}

/// What the dashboard shows.
#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub period: Period,
    pub kpis: Kpis,
    /// The previous period of the same length (none for all time).
    pub previous: Option<Kpis>,
    /// Monthly series over the period (all time: the last 24 months).
    pub trend: Vec<MonthPoint>,
    /// Closed incidents whose review is late or unscheduled, latest due first.
    pub reviews_due: Vec<ReviewDueItem>,
    pub today: Date,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReviewDueItem {
    pub key: String,
    pub title: String,
    pub due: ReviewDue,
}

/// An earlier incident related to this one, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Related {
    pub key: String,
    pub title: String,
    pub category: String,
    pub severity: String,
    pub at: jiff::Timestamp,
    pub reasons: Vec<String>,
    pub score: u32,
}

/// "Did it work?" for one change.
#[derive(Debug, Clone, Serialize)]
pub struct ImprovementCheck {
    /// What changed: an action's key and title, or a category.
    pub subject: String,
    pub category: String,
    pub comparison: Comparison,
}

/// Words in titles too common to relate incidents by.
const STOP_WORDS: &[&str] = &[
    "the", "and", "for", "with", "from", "into", "onto", "over", "after", "before", "on", "in",
    "of", "to", "at", "by", "an", "a", "is", "was", "were", "are", "our", "its", "via", "incident",
];

fn title_words(i: &Incident) -> Vec<String> {
    let mut words: Vec<String> = i
        .fields
        .title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .collect();
    words.sort();
    words.dedup();
    words.truncate(8);
    words
}

/// Where an incident sits in time for the KPIs.
pub fn placed_at(i: &Incident) -> jiff::Timestamp {
    let l = &i.fields.lifecycle;
    l.get(LifecycleField::Detected)
        .or_else(|| l.get(LifecycleField::Started))
        .map(|t| t.instant())
        .unwrap_or(i.created_at)
}

fn store_corrupt(what: String) -> AppError {
    AppError::Store(StoreError::Corrupt(what))
}

impl App {
    /// Ranked full-text search over incidents, timelines, reviews and
    /// actions; `q` is what a person typed.
    pub async fn search(
        &self,
        q: &str,
        scope: IncidentScope,
        limit: usize,
        offset: usize,
        visibility: &Visibility,
    ) -> Result<SearchResults, AppError> {
        let words = search_words(q, "q")?;
        Ok(self
            .store()
            .search(&SearchQuery {
                words,
                scope,
                visibility: *visibility,
                limit: limit.clamp(1, 100),
                offset,
            })
            .await?)
    }

    /// The cached facts of the incidents `visibility` lets its holder see:
    /// the shared cache itself for admins, a filtered copy for others (a
    /// restricted incident never counts for a non-member).
    pub async fn visible_facts(
        &self,
        visibility: &Visibility,
    ) -> Result<Arc<CachedFacts>, AppError> {
        let facts = self.learning_facts().await?;
        let hidden: std::collections::HashSet<String> = self
            .store()
            .hidden_incident_keys(visibility)
            .await?
            .into_iter()
            .collect();
        if hidden.is_empty() {
            return Ok(facts);
        }
        Ok(Arc::new(CachedFacts {
            version: facts.version,
            today: facts.today,
            incidents: facts
                .incidents
                .iter()
                .filter(|c| !hidden.contains(&c.facts.key))
                .cloned()
                .collect(),
        }))
    }

    /// The cached facts of every incident, rebuilt when the data changed.
    pub async fn learning_facts(&self) -> Result<Arc<CachedFacts>, AppError> {
        let version = self.store().learning_version().await?;
        let today = self.today();
        let mut guard = self.learning_cache.inner.lock().await;
        if let Some(c) = guard.as_ref()
            && c.version == version
            && c.today == today
        {
            return Ok(c.clone());
        }
        let data = self.store().kpi_data(&IncidentScope::default()).await?;
        let built = Arc::new(self.build_facts(data, version, today).await?);
        *guard = Some(built.clone());
        Ok(built)
    }

    async fn build_facts(
        &self,
        data: KpiData,
        version: i64,
        today: Date,
    ) -> Result<CachedFacts, AppError> {
        let (policy, _) = self.workshop_policy().await?;
        let holidays = Holidays::new(self.holidays().await?.into_iter().map(|h| h.date));
        let rates: Vec<ExchangeRate> = self.rates().await?.into_iter().map(|(_, r)| r).collect();
        let zone = self.settings().time_zone.clone();
        let reporting = self.settings().reporting_currency;
        let mut workshops: HashMap<Uuid, Vec<(jiff::Timestamp, bool)>> = HashMap::new();
        for w in data.workshops {
            workshops
                .entry(w.incident_id)
                .or_default()
                .push((w.starts_at, w.held));
        }
        let mut actions: HashMap<Uuid, Vec<ActionFacts>> = HashMap::new();
        for a in data.actions {
            let status: ActionStatus = a
                .status
                .parse()
                .map_err(|e| store_corrupt(format!("action status: {e}")))?;
            let verified_on = match a.verification.as_deref() {
                Some(v) => Some(
                    serde_json::from_str::<Verification>(v)
                        .map_err(|e| store_corrupt(format!("verification: {e}")))?
                        .verified_on,
                ),
                None => None,
            };
            actions.entry(a.incident_id).or_default().push(ActionFacts {
                status,
                created_on: a.created_at.to_zoned_datetime(zone.clone()).date(),
                due_on: a.due_on,
                done_on: a.done_on,
                verified_on,
            });
        }
        let mut incidents = Vec::with_capacity(data.incidents.len());
        for row in data.incidents {
            let i = row.incident;
            let lessons = workshops.remove(&i.id).unwrap_or_default();
            let first_held = lessons
                .iter()
                .filter(|(_, held)| *held)
                .map(|(t, _)| *t)
                .min()
                .and_then(|t| Timestamp::from_parts(t.as_microsecond(), 0, Precision::Minute).ok());
            let durations = i.fields.lifecycle.durations(first_held);
            let mut secs = [None; 7];
            for (k, name) in DurationName::ALL.into_iter().enumerate() {
                secs[k] = durations.get(name).map(|d| d.seconds);
            }
            let closed = i.fields.lifecycle.get(LifecycleField::Closed);
            let due = review_due(
                closed,
                &policy.promptness_for(i.fields.severity),
                &holidays,
                &zone,
                &lessons,
                today,
            );
            let workshop = due.as_ref().map(|d| WorkshopFacts {
                days_to_workshop: d
                    .held_on
                    .or(d.scheduled_on)
                    .map(|w| kpi::days_between(d.closed_on, w)),
                within_policy: !d.late && !d.unscheduled,
            });
            let review = match row.review_status.as_deref() {
                Some(s) => Some(
                    s.parse::<ReviewStatus>()
                        .map_err(|e| store_corrupt(format!("review status: {e}")))?,
                ),
                None => None,
            };
            let recurrence = match row.recurrence.as_deref() {
                Some("yes") => Some(true),
                Some("no") => Some(false),
                _ => None,
            };
            let (cost, cost_missing_rate) = match row.financial.as_deref() {
                Some(f) if f != "[]" => {
                    let entries: Vec<FinancialEntry> = serde_json::from_str(f)
                        .map_err(|e| store_corrupt(format!("impact costs: {e}")))?;
                    let amounts: Vec<Money> = entries.iter().map(|e| e.amount).collect();
                    if amounts.is_empty() {
                        (None, false)
                    } else {
                        let t = total_in(&amounts, reporting, incident_date(&i), &rates);
                        match t.amount {
                            Some(m) => (Some(m.amount()), false),
                            None => (None, true),
                        }
                    }
                }
                _ => (None, false),
            };
            let at = placed_at(&i);
            incidents.push(CachedIncident {
                id: i.id,
                title: i.fields.title.clone(),
                review_due: due,
                facts: IncidentFacts {
                    key: i.key.to_string(),
                    at,
                    on: at.to_zoned_datetime(zone.clone()).date(),
                    category: i.fields.category.clone(),
                    severity: i.fields.severity,
                    services: i.fields.services,
                    tags: i.fields.tags,
                    closed: closed.is_some(),
                    durations: secs,
                    review,
                    recurrence,
                    workshop,
                    cost,
                    cost_missing_rate,
                    cause_categories: row.cause_categories,
                    actions: actions.remove(&i.id).unwrap_or_default(),
                },
            });
        }
        incidents.sort_by_key(|c| c.facts.at);
        Ok(CachedFacts {
            version,
            today,
            incidents,
        })
    }

    /// The KPIs of `scope` (its period included).
    pub async fn kpis(
        &self,
        scope: &IncidentScope,
        visibility: &Visibility,
    ) -> Result<Kpis, AppError> {
        let facts = self.visible_facts(visibility).await?;
        Ok(kpi::compute(
            facts
                .incidents
                .iter()
                .map(|c| &c.facts)
                .filter(|f| scope.matches(f)),
            facts.today,
        ))
    }

    /// Monthly series of `scope` from `first` to `last` (dates in the
    /// organisation's zone).
    pub async fn trend(
        &self,
        scope: &IncidentScope,
        first: Date,
        last: Date,
        visibility: &Visibility,
    ) -> Result<Vec<MonthPoint>, AppError> {
        let facts = self.visible_facts(visibility).await?;
        Ok(kpi::monthly(
            facts
                .incidents
                .iter()
                .map(|c| &c.facts)
                .filter(|f| scope.matches(f)),
            first,
            last,
        ))
    }

    /// The dashboard over `scope` (whose period is the one shown).
    pub async fn dashboard(
        &self,
        scope: &IncidentScope,
        visibility: &Visibility,
    ) -> Result<Dashboard, AppError> {
        let facts = self.visible_facts(visibility).await?;
        let today = facts.today;
        let zone = self.settings().time_zone.clone();
        let period = Period {
            from: scope.from,
            to: scope.to,
        };
        let pick = |s: &IncidentScope| {
            facts
                .incidents
                .iter()
                .map(|c| &c.facts)
                .filter(|f| s.matches(f))
                .collect::<Vec<_>>()
        };
        let current = pick(scope);
        let kpis = kpi::compute(current.iter().copied(), today);
        let previous = period
            .previous()
            .map(|p| kpi::compute(pick(&scope.with_period(p.from, p.to)), today));
        let day = |t: jiff::Timestamp| t.to_zoned_datetime(zone.clone()).date();
        let last = period
            .to
            .map(|t| {
                day(t
                    .checked_sub(jiff::SignedDuration::from_secs(1))
                    .unwrap_or(t))
            })
            .unwrap_or(today);
        let first = match period.from {
            Some(f) => day(f),
            None => last
                .checked_sub(jiff::Span::new().months(23))
                .unwrap_or(last),
        };
        let trend = kpi::monthly(current.iter().copied(), first, last);
        let mut reviews_due: Vec<ReviewDueItem> = facts
            .incidents
            .iter()
            .filter(|c| scope.matches(&c.facts))
            .filter_map(|c| {
                let d = c.review_due.as_ref()?;
                (d.late || d.unscheduled).then(|| ReviewDueItem {
                    key: c.facts.key.clone(),
                    title: c.title.clone(),
                    due: d.clone(),
                })
            })
            .collect();
        reviews_due.sort_by_key(|r| std::cmp::Reverse(r.due.due_on));
        reviews_due.truncate(10);
        Ok(Dashboard {
            period,
            kpis,
            previous,
            trend,
            reviews_due,
            today,
        })
    }

    /// Earlier incidents that share services, category, cause categories
    /// or wording with `key`, best first, with the reasons.
    pub async fn related(
        &self,
        key: &str,
        limit: usize,
        visibility: &Visibility,
    ) -> Result<Vec<Related>, AppError> {
        let incident = self.incident(key).await?;
        let words = title_words(&incident);
        let own_causes: Vec<String> = match self.store().review(incident.id).await? {
            Some(r) => r
                .causes
                .iter()
                .map(|c| c.category.as_str().to_owned())
                .collect(),
            None => Vec::new(),
        };
        let rows = self
            .store()
            .related_candidates(&incident, &words, 40, visibility)
            .await?;
        let taxonomy = &self.settings().taxonomy;
        let mut out: Vec<Related> = rows
            .into_iter()
            .map(|r| {
                let mut reasons = Vec::new();
                let mut score = 0;
                let shared: Vec<&String> = r
                    .incident
                    .fields
                    .services
                    .iter()
                    .filter(|s| incident.fields.services.contains(s))
                    .collect();
                if !shared.is_empty() {
                    score += 3 * shared.len() as u32;
                    reasons.push(format!(
                        "shares {} {}",
                        if shared.len() == 1 {
                            "service"
                        } else {
                            "services"
                        },
                        shared
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                if r.incident.fields.category == incident.fields.category {
                    score += 2;
                    reasons.push(format!(
                        "same category ({})",
                        taxonomy.label(&incident.fields.category)
                    ));
                }
                let mut causes: Vec<&String> = r
                    .cause_categories
                    .iter()
                    .filter(|c| own_causes.contains(c))
                    .collect();
                causes.sort();
                causes.dedup();
                if !causes.is_empty() {
                    score += 3;
                    reasons.push(format!(
                        "same cause categories ({})",
                        causes
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                if r.wording.is_some() {
                    let theirs = title_words(&r.incident);
                    let common: Vec<&String> =
                        words.iter().filter(|w| theirs.contains(w)).collect();
                    score += 2 + common.len() as u32;
                    reasons.push(if common.is_empty() {
                        "similar wording".to_owned()
                    } else {
                        format!(
                            "similar wording ({})",
                            common
                                .iter()
                                .map(|s| s.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    });
                }
                Related {
                    key: r.incident.key.to_string(),
                    title: r.incident.fields.title.clone(),
                    category: taxonomy.label(&r.incident.fields.category).to_owned(),
                    severity: r.incident.fields.severity.as_str().to_owned(),
                    at: placed_at(&r.incident),
                    reasons,
                    score,
                }
            })
            .collect();
        out.sort_by(|a, b| b.score.cmp(&a.score).then(b.at.cmp(&a.at)));
        out.truncate(limit);
        Ok(out)
    }

    /// "Did it work?" for every verified action (its incident's category,
    /// before and after the verification) and for each category (before
    /// and after `change_at` when given, else the midpoint of the data),
    /// over windows of `window_days`.
    pub async fn improvements(
        &self,
        window_days: i64,
        limit: usize,
        visibility: &Visibility,
    ) -> Result<Vec<ImprovementCheck>, AppError> {
        let facts = self.visible_facts(visibility).await?;
        let now = self.now();
        let window = jiff::SignedDuration::from_hours(24 * window_days);
        let zone = self.settings().time_zone.clone();
        let mut out = Vec::new();
        let mut verified: Vec<(Date, &CachedIncident)> = Vec::new();
        for c in &facts.incidents {
            for a in &c.facts.actions {
                if let Some(v) = a.verified_on {
                    verified.push((v, c));
                }
            }
        }
        verified.sort_by_key(|v| std::cmp::Reverse(v.0));
        for (on, c) in verified.into_iter().take(limit) {
            let at = on
                .to_zoned_datetime(zone.clone())
                .map(|z| z.timestamp())
                .unwrap_or(now);
            let same: Vec<&IncidentFacts> = facts
                .incidents
                .iter()
                .map(|i| &i.facts)
                .filter(|f| f.category == c.facts.category)
                .collect();
            out.push(ImprovementCheck {
                subject: format!("An action of {} verified on {on}", c.facts.key),
                category: self.settings().taxonomy.label(&c.facts.category).to_owned(),
                comparison: kpi::compare_before_after(&same, at, window, now),
            });
        }
        Ok(out)
    }

    /// Before and after `change_at` for one category.
    pub async fn category_check(
        &self,
        category: &str,
        change_at: jiff::Timestamp,
        window_days: i64,
        visibility: &Visibility,
    ) -> Result<ImprovementCheck, AppError> {
        let facts = self.visible_facts(visibility).await?;
        let same: Vec<&IncidentFacts> = facts
            .incidents
            .iter()
            .map(|i| &i.facts)
            .filter(|f| f.category == category)
            .collect();
        Ok(ImprovementCheck {
            subject: format!(
                "{} from {}",
                self.settings().taxonomy.label(category),
                change_at
            ),
            category: self.settings().taxonomy.label(category).to_owned(),
            comparison: kpi::compare_before_after(
                &same,
                change_at,
                jiff::SignedDuration::from_hours(24 * window_days),
                self.now(),
            ),
        })
    }
}
