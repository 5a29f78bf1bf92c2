//! Identity: users and their roles, invitations, a tenant's settings, and the audit log; the
//! values a login reads (email addresses, password rules). Hashing, tokens and the store live
//! in the identity function; this is what they are about.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::entity::Entity;
use crate::id::UserId;
use crate::meta::READ_ONLY_FIELDS;
use crate::validation::{Fields, ValidationErrors, parse_enum};

/// What a user may do: the `role` claim of her token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Dispatcher,
    Cleaner,
    Customer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Dispatcher, Role::Cleaner, Role::Customer];
    /// Roles that plan and change master data.
    pub const PLANNERS: [Role; 2] = [Role::Admin, Role::Dispatcher];
    /// The cleaning company's own people: everyone but customers.
    pub const STAFF: [Role; 3] = [Role::Admin, Role::Dispatcher, Role::Cleaner];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Dispatcher => "dispatcher",
            Role::Cleaner => "cleaner",
            Role::Customer => "customer",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(raw: &str) -> Result<Self, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == raw)
            .ok_or_else(|| {
                format!("unknown role {raw:?}; expected admin, dispatcher, cleaner or customer")
            })
    }
}

/// An email address, trimmed and lower-cased: the one spelling a login, an invitation and
/// the uniqueness of a tenant's users compare.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let email = raw.trim().to_lowercase();
        let rule = "must be an email address such as ana@example.com";
        if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(rule.into());
        }
        let Some((local, domain)) = email.rsplit_once('@') else {
            return Err(rule.into());
        };
        let domain_ok = domain.len() >= 3
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..");
        if local.is_empty() || local.len() > 64 || local.contains('@') || !domain_ok {
            return Err(rule.into());
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw)
    }
}

