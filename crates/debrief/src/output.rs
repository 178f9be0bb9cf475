//! How results look: the JSON documents of `--json` and the plain-text views
//! (tables, the incident sheet). Commands fetch; this module only renders, so
//! the JSON shape of an incident is defined once for `new`, `list`, `show` and
//! `edit` alike.

use std::fmt::Write as _;
use std::io::Write as _;

use debrief_app::bundle::BundleReport;
use debrief_app::import::ImportReport;
use debrief_app::incidents::IncidentView;
use debrief_core::timestamp::format_offset;
use debrief_core::{
    Durations, Incident, Lifecycle, LifecycleField, Precision, Taxonomy, TimelineEvent, Timestamp,
};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// Writes `text` to stdout. A closed pipe comes back as an error the caller
/// propagates; `exit` turns it into a quiet success, never a panic.
pub fn print(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// Pretty JSON with a trailing newline, the form every `--json` prints.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> String {
    // Serialising our own plain data structures cannot fail.
    serde_json::to_string_pretty(value).expect("output values serialise") + "\n"
}

/// A lifecycle timestamp as in the bundle: the canonical string when it reads
/// back with the same precision, `{"at", "precision"}` otherwise.
struct TimeJson(Timestamp);

impl Serialize for TimeJson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.to_canonical_string() {
            Some(text) => s.serialize_str(&text),
            None => {
                let mut map = s.serialize_map(Some(2))?;
                map.serialize_entry("at", &self.0.to_rfc3339())?;
                map.serialize_entry("precision", self.0.precision().as_str())?;
                map.end()
            }
        }
    }
}

/// All eight lifecycle fields, in lifecycle order, `null` when unknown.
struct TimestampsJson(Lifecycle);

impl Serialize for TimestampsJson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(LifecycleField::ALL.len()))?;
        for (field, value) in self.0.iter() {
            map.serialize_entry(field.as_str(), &value.map(TimeJson))?;
        }
        map.end()
    }
}

/// All seven derived durations by their §2 names, `null` when an end is unknown.
struct DurationsJson(Durations);

impl Serialize for DurationsJson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(7))?;
        for (name, value) in self.0.iter() {
            map.serialize_entry(name.as_str(), &value)?;
        }
        map.end()
    }
}

/// An incident as `--json` prints it.
#[derive(Serialize)]
struct IncidentJson<'a> {
    key: String,
    id: String,
    title: &'a str,
    summary: &'a str,
    category: &'a str,
    severity: &'static str,
    status: &'static str,
    services: &'a [String],
    business_units: &'a [String],
    tags: &'a [String],
    responders: &'a [String],
    timestamps: TimestampsJson,
    durations: DurationsJson,
    /// Only where it was counted (`show`, `new`, `edit`): a list would pay a
    /// query per incident for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    event_count: Option<u64>,
    version: i64,
    created_at: String,
    updated_at: String,
}

impl<'a> IncidentJson<'a> {
    fn new(incident: &'a Incident, durations: Durations, event_count: Option<u64>) -> Self {
        let f = &incident.fields;
        Self {
            key: incident.key.to_string(),
            id: incident.id.to_string(),
            title: &f.title,
            summary: &f.summary,
            category: &f.category,
            severity: f.severity.as_str(),
            status: incident.status().as_str(),
            services: &f.services,
            business_units: &f.business_units,
            tags: &f.tags,
            responders: &f.responders,
            timestamps: TimestampsJson(f.lifecycle),
            durations: DurationsJson(durations),
            event_count,
            version: incident.version,
            created_at: incident.created_at.to_string(),
            updated_at: incident.updated_at.to_string(),
        }
    }
}

/// One incident with durations and event count (`show --json`).
pub fn incident_view_json(view: &IncidentView) -> String {
    to_json(&IncidentJson::new(
        &view.incident,
        view.durations,
        Some(view.event_count),
    ))
}

/// The incident list (`list --json`): durations are derived on the spot, the
/// event count is left out.
pub fn incident_list_json(incidents: &[Incident]) -> String {
    let items: Vec<IncidentJson<'_>> = incidents
        .iter()
        .map(|i| IncidentJson::new(i, i.fields.lifecycle.durations(None), None))
        .collect();
    to_json(&items)
}

/// A timeline event as `--json` prints it.
#[derive(Serialize)]
struct EventJson<'a> {
    id: String,
    /// The canonical string, or RFC 3339 when it has none (hour precision).
    at: String,
    precision: &'static str,
    /// The offset the time was written with: `Z` or `+02:00`.
    offset: String,
    kind: &'static str,
    source: &'a str,
    actor: Option<&'a str>,
    text: &'a str,
    key: bool,
    tags: &'a [String],
    evidence_url: Option<&'a str>,
    hash: &'a str,
}

