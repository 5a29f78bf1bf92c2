//! An issued invoice as OASIS UBL 2.1 in the XRechnung 3.0 customization: what German public
//! customers receive (an `Invoice`, or a `CreditNote` for a credit note). The same EN 16931
//! content as the CII XML, in the other syntax EN 16931 names.
//!
//! XRechnung asks more than EN 16931: the buyer's reference (the Leitweg-ID, BT-10, which a
//! customer set to XRechnung must have), both parties' electronic addresses (BT-34, BT-49:
//! their emails here) and the seller's contact (BG-6).

use super::cii::CiiError;
use super::invoice::{Invoice, InvoiceKind, Party};
use super::xml::Xml;

/// XRechnung 3.0's specification identifier (BT-24).
pub const XRECHNUNG_3: &str =
    "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0";
/// The business process (BT-23) XRechnung takes from PEPPOL BIS Billing.
const PEPPOL_BILLING: &str = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0";

/// The invoice's UBL XML. It must be issued: the number, dates and seller are part of it.
pub fn write(invoice: &Invoice) -> Result<String, CiiError> {
    let (number, issued, seller) = super::cii::issued_facts(invoice)?;
    let currency = invoice.currency.code();
    let credit = invoice.kind == InvoiceKind::CreditNote;
    let (root, namespace, line_element, quantity_element) = if credit {
        (
            "CreditNote",
            "CreditNote-2",
            "cac:CreditNoteLine",
            "cbc:CreditedQuantity",
        )
    } else {
        (
            "Invoice",
            "Invoice-2",
            "cac:InvoiceLine",
            "cbc:InvoicedQuantity",
        )
    };
    let amount = |x: &mut Xml, name: &str, value: &str| {
        x.attr_text(name, &[("currencyID", currency)], value);
    };

    let mut x = Xml::default();
    x.raw(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    x.raw(&format!(
        concat!(
            r#"<ubl:{root} xmlns:ubl="urn:oasis:names:specification:ubl:schema:xsd:{namespace}""#,
            r#" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2""#,
            r#" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">"#
        ),
        root = root,
        namespace = namespace
    ));
    x.text("cbc:CustomizationID", XRECHNUNG_3);
    x.text("cbc:ProfileID", PEPPOL_BILLING);
    x.text("cbc:ID", number);
    x.iso_date("cbc:IssueDate", issued);
    if !credit && let Some(due) = invoice.due_date {
        x.iso_date("cbc:DueDate", due);
    }
    x.text(
        if credit {
            "cbc:CreditNoteTypeCode"
        } else {
            "cbc:InvoiceTypeCode"
        },
        invoice.kind.type_code(),
    );
    if let Some(note) = &invoice.note {
        x.text("cbc:Note", note);
    }
    x.text("cbc:DocumentCurrencyCode", currency);
    if let Some(reference) = &invoice.buyer_reference {
        x.text("cbc:BuyerReference", reference);
    }
    x.open("cac:InvoicePeriod");
    x.iso_date("cbc:StartDate", invoice.period_start);
    x.iso_date("cbc:EndDate", invoice.period_end);
    x.close("cac:InvoicePeriod");
    if let Some(original) = &invoice.corrects {
        x.open("cac:BillingReference");
        x.open("cac:InvoiceDocumentReference");
        x.text("cbc:ID", &original.number);
        x.iso_date("cbc:IssueDate", original.issue_date);
        x.close("cac:InvoiceDocumentReference");
        x.close("cac:BillingReference");
    }
    if let Some(contract) = &invoice.contract_id {
        x.open("cac:ContractDocumentReference");
        x.text("cbc:ID", contract);
        x.close("cac:ContractDocumentReference");
    }
    x.open("cac:AccountingSupplierParty");
    party(&mut x, &seller.party, Some(seller.phone.as_deref()));
    x.close("cac:AccountingSupplierParty");
    x.open("cac:AccountingCustomerParty");
    party(&mut x, &invoice.buyer, None);
    x.close("cac:AccountingCustomerParty");

    // The service was delivered over the period; its last day is the delivery date (BT-72).
    x.open("cac:Delivery");
    x.iso_date("cbc:ActualDeliveryDate", invoice.period_end);
    x.close("cac:Delivery");

    x.open("cac:PaymentMeans");
    // 58: SEPA credit transfer.
    x.text("cbc:PaymentMeansCode", "58");
    if !credit {
        x.text("cbc:PaymentID", number);
    }
    x.open("cac:PayeeFinancialAccount");
    x.text("cbc:ID", &seller.iban);
    if let Some(bic) = &seller.bic {
        x.open("cac:FinancialInstitutionBranch");
        x.text("cbc:ID", bic);
        x.close("cac:FinancialInstitutionBranch");
    }
    x.close("cac:PayeeFinancialAccount");
    x.close("cac:PaymentMeans");

    let totals = &invoice.totals;
    x.open("cac:TaxTotal");
    amount(&mut x, "cbc:TaxAmount", &totals.vat_total.money());
    for group in &totals.vat {
        x.open("cac:TaxSubtotal");
        amount(&mut x, "cbc:TaxableAmount", &group.taxable_amount.money());
        amount(&mut x, "cbc:TaxAmount", &group.tax_amount.money());
        x.open("cac:TaxCategory");
        x.text("cbc:ID", group.vat.category.code());
        x.text("cbc:Percent", &group.vat.rate_percent.plain());
        if let Some((code, reason)) = group.vat.category.exemption() {
            x.text("cbc:TaxExemptionReasonCode", code);
            x.text("cbc:TaxExemptionReason", reason);
        }
        tax_scheme(&mut x);
        x.close("cac:TaxCategory");
        x.close("cac:TaxSubtotal");
    }
    x.close("cac:TaxTotal");
    x.open("cac:LegalMonetaryTotal");
    amount(&mut x, "cbc:LineExtensionAmount", &totals.net_total.money());
    amount(&mut x, "cbc:TaxExclusiveAmount", &totals.net_total.money());
    amount(
        &mut x,
        "cbc:TaxInclusiveAmount",
        &totals.gross_total.money(),
    );
    amount(&mut x, "cbc:PayableAmount", &totals.due.money());
    x.close("cac:LegalMonetaryTotal");

    for (i, line) in invoice.lines.iter().enumerate() {
        x.open(line_element);
        x.text("cbc:ID", &(i + 1).to_string());
        x.attr_text(
            quantity_element,
            &[("unitCode", line.unit.code())],
            &line.quantity.plain(),
        );
        amount(&mut x, "cbc:LineExtensionAmount", &line.net_amount.money());
        x.open("cac:Item");
        x.text("cbc:Name", &line.description);
        x.open("cac:ClassifiedTaxCategory");
        x.text("cbc:ID", line.vat.category.code());
        x.text("cbc:Percent", &line.vat.rate_percent.plain());
        tax_scheme(&mut x);
        x.close("cac:ClassifiedTaxCategory");
        x.close("cac:Item");
        x.open("cac:Price");
        amount(&mut x, "cbc:PriceAmount", &line.unit_price.plain());
        x.close("cac:Price");
        x.close(line_element);
    }
    x.raw(&format!("</ubl:{root}>"));
    Ok(x.finish())
}

fn tax_scheme(x: &mut Xml) {
    x.open("cac:TaxScheme");
    x.text("cbc:ID", "VAT");
    x.close("cac:TaxScheme");
}

/// A party in the schema's order: electronic address, postal address, VAT id, legal name,
/// and, for the seller (`contact` with its phone, if any), its contact (BG-6).
fn party(x: &mut Xml, party: &Party, contact: Option<Option<&str>>) {
    x.open("cac:Party");
    if let Some(email) = &party.email {
        x.attr_text("cbc:EndpointID", &[("schemeID", "EM")], email);
    }
    let address = &party.address;
    x.open("cac:PostalAddress");
    x.text("cbc:StreetName", &address.street);
    x.text("cbc:CityName", &address.city);
    if let Some(code) = &address.postal_code {
        x.text("cbc:PostalZone", code);
    }
    x.open("cac:Country");
    x.text("cbc:IdentificationCode", &address.country);
    x.close("cac:Country");
    x.close("cac:PostalAddress");
    if let Some(vat_id) = &party.vat_id {
        x.open("cac:PartyTaxScheme");
        x.text("cbc:CompanyID", vat_id);
        tax_scheme(x);
        x.close("cac:PartyTaxScheme");
    }
    x.open("cac:PartyLegalEntity");
    x.text("cbc:RegistrationName", &party.name);
    x.close("cac:PartyLegalEntity");
    if let Some(phone) = contact {
        x.open("cac:Contact");
        x.text("cbc:Name", &party.name);
        if let Some(phone) = phone {
            x.text("cbc:Telephone", phone);
        }
        if let Some(email) = &party.email {
            x.text("cbc:ElectronicMail", email);
        }
        x.close("cac:Contact");
    }
    x.close("cac:Party");
}
