//! The linter's view of a text: what is not the writer's own prose (quoted
//! words, backticked code, URLs) is blanked, the rest is cut into sentences
//! and words, and byte offsets become lines and columns.
//!
//! Blanking replaces every byte with a space (newlines stay), so a byte offset
//! in the blanked text is the same byte offset in the original: findings never
//! need mapping back, and the matchers never see quoted text.

/// One word of a sentence: its byte range in the text and its lowercase form
/// (curly apostrophes made straight). Contractions are split as in the Penn
/// Treebank: `didn't` → `did` `n't`, `should've` → `should` `'ve`,
/// `operator's` → `operator` `'s`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub start: usize,
    pub end: usize,
    pub lower: String,
}

/// A sentence of the blanked text with its words.
#[derive(Debug)]
pub(crate) struct Sentence<'a> {
    /// Byte offset of `text` in the whole text.
    pub start: usize,
    /// The blanked sentence.
    pub text: &'a str,
    pub tokens: Vec<Token>,
    /// It ends with a question mark.
    pub is_question: bool,
}

impl Sentence<'_> {
    /// The lowercase word at `i`, or "" past either end.
    pub fn word(&self, i: usize) -> &str {
        self.tokens.get(i).map_or("", |t| t.lower.as_str())
    }

    /// Whether punctuation that ends a clause (`,;:()` and dashes) stands
    /// between word `i - 1` and word `i`. The first word starts a clause.
    pub fn clause_break_before(&self, i: usize) -> bool {
        if i == 0 || i >= self.tokens.len() {
            return true;
        }
        let gap =
            &self.text[self.tokens[i - 1].end - self.start..self.tokens[i].start - self.start];
        gap.chars()
            .any(|c| matches!(c, ',' | ';' | ':' | '(' | ')' | '—' | '–' | '[' | ']'))
            || gap.contains(" - ")
    }

    /// The original text's bytes of words `from..=to` as a span.
    pub fn span(&self, from: usize, to: usize) -> (usize, usize) {
        (self.tokens[from].start, self.tokens[to].end)
    }
}