impl<'a> EventJson<'a> {
    fn new(e: &'a TimelineEvent) -> Self {
        let ev = &e.event;
        Self {
            id: e.id.to_string(),
            at: ev
                .at
                .to_canonical_string()
                .unwrap_or_else(|| ev.at.to_rfc3339()),
            precision: ev.at.precision().as_str(),
            offset: format_offset(ev.at.offset_seconds()),
            kind: ev.kind.as_str(),
            source: &ev.source,
            actor: ev.actor.as_deref(),
            text: &ev.text,
            key: ev.key,
            tags: &ev.tags,
            evidence_url: ev.evidence_url.as_deref(),
            hash: &e.hash,
        }
    }
}

pub fn events_json(events: &[TimelineEvent]) -> String {
    to_json(&events.iter().map(EventJson::new).collect::<Vec<_>>())
}

/// `timeline add --json`: the event, and whether this call added it.
pub fn added_event_json(event: &TimelineEvent, created: bool) -> String {
    #[derive(Serialize)]
    struct Added<'a> {
        created: bool,
        event: EventJson<'a>,
    }
    to_json(&Added {
        created,
        event: EventJson::new(event),
    })
}

/// A plain-text table: columns padded to their widest cell, the last one
/// left ragged so long titles do not drag trailing spaces along.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let header_row: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
    for row in std::iter::once(&header_row).chain(rows) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                let pad = widths[i] - cell.chars().count();
                line.push_str(cell);
                line.push_str(&" ".repeat(pad + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Multi-line text flattened for a table cell.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The `incident list` table.
pub fn incident_table(incidents: &[Incident]) -> String {
    let rows: Vec<Vec<String>> = incidents
        .iter()
        .map(|i| {
            let started = i.fields.lifecycle.get(LifecycleField::Started);
            vec![
                i.key.to_string(),
                i.fields.severity.as_str().to_owned(),
                i.status().as_str().to_owned(),
                started
                    .map(|t| t.to_rfc3339_or_date())
                    .unwrap_or_else(|| "-".into()),
                one_line(&i.fields.title),
            ]
        })
        .collect();
    table(&["KEY", "SEVERITY", "STATUS", "STARTED", "TITLE"], &rows)
}

/// The `timeline list` table: the id first, since `set-time --from-event` needs it.
pub fn event_table(events: &[TimelineEvent]) -> String {
    let rows: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            let ev = &e.event;
            vec![
                e.id.to_string(),
                human_time(ev.at),
                ev.kind.as_str().to_owned(),
                if ev.key { "*".into() } else { String::new() },
                ev.actor.clone().unwrap_or_else(|| "-".into()),
                one_line(&ev.text),
            ]
        })
        .collect();
    table(&["ID", "AT", "KIND", "KEY", "ACTOR", "TEXT"], &rows)
}

/// A timestamp for people: the value as written (with its offset) and, where
/// the text alone would not say it, its precision.
pub fn human_time(t: Timestamp) -> String {
    match (t.precision(), t.to_canonical_string()) {
        (_, Some(text)) => text,
        // A day written in a non-UTC zone: the date in that zone, and the zone.
        (Precision::Day, None) => {
            let rfc = t.to_rfc3339();
            format!(
                "{} (day, {})",
                &rfc[..10],
                format_offset(t.offset_seconds())
            )
        }
        (precision, None) => format!("{} ({precision})", t.to_rfc3339()),
    }
}

