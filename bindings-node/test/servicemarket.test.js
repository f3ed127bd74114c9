'use strict'
// Service-market orders (服务市场订单) against the emulator on loopback, through the built binding: a
// merchant orders the plugin (`emulator.subscribe`), the order message and the plugin authorisation
// arrive at a node:http application gateway and verify typed, and the ISV walks the order through the
// client's order calls — query (one page, every page), accept, complete, confirm on the merchant's
// behalf with the plugin authorisation's token — with Alipay's sub-codes and hints for every wrong
// state, the reject and cancel flows, an unknown order, the emulator's "unknown to the query" fault,
// the `…Sync` twins, argument errors, and the order push retried until the gateway acknowledges it.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')

const {
  APP_AUTH_NOTIFY,
  SERVICEMARKET_ORDER_NOTIFY,
  SERVICEMARKET_ORDER_QUERY_METHOD,
  SERVICEMARKET_ORDER_ACCEPT_METHOD,
  SERVICEMARKET_ORDER_REJECT_METHOD,
  SERVICEMARKET_ORDER_ITEM_COMPLETE_METHOD,
  SERVICEMARKET_ORDER_ITEM_CONFIRM_METHOD,
  SERVICEMARKET_ORDER_ITEM_CANCEL_METHOD,
  SERVICEMARKET_ORDER_PAGE_SIZE,
  SUCCESS_ACK,
} = require('..')
const { APP_ID, startEmulator, startAppGateway, rejection, thrown } = require('./flow-helpers')

const UNKNOWN_ORDER = '201901010000000000000000'

/** Asserts an API error with this sub-code, signed, with a hint; returns it. */
function assertApiError(error, subCode) {
  assert.equal(error.code, 'ALIPAY_API_ERROR', `${error.code}: ${error.message}`)
  assert.equal(error.subCode, subCode, error.message)
  assert.equal(error.signed, true)
  return error
}

/** An emulator whose pushes go to a verifying application gateway; `run` gets both. */
async function withGateway(run, options = {}) {
  const started = startEmulator(options)
  const gateway = await startAppGateway(started.config)
  started.emulator.setNotifyUrl(gateway.url)
  try {
    await run({ ...started, gateway })
  } finally {
    started.emulator.stop()
    await gateway.close()
  }
}

/** Waits for a subscription's two pushes; returns the verified order message and plugin authorisation. */
async function pushesOf(emulator, gateway, subscription) {
  assert.equal(await emulator.waitForDeliveries(2, 10_000), true)
  assert.deepEqual(gateway.rejected, [])
  const order = gateway.received.find(
    (n) => n.kind === 'serviceMarketOrder' && n.commodityOrderId === subscription.commodityOrderId,
  )
  const plugin = gateway.received.find((n) => n.kind === 'appAuth' && n.detail.authAppId === subscription.authAppId)
  assert.ok(order, 'the order message arrived and verified')
  assert.ok(plugin, 'the plugin authorisation arrived and verified')
  return { order, plugin }
}

