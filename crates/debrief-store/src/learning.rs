//! Learning across incidents (PRODUCT.md §9) on both databases: ranked
//! full-text search with snippets (SQLite FTS5 / PostgreSQL `tsvector`,
//! kept in step by triggers — see the `…_search` migration), the rows the
//! KPIs are computed from, the candidates for related incidents, and the
//! data version that tells a KPI cache it is stale. Every set of incidents
//! is narrowed through [`crate::scope::scope_sql`].
//!
//! Speed: search ranks a bounded candidate set (the newest
//! [`SEARCH_CANDIDATES`] matches, plus one to know there are more) and
//! computes snippets only for the page it returns.

use crate::accounts::Visibility;
use async_trait::async_trait;
use debrief_core::kpi::IncidentScope;
use debrief_core::{Incident, Severity};
use jiff::civil::Date;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::StoreError;
use crate::codec::{INCIDENT_COLUMNS, corrupt, incident_from_row, instant};
use crate::scope::{period_expr, scope_sql, where_clause};
use crate::sql::{Dialect, SqlStore, Value, bind_all, text};

/// How many matches search ranks at most; more are reported as "more than".
pub const SEARCH_CANDIDATES: usize = 1000;

/// Marks the start and end of a matched term in snippets (control
/// characters that never occur in what people type); the edge turns them
/// into `<mark>` after escaping the text.
pub const MARK_START: char = '\u{2}';
pub const MARK_END: char = '\u{3}';

/// What a search hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchSource {
    Incident,
    Event,
    Review,
    Action,
}

impl SearchSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Incident => "incident",
            Self::Event => "event",
            Self::Review => "review",
            Self::Action => "action",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Incident => "Incident",
            Self::Event => "Timeline event",
            Self::Review => "Review",
            Self::Action => "Action",
        }
    }
    fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "incident" => Self::Incident,
            "event" => Self::Event,
            "review" => Self::Review,
            "action" => Self::Action,
            other => return Err(corrupt(format!("search source `{other}`"))),
        })
    }
}

/// A search: words (letters and digits only; every word must match, with
/// stemming), a scope, a page.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub words: Vec<String>,
    pub scope: IncidentScope,
    /// Who is searching: restricted incidents only for members and admins.
    pub visibility: Visibility,
    pub limit: usize,
    pub offset: usize,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct SearchHit {
    pub source: SearchSource,
    /// The event, action or incident id (the incident's for a review).
    pub source_id: String,
    pub incident_key: String,
    pub incident_title: String,
    pub severity: Severity,
    pub category: String,
    pub at: jiff::Timestamp,
    /// The title (incident, action) with matches between [`MARK_START`]
    /// and [`MARK_END`]; empty for events and reviews.
    pub title: String,
    /// The best passage of the text, marked the same way.
    pub snippet: String,
    /// Higher is better (comparable within one result only).
    pub score: f64,
}

#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    pub hits: Vec<SearchHit>,
    /// Matches ranked (at most [`SEARCH_CANDIDATES`]).
    pub total: usize,
    /// There are more than [`SEARCH_CANDIDATES`] matches.
    pub more: bool,
}

/// An incident with what the KPIs read from its review.
#[derive(Debug, Clone)]
pub struct KpiIncidentRow {
    pub incident: Incident,
    pub review_status: Option<String>,
    /// `unknown`, `no` or `yes` (the review's recurrence answer).
    pub recurrence: Option<String>,
    /// The review's `impact.financial` entries as JSON text.
    pub financial: Option<String>,
    pub cause_categories: Vec<String>,
}

/// An action, as the KPIs read it.
#[derive(Debug, Clone)]
pub struct KpiActionRow {
    pub id: Uuid,
    pub incident_id: Uuid,
    /// What the action portfolio ranks by (the dashboard's overdue list).
    pub score_milli: i64,
    pub priority_override: Option<i64>,
    pub status: String,
    pub due_on: Option<Date>,
    pub done_on: Option<Date>,
    /// The verification as JSON text.
    pub verification: Option<String>,
    pub created_at: jiff::Timestamp,
}

/// A lessons-learned workshop that was not cancelled.
#[derive(Debug, Clone)]
pub struct KpiWorkshopRow {
    pub incident_id: Uuid,
    pub starts_at: jiff::Timestamp,
    pub held: bool,
}

/// Everything the KPIs of a scope are computed from.
#[derive(Debug, Clone, Default)]
pub struct KpiData {
    pub incidents: Vec<KpiIncidentRow>,
    pub actions: Vec<KpiActionRow>,
    pub workshops: Vec<KpiWorkshopRow>,
}

/// The data version and the version of the last change that concerns
/// every incident (holidays, the workshop policy, exchange rates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LearningVersion {
    pub version: i64,
    pub settings: i64,
}

