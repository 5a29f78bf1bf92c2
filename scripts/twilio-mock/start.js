// Starts Prism on a free port, serving Twilio's own OpenAPI description of its 2010-04-01
// REST API (shipped in @twilio/cli-core), validating every request against it (--errors: a
// request that breaks the description is answered 422, which fails the test that sent it).
// Prints TWILIO_MOCK_URL=http://127.0.0.1:PORT once it listens.
const { spawn } = require('node:child_process')
const net = require('node:net')
const path = require('node:path')

const spec = require.resolve('@twilio/cli-core/src/services/twilio-api/twilio_api_v2010.json')
const prism = path.join(__dirname, 'node_modules', '.bin', 'prism')

const probe = net.createServer()
probe.listen(0, '127.0.0.1', () => {
  const { port } = probe.address()
  probe.close(() => {
    const child = spawn(prism, ['mock', '--errors', '-h', '127.0.0.1', '-p', String(port), spec], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let announced = false
    const watch = (chunk) => {
      const text = chunk.toString()
      if (process.env.TWILIO_MOCK_VERBOSE) process.stderr.write(text)
      if (!announced && text.includes('Prism is listening')) {
        announced = true
        process.stdout.write(`TWILIO_MOCK_URL=http://127.0.0.1:${port}\n`)
      }
    }
    child.stdout.on('data', watch)
    child.stderr.on('data', watch)
    child.on('exit', (code) => process.exit(code ?? 1))
    const stop = () => child.kill('SIGTERM')
    process.on('SIGTERM', stop)
    process.on('SIGINT', stop)
    // With --with-stdin it stops when the parent (a test binary) closes our stdin, or dies.
    if (process.argv.includes('--with-stdin')) {
      process.stdin.on('end', stop)
      process.stdin.resume()
    }
  })
})
