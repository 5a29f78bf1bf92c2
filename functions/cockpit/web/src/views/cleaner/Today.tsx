// The cleaner's phone: today's stops in order with their times and windows, check-in by
// scanning the room's label, check-out as done, skipped or not accessible. Everything she
// does goes through the offline queue first, so a cellar without a signal loses nothing:
// it is sent, in order and once, as soon as the network is back.
import { useCallback, useEffect, useMemo, useState } from 'react'
import { api, type Schemas } from '../../api/client'
import { currentSession } from '../../auth/session'
import { formatDate, formatMinutes, formatTime, t } from '../../i18n/i18n'
import { today } from '../../lib/dates'
import { flush, IdbQueueStore, type QueuedAction } from '../../offline/queue'
import { sendAction } from '../../offline/send'
import { Notice, PageHeader, Progress, Spinner } from '../../ui/kit'
import { VisitPhotos } from '../shared/Documents'
import { FeedLink } from './FeedLink'
import { Scanner } from './Scanner'
import { triggerLabel } from '../dispatcher/Sensors'

type Sheet = Schemas['TourSheet']
type Stop = Schemas['Stop'] & { timeZone: string; tourId: string }

const queue = new IdbQueueStore()
const SHEET_KEY = 'cleanops.sheet'
const ACCESS_KEY = 'cleanops.access'

/** How to get into each site of the sheet (keys, alarm): kept for the cellar too. */
async function accessNotes(sheet: Sheet): Promise<Record<string, string>> {
  const ids = [...new Set(sheet.tours.flatMap((t) => t.stops.map((s) => s.siteId)))]
  const notes: Record<string, string> = {}
  await Promise.all(
    ids.map(async (id) => {
      const { data } = await api.GET('/v1/sites/{id}', { params: { path: { id } } })
      if (data?.accessNotes) notes[id] = data.accessNotes
    }),
  )
  return notes
}

/** The area a check-in code names: `CO1.{areaId}.{signature}`. */
export function areaOfCode(code: string): string | null {
  const parts = code.trim().split('.')
  return parts.length === 3 && parts[0] === 'CO1' && parts[1] ? parts[1] : null
}

function useOnline(): boolean {
  const [online, setOnline] = useState(navigator.onLine)
  useEffect(() => {
    const on = () => setOnline(true)
    const off = () => setOnline(false)
    window.addEventListener('online', on)
    window.addEventListener('offline', off)
    return () => {
      window.removeEventListener('online', on)
      window.removeEventListener('offline', off)
    }
  }, [])
  return online
}

