//! Generic HTTP routes for an entity collection: `POST /`, `GET /` (filters, ordering,
//! keyset pages), and `GET | PUT | PATCH | DELETE /{id}`, with the same rules everywhere:
//! 401 without a valid token, 403 for a role that may not write, 400 for malformed JSON, 422
//! naming every bad field, `ETag` on every entity, 428 without `If-Match`, 412 on a stale one,
//! 404 for ids of other tenants as for ids that do not exist.
//!
//! An entity kind plugs in by implementing [`Resource`]; its hooks check references, add
//! computed fields and refuse deletions that would orphan data.

use std::future::Future;

use crate::api::{self, Doc, doc, get};
use crate::routes::Routes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use domain::Entity;
use domain::store::Write;
use serde_json::{Map, Value};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;
use utoipa::{PartialSchema as _, ToSchema as _};

use crate::auth::{Caller, Role};
use crate::context::RequestContext;
use crate::crud::{Shown, Stored, entity_response, list_response, no_content};
use crate::error::{ApiError, ApiResult};
use crate::http::{FilterParam, IfMatch, JsonBody, Order, parse_list_params};

/// Implemented by a function on a marker type of its own, naming the entity it serves.
pub trait Resource: Send + Sync + 'static {
    type Entity: Entity + Clone + utoipa::ToSchema;
    /// Where the collection is served, e.g. `/v1/sites`.
    const PATH: &'static str;
    /// Equality filters the listing accepts as query parameters.
    const FILTERS: &'static [FilterParam] = &[];
    /// The orders the listing offers, the default first. Each needs composite indexes in
    /// Firestore (see `store::indexes`), so the list is kept to what screens sort by: by
    /// default creation order either way (ids are UUIDv7) and names A to Z.
    const ORDERS: &'static [Order] = &[Order::asc("id"), Order::desc("id"), Order::asc("name")];
    /// Roles that may create, change and delete.
    const WRITERS: &'static [Role] = &Role::PLANNERS;

    /// Equality conditions that confine what the caller reads (a cleaner to her own tours, a
    /// customer to its own sites); 403 when the role may not read the collection at all.
    /// Every field named here must be one of [`Resource::FILTERS`], so indexes serve it.
    fn scope(_caller: &Caller) -> ApiResult<Vec<(&'static str, Value)>> {
        Ok(Vec::new())
    }

    /// The id an entity is stored under when it has a natural key (a cleaner's user id):
    /// two creates of one key meet in the store's commit, and the second is a 409. `None`
    /// (the default): a new UUIDv7.
    fn natural_id(_entity: &Self::Entity) -> Option<String> {
        None
    }

    /// Completes a parsed entity with what only the server knows (who recorded it, whom it
    /// belongs to). On an update `current` is the stored entity: fields nobody may change
    /// are refused here (422), and server-set ones are kept from it.
    fn prepare(
        entity: Self::Entity,
        _current: Option<&Self::Entity>,
        _cx: &RequestContext,
    ) -> impl Future<Output = ApiResult<Self::Entity>> + Send {
        async { Ok(entity) }
    }

    /// Checks that referenced entities exist (422 naming the field if not) and returns guards
    /// that make the commit fail if they change meanwhile.
    fn references(
        _entity: &Self::Entity,
        _cx: &RequestContext,
    ) -> impl Future<Output = ApiResult<Vec<Write>>> + Send {
        async { Ok(Vec::new()) }
    }

    /// The JSON of each item, with computed fields added.
    fn present(
        items: Vec<Stored<Self::Entity>>,
        _cx: &RequestContext,
    ) -> impl Future<Output = ApiResult<Vec<Shown>>> + Send {
        async move { items.iter().map(Stored::shown).collect() }
    }

    /// What a write leaves contradictory for the planner (see [`domain::preflight`]):
    /// answered with the write, as `contradictions`, and not on reads.
    fn contradictions(
        _stored: &Stored<Self::Entity>,
        _cx: &RequestContext,
    ) -> impl Future<Output = ApiResult<Vec<domain::preflight::Contradiction>>> + Send {
        async { Ok(Vec::new()) }
    }

    /// What follows a committed create or change (raising a notification): never fails
    /// the write, which has happened.
    fn written(
        _stored: &Stored<Self::Entity>,
        _cx: &RequestContext,
    ) -> impl Future<Output = ()> + Send {
        async {}
    }

    /// The fields [`Resource::present`] adds to each item, for the API document (`None`:
    /// the entity's own and its metadata only); the schemas it refers to go to `schemas`
    /// (see [`api::component`]).
    fn computed(_schemas: &mut api::Schemas) -> Option<api::SchemaRef> {
        None
    }

    /// Refuses (409) to delete an entity that others still refer to.
    fn before_delete(
        _id: &str,
        _cx: &RequestContext,
    ) -> impl Future<Output = ApiResult<()>> + Send {
        async { Ok(()) }
    }
}

