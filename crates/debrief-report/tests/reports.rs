//! The reports end to end: snapshots of every output, the Markdown read back
//! by a CommonMark parser, and the HTML checked for what a standalone,
//! print-ready, safe document needs.

mod common;

use std::collections::HashSet;

use common::{fixture, fixture_without_review};
use debrief_report::{
    executive_html, executive_markdown, fishbone_svg, md_escape, phase_bar_svg, pir_html,
    pir_markdown,
};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

// ---- snapshots --------------------------------------------------------------

#[test]
fn the_post_incident_report_in_markdown_matches_its_snapshot() {
    insta::assert_snapshot!("pir_markdown", pir_markdown(&fixture()));
}

#[test]
fn the_post_incident_report_without_a_review_matches_its_snapshot() {
    insta::assert_snapshot!(
        "pir_markdown_without_review",
        pir_markdown(&fixture_without_review())
    );
}

#[test]
fn the_executive_summary_in_markdown_matches_its_snapshot() {
    insta::assert_snapshot!("executive_markdown", executive_markdown(&fixture()));
}

#[test]
fn the_post_incident_report_in_html_matches_its_snapshot() {
    insta::assert_snapshot!("pir_html", pir_html(&fixture()));
}

#[test]
fn the_executive_summary_in_html_matches_its_snapshot() {
    insta::assert_snapshot!("executive_html", executive_html(&fixture()));
}

#[test]
fn the_fishbone_matches_its_snapshot() {
    let input = fixture();
    insta::assert_snapshot!(
        "fishbone_svg",
        fishbone_svg(input.review.as_ref().unwrap(), &input.incident.fields.title)
    );
}

#[test]
fn the_phase_bar_matches_its_snapshot() {
    let input = fixture();
    insta::assert_snapshot!("phase_bar_svg", phase_bar_svg(&input.incident, &input.zone));
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    assert_eq!(pir_html(&fixture()), pir_html(&fixture()));
    assert_eq!(pir_markdown(&fixture()), pir_markdown(&fixture()));
}

// ---- Markdown as CommonMark ------------------------------------------------

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// The headings as (level, text) pairs.
fn headings(md: &str) -> Vec<(u8, String)> {
    let mut out = Vec::new();
    let mut current: Option<(u8, String)> = None;
    for event in Parser::new_ext(md, options()) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                current = Some((level as u8, String::new()))
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, text)) = current.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => out.extend(current.take()),
            _ => {}
        }
    }
    out
}

/// Every table as rows of cell texts (the head row first).
fn tables(md: &str) -> Vec<Vec<Vec<String>>> {
    let mut out: Vec<Vec<Vec<String>>> = Vec::new();
    let mut in_table = false;
    for event in Parser::new_ext(md, options()) {
        match event {
            Event::Start(Tag::Table(_)) => {
                in_table = true;
                out.push(Vec::new())
            }
            Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => {
                out.last_mut().unwrap().push(Vec::new())
            }
            Event::Start(Tag::TableCell) => out
                .last_mut()
                .unwrap()
                .last_mut()
                .unwrap()
                .push(String::new()),
            Event::Text(t) | Event::Code(t) if in_table => {
                if let Some(cell) = out
                    .last_mut()
                    .and_then(|t| t.last_mut())
                    .and_then(|r| r.last_mut())
                {
                    cell.push_str(&t);
                }
            }
            Event::End(TagEnd::Table) => in_table = false,
            _ => {}
        }
    }
    out
}

/// All the plain text of a document, as a reader would see it.
fn plain_text(md: &str) -> String {
    let mut out = String::new();
    for event in Parser::new_ext(md, options()) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::TableRow
                | TagEnd::TableHead,
            ) => out.push('\n'),
            _ => {}
        }
    }
    out
}

#[test]
fn the_markdown_report_parses_with_every_expected_heading() {
    let md = pir_markdown(&fixture());
    let found = headings(&md);
    assert_eq!(
        found[0],
        (
            1,
            "Post-incident report: INC-2026-0042 — Ransomware & data theft: file servers and ERP encrypted"
                .to_owned()
        ),
        "the title reads back exactly, escapes and all"
    );
    let h2: Vec<&str> = found
        .iter()
        .filter(|(l, _)| *l == 2)
        .map(|(_, t)| t.as_str())
        .collect();
    assert_eq!(
        h2,
        [
            "Summary",
            "Impact",
            "Chronology",
            "Causes",
            "Phase assessments",
            "Gaps",
            "Successes and lucky breaks",
            "Lessons learned",
            "Recommendations",
            "Answers to the lessons-learned questions",
            "Workshop record",
            "Sign-off",
            "Appendix A: Full chronology",
        ]
    );
    let h3: Vec<&str> = found
        .iter()
        .filter(|(l, _)| *l == 3)
        .map(|(_, t)| t.as_str())
        .collect();
    for expected in [
        "What happened",
        "Financial",
        "Key events",
        "Technology",
        "External / third party",
        "Detection — 2 of 5",
        "Status history",
        "Dissent",
    ] {
        assert!(h3.contains(&expected), "missing heading {expected}: {h3:?}");
    }
    // The narrative's "# of hosts" line is text, not a heading.
    assert!(!found.iter().any(|(_, t)| t.starts_with("of hosts")));
}

