// Loading what a screen shows: the data, the failure, and a way to load it again.
import { useCallback, useEffect, useState } from 'react'

export interface Loaded<T> {
  data: T | undefined
  error: unknown
  loading: boolean
  reload: () => void
}

/** Runs `load` now and whenever `deps` change; a newer load wins over an older one. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  })
  const [round, setRound] = useState(0)
  // The caller names what the load depends on, as for useEffect.
  // eslint-disable-next-line react-hooks/exhaustive-deps, react-hooks/use-memo
  const run = useCallback(load, deps)
  useEffect(() => {
    let current = true
    // Loading shows at once when the inputs change; the data stays until the new arrives.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setState((s) => ({ ...s, loading: true }))
    run().then(
      (data) => current && setState({ data, error: undefined, loading: false }),
      (error: unknown) => current && setState((s) => ({ ...s, error, loading: false })),
    )
    return () => {
      current = false
    }
  }, [run, round])
  const reload = useCallback(() => setRound((r) => r + 1), [])
  return { ...state, reload }
}

/** The data of an openapi-fetch answer, or its problem thrown. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call
  if (error !== undefined || data === undefined) {
    throw error ?? { status: response.status, title: response.statusText, detail: '', type: 'about:blank' }
  }
  return data
}
