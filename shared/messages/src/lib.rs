//! What notifications say: one [Fluent](https://projectfluent.org) file per language with
//! three messages per event kind (`{kind}-subject`, `{kind}-body`, `{kind}-sms`), filled in
//! with the event's facts, times in the recipient's zone, and plurals by the language's rules.
//! Pure: no I/O, the templates are compiled in.
//!
//! # Layout
//! - `locales/{de,en,fr,it}.ftl`: the templates; every file has every message (a test says
//!   so), so a language never falls back to another in the middle of a sentence.
//! - [`render`]: an event's [`Rendered`] subject, text and SMS in one language;
//!   [`Rendered::html`] its email's HTML part.

use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, Utc};
use domain::identity::{Language, Role};
use domain::notifications::{EventKind, Message};
use domain::time::TimeZone;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

const SOURCES: [(Language, &str, &str); 4] = [
    (Language::De, "de", include_str!("../locales/de.ftl")),
    (Language::En, "en", include_str!("../locales/en.ftl")),
    (Language::Fr, "fr", include_str!("../locales/fr.ftl")),
    (Language::It, "it", include_str!("../locales/it.ftl")),
];

type Bundle = FluentBundle<FluentResource>;

fn bundles() -> &'static [(Language, Bundle)] {
    static BUNDLES: OnceLock<Vec<(Language, Bundle)>> = OnceLock::new();
    BUNDLES.get_or_init(|| {
        SOURCES
            .iter()
            .map(|(language, tag, source)| {
                let resource = FluentResource::try_new((*source).to_owned())
                    .unwrap_or_else(|(_, errors)| panic!("{tag}.ftl does not parse: {errors:?}"));
                let id: unic_langid::LanguageIdentifier = tag.parse().expect("a language tag");
                let mut bundle = FluentBundle::new_concurrent(vec![id]);
                // Unicode isolation marks around arguments would end up in SMS and subjects.
                bundle.set_use_isolating(false);
                bundle
                    .add_resource(resource)
                    .unwrap_or_else(|errors| panic!("{tag}.ftl repeats a message: {errors:?}"));
                (*language, bundle)
            })
            .collect()
    })
}

fn bundle(language: Language) -> &'static Bundle {
    &bundles()
        .iter()
        .find(|(l, _)| *l == language)
        .expect("every language has a bundle")
        .1
}

/// One event told in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub language: Language,
    pub subject: String,
    /// The email's text part and the in-app message.
    pub text: String,
    /// At most [`SMS_CHARS`] characters.
    pub sms: String,
    pub link: Option<String>,
    /// The line under an email that says why it came.
    pub footer: String,
    pub open_label: String,
}

/// Two SMS segments of Unicode text: what one alert may cost.
pub const SMS_CHARS: usize = 140;

/// `message` in `language`, its times told in `zone`; `link` where the recipient acts on it.
pub fn render(
    message: &Message,
    language: Language,
    zone: &TimeZone,
    link: Option<&str>,
) -> Rendered {
    let kind = message.kind().as_str();
    let mut args = FluentArgs::new();
    let time = |at: &DateTime<Utc>| at.with_timezone(&zone.0).format("%H:%M").to_string();
    let local_date = |at: &DateTime<Utc>| at.with_timezone(&zone.0).date_naive();
    match message {
        Message::CleanerLate {
            cleaner_name,
            site_name,
            window_end,
            stops,
        } => {
            args.set("cleaner", cleaner_name.as_str());
            args.set("site", site_name.as_str());
            args.set("time", time(window_end));
            args.set("stops", *stops);
        }
        Message::VisitSkipped {
            cleaner_name,
            site_name,
            area_name,
            status,
            reason,
            at,
        } => {
            args.set("cleaner", cleaner_name.as_str());
            args.set("site", site_name.as_str());
            args.set("area", area_name.as_str());
            args.set("status", status.as_str());
            args.set("reason", reason.as_deref().unwrap_or("–"));
            args.set("time", time(at));
        }
        Message::InspectionFailed {
            site_name,
            date,
            score_percent,
            threshold_percent,
        } => {
            args.set("site", site_name.as_str());
            args.set("date", date_text(*date, language));
            args.set("score", number_text(*score_percent, language));
            args.set("threshold", number_text(*threshold_percent, language));
        }
        Message::PlanActivated { week_start, stops } => {
            args.set("date", date_text(*week_start, language));
            args.set("stops", *stops);
        }
        Message::DemandCleaning {
            site_name,
            area_name,
            due_by,
        } => {
            args.set("site", site_name.as_str());
            args.set("area", area_name.as_str());
            args.set("time", time(due_by));
        }
        Message::Invitation {
            company,
            role,
            expires_at,
        } => {
            args.set("company", company.as_str());
            args.set("role", text(language, role_message(*role), None));
            args.set("time", time(expires_at));
            args.set("date", date_text(local_date(expires_at), language));
        }
        Message::PasswordReset { expires_at } => {
            args.set("time", time(expires_at));
        }
        Message::InvoiceIssued {
            company,
            number,
            total,
            due_date,
        } => {
            args.set("company", company.as_str());
            args.set("number", number.as_str());
            args.set("total", total.as_str());
            args.set("date", date_text(*due_date, language));
        }
        Message::BoardPost {
            site_name,
            author,
            thread,
            excerpt,
        } => {
            args.set("site", site_name.as_str());
            args.set("author", author.as_str());
            args.set("thread", thread.as_str());
            args.set("excerpt", excerpt.as_str());
        }
    }
    args.set("link", FluentValue::from(link.unwrap_or("")));
    Rendered {
        language,
        subject: text(language, &format!("{kind}-subject"), Some(&args)),
        text: text(language, &format!("{kind}-body"), Some(&args)),
        sms: shorten(
            text(language, &format!("{kind}-sms"), Some(&args)).trim(),
            SMS_CHARS,
        ),
        link: link.map(str::to_owned),
        footer: footer(message.kind(), language),
        open_label: open_label(language),
    }
}