/// The text with quoted passages, backticked code and URLs blanked.
pub(crate) fn blank_non_prose(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let mut blank = |start: usize, end: usize| {
        for b in &mut bytes[start..end] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    };
    for (start, end) in paragraphs(text) {
        for (a, b) in quoted_ranges(&text[start..end]) {
            blank(start + a, start + b);
        }
    }
    for (a, b) in url_ranges(text) {
        blank(a, b);
    }
    // Only whole characters were replaced by ASCII, so this is still UTF-8;
    // the fallback can never run but keeps the function total.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Byte ranges of paragraphs: quotes and backticks never pair across a blank line.
fn paragraphs(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut line_start = 0;
    for (i, c) in text.char_indices() {
        if c == '\n' {
            let line = &text[line_start..i];
            if line.trim().is_empty() && line_start > start {
                out.push((start, line_start));
                start = i + 1;
            }
            line_start = i + 1;
        }
    }
    if start < text.len() {
        out.push((start, text.len()));
    }
    out
}

/// The longest quotation, in characters.
const QUOTE_REACH: usize = 2000;

/// Ranges (open mark to close mark, inclusive) of quoted and backticked
/// passages in one paragraph. An opening mark without its closing mark
/// quotes nothing.
fn quoted_ranges(p: &str) -> Vec<(usize, usize)> {
    let chars: Vec<(usize, char)> = p.char_indices().collect();
    let end_of = |k: usize| chars.get(k + 1).map_or(p.len(), |&(i, _)| i);
    let at = |k: usize| chars.get(k).map(|&(_, c)| c);
    // Where each kind of quotation can close, in order, so that finding the
    // closing mark is a binary search, not a scan: a text full of
    // apostrophes stays fast.
    let positions = |closes: &dyn Fn(usize, char) -> bool| -> Vec<usize> {
        (0..chars.len())
            .filter(|&j| closes(j, chars[j].1))
            .collect()
    };
    let straight_double = positions(&|_, c| c == '"');
    let curly_double = positions(&|_, c| c == '”');
    let low_double = positions(&|_, c| matches!(c, '“' | '”'));
    let guillemet = positions(&|_, c| c == '»');
    // A closing single mark follows a non-blank and is followed by no letter
    // (`'Who broke prod?',`), unlike an apostrophe inside a word (`didn't`).
    let single = positions(&|j, c| {
        matches!(c, '\'' | '’')
            && j > 0
            && !chars[j - 1].1.is_whitespace()
            && at(j + 1).is_none_or(|n| !n.is_alphanumeric())
    });
    // Backtick runs by length: a run closes at the next run of its length.
    let mut runs: std::collections::HashMap<usize, Vec<usize>> = std::collections::HashMap::new();
    let mut j = 0;
    while j < chars.len() {
        let run = chars[j..].iter().take_while(|&&(_, c)| c == '`').count();
        if run > 0 {
            runs.entry(run).or_default().push(j);
            j += run;
        } else {
            j += 1;
        }
    }
    // The first position in `list` after `k` and within reach: a quotation
    // longer than QUOTE_REACH characters is a stray mark.
    let next = |list: &[usize], k: usize| {
        list.get(list.partition_point(|&j| j <= k))
            .copied()
            .filter(|&j| j <= k + QUOTE_REACH)
    };
    let mut out = Vec::new();
    let mut k = 0;
    while k < chars.len() {
        let (start, c) = chars[k];
        let close = match c {
            '`' => {
                let run = chars[k..].iter().take_while(|&&(_, c)| c == '`').count();
                let close = runs
                    .get(&run)
                    .and_then(|list| next(list, k))
                    .map(|j| j + run - 1);
                if close.is_none() {
                    k += run;
                    continue;
                }
                close
            }
            '"' => next(&straight_double, k),
            '“' => next(&curly_double, k),
            '„' => next(&low_double, k),
            '«' => next(&guillemet, k),
            '‘' | '\'' => {
                let before = if k == 0 { None } else { at(k - 1) };
                let opens = before.is_none_or(|b| b.is_whitespace() || "([{".contains(b))
                    && at(k + 1).is_some_and(|n| !n.is_whitespace());
                if opens { next(&single, k) } else { None }
            }
            _ => None,
        };
        match close {
            Some(j) => {
                out.push((start, end_of(j)));
                k = j + 1;
            }
            None => k += 1,
        }
    }
    out
}

/// Ranges of URLs (`scheme://…` and `www.…`), without trailing punctuation.
fn url_ranges(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut from = 0;
    while let Some(found) = text[from..].find("://") {
        let sep = from + found;
        let mut start = sep;
        while start > 0
            && (bytes[start - 1].is_ascii_alphanumeric() || b"+.-".contains(&bytes[start - 1]))
        {
            start -= 1;
        }
        let end = url_end(text, sep + 3);
        if start < sep && end > sep + 3 {
            out.push((start, end));
        }
        from = end.max(sep + 3);
    }
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find("www.") {
        let start = from + found;
        let at_word_start = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
        let end = url_end(text, start);
        if at_word_start && !out.iter().any(|&(a, b)| a <= start && start < b) && end > start + 4 {
            out.push((start, end));
        }
        from = start + 4;
    }
    out
}

/// Where a URL starting at `start` ends: at whitespace or a bracket, less
/// trailing sentence punctuation.
fn url_end(text: &str, start: usize) -> usize {
    let rest = &text[start..];
    let len = rest
        .find(|c: char| c.is_whitespace() || "<>\"'`()[]{}".contains(c))
        .unwrap_or(rest.len());
    let url = rest[..len].trim_end_matches(['.', ',', ';', ':', '!', '?']);
    start + url.len()
}

/// Abbreviations after which a full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "etc", "vs", "a.m", "p.m", "approx", "dr", "mr", "mrs", "ms", "cf", "incl", "al",
    "fig", "no", "st",
];

/// Cuts the blanked text into sentences: at `.`, `!` or `?` followed by
/// space, at blank lines, and at a line break when the line ends with
/// punctuation or the next one starts with something other than a letter (a
/// list item, a time, a heading mark). Other line breaks are soft wraps.
pub(crate) fn sentences(blanked: &str) -> Vec<Sentence<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = blanked.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        let next = chars.get(k + 1).map(|&(_, n)| n);
        let ends = match c {
            '.' | '!' | '?' => {
                next.is_none_or(char::is_whitespace)
                    && !(c == '.' && is_abbreviation(&blanked[..i]))
            }
            '\n' => line_break_ends_sentence(blanked, start, i),
            _ => false,
        };
        if ends {
            push_sentence(blanked, start, i + c.len_utf8(), &mut out);
            start = i + c.len_utf8();
        }
    }
    push_sentence(blanked, start, blanked.len(), &mut out);
    out
}

