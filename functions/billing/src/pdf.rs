//! An issued invoice as a PDF/A-3b with its EN 16931 CII XML embedded as `factur-x.xml`
//! (ZUGFeRD / Factur-X, EN 16931 profile): what the customer reads, and the data her
//! accounting reads. In the customer's language, amounts and dates as her locale writes
//! them. Pure: the caller gives the invoice and its XML.

use chrono::NaiveDate;
use domain::billing::Decimal;
use domain::billing::Invoice;
use domain::billing::invoice::{InvoiceKind, Unit};
use domain::billing::vat::VatCategory;
use domain::identity::Language;
use print::krilla::Document;
use print::krilla::SerializeSettings;
use print::krilla::configure::{Archival, ConfigurationBuilder};
use print::krilla::embed::{AssociationKind, EmbeddedFile, MimeType};
use print::krilla::metadata::{DateTime, Metadata};
use print::krilla::page::PageSettings;
use print::krilla::surface::Surface;
use print::{A4, BLACK, GREY, fitted, rule, text, text_right, wrapped};

const MARGIN: f32 = 50.0;
const RIGHT: f32 = A4.0 - MARGIN;
/// Line rows on the first page (below the addresses) and on the pages after it.
const FIRST_PAGE_ROWS: usize = 18;
const NEXT_PAGE_ROWS: usize = 32;
const ROW: f32 = 18.0;
/// The columns' right edges: quantity, unit, unit price, amount.
const QUANTITY: f32 = 340.0;
const UNIT_X: f32 = 350.0;
const PRICE: f32 = 470.0;

/// The words of an invoice in one language.
struct Words {
    invoice: &'static str,
    credit_note: &'static str,
    number: &'static str,
    date: &'static str,
    due: &'static str,
    customer: &'static str,
    period: &'static str,
    position: &'static str,
    description: &'static str,
    quantity: &'static str,
    unit_price: &'static str,
    amount: &'static str,
    net: &'static str,
    vat: &'static str,
    on: &'static str,
    total: &'static str,
    pay: &'static str,
    reference: &'static str,
    corrects: &'static str,
    reverse_charge: &'static str,
    export: &'static str,
    vat_id: &'static str,
    attached: &'static str,
    page: &'static str,
    carried: &'static str,
    units: [&'static str; 4],
}

const DE: Words = Words {
    invoice: "Rechnung",
    credit_note: "Gutschrift",
    number: "Nummer",
    date: "Datum",
    due: "Fällig am",
    customer: "Kundennummer",
    period: "Leistungszeitraum",
    position: "Pos.",
    description: "Leistung",
    quantity: "Menge",
    unit_price: "Einzelpreis",
    amount: "Betrag",
    net: "Summe netto",
    vat: "USt.",
    on: "auf",
    total: "Gesamtbetrag",
    pay: "Bitte überweisen Sie {amount} bis zum {due}.",
    reference: "Verwendungszweck",
    corrects: "Korrektur der Rechnung {number} vom {date}",
    reverse_charge: "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge).",
    export: "Steuerfreie Leistung an einen Empfänger außerhalb des EU-Mehrwertsteuergebiets.",
    vat_id: "USt-IdNr.",
    attached: "Diese Rechnung enthält ihre Daten nach EN 16931 (ZUGFeRD / Factur-X) als Anhang factur-x.xml.",
    page: "Seite",
    carried: "Fortsetzung",
    units: ["Monat", "m²", "Std.", "Stk."],
};

const EN: Words = Words {
    invoice: "Invoice",
    credit_note: "Credit note",
    number: "Number",
    date: "Date",
    due: "Due",
    customer: "Customer no.",
    period: "Service period",
    position: "#",
    description: "Service",
    quantity: "Qty",
    unit_price: "Unit price",
    amount: "Amount",
    net: "Net total",
    vat: "VAT",
    on: "on",
    total: "Total",
    pay: "Please transfer {amount} by {due}.",
    reference: "Reference",
    corrects: "Corrects invoice {number} of {date}",
    reverse_charge: "Reverse charge: VAT is accounted for by the recipient.",
    export: "Exempt: supply to a recipient outside the EU VAT area.",
    vat_id: "VAT ID",
    attached: "This invoice carries its EN 16931 data (ZUGFeRD / Factur-X) as the attachment factur-x.xml.",
    page: "Page",
    carried: "continued",
    units: ["month", "m²", "h", "pc"],
};

const FR: Words = Words {
    invoice: "Facture",
    credit_note: "Avoir",
    number: "Numéro",
    date: "Date",
    due: "Échéance",
    customer: "N° client",
    period: "Période de prestation",
    position: "N°",
    description: "Prestation",
    quantity: "Qté",
    unit_price: "Prix unitaire",
    amount: "Montant",
    net: "Total HT",
    vat: "TVA",
    on: "sur",
    total: "Total TTC",
    pay: "Merci de virer {amount} avant le {due}.",
    reference: "Référence",
    corrects: "Rectifie la facture {number} du {date}",
    reverse_charge: "Autoliquidation : TVA due par le preneur.",
    export: "Exonération : prestation à un preneur hors du territoire TVA de l'UE.",
    vat_id: "N° TVA",
    attached: "Cette facture contient ses données EN 16931 (ZUGFeRD / Factur-X) en pièce jointe factur-x.xml.",
    page: "Page",
    carried: "suite",
    units: ["mois", "m²", "h", "pce"],
};

const IT: Words = Words {
    invoice: "Fattura",
    credit_note: "Nota di credito",
    number: "Numero",
    date: "Data",
    due: "Scadenza",
    customer: "N. cliente",
    period: "Periodo del servizio",
    position: "N.",
    description: "Servizio",
    quantity: "Qtà",
    unit_price: "Prezzo unitario",
    amount: "Importo",
    net: "Imponibile",
    vat: "IVA",
    on: "su",
    total: "Totale",
    pay: "Si prega di versare {amount} entro il {due}.",
    reference: "Causale",
    corrects: "Rettifica la fattura {number} del {date}",
    reverse_charge: "Inversione contabile: IVA dovuta dal committente.",
    export: "Esente: servizio a un committente fuori dal territorio IVA dell'UE.",
    vat_id: "P. IVA",
    attached: "Questa fattura contiene i suoi dati EN 16931 (ZUGFeRD / Factur-X) come allegato factur-x.xml.",
    page: "Pagina",
    carried: "segue",
    units: ["mese", "m²", "h", "pz"],
};

fn words(language: Language) -> &'static Words {
    match language {
        Language::De => &DE,
        Language::En => &EN,
        Language::Fr => &FR,
        Language::It => &IT,
    }
}

