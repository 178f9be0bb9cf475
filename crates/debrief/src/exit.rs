//! Exit codes, and how a failure is told on stderr. Scripts branch on these
//! codes, so they are part of the interface and listed in `debrief --help`:
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | unexpected or internal failure (database unreachable, I/O error) |
//! | 2 | usage: unknown command or option, missing argument (clap's own code) |
//! | 3 | invalid input ([`AppError::Invalid`], [`AppError::Import`]); nothing was saved |
//! | 4 | not found ([`AppError::NotFound`]) |
//! | 5 | conflict ([`AppError::Conflict`], [`AppError::NotAllowed`], [`AppError::Forbidden`]): a stale `--version`, a key already taken, a workflow step not allowed now |
//! | 6 | integrity: `debrief audit verify` found a broken link in the audit chain ([`AUDIT_BROKEN`]), or an evidence attachment no longer matches its SHA-256 ([`AppError::Integrity`]) |
//!
//! `debrief lint` is the exception, as compilers and linters are: 1 means it
//! found something ([`FindingsFound`]), 0 that the text is clean.
//!
//! Messages start with `error: `; field problems follow one per line, indented,
//! so that a person reads them as a list and a script can grep one field.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

use debrief_app::AppError;

pub const SUCCESS: u8 = 0;
pub const INTERNAL: u8 = 1;
/// Also what clap exits with on a malformed command line.
pub const USAGE: u8 = 2;
pub const INVALID_INPUT: u8 = 3;
pub const NOT_FOUND: u8 = 4;
/// Integrity lost: `debrief audit verify` found the hash chain broken, or
/// an attachment's bytes no longer match their recorded SHA-256.
pub const AUDIT_BROKEN: u8 = 6;

/// `debrief audit verify` found the first entry whose link does not hold.
#[derive(Debug)]
pub struct AuditBroken {
    pub seq: i64,
    pub reason: String,
}

impl std::fmt::Display for AuditBroken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the audit chain is broken at entry {}: {}",
            self.seq, self.reason
        )
    }
}

impl std::error::Error for AuditBroken {}
pub const CONFLICT: u8 = 5;
/// `debrief lint` found blaming language.
pub const FINDINGS: u8 = 1;

/// A usage problem only visible after parsing (e.g. reading standard input
/// without `--format`): same exit code as clap's own usage errors.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// `debrief lint` found something. The findings were the output, so nothing
/// more is said on stderr; the exit code tells scripts.
#[derive(Debug)]
pub struct FindingsFound(pub usize);

impl std::fmt::Display for FindingsFound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} finding(s)", self.0)
    }
}

impl std::error::Error for FindingsFound {}

/// The exit code and the stderr text for a failed command.
pub fn describe(error: &anyhow::Error) -> (u8, String) {
    if is_broken_pipe(error) {
        // The reader of our output went away (`debrief incident list | head`):
        // it got what it wanted, which is not a failure worth a message.
        return (SUCCESS, String::new());
    }
    if error.downcast_ref::<FindingsFound>().is_some() {
        return (FINDINGS, String::new());
    }
    if let Some(broken) = error.chain().find_map(|e| e.downcast_ref::<AuditBroken>()) {
        return (AUDIT_BROKEN, format!("error: {broken}\n"));
    }
    if let Some(usage) = error.chain().find_map(|e| e.downcast_ref::<UsageError>()) {
        return (USAGE, format!("error: {usage}\n"));
    }
    let Some(app) = error.chain().find_map(|e| e.downcast_ref::<AppError>()) else {
        return (INTERNAL, format!("error: {}\n", chain_message(error)));
    };
    match app {
        AppError::Invalid(fields) => {
            let mut text = String::from("error: invalid input\n");
            for e in fields.iter() {
                let _ = writeln!(text, "  {}: {}", e.field, e.message);
            }
            (INVALID_INPUT, text)
        }
        AppError::Import(e) => (INVALID_INPUT, format!("error: {e}\n")),
        AppError::NotFound(message) => (NOT_FOUND, format!("error: {message}\n")),
        AppError::Conflict { message, .. } => (CONFLICT, format!("error: {message}\n")),
        AppError::NotAllowed(message) | AppError::Forbidden(message) => {
            (CONFLICT, format!("error: {message}\n"))
        }
        AppError::Integrity(message) => (AUDIT_BROKEN, format!("error: {message}\n")),
        AppError::Store(e) => (INTERNAL, format!("error: {e}\n")),
    }
}

/// Prints the failure to stderr and gives the process its exit code.
pub fn report(error: &anyhow::Error) -> ExitCode {
    let (code, text) = describe(error);
    // If stderr itself is gone there is nobody left to tell.
    let _ = std::io::stderr().write_all(text.as_bytes());
    ExitCode::from(code)
}

/// The error and its causes joined with `: `, leaving out a cause whose text
/// its parent already quoted (wrapped library errors often repeat their source).
fn chain_message(error: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if out.ends_with(&text) || out.contains(&format!(": {text}")) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .chain()
        .filter_map(|e| e.downcast_ref::<std::io::Error>())
        .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}

#[cfg(test)]
mod tests {
    use debrief_core::{FieldError, FieldErrors};

    use super::*;

    #[test]
    fn each_field_problem_gets_its_own_line() {
        let mut errors = FieldErrors::from(FieldError::new("severity", "unknown severity `x`"));
        errors.push("title", "a title is required");
        let (code, text) = describe(&anyhow::Error::new(AppError::Invalid(errors)));
        assert_eq!(code, INVALID_INPUT);
        assert_eq!(
            text,
            "error: invalid input\n  severity: unknown severity `x`\n  title: a title is required\n"
        );
    }

    #[test]
    fn an_app_error_keeps_its_code_under_added_context() {
        let error = anyhow::Error::new(AppError::NotFound(
            "incident INC-2026-0009 was not found".into(),
        ))
        .context("while exporting");
        assert_eq!(describe(&error).0, NOT_FOUND);
    }

    #[test]
    fn a_cause_already_quoted_by_its_parent_is_not_repeated() {
        let error = anyhow::anyhow!("pool timed out")
            .context("database error: pool timed out")
            .context("cannot open the database debrief.db");
        assert_eq!(
            describe(&error).1,
            "error: cannot open the database debrief.db: database error: pool timed out\n"
        );
    }

    #[test]
    fn lint_findings_exit_with_1_and_nothing_on_stderr() {
        let (code, text) = describe(&anyhow::Error::new(FindingsFound(3)));
        assert_eq!((code, text.as_str()), (FINDINGS, ""));
    }

    #[test]
    fn anything_else_is_an_internal_failure() {
        assert_eq!(describe(&anyhow::anyhow!("disk full")).0, INTERNAL);
    }
}
