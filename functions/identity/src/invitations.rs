//! `/v1/invitations`: an admin invites someone by email and role; the invitation is a
//! one-time link valid 7 days, and accepting it (`POST /v1/invitations/accept`) sets the
//! password and logs the new user in. Until notifications send email, the link is in the
//! answer and, off Cloud Run, in the log.
//!
//! An address that has an account already (a user of another company) accepts with that
//! account's password and keeps it: a link in an admin's hands cannot change anyone's
//! password.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::Duration;
use domain::identity::{
    AuditAction, INVITATION_DAYS, Invitation, InvitationRequest, NewPassword, TenantSettings, User,
};
use domain::planning::Cleaner;
use domain::store::Write;
use domain::{Entity, Fields, TenantId, UserId};
use platform::api::{self, doc};
use platform::crud::{Stored, entity_fields, key_id, new_id, still_at};
use platform::error::ApiResult;
use platform::http::{IfMatch, JsonBody, Order};
use platform::resource::{self, Resource};
use platform::routes::Routes;
use platform::{ApiError, AppState, Caller, RequestContext, Role, TenantData};
use serde_json::{Value, json};

use crate::ClientAddress;
use crate::accounts::{self, Membership};
use crate::audit::{self, Actor};
use crate::sessions::{self, Answer, Delivery, Subject};
use crate::{password, users};
use platform::secrets::random_secret;

struct Invitations;

impl Resource for Invitations {
    type Entity = Invitation;
    const PATH: &'static str = "/v1/invitations";
    /// Newest first.
    const ORDERS: &'static [Order] = &[Order::desc("id")];
    const WRITERS: &'static [Role] = &[];

    fn scope(caller: &Caller) -> ApiResult<Vec<(&'static str, Value)>> {
        caller.require(&[Role::Admin], "manage invitations")?;
        Ok(Vec::new())
    }
}

pub fn routes() -> Routes {
    Routes::new()
        .route(
            Invitations::PATH,
            api::get(
                resource::list::<Invitations>,
                resource::list_doc::<Invitations>(),
            )
            .post(
                invite,
                doc("Invite a user")
                    .about(
                        "Roles: admin. The link, valid 7 days, is in this answer (and, off \
                         Cloud Run, in the log). A cleaner is invited as her cleaner record \
                         (cleanerId), a customer user with her customerId.",
                    )
                    .body::<InvitationRequest>()
                    .answers_schema(
                        201,
                        "The invitation, and its link (once), with its ETag",
                        api::all_of([
                            api::reference::<Stored<Invitation>>(),
                            api::reference::<crate::docs::InvitationLink>(),
                        ]),
                    )
                    .registers::<Stored<Invitation>>()
                    .registers::<crate::docs::InvitationLink>()
                    .errors(&[409]),
            ),
        )
        .route(
            "/v1/invitations/accept",
            api::post(
                accept,
                doc("Accept an invitation: the user is made and logged in")
                    .public()
                    .body::<crate::docs::Acceptance>()
                    .answers::<crate::docs::Tokens<'static>>(201, "Logged in")
                    .errors(&[401, 409, 410, 429]),
            ),
        )
        .route(
            "/v1/invitations/{id}",
            api::get(
                resource::read::<Invitations>,
                resource::read_doc::<Invitations>(),
            )
            .delete(
                revoke,
                doc("Revoke an invitation: its link stops working")
                    .about("Roles: admin.")
                    .if_match()
                    .no_content("Revoked"),
            ),
        )
}

pub fn list_queries() -> Vec<domain::store::Query> {
    resource::list_queries::<Invitations>()
}

/// The id an invitation is stored under: the hash of its secret (the link holds the secret).
fn invitation_id(secret: &str) -> String {
    key_id(&["invitation", secret])
}

/// `POST /v1/invitations {email, name, role, language, customerId?, cleanerId?}` (admins):
/// 201 with the invitation, its `acceptUrl` and `token`. A cleaner is invited as the
/// cleaner record she is (`cleanerId`, which must exist and have no user yet).
async fn invite(
    cx: RequestContext,
    address: ClientAddress,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    cx.caller.require(&[Role::Admin], "invite users")?;
    let request = InvitationRequest::parse(&body)?;
    let mut guards = Vec::new();
    let user_id = match &request.cleaner_id {
        Some(cleaner) => {
            let record: Stored<Cleaner> = cx
                .repo::<Cleaner>()
                .find(cleaner.as_str())
                .await?
                .ok_or_else(|| ApiError::field("cleanerId", "names no cleaner (/v1/cleaners)"))?;
            guards.push(still_at(&record));
            if cx.repo::<User>().find(cleaner.as_str()).await?.is_some() {
                return Err(ApiError::Conflict("this cleaner has a user already".into()));
            }
            cleaner.clone()
        }
        None => UserId::parse(&new_id()).map_err(ApiError::internal)?,
    };
    // A friendly early answer; the store's commit at acceptance is what keeps it unique.
    let marker = users::email_marker_id(&request.email);
    if cx.store().get(users::USER_EMAILS, &marker).await?.is_some() {
        return Err(ApiError::Conflict(
            "a user with this email exists already".into(),
        ));
    }
    let secret = random_secret();
    let invitation = Invitation {
        email: request.email,
        name: request.name,
        role: request.role,
        language: request.language,
        customer_id: request.customer_id,
        cleaner_id: request.cleaner_id,
        user_id,
        invited_by: cx.caller.user.clone(),
        expires_at: cx.now() + Duration::days(INVITATION_DAYS),
        accepted_at: None,
    };
    let id = invitation_id(&secret);
    let actor = Actor::of(&cx.caller, &address);
    guards.push(audit::record(
        &actor,
        AuditAction::InvitationCreated,
        "invitation",
        &id,
        None::<&Invitation>,
        Some(&invitation),
    )?);
    let stored = cx
        .repo::<Invitation>()
        .create_with_id(&id, invitation, guards)
        .await?;
    let token = format!("{}.{secret}", cx.caller.tenant);
    let accept_url = format!(
        "{}/accept-invitation#token={token}",
        crate::well_known::origin(&headers)
    );
    crate::log_link("invitation link", &stored.entity.email, &accept_url);
    let company = cx
        .repo::<TenantSettings>()
        .find(TenantSettings::ID)
        .await?
        .map_or_else(|| cx.caller.tenant.to_string(), |s| s.entity.name);
    cx.notify(&domain::notifications::NotificationEvent {
        id: format!("invitation:{}", stored.meta.id),
        to: vec![domain::notifications::Audience::Address {
            email: stored.entity.email.to_string(),
            name: stored.entity.name.clone(),
            language: stored.entity.language,
        }],
        message: domain::notifications::Message::Invitation {
            company,
            role: stored.entity.role,
            expires_at: stored.entity.expires_at,
        },
        time_zone: None,
        link: Some(accept_url.clone()),
        attachment: None,
        site_id: None,
        not_to: None,
    })
    .await;
    Ok(crate::created_with_secrets(
        &stored,
        Invitations::PATH,
        &[("acceptUrl", json!(accept_url)), ("token", json!(token))],
    ))
}