impl From<Email> for String {
    fn from(email: Email) -> String {
        email.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The fewest characters a password has (OWASP's authentication cheat sheet: at least 8,
/// more without other rules; no composition rules).
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The most: long enough for any passphrase, short enough that hashing stays cheap to refuse.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// A password as chosen, before it is hashed. Never serialised, never logged.
pub struct NewPassword(String);

impl NewPassword {
    /// At least [`MIN_PASSWORD_CHARS`], and not the email address itself.
    pub fn parse(raw: &str, email: Option<&Email>) -> Result<Self, String> {
        let chars = raw.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            return Err(format!(
                "must be at least {MIN_PASSWORD_CHARS} characters long"
            ));
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(format!(
                "must be at most {MAX_PASSWORD_CHARS} characters long"
            ));
        }
        if email.is_some_and(|e| raw.trim().to_lowercase() == e.as_str()) {
            return Err("must not be the email address".into());
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

/// The languages cleanops speaks (its messages, sheets and templates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    De,
    En,
    Fr,
    It,
}

impl Language {
    pub fn parse(raw: &str) -> Result<Self, String> {
        parse_enum(raw, &["de", "en", "fr", "it"])
    }
}

/// A phone number in E.164 (`+41791234567`), as SMS providers take it.
pub fn parse_phone(raw: &str) -> Result<String, String> {
    let digits = raw.strip_prefix('+').unwrap_or("");
    let ok = (8..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    if ok {
        Ok(raw.to_owned())
    } else {
        Err("must be a phone number in E.164 form, such as +41791234567".into())
    }
}

/// What binds a user to the rest of the data: a cleaner to her cleaner record (whose id is
/// her user id), a customer to the customer whose sites she sees.
fn parse_binding(
    f: &mut Fields<'_>,
    role: Option<Role>,
) -> (Option<Option<String>>, Option<Option<UserId>>) {
    let customer = f.optional_parsed("customerId", |raw| {
        crate::id::parse_id(raw).map(str::to_owned)
    });
    let cleaner = f.optional_parsed("cleanerId", UserId::parse);
    let (customer_ok, cleaner_ok) = match role {
        Some(Role::Customer) if customer.is_none() => {
            f.error("customerId", "is required for the customer role");
            (false, true)
        }
        Some(Role::Cleaner) if cleaner.is_none() => {
            f.error(
                "cleanerId",
                "is required for the cleaner role: the cleaner record (/v1/cleaners) she is",
            );
            (true, false)
        }
        Some(role) => {
            let customer_ok = customer.is_none() || role == Role::Customer;
            let cleaner_ok = cleaner.is_none() || role == Role::Cleaner;
            if !customer_ok {
                f.error("customerId", "is for the customer role only");
            }
            if !cleaner_ok {
                f.error("cleanerId", "is for the cleaner role only");
            }
            (customer_ok, cleaner_ok)
        }
        None => (true, true),
    };
    (
        customer_ok.then_some(customer),
        cleaner_ok.then_some(cleaner),
    )
}

/// A person who logs in to one tenant. Stored in `users`; a cleaner's id is her cleaner
/// record's (so her token's subject is the `cleanerId` of her tours), everyone else's is new.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub email: Email,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    pub language: Language,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleaner_id: Option<UserId>,
    /// A deactivated user cannot log in, and her sessions end at their next refresh.
    pub active: bool,
    /// Raised to end every session of the user at once (a forced logout, a role change).
    #[serde(default)]
    pub session_generation: u64,
}

impl User {
    /// The fields a user's own record exposes of the binding: the customer claim of a token.
    pub fn customer_claim(&self) -> Option<&str> {
        match self.role {
            Role::Customer => self.customer_id.as_deref(),
            _ => None,
        }
    }
}

impl Entity for User {
    const COLLECTION: &'static str = "users";
    const KIND: &'static str = "user";
    const READ_ONLY: &'static [&'static str] = &[
        READ_ONLY_FIELDS[0],
        READ_ONLY_FIELDS[1],
        READ_ONLY_FIELDS[2],
        READ_ONLY_FIELDS[3],
        "sessionGeneration",
    ];

    fn parse(body: &Value) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(body, Self::READ_ONLY)?;
        let email = f.required_parsed("email", Email::parse);
        let name = f.required_str("name", 1..=200);
        let phone = f.optional_parsed("phone", parse_phone);
        let language = f.required_parsed("language", Language::parse);
        let role = f.required_parsed("role", str::parse::<Role>);
        let (customer_id, cleaner_id) = parse_binding(&mut f, role);
        let active = f.optional_bool("active").unwrap_or(true);
        f.finish(|| {
            Some(User {
                email: email?,
                name: name?,
                phone,
                language: language?,
                role: role?,
                customer_id: customer_id?,
                cleaner_id: cleaner_id?,
                active,
                session_generation: 0,
            })
        })
    }
}

/// An invitation to become a user of the tenant: a one-time link, valid
/// [`INVITATION_DAYS`]. Stored in `invitations` under the hash of its secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    pub email: Email,
    pub name: String,
    pub role: Role,
    pub language: Language,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleaner_id: Option<UserId>,
    /// The id the user will have (set by the server when the invitation is made).
    pub user_id: UserId,
    pub invited_by: UserId,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// How long an invitation link stays valid.
pub const INVITATION_DAYS: i64 = 7;

/// What an admin sends to invite someone: `{email, name, role, language, customerId?,
/// cleanerId?}`.
#[derive(Debug, Clone, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitationRequest {
    pub email: Email,
    pub name: String,
    pub role: Role,
    pub language: Language,
    pub customer_id: Option<String>,
    pub cleaner_id: Option<UserId>,
}

impl InvitationRequest {
    pub fn parse(body: &Value) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(body, &[])?;
        let email = f.required_parsed("email", Email::parse);
        let name = f.required_str("name", 1..=200);
        let role = f.required_parsed("role", str::parse::<Role>);
        let language = f.required_parsed("language", Language::parse);
        let (customer_id, cleaner_id) = parse_binding(&mut f, role);
        f.finish(|| {
            Some(Self {
                email: email?,
                name: name?,
                role: role?,
                language: language?,
                customer_id: customer_id?,
                cleaner_id: cleaner_id?,
            })
        })
    }
}

impl Entity for Invitation {
    const COLLECTION: &'static str = "invitations";
    const KIND: &'static str = "invitation";

    /// Invitations are made by `POST /v1/invitations`, never written as a whole by a client.
    fn parse(_body: &Value) -> Result<Self, ValidationErrors> {
        Err(ValidationErrors::single(
            "",
            "invitations are made with POST /v1/invitations",
        ))
    }
}

/// ISO 4217 currencies a tenant may bill in.
pub const CURRENCIES: [&str; 2] = ["EUR", "CHF"];

/// A tenant's own settings: its company name, where it works and how it bills. Stored in
/// `settings` under [`TenantSettings::ID`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TenantSettings {
    pub name: String,
    pub time_zone: crate::time::TimeZone,
    pub language: Language,
    /// ISO 3166-1 alpha-2, such as `CH` or `DE`.
    pub country: String,
    pub currency: String,
    /// Who the tenant is on its invoices and how it is paid: required to issue one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing: Option<crate::billing::invoice::Seller>,
}

