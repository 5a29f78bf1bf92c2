//! The tours function over real sockets, on a fresh store per test, with the sites and
//! calendars functions on the same store for the data tours refer to.

use axum::Router;
use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Berlin;
use platform::Role;
use platform::testing::{Reply, TestApp, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn start() -> TestApp {
    let routes: Router<platform::AppState> = tours::router();
    spawn_app(routes, platform::HttpConfig::default()).await
}

fn site(name: &str, customer: &str) -> Value {
    let mut site = platform::testing::site_json(name, 52.52, 13.39);
    site["customerId"] = json!(customer);
    site
}

struct Seed {
    site: String,
    other_site: String,
    /// 30, 60 and 15 minutes per cleaning.
    lobby: String,
    office: String,
    kitchen: String,
}

/// A site of customer c1 with three areas cleaned daily 05:00-22:00, and a site of c2.
async fn seed(app: &TestApp, token: &str) -> Seed {
    let site_id = app
        .seed::<domain::sites::Site>(token, site("HQ", "c1"))
        .await
        .id();
    let other_site = app
        .seed::<domain::sites::Site>(token, site("Depot", "c2"))
        .await
        .id();
    let area_type = app
        .seed::<domain::sites::AreaType>(
            token,
            json!({"name": "Office", "performanceSqmPerHour": 200, "cleaningsPerWeek": 7}),
        )
        .await
        .id();
    let mut areas = Vec::new();
    for (name, size) in [("Lobby", 100), ("Office", 200), ("Kitchen", 50)] {
        let body =
            json!({"siteId": site_id, "name": name, "sizeSqm": size, "areaTypeId": area_type});
        areas.push(app.seed::<domain::sites::Area>(token, body).await.id());
    }
    app.seed::<domain::calendars::Calendar>(
        token,
        json!({
            "siteId": site_id, "name": "Daily", "rrule": "FREQ=DAILY", "startDate": "2026-01-01",
            "window": {"earliest": "05:00", "latest": "22:00"}
        }),
    )
    .await;
    Seed {
        site: site_id,
        other_site,
        lobby: areas[0].clone(),
        office: areas[1].clone(),
        kitchen: areas[2].clone(),
    }
}

fn every_day(areas: &[&str]) -> Value {
    let days: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| json!({"day": d, "areaIds": areas}))
        .collect();
    Value::from(days)
}

fn tour(name: &str, cleaner: &str, cap: u32, areas: &[&str]) -> Value {
    json!({
        "name": name, "cleanerId": cleaner, "tourType": "regular", "startTime": "06:00",
        "maxMinutesPerDay": cap, "days": every_day(areas)
    })
}

/// Yesterday in Berlin at `hh:mm`, as RFC 3339 (check-ins may be synced up to a week late).
fn yesterday_at(hour: u32, minute: u32) -> (NaiveDate, String) {
    let date = Utc::now().with_timezone(&Berlin).date_naive() - Duration::days(1);
    let local = Berlin
        .from_local_datetime(&date.and_hms_opt(hour, minute, 0).unwrap())
        .earliest()
        .unwrap();
    (date, local.to_rfc3339())
}