/// The line under an email of `kind` that says why it came.
pub fn footer(kind: EventKind, language: Language) -> String {
    let id = if kind.carries_secret() {
        "secret-footer"
    } else {
        "footer"
    };
    text(language, id, None)
}

/// The label of an email's button.
pub fn open_label(language: Language) -> String {
    text(language, "open", None)
}

fn role_message(role: Role) -> &'static str {
    match role {
        Role::Admin => "role-admin",
        Role::Dispatcher => "role-dispatcher",
        Role::Cleaner => "role-cleaner",
        Role::Customer => "role-customer",
    }
}

/// One message's text; a missing message is a bug the templates' tests catch.
fn text(language: Language, id: &str, args: Option<&FluentArgs>) -> String {
    let bundle = bundle(language);
    let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
        return id.to_owned();
    };
    let mut errors = Vec::new();
    bundle
        .format_pattern(pattern, args, &mut errors)
        .into_owned()
}

/// A date as the language writes it.
pub fn date_text(date: NaiveDate, language: Language) -> String {
    match language {
        Language::De => date.format("%d.%m.%Y").to_string(),
        Language::En => date.format("%-d %b %Y").to_string(),
        Language::Fr | Language::It => date.format("%d/%m/%Y").to_string(),
    }
}

/// A number with at most one decimal, with the language's decimal mark.
pub fn number_text(value: f64, language: Language) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    let plain = if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    };
    match language {
        Language::En => plain,
        _ => plain.replace('.', ","),
    }
}

/// `text` cut to `max` characters at a word, with an ellipsis.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max - 1).collect();
    let at_word = cut.rfind(' ').filter(|i| *i > max / 2).unwrap_or(cut.len());
    format!("{}…", cut[..at_word].trim_end())
}

impl Rendered {
    /// The email's HTML part: the text's paragraphs, the link as a button, the footer.
    pub fn html(&self) -> String {
        let lang = match self.language {
            Language::De => "de",
            Language::En => "en",
            Language::Fr => "fr",
            Language::It => "it",
        };
        let mut html = format!(
            "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{}</title></head>\
             \n<body style=\"font-family:Helvetica,Arial,sans-serif;color:#1f2933;max-width:36em;margin:0 auto;padding:16px\">\
             \n<h1 style=\"font-size:20px\">{}</h1>\n",
            escape(&self.subject),
            escape(&self.subject)
        );
        for paragraph in self.text.split('\n').filter(|p| !p.trim().is_empty()) {
            html.push_str(&format!(
                "<p style=\"line-height:1.5\">{}</p>\n",
                escape(paragraph)
            ));
        }
        if let Some(link) = &self.link {
            html.push_str(&format!(
                "<p><a href=\"{}\" style=\"display:inline-block;background:#1d4ed8;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none\">{}</a></p>\n",
                escape(link),
                escape(&self.open_label)
            ));
        }
        html.push_str(&format!(
            "<p style=\"font-size:12px;color:#52606d\">{}</p></body></html>",
            escape(&self.footer)
        ));
        html
    }

