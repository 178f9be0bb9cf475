//! `debrief webhook …` and the dispatcher of `debrief serve`, run for real:
//! the binary in a temporary folder with its own database (SQLite, and
//! PostgreSQL when `DEBRIEF_TEST_POSTGRES_URL` names a server), a fixed
//! `DEBRIEF_NOW`, and a real HTTP receiver on 127.0.0.1 that checks every
//! signature with the secret.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use debrief_testkit::TestDatabase;
use debrief_testkit::receiver::Receiver;
use serde_json::Value;

const NOW: &str = "2026-11-26T12:00:00Z";
const SECRET: &str = "cli-test-secret-0123456789";

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
    fn on(db: Option<TestDatabase>) -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let database = match &db {
            Some(db) => db.url.clone(),
            None => dir.path().join("debrief.db").display().to_string(),
        };
        Self {
            dir,
            database,
            _postgres: db,
        }
    }

    fn command(&self, now: &str, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_debrief"));
        c.current_dir(self.dir.path())
            .env_remove("DEBRIEF_DATABASE_URL")
            .env_remove("DEBRIEF_WEBHOOK_SECRET")
            .env("DEBRIEF_LOG", "warn")
            .env("DEBRIEF_NOW", now)
            .arg("--database")
            .arg(&self.database)
            .args(args);
        c
    }

    fn run_at(&self, now: &str, args: &[&str]) -> Run {
        let out = self
            .command(now, args)
            .stdin(Stdio::null())
            .output()
            .expect("debrief runs");
        Run {
            code: out.status.code().expect("an exit code"),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        }
    }

    fn ok_at(&self, now: &str, args: &[&str]) -> String {
        let run = self.run_at(now, args);
        assert_eq!(run.code, 0, "debrief {args:?} failed:\n{}", run.stderr);
        run.stdout
    }

    fn ok(&self, args: &[&str]) -> String {
        self.ok_at(NOW, args)
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).expect("JSON on stdout")
    }
}

