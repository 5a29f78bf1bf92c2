import { describe, expect, it } from 'vitest'
import { nextCell, planMove, stopsOf, tourOf, withStop, withoutStop, type Tour } from './board'

function tour(id: string, cleanerId: string, days: Tour['days'], validFrom?: string, validTo?: string): Tour {
  return {
    id,
    version: 1,
    createdAt: '',
    updatedAt: '',
    name: id,
    cleanerId,
    tourType: 'regular',
    startTime: '06:00',
    maxMinutesPerDay: 480,
    days,
    validFrom: validFrom ?? null,
    validTo: validTo ?? null,
    load: [],
    warnings: [],
  } as Tour
}

const standing = tour('t1', 'maria', [
  { day: 'mon', areaIds: ['a1', 'a2'], stops: [{ areaId: 'a1', arrival: '06:00', start: '06:00', end: '06:20' }] },
  { day: 'tue', areaIds: ['a3'] },
])
const week = tour('t2', 'maria', [{ day: 'mon', areaIds: ['a9'] }], '2026-12-07', '2026-12-13')
const ben = tour('t3', 'ben', [{ day: 'wed', areaIds: ['b1'] }])

describe('the week board', () => {
  it('takes the tour in force that runs on the weekday', () => {
    expect(tourOf([standing, ben], 'maria', '2026-12-07')?.id).toBe('t1')
    expect(tourOf([week, standing], 'maria', '2026-12-07')?.id).toBe('t2')
    expect(tourOf([week, standing], 'maria', '2026-12-14')?.id).toBe('t1')
    expect(tourOf([standing], 'ben', '2026-12-07')).toBeUndefined()
  })

  it('shows a day stops in order with their times where the tour has them', () => {
    expect(stopsOf(standing, 'mon')).toEqual([
      { areaId: 'a1', start: '06:00', end: '06:20', warnings: [] },
      { areaId: 'a2', warnings: [] },
    ])
    expect(stopsOf(standing, 'sun')).toEqual([])
  })

  it('writes days without the server-set stop times', () => {
    const days = withoutStop(standing.days, 'mon', 'a1')
    expect(days[0]).toEqual({ day: 'mon', areaIds: ['a2'] })
    expect(withStop(days, 'fri', 'a1').at(-1)).toEqual({ day: 'fri', areaIds: ['a1'] })
    expect(withStop(days, 'tue', 'a3')[1]).toEqual({ day: 'tue', areaIds: ['a3'] })
  })

  it('moves within one tour in one write, and between tours target first', () => {
    const within = planMove([standing, ben], { areaId: 'a1', fromTour: standing, fromDay: 'mon', toCleaner: 'maria', toDate: '2026-12-08' })
    expect(within.kind).toBe('within')
    if (within.kind === 'within') expect(within.days.map((d) => d.areaIds)).toEqual([['a2'], ['a3', 'a1']])
    const between = planMove([standing, ben], { areaId: 'a1', fromTour: standing, fromDay: 'mon', toCleaner: 'ben', toDate: '2026-12-09' })
    expect(between.kind).toBe('between')
    if (between.kind === 'between') {
      expect(between.target.id).toBe('t3')
      expect(between.targetDays).toEqual([{ day: 'wed', areaIds: ['b1', 'a1'] }])
      expect(between.sourceDays[0]).toEqual({ day: 'mon', areaIds: ['a2'] })
    }
    expect(planMove([standing], { areaId: 'a1', fromTour: standing, fromDay: 'mon', toCleaner: 'maria', toDate: '2026-12-07' }).kind).toBe('nothing')
    expect(planMove([standing], { areaId: 'a1', fromTour: standing, fromDay: 'mon', toCleaner: 'lea', toDate: '2026-12-07' }).kind).toBe('new-tour')
  })
})

describe('moving by keyboard', () => {
  // Two rows of three cells, 100 wide and 50 high, 10 apart.
  const cells = [0, 1].flatMap((row) => [0, 1, 2].map((col) => ({ id: `${row}${col}`, left: col * 110, top: row * 60, width: 100, height: 50 })))
  const centre = (id: string) => {
    const c = cells.find((x) => x.id === id)!
    return { x: c.left + c.width / 2, y: c.top + c.height / 2 }
  }

  it('goes to the next cell of the row or the column, and stops at the edge', () => {
    expect(nextCell(cells, centre('00'), 'ArrowRight')?.id).toBe('01')
    expect(nextCell(cells, centre('01'), 'ArrowLeft')?.id).toBe('00')
    expect(nextCell(cells, centre('01'), 'ArrowDown')?.id).toBe('11')
    expect(nextCell(cells, centre('12'), 'ArrowUp')?.id).toBe('02')
    expect(nextCell(cells, centre('02'), 'ArrowRight')).toBeUndefined()
    expect(nextCell(cells, centre('00'), 'Enter')).toBeUndefined()
  })

  it('leaves the cell it is in, wherever in that cell it was picked up', () => {
    // A room near the top left of the first cell: that cell's centre lies right of and below it.
    expect(nextCell(cells, { x: 30, y: 10 }, 'ArrowRight')?.id).toBe('01')
    expect(nextCell(cells, { x: 30, y: 10 }, 'ArrowDown')?.id).toBe('10')
    expect(nextCell(cells, { x: 80, y: 40 }, 'ArrowLeft')).toBeUndefined()
    expect(nextCell(cells, { x: 80, y: 40 }, 'ArrowUp')).toBeUndefined()
  })
})
