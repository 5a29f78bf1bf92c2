// The company's customers: found by name, number or city; a new one added with its billing
// address, VAT id and how it wants its invoices.
import { useMemo, useState, type FormEvent } from 'react'
import { api, type Schemas } from '../../api/client'
import { Link, navigate } from '../../app/router'
import { LANGUAGES, t } from '../../i18n/i18n'
import { allPages } from '../../lib/pages'
import { unwrap, useLoad } from '../../lib/useLoad'
import { Dialog, Empty, Field, PageHeader, Spinner } from '../../ui/kit'
import { ProblemNotice, useProblem } from '../../ui/problem'

export type CustomerView = Schemas['CustomerView']

export function loadCustomers(): Promise<CustomerView[]> {
  return allPages((pageToken) =>
    unwrap(api.GET('/v1/customers', { params: { query: { orderBy: 'name', limit: 200, ...(pageToken ? { pageToken } : {}) } } })),
  )
}

export function Customers() {
  const customers = useLoad(loadCustomers, [])
  const [search, setSearch] = useState('')
  const [adding, setAdding] = useState(false)
  const found = useMemo(() => {
    const words = search.toLowerCase().split(/\s+/).filter(Boolean)
    return (customers.data ?? []).filter((c) => {
      const text = `${c.number} ${c.name} ${c.billingAddress.city} ${c.vatId ?? ''}`.toLowerCase()
      return words.every((w) => text.includes(w))
    })
  }, [customers.data, search])
  return (
    <>
      <PageHeader
        title={t('customers.title')}
        actions={
          <button type="button" className="button primary" onClick={() => setAdding(true)}>
            {t('customers.add')}
          </button>
        }
      >
        <p className="muted">{t('customers.intro')}</p>
      </PageHeader>
      <div className="toolbar">
        <label className="search">
          <span className="visually-hidden">{t('customers.search')}</span>
          <input type="search" placeholder={t('customers.search')} value={search} onChange={(e) => setSearch(e.target.value)} />
        </label>
      </div>
      {!customers.data ? (
        <Spinner />
      ) : found.length === 0 ? (
        <Empty>{customers.data.length ? t('customers.noMatch') : t('customers.none')}</Empty>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('customers.number')}</th>
              <th scope="col">{t('customers.name')}</th>
              <th scope="col">{t('customers.address')}</th>
              <th scope="col">{t('customers.vatId')}</th>
            </tr>
          </thead>
          <tbody>
            {found.map((c) => (
              <tr key={c.id}>
                <td>{c.number}</td>
                <td>
                  <Link href={`/customers/${encodeURIComponent(c.id)}`}>{c.name}</Link>
                </td>
                <td>
                  {c.billingAddress.street}, {c.billingAddress.postalCode} {c.billingAddress.city} ({c.billingAddress.country})
                </td>
                <td>{c.vatId ?? '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Dialog title={t('customers.add')} open={adding} onClose={() => setAdding(false)}>
        <CustomerForm
          onSaved={(c) => {
            setAdding(false)
            navigate(`/customers/${encodeURIComponent(c.id)}`)
          }}
        />
      </Dialog>
    </>
  )
}

type CustomerBody = Schemas['Customer']

/** A new customer, or a change to one (its number stays). */
export function CustomerForm({ customer, onSaved }: { customer?: CustomerView; onSaved: (c: CustomerView) => void }) {
  const [form, setForm] = useState({
    number: customer?.number ?? '',
    name: customer?.name ?? '',
    street: customer?.billingAddress.street ?? '',
    postalCode: customer?.billingAddress.postalCode ?? '',
    city: customer?.billingAddress.city ?? '',
    country: customer?.billingAddress.country ?? 'DE',
    vatId: customer?.vatId ?? '',
    contactName: customer?.contact?.name ?? '',
    email: customer?.contact?.email ?? '',
    language: customer?.language ?? 'de',
    paymentTermsDays: String(customer?.paymentTermsDays ?? 30),
    eInvoice: customer?.eInvoice ?? 'facturx',
    buyerReference: customer?.buyerReference ?? '',
  })
  const problem = useProblem()
  const errors = problem.errors
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value })
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const contact = form.contactName || form.email ? { ...(form.contactName ? { name: form.contactName } : {}), ...(form.email ? { email: form.email } : {}) } : undefined
    const body: CustomerBody = {
      number: form.number.trim(),
      name: form.name,
      billingAddress: { street: form.street, postalCode: form.postalCode || null, city: form.city, country: form.country.toUpperCase() },
      language: form.language as CustomerBody['language'],
      paymentTermsDays: Number(form.paymentTermsDays),
      eInvoice: form.eInvoice as CustomerBody['eInvoice'],
      ...(form.vatId ? { vatId: form.vatId } : {}),
      ...(contact ? { contact } : {}),
      ...(form.buyerReference ? { buyerReference: form.buyerReference } : {}),
    }
    const { data, error } = customer
      ? await api.PUT('/v1/customers/{id}', { params: { path: { id: customer.id }, header: { 'If-Match': `"${customer.version}"` } }, body })
      : await api.POST('/v1/customers', { body })
    if (error || !data) return problem.fail(error)
    onSaved(data)
  }
  return (
    <form onSubmit={(e) => void submit(e)} className="form">
      <ProblemNotice problem={problem} />
      <div className="row">
        <Field label={t('customers.number')} error={errors.number} hint={t('customers.numberHint')}>
          {(p) => <input {...p} required value={form.number} onChange={set('number')} readOnly={Boolean(customer)} />}
        </Field>
        <Field label={t('customers.name')} error={errors.name}>
          {(p) => <input {...p} required value={form.name} onChange={set('name')} />}
        </Field>
      </div>
      <Field label={t('sites.street')} error={errors['billingAddress.street']}>
        {(p) => <input {...p} required value={form.street} onChange={set('street')} />}
      </Field>
      <div className="row">
        <Field label={t('sites.postalCode')} error={errors['billingAddress.postalCode']}>
          {(p) => <input {...p} className="narrow" value={form.postalCode} onChange={set('postalCode')} />}
        </Field>
        <Field label={t('sites.city')} error={errors['billingAddress.city']}>
          {(p) => <input {...p} required value={form.city} onChange={set('city')} />}
        </Field>
        <Field label={t('sites.country')} error={errors['billingAddress.country']}>
          {(p) => <input {...p} required className="narrow" maxLength={2} value={form.country} onChange={set('country')} />}
        </Field>
      </div>
      <div className="row">
        <Field label={t('customers.vatId')} error={errors.vatId} hint={t('customers.vatIdHint')}>
          {(p) => <input {...p} value={form.vatId} onChange={set('vatId')} />}
        </Field>
        <Field label={t('customers.terms')} error={errors.paymentTermsDays}>
          {(p) => <input {...p} className="narrow" inputMode="numeric" value={form.paymentTermsDays} onChange={set('paymentTermsDays')} />}
        </Field>
        <Field label={t('common.language')} error={errors.language}>
          {(p) => (
            <select {...p} value={form.language} onChange={set('language')}>
              {LANGUAGES.map((l) => (
                <option key={l} value={l}>
                  {l.toUpperCase()}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <div className="row">
        <Field label={t('customers.contact')} error={errors['contact.name']}>
          {(p) => <input {...p} value={form.contactName} onChange={set('contactName')} />}
        </Field>
        <Field label={t('customers.email')} error={errors['contact.email']} hint={t('customers.emailHint')}>
          {(p) => <input {...p} type="email" value={form.email} onChange={set('email')} />}
        </Field>
      </div>
      <div className="row">
        <Field label={t('customers.eInvoice')} error={errors.eInvoice}>
          {(p) => (
            <select {...p} value={form.eInvoice} onChange={set('eInvoice')}>
              <option value="facturx">ZUGFeRD / Factur-X</option>
              <option value="xrechnung">XRechnung</option>
            </select>
          )}
        </Field>
        <Field label={t('customers.buyerReference')} error={errors.buyerReference} hint={t('customers.buyerReferenceHint')}>
          {(p) => <input {...p} value={form.buyerReference} onChange={set('buyerReference')} />}
        </Field>
      </div>
      <button className="button primary">{t('common.save')}</button>
    </form>
  )
}
