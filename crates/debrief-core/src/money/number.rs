//! Reading decimal numbers as people type them into a form: digits, an
//! optional `.` and optional comma separators. Hand-written so that every way
//! a value can be wrong gets its own hint, and so that the number of decimal
//! places *as written* is known (`12.500` has three, which matters: see
//! [`super::Money::parse`]).

use rust_decimal::Decimal;

/// The most digits before the decimal point an entered number may have. A
/// quadrillion is far beyond any loss, even in currencies with tiny units
/// (IRR, VND), and it leaves `Decimal`'s 28 digits room for the fraction,
/// the rate and the sums of a total.
pub(super) const MAX_INTEGER_DIGITS: usize = 15;

/// A number as written, before it becomes a `Decimal`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Written {
    pub negative: bool,
    /// The digits before the point, separators removed, leading zeros kept.
    pub integer: String,
    /// The digits after the point, exactly as written (trailing zeros kept).
    pub fraction: String,
}

impl Written {
    /// Decimal places as written: `12.50` has two.
    pub fn places(&self) -> usize {
        self.fraction.len()
    }

    /// Decimal places that carry value: `12.50` has one.
    pub fn significant_places(&self) -> usize {
        self.fraction.trim_end_matches('0').len()
    }

    /// Whether the integer part has more than [`MAX_INTEGER_DIGITS`] digits.
    pub fn too_large(&self) -> bool {
        self.integer.trim_start_matches('0').len() > MAX_INTEGER_DIGITS
    }

    /// The exact value, keeping at most `places` decimal places (the caller
    /// has checked that the dropped ones are zeros). `None` when it does not
    /// fit, which the caller has ruled out with [`Written::too_large`].
    pub fn to_decimal(&self, places: usize) -> Option<Decimal> {
        let fraction = &self.fraction[..places.min(self.fraction.len())];
        let integer = self.integer.trim_start_matches('0');
        let digits = format!("{integer}{fraction}");
        if digits.len() > 28 {
            return None;
        }
        let mantissa: i128 = if digits.is_empty() {
            0
        } else {
            digits.parse().ok()?
        };
        let mut value = Decimal::try_from_i128_with_scale(mantissa, fraction.len() as u32).ok()?;
        // `-0` is zero: no sign, so that it prints and compares as `0`.
        value.set_sign_negative(self.negative && !value.is_zero());
        Some(value)
    }
}

/// Reads `-1,234.50`, `1234.5`, `12,34,567.00` (Indian lakh grouping, as INR
/// amounts are commonly written). On failure, returns a hint that says how to
/// write the number instead.
pub(super) fn read(input: &str) -> Result<Written, &'static str> {
    let (negative, body) = match input.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, input),
    };
    if let Some(bad) = body
        .chars()
        .find(|c| !c.is_ascii_digit() && *c != ',' && *c != '.')
    {
        return Err(match bad {
            'e' | 'E' => "write the number out in full, without an exponent",
            c if c.is_whitespace() => {
                "remove the spaces; use commas to group thousands, as in 1,234.50"
            }
            '$' | '€' | '£' | '¥' | '₹' => {
                "leave out the currency symbol: the currency is given separately"
            }
            '-' => "put the minus sign first, as in -12.50",
            _ => {
                "use digits with `.` as the decimal point and optional commas for thousands, as in 1234.50 or 1,234.50"
            }
        });
    }
    let (integer, fraction) = match body.split_once('.') {
        Some((_, f)) if f.contains('.') => return Err("it has more than one decimal point"),
        Some((_, f)) if f.contains(',') => {
            return Err(
                "commas group thousands and cannot follow the decimal point; the decimal point is `.`, as in 1,234.50",
            );
        }
        Some(("", _)) => return Err("write a digit before the decimal point, as in 0.50"),
        Some((_, "")) => {
            return Err("write digits after the decimal point, or leave the point out");
        }
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    if integer.is_empty() {
        return Err("no digits; enter a number such as 1234.50");
    }
    let groups: Vec<&str> = integer.split(',').collect();
    if groups.len() > 1 && !(western_groups(&groups) || indian_groups(&groups)) {
        return Err(
            "commas must separate groups of three digits, as in 1,234,567.50 (or lakh groups, as in 12,34,567.50); the decimal point is `.`",
        );
    }
    Ok(Written {
        negative,
        integer: groups.concat(),
        fraction: fraction.to_owned(),
    })
}

/// `1,234,567`: a first group of one to three digits, then groups of three.
fn western_groups(groups: &[&str]) -> bool {
    (1..=3).contains(&groups[0].len()) && groups[1..].iter().all(|g| g.len() == 3)
}

/// `12,34,567`: a first group of one or two digits, groups of two, and a last
/// group of three.
fn indian_groups(groups: &[&str]) -> bool {
    let (last, rest) = groups
        .split_last()
        .expect("split yields at least one group");
    last.len() == 3 && (1..=2).contains(&rest[0].len()) && rest[1..].iter().all(|g| g.len() == 2)
}

/// `1234567` → `1,234,567`.
pub(super) fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> (bool, String, String) {
        let w = read(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        (w.negative, w.integer, w.fraction)
    }

    #[test]
    fn plain_and_grouped_numbers_are_read_digit_for_digit() {
        let w = |n: bool, i: &str, f: &str| (n, i.to_owned(), f.to_owned());
        assert_eq!(ok("1234.5"), w(false, "1234", "5"));
        assert_eq!(ok("1,234.50"), w(false, "1234", "50"));
        assert_eq!(ok("-1,234,567"), w(true, "1234567", ""));
        assert_eq!(ok("12,34,567.00"), w(false, "1234567", "00"));
        assert_eq!(ok("0.125"), w(false, "0", "125"));
    }

    #[test]
    fn badly_placed_commas_and_points_get_a_hint() {
        for bad in ["12,50", "1,2345", "1234,567", "1,234,56", "123,45,678"] {
            let hint = read(bad).unwrap_err();
            assert!(hint.contains("groups of three"), "{bad}: {hint}");
        }
        assert!(
            read("1.2.3")
                .unwrap_err()
                .contains("more than one decimal point")
        );
        assert!(
            read("1.234,50")
                .unwrap_err()
                .contains("cannot follow the decimal point")
        );
        assert!(read(".5").unwrap_err().contains("before the decimal point"));
        assert!(read("5.").unwrap_err().contains("after the decimal point"));
        assert!(read("-").unwrap_err().contains("no digits"));
    }

    #[test]
    fn foreign_characters_are_named_in_the_hint() {
        assert!(read("1e5").unwrap_err().contains("exponent"));
        assert!(read("1 234").unwrap_err().contains("spaces"));
        assert!(read("€12").unwrap_err().contains("currency symbol"));
        assert!(read("12-").unwrap_err().contains("minus sign first"));
        assert!(read("twelve").unwrap_err().contains("digits"));
    }

    #[test]
    fn digits_group_in_threes_from_the_right() {
        assert_eq!(group_thousands("0"), "0");
        assert_eq!(group_thousands("123"), "123");
        assert_eq!(group_thousands("1234"), "1,234");
        assert_eq!(group_thousands("1234567"), "1,234,567");
    }

    #[test]
    fn minus_zero_becomes_plain_zero() {
        let z = read("-0.00").unwrap().to_decimal(2).unwrap();
        assert!(!z.is_sign_negative());
        assert_eq!(z.to_string(), "0.00");
    }
}
