//! Webhooks (PRODUCT.md §12): the events other systems can subscribe to,
//! what a subscription must say (a target URL, the events), the states of a
//! delivery and the retry schedule. Pure rules: sending, signing and storing
//! happen in the app and the store.

use std::fmt;
use std::str::FromStr;

use jiff::SignedDuration;
use serde::{Deserialize, Serialize};

use crate::field_error::FieldErrors;

/// Something that happened in debrief that a subscription can ask to hear about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum WebhookEvent {
    #[serde(rename = "action.created")]
    ActionCreated,
    #[serde(rename = "action.overdue")]
    ActionOverdue,
    #[serde(rename = "action.done")]
    ActionDone,
    #[serde(rename = "action.verified")]
    ActionVerified,
    #[serde(rename = "review.approved")]
    ReviewApproved,
    #[serde(rename = "workshop.scheduled")]
    WorkshopScheduled,
}

/// The event of a test delivery (`POST /webhooks/{id}/test`): sent to one
/// subscription whatever it subscribed to, never by [`WebhookEvent`].
pub const PING_EVENT: &str = "ping";

impl WebhookEvent {
    pub const ALL: [WebhookEvent; 6] = [
        Self::ActionCreated,
        Self::ActionOverdue,
        Self::ActionDone,
        Self::ActionVerified,
        Self::ReviewApproved,
        Self::WorkshopScheduled,
    ];

    /// The wire name, as in the `event` field and `X-Debrief-Event`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ActionCreated => "action.created",
            Self::ActionOverdue => "action.overdue",
            Self::ActionDone => "action.done",
            Self::ActionVerified => "action.verified",
            Self::ReviewApproved => "review.approved",
            Self::WorkshopScheduled => "workshop.scheduled",
        }
    }

    /// What it means, for people choosing events on a form.
    pub fn label(self) -> &'static str {
        match self {
            Self::ActionCreated => "An action item is created",
            Self::ActionOverdue => "An action item becomes overdue",
            Self::ActionDone => "An action item is done",
            Self::ActionVerified => "An action item's effect is verified",
            Self::ReviewApproved => "A post-incident review is approved",
            Self::WorkshopScheduled => "A lessons-learned workshop is scheduled",
        }
    }

    /// Every wire name, comma-separated, for messages.
    pub fn names() -> String {
        Self::ALL.map(Self::as_str).join(", ")
    }
}

impl fmt::Display for WebhookEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for WebhookEvent {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|e| e.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown event `{s}`; expected one of {}",
                    WebhookEvent::names()
                )
            })
    }
}

/// The longest target URL accepted.
pub const URL_MAX: usize = 2_000;
/// The shortest secret a subscriber may choose (a generated one is 64 hex digits).
pub const SECRET_MIN: usize = 16;
pub const SECRET_MAX: usize = 512;
pub const DESCRIPTION_MAX: usize = 500;

/// A subscription as typed: strings, checked by [`WebhookDraft::validate`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDraft {
    pub url: String,
    pub events: Vec<String>,
    /// `None` or empty: debrief generates one.
    #[serde(default)]
    pub secret: Option<String>,
    #[serde(default)]
    pub description: String,
}

/// A valid subscription's editable fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookFields {
    /// An absolute `http` or `https` URL without credentials.
    pub url: String,
    /// At least one, each once, in [`WebhookEvent::ALL`] order.
    pub events: Vec<WebhookEvent>,
    pub description: String,
}

impl WebhookDraft {
    /// Checks every field and reports every problem at once. Returns the
    /// fields and the secret the subscriber chose, if any.
    pub fn validate(&self) -> Result<(WebhookFields, Option<String>), FieldErrors> {
        let mut errors = FieldErrors::default();
        let url = check_url(&self.url).map_err(|m| errors.push("url", m)).ok();
        let events = check_events(&self.events)
            .map_err(|m| errors.push("events", m))
            .ok();
        let secret = check_secret(self.secret.as_deref().unwrap_or_default())
            .map_err(|m| errors.push("secret", m))
            .ok()
            .flatten();
        let description = check_description(&self.description)
            .map_err(|m| errors.push("description", m))
            .ok();
        match (url, events, description) {
            (Some(url), Some(events), Some(description)) if errors.is_empty() => Ok((
                WebhookFields {
                    url,
                    events,
                    description,
                },
                secret,
            )),
            _ => Err(errors),
        }
    }
}

