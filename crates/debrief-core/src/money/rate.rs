//! Exchange rates as the organisation records them: how many units of one
//! currency one unit of another buys, on a date, according to a named source.
//! Nothing here fetches a rate.

use std::fmt;

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Currency, Money, MoneyError, number};

/// The most decimal places a rate may have. Published reference rates have
/// four to six; ten leaves room for derived cross rates without pretending to
/// a precision no source has.
pub(super) const MAX_RATE_PLACES: usize = 10;

/// One recorded rate: one `from` buys `rate` `to` on `date`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RateRepr")]
pub struct ExchangeRate {
    from: Currency,
    to: Currency,
    /// Serialised as a decimal string, like amounts.
    rate: Decimal,
    date: Date,
    source: String,
}

#[derive(Deserialize)]
struct RateRepr {
    from: Currency,
    to: Currency,
    rate: Decimal,
    date: Date,
    source: String,
}

impl TryFrom<RateRepr> for ExchangeRate {
    type Error = MoneyError;
    fn try_from(r: RateRepr) -> Result<Self, Self::Error> {
        ExchangeRate::new(r.from, r.to, r.rate, r.date, r.source)
    }
}

impl ExchangeRate {
    /// A rate between two different currencies, greater than zero, with at
    /// most ten decimal places (trailing zeros do not count), from a named
    /// source (surrounding spaces are dropped).
    pub fn new(
        from: Currency,
        to: Currency,
        rate: Decimal,
        date: Date,
        source: impl Into<String>,
    ) -> Result<ExchangeRate, MoneyError> {
        if from == to {
            return Err(MoneyError::SameCurrency { currency: from });
        }
        if rate <= Decimal::ZERO {
            return Err(MoneyError::RateNotPositive { from, to, rate });
        }
        let rate = rate.normalize();
        let places = rate.scale() as usize;
        if places > MAX_RATE_PLACES {
            return Err(MoneyError::RateTooPrecise {
                from,
                to,
                rate: rate.to_string(),
                places,
            });
        }
        let source = source.into().trim().to_owned();
        if source.is_empty() {
            return Err(MoneyError::MissingSource { from, to });
        }
        Ok(ExchangeRate {
            from,
            to,
            rate,
            date,
            source,
        })
    }

    /// Reads a rate typed into a form: codes in any case, the rate as a
    /// number such as `1.0842` or `16,250.5`.
    pub fn parse(
        from: &str,
        to: &str,
        rate: &str,
        date: Date,
        source: &str,
    ) -> Result<ExchangeRate, MoneyError> {
        let from = Currency::from_code(from)?;
        let to = Currency::from_code(to)?;
        let input = rate.trim();
        let invalid = |hint| MoneyError::InvalidRate {
            from,
            to,
            input: input.to_owned(),
            hint,
        };
        if input.is_empty() {
            return Err(invalid("enter how many units one unit buys, as in 1.0842"));
        }
        let written = number::read(input).map_err(invalid)?;
        let places = written.significant_places();
        if places > MAX_RATE_PLACES {
            return Err(MoneyError::RateTooPrecise {
                from,
                to,
                rate: input.to_owned(),
                places,
            });
        }
        if written.too_large() {
            return Err(invalid(
                "it has more than 15 digits before the decimal point",
            ));
        }
        let value = written
            .to_decimal(places)
            .ok_or_else(|| invalid("it has more than 15 digits before the decimal point"))?;
        ExchangeRate::new(from, to, value, date, source)
    }

    pub fn from(&self) -> Currency {
        self.from
    }

    pub fn to(&self) -> Currency {
        self.to
    }

    /// How many `to` one `from` buys.
    pub fn rate(&self) -> Decimal {
        self.rate
    }

    /// The day the rate is valid from.
    pub fn date(&self) -> Date {
        self.date
    }

    /// Where the rate came from, as recorded.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Converts `money` from either currency of this rate to the other
    /// (dividing by the rate to go from `to` back to `from`), rounded half to
    /// even to the target's minor unit.
    pub fn convert(&self, money: Money) -> Result<Money, MoneyError> {
        let (inverted, target) = if money.currency() == self.from {
            (false, self.to)
        } else if money.currency() == self.to {
            (true, self.from)
        } else {
            return Err(MoneyError::CurrencyMismatch {
                left: money.currency(),
                right: self.from,
            });
        };
        let exact = self
            .apply(money.amount(), inverted)
            .ok_or_else(|| MoneyError::Overflow {
                what: format!("{money} at {self}"),
            })?;
        Ok(Money::new_rounded(exact, target))
    }

    /// `amount × rate`, or `amount ÷ rate` when `inverted`, at full
    /// precision. Dividing is more exact than multiplying by a rounded `1 ÷
    /// rate`. `None` on overflow.
    pub(super) fn apply(&self, amount: Decimal, inverted: bool) -> Option<Decimal> {
        if inverted {
            amount.checked_div(self.rate)
        } else {
            amount.checked_mul(self.rate)
        }
    }
}

