'use strict'
// Certificate mode end to end against the emulator (certMode: true), through the built binding: the
// app certificate issued by the emulator, an IsvConfig in certificate mode, the merchant's code
// exchanged, a delegated call, the authorisation push verified by its alipay_cert_sn at a node:http
// application gateway, then Alipay rotates its certificate and the next call succeeds after one
// download; a notification signed by the new certificate makes a fresh client fetch it; a downloaded
// certificate that does not chain to the configured root bundle is refused with a typed error.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')

const {
  Emulator,
  IsvConfig,
  Client,
  PrivateKey,
  Signer,
  signContent,
  appAuthLink,
  parseAppAuthCallback,
  appCertSn,
  alipayRootCertSn,
  parseCertificates,
  RootBundle,
  Certificate,
  ALIPAY_CERT_DOWNLOAD_METHOD,
  SUCCESS_ACK,
  APP_AUTH_NOTIFY,
} = require('..')
const { APP_ID, APP_PRIVATE_KEY, APP_PUBLIC_KEY, REDIRECT_URI, rejection, thrown } = require('./flow-helpers')

const VERSIONS = 'alipay.open.mini.version.list.query'
const TRANSPORT = { connectTimeoutMs: 2000, readTimeoutMs: 5000 }

/** An emulator in certificate mode for the test app. */
function startCertEmulator(options = {}) {
  return Emulator.start({ appId: APP_ID, appPublicKey: APP_PUBLIC_KEY, certMode: true, ...options })
}

/**
 * A certificate-mode configuration from what `emulator` hands out (its current Alipay certificate
 * unless `alipayCert` is given), calling `gateway`.
 */
function certConfig(emulator, gateway = emulator.gatewayUrl, alipayCert = emulator.alipayCertPem) {
  return new IsvConfig({
    appId: APP_ID,
    privateKey: APP_PRIVATE_KEY,
    appCert: emulator.issueAppCert(APP_PUBLIC_KEY),
    alipayCert: Buffer.from(alipayCert),
    rootCert: emulator.rootCertBundlePem,
    gateway,
  })
}

/** The merchant authorises the app; resolves to its token. */
async function authorise(emulator, client) {
  const link = appAuthLink({ host: emulator.baseUrl, appId: APP_ID, redirectUri: REDIRECT_URI })
  const callback = parseAppAuthCallback(await emulator.merchantAuthorizes(link.url), APP_ID, { state: link.state })
  const [token] = await client.exchangeAppAuthCode(callback.appAuthCode)
  return token
}

/**
 * An application gateway on loopback that verifies every push with `client.verifyNotification` (which
 * fetches a certificate it does not know yet) and answers `success`; it keeps the raw bodies too.
 */
