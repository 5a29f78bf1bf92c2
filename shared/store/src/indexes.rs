//! How Firestore serves the store port's queries, and which composite indexes that needs.
//!
//! [`plan`] turns a port [`Query`] into the structured queries the Firestore adapter sends
//! (keyset pages become range filters, since cursors are not portable to the emulator).
//! [`check`] says whether the declared indexes in `firestore.indexes.json` (the one list that
//! terraform deploys) serve a planned query, following Firestore's rules: single-field
//! indexes serve one order and no equality; otherwise an index of the equality fields followed
//! by the order serves it, or one such index per equality field (index merging).
//! [`IndexCheckedStore`] applies the check to every query at run time, so a query shape
//! without an index fails in tests and locally, as it would in production.

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::TenantId;
use domain::store::{
    Direction, Document, DocumentStore, Filter, FilterOp, OrderBy, Page, Query, StoreError,
    StoreResult, Write, WriteOutcome,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The declared composite indexes, in the Firebase CLI's `firestore.indexes.json` format.
pub const INDEX_FILE: &str = include_str!("../firestore.indexes.json");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexFile {
    pub indexes: Vec<CompositeIndex>,
    #[serde(default)]
    pub field_overrides: Vec<Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompositeIndex {
    pub collection_group: String,
    pub query_scope: String,
    pub fields: Vec<IndexField>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexField {
    pub field_path: String,
    pub order: String,
}

fn order_name(direction: Direction) -> &'static str {
    match direction {
        Direction::Asc => "ASCENDING",
        Direction::Desc => "DESCENDING",
    }
}

/// The declared indexes (parsed once).
pub fn declared() -> &'static [CompositeIndex] {
    static DECLARED: OnceLock<Vec<CompositeIndex>> = OnceLock::new();
    DECLARED.get_or_init(|| {
        serde_json::from_str::<IndexFile>(INDEX_FILE)
            .expect("firestore.indexes.json is valid")
            .indexes
    })
}

/// One structured query the Firestore adapter sends.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedQuery {
    pub collection: &'static str,
    pub filters: Vec<Filter>,
    pub order: Vec<OrderBy>,
    pub limit: usize,
}

fn after(direction: Direction) -> FilterOp {
    match direction {
        Direction::Asc => FilterOp::Gt,
        Direction::Desc => FilterOp::Lt,
    }
}

/// The structured queries that answer `query`, to run in order until `query.limit` documents
/// are found. A keyset page after `(value, id)` ordered by `f` is two queries: the rest of the
/// documents with `f == value` (by id), then those with `f` past `value`.
pub fn plan(query: &Query) -> StoreResult<Vec<PlannedQuery>> {
    let direction = query
        .order_by
        .as_ref()
        .map(|o| o.direction)
        .unwrap_or_default();
    let field = query.order_field().to_owned();
    let by = |field: &str| OrderBy {
        field: field.to_owned(),
        direction,
    };
    let order = if field == "id" {
        vec![by("id")]
    } else {
        vec![by(&field), by("id")]
    };
    let part = |extra: Vec<Filter>, order: Vec<OrderBy>| PlannedQuery {
        collection: query.collection,
        filters: query.filters.iter().cloned().chain(extra).collect(),
        order,
        limit: query.limit,
    };
    let Some(cursor) = &query.start_after else {
        return Ok(vec![part(Vec::new(), order)]);
    };
    let id_after = Filter::new("id", after(direction), cursor.id.clone());
    if field == "id" {
        return Ok(vec![part(vec![id_after], order)]);
    }
    if cursor.value.is_null() {
        return Err(StoreError::Invalid(format!(
            "cannot page past a null value of {field}"
        )));
    }
    Ok(vec![
        part(
            vec![Filter::eq(field.clone(), cursor.value.clone()), id_after],
            vec![by("id")],
        ),
        part(
            vec![Filter::new(field, after(direction), cursor.value.clone())],
            order,
        ),
    ])
}

/// What an index must cover for a planned query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryShape {
    pub collection: String,
    pub equalities: BTreeSet<String>,
    pub ranges: BTreeSet<String>,
    pub order: Vec<(String, Direction)>,
}

