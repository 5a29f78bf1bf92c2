//! The store contract on the embedded SQLite store, each case on a fresh file on disk.

use std::sync::Arc;

use domain::store::DocumentStore;
use store::EmbeddedStore;

async fn fresh_store() -> (Arc<dyn DocumentStore>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = EmbeddedStore::open(dir.path().join("store.sqlite3")).expect("open store");
    (Arc::new(store), dir)
}

store::store_contract_tests!(fresh_store());

#[tokio::test]
async fn data_survives_reopening_the_file() {
    use domain::store::Write;
    let (_, dir) = fresh_store().await;
    let path = dir.path().join("store.sqlite3");
    let tenant = domain::TenantId::parse("t1").unwrap();
    let fields = serde_json::json!({"kept": true})
        .as_object()
        .unwrap()
        .clone();
    let at = chrono::Utc::now();
    {
        let store = EmbeddedStore::open(&path).unwrap();
        store
            .commit(
                &tenant,
                vec![Write::Create {
                    collection: "things",
                    id: "a".into(),
                    fields,
                }],
                at,
            )
            .await
            .unwrap();
    }
    let reopened = EmbeddedStore::open(&path).unwrap();
    let doc = reopened
        .get(&tenant, "things", "a")
        .await
        .unwrap()
        .expect("persisted");
    assert_eq!(doc.fields["kept"], serde_json::json!(true));
}
