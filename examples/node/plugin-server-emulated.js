'use strict'
// Runs the plugin server of plugin-server.js against the offline Alipay emulator and checks each step:
// the emulator pushes to the server's /alipay/gateway (the library's Gateway); a "merchant" follows
// /alipay/authorize to the emulator's authorisation page and back to /alipay/callback; the merchant is
// stored in a Registry (a SQLite file in a temporary directory); the authorisation notification
// arrives, verifies and is stored; a delegated call goes through the registry; the legacy gateway
// check is answered signed; a revoked merchant's cancellation arrives, the merchant is revoked in the
// registry (and stays so after reopening the file) and its calls stop without reaching the gateway; a
// third merchant subscribes to the plugin in the service market: the order is stored and accepted by
// the server as it arrives, the plugin authorisation is stored with it, and the item is completed and
// confirmed on the merchant's behalf through the registry.
//
//   node examples/node/plugin-server-emulated.js
//
// The app keys are the test keys of tests/vectors/keys (never use them for anything real).

const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const {
  Emulator,
  IsvConfig,
  Client,
  Registry,
  Signer,
  generateKeyPair,
  SERVICE_CHECK,
} = require('../../bindings-node')
const { createPluginServer } = require('./plugin-server')

const APP_ID = '2021000000000001'
const keys = path.join(__dirname, '..', '..', 'tests', 'vectors', 'keys')
const read = (name) => fs.readFileSync(path.join(keys, name), 'utf8')

