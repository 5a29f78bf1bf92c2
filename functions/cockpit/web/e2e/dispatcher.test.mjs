// A dispatcher's first week, in Chromium against the local cloud: she signs up, sets up her
// area types, a site, imports 20 rooms from a German spreadsheet (a bad row first, fixed
// after), a calendar and three cleaners, plans the week, activates it and moves a room on the
// week board, by mouse and by keyboard. Every main view is kept as a screenshot at desktop
// and phone sizes and checked with axe-core.
import assert from 'node:assert/strict'
import { get } from 'node:http'
import { after, before, test } from 'node:test'
import { accessibility, call, launch, nextMonday, report, shot, startCloud } from './harness.mjs'

let cloud
let browser
let page
const email = 'disponentin@blitzblank.example'
const week = nextMonday()

/** The German spreadsheet: semicolons, decimal commas, a header in German. */
function rooms(badRow) {
  const lines = ['Raum;Etage;Fläche (m²);Raumtyp']
  for (let i = 1; i <= 15; i++) lines.push(`Büro ${100 + i};${1 + (i % 3)};${(18 + i * 1.5).toFixed(1).replace('.', ',')};Büro`)
  for (let i = 1; i <= 5; i++) lines.push(`WC ${i};${i % 3};${(6 + i * 0.75).toFixed(2).replace('.', ',')};Sanitär`)
  if (badRow) lines[3] = 'Büro 103;2;zwölf;Bureau'
  return `${lines.join('\n')}\n`
}

async function accessible(name) {
  const violations = await accessibility(page)
  assert.deepEqual(violations, [], `${name}: ${JSON.stringify(violations, null, 1)}`)
}

/** The view at desktop size, and again at a phone's. */
async function both(name) {
  await shot(page, `${name}-desktop`)
  await page.setViewportSize({ width: 390, height: 844 })
  await shot(page, `${name}-phone`)
  await page.setViewportSize({ width: 1440, height: 900 })
}

before(async () => {
  cloud = await startCloud()
  browser = await launch()
  page = await browser.context.newPage()
})

after(async () => {
  await browser?.close()
  await cloud?.stop()
})

test('a dispatcher signs up', async () => {
  await page.goto(`${cloud.url}/`)
  await page.getByRole('heading', { name: 'Anmelden' }).waitFor()
  // How fast the app shows something, on the local cloud (reported, not asserted).
  const paint = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null)
  const scripts = await page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .filter((r) => r.initiatorType === 'script' || r.name.endsWith('.js'))
      .map((r) => ({ name: r.name, transfer: r.transferSize, body: r.decodedBodySize })),
  )
  report('firstContentfulPaintMs', paint)
  report('initialScripts', scripts)
  // The JavaScript the first page loads, as sent to a client that takes gzip.
  const html = await (await fetch(`${cloud.url}/`)).text()
  const initial = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1])
  let gzipped = 0
  for (const path of initial) {
    gzipped += await new Promise((resolve, reject) =>
      get(`${cloud.url}${path}`, { headers: { 'Accept-Encoding': 'gzip' } }, (response) => {
        let bytes = 0
        response.on('data', (chunk) => (bytes += chunk.length))
        response.on('end', () => resolve(bytes))
      }).on('error', reject),
    )
  }
  report('initialJavaScriptGzipBytes', gzipped)
  await shot(page, 'login-desktop')
  await accessible('login')
  await page.getByRole('link', { name: 'Registrieren' }).click()
  await page.getByLabel('Unternehmen').fill('Blitzblank Gebäudereinigung')
  await page.getByLabel('Ihr Name').fill('Dana Disponentin')
  await page.getByLabel('E-Mail').fill(email)
  await page.getByLabel('Passwort').fill('correct horse battery')
  await shot(page, 'signup-desktop')
  await accessible('signup')
  await page.getByRole('button', { name: 'Registrieren' }).click()
  await page.getByRole('heading', { name: 'Objekte' }).waitFor()
  await page.getByText('Willkommen bei cleanops!').waitFor()
})

test('she sets up area types with their rates', async () => {
  await page.getByRole('navigation').getByRole('link', { name: 'Raumtypen' }).click()
  for (const [name, rate] of [['Büro', '200'], ['Sanitär', '80']]) {
    await page.getByLabel('Raumtyp', { exact: true }).fill(name)
    await page.getByLabel('Leistung (m²/h)', { exact: true }).fill(rate)
    await page.getByRole('button', { name: 'Raumtyp anlegen' }).click()
    await page.getByRole('textbox', { name: `Raumtyp: ${name}` }).waitFor()
  }
  await both('area-types')
  await accessible('area types')
})

