//! Typed access to one entity kind's collection, and the JSON responses that go with it:
//! the same create / get / list / replace / delete rules for every entity of every function.

use std::collections::{BTreeMap, BTreeSet};
use std::marker::PhantomData;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::Clock;
use domain::Entity;
use domain::meta::Metadata;
use domain::store::{Document, Filter, Query, StoreError, TenantStore, Write, WriteOutcome};
use serde_json::{Map, Value};

use crate::error::{ApiError, ApiResult};
use crate::http::{ListParams, encode_page_token, etag_value};

/// An entity as stored: its metadata and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored<E> {
    pub meta: Metadata,
    pub entity: E,
}

impl<E: Entity> Stored<E> {
    pub fn from_document(doc: Document) -> ApiResult<Self> {
        let entity = serde_json::from_value(Value::Object(doc.fields)).map_err(|e| {
            ApiError::internal(format!(
                "stored {} {} is unreadable: {e}",
                E::KIND,
                doc.meta.id
            ))
        })?;
        Ok(Self {
            meta: doc.meta,
            entity,
        })
    }

    /// A 412 unless `version` (from `If-Match`) is the current one: checked before work that
    /// the store's own check at write time would reject only after it was done.
    pub fn expect_version(&self, version: u64) -> ApiResult<()> {
        if self.meta.version == version {
            Ok(())
        } else {
            Err(ApiError::stale(self.meta.version))
        }
    }

    /// The JSON a client sees, written once straight from the entity (no map in between).
    pub fn shown(&self) -> ApiResult<Shown> {
        shown(self)
    }

    /// The JSON a client sees: metadata first, then the entity's fields.
    pub fn to_json(&self) -> Map<String, Value> {
        match serde_json::to_value(self) {
            Ok(Value::Object(json)) => json,
            _ => Map::new(),
        }
    }
}

/// Metadata first, then the entity's fields: how a client sees every entity.
impl<E: serde::Serialize> serde::Serialize for Stored<E> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(serde::Serialize)]
        struct Flat<'a, E> {
            #[serde(flatten)]
            meta: &'a Metadata,
            #[serde(flatten)]
            entity: &'a E,
        }
        Flat {
            meta: &self.meta,
            entity: &self.entity,
        }
        .serialize(serializer)
    }
}

/// How a stored entity looks to a client, in the API document: `Stored{Entity}`, its
/// metadata and its fields.
impl<E: utoipa::ToSchema> utoipa::PartialSchema for Stored<E> {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::{Ref, RefOr};
        crate::api::all_of([
            RefOr::Ref(Ref::from_schema_name("Metadata")),
            RefOr::Ref(Ref::from_schema_name(E::name())),
        ])
    }
}

impl<E: utoipa::ToSchema> utoipa::ToSchema for Stored<E> {
    fn name() -> std::borrow::Cow<'static, str> {
        format!("Stored{}", E::name()).into()
    }

    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        use utoipa::PartialSchema as _;
        schemas.push(("Metadata".into(), Metadata::schema()));
        schemas.push((E::name().into_owned(), E::schema()));
        E::schemas(schemas);
    }
}

/// One item of a response, already JSON: what [`crate::resource::Resource::present`] gives.
pub type Shown = Box<serde_json::value::RawValue>;

/// `stored` with computed fields after its own (`extra` serialises to an object, or to
/// nothing when it is `None`), written once.
pub fn shown_with<E: serde::Serialize, X: serde::Serialize>(
    stored: &Stored<E>,
    extra: &X,
) -> ApiResult<Shown> {
    #[derive(serde::Serialize)]
    struct With<'a, T, X> {
        #[serde(flatten)]
        stored: &'a T,
        #[serde(flatten)]
        extra: &'a X,
    }
    shown(&With { stored, extra })
}

/// `value` as JSON, once.
pub fn shown(value: &impl serde::Serialize) -> ApiResult<Shown> {
    serde_json::value::to_raw_value(value).map_err(ApiError::internal)
}

/// Metadata first, then `fields`: how every stored thing looks to a client.
fn with_meta(meta: &Metadata, fields: Map<String, Value>) -> Map<String, Value> {
    let mut out = match serde_json::to_value(meta) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    out.extend(fields);
    out
}

/// A stored document as a client sees it, for documents without an entity type of their own.
pub fn document_json(doc: Document) -> Map<String, Value> {
    with_meta(&doc.meta, doc.fields)
}

/// The document fields an entity (or any other stored value) is stored as.
pub fn entity_fields<E: serde::Serialize>(entity: &E) -> ApiResult<Map<String, Value>> {
    match serde_json::to_value(entity) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::internal(format!(
            "a {} does not serialise to an object",
            std::any::type_name::<E>()
        ))),
        Err(e) => Err(ApiError::internal(e)),
    }
}

