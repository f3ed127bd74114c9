'use strict'
// The official Node SDK (npm `alipay-sdk`, the version pinned in package.json) against the emulator's
// OpenAPI v3 front, for what v3 adds beyond signing: AES content encryption (`curl` with
// `needEncrypt: true` and `encryptKey` = the emulator's AES key: the SDK encrypts the JSON, signs the
// ciphertext, verifies the encrypted answer over its ciphertext and decrypts it) and the multipart
// upload (`AlipayFormData` to `/v3/alipay/open/file/upload`: the SDK signs the `data` part only), each
// refused as Alipay refuses them when something is wrong. The emulator is started with this binding's
// `Emulator`; the upload's `file_id` is checked on the SDK's answer (the binding does not read uploaded
// files back yet).

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const { AlipaySdk, AlipayFormData } = require('alipay-sdk')
const SDK_VERSION = require('alipay-sdk/package.json').version
const { appAuthLink, parseAppAuthCallback } = require('..')
const { APP_ID, APP_PRIVATE_KEY, REDIRECT_URI, startEmulator } = require('./flow-helpers')

// The AES content key of tests/vectors (responses.json, v3.json), and another one.
const AES_KEY = 'gWwQ6w36Mkl1dsIpEln02Q=='
const OTHER_AES_KEY = 'wEA0iV4eLSTV+o5/T9RKjg=='
const IMAGE = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from(' official SDK upload '), Buffer.from([0x00, 0xff, 0x80])])
const md5 = (bytes) => crypto.createHash('md5').update(bytes).digest('hex')

let emulator
let client

before(() => {
  ;({ emulator, client } = startEmulator({ aesKey: AES_KEY }))
})

after(() => emulator.stop())

/** The official SDK in v3 mode, pointed at the emulator, with `encryptKey`. */
function v3Sdk(encryptKey = AES_KEY) {
  return new AlipaySdk({
    appId: APP_ID,
    privateKey: APP_PRIVATE_KEY,
    keyType: 'PKCS8',
    alipayPublicKey: emulator.alipayPublicKeyPem,
    endpoint: emulator.baseUrl,
    encryptKey,
    timeout: 10000,
  })
}

/** A merchant's tokens: a code minted by the emulator's page, exchanged through our client. */
async function merchant() {
  const link = appAuthLink({ host: emulator.baseUrl, appId: APP_ID, redirectUri: REDIRECT_URI })
  const { appAuthCode } = parseAppAuthCallback(await emulator.merchantAuthorizes(link.url), APP_ID, { state: link.state })
  return (await client.exchangeAppAuthCode(appAuthCode))[0]
}

/** Asserts a v3 error as the SDK reports it. */
function refused(code, status) {
  return (error) => {
    assert.equal(error.code, code, error.message)
    assert.equal(error.responseHttpStatus, status, error.message)
    assert.equal(error.links.length, 1)
    return true
  }
}

test(`alipay-sdk ${SDK_VERSION} is the pinned version`, () => {
  assert.equal(SDK_VERSION, require('../package.json').devDependencies['alipay-sdk'])
})

test('alipay-sdk curl with needEncrypt: the emulator decrypts the request and its encrypted answer verifies and decrypts', async () => {
  const sdk = v3Sdk()
  const link = appAuthLink({ host: emulator.baseUrl, appId: APP_ID, redirectUri: REDIRECT_URI })
  const { appAuthCode } = parseAppAuthCallback(await emulator.merchantAuthorizes(link.url), APP_ID, { state: link.state })
  const exchanged = await sdk.curl('POST', '/v3/alipay/open/auth/token/app', {
    body: { grant_type: 'authorization_code', code: appAuthCode },
    needEncrypt: true,
  })
  assert.equal(exchanged.responseHttpStatus, 200)
  const { app_auth_token: appAuthToken, auth_app_id: authAppId } = exchanged.data
  assert.ok(appAuthToken && authAppId, JSON.stringify(exchanged.data))
  assert.equal(exchanged.data.code, undefined, 'v3 answers are flat')
  // The token works for our client too.
  assert.equal((await client.queryAppAuthToken(appAuthToken)).authAppId, authAppId)

  // A merchant call on its behalf, encrypted, Unicode in the body.
  const versions = await sdk.curl('POST', '/v3/alipay/open/mini/version/list/query', {
    body: { bundle_id: 'com.alipay.alipaywallet', memo: '杭州 "加密" \\' },
    appAuthToken,
    needEncrypt: true,
  })
  assert.deepEqual(versions.data.app_versions, ['0.0.1'])
  assert.equal(versions.data.auth_app_id, authAppId)

  // The same SDK without needEncrypt: a plain call still works.
  const plain = await sdk.curl('POST', '/v3/alipay/open/mini/version/list/query', { body: { bundle_id: 'x' }, appAuthToken })
  assert.equal(plain.data.auth_app_id, authAppId)
})

