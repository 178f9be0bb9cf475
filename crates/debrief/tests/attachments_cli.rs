//! `debrief timeline attach|attachments` and `debrief attachment
//! get|verify|custody` run for real on SQLite and PostgreSQL: a file
//! attached with its hash, listed, written back byte for byte, the size
//! limit (exit 3 naming it), and — after the stored bytes are changed
//! directly in the database — exit code 6 with nothing written.

use std::process::{Command, Stdio};

use debrief_testkit::TestDatabase;
use serde_json::Value;

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

    fn run(&self, args: &[&str]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_debrief"))
            .current_dir(self.dir.path())
            .env_remove("DEBRIEF_DATABASE_URL")
            .env_remove("DEBRIEF_MAX_ATTACHMENT_BYTES")
            .env("DEBRIEF_NOW", "2026-11-26T12:00:00Z")
            .arg("--database")
            .arg(&self.database)
            .args(["--as", "priya@x.example"])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        Run {
            code: out.status.code().unwrap(),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        }
    }

    fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(r.code, 0, "debrief {args:?}: {}", r.stderr);
        r.stdout
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }
}

async fn story(d: Debrief) {
    d.ok(&[
        "incident",
        "new",
        "--title",
        "Ransomware",
        "--category",
        "ransomware",
        "--severity",
        "high",
    ]);
    let added = d.json(&[
        "timeline",
        "add",
        "INC-2026-0001",
        "--at",
        "2026-11-26T10:00Z",
        "--kind",
        "detection",
        "--text",
        "EDR alert",
        "--json",
    ]);
    let event = added["event"]["id"].as_str().unwrap().to_owned();
    let content: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    let file = d.path("capture.pcap");
    std::fs::write(&file, &content).unwrap();

    let a = d.json(&[
        "timeline",
        "attach",
        "INC-2026-0001",
        &event,
        &file,
        "--type",
        "application/vnd.tcpdump.pcap",
        "--description",
        "capture of the C2 traffic",
        "--json",
    ]);
    let id = a["id"].as_str().unwrap().to_owned();
    assert_eq!(a["size"], 3000);
    assert_eq!(a["added_by"], "priya@x.example");
    assert_eq!(a["declared_type"], "application/vnd.tcpdump.pcap");
    assert_eq!(a["served_as"], "application/octet-stream");
    let sha = a["sha256"].as_str().unwrap().to_owned();
    assert_eq!(sha.len(), 64);

    let list = d.json(&["timeline", "attachments", "INC-2026-0001", "--json"]);
    assert_eq!(list[0]["id"], id.as_str());
    let table = d.ok(&["timeline", "attachments", "INC-2026-0001"]);
    assert!(
        table.contains("capture.pcap") && table.contains(&sha[..12]),
        "{table}"
    );

    let out = d.path("out.pcap");
    let r = d.run(&["attachment", "get", &id, "--output", &out]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("matches the recorded hash"),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read(&out).unwrap(), content);
    assert!(d.ok(&["attachment", "verify", &id]).contains("matches"));

    // The size limit names both numbers; nothing is stored.
    let r = d.run(&[
        "--max-attachment-bytes",
        "100",
        "timeline",
        "attach",
        "INC-2026-0001",
        &event,
        &file,
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("file: the file is 3000 bytes; the limit is 100 bytes"),
        "{}",
        r.stderr
    );
    let empty = d.path("empty.txt");
    std::fs::write(&empty, b"").unwrap();
    let r = d.run(&["timeline", "attach", "INC-2026-0001", &event, &empty]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let r = d.run(&[
        "timeline",
        "attach",
        "INC-2026-0001",
        "no-such-event",
        &file,
    ]);
    assert_eq!(r.code, 4, "{}", r.stderr);

    // Tampered bytes: exit 6, nothing written, the failure in custody.
    let store = debrief_store::open(&d.database).await.unwrap();
    let (drop, update) = match store.dialect() {
        debrief_store::Dialect::Sqlite => (
            "DROP TRIGGER attachment_contents_no_update",
            "UPDATE attachment_contents SET content = CAST('forged' AS BLOB)",
        ),
        debrief_store::Dialect::Postgres => (
            "DROP TRIGGER attachment_contents_immutable ON attachment_contents",
            "UPDATE attachment_contents SET content = convert_to('forged', 'UTF8')",
        ),
    };
    sqlx::raw_sql(drop).execute(store.pool()).await.unwrap();
    sqlx::raw_sql(update).execute(store.pool()).await.unwrap();
    store.close().await;
    let tampered_out = d.path("tampered.pcap");
    let r = d.run(&["attachment", "get", &id, "--output", &tampered_out]);
    assert_eq!(r.code, 6, "{} {}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("failed its integrity check"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains(&sha), "{}", r.stderr);
    assert!(!std::path::Path::new(&tampered_out).exists());
    assert_eq!(d.run(&["attachment", "verify", &id]).code, 6);
    let custody = d.json(&["attachment", "custody", &id, "--json"]);
    let actions: Vec<&str> = custody["custody"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "added",
            "downloaded",
            "verified",
            "integrity_failed",
            "integrity_failed"
        ]
    );
    // An export refuses to carry the altered file (exit 6 too).
    assert_eq!(d.run(&["export"]).code, 6);
}

#[tokio::test]
async fn evidence_is_attached_listed_fetched_and_refused_once_tampered() {
    story(Debrief::on(None)).await;
    if let Some(pg) = TestDatabase::postgres().await {
        story(Debrief::on(Some(pg))).await;
    }
}
