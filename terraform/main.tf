# Everything here is derived from two files the code also reads: the function catalog
# (functions/catalog.json) and the Firestore index list (shared/store/firestore.indexes.json).
# A function added to the catalog gets its service, identity, triggers and image from them.

module "catalog" {
  source       = "./modules/catalog"
  catalog_file = "${path.module}/../functions/catalog.json"
  indexes_file = "${path.module}/../shared/store/firestore.indexes.json"
}

locals {
  functions         = module.catalog.functions
  push_triggers     = module.catalog.push_triggers
  schedule_triggers = module.catalog.schedule_triggers
  push_audience     = module.catalog.push_audience
  secret_env        = module.catalog.secret_env
  indexes           = module.catalog.indexes

  # Who may invoke each private function: the scheduler's or the push subscriptions' identity.
  invoker_email = {
    for name, f in local.functions : name => (
      anytrue([for t in f.triggers : t.kind == "schedule"])
      ? google_service_account.scheduler.email
      : google_service_account.pubsub_push.email
    ) if f.ingress == "private"
  }

  image_base = "${var.region}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.functions.repository_id}"
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
