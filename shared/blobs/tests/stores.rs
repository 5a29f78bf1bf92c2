//! Both stores, the same behaviour: what a signed upload stores is what a signed download
//! gives back, checked by type, size and checksum; every URL they hand out verifies. The
//! local store refuses what Cloud Storage refuses (fake-gcs-server checks no signature, so
//! there the refusals are checked on the URLs themselves).

use std::time::Duration;

use blobs::testing::{FakeGcs, MovableClock, check, send, served_disk_store};
use blobs::v4::Refusal;
use blobs::{BlobStore, Crc32c, Download, ObjectKey, Upload};

const PDF: &[u8] = b"%PDF-1.7\n% a small test file\n%%EOF\n";

fn key(tenant: &str, document: &str) -> ObjectKey {
    ObjectKey::document(tenant, document).unwrap()
}

fn pdf_upload() -> Upload {
    Upload {
        content_type: "application/pdf".into(),
        crc32c: Crc32c::of(PDF),
    }
}

fn download() -> Download {
    Download {
        file_name: "Übergabe.pdf".into(),
        attachment: true,
    }
}

/// Upload, read back (metadata, first bytes, download), delete: on any store.
async fn round_trip(store: &dyn BlobStore, public: &blobs::keys::PublicKey) {
    let key = key("tenant-a", "doc-1");
    let upload = store
        .upload_url(&key, &pdf_upload(), Duration::from_secs(900))
        .await
        .unwrap();
    let grant = check(&upload, public, chrono::Utc::now()).expect("the upload URL verifies");
    assert!(grant.signed_headers.contains(&"content-type".to_owned()));
    assert!(grant.signed_headers.contains(&"x-goog-hash".to_owned()));
    assert!(upload.url.contains("/tenants/tenant-a/documents/doc-1?"));
    let sent = send(&upload, PDF.to_vec()).await;
    assert!(sent.status().is_success(), "{}", sent.status());

    let info = store.stat(&key).await.unwrap().expect("stored");
    assert_eq!(info.size, PDF.len() as u64);
    assert_eq!(info.crc32c, Crc32c::of(PDF));
    assert_eq!(info.content_type, "application/pdf");
    assert_eq!(store.read_head(&key, 5).await.unwrap(), b"%PDF-");

    let download = store
        .download_url(&key, &download(), Duration::from_secs(300))
        .await
        .unwrap();
    let grant = check(&download, public, chrono::Utc::now()).expect("the download URL verifies");
    assert!(grant.query["response-content-disposition"].starts_with("attachment;"));
    let got = send(&download, Vec::new()).await;
    assert!(got.status().is_success());
    assert_eq!(got.bytes().await.unwrap().as_ref(), PDF);

    store.delete(&key).await.unwrap();
    assert_eq!(store.stat(&key).await.unwrap(), None);
    store
        .delete(&key)
        .await
        .expect("a second delete is no error");
}

#[tokio::test]
async fn the_local_store_round_trips_a_document() {
    let dir = tempfile::tempdir().unwrap();
    let store = served_disk_store(dir.path(), &MovableClock::default()).await;
    round_trip(store.as_ref(), &store.public_key().clone()).await;
}

#[tokio::test]
async fn fake_gcs_round_trips_a_document() {
    let fake = FakeGcs::start();
    let (store, public) = fake.store("documents").await;
    round_trip(&store, &public).await;
}

#[tokio::test]
async fn a_put_object_reads_back_on_both_stores() {
    let dir = tempfile::tempdir().unwrap();
    let disk = served_disk_store(dir.path(), &MovableClock::default()).await;
    let fake = FakeGcs::start();
    let (gcs, _) = fake.store("issued").await;
    for store in [disk.as_ref() as &dyn BlobStore, &gcs] {
        let key = key("tenant-a", "invoice-pdf");
        let info = store
            .put(&key, "application/pdf", PDF.to_vec())
            .await
            .unwrap();
        let stored = store.stat(&key).await.unwrap().expect("stored");
        // The type is not compared: fake-gcs-server takes it from the media part's header,
        // which the crate leaves out (Cloud Storage takes the metadata's, as sent).
        assert_eq!((stored.size, stored.crc32c), (info.size, info.crc32c));
        assert_eq!(store.read_head(&key, 1024).await.unwrap(), PDF);
    }
}

