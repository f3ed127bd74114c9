'use strict'
// A worker process of secrets.test.js (not a test itself; run directly it does nothing). It drives
// the whole flow against the emulator with recognisable secrets where the test controls them (a
// freshly generated app key, an AES key, a token key, a proxy password, markers inside bad key
// text), collects every token and code the emulator mints, provokes failures, logs every object and
// error it touched through `console` (captured here, and by the parent at the file-descriptor
// level), and writes a JSON report to the file named by SECRETS_REPORT: the secrets, every text
// that was shown, and the captured console / process output. The parent does the searching.

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const util = require('node:util')

/** The captured output of this process: every console call and stdout / stderr write. */
const captured = []

/** Tees `process.stdout` / `process.stderr` writes and every console method into `captured`. */
function captureOutput() {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream)
    stream.write = (chunk, ...rest) => {
      captured.push(Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk))
      return write(chunk, ...rest)
    }
  }
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir']) {
    const original = console[method].bind(console)
    console[method] = (...args) => {
      captured.push(util.format(...args))
      return original(...args)
    }
  }
}

async function main(reportFile) {
  captureOutput()
  const binding = require('..')
  const {
    generateKeyPair,
    PrivateKey,
    PublicKey,
    Signer,
    Verifier,
    AesKey,
    TokenKey,
    Emulator,
    IsvConfig,
    Client,
    Registry,
    NotificationVerifier,
    ResponseVerifier,
    appAuthLink,
    userConsentLink,
    parseAppAuthCallback,
    parseUserAuthCallback,
  } = binding
  const { APP_ID, REDIRECT_URI, startAppGateway } = require('./flow-helpers')
  const VERSIONS = 'alipay.open.mini.version.list.query'
  const TOKEN_METHOD = 'alipay.open.auth.token.app'

  const secrets = []
  const texts = []
  const errors = []
  const touched = []
  /** Records a secret value (named, for the failure message). */
  const secret = (name, value) => {
    if (typeof value === 'string' && value.length > 0) secrets.push({ name, value })
  }
  /** Records an object: its string forms are searched, and it is logged like an app would. */
  const touch = (name, value) => {
    touched.push(name)
    texts.push({ where: `String(${name})`, text: String(value) })
    texts.push({ where: `inspect(${name})`, text: util.inspect(value, { depth: 6, showHidden: true }) })
    texts.push({ where: `template(${name})`, text: `${value}` })
    console.log(name, value)
    console.info(`${name}: %s`, value)
    // `console.dir` skips custom inspection (`customInspect: false`): for the binding's classes it
    // shows no field at all; a plain result object (a notification, a response's fields) it shows
    // as the data it is, like `JSON.stringify` would, so it is not dumped that way here.
    if (Object.getPrototypeOf(value) !== Object.prototype) console.dir(value, { depth: 6 })
    return value
  }
  /** Records an error: every text it carries; it is logged like an app would. */
  const record = (name, error) => {
    if (!(error instanceof Error)) throw new Error(`${name}: not an Error: ${util.inspect(error)}`)
    errors.push({ name, code: error.code })
    const fields = ['message', 'reason', 'stack', 'msg', 'subMsg', 'hint', 'subCode']
    for (const field of fields) {
      if (typeof error[field] === 'string') texts.push({ where: `${name}.${field}`, text: error[field] })
    }
    texts.push({ where: `String(${name})`, text: String(error) })
    texts.push({ where: `inspect(${name})`, text: util.inspect(error, { showHidden: true }) })
    texts.push({ where: `JSON(${name})`, text: JSON.stringify(error) })
    console.error(name, error)
    console.warn(`${name}: ${error.message}`)
    return error
  }
  /** Runs `fn` (sync or async); records and returns the error it must end in. */
  const failing = async (name, fn) => {
    try {
      await fn()
    } catch (error) {
      return record(name, error)
    }
    throw new Error(`${name}: expected an error`)
  }

  // 1. Keys and secrets under the test's control.
  const pair = touch('keyPair', generateKeyPair(2048))
  touch('privateKey', pair.privateKey)
  touch('publicKey', pair.publicKey)
  const pkcs8Pem = pair.privateKey.toPkcs8Pem()
  const pkcs1Pem = pair.privateKey.toPkcs1Pem()
  for (const [name, value] of [
    ['pkcs8 PEM', pkcs8Pem],
    ['pkcs1 PEM', pkcs1Pem],
    ['pkcs8 Base64', pair.privateKey.toPkcs8Base64()],
    ['pkcs1 Base64', pair.privateKey.toPkcs1Base64()],
  ]) {
    secret(`private key ${name}`, value)
  }
  const aesRaw = 'SECRETaesKEY0001'
  const aesBase64 = Buffer.from(aesRaw).toString('base64')
  const tokenKeyRaw = 'SECRET-token-key-0123456789abcde'
  const tokenKeyBase64 = Buffer.from(tokenKeyRaw).toString('base64')
  const proxyPassword = 'PROXYpassMARKER42'
  const keyMarker = 'KEYTEXTMARKER7'
  for (const [name, value] of [
    ['AES key', aesRaw],
    ['AES key Base64', aesBase64],
    ['token key', tokenKeyRaw],
    ['token key Base64', tokenKeyBase64],
    ['proxy password', proxyPassword],
    ['bad key marker', keyMarker],
  ]) {
    secret(name, value)
  }
  const signer = touch('signer', new Signer(pair.privateKey))
  const verifier = touch('verifier', new Verifier(pair.publicKey))
  verifier.verify('a=1', signer.sign('a=1'))
  touch('aesKey', AesKey.fromBase64(aesBase64))
  const tokenKey = touch('tokenKey', TokenKey.fromBase64(tokenKeyBase64))

  // 2. The emulator, the config (the key given as PEM text), the client, the application gateway.
  const emulator = touch(
    'emulator',
    Emulator.start({ appId: APP_ID, appPublicKey: pair.publicKey, aesKey: aesBase64, appAuthTokenTtlMs: 60_000 }),
  )
  const config = touch(
    'config',
    new IsvConfig({
      appId: APP_ID,
      privateKey: pkcs8Pem,
      alipayPublicKey: emulator.alipayPublicKey,
      gateway: emulator.gatewayUrl,
      aesKey: aesBase64,
    }),
  )
  const client = touch('client', new Client(config, { connectTimeoutMs: 1000, readTimeoutMs: 1500 }))
  const appGateway = await startAppGateway(config)
  emulator.setNotifyUrl(appGateway.url)
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'alipay-isv-node-secrets-'))
  try {
    // 3. The merchant authorises; the code is exchanged.
    const link = touch('appAuthLink', appAuthLink({ host: emulator.baseUrl, appId: APP_ID, redirectUri: REDIRECT_URI }))
    const callbackUrl = await emulator.merchantAuthorizes(link.url)
    const callback = touch('appAuthCallback', parseAppAuthCallback(callbackUrl, APP_ID, { state: link.state }))
    secret('app_auth_code', callback.appAuthCode)
    const tokens = await client.exchangeAppAuthCode(callback.appAuthCode)
    const [token] = tokens
    touch('appAuthTokens', tokens)
    touch('appAuthToken', token)
    secret('app_auth_token', token.appAuthToken)
    secret('app_refresh_token', token.appRefreshToken)
    touch('tokenInfo', await client.queryAppAuthToken(token.appAuthToken))

    // 4. The registry (tokens encrypted with the recognisable key) ingests the tokens and the push.
    const file = path.join(temp, 'registry.db')
    const registry = touch('registry', Registry.open(file, { client, refreshMarginMs: 120_000, tokenKey }))
    await registry.ingestTokens(tokens)
    if (!(await emulator.waitForDeliveries(1, 10_000))) throw new Error('no authorisation push')
    touch('deliveries', emulator.deliveries())
    const [pushed] = appGateway.received
    touch('appAuthNotification', pushed)
    touch('appAuthNotification.detail', pushed.detail)
    secret('pushed app_auth_token', pushed.detail.appAuthToken)
    secret('pushed app_refresh_token', pushed.detail.appRefreshToken)
    secret('pushed app_auth_code', pushed.detail.appAuthCode)
    await registry.ingestNotification(pushed)
    touch('record', await registry.get(token.authAppId))

    // 5. A user consents; the user's code is exchanged on the merchant's behalf; the profile.
    const consent = touch(
      'consentLink',
      userConsentLink({ host: emulator.baseUrl, appId: token.authAppId, scopes: ['auth_user'], redirectUri: REDIRECT_URI }),
    )
    const consentUrl = await emulator.userConsents(consent.url)
    const userCallback = touch('userAuthCallback', parseUserAuthCallback(consentUrl, token.authAppId, { state: consent.state }))
    secret('user auth_code', userCallback.authCode)
    const user = touch('userToken', await client.exchangeUserAuthCode(userCallback.authCode, token.appAuthToken))
    secret('access_token', user.accessToken)
    secret('user refresh_token', user.refreshToken)
    touch('userInfo', await client.userInfoShare(user.accessToken, token.appAuthToken))
    const refreshedUser = touch('refreshedUserToken', await client.refreshUserToken(user.refreshToken, token.appAuthToken))
    secret('refreshed access_token', refreshedUser.accessToken)
    secret('refreshed user refresh_token', refreshedUser.refreshToken)

    // 6. The registry refreshes the due token; a delegated call with it; an encrypted call.
    const refreshed = await registry.tokenFor(token.authAppId)
    const record2 = touch('refreshedRecord', await registry.get(token.authAppId))
    secret('refreshed app_auth_token', refreshed)
    secret('refreshed app_refresh_token', record2.appRefreshToken)
    if (refreshed === token.appAuthToken) throw new Error('the registry did not refresh')
    touch('records', await registry.list())
    touch('delegatedAnswer', await registry.executeFor(token.authAppId, VERSIONS, { bizContent: {} }))
    touch('encryptedAnswer', await client.execute(VERSIONS, { appAuthToken: refreshed, bizContent: { a: 1 }, encrypt: true }))
    const request = touch('signedRequest', config.signRequest(VERSIONS, { appAuthToken: refreshed, authToken: user.accessToken }))
    // (`request.httpRequest()` is the wire form: its URL carries the tokens by design; never log it.)
    if (!request.httpRequest().url.includes('auth_token=')) throw new Error('no token in the request')
    touch('notificationVerifier', config.notificationVerifier())
    touch('responseVerifier', config.responseVerifier())

    // 7. Failures, deliberately provoked.
    await failing('wrong state', () => parseAppAuthCallback(callbackUrl, APP_ID, { state: 'd3Jvbmc=' }))
    await failing('user callback, other app', () => parseUserAuthCallback(consentUrl, '2021000000009999', { state: consent.state }))
    await failing('used app_auth_code', () => client.exchangeAppAuthCode(callback.appAuthCode))
    await failing('used user auth_code', () => client.exchangeUserAuthCode(userCallback.authCode, token.appAuthToken))
    await failing('spent app_refresh_token', () => client.refreshAppAuthToken(token.appRefreshToken))
    await failing('spent user refresh_token', () => client.refreshUserToken(user.refreshToken, token.appAuthToken))
    await failing('token in a colliding extra param', () =>
      config.signRequest(VERSIONS, { extraParams: { app_id: refreshed } }),
    )
    for (const kind of ['unsigned', 'truncated_body', 'bad_gateway', 'reset']) {
      emulator.setFault(kind, { times: 1 })
      await failing(`refresh meets ${kind}`, () => client.refreshAppAuthToken(record2.appRefreshToken))
      // The answer cut short, or the failure, spent (or not) the refresh token: either way, go on.
    }
    emulator.setFault('unsigned', { times: 1 })
    await failing('unsigned user token answer', () => client.refreshUserToken(refreshedUser.refreshToken, refreshed))
    const tamperedPush = appGateway.bodies[0].toString('utf8').replace(/sign=([A-Za-z0-9%])/, 'sign=A$1')
    await failing('tampered push', () => new NotificationVerifier(emulator.alipayPublicKey).verifyBody(tamperedPush))
    await failing('push with a parameter twice', () =>
      config.notificationVerifier().verifyBody(`${appGateway.bodies[0]}&app_auth_token=${refreshed}`),
    )
    const forged = JSON.stringify({
      alipay_open_auth_token_app_response: { code: '10000', msg: 'Success', app_auth_token: refreshed, app_refresh_token: record2.appRefreshToken },
      sign: Buffer.alloc(256, 7).toString('base64'),
    })
    await failing('forged token answer', () => new ResponseVerifier(emulator.alipayPublicKey).verify(TOKEN_METHOD, forged))
    await failing('malformed token answer', () => config.responseVerifier().verify(TOKEN_METHOD, forged.slice(0, forged.length - 40)))

    // Bad key text: a marker inside PEM armour, bare, as DER; a real key cut short, altered, in the
    // wrong role; the app's own public key as the Alipay key.
    const markerBase64 = Buffer.from(`${keyMarker}${keyMarker}`).toString('base64')
    secret('bad key marker Base64', markerBase64)
    const body = pkcs8Pem.split('\n').filter((line) => line && !line.startsWith('-----')).join('')
    const middle = Math.floor(body.length / 2)
    const altered = pkcs8Pem.replace(body.slice(middle, middle + 8), body.slice(middle, middle + 8) === 'AAAAAAAA' ? 'BBBBBBBB' : 'AAAAAAAA')
    await failing('marker in PEM armour', () => PrivateKey.fromText(`-----BEGIN PRIVATE KEY-----\n${keyMarker}\n-----END PRIVATE KEY-----`))
    await failing('marker Base64 in PEM armour', () => PrivateKey.fromText(`-----BEGIN PRIVATE KEY-----\n${markerBase64}\n-----END PRIVATE KEY-----`))
    await failing('bare marker', () => PrivateKey.fromText(keyMarker))
    await failing('bare marker Base64', () => PrivateKey.fromText(markerBase64))
    await failing('marker as DER', () => PrivateKey.fromDer(Buffer.from(`0\u0082${keyMarker}`)))
    await failing('marker public key', () => PublicKey.fromText(`-----BEGIN PUBLIC KEY-----\n${markerBase64}\n-----END PUBLIC KEY-----`))
    await failing('marker config key', () => new IsvConfig({ appId: APP_ID, privateKey: `x${keyMarker}`, alipayPublicKey: emulator.alipayPublicKey }))
    await failing('key cut short', () => PrivateKey.fromText(pkcs8Pem.slice(0, 900)))
    await failing('pkcs1 key cut short', () => PrivateKey.fromText(pair.privateKey.toPkcs1Base64().slice(0, 1000)))
    await failing('altered key', () => PrivateKey.fromText(altered))
    await failing('private key as public', () => PublicKey.fromText(pkcs8Pem))
    await failing('own key as Alipay key', () => new IsvConfig({ appId: APP_ID, privateKey: pkcs8Pem, alipayPublicKey: pair.publicKey }))
    await failing('marker token key', () => TokenKey.fromBase64(`${keyMarker}==`))
    await failing('marker AES key', () => AesKey.fromBase64(markerBase64))
    await failing('wrong token key', () => Registry.open(file, { tokenKey: TokenKey.fromBytes(Buffer.alloc(32, 9)) }))
    await failing('AES text as token key', () => Registry.open(file, { tokenKey: aesBase64 }))

    // A proxy with a password that does not answer.
    const proxied = touch('proxiedClient', new Client(config, { proxy: `http://isv:${proxyPassword}@127.0.0.1:9/`, connectTimeoutMs: 500, readTimeoutMs: 500 }))
    await failing('through a dead proxy', () => proxied.execute(VERSIONS, { appAuthToken: refreshed }))

    // The merchant revokes: calls with its tokens fail; the registry learns it from the push.
    emulator.revoke(token.authAppId)
    await failing('revoked merchant call', () => client.execute(VERSIONS, { appAuthToken: refreshed }))
    touch('revokedTokenInfo', await client.queryAppAuthToken(refreshed))
    if (!(await emulator.waitForDeliveries(2, 10_000))) throw new Error('no cancellation push')
    const cancelled = touch('cancellationNotification', appGateway.received[appGateway.received.length - 1])
    await registry.ingestNotification(cancelled)
    touch('revokedRecord', await registry.get(token.authAppId))
    await failing('revoked merchant tokenFor', () => registry.tokenFor(token.authAppId))
    await failing('revoked merchant executeFor', () => registry.executeFor(token.authAppId, VERSIONS))
    await failing('unknown merchant', () => registry.tokenFor('2021000000000404'))
    registry.close()
    await failing('closed registry', () => registry.get(token.authAppId))
    touch('closedRegistry', registry)
    emulator.stop()
    touch('stoppedEmulator', emulator)
  } finally {
    emulator.stop()
    await appGateway.close()
    fs.rmSync(temp, { recursive: true, force: true })
  }
  fs.writeFileSync(reportFile, JSON.stringify({ secrets, texts, errors, touched, captured }))
}

if (process.env.SECRETS_REPORT) {
  main(process.env.SECRETS_REPORT).catch((error) => {
    // The worker's own failure: the parent reports it (its stack names no secret of ours).
    process.stderr.write(`secrets-worker failed: ${error && error.stack}\n`)
    process.exit(1)
  })
}
