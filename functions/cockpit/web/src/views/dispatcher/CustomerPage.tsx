// One customer: its billing facts, its contracts (what it owes, line by line) and its
// invoices.
import { useState, type FormEvent } from 'react'
import { api, type Schemas } from '../../api/client'
import { Link } from '../../app/router'
import { formatDay, formatNumber, t } from '../../i18n/i18n'
import { today } from '../../lib/dates'
import { formatMoney, parseDecimal } from '../../lib/money'
import { unwrap, useLoad } from '../../lib/useLoad'
import { Dialog, Empty, Field, Notice, PageHeader, Spinner } from '../../ui/kit'
import { ProblemNotice, useProblem } from '../../ui/problem'
import { Documents } from '../shared/Documents'
import { CustomerForm } from './Customers'
import { InvoiceTable } from './Invoices'
import { loadSites } from './Sites'

type Contract = Schemas['ContractView']
type PriceKind = Schemas['PriceKind']

const KINDS: PriceKind[] = ['monthly', 'perSqmMonthly', 'perPlannedHour', 'perVisit', 'extra']

export function CustomerPage({ id }: { id: string }) {
  const customer = useLoad(() => unwrap(api.GET('/v1/customers/{id}', { params: { path: { id } } })), [id])
  const contracts = useLoad(() => unwrap(api.GET('/v1/contracts', { params: { query: { customerId: id, limit: 200 } } })), [id])
  const invoices = useLoad(() => unwrap(api.GET('/v1/invoices', { params: { query: { customerId: id, orderBy: '-id', limit: 50 } } })), [id])
  const [editing, setEditing] = useState(false)
  const [adding, setAdding] = useState(false)
  if (customer.error) return <Notice kind="error">{t('common.failed')}</Notice>
  if (!customer.data) return <Spinner />
  const c = customer.data
  return (
    <>
      <PageHeader
        title={c.name}
        actions={
          <button type="button" className="button" onClick={() => setEditing(true)}>
            {t('customers.edit')}
          </button>
        }
      >
        <p className="muted">
          <Link href="/customers">{t('customers.title')}</Link> · {c.number} · {c.billingAddress.street}, {c.billingAddress.postalCode} {c.billingAddress.city} (
          {c.billingAddress.country}) {c.vatId ? `· ${c.vatId}` : ''}
        </p>
      </PageHeader>
      <section aria-labelledby="contracts-title">
        <div className="toolbar">
          <h2 id="contracts-title">{t('contracts.title')}</h2>
          <button type="button" className="button primary" onClick={() => setAdding(true)}>
            {t('contracts.add')}
          </button>
        </div>
        {!contracts.data ? (
          <Spinner />
        ) : contracts.data.items.length === 0 ? (
          <Empty>{t('contracts.none')}</Empty>
        ) : (
          contracts.data.items.map((contract) => <ContractPanel key={contract.id} contract={contract} />)
        )}
      </section>
      <section aria-labelledby="customer-invoices">
        <h2 id="customer-invoices">{t('invoices.title')}</h2>
        {invoices.data ? <InvoiceTable invoices={invoices.data.items} /> : <Spinner />}
      </section>
      <Dialog title={t('customers.edit')} open={editing} onClose={() => setEditing(false)}>
        <CustomerForm
          customer={c}
          onSaved={() => {
            setEditing(false)
            customer.reload()
          }}
        />
      </Dialog>
      <Dialog title={t('contracts.add')} open={adding} onClose={() => setAdding(false)}>
        <ContractForm
          customerId={c.id}
          onSaved={() => {
            setAdding(false)
            contracts.reload()
          }}
        />
      </Dialog>
    </>
  )
}

