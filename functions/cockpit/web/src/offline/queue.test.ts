import { describe, expect, it } from 'vitest'
import { flush, MemoryQueueStore, type QueuedAction } from './queue'

function checkIn(id: string, at: string): QueuedAction {
  return { id, kind: 'check-in', visitId: `v-${id}`, code: 'CO1.a.sig', at, areaId: 'a', areaName: 'Room' }
}

describe('the offline queue', () => {
  it('sends oldest first and empties on success', async () => {
    const store = new MemoryQueueStore()
    await store.put(checkIn('2', '2026-12-07T06:10:00Z'))
    await store.put(checkIn('1', '2026-12-07T06:00:00Z'))
    const sent: string[] = []
    const result = await flush(store, async (a) => (sent.push(a.id), 'sent'))
    expect(sent).toEqual(['1', '2'])
    expect(result).toEqual({ sent: 2, refused: [], left: 0 })
    expect(await store.all()).toEqual([])
  })

  it('stops at the first that must wait, so nothing overtakes it', async () => {
    const store = new MemoryQueueStore()
    await store.put(checkIn('1', '2026-12-07T06:00:00Z'))
    await store.put(checkIn('2', '2026-12-07T06:10:00Z'))
    const tried: string[] = []
    const result = await flush(store, async (a) => (tried.push(a.id), 'retry'))
    expect(tried).toEqual(['1'])
    expect(result.left).toBe(2)
    expect((await store.all()).length).toBe(2)
  })

  it('keeps an action whose send throws, as for a lost network', async () => {
    const store = new MemoryQueueStore()
    await store.put(checkIn('1', '2026-12-07T06:00:00Z'))
    const result = await flush(store, () => Promise.reject(new TypeError('Failed to fetch')))
    expect(result.left).toBe(1)
  })

  it('drops a refused action and says why, then goes on', async () => {
    const store = new MemoryQueueStore()
    await store.put(checkIn('1', '2026-12-07T06:00:00Z'))
    await store.put(checkIn('2', '2026-12-07T06:10:00Z'))
    const progress: number[] = []
    const result = await flush(
      store,
      async (a) => (a.id === '1' ? { refused: 'must be a check-in code' } : 'sent'),
      (done) => progress.push(done),
    )
    expect(result.sent).toBe(1)
    expect(result.refused.map((r) => r.why)).toEqual(['must be a check-in code'])
    expect(progress).toEqual([1, 2])
  })
})
