//! The reports as CommonMark (with GitHub-style tables): the post-incident
//! report and the executive summary. Every piece of user text goes through
//! [`md_escape`] (inline) or `md_block` (paragraphs), so a title starting
//! with `#` or a cause containing `|` cannot change the document's structure.

use std::fmt::Write;

use crate::ReportInput;
use crate::format::{TimeText, one_line};
use crate::view::{self, EventRow, ReportView, ReviewView};

/// Escapes text for use inline in CommonMark: in a paragraph, a heading, a
/// list item or a table cell. Newlines become spaces; the characters that
/// start emphasis, code, links, HTML, tables, strikethrough and entities are
/// backslash-escaped; and what would open a block at the start (`-`, `+`,
/// `=`, `1.`, `1)`) is escaped there.
pub fn md_escape(text: &str) -> String {
    let line = one_line(text);
    let mut out = String::with_capacity(line.len() + 8);
    for c in line.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '#' | '!'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    escape_line_start(out)
}

/// Escapes what would start a block: a list bullet, a setext underline, an
/// ordered-list number.
fn escape_line_start(line: String) -> String {
    if line.starts_with(['-', '+', '=']) {
        return format!("\\{line}");
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=9).contains(&digits) && matches!(line.as_bytes().get(digits), Some(b'.' | b')')) {
        return format!("{}\\{}", &line[..digits], &line[digits..]);
    }
    line
}

/// Escapes multi-line text as paragraphs: blank lines separate paragraphs,
/// single line breaks are kept as hard breaks, every line escaped.
fn md_block(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut paragraphs: Vec<Vec<String>> = vec![Vec::new()];
    for line in text.lines() {
        if line.trim().is_empty() {
            if paragraphs.last().is_some_and(|p| !p.is_empty()) {
                paragraphs.push(Vec::new());
            }
        } else if let Some(p) = paragraphs.last_mut() {
            p.push(md_escape(line));
        }
    }
    paragraphs
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| p.join("\\\n"))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// A cell: escaped, or a dash when empty.
fn cell(text: &str) -> String {
    if text.trim().is_empty() {
        "—".to_owned()
    } else {
        md_escape(text)
    }
}

/// A table; cells are already escaped.
fn table(out: &mut String, headers: &[&str], rows: &[Vec<String>]) {
    let _ = writeln!(out, "| {} |", headers.join(" | "));
    let _ = writeln!(
        out,
        "|{}",
        headers.iter().map(|_| "---|").collect::<String>()
    );
    for row in rows {
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
    out.push('\n');
}

/// Ends what came before with exactly one blank line.
fn blank_line(out: &mut String) {
    while !out.ends_with("\n\n") {
        out.push('\n');
    }
    while out.ends_with("\n\n\n") {
        out.pop();
    }
}

fn time(t: &TimeText) -> String {
    md_escape(&t.text)
}

/// The post-incident report (PRODUCT.md §10) as CommonMark.
pub fn pir_markdown(input: &ReportInput) -> String {
    let v = view::build(input);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Post-incident report: {} — {}\n",
        md_escape(&v.key),
        md_escape(&v.title)
    );
    facts(&mut out, &v);
    summary(&mut out, &v);
    impact(&mut out, &v);
    chronology(&mut out, &v);
    match &v.review {
        None => {
            out.push_str("## Review\n\n");
            out.push_str(
                "No review has been opened for this incident yet, so there are no causes, \
                 assessments, lessons or recommendations to report. The facts and the \
                 chronology above are as recorded.\n\n",
            );
            durations_table(&mut out, &v);
        }
        Some(r) => {
            causes(&mut out, r);
            assessments(&mut out, &v, r);
            gaps(&mut out, r);
            observations(&mut out, r);
            lessons(&mut out, r);
            recommendations(&mut out, r);
            answers(&mut out, r);
        }
    }
    out.push_str("## Workshop record\n\nNo workshop recorded yet.\n\n");
    if let Some(r) = &v.review {
        sign_off(&mut out, r);
    }
    appendix(&mut out, &v);
    footer(&mut out, &v);
    out
}

fn facts(out: &mut String, v: &ReportView) {
    for f in &v.facts {
        let _ = writeln!(out, "- **{}:** {}", f.label, md_escape(&f.value));
    }
    let _ = writeln!(
        out,
        "- **Generated:** {}; times are shown in {}\n",
        time(&v.generated),
        md_escape(&v.zone_name)
    );
}

