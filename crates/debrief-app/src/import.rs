//! Timeline imports from CSV (RFC 4180, columns mapped by header name) and
//! JSON Lines. Records stream through in batches inside one transaction: the
//! first bad record stops the import with its line and column, and nothing of
//! it is kept. Events already in the timeline (same content hash) are skipped,
//! so importing a file twice adds nothing the second time.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::str::FromStr;

use debrief_core::{FieldErrors, NewTimelineEvent, TimelineEventDraft, Timestamp};
use debrief_store::{AddedEvents, StoreTx};
use jiff::tz::TimeZone;
use uuid::Uuid;

use crate::line_limit::{LineLimit, line_too_long, too_long_message};
use crate::{App, AppError, ImportError};

/// Events written per batch inside the import's transaction.
pub const BATCH: usize = 2_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    Csv,
    JsonLines,
    Bundle,
}

impl ImportFormat {
    /// Guesses from a file name: `.csv`, `.jsonl`/`.ndjson`, `.json` (bundle).
    pub fn from_path(path: &str) -> Option<Self> {
        let lower = path.to_lowercase();
        if lower.ends_with(".csv") {
            Some(Self::Csv)
        } else if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
            Some(Self::JsonLines)
        } else if lower.ends_with(".json") {
            Some(Self::Bundle)
        } else {
            None
        }
    }
}

impl FromStr for ImportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "csv" => Ok(Self::Csv),
            "jsonl" | "ndjson" | "json-lines" => Ok(Self::JsonLines),
            "bundle" => Ok(Self::Bundle),
            other => Err(format!(
                "unknown format `{other}`; expected csv, jsonl or bundle"
            )),
        }
    }
}

/// How to read a timeline file.
#[derive(Debug, Clone)]
pub struct TimelineImportOptions {
    pub format: ImportFormat,
    /// The source recorded for events that name none (the import's name).
    pub source: String,
    /// CSV: `field → header` overrides of the default header names.
    pub mapping: Vec<(String, String)>,
    /// Read times without an offset in this zone; without it they are errors.
    pub zone: Option<TimeZone>,
}

impl TimelineImportOptions {
    pub fn new(format: ImportFormat) -> Self {
        Self {
            format,
            source: "import".into(),
            mapping: Vec::new(),
            zone: None,
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    /// Records read from the input.
    pub read: u64,
    pub added: u64,
    /// Records whose event was already in the timeline.
    pub duplicates: u64,
}

/// Called with the number of records read so far.
pub type Progress<'a> = &'a (dyn Fn(u64) + Send + Sync);

/// The CSV columns an event is read from, with the header names accepted for
/// each (case-insensitive). `--map field=Header` adds one.
const CSV_FIELDS: &[(&str, &[&str], bool)] = &[
    (
        "at",
        &["at", "time", "timestamp", "date", "datetime", "when"],
        true,
    ),
    ("kind", &["kind", "type"], true),
    (
        "text",
        &["text", "description", "message", "event", "summary"],
        true,
    ),
    ("precision", &["precision"], false),
    ("source", &["source"], false),
    ("actor", &["actor", "who", "user", "author"], false),
    (
        "evidence_url",
        &["evidence_url", "evidence", "url", "link"],
        false,
    ),
    ("tags", &["tags"], false),
    ("key", &["key", "key_event", "important"], false),
];

/// Column index (0-based) of each field in one CSV file.
struct CsvColumns {
    index: HashMap<&'static str, usize>,
    headers: Vec<String>,
}

impl CsvColumns {
    fn resolve(
        headers: &csv::StringRecord,
        mapping: &[(String, String)],
    ) -> Result<Self, ImportError> {
        let names: Vec<String> = headers
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_owned())
            .collect();
        let find = |wanted: &str| names.iter().position(|h| h.eq_ignore_ascii_case(wanted));
        let mut index = HashMap::new();
        for (field, header) in mapping {
            let Some((canonical, _, _)) = CSV_FIELDS.iter().find(|(f, _, _)| f == field) else {
                let known: Vec<&str> = CSV_FIELDS.iter().map(|(f, _, _)| *f).collect();
                return Err(ImportError::at_line(
                    1,
                    format!("cannot map `{field}`: the fields are {}", known.join(", ")),
                ));
            };
            let Some(i) = find(header) else {
                return Err(ImportError::at_line(
                    1,
                    format!(
                        "the mapping names column `{header}`, but the header has {}",
                        names.join(", ")
                    ),
                ));
            };
            index.insert(*canonical, i);
        }
        for (field, aliases, required) in CSV_FIELDS {
            if index.contains_key(field) {
                continue;
            }
            match aliases.iter().find_map(|a| find(a)) {
                Some(i) => {
                    index.insert(*field, i);
                }
                None if *required => {
                    return Err(ImportError {
                        line: 1,
                        column: None,
                        field: Some((*field).to_owned()),
                        message: format!(
                            "missing column `{field}` (accepted headers: {}); the header has {}. \
                             Map another column with --map {field}=HEADER",
                            aliases.join(", "),
                            names.join(", ")
                        ),
                    });
                }
                None => {}
            }
        }
        Ok(Self {
            index,
            headers: names,
        })
    }

    fn get<'r>(&self, record: &'r csv::StringRecord, field: &str) -> Option<&'r str> {
        self.index.get(field).and_then(|&i| record.get(i))
    }

    fn draft(&self, record: &csv::StringRecord) -> Result<TimelineEventDraft, (String, String)> {
        let key = match self.get(record, "key").map(str::trim).unwrap_or("") {
            "" | "0" | "false" | "no" | "n" => false,
            "1" | "true" | "yes" | "y" | "x" => true,
            other => {
                return Err((
                    "key".into(),
                    format!("`{other}` is not yes/no (true, false, 1, 0 …)"),
                ));
            }
        };
        let opt = |f: &str| {
            self.get(record, f)
                .map(str::to_owned)
                .filter(|s| !s.trim().is_empty())
        };
        Ok(TimelineEventDraft {
            at: self.get(record, "at").unwrap_or("").to_owned(),
            precision: opt("precision"),
            kind: self.get(record, "kind").unwrap_or("").trim().to_lowercase(),
            source: opt("source"),
            actor: opt("actor"),
            text: self.get(record, "text").unwrap_or("").to_owned(),
            evidence_url: opt("evidence_url"),
            tags: opt("tags")
                .map(|t| t.split([';', ',']).map(str::to_owned).collect())
                .unwrap_or_default(),
            key,
        })
    }

    /// Turns a field error into a located import error.
    fn locate(&self, line: u64, field: &str, message: String) -> ImportError {
        let column = self.index.get(field).copied();
        ImportError {
            line,
            column: column.map(|c| c as u64 + 1),
            field: Some(match column {
                Some(c) => format!("{field}, header `{}`", self.headers[c]),
                None => field.to_owned(),
            }),
            message,
        }
    }
}

