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
use debrief_core::related::{Candidate, RelKey, title_words};
use debrief_core::review::ReviewStatus;
use debrief_core::workshop::{Holidays, ReviewDue, WorkshopPolicy, review_due};
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

/// At most this many changed incidents are refreshed one by one; more
/// (a large import) rebuild the whole cache.
pub(crate) const REFRESH_AT_MOST: usize = 2_000;

/// One build of the facts.
pub struct CachedFacts {
    pub version: i64,
    /// The settings version it was built under (see
    /// [`debrief_store::LearningVersion`]): when it moves, everything is
    /// rebuilt.
    pub settings_version: i64,
    pub today: Date,
    /// Ordered by [`IncidentFacts::at`]. Shared entries: a refresh after a
    /// write copies pointers, not facts.
    pub incidents: Vec<Arc<CachedIncident>>,
    /// `incidents[i].rel` side by side, for ranking related incidents
    /// without visiting every entry.
    rel_keys: Vec<RelKey>,
    inputs: Arc<FactInputs>,
}

/// What every incident's facts are computed with besides its own rows.
struct FactInputs {
    policy: WorkshopPolicy,
    holidays: Holidays,
    rates: Vec<ExchangeRate>,
    zone: jiff::tz::TimeZone,
    reporting: debrief_core::Currency,
}

/// An incident's facts with what the dashboard lists.
#[derive(Clone)]
pub struct CachedIncident {
    pub id: Uuid,
    pub title: String,
    pub facts: IncidentFacts,
    pub review_due: Option<ReviewDue>,
    /// Kept to work the review's due date out again when the day changes.
    closed: Option<Timestamp>,
    lessons: Vec<(jiff::Timestamp, bool)>,
    /// Open actions with a due date, ranked as the action portfolio ranks
    /// them (the dashboard's overdue list).
    open_due: Vec<OpenDue>,
    /// The title's words that relate incidents (`related::title_words`).
    words: Vec<String>,
    rel: RelKey,
}

/// What ranks an open action with a due date.
#[derive(Debug, Clone, Copy)]
struct OpenDue {
    id: Uuid,
    due_on: Date,
    score_milli: i64,
    priority_override: Option<i64>,
    created_at: jiff::Timestamp,
}

