// One site: its rooms (edited in place, imported from a spreadsheet), its cleaning calendars
// and closures with the next occurrences, what the planner will find contradictory, and its
// documents (plans, keys handed over, the cleaners' photos).
import { Board } from '../shared/Board'
import { useState, type FormEvent, type KeyboardEvent } from 'react'
import { api, etag, fieldErrors, problemOf, type Schemas } from '../../api/client'
import { Link } from '../../app/router'
import { formatDate, formatMinutes, formatNumber, formatTime, t } from '../../i18n/i18n'
import { addDays, mondayOf, today, WEEKDAYS } from '../../lib/dates'
import { allPages } from '../../lib/pages'
import { unwrap, useLoad } from '../../lib/useLoad'
import { Conflict, Empty, Field, Notice, PageHeader, Spinner } from '../../ui/kit'
import { ProblemNotice, useProblem } from '../../ui/problem'
import { Documents } from '../shared/Documents'
import { AreaImport } from './AreaImport'

type Area = Schemas['AreaView']
type AreaType = Schemas['AreaTypeView']

export function loadAreaTypes(): Promise<AreaType[]> {
  return allPages((pageToken) =>
    unwrap(api.GET('/v1/area-types', { params: { query: { orderBy: 'name', limit: 200, ...(pageToken ? { pageToken } : {}) } } })),
  )
}

export function loadAreas(siteId: string): Promise<Area[]> {
  return allPages((pageToken) =>
    unwrap(api.GET('/v1/areas', { params: { query: { siteId, orderBy: 'name', limit: 200, ...(pageToken ? { pageToken } : {}) } } })),
  )
}

export function SitePage({ id }: { id: string }) {
  const site = useLoad(() => unwrap(api.GET('/v1/sites/{id}', { params: { path: { id } } })), [id])
  const areas = useLoad(() => loadAreas(id), [id])
  const types = useLoad(loadAreaTypes, [])
  if (site.error) return <Notice kind="error">{problemOf(site.error)?.detail ?? t('common.failed')}</Notice>
  if (!site.data) return <Spinner />
  const s = site.data
  return (
    <>
      <PageHeader title={s.name}>
        <p className="muted">
          <Link href="/sites">{t('nav.sites')}</Link> · {s.address.street}, {s.address.postalCode} {s.address.city} · {s.timeZone}
        </p>
      </PageHeader>
      {s.accessNotes && <Notice>{t('sites.accessNotes')}: {s.accessNotes}</Notice>}
      <section aria-labelledby="rooms">
        <h2 id="rooms">{t('areas.title')}</h2>
        <AreasTable siteId={id} areas={areas.data} types={types.data ?? []} reload={areas.reload} />
      </section>
      <section aria-labelledby="import">
        <h2 id="import">{t('import.title')}</h2>
        <AreaImport siteId={id} onImported={areas.reload} />
      </section>
      <Calendars siteId={id} timeZone={s.timeZone} areas={areas.data ?? []} types={types.data ?? []} />
      <Documents filter={{ siteId: id }} linkedTo={{ kind: 'site', id }} canDelete />
      <Board siteId={id} />
    </>
  )
}

function AreasTable({ siteId, areas, types, reload }: { siteId: string; areas: Area[] | undefined; types: AreaType[]; reload: () => void }) {
  const [conflict, setConflict] = useState(false)
  const [errors, setErrors] = useState<Record<string, Record<string, string>>>({})
  const [saved, setSaved] = useState<string | null>(null)
  if (!areas) return <Spinner />
  const typeName = (id: string) => types.find((x) => x.id === id)?.name ?? id
  const total = areas.reduce((sum, a) => sum + (a.minutesPerWeek ?? 0), 0)
  const save = async (area: Area, patch: Partial<Schemas['Area']>) => {
    const { error, response } = await api.PATCH('/v1/areas/{id}', {
      params: { path: { id: area.id }, header: { 'If-Match': etag(area.version) } },
      body: patch,
    })
    if (response.status === 412) return setConflict(true)
    if (error) return setErrors({ ...errors, [area.id]: fieldErrors(error) })
    setErrors({ ...errors, [area.id]: {} })
    setSaved(area.name)
    reload()
  }
  return (
    <>
      {conflict && (
        <Conflict
          onReload={() => {
            setConflict(false)
            reload()
          }}
        />
      )}
      {saved && <p className="visually-hidden" role="status">{t('areas.saved', { name: saved })}</p>}
      <p className="muted">{t('areas.summary', { count: areas.length, time: formatMinutes(total) })}</p>
      <table className="table editable">
        <thead>
          <tr>
            <th scope="col">{t('areas.name')}</th>
            <th scope="col">{t('areas.floor')}</th>
            <th scope="col">{t('areas.size')}</th>
            <th scope="col">{t('areas.type')}</th>
            <th scope="col">{t('areas.perWeek')}</th>
            <th scope="col" className="number">{t('areas.minutesPerCleaning')}</th>
            <th scope="col" className="number">{t('areas.minutesPerWeek')}</th>
          </tr>
        </thead>
        <tbody>
          {areas.map((area) => (
            <AreaRow key={`${area.id}-${area.version}`} area={area} types={types} typeName={typeName} errors={errors[area.id] ?? {}} onSave={(p) => void save(area, p)} />
          ))}
          <NewAreaRow siteId={siteId} types={types} onCreated={reload} />
        </tbody>
      </table>
      {areas.length === 0 && <Empty>{t('areas.none')}</Empty>}
    </>
  )
}

