'use strict'
// Mirrors core/src/gateway (and the package's gateway.js): the application gateway through the built
// binding, served by `node:http` on 127.0.0.1:0 so that the emulator pushes to it. A subscription end
// to end: the order message and the plugin authorisation pushed to the adapter, the order stored and
// accepted by the `onOrder` handler through the registry, the token ingested (authorisation
// delivered), a delegated call for the merchant, the item completed and confirmed, every step in the
// order's history — in both push orders. A push answered `fail` (the handler failed once) retried by
// the emulator and stored once, the handler run twice and never a third time. Bad input: not POST
// (405), not a form (415), over the limit (413, answered while the body is still coming), a tampered
// body and a malformed order (400), a closed registry (500); the gateway check answered signed; a
// second plugin's authorisation for the same merchant app kept separately; an order of an unknown
// merchant stored without an authorisation; handler errors kept out of the HTTP answer; a kind
// without a handler acknowledged once stored. The native two-phase `GatewayCore` (`receive` /
// `finish` and their `…Sync` twins), `Gateway.handle`, misuse, and the masked string forms.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')

const {
  Gateway,
  GatewayCore,
  GatewayDelivery,
  Registry,
  IsvConfig,
  Signer,
  PrivateKey,
  SERVICE_CHECK,
  SERVICEMARKET_ORDER_NOTIFY,
  APP_AUTH_NOTIFY,
  ORDER_PLACED,
  ORDER_ACCEPTED,
  ITEM_TO_CONFIRM,
  ITEM_DONE,
} = require('..')
const { APP_ID, APP_PRIVATE_KEY, startEmulator, rejection, thrown } = require('./flow-helpers')
const { VERSIONS } = require('./registry-helpers')
const {
  ALIPAY_PRIVATE_KEY,
  FORM,
  PLUGIN_A,
  PLUGIN_B,
  signedBody,
  orderParams,
  pluginAuthParams,
  listen,
  post,
} = require('./gateway-helpers')

/** An emulator signing with the test "Alipay" key, retrying pushes quickly; a registry with its client. */
function setUp(emulatorOptions = {}, registry = null) {
  const started = startEmulator({ alipayPrivateKey: ALIPAY_PRIVATE_KEY, notifyBackoffMs: 20, ...emulatorOptions })
  return { ...started, registry: registry ?? Registry.inMemory({ client: started.client }) }
}

/** Serves `gateway.middleware()` on node:http; the results in `results`. */
async function serve(gateway) {
  const results = []
  const served = await listen(gateway.middleware({ onResult: (result) => results.push(result) }))
  return { ...served, results }
}

