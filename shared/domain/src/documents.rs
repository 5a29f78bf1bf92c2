//! Documents: files kept for a site, a contract, a visit (the cleaner's photos before and
//! after), an inspection or an invoice. Their bytes live in the bucket; this is what the
//! store knows of them: the name, the type and size promised at upload, the checksum the
//! bytes must have, what the document belongs to, and whether the upload was confirmed.
//!
//! A document is pending from the moment its upload is granted until the upload is
//! confirmed (the stored object's size and checksum are those promised); only then is it
//! listed and downloadable.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Entity;
use crate::validation::{Fields, ValidationErrors};

/// The types a document may have. Uploads take PDFs and photos; the XML of an issued
/// e-invoice is written by the server only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum DocumentType {
    #[serde(rename = "application/pdf")]
    Pdf,
    #[serde(rename = "image/jpeg")]
    Jpeg,
    #[serde(rename = "image/png")]
    Png,
    #[serde(rename = "image/heic")]
    Heic,
    #[serde(rename = "application/xml")]
    Xml,
}

impl DocumentType {
    /// What a client may upload.
    pub const UPLOADS: [DocumentType; 4] = [Self::Pdf, Self::Jpeg, Self::Png, Self::Heic];

    pub fn mime(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Heic => "image/heic",
            Self::Xml => "application/xml",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Heic => "heic",
            Self::Xml => "xml",
        }
    }

    pub fn is_image(self) -> bool {
        matches!(self, Self::Jpeg | Self::Png | Self::Heic)
    }

    /// The largest upload of this type: a scanned contract of many pages, or a phone's
    /// full-size photo.
    pub fn max_bytes(self) -> u64 {
        match self {
            Self::Pdf => 25 * 1024 * 1024,
            Self::Jpeg | Self::Png | Self::Heic => 15 * 1024 * 1024,
            Self::Xml => 5 * 1024 * 1024,
        }
    }

    /// How many leading bytes [`Self::begins`] needs.
    pub const SIGNATURE_BYTES: u64 = 12;

    /// Whether a file starting with `head` is of this type, by its signature: a PDF starts
    /// `%PDF-`, a JPEG `FF D8 FF`, a PNG with its 8 bytes, a HEIC with an `ftyp` box of a
    /// HEIF brand.
    pub fn begins(self, head: &[u8]) -> bool {
        match self {
            Self::Pdf => head.starts_with(b"%PDF-"),
            Self::Jpeg => head.starts_with(&[0xFF, 0xD8, 0xFF]),
            Self::Png => head.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]),
            Self::Heic => {
                head.len() >= 12
                    && &head[4..8] == b"ftyp"
                    && [
                        b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1",
                    ]
                    .iter()
                    .any(|brand| &head[8..12] == *brand)
            }
            Self::Xml => head.starts_with(b"<?xml"),
        }
    }

    fn parse_upload(raw: &str) -> Result<Self, String> {
        Self::UPLOADS
            .into_iter()
            .find(|t| t.mime() == raw)
            .ok_or_else(|| {
                format!(
                    "must be one of {} (PDF, JPEG, PNG, HEIC)",
                    Self::UPLOADS.map(Self::mime).join(", ")
                )
            })
    }
}

/// What a document belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum LinkKind {
    Site,
    Contract,
    Visit,
    Inspection,
    Invoice,
}

impl LinkKind {
    const ALL: [LinkKind; 5] = [
        Self::Site,
        Self::Contract,
        Self::Visit,
        Self::Inspection,
        Self::Invoice,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Site => "site",
            Self::Contract => "contract",
            Self::Visit => "visit",
            Self::Inspection => "inspection",
            Self::Invoice => "invoice",
        }
    }

    fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == raw)
            .ok_or_else(|| "must be one of site, contract, visit, inspection, invoice".into())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Link {
    pub kind: LinkKind,
    pub id: String,
}

/// When a visit's photo was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum Moment {
    Before,
    After,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum DocumentStatus {
    /// Its upload was granted, not confirmed: neither listed nor downloadable.
    Pending,
    Ready,
}

