//! The command line as clap sees it: every subcommand, option and help text.
//! Parsing stops here; the commands in `commands/` turn these raw values into
//! use-case calls, so clap types never leak past this module's callers.

use clap::{Args, Parser, Subcommand};

/// The long description shown by `debrief --help`, with the exit codes and
/// environment variables scripts rely on.
const LONG_ABOUT: &str = "\
debrief: post-incident reviews and lessons learned.

One binary for the command line, the web UI and the REST API. Every command
works on the database named by --database (or DEBRIEF_DATABASE_URL); it is
created and migrated on first use.

Exit codes:
  0  success
  1  unexpected or internal failure (database unreachable, disk full, …)
  2  usage error: unknown command or option, missing argument
  3  invalid input: a field the rules refuse, or an import with a bad record
     (nothing of that import is kept)
  4  not found: no such incident, timeline event or webhook
  5  conflict: someone else changed the incident first (stale --version),
     a key that already exists, or a review step the workflow does not
     allow now (approving a draft, editing an approved review)
  6  integrity: the audit chain is broken (`audit verify`), or an evidence
     attachment's stored bytes no longer match its recorded SHA-256
     (`attachment get|verify`; nothing is written)

`debrief lint` is the exception, like a compiler: it exits 1 when it found
blaming language, 0 when the text is clean and 3 when a file or the rules
cannot be read. It never opens the database.

Errors go to stderr as `error: …`, with each field problem on its own line.";

const AFTER_LONG_HELP: &str = "\
Environment:
  DEBRIEF_DATABASE_URL  the database, as --database
  DEBRIEF_NOW           pretend the current time is this RFC 3339 instant
                        (reproducible runs and tests): new incident keys and
                        created/updated times use it
  DEBRIEF_LOG           log filter of `serve` (tracing syntax; default: info)";

/// The command line of the `debrief` binary.
#[derive(Debug, Parser)]
#[command(name = "debrief", version, about = "Post-incident reviews and lessons learned", long_about = LONG_ABOUT, after_long_help = AFTER_LONG_HELP)]
pub struct Cli {
    /// The database: a SQLite file path, `sqlite:PATH`, or `postgres://…`.
    // The value may hold a password, so clap must never print it in --help.
    #[arg(
        long,
        global = true,
        env = "DEBRIEF_DATABASE_URL",
        hide_env_values = true,
        default_value = "debrief.db",
        value_name = "URL",
        display_order = 900
    )]
    pub database: String,

    /// Pretend the current time is this RFC 3339 instant (tests, reproducible runs).
    #[arg(
        long,
        global = true,
        env = "DEBRIEF_NOW",
        hide_short_help = true,
        value_name = "RFC3339",
        display_order = 901
    )]
    pub now: Option<jiff::Timestamp>,

    /// Who is acting, recorded in review history, sign-off and the audit
    /// log. The CLI has the database in hand, so it acts as an admin;
    /// this names who. Defaults to $USER.
    #[arg(
        long = "as",
        global = true,
        env = "DEBRIEF_ACTOR",
        value_name = "NAME",
        display_order = 902
    )]
    pub actor: Option<String>,

    /// The ISO 4217 currency totals are reported in.
    #[arg(
        long,
        global = true,
        env = "DEBRIEF_REPORTING_CURRENCY",
        default_value = "EUR",
        value_name = "CODE",
        display_order = 903
    )]
    pub reporting_currency: String,

    /// The organisation's IANA time zone: "today" for due dates and
    /// overdue actions, and the year of new incident keys.
    #[arg(
        long,
        global = true,
        env = "DEBRIEF_TIME_ZONE",
        default_value = "UTC",
        value_name = "IANA",
        display_order = 904
    )]
    pub time_zone: String,

    /// Score thresholds of P1, P2 and P3 (score = risk × impact ÷ effort;
    /// below the third is P4).
    #[arg(
        long,
        global = true,
        env = "DEBRIEF_PRIORITY_THRESHOLDS",
        default_value = "12,6,3",
        value_name = "P1,P2,P3",
        display_order = 905
    )]
    pub priority_thresholds: String,

    /// Hash passwords with cheap argon2id parameters (8 KiB, 1 pass). For
    /// test suites only: never on a server people use.
    #[arg(
        long,
        global = true,
        env = "DEBRIEF_INSECURE_FAST_PASSWORD_HASHING",
        hide = true
    )]
    pub insecure_fast_password_hashing: bool,

    /// The largest evidence attachment accepted, in bytes (uploads over
    /// HTTP and `timeline attach`).
    #[arg(
        long,
        global = true,
        env = "DEBRIEF_MAX_ATTACHMENT_BYTES",
        default_value_t = debrief_core::attachment::DEFAULT_MAX_ATTACHMENT_BYTES,
        value_name = "BYTES",
        value_parser = clap::value_parser!(u64).range(1..),
        display_order = 906
    )]
    pub max_attachment_bytes: u64,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web UI and the REST API.
    ///
    /// Prints `debrief listening on http://ADDR` on stderr once the socket is
    /// bound (with the real port when 0 was asked for). Logs go to stderr,
    /// filtered by DEBRIEF_LOG (default: info). Stops on Ctrl-C or SIGTERM.
    Serve(ServeArgs),
    /// Fill an empty database with three example incidents.
    Demo,
    /// Create the database if needed and bring its schema up to date.
    Migrate,
    /// Open, list, show and edit incidents.
    #[command(subcommand)]
    Incident(IncidentCommand),
    /// Add, list and import timeline events (the chronology).
    #[command(subcommand)]
    Timeline(TimelineCommand),
    /// Evidence attachments: get one (hash checked), verify, chain of custody.
    #[command(subcommand)]
    Attachment(AttachmentCommand),
    /// Write incidents with their timelines as a debrief bundle (JSON).
    Export(ExportArgs),
    /// The post-incident review: show, open, change, total cost.
    #[command(subcommand)]
    Review(ReviewCommand),
    /// The post-incident report or executive summary, as Markdown or HTML.
    Report(ReportArgs),
    /// Full-text search across incidents, timelines, reviews (lessons
    /// included) and actions; every word must match; best first.
    Search(SearchArgs),
    /// The KPIs of a period and filter (docs/kpis.md): counts, durations as
    /// median / p90 / mean / n, review coverage, workshop promptness,
    /// actions, recurrence, cost per incident.
    Kpi(KpiArgs),
    /// Question templates for reviews (data the organisation edits).
    #[command(subcommand)]
    Template(TemplateCommand),
    /// Exchange rates the organisation records (debrief never fetches rates).
    #[command(subcommand)]
    Rate(RateCommand),
    /// Read a debrief bundle: new incidents are created, known ones get the
    /// events they lack. All or nothing.
    Import(ImportArgs),
    /// Webhooks: signed HTTP POSTs to other systems when events happen
    /// (docs/webhooks.md). `serve` sends them in the background.
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// Action items: create, list (the portfolio), show, update, verify,
    /// export; follow-up snapshots.
    #[command(subcommand)]
    Action(ActionCommand),
    /// People debrief knows (action owners, attendees).
    #[command(subcommand)]
    Person(PersonCommand),
    /// Plans and training: the organisation's documents (response plans,
    /// playbooks, runbooks, policies, training modules).
    #[command(subcommand)]
    Document(DocumentCommand),
    /// Lessons and the document changes they require: link, mark done,
    /// list an incident's links, the lessons without a home.
    #[command(subcommand)]
    Lesson(LessonCommand),
    /// The organisation's blameless-language rules: print them (for
    /// `debrief lint --rules`) or replace them from a JSON file.
    #[command(subcommand)]
    LintRules(LintRulesCommand),
    /// Lessons-learned workshops and follow-ups: schedule (with the coverage
    /// and facilitator check), list, show, attendance, notes, the iCalendar
    /// invite, the minutes.
    #[command(subcommand)]
    Workshop(WorkshopCommand),
    /// The organisation's holidays (business days skip them).
    #[command(subcommand)]
    Holiday(HolidayCommand),
    /// Accounts that sign in to the web UI: add, list, change role,
    /// deactivate.
    #[command(subcommand)]
    User(UserCommand),
    /// API tokens for scripts: create (printed once), list, revoke.
    #[command(subcommand)]
    Token(TokenCommand),
    /// The audit log: verify its hash chain, list entries.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Point at blaming language in text and Markdown files (for CI too).
    ///
    /// Finds counterfactuals said of people ("the engineer should have"),
    /// "human error", judgemental words, a known person's name as the subject
    /// of a cause and accusing questions, and prints each as
    /// `FILE:LINE:COLUMN: RULE: MESSAGE` with a suggestion. `.md` and
    /// `.markdown` files are read as Markdown: code blocks, inline code, HTML
    /// and link targets are skipped, and lines and columns are those of the
    /// file. Text in quotes or backticks is never read.
    ///
    /// Exit codes: 0 nothing found, 1 findings, 3 a file or the rules file
    /// cannot be read or the rules are invalid. The database is not used.
    Lint(LintArgs),
}

