//! The monthly draft: a contract's price lines applied to what its month held.

use chrono::{Datelike, NaiveDate};

use super::contract::{Contract, PriceBasis, PriceKind};
use super::customer::Customer;
use super::invoice::{
    Invoice, InvoiceKind, InvoiceLine, InvoiceStage, InvoiceStatus, Party, Totals, Unit,
};
use super::money::Decimal;
use super::vat::Vat;
use crate::identity::Language;
use crate::tours::Month;

/// What the month held at the sites a contract covers, over the days it covers.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct MonthFacts {
    /// The covered sites' areas, in m².
    pub area_sqm: Decimal,
    /// Minutes of work the covered areas' work-loading plans over the covered days.
    pub planned_minutes: Decimal,
    /// Cleanings planned over the covered days (calendars and one-off jobs).
    pub cleanings_planned: u32,
    /// Of those, done (per area at most as many as were planned).
    pub cleanings_done: u32,
}

/// The draft of `contract` for `month`, or `None` when the contract covers none of it.
pub fn monthly_draft(
    contract_id: &str,
    contract: &Contract,
    customer: &Customer,
    month: Month,
    facts: &MonthFacts,
    vat: Vat,
) -> Option<Invoice> {
    let (from, to) = contract.covered_days(month.first, month.last)?;
    let share_of_month = (Decimal::from(days(from, to)))
        .checked_div(Decimal::from(days(month.first, month.last)))
        .unwrap_or(Decimal::ONE)
        .round_to(4);
    let net = |price: Decimal| match contract.prices {
        PriceBasis::Net => price,
        // Lines are net in EN 16931: a gross price loses its VAT to four decimals.
        PriceBasis::Gross => price
            .checked_div(Decimal::ONE.plus_percent(vat.rate_percent))
            .unwrap_or(price)
            .round_to(4),
    };
    let mut lines = Vec::new();
    let mut lump_sums = Decimal::ZERO;
    for price in &contract.lines {
        let unit_price = net(contract.indexed_price(price, from));
        let (quantity, unit) = match price.kind {
            PriceKind::Monthly => (share_of_month, Unit::Month),
            PriceKind::PerSqmMonthly => (
                (facts.area_sqm * share_of_month).round_to(2),
                Unit::SquareMetre,
            ),
            PriceKind::PerPlannedHour => (
                facts
                    .planned_minutes
                    .checked_div(Decimal::from_int(60))
                    .unwrap_or(Decimal::ZERO)
                    .round_to(2),
                Unit::Hour,
            ),
            PriceKind::PerVisit => (Decimal::from(facts.cleanings_done), Unit::One),
            PriceKind::Extra => (price.monthly_quantity.unwrap_or(Decimal::ZERO), Unit::One),
        };
        if quantity.is_zero() {
            continue;
        }
        let line = InvoiceLine::new(price.description.clone(), quantity, unit, unit_price, vat);
        if matches!(
            price.kind,
            PriceKind::Monthly | PriceKind::PerSqmMonthly | PriceKind::PerPlannedHour
        ) {
            lump_sums = lump_sums + line.net_amount;
        }
        lines.push(line);
    }
    let missed = facts.cleanings_planned.saturating_sub(facts.cleanings_done);
    if contract.deduct_missed_cleanings && missed > 0 && !lump_sums.is_zero() {
        // Each planned cleaning is worth an equal share of the month's lump sums.
        let per_cleaning = lump_sums
            .checked_div(Decimal::from(facts.cleanings_planned))
            .unwrap_or(Decimal::ZERO)
            .round_to(4);
        lines.push(InvoiceLine::new(
            missed_text(customer.language, missed, facts.cleanings_planned),
            -Decimal::from(missed),
            Unit::One,
            per_cleaning,
            vat,
        ));
    }
    Some(Invoice {
        kind: InvoiceKind::Invoice,
        status: InvoiceStatus::Draft,
        stage: InvoiceStage::Draft,
        number: None,
        customer_id: customer.number.clone(),
        contract_id: Some(contract_id.to_owned()),
        month: Some(month.to_string()),
        period_start: from,
        period_end: to,
        currency: contract.currency,
        buyer: buyer_of(customer),
        seller: None,
        buyer_reference: customer.buyer_reference.clone(),
        totals: Totals::of(&lines),
        lines,
        note: None,
        issue_date: None,
        due_date: None,
        paid_on: None,
        corrects: None,
        credited_by: None,
    })
}