/// `DELETE /v1/invitations/{id}` (admins, `If-Match`): the link stops working.
async fn revoke(
    cx: RequestContext,
    address: ClientAddress,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
) -> ApiResult<Response> {
    cx.caller.require(&[Role::Admin], "manage invitations")?;
    let current = cx.repo::<Invitation>().get(&id).await?;
    current.expect_version(version)?;
    let actor = Actor::of(&cx.caller, &address);
    audit::delete(
        &cx,
        &actor,
        AuditAction::InvitationRevoked,
        "invitation",
        &current,
        version,
    )
    .await
}

/// The one answer to a link that is not (or no longer) an invitation.
fn invalid_link() -> ApiError {
    ApiError::Http {
        status: StatusCode::GONE,
        detail: "the invitation link is invalid, used or expired: ask for a new one".into(),
    }
}

/// `POST /v1/invitations/accept {token, password, session?}`: makes the user, sets the
/// password (or checks the account's), and answers as a login does (201).
async fn accept(
    State(state): State<AppState>,
    address: ClientAddress,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let mut f = Fields::new(&body, &[])?;
    let token = f.required_str("token", 1..=300);
    let password = f.required_secret("password", domain::identity::MAX_PASSWORD_CHARS);
    let delivery = f.optional_parsed("session", sessions::parse_delivery);
    let (token, password, delivery) =
        f.finish(|| Some((token?, password?, delivery.unwrap_or(Delivery::Token))))?;
    let (tenant, secret) = token.split_once('.').ok_or_else(invalid_link)?;
    let tenant = TenantId::parse_external(tenant).map_err(|_| invalid_link())?;
    let data = TenantData::of(&state, tenant.clone());
    let now = data.now();
    let id = invitation_id(secret);
    let invitation = data
        .repo::<Invitation>()
        .find(&id)
        .await?
        .ok_or_else(invalid_link)?;
    if invitation.entity.accepted_at.is_some() || invitation.entity.expires_at <= now {
        return Err(invalid_link());
    }
    let email = invitation.entity.email.clone();
    let chosen =
        NewPassword::parse(&password, Some(&email)).map_err(|e| ApiError::field("password", e))?;
    let system = accounts::system(&state);
    let new_hash = match accounts::find(&system, &email).await? {
        Some((account, _)) => {
            if !password::verify(Some(account.password_hash), password).await? {
                return Err(ApiError::field(
                    "password",
                    "this email has a cleanops account already: enter its password",
                ));
            }
            None
        }
        None => Some(password::hash(&chosen).await?),
    };
    let settings = data
        .repo::<TenantSettings>()
        .find(TenantSettings::ID)
        .await?;
    let company = settings.map_or_else(|| tenant.to_string(), |s| s.entity.name);
    let user_id = invitation.entity.user_id.clone();
    let membership = Membership {
        tenant: tenant.to_string(),
        user_id: user_id.clone(),
        company,
    };
    // The account first (a retry of a cut-short acceptance finds it done), then the user.
    let account = accounts::join(&system, &data, &email, new_hash.as_deref(), membership).await?;
    let i = &invitation.entity;
    let user = User {
        email: email.clone(),
        name: i.name.clone(),
        phone: None,
        language: i.language,
        role: i.role,
        customer_id: i.customer_id.clone(),
        cleaner_id: i.cleaner_id.clone(),
        active: true,
        session_generation: 0,
    };
    let mut accepted = i.clone();
    accepted.accepted_at = Some(now);
    let actor = Actor {
        id: user_id.to_string(),
        address: address.0.clone(),
    };
    let mut writes = vec![Write::Update {
        collection: Invitation::COLLECTION,
        id: id.clone(),
        expected_version: invitation.meta.version,
        fields: entity_fields(&accepted)?,
    }];
    writes.extend(users::creation_writes(&actor, &user_id, &user)?);
    data.store().commit(writes, now).await.map_err(|e| {
        if matches!(e, domain::store::StoreError::VersionMismatch { .. }) {
            invalid_link()
        } else {
            users::taken(e)
        }
    })?;
    let subject = Subject {
        tenant: &tenant,
        user_id: &user_id,
        user: &user,
    };
    let how = Answer {
        delivery,
        status: StatusCode::CREATED,
    };
    sessions::open(&state, &subject, &account, &address, how).await
}
