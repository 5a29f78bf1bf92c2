//! The document store port: tenant-scoped, flat JSON documents in named collections, with
//! field queries, keyset pagination and transactional commits guarded by preconditions.
//!
//! Adapters (the embedded SQLite store, Firestore) implement [`DocumentStore`]; every adapter
//! must pass the same contract suite (`store::contract`). Semantics follow the subset that
//! Firestore honours, so code that works locally works in the cloud:
//! - range filters and ordering only match values of the same JSON type as the filter value;
//! - ordering by a field excludes documents that lack it;
//! - ties in the order are broken by document id, in the same direction.

#![warn(missing_docs)]

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::id::TenantId;
use crate::meta::Metadata;

/// The most documents one query page may return.
pub const MAX_PAGE_SIZE: usize = 1000;
/// The most values an `In` filter may list (Firestore's limit).
pub const MAX_IN_VALUES: usize = 30;

/// A stored document: metadata plus the entity's own fields (which never repeat the metadata).
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Id, version and timestamps, kept by the store.
    pub meta: Metadata,
    /// The entity's own fields.
    pub fields: Map<String, Value>,
}

/// How a [`Filter`] compares a field with its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterOp {
    /// Equal (any JSON type).
    Eq,
    /// Less than (same JSON type only, as in Firestore).
    Lt,
    /// Less than or equal.
    Le,
    /// Greater than.
    Gt,
    /// Greater than or equal.
    Ge,
    /// The field equals one of the listed values (`value` is an array).
    In,
}

/// One condition of a [`Query`].
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    /// A top-level field of the document, or `id`, `createdAt`, `updatedAt`.
    pub field: String,
    /// The comparison.
    pub op: FilterOp,
    /// What the field is compared with (an array for [`FilterOp::In`]).
    pub value: Value,
}

impl Filter {
    /// `field op value`.
    pub fn new(field: impl Into<String>, op: FilterOp, value: impl Into<Value>) -> Self {
        Self {
            field: field.into(),
            op,
            value: value.into(),
        }
    }
    /// `field == value`.
    pub fn eq(field: impl Into<String>, value: impl Into<Value>) -> Self {
        Self::new(field, FilterOp::Eq, value)
    }
}

/// A sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    /// Smallest first.
    #[default]
    Asc,
    /// Largest first.
    Desc,
}

/// The order of a query's results; ties are broken by document id in the same direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderBy {
    /// The field ordered by.
    pub field: String,
    /// Which way.
    pub direction: Direction,
}

/// Where the next page starts: the order field's value and the id of the last document seen.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    /// The last document's value of the order field.
    pub value: Value,
    /// The last document's id.
    pub id: String,
}

/// A query of one collection of one tenant: filters, one order, a page size and where the
/// page starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The collection queried.
    pub collection: &'static str,
    /// Conditions every result meets.
    pub filters: Vec<Filter>,
    /// `None` orders by document id.
    pub order_by: Option<OrderBy>,
    /// The most documents in the page (at most [`MAX_PAGE_SIZE`]).
    pub limit: usize,
    /// The page starts after this document (keyset pagination); `None` for the first page.
    pub start_after: Option<Cursor>,
}

impl Query {
    /// Every document of `collection`, by id, in pages of [`MAX_PAGE_SIZE`].
    pub fn new(collection: &'static str) -> Self {
        Self {
            collection,
            filters: Vec::new(),
            order_by: None,
            limit: MAX_PAGE_SIZE,
            start_after: None,
        }
    }
    /// Adds a condition.
    pub fn filter(mut self, filter: Filter) -> Self {
        self.filters.push(filter);
        self
    }
    /// Orders by `field`.
    pub fn order_by(mut self, field: impl Into<String>, direction: Direction) -> Self {
        self.order_by = Some(OrderBy {
            field: field.into(),
            direction,
        });
        self
    }
    /// Sets the page size.
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }
    /// Starts the page after `cursor`.
    pub fn start_after(mut self, cursor: Option<Cursor>) -> Self {
        self.start_after = cursor;
        self
    }
    /// The field the query orders by (`id` when none is given).
    pub fn order_field(&self) -> &str {
        self.order_by.as_ref().map_or("id", |o| o.field.as_str())
    }
}

