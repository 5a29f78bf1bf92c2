//! Contracts: what a customer owes for the cleaning of its sites, line by line.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::money::{Currency, Decimal};
use crate::entity::Entity;
use crate::sites::SiteId;
use crate::validation::{Fields, ValidationErrors, parse_enum};

/// The most price lines a contract holds, and the most sites it covers.
pub const MAX_PRICE_LINES: usize = 50;
pub const MAX_CONTRACT_SITES: usize = 100;

/// An agreement with a customer: the sites it covers, from when to when, and its prices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Contract {
    pub name: String,
    pub customer_id: String,
    pub site_ids: Vec<SiteId>,
    pub start: NaiveDate,
    /// The last day it covers; none while it runs on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<NaiveDate>,
    /// Days' notice either side gives to end it.
    pub notice_period_days: u16,
    pub currency: Currency,
    /// Whether the unit prices include VAT (`gross`) or not (`net`).
    pub prices: PriceBasis,
    pub lines: Vec<PriceLine>,
    /// Prices rise by this percentage on each anniversary of the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yearly_indexation_percent: Option<Decimal>,
    /// Cleanings planned but not done are deducted from the month's lump sums.
    #[serde(default)]
    pub deduct_missed_cleanings: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PriceBasis {
    Net,
    Gross,
}

/// One price of a contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PriceLine {
    pub kind: PriceKind,
    /// What the invoice line says ("Unterhaltsreinigung Büro").
    pub description: String,
    pub unit_price: Decimal,
    /// Extras only: the units billed each month (more are added to a draft by hand).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_quantity: Option<Decimal>,
}

/// How a price line's quantity is found each month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum PriceKind {
    /// A fixed amount per month (prorated in a month the contract covers in part).
    Monthly,
    /// Per m² of the covered sites' areas, per month.
    PerSqmMonthly,
    /// Per hour of work the covered sites' areas load in the month.
    PerPlannedHour,
    /// Per cleaning done, from the proof of service.
    PerVisit,
    /// Per unit of an extra service.
    Extra,
}

impl std::str::FromStr for PriceKind {
    type Err = String;
    fn from_str(raw: &str) -> Result<Self, String> {
        parse_enum(
            raw,
            &[
                "monthly",
                "perSqmMonthly",
                "perPlannedHour",
                "perVisit",
                "extra",
            ],
        )
    }
}

impl Contract {
    /// The days of `first..=last` the contract covers, if any.
    pub fn covered_days(
        &self,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Option<(NaiveDate, NaiveDate)> {
        let from = first.max(self.start);
        let to = self.end.map_or(last, |end| end.min(last));
        (from <= to).then_some((from, to))
    }

    /// The unit price of `line` in force on `date`: raised by the indexation once for every
    /// full year since the start, to four decimals each time (as a price list is rewritten).
    pub fn indexed_price(&self, line: &PriceLine, date: NaiveDate) -> Decimal {
        let Some(percent) = self.yearly_indexation_percent else {
            return line.unit_price;
        };
        (0..full_years(self.start, date)).fold(line.unit_price, |price, _| {
            price.plus_percent(percent).round_to(4)
        })
    }
}

/// Whole years from `start` to `date` (an anniversary on 29 February falls on 1 March).
fn full_years(start: NaiveDate, date: NaiveDate) -> u32 {
    let mut years = date.year() - start.year();
    if (date.month(), date.day()) < (start.month(), start.day()) {
        years -= 1;
    }
    u32::try_from(years.max(0)).unwrap_or(0)
}

fn parse_date(raw: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|_| raw.len() == 10)
        .ok_or_else(|| "must be a date YYYY-MM-DD".into())
}

impl Entity for Contract {
    const COLLECTION: &'static str = "contracts";
    const KIND: &'static str = "contract";

