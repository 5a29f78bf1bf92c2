//! Exact decimals for money, quantities and rates, and the currencies invoices are written in.
//!
//! JSON carries them as strings (`"1234.50"`): a JavaScript client would read a number as a
//! float, and a float cannot hold a cent exactly.

use std::borrow::Cow;
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Mul, Neg, Sub};
use std::str::FromStr;

use rust_decimal::RoundingStrategy;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::validation::parse_enum;

/// An exact decimal number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Decimal(rust_decimal::Decimal);

impl Decimal {
    pub const ZERO: Decimal = Decimal(rust_decimal::Decimal::ZERO);
    pub const ONE: Decimal = Decimal(rust_decimal::Decimal::ONE);
    pub const HUNDRED: Decimal = Decimal(rust_decimal::Decimal::ONE_HUNDRED);

    pub fn from_int(n: i64) -> Self {
        Decimal(rust_decimal::Decimal::from(n))
    }

    /// `mantissa × 10^-scale`: `Decimal::new(1950, 2)` is 19.50.
    pub fn new(mantissa: i64, scale: u32) -> Self {
        Decimal(rust_decimal::Decimal::new(mantissa, scale))
    }

    /// A measured float (an area's m², minutes of work) as a decimal of `places` decimals;
    /// `None` for what is not a finite number.
    pub fn from_f64(x: f64, places: u32) -> Option<Self> {
        rust_decimal::Decimal::try_from(x)
            .ok()
            .map(|d| Decimal(d).round_to(places))
    }

    /// Rounded to `places` decimals, halves away from zero (commercial rounding, as EN 16931
    /// amounts are rounded).
    pub fn round_to(self, places: u32) -> Self {
        Decimal(
            self.0
                .round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero),
        )
    }

    /// An amount of money: rounded to two decimals, and written with both (`0.00`).
    pub fn cents(self) -> Self {
        let mut rounded = self.round_to(2).0;
        rounded.rescale(2);
        Decimal(rounded)
    }

    /// `self / by`, or `None` when `by` is zero.
    pub fn checked_div(self, by: Decimal) -> Option<Decimal> {
        self.0.checked_div(by.0).map(Decimal)
    }

    /// `self × (1 + percent / 100)`.
    pub fn plus_percent(self, percent: Decimal) -> Decimal {
        self * (Decimal::ONE
            + percent
                .checked_div(Decimal::HUNDRED)
                .unwrap_or(Decimal::ZERO))
    }

    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// The decimals written (`12.50` has 2).
    pub fn scale(self) -> u32 {
        self.0.scale()
    }

    /// Written with exactly two decimals, as money is shown and exchanged (`1234.50`).
    pub fn money(self) -> String {
        format!("{:.2}", self.cents().0)
    }

    /// Written without trailing zeros (`19`, `8.1`, `12.5`).
    pub fn plain(self) -> String {
        self.0.normalize().to_string()
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// The most decimals an input may carry (unit prices to the hundredth of a cent).
pub const MAX_INPUT_DECIMALS: u32 = 4;
/// The largest magnitude we accept anywhere: far beyond any cleaning contract, far below an
/// overflow.
const MAX_MAGNITUDE: i64 = 1_000_000_000_000;

impl FromStr for Decimal {
    type Err = String;

    /// A plain decimal (`1234.5`, `-3`), at most four decimals: no exponent, no thousands
    /// separators, no decimal comma (the CSV import reads those, not the API).
    fn from_str(raw: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "must be a decimal number written as a string, such as \"1234.50\" (at most \
                 {MAX_INPUT_DECIMALS} decimals)"
            )
        };
        let digits = raw.strip_prefix('-').unwrap_or(raw);
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let well_formed = !whole.is_empty()
            && whole.bytes().all(|b| b.is_ascii_digit())
            && fraction.bytes().all(|b| b.is_ascii_digit())
            && (!digits.contains('.') || !fraction.is_empty())
            && fraction.len() <= MAX_INPUT_DECIMALS as usize
            && whole.len() <= 13;
        if !well_formed {
            return Err(bad());
        }
        let value = rust_decimal::Decimal::from_str(raw).map_err(|_| bad())?;
        if value.abs() >= rust_decimal::Decimal::from(MAX_MAGNITUDE) {
            return Err(format!("must be less than {MAX_MAGNITUDE} in magnitude"));
        }
        Ok(Decimal(value))
    }
}

