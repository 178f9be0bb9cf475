//! The organisation's settings that the use cases need.

use debrief_core::webhook::RetryPolicy;
use debrief_core::{Currency, PriorityPolicy, Taxonomy};
use jiff::tz::TimeZone;

#[derive(Debug, Clone)]
pub struct Settings {
    /// The prefix of new incident keys (`INC` in `INC-2026-0042`).
    pub key_prefix: String,
    pub taxonomy: Taxonomy,
    /// The organisation's time zone: new keys take their year from it, and
    /// forms read wall-clock times in it when the viewer names no other.
    pub time_zone: TimeZone,
    /// The currency totals are reported in.
    pub reporting_currency: Currency,
    /// When a failed webhook delivery is tried again (30 s doubling, at most
    /// 1 h apart, 8 attempts).
    pub webhook_retry: RetryPolicy,
    /// How long a webhook receiver has to answer one attempt.
    pub webhook_timeout: std::time::Duration,
    /// Score thresholds of P1–P3 (`--priority-thresholds`, default 12,6,3).
    pub priority_policy: PriorityPolicy,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            key_prefix: "INC".into(),
            taxonomy: Taxonomy::default(),
            time_zone: TimeZone::UTC,
            reporting_currency: Currency::from_code("EUR").expect("EUR is an ISO 4217 code"),
            webhook_retry: RetryPolicy::default(),
            webhook_timeout: std::time::Duration::from_secs(10),
            priority_policy: PriorityPolicy::default(),
        }
    }
}
