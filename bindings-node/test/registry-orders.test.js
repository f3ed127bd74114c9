'use strict'
// Mirrors core/src/registry/order.rs and orders.rs, and the registry's app keys (schema 3), through the
// built binding, on each store (a SQLite file, a PostgreSQL database, a MySQL database; each test its
// own): service-market orders stored from their order messages (the emulator's pushes,
// verified and ingested), linked to the plugin authorisation, walked through the registry's order
// calls (accept, complete, confirm with the merchant's stored token; reject; cancel; a query that
// brings the stored order up to date) with every step in the history; unknown orders and missing
// authorisations refused before any call; the `…Sync` twins (of the calls and the reads); argument
// errors; a closed registry; the contact person and phone masked in every string form. App keys: one
// registry with the clients of two apps (two emulators, one per app), the same merchant app authorising
// both kept as two records, `getForApp`, `defaultAppId`, `tokenForApp` refreshing through the right
// app's client, and `get` refusing to choose between two apps that are not the default. The masking of
// an order's string forms is checked in memory.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')

const {
  Registry,
  Client,
  IsvConfig,
  Emulator,
  OrderRecord,
  ORDER_PLACED,
  ORDER_ACCEPTED,
  ORDER_REJECTED,
  ITEM_TO_CONFIRM,
  ITEM_DONE,
  ITEM_CANCELLED,
  SERVICEMARKET_ORDER_ACCEPT_METHOD,
  SERVICEMARKET_ORDER_QUERY_METHOD,
  SERVICEMARKET_ORDER_ITEM_CONFIRM_METHOD,
} = require('..')
const { APP_ID, APP_PRIVATE_KEY, APP_PUBLIC_KEY, startEmulator, startAppGateway, rejection, thrown } = require('./flow-helpers')
const { TOKEN_METHOD, VERSIONS, tempDir, freshLocation, eachStore } = require('./registry-helpers')

const UNKNOWN_ORDER = '201901010000000000000000'

let temp

before(() => {
  temp = tempDir()
})

after(() => {
  temp.remove()
})

/**
 * An emulator pushing to a verifying gateway, a registry on a fresh `store` with its client (and the
 * registry's `location`), and `run` over them.
 */
async function withOrders(store, run, options = {}) {
  const started = startEmulator(options)
  const gateway = await startAppGateway(started.config)
  started.emulator.setNotifyUrl(gateway.url)
  const location = freshLocation(store, temp.dir, 'orders.db')
  const registry = Registry.open(location, { client: started.client })
  try {
    await run({ ...started, gateway, registry, location })
  } finally {
    started.emulator.stop()
    registry.close()
    await gateway.close()
  }
}

/** A subscription, its two pushes verified and ingested into `registry`. */
async function subscribed(emulator, gateway, registry, options = {}) {
  const before = emulator.deliveries().length
  const subscription = emulator.subscribe(options)
  assert.equal(await emulator.waitForDeliveries(before + 2, 10_000), true)
  assert.deepEqual(gateway.rejected, [])
  const ingested = []
  for (const notification of gateway.received.slice(before)) ingested.push(await registry.ingestNotification(notification))
  assert.deepEqual(ingested, ['applied', 'applied'])
  return subscription
}

