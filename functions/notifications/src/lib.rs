//! The `notifications` function: notifications as people see them.
//!
//! - `/v1/notifications`: the outbox (every message, its status and reason); `/v1/inbox`:
//!   the caller's in-app messages and unread count.
//! - `/v1/notification-preferences` (her own) and `/v1/notification-settings` (the
//!   tenant's rules: inspection threshold, quiet hours for urgent events, late alerts to
//!   customers).
//! - `/v1/twilio/status/{tenant}/{id}` and `/v1/twilio/inbound`: Twilio's signed webhooks.
//! - `/v1/boards/{siteId}/threads…`: a message board per site.
//!
//! Sending is the notifications worker's; this function reads and records.
//!
//! # Layout
//! - [`outbox`]: the outbox and the inbox.
//! - [`preferences`]: preferences and the tenant's rules.
//! - [`twilio`]: the webhooks and their signature check.
//! - [`boards`]: the board's routes, and [`boards::StoreBoard`], the store's adapter of the
//!   [`domain::boards::MessageBoard`] port.

pub mod boards;
pub mod outbox;
pub mod preferences;
pub mod twilio;

use domain::Entity as _;
use platform::routes::Routes;

pub use twilio::TwilioWebhooks;

/// The function's routes, verifying Twilio's webhooks as the environment configures.
pub fn router() -> Routes {
    router_with(TwilioWebhooks::from_env())
}

pub fn router_with(webhooks: TwilioWebhooks) -> Routes {
    outbox::routes()
        .merge(preferences::routes())
        .merge(twilio::routes())
        .merge(boards::routes())
        .with_service(webhooks)
}

/// Every query the function makes, for the index declarations.
pub fn queries() -> Vec<domain::store::Query> {
    let mut queries = vec![
        outbox::inbox_query("u"),
        outbox::inbox_query("u").limit(outbox::MAX_UNREAD),
        boards::threads_query("s"),
        boards::posts_query("t"),
    ];
    queries.extend(platform::crud::listing_queries(
        domain::notifications::Notification::COLLECTION,
        &[],
        &[platform::http::Order::desc("id")],
    ));
    queries.extend(platform::crud::listing_queries(
        domain::notifications::Notification::COLLECTION,
        &[platform::http::FilterParam::text("status")],
        &[platform::http::Order::desc("id")],
    ));
    queries.extend(platform::crud::listing_queries(
        domain::notifications::Notification::COLLECTION,
        &[platform::http::FilterParam::text("inbox")],
        &[platform::http::Order::desc("id")],
    ));
    queries
}

#[cfg(test)]
mod tests {
    #[test]
    fn declared_firestore_indexes_serve_the_outbox_inbox_and_boards() {
        store::indexes::assert_served(super::queries());
    }
}
