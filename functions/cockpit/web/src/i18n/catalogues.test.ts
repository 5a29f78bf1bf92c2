import { describe, expect, it } from 'vitest'
import { de } from './de'
import { en } from './en'
import { fr } from './fr'
import { it as italian } from './it'

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

describe('message catalogues', () => {
  for (const [name, catalogue] of Object.entries({ en, fr, it: italian })) {
    it(`${name} fills the same placeholders as German`, () => {
      for (const [key, text] of Object.entries(de)) {
        const translated = (catalogue as Record<string, string>)[key] ?? ''
        expect(translated.trim(), key).not.toBe('')
        expect(placeholders(translated), key).toEqual(placeholders(text))
      }
    })
  }
})
