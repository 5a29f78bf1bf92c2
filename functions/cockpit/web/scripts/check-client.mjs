// Fails when src/api/schema.d.ts is not what openapi-typescript makes of ../openapi.json
// (the committed API document, which functions/local/tests/openapi.rs keeps current).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const fresh = join(mkdtempSync(join(tmpdir(), 'cockpit-client-')), 'schema.d.ts')
execFileSync('npx', ['openapi-typescript', '../openapi.json', '-o', fresh], { stdio: 'ignore' })
if (readFileSync(fresh, 'utf8') !== readFileSync('src/api/schema.d.ts', 'utf8')) {
  console.error('src/api/schema.d.ts is stale: run `npm run client` in functions/cockpit/web and commit it')
  process.exit(1)
}
console.log('the typed client matches openapi.json')
