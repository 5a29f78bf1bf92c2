//! Invoices and credit notes: lines, EN 16931 totals, and the states an invoice goes through.
//!
//! Totals follow EN 16931's calculation rules: each line's net amount is rounded to cents
//! (BR-24 / BT-131), the document's sums are taken of the rounded lines (BR-CO-10), VAT is
//! computed per category and rate on their sum and rounded (BR-CO-17, BR-S-08), and the grand
//! total is the net total plus the VAT total (BR-CO-15).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::money::{Currency, Decimal};
use super::vat::Vat;
#[cfg(test)]
use super::vat::VatCategory;
use crate::entity::Entity;
use crate::sites::Address;
use crate::validation::{Fields, ValidationErrors, parse_enum};

/// The most lines an invoice holds.
pub const MAX_INVOICE_LINES: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum InvoiceKind {
    /// UNTDID 1001 code 380.
    Invoice,
    /// UNTDID 1001 code 381: corrects an issued invoice.
    CreditNote,
}

impl InvoiceKind {
    pub fn type_code(self) -> &'static str {
        match self {
            InvoiceKind::Invoice => "380",
            InvoiceKind::CreditNote => "381",
        }
    }
}

/// Where an invoice stands. Only a draft changes; an issued one is settled, cancelled by a
/// credit note, or falls overdue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum InvoiceStatus {
    Draft,
    Issued,
    Paid,
    Overdue,
    Cancelled,
}

impl InvoiceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Draft => "draft",
            InvoiceStatus::Issued => "issued",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Overdue => "overdue",
            InvoiceStatus::Cancelled => "cancelled",
        }
    }
}

/// Whether the customer sees the invoice: drafts are the office's until issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum InvoiceStage {
    #[default]
    Draft,
    Final,
}

/// UN/ECE Recommendation 20 units the lines are counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Unit {
    /// A month.
    #[serde(rename = "MON")]
    Month,
    /// A square metre.
    #[serde(rename = "MTK")]
    SquareMetre,
    /// An hour.
    #[serde(rename = "HUR")]
    Hour,
    /// One (a cleaning, a piece).
    #[serde(rename = "C62")]
    One,
}

impl Unit {
    pub fn code(self) -> &'static str {
        match self {
            Unit::Month => "MON",
            Unit::SquareMetre => "MTK",
            Unit::Hour => "HUR",
            Unit::One => "C62",
        }
    }
}

impl std::str::FromStr for Unit {
    type Err = String;
    fn from_str(raw: &str) -> Result<Self, String> {
        parse_enum(raw, &["MON", "MTK", "HUR", "C62"])
    }
}

/// One line: a quantity at a net unit price, and its VAT.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceLine {
    pub description: String,
    /// Negative for a deduction (the unit price stays positive, as BR-27 wants).
    pub quantity: Decimal,
    pub unit: Unit,
    /// Net, to at most four decimals.
    pub unit_price: Decimal,
    pub vat: Vat,
    /// `quantity × unitPrice`, rounded to cents (computed).
    pub net_amount: Decimal,
}

impl InvoiceLine {
    pub fn new(
        description: String,
        quantity: Decimal,
        unit: Unit,
        unit_price: Decimal,
        vat: Vat,
    ) -> Self {
        Self {
            description,
            net_amount: (quantity * unit_price).cents(),
            quantity,
            unit,
            unit_price,
            vat,
        }
    }
}

/// The VAT of one category and rate (BG-23).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VatBreakdown {
    pub vat: Vat,
    pub taxable_amount: Decimal,
    pub tax_amount: Decimal,
    /// Why none is charged (reverse charge, export).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exemption_reason: Option<String>,
}

/// The document's totals (BG-22).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    /// Sum of the lines' net amounts (BT-106).
    pub net_total: Decimal,
    pub vat: Vec<VatBreakdown>,
    /// BT-110.
    pub vat_total: Decimal,
    /// BT-112.
    pub gross_total: Decimal,
    /// What remains to be paid (BT-115).
    pub due: Decimal,
}

