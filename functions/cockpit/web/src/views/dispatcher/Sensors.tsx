// Sensors and demand-based cleaning: each room's use since its last cleaning against its
// limit (with the limit the last 21 days suggest, to accept), the site's sensors and their
// health, and what sensors saved in a month.
import { useState, type FormEvent } from 'react'
import { api, etag, type Schemas } from '../../api/client'
import { formatDateTime, formatNumber, t } from '../../i18n/i18n'
import type { MessageKey } from '../../i18n/de'
import { monthOf, today } from '../../lib/dates'
import { allPages } from '../../lib/pages'
import { unwrap, useLoad } from '../../lib/useLoad'
import { Conflict, Empty, Field, PageHeader, Spinner } from '../../ui/kit'
import { ProblemNotice, useProblem } from '../../ui/problem'
import { MonthStepper, SiteSelect } from '../shared/Pickers'
import { Savings } from '../shared/Savings'
import { loadAreas } from './SitePage'
import { loadSites } from './Sites'

type Area = Schemas['AreaView']
type Demand = Schemas['AreaDemandView']
type Sensor = Schemas['SensorView']
type Kind = Schemas['SensorKind']
type Format = Schemas['SensorFormat']

const KINDS: Record<Kind, MessageKey> = {
  'people-counter': 'sensors.kind.peopleCounter',
  'door-counter': 'sensors.kind.doorCounter',
  presence: 'sensors.kind.presence',
  'desk-occupancy': 'sensors.kind.deskOccupancy',
  'fill-level': 'sensors.kind.fillLevel',
  'feedback-button': 'sensors.kind.feedbackButton',
  'air-quality': 'sensors.kind.airQuality',
}

const FORMATS: Record<Format, string> = {
  generic: 'cleanops JSON',
  ttn: 'The Things Network',
  dt: 'Disruptive Technologies',
  milesight: 'Milesight',
}

const TRIGGERS: Record<Schemas['DemandTrigger'], MessageKey> = {
  limit: 'sensors.trigger.limit',
  fallback: 'sensors.trigger.fallback',
  level: 'sensors.trigger.level',
  button: 'sensors.trigger.button',
}

export function triggerLabel(trigger: Schemas['DemandTrigger']): string {
  return t(TRIGGERS[trigger])
}

function loadSensors(siteId: string): Promise<Sensor[]> {
  return allPages((pageToken) =>
    unwrap(api.GET('/v1/sensors', { params: { query: { siteId, limit: 200, ...(pageToken ? { pageToken } : {}) } } })),
  )
}

function loadDemand(siteId: string): Promise<Demand[]> {
  return allPages((pageToken) =>
    unwrap(api.GET('/v1/area-demand', { params: { query: { siteId, limit: 200, ...(pageToken ? { pageToken } : {}) } } })),
  )
}

export function Sensors() {
  const sites = useLoad(loadSites, [])
  const [siteId, setSiteId] = useState('')
  const [month, setMonth] = useState(monthOf(today()))
  const site = siteId || sites.data?.[0]?.id || ''
  return (
    <>
      <PageHeader title={t('sensors.title')}>
        <p className="muted">{t('sensors.intro')}</p>
      </PageHeader>
      <div className="toolbar">
        <SiteSelect sites={sites.data ?? []} value={site} onChange={setSiteId} />
      </div>
      {sites.data?.length === 0 ? <Empty>{t('sites.none')}</Empty> : site ? <SiteSensors key={site} siteId={site} /> : <Spinner />}
      {site && (
        <>
          <div className="toolbar">
            <MonthStepper month={month} onChange={setMonth} last={monthOf(today())} />
          </div>
          <Savings siteId={site} month={month} />
        </>
      )}
    </>
  )
}