/// How a locale writes numbers and dates.
#[derive(Clone, Copy)]
struct Locale(Language);

impl Locale {
    /// `1234.5` with `places` decimals and the locale's separators: `1.234,50` (German,
    /// Italian), `1 234,50` (French), `1,234.50` (English).
    fn number(self, value: Decimal, places: u32) -> String {
        // The digits come from the exact decimal; only the separators change.
        let raw = format!("{:.*}", places as usize, value.round_to(places));
        let (sign, digits) = raw
            .strip_prefix('-')
            .map_or(("", raw.as_str()), |d| ("-", d));
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let (group, point) = match self.0 {
            Language::De | Language::It => ('.', ','),
            Language::Fr => ('\u{202f}', ','),
            Language::En => (',', '.'),
        };
        let mut grouped = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push(group);
            }
            grouped.push(c);
        }
        if fraction.is_empty() {
            format!("{sign}{grouped}")
        } else {
            format!("{sign}{grouped}{point}{fraction}")
        }
    }

    fn money(self, value: Decimal, currency: &str) -> String {
        format!("{} {currency}", self.number(value, 2))
    }

    /// Quantities as written, without trailing zeros.
    fn quantity(self, value: Decimal) -> String {
        let places = value
            .plain()
            .split_once('.')
            .map_or(0, |(_, f)| f.len() as u32);
        self.number(value, places)
    }

    fn date(self, date: NaiveDate) -> String {
        match self.0 {
            Language::De => date.format("%d.%m.%Y").to_string(),
            Language::Fr | Language::It => date.format("%d/%m/%Y").to_string(),
            Language::En => date.format("%-d %b %Y").to_string(),
        }
    }
}

