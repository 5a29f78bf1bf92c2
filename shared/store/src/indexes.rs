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
    let rest = part(
        vec![Filter::new(
            field.clone(),
            after(direction),
            cursor.value.clone(),
        )],
        order,
    );
    // The rest of the cursor's value: pinning the order field to it makes the query's own
    // range filters on that field redundant (when the value meets them) or the part empty
    // (when it does not), so this part ranges over `id` alone, as Firestore requires.
    let (on_field, others): (Vec<&Filter>, Vec<&Filter>) =
        query.filters.iter().partition(|f| f.field == field);
    if !on_field.iter().all(|f| matches(&cursor.value, f)) {
        return Ok(vec![rest]);
    }
    let same_value = PlannedQuery {
        collection: query.collection,
        filters: others
            .into_iter()
            .cloned()
            .chain([Filter::eq(field, cursor.value.clone()), id_after])
            .collect(),
        order: vec![by("id")],
        limit: query.limit,
    };
    Ok(vec![same_value, rest])
}

/// Whether `value` meets `filter`, comparing as Firestore does: values of one JSON type only
/// (numbers as numbers), so a string never meets a range on numbers.
fn matches(value: &Value, filter: &Filter) -> bool {
    use std::cmp::Ordering;
    let compare = |other: &Value| -> Option<Ordering> {
        match (value, other) {
            (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
            (Value::Number(a), Value::Number(b)) => a.as_f64()?.partial_cmp(&b.as_f64()?),
            _ => None,
        }
    };
    match filter.op {
        FilterOp::Eq => value == &filter.value || compare(&filter.value) == Some(Ordering::Equal),
        FilterOp::In => filter
            .value
            .as_array()
            .is_some_and(|values| values.iter().any(|v| v == value)),
        FilterOp::Lt => compare(&filter.value) == Some(Ordering::Less),
        FilterOp::Le => compare(&filter.value).is_some_and(Ordering::is_le),
        FilterOp::Gt => compare(&filter.value) == Some(Ordering::Greater),
        FilterOp::Ge => compare(&filter.value).is_some_and(Ordering::is_ge),
    }
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

/// The most composite indexes the declaration may hold: Firestore allows 200 per database,
/// and the functions still to come need room.
pub const INDEX_BUDGET: usize = 150;

/// The composite indexes that serve `shape` (none where single-field indexes do), or why
/// none can.
pub fn serving<'a>(
    shape: &QueryShape,
    indexes: &'a [CompositeIndex],
) -> Result<Vec<&'a CompositeIndex>, String> {
    if shape.ranges.len() > 1 {
        return Err(format!("{shape:?} has range filters on several fields"));
    }
    if let Some(range) = shape.ranges.first()
        && shape.order.first().map(|(f, _)| f) != Some(range)
    {
        return Err(format!("{shape:?} must order by its range field first"));
    }
    let find = |prefix: &[&str]| {
        indexes
            .iter()
            .find(|i| index_matches(i, &shape.collection, prefix, &shape.order))
    };
    let served = if shape.equalities.is_empty() {
        // A single-field index serves one order.
        if shape.order.len() <= 1 {
            Some(Vec::new())
        } else {
            find(&[]).map(|i| vec![i])
        }
    } else {
        let all: Vec<&str> = shape.equalities.iter().map(String::as_str).collect();
        find(&all).map(|i| vec![i]).or_else(|| {
            // Index merging: one index per equality field, each followed by the order.
            shape
                .equalities
                .iter()
                .map(|e| find(&[e.as_str()]))
                .collect::<Option<Vec<_>>>()
        })
    };
    if let Some(served) = served {
        return Ok(served);
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

/// Whether `indexes` serve `shape`; the error names the indexes to declare.
pub fn check(shape: &QueryShape, indexes: &[CompositeIndex]) -> Result<(), String> {
    serving(shape, indexes).map(|_| ())
}

impl QueryShape {
    /// One JSON line, as the query log keeps it.
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "collection": self.collection,
            "equalities": self.equalities,
            "ranges": self.ranges,
            "order": self.order.iter().map(|(f, d)| [f.as_str(), order_name(*d)]).collect::<Vec<_>>(),
        })
    }

    pub fn from_json(value: &Value) -> Option<Self> {
        let strings = |key: &str| -> Option<BTreeSet<String>> {
            value[key]
                .as_array()?
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect()
        };
        let order = value["order"]
            .as_array()?
            .iter()
            .map(|pair| {
                let field = pair[0].as_str()?.to_owned();
                let direction = match pair[1].as_str()? {
                    "ASCENDING" => Direction::Asc,
                    "DESCENDING" => Direction::Desc,
                    _ => return None,
                };
                Some((field, direction))
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Self {
            collection: value["collection"].as_str()?.to_owned(),
            equalities: strings("equalities")?,
            ranges: strings("ranges")?,
            order,
        })
    }
}

