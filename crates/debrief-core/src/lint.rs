//! The blameless-language linter (PRODUCT.md §7): points at counterfactuals
//! said of people, "human error", judgemental words, a person's name as the
//! subject of a cause and accusing questions, with why each matters and what
//! to write instead.
//!
//! Rules are data ([`LintRule`]): the built-in matchers carry the language
//! knowledge, and an organisation can disable or reword them and add its own
//! `pattern` rules (a regex or a phrase list). [`lint`] is a pure function of
//! a text, a [`RuleSet`] and the names of the people debrief knows.
//!
//! What the linter never reads: text in quotes (`"should-have-alerted"`, a
//! quoted chat message) or backticks, and URLs. A review quotes what people
//! said and names things; neither is the writer's judgement.

mod builtin;
mod people;
mod text;

use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

use crate::field_error::FieldErrors;
use crate::review::string_enum;

pub use text::LineIndex;

use builtin::Span;
use people::{People, subject_before};
use text::Sentence;

string_enum!(
    /// How strongly a finding asks for a change.
    LintSeverity, "lint severity" {
        Warning => "warning", "Warning",
        Notice => "notice", "Notice",
    }
);

// `string_enum!` defines the enum and cannot mark a `#[default]` variant.
#[allow(clippy::derivable_impls)]
impl Default for LintSeverity {
    fn default() -> Self {
        Self::Warning
    }
}

/// One rule: what to look for, and what to tell the writer when it is found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LintRule {
    /// A short name shown with every finding (`counterfactual`, `our-jargon`):
    /// lowercase letters, digits, `-` and `_`, starting with a letter.
    pub id: String,
    pub matcher: Matcher,
    /// What was found, in a few words.
    pub message: String,
    /// Why it matters.
    #[serde(default)]
    pub why: String,
    /// What to write instead.
    #[serde(default)]
    pub suggestion: String,
    #[serde(default)]
    pub severity: LintSeverity,
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
}

fn enabled_by_default() -> bool {
    true
}

/// What a rule looks for: a pattern of the organisation's, or one of the
/// built-in matchers that know some English word order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Matcher {
    /// A case-insensitive regex or list of phrases.
    Pattern(PatternMatcher),
    /// "should/could/would have", "failed to", "neglected to", "didn't
    /// bother", "if only" — when said of a person.
    Counterfactual {},
    /// "human error", "operator error", "user error", PEBKAC, "the operator's
    /// mistake", "caused by the engineer".
    HumanError {},
    /// "careless", "negligent", "obviously", "sloppy", "dropped the ball",
    /// "they simply ignored", "just had to".
    Judgemental {},
    /// A known person's name as the subject of a cause ("Priya deployed the
    /// broken config").
    PersonAsSubject {},
    /// "Why did you …?", "Who approved this …?", "What were you thinking?".
    BlameQuestion {},
}

/// An organisation's own pattern: exactly one of `regex` and `phrases`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatternMatcher {
    /// A regular expression (Rust `regex` syntax), matched case-insensitively
    /// within each sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regex: Option<String>,
    /// Words or phrases, matched case-insensitively as whole words; any run
    /// of spaces or line breaks in the text matches a space in a phrase.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phrases: Vec<String>,
    /// Only when the subject of the match is a person (a pronoun, a role
    /// noun such as `engineer` or `on-call`, or a known name).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub person_subject: bool,
}

impl LintRule {
    /// Checks the rule, naming each bad field (`id`, `matcher.regex`,
    /// `matcher.phrases[2]` …).
    pub fn validate(&self) -> Result<(), FieldErrors> {
        self.compile().map(|_| ())
    }

    /// Validates, and compiles a pattern matcher's regex.
    fn compile(&self) -> Result<Option<Regex>, FieldErrors> {
        let mut errors = FieldErrors::default();
        let id_ok = self
            .id
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase())
            && self.id.len() <= 64
            && self
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !id_ok {
            errors.push(
                "id",
                format!(
                    "`{}` is not a rule id: use 1–64 lowercase letters, digits, `-` or `_`, starting with a letter",
                    self.id
                ),
            );
        }
        if self.message.trim().is_empty() {
            errors.push("message", "a rule needs a message saying what was found");
        }
        let regex = match &self.matcher {
            Matcher::Pattern(p) => match p.compile() {
                Ok(regex) => Some(regex),
                Err(e) => {
                    errors.0.extend(e.prefixed("matcher.").0);
                    None
                }
            },
            _ => None,
        };
        errors.into_result(regex)
    }
}