test('she adds a site and imports 20 rooms from a German spreadsheet, a bad row first', async () => {
  await page.getByRole('navigation').getByRole('link', { name: 'Objekte' }).click()
  await page.getByRole('button', { name: 'Objekt anlegen' }).click()
  const dialog = page.getByRole('dialog')
  await dialog.getByLabel('Name').fill('Verwaltung Friedrichstraße')
  await dialog.getByLabel('Straße und Hausnummer').fill('Friedrichstraße 100')
  await dialog.getByLabel('PLZ').fill('10117')
  await dialog.getByLabel('Ort').fill('Berlin')
  await dialog.getByLabel('Breitengrad').fill('52,5200')
  await dialog.getByLabel('Längengrad').fill('13,3880')
  await dialog.getByLabel('Zeitzone').fill('Europe/Berlin')
  await dialog.getByLabel('Zugang').fill('Schlüssel beim Empfang, Alarm 4711')
  await shot(page, 'site-new-desktop')
  await dialog.getByRole('button', { name: 'Speichern' }).click()
  await page.getByRole('heading', { name: 'Verwaltung Friedrichstraße' }).waitFor()

  await page.getByLabel('oder hier einfügen').fill(rooms(true))
  await page.getByRole('button', { name: 'Prüfen' }).click()
  const errors = page.getByRole('alert').filter({ hasText: 'Fehler' })
  await errors.waitFor()
  // Both bad fields of line 4 are named, with the row as the file has it.
  await assert.doesNotReject(errors.getByRole('cell', { name: 'sizeSqm' }).waitFor())
  await assert.doesNotReject(errors.getByRole('cell', { name: 'areaType' }).waitFor())
  assert.equal(await errors.getByRole('cell', { name: '4', exact: true }).count(), 2)
  assert.ok(await page.getByRole('button', { name: 'Alle importieren' }).isDisabled())
  await both('import-errors')
  await accessible('import errors')

  await page.getByLabel('oder hier einfügen').fill(rooms(false))
  await page.getByRole('button', { name: 'Prüfen' }).click()
  await page.getByText('20 Räume bereit').waitFor()
  await shot(page, 'import-preview-desktop')
  await page.getByRole('button', { name: 'Alle 20 Räume importieren' }).click()
  await page.getByText('20 Räume importiert.').waitFor()
  await page.getByText('20 Räume ·').waitFor()
})

test('she edits a room in place, and a change someone made meanwhile shows as a conflict', async () => {
  const size = page.getByRole('textbox', { name: 'Fläche (m²): Büro 101' })
  await size.fill('30')
  // Saved once the rooms are read again (the typed value shows before that).
  const reread = page.waitForResponse((r) => r.request().method() === 'GET' && /\/v1\/areas\?/.test(r.url()))
  await size.press('Enter')
  await reread
  await page.getByRole('textbox', { name: 'Fläche (m²): Büro 101', exact: true }).and(page.locator('[value="30"]')).waitFor()
  // Someone else renames the room behind her back.
  const { json: login } = await call(cloud.url, 'POST', '/v1/auth/login', { email, password: 'correct horse battery' })
  const { json: listed } = await call(cloud.url, 'GET', '/v1/areas?orderBy=name&limit=1', undefined, login.accessToken)
  const room = listed.items[0]
  await call(cloud.url, 'PATCH', `/v1/areas/${room.id}`, { name: 'Büro 101 (Chef)' }, login.accessToken, { 'If-Match': `"${room.version}"` })
  const name = page.getByRole('textbox', { name: 'Raum: Büro 101', exact: true })
  await name.fill('Büro 101 Nord')
  await name.press('Enter')
  await page.getByText('Jemand anderes hat das inzwischen geändert.').waitFor()
  await page.getByRole('button', { name: 'Neu laden' }).click()
  await page.getByRole('textbox', { name: 'Raum: Büro 101 (Chef)' }).waitFor()
})

test('she creates a calendar and sees its next occurrences and the preflight', async () => {
  await page.getByLabel('Name', { exact: true }).fill('Werktags früh')
  await page.getByLabel('Ab', { exact: true }).fill(week)
  await page.getByLabel('Frühestens').fill('06:00')
  await page.getByLabel('Spätestens').fill('13:00')
  await page.getByRole('button', { name: 'Kalender speichern' }).click()
  await page.getByRole('heading', { name: 'Werktags früh' }).waitFor()
  await page.locator('.occurrences li').first().waitFor()
  await page.getByRole('heading', { name: /Vor der Planung der Woche/ }).waitFor()
  await both('site')
  await accessible('site')
})

