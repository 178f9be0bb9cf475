//! The built-in matchers of the blameless-language linter and the default
//! rules that use them. Each matcher reads one sentence (already stripped of
//! quotes, code and URLs) and pushes the byte spans it finds.
//!
//! The word lists are deliberately short and readable: an organisation that
//! wants more words adds a `pattern` rule rather than editing these.

use super::people::{FIRST_PERSON, People, subject_before};
use super::text::Sentence;
use super::{LintRule, LintSeverity, Matcher};

/// A byte range of the text.
pub(crate) type Span = (usize, usize);

/// The rules `RuleSet::builtin` returns, one per built-in matcher.
pub(crate) fn default_rules() -> Vec<LintRule> {
    let rule = |id: &str, matcher, message: &str, why: &str, suggestion: &str| LintRule {
        id: id.to_owned(),
        matcher,
        message: message.to_owned(),
        why: why.to_owned(),
        suggestion: suggestion.to_owned(),
        severity: LintSeverity::Warning,
        enabled: true,
    };
    vec![
        rule(
            "counterfactual",
            Matcher::Counterfactual {},
            "counterfactual about what a person should, could or would have done",
            "A counterfactual describes a world that did not happen and judges people with \
             hindsight (\"they should have\", \"they failed to\", \"if only\"). It ends the \
             question instead of asking why the action made sense at the time (Dekker, The \
             Field Guide to Understanding 'Human Error', ch. 5).",
            "Describe what the person saw and knew, and why the action made sense at the time.",
        ),
        rule(
            "human-error",
            Matcher::HumanError {},
            "names human error or a person's fault as the cause",
            "\"Human error\" is where an investigation starts, not where it ends: it says who, \
             not why, and you cannot fix people, only the tools, interfaces and processes \
             around them (Google SRE book, ch. 15).",
            "Say what made the action easy to get wrong: the tool, the interface, the \
             procedure, the time pressure or the missing safeguard.",
        ),
        rule(
            "judgemental",
            Matcher::Judgemental {},
            "judgemental word about a person or their work",
            "Words like careless, obviously or simply judge people with hindsight; people who \
             feel judged share less, and the review learns less.",
            "Leave out the judgement and state the facts: what was done, what was known then, \
             and what made the risk hard to see.",
        ),
        rule(
            "person-as-subject",
            Matcher::PersonAsSubject {},
            "a person's name is the subject of a cause",
            "Naming a person as the one who broke something points at an individual instead of \
             the conditions that let a normal action cause harm.",
            "Make the change or the system the subject (\"the config change deployed at 09:12 \
             …\") and describe what made it look safe.",
        ),
        rule(
            "blame-question",
            Matcher::BlameQuestion {},
            "accusing question (who did…, why did you…)",
            "\"Who\" and \"why did you\" questions put a person on the defensive; \"what\" and \
             \"how\" questions bring out what they saw and the context they worked in.",
            "Ask what the person saw and expected, e.g. \"What did the dashboard show at that \
             point?\" or \"How did the command look safe at the time?\"",
        ),
    ]
}

fn any(word: &str, list: &[&str]) -> bool {
    list.contains(&word)
}

fn is_adverb(word: &str) -> bool {
    word.len() > 4 && word.ends_with("ly") && !any(word, &["only", "early", "daily", "family"])
}

// ---------------------------------------------------------------- counterfactual

/// After `should/could/would have`, words that make `have` mean possession
/// or obligation, not a counterfactual ("would have to", "could have more").
#[rustfmt::skip]
const NOT_PARTICIPLE: &[&str] = &[
    "to", "a", "an", "the", "more", "less", "some", "any", "no", "enough", "fewer", "many", "much",
    "its", "their", "our", "his", "her", "my", "your", "this", "that", "these", "those", "one",
    "two", "three", "several", "plenty", "lots",
];

/// Things a person is said not to have done ("the admin didn't check the
/// logs"). Verbs of knowing and seeing are not here: "she didn't know the
/// host was the primary" is the blameless way to put it.
#[rustfmt::skip]
const OMISSIONS: &[&str] = &[
    "check", "read", "test", "verify", "follow", "look", "review", "confirm", "validate",
    "escalate", "ask", "update", "document", "wait", "listen", "care", "double-check", "monitor",
    "communicate", "tell", "inform", "warn", "consult", "heed", "bother", "try",
];