test('a subscription is pushed, verified typed, and walked to DONE', async () => {
  await withGateway(async ({ emulator, client, gateway }) => {
    const subscription = emulator.subscribe()
    assert.deepEqual(Object.keys(subscription).sort(), ['authAppId', 'commodityOrderId', 'merchantPid'])
    assert.match(subscription.commodityOrderId, /^\d{24}$/)
    assert.match(subscription.merchantPid, /^2088\d+$/)
    const id = subscription.commodityOrderId

    // The two pushes: the order message first, then the plugin authorisation, both acknowledged.
    const { order, plugin } = await pushesOf(emulator, gateway, subscription)
    assert.equal(gateway.received.length, 2)
    const deliveries = emulator.deliveries()
    assert.deepEqual(
      deliveries.map((d) => d.kind),
      [SERVICEMARKET_ORDER_NOTIFY, APP_AUTH_NOTIFY],
    )
    assert.equal(SERVICEMARKET_ORDER_NOTIFY, 'servicemarket_order_notify')
    for (const delivery of deliveries) {
      assert.equal(delivery.acknowledged, true)
      assert.equal(delivery.attempts, 1)
      assert.equal(delivery.authAppId, subscription.authAppId)
    }
    assert.equal(deliveries[0].notifyId, order.notifyId)
    assert.equal(deliveries[1].notifyId, plugin.notifyId)

    assert.equal(order.kind, 'serviceMarketOrder')
    assert.equal(order.commodityOrderId, id)
    assert.equal(order.merchantPid, subscription.merchantPid)
    assert.equal(order.consumerMiniAppId, subscription.authAppId)
    assert.equal(order.appId, APP_ID)
    assert.equal(order.orderItemNum, 1)
    assert.equal(order.totalPrice, '0.00')
    assert.equal(order.title, '插件订购')

    assert.equal(plugin.kind, 'appAuth')
    assert.equal(plugin.pluginAuthorisation, true)
    assert.equal(plugin.trigger, 'appstore')
    assert.equal(plugin.detail.authAppId, subscription.authAppId)
    assert.equal(plugin.detail.userId, subscription.merchantPid)
    assert.equal(plugin.detail.authorisedAppId, APP_ID)
    assert.equal(plugin.detail.agentAppId, APP_ID)
    const token = plugin.detail.appAuthToken
    assert.ok(token.length > 8)

    // The order as queried: awaiting the ISV, one item to do.
    const page = await client.queryServicemarketOrder(id)
    assert.equal(page.status, 'MERCHANT_ORDED')
    assert.equal(page.currentPage, 1)
    assert.equal(page.totalSize, 1)
    assert.equal(page.hasNext, false)
    assert.equal(page.autoUpgrade, false)
    assert.equal(page.specifications, '标准版')
    assert.match(page.commodityId, /^\d+$/)
    assert.equal(page.items.length, 1)
    const [item] = page.items
    assert.equal(item.orderStatus, 'TO_DO')
    assert.equal(item.miniAppId, subscription.authAppId)
    assert.equal(item.merchantPid, subscription.merchantPid)
    assert.equal(item.commodityId, page.commodityId)
    assert.equal(typeof item.merchantName, 'string')
    assert.equal(item.shopId, null)
    assert.equal(item.serviceExpireDate, null)
    assert.equal(item.fields.order_status, 'TO_DO')
    assert.equal(item.fields.mini_app_id, subscription.authAppId)
    assert.deepEqual(await client.queryServicemarketOrder(id, 1), page)
    assert.equal(emulator.callCount(SERVICEMARKET_ORDER_QUERY_METHOD), 2)
    const target = { miniAppId: subscription.authAppId }

    // Completing before accepting is a wrong item state.
    const early = assertApiError(
      await rejection(client.completeServicemarketOrderItem(id, target)),
      'ITEM_STATUS_NOT_ALLOW',
    )
    assert.equal(typeof early.hint, 'string')
    assert.ok(early.hint.length > 0)

    // Accepted once; a second acceptance and a late rejection are wrong order states.
    assert.equal(await client.acceptServicemarketOrder(id), undefined)
    const again = assertApiError(
      await rejection(client.acceptServicemarketOrder(id)),
      'COMMODITY_ORDER_STATUS_INVALID',
    )
    assert.match(again.hint, /query it/)
    assertApiError(
      await rejection(client.rejectServicemarketOrder(id, '暂不支持该地区服务')),
      'COMMODITY_ORDER_STATUS_INVALID',
    )
    const accepted = await client.queryServicemarketOrder(id)
    assert.equal(accepted.status, 'ISV_ACCEPTED')
    assert.equal(accepted.items[0].orderStatus, 'DOING')

    // Completed; confirming needs the merchant's token: the plugin authorisation's.
    assert.equal(await client.completeServicemarketOrderItem(id, target), undefined)
    assert.equal((await client.queryServicemarketOrder(id)).items[0].orderStatus, 'TO_CONFIRM')
    assertApiError(
      await rejection(client.confirmServicemarketOrderItem(id, target, '')),
      'isv.self-invoke-forbidden',
    )
    assert.equal(await client.confirmServicemarketOrderItem(id, target, token), undefined)

    // Every page: one, the item done.
    const before = emulator.callCount(SERVICEMARKET_ORDER_QUERY_METHOD)
    const pages = await client.servicemarketOrderPages(id)
    assert.equal(pages.length, 1)
    assert.equal(emulator.callCount(SERVICEMARKET_ORDER_QUERY_METHOD), before + 1)
    assert.equal(pages[0].status, 'ISV_ACCEPTED')
    assert.equal(pages[0].hasNext, false)
    assert.equal(pages[0].items[0].orderStatus, 'DONE')

    // A done item cannot be cancelled; an item the order does not hold is refused.
    assertApiError(
      await rejection(client.cancelServicemarketOrderItem(id, target, '不再需要')),
      'ITEM_STATUS_NOT_ALLOW',
    )
    assertApiError(
      await rejection(client.completeServicemarketOrderItem(id, { miniAppId: '2021000000009999' })),
      'COMMODITY_ORDER_ITEM_NOT_EXIST',
    )
    assertApiError(
      await rejection(client.completeServicemarketOrderItem(id, { shopId: '2015000000000001' })),
      'COMMODITY_ORDER_ITEM_NOT_EXIST',
    )
    for (const method of [
      SERVICEMARKET_ORDER_ACCEPT_METHOD,
      SERVICEMARKET_ORDER_REJECT_METHOD,
      SERVICEMARKET_ORDER_ITEM_COMPLETE_METHOD,
      SERVICEMARKET_ORDER_ITEM_CONFIRM_METHOD,
      SERVICEMARKET_ORDER_ITEM_CANCEL_METHOD,
    ]) {
      assert.ok(emulator.callCount(method) >= 1, method)
    }
    assert.equal(SERVICEMARKET_ORDER_PAGE_SIZE, 100)
    // No push beyond the two.
    assert.equal(emulator.deliveries().length, 2)
  })
})

