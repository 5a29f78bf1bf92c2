//! The printable tour sheet: one A4 page per cleaner and day (more only past
//! [`ROWS_PER_PAGE`] stops), with each stop's times, window, place, access notes and the
//! room's check-in code as a QR code that scans from the paper. Pure: the caller gathers the
//! sheet, the addresses and the codes.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use print::krilla::Document;
use print::krilla::geom::{PathBuilder, Rect};
use print::krilla::metadata::Metadata;
use print::krilla::page::PageSettings;
use print::krilla::surface::Surface;
use print::{BLACK, GREY, RED, fill, fitted, wrapped};
use qrcodegen::{QrCode, QrCodeEcc};

use crate::sheet::{Stop, TourOfDay};

const PAGE: (f32, f32) = print::A4;
const MARGIN: f32 = 36.0;
/// Rows of stops a page holds (a row is as tall as its QR code and its five lines of text).
pub const ROWS_PER_PAGE: usize = 9;
const ROW: f32 = 78.0;
const QR: f32 = 70.0;

/// Where a stop's site is and how to get in.
pub struct Place {
    pub address: String,
    pub access_notes: Option<String>,
}

/// What the printed sheet shows.
pub struct PrintedSheet<'a> {
    pub cleaner_name: &'a str,
    pub date: NaiveDate,
    /// Why every stop is uncovered, if she is away.
    pub absence: Option<String>,
    pub tours: &'a [TourOfDay],
    /// By site id.
    pub places: &'a BTreeMap<String, Place>,
    /// Each area's check-in code, by area id.
    pub codes: &'a BTreeMap<String, String>,
}

/// One line of text with its baseline at `y`, cut to what fits left of the QR codes.
fn line(
    surface: &mut Surface,
    x: f32,
    y: f32,
    bold: bool,
    size: f32,
    color: print::Rgb,
    text: &str,
) {
    let text = fitted(text, size, PAGE.0 - MARGIN - QR - 12.0 - x);
    print::text(surface, x, y, bold, size, color, &text);
}

/// The QR code of `text`, `size` points square with its top left at (`x`, `y`), its quiet
/// zone of four modules included.
fn qr(surface: &mut Surface, x: f32, y: f32, size: f32, text: &str) -> Result<(), String> {
    let code = QrCode::encode_text(text, QrCodeEcc::Medium).map_err(|e| e.to_string())?;
    let modules = code.size();
    let cell = size / (modules + 8) as f32;
    let mut path = PathBuilder::new();
    for row in 0..modules {
        for col in 0..modules {
            if code.get_module(col, row)
                && let Some(rect) = Rect::from_xywh(
                    x + (col + 4) as f32 * cell,
                    y + (row + 4) as f32 * cell,
                    cell,
                    cell,
                )
            {
                path.push_rect(rect);
            }
        }
    }
    if let Some(path) = path.finish() {
        fill(surface, BLACK);
        surface.draw_path(&path);
    }
    Ok(())
}

fn rule(surface: &mut Surface, y: f32) {
    print::rule(surface, MARGIN, PAGE.0 - MARGIN, y, 0.6, (200, 200, 200));
}

fn clock(time: &chrono::DateTime<chrono::FixedOffset>) -> String {
    time.format("%H:%M").to_string()
}

