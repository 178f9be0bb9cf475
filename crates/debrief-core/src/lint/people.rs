//! Who a sentence is about: whether a word names a person (a pronoun, a role
//! such as `engineer` or `on-call`, a name debrief knows) and which word is
//! the subject of a verb. Counterfactuals and judgements are blame only when
//! said of people: "the health check failed to respond" names a system.
//!
//! These are small word lists and a few rules of English word order, not a
//! parser; the corpus test (`tests/lint_corpus.rs`) measures how well they do.

use super::text::{Sentence, Token, tokens};

/// Pronouns that stand for people (`it`, `this` and `that` do not).
#[rustfmt::skip]
const PERSON_PRONOUNS: &[&str] = &[
    "i", "we", "you", "he", "she", "they", "someone", "somebody", "anyone", "anybody", "everyone",
    "everybody", "nobody", "whoever", "who", "y'all",
];

/// First-person pronouns: a group asking itself questions is how a review
/// works, so some rules leave these out.
pub(crate) const FIRST_PERSON: &[&str] = &["i", "we", "us"];

/// Nouns for people by their role, singular and plural.
#[rustfmt::skip]
const ROLES: &[&str] = &[
    "engineer", "engineers", "on-call", "oncall", "on-caller", "on-callers", "admin", "admins",
    "administrator", "administrators", "sysadmin", "sysadmins", "developer", "developers", "dev",
    "devs", "programmer", "programmers", "coder", "coders", "team", "teams", "teammate",
    "teammates", "colleague", "colleagues", "analyst", "analysts", "sre", "sres", "dba", "dbas",
    "intern", "interns", "contractor", "contractors", "consultant", "consultants", "technician",
    "technicians", "employee", "employees", "staff", "staffer", "staffers", "person", "people",
    "persons", "human", "humans", "individual", "individuals", "member", "members", "reviewer",
    "reviewers", "approver", "approvers", "manager", "managers", "lead", "responder", "responders",
    "commander", "commanders", "owner", "owners", "maintainer", "maintainers", "architect",
    "architects", "tester", "testers", "author", "authors", "committer", "committers", "assignee",
    "assignees", "guy", "guys", "folks", "officer", "officers", "director", "directors",
    "supervisor", "supervisors", "specialist", "specialists", "coordinator", "coordinators", "ciso",
    "cto", "ceo", "cio", "operator", "operators", "agent", "agents", "shift", "shifts", "crew", "crews", "squad", "squads", "department",
    "departments", "management", "leadership", "desk", "helpdesk", "servicedesk",
];

/// Software that is also called an operator (a Kubernetes operator).
#[rustfmt::skip]
const SOFTWARE_BEFORE_OPERATOR: &[&str] = &[
    "kubernetes", "k8s", "helm", "crd", "etcd", "postgres", "postgresql", "mysql", "redis", "kafka",
    "prometheus", "elasticsearch", "cluster", "custom", "database", "db",
];

/// The few kinds of agent that are people (a support agent, not a
/// monitoring agent).
#[rustfmt::skip]
const PEOPLE_BEFORE_AGENT: &[&str] = &[
    "support", "service", "customer", "helpdesk", "desk", "sales", "human", "call-centre",
    "call-center", "security", "soc",
];

/// Plural things that `they` often stands for in incident reports.
#[rustfmt::skip]
const THINGS: &[&str] = &[
    "replicas", "servers", "nodes", "hosts", "pods", "jobs", "services", "requests", "workers",
    "checks", "alerts", "tests", "clients", "queues", "caches", "instances", "containers",
    "processes", "scripts", "systems", "machines", "disks", "databases", "clusters", "retries",
    "backups", "probes", "monitors", "certificates", "tools", "dashboards", "routers", "switches",
    "links", "brokers", "consumers", "producers", "shards", "partitions", "volumes", "regions",
    "zones", "deployments", "builds", "pipelines", "rules", "packets", "connections", "threads",
    "tasks", "handlers", "endpoints", "apis", "vms", "daemons", "controllers", "sensors", "devices",
    "files", "records", "logs", "metrics", "agents", "operators", "balancers", "proxies",
    "firewalls", "jobs", "crons", "queries", "migrations", "changes",
];

/// Words skipped when looking back from a verb for its subject: adverbs,
/// negations and auxiliaries ("the engineer had also failed to").
#[rustfmt::skip]
const SKIPPED_BEFORE_VERB: &[&str] = &[
    "also", "never", "not", "n't", "still", "then", "again", "just", "simply", "really", "even",
    "ever", "already", "all", "both", "only", "too", "now", "once", "each", "themselves", "himself",
    "herself", "ourselves", "myself", "yourself", "yourselves", "itself", "alone", "had", "has",
    "have", "'d", "'ve", "was", "were", "is", "are", "been", "be", "did", "do", "does", "must",
    "seemingly",
];

/// Words ending in -ly that are not adverbs.
#[rustfmt::skip]
const LY_NOUNS: &[&str] = &[
    "family", "supply", "reply", "assembly", "anomaly", "italy", "july", "ally", "poly", "rely",
    "apply", "fly", "only", "early", "daily", "weekly", "monthly", "hourly", "nightly", "friendly",
];

/// Determiners and possessives skipped before the noun of a noun phrase.
#[rustfmt::skip]
pub(crate) const DETERMINERS: &[&str] = &[
    "the", "a", "an", "our", "my", "your", "their", "his", "her", "this", "that", "these", "those",
    "any", "every", "some", "one's",
];

/// The people debrief knows, as lowercase word sequences.
#[derive(Debug, Default)]
pub(crate) struct People {
    names: Vec<Vec<String>>,
}

