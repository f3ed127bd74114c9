'use strict'
// Conformance with the official Node SDK, npm `alipay-sdk` 4.x, on the shared sign.json vectors.
//
// Three routes through the SDK's public API, each watched at `node:crypto` (the SDK calls
// `createSign` / `createVerify` through the module object, so replacing them for one call records the
// exact string it signs or verifies — its canonical content):
// 1. requests: `sdkExecute` builds and signs the request; its content and signature must be
//    byte-identical to ours (signature only for UTF-8: the SDK signs UTF-8 bytes whatever the charset);
// 2. notifications: `checkNotifySignV2` builds the content from a parameter map and must accept our
//    signature, over exactly our content;
// 3. `rsaCheck` must accept our signature over our content, and give our verdict on verify_cases.
// A case is skipped on a route only when the SDK's rules differ from Alipay's, with the reason below;
// every skip is checked to really differ, so a stale entry fails the suite.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')

const { AlipaySdk } = require('alipay-sdk')
const SDK_VERSION = require('alipay-sdk/package.json').version
const { PrivateKey, PublicKey, Signer, Verifier, signContent, generateKeyPair } = require('..')
const { loadVectors, readKey } = require('./helpers')

const vectors = loadVectors('sign.json')
const byName = new Map(vectors.cases.map((vector) => [vector.name, vector]))

const NOT_A_REQUEST =
  'not a full request (no method): sdkExecute always adds method, app_id, version and timestamp; ' +
  'covered by the notification route'
const EMPTY_VALUES = 'the SDK signs empty values as `key=`; Alipay drops them'
const BLANK_VALUES =
  "the SDK signs whitespace-only values; Alipay (the Java SDK's StringUtils.isEmpty) drops them"
const GBK = 'the SDK hashes the UTF-8 bytes of the content whatever the charset, Alipay the GBK bytes'
const KEY_FORMAT = "the SDK's formatKey re-wraps every public key as one SPKI PEM block and cannot read it"

/** Cases the request route (sdkExecute) cannot express with Alipay's rules. */
const REQUEST_SKIPS = {
  gbk_chinese_notification_rsa2: NOT_A_REQUEST,
  notification_shaped_params: NOT_A_REQUEST,
  alipay_key_signs_response_like_params: NOT_A_REQUEST,
  prefix_keys_byte_order: NOT_A_REQUEST,
  uppercase_sorts_before_lowercase: NOT_A_REQUEST,
  single_parameter: NOT_A_REQUEST,
  non_ascii_keys_utf16_order: NOT_A_REQUEST,
  json_escaped_slash_and_quotes:
    'the SDK takes biz_content as an object and re-serialises it with JSON.stringify, which drops `\\/`',
  newline_and_tab_in_value: 'biz_content holds raw control characters, so it is not JSON the SDK can take',
  empty_values_dropped: EMPTY_VALUES,
  zero_value_kept: EMPTY_VALUES,
  whitespace_value_dropped: BLANK_VALUES,
  sign_excluded_sign_type_included: 'the SDK signs a `sign` parameter passed in; Alipay excludes it',
  private_key_format_pkcs8_oneline: "the SDK's formatKey cannot read a single-line PEM private key",
}

/** Cases the notification route (checkNotifySignV2) cannot express with Alipay's rules. */
const NOTIFY_SKIPS = {
  empty_values_dropped: EMPTY_VALUES,
  zero_value_kept: EMPTY_VALUES,
  whitespace_value_dropped: BLANK_VALUES,
  public_key_format_pkcs1_pem: KEY_FORMAT,
  public_key_format_cert_pem: KEY_FORMAT,
  public_key_format_spki_indented: "the SDK's formatKey keeps the blank lines around an indented PEM",
}

/** Cases rsaCheck cannot verify (besides every GBK case, see GBK). */
const VERIFY_SKIPS = {
  public_key_format_pkcs1_pem: KEY_FORMAT,
  public_key_format_cert_pem: KEY_FORMAT,
  public_key_format_spki_indented: NOTIFY_SKIPS.public_key_format_spki_indented,
  valid_cert_public_key: KEY_FORMAT,
}

