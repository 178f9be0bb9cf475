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

/// What relating compares, hashed and inline (no pointers): ranking every
/// earlier incident reads one of these each, in one contiguous slice,
/// instead of following the strings of every incident's facts. Equal
/// hashes are confirmed on the strings before anything is named, and an
/// incident with more services or causes than fit is compared on its
/// strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelKey {
    /// When the incident is placed, in microseconds (the tie-break).
    at: i64,
    category: u64,
    services: [u64; 4],
    causes: [u64; 4],
    words: [u64; MAX_TITLE_WORDS],
    n_services: u8,
    n_causes: u8,
    n_words: u8,
    /// More services or causes than fit: compare the strings.
    overflow: bool,
}

fn hash(s: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

fn fill<const N: usize>(items: &[String]) -> ([u64; N], u8, bool) {
    let mut out = [0u64; N];
    for (slot, item) in out.iter_mut().zip(items) {
        *slot = hash(item);
    }
    (out, items.len().min(N) as u8, items.len() > N)
}

impl RelKey {
    pub fn new(facts: &IncidentFacts, words: &[String]) -> Self {
        let (services, n_services, more_services) = fill::<4>(&facts.services);
        let (causes, n_causes, more_causes) = fill::<4>(&facts.cause_categories);
        let (words, n_words, _) = fill::<MAX_TITLE_WORDS>(words);
        Self {
            at: facts.at.as_microsecond(),
            category: hash(&facts.category),
            services,
            causes,
            words,
            n_services,
            n_causes,
            n_words,
            overflow: more_services || more_causes,
        }
    }
    fn services(&self) -> &[u64] {
        &self.services[..usize::from(self.n_services)]
    }
    fn causes(&self) -> &[u64] {
        &self.causes[..usize::from(self.n_causes)]
    }
    fn words(&self) -> &[u64] {
        &self.words[..usize::from(self.n_words)]
    }
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

/// The score of what two incidents share (see the module documentation).
fn score(services: usize, same_category: bool, causes: bool, words: usize) -> u32 {
    let mut score = 3 * services as u32;
    if same_category {
        score += 2;
    }
    if causes {
        score += 3;
    }
    if words > 0 {
        score += 2 + words as u32;
    }
    score
}

/// The `limit` best related incidents among `earlier` (those placed before
/// `target`; the caller has left out the target itself). `keys[i]` is
/// `RelKey::new` of `earlier[i]`.
pub fn related(
    target: Candidate<'_>,
    earlier: &[Candidate<'_>],
    keys: &[RelKey],
    limit: usize,
) -> Vec<Match> {
    if limit == 0 || earlier.is_empty() || keys.len() != earlier.len() {
        return Vec::new();
    }
    let t = target.facts;
    let tk = RelKey::new(t, target.words);
    let words = &target.words[..usize::from(tk.n_words)];
    // Which of the target's words each earlier incident has (a bit each),
    // and how many incidents have each word.
    let mut masks = vec![0u8; keys.len()];
    let mut df = [0usize; MAX_TITLE_WORDS];
    if !words.is_empty() {
        for (m, k) in masks.iter_mut().zip(keys) {
            for w in k.words() {
                if let Some(i) = tk.words().iter().position(|x| x == w) {
                    *m |= 1 << i;
                    df[i] += 1;
                }
            }
        }
    }
    let mut usable = 0u8;
    for (i, n) in df.iter().enumerate().take(words.len()) {
        if keys.len() < 20 || *n * 4 <= keys.len() {
            usable |= 1 << i;
        }
    }
    let mut scored: Vec<(u32, usize)> = Vec::new();
    for (index, k) in keys.iter().enumerate() {
        let (shared_services, same_category, shared_causes) = if k.overflow || tk.overflow {
            let f = earlier[index].facts;
            (
                f.services.iter().filter(|s| t.services.contains(s)).count(),
                f.category == t.category,
                f.cause_categories
                    .iter()
                    .any(|x| t.cause_categories.contains(x)),
            )
        } else {
            (
                k.services()
                    .iter()
                    .filter(|s| tk.services().contains(s))
                    .count(),
                k.category == tk.category,
                k.causes().iter().any(|x| tk.causes().contains(x)),
            )
        };
        let common = (masks[index] & usable).count_ones();
        let score = score(
            shared_services,
            same_category,
            shared_causes,
            common as usize,
        );
        if score > 0 {
            scored.push((score, index));
        }
    }
    // Best first, then the newest.
    let order = |a: &(u32, usize), b: &(u32, usize)| {
        b.0.cmp(&a.0)
            .then_with(|| keys[b.1].at.cmp(&keys[a.1].at))
            .then_with(|| b.1.cmp(&a.1))
    };
    if scored.len() > limit {
        scored.select_nth_unstable_by(limit - 1, order);
        scored.truncate(limit);
    }
    scored.sort_by(order);
    // Named on the strings (a hash collision names nothing and scores as
    // the strings say).
    scored
        .into_iter()
        .filter_map(|(_, index)| {
            let c = earlier[index];
            let f = c.facts;
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
                .filter(|(i, w)| m & (1 << i) != 0 && c.words.contains(w))
                .map(|(_, w)| w.clone())
                .collect();
            let same_category = f.category == t.category;
            let score = score(
                services.len(),
                same_category,
                !causes.is_empty(),
                shared.len(),
            );
            (score > 0).then_some(Match {
                index,
                services,
                same_category,
                causes,
                words: shared,
                score,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