async fn code_of(app: &TestApp, token: &str, area: &str) -> String {
    let reply = app.get(token, &format!("/v1/check-in-codes/{area}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["code"].as_str().unwrap().to_owned()
}

async fn check_out(app: &TestApp, token: &str, visit: &Reply, body: Value) -> Reply {
    app.send(
        Method::POST,
        &format!("/v1/visits/{}/check-out", visit.id()),
        Some(token),
        Some(body),
        Some(&visit.etag()),
    )
    .await
}

#[tokio::test]
async fn a_tour_over_its_cap_is_refused_or_flagged_as_the_tenant_configures() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let seed = seed(&app, &admin).await;
    let over = tour("Early", "maria", 60, &[&seed.lobby, &seed.office]);

    // By default an overload is refused, naming each overloaded day.
    let refused = app.post(&admin, "/v1/tours", over.clone()).await;
    refused.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.error_fields().len(), 7, "{}", refused.body);
    assert_eq!(refused.error_fields()[0], "days[0]");
    let message = refused.body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("90 minutes") && message.contains("30 over"),
        "{message}"
    );
    assert_eq!(app.get(&admin, "/v1/tours").await.body["items"], json!([]));

    // The tenant switches to flagging.
    let settings = app.get(&admin, "/v1/tour-settings").await;
    assert_eq!(settings.body["overload"], "refuse");
    assert_eq!(settings.etag(), "\"0\"");
    let dispatcher = app.token("acme", Role::Dispatcher);
    app.send(
        Method::PUT,
        "/v1/tour-settings",
        Some(&dispatcher),
        Some(json!({"overload": "flag"})),
        Some("\"0\""),
    )
    .await
    .assert_problem(StatusCode::FORBIDDEN);
    let saved = app
        .send(
            Method::PUT,
            "/v1/tour-settings",
            Some(&admin),
            Some(json!({"overload": "flag"})),
            Some("\"0\""),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let stale = app
        .send(
            Method::PUT,
            "/v1/tour-settings",
            Some(&admin),
            Some(json!({"overload": "refuse"})),
            Some("\"0\""),
        )
        .await;
    stale.assert_problem(StatusCode::PRECONDITION_FAILED);
    let bad = app
        .send(
            Method::PUT,
            "/v1/tour-settings",
            Some(&admin),
            Some(json!({"overload": "ignore"})),
            Some(&saved.etag()),
        )
        .await;
    assert_eq!(bad.error_fields(), ["overload"]);

    let flagged = app.created(&admin, "/v1/tours", over).await;
    assert_eq!(flagged.body["load"][0]["plannedMinutes"], 90.0);
    assert_eq!(flagged.body["load"][0]["overByMinutes"], 30.0);
    assert_eq!(flagged.body["warnings"].as_array().unwrap().len(), 7);
    let within = app
        .created(
            &admin,
            "/v1/tours",
            tour("Late", "maria", 60, &[&seed.kitchen]),
        )
        .await;
    assert_eq!(within.body["load"][0]["plannedMinutes"], 15.0);
    assert_eq!(within.body["warnings"], json!([]));
}

#[tokio::test]
async fn bad_tours_are_422s_naming_each_field_and_change_nothing() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let seed = seed(&app, &admin).await;
    let reply = app
        .post(
            &admin,
            "/v1/tours",
            json!({
                "name": "", "cleanerId": "maria", "tourType": "nap", "startTime": "25:00",
                "maxMinutesPerDay": 30.5,
                "days": [{"day": "mon", "areaIds": [seed.lobby, "missing"]}, {"day": "funday"}]
            }),
        )
        .await;
    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply.error_fields(),
        [
            "name",
            "tourType",
            "startTime",
            "maxMinutesPerDay",
            "days[1].day"
        ]
    );
    let unknown = app
        .post(
            &admin,
            "/v1/tours",
            tour("x", "maria", 600, &[&seed.lobby, "missing"]),
        )
        .await;
    unknown.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.error_fields()[0], "days[0].areaIds[1]");
    assert_eq!(app.get(&admin, "/v1/tours").await.body["items"], json!([]));
}

