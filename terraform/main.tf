# Everything here is derived from two files the code also reads: the function catalog
# (functions/catalog.json) and the Firestore index list (shared/store/firestore.indexes.json).
# A function added to the catalog gets its service, identity, triggers and image from them.

locals {
  catalog   = jsondecode(file("${path.module}/../functions/catalog.json"))
  functions = { for f in local.catalog.functions : f.name => f }

  # Pub/Sub push triggers, by topic.
  push_triggers = merge([
    for f in local.catalog.functions : {
      for t in f.triggers : t.topic => merge(t, { function = f.name }) if t.kind == "push"
    }
  ]...)

  # Cloud Scheduler triggers, by job.
  schedule_triggers = merge([
    for f in local.catalog.functions : {
      for t in f.triggers : t.job => merge(t, { function = f.name }) if t.kind == "schedule"
    }
  ]...)

  # Who may invoke each private function: the scheduler's or the push subscriptions' identity.
  invoker_email = {
    for name, f in local.functions : name => (
      anytrue([for t in f.triggers : t.kind == "schedule"])
      ? google_service_account.scheduler.email
      : google_service_account.pubsub_push.email
    ) if f.ingress == "private"
  }

  # The OIDC audience pushes and scheduler calls carry, and the function expects.
  push_audience = { for name, f in local.functions : name => "cleanops-${name}" }

  image_base = "${var.region}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.functions.repository_id}"

  secret_env = {
    "signing-key" = "CLEANOPS_SIGNING_KEY"
  }

  indexes = jsondecode(file("${path.module}/../shared/store/firestore.indexes.json")).indexes
}

resource "google_project_service" "apis" {
  for_each = toset([
    "artifactregistry.googleapis.com",
    "cloudscheduler.googleapis.com",
    "compute.googleapis.com",
    "firestore.googleapis.com",
    "iam.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
  ])
  service            = each.value
  disable_on_destroy = false
}

data "google_project" "this" {}
