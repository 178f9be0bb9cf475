//! The agenda (PRODUCT.md §8), generated from the incident — chronology
//! highlights (key events), decisions, communication flows, technical
//! findings (causes), what went well, gaps, lessons, actions by priority —
//! and edited as plain text: `## Heading` lines start an item, the lines
//! under it are its points.

use jiff::civil::Date;

use super::AgendaItem;
use crate::action::{ActionStatus, Priority};
use crate::review::{ObservationKind, Review};
use crate::{EventKind, TimelineEvent};

pub const ITEMS_MAX: usize = 30;
pub const POINTS_MAX: usize = 60;
pub const TITLE_MAX: usize = 200;
pub const POINT_MAX: usize = 500;
pub const TEXT_MAX: usize = 50_000;
/// Points a generated item lists before "… and N more".
const GENERATED_POINTS: usize = 20;

/// An action as the agenda lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaAction {
    /// `INC-2026-0001-A2`.
    pub reference: String,
    pub title: String,
    pub priority: Priority,
    pub status: ActionStatus,
    pub owner: String,
    pub due_on: Option<Date>,
}

/// What the agenda is generated from.
#[derive(Debug, Clone, Copy)]
pub struct AgendaSource<'a> {
    /// The whole timeline, oldest first.
    pub events: &'a [TimelineEvent],
    pub review: Option<&'a Review>,
    /// The incident's actions, already ranked (priority first).
    pub actions: &'a [AgendaAction],
}

fn shorten(s: &str) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= 300 {
        one_line
    } else {
        format!(
            "{}…",
            one_line.chars().take(299).collect::<String>().trim_end()
        )
    }
}

fn event_point(e: &TimelineEvent) -> String {
    let when = e.event.at.to_rfc3339().replacen('T', " ", 1);
    let when = match e.event.at.precision() {
        crate::Precision::Day => e.event.at.local_date().to_string(),
        _ => when,
    };
    match e.event.actor.as_deref().filter(|a| !a.trim().is_empty()) {
        Some(actor) => format!("{when} — {actor}: {}", shorten(&e.event.text)),
        None => format!("{when} — {}", shorten(&e.event.text)),
    }
}

fn item(title: &str, mut points: Vec<String>, empty: &str) -> AgendaItem {
    if points.len() > GENERATED_POINTS {
        let more = points.len() - GENERATED_POINTS;
        points.truncate(GENERATED_POINTS);
        points.push(format!("… and {more} more"));
    }
    if points.is_empty() {
        points.push(empty.to_owned());
    }
    AgendaItem {
        title: title.to_owned(),
        points,
    }
}

