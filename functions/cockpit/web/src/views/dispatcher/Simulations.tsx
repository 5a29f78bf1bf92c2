// Simulations: how likely a plan is to hold. A plan shows its quick simulation beside its
// figures (PlanRisk); a full one runs on the simulation worker with its progress, then shows
// each cleaner's day with its risk, the riskiest visits with why, each site's service level,
// and what the model assumed. A what-if (a cleaner off, slower rooms, a new site, another
// plan) shows both sides and the difference.
import { useEffect, useState, type FormEvent } from 'react'
import { api, problemOf, type Schemas } from '../../api/client'
import { Link, navigate } from '../../app/router'
import { formatDate, formatDateTime, formatMinutes, formatNumber, t } from '../../i18n/i18n'
import { unwrap, useLoad } from '../../lib/useLoad'
import { Empty, Field, Notice, PageHeader, Progress, Spinner } from '../../ui/kit'
import { loadCleaners } from './Cleaners'
import { loadSites } from './Sites'
import { CleanerDays } from '../shared/CleanerDays'

type Estimate = Schemas['Estimate']
type Result = Schemas['SimulationResult']
type DayRisk = Schemas['DayRisk']
type VisitRisk = Schemas['VisitRisk']
type Simulation = Schemas['SimulationView']

/** A share as a percentage, rounded. */
function percent(value: number): string {
  return `${formatNumber(value * 100)} %`
}

/** An estimate with its 95 % interval: "87 % (84–90 %)". */
export function EstimateText({ value, minutes }: { value: Estimate; minutes?: boolean }) {
  const show = (v: number) => (minutes ? formatMinutes(Math.round(v)) : formatNumber(v * 100))
  return (
    <span title={t('simulation.interval')}>
      {minutes ? show(value.value) : percent(value.value)}{' '}
      <span className="muted small">
        ({show(Math.max(0, value.low))}–{show(value.high)}
        {minutes ? '' : ' %'})
      </span>
    </span>
  )
}

/** A change with its interval, signed; `worseWhenUp`: a rise is bad (overtime), else good. */
function ChangeText({ value, worseWhenUp, minutes }: { value?: Estimate | null; worseWhenUp: boolean; minutes?: boolean }) {
  if (!value) return <span className="muted">–</span>
  const show = (v: number) => (minutes ? formatMinutes(Math.round(Math.abs(v))) : `${formatNumber(Math.abs(v) * 100)} pt`)
  const sign = (v: number) => (v > 0 ? '+' : v < 0 ? '−' : '±')
  // Only a change whose interval leaves out zero is called better or worse.
  const clear = value.low > 0 || value.high < 0
  const up = value.value > 0
  const kind = !clear ? '' : up === worseWhenUp ? 'worse' : 'better'
  return (
    <span className={kind}>
      {sign(value.value)}
      {show(value.value)}{' '}
      <span className="muted small">
        ({sign(value.low)}
        {show(value.low)} … {sign(value.high)}
        {show(value.high)})
      </span>
    </span>
  )
}

/** How risky a chance of overtime is, for its colour. */
function dayLevel(overtime: number): 'low' | 'medium' | 'high' {
  return overtime > 0.5 ? 'high' : overtime > 0.2 ? 'medium' : 'low'
}

function reasons(visit: VisitRisk): string {
  return visit.reasons.map((r) => t(`simulation.reason.${r}`)).join(', ')
}

function dayReasons(day: DayRisk): string {
  return day.reasons.map((r) => t(`simulation.dayReason.${r}`)).join(', ')
}