/// The PDF/A-3b of `invoice` (issued) in `language`, with `xml` attached as `factur-x.xml`.
pub fn invoice_pdf(invoice: &Invoice, language: Language, xml: &str) -> Result<Vec<u8>, String> {
    let seller = invoice.seller.as_ref().ok_or("the invoice is not issued")?;
    let number = invoice
        .number
        .as_deref()
        .ok_or("the invoice has no number")?;
    let issued = invoice.issue_date.ok_or("the invoice has no issue date")?;
    let w = words(language);
    let locale = Locale(language);
    let currency = invoice.currency.code();
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A3_B)
        .finish()
        .map_err(|e| format!("{e:?}"))?;
    let mut document = Document::new_with(SerializeSettings {
        configuration,
        ..Default::default()
    });
    let created = DateTime::new(issued.format("%Y").to_string().parse().unwrap_or(2026))
        .month(issued.format("%m").to_string().parse().unwrap_or(1))
        .day(issued.format("%d").to_string().parse().unwrap_or(1));
    let title = if invoice.kind == InvoiceKind::CreditNote {
        w.credit_note
    } else {
        w.invoice
    };
    document.set_metadata(
        Metadata::new()
            .title(format!("{title} {number}"))
            .authors(vec![seller.party.name.clone()])
            .language(
                match language {
                    Language::De => "de",
                    Language::En => "en",
                    Language::Fr => "fr",
                    Language::It => "it",
                }
                .into(),
            )
            .creator("cleanops".into())
            .creation_date(created),
    );
    document
        .embed_file(EmbeddedFile {
            path: "factur-x.xml".into(),
            mime_type: MimeType::new("text/xml"),
            description: Some("Factur-X / ZUGFeRD invoice data (EN 16931)".into()),
            association_kind: AssociationKind::Alternative,
            data: xml.as_bytes().to_vec().into(),
            modification_date: Some(created),
            compress: None,
            location: None,
        })
        .ok_or("a file could not be embedded")?;

    // Rows: each line, wrapped to at most two rows of description.
    let rows: Vec<(usize, &domain::billing::invoice::InvoiceLine, Vec<String>)> = invoice
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            (
                i + 1,
                line,
                wrapped(&line.description, 9.5, QUANTITY - 50.0 - MARGIN - 30.0, 2),
            )
        })
        .collect();
    let mut pages: Vec<Vec<usize>> = vec![Vec::new()];
    let mut used = 0.0;
    for (index, (_, _, description)) in rows.iter().enumerate() {
        let capacity = if pages.len() == 1 {
            FIRST_PAGE_ROWS
        } else {
            NEXT_PAGE_ROWS
        } as f32;
        let height = description.len().max(1) as f32;
        if used + height > capacity {
            pages.push(Vec::new());
            used = 0.0;
        }
        used += height;
        if let Some(page) = pages.last_mut() {
            page.push(index);
        }
    }
    let page_count = pages.len();
    for (page_index, on_page) in pages.iter().enumerate() {
        let settings = PageSettings::from_wh(A4.0, A4.1).ok_or("an A4 page")?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        let s = &mut surface;
        let mut y = if page_index == 0 {
            header(s, invoice, w, locale, title, number, issued)
        } else {
            text(
                s,
                MARGIN,
                60.0,
                true,
                11.0,
                BLACK,
                &format!("{title} {number} ({})", w.carried),
            );
            80.0
        };
        y = table_head(s, w, y);
        for &index in on_page {
            let (position, line, description) = &rows[index];
            text(s, MARGIN, y, false, 9.5, BLACK, &position.to_string());
            for (k, part) in description.iter().enumerate() {
                text(
                    s,
                    MARGIN + 30.0,
                    y + k as f32 * 12.0,
                    false,
                    9.5,
                    BLACK,
                    part,
                );
            }
            text_right(
                s,
                QUANTITY,
                y,
                false,
                9.5,
                BLACK,
                &locale.quantity(line.quantity),
            );
            text(s, UNIT_X, y, false, 9.5, GREY, unit_name(w, line.unit));
            text_right(
                s,
                PRICE,
                y,
                false,
                9.5,
                BLACK,
                &locale.number(line.unit_price, price_places(line.unit_price)),
            );
            text_right(
                s,
                RIGHT,
                y,
                false,
                9.5,
                BLACK,
                &locale.money(line.net_amount, currency),
            );
            y += ROW + (description.len().max(1) - 1) as f32 * 12.0;
        }
        if page_index + 1 == page_count {
            totals(s, invoice, w, locale, y, number, seller);
        }
        footer(s, invoice, w, page_index + 1, page_count);
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| format!("{e:?}"))
}

/// Unit prices keep the decimals they have beyond cents (up to four).
fn price_places(price: Decimal) -> u32 {
    price
        .plain()
        .split_once('.')
        .map_or(2, |(_, f)| (f.len() as u32).clamp(2, 4))
}

fn unit_name(w: &Words, unit: Unit) -> &'static str {
    match unit {
        Unit::Month => w.units[0],
        Unit::SquareMetre => w.units[1],
        Unit::Hour => w.units[2],
        Unit::One => w.units[3],
    }
}

