//! The Google Pub/Sub adapter of the publisher port, on the Pub/Sub v1 gRPC API. With
//! `PUBSUB_EMULATOR_HOST` set it talks to an emulator (such as Google's `pstest`) without
//! credentials; otherwise it uses the runtime's service account.

use std::collections::HashMap;

use async_trait::async_trait;
use domain::publish::{OutboundMessage, PublishError, Publisher};
use gcloud_sdk::google::pubsub::v1::publisher_client::PublisherClient;
use gcloud_sdk::google::pubsub::v1::{PublishRequest, PubsubMessage};
use gcloud_sdk::tonic::transport::Channel;
use gcloud_sdk::tonic::{Code, Status};
use gcloud_sdk::{GoogleApi, GoogleAuthMiddleware};

const PUBSUB_API: &str = "https://pubsub.googleapis.com";

enum Client {
    Emulator(PublisherClient<Channel>),
    Google(GoogleApi<PublisherClient<GoogleAuthMiddleware>>),
}

pub struct PubSubPublisher {
    client: Client,
    project: String,
}

fn status_error(status: Status) -> PublishError {
    match status.code() {
        Code::NotFound => {
            PublishError::Invalid(format!("the topic does not exist: {}", status.message()))
        }
        Code::InvalidArgument => PublishError::Invalid(status.message().to_owned()),
        _ => {
            PublishError::Unavailable(format!("Pub/Sub {:?}: {}", status.code(), status.message()))
        }
    }
}

impl PubSubPublisher {
    pub async fn connect(project: &str) -> Result<Self, PublishError> {
        let client = match std::env::var("PUBSUB_EMULATOR_HOST")
            .ok()
            .filter(|h| !h.is_empty())
        {
            Some(host) => {
                let channel = Channel::from_shared(format!("http://{host}"))
                    .map_err(|e| PublishError::Invalid(format!("PUBSUB_EMULATOR_HOST: {e}")))?
                    .connect()
                    .await
                    .map_err(|e| {
                        PublishError::Unavailable(format!(
                            "cannot reach the Pub/Sub emulator at {host}: {e}"
                        ))
                    })?;
                Client::Emulator(PublisherClient::new(channel))
            }
            None => Client::Google(
                GoogleApi::from_function(PublisherClient::new, PUBSUB_API, None)
                    .await
                    .map_err(|e| {
                        PublishError::Unavailable(format!("cannot connect to Pub/Sub: {e}"))
                    })?,
            ),
        };
        Ok(Self {
            client,
            project: project.to_owned(),
        })
    }
}

#[async_trait]
impl Publisher for PubSubPublisher {
    async fn publish(
        &self,
        topic: &str,
        messages: Vec<OutboundMessage>,
    ) -> Result<(), PublishError> {
        domain::publish::check_batch(&messages)?;
        let request = PublishRequest {
            topic: format!("projects/{}/topics/{topic}", self.project),
            messages: messages
                .into_iter()
                .map(|m| PubsubMessage {
                    data: m.data,
                    attributes: m.attributes.into_iter().collect::<HashMap<_, _>>(),
                    ..Default::default()
                })
                .collect(),
        };
        let result = match &self.client {
            Client::Emulator(client) => client.clone().publish(request).await,
            Client::Google(api) => api.get().publish(request).await,
        };
        result.map(|_| ()).map_err(status_error)
    }
}