/** Commits an input's value when it loses focus (Enter leaves it), once, if it changed. */
function commitOn(value: string, original: string, commit: (v: string) => void) {
  return {
    onBlur: () => value !== original && commit(value),
    onKeyDown: (e: KeyboardEvent<HTMLInputElement>) => {
      if (e.key === 'Enter') e.currentTarget.blur()
    },
  }
}

function parseNumber(raw: string): number {
  return Number(raw.trim().replace(/\s/g, '').replace(',', '.'))
}

function AreaRow({ area, types, errors, onSave }: { area: Area; types: AreaType[]; typeName: (id: string) => string; errors: Record<string, string>; onSave: (patch: Partial<Schemas['Area']>) => void }) {
  const [name, setName] = useState(area.name)
  const [floor, setFloor] = useState(String(area.floor))
  const [size, setSize] = useState(formatNumber(area.sizeSqm, 2))
  const [perWeek, setPerWeek] = useState(area.cleaningsPerWeek != null ? formatNumber(area.cleaningsPerWeek, 2) : '')
  const label = (what: string) => `${what}: ${area.name}`
  return (
    <tr className={Object.keys(errors).length ? 'invalid' : undefined}>
      <td>
        <input aria-label={label(t('areas.name'))} value={name} onChange={(e) => setName(e.target.value)} {...commitOn(name, area.name, (v) => onSave({ name: v }))} aria-invalid={!!errors.name} title={errors.name} />
      </td>
      <td>
        <input aria-label={label(t('areas.floor'))} className="narrow" inputMode="numeric" value={floor} onChange={(e) => setFloor(e.target.value)} {...commitOn(floor, String(area.floor), (v) => onSave({ floor: Number(v) }))} aria-invalid={!!errors.floor} title={errors.floor} />
      </td>
      <td>
        <input aria-label={label(t('areas.size'))} className="narrow" inputMode="decimal" value={size} onChange={(e) => setSize(e.target.value)} {...commitOn(size, formatNumber(area.sizeSqm, 2), (v) => onSave({ sizeSqm: parseNumber(v) }))} aria-invalid={!!errors.sizeSqm} title={errors.sizeSqm} />
      </td>
      <td>
        <select aria-label={label(t('areas.type'))} value={area.areaTypeId} onChange={(e) => onSave({ areaTypeId: e.target.value })}>
          {types.map((type) => (
            <option key={type.id} value={type.id}>
              {type.name}
            </option>
          ))}
        </select>
      </td>
      <td>
        <input aria-label={label(t('areas.perWeek'))} className="narrow" inputMode="decimal" placeholder={formatNumber(area.effectiveCleaningsPerWeek ?? 0, 2)} value={perWeek} onChange={(e) => setPerWeek(e.target.value)} {...commitOn(perWeek, area.cleaningsPerWeek != null ? formatNumber(area.cleaningsPerWeek, 2) : '', (v) => onSave({ cleaningsPerWeek: v.trim() ? parseNumber(v) : null }))} aria-invalid={!!errors.cleaningsPerWeek} title={errors.cleaningsPerWeek} />
      </td>
      <td className="number">{formatNumber(area.minutesPerCleaning ?? 0, 1)}</td>
      <td className="number">{formatNumber(area.minutesPerWeek ?? 0, 1)}</td>
    </tr>
  )
}