#[derive(Debug, Subcommand)]
pub enum ActionCommand {
    /// Add an action to an incident. Prints its reference (INC-…-A1).
    New(ActionNewArgs),
    /// List actions ranked by priority, score and due date; with --open it is
    /// the portfolio of everything still to do.
    List(ActionListArgs),
    /// Show one action with its history.
    Show(ActionShowArgs),
    /// Change an action's fields or move its status (--status, --reason).
    Update(ActionUpdateArgs),
    /// Record that a done action worked: evidence, date, who.
    Verify(ActionVerifyArgs),
    /// Write actions as CSV (RFC 4180) with owner, due date and priority.
    Export(ActionExportArgs),
    /// Record a follow-up session: the status of every action of an incident.
    FollowUp(FollowUpArgs),
    /// Send the `action.overdue` webhook for actions that became overdue
    /// (once per action and due date; `serve` does this by itself).
    NotifyOverdue,
}

/// The fields of an action; on `update`, options left out keep their value.
#[derive(Debug, Args)]
pub struct ActionFieldArgs {
    /// What will be done, starting with a verb ("Add alerting on …").
    #[arg(long)]
    pub title: Option<String>,
    #[arg(long)]
    pub description: Option<String>,
    /// prevent, mitigate, detect, respond, process, training or documentation.
    #[arg(long = "type", value_name = "TYPE")]
    pub action_type: Option<String>,
    /// The owner: a known person's email.
    #[arg(long, value_name = "EMAIL")]
    pub owner: Option<String>,
    /// YYYY-MM-DD (empty clears). A date already past is accepted with a warning.
    #[arg(long, value_name = "DATE")]
    pub due: Option<String>,
    /// 1–5: how likely the problem recurs without this action.
    #[arg(long)]
    pub risk: Option<i64>,
    /// 1–5: how much harm a recurrence does.
    #[arg(long)]
    pub impact: Option<i64>,
    /// 1–5: the resources the action needs.
    #[arg(long)]
    pub effort: Option<i64>,
    /// P1–P4 instead of the computed priority (empty clears); needs --justification.
    #[arg(long = "priority", value_name = "P")]
    pub priority_override: Option<String>,
    /// Why the priority is overridden.
    #[arg(long)]
    pub justification: Option<String>,
    /// A review item it answers, SECTION:ID (cause, gap, lesson or
    /// recommendation); repeat for several. On update, replaces the list.
    #[arg(long = "answers", value_name = "SECTION:ID")]
    pub answers: Vec<String>,
    /// A URL or a ticket key (OPS-123).
    #[arg(long)]
    pub ticket: Option<String>,
}

