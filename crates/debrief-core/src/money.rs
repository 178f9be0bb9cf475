//! Money in any currency: exact decimal amounts with ISO 4217 codes, exchange
//! rates recorded by the organisation, and totals in a reporting currency.
//!
//! Amounts are `rust_decimal::Decimal`, never floats: `0.1 + 0.2` must be
//! `0.3`. An amount always has at most its currency's minor-unit digits (JPY
//! none, EUR two, KWD three), and is printed with exactly that many.
//!
//! # Rounding: half to even ("banker's rounding")
//!
//! Wherever a result has more digits than its currency allows — staff time
//! (hours × rate), a conversion, a total in the reporting currency — it is
//! rounded to the minor unit with ties going to the even digit: 0.125 EUR
//! becomes 0.12, 0.135 EUR becomes 0.14. Half-up would push every tie the same
//! way; over the many totals a dashboard adds up (cost per incident, trends),
//! that bias accumulates, while half-to-even cancels out on average. It is
//! also the default of IEEE 754 and of decimal libraries, and common
//! accounting practice, so the numbers agree with what a finance team's
//! spreadsheet or ledger shows.
//!
//! A total rounds **once**: each currency's entries are summed exactly,
//! converted at full precision (28 significant digits), added exactly, and
//! only the grand total is rounded. Rounding each converted part first would
//! make the total depend on how the entries happen to be grouped.
//!
//! Exchange rates are never fetched: the organisation records them (see
//! [`ExchangeRate`]), a total says which ones it used, and a total that needs
//! a missing rate says so instead of guessing (see [`total_in`]).

mod currency;
mod iso4217;
mod number;
mod rate;
mod total;

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

pub use currency::{Currency, CurrencyInfo};
pub use rate::ExchangeRate;
pub use total::{RateUse, Total, total_in};

/// The examples every "use a valid currency" message gives.
const EXAMPLE_CODES: &str = "EUR, USD, INR";

/// Why an amount, a currency or a rate was refused. Each message names the
/// value and says how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("no currency given; use an ISO 4217 code such as {EXAMPLE_CODES}")]
    MissingCurrency,
    #[error("unknown currency `{code}`; use an ISO 4217 code such as {EXAMPLE_CODES}")]
    UnknownCurrency { code: String },
    #[error(
        "`{code}` ({name}) is no longer an ISO 4217 currency; record the amount in {replacement}, which replaced it"
    )]
    WithdrawnCurrency {
        code: &'static str,
        name: &'static str,
        replacement: &'static str,
    },
    #[error(
        "`{code}` ({name}) has no minor unit in ISO 4217, so it cannot hold an amount of money; use a currency such as {EXAMPLE_CODES}"
    )]
    NoMinorUnit {
        code: &'static str,
        name: &'static str,
    },
    #[error("no amount given; enter a number such as 1234.50")]
    MissingAmount,
    #[error("`{input}` is not an amount: {hint}")]
    NotANumber { input: String, hint: &'static str },
    #[error("{}", too_many_decimals(.input, *.places, *.currency))]
    TooManyDecimals {
        input: String,
        places: usize,
        currency: Currency,
    },
    #[error(
        "`{input}` is too large: amounts have at most {} digits before the decimal point",
        number::MAX_INTEGER_DIGITS
    )]
    TooLarge { input: String },
    #[error(
        "{amount} is negative; a loss is recorded as a positive amount ({})",
        .amount.abs()
    )]
    Negative { amount: Money },
    #[error("cannot combine {left} with {right}; convert one of them with an exchange rate first")]
    CurrencyMismatch { left: Currency, right: Currency },
    #[error("the result is too large to compute exactly ({what})")]
    Overflow { what: String },
    #[error("hours `{input}` is not a number: {hint}")]
    InvalidHours { input: String, hint: &'static str },
    #[error("hours `{input}` is negative; enter the time spent as zero or more hours")]
    NegativeHours { input: String },
    #[error(
        "hours `{input}` has {places} decimal places; use at most 2, as in 1.25 for an hour and a quarter"
    )]
    HoursTooPrecise { input: String, places: usize },
    #[error(
        "`{input}` is too many hours: use at most {} digits before the decimal point",
        number::MAX_INTEGER_DIGITS
    )]
    TooManyHours { input: String },
    #[error("the hourly rate {rate} is negative; enter it as a positive amount")]
    NegativeHourlyRate { rate: Money },
    #[error("the {from}→{to} rate `{input}` is not a number: {hint}")]
    InvalidRate {
        from: Currency,
        to: Currency,
        input: String,
        hint: &'static str,
    },
    #[error("{}", rate_not_positive(*.from, *.to, .rate))]
    RateNotPositive {
        from: Currency,
        to: Currency,
        rate: Decimal,
    },
    #[error(
        "a rate from {currency} to {currency} is always 1; record rates between two different currencies"
    )]
    SameCurrency { currency: Currency },
    #[error(
        "the {from}→{to} rate has no source; say where it came from, such as \"ECB reference rate\" or \"bank statement\""
    )]
    MissingSource { from: Currency, to: Currency },
    #[error(
        "the {from}→{to} rate {rate} has {places} decimal places; round it to at most {}",
        rate::MAX_RATE_PLACES
    )]
    RateTooPrecise {
        from: Currency,
        to: Currency,
        rate: String,
        places: usize,
    },
}