/// The `incident show` sheet: fields, lifecycle, durations.
pub fn incident_sheet(view: &IncidentView, taxonomy: &Taxonomy) -> String {
    let i = &view.incident;
    let f = &i.fields;
    let list = |items: &[String]| {
        if items.is_empty() {
            "-".to_owned()
        } else {
            items.join(", ")
        }
    };
    let mut out = String::new();
    let _ = writeln!(out, "{}  {}", i.key, f.title);
    let fields = [
        ("severity", f.severity.as_str().to_owned()),
        (
            "category",
            format!("{} ({})", taxonomy.label(&f.category), f.category),
        ),
        ("status", i.status().as_str().to_owned()),
        ("services", list(&f.services)),
        ("business units", list(&f.business_units)),
        ("tags", list(&f.tags)),
        ("responders", list(&f.responders)),
        ("events", view.event_count.to_string()),
        ("version", i.version.to_string()),
        ("created", i.created_at.to_string()),
        ("updated", i.updated_at.to_string()),
        ("id", i.id.to_string()),
    ];
    for (name, value) in fields {
        let _ = writeln!(out, "  {name:<15} {value}");
    }
    if !f.summary.is_empty() {
        out.push_str("\nSummary\n");
        for line in f.summary.lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
    out.push_str("\nLifecycle\n");
    for (field, value) in f.lifecycle.iter() {
        let text = match value {
            Some(t) => format!("{:<32} {} precision", human_time(t), t.precision()),
            None => "-".to_owned(),
        };
        let _ = writeln!(out, "  {:<15} {}", field.as_str(), text.trim_end());
    }
    out.push_str("\nDurations\n");
    for (name, value) in view.durations.iter() {
        let text = match value {
            Some(d) => format!("{:<12} {} precision", d.human(), d.precision),
            None => "-".to_owned(),
        };
        let _ = writeln!(
            out,
            "  {:<20} {:<30} {}",
            name.label(),
            text,
            name.definition()
        );
    }
    out
}

/// `timeline import`'s summary line.
pub fn import_report(key: &str, report: &ImportReport) -> String {
    format!(
        "{key}: read {} events, added {}, {} already present\n",
        report.read, report.added, report.duplicates
    )
}

/// `import` and `demo`'s summary.
pub fn bundle_report(report: &BundleReport) -> String {
    let mut out = format!(
        "{} incidents created, {} already here; {} events added, {} already present\n",
        report.incidents_created,
        report.incidents_existing,
        report.events_added,
        report.events_duplicate
    );
    if report.attachments_added > 0 {
        let _ = writeln!(
            out,
            "{} evidence attachments added, each SHA-256 checked",
            report.attachments_added
        );
    }
    if !report.keys.is_empty() {
        let _ = writeln!(out, "incidents: {}", report.keys.join(", "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    #[test]
    fn a_table_pads_every_column_but_the_last() {
        let text = table(
            &["KEY", "TITLE"],
            &[vec!["INC-2026-0001".into(), "Ransomware".into()]],
        );
        assert_eq!(text, "KEY            TITLE\nINC-2026-0001  Ransomware\n");
    }

    #[test]
    fn times_say_their_precision_when_the_text_does_not() {
        assert_eq!(human_time(t("2019-07-02")), "2019-07-02");
        assert_eq!(
            human_time(t("2019-07-02T13:42+02:00")),
            "2019-07-02T13:42+02:00"
        );
        assert_eq!(human_time(t("2019-07-02T13Z")), "2019-07-02T13:00Z (hour)");
        let paris = jiff::tz::TimeZone::get("Europe/Paris").unwrap();
        let day = Timestamp::parse_in_zone("2019-07-02", &paris).unwrap();
        assert_eq!(human_time(day), "2019-07-02 (day, +02:00)");
    }

    #[test]
    fn lifecycle_json_uses_the_bundle_forms() {
        let mut lifecycle = Lifecycle::default();
        lifecycle.set(LifecycleField::Started, Some(t("2019-07-02")));
        lifecycle.set(LifecycleField::Detected, Some(t("2019-07-02T13Z")));
        let json = serde_json::to_value(TimestampsJson(lifecycle)).unwrap();
        assert_eq!(json["started"], "2019-07-02");
        assert_eq!(json["detected"]["precision"], "hour");
        assert_eq!(json["detected"]["at"], "2019-07-02T13:00Z");
        assert!(json["closed"].is_null());
        assert_eq!(json.as_object().unwrap().len(), 8);
    }
}

/// One finding of `debrief lint` as `--json` prints it.
#[derive(Serialize)]
struct LintFindingJson<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    rule: &'a str,
    severity: &'static str,
    message: &'a str,
    why: &'a str,
    suggestion: &'a str,
    excerpt: &'a str,
    /// Byte offsets in the file, for editors.
    start: usize,
    end: usize,
}

/// The findings of `debrief lint --json`: one array for every file.
pub fn lint_json(findings: &[(String, debrief_core::lint::Finding)]) -> String {
    let items: Vec<LintFindingJson> = findings
        .iter()
        .map(|(file, f)| LintFindingJson {
            file,
            line: f.line,
            column: f.column,
            rule: &f.rule,
            severity: f.severity.as_str(),
            message: &f.message,
            why: &f.why,
            suggestion: &f.suggestion,
            excerpt: &f.excerpt,
            start: f.start,
            end: f.end,
        })
        .collect();
    to_json(&items)
}

/// The findings of `debrief lint` as compilers print theirs: the place, the
/// rule and the message with the words found, then the suggestion indented.
pub fn lint_text(findings: &[(String, debrief_core::lint::Finding)]) -> String {
    let mut out = String::new();
    for (file, f) in findings {
        // A span may run over a line break; one line reads better.
        let excerpt = f.excerpt.split_whitespace().collect::<Vec<_>>().join(" ");
        let _ = writeln!(
            out,
            "{file}:{}:{}: {}: {} (\"{excerpt}\")",
            f.line, f.column, f.rule, f.message
        );
        if !f.suggestion.is_empty() {
            let _ = writeln!(out, "    suggestion: {}", f.suggestion);
        }
    }
    out
}