/// One page of a query's results.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The documents, in the query's order.
    pub documents: Vec<Document>,
    /// Present when the page was full: more documents may follow.
    pub next: Option<Cursor>,
}

/// The value a document has for `field`, as queries see it (metadata fields included).
pub fn field_value(doc: &Document, field: &str) -> Option<Value> {
    match field {
        "id" => Some(Value::String(doc.meta.id.clone())),
        "version" => Some(Value::from(doc.meta.version)),
        "createdAt" => Some(Value::String(crate::meta::format_timestamp(
            &doc.meta.created_at,
        ))),
        "updatedAt" => Some(Value::String(crate::meta::format_timestamp(
            &doc.meta.updated_at,
        ))),
        other => doc.fields.get(other).cloned(),
    }
}

impl Page {
    /// Builds a page from up to `limit` documents, with a cursor after the last one when full.
    pub fn from_documents(documents: Vec<Document>, query: &Query) -> Self {
        let next = (documents.len() == query.limit && query.limit > 0)
            .then(|| documents.last())
            .flatten()
            .map(|last| Cursor {
                value: field_value(last, query.order_field()).unwrap_or(Value::Null),
                id: last.meta.id.clone(),
            });
        Self { documents, next }
    }
}

/// Whether `field` can be queried: a plain top-level name (ASCII letters, digits, `_`, not
/// starting with a digit), the subset that Firestore and its emulator both serve.
pub fn is_field_name(field: &str) -> bool {
    field
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && field.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Checks what every adapter refuses in a query: a page over [`MAX_PAGE_SIZE`], fields that are
/// not top-level names, filter values that are not scalars, `in` lists of the wrong size, and
/// range filters on null or booleans.
pub fn validate_query(query: &Query) -> StoreResult<()> {
    let invalid = |message: String| Err(StoreError::Invalid(message));
    if query.limit > MAX_PAGE_SIZE {
        return invalid(format!("limit must be at most {MAX_PAGE_SIZE}"));
    }
    let is_scalar = |v: &Value| !matches!(v, Value::Array(_) | Value::Object(_));
    for field in query
        .filters
        .iter()
        .map(|f| &f.field)
        .chain(query.order_by.iter().map(|o| &o.field))
    {
        if !is_field_name(field) {
            return invalid(format!("field {field:?} is not a top-level field name"));
        }
    }
    for filter in &query.filters {
        match (&filter.op, &filter.value) {
            (FilterOp::In, Value::Array(values)) => {
                if values.is_empty() || values.len() > MAX_IN_VALUES {
                    return invalid(format!("an `in` filter takes 1 to {MAX_IN_VALUES} values"));
                }
                if !values.iter().all(is_scalar) {
                    return invalid(
                        "`in` values must be strings, numbers, booleans or null".into(),
                    );
                }
            }
            (FilterOp::In, _) => return invalid("an `in` filter needs an array of values".into()),
            (_, value) if !is_scalar(value) => {
                return invalid("filter values must be strings, numbers, booleans or null".into());
            }
            (FilterOp::Eq, _) => {}
            (_, Value::Null | Value::Bool(_)) => {
                return invalid("null and booleans support only equality filters".into());
            }
            _ => {}
        }
    }
    match &query.start_after {
        Some(cursor) if !is_scalar(&cursor.value) => {
            invalid("a cursor value must be a scalar".into())
        }
        _ => Ok(()),
    }
}

/// The most writes one commit may hold (Firestore's limit, kept by every adapter).
pub const MAX_WRITES: usize = 500;

/// Checks what every adapter refuses before touching data: too many writes, two writes to one
/// document, ids that are not document ids, and fields named like the metadata (`id`,
/// `version`, `createdAt`, `updatedAt`), which adapters store beside the fields.
pub fn validate_writes(writes: &[Write]) -> StoreResult<()> {
    if writes.len() > MAX_WRITES {
        return Err(StoreError::Invalid(format!(
            "a commit may hold at most {MAX_WRITES} writes"
        )));
    }
    let mut targets: Vec<_> = writes.iter().map(Write::target).collect();
    targets.sort();
    if targets.windows(2).any(|pair| pair[0] == pair[1]) {
        return Err(StoreError::Invalid(
            "a commit may write each document only once".into(),
        ));
    }
    for (_, id) in &targets {
        crate::id::parse_id(id)
            .map_err(|e| StoreError::Invalid(format!("document id {id:?} {e}")))?;
    }
    for write in writes {
        if let Write::Create { fields, .. } | Write::Update { fields, .. } = write
            && let Some(reserved) = crate::meta::READ_ONLY_FIELDS
                .iter()
                .find(|f| fields.contains_key(**f))
        {
            return Err(StoreError::Invalid(format!(
                "field {reserved:?} is reserved for metadata"
            )));
        }
    }
    Ok(())
}

/// One write in a commit. All writes of a commit apply together or not at all.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// Creates the document; fails with `AlreadyExists` if it exists.
    Create {
        /// The collection written to.
        collection: &'static str,
        /// The new document's id.
        id: String,
        /// Its fields.
        fields: Map<String, Value>,
    },
    /// Replaces the document's fields; fails unless it exists at `expected_version`.
    Update {
        /// The collection written to.
        collection: &'static str,
        /// The document's id.
        id: String,
        /// The version it must be at.
        expected_version: u64,
        /// Its new fields.
        fields: Map<String, Value>,
    },
    /// Deletes the document. With a version, fails unless it exists at that version; without
    /// one, deleting a missing document succeeds (retries are safe).
    Delete {
        /// The collection deleted from.
        collection: &'static str,
        /// The document's id.
        id: String,
        /// The version it must be at, if any.
        expected_version: Option<u64>,
    },
    /// Writes nothing; fails unless the document exists at `expected_version`. Guards a
    /// commit that depends on another document staying as it was read.
    Verify {
        /// The guarded document's collection.
        collection: &'static str,
        /// Its id.
        id: String,
        /// The version it must still be at.
        expected_version: u64,
    },
}