/// Who made the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum Origin {
    /// A person uploaded it.
    #[default]
    Upload,
    /// The system wrote it when an invoice was issued: as immutable as the invoice.
    Issued,
}

/// A document's record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    /// The file's name, as shown and as downloaded (`Übergabeprotokoll.pdf`).
    pub name: String,
    pub content_type: DocumentType,
    /// Bytes.
    pub size: u64,
    /// The bytes' CRC32C (Castagnoli), big-endian, in base64 as Cloud Storage writes it.
    pub crc32c: String,
    pub linked_to: Link,
    /// Before or after the cleaning, for a visit's photo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moment: Option<Moment>,
    /// Set by the server from what the document belongs to, so a site's, a customer's or a
    /// contract's documents are one query each.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inspection_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_id: Option<String>,
    pub status: DocumentStatus,
    /// The user who uploaded it (none for what the system wrote).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uploaded_by: Option<String>,
    #[serde(default)]
    pub origin: Origin,
}

/// The longest file name kept.
const MAX_NAME_CHARS: usize = 200;

impl Entity for Document {
    const COLLECTION: &'static str = "documents";
    const KIND: &'static str = "document";
    const READ_ONLY: &'static [&'static str] = &[
        "id",
        "version",
        "createdAt",
        "updatedAt",
        "siteId",
        "customerId",
        "contractId",
        "visitId",
        "inspectionId",
        "invoiceId",
        "status",
        "uploadedBy",
        "origin",
    ];

    /// An upload's request: `{name, contentType, size, crc32c, linkedTo, moment?}`.
    fn parse(body: &Value) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(body, Self::READ_ONLY)?;
        let name = f.required_parsed("name", parse_file_name);
        let content_type = f.required_parsed("contentType", DocumentType::parse_upload);
        let largest = content_type.map_or(DocumentType::Pdf.max_bytes(), DocumentType::max_bytes);
        let size = f.required_i64("size", 1..=largest as i64);
        let crc32c = f.required_parsed("crc32c", parse_crc32c);
        let linked_to = f.required_object("linkedTo", |l| {
            let kind = l.required_parsed("kind", LinkKind::parse);
            let id = l.required_parsed("id", |raw| {
                crate::id::parse_id(raw)
                    .map(str::to_owned)
                    .map_err(|e| e.to_string())
            });
            Some(Link {
                kind: kind?,
                id: id?,
            })
        });
        let moment = f.optional_parsed("moment", |raw| match raw {
            "before" => Ok(Moment::Before),
            "after" => Ok(Moment::After),
            _ => Err("must be before or after".to_owned()),
        });
        if moment.is_some()
            && linked_to
                .as_ref()
                .is_some_and(|l| l.kind != LinkKind::Visit)
        {
            f.error("moment", "is for a visit's photos only");
        }
        if moment.is_some() && content_type.is_some_and(|t| !t.is_image()) {
            f.error("moment", "is for photos (JPEG, PNG, HEIC) only");
        }
        f.finish(|| {
            Some(Document {
                name: name?,
                content_type: content_type?,
                size: size? as u64,
                crc32c: crc32c?,
                linked_to: linked_to?,
                moment,
                site_id: None,
                customer_id: None,
                contract_id: None,
                visit_id: None,
                inspection_id: None,
                invoice_id: None,
                status: DocumentStatus::Pending,
                uploaded_by: None,
                origin: Origin::Upload,
            })
        })
    }
}

/// A file name as people write them, without what would make it a path or break a header.
pub fn parse_file_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_NAME_CHARS {
        return Err(format!("must have 1 to {MAX_NAME_CHARS} characters"));
    }
    if name
        .chars()
        .any(|c| c.is_control() || c == '/' || c == '\\')
    {
        return Err("must not contain control characters, / or \\".into());
    }
    if name == "." || name == ".." {
        return Err("must be a file name".into());
    }
    Ok(name.to_owned())
}

