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
            let by_id_alone = query.filters.is_empty() && query.order_field() == "id";
            assert!(
                plan.contains("USING INDEX fs_") || by_id_alone,
                "{query:?} is not served by a declared index:\n{plan}"
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

/// The writer makes concurrent commits in one transaction, each in a savepoint: those that
/// fail roll back alone, the others are all there.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_commits_that_fail_leave_the_others_in_their_group() {
    use domain::store::{Query, StoreError, Write};
    let (store, _dir) = fresh_store().await;
    let tenant = domain::TenantId::parse("t1").unwrap();
    let fields = |n: usize| serde_json::json!({"n": n}).as_object().unwrap().clone();
    let create = |id: String, n| Write::Create {
        collection: "things",
        id,
        fields: fields(n),
    };
    let at = chrono::Utc::now();
    store
        .commit(&tenant, vec![create("taken".into(), 0)], at)
        .await
        .unwrap();
    let tasks: Vec<_> = (0..64)
        .map(|i| {
            let (store, tenant) = (store.clone(), tenant.clone());
            // Every other commit also creates the taken id, so all of it must fail.
            let mut writes = vec![create(format!("new{i:02}"), i)];
            if i % 2 == 1 {
                writes.push(create("taken".into(), i));
            }
            tokio::spawn(async move { store.commit(&tenant, writes, at).await })
        })
        .collect();
    for (i, task) in tasks.into_iter().enumerate() {
        let outcome = task.await.unwrap();
        match i % 2 {
            0 => assert!(outcome.is_ok(), "{i}: {outcome:?}"),
            _ => assert!(
                matches!(outcome, Err(StoreError::AlreadyExists { .. })),
                "{i}"
            ),
        }
    }
    let page = store.query(&tenant, &Query::new("things")).await.unwrap();
    let ids: Vec<&str> = page.documents.iter().map(|d| d.meta.id.as_str()).collect();
    let expected: Vec<String> = (0..64).step_by(2).map(|i| format!("new{i:02}")).collect();
    assert_eq!(
        ids[..32],
        expected.iter().map(String::as_str).collect::<Vec<_>>()[..]
    );
    assert_eq!(ids[32..], ["taken"]);
}
