'use strict'
// Certificate mode (公钥证书模式) against the offline Alipay emulator: the app certificate, the Alipay
// certificate and the root bundle configured as file contents; a merchant authorises; a delegated
// call; Alipay rotates its certificate and the client downloads, checks and trusts the new one by
// itself; a notification signed by the new certificate verifies.
//
//   node examples/node/cert-mode-emulated.js
//
// In production the three certificates are the files the Alipay console gives you:
//   appCert: fs.readFileSync('appCertPublicKey_<app_id>.crt'),
//   alipayCert: fs.readFileSync('alipayCertPublicKey_RSA2.crt'),
//   rootCert: fs.readFileSync('alipayRootCert.crt'),
// The app keys are the test keys of tests/vectors/keys (never use them for anything real).

const assert = require('node:assert/strict')
const fs = require('node:fs')
const http = require('node:http')
const path = require('node:path')
const {
  Emulator,
  IsvConfig,
  Client,
  appAuthLink,
  parseAppAuthCallback,
  SUCCESS_ACK,
  ALIPAY_CERT_DOWNLOAD_METHOD,
} = require('../../bindings-node')

const APP_ID = '2021000000000001'
const keys = path.join(__dirname, '..', '..', 'tests', 'vectors', 'keys')
const appPrivateKey = fs.readFileSync(path.join(keys, 'app_2048_pkcs8.pem'), 'utf8')
const appPublicKey = fs.readFileSync(path.join(keys, 'app_2048_public.pem'), 'utf8')
const REDIRECT_URI = 'https://isv.example.com/alipay/callback'

async function main() {
  const emulator = Emulator.start({ appId: APP_ID, appPublicKey, certMode: true })
  // The application gateway: every push verified, fetching an unknown Alipay certificate first.
  let client
  const notifications = []
  const server = http.createServer((request, response) => {
    const chunks = []
    request.on('data', (chunk) => chunks.push(chunk))
    request.on('end', async () => {
      try {
        notifications.push(await client.verifyNotification(Buffer.concat(chunks)))
        response.end(SUCCESS_ACK)
      } catch (error) {
        console.error(`refused a notification: ${error.code} ${error.reason}`)
        response.statusCode = 400
        response.end('fail')
      }
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    emulator.setNotifyUrl(`http://127.0.0.1:${server.address().port}/alipay/gateway`)

    const config = new IsvConfig({
      appId: APP_ID,
      privateKey: appPrivateKey,
      appCert: emulator.issueAppCert(appPublicKey),
      alipayCert: emulator.alipayCertPem,
      rootCert: emulator.rootCertBundlePem,
      gateway: emulator.gatewayUrl,
    })
    client = new Client(config)
    console.log(`${config}`)
    console.log(`app_cert_sn ${config.appCertSn}, alipay_root_cert_sn ${config.alipayRootCertSn}`)

    const link = appAuthLink({ host: emulator.baseUrl, appId: APP_ID, redirectUri: REDIRECT_URI })
    const callback = parseAppAuthCallback(await emulator.merchantAuthorizes(link.url), APP_ID, { state: link.state })
    const [token] = await client.exchangeAppAuthCode(callback.appAuthCode)
    const first = await client.execute('alipay.open.mini.version.list.query', { appAuthToken: token.appAuthToken })
    console.log(`delegated call verified with Alipay certificate ${first.alipayCertSn}`)

    const rotated = emulator.rotateAlipayCert()
    const next = await client.execute('alipay.open.mini.version.list.query', { appAuthToken: token.appAuthToken })
    assert.equal(next.alipayCertSn, rotated)
    assert.equal(emulator.callCount(ALIPAY_CERT_DOWNLOAD_METHOD), 1)
    console.log(`after the rotation: downloaded, checked and trusted ${rotated}`)

    emulator.revoke(token.authAppId)
    assert.equal(await emulator.waitForDeliveries(2, 10_000), true)
    assert.equal(notifications.length, 2)
    assert.equal(notifications[1].kind, 'message')
    console.log(`trusted Alipay certificates: ${config.trustedAlipayCertSns().join(', ')}`)
    console.log('cert-mode-emulated: ok')
  } finally {
    emulator.stop()
    await new Promise((resolve) => server.close(resolve))
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
