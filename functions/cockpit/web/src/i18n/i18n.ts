// Message catalogues (German first: the source every other language must match, which the
// type checker enforces) and formatting in the site's time zone and the user's locale.
import { useSyncExternalStore } from 'react'
import { de, type MessageKey } from './de'
import { en } from './en'
import { fr } from './fr'
import { it } from './it'

export type Language = 'de' | 'en' | 'fr' | 'it'
export const LANGUAGES: Language[] = ['de', 'en', 'fr', 'it']
const CATALOGUES: Record<Language, Record<MessageKey, string>> = { de, en, fr, it }
const STORAGE_KEY = 'cleanops.language'

function initial(): Language {
  const stored = localStorage.getItem(STORAGE_KEY)
  if (stored && (LANGUAGES as string[]).includes(stored)) return stored as Language
  const browser = navigator.language.slice(0, 2)
  return (LANGUAGES as string[]).includes(browser) ? (browser as Language) : 'de'
}

let language: Language = initial()
const listeners = new Set<() => void>()

export function setLanguage(next: Language, remember = true): void {
  if (remember) localStorage.setItem(STORAGE_KEY, next)
  language = next
  document.documentElement.lang = next
  listeners.forEach((l) => l())
}

/** The user's language from her account, unless she chose one on this device. */
export function adoptLanguage(account: string): void {
  if (!localStorage.getItem(STORAGE_KEY) && (LANGUAGES as string[]).includes(account)) {
    setLanguage(account as Language, false)
  }
}

export function currentLanguage(): Language {
  return language
}

/** The locale numbers and dates are written in: the browser's, if it is of this language. */
export function locale(): string {
  return navigator.language.startsWith(language) ? navigator.language : language
}

/** A message, with `{name}` replaced by `vars.name`. */
export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  const text = CATALOGUES[language][key] ?? de[key]
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in vars ? String(vars[name]) : whole,
  )
}

/** Re-renders on a change of language. */
export function useLanguage(): Language {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    () => language,
  )
}

export function formatNumber(value: number, digits = 0): string {
  return new Intl.NumberFormat(locale(), {
    maximumFractionDigits: digits,
    minimumFractionDigits: 0,
  }).format(value)
}

/** `2026-12-07` as a weekday and date, in the user's words. */
export function formatDate(isoDate: string, style: 'long' | 'short' = 'short'): string {
  const [y, m, d] = isoDate.split('-').map(Number)
  const date = new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1))
  return new Intl.DateTimeFormat(locale(), {
    timeZone: 'UTC',
    weekday: style === 'long' ? 'long' : 'short',
    day: 'numeric',
    month: style === 'long' ? 'long' : 'numeric',
    year: style === 'long' ? 'numeric' : undefined,
  }).format(date)
}

/** A calendar date as documents write it: `01.11.2026` (German), `01/11/2026` (French). */
export function formatDay(isoDate: string): string {
  const [y, m, d] = isoDate.split('-').map(Number)
  const date = new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1))
  return new Intl.DateTimeFormat(locale(), { timeZone: 'UTC', day: '2-digit', month: '2-digit', year: 'numeric' }).format(date)
}

/** An instant as a wall-clock time where it happens (the site's time zone). */
export function formatTime(instant: string, timeZone: string): string {
  return new Intl.DateTimeFormat(locale(), {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(instant))
}

/** An instant as date and time in `timeZone`. */
export function formatDateTime(instant: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale(), {
    timeZone,
    dateStyle: 'short',
    timeStyle: 'short',
  }).format(new Date(instant))
}

/** A month `2026-11` in words. */
export function formatMonth(month: string): string {
  const [y, m] = month.split('-').map(Number)
  return new Intl.DateTimeFormat(locale(), { timeZone: 'UTC', month: 'long', year: 'numeric' }).format(
    new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, 1)),
  )
}

/** Minutes as hours and minutes (`2 h 05`). */
export function formatMinutes(minutes: number): string {
  const total = Math.round(minutes)
  const h = Math.floor(total / 60)
  const m = total % 60
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')}` : `${m} min`
}

/** A role in words. */
export function roleLabel(role: 'admin' | 'dispatcher' | 'cleaner' | 'customer'): string {
  const keys = {
    admin: 'role.admin',
    dispatcher: 'role.dispatcher',
    cleaner: 'role.cleaner',
    customer: 'role.customer',
  } as const
  return t(keys[role])
}
