//! The Ishikawa (fishbone) diagram of a review's causes: a spine to the
//! effect in the head, one bone per cause category (all seven, empty ones
//! drawn lighter), the causes written along their bone, root causes marked.

use std::fmt::Write;

use debrief_core::review::{CauseCategory, CauseKind, Review};

use super::{num, xml_escape};
use crate::format::truncate;

/// Bones above the spine, left to right; the rest go below.
const TOP: usize = 4;
/// Where each bone meets the spine.
const BONE_X: [f64; 4] = [260.0, 440.0, 620.0, 800.0];
/// How far a bone leans back per unit of height.
const SLANT: f64 = 0.4;
/// The height of one cause: two lines of text.
const ROW: f64 = 32.0;
const LINE: f64 = 14.0;
/// Rows a bone shows before it says "+N more".
const MAX_ROWS: usize = 6;
/// Characters per line of a cause statement on its bone (two lines).
const CAUSE_CHARS: usize = 21;
const HEAD_X: f64 = 830.0;
const HEAD_W: f64 = 150.0;
const WIDTH: f64 = 990.0;

const INK: &str = "#1f2933";
const MUTED: &str = "#9aa5b1";
const ACCENT: &str = "#1f5f8b";

struct Row {
    lines: Vec<String>,
    full: String,
    root: bool,
    muted: bool,
}

/// The fishbone diagram of `review`'s causes, pointing at `effect` (the
/// incident's title, say). A standalone SVG document that can also be
/// embedded inline in HTML (no XML declaration; ids prefixed `fishbone-`).
pub fn fishbone_svg(review: &Review, effect: &str) -> String {
    let bones: Vec<(CauseCategory, Vec<Row>)> = CauseCategory::ALL
        .iter()
        .map(|&category| (category, rows(review, category)))
        .collect();
    let rows_needed = bones.iter().map(|(_, r)| r.len()).max().unwrap_or(1).max(2);
    let bone_len = 30.0 + rows_needed as f64 * ROW;
    let spine_y = 40.0 + bone_len;
    let height = spine_y + bone_len + 70.0;

    let mut s = String::new();
    let effect_one_line = crate::format::one_line(effect);
    let effect_text = if effect_one_line.is_empty() {
        "the incident".to_owned()
    } else {
        effect_one_line
    };
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-labelledby="fishbone-title fishbone-desc" font-family="DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif" font-size="12">"#,
        w = num(WIDTH),
        h = num(height),
    );
    let _ = write!(
        s,
        r#"<title id="fishbone-title">Fishbone diagram of the causes of: {}</title>"#,
        xml_escape(&effect_text)
    );
    let _ = write!(
        s,
        r#"<desc id="fishbone-desc">{}</desc>"#,
        xml_escape(&description(&bones))
    );
    let _ = write!(
        s,
        r##"<rect x="0" y="0" width="{}" height="{}" fill="#ffffff"/>"##,
        num(WIDTH),
        num(height)
    );
    // The spine and the head.
    let _ = write!(
        s,
        r#"<line x1="20" y1="{y}" x2="{x2}" y2="{y}" stroke="{INK}" stroke-width="4"/>"#,
        y = num(spine_y),
        x2 = num(HEAD_X),
    );
    head(&mut s, &effect_text, spine_y);
    // The bones.
    for (i, (category, rows)) in bones.iter().enumerate() {
        let (foot_x, up) = if i < TOP {
            (BONE_X[i], true)
        } else {
            (BONE_X[i - TOP], false)
        };
        bone(
            &mut s,
            category.label(),
            rows,
            foot_x,
            up,
            spine_y,
            bone_len,
        );
    }
    // The legend.
    let _ = write!(
        s,
        r#"<text x="20" y="{}" fill="{INK}"><tspan font-weight="bold">★ root cause</tspan> · other causes are contributing factors or triggers · lighter bones have no causes</text>"#,
        num(height - 14.0)
    );
    s.push_str("</svg>");
    s
}

fn rows(review: &Review, category: CauseCategory) -> Vec<Row> {
    let causes: Vec<_> = review
        .causes
        .iter()
        .filter(|c| c.category == category)
        .collect();
    if causes.is_empty() {
        return vec![Row {
            lines: vec!["no causes recorded".into()],
            full: "no causes recorded".into(),
            root: false,
            muted: true,
        }];
    }
    let shown = if causes.len() > MAX_ROWS {
        MAX_ROWS - 1
    } else {
        causes.len()
    };
    let mut out: Vec<Row> = causes[..shown]
        .iter()
        .map(|c| {
            let root = c.kind == CauseKind::RootCause;
            let marker = if root { "★ " } else { "" };
            Row {
                lines: wrap(&format!("{marker}{}", c.statement), CAUSE_CHARS, 2),
                full: format!(
                    "{}: {}",
                    c.kind.label(),
                    crate::format::one_line(&c.statement)
                ),
                root,
                muted: false,
            }
        })
        .collect();
    if causes.len() > shown {
        let more = format!("+{} more", causes.len() - shown);
        out.push(Row {
            lines: vec![more.clone()],
            full: more,
            root: false,
            muted: true,
        });
    }
    out
}

