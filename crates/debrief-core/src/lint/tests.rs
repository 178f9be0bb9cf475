//! Unit tests of the linter: each built-in rule on what it must find and on
//! what only looks similar, quoting, positions, rule validation and the JSON
//! form of rules; a property test that no text makes it panic.

use proptest::prelude::*;

use super::*;

/// `(rule, excerpt)` of every finding of the built-in rules.
fn found_with(text: &str, names: &[&str]) -> Vec<(String, String)> {
    lint(
        text,
        &RuleSet::builtin(),
        &LintContext::with_names(names.iter().copied()),
    )
    .into_iter()
    .map(|f| (f.rule, f.excerpt))
    .collect()
}

fn found(text: &str) -> Vec<(String, String)> {
    found_with(text, &[])
}

fn finds(text: &str, rule: &str, excerpt: &str) {
    let all = found(text);
    assert!(
        all.iter().any(|(r, e)| r == rule && e == excerpt),
        "expected {rule} at \"{excerpt}\" in {text:?}, found {all:?}"
    );
}

fn clean(text: &str) {
    let all = found(text);
    assert!(
        all.is_empty(),
        "expected nothing in {text:?}, found {all:?}"
    );
}

fn pattern_rule(id: &str, pattern: PatternMatcher) -> LintRule {
    LintRule {
        id: id.to_owned(),
        matcher: Matcher::Pattern(pattern),
        message: "our own rule".to_owned(),
        why: String::new(),
        suggestion: String::new(),
        severity: LintSeverity::Notice,
        enabled: true,
    }
}

fn phrases(list: &[&str]) -> PatternMatcher {
    PatternMatcher {
        phrases: list.iter().map(|p| (*p).to_owned()).collect(),
        ..PatternMatcher::default()
    }
}

fn regex(source: &str) -> PatternMatcher {
    PatternMatcher {
        regex: Some(source.to_owned()),
        ..PatternMatcher::default()
    }
}

// ------------------------------------------------------------ counterfactual

#[test]
fn counterfactuals_said_of_people_are_found() {
    finds(
        "The engineer should have checked the host.",
        "counterfactual",
        "should have",
    );
    finds(
        "We could have caught this in review.",
        "counterfactual",
        "could have",
    );
    finds(
        "The SRE would have noticed the spike.",
        "counterfactual",
        "would have",
    );
    finds("I should've known better.", "counterfactual", "should've");
    finds(
        "The on-call shouldn't have restarted the cluster.",
        "counterfactual",
        "shouldn't have",
    );
    finds(
        "The engineer ought to have known.",
        "counterfactual",
        "ought to have",
    );
    finds(
        "The operator failed to follow the process.",
        "counterfactual",
        "failed to",
    );
    finds(
        "The team failed miserably at communicating.",
        "counterfactual",
        "failed miserably at",
    );
    finds(
        "She neglected to update the records.",
        "counterfactual",
        "neglected to",
    );
    finds(
        "The admin didn't bother to read the alert.",
        "counterfactual",
        "didn't bother",
    );
    finds(
        "Nobody bothered to look at the dashboard.",
        "counterfactual",
        "Nobody bothered",
    );
    finds(
        "If only the developer had added a test.",
        "counterfactual",
        "If only",
    );
    finds(
        "This could have been avoided if they'd followed the checklist.",
        "counterfactual",
        "if they'd",
    );
    finds(
        "Had the operator read the warning, nothing would have happened.",
        "counterfactual",
        "Had the operator",
    );
    finds(
        "The admin didn't check the logs.",
        "counterfactual",
        "didn't check",
    );
}

#[test]
fn a_desk_is_people_and_knowing_is_not_an_omission() {
    finds(
        "The help desk failed to verify the caller.",
        "counterfactual",
        "failed to",
    );
    // Verbs of knowing describe what a person had to go on: left alone, even
    // where the sentence is unkind.
    clean("The developers did not understand how the cache worked.");
}

#[test]
fn a_known_name_is_a_person_for_counterfactuals() {
    let all = found_with("Tomasz should have rotated the keys.", &["Tomasz"]);
    assert!(all.contains(&("counterfactual".into(), "should have".into())));
    // Unknown, the word could be anything: "Rollout should have …".
    assert!(found("Tomasz should have rotated the keys.").is_empty());
}

