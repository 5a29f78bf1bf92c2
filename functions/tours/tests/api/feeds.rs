//! `/v1/feed-tokens` and `GET /v1/feeds/{token}.ics`: revocable iCalendar feeds, read by an
//! independent parser (Python's `icalendar`).

use chrono_tz::Europe::Berlin;
use platform::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Scene, parse_with_icalendar, scene, tour};

/// Jana's tour (the kitchen, daily) and Maria's (office and lobby on Mondays, the kitchen on
/// Thursdays); their ids.
async fn with_tours() -> (Scene, String, String) {
    let s = scene().await;
    let janas = tour("Jana late", "jana", 480, &[&s.seed.kitchen]);
    let janas = s.app.created(&s.admin, "/v1/tours", janas).await.id();
    let marias = json!({
        "name": "Maria early", "cleanerId": "maria", "startTime": "06:00", "maxMinutesPerDay": 480,
        "days": [{"day": "mon", "areaIds": [s.seed.office, s.seed.lobby]},
                 {"day": "thu", "areaIds": [s.seed.kitchen]}]
    });
    let marias = s.app.created(&s.admin, "/v1/tours", marias).await.id();
    (s, janas, marias)
}

/// Maria's feed of her own schedule: the create reply.
async fn marias_feed(s: &Scene) -> platform::testing::Reply {
    let body = json!({"cleanerId": "maria", "name": "My tours"});
    s.app.created(&s.maria, "/v1/feed-tokens", body).await
}

