//! One-off jobs: an area's extra cleaning on one date is planned with its week (its window,
//! its minutes), shows on the cleaner's sheet with its note, allows a check-in at its time,
//! counts in proof of service, and a partial re-plan adds it without touching the rest.

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Timelike};
use platform::testing::{Reply, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

const NOTE: &str = "Deep clean of the ovens";

/// The kitchen's deep clean on `day`, 11:00 to 13:00 (after its regular 08:00-10:00 window).
fn deep_clean(tenant: &Tenant, day: NaiveDate) -> Value {
    json!({"areaId": tenant.kitchen, "date": day.to_string(), "minutes": 90, "note": NOTE,
        "window": {"earliest": "11:00", "latest": "13:00"}})
}

/// The deep clean on `day`, written by the tenant's admin.
async fn one_off(app: &TestApp, tenant: &Tenant, day: NaiveDate) -> Reply {
    app.created(&tenant.admin, "/v1/one-off-jobs", deep_clean(tenant, day))
        .await
}

/// Every (tour, stop) of a plan that is the one-off job `job`.
fn job_stops<'a>(plan: &'a Value, job: &str) -> Vec<(&'a Value, &'a Value)> {
    plan["tours"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["stops"].as_array().unwrap().iter().map(move |s| (t, s)))
        .filter(|(_, s)| s["oneOffJobId"] == job)
        .collect()
}

struct OneOffWeek {
    app: TestApp,
    tenant: Tenant,
    day: NaiveDate,
    job: String,
    plan: Reply,
}

impl OneOffWeek {
    /// Whom the plan gives the job, and its stop there.
    fn holder(&self) -> (String, &Value) {
        let (tour, stop) = job_stops(&self.plan.body, &self.job)[0];
        (tour["cleanerId"].as_str().unwrap().to_owned(), stop)
    }

    async fn sheet_of(&self, cleaner: &str, day: NaiveDate) -> Value {
        sheet(&self.app, &self.tenant.admin, cleaner, day).await
    }
}

/// The new user's tenant with the kitchen's deep clean on the last weekday before today,
/// and that week planned and active.
async fn one_off_week() -> OneOffWeek {
    let app = start().await;
    let tenant = new_user(&app).await;
    let today = domain::Clock::now(&*app.clock).date_naive();
    let day = last_weekday_before(today);
    let job = one_off(&app, &tenant, day).await.id();
    let plan = planned_and_active(&app, &tenant.admin, monday_of(day)).await;
    OneOffWeek {
        app,
        tenant,
        day,
        job,
        plan,
    }
}

#[tokio::test]
async fn a_one_off_job_is_planned_once_on_its_date_within_its_window() {
    let OneOffWeek { day, job, plan, .. } = one_off_week().await;
    let stops = job_stops(&plan.body, &job);
    assert_eq!(stops.len(), 1, "{}", plan.body);
    let (tour, stop) = stops[0];
    assert_eq!(tour["date"], day.to_string());
    let (start, end) = (
        minutes(stop["start"].as_str().unwrap()),
        minutes(stop["end"].as_str().unwrap()),
    );
    assert_eq!(end - start, 90);
    assert!(start >= 11 * 60 && end <= 13 * 60, "{stop}");
    assert_eq!(stop["areaName"], "Kitchen");
}

#[tokio::test]
async fn the_kitchens_regular_cleaning_stays_beside_its_one_off_job() {
    let OneOffWeek {
        tenant, day, plan, ..
    } = one_off_week().await;
    let regular: Vec<&Value> = tours_on(&plan.body, day)
        .iter()
        .flat_map(|t| t["stops"].as_array().unwrap())
        .filter(|s| s["areaId"] == tenant.kitchen.as_str() && s["oneOffJobId"].is_null())
        .collect();
    assert_eq!(regular.len(), 1, "{}", plan.body);
    assert!(minutes(regular[0]["end"].as_str().unwrap()) <= 10 * 60);
}

#[tokio::test]
async fn a_one_off_job_shows_on_the_sheet_with_its_note_and_the_plans_times() {
    let week = one_off_week().await;
    let (cleaner, planned) = week.holder();
    let sheet = week.sheet_of(&cleaner, week.day).await;
    let on_sheet: Vec<&Value> = sheet_stops(&sheet)
        .into_iter()
        .filter(|s| s["oneOffJobId"] == week.job.as_str())
        .collect();
    assert_eq!(on_sheet.len(), 1, "{sheet}");
    let stop = on_sheet[0];
    assert_eq!(stop["note"], NOTE);
    assert_eq!(stop["minutes"], 90.0);
    assert_eq!(clock_of(&stop["plannedStart"]), planned["start"]);
    assert_eq!(clock_of(&stop["plannedEnd"]), planned["end"]);
    assert_eq!(
        stop["windows"],
        json!([{"earliest": "11:00", "latest": "13:00"}])
    );
}

