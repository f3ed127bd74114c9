'use strict'
// The registry fed from real answers and real pushes of the emulator, on each store (a SQLite file, a
// PostgreSQL database, a MySQL database; each test its own): exchanged tokens; the app-auth push (verified
// from its raw body at a node:http application gateway) is `stale` after the exchange and `duplicate` when
// replayed; a token query; the revocation push `applied`, then `duplicate`; late messages `stale`; a
// revoked merchant refused with ALIPAY_STORE_ERROR naming it and no call reaching the emulator;
// notifications about merchants the store does not hold `ignored`; service-market orders and plugin
// authorisations stored from their messages (also in memory). Objects that are not notifications are
// refused before any store is touched (in memory).

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')

const {
  Registry,
  MerchantAuthorisation,
  NotificationVerifier,
  APP_AUTH_NOTIFY,
  APP_AUTH_CANCELLED,
} = require('..')
const { loadVectors, readKey } = require('./helpers')
const { startEmulator, startAppGateway, rejection, thrown } = require('./flow-helpers')
const { STORES, VERSIONS, tempDir, freshLocation, eachStore, authorise } = require('./registry-helpers')

let temp

before(() => {
  temp = tempDir()
})

after(() => {
  temp.remove()
})

/**
 * An emulator pushing to a node:http application gateway, and `pushed(kind)`: the last push of `kind`,
 * verified from the raw body the gateway received; `run` over them, then both stopped.
 */
async function withPushes(run) {
  const { emulator, config, client } = startEmulator()
  const gateway = await startAppGateway(config)
  emulator.setNotifyUrl(gateway.url)
  const pushed = (kind) => {
    const deliveries = emulator.deliveries()
    const index = deliveries.map((delivery) => delivery.kind).lastIndexOf(kind)
    assert.ok(index >= 0, `the emulator pushed ${kind}`)
    assert.equal(deliveries[index].acknowledged, true)
    // Pushes are posted one after the other, so bodies arrive in delivery order.
    return config.notificationVerifier().verifyBody(gateway.bodies[index])
  }
  try {
    await run({ emulator, config, client, gateway, pushed })
  } finally {
    emulator.stop()
    await gateway.close()
  }
}

eachStore('every kind of ingestion, idempotent and ordered', (store) =>
  withPushes(async ({ emulator, client, pushed }) => {
    const registry = Registry.open(freshLocation(store, temp.dir), { client })
    try {
      await ingestions({ emulator, client, pushed, registry })
    } finally {
      registry.close()
    }
  }),
)