/// The feed at `url` (no Authorization header, as calendar apps send), parsed.
async fn parsed(s: &Scene, url: &str) -> Value {
    let text = reqwest::get(s.app.url(url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    parse_with_icalendar(&text)
}

fn count(events: &[Value], summary: &str) -> usize {
    events.iter().filter(|e| e["summary"] == summary).count()
}

#[tokio::test]
async fn a_cleaner_subscribes_to_her_own_schedule_only() {
    let (s, _, _) = with_tours().await;
    let not_hers = s
        .app
        .post(&s.maria, "/v1/feed-tokens", json!({"cleanerId": "jana"}))
        .await;
    assert_eq!(not_hers.error_fields(), ["cleanerId"]);
    let feed = marias_feed(&s).await;
    let url = feed.body["url"].as_str().unwrap();
    assert!(
        url.starts_with("/v1/feeds/acme.") && url.ends_with(".ics"),
        "{url}"
    );
}

#[tokio::test]
async fn the_feed_is_text_calendar_with_crlf_lines_and_its_name() {
    let (s, _, _) = with_tours().await;
    let feed = marias_feed(&s).await;
    let response = reqwest::get(s.app.url(feed.body["url"].as_str().unwrap()))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    let text = response.text().await.unwrap();
    assert!(text.contains("\r\n"), "CRLF line ends");
    assert_eq!(parse_with_icalendar(&text)["name"], "My tours");
}

#[tokio::test]
async fn the_feed_holds_a_week_back_and_eight_ahead_each_event_once() {
    let (s, _, _) = with_tours().await;
    let feed = marias_feed(&s).await;
    let parsed = parsed(&s, feed.body["url"].as_str().unwrap()).await;
    let events = parsed["events"].as_array().unwrap();
    let (mondays, thursdays) = (
        count(events, "Maria early: 2 areas"),
        count(events, "Maria early: 1 area"),
    );
    assert!((9..=10).contains(&mondays), "{mondays}");
    assert!((9..=10).contains(&thursdays), "{thursdays}");
    assert_eq!(events.len(), mondays + thursdays);
    let uids: std::collections::BTreeSet<&str> =
        events.iter().map(|e| e["uid"].as_str().unwrap()).collect();
    assert_eq!(uids.len(), events.len(), "UIDs are unique");
}

#[tokio::test]
async fn an_event_spans_the_day_from_the_start_time_listing_the_stops_in_order() {
    let (s, _, _) = with_tours().await;
    let feed = marias_feed(&s).await;
    let parsed = parsed(&s, feed.body["url"].as_str().unwrap()).await;
    let events = parsed["events"].as_array().unwrap();
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
    let (office, lobby) = (description.find("Office"), description.find("Lobby"));
    assert!(office.unwrap() < lobby.unwrap(), "{description}");
    assert!(
        monday["location"]
            .as_str()
            .unwrap()
            .contains("Friedrichstr. 1")
    );
}

#[tokio::test]
async fn the_token_also_works_as_a_query_parameter_and_without_one_the_feed_is_a_401() {
    let (s, _, _) = with_tours().await;
    let feed = marias_feed(&s).await;
    let events = parsed(&s, feed.body["url"].as_str().unwrap()).await["events"]
        .as_array()
        .unwrap()
        .len();
    let token = feed.body["token"].as_str().unwrap();
    let by_query = reqwest::get(s.app.url(&format!("/v1/feeds?token={token}")))
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
        events
    );
    let bare = reqwest::get(s.app.url("/v1/feeds")).await.unwrap();
    assert_eq!(bare.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_feed_of_one_tour_holds_that_tours_events_only() {
    let (s, _, marias) = with_tours().await;
    let all = parsed(&s, marias_feed(&s).await.body["url"].as_str().unwrap()).await;
    let tour_feed = s
        .app
        .created(&s.maria, "/v1/feed-tokens", json!({"tourId": marias}))
        .await;
    let tour_events = parsed(&s, tour_feed.body["url"].as_str().unwrap()).await;
    assert_eq!(tour_events["name"], "cleanops: Maria early");
    assert_eq!(
        tour_events["events"].as_array().unwrap().len(),
        all["events"].as_array().unwrap().len()
    );
}

#[tokio::test]
async fn only_a_tours_cleaner_subscribes_to_it_and_a_feed_names_one_target() {
    let (s, janas, _) = with_tours().await;
    let not_her_tour = s
        .app
        .post(&s.maria, "/v1/feed-tokens", json!({"tourId": janas}))
        .await;
    assert_eq!(not_her_tour.error_fields(), ["tourId"]);
    let both = json!({"tourId": janas, "cleanerId": "jana"});
    let both = s.app.post(&s.admin, "/v1/feed-tokens", both).await;
    assert_eq!(both.error_fields(), ["tourId"]);
}

#[tokio::test]
async fn a_tampered_token_gets_nothing_and_colleagues_see_no_one_elses_feeds() {
    let (s, _, _) = with_tours().await;
    let feed = marias_feed(&s).await;
    let forged = feed.body["url"]
        .as_str()
        .unwrap()
        .replace("acme.", "globex.");
    assert_eq!(
        reqwest::get(s.app.url(&forged)).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let jana = s.app.token_of("acme", "jana", Role::Cleaner, None);
    assert_eq!(
        s.app.get(&jana, "/v1/feed-tokens").await.body["items"],
        json!([])
    );
}

#[tokio::test]
async fn a_revoked_feed_is_gone() {
    let (s, _, _) = with_tours().await;
    let feed = marias_feed(&s).await;
    let path = format!("/v1/feed-tokens/{}", feed.id());
    let revoked = s
        .app
        .send(
            Method::DELETE,
            &path,
            Some(&s.maria),
            None,
            Some(&feed.etag()),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    let url = s.app.url(feed.body["url"].as_str().unwrap());
    assert_eq!(
        reqwest::get(url).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_colleague_cannot_revoke_another_cleaners_feed() {
    let (s, _, _) = with_tours().await;
    let feed = marias_feed(&s).await;
    let jana = s.app.token_of("acme", "jana", Role::Cleaner, None);
    let path = format!("/v1/feed-tokens/{}", feed.id());
    let revoked = s.app.delete(&jana, &path, &feed.etag()).await;
    revoked.assert_problem(StatusCode::NOT_FOUND);
    let url = s.app.url(feed.body["url"].as_str().unwrap());
    assert_eq!(reqwest::get(url).await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn nobody_repoints_a_feed_not_even_a_planner() {
    let (s, _, _) = with_tours().await;
    let feed = marias_feed(&s).await;
    let path = format!("/v1/feed-tokens/{}", feed.id());
    let jana = s.app.token_of("acme", "jana", Role::Cleaner, None);
    let to_jana = json!({"cleanerId": "jana"});
    let by_jana = s
        .app
        .patch(&jana, &path, to_jana.clone(), &feed.etag())
        .await;
    by_jana.assert_problem(StatusCode::NOT_FOUND);
    let by_admin = s.app.put(&s.admin, &path, to_jana, &feed.etag()).await;
    assert_eq!(by_admin.error_fields(), ["cleanerId"]);
    let stored = s.app.get(&s.maria, &path).await;
    assert_eq!(stored.body["cleanerId"], "maria");
    assert_eq!(stored.etag(), feed.etag());
}

#[tokio::test]
async fn a_planners_rename_keeps_the_feed_its_cleaners() {
    let (s, _, _) = with_tours().await;
    let feed = marias_feed(&s).await;
    let path = format!("/v1/feed-tokens/{}", feed.id());
    let renamed = s
        .app
        .patch(
            &s.admin,
            &path,
            json!({"name": "Maria's shifts"}),
            &feed.etag(),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{:?}", renamed.body);
    assert_eq!(renamed.body["ownerId"], "maria");
    let hers = s.app.get(&s.maria, "/v1/feed-tokens").await;
    assert_eq!(hers.body["items"][0]["name"], "Maria's shifts");
    let revoked = s.app.delete(&s.maria, &path, &renamed.etag()).await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_feed_a_planner_makes_for_a_cleaner_is_hers() {
    let (s, _, marias) = with_tours().await;
    let made = s
        .app
        .created(&s.admin, "/v1/feed-tokens", json!({"tourId": marias}))
        .await;
    assert_eq!(made.body["ownerId"], "maria");
    let hers = s.app.get(&s.maria, "/v1/feed-tokens").await;
    assert_eq!(hers.body["items"][0]["id"], made.body["id"]);
}
