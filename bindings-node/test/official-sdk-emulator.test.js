'use strict'
// The official Node SDK (npm `alipay-sdk`, the version pinned in package.json) against the emulator:
// `exec` with signature validation on, configured with the emulator's Alipay public key and gateway
// URL, completes `alipay.open.auth.token.app` (a code minted through `merchantAuthorizes`) and
// `alipay.system.oauth.token` (a user code, delegated with the merchant's app_auth_token).
//
// The SDK formats `timestamp` in the host's local time zone, while Alipay (and the emulator, with its
// ±15 min window) reads it as China time (UTC+8). This process therefore runs in Asia/Shanghai; the
// last test shows the SDK's requests refused under a zone 8 hours away.
process.env.TZ = 'Asia/Shanghai'

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')

const { AlipaySdk } = require('alipay-sdk')
const SDK_VERSION = require('alipay-sdk/package.json').version
const { appAuthLink, userConsentLink, parseAppAuthCallback, parseUserAuthCallback } = require('..')
const { APP_ID, APP_PRIVATE_KEY, REDIRECT_URI, startEmulator } = require('./flow-helpers')

let emulator
let client
let sdk

before(() => {
  ;({ emulator, client } = startEmulator())
  sdk = new AlipaySdk({
    appId: APP_ID,
    privateKey: APP_PRIVATE_KEY,
    keyType: 'PKCS8',
    alipayPublicKey: emulator.alipayPublicKeyPem,
    gateway: emulator.gatewayUrl,
    charset: 'UTF-8',
    timeout: 5000,
  })
})

after(() => emulator.stop())

/** A fresh merchant `app_auth_code`, minted by the emulator's authorisation page. */
async function merchantCode() {
  const link = appAuthLink({ host: emulator.baseUrl, appId: APP_ID, redirectUri: REDIRECT_URI })
  return parseAppAuthCallback(await emulator.merchantAuthorizes(link.url), APP_ID, { state: link.state }).appAuthCode
}

test(`alipay-sdk ${SDK_VERSION} is the pinned version`, () => {
  assert.equal(SDK_VERSION, require('../package.json').devDependencies['alipay-sdk'])
})

test('alipay-sdk exec: alipay.open.auth.token.app with validateSign, then the user token delegated', async () => {
  const before = emulator.callCount('alipay.open.auth.token.app')
  const merchant = await sdk.exec(
    'alipay.open.auth.token.app',
    { bizContent: { grant_type: 'authorization_code', code: await merchantCode() } },
    { validateSign: true },
  )
  assert.equal(merchant.code, '10000', JSON.stringify(merchant.subCode))
  assert.ok(merchant.appAuthToken || merchant.tokens?.[0]?.appAuthToken)
  const appAuthToken = merchant.appAuthToken ?? merchant.tokens[0].appAuthToken
  const authAppId = merchant.authAppId ?? merchant.tokens[0].authAppId
  assert.equal(emulator.callCount('alipay.open.auth.token.app'), before + 1)
  // The token the SDK got works for our client too.
  assert.equal((await client.queryAppAuthToken(appAuthToken)).authAppId, authAppId)

  const consent = userConsentLink({ host: emulator.baseUrl, appId: authAppId, scopes: ['auth_user'], redirectUri: REDIRECT_URI })
  const { authCode } = parseUserAuthCallback(await emulator.userConsents(consent.url), authAppId, { state: consent.state })
  const user = await sdk.exec(
    'alipay.system.oauth.token',
    { grantType: 'authorization_code', code: authCode, appAuthToken },
    { validateSign: true },
  )
  assert.equal(user.code ?? '10000', '10000', JSON.stringify(user))
  assert.ok(user.accessToken)
  assert.ok(user.userId || user.openId)
  // The SDK's user token reads the profile through our client.
  const profile = await client.userInfoShare(user.accessToken, appAuthToken)
  assert.ok(profile.userId || profile.openId)
})

test('alipay-sdk sees the emulator\'s errors: a used code is 40002 isv.code-invalid', async () => {
  const code = await merchantCode()
  await client.exchangeAppAuthCode(code)
  const again = await sdk.exec(
    'alipay.open.auth.token.app',
    { bizContent: { grant_type: 'authorization_code', code } },
    { validateSign: true },
  )
  assert.equal(again.code, '40002')
  assert.equal(again.subCode, 'isv.code-invalid')
})

test('alipay-sdk validateSign rejects an answer signed by another key', async () => {
  const other = new AlipaySdk({
    appId: APP_ID,
    privateKey: APP_PRIVATE_KEY,
    keyType: 'PKCS8',
    alipayPublicKey: require('./helpers').readKey('keys/alipay_2048_public.pem'),
    gateway: emulator.gatewayUrl,
  })
  await assert.rejects(
    other.exec('alipay.open.auth.token.app', { bizContent: { grant_type: 'authorization_code', code: await merchantCode() } }, { validateSign: true }),
    /验签失败/,
  )
})