fn description(bones: &[(CauseCategory, Vec<Row>)]) -> String {
    let parts: Vec<String> = bones
        .iter()
        .map(|(category, rows)| {
            let real: Vec<&Row> = rows.iter().filter(|r| !r.muted).collect();
            if real.is_empty() {
                format!("{}: none", category.label())
            } else {
                let list: Vec<&str> = real.iter().map(|r| r.full.as_str()).collect();
                format!("{}: {}", category.label(), list.join("; "))
            }
        })
        .collect();
    format!("Causes by category. {}.", parts.join(". "))
}

/// The effect in a box at the end of the spine, wrapped to three lines.
fn head(s: &mut String, effect: &str, spine_y: f64) {
    let lines = wrap(effect, 16, 3);
    let h = 24.0 + lines.len() as f64 * 16.0;
    let _ = write!(
        s,
        r##"<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="8" fill="#e8f1f8" stroke="{ACCENT}" stroke-width="2"/>"##,
        x = num(HEAD_X),
        y = num(spine_y - h / 2.0),
        w = num(HEAD_W),
        h = num(h),
    );
    let first = spine_y - h / 2.0 + 12.0 + 12.0;
    for (i, line) in lines.iter().enumerate() {
        let _ = write!(
            s,
            r#"<text x="{x}" y="{y}" text-anchor="middle" font-size="13" font-weight="bold" fill="{INK}">{t}</text>"#,
            x = num(HEAD_X + HEAD_W / 2.0),
            y = num(first + i as f64 * 16.0),
            t = xml_escape(line),
        );
    }
}

/// Words packed into at most `max_lines` lines of `width` characters; the
/// last line ends in `…` when the text does not fit.
fn wrap(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let word = truncate(word, width);
        let len = current.chars().count();
        if len > 0 && len + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(&word);
    }
    if !current.is_empty() {
        lines.push(current);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        let last = lines.pop().unwrap_or_default();
        lines.push(truncate(&format!("{last}…"), width));
    }
    lines
}

fn bone(s: &mut String, label: &str, rows: &[Row], foot_x: f64, up: bool, spine_y: f64, len: f64) {
    let empty = rows.iter().all(|r| r.muted);
    let (stroke, label_fill) = if empty { (MUTED, MUTED) } else { (INK, INK) };
    let dir = if up { -1.0 } else { 1.0 };
    let tip_x = foot_x - len * SLANT;
    let tip_y = spine_y + dir * len;
    let _ = write!(s, r#"<g class="bone">"#);
    let _ = write!(
        s,
        r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{stroke}" stroke-width="2"/>"#,
        num(tip_x),
        num(tip_y),
        num(foot_x),
        num(spine_y),
    );
    let label_y = if up { tip_y - 10.0 } else { tip_y + 24.0 };
    let _ = write!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle" font-size="13" font-weight="bold" fill="{label_fill}">{}</text>"#,
        num(tip_x),
        num(label_y),
        xml_escape(label),
    );
    for (i, row) in rows.iter().enumerate() {
        // The first row sits next to the label, the next ones towards the spine.
        let d = len - 14.0 - i as f64 * ROW;
        let y = spine_y + dir * d;
        let bone_x = foot_x - d * SLANT;
        let fill = if row.muted { MUTED } else { INK };
        let weight = if row.root {
            r#" font-weight="bold""#
        } else {
            ""
        };
        let style = if row.muted && empty {
            r#" font-style="italic""#
        } else {
            ""
        };
        let _ = write!(
            s,
            r#"<g><title>{}</title><line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{stroke}" stroke-width="1"/>"#,
            xml_escape(&row.full),
            num(bone_x - 6.0),
            num(bone_x),
            y = num(y),
        );
        for (k, line) in row.lines.iter().enumerate() {
            let _ = write!(
                s,
                r#"<text x="{}" y="{}" text-anchor="end" fill="{fill}"{weight}{style}>{}</text>"#,
                num(bone_x - 8.0),
                num(y + 4.0 + k as f64 * LINE),
                xml_escape(line),
            );
        }
        s.push_str("</g>");
    }
    s.push_str("</g>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_to_the_width_and_says_when_it_cut() {
        assert_eq!(
            wrap("Ransomware encrypted the file servers", 17, 3),
            ["Ransomware", "encrypted the", "file servers"]
        );
        let long = wrap(
            "one two three four five six seven eight nine ten eleven",
            9,
            2,
        );
        assert_eq!(long.len(), 2);
        assert!(long[1].ends_with('…'), "{long:?}");
    }
}
