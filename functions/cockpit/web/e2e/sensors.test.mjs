// Sensors and demand-based cleaning, in Chromium against the local cloud: a dispatcher
// registers a counter, sees each washroom's use since its last cleaning against its limit
// (the one over it due), the sensors' batteries, and the month's savings chart; proof of
// service counts the demand, and the cleaner's phone marks demand and unneeded rooms.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { accessibility, call, launch, logIn, shot, signUp, startCloud, todayInBerlin } from './harness.mjs'

let cloud
let browser
let page
let admin
let site
const areas = {}

const minutesAgo = (minutes) => new Date(Date.now() - minutes * 60_000).toISOString()

before(async () => {
  cloud = await startCloud()
  admin = await signUp(cloud.url, 'Glanzwerk Gebäudedienste', 'buero@glanzwerk.example')
  const { json } = await call(cloud.url, 'POST', '/v1/sites', {
    name: 'Bürohaus Spreeufer', timeZone: 'Europe/Berlin',
    address: { street: 'Holzmarktstraße 4', postalCode: '10179', city: 'Berlin', country: 'DE' },
    location: { lat: 52.512, lng: 13.424 },
  }, admin.token)
  site = json
  const type = async (body) => (await call(cloud.url, 'POST', '/v1/area-types', body, admin.token)).json.id
  const sanitary = await type({ name: 'Sanitär', performanceSqmPerHour: 60, cleaningsPerWeek: 5,
    demand: { mode: 'demand-with-fallback', limit: 40 } })
  const meeting = await type({ name: 'Besprechung', performanceSqmPerHour: 120, cleaningsPerWeek: 2,
    demand: { mode: 'demand', limit: 30 } })
  for (const [key, name, areaTypeId, sizeSqm] of [
    ['ladies', 'WC Damen 2. OG', sanitary, 18],
    ['gents', 'WC Herren 2. OG', sanitary, 16],
    ['meeting', 'Besprechungsraum Spree', meeting, 42],
  ]) {
    areas[key] = (await call(cloud.url, 'POST', '/v1/areas', { siteId: site.id, name, sizeSqm, areaTypeId }, admin.token)).json.id
  }
  for (const [name, deviceId, areaId] of [
    ['Zähler WC Herren', 'wc-herren-1', areas.gents],
    ['Zähler Besprechung', 'besprechung-1', areas.meeting],
  ]) {
    await call(cloud.url, 'POST', '/v1/sensors', { name, kind: 'people-counter', format: 'generic', deviceId, areaId }, admin.token)
  }
  // Cleanings of the last days, checked in late as a phone offline syncs them.
  const code = async (area) => (await call(cloud.url, 'GET', `/v1/check-in-codes/${area}`, undefined, admin.token)).json.code
  for (const [area, daysAgo] of [['meeting', 6], ['meeting', 1], ['gents', 5], ['gents', 4], ['gents', 2], ['gents', 1]]) {
    const at = minutesAgo(daysAgo * 24 * 60)
    const visit = await call(cloud.url, 'POST', '/v1/visits/check-in', { code: await code(areas[area]), at }, admin.token)
    await call(cloud.url, 'POST', `/v1/visits/${visit.json.id}/check-out`, { status: 'done', at: new Date(Date.parse(at) + 15 * 60_000).toISOString() },
      admin.token, { 'If-Match': visit.etag })
  }
  browser = await launch()
  page = await browser.context.newPage()
  await logIn(page, cloud.url, admin, 'Sensoren')
})

after(async () => {
  await browser?.close()
  await cloud?.stop()
})

