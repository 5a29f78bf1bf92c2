//! The store contract: the behaviour every [`DocumentStore`] adapter must show. Each case is a
//! public async function over a fresh, empty store; [`store_contract_tests!`] turns them all
//! into `#[tokio::test]`s for an adapter, so a new adapter cannot skip one unnoticed.
//!
//! ```ignore
//! store::store_contract_tests!(async { make_fresh_store().await });
//! ```
//! The factory yields `(Arc<dyn DocumentStore>, guard)`; the guard lives as long as the test
//! (a temporary directory, an emulator project).

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use domain::TenantId;
use domain::store::{
    Cursor, Direction, Document, DocumentStore, Filter, FilterOp, Query, StoreError, Write,
    WriteOutcome,
};
use serde_json::{Map, Value, json};

const C: &str = "things";
const OTHER: &str = "others";

fn tenant(name: &str) -> TenantId {
    TenantId::parse(name).expect("valid tenant id")
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap()
}

fn obj(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn create(id: &str, fields: Value) -> Write {
    Write::Create {
        collection: C,
        id: id.into(),
        fields: obj(fields),
    }
}

fn update(id: &str, expected_version: u64, fields: Value) -> Write {
    Write::Update {
        collection: C,
        id: id.into(),
        expected_version,
        fields: obj(fields),
    }
}

async fn must_get(store: &dyn DocumentStore, t: &TenantId, id: &str) -> Document {
    store
        .get(t, C, id)
        .await
        .expect("get")
        .unwrap_or_else(|| panic!("{id} should exist"))
}

fn ids(docs: &[Document]) -> Vec<&str> {
    docs.iter().map(|d| d.meta.id.as_str()).collect()
}

async fn seed(store: &dyn DocumentStore, t: &TenantId, docs: Vec<(&str, Value)>) {
    let writes = docs
        .into_iter()
        .map(|(id, fields)| create(id, fields))
        .collect();
    store.commit(t, writes, t0()).await.expect("seed commit");
}

pub async fn create_then_get_returns_fields_and_metadata(store: Arc<dyn DocumentStore>) {
    let t = tenant("t1");
    let fields = json!({"name": "Lobby", "size": 42.5, "floor": -1, "tags": ["a", "ü"], "geo": {"lat": 1.5}, "ok": true, "none": null});
    let out = store
        .commit(&t, vec![create("a1", fields.clone())], t0())
        .await
        .unwrap();
    let WriteOutcome::Written(written) = &out[0] else {
        panic!("expected a written document")
    };
    assert_eq!(written.meta.version, 1);
    let doc = must_get(&*store, &t, "a1").await;
    assert_eq!(&doc, written);
    assert_eq!(Value::Object(doc.fields), fields);
    assert_eq!((doc.meta.created_at, doc.meta.updated_at), (t0(), t0()));
    assert_eq!(store.get(&t, C, "missing").await.unwrap(), None);
}

pub async fn create_of_an_existing_document_fails_and_keeps_it(store: Arc<dyn DocumentStore>) {
    let t = tenant("t1");
    seed(&*store, &t, vec![("a1", json!({"n": 1}))]).await;
    let err = store
        .commit(&t, vec![create("a1", json!({"n": 2}))], t0())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists { .. }), "{err:?}");
    assert_eq!(must_get(&*store, &t, "a1").await.fields["n"], json!(1));
}

pub async fn update_at_the_current_version_replaces_fields_and_bumps_version(
    store: Arc<dyn DocumentStore>,
) {
    let t = tenant("t1");
    seed(&*store, &t, vec![("a1", json!({"n": 1, "kept": "x"}))]).await;
    let later = t0() + Duration::minutes(5);
    let out = store
        .commit(
            &t,
            vec![update("a1", 1, json!({"n": 2, "kept": "y", "new": true}))],
            later,
        )
        .await
        .unwrap();
    let doc = must_get(&*store, &t, "a1").await;
    assert_eq!(out, vec![WriteOutcome::Written(doc.clone())]);
    assert_eq!(doc.meta.version, 2);
    assert_eq!(
        Value::Object(doc.fields),
        json!({"n": 2, "kept": "y", "new": true})
    );
    assert_eq!((doc.meta.created_at, doc.meta.updated_at), (t0(), later));
}