async function startCertAppGateway(client) {
  const received = []
  const rejected = []
  const bodies = []
  const server = http.createServer((request, response) => {
    const chunks = []
    request.on('data', (chunk) => chunks.push(chunk))
    request.on('end', async () => {
      const body = Buffer.concat(chunks)
      bodies.push(body)
      try {
        received.push(await client.verifyNotification(body))
        response.end(SUCCESS_ACK)
      } catch (error) {
        rejected.push(error)
        response.statusCode = 400
        response.end('fail')
      }
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${server.address().port}/alipay/gateway`
  return { url, received, rejected, bodies, close: () => new Promise((resolve) => server.close(resolve)) }
}

test('the emulator hands out a bundle with a non-RSA root, an Alipay certificate and app certificates', () => {
  const emulator = startCertEmulator()
  const plain = Emulator.start({ appId: APP_ID, appPublicKey: APP_PUBLIC_KEY })
  try {
    assert.equal(emulator.isCertMode, true)
    const bundle = emulator.rootCertBundlePem
    assert.equal(bundle.match(/BEGIN CERTIFICATE/g).length, 2)
    assert.equal(alipayRootCertSn(bundle), emulator.alipayRootCertSn)
    assert.ok(!emulator.alipayRootCertSn.includes('_'), 'the ECDSA root is left out')
    assert.deepEqual(parseCertificates(bundle).map((c) => c.isRsaSigned), [false, true])
    assert.equal(appCertSn(emulator.alipayCertPem), emulator.alipayCertSn)
    assert.equal(RootBundle.parse(bundle).verifyChain(emulator.alipayCertPem).sn, emulator.alipayCertSn)

    const config = certConfig(emulator)
    assert.equal(config.alipayCertSn, emulator.alipayCertSn)
    assert.equal(config.alipayRootCertSn, emulator.alipayRootCertSn)
    assert.ok(config.alipayPublicKey.equals(emulator.alipayPublicKey))
    const appCert = emulator.issueAppCert(APP_PUBLIC_KEY)
    assert.match(appCert, /BEGIN CERTIFICATE/)
    assert.equal(appCertSn(appCert).length, 32)

    assert.equal(plain.isCertMode, false)
    for (const call of [
      () => plain.rootCertBundlePem,
      () => plain.alipayRootCertSn,
      () => plain.alipayCertPem,
      () => plain.alipayCertSn,
      () => plain.issueAppCert(APP_PUBLIC_KEY),
      () => plain.rotateAlipayCert(),
    ]) {
      assert.equal(thrown(call).code, 'ALIPAY_CONFIG_ERROR')
    }
  } finally {
    emulator.stop()
    plain.stop()
  }
})

test('the whole flow in certificate mode, through an Alipay certificate rotation', async () => {
  const emulator = startCertEmulator()
  const config = certConfig(emulator)
  const client = new Client(config, TRANSPORT)
  const appGateway = await startCertAppGateway(client)
  try {
    emulator.setNotifyUrl(appGateway.url)
    const first = emulator.alipayCertSn
    const firstPem = emulator.alipayCertPem

    // Exchange, then a delegated call: the answer names the configured certificate.
    const token = await authorise(emulator, client)
    const answer = await client.execute(VERSIONS, { appAuthToken: token.appAuthToken, bizContent: { bundle_id: 'com.alipay.alipaywallet' } })
    assert.equal(answer.fields.code, '10000')
    assert.equal(answer.fields.auth_app_id, token.authAppId)
    assert.equal(answer.alipayCertSn, first)

    // The authorisation push, verified by its alipay_cert_sn.
    assert.equal(await emulator.waitForDeliveries(1, 10_000), true)
    assert.deepEqual(appGateway.rejected, [])
    assert.equal(appGateway.received.length, 1)
    assert.equal(appGateway.received[0].kind, 'appAuth')
    assert.equal(appGateway.received[0].detail.appAuthToken, token.appAuthToken)
    assert.equal(new URLSearchParams(appGateway.bodies[0].toString()).get('alipay_cert_sn'), first)
    assert.equal(emulator.deliveries()[0].kind, APP_AUTH_NOTIFY)
    assert.equal(emulator.callCount(ALIPAY_CERT_DOWNLOAD_METHOD), 0)

    // Alipay rotates its certificate: the next call downloads the new one once, checks it, trusts it.
    const rotated = emulator.rotateAlipayCert()
    assert.notEqual(rotated, first)
    assert.equal(emulator.alipayCertSn, rotated)
    assert.deepEqual(config.trustedAlipayCertSns(), [first])
    const next = await client.execute(VERSIONS, { appAuthToken: token.appAuthToken })
    assert.equal(next.fields.code, '10000')
    assert.equal(next.alipayCertSn, rotated)
    assert.equal(emulator.callCount(ALIPAY_CERT_DOWNLOAD_METHOD), 1)
    assert.deepEqual(config.trustedAlipayCertSns().sort(), [first, rotated].sort())

    // Cached: more calls, the blocking twin included, download nothing.
    assert.equal(client.executeSync(VERSIONS, { appAuthToken: token.appAuthToken }).alipayCertSn, rotated)
    assert.equal(await client.fetchAlipayCert(rotated), false)
    assert.equal(client.fetchAlipayCertSync(first), false)
    assert.equal(emulator.callCount(ALIPAY_CERT_DOWNLOAD_METHOD), 1)

    // The merchant revokes: the cancellation push is signed by the new certificate and verifies.
    emulator.revoke(token.authAppId)
    assert.equal(await emulator.waitForDeliveries(2, 10_000), true)
    assert.deepEqual(appGateway.rejected, [])
    assert.equal(appGateway.received[1].kind, 'message')
    const cancelled = appGateway.bodies[1]
    assert.equal(new URLSearchParams(cancelled.toString()).get('alipay_cert_sn'), rotated)

    // A fresh client (its own store, the first certificate configured) refuses it sans I/O, naming
    // the SN, and fetches it when asked to.
    const fresh = certConfig(emulator, emulator.gatewayUrl, firstPem)
    assert.equal(fresh.alipayCertSn, first)
    const sansIo = thrown(() => fresh.notificationVerifier().verifyBody(cancelled))
    assert.equal(sansIo.code, 'ALIPAY_SIGNATURE_ERROR')
    assert.ok(sansIo.reason.includes(rotated), sansIo.reason)
    const check = fresh.responseVerifier().check(VERSIONS, Buffer.from('{"alipay_open_mini_version_list_query_response":{"code":"10000","msg":"Success"},"alipay_cert_sn":"' + rotated + '","sign":"AAAA"}'))
    assert.deepEqual(check, { response: null, needsCertificate: rotated })
    const freshClient = new Client(fresh, TRANSPORT)
    const notification = await freshClient.verifyNotification(cancelled)
    assert.equal(notification.kind, 'message')
    assert.equal(notification.appAuthCancelled, true)
    assert.equal(emulator.callCount(ALIPAY_CERT_DOWNLOAD_METHOD), 2)
    assert.ok(fresh.trustedAlipayCertSns().includes(rotated))
    assert.equal(freshClient.verifyNotificationSync(cancelled).kind, 'message')
    assert.equal(emulator.callCount(ALIPAY_CERT_DOWNLOAD_METHOD), 2)

    // An SN Alipay does not know: the download answers an API error.
    const unknown = await rejection(client.fetchAlipayCert('0123456789abcdef0123456789abcdef'))
    assert.equal(unknown.code, 'ALIPAY_API_ERROR', unknown.message)

    // Outside certificate mode there is nothing to fetch (the Alipay key: the rotated certificate's).
    const rotatedKey = Certificate.parse(emulator.alipayCertPem).publicKey()
    assert.ok(!rotatedKey.equals(emulator.alipayPublicKey))
    const plain = new Client(new IsvConfig({ appId: APP_ID, privateKey: APP_PRIVATE_KEY, alipayPublicKey: rotatedKey, gateway: emulator.gatewayUrl }), TRANSPORT)
    assert.equal((await rejection(plain.fetchAlipayCert(rotated))).code, 'ALIPAY_CONFIG_ERROR')
    assert.equal(thrown(() => plain.fetchAlipayCertSync(rotated)).code, 'ALIPAY_CONFIG_ERROR')
    // …and a public-key-mode request is refused by the certificate-mode gateway.
    const refused = await rejection(plain.execute(VERSIONS, { appAuthToken: token.appAuthToken }))
    assert.equal(refused.code, 'ALIPAY_API_ERROR', refused.message)
    assert.equal(refused.subCode, 'isv.invalid-app-cert-sn')
  } finally {
    emulator.stop()
    await appGateway.close()
  }
})

/**
 * A relay on loopback in front of `target` (an emulator's gateway) for a client configured with
 * another emulator's certificates: it swaps the two SNs of each request for `target`'s and signs the
 * request again with the app key (every parameter, as the gateway checks it), then hands the answer
 * back untouched. The target then serves its real answers — and its real certificate downloads — to a
 * client whose root bundle does not hold the target's root.
 */
async function startResigningRelay(target, sns) {
  const signer = new Signer(PrivateKey.fromText(APP_PRIVATE_KEY))
  const server = http.createServer((request, response) => {
    const chunks = []
    request.on('data', (chunk) => chunks.push(chunk))
    request.on('end', async () => {
      try {
        const body = Buffer.concat(chunks).toString()
        const query = new URL(request.url, 'http://relay').searchParams
        query.set('app_cert_sn', sns.appCertSn)
        query.set('alipay_root_cert_sn', sns.alipayRootCertSn)
        query.delete('sign')
        const all = Object.fromEntries([...query, ...new URLSearchParams(body)])
        query.set('sign', signer.sign(signContent(all)))
        const answer = await fetch(`${target}?${query}`, {
          method: 'POST',
          headers: { 'content-type': request.headers['content-type'] },
          body,
        })
        response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') })
        response.end(Buffer.from(await answer.arrayBuffer()))
      } catch (error) {
        response.statusCode = 502
        response.end(String(error))
      }
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${server.address().port}/gateway.do`, close: () => new Promise((resolve) => server.close(resolve)) }
}

test('a downloaded certificate that does not chain to the configured root bundle is refused, typed', async () => {
  const alipay = startCertEmulator()
  const other = startCertEmulator()
  const relay = await startResigningRelay(alipay.gatewayUrl, {
    appCertSn: appCertSn(alipay.issueAppCert(APP_PUBLIC_KEY)),
    alipayRootCertSn: alipay.alipayRootCertSn,
  })
  try {
    // The relay works: a client configured for `alipay` itself gets through it.
    const direct = new Client(certConfig(alipay, relay.url), TRANSPORT)
    const token = await authorise(alipay, direct)
    assert.equal((await direct.execute(VERSIONS, { appAuthToken: token.appAuthToken })).alipayCertSn, alipay.alipayCertSn)

    // A client configured with ANOTHER emulator's root bundle (and its Alipay certificate).
    const config = certConfig(other, relay.url)
    const client = new Client(config, TRANSPORT)
    const rotated = alipay.rotateAlipayCert()
    const error = await rejection(client.execute(VERSIONS, { appAuthToken: token.appAuthToken }))
    assert.equal(error.code, 'ALIPAY_SIGNATURE_ERROR', error.message)
    assert.equal(error.kind, 'signature')
    // Both emulators' roots have the same name: the signature check against it fails.
    assert.match(error.reason, /does not chain to the root bundle/)
    assert.ok(error.reason.includes(rotated), error.reason)
    assert.equal(alipay.callCount(ALIPAY_CERT_DOWNLOAD_METHOD), 1, 'the certificate was downloaded, then refused')
    assert.deepEqual(config.trustedAlipayCertSns(), [other.alipayCertSn])

    // The same refusal through fetchAlipayCert.
    const fetched = await rejection(client.fetchAlipayCert(rotated))
    assert.equal(fetched.code, 'ALIPAY_SIGNATURE_ERROR')
    assert.match(fetched.reason, /does not chain to the root bundle/)
    assert.ok(!config.trustedAlipayCertSns().includes(rotated))
  } finally {
    alipay.stop()
    other.stop()
    await relay.close()
  }
})
