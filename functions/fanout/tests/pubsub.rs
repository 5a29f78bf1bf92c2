//! The fan-out through the Google Pub/Sub adapter, against Google's Pub/Sub fake `pstest`
//! (the test command builds and starts it, and sets `PUBSUB_EMULATOR_HOST`): every tenant's
//! message arrives on a subscription of the job's topic, with its attributes.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::TenantId;
use domain::publish::{PublishError, Publisher};
use domain::store::DocumentStore;
use gcloud_sdk::google::pubsub::v1::publisher_client::PublisherClient;
use gcloud_sdk::google::pubsub::v1::subscriber_client::SubscriberClient;
use gcloud_sdk::google::pubsub::v1::{AcknowledgeRequest, PullRequest, Subscription, Topic};
use gcloud_sdk::tonic::transport::Channel;
use platform::pubsub::PubSubPublisher;

fn emulator() -> String {
    std::env::var("PUBSUB_EMULATOR_HOST")
        .expect("PUBSUB_EMULATOR_HOST is not set: run scripts/test, which builds and starts pstest")
}

/// A topic `workload-report` in `project` and a pull subscription to it; the subscriber and
/// the subscription's name.
async fn pull_subscription(project: &str) -> (SubscriberClient<Channel>, String) {
    let channel = Channel::from_shared(format!("http://{}", emulator()))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let topic = format!("projects/{project}/topics/workload-report");
    let subscription = format!("projects/{project}/subscriptions/workload-report-pull");
    let create = Topic {
        name: topic.clone(),
        ..Default::default()
    };
    PublisherClient::new(channel.clone())
        .create_topic(create)
        .await
        .unwrap();
    let mut subscriber = SubscriberClient::new(channel);
    let pull = Subscription {
        name: subscription.clone(),
        topic,
        ack_deadline_seconds: 60,
        ..Default::default()
    };
    subscriber.create_subscription(pull).await.unwrap();
    (subscriber, subscription)
}

/// An embedded store with `count` active tenants.
async fn tenants(dir: &std::path::Path, count: usize) -> Arc<dyn DocumentStore> {
    let store: Arc<dyn DocumentStore> =
        Arc::new(store::EmbeddedStore::open(dir.join("s.sqlite3")).unwrap());
    for i in 0..count {
        let tenant = TenantId::parse(&format!("t{i:05}")).unwrap();
        platform::tenants::register(&store, &tenant, chrono::Utc::now())
            .await
            .unwrap();
    }
    store
}

/// Pulls and acks until `expected` tenants' messages came (or 30 s passed), checking each
/// message's job and idempotency key; the tenants seen.
async fn drain(
    subscriber: &mut SubscriberClient<Channel>,
    subscription: &str,
    expected: usize,
) -> BTreeSet<String> {
    let mut tenants = BTreeSet::new();
    let started = Instant::now();
    while tenants.len() < expected && started.elapsed() < Duration::from_secs(30) {
        let pull = PullRequest {
            subscription: subscription.to_owned(),
            max_messages: 1000,
            ..Default::default()
        };
        let pulled = subscriber
            .pull(pull)
            .await
            .unwrap()
            .into_inner()
            .received_messages;
        let mut ack_ids = Vec::new();
        for received in pulled {
            let message = received.message.unwrap();
            let tenant = &message.attributes["tenant"];
            assert_eq!(message.attributes["job"], "workload-report");
            let key = format!("workload-report_{tenant}_20261124T010000Z");
            assert_eq!(message.attributes["idempotencyKey"], key);
            tenants.insert(tenant.clone());
            ack_ids.push(received.ack_id);
        }
        if !ack_ids.is_empty() {
            let ack = AcknowledgeRequest {
                subscription: subscription.to_owned(),
                ack_ids,
            };
            subscriber.acknowledge(ack).await.unwrap();
        }
    }
    tenants
}

#[tokio::test]
async fn a_fan_out_through_pubsub_reaches_the_subscription_with_every_tenant() {
    let project = format!("fanout-{}", std::process::id());
    let (mut subscriber, subscription) = pull_subscription(&project).await;
    let dir = tempfile::tempdir().unwrap();
    let store = tenants(dir.path(), 2500).await;
    let publisher = PubSubPublisher::connect(&project).await.unwrap();
    let scheduled: chrono::DateTime<chrono::Utc> = "2026-11-24T01:00:00Z".parse().unwrap();
    let result = fanout::fan_out(&store, &publisher, "workload-report", &scheduled)
        .await
        .unwrap();
    assert_eq!((result.tenants, result.publish_calls), (2500, 3));
    let tenants = drain(&mut subscriber, &subscription, 2500).await;
    assert_eq!(tenants.len(), 2500, "every tenant's message arrived");
}

#[tokio::test]
async fn publishing_to_a_missing_topic_is_an_error_not_a_loss() {
    emulator();
    let publisher = PubSubPublisher::connect(&format!("missing-{}", std::process::id()))
        .await
        .unwrap();
    let message = fanout::job_message(
        "workload-report",
        &TenantId::parse("acme").unwrap(),
        &chrono::Utc::now(),
    );
    let err = publisher
        .publish("workload-report", vec![message])
        .await
        .unwrap_err();
    assert!(matches!(err, PublishError::Invalid(_)), "{err:?}");
}
