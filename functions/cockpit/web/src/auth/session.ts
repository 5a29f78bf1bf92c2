// The logged-in session: the access token lives in memory only; the refresh token is an
// HttpOnly cookie (`session: "cookie"`) that no script can read, sent to /v1/auth alone.
// A reload renews from the cookie; tabs renew one at a time (Web Locks), because a refresh
// token presented twice ends the whole session.
import { useSyncExternalStore } from 'react'
import { api, provideTokens, type Schemas } from '../api/client'
import { claimsOf, type Claims } from './jwt'

export type UserSummary = Schemas['UserSummary']
export type Tokens = Schemas['Tokens']

export interface Session {
  token: string
  claims: Claims
  user: UserSummary
}

export type SessionState =
  | { status: 'starting' }
  | { status: 'anonymous' }
  | { status: 'active'; session: Session }

let state: SessionState = { status: 'starting' }
const listeners = new Set<() => void>()
let timer: ReturnType<typeof setTimeout> | undefined

function set(next: SessionState): void {
  state = next
  for (const listener of listeners) listener()
}

/** The session as React sees it. */
export function useSession(): SessionState {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    () => state,
  )
}

export function currentSession(): Session | null {
  return state.status === 'active' ? state.session : null
}

/** Takes the tokens of a login, sign-up, acceptance or refresh. */
export function accept(tokens: Tokens): Session | null {
  const claims = claimsOf(tokens.accessToken)
  if (!claims) return null
  const session = { token: tokens.accessToken, claims, user: tokens.user }
  set({ status: 'active', session })
  clearTimeout(timer)
  // Renewed a minute before it expires, while the page is open.
  timer = setTimeout(() => void renew(), Math.max(10, tokens.expiresIn - 60) * 1000)
  return session
}

async function refreshOnce(): Promise<boolean> {
  const { data } = await api.POST('/v1/auth/refresh', { body: {} })
  if (data) return accept(data) !== null
  clearTimeout(timer)
  set({ status: 'anonymous' })
  return false
}

let pending: Promise<boolean> | null = null

/** Renews the access token from the cookie; false when the session has ended. */
export function renew(): Promise<boolean> {
  if (!pending) {
    const run = (): Promise<boolean> => refreshOnce().catch(() => false)
    const locked: Promise<boolean> =
      typeof navigator !== 'undefined' && 'locks' in navigator
        ? navigator.locks.request('cleanops-refresh', run).then((renewed) => renewed)
        : run()
    pending = locked.finally(() => {
      pending = null
    })
    return pending
  }
  return pending
}

/** At start: a session from the cookie, if there is one. */
export async function start(): Promise<void> {
  if (!(await renew())) set({ status: 'anonymous' })
}

export async function logout(): Promise<void> {
  clearTimeout(timer)
  await api.POST('/v1/auth/logout', { body: {} }).catch(() => undefined)
  set({ status: 'anonymous' })
}

provideTokens({
  token: () => currentSession()?.token ?? null,
  renew,
})
