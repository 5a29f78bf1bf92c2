resource "google_artifact_registry_repository" "functions" {
  #checkov:skip=CKV_GCP_84:Images hold compiled code and no customer data; Google-managed encryption suffices.
  location      = var.region
  repository_id = "cleanops"
  description   = "One image per function of the catalog, tagged with the commit."
  format        = "DOCKER"

  # Images older than 30 days go, except each function's 20 newest: an unchanged function's
  # image stays however old it is, and rolling back 20 builds stays possible.
  cleanup_policies {
    id     = "delete-old"
    action = "DELETE"
    condition {
      older_than = "2592000s"
    }
  }

  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = 20
    }
  }

  depends_on = [google_project_service.apis]
}