#[async_trait]
pub trait LearningStore: Send + Sync {
    /// A number that changes with every committed write to what KPIs read
    /// (incidents, reviews, actions, workshops, lesson links, holidays, the
    /// workshop policy, exchange rates).
    async fn learning_version(&self) -> Result<i64, StoreError> {
        Ok(self.learning_versions().await?.version)
    }
    /// The data version with the settings version (see [`LearningVersion`]).
    async fn learning_versions(&self) -> Result<LearningVersion, StoreError>;
    /// The incidents written to after data version `version` (each once).
    async fn learning_changes_since(&self, version: i64) -> Result<Vec<Uuid>, StoreError>;
    async fn search(&self, query: &SearchQuery) -> Result<SearchResults, StoreError>;
    async fn kpi_data(&self, scope: &IncidentScope) -> Result<KpiData, StoreError>;
    /// What [`LearningStore::kpi_data`] reads, for these incidents only
    /// (any visibility; ids that no longer exist are left out).
    async fn kpi_data_for(&self, ids: &[Uuid]) -> Result<KpiData, StoreError>;
    /// The keys of the incidents `visibility` hides (none for admins).
    async fn hidden_incident_keys(
        &self,
        visibility: &Visibility,
    ) -> Result<Vec<String>, StoreError>;
}

/// The FTS5 query for words that must all match (each quoted: no user
/// syntax reaches FTS5).
fn fts5_all(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("\"{}\"", w.replace('"', "")))
        .collect::<Vec<_>>()
        .join(" ")
}