/// Every store query `R`'s listing can issue (see [`crate::crud::listing_queries`]).
pub fn list_queries<R: Resource>() -> Vec<domain::store::Query> {
    crate::crud::listing_queries(R::Entity::COLLECTION, R::FILTERS, R::ORDERS)
}

/// The routes of `R`'s collection, to merge into a function's router.
/// Without writers the collection is read-only: its write methods do not exist (405), rather
/// than existing for nobody (403).
pub fn routes<R: Resource>() -> Routes {
    let (collection, item) = (
        get(list::<R>, list_doc::<R>()),
        get(read::<R>, read_doc::<R>()),
    );
    let (collection, item) = if R::WRITERS.is_empty() {
        (collection, item)
    } else {
        let kind = R::Entity::KIND;
        let entity = entity_schema::<R>();
        let writers = format!("Roles: {}.", role_names(R::WRITERS));
        (
            collection.post(
                create::<R>,
                stored_doc::<R>(&format!("Create {}", article(kind)), 201, true)
                    .about(&writers)
                    .body_schema(entity.clone())
                    .errors(&[409]),
            ),
            item.put(
                replace::<R>,
                stored_doc::<R>(&format!("Replace {}", article(kind)), 200, true)
                    .about(&format!("{writers} The body is the whole new entity."))
                    .body_schema(entity)
                    .if_match()
                    .errors(&[409]),
            )
            .patch(
                patch::<R>,
                stored_doc::<R>(&format!("Change {}", article(kind)), 200, true)
                    .about(&format!(
                        "{writers} A JSON merge patch (RFC 7396): the fields sent replace \
                         the stored ones, null removes one; the result must be valid."
                    ))
                    .body_schema(merge_patch_schema::<R>())
                    .if_match()
                    .errors(&[409]),
            )
            .delete(
                delete::<R>,
                doc(&format!("Delete {}", article(kind)))
                    .about(&writers)
                    .no_content("Deleted")
                    .if_match()
                    .errors(&[409]),
            ),
        )
    };
    Routes::new()
        .route(R::PATH, collection)
        .route(&format!("{}/{{id}}", R::PATH), item)
}

/// "a site", "an area".
fn article(kind: &str) -> String {
    let vowel = kind.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {kind}", if vowel { "an" } else { "a" })
}

fn role_names(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The entity as a client writes it: its fields but those the server sets (`READ_ONLY`,
/// which a client may send back and the server ignores).
fn entity_schema<R: Resource>() -> RefOr<Schema> {
    match R::Entity::schema() {
        RefOr::T(Schema::Object(mut object)) => {
            for field in R::Entity::READ_ONLY {
                object.properties.shift_remove(*field);
                object.required.retain(|name| name != field);
            }
            RefOr::T(Schema::Object(object))
        }
        other => other,
    }
}

/// The entity's writable fields, none required: what a merge patch may carry.
fn merge_patch_schema<R: Resource>() -> RefOr<Schema> {
    match entity_schema::<R>() {
        RefOr::T(Schema::Object(mut object)) => {
            object.required.clear();
            object.description = Some(format!(
                "Fields of the {} to change; null removes an optional one.",
                R::Entity::KIND
            ));
            RefOr::T(Schema::Object(object))
        }
        other => other,
    }
}

/// What a client reads (`{Entity}View`): the metadata, the entity's fields, the computed ones.
fn view_schema<R: Resource>(schemas: &mut api::Schemas) -> RefOr<Schema> {
    let stored = Stored::<R::Entity>::name().into_owned();
    schemas.push((stored.clone(), Stored::<R::Entity>::schema()));
    Stored::<R::Entity>::schemas(schemas);
    let mut parts = vec![RefOr::Ref(utoipa::openapi::Ref::from_schema_name(stored))];
    parts.extend(R::computed(schemas));
    api::named(
        schemas,
        &format!("{}View", R::Entity::name()),
        api::all_of(parts),
    )
}

/// An operation answering one entity as read (or, after a write, with the contradictions
/// the write leaves for the planner), with its `ETag`.
fn stored_doc<R: Resource>(summary: &str, status: u16, written: bool) -> Doc {
    let mut schemas = Vec::new();
    let mut answer = view_schema::<R>(&mut schemas);
    if written {
        schemas.push((
            "Contradiction".into(),
            domain::preflight::Contradiction::schema(),
        ));
        domain::preflight::Contradiction::schemas(&mut schemas);
        let contradictions = utoipa::openapi::schema::ObjectBuilder::new().property(
            "contradictions",
            api::array_of(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                "Contradiction",
            ))),
        );
        answer = api::all_of([answer, contradictions.into()]);
    }
    doc(summary)
        .answers_schema(status, "The entity as stored, with its ETag", answer)
        .with_schemas(schemas)
}

