//! Room lists from spreadsheets: CSV text as German, French and English spreadsheets save it
//! (`;` or `,` or tab between columns, decimal commas, quoted fields, a byte order mark), read
//! into one JSON object per row with the fields an area takes, for the area's own rules to
//! check. Columns are found by their header, in any order and any of the four languages.

use serde_json::{Map, Value, json};

use crate::validation::{FieldError, ValidationErrors};

/// The most rows one import takes: it is written in one commit (all or nothing), beside the
/// guards on the site and the area types it names.
pub const MAX_ROWS: usize = 400;

/// A column an import reads, and the headers that name it.
struct Column {
    field: &'static str,
    headers: &'static [&'static str],
}

const COLUMNS: [Column; 5] = [
    Column {
        field: "name",
        headers: &[
            "name",
            "raum",
            "raumname",
            "bezeichnung",
            "nom",
            "pièce",
            "piece",
            "locale",
            "nome",
        ],
    },
    Column {
        field: "floor",
        headers: &["floor", "etage", "geschoss", "stockwerk", "étage", "piano"],
    },
    Column {
        field: "sizeSqm",
        headers: &[
            "m²",
            "m2",
            "qm",
            "fläche",
            "flaeche",
            "fläche (m²)",
            "fläche m²",
            "size",
            "sizesqm",
            "size (m²)",
            "surface",
            "surface (m²)",
            "superficie",
        ],
    },
    Column {
        field: "areaType",
        headers: &[
            "area type",
            "areatype",
            "type",
            "typ",
            "raumtyp",
            "flächenart",
            "reinigungsart",
            "type de surface",
            "type de local",
            "tipo",
        ],
    },
    Column {
        field: "cleaningsPerWeek",
        headers: &[
            "cleanings per week",
            "cleaningsperweek",
            "häufigkeit",
            "reinigungen pro woche",
            "fréquence",
            "nettoyages par semaine",
            "frequenza",
        ],
    },
];

/// The rows of `text`: each a JSON object of the columns found (`name`, `floor`, `sizeSqm`,
/// `areaType`, `cleaningsPerWeek`), numbers read whatever their decimal mark. What cannot be
/// read at all (no header, an unknown column, a row of the wrong width, too many rows) is an
/// error on `csv`, naming the line.
pub fn read_csv(text: &str) -> Result<Vec<Map<String, Value>>, ValidationErrors> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let error = |message: String| {
        ValidationErrors(vec![FieldError {
            field: "csv".into(),
            message,
        }])
    };
    let mut lines = records(text, separator(text));
    let header = lines
        .next()
        .ok_or_else(|| error("is empty: expected a header line, then a line per room".into()))?;
    let mut fields = Vec::with_capacity(header.len());
    for cell in &header {
        let wanted = cell.trim().to_lowercase();
        let column = COLUMNS
            .iter()
            .find(|c| c.headers.contains(&wanted.as_str()));
        match column {
            Some(c) if fields.contains(&c.field) => {
                return Err(error(format!("names the column {:?} twice", c.field)));
            }
            Some(c) => fields.push(c.field),
            None => {
                return Err(error(format!(
                    "has an unknown column {:?}: expected name, floor, m², area type and \
                     cleanings per week (in German, English, French or Italian)",
                    cell.trim()
                )));
            }
        }
    }
    for required in ["name", "sizeSqm", "areaType"] {
        if !fields.contains(&required) {
            return Err(error(format!("lacks the column {required:?}")));
        }
    }
    let mut rows = Vec::new();
    for (i, cells) in lines.enumerate() {
        let line = i + 2;
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue; // a blank line, as spreadsheets leave at the end
        }
        if cells.len() != fields.len() {
            return Err(error(format!(
                "line {line} has {} columns, the header {}",
                cells.len(),
                fields.len()
            )));
        }
        if rows.len() == MAX_ROWS {
            return Err(error(format!(
                "has more than {MAX_ROWS} rooms: import them in parts"
            )));
        }
        let mut row = Map::new();
        for (field, cell) in fields.iter().zip(&cells) {
            let cell = cell.trim();
            if cell.is_empty() {
                continue;
            }
            let value = match *field {
                "floor" | "sizeSqm" | "cleaningsPerWeek" => number(cell).unwrap_or(json!(cell)),
                _ => json!(cell),
            };
            row.insert((*field).to_owned(), value);
        }
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(error("has a header but no rooms".into()));
    }
    Ok(rows)
}