impl TenantSettings {
    pub const ID: &'static str = "tenant";
}

fn parse_country(raw: &str) -> Result<String, String> {
    if raw.len() == 2 && raw.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(raw.to_owned())
    } else {
        Err("must be an ISO 3166-1 alpha-2 country code such as CH or DE".into())
    }
}

impl Entity for TenantSettings {
    const COLLECTION: &'static str = "settings";
    const KIND: &'static str = "tenant settings";

    fn parse(body: &Value) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(body, Self::READ_ONLY)?;
        let name = f.required_str("name", 1..=200);
        let time_zone = f.required_parsed("timeZone", str::parse::<crate::time::TimeZone>);
        let language = f.required_parsed("language", Language::parse);
        let country = f.required_parsed("country", parse_country);
        let currency = f.required_parsed("currency", |raw| {
            CURRENCIES
                .contains(&raw)
                .then(|| raw.to_owned())
                .ok_or_else(|| format!("must be one of: {}", CURRENCIES.join(", ")))
        });
        let billing = f.optional_object("billing", crate::billing::invoice::Seller::read);
        f.finish(|| {
            Some(TenantSettings {
                name: name?,
                time_zone: time_zone?,
                language: language?,
                country: country?,
                currency: currency?,
                billing,
            })
        })
    }
}

/// One change to who may do what, kept for the tenant's admins: who did it, to what, from
/// where, and the record before and after. Written in the same commit as the change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    /// The user who made the change (`signup` for the first admin, `system` for automatic
    /// revocations).
    pub actor_id: String,
    /// What happened, such as `user.updated` (see [`AuditAction`]).
    pub action: AuditAction,
    /// The kind of what changed: `user`, `invitation`, `session`, `settings`, `apiKey`.
    pub target_kind: String,
    pub target_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
}

/// The changes the audit log records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum AuditAction {
    #[serde(rename = "tenant.created")]
    TenantCreated,
    #[serde(rename = "settings.updated")]
    SettingsUpdated,
    #[serde(rename = "user.created")]
    UserCreated,
    #[serde(rename = "user.updated")]
    UserUpdated,
    #[serde(rename = "user.deactivated")]
    UserDeactivated,
    #[serde(rename = "user.loggedOutEverywhere")]
    UserLoggedOutEverywhere,
    /// The user's password was reset: every session of hers ended.
    #[serde(rename = "user.passwordReset")]
    UserPasswordReset,
    #[serde(rename = "invitation.created")]
    InvitationCreated,
    #[serde(rename = "invitation.revoked")]
    InvitationRevoked,
    #[serde(rename = "session.revokedOnReuse")]
    SessionRevokedOnReuse,
    #[serde(rename = "apiKey.created")]
    ApiKeyCreated,
    #[serde(rename = "apiKey.revoked")]
    ApiKeyRevoked,
}

impl AuditAction {
    pub const NAMES: [&'static str; 12] = [
        "tenant.created",
        "settings.updated",
        "user.created",
        "user.updated",
        "user.deactivated",
        "user.loggedOutEverywhere",
        "user.passwordReset",
        "invitation.created",
        "invitation.revoked",
        "session.revokedOnReuse",
        "apiKey.created",
        "apiKey.revoked",
    ];

    pub fn parse(raw: &str) -> Result<Self, String> {
        parse_enum(raw, &Self::NAMES)
    }
}

impl Entity for AuditRecord {
    const COLLECTION: &'static str = "audit";
    const KIND: &'static str = "audit record";

    /// Written by the changes themselves, never by a client.
    fn parse(_body: &Value) -> Result<Self, ValidationErrors> {
        Err(ValidationErrors::single("", "the audit log is read-only"))
    }
}

/// What a device API key may do. Each scope names the routes it opens, and nothing else: a
/// key is not a user and reaches no other route.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
pub enum ApiScope {
    /// `POST /v1/ingest/...`: a sensor gateway delivering readings.
    #[serde(rename = "sensors:ingest")]
    SensorsIngest,
    /// `GET` of sites, areas and area types: a building system reading the rooms.
    #[serde(rename = "sites:read")]
    SitesRead,
    /// `GET` of tours and tour sheets: a display in the building showing today's cleaning.
    #[serde(rename = "tours:read")]
    ToursRead,
}