/// 4 bytes in base64: 6 characters and `==`, the last of the 6 carrying 2 bits only.
fn parse_crc32c(raw: &str) -> Result<String, String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = raw.as_bytes();
    let well_formed = bytes.len() == 8
        && raw.ends_with("==")
        && bytes[..6].iter().all(|b| ALPHABET.contains(b))
        && ALPHABET
            .iter()
            .position(|b| *b == bytes[5])
            .is_some_and(|sextet| sextet & 0x0F == 0);
    if !well_formed {
        return Err(
            "must be the CRC32C of the bytes: 4 bytes, big-endian, in base64 (\"mnG7TA==\")".into(),
        );
    }
    Ok(raw.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn upload() -> Value {
        json!({
            "name": "Übergabeprotokoll.pdf",
            "contentType": "application/pdf",
            "size": 48213,
            "crc32c": "mnG7TA==",
            "linkedTo": {"kind": "site", "id": "site-1"}
        })
    }

    fn fields(errors: ValidationErrors) -> Vec<String> {
        errors.0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn an_upload_parses_as_a_pending_document() {
        let document = Document::parse(&upload()).unwrap();
        assert_eq!(document.status, DocumentStatus::Pending);
        assert_eq!(document.content_type, DocumentType::Pdf);
        assert_eq!(document.linked_to.kind, LinkKind::Site);
        assert_eq!(document.origin, Origin::Upload);
    }

    #[test]
    fn only_pdfs_and_photos_are_uploaded() {
        for bad in [
            "text/html",
            "application/xml",
            "image/svg+xml",
            "application/PDF",
        ] {
            let mut body = upload();
            body["contentType"] = json!(bad);
            assert_eq!(fields(Document::parse(&body).unwrap_err()), ["contentType"]);
        }
    }

    #[test]
    fn a_photo_is_smaller_than_a_pdf_may_be() {
        let mut body = upload();
        body["size"] = json!(20 * 1024 * 1024);
        assert!(Document::parse(&body).is_ok());
        body["contentType"] = json!("image/jpeg");
        assert_eq!(fields(Document::parse(&body).unwrap_err()), ["size"]);
        body["size"] = json!(0);
        assert_eq!(fields(Document::parse(&body).unwrap_err()), ["size"]);
    }

    #[test]
    fn names_are_file_names() {
        for bad in [
            "",
            "   ",
            "../etc/passwd",
            "a\\b.pdf",
            "line\nbreak.pdf",
            "..",
        ] {
            let mut body = upload();
            body["name"] = json!(bad);
            assert_eq!(
                fields(Document::parse(&body).unwrap_err()),
                ["name"],
                "{bad:?}"
            );
        }
    }

    #[test]
    fn checksums_are_four_bytes_in_base64() {
        for bad in ["mnG7TA=", "mnG7TAAA", "mnG7TB==", "mn!7TA==", ""] {
            let mut body = upload();
            body["crc32c"] = json!(bad);
            assert_eq!(
                fields(Document::parse(&body).unwrap_err()),
                ["crc32c"],
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_moment_is_for_a_visits_photo() {
        let mut body = upload();
        body["moment"] = json!("after");
        assert_eq!(
            fields(Document::parse(&body).unwrap_err()),
            ["moment", "moment"]
        );
        body["linkedTo"] = json!({"kind": "visit", "id": "v-1"});
        body["contentType"] = json!("image/heic");
        assert_eq!(Document::parse(&body).unwrap().moment, Some(Moment::After));
    }

    #[test]
    fn file_signatures_tell_types_apart() {
        assert!(DocumentType::Pdf.begins(b"%PDF-1.7\n"));
        assert!(!DocumentType::Pdf.begins(b"<html>"));
        assert!(DocumentType::Jpeg.begins(&[0xFF, 0xD8, 0xFF, 0xE0]));
        assert!(DocumentType::Png.begins(b"\x89PNG\r\n\x1a\n...."));
        assert!(DocumentType::Heic.begins(b"\0\0\0\x18ftypheic"));
        assert!(!DocumentType::Heic.begins(b"\0\0\0\x18ftypisom"));
    }
}