/// The target URL, checked: absolute, `http` or `https`, a host, no user
/// name or password (the secret authenticates; credentials in a URL end up
/// in logs and on pages).
pub fn check_url(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(
            "enter the address debrief should POST to, like https://hooks.example.com/debrief"
                .into(),
        );
    }
    if raw.len() > URL_MAX {
        return Err(format!("a URL has at most {URL_MAX} characters"));
    }
    let url = url::Url::parse(raw).map_err(|e| {
        format!("`{raw}` is not an absolute URL like https://hooks.example.com/debrief ({e})")
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "`{}:` URLs cannot receive webhooks; use http:// or https://",
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("`{raw}` names no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(
            "put no user name or password in the URL; every request is signed with the secret instead"
                .into(),
        );
    }
    Ok(url.to_string())
}

/// A chosen secret, checked; `None` when empty (debrief generates one).
pub fn check_secret(raw: &str) -> Result<Option<String>, String> {
    let s = raw.trim();
    let n = s.chars().count();
    if n == 0 {
        Ok(None)
    } else if n < SECRET_MIN {
        Err(format!(
            "a secret needs at least {SECRET_MIN} characters; leave it empty and debrief generates a strong one"
        ))
    } else if n > SECRET_MAX {
        Err(format!("a secret has at most {SECRET_MAX} characters"))
    } else if s.chars().any(char::is_control) {
        Err("a secret cannot contain control characters".into())
    } else {
        Ok(Some(s.to_owned()))
    }
}

/// A description, trimmed and checked for length.
pub fn check_description(raw: &str) -> Result<String, String> {
    let d = raw.trim();
    if d.chars().count() > DESCRIPTION_MAX {
        return Err(format!(
            "a description has at most {DESCRIPTION_MAX} characters"
        ));
    }
    Ok(d.to_owned())
}

/// The events, checked: at least one, each known; duplicates are dropped.
pub fn check_events(raw: &[String]) -> Result<Vec<WebhookEvent>, String> {
    let names: Vec<&str> = raw
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect();
    if names.is_empty() {
        return Err(format!(
            "choose at least one event: {}",
            WebhookEvent::names()
        ));
    }
    let mut events = Vec::new();
    let mut unknown = Vec::new();
    for name in names {
        match name.parse::<WebhookEvent>() {
            Ok(e) => events.push(e),
            Err(_) => unknown.push(format!("`{name}`")),
        }
    }
    if !unknown.is_empty() {
        return Err(format!(
            "unknown event{} {}; expected one of {}",
            if unknown.len() == 1 { "" } else { "s" },
            unknown.join(", "),
            WebhookEvent::names()
        ));
    }
    events.sort();
    events.dedup();
    Ok(events)
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its first attempt or for a retry.
    Pending,
    /// A receiver answered 2xx.
    Delivered,
    /// Every attempt failed; no more are made.
    Failed,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 3] = [Self::Pending, Self::Delivered, Self::Failed];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Delivered => "Delivered",
            Self::Failed => "Failed",
        }
    }
}

impl fmt::Display for DeliveryStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DeliveryStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s.trim())
            .ok_or_else(|| {
                format!("unknown delivery status `{s}`; expected one of pending, delivered, failed")
            })
    }
}

/// Whether an HTTP status means the receiver took the delivery.
pub fn is_success(http_status: u16) -> bool {
    (200..300).contains(&http_status)
}

/// When to try again after a failed attempt: exponential back-off from
/// `base`, doubling each time, never longer than `cap`; after `max_attempts`
/// attempts the delivery is failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub base: SignedDuration,
    pub cap: SignedDuration,
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    /// 30 s, 1 min, 2 min, 4 min, 8 min, 16 min, 32 min between the eight
    /// attempts: about an hour in all, long enough to outlast a deploy.
    fn default() -> Self {
        Self {
            base: SignedDuration::from_secs(30),
            cap: SignedDuration::from_hours(1),
            max_attempts: 8,
        }
    }
}

impl RetryPolicy {
    /// The wait after the `attempt`th failed attempt (1-based), or `None`
    /// when that was the last one.
    pub fn delay_after(&self, attempt: u32) -> Option<SignedDuration> {
        if attempt == 0 || attempt >= self.max_attempts {
            return None;
        }
        let base = self.base.max(SignedDuration::ZERO);
        let factor = 2i32.checked_pow(attempt - 1).unwrap_or(i32::MAX);
        let delay = base.checked_mul(factor).unwrap_or(self.cap);
        Some(delay.min(self.cap))
    }