impl PatternMatcher {
    fn compile(&self) -> Result<Regex, FieldErrors> {
        let source = match (&self.regex, self.phrases.is_empty()) {
            (Some(_), false) => {
                return Err(FieldErrors::from(crate::FieldError::new(
                    "phrases",
                    "give either `regex` or `phrases`, not both",
                )));
            }
            (None, true) => {
                return Err(FieldErrors::from(crate::FieldError::new(
                    "regex",
                    "a pattern needs a `regex` or a non-empty `phrases` list",
                )));
            }
            (Some(regex), true) => {
                if regex.trim().is_empty() {
                    return Err(FieldErrors::from(crate::FieldError::new(
                        "regex",
                        "the regex is empty",
                    )));
                }
                regex.clone()
            }
            (None, false) => {
                let mut errors = FieldErrors::default();
                for (i, phrase) in self.phrases.iter().enumerate() {
                    if phrase.trim().is_empty() {
                        errors.push(format!("phrases[{i}]"), "the phrase is empty");
                    }
                }
                if !errors.is_empty() {
                    return Err(errors);
                }
                self.phrases
                    .iter()
                    .map(|p| phrase_regex(p))
                    .collect::<Vec<_>>()
                    .join("|")
            }
        };
        let field = if self.regex.is_some() {
            "regex"
        } else {
            "phrases"
        };
        let regex = RegexBuilder::new(&source)
            .case_insensitive(true)
            // Rules come from files people edit: keep a typo from building a
            // huge automaton.
            .size_limit(1 << 20)
            .dfa_size_limit(1 << 22)
            .build()
            .map_err(|e| {
                let text = e.to_string();
                let reason = text
                    .lines()
                    .rev()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("")
                    .trim()
                    .trim_start_matches("error: ")
                    .to_owned();
                FieldErrors::from(crate::FieldError::new(
                    field,
                    format!("the regex does not compile: {reason}"),
                ))
            })?;
        if regex.is_match("") {
            return Err(FieldErrors::from(crate::FieldError::new(
                field,
                "the pattern matches empty text, so it would match everywhere",
            )));
        }
        Ok(regex)
    }
}

/// A phrase as a regex: its words escaped, any whitespace between them, and
/// word boundaries at the ends that are word characters.
fn phrase_regex(phrase: &str) -> String {
    let words: Vec<String> = phrase.split_whitespace().map(regex::escape).collect();
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let trimmed = phrase.trim();
    let before = if is_word(trimmed.chars().next()) {
        r"\b"
    } else {
        ""
    };
    let after = if is_word(trimmed.chars().last()) {
        r"\b"
    } else {
        ""
    };
    format!("(?:{before}{}{after})", words.join(r"\s+"))
}

/// A validated list of rules, ready to lint with.
#[derive(Debug, Clone)]
pub struct RuleSet {
    rules: Vec<LintRule>,
    /// The compiled regex of each pattern rule, by position.
    patterns: Vec<Option<Regex>>,
}

impl RuleSet {
    /// Validates every rule and refuses duplicate ids. Errors name the rule
    /// (`my-rule.matcher.regex`, or `rules[3].id` when the id itself is bad).
    pub fn new(rules: Vec<LintRule>) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut patterns = Vec::with_capacity(rules.len());
        for (i, rule) in rules.iter().enumerate() {
            let name = rule_name(rule, i);
            match rule.compile() {
                Ok(regex) => patterns.push(regex),
                Err(e) => {
                    errors.0.extend(e.prefixed(&format!("{name}.")).0);
                    patterns.push(None);
                }
            }
            if let Some(first) = rules[..i].iter().position(|r| r.id == rule.id) {
                errors.push(
                    format!("{name}.id"),
                    format!(
                        "rule `{}` is defined twice (rules[{first}] and rules[{i}])",
                        rule.id
                    ),
                );
            }
        }
        errors.into_result(Self { rules, patterns })
    }

    /// The built-in rules: one for each built-in matcher, all enabled.
    pub fn builtin() -> Self {
        let rules = builtin::default_rules();
        let patterns = vec![None; rules.len()];
        Self { rules, patterns }
    }

    pub fn rules(&self) -> &[LintRule] {
        &self.rules
    }

    pub fn get(&self, id: &str) -> Option<&LintRule> {
        self.rules.iter().find(|r| r.id == id)
    }

    pub fn into_rules(self) -> Vec<LintRule> {
        self.rules
    }
}

impl Default for RuleSet {
    fn default() -> Self {
        Self::builtin()
    }
}

/// How an error names a rule: by its id when it has a usable one.
fn rule_name(rule: &LintRule, index: usize) -> String {
    let usable = !rule.id.is_empty()
        && rule
            .id
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_');
    if usable {
        rule.id.clone()
    } else {
        format!("rules[{index}]")
    }
}

