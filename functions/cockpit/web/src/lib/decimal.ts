// Decimals as people type them, read into the API's exact decimal strings. Pure: no locale
// state, so it is tested on its own.

/** A typed amount (`1.234,5`, `1234.50`, `1 234,5`) as the API's decimal string, or null. */
export function parseDecimal(raw: string): string | null {
  let text = raw.trim().replace(/[\s\u202f']/g, '')
  if (text.includes(',')) {
    // A comma is the decimal separator; points before it group thousands.
    text = text.replace(/\./g, '').replace(',', '.')
  }
  return /^-?\d+(\.\d{1,4})?$/.test(text) ? text : null
}
