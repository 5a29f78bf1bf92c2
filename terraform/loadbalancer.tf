# Optional: one HTTPS origin for the frontend (the seed's gateway). Set `domain` and every
# public function's route prefixes are routed to it through serverless NEGs; without a
# domain nothing here is created and each function keeps its own run.app URL.

variable "domain" {
  description = "Host name of the single API origin (e.g. api.example.com); empty: no load balancer."
  type        = string
  default     = ""
}

locals {
  lb_functions = var.domain == "" ? {} : {
    for name, f in local.functions : name => f if f.ingress == "public"
  }
  # Every path no function's routes claim goes to the catalog's default function: the
  # cockpit's web app, so the app and the API share one origin.
  lb_default = var.domain == "" ? "" : module.catalog.default_function
}

resource "google_compute_region_network_endpoint_group" "function" {
  for_each              = local.lb_functions
  name                  = "cleanops-${each.key}"
  region                = var.region
  network_endpoint_type = "SERVERLESS"
  cloud_run {
    service = google_cloud_run_v2_service.function[each.key].name
  }
}

resource "google_compute_backend_service" "function" {
  for_each              = local.lb_functions
  name                  = "cleanops-${each.key}"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  protocol              = "HTTPS"
  backend {
    group = google_compute_region_network_endpoint_group.function[each.key].id
  }
  log_config {
    enable      = true
    sample_rate = 1
  }
}

resource "google_compute_url_map" "api" {
  count           = var.domain == "" ? 0 : 1
  name            = "cleanops-api"
  default_service = google_compute_backend_service.function[local.lb_default].id

  host_rule {
    hosts        = [var.domain]
    path_matcher = "functions"
  }

  path_matcher {
    name            = "functions"
    default_service = google_compute_backend_service.function[local.lb_default].id
    dynamic "path_rule" {
      for_each = local.lb_functions
      content {
        paths   = flatten([for route in path_rule.value.routes : [route, "${route}/*"]])
        service = google_compute_backend_service.function[path_rule.key].id
      }
    }
  }
}

resource "google_compute_ssl_policy" "api" {
  count           = var.domain == "" ? 0 : 1
  name            = "cleanops-api"
  profile         = "MODERN"
  min_tls_version = "TLS_1_2"
}

resource "google_compute_managed_ssl_certificate" "api" {
  count = var.domain == "" ? 0 : 1
  name  = "cleanops-api"
  managed {
    domains = [var.domain]
  }
}

resource "google_compute_target_https_proxy" "api" {
  count            = var.domain == "" ? 0 : 1
  name             = "cleanops-api"
  url_map          = google_compute_url_map.api[0].id
  ssl_certificates = [google_compute_managed_ssl_certificate.api[0].id]
  ssl_policy       = google_compute_ssl_policy.api[0].id
}

resource "google_compute_global_address" "api" {
  count = var.domain == "" ? 0 : 1
  name  = "cleanops-api"
}

resource "google_compute_global_forwarding_rule" "api" {
  count                 = var.domain == "" ? 0 : 1
  name                  = "cleanops-api"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  ip_address            = google_compute_global_address.api[0].address
  port_range            = "443"
  target                = google_compute_target_https_proxy.api[0].id
}

output "api_address" {
  description = "The load balancer's IP address (point the domain's A record here), if any."
  value       = var.domain == "" ? null : google_compute_global_address.api[0].address
}
