//! The impact of an incident (PRODUCT.md §5): financial entries in any
//! currency, operational, data and reputational impact, the overall rating on
//! the VERIS scale, and the initial-versus-final estimate NIST asks to measure.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::field_error::FieldErrors;
use crate::money::{Money, MoneyError, staff_time};
use crate::review::string_enum;

string_enum!(
    /// What a cost was for; each maps to a VERIS loss variety.
    LossCategory, "loss category" {
        LostRevenue => "lost_revenue", "Lost revenue",
        ResponseAndRecovery => "response_and_recovery", "Response and recovery",
        StaffTime => "staff_time", "Staff time",
        Legal => "legal", "Legal",
        RegulatoryFine => "regulatory_fine", "Regulatory fine",
        CustomerCompensation => "customer_compensation", "Customer compensation",
        RansomExtortion => "ransom_extortion", "Ransom / extortion",
        AssetAndFraud => "asset_and_fraud", "Asset and fraud",
        Other => "other", "Other",
    }
);

impl LossCategory {
    /// The VERIS 1.4 `impact.loss.variety` this category is reported as.
    pub fn veris_variety(self) -> &'static str {
        match self {
            Self::LostRevenue => "Business disruption",
            Self::ResponseAndRecovery | Self::StaffTime => "Response and recovery",
            Self::Legal | Self::RegulatoryFine => "Legal and regulatory",
            Self::CustomerCompensation => "Brand damage",
            Self::RansomExtortion | Self::AssetAndFraud => "Asset and fraud",
            Self::Other => "Other",
        }
    }
}

string_enum!(
    /// Whether an amount is known or guessed.
    Certainty, "certainty" {
        Estimated => "estimated", "Estimated",
        Actual => "actual", "Actual",
    }
);

string_enum!(
    /// Kinds of data an incident touched.
    DataClass, "data class" {
        Personal => "personal", "Personal",
        Health => "health", "Health",
        Payment => "payment", "Payment",
        Credentials => "credentials", "Credentials",
        IntellectualProperty => "intellectual_property", "Intellectual property",
        Confidential => "confidential", "Confidential",
    }
);

string_enum!(
    /// How much the organisation's reputation suffered.
    ReputationalRating, "reputational rating" {
        None => "none", "None",
        Minor => "minor", "Minor",
        Moderate => "moderate", "Moderate",
        Significant => "significant", "Significant",
        Severe => "severe", "Severe",
    }
);

string_enum!(
    /// The VERIS overall impact rating.
    OverallRating, "overall rating" {
        Insignificant => "insignificant", "Insignificant",
        Distracting => "distracting", "Distracting",
        Painful => "painful", "Painful",
        Damaging => "damaging", "Damaging",
        Catastrophic => "catastrophic", "Catastrophic",
    }
);

/// One cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinancialEntry {
    pub id: Uuid,
    pub category: LossCategory,
    pub amount: Money,
    pub certainty: Certainty,
    #[serde(default)]
    pub note: String,
    /// Staff time entered as hours × rate keeps both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hourly_rate: Option<Money>,
    pub version: i64,
}

/// Raw input for a cost: either `amount` + `currency`, or `hours` +
/// `hourly_rate` + `currency` (staff time).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FinancialDraft {
    pub category: String,
    #[serde(default)]
    pub amount: String,
    pub currency: String,
    #[serde(default)]
    pub certainty: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub hours: String,
    #[serde(default)]
    pub hourly_rate: String,
}

/// The validated content of a cost.
pub(crate) struct FinancialValue {
    pub category: LossCategory,
    pub amount: Money,
    pub certainty: Certainty,
    pub note: String,
    pub hours: Option<Decimal>,
    pub hourly_rate: Option<Money>,
}

fn money_error(errors: &mut FieldErrors, field: &str, e: MoneyError) {
    errors.push(field, e.to_string());
}

