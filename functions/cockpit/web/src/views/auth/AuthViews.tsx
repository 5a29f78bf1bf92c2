// Sign-up, login, accepting an invitation, and a forgotten password: the pages before a
// session. Every form names the field the API refused, in the API's words.
import { useState, type FormEvent, type ReactNode } from 'react'
import { api, type Schemas } from '../../api/client'
import { accept } from '../../auth/session'
import { Link, navigate, useLocation } from '../../app/router'
import { adoptLanguage, roleLabel, t } from '../../i18n/i18n'
import { Field, Notice } from '../../ui/kit'
import { useProblem } from '../../ui/problem'

function AuthPage({ title, children, footer }: { title: string; children: ReactNode; footer?: ReactNode }) {
  return (
    <main id="main" className="auth-page">
      <div className="auth-card">
        <p className="brand" aria-hidden="true">
          <span className="brand-mark">c</span> cleanops
        </p>
        <h1>{title}</h1>
        {children}
        {footer && <div className="auth-footer">{footer}</div>}
      </div>
    </main>
  )
}

/** After a session opens: the account's language, and where the user was going. */
function enter(tokens: Schemas['Tokens'], next: string | null): void {
  if (!accept(tokens)) return
  adoptLanguage(tokens.user.language)
  navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true })
}

function useForm() {
  const problem = useProblem()
  const [busy, setBusy] = useState(false)
  return { ...problem, busy, setBusy }
}

export function Login() {
  const { query } = useLocation()
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [tenants, setTenants] = useState<Schemas['TenantChoice'][]>([])
  const form = useForm()
  const submit = async (event: FormEvent, tenant?: string) => {
    event.preventDefault()
    form.setBusy(true)
    const { data, error } = await api.POST('/v1/auth/login', {
      body: { email, password, session: 'cookie', ...(tenant ? { tenant } : {}) },
    })
    form.setBusy(false)
    if (error) return form.fail(error)
    if ('tenants' in data) return setTenants(data.tenants)
    enter(data, query.get('next'))
  }
  return (
    <AuthPage
      title={t('auth.login')}
      footer={
        <>
          <Link href="/forgot-password">{t('auth.forgot')}</Link>
          <span>
            {t('auth.newCompany')} <Link href="/signup">{t('auth.signup')}</Link>
          </span>
        </>
      }
    >
      {form.message && <Notice kind="error">{form.message}</Notice>}
      {tenants.length > 0 ? (
        <div className="stack">
          <p>{t('auth.chooseCompany')}</p>
          {tenants.map((choice) => (
            <button key={choice.tenant} type="button" className="button wide" onClick={(e) => void submit(e, choice.tenant)}>
              {choice.company} <span className="muted">({roleLabel(choice.role)})</span>
            </button>
          ))}
        </div>
      ) : (
        <form onSubmit={(e) => void submit(e)} className="stack">
          <Field label={t('auth.email')} error={form.errors.email}>
            {(p) => <input {...p} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />}
          </Field>
          <Field label={t('auth.password')} error={form.errors.password}>
            {(p) => (
              <input {...p} type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
            )}
          </Field>
          <button className="button primary wide" disabled={form.busy}>
            {t('auth.login')}
          </button>
        </form>
      )}
    </AuthPage>
  )
}

