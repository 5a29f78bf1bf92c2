//! `/v1/notification-preferences`: the caller's own channels per event kind and quiet hours.
//! `/v1/notification-settings`: the tenant's rules (admins change them, planners read them).
//!
//! Each is one document; never set, it reads as version 0 with the defaults, and the first
//! `PUT` sends `If-Match: "0"`, so two writers meet as any lost race (412).

use axum::http::StatusCode;
use axum::response::Response;
use domain::notifications::{NotificationPreferences, NotificationSettings};
use platform::api::{self, doc};
use platform::crud::entity_response;
use platform::error::ApiResult;
use platform::http::{IfMatch, JsonBody};
use platform::routes::Routes;
use platform::{ApiError, RequestContext, Role};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub const PREFERENCES: &str = "/v1/notification-preferences";
pub const SETTINGS: &str = "/v1/notification-settings";

pub fn routes() -> Routes {
    Routes::new()
        .route(
            PREFERENCES,
            api::get(
                read_preferences,
                doc("Read my notification preferences")
                    .about(
                        "Every role. Channels per event kind (the defaults where none is \
                         chosen) and quiet hours in her zone.",
                    )
                    .answers::<NotificationPreferences>(200, "The preferences, with their ETag"),
            )
            .put(
                replace_preferences,
                doc("Set my notification preferences")
                    .about("`If-Match: \"0\"` the first time. An invoice, an invitation or a reset goes by email only.")
                    .body::<NotificationPreferences>()
                    .answers::<NotificationPreferences>(200, "The preferences, with their ETag")
                    .if_match(),
            ),
        )
        .route(
            SETTINGS,
            api::get(
                read_settings,
                doc("Read the tenant's notification rules")
                    .about("Roles: admin, dispatcher.")
                    .answers::<NotificationSettings>(200, "The rules, with their ETag"),
            )
            .put(
                replace_settings,
                doc("Set the tenant's notification rules")
                    .about("Roles: admin. `If-Match: \"0\"` the first time.")
                    .body::<NotificationSettings>()
                    .answers::<NotificationSettings>(200, "The rules, with their ETag")
                    .if_match(),
            ),
        )
}

async fn load<T: DeserializeOwned + Default>(
    cx: &RequestContext,
    collection: &'static str,
    id: &str,
) -> ApiResult<(Option<domain::Metadata>, T)> {
    Ok(platform::demand::read::<T>(cx.data(), collection, id)
        .await?
        .map_or((None, T::default()), |(meta, value)| (Some(meta), value)))
}

fn answer<T: Serialize>(id: &str, meta: Option<&domain::Metadata>, value: &T) -> Response {
    let meta = meta.cloned().unwrap_or(domain::Metadata {
        id: id.into(),
        version: 0,
        created_at: chrono::DateTime::UNIX_EPOCH,
        updated_at: chrono::DateTime::UNIX_EPOCH,
    });
    entity_response(StatusCode::OK, &meta, value, None)
}

async fn replace<T: Serialize>(
    cx: &RequestContext,
    collection: &'static str,
    id: &str,
    version: u64,
    current: Option<domain::Metadata>,
    value: &T,
) -> ApiResult<Response> {
    let current_version = current.as_ref().map_or(0, |m| m.version);
    if version != current_version {
        return Err(ApiError::stale(current_version));
    }
    let write = platform::demand::write(collection, id, current.as_ref(), value)?;
    match cx.store().commit(vec![write], cx.now()).await {
        Ok(_) => {}
        Err(e) if e.is_precondition_failure() => {
            return Err(ApiError::stale(current_version + 1));
        }
        Err(e) => return Err(e.into()),
    }
    let (meta, stored) = load::<serde_json::Value>(cx, collection, id).await?;
    Ok(answer(id, meta.as_ref(), &stored))
}

async fn read_preferences(cx: RequestContext) -> ApiResult<Response> {
    let id = cx.caller.user.to_string();
    let (meta, preferences) =
        load::<NotificationPreferences>(&cx, NotificationPreferences::COLLECTION, &id).await?;
    Ok(answer(&id, meta.as_ref(), &preferences))
}

async fn replace_preferences(
    cx: RequestContext,
    IfMatch(version): IfMatch,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let preferences = NotificationPreferences::parse(&body)?;
    let id = cx.caller.user.to_string();
    let (meta, _) =
        load::<serde_json::Value>(&cx, NotificationPreferences::COLLECTION, &id).await?;
    replace(
        &cx,
        NotificationPreferences::COLLECTION,
        &id,
        version,
        meta,
        &preferences,
    )
    .await
}

async fn read_settings(cx: RequestContext) -> ApiResult<Response> {
    cx.caller
        .require(&Role::PLANNERS, "read the notification rules")?;
    let (meta, settings) = load::<NotificationSettings>(
        &cx,
        NotificationSettings::COLLECTION,
        NotificationSettings::ID,
    )
    .await?;
    Ok(answer(NotificationSettings::ID, meta.as_ref(), &settings))
}

async fn replace_settings(
    cx: RequestContext,
    IfMatch(version): IfMatch,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    cx.caller
        .require(&[Role::Admin], "change the notification rules")?;
    let settings = NotificationSettings::parse(&body)?;
    let (meta, _) = load::<serde_json::Value>(
        &cx,
        NotificationSettings::COLLECTION,
        NotificationSettings::ID,
    )
    .await?;
    replace(
        &cx,
        NotificationSettings::COLLECTION,
        NotificationSettings::ID,
        version,
        meta,
        &settings,
    )
    .await
}
