//! `debrief document`, `debrief lesson` and `debrief review policy`, run
//! for real on SQLite and PostgreSQL: register and update documents (a
//! stale version exits 5), link lessons by number, mark a change done, the
//! lessons without a home, and approval refused while a lesson has none.

use std::process::{Command, Stdio};

use debrief_testkit::TestDatabase;
use serde_json::Value;

const NOW: &str = "2026-11-26T12:00:00Z";

struct Debrief {
    dir: tempfile::TempDir,
    database: String,
    _postgres: Option<TestDatabase>,
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Debrief {
    fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let database = dir.path().join("debrief.db").display().to_string();
        Self {
            dir,
            database,
            _postgres: None,
        }
    }

    fn postgres(db: TestDatabase) -> Self {
        Self {
            dir: tempfile::tempdir().expect("a temporary folder"),
            database: db.url.clone(),
            _postgres: Some(db),
        }
    }

    fn run_with_input(&self, args: &[&str], input: Option<&str>) -> Run {
        use std::io::Write;
        let mut child = Command::new(env!("CARGO_BIN_EXE_debrief"))
            .current_dir(self.dir.path())
            .env_remove("DEBRIEF_DATABASE_URL")
            .env_remove("DEBRIEF_LOG")
            .env("DEBRIEF_NOW", NOW)
            .arg("--database")
            .arg(&self.database)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the debrief binary starts");
        let mut stdin = child.stdin.take().expect("a stdin pipe");
        if let Some(text) = input {
            stdin.write_all(text.as_bytes()).expect("stdin takes it");
        }
        drop(stdin);
        let out = child.wait_with_output().expect("debrief finishes");
        Run {
            code: out.status.code().expect("an exit code"),
            stdout: String::from_utf8(out.stdout).expect("UTF-8"),
            stderr: String::from_utf8(out.stderr).expect("UTF-8"),
        }
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_with_input(args, None)
    }

    fn ok(&self, args: &[&str]) -> String {
        let run = self.run(args);
        assert_eq!(run.code, 0, "debrief {args:?} failed:\n{}", run.stderr);
        run.stdout
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).expect("JSON")
    }

    fn fails(&self, code: i32, args: &[&str]) -> Run {
        let run = self.run(args);
        assert_eq!(
            run.code, code,
            "debrief {args:?}: {}\n{}",
            run.stdout, run.stderr
        );
        run
    }

    fn change(&self, key: &str, json: &str) {
        let run = self.run_with_input(&["review", "change", key, "-"], Some(json));
        assert_eq!(run.code, 0, "{json}: {}", run.stderr);
    }
}

