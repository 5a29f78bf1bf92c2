import { describe, expect, it } from 'vitest'
import { parseDecimal } from './decimal'

describe('parseDecimal', () => {
  it('reads what German, French and English spreadsheets and people type', () => {
    expect(parseDecimal('1.234,5')).toBe('1234.5')
    expect(parseDecimal('1 234,50')).toBe('1234.50')
    expect(parseDecimal('1234.50')).toBe('1234.50')
    expect(parseDecimal('-2')).toBe('-2')
    expect(parseDecimal("1'234.5")).toBe('1234.5')
  })

  it('refuses what is not an exact decimal of at most four places', () => {
    expect(parseDecimal('1e3')).toBeNull()
    expect(parseDecimal('abc')).toBeNull()
    expect(parseDecimal('1,23456')).toBeNull()
    expect(parseDecimal('')).toBeNull()
  })
})
