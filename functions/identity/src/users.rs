//! `/v1/users`: a tenant's users, for its admins. Users are made by sign-up (the first admin)
//! and by accepted invitations; admins change their name, phone, language, role and whether
//! they are active. `GET /v1/users/me` is everyone's own record.
//!
//! No admin changes her own role or deactivates herself, so the last admin always stays.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use domain::identity::{AuditAction, Email, User};
use domain::store::{StoreError, Write};
use domain::{Entity, UserId};
use platform::api::{self, doc};
use platform::crud::{Stored, entity_fields, entity_response, key_id};
use platform::error::ApiResult;
use platform::http::{FilterParam, IfMatch, JsonBody, Order};
use platform::resource::{self, Resource};
use platform::routes::Routes;
use platform::{ApiError, Caller, RequestContext, Role};
use serde_json::{Value, json};

use crate::ClientAddress;
use crate::audit::{self, Actor};

/// One document per address a tenant's users have: two users of one address meet in the
/// store's commit.
pub const USER_EMAILS: &str = "userEmails";

pub fn email_marker_id(email: &Email) -> String {
    key_id(&["user-email", email.as_str()])
}

/// The writes that make `user` under `id`: the user, her address's marker, the audit record.
pub fn creation_writes(actor: &Actor, id: &UserId, user: &User) -> ApiResult<Vec<Write>> {
    Ok(vec![
        Write::Create {
            collection: User::COLLECTION,
            id: id.to_string(),
            fields: entity_fields(user)?,
        },
        Write::Create {
            collection: USER_EMAILS,
            id: email_marker_id(&user.email),
            fields: entity_fields(&json!({"userId": id}))?,
        },
        audit::record(
            actor,
            AuditAction::UserCreated,
            "user",
            id.as_str(),
            None::<&User>,
            Some(user),
        )?,
    ])
}

/// A 409 for a commit that met an existing user or address; other failures as they are.
pub fn taken(e: StoreError) -> ApiError {
    match e {
        StoreError::AlreadyExists { collection, .. } if collection == USER_EMAILS => {
            ApiError::Conflict("a user with this email exists already".into())
        }
        StoreError::AlreadyExists { collection, .. } if collection == User::COLLECTION => {
            ApiError::Conflict("this cleaner has a user already".into())
        }
        other => other.into(),
    }
}

struct Users;

impl Resource for Users {
    type Entity = User;
    const PATH: &'static str = "/v1/users";
    const FILTERS: &'static [FilterParam] = &[FilterParam::text("role")];
    /// By name (the screen's order), or in the order they joined.
    const ORDERS: &'static [Order] = &[Order::asc("name"), Order::asc("id")];
    const WRITERS: &'static [Role] = &[];

    fn scope(caller: &Caller) -> ApiResult<Vec<(&'static str, Value)>> {
        caller.require(&[Role::Admin], "manage users")?;
        Ok(Vec::new())
    }
}

pub fn routes() -> Routes {
    Routes::new()
        .route(
            Users::PATH,
            api::get(resource::list::<Users>, resource::list_doc::<Users>()),
        )
        .route(
            "/v1/users/me",
            api::get(
                me,
                doc("The caller's own user record")
                    .answers::<Stored<User>>(200, "The user, with its ETag")
                    .errors(&[404]),
            ),
        )
        .route(
            "/v1/users/{id}",
            api::get(resource::read::<Users>, resource::read_doc::<Users>()).patch(
                update,
                doc("Change a user")
                    .about(
                        "Roles: admin. A merge patch; the email stays. Deactivating her or \
                         changing her role ends her sessions at their next refresh. Nobody \
                         changes her own role or deactivates herself.",
                    )
                    .body::<crate::docs::UserPatch>()
                    .if_match()
                    .answers::<Stored<User>>(200, "The user, with its ETag")
                    .errors(&[409]),
            ),
        )
        .route(
            "/v1/users/{id}/logout",
            api::post(
                logout_everywhere,
                doc("Log a user out everywhere")
                    .about("Roles: admin, or the user herself.")
                    .no_content("Every session of hers ends"),
            ),
        )
}

pub fn list_queries() -> Vec<domain::store::Query> {
    resource::list_queries::<Users>()
}

