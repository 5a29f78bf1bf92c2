import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { brotliCompressSync, gzipSync, constants } from 'node:zlib'
import { defineConfig, type Plugin } from 'vite'

/** Writes a .gz and a .br copy beside every text file worth it: the function serves them to
 * clients that take them, so the phone downloads a third of the bytes. */
function precompress(): Plugin {
  let outDir = 'dist'
  return {
    name: 'cleanops-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir
    },
    closeBundle() {
      if (!existsSync(outDir)) return
      const walk = (dir: string): string[] =>
        readdirSync(dir).flatMap((name) => {
          const path = join(dir, name)
          return statSync(path).isDirectory() ? walk(path) : [path]
        })
      for (const file of walk(outDir)) {
        if (!/\.(js|css|html|svg|json|webmanifest)$/.test(file)) continue
        const data = readFileSync(file)
        if (data.length < 1024) continue
        writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }))
        writeFileSync(
          `${file}.br`,
          brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        )
      }
    },
  }
}

/** Lists every file of the build for the service worker (public/sw.js) to keep, the chunks
 * loaded later included (the QR decoder is fetched when the camera first opens, which may be
 * in a cellar without a network). */
function precacheList(): Plugin {
  return {
    name: 'cleanops-precache-list',
    apply: 'build',
    generateBundle(_, bundle) {
      const files = Object.keys(bundle)
        .filter((name) => name.startsWith('assets/'))
        .sort()
      this.emitFile({ type: 'asset', fileName: 'precache.json', source: JSON.stringify(files.map((f) => `/${f}`)) })
    },
  }
}

export default defineConfig({
  build: {
    target: 'es2022',
    // Inline data: URIs would need a looser Content-Security-Policy for fonts and scripts.
    assetsInlineLimit: 0,
    // The QR decoder (ZXing, ~450 kB) is a chunk of its own, loaded when the camera opens.
    chunkSizeWarningLimit: 500,
  },
  oxc: { jsx: { runtime: 'automatic' } },
  plugins: [precacheList(), precompress()],
  server: {
    // `npm run dev` beside the local cloud: the API is the local cloud's.
    proxy: { '/v1': 'http://127.0.0.1:8080', '/.well-known': 'http://127.0.0.1:8080' },
  },
})
