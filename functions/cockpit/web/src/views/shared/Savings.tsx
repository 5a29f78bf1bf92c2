// What sensors saved at a site in a month: per room, the cleanings its frequency gives
// against those done, and the minutes saved (or added), as dispatchers and customers see it.
import type { Schemas } from '../../api/client'
import { api } from '../../api/client'
import { formatDate, formatMinutes, formatMonth, formatNumber, t } from '../../i18n/i18n'
import { unwrap, useLoad } from '../../lib/useLoad'
import { Empty, Notice, Spinner } from '../../ui/kit'

type SiteSavings = Schemas['SiteSavings']
type AreaSavings = Schemas['AreaSavings']

export function loadSavings(siteId: string, month: string): Promise<SiteSavings> {
  return unwrap(api.GET('/v1/savings', { params: { query: { siteId, month } } }))
}

/** The month's report for a site: the totals, then a bar pair per room. */
export function Savings({ siteId, month }: { siteId: string; month: string }) {
  const report = useLoad(() => loadSavings(siteId, month), [siteId, month])
  if (report.error) return <Notice kind="error">{t('common.failed')}</Notice>
  if (!report.data) return <Spinner />
  return <SavingsReport report={report.data} />
}

export function SavingsReport({ report }: { report: SiteSavings }) {
  if (report.areas.length === 0) return <Empty>{t('savings.none')}</Empty>
  const scale = Math.max(1, ...report.areas.map((a) => Math.max(a.byFrequency, a.done)))
  const minutes = report.totals.minutesSaved
  return (
    <section className="savings" aria-labelledby="savings-title">
      <h2 id="savings-title">
        {t('savings.title')} · {report.siteName} · {formatMonth(report.month)}
      </h2>
      <dl className="figures">
        <div>
          <dt>{t('savings.byFrequency')}</dt>
          <dd>{formatNumber(report.totals.byFrequency, 1)}</dd>
        </div>
        <div>
          <dt>{t('savings.done')}</dt>
          <dd>{report.totals.done}</dd>
        </div>
        <div className={minutes >= 0 ? 'good' : 'bad'}>
          <dt>{minutes >= 0 ? t('savings.saved') : t('savings.added')}</dt>
          <dd>
            {formatMinutes(Math.abs(minutes))}
            <span className="small muted">
              {' · '}
              {Math.abs(report.totals.savedCleanings) === 1
                ? t('savings.oneCleaning')
                : t('savings.cleanings', { count: formatNumber(Math.abs(report.totals.savedCleanings), 1) })}
            </span>
          </dd>
        </div>
      </dl>
      <p className="muted">
        {t('savings.basis', { days: report.workingDays, until: formatDate(report.countedUntil), closed: report.closedDays.length })}
      </p>
      <ul className="savings-chart">
        {report.areas.map((area) => (
          <AreaBars key={area.areaId} area={area} scale={scale} />
        ))}
      </ul>
      <p className="legend muted">
        <span className="swatch frequency" aria-hidden="true" /> {t('savings.byFrequency')}
        <span className="swatch done" aria-hidden="true" /> {t('savings.done')}
      </p>
    </section>
  )
}

function AreaBars({ area, scale }: { area: AreaSavings; scale: number }) {
  const width = (value: number) => `${Math.max(0.5, (value / scale) * 100)}%`
  const triggers = area.triggers
  const why = [
    triggers.limit && t('savings.limit', { count: triggers.limit }),
    triggers.fallback && t('savings.fallback', { count: triggers.fallback }),
    triggers.button && t('savings.button', { count: triggers.button }),
    triggers.level && t('savings.level', { count: triggers.level }),
    triggers.scheduled && t('savings.scheduled', { count: triggers.scheduled }),
  ].filter(Boolean)
  const saved = area.minutesSaved
  return (
    <li>
      <div className="savings-head">
        <strong>{area.areaName}</strong>
        <span className={saved > 0 ? 'good' : saved < 0 ? 'bad' : 'muted'}>
          {area.done === 0
            ? t('savings.noCleaning')
            : saved === 0
            ? t('savings.even')
            : t(saved > 0 ? 'savings.savedMinutes' : 'savings.addedMinutes', {
                minutes: formatMinutes(Math.abs(saved)),
              })}
        </span>
      </div>
      <div
        className="bar frequency"
        style={{ width: width(area.byFrequency) }}
        role="img"
        aria-label={`${t('savings.byFrequency')}: ${formatNumber(area.byFrequency, 1)}`}
      >
        <span>{formatNumber(area.byFrequency, 1)}</span>
      </div>
      <div
        className="bar done"
        style={{ width: width(area.done) }}
        role="img"
        aria-label={`${t('savings.done')}: ${area.done}`}
      >
        <span>{area.done}</span>
      </div>
      {why.length > 0 && <p className="muted small">{why.join(' · ')}</p>}
    </li>
  )
}