for (const authorisationFirst of [false, true]) {
  test(`a subscription end to end through node:http (${authorisationFirst ? 'authorisation' : 'order'} pushed first)`, async () => {
    const { emulator, config, client, registry } = setUp()
    const deliveries = []
    const gateway = new Gateway(config, registry, {
      async onOrder(delivery) {
        deliveries.push(delivery)
        assert.ok(delivery instanceof GatewayDelivery)
        assert.equal(delivery.kind, 'order')
        const { notification } = delivery
        assert.equal(notification.kind, 'serviceMarketOrder')
        // Stored before the handler runs; accepted through the registry.
        assert.equal((await registry.order(notification.commodityOrderId)).status, ORDER_PLACED)
        const accepted = await registry.acceptOrder(notification.commodityOrderId)
        assert.equal(accepted.status, ORDER_ACCEPTED)
      },
      async onAuthorisation(delivery) {
        deliveries.push(delivery)
        assert.equal(delivery.kind, 'authorisation')
        assert.equal(delivery.notification.pluginAuthorisation, true)
        // Stored before the handler runs.
        const { detail } = delivery.notification
        assert.equal((await registry.getForApp(APP_ID, detail.authAppId)).appAuthToken, detail.appAuthToken)
      },
    })
    const server = await serve(gateway)
    try {
      emulator.setNotifyUrl(server.url)
      const subscription = emulator.subscribe({ authorisationFirst })
      const id = subscription.commodityOrderId
      assert.equal(await emulator.waitForDeliveries(2, 10_000), true)

      // Both pushes acknowledged at once, each handled once.
      const pushed = emulator.deliveries()
      assert.deepEqual(
        pushed.map((d) => d.kind),
        authorisationFirst ? [APP_AUTH_NOTIFY, SERVICEMARKET_ORDER_NOTIFY] : [SERVICEMARKET_ORDER_NOTIFY, APP_AUTH_NOTIFY],
      )
      for (const push of pushed) {
        assert.equal(push.acknowledged, true)
        assert.equal(push.attempts, 1)
      }
      assert.deepEqual(deliveries.map((d) => d.kind).sort(), ['authorisation', 'order'])
      assert.deepEqual(deliveries.map((d) => d.ingest), ['applied', 'applied'])
      assert.deepEqual(
        deliveries.map((d) => d.notifyId).sort(),
        pushed.map((p) => p.notifyId).sort(),
      )
      assert.deepEqual(
        server.results.map((r) => [r.status, r.contentType, r.body, r.outcome, r.ingest, r.error]),
        [
          [200, 'text/plain; charset=utf-8', 'success', 'handled', 'applied', null],
          [200, 'text/plain; charset=utf-8', 'success', 'handled', 'applied', null],
        ],
      )

      // The order is stored and accepted; it goes with the plugin authorisation, whose token was ingested.
      const order = await registry.order(id)
      assert.equal(order.status, ORDER_ACCEPTED)
      assert.equal(order.merchantPid, subscription.merchantPid)
      const authorisation = await registry.orderAuthorisation(id)
      assert.equal(authorisation.authAppId, subscription.authAppId)
      assert.equal(authorisation.appId, APP_ID)
      const delivered = deliveries.find((d) => d.kind === 'authorisation').notification
      assert.equal(authorisation.appAuthToken, delivered.detail.appAuthToken)

      // A delegated call for the merchant, with the ingested token.
      const { fields } = await registry.executeFor(subscription.authAppId, VERSIONS, {
        bizContent: { bundle_id: 'com.alipay.alipaywallet' },
      })
      assert.deepEqual(fields.app_versions, ['0.0.1'])

      // The item completed, then confirmed on the merchant's behalf; the history shows each step.
      const target = { miniAppId: subscription.authAppId }
      assert.equal((await registry.completeOrderItem(id, target)).itemStatus(target), ITEM_TO_CONFIRM)
      const done = await registry.confirmOrderItem(id, target)
      assert.equal(done.itemStatus(target), ITEM_DONE)
      assert.deepEqual(
        done.history.map((change) => [change.status, change.item, change.source]),
        [
          [ORDER_PLACED, null, 'notification'],
          [ORDER_ACCEPTED, null, 'accept'],
          [ITEM_TO_CONFIRM, subscription.authAppId, 'item.complete'],
          [ITEM_DONE, subscription.authAppId, 'item.confirm'],
        ],
      )
      const page = await client.queryServicemarketOrder(id)
      assert.equal(page.items[0].orderStatus, 'DONE')
      // No push beyond the two, no handler call beyond the two.
      assert.equal(emulator.deliveries().length, 2)
      assert.equal(deliveries.length, 2)
    } finally {
      await server.close()
      registry.close()
      emulator.stop()
    }
  })
}

