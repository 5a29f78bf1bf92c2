//! Writes RFC 5545 iCalendar feeds (the subset calendar apps subscribe to): CRLF line ends,
//! lines folded at 75 octets, text values escaped. Times are written in UTC, so every client
//! shows them right without time zone definitions.

use chrono::{DateTime, Utc};

/// One event of a feed.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Stable across feed refreshes, so clients update instead of duplicating.
    pub uid: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub summary: String,
    pub description: String,
    pub location: Option<String>,
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `line`, folded so no physical line exceeds 75 octets (never inside a character).
fn push_line(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The feed `name` with `events`; `now` is the DTSTAMP of each event.
pub fn calendar(name: &str, events: &[Event], now: DateTime<Utc>) -> String {
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//cleanops//tours//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        push_line(&mut out, line);
    }
    push_line(&mut out, &format!("X-WR-CALNAME:{}", escape(name)));
    // Ask subscribed clients to refresh hourly.
    push_line(&mut out, "REFRESH-INTERVAL;VALUE=DURATION:PT1H");
    push_line(&mut out, "X-PUBLISHED-TTL:PT1H");
    for event in events {
        push_line(&mut out, "BEGIN:VEVENT");
        push_line(&mut out, &format!("UID:{}", escape(&event.uid)));
        push_line(&mut out, &format!("DTSTAMP:{}", stamp(now)));
        push_line(&mut out, &format!("DTSTART:{}", stamp(event.start)));
        push_line(&mut out, &format!("DTEND:{}", stamp(event.end)));
        push_line(&mut out, &format!("SUMMARY:{}", escape(&event.summary)));
        if !event.description.is_empty() {
            push_line(
                &mut out,
                &format!("DESCRIPTION:{}", escape(&event.description)),
            );
        }
        if let Some(location) = &event.location {
            push_line(&mut out, &format!("LOCATION:{}", escape(location)));
        }
        push_line(&mut out, "END:VEVENT");
    }
    push_line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn text_is_escaped_and_long_lines_are_folded() {
        let t = Utc.with_ymd_and_hms(2026, 11, 23, 5, 0, 0).unwrap();
        let event = Event {
            uid: "t1-2026-11-23@cleanops".into(),
            start: t,
            end: t + chrono::Duration::minutes(90),
            summary: "Tour; early, ground floor".into(),
            description: format!("1. Lobby\n2. {}", "Großraumbüro ".repeat(10)),
            location: None,
        };
        let feed = calendar("Maria", &[event], t);
        assert!(feed.contains("SUMMARY:Tour\\; early\\, ground floor\r\n"));
        assert!(feed.contains("DTSTART:20261123T050000Z\r\nDTEND:20261123T063000Z\r\n"));
        assert!(feed.lines().all(|l| l.trim_end_matches('\r').len() <= 75));
        assert!(feed.contains("\r\n "), "a long description is folded");
        assert!(feed.ends_with("END:VCALENDAR\r\n"));
    }
}
