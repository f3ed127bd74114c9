'use strict'
// The delegated-call flow end to end against the emulator on loopback, through the built binding:
// merchant authorisation link → the merchant authorises → callback parsed (state checked) → code
// exchanged → token queried → the app-auth push arrives at a node:http application gateway and
// verifies → user consent → user code exchanged on the merchant's behalf → user profile → merchant
// token refreshed (the old one still works) → revoked → the cancellation push arrives and verifies →
// a call with the revoked token fails with 20001 aop.invalid-app-auth-token.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')

const {
  appAuthLink,
  userConsentLink,
  parseAppAuthCallback,
  parseUserAuthCallback,
  PublicKey,
  APP_AUTH_NOTIFY,
  APP_AUTH_CANCELLED,
} = require('..')
const { APP_ID, REDIRECT_URI, startEmulator, startAppGateway, rejection } = require('./flow-helpers')

const VERSIONS = 'alipay.open.mini.version.list.query'

test('the whole delegated-call flow against the emulator', async () => {
  const { emulator, config, client } = startEmulator()
  const gateway = await startAppGateway(config)
  try {
    emulator.setNotifyUrl(gateway.url)
    assert.ok(emulator.alipayPublicKey instanceof PublicKey)
    assert.ok(emulator.alipayPublicKey.equals(PublicKey.fromText(emulator.alipayPublicKeyPem)))
    assert.equal(emulator.gatewayUrl, `${emulator.baseUrl}/gateway.do`)

    // 1. The authorisation link (state generated) and the merchant agreeing.
    const link = appAuthLink({ host: emulator.baseUrl, appId: APP_ID, redirectUri: REDIRECT_URI })
    assert.ok(link.url.startsWith(`${emulator.baseUrl}/oauth2/appToAppAuth.htm?`), link.url)
    assert.match(link.state, /^[A-Za-z0-9_-]{32}$/)
    const callbackUrl = await emulator.merchantAuthorizes(link.url)
    assert.ok(callbackUrl.startsWith(`${REDIRECT_URI}?`), callbackUrl)

    // 2. The callback, its app_id and state checked.
    const callback = parseAppAuthCallback(callbackUrl, APP_ID, { state: link.state })
    assert.equal(callback.appId, APP_ID)
    assert.equal(callback.source, 'alipay_app_auth')
    assert.equal(callback.state, link.state)
    assert.ok(callback.appAuthCode.length > 8)

    // 3. The code exchanged for the merchant's token.
    const tokens = await client.exchangeAppAuthCode(callback.appAuthCode)
    assert.equal(tokens.length, 1)
    const [token] = tokens
    assert.ok(token.appAuthToken.length > 8)
    assert.ok(token.appRefreshToken && token.appRefreshToken !== token.appAuthToken)
    assert.match(token.authAppId, /^\d+$/)
    assert.match(token.userId, /^2088\d+$/)
    assert.ok(token.expiresIn > 0 && token.reExpiresIn > token.expiresIn)

    // 4. What the gateway knows of the token.
    const info = await client.queryAppAuthToken(token.appAuthToken)
    assert.equal(info.valid, true)
    assert.equal(info.status, 'valid')
    assert.equal(info.authAppId, token.authAppId)
    assert.equal(info.userId, token.userId)

    // 5. The authorisation push, verified by the application gateway.
    assert.equal(await emulator.waitForDeliveries(1, 10_000), true)
    assert.deepEqual(gateway.rejected, [])
    assert.equal(gateway.received.length, 1)
    const pushed = gateway.received[0]
    assert.equal(pushed.kind, 'appAuth')
    assert.equal(pushed.detail.appAuthToken, token.appAuthToken)
    assert.equal(pushed.detail.authAppId, token.authAppId)
    const [delivery] = emulator.deliveries()
    assert.equal(delivery.kind, APP_AUTH_NOTIFY)
    assert.equal(delivery.acknowledged, true)
    assert.equal(delivery.url, gateway.url)
    assert.equal(delivery.notifyId, pushed.notifyId)

    // 6. A user consents in the merchant's mini-program; the code is exchanged on its behalf.
    const consent = userConsentLink({
      host: emulator.baseUrl,
      appId: token.authAppId,
      scopes: ['auth_user'],
      redirectUri: REDIRECT_URI,
    })
    const consentCallback = parseUserAuthCallback(await emulator.userConsents(consent.url), token.authAppId, {
      state: consent.state,
    })
    assert.equal(consentCallback.scope, 'auth_user')
    const user = await client.exchangeUserAuthCode(consentCallback.authCode, token.appAuthToken)
    assert.ok(user.accessToken.length > 8)
    assert.ok(user.refreshToken)
    assert.ok(user.userId || user.openId)
    assert.ok(user.expiresIn > 0)

    // 7. The user's profile, on the merchant's behalf.
    const profile = await client.userInfoShare(user.accessToken, token.appAuthToken)
    assert.ok(profile.userId || profile.openId)
    assert.equal(profile.fields.code, '10000')
    if (user.userId) assert.equal(profile.userId, user.userId)

    // 8. The user's token refreshed.
    const refreshedUser = await client.refreshUserToken(user.refreshToken, token.appAuthToken)
    assert.notEqual(refreshedUser.accessToken, user.accessToken)

    // 9. The merchant token refreshed: the old one keeps working for now.
    const [fresh] = await client.refreshAppAuthToken(token.appRefreshToken)
    assert.notEqual(fresh.appAuthToken, token.appAuthToken)
    assert.equal(fresh.authAppId, token.authAppId)
    for (const appAuthToken of [token.appAuthToken, fresh.appAuthToken]) {
      const { fields } = await client.execute(VERSIONS, { appAuthToken, bizContent: { bundle_id: 'com.alipay.alipaywallet' } })
      assert.equal(fields.code, '10000')
      assert.equal(fields.auth_app_id, token.authAppId)
    }

    // 10. The merchant revokes: the cancellation push arrives and verifies.
    emulator.revoke(token.authAppId)
    assert.equal(await emulator.waitForDeliveries(2, 10_000), true)
    assert.deepEqual(gateway.rejected, [])
    assert.equal(gateway.received.length, 2)
    const cancelled = gateway.received[1]
    assert.equal(cancelled.kind, 'message')
    assert.equal(cancelled.msgMethod, APP_AUTH_CANCELLED)
    assert.equal(cancelled.appAuthCancelled, true)
    assert.equal(emulator.deliveries()[1].acknowledged, true)

    // 11. A call with the revoked token fails with the gateway's real error.
    const error = await rejection(client.execute(VERSIONS, { appAuthToken: fresh.appAuthToken }))
    assert.equal(error.code, 'ALIPAY_API_ERROR')
    assert.equal(error.apiCode, '20001')
    assert.equal(error.subCode, 'aop.invalid-app-auth-token')
    assert.equal(error.signed, true)
    assert.ok(!error.message.includes(fresh.appAuthToken))

    // Nothing shown of the objects of the flow carries a token or a code.
    const secrets = [token.appAuthToken, token.appRefreshToken, fresh.appAuthToken, user.accessToken, user.refreshToken, callback.appAuthCode, consentCallback.authCode]
    const shown = [token, fresh, user, refreshedUser, callback, consentCallback, client, emulator].flatMap((value) => [String(value), util.inspect(value), `${value}`])
    for (const text of shown) {
      for (const secret of secrets) assert.ok(!text.includes(secret), `${text} shows a secret`)
    }
    assert.match(String(token), /AppAuthToken/)
    assert.match(util.inspect(user), /UserToken .*access_token: "\S+…\(\d+ chars\)"/)
    assert.equal(String(client), `Client(${APP_ID}, ${emulator.gatewayUrl})`)
    assert.ok(emulator.callCount('alipay.open.auth.token.app') >= 2)
    assert.ok(emulator.totalCalls >= 8)
  } finally {
    emulator.stop()
    await gateway.close()
  }
})