test('a push answered fail is retried by the emulator and stored once; the handler runs twice, never a third time', async () => {
  const { emulator, config, registry } = setUp()
  let calls = 0
  const gateway = new Gateway(config, registry, {
    onOrder: async (delivery) => {
      calls += 1
      assert.equal(delivery.ingest, calls === 1 ? 'applied' : 'duplicate')
      if (calls === 1) throw new Error('the order service is down (secret-ish detail 42)')
    },
  })
  const server = await serve(gateway)
  try {
    emulator.setNotifyUrl(server.url)
    const subscription = emulator.subscribe()
    assert.equal(await emulator.waitForDeliveries(2, 10_000), true)
    const orderPush = emulator.deliveries().find((d) => d.kind === SERVICEMARKET_ORDER_NOTIFY)
    assert.equal(orderPush.attempts, 2)
    assert.equal(orderPush.acknowledged, true)
    assert.equal(calls, 2)
    const order = await registry.order(subscription.commodityOrderId)
    assert.equal(order.version, 1)
    assert.equal(order.history.length, 1)

    // The order's two answers (the authorisation's is `handled`, `applied`).
    const [failed, retried] = server.results.filter((r) => r.outcome === 'handler_failed' || r.ingest === 'duplicate')
    assert.equal(server.results.length, 3)
    assert.equal(failed.status, 500)
    assert.equal(failed.body, 'fail')
    assert.equal(failed.outcome, 'handler_failed')
    assert.equal(failed.error, null)
    assert.match(failed.handlerError, /the order service is down/)
    assert.equal(retried.status, 200)
    assert.equal(retried.outcome, 'handled')
    assert.equal(retried.ingest, 'duplicate')

    // The emulator has nothing left to push: the handler never runs a third time.
    assert.equal(await emulator.waitForDeliveries(2, 10_000), true)
    assert.equal(emulator.deliveries().length, 2)
    assert.equal(calls, 2)
  } finally {
    await server.close()
    registry.close()
    emulator.stop()
  }
})

test('bad input through node:http: 405, 415, 413 while the body is still coming, 400 tampered or malformed', async () => {
  const limit = 64 * 1024
  const { emulator, client } = setUp()
  const config = new IsvConfig({
    appId: APP_ID,
    privateKey: APP_PRIVATE_KEY,
    alipayPublicKey: emulator.alipayPublicKey,
    gateway: emulator.gatewayUrl,
    maxBodyBytes: limit,
  })
  const registry = Registry.inMemory({ client })
  let calls = 0
  const gateway = new Gateway(config, registry, { onOrder: () => (calls += 1), onOther: () => (calls += 1) })
  assert.equal(gateway.maxBodyBytes, limit)
  const server = await serve(gateway)
  try {
    // Not POST.
    const get = await post(server.url, null, { method: 'GET', contentType: null })
    assert.equal(get.status, 405)
    assert.equal(get.headers.allow, 'POST')
    assert.equal(get.body, 'fail')
    assert.equal(server.results.at(-1).outcome, 'refused')

    // Not a form.
    const json = await post(server.url, JSON.stringify(orderParams()), { contentType: 'application/json' })
    assert.equal(json.status, 415)
    assert.equal(json.body, 'fail')
    assert.equal(server.results.at(-1).error.code, 'ALIPAY_PROTOCOL_ERROR')

    // Over the limit: answered 413 once the limit is passed, while the client is still sending.
    const total = 4 * 1024 * 1024
    async function* endless() {
      for (let sent = 0; sent < total; sent += 16 * 1024) yield Buffer.alloc(16 * 1024, 'a')
    }
    const big = await post(server.url, endless())
    assert.equal(big.status, 413)
    assert.equal(big.body, 'fail')
    const refused = server.results.at(-1)
    assert.equal(refused.outcome, 'refused')
    const read = Number(/the notification is (\d+) bytes, over the 65536-byte limit/.exec(refused.error.reason)[1])
    assert.ok(read > limit, refused.error.reason)
    assert.ok(read < total / 4, `read ${read} bytes of ${total} before answering`)

    // A tampered body: the signature does not verify; a malformed order: signed, but no order id.
    const tampered = signedBody(orderParams()).replace('title=', 'title=X')
    const bad = await post(server.url, tampered)
    assert.equal(bad.status, 400)
    assert.equal(server.results.at(-1).error.code, 'ALIPAY_SIGNATURE_ERROR')
    const { commodity_order_id: _, ...incomplete } = orderParams()
    const malformed = await post(server.url, signedBody(incomplete))
    assert.equal(malformed.status, 400)
    assert.equal(server.results.at(-1).error.code, 'ALIPAY_PROTOCOL_ERROR')
    assert.match(server.results.at(-1).error.reason, /commodity_order_id/)

    // Nothing stored, no handler called; the server still answers.
    assert.deepEqual(await registry.orders(), [])
    assert.equal(calls, 0)
    const good = await post(server.url, signedBody(orderParams()))
    assert.equal(good.status, 200)
    assert.equal(good.body, 'success')
    assert.equal(calls, 1)
    assert.equal((await registry.orders()).length, 1)
  } finally {
    await server.close()
    registry.close()
    emulator.stop()
  }
})

