//! The `identity` function: who may log in to which tenant, as what.
//!
//! Routes:
//! - `POST /v1/signup`: a new tenant (registered for scheduled work), its settings and its
//!   first admin, logged in. Switched off with `IDENTITY_PUBLIC_SIGNUP=false`.
//! - `POST /v1/auth/login`, `POST /v1/auth/refresh`, `POST /v1/auth/logout`: sessions, with a
//!   15-minute access token (EdDSA JWT) and an opaque refresh token rotated on every use.
//! - `POST /v1/auth/password-reset` and `.../confirm`: a one-time link valid 30 minutes.
//! - `/v1/users` (admins; `GET /v1/users/me` for everyone), `POST /v1/users/{id}/logout`.
//! - `/v1/invitations` (admins) and `POST /v1/invitations/accept` (the invitee's link).
//! - `/v1/tenant-settings`: the company's name, zone, language, country and currency.
//! - `/v1/api-keys` (admins): device keys, shown once, limited to their scopes' routes.
//! - `GET /v1/audit` (admins): every change to users, invitations, sessions, API keys and
//!   settings.
//! - `GET /.well-known/jwks.json` and `GET /.well-known/openid-configuration`.
//!
//! # Layout
//!
//! - [`accounts`]: one password per email address across tenants, and the tenants it is a
//!   user of (in the platform's own scope, so a login finds them).
//! - [`password`]: argon2id hashing with OWASP's parameters, off the async workers.
//! - [`lockout`]: failed logins counted per account and per client address, in the store.
//! - [`sessions`]: login, refresh (rotation, reuse revoking the family), logout, the cookie.
//! - [`reset`]: password reset links and the platform's outbox they wait in.
//! - [`signup`], [`users`], [`invitations`], [`settings`]: the routes of those names.
//! - [`api_keys`]: making and revoking device API keys (verified in `platform::api_keys`).
//! - [`audit`]: audit records, written in the commit of the change they describe.
//! - [`well_known`]: the issuer's published keys and metadata.

pub mod accounts;
pub mod api_keys;
pub mod audit;
pub mod docs;
pub mod invitations;
pub mod lockout;
pub mod password;
pub mod reset;
pub mod sessions;
pub mod settings;
pub mod signup;
pub mod users;
pub mod well_known;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use platform::routes::Routes;

/// The function's routes; the runtime adds `/healthz`, CORS and tracing.
pub fn router() -> Routes {
    Routes::new()
        .merge(signup::routes())
        .merge(sessions::routes())
        .merge(reset::routes())
        .merge(users::routes())
        .merge(invitations::routes())
        .merge(settings::routes())
        .merge(api_keys::routes())
        .merge(audit::routes())
        .merge(well_known::routes())
}

/// Where a request came from, for lockouts and the audit log: the address in
/// `X-Forwarded-For` that the nearest trusted proxy wrote. Cloud Run's front end appends the
/// client's address last; behind the load balancer, which appends its own after it, it is the
/// second to last (`TRUSTED_PROXY_HOPS=2`, which terraform sets with a domain). Entries before
/// it are the client's own claims. None when the request came straight to the process (the
/// local cloud).
#[derive(Debug, Clone, Default)]
pub struct ClientAddress(pub Option<String>);

/// How many proxies append to `X-Forwarded-For` (default 1: Cloud Run's front end).
fn trusted_hops() -> usize {
    static HOPS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *HOPS.get_or_init(|| {
        platform::config::parsed_or("TRUSTED_PROXY_HOPS", 1usize, "a number of proxies")
            .unwrap_or(1)
            .max(1)
    })
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let entries: Vec<&str> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .collect();
        let address = entries
            .len()
            .checked_sub(trusted_hops())
            .map(|i| entries[i])
            .filter(|a| a.len() <= 64 && a.parse::<std::net::IpAddr>().is_ok())
            .map(str::to_owned);
        Ok(Self(address))
    }
}

/// Logs a one-time link off Cloud Run (the local cloud), where the log is where it is read
/// until email is sent; on Cloud Run (`K_SERVICE` set) a secret link never goes to the logs.
fn log_link(what: &'static str, email: &domain::identity::Email, url: &str) {
    if platform::config::optional("K_SERVICE").is_none() {
        tracing::info!(email = %email, url = %url, "{what}");
    }
}

/// 201 for `stored`, made at `path/{id}`, with what is shown this once and never again (an
/// API key, an invitation's link): the rest is the entity as every read answers it.
fn created_with_secrets<E: domain::Entity>(
    stored: &platform::crud::Stored<E>,
    path: &str,
    once: &[(&str, serde_json::Value)],
) -> axum::response::Response {
    let mut body = stored.to_json();
    for (name, value) in once {
        body.insert((*name).to_owned(), value.clone());
    }
    let location = format!("{path}/{}", stored.meta.id);
    platform::crud::entity_response(
        axum::http::StatusCode::CREATED,
        &stored.meta,
        &body,
        Some(location),
    )
}

/// The indexes every listing of this function needs (checked against the declared ones).
pub fn list_queries() -> Vec<domain::store::Query> {
    [
        users::list_queries(),
        invitations::list_queries(),
        api_keys::list_queries(),
        audit::list_queries(),
    ]
    .concat()
}

#[cfg(test)]
mod tests {
    #[test]
    fn declared_firestore_indexes_serve_every_listing() {
        store::indexes::assert_served(super::list_queries());
    }
}
