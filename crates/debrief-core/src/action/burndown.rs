//! The burn-down of an incident's actions: how many were still open at each
//! moment, from the status history. Follow-up snapshots add points of their
//! own so the chart shows the state at each session.

use std::collections::HashMap;

use serde::Serialize;
use uuid::Uuid;

use super::ActionStatus;

/// An action entering a status at an instant (creation enters its first
/// status).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusChange {
    pub action_id: Uuid,
    pub at: jiff::Timestamp,
    pub to: ActionStatus,
}

/// The counts at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BurnDownPoint {
    pub at: jiff::Timestamp,
    /// Actions that exist and are not cancelled (the scope).
    pub total: u32,
    /// Open, in progress or blocked.
    pub open: u32,
    pub done: u32,
    pub verified: u32,
    /// True for a point that is a follow-up session.
    pub follow_up: bool,
}

/// Points at every instant a status changed, at every follow-up instant and
/// at `until` (now), in time order; changes after `until` are ignored.
pub fn burn_down(
    changes: &[StatusChange],
    follow_ups: &[jiff::Timestamp],
    until: jiff::Timestamp,
) -> Vec<BurnDownPoint> {
    let mut changes: Vec<StatusChange> =
        changes.iter().copied().filter(|c| c.at <= until).collect();
    changes.sort_by_key(|c| c.at);
    let mut instants: Vec<(jiff::Timestamp, bool)> =
        changes.iter().map(|c| (c.at, false)).collect();
    instants.extend(
        follow_ups
            .iter()
            .filter(|t| **t <= until)
            .map(|t| (*t, true)),
    );
    instants.push((until, false));
    instants.sort();
    instants.dedup_by(|b, a| {
        if a.0 == b.0 {
            a.1 |= b.1;
            true
        } else {
            false
        }
    });
    let mut state: HashMap<Uuid, ActionStatus> = HashMap::new();
    let mut next = 0;
    let mut points = Vec::with_capacity(instants.len());
    for (at, follow_up) in instants {
        while next < changes.len() && changes[next].at <= at {
            state.insert(changes[next].action_id, changes[next].to);
            next += 1;
        }
        let mut p = BurnDownPoint {
            at,
            total: 0,
            open: 0,
            done: 0,
            verified: 0,
            follow_up,
        };
        for s in state.values() {
            match s {
                ActionStatus::Cancelled => continue,
                s if s.is_open() => p.open += 1,
                ActionStatus::Done => p.done += 1,
                _ => p.verified += 1,
            }
            p.total += 1;
        }
        points.push(p);
    }
    points
}
