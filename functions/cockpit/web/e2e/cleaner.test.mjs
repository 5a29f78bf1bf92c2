// A cleaner's day on her phone (360 x 740): she accepts her invitation, sees today's stops,
// goes into a cellar without a network, checks in by pointing the camera at the room's QR
// label (Chromium's fake camera plays a video of the real label) and checks out as done; back
// online, both are sent and the visit is recorded once, however often the phone resends.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { accessibility, call, launch, qrVideo, shot, signUp, startCloud, todayInBerlin } from './harness.mjs'

let cloud
let browser
let page
let admin
let rooms
let inviteUrl
const password = 'Marias eigenes Passwort'
const weekday = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][new Date(`${todayInBerlin()}T12:00:00Z`).getUTCDay()]

before(async () => {
  cloud = await startCloud()
  admin = await signUp(cloud.url, 'Glanz & Gloria', 'chefin@glanz.example')
  const api = (method, path, body, headers) => call(cloud.url, method, path, body, admin.token, headers)
  const { json: office } = await api('POST', '/v1/area-types', { name: 'Büro', performanceSqmPerHour: 200, cleaningsPerWeek: 7 })
  const { json: site } = await api('POST', '/v1/sites', {
    name: 'Praxis am Markt',
    timeZone: 'Europe/Berlin',
    address: { street: 'Markt 3', postalCode: '04109', city: 'Leipzig', country: 'DE' },
    location: { lat: 51.34, lng: 12.37 },
    accessNotes: 'Schlüssel im Tresor, Code 2580',
  })
  rooms = []
  for (const [name, size] of [['Empfang', 30], ['Behandlung 1', 20], ['Labor', 15]]) {
    const { json } = await api('POST', '/v1/areas', { siteId: site.id, name, floor: 0, sizeSqm: size, areaTypeId: office.id })
    rooms.push(json)
  }
  await api('POST', '/v1/calendars', {
    siteId: site.id,
    name: 'Täglich',
    rrule: 'FREQ=DAILY',
    startDate: '2026-01-01',
    window: { earliest: '00:00', latest: '24:00' },
  })
  const cleanerId = 'maria-kowalski'
  const shifts = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({ day, from: '05:00', to: '22:00' }))
  await api('POST', '/v1/cleaners', { userId: cleanerId, name: 'Maria Kowalski', home: { lat: 51.33, lng: 12.38 }, shifts, maxMinutesPerDay: 600 })
  await api('POST', '/v1/tours', {
    name: 'Praxis täglich',
    cleanerId,
    startTime: '06:00',
    maxMinutesPerDay: 600,
    days: [{ day: weekday, areaIds: rooms.map((r) => r.id) }],
  })
  const { json: invitation } = await api('POST', '/v1/invitations', {
    email: 'maria@glanz.example',
    name: 'Maria Kowalski',
    role: 'cleaner',
    language: 'de',
    cleanerId,
  })
  inviteUrl = invitation.acceptUrl.replace(/^https?:\/\/[^/]+/, cloud.url)
  // The camera sees the label on the first room's door.
  const { json: label } = await api('GET', `/v1/check-in-codes/${rooms[0].id}`)
  const video = qrVideo(label.code, 'label')
  browser = await launch({
    viewport: { width: 360, height: 740 },
    isMobile: true,
    hasTouch: true,
    permissions: ['camera'],
    extraArgs: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
  })
  page = await browser.context.newPage()
  page.on('console', (m) => process.env.E2E_CONSOLE && console.log('console:', m.type(), m.text()))
})

after(async () => {
  await browser?.close()
  await cloud?.stop()
})

test('she accepts her invitation on her phone and sees today’s stops in order', async () => {
  await page.goto(inviteUrl)
  await page.getByRole('heading', { name: 'Einladung annehmen' }).waitFor()
  await shot(page, 'accept-invitation-phone')
  await page.getByLabel('Passwort').fill(password)
  await page.getByRole('button', { name: 'Annehmen und anmelden' }).click()
  await page.getByRole('heading', { name: 'Meine Tour heute' }).waitFor()
  const names = await page.locator('.stop-card h2').allTextContents()
  assert.deepEqual(names, ['Empfang', 'Behandlung 1', 'Labor'])
  await page.getByText('Zeitfenster 00:00–24:00').first().waitFor()
  // How to get in, at the site's first room.
  await page.getByText('Zugang: Schlüssel im Tresor, Code 2580').waitFor()
  await shot(page, 'today-phone')
  assert.deepEqual(await accessibility(page), [])
  // Installable: a manifest with icons, and a service worker in control of the page.
  const manifest = await (await page.request.get(`${cloud.url}/manifest.webmanifest`)).json()
  assert.equal(manifest.display, 'standalone')
  assert.ok(manifest.icons.some((i) => i.sizes === '512x512'))
  const worker = await page.evaluate(() => navigator.serviceWorker.ready.then((r) => r.active?.scriptURL))
  assert.match(worker, /\/sw\.js$/)
})