    /// The text part: the text, the link, the footer.
    pub fn text_part(&self) -> String {
        let mut out = self.text.clone();
        if let Some(link) = &self.link {
            out.push_str(&format!("\n\n{}: {link}", self.open_label));
        }
        out.push_str(&format!("\n\n-- \n{}\n", self.footer));
        out
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;
    use fluent_bundle::FluentResource;

    fn zurich() -> TimeZone {
        "Europe/Zurich".parse().unwrap()
    }

    fn ids(source: &str) -> Vec<String> {
        let resource = FluentResource::try_new(source.to_owned()).unwrap();
        let mut ids: Vec<String> = resource
            .entries()
            .filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect();
        ids.sort();
        ids
    }

    #[test]
    fn every_language_has_every_message() {
        let english = ids(SOURCES[1].2);
        for kind in domain::notifications::EventKind::ALL {
            for part in ["subject", "body", "sms"] {
                assert!(english.contains(&format!("{}-{part}", kind.as_str())));
            }
        }
        for (_, tag, source) in SOURCES {
            assert_eq!(ids(source), english, "{tag}.ftl");
        }
    }

    #[test]
    fn times_are_told_in_the_zone_and_plurals_by_the_language() {
        let late = Message::CleanerLate {
            cleaner_name: "Ana".into(),
            site_name: "Seefeld".into(),
            window_end: Utc.with_ymd_and_hms(2026, 12, 7, 17, 0, 0).unwrap(),
            stops: 1,
        };
        let de = render(&late, Language::De, &zurich(), None);
        assert_eq!(de.subject, "Ana hat in Seefeld nicht eingecheckt");
        assert!(
            de.text
                .contains("endete um 18:00. Ein Raum ist noch offen."),
            "{}",
            de.text
        );
        let en = render(
            &Message::CleanerLate {
                cleaner_name: "Ana".into(),
                site_name: "Seefeld".into(),
                window_end: Utc.with_ymd_and_hms(2026, 12, 7, 17, 0, 0).unwrap(),
                stops: 3,
            },
            Language::En,
            &"Europe/London".parse().unwrap(),
            None,
        );
        assert!(
            en.text.ends_with("ended at 17:00. 3 rooms are still open."),
            "{}",
            en.text
        );
    }

    #[test]
    fn numbers_dates_and_selectors_follow_the_language() {
        let failed = Message::InspectionFailed {
            site_name: "Seefeld".into(),
            date: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
            score_percent: 66.666,
            threshold_percent: 80.0,
        };
        let fr = render(&failed, Language::Fr, &zurich(), None);
        assert_eq!(fr.subject, "Contrôle à Seefeld : 66,7 %");
        assert!(fr.text.contains("du 07/12/2026"));
        let skipped = Message::VisitSkipped {
            cleaner_name: "Ana".into(),
            site_name: "Seefeld".into(),
            area_name: "WC 1".into(),
            status: "not-accessible".into(),
            reason: Some("locked".into()),
            at: Utc.with_ymd_and_hms(2026, 12, 7, 6, 5, 0).unwrap(),
        };
        let it = render(&skipped, Language::It, &zurich(), None);
        assert_eq!(it.subject, "WC 1 a Seefeld non era accessibile");
        assert!(
            it.sms.contains("non accessibile (Ana, 07:05): locked"),
            "{}",
            it.sms
        );
    }

    #[test]
    fn sms_stay_short_and_html_is_escaped() {
        let post = Message::BoardPost {
            site_name: "Seefeld".into(),
            author: "<b>Eve</b>".into(),
            thread: "Keys".into(),
            excerpt: "word ".repeat(80),
        };
        let rendered = render(
            &post,
            Language::En,
            &zurich(),
            Some("https://x.test/a?b=1&c=2"),
        );
        assert!(rendered.sms.chars().count() <= SMS_CHARS);
        assert!(rendered.sms.ends_with('…'));
        let html = rendered.html();
        assert!(html.contains("&lt;b&gt;Eve&lt;/b&gt;"));
        assert!(html.contains("href=\"https://x.test/a?b=1&amp;c=2\""));
        assert!(
            rendered
                .text_part()
                .contains("Open in cleanops: https://x.test/a?b=1&c=2")
        );
    }
}
