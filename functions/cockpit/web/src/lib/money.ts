// Amounts arrive as exact decimal strings ("1234.50"): they are shown in the user's locale
// and typed back with a decimal comma or point, and never computed with here (the server
// does the sums).
import { locale } from '../i18n/i18n'

export { parseDecimal } from './decimal'

/** `"1234.5"` in EUR as `1.234,50 €` (German), `€1,234.50` (English). */
export function formatMoney(amount: string, currency: string): string {
  return new Intl.NumberFormat(locale(), { style: 'currency', currency }).format(Number(amount))
}

/** The API's decimal string as the user types it (`1234,5` in German). */
export function editableDecimal(amount: string): string {
  const comma = new Intl.NumberFormat(locale()).format(1.5).includes(',')
  return comma ? amount.replace('.', ',') : amount
}
