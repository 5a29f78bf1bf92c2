variable "catalog_file" {
  description = "Path of the function catalog (functions/catalog.json)."
  type        = string
}

variable "indexes_file" {
  description = "Path of the store's composite index list (shared/store/firestore.indexes.json)."
  type        = string
}