function NewAreaRow({ siteId, types, onCreated }: { siteId: string; types: AreaType[]; onCreated: () => void }) {
  const [form, setForm] = useState({ name: '', floor: '0', size: '', type: '' })
  const [errors, setErrors] = useState<Record<string, string>>({})
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const { error } = await api.POST('/v1/areas', {
      body: { siteId, name: form.name, floor: Number(form.floor), sizeSqm: parseNumber(form.size), areaTypeId: form.type || types[0]?.id || '' },
    })
    if (error) return setErrors(fieldErrors(error))
    setErrors({})
    setForm({ name: '', floor: form.floor, size: '', type: form.type })
    onCreated()
  }
  const problems = Object.values(errors)
  return (
    <tr className="new-row">
      <td>
        <form id="new-area" onSubmit={(e) => void submit(e)} />
        <input form="new-area" aria-label={t('areas.newName')} placeholder={t('areas.newName')} required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} aria-invalid={!!errors.name} />
      </td>
      <td>
        <input form="new-area" aria-label={t('areas.floor')} className="narrow" inputMode="numeric" value={form.floor} onChange={(e) => setForm({ ...form, floor: e.target.value })} />
      </td>
      <td>
        <input form="new-area" aria-label={t('areas.size')} className="narrow" inputMode="decimal" required value={form.size} onChange={(e) => setForm({ ...form, size: e.target.value })} aria-invalid={!!errors.sizeSqm} />
      </td>
      <td>
        <select form="new-area" aria-label={t('areas.type')} value={form.type} onChange={(e) => setForm({ ...form, type: e.target.value })}>
          {types.map((type) => (
            <option key={type.id} value={type.id}>
              {type.name}
            </option>
          ))}
        </select>
      </td>
      <td colSpan={3}>
        <button form="new-area" className="button">
          {t('areas.add')}
        </button>
        {problems.length > 0 && <span className="field-error" role="alert"> {problems.join('; ')}</span>}
        {types.length === 0 && <span className="hint"> {t('areas.needTypes')} <Link href="/area-types">{t('nav.areaTypes')}</Link></span>}
      </td>
    </tr>
  )
}

type Calendar = Schemas['CalendarView']

function Calendars({ siteId, timeZone, areas, types }: { siteId: string; timeZone: string; areas: Area[]; types: AreaType[] }) {
  const from = today(timeZone)
  const calendars = useLoad(() => unwrap(api.GET('/v1/calendars', { params: { query: { siteId, limit: 200 } } })), [siteId])
  const closures = useLoad(() => unwrap(api.GET('/v1/closures', { params: { query: { siteId, limit: 200 } } })), [siteId])
  const occurrences = useLoad(
    () => unwrap(api.GET('/v1/calendars/occurrences', { params: { query: { siteId, from, to: addDays(from, 13) } } })),
    [siteId, from, calendars.data, closures.data],
  )
  const weekStart = addDays(mondayOf(from), 7)
  const preflight = useLoad(() => unwrap(api.GET('/v1/plans/preflight', { params: { query: { weekStart } } })), [weekStart, calendars.data, closures.data])
  const [written, setWritten] = useState<Schemas['Contradiction'][]>([])
  const warnings = (preflight.data?.contradictions ?? []).filter((c) => c.siteId === siteId)
  const calendarName = (id: string) => calendars.data?.items.find((c) => c.id === id)?.name ?? ''
  return (
    <>
      <section aria-labelledby="calendars">
        <h2 id="calendars">{t('calendars.title')}</h2>
        {calendars.data?.items.length === 0 && <Empty>{t('calendars.none')}</Empty>}
        <ul className="cards">
          {calendars.data?.items.map((c) => <CalendarCard key={c.id} calendar={c} areas={areas} types={types} />)}
        </ul>
        <CalendarForm
          siteId={siteId}
          areas={areas}
          types={types}
          onSaved={(contradictions) => {
            setWritten(contradictions)
            calendars.reload()
          }}
        />
        {written.length > 0 && (
          <Notice kind="warning">
            <strong>{t('calendars.contradictions')}</strong>
            <ul>
              {written.map((c, i) => (
                <li key={i}>{c.message}</li>
              ))}
            </ul>
          </Notice>
        )}
      </section>
      <section aria-labelledby="next">
        <h2 id="next">{t('calendars.next')}</h2>
        {occurrences.data ? (
          occurrences.data.occurrences.length === 0 ? (
            <Empty>{t('calendars.noOccurrences')}</Empty>
          ) : (
            <ul className="occurrences">
              {occurrences.data.occurrences.slice(0, 12).map((o, i) => (
                <li key={i}>
                  <span className="date">{formatDate(o.date)}</span>
                  <span>
                    {formatTime(o.start, timeZone)}–{formatTime(o.end, timeZone)}
                  </span>
                  <span className="muted">{o.calendarName ?? calendarName(o.calendarId)}</span>
                </li>
              ))}
              {occurrences.data.closed.map((c, i) => (
                <li key={`closed-${i}`} className="closed">
                  <span className="date">{formatDate(c.date)}</span>
                  <span>{t('calendars.closed')}</span>
                  <span className="muted">{c.reason}</span>
                </li>
              ))}
            </ul>
          )
        ) : (
          <Spinner />
        )}
      </section>
      <section aria-labelledby="closures">
        <h2 id="closures">{t('closures.title')}</h2>
        <ul className="plain">
          {closures.data?.items.map((c) => (
            <li key={c.id}>
              {formatDate(c.from)} – {formatDate(c.to)}: {c.reason}
            </li>
          ))}
        </ul>
        <ClosureForm siteId={siteId} onSaved={closures.reload} />
      </section>
      <section aria-labelledby="preflight">
        <h2 id="preflight">{t('preflight.title', { date: formatDate(weekStart) })}</h2>
        {preflight.data && warnings.length === 0 && <Notice kind="success">{t('preflight.clean')}</Notice>}
        {warnings.length > 0 && <Contradictions found={warnings} />}
      </section>
    </>
  )
}

