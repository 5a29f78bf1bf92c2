use super::*;
use crate::calendars::TimeWindow;
use crate::planning::{Cleaner, PlanArea, PlanSite, PlannedStop, TravelModel};
use crate::sites::GeoPoint;
use crate::time::Weekday;
use serde_json::json;

fn monday() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 14).expect("a date")
}

fn time(raw: &str) -> LocalTime {
    raw.parse().expect("a time")
}

fn area(id: &str, site: usize, minutes: f64, window: (&str, &str)) -> PlanArea {
    PlanArea {
        area_id: id.into(),
        name: format!("Room {id}"),
        area_type_id: "office".into(),
        site,
        minutes_per_cleaning: minutes,
        cleanings_per_week: 1.0,
        skills: Vec::new(),
        scheduled: Some(BTreeMap::from([(
            monday(),
            vec![TimeWindow {
                earliest: time(window.0),
                latest: time(window.1),
            }],
        )])),
        calendar_days: 1,
        overlaps: Vec::new(),
        pin: None,
        one_off_job_id: None,
    }
}

fn cleaner(id: &str, max: u32) -> (String, Cleaner) {
    (
        id.into(),
        Cleaner {
            user_id: UserId::parse(id).expect("an id"),
            name: format!("Cleaner {id}"),
            home: GeoPoint {
                lat: 47.0,
                lng: 8.0,
            },
            shifts: vec![crate::sites::AccessWindow {
                day: Weekday::Mon,
                from: time("06:00"),
                to: time("18:00"),
            }],
            max_minutes_per_day: max,
            skills: Vec::new(),
        },
    )
}

/// Two sites 5 km apart; Ana cleans two rooms at the first, Ben has a light day, and the
/// second site's room is in no tour.
fn week() -> Week {
    let site = |id: &str, lat: f64| PlanSite {
        site_id: id.into(),
        name: format!("Site {id}"),
        location: GeoPoint { lat, lng: 8.0 },
        access_hours: Vec::new(),
    };
    Week {
        start: monday(),
        sites: vec![site("s1", 47.0), site("s2", 47.045)],
        areas: vec![
            area("a1", 0, 60.0, ("06:00", "09:00")),
            area("a2", 0, 30.0, ("07:00", "08:30")),
            area("b1", 1, 45.0, ("08:00", "12:00")),
        ],
        cleaners: vec![cleaner("ana", 120), cleaner("ben", 480)],
        travel: TravelModel::default(),
        absent: Default::default(),
        extra_demand: Default::default(),
    }
}

fn planned(area: &str, site: &str, arrival: &str, start: &str, end: &str) -> PlannedStop {
    PlannedStop {
        area_id: area.into(),
        area_name: String::new(),
        site_id: site.into(),
        site_name: format!("Site {site}"),
        arrival: time(arrival),
        start: time(start),
        end: time(end),
        one_off_job_id: None,
    }
}

fn tours() -> Vec<PlannedTour> {
    vec![
        PlannedTour {
            cleaner_id: "ana".into(),
            date: monday(),
            leave: time("06:00"),
            back: time("07:50"),
            stops: vec![
                planned("a1", "s1", "06:10", "06:10", "07:10"),
                planned("a2", "s1", "07:10", "07:10", "07:40"),
            ],
            cleaning_minutes: 90,
            travel_minutes: 20,
            waiting_minutes: 0,
        },
        PlannedTour {
            cleaner_id: "ben".into(),
            date: monday(),
            leave: time("07:00"),
            back: time("07:00"),
            stops: Vec::new(),
            cleaning_minutes: 0,
            travel_minutes: 0,
            waiting_minutes: 0,
        },
    ]
}

fn inputs<'a>(week: &'a Week, fits: &'a DurationFits) -> WeekInputs<'a> {
    WeekInputs::new(week, fits, &[])
}