test('she adds three cleaners', async () => {
  await page.getByRole('navigation').getByRole('link', { name: 'Reinigungskräfte' }).click()
  for (const [name, lat, lng] of [['Maria Schulz', '52,51', '13,40'], ['Jonas Becker', '52,53', '13,37'], ['Ayşe Kaya', '52,50', '13,42']]) {
    await page.getByRole('button', { name: 'Reinigungskraft anlegen' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByLabel('Name').fill(name)
    await dialog.getByLabel('Wohnort: Breitengrad').fill(lat)
    await dialog.getByLabel('Wohnort: Längengrad').fill(lng)
    await dialog.getByRole('button', { name: 'Speichern' }).click()
    await page.getByRole('cell', { name }).waitFor()
  }
  await both('cleaners')
  await accessible('cleaners')
})

test('she plans the week, follows its progress, compares and activates it', async () => {
  await page.getByRole('navigation').getByRole('link', { name: 'Planung' }).click()
  await page.getByLabel('Woche ab').fill(week)
  await page.getByLabel('Rechenzeit (Sekunden)').fill('2')
  await page.getByRole('button', { name: 'Woche planen' }).click()
  await page.getByRole('heading', { name: /Plan für die Woche ab/ }).waitFor()
  // Queued and running show their progress; then the draft's figures.
  await page.getByRole('progressbar').waitFor({ timeout: 5000 }).then(() => shot(page, 'plan-progress-desktop'), () => undefined)
  await page.getByRole('button', { name: 'Aktivieren' }).waitFor({ timeout: 60000 })
  await page.getByRole('heading', { name: 'Kennzahlen' }).waitFor()
  await page.getByRole('heading', { name: 'Tage je Reinigungskraft' }).waitFor()
  await both('plan')
  await accessible('plan')
  await page.getByRole('button', { name: 'Aktivieren' }).click()
  await page.getByText('Der Plan ist aktiv').waitFor()
  await page.getByRole('navigation').getByRole('link', { name: 'Planung' }).click()
  await page.getByRole('cell', { name: 'Aktiv' }).waitFor()
  await both('plans')
})

/** Where each room is on the board's week, by the API: `areaId -> [cleanerId, weekday]`. */
async function placement(token) {
  const { json } = await call(cloud.url, 'GET', '/v1/tours?limit=200', undefined, token)
  const out = new Map()
  for (const tour of json.items.filter((t) => t.validFrom === week)) {
    for (const day of tour.days) for (const area of day.areaIds) out.set(area, `${tour.cleanerId}/${day.day}`)
  }
  return out
}

/** The first row of the board with a stop, its cleaner's name and her tour of the week. */
async function firstBusyRow(token) {
  const rows = page.locator('.board-row')
  const count = await rows.count()
  for (let i = 0; i < count; i++) {
    if ((await rows.nth(i).locator('.stop-handle').count()) === 0) continue
    const name = await rows.nth(i).locator('.board-cleaner').textContent()
    const { json: cleaners } = await call(cloud.url, 'GET', '/v1/cleaners?limit=200', undefined, token)
    const cleaner = cleaners.items.find((c) => c.name === name)
    const { json: tours } = await call(cloud.url, 'GET', `/v1/tours?cleanerId=${cleaner.id}&limit=200`, undefined, token)
    return { index: i, count, row: rows.nth(i), tour: tours.items.find((t) => t.validFrom === week) }
  }
  throw new Error('no stop on the board')
}

test('she moves a room on the week board by mouse and by keyboard', async () => {
  const { json: login } = await call(cloud.url, 'POST', '/v1/auth/login', { email, password: 'correct horse battery' })
  const token = login.accessToken
  await page.goto(`${cloud.url}/week?week=${week}`)
  await page.getByRole('heading', { name: 'Wochenplan' }).waitFor()
  await page.locator('.stop-handle').first().waitFor()
  await both('week-board')
  await accessible('week board')
  // A day's printable tour sheet opens as the API's PDF.
  const [sheet] = await Promise.all([page.waitForEvent('popup'), page.locator('.sheet-link').first().click()])
  await sheet.waitForURL(/^blob:/)
  await sheet.close()

  // By mouse: the first stop of a cleaner to the next cleaner's Tuesday.
  const before = await placement(token)
  const source = await firstBusyRow(token)
  const stop = source.row.locator('.stop-handle').first()
  const target = page.locator('.board-row').nth((source.index + 1) % source.count).locator('.day-card').nth(1)
  const from = await stop.boundingBox()
  const to = await target.boundingBox()
  await page.mouse.move(from.x + 10, from.y + 10)
  await page.mouse.down()
  await page.mouse.move(from.x + 30, from.y + 30, { steps: 5 })
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 15 })
  await page.mouse.up()
  await page.getByText(/liegt jetzt bei/).waitFor()
  const afterMouse = await placement(token)
  const moved = [...afterMouse].filter(([area, where]) => before.get(area) !== where)
  assert.equal(moved.length, 1, `one room moved: ${JSON.stringify(moved)}`)
  assert.match(moved[0][1], /\/tue$/)

  // By keyboard, dragging: Space picks the room up, an arrow takes it to the next day's card,
  // Space puts it down.
  const picked = page.locator('.stop-handle').first()
  const pickedName = (await picked.locator('.room').textContent()) ?? ''
  await picked.focus()
  // A screen reader hears, in German, where the room is: its own day first, then the next.
  const heard = (pattern) =>
    page.waitForFunction((source) => new RegExp(source).test(document.querySelector('[id^="DndLiveRegion"]')?.textContent ?? ''), pattern.source)
  await page.keyboard.press('Space')
  await heard(/über: .*Dienstag/)
  await page.keyboard.press('ArrowRight')
  await heard(/über: .*Mittwoch/)
  // Only the viewport: a full-page shot resizes the window, and a resize cancels a keyboard drag.
  await shot(page, 'week-board-keyboard-drag-desktop', { fullPage: false })
  await page.keyboard.press('Space')
  await page.getByText(new RegExp(`${pickedName.replace(/[()]/g, '.')} liegt jetzt bei .*Mittwoch`)).waitFor()
  const afterDrag = await placement(token)
  const dragged = [...afterDrag].filter(([area, where]) => afterMouse.get(area) !== where)
  assert.equal(dragged.length, 1, `one room moved by keyboard: ${JSON.stringify(dragged)}`)
  // To the same cleaner's next day.
  const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']
  const [was, is] = [afterMouse.get(dragged[0][0]).split('/'), dragged[0][1].split('/')]
  assert.equal(is[0], was[0])
  assert.equal(days.indexOf(is[1]), days.indexOf(was[1]) + 1)

  // By keyboard, with the stop's menu: the day chosen, the move confirmed, Enter each time.
  const handle = page.locator('.stop-handle').first()
  const name = (await handle.locator('.room').textContent()) ?? ''
  const room = [...afterDrag].length
  await page.getByRole('button', { name: `${name} verschieben` }).first().focus()
  await page.keyboard.press('Enter')
  const picker = page.locator('.move-menu')
  await picker.getByLabel('Am').focus()
  await picker.getByLabel('Am').selectOption({ index: 3 })
  await picker.getByRole('button', { name: 'Verschieben' }).focus()
  await page.keyboard.press('Enter')
  const confirmation = await page.getByText(`${name} liegt jetzt bei`).textContent()
  assert.match(confirmation, /Donnerstag/)
  const afterKeys = await placement(token)
  assert.equal(afterKeys.size, room)
  assert.equal([...afterKeys].filter(([area, where]) => afterDrag.get(area) !== where).length, 1)
  await shot(page, 'week-board-moved-desktop')
})

