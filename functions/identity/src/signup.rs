//! `POST /v1/signup {company, name, email, password, timeZone?, language?, country?,
//! currency?}`: a new tenant with its settings and its first admin, registered so scheduled
//! work includes it, and that admin logged in (201, as a login answers).
//!
//! `IDENTITY_PUBLIC_SIGNUP=false` switches it off (403), for a company running its own
//! deployment.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::identity::{AuditAction, Email, Language, NewPassword, Role, TenantSettings, User};
use domain::store::Write;
use domain::time::TimeZone;
use domain::{Entity, Fields, TenantId, UserId};
use platform::api::{self, doc};
use platform::crud::{entity_fields, new_id};
use platform::error::ApiResult;
use platform::http::JsonBody;
use platform::routes::Routes;
use platform::{ApiError, AppState, TenantData};

use crate::ClientAddress;
use crate::accounts::{self, Membership};
use crate::audit::{self, Actor};
use crate::lockout::Counters;
use crate::sessions::{self, Answer, Delivery, Subject};
use crate::{password, users};

pub fn routes() -> Routes {
    Routes::new().route(
        "/v1/signup",
        api::post(
            signup,
            doc("Sign up: a new company and its first admin, logged in")
                .about("Off (403) with IDENTITY_PUBLIC_SIGNUP=false. 5 an hour per client address.")
                .public()
                .body::<crate::docs::SignupRequest>()
                .answers::<crate::docs::Tokens<'static>>(201, "Logged in")
                .errors(&[403, 429]),
        ),
    )
}

fn enabled() -> Result<bool, ApiError> {
    platform::config::parsed_or("IDENTITY_PUBLIC_SIGNUP", true, "true or false")
        .map_err(ApiError::internal)
}

