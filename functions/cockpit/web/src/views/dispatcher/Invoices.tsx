// Invoices: the month's drafts to review, what is issued and what is still owed. A month is
// drafted by the monthly run on the 1st, or now from here; issuing needs the company's
// billing details, asked for here when they are missing.
import { useState, type FormEvent } from 'react'
import { api, type Schemas } from '../../api/client'
import { Link } from '../../app/router'
import { formatMonth, t } from '../../i18n/i18n'
import { addMonths, monthOf, today } from '../../lib/dates'
import { unwrap, useLoad } from '../../lib/useLoad'
import { Dialog, Empty, Field, Notice, PageHeader, Spinner } from '../../ui/kit'
import { ProblemNotice, useProblem } from '../../ui/problem'
import { InvoiceFacts } from '../shared/InvoiceFacts'

export type Invoice = Schemas['InvoiceView']
type Status = Schemas['InvoiceStatus']

const FILTERS: (Status | 'all')[] = ['draft', 'issued', 'paid', 'cancelled', 'all']

export function Invoices() {
  const [status, setStatus] = useState<Status | 'all'>('draft')
  const invoices = useLoad(
    () => unwrap(api.GET('/v1/invoices', { params: { query: { orderBy: '-id', limit: 200, ...(status === 'all' ? {} : { status }) } } })),
    [status],
  )
  const settings = useLoad(() => unwrap(api.GET('/v1/tenant-settings')), [])
  const [details, setDetails] = useState(false)
  return (
    <>
      <PageHeader
        title={t('invoices.title')}
        actions={
          <button type="button" className="button" onClick={() => setDetails(true)}>
            {t('billing.details')}
          </button>
        }
      >
        <p className="muted">{t('invoices.intro')}</p>
      </PageHeader>
      {settings.data && !settings.data.billing && (
        <Notice
          kind="warning"
          action={
            <button type="button" className="button" onClick={() => setDetails(true)}>
              {t('billing.details')}
            </button>
          }
        >
          {t('billing.missing')}
        </Notice>
      )}
      <RunMonth onStarted={() => window.setTimeout(invoices.reload, 1500)} />
      <div className="toolbar" role="group" aria-label={t('invoices.filter')}>
        {FILTERS.map((f) => (
          <button key={f} type="button" className={`chip${status === f ? ' active' : ''}`} aria-pressed={status === f} onClick={() => setStatus(f)}>
            {t(`invoices.status.${f}`)}
          </button>
        ))}
      </div>
      {invoices.data ? <InvoiceTable invoices={invoices.data.items} /> : <Spinner />}
      <Dialog title={t('billing.details')} open={details} onClose={() => setDetails(false)}>
        {settings.data && (
          <BillingDetails
            settings={settings.data}
            onSaved={() => {
              setDetails(false)
              settings.reload()
            }}
          />
        )}
      </Dialog>
    </>
  )
}

/** Invoices as a table: number (or draft), customer, period, total, status, due. */
export function InvoiceTable({ invoices }: { invoices: Invoice[] }) {
  if (invoices.length === 0) return <Empty>{t('invoices.none')}</Empty>
  return (
    <table className="table">
      <thead>
        <tr>
          <th scope="col">{t('invoices.number')}</th>
          <th scope="col">{t('invoices.customer')}</th>
          <th scope="col">{t('invoices.period')}</th>
          <th scope="col" className="number">
            {t('invoices.total')}
          </th>
          <th scope="col">{t('invoices.statusLabel')}</th>
          <th scope="col">{t('invoices.due')}</th>
        </tr>
      </thead>
      <tbody>
        {invoices.map((invoice) => (
          <tr key={invoice.id}>
            <td>
              <Link href={`/invoices/${encodeURIComponent(invoice.id)}`}>
                {invoice.number ?? (invoice.kind === 'creditNote' ? t('invoices.creditDraft') : t('invoices.draft'))}
              </Link>
            </td>
            <td>{invoice.buyer.name}</td>
            <InvoiceFacts invoice={invoice} />
          </tr>
        ))}
      </tbody>
    </table>
  )
}

