# The Firestore database with every composite index the store's queries need, the bucket
# documents live in, and the secrets functions read.

resource "google_firestore_database" "main" {
  name                              = "(default)"
  location_id                       = var.firestore_location
  type                              = "FIRESTORE_NATIVE"
  point_in_time_recovery_enablement = "POINT_IN_TIME_RECOVERY_ENABLED"
  delete_protection_state           = "DELETE_PROTECTION_ENABLED"
  depends_on                        = [google_project_service.apis]
}

resource "google_firestore_index" "index" {
  for_each = {
    for index in local.indexes :
    "${index.collectionGroup}:${join(",", [for f in index.fields : "${f.fieldPath}:${f.order}"])}" => index
  }
  database    = google_firestore_database.main.name
  collection  = each.value.collectionGroup
  query_scope = each.value.queryScope

  dynamic "fields" {
    for_each = each.value.fields
    content {
      # The store's `id` is the document name.
      field_path = fields.value.fieldPath == "id" ? "__name__" : fields.value.fieldPath
      order      = fields.value.order
    }
  }
}

resource "google_storage_bucket" "documents" {
  #checkov:skip=CKV_GCP_62:Access is logged by Cloud Audit Logs (data access), not bucket logs.
  name                        = "${var.project_id}-cleanops-documents"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false

  versioning {
    enabled = true
  }

  # Browsers PUT uploads and GET downloads straight to the bucket through signed URLs.
  dynamic "cors" {
    for_each = var.cors_allowed_origins == "" ? [] : [1]
    content {
      origin          = [for o in split(",", var.cors_allowed_origins) : trimspace(o)]
      method          = ["GET", "HEAD", "PUT"]
      response_header = ["Content-Type", "Content-Disposition", "x-goog-hash"]
      max_age_seconds = 3600
    }
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = var.documents_retention_days
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.apis]
}

resource "google_secret_manager_secret" "secret" {
  for_each  = local.secret_env
  secret_id = "cleanops-${each.key}"

  replication {
    auto {}
  }

  depends_on = [google_project_service.apis]
}
