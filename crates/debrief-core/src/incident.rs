//! Incidents (PRODUCT.md §2): their fields, the taxonomy, severities, keys and
//! the validated input that turns a draft into something storable.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::field_error::FieldErrors;
use crate::lifecycle::{Lifecycle, LifecycleField, Status};
use crate::timestamp::Timestamp;

/// How bad an incident is. Ordered from worst to least.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
}

impl Severity {
    pub const ALL: [Severity; 4] = [Self::Critical, Self::High, Self::Medium, Self::Low];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Critical => "critical",
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
        }
    }
    /// Sort rank: 0 is the most severe.
    pub fn rank(self) -> i32 {
        self as i32
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                format!("unknown severity `{s}`; expected one of critical, high, medium, low")
            })
    }
}

/// One entry of the category taxonomy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryEntry {
    pub slug: String,
    pub label: String,
}

/// The incident categories an organisation uses (§2: configurable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Taxonomy {
    entries: Vec<CategoryEntry>,
}

/// The default taxonomy of §2.
pub const DEFAULT_CATEGORIES: &[(&str, &str)] = &[
    ("malware", "Malware"),
    ("ransomware", "Ransomware"),
    ("phishing", "Phishing"),
    ("unauthorised_access", "Unauthorised access"),
    ("data_breach", "Data breach"),
    ("denial_of_service", "Denial of service"),
    ("insider_misuse", "Insider misuse"),
    ("misconfiguration", "Misconfiguration"),
    ("vulnerability_exploitation", "Vulnerability exploitation"),
    ("third_party", "Third party / supply chain"),
    ("physical", "Physical"),
    ("availability", "Availability / outage"),
    ("other", "Other"),
];

impl Default for Taxonomy {
    fn default() -> Self {
        Self {
            entries: DEFAULT_CATEGORIES
                .iter()
                .map(|(slug, label)| CategoryEntry {
                    slug: (*slug).into(),
                    label: (*label).into(),
                })
                .collect(),
        }
    }
}

impl Taxonomy {
    pub fn entries(&self) -> &[CategoryEntry] {
        &self.entries
    }
    pub fn label<'a>(&'a self, slug: &'a str) -> &'a str {
        self.entries
            .iter()
            .find(|e| e.slug == slug)
            .map(|e| e.label.as_str())
            .unwrap_or(slug)
    }
    pub fn parse(&self, slug: &str) -> Result<String, String> {
        if self.entries.iter().any(|e| e.slug == slug) {
            Ok(slug.to_owned())
        } else {
            let known: Vec<&str> = self.entries.iter().map(|e| e.slug.as_str()).collect();
            Err(format!(
                "unknown category `{slug}`; expected one of {}",
                known.join(", ")
            ))
        }
    }
}

/// `INC-2026-0042`: prefix, year, number (at least four digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IncidentKey {
    prefix: String,
    year: i32,
    number: u32,
}

impl IncidentKey {
    pub fn new(prefix: &str, year: i32, number: u32) -> Result<Self, String> {
        if !valid_prefix(prefix) {
            return Err(format!(
                "key prefix `{prefix}` must be 1–10 upper-case letters or digits, starting with a letter"
            ));
        }
        if !(1970..=9999).contains(&year) {
            return Err(format!("key year {year} is out of range"));
        }
        if number == 0 {
            return Err("key numbers start at 1".into());
        }
        Ok(Self {
            prefix: prefix.to_owned(),
            year,
            number,
        })
    }
    pub fn prefix(&self) -> &str {
        &self.prefix
    }
    pub fn year(&self) -> i32 {
        self.year
    }
    pub fn number(&self) -> u32 {
        self.number
    }
}

fn valid_prefix(p: &str) -> bool {
    (1..=10).contains(&p.len())
        && p.as_bytes()[0].is_ascii_uppercase()
        && p.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

impl fmt::Display for IncidentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{:04}", self.prefix, self.year, self.number)
    }
}