/** Runs `fn` with `crypto[method]` recording what is fed to the hash; returns its result and that. */
function watching(method, fn) {
  const original = crypto[method]
  const fed = []
  crypto[method] = (...args) => {
    const hash = original(...args)
    const update = hash.update.bind(hash)
    hash.update = (data, encoding) => {
      fed.push(data)
      return update(data, encoding)
    }
    return hash
  }
  try {
    return { result: fn(), fed }
  } finally {
    crypto[method] = original
  }
}

/** The SDK's private key type for a vector key file (the file names say it). */
const keyType = (file) => (/pkcs8/.test(file) ? 'PKCS8' : 'PKCS1')

/** Alipay's signature of a case with our binding. */
function ourSign(vector) {
  const options = { signType: vector.sign_type, charset: vector.charset }
  return new Signer(PrivateKey.fromText(readKey(vector.private_key)), options).sign(signContent(vector.params))
}

/** Signs the case's request with the SDK: returns the content it signed and its signature. */
function sdkRequest(vector) {
  const p = vector.params
  const sdk = new AlipaySdk({
    appId: p.app_id,
    privateKey: readKey(vector.private_key),
    keyType: keyType(vector.private_key),
    signType: vector.sign_type,
    charset: p.charset,
    version: p.version,
  })
  const params = {}
  for (const [key, value] of Object.entries(p)) {
    if (key === 'biz_content') params.bizContent = JSON.parse(value)
    else params[key] = value
  }
  const { result, fed } = watching('createSign', () =>
    sdk.sdkExecute(p.method, params, { bizContentAutoSnakeCase: false }),
  )
  assert.equal(fed.length, 1, 'the SDK no longer signs through crypto.createSign')
  return { content: fed[0], sign: new URLSearchParams(result).get('sign') }
}

/** An SDK instance that verifies with the case's public key. */
function sdkWithPublicKey(file) {
  return new AlipaySdk({ appId: '2021000000000001', privateKey: 'unused', alipayPublicKey: readKey(file) })
}

/** Verifies the case's params plus our signature as a notification: returns the verdict and content. */
function sdkNotify(vector, sign) {
  const sdk = sdkWithPublicKey(vector.public_key)
  const { result, fed } = watching('createVerify', () =>
    sdk.checkNotifySignV2({ ...vector.params, sign }),
  )
  return { ok: result, content: fed[fed.length - 1] }
}

/** True when the SDK throws or disagrees with Alipay's rules on the request route. */
function requestDiffers(vector) {
  try {
    const sdk = sdkRequest(vector)
    return sdk.content !== vector.content || sdk.sign !== vector.sign
  } catch {
    return true
  }
}

test(`the official SDK is alipay-sdk 4.x (${SDK_VERSION})`, () => {
  assert.match(SDK_VERSION, /^4\.\d+\.\d+$/)
})

test('the skip lists are small, known and name real cases', () => {
  assert.ok(Object.keys(REQUEST_SKIPS).length <= 14)
  assert.ok(Object.keys(NOTIFY_SKIPS).length <= 7)
  assert.ok(Object.keys(VERIFY_SKIPS).length <= 4)
  for (const name of [...Object.keys(REQUEST_SKIPS), ...Object.keys(NOTIFY_SKIPS)]) {
    assert.ok(byName.has(name), `${name} is not a sign.json case`)
  }
  const verifyNames = new Set([...byName.keys(), ...vectors.verify_cases.map((v) => v.name)])
  for (const name of Object.keys(VERIFY_SKIPS)) assert.ok(verifyNames.has(name), name)
  const gbk = vectors.cases.filter((vector) => vector.charset === 'GBK')
  assert.ok(gbk.length <= 6, `${gbk.length} GBK cases`)
})

let requestMatched = 0
let requestSigned = 0
for (const vector of vectors.cases) {
  const skip = REQUEST_SKIPS[vector.name]
  test(`request route (sdkExecute): ${vector.name}`, () => {
    if (skip) {
      assert.ok(requestDiffers(vector), `${vector.name} now matches the SDK: drop its skip (${skip})`)
      return
    }
    const sdk = sdkRequest(vector)
    assert.equal(sdk.content, vector.content)
    assert.equal(sdk.content, signContent(vector.params))
    requestMatched += 1
    if (vector.charset === 'GBK') {
      assert.notEqual(sdk.sign, vector.sign, `GBK now matches: ${GBK}`)
      return
    }
    assert.equal(sdk.sign, vector.sign)
    assert.equal(sdk.sign, ourSign(vector))
    const options = { signType: vector.sign_type, charset: vector.charset }
    new Verifier(PublicKey.fromText(readKey(vector.public_key)), options).verify(sdk.content, sdk.sign)
    requestSigned += 1
  })
}

