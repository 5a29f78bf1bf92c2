output "function_urls" {
  description = "Every function's Cloud Run URL, by catalog name."
  value       = { for name, service in google_cloud_run_v2_service.function : name => service.uri }
}

output "documents_bucket" {
  description = "The bucket documents are stored in."
  value       = google_storage_bucket.documents.name
}

output "image_repository" {
  description = "Where Cloud Build pushes the function images."
  value       = local.image_base
}