impl Write {
    /// Creates the document, or replaces it at the version it was read at (`current`): a
    /// derived document (a report, a nightly draft) rewritten by each run. A document changed
    /// or created meanwhile fails the commit, like any lost race.
    pub fn upsert(
        collection: &'static str,
        id: impl Into<String>,
        current: Option<&Metadata>,
        fields: Map<String, Value>,
    ) -> Self {
        let id = id.into();
        match current {
            Some(meta) => Write::Update {
                collection,
                id,
                expected_version: meta.version,
                fields,
            },
            None => Write::Create {
                collection,
                id,
                fields,
            },
        }
    }

    /// The document the write is about: collection and id.
    pub fn target(&self) -> (&'static str, &str) {
        match self {
            Write::Create { collection, id, .. }
            | Write::Update { collection, id, .. }
            | Write::Delete { collection, id, .. }
            | Write::Verify { collection, id, .. } => (collection, id),
        }
    }
}

/// What one write of a successful commit did, in the order of the writes.
#[derive(Debug, Clone, PartialEq)]
pub enum WriteOutcome {
    /// The document as stored now (with its new version).
    Written(Document),
    /// The document is gone (or was not there).
    Deleted,
    /// The guarded document is as expected.
    Verified,
}

/// Why a store call failed.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
#[allow(missing_docs)] // The variants' fields are named for what they hold.
pub enum StoreError {
    /// A precondition named a document that does not exist.
    #[error("{collection}/{id} does not exist")]
    NotFound { collection: String, id: String },
    /// A create met a document that exists (a retry, or a lost race).
    #[error("{collection}/{id} already exists")]
    AlreadyExists { collection: String, id: String },
    /// A document is not at the version a write expected: someone else changed it.
    #[error("{collection}/{id} is at version {actual}, not {expected}")]
    VersionMismatch {
        collection: String,
        id: String,
        expected: u64,
        actual: u64,
    },
    /// The request itself is not something the store can do (bad field name, filter value...).
    #[error("invalid store request: {0}")]
    Invalid(String),
    /// The store could not be reached or gave up; a retry may succeed.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// Anything else: a bug or corrupt data.
    #[error("store failure: {0}")]
    Internal(String),
}

