//! Linting whole documents for blameless language (PRODUCT.md §7): the prose
//! of a Markdown file without its code, link targets, HTML and markup, with
//! findings placed at their lines and columns in the original file; and rule
//! files read from JSON. The CLI's `debrief lint` uses this, and so can the
//! web server for review text.

use debrief_core::lint::{Finding, LintContext, LintRule, RuleSet, lint, set_positions};
use debrief_core::{FieldError, FieldErrors};
use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};

/// The prose of one Markdown block (paragraph, heading, list item, table
/// cell …) at its place in the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextSegment {
    /// Byte offset of the block's first prose character in the document.
    pub offset: usize,
    /// The document's bytes from there to the block's last prose character,
    /// with everything that is not prose (emphasis marks, inline code, link
    /// targets, inline HTML, list and quote markers) replaced by spaces and
    /// line breaks kept. Byte `i` of `text` is byte `offset + i` of the
    /// document.
    pub text: String,
}

/// The prose blocks of a Markdown document, in order. Fenced and indented
/// code blocks, HTML blocks, front matter, inline code, link and image
/// targets and autolinks are left out.
pub fn markdown_segments(markdown: &str) -> Vec<TextSegment> {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS;
    let mut segments = Vec::new();
    let mut prose: Vec<(usize, usize)> = Vec::new();
    // Inside a code block, an HTML block, front matter or an autolink.
    let mut skipping = 0usize;
    // For each open link: whether it is an autolink (its text is its URL).
    let mut links: Vec<bool> = Vec::new();
    for (event, range) in Parser::new_ext(markdown, options).into_offset_iter() {
        match event {
            Event::Start(tag) => {
                if !is_inline(&tag) {
                    flush(markdown, &mut prose, &mut segments);
                }
                match tag {
                    Tag::CodeBlock(_) | Tag::HtmlBlock | Tag::MetadataBlock(_) => skipping += 1,
                    Tag::Link { link_type, .. } => {
                        let auto = matches!(link_type, LinkType::Autolink | LinkType::Email);
                        skipping += usize::from(auto);
                        links.push(auto);
                    }
                    _ => {}
                }
            }
            Event::End(end) => {
                match end {
                    TagEnd::CodeBlock | TagEnd::HtmlBlock | TagEnd::MetadataBlock(_) => {
                        skipping = skipping.saturating_sub(1);
                    }
                    TagEnd::Link => {
                        let auto = links.pop().unwrap_or(false);
                        skipping = skipping.saturating_sub(usize::from(auto));
                    }
                    _ => {}
                }
                if !is_inline_end(&end) {
                    flush(markdown, &mut prose, &mut segments);
                }
            }
            // Text whose source differs (an escape, an entity) is left out
            // rather than misplaced.
            Event::Text(text) if skipping == 0 && markdown.get(range.clone()) == Some(&*text) => {
                prose.push((range.start, range.end));
            }
            _ => {}
        }
    }
    flush(markdown, &mut prose, &mut segments);
    segments
}

fn is_inline(tag: &Tag) -> bool {
    matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
    )
}

fn is_inline_end(end: &TagEnd) -> bool {
    matches!(
        end,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

/// Turns the prose ranges of one block into a segment.
fn flush(markdown: &str, prose: &mut Vec<(usize, usize)>, segments: &mut Vec<TextSegment>) {
    let (Some(&(start, _)), Some(&(_, end))) = (prose.first(), prose.last()) else {
        return;
    };
    let source = markdown.as_bytes();
    let mut bytes: Vec<u8> = source[start..end]
        .iter()
        .map(|&b| if b == b'\n' { b'\n' } else { b' ' })
        .collect();
    for &(a, b) in prose.iter() {
        bytes[a - start..b - start].copy_from_slice(&source[a..b]);
    }
    prose.clear();
    // Whole characters were copied and the rest replaced by ASCII, so this
    // is UTF-8; a block that somehow is not is skipped, never a panic.
    if let Ok(text) = String::from_utf8(bytes) {
        segments.push(TextSegment {
            offset: start,
            text,
        });
    }
}

/// Whether a file is read as Markdown: `.md` and `.markdown`, any case.
pub fn is_markdown_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".md") || lower.ends_with(".markdown")
}