#[test]
fn the_markdown_tables_render_with_their_columns_intact() {
    let md = pir_markdown(&fixture());
    let tables = tables(&md);
    assert!(tables.len() >= 10, "{} tables", tables.len());
    for table in &tables {
        let width = table[0].len();
        assert!(
            table.iter().all(|row| row.len() == width),
            "a row has a different number of cells: {table:?}"
        );
    }
    let appendix = tables
        .iter()
        .find(|t| t[0] == ["Key", "When", "Kind", "Source", "Actor", "Event"])
        .expect("the full chronology is a table");
    assert_eq!(appendix.len(), 1 + 9, "a head row and nine events");
    assert!(
        appendix.iter().any(
            |row| row[5] == "Take the file servers and the ERP offline; do not pay | negotiate"
        ),
        "a `|` in an event stays in its cell"
    );
    assert!(
        appendix
            .iter()
            .any(|row| row[5] == "Backup network segmented; `svc_backup` credentials rotated"),
        "backticks and underscores read back as typed"
    );
    let financial = tables
        .iter()
        .find(|t| t[0] == ["Category", "Amount", "Certainty", "Note"])
        .expect("the financial impact is a table");
    assert_eq!(financial[4][3], "Outside counsel | US customers");
}

#[test]
fn the_markdown_names_every_duration_and_never_says_mttr() {
    let md = pir_markdown(&fixture());
    for name in [
        "time_to_detect",
        "time_to_acknowledge",
        "time_to_contain",
        "time_to_eradicate",
        "time_to_recover",
        "time_to_close",
        "time_to_review",
    ] {
        assert!(md.contains(name), "{name} is missing");
    }
    assert!(!md.to_uppercase().contains("MTTR"));
    let text = plain_text(&md);
    assert!(
        text.contains("Time to detect: ~4 d (day precision)"),
        "{text}"
    );
    assert!(text.contains("Time to contain: 13 h 25 min (minute precision)"));
}

#[test]
fn the_markdown_lists_causes_by_category_with_the_five_whys() {
    let text = plain_text(&pir_markdown(&fixture()));
    assert!(text.contains("★ Root cause: The VPN accepted password-only logins"));
    assert!(text.contains(
        "Why do exceptions have no expiry? — because The exception process predates the access policy"
    ));
    assert!(text.contains("Fishbone (Ishikawa) diagram: 6 causes in 5 of 7 categories"));
    assert!(text.contains("No causes recorded in: People, Policy."));
}

#[test]
fn the_markdown_without_a_review_says_so_and_keeps_the_facts() {
    let md = pir_markdown(&fixture_without_review());
    let text = plain_text(&md);
    assert!(text.contains("No review has been opened for this incident yet"));
    assert!(text.contains("No impact recorded yet."));
    let h2: Vec<String> = headings(&md)
        .into_iter()
        .filter(|(l, _)| *l == 2)
        .map(|(_, t)| t)
        .collect();
    assert!(h2.contains(&"Chronology".to_owned()));
    assert!(h2.contains(&"Appendix A: Full chronology".to_owned()));
    assert!(!h2.contains(&"Causes".to_owned()));
}

#[test]
fn the_executive_summary_fits_its_page_budget() {
    let md = executive_markdown(&fixture());
    let h2: Vec<String> = headings(&md)
        .into_iter()
        .filter(|(l, _)| *l == 2)
        .map(|(_, t)| t)
        .collect();
    assert_eq!(
        h2,
        [
            "What happened",
            "Impact",
            "Key durations",
            "Top recommendations",
            "Review status"
        ]
    );
    let items = Parser::new_ext(&md, options())
        .filter(|e| matches!(e, Event::Start(Tag::Item)))
        .count();
    // Impact lines (total, estimate, four operational, rating) + five recommendations.
    assert_eq!(items, 7 + 5);
    assert!(md.contains("And 1 more in the post-incident report."));
    assert!(md.contains("Approved by Dana Whitfield on 18 Sep 2026 16:00 CEST"));
    assert!(md.contains("1 dissent recorded beside the sign-off"));
}

