// Quality inspections: each room scored by APPA level (1 = spotless … 5 = neglected), the
// month's score per site, and a new inspection recorded room by room.
import { useState, type FormEvent } from 'react'
import { api } from '../../api/client'
import { formatDate, formatMonth, formatNumber, t } from '../../i18n/i18n'
import { monthOf, today } from '../../lib/dates'
import { unwrap, useLoad } from '../../lib/useLoad'
import { Empty, Field, PageHeader, Spinner } from '../../ui/kit'
import { ProblemNotice, useProblem } from '../../ui/problem'
import { MonthStepper, SiteSelect } from '../shared/Pickers'
import { loadAreas } from './SitePage'
import { loadSites } from './Sites'

export function Inspections() {
  const sites = useLoad(loadSites, [])
  const [chosen, setChosen] = useState('')
  const [month, setMonth] = useState(monthOf(today()))
  const siteId = chosen || sites.data?.[0]?.id || ''
  const summary = useLoad(
    () => (siteId ? unwrap(api.GET('/v1/inspections/summary', { params: { query: { siteId, month } } })) : Promise.resolve(null)),
    [siteId, month],
  )
  const list = useLoad(
    () => (siteId ? unwrap(api.GET('/v1/inspections', { params: { query: { siteId, orderBy: '-date', limit: 50 } } })) : Promise.resolve(null)),
    [siteId],
  )
  const areas = useLoad(() => (siteId ? loadAreas(siteId) : Promise.resolve([])), [siteId])
  const names = new Map((areas.data ?? []).map((a) => [a.id, a.name]))
  return (
    <>
      <PageHeader title={t('inspections.title')}>
        <p className="muted">{t('inspections.intro')}</p>
      </PageHeader>
      <div className="toolbar">
        <SiteSelect sites={sites.data ?? []} value={siteId} onChange={setChosen} />
        <MonthStepper month={month} onChange={setMonth} />
      </div>
      {summary.data && (
        <p className="score">
          {formatMonth(month)}: {summary.data.scorePercent == null ? t('inspections.noScore') : t('inspections.score', { score: formatNumber(summary.data.scorePercent, 1), count: summary.data.inspections })}
        </p>
      )}
      {siteId && <InspectionForm siteId={siteId} areas={areas.data ?? []} onSaved={() => (summary.reload(), list.reload())} />}
      <h2>{t('inspections.recent')}</h2>
      {!list.data ? (
        sites.data?.length === 0 ? <Empty>{t('sites.none')}</Empty> : <Spinner />
      ) : list.data.items.length === 0 ? (
        <Empty>{t('inspections.none')}</Empty>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('inspections.date')}</th>
              <th scope="col">{t('inspections.rooms')}</th>
              <th scope="col" className="number">{t('inspections.scoreColumn')}</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((i) => (
              <tr key={i.id}>
                <td>{formatDate(i.date)}</td>
                <td>{i.areas.map((a) => `${names.get(a.areaId) ?? a.areaId}${a.appaLevel ? ` (${a.appaLevel})` : ''}`).join(', ')}</td>
                <td className="number">{formatNumber(i.scorePercent, 1)} %</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  )
}

function InspectionForm({ siteId, areas, onSaved }: { siteId: string; areas: { id: string; name: string }[]; onSaved: () => void }) {
  const [date, setDate] = useState(today())
  const [levels, setLevels] = useState<Record<string, string>>({})
  const problem = useProblem()
  const errors = problem.errors
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const scored = Object.entries(levels).filter(([, level]) => level)
    const { error } = await api.POST('/v1/inspections', {
      body: { siteId, date, areas: scored.map(([areaId, level]) => ({ areaId, appaLevel: Number(level) })) },
    })
    if (error) return problem.fail(error)
    setLevels({})
    problem.clear()
    onSaved()
  }
  if (areas.length === 0) return null
  return (
    <form onSubmit={(e) => void submit(e)} className="panel" aria-labelledby="new-inspection">
      <h2 id="new-inspection">{t('inspections.add')}</h2>
      <ProblemNotice problem={problem} />
      <Field label={t('inspections.date')} error={errors.date}>
        {(p) => <input {...p} type="date" required value={date} onChange={(e) => setDate(e.target.value)} />}
      </Field>
      <div className="appa-grid">
        {areas.map((area) => (
          <label key={area.id}>
            <span>{area.name}</span>
            <select value={levels[area.id] ?? ''} onChange={(e) => setLevels({ ...levels, [area.id]: e.target.value })}>
              <option value="">{t('inspections.notInspected')}</option>
              {[1, 2, 3, 4, 5].map((l) => (
                <option key={l} value={l}>
                  {t('inspections.level', { level: l })}
                </option>
              ))}
            </select>
          </label>
        ))}
      </div>
      {errors.areas && <p className="field-error">{errors.areas}</p>}
      <div className="form-actions">
        <button className="button primary">{t('inspections.save')}</button>
      </div>
    </form>
  )
}
