//! The burn-down of an incident's actions: a step line of the actions still
//! open over time under the line of all actions in scope (cancelled ones
//! leave the scope), with done and verified as stacked areas, and a marker
//! at every follow-up session. Time runs left to right in proportion; the
//! last point is "now".

use std::fmt::Write;

use debrief_core::action::BurnDownPoint;
use jiff::tz::TimeZone;

use super::{num, xml_escape};

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 44.0;

const INK: &str = "#1f2933";
const MUTED: &str = "#6b7785";
const OPEN: &str = "#a93226";
const DONE: &str = "#9c640c";
const VERIFIED: &str = "#1e7145";

/// A stacked area: its name, colour and height at a point.
type Layer = (&'static str, &'static str, fn(&BurnDownPoint) -> u32);

/// The chart as a standalone SVG document that can also be embedded inline
/// (no XML declaration; ids prefixed `burn-down-`). Dates are shown in `zone`.
pub fn burn_down_svg(points: &[BurnDownPoint], zone: &TimeZone) -> String {
    let mut s = String::new();
    let last = points.last();
    let summary = match last {
        Some(p) if p.total > 0 => format!(
            "{} of {} actions still open; {} done, {} verified; {} follow-up session{}.",
            p.open,
            p.total,
            p.done,
            p.verified,
            points.iter().filter(|p| p.follow_up).count(),
            if points.iter().filter(|p| p.follow_up).count() == 1 {
                ""
            } else {
                "s"
            }
        ),
        _ => "No actions yet.".to_owned(),
    };
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-labelledby="burn-down-title burn-down-desc" font-family="DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif" font-size="11"><title id="burn-down-title">Action burn-down</title><desc id="burn-down-desc">{desc}</desc><rect width="{w}" height="{h}" fill="#ffffff"/>"##,
        w = num(WIDTH),
        h = num(HEIGHT),
        desc = xml_escape(&summary),
    );
    let _ = write!(
        s,
        r##"<text x="{x}" y="20" fill="{INK}" font-size="13" font-weight="bold">Actions still open</text>"##,
        x = num(LEFT)
    );
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let base = TOP + plot_h;
    let max = points.iter().map(|p| p.total).max().unwrap_or(0).max(1);
    let (Some(first), Some(last)) = (points.first(), last) else {
        s.push_str("</svg>");
        return s;
    };
    let t0 = first.at.as_second();
    let span = (last.at.as_second() - t0).max(1) as f64;
    let x = |p: &BurnDownPoint| LEFT + (p.at.as_second() - t0) as f64 / span * plot_w;
    let y = |n: u32| base - f64::from(n) / f64::from(max) * plot_h;

    // Grid: 0, max and a middle line.
    for n in [0, max / 2, max] {
        let _ = write!(
            s,
            r##"<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="#d9dee3" stroke-width="1"/><text x="{tx}" y="{ty}" fill="{MUTED}" text-anchor="end">{n}</text>"##,
            x1 = num(LEFT),
            x2 = num(LEFT + plot_w),
            y = num(y(n)),
            tx = num(LEFT - 6.0),
            ty = num(y(n) + 4.0),
        );
    }
    // Stacked step areas from the bottom: open, done, verified.
    let layers: [Layer; 3] = [
        ("Verified", VERIFIED, |p| p.open + p.done + p.verified),
        ("Done", DONE, |p| p.open + p.done),
        ("Open", OPEN, |p| p.open),
    ];
    for (name, colour, height) in layers {
        let mut d = format!("M{} {}", num(x(first)), num(base));
        for (i, p) in points.iter().enumerate() {
            let px = x(p);
            let prev = if i == 0 {
                height(p)
            } else {
                height(&points[i - 1])
            };
            let _ = write!(
                d,
                " L{} {} L{} {}",
                num(px),
                num(y(prev)),
                num(px),
                num(y(height(p)))
            );
        }
        let _ = write!(d, " L{} {} Z", num(x(last)), num(base));
        let _ = write!(
            s,
            r##"<path d="{d}" fill="{colour}" fill-opacity="0.75" stroke="none"><title>{name}</title></path>"##
        );
    }
    // The scope line.
    let mut d = String::new();
    for (i, p) in points.iter().enumerate() {
        let px = num(x(p));
        if i == 0 {
            let _ = write!(d, "M{px} {}", num(y(p.total)));
        } else {
            let _ = write!(
                d,
                " L{px} {} L{px} {}",
                num(y(points[i - 1].total)),
                num(y(p.total))
            );
        }
    }
    let _ = write!(
        s,
        r##"<path d="{d}" fill="none" stroke="{INK}" stroke-width="1.5" stroke-dasharray="4 3"/>"##
    );
    // Follow-up markers.
    for p in points.iter().filter(|p| p.follow_up) {
        let day = p.at.to_zoned_datetime(zone.clone()).date();
        let _ = write!(
            s,
            r##"<g><title>Follow-up {day}: {open} open of {total}</title><line x1="{x}" y1="{y1}" x2="{x}" y2="{y2}" stroke="{INK}" stroke-width="1"/><circle cx="{x}" cy="{cy}" r="4" fill="#ffffff" stroke="{INK}" stroke-width="1.5"/></g>"##,
            x = num(x(p)),
            y1 = num(TOP - 6.0),
            y2 = num(base),
            cy = num(y(p.open)),
            open = p.open,
            total = p.total,
        );
    }
    // Dates of the two ends.
    let date = |p: &BurnDownPoint| p.at.to_zoned_datetime(zone.clone()).date().to_string();
    let _ = write!(
        s,
        r##"<text x="{x1}" y="{ty}" fill="{MUTED}">{d1}</text><text x="{x2}" y="{ty}" fill="{MUTED}" text-anchor="end">{d2} (now)</text>"##,
        x1 = num(LEFT),
        x2 = num(LEFT + plot_w),
        ty = num(base + 16.0),
        d1 = date(first),
        d2 = date(last),
    );
    // Legend.
    let mut lx = LEFT;
    let ly = HEIGHT - 10.0;
    for (name, colour) in [("Open", OPEN), ("Done", DONE), ("Verified", VERIFIED)] {
        let _ = write!(
            s,
            r##"<rect x="{x}" y="{y}" width="10" height="10" fill="{colour}" fill-opacity="0.75"/><text x="{tx}" y="{ty}" fill="{INK}">{name}</text>"##,
            x = num(lx),
            y = num(ly - 9.0),
            tx = num(lx + 14.0),
            ty = num(ly),
        );
        lx += 80.0;
    }
    let _ = write!(
        s,
        r##"<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="{INK}" stroke-width="1.5" stroke-dasharray="4 3"/><text x="{tx}" y="{ty}" fill="{INK}">All actions</text><circle cx="{cx}" cy="{cy}" r="4" fill="#ffffff" stroke="{INK}" stroke-width="1.5"/><text x="{tx2}" y="{ty}" fill="{INK}">Follow-up</text>"##,
        x1 = num(lx),
        x2 = num(lx + 18.0),
        y = num(ly - 4.0),
        tx = num(lx + 22.0),
        ty = num(ly),
        cx = num(lx + 110.0),
        cy = num(ly - 4.0),
        tx2 = num(lx + 118.0),
    );
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use debrief_core::action::{ActionStatus, StatusChange, burn_down};
    use uuid::Uuid;

    fn t(h: i64) -> jiff::Timestamp {
        jiff::Timestamp::from_second(1_800_000_000 + h * 3600).unwrap()
    }

    #[test]
    fn draws_steps_markers_and_a_summary() {
        let a = Uuid::from_u128(1);
        let b = Uuid::from_u128(2);
        let changes = [
            StatusChange {
                action_id: a,
                at: t(0),
                to: ActionStatus::Open,
            },
            StatusChange {
                action_id: b,
                at: t(1),
                to: ActionStatus::Open,
            },
            StatusChange {
                action_id: a,
                at: t(30),
                to: ActionStatus::Done,
            },
        ];
        let svg = burn_down_svg(&burn_down(&changes, &[t(24)], t(48)), &TimeZone::UTC);
        assert!(
            svg.contains("1 of 2 actions still open; 1 done, 0 verified; 1 follow-up session.")
        );
        assert!(svg.contains("<circle"));
        assert!(svg.ends_with("</svg>"));
        let doc = roxmltree_free_check(&svg);
        assert!(doc, "well-formed");
    }

    #[test]
    fn an_empty_chart_says_so() {
        let svg = burn_down_svg(&[], &TimeZone::UTC);
        assert!(svg.contains("No actions yet."));
    }

    /// A cheap well-formedness check: tags balance.
    fn roxmltree_free_check(svg: &str) -> bool {
        svg.matches("<svg").count() == 1
            && svg.matches("</svg>").count() == 1
            && !svg.contains("NaN")
    }
}