/// Any text, escaped, reads back as one paragraph of exactly that text.
#[test]
fn escaped_text_reads_back_as_typed() {
    let nasty = [
        "# not a heading",
        "## also not",
        "- not a list",
        "+ nor this",
        "* nor this",
        "1. not ordered",
        "2026) not ordered either",
        "> not a quote",
        "=== not a setext underline",
        "--- not a rule",
        "*bold* _italic_ __strong__ `code` ~~strike~~",
        "[link](https://example.com) ![image](x.png) <https://example.com>",
        "<script>alert('x')</script> <b>html</b>",
        "a | b | c",
        "&amp; &lt; &#35; entities",
        "trailing backslash \\",
        "C:\\Users\\svc_backup\\*.lockd",
        "    indented code",
        "ünïcödé ★ → ✓",
    ];
    for s in nasty {
        let md = md_escape(s);
        let events: Vec<Event> = Parser::new_ext(&md, options()).collect();
        let text: String = events
            .iter()
            .filter_map(|e| match e {
                Event::Text(t) => Some(t.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(text, s.trim(), "{s:?} escaped as {md:?} gave {events:?}");
        assert!(
            events.iter().all(|e| matches!(
                e,
                Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) | Event::Text(_)
            )),
            "{s:?} escaped as {md:?} made structure: {events:?}"
        );
    }
}

// ---- HTML ----------------------------------------------------------------------

/// The values of every `name="…"` attribute.
fn attribute_values<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let needle = format!(" {name}=\"");
    html.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

fn assert_standalone(html: &str) {
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert!(html.contains("<meta name=\"viewport\""));
    assert!(html.contains("<title>"));
    assert!(html.contains("@page { size: A4; margin: 18mm; }"));
    assert!(html.contains("@media print"));
    // Nothing is loaded from anywhere: no src at all, links only within the page.
    assert!(attribute_values(html, "src").is_empty());
    assert!(!html.contains("<script"), "no scripts");
    assert!(!html.contains("<link"), "no external stylesheets");
    assert!(!html.contains("url("), "no CSS resources");
    assert!(!html.contains("@import"));
    let ids: Vec<&str> = attribute_values(html, "id");
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate ids: {ids:?}");
    for href in attribute_values(html, "href") {
        let target = href
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("a link leaves the page: {href}"));
        assert!(unique.contains(target), "a link to a missing id: {href}");
    }
    // Tables have a head with scoped header cells.
    assert_eq!(
        html.matches("<table").count(),
        html.matches("<thead>").count()
    );
    assert!(!html.contains("<th>"), "every header cell has a scope");
}

#[test]
fn the_html_report_is_a_standalone_print_ready_document() {
    let html = pir_html(&fixture());
    assert_standalone(&html);
    assert!(html.contains(r#"<svg xmlns="http://www.w3.org/2000/svg""#));
    assert!(html.contains(r#"aria-labelledby="fishbone-title fishbone-desc""#));
    assert!(html.contains(r#"aria-labelledby="phase-bar-title phase-bar-desc""#));
    assert!(html.contains("No workshop recorded yet."));
    // Evidence links are printed, not followed.
    assert!(html.contains("(evidence: https://siem.example.internal/alerts/88121)"));
    // The title's ampersand is escaped.
    assert!(html.contains("Ransomware &amp; data theft"));
}

#[test]
fn the_html_executive_summary_is_a_standalone_print_ready_document() {
    let html = executive_html(&fixture());
    assert_standalone(&html);
    assert!(html.contains("Time to detect</th><td>~4 d (day precision)</td>"));
    let start = html.find(r#"<section id="recommendations">"#).unwrap();
    let section = &html[start..start + html[start..].find("</section>").unwrap()];
    assert_eq!(section.matches("<li>").count(), 5, "the first five only");
    assert!(section.contains("And 1 more in the post-incident report."));
}

#[test]
fn the_html_without_a_review_is_still_a_complete_document() {
    let html = pir_html(&fixture_without_review());
    assert_standalone(&html);
    assert!(html.contains("No review has been opened for this incident yet"));
    assert!(!html.contains("fishbone-title"));
    let exec = executive_html(&fixture_without_review());
    assert_standalone(&exec);
    assert!(exec.contains("No review opened yet"));
}

#[test]
fn user_text_cannot_inject_markup_into_the_html() {
    let mut input = fixture();
    let review = input.review.as_mut().unwrap();
    review.causes[0].statement = "<script>alert('x')</script> & \"quoted\"".into();
    input.events[0].event.text = "<img src=x onerror=alert(1)>".into();
    let html = pir_html(&input);
    assert!(!html.contains("<script"));
    assert!(!html.contains("<img"));
    // askama escapes with numeric references, the SVG with named ones.
    assert!(
        html.contains("&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62; &#38; &#34;quoted&#34;")
    );
    assert!(
        html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;")
    );
    assert!(html.contains("&#60;img src=x onerror=alert(1)&#62;"));
    assert!(attribute_values(&html, "src").is_empty());
    let md = pir_markdown(&input);
    assert!(
        plain_text(&md).contains("<script>alert('x')</script> & \"quoted\""),
        "in Markdown the statement reads back as text"
    );
    assert!(
        !Parser::new_ext(&md, options())
            .any(|e| matches!(e, Event::Html(_) | Event::InlineHtml(_))),
        "and makes no HTML"
    );
}