async function ingestions({ emulator, client, pushed, registry }) {
  // 1. The exchanged tokens.
  const tokens = await authorise(emulator, client)
  const [token] = tokens
  const { authAppId } = token
  assert.deepEqual(await registry.ingestTokens(tokens), ['applied'])
  let record = await registry.get(authAppId)
  assert.ok(record instanceof MerchantAuthorisation)
  assert.equal(record.authAppId, authAppId)
  assert.equal(record.merchantPid, token.userId)
  assert.equal(record.appAuthToken, token.appAuthToken)
  assert.equal(record.appRefreshToken, token.appRefreshToken)
  assert.equal(record.status, 'active')
  assert.equal(record.active, true)
  assert.equal(record.revokedAtMs, null)
  assert.deepEqual(record.grantedMethods, [])
  assert.equal(record.refreshLease, null)
  assert.ok(record.version >= 1)
  const expectedExpiry = record.tokenIssuedAtMs + token.expiresIn * 1000
  assert.equal(record.expiresAtMs, expectedExpiry)
  assert.ok(record.refreshExpiresAtMs > record.expiresAtMs)
  assert.ok(Math.abs(record.authorisedAtMs - Date.now()) < 60_000)

  // 2. The app-auth push was made when the merchant agreed, before the exchange: stale; its retry a
  // duplicate.
  assert.equal(await emulator.waitForDeliveries(1, 10_000), true)
  const notice = pushed(APP_AUTH_NOTIFY)
  assert.equal(notice.kind, 'appAuth')
  assert.equal(notice.detail.authAppId, authAppId)
  const versionBefore = (await registry.get(authAppId)).version
  assert.equal(await registry.ingestNotification(notice), 'stale')
  assert.equal(await registry.ingestNotification(notice), 'duplicate')
  assert.equal((await registry.get(authAppId)).appAuthToken, token.appAuthToken)
  assert.equal((await registry.get(authAppId)).version, versionBefore)

  // 3. A token query: the granted APIs are stored; the same answer again changes nothing.
  assert.equal(await registry.tokenFor(authAppId), token.appAuthToken)
  assert.equal(registry.tokenForSync(authAppId), token.appAuthToken)
  assert.equal(await registry.tokenForMerchant(token.userId), token.appAuthToken)
  assert.equal(registry.tokenForMerchantSync(token.userId), token.appAuthToken)
  const info = await client.queryAppAuthToken(token.appAuthToken)
  assert.equal(await registry.ingestQuery(token.appAuthToken, info), 'applied')
  record = await registry.get(authAppId)
  assert.deepEqual(record.grantedMethods, info.authMethods)
  assert.ok(record.grantedMethods.length > 0)
  assert.equal(registry.ingestQuerySync(token.appAuthToken, info), 'stale')
  // A query about another token (not the stored one) is stale too.
  assert.equal(await registry.ingestQuery('an-older-token', { ...info, status: 'invalid' }), 'stale')
  assert.equal((await registry.get(authAppId)).status, 'active')

  // 4. Delegated calls through the registry (Promise, Sync, with a retry policy).
  const answer = await registry.executeFor(authAppId, VERSIONS, { bizContent: { bundle_id: 'com.alipay.alipaywallet' } })
  assert.equal(answer.fields.code, '10000')
  assert.equal(answer.fields.auth_app_id, authAppId)
  assert.equal(registry.executeForSync(authAppId, VERSIONS).fields.code, '10000')
  const retried = await registry.executeFor(authAppId, VERSIONS, { retry: { attempts: 2, idempotent: true } })
  assert.equal(retried.fields.code, '10000')
  const doubleToken = thrown(() => registry.executeForSync(authAppId, VERSIONS, { appAuthToken: 'x' }))
  assert.equal(doubleToken.code, 'ALIPAY_CONFIG_ERROR')

  // 5. A second merchant of the same registry, and lookups by PID.
  const [other] = await authorise(emulator, client)
  assert.deepEqual(await registry.ingestTokens([other]), ['applied'])
  assert.deepEqual((await registry.byMerchant(other.userId)).map((r) => r.authAppId), [other.authAppId])
  assert.deepEqual((await registry.byMerchant(token.userId)).map((r) => r.authAppId), [authAppId])
  assert.deepEqual(await registry.byMerchant('2088000000000000'), [])
  assert.equal(await registry.get('2021000000000000'), null)

  // 6. The merchant revokes at the emulator: the cancellation push applies, its retry is a duplicate.
  emulator.revoke(authAppId)
  assert.equal(await emulator.waitForDeliveries(3, 10_000), true)
  const cancelled = pushed(APP_AUTH_CANCELLED)
  assert.equal(cancelled.kind, 'message')
  assert.equal(cancelled.appAuthCancelled, true)
  assert.equal(await registry.ingestNotification(cancelled), 'applied')
  assert.equal(await registry.ingestNotification(cancelled), 'duplicate')
  record = await registry.get(authAppId)
  assert.equal(record.status, 'revoked')
  assert.equal(record.active, false)
  assert.ok(record.revokedAtMs > 0)
  assert.equal(record.appAuthToken, token.appAuthToken, 'a revoked record is kept, not deleted')
  // Replaying the old authorisation push cannot bring the merchant back.
  assert.equal(await registry.ingestNotification(notice), 'duplicate')
  assert.equal(await registry.ingestNotification({ ...notice, notifyId: `${notice.notifyId}-again` }), 'stale')
  assert.equal((await registry.get(authAppId)).status, 'revoked')

  // 7. A revoked merchant: ALIPAY_STORE_ERROR naming it, and no call reaches the gateway.
  const callsBefore = emulator.totalCalls
  const refused = [
    [await rejection(registry.tokenFor(authAppId)), authAppId],
    [thrown(() => registry.tokenForSync(authAppId)), authAppId],
    [await rejection(registry.executeFor(authAppId, VERSIONS)), authAppId],
    [thrown(() => registry.executeForSync(authAppId, VERSIONS)), authAppId],
    // By PID: the merchant has no active authorisation left (the reason names the PID).
    [await rejection(registry.tokenForMerchant(token.userId)), token.userId],
  ]
  for (const [error, named] of refused) {
    assert.equal(error.code, 'ALIPAY_STORE_ERROR')
    assert.equal(error.kind, 'store')
    assert.ok(error.reason.includes(named), error.reason)
    assert.ok(!error.message.includes(token.appAuthToken))
  }
  assert.equal(emulator.totalCalls, callsBefore, 'no call may reach the gateway')

  // 8. A late cancellation (sent before the other merchant authorised, arriving now under a new
  // notify_id: a hand-made copy of the verified push) is stale and leaves it active.
  const otherRecord = await registry.get(other.authAppId)
  const late = {
    ...cancelled,
    notifyId: 'late-cancellation',
    msgAppId: other.authAppId,
    utcTimestamp: String(otherRecord.authorisedAtMs - 60_000),
  }
  assert.equal(await registry.ingestNotification(late), 'stale')
  assert.equal((await registry.get(other.authAppId)).status, 'active')
  assert.equal(await registry.tokenFor(other.authAppId), other.appAuthToken)

  // 9. A local revoke; revoking an unknown app is a store error.
  assert.equal((await registry.revoke(other.authAppId)).status, 'revoked')
  const unknown = await rejection(registry.revoke('2021999999999999'))
  assert.equal(unknown.code, 'ALIPAY_STORE_ERROR')
  assert.ok(unknown.reason.includes('2021999999999999'))
  assert.equal(thrown(() => registry.revokeSync('2021999999999999')).code, 'ALIPAY_STORE_ERROR')
  const missing = await rejection(registry.tokenFor('2021999999999999'))
  assert.equal(missing.code, 'ALIPAY_STORE_ERROR')
  assert.ok(missing.reason.includes('2021999999999999'))
}

