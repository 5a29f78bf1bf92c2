//! A calendar write answers the contradictions it leaves for the planner, as the preflight
//! names them; reads stay as they were.

use serde_json::json;

use crate::helpers::{calendar, seeded};

/// A site entered on Mondays only, with a lobby of `area_type`.
async fn mondays_only(
    app: &platform::testing::TestApp,
    admin: &str,
    area_type: &str,
) -> (String, String) {
    let mut site = platform::testing::site_json("Mondays", 52.52, 13.39);
    site["accessHours"] = json!([{"day": "mon", "from": "06:00", "to": "20:00"}]);
    let site = app.seed::<domain::sites::Site>(admin, site).await.id();
    let lobby = json!({"siteId": site, "name": "Lobby", "sizeSqm": 100, "areaTypeId": area_type});
    let lobby = app.seed::<domain::sites::Area>(admin, lobby).await.id();
    (site, lobby)
}

#[tokio::test]
async fn a_weekday_calendar_at_a_site_entered_on_mondays_names_the_days_it_cannot_be_entered() {
    let (app, admin, seed) = seeded().await;
    let (site, lobby) = mondays_only(&app, &admin, &seed.office).await;
    let weekdays = calendar(&site, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "2027-01-04");
    let created = app.created(&admin, "/v1/calendars", weekdays).await;
    assert_eq!(created.body["frequency"]["matches"], true);
    let found = created.body["contradictions"].as_array().unwrap();
    assert_eq!(found.len(), 1, "{}", created.body);
    assert_eq!(found[0]["code"], "siteClosedOnCalendarDay");
    assert_eq!(found[0]["areaId"], lobby.as_str());
    assert_eq!(
        found[0]["dates"],
        json!(["2027-01-05", "2027-01-06", "2027-01-07", "2027-01-08"])
    );
    let read = app
        .get(&admin, &format!("/v1/calendars/{}", created.id()))
        .await;
    assert!(read.body.get("contradictions").is_none(), "{}", read.body);
}

#[tokio::test]
async fn a_calendar_that_fits_its_site_answers_no_contradictions() {
    let (app, admin, _) = seeded().await;
    let weekly = json!({"name": "Store", "performanceSqmPerHour": 200, "cleaningsPerWeek": 1});
    let weekly = app
        .seed::<domain::sites::AreaType>(&admin, weekly)
        .await
        .id();
    let (site, _) = mondays_only(&app, &admin, &weekly).await;
    let body = calendar(&site, "FREQ=WEEKLY;BYDAY=MO", "2027-01-04");
    let created = app.created(&admin, "/v1/calendars", body).await;
    assert!(
        created.body.get("contradictions").is_none(),
        "{}",
        created.body
    );
}