#[test]
fn counterfactuals_about_systems_are_not_blame() {
    clean("The health check failed to respond within five seconds.");
    clean("The job could have been faster if cached.");
    clean("The backup should have completed by 02:00 according to the schedule.");
    clean("The canary could have caught the regression if it had received traffic.");
    clean("The Kubernetes operator failed to reconcile the StatefulSet.");
    clean("The monitoring agent failed to ship logs.");
    clean("The two replicas diverged because they failed to agree on a leader.");
    clean("ERROR: failed to connect to the database.");
    clean("The migration neglected to copy the indexes.");
}

#[test]
fn have_as_possession_obligation_or_wish_is_not_a_counterfactual() {
    clean("The engineers would have to log in to each host.");
    clean("The on-call runbook should have a section on failover.");
    clean("We should have a shared dashboard.");
    clean("The responders would have benefited from a runbook.");
    clean("I would have expected the disk alert to fire at 90%.");
    clean("The engineer could have been misled by the identical prompts.");
    clean("We should add a confirmation step.");
    clean("If only one replica is healthy, the cluster refuses writes.");
    clean("We failed over to the secondary region at 14:30.");
    clean("She didn't know the host was the primary.");
}

// ------------------------------------------------------------ human error

#[test]
fn human_error_and_its_kin_are_found() {
    finds("Root cause: human error.", "human-error", "human error");
    finds(
        "It was caused by operator error.",
        "human-error",
        "operator error",
    );
    finds("User error: the wrong bucket.", "human-error", "User error");
    finds("Classic PEBKAC.", "human-error", "PEBKAC");
    finds(
        "It failed because of the operator's mistake.",
        "human-error",
        "operator's mistake",
    );
    finds(
        "It was the intern's fault.",
        "human-error",
        "intern's fault",
    );
    finds(
        "The outage was caused by the release engineer.",
        "human-error",
        "caused by the release engineer",
    );
    finds(
        "The outage is on the developers who skipped the test.",
        "human-error",
        "is on the developers",
    );
    finds(
        "The root cause was a human slip.",
        "human-error",
        "human slip",
    );
    let all = found_with("Maria's mistake exposed the panel.", &["Maria"]);
    assert!(all.contains(&("human-error".into(), "Maria's mistake".into())));
}

#[test]
fn error_rates_budgets_and_messages_are_not_human_error() {
    clean("The error rate rose to 12%.");
    clean("We track the error budget of each service.");
    clean("The user error messages were unclear.");
    clean("Users saw an error page for 47 minutes.");
    clean("Human factors such as fatigue made the prompt easy to misread.");
    clean("We do not record human error as a root cause.");
    clean("It was not human error but a missing safeguard.");
    clean("The \"human error\" label was removed from the template.");
    clean("A human-in-the-loop approval step was added.");
}

#[test]
fn a_human_error_budget_is_still_human_error() {
    // Decided: the phrase "human error" is the problem wherever it stands, and
    // "human error budget" budgets people's mistakes; "error budget" alone is
    // the SRE term and is never flagged.
    finds(
        "The team has a human error budget of two mistakes a quarter.",
        "human-error",
        "human error",
    );
}

// ------------------------------------------------------------ judgemental

#[test]
fn judgemental_words_are_found() {
    for (text, word) in [
        ("The developer was careless.", "careless"),
        ("The employee was negligent.", "negligent"),
        ("It was a stupid mistake.", "stupid"),
        ("Obviously the flag was wrong.", "Obviously"),
        ("A lazy review let it through.", "lazy"),
        ("The contractor was incompetent.", "incompetent"),
        ("It was a sloppy change.", "sloppy"),
        ("Reckless habits led to the outage.", "Reckless"),
        ("The DBA botched the upgrade.", "botched"),
    ] {
        finds(text, "judgemental", word);
    }
    finds(
        "The team dropped the ball on alerts.",
        "judgemental",
        "dropped the ball",
    );
    finds(
        "They simply ignored the procedure.",
        "judgemental",
        "simply",
    );
    finds(
        "The operator just had to follow the checklist.",
        "judgemental",
        "just had to",
    );
    finds(
        "All they had to do was wait.",
        "judgemental",
        "All they had to do",
    );
    finds(
        "The on-call must be more careful.",
        "judgemental",
        "more careful",
    );
    finds(
        "It was obvious that the disk would fill.",
        "judgemental",
        "It was obvious",
    );
}

