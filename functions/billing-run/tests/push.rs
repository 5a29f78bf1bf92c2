//! The monthly billing run as Pub/Sub pushes it: a draft per contract from 04:00 on the 1st
//! in the tenant's zone, never a second one however often the month is delivered.

use chrono::Utc;
use domain::Entity;
use domain::billing::Invoice;
use domain::store::Query;
use platform::testing::{TestApp, create, spawn_app};
use serde_json::{Value, json};

const TENANT: &str = "acme";

async fn start() -> TestApp {
    spawn_app(billing_run::router(), Default::default()).await
}

/// Site s1 in Berlin with one 100 m² office (30 minutes a cleaning) cleaned on weekdays (21
/// in November 2026), three of them done; customer K-1 and its contract k1.
async fn seed(app: &TestApp) {
    let site = json!({"name": "HQ", "customerId": "K-1", "address": {"street": "S 1", "city": "Berlin", "country": "DE"},
        "location": {"lat": 52.5, "lng": 13.4}, "timeZone": "Europe/Berlin", "accessHours": []});
    let customer = platform::testing::customer_json("K-1", "Muster AG");
    let mut writes = vec![
        create("settings", "tenant", json!({"name": "Acme", "timeZone": "Europe/Berlin", "language": "de",
            "country": "DE", "currency": "EUR"})),
        create("customers", "K-1", serde_json::to_value(parsed::<domain::billing::Customer>(customer)).unwrap()),
        create("sites", "s1", site),
        create("areaTypes", "office", json!({"name": "Office", "performanceSqmPerHour": 200.0,
            "cleaningsPerWeek": 5.0, "correctionFactor": 1.0, "priority": "normal"})),
        create("areas", "a1", json!({"siteId": "s1", "name": "R1", "floor": 0, "sizeSqm": 100.0, "areaTypeId": "office"})),
        create("calendars", "weekdays", serde_json::to_value(parsed::<domain::calendars::Calendar>(json!({
            "siteId": "s1", "name": "Weekdays", "rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
            "startDate": "2026-01-05", "window": {"earliest": "06:00", "latest": "20:00"}}))).unwrap()),
        create("contracts", "k1", serde_json::to_value(parsed::<domain::billing::Contract>(json!({
            "name": "Unterhaltsreinigung", "customerId": "K-1", "siteIds": ["s1"], "start": "2026-01-01",
            "currency": "EUR", "prices": "net", "deductMissedCleanings": true,
            "lines": [
                {"kind": "monthly", "description": "Pauschale", "unitPrice": "500"},
                {"kind": "perSqmMonthly", "description": "Fläche", "unitPrice": "0.5"},
                {"kind": "perPlannedHour", "description": "Stunden", "unitPrice": "30"},
                {"kind": "perVisit", "description": "Einsätze", "unitPrice": "10"}
            ]}))).unwrap()),
    ];
    for day in ["02", "03", "04"] {
        writes.push(create("visits", &format!("v{day}"), json!({"areaId": "a1", "siteId": "s1", "cleanerId": "maria",
            "checkedInAt": format!("2026-11-{day}T07:00:00Z"), "localDate": format!("2026-11-{day}"),
            "checkedOutAt": format!("2026-11-{day}T07:30:00Z"), "status": "done", "flags": []})));
    }
    app.data_of(&app.token(TENANT, platform::Role::Admin))
        .store()
        .commit(writes, Utc::now())
        .await
        .unwrap();
}

fn parsed<E: Entity>(body: Value) -> E {
    E::parse(&body).unwrap_or_else(|e| panic!("a valid {}: {e}", E::KIND))
}

/// The billing message of the tenant for the tick at `scheduled` (with `payload` as data).
fn envelope(scheduled: &str, payload: Value) -> Value {
    platform::testing::job_envelope("billing", TENANT, scheduled.parse().unwrap(), &payload)
}