test('the SDK\'s host-time-zone timestamp: under UTC-8 the emulator refuses it (the SDK\'s bug, not ours)', async () => {
  const exchange = async (validateSign) =>
    sdk.exec(
      'alipay.open.auth.token.app',
      { bizContent: { grant_type: 'authorization_code', code: await merchantCode() } },
      { validateSign },
    )
  process.env.TZ = 'America/Los_Angeles'
  try {
    // 15-16 hours off China time: outside the ±15 min window. The gateway-level refusal comes in a
    // signed `error_response`, which this SDK cannot validate (it only locates `<method>_response` in
    // the body), so with validateSign it fails on its own check; without, it shows the refusal.
    const answer = await exchange(false)
    assert.equal(answer.code, '40002')
    assert.equal(answer.subCode, 'isv.invalid-timestamp')
    await assert.rejects(exchange(true), /验签失败/)
  } finally {
    process.env.TZ = 'Asia/Shanghai'
  }
  // Our client stamps China time whatever the host zone.
  process.env.TZ = 'America/Los_Angeles'
  try {
    assert.equal((await client.exchangeAppAuthCode(await merchantCode())).length, 1)
  } finally {
    process.env.TZ = 'Asia/Shanghai'
  }
})

// OpenAPI v3: the official SDK's `curl` (its own auth string, string to sign and signatureV3; its own
// answer verification with verifySignatureV3) against the emulator's `/v3/…` front.
function v3Sdk() {
  return new AlipaySdk({
    appId: APP_ID,
    privateKey: APP_PRIVATE_KEY,
    keyType: 'PKCS8',
    alipayPublicKey: emulator.alipayPublicKeyPem,
    endpoint: emulator.baseUrl,
    timeout: 5000,
  })
}

test('alipay-sdk curl over v3: code exchange, token query, user token and profile delegated, a merchant call', async () => {
  const v3 = v3Sdk()
  const exchanged = await v3.curl('POST', '/v3/alipay/open/auth/token/app', {
    body: { grant_type: 'authorization_code', code: await merchantCode() },
  })
  assert.equal(exchanged.responseHttpStatus, 200)
  const { app_auth_token: appAuthToken, auth_app_id: authAppId } = exchanged.data
  assert.ok(appAuthToken && authAppId)
  assert.equal(exchanged.data.code, undefined, 'v3 answers are flat')

  const queried = await v3.curl('GET', '/v3/alipay/open/auth/token/app/query', { query: { app_auth_token: appAuthToken } })
  assert.equal(queried.data.status, 'valid')
  assert.equal(queried.data.auth_app_id, authAppId)

  const consent = userConsentLink({ host: emulator.baseUrl, appId: authAppId, scopes: ['auth_user'], redirectUri: REDIRECT_URI })
  const { authCode } = parseUserAuthCallback(await emulator.userConsents(consent.url), authAppId, { state: consent.state })
  const user = await v3.curl('POST', '/v3/alipay/system/oauth/token', {
    body: { grant_type: 'authorization_code', code: authCode },
    appAuthToken,
  })
  assert.ok(user.data.access_token)
  const profile = await v3.curl('POST', '/v3/alipay/user/info/share', {
    query: { auth_token: user.data.access_token },
    appAuthToken,
  })
  assert.ok(profile.data.nick_name)

  const versions = await v3.curl('POST', '/v3/alipay/open/mini/version/list/query', {
    body: { bundle_id: 'com.alipay.alipaywallet' },
    appAuthToken,
  })
  assert.equal(versions.data.auth_app_id, authAppId)
})

test('alipay-sdk curl over v3: the emulator answers errors as Alipay does (status, code, message, links)', async () => {
  const v3 = v3Sdk()
  // A fake merchant token.
  await assert.rejects(
    v3.curl('POST', '/v3/alipay/open/mini/version/list/query', { body: { bundle_id: 'x' }, appAuthToken: '202612BBnotatoken00000000000000000000000' }),
    (error) => {
      assert.equal(error.code, 'invalid-app-auth-token', error.message)
      assert.equal(error.responseHttpStatus, 401)
      assert.equal(error.links.length, 1)
      return true
    },
  )
  // A merchant API called without the merchant's token.
  await assert.rejects(v3.curl('POST', '/v3/alipay/open/mini/version/list/query', { body: { bundle_id: 'x' } }), (error) => {
    assert.equal(error.code, 'self-invoke-forbidden')
    assert.equal(error.responseHttpStatus, 403)
    return true
  })
  // Signed with another app's key: refused before anything else.
  const stranger = new AlipaySdk({
    appId: APP_ID,
    privateKey: require('node:crypto').generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
    keyType: 'PKCS8',
    alipayPublicKey: emulator.alipayPublicKeyPem,
    endpoint: emulator.baseUrl,
  })
  await assert.rejects(stranger.curl('POST', '/v3/alipay/open/auth/token/app', { body: { grant_type: 'authorization_code', code: 'x' } }), (error) => {
    assert.equal(error.code, 'invalid-signature')
    return true
  })
})
