// The cleaners the planner gives work: where they start from, when they work, how much a
// day. A new one can be invited at once; her login is her cleaner record.
import { useState, type FormEvent } from 'react'
import { api, type Schemas } from '../../api/client'
import { formatMinutes, t } from '../../i18n/i18n'
import { WEEKDAYS } from '../../lib/dates'
import { allPages } from '../../lib/pages'
import { unwrap, useLoad } from '../../lib/useLoad'
import { Dialog, Empty, Field, Notice, PageHeader, Spinner } from '../../ui/kit'
import { ProblemNotice, useProblem } from '../../ui/problem'
import { weekdayShort } from './SitePage'

export type Cleaner = Schemas['CleanerView']

export function loadCleaners(): Promise<Cleaner[]> {
  return allPages((pageToken) =>
    unwrap(api.GET('/v1/cleaners', { params: { query: { orderBy: 'name', limit: 200, ...(pageToken ? { pageToken } : {}) } } })),
  )
}

/** Shifts in few words: the days of each time of day, `Mo., Di., Mi. 06:00–14:00`. */
function describeShifts(shifts: Schemas['AccessWindow'][]): string {
  const byTime = new Map<string, string[]>()
  for (const s of shifts) byTime.set(`${s.from}–${s.to}`, [...(byTime.get(`${s.from}–${s.to}`) ?? []), weekdayShort(s.day)])
  return [...byTime].map(([time, days]) => `${days.join(', ')} ${time}`).join('; ')
}

export function Cleaners() {
  const cleaners = useLoad(loadCleaners, [])
  const [adding, setAdding] = useState(false)
  const [invited, setInvited] = useState<string | null>(null)
  return (
    <>
      <PageHeader
        title={t('cleaners.title')}
        actions={
          <button type="button" className="button primary" onClick={() => setAdding(true)}>
            {t('cleaners.add')}
          </button>
        }
      />
      {invited && (
        <Notice kind="success">
          {t('cleaners.invited')} <code className="link-text">{invited}</code>
        </Notice>
      )}
      {!cleaners.data ? (
        <Spinner />
      ) : cleaners.data.length === 0 ? (
        <Empty>{t('cleaners.none')}</Empty>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('cleaners.name')}</th>
              <th scope="col">{t('cleaners.shifts')}</th>
              <th scope="col">{t('cleaners.max')}</th>
              <th scope="col">{t('cleaners.skills')}</th>
            </tr>
          </thead>
          <tbody>
            {cleaners.data.map((c) => (
              <tr key={c.id}>
                <td>{c.name}</td>
                <td>{describeShifts(c.shifts)}</td>
                <td>{formatMinutes(c.maxMinutesPerDay)}</td>
                <td>{(c.skills ?? []).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Dialog title={t('cleaners.add')} open={adding} onClose={() => setAdding(false)}>
        <CleanerForm
          onSaved={(link) => {
            setAdding(false)
            setInvited(link)
            cleaners.reload()
          }}
        />
      </Dialog>
    </>
  )
}

function CleanerForm({ onSaved }: { onSaved: (inviteLink: string | null) => void }) {
  const [form, setForm] = useState({ name: '', email: '', lat: '', lng: '', from: '06:00', to: '14:00', max: '480', skills: '' })
  const [days, setDays] = useState([true, true, true, true, true, false, false])
  const problem = useProblem()
  const errors = problem.errors
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value })
  const number = (raw: string) => Number(raw.replace(',', '.'))
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const userId = crypto.randomUUID()
    const { error } = await api.POST('/v1/cleaners', {
      body: {
        userId,
        name: form.name,
        home: { lat: number(form.lat), lng: number(form.lng) },
        shifts: WEEKDAYS.filter((_, i) => days[i]).map((day) => ({ day, from: form.from, to: form.to })),
        maxMinutesPerDay: number(form.max),
        skills: form.skills.split(',').map((s) => s.trim()).filter(Boolean),
      },
    })
    if (error) return problem.fail(error)
    if (!form.email) return onSaved(null)
    const invitation = await api.POST('/v1/invitations', {
      body: { email: form.email, name: form.name, role: 'cleaner', language: 'de', cleanerId: userId },
    })
    if (invitation.error) return problem.fail(invitation.error)
    onSaved(invitation.data.acceptUrl)
  }
  return (
    <form onSubmit={(e) => void submit(e)} className="form-grid">
      <ProblemNotice problem={problem} />
      <Field label={t('cleaners.name')} error={errors.name}>
        {(p) => <input {...p} required value={form.name} onChange={set('name')} />}
      </Field>
      <Field label={t('cleaners.email')} error={errors.email} hint={t('cleaners.emailHint')}>
        {(p) => <input {...p} type="email" value={form.email} onChange={set('email')} />}
      </Field>
      <div className="row">
        <Field label={t('cleaners.homeLat')} error={errors['home.lat']} hint={t('sites.coordinatesHint')}>
          {(p) => <input {...p} required inputMode="decimal" value={form.lat} onChange={set('lat')} />}
        </Field>
        <Field label={t('cleaners.homeLng')} error={errors['home.lng']}>
          {(p) => <input {...p} required inputMode="decimal" value={form.lng} onChange={set('lng')} />}
        </Field>
      </div>
      <fieldset className="weekdays">
        <legend>{t('cleaners.workdays')}</legend>
        {WEEKDAYS.map((d, i) => (
          <label key={d} className="check">
            <input type="checkbox" checked={days[i]} onChange={(e) => setDays(days.map((v, j) => (j === i ? e.target.checked : v)))} />
            {weekdayShort(d)}
          </label>
        ))}
      </fieldset>
      <div className="row">
        <Field label={t('cleaners.from')} error={errors['shifts[0].from']}>
          {(p) => <input {...p} type="time" required value={form.from} onChange={set('from')} />}
        </Field>
        <Field label={t('cleaners.to')} error={errors['shifts[0].to']}>
          {(p) => <input {...p} type="time" required value={form.to} onChange={set('to')} />}
        </Field>
        <Field label={t('cleaners.maxMinutes')} error={errors.maxMinutesPerDay}>
          {(p) => <input {...p} required inputMode="numeric" value={form.max} onChange={set('max')} />}
        </Field>
      </div>
      <Field label={t('cleaners.skills')} error={errors.skills} hint={t('cleaners.skillsHint')}>
        {(p) => <input {...p} value={form.skills} onChange={set('skills')} />}
      </Field>
      <div className="form-actions">
        <button className="button primary">{t('common.save')}</button>
      </div>
    </form>
  )
}