/// `would have` + these is a wish or an expectation, not a judgement
/// ("the responders would have benefited from a runbook").
#[rustfmt::skip]
const WOULD_NOT_BLAME: &[&str] = &[
    "benefited", "benefitted", "liked", "preferred", "wanted", "expected", "thought", "assumed",
    "hoped", "appreciated", "needed", "loved", "welcomed", "helped", "enjoyed",
];

/// `could have been` + these is a possibility ("could have been misled").
#[rustfmt::skip]
const COULD_BEEN_STATE: &[&str] = &[
    "misled", "confused", "unaware", "tired", "fatigued", "distracted", "overloaded", "mistaken",
    "overwhelmed", "interrupted", "busy",
];

/// Counterfactuals said of people: "should/could/would have" and "failed to"
/// with a person as subject, "neglected", "didn't bother", "if only we …",
/// "if they had …" beside a counterfactual, and a sentence opening "Had the
/// operator …".
pub(crate) fn counterfactual(s: &Sentence, people: &People, out: &mut Vec<Span>) {
    let has_modal_perfect = (0..s.tokens.len()).any(|i| modal_perfect(s, i).is_some());
    for i in 0..s.tokens.len() {
        let word = s.word(i);
        if let Some(have) = modal_perfect(s, i) {
            if counterfactual_modal_is_blame(s, people, i, have) {
                out.push(s.span(i, have));
            }
            continue;
        }
        match word {
            "failed" | "neglected" | "neglect" | "neglecting" | "omitted" => {
                let person_subject = subject_before(s, i).map(|h| people.is_person(s, h));
                let neglect = word.starts_with("neglect");
                // A log line says "failed to connect"; only a person fails to
                // in the blaming sense, but nobody neglects but people.
                let blame = person_subject.unwrap_or(neglect);
                let mut to = i + 1;
                while is_adverb(s.word(to)) {
                    to += 1;
                }
                let object = any(s.word(to), &["to", "at"]);
                if blame && (object || neglect) {
                    out.push(s.span(i, if object { to } else { i }));
                }
            }
            "did" | "does" | "do" if any(s.word(i + 1), &["n't", "not"]) => {
                // "They didn't check the logs": an omission said of a person.
                let person = subject_before(s, i).is_some_and(|h| people.is_person(s, h));
                if person && any(s.word(i + 2), OMISSIONS) {
                    out.push(s.span(i, i + 2));
                }
            }
            w if w.starts_with("bother") => {
                let mut j = i;
                while j > 0 && any(s.word(j - 1), &["even", "be", "ever", "really"]) {
                    j -= 1;
                }
                if j > 0 {
                    let before = s.word(j - 1);
                    let negated = any(before, &["n't", "not", "never", "nobody", "none"])
                        || (before == "one" && j > 1 && s.word(j - 2) == "no");
                    if negated {
                        out.push(s.span(j - 1, i));
                    }
                }
            }
            "if" if s.word(i + 1) == "only" && people.person_phrase_at(s, i + 2).is_some() => {
                out.push(s.span(i, i + 1));
            }
            "if" if has_modal_perfect => {
                if let Some(p) = people.person_phrase_at(s, i + 1) {
                    let mut h = p + 1;
                    while is_adverb(s.word(h)) || any(s.word(h), &["only", "just", "simply"]) {
                        h += 1;
                    }
                    if any(s.word(h), &["had", "'d"]) && s.word(h + 1) != "to" {
                        out.push(s.span(i, h));
                    }
                }
            }
            "had" if i == 0 => {
                if let Some(p) = people.person_phrase_at(s, 1) {
                    out.push(s.span(0, p));
                }
            }
            _ => {}
        }
    }
}