#[test]
fn a_rooms_fit_is_the_mean_and_spread_of_its_log_ratios() {
    let logs = [0.1, -0.1, 0.2, 0.0, 0.3, 0.1, -0.2, 0.4];
    let ratios: Vec<f64> = logs.iter().map(|l: &f64| l.exp()).collect();
    let fit = LogNormalFit::of(&ratios).expect("eight visits");
    let mean = logs.iter().sum::<f64>() / 8.0;
    let sd = (logs.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / 7.0).sqrt();
    assert!((fit.mu - mean).abs() < 1e-12);
    assert!((fit.sigma - sd).abs() < 1e-12);
    assert_eq!(fit.visits, 8);
}

#[test]
fn a_forgotten_check_out_is_no_duration_and_seven_visits_are_too_few() {
    let mut ratios = vec![1.0; 7];
    assert_eq!(LogNormalFit::of(&ratios), None);
    ratios.push(40.0);
    assert_eq!(LogNormalFit::of(&ratios), None);
}

#[test]
fn a_room_with_few_visits_takes_its_area_types_fit_and_one_without_a_type_the_default() {
    let mut samples = Vec::new();
    for i in 0..10 {
        samples.push(DurationSample {
            area_id: "a1".into(),
            ratio: 1.2 + f64::from(i) * 0.01,
        });
    }
    samples.push(DurationSample {
        area_id: "a2".into(),
        ratio: 0.9,
    });
    let type_of = BTreeMap::from([
        ("a1".to_owned(), "office".to_owned()),
        ("a2".to_owned(), "office".to_owned()),
    ]);
    let fits = DurationFits::fit(&samples, type_of);
    assert_eq!(fits.of("a1").1, FitSource::Area);
    assert!((fits.of("a1").0.mu.exp() - 1.245).abs() < 0.01);
    let (pooled, source) = fits.of("a2");
    assert_eq!(source, FitSource::AreaType);
    assert_eq!(pooled.visits, 11);
    assert_eq!(fits.of("x"), (LogNormalFit::DEFAULT, FitSource::Default));
}

#[test]
fn a_cleaners_absence_chance_leans_on_the_prior_until_her_history_speaks() {
    assert!((absence_probability(0, 0) - PRIOR_ABSENCE).abs() < 1e-12);
    let long = absence_probability(10, 100);
    assert!((long - (10.0 + PRIOR_ABSENCE * PRIOR_DAYS) / 120.0).abs() < 1e-12);
    assert!(absence_probability(0, 120) < PRIOR_ABSENCE);
}

#[test]
fn a_request_names_what_it_simulates_and_its_bounds() {
    let ok = SimulationRequest::parse(&json!({"planId": "p1", "replications": 2000, "seed": 7,
        "changes": {"durationFactor": 1.1, "cleanersOff": [{"cleanerId": "ana"}]}}))
    .expect("valid");
    assert_eq!(ok.subject, Subject::Plan("p1".into()));
    assert_eq!((ok.replications, ok.seed), (2000, 7));
    assert_eq!(ok.changes.expect("changes").duration_factor, Some(1.1));
    let fields = |body: Value| {
        SimulationRequest::parse(&body)
            .expect_err("invalid")
            .0
            .into_iter()
            .map(|e| e.field)
            .collect::<Vec<_>>()
    };
    assert_eq!(fields(json!({})), ["planId"]);
    assert_eq!(
        fields(json!({"planId": "p", "weekStart": "2026-12-14"})),
        ["weekStart"]
    );
    assert_eq!(fields(json!({"weekStart": "2026-12-15"})), ["weekStart"]);
    assert_eq!(
        fields(json!({"planId": "p", "replications": 5})),
        ["replications"]
    );
    assert_eq!(fields(json!({"planId": "p", "changes": {}})), ["changes"]);
    assert_eq!(
        fields(json!({"planId": "p", "changes": {"durationFactor": 9}})),
        ["changes.durationFactor"]
    );
    assert_eq!(
        fields(json!({"planId": "p", "changes": {"cleanersOff": [{"dates": []}]}})),
        ["changes.cleanersOff[0].cleanerId"]
    );
}

