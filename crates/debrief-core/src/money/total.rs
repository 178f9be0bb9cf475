//! Totals in a reporting currency: which recorded rate applies on a date, the
//! exact sum, one rounding at the end, and an honest account of the rates used
//! and the rates missing.

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::Serialize;

use super::{Currency, ExchangeRate, Money};

/// One rate a total used, to convert amounts in `from` into `to` (the
/// reporting currency).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RateUse {
    pub from: Currency,
    pub to: Currency,
    /// The rate as recorded. When `inverted`, it was recorded as `to`→`from`
    /// and amounts were divided by it.
    pub rate: Decimal,
    /// The date the recorded rate is valid from.
    pub date: Date,
    pub source: String,
    /// No `from`→`to` rate was recorded on or before the total's date, so
    /// the `to`→`from` rate was used the other way round.
    pub inverted: bool,
}

impl RateUse {
    /// `USD→EUR at 0.92 (rate of 2026-09-01, ECB)`, or for an inverted rate
    /// `JPY→EUR at 1 / 162.5 (the inverse of the EUR→JPY rate of 2026-09-01,
    /// ECB)`.
    pub fn describe(&self) -> String {
        if self.inverted {
            format!(
                "{}→{} at 1 / {} (the inverse of the {}→{} rate of {}, {})",
                self.from, self.to, self.rate, self.to, self.from, self.date, self.source
            )
        } else {
            format!(
                "{}→{} at {} (rate of {}, {})",
                self.from, self.to, self.rate, self.date, self.source
            )
        }
    }
}

/// The outcome of [`total_in`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Total {
    /// The currency the total is in.
    pub reporting: Currency,
    /// The date whose rates were used (the incident's date).
    pub on: Date,
    /// The total, rounded once, half to even. `None` when a rate is missing
    /// or the sum is too large: never a guess.
    pub amount: Option<Money>,
    /// One entry per converted currency, in the order of `by_currency`.
    pub rates_used: Vec<RateUse>,
    /// `(from, to)` pairs with no usable rate either way: "needs a rate for
    /// from→to".
    pub missing: Vec<(Currency, Currency)>,
    /// The exact sum of the entries in each currency, in the order each
    /// currency first appears.
    pub by_currency: Vec<Money>,
    /// The sum exceeded what 28 significant digits hold (about 7.9 × 10²⁸).
    pub too_large: bool,
}

impl Total {
    /// Whether the total could be computed.
    pub fn is_complete(&self) -> bool {
        self.amount.is_some()
    }

    /// One line per fact, for a report or a page: the total (or why there is
    /// none), each rate used, then each missing rate as "needs a rate for
    /// JPY→EUR on or before 2026-09-14".
    pub fn describe(&self) -> Vec<String> {
        let mut lines = Vec::new();
        match (&self.amount, self.too_large, self.missing.len()) {
            (Some(amount), _, _) => lines.push(format!("total: {amount}")),
            (None, true, _) => lines.push(format!(
                "no total in {}: the sum is too large to compute exactly",
                self.reporting
            )),
            (None, false, 1) => lines.push(format!(
                "no total in {}: 1 exchange rate is missing",
                self.reporting
            )),
            (None, false, n) => lines.push(format!(
                "no total in {}: {n} exchange rates are missing",
                self.reporting
            )),
        }
        lines.extend(self.rates_used.iter().map(RateUse::describe));
        lines.extend(self.missing_messages());
        lines
    }

    /// "needs a rate for JPY→EUR on or before 2026-09-14", one per missing
    /// rate.
    pub fn missing_messages(&self) -> Vec<String> {
        self.missing
            .iter()
            .map(|(from, to)| format!("needs a rate for {from}→{to} on or before {}", self.on))
            .collect()
    }
}

/// The rate for `from`→`to` on `on`: the latest recorded on or before that
/// day (a later one did not exist yet). Of two recorded for the same day,
/// the one later in `rates` wins, as the newer correction.
fn latest(rates: &[ExchangeRate], from: Currency, to: Currency, on: Date) -> Option<&ExchangeRate> {
    rates
        .iter()
        .filter(|r| r.from() == from && r.to() == to && r.date() <= on)
        .fold(None, |best, r| match best {
            Some(b) if b.date() > r.date() => Some(b),
            _ => Some(r),
        })
}

/// Adds up `entries` in `reporting`, converting each other currency with the
/// rate valid on `on`: the direct `from`→`reporting` rate recorded latest on
/// or before `on`; failing that, the inverse of the `reporting`→`from` rate
/// chosen the same way (marked `inverted`); failing both, the pair is listed
/// in `missing` and there is no total.
///
/// Each currency's entries are summed exactly, converted at full precision,
/// the parts added exactly, and the result rounded once, half to even (see
/// the module docs).
pub fn total_in(entries: &[Money], reporting: Currency, on: Date, rates: &[ExchangeRate]) -> Total {
    let mut too_large = false;
    let mut sums: Vec<Money> = Vec::new();
    for entry in entries {
        match sums.iter_mut().find(|s| s.currency == entry.currency) {
            Some(sum) => match sum.amount.checked_add(entry.amount) {
                Some(s) => sum.amount = s,
                None => too_large = true,
            },
            None => sums.push(*entry),
        }
    }

    let mut rates_used = Vec::new();
    let mut missing = Vec::new();
    // (currency, exact value in the reporting currency)
    let mut parts: Vec<(Currency, Decimal)> = Vec::new();
    for sum in &sums {
        let from = sum.currency;
        if from == reporting {
            parts.push((from, sum.amount));
            continue;
        }
        let (rate, inverted) = match latest(rates, from, reporting, on) {
            Some(r) => (r, false),
            None => match latest(rates, reporting, from, on) {
                Some(r) => (r, true),
                None => {
                    missing.push((from, reporting));
                    continue;
                }
            },
        };
        rates_used.push(RateUse {
            from,
            to: reporting,
            rate: rate.rate(),
            date: rate.date(),
            source: rate.source().to_owned(),
            inverted,
        });
        match rate.apply(sum.amount, inverted) {
            Some(v) => parts.push((from, v)),
            None => too_large = true,
        }
    }

    // Added in code order, so the result cannot depend on the order of the
    // entries even where a converted part has more digits than `Decimal`
    // keeps exactly.
    parts.sort_by_key(|(currency, _)| *currency);
    let exact = parts
        .iter()
        .try_fold(Decimal::ZERO, |acc, (_, v)| acc.checked_add(*v));
    too_large |= exact.is_none();
    let amount = match exact {
        Some(v) if missing.is_empty() && !too_large => Some(Money::new_rounded(v, reporting)),
        _ => None,
    };

    Total {
        reporting,
        on,
        amount,
        rates_used,
        missing,
        by_currency: sums,
        too_large,
    }
}
