//! Every request body decoder: each entity's and each action's `parse`, on any JSON. None
//! may panic; each answers a value or field errors.
#![no_main]

use domain::Entity;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let _ = domain::sites::Site::parse(&body);
    let _ = domain::sites::AreaType::parse(&body);
    let _ = domain::sites::Area::parse(&body);
    let _ = domain::calendars::Calendar::parse(&body);
    let _ = domain::calendars::Closure::parse(&body);
    let _ = domain::tours::Tour::parse(&body);
    let _ = domain::tours::TourSettings::parse(&body);
    let _ = domain::tours::FeedToken::parse(&body);
    let _ = domain::tours::Inspection::parse(&body);
    let _ = domain::tours::CheckIn::parse(&body);
    let _ = domain::tours::CheckOut::parse(&body);
    let _ = domain::planning::Cleaner::parse(&body);
    let _ = domain::planning::PlanRequest::parse(&body);
    let _ = domain::identity::User::parse(&body);
    let _ = domain::identity::TenantSettings::parse(&body);
    let _ = domain::identity::InvitationRequest::parse(&body);
    let _ = domain::identity::parse_api_key_request(&body);
    let _ = domain::billing::Customer::parse(&body);
    let _ = domain::billing::Contract::parse(&body);
    let _ = domain::billing::invoice::DraftEdit::parse(&body);
    let _ = domain::documents::Document::parse(&body);
});