/// The row of one stop, its top at `y`.
fn stop_row(
    surface: &mut Surface,
    sheet: &PrintedSheet,
    stop: &Stop,
    y: f32,
) -> Result<(), String> {
    let text_x = MARGIN + 118.0;
    line(
        surface,
        MARGIN,
        y + 16.0,
        true,
        15.0,
        BLACK,
        &stop.position.to_string(),
    );
    let times = format!(
        "{}–{}",
        clock(&stop.planned_start),
        clock(&stop.planned_end)
    );
    line(surface, MARGIN + 24.0, y + 16.0, true, 11.0, BLACK, &times);
    if stop.planned_arrival != stop.planned_start {
        let arrive = format!("arrive {}", clock(&stop.planned_arrival));
        line(surface, MARGIN + 24.0, y + 30.0, false, 8.5, GREY, &arrive);
    }
    let title = match stop.one_off_job_id {
        Some(_) => format!("{} · one-off job", stop.area_name),
        None => stop.area_name.clone(),
    };
    line(surface, text_x, y + 16.0, true, 11.0, BLACK, &title);
    let place = sheet.places.get(&stop.site_id);
    let site = match place {
        Some(p) => format!("{} · {}", stop.site_name, p.address),
        None => stop.site_name.clone(),
    };
    line(surface, text_x, y + 30.0, false, 9.0, BLACK, &site);
    let windows: Vec<String> = stop
        .windows
        .iter()
        .map(|w| format!("{}–{}", w.earliest, w.latest))
        .collect();
    let facts = format!(
        "floor {} · {} min · window {}",
        stop.floor,
        stop.minutes,
        if windows.is_empty() && stop.one_off_job_id.is_some() {
            "while the site is open".to_owned()
        } else if windows.is_empty() {
            "none".to_owned()
        } else {
            windows.join(", ")
        }
    );
    line(surface, text_x, y + 43.0, false, 9.0, GREY, &facts);
    let mut next = y + 56.0;
    let width = PAGE.0 - MARGIN - QR - 12.0 - text_x;
    if let Some(note) = &stop.note {
        let text = fitted(&format!("Job: {note}"), 9.0, width);
        line(surface, text_x, next, true, 9.0, BLACK, &text);
        next += 11.0;
    }
    if let Some(notes) = place.and_then(|p| p.access_notes.as_deref()) {
        for text in wrapped(&format!("Access: {notes}"), 9.0, width, 2) {
            line(surface, text_x, next, false, 9.0, BLACK, &text);
            next += 11.0;
        }
    }
    let problems = stop
        .closed
        .iter()
        .map(|c| format!("Closed: {c}"))
        .chain(stop.uncovered.iter().map(|u| format!("Uncovered: {u}")))
        .chain(stop.warnings.iter().cloned());
    // What still fits in the row.
    let room = ((y + ROW - next) / 11.0).max(0.0) as usize;
    for problem in problems.take(room.min(2)) {
        line(surface, text_x, next, false, 8.5, RED, &problem);
        next += 11.0;
    }
    if let Some(code) = sheet.codes.get(&stop.area_id) {
        qr(surface, PAGE.0 - MARGIN - QR, y + 2.0, QR, code)?;
    }
    rule(surface, y + ROW);
    Ok(())
}

fn header(surface: &mut Surface, sheet: &PrintedSheet, page: usize, pages: usize) -> f32 {
    let mut y = MARGIN + 18.0;
    line(
        surface,
        MARGIN,
        y,
        true,
        18.0,
        BLACK,
        &format!("Tour sheet · {}", sheet.cleaner_name),
    );
    y += 18.0;
    let day = sheet.date.format("%A, %-d %B %Y").to_string();
    let of = if pages > 1 {
        format!(" · page {page} of {pages}")
    } else {
        String::new()
    };
    line(surface, MARGIN, y, false, 11.0, GREY, &format!("{day}{of}"));
    for tour in sheet.tours {
        y += 14.0;
        let text = format!(
            "{} · leave {} · {} min cleaning · times in {}",
            tour.name, tour.start_time, tour.planned_minutes, tour.time_zone
        );
        line(surface, MARGIN, y, false, 9.5, BLACK, &text);
    }
    if let Some(absence) = &sheet.absence {
        y += 14.0;
        line(
            surface,
            MARGIN,
            y,
            true,
            9.5,
            RED,
            &format!("Away: {absence}"),
        );
    }
    y += 10.0;
    rule(surface, y);
    y
}

/// The sheet as a PDF document.
pub fn render(sheet: &PrintedSheet) -> Result<Vec<u8>, String> {
    let stops: Vec<&Stop> = sheet.tours.iter().flat_map(|t| &t.stops).collect();
    let pages = stops.len().div_ceil(ROWS_PER_PAGE).max(1);
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(format!("Tour sheet {} {}", sheet.cleaner_name, sheet.date))
            .creator("cleanops".into()),
    );
    let settings = PageSettings::from_wh(PAGE.0, PAGE.1).ok_or("an A4 page")?;
    for page_index in 0..pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        let mut y = header(&mut surface, sheet, page_index + 1, pages);
        if stops.is_empty() {
            line(
                &mut surface,
                MARGIN,
                y + 24.0,
                false,
                11.0,
                GREY,
                "No stops on this day.",
            );
        }
        for stop in stops
            .iter()
            .skip(page_index * ROWS_PER_PAGE)
            .take(ROWS_PER_PAGE)
        {
            stop_row(&mut surface, sheet, stop, y)?;
            y += ROW;
        }
        let foot = "Scan a room's code when you arrive; check out when you leave.";
        line(
            &mut surface,
            MARGIN,
            PAGE.1 - MARGIN + 8.0,
            false,
            8.0,
            GREY,
            foot,
        );
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| format!("{e:?}"))
}
