//! Twilio's webhooks, each verified by its `X-Twilio-Signature` (HMAC-SHA1 of the URL and
//! the sorted parameters, keyed with the auth token) and refused (403) without a valid one.
//!
//! - `POST /v1/twilio/status/{tenant}/{id}`: a message's status callback. The URL is the
//!   one the worker gave Twilio for that notification; the signature covers it, so only
//!   Twilio can name a tenant here.
//! - `POST /v1/twilio/inbound`: a reply. STOP (and Twilio's other opt-out words) opts the
//!   number out of every tenant's SMS; START opts it in again.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use domain::notifications::{Notification, NotificationStatus, e164};
use domain::store::{StoreError, TenantStore, Write};
use domain::{Entity, TenantId};
use platform::api::{self, doc};
use platform::crud::{Stored, entity_fields};
use platform::error::ApiResult;
use platform::notify::{
    Credential, SMS_OPT_OUTS as OPT_OUTS, sms_opt_out_id as opt_out_id, twilio_signature_valid,
};
use platform::routes::Routes;
use platform::{ApiError, AppState};

/// What verifies Twilio's webhooks: the auth token (without it every webhook is refused).
/// The URL Twilio signed is the API's public origin (`PUBLIC_URL`, else the request's host,
/// as every link names it) and the request's path.
#[derive(Clone, Default)]
pub struct TwilioWebhooks {
    pub auth_token: Option<Credential>,
}

impl TwilioWebhooks {
    pub fn from_env() -> Self {
        Self {
            auth_token: platform::config::optional(catalog::Secret::TwilioAuthToken.env_var())
                .map(Credential::new),
        }
    }

    /// The form's parameters, if the signature is Twilio's.
    fn verify(
        &self,
        headers: &HeaderMap,
        uri: &Uri,
        body: &[u8],
    ) -> ApiResult<Vec<(String, String)>> {
        let refused = |why: &str| ApiError::Forbidden(format!("not a request from Twilio: {why}"));
        let token = self
            .auth_token
            .as_ref()
            .ok_or_else(|| refused("no Twilio account is configured"))?;
        let given = headers
            .get("x-twilio-signature")
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| refused("X-Twilio-Signature is missing"))?;
        let origin = platform::http::origin(headers);
        let path = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
        let url = format!("{origin}{path}");
        let params: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
        if !twilio_signature_valid(token.expose(), &url, &params, given) {
            return Err(refused("X-Twilio-Signature does not match"));
        }
        Ok(params)
    }
}

