//! What each subcommand does: open the database, call the use cases of
//! `debrief-app`, render with `output`. One file per area; the helpers every
//! area needs (opening inputs, reading a zone) live here.

mod account;
mod action;
mod attachment;
mod bundle;
mod documents;
mod incident;
mod learning;
mod lint;
mod review;
mod server;
mod timeline;
mod webhook;
mod workshop;

use std::io::Read;
use std::sync::Arc;

use anyhow::Context as _;
use debrief_app::{App, AppError, Clock, FixedClock, Settings, SystemClock};
use debrief_core::{FieldError, FieldErrors};
use debrief_store::SqlStore;
use jiff::tz::TimeZone;

use crate::cli::{
    ActionCommand, AttachmentCommand, AuditCommand, Cli, Command, DocumentCommand, HolidayCommand,
    IncidentCommand, LessonCommand, LintRulesCommand, PersonCommand, RateCommand, ReviewCommand,
    TemplateCommand, TimelineCommand, TokenCommand, UserCommand, WebhookCommand, WorkshopCommand,
};

/// Runs the parsed command line to completion.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    // Linting reads files, not the database: it must work (in CI, on a
    // laptop) where no database is, and must not create one.
    let command = match cli.command {
        Command::Lint(args) => return lint::run(&args),
        command => command,
    };
    if matches!(command, Command::Serve(_)) {
        // Only the long-running server logs; one-shot commands speak through
        // their output and exit code.
        server::init_tracing();
    }
    let store = open_store(&cli.database).await?;
    let clock: Arc<dyn Clock> = match cli.now {
        Some(now) => Arc::new(FixedClock(now)),
        None => Arc::new(SystemClock),
    };
    let settings = Settings {
        reporting_currency: debrief_core::Currency::from_code(&cli.reporting_currency)
            .map_err(|e| anyhow::Error::new(invalid("reporting_currency", e.to_string())))?,
        time_zone: TimeZone::get(cli.time_zone.trim()).map_err(|e| {
            anyhow::Error::new(invalid(
                "time_zone",
                format!(
                    "`{}` is not an IANA time zone like Europe/Paris: {e}",
                    cli.time_zone
                ),
            ))
        })?,
        priority_policy: debrief_core::PriorityPolicy::parse(&cli.priority_thresholds)
            .map_err(|m| anyhow::Error::new(invalid("priority_thresholds", m)))?,
        password_cost: if cli.insecure_fast_password_hashing {
            debrief_app::PasswordCost::FastForTests
        } else {
            debrief_app::PasswordCost::Standard
        },
        secure_cookies: matches!(&command, Command::Serve(a) if a.secure_cookies),
        max_attachment_bytes: cli.max_attachment_bytes,
        ..Settings::default()
    };
    let actor = cli
        .actor
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .filter(|a| !a.trim().is_empty())
        .unwrap_or_else(|| "anonymous".into());
    let app = App::new(Arc::new(store.clone()), clock, settings);
    // Every change a command makes is audited under its actor and name.
    let context = debrief_store::AuditContext::new(actor.clone(), command_path());
    let result = debrief_store::with_audit_context(context, async {
        match command {
            Command::Serve(args) => server::serve(app, args).await,
            Command::Demo => bundle::demo(&app).await,
            Command::Migrate => server::migrate(&cli.database),
            Command::Incident(c) => match c {
                IncidentCommand::New(args) => incident::new(&app, args).await,
                IncidentCommand::List(args) => incident::list(&app, args).await,
                IncidentCommand::Show(args) => incident::show(&app, args).await,
                IncidentCommand::Edit(args) => incident::edit(&app, args).await,
                IncidentCommand::SetTime(args) => incident::set_time(&app, args).await,
            },
            Command::Timeline(c) => match c {
                TimelineCommand::Add(args) => timeline::add(&app, args).await,
                TimelineCommand::List(args) => timeline::list(&app, args).await,
                TimelineCommand::Import(args) => timeline::import(&app, args).await,
                TimelineCommand::Attach(args) => attachment::attach(&app, args, &actor).await,
                TimelineCommand::Attachments(args) => attachment::list(&app, args, &actor).await,
            },
            Command::Attachment(c) => match c {
                AttachmentCommand::Get(args) => attachment::get(&app, args, &actor).await,
                AttachmentCommand::Verify(args) => attachment::verify(&app, args, &actor).await,
                AttachmentCommand::Custody(args) => attachment::custody(&app, args, &actor).await,
            },
            Command::Export(args) => bundle::export(&app, args).await,
            Command::Review(c) => match c {
                ReviewCommand::Show(args) => review::show(&app, args).await,
                ReviewCommand::Open(args) => review::open(&app, args, &actor).await,
                ReviewCommand::Change(args) => review::change(&app, args, &actor).await,
                ReviewCommand::Total(args) => review::total(&app, args).await,
                ReviewCommand::Findings(args) => review::findings(&app, args).await,
                ReviewCommand::Policy(args) => documents::review_policy(&app, args).await,
            },
            Command::Action(c) => match c {
                ActionCommand::New(args) => action::new(&app, args, &actor).await,
                ActionCommand::List(args) => action::list(&app, args).await,
                ActionCommand::Show(args) => action::show(&app, args).await,
                ActionCommand::Update(args) => action::update(&app, args, &actor).await,
                ActionCommand::Verify(args) => action::verify(&app, args, &actor).await,
                ActionCommand::Export(args) => action::export(&app, args).await,
                ActionCommand::FollowUp(args) => action::follow_up(&app, args, &actor).await,
                ActionCommand::NotifyOverdue => action::notify_overdue(&app).await,
            },
            Command::LintRules(c) => match c {
                LintRulesCommand::Show(args) => review::lint_rules_show(&app, args).await,
                LintRulesCommand::Set(args) => review::lint_rules_set(&app, args).await,
            },
            Command::Person(c) => match c {
                PersonCommand::Add(args) => action::person_add(&app, args).await,
                PersonCommand::List(args) => action::person_list(&app, args).await,
            },
            Command::Document(c) => match c {
                DocumentCommand::Add(args) => documents::add(&app, args).await,
                DocumentCommand::List(args) => documents::list(&app, args).await,
                DocumentCommand::Show(args) => documents::show(&app, args).await,
                DocumentCommand::Update(args) => documents::update(&app, args).await,
            },
            Command::Lesson(c) => match c {
                LessonCommand::Link(args) => documents::link(&app, args).await,
                LessonCommand::Done(args) => documents::done(&app, args).await,
                LessonCommand::Links(args) => documents::links(&app, args).await,
                LessonCommand::Unhomed(args) => documents::unhomed(&app, args).await,
            },
            Command::Workshop(c) => match c {
                WorkshopCommand::New(args) => workshop::new(&app, args, &actor).await,
                WorkshopCommand::List(args) => workshop::list(&app, args).await,
                WorkshopCommand::Show(args) => workshop::show(&app, args).await,
                WorkshopCommand::Attend(args) => workshop::attend(&app, args, &actor).await,
                WorkshopCommand::Note(args) => workshop::note(&app, args, &actor).await,
                WorkshopCommand::Held(args) => workshop::held(&app, args, &actor).await,
                WorkshopCommand::Cancel(args) => workshop::cancel(&app, args, &actor).await,
                WorkshopCommand::Ics(args) => workshop::ics(&app, args).await,
                WorkshopCommand::Minutes(args) => workshop::minutes(&app, args).await,
            },
            Command::User(c) => match c {
                UserCommand::Add(args) => account::user_add(&app, args, &actor).await,
                UserCommand::List(args) => account::user_list(&app, args, &actor).await,
                UserCommand::SetRole(args) => account::user_set_role(&app, args, &actor).await,
                UserCommand::Deactivate(args) => account::user_deactivate(&app, args, &actor).await,
            },
            Command::Token(c) => match c {
                TokenCommand::Create(args) => account::token_create(&app, args, &actor).await,
                TokenCommand::List(args) => account::token_list(&app, args, &actor).await,
                TokenCommand::Revoke(args) => account::token_revoke(&app, args, &actor).await,
            },
            Command::Audit(c) => match c {
                AuditCommand::Verify => account::audit_verify(&app).await,
                AuditCommand::List(args) => account::audit_list(&app, args, &actor).await,
            },
            Command::Holiday(c) => match c {
                HolidayCommand::Add(args) => workshop::holiday_add(&app, args).await,
                HolidayCommand::List(args) => workshop::holiday_list(&app, args).await,
                HolidayCommand::Delete(args) => workshop::holiday_delete(&app, args).await,
            },
            Command::Report(args) => review::report(&app, args).await,
            Command::Search(args) => learning::search(&app, args).await,
            Command::Kpi(args) => learning::kpi(&app, args).await,
            Command::Template(c) => match c {
                TemplateCommand::List(args) => review::template_list(&app, args).await,
                TemplateCommand::Set(args) => review::template_set(&app, args).await,
            },
            Command::Rate(c) => match c {
                RateCommand::Add(args) => review::rate_add(&app, args).await,
                RateCommand::List(args) => review::rate_list(&app, args).await,
                RateCommand::Delete(args) => review::rate_delete(&app, args).await,
            },
            Command::Import(args) => bundle::import(&app, args).await,
            Command::Webhook(c) => match c {
                WebhookCommand::Add(args) => webhook::add(&app, args).await,
                WebhookCommand::List(args) => webhook::list(&app, args).await,
                WebhookCommand::Remove(args) => webhook::remove(&app, args).await,
                WebhookCommand::Log(args) => webhook::log(&app, args).await,
                WebhookCommand::Deliver(args) => webhook::deliver(&app, args).await,
            },
            Command::Lint(args) => lint::run(&args),
        }
    })
    .await;
    // Closing lets SQLite checkpoint its write-ahead log before the process ends.
    store.close().await;
    result
}