/// Kills `debrief serve` when the test ends, even on failure.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn webhook_story(d: Debrief) {
    let receiver = Receiver::start(SECRET).await;
    let url = receiver.url("/debrief");

    // Bad input: every problem on its own line, exit 3, nothing saved.
    let bad = d.run_at(
        NOW,
        &[
            "webhook",
            "add",
            "ftp://x.example",
            "--event",
            "action.created",
            "action.deleted",
        ],
    );
    assert_eq!(bad.code, 3, "{}", bad.stderr);
    assert!(
        bad.stderr.starts_with("error: invalid input\n"),
        "{}",
        bad.stderr
    );
    assert!(
        bad.stderr
            .contains("  url: `ftp:` URLs cannot receive webhooks; use http:// or https://"),
        "{}",
        bad.stderr
    );
    assert!(bad.stderr.contains("  events: unknown event `action.deleted`; expected one of action.created, action.overdue, action.done, action.verified, review.approved, workshop.scheduled"), "{}", bad.stderr);
    let none = d.run_at(NOW, &["webhook", "add", "https://x.example/"]);
    assert_eq!(none.code, 3);
    assert!(
        none.stderr.contains("events: choose at least one event"),
        "{}",
        none.stderr
    );
    assert_eq!(
        d.json(&["webhook", "list", "--json"]),
        serde_json::json!([])
    );

    // Added: the secret is printed this once.
    let out = d.ok(&[
        "webhook",
        "add",
        &url,
        "--event",
        "review.approved",
        "--secret",
        SECRET,
        "--description",
        "Ticket bridge",
    ]);
    assert!(out.starts_with("added webhook "), "{out}");
    assert!(out.contains(&format!("secret: {SECRET}\n")), "{out}");
    let generated: Value = serde_json::from_str(&d.ok(&[
        "webhook",
        "add",
        "https://other.example/hook",
        "--event",
        "workshop.scheduled,action.verified",
        "--event",
        "action.done",
        "action.verified",
        "--json",
    ]))
    .unwrap();
    assert_eq!(generated["secret"].as_str().map(str::len), Some(64));
    assert_eq!(
        generated["events"],
        serde_json::json!(["action.done", "action.verified", "workshop.scheduled"])
    );

    let list = d.json(&["webhook", "list", "--json"]);
    assert_eq!(list.as_array().map(Vec::len), Some(2));
    assert!(list[0].get("secret").is_none(), "never listed");
    let id = list[0]["id"].as_str().unwrap().to_owned();
    let table = d.ok(&["webhook", "list"]);
    assert!(table.starts_with("ID"), "{table}");
    let row: Vec<&str> = table
        .lines()
        .find(|l| l.starts_with(&id))
        .expect("a row for the subscription")
        .split_whitespace()
        .collect();
    assert_eq!(
        row,
        [id.as_str(), "active", "review.approved", url.as_str()]
    );
    // Removed again, so that only the first one hears what the demo does.
    let other = generated["id"].as_str().unwrap();
    assert_eq!(
        d.ok(&["webhook", "remove", other]),
        format!("removed webhook {other} and its delivery log\n")
    );

    assert_eq!(d.ok(&["webhook", "deliver"]), "nothing is due\n");

    // The demo approves a review: review.approved is queued.
    d.ok(&["demo"]);
    receiver.answer(&[500]);
    let out = d.ok(&["webhook", "deliver"]);
    assert!(out.starts_with("failed review.approved "), "{out}");
    assert!(
        out.contains(&format!(
            "to {url} (attempt 1, HTTP 500 Internal Server Error, "
        )),
        "{out}"
    );
    assert!(
        out.trim_end()
            .ends_with("next attempt at 2026-11-26T12:00:30Z"),
        "{out}"
    );
    assert_eq!(out.lines().count(), 1);
    assert_eq!(
        d.ok(&["webhook", "deliver"]),
        "nothing is due\n",
        "not before the back-off"
    );
    let out = d.ok_at("2026-11-26T12:00:30Z", &["webhook", "deliver", "--json"]);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report[0]["outcome"], "delivered");
    assert_eq!(report[0]["attempt"], 2);
    assert_eq!(report[0]["http_status"], 200);

    let got = receiver.requests();
    assert_eq!(got.len(), 2);
    assert!(got.iter().all(|r| r.signature_valid), "{got:?}");
    let body: Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(body["data"]["incident"]["key"], "INC-2026-0001");

    let log = d.json(&["webhook", "log", "--json"]);
    assert_eq!(log.as_array().map(Vec::len), Some(1));
    assert_eq!(log[0]["status"], "delivered");
    assert_eq!(log[0]["attempts"], 2);
    assert_eq!(
        log[0]["attempt_log"][0]["error"],
        "HTTP 500 Internal Server Error"
    );
    assert_eq!(log[0]["attempt_log"][1]["http_status"], 200);
    let text = d.ok(&["webhook", "log", "--id", &id]);
    assert!(text.contains("review.approved"), "{text}");
    assert!(text.contains(": delivered after 2 attempts"), "{text}");
    assert!(
        text.contains("  attempt 1 at 2026-11-26T12:00:00Z: HTTP 500 Internal Server Error ("),
        "{text}"
    );
    assert!(
        text.contains("  attempt 2 at 2026-11-26T12:00:30Z: HTTP 200 ("),
        "{text}"
    );
    assert_eq!(
        d.ok(&["webhook", "log", "--status", "failed"]),
        "no deliveries\n"
    );
    let bad = d.run_at(NOW, &["webhook", "log", "--status", "lost"]);
    assert_eq!(bad.code, 3);
    assert!(
        bad.stderr
            .contains("status: unknown delivery status `lost`"),
        "{}",
        bad.stderr
    );

    let out = d.ok(&["webhook", "remove", &id]);
    assert_eq!(out, format!("removed webhook {id} and its delivery log\n"));
    let again = d.run_at(NOW, &["webhook", "remove", &id]);
    assert_eq!(again.code, 4, "{}", again.stderr);
    assert_eq!(d.json(&["webhook", "log", "--json"]), serde_json::json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn webhooks_are_added_listed_delivered_with_retries_logged_and_removed() {
    webhook_story(Debrief::on(None)).await;
    if let Some(pg) = TestDatabase::postgres().await {
        webhook_story(Debrief::on(Some(pg))).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_sends_due_deliveries_in_the_background() {
    let d = Debrief::on(None);
    let receiver = Receiver::start(SECRET).await;
    d.ok(&[
        "webhook",
        "add",
        &receiver.url("/overdue"),
        "--event",
        "action.overdue",
        "--secret",
        SECRET,
    ]);
    d.ok(&[
        "webhook",
        "add",
        &receiver.url("/served"),
        "--event",
        "review.approved",
        "--secret",
        SECRET,
    ]);
    // Queued by a one-shot command; the server's dispatcher finds it.
    d.ok(&["demo"]);
    let mut command = d.command(NOW, &["serve", "--listen", "127.0.0.1:0"]);
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut server = Server(command.spawn().expect("debrief serve starts"));
    let stderr = server.0.stderr.take().expect("stderr");
    std::thread::spawn(move || {
        // Drain, so the server never blocks on a full pipe.
        for _ in BufReader::new(stderr).lines().map_while(Result::ok) {}
    });
    // The review approved by the demo, and the demo's overdue actions,
    // which `serve` notices by itself.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let got = loop {
        let got = receiver.requests();
        let both = ["/served", "/overdue"]
            .iter()
            .all(|p| got.iter().any(|r| r.path == *p));
        if both || std::time::Instant::now() > deadline {
            break got;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(got.iter().all(|r| r.signature_valid), "{got:?}");
    let served: Vec<_> = got.iter().filter(|r| r.path == "/served").collect();
    assert_eq!(served.len(), 1, "the queued review.approved was delivered");
    assert_eq!(served[0].header("x-debrief-event"), Some("review.approved"));
    let overdue: Vec<Value> = got
        .iter()
        .filter(|r| r.path == "/overdue")
        .map(|r| {
            assert_eq!(r.header("x-debrief-event"), Some("action.overdue"));
            serde_json::from_str(&r.body).unwrap()
        })
        .collect();
    assert!(!overdue.is_empty(), "serve sent action.overdue");
    assert!(
        overdue
            .iter()
            .all(|b| b["data"]["overdue"] == true && b["data"]["reference"].is_string()),
        "{overdue:?}"
    );
    drop(server);
}
