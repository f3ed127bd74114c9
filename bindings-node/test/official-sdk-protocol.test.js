'use strict'
// Conformance of the protocol layer with the official Node SDK, npm `alipay-sdk` (the version pinned in
// package.json; the keys/signing conformance is in official-sdk.test.js).
//
// (a) What we produce, the SDK accepts: our requests' signatures (`rsaCheck`, `checkNotifySignV2`),
//     notifications we sign (`checkNotifySign` / `checkNotifySignV2`), notifications.json, and response
//     bodies we sign, fed to `exec` through a stubbed HTTP layer (`urllib.request`).
// (b) What the SDK produces, we produce: `sdkExecute`, `pageExecute` (GET URL and POST form) and the
//     request `exec` sends, with the SDK's clock stubbed to our timestamp, decode to our signed
//     parameters, with byte-identical signatures once the SDK's differences are given to both:
//     - the SDK never sends `format` (ours sends `format=JSON`, as the Java SDK does): we pass it to the
//       SDK as a parameter;
//     - `pageExecute` adds `alipay_sdk=<SDK version>`: we pass it to ours as an extra parameter;
//     - the SDK formats `timestamp` in the host's local time zone (ours is always UTC+8): we run the SDK
//       with TZ=Asia/Shanghai, and show the difference under another zone;
//     - `exec` puts `app_auth_token` in the URL, ours in the body (as the Java SDK): compared merged.

const { test } = require('node:test')
const assert = require('node:assert/strict')

const { AlipaySdk } = require('alipay-sdk')
const SDK_VERSION = require('alipay-sdk/package.json').version
const urllib = require(require.resolve('urllib', { paths: [require.resolve('alipay-sdk')] }))
const { IsvConfig, Signer, PrivateKey, signContent, SANDBOX_GATEWAY, NotificationVerifier, ResponseVerifier } = require('..')
const { readKey, loadVectors, decodeForm, parseForm } = require('./helpers')

const APP_ID = '2021000000000001'
const FIXED = Date.UTC(2026, 10, 21, 15, 4, 5) // 2026-11-21 23:04:05 in China
const TIMESTAMP = '2026-11-21 23:04:05'
const TOKEN = '202611BBa1b2c3d4e5f6a7b8'
const BIZ = { out_trade_no: '20261121000001', subject: '年货 & <礼盒> "精选" 50%+1', total_amount: '88.88' }
const NOTIFY_URL = 'https://isv.example.com/notify?x=1&y=2'

const ours = new IsvConfig({
  appId: APP_ID,
  privateKey: readKey('keys/app_2048_pkcs8.pem'),
  alipayPublicKey: readKey('keys/alipay_2048_public.pem'),
  gateway: 'sandbox',
})
/** The SDK configured like ours; `alipayPublicKey` is the key its verification trusts. */
const sdkWith = (alipayPublicKey = readKey('keys/alipay_2048_public.pem')) =>
  new AlipaySdk({
    appId: APP_ID,
    privateKey: readKey('keys/app_2048_pkcs8.pem'),
    keyType: 'PKCS8',
    alipayPublicKey,
    gateway: SANDBOX_GATEWAY,
    charset: 'UTF-8',
  })
const appPublicKey = () => readKey('keys/app_2048_public.pem')

/** Runs `fn` with the clock stopped at FIXED and the host time zone `tz`. */
function atFixedTime(fn, tz = 'Asia/Shanghai') {
  const RealDate = globalThis.Date
  const savedTz = process.env.TZ
  process.env.TZ = tz
  globalThis.Date = class extends RealDate {
    constructor(...args) {
      super(...(args.length > 0 ? args : [FIXED]))
    }
    static now() {
      return FIXED
    }
  }
  try {
    return fn()
  } finally {
    globalThis.Date = RealDate
    if (savedTz === undefined) delete process.env.TZ
    else process.env.TZ = savedTz
  }
}