impl Totals {
    /// The totals of `lines`, as EN 16931 computes them.
    pub fn of(lines: &[InvoiceLine]) -> Totals {
        let mut groups: Vec<(Vat, Decimal)> = Vec::new();
        for line in lines {
            match groups.iter_mut().find(|(vat, _)| *vat == line.vat) {
                Some((_, sum)) => *sum = *sum + line.net_amount,
                None => groups.push((line.vat, line.net_amount)),
            }
        }
        groups.sort_by_key(|(vat, _)| *vat);
        let vat: Vec<VatBreakdown> = groups
            .into_iter()
            .map(|(vat, taxable)| VatBreakdown {
                vat,
                taxable_amount: taxable,
                tax_amount: (taxable * vat.rate_percent)
                    .checked_div(Decimal::HUNDRED)
                    .unwrap_or(Decimal::ZERO)
                    .cents(),
                exemption_reason: vat.category.exemption().map(|(_, text)| text.to_owned()),
            })
            .collect();
        let net_total: Decimal = lines.iter().map(|l| l.net_amount).sum();
        let vat_total: Decimal = vat.iter().map(|v| v.tax_amount).sum();
        let gross_total = net_total + vat_total;
        Totals {
            net_total,
            vat,
            vat_total,
            gross_total,
            due: gross_total,
        }
    }
}

/// A party as the invoice names it, copied when the invoice is made: later changes to the
/// customer or the tenant do not rewrite what was sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Party {
    pub name: String,
    pub address: Address,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// The seller's side only the tenant knows: how it is paid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Seller {
    #[serde(flatten)]
    pub party: Party,
    /// Where credit transfers go (BT-84).
    pub iban: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bic: Option<String>,
    /// Who answers questions about its invoices by phone (BT-42; XRechnung asks for it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

impl Seller {
    /// Reads the tenant's billing details (its legal name, address, VAT id and account).
    pub fn read(f: &mut Fields<'_>) -> Option<Seller> {
        let name = f.required_str("name", 1..=200);
        let address = f.required_object("address", Address::read);
        let vat_id = f.required_parsed("vatId", super::customer::parse_vat_id);
        let email = f.optional_parsed("email", |raw| {
            crate::identity::Email::parse(raw).map(|e| e.as_str().to_owned())
        });
        let iban = f.required_parsed("iban", parse_iban);
        let bic = f.optional_parsed("bic", parse_bic);
        let phone = f.optional_parsed("phone", crate::identity::parse_phone);
        Some(Seller {
            party: Party {
                name: name?,
                address: address?,
                vat_id: Some(vat_id?),
                email,
            },
            iban: iban?,
            bic,
            phone,
        })
    }
}

/// An IBAN, spaces dropped, its check digits verified (ISO 13616, mod 97).
pub fn parse_iban(raw: &str) -> Result<String, String> {
    let iban: String = raw
        .split_whitespace()
        .collect::<String>()
        .to_ascii_uppercase();
    let well_formed = (15..=34).contains(&iban.len())
        && iban.bytes().all(|b| b.is_ascii_alphanumeric())
        && iban.as_bytes()[..2].iter().all(u8::is_ascii_alphabetic)
        && iban.as_bytes()[2..4].iter().all(u8::is_ascii_digit);
    if !well_formed {
        return Err("must be an IBAN, such as DE02 1203 0000 0000 2020 51".into());
    }
    let rearranged = iban[4..].bytes().chain(iban[..4].bytes());
    let remainder = rearranged.fold(0u32, |acc, b| {
        let value = if b.is_ascii_digit() {
            u32::from(b - b'0')
        } else {
            u32::from(b - b'A') + 10
        };
        if value >= 10 {
            (acc * 100 + value) % 97
        } else {
            (acc * 10 + value) % 97
        }
    });
    if remainder == 1 {
        Ok(iban)
    } else {
        Err("is not a valid IBAN: its check digits do not match".into())
    }
}

/// A BIC: 8 or 11 letters and digits.
fn parse_bic(raw: &str) -> Result<String, String> {
    let ok = matches!(raw.len(), 8 | 11)
        && raw
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    ok.then(|| raw.to_owned())
        .ok_or_else(|| "must be a BIC of 8 or 11 capital letters and digits".into())
}