impl OpenDue {
    /// The portfolio's order: effective priority, score (highest first),
    /// due date, creation, id.
    fn rank(
        &self,
        thresholds: [i64; 3],
    ) -> (i64, std::cmp::Reverse<i64>, Date, jiff::Timestamp, Uuid) {
        let computed =
            debrief_core::action::PriorityPolicy::priority_at(thresholds, self.score_milli).rank();
        (
            self.priority_override.unwrap_or(computed),
            std::cmp::Reverse(self.score_milli),
            self.due_on,
            self.created_at,
            self.id,
        )
    }
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

/// The review's due date and the workshop facts of an incident on `today`.
fn due_facts(
    inputs: &FactInputs,
    severity: debrief_core::Severity,
    closed: Option<Timestamp>,
    lessons: &[(jiff::Timestamp, bool)],
    today: Date,
) -> (Option<ReviewDue>, Option<WorkshopFacts>) {
    let due = review_due(
        closed,
        &inputs.policy.promptness_for(severity),
        &inputs.holidays,
        &inputs.zone,
        lessons,
        today,
    );
    let workshop = due.as_ref().map(|d| WorkshopFacts {
        days_to_workshop: d
            .held_on
            .or(d.scheduled_on)
            .map(|w| kpi::days_between(d.closed_on, w)),
        within_policy: !d.late && !d.unscheduled,
    });
    (due, workshop)
}

/// The facts of the incidents in `data` (in no particular order).
fn build_facts(
    inputs: &FactInputs,
    data: KpiData,
    today: Date,
) -> Result<Vec<Arc<CachedIncident>>, AppError> {
    let zone = &inputs.zone;
    let mut workshops: HashMap<Uuid, Vec<(jiff::Timestamp, bool)>> = HashMap::new();
    for w in data.workshops {
        workshops
            .entry(w.incident_id)
            .or_default()
            .push((w.starts_at, w.held));
    }
    let mut actions: HashMap<Uuid, Vec<ActionFacts>> = HashMap::new();
    let mut open_due: HashMap<Uuid, Vec<OpenDue>> = HashMap::new();
    for a in data.actions {
        let status: ActionStatus = a
            .status
            .parse()
            .map_err(|e| store_corrupt(format!("action status: {e}")))?;
        if let (true, Some(due_on)) = (status.is_open(), a.due_on) {
            open_due.entry(a.incident_id).or_default().push(OpenDue {
                id: a.id,
                due_on,
                score_milli: a.score_milli,
                priority_override: a.priority_override,
                created_at: a.created_at,
            });
        }
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
        let (due, workshop) = due_facts(inputs, i.fields.severity, closed, &lessons, today);
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
                    let t = total_in(&amounts, inputs.reporting, incident_date(&i), &inputs.rates);
                    match t.amount {
                        Some(m) => (Some(m.amount()), false),
                        None => (None, true),
                    }
                }
            }
            _ => (None, false),
        };
        let at = placed_at(&i);
        let words = title_words(&i.fields.title);
        let facts = IncidentFacts {
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
        };
        incidents.push(Arc::new(CachedIncident {
            rel: RelKey::new(&facts, &words),
            id: i.id,
            title: i.fields.title.clone(),
            review_due: due,
            closed,
            lessons,
            open_due: open_due.remove(&i.id).unwrap_or_default(),
            words,
            facts,
        }));
    }
    Ok(incidents)
}

/// `old` with the `changed` incidents replaced by `fresh` (a changed
/// incident missing from `fresh` was deleted), ordered again, and the
/// review due dates worked out again when the day moved.
fn merge_facts(
    old: &CachedFacts,
    changed: &[Uuid],
    fresh: Vec<Arc<CachedIncident>>,
    version: debrief_store::LearningVersion,
    today: Date,
) -> CachedFacts {
    let changed: std::collections::HashSet<Uuid> = changed.iter().copied().collect();
    let mut incidents: Vec<Arc<CachedIncident>> =
        Vec::with_capacity(old.incidents.len() + fresh.len());
    for c in &old.incidents {
        if changed.contains(&c.id) {
            continue;
        }
        if old.today == today {
            incidents.push(c.clone());
        } else {
            let (due, workshop) =
                due_facts(&old.inputs, c.facts.severity, c.closed, &c.lessons, today);
            let mut c = CachedIncident::clone(c);
            c.review_due = due;
            c.facts.workshop = workshop;
            incidents.push(Arc::new(c));
        }
    }
    incidents.extend(fresh);
    // Nearly ordered already: the stable sort merges the runs.
    incidents.sort_by_key(|c| c.facts.at);
    CachedFacts::new(version, today, incidents, old.inputs.clone())
}