#[tokio::test]
async fn the_local_store_refuses_an_expired_url() {
    let dir = tempfile::tempdir().unwrap();
    let clock = MovableClock::default();
    let store = served_disk_store(dir.path(), &clock).await;
    let key = key("tenant-a", "doc-1");
    store
        .put(&key, "application/pdf", PDF.to_vec())
        .await
        .unwrap();
    let url = store
        .download_url(&key, &download(), Duration::from_secs(300))
        .await
        .unwrap();
    clock.advance(chrono::Duration::seconds(301));
    let refused = send(&url, Vec::new()).await;
    assert_eq!(refused.status(), 400);
    assert!(refused.text().await.unwrap().contains("ExpiredToken"));
}

#[tokio::test]
async fn fake_gcs_urls_expire_when_they_say() {
    let fake = FakeGcs::start();
    let (store, public) = fake.store("documents").await;
    let key = key("tenant-a", "doc-1");
    let url = store
        .upload_url(&key, &pdf_upload(), Duration::from_secs(900))
        .await
        .unwrap();
    let grant = check(&url, &public, chrono::Utc::now()).unwrap();
    assert_eq!(grant.expires_at, url.expires_at);
    assert!(matches!(
        check(&url, &public, url.expires_at),
        Err(Refusal::Expired(_))
    ));
}

#[tokio::test]
async fn a_url_for_one_tenants_object_reaches_no_other() {
    let dir = tempfile::tempdir().unwrap();
    let store = served_disk_store(dir.path(), &MovableClock::default()).await;
    let theirs = key("tenant-b", "doc-1");
    store
        .put(&theirs, "application/pdf", PDF.to_vec())
        .await
        .unwrap();
    let mine = store
        .download_url(
            &key("tenant-a", "doc-1"),
            &download(),
            Duration::from_secs(300),
        )
        .await
        .unwrap();
    let mut forged = mine.clone();
    forged.url = mine.url.replace("/tenant-a/", "/tenant-b/");
    let refused = send(&forged, Vec::new()).await;
    assert_eq!(refused.status(), 403);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("SignatureDoesNotMatch")
    );
    assert_eq!(
        check(&forged, store.public_key(), chrono::Utc::now()),
        Err(Refusal::BadSignature)
    );
}

#[tokio::test]
async fn the_local_store_refuses_bytes_that_are_not_the_promised_ones() {
    let dir = tempfile::tempdir().unwrap();
    let store = served_disk_store(dir.path(), &MovableClock::default()).await;
    let key = key("tenant-a", "doc-1");
    let upload = store
        .upload_url(&key, &pdf_upload(), Duration::from_secs(900))
        .await
        .unwrap();
    let refused = send(&upload, b"%PDF-1.7 other bytes".to_vec()).await;
    assert_eq!(refused.status(), 400);
    assert!(refused.text().await.unwrap().contains("BadDigest"));
    assert_eq!(store.stat(&key).await.unwrap(), None);

    let mut other_type = upload.clone();
    other_type
        .headers
        .insert("content-type".into(), "text/html".into());
    assert_eq!(send(&other_type, PDF.to_vec()).await.status(), 403);
    assert_eq!(store.stat(&key).await.unwrap(), None);
}

#[tokio::test]
async fn a_download_url_does_not_upload() {
    let dir = tempfile::tempdir().unwrap();
    let store = served_disk_store(dir.path(), &MovableClock::default()).await;
    let key = key("tenant-a", "doc-1");
    store
        .put(&key, "application/pdf", PDF.to_vec())
        .await
        .unwrap();
    let mut url = store
        .download_url(&key, &download(), Duration::from_secs(300))
        .await
        .unwrap();
    url.method = "PUT".into();
    assert_eq!(send(&url, b"replaced".to_vec()).await.status(), 403);
    assert_eq!(store.read_head(&key, 5).await.unwrap(), b"%PDF-");
}

#[tokio::test]
async fn the_local_store_keeps_its_signing_key_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let first = blobs::disk::DiskBlobs::open(dir.path(), "http://127.0.0.1:1").unwrap();
    let again = blobs::disk::DiskBlobs::open(dir.path(), "http://127.0.0.1:1").unwrap();
    let url = first
        .download_url(&key("t", "d"), &download(), Duration::from_secs(60))
        .await
        .unwrap();
    check(&url, again.public_key(), chrono::Utc::now()).expect("signed by the same key");
}
