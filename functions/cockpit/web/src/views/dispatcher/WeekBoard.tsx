// The week: a row per cleaner, a card per day with her stops and their times, and a bar of
// the day's minutes against her cap (red above it). A stop is dragged to another cleaner or
// day, by mouse, touch or keyboard (focus it, Space, arrows, Space), or moved with its menu:
// each change is a versioned update, so a change someone made meanwhile shows as a conflict.
// Stops that absences leave uncovered wait in the tray.
import {
  DndContext,
  KeyboardSensor,
  PointerSensor,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
  type Active,
  type Announcements,
  type DragEndEvent,
  type KeyboardCoordinateGetter,
  type Over,
} from '@dnd-kit/core'
import { useMemo, useState } from 'react'
import { api, etag, problemOf, type Schemas } from '../../api/client'
import { navigate, useLocation } from '../../app/router'
import { formatDate, formatMinutes, t } from '../../i18n/i18n'
import { addDays, mondayOf, today, weekdayOf, weekOf, type Weekday } from '../../lib/dates'
import { nextCell, planMove, stopsOf, tourOf, type CardStop, type Move, type Tour } from '../../lib/board'
import { allPages } from '../../lib/pages'
import { unwrap, useLoad } from '../../lib/useLoad'
import { Conflict, Empty, LoadBar, Notice, PageHeader, Spinner } from '../../ui/kit'
import { loadCleaners, type Cleaner } from './Cleaners'
import { loadSites } from './Sites'

type Area = Schemas['AreaView']

function loadTours(): Promise<Tour[]> {
  return allPages((pageToken) => unwrap(api.GET('/v1/tours', { params: { query: { limit: 200, ...(pageToken ? { pageToken } : {}) } } })))
}

function loadAllAreas(): Promise<Area[]> {
  return allPages((pageToken) => unwrap(api.GET('/v1/areas', { params: { query: { limit: 200, ...(pageToken ? { pageToken } : {}) } } })))
}

interface Board {
  cleaners: Cleaner[]
  tours: Tour[]
  areas: Map<string, Area>
  sites: Map<string, string>
  uncovered: Schemas['UncoveredStops']
}

async function loadBoard(monday: string): Promise<Board> {
  const [cleaners, tours, areas, sites, uncovered] = await Promise.all([
    loadCleaners(),
    loadTours(),
    loadAllAreas(),
    loadSites(),
    unwrap(api.GET('/v1/uncovered-stops', { params: { query: { from: monday, to: addDays(monday, 6) } } })),
  ])
  return {
    cleaners,
    tours,
    areas: new Map(areas.map((a) => [a.id, a])),
    sites: new Map(sites.map((s) => [s.id, s.name])),
    uncovered,
  }
}

/** Arrow keys move a picked-up room from day card to day card (dnd-kit's default moves it
 * 25 pixels a press). */
const toNextCard: KeyboardCoordinateGetter = (event, { currentCoordinates, context }) => {
  const dragged = context.collisionRect
  if (!dragged) return undefined
  const cells = [...context.droppableRects.entries()].map(([id, r]) => ({ id: String(id), left: r.left, top: r.top, width: r.width, height: r.height }))
  const target = nextCell(cells, { x: dragged.left + dragged.width / 2, y: dragged.top + dragged.height / 2 }, event.code)
  if (!target) return ['ArrowRight', 'ArrowLeft', 'ArrowDown', 'ArrowUp'].includes(event.code) ? currentCoordinates : undefined
  event.preventDefault()
  return {
    x: currentCoordinates.x + target.left + (target.width - dragged.width) / 2 - dragged.left,
    y: currentCoordinates.y + target.top + Math.min(8, (target.height - dragged.height) / 2) - dragged.top,
  }
}

const labelOf = (active: Active) => (active.data.current as DragData | undefined)?.label ?? ''

interface DragData {
  move: Omit<Move, 'toCleaner' | 'toDate'>
  label: string
}