test('the gateway check is answered with the signed XML, verified or not', async () => {
  const { emulator, config, registry } = setUp()
  const gateway = new Gateway(config, registry)
  const server = await serve(gateway)
  try {
    const params = { service: SERVICE_CHECK, charset: 'utf-8', notify_id: 'check-1' }
    const check = await post(server.url, signedBody(params))
    assert.equal(check.status, 200)
    assert.equal(check.headers['content-type'], 'text/xml; charset=utf-8')
    assert.match(check.body, /<success>true<\/success>/)
    assert.match(check.body, /<sign>[^<]+<\/sign>/)
    // The core's answer, exactly (RSA2 signatures are deterministic).
    assert.equal(check.body, config.serviceCheckAnswer(true))
    assert.equal(server.results.at(-1).outcome, 'service_check')
    assert.equal(server.results.at(-1).verified, true)
    const forged = new Signer(PrivateKey.fromText(APP_PRIVATE_KEY)).signParams(params).sign
    const unverified = await post(server.url, new URLSearchParams({ ...params, sign_type: 'RSA2', sign: forged }).toString())
    assert.equal(unverified.status, 200)
    assert.match(unverified.body, /<success>false<\/success>/)
    assert.equal(server.results.at(-1).verified, false)
    assert.deepEqual(await registry.list(), [])
  } finally {
    await server.close()
    registry.close()
    emulator.stop()
  }
})

test("a second plugin's authorisation of the same merchant app is kept separately; an unknown merchant's order has no authorisation", async () => {
  const { emulator, config, registry } = setUp()
  const authorisations = []
  const gateway = new Gateway(config, registry, { onAuthorisation: (delivery) => authorisations.push(delivery) })
  const server = await serve(gateway)
  const merchantApp = '2021004200000001'
  try {
    const tokenA = '202612BBpluginA00000000000000000000a'
    const tokenB = '202612BBpluginB00000000000000000000b'
    for (const [notifyId, plugin, token] of [['n-a', PLUGIN_A, tokenA], ['n-b', PLUGIN_B, tokenB]]) {
      const answer = await post(server.url, signedBody(pluginAuthParams({ notifyId, plugin, authAppId: merchantApp, token })))
      assert.equal(answer.status, 200)
      assert.equal(answer.body, 'success')
    }
    assert.deepEqual(authorisations.map((d) => [d.kind, d.ingest, d.notification.detail.authorisedAppId]), [
      ['authorisation', 'applied', PLUGIN_A],
      ['authorisation', 'applied', PLUGIN_B],
    ])
    const a = await registry.getForApp(PLUGIN_A, merchantApp)
    const b = await registry.getForApp(PLUGIN_B, merchantApp)
    assert.equal(a.appAuthToken, tokenA)
    assert.equal(b.appAuthToken, tokenB)
    assert.equal(a.appId, PLUGIN_A)
    assert.equal(b.appId, PLUGIN_B)
    assert.equal((await registry.list()).length, 2)
    // Neither is the default app's: by authAppId alone, the registry will not choose.
    assert.equal((await rejection(registry.get(merchantApp))).code, 'ALIPAY_STORE_ERROR')

    // An order of a merchant the registry does not know: stored, without an authorisation.
    const unknown = orderParams({ commodity_order_id: '202612070000000000000077', consumer_miniAppId: '2021009900000001', merchant_pid: '2088009900000001' })
    const answer = await post(server.url, signedBody(unknown))
    assert.equal(answer.body, 'success')
    assert.equal(server.results.at(-1).ingest, 'applied')
    const order = await registry.order(unknown.commodity_order_id)
    assert.equal(order.merchantPid, '2088009900000001')
    assert.equal(order.status, ORDER_PLACED)
    assert.equal(await registry.orderAuthorisation(unknown.commodity_order_id), null)
    // A kind without a handler (the order: no onOrder) is acknowledged once stored; a retry of it is
    // acknowledged without anything done.
    const again = await post(server.url, signedBody(unknown))
    assert.equal(again.body, 'success')
    assert.equal(server.results.at(-1).outcome, 'already_handled')
    assert.equal((await registry.order(unknown.commodity_order_id)).version, 1)
  } finally {
    await server.close()
    registry.close()
    emulator.stop()
  }
})

