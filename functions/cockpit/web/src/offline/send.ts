// Sending a queued action to the API; what the answer means for the queue.
import { api } from '../api/client'
import type { Outcome, QueuedAction } from './queue'

/** A fetch that never reached the server (offline, DNS, reset) throws a TypeError. */
function unreachable(error: unknown): boolean {
  return error instanceof TypeError
}

export async function sendAction(action: QueuedAction): Promise<Outcome> {
  try {
    if (action.kind === 'check-in') {
      const { error, response } = await api.POST('/v1/visits/check-in', {
        body: { code: action.code, at: action.at, visitId: action.visitId, ...(action.tourId ? { tourId: action.tourId } : {}) },
      })
      if (!error) return 'sent'
      if (response.status >= 500 || response.status === 401 || response.status === 429) return 'retry'
      return { refused: error.errors?.[0]?.message ?? error.detail }
    }
    const visit = await api.GET('/v1/visits/{id}', { params: { path: { id: action.visitId } } })
    if (visit.error) return visit.response.status === 404 || visit.response.status >= 500 ? 'retry' : { refused: visit.error.detail }
    if (visit.data.status !== 'in-progress') return 'sent'
    const { error, response } = await api.POST('/v1/visits/{id}/check-out', {
      params: { path: { id: action.visitId }, header: { 'If-Match': `"${visit.data.version}"` } },
      body: { status: action.status, at: action.at, ...(action.reason ? { reason: action.reason } : {}) },
    })
    if (!error || response.status === 409) return 'sent'
    if (response.status >= 500 || response.status === 401 || response.status === 412) return 'retry'
    return { refused: error.errors?.[0]?.message ?? error.detail }
  } catch (error) {
    if (unreachable(error)) return 'retry'
    throw error
  }
}