/// The customer as an invoice names it.
pub fn buyer_of(customer: &Customer) -> Party {
    Party {
        name: customer.name.clone(),
        address: customer.billing_address.clone(),
        vat_id: customer.vat_id.clone(),
        email: customer
            .contact
            .as_ref()
            .and_then(|c| c.email.as_ref())
            .map(|e| e.as_str().to_owned()),
    }
}

fn days(from: NaiveDate, to: NaiveDate) -> u32 {
    u32::try_from((to - from).num_days() + 1).unwrap_or(0)
}

/// The deduction line's text, in the customer's language.
fn missed_text(language: Language, missed: u32, planned: u32) -> String {
    match language {
        Language::De => {
            format!("Abzug: {missed} von {planned} geplanten Reinigungen nicht erbracht")
        }
        Language::En => format!("Deduction: {missed} of {planned} planned cleanings not done"),
        Language::Fr => {
            format!("Déduction : {missed} nettoyages prévus sur {planned} non effectués")
        }
        Language::It => format!("Detrazione: {missed} di {planned} pulizie previste non eseguite"),
    }
}

/// The due date of an invoice issued on `issued` for a customer with `terms_days`.
pub fn due_date(issued: NaiveDate, terms_days: u16) -> NaiveDate {
    issued + chrono::Days::new(u64::from(terms_days))
}