pub fn routes() -> Routes {
    Routes::new()
        .route(
            "/v1/twilio/status/{tenant}/{id}",
            api::post(
                status,
                doc("Twilio: a message's status")
                    .public()
                    .about(
                        "Twilio's status callback for an SMS (form fields MessageSid, \
                         MessageStatus, ErrorCode), signed with X-Twilio-Signature: delivered \
                         marks it delivered, undelivered or failed marks it failed with the \
                         error. 403 without a valid signature.",
                    )
                    .no_content("Recorded")
                    .errors(&[403, 404]),
            ),
        )
        .route(
            "/v1/twilio/inbound",
            api::post(
                inbound,
                doc("Twilio: a reply to an SMS")
                    .public()
                    .about(
                        "Twilio's incoming-message webhook (form fields From, Body), signed: \
                         STOP opts the number out of all SMS, START opts it in again. Answers \
                         empty TwiML. 403 without a valid signature.",
                    )
                    .answers_media(200, "text/xml", "Empty TwiML: Twilio answers STOP itself")
                    .errors(&[403]),
            ),
        )
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

async fn status(
    State(state): State<AppState>,
    Extension(webhooks): Extension<TwilioWebhooks>,
    Path((tenant, id)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> ApiResult<Response> {
    let params = webhooks.verify(&headers, &uri, &body)?;
    let not_found = || ApiError::NotFound {
        kind: Notification::KIND,
        id: id.clone(),
    };
    let tenant = TenantId::parse_external(&tenant).map_err(|_| not_found())?;
    let store = TenantStore::new(state.store.clone(), tenant);
    let reported = param(&params, "MessageStatus").unwrap_or_default();
    let sid = param(&params, "MessageSid");
    let error = param(&params, "ErrorCode").filter(|c| !c.is_empty());
    let now = state.clock.now();
    for _ in 0..3 {
        let doc = store
            .get(Notification::COLLECTION, &id)
            .await?
            .ok_or_else(not_found)?;
        let stored = Stored::<Notification>::from_document(doc)?;
        let mut n = stored.entity.clone();
        // A callback for another message than this notification's is not its news.
        if let (Some(sid), Some(known)) = (sid, &n.provider_id)
            && sid != known
        {
            return Ok(StatusCode::NO_CONTENT.into_response());
        }
        match reported {
            "delivered" | "read" => {
                n.status = NotificationStatus::Delivered;
                n.delivered_at = Some(now);
                n.reason = None;
            }
            "undelivered" | "failed" => {
                n.status = NotificationStatus::Failed;
                n.reason = Some(format!(
                    "Twilio: {reported}{}",
                    error.map_or(String::new(), |c| format!(" (error {c})"))
                ));
            }
            // queued, sending, sent, accepted: no news past what the send recorded.
            _ => return Ok(StatusCode::NO_CONTENT.into_response()),
        }
        if n.provider_id.is_none() {
            n.provider_id = sid.map(str::to_owned);
        }
        let write = Write::Update {
            collection: Notification::COLLECTION,
            id: id.clone(),
            expected_version: stored.meta.version,
            fields: entity_fields(&n)?,
        };
        match store.commit(vec![write], now).await {
            Ok(_) => return Ok(StatusCode::NO_CONTENT.into_response()),
            Err(StoreError::VersionMismatch { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Unavailable(
        "the notification keeps changing; retry".into(),
    ))
}

/// Twilio's opt-out and opt-in words.
const STOP_WORDS: &[&str] = &[
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "OPTOUT",
    "REVOKE",
    "STOPP",
    "ARRET",
    "ARRÊT",
];
const START_WORDS: &[&str] = &["START", "UNSTOP", "YES", "OPTIN"];

async fn inbound(
    State(state): State<AppState>,
    Extension(webhooks): Extension<TwilioWebhooks>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> ApiResult<Response> {
    let params = webhooks.verify(&headers, &uri, &body)?;
    let from = param(&params, "From").and_then(e164);
    let word = param(&params, "Body")
        .unwrap_or_default()
        .trim()
        .to_uppercase();
    let system = TenantStore::new(state.store.clone(), TenantId::system());
    let now = state.clock.now();
    if let Some(phone) = from {
        let id = opt_out_id(&phone);
        if STOP_WORDS.contains(&word.as_str()) {
            let mut fields = serde_json::Map::new();
            fields.insert("optedOutAt".into(), serde_json::json!(now));
            match system
                .commit(
                    vec![Write::Create {
                        collection: OPT_OUTS,
                        id,
                        fields,
                    }],
                    now,
                )
                .await
            {
                Ok(_) | Err(StoreError::AlreadyExists { .. }) => {}
                Err(e) => return Err(e.into()),
            }
            tracing::info!("an SMS recipient opted out");
        } else if START_WORDS.contains(&word.as_str())
            && let Some(doc) = system.get(OPT_OUTS, &id).await?
        {
            match system
                .commit(
                    vec![Write::Delete {
                        collection: OPT_OUTS,
                        id,
                        expected_version: Some(doc.meta.version),
                    }],
                    now,
                )
                .await
            {
                Ok(_) | Err(StoreError::NotFound { .. } | StoreError::VersionMismatch { .. }) => {}
                Err(e) => return Err(e.into()),
            }
            tracing::info!("an SMS recipient opted in again");
        }
    }
    Ok((
        [(header::CONTENT_TYPE, "text/xml")],
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>",
    )
        .into_response())
}