impl StoreError {
    /// True for the failures a caller's precondition caused (a lost race, a missing document).
    pub fn is_precondition_failure(&self) -> bool {
        matches!(
            self,
            StoreError::NotFound { .. }
                | StoreError::AlreadyExists { .. }
                | StoreError::VersionMismatch { .. }
        )
    }
}

/// The result of a store call.
pub type StoreResult<T> = Result<T, StoreError>;

/// The port. Every call names its tenant; application code reaches it only through
/// [`TenantStore`], which fixes the tenant once from the verified caller.
#[async_trait]
pub trait DocumentStore: Send + Sync + 'static {
    /// The document `collection/id` of `tenant`, if it exists.
    async fn get(
        &self,
        tenant: &TenantId,
        collection: &'static str,
        id: &str,
    ) -> StoreResult<Option<Document>>;

    /// The documents that exist among `ids`, in the order of `ids` (missing ones are left out).
    async fn get_many(
        &self,
        tenant: &TenantId,
        collection: &'static str,
        ids: &[String],
    ) -> StoreResult<Vec<Document>>;

    /// One page of `query`'s results in `tenant`.
    async fn query(&self, tenant: &TenantId, query: &Query) -> StoreResult<Page>;

    /// Applies `writes` atomically, stamping `at` as the update time (and creation time of
    /// created documents).
    async fn commit(
        &self,
        tenant: &TenantId,
        writes: Vec<Write>,
        at: DateTime<Utc>,
    ) -> StoreResult<Vec<WriteOutcome>>;
}

/// The store as one tenant sees it. Holding one is the only way request code reads or writes,
/// so a handler cannot name another tenant's data.
#[derive(Clone)]
pub struct TenantStore {
    store: Arc<dyn DocumentStore>,
    tenant: TenantId,
}

impl TenantStore {
    /// `store` as `tenant` sees it.
    pub fn new(store: Arc<dyn DocumentStore>, tenant: TenantId) -> Self {
        Self { store, tenant }
    }
    /// The tenant whose data this is.
    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }
    /// See [`DocumentStore::get`].
    pub async fn get(&self, collection: &'static str, id: &str) -> StoreResult<Option<Document>> {
        self.store.get(&self.tenant, collection, id).await
    }
    /// See [`DocumentStore::get_many`].
    pub async fn get_many(
        &self,
        collection: &'static str,
        ids: &[String],
    ) -> StoreResult<Vec<Document>> {
        self.store.get_many(&self.tenant, collection, ids).await
    }
    /// See [`DocumentStore::query`].
    pub async fn query(&self, query: &Query) -> StoreResult<Page> {
        self.store.query(&self.tenant, query).await
    }
    /// Every document matching `query`, following pages to the end.
    pub async fn query_all(&self, query: Query) -> StoreResult<Vec<Document>> {
        let mut query = query.limit(MAX_PAGE_SIZE);
        let mut all = Vec::new();
        loop {
            let page = self.store.query(&self.tenant, &query).await?;
            all.extend(page.documents);
            match page.next {
                Some(cursor) => query.start_after = Some(cursor),
                None => return Ok(all),
            }
        }
    }
    /// Folds every document matching `query` into `acc`, a page at a time: memory holds one
    /// page and what `f` keeps, however many documents match.
    pub async fn fold_pages<T, E: From<StoreError>>(
        &self,
        query: Query,
        mut acc: T,
        mut f: impl FnMut(T, Vec<Document>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut query = query.limit(MAX_PAGE_SIZE);
        loop {
            let page = self.store.query(&self.tenant, &query).await?;
            acc = f(acc, page.documents)?;
            match page.next {
                Some(cursor) => query.start_after = Some(cursor),
                None => return Ok(acc),
            }
        }
    }
    /// See [`DocumentStore::commit`].
    pub async fn commit(
        &self,
        writes: Vec<Write>,
        at: DateTime<Utc>,
    ) -> StoreResult<Vec<WriteOutcome>> {
        self.store.commit(&self.tenant, writes, at).await
    }
}