test('an unknown order is ORDER_NOT_EXIST with a hint, for every call and for all pages', async () => {
  await withGateway(async ({ emulator, client }) => {
    for (const call of [
      () => client.queryServicemarketOrder(UNKNOWN_ORDER),
      () => client.servicemarketOrderPages(UNKNOWN_ORDER),
      () => client.acceptServicemarketOrder(UNKNOWN_ORDER),
      () => client.rejectServicemarketOrder(UNKNOWN_ORDER, '暂不支持'),
      () => client.completeServicemarketOrderItem(UNKNOWN_ORDER, { miniAppId: '2021000000000201' }),
      () => client.cancelServicemarketOrderItem(UNKNOWN_ORDER, { shopId: '2015000000000001' }, '不再需要'),
    ]) {
      const error = assertApiError(await rejection(call()), 'ORDER_NOT_EXIST')
      assert.equal(typeof error.hint, 'string')
      assert.ok(error.hint.length > 0)
      assert.equal(error.apiCode, '40004')
    }
    // All pages stopped at the first error: one query call for it.
    assert.equal(emulator.callCount(SERVICEMARKET_ORDER_QUERY_METHOD), 2)
  })
})

test('a rejected order rejects its items; a cancelled item stays cancelled', async () => {
  await withGateway(async ({ emulator, client }) => {
    const rejected = emulator.subscribe()
    assert.equal(await client.rejectServicemarketOrder(rejected.commodityOrderId, '暂不支持该地区服务'), undefined)
    const page = await client.queryServicemarketOrder(rejected.commodityOrderId)
    assert.equal(page.status, 'ISV_REJECTED')
    assert.equal(page.items[0].orderStatus, 'ISV_REJECTED')
    assertApiError(
      await rejection(client.acceptServicemarketOrder(rejected.commodityOrderId)),
      'COMMODITY_ORDER_STATUS_INVALID',
    )

    const cancelled = emulator.subscribe()
    const id = cancelled.commodityOrderId
    const target = { miniAppId: cancelled.authAppId }
    await client.acceptServicemarketOrder(id)
    assert.equal(await client.cancelServicemarketOrderItem(id, target, '当前区域不支持实施'), undefined)
    const [after] = await client.servicemarketOrderPages(id)
    assert.equal(after.status, 'ISV_ACCEPTED')
    assert.equal(after.items[0].orderStatus, 'ISV_CANCELLED')
    assertApiError(await rejection(client.completeServicemarketOrderItem(id, target)), 'ITEM_STATUS_NOT_ALLOW')
    assertApiError(
      await rejection(client.cancelServicemarketOrderItem(id, target, '再次取消')),
      'ITEM_STATUS_NOT_ALLOW',
    )

    // An item still to do may be cancelled before the order is accepted.
    const early = emulator.subscribe()
    await client.cancelServicemarketOrderItem(early.commodityOrderId, { miniAppId: early.authAppId }, '商家要求取消')
    assert.equal((await client.queryServicemarketOrder(early.commodityOrderId)).items[0].orderStatus, 'ISV_CANCELLED')
  })
})

