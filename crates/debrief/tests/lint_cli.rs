//! `debrief lint`, run for real on files in a temporary folder: findings at
//! the right line and column of a Markdown file whose code is skipped, the
//! exit codes (0 clean, 1 findings, 3 unreadable input or invalid rules), the
//! `--json` shape, `--rules` replacing the built-in rules, `--name`, standard
//! input, and no database opened or created.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// What one run of the binary did.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// Runs `debrief` in `dir` with `args`, feeding `input` to standard input.
fn debrief(dir: &Path, args: &[&str], input: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_debrief"))
        .current_dir(dir)
        .env_remove("DEBRIEF_DATABASE_URL")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the debrief binary starts");
    let mut stdin = child.stdin.take().expect("a stdin pipe");
    stdin
        .write_all(input.as_bytes())
        .expect("stdin takes the input");
    drop(stdin);
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().expect("debrief finishes");
    Run {
        code: status.code().expect("debrief exits rather than dying"),
        stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
    }
}

fn folder() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary folder")
}

fn write(dir: &Path, name: &str, contents: &str) {
    std::fs::write(dir.join(name), contents).expect("a test file");
}

/// The 1-based line and character column where `needle` first occurs.
fn position_of(text: &str, needle: &str) -> (u64, u64) {
    let at = text.find(needle).expect("the needle is in the text");
    let line = text[..at].matches('\n').count() + 1;
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..at].chars().count() + 1;
    (line as u64, column as u64)
}

const REVIEW_MD: &str = "\
# Review of the database outage

On 31 January the replication lag grew. The on-call *engineer* **should have**
checked the host first — at least, that is how the first draft put it.

```sh
# the operator failed to check the host
rm -rf /var/opt/data
```

    indented code: we should have waited, human error

Inline `the engineer should have` code and a [runbook](https://wiki.example/we-should-have)
are not prose. Ünïcode before it: human error.

- Priya deployed the broken config at 09:12.
- Why did you restart the primary?
";

#[test]
fn markdown_findings_point_into_the_file_and_code_is_skipped() {
    let dir = folder();
    write(dir.path(), "review.md", REVIEW_MD);
    let run = debrief(
        dir.path(),
        &["lint", "review.md", "--name", "Priya", "--json"],
        "",
    );
    assert_eq!(run.code, 1, "findings exit with 1\n{}", run.stderr);
    let findings = run.json();
    let got: Vec<(String, u64, u64, String)> = findings
        .as_array()
        .expect("an array")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().expect("rule").to_owned(),
                f["line"].as_u64().expect("line"),
                f["column"].as_u64().expect("column"),
                f["excerpt"].as_str().expect("excerpt").to_owned(),
            )
        })
        .collect();
    let at = |needle| position_of(REVIEW_MD, needle);
    let expected = [
        ("counterfactual", at("should have**"), "should have"),
        ("human-error", at("human error.\n"), "human error"),
        ("person-as-subject", at("Priya"), "Priya deployed"),
        ("blame-question", at("Why did you"), "Why did you"),
    ];
    let expected: Vec<(String, u64, u64, String)> = expected
        .iter()
        .map(|(rule, (line, column), excerpt)| {
            ((*rule).to_owned(), *line, *column, (*excerpt).to_owned())
        })
        .collect();
    assert_eq!(got, expected);
    assert!(
        !dir.path().join("debrief.db").exists(),
        "lint must not create a database"
    );
}

#[test]
fn the_human_output_reads_like_a_compiler_with_the_suggestion_indented() {
    let dir = folder();
    write(
        dir.path(),
        "notes.txt",
        "Line one.\nThe admin failed to check.\n",
    );
    let run = debrief(dir.path(), &["lint", "notes.txt"], "");
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mut lines = run.stdout.lines();
    assert_eq!(
        lines.next(),
        Some(
            "notes.txt:2:11: counterfactual: counterfactual about what a person should, could \
             or would have done (\"failed to\")"
        )
    );
    assert!(
        lines
            .next()
            .is_some_and(|l| l.starts_with("    suggestion: Describe what the person saw")),
        "{}",
        run.stdout
    );
    assert_eq!(run.stderr, "1 finding in 1 file\n");
}

#[test]
fn a_text_file_is_linted_as_it_is_and_a_clean_one_exits_0() {
    let dir = folder();
    // In Markdown this line is an indented code block; in a text file it is text.
    write(
        dir.path(),
        "plain.txt",
        "Notes:\n\n    the operator failed to check\n",
    );
    write(
        dir.path(),
        "plain.md",
        "Notes:\n\n    the operator failed to check\n",
    );
    write(
        dir.path(),
        "clean.md",
        "The health check failed to respond. We paged Priya at 03:14.\n",
    );
    let run = debrief(dir.path(), &["lint", "plain.txt", "--json"], "");
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.json()[0]["line"], 3);
    assert_eq!(run.json()[0]["column"], 18);

    let clean = debrief(dir.path(), &["lint", "plain.md", "clean.md"], "");
    assert_eq!(clean.code, 0, "{}{}", clean.stdout, clean.stderr);
    assert_eq!((clean.stdout.as_str(), clean.stderr.as_str()), ("", ""));
    let clean_json = debrief(dir.path(), &["lint", "--json", "clean.md"], "");
    assert_eq!(clean_json.code, 0);
    assert_eq!(clean_json.json(), Value::Array(vec![]));
}