#[test]
fn technical_and_neutral_uses_are_not_judgemental() {
    clean("The lazy-loading module failed to initialise.");
    clean("Lazy loading deferred the config read.");
    clean("Simply put, the cache was too small.");
    clean("The failover simply did not trigger.");
    clean("We just had to wait for the cache to warm up.");
    clean("The dashboard made it obvious that latency had tripled.");
    clean("A dumb pipe forwarded the packets.");
}

// ------------------------------------------------------------ person as subject

#[test]
fn a_known_name_as_the_subject_of_a_cause_is_found() {
    let all = found_with("Priya deployed the broken config.", &["Priya"]);
    assert_eq!(
        all,
        vec![("person-as-subject".to_owned(), "Priya deployed".to_owned())]
    );
    let all = found_with(
        "The site went down because Sam ran the migration twice by accident.",
        &["Sam"],
    );
    assert!(all.contains(&("person-as-subject".into(), "Sam ran".into())));
    let all = found_with("Omar's typo took down the API.", &["Omar"]);
    assert!(all.contains(&("person-as-subject".into(), "Omar's typo".into())));
    let all = found_with("Lucas clicked the phishing link.", &["Lucas"]);
    assert!(all.contains(&("person-as-subject".into(), "Lucas clicked".into())));
    assert!(found_with("Lucas blocked the attacker's address.", &["Lucas"]).is_empty());
    let all = found_with("Priya Patel misconfigured the balancer.", &["Priya Patel"]);
    assert!(all.contains(&(
        "person-as-subject".into(),
        "Priya Patel misconfigured".into()
    )));
}

#[test]
fn names_as_objects_possessives_and_responders_are_not_blame() {
    for text in [
        "We paged Priya at 03:14.",
        "The incident commander asked Priya to roll back the broken change.",
        "Priya's dashboard showed green.",
        "Priya found the bug in the retry logic.",
        "Priya joined the bridge and shared the deploy log.",
        "The broken change was reported by Priya.",
        "Priya configured the balancer in March, and it ran without problems.",
        "Priya deployed the fix at 11:02.",
    ] {
        let all = found_with(text, &["Priya"]);
        assert!(all.is_empty(), "{text:?}: {all:?}");
    }
    // Without the name, the linter does not know Priya is a person.
    clean("Priya deployed the broken config.");
}

// ------------------------------------------------------------ blame questions

#[test]
fn accusing_questions_are_found() {
    finds(
        "Why did you run it on the primary?",
        "blame-question",
        "Why did you",
    );
    finds(
        "Why didn't the DBA check the backups?",
        "blame-question",
        "Why didn't the DBA",
    );
    finds(
        "Why on earth did you merge that?",
        "blame-question",
        "Why on earth did you",
    );
    finds(
        "Who approved this change?",
        "blame-question",
        "Who approved",
    );
    finds(
        "Whose bright idea was it?",
        "blame-question",
        "Whose bright idea",
    );
    finds(
        "What were you thinking?",
        "blame-question",
        "What were you thinking",
    );
    finds(
        "How could the engineer miss this?",
        "blame-question",
        "How could the engineer",
    );
    finds(
        "Who is responsible for this outage?",
        "blame-question",
        "Who is responsible",
    );
}

#[test]
fn questions_about_systems_facts_and_ourselves_are_fine() {
    clean("Why did the health check pass while the service failed?");
    clean("Who is on call this week?");
    clean("Who noticed the alert first?");
    clean("Why did we choose a 30-second timeout?");
    clean("How did the on-call engineer learn that replication had stopped?");
    clean("What did the dashboard show at that moment?");
    clean("How could the operator have known?");
    // A statement, not a question.
    clean("Why did you ask is a question we avoid");
}

