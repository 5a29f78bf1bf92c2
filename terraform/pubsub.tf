# One topic per push trigger of the catalog, its dead-letter topic, and a push subscription
# to the worker with an OIDC token, the catalog's ack deadline and retry policy.

resource "google_pubsub_topic" "job" {
  #checkov:skip=CKV_GCP_83:Messages carry only tenant ids and times; Google-managed keys suffice.
  for_each                   = local.push_triggers
  name                       = each.key
  message_retention_duration = "86400s"
  depends_on                 = [google_project_service.apis]
}

resource "google_pubsub_topic" "dead_letter" {
  #checkov:skip=CKV_GCP_83:Messages carry only tenant ids and times; Google-managed keys suffice.
  for_each                   = local.push_triggers
  name                       = "${each.key}-dead-letter"
  message_retention_duration = "604800s"
  depends_on                 = [google_project_service.apis]
}

resource "google_pubsub_subscription" "push" {
  for_each                   = local.push_triggers
  name                       = "${each.key}-push"
  topic                      = google_pubsub_topic.job[each.key].id
  ack_deadline_seconds       = each.value.ackDeadlineSeconds
  message_retention_duration = "604800s"

  push_config {
    push_endpoint = "${google_cloud_run_v2_service.function[each.value.function].uri}${each.value.path}"
    oidc_token {
      service_account_email = google_service_account.pubsub_push.email
      audience              = local.push_audience[each.value.function]
    }
  }

  retry_policy {
    minimum_backoff = "${each.value.minBackoffSeconds}s"
    maximum_backoff = "${each.value.maxBackoffSeconds}s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter[each.key].id
    max_delivery_attempts = each.value.maxDeliveryAttempts
  }

  expiration_policy {
    ttl = ""
  }
}

# Holds what ends in a dead-letter topic until someone looks at it.
resource "google_pubsub_subscription" "dead_letter" {
  for_each                   = local.push_triggers
  name                       = "${each.key}-dead-letter"
  topic                      = google_pubsub_topic.dead_letter[each.key].id
  message_retention_duration = "604800s"
  expiration_policy {
    ttl = ""
  }
}

locals {
  pubsub_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

# Dead-lettering needs the Pub/Sub service agent to publish to the dead-letter topic and to
# acknowledge on the source subscription; pushing with OIDC needs it to mint tokens.
resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  for_each = local.push_triggers
  topic    = google_pubsub_topic.dead_letter[each.key].name
  role     = "roles/pubsub.publisher"
  member   = local.pubsub_agent
}

resource "google_pubsub_subscription_iam_member" "dead_letter_subscriber" {
  for_each     = local.push_triggers
  subscription = google_pubsub_subscription.push[each.key].name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}

resource "google_service_account_iam_member" "push_token_creator" {
  service_account_id = google_service_account.pubsub_push.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent
}