#[tokio::test]
async fn the_other_days_sheets_of_the_week_have_no_one_off_job() {
    let week = one_off_week().await;
    let (cleaner, _) = week.holder();
    let (day, monday) = (week.day, monday_of(week.day));
    for other in (0..5)
        .map(|d| monday + Duration::days(d))
        .filter(|d| *d != day)
    {
        let sheet = week.sheet_of(&cleaner, other).await;
        assert!(
            sheet_stops(&sheet)
                .iter()
                .all(|s| s["oneOffJobId"].is_null()),
            "{other}: {sheet}"
        );
    }
}

#[tokio::test]
async fn a_check_in_at_a_one_off_jobs_time_is_not_flagged() {
    let week = one_off_week().await;
    let (cleaner, _) = week.holder();
    let sheet = week.sheet_of(&cleaner, week.day).await;
    let (tour_id, at) = sheet["tours"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|t| {
            let stops = t["stops"].as_array().unwrap();
            let stop = stops
                .iter()
                .find(|s| s["oneOffJobId"] == week.job.as_str())?;
            Some((t["tourId"].clone(), stop["plannedStart"].clone()))
        })
        .expect("the job on her sheet");
    let (app, tenant) = (&week.app, &week.tenant);
    let at = chrono::DateTime::parse_from_rfc3339(at.as_str().unwrap()).unwrap();
    // Past the kitchen's regular 08:00-10:00 window: only the job's window allows it.
    assert!(at.hour() >= 11, "{at}");
    let code = app
        .get(
            &tenant.admin,
            &format!("/v1/check-in-codes/{}", tenant.kitchen),
        )
        .await
        .body["code"]
        .clone();
    let token = app.token_of("newco", &cleaner, platform::Role::Cleaner, None);
    let body = json!({"code": code, "at": chrono::Utc.from_utc_datetime(&at.naive_utc()),
        "tourId": tour_id});
    let visit = app.post(&token, "/v1/visits/check-in", body).await;
    assert_eq!(visit.status, StatusCode::CREATED, "{}", visit.body);
    assert_eq!(visit.body["flags"], json!([]), "{}", visit.body);
}

/// The canteen's proof of service for `day`'s month: the kitchen's row.
async fn kitchen_service(app: &TestApp, tenant: &Tenant, day: NaiveDate) -> Value {
    let kitchen = app
        .get(&tenant.admin, &format!("/v1/areas/{}", tenant.kitchen))
        .await;
    let site = kitchen.body["siteId"].as_str().unwrap().to_owned();
    let month = format!("{}-{:02}", day.year(), day.month());
    let proof = app
        .get(
            &tenant.admin,
            &format!("/v1/proof-of-service?siteId={site}&month={month}"),
        )
        .await;
    assert_eq!(proof.status, StatusCode::OK, "{}", proof.body);
    proof.body["areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["areaId"] == tenant.kitchen.as_str())
        .cloned()
        .unwrap()
}

#[tokio::test]
async fn a_one_off_job_counts_in_proof_of_service() {
    let app = start().await;
    let tenant = new_user(&app).await;
    let day: NaiveDate = "2026-12-09".parse().unwrap();
    let before = kitchen_service(&app, &tenant, day).await;
    one_off(&app, &tenant, day).await;
    let after = kitchen_service(&app, &tenant, day).await;
    assert_eq!(before["oneOffJobs"], 0);
    assert_eq!(after["oneOffJobs"], 1);
    assert_eq!(
        after["planned"].as_u64().unwrap(),
        before["planned"].as_u64().unwrap() + 1
    );
}

#[tokio::test]
async fn a_partial_re_plan_adds_a_new_one_off_job_and_changes_nothing_else() {
    let app = start().await;
    let tenant = new_user(&app).await;
    let monday: NaiveDate = "2026-12-07".parse().unwrap();
    let day = monday + Duration::days(2);
    let active = planned_and_active(&app, &tenant.admin, monday).await;
    let job = one_off(&app, &tenant, day).await.id();
    let body = json!({"weekStart": monday.to_string(), "keep": "unaffected",
        "days": [day.to_string()]});
    let replan = app.plan(&tenant.admin, body).await;
    assert_eq!(job_stops(&replan.body, &job).len(), 1, "{}", replan.body);
    for other in (0..7)
        .map(|d| monday + Duration::days(d))
        .filter(|d| *d != day)
    {
        assert_eq!(
            tours_on(&replan.body, other),
            tours_on(&active.body, other),
            "{other}"
        );
    }
    let diff = app
        .get(&tenant.admin, &format!("/v1/plans/{}/diff", replan.id()))
        .await
        .body;
    let added: Vec<&Value> = diff["days"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["added"].as_array().unwrap())
        .collect();
    assert_eq!(added.len(), 1, "{diff}");
    assert_eq!(added[0]["oneOffJobId"], job.as_str());
    assert_eq!(diff["summary"]["removed"], 0, "{diff}");
}

#[tokio::test]
async fn a_one_off_job_on_a_day_its_site_is_closed_is_named_and_left_unplanned() {
    let app = start().await;
    let tenant = new_user(&app).await;
    let saturday: NaiveDate = "2026-12-12".parse().unwrap();
    let written = one_off(&app, &tenant, saturday).await;
    let job = written.id();
    let found = &written.body["contradictions"];
    assert_eq!(found.as_array().map(Vec::len), Some(1), "{}", written.body);
    assert_eq!(found[0]["code"], "siteClosedOnCalendarDay");
    assert_eq!(found[0]["oneOffJobId"], job.as_str());
    let plan = app
        .plan(
            &tenant.admin,
            json!({"weekStart": "2026-12-07", "seconds": 0.5}),
        )
        .await;
    let unplanned: Vec<&Value> = plan.body["unplanned"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["oneOffJobId"] == job.as_str())
        .collect();
    assert_eq!(unplanned.len(), 1, "{}", plan.body);
    assert_eq!(unplanned[0]["date"], "2026-12-12");
}

#[tokio::test]
async fn a_one_off_job_of_an_unknown_area_is_a_422_and_stores_nothing() {
    let app = start().await;
    let tenant = new_user(&app).await;
    let mut body = deep_clean(&tenant, "2026-12-09".parse().unwrap());
    body["areaId"] = json!("no-such-area");
    let reply = app.post(&tenant.admin, "/v1/one-off-jobs", body).await;
    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error_fields(), ["areaId"]);
    let listed = app.get(&tenant.admin, "/v1/one-off-jobs").await;
    assert_eq!(listed.body["items"], json!([]));
}