impl FinancialDraft {
    pub(crate) fn validate(&self) -> Result<FinancialValue, FieldErrors> {
        let mut e = FieldErrors::default();
        let category = match self.category.trim() {
            "" => {
                e.push("category", "choose what the cost was for");
                None
            }
            c => c
                .parse::<LossCategory>()
                .map_err(|m| e.push("category", m))
                .ok(),
        };
        let certainty = match self.certainty.trim() {
            "" => Some(Certainty::Estimated),
            c => c
                .parse::<Certainty>()
                .map_err(|m| e.push("certainty", m))
                .ok(),
        };
        let note = self.note.trim().to_owned();
        if note.chars().count() > 2_000 {
            e.push("note", "at most 2000 characters");
        }
        let (hours, rate) = (self.hours.trim(), self.hourly_rate.trim());
        let (amount, hours, hourly_rate) = if hours.is_empty() && rate.is_empty() {
            if self.amount.trim().is_empty() {
                e.push("amount", "enter an amount, or hours and an hourly rate");
                (None, None, None)
            } else {
                match Money::parse_non_negative(&self.amount, &self.currency) {
                    Ok(m) => (Some(m), None, None),
                    Err(err @ MoneyError::UnknownCurrency { .. }) => {
                        money_error(&mut e, "currency", err);
                        (None, None, None)
                    }
                    Err(err) => {
                        money_error(&mut e, "amount", err);
                        (None, None, None)
                    }
                }
            }
        } else if !self.amount.trim().is_empty() {
            e.push("amount", "give either an amount or hours × rate, not both");
            (None, None, None)
        } else {
            match Money::parse_non_negative(rate, &self.currency) {
                Err(err @ MoneyError::UnknownCurrency { .. }) => {
                    money_error(&mut e, "currency", err);
                    (None, None, None)
                }
                Err(err) => {
                    money_error(&mut e, "hourly_rate", err);
                    (None, None, None)
                }
                Ok(rate_money) => match staff_time(hours, rate_money) {
                    Ok(total) => (Some(total), hours.parse::<Decimal>().ok(), Some(rate_money)),
                    Err(err) => {
                        money_error(&mut e, "hours", err);
                        (None, None, None)
                    }
                },
            }
        };
        match (category, certainty, amount) {
            (Some(category), Some(certainty), Some(amount)) if e.is_empty() => Ok(FinancialValue {
                category,
                amount,
                certainty,
                note,
                hours,
                hourly_rate,
            }),
            _ => Err(e),
        }
    }
}

/// Operational, data and reputational impact, the overall rating and the
/// estimates: one section, one version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImpactDetails {
    pub downtime_minutes: Option<u64>,
    #[serde(default)]
    pub services_affected: Vec<String>,
    pub users_affected: Option<u64>,
    pub customers_affected: Option<u64>,
    pub sla_breaches: Option<u64>,
    pub records_affected: Option<u64>,
    #[serde(default)]
    pub data_classes: Vec<DataClass>,
    #[serde(default)]
    pub confidentiality: bool,
    #[serde(default)]
    pub integrity: bool,
    #[serde(default)]
    pub availability: bool,
    pub reputational: Option<ReputationalRating>,
    #[serde(default)]
    pub media_coverage: String,
    pub complaints: Option<u64>,
    pub overall: Option<OverallRating>,
    pub initial_estimate: Option<Money>,
    pub final_estimate: Option<Money>,
    pub version: i64,
}

/// Raw input for [`ImpactDetails`]; numbers as typed, empty for unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ImpactDetailsDraft {
    pub downtime_minutes: String,
    pub services_affected: Vec<String>,
    pub users_affected: String,
    pub customers_affected: String,
    pub sla_breaches: String,
    pub records_affected: String,
    pub data_classes: Vec<String>,
    pub confidentiality: bool,
    pub integrity: bool,
    pub availability: bool,
    pub reputational: String,
    pub media_coverage: String,
    pub complaints: String,
    pub overall: String,
    pub initial_estimate: String,
    pub final_estimate: String,
    /// The currency of both estimates.
    pub estimate_currency: String,
}

fn count(e: &mut FieldErrors, field: &str, value: &str) -> Option<u64> {
    let v = value.trim().replace([',', '_', ' '], "");
    if v.is_empty() {
        return None;
    }
    v.parse::<u64>()
        .map_err(|_| {
            e.push(
                field,
                format!("`{}` is not a whole number of zero or more", value.trim()),
            )
        })
        .ok()
}

fn optional_enum<T: std::str::FromStr<Err = String>>(
    e: &mut FieldErrors,
    field: &str,
    value: &str,
) -> Option<T> {
    match value.trim() {
        "" => None,
        v => v.parse::<T>().map_err(|m| e.push(field, m)).ok(),
    }
}

