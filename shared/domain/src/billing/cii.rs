//! An issued invoice as UN/CEFACT Cross Industry Invoice XML (D16B), in the ZUGFeRD /
//! Factur-X EN 16931 profile: the XML a PDF/A-3 invoice carries as `factur-x.xml`.
//!
//! Written by hand rather than through a model crate: the elements EN 16931 needs are few,
//! their order is fixed by the schema, and the test suite checks every invoice against the
//! official XSD and Schematron.

use chrono::NaiveDate;

use super::invoice::{Invoice, InvoiceKind, Party, Seller};
use super::xml::Xml;

/// The Factur-X EN 16931 ("COMFORT") profile's guideline id (BT-24).
pub const EN16931_GUIDELINE: &str = "urn:cen.eu:en16931:2017";

/// Why an invoice cannot be written as CII.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CiiError {
    #[error("the invoice is not issued: {0} is missing")]
    NotIssued(&'static str),
}

/// What only an issued invoice has, and every e-invoice names: its number, issue date and
/// seller.
pub(super) fn issued_facts(invoice: &Invoice) -> Result<(&str, NaiveDate, &Seller), CiiError> {
    let number = invoice
        .number
        .as_deref()
        .ok_or(CiiError::NotIssued("number"))?;
    let issued = invoice.issue_date.ok_or(CiiError::NotIssued("issueDate"))?;
    let seller = invoice
        .seller
        .as_ref()
        .ok_or(CiiError::NotIssued("seller"))?;
    Ok((number, issued, seller))
}