#[derive(Debug, Args)]
pub struct ActionNewArgs {
    /// The incident key.
    pub key: String,
    #[command(flatten)]
    pub fields: ActionFieldArgs,
    /// Print the action as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ActionListArgs {
    /// Only open, in progress and blocked actions (the portfolio).
    #[arg(long)]
    pub open: bool,
    /// Only overdue actions.
    #[arg(long)]
    pub overdue: bool,
    /// Only this incident's actions.
    #[arg(long, value_name = "KEY")]
    pub incident: Option<String>,
    /// Only this owner's (email).
    #[arg(long, value_name = "EMAIL")]
    pub owner: Option<String>,
    /// Only these statuses; repeat or separate with commas.
    #[arg(long = "status", value_delimiter = ',')]
    pub statuses: Vec<String>,
    /// Only these priorities (P1…P4); repeat or separate with commas.
    #[arg(long = "priority", value_delimiter = ',')]
    pub priorities: Vec<String>,
    /// Only these types; repeat or separate with commas.
    #[arg(long = "type", value_delimiter = ',')]
    pub types: Vec<String>,
    /// At most this many (default: all).
    #[arg(long)]
    pub limit: Option<u32>,
    /// Print JSON (each action with its score and priority).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ActionShowArgs {
    /// The action's reference (INC-2026-0003-A2) or id.
    pub reference: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ActionUpdateArgs {
    /// The action's reference (INC-2026-0003-A2) or id.
    pub reference: String,
    #[command(flatten)]
    pub fields: ActionFieldArgs,
    /// Move to in_progress, blocked, done or cancelled (verify with `action verify`).
    #[arg(long)]
    pub status: Option<String>,
    /// The reason of a cancellation (required) or a note on the move.
    #[arg(long)]
    pub reason: Option<String>,
    /// The version you read; refused with exit code 5 if it changed since.
    /// Default: the current version.
    #[arg(long)]
    pub version: Option<i64>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ActionVerifyArgs {
    /// The action's reference or id.
    pub reference: String,
    /// What shows the change worked (a drill, a test, a metric, a link).
    #[arg(long)]
    pub evidence: String,
    /// YYYY-MM-DD; default today.
    #[arg(long, value_name = "DATE")]
    pub on: Option<String>,
    /// Who verified it; default the actor (--as).
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
    #[arg(long)]
    pub version: Option<i64>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ActionExportArgs {
    /// csv (the only format; the bundle carries actions too).
    #[arg(long, default_value = "csv")]
    pub format: String,
    /// Only open, in progress and blocked actions.
    #[arg(long)]
    pub open: bool,
    #[arg(long, value_name = "KEY")]
    pub incident: Option<String>,
    #[arg(long, value_name = "EMAIL")]
    pub owner: Option<String>,
    /// Write here instead of standard output.
    #[arg(long, short)]
    pub output: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct FollowUpArgs {
    /// The incident key.
    pub key: String,
    /// What the session found or decided.
    #[arg(long, default_value = "")]
    pub note: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum WorkshopCommand {
    /// Schedule a workshop; prints its id. Missing stakeholder roles and a
    /// facilitator who is not neutral are printed as warnings (on stderr);
    /// with --check nothing is saved.
    New(WorkshopNewArgs),
    /// List workshops (of one incident, or all), earliest first.
    List(WorkshopListArgs),
    /// Show one workshop: schedule, attendees, coverage, agenda, notes.
    Show(WorkshopIdArgs),
    /// Record someone's attendance (invited, accepted, attended, absent).
    Attend(WorkshopAttendArgs),
    /// Add a note (or with --decision a decision) to the workshop.
    Note(WorkshopNoteArgs),
    /// Mark the workshop held (once it has started).
    Held(WorkshopIdArgs),
    /// Cancel the workshop; its invite becomes a cancellation.
    Cancel(WorkshopCancelArgs),
    /// Print the iCalendar invite (RFC 5545).
    Ics(WorkshopFileArgs),
    /// Print the minutes as Markdown (or --format html).
    Minutes(WorkshopMinutesArgs),
}

#[derive(Debug, Args)]
pub struct WorkshopNewArgs {
    /// The incident key.
    pub key: String,
    /// lessons_learned or follow_up.
    #[arg(long, default_value = "lessons_learned")]
    pub kind: String,
    /// When it starts: `2026-09-29 10:00` in --zone, or RFC 3339.
    #[arg(long, value_name = "WHEN")]
    pub at: String,
    /// The IANA zone it is planned in (default: the organisation's).
    #[arg(long, value_name = "IANA", default_value = "")]
    pub zone: String,
    /// Minutes, 15–480.
    #[arg(long, default_value = "90")]
    pub duration: String,
    /// A room or an address.
    #[arg(long, default_value = "")]
    pub location: String,
    /// A meeting link (https://…).
    #[arg(long, default_value = "")]
    pub url: String,
    /// The facilitator's email.
    #[arg(long, value_name = "EMAIL")]
    pub facilitator: String,
    /// Someone to invite and why, EMAIL:ROLE (responder, it, management,
    /// legal, communications, security, vendor, executive, other); repeat.
    #[arg(long = "attendee", value_name = "EMAIL:ROLE")]
    pub attendees: Vec<String>,
    /// A file with the agenda (`## heading` lines and their points);
    /// generated from the incident when absent.
    #[arg(long, value_name = "FILE")]
    pub agenda: Option<String>,
    /// Only check (coverage, facilitator, review due); save nothing.
    #[arg(long)]
    pub check: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct WorkshopListArgs {
    /// Only this incident's workshops.
    pub key: Option<String>,
    /// Print JSON (each workshop with its `id`).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct WorkshopIdArgs {
    /// The workshop's id (see `workshop list`).
    pub id: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct WorkshopAttendArgs {
    pub id: String,
    /// The attendee's email.
    pub email: String,
    /// invited, accepted, attended or absent.
    #[arg(long, default_value = "attended")]
    pub status: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct WorkshopNoteArgs {
    pub id: String,
    pub text: String,
    /// The agenda item it belongs to, from 1.
    #[arg(long)]
    pub item: Option<u32>,
    /// Record a decision rather than a note.
    #[arg(long)]
    pub decision: bool,
}

#[derive(Debug, Args)]
pub struct WorkshopCancelArgs {
    pub id: String,
    /// Why (shown in the attendees' calendars).
    #[arg(long)]
    pub reason: String,
    /// The version you read; refused with exit code 5 if it changed since.
    #[arg(long)]
    pub version: Option<i64>,
}

#[derive(Debug, Args)]
pub struct WorkshopFileArgs {
    pub id: String,
    /// Write here instead of standard output.
    #[arg(long, short)]
    pub output: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct WorkshopMinutesArgs {
    pub id: String,
    /// md or html.
    #[arg(long, default_value = "md")]
    pub format: String,
    #[arg(long, short)]
    pub output: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user. Prints a generated password unless --password-stdin.
    Add(UserAddArgs),
    /// List users with their role and state.
    List(PersonListArgs),
    /// Change a user's role: viewer, contributor, manager or admin.
    SetRole(UserSetRoleArgs),
    /// Deactivate a user: their sessions end, their tokens stop working.
    Deactivate(UserEmailArgs),
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    pub email: String,
    /// The name shown beside their changes.
    #[arg(long)]
    pub name: String,
    /// viewer, contributor, manager or admin.
    #[arg(long, default_value = "viewer")]
    pub role: String,
    /// Shorthand for --role admin.
    #[arg(long)]
    pub admin: bool,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct UserSetRoleArgs {
    pub email: String,
    pub role: String,
}

#[derive(Debug, Args)]
pub struct UserEmailArgs {
    pub email: String,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token for a user; prints only the secret (shown once).
    Create(TokenCreateArgs),
    /// List tokens (never their secrets).
    List(TokenListArgs),
    /// Revoke a token by id.
    Revoke(TokenRevokeArgs),
}

#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    /// Whose token.
    #[arg(long)]
    pub user: String,
    /// At most the user's role; theirs when left out.
    #[arg(long)]
    pub role: Option<String>,
    #[arg(long, default_value = "cli")]
    pub name: String,
}

#[derive(Debug, Args)]
pub struct TokenListArgs {
    /// Only this user's tokens.
    #[arg(long)]
    pub user: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct TokenRevokeArgs {
    pub id: String,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain: exit 0 when intact, 6 naming the first
    /// broken entry.
    Verify,
    /// The newest entries, with what changed (old → new); `log` is the
    /// same command.
    #[command(alias = "log")]
    List(AuditListArgs),
}

#[derive(Debug, Args)]
pub struct AuditListArgs {
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    /// Only entries about this kind of thing (incident, review, action,
    /// webhook, user, api_token …).
    #[arg(long)]
    pub entity: Option<String>,
    /// Only changes by this actor (an email finds what that admin did for
    /// someone else too).
    #[arg(long)]
    pub actor: Option<String>,
    /// Only entries at or after this instant (RFC 3339, e.g.
    /// 2026-11-28T09:00:00Z) or day (YYYY-MM-DD, UTC).
    #[arg(long)]
    pub since: Option<String>,
    /// Only entries before this instant or day (UTC).
    #[arg(long)]
    pub until: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum HolidayCommand {
    /// Record a holiday: DATE (YYYY-MM-DD) and its name.
    Add(HolidayAddArgs),
    /// List the holidays.
    List(PersonListArgs),
    /// Delete the holiday of a day.
    Delete(HolidayDeleteArgs),
}

#[derive(Debug, Args)]
pub struct HolidayAddArgs {
    pub date: String,
    pub name: String,
}

#[derive(Debug, Args)]
pub struct HolidayDeleteArgs {
    pub date: String,
}

#[derive(Debug, Subcommand)]
pub enum PersonCommand {
    /// Add a person.
    Add(PersonAddArgs),
    /// List everyone debrief knows.
    List(PersonListArgs),
}

#[derive(Debug, Args)]
pub struct PersonAddArgs {
    /// Their name.
    pub name: String,
    /// Their email (unique).
    #[arg(long)]
    pub email: String,
    #[arg(long, default_value = "")]
    pub team: String,
    #[arg(long, default_value = "")]
    pub phone: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PersonListArgs {
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Load the demo incidents first when the database is empty.
    #[arg(long)]
    pub demo: bool,
    /// The address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub listen: String,
    /// Mark the session cookie `Secure` (browsers then send it over https
    /// only). Use it whenever debrief is reached over https, directly or
    /// behind a proxy; leave it off for plain http on localhost, where a
    /// Secure cookie would never come back.
    #[arg(long, env = "DEBRIEF_SECURE_COOKIES")]
    pub secure_cookies: bool,
}

#[derive(Debug, Subcommand)]
pub enum IncidentCommand {
    /// Open a new incident; prints its key.
    New(NewIncidentArgs),
    /// List incidents, newest first unless --sort says otherwise.
    List(ListIncidentsArgs),
    /// Show one incident with its lifecycle and derived durations.
    Show(ShowIncidentArgs),
    /// Change an incident's fields; options left out keep their value.
    Edit(EditIncidentArgs),
    /// Set or clear one lifecycle timestamp, from a value or a timeline event.
    SetTime(SetTimeArgs),
}

/// Options shared by `incident new` and `incident edit`.
#[derive(Debug, Args)]
pub struct IncidentFieldArgs {
    /// What happened, in a few sentences (an empty value clears it).
    #[arg(long)]
    pub summary: Option<String>,
    /// An affected service or asset; repeat or separate with commas.
    #[arg(long = "service", value_name = "NAME")]
    pub services: Vec<String>,
    /// An affected business unit; repeat or separate with commas.
    #[arg(long = "business-unit", value_name = "NAME")]
    pub business_units: Vec<String>,
    /// A tag; repeat or separate with commas.
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// A person who responded; repeat or separate with commas.
    #[arg(long = "responder", value_name = "NAME")]
    pub responders: Vec<String>,
    /// Read times written without an offset in this IANA zone (Europe/Paris).
    #[arg(long, value_name = "IANA")]
    pub zone: Option<String>,
    #[command(flatten)]
    pub lifecycle: LifecycleArgs,
}

/// The eight lifecycle timestamps. Each takes a date (`2019-07-02`, day
/// precision) or an instant with an offset (`2019-07-02T13:42+02:00`).
#[derive(Debug, Args)]
#[command(
    next_help_heading = "Lifecycle timestamps (a date, or a time with an offset; empty clears)"
)]
pub struct LifecycleArgs {
    /// First harmful event.
    #[arg(long, value_name = "TIME")]
    pub started: Option<String>,
    /// Someone or something noticed.
    #[arg(long, value_name = "TIME")]
    pub detected: Option<String>,
    /// Reported to the incident team.
    #[arg(long, value_name = "TIME")]
    pub reported: Option<String>,
    /// Response began.
    #[arg(long, value_name = "TIME")]
    pub acknowledged: Option<String>,
    /// Spread stopped.
    #[arg(long, value_name = "TIME")]
    pub contained: Option<String>,
    /// Cause removed.
    #[arg(long, value_name = "TIME")]
    pub eradicated: Option<String>,
    /// Normal operation restored.
    #[arg(long, value_name = "TIME")]
    pub recovered: Option<String>,
    /// Incident closed.
    #[arg(long, value_name = "TIME")]
    pub closed: Option<String>,
}

impl LifecycleArgs {
    /// The values given, by lifecycle field name, in lifecycle order.
    pub fn given(&self) -> Vec<(&'static str, &str)> {
        [
            ("started", &self.started),
            ("detected", &self.detected),
            ("reported", &self.reported),
            ("acknowledged", &self.acknowledged),
            ("contained", &self.contained),
            ("eradicated", &self.eradicated),
            ("recovered", &self.recovered),
            ("closed", &self.closed),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.as_deref().map(|v| (name, v)))
        .collect()
    }
}

#[derive(Debug, Args)]
pub struct NewIncidentArgs {
    /// A short, factual title.
    #[arg(long)]
    pub title: String,
    /// A category of the taxonomy: malware, ransomware, phishing,
    /// unauthorised_access, data_breach, denial_of_service, insider_misuse,
    /// misconfiguration, vulnerability_exploitation, third_party, physical,
    /// availability, other.
    #[arg(long)]
    pub category: String,
    /// critical, high, medium or low.
    #[arg(long)]
    pub severity: String,
    /// Print the new incident as JSON instead of its key.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub fields: IncidentFieldArgs,
}

#[derive(Debug, Args)]
pub struct EditIncidentArgs {
    /// The incident's key (INC-2026-0042).
    pub key: String,
    /// The version you last saw (`incident show`); a newer one is a conflict.
    #[arg(long)]
    pub version: i64,
    /// A short, factual title.
    #[arg(long)]
    pub title: Option<String>,
    /// A category of the taxonomy (see `incident new --help`).
    #[arg(long)]
    pub category: Option<String>,
    /// critical, high, medium or low.
    #[arg(long)]
    pub severity: Option<String>,
    /// Print the updated incident as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub fields: IncidentFieldArgs,
}

#[derive(Debug, Args)]
pub struct ListIncidentsArgs {
    /// Only this status (open, contained, eradicated, recovered, closed); repeatable.
    #[arg(long = "status", value_name = "STATUS")]
    pub statuses: Vec<String>,
    /// Only this severity (critical, high, medium, low); repeatable.
    #[arg(long = "severity", value_name = "SEVERITY")]
    pub severities: Vec<String>,
    /// Only this category; repeatable.
    #[arg(long = "category", value_name = "CATEGORY")]
    pub categories: Vec<String>,
    /// Only incidents whose title or key contains this text (any case).
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// The order of the list.
    #[arg(long, default_value = "newest", value_parser = ["newest", "oldest", "started_desc", "started_asc", "severity"])]
    pub sort: String,
    /// Incidents per page (1–500).
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    /// Every page, not just the first.
    #[arg(long)]
    pub all: bool,
    /// Print a JSON array.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ShowIncidentArgs {
    /// The incident's key (INC-2026-0042).
    pub key: String,
    /// Print JSON, with every derived duration in seconds.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
// Clap would list the group first; people think in key, field, value.
#[command(
    override_usage = "debrief incident set-time [OPTIONS] <KEY> <FIELD> <VALUE|--from-event <EVENT_ID>|--clear>"
)]
#[command(group(clap::ArgGroup::new("new_value").required(true).args(["value", "from_event", "clear"])))]
pub struct SetTimeArgs {
    /// The incident's key (INC-2026-0042).
    pub key: String,
    /// started, detected, reported, acknowledged, contained, eradicated,
    /// recovered or closed.
    pub field: String,
    /// A date (`2019-07-02`) or an instant with an offset (`2019-07-02T13:42Z`).
    pub value: Option<String>,
    /// Take the instant (with its precision and offset) of this timeline event.
    #[arg(long, value_name = "EVENT_ID")]
    pub from_event: Option<String>,
    /// Remove the timestamp.
    #[arg(long)]
    pub clear: bool,
    /// The version you last saw; without it the current one is used.
    #[arg(long)]
    pub version: Option<i64>,
    /// Print the updated incident as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum TimelineCommand {
    /// Add one event; an identical event already there is not added twice.
    Add(AddEventArgs),
    /// List an incident's timeline in chronological order.
    List(ListEventsArgs),
    /// Import events from CSV, JSON Lines or a bundle; all or nothing, and
    /// importing the same file again adds nothing.
    Import(ImportTimelineArgs),
    /// Attach a file to an event as evidence: stored with its SHA-256,
    /// size, type, who added it and when (chain of custody).
    Attach(AttachArgs),
    /// List an incident's evidence attachments.
    Attachments(ListAttachmentsArgs),
}

#[derive(Debug, Args)]
pub struct AttachArgs {
    /// The incident's key (INC-2026-0042).
    pub key: String,
    /// The event's id (`debrief timeline list KEY --json`).
    pub event_id: String,
    /// The file to attach.
    pub file: std::path::PathBuf,
    /// The declared media type (text/plain, image/png …); the served type
    /// is always decided from the content.
    #[arg(long = "type", value_name = "TYPE")]
    pub content_type: Option<String>,
    /// What the file shows.
    #[arg(long)]
    pub description: Option<String>,
    /// Print the attachment as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ListAttachmentsArgs {
    /// The incident's key (INC-2026-0042).
    pub key: String,
    /// Print a JSON array.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum AttachmentCommand {
    /// Write an attachment to a file after checking its SHA-256; exit code
    /// 6 when the stored bytes no longer match (nothing is written).
    Get(AttachmentGetArgs),
    /// Check an attachment's SHA-256 without writing it (exit code 6 on a
    /// mismatch); the check is recorded in its chain of custody.
    Verify(AttachmentIdArgs),
    /// An attachment's chain of custody: added, downloaded, checked.
    Custody(AttachmentIdArgs),
}

#[derive(Debug, Args)]
pub struct AttachmentGetArgs {
    /// The attachment's id.
    pub id: String,
    /// Where to write the file (`-` for standard output).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: String,
}

#[derive(Debug, Args)]
pub struct AttachmentIdArgs {
    /// The attachment's id.
    pub id: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AddEventArgs {
    /// The incident's key (INC-2026-0042).
    pub key: String,
    /// When: a date, or an instant with an offset (`2019-07-02T13:42Z`).
    #[arg(long, value_name = "TIME")]
    pub at: String,
    /// detection, escalation, decision, communication, action,
    /// technical_finding, containment, eradication, recovery, impact, other.
    #[arg(long)]
    pub kind: String,
    /// What happened.
    #[arg(long)]
    pub text: String,
    /// Who did or saw it.
    #[arg(long)]
    pub actor: Option<String>,
    /// Where it is known from (manual, chat, siem, ticket, log, email, …); default manual.
    #[arg(long)]
    pub source: Option<String>,
    /// Mark it as a key event (part of the short chronology).
    #[arg(long = "key")]
    pub key_event: bool,
    /// A tag; repeat or separate with commas.
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// A link to the evidence (http:// or https://).
    #[arg(long, value_name = "URL")]
    pub evidence_url: Option<String>,
    /// Coarsen the instant: day, hour, minute or second.
    #[arg(long)]
    pub precision: Option<String>,
    /// Read a time written without an offset in this IANA zone.
    #[arg(long, value_name = "IANA")]
    pub zone: Option<String>,
    /// Print the event as JSON, with `created` false when it was already there.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ListEventsArgs {
    /// The incident's key (INC-2026-0042).
    pub key: String,
    /// Only events of this kind; repeatable.
    #[arg(long = "kind", value_name = "KIND")]
    pub kinds: Vec<String>,
    /// Only key events (the short chronology).
    #[arg(long)]
    pub key_only: bool,
    /// Only events of this actor.
    #[arg(long)]
    pub actor: Option<String>,
    /// Print a JSON array.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ImportTimelineArgs {
    /// The incident's key (INC-2026-0042).
    pub key: String,
    /// The file to read; `-` reads standard input.
    pub file: String,
    /// csv, jsonl or bundle; by default guessed from the file's extension.
    #[arg(long, value_parser = ["csv", "jsonl", "ndjson", "bundle"])]
    pub format: Option<String>,
    /// The source recorded for events that name none; default: the file's name without extension.
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
    /// CSV: read FIELD from the column with this header (at=Time, text=Message …); repeatable.
    #[arg(long = "map", value_name = "FIELD=HEADER", value_parser = parse_mapping)]
    pub mapping: Vec<(String, String)>,
    /// Read times without an offset in this IANA zone; without it they are errors.
    #[arg(long, value_name = "IANA")]
    pub zone: Option<String>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Show the review of an incident.
    Show(ReviewShowArgs),
    /// Open the review with a question template (default: NIST SP 800-61r2).
    Open(ReviewOpenArgs),
    /// Apply changes given as JSON (one object or an array), the same shape
    /// as `POST /api/v1/incidents/KEY/review/changes`, e.g.
    /// {"change":"transition","to":"in_review"}.
    Change(ReviewChangeArgs),
    /// The incident's costs in the reporting currency, with the rates used.
    Total(ReviewShowArgs),
    /// Blameless-language findings over the incident's review, actions and
    /// timeline, open or acknowledged (approval waits for the open ones).
    /// Exit code 0 either way; use `--json` to script on them.
    Findings(ReviewShowArgs),
    /// The "review complete" policy: show it, or switch whether approval
    /// waits until every lesson has a document link.
    Policy(ReviewPolicyArgs),
}

#[derive(Debug, Args)]
pub struct ReviewPolicyArgs {
    /// `on`: approval is refused while a lesson has no document link (the
    /// default); `off`: lessons do not hold approval up.
    #[arg(long, value_name = "on|off")]
    pub lessons_need_documents: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum DocumentCommand {
    /// Register a document. Prints its id.
    Add(DocumentAddArgs),
    /// List every document, current ones first.
    List(PersonListArgs),
    /// Show one document.
    Show(DocumentShowArgs),
    /// Change a document's fields (only those given).
    Update(DocumentUpdateArgs),
}

#[derive(Debug, Args)]
pub struct DocumentAddArgs {
    /// The title, e.g. "Ransomware playbook".
    pub title: String,
    /// response_plan, playbook, runbook, policy, training_module or other.
    #[arg(long)]
    pub kind: String,
    /// The owner: a known person's email.
    #[arg(long)]
    pub owner: String,
    /// Where it lives: an http(s) URL.
    #[arg(long)]
    pub link: String,
    /// The document's own version, e.g. 3.2.
    #[arg(long, default_value = "")]
    pub doc_version: String,
    /// current (default) or retired.
    #[arg(long, default_value = "")]
    pub status: String,
    /// When it is next due for review (YYYY-MM-DD).
    #[arg(long, default_value = "")]
    pub review_on: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DocumentShowArgs {
    /// The document's id.
    pub id: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DocumentUpdateArgs {
    /// The document's id.
    pub id: String,
    #[arg(long)]
    pub title: Option<String>,
    #[arg(long)]
    pub kind: Option<String>,
    #[arg(long)]
    pub owner: Option<String>,
    #[arg(long)]
    pub link: Option<String>,
    #[arg(long)]
    pub doc_version: Option<String>,
    #[arg(long)]
    pub status: Option<String>,
    /// YYYY-MM-DD; an empty value clears it.
    #[arg(long)]
    pub review_on: Option<String>,
    /// The version you read; refused with exit code 5 if it changed since.
    /// Default: the current version.
    #[arg(long)]
    pub version: Option<i64>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum LessonCommand {
    /// Link a lesson to the document change it requires (--document and
    /// --change), or record that no document needs to change (--none REASON).
    Link(LessonLinkArgs),
    /// Mark a link's change done: the document version that carries it and
    /// the date.
    Done(LessonDoneArgs),
    /// An incident's lessons, numbered, with their document links.
    Links(ReviewShowArgs),
    /// Lessons not yet folded into any document, oldest first.
    Unhomed(PersonListArgs),
}

#[derive(Debug, Args)]
pub struct LessonLinkArgs {
    /// The incident key.
    pub key: String,
    /// The lesson: its number in `debrief lesson links KEY` or its id.
    pub lesson: String,
    /// The document's id (`debrief document list`).
    #[arg(long, conflicts_with = "none")]
    pub document: Option<String>,
    /// The change the document needs, in a sentence.
    #[arg(long, conflicts_with = "none")]
    pub change: Option<String>,
    /// No document needs to change; the reason is kept.
    #[arg(long, value_name = "REASON")]
    pub none: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct LessonDoneArgs {
    /// The incident key.
    pub key: String,
    /// The link's id (`debrief lesson links KEY`).
    pub link: String,
    /// The document version that carries the change.
    #[arg(long)]
    pub doc_version: String,
    /// When the change was made (YYYY-MM-DD; default today).
    #[arg(long)]
    pub on: Option<String>,
    /// The version you read; default the current one.
    #[arg(long)]
    pub version: Option<i64>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ReviewOpenArgs {
    /// The incident key, e.g. INC-2026-0042.
    pub key: String,
    /// The question template's id (see `debrief template list`).
    #[arg(long)]
    pub template: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum TemplateCommand {
    /// List the question templates.
    List(RateListArgs),
    /// Create or edit a template: its questions, one per --question, in order.
    Set(TemplateSetArgs),
}

#[derive(Debug, Args)]
pub struct TemplateSetArgs {
    /// The template id: lower-case letters, digits and hyphens.
    pub id: String,
    #[arg(long)]
    pub name: String,
    /// A question; repeat for each, in order.
    #[arg(long = "question", required = true)]
    pub questions: Vec<String>,
    /// The version you read (0 to create or to replace the built-in).
    #[arg(long, default_value_t = 0)]
    pub version: i64,
}

#[derive(Debug, Args)]
pub struct ReviewShowArgs {
    /// The incident key, e.g. INC-2026-0042.
    pub key: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ReviewChangeArgs {
    /// The incident key.
    pub key: String,
    /// A file with the change(s); `-` reads standard input.
    pub file: String,
    /// Print the review after the changes as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The incident key (not with --programme).
    #[arg(required_unless_present = "programme", conflicts_with = "programme")]
    pub key: Option<String>,
    /// The programme report over a period instead of an incident's report:
    /// give --from and --to, --quarter or --year.
    #[arg(long)]
    pub programme: bool,
    /// The programme report's first day (YYYY-MM-DD, organisation's zone).
    #[arg(long, requires = "programme")]
    pub from: Option<String>,
    /// The programme report's last day (inclusive).
    #[arg(long, requires = "programme")]
    pub to: Option<String>,
    /// The programme report for a quarter, e.g. 2026Q3.
    #[arg(long, requires = "programme")]
    pub quarter: Option<String>,
    /// The programme report for a year, e.g. 2026.
    #[arg(long, requires = "programme")]
    pub year: Option<String>,
    /// pir (the post-incident report) or executive (one page for leadership).
    #[arg(long, default_value = "pir")]
    pub kind: String,
    /// md or html (print-ready: a browser's print gives a clean PDF); json
    /// too for --programme.
    #[arg(long, default_value = "md")]
    pub format: String,
    /// Show instants in this IANA zone (default UTC).
    #[arg(long)]
    pub zone: Option<String>,
    /// Write to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

/// The incidents a search or the KPIs look at.
#[derive(Debug, Args, Default)]
pub struct ScopeArgs {
    /// A category slug (repeat for several).
    #[arg(long)]
    pub category: Vec<String>,
    /// critical, high, medium or low (repeat for several).
    #[arg(long)]
    pub severity: Vec<String>,
    /// An affected service (repeat for several).
    #[arg(long)]
    pub service: Vec<String>,
    /// A tag (repeat for several).
    #[arg(long)]
    pub tag: Vec<String>,
    /// First day (YYYY-MM-DD, in the organisation's zone), inclusive.
    #[arg(long)]
    pub from: Option<String>,
    /// Last day, inclusive.
    #[arg(long)]
    pub to: Option<String>,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The words to find.
    #[arg(required = true, num_args = 1..)]
    pub query: Vec<String>,
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// How many results (1–100).
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct KpiArgs {
    #[command(flatten)]
    pub scope: ScopeArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum RateCommand {
    /// Record `1 FROM = RATE TO`, valid from --date.
    Add(RateAddArgs),
    /// List the recorded rates.
    List(RateListArgs),
    /// Delete a rate by id.
    Delete(RateDeleteArgs),
}

#[derive(Debug, Args)]
pub struct RateAddArgs {
    pub from: String,
    pub to: String,
    pub rate: String,
    /// The day the rate is valid from (YYYY-MM-DD).
    #[arg(long)]
    pub date: String,
    /// Where the rate came from, e.g. "ECB reference rate".
    #[arg(long)]
    pub source: String,
}

#[derive(Debug, Args)]
pub struct RateListArgs {
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RateDeleteArgs {
    pub id: String,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Keys of the incidents to export; none exports every incident.
    pub keys: Vec<String>,
    /// Write to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The bundle to read; `-` reads standard input.
    pub file: String,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Subscribe a URL to events; prints its id and its secret (shown once).
    Add(WebhookAddArgs),
    /// List the subscriptions (never their secrets).
    List(WebhookListArgs),
    /// Delete a subscription and its delivery log.
    Remove(WebhookRemoveArgs),
    /// The delivery log, newest first, with every attempt.
    Log(WebhookLogArgs),
    /// Send every delivery that is due now, once, and print each attempt.
    ///
    /// A failed attempt is scheduled for its retry, not repeated here; the
    /// exit code is 0 whatever the receivers answered.
    Deliver(WebhookDeliverArgs),
}

#[derive(Debug, Args)]
pub struct WebhookAddArgs {
    /// Where to POST: an http:// or https:// URL.
    pub url: String,
    /// The events to send: action.created, action.overdue, action.done,
    /// action.verified, review.approved, workshop.scheduled. Repeat the
    /// option, list several after it, or separate them with commas.
    #[arg(long = "event", value_name = "EVENT", num_args = 1..)]
    pub events: Vec<String>,
    /// The HMAC key (at least 16 characters); generated when not given.
    #[arg(long, env = "DEBRIEF_WEBHOOK_SECRET", hide_env_values = true)]
    pub secret: Option<String>,
    /// What receives it, who owns it.
    #[arg(long, default_value = "")]
    pub description: String,
    /// Print the subscription (with its secret) as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct WebhookListArgs {
    /// Print a JSON array.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct WebhookRemoveArgs {
    /// The subscription's id.
    pub id: String,
}

#[derive(Debug, Args)]
pub struct WebhookLogArgs {
    /// Only this subscription's deliveries.
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    /// Only deliveries in this state: pending, delivered or failed; repeatable.
    #[arg(long = "status", value_name = "STATUS")]
    pub statuses: Vec<String>,
    /// Deliveries to show (1–500).
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    /// Print a JSON array, each delivery with its attempts.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct WebhookDeliverArgs {
    /// Print the attempts as a JSON array.
    #[arg(long)]
    pub json: bool,
}

/// `field=Header` → `("field", "Header")`.
fn parse_mapping(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((field, header)) if !field.trim().is_empty() && !header.trim().is_empty() => {
            Ok((field.trim().to_owned(), header.trim().to_owned()))
        }
        _ => Err(format!("`{s}` is not FIELD=HEADER (for example at=Time)")),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn a_mapping_needs_both_sides() {
        assert_eq!(
            parse_mapping("at=Time").unwrap(),
            ("at".into(), "Time".into())
        );
        assert!(parse_mapping("at").is_err());
        assert!(parse_mapping("=Time").is_err());
    }
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Files to read (`-` for standard input).
    #[arg(value_name = "FILE", required_unless_present = "print_rules")]
    pub files: Vec<String>,
    /// Print the findings as a JSON array (file, line, column, rule,
    /// severity, message, why, suggestion, excerpt, start, end).
    #[arg(long)]
    pub json: bool,
    /// Use the rules of this JSON file (an array of rules) instead of the
    /// built-in ones; `--print-rules` shows the format.
    #[arg(long, value_name = "FILE.json")]
    pub rules: Option<String>,
    /// A person's name, so that "NAME deployed the broken config" is found;
    /// repeatable.
    #[arg(long = "name", value_name = "NAME")]
    pub names: Vec<String>,
    /// Read every input as Markdown, whatever its name (useful with `-`).
    #[arg(long)]
    pub markdown: bool,
    /// Print the rules in force (the built-in ones, or those of --rules) as
    /// JSON and exit: a starting point for your own rules file.
    #[arg(long)]
    pub print_rules: bool,
}

#[derive(Debug, Subcommand)]
pub enum LintRulesCommand {
    /// Print the rules in force as JSON (with --json, also their version).
    Show(LintRulesShowArgs),
    /// Replace the rules with a JSON array of rules (`-` for stdin).
    Set(LintRulesSetArgs),
}

#[derive(Debug, Args)]
pub struct LintRulesShowArgs {
    /// Print `{"rules": […], "version": N}` instead of the bare array.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct LintRulesSetArgs {
    /// A JSON array of rules, as `lint-rules show` prints them.
    pub file: String,
    /// The version you read (default: the current one).
    #[arg(long)]
    pub version: Option<i64>,
}