fn prefixed_incident_columns(alias: &str) -> String {
    INCIDENT_COLUMNS
        .split(',')
        .map(|c| format!("{alias}.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Review fields the KPIs read, extracted in SQL (`r` is the review).
fn review_extracts(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => {
            "r.status AS review_status, \
             json_extract(r.document, '$.recurrence.answer') AS recurrence, \
             json_extract(r.document, '$.impact.financial') AS financial, \
             (SELECT group_concat(json_extract(c.value, '$.category'), ',') \
                FROM json_each(r.document, '$.causes') c) AS cause_categories"
        }
        Dialect::Postgres => {
            "r.status AS review_status, \
             (r.document::jsonb #>> '{recurrence,answer}') AS recurrence, \
             (r.document::jsonb #>> '{impact,financial}') AS financial, \
             (SELECT string_agg(c->>'category', ',') \
                FROM jsonb_array_elements(r.document::jsonb -> 'causes') c) AS cause_categories"
        }
    }
}

fn split_categories(row: &AnyRow) -> Result<Vec<String>, StoreError> {
    let s: Option<String> = row.try_get("cause_categories")?;
    Ok(s.map(|s| {
        s.split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect()
    })
    .unwrap_or_default())
}

fn uuid(s: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(s).map_err(|e| corrupt(format!("id `{s}`: {e}")))
}

fn date(s: Option<String>) -> Result<Option<Date>, StoreError> {
    s.map(|d| d.parse().map_err(|e| corrupt(format!("date `{d}`: {e}"))))
        .transpose()
}

impl SqlStore {
    /// The KPI inputs of the incidents `wheres` (on alias `i`) selects.
    async fn kpi_data_where(
        &self,
        wheres: Vec<String>,
        values: Vec<Value>,
    ) -> Result<KpiData, StoreError> {
        let dialect = self.dialect();
        let w = where_clause(&wheres);
        let sql = format!(
            "SELECT {}, {} FROM incidents i LEFT JOIN reviews r ON r.incident_id = i.id {w}",
            prefixed_incident_columns("i"),
            review_extracts(dialect)
        );
        let rows = bind_all(sqlx::query(&sql), values.clone())
            .fetch_all(self.pool())
            .await?;
        let mut incidents = Vec::with_capacity(rows.len());
        for row in &rows {
            incidents.push(KpiIncidentRow {
                incident: incident_from_row(row)?,
                review_status: row.try_get("review_status")?,
                recurrence: row.try_get("recurrence")?,
                financial: row.try_get("financial")?,
                cause_categories: split_categories(row)?,
            });
        }
        let sql = format!(
            "SELECT a.id, a.incident_id, a.score_milli, a.priority_override, a.status, a.due_on, \
               a.done_on, a.verification, a.created_us \
             FROM actions a JOIN incidents i ON i.id = a.incident_id {w}"
        );
        let rows = bind_all(sqlx::query(&sql), values.clone())
            .fetch_all(self.pool())
            .await?;
        let mut actions = Vec::with_capacity(rows.len());
        for row in &rows {
            actions.push(KpiActionRow {
                id: uuid(&row.try_get::<String, _>("id")?)?,
                incident_id: uuid(&row.try_get::<String, _>("incident_id")?)?,
                score_milli: row.try_get("score_milli")?,
                priority_override: row.try_get("priority_override")?,
                status: row.try_get("status")?,
                due_on: date(row.try_get("due_on")?)?,
                done_on: date(row.try_get("done_on")?)?,
                verification: row.try_get("verification")?,
                created_at: instant(row.try_get("created_us")?)?,
            });
        }
        let mut wheres2 = vec![
            "w.kind = 'lessons_learned'".to_owned(),
            "w.status <> 'cancelled'".to_owned(),
        ];
        wheres2.extend(wheres);
        let sql = format!(
            "SELECT w.incident_id, w.starts_us, w.status FROM workshops w \
             JOIN incidents i ON i.id = w.incident_id {}",
            where_clause(&wheres2)
        );
        let rows = bind_all(sqlx::query(&sql), values)
            .fetch_all(self.pool())
            .await?;
        let mut workshops = Vec::with_capacity(rows.len());
        for row in &rows {
            workshops.push(KpiWorkshopRow {
                incident_id: uuid(&row.try_get::<String, _>("incident_id")?)?,
                starts_at: instant(row.try_get("starts_us")?)?,
                held: row.try_get::<String, _>("status")? == "held",
            });
        }
        Ok(KpiData {
            incidents,
            actions,
            workshops,
        })
    }

    async fn search_candidates(&self, q: &SearchQuery) -> Result<Vec<(i64, f64)>, StoreError> {
        let mut values: Vec<Value> = Vec::new();
        let mut wheres: Vec<String> = Vec::new();
        let sql = match self.dialect() {
            Dialect::Sqlite => {
                values.push(text(fts5_all(&q.words)));
                wheres.push("search_fts MATCH $1".into());
                scope_sql(
                    &q.scope,
                    &q.visibility,
                    self.dialect(),
                    "i",
                    &mut wheres,
                    &mut values,
                );
                // Newest matches first; bm25 is negative, lower is better.
                format!(
                    "SELECT f.rowid AS rid, -bm25(search_fts, 10.0, 1.0) AS score \
                     FROM search_fts f JOIN search_docs d ON d.id = f.rowid \
                     JOIN incidents i ON i.id = d.incident_id {} \
                     ORDER BY f.rowid DESC LIMIT {}",
                    where_clause(&wheres),
                    SEARCH_CANDIDATES + 1
                )
            }
            Dialect::Postgres => {
                values.push(text(q.words.join(" ")));
                wheres.push("d.tsv @@ plainto_tsquery('english', $1)".into());
                scope_sql(
                    &q.scope,
                    &q.visibility,
                    self.dialect(),
                    "i",
                    &mut wheres,
                    &mut values,
                );
                format!(
                    "SELECT c.id AS rid, ts_rank(c.tsv, plainto_tsquery('english', $1))::float8 AS score \
                     FROM (SELECT d.id, d.tsv FROM search_docs d JOIN incidents i ON i.id = d.incident_id \
                           {} ORDER BY d.id DESC LIMIT {}) c",
                    where_clause(&wheres),
                    SEARCH_CANDIDATES + 1
                )
            }
        };
        let rows = bind_all(sqlx::query(&sql), values)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get::<i64, _>("rid")?, r.try_get::<f64, _>("score")?)))
            .collect()
    }
}