test('the authorisation may come first, and an order may be unknown to the query', async () => {
  await withGateway(async ({ emulator, client, gateway }) => {
    const subscription = emulator.subscribe({ authorisationFirst: true, unknownToQuery: true, totalPrice: '9.90' })
    const { order, plugin } = await pushesOf(emulator, gateway, subscription)
    assert.deepEqual(
      emulator.deliveries().map((d) => d.kind),
      [APP_AUTH_NOTIFY, SERVICEMARKET_ORDER_NOTIFY],
    )
    assert.equal(order.totalPrice, '9.90')
    assert.equal(plugin.pluginAuthorisation, true)
    const id = subscription.commodityOrderId

    assertApiError(await rejection(client.queryServicemarketOrder(id)), 'ORDER_NOT_EXIST')
    assertApiError(await rejection(client.servicemarketOrderPages(id)), 'ORDER_NOT_EXIST')
    assert.equal(emulator.callCount(SERVICEMARKET_ORDER_QUERY_METHOD), 2)

    // The other calls know it; a priced item is confirmed by the merchant only.
    const target = { miniAppId: subscription.authAppId }
    await client.acceptServicemarketOrder(id)
    await client.completeServicemarketOrderItem(id, target)
    assertApiError(
      await rejection(client.confirmServicemarketOrderItem(id, target, plugin.detail.appAuthToken)),
      'CONFIRM_CHARGE_ITEM_NOT_ALLOW',
    )

    // Another merchant's token may not confirm.
    const other = emulator.subscribe()
    assert.equal(await emulator.waitForDeliveries(4, 10_000), true)
    const free = emulator.subscribe({ title: '门店插件', merchantPid: '2088000000000301', authAppId: '2021000000000301' })
    assert.deepEqual(free, {
      commodityOrderId: free.commodityOrderId,
      merchantPid: '2088000000000301',
      authAppId: '2021000000000301',
    })
    const freeTarget = { miniAppId: free.authAppId }
    await client.acceptServicemarketOrder(free.commodityOrderId)
    await client.completeServicemarketOrderItem(free.commodityOrderId, freeTarget)
    const otherToken = gateway.received.find((n) => n.kind === 'appAuth' && n.detail.authAppId === other.authAppId)
      .detail.appAuthToken
    assertApiError(
      await rejection(client.confirmServicemarketOrderItem(free.commodityOrderId, freeTarget, otherToken)),
      'NO_PERMISSION_COMFIRM_ORDERITEM',
    )
    assert.equal(await emulator.waitForDeliveries(6, 10_000), true)
    const freeOrder = gateway.received.find(
      (n) => n.kind === 'serviceMarketOrder' && n.commodityOrderId === free.commodityOrderId,
    )
    assert.equal(freeOrder.title, '门店插件')
    assert.equal(freeOrder.merchantPid, '2088000000000301')

    // A price that is not a number of yuan is refused, and nothing is pushed.
    const pushed = emulator.deliveries().length
    for (const totalPrice of ['free', '-1', 'NaN']) {
      const error = thrown(() => emulator.subscribe({ totalPrice }))
      assert.equal(error.code, 'ALIPAY_CONFIG_ERROR', totalPrice)
    }
    assert.equal(emulator.deliveries().length, pushed)
  })
})