/// A hand-written Wednesday tour of maria's: the kitchen, and `jobs`.
fn hand_tour(tenant: &Tenant, jobs: Value) -> Value {
    json!({"name": "Maria by hand", "cleanerId": "maria", "startTime": "07:00",
        "maxMinutesPerDay": 420, "validFrom": "2026-12-07", "validTo": "2026-12-13",
        "days": [{"day": "wed", "areaIds": [tenant.kitchen], "oneOffJobIds": jobs}]})
}

#[tokio::test]
async fn a_hand_written_tour_takes_a_one_off_job_on_its_weekday_only() {
    let app = start().await;
    let tenant = new_user(&app).await;
    let thursday = app
        .created(
            &tenant.admin,
            "/v1/one-off-jobs",
            deep_clean(&tenant, "2026-12-10".parse().unwrap()),
        )
        .await
        .id();
    let reply = app
        .post(
            &tenant.admin,
            "/v1/tours",
            hand_tour(&tenant, json!([thursday])),
        )
        .await;
    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error_fields(), ["days[0].oneOffJobIds[0]"]);
}

#[tokio::test]
async fn a_hand_written_tour_times_its_one_off_job_after_the_areas_cleaning() {
    let app = start().await;
    let tenant = new_user(&app).await;
    let wednesday: NaiveDate = "2026-12-09".parse().unwrap();
    let job = one_off(&app, &tenant, wednesday).await.id();
    app.created(&tenant.admin, "/v1/tours", hand_tour(&tenant, json!([job])))
        .await;
    let sheet = sheet(&app, &tenant.admin, "maria", wednesday).await;
    let stops = sheet_stops(&sheet);
    assert_eq!(stops.len(), 2, "{sheet}");
    assert!(stops[0]["oneOffJobId"].is_null());
    assert_eq!(stops[1]["oneOffJobId"], job.as_str());
    // It waits for its window after the regular cleaning.
    assert_eq!(clock_of(&stops[1]["plannedStart"]), "11:00");
    assert!(stops[1]["warnings"].is_null(), "{sheet}");
}

#[tokio::test]
async fn a_one_off_job_is_changed_with_its_version_and_a_stale_one_is_a_412() {
    let app = start().await;
    let tenant = new_user(&app).await;
    let created = app
        .created(
            &tenant.admin,
            "/v1/one-off-jobs",
            deep_clean(&tenant, "2026-12-09".parse().unwrap()),
        )
        .await;
    let path = format!("/v1/one-off-jobs/{}", created.id());
    let mut body = app.get(&tenant.admin, &path).await.body;
    body["minutes"] = json!(60);
    let changed = app
        .put(&tenant.admin, &path, body.clone(), &created.etag())
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(changed.body["minutes"], 60);
    assert_eq!(changed.body["siteId"], created.body["siteId"]);
    let stale = app.put(&tenant.admin, &path, body, &created.etag()).await;
    stale.assert_problem(StatusCode::PRECONDITION_FAILED);
}
