// Rooms from a spreadsheet: the file (or pasted text) is checked by the API without writing
// (dryRun), every bad field shown on its row; then all rooms are imported in one commit, or
// none. German and French spreadsheets (semicolons, decimal commas, Windows-1252) are read
// as they are saved.
import { useState, type ChangeEvent } from 'react'
import { api, type Schemas } from '../../api/client'
import { formatMinutes, formatNumber, t } from '../../i18n/i18n'
import { rowErrors } from '../../lib/importErrors'
import { decodeSpreadsheet } from '../../lib/text'
import { Field, Notice } from '../../ui/kit'
import { ProblemNotice, useProblem } from '../../ui/problem'

type Preview = Schemas['AreaImport']

export function AreaImport({ siteId, onImported }: { siteId: string; onImported: () => void }) {
  const [csv, setCsv] = useState('')
  const [preview, setPreview] = useState<Preview | null>(null)
  const problem = useProblem()
  const [done, setDone] = useState<number | null>(null)
  const [busy, setBusy] = useState(false)
  const read = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0]
    if (!file) return
    setCsv(decodeSpreadsheet(new Uint8Array(await file.arrayBuffer())))
    setPreview(null)
    setDone(null)
  }
  const send = async (dryRun: boolean) => {
    setBusy(true)
    const { data, error } = await api.POST('/v1/areas/import', { body: { siteId, csv, dryRun } })
    setBusy(false)
    if (error) {
      setPreview(null)
      return problem.fail(error)
    }
    problem.clear()
    if (dryRun) return setPreview(data)
    setPreview(null)
    setCsv('')
    setDone(data.rooms)
    onImported()
  }
  const lines = csv.split(/\r?\n/)
  const problems = rowErrors(problem.errors)
  return (
    <div className="panel import">
      <p className="muted">{t('import.intro')}</p>
      <div className="row">
        <Field label={t('import.file')}>
          {(p) => <input {...p} type="file" accept=".csv,text/csv,text/plain" onChange={(e) => void read(e)} />}
        </Field>
      </div>
      <Field label={t('import.text')} error={problem.errors.csv}>
        {(p) => (
          <textarea
            {...p}
            rows={5}
            className="mono"
            placeholder={'Raum;Etage;Fläche (m²);Raumtyp\nBüro 101;1;24,5;Büro'}
            value={csv}
            onChange={(e) => {
              setCsv(e.target.value)
              setPreview(null)
            }}
          />
        )}
      </Field>
      <div className="form-actions">
        <button type="button" className="button" disabled={!csv.trim() || busy} onClick={() => void send(true)}>
          {t('import.check')}
        </button>
        <button type="button" className="button primary" disabled={!preview || busy} onClick={() => void send(false)}>
          {preview ? t('import.importAll', { count: preview.rooms }) : t('import.importAllNone')}
        </button>
      </div>
      {done !== null && <Notice kind="success">{t('import.done', { count: done })}</Notice>}
      {problems.length === 0 && <ProblemNotice problem={problem} />}
      {problems.length > 0 && (
        <div role="alert" className="import-errors">
          <p>
            <strong>{t('import.errors', { count: problems.length })}</strong> {t('import.nothingWritten')}
          </p>
          <table className="table compact">
            <thead>
              <tr>
                <th scope="col">{t('import.line')}</th>
                <th scope="col">{t('import.row')}</th>
                <th scope="col">{t('import.field')}</th>
                <th scope="col">{t('import.problem')}</th>
              </tr>
            </thead>
            <tbody>
              {problems.map((p, i) => (
                <tr key={i}>
                  <td>{p.line}</td>
                  <td className="mono">{lines[p.line - 1] ?? ''}</td>
                  <td>{p.field}</td>
                  <td>{p.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {preview && (
        <>
          <Notice kind="success">{t('import.ready', { count: preview.rooms, time: formatMinutes(preview.minutesPerWeek) })}</Notice>
          <table className="table compact">
            <thead>
              <tr>
                <th scope="col">{t('import.line')}</th>
                <th scope="col">{t('areas.name')}</th>
                <th scope="col">{t('areas.floor')}</th>
                <th scope="col" className="number">{t('areas.size')}</th>
                <th scope="col">{t('areas.type')}</th>
                <th scope="col" className="number">{t('areas.minutesPerWeek')}</th>
              </tr>
            </thead>
            <tbody>
              {preview.rows.map((row) => (
                <tr key={row.line}>
                  <td>{row.line}</td>
                  <td>{row.name}</td>
                  <td>{row.floor}</td>
                  <td className="number">{formatNumber(row.sizeSqm, 2)}</td>
                  <td>{row.areaType}</td>
                  <td className="number">{formatNumber(row.minutesPerWeek, 1)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  )
}