test('the …Sync twins', async () => {
  await withGateway(async ({ emulator, client, gateway }) => {
    const subscription = emulator.subscribe({})
    const { plugin } = await pushesOf(emulator, gateway, subscription)
    const id = subscription.commodityOrderId
    const target = { miniAppId: subscription.authAppId }

    const page = client.queryServicemarketOrderSync(id)
    assert.equal(page.status, 'MERCHANT_ORDED')
    assert.equal(page.items[0].orderStatus, 'TO_DO')
    assert.deepEqual(client.queryServicemarketOrderSync(id, 1), page)
    assertApiError(thrown(() => client.completeServicemarketOrderItemSync(id, target)), 'ITEM_STATUS_NOT_ALLOW')
    assert.equal(client.acceptServicemarketOrderSync(id), undefined)
    assert.equal(client.completeServicemarketOrderItemSync(id, target), undefined)
    assert.equal(client.confirmServicemarketOrderItemSync(id, target, plugin.detail.appAuthToken), undefined)
    const pages = client.servicemarketOrderPagesSync(id)
    assert.equal(pages.length, 1)
    assert.equal(pages[0].items[0].orderStatus, 'DONE')
    assertApiError(thrown(() => client.servicemarketOrderPagesSync(UNKNOWN_ORDER)), 'ORDER_NOT_EXIST')

    const rejected = emulator.subscribe()
    assert.equal(client.rejectServicemarketOrderSync(rejected.commodityOrderId, '暂不支持'), undefined)
    assert.equal(client.queryServicemarketOrderSync(rejected.commodityOrderId).status, 'ISV_REJECTED')

    const cancelled = emulator.subscribe()
    const cancelTarget = { miniAppId: cancelled.authAppId }
    assert.equal(client.cancelServicemarketOrderItemSync(cancelled.commodityOrderId, cancelTarget, '不再需要'), undefined)
    assert.equal(client.queryServicemarketOrderSync(cancelled.commodityOrderId).items[0].orderStatus, 'ISV_CANCELLED')
    // Let the pushes of the later subscriptions finish before the emulator stops.
    assert.equal(await emulator.waitForDeliveries(6, 10_000), true)
  })
})

