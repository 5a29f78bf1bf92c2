// Her tours in her phone's calendar: a feed link (no login: the link is the secret) she adds
// once; it can be revoked from the office.
import { useState } from 'react'
import { api, problemOf } from '../../api/client'
import { currentSession } from '../../auth/session'
import { t } from '../../i18n/i18n'
import { Notice } from '../../ui/kit'

export function FeedLink() {
  const [url, setUrl] = useState<string | null>(null)
  const [message, setMessage] = useState<string | null>(null)
  const make = async () => {
    const cleanerId = currentSession()?.claims.sub ?? ''
    const existing = await api.GET('/v1/feed-tokens', { params: { query: { limit: 1 } } })
    const feed = existing.data?.items[0] ?? (await api.POST('/v1/feed-tokens', { body: { cleanerId, name: t('feed.name') } })).data
    if (!feed) return setMessage(problemOf(existing.error)?.detail ?? t('common.failed'))
    setUrl(new URL(feed.url, window.location.origin).href)
  }
  return (
    <section className="feed" aria-labelledby="feed-title">
      <h2 id="feed-title">{t('feed.title')}</h2>
      <p className="muted">{t('feed.intro')}</p>
      {message && <Notice kind="error">{message}</Notice>}
      {url ? (
        <>
          <a className="button primary" href={url.replace(/^https?:/, 'webcal:')}>
            {t('feed.subscribe')}
          </a>
          <p>
            <label htmlFor="feed-url">{t('feed.copy')}</label>
            <input id="feed-url" readOnly value={url} onFocus={(e) => e.target.select()} />
          </p>
        </>
      ) : (
        <button type="button" className="button" onClick={() => void make()}>
          {t('feed.show')}
        </button>
      )}
    </section>
  )
}
