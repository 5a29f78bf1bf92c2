//! The late-cleaner check (`late-check`, every 15 minutes through the fan-out): one event
//! per tour and missed window, never for a closed day or an absent cleaner.

use chrono::{DateTime, Duration, NaiveTime, TimeZone as _, Utc};
use chrono_tz::Europe::Berlin;
use domain::Clock as _;
use platform::testing::create;
use serde_json::{Value, json};

use crate::helpers::*;

/// Maria's tour of the lobby and the office, every day (window 05:00-22:00 in Berlin), and
/// the clock at the next 21:30 in Berlin.
async fn evening() -> Scene {
    let s = scene().await;
    let (app, admin, seed) = (&s.app, &s.admin, &s.seed);
    app.data_of(admin)
        .store()
        .commit(
            vec![create(
                "settings",
                "tenant",
                json!({"name": "Acme", "timeZone": "Europe/Berlin", "language": "de",
                    "country": "DE", "currency": "EUR"}),
            )],
            Utc::now(),
        )
        .await
        .unwrap();
    app.created(
        admin,
        "/v1/tours",
        tour("Maria", "maria", 600, &[&seed.lobby, &seed.office]),
    )
    .await;
    let now = app.clock.now();
    let local = now.with_timezone(&Berlin);
    let mut evening = Berlin
        .from_local_datetime(
            &local
                .date_naive()
                .and_time(NaiveTime::from_hms_opt(21, 30, 0).unwrap()),
        )
        .earliest()
        .unwrap()
        .with_timezone(&Utc);
    if evening <= now {
        evening += Duration::days(1);
    }
    app.clock.advance(evening - now);
    s
}

/// Runs the check at the clock's time; the late events raised so far.
async fn check(s: &Scene) -> Vec<Value> {
    let envelope =
        platform::testing::job_envelope("late-check", "acme", s.app.clock.now(), &json!({}));
    assert_eq!(
        s.app
            .push(&s.app.pusher(), "/push/late-check", &envelope)
            .await,
        204
    );
    s.app
        .raised()
        .await
        .into_iter()
        .map(|(_, event)| event)
        .filter(|event| event["message"]["kind"] == "cleanerLate")
        .collect()
}

fn today(s: &Scene) -> chrono::NaiveDate {
    s.app.clock.now().with_timezone(&Berlin).date_naive()
}

async fn past_the_window(s: &Scene) {
    s.app.clock.advance(Duration::minutes(45)); // 22:15, the window ended at 22:00
}

#[tokio::test]
async fn a_window_still_open_is_not_late() {
    let s = evening().await;
    assert!(check(&s).await.is_empty());
}

#[tokio::test]
async fn a_missed_window_tells_the_dispatchers_once() {
    let s = evening().await;
    past_the_window(&s).await;
    let events = check(&s).await;
    assert_eq!(events.len(), 1, "{events:?}");
    let event = &events[0];
    assert_eq!(event["to"], json!([{"type": "dispatchers"}]));
    assert_eq!(event["message"]["cleanerName"], "maria");
    assert_eq!(event["message"]["siteName"], "HQ");
    assert_eq!(event["message"]["stops"], 2);
    let end: DateTime<Utc> = event["message"]["windowEnd"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        end.with_timezone(&Berlin).format("%H:%M").to_string(),
        "22:00"
    );
    assert_eq!(event["siteId"], json!(s.seed.site));
    // The next runs find the same window: the same event, not another.
    s.app.clock.advance(Duration::minutes(15));
    assert_eq!(check(&s).await.len(), 1);
    s.app.clock.advance(Duration::minutes(15));
    assert_eq!(check(&s).await.len(), 1);
}

#[tokio::test]
async fn a_checked_in_stop_is_not_late() {
    let s = evening().await;
    let code = code_of(&s.app, &s.admin, &s.seed.lobby).await;
    let at = (s.app.clock.now() - Duration::hours(2)).to_rfc3339();
    s.app
        .created(
            &s.maria,
            "/v1/visits/check-in",
            json!({"code": code, "at": at}),
        )
        .await;
    past_the_window(&s).await;
    let events = check(&s).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["message"]["stops"], 1, "the office only");
}

#[tokio::test]
async fn a_closed_day_is_never_late() {
    let s = evening().await;
    let day = today(&s).to_string();
    s.app
        .seed::<domain::calendars::Closure>(
            &s.admin,
            json!({"siteId": s.seed.site, "from": day, "to": day, "reason": "Inventory"}),
        )
        .await;
    past_the_window(&s).await;
    assert!(check(&s).await.is_empty());
}

#[tokio::test]
async fn an_absent_cleaner_whose_stops_are_handed_on_is_never_late() {
    let s = evening().await;
    let day = today(&s).to_string();
    s.app
        .seed::<domain::planning::Absence>(
            &s.admin,
            json!({"cleanerId": "maria", "from": day, "to": day, "kind": "sick"}),
        )
        .await;
    past_the_window(&s).await;
    assert!(check(&s).await.is_empty());
}

#[tokio::test]
async fn each_tenant_is_checked_on_its_own() {
    let s = evening().await;
    past_the_window(&s).await;
    let envelope =
        platform::testing::job_envelope("late-check", "globex", s.app.clock.now(), &json!({}));
    assert_eq!(
        s.app
            .push(&s.app.pusher(), "/push/late-check", &envelope)
            .await,
        204
    );
    assert!(s.app.raised().await.is_empty(), "globex has no tours");
}