test('argument errors are ALIPAY_CONFIG_ERROR and make no call', async () => {
  const { emulator, client } = startEmulator()
  try {
    const { commodityOrderId: id, authAppId } = emulator.subscribe()
    const calls = emulator.totalCalls
    const badItems = [
      {},
      { miniAppId: authAppId, shopId: '2015000000000001' },
      { miniAppId: 42 },
      { shopId: ['2015'] },
      { miniAppId: null, shopId: undefined },
      { miniAppId: '' },
      { shopId: '   ' },
      { miniAppId: 2021n },
      'miniAppId',
      () => authAppId,
      Symbol('miniAppId'),
      null,
      undefined,
    ]
    for (const item of badItems) {
      const label = typeof item === 'bigint' || typeof item === 'symbol' ? String(item) : (JSON.stringify(item, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(item))
      for (const error of [
        await rejection(client.completeServicemarketOrderItem(id, item)),
        await rejection(client.confirmServicemarketOrderItem(id, item, 'token')),
        await rejection(client.cancelServicemarketOrderItem(id, item, '不再需要')),
        thrown(() => client.completeServicemarketOrderItemSync(id, item)),
        thrown(() => client.confirmServicemarketOrderItemSync(id, item, 'token')),
        thrown(() => client.cancelServicemarketOrderItemSync(id, item, '不再需要')),
      ]) {
        assert.equal(error.code, 'ALIPAY_CONFIG_ERROR', `${label}: ${error.message}`)
      }
    }
    const both = await rejection(client.completeServicemarketOrderItem(id, { miniAppId: 'a', shopId: 'b' }))
    assert.match(both.reason, /\{ miniAppId \} or \{ shopId \}, not both/)
    // The id given in an item is never echoed.
    const typed = await rejection(client.completeServicemarketOrderItem(id, { miniAppId: 20219999 }))
    assert.doesNotMatch(typed.message, /20219999/)

    for (const page of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) {
      assert.equal((await rejection(client.queryServicemarketOrder(id, page))).code, 'ALIPAY_CONFIG_ERROR', String(page))
      assert.equal(thrown(() => client.queryServicemarketOrderSync(id, page)).code, 'ALIPAY_CONFIG_ERROR', String(page))
    }
    for (const error of [
      await rejection(client.queryServicemarketOrder('')),
      await rejection(client.servicemarketOrderPages(' ')),
      await rejection(client.acceptServicemarketOrder('')),
      await rejection(client.rejectServicemarketOrder(id, '')),
      await rejection(client.cancelServicemarketOrderItem(id, { miniAppId: authAppId }, ' ')),
      thrown(() => client.rejectServicemarketOrderSync(id, ' ')),
      thrown(() => client.acceptServicemarketOrderSync(' ')),
    ]) {
      assert.equal(error.code, 'ALIPAY_CONFIG_ERROR', error.message)
    }
    assert.equal(emulator.totalCalls, calls)
    // A page given as null or undefined is the first.
    assert.equal((await client.queryServicemarketOrder(id, null)).currentPage, 1)
    assert.equal(client.queryServicemarketOrderSync(id, undefined).currentPage, 1)
  } finally {
    emulator.stop()
  }
})

test('an order push the gateway answers "fail" is retried until acknowledged, once', async () => {
  const { emulator, config, client } = startEmulator({ notifyBackoffMs: 20 })
  const verifier = config.notificationVerifier()
  const answers = [] // [kind, notifyId, answer] per post, in arrival order
  const server = http.createServer((request, response) => {
    const chunks = []
    request.on('data', (chunk) => chunks.push(chunk))
    request.on('end', () => {
      const notification = verifier.verifyBody(Buffer.concat(chunks))
      const first = !answers.some(([kind]) => kind === notification.kind)
      const answer = notification.kind === 'serviceMarketOrder' && first ? 'fail' : SUCCESS_ACK
      answers.push([notification.kind, notification.notifyId, answer])
      response.end(answer)
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    emulator.setNotifyUrl(`http://127.0.0.1:${server.address().port}/alipay/gateway`)
    const subscription = emulator.subscribe()
    assert.equal(await emulator.waitForDeliveries(2, 10_000), true)
    const [orderDelivery, pluginDelivery] = emulator.deliveries()
    assert.equal(orderDelivery.kind, SERVICEMARKET_ORDER_NOTIFY)
    assert.equal(orderDelivery.attempts, 2)
    assert.equal(orderDelivery.acknowledged, true)
    assert.equal(orderDelivery.finished, true)
    assert.equal(pluginDelivery.kind, APP_AUTH_NOTIFY)
    assert.equal(pluginDelivery.attempts, 1)
    assert.equal(pluginDelivery.acknowledged, true)

    // The same message twice (one notify_id: deduplicate with it), acknowledged the second time only.
    const orderPosts = answers.filter(([kind]) => kind === 'serviceMarketOrder')
    assert.deepEqual(orderPosts, [
      ['serviceMarketOrder', orderDelivery.notifyId, 'fail'],
      ['serviceMarketOrder', orderDelivery.notifyId, SUCCESS_ACK],
    ])
    // Nothing more arrives once acknowledged.
    await new Promise((resolve) => setTimeout(resolve, 200))
    assert.equal(answers.length, 3)
    assert.equal(emulator.deliveries()[0].attempts, 2)

    // The order itself is unaffected by the retries.
    const page = await client.queryServicemarketOrder(subscription.commodityOrderId)
    assert.equal(page.items.length, 1)
    assert.equal(page.status, 'MERCHANT_ORDED')
  } finally {
    emulator.stop()
    await new Promise((resolve) => server.close(resolve))
  }
})

test('a stopped emulator refuses subscribe', () => {
  const { emulator } = startEmulator()
  emulator.stop()
  assert.equal(thrown(() => emulator.subscribe()).code, 'ALIPAY_CONFIG_ERROR')
})
