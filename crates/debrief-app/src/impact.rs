//! Impact use cases: the organisation's exchange rates and an incident's
//! total cost in the reporting currency.

use debrief_core::{
    ExchangeRate, FieldError, FieldErrors, Incident, LifecycleField, Total, total_in,
};
use debrief_store::StoredRate;
use uuid::Uuid;

use crate::{App, AppError};

fn money_error(field: &str, e: impl ToString) -> AppError {
    AppError::Invalid(FieldErrors::from(FieldError::new(field, e.to_string())))
}

fn read_rate(r: &StoredRate) -> Result<ExchangeRate, AppError> {
    let date = r.valid_on.parse::<jiff::civil::Date>().map_err(|e| {
        AppError::Store(debrief_store::StoreError::Corrupt(format!(
            "rate date {}: {e}",
            r.valid_on
        )))
    })?;
    ExchangeRate::parse(&r.from, &r.to, &r.rate, date, &r.source).map_err(|e| {
        AppError::Store(debrief_store::StoreError::Corrupt(format!(
            "rate {}: {e}",
            r.id
        )))
    })
}

/// The day whose rates price an incident: when it started, else when it was
/// detected, else when it was opened (UTC).
pub fn incident_date(incident: &Incident) -> jiff::civil::Date {
    let l = &incident.fields.lifecycle;
    let instant = l
        .get(LifecycleField::Started)
        .or_else(|| l.get(LifecycleField::Detected))
        .map(|t| t.instant())
        .unwrap_or(incident.created_at);
    instant.to_zoned_datetime(jiff::tz::TimeZone::UTC).date()
}

impl App {
    /// Records a rate: `1 from = rate to`, valid from `date`.
    pub async fn add_rate(
        &self,
        from: &str,
        to: &str,
        rate: &str,
        date: &str,
        source: &str,
    ) -> Result<(Uuid, ExchangeRate), AppError> {
        let day = date.trim().parse::<jiff::civil::Date>().map_err(|_| {
            money_error(
                "date",
                format!("`{}` is not a date like 2026-09-01", date.trim()),
            )
        })?;
        let parsed = ExchangeRate::parse(from, to, rate, day, source).map_err(|e| {
            use debrief_core::MoneyError::*;
            let field = match &e {
                MissingCurrency
                | UnknownCurrency { .. }
                | WithdrawnCurrency { .. }
                | NoMinorUnit { .. }
                | SameCurrency { .. } => "currency",
                MissingSource { .. } => "source",
                _ => "rate",
            };
            money_error(field, e)
        })?;
        let id = Uuid::now_v7();
        let stored = StoredRate {
            id,
            from: parsed.from().code().to_owned(),
            to: parsed.to().code().to_owned(),
            rate: parsed.rate().normalize().to_string(),
            valid_on: parsed.date().to_string(),
            source: parsed.source().to_owned(),
            created_at: self.now(),
        };
        self.store().add_rate(&stored).await?;
        Ok((id, parsed))
    }

    pub async fn rates(&self) -> Result<Vec<(Uuid, ExchangeRate)>, AppError> {
        self.store()
            .rates()
            .await?
            .iter()
            .map(|r| Ok((r.id, read_rate(r)?)))
            .collect()
    }

    pub async fn delete_rate(&self, id: Uuid) -> Result<(), AppError> {
        Ok(self.store().delete_rate(id).await?)
    }

    /// The incident's costs in the reporting currency, with the rates used
    /// and any that are missing.
    pub async fn impact_total(&self, key: &str) -> Result<Total, AppError> {
        let (incident, review) = self.review(key).await?;
        let amounts = review.map(|r| r.impact.amounts()).unwrap_or_default();
        let rates: Vec<ExchangeRate> = self.rates().await?.into_iter().map(|(_, r)| r).collect();
        Ok(total_in(
            &amounts,
            self.settings().reporting_currency,
            incident_date(&incident),
            &rates,
        ))
    }
}
