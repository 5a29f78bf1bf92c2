// One invoice. A draft's lines are edited in place (the server computes VAT and totals;
// someone else's change meanwhile shows as a conflict), then it is issued. An issued one is
// final: it is downloaded (PDF with its e-invoice inside, or the XML), marked paid, or
// corrected by a credit note.
import { useState } from 'react'
import { api, etag, problemOf, type Schemas } from '../../api/client'
import { Link, navigate } from '../../app/router'
import { formatDay, formatNumber, t } from '../../i18n/i18n'
import { editableDecimal, formatMoney, parseDecimal } from '../../lib/money'
import { unwrap, useLoad } from '../../lib/useLoad'
import { Conflict, Notice, PageHeader, Spinner } from '../../ui/kit'
import { downloadInvoice, type InvoiceFile } from '../shared/invoiceFiles'
import type { Invoice } from './Invoices'

type Unit = Schemas['Unit']
const UNITS: Unit[] = ['MON', 'MTK', 'HUR', 'C62']

interface LineDraft {
  description: string
  quantity: string
  unit: Unit
  unitPrice: string
}

const draftOf = (invoice: Invoice): LineDraft[] =>
  invoice.lines.map((l) => ({ description: l.description, quantity: editableDecimal(l.quantity), unit: l.unit, unitPrice: editableDecimal(l.unitPrice) }))

export function InvoicePage({ id }: { id: string }) {
  const invoice = useLoad(() => unwrap(api.GET('/v1/invoices/{id}', { params: { path: { id } } })), [id])
  if (invoice.error) return <Notice kind="error">{problemOf(invoice.error)?.detail ?? t('common.failed')}</Notice>
  if (!invoice.data) return <Spinner />
  return <InvoiceView key={`${invoice.data.id}-${invoice.data.version}`} invoice={invoice.data} reload={invoice.reload} />
}