/** Replaces the SDK's HTTP call for one `exec`; returns what it sent and what it returned. */
async function execWith(sdk, body, method, params, options = {}) {
  const original = urllib.default.request
  let sent
  urllib.default.request = async (url, request) => {
    sent = { url, data: request.data, method: request.method }
    return { status: 200, headers: {}, data: body }
  }
  try {
    const result = await atFixedTime(() => sdk.exec(method, params, options))
    return { sent, result }
  } finally {
    urllib.default.request = original
  }
}

const ourRequest = (method, extra = {}) =>
  ours.signRequest(method, {
    bizContent: BIZ,
    notifyUrl: NOTIFY_URL,
    appAuthToken: TOKEN,
    timestamp: TIMESTAMP,
    ...extra,
  })
const sdkParams = { bizContent: BIZ, notifyUrl: NOTIFY_URL, appAuthToken: TOKEN, format: 'JSON' }

test(`the official SDK is alipay-sdk ${SDK_VERSION}`, () => {
  assert.equal(SDK_VERSION, '4.14.0')
})

test('(b) sdkExecute: the order string decodes to our parameters, signature byte-identical', () => {
  const order = atFixedTime(() =>
    sdkWith().sdkExecute('alipay.trade.app.pay', sdkParams, { bizContentAutoSnakeCase: false }),
  )
  const theirs = decodeForm(order)
  const request = ourRequest('alipay.trade.app.pay')
  assert.deepEqual(theirs, request.params)
  assert.deepEqual(decodeForm(request.orderString()), theirs)
})

test('(b) pageExecute GET: the URL decodes to our parameters plus alipay_sdk, signature byte-identical', () => {
  const url = atFixedTime(() => sdkWith().pageExecute('alipay.trade.page.pay', 'GET', { ...sdkParams, returnUrl: 'https://isv.example.com/r' }))
  const [base, query] = url.split('?')
  assert.equal(base, SANDBOX_GATEWAY)
  const theirs = decodeForm(query)
  assert.match(theirs.alipay_sdk, /^alipay-sdk-nodejs-/, 'the SDK adds alipay_sdk')
  const { alipay_sdk: added, sign: theirSign, ...rest } = theirs
  const plain = ourRequest('alipay.trade.page.pay', { returnUrl: 'https://isv.example.com/r' })
  const { sign: _, ...ourRest } = plain.params
  assert.deepEqual(rest, ourRest, 'every parameter but alipay_sdk and sign is ours')
  const withSdkParam = ourRequest('alipay.trade.page.pay', { returnUrl: 'https://isv.example.com/r', extraParams: { alipay_sdk: added } })
  assert.equal(withSdkParam.params.sign, theirSign)
  assert.deepEqual(decodeForm(withSdkParam.pageUrl().split('?')[1]), theirs)
})

test('(b) pageExecute POST: the form decodes to our parameters plus alipay_sdk, signature byte-identical', () => {
  const html = atFixedTime(() => sdkWith().pageExecute('alipay.trade.wap.pay', 'POST', sdkParams))
  const { action, inputs } = parseForm(html)
  const theirs = { ...decodeForm(action.split('?')[1]), ...inputs }
  const request = ourRequest('alipay.trade.wap.pay', { extraParams: { alipay_sdk: theirs.alipay_sdk } })
  assert.deepEqual(theirs, request.params)
  const mine = parseForm(request.pageForm())
  assert.deepEqual({ ...decodeForm(mine.action.split('?')[1]), ...mine.inputs }, theirs)
})

test('(b) exec: the request it sends carries our parameters, signature byte-identical', async () => {
  const node = '{"code":"10000","msg":"Success","trade_no":"2026112122001"}'
  const body = `{"alipay_trade_create_response":${node},"sign":"${alipaySign(node)}"}`
  const { sent } = await execWith(sdkWith(), body, 'alipay.trade.create', sdkParams)
  assert.equal(sent.method, 'POST')
  const theirs = { ...decodeForm(sent.url.split('?')[1]), ...sent.data }
  const request = ourRequest('alipay.trade.create')
  assert.deepEqual(theirs, request.params)
  // Where the parameters travel: both put the system parameters in the URL and biz_content in the
  // body; the SDK puts app_auth_token in the URL, ours in the body.
  const http = request.httpRequest()
  assert.ok('app_auth_token' in decodeForm(http.body))
  assert.ok('app_auth_token' in decodeForm(sent.url.split('?')[1]))
  assert.deepEqual({ ...decodeForm(http.url.split('?')[1]), ...decodeForm(http.body) }, theirs)
})