fn summary(out: &mut String, v: &ReportView) {
    out.push_str("## Summary\n\n");
    let text = v.summary();
    if text.trim().is_empty() {
        out.push_str("No summary written yet.\n\n");
    } else {
        let _ = writeln!(out, "{}\n", md_block(text));
    }
    if let Some(r) = &v.review
        && !r.narrative.trim().is_empty()
    {
        let _ = writeln!(out, "### What happened\n\n{}\n", md_block(&r.narrative));
    }
}

fn pairs(out: &mut String, heading: &str, rows: &[(String, String)]) {
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(out, "### {heading}\n");
    let rows: Vec<Vec<String>> = rows.iter().map(|(k, v)| vec![cell(k), cell(v)]).collect();
    table(out, &["Measure", "Value"], &rows);
}

fn impact(out: &mut String, v: &ReportView) {
    out.push_str("## Impact\n\n");
    let i = &v.impact;
    if i.is_empty() {
        out.push_str("No impact recorded yet.\n\n");
        return;
    }
    if let Some(rating) = &i.overall_rating {
        let _ = writeln!(out, "**Overall rating (VERIS):** {}\n", md_escape(rating));
    }
    if !i.financial.is_empty() || i.total.is_some() || !i.total_notes.is_empty() {
        out.push_str("### Financial\n\n");
        if !i.financial.is_empty() {
            let rows: Vec<Vec<String>> = i
                .financial
                .iter()
                .map(|f| {
                    vec![
                        cell(&f.category),
                        cell(&f.amount),
                        cell(&f.certainty),
                        cell(&f.note),
                    ]
                })
                .collect();
            table(out, &["Category", "Amount", "Certainty", "Note"], &rows);
        }
        match &i.total {
            Some(total) => {
                let _ = writeln!(out, "**Total:** {}\n", md_escape(total));
            }
            None => {
                out.push_str("**Total:** not available: a needed exchange rate is missing.\n\n")
            }
        }
        for note in &i.total_notes {
            let _ = writeln!(out, "- {}", md_escape(note));
        }
        if !i.total_notes.is_empty() {
            out.push('\n');
        }
    }
    if let Some(change) = &i.estimate_change {
        let _ = writeln!(out, "**Estimate:** {}\n", md_escape(change));
    }
    pairs(out, "Operational", &i.operational);
    pairs(out, "Data", &i.data);
    pairs(out, "Reputational", &i.reputational);
}

fn event_line(e: &EventRow) -> String {
    let actor = if e.actor.is_empty() {
        String::new()
    } else {
        format!(" ({})", md_escape(&e.actor))
    };
    format!(
        "**{}** · {} · {}{actor}",
        time(&e.time),
        e.kind,
        md_escape(&e.text)
    )
}

fn chronology(out: &mut String, v: &ReportView) {
    out.push_str("## Chronology\n\n### Lifecycle\n\n");
    let rows: Vec<Vec<String>> = v
        .lifecycle
        .iter()
        .map(|l| {
            vec![
                l.label.clone(),
                l.time.as_ref().map_or_else(|| "unknown".to_owned(), time),
                l.meaning.to_owned(),
            ]
        })
        .collect();
    table(out, &["Moment", "When", "Meaning"], &rows);
    out.push_str("### Key events\n\n");
    if v.key_events.is_empty() {
        out.push_str("No events are marked as key events.");
    } else {
        for e in &v.key_events {
            let _ = writeln!(out, "- {}", event_line(e));
        }
        out.push('\n');
        out.push_str("Key events only.");
    }
    let _ = writeln!(
        out,
        " The full chronology ({}) is in Appendix A.\n",
        view::plural(v.events.len(), "event", "events")
    );
}

fn durations_table(out: &mut String, v: &ReportView) {
    out.push_str("### Derived durations\n\n");
    let rows: Vec<Vec<String>> = v
        .durations
        .iter()
        .map(|d| {
            vec![
                format!("{} (`{}`)", d.label, d.name),
                d.definition.to_owned(),
                md_escape(&d.value),
            ]
        })
        .collect();
    table(out, &["Duration", "From → to", "Value"], &rows);
}

