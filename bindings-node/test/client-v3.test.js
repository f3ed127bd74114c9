'use strict'
// Mirrors core/src/client/v3_calls.rs and Registry::execute_v3_for (emulator/tests/client_v3.rs,
// v3_aes.rs, v3_upload.rs) through the built package against the emulator's /v3 front, over real HTTP:
// the merchant token flow over v3 (code, query, refresh), the user flow on the merchant's behalf (code,
// profile, refresh), a generic delegated `executeV3`, `Registry.executeV3For`, each with its `…Sync`
// twin; the typed errors (HTTP status, v3 code, hint, trace id, links) of a used code, an unknown token,
// an expired access token and a merchant API called without the merchant's token; bad calls refused
// before anything is sent; certificate mode; AES both ways; file uploads from bytes and from a path;
// and no token in any string form or error of the whole flow.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const util = require('node:util')

const {
  Emulator,
  IsvConfig,
  Client,
  Registry,
  AppAuthToken,
  UserToken,
  V3Response,
  appAuthLink,
  userConsentLink,
  parseAppAuthCallback,
  parseUserAuthCallback,
} = require('..')
const { APP_ID, APP_PRIVATE_KEY, APP_PUBLIC_KEY, REDIRECT_URI, startEmulator, rejection, thrown } = require('./flow-helpers')

const VERSIONS_PATH = '/v3/alipay/open/mini/version/list/query'
const AES = 'aYA0GP8JEW+D7/UFaskCWA=='
const TRANSPORT = { connectTimeoutMs: 2000, readTimeoutMs: 5000 }
/** The smallest JPEG header and trailer around a few bytes: enough for an upload's checks. */
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x02, 0x03, 0xff, 0xd9])

/** A fresh merchant `app_auth_code`: the merchant authorises through the link. */
async function merchantCode(emulator) {
  const link = appAuthLink({ host: emulator.baseUrl, appId: APP_ID, redirectUri: REDIRECT_URI })
  return parseAppAuthCallback(await emulator.merchantAuthorizes(link.url), APP_ID, { state: link.state }).appAuthCode
}

/** A fresh user `auth_code` for the merchant app `authAppId`. */
async function userCode(emulator, authAppId) {
  const consent = userConsentLink({ host: emulator.baseUrl, appId: authAppId, scopes: ['auth_user'], redirectUri: REDIRECT_URI })
  return parseUserAuthCallback(await emulator.userConsents(consent.url), authAppId, { state: consent.state }).authCode
}

/** Every text form of a value, for the secret checks. */
function texts(value) {
  const out = [String(value), util.inspect(value), util.inspect({ nested: [value] }, { depth: 5 })]
  if (value instanceof Error) out.push(value.message, value.reason ?? '', value.stack ?? '', JSON.stringify(value))
  return out
}

/** Asserts that none of `values` shows any of `secrets` (nor its tail) in a string form. */
function assertNoSecrets(values, secrets) {
  for (const value of values) {
    for (const text of texts(value)) {
      for (const secret of secrets.filter(Boolean)) {
        assert.ok(!text.includes(secret), `${secret.slice(0, 4)}… in ${text}`)
        assert.ok(!text.includes(secret.slice(6)), `the tail of ${secret.slice(0, 4)}… in ${text}`)
      }
    }
  }
}

