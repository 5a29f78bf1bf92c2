import { describe, expect, it } from 'vitest'
import { decodeSpreadsheet, toCsv } from './text'

describe('spreadsheet text', () => {
  it('reads UTF-8 and drops its byte-order mark', () => {
    const bytes = new TextEncoder().encode('\uFEFFRaum;Fläche (m²)\n')
    expect(decodeSpreadsheet(bytes)).toBe('Raum;Fläche (m²)\n')
  })

  it('reads what German Excel saves (Windows-1252)', () => {
    // "Fläche;Büro" in Windows-1252: ä = 0xE4, ü = 0xFC.
    const bytes = new Uint8Array([0x46, 0x6c, 0xe4, 0x63, 0x68, 0x65, 0x3b, 0x42, 0xfc, 0x72, 0x6f])
    expect(decodeSpreadsheet(bytes)).toBe('Fläche;Büro')
  })

  it('quotes fields that hold the separator, quotes or line breaks', () => {
    expect(toCsv([['Büro 1; Nord', 'say "hi"', 3], ['a\nb', null, 1.5]])).toBe('"Büro 1; Nord";"say ""hi""";3\r\n"a\nb";;1.5\r\n')
    expect(toCsv([['a,b', 'c']], ',')).toBe('"a,b",c\r\n')
  })
})
