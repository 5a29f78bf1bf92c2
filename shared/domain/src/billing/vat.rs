//! Which VAT an invoice line carries: from the seller's (the tenant's) country and the
//! buyer's, with reverse charge for business customers in another EU country.

use serde::{Deserialize, Serialize};

use super::money::Decimal;

/// The VAT categories cleanops invoices use (UNTDID 5305, as EN 16931 codes them).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
pub enum VatCategory {
    /// Standard rate.
    #[serde(rename = "S")]
    Standard,
    /// Reverse charge: the buyer, a business in another EU country, accounts for the VAT.
    #[serde(rename = "AE")]
    ReverseCharge,
    /// Export outside the EU VAT area.
    #[serde(rename = "G")]
    Export,
}

impl VatCategory {
    /// The UNTDID 5305 code.
    pub fn code(self) -> &'static str {
        match self {
            VatCategory::Standard => "S",
            VatCategory::ReverseCharge => "AE",
            VatCategory::Export => "G",
        }
    }

    /// Why no VAT is charged (BT-120 and its code BT-121), for the categories without.
    pub fn exemption(self) -> Option<(&'static str, &'static str)> {
        match self {
            VatCategory::Standard => None,
            VatCategory::ReverseCharge => Some(("VATEX-EU-AE", "Reverse charge")),
            VatCategory::Export => Some(("VATEX-EU-G", "Export outside the EU")),
        }
    }
}

/// A line's VAT: its category and rate in percent.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "camelCase")]
pub struct Vat {
    pub category: VatCategory,
    pub rate_percent: Decimal,
}

/// Standard VAT rates in percent, by ISO country code: the EU's 27 (as of 2026) and
/// Switzerland with Liechtenstein, which share Swiss VAT.
const STANDARD_RATES: &[(&str, i64, u32)] = &[
    ("AT", 20, 0),
    ("BE", 21, 0),
    ("BG", 20, 0),
    ("CY", 19, 0),
    ("CZ", 21, 0),
    ("DE", 19, 0),
    ("DK", 25, 0),
    ("EE", 24, 0),
    ("ES", 21, 0),
    ("FI", 255, 1),
    ("FR", 20, 0),
    ("GR", 24, 0),
    ("HR", 25, 0),
    ("HU", 27, 0),
    ("IE", 23, 0),
    ("IT", 22, 0),
    ("LT", 21, 0),
    ("LU", 17, 0),
    ("LV", 21, 0),
    ("MT", 18, 0),
    ("NL", 21, 0),
    ("PL", 23, 0),
    ("PT", 23, 0),
    ("RO", 21, 0),
    ("SE", 25, 0),
    ("SI", 22, 0),
    ("SK", 23, 0),
    ("CH", 81, 1),
    ("LI", 81, 1),
];

/// The VAT area a country belongs to: the EU's, or Switzerland's (with Liechtenstein).
#[derive(PartialEq, Eq)]
enum VatArea {
    Eu,
    Swiss,
}

fn vat_area(country: &str) -> Option<VatArea> {
    match country {
        "CH" | "LI" => Some(VatArea::Swiss),
        other => standard_rate(other).map(|_| VatArea::Eu),
    }
}

/// The standard rate of `country`, if cleanops knows it.
pub fn standard_rate(country: &str) -> Option<Decimal> {
    STANDARD_RATES
        .iter()
        .find(|(c, _, _)| *c == country)
        .map(|(_, mantissa, scale)| Decimal::new(*mantissa, *scale))
}

/// The seller's and the buyer's side of the decision.
#[derive(Debug, Clone, Copy)]
pub struct VatParties<'a> {
    pub seller_country: &'a str,
    pub buyer_country: &'a str,
    /// A business customer has a VAT id.
    pub buyer_vat_id: Option<&'a str>,
}

/// Why no VAT could be determined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VatError {
    #[error("no VAT rate is known for the seller's country {0}")]
    UnknownSellerCountry(String),
}

/// The VAT of a cleaning service:
/// - a buyer in the seller's country, or a consumer (no VAT id) in another EU country: the
///   seller's standard rate;
/// - a business in another EU country: reverse charge (0 %, the buyer accounts for it);
/// - a buyer outside the seller's VAT area (Switzerland to the EU or back): export (0 %).
pub fn determine(parties: VatParties<'_>) -> Result<Vat, VatError> {
    let rate = standard_rate(parties.seller_country)
        .ok_or_else(|| VatError::UnknownSellerCountry(parties.seller_country.to_owned()))?;
    let standard = Vat {
        category: VatCategory::Standard,
        rate_percent: rate,
    };
    let zero = |category| Vat {
        category,
        rate_percent: Decimal::ZERO,
    };
    let (seller_area, buyer_area) = (
        vat_area(parties.seller_country),
        vat_area(parties.buyer_country),
    );
    Ok(if parties.seller_country == parties.buyer_country {
        standard
    } else if seller_area != buyer_area {
        zero(VatCategory::Export)
    } else if seller_area == Some(VatArea::Eu) && parties.buyer_vat_id.is_some() {
        zero(VatCategory::ReverseCharge)
    } else {
        standard
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vat(seller: &str, buyer: &str, vat_id: Option<&str>) -> (VatCategory, String) {
        let v = determine(VatParties {
            seller_country: seller,
            buyer_country: buyer,
            buyer_vat_id: vat_id,
        })
        .unwrap();
        (v.category, v.rate_percent.plain())
    }

    #[test]
    fn domestic_customers_pay_the_sellers_standard_rate() {
        assert_eq!(
            vat("DE", "DE", Some("DE123456789")),
            (VatCategory::Standard, "19".into())
        );
        assert_eq!(vat("CH", "CH", None), (VatCategory::Standard, "8.1".into()));
        assert_eq!(
            vat("FI", "FI", None),
            (VatCategory::Standard, "25.5".into())
        );
    }

    #[test]
    fn eu_businesses_across_a_border_are_reverse_charged() {
        assert_eq!(
            vat("DE", "FR", Some("FR12345678901")),
            (VatCategory::ReverseCharge, "0".into())
        );
    }

    #[test]
    fn eu_consumers_across_a_border_pay_the_sellers_rate() {
        assert_eq!(vat("DE", "AT", None), (VatCategory::Standard, "19".into()));
    }

    #[test]
    fn between_switzerland_and_the_eu_it_is_an_export() {
        assert_eq!(
            vat("CH", "DE", Some("DE123456789")),
            (VatCategory::Export, "0".into())
        );
        assert_eq!(vat("DE", "CH", None), (VatCategory::Export, "0".into()));
        assert_eq!(vat("CH", "LI", None), (VatCategory::Standard, "8.1".into()));
    }

    #[test]
    fn an_unknown_seller_country_is_an_error() {
        let parties = VatParties {
            seller_country: "US",
            buyer_country: "DE",
            buyer_vat_id: None,
        };
        assert!(determine(parties).is_err());
    }
}