/// When word `i` starts `should/could/would (not) have`: the index of `have`.
fn modal_perfect(s: &Sentence, i: usize) -> Option<usize> {
    let mut k = match s.word(i) {
        "should" | "could" | "would" => i + 1,
        "ought" if s.word(i + 1) == "to" => i + 2,
        _ => return None,
    };
    while any(s.word(k), &["not", "n't", "never", "also", "really", "so"]) || is_adverb(s.word(k)) {
        k += 1;
    }
    any(s.word(k), &["have", "'ve"]).then_some(k)
}

fn counterfactual_modal_is_blame(s: &Sentence, people: &People, modal: usize, have: usize) -> bool {
    let next = s.word(have + 1);
    if any(next, NOT_PARTICIPLE) || next.starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    match s.word(modal) {
        "would" if any(next, WOULD_NOT_BLAME) => return false,
        "could" if next == "been" => {
            let state = s.word(have + 2);
            if state.ends_with("ing") || any(state, COULD_BEEN_STATE) {
                return false;
            }
        }
        _ => {}
    }
    // "Should have checked the host." has no subject: the writer means a person.
    subject_before(s, modal).is_none_or(|head| people.is_person(s, head))
}

// ---------------------------------------------------------------- human error

/// Nouns after "user error" that make it an error shown to users.
#[rustfmt::skip]
const ERROR_SHOWN_TO_USERS: &[&str] = &[
    "message", "messages", "page", "pages", "rate", "rates", "code", "codes", "count", "counts",
    "response", "responses", "handling", "reporting", "log", "logs", "toast", "toasts", "dialog",
    "dialogs", "screen", "screens", "state", "states", "budget", "budgets", "path", "paths", "type",
    "types", "field", "fields", "text", "output", "metric", "metrics", "spike", "spikes",
];

#[rustfmt::skip]
const FAULT_NOUNS: &[&str] = &[
    "mistake", "mistakes", "error", "errors", "fault", "faults", "blunder", "oversight", "slip",
    "screw-up", "screwup", "negligence", "carelessness", "incompetence", "failing", "typo", "typos",
];

/// Words that, shortly before "human error", mean the writer rejects it as a
/// cause ("we do not record human error as a root cause").
#[rustfmt::skip]
const NEGATIONS: &[&str] = &[
    "not", "n't", "never", "no", "nobody", "without", "rather", "instead", "beyond", "avoid",
    "avoids", "avoided", "avoiding", "against", "than",
];