/// A new document id: a UUIDv7, so ids sort roughly by creation time.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The id of a document that stands for a combination of values (a uniqueness key such as
/// "one open visit per cleaner and area"): their SHA-256, so it is a valid id whatever the
/// values hold and however long they are, and two combinations never share one.
pub fn key_id(parts: &[&str]) -> String {
    use base64::Engine as _;
    let mut context = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    for part in parts {
        // Ids never hold a NUL, so the joined parts cannot be read two ways.
        context.update(part.as_bytes());
        context.update(&[0]);
    }
    let digest = context.finish();
    format!(
        "k{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.as_ref())
    )
}

/// One entity kind's collection in the caller's tenant.
pub struct Repo<'a, E> {
    store: &'a TenantStore,
    clock: &'a dyn Clock,
    kind: PhantomData<E>,
}

impl<'a, E: Entity> Repo<'a, E> {
    pub fn new(store: &'a TenantStore, clock: &'a dyn Clock) -> Self {
        Self {
            store,
            clock,
            kind: PhantomData,
        }
    }

    fn not_found(id: &str) -> ApiError {
        ApiError::NotFound {
            kind: E::KIND,
            id: id.to_owned(),
        }
    }

    pub async fn find(&self, id: &str) -> ApiResult<Option<Stored<E>>> {
        // An id that cannot exist is simply not found (never a 400 that hints at the format).
        if domain::id::parse_id(id).is_err() {
            return Ok(None);
        }
        self.store
            .get(E::COLLECTION, id)
            .await?
            .map(Stored::from_document)
            .transpose()
    }

    pub async fn get(&self, id: &str) -> ApiResult<Stored<E>> {
        self.find(id).await?.ok_or_else(|| Self::not_found(id))
    }

    pub async fn get_many(&self, ids: &[String]) -> ApiResult<Vec<Stored<E>>> {
        self.store
            .get_many(E::COLLECTION, ids)
            .await?
            .into_iter()
            .map(Stored::from_document)
            .collect()
    }

    /// The stored entities among `ids`, by id, read in one batch: each id once, missing ones
    /// left out.
    pub async fn get_map(
        &self,
        ids: impl IntoIterator<Item = String>,
    ) -> ApiResult<BTreeMap<String, Stored<E>>> {
        let ids: Vec<String> = ids
            .into_iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        Ok(self
            .get_many(&ids)
            .await?
            .into_iter()
            .map(|stored| (stored.meta.id.clone(), stored))
            .collect())
    }

    /// Creates the entity under a new id, together with `guards` (preconditions on the
    /// documents it refers to).
    pub async fn create(&self, entity: E, guards: Vec<Write>) -> ApiResult<Stored<E>> {
        self.create_with_id(&new_id(), entity, guards).await
    }

    /// Creates the entity under `id` (a singleton's, or one a client chose so a retry creates
    /// it once); 409 if it exists.
    pub async fn create_with_id(
        &self,
        id: &str,
        entity: E,
        guards: Vec<Write>,
    ) -> ApiResult<Stored<E>> {
        let mut writes = guards;
        writes.push(Write::Create {
            collection: E::COLLECTION,
            id: id.to_owned(),
            fields: entity_fields(&entity)?,
        });
        let outcome = self
            .store
            .commit(writes, self.clock.now())
            .await
            .map_err(guard_failure)?;
        written(outcome, entity)
    }

    /// Replaces the entity if it is still at `expected_version`.
    pub async fn replace(
        &self,
        id: &str,
        expected_version: u64,
        entity: E,
        guards: Vec<Write>,
    ) -> ApiResult<Stored<E>> {
        if domain::id::parse_id(id).is_err() {
            return Err(Self::not_found(id));
        }
        let fields = entity_fields(&entity)?;
        let mut writes = guards;
        writes.push(Write::Update {
            collection: E::COLLECTION,
            id: id.to_owned(),
            expected_version,
            fields,
        });
        let outcome = self
            .store
            .commit(writes, self.clock.now())
            .await
            .map_err(|e| match e {
                StoreError::NotFound {
                    collection,
                    id: missing,
                } if collection == E::COLLECTION && missing == id => Self::not_found(id),
                StoreError::VersionMismatch {
                    ref collection,
                    id: ref changed,
                    ..
                } if collection == E::COLLECTION && changed == id => e.into(),
                other => guard_failure(other),
            })?;
        written(outcome, entity)
    }

    /// Deletes the entity if it is still at `expected_version`.
    pub async fn delete(&self, id: &str, expected_version: u64) -> ApiResult<()> {
        if domain::id::parse_id(id).is_err() {
            return Err(Self::not_found(id));
        }
        let write = Write::Delete {
            collection: E::COLLECTION,
            id: id.to_owned(),
            expected_version: Some(expected_version),
        };
        self.store
            .commit(vec![write], self.clock.now())
            .await
            .map_err(|e| match e {
                StoreError::NotFound { .. } => Self::not_found(id),
                other => other.into(),
            })?;
        Ok(())
    }

    /// One page of the listing and the token for the next page, if any.
    pub async fn list(&self, params: &ListParams) -> ApiResult<(Vec<Stored<E>>, Option<String>)> {
        let (documents, next) = list_page(self.store, E::COLLECTION, params).await?;
        let items = documents
            .into_iter()
            .map(Stored::from_document)
            .collect::<ApiResult<_>>()?;
        Ok((items, next))
    }

