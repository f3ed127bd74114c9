'use strict'
// The registry's per-instance token cache (`tokenCacheTtlMs`): two registries on one SQLite file stand for
// two hosts, the second with a 400 ms cache. A token read through it is served from memory; a revocation
// written by the other registry may still be served when asked before the bound, and is refused
// (ALIPAY_STORE_ERROR) from the bound on; a revocation through the cached registry itself is refused at
// once; a TTL that is not a positive number is ALIPAY_CONFIG_ERROR. The emulator's tokens live a year, so
// they are never due and its gateway is only called to authorise.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { performance } = require('node:perf_hooks')

const { Registry } = require('..')
const { startEmulator, rejection, thrown } = require('./flow-helpers')
const { tempDir, authorise, sleep } = require('./registry-helpers')

/** The cache bound of the second registry. */
const BOUND_MS = 400
/** The refusal must come by then. */
const DEADLINE_MS = 600
/** How often the cached registry is asked after the revocation. */
const POLL_MS = 20

let emulator
let client
let temp
let tokens

before(async () => {
  ;({ emulator, client } = startEmulator())
  temp = tempDir()
  tokens = await authorise(emulator, client)
})

after(() => {
  emulator.stop()
  temp.remove()
})

/** Two registries on one fresh SQLite file: `writer` without a cache, `reader` with one of `BOUND_MS`. */
function twoHosts(name) {
  const location = path.join(temp.dir, `${name}.db`)
  const writer = Registry.open(location, { client })
  const reader = Registry.open(location, { client, tokenCacheTtlMs: BOUND_MS })
  assert.equal(writer.tokenCacheTtlMs, null)
  assert.equal(reader.tokenCacheTtlMs, BOUND_MS)
  return { writer, reader, close: () => [writer, reader].forEach((registry) => registry.close()) }
}

test('another registry’s revocation is served only when asked before the cache bound, refused from then on', async () => {
  const { writer, reader, close } = twoHosts('revoked')
  const [{ authAppId, appAuthToken }] = tokens
  try {
    assert.deepEqual(await writer.ingestTokens(tokens), ['applied'])
    const readAsked = performance.now()
    assert.equal(await reader.tokenFor(authAppId), appAuthToken) // read through the reader: cached

    const revokedAt = performance.now()
    await writer.revoke(authAppId)
    let refusedAfter
    for (;;) {
      // When the lookup was asked (the call may finish later than that).
      const asked = performance.now() - revokedAt
      assert.ok(asked <= DEADLINE_MS, `still served ${asked.toFixed(0)} ms after the revocation`)
      let served
      let error
      try {
        served = await reader.tokenFor(authAppId)
      } catch (refused) {
        error = refused
      }
      if (error === undefined) {
        assert.ok(asked < BOUND_MS, `served when asked ${asked.toFixed(0)} ms after the revocation`)
        assert.equal(served, appAuthToken)
        await sleep(POLL_MS)
        continue
      }
      assert.equal(error.code, 'ALIPAY_STORE_ERROR', error.message)
      assert.match(error.message, /revoked/)
      // The entry cached at the read lives until at least BOUND_MS after that read was asked: a refusal
      // that came back before then was not served from the cache, which would mean no cache at all.
      assert.ok(performance.now() - readAsked >= BOUND_MS, 'refused while the cached entry was fresh: no cache')
      refusedAfter = asked
      break
    }
    assert.ok(refusedAfter <= DEADLINE_MS, `refused ${refusedAfter.toFixed(0)} ms after the revocation`)
    // From then on, never served again, by either call.
    assert.equal(thrown(() => reader.tokenForSync(authAppId)).code, 'ALIPAY_STORE_ERROR')
    assert.equal((await rejection(reader.tokenFor(authAppId))).code, 'ALIPAY_STORE_ERROR')
  } finally {
    close()
  }
})

test('a revocation through the cached registry itself is refused at once', async () => {
  const { writer, reader, close } = twoHosts('local')
  const [{ authAppId, appAuthToken }] = tokens
  try {
    assert.deepEqual(await writer.ingestTokens(tokens), ['applied'])
    assert.equal(await reader.tokenFor(authAppId), appAuthToken)
    assert.equal(reader.tokenForSync(authAppId), appAuthToken) // from the cache
    await reader.revoke(authAppId)
    const error = thrown(() => reader.tokenForSync(authAppId))
    assert.equal(error.code, 'ALIPAY_STORE_ERROR', error.message)
    assert.match(error.message, /revoked/)
    assert.equal((await rejection(reader.tokenFor(authAppId))).code, 'ALIPAY_STORE_ERROR')
    // Re-authorised through the same registry: served at once.
    assert.deepEqual(await reader.ingestTokens(tokens), ['applied'])
    assert.equal(await reader.tokenFor(authAppId), appAuthToken)
  } finally {
    close()
  }
})

test('a tokenCacheTtlMs that is not a positive number is ALIPAY_CONFIG_ERROR', () => {
  const location = path.join(temp.dir, 'bad-ttl.db')
  for (const ttl of [0, -1, -400, Number.NaN, Number.POSITIVE_INFINITY]) {
    for (const open of [() => Registry.open(location, { client, tokenCacheTtlMs: ttl }), () => Registry.inMemory({ tokenCacheTtlMs: ttl })]) {
      const error = thrown(open)
      assert.equal(error.code, 'ALIPAY_CONFIG_ERROR', `${ttl}: ${error.message}`)
      assert.match(error.message, /tokenCacheTtlMs must be a positive number of milliseconds/)
    }
  }
  // No option: no cache. A cache: its bound, shown by toString and still known once closed.
  assert.equal(Registry.inMemory({ client }).tokenCacheTtlMs, null)
  const cached = Registry.inMemory({ client, tokenCacheTtlMs: 1000 })
  assert.equal(cached.tokenCacheTtlMs, 1000)
  assert.match(cached.toString(), /, token cache 1 s\)$/)
  cached.close()
  assert.equal(cached.tokenCacheTtlMs, 1000)
})
