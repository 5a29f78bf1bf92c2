//! The app under attack (every function of the catalog), the first tenant's data, and the
//! callers.

use platform::Role;
use platform::testing::{Reply, TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

/// Every function of the catalog in one app, with short header and request timeouts so the
/// timeout tests are quick.
pub async fn start() -> (TestApp, Vec<String>) {
    let catalog = catalog::Catalog::load().expect("functions/catalog.json");
    let routes = cleanops::functions(&catalog).expect("every function has a router");
    let paths = routes.paths().to_vec();
    let http = platform::HttpConfig {
        header_timeout: std::time::Duration::from_secs(1),
        request_timeout: std::time::Duration::from_secs(5),
        ..platform::HttpConfig::default()
    };
    (spawn_app(routes, http).await, paths)
}

pub const VICTIM: &str = "acme";
pub const ATTACKER: &str = "globex";

/// The first tenant's documents, one of each kind, and what names them in paths.
pub struct Victim {
    pub admin: String,
    /// Values for the path parameters, by the collection path they follow (`/v1/sites`) or
    /// by their name (`{area_id}`, `{date}`, `{token}`).
    pub ids: Vec<(&'static str, String)>,
    /// Words of the victim's data that must never appear in another tenant's replies.
    pub secrets: Vec<String>,
}

impl Victim {
    /// `pattern` with each `{param}` replaced by the victim's value for it.
    pub fn path(&self, pattern: &str) -> String {
        let mut out = String::new();
        let mut before = String::new();
        for segment in pattern.split('/').filter(|s| !s.is_empty()) {
            let value = if segment.starts_with('{') {
                let name = segment.trim_matches(['{', '}']);
                self.value(name)
                    .or_else(|| self.value(&before))
                    .unwrap_or_else(|| "unknown-id".into())
            } else {
                segment.to_owned()
            };
            before = format!("{before}/{segment}");
            out = format!("{out}/{value}");
        }
        out
    }

    /// The victim's value for a path parameter or other key (`code`).
    pub fn value(&self, key: &str) -> Option<String> {
        self.ids
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
    }
}

/// A site of customer c1 with an area, an area type, a calendar, a closure, a cleaner, a
/// tour, an absence, a one-off job, an open visit, an inspection, a feed and a plan.
pub async fn seed_victim(app: &TestApp) -> Victim {
    let admin = app.token(VICTIM, Role::Admin);
    let customer = platform::testing::customer_json("c1", "Victim Customer");
    app.created(&admin, "/v1/customers", customer).await;
    let mut site = platform::testing::site_json("Victim HQ", 52.52, 13.39);
    site["customerId"] = json!("c1");
    let site = app.created(&admin, "/v1/sites", site).await.id();
    let area_type =
        json!({"name": "VictimType", "performanceSqmPerHour": 200, "cleaningsPerWeek": 5});
    let area_type = app.created(&admin, "/v1/area-types", area_type).await.id();
    let area =
        json!({"siteId": site, "name": "Victim lobby", "sizeSqm": 100, "areaTypeId": area_type});
    let area = app.created(&admin, "/v1/areas", area).await.id();
    let calendar = json!({"siteId": site, "name": "Victim daily", "rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        "startDate": "2026-01-05", "window": {"earliest": "06:00", "latest": "20:00"}});
    let calendar = app.created(&admin, "/v1/calendars", calendar).await.id();
    let closure = json!({"siteId": site, "from": "2026-12-24", "to": "2026-12-26", "reason": "Victim holiday"});
    let closure = app.created(&admin, "/v1/closures", closure).await.id();
    let shifts: Vec<Value> = ["mon", "tue", "wed", "thu", "fri"]
        .iter()
        .map(|d| json!({"day": d, "from": "06:00", "to": "14:00"}))
        .collect();
    let cleaner = json!({"userId": "maria", "name": "Victim Maria", "home": {"lat": 52.5, "lng": 13.4},
        "shifts": shifts, "maxMinutesPerDay": 420});
    let cleaner = app.created(&admin, "/v1/cleaners", cleaner).await.id();
    let days: Vec<Value> = ["mon", "tue", "wed", "thu", "fri"]
        .iter()
        .map(|d| json!({"day": d, "areaIds": [area]}))
        .collect();
    let tour = json!({"name": "Victim tour", "cleanerId": "maria", "tourType": "regular",
        "startTime": "06:00", "maxMinutesPerDay": 420, "days": days});
    let tour = app.created(&admin, "/v1/tours", tour).await.id();
    let absence = json!({"cleanerId": "maria", "from": "2026-12-14", "to": "2026-12-18",
        "kind": "holiday", "note": "Victim holiday"});
    let absence = app.created(&admin, "/v1/absences", absence).await.id();
    let one_off = json!({"areaId": area, "date": "2026-12-02", "minutes": 60,
        "note": "Victim deep clean"});
    let one_off = app.created(&admin, "/v1/one-off-jobs", one_off).await.id();
    let code = app
        .get(&admin, &format!("/v1/check-in-codes/{area}"))
        .await
        .body["code"]
        .clone();
    let maria = app.token_of(VICTIM, "maria", Role::Cleaner, None);
    let visit = app
        .post(&maria, "/v1/visits/check-in", json!({"code": code}))
        .await
        .id();
    let inspection =
        json!({"siteId": site, "date": "2026-11-02", "areas": [{"areaId": area, "appaLevel": 2}]});
    let inspection = app
        .created(&admin, "/v1/inspections", inspection)
        .await
        .id();
    let feed = app
        .created(&maria, "/v1/feed-tokens", json!({"cleanerId": "maria"}))
        .await;
    let feed_token = format!("{}.ics", feed.body["token"].as_str().unwrap());
    let plan = app
        .plan(&admin, json!({"weekStart": "2026-11-30", "seconds": 0.2}))
        .await
        .id();
    let (user, invitation, api_key, audit) = seed_victim_identity(app, &admin).await;
    let (contract, invoice) = seed_victim_billing(app, &admin, &site).await;
    let document = seed_victim_document(app, &admin, &site).await;
    Victim {
        admin,
        ids: vec![
            ("/v1/sites", site),
            ("/v1/area-types", area_type),
            ("/v1/areas", area.clone()),
            ("area_id", area),
            ("/v1/calendars", calendar),
            ("/v1/closures", closure),
            ("/v1/cleaners", cleaner),
            ("/v1/tours", tour),
            ("/v1/absences", absence),
            ("/v1/one-off-jobs", one_off),
            ("/v1/visits", visit),
            ("/v1/inspections", inspection),
            ("/v1/feed-tokens", feed.id()),
            ("token", feed_token),
            ("/v1/plans", plan),
            ("/v1/users", user),
            ("/v1/invitations", invitation),
            ("/v1/api-keys", api_key),
            ("/v1/audit", audit),
            ("/v1/customers", "c1".into()),
            ("/v1/contracts", contract),
            ("/v1/invoices", invoice),
            ("/v1/documents", document),
            ("date", "2026-11-30".into()),
            ("code", code.as_str().unwrap_or_default().to_owned()),
        ],
        secrets: ["Victim", "maria"].map(String::from).into(),
    }
}

/// A site plan, uploaded through its signed URL and confirmed: its id.
async fn seed_victim_document(app: &TestApp, admin: &str, site: &str) -> String {
    let pdf = b"%PDF-1.7\n% Victim site plan\n%%EOF\n";
    let request = json!({"name": "Victim site plan.pdf", "contentType": "application/pdf",
        "size": pdf.len(), "crc32c": blobs::Crc32c::of(pdf).to_string(),
        "linkedTo": {"kind": "site", "id": site}});
    let granted = app.created(admin, "/v1/documents", request).await;
    let upload = &granted.body["upload"];
    let mut put = reqwest::Client::new().put(upload["url"].as_str().unwrap());
    for (name, value) in upload["headers"].as_object().unwrap() {
        put = put.header(name, value.as_str().unwrap());
    }
    let sent = put.body(pdf.to_vec()).send().await.unwrap();
    assert!(sent.status().is_success(), "{}", sent.status());
    let id = granted.body["document"]["id"].as_str().unwrap().to_owned();
    let confirmed = app
        .post(admin, &format!("/v1/documents/{id}/confirm"), json!({}))
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    id
}

/// A contract of customer c1 and its November draft, as the monthly run leaves it: their ids.
async fn seed_victim_billing(app: &TestApp, admin: &str, site: &str) -> (String, String) {
    use domain::billing::draft::{MonthFacts, monthly_draft};
    use domain::billing::vat::{Vat, VatCategory};
    let body = json!({"name": "Victim contract", "customerId": "c1", "siteIds": [site],
        "start": "2026-01-01", "currency": "EUR", "prices": "net",
        "lines": [{"kind": "monthly", "description": "Victim lump sum", "unitPrice": "900.00"}]});
    let contract = app.created(admin, "/v1/contracts", body.clone()).await.id();
    let data = app.data_of(admin);
    let customer = data
        .repo::<domain::billing::Customer>()
        .get("c1")
        .await
        .expect("the customer");
    let terms = <domain::billing::Contract as domain::Entity>::parse(&body).unwrap();
    let vat = Vat {
        category: VatCategory::Standard,
        rate_percent: "19".parse().unwrap(),
    };
    let month = "2026-11".parse().unwrap();
    let draft = monthly_draft(
        &contract,
        &terms,
        &customer.entity,
        month,
        &MonthFacts::default(),
        vat,
    )
    .expect("a draft");
    let invoice = data
        .repo::<domain::billing::Invoice>()
        .create(draft, Vec::new())
        .await
        .expect("stored");
    (contract, invoice.meta.id)
}

/// The victim's settings, a user who accepted her invitation, a pending invitation, an API
/// key and an audit record: their ids.
async fn seed_victim_identity(app: &TestApp, admin: &str) -> (String, String, String, String) {
    let settings = json!({"name": "Victim Cleaning", "timeZone": "Europe/Berlin", "language": "de",
        "country": "DE", "currency": "EUR"});
    let settings = <domain::identity::TenantSettings as domain::Entity>::parse(&settings).unwrap();
    app.data_of(admin)
        .repo::<domain::identity::TenantSettings>()
        .create_with_id(domain::identity::TenantSettings::ID, settings, vec![])
        .await
        .unwrap();
    let invite = |email: &str| json!({"email": email, "name": "Victim Vera", "role": "dispatcher", "language": "de"});
    let accepted = app
        .created(admin, "/v1/invitations", invite("vera@victim.example"))
        .await;
    let token = accepted.body["token"].as_str().unwrap();
    let user = app
        .send(
            Method::POST,
            "/v1/invitations/accept",
            None,
            Some(json!({"token": token, "password": "Victim's long password"})),
            None,
        )
        .await;
    assert_eq!(user.status, 201, "{}", user.body);
    let pending = app
        .created(admin, "/v1/invitations", invite("victor@victim.example"))
        .await;
    let key = json!({"name": "Victim display", "scopes": ["sites:read"]});
    let key = app.created(admin, "/v1/api-keys", key).await.id();
    let audit = app.get(admin, "/v1/audit").await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (
        user.body["user"]["id"].as_str().unwrap().to_owned(),
        pending.id(),
        key,
        audit,
    )
}

/// Who attacks: each role of the other tenant, then each role of the victim's tenant that
/// owns nothing there (a colleague, another customer).
pub fn callers(app: &TestApp) -> Vec<(String, String)> {
    let mut callers = Vec::new();
    for (tenant, label) in [(ATTACKER, "other"), (VICTIM, "same")] {
        for role in [Role::Admin, Role::Dispatcher, Role::Cleaner, Role::Customer] {
            let (user, customer) = match role {
                Role::Cleaner => ("jana", None),
                Role::Customer => ("cust", Some("c2")),
                _ => ("boss", None),
            };
            let token = app.token_of(tenant, user, role, customer);
            callers.push((format!("{label}:{}", role.as_str()), token));
        }
    }
    callers
}

/// Everything the victim's admin can read: every listing, page by page up to a bound.
pub async fn snapshot(app: &TestApp, victim: &Victim, paths: &[String]) -> Vec<(String, Value)> {
    let mut seen = Vec::new();
    for path in paths
        .iter()
        .filter(|p| !p.contains('{') && p.starts_with("/v1/"))
    {
        let reply = app.get(&victim.admin, path).await;
        if reply.status.is_success() {
            seen.push((path.clone(), strip_volatile(reply.body)));
        }
    }
    for (key, _) in victim.ids.iter().filter(|(k, _)| k.starts_with("/v1/")) {
        let path = victim.path(&format!("{key}/{{id}}"));
        seen.push((
            path.clone(),
            strip_volatile(app.get(&victim.admin, &path).await.body),
        ));
    }
    seen
}

/// Fields computed at read time that differ between two reads of unchanged data.
fn strip_volatile(mut body: Value) -> Value {
    if let Some(map) = body.as_object_mut() {
        map.remove("generatedAt");
    }
    body
}

/// Sends `method` to `path` with a body and `If-Match` as a real client of that route would.
pub async fn attack(
    app: &TestApp,
    method: &Method,
    path: &str,
    token: &str,
    body: Option<Value>,
    etag: Option<&str>,
) -> Reply {
    app.send(method.clone(), path, Some(token), body, etag)
        .await
}