fn causes(out: &mut String, r: &ReviewView) {
    out.push_str("## Causes\n\n");
    let _ = writeln!(
        out,
        "Fishbone (Ishikawa) diagram: {}. The diagram is drawn in the HTML report; \
         the causes are listed here by category.\n",
        md_escape(&r.fishbone_text())
    );
    for category in r.categories_with_causes() {
        let _ = writeln!(out, "### {}\n", category.label);
        for c in &category.causes {
            let star = if c.root { "★ " } else { "" };
            let _ = writeln!(out, "- **{star}{}:** {}", c.kind, md_escape(&c.statement));
            if !c.whys.is_empty() || !c.evidence.is_empty() {
                out.push('\n');
            }
            if !c.whys.is_empty() {
                out.push_str("  Five whys:\n\n");
                for (i, w) in c.whys.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "  {}. {} — because {}",
                        i + 1,
                        md_escape(&w.why),
                        md_escape(&w.because)
                    );
                }
                out.push('\n');
            }
            if !c.evidence.is_empty() {
                let list: Vec<String> = c.evidence.iter().map(|e| md_escape(e)).collect();
                let _ = writeln!(out, "  Evidence: {}\n", list.join("; "));
            }
        }
        blank_line(out);
    }
    let empty = r.empty_categories();
    if !empty.is_empty() {
        let _ = writeln!(out, "No causes recorded in: {empty}.\n");
    }
}

fn assessments(out: &mut String, v: &ReportView, r: &ReviewView) {
    out.push_str("## Phase assessments\n\n");
    out.push_str("Ratings run from 1 (poor) to 5 (excellent).\n\n");
    let rows: Vec<Vec<String>> = r
        .phases
        .iter()
        .map(|p| {
            vec![
                p.label.to_owned(),
                p.rating_text.clone(),
                p.duration.as_ref().map_or_else(
                    || "—".to_owned(),
                    |d| format!("{}: {}", d.label, md_escape(&d.value)),
                ),
            ]
        })
        .collect();
    table(out, &["Phase", "Rating", "Derived duration"], &rows);
    for p in r.phases.iter().filter(|p| p.rating.is_some()) {
        let _ = writeln!(out, "### {} — {}\n", p.label, p.rating_text);
        if let Some(d) = &p.duration {
            let _ = writeln!(
                out,
                "**{}** ({}): {}\n",
                d.label,
                d.definition,
                md_escape(&d.value)
            );
        }
        if !p.went_well.trim().is_empty() {
            let _ = writeln!(out, "**What went well:** {}\n", md_escape(&p.went_well));
        }
        if !p.to_improve.trim().is_empty() {
            let _ = writeln!(out, "**To improve:** {}\n", md_escape(&p.to_improve));
        }
        if !p.evidence.is_empty() {
            let list: Vec<String> = p.evidence.iter().map(|e| md_escape(e)).collect();
            let _ = writeln!(out, "**Evidence:** {}\n", list.join("; "));
        }
    }
    durations_table(out, v);
}

fn gaps(out: &mut String, r: &ReviewView) {
    out.push_str("## Gaps\n\n");
    if r.gaps.is_empty() {
        out.push_str("No gaps recorded.\n\n");
        return;
    }
    let rows: Vec<Vec<String>> = r
        .gaps
        .iter()
        .map(|g| {
            vec![
                g.area.to_owned(),
                g.severity.to_owned(),
                cell(&g.description),
            ]
        })
        .collect();
    table(out, &["Area", "Severity", "Description"], &rows);
}

fn list(out: &mut String, items: &[String], none: &str) {
    if items.is_empty() {
        let _ = writeln!(out, "{none}\n");
        return;
    }
    for item in items {
        let _ = writeln!(out, "- {}", md_escape(item));
    }
    out.push('\n');
}

fn observations(out: &mut String, r: &ReviewView) {
    out.push_str("## Successes and lucky breaks\n\n### What went well\n\n");
    list(out, &r.went_well, "Nothing recorded.");
    out.push_str("### Where we got lucky\n\n");
    list(out, &r.lucky, "Nothing recorded.");
}

