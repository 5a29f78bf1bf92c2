//! A minimal XML writer for the e-invoices (CII and UBL): elements on lines of their own,
//! text escaped, dates in the formats each syntax wants.

use std::fmt::Write as _;

use chrono::NaiveDate;

/// A minimal XML writer: elements on lines of their own, text escaped.
#[derive(Default)]
pub(super) struct Xml(String);

impl Xml {
    pub(super) fn raw(&mut self, s: &str) {
        self.0.push_str(s);
        self.0.push('\n');
    }
    pub(super) fn open(&mut self, name: &str) {
        let _ = writeln!(self.0, "<{name}>");
    }
    pub(super) fn close(&mut self, name: &str) {
        let _ = writeln!(self.0, "</{name}>");
    }
    pub(super) fn text(&mut self, name: &str, text: &str) {
        self.attr_text(name, &[], text);
    }
    pub(super) fn attr_text(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        let _ = write!(self.0, "<{name}");
        for (key, value) in attrs {
            let _ = write!(self.0, " {key}=\"{}\"", escape(value));
        }
        let _ = writeln!(self.0, ">{}</{name}>", escape(text));
    }
    pub(super) fn finish(self) -> String {
        self.0
    }
    /// A CII date: `20261130`, format 102.
    pub(super) fn date(&mut self, name: &str, date: NaiveDate) {
        self.attr_text(
            name,
            &[("format", "102")],
            &date.format("%Y%m%d").to_string(),
        );
    }
}

/// A UBL date: `2026-11-30`.
impl Xml {
    pub(super) fn iso_date(&mut self, name: &str, date: NaiveDate) {
        self.text(name, &date.format("%Y-%m-%d").to_string());
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters other than tab and newlines are not XML 1.0.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_control_characters_dropped() {
        assert_eq!(
            escape("A & B <C> \"d\" 'e'\u{1}"),
            "A &amp; B &lt;C&gt; &quot;d&quot; &apos;e&apos;"
        );
    }
}