/// The first day of the month before `date`'s: the month a run on the 1st bills.
pub fn month_before(date: NaiveDate) -> Month {
    let first = date.with_day(1).unwrap_or(date);
    let previous = first.pred_opt().unwrap_or(first);
    Month {
        first: previous.with_day(1).unwrap_or(previous),
        last: previous,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::vat::VatCategory;
    use crate::entity::Entity;
    use serde_json::json;

    fn d(raw: &str) -> Decimal {
        raw.parse().unwrap()
    }

    fn customer() -> Customer {
        Customer::parse(&json!({
            "number": "K-1001", "name": "Muster AG", "language": "de",
            "billingAddress": {"street": "Hauptstr. 1", "postalCode": "10115", "city": "Berlin", "country": "DE"}
        }))
        .unwrap()
    }

    fn contract(lines: serde_json::Value, extra: serde_json::Value) -> Contract {
        let mut body = json!({
            "name": "Unterhaltsreinigung", "customerId": "K-1001", "siteIds": ["s1"],
            "start": "2026-01-01", "currency": "EUR", "prices": "net", "lines": lines
        });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        Contract::parse(&body).unwrap()
    }

    fn vat19() -> Vat {
        Vat {
            category: VatCategory::Standard,
            rate_percent: d("19"),
        }
    }

    fn facts() -> MonthFacts {
        MonthFacts {
            area_sqm: d("1250.5"),
            planned_minutes: d("4510"),
            cleanings_planned: 40,
            cleanings_done: 37,
        }
    }

    fn november() -> Month {
        "2026-11".parse().unwrap()
    }

    #[test]
    fn every_kind_of_line_takes_its_quantity_from_the_month() {
        let c = contract(
            json!([
                {"kind": "monthly", "description": "Pauschale", "unitPrice": "500"},
                {"kind": "perSqmMonthly", "description": "Fläche", "unitPrice": "0.8"},
                {"kind": "perPlannedHour", "description": "Stunden", "unitPrice": "32.5"},
                {"kind": "perVisit", "description": "Einsätze", "unitPrice": "12"},
                {"kind": "extra", "description": "Fenster", "unitPrice": "4.5", "monthlyQuantity": "10"}
            ]),
            json!({}),
        );
        let invoice = monthly_draft("c1", &c, &customer(), november(), &facts(), vat19()).unwrap();
        let quantities: Vec<_> = invoice
            .lines
            .iter()
            .map(|l| (l.quantity.plain(), l.unit.code()))
            .collect();
        assert_eq!(
            quantities,
            [
                ("1".into(), "MON"),
                ("1250.5".into(), "MTK"),
                ("75.17".into(), "HUR"),
                ("37".into(), "C62"),
                ("10".into(), "C62")
            ]
        );
        assert_eq!(
            invoice.totals.net_total,
            d("500") + d("1000.40") + d("2443.03") + d("444") + d("45")
        );
        assert_eq!(invoice.period_start.to_string(), "2026-11-01");
    }

    #[test]
    fn a_contract_starting_mid_month_is_prorated() {
        let c = contract(
            json!([{"kind": "monthly", "description": "Pauschale", "unitPrice": "900"}]),
            json!({"start": "2026-11-16"}),
        );
        let invoice = monthly_draft("c1", &c, &customer(), november(), &facts(), vat19()).unwrap();
        assert_eq!(invoice.lines[0].quantity, d("0.5"));
        assert_eq!(invoice.totals.net_total, d("450.00"));
        assert_eq!(invoice.period_start.to_string(), "2026-11-16");
    }

    #[test]
    fn a_month_outside_the_contract_bills_nothing() {
        let c = contract(
            json!([{"kind": "monthly", "description": "Pauschale", "unitPrice": "900"}]),
            json!({"start": "2026-12-01"}),
        );
        assert!(monthly_draft("c1", &c, &customer(), november(), &facts(), vat19()).is_none());
    }

    #[test]
    fn missed_cleanings_are_deducted_when_the_contract_says_so() {
        let lines = json!([{"kind": "monthly", "description": "Pauschale", "unitPrice": "1000"}]);
        let deducting = contract(lines.clone(), json!({"deductMissedCleanings": true}));
        let invoice =
            monthly_draft("c1", &deducting, &customer(), november(), &facts(), vat19()).unwrap();
        let deduction = invoice.lines.last().unwrap();
        assert_eq!(deduction.quantity, d("-3"));
        assert_eq!(deduction.unit_price, d("25"));
        assert_eq!(
            deduction.description,
            "Abzug: 3 von 40 geplanten Reinigungen nicht erbracht"
        );
        assert_eq!(invoice.totals.net_total, d("925.00"));
        let keeping = contract(lines, json!({}));
        let invoice =
            monthly_draft("c1", &keeping, &customer(), november(), &facts(), vat19()).unwrap();
        assert_eq!(invoice.lines.len(), 1);
    }

    #[test]
    fn gross_prices_are_billed_net_of_vat() {
        let c = contract(
            json!([{"kind": "monthly", "description": "Pauschale", "unitPrice": "119"}]),
            json!({"prices": "gross"}),
        );
        let invoice = monthly_draft("c1", &c, &customer(), november(), &facts(), vat19()).unwrap();
        assert_eq!(invoice.lines[0].unit_price, d("100"));
        assert_eq!(invoice.totals.gross_total, d("119.00"));
    }

    #[test]
    fn indexation_applies_from_the_anniversary() {
        let c = contract(
            json!([{"kind": "monthly", "description": "Pauschale", "unitPrice": "1000"}]),
            json!({"start": "2025-11-01", "yearlyIndexationPercent": "3"}),
        );
        let invoice = monthly_draft("c1", &c, &customer(), november(), &facts(), vat19()).unwrap();
        assert_eq!(invoice.lines[0].unit_price, d("1030"));
    }

    #[test]
    fn the_run_on_the_first_bills_the_month_before() {
        let date = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        assert_eq!(month_before(date).to_string(), "2026-12");
        assert_eq!(month_before(date).last.to_string(), "2026-12-31");
    }
}