eachStore('notifications about no stored merchant are ignored', (store) =>
  withPushes(async ({ emulator, client, pushed }) => {
    // A merchant authorises (the app-auth push), then revokes (the cancellation push).
    const [token] = await authorise(emulator, client)
    assert.equal(await emulator.waitForDeliveries(1, 10_000), true)
    emulator.revoke(token.authAppId)
    assert.equal(await emulator.waitForDeliveries(2, 10_000), true)
    const fresh = Registry.open(freshLocation(store, temp.dir))
    try {
      const cancelled = pushed(APP_AUTH_CANCELLED)
      assert.equal(await fresh.ingestNotification(cancelled), 'ignored')
      assert.equal(await fresh.ingestNotification({ kind: 'other', params: { trade_status: 'TRADE_SUCCESS' } }), 'ignored')
      assert.equal(await fresh.ingestQuery('token', { authAppId: '2021000000000009', status: 'valid', authMethods: [] }), 'ignored')
      assert.deepEqual(await fresh.list(), [])
      // A new merchant's push on its own (no exchange yet) is applied, then a duplicate.
      const notice = pushed(APP_AUTH_NOTIFY)
      assert.equal(await fresh.ingestNotification(notice), 'applied')
      assert.equal(await fresh.ingestNotification(notice), 'duplicate')
      assert.equal((await fresh.get(notice.detail.authAppId)).appAuthToken, notice.detail.appAuthToken)
      assert.equal((await fresh.get(notice.detail.authAppId)).appAuthToken, token.appAuthToken)
      assert.deepEqual((await fresh.list()).map((record) => record.authAppId), [token.authAppId])
    } finally {
      fresh.close()
    }
  }),
)

eachStore(
  'a service-market order message is stored as an order, no authorisation (the token comes with the plugin authorisation)',
  async (store) => {
    const fresh = Registry.open(freshLocation(store, temp.dir))
    try {
      await serviceMarketOrders(fresh)
    } finally {
      fresh.close()
    }
  },
  [...STORES, 'memory'],
)

