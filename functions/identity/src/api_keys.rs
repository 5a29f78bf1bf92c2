//! `/v1/api-keys` (admins): device API keys for sensors and building systems. `POST {name,
//! scopes}` answers the key once (`co_<prefix>_<secret>`); the tenant keeps its name, scopes,
//! prefix and last use, the platform's scope the hash that verifies it (see
//! [`platform::api_keys`]). `DELETE` revokes it: every instance refuses it within a minute.

use axum::extract::Path;
use axum::response::Response;
use domain::identity::{ApiKey, AuditAction, parse_api_key_request};
use domain::store::Write;
use platform::api::{self, doc};
use platform::api_keys::{CREDENTIALS, Credential, new_key};
use platform::crud::Stored;
use platform::crud::entity_fields;
use platform::error::ApiResult;
use platform::http::{IfMatch, JsonBody, Order};
use platform::resource::{self, Resource};
use platform::routes::Routes;
use platform::{Caller, RequestContext, Role};
use serde_json::{Value, json};

use crate::ClientAddress;
use crate::audit::{self, Actor};

struct ApiKeys;

impl Resource for ApiKeys {
    type Entity = ApiKey;
    const PATH: &'static str = "/v1/api-keys";
    const ORDERS: &'static [Order] = &[Order::asc("name")];
    const WRITERS: &'static [Role] = &[];

    fn scope(caller: &Caller) -> ApiResult<Vec<(&'static str, Value)>> {
        caller.require(&[Role::Admin], "manage API keys")?;
        Ok(Vec::new())
    }
}

pub fn routes() -> Routes {
    Routes::new()
        .route(
            ApiKeys::PATH,
            api::get(resource::list::<ApiKeys>, resource::list_doc::<ApiKeys>()).post(
                create,
                doc("Make a device API key")
                    .about(
                        "Roles: admin. The key is in this answer and nowhere else; it opens \
                         only the routes of its scopes.",
                    )
                    .body::<crate::docs::ApiKeyRequest>()
                    .answers_schema(
                        201,
                        "The key's record, and the key (once), with its ETag",
                        api::all_of([
                            api::reference::<Stored<ApiKey>>(),
                            api::reference::<crate::docs::NewApiKey>(),
                        ]),
                    )
                    .registers::<Stored<ApiKey>>()
                    .registers::<crate::docs::NewApiKey>(),
            ),
        )
        .route(
            "/v1/api-keys/{id}",
            api::get(resource::read::<ApiKeys>, resource::read_doc::<ApiKeys>()).delete(
                revoke,
                doc("Revoke an API key")
                    .about("Roles: admin. It stops working within a minute.")
                    .if_match()
                    .no_content("Revoked"),
            ),
        )
}

pub fn list_queries() -> Vec<domain::store::Query> {
    resource::list_queries::<ApiKeys>()
}

async fn create(
    cx: RequestContext,
    address: ClientAddress,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    cx.caller.require(&[Role::Admin], "manage API keys")?;
    let (name, scopes) = parse_api_key_request(&body)?;
    let (prefix, secret_hash, key) = new_key();
    let credential = Credential {
        tenant: cx.caller.tenant.to_string(),
        secret_hash,
        scopes: scopes.clone(),
    };
    // The credential first: until the tenant's record lands it opens routes nobody was told
    // the key of.
    let write = Write::Create {
        collection: CREDENTIALS,
        id: prefix.clone(),
        fields: entity_fields(&credential)?,
    };
    cx.platform_scope().commit(vec![write], cx.now()).await?;
    let api_key = ApiKey {
        name,
        scopes,
        prefix: prefix.clone(),
        created_by: cx.caller.user.clone(),
        last_used_at: None,
    };
    let actor = Actor::of(&cx.caller, &address);
    let record = audit::record(
        &actor,
        AuditAction::ApiKeyCreated,
        "apiKey",
        &prefix,
        None::<&ApiKey>,
        Some(&api_key),
    )?;
    let stored = cx
        .repo::<ApiKey>()
        .create_with_id(&prefix, api_key, vec![record])
        .await?;
    // The key itself is in this answer and nowhere else.
    Ok(crate::created_with_secrets(
        &stored,
        ApiKeys::PATH,
        &[("key", json!(key))],
    ))
}

async fn revoke(
    cx: RequestContext,
    address: ClientAddress,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
) -> ApiResult<Response> {
    cx.caller.require(&[Role::Admin], "manage API keys")?;
    let current = cx.repo::<ApiKey>().get(&id).await?;
    current.expect_version(version)?;
    let write = Write::Delete {
        collection: CREDENTIALS,
        id: id.clone(),
        expected_version: None,
    };
    cx.platform_scope().commit(vec![write], cx.now()).await?;
    let actor = Actor::of(&cx.caller, &address);
    audit::delete(
        &cx,
        &actor,
        AuditAction::ApiKeyRevoked,
        "apiKey",
        &current,
        version,
    )
    .await
}