impl ApiScope {
    pub const NAMES: [&'static str; 3] = ["sensors:ingest", "sites:read", "tours:read"];

    pub fn parse(raw: &str) -> Result<Self, String> {
        parse_enum(raw, &Self::NAMES)
    }

    /// Whether the scope opens `method` on `path`.
    pub fn allows(self, method: &str, path: &str) -> bool {
        let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
        match self {
            ApiScope::SensorsIngest => method == "POST" && under("/v1/ingest"),
            ApiScope::SitesRead => {
                method == "GET"
                    && (under("/v1/sites") || under("/v1/areas") || under("/v1/area-types"))
            }
            ApiScope::ToursRead => {
                method == "GET" && (under("/v1/tours") || under("/v1/tour-sheets"))
            }
        }
    }
}

/// A device API key as its tenant's admins see it. The key itself (`co_<prefix>_<secret>`)
/// is shown once, when it is made; only its hash is kept, in the platform's scope, where a
/// request's key is looked up by its prefix. Stored in `apiKeys` under the prefix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiKey {
    pub name: String,
    pub scopes: Vec<ApiScope>,
    pub prefix: String,
    pub created_by: UserId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// What an admin sends to make a key: `{name, scopes}`.
pub fn parse_api_key_request(body: &Value) -> Result<(String, Vec<ApiScope>), ValidationErrors> {
    let mut f = Fields::new(body, &[])?;
    let name = f.required_str("name", 1..=100);
    let scopes = f.optional_parsed_list("scopes", ApiScope::NAMES.len(), ApiScope::parse);
    let scopes = match scopes {
        Some(scopes) if scopes.is_empty() => {
            f.error("scopes", "must name at least one scope");
            None
        }
        Some(mut scopes) => {
            scopes.sort();
            scopes.dedup();
            Some(scopes)
        }
        None if !f.has("scopes") => {
            f.error("scopes", "is required");
            None
        }
        None => None,
    };
    f.finish(|| Some((name?, scopes?)))
}

impl Entity for ApiKey {
    const COLLECTION: &'static str = "apiKeys";
    const KIND: &'static str = "API key";

    /// Keys are made by `POST /v1/api-keys`, never written as a whole by a client.
    fn parse(_body: &Value) -> Result<Self, ValidationErrors> {
        Err(ValidationErrors::single(
            "",
            "API keys are made with POST /v1/api-keys",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_email_is_trimmed_and_lower_cased_and_a_malformed_one_refused() {
        assert_eq!(
            Email::parse("  Ana.Lopez@Example.COM ").unwrap().as_str(),
            "ana.lopez@example.com"
        );
        for bad in [
            "ana",
            "@example.com",
            "ana@",
            "ana@com",
            "a na@x.ch",
            "ana@x..ch",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_password_is_long_enough_and_not_the_email() {
        let email = Email::parse("ana@example.com").unwrap();
        assert!(NewPassword::parse("short", None).is_err());
        assert!(NewPassword::parse("ana@example.com", Some(&email)).is_err());
        assert!(NewPassword::parse(&"x".repeat(129), None).is_err());
        assert!(NewPassword::parse("correct horse battery", Some(&email)).is_ok());
    }

    #[test]
    fn a_cleaner_user_names_her_cleaner_record_and_a_customer_her_customer() {
        let base = json!({"email": "a@b.ch", "name": "A", "language": "de"});
        let with = |extra: Value| {
            let mut body = base.clone();
            body.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            User::parse(&body)
        };
        let fields = |r: Result<User, ValidationErrors>| {
            r.unwrap_err()
                .0
                .into_iter()
                .map(|e| e.field)
                .collect::<Vec<_>>()
        };
        assert_eq!(fields(with(json!({"role": "cleaner"}))), ["cleanerId"]);
        assert_eq!(fields(with(json!({"role": "customer"}))), ["customerId"]);
        assert_eq!(
            fields(with(json!({"role": "admin", "customerId": "c1"}))),
            ["customerId"]
        );
        let cleaner = with(json!({"role": "cleaner", "cleanerId": "maria"})).unwrap();
        assert_eq!(cleaner.cleaner_id.unwrap().as_str(), "maria");
        assert!(cleaner.active);
    }

    #[test]
    fn settings_name_a_zone_a_country_and_a_currency() {
        let ok = TenantSettings::parse(
            &json!({"name": "Blitzblank AG", "timeZone": "Europe/Zurich",
            "language": "de", "country": "CH", "currency": "CHF"}),
        )
        .unwrap();
        assert_eq!(ok.currency, "CHF");
        let bad = TenantSettings::parse(&json!({"name": "x", "timeZone": "Mars/Base",
            "language": "xx", "country": "ch", "currency": "USD"}))
        .unwrap_err();
        let fields: Vec<_> = bad.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["timeZone", "language", "country", "currency"]);
    }
}