export function Signup() {
  const [body, setBody] = useState({ company: '', name: '', email: '', password: '' })
  const form = useForm()
  const change = (key: keyof typeof body) => (e: { target: { value: string } }) => setBody({ ...body, [key]: e.target.value })
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    form.setBusy(true)
    const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone
    const language = navigator.language.slice(0, 2)
    const { data, error } = await api.POST('/v1/signup', {
      body: {
        ...body,
        session: 'cookie',
        timeZone,
        ...(['de', 'en', 'fr', 'it'].includes(language) ? { language: language as 'de' } : {}),
      },
    })
    form.setBusy(false)
    if (error) return form.fail(error)
    enter(data, '/sites?welcome=1')
  }
  return (
    <AuthPage title={t('auth.signupTitle')} footer={<span>{t('auth.haveAccount')} <Link href="/login">{t('auth.login')}</Link></span>}>
      <p className="muted">{t('auth.signupIntro')}</p>
      {form.message && <Notice kind="error">{form.message}</Notice>}
      <form onSubmit={(e) => void submit(e)} className="stack">
        <Field label={t('auth.company')} error={form.errors.company}>
          {(p) => <input {...p} required autoComplete="organization" value={body.company} onChange={change('company')} />}
        </Field>
        <Field label={t('auth.name')} error={form.errors.name}>
          {(p) => <input {...p} required autoComplete="name" value={body.name} onChange={change('name')} />}
        </Field>
        <Field label={t('auth.email')} error={form.errors.email}>
          {(p) => <input {...p} type="email" required autoComplete="email" value={body.email} onChange={change('email')} />}
        </Field>
        <Field label={t('auth.password')} error={form.errors.password} hint={t('auth.passwordRule')}>
          {(p) => <input {...p} type="password" required minLength={10} autoComplete="new-password" value={body.password} onChange={change('password')} />}
        </Field>
        <button className="button primary wide" disabled={form.busy}>
          {t('auth.signup')}
        </button>
      </form>
    </AuthPage>
  )
}

/** The token a link carries after `#token=`. */
function linkToken(hash: string): string {
  return new URLSearchParams(hash.replace(/^#/, '')).get('token') ?? ''
}

export function AcceptInvitation() {
  const { hash } = useLocation()
  const [password, setPassword] = useState('')
  const form = useForm()
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    form.setBusy(true)
    const { data, error } = await api.POST('/v1/invitations/accept', {
      body: { token: linkToken(hash), password, session: 'cookie' },
    })
    form.setBusy(false)
    if (error) return form.fail(error)
    enter(data, '/')
  }
  return (
    <AuthPage title={t('auth.acceptTitle')}>
      <p className="muted">{t('auth.acceptIntro')}</p>
      {form.message && <Notice kind="error">{form.message}</Notice>}
      <form onSubmit={(e) => void submit(e)} className="stack">
        <Field label={t('auth.password')} error={form.errors.password} hint={t('auth.passwordRule')}>
          {(p) => <input {...p} type="password" required autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />}
        </Field>
        <button className="button primary wide" disabled={form.busy}>
          {t('auth.acceptButton')}
        </button>
      </form>
    </AuthPage>
  )
}

export function ForgotPassword() {
  const [email, setEmail] = useState('')
  const [sent, setSent] = useState(false)
  const form = useForm()
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const { error } = await api.POST('/v1/auth/password-reset', { body: { email } })
    if (error) return form.fail(error)
    setSent(true)
  }
  return (
    <AuthPage title={t('auth.forgotTitle')} footer={<Link href="/login">{t('auth.backToLogin')}</Link>}>
      {sent ? (
        <Notice kind="success">{t('auth.resetSent')}</Notice>
      ) : (
        <form onSubmit={(e) => void submit(e)} className="stack">
          {form.message && <Notice kind="error">{form.message}</Notice>}
          <Field label={t('auth.email')} error={form.errors.email}>
            {(p) => <input {...p} type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />}
          </Field>
          <button className="button primary wide">{t('auth.sendLink')}</button>
        </form>
      )}
    </AuthPage>
  )
}

export function ResetPassword() {
  const { hash } = useLocation()
  const [password, setPassword] = useState('')
  const [done, setDone] = useState(false)
  const form = useForm()
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const { error } = await api.POST('/v1/auth/password-reset/confirm', {
      body: { token: linkToken(hash), password },
    })
    if (error) return form.fail(error)
    setDone(true)
  }
  return (
    <AuthPage title={t('auth.resetTitle')} footer={<Link href="/login">{t('auth.backToLogin')}</Link>}>
      {done ? (
        <Notice kind="success">{t('auth.resetDone')}</Notice>
      ) : (
        <form onSubmit={(e) => void submit(e)} className="stack">
          {form.message && <Notice kind="error">{form.message}</Notice>}
          <Field label={t('auth.newPassword')} error={form.errors.password} hint={t('auth.passwordRule')}>
            {(p) => <input {...p} type="password" required autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />}
          </Field>
          <button className="button primary wide">{t('auth.setPassword')}</button>
        </form>
      )}
    </AuthPage>
  )
}
