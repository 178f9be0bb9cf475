use super::*;
use crate::Severity;
use proptest::prelude::*;

fn facts(key: &str, day: i64, category: &str, services: &[&str], causes: &[&str]) -> IncidentFacts {
    let at = jiff::Timestamp::from_second(1_750_000_000 + day * 86_400).unwrap();
    IncidentFacts {
        key: key.into(),
        at,
        on: at.to_zoned_datetime(jiff::tz::TimeZone::UTC).date(),
        category: category.into(),
        severity: Severity::High,
        services: services.iter().map(|s| (*s).to_owned()).collect(),
        tags: vec![],
        closed: false,
        durations: [None; 7],
        review: None,
        recurrence: None,
        workshop: None,
        cost: None,
        cost_missing_rate: false,
        cause_categories: causes.iter().map(|s| (*s).to_owned()).collect(),
        actions: vec![],
    }
}

fn keys(earlier: &[Candidate]) -> Vec<RelKey> {
    earlier
        .iter()
        .map(|c| RelKey::new(c.facts, c.words))
        .collect()
}

#[test]
fn title_words_drop_short_and_stop_words_and_keep_eight() {
    assert_eq!(
        title_words("The VPN incident: credential stuffing on the VPN, again"),
        ["again", "credential", "stuffing", "vpn"]
    );
    assert_eq!(title_words("a b of"), Vec::<String>::new());
    assert_eq!(
        title_words("one two three four five six seven eight nine ten eleven").len(),
        MAX_TITLE_WORDS
    );
}

#[test]
fn services_category_causes_and_wording_each_score_and_are_named() {
    let target = facts(
        "T",
        10,
        "unauthorised_access",
        &["VPN", "Mail"],
        &["process"],
    );
    let tw = title_words("Credential stuffing against the VPN");
    let a = facts("A", 1, "unauthorised_access", &["VPN"], &[]);
    let aw = title_words("VPN outage");
    let b = facts("B", 2, "phishing", &[], &["process", "people"]);
    let bw = title_words("Credential phishing wave");
    let c = facts("C", 3, "availability", &["Payroll"], &[]);
    let cw = title_words("Payroll late");
    let earlier = [
        Candidate {
            facts: &a,
            words: &aw,
        },
        Candidate {
            facts: &b,
            words: &bw,
        },
        Candidate {
            facts: &c,
            words: &cw,
        },
    ];
    let got = related(
        Candidate {
            facts: &target,
            words: &tw,
        },
        &earlier,
        &keys(&earlier),
        10,
    );
    // A: VPN service 3 + category 2 + the word "vpn" 2+1 = 8;
    // B: causes 3 + "credential" 2+1 = 6; C shares nothing.
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].index, 0);
    assert_eq!(got[0].score, 8);
    assert_eq!(got[0].services, ["VPN"]);
    assert!(got[0].same_category);
    assert_eq!(got[0].words, ["vpn"]);
    assert_eq!(got[1].index, 1);
    assert_eq!(got[1].score, 6);
    assert_eq!(got[1].causes, ["process"]);
    assert_eq!(got[1].words, ["credential"]);
    assert!(!got[1].same_category);
}

#[test]
fn ties_go_to_the_newest_and_the_limit_holds() {
    let target = facts("T", 100, "phishing", &[], &[]);
    let others: Vec<IncidentFacts> = (0..30)
        .map(|k| facts(&format!("E{k}"), k, "phishing", &[], &[]))
        .collect();
    let none: Vec<String> = Vec::new();
    let earlier: Vec<Candidate> = others
        .iter()
        .map(|f| Candidate {
            facts: f,
            words: &none,
        })
        .collect();
    let got = related(
        Candidate {
            facts: &target,
            words: &none,
        },
        &earlier,
        &keys(&earlier),
        5,
    );
    let order: Vec<usize> = got.iter().map(|m| m.index).collect();
    assert_eq!(order, [29, 28, 27, 26, 25]);
    assert!(
        related(
            Candidate {
                facts: &target,
                words: &none
            },
            &earlier,
            &keys(&earlier),
            0
        )
        .is_empty()
    );
    assert!(
        related(
            Candidate {
                facts: &target,
                words: &none
            },
            &[],
            &[],
            5
        )
        .is_empty()
    );
}

#[test]
fn a_word_most_earlier_incidents_share_does_not_relate_them() {
    let target = facts("T", 100, "phishing", &[], &[]);
    let tw = title_words("Server ransomware");
    let server = title_words("Server restarted");
    let ransom = title_words("Ransomware on a laptop");
    let mut others: Vec<(IncidentFacts, &Vec<String>)> = (0..30)
        .map(|k| {
            (
                facts(&format!("E{k}"), k, "availability", &[], &[]),
                &server,
            )
        })
        .collect();
    others.push((facts("R", 50, "availability", &[], &[]), &ransom));
    let earlier: Vec<Candidate> = others
        .iter()
        .map(|(f, w)| Candidate { facts: f, words: w })
        .collect();
    let got = related(
        Candidate {
            facts: &target,
            words: &tw,
        },
        &earlier,
        &keys(&earlier),
        10,
    );
    assert_eq!(got.len(), 1, "'server' is in 30 of 31 titles");
    assert_eq!(got[0].index, 30);
    assert_eq!(got[0].words, ["ransomware"]);
}

#[test]
fn more_services_than_fit_are_compared_on_their_names() {
    let many = ["a", "b", "c", "d", "e", "VPN"];
    let target = facts("T", 10, "x", &["VPN"], &[]);
    let e = facts("E", 1, "y", &many, &[]);
    let none: Vec<String> = Vec::new();
    let earlier = [Candidate {
        facts: &e,
        words: &none,
    }];
    let got = related(
        Candidate {
            facts: &target,
            words: &none,
        },
        &earlier,
        &keys(&earlier),
        5,
    );
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].services, ["VPN"]);
    assert_eq!(got[0].score, 3);
}

proptest! {
    /// Never more than the limit, best first, only incidents that share
    /// something, and no input panics.
    #[test]
    fn results_are_bounded_ordered_and_explained(
        n in 0usize..60,
        limit in 0usize..12,
        seed in any::<u64>(),
    ) {
        let cats = ["a", "b", "c"];
        let svcs = ["x", "y", "z"];
        let titles = ["alpha beta", "beta gamma", "delta", "alpha"];
        let mut s = seed;
        let mut next = |m: usize| { s = s.wrapping_mul(6364136223846793005).wrapping_add(1); (s >> 33) as usize % m };
        let list: Vec<(IncidentFacts, Vec<String>)> = (0..n)
            .map(|k| (
                facts(&format!("E{k}"), k as i64, cats[next(3)], &[svcs[next(3)]], &[cats[next(3)]]),
                title_words(titles[next(4)]),
            ))
            .collect();
        let target = facts("T", 1000, "a", &["x"], &["b"]);
        let tw = title_words("alpha gamma");
        let earlier: Vec<Candidate> = list.iter().map(|(f, w)| Candidate { facts: f, words: w }).collect();
        let got = related(Candidate { facts: &target, words: &tw }, &earlier, &keys(&earlier), limit);
        prop_assert!(got.len() <= limit);
        for pair in got.windows(2) {
            prop_assert!(pair[0].score >= pair[1].score);
        }
        for m in &got {
            prop_assert!(m.score > 0);
            prop_assert!(!m.services.is_empty() || m.same_category || !m.causes.is_empty() || !m.words.is_empty());
        }
    }
}
