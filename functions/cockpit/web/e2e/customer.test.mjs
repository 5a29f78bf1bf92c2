// A customer's portal: she sees her own sites only, what was done there this month (proof
// of service, exportable and printable) and her inspection scores over the year; another
// customer's site stays closed to her, in the app and in the API.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { join } from 'node:path'
import { accessibility, ARTIFACTS, call, launch, shot, signUp, startCloud, todayInBerlin } from './harness.mjs'

let cloud
let browser
let page
let admin
let ours
let theirs
const password = 'Kundenportal 2026 sicher'

function monthsBack(n) {
  const [y, m] = todayInBerlin().split('-').map(Number)
  const d = new Date(Date.UTC(y, m - 1 - n, 15))
  return d.toISOString().slice(0, 10)
}

before(async () => {
  cloud = await startCloud()
  admin = await signUp(cloud.url, 'Sauber & Co', 'chef@sauber.example')
  const api = (method, path, body, token = admin.token) => call(cloud.url, method, path, body, token)
  const { json: office } = await api('POST', '/v1/area-types', { name: 'Büro', performanceSqmPerHour: 200, cleaningsPerWeek: 5 })
  const site = async (name, customerId, street) => {
    await api('POST', '/v1/customers', {
      number: customerId,
      name,
      billingAddress: { street, postalCode: '8001', city: 'Zürich', country: 'CH' },
      language: 'de',
    })
    return (
      await api('POST', '/v1/sites', {
        name,
        customerId,
        timeZone: 'Europe/Zurich',
        address: { street, postalCode: '8001', city: 'Zürich', country: 'CH' },
        location: { lat: 47.37, lng: 8.54 },
      })
    ).json
  }
  ours = await site('Kanzlei Seefeld', 'kunde-mueller', 'Seefeldstrasse 12')
  theirs = await site('Bank am Paradeplatz', 'kunde-andere', 'Paradeplatz 8')
  const areas = []
  for (const [name, size] of [['Empfang', 40], ['Besprechung', 25], ['Büro Müller', 18]]) {
    areas.push((await api('POST', '/v1/areas', { siteId: ours.id, name, sizeSqm: size, areaTypeId: office.id })).json)
  }
  await api('POST', '/v1/areas', { siteId: theirs.id, name: 'Schalterhalle', sizeSqm: 200, areaTypeId: office.id })
  await api('POST', '/v1/calendars', { siteId: ours.id, name: 'Täglich', rrule: 'FREQ=DAILY', startDate: '2026-01-01', window: { earliest: '00:00', latest: '24:00' } })
  // What was done: a cleaner checks in and out at two rooms today.
  const shifts = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({ day, from: '05:00', to: '22:00' }))
  await api('POST', '/v1/cleaners', { userId: 'lena', name: 'Lena', home: { lat: 47.36, lng: 8.55 }, shifts, maxMinutesPerDay: 480 })
  const { json: invite } = await api('POST', '/v1/invitations', { email: 'lena@sauber.example', name: 'Lena', role: 'cleaner', language: 'de', cleanerId: 'lena' })
  const { json: lena } = await call(cloud.url, 'POST', '/v1/invitations/accept', { token: invite.token, password: 'Lenas Passwort 123' })
  for (const area of areas.slice(0, 2)) {
    const { json: label } = await api('GET', `/v1/check-in-codes/${area.id}`)
    const visit = await api('POST', '/v1/visits/check-in', { code: label.code }, lena.accessToken)
    await call(cloud.url, 'POST', `/v1/visits/${visit.json.id}/check-out`, { status: 'done' }, lena.accessToken, { 'If-Match': visit.etag })
  }
  // Inspections over the last months, scored by APPA level.
  for (const [back, level] of [[5, 3], [4, 2], [3, 2], [2, 1], [1, 2], [0, 1]]) {
    await api('POST', '/v1/inspections', { siteId: ours.id, date: monthsBack(back), areas: areas.map((a) => ({ areaId: a.id, appaLevel: level })) })
  }
  const { json: customer } = await api('POST', '/v1/invitations', {
    email: 'frau.mueller@kanzlei.example',
    name: 'Frau Müller',
    role: 'customer',
    language: 'de',
    customerId: 'kunde-mueller',
  })
  browser = await launch()
  page = await browser.context.newPage()
  await page.goto(customer.acceptUrl.replace(/^https?:\/\/[^/]+/, cloud.url))
  await page.getByLabel('Passwort').fill(password)
  await page.getByRole('button', { name: 'Annehmen und anmelden' }).click()
})

