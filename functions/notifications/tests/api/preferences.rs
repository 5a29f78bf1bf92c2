use platform::Role;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn preferences_start_at_version_0_with_the_defaults_and_are_her_own() {
    let app = app().await;
    let ana = cleaner(&app, "acme", "ana");
    let read = app.get(&ana, "/v1/notification-preferences").await;
    assert_eq!(read.status, 200);
    assert_eq!(read.etag(), "\"0\"");
    let body = json!({"channels": {"planActivated": ["inApp"]}, "quietHours": {"from": "21:00", "to": "06:30"}, "timeZone": "Europe/Zurich"});
    let set = app
        .put(&ana, "/v1/notification-preferences", body.clone(), "\"0\"")
        .await;
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(set.body["quietHours"]["from"], "21:00");
    // A second writer on the old version loses: 412, nothing overwritten.
    let stale = app
        .put(&ana, "/v1/notification-preferences", body, "\"0\"")
        .await;
    assert_eq!(stale.status, 412);
    let eva = cleaner(&app, "acme", "eva");
    assert_eq!(
        app.get(&eva, "/v1/notification-preferences").await.etag(),
        "\"0\""
    );
}

#[tokio::test]
async fn a_channel_a_kind_cannot_take_is_refused_naming_it() {
    let app = app().await;
    let ana = cleaner(&app, "acme", "ana");
    let refused = app
        .put(
            &ana,
            "/v1/notification-preferences",
            json!({"channels": {"invoiceIssued": ["sms"]}}),
            "\"0\"",
        )
        .await;
    refused.assert_problem(reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.error_fields(), ["channels.invoiceIssued"]);
}

#[tokio::test]
async fn only_admins_set_the_tenants_rules() {
    let app = app().await;
    let body = json!({"inspectionThresholdPercent": 85, "urgentBypassesQuietHours": true, "lateAlertsToCustomers": true});
    let dispatcher = app.token("acme", Role::Dispatcher);
    assert_eq!(
        app.get(&dispatcher, "/v1/notification-settings").await.body["inspectionThresholdPercent"],
        80.0
    );
    assert_eq!(
        app.put(
            &dispatcher,
            "/v1/notification-settings",
            body.clone(),
            "\"0\""
        )
        .await
        .status,
        403
    );
    let admin = app.token("acme", Role::Admin);
    let set = app
        .put(&admin, "/v1/notification-settings", body, "\"0\"")
        .await;
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(
        app.get(&dispatcher, "/v1/notification-settings").await.body["inspectionThresholdPercent"],
        85.0
    );
    assert_eq!(
        app.get(
            &app.token("acme", Role::Cleaner),
            "/v1/notification-settings"
        )
        .await
        .status,
        403
    );
    // Another tenant's rules are its own.
    assert_eq!(
        app.get(
            &app.token("globex", Role::Admin),
            "/v1/notification-settings"
        )
        .await
        .etag(),
        "\"0\""
    );
}