/// `cli: debrief incident edit`: the subcommands of this run's command line
/// (without their arguments), for the audit log's "via".
fn command_path() -> String {
    use clap::CommandFactory;
    let mut path = "cli: debrief".to_owned();
    if let Ok(matches) = Cli::command().try_get_matches_from(std::env::args_os()) {
        let mut current = &matches;
        while let Some((name, sub)) = current.subcommand() {
            path.push(' ');
            path.push_str(name);
            current = sub;
        }
    }
    path
}

/// Opens (creating and migrating when needed) the database the URL names.
async fn open_store(url: &str) -> anyhow::Result<SqlStore> {
    debrief_store::open(url)
        .await
        .with_context(|| format!("cannot open the database {}", redact(url)))
}

/// The URL with its password (if any) replaced, fit for messages: secrets
/// never appear in output or logs (§14).
pub fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let authority_end = url[scheme_end..]
        .find('/')
        .map_or(url.len(), |i| i + scheme_end);
    let authority = &url[scheme_end..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_owned();
    };
    let user_info = &authority[..at];
    match user_info.split_once(':') {
        Some((user, _password)) => {
            format!(
                "{}{user}:***{}",
                &url[..scheme_end],
                &url[scheme_end + at..]
            )
        }
        None => url.to_owned(),
    }
}

