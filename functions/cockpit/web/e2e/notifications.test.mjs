// Notifications in Chromium against the local cloud (nothing configured: every message stays
// in the outbox): a failed inspection rings the dispatcher's bell, her inbox lists it and
// reading it clears the count; the outbox shows every message with its channel and status;
// her settings choose channels per event and quiet hours; the site's board holds a thread.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { accessibility, call, launch, shot, signUp, startCloud, todayInBerlin } from './harness.mjs'

let cloud
let browser
let page
let admin
let site

/** Waits until the outbox holds `count` messages none of which waits any longer. */
async function settled(count) {
  for (let i = 0; i < 100; i++) {
    const { json } = await call(cloud.url, 'GET', '/v1/notifications', undefined, admin.token)
    if (json.items.length >= count && json.items.every((n) => n.status !== 'queued' && n.status !== 'sending')) return json.items
    await new Promise((r) => setTimeout(r, 100))
  }
  assert.fail('the notifications were not sent')
}

before(async () => {
  cloud = await startCloud()
  admin = await signUp(cloud.url, 'Glanzwerk Gebäudedienste', 'buero@glanzwerk.example')
  // She reads German: her notifications are told in it.
  const me = JSON.parse(Buffer.from(admin.token.split('.')[1], 'base64url').toString()).sub
  const user = await call(cloud.url, 'GET', `/v1/users/${me}`, undefined, admin.token)
  const speaks = await call(cloud.url, 'PATCH', `/v1/users/${me}`, { language: 'de' }, admin.token, { 'If-Match': user.etag })
  assert.equal(speaks.status, 200)
  site = (await call(cloud.url, 'POST', '/v1/sites', {
    name: 'Bürohaus Spreeufer', timeZone: 'Europe/Berlin',
    address: { street: 'Holzmarktstraße 4', postalCode: '10179', city: 'Berlin', country: 'DE' },
    location: { lat: 52.512, lng: 13.424 },
  }, admin.token)).json
  const type = (await call(cloud.url, 'POST', '/v1/area-types', { name: 'Büro', performanceSqmPerHour: 200, cleaningsPerWeek: 5 }, admin.token)).json.id
  const area = (await call(cloud.url, 'POST', '/v1/areas', { siteId: site.id, name: 'Empfang', sizeSqm: 40, areaTypeId: type }, admin.token)).json.id
  const inspection = await call(cloud.url, 'POST', '/v1/inspections', {
    siteId: site.id, date: todayInBerlin(), areas: [{ areaId: area, appaLevel: 4, note: 'Staub auf den Fensterbänken' }],
  }, admin.token)
  assert.equal(inspection.status, 201)
  const invited = await call(cloud.url, 'POST', '/v1/invitations', { email: 'lea@glanzwerk.example', name: 'Lea Keller', role: 'dispatcher', language: 'fr' }, admin.token)
  assert.equal(invited.status, 201)
  await settled(3)
  browser = await launch()
  page = await browser.context.newPage()
  // She speaks German now: the app opens in it.
  await page.goto(`${cloud.url}/login`)
  await page.getByLabel('E-Mail').fill(admin.email)
  await page.getByLabel('Passwort').fill(admin.password)
  await page.getByRole('button', { name: 'Anmelden' }).click()
  await page.getByRole('navigation').getByRole('link', { name: 'Nachrichten' }).waitFor()
})

after(async () => {
  await browser?.close()
  await cloud?.stop()
})

test('a failed inspection rings the bell; reading it clears the count', async () => {
  await page.goto(`${cloud.url}/week`)
  const bell = page.getByRole('button', { name: '1 ungelesene Mitteilungen' })
  await bell.waitFor()
  await bell.click()
  const dialog = page.getByRole('dialog', { name: 'Mitteilungen' })
  await dialog.getByText('Qualitätskontrolle in Bürohaus Spreeufer: 25 %').waitFor()
  await shot(page, 'notifications-inbox')
  await accessibility(page)
  await dialog.getByRole('button', { name: /Qualitätskontrolle in Bürohaus Spreeufer/ }).click()
  await page.keyboard.press('Escape')
  await page.getByRole('button', { name: 'Mitteilungen', exact: true }).waitFor()
  const { json } = await call(cloud.url, 'GET', '/v1/inbox', undefined, admin.token)
  assert.equal(json.unread, 0)
})