// ------------------------------------------------------------ what is not prose

#[test]
fn quoted_backticked_and_linked_text_is_not_read() {
    clean("The alert named \"should-have-alerted\" fired twice.");
    clean("The alert \"they should have checked\" fired.");
    clean("The ticket title was 'Who broke prod?', which set the tone.");
    clean("He wrote “we should have waited” in the chat.");
    clean("The step `failed_to_promote` and `we should have` are names.");
    clean("See https://example.com/the-engineer-should-have-known for details.");
    clean("See https://wiki.example/x?q=we+should+have+checked for details.");
    // An apostrophe inside a word quotes nothing.
    finds(
        "The admin's sloppy work didn't help.",
        "judgemental",
        "sloppy",
    );
}

#[test]
fn stray_quote_marks_quote_nothing() {
    finds(
        "'90s kit: the engineer should have checked.",
        "counterfactual",
        "should have",
    );
    finds(
        "An \"unclosed quote, and the engineer should have checked.",
        "counterfactual",
        "should have",
    );
    let many = " 'x".repeat(5_000) + ". The admin failed to check.";
    assert_eq!(
        found(&many),
        [("counterfactual".into(), "failed to".into())]
    );
}

// ------------------------------------------------------------ positions

#[test]
fn positions_are_right_for_findings_in_any_order() {
    let text = "ab\ncdé\nfg";
    let mut findings: Vec<Finding> = [9, 0, 5]
        .into_iter()
        .map(|start| Finding {
            rule: "r".into(),
            severity: LintSeverity::Notice,
            start,
            end: start + 1,
            line: 0,
            column: 0,
            excerpt: String::new(),
            message: String::new(),
            why: String::new(),
            suggestion: String::new(),
        })
        .collect();
    set_positions(text, &mut findings);
    let got: Vec<(usize, usize)> = findings.iter().map(|f| (f.line, f.column)).collect();
    assert_eq!(got, [(3, 2), (1, 1), (2, 3)]);
}

#[test]
fn findings_carry_byte_spans_lines_and_character_columns() {
    let text = "Résumé of the incident.\n\nNaïve café: the engineer should have checked.";
    let findings = lint(text, &RuleSet::builtin(), &LintContext::default());
    assert_eq!(findings.len(), 1, "{findings:?}");
    let f = &findings[0];
    assert_eq!(f.rule, "counterfactual");
    assert_eq!(&text[f.start..f.end], "should have");
    assert_eq!(f.excerpt, "should have");
    assert_eq!(f.line, 3);
    // "Naïve café: the engineer " is 25 characters (28 bytes).
    assert_eq!(f.column, 26);
    assert_eq!(f.severity, LintSeverity::Warning);
    assert!(!f.why.is_empty() && !f.suggestion.is_empty() && !f.message.is_empty());
}

#[test]
fn a_match_across_a_soft_line_break_keeps_its_first_line() {
    let text = "The engineer should\nhave checked the host.";
    let findings = lint(text, &RuleSet::builtin(), &LintContext::default());
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!((findings[0].line, findings[0].column), (1, 14));
    assert_eq!(findings[0].excerpt, "should\nhave");
}

#[test]
fn findings_are_in_text_order_without_overlapping_duplicates() {
    let text = "Why did you do that? The careless admin should have checked. Human error.";
    let findings = lint(text, &RuleSet::builtin(), &LintContext::default());
    let starts: Vec<usize> = findings.iter().map(|f| f.start).collect();
    let mut sorted = starts.clone();
    sorted.sort_unstable();
    assert_eq!(starts, sorted);
    let rules: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(
        rules,
        [
            "blame-question",
            "judgemental",
            "counterfactual",
            "human-error"
        ]
    );

    let rules = RuleSet::new(vec![pattern_rule(
        "should",
        regex(r"should|should have|have checked"),
    )])
    .expect("a valid rule");
    let findings = lint("We should have checked.", &rules, &LintContext::default());
    let excerpts: Vec<&str> = findings.iter().map(|f| f.excerpt.as_str()).collect();
    // `should` and `have checked` do not overlap; `should have` never
    // matched because `should` came first, and would have been dropped.
    assert_eq!(excerpts, ["should", "have checked"]);
}

