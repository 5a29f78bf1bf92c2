// Check-ins and check-outs a phone makes without a network wait here (IndexedDB, so they
// survive a closed app) with the time they happened, and are sent in order on reconnect.
// A check-in carries the id the phone chose for its visit, so sending it twice records one
// visit; a check-out of a visit already closed counts as sent.

export type QueuedAction =
  | { id: string; kind: 'check-in'; visitId: string; code: string; tourId?: string; at: string; areaId: string; areaName: string }
  | {
      id: string
      kind: 'check-out'
      visitId: string
      status: 'done' | 'skipped' | 'not-accessible'
      reason?: string
      at: string
      areaId: string
      areaName: string
    }

/** Where queued actions are kept. */
export interface QueueStore {
  all(): Promise<QueuedAction[]>
  put(action: QueuedAction): Promise<void>
  remove(id: string): Promise<void>
}

/** What became of one send: gone through (or needless), to try again later, or refused. */
export type Outcome = 'sent' | 'retry' | { refused: string }

export interface FlushResult {
  sent: number
  refused: { action: QueuedAction; why: string }[]
  left: number
}

/** Sends queued actions oldest first; stops at the first that must wait (the network is
 * gone again), so a check-out never overtakes its check-in. */
export async function flush(
  store: QueueStore,
  send: (action: QueuedAction) => Promise<Outcome>,
  progress: (done: number, total: number) => void = () => undefined,
): Promise<FlushResult> {
  const actions = (await store.all()).sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id))
  const result: FlushResult = { sent: 0, refused: [], left: actions.length }
  for (const [i, action] of actions.entries()) {
    const outcome = await send(action).catch((): Outcome => 'retry')
    if (outcome === 'retry') break
    await store.remove(action.id)
    result.left -= 1
    if (outcome === 'sent') result.sent += 1
    else result.refused.push({ action, why: outcome.refused })
    progress(i + 1, actions.length)
  }
  return result
}

export class MemoryQueueStore implements QueueStore {
  private items = new Map<string, QueuedAction>()
  async all() {
    return [...this.items.values()]
  }
  async put(action: QueuedAction) {
    this.items.set(action.id, action)
  }
  async remove(id: string) {
    this.items.delete(id)
  }
}

const DB = 'cleanops-offline'
const STORE = 'actions'

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result)
    r.onerror = () => reject(r.error)
  })
}

/** The queue in the browser's IndexedDB. */
export class IdbQueueStore implements QueueStore {
  private db: Promise<IDBDatabase> | null = null

  private open(): Promise<IDBDatabase> {
    this.db ??= new Promise((resolve, reject) => {
      const open = indexedDB.open(DB, 1)
      open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: 'id' })
      open.onsuccess = () => resolve(open.result)
      open.onerror = () => reject(open.error)
    })
    return this.db
  }

  private async tx(mode: IDBTransactionMode): Promise<IDBObjectStore> {
    return (await this.open()).transaction(STORE, mode).objectStore(STORE)
  }

  async all(): Promise<QueuedAction[]> {
    return request((await this.tx('readonly')).getAll() as IDBRequest<QueuedAction[]>)
  }

  async put(action: QueuedAction): Promise<void> {
    await request((await this.tx('readwrite')).put(action))
  }

  async remove(id: string): Promise<void> {
    await request((await this.tx('readwrite')).delete(id))
  }
}
