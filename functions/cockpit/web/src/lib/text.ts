// Reading spreadsheets people save: Excel writes CSV in the Windows code page in Germany and
// France, LibreOffice and Numbers in UTF-8. The file's bytes say which.

/** The text of a CSV file: UTF-8 (with or without a byte-order mark), else Windows-1252. */
export function decodeSpreadsheet(bytes: Uint8Array): string {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    return text.startsWith('\uFEFF') ? text.slice(1) : text
  } catch {
    return new TextDecoder('windows-1252').decode(bytes)
  }
}

/** A CSV field, quoted when it must be (for exports). */
export function csvField(value: string | number | null | undefined, separator = ';'): string {
  const text = value === null || value === undefined ? '' : String(value)
  return /["\n\r]/.test(text) || text.includes(separator) ? `"${text.replace(/"/g, '""')}"` : text
}

/** Rows as CSV text with `separator` (`;` for spreadsheets set to German or French). */
export function toCsv(rows: (string | number | null | undefined)[][], separator = ';'): string {
  return rows.map((row) => row.map((v) => csvField(v, separator)).join(separator)).join('\r\n') + '\r\n'
}