/// `1 EUR = 1.0842 USD on 2026-09-01 (ECB reference rate)`.
impl fmt::Display for ExchangeRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "1 {} = {} {} on {} ({})",
            self.from, self.rate, self.to, self.date, self.source
        )
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn cur(code: &str) -> Currency {
        Currency::from_code(code).unwrap()
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn a_valid_rate_keeps_its_value_and_a_trimmed_source() {
        let r = ExchangeRate::new(
            cur("EUR"),
            cur("USD"),
            dec("1.08420"),
            date(2026, 9, 1),
            "  ECB reference rate ",
        )
        .unwrap();
        assert_eq!(r.rate().to_string(), "1.0842");
        assert_eq!(r.source(), "ECB reference rate");
        assert_eq!(
            r.to_string(),
            "1 EUR = 1.0842 USD on 2026-09-01 (ECB reference rate)"
        );
    }

    #[test]
    fn impossible_rates_are_refused_with_the_reason() {
        let (eur, usd, day) = (cur("EUR"), cur("USD"), date(2026, 9, 1));
        let e = ExchangeRate::new(eur, usd, Decimal::ZERO, day, "ECB").unwrap_err();
        assert_eq!(
            e.to_string(),
            "a rate of zero would make every amount worth nothing; enter how many USD one EUR buys, a number greater than zero"
        );
        let e = ExchangeRate::new(eur, usd, dec("-1.2"), day, "ECB").unwrap_err();
        assert!(e.to_string().starts_with("a negative rate (-1.2)"), "{e}");
        let e = ExchangeRate::new(eur, eur, dec("1"), day, "ECB").unwrap_err();
        assert_eq!(
            e.to_string(),
            "a rate from EUR to EUR is always 1; record rates between two different currencies"
        );
        let e = ExchangeRate::new(eur, usd, dec("1.1"), day, "  ").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("the EUR→USD rate has no source; say where it came from")
        );
        let e = ExchangeRate::new(eur, usd, dec("1.12345678901"), day, "ECB").unwrap_err();
        assert_eq!(
            e.to_string(),
            "the EUR→USD rate 1.12345678901 has 11 decimal places; round it to at most 10"
        );
        assert!(ExchangeRate::new(eur, usd, dec("1.1234567890"), day, "ECB").is_ok());
    }

    #[test]
    fn typed_rates_are_read_like_amounts() {
        let day = date(2026, 9, 1);
        let r = ExchangeRate::parse("eur", "jpy", "16,250.5", day, "bank").unwrap();
        assert_eq!(r.rate(), dec("16250.5"));
        assert_eq!(r.from(), cur("EUR"));
        let e = ExchangeRate::parse("EUR", "USD", "1,08", day, "bank").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("the EUR→USD rate `1,08` is not a number: commas must separate"),
            "{e}"
        );
        let e = ExchangeRate::parse("EUR", "USD", "0.000", day, "bank").unwrap_err();
        assert!(matches!(e, MoneyError::RateNotPositive { .. }));
        let e = ExchangeRate::parse("EUR", "USD", "-0.5", day, "bank").unwrap_err();
        assert!(matches!(e, MoneyError::RateNotPositive { .. }));
        let e = ExchangeRate::parse("EUR", "EUX", "1", day, "bank").unwrap_err();
        assert!(matches!(e, MoneyError::UnknownCurrency { .. }));
        // Trailing zeros carry no precision, so they do not count.
        assert!(ExchangeRate::parse("EUR", "USD", "1.084200000000", day, "bank").is_ok());
    }

    #[test]
    fn a_rate_converts_both_ways_rounding_half_to_even() {
        let r = ExchangeRate::new(
            cur("EUR"),
            cur("JPY"),
            dec("162.5"),
            date(2026, 9, 1),
            "ECB",
        )
        .unwrap();
        let jpy = r.convert(Money::parse("1.00", "EUR").unwrap()).unwrap();
        assert_eq!(jpy.to_string(), "162 JPY"); // 162.5 is a tie: to even.
        let eur = r.convert(Money::parse("325", "JPY").unwrap()).unwrap();
        assert_eq!(eur.to_string(), "2.00 EUR");
        let e = r.convert(Money::parse("1", "USD").unwrap()).unwrap_err();
        assert!(matches!(e, MoneyError::CurrencyMismatch { .. }));
    }

    #[test]
    fn rates_serialise_with_the_rate_as_a_string_and_are_checked_when_read() {
        let r = ExchangeRate::new(
            cur("EUR"),
            cur("INR"),
            dec("90.25"),
            date(2026, 9, 1),
            "RBI",
        )
        .unwrap();
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(
            json,
            r#"{"from":"EUR","to":"INR","rate":"90.25","date":"2026-09-01","source":"RBI"}"#
        );
        assert_eq!(serde_json::from_str::<ExchangeRate>(&json).unwrap(), r);
        let zero = json.replace("90.25", "0");
        let e = serde_json::from_str::<ExchangeRate>(&zero).unwrap_err();
        assert!(e.to_string().contains("a rate of zero"), "{e}");
    }
}