fn too_many_decimals(input: &str, places: usize, currency: Currency) -> String {
    let written = format!(
        "{input} has {places} decimal place{}",
        if places == 1 { "" } else { "s" }
    );
    match currency.minor_units() {
        0 => format!("{written}, but {currency} has none; round it to a whole number"),
        n => format!("{written}, but {currency} has {n}; round it to {n} decimal places"),
    }
}

fn rate_not_positive(from: Currency, to: Currency, rate: &Decimal) -> String {
    let what = if rate.is_zero() {
        "a rate of zero would make every amount worth nothing".to_owned()
    } else {
        format!("a negative rate ({rate}) would turn losses into gains")
    };
    format!("{what}; enter how many {to} one {from} buys, a number greater than zero")
}

/// Rounds to `places` decimal places, ties to even (see the module docs).
fn round_half_even(value: Decimal, places: u8) -> Decimal {
    value.round_dp_with_strategy(u32::from(places), RoundingStrategy::MidpointNearestEven)
}

/// An exact amount in one currency, with at most the currency's minor-unit
/// digits. Serialises as `{"amount": "1234.50", "currency": "EUR"}`: the
/// amount is a decimal string, so no JSON reader turns it into a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "MoneyRepr")]
pub struct Money {
    // Private, so that the digits always fit the currency; kept at exactly
    // the currency's scale so that serde and `Display` show `1234.50`.
    amount: Decimal,
    currency: Currency,
}

#[derive(Deserialize)]
struct MoneyRepr {
    amount: Decimal,
    currency: Currency,
}

impl TryFrom<MoneyRepr> for Money {
    type Error = MoneyError;
    fn try_from(r: MoneyRepr) -> Result<Self, Self::Error> {
        Money::new(r.amount, r.currency)
    }
}

impl Money {
    /// Zero in `currency`.
    pub fn zero(currency: Currency) -> Money {
        Money::at_scale(Decimal::ZERO, currency)
    }

    /// An exact amount. Trailing zeros do not count as decimal places here
    /// (`12.500` EUR is 12.50 EUR): this is for values computed or stored by
    /// programs. Typed input goes through [`Money::parse`], which is stricter.
    pub fn new(amount: Decimal, currency: Currency) -> Result<Money, MoneyError> {
        let places = amount.normalize().scale() as usize;
        if places > usize::from(currency.minor_units()) {
            return Err(MoneyError::TooManyDecimals {
                input: amount.normalize().to_string(),
                places,
                currency,
            });
        }
        Ok(Money::at_scale(amount, currency))
    }

    /// `amount` rounded half to even to the currency's minor unit.
    pub fn new_rounded(amount: Decimal, currency: Currency) -> Money {
        Money::at_scale(round_half_even(amount, currency.minor_units()), currency)
    }

    /// Sets the scale to the currency's minor units; the caller has checked
    /// that this loses no digits.
    fn at_scale(mut amount: Decimal, currency: Currency) -> Money {
        // A value near `Decimal::MAX` cannot take more fraction digits;
        // `rescale` then keeps the largest scale it can, and `Display` pads.
        amount.rescale(u32::from(currency.minor_units()));
        if amount.is_zero() {
            amount.set_sign_positive(true);
        }
        Money { amount, currency }
    }

