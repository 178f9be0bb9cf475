//! The `debrief` binary, run for real: each test works in its own temporary
//! folder with its own SQLite file (and PostgreSQL database when
//! `DEBRIEF_TEST_POSTGRES_URL` names a server), with `DEBRIEF_NOW` fixed so
//! keys and times are the same on every run. Exit codes are checked as the
//! contract they are.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use debrief_testkit::TestDatabase;
use serde_json::Value;

const NOW: &str = "2026-11-26T12:00:00Z";
const FIRST_KEY: &str = "INC-2026-0001";

/// One working folder and one database, and a way to run the binary on them.
struct Debrief {
    dir: tempfile::TempDir,
    database: String,
    /// Keeps a PostgreSQL database alive (and drops it afterwards).
    _postgres: Option<TestDatabase>,
}

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
        let dir = tempfile::tempdir().expect("a temporary folder");
        Self {
            dir,
            database: db.url.clone(),
            _postgres: Some(db),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, contents: &str) -> String {
        let path = self.path(name);
        std::fs::write(&path, contents).expect("a test file");
        path.display().to_string()
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_debrief"));
        command
            .current_dir(self.dir.path())
            .env_remove("DEBRIEF_DATABASE_URL")
            .env_remove("DEBRIEF_LOG")
            .env("DEBRIEF_NOW", NOW)
            .arg("--database")
            .arg(&self.database)
            .args(args);
        command
    }

    fn run_with_input(&self, args: &[&str], input: Option<&str>) -> Run {
        let mut command = self.command(args);
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("the debrief binary starts");
        let mut stdin = child.stdin.take().expect("a stdin pipe");
        if let Some(text) = input {
            stdin
                .write_all(text.as_bytes())
                .expect("stdin accepts the input");
        }
        drop(stdin);
        let Output {
            status,
            stdout,
            stderr,
        } = child.wait_with_output().expect("debrief finishes");
        Run {
            code: status
                .code()
                .expect("debrief exits rather than dying from a signal"),
            stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
        }
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_with_input(args, None)
    }

    /// Runs and insists on success; returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let run = self.run(args);
        assert_eq!(run.code, 0, "debrief {args:?} failed:\n{}", run.stderr);
        run.stdout
    }

    fn json(&self, args: &[&str]) -> Value {
        let run = self.run(args);
        assert_eq!(run.code, 0, "debrief {args:?} failed:\n{}", run.stderr);
        run.json()
    }

    /// Runs and insists on this exit code; returns the run for its messages.
    fn fails(&self, code: i32, args: &[&str]) -> Run {
        let run = self.run(args);
        assert_eq!(
            run.code, code,
            "debrief {args:?} exited {} instead of {code}\nstdout:\n{}\nstderr:\n{}",
            run.code, run.stdout, run.stderr
        );
        run
    }

    fn new_incident(&self) -> String {
        self.ok(&[
            "incident",
            "new",
            "--title",
            "Suspicious logins",
            "--category",
            "unauthorised_access",
            "--severity",
            "medium",
        ])
        .trim()
        .to_owned()
    }

    fn events(&self, key: &str) -> Vec<Value> {
        self.json(&["timeline", "list", key, "--json"])
            .as_array()
            .expect("an array")
            .clone()
    }
}

const CSV: &str = "Time,Type,Description,Who,key\n\
2026-01-01T09:00Z,detection,\"Alert: \"\"impossible travel\"\"\",SIEM,yes\n\
2026-01-01T09:30+01:00,decision,\"Lock the account,\nthen call the user\",Dana,\n\
2026-01-02,containment,Account locked,Dana,1\n";

const JSONL: &str = "{\"at\": \"2026-01-01T10:00Z\", \"kind\": \"communication\", \"text\": \"Told the user\", \"actor\": \"Dana\"}\n\
\n\
{\"at\": \"2026-01-01T11Z\", \"kind\": \"recovery\", \"text\": \"Access restored\", \"key\": true}\n";

// Stories, each run on SQLite and (by the PostgreSQL test) on PostgreSQL.

fn incident_lifecycle_story(d: &Debrief) {
    let created = d.json(&[
        "incident",
        "new",
        "--title",
        "Ransomware on file servers",
        "--category",
        "ransomware",
        "--severity",
        "critical",
        "--started",
        "2019-07-02",
        "--detected",
        "2019-07-02T13:42+02:00",
        "--service",
        "File servers",
        "--tag",
        "VPN",
        "--json",
    ]);
    assert_eq!(created["key"], FIRST_KEY);
    assert_eq!(created["version"], 1);

    let shown = d.json(&["incident", "show", FIRST_KEY, "--json"]);
    assert_eq!(shown["timestamps"]["started"], "2019-07-02");
    assert_eq!(shown["timestamps"]["detected"], "2019-07-02T13:42+02:00");
    assert_eq!(shown["durations"]["time_to_detect"]["precision"], "day");

    let stale = d.fails(
        5,
        &[
            "incident",
            "edit",
            FIRST_KEY,
            "--version",
            "0",
            "--title",
            "Too late",
        ],
    );
    assert!(stale.stderr.contains("version"), "{}", stale.stderr);

    let edited = d.json(&[
        "incident",
        "edit",
        FIRST_KEY,
        "--version",
        "1",
        "--severity",
        "high",
        "--contained",
        "2019-07-02T15:00+02:00",
        "--json",
    ]);
    assert_eq!(edited["version"], 2);
    assert_eq!(edited["severity"], "high");
    assert_eq!(
        edited["title"], "Ransomware on file servers",
        "fields left out keep their value"
    );
    assert_eq!(edited["services"], serde_json::json!(["File servers"]));
    assert_eq!(edited["status"], "contained");
    assert_eq!(
        edited["durations"]["time_to_contain"],
        serde_json::json!({"seconds": 4680, "precision": "minute"})
    );
}

fn timeline_import_story(d: &Debrief) {
    let key = d.new_incident();
    let csv = d.write("siem-export.csv", CSV);
    let first = d.json(&["timeline", "import", &key, &csv, "--json"]);
    assert_eq!(
        first,
        serde_json::json!({"read": 3, "added": 3, "duplicates": 0})
    );
    let again = d.json(&["timeline", "import", &key, &csv, "--json"]);
    assert_eq!(
        again,
        serde_json::json!({"read": 3, "added": 0, "duplicates": 3})
    );

    let jsonl = d.write("chat.jsonl", JSONL);
    let report = d.json(&["timeline", "import", &key, &jsonl, "--json"]);
    assert_eq!(report["added"], 2);

    let events = d.events(&key);
    assert_eq!(events.len(), 5);
    let sources: Vec<&str> = events
        .iter()
        .map(|e| e["source"].as_str().unwrap())
        .collect();
    assert!(
        sources.contains(&"siem-export") && sources.contains(&"chat"),
        "{sources:?}"
    );
}

