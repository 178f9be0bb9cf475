//! Currencies: ISO 4217 codes looked up in the embedded table, with a helpful
//! answer for codes that ISO has withdrawn.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::MoneyError;
use super::iso4217::CURRENCIES;

/// One row of the ISO 4217 table.
#[derive(Debug, PartialEq, Eq)]
pub struct CurrencyInfo {
    /// The alphabetic code, `EUR`.
    pub code: &'static str,
    /// The numeric code, `978`; shown with three digits (`008` for ALL).
    pub numeric: Option<u16>,
    /// ISO's English name, `Euro`, `Yen`, `Indian Rupee`.
    pub name: &'static str,
    /// Digits after the decimal point; `None` where ISO says "N.A.".
    pub minor_units: Option<u8>,
}

/// Codes withdrawn from ISO 4217 in recent years, with the code that replaced
/// each: an old report or a habit may still use them, and "unknown currency"
/// would be the wrong answer.
const WITHDRAWN: &[(&str, &str, &str)] = &[
    ("ANG", "Netherlands Antillean Guilder", "XCG"),
    ("BGN", "Bulgarian Lev", "EUR"),
    ("BYR", "Belarusian Ruble (2000–2016)", "BYN"),
    ("CUC", "Peso Convertible", "CUP"),
    ("CYP", "Cyprus Pound", "EUR"),
    ("EEK", "Kroon", "EUR"),
    ("GHC", "Cedi (until 2007)", "GHS"),
    ("HRK", "Kuna", "EUR"),
    ("LTL", "Lithuanian Litas", "EUR"),
    ("LVL", "Latvian Lats", "EUR"),
    ("MRO", "Ouguiya (until 2018)", "MRU"),
    ("MTL", "Maltese Lira", "EUR"),
    ("SIT", "Tolar", "EUR"),
    ("SKK", "Slovak Koruna", "EUR"),
    ("SLL", "Leone (until 2023)", "SLE"),
    ("STD", "Dobra (until 2018)", "STN"),
    ("VEF", "Bolívar (until 2018)", "VES"),
    ("ZMK", "Zambian Kwacha (until 2013)", "ZMW"),
    ("ZWL", "Zimbabwe Dollar", "ZWG"),
];

/// A currency that amounts can be recorded in: an ISO 4217 code that has a
/// minor unit. Cheap to copy (a reference into the static table); compares,
/// hashes, orders and serialises as its code.
#[derive(Clone, Copy)]
pub struct Currency(&'static CurrencyInfo);

impl Currency {
    /// Looks up a code, ignoring case and surrounding spaces (`eur`, ` EUR`).
    ///
    /// Codes ISO lists without a minor unit (XAU gold, XDR, XXX, …) are
    /// refused: an amount in them has no defined precision.
    pub fn from_code(code: &str) -> Result<Currency, MoneyError> {
        let written = code.trim();
        if written.is_empty() {
            return Err(MoneyError::MissingCurrency);
        }
        let upper = written.to_ascii_uppercase();
        if let Ok(i) = CURRENCIES.binary_search_by(|c| c.code.cmp(upper.as_str())) {
            let info = &CURRENCIES[i];
            return match info.minor_units {
                Some(_) => Ok(Currency(info)),
                None => Err(MoneyError::NoMinorUnit {
                    code: info.code,
                    name: info.name,
                }),
            };
        }
        match WITHDRAWN.iter().find(|(c, _, _)| *c == upper) {
            Some(&(code, name, replacement)) => Err(MoneyError::WithdrawnCurrency {
                code,
                name,
                replacement,
            }),
            None => Err(MoneyError::UnknownCurrency {
                code: written.to_owned(),
            }),
        }
    }

    /// Every currency amounts can be recorded in, by code (for pickers).
    pub fn all() -> impl Iterator<Item = Currency> {
        CURRENCIES
            .iter()
            .filter(|c| c.minor_units.is_some())
            .map(Currency)
    }

    /// The alphabetic code, `EUR`.
    pub fn code(self) -> &'static str {
        self.0.code
    }

    /// The numeric code, `978`.
    pub fn numeric(self) -> Option<u16> {
        self.0.numeric
    }

    /// ISO's English name, `Euro`.
    pub fn name(self) -> &'static str {
        self.0.name
    }

    /// Digits after the decimal point: JPY 0, EUR 2, KWD 3, CLF 4.
    pub fn minor_units(self) -> u8 {
        // `from_code` only builds currencies that have a minor unit.
        self.0.minor_units.unwrap_or(0)
    }

    /// The table row.
    pub fn info(self) -> &'static CurrencyInfo {
        self.0
    }
}

impl PartialEq for Currency {
    fn eq(&self, other: &Self) -> bool {
        self.code() == other.code()
    }
}

impl Eq for Currency {}

impl Hash for Currency {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.code().hash(state);
    }
}

