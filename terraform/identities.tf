# Least privilege: each function runs as its own service account with only the roles its
# code needs; the scheduler and the push subscriptions each call as an identity of their own.

resource "google_service_account" "function" {
  for_each     = local.functions
  account_id   = "fn-${each.key}"
  display_name = "cleanops function ${each.key}"
}

resource "google_service_account" "scheduler" {
  account_id   = "cleanops-scheduler"
  display_name = "cleanops Cloud Scheduler caller"
}

resource "google_service_account" "pubsub_push" {
  account_id   = "cleanops-pubsub-push"
  display_name = "cleanops Pub/Sub push caller"
}

# Every function reads and writes its tenants' documents in Firestore.
resource "google_project_iam_member" "firestore_user" {
  for_each = local.functions
  project  = var.project_id
  role     = "roles/datastore.user"
  member   = "serviceAccount:${google_service_account.function[each.key].email}"
}

# Scheduled functions (the fan-out) publish to every job topic; others to the topics their
# catalog entry lists in `publishes` (planning hands its plans to the planning worker).
resource "google_pubsub_topic_iam_member" "publisher" {
  for_each = merge(
    {
      for pair in setproduct(
        [for name, f in local.functions : name if anytrue([for t in f.triggers : t.kind == "schedule"])],
        keys(local.push_triggers)
      ) : "${pair[0]}/${pair[1]}" => { function = pair[0], topic = pair[1] }
    },
    {
      for pair in flatten([
        for name, f in local.functions : [for topic in try(f.publishes, []) : { function = name, topic = topic }]
      ]) : "${pair.function}/${pair.topic}" => pair
    },
  )
  topic  = google_pubsub_topic.job[each.value.topic].name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.function[each.value.function].email}"
}

# Secrets go to the functions that list them in the catalog, and to no other.
resource "google_secret_manager_secret_iam_member" "accessor" {
  for_each = {
    for pair in flatten([
      for name, f in local.functions : [for s in try(f.secrets, []) : { function = name, secret = s }]
    ]) : "${pair.function}/${pair.secret}" => pair
  }
  secret_id = google_secret_manager_secret.secret[each.value.secret].id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.function[each.value.function].email}"
}

# Functions that keep documents (their catalog entry says `documents`) read, write and delete
# objects in the documents bucket, and no other bucket.
resource "google_storage_bucket_iam_member" "documents" {
  for_each = { for name, f in local.functions : name => f if try(f.documents, false) }
  bucket   = google_storage_bucket.documents.name
  role     = "roles/storage.objectUser"
  member   = "serviceAccount:${google_service_account.function[each.key].email}"
}

# They sign their upload and download URLs as themselves, through IAM signBlob (no key is
# ever made): the Token Creator role on their own account, not on any other.
resource "google_service_account_iam_member" "signs_urls" {
  for_each           = { for name, f in local.functions : name => f if try(f.documents, false) }
  service_account_id = google_service_account.function[each.key].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "serviceAccount:${google_service_account.function[each.key].email}"
}