/// `GET {PATH}/{id}`, documented.
pub fn read_doc<R: Resource>() -> Doc {
    stored_doc::<R>(&format!("Read {}", article(R::Entity::KIND)), 200, false)
}

/// `GET {PATH}`, documented: its filters, orders and pages.
pub fn list_doc<R: Resource>() -> Doc {
    let mut schemas = Vec::new();
    let stored = view_schema::<R>(&mut schemas);
    let orders: Vec<String> = R::ORDERS.iter().map(|o| o.name()).collect();
    let orders: Vec<&str> = orders.iter().map(String::as_str).collect();
    let mut listing = doc(&format!("List {}s", R::Entity::KIND))
        .page_schema(stored)
        .with_schemas(schemas)
        .query(
            "orderBy",
            api::one_of(&orders),
            "The order: a field, - before it for descending; the first is the default.",
        );
    for filter in R::FILTERS {
        let schema = match filter.kind {
            crate::http::ParamKind::Integer => api::of_type(utoipa::openapi::schema::Type::Integer),
            crate::http::ParamKind::Id => domain::id::Id::<()>::schema(),
            crate::http::ParamKind::Text => api::string(),
        };
        let description = format!("Only items whose {} is this.", filter.name);
        listing = listing.query(filter.name, schema, &description);
    }
    listing
}

async fn present_one<R: Resource>(
    stored: Stored<R::Entity>,
    cx: &RequestContext,
) -> ApiResult<Shown> {
    R::present(vec![stored], cx)
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal("present returned no item"))
}

/// A written entity as answered: as read, plus the contradictions the write leaves.
async fn present_written<R: Resource>(
    stored: Stored<R::Entity>,
    cx: &RequestContext,
) -> ApiResult<Shown> {
    R::written(&stored, cx).await;
    let contradictions = R::contradictions(&stored, cx).await?;
    let shown = present_one::<R>(stored, cx).await?;
    if contradictions.is_empty() {
        return Ok(shown);
    }
    let mut body: serde_json::Map<String, Value> =
        serde_json::from_str(shown.get()).map_err(ApiError::internal)?;
    body.insert(
        "contradictions".into(),
        serde_json::to_value(contradictions).map_err(ApiError::internal)?,
    );
    crate::crud::shown(&body)
}

fn require_writer<R: Resource>(caller: &Caller, action: &str) -> ApiResult<()> {
    caller.require(R::WRITERS, &format!("{action} a {}", R::Entity::KIND))
}

async fn create<R: Resource>(cx: RequestContext, JsonBody(body): JsonBody) -> ApiResult<Response> {
    require_writer::<R>(&cx.caller, "create")?;
    let entity = R::prepare(R::Entity::parse(&body)?, None, &cx).await?;
    let guards = R::references(&entity, &cx).await?;
    let repo = cx.repo::<R::Entity>();
    let stored = match R::natural_id(&entity) {
        None => repo.create(entity, guards).await?,
        Some(id) => repo
            .create_with_id(&id, entity, guards)
            .await
            .map_err(|e| match e {
                ApiError::Conflict(_) => ApiError::Conflict(format!(
                    "a {} with this key exists already: {}/{id}",
                    R::Entity::KIND,
                    R::PATH
                )),
                other => other,
            })?,
    };
    let (meta, location) = (
        stored.meta.clone(),
        format!("{}/{}", R::PATH, stored.meta.id),
    );
    let body = present_written::<R>(stored, &cx).await?;
    Ok(entity_response(
        StatusCode::CREATED,
        &meta,
        &body,
        Some(location),
    ))
}