function SiteSensors({ siteId }: { siteId: string }) {
  const areas = useLoad(() => loadAreas(siteId), [siteId])
  const demand = useLoad(() => loadDemand(siteId), [siteId])
  const sensors = useLoad(() => loadSensors(siteId), [siteId])
  if (!areas.data || !demand.data || !sensors.data) return <Spinner />
  const byId = new Map(areas.data.map((a) => [a.id, a]))
  return (
    <>
      <DemandTable demand={demand.data} areas={byId} onChanged={() => (areas.reload(), demand.reload())} />
      <SensorTable sensors={sensors.data} areas={byId} />
      <NewSensor areas={areas.data} onCreated={sensors.reload} />
    </>
  )
}

function DemandTable({ demand, areas, onChanged }: { demand: Demand[]; areas: Map<string, Area>; onChanged: () => void }) {
  const [conflict, setConflict] = useState(false)
  const accept = async (row: Demand, limit: number) => {
    const area = areas.get(row.id)
    if (!area || !row.rule) return
    const { response } = await api.PATCH('/v1/areas/{id}', {
      params: { path: { id: area.id }, header: { 'If-Match': etag(area.version) } },
      body: { demand: { ...row.rule, limit } },
    })
    if (response.status === 412) return setConflict(true)
    onChanged()
  }
  return (
    <section className="panel" aria-labelledby="demand-title">
      <h2 id="demand-title">{t('sensors.demandTitle')}</h2>
      {conflict && <Conflict onReload={() => (setConflict(false), onChanged())} />}
      {demand.length === 0 ? (
        <Empty>{t('sensors.noDemand')}</Empty>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('proof.room')}</th>
              <th scope="col">{t('sensors.mode')}</th>
              <th scope="col">{t('sensors.use')}</th>
              <th scope="col">{t('sensors.state')}</th>
              <th scope="col">{t('sensors.suggestion')}</th>
            </tr>
          </thead>
          <tbody>
            {demand.map((row) => {
              const area = areas.get(row.id)
              const limit = row.rule?.limit
              const share = limit ? Math.min(1, row.events / limit) : 0
              return (
                <tr key={row.id}>
                  <th scope="row">{area?.name ?? row.id}</th>
                  <td>{row.rule ? t(`sensors.mode.${row.rule.mode}` as MessageKey) : '–'}</td>
                  <td>
                    <div className={`load${share >= 1 ? ' over' : ''}`}>
                      <div
                        className="load-track"
                        role="meter"
                        aria-label={`${t('sensors.use')}: ${area?.name ?? row.id}`}
                        aria-valuemin={0}
                        aria-valuemax={limit ?? 0}
                        aria-valuenow={row.events}
                      >
                        <div className="load-bar" style={{ width: `${share * 100}%` }} />
                      </div>
                    </div>
                    <span className="small">
                      {limit ? t('sensors.events', { events: row.events, limit }) : t('sensors.eventsNoLimit', { events: row.events })}
                    </span>
                  </td>
                  <td>
                    {row.open ? (
                      <span className="badge warning">{t('sensors.due')}</span>
                    ) : row.fallbackDueAt ? (
                      <span className="small muted">{t('sensors.fallbackAt', { time: formatDateTime(row.fallbackDueAt) })}</span>
                    ) : (
                      <span className="small muted">{t('sensors.notDue')}</span>
                    )}
                  </td>
                  <td>
                    {row.suggestion ? (
                      <>
                        <span className="small">
                          {t('sensors.suggested', {
                            limit: row.suggestion.limit,
                            average: formatNumber(row.suggestion.dailyAverage, 1),
                            days: row.suggestion.days,
                          })}
                        </span>{' '}
                        {row.suggestion.limit !== limit && (
                          <button
                            type="button"
                            className="button small"
                            onClick={() => row.suggestion && void accept(row, row.suggestion.limit)}
                            aria-label={`${t('sensors.accept')}: ${area?.name ?? row.id}`}
                          >
                            {t('sensors.accept')}
                          </button>
                        )}
                      </>
                    ) : (
                      <span className="small muted">{t('sensors.noSuggestion')}</span>
                    )}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      )}
    </section>
  )
}

function SensorTable({ sensors, areas }: { sensors: Sensor[]; areas: Map<string, Area> }) {
  return (
    <section className="panel" aria-labelledby="sensors-title">
      <h2 id="sensors-title">{t('sensors.listTitle')}</h2>
      {sensors.length === 0 ? (
        <Empty>{t('sensors.none')}</Empty>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('sensors.name')}</th>
              <th scope="col">{t('sensors.kind')}</th>
              <th scope="col">{t('proof.room')}</th>
              <th scope="col">{t('sensors.device')}</th>
              <th scope="col" className="number">{t('sensors.battery')}</th>
              <th scope="col">{t('sensors.lastSeen')}</th>
            </tr>
          </thead>
          <tbody>
            {sensors.map((s) => (
              <tr key={s.id} className={s.silent ? 'short' : undefined}>
                <th scope="row">{s.name}</th>
                <td>{t(KINDS[s.kind])}</td>
                <td>{areas.get(s.areaId)?.name ?? s.areaId}</td>
                <td className="small">
                  {FORMATS[s.format]} · <code>{s.deviceId}</code>
                </td>
                <td className="number">{s.batteryPercent == null ? '–' : `${formatNumber(s.batteryPercent)} %`}</td>
                <td>
                  {s.silent ? (
                    <span className="badge danger">
                      {s.lastSeenAt ? t('sensors.silentSince', { time: formatDateTime(s.lastSeenAt) }) : t('sensors.neverSeen')}
                    </span>
                  ) : s.lastSeenAt ? (
                    formatDateTime(s.lastSeenAt)
                  ) : (
                    <span className="muted">{t('sensors.waiting')}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

function NewSensor({ areas, onCreated }: { areas: Area[]; onCreated: () => void }) {
  const empty = { name: '', kind: 'people-counter' as Kind, format: 'ttn' as Format, deviceId: '', areaId: areas[0]?.id ?? '' }
  const [form, setForm] = useState(empty)
  const problem = useProblem()
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const { error } = await api.POST('/v1/sensors', { body: form })
    if (error) return problem.fail(error)
    problem.clear()
    setForm({ ...empty, kind: form.kind, format: form.format, areaId: form.areaId })
    onCreated()
  }
  return (
    <form onSubmit={(e) => void submit(e)} className="panel" aria-labelledby="new-sensor">
      <h2 id="new-sensor">{t('sensors.add')}</h2>
      <ProblemNotice problem={problem} />
      <div className="row inline-form">
        <Field label={t('sensors.name')} error={problem.errors.name}>
          {(p) => <input {...p} required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />}
        </Field>
        <Field label={t('sensors.kind')} error={problem.errors.kind}>
          {(p) => (
            <select {...p} value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value as Kind })}>
              {(Object.keys(KINDS) as Kind[]).map((k) => (
                <option key={k} value={k}>
                  {t(KINDS[k])}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('sensors.format')} error={problem.errors.format}>
          {(p) => (
            <select {...p} value={form.format} onChange={(e) => setForm({ ...form, format: e.target.value as Format })}>
              {(Object.keys(FORMATS) as Format[]).map((f) => (
                <option key={f} value={f}>
                  {FORMATS[f]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('sensors.device')} error={problem.errors.deviceId}>
          {(p) => <input {...p} required value={form.deviceId} onChange={(e) => setForm({ ...form, deviceId: e.target.value })} />}
        </Field>
        <Field label={t('proof.room')} error={problem.errors.areaId}>
          {(p) => (
            <select {...p} required value={form.areaId} onChange={(e) => setForm({ ...form, areaId: e.target.value })}>
              {areas.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button className="button primary">{t('sensors.add')}</button>
      </div>
      <p className="hint">{t('sensors.deviceHint')}</p>
    </form>
  )
}