    /// Reads an amount as a person types it: `1234.5`, `1,234.50`, `-12`,
    /// and Indian grouping such as `12,34,567.00`; the currency code in any
    /// case.
    ///
    /// More decimal places than the currency has are refused, even when the
    /// extra digits are zeros: `12.500` EUR is most likely twelve thousand
    /// five hundred written with a European thousands point, and reading it
    /// as 12.50 would be a silent thousandfold error.
    pub fn parse(amount: &str, currency: &str) -> Result<Money, MoneyError> {
        let currency = Currency::from_code(currency)?;
        let input = amount.trim();
        if input.is_empty() {
            return Err(MoneyError::MissingAmount);
        }
        let written = number::read(input).map_err(|hint| MoneyError::NotANumber {
            input: input.to_owned(),
            hint,
        })?;
        if written.places() > usize::from(currency.minor_units()) {
            return Err(MoneyError::TooManyDecimals {
                input: input.to_owned(),
                places: written.places(),
                currency,
            });
        }
        if written.too_large() {
            return Err(MoneyError::TooLarge {
                input: input.to_owned(),
            });
        }
        let value = written
            .to_decimal(written.places())
            .ok_or_else(|| MoneyError::TooLarge {
                input: input.to_owned(),
            })?;
        Ok(Money::at_scale(value, currency))
    }

    /// Like [`Money::parse`], and refuses negative amounts: a loss entry
    /// records what was lost, zero or more.
    pub fn parse_non_negative(amount: &str, currency: &str) -> Result<Money, MoneyError> {
        let money = Money::parse(amount, currency)?;
        if money.is_negative() {
            return Err(MoneyError::Negative { amount: money });
        }
        Ok(money)
    }

    /// The amount, at the currency's scale (`1234.50` for EUR).
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn is_negative(&self) -> bool {
        self.amount.is_sign_negative() && !self.amount.is_zero()
    }

    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    /// The same amount without its sign.
    pub fn abs(&self) -> Money {
        Money::at_scale(self.amount.abs(), self.currency)
    }

    /// `self + other`; both must be in the same currency.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let sum = self
            .amount
            .checked_add(other.amount)
            .ok_or_else(|| MoneyError::Overflow {
                what: format!("{self} + {other}"),
            })?;
        Ok(Money::at_scale(sum, self.currency))
    }

    /// `self - other` (the final estimate minus the initial one, say); both
    /// must be in the same currency.
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let difference =
            self.amount
                .checked_sub(other.amount)
                .ok_or_else(|| MoneyError::Overflow {
                    what: format!("{self} - {other}"),
                })?;
        Ok(Money::at_scale(difference, self.currency))
    }

    fn same_currency(self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            })
        }
    }

    /// The amount with thousands separators and exactly the currency's
    /// minor digits, without the code: `1,234.50`, `1,235`, `-3.000`.
    pub fn format_amount(&self) -> String {
        let places = usize::from(self.currency.minor_units());
        let digits = self.amount.abs().to_string();
        let (integer, fraction) = digits.split_once('.').unwrap_or((&digits, ""));
        let mut out = String::new();
        if self.is_negative() {
            out.push('-');
        }
        out.push_str(&number::group_thousands(integer));
        if places > 0 {
            out.push('.');
            out.push_str(&format!("{fraction:0<places$}"));
        }
        out
    }
}

/// `1,234.50 EUR`, `1,235 JPY`, `-3.000 KWD`: always the currency's minor
/// digits, so amounts line up in a table and `parse` reads them back.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.format_amount(), self.currency)
    }
}

/// The cost of staff time: `hours` (zero or more, at most two decimal places:
/// 1.25 is an hour and a quarter) times `hourly_rate`, rounded half to even
/// to the currency's minor unit.
pub fn staff_time(hours: &str, hourly_rate: Money) -> Result<Money, MoneyError> {
    let input = hours.trim();
    if input.is_empty() {
        return Err(MoneyError::InvalidHours {
            input: String::new(),
            hint: "enter the hours spent, as in 2.5",
        });
    }
    let written = number::read(input).map_err(|hint| MoneyError::InvalidHours {
        input: input.to_owned(),
        hint,
    })?;
    let nonzero = written
        .integer
        .chars()
        .chain(written.fraction.chars())
        .any(|c| c != '0');
    if written.negative && nonzero {
        return Err(MoneyError::NegativeHours {
            input: input.to_owned(),
        });
    }
    if written.places() > 2 {
        return Err(MoneyError::HoursTooPrecise {
            input: input.to_owned(),
            places: written.places(),
        });
    }
    if written.too_large() {
        return Err(MoneyError::TooManyHours {
            input: input.to_owned(),
        });
    }
    if hourly_rate.is_negative() {
        return Err(MoneyError::NegativeHourlyRate { rate: hourly_rate });
    }
    let hours = written
        .to_decimal(written.places())
        .ok_or_else(|| MoneyError::TooManyHours {
            input: input.to_owned(),
        })?;
    let cost = hours
        .checked_mul(hourly_rate.amount)
        .ok_or_else(|| MoneyError::Overflow {
            what: format!("{input} hours × {hourly_rate}"),
        })?;
    Ok(Money::new_rounded(cost, hourly_rate.currency))
}

#[cfg(test)]
mod tests;