#[tokio::test]
async fn a_cleaner_sees_only_her_own_tours_and_tour_sheet() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let seed = seed(&app, &admin).await;
    let marias = app
        .created(
            &admin,
            "/v1/tours",
            tour("Maria early", "maria", 480, &[&seed.office, &seed.lobby]),
        )
        .await
        .id();
    let janas = app
        .created(
            &admin,
            "/v1/tours",
            tour("Jana late", "jana", 480, &[&seed.kitchen]),
        )
        .await
        .id();
    let maria = app.token_of("acme", "maria", Role::Cleaner, None);

    // 23 November 2026 is a Monday, in winter time.
    let sheet = app.get(&maria, "/v1/tour-sheets?date=2026-11-23").await;
    assert_eq!(sheet.status, StatusCode::OK, "{}", sheet.body);
    assert_eq!(sheet.body["cleanerId"], "maria");
    let tours = sheet.body["tours"].as_array().unwrap();
    assert_eq!(tours.len(), 1);
    assert_eq!(tours[0]["tourId"], marias.as_str());
    assert_eq!(tours[0]["plannedMinutes"], 90.0);
    let stops = tours[0]["stops"].as_array().unwrap();
    let order: Vec<&str> = stops
        .iter()
        .map(|s| s["areaName"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["Office", "Lobby"]);
    assert_eq!(stops[0]["plannedStart"], "2026-11-23T06:00:00+01:00");
    assert_eq!(stops[1]["plannedStart"], "2026-11-23T07:00:00+01:00");
    assert_eq!(stops[1]["plannedEnd"], "2026-11-23T07:30:00+01:00");
    assert_eq!(
        stops[0]["windows"],
        json!([{"earliest": "05:00", "latest": "22:00"}])
    );
    // Without a date: today's.
    let today = app.get(&maria, "/v1/tour-sheets").await;
    assert_eq!(today.status, StatusCode::OK, "{}", today.body);
    assert_eq!(
        today.body["date"],
        Utc::now().with_timezone(&Berlin).date_naive().to_string()
    );

    app.get(&maria, "/v1/tour-sheets?date=2026-11-23&cleanerId=jana")
        .await
        .assert_problem(StatusCode::FORBIDDEN);
    let listed = app.get(&maria, "/v1/tours").await;
    let ids: Vec<&str> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [marias.as_str()]);
    assert_eq!(
        app.get(&maria, "/v1/tours?cleanerId=jana").await.body["items"],
        json!([])
    );
    app.get(&maria, &format!("/v1/tours/{janas}"))
        .await
        .assert_problem(StatusCode::NOT_FOUND);
    let jana = app.token_of("acme", "jana", Role::Cleaner, None);
    let janas_sheet = app.get(&jana, "/v1/tour-sheets?date=2026-11-23").await;
    assert_eq!(janas_sheet.body["tours"][0]["tourId"], janas.as_str());

    // Dispatchers look at anyone's sheet, naming her; customers at none.
    let dispatcher = app.token("acme", Role::Dispatcher);
    let hers = app
        .get(
            &dispatcher,
            "/v1/tour-sheets?cleanerId=jana&date=2026-11-23",
        )
        .await;
    assert_eq!(hers.body["tours"][0]["tourId"], janas.as_str());
    let unnamed = app
        .get(&dispatcher, "/v1/tour-sheets?date=2026-11-23")
        .await;
    assert_eq!(unnamed.error_fields(), ["cleanerId"]);
    let customer = app.token("acme", Role::Customer);
    app.get(&customer, "/v1/tour-sheets")
        .await
        .assert_problem(StatusCode::FORBIDDEN);
    app.get(&customer, "/v1/tours")
        .await
        .assert_problem(StatusCode::FORBIDDEN);
    // Another tenant's cleaner of the same name has no tours here.
    let impostor = app.token_of("globex", "maria", Role::Cleaner, None);
    let empty = app.get(&impostor, "/v1/tour-sheets?date=2026-11-23").await;
    assert_eq!(empty.body["tours"], json!([]));
}