/** A week's contradictions by kind: how many, and each one when opened. */
function Contradictions({ found }: { found: Schemas['Contradiction'][] }) {
  const kinds = [...new Set(found.map((c) => c.code))]
  return (
    <div className="contradictions">
      {kinds.map((code) => {
        const these = found.filter((c) => c.code === code)
        return (
          <details key={code} open={these.length <= 3}>
            <summary>
              <span className="badge warning">{t(`contradiction.${code}`)}</span> {t('preflight.count', { count: these.length })}
            </summary>
            <ul className="warnings">
              {these.map((c, i) => (
                <li key={i}>
                  {c.areaName && <strong>{c.areaName}: </strong>}
                  {c.message}
                </li>
              ))}
            </ul>
          </details>
        )
      })}
    </div>
  )
}

function CalendarCard({ calendar, areas, types }: { calendar: Calendar; areas: Area[]; types: AreaType[] }) {
  const scope = calendar.areaId
    ? areas.find((a) => a.id === calendar.areaId)?.name
    : calendar.areaTypeId
      ? types.find((x) => x.id === calendar.areaTypeId)?.name
      : t('calendars.wholeSite')
  return (
    <li className="card">
      <h3>{calendar.name}</h3>
      <p>
        {describeRule(calendar.rrule)} · {calendar.window.earliest}–{calendar.window.latest}
      </p>
      <p className="muted">
        {scope} · {t('calendars.from', { date: formatDate(calendar.startDate) })}
      </p>
      {calendar.frequency && (
        <p className={calendar.frequency.matches ? 'ok' : 'warning-text'}>
          {t('calendars.frequency', { scheduled: formatNumber(calendar.frequency.scheduledPerWeek, 1), agreed: calendar.frequency.agreedPerWeek.map((n) => formatNumber(n, 1)).join(', ') || '–' })}
        </p>
      )}
      {calendar.warnings.map((w, i) => (
        <p key={i} className="warning-text">
          {w}
        </p>
      ))}
    </li>
  )
}

/** `FREQ=WEEKLY;BYDAY=MO,TU` in words. */
function describeRule(rule: string): string {
  const byday = /BYDAY=([A-Z,]+)/.exec(rule)?.[1]
  if (rule.includes('FREQ=DAILY')) return t('calendars.daily')
  if (!byday) return rule
  const names: Record<string, string> = { MO: 'mon', TU: 'tue', WE: 'wed', TH: 'thu', FR: 'fri', SA: 'sat', SU: 'sun' }
  return byday
    .split(',')
    .map((d) => weekdayShort(names[d] ?? 'mon'))
    .join(', ')
}

export function weekdayShort(day: string): string {
  const index = WEEKDAYS.indexOf(day as (typeof WEEKDAYS)[number])
  // 2024-01-01 was a Monday.
  return formatDate(addDays('2024-01-01', Math.max(0, index))).split(',')[0] ?? day
}

const RRULE_DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU']

