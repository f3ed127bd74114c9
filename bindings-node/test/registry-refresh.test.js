'use strict'
// Expiry-driven refresh against the emulator, on each store (a SQLite file, a PostgreSQL database, a MySQL
// database; each test its own): tokens live 4 s, the registry refreshes 2 s ahead; many concurrent
// tokenFor calls (Promise.all, on 8 libuv pool threads) straddle the refresh point and exactly ONE refresh
// reaches the emulator; every caller gets the old or the new token; executeFor then calls with the new
// one. Two processes sharing the store (the file, the database) likewise refresh once. Without a client,
// an expired token is ALIPAY_CONFIG_ERROR.
process.env.UV_THREADPOOL_SIZE = '8'

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { execFile } = require('node:child_process')

const { Registry } = require('..')
const { startEmulator, rejection, thrown } = require('./flow-helpers')
const { TOKEN_METHOD, VERSIONS, tempDir, freshLocation, eachStore, authorise, sleep } = require('./registry-helpers')

const TTL_MS = 4_000
const MARGIN_MS = 2_000

let emulator
let client
let temp

before(() => {
  ;({ emulator, client } = startEmulator({ appAuthTokenTtlMs: TTL_MS }))
  temp = tempDir()
})

after(() => {
  emulator.stop()
  temp.remove()
})

eachStore('concurrent tokenFor calls across the expiry boundary refresh exactly once', async (store) => {
  const registry = Registry.open(freshLocation(store, temp.dir, 'refresh.db'), { client, refreshMarginMs: MARGIN_MS })
  try {
    const [token] = await authorise(emulator, client)
    assert.ok(token.expiresIn > 0 && token.expiresIn <= TTL_MS / 1000, `expiresIn ${token.expiresIn}`)
    assert.deepEqual(await registry.ingestTokens([token]), ['applied'])
    const record = await registry.get(token.authAppId)
    const dueAt = record.expiresAtMs - MARGIN_MS
    const refreshesBefore = emulator.callCount(TOKEN_METHOD)

    // Not due yet: the stored token, no call.
    assert.equal(await registry.tokenFor(token.authAppId), token.appAuthToken)
    assert.equal(emulator.callCount(TOKEN_METHOD), refreshesBefore)

    // 32 concurrent callers, each asking again and again from 300 ms before the refresh point to
    // 500 ms after it.
    await sleep(Math.max(0, dueAt - 300 - Date.now()))
    const until = dueAt + 500
    const worker = async () => {
      const seen = []
      do seen.push(await registry.tokenFor(token.authAppId))
      while (Date.now() < until)
      return seen
    }
    const results = await Promise.all(Array.from({ length: 32 }, worker))
    const all = results.flat()
    const distinct = new Set(all)

    assert.equal(emulator.callCount(TOKEN_METHOD) - refreshesBefore, 1, 'exactly one refresh')
    assert.equal(distinct.size, 2, 'the old token before the refresh point, the new one after')
    assert.ok(distinct.has(token.appAuthToken))
    assert.ok(all.length > 64, `${all.length} calls`)
    const fresh = await registry.get(token.authAppId)
    assert.notEqual(fresh.appAuthToken, token.appAuthToken)
    assert.ok(distinct.has(fresh.appAuthToken))
    assert.notEqual(fresh.appRefreshToken, token.appRefreshToken)
    assert.ok(fresh.expiresAtMs > record.expiresAtMs)
    assert.equal(fresh.authorisedAtMs, record.authorisedAtMs, 'a refresh is the same authorisation')
    assert.equal(fresh.refreshLease, null)
    assert.ok(fresh.version > record.version)
    // Every caller after the refresh point got the new token.
    for (const seen of results) assert.equal(seen[seen.length - 1], fresh.appAuthToken)

    // The delegated call goes out with the new token.
    const answer = await registry.executeFor(token.authAppId, VERSIONS)
    assert.equal(answer.fields.code, '10000')
    assert.equal(answer.fields.auth_app_id, token.authAppId)
    assert.equal(emulator.callCount(TOKEN_METHOD) - refreshesBefore, 1)

    // A late query about the previous token is stale; one about the current token applies.
    const oldInfo = await client.queryAppAuthToken(token.appAuthToken)
    assert.equal(await registry.ingestQuery(token.appAuthToken, oldInfo), 'stale')
    const info = await client.queryAppAuthToken(fresh.appAuthToken)
    assert.equal(await registry.ingestQuery(fresh.appAuthToken, info), 'applied')
    // Tokens refreshed outside the registry: ingested as a refresh of the same authorisation.
    const outside = await client.refreshAppAuthToken(fresh.appRefreshToken)
    assert.deepEqual(await registry.ingestRefreshedTokens(outside), ['applied'])
    assert.equal((await registry.get(token.authAppId)).appAuthToken, outside[0].appAuthToken)
    assert.equal((await registry.get(token.authAppId)).authorisedAtMs, record.authorisedAtMs)
  } finally {
    registry.close()
  }
})

