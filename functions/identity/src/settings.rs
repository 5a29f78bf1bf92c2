//! `/v1/tenant-settings`: the company's name, time zone, language, country and currency.
//! Everyone of the tenant reads them; admins change them (`If-Match`), with an audit record.

use axum::http::StatusCode;
use axum::response::Response;
use domain::Entity;
use domain::identity::{AuditAction, TenantSettings};
use platform::api::{self, doc};
use platform::crud::Stored;
use platform::crud::{entity_fields, entity_response};
use platform::error::ApiResult;
use platform::http::{IfMatch, JsonBody};
use platform::routes::Routes;
use platform::{ApiError, RequestContext, Role};
use serde_json::Value;

use crate::ClientAddress;
use crate::audit::{self, Actor};

pub const PATH: &str = "/v1/tenant-settings";

pub fn routes() -> Routes {
    let settings =
        || doc("").answers::<Stored<TenantSettings>>(200, "The settings, with their ETag");
    Routes::new().route(
        PATH,
        api::get(read, settings().summary("Read the company's settings")).patch(
            update,
            settings()
                .summary("Change the company's settings")
                .about("Roles: admin. A merge patch.")
                .body_schema(api::partial::<TenantSettings>())
                .if_match(),
        ),
    )
}

async fn read(cx: RequestContext) -> ApiResult<Response> {
    let stored = cx.repo::<TenantSettings>().get(TenantSettings::ID).await?;
    Ok(entity_response(StatusCode::OK, &stored.meta, &stored, None))
}

/// A merge patch of the settings.
async fn update(
    cx: RequestContext,
    address: ClientAddress,
    IfMatch(version): IfMatch,
    JsonBody(patch): JsonBody,
) -> ApiResult<Response> {
    cx.caller
        .require(&[Role::Admin], "change the tenant's settings")?;
    if !patch.is_object() {
        return Err(ApiError::field("", "a merge patch must be a JSON object"));
    }
    let current = cx.repo::<TenantSettings>().get(TenantSettings::ID).await?;
    current.expect_version(version)?;
    let mut merged = Value::Object(entity_fields(&current.entity)?);
    platform::resource::merge_patch(&mut merged, &patch);
    let settings = TenantSettings::parse(&merged)?;
    let actor = Actor::of(&cx.caller, &address);
    let record = audit::record(
        &actor,
        AuditAction::SettingsUpdated,
        "settings",
        TenantSettings::ID,
        Some(&current.entity),
        Some(&settings),
    )?;
    let stored = cx
        .repo::<TenantSettings>()
        .replace(TenantSettings::ID, version, settings, vec![record])
        .await?;
    Ok(entity_response(StatusCode::OK, &stored.meta, &stored, None))
}
