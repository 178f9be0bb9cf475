//! Measures the built-in blameless-language rules on a labelled corpus
//! (`lint_corpus.tsv`): a blameful sentence is caught when it has at least one
//! finding, a clean sentence with any finding is a false positive. Prints
//! precision, recall and every misclassified sentence; fails below 0.9.
//!
//! Run with `cargo test -p debrief-core --test lint_corpus -- --nocapture`
//! to see the figures.

use debrief_core::lint::{LintContext, RuleSet, lint};

const CORPUS: &str = include_str!("lint_corpus.tsv");

#[derive(Debug)]
struct Example<'a> {
    line: usize,
    blame: bool,
    names: Vec<&'a str>,
    sentence: &'a str,
}

fn corpus() -> Vec<Example<'static>> {
    let mut rows = CORPUS
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty());
    let (_, header) = rows.next().expect("the corpus has a header row");
    assert_eq!(
        header, "label\tnames\tsentence",
        "the corpus header changed"
    );
    rows.map(|(i, row)| {
        let fields: Vec<&str> = row.split('\t').collect();
        assert_eq!(
            fields.len(),
            3,
            "line {}: three tab-separated columns",
            i + 1
        );
        let blame = match fields[0] {
            "blame" => true,
            "clean" => false,
            other => panic!("line {}: unknown label `{other}`", i + 1),
        };
        Example {
            line: i + 1,
            blame,
            names: fields[1]
                .split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .collect(),
            sentence: fields[2],
        }
    })
    .collect()
}

#[test]
fn the_built_in_rules_find_blame_in_the_corpus_with_precision_and_recall_of_at_least_0_9() {
    let examples = corpus();
    let blame = examples.iter().filter(|e| e.blame).count();
    assert!(
        examples.len() >= 160,
        "the corpus has at least 160 sentences"
    );
    assert_eq!(blame * 2, examples.len(), "half the corpus is blameful");

    let rules = RuleSet::builtin();
    let (mut tp, mut fp, mut fn_, mut tn) = (0, 0, 0, 0);
    let mut wrong = Vec::new();
    for e in &examples {
        let findings = lint(
            e.sentence,
            &rules,
            &LintContext::with_names(e.names.clone()),
        );
        match (e.blame, findings.is_empty()) {
            (true, false) => tp += 1,
            (false, true) => tn += 1,
            (true, true) => {
                fn_ += 1;
                wrong.push(format!("missed (line {}): {}", e.line, e.sentence));
            }
            (false, false) => {
                fp += 1;
                let rules: Vec<String> = findings
                    .iter()
                    .map(|f| format!("{} \"{}\"", f.rule, f.excerpt))
                    .collect();
                wrong.push(format!(
                    "false positive (line {}): {}  <- {}",
                    e.line,
                    e.sentence,
                    rules.join(", ")
                ));
            }
        }
    }
    let precision = f64::from(tp) / f64::from(tp + fp).max(1.0);
    let recall = f64::from(tp) / f64::from(tp + fn_).max(1.0);
    println!("precision {precision:.2} recall {recall:.2} (tp {tp}, fp {fp}, fn {fn_}, tn {tn})");
    for line in &wrong {
        println!("  {line}");
    }
    assert!(precision >= 0.9, "precision {precision:.2} is below 0.9");
    assert!(recall >= 0.9, "recall {recall:.2} is below 0.9");
}