after(async () => {
  await browser?.close()
  await cloud?.stop()
})

test('she sees her own sites only', async () => {
  await page.getByRole('heading', { name: 'Meine Objekte' }).waitFor()
  await page.getByRole('link', { name: 'Kanzlei Seefeld' }).waitFor()
  assert.equal(await page.getByText('Bank am Paradeplatz').count(), 0)
  await shot(page, 'portal-desktop')
  assert.deepEqual(await accessibility(page), [])
})

test('she sees what was done this month and her inspection scores over the year', async () => {
  await page.getByRole('link', { name: 'Kanzlei Seefeld' }).click()
  await page.getByRole('heading', { name: 'Leistungsnachweis' }).waitFor()
  const reception = page.getByRole('row', { name: /Empfang/ })
  await reception.waitFor()
  assert.equal(await reception.getByRole('cell').nth(1).textContent(), '1')
  await page.locator('.chart .score-dot').first().waitFor()
  assert.equal(await page.locator('.chart .score-dot').count(), 6)
  await shot(page, 'portal-site-desktop')
  assert.deepEqual(await accessibility(page), [])
  const download = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Als CSV' }).click()
  const csv = await (await download).path()
  const text = (await import('node:fs')).readFileSync(csv, 'utf8')
  assert.match(text, /^\uFEFFRaum;Geplant;Erledigt;Ausgelassen;Kein Zugang;Erfüllung\r\n/)
  assert.match(text, /Empfang;\d+;1;0;0;/)
  await page.emulateMedia({ media: 'print' })
  await shot(page, 'portal-site-print')
  // What the print button gives: the same, on A4.
  await page.pdf({ path: join(ARTIFACTS, 'proof-of-service.pdf'), format: 'A4', printBackground: true })
  await page.emulateMedia({ media: 'screen' })
  await page.setViewportSize({ width: 390, height: 844 })
  await shot(page, 'portal-site-phone')
  await page.setViewportSize({ width: 1440, height: 900 })
})

test('she reads it in her language: German first, then English, French and Italian', async () => {
  await page.goto(`${cloud.url}/portal`)
  for (const [language, heading] of [['en', 'My sites'], ['fr', 'Mes sites'], ['it', 'I miei immobili'], ['de', 'Meine Objekte']]) {
    await page.getByLabel(/Sprache|Language|Langue|Lingua/).selectOption(language)
    await page.getByRole('heading', { name: heading }).waitFor()
    assert.equal(await page.evaluate(() => document.documentElement.lang), language)
  }
  await page.getByLabel('Sprache').selectOption('fr')
  await page.getByRole('link', { name: 'Kanzlei Seefeld' }).click()
  await page.getByRole('columnheader', { name: 'Réalisation' }).waitFor()
  await shot(page, 'portal-site-french-desktop')
  await page.getByLabel('Langue').selectOption('de')
})

test('another customer’s site stays closed, in the app and in the API', async () => {
  await page.goto(`${cloud.url}/portal/sites/${theirs.id}`)
  await page.getByRole('alert').waitFor()
  assert.equal(await page.getByText('Bank am Paradeplatz').count(), 0)
  assert.equal(await page.getByText('Schalterhalle').count(), 0)
  await shot(page, 'portal-foreign-site-desktop')
  const { json } = await call(cloud.url, 'POST', '/v1/auth/login', { email: 'frau.mueller@kanzlei.example', password })
  for (const path of [`/v1/sites/${theirs.id}`, `/v1/proof-of-service?siteId=${theirs.id}&month=${todayInBerlin().slice(0, 7)}`]) {
    const { status } = await call(cloud.url, 'GET', path, undefined, json.accessToken, { 'x-allow-error': '1' })
    assert.equal(status, 404, path)
  }
  // The dispatcher screens are not hers either.
  await page.goto(`${cloud.url}/week`)
  await page.getByRole('heading', { name: 'Meine Objekte' }).waitFor()
  assert.deepEqual(browser.errors, [])
})
