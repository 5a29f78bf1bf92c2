// Calendar dates as the API writes them (`YYYY-MM-DD`), with no time zone in between.

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const
export type Weekday = (typeof WEEKDAYS)[number]

function parse(date: string): Date {
  const [y, m, d] = date.split('-').map(Number)
  return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1))
}

function write(date: Date): string {
  return date.toISOString().slice(0, 10)
}

export function addDays(date: string, days: number): string {
  const d = parse(date)
  d.setUTCDate(d.getUTCDate() + days)
  return write(d)
}

/** 0 for Monday ... 6 for Sunday. */
export function weekdayIndex(date: string): number {
  return (parse(date).getUTCDay() + 6) % 7
}

export function weekdayOf(date: string): Weekday {
  return WEEKDAYS[weekdayIndex(date)] ?? 'mon'
}

/** The Monday of `date`'s week. */
export function mondayOf(date: string): string {
  return addDays(date, -weekdayIndex(date))
}

/** The seven dates of the week starting `monday`. */
export function weekOf(monday: string): string[] {
  return WEEKDAYS.map((_, i) => addDays(monday, i))
}

/** Today where `timeZone` is (the site's), as a date. */
export function today(timeZone?: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date())
  return parts
}

/** The month (`YYYY-MM`) of a date. */
export function monthOf(date: string): string {
  return date.slice(0, 7)
}

/** The month before or after. */
export function addMonths(month: string, months: number): string {
  const [y, m] = month.split('-').map(Number)
  const d = new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1 + months, 1))
  return d.toISOString().slice(0, 7)
}

/** Whether `date` lies within a tour's validity (open ends: null). */
export function inForce(date: string, from?: string | null, to?: string | null): boolean {
  return (!from || from <= date) && (!to || date <= to)
}