/// An update replaces the document: a field it leaves out is gone.
pub async fn an_update_removes_the_fields_it_leaves_out(store: Arc<dyn DocumentStore>) {
    let t = tenant("t1");
    seed(&*store, &t, vec![("a1", json!({"n": 1, "gone": "x"}))]).await;
    store
        .commit(&t, vec![update("a1", 1, json!({"n": 2}))], t0())
        .await
        .unwrap();
    let doc = must_get(&*store, &t, "a1").await;
    assert_eq!(
        Value::Object(doc.fields),
        json!({"n": 2}),
        "an update replaces, it does not merge"
    );
}

pub async fn update_at_a_stale_version_fails_and_changes_nothing(store: Arc<dyn DocumentStore>) {
    let t = tenant("t1");
    seed(&*store, &t, vec![("a1", json!({"n": 1}))]).await;
    store
        .commit(&t, vec![update("a1", 1, json!({"n": 2}))], t0())
        .await
        .unwrap();
    let err = store
        .commit(&t, vec![update("a1", 1, json!({"n": 3}))], t0())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::VersionMismatch {
                expected: 1,
                actual: 2,
                ..
            }
        ),
        "{err:?}"
    );
    let doc = must_get(&*store, &t, "a1").await;
    assert_eq!((doc.meta.version, &doc.fields["n"]), (2, &json!(2)));
}

pub async fn update_of_a_missing_document_fails(store: Arc<dyn DocumentStore>) {
    let err = store
        .commit(&tenant("t1"), vec![update("nope", 1, json!({}))], t0())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    assert_eq!(
        store.get(&tenant("t1"), C, "nope").await.unwrap(),
        None,
        "no upsert"
    );
}

pub async fn delete_honours_its_version_and_is_idempotent_without_one(
    store: Arc<dyn DocumentStore>,
) {
    let t = tenant("t1");
    seed(&*store, &t, vec![("a1", json!({})), ("a2", json!({}))]).await;
    let del = |id: &str, v: Option<u64>| Write::Delete {
        collection: C,
        id: id.into(),
        expected_version: v,
    };
    let err = store
        .commit(&t, vec![del("a1", Some(7))], t0())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::VersionMismatch { .. }), "{err:?}");
    assert!(store.get(&t, C, "a1").await.unwrap().is_some());
    assert_eq!(
        store
            .commit(&t, vec![del("a1", Some(1))], t0())
            .await
            .unwrap(),
        vec![WriteOutcome::Deleted]
    );
    assert_eq!(store.get(&t, C, "a1").await.unwrap(), None);
    let err = store
        .commit(&t, vec![del("a1", Some(1))], t0())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    store
        .commit(&t, vec![del("a1", None)], t0())
        .await
        .expect("a retried delete succeeds");
    store.commit(&t, vec![del("a2", None)], t0()).await.unwrap();
    assert_eq!(store.get(&t, C, "a2").await.unwrap(), None);
}

pub async fn a_commit_applies_all_writes_or_none(store: Arc<dyn DocumentStore>) {
    let t = tenant("t1");
    seed(
        &*store,
        &t,
        vec![("a1", json!({"n": 1})), ("guard", json!({}))],
    )
    .await;
    let writes = vec![
        create("new", json!({})),
        update("a1", 1, json!({"n": 2})),
        Write::Verify {
            collection: C,
            id: "guard".into(),
            expected_version: 9,
        },
    ];
    let err = store.commit(&t, writes, t0()).await.unwrap_err();
    assert!(matches!(err, StoreError::VersionMismatch { .. }), "{err:?}");
    assert_eq!(
        store.get(&t, C, "new").await.unwrap(),
        None,
        "the create was rolled back"
    );
    assert_eq!(
        must_get(&*store, &t, "a1").await.meta.version,
        1,
        "the update was rolled back"
    );

    let writes = vec![
        create("new", json!({})),
        update("a1", 1, json!({"n": 2})),
        Write::Verify {
            collection: C,
            id: "guard".into(),
            expected_version: 1,
        },
    ];
    let out = store.commit(&t, writes, t0()).await.unwrap();
    assert_eq!(out.len(), 3);
    assert_eq!(out[2], WriteOutcome::Verified);
    assert_eq!(
        must_get(&*store, &t, "guard").await.meta.version,
        1,
        "verify writes nothing"
    );
}

