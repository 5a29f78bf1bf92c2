// Choosing what a report shows: a site, a month.
import type { Schemas } from '../../api/client'
import { formatMonth, t } from '../../i18n/i18n'
import { addMonths } from '../../lib/dates'
import { Field } from '../../ui/kit'

export function SiteSelect({ sites, value, onChange }: { sites: Schemas['SiteView'][]; value: string; onChange: (id: string) => void }) {
  return (
    <Field label={t('proof.site')}>
      {(p) => (
        <select {...p} value={value} onChange={(e) => onChange(e.target.value)}>
          {sites.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      )}
    </Field>
  )
}

/** The month shown, a month back or ahead (not past `last`). */
export function MonthStepper({ month, onChange, last }: { month: string; onChange: (month: string) => void; last?: string }) {
  return (
    <div className="week-nav" role="group" aria-label={t('proof.month')}>
      <button type="button" className="button" aria-label={t('proof.previousMonth')} onClick={() => onChange(addMonths(month, -1))}>
        ‹
      </button>
      <span className="month" aria-live="polite">
        {formatMonth(month)}
      </span>
      <button type="button" className="button" aria-label={t('proof.nextMonth')} onClick={() => onChange(addMonths(month, 1))} disabled={last !== undefined && month >= last}>
        ›
      </button>
    </div>
  )
}