impl PlannedQuery {
    pub fn shape(&self) -> QueryShape {
        let mut equalities = BTreeSet::new();
        let mut ranges = BTreeSet::new();
        for filter in &self.filters {
            match filter.op {
                FilterOp::Eq | FilterOp::In => equalities.insert(filter.field.clone()),
                _ => ranges.insert(filter.field.clone()),
            };
        }
        QueryShape {
            collection: self.collection.to_owned(),
            equalities,
            ranges,
            order: self
                .order
                .iter()
                .map(|o| (o.field.clone(), o.direction))
                .collect(),
        }
    }
}

fn index_matches(
    index: &CompositeIndex,
    collection: &str,
    prefix: &[&str],
    order: &[(String, Direction)],
) -> bool {
    if index.collection_group != collection || index.query_scope != "COLLECTION" {
        return false;
    }
    if index.fields.len() != prefix.len() + order.len() {
        return false;
    }
    let (head, tail) = index.fields.split_at(prefix.len());
    let head_fields: BTreeSet<&str> = head.iter().map(|f| f.field_path.as_str()).collect();
    head.iter().all(|f| f.order == "ASCENDING")
        && head_fields == prefix.iter().copied().collect()
        && tail
            .iter()
            .zip(order)
            .all(|(f, (field, dir))| f.field_path == *field && f.order == order_name(*dir))
}

/// The indexes that would serve `shape` by merging: one per equality field (or the order
/// alone when there is no equality).
pub fn suggested(shape: &QueryShape) -> Vec<CompositeIndex> {
    let order_fields = shape.order.iter().map(|(f, d)| IndexField {
        field_path: f.clone(),
        order: order_name(*d).into(),
    });
    let with_prefix = |prefix: Option<&String>| CompositeIndex {
        collection_group: shape.collection.clone(),
        query_scope: "COLLECTION".into(),
        fields: prefix
            .map(|e| IndexField {
                field_path: e.clone(),
                order: "ASCENDING".into(),
            })
            .into_iter()
            .chain(order_fields.clone())
            .collect(),
    };
    if shape.equalities.is_empty() {
        vec![with_prefix(None)]
    } else {
        shape
            .equalities
            .iter()
            .map(|e| with_prefix(Some(e)))
            .collect()
    }
}

/// Whether `indexes` serve `shape`; the error names the indexes to declare.
pub fn check(shape: &QueryShape, indexes: &[CompositeIndex]) -> Result<(), String> {
    if shape.ranges.len() > 1 {
        return Err(format!("{shape:?} has range filters on several fields"));
    }
    if let Some(range) = shape.ranges.first()
        && shape.order.first().map(|(f, _)| f) != Some(range)
    {
        return Err(format!("{shape:?} must order by its range field first"));
    }
    let served = if shape.equalities.is_empty() {
        // A single-field index serves one order.
        shape.order.len() <= 1
            || indexes
                .iter()
                .any(|i| index_matches(i, &shape.collection, &[], &shape.order))
    } else {
        let all: Vec<&str> = shape.equalities.iter().map(String::as_str).collect();
        indexes
            .iter()
            .any(|i| index_matches(i, &shape.collection, &all, &shape.order))
            || shape.equalities.iter().all(|e| {
                indexes
                    .iter()
                    .any(|i| index_matches(i, &shape.collection, &[e.as_str()], &shape.order))
            })
    };
    if served {
        return Ok(());
    }
    let missing = suggested(shape)
        .into_iter()
        .filter(|s| !indexes.contains(s))
        .map(|s| serde_json::to_string(&s).unwrap_or_default())
        .collect::<Vec<_>>();
    Err(format!(
        "no declared index serves {shape:?}; add to firestore.indexes.json: {}",
        missing.join(", ")
    ))
}

/// Checks every planned query of `query` against the declared indexes.
pub fn check_query(query: &Query) -> StoreResult<()> {
    for planned in plan(query)? {
        check(&planned.shape(), declared()).map_err(StoreError::Invalid)?;
    }
    Ok(())
}

/// A store that refuses queries no declared Firestore index serves, so a new query shape is
/// caught by the tests and the local cloud before it reaches production.
pub struct IndexCheckedStore {
    inner: Arc<dyn DocumentStore>,
}

impl IndexCheckedStore {
    pub fn new(inner: Arc<dyn DocumentStore>) -> Self {
        Self { inner }
    }
}