/// "Human error", "operator error", "user error", PEBKAC and friends; a
/// person's mistake or fault ("the operator's mistake"); blame placed on
/// people ("caused by the release engineer", "the outage is on the
/// developers").
pub(crate) fn human_error(s: &Sentence, people: &People, out: &mut Vec<Span>) {
    let negated_before = |i: usize| (i.saturating_sub(3)..i).any(|j| any(s.word(j), NEGATIONS));
    for i in 0..s.tokens.len() {
        let word = s.word(i);
        let next = s.word(i + 1);
        let original = &s.text[s.tokens[i].start - s.start..s.tokens[i].end - s.start];
        // "human error" and its kin.
        let error_word = any(next, &["error", "errors", "mistake", "mistakes"]);
        let human_kind = match word {
            "human" => error_word || any(next, &["failure", "failures", "fault", "lapse", "slip"]),
            "operator" | "user" | "pilot" | "admin" | "administrator" | "personnel" | "staff"
            | "engineer" | "people" | "employee" => {
                error_word && !any(s.word(i + 2), ERROR_SHOWN_TO_USERS)
            }
            _ => false,
        };
        if human_kind && !negated_before(i) {
            out.push(s.span(i, i + 1));
            continue;
        }
        let acronym = any(word, &["pebkac", "pebcak", "pibkac", "id10t", "id-10-t"])
            || (word == "picnic" && original == "PICNIC");
        let slang = match word {
            "layer" | "layer-8" => {
                let (n, rest) = if word == "layer" {
                    (next, i + 2)
                } else {
                    ("8", i + 1)
                };
                n == "8" && any(s.word(rest), &["issue", "problem", "error", "bug"])
            }
            "wetware" | "meatware" => true,
            w => w.starts_with("fat-finger") || (w == "fat" && next.starts_with("finger")),
        };
        if acronym || slang {
            let end = if word == "fat" || word == "layer" {
                i + 1
            } else {
                i
            };
            out.push(s.span(i, end));
            continue;
        }
        // A person's mistake: "the operator's mistake", "Maria's fault".
        if word == "'s" && i > 0 && any(next, FAULT_NOUNS) && people.is_person(s, i - 1) {
            out.push(s.span(i - 1, i + 1));
            continue;
        }
        // "mistake by the admin", "fault of the developer".
        if any(word, FAULT_NOUNS)
            && any(next, &["by", "of"])
            && let Some(p) = people.person_phrase_at(s, i + 2)
        {
            out.push(s.span(i, p));
            continue;
        }
        // "caused by the release engineer", "blame the intern".
        let caused_by = any(word, &["caused", "triggered"]) && next == "by";
        if caused_by || word == "blame" {
            let from = if caused_by { i + 2 } else { i + 1 };
            // "caused by operator error" is told as "operator error" below.
            if let Some(p) = people.person_phrase_at(s, from)
                && !negated_before(i)
                && !any(s.word(p + 1), &["error", "errors", "mistake", "mistakes"])
            {
                out.push(s.span(i, p));
                continue;
            }
        }
        // "to blame", "at fault", "the fault lies with".
        let placed = (word == "to" && next == "blame")
            || (word == "at" && next == "fault")
            || (any(word, &["fault", "blame"])
                && any(next, &["lies", "lay", "rests", "rested"])
                && s.word(i + 2) == "with");
        if placed && !negated_before(i) {
            out.push(s.span(i, i + 1));
            continue;
        }
        // "the outage is on the developers".
        if any(word, &["is", "was", "'s"]) && next == "on" {
            let subject = subject_before(s, i).map(|h| s.word(h));
            let about_failure = subject.is_some_and(|w| {
                any(
                    w,
                    &[
                        "outage", "incident", "failure", "this", "that", "it", "blame", "fault",
                    ],
                )
            });
            if let Some(p) = people.person_phrase_at(s, i + 2)
                && about_failure
                && s.word(p + 1) != "'s"
                && s.word(p) != "call"
            {
                out.push(s.span(i, p));
            }
        }
    }
}

// ---------------------------------------------------------------- judgemental

/// Judgemental words, flagged wherever they stand.
#[rustfmt::skip]
const JUDGEMENTAL: &[&str] = &[
    "careless", "carelessly", "carelessness", "negligent", "negligently", "negligence", "stupid",
    "stupidly", "stupidity", "obviously", "incompetent", "incompetently", "incompetence", "sloppy",
    "sloppily", "sloppiness", "reckless", "recklessly", "recklessness", "idiot", "idiots",
    "idiotic", "foolish", "foolishly", "irresponsible", "irresponsibly", "inexcusable", "clueless",
    "inept", "ineptitude", "thoughtless", "thoughtlessly", "blatant", "blatantly", "moronic",
    "boneheaded", "unprofessional", "amateurish", "laziness", "lazy", "dumb", "ignorant",
    "botched", "bungled", "goofed", "blundered",
];

/// Technical words after "lazy" and "dumb" ("lazy loading", "a dumb pipe").
#[rustfmt::skip]
const TECHNICAL_AFTER: &[&str] = &[
    "loading", "loaded", "load", "evaluation", "evaluated", "initialisation", "initialization",
    "init", "static", "val", "iterator", "iterators", "pipe", "pipes", "terminal", "terminals",
    "client", "clients", "switch", "switches",
];

/// Judgemental idioms, as word sequences.
const JUDGEMENTAL_PHRASES: &[&[&str]] = &[
    &["asleep", "at", "the", "wheel"],
    &["dropped", "the", "ball"],
    &["drop", "the", "ball"],
    &["dropping", "the", "ball"],
    &["rookie", "mistake"],
    &["rookie", "error"],
    &["basic", "mistake"],
    &["silly", "mistake"],
    &["not", "paying", "attention"],
    &["n't", "paying", "attention"],
    &["lack", "of", "attention"],
    &["lack", "of", "care"],
    &["no", "excuse"],
    &["without", "thinking"],
    &["common", "sense"],
    &["should", "know", "better"],
    &["knew", "better"],
    &["more", "diligent"],
    &["more", "attentive"],
    &["any", "competent"],
    &["any", "sensible"],
    &["messed", "up"],
    &["screwed", "up"],
    &["blew", "it"],
    // Hindsight: what is obvious now was not obvious then.
    &["it", "was", "obvious"],
    &["it", "is", "obvious"],
    &["it", "'s", "obvious"],
    &["been", "obvious"],
];