fn story(d: &Debrief) {
    d.ok(&["person", "add", "Ada Byron", "--email", "ada@example.org"]);
    let bad = d.fails(
        3,
        &[
            "document",
            "add",
            "Playbook",
            "--kind",
            "wiki",
            "--owner",
            "ada@example.org",
            "--link",
            "intranet/playbook",
        ],
    );
    assert!(bad.stderr.contains("kind"), "{}", bad.stderr);
    assert!(bad.stderr.contains("link"), "{}", bad.stderr);
    let doc = d.json(&[
        "document",
        "add",
        "Ransomware playbook",
        "--kind",
        "playbook",
        "--owner",
        "ada@example.org",
        "--link",
        "https://intranet.example.org/rw",
        "--doc-version",
        "2.0",
        "--json",
    ]);
    let id = doc["id"].as_str().unwrap().to_owned();
    assert_eq!(doc["owner"], "ada@example.org");
    let updated = d.json(&["document", "update", &id, "--doc-version", "2.1", "--json"]);
    assert_eq!(
        (
            updated["document_version"].as_str(),
            updated["version"].as_i64()
        ),
        (Some("2.1"), Some(2))
    );
    d.fails(
        5,
        &[
            "document",
            "update",
            &id,
            "--title",
            "Late",
            "--version",
            "1",
        ],
    );
    let list = d.ok(&["document", "list"]);
    assert!(
        list.contains("Ransomware playbook") && list.contains("2.1"),
        "{list}"
    );
    let shown = d.ok(&["document", "show", &id]);
    assert!(
        shown.contains("owner: Ada Byron <ada@example.org>"),
        "{shown}"
    );

    let key = d
        .ok(&[
            "incident",
            "new",
            "--title",
            "Ransomware",
            "--category",
            "ransomware",
            "--severity",
            "high",
        ])
        .trim()
        .to_owned();
    for change in [
        r#"{"change": "set_text", "section": "summary", "text": "Shares were encrypted.", "version": 0}"#,
        r#"{"change": "add_item", "item": {"section": "cause", "kind": "root_cause", "category": "technology", "statement": "One account reached production and backups"}}"#,
        r#"{"change": "add_item", "item": {"section": "lesson", "statement": "Backups need their own credentials"}}"#,
        r#"{"change": "add_item", "item": {"section": "lesson", "statement": "Night alerts need a human on call"}}"#,
        r#"{"change": "set_assessment", "phase": "detection", "draft": {"rating": "3", "went_well": "a", "to_improve": "b"}, "version": 0}"#,
        r#"{"change": "set_assessment", "phase": "containment", "draft": {"rating": "3", "went_well": "a", "to_improve": "b"}, "version": 0}"#,
        r#"{"change": "set_assessment", "phase": "eradication", "draft": {"rating": "3", "went_well": "a", "to_improve": "b"}, "version": 0}"#,
        r#"{"change": "set_assessment", "phase": "recovery", "draft": {"rating": "3", "went_well": "a", "to_improve": "b"}, "version": 0}"#,
        r#"{"change": "transition", "to": "in_review"}"#,
    ] {
        d.change(&key, change);
    }
    let approve = d.run_with_input(
        &["review", "change", &key, "-"],
        Some(r#"{"change": "transition", "to": "approved"}"#),
    );
    assert_eq!(approve.code, 5, "{}", approve.stderr);
    assert!(
        approve.stderr.contains("2 lessons have no home yet"),
        "{}",
        approve.stderr
    );

    let unhomed = d.json(&["lesson", "unhomed", "--json"]);
    assert_eq!(unhomed.as_array().unwrap().len(), 2, "{unhomed}");
    let link = d.json(&[
        "lesson",
        "link",
        &key,
        "1",
        "--document",
        &id,
        "--change",
        "Add a credential step",
        "--json",
    ]);
    assert_eq!(link["state"], "needed");
    d.fails(3, &["lesson", "link", &key, "3", "--none", "x"]);
    d.ok(&[
        "lesson",
        "link",
        &key,
        "2",
        "--none",
        "The on-call rota already pages at night",
    ]);
    let links = d.ok(&["lesson", "links", &key]);
    assert!(
        links.contains("1. Backups need their own credentials"),
        "{links}"
    );
    assert!(
        links.contains("[change needed] Ransomware playbook: Add a credential step"),
        "{links}"
    );
    assert!(links.contains("[no document change needed]"), "{links}");
    d.change(&key, r#"{"change": "transition", "to": "approved"}"#);

    let link_id = link["id"].as_str().unwrap();
    let done = d.ok(&["lesson", "done", &key, link_id, "--doc-version", "2.2"]);
    assert!(done.contains("done in version 2.2 on 2026-11-26"), "{done}");
    let unhomed = d.ok(&["lesson", "unhomed"]);
    assert!(!unhomed.contains("Backups need"), "{unhomed}");

    let policy = d.json(&["review", "policy", "--json"]);
    assert_eq!(policy["lessons_need_documents"], true);
    let off = d.json(&[
        "review",
        "policy",
        "--lessons-need-documents",
        "off",
        "--json",
    ]);
    assert_eq!(
        (
            off["lessons_need_documents"].as_bool(),
            off["version"].as_i64()
        ),
        (Some(false), Some(1))
    );
    d.fails(
        3,
        &["review", "policy", "--lessons-need-documents", "maybe"],
    );
}

#[test]
fn documents_and_lessons_from_the_command_line_on_sqlite() {
    story(&Debrief::sqlite());
}

#[tokio::test]
async fn documents_and_lessons_from_the_command_line_on_postgresql() {
    let Some(db) = TestDatabase::postgres().await else {
        return;
    };
    story(&Debrief::postgres(db));
}
