//! Persistence for debrief: the [`Store`] trait, what it takes and returns,
//! and its implementation on SQLite and PostgreSQL. The only crate with SQL.
//!
//! One implementation ([`sql::SqlStore`]) serves both databases through
//! sqlx's `Any` driver: the schema uses only integers and text, every query is
//! written once with `$N` placeholders (which SQLite also reads), and the few
//! differences are named in [`Dialect`]. Each database has its own migration
//! tree; the conformance tests run the same stories against both.

use async_trait::async_trait;
use debrief_core::review::Review;
use debrief_core::{
    EventKind, Incident, IncidentFields, IncidentKey, NewTimelineEvent, Severity, Status,
    TimelineEvent,
};
use uuid::Uuid;

pub mod accounts;
pub mod actions;
pub mod attachments;
pub mod audit;
mod codec;
pub mod documents;
pub mod learning;
mod scope;
pub mod settings;
pub mod sql;
pub mod webhooks;
pub mod workshops;

pub use accounts::{
    AccountStore, AuditFilter, AuditRecord, SessionRecord, TokenRecord, Visibility,
};
pub use actions::{ActionFilter, ActionRecord, ActionStore, ActionStoreTx};
pub use attachments::{AttachmentStore, AttachmentStoreTx};
pub use audit::{AuditContext, current_context, with_audit_context};
pub use documents::{DocumentStore, DocumentStoreTx, IncidentReview};
pub use learning::{LearningStore, LearningVersion, SearchQuery, SearchResults};
pub use settings::{SettingsStore, StoredSetting};
pub use sql::{Dialect, SqlStore};
pub use webhooks::WebhookStore;
pub use workshops::{StoredPolicy, WorkshopStore, WorkshopStoreTx};

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{entity} {id} was not found")]
    NotFound { entity: &'static str, id: String },
    /// A versioned update named a version that is no longer current.
    #[error(
        "{entity} {id} was changed by someone else (you had version {expected}, it is now {actual})"
    )]
    Conflict {
        entity: &'static str,
        id: String,
        expected: i64,
        actual: i64,
    },
    /// A unique constraint refused the write.
    #[error("{message}")]
    Duplicate { constraint: String, message: String },
    /// Stored data that no longer reads as a valid domain value.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// How a new incident gets its key.
#[derive(Debug, Clone)]
pub enum KeyRequest {
    /// The next number for this prefix and year, assigned atomically.
    Next { prefix: String, year: i32 },
    /// A key that already exists elsewhere (an imported bundle). Later
    /// assignments continue after it.
    Given(IncidentKey),
}

#[derive(Debug, Clone)]
pub struct NewIncidentRecord {
    pub id: Uuid,
    pub key: KeyRequest,
    pub fields: IncidentFields,
    pub created_at: jiff::Timestamp,
    /// Normally equal to `created_at`; an import keeps the original.
    pub updated_at: jiff::Timestamp,
}

/// The sort orders of the incident list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IncidentSort {
    /// Most recently created first (the key order, newest first).
    #[default]
    Newest,
    Oldest,
    /// Most recently started first; incidents without a start last.
    StartedDesc,
    StartedAsc,
    /// Critical first, then newest.
    Severity,
}

impl IncidentSort {
    pub const ALL: [IncidentSort; 5] = [
        Self::Newest,
        Self::Oldest,
        Self::StartedDesc,
        Self::StartedAsc,
        Self::Severity,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Newest => "newest",
            Self::Oldest => "oldest",
            Self::StartedDesc => "started_desc",
            Self::StartedAsc => "started_asc",
            Self::Severity => "severity",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Newest => "Newest first",
            Self::Oldest => "Oldest first",
            Self::StartedDesc => "Started, latest first",
            Self::StartedAsc => "Started, earliest first",
            Self::Severity => "Severity",
        }
    }
}

impl std::str::FromStr for IncidentSort {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|v| v.as_str() == s).ok_or_else(|| {
            format!(
                "unknown sort `{s}`; expected one of newest, oldest, started_desc, started_asc, severity"
            )
        })
    }
}

/// Filters of the incident list; empty vectors mean "any".
#[derive(Debug, Clone, Default)]
pub struct IncidentFilter {
    pub statuses: Vec<Status>,
    pub severities: Vec<Severity>,
    pub categories: Vec<String>,
    /// Case-insensitive substring of the title or key.
    pub text: Option<String>,
    /// Which incidents the caller may see (restricted ones only by members).
    pub visibility: Visibility,
}

/// Where a page of a list starts: opaque to callers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub(crate) sort_a: i64,
    pub(crate) sort_b: i64,
    pub(crate) id: String,
}

