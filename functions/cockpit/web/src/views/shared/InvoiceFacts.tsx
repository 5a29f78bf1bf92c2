// What every invoice list shows of an invoice, whoever reads it.
import type { Schemas } from '../../api/client'
import { formatDay, t } from '../../i18n/i18n'
import { formatMoney } from '../../lib/money'

/** An invoice's period, total, status and due date, as table cells (the office's list and
 * the customer's portal show them alike). */
export function InvoiceFacts({ invoice }: { invoice: Schemas['InvoiceView'] }) {
  return (
    <>
      <td>
        {formatDay(invoice.periodStart)} – {formatDay(invoice.periodEnd)}
      </td>
      <td className="number">{formatMoney(invoice.totals.grossTotal, invoice.currency)}</td>
      <td>
        <span className={`badge ${invoice.status}`}>{t(`invoices.state.${invoice.status}`)}</span>
      </td>
      <td>{invoice.dueDate ? formatDay(invoice.dueDate) : '–'}</td>
    </>
  )
}
