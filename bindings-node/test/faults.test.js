'use strict'
// Hostile peers (issue 8, item 3): every fault mode of the emulator — a delay beyond the read timeout,
// a TCP reset, a truncated body, HTTP 502, an unsigned answer, a peer that accepts and hangs, one that
// answers a byte at a time, one that serves 10 MiB to a client that takes 1 MiB — ends in the right
// typed error (TRANSPORT, or SIGNATURE for the unsigned answer) within connect + read timeout plus a
// small margin; a registry whose refresh meets each of them serves the stored (still valid) token
// and leaves the record as it was. Also raw loopback servers of node:net that accept and close, or
// accept and reset, at once.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const net = require('node:net')
const path = require('node:path')

const { Client, Registry, IsvConfig } = require('..')
const { APP_ID, APP_PRIVATE_KEY, startEmulator, rejection } = require('./flow-helpers')
const { TOKEN_METHOD, VERSIONS, tempDir, authorise } = require('./registry-helpers')

const CONNECT_TIMEOUT_MS = 1000
const READ_TIMEOUT_MS = 800
/** The correctness bound: the whole exchange is limited to connect + read timeout; 700 ms margin. */
const BOUND_MS = CONNECT_TIMEOUT_MS + READ_TIMEOUT_MS + 700
const LIMIT = 1024 * 1024
/** Token lifetime at the emulator, and a refresh margin beyond it: every `tokenFor` refreshes. */
const TTL_MS = 60_000
const MARGIN_MS = 120_000

/**
 * The eight faults: the `setFault` arguments and the error code each must end in. The emulator
 * answers `oversized` with 10 times the client's 1 MiB limit.
 */
const FAULTS = [
  ['delay', { delayMs: READ_TIMEOUT_MS * 4 }, 'ALIPAY_TRANSPORT_ERROR'],
  ['reset', {}, 'ALIPAY_TRANSPORT_ERROR'],
  ['truncated_body', {}, 'ALIPAY_TRANSPORT_ERROR'],
  ['bad_gateway', {}, 'ALIPAY_TRANSPORT_ERROR'],
  ['unsigned', {}, 'ALIPAY_SIGNATURE_ERROR'],
  ['hang', {}, 'ALIPAY_TRANSPORT_ERROR'],
  ['trickle', { pauseMs: 50 }, 'ALIPAY_TRANSPORT_ERROR'],
  ['oversized', { sizeBytes: 10 * LIMIT }, 'ALIPAY_TRANSPORT_ERROR'],
]

let emulator
let config
let client
let token
let temp

before(async () => {
  ;({ emulator, config } = startEmulator({ appAuthTokenTtlMs: TTL_MS }))
  client = new Client(config, {
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    readTimeoutMs: READ_TIMEOUT_MS,
    maxResponseBytes: LIMIT,
  })
  ;[token] = await authorise(emulator, client)
  temp = tempDir()
})

after(() => {
  emulator.stop()
  temp.remove()
})

/** Runs `promise`, returning its rejection and how long it took in milliseconds. */
async function timed(promise) {
  const start = performance.now()
  const error = await rejection(promise)
  return { error, elapsed: performance.now() - start }
}

const call = (on = client) => on.execute(VERSIONS, { appAuthToken: token.appAuthToken, bizContent: {} })

test('every fault mode ends in its typed error within connect + read timeout', async () => {
  for (const [kind, options, code] of FAULTS) {
    const before = emulator.callCount(VERSIONS)
    emulator.setFault(kind, { ...options, times: 1 })
    const { error, elapsed } = await timed(call())
    assert.ok(error instanceof Error, `${kind}: ${error}`)
    assert.equal(error.code, code, `${kind}: ${error.code} ${error.message}`)
    assert.equal(error.kind, code === 'ALIPAY_SIGNATURE_ERROR' ? 'signature' : 'transport', kind)
    assert.equal(typeof error.reason, 'string')
    if (code === 'ALIPAY_TRANSPORT_ERROR') {
      // Every one of these peers read the request first: it may have run, so it is not "unsent".
      assert.equal(error.requestSent, true, `${kind}: ${error.reason}`)
    }
    assert.ok(elapsed < BOUND_MS, `${kind} took ${elapsed.toFixed(0)} ms (bound ${BOUND_MS} ms): ${error.reason}`)
    assert.equal(emulator.callCount(VERSIONS), before + 1, `${kind}: the request reached the emulator`)
    if (kind === 'oversized') assert.match(error.reason, /limit/)
    if (kind === 'delay') assert.ok(elapsed >= READ_TIMEOUT_MS * 0.8, `delay: ${elapsed} ms`)
    // `times: 1` ran out: the next call goes through.
    assert.equal((await call()).fields.code, '10000', `after ${kind}`)
  }
})

test('the blocking twin is bounded as well (hang, trickle)', () => {
  for (const [kind, options] of [['hang', {}], ['trickle', { pauseMs: 50 }]]) {
    emulator.setFault(kind, { ...options, times: 1 })
    const start = performance.now()
    assert.throws(() => client.executeSync(VERSIONS, { appAuthToken: token.appAuthToken }), {
      code: 'ALIPAY_TRANSPORT_ERROR',
    })
    const elapsed = performance.now() - start
    assert.ok(elapsed < BOUND_MS, `${kind} took ${elapsed.toFixed(0)} ms`)
  }
})

