terraform {
  required_version = ">= 1.6, < 2.0"
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.14"
    }
  }
  # State lives in a bucket of the project (created once by hand; see README).
  backend "gcs" {}
}

provider "google" {
  project = var.project_id
  region  = var.region
}
