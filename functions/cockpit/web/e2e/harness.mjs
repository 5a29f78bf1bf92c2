// What the end-to-end tests share: the local cloud (the real binary, on its embedded store,
// on a free port), Debian's Chromium driven by playwright-core, screenshots, accessibility
// checks with axe-core, and the API for setting up what a test does not click through.
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import QRCode from 'qrcode'

const here = dirname(fileURLToPath(import.meta.url))
export const ARTIFACTS = process.env.COCKPIT_ARTIFACTS ?? join(here, 'artifacts')
const SCREENSHOTS = join(ARTIFACTS, 'screenshots')
mkdirSync(SCREENSHOTS, { recursive: true })

/** The flags every launch uses: headless, no network of its own, a fresh profile. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}

/** The local cloud binary: CLEANOPS_BIN, else the debug build in the cargo target dir. */
function binary() {
  if (process.env.CLEANOPS_BIN) return process.env.CLEANOPS_BIN
  const target = process.env.CARGO_TARGET_DIR ?? join(here, '../../../../target')
  return join(target, 'debug/cleanops')
}

/** Starts the local cloud on a fresh data dir; `stop()` ends it and removes the data. */
export async function startCloud() {
  const port = await freePort()
  const dataDir = mkdtempSync(join(tmpdir(), 'cleanops-e2e-'))
  const log = []
  const child = spawn(binary(), ['--port', String(port), '--data-dir', dataDir], {
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn', LOG_FORMAT: 'text' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let failed = null
  child.on('error', (error) => {
    failed = new Error(`cannot start ${binary()} (${error.message}): build it with \`cargo build -p cleanops\`, or set CLEANOPS_BIN`)
  })
  child.stdout.on('data', (d) => log.push(String(d)))
  child.stderr.on('data', (d) => log.push(String(d)))
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; i < 300; i++) {
    if (failed) throw failed
    if (child.exitCode !== null) throw new Error(`the local cloud exited: ${log.join('')}`)
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false)
    if (ok) break
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    url,
    dataDir,
    log,
    async stop() {
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** Chromium with a fresh profile; `extraArgs` such as a fake camera. */
export async function launch({ viewport = { width: 1440, height: 900 }, extraArgs = [], ...options } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'cleanops-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_FLAGS, '--lang=de-DE', ...extraArgs],
    viewport,
    locale: 'de-DE',
    timezoneId: 'Europe/Berlin',
    // Form controls (dates, times) follow the process's locale, not the page's.
    env: { ...process.env, LANG: 'de_DE.UTF-8' },
    ...options,
  })
  const errors = []
  context.on('weberror', (e) => errors.push(String(e.error())))
  return {
    context,
    errors,
    async close() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

/** Keeps a screenshot of what the person sees, as `name.png`. */
export async function shot(page, name, { fullPage = true } = {}) {
  await page.waitForLoadState('networkidle').catch(() => undefined)
  const path = join(SCREENSHOTS, `${name}.png`)
  await page.screenshot({ path, fullPage })
  return path
}

const AXE = readFileSync(join(here, '../node_modules/axe-core/axe.min.js'), 'utf8')

/** The serious and critical accessibility violations axe-core finds on the page. Run through
 * the DevTools protocol, so the page's Content-Security-Policy (no inline script) stays on. */
export async function accessibility(page) {
  const violations = await page.evaluate(`${AXE};
    axe.run(document, { resultTypes: ['violations'] }).then((r) =>
      r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) })))`)
  return violations
}

/** JSON over the API as a script would send it. */
export async function call(url, method, path, body, token, headers = {}) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  let json
  try {
    json = text ? JSON.parse(text) : null
  } catch {
    json = text
  }
  if (!response.ok && !headers['x-allow-error']) throw new Error(`${method} ${path}: ${response.status} ${text}`)
  return { status: response.status, json, etag: response.headers.get('etag') }
}

/** A new company signed up through the API: its admin's token. */
export async function signUp(url, company, email, password = 'correct horse battery') {
  const { json } = await call(url, 'POST', '/v1/signup', { company, name: 'Ana Admin', email, password })
  return { token: json.accessToken, tenant: json.tenant, email, password }
}

/** Logs `account` in on `page`, in German (an account signed up through the API speaks
 * English until it switches), once the navigation shows `link`. */
export async function logIn(page, url, account, link) {
  await page.goto(`${url}/login`)
  await page.getByLabel('E-Mail').fill(account.email)
  await page.getByLabel('Passwort').fill(account.password)
  await page.getByRole('button', { name: 'Anmelden' }).click()
  await page.getByLabel('Language').selectOption('de')
  await page.getByRole('navigation').getByRole('link', { name: link }).waitFor()
}

/** A video of a QR label for Chromium's fake camera (Y4M, 4:2:0): the label, black on white,
 * in the middle of the picture, as a phone held at a door sees it. */
export function qrVideo(text, name) {
  const width = 640
  const height = 480
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' })
  const size = qr.modules.size
  const scale = Math.floor(Math.min(width, height) * 0.7 / (size + 8))
  const side = (size + 8) * scale
  const left = Math.floor((width - side) / 2)
  const top = Math.floor((height - side) / 2)
  const luma = Buffer.alloc(width * height, 200)
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const mx = Math.floor(x / scale) - 4
      const my = Math.floor(y / scale) - 4
      const dark = mx >= 0 && my >= 0 && mx < size && my < size && qr.modules.get(my, mx)
      luma[(top + y) * width + left + x] = dark ? 16 : 235
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2), 128)
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma, chroma])
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`)
  const path = join(mkdtempSync(join(tmpdir(), 'cleanops-camera-')), `${name}.y4m`)
  writeFileSync(path, Buffer.concat([header, ...Array.from({ length: 10 }, () => frame)]))
  return path
}

/** The Monday of the week after `date`'s (`YYYY-MM-DD`). */
export function nextMonday(date = new Date()) {
  const d = new Date(Date.UTC(date.getFullYear(), date.getMonth(), date.getDate()))
  const day = (d.getUTCDay() + 6) % 7
  d.setUTCDate(d.getUTCDate() - day + 7)
  return d.toISOString().slice(0, 10)
}

/** Today in Berlin, `YYYY-MM-DD`. */
export function todayInBerlin() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(new Date())
}

/** Adds `n` to a record of figures the run reports (perf.json). */
export function report(key, value) {
  const path = join(ARTIFACTS, 'perf.json')
  let figures
  try {
    figures = JSON.parse(readFileSync(path, 'utf8'))
  } catch {
    figures = {}
  }
  figures[key] = value
  writeFileSync(path, JSON.stringify(figures, null, 2))
}