impl Add for Decimal {
    type Output = Decimal;
    fn add(self, other: Decimal) -> Decimal {
        Decimal(self.0 + other.0)
    }
}
impl Sub for Decimal {
    type Output = Decimal;
    fn sub(self, other: Decimal) -> Decimal {
        Decimal(self.0 - other.0)
    }
}
impl Mul for Decimal {
    type Output = Decimal;
    fn mul(self, other: Decimal) -> Decimal {
        Decimal(self.0 * other.0)
    }
}
impl Neg for Decimal {
    type Output = Decimal;
    fn neg(self) -> Decimal {
        Decimal(-self.0)
    }
}
impl Sum for Decimal {
    fn sum<I: Iterator<Item = Decimal>>(iter: I) -> Decimal {
        iter.fold(Decimal::ZERO, Add::add)
    }
}
impl From<u32> for Decimal {
    fn from(n: u32) -> Self {
        Decimal(rust_decimal::Decimal::from(n))
    }
}

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Decimal {
    /// Stored values were checked when written; this reads them back without the input limits.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Cow::<str>::deserialize(deserializer)?;
        rust_decimal::Decimal::from_str(&raw)
            .map(Decimal)
            .map_err(serde::de::Error::custom)
    }
}

impl PartialSchema for Decimal {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "An exact decimal number as a string (no floats): at most 4 decimals on input.",
            ))
            .pattern(Some(r"^-?[0-9]{1,13}(\.[0-9]{1,4})?$"))
            .examples([serde_json::json!("1234.50")])
            .into()
    }
}
impl ToSchema for Decimal {}

/// The currencies contracts and invoices are written in (ISO 4217).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Currency {
    #[serde(rename = "EUR")]
    Eur,
    #[serde(rename = "CHF")]
    Chf,
}

impl Currency {
    pub fn code(self) -> &'static str {
        match self {
            Currency::Eur => "EUR",
            Currency::Chf => "CHF",
        }
    }
}

impl FromStr for Currency {
    type Err = String;
    fn from_str(raw: &str) -> Result<Self, String> {
        parse_enum(raw, &["EUR", "CHF"])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(raw: &str) -> Decimal {
        raw.parse().unwrap()
    }

    #[test]
    fn parses_plain_decimals_and_refuses_floats_in_disguise() {
        assert_eq!(d("1234.5"), Decimal::new(12345, 1));
        assert_eq!(d("-3"), Decimal::from_int(-3));
        for bad in [
            "1e3", "1,5", "", ".5", "5.", "1.23456", "+1", " 1", "1 000", "NaN",
        ] {
            assert!(bad.parse::<Decimal>().is_err(), "{bad:?} was accepted");
        }
        assert!("99999999999999".parse::<Decimal>().is_err());
    }

    #[test]
    fn rounds_halves_away_from_zero() {
        assert_eq!(d("2.345").cents(), d("2.35"));
        assert_eq!(d("-2.345").cents(), d("-2.35"));
        assert_eq!(d("2.344").cents(), d("2.34"));
        assert_eq!(d("0.005").money(), "0.01");
        assert_eq!(d("7").money(), "7.00");
        assert_eq!(d("8.10").plain(), "8.1");
        assert_eq!(Decimal::ZERO.cents().to_string(), "0.00");
    }

    #[test]
    fn serializes_as_strings() {
        assert_eq!(serde_json::to_string(&d("12.50")).unwrap(), "\"12.50\"");
        let back: Decimal = serde_json::from_str("\"12.50\"").unwrap();
        assert_eq!(back, d("12.5"));
    }

    #[test]
    fn percent_increases_exactly() {
        assert_eq!(d("100").plus_percent(d("2.5")), d("102.5"));
    }
}