test('the merchant and user flows run over v3, with a generic delegated call', async () => {
  const { emulator, config, client } = startEmulator()
  try {
    assert.equal(config.v3Base, emulator.baseUrl)
    assert.equal(client.v3Base, emulator.baseUrl)
    const shown = []

    // The merchant's code exchanged over v3.
    const tokens = await client.exchangeAppAuthCodeV3(await merchantCode(emulator))
    assert.equal(tokens.length, 1)
    const [merchant] = tokens
    assert.ok(merchant instanceof AppAuthToken)
    assert.match(merchant.appAuthToken, /^202/)
    assert.match(merchant.authAppId, /^\d+$/)
    assert.match(merchant.userId, /^2088\d+$/)
    assert.ok(merchant.expiresIn > 0)
    assert.ok(emulator.callCount('alipay.open.auth.token.app') >= 1)
    shown.push(merchant, tokens)

    // What the gateway knows of the token, both ways.
    const info = await client.queryAppAuthTokenV3(merchant.appAuthToken)
    assert.equal(info.valid, true)
    assert.equal(info.status, 'valid')
    assert.equal(info.authAppId, merchant.authAppId)
    assert.deepEqual(client.queryAppAuthTokenV3Sync(merchant.appAuthToken), info)

    // A user's code on the merchant's behalf, the profile, the refreshed user token.
    const user = await client.exchangeUserAuthCodeV3(await userCode(emulator, merchant.authAppId), merchant.appAuthToken)
    assert.ok(user instanceof UserToken)
    assert.ok(user.accessToken.length > 8)
    assert.ok(user.refreshToken)
    assert.ok(user.userId || user.openId)
    const profile = await client.userInfoShareV3(user.accessToken, merchant.appAuthToken)
    assert.equal(profile.userId, user.userId)
    assert.ok(profile.nickName)
    assert.equal(typeof profile.fields, 'object')
    assert.deepEqual(client.userInfoShareV3Sync(user.accessToken, merchant.appAuthToken).userId, profile.userId)
    const refreshedUser = await client.refreshUserTokenV3(user.refreshToken, merchant.appAuthToken)
    assert.notEqual(refreshedUser.accessToken, user.accessToken)
    const userAgain = client.exchangeUserAuthCodeV3Sync(await userCode(emulator, merchant.authAppId), merchant.appAuthToken)
    assert.ok(userAgain.accessToken)
    shown.push(user, refreshedUser, userAgain, profile)

    // A generic delegated call: the merchant API the emulator serves.
    const call = { method: 'POST', path: VERSIONS_PATH, body: {}, appAuthToken: merchant.appAuthToken }
    const answer = await client.executeV3(call)
    assert.ok(answer instanceof V3Response)
    assert.equal(answer.status, 200)
    assert.equal(answer.verified, true)
    assert.ok(answer.traceId)
    assert.deepEqual(answer.fields.app_versions, ['0.0.1'])
    assert.deepEqual(JSON.parse(answer.body), answer.fields)
    const blocking = client.executeV3Sync({ ...call, body: '{"bundle_id":"com.alipay.alipaywallet"}' })
    assert.deepEqual(blocking.fields.app_versions, ['0.0.1'])
    assert.ok(emulator.callCount('alipay.open.mini.version.list.query') >= 2)
    shown.push(answer, blocking)

    // The merchant's token refreshed over v3, both ways.
    const refreshed = await client.refreshAppAuthTokenV3(merchant.appRefreshToken)
    assert.notEqual(refreshed[0].appAuthToken, merchant.appAuthToken)
    assert.equal(refreshed[0].authAppId, merchant.authAppId)
    const again = client.refreshAppAuthTokenV3Sync(refreshed[0].appRefreshToken)
    assert.notEqual(again[0].appAuthToken, refreshed[0].appAuthToken)
    assert.equal(client.exchangeAppAuthCodeV3Sync(await merchantCode(emulator)).length, 1)
    shown.push(refreshed, again)

    assertNoSecrets(shown, [
      merchant.appAuthToken,
      merchant.appRefreshToken,
      refreshed[0].appAuthToken,
      again[0].appAuthToken,
      user.accessToken,
      user.refreshToken,
      refreshedUser.accessToken,
    ])
  } finally {
    emulator.stop()
  }
})