let notifyMatched = 0
for (const vector of vectors.cases) {
  const skip = NOTIFY_SKIPS[vector.name]
  test(`notification route (checkNotifySignV2): ${vector.name}`, () => {
    const sign = ourSign(vector)
    assert.equal(sign, vector.sign)
    let outcome
    try {
      outcome = sdkNotify(vector, sign)
    } catch (error) {
      outcome = { ok: false, error }
    }
    if (skip || vector.charset === 'GBK') {
      assert.equal(outcome.ok, false, `${vector.name} now verifies in the SDK: drop its skip`)
      return
    }
    assert.equal(outcome.error, undefined)
    assert.equal(outcome.ok, true)
    assert.equal(outcome.content, vector.content)
    notifyMatched += 1
  })
}

let rsaCheckMatched = 0
for (const vector of [...vectors.cases, ...vectors.verify_cases]) {
  const skip = VERIFY_SKIPS[vector.name] ?? (vector.charset === 'GBK' ? GBK : undefined)
  const valid = vector.valid ?? true
  test(`rsaCheck: ${vector.name}`, () => {
    const sign = vector.valid === undefined ? ourSign(vector) : vector.sign
    let verdict
    try {
      verdict = sdkWithPublicKey(vector.public_key).rsaCheck(vector.content, sign, vector.sign_type)
    } catch (error) {
      verdict = error
    }
    if (skip) {
      assert.notEqual(verdict, valid, `${vector.name} now agrees with the SDK: drop its skip (${skip})`)
      return
    }
    assert.equal(verdict, valid)
    rsaCheckMatched += 1
  })
}

test('the SDK matched enough cases on every route', (t) => {
  t.diagnostic(`matched: request ${requestMatched} (signed ${requestSigned}), notify ${notifyMatched}, rsaCheck ${rsaCheckMatched}`)
  assert.ok(requestMatched >= 27, `request route matched ${requestMatched}`)
  assert.ok(requestSigned >= 22, `request route signed ${requestSigned}`)
  assert.ok(notifyMatched >= 28, `notification route matched ${notifyMatched}`)
  assert.ok(rsaCheckMatched >= 47, `rsaCheck matched ${rsaCheckMatched}`)
})

test('keys generated and exported by the binding work in the SDK, both ways', () => {
  const { privateKey, publicKey } = generateKeyPair()
  const exports = [
    [privateKey.toPkcs1Pem(), 'PKCS1'],
    [privateKey.toPkcs8Pem(), 'PKCS8'],
    [privateKey.toPkcs1Base64(), 'PKCS1'],
    [privateKey.toPkcs8Base64(), 'PKCS8'],
  ]
  const params = {
    app_id: '2021000000000001',
    method: 'alipay.open.auth.token.app',
    format: 'JSON',
    charset: 'utf-8',
    sign_type: 'RSA2',
    timestamp: '2026-11-21 15:04:05',
    version: '1.0',
  }
  const ours = new Signer(privateKey).signParams({
    ...params,
    biz_content: '{"grant_type":"authorization_code","code":"P5f3b1c2"}',
  })
  for (const [text, type] of exports) {
    const sdk = new AlipaySdk({ appId: params.app_id, privateKey: text, keyType: type, alipayPublicKey: publicKey.toBase64() })
    const { result, fed } = watching('createSign', () =>
      sdk.sdkExecute(params.method, {
        ...params,
        bizContent: { grant_type: 'authorization_code', code: 'P5f3b1c2' },
      }, { bizContentAutoSnakeCase: false }),
    )
    const sign = new URLSearchParams(result).get('sign')
    assert.equal(fed[0], ours.content)
    assert.equal(sign, ours.sign)
    new Verifier(publicKey).verify(fed[0], sign)
    assert.equal(sdk.rsaCheck(ours.content, ours.sign, 'RSA2'), true)
  }
  const pemSdk = new AlipaySdk({ appId: '1', privateKey: 'unused', alipayPublicKey: publicKey.toPem() })
  assert.equal(pemSdk.rsaCheck(ours.content, ours.sign, 'RSA2'), true)
  assert.equal(pemSdk.rsaCheck(`${ours.content}x`, ours.sign, 'RSA2'), false)
})
