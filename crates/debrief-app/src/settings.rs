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
    /// A session ends after this long without a request (default 8 h).
    pub session_idle: std::time::Duration,
    /// A session ends this long after sign-in, however busy (default 7 days).
    pub session_absolute: std::time::Duration,
    /// How hard password hashing works (argon2id either way).
    pub password_cost: PasswordCost,
    /// Whether the session cookie carries `Secure` (`--secure-cookies`, on
    /// whenever debrief is reached over https).
    pub secure_cookies: bool,
    /// The largest evidence attachment accepted, in bytes
    /// (`--max-attachment-bytes`, default 25 MiB).
    pub max_attachment_bytes: u64,
}

/// The argon2id parameters passwords are hashed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PasswordCost {
    /// The `argon2` crate's defaults (OWASP's: 19 MiB, 2 passes, 1 lane).
    #[default]
    Standard,
    /// 8 KiB, 1 pass: still argon2id, for test suites that sign in
    /// hundreds of times (`--insecure-fast-password-hashing`, never in
    /// production).
    FastForTests,
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
            session_idle: std::time::Duration::from_secs(8 * 3600),
            session_absolute: std::time::Duration::from_secs(7 * 24 * 3600),
            password_cost: PasswordCost::Standard,
            secure_cookies: false,
            max_attachment_bytes: debrief_core::attachment::DEFAULT_MAX_ATTACHMENT_BYTES,
        }
    }
}