/** Drafts a month now (the monthly run does it on the 1st). */
function RunMonth({ onStarted }: { onStarted: () => void }) {
  const last = monthOf(today())
  const [month, setMonth] = useState(addMonths(last, -1))
  const [started, setStarted] = useState<string | null>(null)
  const problem = useProblem()
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    problem.clear()
    const { data, error } = await api.POST('/v1/invoices/runs', { body: { month } })
    if (error || !data) return problem.fail(error)
    setStarted(data.month)
    onStarted()
  }
  return (
    <form className="panel row inline-form" onSubmit={(e) => void submit(e)} aria-labelledby="run-title">
      <h2 id="run-title" className="visually-hidden">
        {t('invoices.run')}
      </h2>
      <Field label={t('invoices.month')} error={problem.errors.month}>
        {(p) => <input {...p} type="month" max={last} required value={month} onChange={(e) => setMonth(e.target.value)} />}
      </Field>
      <button className="button primary">{t('invoices.run')}</button>
      {started && <p role="status">{t('invoices.runStarted', { month: formatMonth(started) })}</p>}
      <ProblemNotice problem={problem} />
    </form>
  )
}

type Settings = Schemas['StoredTenantSettings']

/** The company as its invoices name it, and where it is paid. */
function BillingDetails({ settings, onSaved }: { settings: Settings; onSaved: () => void }) {
  const billing = settings.billing
  const [form, setForm] = useState({
    name: billing?.name ?? settings.name,
    street: billing?.address.street ?? '',
    postalCode: billing?.address.postalCode ?? '',
    city: billing?.address.city ?? '',
    country: billing?.address.country ?? settings.country,
    vatId: billing?.vatId ?? '',
    email: billing?.email ?? '',
    phone: billing?.phone ?? '',
    iban: billing?.iban ?? '',
    bic: billing?.bic ?? '',
  })
  const problem = useProblem()
  const errors = problem.errors
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value })
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const body = {
      billing: {
        name: form.name,
        address: { street: form.street, postalCode: form.postalCode || null, city: form.city, country: form.country.toUpperCase() },
        vatId: form.vatId,
        iban: form.iban,
        ...(form.bic ? { bic: form.bic } : {}),
        ...(form.email ? { email: form.email } : {}),
        ...(form.phone ? { phone: form.phone } : {}),
      },
    }
    const { error } = await api.PATCH('/v1/tenant-settings', {
      params: { header: { 'If-Match': `"${settings.version}"` } },
      body,
    })
    if (error) return problem.fail(error)
    onSaved()
  }
  return (
    <form onSubmit={(e) => void submit(e)} className="form">
      <ProblemNotice problem={problem} />
      <Field label={t('billing.name')} error={errors['billing.name']}>
        {(p) => <input {...p} required value={form.name} onChange={set('name')} />}
      </Field>
      <Field label={t('sites.street')} error={errors['billing.address.street']}>
        {(p) => <input {...p} required value={form.street} onChange={set('street')} />}
      </Field>
      <div className="row">
        <Field label={t('sites.postalCode')} error={errors['billing.address.postalCode']}>
          {(p) => <input {...p} className="narrow" value={form.postalCode} onChange={set('postalCode')} />}
        </Field>
        <Field label={t('sites.city')} error={errors['billing.address.city']}>
          {(p) => <input {...p} required value={form.city} onChange={set('city')} />}
        </Field>
        <Field label={t('sites.country')} error={errors['billing.address.country']}>
          {(p) => <input {...p} required className="narrow" maxLength={2} value={form.country} onChange={set('country')} />}
        </Field>
      </div>
      <div className="row">
        <Field label={t('customers.vatId')} error={errors['billing.vatId']}>
          {(p) => <input {...p} required value={form.vatId} onChange={set('vatId')} />}
        </Field>
        <Field label={t('customers.email')} error={errors['billing.email']}>
          {(p) => <input {...p} type="email" value={form.email} onChange={set('email')} />}
        </Field>
        <Field label={t('billing.phone')} error={errors['billing.phone']}>
          {(p) => <input {...p} type="tel" value={form.phone} onChange={set('phone')} />}
        </Field>
      </div>
      <div className="row">
        <Field label="IBAN" error={errors['billing.iban']}>
          {(p) => <input {...p} required value={form.iban} onChange={set('iban')} />}
        </Field>
        <Field label="BIC" error={errors['billing.bic']}>
          {(p) => <input {...p} className="narrow" value={form.bic} onChange={set('bic')} />}
        </Field>
      </div>
      <button className="button primary">{t('common.save')}</button>
    </form>
  )
}