#[async_trait]
impl DocumentStore for IndexCheckedStore {
    async fn get(
        &self,
        tenant: &TenantId,
        collection: &'static str,
        id: &str,
    ) -> StoreResult<Option<Document>> {
        self.inner.get(tenant, collection, id).await
    }
    async fn get_many(
        &self,
        tenant: &TenantId,
        collection: &'static str,
        ids: &[String],
    ) -> StoreResult<Vec<Document>> {
        self.inner.get_many(tenant, collection, ids).await
    }
    async fn query(&self, tenant: &TenantId, query: &Query) -> StoreResult<Page> {
        check_query(query)?;
        self.inner.query(tenant, query).await
    }
    async fn commit(
        &self,
        tenant: &TenantId,
        writes: Vec<Write>,
        at: DateTime<Utc>,
    ) -> StoreResult<Vec<WriteOutcome>> {
        self.inner.commit(tenant, writes, at).await
    }
}

/// Panics unless the declared indexes serve every query (first pages and later ones); the
/// message holds the whole index file as it should be, to paste. Each function's unit tests
/// call it with every query the function can issue.
pub fn assert_served(queries: Vec<Query>) {
    let mut missing = Vec::new();
    for query in queries {
        for planned in plan(&query).expect("a valid query") {
            let shape = planned.shape();
            if check(&shape, declared()).is_err() {
                missing.extend(suggested(&shape));
            }
        }
    }
    let mut all = declared().to_vec();
    let before = all.len();
    for index in missing {
        if !all.contains(&index) {
            all.push(index);
        }
    }
    if all.len() > before {
        let file = IndexFile {
            indexes: all,
            field_overrides: Vec::new(),
        };
        panic!(
            "queries without a declared index; shared/store/firestore.indexes.json should be:\n{}",
            serde_json::to_string_pretty(&file).expect("serializable")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::store::Cursor;
    use serde_json::json;

    fn index(collection: &str, fields: &[(&str, &str)]) -> CompositeIndex {
        CompositeIndex {
            collection_group: collection.into(),
            query_scope: "COLLECTION".into(),
            fields: fields
                .iter()
                .map(|(f, o)| IndexField {
                    field_path: (*f).into(),
                    order: (*o).into(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_keyset_page_becomes_two_range_queries() {
        let query = Query::new("areas")
            .filter(Filter::eq("siteId", "s1"))
            .order_by("name", Direction::Desc)
            .limit(10)
            .start_after(Some(Cursor {
                value: json!("Lobby"),
                id: "a7".into(),
            }));
        let parts = plan(&query).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(
            parts[0].filters[1..],
            [
                Filter::eq("name", "Lobby"),
                Filter::new("id", FilterOp::Lt, "a7")
            ]
        );
        assert_eq!(
            parts[0].order,
            [OrderBy {
                field: "id".into(),
                direction: Direction::Desc
            }]
        );
        assert_eq!(
            parts[1].filters[1],
            Filter::new("name", FilterOp::Lt, "Lobby")
        );
        assert_eq!(parts[1].order.len(), 2);
    }

    #[test]
    fn merging_single_equality_indexes_serves_several_equalities() {
        let shape = QueryShape {
            collection: "areas".into(),
            equalities: ["floor".to_owned(), "siteId".to_owned()].into(),
            ranges: BTreeSet::new(),
            order: vec![("id".into(), Direction::Asc)],
        };
        let site = index("areas", &[("siteId", "ASCENDING"), ("id", "ASCENDING")]);
        let floor = index("areas", &[("floor", "ASCENDING"), ("id", "ASCENDING")]);
        assert!(check(&shape, std::slice::from_ref(&site)).is_err());
        assert!(check(&shape, &[site, floor]).is_ok());
        let both = index(
            "areas",
            &[
                ("siteId", "ASCENDING"),
                ("floor", "ASCENDING"),
                ("id", "ASCENDING"),
            ],
        );
        assert!(check(&shape, &[both]).is_ok());
    }

    #[test]
    fn one_order_without_equalities_needs_no_composite_index() {
        let single = Query::new("sites").order_by("id", Direction::Desc);
        assert!(
            plan(&single)
                .unwrap()
                .iter()
                .all(|p| check(&p.shape(), &[]).is_ok())
        );
        let two = Query::new("sites").order_by("name", Direction::Asc);
        let err = check(&plan(&two).unwrap()[0].shape(), &[]).unwrap_err();
        assert!(err.contains("\"fieldPath\":\"name\""), "{err}");
    }
}
