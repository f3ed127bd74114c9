'use strict'
// Mirrors core `observe`: the events of a full flow against the emulator reach the listener added
// with `onEvent` — merchant authorisation, a used code, a query, the authorisation push and a tampered
// twin, a registry refresh, delegated calls (one retried after a reset), the cancellation and the
// revocation it causes. Each event has the level of its outcome and the fields its kind promises
// (Alipay's trace id included), and no token, refresh token or code appears in any event. The counters
// agree, as Prometheus text.

const { test } = require('node:test')
const assert = require('node:assert/strict')

const {
  appAuthLink,
  parseAppAuthCallback,
  onEvent,
  offEvent,
  metricsSnapshot,
  prometheusMetrics,
  Registry,
} = require('..')
const { APP_ID, REDIRECT_URI, startEmulator, startAppGateway, rejection } = require('./flow-helpers')

const VERSIONS = 'alipay.open.mini.version.list.query'
const EXPECTED = {
  call: ['appId', 'method', 'outcome', 'latencyMs', 'retries', 'text'],
  notification: ['outcome', 'latencyMs', 'text'],
  refresh: ['appId', 'authAppId', 'method', 'outcome', 'latencyMs', 'text'],
  revocation: ['authAppId', 'method', 'outcome', 'latencyMs', 'text'],
}

/** Waits until `condition()` holds (at most 10 s). */
async function until(condition) {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 10_000) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

test('a full flow emits every expected event and no secret', async () => {
  const events = []
  const id = onEvent((event) => events.push(event))
  const secrets = []
  let authAppId
  const { emulator, config, client } = startEmulator()
  const gateway = await startAppGateway(config)
  try {
    emulator.setNotifyUrl(gateway.url)
    const link = appAuthLink({ host: emulator.baseUrl, appId: APP_ID, redirectUri: REDIRECT_URI })
    const callback = parseAppAuthCallback(await emulator.merchantAuthorizes(link.url), APP_ID, { state: link.state })
    secrets.push(callback.appAuthCode)
    const [token] = await client.exchangeAppAuthCode(callback.appAuthCode)
    authAppId = token.authAppId
    secrets.push(token.appAuthToken, token.appRefreshToken)
    await rejection(client.exchangeAppAuthCode(callback.appAuthCode))
    await client.queryAppAuthToken(token.appAuthToken)

    await until(() => gateway.bodies.length >= 1)
    const verifier = config.notificationVerifier()
    const notification = verifier.verifyBody(gateway.bodies[0])
    const tampered = Buffer.from(gateway.bodies[0].toString().replace('notify_id=', 'notify_id=0'))
    assert.throws(() => verifier.verifyBody(tampered), { code: 'ALIPAY_SIGNATURE_ERROR' })

    const refreshing = Registry.inMemory({ client, refreshMarginMs: 400 * 24 * 3600 * 1000 })
    await refreshing.ingestNotification(notification)
    secrets.push(await refreshing.tokenFor(authAppId), (await refreshing.get(authAppId)).appRefreshToken)
    const registry = Registry.inMemory({ client })
    await registry.ingestNotification(notification)
    await registry.executeFor(authAppId, VERSIONS)
    emulator.setFault('reset', { times: 1 })
    await registry.executeFor(authAppId, VERSIONS, { retry: { attempts: 3, backoffMs: 10, idempotent: true } })
    emulator.revoke(authAppId)
    await until(() => gateway.bodies.length >= 2)
    await registry.ingestNotification(verifier.verifyBody(gateway.bodies[1]))
    await until(() => events.some((event) => event.kind === 'revocation'))
  } finally {
    offEvent(id)
    await gateway.close()
    emulator.stop()
  }

  // The gateway helper verifies pushes too: keep this test's own events (ours have their own ids).
  for (const event of events) {
    for (const field of EXPECTED[event.kind]) assert.ok(event[field] != null, `${event.kind}.${field}: ${event.text}`)
    assert.equal(event.level, event.outcome === 'success' ? 'info' : 'warn')
    const shown = JSON.stringify(event)
    for (const secret of secrets.filter(Boolean)) assert.ok(!shown.includes(secret), shown)
  }
  const find = (kind, method, outcome) =>
    events.filter((e) => e.kind === kind && e.method === method && e.outcome === outcome && (e.appId ?? APP_ID) === APP_ID)
  const exchanges = find('call', 'alipay.open.auth.token.app', 'success')
  assert.equal(exchanges.length, 2, 'the exchange and the registry refresh')
  assert.ok(exchanges.every((e) => e.traceId.startsWith('7f000001') && e.code === '10000'))
  const [used] = find('call', 'alipay.open.auth.token.app', 'api')
  assert.deepEqual([used.code, used.subCode], ['40002', 'isv.code-invalid'])
  const delegated = find('call', VERSIONS, 'success')
  assert.deepEqual(delegated.map((e) => e.authAppId), [authAppId, authAppId])
  assert.equal(delegated[1].retries, 1)
  assert.equal(find('call', VERSIONS, 'transport')[0].retries, 0)
  const pushed = find('notification', 'open_app_auth_notify', 'success')
  assert.ok(pushed.length >= 1 && pushed.every((e) => e.authAppId === authAppId && e.notifyId && e.signedForm))
  const refused = find('notification', null, 'signature')
  assert.equal(refused.length, 1)
  assert.equal(refused[0].notifyId, null)
  assert.ok(find('notification', 'alipay.open.auth.appauth.cancelled', 'success').length >= 1)
  assert.equal(find('refresh', 'alipay.open.auth.token.app', 'success')[0].authAppId, authAppId)
  assert.equal(find('revocation', 'alipay.open.auth.appauth.cancelled', 'success')[0].authAppId, authAppId)

  const sample = metricsSnapshot().find((s) => s.kind === 'refresh' && s.outcome === 'success')
  assert.ok(sample.count >= 1)
  const text = prometheusMetrics()
  assert.match(text, /# TYPE alipay_isv_calls_total counter/)
  assert.ok(text.includes(`alipay_isv_calls_total{method="${VERSIONS}",outcome="success"}`), text)
})

test('a removed listener hears nothing more', async () => {
  const heard = []
  const id = onEvent((event) => heard.push(event))
  assert.equal(offEvent(id), true)
  assert.equal(offEvent(id), false)
  const { emulator, client } = startEmulator()
  try {
    await client.execute(VERSIONS, {}).catch(() => {})
    await new Promise((resolve) => setTimeout(resolve, 50))
  } finally {
    emulator.stop()
  }
  assert.deepEqual(heard, [])
})

test('a direct call is labelled with the merchant app given as authAppId', async () => {
  const heard = []
  const id = onEvent((event) => heard.push(event))
  const { emulator, client } = startEmulator()
  try {
    await rejection(client.execute(VERSIONS, { authAppId: '2021000000000042' }))
    await until(() => heard.some((event) => event.authAppId === '2021000000000042'))
  } finally {
    offEvent(id)
    emulator.stop()
  }
  const [event] = heard.filter((e) => e.authAppId === '2021000000000042')
  assert.equal(event.kind, 'call')
  assert.equal(event.method, VERSIONS)
  assert.equal(event.subCode, 'isv.self-invoke-forbidden')
})
