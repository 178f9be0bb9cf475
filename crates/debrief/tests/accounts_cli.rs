//! `debrief user`, `debrief token` and `debrief audit` run for real on
//! SQLite and PostgreSQL: users added (a generated password, or one from
//! stdin), tokens printed once and listed without their secret, the chain
//! verified (exit 0) and, after a row is changed directly in the database,
//! refused with exit code 6 naming the entry.

use std::io::Write;
use std::process::{Command, Stdio};

use debrief_testkit::TestDatabase;

struct Debrief {
    dir: tempfile::TempDir,
    database: String,
    _db: Option<TestDatabase>,
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Debrief {
    fn on(db: Option<TestDatabase>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let database = match &db {
            Some(db) => db.url.clone(),
            None => dir.path().join("debrief.db").display().to_string(),
        };
        Self {
            dir,
            database,
            _db: db,
        }
    }

    fn run(&self, args: &[&str], stdin: &str) -> Run {
        let mut child = Command::new(env!("CARGO_BIN_EXE_debrief"))
            .current_dir(self.dir.path())
            .env_remove("DEBRIEF_DATABASE_URL")
            .env("DEBRIEF_NOW", "2026-11-26T12:00:00Z")
            .env("DEBRIEF_INSECURE_FAST_PASSWORD_HASHING", "true")
            .arg("--database")
            .arg(&self.database)
            .args(["--as", "ops@x.example"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        Run {
            code: out.status.code().unwrap(),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        }
    }

    fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args, "");
        assert_eq!(r.code, 0, "debrief {args:?}: {}", r.stderr);
        r.stdout
    }
}

async fn story(d: Debrief) {
    // A generated password is printed; one from stdin is not.
    let out = d.ok(&["user", "add", "ada@x.example", "--name", "Ada", "--admin"]);
    assert!(out.contains("added ada@x.example (admin)"), "{out}");
    assert!(out.contains("password: "), "{out}");
    let r = d.run(
        &[
            "user",
            "add",
            "bo@x.example",
            "--name",
            "Bo",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        "correct horse battery staple\n",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.contains("password"));
    // The policy: exit 3 with the field.
    let r = d.run(
        &[
            "user",
            "add",
            "cy@x.example",
            "--name",
            "Cy",
            "--password-stdin",
        ],
        "short\n",
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("password: the password needs at least 12"),
        "{}",
        r.stderr
    );
    let r = d.run(&["user", "add", "bo@x.example", "--name", "Bo"], "");
    assert_eq!(r.code, 5, "{}", r.stderr);

    let list = d.ok(&["user", "list"]);
    assert!(
        list.contains("ada@x.example") && list.contains("viewer"),
        "{list}"
    );
    d.ok(&["user", "set-role", "bo@x.example", "contributor"]);
    assert!(d.ok(&["user", "list"]).contains("contributor"));

    // A token: only the secret on stdout; at most the user's role.
    let token = d.ok(&["token", "create", "--user", "bo@x.example", "--name", "ci"]);
    let token = token.trim();
    assert!(token.starts_with("dbt_") && !token.contains(' '), "{token}");
    let r = d.run(
        &[
            "token",
            "create",
            "--user",
            "bo@x.example",
            "--role",
            "admin",
        ],
        "",
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    let listed = d.ok(&["token", "list", "--json"]);
    assert!(
        listed.contains("\"ci\"") && !listed.contains(token),
        "{listed}"
    );
    let v: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let id = v[0]["id"].as_str().unwrap().to_owned();
    d.ok(&["token", "revoke", &id]);
    assert!(d.ok(&["token", "list"]).contains("(revoked)"));
    d.ok(&["user", "deactivate", "bo@x.example"]);

    // The chain: intact, then tampered with.
    let out = d.ok(&["audit", "verify"]);
    assert!(out.contains("entries, chain intact"), "{out}");
    let log = d.ok(&["audit", "list"]);
    assert!(
        log.contains("ops@x.example") && log.contains("api_token"),
        "{log}"
    );

    let store = debrief_store::open(&d.database).await.unwrap();
    let drop = match store.dialect() {
        debrief_store::Dialect::Sqlite => "DROP TRIGGER audit_log_no_update",
        debrief_store::Dialect::Postgres => "DROP TRIGGER audit_log_no_update ON audit_log",
    };
    sqlx::raw_sql(drop).execute(store.pool()).await.unwrap();
    sqlx::raw_sql("UPDATE audit_log SET actor = 'someone else' WHERE seq = 2")
        .execute(store.pool())
        .await
        .unwrap();
    store.close().await;
    let r = d.run(&["audit", "verify"], "");
    assert_eq!(r.code, 6, "{} {}", r.stdout, r.stderr);
    assert!(r.stderr.contains("broken at entry 2"), "{}", r.stderr);
}

#[tokio::test]
async fn users_tokens_and_the_audit_chain_from_the_shell() {
    story(Debrief::on(None)).await;
    if let Some(pg) = TestDatabase::postgres().await {
        story(Debrief::on(Some(pg))).await;
    }
}

/// Changes made from the shell are audited under `--as` with the command
/// as "via"; `debrief audit log` filters them and shows what changed.
async fn cli_changes_story(d: Debrief) {
    d.ok(&[
        "incident",
        "new",
        "--title",
        "Printer fire",
        "--category",
        "physical",
        "--severity",
        "low",
    ]);
    d.ok(&[
        "incident",
        "edit",
        "INC-2026-0001",
        "--version",
        "1",
        "--severity",
        "high",
    ]);
    let refused = d.run(
        &[
            "incident",
            "edit",
            "INC-2026-0001",
            "--version",
            "1",
            "--title",
            "Stale",
        ],
        "",
    );
    assert_eq!(refused.code, 5, "{}", refused.stderr);
    let json = d.ok(&[
        "audit",
        "log",
        "--entity",
        "incident",
        "--actor",
        "ops@x.example",
        "--since",
        "2000-01-01",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let entries = v.as_array().unwrap();
    assert_eq!(entries.len(), 2, "the stale edit left no entry: {json}");
    assert_eq!(entries[0]["via"], "cli: debrief incident edit");
    assert_eq!(entries[1]["via"], "cli: debrief incident new");
    assert_eq!(entries[0]["actor"], "ops@x.example");
    let severity = entries[0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "severity")
        .expect("the severity changed");
    assert_eq!(
        (&severity["old"], &severity["new"]),
        (&"low".into(), &"high".into())
    );
    let text = d.ok(&["audit", "log", "--entity", "incident"]);
    assert!(text.contains("severity: low → high"), "{text}");
    assert!(d.ok(&["audit", "verify"]).contains("chain intact"));
    let none = d.ok(&["audit", "log", "--actor", "someone@else.example", "--json"]);
    assert_eq!(none.trim(), "[]");
    let bad = d.run(&["audit", "log", "--since", "last tuesday"], "");
    assert_eq!(bad.code, 3, "{}", bad.stderr);
    assert!(bad.stderr.contains("since"), "{}", bad.stderr);
}

#[tokio::test]
async fn changes_made_from_the_shell_are_audited_with_the_cli_actor() {
    cli_changes_story(Debrief::on(None)).await;
    if let Some(pg) = TestDatabase::postgres().await {
        cli_changes_story(Debrief::on(Some(pg))).await;
    }
}
