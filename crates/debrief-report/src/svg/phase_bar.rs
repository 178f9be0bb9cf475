//! The phase bar: started → detected → contained → eradicated → recovered as
//! one horizontal bar, each segment as wide as its share of the time (with a
//! minimum, so a short phase stays visible), each labelled with its duration
//! by name; unknown moments drawn grey and dashed, and said to be unknown.

use std::fmt::Write;

use debrief_core::{DerivedDuration, DurationName, Incident, LifecycleField, Timestamp};
use jiff::tz::TimeZone;

use super::{num, text_width, xml_escape};
use crate::format;

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 194.0;
const BAR_X: f64 = 20.0;
const BAR_W: f64 = 720.0;
const BAR_Y: f64 = 48.0;
const BAR_H: f64 = 28.0;
/// The narrowest a known segment is drawn.
const MIN_SEGMENT: f64 = 60.0;
/// The width of a segment whose length is unknown.
const UNKNOWN_SEGMENT: f64 = 100.0;

const INK: &str = "#1f2933";
const MUTED: &str = "#6b7785";

const POINTS: [LifecycleField; 5] = [
    LifecycleField::Started,
    LifecycleField::Detected,
    LifecycleField::Contained,
    LifecycleField::Eradicated,
    LifecycleField::Recovered,
];

/// One segment: its name (a §2 duration where one fits exactly, else its
/// two ends) and its colour.
const SEGMENTS: [(&str, &str); 4] = [
    ("Time to detect", "#a93226"),
    ("Time to contain", "#9c640c"),
    ("Contained → eradicated", "#6c5b0f"),
    ("Eradicated → recovered", "#1e7145"),
];

struct Segment {
    name: &'static str,
    colour: &'static str,
    duration: Option<DerivedDuration>,
    width: f64,
}

/// The phase bar of `incident`'s lifecycle, instants shown in `zone`. A
/// standalone SVG document that can also be embedded inline in HTML (no XML
/// declaration; ids prefixed `phase-bar-`).
pub fn phase_bar_svg(incident: &Incident, zone: &TimeZone) -> String {
    let lifecycle = &incident.fields.lifecycle;
    let points: Vec<Option<Timestamp>> = POINTS.iter().map(|&f| lifecycle.get(f)).collect();
    let mut segments: Vec<Segment> = SEGMENTS
        .iter()
        .enumerate()
        .map(|(i, &(name, colour))| Segment {
            name,
            colour,
            duration: match (points[i], points[i + 1]) {
                (Some(a), Some(b)) => Some(DerivedDuration::between(a, b)),
                _ => None,
            },
            width: 0.0,
        })
        .collect();
    layout(&mut segments);
    let time_to_recover = incident.fields.lifecycle.durations(None);
    let time_to_recover = time_to_recover.get(DurationName::TimeToRecover);

    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-labelledby="phase-bar-title phase-bar-desc" font-family="DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif" font-size="11">"#,
        w = num(WIDTH),
        h = num(HEIGHT),
    );
    let _ = write!(
        s,
        r#"<title id="phase-bar-title">Phase bar of {}: started → detected → contained → eradicated → recovered</title>"#,
        xml_escape(&incident.key.to_string())
    );
    let _ = write!(
        s,
        r#"<desc id="phase-bar-desc">{}</desc>"#,
        xml_escape(&description(&points, &segments, time_to_recover, zone))
    );
    let _ = write!(
        s,
        r##"<rect x="0" y="0" width="{}" height="{}" fill="#ffffff"/>"##,
        num(WIDTH),
        num(HEIGHT)
    );

    // Segments.
    let mut x = BAR_X;
    let mut xs = vec![x];
    for seg in &segments {
        match seg.duration {
            Some(d) => {
                let _ = write!(
                    s,
                    r##"<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#ffffff" stroke-width="1"/>"##,
                    num(x),
                    num(BAR_Y),
                    num(seg.width),
                    num(BAR_H),
                    seg.colour,
                );
                let label = d.human();
                if text_width(&label, 11.0) + 8.0 <= seg.width {
                    let _ = write!(
                        s,
                        r##"<text x="{}" y="{}" text-anchor="middle" fill="#ffffff" font-weight="bold">{}</text>"##,
                        num(x + seg.width / 2.0),
                        num(BAR_Y + BAR_H / 2.0 + 4.0),
                        xml_escape(&label),
                    );
                }
            }
            None => {
                let _ = write!(
                    s,
                    r##"<rect x="{}" y="{}" width="{}" height="{}" fill="#eef0f2" stroke="{MUTED}" stroke-width="1.5" stroke-dasharray="5 4"/><text x="{}" y="{}" text-anchor="middle" fill="{MUTED}" font-style="italic">unknown</text>"##,
                    num(x + 0.75),
                    num(BAR_Y + 0.75),
                    num(seg.width - 1.5),
                    num(BAR_H - 1.5),
                    num(x + seg.width / 2.0),
                    num(BAR_Y + BAR_H / 2.0 + 4.0),
                );
            }
        }
        x += seg.width;
        xs.push(x);
    }

    // Moments: even ones above the bar, odd ones below, so neighbours never collide.
    for (i, (&field, point)) in POINTS.iter().zip(&points).enumerate() {
        let px = xs[i];
        let above = i % 2 == 0;
        let anchor = match i {
            0 => "start",
            4 => "end",
            _ => "middle",
        };
        let (tick_y1, tick_y2, name_y, time_y) = if above {
            (BAR_Y - 12.0, BAR_Y + BAR_H, BAR_Y - 30.0, BAR_Y - 17.0)
        } else {
            (
                BAR_Y,
                BAR_Y + BAR_H + 12.0,
                BAR_Y + BAR_H + 25.0,
                BAR_Y + BAR_H + 38.0,
            )
        };
        let (stroke, dash, fill, time) = match point {
            Some(t) => (INK, "", INK, format::timestamp(*t, zone).short),
            None => (
                MUTED,
                r#" stroke-dasharray="3 3""#,
                MUTED,
                "unknown".to_owned(),
            ),
        };
        let _ = write!(
            s,
            r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{stroke}" stroke-width="2"{dash}/>"#,
            num(tick_y1),
            num(tick_y2),
            x = num(px),
        );
        let _ = write!(
            s,
            r#"<text x="{x}" y="{}" text-anchor="{anchor}" font-weight="bold" fill="{fill}">{}</text><text x="{x}" y="{}" text-anchor="{anchor}" fill="{fill}">{}</text>"#,
            num(name_y),
            xml_escape(&format::capitalise(field.as_str())),
            num(time_y),
            xml_escape(&time),
            x = num(px),
        );
    }

    // The durations by name, under the bar, two to a line.
    let parts: Vec<String> = segments
        .iter()
        .map(|seg| format!("{}: {}", seg.name, human(seg.duration)))
        .collect();
    for (line, pair) in parts.chunks(2).enumerate() {
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" fill="{INK}">{}</text>"#,
            num(BAR_X),
            num(HEIGHT - 48.0 + line as f64 * 16.0),
            xml_escape(&pair.join(" · ")),
        );
    }
    let _ = write!(
        s,
        r#"<text x="{}" y="{}" fill="{INK}"><tspan font-weight="bold">Time to recover</tspan> (started → recovered): {}</text>"#,
        num(BAR_X),
        num(HEIGHT - 12.0),
        xml_escape(&format::duration(time_to_recover)),
    );
    s.push_str("</svg>");
    s
}

