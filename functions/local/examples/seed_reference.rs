//! Stores the reference tenant (`platform::testing::reference`) in a local cloud's data
//! directory, for `scripts/bench`: the store a `cleanops serve --data-dir DIR` then serves.
//!
//!     cargo run --release -p cleanops --example seed_reference -- DIR TENANT VISITS [DAYS]
//!
//! The history (DAYS, default a quarter) ends yesterday (UTC); a progress line on stderr
//! counts the documents written.

use std::io::Write as _;
use std::sync::Arc;

use domain::TenantId;
use domain::store::TenantStore;
use platform::testing::reference::{self, Scale};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dir, tenant, visits, days) = match args.as_slice() {
        [dir, tenant, visits] => (dir, tenant, visits, None),
        [dir, tenant, visits, days] => (dir, tenant, visits, Some(days)),
        _ => panic!("usage: seed_reference DIR TENANT VISITS [DAYS]"),
    };
    let visits: usize = visits.parse().expect("VISITS is a number");
    let days = days.map_or(Scale::FULL.days, |d| d.parse().expect("DAYS is a number"));
    let store = store::EmbeddedStore::open(std::path::Path::new(dir).join("store.sqlite3"))
        .expect("the data directory's store");
    let tenant = TenantId::parse(tenant).expect("a tenant id");
    let store = TenantStore::new(Arc::new(store), tenant.clone());
    let scale = Scale {
        visits,
        days,
        ..Scale::FULL
    };
    let yesterday = chrono::Utc::now().date_naive() - chrono::Duration::days(1);
    let expected = visits + 700 + days as usize * 3;
    let mut progress = |written: usize| {
        let shown = written.min(expected);
        eprint!("\rseeding {tenant}: {shown:>6} / ~{expected} documents");
        let _ = std::io::stderr().flush();
    };
    let built = reference::build(&store, scale, yesterday, &mut progress).await;
    eprintln!(
        "\rseeded {tenant}: {} sites, {} areas, {} cleaners, {} visits, {} inspections ({} to {})",
        built.sites.len(),
        built.areas.len(),
        built.cleaners.len(),
        built.visits,
        built.inspections,
        built.first_day,
        built.last_day
    );
}