#[tokio::test]
async fn check_in_with_a_valid_code_records_a_visit_and_forged_or_foreign_codes_do_not() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let seed = seed(&app, &admin).await;
    let maria = app.token_of("acme", "maria", Role::Cleaner, None);
    let code = code_of(&app, &admin, &seed.lobby).await;
    assert!(code.starts_with(&format!("CO1.{}.", seed.lobby)), "{code}");
    // A site's labels print at once, the same codes.
    let labels = app
        .get(&admin, &format!("/v1/check-in-codes?siteId={}", seed.site))
        .await;
    let lobby_label = labels.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["areaId"] == seed.lobby.as_str())
        .unwrap();
    assert_eq!(lobby_label["code"], code.as_str());
    assert_eq!(labels.body["items"].as_array().unwrap().len(), 3);
    app.get(&maria, &format!("/v1/check-in-codes/{}", seed.lobby))
        .await
        .assert_problem(StatusCode::FORBIDDEN);

    // Another tenant's area and code.
    let globex = app.token("globex", Role::Admin);
    let globex_seed = seed_other(&app, &globex).await;
    let foreign_code = code_of(&app, &globex, &globex_seed).await;
    // The same area id signed for another tenant, and a tampered signature.
    let moved = foreign_code.replace(&globex_seed, &seed.lobby);
    let mut forged = code.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    let (_, at) = yesterday_at(10, 0);
    for bad in [
        forged.as_str(),
        foreign_code.as_str(),
        moved.as_str(),
        "CO1.x",
        "",
    ] {
        let reply = app
            .post(
                &maria,
                "/v1/visits/check-in",
                json!({"code": bad, "at": at}),
            )
            .await;
        reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(reply.error_fields(), ["code"], "{bad}");
    }
    // The acme code does not work in globex either.
    let globex_cleaner = app.token_of("globex", "maria", Role::Cleaner, None);
    let across = app
        .post(
            &globex_cleaner,
            "/v1/visits/check-in",
            json!({"code": code}),
        )
        .await;
    assert_eq!(across.error_fields(), ["code"]);
    assert_eq!(app.get(&admin, "/v1/visits").await.body["items"], json!([]));

    // A valid code records the visit; a retry gets the same open visit.
    let visit = app
        .created(
            &maria,
            "/v1/visits/check-in",
            json!({"code": code, "at": at}),
        )
        .await;
    assert_eq!(visit.body["areaId"], seed.lobby.as_str());
    assert_eq!(visit.body["siteId"], seed.site.as_str());
    assert_eq!(visit.body["cleanerId"], "maria");
    assert_eq!(visit.body["status"], "in-progress");
    assert_eq!(visit.body["flags"], json!([]));
    let again = app
        .post(
            &maria,
            "/v1/visits/check-in",
            json!({"code": code, "at": at}),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.id(), visit.id());

    // Check-out: a reason for anything but done, the current version, and only once.
    let no_reason = check_out(&app, &maria, &visit, json!({"status": "skipped"})).await;
    assert_eq!(no_reason.error_fields(), ["reason"]);
    let (_, out_at) = yesterday_at(10, 25);
    let done = check_out(
        &app,
        &maria,
        &visit,
        json!({"status": "done", "at": out_at}),
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body["durationMinutes"], 25.0);
    assert_eq!(done.body["status"], "done");
    check_out(&app, &maria, &visit, json!({"status": "done"}))
        .await
        .assert_problem(StatusCode::PRECONDITION_FAILED);

    // Outside the window (05:00-22:00) the visit is recorded with a flag saying so.
    let (_, late) = yesterday_at(23, 30);
    let flagged = app
        .created(
            &maria,
            "/v1/visits/check-in",
            json!({"code": code, "at": late}),
        )
        .await;
    assert_eq!(flagged.body["flags"][0]["code"], "outside-window");
    assert!(
        flagged.body["flags"][0]["message"]
            .as_str()
            .unwrap()
            .contains("23:30")
    );
    // A client clock in the future, or a check-in older than a week, is refused.
    let future = (Utc::now() + Duration::hours(1)).to_rfc3339();
    let reply = app
        .post(
            &maria,
            "/v1/visits/check-in",
            json!({"code": code, "at": future}),
        )
        .await;
    assert_eq!(reply.error_fields(), ["at"]);

    // Visits are the cleaner's own, and nobody else's tenant's.
    let jana = app.token_of("acme", "jana", Role::Cleaner, None);
    assert_eq!(app.get(&jana, "/v1/visits").await.body["items"], json!([]));
    check_out(&app, &jana, &flagged, json!({"status": "done"}))
        .await
        .assert_problem(StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&globex, "/v1/visits").await.body["items"],
        json!([])
    );
    assert_eq!(
        app.get(&admin, "/v1/visits").await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    app.send(
        Method::DELETE,
        &format!("/v1/visits/{}", visit.id()),
        Some(&admin),
        None,
        Some(&done.etag()),
    )
    .await
    .assert_problem(StatusCode::FORBIDDEN);
}