test('the …Sync twins walk the same flow on the calling thread', () => {
  const { emulator, client } = startEmulator()
  try {
    const link = appAuthLink({ host: emulator.baseUrl, appId: APP_ID, redirectUri: REDIRECT_URI, state: 'c3RhdGU=' })
    assert.equal(link.state, 'c3RhdGU=')
    const callback = parseAppAuthCallback(emulator.merchantAuthorizesSync(link.url), APP_ID, { state: 'c3RhdGU=' })
    const [token] = client.exchangeAppAuthCodeSync(callback.appAuthCode)
    assert.equal(client.queryAppAuthTokenSync(token.appAuthToken).valid, true)
    const response = client.executeSync(VERSIONS, { appAuthToken: token.appAuthToken })
    assert.equal(response.fields.auth_app_id, token.authAppId)
    const consent = userConsentLink({ host: emulator.baseUrl, appId: token.authAppId, scopes: ['auth_base'], redirectUri: REDIRECT_URI })
    const user = client.exchangeUserAuthCodeSync(
      parseUserAuthCallback(emulator.userConsentsSync(consent.url), token.authAppId, { state: consent.state }).authCode,
      token.appAuthToken,
    )
    assert.ok(user.accessToken)
    assert.ok(client.refreshUserTokenSync(user.refreshToken, token.appAuthToken).accessToken)
    const [fresh] = client.refreshAppAuthTokenSync(token.appRefreshToken)
    assert.notEqual(fresh.appAuthToken, token.appAuthToken)
    // No notify URL: the push is recorded, finished, never posted.
    assert.equal(emulator.waitForDeliveriesSync(1, 5000), true)
    assert.equal(emulator.deliveries()[0].url, null)
    assert.equal(emulator.deliveries()[0].attempts, 0)
  } finally {
    emulator.stop()
  }
  assert.equal(emulator.running, false)
  assert.equal(String(emulator), 'Emulator(stopped)')
})

