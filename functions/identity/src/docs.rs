//! What identity's routes take and answer, for the API document. The handlers read their
//! bodies field by field (`Fields` names every bad one); these types describe those bodies,
//! and the answers that are not stored entities.

use domain::identity::{Language, Role};
use serde::Serialize;

/// `POST /v1/signup`.
#[derive(utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct SignupRequest {
    /// The company's name; the tenant id is made from it.
    company: String,
    /// The first admin's name.
    name: String,
    email: String,
    /// At least 10 characters, not the email.
    password: String,
    /// Default Europe/Berlin.
    time_zone: Option<String>,
    /// Default de.
    language: Option<Language>,
    /// ISO 3166-1 alpha-2; default DE.
    country: Option<String>,
    /// EUR (default) or CHF.
    currency: Option<String>,
    session: Option<SessionDelivery>,
}

/// Where the refresh token goes: in the answer (`token`, the default, for scripts and apps)
/// or only in an HttpOnly cookie (`cookie`, for the cockpit).
#[derive(utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum SessionDelivery {
    Token,
    Cookie,
}

/// `POST /v1/auth/login`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct LoginRequest {
    email: String,
    password: String,
    /// Which company, when the address is a user of several (the first answer lists them).
    tenant: Option<String>,
    session: Option<SessionDelivery>,
}

/// `POST /v1/auth/refresh` and `/v1/auth/logout`: the refresh token, else the cookie's.
#[derive(utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct RefreshRequest {
    refresh_token: Option<String>,
}

/// `POST /v1/auth/password-reset`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ResetRequest {
    email: String,
}

/// `POST /v1/auth/password-reset/confirm`: the link's token and the new password.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ResetConfirmation {
    token: String,
    password: String,
}

/// `POST /v1/invitations/accept`: the link's token; a new password, or the account's own if
/// the address has one.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct Acceptance {
    token: String,
    password: String,
    session: Option<SessionDelivery>,
}

/// `POST /v1/api-keys`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ApiKeyRequest {
    name: String,
    /// What the key opens (at least one).
    scopes: Vec<domain::identity::ApiScope>,
}

/// `PATCH /v1/users/{id}`: a merge patch; the email stays.
#[derive(utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct UserPatch {
    name: Option<String>,
    /// E.164, such as +4915112345678; null removes it.
    phone: Option<String>,
    language: Option<Language>,
    role: Option<Role>,
    /// A customer user's customer.
    customer_id: Option<String>,
    /// A cleaner user's own id.
    cleaner_id: Option<String>,
    /// false ends her sessions.
    active: Option<bool>,
}

/// Who is logged in.
#[derive(Serialize, utoipa::ToSchema)]
pub struct UserSummary {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub language: Language,
}

/// A logged-in answer.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Tokens<'a> {
    /// The access token (EdDSA JWT) to send as `Authorization: Bearer`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds the access token lives (900).
    pub expires_in: i64,
    /// With session `token`: the refresh token (with `cookie` it is in the cookie only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub tenant: &'a str,
    pub user: UserSummary,
}

/// A login of an address that is a user of several companies: log in again naming one.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TenantChoices {
    pub tenants: Vec<TenantChoice>,
    pub detail: &'static str,
}

/// One company an address may log in to, and as what.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TenantChoice {
    pub tenant: String,
    pub company: String,
    pub role: Role,
}

/// An answer that only says what happens next.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Notice {
    pub detail: &'static str,
}

/// What a new invitation answers once, besides the invitation.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct InvitationLink {
    /// The link to send the invitee: the cockpit's acceptance page with the token.
    accept_url: String,
    token: String,
}

/// What a new API key answers once, besides the key's record.
#[derive(Serialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct NewApiKey {
    /// `co_<prefix>_<secret>`: shown here and never again.
    key: String,
}
