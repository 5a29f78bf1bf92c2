//! Sessions, after the OAuth 2.0 Security BCP (RFC 9700, section 4.14): a login opens a
//! session (a refresh token "family"); its refresh token is opaque, stored only as a hash, and
//! replaced on every use. A refresh token presented after it was replaced means two parties
//! hold it, so the whole family ends. Access tokens are short JWTs the other functions verify
//! on their own, so ending a session stops its access within one token lifetime.
//!
//! A session also ends when its user is deactivated or logged out everywhere (her record's
//! `sessionGeneration` rises), or when her password is reset (her account's `generation`).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use domain::identity::{AuditAction, Email, User};
use domain::store::Write;
use domain::{TenantId, UserId};
use platform::crud::{entity_fields, new_id};
use platform::error::ApiResult;
use platform::http::JsonBody;
use platform::issuer::ACCESS_TOKEN_LIFETIME;
use platform::routes::Routes;
use platform::{ApiError, AppState, TenantData};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::ClientAddress;
use crate::accounts::{self, Account};
use crate::audit::{self, Actor};
use crate::docs::{LoginRequest, RefreshRequest, TenantChoice, TenantChoices, Tokens, UserSummary};
use crate::lockout::Counters;
use crate::password;
use platform::api::{self, doc};
use platform::secrets::{digest, random_secret, same_digest};

pub const SESSIONS: &str = "sessions";
/// A session ends 30 days after the login that opened it, however often it is refreshed.
pub const SESSION_DAYS: i64 = 30;
/// The cookie the cockpit keeps its refresh token in.
pub const REFRESH_COOKIE: &str = "cleanops_refresh";
/// The only paths the browser sends the cookie to.
pub const COOKIE_PATH: &str = "/v1/auth";

pub fn routes() -> Routes {
    let logged_in = |summary: &str| doc(summary).public().errors(&[401, 429]);
    Routes::new()
        .route(
            "/v1/auth/login",
            api::post(
                login,
                logged_in("Log in")
                    .about(
                        "A 15-minute access token and a refresh token (in the answer, or with \
                         session cookie only in an HttpOnly cookie). An address that is a user \
                         of several companies gets the list to choose from. After 5 failures \
                         (20 per client address) every login waits: 429 with Retry-After.",
                    )
                    .body::<LoginRequest>()
                    .answers_either::<Tokens<'static>, TenantChoices>(
                        200,
                        "Logged in; or, for an address of several companies, the choice",
                    ),
            ),
        )
        .route(
            "/v1/auth/refresh",
            api::post(
                refresh,
                logged_in("Renew the access token; the refresh token is replaced")
                    .about("A replaced refresh token presented again ends the whole session.")
                    .body::<RefreshRequest>()
                    .ok::<Tokens<'static>>(),
            ),
        )
        .route(
            "/v1/auth/logout",
            api::post(
                logout,
                doc("Log out: the session ends")
                    .public()
                    .body::<RefreshRequest>()
                    .no_content("Logged out (however often)"),
            ),
        )
}

/// One session: a refresh token family of one user.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub user_id: UserId,
    /// The hash of the one refresh token that is valid now.
    pub secret_hash: String,
    /// The account's and the user's generations at login; either rising ends the session.
    pub account_generation: u64,
    pub user_generation: u64,
    pub expires_at: DateTime<Utc>,
    #[serde(default)]
    pub rotations: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_address: Option<String>,
}

/// Where the client wants its refresh token: in the body (`token`, for scripts and apps) or
/// only in an `HttpOnly` cookie (`cookie`, for the cockpit: script on the page never sees it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Token,
    Cookie,
}

pub fn parse_delivery(raw: &str) -> Result<Delivery, String> {
    match raw {
        "token" => Ok(Delivery::Token),
        "cookie" => Ok(Delivery::Cookie),
        _ => Err("must be one of: token, cookie".into()),
    }
}

/// The refresh token a client holds: `{tenant}.{session}.{secret}`. The tenant and session
/// say where to look; only the secret's hash is stored.
struct RefreshToken {
    tenant: TenantId,
    session: String,
    secret: String,
}

