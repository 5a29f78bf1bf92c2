// Documents, in Chromium against the local cloud: a dispatcher uploads a site's key handover
// protocol with a progress bar, finds it listed, downloads the same bytes through the signed
// URL, is told why a text file is refused, and deletes a document with its bytes.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, test } from 'node:test'
import { accessibility, call, launch, logIn, shot, signUp, startCloud } from './harness.mjs'

let cloud
let browser
let page
let admin
let site

const PDF = Buffer.from('%PDF-1.7\n% Schlüsselübergabe Kanzlei\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n')

before(async () => {
  cloud = await startCloud()
  admin = await signUp(cloud.url, 'Glanzwerk Gebäudedienste', 'buero@glanzwerk.example')
  await call(cloud.url, 'POST', '/v1/customers', {
    number: 'K-1001', name: 'Kanzlei Weber & Partner', language: 'de',
    billingAddress: { street: 'Maximilianstraße 12', postalCode: '80539', city: 'München', country: 'DE' },
  }, admin.token)
  const { json } = await call(cloud.url, 'POST', '/v1/sites', {
    name: 'Kanzlei Maximilianstraße', customerId: 'K-1001', timeZone: 'Europe/Berlin',
    address: { street: 'Maximilianstraße 12', postalCode: '80539', city: 'München', country: 'DE' },
    location: { lat: 48.139, lng: 11.583 },
  }, admin.token)
  site = json
  browser = await launch()
  page = await browser.context.newPage()
  await logIn(page, cloud.url, admin, 'Objekte')
})

after(async () => {
  await browser?.close()
  await cloud?.stop()
})

test('a dispatcher uploads a site document and downloads the same bytes', async () => {
  await page.goto(`${cloud.url}/sites/${site.id}`)
  const documents = page.getByRole('region', { name: 'Dokumente' })
  await documents.getByText('Noch keine Dokumente.').waitFor()
  await documents.getByLabel('Datei hochladen').setInputFiles({ name: 'Schlüsselübergabe.pdf', mimeType: 'application/pdf', buffer: PDF })
  await documents.getByRole('cell', { name: 'Schlüsselübergabe.pdf', exact: true }).waitFor()
  await documents.getByRole('cell', { name: 'PDF', exact: true }).waitFor()
  const violations = await accessibility(page)
  assert.deepEqual(violations, [], JSON.stringify(violations, null, 1))
  await shot(page, 'site-documents-desktop')

  const download = page.waitForEvent('download')
  await documents.getByRole('button', { name: 'Schlüsselübergabe.pdf herunterladen' }).click()
  const saved = await download
  // The page names the file as the document is named; headless Chromium here saves a name
  // with umlauts as "download" (an ASCII one it keeps: see the invoice's download).
  assert.deepEqual(readFileSync(await saved.path()), PDF)
  await page.setViewportSize({ width: 390, height: 844 })
  await shot(page, 'site-documents-phone')
  await page.setViewportSize({ width: 1440, height: 900 })
})

test('a file of another type is refused with the reason, and nothing is listed', async () => {
  const documents = page.getByRole('region', { name: 'Dokumente' })
  await documents.getByLabel('Datei hochladen').setInputFiles({ name: 'notizen.txt', mimeType: 'text/plain', buffer: Buffer.from('just text') })
  await documents.getByText('notizen.txt: nur PDF, JPEG, PNG oder HEIC.').waitFor()
  assert.equal(await documents.getByRole('row').count(), 2, 'a header and the one PDF')
  await shot(page, 'site-documents-refused-desktop')
})

test('deleting a document removes it and its bytes', async () => {
  const documents = page.getByRole('region', { name: 'Dokumente' })
  const { json: before } = await call(cloud.url, 'GET', `/v1/documents?siteId=${site.id}`, undefined, admin.token)
  const id = before.items[0].id
  const { json: grant } = await call(cloud.url, 'GET', `/v1/documents/${id}/download`, undefined, admin.token)
  page.once('dialog', (dialog) => void dialog.accept())
  await documents.getByRole('button', { name: 'Schlüsselübergabe.pdf löschen' }).click()
  await documents.getByText('Noch keine Dokumente.').waitFor()
  const gone = await fetch(grant.url)
  assert.equal(gone.status, 404, 'the signed URL finds no bytes')
})
