// A small router on the History API: the app has a dozen screens and needs no more.
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react'

const listeners = new Set<() => void>()
window.addEventListener('popstate', () => listeners.forEach((l) => l()))

/** The current location's path and query. */
export function useLocation(): { path: string; query: URLSearchParams; hash: string } {
  const href = useSyncExternalStore(
    (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    () => window.location.pathname + window.location.search + window.location.hash,
  )
  const url = new URL(href, window.location.origin)
  return { path: url.pathname, query: url.searchParams, hash: url.hash }
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', to)
  else window.history.pushState(null, '', to)
  listeners.forEach((l) => l())
  window.scrollTo(0, 0)
}

/** `pattern` (`/sites/:id`) against `path`: its parameters, or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean)
  const have = path.split('/').filter(Boolean)
  if (want.length !== have.length) return null
  const params: Record<string, string> = {}
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? ''
    const h = have[i] ?? ''
    if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(h)
    else if (w !== h) return null
  }
  return params
}

/** A link that navigates in the app (and opens a new tab as links do). */
export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const go = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event)
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return
    event.preventDefault()
    navigate(href)
  }
  return <a href={href} onClick={go} {...rest} />
}
