'use strict'
// Typed errors against the emulator: gateway errors (used code, self-invoke), callback checks (wrong
// state, wrong app_id), every fault mode within the configured timeout, connection refused
// (`requestSent: false`) and the retry policy. Also: the JavaScript thread stays free during a call.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')

const { appAuthLink, parseAppAuthCallback, parseUserAuthCallback, IsvConfig, Client } = require('..')
const {
  APP_ID,
  APP_PRIVATE_KEY,
  REDIRECT_URI,
  startEmulator,
  closedPort,
  rejection,
  thrown,
} = require('./flow-helpers')

const VERSIONS = 'alipay.open.mini.version.list.query'
const READ_TIMEOUT_MS = 600

let emulator
let client
let token
let callbackUrl
let link

before(async () => {
  ;({ emulator, client } = startEmulator({}, { connectTimeoutMs: 1000, readTimeoutMs: READ_TIMEOUT_MS }))
  link = appAuthLink({ host: emulator.baseUrl, appId: APP_ID, redirectUri: REDIRECT_URI })
  callbackUrl = await emulator.merchantAuthorizes(link.url)
  const callback = parseAppAuthCallback(callbackUrl, APP_ID, { state: link.state })
  ;[token] = await client.exchangeAppAuthCode(callback.appAuthCode)
})

after(() => emulator.stop())

/** A delegated call that succeeds when no fault is set. */
const call = (options = {}) => client.execute(VERSIONS, { appAuthToken: token.appAuthToken, ...options })

/** Runs `promise`, returning its rejection and how long it took in milliseconds. */
async function timed(promise) {
  const start = performance.now()
  const error = await rejection(promise)
  return { error, elapsed: performance.now() - start }
}

test('a used code: ApiError 40002 isv.code-invalid, signed', async () => {
  const { appAuthCode } = parseAppAuthCallback(callbackUrl, APP_ID, { state: link.state })
  const error = await rejection(client.exchangeAppAuthCode(appAuthCode))
  assert.equal(error.code, 'ALIPAY_API_ERROR')
  assert.equal(error.kind, 'api')
  assert.equal(error.apiCode, '40002')
  assert.equal(error.subCode, 'isv.code-invalid')
  assert.equal(error.signed, true)
  assert.ok(!('requestSent' in error))
  assert.throws(() => client.exchangeAppAuthCodeSync(appAuthCode), { code: 'ALIPAY_API_ERROR', subCode: 'isv.code-invalid' })
})

test('a merchant-only method without app_auth_token: 40006 isv.self-invoke-forbidden', async () => {
  const error = await rejection(client.execute(VERSIONS))
  assert.equal(error.code, 'ALIPAY_API_ERROR')
  assert.equal(error.apiCode, '40006')
  assert.equal(error.subCode, 'isv.self-invoke-forbidden')
  assert.equal(error.signed, true)
})

test('an unknown token: 20001 aop.invalid-app-auth-token', async () => {
  const error = await rejection(call({ appAuthToken: '202611BBunknowntokenunknowntoken00000000' }))
  assert.equal(error.apiCode, '20001')
  assert.equal(error.subCode, 'aop.invalid-app-auth-token')
})