/// The invoice a credit note corrects (BG-3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceReference {
    pub invoice_id: String,
    pub number: String,
    pub issue_date: NaiveDate,
}

/// An invoice or credit note to a customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Invoice {
    pub kind: InvoiceKind,
    pub status: InvoiceStatus,
    /// `final` from the issue on (a listing filter: customers see final ones only).
    #[serde(default)]
    pub stage: InvoiceStage,
    /// Given at issue: gapless per tenant and year (`2026-00001`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    pub customer_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_id: Option<String>,
    /// The billing month, `YYYY-MM`, for drafts the monthly run made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<String>,
    /// The days the invoice bills for (BG-14).
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub currency: Currency,
    pub buyer: Party,
    /// Filled in at issue from the tenant's billing details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seller: Option<Seller>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_reference: Option<String>,
    pub lines: Vec<InvoiceLine>,
    pub totals: Totals,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_on: Option<NaiveDate>,
    /// A credit note's original.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrects: Option<InvoiceReference>,
    /// The credit note that cancelled this invoice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credited_by: Option<String>,
}

impl Entity for Invoice {
    const COLLECTION: &'static str = "invoices";
    const KIND: &'static str = "invoice";

    /// Invoices are made by the monthly run and changed by their own actions.
    fn parse(_body: &Value) -> Result<Self, ValidationErrors> {
        Err(ValidationErrors::single(
            "",
            "invoices are made by the monthly billing run; change a draft with PATCH",
        ))
    }
}

impl Invoice {
    /// Overdue once issued, unpaid and past its due date (computed when read, so nothing
    /// has to rewrite it at midnight).
    pub fn status_on(&self, today: NaiveDate) -> InvoiceStatus {
        match (self.status, self.due_date) {
            (InvoiceStatus::Issued, Some(due)) if today > due => InvoiceStatus::Overdue,
            (status, _) => status,
        }
    }

    /// Gives a draft its number, issue and due dates and the seller, making it final.
    pub fn issue(&mut self, number: String, on: NaiveDate, seller: Seller, terms_days: u16) {
        self.status = InvoiceStatus::Issued;
        self.stage = InvoiceStage::Final;
        self.number = Some(number);
        self.issue_date = Some(on);
        // A credit note is settled at once; an invoice within the customer's terms.
        let days = if self.kind == InvoiceKind::CreditNote {
            0
        } else {
            terms_days
        };
        self.due_date = Some(on + chrono::Days::new(u64::from(days)));
        self.seller = Some(seller);
    }

    /// A draft credit note that reverses this issued invoice (`id`) in full.
    pub fn credit_note(&self, id: &str) -> Option<Invoice> {
        let reference = InvoiceReference {
            invoice_id: id.to_owned(),
            number: self.number.clone()?,
            issue_date: self.issue_date?,
        };
        Some(Invoice {
            kind: InvoiceKind::CreditNote,
            status: InvoiceStatus::Draft,
            stage: InvoiceStage::Draft,
            number: None,
            issue_date: None,
            due_date: None,
            paid_on: None,
            seller: None,
            credited_by: None,
            corrects: Some(reference),
            ..self.clone()
        })
    }

    /// Replaces the lines and recomputes the totals.
    pub fn set_lines(&mut self, lines: Vec<InvoiceLine>) {
        self.totals = Totals::of(&lines);
        self.lines = lines;
    }
}

/// An invoice number: gapless per tenant and year, `2026-00042`.
pub fn invoice_number(year: i32, sequence: u64) -> String {
    format!("{year}-{sequence:05}")
}

/// A dispatcher's change to a draft: its lines (VAT is the customer's, recomputed by the
/// server) and its note.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftEdit {
    pub lines: Option<Vec<EditedLine>>,
    pub note: Option<Option<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EditedLine {
    pub description: String,
    pub quantity: Decimal,
    pub unit: Unit,
    pub unit_price: Decimal,
}

