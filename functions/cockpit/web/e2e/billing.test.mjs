// Billing, in Chromium against the local cloud: a dispatcher adds a customer and its contract,
// enters the company's billing details, bills last month, corrects the draft, issues it with
// the year's first number and downloads the PDF with its e-invoice inside; the customer then
// finds the invoice in her portal, and no draft.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { accessibility, ARTIFACTS, call, launch, logIn, shot, signUp, startCloud, todayInBerlin } from './harness.mjs'

let cloud
let browser
let page
let admin

/** The first day of the month before this one, and that month (YYYY-MM). */
function lastMonth() {
  const [y, m] = todayInBerlin().split('-').map(Number)
  const d = new Date(Date.UTC(y, m - 2, 1))
  return { first: d.toISOString().slice(0, 10), month: d.toISOString().slice(0, 7) }
}

async function accessible(name) {
  const violations = await accessibility(page)
  assert.deepEqual(violations, [], `${name}: ${JSON.stringify(violations, null, 1)}`)
}

before(async () => {
  cloud = await startCloud()
  admin = await signUp(cloud.url, 'Glanzwerk Gebäudedienste', 'buero@glanzwerk.example')
  browser = await launch()
  page = await browser.context.newPage()
  await logIn(page, cloud.url, admin, 'Kunden')
})

after(async () => {
  await browser?.close()
  await cloud?.stop()
})

test('a dispatcher adds a customer and its contract with three kinds of price', async () => {
  await page.getByRole('navigation').getByRole('link', { name: 'Kunden' }).click()
  await page.getByRole('button', { name: 'Kunde anlegen' }).click()
  const dialog = page.getByRole('dialog')
  await dialog.getByLabel('Kundennummer').fill('K-1001')
  await dialog.getByLabel('Name', { exact: true }).fill('Kanzlei Weber & Partner')
  await dialog.getByLabel('Straße und Hausnummer').fill('Maximilianstraße 12')
  await dialog.getByLabel('PLZ').fill('80539')
  await dialog.getByLabel('Ort').fill('München')
  await dialog.getByLabel('USt-IdNr.').fill('DE 811 907 980')
  await dialog.getByLabel('E-Mail für Rechnungen').fill('buchhaltung@weber.example')
  await dialog.getByRole('button', { name: 'Speichern' }).click()
  await page.getByRole('heading', { name: 'Kanzlei Weber & Partner' }).waitFor()
  // Its site, as the sites screen makes it.
  await call(cloud.url, 'POST', '/v1/sites', {
    name: 'Kanzlei Maximilianstraße', customerId: 'K-1001', timeZone: 'Europe/Berlin',
    address: { street: 'Maximilianstraße 12', postalCode: '80539', city: 'München', country: 'DE' },
    location: { lat: 48.139, lng: 11.583 },
  }, admin.token)
  await page.getByRole('button', { name: 'Vertrag anlegen' }).click()
  const form = page.getByRole('dialog', { name: 'Vertrag anlegen' })
  await form.getByLabel('Bezeichnung').fill('Unterhaltsreinigung Kanzlei')
  await form.getByLabel('Kanzlei Maximilianstraße').check()
  await form.getByLabel('Beginn').fill(lastMonth().first)
  await form.getByLabel('Indexierung % pro Jahr').fill('2,5')
  await form.getByLabel('Text auf der Rechnung').fill('Unterhaltsreinigung pauschal')
  await form.getByLabel('Preis', { exact: true }).fill('1.250,00')
  await form.getByRole('button', { name: 'Position hinzufügen' }).click()
  await form.getByLabel('Art', { exact: true }).nth(1).selectOption('extra')
  await form.getByLabel('Text auf der Rechnung').nth(1).fill('Hygieneartikel (Paket)')
  await form.getByLabel('Preis', { exact: true }).nth(1).fill('18,90')
  await form.getByLabel('Menge pro Monat').fill('4')
  await form.getByRole('button', { name: 'Speichern' }).click()
  await page.getByRole('heading', { name: 'Unterhaltsreinigung Kanzlei', exact: true }).waitFor()
  await shot(page, 'customer-desktop')
  await accessible('customer page')
})

