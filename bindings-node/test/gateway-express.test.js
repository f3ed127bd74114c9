'use strict'
// The package's gateway adapter in Express (the exact version pinned in package.json), served on
// 127.0.0.1:0 so that the emulator pushes to it: a subscription end to end with the route mounted
// without a body parser (the adapter reads the request within the limit) beside JSON routes of the
// same app; behind `express.raw()` (the Buffer in `request.body` is used as is), a push answered
// `fail` retried by the emulator and stored once, the handler run twice and never a third time, even
// when the same body is posted again; a body parser that consumed the body first answered 500 with a
// configuration error; 405, 413 and 415 through Express.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const express = require('express')

const { Gateway, Registry, SERVICEMARKET_ORDER_NOTIFY, ORDER_ACCEPTED, ORDER_PLACED, ITEM_DONE, IsvConfig } = require('..')
const { APP_ID, APP_PRIVATE_KEY, startEmulator } = require('./flow-helpers')
const { VERSIONS } = require('./registry-helpers')
const { ALIPAY_PRIVATE_KEY, signedBody, orderParams, listen, post } = require('./gateway-helpers')

const PATH = '/alipay/gateway'

/** An emulator signing with the test "Alipay" key, retrying pushes quickly; a registry with its client. */
function setUp() {
  const started = startEmulator({ alipayPrivateKey: ALIPAY_PRIVATE_KEY, notifyBackoffMs: 20 })
  return { ...started, registry: Registry.inMemory({ client: started.client }) }
}

test('Express version is the pinned one', () => {
  assert.equal(require('express/package.json').version, require('../package.json').devDependencies.express)
})