fn human(d: Option<DerivedDuration>) -> String {
    d.map_or_else(|| "unknown".to_owned(), |d| d.human())
}

/// Widths: unknown segments get a fixed width; known ones share the rest in
/// proportion to their length, each at least [`MIN_SEGMENT`].
fn layout(segments: &mut [Segment]) {
    let unknown = segments.iter().filter(|s| s.duration.is_none()).count();
    let known = segments.len() - unknown;
    if known == 0 {
        let each = BAR_W / segments.len() as f64;
        segments.iter_mut().for_each(|s| s.width = each);
        return;
    }
    let available = BAR_W - unknown as f64 * UNKNOWN_SEGMENT;
    let spare = available - known as f64 * MIN_SEGMENT;
    let total: i64 = segments
        .iter()
        .filter_map(|s| s.duration)
        .map(|d| d.seconds)
        .sum();
    for seg in segments.iter_mut() {
        seg.width = match seg.duration {
            None => UNKNOWN_SEGMENT,
            Some(_) if total == 0 => available / known as f64,
            Some(d) => MIN_SEGMENT + spare * d.seconds as f64 / total as f64,
        };
    }
}

fn description(
    points: &[Option<Timestamp>],
    segments: &[Segment],
    time_to_recover: Option<DerivedDuration>,
    zone: &TimeZone,
) -> String {
    let moments: Vec<String> = POINTS
        .iter()
        .zip(points)
        .map(|(f, p)| {
            let when = p.map_or_else(|| "unknown".to_owned(), |t| format::timestamp(t, zone).text);
            format!("{} {when}", format::capitalise(f.as_str()))
        })
        .collect();
    let lengths: Vec<String> = segments
        .iter()
        .map(|s| format!("{}: {}", s.name, format::duration(s.duration)))
        .collect();
    format!(
        "{}. {}. Time to recover (started → recovered): {}.",
        moments.join("; "),
        lengths.join("; "),
        format::duration(time_to_recover)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use debrief_core::Precision;

    fn seg(seconds: Option<i64>) -> Segment {
        Segment {
            name: "x",
            colour: "#000",
            duration: seconds.map(|seconds| DerivedDuration {
                seconds,
                precision: Precision::Minute,
            }),
            width: 0.0,
        }
    }

    #[test]
    fn widths_are_proportional_with_a_minimum_and_fill_the_bar() {
        let mut s = [
            seg(Some(60)),
            seg(Some(86_400)),
            seg(None),
            seg(Some(3_600)),
        ];
        layout(&mut s);
        let total: f64 = s.iter().map(|s| s.width).sum();
        assert!((total - BAR_W).abs() < 1e-6, "{total}");
        assert!(s[0].width >= MIN_SEGMENT && s[0].width < s[3].width);
        assert!(s[1].width > s[3].width);
        assert_eq!(s[2].width, UNKNOWN_SEGMENT);
    }

    #[test]
    fn a_bar_with_nothing_known_is_four_equal_unknown_segments() {
        let mut s = [seg(None), seg(None), seg(None), seg(None)];
        layout(&mut s);
        assert!(s.iter().all(|s| s.width == BAR_W / 4.0));
    }
}