pub async fn get_many_returns_the_existing_documents_in_order(store: Arc<dyn DocumentStore>) {
    let t = tenant("t1");
    seed(
        &*store,
        &t,
        vec![("a", json!({})), ("b", json!({})), ("c", json!({}))],
    )
    .await;
    let wanted = ["c".to_owned(), "zzz".to_owned(), "a".to_owned()];
    assert_eq!(
        ids(&store.get_many(&t, C, &wanted).await.unwrap()),
        ["c", "a"]
    );
    assert!(store.get_many(&t, C, &[]).await.unwrap().is_empty());
}

pub async fn tenants_never_see_each_other(store: Arc<dyn DocumentStore>) {
    let (a, b) = (tenant("tenant-a"), tenant("tenant-b"));
    seed(&*store, &a, vec![("x", json!({"owner": "a"}))]).await;
    assert_eq!(store.get(&b, C, "x").await.unwrap(), None);
    assert!(
        store
            .get_many(&b, C, &["x".into()])
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .query(&b, &Query::new(C))
            .await
            .unwrap()
            .documents
            .is_empty()
    );
    let q = Query::new(C).filter(Filter::eq("owner", "a"));
    assert!(store.query(&b, &q).await.unwrap().documents.is_empty());
    let err = store
        .commit(&b, vec![update("x", 1, json!({"owner": "b"}))], t0())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    let del = Write::Delete {
        collection: C,
        id: "x".into(),
        expected_version: None,
    };
    store.commit(&b, vec![del], t0()).await.unwrap();
    // The same id in another tenant is another document.
    seed(&*store, &b, vec![("x", json!({"owner": "b"}))]).await;
    assert_eq!(must_get(&*store, &a, "x").await.fields["owner"], json!("a"));
    assert_eq!(must_get(&*store, &b, "x").await.fields["owner"], json!("b"));
}

pub async fn collections_are_separate(store: Arc<dyn DocumentStore>) {
    let t = tenant("t1");
    seed(&*store, &t, vec![("x", json!({}))]).await;
    assert_eq!(store.get(&t, OTHER, "x").await.unwrap(), None);
    assert!(
        store
            .query(&t, &Query::new(OTHER))
            .await
            .unwrap()
            .documents
            .is_empty()
    );
}

async fn seed_numbers(store: &dyn DocumentStore, t: &TenantId) {
    seed(
        store,
        t,
        vec![
            ("d1", json!({"n": 1, "site": "s1", "name": "b"})),
            ("d2", json!({"n": 2, "site": "s1", "name": "a"})),
            ("d3", json!({"n": 3, "site": "s2", "name": "c"})),
            ("d4", json!({"n": 4, "site": "s2"})),
            ("d5", json!({"n": "2", "site": "s3", "name": "a"})),
        ],
    )
    .await;
}

