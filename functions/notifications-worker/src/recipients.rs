//! From an event's audience to people with addresses and a language.

use domain::identity::{Language, Role, User};
use domain::notifications::{Audience, e164};
use domain::store::{Filter, Query};
use domain::{Entity, UserId};
use platform::crud::Stored;
use platform::{JobError, TenantData};

/// The most users one audience reaches (its dispatchers, a customer's users): the cost of an
/// event is bounded whatever the tenant stored.
pub const MAX_PER_AUDIENCE: usize = 50;

/// One person an event reaches.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub user_id: Option<UserId>,
    pub name: String,
    pub language: Language,
    pub email: Option<String>,
    /// E.164, if she gave a number that is one.
    pub phone: Option<String>,
}

impl Person {
    /// What tells her apart from the other recipients of an event.
    pub fn key(&self) -> String {
        match (&self.user_id, &self.email) {
            (Some(user), _) => format!("user:{user}"),
            (None, Some(email)) => format!("email:{}", email.to_lowercase()),
            (None, None) => format!("name:{}", self.name),
        }
    }

    fn of(user: &Stored<User>) -> Self {
        Person {
            user_id: UserId::parse(&user.meta.id).ok(),
            name: user.entity.name.clone(),
            language: user.entity.language,
            email: Some(user.entity.email.to_string()),
            phone: user.entity.phone.as_deref().and_then(e164),
        }
    }
}

/// The people of `audiences`, each once (by user, else by address), active users only.
pub async fn resolve(data: &TenantData, audiences: &[Audience]) -> Result<Vec<Person>, JobError> {
    let mut people: Vec<Person> = Vec::new();
    let mut add = |person: Person| {
        if !people.iter().any(|p| p.key() == person.key()) {
            people.push(person);
        }
    };
    for audience in audiences {
        match audience {
            Audience::User { user_id } => {
                if let Some(user) = data.repo::<User>().find(user_id.as_str()).await?
                    && user.entity.active
                {
                    add(Person::of(&user));
                }
            }
            Audience::Dispatchers => {
                for role in [Role::Admin, Role::Dispatcher] {
                    for user in users(data, Filter::eq("role", role_name(role))).await? {
                        add(Person::of(&user));
                    }
                }
            }
            Audience::Customer { customer_id } => {
                for user in users(data, Filter::eq("customerId", customer_id.as_str())).await? {
                    if user.entity.role == Role::Customer {
                        add(Person::of(&user));
                    }
                }
            }
            Audience::Address {
                email,
                name,
                language,
            } => add(Person {
                user_id: None,
                name: name.clone(),
                language: *language,
                email: Some(email.clone()),
                phone: None,
            }),
        }
    }
    Ok(people)
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::Dispatcher => "dispatcher",
        Role::Cleaner => "cleaner",
        Role::Customer => "customer",
    }
}

/// The queries [`resolve`] makes (their indexes are declared for them).
pub fn user_query(filter: Filter) -> Query {
    Query::new(User::COLLECTION)
        .filter(filter)
        .limit(MAX_PER_AUDIENCE)
}

async fn users(data: &TenantData, filter: Filter) -> Result<Vec<Stored<User>>, JobError> {
    let page = data.store().query(&user_query(filter)).await?;
    let mut users = Vec::new();
    for doc in page.documents {
        let user = Stored::<User>::from_document(doc)?;
        if user.entity.active {
            users.push(user);
        }
    }
    Ok(users)
}
