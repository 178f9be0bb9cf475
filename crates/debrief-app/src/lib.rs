//! debrief's use cases: the domain rules of `debrief-core` applied to the
//! `debrief-store`, with an injected clock. The web server and the CLI call
//! these and nothing below them, so both behave the same.

pub mod accounts;
pub mod actions;
pub mod attachments;
pub mod audit;
pub mod blameless;
pub mod bundle;
pub mod clock;
pub mod demo;
pub mod documents;
pub mod error;
pub mod impact;
pub mod import;
pub mod incidents;
pub mod learning;
mod line_limit;
pub mod lint;
pub mod programme;
pub mod report;
pub mod review;
pub mod settings;
pub mod templates;
pub mod timeline;
pub mod webhooks;
pub mod workshops;

use std::sync::Arc;

pub use accounts::Caller;
pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{AppError, ImportError};
pub use settings::{PasswordCost, Settings};

use debrief_store::Store;

/// The application: a store, a clock and the organisation's settings.
#[derive(Clone)]
pub struct App {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    settings: Arc<Settings>,
    /// Wakes the webhook dispatcher when [`App::emit`] enqueued deliveries.
    webhook_wake: Arc<tokio::sync::Notify>,
    /// KPI facts under the data version they were read at.
    learning_cache: Arc<learning::LearningCache>,
    /// Lessons without a home under the data version they were read at.
    unhomed_cache: Arc<documents::UnhomedCache>,
}

impl App {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, settings: Settings) -> Self {
        Self {
            store,
            clock,
            settings: Arc::new(settings),
            webhook_wake: Arc::new(tokio::sync::Notify::new()),
            learning_cache: Arc::new(learning::LearningCache::default()),
            unhomed_cache: Arc::new(documents::UnhomedCache::default()),
        }
    }
    pub fn settings(&self) -> &Settings {
        &self.settings
    }
    pub fn now(&self) -> jiff::Timestamp {
        self.clock.now()
    }
    /// The same application reading time from another clock (the demo
    /// writes history as of past dates with it).
    pub fn with_clock(&self, clock: Arc<dyn Clock>) -> App {
        Self {
            store: self.store.clone(),
            clock,
            settings: self.settings.clone(),
            webhook_wake: self.webhook_wake.clone(),
            learning_cache: self.learning_cache.clone(),
            unhomed_cache: self.unhomed_cache.clone(),
        }
    }
    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }
}
