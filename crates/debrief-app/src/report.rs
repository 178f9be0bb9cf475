//! Reports (PRODUCT.md §10): the use case gathers the values, `debrief-report`
//! renders them. Rendering never touches the database.

use std::str::FromStr;

use debrief_core::Precision;
use debrief_core::lifecycle::human_duration;
use debrief_report::{FinancialLine, ReportImpact, ReportInput};
use debrief_store::EventFilter;
use jiff::tz::TimeZone;

use crate::{App, AppError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// The post-incident report.
    Pir,
    /// The one-page executive summary.
    Executive,
}

impl FromStr for ReportKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pir" => Ok(Self::Pir),
            "executive" => Ok(Self::Executive),
            other => Err(format!(
                "unknown report `{other}`; expected pir or executive"
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Markdown,
    Html,
}

impl ReportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            Self::Markdown => "md",
            Self::Html => "html",
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Markdown => "text/markdown; charset=utf-8",
            Self::Html => "text/html; charset=utf-8",
        }
    }
}

impl FromStr for ReportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "md" | "markdown" => Ok(Self::Markdown),
            "html" => Ok(Self::Html),
            other => Err(format!("unknown format `{other}`; expected md or html")),
        }
    }
}

fn count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl App {
    /// Everything a report shows about `key`, as values.
    pub async fn report_input(&self, key: &str, zone: &TimeZone) -> Result<ReportInput, AppError> {
        let view = self.incident_view(key).await?;
        let events = self
            .store()
            .list_events(view.incident.id, &EventFilter::default())
            .await?;
        let review = self.store().review(view.incident.id).await?;
        let total = self.impact_total(key).await?;
        let mut impact = ReportImpact::default();
        if let Some(r) = &review {
            let i = &r.impact;
            impact.financial = i
                .financial
                .iter()
                .map(|f| FinancialLine {
                    category: f.category.label().into(),
                    amount: f.amount.to_string(),
                    certainty: f.certainty.label().to_lowercase(),
                    note: match (f.hours, f.hourly_rate) {
                        (Some(h), Some(rate)) if f.note.is_empty() => format!("{h} h × {rate}"),
                        (Some(h), Some(rate)) => format!("{} ({h} h × {rate})", f.note),
                        _ => f.note.clone(),
                    },
                })
                .collect();
            if !i.financial.is_empty() {
                impact.total = total.amount.map(|m| m.to_string());
                impact.total_notes = total.describe().into_iter().skip(1).collect();
            }
            let d = &i.details;
            let mut op = Vec::new();
            if let Some(m) = d.downtime_minutes {
                op.push((
                    "Downtime".into(),
                    human_duration(m as i64 * 60, Precision::Minute),
                ));
            }
            if !d.services_affected.is_empty() {
                op.push(("Services affected".into(), d.services_affected.join(", ")));
            }
            for (label, v) in [
                ("Users affected", d.users_affected),
                ("Customers affected", d.customers_affected),
                ("SLA breaches", d.sla_breaches),
            ] {
                if let Some(v) = v {
                    op.push((label.into(), count(v)));
                }
            }
            impact.operational = op;
            let mut data = Vec::new();
            if let Some(n) = d.records_affected {
                data.push(("Records affected".into(), count(n)));
            }
            if !d.data_classes.is_empty() {
                data.push((
                    "Data classes".into(),
                    d.data_classes
                        .iter()
                        .map(|c| c.label())
                        .collect::<Vec<_>>()
                        .join(", "),
                ));
            }
            let cia: Vec<&str> = [
                ("confidentiality", d.confidentiality),
                ("integrity", d.integrity),
                ("availability", d.availability),
            ]
            .iter()
            .filter(|(_, on)| *on)
            .map(|(n, _)| *n)
            .collect();
            if !cia.is_empty() {
                data.push(("Affected".into(), cia.join(", ")));
            }
            impact.data = data;
            let mut rep = Vec::new();
            if let Some(r) = d.reputational {
                rep.push(("Rating".into(), r.label().into()));
            }
            if !d.media_coverage.is_empty() {
                rep.push(("Media coverage".into(), d.media_coverage.clone()));
            }
            if let Some(c) = d.complaints {
                rep.push(("Complaints".into(), count(c)));
            }
            impact.reputational = rep;
            impact.overall_rating = d.overall.map(|o| o.label().to_owned());
            impact.estimate_change =
                match (d.initial_estimate, d.final_estimate, i.estimate_change()) {
                    (Some(a), Some(b), Some(diff)) => {
                        let sign = if diff.is_negative() { "" } else { "+" };
                        Some(format!("initial estimate {a} → final {b} ({sign}{diff})"))
                    }
                    _ => None,
                };
        }
        Ok(ReportInput {
            category_label: self
                .settings()
                .taxonomy
                .label(&view.incident.fields.category)
                .to_owned(),
            incident: view.incident,
            durations: view.durations,
            events,
            review,
            impact,
            generated_at: self.now(),
            zone: zone.clone(),
        })
    }

    /// The report as a document.
    pub async fn report(
        &self,
        key: &str,
        kind: ReportKind,
        format: ReportFormat,
        zone: &TimeZone,
    ) -> Result<String, AppError> {
        let input = self.report_input(key, zone).await?;
        Ok(match (kind, format) {
            (ReportKind::Pir, ReportFormat::Markdown) => debrief_report::pir_markdown(&input),
            (ReportKind::Pir, ReportFormat::Html) => debrief_report::pir_html(&input),
            (ReportKind::Executive, ReportFormat::Markdown) => {
                debrief_report::executive_markdown(&input)
            }
            (ReportKind::Executive, ReportFormat::Html) => debrief_report::executive_html(&input),
        })
    }
}