test('v3 errors are typed with the HTTP status, the v3 code, a hint, the trace id and the links', async () => {
  const { emulator, client } = startEmulator()
  try {
    const code = await merchantCode(emulator)
    const [merchant] = await client.exchangeAppAuthCodeV3(code)
    const errors = []

    const used = await rejection(client.exchangeAppAuthCodeV3(code))
    assert.equal(used.code, 'ALIPAY_API_ERROR')
    assert.equal(used.kind, 'api')
    assert.equal(used.httpStatus, 400)
    assert.equal(used.apiCode, 'code-invalid')
    assert.match(used.hint, /single-use/)
    assert.equal(used.signed, false)
    assert.ok(used.traceId)
    assert.ok(used.links.length >= 1 && used.links[0].includes(used.traceId), util.inspect(used.links))
    assert.ok(used.message.includes('HTTP 400'), used.message)
    // The same error from the blocking twin.
    const usedSync = thrown(() => client.exchangeAppAuthCodeV3Sync(code))
    assert.equal(usedSync.apiCode, 'code-invalid')
    assert.equal(usedSync.httpStatus, 400)
    errors.push(used, usedSync)

    const fakeToken = '202612BBnot-a-real-token-0123456789abcdef'
    const unknown = await rejection(client.queryAppAuthTokenV3(fakeToken))
    assert.equal(unknown.httpStatus, 401)
    assert.equal(unknown.apiCode, 'invalid-app-auth-token')
    assert.match(unknown.hint, /authorise again/)
    errors.push(unknown)

    const fakeAccess = 'authusrBnot-a-token-0123456789abcdef0123'
    const expiredUser = await rejection(client.userInfoShareV3(fakeAccess, merchant.appAuthToken))
    assert.equal(expiredUser.httpStatus, 401)
    assert.equal(expiredUser.apiCode, 'invalid-auth-token')
    errors.push(expiredUser)

    const selfInvoke = await rejection(client.executeV3({ method: 'POST', path: VERSIONS_PATH, body: {} }))
    assert.equal(selfInvoke.apiCode, 'self-invoke-forbidden')
    assert.equal(selfInvoke.httpStatus, 403)
    assert.match(selfInvoke.hint, /app_auth_token/)
    errors.push(selfInvoke)

    // A bad call is refused as a configuration error before anything is sent.
    const before = emulator.totalCalls
    const bad = {
      'a path without /v3/': { method: 'POST', path: 'alipay/open/mini/version/list/query' },
      'a path with a query': { method: 'POST', path: '/v3/a/b?x=1' },
      'a body that is not JSON': { method: 'POST', path: '/v3/a/b', body: '{not json' },
      'encrypt without an AES key': { method: 'POST', path: '/v3/a/b', body: {}, encrypt: true },
    }
    for (const [name, call] of Object.entries(bad)) {
      const withToken = { ...call, appAuthToken: merchant.appAuthToken }
      const error = await rejection(client.executeV3(withToken))
      assert.equal(error.code, 'ALIPAY_CONFIG_ERROR', `${name}: ${error.message}`)
      assert.equal(thrown(() => client.executeV3Sync(withToken)).code, 'ALIPAY_CONFIG_ERROR', name)
      errors.push(error)
    }
    // A call of the wrong shape throws at once.
    assert.equal(thrown(() => client.executeV3({ method: 'GET', path: '/v3/a/b', query: { n: 1 } })).code, 'ALIPAY_CONFIG_ERROR')
    // Typed calls refuse empty arguments the same way.
    assert.equal((await rejection(client.exchangeAppAuthCodeV3(''))).code, 'ALIPAY_CONFIG_ERROR')
    assert.equal((await rejection(client.uploadFileV3(' ', { fileName: 'a.jpg', content: JPEG }))).code, 'ALIPAY_CONFIG_ERROR')
    assert.equal(emulator.totalCalls, before, 'nothing was sent')

    assertNoSecrets(errors, [merchant.appAuthToken, fakeToken, fakeAccess, code])
  } finally {
    emulator.stop()
  }
})