test('alipay-sdk curl with needEncrypt under another key: decryption-error; errors stay plain JSON', async () => {
  await assert.rejects(
    v3Sdk(OTHER_AES_KEY).curl('POST', '/v3/alipay/open/auth/token/app', {
      body: { grant_type: 'authorization_code', code: 'x' },
      needEncrypt: true,
    }),
    refused('decryption-error', 400),
  )
  // An encrypted call the gateway refuses for business reasons: the SDK reads the plain error.
  await assert.rejects(
    v3Sdk().curl('POST', '/v3/alipay/open/auth/token/app', {
      body: { grant_type: 'authorization_code', code: '0123456789abcdef0123456789abcdef' },
      needEncrypt: true,
    }),
    refused('code-invalid', 400),
  )
})

test('alipay-sdk AlipayFormData upload: a file_id, by buffer and by path (streamed), for the merchant', async () => {
  const sdk = v3Sdk()
  const { appAuthToken } = await merchant()
  const before = emulator.callCount('alipay.open.file.upload')

  const form = new AlipayFormData()
  form.addField('biz_code', 'openpt_appstore')
  form.addField('md5', md5(IMAGE))
  form.addFile('file_content', 'logo.png', IMAGE)
  const uploaded = await sdk.curl('POST', '/v3/alipay/open/file/upload', { form, appAuthToken })
  assert.equal(uploaded.responseHttpStatus, 200)
  assert.equal(typeof uploaded.data.file_id, 'string')
  assert.ok(uploaded.data.file_id.length > 10, uploaded.data.file_id)
  assert.deepEqual(Object.keys(uploaded.data), ['file_id'])

  // A file on disk: the SDK streams it (no Content-Length: a chunked body), the ISV for itself.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alipay-isv-upload-'))
  try {
    const file = path.join(dir, 'report.pdf')
    const bytes = crypto.randomBytes(300 * 1024)
    fs.writeFileSync(file, bytes)
    const fromDisk = new AlipayFormData()
    fromDisk.addField('biz_code', 'openpt_appstore')
    fromDisk.addField('md5', md5(bytes))
    fromDisk.addFile('file_content', 'report.pdf', file)
    const streamed = await sdk.curl('POST', '/v3/alipay/open/file/upload', { form: fromDisk })
    assert.equal(typeof streamed.data.file_id, 'string')
    assert.notEqual(streamed.data.file_id, uploaded.data.file_id)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
  assert.equal(emulator.callCount('alipay.open.file.upload'), before + 2)
})

test('alipay-sdk AlipayFormData upload refused: wrong md5, bad extension, invalid merchant token', async () => {
  const sdk = v3Sdk()
  const upload = (fields, name, options = {}) => {
    const form = new AlipayFormData()
    for (const [key, value] of Object.entries(fields)) form.addField(key, value)
    form.addFile('file_content', name, IMAGE)
    return sdk.curl('POST', '/v3/alipay/open/file/upload', { form, ...options })
  }
  await assert.rejects(upload({ biz_code: 'openpt_appstore', md5: md5(Buffer.from('other')) }, 'logo.png'), refused('file-check-fail', 400))
  await assert.rejects(upload({ biz_code: 'openpt_appstore' }, 'tool.exe'), refused('invalid-file-extension', 400))
  await assert.rejects(
    upload({ biz_code: 'openpt_appstore' }, 'logo.png', { appAuthToken: '202612BBnotatoken00000000000000000000000' }),
    refused('invalid-app-auth-token', 401),
  )
})