fn first_field_error(errors: FieldErrors) -> (String, String) {
    let e = errors
        .0
        .into_iter()
        .next()
        .expect("validation failed with at least one error");
    (e.field, e.message)
}

fn io_error(line: u64, e: std::io::Error) -> ImportError {
    match line_too_long(&e) {
        Some(l) => ImportError::at_line(l, too_long_message(l)),
        None => ImportError::at_line(line, format!("cannot read the input: {e}")),
    }
}

impl App {
    /// Imports a timeline file into the incident `key`, all or nothing.
    pub async fn import_timeline<R: Read + Send>(
        &self,
        key: &str,
        input: R,
        options: &TimelineImportOptions,
        progress: Progress<'_>,
    ) -> Result<ImportReport, AppError> {
        let incident = self.incident(key).await?;
        let mut tx = self.store().begin().await?;
        let report = match options.format {
            ImportFormat::Csv => {
                self.import_csv(&mut *tx, incident.id, input, options, progress)
                    .await?
            }
            ImportFormat::JsonLines => {
                self.import_jsonl(&mut *tx, incident.id, input, options, progress)
                    .await?
            }
            ImportFormat::Bundle => {
                let bundle = crate::bundle::read_bundle(input)?;
                let events = crate::bundle::timeline_for(&bundle, &incident.key.to_string())?;
                let mut report = ImportReport {
                    read: events.len() as u64,
                    ..Default::default()
                };
                for chunk in events.chunks(BATCH) {
                    let added = tx.add_events(incident.id, chunk, self.now()).await?;
                    report.added += added.added;
                    report.duplicates += added.duplicates;
                }
                progress(report.read);
                report
            }
        };
        tx.commit().await?;
        Ok(report)
    }

    fn reader_for(
        &self,
        options: &TimelineImportOptions,
    ) -> impl Fn(&str) -> Result<Timestamp, debrief_core::TimestampError> {
        let zone = options.zone.clone();
        move |s: &str| match &zone {
            Some(z) => Timestamp::parse_in_zone(s, z),
            None => Timestamp::parse(s),
        }
    }

