//! Pins: a room kept to a cleaner or a weekday, or reported unplanned with why.

use platform::Role;
use platform::testing::TestApp;
use serde_json::{Value, json};

use crate::helpers::{demo, start, visits_of};

/// The demo tenant plus an archive room at the first site, pinned as `pin`; the plan of the
/// week of 2026-11-30 and the archive's id.
async fn planned_with_pin(pin: Value, absent: Option<&str>) -> (TestApp, Value, String) {
    let app = start().await;
    let admin = app.token("acme", Role::Admin);
    let areas = demo(&app, &admin).await;
    let first = app
        .stored::<domain::sites::Area>(&admin)
        .await
        .into_iter()
        .find(|a| a.meta.id == areas[6])
        .unwrap()
        .entity;
    let archive = json!({"siteId": first.site_id.as_str(), "name": "Archive", "sizeSqm": 40,
        "areaTypeId": first.area_type_id.as_str(), "pin": pin});
    let archive = app.seed::<domain::sites::Area>(&admin, archive).await.id();
    if let Some(cleaner) = absent {
        let away = json!({"cleanerId": cleaner, "from": "2026-11-30", "to": "2026-12-06",
            "kind": "holiday"});
        app.created(&admin, "/v1/absences", away).await;
    }
    let body = json!({"weekStart": "2026-11-30", "seconds": 1.0});
    let plan = app.plan(&admin, body).await;
    (app, plan.body, archive)
}

#[tokio::test]
async fn a_room_pinned_to_a_cleaner_is_on_her_tours_only() {
    let (_, plan, archive) = planned_with_pin(json!({"cleanerId": "ole"}), None).await;
    let visits = visits_of(&plan, &archive);
    assert_eq!(visits.len(), 3, "three cleanings a week: {plan}");
    assert!(
        visits.iter().all(|(cleaner, _)| cleaner == "ole"),
        "{visits:?}"
    );
}

#[tokio::test]
async fn a_room_pinned_to_a_weekday_is_cleaned_that_day_and_says_so_for_the_others() {
    let (_, plan, archive) = planned_with_pin(json!({"weekday": "tue"}), None).await;
    let visits = visits_of(&plan, &archive);
    assert_eq!(
        visits.iter().map(|(_, d)| d.as_str()).collect::<Vec<_>>(),
        ["2026-12-01"]
    );
    let others: Vec<&Value> = plan["unplanned"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["areaId"] == archive.as_str())
        .collect();
    assert_eq!(others.len(), 2, "{plan}");
    assert!(others.iter().all(|u| {
        u["reason"]
            .as_str()
            .unwrap()
            .starts_with("pinned to Tuesday")
    }));
}

#[tokio::test]
async fn a_pin_to_a_cleaner_who_is_away_is_unplanned_with_the_reason() {
    let (_, plan, archive) = planned_with_pin(json!({"cleanerId": "maria"}), Some("maria")).await;
    assert!(
        visits_of(&plan, &archive).is_empty(),
        "nobody else takes it: {plan}"
    );
    let reasons: Vec<&str> = plan["unplanned"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["areaId"] == archive.as_str())
        .map(|u| u["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons.len(), 3, "{plan}");
    assert!(
        reasons
            .iter()
            .all(|r| r.starts_with("pinned to maria, who does not work")),
        "{reasons:?}"
    );
}
