// What the cockpit reads from an access token (it never verifies one: the API does).

export type Role = 'admin' | 'dispatcher' | 'cleaner' | 'customer'

export interface Claims {
  sub: string
  tenant: string
  role: Role
  customer?: string
  exp: number
}

/** The claims of a JWT, or null when it is not one. */
export function claimsOf(token: string): Claims | null {
  const payload = token.split('.')[1]
  if (!payload) return null
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/')
    const json = new TextDecoder().decode(
      Uint8Array.from(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '=')), (c) =>
        c.charCodeAt(0),
      ),
    )
    const claims = JSON.parse(json) as Partial<Claims>
    if (!claims.sub || !claims.tenant || !claims.role || !claims.exp) return null
    return claims as Claims
  } catch {
    return null
  }
}

/** Planners write master data, calendars, tours and plans. */
export function isPlanner(role: Role): boolean {
  return role === 'admin' || role === 'dispatcher'
}