/// The seller, the buyer's address window, and the invoice's facts; the y the table starts at.
fn header(
    s: &mut Surface,
    invoice: &Invoice,
    w: &Words,
    locale: Locale,
    title: &str,
    number: &str,
    issued: NaiveDate,
) -> f32 {
    let Some(seller) = invoice.seller.as_ref() else {
        return 100.0;
    };
    let party = &seller.party;
    text(
        s,
        MARGIN,
        62.0,
        true,
        14.0,
        BLACK,
        // Bold runs about a tenth wider than `fitted` measures.
        &fitted(&party.name, 14.0, 240.0),
    );
    let address = &party.address;
    let seller_line = format!(
        "{} · {} {} · {}",
        address.street,
        address.postal_code.as_deref().unwrap_or(""),
        address.city,
        address.country
    );
    text(
        s,
        MARGIN,
        78.0,
        false,
        8.5,
        GREY,
        &fitted(&seller_line, 8.5, 300.0),
    );
    if let Some(vat_id) = &party.vat_id {
        text(
            s,
            MARGIN,
            90.0,
            false,
            8.5,
            GREY,
            &format!("{} {vat_id}", w.vat_id),
        );
    }
    // The buyer, where a window envelope shows it (DIN 5008: 45 mm from the top).
    let buyer = &invoice.buyer;
    text(
        s,
        MARGIN,
        140.0,
        false,
        7.0,
        GREY,
        &fitted(&seller_line.replace(" · ", ", "), 7.0, 240.0),
    );
    rule(s, MARGIN, MARGIN + 240.0, 144.0, 0.4, (150, 150, 150));
    let mut y = 160.0;
    for (bold, line) in [
        (true, buyer.name.clone()),
        (false, buyer.address.street.clone()),
        (
            false,
            format!(
                "{} {}",
                buyer.address.postal_code.as_deref().unwrap_or(""),
                buyer.address.city
            )
            .trim()
            .to_owned(),
        ),
        (false, buyer.address.country.clone()),
    ] {
        text(s, MARGIN, y, bold, 10.5, BLACK, &fitted(&line, 10.5, 240.0));
        y += 14.0;
    }
    if let Some(vat_id) = &buyer.vat_id {
        text(
            s,
            MARGIN,
            y + 2.0,
            false,
            8.5,
            GREY,
            &format!("{} {vat_id}", w.vat_id),
        );
    }
    // The facts block, right.
    let (label_x, value_right) = (320.0, RIGHT);
    text_right(s, value_right, 62.0, true, 20.0, BLACK, title);
    let mut facts = vec![(w.number, number.to_owned()), (w.date, locale.date(issued))];
    if let Some(due) = invoice.due_date {
        facts.push((w.due, locale.date(due)));
    }
    facts.push((w.customer, invoice.customer_id.clone()));
    facts.push((
        w.period,
        format!(
            "{} – {}",
            locale.date(invoice.period_start),
            locale.date(invoice.period_end)
        ),
    ));
    let mut fy = 150.0;
    for (label, value) in facts {
        text(s, label_x, fy, false, 9.0, GREY, label);
        text_right(s, value_right, fy, false, 9.0, BLACK, &value);
        fy += 14.0;
    }
    let mut y = 250.0;
    if let Some(original) = &invoice.corrects {
        let line = w
            .corrects
            .replace("{number}", &original.number)
            .replace("{date}", &locale.date(original.issue_date));
        text(s, MARGIN, y, true, 10.0, BLACK, &line);
        y += 16.0;
    }
    if let Some(note) = &invoice.note {
        for part in wrapped(note, 9.5, RIGHT - MARGIN, 3) {
            text(s, MARGIN, y, false, 9.5, BLACK, &part);
            y += 13.0;
        }
    }
    y + 14.0
}

fn table_head(s: &mut Surface, w: &Words, y: f32) -> f32 {
    text(s, MARGIN, y, true, 9.0, GREY, w.position);
    text(s, MARGIN + 30.0, y, true, 9.0, GREY, w.description);
    text_right(s, QUANTITY, y, true, 9.0, GREY, w.quantity);
    text_right(s, PRICE, y, true, 9.0, GREY, w.unit_price);
    text_right(s, RIGHT, y, true, 9.0, GREY, w.amount);
    rule(s, MARGIN, RIGHT, y + 6.0, 0.8, (60, 60, 60));
    y + 22.0
}