impl RefreshToken {
    fn parse(raw: &str) -> Option<Self> {
        let mut parts = raw.trim().splitn(3, '.');
        let tenant = TenantId::parse_external(parts.next()?).ok()?;
        let session = domain::id::parse_id(parts.next()?).ok()?.to_owned();
        let secret = parts.next().filter(|s| s.len() == 43)?.to_owned();
        Some(Self {
            tenant,
            session,
            secret,
        })
    }

    fn encode(&self) -> String {
        format!("{}.{}.{}", self.tenant, self.session, self.secret)
    }
}

/// The one answer to every refresh that cannot go on: which it was is not the client's
/// business (and would help whoever stole the token).
fn invalid_refresh() -> ApiError {
    ApiError::Unauthenticated(
        "the refresh token is invalid, expired or revoked: log in again".into(),
    )
}

/// The one answer to an unknown email, a wrong password and a deactivated user alike.
fn wrong_credentials() -> ApiError {
    ApiError::Unauthenticated("the email or the password is wrong".into())
}

fn user_summary(id: &UserId, user: &User) -> UserSummary {
    UserSummary {
        id: id.to_string(),
        email: user.email.to_string(),
        name: user.name.clone(),
        role: user.role,
        language: user.language,
    }
}

/// Who a session is for: a user of a tenant.
pub struct Subject<'a> {
    pub tenant: &'a TenantId,
    pub user_id: &'a UserId,
    pub user: &'a User,
}

/// How tokens are answered: where the refresh token goes, and with what status.
#[derive(Debug, Clone, Copy)]
pub struct Answer {
    pub delivery: Delivery,
    pub status: StatusCode,
}

/// Opens a session for `subject` and answers its tokens.
pub async fn open(
    state: &AppState,
    subject: &Subject<'_>,
    account: &Account,
    address: &ClientAddress,
    how: Answer,
) -> ApiResult<Response> {
    let data = TenantData::of(state, subject.tenant.clone());
    let now = data.now();
    let secret = random_secret();
    let session = Session {
        user_id: subject.user_id.clone(),
        secret_hash: digest(&secret),
        account_generation: account.generation,
        user_generation: subject.user.session_generation,
        expires_at: now + Duration::days(SESSION_DAYS),
        rotations: 0,
        revoked_reason: None,
        client_address: address.0.clone(),
    };
    let id = new_id();
    let write = Write::Create {
        collection: SESSIONS,
        id: id.clone(),
        fields: entity_fields(&session)?,
    };
    data.store().commit(vec![write], now).await?;
    let token = RefreshToken {
        tenant: subject.tenant.clone(),
        session: id,
        secret,
    };
    tokens(state, subject, &token, session.expires_at - now, how)
}