pub async fn equality_range_and_in_filters_match_like_firestore(store: Arc<dyn DocumentStore>) {
    let t = tenant("t1");
    seed_numbers(&*store, &t).await;
    let run = |filters: Vec<Filter>| {
        let store = store.clone();
        let t = t.clone();
        async move {
            let q = Query {
                filters,
                ..Query::new(C)
            };
            ids(&store.query(&t, &q).await.unwrap().documents)
                .into_iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(run(vec![Filter::eq("site", "s1")]).await, ["d1", "d2"]);
    assert_eq!(
        run(vec![Filter::new("n", FilterOp::Gt, 2)]).await,
        ["d3", "d4"],
        "numbers compare with numbers only"
    );
    assert_eq!(
        run(vec![
            Filter::new("n", FilterOp::Ge, 2),
            Filter::new("n", FilterOp::Lt, 3)
        ])
        .await,
        ["d2"]
    );
    assert_eq!(run(vec![Filter::new("n", FilterOp::Le, 1)]).await, ["d1"]);
    assert_eq!(
        run(vec![Filter::eq("n", "2")]).await,
        ["d5"],
        "a string never equals a number"
    );
    assert_eq!(
        run(vec![Filter::new("site", FilterOp::In, json!(["s2", "s3"]))]).await,
        ["d3", "d4", "d5"]
    );
    assert_eq!(
        run(vec![
            Filter::eq("site", "s1"),
            Filter::new("n", FilterOp::Gt, 1)
        ])
        .await,
        ["d2"]
    );
    assert_eq!(
        run(vec![Filter::new(
            "id",
            FilterOp::In,
            json!(["d5", "d1", "nope"])
        )])
        .await,
        ["d1", "d5"]
    );
    assert!(run(vec![Filter::eq("missing", 1)]).await.is_empty());
}

/// Firestore compares and orders integers and doubles as one numeric type.
pub async fn integers_and_doubles_compare_as_numbers(store: Arc<dyn DocumentStore>) {
    let t = tenant("t1");
    seed(
        &*store,
        &t,
        vec![
            ("i1", json!({"n": 1})),
            ("f2", json!({"n": 2.5})),
            ("i3", json!({"n": 3})),
            ("s4", json!({"n": "2.7"})),
        ],
    )
    .await;
    let run = |filter: Option<Filter>, order: Option<Direction>| {
        let (store, t) = (store.clone(), t.clone());
        async move {
            let mut q = Query::new(C);
            q.filters.extend(filter);
            if let Some(direction) = order {
                q = q.order_by("n", direction);
            }
            ids(&store.query(&t, &q).await.unwrap().documents)
                .into_iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        run(Some(Filter::new("n", FilterOp::Gt, 2)), None).await,
        ["f2", "i3"]
    );
    assert_eq!(
        run(Some(Filter::new("n", FilterOp::Lt, 3)), None).await,
        ["f2", "i1"]
    );
    assert_eq!(
        run(Some(Filter::new("n", FilterOp::Ge, 2.5)), None).await,
        ["f2", "i3"]
    );
    assert_eq!(
        run(
            Some(Filter::new("n", FilterOp::Gt, 0)),
            Some(Direction::Asc)
        )
        .await,
        ["i1", "f2", "i3"]
    );
}

/// Equality holds between values of one JSON type only: a string never equals the text of an
/// object, an array, a number or a boolean.
pub async fn equality_matches_values_of_the_same_type_only(store: Arc<dyn DocumentStore>) {
    let t = tenant("t1");
    seed(
        &*store,
        &t,
        vec![
            ("object", json!({"v": {"a": 1}})),
            ("array", json!({"v": [1]})),
            ("number", json!({"v": 1})),
            ("boolean", json!({"v": true})),
            ("text-object", json!({"v": "{\"a\":1}"})),
            ("text-array", json!({"v": "[1]"})),
            ("text-one", json!({"v": "1"})),
        ],
    )
    .await;
    let matching = |value: Value| {
        let (store, t) = (store.clone(), t.clone());
        async move {
            let q = Query::new(C).filter(Filter::new("v", FilterOp::Eq, value));
            ids(&store.query(&t, &q).await.unwrap().documents)
                .into_iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(matching(json!("{\"a\":1}")).await, ["text-object"]);
    assert_eq!(matching(json!("[1]")).await, ["text-array"]);
    assert_eq!(matching(json!("1")).await, ["text-one"]);
    assert_eq!(matching(json!(1)).await, ["number"]);
    assert_eq!(matching(json!(true)).await, ["boolean"]);
}

pub async fn ordering_breaks_ties_by_id_and_leaves_out_documents_without_the_field(
    store: Arc<dyn DocumentStore>,
) {
    let t = tenant("t1");
    seed_numbers(&*store, &t).await;
    let q = Query::new(C)
        .filter(Filter::new("site", FilterOp::In, json!(["s1", "s2", "s3"])))
        .order_by("name", Direction::Asc);
    assert_eq!(
        ids(&store.query(&t, &q).await.unwrap().documents),
        ["d2", "d5", "d1", "d3"]
    );
    let q = Query::new(C).order_by("name", Direction::Desc);
    assert_eq!(
        ids(&store.query(&t, &q).await.unwrap().documents),
        ["d3", "d1", "d5", "d2"]
    );
    let q = Query::new(C).order_by("id", Direction::Desc).limit(2);
    let page = store.query(&t, &q).await.unwrap();
    assert_eq!(ids(&page.documents), ["d5", "d4"]);
    assert_eq!(
        page.next,
        Some(Cursor {
            value: json!("d4"),
            id: "d4".into()
        })
    );
}

/// Every document of `query`, following its pages; no page is larger than its limit.
async fn every_page(store: &dyn DocumentStore, t: &TenantId, mut query: Query) -> Vec<Document> {
    let mut all = Vec::new();
    loop {
        let page = store.query(t, &query).await.unwrap();
        assert!(page.documents.len() <= query.limit);
        all.extend(page.documents);
        match page.next {
            Some(cursor) => query.start_after = Some(cursor),
            None => return all,
        }
    }
}

pub async fn keyset_pages_visit_every_document_once_in_order(store: Arc<dyn DocumentStore>) {
    let t = tenant("t1");
    let docs: Vec<(String, Value)> = (0..23)
        .map(|i| (format!("k{i:02}"), json!({"group": i % 4, "kind": "x"})))
        .collect();
    seed(
        &*store,
        &t,
        docs.iter()
            .map(|(id, v)| (id.as_str(), v.clone()))
            .collect(),
    )
    .await;
    for direction in [Direction::Asc, Direction::Desc] {
        let mut expected: Vec<(i64, String)> = docs
            .iter()
            .map(|(id, v)| (v["group"].as_i64().unwrap(), id.clone()))
            .collect();
        expected.sort();
        if direction == Direction::Desc {
            expected.reverse();
        }
        let query = Query::new(C)
            .filter(Filter::eq("kind", "x"))
            .order_by("group", direction)
            .limit(4);
        let seen: Vec<(i64, String)> = every_page(&*store, &t, query)
            .await
            .iter()
            .map(|d| (d.fields["group"].as_i64().unwrap(), d.meta.id.clone()))
            .collect();
        assert_eq!(seen, expected, "{direction:?}");
    }
}

/// A month of visits over many pages: the later pages keep the query's range filters.
pub async fn a_range_query_pages_past_its_first_page(store: Arc<dyn DocumentStore>) {
    let t = tenant("t1");
    let docs: Vec<(String, Value)> = (0..40)
        .map(|i| {
            let date = format!("2026-11-{:02}", 1 + i % 35);
            (format!("v{i:02}"), json!({"site": "s1", "date": date}))
        })
        .collect();
    seed(
        &*store,
        &t,
        docs.iter()
            .map(|(id, v)| (id.as_str(), v.clone()))
            .collect(),
    )
    .await;
    let in_range = |v: &Value| {
        let date = v["date"].as_str().unwrap();
        ("2026-11-03"..="2026-11-30").contains(&date)
    };
    let mut expected: Vec<(String, String)> = docs
        .iter()
        .filter(|(_, v)| in_range(v))
        .map(|(id, v)| (v["date"].as_str().unwrap().to_owned(), id.clone()))
        .collect();
    expected.sort();
    let query = Query::new(C)
        .filter(Filter::eq("site", "s1"))
        .filter(Filter::new("date", FilterOp::Ge, "2026-11-03"))
        .filter(Filter::new("date", FilterOp::Le, "2026-11-30"))
        .order_by("date", Direction::Asc)
        .limit(3);
    let seen: Vec<(String, String)> = every_page(&*store, &t, query)
        .await
        .iter()
        .map(|d| {
            (
                d.fields["date"].as_str().unwrap().to_owned(),
                d.meta.id.clone(),
            )
        })
        .collect();
    assert_eq!(seen, expected);
}

pub async fn metadata_fields_can_be_filtered_and_ordered(store: Arc<dyn DocumentStore>) {
    let t = tenant("t1");
    store
        .commit(&t, vec![create("early", json!({}))], t0())
        .await
        .unwrap();
    store
        .commit(
            &t,
            vec![create("late", json!({}))],
            t0() + Duration::hours(1),
        )
        .await
        .unwrap();
    let since = domain::meta::format_timestamp(&(t0() + Duration::minutes(30)));
    let q = Query::new(C).filter(Filter::new("createdAt", FilterOp::Gt, since));
    assert_eq!(ids(&store.query(&t, &q).await.unwrap().documents), ["late"]);
    let q = Query::new(C).order_by("createdAt", Direction::Desc);
    assert_eq!(
        ids(&store.query(&t, &q).await.unwrap().documents),
        ["late", "early"]
    );
}

pub async fn malformed_requests_are_refused(store: Arc<dyn DocumentStore>) {
    let t = tenant("t1");
    for field in ["a.b", "x'y", "", "1abc"] {
        let q = Query::new(C).filter(Filter::eq(field, 1));
        let err = store.query(&t, &q).await.unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "{field:?}: {err:?}");
    }
    let q = Query::new(C).filter(Filter::new("n", FilterOp::In, json!([])));
    assert!(matches!(
        store.query(&t, &q).await,
        Err(StoreError::Invalid(_))
    ));
    let twice = vec![create("a", json!({})), update("a", 1, json!({}))];
    assert!(matches!(
        store.commit(&t, twice, t0()).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store.commit(&t, vec![create("a/b", json!({}))], t0()).await,
        Err(StoreError::Invalid(_))
    ));
    for reserved in ["id", "version", "createdAt", "updatedAt"] {
        let mut fields = Map::new();
        fields.insert(reserved.into(), json!(1));
        let write = Write::Create {
            collection: C,
            id: "r".into(),
            fields,
        };
        let err = store.commit(&t, vec![write], t0()).await.unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "{reserved}: {err:?}");
    }
    assert!(
        store
            .query(&t, &Query::new(C))
            .await
            .unwrap()
            .documents
            .is_empty(),
        "nothing was written"
    );
}

/// Two writers update one document from the same version at once: one wins, the other is
/// told so, and the winner's write is what remains.
pub async fn racing_writers_one_wins_and_the_other_fails(store: Arc<dyn DocumentStore>) {
    let t = tenant("t1");
    seed(&*store, &t, vec![("doc", json!({"by": "seed"}))]).await;
    let racer = |name: &'static str| {
        let (store, t) = (store.clone(), t.clone());
        tokio::spawn(async move {
            store
                .commit(&t, vec![update("doc", 1, json!({"by": name}))], t0())
                .await
        })
    };
    let (a, b) = (racer("a"), racer("b"));
    let results = [a.await.unwrap(), b.await.unwrap()];
    let winners: Vec<_> = results
        .iter()
        .enumerate()
        .filter(|(_, r)| r.is_ok())
        .map(|(i, _)| ["a", "b"][i])
        .collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    let loser = results.iter().find_map(|r| r.as_ref().err()).unwrap();
    assert!(
        matches!(loser, StoreError::VersionMismatch { .. }),
        "{loser:?}"
    );
    let doc = must_get(&*store, &t, "doc").await;
    assert_eq!(
        (doc.meta.version, doc.fields["by"].as_str().unwrap()),
        (2, winners[0])
    );
}

pub async fn racing_creates_of_one_id_create_it_once(store: Arc<dyn DocumentStore>) {
    let t = tenant("t1");
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let (store, t) = (store.clone(), t.clone());
            tokio::spawn(async move {
                store
                    .commit(&t, vec![create("once", json!({"by": i}))], t0())
                    .await
            })
        })
        .collect();
    let mut created = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => created += 1,
            Err(StoreError::AlreadyExists { .. }) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(created, 1);
}

