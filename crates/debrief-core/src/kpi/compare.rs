//! "Did it work?" (PRODUCT.md §9): the KPIs and the recurrence of a set of
//! incidents (a category, or the category of a verified action's incident)
//! in equal windows before and after a change, with the counts behind them
//! and a plain statement when there are too few incidents to say.

use serde::Serialize;

use super::{IncidentFacts, Share, Stats, stats};
use crate::DurationName;

/// Fewer incidents than this on either side and the comparison says so
/// instead of drawing a conclusion.
pub const MIN_PER_SIDE: usize = 5;

/// One side of the comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    pub from: jiff::Timestamp,
    pub to: jiff::Timestamp,
    pub incidents: usize,
    /// Incidents per 30 days in the window.
    pub per_30_days: f64,
    pub time_to_contain: Option<Stats>,
    pub time_to_recover: Option<Stats>,
    pub recurrence: Share,
}

/// Before and after, and what can be said.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub change_at: jiff::Timestamp,
    pub before: Side,
    pub after: Side,
    /// Enough incidents on both sides to compare.
    pub enough_data: bool,
    /// One sentence for people.
    pub verdict: String,
}

fn side<'a>(
    incidents: impl Iterator<Item = &'a IncidentFacts>,
    from: jiff::Timestamp,
    to: jiff::Timestamp,
) -> Side {
    let v: Vec<&IncidentFacts> = incidents.filter(|i| i.at >= from && i.at < to).collect();
    let mut contain: Vec<i64> = v
        .iter()
        .filter_map(|i| i.durations[DurationName::TimeToContain as usize])
        .collect();
    let mut recover: Vec<i64> = v
        .iter()
        .filter_map(|i| i.durations[DurationName::TimeToRecover as usize])
        .collect();
    let days = (to.as_second() - from.as_second()) as f64 / 86_400.0;
    Side {
        from,
        to,
        incidents: v.len(),
        per_30_days: if days > 0.0 {
            v.len() as f64 * 30.0 / days
        } else {
            0.0
        },
        time_to_contain: stats(&mut contain),
        time_to_recover: stats(&mut recover),
        recurrence: Share {
            count: v.iter().filter(|i| i.recurrence == Some(true)).count(),
            of: v.iter().filter(|i| i.recurrence.is_some()).count(),
        },
    }
}

/// Compares `incidents` (already narrowed to what the change concerns) in
/// the `window` before `change_at` and the same window after it; the after
/// window ends at `now` at the latest (and the before window is shortened
/// to match, so both cover equal time).
pub fn compare_before_after(
    incidents: &[&IncidentFacts],
    change_at: jiff::Timestamp,
    window: jiff::SignedDuration,
    now: jiff::Timestamp,
) -> Comparison {
    let available = now.duration_since(change_at);
    let window = if available < window {
        available.max(jiff::SignedDuration::ZERO)
    } else {
        window
    };
    let before_from = change_at
        .checked_sub(window)
        .unwrap_or(jiff::Timestamp::MIN);
    let after_to = change_at
        .checked_add(window)
        .unwrap_or(jiff::Timestamp::MAX);
    let before = side(incidents.iter().copied(), before_from, change_at);
    let after = side(incidents.iter().copied(), change_at, after_to);
    let enough_data = before.incidents >= MIN_PER_SIDE && after.incidents >= MIN_PER_SIDE;
    let verdict = if !enough_data {
        format!(
            "Too few incidents to say: {} before and {} after (at least {MIN_PER_SIDE} on each side are needed).",
            before.incidents, after.incidents
        )
    } else {
        let rate = if after.per_30_days < before.per_30_days {
            "fewer incidents"
        } else if after.per_30_days > before.per_30_days {
            "more incidents"
        } else {
            "as many incidents"
        };
        let contain = match (before.time_to_contain, after.time_to_contain) {
            (Some(b), Some(a)) if a.median < b.median => ", contained faster (median)",
            (Some(b), Some(a)) if a.median > b.median => ", contained more slowly (median)",
            (Some(_), Some(_)) => ", contained as fast (median)",
            _ => "",
        };
        format!(
            "After the change: {rate} ({:.1} vs {:.1} per 30 days, {} vs {} incidents){contain}.",
            after.per_30_days, before.per_30_days, after.incidents, before.incidents
        )
    };
    Comparison {
        change_at,
        before,
        after,
        enough_data,
        verdict,
    }
}
