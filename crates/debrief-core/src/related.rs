//! Related earlier incidents (PRODUCT.md §9): which earlier incidents share
//! services, the category, cause categories or wording with an incident,
//! scored, with what they share — a pure function over the KPI facts, so
//! the incident page ranks every earlier incident in memory instead of
//! asking the database twice.
//!
//! Score: 3 per shared service, 2 for the same category, 3 for shared cause
//! categories, and for wording 2 plus 1 per shared title word. Words of the
//! title count when at least three characters long and not a stop word;
//! a word that more than a quarter of the earlier incidents share (once
//! there are 20 or more) is too common to relate by and is left out.
//! Best score first, then the newest.

use crate::kpi::IncidentFacts;

/// Words in titles too common to relate incidents by.
const STOP_WORDS: &[&str] = &[
    "the", "and", "for", "with", "from", "into", "onto", "over", "after", "before", "on", "in",
    "of", "to", "at", "by", "an", "a", "is", "was", "were", "are", "our", "its", "via", "incident",
];

/// At most this many words of a title are compared.
pub const MAX_TITLE_WORDS: usize = 8;

/// The distinct words of a title that can relate incidents, lower-cased,
/// sorted, at most [`MAX_TITLE_WORDS`].
pub fn title_words(title: &str) -> Vec<String> {
    let mut words: Vec<String> = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .collect();
    words.sort();
    words.dedup();
    words.truncate(MAX_TITLE_WORDS);
    words
}

/// An incident as this module sees it: its facts and its title's words
/// ([`title_words`]).
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub facts: &'a IncidentFacts,
    pub words: &'a [String],
}

/// An earlier incident that is related, and what it shares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// Its index in the `earlier` slice.
    pub index: usize,
    pub services: Vec<String>,
    pub same_category: bool,
    pub causes: Vec<String>,
    /// Shared title words (only words that are not too common).
    pub words: Vec<String>,
    pub score: u32,
}

/// The `limit` best related incidents among `earlier` (those placed before
/// `target`; the caller has left out the target itself).
pub fn related(target: Candidate<'_>, earlier: &[Candidate<'_>], limit: usize) -> Vec<Match> {
    if limit == 0 || earlier.is_empty() {
        return Vec::new();
    }
    // Which of the target's words each earlier incident has (a bit each),
    // and how many incidents have each word.
    let words = &target.words[..target.words.len().min(MAX_TITLE_WORDS)];
    let mut masks = vec![0u8; earlier.len()];
    let mut df = [0usize; MAX_TITLE_WORDS];
    if !words.is_empty() {
        for (m, c) in masks.iter_mut().zip(earlier) {
            for w in c.words {
                if let Ok(k) = words.binary_search(w) {
                    *m |= 1 << k;
                    df[k] += 1;
                }
            }
        }
    }
    let mut usable = 0u8;
    for (k, n) in df.iter().enumerate().take(words.len()) {
        if earlier.len() < 20 || *n * 4 <= earlier.len() {
            usable |= 1 << k;
        }
    }
    let t = target.facts;
    let mut scored: Vec<(u32, usize)> = Vec::new();
    for (index, c) in earlier.iter().enumerate() {
        let f = c.facts;
        let mut score = 0u32;
        let shared_services = f.services.iter().filter(|s| t.services.contains(s)).count();
        score += 3 * shared_services as u32;
        if f.category == t.category {
            score += 2;
        }
        if f.cause_categories
            .iter()
            .any(|x| t.cause_categories.contains(x))
        {
            score += 3;
        }
        let common = (masks[index] & usable).count_ones();
        if common > 0 {
            score += 2 + common;
        }
        if score > 0 {
            scored.push((score, index));
        }
    }
    // Best first, then the newest (a later index is a later incident when
    // `earlier` is in time order; ties by time otherwise).
    let order = |a: &(u32, usize), b: &(u32, usize)| {
        b.0.cmp(&a.0)
            .then_with(|| earlier[b.1].facts.at.cmp(&earlier[a.1].facts.at))
            .then_with(|| b.1.cmp(&a.1))
    };
    if scored.len() > limit {
        scored.select_nth_unstable_by(limit - 1, order);
        scored.truncate(limit);
    }
    scored.sort_by(order);
    scored
        .into_iter()
        .map(|(score, index)| {
            let f = earlier[index].facts;
            let mut services: Vec<String> = f
                .services
                .iter()
                .filter(|s| t.services.contains(s))
                .cloned()
                .collect();
            services.dedup();
            let mut causes: Vec<String> = f
                .cause_categories
                .iter()
                .filter(|x| t.cause_categories.contains(x))
                .cloned()
                .collect();
            causes.sort();
            causes.dedup();
            let m = masks[index] & usable;
            let shared: Vec<String> = words
                .iter()
                .enumerate()
                .filter(|(k, _)| m & (1 << k) != 0)
                .map(|(_, w)| w.clone())
                .collect();
            Match {
                index,
                services,
                same_category: f.category == t.category,
                causes,
                words: shared,
                score,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