/** The quick simulation a plan carries, beside its figures. */
export function PlanRiskPanel({ plan }: { plan: Schemas['PlanView'] }) {
  const risk = plan.risk
  if (!risk) return null
  return (
    <section aria-labelledby="risk" className="panel">
      <h2 id="risk">{t('simulation.quickTitle', { count: formatNumber(risk.replications) })}</h2>
      <dl className="figures">
        <div>
          <dt>{t('simulation.serviceLevel')}</dt>
          <dd>
            <EstimateText value={risk.serviceLevel} />
          </dd>
        </div>
        <div>
          <dt>{t('simulation.visitsAtRisk')}</dt>
          <dd>{risk.visitsAtRisk}</dd>
        </div>
        <div>
          <dt>{t('simulation.daysAtRisk')}</dt>
          <dd>{risk.daysAtRisk}</dd>
        </div>
      </dl>
      {risk.riskiestDays.length > 0 && (
        <>
          <h3>{t('simulation.riskiestDays')}</h3>
          <ul className="plain">
            {risk.riskiestDays.map((d) => (
              <li key={`${d.cleanerId}-${d.date}`}>
                <strong>{d.cleanerName}</strong>, {formatDate(d.date)}: {t('simulation.overtimeChance')} <EstimateText value={d.overtime} />
                {d.reasons.length > 0 && <span className="muted"> · {dayReasons(d)}</span>}
              </li>
            ))}
          </ul>
        </>
      )}
      {risk.riskiestVisits.length > 0 && (
        <>
          <h3>{t('simulation.riskiestVisits')}</h3>
          <ul className="plain">
            {risk.riskiestVisits.map((v, i) => (
              <li key={i}>
                {v.areaName ?? v.areaId} ({v.siteName}), {formatDate(v.date)}: {t('simulation.onTimeChance')} <EstimateText value={v.onTime} />
                {v.reasons.length > 0 && <span className="muted"> · {reasons(v)}</span>}
              </li>
            ))}
          </ul>
        </>
      )}
      <WhatIfForm plan={plan} />
    </section>
  )
}

