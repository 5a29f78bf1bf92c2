// Plans: a week is planned by the planning worker (queued, running with its progress, then a
// draft). A draft is compared with the tours in force (its figures and what changes per
// cleaner and day), each cleaner's day looked at, then activated.
import { useEffect, useMemo, useState, type FormEvent } from 'react'
import { api, etag, problemOf, type Schemas } from '../../api/client'
import { Link, navigate } from '../../app/router'
import { formatDate, formatDateTime, formatMinutes, formatNumber, t } from '../../i18n/i18n'
import { addDays, mondayOf, today } from '../../lib/dates'
import { unwrap, useLoad } from '../../lib/useLoad'
import { Empty, Field, Notice, PageHeader, Progress, Spinner } from '../../ui/kit'
import { loadCleaners } from './Cleaners'
import { CleanerDays } from '../shared/CleanerDays'
import { PlanRiskPanel } from './Simulations'

type Plan = Schemas['PlanView']

function statusLabel(status: Plan['status']): string {
  const keys = {
    queued: 'plan.status.queued',
    running: 'plan.status.running',
    draft: 'plan.status.draft',
    active: 'plan.status.active',
    superseded: 'plan.status.superseded',
    failed: 'plan.status.failed',
  } as const
  return t(keys[status])
}

export function Plans() {
  const plans = useLoad(() => unwrap(api.GET('/v1/plans', { params: { query: { orderBy: '-weekStart', limit: 50 } } })), [])
  const [weekStart, setWeekStart] = useState(addDays(mondayOf(today()), 7))
  const [seconds, setSeconds] = useState('5')
  const [message, setMessage] = useState<string | null>(null)
  const start = async (event: FormEvent) => {
    event.preventDefault()
    const { data, error } = await api.POST('/v1/plans', { body: { weekStart, seconds: Number(seconds) } })
    if (error) {
      const problem = problemOf(error)
      if (problem?.runningId) return navigate(`/plans/${problem.runningId}`)
      return setMessage(problem?.errors?.[0]?.message ?? problem?.detail ?? t('common.failed'))
    }
    navigate(`/plans/${data.id}`)
  }
  return (
    <>
      <PageHeader title={t('plans.title')}>
        <p className="muted">{t('plans.intro')}</p>
      </PageHeader>
      <form onSubmit={(e) => void start(e)} className="panel row inline-form">
        <Field label={t('plans.week')}>
          {(p) => <input {...p} type="date" step={7} required value={weekStart} onChange={(e) => setWeekStart(mondayOf(e.target.value || weekStart))} />}
        </Field>
        <Field label={t('plans.seconds')} hint={t('plans.secondsHint')}>
          {(p) => <input {...p} type="number" min={1} max={60} value={seconds} onChange={(e) => setSeconds(e.target.value)} />}
        </Field>
        <button className="button primary">{t('plans.start')}</button>
      </form>
      {message && <Notice kind="error">{message}</Notice>}
      {!plans.data ? (
        <Spinner />
      ) : plans.data.items.length === 0 ? (
        <Empty>{t('plans.none')}</Empty>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('plans.week')}</th>
              <th scope="col">{t('plans.status')}</th>
              <th scope="col" className="number">{t('kpi.cleaners')}</th>
              <th scope="col" className="number">{t('kpi.travel')}</th>
              <th scope="col" className="number">{t('kpi.unplanned')}</th>
              <th scope="col">{t('plans.created')}</th>
            </tr>
          </thead>
          <tbody>
            {plans.data.items.map((plan) => (
              <tr key={plan.id}>
                <td>
                  <Link href={`/plans/${plan.id}`}>{formatDate(plan.weekStart, 'long')}</Link>
                </td>
                <td>
                  <span className={`badge ${plan.status}`}>{statusLabel(plan.status)}</span>
                </td>
                <td className="number">{plan.kpis.cleaners}</td>
                <td className="number">{formatMinutes(plan.kpis.travelMinutes)}</td>
                <td className="number">{plan.kpis.unplanned}</td>
                <td>{formatDateTime(plan.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  )
}

/** The plan's days as a grid, a cleaner a row: when she leaves and is back, her minutes, and
 * her stops when opened. */
function PlanDays({ plan, names }: { plan: Plan; names: Map<string, string> }) {
  const dates = [...new Set(plan.tours.map((t) => t.date))].sort()
  const cleaners = [...new Set(plan.tours.map((t) => t.cleanerId))].sort((a, b) => (names.get(a) ?? a).localeCompare(names.get(b) ?? b))
  return (
    <CleanerDays
      dates={dates}
      cleaners={cleaners}
      names={names}
      cell={(cleaner, date) => {
        const tour = plan.tours.find((x) => x.cleanerId === cleaner && x.date === date)
        return (
          tour && (
            <details>
              <summary>
                <span className="time">
                  {tour.leave}–{tour.back}
                </span>
                <span className="muted"> · {t('plan.stops', { count: tour.stops.length })}</span>
                <br />
                <span className="muted small">{t('plan.dayFigures', { cleaning: formatMinutes(tour.cleaningMinutes), travel: formatMinutes(tour.travelMinutes) })}</span>
              </summary>
              <ol className="plain small">
                {tour.stops.map((s, i) => (
                  <li key={i}>
                    <span className="time">{s.start}</span> {s.areaName ?? s.areaId}
                  </li>
                ))}
              </ol>
            </details>
          )
        )
      }}
    />
  )
}

/** The plan's figures; `cost`: less is better (the cleaning itself is the work, neither). */
const KPIS: { key: keyof Schemas['Kpis']; label: Parameters<typeof t>[0]; minutes?: boolean; cost?: false }[] = [
  { key: 'cleaners', label: 'kpi.cleaners' },
  { key: 'paidMinutes', label: 'kpi.paid', minutes: true },
  { key: 'cleaningMinutes', label: 'kpi.cleaning', minutes: true, cost: false },
  { key: 'travelMinutes', label: 'kpi.travel', minutes: true },
  { key: 'waitingMinutes', label: 'kpi.waiting', minutes: true },
  { key: 'overtimeMinutes', label: 'kpi.overtime', minutes: true },
  { key: 'unplanned', label: 'kpi.unplanned' },
]

export function PlanPage({ id }: { id: string }) {
  const plan = useLoad(() => unwrap(api.GET('/v1/plans/{id}', { params: { path: { id } } })), [id])
  const pending = plan.data?.status === 'queued' || plan.data?.status === 'running'
  // The plan computes on the worker: its progress is read until it is a draft.
  useEffect(() => {
    if (!pending) return
    const timer = setTimeout(plan.reload, 700)
    return () => clearTimeout(timer)
  }, [pending, plan.data, plan.reload])
  const cleaners = useLoad(loadCleaners, [])
  const diff = useLoad(
    () => (plan.data && !pending && plan.data.status !== 'failed' ? unwrap(api.GET('/v1/plans/{id}/diff', { params: { path: { id } } })) : Promise.resolve(null)),
    [id, pending, plan.data?.status],
  )
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string } | null>(null)
  const names = useMemo(() => new Map((cleaners.data ?? []).map((c) => [c.id, c.name])), [cleaners.data])
  if (!plan.data) return plan.error ? <Notice kind="error">{problemOf(plan.error)?.detail}</Notice> : <Spinner />
  const p = plan.data
  const activate = async () => {
    const { error, response } = await api.POST('/v1/plans/{id}/activate', {
      params: { path: { id }, header: { 'If-Match': etag(p.version) } },
    })
    if (error) {
      setMessage({ kind: 'error', text: response.status === 412 ? t('conflict.body') : (problemOf(error)?.detail ?? t('common.failed')) })
    } else {
      setMessage({ kind: 'success', text: t('plan.activated') })
    }
    plan.reload()
  }
  return (
    <>
      <PageHeader
        title={t('plan.title', { week: formatDate(p.weekStart, 'long') })}
        actions={
          p.status === 'draft' ? (
            <button type="button" className="button primary" onClick={() => void activate()}>
              {t('plan.activate')}
            </button>
          ) : p.status === 'active' ? (
            <Link className="button" href={`/week?week=${p.weekStart}`}>
              {t('plan.toBoard')}
            </Link>
          ) : undefined
        }
      >
        <p className="muted">
          <Link href="/plans">{t('nav.plans')}</Link> · <span className={`badge ${p.status}`}>{statusLabel(p.status)}</span>
        </p>
      </PageHeader>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {pending && <Progress value={p.progress} label={t('plan.computing')} />}
      {p.status === 'failed' && <Notice kind="error">{p.failure ?? t('common.failed')}</Notice>}
      {!pending && p.status !== 'failed' && (
        <>
          <section aria-labelledby="kpis">
            <h2 id="kpis">{t('plan.kpis')}</h2>
            <table className="table kpis">
              <thead>
                <tr>
                  <th scope="col">{t('plan.figure')}</th>
                  <th scope="col" className="number">{t('plan.inForce')}</th>
                  <th scope="col" className="number">{t('plan.thisPlan')}</th>
                  <th scope="col" className="number">{t('plan.change')}</th>
                </tr>
              </thead>
              <tbody>
                {KPIS.map(({ key, label, minutes, cost }) => {
                  const before = p.current[key]
                  const after = p.kpis[key]
                  const show = (v: number) => (minutes ? formatMinutes(v) : formatNumber(v))
                  const delta = after - before
                  return (
                    <tr key={key}>
                      <th scope="row">{t(label)}</th>
                      <td className="number">{show(before)}</td>
                      <td className="number">{show(after)}</td>
                      <td className={`number ${cost === false ? '' : delta < 0 ? 'better' : delta > 0 ? 'worse' : ''}`}>{delta === 0 ? '±0' : `${delta > 0 ? '+' : '−'}${show(Math.abs(delta))}`}</td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
          </section>
          <PlanRiskPanel plan={p} />
          {p.unplanned.length > 0 && (
            <section aria-labelledby="unplanned">
              <h2 id="unplanned">{t('plan.unplanned', { count: p.unplanned.length })}</h2>
              <ul className="warnings">
                {p.unplanned.map((u, i) => (
                  <li key={i}>
                    {formatDate(u.date)}: {u.reason}
                  </li>
                ))}
              </ul>
            </section>
          )}
          <section aria-labelledby="diff">
            <h2 id="diff">{t('plan.diff')}</h2>
            {diff.data === undefined ? (
              <Spinner />
            ) : !diff.data || diff.data.days.length === 0 ? (
              <p className="muted">{t('plan.noChange')}</p>
            ) : (
              <>
                <p>{t('plan.diffSummary', { days: diff.data.summary.daysChanged, added: diff.data.summary.added, removed: diff.data.summary.removed, moved: diff.data.summary.moved })}</p>
                <ul className="diff">
                  {diff.data.days.map((d) => (
                    <li key={`${d.cleanerId}-${d.date}`}>
                      <details open={d.added.length + d.removed.length + d.moved.length <= 4}>
                      <summary>
                        <strong>{names.get(d.cleanerId) ?? d.cleanerId}</strong>, {formatDate(d.date)}: {formatMinutes(d.minutesBefore)} → {formatMinutes(d.minutesAfter)}
                        <span className="muted"> · +{d.added.length} −{d.removed.length} ↕{d.moved.length}</span>
                      </summary>
                      <ul>
                        {d.added.map((s, i) => (
                          <li key={`a${i}`} className="added">
                            + {s.areaName} ({s.start}){s.otherCleaner ? ` ${t('plan.from', { who: names.get(s.otherCleaner) ?? s.otherCleaner })}` : ''}
                          </li>
                        ))}
                        {d.removed.map((s, i) => (
                          <li key={`r${i}`} className="removed">
                            − {s.areaName}{s.otherCleaner ? ` ${t('plan.to', { who: names.get(s.otherCleaner) ?? s.otherCleaner })}` : ''}
                          </li>
                        ))}
                        {d.moved.map((s, i) => (
                          <li key={`m${i}`}>
                            ↕ {s.areaName} {s.startBefore} → {s.startAfter}
                          </li>
                        ))}
                      </ul>
                      </details>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </section>
          <section aria-labelledby="days">
            <h2 id="days">{t('plan.days')}</h2>
            <PlanDays plan={p} names={names} />
          </section>
        </>
      )}
    </>
  )
}