async function serviceMarketOrders(fresh) {
  const orders = loadVectors('real_notifications.json').cases.filter((vector) => vector.kind === 'servicemarket_order')
  assert.ok(orders.length >= 2)
  for (const vector of orders) {
    const order = new NotificationVerifier(readKey(vector.alipay_public_key)).verifyBody(vector.body)
    assert.equal(order.kind, 'serviceMarketOrder')
    assert.equal(await fresh.ingestNotification(order), 'applied')
    // A copy (spread, or through JSON) reads back the same: the same message, a duplicate.
    assert.equal(await fresh.ingestNotification({ ...order }), 'duplicate')
    assert.equal(fresh.ingestNotificationSync(JSON.parse(JSON.stringify(order))), 'duplicate')
    const stored = await fresh.order(order.commodityOrderId)
    assert.equal(stored.merchantPid, order.merchantPid)
    assert.equal(stored.notifyId, order.notifyId)
    assert.equal(stored.status, 'MERCHANT_ORDED')
    assert.equal(stored.version, 1)
    assert.deepEqual(stored.params, order.params)
  }
  assert.deepEqual(await fresh.list(), [])
  assert.equal((await fresh.orders()).length, orders.length)
  const order = { kind: 'serviceMarketOrder', notifyId: 'n', commodityOrderId: 'o', merchantPid: '2088', phone: '17800000000' }
  assert.equal(await fresh.ingestNotification(order), 'applied')
  assert.equal((await fresh.order('o')).phone, '17800000000')
  assert.deepEqual((await fresh.order('o')).params, {})
  // Params read back from an object (by name).
  assert.equal(await fresh.ingestNotification({ ...order, notifyId: 'n2', commodityOrderId: 'o2', params: { b: '2', a: '1' } }), 'applied')
  assert.deepEqual((await fresh.order('o2')).params, { a: '1', b: '2' })
  for (const bad of [
    { ...order, params: { a: 1 } },
    { ...order, params: 'a=1' },
    { ...order, commodityOrderId: undefined },
    { ...order, merchantPid: null },
    { ...order, notifyId: 1 },
    { ...order, orderItemNum: 1.5 },
    { ...order, periodDay: -1 },
    { ...order, phone: 17800000000 },
  ]) {
    // Read on the calling thread: the async form throws at once, as its twin does.
    for (const ingest of [() => fresh.ingestNotification(bad), () => fresh.ingestNotificationSync(bad)]) {
      const error = thrown(ingest)
      assert.equal(error.code, 'ALIPAY_CONFIG_ERROR', JSON.stringify(bad))
      assert.ok(!`${error.message} ${error.reason}`.includes('17800000000'), error.message)
    }
  }
  // Nothing of the refused objects was stored.
  assert.equal((await fresh.orders()).length, orders.length + 2)
}

eachStore(
  'a plugin authorisation read back from an object keeps its trigger, plugin and agent app',
  async (store) => {
    const fresh = Registry.open(freshLocation(store, temp.dir))
    try {
      await pluginAuthorisation(fresh)
    } finally {
      fresh.close()
    }
  },
  [...STORES, 'memory'],
)

async function pluginAuthorisation(fresh) {
  const notice = {
    kind: 'appAuth',
    notifyId: 'n-plugin',
    trigger: 'appstore',
    pluginAuthorisation: true,
    detail: {
      appAuthToken: '202611BBplugin000000000000000000001',
      authAppId: '2021002123650074',
      authorisedAppId: '2021003100000042',
      agentAppId: '2021000000000001',
      expiresIn: 31536000,
    },
  }
  assert.equal(await fresh.ingestNotification(notice), 'applied')
  const record = await fresh.get('2021002123650074')
  assert.equal(record.appAuthToken, notice.detail.appAuthToken)
  // Stored under the plugin the merchant authorised.
  assert.equal(record.appId, '2021003100000042')
  assert.equal((await fresh.getForApp('2021003100000042', '2021002123650074')).version, record.version)
  assert.equal(fresh.getForAppSync('2021003100000042', '2021002123650074').version, record.version)
  assert.equal(fresh.getSync('2021002123650074').version, record.version)
  assert.equal(await fresh.ingestNotification(notice), 'duplicate')
  for (const bad of [{ ...notice, trigger: 1 }, { ...notice, detail: { ...notice.detail, agentAppId: 2021 } }]) {
    assert.equal(thrown(() => fresh.ingestNotification(bad)).code, 'ALIPAY_CONFIG_ERROR')
  }
}

test('objects that are not notifications or query results are refused', () => {
  const fresh = Registry.inMemory()
  for (const bad of [{}, { kind: 'appAuth' }, { kind: 'nope' }, { kind: 'message' }, 'text']) {
    assert.equal(thrown(() => fresh.ingestNotification(bad)).code, 'ALIPAY_CONFIG_ERROR')
  }
  const badDetail = { kind: 'appAuth', notifyId: 'n', detail: { authAppId: 1, appAuthToken: 'secret-token' } }
  const error = thrown(() => fresh.ingestNotification(badDetail))
  assert.equal(error.code, 'ALIPAY_CONFIG_ERROR')
  assert.ok(!error.message.includes('secret-token'))
  assert.equal(thrown(() => fresh.ingestQuery('t', { authMethods: 'x' })).code, 'ALIPAY_CONFIG_ERROR')
  assert.equal(thrown(() => fresh.ingestQuery('t', { expiresIn: 1.5 })).code, 'ALIPAY_CONFIG_ERROR')
  assert.equal(thrown(() => fresh.ingestQuerySync('t', { expiresIn: 1.5 })).code, 'ALIPAY_CONFIG_ERROR')
  assert.equal(thrown(() => fresh.ingestNotificationSync({ kind: 'nope' })).code, 'ALIPAY_CONFIG_ERROR')
  assert.deepEqual(fresh.listSync(), [])
})