/// Judgemental words ("careless", "obviously", "sloppy" …), idioms ("dropped
/// the ball"), "be more careful", and words that belittle what a person did
/// ("they simply ignored", "the operator just had to", "all they had to do").
pub(crate) fn judgemental(s: &Sentence, people: &People, out: &mut Vec<Span>) {
    let person_subject = |i: usize| subject_before(s, i).is_some_and(|h| people.is_person(s, h));
    for i in 0..s.tokens.len() {
        let word = s.word(i);
        if any(word, JUDGEMENTAL) {
            let technical = any(word, &["lazy", "dumb"]) && any(s.word(i + 1), TECHNICAL_AFTER);
            if !technical {
                out.push(s.span(i, i));
            }
            continue;
        }
        if let Some(phrase) = JUDGEMENTAL_PHRASES
            .iter()
            .find(|p| p.iter().enumerate().all(|(k, w)| s.word(i + k) == *w))
        {
            out.push(s.span(i, i + phrase.len() - 1));
            continue;
        }
        match word {
            "more" if s.word(i + 1) == "careful" => {
                let before = if i == 0 { "" } else { s.word(i - 1) };
                if any(before, &["be", "been", "being", "was", "were", "is", "are"])
                    || any(s.word(i + 2), &["with", "about", "when"])
                {
                    out.push(s.span(i, i + 1));
                }
            }
            "simply" if person_subject(i) => out.push(s.span(i, i)),
            "just" if any(s.word(i + 1), &["had", "needed"]) && s.word(i + 2) == "to" => {
                let head = subject_before(s, i);
                let others =
                    head.is_some_and(|h| people.is_person(s, h) && !any(s.word(h), FIRST_PERSON));
                if others {
                    out.push(s.span(i, i + 2));
                }
            }
            "all"
                if s.word(i + 2) == "had"
                    && s.word(i + 3) == "to"
                    && s.word(i + 4) == "do"
                    && people.is_person(s, i + 1) =>
            {
                out.push(s.span(i, i + 4));
            }
            _ => {}
        }
    }
}

// ---------------------------------------------------------------- person as subject

/// Words that start a new clause, so a name after them can be its subject.
#[rustfmt::skip]
const CLAUSE_STARTERS: &[&str] = &[
    "and", "but", "then", "because", "so", "when", "after", "before", "since", "while", "until",
    "as", "once", "that", "where", "if", "though", "although", "whereas", "or",
];

/// What people do in a response, said without blame ("Priya found the bug").
#[rustfmt::skip]
const RESPONSE_VERBS: &[&str] = &[
    "found", "noticed", "spotted", "discovered", "identified", "diagnosed", "fixed", "reverted",
    "rolled", "restored", "mitigated", "investigated", "reported", "escalated", "paged", "joined",
    "helped", "confirmed", "traced", "saw", "asked", "opened", "declared", "led", "coordinated",
    "resolved", "recovered", "shared", "acknowledged", "responded", "answered", "raised", "flagged",
    "alerted", "warned", "suggested", "proposed", "explained", "said", "told", "pointed", "wrote",
    "noted", "called", "checked", "verified", "tested", "documented",
    "blocked", "contained", "isolated", "quarantined", "revoked", "rotated", "removed",
];

/// Words that make a clause about a cause or a failure.
#[rustfmt::skip]
const CAUSE_CUES: &[&str] = &[
    "caused", "cause", "causing", "broke", "broken", "break", "breaking", "faulty", "bad", "wrong",
    "wrongly", "incorrect", "incorrectly", "mistakenly", "mistake", "mistakes", "mistyped", "typo",
    "misconfigured", "misconfiguration", "misread", "misjudged", "forgot", "forgotten", "ignored",
    "ignoring", "missed", "skipped", "overlooked", "neglected", "failed", "outage", "deleted",
    "dropped", "wiped", "without", "unreviewed", "untested", "erroneous", "buggy", "accidentally",
    "accident", "responsible", "fault", "crashed", "corrupted", "exposed", "leaked", "lost",
    "triggered", "introduced",
    // The way in of an attack: "Lucas clicked the phishing link".
    "phishing", "malicious", "attacker", "attackers",
];

