// The company's users and invitations: an admin invites dispatchers, cleaners (as their
// cleaner record) and customers (with their customer number); the link is shown to pass on.
import { useState, type FormEvent } from 'react'
import { api, etag, type Schemas } from '../../api/client'
import { currentSession } from '../../auth/session'
import { formatDateTime, roleLabel, t } from '../../i18n/i18n'
import { unwrap, useLoad } from '../../lib/useLoad'
import { Conflict, Field, Notice, PageHeader, Spinner } from '../../ui/kit'
import { ProblemNotice, useProblem } from '../../ui/problem'
import { loadCleaners } from './Cleaners'

type Role = Schemas['Role']

export function Users() {
  const users = useLoad(() => unwrap(api.GET('/v1/users', { params: { query: { orderBy: 'name', limit: 200 } } })), [])
  const invitations = useLoad(() => unwrap(api.GET('/v1/invitations', { params: { query: { limit: 100 } } })), [])
  const cleaners = useLoad(loadCleaners, [])
  const open = (invitations.data?.items ?? []).filter((i) => !i.acceptedAt)
  const [link, setLink] = useState<string | null>(null)
  const [conflict, setConflict] = useState(false)
  const me = currentSession()?.claims.sub
  const problem = useProblem()
  /** A change of a user or an invitation, with its version; a stale one shows the conflict. */
  const settle = (response: Response, error: unknown, reload: () => void) => {
    if (response.status === 412) setConflict(true)
    else if (error) problem.fail(error)
    else problem.clear()
    reload()
  }
  const setActive = async (user: Schemas['UserView'], active: boolean) => {
    const { error, response } = await api.PATCH('/v1/users/{id}', {
      params: { path: { id: user.id }, header: { 'If-Match': etag(user.version) } },
      body: { active },
    })
    settle(response, error, users.reload)
  }
  const revoke = async (invitation: Schemas['InvitationView']) => {
    const { error, response } = await api.DELETE('/v1/invitations/{id}', {
      params: { path: { id: invitation.id }, header: { 'If-Match': etag(invitation.version) } },
    })
    settle(response, error, invitations.reload)
  }
  return (
    <>
      <PageHeader title={t('users.title')} />
      {conflict && <Conflict onReload={() => (setConflict(false), users.reload(), invitations.reload())} />}
      <ProblemNotice problem={problem} />
      {link && (
        <Notice kind="success">
          {t('users.linkReady')} <code className="link-text">{link}</code>
        </Notice>
      )}
      {!users.data ? (
        <Spinner />
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('users.name')}</th>
              <th scope="col">{t('auth.email')}</th>
              <th scope="col">{t('users.role')}</th>
              <th scope="col">{t('users.status')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('users.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.data.items.map((u) => (
              <tr key={u.id}>
                <td>{u.name}</td>
                <td>{u.email}</td>
                <td>{roleLabel(u.role)}</td>
                <td>{u.active ? t('users.active') : t('users.inactive')}</td>
                <td>
                  {u.id !== me && (
                    <button type="button" className="button" onClick={() => void setActive(u, !u.active)}>
                      {u.active ? t('users.deactivate') : t('users.activate')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <InviteForm
        cleaners={(cleaners.data ?? []).map((c) => ({ id: c.id, name: c.name }))}
        onInvited={(url) => {
          setLink(url)
          invitations.reload()
        }}
      />
      <h2>{t('users.invitations')}</h2>
      {open.length === 0 ? (
        <p className="muted">{t('users.noInvitations')}</p>
      ) : (
        <ul className="plain">
          {open.map((i) => (
            <li key={i.id}>
              {i.name} &lt;{i.email}&gt; · {roleLabel(i.role)} · {t('users.until', { date: formatDateTime(i.expiresAt) })}{' '}
              <button type="button" className="button" onClick={() => void revoke(i)}>
                {t('users.revoke')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </>
  )
}

function InviteForm({ cleaners, onInvited }: { cleaners: { id: string; name: string }[]; onInvited: (url: string) => void }) {
  const [form, setForm] = useState<{ email: string; name: string; role: Role; language: Schemas['Language']; cleanerId: string; customerId: string }>({
    email: '',
    name: '',
    role: 'dispatcher',
    language: 'de',
    cleanerId: '',
    customerId: '',
  })
  const problem = useProblem()
  const errors = problem.errors
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const { data, error } = await api.POST('/v1/invitations', {
      body: {
        email: form.email,
        name: form.name,
        role: form.role,
        language: form.language,
        ...(form.role === 'cleaner' ? { cleanerId: form.cleanerId } : {}),
        ...(form.role === 'customer' ? { customerId: form.customerId } : {}),
      },
    })
    if (error) return problem.fail(error)
    setForm({ ...form, email: '', name: '' })
    problem.clear()
    onInvited(data.acceptUrl)
  }
  return (
    <form onSubmit={(e) => void submit(e)} className="panel form-grid" aria-labelledby="invite">
      <h2 id="invite">{t('users.invite')}</h2>
      <ProblemNotice problem={problem} />
      <div className="row">
        <Field label={t('users.name')} error={errors.name}>
          {(p) => <input {...p} required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />}
        </Field>
        <Field label={t('auth.email')} error={errors.email}>
          {(p) => <input {...p} type="email" required value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />}
        </Field>
      </div>
      <div className="row">
        <Field label={t('users.role')} error={errors.role}>
          {(p) => (
            <select {...p} value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
              {(['admin', 'dispatcher', 'cleaner', 'customer'] as const).map((r) => (
                <option key={r} value={r}>
                  {roleLabel(r)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('common.language')} error={errors.language}>
          {(p) => (
            <select {...p} value={form.language} onChange={(e) => setForm({ ...form, language: e.target.value as Schemas['Language'] })}>
              <option value="de">Deutsch</option>
              <option value="en">English</option>
              <option value="fr">Français</option>
              <option value="it">Italiano</option>
            </select>
          )}
        </Field>
        {form.role === 'cleaner' && (
          <Field label={t('users.cleanerRecord')} error={errors.cleanerId}>
            {(p) => (
              <select {...p} required value={form.cleanerId} onChange={(e) => setForm({ ...form, cleanerId: e.target.value })}>
                <option value="">–</option>
                {cleaners.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        {form.role === 'customer' && (
          <Field label={t('users.customerId')} error={errors.customerId}>
            {(p) => <input {...p} required value={form.customerId} onChange={(e) => setForm({ ...form, customerId: e.target.value })} />}
          </Field>
        )}
      </div>
      <div className="form-actions">
        <button className="button primary">{t('users.send')}</button>
      </div>
    </form>
  )
}