/// A tenant id from the company's name: its letters and digits, and a random suffix so two
/// companies of one name never meet (`blitzblank-ag-3f9c2a1b`).
fn tenant_id(company: &str) -> TenantId {
    let mut slug = String::new();
    for c in company.to_lowercase().chars() {
        match c {
            'a'..='z' | '0'..='9' => slug.push(c),
            'ä' => slug.push_str("ae"),
            'ö' => slug.push_str("oe"),
            'ü' => slug.push_str("ue"),
            'é' | 'è' | 'ê' => slug.push('e'),
            'à' | 'â' => slug.push('a'),
            _ if !slug.ends_with('-') && !slug.is_empty() => slug.push('-'),
            _ => {}
        }
        if slug.len() >= 40 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    let suffix = &uuid::Uuid::new_v4().simple().to_string()[..8];
    let id = if slug.is_empty() {
        format!("tenant-{suffix}")
    } else {
        format!("{slug}-{suffix}")
    };
    TenantId::parse_external(&id).expect("letters, digits and dashes")
}

struct Signup {
    settings: TenantSettings,
    name: String,
    email: Email,
    password: NewPassword,
    delivery: Delivery,
}

fn parse(body: &serde_json::Value) -> ApiResult<Signup> {
    let mut f = Fields::new(body, &[])?;
    let company = f.required_str("company", 1..=200);
    let name = f.required_str("name", 1..=200);
    let email = f.required_parsed("email", Email::parse);
    let password = f.required_secret("password", domain::identity::MAX_PASSWORD_CHARS);
    let password = password.and_then(|p| match NewPassword::parse(&p, email.as_ref()) {
        Ok(p) => Some(p),
        Err(e) => {
            f.error("password", e);
            None
        }
    });
    let time_zone = f.optional_parsed("timeZone", str::parse::<TimeZone>);
    let language = f.optional_parsed("language", Language::parse);
    let country = f.optional_str("country", 2..=2);
    let currency = f.optional_str("currency", 3..=3);
    let session = f.optional_parsed("session", sessions::parse_delivery);
    let (company, name, email, password, time_zone, language, country, currency, delivery) = f
        .finish(|| {
            Some((
                company?, name?, email?, password?, time_zone, language, country, currency, session,
            ))
        })?;
    // The settings' own rules check what was given; what was not has the defaults.
    let settings = TenantSettings::parse(&serde_json::json!({
        "name": company,
        "timeZone": time_zone.map_or("Europe/Zurich".to_owned(), |z| z.0.name().to_owned()),
        "language": language.unwrap_or(Language::En),
        "country": country.unwrap_or_else(|| "CH".into()),
        "currency": currency.unwrap_or_else(|| "CHF".into()),
    }))?;
    Ok(Signup {
        settings,
        name,
        email,
        password,
        delivery: delivery.unwrap_or(Delivery::Token),
    })
}

async fn signup(
    State(state): State<AppState>,
    address: ClientAddress,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    if !enabled()? {
        return Err(ApiError::Forbidden(
            "public sign-up is switched off on this deployment: ask its operator for an invitation"
                .into(),
        ));
    }
    let signup = parse(&body)?;
    let system = accounts::system(&state);
    let now = state.clock.now();
    // Each new tenant costs a hash and a registry entry: one address makes a few an hour.
    let sign_ups = Counters::sign_ups(address.0.as_deref());
    sign_ups.check(&system, now).await?;
    // An address with an account joins with that account's password; a new one gets one.
    let existing = accounts::find(&system, &signup.email).await?;
    let new_hash = match &existing {
        Some((account, _)) => {
            let matches = password::verify(
                Some(account.password_hash.clone()),
                signup.password.expose().to_owned(),
            )
            .await?;
            if !matches {
                return Err(ApiError::field(
                    "password",
                    "this email has a cleanops account already: sign up with its password, or log in",
                ));
            }
            None
        }
        None => Some(password::hash(&signup.password).await?),
    };
    let tenant = tenant_id(&signup.settings.name);
    let user_id = UserId::parse(&new_id()).map_err(ApiError::internal)?;
    let user = User {
        email: signup.email.clone(),
        name: signup.name.clone(),
        phone: None,
        language: signup.settings.language,
        role: Role::Admin,
        customer_id: None,
        cleaner_id: None,
        active: true,
        session_generation: 0,
    };
    // The account first: until the tenant's commit lands, its membership leads to no user,
    // and a login skips it.
    let membership = Membership {
        tenant: tenant.to_string(),
        user_id: user_id.clone(),
        company: signup.settings.name.clone(),
    };
    let data = TenantData::of(&state, tenant.clone());
    let account = accounts::join(
        &system,
        &data,
        &signup.email,
        new_hash.as_deref(),
        membership,
    )
    .await?;
    let actor = Actor {
        id: user_id.to_string(),
        address: address.0.clone(),
    };
    let mut writes = vec![
        Write::Create {
            collection: TenantSettings::COLLECTION,
            id: TenantSettings::ID.to_owned(),
            fields: entity_fields(&signup.settings)?,
        },
        audit::record(
            &actor,
            AuditAction::TenantCreated,
            "settings",
            TenantSettings::ID,
            None::<&TenantSettings>,
            Some(&signup.settings),
        )?,
    ];
    writes.extend(users::creation_writes(&actor, &user_id, &user)?);
    data.store()
        .commit(writes, now)
        .await
        .map_err(users::taken)?;
    platform::tenants::register(&state.store, &tenant, now).await?;
    sign_ups.count(&system, now).await?;
    tracing::info!(tenant = %tenant, "a tenant signed up");
    let subject = Subject {
        tenant: &tenant,
        user_id: &user_id,
        user: &user,
    };
    let how = Answer {
        delivery: signup.delivery,
        status: StatusCode::CREATED,
    };
    sessions::open(&state, &subject, &account, &address, how).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tenant_id_is_the_company_slug_and_a_suffix() {
        let id = tenant_id("Blitzblank Reinigung AG");
        assert!(id.as_str().starts_with("blitzblank-reinigung-ag-"), "{id}");
        assert_eq!(id.as_str().len(), "blitzblank-reinigung-ag-".len() + 8);
        assert!(
            tenant_id("Müller & Söhne")
                .as_str()
                .starts_with("mueller-soehne-")
        );
        assert!(tenant_id("!!!").as_str().starts_with("tenant-"));
        assert_ne!(tenant_id("A"), tenant_id("A"));
    }
}