export function Today() {
  const online = useOnline()
  const [sheet, setSheet] = useState<Sheet | null>(() => {
    const cached = localStorage.getItem(SHEET_KEY)
    return cached ? (JSON.parse(cached) as Sheet) : null
  })
  const [access, setAccess] = useState<Record<string, string>>(() => JSON.parse(localStorage.getItem(ACCESS_KEY) ?? '{}') as Record<string, string>)
  const [queued, setQueued] = useState<QueuedAction[]>([])
  const [syncing, setSyncing] = useState<{ done: number; total: number } | null>(null)
  const [scanning, setScanning] = useState(false)
  const [message, setMessage] = useState<{ kind: 'error' | 'success' | 'info'; text: string } | null>(null)

  const load = useCallback(async () => {
    const { data } = await api
      .GET('/v1/tour-sheets', { params: { query: { date: today(), format: 'json' } }, parseAs: 'json' })
      .catch(() => ({ data: undefined }))
    if (data && typeof data === 'object') {
      setSheet(data)
      localStorage.setItem(SHEET_KEY, JSON.stringify(data))
      const notes = await accessNotes(data).catch(() => null)
      if (notes) {
        setAccess(notes)
        localStorage.setItem(ACCESS_KEY, JSON.stringify(notes))
      }
    }
  }, [])

  const sync = useCallback(async () => {
    const pending = await queue.all()
    setQueued(pending)
    if (pending.length === 0 || !navigator.onLine) return
    setSyncing({ done: 0, total: pending.length })
    const result = await flush(queue, sendAction, (done, total) => setSyncing({ done, total }))
    setSyncing(null)
    setQueued(await queue.all())
    if (result.refused.length) {
      setMessage({ kind: 'error', text: result.refused.map((r) => `${r.action.areaName}: ${r.why}`).join('; ') })
    } else if (result.sent > 0 && result.left === 0) {
      setMessage({ kind: 'success', text: t('today.synced', { count: result.sent }) })
    }
    await load()
  }, [load])

  // Both set state only after awaiting the network and the queue (IndexedDB).
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void load().then(sync)
  }, [load, sync])
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect
    if (online) void sync()
  }, [online, sync])

  const stops: Stop[] = useMemo(
    () => (sheet?.tours ?? []).flatMap((tour) => tour.stops.map((s) => ({ ...s, timeZone: tour.timeZone, tourId: tour.tourId }))),
    [sheet],
  )

  /** What she did at each room, by the sheet, then by what is still queued. */
  const state = useMemo(() => {
    const out = new Map<string, { visitId?: string; status: string; waiting: boolean }>()
    for (const s of stops) if (s.visitId) out.set(s.areaId, { visitId: s.visitId, status: s.visitStatus ?? 'in-progress', waiting: false })
    for (const a of [...queued].sort((x, y) => x.at.localeCompare(y.at))) {
      out.set(a.areaId, { visitId: a.visitId, status: a.kind === 'check-in' ? 'in-progress' : a.status, waiting: true })
    }
    return out
  }, [stops, queued])

  /** Keeps the action, and sends it at once if there is a network. */
  const enqueue = async (action: QueuedAction, done: string) => {
    await queue.put(action)
    setQueued(await queue.all())
    setMessage({ kind: navigator.onLine ? 'success' : 'info', text: navigator.onLine ? done : `${done} ${t('today.savedOffline')}` })
    if (navigator.onLine) await sync()
  }

  const scanned = async (code: string) => {
    setScanning(false)
    const areaId = areaOfCode(code)
    const stop = stops.find((s) => s.areaId === areaId)
    if (!areaId) return setMessage({ kind: 'error', text: t('today.notALabel') })
    await enqueue(
      {
      id: crypto.randomUUID(),
      kind: 'check-in',
      visitId: crypto.randomUUID(),
      code,
      ...(stop ? { tourId: stop.tourId } : {}),
      at: new Date().toISOString(),
      areaId,
      areaName: stop?.areaName ?? areaId,
      },
      t('today.checkedIn', { room: stop?.areaName ?? areaId }),
    )
  }

  const checkOut = async (stop: Stop, status: 'done' | 'skipped' | 'not-accessible', reason?: string) => {
    const visit = state.get(stop.areaId)
    if (!visit?.visitId) return
    await enqueue(
      {
      id: crypto.randomUUID(),
      kind: 'check-out',
      visitId: visit.visitId,
      status,
      ...(reason ? { reason } : {}),
      at: new Date().toISOString(),
      areaId: stop.areaId,
      areaName: stop.areaName,
      },
      t('today.checkedOut', { room: stop.areaName }),
    )
  }

  /** Why the camera should pass over a label: its room is checked in or done already. */
  const alreadyThere = (code: string): string | null => {
    const area = areaOfCode(code)
    const status = area ? state.get(area)?.status : undefined
    if (!status) return null
    const room = stops.find((s) => s.areaId === area)?.areaName ?? ''
    return status === 'in-progress' ? t('scan.alreadyIn', { room }) : t('scan.alreadyDone', { room })
  }

  const done = stops.filter((s) => ['done', 'skipped', 'not-accessible'].includes(state.get(s.areaId)?.status ?? '')).length
  const user = currentSession()?.user
  return (
    <div className="today">
      <PageHeader title={t('today.title')}>
        <p className="muted">
          {user?.name} · {formatDate(sheet?.date ?? today(), 'long')}
        </p>
      </PageHeader>
      <div className={`connection ${online ? 'online' : 'offline'}`} role="status">
        {online ? t('today.online') : t('today.offline')}
        {queued.length > 0 && ` · ${t('today.waiting', { count: queued.length })}`}
      </div>
      {syncing && <Progress value={syncing.done / Math.max(1, syncing.total)} label={t('today.sending')} />}
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {!sheet ? (
        <Spinner />
      ) : stops.length === 0 ? (
        <Notice>{sheet.absence ? t('today.away') : t('today.noStops')}</Notice>
      ) : (
        <>
          <p className="muted">{t('today.progress', { done, total: stops.length })}</p>
          <ol className="sheet">
            {stops.map((stop, i) => (
              <StopCard
                key={`${stop.tourId}-${stop.position}`}
                stop={stop}
                access={i === 0 || stops[i - 1]?.siteId !== stop.siteId ? access[stop.siteId] : undefined}
                visit={state.get(stop.areaId)}
                online={online}
                onCheckOut={(s, r) => void checkOut(stop, s, r)}
              />
            ))}
          </ol>
        </>
      )}
      <div className="scan-bar">
        <button type="button" className="button primary scan" onClick={() => setScanning(true)}>
          {t('today.scan')}
        </button>
      </div>
      {scanning && <Scanner onCode={(code) => void scanned(code)} known={alreadyThere} onClose={() => setScanning(false)} />}
      <FeedLink />
    </div>
  )
}