test('a handler error goes to the result, never to the HTTP answer; a closed registry answers 500', async () => {
  const { emulator, config, registry } = setUp()
  const secret = 'internal-detail-7f3a'
  let attempts = 0
  const gateway = new Gateway(config, registry, {
    onOrder: () => {
      attempts += 1
      if (attempts === 1) throw new Error(`database unreachable (${secret})`)
      // A rejected promise with a value that is not an Error.
      return Promise.reject(`queue full (${secret})`)
    },
  })
  const server = await serve(gateway)
  try {
    const body = signedBody(orderParams())
    for (const expected of [/database unreachable/, /queue full/]) {
      const answer = await post(server.url, body)
      assert.equal(answer.status, 500)
      assert.equal(answer.body, 'fail')
      assert.ok(!JSON.stringify(answer.headers).includes(secret))
      const result = server.results.at(-1)
      assert.equal(result.outcome, 'handler_failed')
      assert.match(result.handlerError, expected)
      assert.equal(result.error, null)
    }
    assert.equal((await registry.order(orderParams().commodity_order_id)).version, 1)

    // Once the registry is closed, every request is answered 500 `fail` with the configuration error.
    registry.close()
    const closed = await post(server.url, body)
    assert.equal(closed.status, 500)
    assert.equal(closed.body, 'fail')
    assert.equal(server.results.at(-1).error.code, 'ALIPAY_CONFIG_ERROR')
    assert.equal((await gateway.handle(FORM, body)).error.code, 'ALIPAY_CONFIG_ERROR')
    assert.equal(thrown(() => new Gateway(config, registry)).code, 'ALIPAY_CONFIG_ERROR')
  } finally {
    await server.close()
    emulator.stop()
  }
})