    async fn import_csv<R: Read + Send>(
        &self,
        tx: &mut dyn StoreTx,
        incident_id: Uuid,
        input: R,
        options: &TimelineImportOptions,
        progress: Progress<'_>,
    ) -> Result<ImportReport, AppError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(LineLimit::new(input));
        let headers = reader.headers().map_err(|e| csv_error(e, 1))?.clone();
        let columns = CsvColumns::resolve(&headers, &options.mapping)?;
        let read_time = self.reader_for(options);
        let mut batch = Vec::with_capacity(BATCH);
        let mut report = ImportReport::default();
        let mut record = csv::StringRecord::new();
        loop {
            let line_hint = reader.position().line();
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(csv_error(e, line_hint).into()),
            }
            let line = record.position().map(|p| p.line()).unwrap_or(line_hint);
            let draft = columns
                .draft(&record)
                .map_err(|(f, m)| columns.locate(line, &f, m))?;
            let event = draft
                .validate_with(&options.source, &read_time)
                .map_err(|e| {
                    let (f, m) = first_field_error(e);
                    columns.locate(line, &f, m)
                })?;
            batch.push(event);
            report.read += 1;
            if batch.len() == BATCH {
                self.flush(tx, incident_id, &mut batch, &mut report).await?;
                progress(report.read);
            }
        }
        self.flush(tx, incident_id, &mut batch, &mut report).await?;
        progress(report.read);
        Ok(report)
    }

    async fn import_jsonl<R: Read + Send>(
        &self,
        tx: &mut dyn StoreTx,
        incident_id: Uuid,
        input: R,
        options: &TimelineImportOptions,
        progress: Progress<'_>,
    ) -> Result<ImportReport, AppError> {
        let mut reader = BufReader::with_capacity(64 * 1024, LineLimit::new(input));
        let read_time = self.reader_for(options);
        let mut batch = Vec::with_capacity(BATCH);
        let mut report = ImportReport::default();
        let mut buf = String::new();
        let mut line = 0u64;
        loop {
            buf.clear();
            line += 1;
            let n = reader.read_line(&mut buf).map_err(|e| io_error(line, e))?;
            if n == 0 {
                break;
            }
            let text = buf.trim();
            if text.is_empty() {
                continue;
            }
            let draft: TimelineEventDraft =
                serde_json::from_str(text).map_err(|e| ImportError {
                    line,
                    column: Some(e.column() as u64),
                    field: None,
                    message: json_message(&e),
                })?;
            let event = draft
                .validate_with(&options.source, &read_time)
                .map_err(|e| {
                    let (f, m) = first_field_error(e);
                    ImportError {
                        line,
                        column: None,
                        field: Some(f),
                        message: m,
                    }
                })?;
            batch.push(event);
            report.read += 1;
            if batch.len() == BATCH {
                self.flush(tx, incident_id, &mut batch, &mut report).await?;
                progress(report.read);
            }
        }
        self.flush(tx, incident_id, &mut batch, &mut report).await?;
        progress(report.read);
        Ok(report)
    }

    async fn flush(
        &self,
        tx: &mut dyn StoreTx,
        incident_id: Uuid,
        batch: &mut Vec<NewTimelineEvent>,
        report: &mut ImportReport,
    ) -> Result<(), AppError> {
        if batch.is_empty() {
            return Ok(());
        }
        let AddedEvents { added, duplicates } =
            tx.add_events(incident_id, batch, self.now()).await?;
        report.added += added;
        report.duplicates += duplicates;
        batch.clear();
        Ok(())
    }
}

/// serde_json's message without its own "at line 1 column 5" suffix (the
/// import error carries the location).
pub(crate) fn json_message(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    let msg = match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg,
    };
    match e.classify() {
        serde_json::error::Category::Eof => format!("{msg} (the record is truncated)"),
        _ => msg,
    }
}

fn csv_error(e: csv::Error, line_hint: u64) -> ImportError {
    let line = e.position().map(|p| p.line()).unwrap_or(line_hint.max(1));
    match e.kind() {
        csv::ErrorKind::Io(io) => match line_too_long(io) {
            Some(l) => ImportError::at_line(l, too_long_message(l)),
            None => ImportError::at_line(line, format!("cannot read the input: {io}")),
        },
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => ImportError::at_line(
            line,
            format!("this row has {len} fields but the header has {expected_len}"),
        ),
        csv::ErrorKind::Utf8 { err, .. } => ImportError {
            line,
            column: Some(err.field() as u64 + 1),
            field: None,
            message: "the text is not valid UTF-8; save the file as UTF-8".into(),
        },
        _ => ImportError::at_line(line, e.to_string()),
    }
}