/// The entity `id` if the caller's scope holds it. Out of scope is the same as not there, for
/// reads and writes alike: nothing hints that it exists, and nobody changes what they
/// cannot see.
pub async fn in_scope<R: Resource>(cx: &RequestContext, id: &str) -> ApiResult<Stored<R::Entity>> {
    let scope = R::scope(&cx.caller)?;
    let stored = cx.repo::<R::Entity>().get(id).await?;
    // Most callers see the whole collection: the entity is turned into JSON only to check
    // a scope.
    if !scope.is_empty() && {
        let json = stored.to_json();
        scope
            .iter()
            .any(|(field, value)| json.get(*field) != Some(value))
    } {
        return Err(ApiError::NotFound {
            kind: R::Entity::KIND,
            id: id.to_owned(),
        });
    }
    Ok(stored)
}

pub async fn read<R: Resource>(cx: RequestContext, Path(id): Path<String>) -> ApiResult<Response> {
    let stored = in_scope::<R>(&cx, &id).await?;
    let meta = stored.meta.clone();
    Ok(entity_response(
        StatusCode::OK,
        &meta,
        &present_one::<R>(stored, &cx).await?,
        None,
    ))
}

pub async fn list<R: Resource>(
    cx: RequestContext,
    Query(query): Query<Vec<(String, String)>>,
) -> ApiResult<Response> {
    let mut params = parse_list_params(&query, R::FILTERS, R::ORDERS)?;
    for (field, value) in R::scope(&cx.caller)? {
        match params.filters.iter().find(|(f, _)| *f == field) {
            // Asking for someone else's: nothing to see.
            Some((_, asked)) if *asked != value => {
                return Ok(list_response(Vec::<Shown>::new(), None));
            }
            Some(_) => {}
            None => params.filters.push((field, value)),
        }
    }
    let (items, next) = cx.repo::<R::Entity>().list(&params).await?;
    Ok(list_response(R::present(items, &cx).await?, next))
}

async fn save<R: Resource>(
    cx: &RequestContext,
    id: &str,
    version: u64,
    entity: R::Entity,
) -> ApiResult<Response> {
    let guards = R::references(&entity, cx).await?;
    let stored = cx
        .repo::<R::Entity>()
        .replace(id, version, entity, guards)
        .await?;
    let meta = stored.meta.clone();
    Ok(entity_response(
        StatusCode::OK,
        &meta,
        &present_written::<R>(stored, cx).await?,
        None,
    ))
}

/// `PUT`: the body is the whole new entity.
async fn replace<R: Resource>(
    cx: RequestContext,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    require_writer::<R>(&cx.caller, "change")?;
    let current = in_scope::<R>(&cx, &id).await?;
    current.expect_version(version)?;
    let entity = R::prepare(R::Entity::parse(&body)?, Some(&current.entity), &cx).await?;
    save::<R>(&cx, &id, version, entity).await
}

/// `PATCH`: a JSON merge patch (RFC 7396) on the current entity; the result must be valid.
async fn patch<R: Resource>(
    cx: RequestContext,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    JsonBody(patch): JsonBody,
) -> ApiResult<Response> {
    require_writer::<R>(&cx.caller, "change")?;
    if !patch.is_object() {
        return Err(ApiError::field("", "a merge patch must be a JSON object"));
    }
    let current = in_scope::<R>(&cx, &id).await?;
    current.expect_version(version)?;
    let mut merged = Value::Object(crate::crud::entity_fields(&current.entity)?);
    merge_patch(&mut merged, &patch);
    let entity = R::prepare(R::Entity::parse(&merged)?, Some(&current.entity), &cx).await?;
    save::<R>(&cx, &id, version, entity).await
}

/// RFC 7396: objects merge recursively, `null` removes, anything else replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(target) = target else {
        return;
    };
    for (key, value) in patch {
        if value.is_null() {
            target.remove(key);
        } else {
            merge_patch(target.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

pub async fn delete<R: Resource>(
    cx: RequestContext,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
) -> ApiResult<Response> {
    require_writer::<R>(&cx.caller, "delete")?;
    // Existence (in scope) first, so another tenant's id is a 404 and never a 409 that
    // leaks usage.
    in_scope::<R>(&cx, &id).await?;
    R::before_delete(&id, &cx).await?;
    cx.repo::<R::Entity>().delete(&id, version).await?;
    Ok(no_content())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc_7396() {
        let mut target = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        super::merge_patch(&mut target, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(target, json!({"a": "z", "c": {"d": "e"}}));
    }
}