fn lessons(out: &mut String, r: &ReviewView) {
    out.push_str("## Lessons learned\n\n");
    if r.lessons.is_empty() {
        out.push_str("No lessons recorded yet.\n\n");
        return;
    }
    for l in &r.lessons {
        if l.tags.is_empty() {
            let _ = writeln!(out, "- {}", md_escape(&l.statement));
        } else {
            let _ = writeln!(
                out,
                "- {} (tags: {})",
                md_escape(&l.statement),
                md_escape(&l.tags)
            );
        }
    }
    out.push('\n');
}

fn recommendations(out: &mut String, r: &ReviewView) {
    out.push_str("## Recommendations\n\n");
    if r.recommendations.is_empty() {
        out.push_str("No recommendations recorded yet.\n\n");
        return;
    }
    for (i, rec) in r.recommendations.iter().enumerate() {
        let _ = writeln!(out, "{}. {}", i + 1, md_escape(rec));
    }
    out.push('\n');
}

fn answers(out: &mut String, r: &ReviewView) {
    out.push_str("## Answers to the lessons-learned questions\n\n");
    let _ = writeln!(out, "Question template: {}.\n", md_escape(&r.template_name));
    for a in &r.answers {
        let _ = writeln!(out, "**{}. {}**\n", a.number, md_escape(&a.question));
        match &a.answer {
            Some(text) => {
                let _ = writeln!(out, "{}\n", md_block(text));
            }
            None => out.push_str("Not answered.\n\n"),
        }
    }
}

fn sign_off(out: &mut String, r: &ReviewView) {
    out.push_str("## Sign-off\n\n");
    let _ = writeln!(out, "- **Review status:** {}", r.status);
    match (&r.approved_by, &r.approved_at) {
        (Some(by), Some(at)) => {
            let _ = writeln!(out, "- **Approved by:** {}", md_escape(by));
            let _ = writeln!(out, "- **Approved at:** {}", time(at));
        }
        _ => out.push_str("- **Approved:** not yet\n"),
    }
    let _ = writeln!(
        out,
        "- **Opened by:** {} on {}\n",
        md_escape(&r.opened_by),
        time(&r.opened_at)
    );
    out.push_str("### Status history\n\n");
    if r.history.is_empty() {
        out.push_str("The review has not changed status since it was opened.\n\n");
    } else {
        let rows: Vec<Vec<String>> = r
            .history
            .iter()
            .map(|t| {
                vec![
                    t.from.to_owned(),
                    t.to.to_owned(),
                    cell(&t.by),
                    time(&t.at),
                    cell(&t.note),
                ]
            })
            .collect();
        table(out, &["From", "To", "By", "When", "Note"], &rows);
    }
    out.push_str("### Dissent\n\n");
    if r.dissent.is_empty() {
        out.push_str("No dissent recorded.\n\n");
    } else {
        for d in &r.dissent {
            let _ = writeln!(
                out,
                "- **{}**, {}: {}",
                md_escape(&d.by),
                time(&d.at),
                md_escape(&d.text)
            );
        }
        out.push('\n');
    }
}

fn appendix(out: &mut String, v: &ReportView) {
    out.push_str("## Appendix A: Full chronology\n\n");
    if v.events.is_empty() {
        out.push_str("No timeline events recorded.\n\n");
        return;
    }
    out.push_str("★ marks a key event.\n\n");
    let rows: Vec<Vec<String>> = v
        .events
        .iter()
        .map(|e| {
            let mut text = cell(&e.text);
            if !e.evidence_url.is_empty() {
                text.push_str(&format!(" (evidence: {})", md_escape(&e.evidence_url)));
            }
            vec![
                if e.key { "★".into() } else { String::new() },
                time(&e.time),
                e.kind.to_owned(),
                cell(&e.source),
                cell(&e.actor),
                text,
            ]
        })
        .collect();
    table(
        out,
        &["Key", "When", "Kind", "Source", "Actor", "Event"],
        &rows,
    );
}

fn footer(out: &mut String, v: &ReportView) {
    let _ = writeln!(
        out,
        "---\n\nGenerated by debrief on {}. Times are shown in {}; date-only values are shown \
         on the date they were written.",
        time(&v.generated),
        md_escape(&v.zone_name)
    );
}