/// A site and area in another tenant; returns the area.
async fn seed_other(app: &TestApp, token: &str) -> String {
    let site_id = app
        .seed::<domain::sites::Site>(token, site("Plant", "g1"))
        .await
        .id();
    let area_type = app
        .seed::<domain::sites::AreaType>(
            token,
            json!({"name": "Hall", "performanceSqmPerHour": 400, "cleaningsPerWeek": 1}),
        )
        .await
        .id();
    app.seed::<domain::sites::Area>(
        token,
        json!({"siteId": site_id, "name": "Hall", "sizeSqm": 1000, "areaTypeId": area_type}),
    )
    .await
    .id()
}

#[tokio::test]
async fn a_retried_check_in_with_a_visit_id_records_one_visit() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let seed = seed(&app, &admin).await;
    let maria = app.token_of("acme", "maria", Role::Cleaner, None);
    let code = code_of(&app, &admin, &seed.office).await;
    let body = json!({"code": code, "visitId": "0b8a3c5e-phone-1"});
    let replies = parallel_check_ins(&app, &maria, body).await;
    let created = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    assert_eq!(created, 1);
    assert!(replies.iter().all(|r| r.id() == "0b8a3c5e-phone-1"));
    assert_eq!(
        app.get(&admin, "/v1/visits").await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

async fn parallel_check_ins(app: &TestApp, token: &str, body: Value) -> Vec<Reply> {
    let mut handles = Vec::new();
    for _ in 0..8 {
        let (url, token, body) = (
            app.url("/v1/visits/check-in"),
            token.to_owned(),
            body.clone(),
        );
        handles.push(tokio::spawn(async move {
            let response = reqwest::Client::new()
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = response.status();
            let headers = response.headers().clone();
            let body: Value = response.json().await.unwrap();
            Reply {
                status,
                headers,
                body,
            }
        }));
    }
    let mut replies = Vec::new();
    for handle in handles {
        replies.push(handle.await.unwrap());
    }
    replies
}

#[tokio::test]
async fn proof_of_service_counts_match_the_visits_and_customers_see_only_their_sites() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let seed = seed(&app, &admin).await;
    let maria = app.token_of("acme", "maria", Role::Cleaner, None);
    let (day, _) = yesterday_at(0, 0);
    let month = format!("{:04}-{:02}", day.year(), day.month());
    let days_in_month = {
        let first = NaiveDate::from_ymd_opt(day.year(), day.month(), 1).unwrap();
        let next = first.checked_add_months(chrono::Months::new(1)).unwrap();
        (next - first).num_days() as usize
    };
    // One closed day in the month, not the day of the visits.
    let closed = NaiveDate::from_ymd_opt(
        day.year(),
        day.month(),
        if day.day() == 15 { 16 } else { 15 },
    )
    .unwrap();
    app.seed::<domain::calendars::Closure>(&admin,
        json!({"siteId": seed.site, "from": closed.to_string(), "to": closed.to_string(), "reason": "Inventory"}),
    )
    .await;

    let lobby = code_of(&app, &admin, &seed.lobby).await;
    let office = code_of(&app, &admin, &seed.office).await;
    for (code, status, reason, hour) in [
        (&lobby, "done", None, 8),
        (&lobby, "done", None, 12),
        (&office, "skipped", Some("meeting in the room"), 9),
        (&office, "not-accessible", Some("locked"), 13),
    ] {
        let (_, at) = yesterday_at(hour, 0);
        let visit = app
            .created(
                &maria,
                "/v1/visits/check-in",
                json!({"code": code, "at": at}),
            )
            .await;
        let (_, out) = yesterday_at(hour, 20);
        let mut body = json!({"status": status, "at": out});
        if let Some(reason) = reason {
            body["reason"] = json!(reason);
        }
        assert_eq!(
            check_out(&app, &maria, &visit, body).await.status,
            StatusCode::OK
        );
    }
    // Still open: not counted.
    let (_, at) = yesterday_at(15, 0);
    let kitchen = code_of(&app, &admin, &seed.kitchen).await;
    app.created(
        &maria,
        "/v1/visits/check-in",
        json!({"code": kitchen, "at": at}),
    )
    .await;

    let path = format!("/v1/proof-of-service?siteId={}&month={month}", seed.site);
    let proof = app.get(&admin, &path).await;
    assert_eq!(proof.status, StatusCode::OK, "{}", proof.body);
    let planned = days_in_month - 1;
    let rows: Vec<(String, u64, u64, u64, u64)> = proof.body["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["areaName"].as_str().unwrap().to_owned(),
                r["planned"].as_u64().unwrap(),
                r["done"].as_u64().unwrap(),
                r["skipped"].as_u64().unwrap(),
                r["notAccessible"].as_u64().unwrap(),
            )
        })
        .collect();
    let p = planned as u64;
    assert_eq!(
        rows,
        [
            ("Kitchen".to_owned(), p, 0, 0, 0),
            ("Lobby".to_owned(), p, 2, 0, 0),
            ("Office".to_owned(), p, 0, 1, 1)
        ]
    );
    assert_eq!(proof.body["totals"]["planned"], 3 * planned);
    assert_eq!(proof.body["totals"]["done"], 2);
    assert_eq!(proof.body["totals"]["skipped"], 1);
    assert_eq!(proof.body["totals"]["notAccessible"], 1);

    // The site's customer reads the same; another customer, a cleaner, a stranger do not.
    let customer = app.token_of("acme", "c1-user", Role::Customer, Some("c1"));
    let theirs = app.get(&customer, &path).await;
    assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.body);
    assert_eq!(theirs.body["areas"], proof.body["areas"]);
    let other_customer = app.token_of("acme", "c2-user", Role::Customer, Some("c2"));
    app.get(&other_customer, &path)
        .await
        .assert_problem(StatusCode::NOT_FOUND);
    app.get(
        &customer,
        &format!(
            "/v1/proof-of-service?siteId={}&month={month}",
            seed.other_site
        ),
    )
    .await
    .assert_problem(StatusCode::NOT_FOUND);
    app.get(&maria, &path)
        .await
        .assert_problem(StatusCode::FORBIDDEN);
    app.get(&app.token("globex", Role::Admin), &path)
        .await
        .assert_problem(StatusCode::NOT_FOUND);
    let bad = app
        .get(
            &admin,
            &format!("/v1/proof-of-service?siteId={}&month=2026-13", seed.site),
        )
        .await;
    assert_eq!(bad.error_fields(), ["month"]);
    // Another customer's site is as if it did not exist.
    app.get(
        &customer,
        &format!(
            "/v1/inspections/summary?siteId={}&month=2026-11",
            seed.other_site
        ),
    )
    .await
    .assert_problem(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn inspections_are_scored_and_summed_up_per_site_and_month() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let seed = seed(&app, &admin).await;
    let dispatcher = app.token_of("acme", "ines", Role::Dispatcher, None);
    let first = app
        .created(
            &dispatcher,
            "/v1/inspections",
            json!({
                "siteId": seed.site, "date": "2026-11-02",
                "areas": [
                    {"areaId": seed.lobby, "appaLevel": 1},
                    {"areaId": seed.office, "appaLevel": 3, "note": "dust on sills"}
                ]
            }),
        )
        .await;
    assert_eq!(first.body["scorePercent"], 75.0);
    assert_eq!(first.body["inspectorId"], "ines");
    app.created(
        &dispatcher,
        "/v1/inspections",
        json!({
            "siteId": seed.site, "date": "2026-11-20",
            "areas": [{"areaId": seed.kitchen, "checklist": [
                {"item": "sink", "passed": true}, {"item": "floor", "passed": true},
                {"item": "bins", "passed": false}, {"item": "fridge", "passed": true}
            ]}]
        }),
    )
    .await;
    app.created(
        &dispatcher,
        "/v1/inspections",
        json!({"siteId": seed.site, "date": "2026-12-01", "areas": [{"areaId": seed.lobby, "appaLevel": 5}]}),
    )
    .await;
    let summary = app
        .get(
            &admin,
            &format!("/v1/inspections/summary?siteId={}&month=2026-11", seed.site),
        )
        .await;
    assert_eq!(summary.status, StatusCode::OK, "{}", summary.body);
    assert_eq!(summary.body["inspections"], 2);
    assert_eq!(summary.body["inspectedAreas"], 3);
    assert_eq!(summary.body["scorePercent"], 75.0, "(100 + 50 + 75) / 3");
    let customer = app.token_of("acme", "c1-user", Role::Customer, Some("c1"));
    let theirs = app
        .get(
            &customer,
            &format!("/v1/inspections/summary?siteId={}&month=2026-11", seed.site),
        )
        .await;
    assert_eq!(theirs.body["scorePercent"], 75.0);
    app.get(&customer, "/v1/inspections")
        .await
        .assert_problem(StatusCode::FORBIDDEN);

    let bad = app
        .post(
            &dispatcher,
            "/v1/inspections",
            json!({
                "siteId": seed.site, "date": "2026-11-31", "inspectorId": "someone-else",
                "areas": [
                    {"areaId": seed.lobby, "appaLevel": 0},
                    {"areaId": seed.office, "appaLevel": 2, "checklist": []}
                ]
            }),
        )
        .await;
    bad.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad.error_fields(),
        ["date", "areas[0].appaLevel", "areas[1].checklist"]
    );
    let elsewhere = app
        .post(
            &dispatcher,
            "/v1/inspections",
            json!({"siteId": seed.other_site, "date": "2026-11-03", "areas": [{"areaId": seed.lobby, "appaLevel": 2}]}),
        )
        .await;
    assert_eq!(elsewhere.error_fields(), ["areas[0].areaId"]);
    let cleaner = app.token("acme", Role::Cleaner);
    app.post(
        &cleaner,
        "/v1/inspections",
        json!({"siteId": seed.site, "date": "2026-11-03", "areas": [{"areaId": seed.lobby, "appaLevel": 2}]}),
    )
    .await
    .assert_problem(StatusCode::FORBIDDEN);
}