function InvoiceView({ invoice, reload }: { invoice: Invoice; reload: () => void }) {
  const draft = invoice.status === 'draft'
  const [lines, setLines] = useState<LineDraft[]>(draftOf(invoice))
  const [note, setNote] = useState(invoice.note ?? '')
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [message, setMessage] = useState<string | null>(null)
  const [conflict, setConflict] = useState(false)
  const [busy, setBusy] = useState(false)
  const path = { id: invoice.id }
  const header = { 'If-Match': etag(invoice.version) }
  const failed = (status: number, error: unknown) => {
    if (status === 412) return setConflict(true)
    const problem = problemOf(error)
    setErrors(Object.fromEntries((problem?.errors ?? []).map((e) => [e.field, e.message])))
    setMessage(problem?.detail ?? t('common.failed'))
  }
  const act = async (call: () => Promise<{ error?: unknown; response: Response }>) => {
    setBusy(true)
    setMessage(null)
    const { error, response } = await call()
    setBusy(false)
    if (error) return failed(response.status, error)
    reload()
  }
  const save = () =>
    act(() =>
      api.PATCH('/v1/invoices/{id}', {
        params: { path, header },
        body: {
          note: note.trim() ? note.trim() : null,
          lines: lines.map((l) => ({
            description: l.description,
            quantity: parseDecimal(l.quantity) ?? l.quantity,
            unit: l.unit,
            unitPrice: parseDecimal(l.unitPrice) ?? l.unitPrice,
          })),
        },
      }),
    )
  const issue = () => act(() => api.POST('/v1/invoices/{id}/issue', { params: { path, header } }))
  const pay = () => act(() => api.POST('/v1/invoices/{id}/payment', { params: { path, header }, body: {} }))
  const credit = async () => {
    const { data, error, response } = await api.POST('/v1/invoices/{id}/credit-note', { params: { path } })
    if (error || !data) return failed(response.status, error)
    navigate(`/invoices/${encodeURIComponent(data.id)}`)
  }
  const download = async (kind: InvoiceFile) => {
    if (!(await downloadInvoice(invoice.id, invoice.number ?? invoice.id, kind))) setMessage(t('common.failed'))
  }
  const setLine = (i: number, patch: Partial<LineDraft>) => setLines(lines.map((l, k) => (k === i ? { ...l, ...patch } : l)))
  const title = invoice.number
    ? `${invoice.kind === 'creditNote' ? t('invoices.creditNote') : t('invoices.invoice')} ${invoice.number}`
    : invoice.kind === 'creditNote'
      ? t('invoices.creditDraft')
      : t('invoices.draft')
  const currency = invoice.currency
  return (
    <>
      <PageHeader
        title={title}
        actions={
          <>
            {draft && (
              <button type="button" className="button primary" disabled={busy} onClick={() => void issue()}>
                {t('invoices.issue')}
              </button>
            )}
            {!draft && (
              <>
                <button type="button" className="button" onClick={() => void download('pdf')}>
                  {t('invoices.pdf')}
                </button>
                <button type="button" className="button" onClick={() => void download('xml')}>
                  {t('invoices.xml')}
                </button>
                <button type="button" className="button" onClick={() => void download('ubl')}>
                  {t('invoices.ubl')}
                </button>
              </>
            )}
            {invoice.kind === 'invoice' && (invoice.status === 'issued' || invoice.status === 'overdue') && (
              <button type="button" className="button" disabled={busy} onClick={() => void pay()}>
                {t('invoices.markPaid')}
              </button>
            )}
            {invoice.kind === 'invoice' && (invoice.status === 'issued' || invoice.status === 'paid' || invoice.status === 'overdue') && !invoice.creditedBy && (
              <button type="button" className="button" onClick={() => void credit()}>
                {t('invoices.credit')}
              </button>
            )}
          </>
        }
      >
        <p className="muted">
          <Link href="/invoices">{t('invoices.title')}</Link> · <Link href={`/customers/${encodeURIComponent(invoice.customerId)}`}>{invoice.buyer.name}</Link> ·{' '}
          {formatDay(invoice.periodStart)} – {formatDay(invoice.periodEnd)} · <span className={`badge ${invoice.status}`}>{t(`invoices.state.${invoice.status}`)}</span>
          {invoice.issueDate && ` · ${t('invoices.issued', { date: formatDay(invoice.issueDate) })}`}
          {invoice.dueDate && invoice.kind === 'invoice' && ` · ${t('invoices.dueOn', { date: formatDay(invoice.dueDate) })}`}
        </p>
      </PageHeader>
      {conflict && <Conflict onReload={() => (setConflict(false), reload())} />}
      {message && <Notice kind="error">{message}</Notice>}
      {invoice.corrects && (
        <Notice>
          {t('invoices.corrects')} <Link href={`/invoices/${encodeURIComponent(invoice.corrects.invoiceId)}`}>{invoice.corrects.number}</Link>
        </Notice>
      )}
      {invoice.creditedBy && (
        <Notice kind="warning">
          {t('invoices.creditedBy')} <Link href={`/invoices/${encodeURIComponent(invoice.creditedBy)}`}>{t('invoices.creditNote')}</Link>
        </Notice>
      )}
      <table className={`table${draft ? ' editable' : ''}`}>
        <thead>
          <tr>
            <th scope="col">{t('invoices.line')}</th>
            <th scope="col" className="number">
              {t('invoices.quantity')}
            </th>
            <th scope="col">{t('invoices.unit')}</th>
            <th scope="col" className="number">
              {t('invoices.unitPrice')}
            </th>
            <th scope="col" className="number">
              {t('invoices.amount')}
            </th>
            {draft && <th scope="col" className="visually-hidden">{t('invoices.remove')}</th>}
          </tr>
        </thead>
        <tbody>
          {draft
            ? lines.map((line, i) => (
                <tr key={i}>
                  <td>
                    <input aria-label={`${t('invoices.line')} ${i + 1}`} value={line.description} onChange={(e) => setLine(i, { description: e.target.value })} />
                    {errors[`lines[${i}].description`] && <p className="field-error">{errors[`lines[${i}].description`]}</p>}
                  </td>
                  <td className="number">
                    <input className="narrow" inputMode="decimal" aria-label={`${t('invoices.quantity')} ${i + 1}`} value={line.quantity} onChange={(e) => setLine(i, { quantity: e.target.value })} />
                    {errors[`lines[${i}].quantity`] && <p className="field-error">{errors[`lines[${i}].quantity`]}</p>}
                  </td>
                  <td>
                    <select aria-label={`${t('invoices.unit')} ${i + 1}`} value={line.unit} onChange={(e) => setLine(i, { unit: e.target.value as Unit })}>
                      {UNITS.map((u) => (
                        <option key={u} value={u}>
                          {t(`invoices.units.${u}`)}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td className="number">
                    <input className="narrow" inputMode="decimal" aria-label={`${t('invoices.unitPrice')} ${i + 1}`} value={line.unitPrice} onChange={(e) => setLine(i, { unitPrice: e.target.value })} />
                    {errors[`lines[${i}].unitPrice`] && <p className="field-error">{errors[`lines[${i}].unitPrice`]}</p>}
                  </td>
                  <td className="number">{invoice.lines[i] ? formatMoney(invoice.lines[i].netAmount, currency) : '–'}</td>
                  <td>
                    <button type="button" className="icon-button" aria-label={`${t('invoices.remove')} ${i + 1}`} onClick={() => setLines(lines.filter((_, k) => k !== i))}>
                      ×
                    </button>
                  </td>
                </tr>
              ))
            : invoice.lines.map((line, i) => (
                <tr key={i}>
                  <td>{line.description}</td>
                  <td className="number">{formatNumber(Number(line.quantity), 4)}</td>
                  <td>{t(`invoices.units.${line.unit}`)}</td>
                  <td className="number">{formatMoney(line.unitPrice, currency)}</td>
                  <td className="number">{formatMoney(line.netAmount, currency)}</td>
                </tr>
              ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={4}>
              {t('invoices.net')}
            </th>
            <td className="number">{formatMoney(invoice.totals.netTotal, currency)}</td>
          </tr>
          {invoice.totals.vat.map((group) => (
            <tr key={`${group.vat.category}-${group.vat.ratePercent}`}>
              <th scope="row" colSpan={4}>
                {t('invoices.vat', { rate: group.vat.ratePercent, base: formatMoney(group.taxableAmount, currency) })}
                {group.vat.category === 'AE' ? ` (${t('invoices.reverseCharge')})` : group.vat.category === 'G' ? ` (${t('invoices.export')})` : ''}
              </th>
              <td className="number">{formatMoney(group.taxAmount, currency)}</td>
            </tr>
          ))}
          <tr className="total">
            <th scope="row" colSpan={4}>
              {t('invoices.total')}
            </th>
            <td className="number">{formatMoney(invoice.totals.grossTotal, currency)}</td>
          </tr>
        </tfoot>
      </table>
      {draft && (
        <div className="panel">
          <button type="button" className="button" onClick={() => setLines([...lines, { description: '', quantity: '1', unit: 'C62', unitPrice: '' }])}>
            {t('invoices.addLine')}
          </button>
          <label className="field">
            <span>{t('invoices.note')}</span>
            <textarea value={note} onChange={(e) => setNote(e.target.value)} rows={2} />
          </label>
          <button type="button" className="button primary" disabled={busy} onClick={() => void save()}>
            {t('invoices.save')}
          </button>
        </div>
      )}
      {!draft && invoice.note && <p>{invoice.note}</p>}
    </>
  )
}