/// The one-page executive summary as CommonMark.
pub fn executive_markdown(input: &ReportInput) -> String {
    let v = view::build(input);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Executive summary: {} — {}\n",
        md_escape(&v.key),
        md_escape(&v.title)
    );
    let _ = writeln!(
        out,
        "**{}** severity · {} · incident {} · review: {}\n",
        v.severity_word,
        md_escape(&v.category),
        v.status.to_lowercase(),
        md_escape(&v.review_status_line())
    );
    out.push_str("## What happened\n\n");
    let (text, cut) = v.short_summary();
    if text.is_empty() {
        out.push_str("No summary written yet.\n\n");
    } else {
        let _ = writeln!(out, "{}\n", md_block(&text));
        if cut {
            out.push_str("The full text is in the post-incident report.\n\n");
        }
    }
    out.push_str("## Impact\n\n");
    let i = &v.impact;
    if i.is_empty() {
        out.push_str("No impact recorded yet.\n\n");
    } else {
        match &i.total {
            Some(total) => {
                let _ = writeln!(out, "- **Financial impact:** {}", md_escape(total));
            }
            None if !i.financial.is_empty() => out
                .push_str("- **Financial impact:** no total: a needed exchange rate is missing\n"),
            None => {}
        }
        if let Some(change) = &i.estimate_change {
            let _ = writeln!(out, "- **Estimate:** {}", md_escape(change));
        }
        for (k, val) in &i.operational {
            let _ = writeln!(out, "- **{}:** {}", md_escape(k), md_escape(val));
        }
        if let Some(rating) = &i.overall_rating {
            let _ = writeln!(out, "- **Overall rating (VERIS):** {}", md_escape(rating));
        }
        out.push('\n');
    }
    out.push_str("## Key durations\n\n");
    let rows: Vec<Vec<String>> = v
        .key_durations()
        .map(|d| {
            vec![
                format!("{} (`{}`)", d.label, d.name),
                d.definition.to_owned(),
                md_escape(&d.value),
            ]
        })
        .collect();
    table(&mut out, &["Duration", "From → to", "Value"], &rows);
    out.push_str("## Top recommendations\n\n");
    match &v.review {
        Some(r) if !r.recommendations.is_empty() => {
            for (n, rec) in r.top_recommendations().iter().enumerate() {
                let _ = writeln!(out, "{}. {}", n + 1, md_escape(rec));
            }
            out.push('\n');
            if r.more_recommendations() > 0 {
                let _ = writeln!(
                    out,
                    "And {} more in the post-incident report.\n",
                    r.more_recommendations()
                );
            }
        }
        Some(_) => out.push_str("No recommendations recorded yet.\n\n"),
        None => out.push_str("No review opened yet.\n\n"),
    }
    out.push_str("## Review status\n\n");
    let _ = writeln!(out, "{}.", md_escape(&v.review_status_line()));
    if let Some(d) = v.dissent_line() {
        let _ = writeln!(out, "{d}.");
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "---\n\nGenerated by debrief on {}. Times are shown in {}.",
        time(&v.generated),
        md_escape(&v.zone_name)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md_escape_neutralises_inline_markup() {
        assert_eq!(
            md_escape("a *b* _c_ `d` [e](f) <g> h|i ~j~ &amp;"),
            r"a \*b\* \_c\_ \`d\` \[e\](f) \<g\> h\|i \~j\~ \&amp;"
        );
    }

    #[test]
    fn md_escape_neutralises_block_starts() {
        assert_eq!(md_escape("# heading"), r"\# heading");
        assert_eq!(md_escape("- item"), r"\- item");
        assert_eq!(md_escape("+ item"), r"\+ item");
        assert_eq!(md_escape("==="), r"\===");
        assert_eq!(md_escape("2026. a year"), r"2026\. a year");
        assert_eq!(md_escape("1) first"), r"1\) first");
        assert_eq!(md_escape("> quote"), r"\> quote");
        assert_eq!(md_escape("  indented code"), "indented code");
    }

    #[test]
    fn md_escape_joins_lines_and_keeps_plain_text_plain() {
        assert_eq!(md_escape("two\nlines"), "two lines");
        assert_eq!(md_escape("12,500.00 EUR (est.)"), "12,500.00 EUR (est.)");
        assert_eq!(md_escape("a\\b"), r"a\\b");
    }

    #[test]
    fn md_block_keeps_paragraphs_and_line_breaks() {
        assert_eq!(
            md_block("# one\n- two\r\n\n\nthree"),
            "\\# one\\\n\\- two\n\nthree"
        );
    }
}