/// Words that end the clause a name is the subject of.
#[rustfmt::skip]
const CLAUSE_ENDERS: &[&str] = &[
    "but", "which", "while", "whereas", "although", "though", "who", "so",
];

/// A known person's name as the subject of a clause about a cause or a
/// failure: "Priya deployed the broken config", "… because Sam ran the
/// migration twice by accident". Names as objects ("we paged Priya"),
/// possessives ("Priya's dashboard") and response verbs ("Priya found the
/// bug") are left alone.
pub(crate) fn person_as_subject(s: &Sentence, people: &People, out: &mut Vec<Span>) {
    for i in 0..s.tokens.len() {
        let Some(mut end) = people.name_starting_at(s, i) else {
            continue;
        };
        let starts_clause =
            i == 0 || s.clause_break_before(i) || any(s.word(i - 1), CLAUSE_STARTERS);
        if !starts_clause {
            continue;
        }
        // "Marcus and Lena broke …": a compound subject.
        while s.word(end) == "and" {
            match people.name_starting_at(s, end + 1) {
                Some(next_end) => end = next_end,
                None => break,
            }
        }
        // "Omar's typo took down the API": the person's thing is the subject.
        let possessive = s.word(end) == "'s";
        let mut verb = if possessive { end + 1 } else { end };
        let mut cue = false;
        while is_adverb(s.word(verb)) || any(s.word(verb), &["also", "then", "just"]) {
            cue |= any(s.word(verb), CAUSE_CUES);
            verb += 1;
        }
        let not_a_verb = [
            "'s", "of", "at", "in", "on", "from", "for", "with", "to", "by", "and", "or", "nor",
        ];
        if verb >= s.tokens.len()
            || (verb == end && s.clause_break_before(verb))
            || (!possessive && any(s.word(verb), &not_a_verb))
            || any(s.word(verb), RESPONSE_VERBS)
        {
            continue;
        }
        let mut took = false;
        let mut k = verb;
        while k < s.tokens.len() && (k == verb || !s.clause_break_before(k)) {
            let w = s.word(k);
            if k > verb && any(w, CLAUSE_ENDERS) {
                break;
            }
            took |= any(
                w,
                &["took", "take", "takes", "taking", "brought", "knocked"],
            );
            cue |= any(w, CAUSE_CUES) || (took && w == "down");
            k += 1;
        }
        if cue {
            out.push(s.span(i, verb));
        }
    }
}

// ---------------------------------------------------------------- blame questions

#[rustfmt::skip]
const PAST_IRREGULAR: &[&str] = &[
    "gave", "made", "wrote", "broke", "ran", "took", "put", "let", "forgot", "left", "sent", "did",
    "told", "set", "hit", "brought", "chose", "built", "cut", "shut", "drove", "got", "threw",
    "lost", "thought",
];

/// Fact-finding verbs: "who noticed the alert?" asks for a timeline, not a culprit.
#[rustfmt::skip]
const WHO_FACT_VERBS: &[&str] = &[
    "noticed", "joined", "saw", "found", "discovered", "reported", "escalated", "paged", "needed",
    "helped", "responded", "answered", "spotted", "fixed", "restored", "asked", "led",
    "coordinated", "attended", "received", "acknowledged", "watched", "observed", "investigated",
    "knew", "worked", "owned", "handled", "resolved", "recovered", "mitigated", "declared",
    "called", "noted", "raised", "wanted", "used", "opened", "started", "got",
];

#[rustfmt::skip]
const WHY_AUXILIARIES: &[&str] = &[
    "did", "do", "does", "would", "were", "was", "could", "have", "has", "had", "is", "are", "will",
    "wo", "ca", "can", "should",
];