test('she enters the company billing details and bills last month', async () => {
  await page.getByRole('navigation').getByRole('link', { name: 'Rechnungen' }).click()
  await page.getByText('Ohne Firmendaten').waitFor()
  await page.getByRole('button', { name: 'Firmendaten für Rechnungen' }).first().click()
  const dialog = page.getByRole('dialog', { name: 'Firmendaten für Rechnungen' })
  await dialog.getByLabel('Firmenname laut Handelsregister').fill('Glanzwerk Gebäudedienste GmbH')
  await dialog.getByLabel('Straße und Hausnummer').fill('Landsberger Straße 300')
  await dialog.getByLabel('PLZ').fill('80687')
  await dialog.getByLabel('Ort').fill('München')
  await dialog.getByLabel('Land').fill('DE')
  await dialog.getByLabel('USt-IdNr.').fill('DE129273398')
  await dialog.getByLabel('IBAN').fill('DE02 1203 0000 0000 2020 51')
  await dialog.getByLabel('BIC').fill('BYLADEM1001')
  await dialog.getByRole('button', { name: 'Speichern' }).click()
  await page.getByText('Ohne Firmendaten').waitFor({ state: 'detached' })
  await page.getByLabel('Monat', { exact: true }).fill(lastMonth().month)
  await page.getByRole('button', { name: 'Monat jetzt abrechnen' }).click()
  await page.getByText(/Die Abrechnung für .* läuft/).waitFor()
  // The worker drafts it through the local cloud's Pub/Sub delivery.
  const draft = page.getByRole('link', { name: 'Entwurf', exact: true })
  for (let i = 0; i < 30 && (await draft.count()) === 0; i++) {
    await page.waitForTimeout(500)
    await page.reload()
  }
  await draft.waitFor()
  await shot(page, 'invoices-desktop')
  await accessible('invoices')
})

test('she corrects the draft and issues it with the year’s first number', async () => {
  await page.getByRole('link', { name: 'Entwurf', exact: true }).click()
  await page.getByRole('button', { name: 'Ausstellen' }).waitFor()
  await page.getByRole('button', { name: 'Position hinzufügen' }).click()
  await page.getByLabel('Position 3', { exact: true }).fill('Sonderreinigung Teppich 14.11.')
  await page.getByLabel('Menge 3', { exact: true }).fill('3,5')
  await page.getByLabel('Einheit 3', { exact: true }).selectOption('HUR')
  await page.getByLabel('Einzelpreis 3', { exact: true }).fill('42,00')
  await page.getByLabel('Hinweis auf der Rechnung').fill('Vielen Dank für Ihren Auftrag.')
  await page.getByRole('button', { name: 'Entwurf speichern' }).click()
  // 1,250.00 + 4 × 18.90 + 3.5 × 42.00 = 1,472.60 net, 279.79 VAT.
  await page.getByRole('row', { name: /Gesamt/ }).getByText('1.752,39 €').waitFor()
  await shot(page, 'invoice-draft-desktop')
  await accessible('invoice draft')
  await page.getByRole('button', { name: 'Ausstellen' }).click()
  const year = todayInBerlin().slice(0, 4)
  await page.getByRole('heading', { name: `Rechnung ${year}-00001` }).waitFor()
  const download = page.waitForEvent('download')
  await page.getByRole('button', { name: 'PDF herunterladen' }).click()
  const pdf = (await import('node:fs')).readFileSync(await (await download).path())
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-')
  assert.ok(pdf.includes('factur-x.xml'), 'the e-invoice is attached')
  writeFileSync(join(ARTIFACTS, 'invoice.pdf'), pdf)
  await shot(page, 'invoice-issued-desktop')
  await page.setViewportSize({ width: 390, height: 844 })
  await shot(page, 'invoice-issued-phone')
  await page.setViewportSize({ width: 1440, height: 900 })
})

test('the customer finds her invoice in the portal, and no draft', async () => {
  // A second draft the customer must not see.
  await call(cloud.url, 'POST', '/v1/invoices/runs', { month: todayInBerlin().slice(0, 7) }, admin.token)
  const { json: invite } = await call(cloud.url, 'POST', '/v1/invitations', {
    email: 'buchhaltung@weber.example', name: 'Frau Weber', role: 'customer', language: 'de', customerId: 'K-1001',
  }, admin.token)
  const customer = await launch({ viewport: { width: 1280, height: 900 } })
  const portal = await customer.context.newPage()
  await portal.goto(invite.acceptUrl.replace(/^https?:\/\/[^/]+/, cloud.url))
  await portal.getByLabel('Passwort').fill('Weber Kanzlei 2026!')
  await portal.getByRole('button', { name: 'Annehmen und anmelden' }).click()
  await portal.getByRole('heading', { name: 'Rechnungen' }).waitFor()
  const year = todayInBerlin().slice(0, 4)
  await portal.getByRole('region', { name: 'Rechnungen' }).getByRole('cell', { name: `${year}-00001`, exact: true }).waitFor()
  const invoices = portal.getByRole('region', { name: 'Rechnungen' })
  assert.equal(await invoices.getByRole('row').count(), 2, 'a header and her one issued invoice')
  // The issued invoice was filed: its PDF and XML are her documents too.
  const documents = portal.getByRole('region', { name: 'Dokumente' })
  await documents.getByRole('cell', { name: `${year}-00001.pdf`, exact: true }).waitFor()
  await documents.getByRole('cell', { name: `${year}-00001.xml`, exact: true }).waitFor()
  await shot(portal, 'portal-invoices-desktop')
  await customer.close()
})