eachStore('an order from the emulator is stored, linked to its authorisation and walked to DONE through the registry', async (store) => {
  await withOrders(store, async ({ emulator, gateway, registry, client }) => {
    const subscription = await subscribed(emulator, gateway, registry)
    const id = subscription.commodityOrderId
    const target = { miniAppId: subscription.authAppId }

    const order = await registry.order(id)
    assert.ok(order instanceof OrderRecord)
    assert.equal(order.commodityOrderId, id)
    assert.equal(order.appId, APP_ID)
    assert.equal(order.merchantPid, subscription.merchantPid)
    assert.equal(order.consumerMiniAppId, subscription.authAppId)
    assert.equal(order.title, '插件订购')
    assert.equal(order.totalPrice, '0.00')
    assert.equal(order.merchantName, '杭州测试科技有限公司')
    assert.match(order.orderTime, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
    assert.equal(order.status, ORDER_PLACED)
    assert.equal(ORDER_PLACED, 'MERCHANT_ORDED')
    assert.equal(order.version, 1)
    assert.deepEqual(order.items, [])
    assert.equal(order.itemStatus(target), null)
    const message = gateway.received.find((n) => n.kind === 'serviceMarketOrder')
    assert.equal(order.notifyId, message.notifyId)
    assert.equal(order.contactor, message.contactor)
    assert.equal(order.phone, message.phone)
    assert.deepEqual(order.params, message.params)
    assert.equal(typeof order.notifiedAtMs, 'number')
    assert.ok(order.createdAtMs > 0 && order.updatedAtMs >= order.createdAtMs)
    assert.deepEqual(order.history, [{ status: ORDER_PLACED, item: null, source: 'notification', atMs: order.notifiedAtMs }])
    assert.deepEqual((await registry.orders()).map((o) => o.commodityOrderId), [id])

    // The plugin authorisation the order goes with: the merchant's mini program, to our app.
    const authorisation = await registry.orderAuthorisation(id)
    assert.equal(authorisation.authAppId, subscription.authAppId)
    assert.equal(authorisation.appId, APP_ID)
    assert.equal(authorisation.merchantPid, subscription.merchantPid)

    const accepted = await registry.acceptOrder(id)
    assert.ok(accepted instanceof OrderRecord)
    assert.equal(accepted.status, ORDER_ACCEPTED)
    assert.equal(accepted.version, 2)
    assert.equal(emulator.callCount(SERVICEMARKET_ORDER_ACCEPT_METHOD), 1)
    // What the gateway says agrees.
    assert.equal((await client.queryServicemarketOrder(id)).status, 'ISV_ACCEPTED')

    const completed = await registry.completeOrderItem(id, target)
    assert.deepEqual(completed.items, [{ miniAppId: subscription.authAppId, shopId: null, status: ITEM_TO_CONFIRM }])
    assert.equal(completed.itemStatus(target), ITEM_TO_CONFIRM)
    // Confirmed on the merchant's behalf with its stored token (the emulator refuses it without one).
    const confirmed = await registry.confirmOrderItem(id, target)
    assert.equal(confirmed.itemStatus(target), ITEM_DONE)
    assert.equal(emulator.callCount(SERVICEMARKET_ORDER_ITEM_CONFIRM_METHOD), 1)
    assert.deepEqual(
      confirmed.history.map((change) => [change.status, change.item, change.source]),
      [
        [ORDER_PLACED, null, 'notification'],
        [ORDER_ACCEPTED, null, 'accept'],
        [ITEM_TO_CONFIRM, subscription.authAppId, 'item.complete'],
        [ITEM_DONE, subscription.authAppId, 'item.confirm'],
      ],
    )
    for (let i = 1; i < confirmed.history.length; i++) assert.ok(confirmed.history[i].atMs >= confirmed.history[i - 1].atMs)
    assert.equal(confirmed.version, 4)
    // The stored order is the one returned.
    assert.equal(String(await registry.order(id)), String(confirmed))

    // A query agreeing with the stored order changes nothing.
    const queries = emulator.callCount(SERVICEMARKET_ORDER_QUERY_METHOD)
    const refreshed = await registry.refreshOrder(id)
    assert.equal(emulator.callCount(SERVICEMARKET_ORDER_QUERY_METHOD), queries + 1)
    assert.equal(refreshed.version, 4)
    assert.equal(refreshed.history.length, 4)
    assert.equal(refreshed.status, 'ISV_ACCEPTED')

    // A second acceptance is Alipay's error, and nothing is recorded.
    const again = await rejection(registry.acceptOrder(id))
    assert.equal(again.code, 'ALIPAY_API_ERROR')
    assert.equal(again.subCode, 'COMMODITY_ORDER_STATUS_INVALID')
    assert.equal((await registry.order(id)).version, 4)
  })
})

eachStore('a query records what changed elsewhere, each change with source query', async (store) => {
  await withOrders(store, async ({ emulator, gateway, registry, client }) => {
    const subscription = await subscribed(emulator, gateway, registry, { authorisationFirst: true })
    const id = subscription.commodityOrderId
    // Accepted and completed outside the registry (another process, the console).
    await client.acceptServicemarketOrder(id)
    await client.completeServicemarketOrderItem(id, { miniAppId: subscription.authAppId })
    assert.equal((await registry.order(id)).status, ORDER_PLACED)
    const refreshed = await registry.refreshOrder(id)
    assert.equal(refreshed.status, 'ISV_ACCEPTED')
    assert.equal(refreshed.itemStatus({ miniAppId: subscription.authAppId }), 'TO_CONFIRM')
    assert.deepEqual(
      refreshed.history.slice(1).map((change) => [change.status, change.item, change.source]),
      [
        ['ISV_ACCEPTED', null, 'query'],
        ['TO_CONFIRM', subscription.authAppId, 'query'],
      ],
    )
    assert.equal(refreshed.version, 2)
  })
})

eachStore('a rejected order, a cancelled item, and the …Sync twins', async (store) => {
  await withOrders(store, async ({ emulator, gateway, registry }) => {
    const rejected = await subscribed(emulator, gateway, registry)
    const order = await registry.rejectOrder(rejected.commodityOrderId, '暂不支持该地区服务')
    assert.equal(order.status, ORDER_REJECTED)
    assert.equal(ORDER_REJECTED, 'ISV_REJECTED')
    assert.deepEqual(order.history.at(-1), { ...order.history.at(-1), status: ORDER_REJECTED, item: null, source: 'reject' })
    // An empty reason is refused before any call; rejecting again is Alipay's error; neither records.
    assert.equal((await rejection(registry.rejectOrder(rejected.commodityOrderId, ''))).code, 'ALIPAY_CONFIG_ERROR')
    const twice = thrown(() => registry.rejectOrderSync(rejected.commodityOrderId, '再次拒绝'))
    assert.equal(twice.code, 'ALIPAY_API_ERROR')
    assert.equal(twice.subCode, 'COMMODITY_ORDER_STATUS_INVALID')
    assert.equal((await registry.order(rejected.commodityOrderId)).version, 2)

    const cancelled = await subscribed(emulator, gateway, registry)
    const id = cancelled.commodityOrderId
    const target = { miniAppId: cancelled.authAppId }
    // The blocking twins, on the JavaScript thread.
    assert.equal(registry.acceptOrderSync(id).status, ORDER_ACCEPTED)
    assert.equal(registry.orderSync(id).status, ORDER_ACCEPTED)
    const after = registry.cancelOrderItemSync(id, target, '当前区域不支持实施')
    assert.equal(after.itemStatus(target), ITEM_CANCELLED)
    assert.equal(ITEM_CANCELLED, 'ISV_CANCELLED')
    assert.equal(after.history.at(-1).source, 'item.cancel')
    assert.equal(registry.refreshOrderSync(id).itemStatus(target), ITEM_CANCELLED)
    const error = thrown(() => registry.completeOrderItemSync(id, target))
    assert.equal(error.code, 'ALIPAY_API_ERROR')
    assert.equal(error.subCode, 'ITEM_STATUS_NOT_ALLOW')
    assert.equal(thrown(() => registry.confirmOrderItemSync(id, target)).code, 'ALIPAY_API_ERROR')
    assert.deepEqual((await registry.orders()).map((o) => o.commodityOrderId).sort(), [rejected.commodityOrderId, id].sort())
    assert.deepEqual(registry.ordersSync().map(String), (await registry.orders()).map(String))
    assert.equal(registry.orderAuthorisationSync(id).authAppId, cancelled.authAppId)
  })
})

eachStore('unknown orders, missing authorisations and bad items are refused before any call', async (store) => {
  await withOrders(store, async ({ emulator, registry }) => {
    assert.equal(await registry.order(UNKNOWN_ORDER), null)
    const store = (error) => {
      assert.equal(error.code, 'ALIPAY_STORE_ERROR', error.message)
      assert.ok(error.reason.includes(UNKNOWN_ORDER), error.reason)
    }
    store(await rejection(registry.orderAuthorisation(UNKNOWN_ORDER)))
    store(thrown(() => registry.orderAuthorisationSync(UNKNOWN_ORDER)))
    assert.equal(registry.orderSync(UNKNOWN_ORDER), null)
    for (const call of [
      () => registry.acceptOrder(UNKNOWN_ORDER),
      () => registry.rejectOrder(UNKNOWN_ORDER, '暂不支持'),
      () => registry.completeOrderItem(UNKNOWN_ORDER, { miniAppId: '2021000000000201' }),
      () => registry.confirmOrderItem(UNKNOWN_ORDER, { shopId: '2015000000000001' }),
      () => registry.cancelOrderItem(UNKNOWN_ORDER, { miniAppId: '2021000000000201' }, '不再需要'),
      () => registry.refreshOrder(UNKNOWN_ORDER),
    ]) {
      store(await rejection(call()))
    }
    store(thrown(() => registry.acceptOrderSync(UNKNOWN_ORDER)))

    // An order whose merchant never authorised us: stored, without an authorisation; confirming on
    // the merchant's behalf is refused (no token), before any call.
    const lonely = {
      kind: 'serviceMarketOrder',
      notifyId: 'n-lonely',
      notifyTime: '2026-12-07 10:00:00',
      appId: APP_ID,
      commodityOrderId: '202612070000000000000099',
      merchantPid: '2088000000000099',
      consumerMiniAppId: '2021000000000199',
      contactor: '李四',
      phone: '13900000099',
    }
    assert.equal(await registry.ingestNotification(lonely), 'applied')
    assert.equal(await registry.orderAuthorisation(lonely.commodityOrderId), null)
    const confirm = await rejection(registry.confirmOrderItem(lonely.commodityOrderId, { miniAppId: lonely.consumerMiniAppId }))
    assert.equal(confirm.code, 'ALIPAY_STORE_ERROR')
    assert.match(confirm.reason, /no authorisation of merchant 2088000000000099/)
    assert.ok(!confirm.message.includes('13900000099'))

    // An item that is not exactly one of miniAppId / shopId rejects with a configuration error.
    for (const item of [{}, { miniAppId: 'a', shopId: 'b' }, 'x', null, { miniAppId: 7 }]) {
      assert.equal((await rejection(registry.completeOrderItem(lonely.commodityOrderId, item))).code, 'ALIPAY_CONFIG_ERROR')
      assert.equal(thrown(() => registry.completeOrderItemSync(lonely.commodityOrderId, item)).code, 'ALIPAY_CONFIG_ERROR')
      assert.equal(thrown(() => registry.orderSync(lonely.commodityOrderId).itemStatus(item)).code, 'ALIPAY_CONFIG_ERROR')
    }
    assert.equal(emulator.totalCalls, 0)

    // A registry without a client stores orders but cannot call.
    const bare = Registry.inMemory()
    assert.equal(await bare.ingestNotification(lonely), 'applied')
    assert.equal((await rejection(bare.acceptOrder(lonely.commodityOrderId))).code, 'ALIPAY_CONFIG_ERROR')
    // A closed registry refuses every order method.
    bare.close()
    for (const call of [
      () => bare.order(lonely.commodityOrderId),
      () => bare.orderSync(lonely.commodityOrderId),
      () => bare.orders(),
      () => bare.ordersSync(),
      () => bare.orderAuthorisation(lonely.commodityOrderId),
      () => bare.orderAuthorisationSync(lonely.commodityOrderId),
      () => bare.acceptOrder(lonely.commodityOrderId),
      () => bare.refreshOrderSync(lonely.commodityOrderId),
      () => bare.getForApp(APP_ID, '2021'),
      () => bare.tokenForApp(APP_ID, '2021'),
    ]) {
      assert.equal(thrown(call).code, 'ALIPAY_CONFIG_ERROR')
    }
    assert.equal(emulator.totalCalls, 0)
  })
})

test('an order record shows the contact person and phone by their length only', async () => {
  const registry = Registry.inMemory()
  const contactor = '欧阳娜娜'
  const phone = '13812345678'
  await registry.ingestNotification({
    kind: 'serviceMarketOrder',
    notifyId: 'n-masked',
    commodityOrderId: '202612070000000000000007',
    merchantPid: '2088000000000007',
    contactor,
    phone,
    params: { commodity_order_id: '202612070000000000000007', contactor, phone, title: '插件' },
  })
  const order = await registry.order('202612070000000000000007')
  for (const text of [String(order), util.inspect(order), `${order}`, util.inspect(await registry.orders()), JSON.stringify(order)]) {
    assert.ok(!text.includes(contactor), text)
    assert.ok(!text.includes(phone), text)
    assert.ok(!text.includes('1381234'), text)
  }
  assert.match(String(order), /contactor: Some\("…\(4 chars\)"\)/)
  assert.match(String(order), /phone: Some\("…\(11 chars\)"\)/)
  assert.match(String(order), /"contactor=…\(4 chars\)"/)
  assert.match(String(order), /commodity_order_id: "202612070000000000000007"/)
  assert.equal(util.inspect(order), String(order))
  assert.equal(JSON.stringify(order), '{}')
  // The getters do give them (personal data: used, never logged).
  assert.equal(order.contactor, contactor)
  assert.equal(order.phone, phone)
  assert.equal(order.params.phone, phone)
})

eachStore('orders persist after closing and reopening, with their history; OrderRecord has no public constructor', async (store) => {
  await withOrders(store, async ({ emulator, gateway, registry, location }) => {
    const before = emulator.deliveries().length
    const subscription = emulator.subscribe()
    assert.equal(await emulator.waitForDeliveries(before + 2, 10_000), true)
    for (const notification of gateway.received) await registry.ingestNotification(notification)
    const accepted = await registry.acceptOrder(subscription.commodityOrderId)
    registry.close()
    const reopened = Registry.open(location)
    try {
      const order = await reopened.order(subscription.commodityOrderId)
      assert.equal(String(order), String(accepted))
      assert.deepEqual(order.history, accepted.history)
      assert.equal(order.version, 2)
      assert.equal((await reopened.orderAuthorisation(subscription.commodityOrderId)).authAppId, subscription.authAppId)
      assert.deepEqual((await reopened.orders()).map((o) => o.commodityOrderId), [subscription.commodityOrderId])
      // The journal survives too: the pushes again are duplicates.
      for (const notification of gateway.received) assert.equal(await reopened.ingestNotification(notification), 'duplicate')
      if (store === 'sqlite') assert.equal(await reopened.integrityCheck(), 'ok')
    } finally {
      reopened.close()
    }
  })
  assert.ok(thrown(() => new OrderRecord()) instanceof Error)
})

/** A configuration, a client and an emulator for the app `appId`. */
function appAt(appId, options = {}) {
  const emulator = Emulator.start({ appId, appPublicKey: APP_PUBLIC_KEY, ...options })
  const config = new IsvConfig({ appId, privateKey: APP_PRIVATE_KEY, alipayPublicKey: emulator.alipayPublicKey, gateway: emulator.gatewayUrl })
  return { emulator, config, client: new Client(config, { connectTimeoutMs: 2000, readTimeoutMs: 5000 }) }
}

eachStore('one registry, two apps: one merchant app authorising both is two records, each refreshed through its app', async (store) => {
  const PLUGIN = '2021000000000077'
  // Tokens live an hour; the registry refreshes two hours ahead: every tokenFor refreshes.
  const first = appAt(APP_ID, { appAuthTokenTtlMs: 3_600_000 })
  const second = appAt(PLUGIN, { appAuthTokenTtlMs: 3_600_000 })
  const gateways = [await startAppGateway(first.config), await startAppGateway(second.config)]
  first.emulator.setNotifyUrl(gateways[0].url)
  second.emulator.setNotifyUrl(gateways[1].url)
  const registry = Registry.open(freshLocation(store, temp.dir, 'apps.db'), {
    client: first.client,
    clients: [second.client],
    refreshMarginMs: 7_200_000,
  })
  try {
    assert.equal(registry.defaultAppId, APP_ID)
    assert.match(String(registry), new RegExp(`, clients ${APP_ID} \\(default\\), ${PLUGIN}, refresh margin 7200 s\\)$`))
    assert.match(
      String(Registry.inMemory({ client: first.client, clients: [second.client] })),
      new RegExp(`^Registry\\(in memory, clients ${APP_ID} \\(default\\), ${PLUGIN}, refresh margin 600 s\\)$`),
    )
    assert.equal(Registry.inMemory({ clients: [second.client] }).defaultAppId, PLUGIN)
    assert.equal(Registry.inMemory().defaultAppId, '')
    // A second client of the same app replaces the first: one app.
    assert.match(String(Registry.inMemory({ client: first.client, clients: [first.client] })), /, client 2021000000000001, /)

    // The same merchant mini program orders both (each app's plugin authorisation and order).
    const merchantApp = '2021004200000001'
    first.emulator.subscribe({ authAppId: merchantApp, merchantPid: '2088000000000042' })
    second.emulator.subscribe({ authAppId: merchantApp, merchantPid: '2088000000000042' })
    for (const [{ emulator }, gateway] of [[first, gateways[0]], [second, gateways[1]]]) {
      assert.equal(await emulator.waitForDeliveries(2, 10_000), true)
      assert.deepEqual(gateway.rejected, [])
      for (const notification of gateway.received) assert.equal(await registry.ingestNotification(notification), 'applied')
    }
    const mine = await registry.getForApp(APP_ID, merchantApp)
    const plugin = await registry.getForApp(PLUGIN, merchantApp)
    assert.equal(mine.appId, APP_ID)
    assert.equal(plugin.appId, PLUGIN)
    assert.notEqual(mine.appAuthToken, plugin.appAuthToken)
    assert.equal((await registry.list()).length, 2)
    assert.equal((await registry.byMerchant('2088000000000042')).length, 2)
    assert.equal(await registry.getForApp('2021000000000999', merchantApp), null)
    // By authAppId alone: the default app's.
    assert.equal((await registry.get(merchantApp)).appId, APP_ID)
    // Each order goes with its app's authorisation.
    const orders = await registry.orders()
    assert.equal(orders.length, 2)
    for (const order of orders) assert.equal((await registry.orderAuthorisation(order.commodityOrderId)).appId, order.appId)

    // Each token is refreshed through its own app's client, at its own gateway.
    const refreshes = () => [first.emulator.callCount(TOKEN_METHOD), second.emulator.callCount(TOKEN_METHOD)]
    assert.deepEqual(refreshes(), [0, 0])
    const pluginToken = await registry.tokenForApp(PLUGIN, merchantApp)
    assert.deepEqual(refreshes(), [0, 1])
    assert.notEqual(pluginToken, plugin.appAuthToken)
    assert.equal((await registry.getForApp(PLUGIN, merchantApp)).appAuthToken, pluginToken)
    assert.equal((await registry.getForApp(APP_ID, merchantApp)).appAuthToken, mine.appAuthToken)
    const myToken = registry.tokenForAppSync(APP_ID, merchantApp)
    assert.deepEqual(refreshes(), [1, 1])
    assert.notEqual(myToken, mine.appAuthToken)
    // A delegated call by authAppId alone goes through the default app, at its gateway.
    const calls = [first.emulator.callCount(VERSIONS), second.emulator.callCount(VERSIONS)]
    await registry.executeFor(merchantApp, VERSIONS, { bizContent: { bundle_id: 'com.alipay.alipaywallet' } })
    assert.deepEqual([first.emulator.callCount(VERSIONS), second.emulator.callCount(VERSIONS)], [calls[0] + 1, calls[1]])
    // Orders are called through the client of the app that received them.
    const pluginOrder = orders.find((order) => order.appId === PLUGIN)
    await registry.acceptOrder(pluginOrder.commodityOrderId)
    assert.deepEqual(
      [first.emulator.callCount(SERVICEMARKET_ORDER_ACCEPT_METHOD), second.emulator.callCount(SERVICEMARKET_ORDER_ACCEPT_METHOD)],
      [0, 1],
    )

    // Without the plugin's client, its due token is not refreshed (the core serves the stored token
    // until it expires): no call reaches either gateway.
    const alone = Registry.inMemory({ client: first.client, refreshMarginMs: 7_200_000 })
    for (const notification of gateways[1].received) await alone.ingestNotification(notification)
    const before = refreshes()
    assert.equal(await alone.tokenForApp(PLUGIN, merchantApp), plugin.appAuthToken)
    assert.deepEqual(refreshes(), before)
    // When none of the merchant app's records is the default app's, asking by authAppId alone is
    // refused: name the app.
    const thirdApp = '2021000000000078'
    const third = new Client(new IsvConfig({ appId: thirdApp, privateKey: APP_PRIVATE_KEY, alipayPublicKey: first.emulator.alipayPublicKey }))
    const choose = Registry.inMemory({ client: third })
    assert.equal(choose.defaultAppId, thirdApp)
    for (const notification of [...gateways[0].received, ...gateways[1].received]) await choose.ingestNotification(notification)
    const ambiguous = await rejection(choose.get(merchantApp))
    assert.equal(thrown(() => choose.getSync(merchantApp)).code, 'ALIPAY_STORE_ERROR')
    assert.equal(ambiguous.code, 'ALIPAY_STORE_ERROR')
    assert.ok(ambiguous.reason.includes(PLUGIN) && ambiguous.reason.includes(APP_ID), ambiguous.reason)
    assert.equal((await rejection(choose.tokenFor(merchantApp))).code, 'ALIPAY_STORE_ERROR')
    assert.equal((await choose.getForApp(PLUGIN, merchantApp)).appId, PLUGIN)
    assert.equal((await choose.getForApp(APP_ID, merchantApp)).appId, APP_ID)
  } finally {
    registry.close()
    first.emulator.stop()
    second.emulator.stop()
    await Promise.all(gateways.map((gateway) => gateway.close()))
  }
})