/// Accusing questions: "Why did you …?", "Why didn't the DBA …?", "Who
/// approved this …?", "Whose idea was …?", "What were you thinking?", "How
/// could you …?". Questions about systems ("Why did the health check
/// pass?") and fact-finding ("Who is on call?", "Who noticed first?") are
/// fine, and so are questions a group asks itself ("Why did we …?").
pub(crate) fn blame_question(s: &Sentence, people: &People, out: &mut Vec<Span>) {
    if !s.is_question {
        return;
    }
    let lead_ins = [
        "so",
        "and",
        "but",
        "then",
        "ok",
        "okay",
        "honestly",
        "seriously",
        "also",
        "like",
    ];
    let q = usize::from(any(s.word(0), &lead_ins));
    // A person other than the speakers, as the phrase starting at `i`.
    let someone_else = |i: usize| {
        people
            .person_phrase_at(s, i)
            .filter(|&p| !any(s.word(p), FIRST_PERSON))
    };
    let first_content = |mut i: usize| {
        while any(s.word(i), &["n't", "not"]) {
            i += 1;
        }
        i
    };
    // "Why on earth did you …", "why exactly did they …".
    let after_why = |i: usize| match (s.word(i + 1), s.word(i + 2)) {
        ("on", "earth") | ("the", "hell") | ("the", "heck") => i + 3,
        (w, _) if any(w, &["exactly", "again", "then", "ever"]) => i + 2,
        _ => i + 1,
    };
    match s.word(q) {
        "why" if any(s.word(after_why(q)), WHY_AUXILIARIES) => {
            if let Some(p) = someone_else(first_content(after_why(q) + 1)) {
                out.push(s.span(q, p));
            }
        }
        "who" => {
            let verb = s.word(q + 1);
            let responsible = any(verb, &["'s", "is", "was"])
                && (s.word(q + 2) == "responsible"
                    || (s.word(q + 2) == "to" && s.word(q + 3) == "blame"));
            let past = (verb.len() > 3 && verb.ends_with("ed")) || any(verb, PAST_IRREGULAR);
            if responsible {
                out.push(s.span(q, q + 2));
            } else if past && !any(verb, WHO_FACT_VERBS) {
                out.push(s.span(q, q + 1));
            }
        }
        "whose" => {
            let blame_nouns = [
                "fault",
                "idea",
                "mistake",
                "call",
                "decision",
                "responsibility",
            ];
            // "Whose (bright) idea was it …?"
            if let Some(k) = (q + 1..q + 3).find(|&k| any(s.word(k), &blame_nouns)) {
                out.push(s.span(q, k));
            }
        }
        "what" if any(s.word(q + 1), &["was", "were"]) => {
            if let Some(p) = someone_else(q + 2)
                && s.word(p + 1) == "thinking"
            {
                out.push(s.span(q, p + 1));
            }
        }
        "how" if any(s.word(q + 1), &["could", "can"]) => {
            let from = first_content(q + 2);
            if let Some(p) = someone_else(from) {
                let excusing = [
                    "know",
                    "known",
                    "see",
                    "seen",
                    "tell",
                    "told",
                    "guess",
                    "guessed",
                    "expect",
                    "expected",
                    "predict",
                    "predicted",
                ];
                let excused = (p + 1..p + 5).any(|k| any(s.word(k), &excusing));
                if !excused {
                    out.push(s.span(q, p));
                }
            }
        }
        "did" | "do" => {
            let negated = s.word(q + 1) == "n't";
            let start = if negated { q + 2 } else { q + 1 };
            if let Some(p) = someone_else(start)
                && (negated || s.word(p + 1) == "even")
            {
                out.push(s.span(q, p));
            }
        }
        _ => {}
    }
    // "Why" later in a sentence ("So, why did you …") is caught when a comma
    // starts the clause.
    for i in 1..s.tokens.len() {
        if i != q
            && s.word(i) == "why"
            && s.clause_break_before(i)
            && any(s.word(after_why(i)), WHY_AUXILIARIES)
            && let Some(p) = someone_else(first_content(after_why(i) + 1))
        {
            out.push(s.span(i, p));
        }
    }
}