test('a dispatcher registers a sensor and sees each room’s use against its limit', async () => {
  await page.goto(`${cloud.url}/sensors`)
  const form = page.getByRole('form', { name: 'Sensor registrieren' })
  await form.getByLabel('Name').fill('Zähler WC Damen')
  await form.getByLabel('Anbieter').selectOption('generic')
  await form.getByLabel('Gerät').fill('wc-damen-1')
  await form.getByLabel('Raum').selectOption(areas.ladies)
  await form.getByRole('button', { name: 'Sensor registrieren' }).click()
  await page.getByRole('rowheader', { name: 'Zähler WC Damen' }).waitFor()

  // The day's readings: the ladies' washroom passes its limit, the others stay under theirs.
  const readings = []
  for (const [device, people] of [['wc-damen-1', 46], ['wc-herren-1', 17], ['besprechung-1', 12]]) {
    for (let i = 0; i < people; i++) {
      readings.push({ deviceId: device, eventId: `${device}-${i}`, at: minutesAgo(120 - i), count: 1, batteryPercent: device === 'wc-herren-1' ? 14 : 88 })
    }
  }
  const { json } = await call(cloud.url, 'POST', '/v1/ingest/generic', { readings }, admin.token)
  assert.equal(json.accepted, readings.length)
  assert.equal(json.demandCleanings.length, 1, 'the ladies’ washroom crossed its limit once')

  await page.reload()
  const demand = page.getByRole('region', { name: 'Nutzung seit der letzten Reinigung' })
  const ladies = demand.getByRole('row', { name: /WC Damen/ })
  await ladies.getByText('Reinigung fällig').waitFor()
  await ladies.getByText('46 von 40').waitFor()
  await demand.getByRole('row', { name: /Besprechungsraum/ }).getByText('12 von 30').waitFor()
  const sensors = page.getByRole('region', { name: 'Sensoren', exact: true })
  await sensors.getByRole('row', { name: /Zähler WC Herren/ }).getByText('14 %').waitFor()
  const violations = await accessibility(page)
  assert.deepEqual(violations, [], JSON.stringify(violations, null, 1))
  await shot(page, 'sensors-desktop')
})

test('the savings chart weighs the month’s cleanings against the frequency', async () => {
  const savings = page.getByRole('region', { name: /Einsparung durch Sensoren/ })
  await savings.getByText('Reinigungen nach Frequenz').first().waitFor()
  await savings.getByText('Besprechungsraum Spree').waitFor()
  await savings.scrollIntoViewIfNeeded()
  await shot(page, 'sensors-savings', { fullPage: false })
  await page.setViewportSize({ width: 390, height: 844 })
  await shot(page, 'sensors-phone')
  await page.setViewportSize({ width: 1440, height: 900 })
})

test('proof of service counts the demand, and the cleaner’s day marks demand and unneeded rooms', async () => {
  await page.goto(`${cloud.url}/proof`)
  const proof = page.getByRole('table')
  await proof.getByRole('columnheader', { name: 'Nach Bedarf' }).waitFor()
  await proof.getByRole('columnheader', { name: 'Nicht nötig' }).waitFor()
  await shot(page, 'proof-with-demand-desktop')

  // Maria's tour covers the ladies' washroom (over its limit) and the meeting room (under it).
  const weekday = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][new Date(`${todayInBerlin()}T12:00:00Z`).getUTCDay()]
  const shifts = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({ day, from: '05:00', to: '22:00' }))
  await call(cloud.url, 'POST', '/v1/cleaners', { userId: 'maria', name: 'Maria Kowalski', home: { lat: 52.51, lng: 13.42 }, shifts, maxMinutesPerDay: 600 }, admin.token)
  await call(cloud.url, 'POST', '/v1/tours', {
    name: 'Spreeufer früh', cleanerId: 'maria', startTime: '06:00', maxMinutesPerDay: 600,
    days: [{ day: weekday, areaIds: [areas.ladies, areas.meeting] }],
  }, admin.token)
  const { json: invitation } = await call(cloud.url, 'POST', '/v1/invitations', {
    email: 'maria@glanzwerk.example', name: 'Maria Kowalski', role: 'cleaner', language: 'de', cleanerId: 'maria',
  }, admin.token)
  const phone = await launch({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true })
  const cleaner = await phone.context.newPage()
  await cleaner.goto(invitation.acceptUrl.replace(/^https?:\/\/[^/]+/, cloud.url))
  await cleaner.getByLabel('Passwort').fill('correct horse battery')
  await cleaner.getByRole('button', { name: 'Annehmen und anmelden' }).click()
  await cleaner.getByRole('heading', { name: 'Meine Tour heute' }).waitFor()
  const ladies = cleaner.locator('.stop-card', { hasText: 'WC Damen 2. OG' })
  await ladies.getByText('Bedarf: Limit erreicht').waitFor()
  const meeting = cleaner.locator('.stop-card', { hasText: 'Besprechungsraum Spree' })
  await meeting.getByText('Heute nicht nötig').waitFor()
  await shot(cleaner, 'today-demand-phone')
  await phone.close()
})