#[test]
fn the_json_findings_have_every_field_named() {
    let dir = folder();
    write(dir.path(), "a.md", "It was human error.\n");
    let run = debrief(dir.path(), &["lint", "--json", "a.md"], "");
    assert_eq!(run.code, 1);
    let finding = &run.json()[0];
    let mut keys: Vec<&str> = finding
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "column",
            "end",
            "excerpt",
            "file",
            "line",
            "message",
            "rule",
            "severity",
            "start",
            "suggestion",
            "why"
        ]
    );
    assert_eq!(finding["file"], "a.md");
    assert_eq!(finding["rule"], "human-error");
    assert_eq!(finding["severity"], "warning");
    assert_eq!(finding["excerpt"], "human error");
    assert_eq!(
        (finding["line"].as_u64(), finding["column"].as_u64()),
        (Some(1), Some(8))
    );
    assert!(finding["why"].as_str().is_some_and(|w| !w.is_empty()));
}

#[test]
fn a_rules_file_replaces_the_built_in_rules() {
    let dir = folder();
    write(
        dir.path(),
        "rules.json",
        r#"[
          {"id": "jargon", "message": "corporate jargon", "suggestion": "say what you mean",
           "severity": "notice", "matcher": {"kind": "pattern", "phrases": ["synergy", "circle back"]}},
          {"id": "counterfactual", "message": "off", "matcher": {"kind": "counterfactual"}, "enabled": false}
        ]"#,
    );
    write(
        dir.path(),
        "text.md",
        "Human error. The engineer should have checked.\nLet us circle back on the synergy.\n",
    );
    let run = debrief(
        dir.path(),
        &["lint", "--rules", "rules.json", "--json", "text.md"],
        "",
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let found: Vec<(String, String)> = run
        .json()
        .as_array()
        .expect("an array")
        .iter()
        .map(|f| (f["rule"].to_string(), f["excerpt"].to_string()))
        .collect();
    assert_eq!(
        found,
        [
            ("\"jargon\"".to_owned(), "\"circle back\"".to_owned()),
            ("\"jargon\"".to_owned(), "\"synergy\"".to_owned()),
        ]
    );
    assert_eq!(run.json()[0]["severity"], "notice");

    let printed = debrief(
        dir.path(),
        &["lint", "--rules", "rules.json", "--print-rules"],
        "",
    );
    assert_eq!(printed.code, 0, "{}", printed.stderr);
    assert_eq!(printed.json()[0]["id"], "jargon");
    let builtin = debrief(dir.path(), &["lint", "--print-rules"], "");
    assert_eq!(builtin.json().as_array().map(Vec::len), Some(5));
}

#[test]
fn invalid_rules_and_unreadable_files_exit_3_naming_what_is_wrong() {
    let dir = folder();
    write(dir.path(), "ok.md", "Fine text.\n");
    write(
        dir.path(),
        "bad.json",
        r#"[{"id": "mine", "message": "m", "matcher": {"kind": "pattern", "regex": "(unclosed"}},
            {"id": "other", "message": "m", "matcher": {"kind": "judgemental"}, "colour": "red"}]"#,
    );
    let run = debrief(dir.path(), &["lint", "--rules", "bad.json", "ok.md"], "");
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains("other: unknown field `colour`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("  mine.matcher.regex: "),
        "the rules that parsed are checked too: {}",
        run.stderr
    );

    write(
        dir.path(),
        "bad-regex.json",
        r#"[{"id": "mine", "message": "m", "matcher": {"kind": "pattern", "regex": "(unclosed"}}]"#,
    );
    let run = debrief(
        dir.path(),
        &["lint", "--rules", "bad-regex.json", "ok.md"],
        "",
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("  mine.matcher.regex: the regex does not compile"),
        "{}",
        run.stderr
    );

    let missing_rules = debrief(dir.path(), &["lint", "--rules", "none.json", "ok.md"], "");
    assert_eq!(missing_rules.code, 3);
    assert!(
        missing_rules
            .stderr
            .contains("rules: cannot read `none.json`")
    );

    let missing_file = debrief(dir.path(), &["lint", "ok.md", "missing.md"], "");
    assert_eq!(missing_file.code, 3, "{}", missing_file.stderr);
    assert!(
        missing_file
            .stderr
            .contains("file: cannot read `missing.md`")
    );
    assert_eq!(
        missing_file.stdout, "",
        "nothing is reported before every file is read"
    );

    std::fs::write(dir.path().join("binary.txt"), [0xff, 0xfe, 0x00]).expect("a file");
    assert_eq!(debrief(dir.path(), &["lint", "binary.txt"], "").code, 3);
    assert!(!dir.path().join("debrief.db").exists());
}

#[test]
fn standard_input_is_read_for_a_dash_with_known_names() {
    let dir = folder();
    let text = "We paged Priya. Then Priya deployed the broken config.\n";
    let run = debrief(
        dir.path(),
        &["lint", "-", "--json", "--name", "Priya"],
        text,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let finding = &run.json()[0];
    assert_eq!(finding["file"], "<stdin>");
    assert_eq!(finding["rule"], "person-as-subject");
    assert_eq!(finding["column"], 22);

    let without_name = debrief(dir.path(), &["lint", "-"], text);
    assert_eq!(without_name.code, 0, "{}", without_name.stdout);

    let markdown = debrief(
        dir.path(),
        &["lint", "-", "--markdown"],
        "```\nhuman error\n```\n",
    );
    assert_eq!(markdown.code, 0, "{}", markdown.stdout);
}

#[test]
fn help_documents_the_lint_exit_codes() {
    let dir = folder();
    let help = debrief(dir.path(), &["--help"], "");
    assert!(
        help.stdout.contains("`debrief lint` is the exception"),
        "{}",
        help.stdout
    );
    let lint_help = debrief(dir.path(), &["lint", "--help"], "");
    assert!(lint_help.stdout.contains("0 nothing found, 1 findings, 3"));
    let no_files = debrief(dir.path(), &["lint"], "");
    assert_eq!(no_files.code, 2, "a missing FILE is a usage error");
}
