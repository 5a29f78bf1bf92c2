//! What the issuer publishes: its public keys (`/.well-known/jwks.json`, which every other
//! function verifies access tokens against) and its OpenID Provider metadata.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use platform::AppState;
use platform::api::{self, doc};
use platform::error::ApiResult;
use platform::routes::Routes;
use serde_json::json;

pub fn routes() -> Routes {
    Routes::new()
        .route(
            "/.well-known/jwks.json",
            api::get(
                jwks,
                doc("The issuer's public keys (JWKS), to verify access tokens")
                    .public()
                    .answers_schema(200, "The JSON Web Key Set (RFC 7517)", api::any_object()),
            ),
        )
        .route(
            "/.well-known/openid-configuration",
            api::get(
                openid_configuration,
                doc("The issuer's OpenID Provider metadata")
                    .public()
                    .answers_schema(200, "OpenID Provider metadata", api::any_object()),
            ),
        )
}

/// Verifiers cache the keys; five minutes keeps a rotation's new key quick to arrive.
fn cached(body: serde_json::Value) -> Response {
    let mut response = Json(body).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}

async fn jwks(State(state): State<AppState>) -> ApiResult<Response> {
    let keys =
        serde_json::to_value(state.issuer()?.jwks()).map_err(platform::ApiError::internal)?;
    Ok(cached(keys))
}

/// The origin the client reached (see [`platform::http::origin`]).
pub fn origin(headers: &HeaderMap) -> String {
    platform::http::origin(headers)
}

async fn openid_configuration(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let issuer = state.issuer()?;
    let origin = origin(&headers);
    Ok(cached(json!({
        "issuer": issuer.issuer,
        "jwks_uri": format!("{origin}/.well-known/jwks.json"),
        "token_endpoint": format!("{origin}/v1/auth/login"),
        "response_types_supported": ["token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["EdDSA"],
        "token_endpoint_auth_methods_supported": ["none"],
        "claims_supported": ["iss", "aud", "sub", "exp", "iat", "tenant", "role", "customer"],
    })))
}