impl Cursor {
    /// The string form handed to clients.
    pub fn encode(&self) -> String {
        format!("{}.{}.{}", self.sort_a, self.sort_b, self.id)
    }
    pub fn decode(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}` is not a cursor this server handed out");
        let mut parts = s.splitn(3, '.');
        let a = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let b = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let id = parts
            .next()
            .filter(|p| Uuid::parse_str(p).is_ok())
            .ok_or_else(bad)?;
        Ok(Self {
            sort_a: a,
            sort_b: b,
            id: id.to_owned(),
        })
    }
}

#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Present when there are more items after this page.
    pub next: Option<Cursor>,
}

/// Filters of a timeline listing.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub kinds: Vec<EventKind>,
    pub key_only: bool,
    pub actor: Option<String>,
}

/// What adding a batch of events did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AddedEvents {
    pub added: u64,
    /// Events whose content hash was already there (re-imports).
    pub duplicates: u64,
}

impl std::ops::AddAssign for AddedEvents {
    fn add_assign(&mut self, o: Self) {
        self.added += o.added;
        self.duplicates += o.duplicates;
    }
}

/// The storage operations debrief needs. Every method is atomic on its own;
/// [`Store::begin`] opens a transaction for work that must be all-or-nothing
/// (imports).
#[async_trait]
pub trait Store:
    AccountStore
    + ActionStore
    + AttachmentStore
    + DocumentStore
    + LearningStore
    + SettingsStore
    + WebhookStore
    + WorkshopStore
    + Send
    + Sync
{
    async fn create_incident(&self, new: NewIncidentRecord) -> Result<Incident, StoreError>;
    async fn incident_by_key(&self, key: &IncidentKey) -> Result<Incident, StoreError>;
    async fn incident_by_id(&self, id: Uuid) -> Result<Incident, StoreError>;
    /// Replaces the fields if `expected_version` is current; bumps the version.
    async fn update_incident(
        &self,
        id: Uuid,
        expected_version: i64,
        fields: &IncidentFields,
        now: jiff::Timestamp,
    ) -> Result<Incident, StoreError>;
    async fn list_incidents(
        &self,
        filter: &IncidentFilter,
        sort: IncidentSort,
        after: Option<&Cursor>,
        limit: u32,
    ) -> Result<Page<Incident>, StoreError>;
    async fn count_incidents(&self) -> Result<u64, StoreError>;
    /// Every incident id in key order (exports).
    async fn all_incident_ids(&self) -> Result<Vec<Uuid>, StoreError>;

    async fn add_events(
        &self,
        incident_id: Uuid,
        events: &[NewTimelineEvent],
        now: jiff::Timestamp,
    ) -> Result<AddedEvents, StoreError>;
    async fn event_by_id(&self, id: Uuid) -> Result<TimelineEvent, StoreError>;
    /// The event of this incident with this content hash.
    async fn event_by_hash(
        &self,
        incident_id: Uuid,
        hash: &str,
    ) -> Result<TimelineEvent, StoreError>;
    async fn list_events(
        &self,
        incident_id: Uuid,
        filter: &EventFilter,
    ) -> Result<Vec<TimelineEvent>, StoreError>;
    async fn count_events(&self, incident_id: Uuid) -> Result<u64, StoreError>;

    /// The review of an incident, if one was opened.
    async fn review(&self, incident_id: Uuid) -> Result<Option<Review>, StoreError>;
    /// Writes a review: a new one when `expected_version` is `None`, else
    /// only over that version (a conflict otherwise).
    async fn save_review(
        &self,
        review: &Review,
        expected_version: Option<i64>,
        now: jiff::Timestamp,
    ) -> Result<(), StoreError>;

    /// Records an exchange rate (unique per pair and date).
    async fn add_rate(&self, rate: &StoredRate) -> Result<(), StoreError>;
    /// Every recorded rate, by pair and date.
    async fn rates(&self) -> Result<Vec<StoredRate>, StoreError>;
    async fn delete_rate(&self, id: Uuid) -> Result<(), StoreError>;

    /// The stored question templates, by id.
    async fn templates(&self) -> Result<Vec<StoredTemplate>, StoreError>;
    /// Writes a template: new when `expected_version` is `None`, else only
    /// over that version.
    async fn save_template(
        &self,
        template: &StoredTemplate,
        expected_version: Option<i64>,
        now: jiff::Timestamp,
    ) -> Result<(), StoreError>;

    /// Starts a transaction; nothing it writes is visible or kept until
    /// [`StoreTx::commit`]. Dropping it rolls back.
    async fn begin(&self) -> Result<Box<dyn StoreTx>, StoreError>;
}

/// The writes an import makes, inside one transaction.
#[async_trait]
pub trait StoreTx:
    ActionStoreTx + AttachmentStoreTx + DocumentStoreTx + WorkshopStoreTx + Send
{
    async fn create_incident(&mut self, new: NewIncidentRecord) -> Result<Incident, StoreError>;
    async fn incident_by_key(&mut self, key: &IncidentKey) -> Result<Option<Incident>, StoreError>;
    async fn incident_by_id(&mut self, id: Uuid) -> Result<Option<Incident>, StoreError>;
    async fn add_events(
        &mut self,
        incident_id: Uuid,
        events: &[NewTimelineEvent],
        now: jiff::Timestamp,
    ) -> Result<AddedEvents, StoreError>;
    async fn review(&mut self, incident_id: Uuid) -> Result<Option<Review>, StoreError>;
    async fn save_review(
        &mut self,
        review: &Review,
        expected_version: Option<i64>,
        now: jiff::Timestamp,
    ) -> Result<(), StoreError>;
    /// Records a rate unless one exists for the pair and date (then false).
    async fn add_rate_if_new(&mut self, rate: &StoredRate) -> Result<bool, StoreError>;
    async fn commit(self: Box<Self>) -> Result<(), StoreError>;
}

/// A question template with its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTemplate {
    pub template: debrief_core::review::QuestionTemplate,
    pub version: i64,
}

/// An exchange rate as recorded: the values are kept as text so the store
/// needs no decimal type; the app parses them with `debrief_core::money`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRate {
    pub id: Uuid,
    pub from: String,
    pub to: String,
    /// A positive decimal, as text.
    pub rate: String,
    /// `YYYY-MM-DD`.
    pub valid_on: String,
    pub source: String,
    pub created_at: jiff::Timestamp,
}

/// Opens the store a URL names: `postgres://…` or `postgresql://…` for
/// PostgreSQL, `sqlite:PATH` or a plain file path for SQLite (created when
/// missing). Runs the migrations.
pub async fn open(url: &str) -> Result<SqlStore, StoreError> {
    let store = SqlStore::connect(url).await?;
    store.migrate().await?;
    Ok(store)
}
