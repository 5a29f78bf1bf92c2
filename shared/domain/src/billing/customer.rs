//! Customers: whom a tenant bills, and how they want their invoices.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::entity::Entity;
use crate::identity::{Email, Language, parse_phone};
use crate::sites::Address;
use crate::validation::{Fields, ValidationErrors, parse_enum};

/// A customer of the tenant. Its id is its customer number, so two customers cannot share a
/// number: the store's commit refuses the second.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    /// The customer number, as printed on invoices (letters, digits, `-`, `_`); fixed once
    /// the customer exists.
    pub number: String,
    pub name: String,
    pub billing_address: Address,
    /// A business customer's VAT id (`DE123456789`); without one, a customer in another EU
    /// country is charged VAT as a consumer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    /// The language of its invoices and messages.
    pub language: Language,
    /// Days from the issue date to the due date.
    pub payment_terms_days: u16,
    /// The structured invoice it receives.
    #[serde(default)]
    pub e_invoice: EInvoiceFormat,
    /// The reference the buyer asks to be quoted (BT-10), such as a German public body's
    /// Leitweg-ID; XRechnung requires it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_reference: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where invoices are sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = "email")]
    pub email: Option<Email>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// The structured invoice a customer receives with its PDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum EInvoiceFormat {
    /// ZUGFeRD / Factur-X, EN 16931 profile: the CII XML inside a PDF/A-3.
    #[default]
    Facturx,
    /// XRechnung 3.0 in UBL, for German public customers, besides the PDF.
    Xrechnung,
}

impl std::str::FromStr for EInvoiceFormat {
    type Err = String;
    fn from_str(raw: &str) -> Result<Self, String> {
        parse_enum(raw, &["facturx", "xrechnung"])
    }
}

/// A VAT id: the country prefix, then 2 to 13 letters or digits (`DE123456789`,
/// `CHE123456789`). Spaces, dots and dashes people type are dropped.
pub fn parse_vat_id(raw: &str) -> Result<String, String> {
    let compact: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect::<String>()
        .to_ascii_uppercase();
    // Only ASCII is split by bytes: anything else is no VAT id anyway.
    let ascii = compact.is_ascii();
    let (prefix, rest) = if ascii {
        compact.split_at(compact.len().min(2))
    } else {
        ("", "")
    };
    let ok = ascii
        && prefix.len() == 2
        && prefix.bytes().all(|b| b.is_ascii_alphabetic())
        && (2..=13).contains(&rest.len())
        && rest.bytes().all(|b| b.is_ascii_alphanumeric());
    if ok {
        Ok(compact)
    } else {
        Err(
            "must be a VAT id: a country prefix and 2 to 13 letters or digits, such as DE123456789"
                .into(),
        )
    }
}

/// The most days an invoice may be due after its issue.
pub const MAX_PAYMENT_TERMS_DAYS: i64 = 180;

impl Entity for Customer {
    const COLLECTION: &'static str = "customers";
    const KIND: &'static str = "customer";

    fn parse(body: &Value) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(body, Self::READ_ONLY)?;
        let number = f.required_parsed("number", |raw| {
            crate::id::parse_id(raw)
                .map(str::to_owned)
                .map_err(|e| format!("{e} (it is the customer's id)"))
        });
        let name = f.required_str("name", 1..=200);
        let billing_address = f.required_object("billingAddress", Address::read);
        let vat_id = f.optional_parsed("vatId", parse_vat_id);
        let contact = f.optional_object("contact", |c| {
            let name = c.optional_str("name", 1..=200);
            let email = c.optional_parsed("email", Email::parse);
            let phone = c.optional_parsed("phone", parse_phone);
            Some(Contact { name, email, phone })
        });
        let language = f.required_parsed("language", Language::parse);
        let payment_terms_days = f
            .optional_i64("paymentTermsDays", 0..=MAX_PAYMENT_TERMS_DAYS)
            .unwrap_or(30);
        let e_invoice = f
            .optional_parsed("eInvoice", str::parse::<EInvoiceFormat>)
            .unwrap_or_default();
        let buyer_reference = f.optional_str("buyerReference", 1..=100);
        if e_invoice == EInvoiceFormat::Xrechnung && buyer_reference.is_none() {
            f.error(
                "buyerReference",
                "is required for XRechnung: the Leitweg-ID the public customer gave",
            );
        }
        f.finish(|| {
            Some(Customer {
                number: number?,
                name: name?,
                billing_address: billing_address?,
                vat_id,
                contact,
                language: language?,
                payment_terms_days: u16::try_from(payment_terms_days).ok()?,
                e_invoice,
                buyer_reference,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn customer() -> Value {
        json!({
            "number": "K-1001", "name": "Muster AG",
            "billingAddress": {"street": "Hauptstr. 1", "postalCode": "10115", "city": "Berlin", "country": "DE"},
            "vatId": "de 123 456 789", "language": "de"
        })
    }

    #[test]
    fn reads_a_customer_with_defaults() {
        let c = Customer::parse(&customer()).unwrap();
        assert_eq!(c.vat_id.as_deref(), Some("DE123456789"));
        assert_eq!(c.payment_terms_days, 30);
        assert_eq!(c.e_invoice, EInvoiceFormat::Facturx);
    }

    #[test]
    fn a_vat_id_of_any_characters_is_refused_not_split() {
        for raw in ["bñH/ZM", "ñ", "DEñ12345", "\u{1}\u{2}"] {
            assert!(parse_vat_id(raw).is_err(), "{raw:?}");
        }
    }

    #[test]
    fn xrechnung_needs_a_buyer_reference() {
        let mut body = customer();
        body["eInvoice"] = json!("xrechnung");
        let errors = Customer::parse(&body).unwrap_err();
        assert_eq!(errors.0[0].field, "buyerReference");
    }

    #[test]
    fn refuses_a_malformed_vat_id_and_number() {
        let mut body = customer();
        body["vatId"] = json!("123");
        body["number"] = json!("K 1001");
        let fields: Vec<_> = Customer::parse(&body)
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["number", "vatId"]);
    }
}
