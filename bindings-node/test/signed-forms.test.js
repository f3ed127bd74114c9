'use strict'
// Notifications in every form the real gateway has signed them in: the emulator pushes in one fixed
// form per run (`pushForm`) or a seeded mix (`pushForm: 'mixed'`), each delivery says its
// `signedForm`, and a node:http application gateway verifying every push with the binding's
// NotificationVerifier sees the same form on each notification; a tampered push is an
// ALIPAY_SIGNATURE_ERROR.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')

const { Emulator, IsvConfig, NotificationVerifier, APP_AUTH_NOTIFY, APP_AUTH_CANCELLED } = require('..')
const { APP_ID, APP_PRIVATE_KEY, APP_PUBLIC_KEY, REDIRECT_URI, startAppGateway, thrown } = require('./flow-helpers')
const { readKey } = require('./helpers')

const ALIPAY_PRIVATE_KEY = readKey('keys/alipay_2048_pkcs8.pem')
const BASIC_FORMS = ['v1', 'v1+empty', 'v2', 'v2+empty']
const EVERY_FORM = [
  ...BASIC_FORMS,
  'v1+alipay_cert_sn',
  'v1+empty+alipay_cert_sn',
  'v2+alipay_cert_sn',
  'v2+empty+alipay_cert_sn',
]

/** The test app's configuration for `emulator` (in certificate mode when the emulator is). */
function configFor(emulator) {
  if (!emulator.isCertMode) {
    return new IsvConfig({
      appId: APP_ID,
      privateKey: APP_PRIVATE_KEY,
      alipayPublicKey: emulator.alipayPublicKey,
      gateway: emulator.gatewayUrl,
    })
  }
  return new IsvConfig({
    appId: APP_ID,
    privateKey: APP_PRIVATE_KEY,
    appCert: emulator.issueAppCert(APP_PUBLIC_KEY),
    alipayCert: emulator.alipayCertPem,
    rootCert: emulator.rootCertBundlePem,
    gateway: emulator.gatewayUrl,
  })
}

/**
 * Starts an emulator with `options` pushing to an application gateway that verifies each push;
 * `merchants` merchants authorise, then each revokes. Resolves to the deliveries and the gateway's
 * verified notifications, once all are acknowledged.
 */
async function pushAll(options, merchants) {
  const emulator = Emulator.start({
    appId: APP_ID,
    appPublicKey: APP_PUBLIC_KEY,
    alipayPrivateKey: ALIPAY_PRIVATE_KEY,
    notifyBackoffMs: 20,
    ...options,
  })
  const gateway = await startAppGateway(configFor(emulator))
  try {
    emulator.setNotifyUrl(gateway.url)
    const apps = []
    for (let i = 0; i < merchants; i++) {
      const link = `${emulator.baseUrl}/oauth2/appToAppAuth.htm?app_id=${APP_ID}&redirect_uri=${encodeURIComponent(REDIRECT_URI)}`
      await emulator.merchantAuthorizes(link)
      apps.push(emulator.deliveries().at(-1).authAppId)
    }
    for (const app of apps) await emulator.revoke(app)
    assert.equal(await emulator.waitForDeliveries(2 * merchants, 20000), true)
    const deliveries = emulator.deliveries()
    assert.equal(deliveries.length, 2 * merchants)
    assert.deepEqual(gateway.rejected, [])
    assert.ok(deliveries.every((delivery) => delivery.acknowledged))
    return { emulator, deliveries, received: gateway.received, bodies: gateway.bodies }
  } finally {
    await gateway.close()
    emulator.stop()
  }
}

/** Each verified notification reports the form of its delivery; returns the forms seen. */
function checkReceived(deliveries, received) {
  const byId = new Map(deliveries.map((delivery) => [delivery.notifyId, delivery]))
  assert.equal(received.length, deliveries.length)
  const seen = new Set()
  for (const notification of received) {
    const delivery = byId.get(notification.notifyId)
    assert.ok(delivery, notification.notifyId)
    assert.equal(notification.kind, delivery.kind === APP_AUTH_NOTIFY ? 'appAuth' : 'message')
    if (notification.kind === 'message') assert.equal(delivery.kind, APP_AUTH_CANCELLED)
    assert.equal(notification.signedForm, delivery.signedForm)
    assert.equal('isv_ticket' in notification.params, delivery.signedForm.includes('+empty'))
    assert.equal('alipay_cert_sn' in notification.params, delivery.signedForm.includes('+alipay_cert_sn'))
    assert.ok(!Object.keys(notification).includes('signedForm'), 'signedForm is not enumerable')
    seen.add(notification.signedForm)
  }
  return [...seen].sort()
}