impl DraftEdit {
    pub fn parse(body: &Value) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(body, &[])?;
        let lines = f.optional_list("lines", MAX_INVOICE_LINES, |l| {
            let description = l.required_str("description", 1..=200);
            let quantity = l.required_parsed("quantity", str::parse::<Decimal>);
            let unit = l.required_parsed("unit", str::parse::<Unit>);
            let unit_price = l.required_parsed("unitPrice", str::parse::<Decimal>);
            if unit_price.is_some_and(Decimal::is_negative) {
                l.error(
                    "unitPrice",
                    "must not be negative (EN 16931 BR-27): deduct with a negative quantity",
                );
            }
            Some(EditedLine {
                description: description?,
                quantity: quantity?,
                unit: unit?,
                unit_price: unit_price?,
            })
        });
        if matches!(&lines, Some(lines) if lines.is_empty()) {
            f.error("lines", "must hold at least one line");
        }
        // A merge patch: absent keeps the note, null removes it.
        let note = match body.get("note") {
            None => None,
            Some(Value::Null) => {
                f.ignore("note");
                Some(None)
            }
            Some(_) => f.optional_str("note", 1..=2000).map(Some),
        };
        f.finish(|| Some(DraftEdit { lines, note }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(raw: &str) -> Decimal {
        raw.parse().unwrap()
    }

    fn vat(rate: &str) -> Vat {
        Vat {
            category: VatCategory::Standard,
            rate_percent: d(rate),
        }
    }

    #[test]
    fn lines_round_to_cents_before_they_are_summed() {
        let lines = [
            InvoiceLine::new("a".into(), d("3"), Unit::One, d("0.3333"), vat("19")),
            InvoiceLine::new("b".into(), d("1"), Unit::One, d("0.005"), vat("19")),
        ];
        assert_eq!(lines[0].net_amount, d("1.00"));
        assert_eq!(lines[1].net_amount, d("0.01"));
        let totals = Totals::of(&lines);
        assert_eq!(totals.net_total, d("1.01"));
        assert_eq!(totals.vat_total, d("0.19"));
        assert_eq!(totals.gross_total, d("1.20"));
    }

    #[test]
    fn vat_is_computed_per_rate_on_the_sum_not_per_line() {
        // Per line 0.095 would round to 0.10 three times (0.30); on the sum it is 0.29.
        let lines: Vec<_> = (0..3)
            .map(|_| InvoiceLine::new("x".into(), d("1"), Unit::One, d("0.50"), vat("19")))
            .chain([InvoiceLine::new(
                "y".into(),
                d("1"),
                Unit::One,
                d("10"),
                vat("7"),
            )])
            .collect();
        let totals = Totals::of(&lines);
        assert_eq!(totals.vat.len(), 2);
        assert_eq!(totals.vat[1].tax_amount, d("0.29"));
        assert_eq!(totals.vat[0].tax_amount, d("0.70"));
        assert_eq!(totals.gross_total, d("12.49"));
    }

    #[test]
    fn a_deduction_is_a_negative_quantity() {
        let line = InvoiceLine::new("missed".into(), d("-2"), Unit::One, d("45.125"), vat("19"));
        assert_eq!(line.net_amount, d("-90.25"));
    }

    #[test]
    fn ibans_are_checked_by_their_check_digits() {
        assert_eq!(
            parse_iban("DE02 1203 0000 0000 2020 51").unwrap(),
            "DE02120300000000202051"
        );
        assert_eq!(
            parse_iban("CH9300762011623852957").unwrap(),
            "CH9300762011623852957"
        );
        assert!(parse_iban("DE03120300000000202051").is_err());
        assert!(parse_iban("DE02").is_err());
    }

    #[test]
    fn a_draft_edit_names_bad_lines() {
        let body = serde_json::json!({"lines": [{"description": "x", "quantity": "1,5", "unit": "KGM", "unitPrice": "-1"}]});
        let fields: Vec<_> = DraftEdit::parse(&body)
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            ["lines[0].quantity", "lines[0].unit", "lines[0].unitPrice"]
        );
    }
}
