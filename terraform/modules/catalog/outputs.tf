output "functions" {
  description = "Every catalog function, by name, as the catalog states it."
  value       = local.functions
}

output "public_functions" {
  description = "The names of the functions open to the frontend, in catalog order."
  value       = [for f in local.catalog.functions : f.name if f.ingress == "public"]
}

output "default_function" {
  description = "The function serving every path no other function claims (the cockpit), else the first public one."
  value = try(
    [for f in local.catalog.functions : f.name if try(f.default, false)][0],
    [for f in local.catalog.functions : f.name if f.ingress == "public"][0],
  )
}

output "push_triggers" {
  description = "Pub/Sub push triggers by topic, each with the function it pushes to."
  value       = local.push_triggers
}

output "schedule_triggers" {
  description = "Cloud Scheduler triggers by job, each with the function it calls."
  value       = local.schedule_triggers
}

output "push_audience" {
  description = "The OIDC audience pushes and scheduler calls carry to each function."
  value       = { for name, f in local.functions : name => "cleanops-${name}" }
}

output "secret_env" {
  description = "Every secret a function names, and the environment variable it arrives in."
  value       = local.secret_env
}

output "indexes" {
  description = "The composite indexes the store's queries need."
  value       = jsondecode(file(var.indexes_file)).indexes
}