#[async_trait]
impl LearningStore for SqlStore {
    async fn hidden_incident_keys(
        &self,
        visibility: &Visibility,
    ) -> Result<Vec<String>, StoreError> {
        if matches!(visibility, Visibility::All) {
            return Ok(Vec::new());
        }
        let mut values = Vec::new();
        let visible = visibility.clause("i", &mut values);
        // `restricted = 1` first: the partial index `incidents_restricted`
        // holds only those, so the scan does not read every incident.
        let sql =
            format!("SELECT i.key AS k FROM incidents i WHERE i.restricted = 1 AND NOT {visible}");
        let rows = bind_all(sqlx::query(&sql), values)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<String, _>("k")?))
            .collect()
    }

    async fn learning_versions(&self) -> Result<LearningVersion, StoreError> {
        let row =
            sqlx::query("SELECT version, settings_version FROM learning_version WHERE id = 1")
                .fetch_one(self.pool())
                .await?;
        Ok(LearningVersion {
            version: row.try_get("version")?,
            settings: row.try_get("settings_version")?,
        })
    }

    async fn learning_changes_since(&self, version: i64) -> Result<Vec<Uuid>, StoreError> {
        let rows = sqlx::query("SELECT incident_id FROM learning_changes WHERE version > $1")
            .bind(version)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| uuid(&r.try_get::<String, _>("incident_id")?))
            .collect()
    }

    async fn kpi_data_for(&self, ids: &[Uuid]) -> Result<KpiData, StoreError> {
        let mut out = KpiData::default();
        // In chunks: far below any database's limit on placeholders.
        for chunk in ids.chunks(500) {
            let values: Vec<Value> = chunk.iter().map(|id| text(id.to_string())).collect();
            let list: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
            let part = self
                .kpi_data_where(vec![format!("i.id IN ({})", list.join(", "))], values)
                .await?;
            out.incidents.extend(part.incidents);
            out.actions.extend(part.actions);
            out.workshops.extend(part.workshops);
        }
        Ok(out)
    }

    async fn search(&self, q: &SearchQuery) -> Result<SearchResults, StoreError> {
        if q.words.is_empty() {
            return Ok(SearchResults::default());
        }
        let mut candidates = self.search_candidates(q).await?;
        let more = candidates.len() > SEARCH_CANDIDATES;
        candidates.truncate(SEARCH_CANDIDATES);
        let total = candidates.len();
        // Best first; ties newest first.
        candidates.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.cmp(&a.0)));
        let page: Vec<(i64, f64)> = candidates
            .into_iter()
            .skip(q.offset)
            .take(q.limit.max(1))
            .collect();
        if page.is_empty() {
            return Ok(SearchResults {
                hits: Vec::new(),
                total,
                more,
            });
        }
        let ids: Vec<String> = page.iter().map(|(id, _)| id.to_string()).collect();
        // Snippets for this page only.
        let (sql, values) = match self.dialect() {
            Dialect::Sqlite => (
                format!(
                    "SELECT f.rowid AS rid, d.source, d.source_id, i.key, i.title AS incident_title, \
                       i.severity, i.category, {} AS at_us, \
                       highlight(search_fts, 0, char(2), char(3)) AS hit_title, \
                       snippet(search_fts, 1, char(2), char(3), '…', 24) AS snippet \
                     FROM search_fts f JOIN search_docs d ON d.id = f.rowid \
                     JOIN incidents i ON i.id = d.incident_id \
                     WHERE search_fts MATCH $1 AND f.rowid IN ({})",
                    period_expr("i"),
                    ids.join(", ")
                ),
                vec![text(fts5_all(&q.words))],
            ),
            Dialect::Postgres => (
                format!(
                    "SELECT d.id AS rid, d.source, d.source_id, i.key, i.title AS incident_title, \
                       i.severity, i.category, {} AS at_us, \
                       CASE WHEN d.title = '' THEN '' ELSE ts_headline('english', d.title, q, \
                         'HighlightAll=true, StartSel=' || chr(2) || ', StopSel=' || chr(3)) END AS hit_title, \
                       ts_headline('english', d.body, q, 'MaxWords=24, MinWords=10, MaxFragments=2, \
                         FragmentDelimiter=\" … \", StartSel=' || chr(2) || ', StopSel=' || chr(3)) AS snippet \
                     FROM search_docs d JOIN incidents i ON i.id = d.incident_id, \
                       plainto_tsquery('english', $1) q \
                     WHERE d.id IN ({})",
                    period_expr("i"),
                    ids.join(", ")
                ),
                vec![text(q.words.join(" "))],
            ),
        };
        let rows = bind_all(sqlx::query(&sql), values)
            .fetch_all(self.pool())
            .await?;
        let mut by_id = std::collections::HashMap::new();
        for row in &rows {
            let rid: i64 = row.try_get("rid")?;
            let severity: String = row.try_get("severity")?;
            let source: String = row.try_get("source")?;
            let hit_title: Option<String> = row.try_get("hit_title")?;
            let snippet: Option<String> = row.try_get("snippet")?;
            by_id.insert(
                rid,
                SearchHit {
                    source: SearchSource::parse(&source)?,
                    source_id: row.try_get("source_id")?,
                    incident_key: row.try_get("key")?,
                    incident_title: row.try_get("incident_title")?,
                    severity: severity.parse().map_err(corrupt)?,
                    category: row.try_get("category")?,
                    at: instant(row.try_get("at_us")?)?,
                    title: hit_title.unwrap_or_default(),
                    snippet: snippet.unwrap_or_default(),
                    score: 0.0,
                },
            );
        }
        let hits = page
            .into_iter()
            .filter_map(|(id, score)| {
                by_id.remove(&id).map(|mut h| {
                    h.score = score;
                    h
                })
            })
            .collect();
        Ok(SearchResults { hits, total, more })
    }

    async fn kpi_data(&self, scope: &IncidentScope) -> Result<KpiData, StoreError> {
        let mut wheres = Vec::new();
        let mut values = Vec::new();
        scope_sql(
            scope,
            &Visibility::All,
            self.dialect(),
            "i",
            &mut wheres,
            &mut values,
        );
        self.kpi_data_where(wheres, values).await
    }
}
