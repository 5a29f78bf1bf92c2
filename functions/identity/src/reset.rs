//! Password reset: `POST /v1/auth/password-reset {email}` makes a one-time link valid 30
//! minutes (always 202: whether the address has an account is nobody's business), and
//! `POST /v1/auth/password-reset/confirm {token, password}` sets the new password. The reset
//! raises the account's generation in the same commit, which ends every session of the
//! address in every tenant at its next refresh.
//!
//! Until notifications send email, the link goes to the platform's outbox (`outbox`, read by
//! the notifications worker to come) and, off Cloud Run, to the log; never to the answer.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use domain::identity::{AuditAction, Email, NewPassword};
use domain::store::Write;
use domain::{Fields, TenantId};
use platform::api::{self, doc};
use platform::crud::{entity_fields, key_id};
use platform::error::ApiResult;
use platform::http::JsonBody;
use platform::routes::Routes;
use platform::{ApiError, AppState, TenantData};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::ClientAddress;
use crate::accounts::{self, ACCOUNTS, Account};
use crate::audit::{self, Actor};
use crate::password;
use platform::secrets::random_secret;

pub const RESETS: &str = "passwordResets";
/// How long a reset link works.
pub const RESET_MINUTES: i64 = 30;

pub fn routes() -> Routes {
    Routes::new()
        .route(
            "/v1/auth/password-reset",
            api::post(
                request,
                doc("Ask for a password reset link")
                    .about("Always 202: whether the address has an account is nobody's business.")
                    .public()
                    .body::<crate::docs::ResetRequest>()
                    .answers::<crate::docs::Notice>(
                        202,
                        "A link is on its way if the address has an account",
                    ),
            ),
        )
        .route(
            "/v1/auth/password-reset/confirm",
            api::post(
                confirm,
                doc("Set a new password with a reset link")
                    .about("Every session of the address ends, in every company.")
                    .public()
                    .body::<crate::docs::ResetConfirmation>()
                    .no_content("The password is set")
                    .errors(&[410]),
            ),
        )
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Reset {
    email: Email,
    expires_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    used_at: Option<DateTime<Utc>>,
}

fn reset_id(secret: &str) -> String {
    key_id(&["password-reset", secret])
}

async fn request(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let mut f = Fields::new(&body, &[])?;
    let email = f.required_parsed("email", Email::parse);
    let email = f.finish(|| email)?;
    let system = accounts::system(&state);
    let now = state.clock.now();
    if let Some((account, _)) = accounts::find(&system, &email).await? {
        let secret = random_secret();
        let reset = Reset {
            email: email.clone(),
            expires_at: now + Duration::minutes(RESET_MINUTES),
            used_at: None,
        };
        let link = format!(
            "{}/reset-password#token={secret}",
            crate::well_known::origin(&headers)
        );
        let expires_at = reset.expires_at;
        let writes = vec![Write::Create {
            collection: RESETS,
            id: reset_id(&secret),
            fields: entity_fields(&reset)?,
        }];
        system.commit(writes, now).await?;
        crate::log_link("password reset link", &email, &link);
        tell(&state, &account, &secret, link, expires_at).await;
    }
    Ok((
        StatusCode::ACCEPTED,
        Json(crate::docs::Notice {
            detail: "if the address has an account, a reset link is on its way; it is valid 30 minutes",
        }),
    )
        .into_response())
}

/// The reset link goes by email to the user, told in her language by her first company
/// (whose outbox shows it; an address is one account across companies).
async fn tell(
    state: &AppState,
    account: &Account,
    secret: &str,
    link: String,
    expires_at: chrono::DateTime<chrono::Utc>,
) {
    let Some(membership) = account.memberships.first() else {
        return;
    };
    let Ok(tenant) = TenantId::parse_external(&membership.tenant) else {
        return;
    };
    let event = domain::notifications::NotificationEvent {
        id: format!("password-reset:{}", reset_id(secret)),
        to: vec![domain::notifications::Audience::User {
            user_id: membership.user_id.clone(),
        }],
        message: domain::notifications::Message::PasswordReset { expires_at },
        time_zone: None,
        link: Some(link),
        attachment: None,
        site_id: None,
        not_to: None,
    };
    platform::notify::publish(
        state.publisher.as_deref(),
        &tenant,
        &event,
        state.clock.now(),
    )
    .await;
}

fn invalid_link() -> ApiError {
    ApiError::Http {
        status: StatusCode::GONE,
        detail: "the reset link is invalid, used or expired: ask for a new one".into(),
    }
}

async fn confirm(
    State(state): State<AppState>,
    address: ClientAddress,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let mut f = Fields::new(&body, &[])?;
    let token = f.required_str("token", 1..=100);
    let chosen = f.required_secret("password", domain::identity::MAX_PASSWORD_CHARS);
    let (token, chosen) = f.finish(|| Some((token?, chosen?)))?;
    let system = accounts::system(&state);
    let now = state.clock.now();
    let id = reset_id(&token);
    let doc = system.get(RESETS, &id).await?.ok_or_else(invalid_link)?;
    let mut reset: Reset =
        serde_json::from_value(Value::Object(doc.fields.clone())).map_err(ApiError::internal)?;
    if reset.used_at.is_some() || reset.expires_at <= now {
        return Err(invalid_link());
    }
    let chosen = NewPassword::parse(&chosen, Some(&reset.email))
        .map_err(|e| ApiError::field("password", e))?;
    let (mut account, version) = accounts::find(&system, &reset.email)
        .await?
        .ok_or_else(invalid_link)?;
    account.password_hash = password::hash(&chosen).await?;
    account.generation += 1;
    reset.used_at = Some(now);
    let writes = vec![
        Write::Update {
            collection: RESETS,
            id,
            expected_version: doc.meta.version,
            fields: entity_fields(&reset)?,
        },
        Write::Update {
            collection: ACCOUNTS,
            id: accounts::account_id(&reset.email),
            expected_version: version,
            fields: entity_fields(&account)?,
        },
    ];
    system.commit(writes, now).await.map_err(|e| {
        if e.is_precondition_failure() {
            invalid_link()
        } else {
            e.into()
        }
    })?;
    record_in_each_tenant(&state, &account, &address).await;
    Ok(platform::crud::no_content())
}

/// Tells each tenant's admins that a user's sessions ended with a password reset. The reset
/// lives in the platform's scope and each tenant's log in its own, so these records follow
/// the reset's commit rather than sharing it; one that fails is logged, and the reset stands.
async fn record_in_each_tenant(state: &AppState, account: &Account, address: &ClientAddress) {
    for membership in &account.memberships {
        let Ok(tenant) = TenantId::parse_external(&membership.tenant) else {
            continue;
        };
        let actor = Actor {
            id: membership.user_id.to_string(),
            address: address.0.clone(),
        };
        let after = json!({"sessions": "ended by a password reset"});
        let data = TenantData::of(state, tenant);
        let written = match audit::record(
            &actor,
            AuditAction::UserPasswordReset,
            "user",
            membership.user_id.as_str(),
            None::<&Value>,
            Some(&after),
        ) {
            Ok(write) => data
                .store()
                .commit(vec![write], data.now())
                .await
                .map_err(ApiError::from),
            Err(e) => Err(e),
        };
        if let Err(e) = written {
            tracing::warn!(error = %e, tenant = %membership.tenant, "a password reset's audit record was not written");
        }
    }
}
