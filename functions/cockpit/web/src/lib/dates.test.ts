import { describe, expect, it } from 'vitest'
import { addDays, addMonths, inForce, mondayOf, weekdayOf, weekOf } from './dates'

describe('dates', () => {
  it('finds the Monday of a week, across a month and a year', () => {
    expect(mondayOf('2026-12-06')).toBe('2026-11-30')
    expect(mondayOf('2027-01-01')).toBe('2026-12-28')
    expect(mondayOf('2026-12-07')).toBe('2026-12-07')
  })

  it('names weekdays as the API does and lists a week', () => {
    expect(weekdayOf('2026-12-07')).toBe('mon')
    expect(weekdayOf('2026-12-13')).toBe('sun')
    expect(weekOf('2026-12-28')).toEqual(['2026-12-28', '2026-12-29', '2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02', '2027-01-03'])
  })

  it('adds days across daylight saving changes without drifting', () => {
    expect(addDays('2026-03-28', 2)).toBe('2026-03-30')
    expect(addDays('2026-10-24', 2)).toBe('2026-10-26')
  })

  it('steps months across years', () => {
    expect(addMonths('2026-01', -1)).toBe('2025-12')
    expect(addMonths('2026-12', 1)).toBe('2027-01')
  })

  it('treats missing validity ends as open', () => {
    expect(inForce('2026-12-07', null, null)).toBe(true)
    expect(inForce('2026-12-07', '2026-12-07', '2026-12-13')).toBe(true)
    expect(inForce('2026-12-14', '2026-12-07', '2026-12-13')).toBe(false)
    expect(inForce('2026-12-06', '2026-12-07', undefined)).toBe(false)
  })
})
