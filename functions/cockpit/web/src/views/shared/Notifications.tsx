// Notifications as people see them: the bell with the unread count and the in-app messages
// (everyone), the outbox of every message that went or would have gone out (planners), and
// each person's own settings: channels per event and quiet hours.
import { useEffect, useState } from 'react'
import { api, etagOf, problemOf, type Schemas } from '../../api/client'
import { navigate } from '../../app/router'
import { formatDateTime, t } from '../../i18n/i18n'
import type { MessageKey } from '../../i18n/de'
import { unwrap, useLoad } from '../../lib/useLoad'
import { Dialog, Empty, Notice, PageHeader, Spinner } from '../../ui/kit'

type Item = Schemas['NotificationItem']
type Kind = Schemas['EventKind']
type Channel = Schemas['Channel']
type Status = Schemas['NotificationStatus']

const KINDS: Kind[] = [
  'cleanerLate',
  'visitSkipped',
  'inspectionFailed',
  'planActivated',
  'demandCleaning',
  'boardPost',
  'invitation',
  'passwordReset',
  'invoiceIssued',
]
const CHANNELS: Channel[] = ['sms', 'email', 'inApp']
/** What each kind may take: a link or an invoice goes by email only. */
const EMAIL_ONLY: Kind[] = ['invitation', 'passwordReset', 'invoiceIssued']
const DEFAULTS: Record<Kind, Channel[]> = {
  cleanerLate: ['sms', 'inApp'],
  demandCleaning: ['sms', 'inApp'],
  visitSkipped: ['email', 'inApp'],
  inspectionFailed: ['email', 'inApp'],
  planActivated: ['email', 'inApp'],
  boardPost: ['inApp'],
  invitation: ['email'],
  passwordReset: ['email'],
  invoiceIssued: ['email'],
}
const STATUSES: Status[] = ['queued', 'sending', 'sent', 'delivered', 'failed']
/** How often the bell asks again. */
const POLL_MS = 60_000

const kindLabel = (kind: Kind) => t(`notifications.kind.${kind}` as MessageKey)
const channelLabel = (channel: Channel) => t(`notifications.channel.${channel}` as MessageKey)
const statusLabel = (status: Status) => t(`notifications.status.${status}` as MessageKey)