/** Runs test/registry-worker.js with `env`; resolves to the tokens it was handed. */
function worker(env) {
  return new Promise((resolve, reject) => {
    const script = path.join(__dirname, 'registry-worker.js')
    execFile(process.execPath, [script], { env: { ...process.env, ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`worker: ${error.message} ${stderr}`))
      resolve(JSON.parse(stdout.trim().split('\n').pop()))
    })
  })
}

eachStore('two processes sharing one store refresh exactly once', async (store) => {
  const location = freshLocation(store, temp.dir, 'shared.db')
  const [token] = await authorise(emulator, client)
  const registry = Registry.open(location)
  await registry.ingestTokens([token])
  const dueAt = (await registry.get(token.authAppId)).expiresAtMs - MARGIN_MS
  registry.close()
  const refreshesBefore = emulator.callCount(TOKEN_METHOD)
  const env = {
    REGISTRY_DB: location,
    REGISTRY_GATEWAY: emulator.gatewayUrl,
    REGISTRY_ALIPAY_KEY: emulator.alipayPublicKeyPem,
    REGISTRY_AUTH_APP_ID: token.authAppId,
    REGISTRY_MARGIN_MS: String(MARGIN_MS),
    REGISTRY_START_AT_MS: String(dueAt - 300),
    REGISTRY_END_AT_MS: String(dueAt + 500),
  }
  const [first, second] = await Promise.all([worker(env), worker(env)])
  assert.equal(emulator.callCount(TOKEN_METHOD) - refreshesBefore, 1, 'exactly one refresh')
  const reopened = Registry.open(location)
  const stored = await reopened.get(token.authAppId)
  assert.notEqual(stored.appAuthToken, token.appAuthToken)
  assert.equal(stored.refreshLease, null)
  if (store === 'sqlite') assert.equal(await reopened.integrityCheck(), 'ok')
  reopened.close()
  for (const seen of [first, second]) {
    assert.ok(seen.includes(stored.appAuthToken), 'each process got the new token')
    assert.ok(seen.every((handed) => handed === token.appAuthToken || handed === stored.appAuthToken), 'only the old and the new token')
  }
})

eachStore('an expired token without a client to refresh it is ALIPAY_CONFIG_ERROR', async (store) => {
  // A token that expired already: a hand-made authorisation notification with `expiresIn: 0` (a
  // real one lives for the emulator's TTL).
  const registry = Registry.open(freshLocation(store, temp.dir))
  const authAppId = '2021000000000077'
  const notice = {
    kind: 'appAuth',
    notifyId: 'expired-1',
    detail: { appAuthToken: 'expired-token', appRefreshToken: 'refresh', authAppId, userId: '2088000000000077', expiresIn: 0, authTime: Date.now() },
  }
  assert.equal(await registry.ingestNotification(notice), 'applied')
  const calls = emulator.totalCalls
  const error = await rejection(registry.tokenFor(authAppId))
  assert.equal(error.code, 'ALIPAY_CONFIG_ERROR')
  assert.match(error.reason, /client/)
  assert.equal(thrown(() => registry.tokenForSync(authAppId)).code, 'ALIPAY_CONFIG_ERROR')
  assert.equal((await rejection(registry.executeFor(authAppId, VERSIONS))).code, 'ALIPAY_CONFIG_ERROR')
  assert.equal(emulator.totalCalls, calls)
  // Nothing was written: no lease left behind.
  assert.equal((await registry.get(authAppId)).refreshLease, null)
  assert.equal((await registry.get(authAppId)).appAuthToken, 'expired-token')
  registry.close()
})

eachStore('a token not due is served without a client, but executeFor needs one', async (store) => {
  const [token] = await authorise(emulator, client)
  const registry = Registry.open(freshLocation(store, temp.dir))
  try {
    await registry.ingestTokens([token])
    assert.equal(await registry.tokenFor(token.authAppId), token.appAuthToken)
    const error = await rejection(registry.executeFor(token.authAppId, VERSIONS))
    assert.equal(error.code, 'ALIPAY_CONFIG_ERROR')
    assert.match(error.reason, /client/)
  } finally {
    registry.close()
  }
})
