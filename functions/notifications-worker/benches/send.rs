//! Notifications, fixed workload: 10,000 notifications rendered and sent to the local peers.
//! A tenant of 10 dispatchers (each with a phone) gets 250 late-cleaner events (SMS and
//! in-app each: 5,000) and 250 failed inspections (email and in-app each: 5,000), pushed to
//! the worker as Pub/Sub pushes them, 16 in flight: 2,500 SMS to Twilio's API as Prism
//! serves it, 2,500 emails to an SMTP server (aiosmtpd), 5,000 in-app messages. Prints the
//! notifications per second end to end (recording, claiming, rendering, sending, the
//! outcome), and the rendering alone.
//!
//!     cargo bench -p notifications-worker --bench send
//!
//! `CLEANOPS_BENCH_EVENTS` (default 250 of each kind) shrinks the workload.

use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use domain::notifications::{Audience, Message, NotificationEvent};
use notifications_worker::Senders;
use notifications_worker::senders::{Smtp, Twilio};
use platform::Role;
use platform::notify::Credential;
use platform::testing::{create, peers, spawn_app};
use serde_json::json;

const DISPATCHERS: usize = 10;
const IN_FLIGHT: usize = 16;

fn event(i: usize, late: bool) -> NotificationEvent {
    let message = if late {
        Message::CleanerLate {
            cleaner_name: format!("Cleaner {i}"),
            site_name: format!("Site {}", i % 40),
            window_end: Utc::now(),
            stops: (i % 7) as u32 + 1,
        }
    } else {
        Message::InspectionFailed {
            site_name: format!("Site {}", i % 40),
            date: Utc::now().date_naive(),
            score_percent: 61.5,
            threshold_percent: 80.0,
        }
    };
    NotificationEvent {
        id: format!("bench-{late}-{i}"),
        to: vec![Audience::Dispatchers],
        message,
        time_zone: Some("Europe/Zurich".parse().unwrap()),
        link: Some("https://app.cleanops.test/week".into()),
        attachment: None,
        site_id: None,
        not_to: None,
    }
}

#[tokio::main]
async fn main() {
    let events: usize = std::env::var("CLEANOPS_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(250);
    let (smtp, _) = peers::smtp_sink();
    let senders = Senders {
        sms: Some(Arc::new(Twilio::new(
            &peers::twilio_mock(),
            "AC0123456789abcdef0123456789abcdef",
            Credential::new("bench-token".into()),
            "+41445550100",
            Some("https://api.cleanops.test".into()),
        ))),
        email: Some(Arc::new(
            Smtp::new(
                &format!("smtp://{smtp}"),
                None,
                None,
                "cleanops <noreply@cleanops.test>",
            )
            .unwrap(),
        )),
    };
    let app = spawn_app(
        notifications_worker::router_with(senders),
        Default::default(),
    )
    .await;
    let tenant = "bench";
    let token = app.token(tenant, Role::Admin);
    let mut writes = vec![create(
        "settings",
        "tenant",
        json!({"name": "Bench", "timeZone": "Europe/Zurich", "language": "de", "country": "CH", "currency": "CHF"}),
    )];
    let languages = ["de", "en", "fr", "it"];
    for d in 0..DISPATCHERS {
        writes.push(create(
            "users",
            &format!("d{d}"),
            json!({"email": format!("d{d}@bench.test"), "name": format!("Dispatcher {d}"),
                "phone": format!("+4179123{d:04}"), "language": languages[d % 4],
                "role": "dispatcher", "active": true}),
        ));
    }
    app.data_of(&token)
        .store()
        .commit(writes, Utc::now())
        .await
        .unwrap();

    // Rendering alone: each event in each language.
    let rendered = events * 2 * DISPATCHERS;
    let start = Instant::now();
    for i in 0..rendered {
        let e = event(i, i % 2 == 0);
        let language = [
            domain::identity::Language::De,
            domain::identity::Language::Fr,
        ][i % 2];
        std::hint::black_box(
            messages::render(
                &e.message,
                language,
                &"Europe/Zurich".parse().unwrap(),
                e.link.as_deref(),
            )
            .html(),
        );
    }
    let render_secs = start.elapsed().as_secs_f64();

    let envelopes: Vec<serde_json::Value> = (0..events * 2)
        .map(|i| {
            platform::testing::job_envelope(
                "notifications",
                tenant,
                Utc::now() + chrono::Duration::milliseconds(i as i64),
                &serde_json::to_value(event(i / 2, i % 2 == 0)).unwrap(),
            )
        })
        .collect();
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let url = app.url("/push/notifications");
    let pusher = app.pusher();
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    for envelope in envelopes {
        if tasks.len() >= IN_FLIGHT {
            statuses.push(tasks.join_next().await.unwrap().unwrap());
        }
        let (client, url, pusher) = (client.clone(), url.clone(), pusher.clone());
        tasks.spawn(async move {
            client
                .post(url)
                .bearer_auth(pusher)
                .json(&envelope)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        });
    }
    statuses.extend(tasks.join_all().await);
    let secs = start.elapsed().as_secs_f64();
    assert!(
        statuses.iter().all(|s| *s == 204),
        "every event done: {:?}",
        statuses.iter().filter(|s| **s != 204).count()
    );
    let sent = app
        .data_of(&token)
        .store()
        .query_all(domain::store::Query::new("notifications"))
        .await
        .unwrap();
    let ok = sent.iter().filter(|d| d.fields["status"] == "sent").count();
    assert_eq!(ok, sent.len(), "every notification sent");
    println!(
        "notifications: {} events -> {} notifications ({} SMS, {} emails, {} in-app) in {:.1} s: {:.0} notifications/s end to end",
        events * 2,
        sent.len(),
        events * DISPATCHERS,
        events * DISPATCHERS,
        events * 2 * DISPATCHERS,
        secs,
        sent.len() as f64 / secs
    );
    println!(
        "rendering alone: {rendered} messages (subject, text, SMS, HTML) in {:.3} s: {:.0}/s",
        render_secs,
        rendered as f64 / render_secs
    );
}