    /// Every wait, in order (`max_attempts - 1` of them).
    pub fn schedule(&self) -> Vec<SignedDuration> {
        (1..self.max_attempts)
            .filter_map(|a| self.delay_after(a))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(url: &str, events: &[&str]) -> WebhookDraft {
        WebhookDraft {
            url: url.into(),
            events: events.iter().map(|e| (*e).into()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn every_event_name_reads_back_and_unknown_names_list_the_known_ones() {
        for e in WebhookEvent::ALL {
            assert_eq!(e.as_str().parse::<WebhookEvent>(), Ok(e));
            assert_eq!(
                serde_json::to_value(e).unwrap(),
                serde_json::json!(e.as_str())
            );
        }
        let err = "action.deleted".parse::<WebhookEvent>().unwrap_err();
        assert!(err.contains("`action.deleted`"), "{err}");
        assert!(err.contains("action.created, action.overdue"), "{err}");
        assert!(err.contains("workshop.scheduled"), "{err}");
    }

    #[test]
    fn a_valid_subscription_keeps_each_event_once_in_a_fixed_order() {
        let (fields, secret) = draft(
            " https://hooks.example.com/debrief?x=1 ",
            &["review.approved", "action.created,review.approved"],
        )
        .validate()
        .unwrap();
        assert_eq!(fields.url, "https://hooks.example.com/debrief?x=1");
        assert_eq!(
            fields.events,
            [WebhookEvent::ActionCreated, WebhookEvent::ReviewApproved]
        );
        assert_eq!(secret, None);
        assert!(
            draft("http://127.0.0.1:9000/hook", &["action.done"])
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn bad_urls_are_refused_saying_what_is_wrong() {
        for (url, says) in [
            ("", "enter the address"),
            ("hooks.example.com/x", "not an absolute URL"),
            ("ftp://example.com/x", "`ftp:` URLs cannot receive webhooks"),
            ("javascript:alert(1)", "`javascript:` URLs"),
            ("https://user:pw@example.com/", "no user name or password"),
            ("https://", "not an absolute URL"),
        ] {
            let e = draft(url, &["action.done"]).validate().unwrap_err();
            let m = e.for_field("url").unwrap_or_else(|| panic!("{url}: {e}"));
            assert!(m.contains(says), "{url}: {m}");
        }
    }

    #[test]
    fn every_problem_is_reported_at_once_by_field() {
        let mut d = draft("nope", &["action.created", "action.deleted", "x"]);
        d.secret = Some("short".into());
        d.description = "d".repeat(DESCRIPTION_MAX + 1);
        let e = d.validate().unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["url", "events", "secret", "description"]);
        let events = e.for_field("events").unwrap();
        assert!(events.starts_with("unknown events `action.deleted`, `x`"));
        assert!(events.contains(&WebhookEvent::names()));
        let e = draft("https://example.com", &[]).validate().unwrap_err();
        assert!(e.for_field("events").unwrap().contains("at least one"));
    }

    #[test]
    fn a_chosen_secret_is_kept_when_long_enough() {
        let mut d = draft("https://example.com", &["ping.x"]);
        d.events = vec!["review.approved".into()];
        d.secret = Some("  correct horse battery staple ".into());
        let (_, secret) = d.validate().unwrap();
        assert_eq!(secret.as_deref(), Some("correct horse battery staple"));
    }

    #[test]
    fn the_default_back_off_doubles_from_30_seconds_and_gives_up_after_8_attempts() {
        let p = RetryPolicy::default();
        let secs: Vec<i64> = p.schedule().iter().map(|d| d.as_secs()).collect();
        assert_eq!(secs, [30, 60, 120, 240, 480, 960, 1920]);
        assert_eq!(p.delay_after(8), None);
        assert_eq!(p.delay_after(0), None);
    }

    #[test]
    fn the_back_off_is_capped() {
        let p = RetryPolicy {
            base: SignedDuration::from_mins(10),
            cap: SignedDuration::from_hours(1),
            max_attempts: 40,
        };
        assert_eq!(p.delay_after(3), Some(SignedDuration::from_mins(40)));
        assert_eq!(p.delay_after(4), Some(SignedDuration::from_hours(1)));
        assert_eq!(p.delay_after(39), Some(SignedDuration::from_hours(1)));
    }

    #[test]
    fn only_2xx_counts_as_delivered() {
        assert!(is_success(200) && is_success(204) && is_success(299));
        assert!(!is_success(199) && !is_success(301) && !is_success(500));
    }
}