test('(b) the SDK formats the timestamp in host local time; ours is UTC+8 everywhere', () => {
  const elsewhere = atFixedTime(
    () => decodeForm(sdkWith().sdkExecute('x.y', {}, { bizContentAutoSnakeCase: false })).timestamp,
    'America/Los_Angeles',
  )
  assert.equal(elsewhere, '2026-11-21 07:04:05', 'the SDK uses the host zone (UTC-8 here)')
  const china = atFixedTime(() => decodeForm(sdkWith().sdkExecute('x.y', {})).timestamp)
  assert.equal(china, TIMESTAMP)
})

function alipaySign(content) {
  return new Signer(PrivateKey.fromText(readKey('keys/alipay_2048_pkcs8.pem'))).sign(content)
}

test('(a) our request signatures verify with the SDK (rsaCheck and checkNotifySignV2)', () => {
  const sdk = sdkWith(appPublicKey())
  for (const extra of [{}, { extraParams: { grant_type: 'authorization_code', code: 'P5f3+b1/c2%' } }, { signType: 'RSA' }]) {
    const config = extra.signType
      ? new IsvConfig({ appId: APP_ID, privateKey: readKey('keys/app_2048_pkcs8.pem'), alipayPublicKey: readKey('keys/alipay_2048_public.pem'), signType: 'RSA' })
      : ours
    const request = config.signRequest('alipay.system.oauth.token', { bizContent: BIZ, appAuthToken: TOKEN, timestamp: TIMESTAMP, ...extra })
    assert.equal(sdk.rsaCheck(request.signContent, request.params.sign, request.params.sign_type), true)
    assert.equal(sdk.checkNotifySignV2(request.params), true)
    assert.equal(sdk.checkNotifySignV2({ ...request.params, timestamp: '2026-11-21 23:04:06' }), false)
  }
})

test('(a) notifications we sign verify with checkNotifySign and checkNotifySignV2, and with ours', () => {
  const sdk = sdkWith()
  const params = { notify_id: 'n1', notify_type: 'trade_status_sync', subject: '年货 A+B', total_amount: '88.88', sign_type: 'RSA2', charset: 'utf-8' }
  const { sign_type: _, ...v1Content } = params
  for (const signed of [{ ...params, sign: alipaySign(signContent(v1Content)) }, { ...params, sign: alipaySign(signContent(params)) }]) {
    assert.equal(sdk.checkNotifySign(signed), true)
    assert.equal(sdk.checkNotifySignV2(signed), true)
    assert.equal(new NotificationVerifier(readKey('keys/alipay_2048_public.pem')).verifyParams(signed).kind, 'other')
    assert.equal(sdk.checkNotifySignV2({ ...signed, total_amount: '88.89' }), false)
  }
  // A percent sign in a value: the SDK's checkNotifySign decodes values once more (and throws on a
  // lone `%`), which is why checkNotifySignV2 exists; V2 and ours accept it.
  const withPercent = { ...params, passback_params: 'a%3Db 100%' }
  const signed = { ...withPercent, sign: alipaySign(signContent(withPercent)) }
  assert.equal(sdk.checkNotifySignV2(signed), true)
  assert.throws(() => sdk.checkNotifySign(signed), URIError)
  new NotificationVerifier(readKey('keys/alipay_2048_public.pem')).verifyParams(signed)
})