/// What the linter knows besides the text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LintContext {
    /// Names of people known to debrief (responders, authors, participants),
    /// so that "Priya deployed the broken config" is recognised.
    pub names: Vec<String>,
}

impl LintContext {
    pub fn with_names<I, S>(names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            names: names.into_iter().map(Into::into).collect(),
        }
    }
}

/// One place in a text that a rule points at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The id of the rule.
    pub rule: String,
    pub severity: LintSeverity,
    /// Byte offsets of the span in the text, on character boundaries.
    pub start: usize,
    pub end: usize,
    /// 1-based line of `start`.
    pub line: usize,
    /// 1-based column of `start`, counted in characters.
    pub column: usize,
    /// The text of the span.
    pub excerpt: String,
    pub message: String,
    pub why: String,
    pub suggestion: String,
}

/// Every finding of the enabled rules in `text`, in text order. Matches of
/// one rule that overlap are reported once.
pub fn lint(text: &str, rules: &RuleSet, ctx: &LintContext) -> Vec<Finding> {
    let blanked = text::blank_non_prose(text);
    let sentences = text::sentences(&blanked);
    let people = People::new(&ctx.names);
    let mut findings = Vec::new();
    for (rule, pattern) in rules.rules.iter().zip(&rules.patterns) {
        if !rule.enabled {
            continue;
        }
        let mut spans: Vec<Span> = Vec::new();
        for s in &sentences {
            match &rule.matcher {
                Matcher::Pattern(p) => {
                    if let Some(regex) = pattern {
                        pattern_spans(s, regex, p.person_subject, &people, &mut spans);
                    }
                }
                Matcher::Counterfactual {} => builtin::counterfactual(s, &people, &mut spans),
                Matcher::HumanError {} => builtin::human_error(s, &people, &mut spans),
                Matcher::Judgemental {} => builtin::judgemental(s, &people, &mut spans),
                Matcher::PersonAsSubject {} => builtin::person_as_subject(s, &people, &mut spans),
                Matcher::BlameQuestion {} => builtin::blame_question(s, &people, &mut spans),
            }
        }
        // Earliest first, the longer of two that start together first; an
        // overlapping later match adds nothing.
        spans.sort_by_key(|&(start, end)| (start, std::cmp::Reverse(end)));
        let mut last_end = 0;
        for (start, end) in spans {
            let valid = start < end
                && end <= text.len()
                && text.is_char_boundary(start)
                && text.is_char_boundary(end);
            if !valid || start < last_end {
                continue;
            }
            last_end = end;
            findings.push(Finding {
                rule: rule.id.clone(),
                severity: rule.severity,
                start,
                end,
                // Set below, once all findings are in order.
                line: 0,
                column: 0,
                excerpt: text[start..end].to_owned(),
                message: rule.message.clone(),
                why: rule.why.clone(),
                suggestion: rule.suggestion.clone(),
            });
        }
    }
    findings.sort_by(|a, b| (a.start, a.end, &a.rule).cmp(&(b.start, b.end, &b.rule)));
    set_positions(text, &mut findings);
    findings
}

/// Sets the line and column of findings sorted by `start`, in one pass over
/// the text (a column is counted from the line start, which on a long line
/// would cost that much for every finding).
pub fn set_positions(text: &str, findings: &mut [Finding]) {
    let (mut offset, mut line, mut column) = (0, 1, 1);
    for finding in findings {
        let target = finding.start.min(text.len());
        if target < offset {
            // Not sorted after all: fall back to counting from scratch.
            (finding.line, finding.column) = LineIndex::new(text).position(target);
            continue;
        }
        for c in text[offset..].chars() {
            if offset >= target {
                break;
            }
            offset += c.len_utf8();
            if c == '\n' {
                (line, column) = (line + 1, 1);
            } else {
                column += 1;
            }
        }
        (finding.line, finding.column) = (line, column);
    }
}

/// Matches of a pattern rule in one sentence; with `person_subject`, only
/// those whose first word is a person or whose subject is one.
fn pattern_spans(
    s: &Sentence,
    regex: &Regex,
    person_subject: bool,
    people: &People,
    out: &mut Vec<Span>,
) {
    for m in regex.find_iter(s.text) {
        if m.is_empty() {
            continue;
        }
        let (start, end) = (s.start + m.start(), s.start + m.end());
        if person_subject {
            let Some(first) = s.tokens.iter().position(|t| t.end > start) else {
                continue;
            };
            let person = people.is_person(s, first)
                || subject_before(s, first).is_some_and(|h| people.is_person(s, h));
            if !person {
                continue;
            }
        }
        out.push((start, end));
    }
}

#[cfg(test)]
mod tests;