/// Commits race to create one guard document, each also updating a document of its own,
/// listed before the guard: one commits, and the losers' updates are not applied either.
pub async fn racing_commits_guarded_by_one_create_apply_the_winner_only(
    store: Arc<dyn DocumentStore>,
) {
    const RACERS: usize = 6;
    let t = tenant("t1");
    let own: Vec<String> = (0..RACERS).map(|i| format!("own-{i}")).collect();
    seed(
        &*store,
        &t,
        own.iter().map(|id| (id.as_str(), json!({}))).collect(),
    )
    .await;
    let tasks: Vec<_> = (0..RACERS)
        .map(|i| {
            let (store, t, own) = (store.clone(), t.clone(), own[i].clone());
            tokio::spawn(async move {
                let writes = vec![
                    update(&own, 1, json!({"by": i})),
                    create("guard", json!({"by": i})),
                ];
                store.commit(&t, writes, t0()).await
            })
        })
        .collect();
    let mut winners = Vec::new();
    for (i, task) in tasks.into_iter().enumerate() {
        match task.await.unwrap() {
            Ok(_) => winners.push(i),
            Err(StoreError::AlreadyExists { .. }) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(winners.len(), 1, "{winners:?}");
    assert_eq!(
        must_get(&*store, &t, "guard").await.fields["by"],
        json!(winners[0])
    );
    for (i, id) in own.iter().enumerate() {
        let version = must_get(&*store, &t, id).await.meta.version;
        assert_eq!(version, if i == winners[0] { 2 } else { 1 }, "{id}");
    }
}

/// Many tasks increment one counter with read-modify-write under a version precondition,
/// retrying lost races: every increment must survive.
pub async fn parallel_updates_of_one_document_lose_nothing(store: Arc<dyn DocumentStore>) {
    const TASKS: u64 = 12;
    const EACH: u64 = 8;
    let t = tenant("t1");
    seed(&*store, &t, vec![("counter", json!({"n": 0}))]).await;
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            let (store, t) = (store.clone(), t.clone());
            tokio::spawn(async move {
                let mut lost_races = 0u64;
                for _ in 0..EACH {
                    loop {
                        let doc = must_get(&*store, &t, "counter").await;
                        let n = doc.fields["n"].as_u64().unwrap();
                        match store
                            .commit(
                                &t,
                                vec![update("counter", doc.meta.version, json!({"n": n + 1}))],
                                t0(),
                            )
                            .await
                        {
                            Ok(_) => break,
                            Err(StoreError::VersionMismatch { .. }) => lost_races += 1,
                            Err(other) => panic!("unexpected {other:?}"),
                        }
                    }
                }
                lost_races
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let doc = must_get(&*store, &t, "counter").await;
    assert_eq!(doc.fields["n"], json!(TASKS * EACH));
    assert_eq!(doc.meta.version, TASKS * EACH + 1);
}

pub async fn documents_survive_every_json_shape(store: Arc<dyn DocumentStore>) {
    let t = tenant("t1");
    let fields = json!({"big": 9_007_199_254_740_991i64, "neg": -0.125, "text": "line\n\"quoted\" 🧽", "list": [1, "two", {"three": [3]}], "empty": {}});
    seed(&*store, &t, vec![("shapes", fields.clone())]).await;
    assert_eq!(
        Value::Object(must_get(&*store, &t, "shapes").await.fields),
        fields
    );
    let ids_seen: BTreeSet<_> = store
        .query(&t, &Query::new(C))
        .await
        .unwrap()
        .documents
        .into_iter()
        .map(|d| d.meta.id)
        .collect();
    assert_eq!(ids_seen, BTreeSet::from(["shapes".to_owned()]));
}

/// Generates one `#[tokio::test]` per contract case for the adapter the factory makes.
/// `skip: [case, ...]` leaves named cases out (each skip must be justified where it is used).
#[macro_export]
macro_rules! store_contract_tests {
    ($factory:expr) => { $crate::store_contract_tests!($factory, skip: []); };
    ($factory:expr, skip: [$($skip:ident),* $(,)?]) => {
        $crate::store_contract_tests!(@cases $factory; [$($skip),*];
            create_then_get_returns_fields_and_metadata,
            create_of_an_existing_document_fails_and_keeps_it,
            update_at_the_current_version_replaces_fields_and_bumps_version,
            an_update_removes_the_fields_it_leaves_out,
            update_at_a_stale_version_fails_and_changes_nothing,
            update_of_a_missing_document_fails,
            delete_honours_its_version_and_is_idempotent_without_one,
            a_commit_applies_all_writes_or_none,
            get_many_returns_the_existing_documents_in_order,
            tenants_never_see_each_other,
            collections_are_separate,
            equality_range_and_in_filters_match_like_firestore,
            integers_and_doubles_compare_as_numbers,
            equality_matches_values_of_the_same_type_only,
            ordering_breaks_ties_by_id_and_leaves_out_documents_without_the_field,
            keyset_pages_visit_every_document_once_in_order,
            a_range_query_pages_past_its_first_page,
            metadata_fields_can_be_filtered_and_ordered,
            malformed_requests_are_refused,
            racing_writers_one_wins_and_the_other_fails,
            racing_creates_of_one_id_create_it_once,
            racing_commits_guarded_by_one_create_apply_the_winner_only,
            parallel_updates_of_one_document_lose_nothing,
            documents_survive_every_json_shape,
        );
    };
    (@cases $factory:expr; $skips:tt; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                let skipped = stringify!($skips)
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .any(|name| name == stringify!($case));
                if skipped {
                    eprintln!("contract case {} skipped for this adapter", stringify!($case));
                    return;
                }
                let (store, _guard) = $factory.await;
                $crate::contract::$case(store).await;
            }
        )*
    };
}