async function main() {
  // The "Alipay" key pair is ours here, so the runner can also sign the legacy gateway check.
  const alipay = generateKeyPair(2048)
  const emulator = Emulator.start({
    appId: APP_ID,
    appPublicKey: read('app_2048_public.pem'),
    alipayPrivateKey: alipay.privateKey,
  })
  const config = new IsvConfig({
    appId: APP_ID,
    privateKey: read('app_2048_pkcs8.pem'),
    alipayPublicKey: emulator.alipayPublicKey,
    gateway: emulator.gatewayUrl,
  })
  const client = new Client(config, { connectTimeoutMs: 2000, readTimeoutMs: 5000 })
  // The merchants live in a SQLite file (a real server keeps it on durable storage, and may pass a
  // `tokenKey` to encrypt the tokens at rest).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alipay-isv-plugin-server-'))
  // …or a database shared by several instances: ALIPAY_ISV_REGISTRY_URL (postgres://…, mysql://…).
  const dbFile = process.env.ALIPAY_ISV_REGISTRY_URL || path.join(dir, 'merchants.db')
  const registry = Registry.open(dbFile, { client })

  // The server's own URL comes from the Host header of each request.
  const server = createPluginServer({
    config,
    client,
    registry,
    authHost: emulator.baseUrl,
    log: (line) => console.log(`  server: ${line}`),
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${server.address().port}`
  try {
    console.log(`plugin server ${base}, ${emulator}`)
    emulator.setNotifyUrl(`${base}/alipay/gateway`)

    // 1. The merchant opens /alipay/authorize and is sent to the authorisation page.
    const authorize = await fetch(`${base}/alipay/authorize`, { redirect: 'manual' })
    assert.equal(authorize.status, 302)
    const link = authorize.headers.get('location')
    assert.ok(link.startsWith(`${emulator.baseUrl}/oauth2/appToAppAuth.htm?`), link)
    console.log('1. /alipay/authorize redirects to the authorisation page')

    // 2. The merchant agrees; Alipay redirects back to /alipay/callback.
    const callbackUrl = await emulator.merchantAuthorizes(link)
    assert.ok(callbackUrl.startsWith(`${base}/alipay/callback?`), callbackUrl)
    const callback = await fetch(callbackUrl)
    const { authorised } = await callback.json()
    assert.equal(callback.status, 200)
    assert.equal(authorised.length, 1)
    const [authAppId] = authorised
    assert.equal((await registry.get(authAppId)).status, 'active')
    console.log(`2. the callback exchanged the code: merchant app ${authAppId}, stored in the registry`)

    // A replayed callback (its state is spent) is refused.
    assert.equal((await fetch(callbackUrl)).status, 400)

    // 3. The authorisation notification reaches /alipay/gateway, verifies and is ingested: `applied`
    // if it arrived before the callback's exchange, else `stale` (the exchanged token is as new).
    assert.equal(await emulator.waitForDeliveries(1, 10_000), true)
    assert.equal(emulator.deliveries()[0].acknowledged, true)
    assert.equal(server.ingested[0].kind, 'appAuth')
    assert.equal(server.ingested[0].notifyId, emulator.deliveries()[0].notifyId)
    assert.ok(['applied', 'stale'].includes(server.ingested[0].outcome), server.ingested[0].outcome)
    assert.equal((await registry.get(authAppId)).status, 'active')
    console.log(`3. the app-auth notification arrived, verified, was ingested (${server.ingested[0].outcome}) and acknowledged`)

    // 4. One delegated call on the merchant's behalf.
    const versions = await fetch(`${base}/merchants/${authAppId}/versions`)
    assert.equal(versions.status, 200)
    assert.deepEqual(await versions.json(), { authAppId, versions: ['0.0.1'] })
    assert.equal((await fetch(`${base}/merchants/1/versions`)).status, 404)
    console.log('4. the delegated call alipay.open.mini.version.list.query succeeded through the registry')

    // 5. The legacy gateway check, signed by "Alipay", is answered with signed XML.
    const params = { service: SERVICE_CHECK, charset: 'utf-8', notify_id: 'check-1' }
    const { sign } = new Signer(alipay.privateKey).signParams(params)
    const check = await fetch(`${base}/alipay/gateway`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...params, sign_type: 'RSA2', sign }).toString(),
    })
    const xml = await check.text()
    assert.match(xml, /<success>true<\/success>/)
    assert.match(xml, /<sign>[^<]+<\/sign>/)
    console.log('5. the alipay.service.check was answered with signed XML')

    // 6. The merchant revokes: the cancellation arrives and is ingested; the merchant is revoked in the
    // registry and its calls stop before reaching the gateway.
    emulator.revoke(authAppId)
    assert.equal(await emulator.waitForDeliveries(2, 10_000), true)
    assert.equal(emulator.deliveries()[1].acknowledged, true)
    assert.deepEqual(server.ingested[1], {
      kind: 'message',
      notifyId: emulator.deliveries()[1].notifyId,
      outcome: 'applied',
    })
    const revoked = await registry.get(authAppId)
    assert.equal(revoked.status, 'revoked')
    assert.ok(revoked.revokedAtMs > 0)
    const callsBefore = emulator.totalCalls
    const refused = await fetch(`${base}/merchants/${authAppId}/versions`)
    assert.equal(refused.status, 404)
    assert.equal((await refused.json()).error, 'ALIPAY_STORE_ERROR')
    assert.equal(emulator.totalCalls, callsBefore)
    console.log('6. the cancellation arrived; the merchant is revoked in the registry and no longer called')

    // A forged notification is refused (400), and so is a body that is not a form (415): nothing is
    // stored.
    const form = { 'content-type': 'application/x-www-form-urlencoded' }
    const forged = await fetch(`${base}/alipay/gateway`, { method: 'POST', headers: form, body: 'notify_id=1&sign=AAAA' })
    assert.equal(forged.status, 400)
    assert.equal(await forged.text(), 'fail')
    const json = await fetch(`${base}/alipay/gateway`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    assert.equal(json.status, 415)

    // 7. A merchant subscribes to the plugin in the service market: the order message and the plugin
    // authorisation reach /alipay/gateway (in either order); the server stores the order and accepts
    // it before acknowledging; the order goes with the plugin authorisation.
    const subscription = emulator.subscribe()
    assert.equal(await emulator.waitForDeliveries(4, 10_000), true)
    assert.ok(emulator.deliveries().every((delivery) => delivery.acknowledged))
    const orderId = subscription.commodityOrderId
    const shownOrder = await (await fetch(`${base}/orders/${orderId}`)).json()
    assert.deepEqual(shownOrder, {
      commodityOrderId: orderId,
      status: 'ISV_ACCEPTED',
      merchantPid: subscription.merchantPid,
      items: [],
      history: ['notification: MERCHANT_ORDED', 'accept: ISV_ACCEPTED'],
      authorised: true,
    })
    assert.equal((await fetch(`${base}/orders/1`)).status, 404)
    assert.deepEqual(
      server.ingested.slice(2).map((entry) => entry.kind).sort(),
      ['appAuth', 'serviceMarketOrder'],
    )
    // The plugin is implemented on the merchant's mini program: completed, then confirmed on the
    // merchant's behalf with its stored token; the history shows each step.
    const item = { miniAppId: subscription.authAppId }
    await registry.completeOrderItem(orderId, item)
    const done = await registry.confirmOrderItem(orderId, item)
    assert.equal(done.itemStatus(item), 'DONE')
    assert.deepEqual(
      done.history.map((change) => change.source),
      ['notification', 'accept', 'item.complete', 'item.confirm'],
    )
    console.log(`7. merchant ${subscription.merchantPid} subscribed: order ${orderId} stored, accepted, its item completed and confirmed`)

    // 8. The registry is durable: reopened from its file, the merchant is still there, revoked, and
    // the order with its history.
    registry.close()
    const reopened = Registry.open(dbFile)
    assert.equal((await reopened.get(authAppId)).status, 'revoked')
    assert.equal((await reopened.order(orderId)).history.length, 4)
    if (!process.env.ALIPAY_ISV_REGISTRY_URL) assert.equal(await reopened.integrityCheck(), 'ok')
    reopened.close()
    console.log('8. reopened from its file, the registry still holds the revoked merchant and the order')
    console.log('plugin server example: every step passed')
  } finally {
    await new Promise((resolve) => server.close(resolve))
    registry.close()
    emulator.stop()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
