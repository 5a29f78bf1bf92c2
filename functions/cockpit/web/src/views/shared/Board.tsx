// A site's message board: threads between its dispatchers, the cleaners on its tours and its
// customer. The newest thread first; a thread opens to its posts and a reply box.
import { useState } from 'react'
import { api, fieldErrors, type Schemas } from '../../api/client'
import { formatDateTime, t } from '../../i18n/i18n'
import { unwrap, useLoad } from '../../lib/useLoad'
import { Empty, Field, Spinner } from '../../ui/kit'

type Thread = Schemas['Thread']

export function Board({ siteId }: { siteId: string }) {
  const threads = useLoad(
    () => unwrap(api.GET('/v1/boards/{siteId}/threads', { params: { path: { siteId }, query: { limit: 20 } } })),
    [siteId],
  )
  const [open, setOpen] = useState<string | null>(null)
  return (
    <section aria-labelledby="board-title" className="site-board no-print">
      <h2 id="board-title">{t('siteBoard.title')}</h2>
      <p className="muted">{t('siteBoard.intro')}</p>
      {!threads.data ? (
        <Spinner />
      ) : threads.data.items.length === 0 ? (
        <Empty>{t('siteBoard.none')}</Empty>
      ) : (
        <ul className="threads">
          {threads.data.items.map((thread) => (
            <li key={thread.id}>
              <button
                type="button"
                className="thread-head"
                aria-expanded={open === thread.id}
                onClick={() => setOpen(open === thread.id ? null : thread.id)}
              >
                <strong>{thread.title}</strong>
                <span className="muted small">
                  {t('siteBoard.meta', { author: thread.startedByName, posts: thread.posts })} · {formatDateTime(thread.lastPostAt)}
                </span>
              </button>
              {open === thread.id && <Posts siteId={siteId} thread={thread} onPosted={threads.reload} />}
            </li>
          ))}
        </ul>
      )}
      <NewThread siteId={siteId} onStarted={threads.reload} />
    </section>
  )
}

function Posts({ siteId, thread, onPosted }: { siteId: string; thread: Thread; onPosted: () => void }) {
  const posts = useLoad(
    () =>
      unwrap(
        api.GET('/v1/boards/{siteId}/threads/{threadId}/posts', {
          params: { path: { siteId, threadId: thread.id }, query: { limit: 200 } },
        }),
      ),
    [siteId, thread.id, thread.posts],
  )
  const [text, setText] = useState('')
  const [errors, setErrors] = useState<Record<string, string>>({})
  const reply = async () => {
    const { error } = await api.POST('/v1/boards/{siteId}/threads/{threadId}/posts', {
      params: { path: { siteId, threadId: thread.id } },
      body: { text },
    })
    if (error) return setErrors(fieldErrors(error))
    setText('')
    setErrors({})
    onPosted()
    posts.reload()
  }
  return (
    <div className="posts">
      {!posts.data ? (
        <Spinner />
      ) : (
        <ol>
          {posts.data.items.map((post) => (
            <li key={post.id}>
              <span className="post-author">{post.authorName}</span>{' '}
              <span className="muted small">{formatDateTime(post.postedAt)}</span>
              <p>{post.text}</p>
              {post.documentIds.length > 0 && <p className="muted small">{t('siteBoard.photos', { count: post.documentIds.length })}</p>}
            </li>
          ))}
        </ol>
      )}
      <Field label={t('siteBoard.reply')} error={errors.text}>
        {(props) => <textarea {...props} rows={2} value={text} onChange={(e) => setText(e.target.value)} />}
      </Field>
      <button type="button" className="button" disabled={!text.trim()} onClick={() => void reply()}>
        {t('siteBoard.send')}
      </button>
    </div>
  )
}

function NewThread({ siteId, onStarted }: { siteId: string; onStarted: () => void }) {
  const [title, setTitle] = useState('')
  const [text, setText] = useState('')
  const [errors, setErrors] = useState<Record<string, string>>({})
  const start = async () => {
    const { error } = await api.POST('/v1/boards/{siteId}/threads', { params: { path: { siteId } }, body: { title, text } })
    if (error) return setErrors(fieldErrors(error))
    setTitle('')
    setText('')
    setErrors({})
    onStarted()
  }
  return (
    <form
      className="new-thread"
      aria-label={t('siteBoard.new')}
      onSubmit={(e) => {
        e.preventDefault()
        void start()
      }}
    >
      <h3>{t('siteBoard.new')}</h3>
      <Field label={t('siteBoard.subject')} error={errors.title}>
        {(props) => <input {...props} value={title} onChange={(e) => setTitle(e.target.value)} />}
      </Field>
      <Field label={t('siteBoard.text')} error={errors.text}>
        {(props) => <textarea {...props} rows={3} value={text} onChange={(e) => setText(e.target.value)} />}
      </Field>
      <button type="submit" className="button primary" disabled={!title.trim() || !text.trim()}>
        {t('siteBoard.start')}
      </button>
    </form>
  )
}
