// What a refused request says, for a form to show: the API's words for each bad field, and
// its detail for the whole.
import { useCallback, useMemo, useState } from 'react'
import { fieldErrors, problemOf } from '../api/client'
import { t } from '../i18n/i18n'
import { Notice } from './kit'

export interface Problem {
  /** Each bad field's message, by its name in the body (`address.city`, `rows[3].sizeSqm`). */
  errors: Record<string, string>
  message: string | null
  /** Shows what `error` (a problem+json, or anything thrown) says. */
  fail: (error: unknown) => void
  clear: () => void
}

export function useProblem(): Problem {
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [message, setMessage] = useState<string | null>(null)
  const fail = useCallback((error: unknown) => {
    setErrors(fieldErrors(error))
    setMessage(problemOf(error)?.detail ?? t('common.failed'))
  }, [])
  const clear = useCallback(() => {
    setErrors({})
    setMessage(null)
  }, [])
  return useMemo(() => ({ errors, message, fail, clear }), [errors, message, fail, clear])
}

/** The problem's detail, when there is one. */
export function ProblemNotice({ problem }: { problem: Problem }) {
  return problem.message ? <Notice kind="error">{problem.message}</Notice> : null
}