test('Registry.executeV3For calls on the merchant’s behalf with the token it holds', async () => {
  const { emulator, client } = startEmulator()
  const registry = Registry.inMemory({ client })
  try {
    const tokens = await client.exchangeAppAuthCodeV3(await merchantCode(emulator))
    assert.deepEqual(await registry.ingestTokens(tokens), ['applied'])
    const [{ authAppId, appAuthToken }] = tokens
    const call = { method: 'POST', path: VERSIONS_PATH, body: { bundle_id: 'com.alipay.alipaywallet' } }
    const answer = await registry.executeV3For(authAppId, call)
    assert.deepEqual(answer.fields.app_versions, ['0.0.1'])
    assert.equal(answer.fields.auth_app_id, authAppId, 'the call ran as the merchant')
    assert.deepEqual(registry.executeV3ForSync(authAppId, call).fields.app_versions, ['0.0.1'])

    // An unknown merchant is a store error, and nothing is sent.
    const before = emulator.totalCalls
    const unknown = await rejection(registry.executeV3For('2021009999999999', { method: 'GET', path: '/v3/x/y' }))
    assert.equal(unknown.code, 'ALIPAY_STORE_ERROR')
    assert.match(unknown.reason, /2021009999999999/)
    assert.equal(thrown(() => registry.executeV3ForSync('2021009999999999', call)).code, 'ALIPAY_STORE_ERROR')
    // The registry looks the token up itself.
    const withToken = thrown(() => registry.executeV3For(authAppId, { ...call, appAuthToken }))
    assert.equal(withToken.code, 'ALIPAY_CONFIG_ERROR')
    assert.match(withToken.reason, /executeV3For looks the merchant's token up itself/)
    assert.equal(emulator.totalCalls, before)
    // A revoked merchant is never called.
    await registry.revoke(authAppId)
    assert.equal((await rejection(registry.executeV3For(authAppId, call))).code, 'ALIPAY_STORE_ERROR')
    // A closed registry refuses.
    registry.close()
    assert.equal(thrown(() => registry.executeV3For(authAppId, call)).code, 'ALIPAY_CONFIG_ERROR')
    assertNoSecrets([answer, unknown, withToken], [appAuthToken])
  } finally {
    registry.close()
    emulator.stop()
  }
})

test('certificate mode: the v3 token calls work against the certificate-mode emulator', async () => {
  const emulator = Emulator.start({ appId: APP_ID, appPublicKey: APP_PUBLIC_KEY, certMode: true })
  try {
    const config = new IsvConfig({
      appId: APP_ID,
      privateKey: APP_PRIVATE_KEY,
      appCert: emulator.issueAppCert(APP_PUBLIC_KEY),
      alipayCert: emulator.alipayCertPem,
      rootCert: emulator.rootCertBundlePem,
      gateway: emulator.gatewayUrl,
    })
    const client = new Client(config, TRANSPORT)
    const [merchant] = await client.exchangeAppAuthCodeV3(await merchantCode(emulator))
    const info = await client.queryAppAuthTokenV3(merchant.appAuthToken)
    assert.equal(info.valid, true)
    assert.equal(info.authAppId, merchant.authAppId)
    const answer = await client.executeV3({ method: 'POST', path: VERSIONS_PATH, body: {}, appAuthToken: merchant.appAuthToken })
    assert.deepEqual(answer.fields.app_versions, ['0.0.1'])
    // The request carried both certificate SNs.
    const request = config.prepareV3({ method: 'GET', path: '/v3/x/y' })
    assert.equal(request.headers['alipay-root-cert-sn'], config.alipayRootCertSn)
    assert.ok(request.authorization.includes(`,app_cert_sn=${config.appCertSn},`))
  } finally {
    emulator.stop()
  }
})

test('AES: an encrypted v3 call is decrypted by the emulator, and its encrypted answer by the client', async () => {
  const { emulator, client } = startEmulator({ aesKey: AES })
  const config = new IsvConfig({ appId: APP_ID, privateKey: APP_PRIVATE_KEY, alipayPublicKey: emulator.alipayPublicKey, gateway: emulator.gatewayUrl, aesKey: AES })
  const aesClient = new Client(config, TRANSPORT)
  try {
    const code = await merchantCode(emulator)
    const exchanged = await aesClient.executeV3({
      method: 'POST',
      path: '/v3/alipay/open/auth/token/app',
      body: { grant_type: 'authorization_code', code },
      encrypt: true,
    })
    assert.equal(exchanged.verified, true)
    const token = exchanged.fields.app_auth_token
    assert.match(token, /^202/)
    assert.equal(JSON.parse(exchanged.body).app_auth_token, token, 'the body is the decrypted JSON')
    const delegated = await aesClient.executeV3({ method: 'POST', path: VERSIONS_PATH, body: { bundle_id: 'com.alipay.alipaywallet' }, appAuthToken: token, encrypt: true })
    assert.deepEqual(delegated.fields.app_versions, ['0.0.1'])
    const queried = aesClient.executeV3Sync({ method: 'GET', path: '/v3/alipay/open/auth/token/app/query', query: { app_auth_token: token }, encrypt: true })
    assert.equal(queried.fields.status, 'valid')
    // A business error of an encrypted call stays a plain, unsigned v3 error.
    const used = await rejection(aesClient.executeV3({ method: 'POST', path: '/v3/alipay/open/auth/token/app', body: { grant_type: 'authorization_code', code }, encrypt: true }))
    assert.equal(used.apiCode, 'code-invalid')
    assert.equal(used.httpStatus, 400)
    // The same client still makes unencrypted calls; one without the key cannot encrypt.
    assert.equal((await aesClient.queryAppAuthTokenV3(token)).valid, true)
    assert.equal((await rejection(client.executeV3({ method: 'POST', path: VERSIONS_PATH, body: {}, appAuthToken: token, encrypt: true }))).code, 'ALIPAY_CONFIG_ERROR')
    assertNoSecrets([exchanged, delegated, queried, used], [token, code])
  } finally {
    emulator.stop()
  }
})

test('uploadFileV3: a small JPEG from bytes and from a path gets a file id; executeV3 uploads too', async () => {
  const { emulator, client } = startEmulator()
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'alipay-isv-node-upload-'))
  try {
    const [merchant] = await client.exchangeAppAuthCodeV3(await merchantCode(emulator))
    const md5 = crypto.createHash('md5').update(JPEG).digest('hex')

    const fromBytes = await client.uploadFileV3('shop_image', { fileName: 'shop.jpg', content: JPEG }, merchant.appAuthToken)
    assert.ok(fromBytes.fileId)
    assert.equal(fromBytes.fields.file_id, fromBytes.fileId)
    const stored = emulator.uploadedFile(fromBytes.fileId)
    assert.equal(stored.fileName, 'shop.jpg')
    assert.equal(stored.size, JPEG.length)
    assert.equal(stored.md5, md5)
    assert.equal(stored.bizCode, 'shop_image')
    assert.equal(stored.authAppId, merchant.authAppId)
    assert.equal(stored.contentType, 'image/jpeg')

    const onDisk = path.join(directory, 'front door.jpeg')
    fs.writeFileSync(onDisk, JPEG)
    const fromPath = await client.uploadFileV3('shop_image', { path: onDisk, field: 'ignored' }, merchant.appAuthToken)
    assert.notEqual(fromPath.fileId, fromBytes.fileId)
    const storedPath = emulator.uploadedFile(fromPath.fileId)
    assert.equal(storedPath.fileName, 'front door.jpeg')
    assert.equal(storedPath.md5, md5)

    // For the ISV itself (no token), blocking, with the content type given.
    const own = client.uploadFileV3Sync('shop_image', { fileName: 'logo.png', content: JPEG, contentType: 'image/png' })
    const storedOwn = emulator.uploadedFile(own.fileId)
    assert.equal(storedOwn.authAppId, null)
    assert.equal(storedOwn.contentType, 'image/png')
    assert.equal(emulator.uploadedFile('no-such-file'), null)

    // The generic call: the data part and the file part spelled out.
    const generic = await client.executeV3({
      method: 'POST',
      path: '/v3/alipay/open/file/upload',
      body: { biz_code: 'shop_image', md5 },
      appAuthToken: merchant.appAuthToken,
      files: [{ field: 'file_content', fileName: 'generic.jpg', content: JPEG }],
    })
    assert.equal(emulator.uploadedFile(generic.fields.file_id).fileName, 'generic.jpg')

    // Alipay's checks come back typed: an extension it refuses.
    const refused = await rejection(client.uploadFileV3('shop_image', { fileName: 'tool.exe', content: JPEG }, merchant.appAuthToken))
    assert.equal(refused.code, 'ALIPAY_API_ERROR')
    assert.equal(refused.apiCode, 'invalid-file-extension')
    assert.equal(refused.httpStatus, 400)
    // A file the client cannot read, or one given both ways, is refused before anything is sent.
    const before = emulator.totalCalls
    assert.equal((await rejection(client.uploadFileV3('shop_image', { path: path.join(directory, 'gone.jpg') }))).code, 'ALIPAY_CONFIG_ERROR')
    assert.equal(thrown(() => client.uploadFileV3('shop_image', { fileName: 'a.jpg', content: JPEG, path: onDisk })).code, 'ALIPAY_CONFIG_ERROR')
    assert.equal(thrown(() => client.uploadFileV3Sync('shop_image', { content: JPEG })).code, 'ALIPAY_CONFIG_ERROR')
    assert.equal(emulator.totalCalls, before)
    assertNoSecrets([fromBytes, fromPath, generic, refused], [merchant.appAuthToken])
  } finally {
    fs.rmSync(directory, { recursive: true, force: true })
    emulator.stop()
  }
})
