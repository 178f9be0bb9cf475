//! Tests of amounts, staff time, rate selection and totals, with property
//! tests for the arithmetic.

use jiff::civil::{Date, date};
use proptest::prelude::*;

use super::*;

fn cur(code: &str) -> Currency {
    Currency::from_code(code).unwrap_or_else(|e| panic!("{code}: {e}"))
}

fn money(amount: &str, code: &str) -> Money {
    Money::parse(amount, code).unwrap_or_else(|e| panic!("{amount} {code}: {e}"))
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn rate(from: &str, to: &str, r: &str, on: Date, source: &str) -> ExchangeRate {
    ExchangeRate::new(cur(from), cur(to), dec(r), on, source).unwrap()
}

// ---- parsing, validation, display ----

#[test]
fn amounts_parse_and_display_with_the_currencys_minor_digits() {
    let table = [
        // (typed, code, displayed)
        ("1234.5", "EUR", "1,234.50 EUR"),
        ("1,234.50", "eur", "1,234.50 EUR"),
        ("0", "EUR", "0.00 EUR"),
        ("-0", "EUR", "0.00 EUR"),
        ("-12.3", "USD", "-12.30 USD"),
        ("1,234,567.89", "USD", "1,234,567.89 USD"),
        ("999999999999999.99", "USD", "999,999,999,999,999.99 USD"),
        ("1235", "JPY", "1,235 JPY"),
        ("1,000,000", "JPY", "1,000,000 JPY"),
        ("-7", "JPY", "-7 JPY"),
        ("12,34,567.5", "INR", "1,234,567.50 INR"),
        ("100", "INR", "100.00 INR"),
        ("-3", "KWD", "-3.000 KWD"),
        ("1.5", "KWD", "1.500 KWD"),
        ("0.125", "KWD", "0.125 KWD"),
        ("  7.25  ", "USD", "7.25 USD"),
        ("0.0001", "CLF", "0.0001 CLF"),
    ];
    for (typed, code, shown) in table {
        assert_eq!(money(typed, code).to_string(), shown, "{typed} {code}");
    }
}

#[test]
fn more_decimal_places_than_the_currency_has_are_refused() {
    let table = [
        (
            "12.345",
            "EUR",
            "12.345 has 3 decimal places, but EUR has 2; round it to 2 decimal places",
        ),
        (
            "12.500",
            "EUR",
            "12.500 has 3 decimal places, but EUR has 2; round it to 2 decimal places",
        ),
        (
            "1.5",
            "JPY",
            "1.5 has 1 decimal place, but JPY has none; round it to a whole number",
        ),
        (
            "100.0",
            "JPY",
            "100.0 has 1 decimal place, but JPY has none; round it to a whole number",
        ),
        (
            "9.999",
            "INR",
            "9.999 has 3 decimal places, but INR has 2; round it to 2 decimal places",
        ),
        (
            "1.2345",
            "KWD",
            "1.2345 has 4 decimal places, but KWD has 3; round it to 3 decimal places",
        ),
        (
            "0.001",
            "USD",
            "0.001 has 3 decimal places, but USD has 2; round it to 2 decimal places",
        ),
    ];
    for (typed, code, message) in table {
        let e = Money::parse(typed, code).unwrap_err();
        assert!(
            matches!(e, MoneyError::TooManyDecimals { .. }),
            "{typed} {code}"
        );
        assert_eq!(e.to_string(), message);
    }
}

#[test]
fn things_that_are_not_amounts_are_refused_naming_the_value() {
    let table = [
        ("abc", "EUR", "`abc` is not an amount: use digits"),
        (
            "12,50",
            "EUR",
            "`12,50` is not an amount: commas must separate groups of three",
        ),
        (
            "1.234,50",
            "EUR",
            "`1.234,50` is not an amount: commas group thousands",
        ),
        (
            "$12",
            "USD",
            "`$12` is not an amount: leave out the currency symbol",
        ),
        (
            "₹500",
            "INR",
            "`₹500` is not an amount: leave out the currency symbol",
        ),
        (
            "1e6",
            "JPY",
            "`1e6` is not an amount: write the number out in full",
        ),
        (
            "1 000",
            "KWD",
            "`1 000` is not an amount: remove the spaces",
        ),
        ("NaN", "USD", "`NaN` is not an amount"),
        (
            "--5",
            "USD",
            "`--5` is not an amount: put the minus sign first",
        ),
    ];
    for (typed, code, start) in table {
        let e = Money::parse(typed, code).unwrap_err();
        assert!(e.to_string().starts_with(start), "{typed}: {e}");
    }
    assert_eq!(
        Money::parse(" ", "EUR").unwrap_err().to_string(),
        "no amount given; enter a number such as 1234.50"
    );
    assert_eq!(
        Money::parse("1", "EUX").unwrap_err().to_string(),
        "unknown currency `EUX`; use an ISO 4217 code such as EUR, USD, INR"
    );
    let e = Money::parse("1,000,000,000,000,000", "USD").unwrap_err();
    assert_eq!(
        e.to_string(),
        "`1,000,000,000,000,000` is too large: amounts have at most 15 digits before the decimal point"
    );
    // Leading zeros do not count towards the limit.
    assert!(Money::parse("0000999999999999999", "JPY").is_ok());
}

#[test]
fn loss_amounts_cannot_be_negative() {
    for (typed, code) in [
        ("-0.01", "EUR"),
        ("-5", "JPY"),
        ("-1,234.5", "INR"),
        ("-0.001", "KWD"),
        ("-1", "USD"),
    ] {
        let e = Money::parse_non_negative(typed, code).unwrap_err();
        assert!(matches!(e, MoneyError::Negative { .. }), "{typed} {code}");
    }
    assert_eq!(
        Money::parse_non_negative("-5", "EUR")
            .unwrap_err()
            .to_string(),
        "-5.00 EUR is negative; a loss is recorded as a positive amount (5.00 EUR)"
    );
    assert!(Money::parse_non_negative("0", "JPY").unwrap().is_zero());
    assert!(Money::parse_non_negative("-0.00", "USD").unwrap().is_zero());
    assert_eq!(
        money("12", "USD"),
        Money::parse_non_negative("12.00", "USD").unwrap()
    );
}

#[test]
fn money_built_by_programs_ignores_trailing_zeros_but_not_real_digits() {
    let eur = cur("EUR");
    assert_eq!(
        Money::new(dec("12.500"), eur).unwrap().to_string(),
        "12.50 EUR"
    );
    let e = Money::new(dec("12.345"), eur).unwrap_err();
    assert_eq!(
        e.to_string(),
        "12.345 has 3 decimal places, but EUR has 2; round it to 2 decimal places"
    );
    assert_eq!(
        Money::new_rounded(dec("2.5"), cur("JPY")).to_string(),
        "2 JPY"
    );
    assert_eq!(Money::zero(cur("KWD")).to_string(), "0.000 KWD");
}

#[test]
fn amounts_in_one_currency_add_and_subtract_and_others_are_refused() {
    let initial = money("1,000", "EUR");
    let last = money("1,250.75", "EUR");
    assert_eq!(last.checked_sub(initial).unwrap().to_string(), "250.75 EUR");
    assert_eq!(
        initial.checked_sub(last).unwrap().to_string(),
        "-250.75 EUR"
    );
    assert_eq!(
        initial.checked_add(last).unwrap().to_string(),
        "2,250.75 EUR"
    );
    let e = initial.checked_add(money("1", "USD")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot combine EUR with USD; convert one of them with an exchange rate first"
    );
}

#[test]
fn equal_amounts_compare_equal_whatever_was_typed() {
    assert_eq!(money("1234.5", "EUR"), money("1,234.50", "EUR"));
    assert_ne!(money("1", "EUR"), money("1", "USD"));
}

#[test]
fn money_serialises_the_amount_as_a_decimal_string() {
    let m = money("1234.5", "EUR");
    let json = serde_json::to_string(&m).unwrap();
    assert_eq!(json, r#"{"amount":"1234.50","currency":"EUR"}"#);
    assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m);
    assert_eq!(
        serde_json::to_string(&money("1235", "JPY")).unwrap(),
        r#"{"amount":"1235","currency":"JPY"}"#
    );
    // A JSON number could have been a float somewhere on its way: refused.
    assert!(serde_json::from_str::<Money>(r#"{"amount":1.5,"currency":"EUR"}"#).is_err());
    let e = serde_json::from_str::<Money>(r#"{"amount":"1.5","currency":"JPY"}"#).unwrap_err();
    assert!(e.to_string().contains("but JPY has none"), "{e}");
}

// ---- staff time ----

#[test]
fn staff_time_is_hours_times_rate_rounded_half_to_even() {
    let table = [
        ("2.5", "80.00", "EUR", "200.00 EUR"),
        ("0", "80.00", "EUR", "0.00 EUR"),
        ("1,000", "95.50", "USD", "95,500.00 USD"),
        ("1.5", "12.345", "KWD", "18.518 KWD"), // 18.5175: a tie, to even
        ("0.5", "12.25", "INR", "6.12 INR"),    // 6.125: a tie, to even
        ("0.5", "12.27", "INR", "6.14 INR"),    // 6.135: a tie, to even
        ("0.5", "4501", "JPY", "2,250 JPY"),    // 2250.5: a tie, to even
        ("0.5", "4503", "JPY", "2,252 JPY"),    // 2251.5: a tie, to even
        ("7.75", "1,500", "JPY", "11,625 JPY"),
    ];
    for (hours, amount, code, expected) in table {
        let cost = staff_time(hours, money(amount, code)).unwrap();
        assert_eq!(cost.to_string(), expected, "{hours} h × {amount} {code}");
    }
}

#[test]
fn staff_time_refuses_impossible_hours_and_rates() {
    let rate = money("80", "EUR");
    let table = [
        (
            "-1",
            "hours `-1` is negative; enter the time spent as zero or more hours",
        ),
        (
            "1.125",
            "hours `1.125` has 3 decimal places; use at most 2, as in 1.25 for an hour and a quarter",
        ),
        ("two", "hours `two` is not a number: use digits"),
        (
            "",
            "hours `` is not a number: enter the hours spent, as in 2.5",
        ),
    ];
    for (hours, message) in table {
        let e = staff_time(hours, rate).unwrap_err();
        assert!(e.to_string().starts_with(message), "{hours}: {e}");
    }
    assert!(staff_time("-0", rate).unwrap().is_zero());
    let e = staff_time("1", money("-80", "EUR")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the hourly rate -80.00 EUR is negative; enter it as a positive amount"
    );
}

// ---- banker's rounding ----

#[test]
fn totals_round_ties_to_the_even_digit() {
    let eur = cur("EUR");
    let day = date(2026, 9, 14);
    // Ties from a conversion: 1 KWD → EUR at x, so the exact total is x.
    let table = [
        ("0.125", "0.12 EUR"),
        ("0.135", "0.14 EUR"),
        ("0.145", "0.14 EUR"),
        ("2.675", "2.68 EUR"),
        ("2.665", "2.66 EUR"),
        ("0.1251", "0.13 EUR"), // above the tie: up
        ("0.1349", "0.13 EUR"), // below the tie: down
    ];
    for (r, expected) in table {
        let rates = [rate("KWD", "EUR", r, date(2026, 9, 1), "test")];
        let total = total_in(&[money("1", "KWD")], eur, day, &rates);
        assert_eq!(total.amount.unwrap().to_string(), expected, "rate {r}");
    }
    // Negative ties round to even too (a correction entry, say).
    let rates = [rate("KWD", "EUR", "0.125", date(2026, 9, 1), "test")];
    let total = total_in(&[money("-1", "KWD")], eur, day, &rates);
    assert_eq!(total.amount.unwrap().to_string(), "-0.12 EUR");
}

#[test]
fn a_total_rounds_once_not_per_currency() {
    // 1 USD and 1 GBP each convert to 0.125 EUR; rounding each first would
    // give 0.12 + 0.12 = 0.24, but the exact sum 0.25 is what was lost.
    let rates = [
        rate("USD", "EUR", "0.125", date(2026, 9, 1), "test"),
        rate("GBP", "EUR", "0.125", date(2026, 9, 1), "test"),
    ];
    let entries = [money("1", "USD"), money("1", "GBP")];
    let total = total_in(&entries, cur("EUR"), date(2026, 9, 14), &rates);
    assert_eq!(total.amount.unwrap().to_string(), "0.25 EUR");
}

// ---- rate selection ----

fn used_rate(total: &Total) -> (Decimal, Date, bool) {
    let u = &total.rates_used[0];
    (u.rate, u.date, u.inverted)
}

#[test]
fn the_rate_used_is_the_latest_on_or_before_the_date_never_after() {
    let rates = [
        rate("USD", "EUR", "0.90", date(2026, 8, 1), "ECB"),
        rate("USD", "EUR", "0.95", date(2026, 9, 20), "ECB"), // after: not yet known
        rate("USD", "EUR", "0.92", date(2026, 9, 14), "ECB"), // on the day: used
        rate("USD", "EUR", "0.91", date(2026, 9, 1), "ECB"),
    ];
    let entries = [money("100", "USD")];
    let eur = cur("EUR");
    let table = [
        (date(2026, 9, 14), "0.92", date(2026, 9, 14), "92.00 EUR"),
        (date(2026, 9, 13), "0.91", date(2026, 9, 1), "91.00 EUR"),
        (date(2026, 8, 1), "0.90", date(2026, 8, 1), "90.00 EUR"),
        (date(2026, 12, 31), "0.95", date(2026, 9, 20), "95.00 EUR"),
    ];
    for (on, r, recorded, expected) in table {
        let total = total_in(&entries, eur, on, &rates);
        assert_eq!(used_rate(&total), (dec(r), recorded, false), "on {on}");
        assert_eq!(total.amount.unwrap().to_string(), expected, "on {on}");
    }
    let before_any = total_in(&entries, eur, date(2026, 7, 31), &rates);
    assert_eq!(before_any.amount, None);
    assert_eq!(before_any.missing, vec![(cur("USD"), eur)]);
}

#[test]
fn of_two_rates_for_the_same_day_the_later_recorded_wins() {
    let rates = [
        rate("USD", "EUR", "0.90", date(2026, 9, 1), "first"),
        rate("USD", "EUR", "0.91", date(2026, 9, 1), "correction"),
    ];
    let total = total_in(&[money("100", "USD")], cur("EUR"), date(2026, 9, 2), &rates);
    assert_eq!(total.rates_used[0].source, "correction");
}

#[test]
fn without_a_direct_rate_the_inverse_is_used_and_says_so() {
    let rates = [
        rate("EUR", "JPY", "160", date(2026, 9, 1), "ECB"),
        rate("EUR", "JPY", "170", date(2026, 10, 1), "ECB"), // after the date
    ];
    let total = total_in(
        &[money("16,250", "JPY")],
        cur("EUR"),
        date(2026, 9, 14),
        &rates,
    );
    assert_eq!(total.amount.unwrap().to_string(), "101.56 EUR"); // 101.5625
    let used = &total.rates_used[0];
    assert_eq!(
        (used.from, used.to, used.rate, used.inverted),
        (cur("JPY"), cur("EUR"), dec("160"), true)
    );
    assert_eq!(
        used.describe(),
        "JPY→EUR at 1 / 160 (the inverse of the EUR→JPY rate of 2026-09-01, ECB)"
    );
}

#[test]
fn a_direct_rate_is_preferred_to_a_newer_inverse() {
    let rates = [
        rate("JPY", "EUR", "0.00625", date(2026, 8, 1), "bank"),
        rate("EUR", "JPY", "170", date(2026, 9, 1), "ECB"),
    ];
    let total = total_in(
        &[money("1,000", "JPY")],
        cur("EUR"),
        date(2026, 9, 14),
        &rates,
    );
    assert_eq!(used_rate(&total), (dec("0.00625"), date(2026, 8, 1), false));
    assert_eq!(total.amount.unwrap().to_string(), "6.25 EUR");
}

#[test]
fn a_missing_rate_leaves_the_total_uncomputed_and_says_which() {
    let rates = [
        rate("USD", "EUR", "0.92", date(2026, 9, 1), "ECB"),
        rate("JPY", "USD", "0.0068", date(2026, 9, 1), "ECB"), // not to EUR: no use
    ];
    let entries = [
        money("1,000", "JPY"),
        money("10", "USD"),
        money("5", "INR"),
        money("2,000", "JPY"),
    ];
    let total = total_in(&entries, cur("EUR"), date(2026, 9, 14), &rates);
    assert_eq!(total.amount, None);
    assert!(!total.is_complete());
    assert_eq!(
        total.missing,
        vec![(cur("JPY"), cur("EUR")), (cur("INR"), cur("EUR"))]
    );
    assert_eq!(
        total.describe(),
        vec![
            "no total in EUR: 2 exchange rates are missing",
            "USD→EUR at 0.92 (rate of 2026-09-01, ECB)",
            "needs a rate for JPY→EUR on or before 2026-09-14",
            "needs a rate for INR→EUR on or before 2026-09-14",
        ]
    );
    // The sums per currency are still there to show.
    let sums: Vec<String> = total.by_currency.iter().map(Money::to_string).collect();
    assert_eq!(sums, ["3,000 JPY", "10.00 USD", "5.00 INR"]);
}

// ---- totals ----

#[test]
fn mixed_currencies_add_up_in_the_reporting_currency() {
    let on = date(2026, 9, 14);
    let rates = [
        rate(
            "USD",
            "EUR",
            "0.9215",
            date(2026, 9, 12),
            "ECB reference rate",
        ),
        rate(
            "EUR",
            "JPY",
            "162.5",
            date(2026, 9, 12),
            "ECB reference rate",
        ),
        rate("INR", "EUR", "0.0108", date(2026, 9, 1), "RBI"),
        rate("KWD", "EUR", "2.9876", date(2026, 9, 10), "CBK"),
    ];
    let entries = [
        money("1,234.50", "EUR"),
        money("2,000", "USD"),
        money("100,000", "JPY"),
        money("1,50,000", "INR"),
        money("0.5", "EUR"),
        money("3.250", "KWD"),
        money("-100", "USD"),
    ];
    let total = total_in(&entries, cur("EUR"), on, &rates);
    // 1235.00 + 1900 × 0.9215 + 100000 / 162.5 + 150000 × 0.0108 + 3.25 × 2.9876
    // = 1235 + 1750.85 + 615.384615… + 1620 + 9.7097 = 5230.944315… → 5230.94
    assert_eq!(total.amount.unwrap().to_string(), "5,230.94 EUR");
    let sums: Vec<String> = total.by_currency.iter().map(Money::to_string).collect();
    assert_eq!(
        sums,
        [
            "1,235.00 EUR",
            "1,900.00 USD",
            "100,000 JPY",
            "150,000.00 INR",
            "3.250 KWD"
        ]
    );
    let used: Vec<(&str, bool)> = total
        .rates_used
        .iter()
        .map(|u| (u.from.code(), u.inverted))
        .collect();
    assert_eq!(
        used,
        [
            ("USD", false),
            ("JPY", true),
            ("INR", false),
            ("KWD", false)
        ]
    );
    assert!(total.missing.is_empty());
    assert_eq!(total.describe()[0], "total: 5,230.94 EUR");
    assert_eq!(total.describe().len(), 5);
}

#[test]
fn no_entries_total_zero_and_one_currency_needs_no_rate() {
    let jpy = cur("JPY");
    let total = total_in(&[], jpy, date(2026, 9, 14), &[]);
    assert_eq!(total.amount, Some(Money::zero(jpy)));
    assert!(total.by_currency.is_empty());
    let total = total_in(
        &[money("1", "JPY"), money("2", "JPY")],
        jpy,
        date(2026, 9, 14),
        &[],
    );
    assert_eq!(total.amount.unwrap().to_string(), "3 JPY");
    assert!(total.rates_used.is_empty());
}

#[test]
fn a_total_serialises_with_its_rates_and_gaps() {
    let rates = [rate("USD", "EUR", "0.92", date(2026, 9, 1), "ECB")];
    let total = total_in(
        &[money("10", "USD"), money("1", "JPY")],
        cur("EUR"),
        date(2026, 9, 14),
        &rates,
    );
    let json = serde_json::to_value(&total).unwrap();
    assert_eq!(json["amount"], serde_json::Value::Null);
    assert_eq!(json["missing"], serde_json::json!([["JPY", "EUR"]]));
    assert_eq!(json["rates_used"][0]["rate"], "0.92");
    assert_eq!(json["by_currency"][0]["amount"], "10.00");
}

#[test]
fn an_overflowing_total_says_so_instead_of_panicking() {
    let huge = Money::new(Decimal::MAX, cur("JPY")).unwrap();
    let total = total_in(&[huge, huge], cur("JPY"), date(2026, 9, 14), &[]);
    assert!(total.too_large);
    assert_eq!(total.amount, None);
    assert_eq!(
        total.describe()[0],
        "no total in JPY: the sum is too large to compute exactly"
    );
}

// ---- properties ----

/// Currencies with 0, 2, 3 and 4 minor digits.
const CODES: [&str; 6] = ["JPY", "EUR", "USD", "INR", "KWD", "CLF"];

fn any_money() -> impl Strategy<Value = Money> {
    (
        0..CODES.len(),
        -999_999_999_999_999i64..=999_999_999_999_999i64,
        0u32..=4,
    )
        .prop_map(|(i, units, extra)| {
            let currency = cur(CODES[i]);
            // `units` minor units, shifted so that small amounts are common too.
            let scale = u32::from(currency.minor_units());
            let amount = Decimal::new(units / 10i64.pow(extra), scale);
            Money::new(amount, currency).unwrap()
        })
}

fn any_rate() -> impl Strategy<Value = Decimal> {
    (1i64..=99_999_999_999, 0u32..=10).prop_map(|(m, scale)| Decimal::new(m, scale))
}

proptest! {
    #[test]
    fn display_then_parse_gives_back_the_same_money(m in any_money()) {
        let shown = m.format_amount();
        let back = Money::parse(&shown, m.currency().code()).unwrap();
        prop_assert_eq!(back, m);
        prop_assert_eq!(back.to_string(), m.to_string());
        let json = serde_json::to_string(&m).unwrap();
        prop_assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m);
    }

    #[test]
    fn summing_does_not_depend_on_the_order_of_the_entries(
        (entries, shuffled) in prop::collection::vec(any_money(), 0..12)
            .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle())),
        rates in prop::collection::vec(any_rate(), CODES.len()),
    ) {
        let day = date(2026, 9, 1);
        let eur = cur("EUR");
        let rates: Vec<ExchangeRate> = CODES
            .iter()
            .zip(&rates)
            .filter(|(code, _)| **code != "EUR")
            .map(|(code, r)| ExchangeRate::new(cur(code), eur, *r, day, "test").unwrap())
            .collect();
        let a = total_in(&entries, eur, day, &rates);
        let b = total_in(&shuffled, eur, day, &rates);
        prop_assert_eq!(a.amount, b.amount);
        prop_assert!(a.amount.is_some());
        let mut sums_a = a.by_currency.clone();
        let mut sums_b = b.by_currency.clone();
        sums_a.sort_by_key(|m| m.currency());
        sums_b.sort_by_key(|m| m.currency());
        prop_assert_eq!(sums_a, sums_b);
    }

    #[test]
    fn converting_and_converting_back_with_the_inverse_is_off_by_at_most_one_minor_unit(
        m in any_money(),
        step in 1..CODES.len(),
        r in any_rate(),
    ) {
        let from = m.currency();
        let here = CODES.iter().position(|c| *c == from.code()).unwrap();
        let to = cur(CODES[(here + step) % CODES.len()]);
        // Only where one minor unit of `from` is worth at least one of `to`:
        // otherwise the trip out rounds away what no way back can restore.
        let from_unit = Decimal::new(1, u32::from(from.minor_units()));
        let to_unit = Decimal::new(1, u32::from(to.minor_units()));
        let r = if from_unit * r >= to_unit { r } else { r + to_unit / from_unit };
        let day = date(2026, 9, 1);
        let rate = ExchangeRate::new(from, to, r, day, "test").unwrap();
        let there = rate.convert(m).unwrap();
        // Back through a total, which finds only the from→to rate and
        // inverts it.
        let total = total_in(&[there], from, day, std::slice::from_ref(&rate));
        prop_assert!(total.rates_used[0].inverted);
        let back = total.amount.unwrap();
        let off = (back.amount() - m.amount()).abs();
        prop_assert!(off <= from_unit, "{} → {} → {} (rate {})", m, there, back, r);
    }
}