// ------------------------------------------------------------ rules as data

#[test]
fn a_pattern_rule_of_the_organisation_is_applied() {
    let mut rules = RuleSet::builtin().into_rules();
    for rule in &mut rules {
        rule.enabled = rule.id != "judgemental";
    }
    rules.push(pattern_rule(
        "root-cause",
        phrases(&["the root cause", "single  point"]),
    ));
    let mut person = pattern_rule("forgot", phrases(&["forgot"]));
    person.matcher = Matcher::Pattern(PatternMatcher {
        person_subject: true,
        ..phrases(&["forgot"])
    });
    rules.push(person);
    let rules = RuleSet::new(rules).expect("valid rules");
    let text = "The root cause was a careless single\npoint. The job forgot its lock. \
                The admin forgot to renew it.";
    let findings = lint(text, &rules, &LintContext::default());
    let got: Vec<(&str, &str, LintSeverity)> = findings
        .iter()
        .map(|f| (f.rule.as_str(), f.excerpt.as_str(), f.severity))
        .collect();
    assert_eq!(
        got,
        [
            ("root-cause", "The root cause", LintSeverity::Notice),
            ("root-cause", "single\npoint", LintSeverity::Notice),
            ("forgot", "forgot", LintSeverity::Notice),
        ]
    );
    assert!(findings[2].start > text.find("admin").unwrap_or(0));
}

#[test]
fn a_pattern_anchor_is_the_start_of_a_sentence() {
    let rules = RuleSet::new(vec![pattern_rule("opening", regex("^so,"))]).expect("valid");
    let findings = lint(
        "It broke. So, the pager went off.\n\n  So, again.",
        &rules,
        &LintContext::default(),
    );
    let excerpts: Vec<&str> = findings.iter().map(|f| f.excerpt.as_str()).collect();
    assert_eq!(excerpts, ["So,", "So,"]);
}

#[test]
fn phrases_match_whole_words_only() {
    let rules = RuleSet::new(vec![pattern_rule("blame", phrases(&["blame"]))]).expect("valid");
    let findings = lint(
        "Blameless reviews; no blame.",
        &rules,
        &LintContext::default(),
    );
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].excerpt, "blame");
}

#[test]
fn the_builtin_rules_have_texts_and_distinct_ids() {
    let rules = RuleSet::builtin();
    assert_eq!(rules.rules().len(), 5);
    for rule in rules.rules() {
        assert!(rule.validate().is_ok(), "{}", rule.id);
        assert!(
            !rule.why.is_empty() && !rule.suggestion.is_empty(),
            "{}",
            rule.id
        );
    }
    assert!(RuleSet::new(rules.clone().into_rules()).is_ok());
    assert!(rules.get("counterfactual").is_some_and(|r| {
        r.suggestion
            .contains("why the action made sense at the time")
    }));
}

#[test]
fn invalid_rules_are_refused_naming_the_rule_and_the_field() {
    let mut duplicate = pattern_rule("mine", phrases(&["x"]));
    duplicate.message = " ".into();
    let rules = vec![
        pattern_rule("mine", phrases(&["ok"])),
        duplicate,
        pattern_rule("empty", PatternMatcher::default()),
        pattern_rule("bad-regex", regex("(unclosed")),
        pattern_rule(
            "both",
            PatternMatcher {
                regex: Some("a".into()),
                ..phrases(&["b"])
            },
        ),
        pattern_rule("blank-phrase", phrases(&["fine", "  "])),
        pattern_rule("matches-nothing", regex("x*")),
        pattern_rule("Bad Id", phrases(&["y"])),
    ];
    let errors = RuleSet::new(rules).expect_err("the rules are invalid");
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "mine.message",
            "mine.id",
            "empty.matcher.regex",
            "bad-regex.matcher.regex",
            "both.matcher.phrases",
            "blank-phrase.matcher.phrases[1]",
            "matches-nothing.matcher.regex",
            "rules[7].id",
        ]
    );
    assert!(
        errors
            .for_field("bad-regex.matcher.regex")
            .is_some_and(|m| m.contains("unclosed"))
    );
    assert!(
        errors
            .for_field("mine.id")
            .is_some_and(|m| m.contains("twice"))
    );
}

