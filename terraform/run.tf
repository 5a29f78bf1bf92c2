# One Cloud Run service per catalog function, scaled as the catalog says.

resource "google_cloud_run_v2_service" "function" {
  for_each = local.functions
  name     = each.key
  location = var.region
  # Private functions take only Pub/Sub pushes and scheduler calls from inside the project.
  ingress             = each.value.ingress == "public" ? "INGRESS_TRAFFIC_ALL" : "INGRESS_TRAFFIC_INTERNAL_ONLY"
  deletion_protection = false

  labels = {
    context = lower(each.value.context)
  }

  template {
    service_account                  = google_service_account.function[each.key].email
    max_instance_request_concurrency = each.value.scaling.concurrency
    timeout                          = "${each.value.scaling.timeoutSeconds}s"

    scaling {
      min_instance_count = each.value.scaling.minInstances
      max_instance_count = each.value.scaling.maxInstances
    }

    containers {
      image = "${local.image_base}/${each.key}:${lookup(var.image_tags, each.key, var.image_tag)}"

      resources {
        limits = {
          cpu    = each.value.scaling.cpu
          memory = each.value.scaling.memory
        }
        # Scale to zero between requests: no CPU is billed while idle.
        cpu_idle          = true
        startup_cpu_boost = true
      }

      startup_probe {
        http_get {
          path = "/healthz"
        }
        period_seconds    = 1
        failure_threshold = 10
      }

      dynamic "env" {
        for_each = merge(
          {
            CLEANOPS_STORE       = "firestore"
            FIRESTORE_PROJECT_ID = var.project_id
            GOOGLE_CLOUD_PROJECT = var.project_id
            AUTH_ISSUER          = var.auth_issuer
            AUTH_AUDIENCE        = var.auth_audience
            CORS_ALLOWED_ORIGINS = var.cors_allowed_origins
            LOG_FORMAT           = "json"
          },
          # Behind the load balancer, the client's address is the second to last of
          # X-Forwarded-For (identity's lockouts and audit log read it).
          var.domain != "" ? { TRUSTED_PROXY_HOPS = "2" } : {},
          # The identity function's published keys (which follow its rotations), else fixed ones.
          var.auth_jwks_url != "" ? { AUTH_JWKS_URL = var.auth_jwks_url } : { AUTH_JWKS = var.auth_jwks },
          each.value.ingress == "private" ? {
            PUSH_AUDIENCE        = local.push_audience[each.key]
            PUSH_SERVICE_ACCOUNT = local.invoker_email[each.key]
          } : {},
          anytrue([for t in each.value.triggers : t.kind == "schedule"]) || length(try(each.value.publishes, [])) > 0 ? {
            PUBSUB_PROJECT_ID = var.project_id
          } : {},
          try(each.value.documents, false) ? {
            CLEANOPS_BUCKET = google_storage_bucket.documents.name
          } : {},
        )
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "env" {
        for_each = toset(try(each.value.secrets, []))
        content {
          name = local.secret_env[env.value]
          value_source {
            secret_key_ref {
              secret  = google_secret_manager_secret.secret[env.value].secret_id
              version = "latest"
            }
          }
        }
      }
    }
  }

  depends_on = [
    google_project_service.apis,
    google_secret_manager_secret_iam_member.accessor,
  ]
}

# Public functions are open to all at the HTTP level: every route but /healthz checks the
# user's token itself (app-level auth), so browsers and apps call them directly.
resource "google_cloud_run_v2_service_iam_member" "public" {
  #checkov:skip=CKV_GCP_102:Public API on purpose; every route verifies a signed user token.
  for_each = { for name, f in local.functions : name => f if f.ingress == "public" }
  name     = google_cloud_run_v2_service.function[each.key].name
  location = var.region
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# Private functions: only their push subscription's or the scheduler's identity may invoke.
resource "google_cloud_run_v2_service_iam_member" "invoker" {
  for_each = local.invoker_email
  name     = google_cloud_run_v2_service.function[each.key].name
  location = var.region
  role     = "roles/run.invoker"
  member   = "serviceAccount:${each.value}"
}
