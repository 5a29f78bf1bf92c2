// The customer's portal: their sites, what was done there month by month, how the
// inspections scored over the last year, their invoices and their documents.
import { Board } from '../shared/Board'
import { useState } from 'react'
import { api, problemOf, type Schemas } from '../../api/client'
import { Link } from '../../app/router'
import { formatMonth, formatNumber, t } from '../../i18n/i18n'
import { addMonths, monthOf, today } from '../../lib/dates'
import { unwrap, useLoad } from '../../lib/useLoad'
import { Empty, Notice, PageHeader, Spinner } from '../../ui/kit'
import { MonthStepper } from '../shared/Pickers'
import { InvoiceFacts } from '../shared/InvoiceFacts'
import { Documents } from '../shared/Documents'
import { downloadInvoice } from '../shared/invoiceFiles'
import { ProofActions, ProofTable } from '../shared/ProofTable'
import { Savings } from '../shared/Savings'

export function Portal({ siteId }: { siteId?: string }) {
  const sites = useLoad(() => unwrap(api.GET('/v1/sites', { params: { query: { orderBy: 'name', limit: 200 } } })), [])
  if (siteId) return <CustomerSite id={siteId} />
  return (
    <>
      <PageHeader title={t('portal.title')}>
        <p className="muted">{t('portal.intro')}</p>
      </PageHeader>
      {!sites.data ? (
        <Spinner />
      ) : sites.data.items.length === 0 ? (
        <Empty>{t('portal.noSites')}</Empty>
      ) : (
        <ul className="cards">
          {sites.data.items.map((s) => (
            <li key={s.id} className="card">
              <h2>
                <Link href={`/portal/sites/${s.id}`}>{s.name}</Link>
              </h2>
              <p className="muted">
                {s.address.street}, {s.address.postalCode} {s.address.city}
              </p>
            </li>
          ))}
        </ul>
      )}
      <PortalInvoices />
      <Documents filter={{}} />
    </>
  )
}

/** The customer's issued invoices and credit notes, each downloadable as PDF (with its
 * e-invoice inside). */
function PortalInvoices() {
  const invoices = useLoad(() => unwrap(api.GET('/v1/invoices', { params: { query: { orderBy: '-id', limit: 50 } } })), [])
  return (
    <section aria-labelledby="portal-invoices">
      <h2 id="portal-invoices">{t('portal.invoices')}</h2>
      {!invoices.data ? (
        <Spinner />
      ) : invoices.data.items.length === 0 ? (
        <Empty>{t('portal.noInvoices')}</Empty>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('invoices.number')}</th>
              <th scope="col">{t('invoices.period')}</th>
              <th scope="col" className="number">
                {t('invoices.total')}
              </th>
              <th scope="col">{t('invoices.statusLabel')}</th>
              <th scope="col">{t('invoices.due')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('invoices.pdf')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {invoices.data.items.map((invoice) => (
              <tr key={invoice.id}>
                <td>{invoice.number}</td>
                <InvoiceFacts invoice={invoice} />
                <td>
                  <button type="button" className="button" onClick={() => void downloadInvoice(invoice.id, invoice.number ?? invoice.id, 'pdf')}>
                    {t('invoices.pdf')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

function CustomerSite({ id }: { id: string }) {
  const site = useLoad(() => unwrap(api.GET('/v1/sites/{id}', { params: { path: { id } } })), [id])
  const [month, setMonth] = useState(monthOf(today()))
  const proof = useLoad(() => unwrap(api.GET('/v1/proof-of-service', { params: { query: { siteId: id, month } } })), [id, month])
  const last = monthOf(today())
  const months = Array.from({ length: 12 }, (_, i) => addMonths(last, i - 11))
  const scores = useLoad(
    () => Promise.all(months.map((m) => unwrap(api.GET('/v1/inspections/summary', { params: { query: { siteId: id, month: m } } })))),
    [id, last],
  )
  if (site.error) return <Notice kind="error">{problemOf(site.error)?.detail ?? t('common.failed')}</Notice>
  if (!site.data) return <Spinner />
  return (
    <>
      <PageHeader
        title={site.data.name}
        actions={
          proof.data && <ProofActions proof={proof.data} />
        }
      >
        <p className="muted">
          <Link href="/portal">{t('portal.title')}</Link> · {site.data.address.street}, {site.data.address.city}
        </p>
      </PageHeader>
      <section aria-labelledby="proof-title">
        <div className="toolbar no-print">
          <h2 id="proof-title">{t('proof.title')}</h2>
          <MonthStepper month={month} onChange={setMonth} last={last} />
        </div>
        {proof.data ? <ProofTable proof={proof.data} /> : <Spinner />}
        <Savings siteId={id} month={month} />
      </section>
      <section aria-labelledby="score-title" className="no-print">
        <h2 id="score-title">{t('portal.scores')}</h2>
        {scores.data ? <ScoreChart points={scores.data} /> : <Spinner />}
      </section>
      <Board siteId={id} />
    </>
  )
}

/** Inspection scores per month as a line over 0–100 %, with a table for screen readers. */
function ScoreChart({ points }: { points: Schemas['InspectionSummary'][] }) {
  const width = 640
  const height = 220
  const pad = { left: 40, right: 12, top: 12, bottom: 40 }
  const x = (i: number) => pad.left + (i * (width - pad.left - pad.right)) / Math.max(1, points.length - 1)
  const y = (v: number) => pad.top + ((100 - v) * (height - pad.top - pad.bottom)) / 100
  const scored = points.map((p, i) => ({ i, v: p.scorePercent })).filter((p): p is { i: number; v: number } => p.v != null)
  const line = scored.map((p, n) => `${n ? 'L' : 'M'}${x(p.i).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ')
  if (scored.length === 0) return <Empty>{t('portal.noScores')}</Empty>
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={t('portal.chartLabel')}>
        {[0, 25, 50, 75, 100].map((v) => (
          <g key={v}>
            <line x1={pad.left} x2={width - pad.right} y1={y(v)} y2={y(v)} className="grid" />
            <text x={pad.left - 6} y={y(v) + 4} textAnchor="end" className="axis">
              {v}
            </text>
          </g>
        ))}
        {points.map((p, i) => (
          <text key={p.month} x={x(i)} y={height - pad.bottom + 18} textAnchor="middle" className="axis">
            {formatMonth(p.month).slice(0, 3)}
          </text>
        ))}
        <path d={line} className="score-line" />
        {scored.map((p) => (
          <circle key={p.i} cx={x(p.i)} cy={y(p.v)} r={4} className="score-dot" />
        ))}
      </svg>
      <table className="visually-hidden">
        <caption>{t('portal.scores')}</caption>
        <tbody>
          {points.map((p) => (
            <tr key={p.month}>
              <th scope="row">{formatMonth(p.month)}</th>
              <td>{p.scorePercent == null ? '–' : `${formatNumber(p.scorePercent, 1)} %`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  )
}