test('callbacks: a wrong state or a missing one is a signature error, as is another app', () => {
  const wrongState = thrown(() => parseAppAuthCallback(callbackUrl, APP_ID, { state: 'b3RoZXI=' }))
  assert.equal(wrongState.code, 'ALIPAY_SIGNATURE_ERROR')
  const stripped = callbackUrl.replace(/&state=[^&]*/, '')
  assert.equal(thrown(() => parseAppAuthCallback(stripped, APP_ID, { state: link.state })).code, 'ALIPAY_SIGNATURE_ERROR')
  assert.equal(parseAppAuthCallback(stripped, APP_ID, { allowMissingState: true }).state, null)
  // allowMissingState still compares a state that is present.
  assert.equal(thrown(() => parseAppAuthCallback(callbackUrl, APP_ID, { state: 'b3RoZXI=', allowMissingState: true })).code, 'ALIPAY_SIGNATURE_ERROR')
  const otherApp = thrown(() => parseAppAuthCallback(callbackUrl, '2021000000000002', { state: link.state }))
  assert.equal(otherApp.code, 'ALIPAY_SIGNATURE_ERROR')
  assert.match(otherApp.reason, /2021000000000002/)
  const noCheck = thrown(() => parseAppAuthCallback(callbackUrl, APP_ID, {}))
  assert.equal(noCheck.code, 'ALIPAY_CONFIG_ERROR')
  const noCode = thrown(() => parseAppAuthCallback(`${REDIRECT_URI}?app_id=${APP_ID}&state=${link.state}`, APP_ID, { state: link.state }))
  assert.equal(noCode.code, 'ALIPAY_PROTOCOL_ERROR')
  // Errors never echo the code.
  const code = new URL(callbackUrl).searchParams.get('app_auth_code')
  for (const error of [wrongState, otherApp, noCheck]) assert.ok(!error.message.includes(code))
  const user = thrown(() => parseUserAuthCallback(`${REDIRECT_URI}?app_id=1&auth_code=x&state=YQ==`, '2', { state: 'YQ==' }))
  assert.equal(user.code, 'ALIPAY_SIGNATURE_ERROR')
})

test('fault delay beyond the read timeout: TransportError, requestSent true, within the timeout', async () => {
  emulator.setFault('delay', { delayMs: READ_TIMEOUT_MS * 4, times: 1 })
  const { error, elapsed } = await timed(call())
  assert.equal(error.code, 'ALIPAY_TRANSPORT_ERROR')
  assert.equal(error.kind, 'transport')
  assert.equal(error.requestSent, true)
  assert.ok(elapsed >= READ_TIMEOUT_MS * 0.8 && elapsed < READ_TIMEOUT_MS * 3, `took ${elapsed} ms`)
  // A delay within the timeout only slows the call down.
  emulator.setFault('delay', { delayMs: 50, times: 1 })
  assert.equal((await call()).fields.code, '10000')
})

test('fault reset: TransportError', async () => {
  emulator.setFault('reset', { times: 1 })
  const { error, elapsed } = await timed(call())
  assert.equal(error.code, 'ALIPAY_TRANSPORT_ERROR')
  // The emulator read the request before resetting: it may have run, so it is not retried by default.
  assert.equal(error.requestSent, true)
  assert.match(error.reason, /reset/)
  assert.ok(elapsed < READ_TIMEOUT_MS * 3, `took ${elapsed} ms`)
})

test('fault truncated_body: TransportError (the body is cut short of its Content-Length)', async () => {
  emulator.setFault('truncated_body', { times: 1 })
  const { error, elapsed } = await timed(call())
  assert.equal(error.code, 'ALIPAY_TRANSPORT_ERROR')
  assert.equal(error.requestSent, true)
  assert.match(error.reason, /cut off/)
  assert.ok(elapsed < READ_TIMEOUT_MS * 3, `took ${elapsed} ms`)
})

test('fault bad_gateway: TransportError naming HTTP 502', async () => {
  emulator.setFault('bad_gateway', { times: 1 })
  const { error } = await timed(call())
  assert.equal(error.code, 'ALIPAY_TRANSPORT_ERROR')
  assert.equal(error.requestSent, true)
  assert.match(error.message, /502/)
})

test('fault unsigned: SignatureError', async () => {
  emulator.setFault('unsigned', { times: 1 })
  const error = await rejection(call())
  assert.equal(error.code, 'ALIPAY_SIGNATURE_ERROR')
  // `times` ran out: the next call succeeds.
  assert.equal((await call()).fields.code, '10000')
})

test('a fault until cleared, and a bad fault kind', async () => {
  emulator.setFault('bad_gateway')
  assert.equal((await rejection(call())).code, 'ALIPAY_TRANSPORT_ERROR')
  assert.equal((await rejection(call())).code, 'ALIPAY_TRANSPORT_ERROR')
  emulator.setFault(null)
  assert.equal((await call()).fields.code, '10000')
  assert.throws(() => emulator.setFault('meltdown'), { code: 'ALIPAY_CONFIG_ERROR' })
  assert.throws(() => emulator.setFault('delay'), { code: 'ALIPAY_CONFIG_ERROR' })
})