/// The separator of the header line: the one of `;`, tab and `,` it holds most of (`;` when
/// tied, as German and French spreadsheets write, whose decimal mark is the comma).
fn separator(text: &str) -> char {
    let header = text.lines().next().unwrap_or("");
    let count = |c: char| header.matches(c).count();
    [';', '\t', ',']
        .into_iter()
        .max_by_key(|c| (count(*c), matches!(c, ';')))
        .filter(|c| count(*c) > 0)
        .unwrap_or(';')
}

/// A number as people write it: `12.5`, `12,5`, `1.234,5`, `1,234.5`, `1 234,5`. Text that is
/// not one stays text, for the field's own rule to name.
fn number(cell: &str) -> Option<Value> {
    let compact: String = cell
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\'')
        .collect();
    let normal = match (compact.rfind(','), compact.rfind('.')) {
        // The later mark is the decimal one; the other groups thousands.
        (Some(comma), Some(dot)) if comma > dot => compact.replace('.', "").replace(',', "."),
        (Some(_), Some(_)) => compact.replace(',', ""),
        (Some(_), None) => compact.replace(',', "."),
        _ => compact,
    };
    let parsed: f64 = normal.parse().ok().filter(|n: &f64| n.is_finite())?;
    if parsed.fract() == 0.0 && parsed.abs() < 1e15 {
        Some(json!(parsed as i64))
    } else {
        Some(json!(parsed))
    }
}

/// The records of CSV `text` split at `separator`: quoted fields may hold separators, line
/// breaks and doubled quotes.
fn records(text: &str, separator: char) -> impl Iterator<Item = Vec<String>> + '_ {
    let mut chars = text.chars().peekable();
    std::iter::from_fn(move || {
        chars.peek()?;
        let (mut record, mut field, mut quoted) = (Vec::new(), String::new(), false);
        while let Some(c) = chars.next() {
            match c {
                '"' if quoted && chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' if quoted => quoted = false,
                '"' if field.trim().is_empty() => {
                    field.clear();
                    quoted = true;
                }
                c if c == separator && !quoted => record.push(std::mem::take(&mut field)),
                '\r' if !quoted => {}
                '\n' if !quoted => break,
                c => field.push(c),
            }
        }
        record.push(field);
        Some(record)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_german_spreadsheet_reads_with_semicolons_and_decimal_commas() {
        let csv = "\u{feff}Raum;Etage;Fläche (m²);Raumtyp\r\nBüro 1.01;1;12,5;Büro\r\n\"Flur; Nord\";0;1.234,5;Flur\r\n\r\n";
        let rows = read_csv(csv).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            Value::Object(rows[0].clone()),
            json!({"name": "Büro 1.01", "floor": 1, "sizeSqm": 12.5, "areaType": "Büro"})
        );
        assert_eq!(rows[1]["name"], "Flur; Nord");
        assert_eq!(rows[1]["sizeSqm"], 1234.5);
    }

    #[test]
    fn english_and_french_headers_and_separators_read_too() {
        let english = read_csv("name,floor,m2,area type\nLobby,0,40.5,Office\n").unwrap();
        assert_eq!(english[0]["sizeSqm"], 40.5);
        let french =
            read_csv("Nom\tÉtage\tSurface (m²)\tType de local\nSalle 3\t2\t18,75\tBureau\n")
                .unwrap();
        assert_eq!(french[0]["sizeSqm"], 18.75);
        assert_eq!(french[0]["floor"], 2);
    }

    #[test]
    fn what_is_not_a_number_is_left_for_the_rules_to_name() {
        let rows = read_csv("Raum;Etage;m²;Typ\nKeller;EG;viel;Lager\n").unwrap();
        assert_eq!(rows[0]["floor"], "EG");
        assert_eq!(rows[0]["sizeSqm"], "viel");
    }

    #[test]
    fn an_unreadable_file_names_the_problem_on_csv() {
        let message = |csv: &str| read_csv(csv).unwrap_err().0[0].message.clone();
        assert!(message("").contains("empty"));
        assert!(message("Raum;Farbe\nA;blau\n").contains("\"Farbe\""));
        assert!(message("Raum;Etage\nA;1\n").contains("\"sizeSqm\""));
        assert!(message("Raum;m²;Typ\nA;1\n").contains("line 2"));
        assert!(message("Raum;m²;Typ\n").contains("no rooms"));
        let many = format!("Raum;m²;Typ\n{}", "A;1;B\n".repeat(MAX_ROWS + 1));
        assert!(message(&many).contains("more than"));
    }
}