/// An input file, or standard input for `-`. A file that cannot be opened is
/// the caller's mistake (exit 3), reported under the name `file`.
fn open_input(path: &str) -> Result<Box<dyn Read + Send>, AppError> {
    if path == "-" {
        return Ok(Box::new(std::io::stdin()));
    }
    std::fs::File::open(path)
        .map(|f| Box::new(f) as Box<dyn Read + Send>)
        .map_err(|e| invalid("file", format!("cannot read `{path}`: {e}")))
}

/// `--zone Europe/Paris` → the zone; an unknown name is invalid input.
fn parse_zone(name: Option<&str>) -> Result<Option<TimeZone>, AppError> {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        None => Ok(None),
        Some(n) => TimeZone::get(n).map(Some).map_err(|e| {
            invalid(
                "zone",
                format!("`{n}` is not an IANA time zone like Europe/Paris: {e}"),
            )
        }),
    }
}

/// One field problem as an application error, so the CLI's own checks report
/// and exit exactly like the use cases' validation.
fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::Invalid(FieldErrors::from(FieldError::new(field, message)))
}

/// Parses every value with `parse`, adding each problem to `errors` under
/// `field`, so that one run reports every bad option at once.
fn parse_each<T>(
    values: &[String],
    field: &str,
    parse: impl Fn(&str) -> Result<T, String>,
    errors: &mut FieldErrors,
) -> Vec<T> {
    values
        .iter()
        .filter_map(|v| parse(v.trim()).map_err(|m| errors.push(field, m)).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_in_the_database_url_is_hidden() {
        assert_eq!(
            redact("postgres://app:s3cret@db:5432/debrief"),
            "postgres://app:***@db:5432/debrief"
        );
        assert_eq!(
            redact("postgres://app@db/debrief"),
            "postgres://app@db/debrief"
        );
        assert_eq!(redact("debrief.db"), "debrief.db");
        assert_eq!(redact("sqlite:data/debrief.db"), "sqlite:data/debrief.db");
    }

    #[test]
    fn an_unknown_zone_is_invalid_input() {
        assert!(parse_zone(Some("Europe/Paris")).unwrap().is_some());
        assert!(parse_zone(None).unwrap().is_none());
        assert!(matches!(
            parse_zone(Some("Mars/Olympus")),
            Err(AppError::Invalid(_))
        ));
    }
}