/** Starts a full simulation of the plan, or a what-if of it. */
function WhatIfForm({ plan }: { plan: Schemas['PlanView'] }) {
  const cleaners = useLoad(loadCleaners, [])
  const sites = useLoad(loadSites, [])
  const plans = useLoad(() => unwrap(api.GET('/v1/plans', { params: { query: { orderBy: '-weekStart', limit: 50 } } })), [])
  const [cleanerOff, setCleanerOff] = useState('')
  const [durations, setDurations] = useState('0')
  const [siteId, setSiteId] = useState('')
  const [compare, setCompare] = useState('')
  const [message, setMessage] = useState<string | null>(null)
  const others = (plans.data?.items ?? []).filter((p) => p.id !== plan.id && p.weekStart === plan.weekStart && (p.status === 'draft' || p.status === 'active' || p.status === 'superseded'))
  const start = async (event: FormEvent) => {
    event.preventDefault()
    const factor = 1 + Number(durations) / 100
    const changes = {
      ...(cleanerOff ? { cleanersOff: [{ cleanerId: cleanerOff }] } : {}),
      ...(factor !== 1 ? { durationFactor: factor } : {}),
      ...(siteId ? { addSiteId: siteId } : {}),
    }
    const { data, error } = await api.POST('/v1/simulations', {
      body: { planId: plan.id, ...(Object.keys(changes).length > 0 ? { changes } : {}), ...(compare ? { comparePlanId: compare } : {}) },
    })
    if (error) {
      const problem = problemOf(error)
      return setMessage(problem?.errors?.map((e) => `${e.field}: ${e.message}`).join('; ') ?? problem?.detail ?? t('common.failed'))
    }
    navigate(`/simulations/${data.id}`)
  }
  return (
    <form onSubmit={(e) => void start(e)} className="what-if">
      <h3>{t('simulation.whatIf')}</h3>
      <p className="muted small">{t('simulation.whatIfIntro')}</p>
      <div className="row inline-form">
        <Field label={t('simulation.cleanerOff')}>
          {(p) => (
            <select {...p} value={cleanerOff} onChange={(e) => setCleanerOff(e.target.value)}>
              <option value="">{t('simulation.nobody')}</option>
              {(cleaners.data ?? []).map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('simulation.durations')}>
          {(p) => <input {...p} type="number" min={-50} max={200} step={5} value={durations} onChange={(e) => setDurations(e.target.value)} />}
        </Field>
        <Field label={t('simulation.newSite')}>
          {(p) => (
            <select {...p} value={siteId} onChange={(e) => setSiteId(e.target.value)}>
              <option value="">{t('simulation.noSite')}</option>
              {(sites.data ?? []).map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('simulation.compareWith')}>
          {(p) => (
            <select {...p} value={compare} onChange={(e) => setCompare(e.target.value)}>
              <option value="">{t('simulation.noPlan')}</option>
              {others.map((o) => (
                <option key={o.id} value={o.id}>
                  {formatDateTime(o.createdAt)} · {t(`plan.status.${o.status}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button className="button primary">{t('simulation.start')}</button>
      </div>
      {message && <Notice kind="error">{message}</Notice>}
    </form>
  )
}

/** Each cleaner's day with its chance of overtime, a cleaner a row; with a variant, both and
 * the change. */
function DaysGrid({ result, variant }: { result: Result; variant?: Result | null }) {
  const all = [...result.days, ...(variant?.days ?? [])]
  const dates = [...new Set(all.map((d) => d.date))].sort()
  const names = new Map(all.map((d) => [d.cleanerId, d.cleanerName]))
  const cleaners = [...names.keys()].sort((a, b) => (names.get(a) ?? a).localeCompare(names.get(b) ?? b))
  const find = (days: DayRisk[] | undefined, cleaner: string, date: string) => days?.find((d) => d.cleanerId === cleaner && d.date === date)
  const cell = (day: DayRisk | undefined) =>
    day && day.absenceProbability >= 1 ? (
      <div className="risk high">
        <strong>{t('simulation.off')}</strong>
        <br />
        <span className="muted small">{t('simulation.visitsMissed', { count: day.visitsAtRisk })}</span>
      </div>
    ) : day ? (
      <div className={`risk ${dayLevel(day.overtime.value)}`}>
        <strong>{percent(day.overtime.value)}</strong>
        <span className="small">
          {' '}
          {t('simulation.overtimeShort')}
          {day.expectedOvertimeMinutes.value >= 1 ? `, Ø ${formatMinutes(Math.round(day.expectedOvertimeMinutes.value))}` : ''}
        </span>
        <br />
        <span className="muted small">
          {formatMinutes(day.plannedMinutes)} / {formatMinutes(day.maxMinutes)}
          {day.visitsAtRisk > 0 ? ` · ${t('simulation.visitsLate', { count: day.visitsAtRisk })}` : ''}
        </span>
        {day.overtime.value > 0.05 && day.reasons.length > 0 && (
          <>
            <br />
            <span className="small">{dayReasons(day)}</span>
          </>
        )}
      </div>
    ) : (
      <span className="muted">–</span>
    )
  return (
    <CleanerDays
      dates={dates}
      cleaners={cleaners}
      names={names}
      className="risk-days"
      cell={(cleaner, date) => (
        <>
          {cell(find(result.days, cleaner, date))}
          {variant && (
            <div className="variant">
              <span className="muted small">{t('simulation.variant')}: </span>
              {cell(find(variant.days, cleaner, date))}
            </div>
          )}
        </>
      )}
    />
  )
}

function Assumptions({ simulation }: { simulation: Simulation }) {
  const a = simulation.assumptions
  if (!a) return null
  const fitted = a.durations.filter((d) => d.source !== 'default')
  return (
    <details>
      <summary>
        <strong>{t('simulation.assumptions')}</strong>
      </summary>
      <ul>
        <li>{t('simulation.assumeDurations', { fitted: fitted.length, all: a.durations.length, weeks: a.historyWeeks, min: a.minVisitsPerArea, sigma: formatNumber(a.defaultDuration.sigma, 2) })}</li>
        <li>{t('simulation.assumeTravel', { sigma: formatNumber(a.travelSpread, 2) })}</li>
        <li>{t('simulation.assumeAbsence', { days: a.absenceHistoryDays, prior: percent(a.priorAbsence) })}</li>
        <li>{t('simulation.assumeDemand', { count: a.demand.length })}</li>
        {a.addedVisits > 0 && <li>{t('simulation.assumeAdded', { count: a.addedVisits })}</li>}
      </ul>
      <div className="table-scroll">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('nav.cleaners')}</th>
              <th scope="col" className="number">{t('simulation.sickDays')}</th>
              <th scope="col" className="number">{t('simulation.absenceChance')}</th>
            </tr>
          </thead>
          <tbody>
            {a.absences.map((c) => (
              <tr key={c.cleanerId}>
                <th scope="row">{c.name}</th>
                <td className="number">
                  {c.sickDays} / {c.workingDays}
                </td>
                <td className="number">{percent(c.probability)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {fitted.length > 0 && (
        <div className="table-scroll">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('simulation.room')}</th>
                <th scope="col">{t('simulation.fitFrom')}</th>
                <th scope="col" className="number">{t('simulation.medianRatio')}</th>
                <th scope="col" className="number">{t('simulation.visits')}</th>
              </tr>
            </thead>
            <tbody>
              {fitted.map((d) => (
                <tr key={d.areaId}>
                  <th scope="row">{d.areaName}</th>
                  <td>{t(`simulation.source.${d.source}`)}</td>
                  <td className="number">×{formatNumber(d.medianRatio, 2)}</td>
                  <td className="number">{d.visits}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </details>
  )
}

/** A side's riskiest visits (under a 95 % chance to start in time, 25 at most), riskiest
 * first, with why. */
function RiskiestVisits({ id, title, result }: { id: string; title: string; result: Result }) {
  const visits = result.riskiestVisits
  const names = new Map(result.days.map((d) => [d.cleanerId, d.cleanerName]))
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {visits.length === 0 ? (
        <p className="muted">{t('simulation.noVisitAtRisk')}</p>
      ) : (
        <div className="table-scroll">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('simulation.room')}</th>
                <th scope="col">{t('simulation.when')}</th>
                <th scope="col">{t('nav.cleaners')}</th>
                <th scope="col" className="number">{t('simulation.onTimeChance')}</th>
                <th scope="col">{t('simulation.why')}</th>
              </tr>
            </thead>
            <tbody>
              {visits.map((v, i) => (
                <tr key={i}>
                  <th scope="row">
                    {v.areaName} <span className="muted small">{v.siteName}</span>
                  </th>
                  <td>
                    {formatDate(v.date)} {v.plannedStart}
                    {v.latestStart ? <span className="muted small"> ({t('simulation.latest', { time: v.latestStart })})</span> : null}
                  </td>
                  <td>{names.get(v.cleanerId) ?? v.cleanerId}</td>
                  <td className="number">
                    <EstimateText value={v.onTime} />
                  </td>
                  <td className="small">{reasons(v)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

export function SimulationPage({ id }: { id: string }) {
  const simulation = useLoad(() => unwrap(api.GET('/v1/simulations/{id}', { params: { path: { id } } })), [id])
  const pending = simulation.data?.status === 'queued' || simulation.data?.status === 'running'
  useEffect(() => {
    if (!pending) return
    const timer = setTimeout(simulation.reload, 700)
    return () => clearTimeout(timer)
  }, [pending, simulation.data, simulation.reload])
  if (!simulation.data) return simulation.error ? <Notice kind="error">{problemOf(simulation.error)?.detail}</Notice> : <Spinner />
  const s = simulation.data
  const { result, variant, difference } = s
  const changes = s.changes
  const describe = [
    ...(changes?.cleanersOff ?? []).map((c) => t('simulation.changeOff', { who: variant?.days.find((d) => d.cleanerId === c.cleanerId)?.cleanerName ?? c.cleanerId })),
    ...(changes?.durationFactor ? [t('simulation.changeDurations', { percent: formatNumber((changes.durationFactor - 1) * 100) })] : []),
    ...(changes?.travelFactor ? [t('simulation.changeTravel', { percent: formatNumber((changes.travelFactor - 1) * 100) })] : []),
    ...(changes?.addSiteId ? [t('simulation.changeSite', { site: variant?.sites.find((x) => x.siteId === changes.addSiteId)?.siteName ?? changes.addSiteId })] : []),
    ...(s.comparePlanId ? [t('simulation.changePlan')] : []),
  ]
  return (
    <>
      <PageHeader title={t('simulation.title', { week: formatDate(s.weekStart, 'long') })}>
        <p className="muted">
          {s.planId ? <Link href={`/plans/${s.planId}`}>{t('simulation.toPlan')}</Link> : t('simulation.inForce')} · <Link href="/simulations">{t('nav.simulations')}</Link> · <span className={`badge ${s.status}`}>{t(`simulation.status.${s.status}`)}</span> ·{' '}
          {t('simulation.runs', { count: formatNumber(s.replications), seed: s.seed })}
        </p>
      </PageHeader>
      {pending && <Progress value={s.progress} label={t('simulation.running')} />}
      {s.status === 'failed' && <Notice kind="error">{s.failure ?? t('common.failed')}</Notice>}
      {result && (
        <>
          {describe.length > 0 && <Notice kind="info">{t('simulation.whatIfOf', { changes: describe.join('; ') })}</Notice>}
          <section aria-labelledby="summary">
            <h2 id="summary">{t('simulation.summary')}</h2>
            <div className="table-scroll">
              <table className="table kpis">
                <thead>
                  <tr>
                    <th scope="col">{t('plan.figure')}</th>
                    <th scope="col" className="number">{variant ? t('simulation.asPlanned') : t('simulation.value')}</th>
                    {variant && <th scope="col" className="number">{t('simulation.variant')}</th>}
                    {variant && <th scope="col" className="number">{t('plan.change')}</th>}
                  </tr>
                </thead>
                <tbody>
                  <tr>
                    <th scope="row">{t('simulation.serviceLevel')}</th>
                    <td className="number">
                      <EstimateText value={result.serviceLevel} />
                    </td>
                    {variant && (
                      <td className="number">
                        <EstimateText value={variant.serviceLevel} />
                      </td>
                    )}
                    {variant && difference && (
                      <td className="number">
                        <ChangeText value={difference.serviceLevel} worseWhenUp={false} />
                      </td>
                    )}
                  </tr>
                  <tr>
                    <th scope="row">{t('simulation.visitsAtRisk')}</th>
                    <td className="number">{result.visitsAtRisk}</td>
                    {variant && <td className="number">{variant.visitsAtRisk}</td>}
                    {variant && difference && <td className={`number ${difference.visitsAtRisk > 0 ? 'worse' : difference.visitsAtRisk < 0 ? 'better' : ''}`}>{difference.visitsAtRisk > 0 ? `+${difference.visitsAtRisk}` : difference.visitsAtRisk}</td>}
                  </tr>
                  <tr>
                    <th scope="row">{t('simulation.daysAtRisk')}</th>
                    <td className="number">{result.daysAtRisk}</td>
                    {variant && <td className="number">{variant.daysAtRisk}</td>}
                    {variant && difference && <td className={`number ${difference.daysAtRisk > 0 ? 'worse' : difference.daysAtRisk < 0 ? 'better' : ''}`}>{difference.daysAtRisk > 0 ? `+${difference.daysAtRisk}` : difference.daysAtRisk}</td>}
                  </tr>
                </tbody>
              </table>
            </div>
          </section>
          <section aria-labelledby="days">
            <h2 id="days">{t('simulation.days')}</h2>
            <p className="muted small">{t('simulation.daysIntro')}</p>
            <DaysGrid result={result} variant={variant} />
          </section>
          <section aria-labelledby="sites">
            <h2 id="sites">{t('simulation.sites')}</h2>
            <div className="table-scroll">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">{t('proof.site')}</th>
                    <th scope="col" className="number">{t('simulation.cleanings')}</th>
                    <th scope="col" className="number">{variant ? t('simulation.asPlanned') : t('simulation.serviceLevel')}</th>
                    {variant && <th scope="col" className="number">{t('simulation.variant')}</th>}
                    {variant && <th scope="col" className="number">{t('plan.change')}</th>}
                  </tr>
                </thead>
                <tbody>
                  {(difference?.sites ?? result.sites.map((x) => ({ siteId: x.siteId, siteName: x.siteName, serviceLevel: x.serviceLevel, variantServiceLevel: undefined, change: undefined }))).map((site) => (
                    <tr key={site.siteId}>
                      <th scope="row">{site.siteName}</th>
                      <td className="number">{result.sites.find((x) => x.siteId === site.siteId)?.plannedCleanings ?? 0}</td>
                      <td className="number">{site.serviceLevel ? <EstimateText value={site.serviceLevel} /> : '–'}</td>
                      {variant && <td className="number">{site.variantServiceLevel ? <EstimateText value={site.variantServiceLevel} /> : '–'}</td>}
                      {variant && (
                        <td className="number">
                          <ChangeText value={site.change} worseWhenUp={false} />
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
          <RiskiestVisits id="visits" title={t('simulation.riskiestVisits')} result={result} />
          {variant && <RiskiestVisits id="variant-visits" title={t('simulation.riskiestVariant')} result={variant} />}
          <Assumptions simulation={s} />
        </>
      )}
    </>
  )
}

export function Simulations() {
  const list = useLoad(() => unwrap(api.GET('/v1/simulations', { params: { query: { orderBy: '-id', limit: 50 } } })), [])
  return (
    <>
      <PageHeader title={t('nav.simulations')}>
        <p className="muted">{t('simulation.listIntro')}</p>
      </PageHeader>
      {!list.data ? (
        <Spinner />
      ) : list.data.items.length === 0 ? (
        <Empty>{t('simulation.none')}</Empty>
      ) : (
        <div className="table-scroll">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('plans.week')}</th>
                <th scope="col">{t('plans.status')}</th>
                <th scope="col" className="number">{t('simulation.serviceLevel')}</th>
                <th scope="col">{t('simulation.kind')}</th>
                <th scope="col">{t('plans.created')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((s) => (
                <tr key={s.id}>
                  <td>
                    <Link href={`/simulations/${s.id}`}>{formatDate(s.weekStart, 'long')}</Link>
                  </td>
                  <td>
                    <span className={`badge ${s.status}`}>{t(`simulation.status.${s.status}`)}</span>
                  </td>
                  <td className="number">{s.result ? percent(s.result.serviceLevel.value) : '–'}</td>
                  <td>{s.changes || s.comparePlanId ? t('simulation.whatIf') : t('simulation.plain')}</td>
                  <td>{formatDateTime(s.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  )
}