    fn parse(body: &Value) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(body, Self::READ_ONLY)?;
        let name = f.required_str("name", 1..=200);
        let customer_id = f.required_parsed("customerId", |raw| {
            crate::id::parse_id(raw).map(str::to_owned)
        });
        let site_ids = f.optional_parsed_list("siteIds", MAX_CONTRACT_SITES, SiteId::parse);
        if matches!(&site_ids, Some(ids) if ids.is_empty()) || !f.has("siteIds") {
            f.error("siteIds", "must name at least one site the contract covers");
        }
        let start = f.required_parsed("start", parse_date);
        let end = f.optional_parsed("end", parse_date);
        if let (Some(start), Some(end)) = (start, end)
            && end < start
        {
            f.error("end", "must not be before start");
        }
        let notice_period_days = f.optional_i64("noticePeriodDays", 0..=730).unwrap_or(0);
        let currency = f.required_parsed("currency", str::parse::<Currency>);
        let prices = f.required_parsed("prices", |raw| parse_enum(raw, &["net", "gross"]));
        let lines = f.required_list("lines", MAX_PRICE_LINES, |l| {
            let kind = l.required_parsed("kind", str::parse::<PriceKind>);
            let description = l.required_str("description", 1..=200);
            let unit_price = l.required_parsed("unitPrice", str::parse::<Decimal>);
            if unit_price.is_some_and(Decimal::is_negative) {
                l.error("unitPrice", "must not be negative (EN 16931 BR-27)");
            }
            let monthly_quantity = l.optional_parsed("monthlyQuantity", str::parse::<Decimal>);
            match (kind, monthly_quantity) {
                (Some(PriceKind::Extra), Some(q)) if q.is_negative() => {
                    l.error("monthlyQuantity", "must not be negative");
                }
                (Some(kind), Some(_)) if kind != PriceKind::Extra => {
                    l.error(
                        "monthlyQuantity",
                        "is for extras only: other lines count their own",
                    );
                }
                _ => {}
            }
            Some(PriceLine {
                kind: kind?,
                description: description?,
                unit_price: unit_price?,
                monthly_quantity,
            })
        });
        if matches!(&lines, Some(lines) if lines.is_empty()) {
            f.error("lines", "must hold at least one price");
        }
        let yearly_indexation_percent =
            f.optional_parsed("yearlyIndexationPercent", str::parse::<Decimal>);
        if yearly_indexation_percent.is_some_and(|p| p.is_negative() || p > Decimal::from_int(25)) {
            f.error("yearlyIndexationPercent", "must be between 0 and 25");
        }
        let deduct_missed_cleanings = f.optional_bool("deductMissedCleanings").unwrap_or(false);
        f.finish(|| {
            Some(Contract {
                name: name?,
                customer_id: customer_id?,
                site_ids: site_ids?,
                start: start?,
                end,
                notice_period_days: u16::try_from(notice_period_days).ok()?,
                currency: currency?,
                prices: prices?,
                lines: lines?,
                yearly_indexation_percent,
                deduct_missed_cleanings,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    pub(crate) fn contract_json() -> Value {
        json!({
            "name": "Unterhaltsreinigung", "customerId": "K-1001", "siteIds": ["s1"],
            "start": "2025-03-01", "currency": "EUR", "prices": "net",
            "lines": [
                {"kind": "monthly", "description": "Grundpauschale", "unitPrice": "1200.00"},
                {"kind": "extra", "description": "Fensterreinigung", "unitPrice": "4.50", "monthlyQuantity": "20"}
            ],
            "yearlyIndexationPercent": "2.5", "deductMissedCleanings": true
        })
    }

    fn date(raw: &str) -> NaiveDate {
        parse_date(raw).unwrap()
    }

    #[test]
    fn reads_a_contract() {
        let c = Contract::parse(&contract_json()).unwrap();
        assert_eq!(c.lines.len(), 2);
        assert_eq!(c.notice_period_days, 0);
        assert!(c.deduct_missed_cleanings);
    }

    #[test]
    fn names_every_bad_line_field() {
        let mut body = contract_json();
        body["lines"][0]["unitPrice"] = json!("-1");
        body["lines"][0]["monthlyQuantity"] = json!("3");
        body["lines"][1]["kind"] = json!("hourly");
        body["end"] = json!("2025-01-01");
        let fields: Vec<_> = Contract::parse(&body)
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "end",
                "lines[0].unitPrice",
                "lines[0].monthlyQuantity",
                "lines[1].kind"
            ]
        );
    }

    #[test]
    fn prices_rise_on_each_anniversary() {
        let c = Contract::parse(&contract_json()).unwrap();
        let line = &c.lines[0];
        assert_eq!(c.indexed_price(line, date("2026-02-28")).money(), "1200.00");
        assert_eq!(c.indexed_price(line, date("2026-03-01")).money(), "1230.00");
        assert_eq!(c.indexed_price(line, date("2027-03-01")).money(), "1260.75");
    }

    #[test]
    fn covers_only_its_own_days() {
        let mut c = Contract::parse(&contract_json()).unwrap();
        c.end = Some(date("2025-03-10"));
        assert_eq!(
            c.covered_days(date("2025-03-01"), date("2025-03-31")),
            Some((date("2025-03-01"), date("2025-03-10")))
        );
        assert_eq!(c.covered_days(date("2025-04-01"), date("2025-04-30")), None);
    }
}