/// The environment variable naming the query log: a file every checked query shape is
/// appended to, once per process. The test suite sets it, so that after a run the shapes
/// that the tests really issued can be set against the declared indexes
/// (`cargo run -p store --example index_usage`).
pub const QUERY_LOG_VAR: &str = "CLEANOPS_QUERY_LOG";

fn record(shape: &QueryShape) {
    static SEEN: OnceLock<std::sync::Mutex<BTreeSet<String>>> = OnceLock::new();
    let Some(path) = std::env::var_os(QUERY_LOG_VAR) else {
        return;
    };
    let line = shape.to_json().to_string();
    let fresh = SEEN
        .get_or_init(Default::default)
        .lock()
        .map(|mut seen| seen.insert(line.clone()))
        .unwrap_or(false);
    if fresh {
        use std::io::Write as _;
        // One short append per line: lines of parallel test processes do not interleave.
        if let Ok(mut file) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            let _ = file.write_all(format!("{line}\n").as_bytes());
        }
    }
}

/// Checks every planned query of `query` against the declared indexes.
pub fn check_query(query: &Query) -> StoreResult<()> {
    for planned in plan(query)? {
        let shape = planned.shape();
        check(&shape, declared()).map_err(StoreError::Invalid)?;
        record(&shape);
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
            match check(&shape, declared()) {
                Ok(()) => record(&shape),
                Err(_) => missing.extend(suggested(&shape)),
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

    fn a_month_of_visits(cursor_date: &str) -> Query {
        Query::new("visits")
            .filter(Filter::eq("siteId", "s1"))
            .filter(Filter::new("localDate", FilterOp::Ge, "2026-11-01"))
            .filter(Filter::new("localDate", FilterOp::Le, "2026-11-30"))
            .order_by("localDate", Direction::Asc)
            .start_after(Some(Cursor {
                value: json!(cursor_date),
                id: "v9".into(),
            }))
    }

    #[test]
    fn a_later_page_of_a_range_query_ranges_over_one_field_per_part() {
        let parts = plan(&a_month_of_visits("2026-11-12")).unwrap();
        assert_eq!(
            parts[0].filters,
            [
                Filter::eq("siteId", "s1"),
                Filter::eq("localDate", "2026-11-12"),
                Filter::new("id", FilterOp::Gt, "v9"),
            ]
        );
        assert_eq!(parts[1].shape().ranges, ["localDate".to_owned()].into());
        for part in parts {
            assert_eq!(part.shape().ranges.len(), 1, "{part:?}");
        }
    }

    #[test]
    fn a_cursor_outside_the_range_skips_the_rest_of_its_value() {
        let parts = plan(&a_month_of_visits("2026-12-03")).unwrap();
        assert_eq!(parts.len(), 1);
        assert!(
            parts[0]
                .filters
                .contains(&Filter::new("localDate", FilterOp::Gt, "2026-12-03"))
        );
    }

    /// Areas of one site on one floor, by id; the two single-equality indexes that merge to
    /// serve it.
    fn site_and_floor() -> (QueryShape, CompositeIndex, CompositeIndex) {
        let shape = QueryShape {
            collection: "areas".into(),
            equalities: ["floor".to_owned(), "siteId".to_owned()].into(),
            ranges: BTreeSet::new(),
            order: vec![("id".into(), Direction::Asc)],
        };
        let site = index("areas", &[("siteId", "ASCENDING"), ("id", "ASCENDING")]);
        let floor = index("areas", &[("floor", "ASCENDING"), ("id", "ASCENDING")]);
        (shape, site, floor)
    }

    #[test]
    fn merging_single_equality_indexes_serves_several_equalities() {
        let (shape, site, floor) = site_and_floor();
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
    fn the_declared_indexes_stay_within_the_budget() {
        let declared = declared().len();
        assert!(
            declared <= INDEX_BUDGET,
            "{declared} composite indexes declared; the budget is {INDEX_BUDGET} (Firestore allows 200)"
        );
    }

    #[test]
    fn a_query_shape_survives_the_log() {
        let shape = plan(
            &Query::new("visits")
                .filter(Filter::eq("siteId", "s1"))
                .order_by("checkedInAt", Direction::Desc),
        )
        .unwrap()[0]
            .shape();
        assert_eq!(QueryShape::from_json(&shape.to_json()), Some(shape));
    }

    #[test]
    fn serving_names_the_indexes_a_merged_query_uses() {
        let (shape, site, floor) = site_and_floor();
        let indexes = [site.clone(), floor.clone()];
        assert_eq!(serving(&shape, &indexes).unwrap(), [&floor, &site]);
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
