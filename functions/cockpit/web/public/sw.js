// cleanops service worker: the app opens and works without a network (a cleaner in a cellar).
// - Every file of the build is kept (precache.json lists them, lazily loaded chunks such as
//   the QR decoder included), and kept up to date whenever the app is opened online.
// - The app's page is fetched from the network first and kept for when there is none.
// - Hashed files (/assets/...) never change under their name: from the cache once there.
// - The API (/v1/...) is never cached here: the app keeps what it must (the day's sheet,
//   the offline queue) itself.
const CACHE = 'cleanops-app-v1'

/** Keeps every file the current build lists, and drops those of earlier builds. */
async function refresh() {
  const cache = await caches.open(CACHE)
  const listed = await fetch('/precache.json', { cache: 'no-cache' }).then((r) => (r.ok ? r.json() : []))
  const kept = new Set((await cache.keys()).map((r) => new URL(r.url).pathname))
  await Promise.all(listed.filter((file) => !kept.has(file)).map((file) => cache.add(file)))
  const wanted = new Set(listed)
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname
    if (path.startsWith('/assets/') && !wanted.has(path)) await cache.delete(request)
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE)
      await cache.addAll(['/', '/manifest.webmanifest', '/icon.svg', '/icon-192.png', '/icon-512.png'])
      await refresh()
      await self.skipWaiting()
    })(),
  )
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name)
      await self.clients.claim()
    })(),
  )
})

self.addEventListener('fetch', (event) => {
  const request = event.request
  const url = new URL(request.url)
  if (request.method !== 'GET' || url.origin !== self.location.origin) return
  // The API, and the local cloud's bucket (a download is a navigation too: it must never
  // be kept as the app's page).
  if (url.pathname.startsWith('/v1/') || url.pathname.startsWith('/.well-known/') || url.pathname.startsWith('/blobs/')) return
  if (request.mode === 'navigate') {
    // Every page of the app is the same document; a fresh one may name new files.
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone()
            event.waitUntil(caches.open(CACHE).then((cache) => cache.put('/', copy)).then(refresh).catch(() => undefined))
          }
          return response
        })
        .catch(() => caches.match('/').then((hit) => hit ?? Response.error())),
    )
    return
  }
  event.respondWith(caches.match(request, { ignoreSearch: true }).then((hit) => hit ?? fetch(request)))
})
