//! What the planner cannot serve comes back unplanned, with a reason per area.

use crate::helpers::planned_infeasible;

fn reasons(plan: &serde_json::Value) -> std::collections::BTreeMap<String, String> {
    plan["unplanned"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["areaId"].as_str().unwrap().to_owned(),
                u["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn each_unplanned_area_says_why() {
    let (ids, plan) = planned_infeasible().await;
    let reasons = reasons(&plan.body);
    assert!(reasons[&ids.huge].contains("600 minutes"), "{reasons:?}");
    assert!(
        reasons[&ids.closed].contains("cannot be entered on wed"),
        "{reasons:?}"
    );
    assert!(
        reasons[&ids.night].contains("does not overlap the access hours"),
        "{reasons:?}"
    );
    assert!(
        reasons[&ids.facade].contains("needs windows"),
        "{reasons:?}"
    );
    assert!(!reasons.contains_key(&ids.fine));
    assert_eq!(plan.body["kpis"]["unplanned"], 4);
}

#[tokio::test]
async fn what_can_be_served_is_planned() {
    let (ids, plan) = planned_infeasible().await;
    let stops: Vec<&str> = crate::helpers::all_stops(&plan.body)
        .into_iter()
        .map(|s| s["areaId"].as_str().unwrap())
        .collect();
    assert_eq!(stops, [ids.fine.as_str()]);
}