test('a stopped emulator refuses calls with a config error; stop() twice is harmless', () => {
  const { emulator } = startEmulator()
  emulator.stop()
  emulator.stop()
  assert.throws(() => emulator.baseUrl, { code: 'ALIPAY_CONFIG_ERROR', reason: 'the emulator is stopped' })
  assert.throws(() => emulator.merchantAuthorizesSync('http://127.0.0.1:1/'), { code: 'ALIPAY_CONFIG_ERROR' })
  // The Alipay public key outlives the server.
  assert.match(emulator.alipayPublicKeyPem, /BEGIN PUBLIC KEY/)
})

test('a batch link grants one token per application type; a console link comes back without a state check', async () => {
  const { emulator, client } = startEmulator()
  try {
    const { consoleAuthLink } = require('..')
    const batch = appAuthLink({ host: emulator.baseUrl, appId: APP_ID, redirectUri: REDIRECT_URI, applicationTypes: ['TINYAPP', 'webapp'] })
    assert.ok(batch.url.includes('/oauth2/appToAppBatchAuth.htm?'), batch.url)
    assert.ok(batch.url.includes('application_type=TINYAPP%2CWEBAPP'), batch.url)
    const callback = parseAppAuthCallback(await emulator.merchantAuthorizes(batch.url), APP_ID, { state: batch.state })
    const tokens = await client.exchangeAppAuthCode(callback.appAuthCode)
    assert.ok(tokens.length >= 1)
    for (const token of tokens) assert.ok(token.appAuthToken && token.authAppId)

    const console_ = consoleAuthLink({ host: emulator.baseUrl, appId: APP_ID, redirectUri: REDIRECT_URI, applicationTypes: ['TINYAPP'] })
    assert.ok(console_.url.startsWith(`${emulator.baseUrl}/page/message/tasksDetail?bizData=`), console_.url)
    const consoleCallback = parseAppAuthCallback(await emulator.merchantAuthorizes(console_.url), APP_ID, {
      state: console_.state,
      allowMissingState: true,
    })
    assert.ok((await client.exchangeAppAuthCode(consoleCallback.appAuthCode)).length >= 1)
  } finally {
    emulator.stop()
  }
})