fn bundle_round_trip_story(source: &Debrief, fresh: &Debrief) {
    source.ok(&["demo"]);
    let key = source.new_incident();
    source.ok(&[
        "timeline",
        "add",
        &key,
        "--at",
        "2026-03-02T14:07+01:00",
        "--kind",
        "detection",
        "--text",
        "EDR alert",
    ]);
    source.ok(&["incident", "set-time", &key, "started", "2026-03-02T13Z"]);
    let exported = source.ok(&["export"]);
    let file = fresh.write("bundle.json", &exported);
    fresh.ok(&["import", &file]);
    assert_eq!(
        fresh.ok(&["export"]),
        exported,
        "export → import → export changes nothing"
    );
}

#[test]
fn a_new_incident_is_listed_with_its_key_and_title() {
    let d = Debrief::sqlite();
    let key = d.new_incident();
    assert_eq!(key, FIRST_KEY);
    let list = d.json(&["incident", "list", "--json"]);
    let items = list.as_array().expect("an array");
    assert_eq!(items.len(), 1);
    for field in [
        "key",
        "title",
        "severity",
        "category",
        "status",
        "version",
        "timestamps",
    ] {
        assert!(
            items[0].get(field).is_some(),
            "list item lacks {field}: {}",
            items[0]
        );
    }
    assert_eq!(items[0]["key"], FIRST_KEY);
    assert_eq!(items[0]["title"], "Suspicious logins");
    let table = d.ok(&["incident", "list"]);
    assert!(
        table.contains(FIRST_KEY) && table.contains("Suspicious logins"),
        "{table}"
    );
}

#[test]
fn show_json_names_every_duration_with_its_precision() {
    let d = Debrief::sqlite();
    d.ok(&[
        "incident",
        "new",
        "--title",
        "Ransomware",
        "--category",
        "ransomware",
        "--severity",
        "critical",
        "--started",
        "2019-07-02",
        "--detected",
        "2019-07-02T13:42+02:00",
    ]);
    let shown = d.json(&["incident", "show", FIRST_KEY, "--json"]);
    let durations = shown["durations"].as_object().expect("durations");
    let names: Vec<&str> = durations.keys().map(String::as_str).collect();
    for name in [
        "time_to_detect",
        "time_to_acknowledge",
        "time_to_contain",
        "time_to_eradicate",
        "time_to_recover",
        "time_to_close",
        "time_to_review",
    ] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    assert_eq!(shown["durations"]["time_to_detect"]["precision"], "day");
    assert!(shown["durations"]["time_to_detect"]["seconds"].is_i64());
    assert!(shown["durations"]["time_to_close"].is_null());
    assert_eq!(shown["event_count"], 0);
    assert_eq!(shown["status"], "open");

    let sheet = d.ok(&["incident", "show", FIRST_KEY]);
    assert!(
        sheet.contains("2019-07-02T13:42+02:00") && sheet.contains("Time to detect"),
        "{sheet}"
    );
}

#[test]
fn out_of_order_timestamps_are_refused_naming_both_fields_and_nothing_is_saved() {
    let d = Debrief::sqlite();
    let run = d.fails(
        3,
        &[
            "incident",
            "new",
            "--title",
            "Backwards",
            "--category",
            "other",
            "--severity",
            "low",
            "--started",
            "2019-07-03",
            "--detected",
            "2019-07-02T13:42Z",
        ],
    );
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    assert!(
        run.stderr.contains("detected") && run.stderr.contains("started"),
        "{}",
        run.stderr
    );
    assert_eq!(
        d.json(&["incident", "list", "--json"]),
        serde_json::json!([])
    );
}

