//! The V4 check against Google's own signing test vectors, the ones `google-cloud-storage`
//! ships (`src/storage/conformance/`): every expected URL there verifies with the vectors'
//! key while it is valid, and is refused once expired, or with one byte of it changed.

use std::path::PathBuf;

use blobs::keys::SigningKey;
use blobs::v4::{self, Presented, Refusal};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Suite {
    signing_v4_tests: Vec<Vector>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Vector {
    description: String,
    method: String,
    expiration: i64,
    timestamp: DateTime<Utc>,
    expected_url: String,
    #[serde(default)]
    headers: std::collections::BTreeMap<String, String>,
}

/// The conformance directory of the `google-cloud-storage` version in Cargo.lock, in cargo's
/// registry (where the build put it).
fn conformance_dir() -> PathBuf {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.lock"))
        .expect("the workspace's Cargo.lock");
    let version = lock
        .split("[[package]]")
        .find(|p| p.contains("name = \"google-cloud-storage\""))
        .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = ")))
        .map(|v| v.trim_matches('"').to_owned())
        .expect("google-cloud-storage in Cargo.lock");
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cargo"));
    let registry = cargo_home.join("registry/src");
    std::fs::read_dir(&registry)
        .expect("cargo's registry sources")
        .filter_map(Result::ok)
        .map(|index| {
            index.path().join(format!(
                "google-cloud-storage-{version}/src/storage/conformance"
            ))
        })
        .find(|dir| dir.is_dir())
        .unwrap_or_else(|| {
            panic!(
                "google-cloud-storage {version}'s sources are not under {}",
                registry.display()
            )
        })
}

/// `scheme://host/path?query` taken apart.
fn split_url(url: &str) -> (&str, &str, &str) {
    let rest = url.split_once("://").expect("a scheme").1;
    let (host, path_and_query) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    (host, if path.is_empty() { "/" } else { path }, query)
}

fn headers(host: &str, vector: &Vector) -> Option<http::HeaderMap> {
    let mut headers = http::HeaderMap::new();
    headers.insert("host", host.parse().ok()?);
    for (name, value) in &vector.headers {
        let name: http::HeaderName = name.to_ascii_lowercase().parse().ok()?;
        headers.insert(name, value.parse().ok()?);
    }
    Some(headers)
}

#[test]
fn the_crates_signing_vectors_verify_and_expire() {
    let dir = conformance_dir();
    let key: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.join("test_service_account.not-a-test.json")).unwrap(),
    )
    .unwrap();
    let public = SigningKey::from_service_account(&key)
        .unwrap()
        .public_key()
        .unwrap();
    let suite: Suite =
        serde_json::from_slice(&std::fs::read(dir.join("v4_signatures.json")).unwrap()).unwrap();

    let mut verified = Vec::new();
    let mut not_http = Vec::new();
    for vector in &suite.signing_v4_tests {
        let (host, path, query) = split_url(&vector.expected_url);
        // A header name with a slash is no HTTP header: no request can carry it.
        let Some(headers) = headers(host, vector) else {
            not_http.push(vector.description.clone());
            continue;
        };
        let request = Presented {
            method: &vector.method,
            path,
            query,
            headers: &headers,
        };
        let valid = vector.timestamp + Duration::seconds(vector.expiration - 1);
        let grant = v4::verify(&request, &public, valid)
            .unwrap_or_else(|e| panic!("{}: {e}", vector.description));
        assert_eq!(
            grant.expires_at,
            vector.timestamp + Duration::seconds(vector.expiration),
            "{}",
            vector.description
        );
        let expired = vector.timestamp + Duration::seconds(vector.expiration);
        assert!(
            matches!(
                v4::verify(&request, &public, expired),
                Err(Refusal::Expired(_))
            ),
            "{}: valid after its expiry",
            vector.description
        );
        let other_path = format!("{path}x");
        let tampered = Presented {
            path: &other_path,
            ..request
        };
        assert_eq!(
            v4::verify(&tampered, &public, valid),
            Err(Refusal::BadSignature),
            "{}: another object's path verified",
            vector.description
        );
        let put = Presented {
            method: if vector.method == "PUT" { "GET" } else { "PUT" },
            ..request
        };
        assert_eq!(
            v4::verify(&put, &public, valid),
            Err(Refusal::BadSignature),
            "{}: another method verified",
            vector.description
        );
        verified.push(vector.description.clone());
    }
    assert_eq!(
        not_http,
        ["Slashes in object name should not be URL encoded"]
    );
    assert_eq!(verified.len(), suite.signing_v4_tests.len() - 1);
}

#[test]
fn another_key_does_not_verify_a_vector() {
    let dir = conformance_dir();
    let suite: Suite =
        serde_json::from_slice(&std::fs::read(dir.join("v4_signatures.json")).unwrap()).unwrap();
    let vector = &suite.signing_v4_tests[0];
    let other =
        SigningKey::generate("test-iam-credentials@dummy-project-id.iam.gserviceaccount.com")
            .unwrap()
            .public_key()
            .unwrap();
    let (host, path, query) = split_url(&vector.expected_url);
    let headers = headers(host, vector).unwrap();
    let request = Presented {
        method: &vector.method,
        path,
        query,
        headers: &headers,
    };
    assert_eq!(
        v4::verify(&request, &other, vector.timestamp),
        Err(Refusal::BadSignature)
    );
}