export function WeekBoard() {
  const { query } = useLocation()
  const monday = mondayOf(query.get('week') ?? today())
  const board = useLoad(() => loadBoard(monday), [monday])
  const [conflict, setConflict] = useState(false)
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string } | null>(null)
  const [busy, setBusy] = useState(false)
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 6 } }),
    useSensor(KeyboardSensor, { coordinateGetter: toNextCard }),
  )
  const days = weekOf(monday)

  const move = async (m: Move, label: string) => {
    if (!board.data) return
    const plan = planMove(board.data.tours, m)
    if (plan.kind === 'nothing') return
    setBusy(true)
    setMessage(null)
    const patch = (tour: Tour, days: Schemas['TourDay'][]) =>
      api.PATCH('/v1/tours/{id}', { params: { path: { id: tour.id }, header: { 'If-Match': etag(tour.version) } }, body: { days } })
    const failed = (error: unknown, status: number) => {
      if (status === 412) setConflict(true)
      else setMessage({ kind: 'error', text: problemOf(error)?.errors?.[0]?.message ?? problemOf(error)?.detail ?? t('common.failed') })
    }
    try {
      if (plan.kind === 'within') {
        const r = await patch(plan.tour, plan.days)
        if (r.error) return failed(r.error, r.response.status)
      } else {
        // The room first where it goes, then away from where it was: a failure leaves it
        // planned twice (which shows), never nowhere.
        if (plan.kind === 'between') {
          const r = await patch(plan.target, plan.targetDays)
          if (r.error) return failed(r.error, r.response.status)
        } else {
          const cleaner = board.data.cleaners.find((c) => c.id === plan.toCleaner)
          const shift = cleaner?.shifts.find((s) => s.day === plan.toDay)
          const r = await api.POST('/v1/tours', {
            body: {
              name: `${cleaner?.name ?? plan.toCleaner} ${formatDate(monday)}`,
              cleanerId: plan.toCleaner,
              startTime: shift?.from ?? '06:00',
              maxMinutesPerDay: cleaner?.maxMinutesPerDay ?? 480,
              days: [{ day: plan.toDay, areaIds: [m.areaId] }],
              validFrom: monday,
              validTo: addDays(monday, 6),
            },
          })
          if (r.error) return failed(r.error, r.response.status)
        }
        const r = await patch(plan.source, plan.sourceDays)
        if (r.error) return failed(r.error, r.response.status)
      }
      const cleaner = board.data.cleaners.find((c) => c.id === m.toCleaner)?.name ?? ''
      setMessage({ kind: 'success', text: t('board.moved', { room: label, cleaner, date: formatDate(m.toDate, 'long') }) })
    } finally {
      setBusy(false)
      board.reload()
    }
  }

  // What a screen reader hears while a room is dragged, in the cockpit's language.
  const announcements: Announcements = {
    onDragStart: ({ active }) => t('board.picked', { room: labelOf(active) }),
    onDragOver: ({ active, over }) => whereOver(active, over, 'board.dragOver'),
    onDragEnd: ({ active, over }) => whereOver(active, over, 'board.dropped'),
    onDragCancel: ({ active }) => t('board.cancelled', { room: labelOf(active) }),
  }
  const whereOver = (active: Active, over: Over | null, key: 'board.dragOver' | 'board.dropped') => {
    const target = over?.data.current as { cleanerId: string; date: string } | undefined
    if (!target) return t('board.outside', { room: labelOf(active) })
    const cleaner = board.data?.cleaners.find((c) => c.id === target.cleanerId)?.name ?? ''
    return t(key, { room: labelOf(active), cleaner, date: formatDate(target.date, 'long') })
  }

  const dragEnd = (event: DragEndEvent) => {
    const data = event.active.data.current as DragData | undefined
    const target = event.over?.data.current as { cleanerId: string; date: string } | undefined
    if (data && target) void move({ ...data.move, toCleaner: target.cleanerId, toDate: target.date }, data.label)
  }

  return (
    <>
      <PageHeader
        title={t('board.title')}
        actions={
          <div className="week-nav" role="group" aria-label={t('board.week')}>
            <button type="button" className="button" onClick={() => navigate(`/week?week=${addDays(monday, -7)}`)}>
              ‹ {t('board.previous')}
            </button>
            <button type="button" className="button" onClick={() => navigate('/week')}>
              {t('board.thisWeek')}
            </button>
            <button type="button" className="button" onClick={() => navigate(`/week?week=${addDays(monday, 7)}`)}>
              {t('board.next')} ›
            </button>
          </div>
        }
      >
        <p className="muted">
          {formatDate(monday, 'long')} – {formatDate(addDays(monday, 6), 'long')}
        </p>
      </PageHeader>
      {conflict && <Conflict onReload={() => (setConflict(false), board.reload())} />}
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {!board.data ? (
        board.error ? <Notice kind="error">{problemOf(board.error)?.detail ?? t('common.failed')}</Notice> : <Spinner />
      ) : board.data.cleaners.length === 0 ? (
        <Empty>{t('board.noCleaners')}</Empty>
      ) : (
        <DndContext sensors={sensors} onDragEnd={dragEnd} accessibility={{ announcements, screenReaderInstructions: { draggable: t('board.dragHelp') } }}>
          <div className={`board${busy ? ' busy' : ''}`} aria-busy={busy}>
            <div className="board-head" aria-hidden="true">
              <span />
              {days.map((d) => (
                <span key={d} className={d === today() ? 'today' : undefined}>
                  {formatDate(d)}
                </span>
              ))}
            </div>
            {board.data.cleaners.map((cleaner) => (
              <section key={cleaner.id} className="board-row" aria-label={cleaner.name}>
                <h2 className="board-cleaner">{cleaner.name}</h2>
                {days.map((date) => (
                  <DayCard key={date} board={board.data as Board} cleaner={cleaner} date={date} onMove={(m, label) => void move(m, label)} />
                ))}
              </section>
            ))}
          </div>
        </DndContext>
      )}
      {board.data && <UncoveredTray uncovered={board.data.uncovered} monday={monday} />}
    </>
  )
}

