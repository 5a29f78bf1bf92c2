// The API client: generated from the OpenAPI document (schema.d.ts, `npm run client`), with
// one middleware that adds the access token and renews it once when a call meets a 401.
import createClient, { type Middleware } from 'openapi-fetch'
import type { components, paths } from './schema'

export type Schemas = components['schemas']
export type Problem = Schemas['Problem']

/** Where the access token comes from, and how it is renewed (see auth/session.ts). */
export interface TokenSource {
  token(): string | null
  renew(): Promise<boolean>
}

let source: TokenSource | null = null
/** Each call as it was before it was sent: its body can be sent once more. */
const unsent = new WeakMap<Request, Request>()

/** Lets the session hand its tokens to every call. */
export function provideTokens(tokens: TokenSource): void {
  source = tokens
}

const auth: Middleware = {
  onRequest({ request }) {
    const token = source?.token()
    if (token && !request.headers.has('Authorization')) {
      request.headers.set('Authorization', `Bearer ${token}`)
    }
    unsent.set(request, request.clone())
    return request
  },
  async onResponse({ request, response }) {
    // An access token expires after 15 minutes: renew it once and send the call again.
    if (response.status !== 401 || !source || request.url.includes('/v1/auth/')) return response
    const retry = unsent.get(request)
    if (!retry || !(await source.renew())) return response
    retry.headers.set('Authorization', `Bearer ${source.token() ?? ''}`)
    return fetch(retry)
  },
}

export const api = createClient<paths>({ baseUrl: '' })
api.use(auth)

/** The ETag of a response, to send back as If-Match. */
export function etagOf(response: Response): string {
  return response.headers.get('ETag') ?? ''
}

/** An entity's ETag from its stored version. */
export function etag(version: number): string {
  return `"${version}"`
}

/** The problem+json of a failed call, whatever shape the error took. */
export function problemOf(error: unknown): Problem | null {
  if (error && typeof error === 'object' && 'status' in error && 'title' in error) {
    return error as Problem
  }
  return null
}

/** Each bad field of a 422, by its name (`rows[3].sizeSqm`). */
export function fieldErrors(error: unknown): Record<string, string> {
  const problem = problemOf(error)
  const out: Record<string, string> = {}
  for (const e of problem?.errors ?? []) out[e.field] = e.message
  return out
}