async fn deliver(app: &TestApp, scheduled: &str, payload: Value) -> u16 {
    app.push(
        &app.pusher(),
        "/push/billing",
        &envelope(scheduled, payload),
    )
    .await
}

async fn invoices(app: &TestApp) -> Vec<(String, Invoice)> {
    app.data_of(&app.token(TENANT, platform::Role::Admin))
        .store()
        .query_all(Query::new(Invoice::COLLECTION))
        .await
        .unwrap()
        .into_iter()
        .map(|doc| {
            let id = doc.meta.id.clone();
            (
                id,
                platform::crud::Stored::<Invoice>::from_document(doc)
                    .unwrap()
                    .entity,
            )
        })
        .collect()
}

#[tokio::test]
async fn four_oclock_on_the_first_drafts_the_month_before_from_its_proof_of_service() {
    let app = start().await;
    seed(&app).await;
    // 04:00 in Berlin.
    assert_eq!(deliver(&app, "2026-12-01T03:00:00Z", json!({})).await, 204);
    let drafts = invoices(&app).await;
    assert_eq!(drafts.len(), 1);
    let (id, draft) = &drafts[0];
    assert_eq!(id, "k1-2026-11");
    let quantities: Vec<String> = draft.lines.iter().map(|l| l.quantity.plain()).collect();
    // A month, 100 m², 21 cleanings of 30 minutes, 3 done, 18 missed.
    assert_eq!(quantities, ["1", "100", "10.5", "3", "-18"]);
    assert_eq!(draft.totals.net_total.money(), "153.57");
    assert_eq!(draft.totals.vat_total.money(), "29.18");
}

#[tokio::test]
async fn a_tick_before_four_in_the_tenants_zone_drafts_nothing() {
    let app = start().await;
    seed(&app).await;
    // 03:00 in Berlin.
    assert_eq!(deliver(&app, "2026-12-01T02:00:00Z", json!({})).await, 204);
    assert!(invoices(&app).await.is_empty());
}

#[tokio::test]
async fn redeliveries_and_later_ticks_make_no_second_draft() {
    let app = start().await;
    seed(&app).await;
    for scheduled in [
        "2026-12-01T03:00:00Z",
        "2026-12-01T03:00:00Z",
        "2026-12-01T04:00:00Z",
    ] {
        assert_eq!(deliver(&app, scheduled, json!({})).await, 204);
    }
    let (two_at_once, _) = tokio::join!(
        deliver(&app, "2026-12-01T05:00:00Z", json!({})),
        deliver(&app, "2026-12-01T06:00:00Z", json!({}))
    );
    assert!([204, 503].contains(&two_at_once));
    assert_eq!(invoices(&app).await.len(), 1);
}

#[tokio::test]
async fn an_operator_bills_a_named_month() {
    let app = start().await;
    seed(&app).await;
    assert_eq!(
        deliver(&app, "2026-12-15T10:00:00Z", json!({"month": "2026-10"})).await,
        204
    );
    let drafts = invoices(&app).await;
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].0, "k1-2026-10");
    assert_eq!(drafts[0].1.period_end.to_string(), "2026-10-31");
}

#[tokio::test]
async fn a_bad_month_is_rejected_and_never_retried() {
    let app = start().await;
    seed(&app).await;
    assert_eq!(
        deliver(&app, "2026-12-15T10:00:00Z", json!({"month": "2026-13"})).await,
        204
    );
    assert!(invoices(&app).await.is_empty());
}

#[tokio::test]
async fn the_fan_outs_message_is_read_as_a_scheduled_run() {
    let app = start().await;
    seed(&app).await;
    let fan_out_data =
        json!({"job": "billing", "tenant": TENANT, "scheduledFor": "2026-12-01T03:00:00.000Z"});
    assert_eq!(
        deliver(&app, "2026-12-01T03:00:00Z", fan_out_data).await,
        204
    );
    assert_eq!(invoices(&app).await.len(), 1);
}