test('fault details are checked: trickle needs a pause, oversized 1 byte to 256 MiB', () => {
  assert.throws(() => emulator.setFault('trickle'), { code: 'ALIPAY_CONFIG_ERROR', message: /needs a pause/ })
  assert.throws(() => emulator.setFault('trickle', { pauseMs: -1 }), { code: 'ALIPAY_CONFIG_ERROR' })
  assert.throws(() => emulator.setFault('oversized'), { code: 'ALIPAY_CONFIG_ERROR', message: /needs a body size/ })
  for (const sizeBytes of [0, -5, 1.5, Number.NaN, Infinity]) {
    assert.throws(() => emulator.setFault('oversized', { sizeBytes }), { code: 'ALIPAY_CONFIG_ERROR' }, `${sizeBytes}`)
  }
  assert.throws(() => emulator.setFault('oversized', { sizeBytes: 2 ** 30 }), { code: 'ALIPAY_CONFIG_ERROR', message: /256 MiB/ })
  assert.throws(() => emulator.setFault('reset', { sizeBytes: 10 }), { code: 'ALIPAY_CONFIG_ERROR', message: /takes no size/ })
  assert.throws(() => emulator.setFault('meltdown'), { code: 'ALIPAY_CONFIG_ERROR', message: /hang, trickle, oversized/ })
  emulator.setFault('hang')
  emulator.setFault(null)
})

test('a refresh that meets any fault writes nothing and serves the stored, still valid token', async () => {
  const file = path.join(temp.dir, 'faults.db')
  const seed = Registry.open(file)
  assert.deepEqual(await seed.ingestTokens([token]), ['applied'])
  seed.close()
  for (const [kind, options] of FAULTS) {
    // A fresh registry each time (no back-off memory); the token is due (the margin is longer than
    // its remaining life) but still valid.
    const registry = Registry.open(file, { client, refreshMarginMs: MARGIN_MS })
    try {
      const before = await registry.get(token.authAppId)
      const refreshes = emulator.callCount(TOKEN_METHOD)
      emulator.setFault(kind, { ...options, times: 1 })
      const start = performance.now()
      assert.equal(await registry.tokenFor(token.authAppId), token.appAuthToken, kind)
      const elapsed = performance.now() - start
      assert.equal(emulator.callCount(TOKEN_METHOD), refreshes + 1, `${kind}: the refresh met the fault`)
      assert.ok(elapsed < BOUND_MS, `${kind}: tokenFor took ${elapsed.toFixed(0)} ms`)
      const after = await registry.get(token.authAppId)
      for (const field of ['appAuthToken', 'appRefreshToken', 'expiresAtMs', 'refreshExpiresAtMs', 'tokenIssuedAtMs', 'authorisedAtMs', 'status']) {
        assert.equal(after[field], before[field], `${kind}: ${field}`)
      }
      assert.equal(after.refreshLease, null, `${kind}: the lease is released`)
    } finally {
      registry.close()
    }
  }
  // The token served is still good at the gateway. (A refresh that met a fault after the emulator
  // processed it spent the stored refresh token, as Alipay would: the registry kept the old, valid
  // access token rather than lose the merchant.)
  const registry = Registry.open(file, { client })
  try {
    const answer = await registry.executeFor(token.authAppId, VERSIONS)
    assert.equal(answer.fields.code, '10000')
    assert.equal((await registry.get(token.authAppId)).appAuthToken, token.appAuthToken)
  } finally {
    registry.close()
  }
})

/** A raw loopback TCP server that treats every connection with `onConnection`. */
async function rawServer(onConnection) {
  const server = net.createServer(onConnection)
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { port: server.address().port, close: () => new Promise((resolve) => server.close(resolve)) }
}

/** A client of the test app whose gateway is `port` on loopback. */
function clientAt(port) {
  const at = new IsvConfig({
    appId: APP_ID,
    privateKey: APP_PRIVATE_KEY,
    alipayPublicKey: emulator.alipayPublicKey,
    gateway: `http://127.0.0.1:${port}/gateway.do`,
  })
  return new Client(at, { connectTimeoutMs: CONNECT_TIMEOUT_MS, readTimeoutMs: READ_TIMEOUT_MS })
}

test('a raw loopback peer that accepts and closes at once: TransportError', async () => {
  let accepted = 0
  const server = await rawServer((socket) => {
    accepted++
    socket.end()
    socket.destroy()
  })
  try {
    const { error, elapsed } = await timed(call(clientAt(server.port)))
    assert.equal(error.code, 'ALIPAY_TRANSPORT_ERROR', error.message)
    assert.equal(error.kind, 'transport')
    assert.equal(typeof error.requestSent, 'boolean')
    assert.ok(elapsed < BOUND_MS, `took ${elapsed} ms`)
    assert.ok(accepted >= 1)
  } finally {
    await server.close()
  }
})

test('a raw loopback peer that accepts and resets at once: TransportError', async () => {
  const server = await rawServer((socket) => socket.resetAndDestroy())
  try {
    const { error, elapsed } = await timed(call(clientAt(server.port)))
    assert.equal(error.code, 'ALIPAY_TRANSPORT_ERROR', error.message)
    assert.ok(elapsed < BOUND_MS, `took ${elapsed} ms`)
  } finally {
    await server.close()
  }
})

test('a raw loopback peer that answers garbage instead of HTTP: TransportError', async () => {
  const server = await rawServer((socket) => {
    socket.once('data', () => socket.end('\u0000\u0001 not http at all\r\n\r\n'))
  })
  try {
    const { error, elapsed } = await timed(call(clientAt(server.port)))
    assert.equal(error.code, 'ALIPAY_TRANSPORT_ERROR', error.message)
    assert.ok(elapsed < BOUND_MS, `took ${elapsed} ms`)
  } finally {
    await server.close()
  }
})