#[test]
fn rules_read_and_write_as_json_with_unknown_fields_refused() {
    let json = serde_json::to_value(RuleSet::builtin().rules()).expect("serialisable");
    assert_eq!(
        json[0]["matcher"],
        serde_json::json!({"kind": "counterfactual"})
    );
    let back: Vec<LintRule> = serde_json::from_value(json).expect("readable");
    assert_eq!(back, RuleSet::builtin().into_rules());

    let minimal: LintRule = serde_json::from_str(
        r#"{"id": "ours", "message": "m", "matcher": {"kind": "pattern", "phrases": ["x"], "person_subject": true}}"#,
    )
    .expect("a minimal rule");
    assert!(minimal.enabled);
    assert_eq!(minimal.severity, LintSeverity::Warning);

    for bad in [
        r#"{"id": "x", "message": "m", "matcher": {"kind": "counterfactual"}, "colour": 1}"#,
        r#"{"id": "x", "message": "m", "matcher": {"kind": "counterfactual", "words": []}}"#,
        r#"{"id": "x", "message": "m", "matcher": {"kind": "pattern", "regex": "a", "flags": "i"}}"#,
        r#"{"id": "x", "message": "m", "matcher": {"kind": "sarcasm"}}"#,
        r#"{"id": "x", "message": "m", "matcher": {"kind": "judgemental"}, "severity": "fatal"}"#,
    ] {
        assert!(serde_json::from_str::<LintRule>(bad).is_err(), "{bad}");
    }
}

#[test]
fn a_disabled_rule_finds_nothing() {
    let mut rules = RuleSet::builtin().into_rules();
    rules.iter_mut().for_each(|r| r.enabled = false);
    let rules = RuleSet::new(rules).expect("valid");
    assert!(lint("Human error, obviously.", &rules, &LintContext::default()).is_empty());
}

#[test]
fn empty_and_blank_texts_have_no_findings() {
    clean("");
    clean(" \n\n\t ");
    clean("…?!\"'`");
}

// ------------------------------------------------------------ never panics

/// Text mixing arbitrary Unicode with phrases the rules react to, so that
/// findings (and their spans) actually occur.
fn texts() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        any::<String>(),
        Just("The engineer should have checked. ".to_owned()),
        Just("Priya deployed the broken config".to_owned()),
        Just("Why did you".to_owned()),
        Just("?\n\n".to_owned()),
        Just(" \"".to_owned()),
        Just("`".to_owned()),
        Just("’s didn’t ".to_owned()),
        Just("human error".to_owned()),
        Just("https://x.example/".to_owned()),
        Just("é\u{301}👩‍🚒".to_owned()),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|p| p.concat())
}

proptest! {
    #[test]
    fn lint_never_panics_and_spans_are_character_boundaries_in_the_text(
        text in texts(),
        names in prop::collection::vec(prop_oneof![any::<String>(), Just("Priya".to_owned())], 0..3),
    ) {
        let mut rules = RuleSet::builtin().into_rules();
        rules.push(pattern_rule("any-e", regex("e+")));
        rules.push(LintRule {
            matcher: Matcher::Pattern(PatternMatcher { person_subject: true, ..phrases(&["checked", "é"]) }),
            ..pattern_rule("checked", PatternMatcher::default())
        });
        let rules = RuleSet::new(rules).expect("valid rules");
        let findings = lint(&text, &rules, &LintContext::with_names(names));
        let index = LineIndex::new(&text);
        let mut previous = (0, 0);
        for f in &findings {
            prop_assert!(f.start < f.end && f.end <= text.len());
            prop_assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
            prop_assert_eq!(&text[f.start..f.end], f.excerpt.as_str());
            prop_assert_eq!(index.position(f.start), (f.line, f.column));
            prop_assert!(f.line >= 1 && f.column >= 1);
            prop_assert!((f.start, f.end) >= previous);
            previous = (f.start, f.end);
        }
    }
}