/// `GET /v1/users/me`: the caller's own record (a token of a user identity does not know, a
/// developer token, is a 404).
async fn me(cx: RequestContext) -> ApiResult<Response> {
    let stored = cx.repo::<User>().get(cx.caller.user.as_str()).await?;
    Ok(entity_response(StatusCode::OK, &stored.meta, &stored, None))
}

/// `PATCH /v1/users/{id}` (admins, `If-Match`): a merge patch of name, phone, language, role,
/// customerId, cleanerId and active. The email stays (invite the new address instead). A
/// deactivation or a role change ends the user's sessions at their next refresh.
async fn update(
    cx: RequestContext,
    address: ClientAddress,
    Path(id): Path<String>,
    IfMatch(version): IfMatch,
    JsonBody(patch): JsonBody,
) -> ApiResult<Response> {
    cx.caller.require(&[Role::Admin], "manage users")?;
    if !patch.is_object() {
        return Err(ApiError::field("", "a merge patch must be a JSON object"));
    }
    let current = cx.repo::<User>().get(&id).await?;
    current.expect_version(version)?;
    let mut merged = Value::Object(entity_fields(&current.entity)?);
    platform::resource::merge_patch(&mut merged, &patch);
    let mut user = User::parse(&merged)?;
    let before = &current.entity;
    if user.email != before.email {
        return Err(ApiError::field(
            "email",
            "cannot change: invite the new address instead",
        ));
    }
    if user.cleaner_id.as_ref().is_some_and(|c| c.as_str() != id) {
        return Err(ApiError::field(
            "cleanerId",
            "must be the user's own id: a cleaner user is the cleaner record under her id",
        ));
    }
    // A user who becomes a cleaner needs her cleaner record first, or her sheet would be
    // nobody's; the guard keeps it there while the change is written.
    let mut guards = Vec::new();
    if user.role == Role::Cleaner && before.role != Role::Cleaner {
        let record = cx
            .repo::<domain::planning::Cleaner>()
            .find(&id)
            .await?
            .ok_or_else(|| {
                ApiError::field(
                    "cleanerId",
                    "names no cleaner: create her cleaner record (/v1/cleaners) under this user's id first",
                )
            })?;
        guards.push(platform::crud::still_at(&record));
    }
    let own = cx.caller.user.as_str() == id;
    if own && user.role != before.role {
        return Err(ApiError::field(
            "role",
            "an admin cannot change her own role: ask another admin",
        ));
    }
    if own && !user.active {
        return Err(ApiError::field(
            "active",
            "an admin cannot deactivate herself: ask another admin",
        ));
    }
    user.session_generation = before.session_generation;
    let ends_sessions = user.role != before.role || (before.active && !user.active);
    if ends_sessions {
        user.session_generation += 1;
    }
    let action = if before.active && !user.active {
        AuditAction::UserDeactivated
    } else {
        AuditAction::UserUpdated
    };
    let actor = Actor::of(&cx.caller, &address);
    guards.push(audit::record(
        &actor,
        action,
        "user",
        &id,
        Some(before),
        Some(&user),
    )?);
    let stored = cx
        .repo::<User>()
        .replace(&id, version, user, guards)
        .await?;
    Ok(entity_response(StatusCode::OK, &stored.meta, &stored, None))
}

/// `POST /v1/users/{id}/logout` (admins, or the user herself): ends every session of the
/// user at their next refresh; her access tokens run out within 15 minutes.
async fn logout_everywhere(
    cx: RequestContext,
    address: ClientAddress,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    if cx.caller.user.as_str() != id {
        cx.caller.require(&[Role::Admin], "log out other users")?;
    }
    let current: Stored<User> = cx.repo::<User>().get(&id).await?;
    let mut user = current.entity.clone();
    user.session_generation += 1;
    let actor = Actor::of(&cx.caller, &address);
    let record = audit::record(
        &actor,
        AuditAction::UserLoggedOutEverywhere,
        "user",
        &id,
        Some(&current.entity),
        Some(&user),
    )?;
    cx.repo::<User>()
        .replace(&id, current.meta.version, user, vec![record])
        .await?;
    Ok(platform::crud::no_content())
}
