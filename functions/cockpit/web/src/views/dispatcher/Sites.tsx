// The company's sites: found by name, street or city; a new one added in place.
import { useMemo, useState, type FormEvent } from 'react'
import { api, type Schemas } from '../../api/client'
import { Link, navigate, useLocation } from '../../app/router'
import { t } from '../../i18n/i18n'
import { allPages } from '../../lib/pages'
import { unwrap, useLoad } from '../../lib/useLoad'
import { Dialog, Empty, Field, Notice, PageHeader, Spinner } from '../../ui/kit'
import { ProblemNotice, useProblem } from '../../ui/problem'

export type SiteView = Schemas['SiteView']

export function loadSites(): Promise<SiteView[]> {
  return allPages((pageToken) =>
    unwrap(api.GET('/v1/sites', { params: { query: { orderBy: 'name', limit: 200, ...(pageToken ? { pageToken } : {}) } } })),
  )
}

export function Sites() {
  const { query } = useLocation()
  const sites = useLoad(loadSites, [])
  const [search, setSearch] = useState('')
  const [adding, setAdding] = useState(false)
  const found = useMemo(() => {
    const words = search.toLowerCase().split(/\s+/).filter(Boolean)
    return (sites.data ?? []).filter((site) => {
      const text = `${site.name} ${site.address.street} ${site.address.postalCode ?? ''} ${site.address.city}`.toLowerCase()
      return words.every((w) => text.includes(w))
    })
  }, [sites.data, search])
  return (
    <>
      <PageHeader
        title={t('sites.title')}
        actions={
          <button type="button" className="button primary" onClick={() => setAdding(true)}>
            {t('sites.add')}
          </button>
        }
      />
      {query.get('welcome') && (
        <Notice kind="success">
          <strong>{t('welcome.title')}</strong> {t('welcome.steps')}
        </Notice>
      )}
      <div className="toolbar">
        <label className="search">
          <span className="visually-hidden">{t('sites.search')}</span>
          <input type="search" placeholder={t('sites.search')} value={search} onChange={(e) => setSearch(e.target.value)} />
        </label>
        {sites.data && <span className="muted">{t('sites.count', { count: found.length, total: sites.data.length })}</span>}
      </div>
      {sites.loading && !sites.data ? (
        <Spinner />
      ) : found.length === 0 ? (
        <Empty>{sites.data?.length ? t('sites.noMatch') : t('sites.none')}</Empty>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('sites.name')}</th>
              <th scope="col">{t('sites.address')}</th>
              <th scope="col">{t('sites.timeZone')}</th>
            </tr>
          </thead>
          <tbody>
            {found.map((site) => (
              <tr key={site.id}>
                <td>
                  <Link href={`/sites/${site.id}`}>{site.name}</Link>
                </td>
                <td>
                  {site.address.street}, {site.address.postalCode} {site.address.city}
                </td>
                <td>{site.timeZone}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Dialog title={t('sites.add')} open={adding} onClose={() => setAdding(false)}>
        <SiteForm
          onSaved={(site) => {
            setAdding(false)
            navigate(`/sites/${site.id}`)
          }}
        />
      </Dialog>
    </>
  )
}

/** A new site: where it is, its time zone, and its access notes. */
export function SiteForm({ onSaved }: { onSaved: (site: SiteView) => void }) {
  const [form, setForm] = useState({
    name: '',
    street: '',
    postalCode: '',
    city: '',
    country: 'DE',
    lat: '',
    lng: '',
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    accessNotes: '',
  })
  const problem = useProblem()
  const errors = problem.errors
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value })
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const number = (raw: string) => Number(raw.replace(',', '.'))
    const { data, error } = await api.POST('/v1/sites', {
      body: {
        name: form.name,
        address: { street: form.street, postalCode: form.postalCode || undefined, city: form.city, country: form.country },
        location: { lat: number(form.lat), lng: number(form.lng) },
        timeZone: form.timeZone,
        accessNotes: form.accessNotes || undefined,
      },
    })
    if (error) return problem.fail(error)
    onSaved(data)
  }
  return (
    <form onSubmit={(e) => void submit(e)} className="form-grid">
      <ProblemNotice problem={problem} />
      <Field label={t('sites.name')} error={errors.name}>
        {(p) => <input {...p} required value={form.name} onChange={set('name')} />}
      </Field>
      <Field label={t('sites.street')} error={errors['address.street']}>
        {(p) => <input {...p} required autoComplete="street-address" value={form.street} onChange={set('street')} />}
      </Field>
      <div className="row">
        <Field label={t('sites.postalCode')} error={errors['address.postalCode']}>
          {(p) => <input {...p} autoComplete="postal-code" value={form.postalCode} onChange={set('postalCode')} />}
        </Field>
        <Field label={t('sites.city')} error={errors['address.city']}>
          {(p) => <input {...p} required value={form.city} onChange={set('city')} />}
        </Field>
        <Field label={t('sites.country')} error={errors['address.country']}>
          {(p) => <input {...p} required maxLength={2} size={3} value={form.country} onChange={set('country')} />}
        </Field>
      </div>
      <div className="row">
        <Field label={t('sites.lat')} error={errors['location.lat']} hint={t('sites.coordinatesHint')}>
          {(p) => <input {...p} required inputMode="decimal" value={form.lat} onChange={set('lat')} />}
        </Field>
        <Field label={t('sites.lng')} error={errors['location.lng']}>
          {(p) => <input {...p} required inputMode="decimal" value={form.lng} onChange={set('lng')} />}
        </Field>
      </div>
      <Field label={t('sites.timeZone')} error={errors.timeZone}>
        {(p) => <input {...p} required value={form.timeZone} onChange={set('timeZone')} />}
      </Field>
      <Field label={t('sites.accessNotes')} error={errors.accessNotes} hint={t('sites.accessNotesHint')}>
        {(p) => <textarea {...p} rows={2} value={form.accessNotes} onChange={set('accessNotes')} />}
      </Field>
      <div className="form-actions">
        <button className="button primary">{t('common.save')}</button>
      </div>
    </form>
  )
}
