//! `/v1/sensor-settings` (admins): the secret Disruptive Technologies signs its deliveries
//! with. It is never shown again once set: reads say whether it is set.
//!
//! The settings are one document; a tenant that never set them reads version 0, and the
//! first `PUT` sends `If-Match: "0"`, so two admins setting it at once meet as any lost race.

use axum::http::StatusCode;
use axum::response::Response;
use domain::Fields;
use platform::api::{self, doc};
use platform::crud::entity_response;
use platform::error::ApiResult;
use platform::http::{IfMatch, JsonBody};
use platform::routes::Routes;
use platform::{ApiError, RequestContext, Role};
use serde::{Deserialize, Serialize};

pub const PATH: &str = "/v1/sensor-settings";
pub const COLLECTION: &str = "sensorSettings";
const ID: &str = "settings";

/// What is stored.
#[derive(Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SensorSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dt_signature_secret: Option<String>,
}

/// What a reader sees.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SensorSettingsView {
    /// Whether Disruptive Technologies deliveries are checked against a signature secret
    /// (they are refused until one is set).
    dt_signature_secret_set: bool,
}

/// The body of `PUT`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
#[serde(rename_all = "camelCase")]
struct SettingsBody {
    /// The signature secret of the DT data connector, 16 to 200 characters; null removes it.
    dt_signature_secret: Option<String>,
}

pub fn routes() -> Routes {
    let answer = || doc("").answers::<SensorSettingsView>(200, "The settings, with their ETag");
    Routes::new().route(
        PATH,
        api::get(
            read,
            answer()
                .summary("Read the sensor settings")
                .about("Roles: admin."),
        )
        .put(
            replace,
            answer()
                .summary("Set the sensor settings")
                .about("Roles: admin. `If-Match: \"0\"` the first time.")
                .body::<SettingsBody>()
                .if_match(),
        ),
    )
}

/// The settings and their version (0 when never set).
pub async fn load(cx: &RequestContext) -> ApiResult<(u64, SensorSettings)> {
    Ok(
        platform::demand::read::<SensorSettings>(cx.data(), COLLECTION, ID)
            .await?
            .map_or((0, SensorSettings::default()), |(meta, s)| {
                (meta.version, s)
            }),
    )
}

fn answer(version: u64, settings: &SensorSettings) -> Response {
    let meta = domain::Metadata {
        id: ID.into(),
        version,
        created_at: chrono::DateTime::UNIX_EPOCH,
        updated_at: chrono::DateTime::UNIX_EPOCH,
    };
    let view = SensorSettingsView {
        dt_signature_secret_set: settings.dt_signature_secret.is_some(),
    };
    entity_response(StatusCode::OK, &meta, &view, None)
}

async fn read(cx: RequestContext) -> ApiResult<Response> {
    cx.caller
        .require(&[Role::Admin], "read the sensor settings")?;
    let (version, settings) = load(&cx).await?;
    Ok(answer(version, &settings))
}

async fn replace(
    cx: RequestContext,
    IfMatch(version): IfMatch,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    cx.caller
        .require(&[Role::Admin], "change the sensor settings")?;
    let mut f = Fields::new(&body, &[])?;
    let secret = f.optional_str("dtSignatureSecret", 16..=200);
    let settings = f.finish(|| {
        Some(SensorSettings {
            dt_signature_secret: secret,
        })
    })?;
    let current = platform::demand::read::<SensorSettings>(cx.data(), COLLECTION, ID).await?;
    let current_version = current.as_ref().map_or(0, |(meta, _)| meta.version);
    if version != current_version {
        return Err(ApiError::stale(current_version));
    }
    let write = platform::demand::write(
        COLLECTION,
        ID,
        current.as_ref().map(|(meta, _)| meta),
        &settings,
    )?;
    let written = cx.store().commit(vec![write], cx.now()).await?;
    let version = match written.first() {
        Some(domain::store::WriteOutcome::Written(doc)) => doc.meta.version,
        _ => return Err(ApiError::internal("the settings' commit wrote nothing")),
    };
    Ok(answer(version, &settings))
}
