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

/// The queries each declared index stands for: equality on all its fields but the last two
/// and order by the next one, or equality on all but `id` and order by id.
fn queries_of(index: &store::indexes::CompositeIndex) -> Vec<domain::store::Query> {
    use domain::store::{Direction, Filter, Query};
    let collection: &'static str = Box::leak(index.collection_group.clone().into_boxed_str());
    let fields: Vec<&str> = index.fields.iter().map(|f| f.field_path.as_str()).collect();
    let direction = match index.fields.last().map(|f| f.order.as_str()) {
        Some("DESCENDING") => Direction::Desc,
        _ => Direction::Asc,
    };
    let with_equalities = |equal: &[&str], order: &str| {
        let query = equal
            .iter()
            .fold(Query::new(collection), |q, f| q.filter(Filter::eq(*f, "x")));
        query.order_by(order, direction).limit(10)
    };
    let n = fields.len();
    let mut queries = vec![with_equalities(&fields[..n - 1], "id")];
    if n >= 2 {
        queries.push(with_equalities(&fields[..n - 2], fields[n - 2]));
    }
    queries
}

#[tokio::test]
async fn every_declared_index_serves_its_queries_without_a_scan_or_a_sort() {
    let (_, dir) = fresh_store().await;
    let store = EmbeddedStore::open(dir.path().join("store.sqlite3")).unwrap();
    let tenant = domain::TenantId::parse("t1").unwrap();
    for index in store::indexes::declared() {
        for query in queries_of(index) {
            let plan = store.explain(&tenant, &query).await.unwrap();
            assert!(
                plan.contains("USING INDEX fs_") || plan.contains("USING PRIMARY KEY"),
                "{query:?} is not served by an index:\n{plan}"
            );
            assert!(!plan.contains("TEMP B-TREE"), "{query:?} sorts:\n{plan}");
        }
    }
}

#[tokio::test]
async fn a_later_page_seeks_its_index_to_the_cursor() {
    use domain::store::{Cursor, Direction, Filter, FilterOp, Query};
    let (_, dir) = fresh_store().await;
    let store = EmbeddedStore::open(dir.path().join("store.sqlite3")).unwrap();
    let tenant = domain::TenantId::parse("t1").unwrap();
    let query = Query::new("visits")
        .filter(Filter::eq("siteId", "s1"))
        .filter(Filter::new("localDate", FilterOp::Ge, "2026-11-01"))
        .order_by("localDate", Direction::Asc)
        .start_after(Some(Cursor {
            value: serde_json::json!("2026-11-12"),
            id: "v9".into(),
        }));
    let plan = store.explain(&tenant, &query).await.unwrap();
    assert!(
        plan.contains("USING INDEX fs_visits__siteId__localDate__id"),
        "{plan}"
    );
    assert!(plan.contains(">"), "seeks past the cursor: {plan}");
}