#[test]
fn a_plans_tours_become_days_with_their_travel_windows_and_way_home() {
    let (mut week, fits) = (week(), DurationFits::default());
    week.extra_demand.insert(("a2".into(), monday()), 1.5);
    let engine = inputs(&week, &fits).engine_week(&tours(), None);
    let ana = &engine.week.days[0];
    assert_eq!(
        (ana.start, ana.max_minutes, ana.return_minutes),
        (360.0, 120.0, 10.0)
    );
    assert_eq!(ana.absence_probability, PRIOR_ABSENCE);
    let (first, second) = (&ana.stops[0], &ana.stops[1]);
    assert_eq!((first.travel_minutes, first.planned_minutes), (10.0, 60.0));
    // a1 may start 06:00 to 08:00 (09:00 less its hour); a2 07:00 to 08:00.
    assert_eq!(first.window, Some((360.0, 480.0)));
    assert_eq!(second.window, Some((420.0, 480.0)));
    assert_eq!(engine.stops[1].latest_start, Some(time("08:00")));
    assert_eq!(engine.stops[0].area_name, "Room a1");
    assert_eq!(engine.days[0], Some(("ana".into(), monday(), 110.0)));
    assert_eq!((first.extra_per_day, second.extra_per_day), (0.0, 1.5));
}

#[test]
fn a_cleaner_off_is_absent_for_sure_and_durations_scale_by_the_factor() {
    let (week, fits) = (week(), DurationFits::default());
    let changes = Changes {
        cleaners_off: vec![CleanerOff {
            cleaner_id: UserId::parse("ana").expect("an id"),
            dates: None,
        }],
        duration_factor: Some(1.1),
        ..Changes::default()
    };
    let engine = inputs(&week, &fits).engine_week(&tours(), Some(&changes));
    assert_eq!(engine.week.days[0].absence_probability, 1.0);
    assert_eq!(engine.week.days[1].absence_probability, PRIOR_ABSENCE);
    assert!((engine.week.days[0].stops[0].duration.median_ratio() - 1.1).abs() < 1e-12);
}

#[test]
fn a_new_sites_rooms_go_to_the_least_loaded_cleaner_of_their_day() {
    let (week, fits) = (week(), DurationFits::default());
    let changes = Changes {
        add_site_id: Some(SiteId::parse("s2").expect("an id")),
        ..Changes::default()
    };
    let engine = inputs(&week, &fits).engine_week(&tours(), Some(&changes));
    assert_eq!(engine.added_visits, 1);
    let ben = &engine.week.days[1];
    assert_eq!(ben.stops.len(), 1);
    assert_eq!(ben.stops[0].site, "s2");
    assert_eq!(ben.stops[0].window, Some((480.0, 675.0)));
    // From her home (at the first site's latitude) 5 km away and back.
    let trip = week
        .travel
        .minutes(week.cleaners[1].1.home, week.sites[1].location) as f64;
    assert_eq!(
        (ben.stops[0].travel_minutes, ben.return_minutes),
        (trip, trip)
    );
    assert_eq!(engine.stops[2].cleaner_id, "ben");
    assert_eq!(engine.stops[2].area_id, "b1");
}

#[test]
fn a_result_names_each_visit_day_and_site_and_a_what_if_differs_figure_by_figure() {
    let (week, fits) = (week(), DurationFits::default());
    let inputs = inputs(&week, &fits);
    let names = BTreeMap::from([("ana".to_owned(), "Ana".to_owned())]);
    let run = engine::Run {
        replications: 4_000,
        seed: 3,
    };
    let base_week = inputs.engine_week(&tours(), None);
    let base = SimulationResult::of(
        &engine::simulate(&base_week.week, &model(None), run, 2),
        &base_week,
        &names,
    );
    let changes = Changes {
        duration_factor: Some(1.3),
        ..Changes::default()
    };
    let slow_week = inputs.engine_week(&tours(), Some(&changes));
    let slow = SimulationResult::of(
        &engine::simulate(&slow_week.week, &model(Some(&changes)), run, 2),
        &slow_week,
        &names,
    );
    assert_eq!(base.visits.len(), 2);
    assert_eq!(base.days.len(), 2);
    assert_eq!(base.days[0].cleaner_name, "Ana");
    assert_eq!(base.sites[0].planned_cleanings, 2);
    let difference = Difference::between(&base, &slow);
    let ana = &difference.days[0];
    // Slower rooms: Ana's two-hour day (110 minutes planned) runs over more often.
    assert!(ana.change.expect("both sides").value > 0.0, "{ana:?}");
    assert!(difference.visits[1].change.expect("both").value <= 0.0);
    assert_eq!(difference.sites.len(), 1);
}

