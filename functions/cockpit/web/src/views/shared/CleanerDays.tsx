// A week as a grid, a cleaner a row and a date a column: the plan's days, a simulation's
// risks. What a cell shows is the caller's.
import type { ReactNode } from 'react'
import { formatDate, t } from '../../i18n/i18n'

export function CleanerDays({
  dates,
  cleaners,
  names,
  className,
  cell,
}: {
  dates: string[]
  cleaners: string[]
  names: Map<string, string>
  className?: string
  cell: (cleaner: string, date: string) => ReactNode
}) {
  return (
    <div className="table-scroll">
      <table className={`table plan-days ${className ?? ''}`}>
        <thead>
          <tr>
            <th scope="col">{t('nav.cleaners')}</th>
            {dates.map((d) => (
              <th key={d} scope="col">
                {formatDate(d)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {cleaners.map((cleaner) => (
            <tr key={cleaner}>
              <th scope="row">{names.get(cleaner) ?? cleaner}</th>
              {dates.map((date) => (
                <td key={date}>{cell(cleaner, date)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
