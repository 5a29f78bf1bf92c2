variable "project_id" {
  description = "The Google Cloud project to deploy into."
  type        = string
}

variable "region" {
  description = "Region of the Cloud Run services, Artifact Registry and the scheduler jobs."
  type        = string
  default     = "europe-west3"
}

variable "firestore_location" {
  description = "Location of the Firestore database (a region or multi-region such as eur3)."
  type        = string
  default     = "eur3"
}

variable "image_tag" {
  description = "The image tag the functions run (a commit SHA: every function's image carries each build's commit)."
  type        = string
}

variable "image_tags" {
  description = "Per function, a tag that overrides image_tag. Cloud Build passes each image's source-hash tag, so a function whose sources did not change keeps its revision."
  type        = map(string)
  default     = {}
}

variable "auth_issuer" {
  description = "Issuer (iss) of accepted user tokens, e.g. https://securetoken.google.com/PROJECT."
  type        = string
}

variable "auth_audience" {
  description = "Audience (aud) user tokens must name."
  type        = string
}

variable "auth_jwks" {
  description = "The token issuer's public keys as a JWKS document (JSON), when auth_jwks_url is not set."
  type        = string
  default     = ""
}

variable "auth_jwks_url" {
  description = "Where the functions fetch the token issuer's keys: the identity function's https://.../.well-known/jwks.json (through the load balancer's domain). Empty: auth_jwks."
  type        = string
  default     = ""
}

variable "cors_allowed_origins" {
  description = "Comma-separated frontend origins allowed from browsers (empty: none)."
  type        = string
  default     = ""
}

variable "documents_retention_days" {
  description = "Days a replaced or deleted document version is kept in the bucket."
  type        = number
  default     = 90
}