for (const form of BASIC_FORMS) {
  test(`every push in the ${form} form verifies as ${form}`, async () => {
    const { deliveries, received } = await pushAll({ pushForm: form }, 2)
    assert.deepEqual([...new Set(deliveries.map((d) => d.signedForm))], [form])
    assert.deepEqual(checkReceived(deliveries, received), [form])
  })
}

test('a seeded mix uses every basic form, each push verifying as its own', async () => {
  const { deliveries, received, bodies } = await pushAll({ pushForm: 'mixed', pushFormSeed: 7 }, 6)
  assert.deepEqual(checkReceived(deliveries, received), [...BASIC_FORMS].sort())
  assert.ok(bodies.every((body) => !body.toString().includes('alipay_cert_sn')))
})

test('a seeded mix in certificate mode uses every form', async () => {
  const { deliveries, received } = await pushAll({ pushForm: 'mixed', pushFormSeed: 11, certMode: true }, 4)
  assert.deepEqual(checkReceived(deliveries, received), [...EVERY_FORM].sort())
})

test('by default authorisations are v1 and cancellations v2', async () => {
  const { deliveries, received } = await pushAll({}, 1)
  assert.deepEqual(
    deliveries.map((d) => d.signedForm),
    ['v1', 'v2'],
  )
  checkReceived(deliveries, received)
})

test('tampered pushes fail with ALIPAY_SIGNATURE_ERROR', async () => {
  const { emulator, deliveries, bodies } = await pushAll({ pushForm: 'v1+empty' }, 1)
  const verifier = new NotificationVerifier(emulator.alipayPublicKey)
  assert.equal(deliveries.length, 2)
  for (const body of bodies.map((b) => b.toString())) {
    assert.equal(verifier.verifyBody(body).signedForm, 'v1+empty')
    const params = Object.fromEntries(new URLSearchParams(body))
    assert.equal(verifier.verifyParams(params).signedForm, 'v1+empty')
    assert.ok(body.includes('&isv_ticket=&'))
    for (const tampered of [body.replace('&isv_ticket=&', '&'), body.replace('notify_id=', 'notify_id=0')]) {
      const error = thrown(() => verifier.verifyBody(tampered))
      assert.equal(error.code, 'ALIPAY_SIGNATURE_ERROR')
      assert.equal(error.kind, 'signature')
    }
  }
})

test('the string forms show the signed form and no token', async () => {
  const { emulator, bodies } = await pushAll({ pushForm: 'v2+empty' }, 1)
  // The pushes travel on their own: the authorisation is not always the first to arrive.
  const verifier = new NotificationVerifier(emulator.alipayPublicKey)
  const notification = bodies.map((body) => verifier.verifyBody(body)).find((n) => n.kind === 'appAuth')
  assert.ok(notification, 'the authorisation push arrived')
  const token = notification.detail.appAuthToken
  for (const shown of [String(notification), util.inspect(notification)]) {
    assert.ok(shown.includes("signedForm: 'v2+empty'"), shown)
    assert.ok(!shown.includes(token))
  }
  assert.ok(!JSON.stringify(notification).includes('signedForm'))
})

test('bad push forms are ALIPAY_CONFIG_ERRORs', () => {
  for (const [options, needle] of [
    [{ pushForm: 'v3' }, 'v3'],
    [{ pushForm: 'v1', pushFormSeed: 1 }, 'mixed'],
    [{ pushForm: 'mixed', pushFormSeed: -1 }, 'pushFormSeed'],
    [{ pushForm: 'mixed', pushFormSeed: 1.5 }, 'pushFormSeed'],
    [{ pushForm: 'v1+alipay_cert_sn' }, 'certificate mode'],
  ]) {
    const error = thrown(() => Emulator.start({ appId: APP_ID, appPublicKey: APP_PUBLIC_KEY, alipayPrivateKey: ALIPAY_PRIVATE_KEY, ...options }))
    assert.equal(error.code, 'ALIPAY_CONFIG_ERROR', JSON.stringify(options))
    assert.ok(error.reason.includes(needle), error.reason)
  }
})
