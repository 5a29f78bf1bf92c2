//! `GET /v1/tour-sheets?format=pdf`: the printable sheet, rendered to PNG by Poppler as a
//! printer would, its QR codes read back from the pixels.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use platform::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{code_of, scene, tour};

/// The PDF's bytes and content type, as a browser fetches them.
async fn fetch_pdf(
    app: &platform::testing::TestApp,
    token: &str,
    path: &str,
) -> (StatusCode, String, Vec<u8>) {
    let reply = reqwest::Client::new()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = reply.status();
    let kind = reply
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, kind, reply.bytes().await.unwrap().to_vec())
}

/// Each page of `pdf` as a PNG at 300 dpi (a printer's), by `pdftoppm`: at 150 dpi a module
/// of a 70 pt QR code is three blurred pixels, and the decoder misses one now and then.
fn rendered_pages(pdf: &[u8], dir: &Path) -> Vec<PathBuf> {
    let file = dir.join("sheet.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = Command::new("pdftoppm")
        .args(["-r", "300", "-png"])
        .arg(&file)
        .arg(dir.join("page"))
        .output()
        .expect("pdftoppm (poppler-utils) renders the PDF; scripts/test installs it");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    pages.sort();
    pages
}

/// The texts of every QR code on a PNG page.
fn qr_texts(png_file: &Path) -> BTreeSet<String> {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(png_file).unwrap(),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut pixels).unwrap();
    let channels = frame.color_type.samples();
    let (width, height) = (frame.width as usize, frame.height as usize);
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
        let at = (y * width + x) * channels;
        let rgb = &pixels[at..at + channels.min(3)];
        (rgb.iter().map(|&c| u32::from(c)).sum::<u32>() / rgb.len() as u32) as u8
    });
    image
        .detect_grids()
        .into_iter()
        .map(|grid| grid.decode().expect("a readable QR code").1)
        .collect()
}

#[tokio::test]
async fn the_printed_sheet_is_one_page_whose_qr_codes_scan_to_the_rooms_check_in_codes() {
    let s = scene().await;
    // A second site, with access notes to print.
    let mut practice = platform::testing::site_json("Practice Dr. Weber", 52.50, 13.35);
    practice["accessNotes"] =
        json!("Key safe left of the door, code from the dispatcher; alarm off within 30 s");
    let practice = s
        .app
        .seed::<domain::sites::Site>(&s.admin, practice)
        .await
        .id();
    let area_type = s
        .app
        .stored::<domain::sites::Area>(&s.admin)
        .await
        .into_iter()
        .find(|a| a.meta.id == s.seed.office)
        .unwrap()
        .entity
        .area_type_id
        .to_string();
    let room = json!({"siteId": practice, "name": "Treatment room 2", "sizeSqm": 20,
        "areaTypeId": area_type});
    let room = s.app.seed::<domain::sites::Area>(&s.admin, room).await.id();
    let stops = [s.seed.office.as_str(), s.seed.lobby.as_str(), room.as_str()];
    let marias = tour("Maria early", "maria", 480, &stops);
    s.app.created(&s.admin, "/v1/tours", marias).await;
    let path = "/v1/tour-sheets?date=2026-11-23&format=pdf";
    let (status, kind, pdf) = fetch_pdf(&s.app, &s.maria, path).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&pdf));
    assert_eq!(kind, "application/pdf");
    assert!(pdf.starts_with(b"%PDF-"));

    let dir = tempfile::tempdir().unwrap();
    let pages = rendered_pages(&pdf, dir.path());
    assert_eq!(pages.len(), 1, "one page: {pages:?}");
    if let Some(keep) = std::env::var_os("CLEANOPS_RENDER_DIR") {
        std::fs::copy(&pages[0], Path::new(&keep).join("tour-sheet.png")).unwrap();
    }
    let expected = BTreeSet::from([
        code_of(&s.app, &s.admin, &s.seed.office).await,
        code_of(&s.app, &s.admin, &s.seed.lobby).await,
        code_of(&s.app, &s.admin, &room).await,
    ]);
    assert_eq!(qr_texts(&pages[0]), expected);
}

/// The text of `pdf`, by `pdftotext` in reading order.
fn pdf_text(pdf: &[u8], dir: &Path) -> String {
    let file = dir.join("sheet.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) reads the PDF; scripts/test installs it");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn a_one_off_job_prints_as_its_own_stop_with_its_note() {
    let s = scene().await;
    let job = json!({"areaId": s.seed.office, "date": "2026-11-23", "minutes": 45,
        "note": "Shampoo the carpet by the window"});
    let job = s
        .app
        .seed::<domain::planning::OneOffJob>(&s.admin, job)
        .await
        .id();
    let mut marias = tour("Maria early", "maria", 480, &[s.seed.lobby.as_str()]);
    for day in marias["days"].as_array_mut().unwrap() {
        if day["day"] == "mon" {
            day["oneOffJobIds"] = json!([job]);
        }
    }
    s.app.created(&s.admin, "/v1/tours", marias).await;
    let path = "/v1/tour-sheets?date=2026-11-23&format=pdf";
    let (status, _, pdf) = fetch_pdf(&s.app, &s.maria, path).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&pdf));
    let dir = tempfile::tempdir().unwrap();
    let text = pdf_text(&pdf, dir.path());
    assert!(text.contains("one-off job"), "{text}");
    assert!(
        text.contains("Job: Shampoo the carpet by the window"),
        "{text}"
    );
    assert!(text.contains("45 min"), "{text}");
    let pages = rendered_pages(&pdf, dir.path());
    assert_eq!(pages.len(), 1);
    if let Some(keep) = std::env::var_os("CLEANOPS_RENDER_DIR") {
        std::fs::copy(&pages[0], Path::new(&keep).join("tour-sheet-one-off.png")).unwrap();
    }
    // The office's code is printed for its one-off job, as for the lobby.
    assert_eq!(
        qr_texts(&pages[0]),
        BTreeSet::from([
            code_of(&s.app, &s.admin, &s.seed.lobby).await,
            code_of(&s.app, &s.admin, &s.seed.office).await,
        ])
    );
}

#[tokio::test]
async fn a_sheet_in_an_unknown_format_is_a_422() {
    let s = scene().await;
    let reply = s
        .app
        .get(&s.admin, "/v1/tour-sheets?cleanerId=maria&format=docx")
        .await;
    reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error_fields(), ["format"]);
    let maria = s.app.token_of("acme", "maria", Role::Cleaner, None);
    let (status, _, _) =
        fetch_pdf(&s.app, &maria, "/v1/tour-sheets?cleanerId=jana&format=pdf").await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a colleague's printed sheet is hers to read only"
    );
}
