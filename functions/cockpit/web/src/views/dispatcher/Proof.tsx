// Proof of service: what was planned and what was done, per room, for a site and month.
import { useState } from 'react'
import { api, problemOf } from '../../api/client'
import { t } from '../../i18n/i18n'
import { monthOf, today } from '../../lib/dates'
import { unwrap, useLoad } from '../../lib/useLoad'
import { Empty, Notice, PageHeader, Spinner } from '../../ui/kit'
import { MonthStepper, SiteSelect } from '../shared/Pickers'
import { ProofActions, ProofTable } from '../shared/ProofTable'
import { loadSites } from './Sites'

export function Proof() {
  const sites = useLoad(loadSites, [])
  const [siteId, setSiteId] = useState('')
  const [month, setMonth] = useState(monthOf(today()))
  const site = siteId || sites.data?.[0]?.id || ''
  const proof = useLoad(
    () => (site ? unwrap(api.GET('/v1/proof-of-service', { params: { query: { siteId: site, month } } })) : Promise.resolve(null)),
    [site, month],
  )
  return (
    <>
      <PageHeader
        title={t('proof.title')}
        actions={
          proof.data && <ProofActions proof={proof.data} />
        }
      />
      <div className="toolbar no-print">
        <SiteSelect sites={sites.data ?? []} value={site} onChange={setSiteId} />
        <MonthStepper month={month} onChange={setMonth} />
      </div>
      {sites.data?.length === 0 ? (
        <Empty>{t('sites.none')}</Empty>
      ) : proof.error ? (
        <Notice kind="error">{problemOf(proof.error)?.detail ?? t('common.failed')}</Notice>
      ) : !proof.data ? (
        <Spinner />
      ) : (
        <ProofTable proof={proof.data} />
      )}
    </>
  )
}