test('a subscription end to end through an Express route without a body parser', async () => {
  const { emulator, config, registry } = setUp()
  const kinds = []
  const gateway = new Gateway(config, registry, {
    onOrder: async ({ notification }) => {
      kinds.push('order')
      await registry.acceptOrder(notification.commodityOrderId)
    },
    onAuthorisation: () => kinds.push('authorisation'),
  })
  const results = []
  const app = express()
  app.post(PATH, gateway.middleware({ onResult: (result) => results.push(result) }))
  // The app's other routes keep their own parsers.
  app.post('/api/echo', express.json(), (request, response) => response.json(request.body))
  app.get('/merchants/:authAppId/versions', async (request, response) => {
    const { fields } = await registry.executeFor(request.params.authAppId, VERSIONS, {
      bizContent: { bundle_id: 'com.alipay.alipaywallet' },
    })
    response.json(fields.app_versions)
  })
  const server = await listen(app, PATH)
  const base = server.url.slice(0, -PATH.length)
  try {
    emulator.setNotifyUrl(server.url)
    const subscription = emulator.subscribe()
    assert.equal(await emulator.waitForDeliveries(2, 10_000), true)
    for (const push of emulator.deliveries()) {
      assert.equal(push.acknowledged, true)
      assert.equal(push.attempts, 1)
    }
    assert.deepEqual(kinds.sort(), ['authorisation', 'order'])
    assert.deepEqual(results.map((r) => [r.status, r.outcome, r.ingest]), [
      [200, 'handled', 'applied'],
      [200, 'handled', 'applied'],
    ])
    const id = subscription.commodityOrderId
    assert.equal((await registry.order(id)).status, ORDER_ACCEPTED)
    assert.equal((await registry.orderAuthorisation(id)).authAppId, subscription.authAppId)

    // A delegated call for the merchant through another route of the same app.
    const versions = await fetch(`${base}/merchants/${subscription.authAppId}/versions`)
    assert.equal(versions.status, 200)
    assert.deepEqual(await versions.json(), ['0.0.1'])
    const echo = await fetch(`${base}/api/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ a: 1 }),
    })
    assert.deepEqual(await echo.json(), { a: 1 })

    const target = { miniAppId: subscription.authAppId }
    await registry.completeOrderItem(id, target)
    const done = await registry.confirmOrderItem(id, target)
    assert.equal(done.itemStatus(target), ITEM_DONE)
    assert.deepEqual(done.history.map((change) => change.source), ['notification', 'accept', 'item.complete', 'item.confirm'])
  } finally {
    await server.close()
    registry.close()
    emulator.stop()
  }
})

test('behind express.raw(): a push answered fail is retried, stored once, its handler run twice and never a third time', async () => {
  const { emulator, config, registry } = setUp()
  let calls = 0
  const gateway = new Gateway(config, registry, {
    onOrder: async () => {
      calls += 1
      if (calls === 1) throw new Error('the order service is down')
    },
  })
  const bodies = []
  const results = []
  const app = express()
  app.post(
    PATH,
    express.raw({ type: () => true, limit: gateway.maxBodyBytes }),
    (request, _response, next) => {
      assert.ok(Buffer.isBuffer(request.body))
      bodies.push(request.body)
      next()
    },
    gateway.middleware({ onResult: (result) => results.push(result) }),
  )
  const server = await listen(app, PATH)
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
    assert.equal(order.status, ORDER_PLACED)
    assert.deepEqual(results.map((r) => r.outcome).sort(), ['handled', 'handled', 'handler_failed'])
    const failed = results.find((r) => r.outcome === 'handler_failed')
    assert.equal(failed.status, 500)
    assert.equal(failed.body, 'fail')
    assert.equal(failed.error, null)
    assert.match(failed.handlerError, /the order service is down/)

    // The same order message posted again (Alipay retrying late): acknowledged, nothing run.
    const orderBody = bodies.find((body) => body.toString('latin1').includes('servicemarket_order_notify'))
    const again = await post(server.url, orderBody)
    assert.equal(again.status, 200)
    assert.equal(again.body, 'success')
    assert.equal(results.at(-1).outcome, 'already_handled')
    assert.equal(calls, 2)
    assert.equal((await registry.order(subscription.commodityOrderId)).version, 1)
  } finally {
    await server.close()
    registry.close()
    emulator.stop()
  }
})

test('through Express: a body parser that consumed the body first (500), not POST (405), over the limit (413), not a form (415)', async () => {
  const { emulator, client } = setUp()
  const limit = 32 * 1024
  const config = new IsvConfig({ appId: APP_ID, privateKey: APP_PRIVATE_KEY, alipayPublicKey: emulator.alipayPublicKey, maxBodyBytes: limit })
  const registry = Registry.inMemory({ client })
  let calls = 0
  const gateway = new Gateway(config, registry, { onOrder: () => (calls += 1) })
  const results = []
  const app = express()
  app.all(PATH, gateway.middleware({ onResult: (result) => results.push(result) }))
  // A misconfigured route: urlencoded() decoded the body, so the raw bytes are gone.
  app.post('/parsed', express.urlencoded({ extended: false }), gateway.middleware({ onResult: (result) => results.push(result) }))
  const server = await listen(app, PATH)
  const base = server.url.slice(0, -PATH.length)
  try {
    const parsed = await post(`${base}/parsed`, signedBody(orderParams()))
    assert.equal(parsed.status, 500)
    assert.equal(parsed.body, 'fail')
    assert.equal(results.at(-1).error.code, 'ALIPAY_CONFIG_ERROR')
    assert.match(results.at(-1).error.reason, /body parser/)

    const get = await post(server.url, null, { method: 'GET', contentType: null })
    assert.equal(get.status, 405)
    assert.equal(get.headers.allow, 'POST')

    async function* large() {
      for (let i = 0; i < 256; i++) yield Buffer.alloc(8 * 1024, 'b')
    }
    const big = await post(server.url, large())
    assert.equal(big.status, 413)
    assert.equal(results.at(-1).outcome, 'refused')
    const read = Number(/the notification is (\d+) bytes/.exec(results.at(-1).error.reason)[1])
    assert.ok(read > limit && read < 256 * 8 * 1024, `read ${read} bytes before answering`)

    const text = await post(server.url, 'a=1', { contentType: 'text/plain' })
    assert.equal(text.status, 415)

    assert.deepEqual(await registry.orders(), [])
    assert.equal(calls, 0)
    const good = await post(server.url, signedBody(orderParams()))
    assert.equal(good.body, 'success')
    assert.equal(calls, 1)
  } finally {
    await server.close()
    registry.close()
    emulator.stop()
  }
})