test('Gateway.handle and the native two-phase GatewayCore, with their …Sync twins', async () => {
  const { emulator, config, registry } = setUp()
  try {
    const core = new GatewayCore(config, registry)
    assert.equal(core.maxBodyBytes, 10 * 1024 * 1024)
    assert.match(String(core), /^GatewayCore\(app 2021000000000001, max body 10485760 bytes\)$/)
    const body = signedBody(orderParams())

    // receive: a delivery, already stored; finish with a failure: fail; again: a duplicate delivery.
    const first = await core.receive(FORM, Buffer.from(body))
    assert.ok(first instanceof GatewayDelivery)
    assert.equal(first.kind, 'order')
    assert.equal(first.ingest, 'applied')
    assert.equal(first.notifyId, orderParams().notify_id)
    assert.equal(first.notification.commodityOrderId, orderParams().commodity_order_id)
    // The content the gateway had signed, as verifying the body alone says.
    assert.equal(first.notification.signedForm, config.notificationVerifier().verifyBody(body).signedForm)
    assert.equal(typeof first.notification.signedForm, 'string')
    assert.equal((await registry.order(orderParams().commodity_order_id)).version, 1)
    const failed = await core.finish(first, 'not now')
    assert.deepEqual(
      { ...failed },
      { status: 500, contentType: 'text/plain; charset=utf-8', body: 'fail', outcome: 'handler_failed', error: null, ingest: null, verified: null, handlerError: 'not now' },
    )
    const second = core.receiveSync(FORM, body)
    assert.ok(second instanceof GatewayDelivery)
    assert.equal(second.ingest, 'duplicate')
    const handled = core.finishSync(second)
    assert.deepEqual(handled, {
      status: 200,
      contentType: 'text/plain; charset=utf-8',
      body: 'success',
      outcome: 'handled',
      error: null,
      ingest: 'duplicate',
      verified: null,
      handlerError: null,
    })
    // Handled: the next copy is answered at once.
    const third = await core.receive(undefined, body)
    assert.ok(!(third instanceof GatewayDelivery))
    assert.equal(third.outcome, 'already_handled')
    assert.equal(third.body, 'success')
    assert.equal((await registry.order(orderParams().commodity_order_id)).version, 1)

    // Answers without a delivery: not a form, malformed.
    assert.equal(core.receiveSync('text/plain', body).status, 415)
    assert.equal((await core.receive(null, 'a=1&a=2')).status, 400)
    assert.equal(core.receiveSync('application/x-www-form-urlencoded', 'not a form %zz').status, 400)

    // Gateway.handle: receive, the handler of the kind, finish; an async handler is awaited.
    const seen = []
    const gateway = new Gateway(config, registry, {
      onOrder: async (delivery) => {
        await new Promise((resolve) => setImmediate(resolve))
        seen.push(delivery.notification.commodityOrderId)
      },
    })
    const next = orderParams({ commodity_order_id: '202612070000000000000002' })
    const result = await gateway.handle(FORM, signedBody(next))
    assert.equal(result.outcome, 'handled')
    assert.deepEqual(seen, [next.commodity_order_id])
    assert.equal((await gateway.handle(null, signedBody(next))).outcome, 'already_handled')
    assert.deepEqual(seen, [next.commodity_order_id])
    assert.match(String(gateway), /^Gateway\(GatewayCore\(app 2021000000000001, max body 10485760 bytes\), handlers onOrder\)$/)
    assert.equal(util.inspect(gateway), String(gateway))
    assert.equal(String(new Gateway(config, registry)), `Gateway(${core}, handlers none)`)

    // Misuse.
    for (const handlers of [{ onOrders: () => {} }, { onOrder: 'accept' }, 'x', null]) {
      assert.equal(thrown(() => new Gateway(config, registry, handlers)).code, 'ALIPAY_CONFIG_ERROR')
    }
    assert.equal(thrown(() => gateway.middleware({ onResult: 1 })).code, 'ALIPAY_CONFIG_ERROR')
    assert.ok((await rejection(gateway.handle(FORM, { body }))) instanceof TypeError)
    assert.ok((await rejection(gateway.handle(42, body))) instanceof TypeError)
    assert.ok(thrown(() => new GatewayDelivery()) instanceof Error)
    assert.ok(thrown(() => new GatewayCore(config, {})) instanceof Error)
    assert.ok(thrown(() => core.finishSync({})) instanceof Error)
  } finally {
    registry.close()
    emulator.stop()
  }
})

test('deliveries and results show no token, code, contact person or phone', async () => {
  const { emulator, config, registry } = setUp()
  const shown = []
  const gateway = new Gateway(config, registry, {
    onOrder: (delivery) => shown.push(String(delivery), util.inspect(delivery)),
    onAuthorisation: (delivery) => shown.push(String(delivery), util.inspect(delivery), util.inspect([delivery])),
  })
  try {
    const token = '202612BBsecrettoken000000000000000099'
    const params = pluginAuthParams({ notifyId: 'n-secret', plugin: APP_ID, authAppId: '2021004200000009', token })
    const results = [await gateway.handle(FORM, signedBody(params)), await gateway.handle(FORM, signedBody(orderParams()))]
    shown.push(...results.map((result) => util.inspect(result)))
    assert.equal(shown.length, 7)
    for (const text of shown) {
      for (const hidden of [token, `${token}r`, '张三丰', '13800000042']) assert.ok(!text.includes(hidden), text)
    }
    assert.match(shown[0], /^GatewayDelivery \{ kind: 'authorisation', ingest: 'applied', notifyId: 'n-secret', notification: AppAuthNotification \{/)
    assert.ok(shown[0].includes(`appAuthToken: '2026…(${token.length} chars)'`), shown[0])
    assert.match(shown[3], /^GatewayDelivery \{ kind: 'order', .*contactor: '…\(3 chars\)', phone: '…\(11 chars\)'/)
  } finally {
    registry.close()
    emulator.stop()
  }
})
