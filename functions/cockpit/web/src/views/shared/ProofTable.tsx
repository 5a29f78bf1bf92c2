// Proof of service of a site and month, as dispatchers and customers see it; exported as CSV
// for a spreadsheet and printed on A4.
import type { Schemas } from '../../api/client'
import { formatDateTime, formatMonth, formatNumber, t } from '../../i18n/i18n'
import { monthOf, today } from '../../lib/dates'
import { toCsv } from '../../lib/text'

type Proof = Schemas['ProofOfService']

export function ProofTable({ proof }: { proof: Proof }) {
  const percent = (v: number | null | undefined) => (v == null ? '–' : `${formatNumber(v, 1)} %`)
  // Short of the plan is a finding once the month is over; before, it is the month to come.
  const ended = proof.month < monthOf(today())
  // Rooms cleaned on demand add two columns: what sensors made due, what they spared.
  const demand = proof.areas.some((a) => (a.demand ?? 0) > 0 || (a.notNeeded ?? 0) > 0)
  return (
    <table className="table proof">
      <caption>
        <span className="print-only">{t('proof.title')} · </span>
        {proof.siteName} · {formatMonth(proof.month)}
        <span className="print-only muted"> · {t('proof.asOf', { time: formatDateTime(new Date().toISOString()) })}</span>
      </caption>
      <thead>
        <tr>
          <th scope="col">{t('proof.room')}</th>
          <th scope="col" className="number">{t('proof.planned')}</th>
          <th scope="col" className="number">{t('proof.done')}</th>
          <th scope="col" className="number">{t('proof.skipped')}</th>
          <th scope="col" className="number">{t('proof.notAccessible')}</th>
          {demand && <th scope="col" className="number">{t('proof.demand')}</th>}
          {demand && <th scope="col" className="number">{t('proof.notNeeded')}</th>}
          <th scope="col" className="number">{t('proof.fulfilment')}</th>
        </tr>
      </thead>
      <tbody>
        {proof.areas.map((a) => (
          <tr key={a.areaId} className={ended && a.fulfilmentPercent != null && a.fulfilmentPercent < 100 ? 'short' : undefined}>
            <th scope="row">{a.areaName}</th>
            <td className="number">{a.planned}</td>
            <td className="number">{a.done}</td>
            <td className="number">{a.skipped}</td>
            <td className="number">{a.notAccessible}</td>
            {demand && <td className="number">{a.demand ?? 0}</td>}
            {demand && <td className="number">{a.notNeeded ?? 0}</td>}
            <td className="number">{percent(a.fulfilmentPercent)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">{t('proof.total')}</th>
          <td className="number">{proof.totals.planned}</td>
          <td className="number">{proof.totals.done}</td>
          <td className="number">{proof.totals.skipped}</td>
          <td className="number">{proof.totals.notAccessible}</td>
          {demand && <td className="number">{proof.areas.reduce((n, a) => n + (a.demand ?? 0), 0)}</td>}
          {demand && <td className="number">{proof.areas.reduce((n, a) => n + (a.notNeeded ?? 0), 0)}</td>}
          <td className="number">{percent(proof.totals.fulfilmentPercent)}</td>
        </tr>
      </tfoot>
    </table>
  )
}

/** Its CSV and its print. */
export function ProofActions({ proof }: { proof: Proof }) {
  return (
    <>
      <button type="button" className="button" onClick={() => downloadProofCsv(proof)}>
        {t('proof.csv')}
      </button>
      <button type="button" className="button" onClick={() => window.print()}>
        {t('proof.print')}
      </button>
    </>
  )
}

/** The proof as a CSV file the user's spreadsheet opens (`;` and decimal commas in German
 * and French, `,` otherwise), with a byte-order mark so Excel reads it as UTF-8. */
function downloadProofCsv(proof: Proof): void {
  const separator = formatNumber(1.5, 1).includes(',') ? ';' : ','
  const header = [t('proof.room'), t('proof.planned'), t('proof.done'), t('proof.skipped'), t('proof.notAccessible'), t('proof.fulfilment')]
  const rows = proof.areas.map((a) => [a.areaName, a.planned, a.done, a.skipped, a.notAccessible, a.fulfilmentPercent == null ? '' : formatNumber(a.fulfilmentPercent, 1)])
  const total = [t('proof.total'), proof.totals.planned, proof.totals.done, proof.totals.skipped, proof.totals.notAccessible, proof.totals.fulfilmentPercent == null ? '' : formatNumber(proof.totals.fulfilmentPercent, 1)]
  const blob = new Blob(['\uFEFF', toCsv([header, ...rows, total], separator)], { type: 'text/csv;charset=utf-8' })
  const link = document.createElement('a')
  link.href = URL.createObjectURL(blob)
  link.download = `${t('proof.file')}-${proof.siteName.replace(/[^\p{L}\p{N}]+/gu, '-')}-${proof.month}.csv`
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(link.href), 1000)
}