test('offline, she checks in by the camera and checks out; back online it is recorded once', async () => {
  // The service worker serves the app's files (the QR decoder too) once it controls the page.
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null)
  await browser.context.setOffline(true)
  await page.evaluate(() => window.dispatchEvent(new Event('offline')))
  await page.getByText('Offline: alles wird gespeichert und später gesendet').waitFor()
  await page.getByRole('button', { name: 'QR-Code scannen' }).click()
  await page.getByRole('heading', { name: 'Raum-Code scannen' }).waitFor()
  // The fake camera shows the label: the decoder reads it and she is checked in.
  await page.getByText('Eingecheckt: Empfang.').waitFor({ timeout: 30000 })
  const first = page.locator('.stop-card').first()
  await first.getByText('In Arbeit · noch nicht gesendet').waitFor()
  await first.getByRole('button', { name: 'Erledigt' }).click()
  await page.getByText('2 warten auf das Senden').waitFor()
  await first.getByText('Erledigt · noch nicht gesendet').waitFor()
  await shot(page, 'today-offline-phone')

  await browser.context.setOffline(false)
  await page.evaluate(() => window.dispatchEvent(new Event('online')))
  await page.getByText('2 Einträge gesendet.').waitFor()
  await first.getByText('Erledigt', { exact: true }).waitFor()
  await shot(page, 'today-synced-phone')

  // Online again, the room's photo after the cleaning goes with the visit.
  await first.getByLabel('Foto aufnehmen').setInputFiles({
    name: 'empfang-nachher.jpg',
    mimeType: 'image/jpeg',
    buffer: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('a clean reception desk')]),
  })
  await first.getByText('1 Foto(s) gespeichert').waitFor()
  await shot(page, 'today-photo-phone')

  const { json: visits } = await call(cloud.url, 'GET', `/v1/visits?limit=50`, undefined, admin.token)
  const atReception = visits.items.filter((v) => v.areaId === rooms[0].id)
  assert.equal(atReception.length, 1, JSON.stringify(visits.items))
  assert.equal(atReception[0].status, 'done')
  const { json: photos } = await call(cloud.url, 'GET', `/v1/documents?visitId=${atReception[0].id}`, undefined, admin.token)
  assert.deepEqual(photos.items.map((p) => [p.name, p.moment, p.siteId]), [['empfang-nachher.jpg', 'after', atReception[0].siteId]])

  // The phone sends the same check-in again (a lost answer): the same visit, no second one.
  const { json: login } = await call(cloud.url, 'POST', '/v1/auth/login', { email: 'maria@glanz.example', password })
  const { json: label } = await call(cloud.url, 'GET', `/v1/check-in-codes/${rooms[0].id}`, undefined, admin.token)
  const again = await call(cloud.url, 'POST', '/v1/visits/check-in', { code: label.code, visitId: atReception[0].id }, login.accessToken)
  assert.equal(again.status, 200)
  assert.equal(again.json.id, atReception[0].id)
  const { json: still } = await call(cloud.url, 'GET', `/v1/visits?limit=50`, undefined, admin.token)
  assert.equal(still.items.filter((v) => v.areaId === rooms[0].id).length, 1)
})

test('a label typed by hand checks in too, and a skipped room needs its reason', async () => {
  const { json: label } = await call(cloud.url, 'GET', `/v1/check-in-codes/${rooms[1].id}`, undefined, admin.token)
  await page.getByRole('button', { name: 'QR-Code scannen' }).click()
  // The camera still shows the first label: its room is done, so the scanner looks on.
  await page.getByText('Empfang ist heute schon abgeschlossen.', { exact: false }).waitFor()
  await shot(page, 'scanner-phone', { fullPage: false })
  await page.getByLabel('Code von Hand eingeben').fill(label.code)
  await page.getByRole('button', { name: 'Einchecken' }).click()
  const second = page.locator('.stop-card').nth(1)
  await second.getByRole('button', { name: 'Ausgelassen' }).waitFor()
  await second.getByRole('button', { name: 'Ausgelassen' }).click()
  await second.getByLabel('Grund').fill('Raum belegt, Patient in Behandlung')
  await second.getByRole('button', { name: 'Bestätigen' }).click()
  // Sent at once (she is online): the card says so once the server has it.
  await second.locator('.badge', { hasText: /^Ausgelassen$/ }).waitFor()
  const { json: visits } = await call(cloud.url, 'GET', `/v1/visits?limit=50`, undefined, admin.token)
  const skipped = visits.items.find((v) => v.areaId === rooms[1].id)
  assert.equal(skipped.status, 'skipped')
  assert.equal(skipped.reason, 'Raum belegt, Patient in Behandlung')
})

test('her feed link is there to add to her phone’s calendar', async () => {
  await page.getByRole('button', { name: 'Kalender-Link anzeigen' }).click()
  const url = await page.getByLabel('Oder diese Adresse in den Kalender kopieren').inputValue()
  assert.match(url, /\/v1\/feeds\/[^/]+\.ics$/)
  const feed = await fetch(url)
  assert.equal(feed.status, 200)
  assert.match(await feed.text(), /BEGIN:VCALENDAR/)
  await shot(page, 'today-feed-phone')
  assert.deepEqual(browser.errors, [])
})