    /// Every entity matching `filters`, across all pages.
    pub async fn all_where(&self, filters: Vec<Filter>) -> ApiResult<Vec<Stored<E>>> {
        let query = Query {
            filters,
            ..Query::new(E::COLLECTION)
        };
        self.store
            .query_all(query)
            .await?
            .into_iter()
            .map(Stored::from_document)
            .collect()
    }
}

/// One page of a listing of `collection` and the token for the next page, if any.
pub async fn list_page(
    store: &TenantStore,
    collection: &'static str,
    params: &ListParams,
) -> ApiResult<(Vec<Document>, Option<String>)> {
    let page = store.query(&list_query(collection, params)).await?;
    let next = page
        .next
        .as_ref()
        .map(|cursor| encode_page_token(params.order_field, cursor));
    Ok((page.documents, next))
}

/// A listing response of documents without an entity type of their own (job runs, reports),
/// in one `order`, with the listing's `filters`, `limit` and `pageToken`.
pub async fn document_listing(
    store: &TenantStore,
    collection: &'static str,
    query: &[(String, String)],
    filters: &[crate::http::FilterParam],
    order: crate::http::Order,
) -> ApiResult<Response> {
    let params = crate::http::parse_list_params(query, filters, &[order])?;
    let (documents, next) = list_page(store, collection, &params).await?;
    Ok(list_response(
        documents.into_iter().map(document_json).collect(),
        next,
    ))
}

/// Every store query a listing of `collection` with these `filters` and `orders` can issue:
/// each subset of the filters, each order, first pages and later ones. Each function's unit
/// tests check them against the declared indexes, so a filter no HTTP test happens to use
/// still has its index.
pub fn listing_queries(
    collection: &'static str,
    filters: &[crate::http::FilterParam],
    orders: &[crate::http::Order],
) -> Vec<Query> {
    let mut queries = Vec::new();
    for mask in 0..(1u32 << filters.len()) {
        let chosen: Vec<(&'static str, Value)> = filters
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, f)| (f.name, Value::from("x")))
            .collect();
        for order in orders {
            let later_page = domain::store::Cursor {
                value: Value::from("v"),
                id: "last".into(),
            };
            for start_after in [None, Some(later_page)] {
                let params = ListParams {
                    filters: chosen.clone(),
                    order_field: order.field,
                    direction: order.direction,
                    limit: crate::http::DEFAULT_LIMIT,
                    start_after,
                };
                queries.push(list_query(collection, &params));
            }
        }
    }
    queries
}

/// The store query behind a listing.
pub fn list_query(collection: &'static str, params: &ListParams) -> Query {
    let mut query = Query::new(collection)
        .order_by(params.order_field, params.direction)
        .limit(params.limit)
        .start_after(params.start_after.clone());
    for (field, value) in &params.filters {
        query = query.filter(Filter::eq(*field, value.clone()));
    }
    query
}

/// The entity's own outcome: its write comes after its guards, so that a guard that fails on
/// the Firestore emulator (which applies a commit's writes one by one) stops it.
fn written<E: Entity>(outcome: Vec<WriteOutcome>, entity: E) -> ApiResult<Stored<E>> {
    match outcome.into_iter().last() {
        Some(WriteOutcome::Written(doc)) => Ok(Stored {
            meta: doc.meta,
            entity,
        }),
        other => Err(ApiError::internal(format!(
            "unexpected commit outcome {other:?}"
        ))),
    }
}

/// A failed guard means a referenced document changed or vanished while we worked.
fn guard_failure(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound { collection, id }
        | StoreError::VersionMismatch { collection, id, .. } => ApiError::Conflict(format!(
            "{collection}/{id} changed while the request was handled; retry"
        )),
        other => other.into(),
    }
}

/// A guard: the referenced entity must still be at the version that was read.
pub fn still_at<E: Entity>(stored: &Stored<E>) -> Write {
    Write::Verify {
        collection: E::COLLECTION,
        id: stored.meta.id.clone(),
        expected_version: stored.meta.version,
    }
}

/// A JSON entity response with its `ETag` (and `Location` when created).
pub fn entity_response(
    status: StatusCode,
    meta: &Metadata,
    body: &impl serde::Serialize,
    location: Option<String>,
) -> Response {
    let mut response = (status, Json(body)).into_response();
    let headers = response.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&etag_value(meta.version)) {
        headers.insert(header::ETAG, etag);
    }
    if let Some(location) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        headers.insert(header::LOCATION, location);
    }
    response
}

/// A page of a listing: `{"items": [...], "nextPageToken": "..."}` (the token only when more
/// may follow).
pub fn list_response<T: serde::Serialize>(items: Vec<T>, next: Option<String>) -> Response {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Listing<T> {
        items: Vec<T>,
        #[serde(skip_serializing_if = "Option::is_none")]
        next_page_token: Option<String>,
    }
    Json(Listing {
        items,
        next_page_token: next,
    })
    .into_response()
}

pub fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}