impl CachedFacts {
    fn new(
        version: debrief_store::LearningVersion,
        today: Date,
        incidents: Vec<Arc<CachedIncident>>,
        inputs: Arc<FactInputs>,
    ) -> Self {
        Self {
            version: version.version,
            settings_version: version.settings,
            today,
            rel_keys: incidents.iter().map(|c| c.rel).collect(),
            incidents,
            inputs,
        }
    }
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
        Ok(Arc::new(CachedFacts::new(
            debrief_store::LearningVersion {
                version: facts.version,
                settings: facts.settings_version,
            },
            facts.today,
            facts
                .incidents
                .iter()
                .filter(|c| !hidden.contains(&c.facts.key))
                .cloned()
                .collect(),
            facts.inputs.clone(),
        )))
    }

    /// The cached facts of every incident, current with the data: only the
    /// incidents written to since the cached version are read again, the
    /// whole set when holidays, the workshop policy or exchange rates
    /// changed, and only the review due dates are worked out again when
    /// the day changed.
    pub async fn learning_facts(&self) -> Result<Arc<CachedFacts>, AppError> {
        // The version first: rows read after it may be newer (they are
        // then read again next time), never older.
        let current = self.store().learning_versions().await?;
        let today = self.today();
        let mut guard = self.learning_cache.inner.lock().await;
        let cached = guard.clone();
        let built = match cached {
            Some(c) if c.version == current.version && c.today == today => return Ok(c),
            Some(c) if c.settings_version == current.settings => {
                let changed = self.store().learning_changes_since(c.version).await?;
                if changed.len() > REFRESH_AT_MOST {
                    self.build_all_facts(current, today).await?
                } else {
                    let data = self.store().kpi_data_for(&changed).await?;
                    let fresh = build_facts(&c.inputs, data, today)?;
                    Arc::new(merge_facts(&c, &changed, fresh, current, today))
                }
            }
            _ => self.build_all_facts(current, today).await?,
        };
        *guard = Some(built.clone());
        Ok(built)
    }

    async fn build_all_facts(
        &self,
        version: debrief_store::LearningVersion,
        today: Date,
    ) -> Result<Arc<CachedFacts>, AppError> {
        let (policy, _) = self.workshop_policy().await?;
        let inputs = Arc::new(FactInputs {
            policy,
            holidays: Holidays::new(self.holidays().await?.into_iter().map(|h| h.date)),
            rates: self.rates().await?.into_iter().map(|(_, r)| r).collect(),
            zone: self.settings().time_zone.clone(),
            reporting: self.settings().reporting_currency,
        });
        let data = self.store().kpi_data(&IncidentScope::default()).await?;
        let mut incidents = build_facts(&inputs, data, today)?;
        incidents.sort_by_key(|c| c.facts.at);
        Ok(Arc::new(CachedFacts::new(
            version, today, incidents, inputs,
        )))
    }

    /// The open actions due before today that `visibility` lets its
    /// holder see, ranked as the action portfolio ranks them: the first
    /// `limit` and how many there are. From the facts cache (current with
    /// the data), so the dashboard does not rank every action in SQL.
    pub async fn overdue_actions(
        &self,
        limit: usize,
        visibility: &Visibility,
    ) -> Result<crate::actions::ActionPage, AppError> {
        let facts = self.visible_facts(visibility).await?;
        let today = facts.today;
        let thresholds = self.priority_policy().milli();
        let mut overdue: Vec<_> = facts
            .incidents
            .iter()
            .flat_map(|c| c.open_due.iter())
            .filter(|a| a.due_on < today)
            .map(|a| a.rank(thresholds))
            .collect();
        let total = overdue.len();
        let limit = limit.clamp(1, 100);
        if total > limit {
            overdue.select_nth_unstable(limit - 1);
            overdue.truncate(limit);
        }
        let mut page = self
            .list_action_ids(overdue.iter().map(|r| r.4).collect())
            .await?;
        page.total = total as u64;
        Ok(page)
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
        // The ten latest due, copied out only once chosen: most closed
        // incidents of a large history can be overdue for review.
        let mut due: Vec<(&CachedIncident, &ReviewDue)> = facts
            .incidents
            .iter()
            .filter(|c| scope.matches(&c.facts))
            .filter_map(|c| {
                let d = c.review_due.as_ref()?;
                (d.late || d.unscheduled).then_some((&**c, d))
            })
            .collect();
        let by_latest = |a: &(&CachedIncident, &ReviewDue), b: &(&CachedIncident, &ReviewDue)| {
            b.1.due_on
                .cmp(&a.1.due_on)
                .then_with(|| a.0.facts.at.cmp(&b.0.facts.at))
        };
        if due.len() > 10 {
            due.select_nth_unstable_by(9, by_latest);
            due.truncate(10);
        }
        due.sort_by(by_latest);
        let reviews_due: Vec<ReviewDueItem> = due
            .into_iter()
            .map(|(c, d)| ReviewDueItem {
                key: c.facts.key.clone(),
                title: c.title.clone(),
                due: d.clone(),
            })
            .collect();
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
    /// or wording with `key`, best first, with the reasons: every earlier
    /// incident the caller may see, ranked in memory from the facts cache
    /// (`debrief_core::related`).
    pub async fn related(
        &self,
        key: &str,
        limit: usize,
        visibility: &Visibility,
    ) -> Result<Vec<Related>, AppError> {
        let facts = self.visible_facts(visibility).await?;
        let incident = self.incident(key).await?;
        // Found by its time (a binary search), else by its id (written
        // since the cache was read).
        let at = placed_at(&incident);
        let from = facts.incidents.partition_point(|c| c.facts.at < at);
        let Some(this) = facts.incidents[from..]
            .iter()
            .take_while(|c| c.facts.at == at)
            .find(|c| c.id == incident.id)
            .or_else(|| facts.incidents.iter().find(|c| c.id == incident.id))
        else {
            return Err(AppError::NotFound(format!("incident {key} was not found")));
        };
        // Earlier: placed before it (the cache is in time order; the
        // incident itself is not before itself).
        let end = facts
            .incidents
            .partition_point(|c| c.facts.at < this.facts.at);
        let earlier: Vec<Candidate> = facts.incidents[..end]
            .iter()
            .map(|c| Candidate {
                facts: &c.facts,
                words: &c.words,
            })
            .collect();
        let found = debrief_core::related::related(
            Candidate {
                facts: &this.facts,
                words: &this.words,
            },
            &earlier,
            &facts.rel_keys[..end],
            limit,
        );
        let taxonomy = &self.settings().taxonomy;
        let list = |v: &[String]| v.join(", ");
        Ok(found
            .into_iter()
            .map(|m| {
                let c = &facts.incidents[m.index];
                let mut reasons = Vec::new();
                if !m.services.is_empty() {
                    reasons.push(format!(
                        "shares {} {}",
                        if m.services.len() == 1 {
                            "service"
                        } else {
                            "services"
                        },
                        list(&m.services)
                    ));
                }
                if m.same_category {
                    reasons.push(format!(
                        "same category ({})",
                        taxonomy.label(&this.facts.category)
                    ));
                }
                if !m.causes.is_empty() {
                    reasons.push(format!("same cause categories ({})", list(&m.causes)));
                }
                if !m.words.is_empty() {
                    reasons.push(format!("similar wording ({})", list(&m.words)));
                }
                Related {
                    key: c.facts.key.clone(),
                    title: c.title.clone(),
                    category: taxonomy.label(&c.facts.category).to_owned(),
                    severity: c.facts.severity.as_str().to_owned(),
                    at: c.facts.at,
                    reasons,
                    score: m.score,
                }
            })
            .collect())
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

    /// Before and after `change_at` for each of `categories` (the facts
    /// read once for all of them).
    pub async fn category_checks(
        &self,
        categories: &[&str],
        change_at: jiff::Timestamp,
        window_days: i64,
        visibility: &Visibility,
    ) -> Result<Vec<ImprovementCheck>, AppError> {
        let facts = self.visible_facts(visibility).await?;
        let window = jiff::SignedDuration::from_hours(24 * window_days);
        let now = self.now();
        let taxonomy = &self.settings().taxonomy;
        Ok(categories
            .iter()
            .map(|category| {
                let same: Vec<&IncidentFacts> = facts
                    .incidents
                    .iter()
                    .map(|i| &i.facts)
                    .filter(|f| f.category == *category)
                    .collect();
                ImprovementCheck {
                    subject: format!("{} from {}", taxonomy.label(category), change_at),
                    category: taxonomy.label(category).to_owned(),
                    comparison: kpi::compare_before_after(&same, change_at, window, now),
                }
            })
            .collect())
    }
}
