// The shell: who is logged in decides the screens. Dispatchers and admins plan at a desk,
// cleaners work from their phone, customers look at what was done.
import { useEffect, type ReactNode } from 'react'
import { isPlanner, type Role } from '../auth/jwt'
import { logout, useSession, type Session } from '../auth/session'
import { LANGUAGES, setLanguage, t, useLanguage, type Language } from '../i18n/i18n'
import type { MessageKey } from '../i18n/de'
import { Spinner } from '../ui/kit'
import { AcceptInvitation, ForgotPassword, Login, ResetPassword, Signup } from '../views/auth/AuthViews'
import { Today } from '../views/cleaner/Today'
import { Portal } from '../views/customer/Portal'
import { AreaTypes } from '../views/dispatcher/AreaTypes'
import { Cleaners } from '../views/dispatcher/Cleaners'
import { CustomerPage } from '../views/dispatcher/CustomerPage'
import { Customers } from '../views/dispatcher/Customers'
import { Inspections } from '../views/dispatcher/Inspections'
import { InvoicePage } from '../views/dispatcher/InvoicePage'
import { Invoices } from '../views/dispatcher/Invoices'
import { Jobs } from '../views/dispatcher/Jobs'
import { PlanPage, Plans } from '../views/dispatcher/Plans'
import { SimulationPage, Simulations } from '../views/dispatcher/Simulations'
import { Proof } from '../views/dispatcher/Proof'
import { Sensors } from '../views/dispatcher/Sensors'
import { SitePage } from '../views/dispatcher/SitePage'
import { Sites } from '../views/dispatcher/Sites'
import { Users } from '../views/dispatcher/Users'
import { WeekBoard } from '../views/dispatcher/WeekBoard'
import { InboxBell, NotificationSettings, Outbox } from '../views/shared/Notifications'
import { Link, match, navigate, useLocation } from './router'

const PUBLIC: Record<string, () => ReactNode> = {
  '/login': () => <Login />,
  '/signup': () => <Signup />,
  '/accept-invitation': () => <AcceptInvitation />,
  '/forgot-password': () => <ForgotPassword />,
  '/reset-password': () => <ResetPassword />,
}

interface Screen {
  path: string
  label?: MessageKey
  render: (params: Record<string, string>) => ReactNode
}

const PLANNER_SCREENS: Screen[] = [
  { path: '/week', label: 'nav.week', render: () => <WeekBoard /> },
  { path: '/sites', label: 'nav.sites', render: () => <Sites /> },
  { path: '/sites/:id', render: (p) => <SitePage id={p.id ?? ''} /> },
  { path: '/area-types', label: 'nav.areaTypes', render: () => <AreaTypes /> },
  { path: '/cleaners', label: 'nav.cleaners', render: () => <Cleaners /> },
  { path: '/plans', label: 'nav.plans', render: () => <Plans /> },
  { path: '/plans/:id', render: (p) => <PlanPage id={p.id ?? ''} /> },
  { path: '/simulations', label: 'nav.simulations', render: () => <Simulations /> },
  { path: '/simulations/:id', render: (p) => <SimulationPage id={p.id ?? ''} /> },
  { path: '/proof', label: 'nav.proof', render: () => <Proof /> },
  { path: '/sensors', label: 'nav.sensors', render: () => <Sensors /> },
  { path: '/inspections', label: 'nav.inspections', render: () => <Inspections /> },
  { path: '/customers', label: 'nav.customers', render: () => <Customers /> },
  { path: '/customers/:id', render: (p) => <CustomerPage id={p.id ?? ''} /> },
  { path: '/invoices', label: 'nav.invoices', render: () => <Invoices /> },
  { path: '/invoices/:id', render: (p) => <InvoicePage id={p.id ?? ''} /> },
  { path: '/outbox', label: 'nav.outbox', render: () => <Outbox /> },
  { path: '/jobs', label: 'nav.jobs', render: () => <Jobs /> },
  { path: '/users', label: 'nav.users', render: () => <Users /> },
]

/** Everyone's: her own notification settings (the link under each email leads here). */
const OWN_SCREENS: Screen[] = [{ path: '/settings/notifications', render: () => <NotificationSettings /> }]

const SCREENS: Record<Role, Screen[]> = {
  admin: [...PLANNER_SCREENS, ...OWN_SCREENS],
  dispatcher: [...PLANNER_SCREENS.filter((s) => s.path !== '/users'), ...OWN_SCREENS],
  cleaner: [{ path: '/today', label: 'nav.today', render: () => <Today /> }, ...OWN_SCREENS],
  customer: [
    { path: '/portal', label: 'nav.portal', render: () => <Portal /> },
    { path: '/portal/sites/:id', render: (p) => <Portal siteId={p.id ?? ''} /> },
    ...OWN_SCREENS,
  ],
}

function LanguagePicker() {
  const language = useLanguage()
  return (
    <label className="language">
      <span className="visually-hidden">{t('common.language')}</span>
      <select value={language} onChange={(e) => setLanguage(e.target.value as Language)}>
        {LANGUAGES.map((l) => (
          <option key={l} value={l}>
            {l.toUpperCase()}
          </option>
        ))}
      </select>
    </label>
  )
}

function Shell({ session, screens, path }: { session: Session; screens: Screen[]; path: string }) {
  // Planners work at a desk, cleaners on a phone, customers somewhere between.
  const width = isPlanner(session.claims.role) ? 'wide' : session.claims.role === 'cleaner' ? 'narrow' : 'medium'
  const found = screens.map((s) => ({ screen: s, params: match(s.path, path) })).find((m) => m.params)
  useEffect(() => {
    if (!found && screens[0]) navigate(screens[0].path, { replace: true })
  }, [found, screens])
  const nav = screens.filter((s) => s.label)
  return (
    <div className={`shell ${width}`}>
      <a href="#main" className="skip-link">
        {t('common.skip')}
      </a>
      <header className="topbar">
        <Link href={screens[0]?.path ?? '/'} className="brand">
          <span className="brand-mark" aria-hidden="true">c</span> cleanops
        </Link>
        {nav.length > 1 && (
          <nav aria-label={t('nav.label')} className="nav">
            {nav.map((s) => (
              <Link
                key={s.path}
                href={s.path}
                aria-current={path === s.path || path.startsWith(`${s.path}/`) ? 'page' : undefined}
              >
                {t(s.label as MessageKey)}
              </Link>
            ))}
          </nav>
        )}
        <div className="account">
          <InboxBell />
          <LanguagePicker />
          <span className="who" title={session.user.email}>
            {session.user.name}
          </span>
          <button type="button" className="button subtle" onClick={() => void logout().then(() => navigate('/login'))}>
            {t('auth.logout')}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {found ? found.screen.render(found.params ?? {}) : <Spinner />}
      </main>
    </div>
  )
}

export function App() {
  const state = useSession()
  useLanguage()
  const { path } = useLocation()
  const page = PUBLIC[path]
  const entry = path === '/login' || path === '/signup'
  useEffect(() => {
    if (state.status === 'anonymous' && !page) {
      navigate(`/login${path !== '/' ? `?next=${encodeURIComponent(path)}` : ''}`, { replace: true })
    }
    // Logged in already: the app, not the login form.
    if (state.status === 'active' && entry) navigate('/', { replace: true })
  }, [state.status, page, path, entry])
  if (state.status === 'starting') return <Spinner />
  if (page && (state.status === 'anonymous' || !entry)) return <>{page()}</>
  if (state.status === 'anonymous' || entry) return <Spinner />
  return <Shell session={state.session} screens={SCREENS[state.session.claims.role]} path={path} />
}