/// The findings of `rules` in a document. Plain text is linted as it is;
/// Markdown block by block (see [`markdown_segments`]), with every finding's
/// offsets, line, column and excerpt those of the original document.
pub fn lint_document(
    text: &str,
    is_markdown: bool,
    rules: &RuleSet,
    ctx: &LintContext,
) -> Vec<Finding> {
    if !is_markdown {
        return lint(text, rules, ctx);
    }
    let mut findings = Vec::new();
    for segment in markdown_segments(text) {
        for mut finding in lint(&segment.text, rules, ctx) {
            let mut start = segment.offset + finding.start;
            let mut end = segment.offset + finding.end;
            // A pattern may start or end on a blanked byte that was part of a
            // character of markup: keep the span on the document's characters.
            while start < end && !text.is_char_boundary(start) {
                start += 1;
            }
            while end > start && !text.is_char_boundary(end) {
                end -= 1;
            }
            if start >= end {
                continue;
            }
            (finding.start, finding.end) = (start, end);
            finding.excerpt = text[start..end].to_owned();
            findings.push(finding);
        }
    }
    findings.sort_by(|a, b| (a.start, a.end, &a.rule).cmp(&(b.start, b.end, &b.rule)));
    set_positions(text, &mut findings);
    findings
}

/// Rules from a JSON array of rule objects (the form `RuleSet::builtin`
/// serialises to). Every problem is reported, each under the rule's id (or
/// `rules[N]` when it has none) and the field.
pub fn rules_from_json(json: &str) -> Result<RuleSet, FieldErrors> {
    let values: Vec<serde_json::Value> = serde_json::from_str(json).map_err(|e| {
        FieldErrors::from(FieldError::new(
            "rules",
            format!("not a JSON array of rules: {e}"),
        ))
    })?;
    let mut errors = FieldErrors::default();
    let mut rules = Vec::with_capacity(values.len());
    for (i, value) in values.into_iter().enumerate() {
        let name = value
            .get("id")
            .and_then(serde_json::Value::as_str)
            .filter(|id| {
                !id.is_empty()
                    && id
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
            })
            .map_or_else(|| format!("rules[{i}]"), str::to_owned);
        match serde_json::from_value::<LintRule>(value) {
            Ok(rule) => rules.push(rule),
            Err(e) => errors.push(name, e.to_string()),
        }
    }
    // The rules that did parse are checked too, so one run names every problem.
    match RuleSet::new(rules) {
        Ok(set) if errors.is_empty() => Ok(set),
        Ok(_) => Err(errors),
        Err(more) => {
            errors.0.extend(more.0);
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use debrief_core::lint::LineIndex;
    use proptest::prelude::*;

    use super::*;

    fn findings(markdown: &str) -> Vec<(usize, usize, String, String)> {
        lint_document(markdown, true, &RuleSet::builtin(), &LintContext::default())
            .into_iter()
            .map(|f| (f.line, f.column, f.rule, f.excerpt))
            .collect()
    }

    #[test]
    fn code_link_targets_and_html_are_not_prose() {
        let md = "Run `we should have` now.\n\n```\nthe engineer should have checked\n```\n\n    \
                  the operator failed to check\n\nSee [the page](https://x.example/we-should-have) \
                  and <https://x.example/human-error>.\n\n<div>human error</div>\n";
        assert_eq!(findings(md), []);
    }

    #[test]
    fn findings_in_markdown_point_into_the_original_file() {
        let md = "# Review\n\n> The engineer **should have** checked\n> the host.\n\n\
                  - item one\n- It was *human error*, and `x`.\n\n| a | b |\n|---|---|\n| ok | \
                  obviously |\n";
        assert_eq!(
            findings(md),
            [
                (3, 18, "counterfactual".into(), "should have".into()),
                (7, 11, "human-error".into(), "human error".into()),
                (11, 8, "judgemental".into(), "obviously".into()),
            ]
        );
    }

    #[test]
    fn a_sentence_with_emphasis_is_read_as_one_sentence() {
        let md = "Priya *deployed* the **broken** config.";
        let found = lint_document(
            md,
            true,
            &RuleSet::builtin(),
            &LintContext::with_names(["Priya"]),
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].excerpt, "Priya *deployed");
    }

    #[test]
    fn plain_text_is_linted_as_it_is() {
        // Indented, this is a code block in Markdown but text in a text file.
        let text = "Notes:\n\n    the operator failed to check\n";
        let found = lint_document(text, false, &RuleSet::builtin(), &LintContext::default());
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].line, found[0].column), (3, 18));
        assert!(lint_document(text, true, &RuleSet::builtin(), &LintContext::default()).is_empty());
    }

    #[test]
    fn rule_files_are_read_and_problems_named_by_rule_and_field() {
        let rules = rules_from_json(
            r#"[{"id": "jargon", "message": "m", "matcher": {"kind": "pattern", "phrases": ["synergy"]}}]"#,
        )
        .expect("valid rules");
        assert_eq!(rules.rules().len(), 1);

        let errors = rules_from_json(
            r#"[{"id": "a", "message": "m", "matcher": {"kind": "pattern", "regex": "("}},
                {"id": "b", "message": "m", "matcher": {"kind": "counterfactual"}, "colour": 1},
                {"message": "m", "matcher": {"kind": "judgemental"}}]"#,
        )
        .expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["b", "rules[2]", "a.matcher.regex"]);
        assert!(errors.for_field("b").is_some_and(|m| m.contains("colour")));
        assert!(
            errors
                .for_field("rules[2]")
                .is_some_and(|m| m.contains("id"))
        );

        let errors = rules_from_json(
            r#"[{"id": "a", "message": "m", "matcher": {"kind": "pattern", "regex": "("}}]"#,
        )
        .expect_err("invalid");
        assert!(errors.for_field("a.matcher.regex").is_some());
        assert!(rules_from_json("{}").is_err());
    }

    #[test]
    fn markdown_files_are_known_by_their_extension() {
        assert!(is_markdown_path("notes/Review.MD"));
        assert!(is_markdown_path("a.markdown"));
        assert!(!is_markdown_path("a.txt"));
        assert!(!is_markdown_path("-"));
    }

    fn markdown() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            any::<String>(),
            Just("the engineer should have checked. ".to_owned()),
            Just("\n```\n".to_owned()),
            Just("`é`".to_owned()),
            Just("*".to_owned()),
            Just("\n\n    ".to_owned()),
            Just("[a](b “c”)".to_owned()),
            Just("<b>é</b>".to_owned()),
            Just("&amp; \\* ".to_owned()),
            Just("\n> - ".to_owned()),
        ];
        prop::collection::vec(piece, 0..10).prop_map(|p| p.concat())
    }

    proptest! {
        #[test]
        fn markdown_findings_are_spans_of_the_original(md in markdown()) {
            let mut rules = RuleSet::builtin().into_rules();
            rules.push(serde_json::from_str(
                r#"{"id": "spaces", "message": "m", "matcher": {"kind": "pattern", "regex": "\\s+[a-z]"}}"#,
            ).expect("a rule"));
            let rules = RuleSet::new(rules).expect("valid");
            for segment in markdown_segments(&md) {
                prop_assert!(md.get(segment.offset..segment.offset + segment.text.len()).is_some());
            }
            let index = LineIndex::new(&md);
            for f in lint_document(&md, true, &rules, &LintContext::default()) {
                prop_assert!(f.start < f.end && f.end <= md.len());
                prop_assert!(md.is_char_boundary(f.start) && md.is_char_boundary(f.end));
                prop_assert_eq!(&md[f.start..f.end], f.excerpt.as_str());
                prop_assert_eq!(index.position(f.start), (f.line, f.column));
            }
        }
    }
}
