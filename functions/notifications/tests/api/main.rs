//! The notifications function over HTTP: the outbox and inbox, preferences, Twilio's signed
//! webhooks and the site boards, each tenant and role confined to its own.

mod helpers;

mod boards;
mod outbox;
mod preferences;
mod twilio;
