//! The store contract on the Firestore adapter, against the Firestore emulator that the test
//! command (`scripts/test`) starts; each case gets a project of its own.
//!
//! Skipped here, and only here, because the emulator cannot show them (they run on the
//! embedded store, and hold on Firestore by its documented transaction semantics):
//! - `racing_writers_one_wins_and_the_other_fails` and
//!   `parallel_updates_of_one_document_lose_nothing`: the emulator neither checks concurrent
//!   transactions for conflicts nor honours `updateTime` preconditions, so a lost update
//!   cannot be refused there;
//! - `integers_and_doubles_compare_as_numbers`: the emulator compares integers only with
//!   integers and doubles only with doubles (Firestore treats both as numbers);
//! - `an_update_removes_the_fields_it_leaves_out`: the emulator merges updates, even masked
//!   ones; Firestore deletes a masked field the update leaves out, which the adapter relies on.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use domain::store::DocumentStore;
use store::FirestoreStore;

/// A fresh, empty database: a project id no other test uses.
async fn fresh_store() -> (Arc<dyn DocumentStore>, ()) {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    assert!(
        std::env::var_os("FIRESTORE_EMULATOR_HOST").is_some(),
        "FIRESTORE_EMULATOR_HOST is not set: run scripts/test, which starts the Firestore emulator"
    );
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let project = format!(
        "contract-{}-{nanos}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let store = FirestoreStore::connect(&project, "(default)")
        .await
        .expect("connect to the emulator");
    (Arc::new(store), ())
}

store::store_contract_tests!(
    fresh_store(),
    skip: [
        racing_writers_one_wins_and_the_other_fails,
        parallel_updates_of_one_document_lose_nothing,
        integers_and_doubles_compare_as_numbers,
        an_update_removes_the_fields_it_leaves_out,
    ]
);