impl ImpactDetailsDraft {
    pub(crate) fn validate(&self) -> Result<ImpactDetails, FieldErrors> {
        let mut e = FieldErrors::default();
        let mut data_classes = Vec::new();
        for c in self
            .data_classes
            .iter()
            .flat_map(|c| c.split(','))
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            match c.parse::<DataClass>() {
                Ok(dc) if !data_classes.contains(&dc) => data_classes.push(dc),
                Ok(_) => {}
                Err(m) => e.push("data_classes", m),
            }
        }
        let mut services: Vec<String> = Vec::new();
        for s in self
            .services_affected
            .iter()
            .flat_map(|s| s.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            if !services.iter().any(|x| x == s) {
                services.push(s.to_owned());
            }
        }
        let estimate = |e: &mut FieldErrors, field: &str, value: &str| -> Option<Money> {
            if value.trim().is_empty() {
                return None;
            }
            Money::parse_non_negative(value, &self.estimate_currency)
                .map_err(|err| e.push(field, err.to_string()))
                .ok()
        };
        let details = ImpactDetails {
            downtime_minutes: count(&mut e, "downtime_minutes", &self.downtime_minutes),
            services_affected: services,
            users_affected: count(&mut e, "users_affected", &self.users_affected),
            customers_affected: count(&mut e, "customers_affected", &self.customers_affected),
            sla_breaches: count(&mut e, "sla_breaches", &self.sla_breaches),
            records_affected: count(&mut e, "records_affected", &self.records_affected),
            data_classes,
            confidentiality: self.confidentiality,
            integrity: self.integrity,
            availability: self.availability,
            reputational: optional_enum(&mut e, "reputational", &self.reputational),
            media_coverage: self.media_coverage.trim().to_owned(),
            complaints: count(&mut e, "complaints", &self.complaints),
            overall: optional_enum(&mut e, "overall", &self.overall),
            initial_estimate: estimate(&mut e, "initial_estimate", &self.initial_estimate),
            final_estimate: estimate(&mut e, "final_estimate", &self.final_estimate),
            version: 0,
        };
        if details.media_coverage.chars().count() > 5_000 {
            e.push("media_coverage", "at most 5000 characters");
        }
        e.into_result(details)
    }
}

/// The impact section of a review.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Impact {
    #[serde(default)]
    pub financial: Vec<FinancialEntry>,
    #[serde(default)]
    pub details: ImpactDetails,
}

impl Impact {
    /// Every amount, for totals in the reporting currency.
    pub fn amounts(&self) -> Vec<Money> {
        self.financial.iter().map(|f| f.amount).collect()
    }

    /// final − initial estimate, when both are known in one currency.
    pub fn estimate_change(&self) -> Option<Money> {
        let (i, f) = (self.details.initial_estimate?, self.details.final_estimate?);
        f.checked_sub(i).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(amount: &str, currency: &str) -> FinancialDraft {
        FinancialDraft {
            category: "response_and_recovery".into(),
            amount: amount.into(),
            currency: currency.into(),
            ..Default::default()
        }
    }

    #[test]
    fn amounts_respect_the_currency_and_are_never_negative() {
        assert_eq!(
            draft("1,250.50", "EUR")
                .validate()
                .unwrap()
                .amount
                .to_string(),
            "1,250.50 EUR"
        );
        assert_eq!(
            draft("125000", "JPY")
                .validate()
                .unwrap()
                .amount
                .to_string(),
            "125,000 JPY"
        );
        let e = draft("12.345", "EUR").validate().err().unwrap();
        assert_eq!(e.0[0].field, "amount");
        let e = draft("10", "EUX").validate().err().unwrap();
        assert_eq!(e.0[0].field, "currency");
        let e = draft("-10", "USD").validate().err().unwrap();
        assert_eq!(e.0[0].field, "amount");
        let e = draft("12.5", "JPY").validate().err().unwrap();
        assert!(e.0[0].message.contains("JPY"), "{}", e.0[0].message);
    }

    #[test]
    fn staff_time_is_hours_times_rate() {
        let d = FinancialDraft {
            category: "staff_time".into(),
            currency: "INR".into(),
            hours: "37.5".into(),
            hourly_rate: "1800".into(),
            certainty: "actual".into(),
            ..Default::default()
        };
        let v = d.validate().unwrap();
        assert_eq!(v.amount.to_string(), "67,500.00 INR");
        assert_eq!(v.hours, Some(Decimal::new(375, 1)));
        let both = FinancialDraft {
            amount: "5".into(),
            ..d
        };
        assert!(both.validate().is_err());
    }

    #[test]
    fn details_read_counts_classes_and_estimates() {
        let d = ImpactDetailsDraft {
            customers_affected: "4,812".into(),
            data_classes: vec!["personal, payment".into()],
            overall: "painful".into(),
            initial_estimate: "20000".into(),
            final_estimate: "48210".into(),
            estimate_currency: "EUR".into(),
            ..Default::default()
        };
        let v = d.validate().unwrap();
        assert_eq!(v.customers_affected, Some(4812));
        assert_eq!(v.data_classes, [DataClass::Personal, DataClass::Payment]);
        let impact = Impact {
            financial: vec![],
            details: v,
        };
        assert_eq!(
            impact.estimate_change().unwrap().to_string(),
            "28,210.00 EUR"
        );
        let bad = ImpactDetailsDraft {
            users_affected: "-3".into(),
            overall: "apocalyptic".into(),
            ..Default::default()
        };
        let fields: Vec<String> = bad
            .validate()
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["users_affected", "overall"]);
    }
}
