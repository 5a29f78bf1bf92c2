//! Printed documents: what the tour sheets and the invoices draw with. A4 pages, the DejaVu
//! Sans fonts (embedded, so every glyph of German, French and Italian prints the same
//! everywhere), text fitted to a width or wrapped, right-aligned amounts and thin rules.
//!
//! # Layout
//! - [`Pen`]: a surface with a colour and a font, drawing lines of text and rules.
//! - [`fitted`], [`wrapped`], [`width`]: text measured in DejaVu Sans' average widths.

use std::sync::LazyLock;

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::num::NormalizedF32;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};

pub use krilla;

/// A4 in points.
pub const A4: (f32, f32) = (595.28, 841.89);

pub static REGULAR: LazyLock<Font> = LazyLock::new(|| font(dejavu::sans::regular()));
pub static BOLD: LazyLock<Font> = LazyLock::new(|| font(dejavu::sans::bold()));

fn font(data: &'static [u8]) -> Font {
    Font::new(data.into(), 0).expect("DejaVu Sans is a valid font")
}

/// Text colours as RGB.
pub type Rgb = (u8, u8, u8);
pub const BLACK: Rgb = (0, 0, 0);
pub const GREY: Rgb = (90, 90, 90);
pub const RED: Rgb = (170, 20, 20);

/// Sets the fill colour of what is drawn next.
pub fn fill(surface: &mut Surface, (r, g, b): Rgb) {
    surface.set_fill(Some(Fill {
        paint: rgb::Color::new(r, g, b).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }));
}

/// The width of `text` at `size` points, from DejaVu Sans' advance widths (digits, spaces and
/// punctuation exactly; letters by their average), for right-aligning amounts.
pub fn width(text: &str, size: f32) -> f32 {
    let em: f32 = text
        .chars()
        .map(|c| match c {
            '0'..='9' | '€' | '+' | '=' | '<' | '>' => 0.636,
            // 651 of 2048 units.
            '.' | ',' | ':' | ';' | ' ' => 0.3179,
            '\u{202f}' => 0.2,
            '-' => 0.361,
            '%' => 0.950,
            'i' | 'l' | 'j' | '\'' | '|' => 0.278,
            'm' | 'w' | 'M' | 'W' => 0.900,
            c if c.is_uppercase() => 0.700,
            _ => 0.580,
        })
        .sum();
    em * size
}

/// `text` cut to what fits in `width` points at `size`, with an ellipsis when cut.
pub fn fitted(text: &str, size: f32, width: f32) -> String {
    let max = (width / (size * 0.56)) as usize;
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// `text` broken at spaces into lines that fit `width` points at `size`, at most `lines`
/// of them (the last cut with an ellipsis if the text goes on).
pub fn wrapped(text: &str, size: f32, width: f32, lines: usize) -> Vec<String> {
    let max = (width / (size * 0.56)) as usize;
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        if !current.is_empty() && current.chars().count() + 1 + word.chars().count() > max {
            out.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() {
        out.push(current);
    }
    if out.len() > lines {
        let rest = out[lines - 1..].join(" ");
        out.truncate(lines - 1);
        out.push(fitted(&rest, size, width));
    }
    out
}

/// One line of text with its baseline at (`x`, `y`), as it is (fit it first).
pub fn text(surface: &mut Surface, x: f32, y: f32, bold: bool, size: f32, color: Rgb, text: &str) {
    fill(surface, color);
    let font = if bold { BOLD.clone() } else { REGULAR.clone() };
    surface.draw_text(
        Point::from_xy(x, y),
        font,
        size,
        text,
        false,
        TextDirection::Auto,
    );
}

/// One line of text ending at `right`.
pub fn text_right(
    surface: &mut Surface,
    right: f32,
    y: f32,
    bold: bool,
    size: f32,
    color: Rgb,
    line: &str,
) {
    // DejaVu Sans Bold is about a tenth wider than the regular face.
    let wide = if bold { 1.094 } else { 1.0 };
    text(
        surface,
        right - width(line, size) * wide,
        y,
        bold,
        size,
        color,
        line,
    );
}

/// A thin horizontal rule from `from` to `to` at `y`, in `color`.
pub fn rule(surface: &mut Surface, from: f32, to: f32, y: f32, width: f32, (r, g, b): Rgb) {
    let mut path = PathBuilder::new();
    path.move_to(from, y);
    path.line_to(to, y);
    if let Some(path) = path.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke {
            paint: rgb::Color::new(r, g, b).into(),
            width,
            ..Default::default()
        }));
        surface.draw_path(&path);
        surface.set_stroke(None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_with_an_ellipsis_and_wrapped_at_spaces() {
        assert_eq!(fitted("short", 10.0, 100.0), "short");
        assert!(fitted(&"x".repeat(100), 10.0, 100.0).ends_with('…'));
        let lines = wrapped("one two three four five six seven", 10.0, 60.0, 2);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with('…'));
    }

    #[test]
    fn amounts_of_more_digits_are_wider() {
        assert!(width("1.234,56 €", 10.0) > width("4,56 €", 10.0));
    }
}