/** A client of the test app whose gateway is a loopback port nothing listens on. */
async function refusedClient() {
  const config = new IsvConfig({
    appId: APP_ID,
    privateKey: APP_PRIVATE_KEY,
    alipayPublicKey: emulator.alipayPublicKey,
    gateway: `http://127.0.0.1:${await closedPort()}/gateway.do`,
  })
  return new Client(config, { connectTimeoutMs: 1000, readTimeoutMs: 1000 })
}

test('connection refused: TransportError with requestSent false', async () => {
  const refused = await refusedClient()
  const { error, elapsed } = await timed(refused.execute(VERSIONS, { appAuthToken: 'x' }))
  assert.equal(error.code, 'ALIPAY_TRANSPORT_ERROR')
  assert.equal(error.requestSent, false)
  assert.ok(elapsed < 1000, `took ${elapsed} ms`)
  assert.throws(() => refused.executeSync(VERSIONS), { code: 'ALIPAY_TRANSPORT_ERROR', requestSent: false })
})

test('retry: a refused port with 3 attempts still fails fast and typed, after backing off', async () => {
  const refused = await refusedClient()
  const { error, elapsed } = await timed(
    refused.execute(VERSIONS, { appAuthToken: 'x', retry: { attempts: 3, backoffMs: 40 } }),
  )
  assert.equal(error.code, 'ALIPAY_TRANSPORT_ERROR')
  assert.equal(error.requestSent, false)
  // Two waits, 40 then 80 ms: the attempts did happen, and quickly.
  assert.ok(elapsed >= 110 && elapsed < 2000, `took ${elapsed} ms`)
})

test('retry: a sent request is retried only when the call is marked idempotent', async () => {
  const before = emulator.callCount(VERSIONS)
  emulator.setFault('bad_gateway', { times: 2 })
  assert.equal((await rejection(call({ retry: { attempts: 3, backoffMs: 1 } }))).code, 'ALIPAY_TRANSPORT_ERROR')
  assert.equal(emulator.callCount(VERSIONS), before + 1)
  // One 502 left, then success on the second attempt.
  const response = await call({ retry: { attempts: 3, backoffMs: 1, idempotent: true } })
  assert.equal(response.fields.code, '10000')
  assert.equal(emulator.callCount(VERSIONS), before + 3)
  assert.throws(() => client.executeSync(VERSIONS, { retry: { backoffMs: -1 } }), { code: 'ALIPAY_CONFIG_ERROR' })
})

test('the JavaScript thread stays free while a call waits on the network', async () => {
  emulator.setFault('delay', { delayMs: 300, times: 1 })
  const order = []
  const pending = call().then(() => order.push('call'))
  await new Promise((resolve) => setTimeout(resolve, 50)).then(() => order.push('timer'))
  await pending
  assert.deepEqual(order, ['timer', 'call'])
})

test('transport options are checked', async () => {
  const { config } = startEmulatorForConfig()
  assert.throws(() => new Client(config, { readTimeoutMs: 0 }), { code: 'ALIPAY_CONFIG_ERROR' })
  assert.throws(() => new Client(config, { connectTimeoutMs: Number.NaN }), { code: 'ALIPAY_CONFIG_ERROR' })
  assert.throws(() => new Client(config, { maxResponseBytes: 0 }), { code: 'ALIPAY_CONFIG_ERROR' })
  assert.throws(() => new Client(config, { proxy: 'not a url' }), { code: 'ALIPAY_CONFIG_ERROR' })
  // A response size limit below the answer's size is a typed error too.
  const small = new Client(config, { maxResponseBytes: 16 })
  const error = await rejection(small.execute(VERSIONS, { appAuthToken: token.appAuthToken }))
  assert.equal(error.code, 'ALIPAY_TRANSPORT_ERROR')
  assert.match(error.reason, /16-byte limit/)
})

/** The config of the shared emulator (a fresh `IsvConfig`, same values). */
function startEmulatorForConfig() {
  return {
    config: new IsvConfig({
      appId: APP_ID,
      privateKey: APP_PRIVATE_KEY,
      alipayPublicKey: emulator.alipayPublicKey,
      gateway: emulator.gatewayUrl,
    }),
  }
}
