'use strict'
// A worker process of registry-refresh.test.js (not a test itself; run directly it does nothing): opens
// the registry it is given (a SQLite file, or a database URL: REGISTRY_DB, never printed), waits for the
// start time, then 16 concurrent callers ask tokenFor until the end time; prints the distinct tokens it
// was handed, as JSON, on the last line.
process.env.UV_THREADPOOL_SIZE = '8'

const { Registry, IsvConfig, Client } = require('..')
const { APP_ID, APP_PRIVATE_KEY } = require('./flow-helpers')

async function main() {
  const { REGISTRY_DB, REGISTRY_GATEWAY, REGISTRY_ALIPAY_KEY, REGISTRY_AUTH_APP_ID, REGISTRY_MARGIN_MS } = process.env
  const [startAt, endAt] = [process.env.REGISTRY_START_AT_MS, process.env.REGISTRY_END_AT_MS].map(Number)
  const config = new IsvConfig({
    appId: APP_ID,
    privateKey: APP_PRIVATE_KEY,
    alipayPublicKey: REGISTRY_ALIPAY_KEY,
    gateway: REGISTRY_GATEWAY,
  })
  const client = new Client(config, { connectTimeoutMs: 2000, readTimeoutMs: 10_000 })
  const registry = Registry.open(REGISTRY_DB, { client, refreshMarginMs: Number(REGISTRY_MARGIN_MS) })
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())))
  const caller = async () => {
    const seen = new Set()
    do seen.add(await registry.tokenFor(REGISTRY_AUTH_APP_ID))
    while (Date.now() < endAt)
    return [...seen]
  }
  const seen = new Set((await Promise.all(Array.from({ length: 16 }, caller))).flat())
  registry.close()
  console.log(JSON.stringify([...seen]))
}

if (process.env.REGISTRY_DB) {
  main().catch((error) => {
    console.error(`worker failed: ${error.code ?? ''} ${error.reason ?? error.message}`)
    process.exit(1)
  })
}
