// Listings come in pages of at most 200 (`nextPageToken`); screens that show a whole
// collection (a tenant's sites, a site's rooms) read every page.

interface Page<T> {
  items: T[]
  nextPageToken?: string
}

/** Every item of a listing: `page` is called with each page's token until the last. */
export async function allPages<T>(page: (token?: string) => Promise<Page<T>>, limit = 50): Promise<T[]> {
  const items: T[] = []
  let token: string | undefined
  for (let i = 0; i < limit; i++) {
    const next = await page(token)
    items.push(...next.items)
    if (!next.nextPageToken) break
    token = next.nextPageToken
  }
  return items
}