test('a move on a stale board shows the conflict and overwrites nothing', async () => {
  const { json: login } = await call(cloud.url, 'POST', '/v1/auth/login', { email, password: 'correct horse battery' })
  const token = login.accessToken
  await page.goto(`${cloud.url}/week?week=${week}`)
  await page.locator('.stop-handle').first().waitFor()
  const source = await firstBusyRow(token)
  // Another dispatcher renames the tour after this board was loaded.
  await call(cloud.url, 'PATCH', `/v1/tours/${source.tour.id}`, { name: 'Umbenannt' }, token, { 'If-Match': `"${source.tour.version}"` })
  const name = (await source.row.locator('.stop-handle .room').first().textContent()) ?? ''
  await source.row.getByRole('button', { name: `${name} verschieben` }).first().click()
  const picker = page.locator('.move-menu')
  await picker.getByLabel('Am').selectOption({ index: 5 })
  await picker.getByRole('button', { name: 'Verschieben' }).click()
  await page.getByText('Jemand anderes hat das inzwischen geändert.').waitFor()
  await shot(page, 'week-board-conflict-desktop')
  const { json: now } = await call(cloud.url, 'GET', `/v1/tours/${source.tour.id}`, undefined, token)
  assert.equal(now.name, 'Umbenannt')
  assert.deepEqual(
    now.days.map((d) => d.areaIds),
    source.tour.days.map((d) => d.areaIds),
  )
  await page.getByRole('button', { name: 'Neu laden' }).click()
  await page.getByText('Jemand anderes hat das inzwischen geändert.').waitFor({ state: 'detached' })
})

test('proof of service, inspections, jobs and users show', async () => {
  for (const [link, heading, name] of [
    ['Leistungsnachweis', 'Leistungsnachweis', 'proof'],
    ['Qualitätskontrollen', 'Qualitätskontrollen', 'inspections'],
    ['Aufträge', 'Aufträge im Hintergrund', 'jobs'],
    ['Benutzer', 'Benutzer', 'users'],
    ['Objekte', 'Objekte', 'sites'],
  ]) {
    await page.getByRole('navigation').getByRole('link', { name: link }).click()
    await page.getByRole('heading', { name: heading, exact: true }).waitFor()
    await page.waitForLoadState('networkidle')
    await both(name)
    await accessible(name)
  }
  assert.deepEqual(browser.errors, [])
})
