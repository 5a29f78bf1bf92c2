// Kinds of room and how fast they are cleaned: the rates every room's minutes follow from.
import { useState, type FormEvent } from 'react'
import { api, etag, fieldErrors, type Schemas } from '../../api/client'
import { formatNumber, t } from '../../i18n/i18n'
import { useLoad } from '../../lib/useLoad'
import { Conflict, Empty, Field, PageHeader, Spinner } from '../../ui/kit'
import { loadAreaTypes } from './SitePage'

type AreaType = Schemas['AreaTypeView']

const number = (raw: string) => Number(raw.trim().replace(',', '.'))

export function AreaTypes() {
  const types = useLoad(loadAreaTypes, [])
  const [conflict, setConflict] = useState(false)
  const [errors, setErrors] = useState<Record<string, Record<string, string>>>({})
  const save = async (type: AreaType, patch: Partial<Schemas['AreaType']>) => {
    const { error, response } = await api.PATCH('/v1/area-types/{id}', {
      params: { path: { id: type.id }, header: { 'If-Match': etag(type.version) } },
      body: patch,
    })
    if (response.status === 412) return setConflict(true)
    setErrors({ ...errors, [type.id]: error ? fieldErrors(error) : {} })
    if (!error) types.reload()
  }
  return (
    <>
      <PageHeader title={t('areaTypes.title')}>
        <p className="muted">{t('areaTypes.intro')}</p>
      </PageHeader>
      {conflict && <Conflict onReload={() => (setConflict(false), types.reload())} />}
      {!types.data ? (
        <Spinner />
      ) : (
        <table className="table editable">
          <thead>
            <tr>
              <th scope="col">{t('areaTypes.name')}</th>
              <th scope="col">{t('areaTypes.rate')}</th>
              <th scope="col">{t('areaTypes.perWeek')}</th>
              <th scope="col">{t('areaTypes.correction')}</th>
              <th scope="col">{t('areaTypes.problems')}</th>
            </tr>
          </thead>
          <tbody>
            {types.data.map((type) => (
              <TypeRow key={`${type.id}-${type.version}`} type={type} errors={errors[type.id] ?? {}} onSave={(p) => void save(type, p)} />
            ))}
          </tbody>
        </table>
      )}
      {types.data?.length === 0 && <Empty>{t('areaTypes.none')}</Empty>}
      <NewType onCreated={types.reload} />
    </>
  )
}

function TypeRow({ type, errors, onSave }: { type: AreaType; errors: Record<string, string>; onSave: (p: Partial<Schemas['AreaType']>) => void }) {
  const [values, setValues] = useState({
    name: type.name,
    rate: formatNumber(type.performanceSqmPerHour, 2),
    perWeek: formatNumber(type.cleaningsPerWeek, 2),
    correction: formatNumber(type.correctionFactor ?? 1, 2),
  })
  const labels = {
    name: t('areaTypes.name'),
    rate: t('areaTypes.rate'),
    perWeek: t('areaTypes.perWeek'),
    correction: t('areaTypes.correction'),
  }
  const commit = (key: keyof typeof values, patch: () => Partial<Schemas['AreaType']>) => ({
    value: values[key],
    onChange: (e: { target: { value: string } }) => setValues({ ...values, [key]: e.target.value }),
    onBlur: () => onSave(patch()),
    'aria-label': `${labels[key]}: ${type.name}`,
  })
  return (
    <tr>
      <td>
        <input {...commit('name', () => ({ name: values.name }))} />
      </td>
      <td>
        <input className="narrow" inputMode="decimal" {...commit('rate', () => ({ performanceSqmPerHour: number(values.rate) }))} /> m²/h
      </td>
      <td>
        <input className="narrow" inputMode="decimal" {...commit('perWeek', () => ({ cleaningsPerWeek: number(values.perWeek) }))} />
      </td>
      <td>
        <input className="narrow" inputMode="decimal" {...commit('correction', () => ({ correctionFactor: number(values.correction) }))} />
      </td>
      <td className="field-error">{Object.values(errors).join('; ')}</td>
    </tr>
  )
}

function NewType({ onCreated }: { onCreated: () => void }) {
  const [form, setForm] = useState({ name: '', rate: '', perWeek: '5' })
  const [errors, setErrors] = useState<Record<string, string>>({})
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const { error } = await api.POST('/v1/area-types', {
      body: { name: form.name, performanceSqmPerHour: number(form.rate), cleaningsPerWeek: number(form.perWeek) },
    })
    if (error) return setErrors(fieldErrors(error))
    setErrors({})
    setForm({ name: '', rate: '', perWeek: form.perWeek })
    onCreated()
  }
  return (
    <form onSubmit={(e) => void submit(e)} className="panel row inline-form" aria-labelledby="new-type">
      <h2 id="new-type" className="visually-hidden">{t('areaTypes.add')}</h2>
      <Field label={t('areaTypes.name')} error={errors.name}>
        {(p) => <input {...p} required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />}
      </Field>
      <Field label={t('areaTypes.rate')} error={errors.performanceSqmPerHour}>
        {(p) => <input {...p} required inputMode="decimal" value={form.rate} onChange={(e) => setForm({ ...form, rate: e.target.value })} />}
      </Field>
      <Field label={t('areaTypes.perWeek')} error={errors.cleaningsPerWeek}>
        {(p) => <input {...p} required inputMode="decimal" value={form.perWeek} onChange={(e) => setForm({ ...form, perWeek: e.target.value })} />}
      </Field>
      <button className="button primary">{t('areaTypes.add')}</button>
    </form>
  )
}
