//! The notifications worker against real peers: Twilio's API as Prism serves Twilio's own
//! OpenAPI description (a request it does not describe fails), and an SMTP server.

mod helpers;

mod delivery;
mod email;
mod sms;