function CalendarForm({ siteId, areas, types, onSaved }: { siteId: string; areas: Area[]; types: AreaType[]; onSaved: (c: Schemas['Contradiction'][]) => void }) {
  const [name, setName] = useState('')
  const [days, setDays] = useState([true, true, true, true, true, false, false])
  const [startDate, setStartDate] = useState(today())
  const [earliest, setEarliest] = useState('06:00')
  const [latest, setLatest] = useState('09:00')
  const [scope, setScope] = useState('site')
  const problem = useProblem()
  const errors = problem.errors
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const byday = RRULE_DAYS.filter((_, i) => days[i]).join(',')
    const [kind, id] = scope.split(':')
    const { data, error } = await api.POST('/v1/calendars', {
      body: {
        siteId,
        name,
        rrule: `FREQ=WEEKLY;BYDAY=${byday}`,
        startDate,
        window: { earliest, latest },
        ...(kind === 'area' ? { areaId: id } : kind === 'type' ? { areaTypeId: id } : {}),
      },
    })
    if (error) return problem.fail(error)
    problem.clear()
    setName('')
    onSaved(data.contradictions ?? [])
  }
  return (
    <form onSubmit={(e) => void submit(e)} className="panel form-grid" aria-labelledby="new-calendar">
      <h3 id="new-calendar">{t('calendars.add')}</h3>
      <ProblemNotice problem={problem} />
      <Field label={t('calendars.name')} error={errors.name}>
        {(p) => <input {...p} required placeholder={t('calendars.namePlaceholder')} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <fieldset className="weekdays">
        <legend>{t('calendars.days')}</legend>
        {WEEKDAYS.map((d, i) => (
          <label key={d} className="check">
            <input type="checkbox" checked={days[i]} onChange={(e) => setDays(days.map((v, j) => (j === i ? e.target.checked : v)))} />
            {weekdayShort(d)}
          </label>
        ))}
        {errors.rrule && <p className="field-error">{errors.rrule}</p>}
      </fieldset>
      <div className="row">
        <Field label={t('calendars.startDate')} error={errors.startDate}>
          {(p) => <input {...p} type="date" required value={startDate} onChange={(e) => setStartDate(e.target.value)} />}
        </Field>
        <Field label={t('calendars.earliest')} error={errors['window.earliest']}>
          {(p) => <input {...p} type="time" required value={earliest} onChange={(e) => setEarliest(e.target.value)} />}
        </Field>
        <Field label={t('calendars.latest')} error={errors['window.latest'] ?? errors.window}>
          {(p) => <input {...p} type="time" required value={latest} onChange={(e) => setLatest(e.target.value)} />}
        </Field>
      </div>
      <Field label={t('calendars.appliesTo')} error={errors.areaId ?? errors.areaTypeId}>
        {(p) => (
          <select {...p} value={scope} onChange={(e) => setScope(e.target.value)}>
            <option value="site">{t('calendars.wholeSite')}</option>
            <optgroup label={t('areas.type')}>
              {types.map((x) => (
                <option key={x.id} value={`type:${x.id}`}>
                  {x.name}
                </option>
              ))}
            </optgroup>
            <optgroup label={t('areas.title')}>
              {areas.map((a) => (
                <option key={a.id} value={`area:${a.id}`}>
                  {a.name}
                </option>
              ))}
            </optgroup>
          </select>
        )}
      </Field>
      <div className="form-actions">
        <button className="button primary">{t('calendars.save')}</button>
      </div>
    </form>
  )
}

function ClosureForm({ siteId, onSaved }: { siteId: string; onSaved: () => void }) {
  const [from, setFrom] = useState('')
  const [to, setTo] = useState('')
  const [reason, setReason] = useState('')
  const [errors, setErrors] = useState<Record<string, string>>({})
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const { error } = await api.POST('/v1/closures', { body: { siteId, from, to: to || from, reason } })
    if (error) return setErrors(fieldErrors(error))
    setErrors({})
    setFrom('')
    setTo('')
    setReason('')
    onSaved()
  }
  return (
    <form onSubmit={(e) => void submit(e)} className="row inline-form">
      <Field label={t('closures.from')} error={errors.from}>
        {(p) => <input {...p} type="date" required value={from} onChange={(e) => setFrom(e.target.value)} />}
      </Field>
      <Field label={t('closures.to')} error={errors.to}>
        {(p) => <input {...p} type="date" value={to} onChange={(e) => setTo(e.target.value)} />}
      </Field>
      <Field label={t('closures.reason')} error={errors.reason}>
        {(p) => <input {...p} required value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      <button className="button">{t('closures.add')}</button>
    </form>
  )
}
