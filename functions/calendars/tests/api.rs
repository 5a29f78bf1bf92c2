//! The calendars function over real sockets, on a fresh store per test. The sites, area types
//! and areas the calendars refer to are made through the sites function on the same store.

use axum::Router;
use platform::Role;
use platform::testing::{TestApp, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn start() -> TestApp {
    let routes: Router<platform::AppState> = calendars::router();
    spawn_app(routes, platform::HttpConfig::default()).await
}

struct Seed {
    site: String,
    other_site: String,
    office: String,
    lobby: String,
}

fn site(name: &str) -> Value {
    platform::testing::site_json(name, 52.52, 13.39)
}

/// Two sites; an office type cleaned 5 times a week; an office area at the first site.
async fn seed(app: &TestApp, token: &str) -> Seed {
    let site_id = app
        .seed::<domain::sites::Site>(token, site("HQ"))
        .await
        .id();
    let other_site = app
        .seed::<domain::sites::Site>(token, site("Depot"))
        .await
        .id();
    let office = app
        .seed::<domain::sites::AreaType>(
            token,
            json!({"name": "Office", "performanceSqmPerHour": 200, "cleaningsPerWeek": 5}),
        )
        .await
        .id();
    let lobby = app
        .seed::<domain::sites::Area>(
            token,
            json!({"siteId": site_id, "name": "Lobby", "sizeSqm": 100, "areaTypeId": office}),
        )
        .await
        .id();
    Seed {
        site: site_id,
        other_site,
        office,
        lobby,
    }
}

fn starts(reply: &Value) -> Vec<String> {
    reply["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["start"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_weekly_rule_keeps_its_local_time_across_both_daylight_saving_changes() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let seed = seed(&app, &admin).await;
    let calendar = app
        .created(
            &admin,
            "/v1/calendars",
            json!({
                "siteId": seed.site, "areaId": seed.lobby, "name": "Monday mornings",
                "rrule": "FREQ=WEEKLY;BYDAY=MO", "startDate": "2026-03-02",
                "window": {"earliest": "06:00", "latest": "08:30"}
            }),
        )
        .await
        .id();
    // Clocks go forward on 29 March 2026 and back on 25 October 2026 in Berlin.
    let spring = app
        .get(
            &admin,
            &format!("/v1/calendars/{calendar}/occurrences?from=2026-03-16&to=2026-04-06"),
        )
        .await;
    assert_eq!(spring.status, StatusCode::OK, "{}", spring.body);
    assert_eq!(spring.body["timeZone"], "Europe/Berlin");
    assert_eq!(
        starts(&spring.body),
        [
            "2026-03-16T06:00:00+01:00",
            "2026-03-23T06:00:00+01:00",
            "2026-03-30T06:00:00+02:00",
            "2026-04-06T06:00:00+02:00"
        ]
    );
    assert_eq!(
        spring.body["occurrences"][2]["end"],
        "2026-03-30T08:30:00+02:00"
    );
    let autumn = app
        .get(
            &admin,
            &format!("/v1/calendars/{calendar}/occurrences?from=2026-10-19&to=2026-10-26"),
        )
        .await;
    assert_eq!(
        starts(&autumn.body),
        ["2026-10-19T06:00:00+02:00", "2026-10-26T06:00:00+01:00"]
    );
}

#[tokio::test]
async fn a_closure_removes_exactly_its_occurrences() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let seed = seed(&app, &admin).await;
    let calendar = app
        .created(
            &admin,
            "/v1/calendars",
            json!({
                "siteId": seed.site, "name": "Daily", "rrule": "FREQ=DAILY",
                "startDate": "2026-12-01", "window": {"earliest": "18:00", "latest": "21:00"}
            }),
        )
        .await
        .id();
    let christmas = app
        .created(
            &admin,
            "/v1/closures",
            json!({"siteId": seed.site, "from": "2026-12-24", "to": "2026-12-26", "reason": "Christmas"}),
        )
        .await
        .id();
    app.created(
        &admin,
        "/v1/closures",
        json!({"from": "2027-01-01", "to": "2027-01-01", "reason": "New Year"}),
    )
    .await;
    app.created(
        &admin,
        "/v1/closures",
        json!({"siteId": seed.other_site, "from": "2026-12-28", "to": "2026-12-30", "reason": "Depot works"}),
    )
    .await;
    let reply = app
        .get(
            &admin,
            &format!("/v1/calendars/{calendar}/occurrences?from=2026-12-20&to=2027-01-03"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let dates: Vec<&str> = reply.body["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["date"].as_str().unwrap())
        .collect();
    assert_eq!(
        dates,
        [
            "2026-12-20",
            "2026-12-21",
            "2026-12-22",
            "2026-12-23",
            "2026-12-27",
            "2026-12-28",
            "2026-12-29",
            "2026-12-30",
            "2026-12-31",
            "2027-01-02",
            "2027-01-03"
        ]
    );
    let closed: Vec<(&str, &str)> = reply.body["closed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["date"].as_str().unwrap(), c["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        closed,
        [
            ("2026-12-24", "Christmas"),
            ("2026-12-25", "Christmas"),
            ("2026-12-26", "Christmas"),
            ("2027-01-01", "New Year")
        ]
    );
    assert_eq!(reply.body["closed"][0]["closureId"], christmas.as_str());

    // The site's whole schedule says the same, slot by slot.
    let schedule = app
        .get(
            &admin,
            &format!(
                "/v1/calendars/occurrences?siteId={}&areaId={}&from=2026-12-23&to=2026-12-27",
                seed.site, seed.lobby
            ),
        )
        .await;
    assert_eq!(schedule.status, StatusCode::OK, "{}", schedule.body);
    assert_eq!(
        starts(&schedule.body),
        ["2026-12-23T18:00:00+01:00", "2026-12-27T18:00:00+01:00"]
    );
    assert_eq!(schedule.body["occurrences"][0]["calendarName"], "Daily");
}

#[tokio::test]
async fn a_rule_that_contradicts_the_agreed_frequency_is_flagged() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let seed = seed(&app, &admin).await;
    let calendar = |rule: &str| {
        json!({
            "siteId": seed.site, "areaTypeId": seed.office, "name": rule, "rrule": rule,
            "startDate": "2026-11-02", "window": {"earliest": "06:00", "latest": "08:00"}
        })
    };
    let twice = app
        .created(&admin, "/v1/calendars", calendar("FREQ=WEEKLY;BYDAY=MO,WE"))
        .await;
    assert_eq!(twice.body["frequency"]["scheduledPerWeek"], 2.0);
    assert_eq!(twice.body["frequency"]["agreedPerWeek"], json!([5.0]));
    assert_eq!(twice.body["frequency"]["matches"], false);
    let warning = twice.body["warnings"][0].as_str().unwrap();
    assert!(
        warning.contains("2 cleanings a week") && warning.contains('5'),
        "{warning}"
    );

    let weekdays = app
        .created(
            &admin,
            "/v1/calendars",
            calendar("RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
        )
        .await;
    assert_eq!(weekdays.body["frequency"]["matches"], true);
    assert_eq!(weekdays.body["warnings"], json!([]));
    assert_eq!(weekdays.body["rrule"], "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR");

    // The flag is there when read back and listed, too.
    let listed = app
        .get(&admin, &format!("/v1/calendars?siteId={}", seed.site))
        .await;
    let flags: Vec<&Value> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["frequency"]["matches"])
        .collect();
    assert_eq!(flags.len(), 2);
    assert!(flags.contains(&&json!(false)) && flags.contains(&&json!(true)));
}

#[tokio::test]
async fn bad_calendars_closures_and_ranges_are_422s_naming_each_field() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let seed = seed(&app, &admin).await;
    let before = app.get(&admin, "/v1/calendars").await.body["items"].clone();
    let reply = app
        .post(
            &admin,
            "/v1/calendars",
            json!({
                "siteId": seed.site, "name": "", "rrule": "FREQ=FORTNIGHTLY",
                "startDate": "2026-02-30", "endDate": "soon",
                "window": {"earliest": "09:00", "latest": "07:00"}, "colour": "red"
            }),
        )
        .await;
    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply.error_fields(),
        [
            "name",
            "rrule",
            "startDate",
            "endDate",
            "window.latest",
            "colour"
        ]
    );

    // An area of another site, and ids that do not exist.
    let elsewhere = app
        .post(
            &admin,
            "/v1/calendars",
            json!({
                "siteId": seed.other_site, "areaId": seed.lobby, "name": "x",
                "rrule": "FREQ=DAILY", "startDate": "2026-01-01",
                "window": {"earliest": "06:00", "latest": "07:00"}
            }),
        )
        .await;
    elsewhere.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(elsewhere.error_fields(), ["areaId"]);
    let closure = app
        .post(
            &admin,
            "/v1/closures",
            json!({"siteId": "nope", "from": "2026-12-24", "to": "2026-12-23", "reason": "x"}),
        )
        .await;
    closure.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(closure.error_fields(), ["to"]);

    let calendar = app
        .created(
            &admin,
            "/v1/calendars",
            json!({
                "siteId": seed.site, "name": "x", "rrule": "FREQ=DAILY;COUNT=3",
                "startDate": "2026-01-01", "window": {"earliest": "06:00", "latest": "07:00"}
            }),
        )
        .await
        .id();
    for (query, fields) in [
        ("from=2026-01-01", vec!["to"]),
        ("from=2026-01-05&to=2026-01-01", vec!["to"]),
        ("from=2026-01-01&to=2027-06-01", vec!["to"]),
        ("from=yesterday&to=2026-01-01&x=1", vec!["from", "x"]),
    ] {
        let reply = app
            .get(
                &admin,
                &format!("/v1/calendars/{calendar}/occurrences?{query}"),
            )
            .await;
        reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(reply.error_fields(), fields, "{query}");
    }
    // COUNT ends the rule.
    let counted = app
        .get(
            &admin,
            &format!("/v1/calendars/{calendar}/occurrences?from=2026-01-01&to=2026-01-31"),
        )
        .await;
    assert_eq!(counted.body["occurrences"].as_array().unwrap().len(), 3);
    let after = app.get(&admin, "/v1/calendars").await.body["items"].clone();
    assert_eq!(
        after.as_array().unwrap().len(),
        before.as_array().unwrap().len() + 1
    );
}

#[tokio::test]
async fn other_tenants_and_customers_see_no_schedules() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let seed = seed(&app, &admin).await;
    let calendar = app
        .created(
            &admin,
            "/v1/calendars",
            json!({
                "siteId": seed.site, "name": "Daily", "rrule": "FREQ=DAILY",
                "startDate": "2026-01-01", "window": {"earliest": "06:00", "latest": "07:00"}
            }),
        )
        .await;
    let intruder = app.token("globex", Role::Admin);
    let path = format!("/v1/calendars/{}", calendar.id());
    app.get(&intruder, &path)
        .await
        .assert_problem(StatusCode::NOT_FOUND);
    app.get(
        &intruder,
        &format!("{path}/occurrences?from=2026-01-01&to=2026-01-02"),
    )
    .await
    .assert_problem(StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&intruder, "/v1/calendars").await.body["items"],
        json!([])
    );
    // Another tenant's site cannot be scheduled, nor its calendar changed.
    let foreign = app
        .post(
            &intruder,
            "/v1/calendars",
            json!({
                "siteId": seed.site, "name": "x", "rrule": "FREQ=DAILY",
                "startDate": "2026-01-01", "window": {"earliest": "06:00", "latest": "07:00"}
            }),
        )
        .await;
    assert_eq!(foreign.error_fields(), ["siteId"]);
    app.send(
        Method::DELETE,
        &path,
        Some(&intruder),
        None,
        Some(&calendar.etag()),
    )
    .await
    .assert_problem(StatusCode::NOT_FOUND);

    let cleaner = app.token("acme", Role::Cleaner);
    assert_eq!(app.get(&cleaner, &path).await.status, StatusCode::OK);
    app.post(
        &cleaner,
        "/v1/closures",
        json!({"from": "2026-01-01", "to": "2026-01-01", "reason": "x"}),
    )
    .await
    .assert_problem(StatusCode::FORBIDDEN);
    let customer = app.token("acme", Role::Customer);
    app.get(&customer, &path)
        .await
        .assert_problem(StatusCode::FORBIDDEN);
    app.get(&customer, "/v1/closures")
        .await
        .assert_problem(StatusCode::FORBIDDEN);
}