impl People {
    pub fn new(names: &[String]) -> Self {
        let names = names
            .iter()
            .map(|n| {
                tokens(n, 0)
                    .into_iter()
                    .map(|t: Token| t.lower)
                    .collect::<Vec<_>>()
            })
            .filter(|words| !words.is_empty())
            .collect();
        Self { names }
    }

    /// When a known name starts at word `i`: the index just past its last word.
    pub fn name_starting_at(&self, s: &Sentence, i: usize) -> Option<usize> {
        self.names
            .iter()
            .filter(|name| {
                name.iter()
                    .enumerate()
                    .all(|(k, w)| s.tokens.get(i + k).is_some_and(|t| &t.lower == w))
            })
            .map(|name| i + name.len())
            .max()
    }

    /// Whether a known name ends at word `i`.
    pub fn name_ending_at(&self, s: &Sentence, i: usize) -> bool {
        self.names.iter().any(|name| {
            name.len() <= i + 1
                && name
                    .iter()
                    .enumerate()
                    .all(|(k, w)| s.tokens[i + 1 - name.len() + k].lower == *w)
        })
    }

    /// Whether word `i` is the head of a noun phrase that names a person.
    pub fn is_person(&self, s: &Sentence, i: usize) -> bool {
        if i >= s.tokens.len() {
            return false;
        }
        if self.name_ending_at(s, i) {
            return true;
        }
        let word = s.word(i);
        let before = if i == 0 { "" } else { s.word(i - 1) };
        match word {
            "they" | "them" => !they_means_things(s, i),
            "one" => before == "no",
            "call" => before == "on",
            "operator" | "operators" => !SOFTWARE_BEFORE_OPERATOR.contains(&before),
            "agent" | "agents" => PEOPLE_BEFORE_AGENT.contains(&before),
            w => PERSON_PRONOUNS.contains(&w) || ROLES.contains(&w),
        }
    }

    /// Whether the noun phrase starting at word `i` names a person:
    /// determiners are skipped, then a name or a person word must follow
    /// within two words ("the on-call engineer", "our SOC analyst").
    /// Returns the index of the word that made it a person.
    pub fn person_phrase_at(&self, s: &Sentence, i: usize) -> Option<usize> {
        let mut j = i;
        while DETERMINERS.contains(&s.word(j)) {
            j += 1;
        }
        if let Some(end) = self.name_starting_at(s, j) {
            return Some(end - 1);
        }
        (j..(j + 3).min(s.tokens.len()))
            .take_while(|&k| k == j || !s.clause_break_before(k))
            .find(|&k| self.is_person(s, k))
    }
}

/// `they` stands for things when the sentence named plural things before it
/// and no plural people ("the replicas diverged because they failed to agree").
fn they_means_things(s: &Sentence, i: usize) -> bool {
    // The antecedent is near; looking further only costs time on text
    // without full stops.
    let earlier = &s.tokens[i.saturating_sub(40)..i];
    let things = earlier.iter().any(|t| THINGS.contains(&t.lower.as_str()));
    let people = earlier.iter().any(|t| {
        t.lower.ends_with('s') && ROLES.contains(&t.lower.as_str()) && t.lower != "operators"
    });
    things && !people
}

/// The subject of the verb at word `i`: the nearest word before it, skipping
/// adverbs, negations and auxiliaries, within the same clause. `None` when
/// the clause starts with the verb ("Should have checked the host.").
pub(crate) fn subject_before(s: &Sentence, i: usize) -> Option<usize> {
    let mut j = i;
    while j > 0 {
        if s.clause_break_before(j) {
            return None;
        }
        j -= 1;
        let word = s.word(j);
        let adverb = word.len() > 4 && word.ends_with("ly") && !LY_NOUNS.contains(&word);
        if !(adverb || SKIPPED_BEFORE_VERB.contains(&word)) {
            return Some(j);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::text::sentences;
    use super::*;

    fn sentence(text: &str) -> Sentence<'_> {
        sentences(text).into_iter().next().expect("a sentence")
    }

    fn index(s: &Sentence, word: &str) -> usize {
        s.tokens
            .iter()
            .position(|t| t.lower == word)
            .expect("the word is there")
    }

    #[test]
    fn the_subject_is_found_past_adverbs_and_auxiliaries() {
        let s = sentence("The DBA had also clearly failed to notice.");
        let head = subject_before(&s, index(&s, "failed"));
        assert_eq!(head.map(|h| s.word(h)), Some("dba"));
        let s = sentence("Should have checked the host.");
        assert_eq!(subject_before(&s, 0), None);
    }

    #[test]
    fn people_are_pronouns_roles_and_known_names_but_not_software() {
        let people = People::new(&["Priya Patel".to_owned()]);
        let s = sentence("Priya Patel and the Kubernetes operator and the support agent and they");
        assert!(people.is_person(&s, index(&s, "patel")));
        assert!(!people.is_person(&s, index(&s, "priya")));
        assert!(!people.is_person(&s, index(&s, "operator")));
        assert!(people.is_person(&s, index(&s, "agent")));
        assert!(people.is_person(&s, index(&s, "they")));
        let s = sentence("The replicas diverged because they failed.");
        assert!(!people.is_person(&s, index(&s, "they")));
    }

    #[test]
    fn a_person_phrase_skips_determiners_and_modifiers() {
        let people = People::default();
        let s = sentence("the on-call engineer had");
        assert_eq!(people.person_phrase_at(&s, 0), Some(1));
        let s = sentence("the health check had");
        assert_eq!(people.person_phrase_at(&s, 0), None);
    }
}