fn is_abbreviation(before: &str) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("")
        .to_lowercase();
    let word = word.trim_end_matches('.');
    let is_initial = word.chars().count() == 1 && word.chars().all(char::is_alphabetic);
    is_initial || ABBREVIATIONS.contains(&word)
}

fn line_break_ends_sentence(blanked: &str, sentence_start: usize, newline: usize) -> bool {
    let line_before = blanked[sentence_start..newline]
        .rsplit('\n')
        .next()
        .unwrap_or("")
        .trim_end();
    let rest = &blanked[newline + 1..];
    let next_line = rest.split('\n').next().unwrap_or("");
    let next_trimmed = next_line.trim_start();
    line_before.is_empty()
        || next_trimmed.is_empty()
        || line_before.ends_with(['.', '!', '?', ':', ';'])
        || !next_trimmed.starts_with(char::is_alphabetic)
}

fn push_sentence<'a>(blanked: &'a str, start: usize, end: usize, out: &mut Vec<Sentence<'a>>) {
    // A sentence starts at its first non-blank character, so that a pattern's
    // `^` means the start of the sentence.
    let text = blanked[start..end].trim_start();
    let start = end - text.len();
    let tokens = tokens(text, start);
    if tokens.is_empty() {
        return;
    }
    out.push(Sentence {
        start,
        text,
        tokens,
        is_question: text.trim_end().ends_with('?'),
    });
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '’'
}

/// The words of `text` (which starts at byte `offset` of the whole text).
pub(crate) fn tokens(text: &str, offset: usize) -> Vec<Token> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut k = 0;
    while k < chars.len() {
        if !chars[k].1.is_alphanumeric() {
            k += 1;
            continue;
        }
        let first = k;
        // A word goes on through `-`, `_`, `.` and apostrophes that stand
        // between two letters or digits (`on-call`, `node.js`, `didn't`).
        while k + 1 < chars.len() {
            let n = chars[k + 1].1;
            if n.is_alphanumeric() {
                k += 1;
            } else if (matches!(n, '-' | '_' | '.') || is_apostrophe(n))
                && chars.get(k + 2).is_some_and(|&(_, c)| c.is_alphanumeric())
            {
                k += 2;
            } else {
                break;
            }
        }
        let start = chars[first].0;
        let end = chars.get(k + 1).map_or(text.len(), |&(i, _)| i);
        split_contraction(&text[start..end], offset + start, &mut out);
        k += 1;
    }
    out
}

/// Lowercase with curly apostrophes made straight.
fn normalise(word: &str) -> String {
    word.chars()
        .map(|c| if c == '’' { '\'' } else { c })
        .collect::<String>()
        .to_lowercase()
}

/// Pushes a word, split into stem and clitic when it is a contraction.
fn split_contraction(word: &str, start: usize, out: &mut Vec<Token>) {
    let mut push = |from: usize, to: usize| {
        if from < to {
            out.push(Token {
                start: start + from,
                end: start + to,
                lower: normalise(&word[from..to]),
            });
        }
    };
    if let Some(apostrophe) = word.rfind(is_apostrophe) {
        let clitic = normalise(&word[apostrophe..]);
        let stem = &word[..apostrophe];
        // `n't` takes the n from the stem: did|n't, could|n't, ca|n't.
        if clitic == "'t" && stem.len() > 1 && stem.ends_with(['n', 'N']) {
            push(0, apostrophe - 1);
            push(apostrophe - 1, word.len());
            return;
        }
        if matches!(clitic.as_str(), "'s" | "'d" | "'ve" | "'ll" | "'re" | "'m") {
            push(0, apostrophe);
            push(apostrophe, word.len());
            return;
        }
    }
    push(0, word.len());
}

/// Turns byte offsets into 1-based lines and columns (columns in characters).
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset where each line starts.
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { text, starts }
    }

    /// The line and column of the character at byte `offset`; an offset
    /// inside a character or past the end is clamped to the nearest
    /// character boundary before it.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset);
        let line_start = self.starts[line - 1];
        let column = self.text[line_start..offset].chars().count() + 1;
        (line, column)
    }
}