#[test]
fn every_field_problem_is_reported_on_its_own_line_with_exit_code_3() {
    let d = Debrief::sqlite();
    let run = d.fails(
        3,
        &[
            "incident",
            "new",
            "--title",
            "X",
            "--category",
            "aliens",
            "--severity",
            "apocalyptic",
        ],
    );
    assert!(
        run.stderr
            .contains("\n  severity: unknown severity `apocalyptic`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("\n  category: "), "{}", run.stderr);
}

#[test]
fn showing_an_unknown_incident_exits_with_not_found() {
    let d = Debrief::sqlite();
    let run = d.fails(4, &["incident", "show", "INC-2026-0042"]);
    assert!(run.stderr.contains("INC-2026-0042"), "{}", run.stderr);
    d.fails(4, &["incident", "show", "not-a-key", "--json"]);
}

#[test]
fn an_edit_with_a_stale_version_is_a_conflict_and_changes_nothing() {
    let d = Debrief::sqlite();
    let key = d.new_incident();
    d.ok(&[
        "incident",
        "edit",
        &key,
        "--version",
        "1",
        "--title",
        "First edit",
    ]);
    d.fails(
        5,
        &[
            "incident",
            "edit",
            &key,
            "--version",
            "1",
            "--title",
            "Second edit",
        ],
    );
    let shown = d.json(&["incident", "show", &key, "--json"]);
    assert_eq!(shown["title"], "First edit");
    assert_eq!(shown["version"], 2);
}

#[test]
fn a_lifecycle_timestamp_can_be_set_from_a_timeline_event_and_cleared() {
    let d = Debrief::sqlite();
    let key = d.new_incident();
    let added = d.json(&[
        "timeline",
        "add",
        &key,
        "--at",
        "2026-01-01T09:00:05+01:00",
        "--kind",
        "containment",
        "--text",
        "Account locked",
        "--json",
    ]);
    let event_id = added["event"]["id"]
        .as_str()
        .expect("an event id")
        .to_owned();
    let set = d.json(&[
        "incident",
        "set-time",
        &key,
        "contained",
        "--from-event",
        &event_id,
        "--json",
    ]);
    assert_eq!(set["timestamps"]["contained"], "2026-01-01T09:00:05+01:00");
    assert_eq!(set["status"], "contained");
    let cleared = d.json(&[
        "incident",
        "set-time",
        &key,
        "contained",
        "--clear",
        "--json",
    ]);
    assert!(cleared["timestamps"]["contained"].is_null());
    d.fails(
        4,
        &[
            "incident",
            "set-time",
            &key,
            "contained",
            "--from-event",
            "0190aaaa-0000-7000-8000-000000000000",
        ],
    );
    d.fails(3, &["incident", "set-time", &key, "finished", "2026-01-01"]);
}

#[test]
fn an_added_event_is_listed_as_json_and_adding_it_again_adds_nothing() {
    let d = Debrief::sqlite();
    let key = d.new_incident();
    let args = [
        "timeline",
        "add",
        &key,
        "--at",
        "2026-01-01T09:00+01:00",
        "--kind",
        "detection",
        "--text",
        "Impossible travel alert",
        "--actor",
        "SIEM",
        "--key",
        "--tag",
        "Okta",
        "--evidence-url",
        "https://siem.example/alerts/42",
    ];
    let first = d.ok(&args);
    assert!(first.starts_with("added event "), "{first}");
    let again = d.ok(&args);
    assert!(again.starts_with("already present"), "{again}");

    let events = d.events(&key);
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e["at"], "2026-01-01T09:00+01:00");
    assert_eq!(e["precision"], "minute");
    assert_eq!(e["offset"], "+01:00");
    assert_eq!(e["kind"], "detection");
    assert_eq!(e["source"], "manual");
    assert_eq!(e["actor"], "SIEM");
    assert_eq!(e["key"], true);
    assert_eq!(e["tags"], serde_json::json!(["okta"]));
    assert_eq!(e["evidence_url"], "https://siem.example/alerts/42");
    assert_eq!(e["hash"].as_str().map(str::len), Some(64));
    assert!(e["id"].is_string());

    let key_only = d.json(&[
        "timeline",
        "list",
        &key,
        "--key-only",
        "--kind",
        "decision",
        "--json",
    ]);
    assert_eq!(key_only, serde_json::json!([]));
    d.fails(3, &["timeline", "list", &key, "--kind", "panic"]);
}

#[test]
fn csv_and_json_lines_timelines_are_imported_once() {
    timeline_import_story(&Debrief::sqlite());
}

#[test]
fn a_timeline_is_read_from_standard_input_with_a_format_and_quietly_when_piped() {
    let d = Debrief::sqlite();
    let key = d.new_incident();
    let run = d.run_with_input(
        &[
            "timeline", "import", &key, "-", "--format", "jsonl", "--source", "chat",
        ],
        Some(JSONL),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        format!("{key}: read 2 events, added 2, 0 already present\n")
    );
    assert_eq!(
        run.stderr, "",
        "no progress bar when stderr is not a terminal"
    );
    let sources: Vec<Value> = d.events(&key).iter().map(|e| e["source"].clone()).collect();
    assert_eq!(sources, [Value::from("chat"), Value::from("chat")]);

    let without_format = d.run_with_input(&["timeline", "import", &key, "-"], Some(JSONL));
    assert_eq!(without_format.code, 2, "{}", without_format.stderr);
}

#[test]
fn a_bad_row_stops_the_import_with_its_line_and_nothing_of_it_is_kept() {
    let d = Debrief::sqlite();
    let key = d.new_incident();
    let csv = d.write(
        "bad.csv",
        "Time,Type,Description\n2026-01-01T09:00Z,detection,Fine\n2026-01-01T09:30Z,panic,Unknown kind\n",
    );
    let run = d.fails(3, &["timeline", "import", &key, &csv]);
    assert!(run.stderr.contains("line 3"), "{}", run.stderr);
    assert!(run.stderr.contains("column 2"), "{}", run.stderr);
    assert!(
        d.events(&key).is_empty(),
        "the good row before the bad one is not kept"
    );

    let jsonl = d.write("bad.jsonl", "{\"at\": \"2026-01-01T09:00Z\", \"kind\": \"detection\", \"text\": \"ok\"}\n{\"at\": \"2026-01-01\n");
    let run = d.fails(3, &["timeline", "import", &key, &jsonl]);
    assert!(run.stderr.contains("line 2"), "{}", run.stderr);
    assert!(d.events(&key).is_empty());

    let missing_column = d.write("columns.csv", "When,Text\n2026-01-01T09:00Z,hello\n");
    let run = d.fails(3, &["timeline", "import", &key, &missing_column]);
    assert!(run.stderr.contains("kind"), "{}", run.stderr);
    let mapped = d.run(&[
        "timeline",
        "import",
        &key,
        &missing_column,
        "--map",
        "kind=Text",
    ]);
    assert_eq!(
        mapped.code, 3,
        "`hello` is not a kind either: {}",
        mapped.stderr
    );
}

#[test]
fn an_export_imported_into_a_fresh_database_exports_identically() {
    bundle_round_trip_story(&Debrief::sqlite(), &Debrief::sqlite());
}

#[test]
fn an_export_can_name_incidents_and_write_to_a_file() {
    let d = Debrief::sqlite();
    let key = d.new_incident();
    d.new_incident();
    let out = d.path("one.json");
    let run = d.run(&["export", &key, "--output", &out.display().to_string()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    let text = std::fs::read_to_string(&out).expect("the export file");
    assert!(text.ends_with("}\n"));
    let bundle: Value = serde_json::from_str(&text).expect("a JSON bundle");
    assert_eq!(bundle["format"], "debrief-bundle");
    assert_eq!(bundle["version"], 1);
    assert_eq!(bundle["incidents"].as_array().map(Vec::len), Some(1));
    d.fails(4, &["export", "INC-2026-0042"]);
}

#[test]
fn a_broken_bundle_is_invalid_input_and_imports_nothing() {
    let d = Debrief::sqlite();
    let file = d.write(
        "truncated.json",
        "{\"format\": \"debrief-bundle\", \"version\": 1, \"incidents\": [\n{\"key\": ",
    );
    let run = d.fails(3, &["import", &file]);
    assert!(run.stderr.contains("line 2"), "{}", run.stderr);
    d.fails(3, &["import", &d.path("absent.json").display().to_string()]);
    assert_eq!(
        d.json(&["incident", "list", "--json"]),
        serde_json::json!([])
    );
}

#[test]
fn the_demo_fills_an_empty_database_with_three_incidents_once() {
    // Three showcase incidents and 200 generated past ones.
    let d = Debrief::sqlite();
    d.ok(&["demo"]);
    let count = |d: &Debrief| d.json(&["kpi", "--json"])["incidents"].clone();
    assert_eq!(count(&d), 203);
    let list = d.json(&["incident", "list", "--all", "--json"]);
    assert_eq!(list.as_array().map(Vec::len), Some(203));
    let again = d.ok(&["demo"]);
    assert!(again.contains("already holds 203 incidents"), "{again}");
    assert_eq!(count(&d), 203);
}

#[test]
fn the_list_pages_unless_asked_for_all() {
    let d = Debrief::sqlite();
    for _ in 0..3 {
        d.new_incident();
    }
    let first_page = d.run(&["incident", "list", "--limit", "2", "--json"]);
    assert_eq!(first_page.json().as_array().map(Vec::len), Some(2));
    assert!(first_page.stderr.contains("--all"), "{}", first_page.stderr);
    let all = d.json(&[
        "incident", "list", "--limit", "2", "--all", "--sort", "oldest", "--json",
    ]);
    let keys: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["INC-2026-0001", "INC-2026-0002", "INC-2026-0003"]);
    d.fails(
        3,
        &[
            "incident",
            "list",
            "--status",
            "finished",
            "--severity",
            "huge",
        ],
    );
    d.fails(2, &["incident", "list", "--sort", "sideways"]);
}

#[test]
fn migrate_creates_the_database_and_says_so() {
    let d = Debrief::sqlite();
    let out = d.ok(&["migrate"]);
    assert!(out.contains("up to date"), "{out}");
    assert!(Path::new(&d.database).exists());
}

#[test]
fn a_malformed_command_line_exits_with_2_and_help_documents_the_exit_codes() {
    let d = Debrief::sqlite();
    d.fails(2, &["incident", "frobnicate"]);
    d.fails(2, &["incident", "new", "--title", "No category"]);
    let help = d.ok(&["--help"]);
    for line in [
        "0  success",
        "2  usage",
        "3  invalid input",
        "4  not found",
        "5  conflict",
        "DEBRIEF_NOW",
    ] {
        assert!(help.contains(line), "--help lacks `{line}`:\n{help}");
    }
}

#[test]
fn an_unreachable_database_is_an_internal_failure() {
    let mut d = Debrief::sqlite();
    // A folder where the database file should be: SQLite cannot open it.
    std::fs::create_dir(d.path("taken.db")).unwrap();
    d.database = d.path("taken.db").display().to_string();
    let run = d.fails(1, &["incident", "list"]);
    assert!(
        run.stderr.starts_with("error: cannot open the database"),
        "{}",
        run.stderr
    );
}

/// Kills the server when the test ends, pass or fail.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn serve_prints_its_address_once_bound_and_answers_http() {
    let d = Debrief::sqlite();
    let mut command = d.command(&["serve", "--listen", "127.0.0.1:0", "--demo"]);
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut server = Server(command.spawn().expect("debrief serve starts"));
    let stderr = server.0.stderr.take().expect("a stderr pipe");
    let (lines, received) = mpsc::channel();
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let address = loop {
        let line = received
            .recv_timeout(Duration::from_secs(60))
            .expect("serve prints its address within a minute");
        if let Some(rest) = line.strip_prefix("debrief listening on http://") {
            break rest.trim().to_owned();
        }
    };
    assert!(
        !address.ends_with(":0"),
        "the real port is printed: {address}"
    );

    let mut stream = TcpStream::connect(&address).expect("the server accepts connections");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream.write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    assert!(
        response.starts_with("HTTP/"),
        "an HTTP response: {response:?}"
    );
    drop(server);

    // --demo filled the empty database before serving: the three showcase
    // incidents and two years of history.
    assert_eq!(
        d.json(&["incident", "list", "--all", "--json"])
            .as_array()
            .map(Vec::len),
        Some(203)
    );
}

#[tokio::test]
async fn the_stories_also_hold_on_postgresql() {
    let Some(first) = TestDatabase::postgres().await else {
        return;
    };
    let d = Debrief::postgres(first);
    incident_lifecycle_story(&d);
    timeline_import_story(&d);

    let Some(source) = TestDatabase::postgres().await else {
        return;
    };
    let Some(fresh) = TestDatabase::postgres().await else {
        return;
    };
    bundle_round_trip_story(&Debrief::postgres(source), &Debrief::postgres(fresh));
}

#[test]
fn an_incident_is_created_shown_and_edited_on_sqlite() {
    incident_lifecycle_story(&Debrief::sqlite());
}

#[test]
fn an_edit_keeps_the_precision_of_untouched_times_and_takes_that_of_new_ones() {
    let d = Debrief::sqlite();
    d.ok(&[
        "incident",
        "new",
        "--title",
        "Outage",
        "--category",
        "availability",
        "--severity",
        "high",
        "--started",
        "2019-07-02T13Z",
    ]);
    let hour = serde_json::json!({"at": "2019-07-02T13:00Z", "precision": "hour"});
    let edited = d.json(&[
        "incident",
        "edit",
        FIRST_KEY,
        "--version",
        "1",
        "--title",
        "Checkout outage",
        "--json",
    ]);
    assert_eq!(edited["timestamps"]["started"], hour);
    let edited = d.json(&[
        "incident",
        "edit",
        FIRST_KEY,
        "--version",
        "2",
        "--started",
        "2019-07-02T13:42Z",
        "--json",
    ]);
    assert_eq!(edited["timestamps"]["started"], "2019-07-02T13:42Z");
    let cleared = d.json(&[
        "incident",
        "edit",
        FIRST_KEY,
        "--version",
        "3",
        "--started",
        "",
        "--json",
    ]);
    assert!(cleared["timestamps"]["started"].is_null());
}

#[test]
fn a_review_is_changed_from_json_and_the_workflow_and_rates_answer_with_exit_codes() {
    let d = Debrief::sqlite();
    d.ok(&[
        "incident",
        "new",
        "--title",
        "Mailbox compromise",
        "--category",
        "data_breach",
        "--severity",
        "high",
        "--started",
        "2026-10-06",
    ]);
    d.fails(4, &["review", "show", FIRST_KEY]);
    d.ok(&["--as", "Priya", "review", "open", FIRST_KEY]);
    d.fails(5, &["review", "open", FIRST_KEY]);
    let changes = r#"[
      {"change": "set_text", "section": "summary", "text": "An agent's mailbox was taken over.", "version": 0},
      {"change": "add_item", "item": {"section": "cause", "kind": "root_cause", "category": "policy", "statement": "MFA exemption without expiry"}},
      {"change": "add_item", "item": {"section": "financial", "category": "legal", "amount": "1,200", "currency": "USD"}},
      {"change": "transition", "to": "in_review"}
    ]"#;
    let changes_file = d.write("changes.json", changes);
    d.ok(&[
        "--as",
        "Priya",
        "review",
        "change",
        FIRST_KEY,
        &changes_file,
    ]);
    let approve = d.run_with_input(
        &["--as", "Boss", "review", "change", FIRST_KEY, "-"],
        Some(r#"{"change": "transition", "to": "approved"}"#),
    );
    assert_eq!(approve.code, 5, "{}", approve.stderr);
    assert!(
        approve.stderr.contains("at least one lesson"),
        "{}",
        approve.stderr
    );
    let bad = d.run_with_input(&["review", "change", FIRST_KEY, "-"], Some(r#"{"change": "add_item", "item": {"section": "financial", "category": "legal", "amount": "12.345", "currency": "EUR"}}"#));
    assert_eq!(bad.code, 3, "{}", bad.stderr);
    assert!(bad.stderr.contains("amount"), "{}", bad.stderr);
    let review = d.json(&["review", "show", FIRST_KEY, "--json"]);
    assert_eq!(review["status"], "in_review");
    assert_eq!(review["history"][0]["by"], "Priya");
    assert!(
        d.ok(&["review", "show", FIRST_KEY])
            .contains("MFA exemption without expiry")
    );

    let total = d.json(&["review", "total", FIRST_KEY, "--json"]);
    assert_eq!(total["amount"], Value::Null);
    d.fails(
        3,
        &[
            "rate",
            "add",
            "USD",
            "EUR",
            "0",
            "--date",
            "2026-10-01",
            "--source",
            "ECB",
        ],
    );
    d.fails(
        3,
        &[
            "rate",
            "add",
            "USD",
            "EUX",
            "0.9",
            "--date",
            "2026-10-01",
            "--source",
            "ECB",
        ],
    );
    d.ok(&[
        "rate",
        "add",
        "USD",
        "EUR",
        "0.9",
        "--date",
        "2026-10-01",
        "--source",
        "ECB",
    ]);
    d.fails(
        5,
        &[
            "rate",
            "add",
            "USD",
            "EUR",
            "0.9",
            "--date",
            "2026-10-01",
            "--source",
            "ECB",
        ],
    );
    let total = d.json(&["review", "total", FIRST_KEY, "--json"]);
    assert_eq!(total["amount"]["amount"], "1080.00");
    let rates = d.json(&["rate", "list", "--json"]);
    let id = rates[0]["id"].as_str().unwrap().to_owned();
    d.ok(&["rate", "delete", &id]);
    d.fails(4, &["rate", "delete", &id]);
    let usd = d.json(&[
        "--reporting-currency",
        "USD",
        "review",
        "total",
        FIRST_KEY,
        "--json",
    ]);
    assert_eq!(usd["amount"]["amount"], "1200.00");
}

#[test]
fn reports_are_written_as_markdown_and_html_for_the_demo() {
    let d = Debrief::sqlite();
    d.ok(&["demo"]);
    let md = d.ok(&["report", FIRST_KEY, "--kind", "pir", "--format", "md"]);
    assert!(
        md.contains("Ransomware encrypted the Lyon file servers"),
        "{md}"
    );
    assert!(
        md.contains("201,057.80 EUR"),
        "the total in the reporting currency"
    );
    let out = d.path("exec.html");
    d.ok(&[
        "report",
        FIRST_KEY,
        "--kind",
        "executive",
        "--format",
        "html",
        "--zone",
        "Europe/Paris",
        "--output",
        &out.display().to_string(),
    ]);
    let html = std::fs::read_to_string(out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..60]);
    d.fails(3, &["report", FIRST_KEY, "--kind", "novel"]);
    d.fails(3, &["report", FIRST_KEY, "--format", "pdf"]);
    d.fails(4, &["report", "INC-2026-0999"]);
}

#[test]
fn a_review_can_be_opened_with_a_template_the_organisation_wrote() {
    let d = Debrief::sqlite();
    d.ok(&[
        "incident",
        "new",
        "--title",
        "Lost laptop",
        "--category",
        "physical",
        "--severity",
        "low",
    ]);
    d.ok(&[
        "template",
        "set",
        "short",
        "--name",
        "Short review",
        "--question",
        "What surprised us?",
        "--question",
        "What do we change?",
    ]);
    d.fails(
        5,
        &[
            "template",
            "set",
            "short",
            "--name",
            "Short review",
            "--question",
            "Again?",
        ],
    );
    d.fails(
        3,
        &[
            "template",
            "set",
            "Bad Id",
            "--name",
            "x",
            "--question",
            "q",
        ],
    );
    let templates = d.json(&["template", "list", "--json"]);
    assert_eq!(templates.as_array().unwrap().len(), 2);
    d.ok(&["review", "open", FIRST_KEY, "--template", "short"]);
    let review = d.json(&["review", "show", FIRST_KEY, "--json"]);
    assert_eq!(
        review["template"]["questions"][1]["text"],
        "What do we change?"
    );
}

/// Actions from the command line: people, creation with a warning, bad
/// input with exit codes, the ranked portfolio as JSON, moves, verification,
/// a stale version, follow-ups and the CSV export.
fn action_story(d: &Debrief) {
    d.ok(&[
        "incident",
        "new",
        "--title",
        "Mailbox compromise",
        "--category",
        "data_breach",
        "--severity",
        "high",
    ]);
    d.ok(&[
        "person",
        "add",
        "Ada Byron",
        "--email",
        "ada@example.org",
        "--team",
        "SRE",
    ]);
    d.ok(&[
        "person",
        "add",
        "Grace Hopper",
        "--email",
        "grace@example.org",
    ]);
    let people = d.json(&["person", "list", "--json"]);
    assert_eq!(people.as_array().unwrap().len(), 2);
    d.fails(
        3,
        &["person", "add", "Ada Again", "--email", "ADA@example.org"],
    );

    // Unknown owner, no verb, scores out of range: exit 3, every field named.
    let run = d.fails(
        3,
        &[
            "action",
            "new",
            FIRST_KEY,
            "--title",
            "Monitoring",
            "--type",
            "detect",
            "--owner",
            "nobody@example.org",
            "--risk",
            "9",
            "--impact",
            "3",
            "--effort",
            "0",
        ],
    );
    for field in ["title", "owner", "risk", "effort"] {
        assert!(run.stderr.contains(field), "{field} in {}", run.stderr);
    }
    assert!(run.stderr.contains("nobody@example.org"));
    assert_eq!(d.json(&["action", "list", "--json"]), serde_json::json!([]));
    d.fails(
        4,
        &[
            "action",
            "new",
            "INC-2026-0099",
            "--title",
            "Add x y",
            "--type",
            "detect",
            "--owner",
            "ada@example.org",
            "--risk",
            "1",
            "--impact",
            "1",
            "--effort",
            "1",
        ],
    );

    // A past due date is accepted with a warning on stderr.
    let run = d.run(&[
        "action",
        "new",
        FIRST_KEY,
        "--title",
        "Add alerting on large exports",
        "--type",
        "detect",
        "--owner",
        "ada@example.org",
        "--due",
        "2026-11-01",
        "--risk",
        "4",
        "--impact",
        "4",
        "--effort",
        "2",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("INC-2026-0001-A1"), "{}", run.stdout);
    assert!(
        run.stderr
            .contains("warning: the due date 2026-11-01 is already past"),
        "{}",
        run.stderr
    );
    let saved = d.json(&[
        "action",
        "new",
        FIRST_KEY,
        "--title",
        "Rotate the service credentials",
        "--type",
        "prevent",
        "--owner",
        "grace@example.org",
        "--due",
        "2026-12-31",
        "--risk",
        "5",
        "--impact",
        "5",
        "--effort",
        "2",
        "--ticket",
        "OPS-12",
        "--json",
    ]);
    assert_eq!(saved["action"]["reference"], "INC-2026-0001-A2");
    d.ok(&[
        "action",
        "new",
        FIRST_KEY,
        "--title",
        "Document the export policy",
        "--type",
        "documentation",
        "--owner",
        "grace@example.org",
        "--risk",
        "1",
        "--impact",
        "2",
        "--effort",
        "5",
        "--priority",
        "P1",
        "--justification",
        "Regulator asked for it",
    ]);

    // The portfolio: ranked, each with score and priority.
    let open = d.json(&["action", "list", "--open", "--json"]);
    let ranked: Vec<(String, String, String)> = open
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["reference"].as_str().unwrap().to_owned(),
                a["score"].as_str().unwrap().to_owned(),
                a["priority"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        ranked,
        [
            ("INC-2026-0001-A2".into(), "12.50".into(), "P1".into()),
            ("INC-2026-0001-A3".into(), "0.40".into(), "P1".into()),
            ("INC-2026-0001-A1".into(), "8.00".into(), "P2".into()),
        ]
    );
    let overdue = d.json(&["action", "list", "--overdue", "--json"]);
    assert_eq!(overdue.as_array().unwrap().len(), 1);
    assert_eq!(overdue[0]["days_overdue"], 25);
    assert!(d.ok(&["action", "list", "--open"]).contains("25 d overdue"));

    // Moves: an invalid jump is invalid input (3); a stale version is 5.
    let run = d.fails(
        3,
        &["action", "update", "INC-2026-0001-A1", "--status", "done"],
    );
    assert!(
        run.stderr.contains("can move to in_progress, cancelled"),
        "{}",
        run.stderr
    );
    d.fails(
        3,
        &[
            "action",
            "update",
            "INC-2026-0001-A1",
            "--status",
            "cancelled",
        ],
    );
    d.ok(&[
        "action",
        "update",
        "INC-2026-0001-A1",
        "--status",
        "in_progress",
    ]);
    d.fails(
        5,
        &[
            "action",
            "update",
            "INC-2026-0001-A1",
            "--status",
            "blocked",
            "--version",
            "1",
        ],
    );
    d.ok(&[
        "action",
        "update",
        "INC-2026-0001-A1",
        "--status",
        "done",
        "--due",
        "2026-12-01",
    ]);
    d.fails(
        3,
        &[
            "action",
            "verify",
            "INC-2026-0001-A2",
            "--evidence",
            "too early",
        ],
    );
    let verified = d.json(&[
        "action",
        "verify",
        "INC-2026-0001-A1",
        "--evidence",
        "drill alerted",
        "--json",
    ]);
    assert_eq!(verified["status"], "verified");
    let shown = d.json(&["action", "show", "INC-2026-0001-A1", "--json"]);
    let whats: Vec<&str> = shown["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["what"].as_str().unwrap())
        .collect();
    assert_eq!(whats, ["created", "status", "edited", "status", "verified"]);
    assert!(
        d.ok(&["action", "show", "INC-2026-0001-A1"])
            .contains("verified")
    );
    d.fails(4, &["action", "show", "INC-2026-0001-A9"]);
    assert!(
        d.json(&["action", "list", "--overdue", "--json"])
            .as_array()
            .unwrap()
            .is_empty()
    );

    // A follow-up and the CSV export.
    let f = d.json(&[
        "action",
        "follow-up",
        FIRST_KEY,
        "--note",
        "weekly",
        "--json",
    ]);
    assert_eq!(f["items"].as_array().unwrap().len(), 3);
    let csv_path = d.path("actions.csv");
    d.ok(&[
        "action",
        "export",
        "--format",
        "csv",
        "--output",
        &csv_path.display().to_string(),
    ]);
    let text = std::fs::read_to_string(&csv_path).unwrap();
    let header = text.lines().next().unwrap();
    for col in ["owner", "due_on", "priority", "score"] {
        assert!(header.split(',').any(|h| h == col), "{col} in {header}");
    }
    assert_eq!(
        text.matches("\r\n").count(),
        4,
        "a header and three rows, CRLF"
    );
    d.fails(3, &["action", "export", "--format", "xlsx"]);
}

#[test]
fn actions_are_managed_from_the_command_line_on_sqlite() {
    action_story(&Debrief::sqlite());
}

#[tokio::test]
async fn actions_are_managed_from_the_command_line_on_postgresql() {
    let Some(db) = TestDatabase::postgres().await else {
        return;
    };
    action_story(&Debrief::postgres(db));
}

#[test]
fn blameless_findings_and_rules_from_the_command_line() {
    let d = Debrief::sqlite();
    d.ok(&[
        "incident",
        "new",
        "--title",
        "Outage",
        "--category",
        "availability",
        "--severity",
        "high",
    ]);
    let changes = d.write(
        "changes.json",
        r#"[{"change": "add_item", "item": {"section": "cause", "kind": "root_cause", "category": "people", "statement": "The on-call engineer failed to follow the runbook"}}]"#,
    );
    d.ok(&["review", "change", FIRST_KEY, &changes]);
    let findings = d.json(&["review", "findings", FIRST_KEY, "--json"]);
    assert_eq!(findings[0]["rule"], "counterfactual");
    assert_eq!(findings[0]["excerpt"], "failed to");
    assert!(
        d.ok(&["review", "findings", FIRST_KEY])
            .contains("1 finding(s), 1 open")
    );
    // The rules in force, edited and saved back; then used by `debrief lint`.
    let shown = d.ok(&["lint-rules", "show"]);
    let mut rules: Vec<Value> = serde_json::from_str(&shown).unwrap();
    for r in rules.iter_mut() {
        if r["id"] == "counterfactual" {
            r["enabled"] = Value::Bool(false);
        }
    }
    let file = d.write("rules.json", &serde_json::to_string(&rules).unwrap());
    assert!(d.ok(&["lint-rules", "set", &file]).contains("version 1"));
    assert_eq!(d.json(&["lint-rules", "show", "--json"])["version"], 1);
    assert!(
        d.json(&["review", "findings", FIRST_KEY, "--json"])
            .as_array()
            .unwrap()
            .is_empty()
    );
    d.fails(5, &["lint-rules", "set", &file, "--version", "0"]);
    let bad = d.write(
        "bad.json",
        r#"[{"id": "x", "matcher": {"kind": "pattern"}, "message": "m"}]"#,
    );
    let run = d.fails(3, &["lint-rules", "set", &bad]);
    assert!(run.stderr.contains("x.matcher"), "{}", run.stderr);
    let text = d.write(
        "postmortem.md",
        "# Outage\n\nThe operator should have waited.\n",
    );
    let run = d.run(&["lint", "--rules", &file, &text]);
    assert_eq!(
        run.code, 0,
        "the exported rules have counterfactuals off: {}",
        run.stdout
    );
}

fn workshop_story(d: &Debrief) {
    d.ok(&[
        "incident",
        "new",
        "--title",
        "Ransomware on the file servers",
        "--category",
        "ransomware",
        "--severity",
        "critical",
        "--responder",
        "Priya Raman",
        "--started",
        "2026-11-20T01:12+01:00",
        "--detected",
        "2026-11-20T03:47+01:00",
        "--closed",
        "2026-11-24",
    ]);
    for (name, email) in [
        ("Marta Nowak", "marta@example.org"),
        ("Priya Raman", "priya@example.org"),
        ("Elena Rossi", "elena@example.org"),
    ] {
        d.ok(&["person", "add", name, "--email", email]);
    }
    d.ok(&["holiday", "add", "2026-12-25", "Christmas Day"]);
    d.fails(3, &["holiday", "add", "25/12/2026", "Christmas"]);
    let holidays = d.json(&["holiday", "list", "--json"]);
    assert_eq!(holidays[0]["date"], "2026-12-25");

    // Bad input: exit 3, each field named, nothing saved.
    let run = d.fails(
        3,
        &[
            "workshop",
            "new",
            FIRST_KEY,
            "--at",
            "tomorrow",
            "--duration",
            "5",
            "--facilitator",
            "nobody@example.org",
            "--attendee",
            "priya@example.org:chef",
        ],
    );
    for field in [
        "starts",
        "duration_minutes",
        "facilitator",
        "attendees[0].role",
    ] {
        assert!(run.stderr.contains(field), "{field} in {}", run.stderr);
    }
    assert_eq!(
        d.json(&["workshop", "list", "--json"]),
        serde_json::json!([])
    );
    d.fails(
        3,
        &[
            "workshop",
            "new",
            FIRST_KEY,
            "--at",
            "2026-11-27 10:00",
            "--facilitator",
            "marta@example.org",
            "--attendee",
            "no-role",
        ],
    );

    // The check names the missing roles and a facilitator who responded.
    let check = d.ok(&[
        "workshop",
        "new",
        FIRST_KEY,
        "--check",
        "--at",
        "2026-11-27 10:00",
        "--zone",
        "Europe/Paris",
        "--location",
        "Room 1",
        "--facilitator",
        "priya@example.org",
    ]);
    assert!(check.contains("MISSING responder"), "{check}");
    assert!(check.contains("NOT neutral"), "{check}");
    assert!(check.contains("review due by 2026-11-27"), "{check}");
    assert_eq!(
        d.json(&["workshop", "list", "--json"]),
        serde_json::json!([])
    );

    let run = d.run(&[
        "workshop",
        "new",
        FIRST_KEY,
        "--at",
        "2026-11-27 10:00",
        "--zone",
        "Europe/Paris",
        "--location",
        "Room 1",
        "--url",
        "https://meet.example.org/x",
        "--facilitator",
        "marta@example.org",
        "--attendee",
        "priya@example.org:responder",
        "--attendee",
        "elena@example.org:legal",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("warning: Stakeholders missing from the invite: IT"),
        "{}",
        run.stderr
    );
    let listed = d.json(&["workshop", "list", "--json"]);
    let id = listed[0]["id"].as_str().unwrap().to_owned();
    assert!(run.stdout.starts_with(&id));
    assert_eq!(listed[0]["starts_at"], "2026-11-27T09:00:00Z");
    assert_eq!(listed[0]["agenda"].as_array().unwrap().len(), 8);

    // The invite.
    let ics = d.ok(&["workshop", "ics", &id]);
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(ics.contains("DTSTART;TZID=Europe/Paris:20261127T100000\r\n"));
    assert!(ics.contains("ORGANIZER;CN=Marta Nowak:mailto:marta@example.org\r\n"));
    assert!(ics.contains("SEQUENCE:0\r\n"));

    // Attendance waits for the start; the clock says 2026-11-26.
    d.fails(
        3,
        &[
            "workshop",
            "attend",
            &id,
            "priya@example.org",
            "--status",
            "attended",
        ],
    );
    d.ok(&[
        "workshop",
        "attend",
        &id,
        "priya@example.org",
        "--status",
        "accepted",
    ]);
    d.fails(4, &["workshop", "show", "not-an-id"]);
    let later = |args: &[&str]| {
        let mut c = d.command(args);
        c.env("DEBRIEF_NOW", "2026-11-27T10:00:00Z");
        let out = c.output().unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    assert_eq!(
        later(&[
            "workshop",
            "attend",
            &id,
            "elena@example.org",
            "--status",
            "absent"
        ])
        .0,
        0
    );
    assert_eq!(
        later(&[
            "workshop",
            "note",
            &id,
            "Keep isolating first",
            "--decision",
            "--item",
            "2"
        ])
        .0,
        0
    );
    assert_eq!(later(&["workshop", "held", &id]).0, 0);
    let shown = d.json(&["workshop", "show", &id, "--json"]);
    assert_eq!(shown["status"], "held");
    assert_eq!(shown["notes"][0]["kind"], "decision");
    let minutes = d.ok(&["workshop", "minutes", &id]);
    assert!(
        minutes.contains("- **Absent:** Elena Rossi (Legal)"),
        "{minutes}"
    );
    assert!(minutes.contains("Keep isolating first"));
    d.fails(3, &["workshop", "minutes", &id, "--format", "pdf"]);
    // Held: it cannot be cancelled any more (exit 5).
    d.fails(5, &["workshop", "cancel", &id, "--reason", "late"]);
    let incident = d.json(&["incident", "show", FIRST_KEY, "--json"]);
    assert!(
        incident["durations"]["time_to_review"].is_object(),
        "{incident}"
    );
}

#[test]
fn workshops_are_run_from_the_command_line_on_sqlite() {
    workshop_story(&Debrief::sqlite());
}

#[tokio::test]
async fn workshops_are_run_from_the_command_line_on_postgresql() {
    let Some(db) = TestDatabase::postgres().await else {
        return;
    };
    workshop_story(&Debrief::postgres(db));
}

/// `debrief search` and `debrief kpi`: ranked hits with the matching words
/// starred in the table, JSON with the keys, a filter, a query with nothing
/// to search refused with exit code 3 naming it, KPI counts as JSON.
fn learning_story(d: &Debrief) {
    for (title, category, detected) in [
        (
            "VPN credential stuffing",
            "unauthorised_access",
            "2026-05-01T10:00Z",
        ),
        (
            "Phishing wave against finance",
            "phishing",
            "2026-09-01T10:00Z",
        ),
        (
            "Credential stuffing against the VPN again",
            "unauthorised_access",
            "2026-10-01T10:00Z",
        ),
    ] {
        d.ok(&[
            "incident",
            "new",
            "--title",
            title,
            "--category",
            category,
            "--severity",
            "high",
            "--detected",
            detected,
        ]);
    }
    let hits = d.json(&["search", "credential", "stuffing", "--json"]);
    let keys: Vec<&str> = hits["hits"]
        .as_array()
        .unwrap_or_else(|| panic!("hits: {hits}"))
        .iter()
        .map(|h| h["incident_key"].as_str().unwrap())
        .collect();
    assert_eq!(keys.len(), 2, "{hits}");
    assert!(
        keys.contains(&"INC-2026-0001") && keys.contains(&"INC-2026-0003"),
        "{keys:?}"
    );
    let table = d.ok(&["search", "phishing"]);
    assert!(
        table.contains("INC-2026-0002") && table.contains("*"),
        "{table}"
    );
    let filtered = d.json(&["search", "stuffing", "--category", "phishing", "--json"]);
    assert_eq!(
        filtered["hits"].as_array().map(Vec::len),
        Some(0),
        "{filtered}"
    );
    let bad = d.fails(3, &["search", "()", "--json"]);
    assert!(
        bad.stderr.contains("q: type at least one word"),
        "{}",
        bad.stderr
    );
    let k = d.json(&["kpi", "--json"]);
    assert_eq!(k["incidents"], 3, "{k}");
}

#[test]
fn search_and_kpis_from_the_command_line_on_sqlite() {
    learning_story(&Debrief::sqlite());
}

#[tokio::test]
async fn search_and_kpis_from_the_command_line_on_postgresql() {
    let Some(db) = TestDatabase::postgres().await else {
        return;
    };
    learning_story(&Debrief::postgres(db));
}

/// `debrief report --programme`: a quarter as JSON (the previous quarter
/// compared), a year as Markdown into a file, any days as HTML; a bad
/// period refused with exit code 3 naming the field; an incident key and
/// --programme together refused by the parser.
fn programme_story(d: &Debrief) {
    for (title, detected) in [
        ("Spring phishing", "2026-05-04T10:00Z"),
        ("Summer phishing", "2026-07-14T10:00Z"),
        ("Late summer phishing", "2026-08-20T10:00Z"),
    ] {
        d.ok(&[
            "incident",
            "new",
            "--title",
            title,
            "--category",
            "phishing",
            "--severity",
            "high",
            "--detected",
            detected,
        ]);
    }
    let q = d.json(&[
        "report",
        "--programme",
        "--quarter",
        "2026Q3",
        "--format",
        "json",
    ]);
    assert_eq!(q["label"], "2026 Q3", "{q}");
    assert_eq!(q["kpis"]["incidents"], 2, "{q}");
    assert_eq!(q["previous"]["incidents"], 1, "{q}");
    let file = d.dir.path().join("programme.md");
    d.ok(&[
        "report",
        "--programme",
        "--year",
        "2026",
        "--output",
        file.to_str().unwrap(),
    ]);
    let md = std::fs::read_to_string(&file).unwrap();
    assert!(md.starts_with("# Programme report 2026\n"), "{md}");
    assert!(md.contains("| Incidents | 3 | 0 | \\+3 |"), "{md}");
    let html = d.ok(&[
        "report",
        "--programme",
        "--from",
        "2026-07-01",
        "--to",
        "2026-07-31",
        "--format",
        "html",
    ]);
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains("Programme report 1 Jul 2026 – 31 Jul 2026"));
    let bad = d.fails(
        3,
        &[
            "report",
            "--programme",
            "--from",
            "2026-07-31",
            "--to",
            "2026-07-01",
        ],
    );
    assert!(bad.stderr.contains("to: the last day"), "{}", bad.stderr);
    let bad = d.fails(3, &["report", "--programme", "--quarter", "Q3"]);
    assert!(bad.stderr.contains("quarter:"), "{}", bad.stderr);
    let clash = d.run(&["report", "INC-2026-0001", "--programme", "--year", "2026"]);
    assert_ne!(clash.code, 0);
}

#[test]
fn the_programme_report_from_the_command_line_on_sqlite() {
    programme_story(&Debrief::sqlite());
}

#[tokio::test]
async fn the_programme_report_from_the_command_line_on_postgresql() {
    let Some(db) = TestDatabase::postgres().await else {
        return;
    };
    programme_story(&Debrief::postgres(db));
}
