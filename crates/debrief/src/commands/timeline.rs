//! `debrief timeline add|list|import`.

use std::io::Write as _;
use std::path::Path;

use debrief_app::import::{ImportFormat, TimelineImportOptions};
use debrief_app::{App, AppError};
use debrief_core::timeline::SOURCE_MAX;
use debrief_core::{EventKind, FieldErrors, TimelineEventDraft};
use debrief_store::EventFilter;

use super::{invalid, open_input, parse_each, parse_zone};
use crate::cli::{AddEventArgs, ImportTimelineArgs, ListEventsArgs};
use crate::exit::UsageError;
use crate::output;
use crate::progress::Progress;

pub async fn add(app: &App, args: AddEventArgs) -> anyhow::Result<()> {
    let zone = parse_zone(args.zone.as_deref())?;
    let draft = TimelineEventDraft {
        at: args.at,
        precision: args.precision,
        kind: args.kind,
        source: args.source,
        actor: args.actor,
        text: args.text,
        evidence_url: args.evidence_url,
        tags: args.tags,
        key: args.key_event,
    };
    let added = app.add_event(&args.key, &draft, zone.as_ref()).await?;
    if args.json {
        output::print(&output::added_event_json(&added.event, added.created))?;
    } else {
        let e = &added.event;
        let what = format!("{} at {}", e.event.kind, output::human_time(e.event.at));
        if added.created {
            output::print(&format!("added event {} ({what}) to {}\n", e.id, args.key))?;
        } else {
            output::print(&format!(
                "already present: event {} ({what}) has the same content; nothing added\n",
                e.id
            ))?;
        }
    }
    Ok(())
}

pub async fn list(app: &App, args: ListEventsArgs) -> anyhow::Result<()> {
    let mut errors = FieldErrors::default();
    let filter = EventFilter {
        kinds: parse_each(&args.kinds, "kind", |k| k.parse::<EventKind>(), &mut errors),
        key_only: args.key_only,
        actor: args.actor.clone().filter(|a| !a.trim().is_empty()),
    };
    errors.into_result(()).map_err(AppError::Invalid)?;
    let events = app.events(&args.key, &filter).await?;
    if args.json {
        output::print(&output::events_json(&events))?;
    } else if events.is_empty() {
        let _ = writeln!(std::io::stderr(), "{}: no timeline events match", args.key);
    } else {
        output::print(&output::event_table(&events))?;
    }
    Ok(())
}

pub async fn import(app: &App, args: ImportTimelineArgs) -> anyhow::Result<()> {
    let format = match &args.format {
        Some(f) => f
            .parse::<ImportFormat>()
            .map_err(|m| invalid("format", m))?,
        None if args.file == "-" => {
            return Err(UsageError(
                "reading standard input needs --format csv, jsonl or bundle".into(),
            )
            .into());
        }
        None => ImportFormat::from_path(&args.file).ok_or_else(|| {
            UsageError(format!(
                "cannot tell the format of `{}` from its extension (.csv, .jsonl, .ndjson, .json); \
                 pass --format csv, jsonl or bundle",
                args.file
            ))
        })?,
    };
    let mut options = TimelineImportOptions::new(format);
    if let Some(source) = args.source.clone().or_else(|| default_source(&args.file)) {
        options.source = source;
    }
    options.mapping = args.mapping.clone();
    options.zone = parse_zone(args.zone.as_deref())?;
    let input = open_input(&args.file)?;
    let progress = Progress::start("events");
    let report = app
        .import_timeline(&args.key, input, &options, &|read| progress.update(read))
        .await?;
    progress.finish();
    if args.json {
        output::print(&output::to_json(&report))?;
    } else {
        output::print(&output::import_report(&args.key, &report))?;
    }
    Ok(())
}

/// The file's name without its extension (`siem-export.csv` → `siem-export`),
/// the natural name of where the events came from. Shortened to what a source
/// may hold, so a long file name does not fail every row.
fn default_source(file: &str) -> Option<String> {
    if file == "-" {
        return None;
    }
    let stem = Path::new(file).file_stem()?.to_string_lossy();
    let stem: String = stem.trim().chars().take(SOURCE_MAX).collect();
    (!stem.is_empty()).then_some(stem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_source_is_the_file_name_without_extension() {
        assert_eq!(
            default_source("exports/siem-export.csv").as_deref(),
            Some("siem-export")
        );
        assert_eq!(default_source("-"), None);
        assert_eq!(
            default_source(&format!("{}.csv", "x".repeat(100)))
                .unwrap()
                .len(),
            SOURCE_MAX
        );
    }
}