function ContractPanel({ contract }: { contract: Contract }) {
  return (
    <div className="panel contract">
      <h3>{contract.name}</h3>
      <p className="muted">
        {formatDay(contract.start)} – {contract.end ? formatDay(contract.end) : t('contracts.open')} · {contract.currency} ·{' '}
        {contract.prices === 'gross' ? t('contracts.gross') : t('contracts.net')}
        {contract.yearlyIndexationPercent ? ` · +${formatNumber(Number(contract.yearlyIndexationPercent), 2)} % ${t('contracts.perYear')}` : ''}
        {contract.deductMissedCleanings ? ` · ${t('contracts.deducts')}` : ''}
      </p>
      <table className="table compact">
        <tbody>
          {contract.lines.map((line, i) => (
            <tr key={i}>
              <td>{line.description}</td>
              <td className="muted">{t(`contracts.kind.${line.kind}`)}</td>
              <td className="number">
                {formatMoney(line.unitPrice, contract.currency)}
                {line.monthlyQuantity ? ` × ${line.monthlyQuantity}` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Documents
        filter={{ contractId: contract.id }}
        linkedTo={{ kind: 'contract', id: contract.id }}
        canDelete
        level={3}
        title={t('documents.ofContract', { name: contract.name })}
      />
    </div>
  )
}

interface LineDraft {
  kind: PriceKind
  description: string
  unitPrice: string
  monthlyQuantity: string
}

/** A new contract of `customerId`: its sites, its dates, and its price lines. */
function ContractForm({ customerId, onSaved }: { customerId: string; onSaved: () => void }) {
  const sites = useLoad(loadSites, [])
  const [form, setForm] = useState({
    name: '',
    start: today(),
    end: '',
    noticePeriodDays: '90',
    currency: 'EUR',
    prices: 'net',
    indexation: '',
    deduct: true,
  })
  const [siteIds, setSiteIds] = useState<string[]>([])
  const [lines, setLines] = useState<LineDraft[]>([{ kind: 'monthly', description: '', unitPrice: '', monthlyQuantity: '' }])
  const problem = useProblem()
  const errors = problem.errors
  const own = (sites.data ?? []).filter((s) => s.customerId === customerId)
  const setLine = (i: number, patch: Partial<LineDraft>) => setLines(lines.map((l, k) => (k === i ? { ...l, ...patch } : l)))
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const body = {
      name: form.name,
      customerId,
      siteIds,
      start: form.start,
      ...(form.end ? { end: form.end } : {}),
      noticePeriodDays: Number(form.noticePeriodDays),
      currency: form.currency as Schemas['Currency'],
      prices: form.prices as Schemas['PriceBasis'],
      deductMissedCleanings: form.deduct,
      ...(form.indexation ? { yearlyIndexationPercent: parseDecimal(form.indexation) ?? form.indexation } : {}),
      lines: lines.map((l) => ({
        kind: l.kind,
        description: l.description,
        unitPrice: parseDecimal(l.unitPrice) ?? l.unitPrice,
        ...(l.kind === 'extra' && l.monthlyQuantity ? { monthlyQuantity: parseDecimal(l.monthlyQuantity) ?? l.monthlyQuantity } : {}),
      })),
    }
    const { error } = await api.POST('/v1/contracts', { body })
    if (error) return problem.fail(error)
    onSaved()
  }
  return (
    <form onSubmit={(e) => void submit(e)} className="form">
      <ProblemNotice problem={problem} />
      <Field label={t('contracts.name')} error={errors.name}>
        {(p) => <input {...p} required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />}
      </Field>
      <fieldset className="field">
        <legend>{t('contracts.sites')}</legend>
        {own.length === 0 && <p className="hint">{t('contracts.noSites')}</p>}
        {own.map((s) => (
          <label key={s.id} className="check">
            <input
              type="checkbox"
              checked={siteIds.includes(s.id)}
              onChange={(e) => setSiteIds(e.target.checked ? [...siteIds, s.id] : siteIds.filter((x) => x !== s.id))}
            />
            {s.name}
          </label>
        ))}
        {errors.siteIds && <p className="field-error">{errors.siteIds}</p>}
      </fieldset>
      <div className="row">
        <Field label={t('contracts.start')} error={errors.start}>
          {(p) => <input {...p} type="date" required value={form.start} onChange={(e) => setForm({ ...form, start: e.target.value })} />}
        </Field>
        <Field label={t('contracts.end')} error={errors.end}>
          {(p) => <input {...p} type="date" value={form.end} onChange={(e) => setForm({ ...form, end: e.target.value })} />}
        </Field>
        <Field label={t('contracts.notice')} error={errors.noticePeriodDays}>
          {(p) => <input {...p} className="narrow" inputMode="numeric" value={form.noticePeriodDays} onChange={(e) => setForm({ ...form, noticePeriodDays: e.target.value })} />}
        </Field>
      </div>
      <div className="row">
        <Field label={t('contracts.currency')} error={errors.currency}>
          {(p) => (
            <select {...p} value={form.currency} onChange={(e) => setForm({ ...form, currency: e.target.value })}>
              <option>EUR</option>
              <option>CHF</option>
            </select>
          )}
        </Field>
        <Field label={t('contracts.prices')} error={errors.prices}>
          {(p) => (
            <select {...p} value={form.prices} onChange={(e) => setForm({ ...form, prices: e.target.value })}>
              <option value="net">{t('contracts.net')}</option>
              <option value="gross">{t('contracts.gross')}</option>
            </select>
          )}
        </Field>
        <Field label={t('contracts.indexation')} error={errors.yearlyIndexationPercent}>
          {(p) => <input {...p} className="narrow" inputMode="decimal" value={form.indexation} onChange={(e) => setForm({ ...form, indexation: e.target.value })} />}
        </Field>
      </div>
      <label className="check">
        <input type="checkbox" checked={form.deduct} onChange={(e) => setForm({ ...form, deduct: e.target.checked })} />
        {t('contracts.deductLabel')}
      </label>
      <fieldset className="field">
        <legend>{t('contracts.lines')}</legend>
        {lines.map((line, i) => (
          <div className="row" key={i}>
            <Field label={t('contracts.kindLabel')} error={errors[`lines[${i}].kind`]}>
              {(p) => (
                <select {...p} value={line.kind} onChange={(e) => setLine(i, { kind: e.target.value as PriceKind })}>
                  {KINDS.map((k) => (
                    <option key={k} value={k}>
                      {t(`contracts.kind.${k}`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t('contracts.description')} error={errors[`lines[${i}].description`]}>
              {(p) => <input {...p} required value={line.description} onChange={(e) => setLine(i, { description: e.target.value })} />}
            </Field>
            <Field label={t('contracts.unitPrice')} error={errors[`lines[${i}].unitPrice`]}>
              {(p) => <input {...p} required className="narrow" inputMode="decimal" value={line.unitPrice} onChange={(e) => setLine(i, { unitPrice: e.target.value })} />}
            </Field>
            {line.kind === 'extra' && (
              <Field label={t('contracts.monthlyQuantity')} error={errors[`lines[${i}].monthlyQuantity`]}>
                {(p) => <input {...p} className="narrow" inputMode="decimal" value={line.monthlyQuantity} onChange={(e) => setLine(i, { monthlyQuantity: e.target.value })} />}
              </Field>
            )}
            {lines.length > 1 && (
              <button type="button" className="button" onClick={() => setLines(lines.filter((_, k) => k !== i))}>
                {t('contracts.removeLine')}
              </button>
            )}
          </div>
        ))}
        <button type="button" className="button" onClick={() => setLines([...lines, { kind: 'perVisit', description: '', unitPrice: '', monthlyQuantity: '' }])}>
          {t('contracts.addLine')}
        </button>
      </fieldset>
      <button className="button primary">{t('common.save')}</button>
    </form>
  )
}
