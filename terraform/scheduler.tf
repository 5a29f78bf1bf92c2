# One Cloud Scheduler job per schedule of the catalog: the cron in its time zone, an OIDC
# call to the function's path with the job's name (Cloud Scheduler adds the
# X-CloudScheduler-ScheduleTime header the fan-out keys its messages by).

resource "google_cloud_scheduler_job" "job" {
  for_each  = local.schedule_triggers
  name      = "cleanops-${each.key}"
  region    = var.region
  schedule  = each.value.cron
  time_zone = each.value.timeZone

  retry_config {
    retry_count          = 3
    min_backoff_duration = "30s"
  }

  http_target {
    http_method = "POST"
    uri         = "${google_cloud_run_v2_service.function[each.value.function].uri}${each.value.path}"
    body        = base64encode(jsonencode({ job = each.key }))
    headers = {
      "Content-Type" = "application/json"
    }
    oidc_token {
      service_account_email = google_service_account.scheduler.email
      audience              = local.push_audience[each.value.function]
    }
  }

  depends_on = [google_project_service.apis]
}