// notifications.json through checkNotifySignV2, on the body parsed with URLSearchParams.
const NOTIFY_SKIPS = {
  alipay_cert_sn_excluded_from_content: 'the SDK keeps alipay_cert_sn in the content; Alipay leaves it out',
  empty_value_excluded_from_content: 'the SDK signs empty values as `key=`; Alipay drops them',
  gbk_trade_notification: 'the SDK verifies the UTF-8 bytes of the content, Alipay signs GBK ones here',
  duplicated_total_amount: 'a parsing-level rejection: a parameter object cannot hold a key twice',
  segment_without_equals: 'a parsing-level rejection: URLSearchParams accepts a segment without =',
  invalid_utf8_percent_bytes: 'a parsing-level rejection: URLSearchParams replaces invalid UTF-8 with U+FFFD',
}

test('(a) notifications.json: the SDK gives our verdict on every case it can parse', () => {
  const sdk = sdkWith()
  const verifier = new NotificationVerifier(readKey('keys/alipay_2048_public.pem'))
  const skipped = []
  for (const vector of loadVectors('notifications.json').cases) {
    if (NOTIFY_SKIPS[vector.name]) {
      skipped.push(vector.name)
      // Each skip is real: our verifier and the SDK disagree, or ours rejects while parsing.
      const ourVerdict = (() => {
        try {
          verifier.verifyBody(Buffer.from(vector.body ?? '', 'utf8'))
          return true
        } catch (error) {
          return error.code
        }
      })()
      const theirs = sdk.checkNotifySignV2(Object.fromEntries(new URLSearchParams(vector.body)))
      assert.ok(ourVerdict === 'ALIPAY_PROTOCOL_ERROR' || ourVerdict !== theirs, vector.name)
      continue
    }
    const params = Object.fromEntries(new URLSearchParams(vector.body))
    assert.equal(sdk.checkNotifySignV2(params), vector.expect === 'ok', vector.name)
  }
  assert.deepEqual(skipped.sort(), Object.keys(NOTIFY_SKIPS).sort())
  assert.ok(skipped.length <= 6)
})

test('(a) a response body we sign is accepted by exec with validateSign, and tampering is refused', async () => {
  const node = '{"code":"10000","msg":"Success","user_id":"2088102000000001","nick_name":"小店 {\\"x\\"}","avatar":"https://a.b/c"}'
  const body = `{"alipay_user_info_share_response":${node},"sign":"${alipaySign(node)}"}`
  assert.deepEqual(new ResponseVerifier(readKey('keys/alipay_2048_public.pem')).verify('alipay.user.info.share', body).fields, JSON.parse(node))
  const { result } = await execWith(sdkWith(), body, 'alipay.user.info.share', {}, { validateSign: true })
  assert.equal(result.userId, '2088102000000001')
  await assert.rejects(execWith(sdkWith(), body.replace('0001', '0002'), 'alipay.user.info.share', {}, { validateSign: true }), /验签失败/)
})

// responses.json `ok` cases through exec with validateSign.
const RESPONSE_SKIPS = {
  sign_before_node: 'the SDK cuts the signed text at the last "sign" key, so a sign before the node breaks it',
  escaped_slash_signed_unescaped_passes_on_retry: 'the SDK has no \\/ → / retry (the Java SDK has)',
  gbk_success_chinese_nick_name: 'the SDK verifies UTF-8 bytes; this body is GBK',
  aes_encrypted_success: 'the SDK cuts the signed text between braces, which an encrypted (string) node has not',
}

test('(a) responses.json: exec with validateSign accepts every success it can read', async () => {
  const skipped = []
  for (const vector of loadVectors('responses.json').cases.filter((v) => v.expect === 'ok')) {
    const body = vector.body ?? Buffer.from(vector.body_base64, 'base64').toString('utf8')
    const attempt = execWith(sdkWith(readKey(vector.alipay_public_key)), body, vector.method, {}, { validateSign: true })
    if (RESPONSE_SKIPS[vector.name]) {
      skipped.push(vector.name)
      // Each skip is real: the SDK refuses what we verify.
      await assert.rejects(attempt, undefined, vector.name)
      continue
    }
    const { result } = await attempt
    assert.equal(typeof result, 'object', vector.name)
  }
  assert.deepEqual(skipped.sort(), Object.keys(RESPONSE_SKIPS).sort())
})
