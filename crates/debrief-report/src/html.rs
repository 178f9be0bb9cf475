//! The reports as standalone, print-ready HTML documents, rendered with
//! askama (compile-time-checked, auto-escaping templates in `templates/`).
//! The stylesheet is embedded and the SVG pictures are inline, so a report
//! loads nothing from anywhere and a browser's print-to-PDF gives a clean A4
//! document.

use askama::Template;

use crate::ReportInput;
use crate::svg::{fishbone::fishbone_svg, phase_bar::phase_bar_svg};
use crate::view::{self, ReportView};

/// Our own stylesheet, embedded in every report (trusted, not user text).
pub(crate) const CSS: &str = include_str!("../templates/report.css");

#[derive(Template)]
#[template(path = "pir.html")]
struct PirPage<'a> {
    doc_title: String,
    css: &'static str,
    v: &'a ReportView,
    /// Generated and escaped by `svg::fishbone`; embedded with `|safe`.
    fishbone: String,
    /// Generated and escaped by `svg::phase_bar`; embedded with `|safe`.
    phase_bar: String,
}

#[derive(Template)]
#[template(path = "executive.html")]
struct ExecutivePage<'a> {
    doc_title: String,
    css: &'static str,
    v: &'a ReportView,
}

/// The post-incident report (PRODUCT.md §10) as a standalone HTML document
/// with the fishbone diagram and the phase bar inline.
pub fn pir_html(input: &ReportInput) -> String {
    let v = view::build(input);
    let page = PirPage {
        doc_title: format!("Post-incident report {} — {}", v.key, v.title),
        css: CSS,
        v: &v,
        fishbone: input
            .review
            .as_ref()
            .map(|r| fishbone_svg(r, &input.incident.fields.title))
            .unwrap_or_default(),
        phase_bar: phase_bar_svg(&input.incident, &input.zone),
    };
    render(&page)
}

/// The one-page executive summary as a standalone HTML document: what
/// happened, the impact in money and customers, the key durations, the top
/// recommendations and where the review stands. Kept to one printed A4 page
/// (long texts are shortened; the phase bar stays in the full report).
pub fn executive_html(input: &ReportInput) -> String {
    let v = view::build(input);
    let page = ExecutivePage {
        doc_title: format!("Executive summary {} — {}", v.key, v.title),
        css: CSS,
        v: &v,
    };
    render(&page)
}

/// Rendering writes into a `String`, which cannot fail; the templates call
/// no fallible filters.
fn render(page: &impl Template) -> String {
    page.render()
        .expect("rendering a report template into a String cannot fail")
}
