// The week board's rules, apart from the screen: which tour a cleaner works on a date, what
// a day card holds, and the tour days a move writes. Unit-tested in board.test.ts.
import type { Schemas } from '../api/client'
import { inForce, weekdayOf, type Weekday } from './dates'

export type Tour = Schemas['TourView']
type TourDay = Schemas['TourDay']

/** The tour a cleaner works on `date` (the one that runs that weekday, if several). */
export function tourOf(tours: Tour[], cleanerId: string, date: string): Tour | undefined {
  const weekday = weekdayOf(date)
  const mine = tours.filter((tour) => tour.cleanerId === cleanerId && inForce(date, tour.validFrom, tour.validTo))
  return mine.find((tour) => tour.days.some((d) => d.day === weekday && (d.areaIds ?? []).length > 0)) ?? mine[0]
}

export interface CardStop {
  areaId: string
  start?: string
  end?: string
  warnings: string[]
}

/** The stops of a tour's weekday, in order, with their times when the tour has them. */
export function stopsOf(tour: Tour | undefined, weekday: Weekday): CardStop[] {
  const day = tour?.days.find((d) => d.day === weekday)
  if (!day) return []
  const timed = new Map((day.stops ?? []).filter((s) => !s.oneOffJobId).map((s) => [s.areaId, s]))
  return (day.areaIds ?? []).map((areaId) => {
    const stop = timed.get(areaId)
    return stop ? { areaId, start: stop.start, end: stop.end, warnings: stop.warnings ?? [] } : { areaId, warnings: [] }
  })
}

/** A tour's days as a body sends them: the server times the stops again. */
function writable(days: TourDay[]): TourDay[] {
  return days.map((d) => ({
    day: d.day,
    areaIds: [...(d.areaIds ?? [])],
    ...(d.oneOffJobIds?.length ? { oneOffJobIds: [...d.oneOffJobIds] } : {}),
    ...(d.leave ? { leave: d.leave } : {}),
  }))
}

/** `days` without `areaId` on `weekday`. */
export function withoutStop(days: TourDay[], weekday: Weekday, areaId: string): TourDay[] {
  return writable(days).map((d) => (d.day === weekday ? { ...d, areaIds: (d.areaIds ?? []).filter((a) => a !== areaId) } : d))
}

/** `days` with `areaId` last on `weekday` (a day of its own if the tour had none). */
export function withStop(days: TourDay[], weekday: Weekday, areaId: string): TourDay[] {
  const out = writable(days)
  const day = out.find((d) => d.day === weekday)
  if (!day) return [...out, { day: weekday, areaIds: [areaId] }]
  const areaIds = day.areaIds ?? []
  if (!areaIds.includes(areaId)) day.areaIds = [...areaIds, areaId]
  return out
}

export interface Move {
  areaId: string
  fromTour: Tour
  fromDay: Weekday
  toCleaner: string
  toDate: string
}

/** The writes a move needs: one tour changed, or the target's then the source's. */
export type MovePlan =
  | { kind: 'within'; tour: Tour; days: TourDay[] }
  | { kind: 'between'; target: Tour; targetDays: TourDay[]; source: Tour; sourceDays: TourDay[] }
  | { kind: 'new-tour'; toCleaner: string; toDay: Weekday; source: Tour; sourceDays: TourDay[] }
  | { kind: 'nothing' }

export function planMove(tours: Tour[], move: Move): MovePlan {
  const toDay = weekdayOf(move.toDate)
  const target = tourOf(tours, move.toCleaner, move.toDate)
  if (target?.id === move.fromTour.id) {
    if (toDay === move.fromDay) return { kind: 'nothing' }
    return { kind: 'within', tour: target, days: withStop(withoutStop(target.days, move.fromDay, move.areaId), toDay, move.areaId) }
  }
  const sourceDays = withoutStop(move.fromTour.days, move.fromDay, move.areaId)
  if (!target) return { kind: 'new-tour', toCleaner: move.toCleaner, toDay, source: move.fromTour, sourceDays }
  return { kind: 'between', target, targetDays: withStop(target.days, toDay, move.areaId), source: move.fromTour, sourceDays }
}

export interface Box {
  id: string
  left: number
  top: number
  width: number
  height: number
}

/** The cell an arrow key moves to from `from` (a point): the nearest lying wholly that way,
 * rows and columns preferred over diagonals; none at the board's edge. The cell holding the
 * point is never the answer, however far its centre lies. */
export function nextCell(cells: Box[], from: { x: number; y: number }, key: string): Box | undefined {
  const direction: Record<string, [number, number]> = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1] }
  const way = direction[key]
  if (!way) return undefined
  const [dx, dy] = way
  let best: { cell: Box; cost: number } | undefined
  for (const cell of cells) {
    // How far the cell's near edge lies beyond the point, that way.
    const gap = dx > 0 ? cell.left - from.x : dx < 0 ? from.x - (cell.left + cell.width) : dy > 0 ? cell.top - from.y : from.y - (cell.top + cell.height)
    if (gap < 0) continue
    const x = cell.left + cell.width / 2 - from.x
    const y = cell.top + cell.height / 2 - from.y
    const cost = gap + 3 * Math.abs(x * dy + y * dx)
    if (!best || cost < best.cost) best = { cell, cost }
  }
  return best?.cell
}