impl FromStr for IncidentKey {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{s}` is not an incident key like INC-2026-0042");
        let mut parts = s.rsplitn(3, '-');
        let number = parts.next().ok_or_else(bad)?;
        let year = parts.next().ok_or_else(bad)?;
        let prefix = parts.next().ok_or_else(bad)?;
        if number.len() < 4 || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let number: u32 = number.parse().map_err(|_| bad())?;
        let year: i32 = year.parse().map_err(|_| bad())?;
        Self::new(prefix, year, number)
    }
}

/// The fields a person edits, validated. Stage type between a draft and a
/// stored [`Incident`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentFields {
    pub title: String,
    pub summary: String,
    pub category: String,
    pub severity: Severity,
    pub services: Vec<String>,
    pub business_units: Vec<String>,
    pub tags: Vec<String>,
    pub responders: Vec<String>,
    pub lifecycle: Lifecycle,
}

/// A stored incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    pub id: Uuid,
    pub key: IncidentKey,
    pub fields: IncidentFields,
    /// Incremented by every update; an update naming an older version is a conflict.
    pub version: i64,
    pub created_at: jiff::Timestamp,
    pub updated_at: jiff::Timestamp,
}

impl Incident {
    pub fn status(&self) -> Status {
        self.fields.lifecycle.status()
    }
}

/// Raw input as a form, the CLI or the API delivers it. Strings everywhere, so
/// that every problem can be reported at once, by field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentDraft {
    pub title: String,
    #[serde(default)]
    pub summary: String,
    pub category: String,
    pub severity: String,
    #[serde(default)]
    pub services: Vec<String>,
    #[serde(default)]
    pub business_units: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub responders: Vec<String>,
    /// Lifecycle timestamps by field name, in any form [`Timestamp::parse`] reads.
    #[serde(default)]
    pub timestamps: Vec<(String, String)>,
    /// Explicit precisions by field name (`hour`, …), coarser than or equal
    /// to what the value says; for values like "13:00, to the hour".
    #[serde(default)]
    pub precisions: Vec<(String, String)>,
}

pub const TITLE_MAX: usize = 200;
pub const SUMMARY_MAX: usize = 20_000;
pub const LIST_ITEM_MAX: usize = 100;
pub const LIST_MAX: usize = 100;

impl IncidentDraft {
    /// Checks every field and the lifecycle order rules, returning all problems.
    pub fn validate(&self, taxonomy: &Taxonomy) -> Result<IncidentFields, FieldErrors> {
        self.validate_with(taxonomy, Timestamp::parse)
    }

    /// Like [`IncidentDraft::validate`] with a custom timestamp reader (forms
    /// read wall-clock times in the viewer's zone).
    pub fn validate_with(
        &self,
        taxonomy: &Taxonomy,
        read_time: impl Fn(&str) -> Result<Timestamp, crate::timestamp::TimestampError>,
    ) -> Result<IncidentFields, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = self.title.trim().to_owned();
        if title.is_empty() {
            errors.push("title", "a title is required");
        } else if title.chars().count() > TITLE_MAX {
            errors.push("title", format!("at most {TITLE_MAX} characters"));
        }
        let summary = self.summary.trim().to_owned();
        if summary.chars().count() > SUMMARY_MAX {
            errors.push("summary", format!("at most {SUMMARY_MAX} characters"));
        }
        let category = match self.category.trim() {
            "" => {
                errors.push("category", "choose a category");
                String::new()
            }
            c => taxonomy.parse(c).unwrap_or_else(|e| {
                errors.push("category", e);
                String::new()
            }),
        };
        let severity = match self.severity.trim() {
            "" => {
                errors.push("severity", "choose a severity");
                Severity::Low
            }
            s => s.parse().unwrap_or_else(|e: String| {
                errors.push("severity", e);
                Severity::Low
            }),
        };
        let services = clean_list(&self.services, "services", false, &mut errors);
        let business_units = clean_list(&self.business_units, "business_units", false, &mut errors);
        let tags = clean_list(&self.tags, "tags", true, &mut errors);
        let responders = clean_list(&self.responders, "responders", false, &mut errors);

        let mut lifecycle = Lifecycle::default();
        let mut time_errors = false;
        for (name, value) in &self.timestamps {
            let field = match name.parse::<LifecycleField>() {
                Ok(f) => f,
                Err(e) => {
                    errors.push(format!("timestamps.{name}"), e);
                    time_errors = true;
                    continue;
                }
            };
            if value.trim().is_empty() {
                continue;
            }
            let precision = self
                .precisions
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, p)| p.trim());
            let parsed = read_time(value)
                .map_err(|e| e.0)
                .and_then(|t| match precision {
                    None | Some("") => Ok(t),
                    Some(p) => p.parse().and_then(|p| t.with_precision(p).map_err(|e| e.0)),
                });
            match parsed {
                Ok(t) => lifecycle.set(field, Some(t)),
                Err(e) => {
                    errors.push(format!("timestamps.{}", field.as_str()), e);
                    time_errors = true;
                }
            }
        }
        if !time_errors {
            for e in lifecycle.order_violations().0 {
                errors.0.push(e);
            }
        }
        errors.into_result(IncidentFields {
            title,
            summary,
            category,
            severity,
            services,
            business_units,
            tags,
            responders,
            lifecycle,
        })
    }
}

impl IncidentFields {
    /// The draft that validates back to these fields (for edit forms and updates).
    pub fn to_draft(&self) -> IncidentDraft {
        IncidentDraft {
            title: self.title.clone(),
            summary: self.summary.clone(),
            category: self.category.clone(),
            severity: self.severity.as_str().to_owned(),
            services: self.services.clone(),
            business_units: self.business_units.clone(),
            tags: self.tags.clone(),
            responders: self.responders.clone(),
            timestamps: self
                .lifecycle
                .iter()
                .filter_map(|(f, t)| t.map(|t| (f.as_str().to_owned(), t.to_rfc3339_or_date())))
                .collect(),
            precisions: self
                .lifecycle
                .iter()
                .filter_map(|(f, t)| {
                    t.map(|t| (f.as_str().to_owned(), t.precision().as_str().to_owned()))
                })
                .collect(),
        }
    }
}

impl Timestamp {
    /// The string a person would type back: the canonical form when there is
    /// one, RFC 3339 otherwise (hour precision reads back as minute).
    pub fn to_rfc3339_or_date(self) -> String {
        self.to_canonical_string()
            .unwrap_or_else(|| self.to_rfc3339())
    }
}

/// Trims, drops empties and duplicates, keeps the order given. Tags are
/// lower-cased so `VPN` and `vpn` are one tag.
fn clean_list(items: &[String], field: &str, lower: bool, errors: &mut FieldErrors) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        for part in item.split(',') {
            let mut v = part.trim().to_owned();
            if lower {
                v = v.to_lowercase();
            }
            if v.is_empty() || out.contains(&v) {
                continue;
            }
            if v.chars().count() > LIST_ITEM_MAX {
                errors.push(
                    field,
                    format!("`{v}` is longer than {LIST_ITEM_MAX} characters"),
                );
                continue;
            }
            out.push(v);
        }
    }
    if out.len() > LIST_MAX {
        errors.push(field, format!("at most {LIST_MAX} entries"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> IncidentDraft {
        IncidentDraft {
            title: "Ransomware on file servers".into(),
            category: "ransomware".into(),
            severity: "critical".into(),
            ..Default::default()
        }
    }

    #[test]
    fn keys_print_with_four_digits_and_parse_back() {
        let k = IncidentKey::new("INC", 2026, 42).unwrap();
        assert_eq!(k.to_string(), "INC-2026-0042");
        assert_eq!("INC-2026-0042".parse::<IncidentKey>().unwrap(), k);
        assert_eq!(
            "SEC-2026-12345".parse::<IncidentKey>().unwrap().number(),
            12345
        );
        assert!("INC-26-0042".parse::<IncidentKey>().is_err());
        assert!("inc-2026-0042".parse::<IncidentKey>().is_err());
    }

    #[test]
    fn every_field_problem_is_reported_at_once() {
        let d = IncidentDraft {
            title: " ".into(),
            category: "aliens".into(),
            severity: "apocalyptic".into(),
            timestamps: vec![
                ("started".into(), "2019-02-30".into()),
                ("finished".into(), "2019-01-01".into()),
            ],
            ..Default::default()
        };
        let e = d.validate(&Taxonomy::default()).unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "title",
                "category",
                "severity",
                "timestamps.started",
                "timestamps.finished"
            ]
        );
        assert!(e.for_field("category").unwrap().contains("ransomware"));
    }

    #[test]
    fn lists_are_trimmed_deduplicated_and_split_on_commas() {
        let mut d = draft();
        d.tags = vec!["VPN, vpn".into(), " edr ".into(), "".into()];
        d.services = vec!["File servers".into(), "File servers".into()];
        let f = d.validate(&Taxonomy::default()).unwrap();
        assert_eq!(f.tags, ["vpn", "edr"]);
        assert_eq!(f.services, ["File servers"]);
    }

    #[test]
    fn a_valid_draft_round_trips_through_to_draft() {
        let mut d = draft();
        d.timestamps = vec![
            ("started".into(), "2019-07-02".into()),
            ("detected".into(), "2019-07-02T13:42+02:00".into()),
        ];
        let f = d.validate(&Taxonomy::default()).unwrap();
        assert_eq!(f.to_draft().validate(&Taxonomy::default()).unwrap(), f);
    }
}
