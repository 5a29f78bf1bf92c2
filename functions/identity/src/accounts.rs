//! Accounts: one per email address, in the platform's own scope (a login does not know its
//! tenant yet). An account holds the password hash and the tenants the address is a user of;
//! each tenant keeps its own user record (role, name, whether she is active).

use domain::identity::Email;
use domain::store::{Document, TenantStore, Write};
use domain::{TenantId, UserId};
use platform::crud::{entity_fields, key_id};
use platform::{ApiError, AppState};
use serde::{Deserialize, Serialize};

pub const ACCOUNTS: &str = "accounts";

/// The most tenants one email address may be a user of: a login reads each of them.
pub const MAX_MEMBERSHIPS: usize = 20;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub email: Email,
    /// argon2id, as a PHC string.
    pub password_hash: String,
    /// Raised by a password reset: every session made before it ends.
    #[serde(default)]
    pub generation: u64,
    #[serde(default)]
    pub memberships: Vec<Membership>,
}

/// A tenant the account's address is a user of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    pub tenant: String,
    pub user_id: UserId,
    /// The company's name when the user joined, to choose between tenants at login.
    pub company: String,
}

/// The platform's own scope, where accounts and login counters live.
pub fn system(state: &AppState) -> TenantStore {
    TenantStore::new(state.store.clone(), TenantId::system())
}

pub fn account_id(email: &Email) -> String {
    key_id(&["account", email.as_str()])
}

/// The account of `email` and its version, if there is one.
pub async fn find(system: &TenantStore, email: &Email) -> Result<Option<(Account, u64)>, ApiError> {
    let Some(doc) = system.get(ACCOUNTS, &account_id(email)).await? else {
        return Ok(None);
    };
    Ok(Some((read(&doc)?, doc.meta.version)))
}

fn read(doc: &Document) -> Result<Account, ApiError> {
    serde_json::from_value(serde_json::Value::Object(doc.fields.clone()))
        .map_err(ApiError::internal)
}

/// Makes `email` a user of `membership`'s tenant (`data`): creates the account with
/// `new_hash` if there is none (the caller hashed the chosen password), else adds the tenant
/// to it (the caller verified the account's password). A membership of the tenant whose
/// user was never made (an earlier acceptance cut short) is replaced. Safe to repeat; a lost
/// race is retried. Answers the account as it now is (a session is opened with it).
pub async fn join(
    system: &TenantStore,
    data: &platform::TenantData,
    email: &Email,
    new_hash: Option<&str>,
    membership: Membership,
) -> Result<Account, ApiError> {
    let at = data.now();
    for _ in 0..5 {
        let current = system.get(ACCOUNTS, &account_id(email)).await?;
        let (account, meta) = match &current {
            Some(doc) => (read(doc)?, Some(&doc.meta)),
            None => {
                let hash =
                    new_hash.ok_or_else(|| ApiError::internal("a new account needs a password"))?;
                let account = Account {
                    email: email.clone(),
                    password_hash: hash.to_owned(),
                    generation: 0,
                    memberships: Vec::new(),
                };
                (account, None)
            }
        };
        let mut account = account;
        let existing = account
            .memberships
            .iter()
            .position(|m| m.tenant == membership.tenant);
        match existing {
            Some(i) if account.memberships[i].user_id == membership.user_id => return Ok(account),
            Some(i) => {
                let other = account.memberships[i].user_id.as_str();
                if data
                    .repo::<domain::identity::User>()
                    .find(other)
                    .await?
                    .is_some()
                {
                    return Err(ApiError::Conflict(
                        "this email is a user of the tenant already".into(),
                    ));
                }
                account.memberships[i] = membership.clone();
            }
            None if account.memberships.len() >= MAX_MEMBERSHIPS => {
                return Err(ApiError::field(
                    "email",
                    format!(
                        "is a user of {MAX_MEMBERSHIPS} companies already, the most one address may be"
                    ),
                ));
            }
            None => account.memberships.push(membership.clone()),
        }
        let write = Write::upsert(ACCOUNTS, account_id(email), meta, entity_fields(&account)?);
        match system.commit(vec![write], at).await {
            Err(e) if e.is_precondition_failure() => continue,
            other => return other.map(|_| account).map_err(ApiError::from),
        }
    }
    Err(ApiError::Unavailable(
        "the account kept changing; try again".into(),
    ))
}