/// Parses an iCalendar text with Python's `icalendar` package; returns its events as JSON.
fn parse_with_icalendar(text: &str) -> Value {
    use std::io::Write as _;
    let script = r#"
import json, sys, icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
events = []
for e in cal.walk("VEVENT"):
    events.append({
        "uid": str(e["UID"]),
        "summary": str(e["SUMMARY"]),
        "start": e.decoded("DTSTART").isoformat(),
        "end": e.decoded("DTEND").isoformat(),
        "description": str(e.get("DESCRIPTION", "")),
        "location": str(e.get("LOCATION", "")),
    })
print(json.dumps({"name": str(cal.get("X-WR-CALNAME")), "events": events}))
"#;
    let python = std::env::var("CLEANOPS_PYTHON").unwrap_or_else(|_| "python3".into());
    let mut child = std::process::Command::new(&python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}; scripts/test installs icalendar"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "icalendar refused the feed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[tokio::test]
async fn the_ics_feed_parses_with_an_independent_parser_and_can_be_revoked() {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let seed = seed(&app, &admin).await;
    let janas = app
        .created(
            &admin,
            "/v1/tours",
            tour("Jana late", "jana", 480, &[&seed.kitchen]),
        )
        .await
        .id();
    let marias = app
        .created(
            &admin,
            "/v1/tours",
            json!({
                "name": "Maria early", "cleanerId": "maria", "startTime": "06:00",
                "maxMinutesPerDay": 480,
                "days": [
                    {"day": "mon", "areaIds": [seed.office, seed.lobby]},
                    {"day": "thu", "areaIds": [seed.kitchen]}
                ]
            }),
        )
        .await
        .id();
    let maria = app.token_of("acme", "maria", Role::Cleaner, None);
    // A cleaner subscribes to her own schedule only.
    let not_hers = app
        .post(&maria, "/v1/feed-tokens", json!({"cleanerId": "jana"}))
        .await;
    assert_eq!(not_hers.error_fields(), ["cleanerId"]);
    let feed = app
        .created(
            &maria,
            "/v1/feed-tokens",
            json!({"cleanerId": "maria", "name": "My tours"}),
        )
        .await;
    let url = feed.body["url"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with("/v1/feeds/acme.") && url.ends_with(".ics"),
        "{url}"
    );

    // Calendar apps send no Authorization header.
    let response = reqwest::get(app.url(&url)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    let text = response.text().await.unwrap();
    assert!(text.contains("\r\n"), "CRLF line ends");
    let parsed = parse_with_icalendar(&text);
    assert_eq!(parsed["name"], "My tours");
    let events = parsed["events"].as_array().unwrap();
    // Eight weeks ahead and one back: 9 or 10 Mondays and Thursdays each.
    let mondays = events
        .iter()
        .filter(|e| e["summary"] == "Maria early: 2 areas")
        .count();
    let thursdays = events
        .iter()
        .filter(|e| e["summary"] == "Maria early: 1 area")
        .count();
    assert!((9..=10).contains(&mondays), "{mondays}");
    assert!((9..=10).contains(&thursdays), "{thursdays}");
    assert_eq!(events.len(), mondays + thursdays);
    // A Monday's event runs from 06:00 Berlin time for 90 minutes, listing the stops in order.
    let monday = events
        .iter()
        .find(|e| e["summary"] == "Maria early: 2 areas")
        .unwrap();
    let start = chrono::DateTime::parse_from_rfc3339(monday["start"].as_str().unwrap())
        .unwrap()
        .with_timezone(&Berlin);
    let end = chrono::DateTime::parse_from_rfc3339(monday["end"].as_str().unwrap()).unwrap();
    assert_eq!(start.format("%a %H:%M").to_string(), "Mon 06:00");
    assert_eq!((end - start.fixed_offset()).num_minutes(), 90);
    let description = monday["description"].as_str().unwrap();
    assert!(
        description.find("Office").unwrap() < description.find("Lobby").unwrap(),
        "{description}"
    );
    assert!(
        monday["location"]
            .as_str()
            .unwrap()
            .contains("Friedrichstr. 1")
    );
    // The token also works as a query parameter; without one the feed is a 401.
    let token = feed.body["token"].as_str().unwrap();
    let by_query = reqwest::get(app.url(&format!("/v1/feeds?token={token}")))
        .await
        .unwrap();
    assert_eq!(by_query.status(), StatusCode::OK);
    assert_eq!(
        by_query
            .text()
            .await
            .unwrap()
            .matches("BEGIN:VEVENT")
            .count(),
        events.len()
    );
    assert_eq!(
        reqwest::get(app.url("/v1/feeds")).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let uids: std::collections::BTreeSet<&str> =
        events.iter().map(|e| e["uid"].as_str().unwrap()).collect();
    assert_eq!(uids.len(), events.len(), "UIDs are unique");

    // A feed of one tour holds that tour's events only; only its cleaner (or a planner) makes one.
    let tour_feed = app
        .created(&maria, "/v1/feed-tokens", json!({"tourId": marias}))
        .await;
    let tour_events = parse_with_icalendar(
        &reqwest::get(app.url(tour_feed.body["url"].as_str().unwrap()))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    assert_eq!(tour_events["name"], "cleanops: Maria early");
    assert_eq!(
        tour_events["events"].as_array().unwrap().len(),
        events.len()
    );
    let not_her_tour = app
        .post(&maria, "/v1/feed-tokens", json!({"tourId": janas}))
        .await;
    assert_eq!(not_her_tour.error_fields(), ["tourId"]);
    let both = app
        .post(
            &admin,
            "/v1/feed-tokens",
            json!({"tourId": janas, "cleanerId": "jana"}),
        )
        .await;
    assert_eq!(both.error_fields(), ["tourId"]);

    // A tampered or foreign token gets nothing; a revoked one neither.
    let forged = url.replace("acme.", "globex.");
    assert_eq!(
        reqwest::get(app.url(&forged)).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let jana = app.token_of("acme", "jana", Role::Cleaner, None);
    assert_eq!(
        app.get(&jana, "/v1/feed-tokens").await.body["items"],
        json!([])
    );
    let revoked = app
        .send(
            Method::DELETE,
            &format!("/v1/feed-tokens/{}", feed.id()),
            Some(&maria),
            None,
            Some(&feed.etag()),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    assert_eq!(
        reqwest::get(app.url(&url)).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}