/// The eight items of a lessons-learned agenda, in the order a meeting
/// walks through them. An item with nothing recorded says so, as a prompt
/// to discuss it.
pub fn generate_agenda(src: AgendaSource<'_>) -> Vec<AgendaItem> {
    let of_kind = |k: EventKind| -> Vec<String> {
        src.events
            .iter()
            .filter(|e| e.event.kind == k)
            .map(event_point)
            .collect()
    };
    let key: Vec<String> = src
        .events
        .iter()
        .filter(|e| e.event.key)
        .map(event_point)
        .collect();
    let review = src.review;
    let mut findings: Vec<String> = review
        .map(|r| {
            r.causes
                .iter()
                .map(|c| {
                    format!(
                        "{} ({}): {}",
                        c.kind.label(),
                        c.category.label().to_lowercase(),
                        shorten(&c.statement)
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    if findings.is_empty() {
        findings = of_kind(EventKind::TechnicalFinding);
    }
    let went_well: Vec<String> = review
        .map(|r| {
            let mut v: Vec<String> = r
                .observations
                .iter()
                .filter(|o| o.kind == ObservationKind::WentWell)
                .map(|o| shorten(&o.text))
                .collect();
            v.extend(
                r.observations
                    .iter()
                    .filter(|o| o.kind == ObservationKind::Lucky)
                    .map(|o| format!("Where we got lucky: {}", shorten(&o.text))),
            );
            v
        })
        .unwrap_or_default();
    let gaps: Vec<String> = review
        .map(|r| {
            r.gaps
                .iter()
                .map(|g| {
                    format!(
                        "{} ({}): {}",
                        g.area.label(),
                        g.severity.label().to_lowercase(),
                        shorten(&g.description)
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let lessons: Vec<String> = review
        .map(|r| r.lessons.iter().map(|l| shorten(&l.statement)).collect())
        .unwrap_or_default();
    let actions: Vec<String> = src
        .actions
        .iter()
        .map(|a| {
            let due = a.due_on.map(|d| format!(", due {d}")).unwrap_or_default();
            format!(
                "{} {} {} — {}{due}, {}",
                a.priority,
                a.reference,
                shorten(&a.title),
                a.owner,
                a.status.label().to_lowercase()
            )
        })
        .collect();
    vec![
        item(
            "Chronology highlights",
            key,
            "No key events yet: walk through the timeline together.",
        ),
        item(
            "Decisions",
            of_kind(EventKind::Decision),
            "No decisions recorded in the timeline: which choices were made, and with what information?",
        ),
        item(
            "Communication flows",
            of_kind(EventKind::Communication),
            "No communications recorded: who was told what, and when?",
        ),
        item(
            "Technical findings",
            findings,
            "No causes recorded yet: what made this possible?",
        ),
        item(
            "What went well",
            went_well,
            "Nothing recorded yet: what should we keep doing?",
        ),
        item(
            "Gaps",
            gaps,
            "No gaps recorded yet: which policies, procedures, tools or training fell short?",
        ),
        item(
            "Lessons",
            lessons,
            "No lessons recorded yet: what do we know now that we did not before?",
        ),
        item(
            "Actions by priority",
            actions,
            "No actions yet: what will we change, who owns it, by when?",
        ),
    ]
}

/// The agenda as the text people edit.
pub fn agenda_to_text(agenda: &[AgendaItem]) -> String {
    let mut out = String::new();
    for (i, item) in agenda.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str("## ");
        out.push_str(&item.title);
        out.push('\n');
        for p in &item.points {
            out.push_str("- ");
            out.push_str(p);
            out.push('\n');
        }
    }
    out
}

/// Reads the edited text: `#` lines start an item (any number of `#`),
/// `-` or `*` lines are its points, other lines are points too (or a
/// title when no item has started). Errors name the line.
pub fn agenda_from_text(text: &str) -> Result<Vec<AgendaItem>, String> {
    if text.chars().count() > TEXT_MAX {
        return Err(format!("the agenda is longer than {TEXT_MAX} characters"));
    }
    let mut items: Vec<AgendaItem> = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line_no = n + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(title) = line.strip_prefix('#') {
            let title = title.trim_start_matches('#').trim();
            if title.is_empty() {
                return Err(format!("line {line_no}: a heading needs a title"));
            }
            if title.chars().count() > TITLE_MAX {
                return Err(format!(
                    "line {line_no}: a heading has at most {TITLE_MAX} characters"
                ));
            }
            if items.len() >= ITEMS_MAX {
                return Err(format!(
                    "line {line_no}: an agenda has at most {ITEMS_MAX} items"
                ));
            }
            items.push(AgendaItem {
                title: title.to_owned(),
                points: Vec::new(),
            });
            continue;
        }
        let point = line
            .strip_prefix("- ")
            .or_else(|| line.strip_prefix("* "))
            .unwrap_or(line)
            .trim();
        if point.is_empty() || point == "-" || point == "*" {
            continue;
        }
        if point.chars().count() > POINT_MAX {
            return Err(format!(
                "line {line_no}: a point has at most {POINT_MAX} characters"
            ));
        }
        match items.last_mut() {
            Some(item) => {
                if item.points.len() >= POINTS_MAX {
                    return Err(format!(
                        "line {line_no}: an item has at most {POINTS_MAX} points"
                    ));
                }
                item.points.push(point.to_owned());
            }
            None => {
                if point.chars().count() > TITLE_MAX {
                    return Err(format!(
                        "line {line_no}: a heading has at most {TITLE_MAX} characters"
                    ));
                }
                items.push(AgendaItem {
                    title: point.to_owned(),
                    points: Vec::new(),
                });
            }
        }
    }
    if items.is_empty() {
        return Err("the agenda is empty: write at least one `## heading`".into());
    }
    Ok(items)
}
