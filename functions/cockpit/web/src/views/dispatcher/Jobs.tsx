// What became of the scheduled and pushed work: each run, its state, when and how long.
import { api } from '../../api/client'
import { formatDateTime, formatNumber, t } from '../../i18n/i18n'
import { unwrap, useLoad } from '../../lib/useLoad'
import { Empty, PageHeader, Spinner } from '../../ui/kit'

export function Jobs() {
  const jobs = useLoad(() => unwrap(api.GET('/v1/jobs', { params: { query: { limit: 100 } } })), [])
  return (
    <>
      <PageHeader
        title={t('jobs.title')}
        actions={
          <button type="button" className="button" onClick={jobs.reload}>
            {t('jobs.refresh')}
          </button>
        }
      >
        <p className="muted">{t('jobs.intro')}</p>
      </PageHeader>
      {!jobs.data ? (
        <Spinner />
      ) : jobs.data.items.length === 0 ? (
        <Empty>{t('jobs.none')}</Empty>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('jobs.job')}</th>
              <th scope="col">{t('jobs.state')}</th>
              <th scope="col">{t('jobs.scheduledFor')}</th>
              <th scope="col">{t('jobs.finished')}</th>
              <th scope="col" className="number">{t('jobs.duration')}</th>
              <th scope="col" className="number">{t('jobs.attempts')}</th>
              <th scope="col">{t('jobs.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {jobs.data.items.map((job) => (
              <tr key={job.id}>
                <td>{job.job ?? '–'}</td>
                <td>
                  <span className={`badge ${job.state === 'done' ? 'active' : 'failed'}`}>{job.state === 'done' ? t('jobs.done') : t('jobs.rejected')}</span>
                </td>
                <td>{job.scheduledFor ? formatDateTime(job.scheduledFor) : '–'}</td>
                <td>{formatDateTime(job.finishedAt)}</td>
                <td className="number">{formatNumber(job.durationMs / 1000, 1)} s</td>
                <td className="number">{job.attempts}</td>
                <td>{job.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  )
}