function DayCard({ board, cleaner, date, onMove }: { board: Board; cleaner: Cleaner; date: string; onMove: (m: Move, label: string) => void }) {
  const weekday = weekdayOf(date)
  const tour = tourOf(board.tours, cleaner.id, date)
  const stops = stopsOf(tour, weekday)
  const load = tour?.load?.find((l) => l.day === weekday)
  const minutes = load?.plannedMinutes ?? stops.reduce((sum, s) => sum + (board.areas.get(s.areaId)?.minutesPerCleaning ?? 0), 0)
  const max = load?.maxMinutes ?? cleaner.maxMinutesPerDay
  const over = minutes > max
  const { setNodeRef, isOver } = useDroppable({ id: `cell:${cleaner.id}:${date}`, data: { cleanerId: cleaner.id, date } })
  const dayLabel = `${cleaner.name}, ${formatDate(date)}`
  return (
    <div ref={setNodeRef} className={`day-card${over ? ' over' : ''}${isOver ? ' drop' : ''}`} role="group" aria-label={dayLabel}>
      {stops.length > 0 || minutes > 0 ? (
        <>
          <LoadBar minutes={minutes} max={max} label={t('board.load', { who: dayLabel })} />
          <p className={`load-text${over ? ' over' : ''}`}>
            {formatMinutes(minutes)} / {formatMinutes(max)}
            {over && ` · ${t('board.over', { time: formatMinutes(minutes - max) })}`}
            <button type="button" className="sheet-link" onClick={() => void openSheet(cleaner, date)} aria-label={t('board.sheet', { who: dayLabel })} title={t('board.sheet', { who: dayLabel })}>
              PDF
            </button>
          </p>
        </>
      ) : null}
      <ol className="stops">
        {stops.map((stop, i) => {
          const site = board.areas.get(stop.areaId)?.siteId
          // The site is named where the day reaches it, not on every room of it.
          const newSite = i === 0 || site !== board.areas.get(stops[i - 1]?.areaId ?? '')?.siteId
          return tour ? (
            <StopChip key={stop.areaId} stop={stop} tour={tour} weekday={weekday} board={board} cleaner={cleaner} date={date} showSite={newSite} onMove={onMove} />
          ) : null
        })}
      </ol>
    </div>
  )
}

/** The day's printable tour sheet (a PDF the API makes, with each room's QR code), in a new
 * tab; fetched with the session's token, which a plain link would not carry. */
async function openSheet(cleaner: Cleaner, date: string) {
  const tab = window.open('', '_blank')
  const { data } = await api.GET('/v1/tour-sheets', {
    params: { query: { date, cleanerId: cleaner.id, format: 'pdf' } },
    parseAs: 'blob',
  })
  if (!data) return tab?.close()
  const url = URL.createObjectURL(data as Blob)
  if (tab) tab.location.href = url
  else {
    const link = document.createElement('a')
    link.href = url
    link.download = `tourenblatt-${date}.pdf`
    link.click()
  }
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}