test('the outbox shows each message, its channel and that it stayed on this machine', async () => {
  await page.goto(`${cloud.url}/outbox`)
  await page.getByRole('heading', { name: 'Nachrichten' }).waitFor()
  const rows = page.locator('table.outbox tbody tr')
  await rows.first().waitFor()
  assert.equal(await rows.count(), 3)
  const invitation = rows.filter({ hasText: 'Einladung' })
  await invitation.getByText('lea@glanzwerk.example').waitFor()
  // Lea reads French: her invitation is in French.
  await invitation.getByText('Glanzwerk Gebäudedienste vous invite sur cleanops', { exact: true }).waitFor()
  await rows.filter({ hasText: 'E-Mail' }).first().getByText('nur lokal, nicht verschickt').waitFor()
  await page.getByLabel('Stand').selectOption('failed')
  await page.getByText('Noch keine Nachrichten.').waitFor()
  await page.getByLabel('Stand').selectOption('')
  await rows.nth(2).waitFor()
  await shot(page, 'notifications-outbox')
  await accessibility(page)
})

test('she chooses her channels per event and her quiet hours', async () => {
  await page.goto(`${cloud.url}/settings/notifications`)
  await page.getByRole('heading', { name: 'Benachrichtigungen einstellen' }).waitFor()
  const sms = page.getByRole('checkbox', { name: 'Kontrolle unter Schwelle: SMS' })
  assert.equal(await sms.isChecked(), false)
  await sms.check()
  assert.equal(await page.getByRole('checkbox', { name: 'Rechnung: E-Mail' }).isDisabled(), true)
  await page.getByRole('checkbox', { name: 'Nachts keine SMS und E-Mails' }).check()
  await page.getByLabel('von').fill('21:30')
  await page.getByRole('button', { name: 'Speichern' }).click()
  const notice = page.locator('.notice').first()
  await notice.waitFor()
  assert.equal(await notice.innerText(), 'Gespeichert.')
  await shot(page, 'notifications-settings')
  await accessibility(page)
  const { json } = await call(cloud.url, 'GET', '/v1/notification-preferences', undefined, admin.token)
  assert.deepEqual(json.channels.inspectionFailed, ['sms', 'email', 'inApp'].filter((c) => json.channels.inspectionFailed.includes(c)))
  assert.ok(json.channels.inspectionFailed.includes('sms'))
  assert.deepEqual(json.quietHours, { from: '21:30', to: '07:00' })
})

test('the site’s board: a thread started and answered', async () => {
  await page.goto(`${cloud.url}/sites/${site.id}`)
  const form = page.getByRole('form', { name: 'Neues Thema' })
  await form.getByLabel('Betreff').fill('Schlüssel für den Empfang')
  await form.getByLabel('Nachricht').fill('Der Schlüssel liegt ab Montag beim Pförtner, Eingang Nord.')
  await form.getByRole('button', { name: 'Thema eröffnen' }).click()
  const thread = page.getByRole('button', { name: /Schlüssel für den Empfang/ })
  await thread.waitFor()
  await thread.click()
  await page.getByText('Der Schlüssel liegt ab Montag beim Pförtner, Eingang Nord.').waitFor()
  await page.getByLabel('Antwort').fill('Danke, die Frühschicht holt ihn dort ab.')
  await page.getByRole('button', { name: 'Antworten' }).click()
  await page.getByText('Danke, die Frühschicht holt ihn dort ab.').waitFor()
  await page.getByRole('heading', { name: 'Objekt-Brett' }).scrollIntoViewIfNeeded()
  await shot(page, 'notifications-board')
  await accessibility(page)
  const { json } = await call(cloud.url, 'GET', `/v1/boards/${site.id}/threads`, undefined, admin.token)
  assert.equal(json.items[0].posts, 2)
})
