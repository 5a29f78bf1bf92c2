# The function catalog and the store's index list, read into the maps the deployment iterates.
# Pure: no provider, no resource, so functions/local/tests/deploy.rs evaluates it offline and
# compares the result with the catalog as the code reads it.

locals {
  catalog = jsondecode(file(var.catalog_file))

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

  # Every secret a function names, and its variable: "signing-key" is CLEANOPS_SIGNING_KEY.
  secret_env = {
    for s in distinct(flatten([for f in local.catalog.functions : try(f.secrets, [])])) :
    s => "CLEANOPS_${upper(replace(s, "-", "_"))}"
  }
}