function StopChip({
  stop,
  tour,
  weekday,
  board,
  cleaner,
  date,
  showSite,
  onMove,
}: {
  stop: CardStop
  tour: Tour
  weekday: Weekday
  board: Board
  cleaner: Cleaner
  date: string
  showSite: boolean
  onMove: (m: Move, label: string) => void
}) {
  const area = board.areas.get(stop.areaId)
  const name = area?.name ?? t('board.unknownRoom')
  const site = area ? board.sites.get(area.siteId) : undefined
  const move = { areaId: stop.areaId, fromTour: tour, fromDay: weekday }
  const { attributes, listeners, setNodeRef, transform, isDragging } = useDraggable({
    id: `stop:${tour.id}:${weekday}:${stop.areaId}`,
    data: { move, label: name } satisfies DragData,
  })
  const [menu, setMenu] = useState(false)
  const style = transform ? { transform: `translate3d(${transform.x}px, ${transform.y}px, 0)` } : undefined
  const time = stop.start ?? ''
  return (
    <li className={`stop${isDragging ? ' dragging' : ''}${stop.warnings.length ? ' warn' : ''}`} style={style}>
      <button
        ref={setNodeRef}
        type="button"
        className="stop-handle"
        title={stop.warnings.join('\n') || undefined}
        {...listeners}
        {...attributes}
      >
        <span className="line">
          {time && <span className="time">{time}</span>}
          <span className="room">{name}</span>
        </span>
        {site && showSite && <span className="site">{site}</span>}
        <span className="visually-hidden">{t('board.stopWhere', { who: cleaner.name, date: formatDate(date) })}</span>
      </button>
      <button type="button" className="stop-menu" aria-label={t('board.moveRoom', { room: name })} aria-expanded={menu} onClick={() => setMenu(!menu)}>
        ⋯
      </button>
      {menu && <MoveMenu board={board} date={date} cleaner={cleaner} onPick={(toCleaner, toDate) => (setMenu(false), onMove({ ...move, toCleaner, toDate }, name))} />}
    </li>
  )
}

/** Moving without dragging: pick the cleaner and the day. */
function MoveMenu({ board, date, cleaner, onPick }: { board: Board; date: string; cleaner: Cleaner; onPick: (cleanerId: string, date: string) => void }) {
  const [to, setTo] = useState(cleaner.id)
  const [day, setDay] = useState(date)
  const days = weekOf(mondayOf(date))
  return (
    <div className="move-menu">
      <label>
        {t('board.toCleaner')}
        <select value={to} onChange={(e) => setTo(e.target.value)}>
          {board.cleaners.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('board.toDay')}
        <select value={day} onChange={(e) => setDay(e.target.value)}>
          {days.map((d) => (
            <option key={d} value={d}>
              {formatDate(d)}
            </option>
          ))}
        </select>
      </label>
      <button type="button" className="button primary" onClick={() => onPick(to, day)}>
        {t('board.move')}
      </button>
    </div>
  )
}

function UncoveredTray({ uncovered, monday }: { uncovered: Schemas['UncoveredStops']; monday: string }) {
  const count = useMemo(() => uncovered.items.reduce((n, d) => n + d.tour.stops.filter((s) => !s.closed).length, 0), [uncovered])
  const [message, setMessage] = useState<string | null>(null)
  const replan = async () => {
    const { data, error } = await api.POST('/v1/plans', { body: { weekStart: monday, keep: 'unaffected' } })
    if (error) return setMessage(problemOf(error)?.detail ?? t('common.failed'))
    navigate(`/plans/${data.id}`)
  }
  return (
    <aside className="tray" aria-labelledby="tray-title">
      <h2 id="tray-title">
        {t('board.uncovered')} <span className="badge">{count}</span>
      </h2>
      {count === 0 ? (
        <p className="muted">{t('board.allCovered')}</p>
      ) : (
        <>
          <ul className="tray-items">
            {uncovered.items.map((day) =>
              day.tour.stops
                .filter((s) => !s.closed)
                .map((s) => (
                  <li key={`${day.date}-${day.cleanerId}-${s.areaId}`}>
                    <span className="date">{formatDate(day.date)}</span> {s.areaName} <span className="muted">· {s.siteName} · {s.uncovered}</span>
                  </li>
                )),
            )}
          </ul>
          {message && <Notice kind="error">{message}</Notice>}
          <button type="button" className="button primary" onClick={() => void replan()}>
            {t('board.replan')}
          </button>
        </>
      )}
    </aside>
  )
}