/** The bell in the top bar: unread in-app messages, and the list of them. */
export function InboxBell() {
  const [open, setOpen] = useState(false)
  const inbox = useLoad(() => unwrap(api.GET('/v1/inbox', { params: { query: { limit: 20 } } })), [])
  const { reload } = inbox
  useEffect(() => {
    const timer = window.setInterval(reload, POLL_MS)
    return () => window.clearInterval(timer)
  }, [reload])
  const unread = inbox.data?.unread ?? 0
  const label = unread > 0 ? t('notifications.unread', { count: unread >= 100 ? '99+' : String(unread) }) : t('notifications.inbox')
  const read = async (item: Item) => {
    if (item.unread) await api.POST('/v1/inbox/{id}/read', { params: { path: { id: item.id } } })
    reload()
  }
  return (
    <>
      <button type="button" className="icon-button bell" aria-label={label} title={label} onClick={() => setOpen(true)}>
        <svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
          <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
          <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
        </svg>
        {unread > 0 && <span className="bell-count" aria-hidden="true">{unread >= 100 ? '99+' : unread}</span>}
      </button>
      <Dialog title={t('notifications.inbox')} open={open} onClose={() => setOpen(false)}>
        {!inbox.data ? (
          <Spinner />
        ) : inbox.data.items.length === 0 ? (
          <Empty>{t('notifications.inboxEmpty')}</Empty>
        ) : (
          <ul className="inbox">
            {inbox.data.items.map((item) => (
              <li key={item.id} className={item.unread ? 'unread' : undefined}>
                <button type="button" className="inbox-item" onClick={() => void read(item)}>
                  <span className="inbox-subject">{item.subject}</span>
                  <span className="inbox-text">{item.text}</span>
                  <span className="muted small">
                    {kindLabel(item.kind)} · {formatDateTime(item.createdAt)}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        )}
        <p>
          <button
            type="button"
            className="button subtle"
            onClick={() => {
              setOpen(false)
              navigate('/settings/notifications')
            }}
          >
            {t('notifications.settings')}
          </button>
        </p>
      </Dialog>
    </>
  )
}

/** Planners: every message the events made, how far each got and why not. */
export function Outbox() {
  const [status, setStatus] = useState<Status | ''>('')
  const outbox = useLoad(
    () => unwrap(api.GET('/v1/notifications', { params: { query: { limit: 100, ...(status ? { status } : {}) } } })),
    [status],
  )
  return (
    <>
      <PageHeader
        title={t('notifications.outbox')}
        actions={
          <button type="button" className="button" onClick={outbox.reload}>
            {t('jobs.refresh')}
          </button>
        }
      >
        <p className="muted">{t('notifications.outboxIntro')}</p>
      </PageHeader>
      <div className="toolbar">
        <label>
          {t('notifications.statusFilter')}{' '}
          <select value={status} onChange={(e) => setStatus(e.target.value as Status | '')}>
            <option value="">{t('notifications.allStatuses')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusLabel(s)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {!outbox.data ? (
        <Spinner />
      ) : outbox.data.items.length === 0 ? (
        <Empty>{t('notifications.outboxEmpty')}</Empty>
      ) : (
        <table className="table outbox">
          <thead>
            <tr>
              <th scope="col">{t('notifications.when')}</th>
              <th scope="col">{t('notifications.event')}</th>
              <th scope="col">{t('notifications.channelHeader')}</th>
              <th scope="col">{t('notifications.recipient')}</th>
              <th scope="col">{t('notifications.message')}</th>
              <th scope="col">{t('notifications.statusHeader')}</th>
            </tr>
          </thead>
          <tbody>
            {outbox.data.items.map((n) => (
              <tr key={n.id}>
                <td>{formatDateTime(n.createdAt)}</td>
                <td>{kindLabel(n.kind)}</td>
                <td>{channelLabel(n.channel)}</td>
                <td>
                  {n.recipientName}
                  <br />
                  <span className="muted small">{n.channel === 'inApp' ? t('notifications.channel.inApp') : n.address}</span>
                </td>
                <td className="outbox-message">
                  <strong>{n.subject}</strong>
                  <br />
                  <span className="small">{n.text}</span>
                  {n.attachment && <span className="muted small"> · {t('notifications.attachment', { name: n.attachment.fileName })}</span>}
                </td>
                <td>
                  <span className={`badge ${n.status}`}>{statusLabel(n.status)}</span>
                  {n.providerId === 'local-outbox' && <div className="muted small">{t('notifications.keptLocally')}</div>}
                  {n.reason && <div className="muted small">{n.reason}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  )
}

type Preferences = Schemas['NotificationPreferences']

/** Everyone: her channels per event, and her quiet hours. */
export function NotificationSettings() {
  const loaded = useLoad(async () => {
    const { data, error, response } = await api.GET('/v1/notification-preferences')
    if (error || !data) throw error ?? new Error('no preferences')
    return { preferences: data, etag: etagOf(response) }
  }, [])
  // Saved survives the reload that follows (the form is made afresh from what was stored).
  const [saved, setSaved] = useState(false)
  if (!loaded.data) return loaded.error ? <Notice kind="error">{t('common.failed')}</Notice> : <Spinner />
  return (
    <SettingsForm
      key={loaded.data.etag}
      initial={loaded.data.preferences}
      etag={loaded.data.etag}
      saved={saved}
      onSaved={() => {
        setSaved(true)
        loaded.reload()
      }}
    />
  )
}

function SettingsForm({ initial, etag, saved, onSaved }: { initial: Preferences; etag: string; saved: boolean; onSaved: () => void }) {
  const [channels, setChannels] = useState<Record<Kind, Channel[]>>(() => {
    const chosen = { ...DEFAULTS }
    for (const kind of KINDS) {
      const own = initial.channels?.[kind]
      if (own) chosen[kind] = own
    }
    return chosen
  })
  const [quiet, setQuiet] = useState(Boolean(initial.quietHours))
  const [from, setFrom] = useState(initial.quietHours?.from ?? '22:00')
  const [to, setTo] = useState(initial.quietHours?.to ?? '07:00')
  const [state, setState] = useState<'idle' | 'saving' | 'saved' | 'stale' | 'failed'>(saved ? 'saved' : 'idle')
  const toggle = (kind: Kind, channel: Channel) =>
    setChannels((c) => ({
      ...c,
      [kind]: c[kind].includes(channel) ? c[kind].filter((x) => x !== channel) : [...c[kind], channel],
    }))
  const save = async () => {
    setState('saving')
    const body: Preferences = {
      channels: Object.fromEntries(KINDS.filter((k) => !EMAIL_ONLY.includes(k)).map((k) => [k, channels[k]])),
      quietHours: quiet ? { from, to } : null,
      timeZone: initial.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    }
    const { error } = await api.PUT('/v1/notification-preferences', { body, params: { header: { 'If-Match': etag } } })
    if (error) return setState(problemOf(error)?.status === 412 ? 'stale' : 'failed')
    setState('saved')
    onSaved()
  }
  return (
    <>
      <PageHeader title={t('notifications.settings')}>
        <p className="muted">{t('notifications.settingsIntro')}</p>
      </PageHeader>
      {state === 'saved' && <Notice kind="success">{t('notifications.saved')}</Notice>}
      {state === 'stale' && <Notice kind="warning">{t('notifications.stale')}</Notice>}
      {state === 'failed' && <Notice kind="error">{t('common.failed')}</Notice>}
      <table className="table preferences">
        <thead>
          <tr>
            <th scope="col">{t('notifications.event')}</th>
            {CHANNELS.map((c) => (
              <th key={c} scope="col" className="center">
                {channelLabel(c)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {KINDS.map((kind) => (
            <tr key={kind}>
              <th scope="row">{kindLabel(kind)}</th>
              {CHANNELS.map((channel) => {
                const fixed = EMAIL_ONLY.includes(kind)
                return (
                  <td key={channel} className="center">
                    <input
                      type="checkbox"
                      aria-label={`${kindLabel(kind)}: ${channelLabel(channel)}`}
                      checked={fixed ? channel === 'email' : channels[kind].includes(channel)}
                      disabled={fixed}
                      onChange={() => toggle(kind, channel)}
                    />
                  </td>
                )
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">{t('notifications.emailOnly')}</p>
      <fieldset className="quiet-hours">
        <legend>{t('notifications.quietHours')}</legend>
        <label>
          <input type="checkbox" checked={quiet} onChange={(e) => setQuiet(e.target.checked)} /> {t('notifications.quietOn')}
        </label>
        <label>
          {t('notifications.quietFrom')} <input type="time" value={from} disabled={!quiet} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          {t('notifications.quietTo')} <input type="time" value={to} disabled={!quiet} onChange={(e) => setTo(e.target.value)} />
        </label>
        <p className="muted small">{t('notifications.quietHint')}</p>
      </fieldset>
      <p>
        <button type="button" className="button primary" disabled={state === 'saving'} onClick={() => void save()}>
          {t('common.save')}
        </button>
      </p>
    </>
  )
}
