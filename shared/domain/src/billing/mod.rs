//! The economic entity: customers, contracts, and the invoices billed from them.
//!
//! - [`money`]: exact decimals (never floats) and currencies.
//! - [`customer`]: whom a tenant bills; [`contract`]: what they agreed, price line by line.
//! - [`vat`]: the VAT of a service from the seller's and the buyer's country.
//! - [`invoice`]: invoices and credit notes, their states and EN 16931 totals.
//! - [`draft`]: a contract's monthly draft from what the month held.
//! - [`cii`]: an issued invoice as CII XML (ZUGFeRD / Factur-X, EN 16931 profile);
//!   [`ubl`]: as UBL in the XRechnung 3.0 customization, for German public customers.

pub mod cii;
pub mod contract;
pub mod customer;
pub mod draft;
pub mod invoice;
pub mod money;
pub mod ubl;
pub mod vat;
mod xml;

pub use contract::Contract;
pub use customer::Customer;
pub use invoice::Invoice;
pub use money::{Currency, Decimal};