/// The net total, the VAT per rate, the total, the exemption notes and how to pay.
fn totals(
    s: &mut Surface,
    invoice: &Invoice,
    w: &Words,
    locale: Locale,
    y: f32,
    number: &str,
    seller: &domain::billing::invoice::Seller,
) {
    let currency = invoice.currency.code();
    let label_x = 330.0;
    rule(s, label_x, RIGHT, y - 8.0, 0.6, (120, 120, 120));
    let mut y = y + 8.0;
    text(s, label_x, y, false, 9.5, BLACK, w.net);
    text_right(
        s,
        RIGHT,
        y,
        false,
        9.5,
        BLACK,
        &locale.money(invoice.totals.net_total, currency),
    );
    y += 15.0;
    let mut notes = Vec::new();
    for group in &invoice.totals.vat {
        let label = format!(
            "{} {} % {} {}",
            w.vat,
            locale.quantity(group.vat.rate_percent),
            w.on,
            locale.money(group.taxable_amount, currency)
        );
        text(s, label_x, y, false, 9.5, BLACK, &label);
        text_right(
            s,
            RIGHT,
            y,
            false,
            9.5,
            BLACK,
            &locale.money(group.tax_amount, currency),
        );
        y += 15.0;
        match group.vat.category {
            VatCategory::ReverseCharge => notes.push(w.reverse_charge),
            VatCategory::Export => notes.push(w.export),
            VatCategory::Standard => {}
        }
    }
    rule(s, label_x, RIGHT, y - 9.0, 0.6, (120, 120, 120));
    y += 4.0;
    text(s, label_x, y, true, 11.0, BLACK, w.total);
    text_right(
        s,
        RIGHT,
        y,
        true,
        11.0,
        BLACK,
        &locale.money(invoice.totals.gross_total, currency),
    );
    y += 30.0;
    for note in notes {
        text(s, MARGIN, y, false, 9.0, BLACK, note);
        y += 13.0;
    }
    if invoice.kind == InvoiceKind::Invoice
        && let Some(due) = invoice.due_date
    {
        let pay = w
            .pay
            .replace("{amount}", &locale.money(invoice.totals.due, currency))
            .replace("{due}", &locale.date(due));
        text(s, MARGIN, y, false, 9.5, BLACK, &pay);
        let bic = seller
            .bic
            .as_deref()
            .map(|b| format!(" · BIC {b}"))
            .unwrap_or_default();
        let account = format!(
            "IBAN {}{bic} · {}: {number}",
            spaced_iban(&seller.iban),
            w.reference
        );
        text(s, MARGIN, y + 14.0, false, 9.5, BLACK, &account);
    }
}

/// An IBAN in groups of four, as printed.
fn spaced_iban(iban: &str) -> String {
    iban.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn footer(s: &mut Surface, invoice: &Invoice, w: &Words, page: usize, pages: usize) {
    let y = A4.1 - 58.0;
    rule(s, MARGIN, RIGHT, y - 12.0, 0.4, (180, 180, 180));
    if let Some(seller) = &invoice.seller {
        let party = &seller.party;
        let place = format!(
            "{} · {} · {} {} · {}",
            party.name,
            party.address.street,
            party.address.postal_code.as_deref().unwrap_or(""),
            party.address.city,
            party.address.country
        );
        text(
            s,
            MARGIN,
            y,
            false,
            7.0,
            GREY,
            &fitted(&place, 7.0, RIGHT - MARGIN),
        );
        let bic = seller
            .bic
            .as_deref()
            .map(|b| format!(" · BIC {b}"))
            .unwrap_or_default();
        let account = format!(
            "{} {} · IBAN {}{bic}",
            w.vat_id,
            party.vat_id.as_deref().unwrap_or(""),
            spaced_iban(&seller.iban)
        );
        text(
            s,
            MARGIN,
            y + 10.0,
            false,
            7.0,
            GREY,
            &fitted(&account, 7.0, RIGHT - MARGIN),
        );
    }
    text(
        s,
        MARGIN,
        y + 20.0,
        false,
        7.0,
        GREY,
        &fitted(w.attached, 7.0, RIGHT - MARGIN - 60.0),
    );
    text_right(
        s,
        RIGHT,
        y + 20.0,
        false,
        7.0,
        GREY,
        &format!("{} {page}/{pages}", w.page),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(raw: &str) -> Decimal {
        raw.parse().unwrap()
    }

    #[test]
    fn amounts_are_written_as_each_locale_writes_them() {
        assert_eq!(
            Locale(Language::De).money(d("1234567.5"), "EUR"),
            "1.234.567,50 EUR"
        );
        assert_eq!(
            Locale(Language::En).money(d("-1234.5"), "CHF"),
            "-1,234.50 CHF"
        );
        assert_eq!(
            Locale(Language::Fr).number(d("1234.5"), 2),
            "1\u{202f}234,50"
        );
        assert_eq!(Locale(Language::It).quantity(d("10.5")), "10,5");
        assert_eq!(Locale(Language::De).quantity(d("3")), "3");
    }

    #[test]
    fn ibans_print_in_groups_of_four() {
        assert_eq!(
            spaced_iban("DE02120300000000202051"),
            "DE02 1203 0000 0000 2020 51"
        );
    }
}
