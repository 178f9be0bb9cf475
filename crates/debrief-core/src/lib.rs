//! The debrief domain, pure: incidents, lifecycle rules, durations, the
//! timeline, reviews, actions, the linter and workshops. No I/O and no
//! clock: time is always an argument.
//!
//! Exception to "no serde in core" (written down in ARCHITECTURE.md): the
//! domain's enums and drafts derive serde, so that the API, the CLI and the
//! bundle speak the same names without a mirror of every type.

pub mod account;
pub mod action;
pub mod attachment;
pub mod audit;
pub mod document;
pub mod field_error;
pub mod impact;
pub mod incident;
pub mod kpi;
pub mod lifecycle;
pub mod lint;
pub mod money;
pub mod person;
pub mod related;
pub mod review;
pub mod timeline;
pub mod timestamp;
pub mod webhook;
pub mod workshop;

pub use account::{Role, User, UserDraft};
pub use action::{Action, ActionKey, ActionStatus, ActionType, Priority, PriorityPolicy};
pub use field_error::{FieldError, FieldErrors};
pub use incident::{Incident, IncidentDraft, IncidentFields, IncidentKey, Severity, Taxonomy};
pub use lifecycle::{DerivedDuration, DurationName, Durations, Lifecycle, LifecycleField, Status};
pub use money::{
    Currency, CurrencyInfo, ExchangeRate, Money, MoneyError, RateUse, Total, staff_time, total_in,
};
pub use person::{Person, PersonDraft};
pub use timeline::{EventKind, NewTimelineEvent, TimelineEvent, TimelineEventDraft};
pub use timestamp::{Precision, Timestamp, TimestampError};
pub use workshop::{Workshop, WorkshopKind, WorkshopPolicy, WorkshopStatus};