/// The answer of a login or a refresh: a new access token, and `refresh` in the body or the
/// cookie (which lives `remaining`, the session's time left).
fn tokens(
    state: &AppState,
    subject: &Subject<'_>,
    refresh: &RefreshToken,
    remaining: Duration,
    how: Answer,
) -> ApiResult<Response> {
    let access_token = state.issuer()?.token_with_customer(
        subject.tenant.as_str(),
        subject.user_id.as_str(),
        subject.user.role,
        subject.user.customer_claim(),
        ACCESS_TOKEN_LIFETIME,
    );
    let body = Tokens {
        access_token,
        token_type: "Bearer",
        expires_in: ACCESS_TOKEN_LIFETIME.num_seconds(),
        refresh_token: (how.delivery == Delivery::Token).then(|| refresh.encode()),
        tenant: subject.tenant.as_str(),
        user: user_summary(subject.user_id, subject.user),
    };
    let mut response = (how.status, Json(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if how.delivery == Delivery::Cookie {
        set_cookie(headers, &refresh.encode(), remaining.num_seconds().max(0))?;
    }
    Ok(response)
}

/// `HttpOnly` (no script reads it), `Secure` (HTTPS only; browsers accept it from
/// `localhost` too), `SameSite=Strict` (never sent from another site's page), and only to
/// `/v1/auth`.
fn set_cookie(headers: &mut HeaderMap, value: &str, max_age: i64) -> ApiResult<()> {
    let cookie = format!(
        "{REFRESH_COOKIE}={value}; HttpOnly; Secure; SameSite=Strict; Path={COOKIE_PATH}; Max-Age={max_age}"
    );
    headers.append(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(ApiError::internal)?,
    );
    Ok(())
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == REFRESH_COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// `POST /v1/auth/login {email, password, tenant?, session?}`: 200 with tokens; or, when the
/// address is a user of several tenants and none was named, 200 with `tenants` to choose
/// from (after the password was checked: the list is no one else's to see).
async fn login(
    State(state): State<AppState>,
    address: ClientAddress,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let mut f = domain::Fields::new(&body, &[])?;
    let email = f.required_parsed("email", Email::parse);
    let password = f.required_secret("password", domain::identity::MAX_PASSWORD_CHARS);
    let tenant = f.optional_parsed("tenant", TenantId::parse_external);
    let delivery = f.optional_parsed("session", parse_delivery);
    let (email, password, tenant, delivery) = f.finish(|| {
        Some((
            email?,
            password?,
            tenant,
            delivery.unwrap_or(Delivery::Token),
        ))
    })?;
    let system = accounts::system(&state);
    let now = state.clock.now();
    let counters = Counters::new(&email, address.0.as_deref());
    let counted = counters.check(&system, now).await?;
    let account = accounts::find(&system, &email).await?;
    let stored = account.as_ref().map(|(a, _)| a.password_hash.clone());
    // An unknown email is checked against a decoy hash: the same work, the same answer.
    let verified = password::verify(stored, password).await?;
    let Some((account, _)) = account.filter(|_| verified) else {
        counters.count(&system, now).await?;
        return Err(wrong_credentials());
    };
    if counted {
        counters.succeeded(&system, now).await?;
    }
    let mut choices = Vec::new();
    for membership in &account.memberships {
        if tenant
            .as_ref()
            .is_some_and(|t| t.as_str() != membership.tenant)
        {
            continue;
        }
        let Ok(member_tenant) = TenantId::parse_external(&membership.tenant) else {
            continue;
        };
        let data = TenantData::of(&state, member_tenant.clone());
        // A membership whose user was never created (a sign-up cut short) or is inactive
        // does not log in.
        if let Some(user) = data
            .repo::<User>()
            .find(membership.user_id.as_str())
            .await?
            && user.entity.active
        {
            choices.push((member_tenant, membership, user.entity));
        }
    }
    match choices.len() {
        0 => Err(wrong_credentials()),
        1 => {
            let (tenant, membership, user) = choices.remove(0);
            let subject = Subject {
                tenant: &tenant,
                user_id: &membership.user_id,
                user: &user,
            };
            let how = Answer {
                delivery,
                status: StatusCode::OK,
            };
            open(&state, &subject, &account, &address, how).await
        }
        _ => {
            let tenants = choices
                .iter()
                .map(|(t, m, u)| TenantChoice {
                    tenant: t.to_string(),
                    company: m.company.clone(),
                    role: u.role,
                })
                .collect();
            Ok(Json(TenantChoices {
                tenants,
                detail: "this email is a user of several companies: log in again naming one as `tenant`",
            })
            .into_response())
        }
    }
}

/// The refresh token of a request: `refreshToken` in the JSON body, else the cookie. The
/// body must be JSON either way, so a cross-site form (which cannot send JSON without a CORS
/// preflight, which other origins fail) never reaches here with the cookie.
fn presented_token(
    headers: &HeaderMap,
    body: &Value,
) -> ApiResult<(Option<RefreshToken>, Delivery)> {
    let mut f = domain::Fields::new(body, &[])?;
    let raw = f.optional_str("refreshToken", 1..=300);
    f.finish(|| Some(()))?;
    Ok(match raw {
        Some(raw) => (RefreshToken::parse(&raw), Delivery::Token),
        None => (
            cookie_token(headers).and_then(|c| RefreshToken::parse(&c)),
            Delivery::Cookie,
        ),
    })
}

/// A stored session and its version.
async fn session_of(data: &TenantData, token: &RefreshToken) -> ApiResult<Option<(Session, u64)>> {
    let Some(doc) = data.store().get(SESSIONS, &token.session).await? else {
        return Ok(None);
    };
    let session = serde_json::from_value(Value::Object(doc.fields)).map_err(ApiError::internal)?;
    Ok(Some((session, doc.meta.version)))
}

/// Ends a session, with the audit record when it is ended for cause.
async fn revoke(
    data: &TenantData,
    id: &str,
    version: u64,
    mut session: Session,
    reason: &str,
    address: &ClientAddress,
) -> ApiResult<()> {
    session.revoked_reason = Some(reason.to_owned());
    let mut writes = vec![Write::Update {
        collection: SESSIONS,
        id: id.to_owned(),
        expected_version: version,
        fields: entity_fields(&session)?,
    }];
    if reason == "reuse" {
        let actor = Actor {
            id: "system".into(),
            address: address.0.clone(),
        };
        let shown = json!({"userId": session.user_id, "revokedReason": reason});
        writes.push(audit::record(
            &actor,
            AuditAction::SessionRevokedOnReuse,
            "session",
            id,
            None::<&Value>,
            Some(&shown),
        )?);
    }
    match data.store().commit(writes, data.now()).await {
        // Someone else changed it meanwhile (revoked it, or rotated it): look again.
        Err(e) if e.is_precondition_failure() => Ok(()),
        other => other.map(|_| ()).map_err(ApiError::from),
    }
}

/// `POST /v1/auth/refresh {refreshToken?}`: new tokens for a live session, the old refresh
/// token replaced. A replaced token presented again ends the session.
async fn refresh(
    State(state): State<AppState>,
    address: ClientAddress,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let (token, delivery) = presented_token(&headers, &body)?;
    let token = token.ok_or_else(invalid_refresh)?;
    let data = TenantData::of(&state, token.tenant.clone());
    let now = data.now();
    let (mut session, version) = session_of(&data, &token)
        .await?
        .ok_or_else(invalid_refresh)?;
    if session.revoked_reason.is_some() || session.expires_at <= now {
        return Err(invalid_refresh());
    }
    if !same_digest(&digest(&token.secret), &session.secret_hash) {
        revoke(&data, &token.session, version, session, "reuse", &address).await?;
        return Err(invalid_refresh());
    }
    let user = data.repo::<User>().find(session.user_id.as_str()).await?;
    let Some(user) =
        user.filter(|u| u.entity.active && u.entity.session_generation == session.user_generation)
    else {
        return Err(invalid_refresh());
    };
    let system = accounts::system(&state);
    let account = accounts::find(&system, &user.entity.email).await?;
    if account.is_none_or(|(a, _)| a.generation != session.account_generation) {
        return Err(invalid_refresh());
    }
    let secret = random_secret();
    session.secret_hash = digest(&secret);
    session.rotations = session.rotations.saturating_add(1);
    let write = Write::Update {
        collection: SESSIONS,
        id: token.session.clone(),
        expected_version: version,
        fields: entity_fields(&session)?,
    };
    match data.store().commit(vec![write], now).await {
        Ok(_) => {}
        // Another refresh with this same token won the race: the token was used twice.
        Err(e) if e.is_precondition_failure() => {
            if let Some((current, version)) = session_of(&data, &token).await? {
                revoke(&data, &token.session, version, current, "reuse", &address).await?;
            }
            return Err(invalid_refresh());
        }
        Err(e) => return Err(e.into()),
    }
    let next = RefreshToken { secret, ..token };
    let subject = Subject {
        tenant: &next.tenant,
        user_id: &session.user_id,
        user: &user.entity,
    };
    let how = Answer {
        delivery,
        status: StatusCode::OK,
    };
    tokens(&state, &subject, &next, session.expires_at - now, how)
}

/// `POST /v1/auth/logout {refreshToken?}`: ends the session of the presented refresh token
/// and clears the cookie. 204 whatever was presented: logging out twice is no error.
async fn logout(
    State(state): State<AppState>,
    address: ClientAddress,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let (token, _) = presented_token(&headers, &body)?;
    if let Some(token) = token {
        let data = TenantData::of(&state, token.tenant.clone());
        if let Some((session, version)) = session_of(&data, &token).await?
            && session.revoked_reason.is_none()
            && same_digest(&digest(&token.secret), &session.secret_hash)
        {
            revoke(&data, &token.session, version, session, "logout", &address).await?;
        }
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    set_cookie(response.headers_mut(), "", 0)?;
    Ok(response)
}