function StopCard({
  stop,
  access,
  visit,
  online,
  onCheckOut,
}: {
  stop: Stop
  /** How to get in, at the first room of a site. */
  access: string | undefined
  visit: { visitId?: string; status: string; waiting: boolean } | undefined
  online: boolean
  onCheckOut: (status: 'done' | 'skipped' | 'not-accessible', reason?: string) => void
}) {
  const [asking, setAsking] = useState<'skipped' | 'not-accessible' | null>(null)
  const [reason, setReason] = useState('')
  const status = visit?.status
  const labels: Record<string, string> = {
    'in-progress': t('visit.inProgress'),
    done: t('visit.done'),
    skipped: t('visit.skipped'),
    'not-accessible': t('visit.notAccessible'),
  }
  return (
    <li className={`stop-card ${status ?? 'open'}${stop.closed || stop.uncovered || stop.notNeeded ? ' muted-card' : ''}${stop.demand ? ' demand-card' : ''}`}>
      <div className="stop-time">
        <strong>
          {formatTime(stop.plannedStart, stop.timeZone)}–{formatTime(stop.plannedEnd, stop.timeZone)}
        </strong>
        <span>{formatMinutes(stop.minutes)}</span>
      </div>
      <div className="stop-body">
        <h2>{stop.areaName}</h2>
        {stop.demand && <p className="badge warning">{t('stop.demand', { trigger: triggerLabel(stop.demand.trigger) })}</p>}
        {stop.notNeeded && (
          <p className="badge muted" title={stop.notNeeded}>
            {t('stop.notNeeded')}
          </p>
        )}
        <p className="muted">
          {stop.siteName} · {t('today.floor', { floor: stop.floor })}
        </p>
        {access && <p className="note">{t('today.access', { notes: access })}</p>}
        {stop.windows.length > 0 && <p className="window">{t('today.window', { windows: stop.windows.map((w) => `${w.earliest}–${w.latest}`).join(', ') })}</p>}
        {stop.note && <p className="note">{stop.note}</p>}
        {stop.closed && <p className="warning-text">{t('today.closed', { why: stop.closed })}</p>}
        {(stop.warnings ?? []).map((w, i) => (
          <p key={i} className="warning-text">
            {w}
          </p>
        ))}
        {status && (
          <p className={`badge ${status}`}>
            {labels[status] ?? status}
            {visit?.waiting ? ` · ${t('today.notSent')}` : ''}
          </p>
        )}
        {status === 'in-progress' &&
          (asking ? (
            <form
              className="reason"
              onSubmit={(e) => {
                e.preventDefault()
                onCheckOut(asking, reason)
                setAsking(null)
              }}
            >
              <label htmlFor={`reason-${stop.areaId}`}>{t('today.reason')}</label>
              <textarea id={`reason-${stop.areaId}`} required rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
              <div className="row">
                <button className="button primary">{t('today.confirm')}</button>
                <button type="button" className="button" onClick={() => setAsking(null)}>
                  {t('common.cancel')}
                </button>
              </div>
            </form>
          ) : (
            <div className="checkout">
              <button type="button" className="button primary" onClick={() => onCheckOut('done')}>
                {t('today.done')}
              </button>
              <button type="button" className="button" onClick={() => setAsking('skipped')}>
                {t('today.skip')}
              </button>
              <button type="button" className="button" onClick={() => setAsking('not-accessible')}>
                {t('today.noAccess')}
              </button>
            </div>
          ))}
        {/* Photos belong to a visit the server knows: not before its check-in is sent. */}
        {visit?.visitId && !visit.waiting && ['in-progress', 'done'].includes(status ?? '') && <VisitPhotos visitId={visit.visitId} online={online} />}
      </div>
    </li>
  )
}