impl PartialOrd for Currency {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Currency {
    fn cmp(&self, other: &Self) -> Ordering {
        self.code().cmp(other.code())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Currency").field(&self.code()).finish()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::from_code(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Currency::from_code(&code).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cur(code: &str) -> Currency {
        Currency::from_code(code).unwrap_or_else(|e| panic!("{code}: {e}"))
    }

    #[test]
    fn the_table_is_sorted_unique_and_well_formed() {
        assert!(
            CURRENCIES.windows(2).all(|w| w[0].code < w[1].code),
            "CURRENCIES must be sorted by code with no duplicates"
        );
        for c in &CURRENCIES {
            assert!(
                c.code.len() == 3 && c.code.bytes().all(|b| b.is_ascii_uppercase()),
                "{}",
                c.code
            );
            assert!(!c.name.is_empty() && c.name.trim() == c.name, "{}", c.code);
            assert!(
                c.numeric.is_some_and(|n| (1..=999).contains(&n)),
                "{}",
                c.code
            );
            assert!(c.minor_units.is_none_or(|m| m <= 4), "{}", c.code);
        }
        assert!(CURRENCIES.len() >= 175, "{} rows", CURRENCIES.len());
        assert!(
            WITHDRAWN
                .iter()
                .all(|(c, _, _)| !CURRENCIES.iter().any(|x| x.code == *c))
        );
        assert!(
            WITHDRAWN
                .iter()
                .all(|(_, _, r)| Currency::from_code(r).is_ok())
        );
    }

    #[test]
    fn minor_units_follow_iso_4217() {
        let table = [
            ("JPY", 0),
            ("KRW", 0),
            ("CLP", 0),
            ("ISK", 0),
            ("EUR", 2),
            ("USD", 2),
            ("INR", 2),
            ("GBP", 2),
            ("KWD", 3),
            ("BHD", 3),
            ("JOD", 3),
            ("OMR", 3),
            ("TND", 3),
            ("IQD", 3),
            ("LYD", 3),
            ("CLF", 4),
            ("UYW", 4),
        ];
        for (code, digits) in table {
            assert_eq!(cur(code).minor_units(), digits, "{code}");
        }
    }

    #[test]
    fn codes_are_read_in_any_case_and_carry_name_and_number() {
        let eur = cur(" eur ");
        assert_eq!(eur.code(), "EUR");
        assert_eq!(eur.name(), "Euro");
        assert_eq!(eur.numeric(), Some(978));
        assert_eq!(cur("Inr").name(), "Indian Rupee");
        assert_eq!(cur("ALL").numeric(), Some(8));
        assert_eq!("usd".parse::<Currency>().unwrap(), cur("USD"));
    }

    #[test]
    fn unknown_codes_are_named_with_examples_of_valid_ones() {
        let e = Currency::from_code("EUX").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown currency `EUX`; use an ISO 4217 code such as EUR, USD, INR"
        );
        for bad in ["EU", "EURO", "€", "12"] {
            assert!(matches!(
                Currency::from_code(bad),
                Err(MoneyError::UnknownCurrency { .. })
            ));
        }
        assert_eq!(
            Currency::from_code("  ").unwrap_err().to_string(),
            "no currency given; use an ISO 4217 code such as EUR, USD, INR"
        );
    }

    #[test]
    fn withdrawn_codes_point_at_their_replacement() {
        let e = Currency::from_code("hrk").unwrap_err();
        assert_eq!(
            e.to_string(),
            "`HRK` (Kuna) is no longer an ISO 4217 currency; record the amount in EUR, which replaced it"
        );
        assert!(
            Currency::from_code("BGN")
                .unwrap_err()
                .to_string()
                .contains("EUR")
        );
        assert!(
            Currency::from_code("ANG")
                .unwrap_err()
                .to_string()
                .contains("XCG")
        );
    }

    #[test]
    fn codes_without_a_minor_unit_cannot_hold_money() {
        for code in ["XAU", "XDR", "XXX", "XTS"] {
            let e = Currency::from_code(code).unwrap_err();
            assert!(matches!(e, MoneyError::NoMinorUnit { .. }), "{code}");
            assert!(e.to_string().contains(code), "{e}");
        }
        assert!(Currency::all().all(|c| c.code() != "XAU"));
        assert!(Currency::all().count() > 160);
    }

    #[test]
    fn currencies_serialise_as_their_code() {
        let inr = cur("INR");
        assert_eq!(serde_json::to_string(&inr).unwrap(), "\"INR\"");
        assert_eq!(serde_json::from_str::<Currency>("\"inr\"").unwrap(), inr);
        let e = serde_json::from_str::<Currency>("\"EUX\"").unwrap_err();
        assert!(e.to_string().contains("unknown currency `EUX`"), "{e}");
        assert_eq!(format!("{inr:?}"), "Currency(\"INR\")");
    }
}
