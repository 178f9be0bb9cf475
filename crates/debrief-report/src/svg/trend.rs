//! A monthly trend as a bar chart (PRODUCT.md §9 "Trends"): one bar per
//! month, months without data drawn as a dash rather than a zero bar, the
//! value above each bar, a month label every few bars. `role="img"` with a
//! title and a description listing every value, so the chart has a text
//! alternative besides the table the pages show next to it.

use std::fmt::Write;

use super::{num, xml_escape};

const WIDTH: f64 = 560.0;
const HEIGHT: f64 = 200.0;
const LEFT: f64 = 12.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 34.0;
const BOTTOM: f64 = 30.0;
const INK: &str = "#1f2933";
const MUTED: &str = "#6b7785";
const BAR: &str = "#2f5f8a";

/// One bar: its label ("2026-03") and value (`None`: no data that month).
pub struct TrendPoint {
    pub label: String,
    pub value: Option<f64>,
    /// The value as people read it ("3 h 12 min", "75 %").
    pub text: String,
}

/// The chart as inline SVG; `id` makes its element ids unique on a page.
pub fn trend_svg(id: &str, title: &str, points: &[TrendPoint]) -> String {
    let mut s = String::new();
    let desc: Vec<String> = points
        .iter()
        .map(|p| {
            format!(
                "{}: {}",
                p.label,
                if p.value.is_some() {
                    p.text.as_str()
                } else {
                    "no data"
                }
            )
        })
        .collect();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" class="trend" role="img" aria-labelledby="{id}-title {id}-desc" font-family="DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif" font-size="10"><title id="{id}-title">{t}</title><desc id="{id}-desc">{d}</desc>"##,
        w = num(WIDTH),
        h = num(HEIGHT),
        id = xml_escape(id),
        t = xml_escape(title),
        d = xml_escape(&desc.join("; ")),
    );
    let _ = write!(
        s,
        r##"<text x="{LEFT}" y="16" fill="{INK}" font-size="12" font-weight="bold">{}</text>"##,
        xml_escape(title)
    );
    let max = points
        .iter()
        .filter_map(|p| p.value)
        .fold(0.0_f64, f64::max);
    let n = points.len().max(1) as f64;
    let slot = (WIDTH - LEFT - RIGHT) / n;
    let bar_w = (slot * 0.7).max(1.0);
    let base = HEIGHT - BOTTOM;
    let _ = write!(
        s,
        r##"<line x1="{LEFT}" y1="{b}" x2="{x2}" y2="{b}" stroke="{MUTED}" stroke-width="1"/>"##,
        b = num(base),
        x2 = num(WIDTH - RIGHT)
    );
    let label_every = (points.len() / 8).max(1);
    for (k, p) in points.iter().enumerate() {
        let x = LEFT + slot * k as f64 + (slot - bar_w) / 2.0;
        match p.value {
            Some(v) => {
                let h = if max > 0.0 {
                    (v / max) * (base - TOP)
                } else {
                    0.0
                };
                let _ = write!(
                    s,
                    r##"<rect x="{}" y="{}" width="{}" height="{}" fill="{BAR}"><title>{}: {}</title></rect>"##,
                    num(x),
                    num(base - h),
                    num(bar_w),
                    num(h.max(0.5)),
                    xml_escape(&p.label),
                    xml_escape(&p.text)
                );
                if points.len() <= 13 {
                    let _ = write!(
                        s,
                        r##"<text x="{}" y="{}" fill="{INK}" text-anchor="middle">{}</text>"##,
                        num(x + bar_w / 2.0),
                        num(base - h - 3.0),
                        xml_escape(&p.text)
                    );
                }
            }
            None => {
                let _ = write!(
                    s,
                    r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{MUTED}" stroke-dasharray="2 2"/>"##,
                    num(x),
                    num(base - 2.0),
                    num(x + bar_w),
                    num(base - 2.0)
                );
            }
        }
        if k % label_every == 0 {
            let _ = write!(
                s,
                r##"<text x="{}" y="{}" fill="{MUTED}" text-anchor="middle">{}</text>"##,
                num(x + bar_w / 2.0),
                num(base + 14.0),
                xml_escape(&p.label)
            );
        }
    }
    s.push_str("</svg>");
    s
}