/// The invoice's CII XML. It must be issued: the number, dates and seller are part of it.
pub fn write(invoice: &Invoice) -> Result<String, CiiError> {
    let (number, issued, seller) = issued_facts(invoice)?;
    let currency = invoice.currency.code();
    let mut x = Xml::default();
    x.raw(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    x.raw(concat!(
        r#"<rsm:CrossIndustryInvoice"#,
        r#" xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100""#,
        r#" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100""#,
        r#" xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100""#,
        r#" xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">"#
    ));
    x.open("rsm:ExchangedDocumentContext");
    x.open("ram:GuidelineSpecifiedDocumentContextParameter");
    x.text("ram:ID", EN16931_GUIDELINE);
    x.close("ram:GuidelineSpecifiedDocumentContextParameter");
    x.close("rsm:ExchangedDocumentContext");

    x.open("rsm:ExchangedDocument");
    x.text("ram:ID", number);
    x.text("ram:TypeCode", invoice.kind.type_code());
    x.open("ram:IssueDateTime");
    x.date("udt:DateTimeString", issued);
    x.close("ram:IssueDateTime");
    if let Some(note) = &invoice.note {
        x.open("ram:IncludedNote");
        x.text("ram:Content", note);
        x.close("ram:IncludedNote");
    }
    x.close("rsm:ExchangedDocument");

    x.open("rsm:SupplyChainTradeTransaction");
    for (i, line) in invoice.lines.iter().enumerate() {
        x.open("ram:IncludedSupplyChainTradeLineItem");
        x.open("ram:AssociatedDocumentLineDocument");
        x.text("ram:LineID", &(i + 1).to_string());
        x.close("ram:AssociatedDocumentLineDocument");
        x.open("ram:SpecifiedTradeProduct");
        x.text("ram:Name", &line.description);
        x.close("ram:SpecifiedTradeProduct");
        x.open("ram:SpecifiedLineTradeAgreement");
        x.open("ram:NetPriceProductTradePrice");
        x.text("ram:ChargeAmount", &line.unit_price.plain());
        x.close("ram:NetPriceProductTradePrice");
        x.close("ram:SpecifiedLineTradeAgreement");
        x.open("ram:SpecifiedLineTradeDelivery");
        x.attr_text(
            "ram:BilledQuantity",
            &[("unitCode", line.unit.code())],
            &line.quantity.plain(),
        );
        x.close("ram:SpecifiedLineTradeDelivery");
        x.open("ram:SpecifiedLineTradeSettlement");
        x.open("ram:ApplicableTradeTax");
        x.text("ram:TypeCode", "VAT");
        x.text("ram:CategoryCode", line.vat.category.code());
        x.text("ram:RateApplicablePercent", &line.vat.rate_percent.plain());
        x.close("ram:ApplicableTradeTax");
        x.open("ram:SpecifiedTradeSettlementLineMonetarySummation");
        x.text("ram:LineTotalAmount", &line.net_amount.money());
        x.close("ram:SpecifiedTradeSettlementLineMonetarySummation");
        x.close("ram:SpecifiedLineTradeSettlement");
        x.close("ram:IncludedSupplyChainTradeLineItem");
    }

    x.open("ram:ApplicableHeaderTradeAgreement");
    if let Some(reference) = &invoice.buyer_reference {
        x.text("ram:BuyerReference", reference);
    }
    party(&mut x, "ram:SellerTradeParty", &seller.party);
    party(&mut x, "ram:BuyerTradeParty", &invoice.buyer);
    if let Some(contract) = &invoice.contract_id {
        x.open("ram:ContractReferencedDocument");
        x.text("ram:IssuerAssignedID", contract);
        x.close("ram:ContractReferencedDocument");
    }
    x.close("ram:ApplicableHeaderTradeAgreement");

    // The service was delivered over the period; its last day is the delivery date (BT-72),
    // which also keeps the element from being empty (PEPPOL-EN16931-R008).
    x.open("ram:ApplicableHeaderTradeDelivery");
    x.open("ram:ActualDeliverySupplyChainEvent");
    x.open("ram:OccurrenceDateTime");
    x.date("udt:DateTimeString", invoice.period_end);
    x.close("ram:OccurrenceDateTime");
    x.close("ram:ActualDeliverySupplyChainEvent");
    x.close("ram:ApplicableHeaderTradeDelivery");

    x.open("ram:ApplicableHeaderTradeSettlement");
    if invoice.kind == InvoiceKind::Invoice {
        x.text("ram:PaymentReference", number);
    }
    x.text("ram:InvoiceCurrencyCode", currency);
    x.open("ram:SpecifiedTradeSettlementPaymentMeans");
    // 58: SEPA credit transfer.
    x.text("ram:TypeCode", "58");
    x.open("ram:PayeePartyCreditorFinancialAccount");
    x.text("ram:IBANID", &seller.iban);
    x.close("ram:PayeePartyCreditorFinancialAccount");
    if let Some(bic) = &seller.bic {
        x.open("ram:PayeeSpecifiedCreditorFinancialInstitution");
        x.text("ram:BICID", bic);
        x.close("ram:PayeeSpecifiedCreditorFinancialInstitution");
    }
    x.close("ram:SpecifiedTradeSettlementPaymentMeans");
    for group in &invoice.totals.vat {
        x.open("ram:ApplicableTradeTax");
        x.text("ram:CalculatedAmount", &group.tax_amount.money());
        x.text("ram:TypeCode", "VAT");
        let exemption = group.vat.category.exemption();
        if let Some((_, reason)) = exemption {
            x.text("ram:ExemptionReason", reason);
        }
        x.text("ram:BasisAmount", &group.taxable_amount.money());
        x.text("ram:CategoryCode", group.vat.category.code());
        if let Some((code, _)) = exemption {
            x.text("ram:ExemptionReasonCode", code);
        }
        x.text("ram:RateApplicablePercent", &group.vat.rate_percent.plain());
        x.close("ram:ApplicableTradeTax");
    }
    x.open("ram:BillingSpecifiedPeriod");
    x.open("ram:StartDateTime");
    x.date("udt:DateTimeString", invoice.period_start);
    x.close("ram:StartDateTime");
    x.open("ram:EndDateTime");
    x.date("udt:DateTimeString", invoice.period_end);
    x.close("ram:EndDateTime");
    x.close("ram:BillingSpecifiedPeriod");
    if let Some(due) = invoice.due_date {
        x.open("ram:SpecifiedTradePaymentTerms");
        x.open("ram:DueDateDateTime");
        x.date("udt:DateTimeString", due);
        x.close("ram:DueDateDateTime");
        x.close("ram:SpecifiedTradePaymentTerms");
    }
    let totals = &invoice.totals;
    x.open("ram:SpecifiedTradeSettlementHeaderMonetarySummation");
    x.text("ram:LineTotalAmount", &totals.net_total.money());
    x.text("ram:TaxBasisTotalAmount", &totals.net_total.money());
    x.attr_text(
        "ram:TaxTotalAmount",
        &[("currencyID", currency)],
        &totals.vat_total.money(),
    );
    x.text("ram:GrandTotalAmount", &totals.gross_total.money());
    x.text("ram:DuePayableAmount", &totals.due.money());
    x.close("ram:SpecifiedTradeSettlementHeaderMonetarySummation");
    if let Some(original) = &invoice.corrects {
        x.open("ram:InvoiceReferencedDocument");
        x.text("ram:IssuerAssignedID", &original.number);
        x.open("ram:FormattedIssueDateTime");
        x.date("qdt:DateTimeString", original.issue_date);
        x.close("ram:FormattedIssueDateTime");
        x.close("ram:InvoiceReferencedDocument");
    }
    x.close("ram:ApplicableHeaderTradeSettlement");
    x.close("rsm:SupplyChainTradeTransaction");
    x.raw("</rsm:CrossIndustryInvoice>");
    Ok(x.finish())
}

/// A trade party: name, postal address, email, VAT id (in the schema's order).
fn party(x: &mut Xml, element: &str, party: &Party) {
    x.open(element);
    x.text("ram:Name", &party.name);
    let address = &party.address;
    x.open("ram:PostalTradeAddress");
    if let Some(code) = &address.postal_code {
        x.text("ram:PostcodeCode", code);
    }
    x.text("ram:LineOne", &address.street);
    x.text("ram:CityName", &address.city);
    x.text("ram:CountryID", &address.country);
    x.close("ram:PostalTradeAddress");
    if let Some(email) = &party.email {
        x.open("ram:URIUniversalCommunication");
        x.attr_text("ram:URIID", &[("schemeID", "EM")], email);
        x.close("ram:URIUniversalCommunication");
    }
    if let Some(vat_id) = &party.vat_id {
        x.open("ram:SpecifiedTaxRegistration");
        x.attr_text("ram:ID", &[("schemeID", "VA")], vat_id);
        x.close("ram:SpecifiedTaxRegistration");
    }
    x.close(element);
}