/// A what-if of the largest week simulated, with ids and names as long as the API allows
/// them in practice, is one Firestore document (at most 1 MiB, 1,048,576 bytes).
#[test]
fn the_largest_what_if_fits_one_document() {
    let estimate = Estimate {
        value: 0.9523,
        low: 0.9412,
        high: 0.9611,
    };
    let visit = |i: usize| VisitRisk {
        area_id: format!("019b2c7e-5d1a-7c3e-9f2b-1a2b3c{i:06}"),
        area_name: None,
        site_id: "019b2c7e-5d1a-7c3e-9f2b-1a2b3c4d5e6f".into(),
        site_name: None,
        one_off_job_id: None,
        cleaner_id: format!("019b2c7e-5d1a-7c3e-aa2b-1a2b3c{:06}", i % 60),
        date: monday() + chrono::Duration::days((i % 7) as i64),
        planned_start: time("06:45"),
        latest_start: Some(time("13:30")),
        on_time: estimate,
        reasons: vec![RiskReason::TightWindow, RiskReason::LateInDay],
    };
    let day = |i: usize| DayRisk {
        cleaner_id: format!("019b2c7e-5d1a-7c3e-aa2b-1a2b3c{:06}", i % 60),
        cleaner_name: "Maria Schulz-Oberländer".into(),
        date: monday() + chrono::Duration::days((i / 60) as i64 % 7),
        max_minutes: 480.0,
        planned_minutes: 455.0,
        absence_probability: 0.0312,
        overtime: estimate,
        expected_overtime_minutes: estimate,
        visits_at_risk: 3,
        reasons: vec![DayRiskReason::LittleSlack, DayRiskReason::VariableRooms],
    };
    let result = SimulationResult {
        replications: 100_000,
        seed: u64::MAX,
        service_level: estimate,
        visits_at_risk: MAX_VISITS,
        days_at_risk: MAX_VISITS / 4,
        visits: (0..MAX_VISITS).map(visit).collect(),
        // Four visits a day on average: a plan's days hold more.
        days: (0..MAX_VISITS / 4).map(day).collect(),
        sites: Vec::new(),
        riskiest_visits: (0..25)
            .map(|i| VisitRisk {
                area_name: Some(format!("Besprechungsraum {i} (Ostflügel, 3. OG)")),
                site_name: Some("Verwaltung Friedrichstraße 100, Berlin".into()),
                ..visit(i)
            })
            .collect(),
        riskiest_days: (0..25).map(day).collect(),
        // A room a fifth of the visits: most are cleaned every weekday.
        area_names: (0..MAX_VISITS / 5)
            .map(|i| {
                (
                    visit(i).area_id,
                    format!("Besprechungsraum {i} (Ostflügel, 3. OG)"),
                )
            })
            .collect(),
    };
    let mut simulation = Simulation::queued(
        &SimulationRequest::parse(&json!({"planId": "p"})).expect("valid"),
        monday(),
        Utc::now(),
    );
    simulation.difference = Some(Difference::between(&result, &result));
    simulation.variant = Some(SimulationResult {
        visits: Vec::new(),
        ..result.clone()
    });
    simulation.result = Some(result);
    let bytes = serde_json::to_vec(&simulation).expect("serialised").len();
    assert!(bytes < 1_000_000, "{bytes} bytes");
}
