//! `debrief lint`: the blameless-language linter on files and standard
//! input, for people and CI. It needs no database and opens none.

use std::io::Read as _;

use anyhow::Context as _;
use debrief_app::AppError;
use debrief_app::lint::{is_markdown_path, lint_document, rules_from_json};
use debrief_core::lint::{Finding, LintContext, RuleSet};

use super::invalid;
use crate::cli::LintArgs;
use crate::exit::FindingsFound;
use crate::output;

/// What standard input is called in findings.
const STDIN_NAME: &str = "<stdin>";

/// Lints every input; fails with [`FindingsFound`] (exit 1) when anything was
/// found. Every input is read before anything is printed, so an unreadable
/// file (exit 3) never leaves half a report.
pub fn run(args: &LintArgs) -> anyhow::Result<()> {
    let rules = match &args.rules {
        Some(path) => {
            let json = std::fs::read_to_string(path)
                .map_err(|e| invalid("rules", format!("cannot read `{path}`: {e}")))?;
            rules_from_json(&json).map_err(AppError::Invalid)?
        }
        None => RuleSet::builtin(),
    };
    if args.print_rules {
        output::print(&output::to_json(rules.rules()))?;
        return Ok(());
    }
    let names = args
        .names
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty());
    let ctx = LintContext::with_names(names);

    let mut inputs = Vec::with_capacity(args.files.len());
    for path in &args.files {
        let (name, text) = read_input(path)?;
        inputs.push((name, text, args.markdown || is_markdown_path(path)));
    }
    let findings: Vec<(String, Finding)> = inputs
        .iter()
        .flat_map(|(name, text, markdown)| {
            lint_document(text, *markdown, &rules, &ctx)
                .into_iter()
                .map(move |f| (name.clone(), f))
        })
        .collect();

    if args.json {
        output::print(&output::lint_json(&findings))?;
    } else if !findings.is_empty() {
        output::print(&output::lint_text(&findings))?;
        let files = {
            let mut names: Vec<&str> = findings.iter().map(|(n, _)| n.as_str()).collect();
            names.dedup();
            names.len()
        };
        eprintln!(
            "{} finding{} in {files} file{}",
            findings.len(),
            if findings.len() == 1 { "" } else { "s" },
            if files == 1 { "" } else { "s" }
        );
    }
    if findings.is_empty() {
        Ok(())
    } else {
        Err(FindingsFound(findings.len()).into())
    }
}

/// A file's text, or standard input's for `-`. Unreadable or not UTF-8 is
/// the caller's mistake (exit 3), reported under `file`.
fn read_input(path: &str) -> anyhow::Result<(String, String)> {
    let (name, bytes) = if path == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
        (STDIN_NAME.to_owned(), bytes)
    } else {
        let bytes = std::fs::read(path)
            .map_err(|e| invalid("file", format!("cannot read `{path}`: {e}")))?;
        (path.to_owned(), bytes)
    };
    let text = String::from_utf8(bytes)
        .map_err(|_| invalid("file", format!("`{name}` is not UTF-8 text")))?;
    Ok((name, text))
}
