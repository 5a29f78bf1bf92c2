// Simulation in Chromium against the local cloud: a week planned for two busy cleaners shows
// its quick simulation beside its figures; the dispatcher asks what happens if one of them is
// off and rooms take 10 % longer, follows the run's progress and reads each cleaner's day
// with its risk, the sites' service levels and the difference; the list keeps the run.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { accessibility, call, launch, logIn, nextMonday, shot, signUp, startCloud } from './harness.mjs'

let cloud
let browser
let page
let admin
let planId
const week = nextMonday()

async function accessible(name) {
  const violations = await accessibility(page)
  assert.deepEqual(violations, [], `${name}: ${JSON.stringify(violations, null, 1)}`)
}

before(async () => {
  cloud = await startCloud()
  admin = await signUp(cloud.url, 'Glanzwerk Gebäudedienste', 'dispo@glanzwerk.example')
  const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day, from: '06:00', to: '14:00' }))
  const type = (await call(cloud.url, 'POST', '/v1/area-types', { name: 'Büro', performanceSqmPerHour: 150, cleaningsPerWeek: 5 }, admin.token)).json.id
  for (const [name, lat, lng, rooms] of [['Bürohaus Spreeufer', 52.512, 13.424, 9], ['Praxis am Markt', 52.53, 13.40, 5]]) {
    const site = (await call(cloud.url, 'POST', '/v1/sites', {
      name, timeZone: 'Europe/Berlin', address: { street: 'Holzmarktstraße 4', postalCode: '10179', city: 'Berlin', country: 'DE' },
      location: { lat, lng }, accessHours: weekdays,
    }, admin.token)).json
    for (let i = 1; i <= rooms; i++) {
      await call(cloud.url, 'POST', '/v1/areas', { siteId: site.id, name: `Raum ${i}`, sizeSqm: 60 + 10 * i, areaTypeId: type }, admin.token)
    }
  }
  for (const [userId, name, lat] of [['lea', 'Lea Keller', 52.50], ['tom', 'Tom Berger', 52.54]]) {
    await call(cloud.url, 'POST', '/v1/cleaners', { userId, name, home: { lat, lng: 13.41 }, shifts: weekdays, maxMinutesPerDay: 330 }, admin.token)
  }
  const queued = await call(cloud.url, 'POST', '/v1/plans', { weekStart: week, seconds: 1 }, admin.token)
  planId = queued.json.id
  for (let i = 0; i < 200; i++) {
    const { json } = await call(cloud.url, 'GET', `/v1/plans/${planId}`, undefined, admin.token)
    if (json.status === 'draft') break
    await new Promise((r) => setTimeout(r, 150))
  }
  browser = await launch()
  page = await browser.context.newPage()
  await logIn(page, cloud.url, admin, 'Simulationen')
})

after(async () => {
  await browser?.close()
  await cloud?.stop()
})

test('a new plan shows how likely it is to hold beside its figures', async () => {
  await page.goto(`${cloud.url}/plans/${planId}`)
  await page.getByRole('heading', { name: /Wie sicher der Plan hält \(1\.000 Durchläufe\)/ }).waitFor()
  await page.getByText('Servicegrad', { exact: true }).waitFor()
  await page.getByRole('heading', { name: 'Was wäre, wenn …' }).waitFor()
  await shot(page, 'plan-risk-desktop')
  await accessible('plan risk')
})

test('she asks what happens if a cleaner is off and rooms take longer, and reads the difference', async () => {
  await page.getByLabel('Reinigungskraft fällt aus').selectOption({ label: 'Tom Berger' })
  await page.getByLabel('Reinigungszeiten (± %)').fill('10')
  await page.getByRole('button', { name: 'Simulieren' }).click()
  await page.getByRole('heading', { name: /Simulation der Woche vom/ }).waitFor()
  await page.getByText('Fertig', { exact: true }).waitFor({ timeout: 60000 })
  await page.getByText(/Tom Berger fällt die Woche aus; Reinigungszeiten 10 %/).waitFor()
  await page.getByRole('heading', { name: 'Tage je Reinigungskraft' }).waitFor()
  await page.getByRole('heading', { name: 'Servicegrad je Objekt' }).waitFor()
  // Tom's visits are missed in the variant: the week's service level falls, clearly.
  const change = page.locator('table.kpis tbody tr').first().locator('td').nth(2)
  assert.match(await change.textContent(), /^−\d+/)
  assert.equal(await change.locator('span.worse').count(), 1)
  await page.getByText('Was das Modell annimmt').click()
  await page.getByText('Fällt aus').first().waitFor()
  await page.evaluate(() => window.scrollTo(0, 0))
  await shot(page, 'simulation-what-if-desktop')
  await accessible('simulation')
  await page.setViewportSize({ width: 390, height: 844 })
  await shot(page, 'simulation-what-if-phone')
  await page.setViewportSize({ width: 1440, height: 900 })
})

test('the list keeps every simulation with its service level', async () => {
  await page.getByRole('navigation').getByRole('link', { name: 'Simulationen' }).click()
  await page.getByRole('cell', { name: 'Fertig' }).waitFor()
  await page.getByRole('cell', { name: 'Was wäre, wenn …' }).waitFor()
  await shot(page, 'simulations-desktop')
  await accessible('simulations')
})
