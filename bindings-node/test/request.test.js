'use strict'
// Mirrors protocol/src/config.rs, protocol/src/request and protocol/src/aes.rs: configuration checks, signed
// requests in their four forms (each decoded back to the signed parameters), AES, the UTC+8 timestamp.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')
const { execFileSync } = require('node:child_process')

const binding = require('..')
const {
  IsvConfig,
  PrivateKey,
  PublicKey,
  AesKey,
  Verifier,
  SignedRequest,
  signContent,
  chinaTimestampNow,
  chinaTimestamp,
  parseChinaTimestamp,
  PRODUCTION_GATEWAY,
  SANDBOX_GATEWAY,
} = binding
const { readKey, decodeForm, parseForm, chinaTime } = require('./helpers')

const APP_ID = '2021000000000001'
const AES = 'aa4BtZ4tspm2wnXLb1ThQA=='
const TOKEN = '202611BBa1b2c3d4e5f6a7b8'
const USER_TOKEN = 'authusrB2e8f4c6a1d3b5e7f9'
const appKey = () => readKey('keys/app_2048_pkcs8.pem')
const alipayKey = () => readKey('keys/alipay_2048_public.pem')
const config = (extra = {}) =>
  new IsvConfig({ appId: APP_ID, privateKey: appKey(), alipayPublicKey: alipayKey(), gateway: 'sandbox', aesKey: AES, ...extra })
const OPTIONS = {
  appAuthToken: TOKEN,
  bizContent: { subject: '年货 & <礼盒> "精选"', total_amount: '88.88' },
  notifyUrl: 'https://isv.example.com/notify?x=1&y=2',
  timestamp: '2026-11-21 23:04:05',
}
const appVerifier = (options) => new Verifier(PublicKey.fromText(readKey('keys/app_2048_public.pem')), options)

/** A value of the wrong JavaScript type is refused by napi's conversion, before the core. */
const argumentError = (error) => error instanceof Error && !String(error.code).startsWith('ALIPAY_')

function thrown(fn) {
  try {
    fn()
  } catch (error) {
    return error
  }
  assert.fail('expected an error')
}

test('a fixed timestamp gives the expected, verifiable parameters', () => {
  const request = config().signRequest('alipay.trade.create', OPTIONS)
  assert.ok(request instanceof SignedRequest)
  const { sign, ...unsigned } = request.params
  assert.deepEqual(unsigned, {
    app_id: APP_ID,
    method: 'alipay.trade.create',
    format: 'JSON',
    charset: 'UTF-8',
    sign_type: 'RSA2',
    timestamp: '2026-11-21 23:04:05',
    version: '1.0',
    notify_url: 'https://isv.example.com/notify?x=1&y=2',
    app_auth_token: TOKEN,
    biz_content: '{"subject":"年货 & <礼盒> \\"精选\\"","total_amount":"88.88"}',
  })
  assert.equal(Object.keys(request.params).at(-1), 'sign')
  assert.equal(request.signContent, signContent(unsigned))
  appVerifier().verify(request.signContent, sign)
  assert.equal(request.param('method'), 'alipay.trade.create')
  assert.equal(request.param('nothing'), null)
  // Signing is deterministic (PKCS#1 v1.5): the same inputs give the same request.
  assert.deepEqual(config().signRequest('alipay.trade.create', OPTIONS).params, request.params)
})

test('bizContent: objects become compact JSON in their own key order, strings are sent as is', () => {
  const biz = (bizContent) => config().signRequest('x.y', { bizContent }).params.biz_content
  assert.equal(biz({ z: 1, a: [1, { b: null }], m: '中' }), '{"z":1,"a":[1,{"b":null}],"m":"中"}')
  assert.equal(biz('{"raw" : true}'), '{"raw" : true}')
  assert.equal(biz([1, 2]), '[1,2]')
  assert.equal(biz(null), undefined)
  assert.equal(biz(undefined), undefined)
  assert.equal(biz({ when: new Date(0) }), '{"when":"1970-01-01T00:00:00.000Z"}')
  assert.throws(() => biz(() => 1), { code: 'ALIPAY_CONFIG_ERROR' })
  assert.throws(() => biz({ big: 1n }), TypeError)
})

test('execute: system parameters in the URL, application parameters in the body', () => {
  const request = config().signRequest('alipay.system.oauth.token', {
    ...OPTIONS,
    authToken: USER_TOKEN,
    returnUrl: 'https://isv.example.com/return',
    extraParams: { grant_type: 'authorization_code', code: 'P5f3+b1/c2' },
  })
  const http = request.httpRequest()
  assert.deepEqual(Object.keys(http).sort(), ['body', 'contentType', 'url'])
  assert.equal(http.contentType, 'application/x-www-form-urlencoded;charset=UTF-8')
  const [base, query] = http.url.split('?')
  assert.equal(base, SANDBOX_GATEWAY)
  const inUrl = decodeForm(query)
  const inBody = decodeForm(http.body)
  const system = ['app_id', 'method', 'format', 'charset', 'sign_type', 'sign', 'timestamp', 'version',
    'notify_url', 'return_url', 'auth_token']
  assert.deepEqual(Object.keys(inUrl).sort(), [...system].sort())
  assert.deepEqual(Object.keys(inBody).sort(), ['app_auth_token', 'biz_content', 'code', 'grant_type'])
  assert.deepEqual({ ...inUrl, ...inBody }, request.params)
  appVerifier().verify(signContent({ ...inUrl, ...inBody }), inUrl.sign)
})

test('page URL, page form and order string decode to the signed parameters', () => {
  const request = config().signRequest('alipay.trade.page.pay', { ...OPTIONS, returnUrl: 'https://isv.example.com/r?a=1' })
  const pageUrl = request.pageUrl()
  assert.ok(pageUrl.startsWith(`${SANDBOX_GATEWAY}?`))
  assert.deepEqual(decodeForm(pageUrl.split('?')[1]), request.params)

  const html = request.pageForm()
  assert.match(html, /^<form name="punchout_form" method="post" action="/)
  assert.match(html, /<script>document\.forms\[0\]\.submit\(\);<\/script>$/)
  // Values are HTML-escaped: no raw quote or angle bracket from biz_content survives.
  assert.ok(html.includes('\\&quot;精选\\&quot;'), html)
  assert.ok(!html.includes('<礼盒>'))
  const { action, inputs } = parseForm(html)
  const [base, query] = action.split('?')
  assert.equal(base, SANDBOX_GATEWAY)
  assert.deepEqual({ ...decodeForm(query), ...inputs }, request.params)
  assert.deepEqual(Object.keys(inputs).sort(), ['app_auth_token', 'biz_content'])

  const order = request.orderString()
  assert.deepEqual(decodeForm(order), request.params)
  const keys = order.split('&').map((pair) => pair.split('=')[0])
  assert.deepEqual(keys, [...keys].sort(), 'the order string is sorted')
})

test('GBK requests encode values in GBK and sign the GBK bytes', () => {
  const gbk = config({ charset: 'gbk' })
  assert.equal(gbk.charset, 'GBK')
  const request = gbk.signRequest('alipay.trade.create', OPTIONS)
  const http = request.httpRequest()
  assert.equal(http.contentType, 'application/x-www-form-urlencoded;charset=GBK')
  assert.ok(http.body.includes('%C4%EA%BB%F5'), http.body) // 年货 in GBK
  const params = { ...decodeForm(http.url.split('?')[1], 'GBK'), ...decodeForm(http.body, 'GBK') }
  assert.deepEqual(params, request.params)
  appVerifier({ charset: 'GBK' }).verify(request.signContent, request.params.sign)
  assert.deepEqual(decodeForm(request.orderString(), 'GBK'), request.params)
  assert.throws(() => gbk.signRequest('x.y', { bizContent: { s: '😀' } }), { code: 'ALIPAY_CONFIG_ERROR' })
})

test('AES: a key round-trips, and encrypted requests carry the ciphertext', () => {
  const key = AesKey.fromBase64(AES)
  const plain = '{"a":"中 & 文"}'
  const encrypted = key.encrypt(plain)
  assert.match(encrypted, /^[A-Za-z0-9+/]+=*$/)
  assert.equal(key.decrypt(encrypted).toString('utf8'), plain)
  assert.equal(key.encrypt(Buffer.from(plain)), encrypted)
  assert.equal(String(key), 'AesKey(128 bits)')
  assert.equal(util.inspect(key), 'AesKey(128 bits)')
  const request = config().signRequest('alipay.user.info.share', { ...OPTIONS, encrypt: true })
  assert.equal(request.params.encrypt_type, 'AES')
  assert.equal(key.decrypt(request.params.biz_content).toString(), config().signRequest('x.y', OPTIONS).params.biz_content)
  appVerifier().verify(request.signContent, request.params.sign)
  assert.ok(decodeForm(request.httpRequest().url.split('?')[1]).encrypt_type === 'AES')
  // The config accepts an AesKey object as well as its text.
  const withObject = config({ aesKey: key }).signRequest('x.y', { bizContent: 'x', encrypt: true })
  assert.equal(key.decrypt(withObject.params.biz_content).toString(), 'x')
})

test('AES errors: bad keys are config errors, bad ciphertext protocol errors, no key no encryption', () => {
  for (const bad of ['short', '!!!', Buffer.alloc(20).toString('base64')]) {
    assert.throws(() => AesKey.fromBase64(bad), { code: 'ALIPAY_CONFIG_ERROR' })
  }
  const key = AesKey.fromBase64(AES)
  assert.throws(() => key.decrypt('not base64!'), { code: 'ALIPAY_PROTOCOL_ERROR' })
  assert.throws(() => key.decrypt(Buffer.alloc(15).toString('base64')), { code: 'ALIPAY_PROTOCOL_ERROR' })
  const other = AesKey.fromBase64(Buffer.alloc(16, 7).toString('base64'))
  // A wrong key almost always fails to unpad (a protocol error); it never yields the plain text.
  try {
    assert.notEqual(other.decrypt(key.encrypt('{"code":"10000"}')).toString(), '{"code":"10000"}')
  } catch (error) {
    assert.equal(error.code, 'ALIPAY_PROTOCOL_ERROR')
  }
  const noAes = new IsvConfig({ appId: APP_ID, privateKey: appKey(), alipayPublicKey: alipayKey() })
  assert.throws(() => noAes.signRequest('x.y', { bizContent: '{}', encrypt: true }), (e) => {
    assert.equal(e.code, 'ALIPAY_CONFIG_ERROR')
    assert.match(e.reason, /AES key/)
    return true
  })
})

test("the app's own public key is refused as the Alipay key, saying so", () => {
  for (const own of [readKey('keys/app_2048_public.pem'), PrivateKey.fromText(appKey()).publicKey(), readKey('keys/app_2048_cert.pem')]) {
    const error = thrown(() => new IsvConfig({ appId: APP_ID, privateKey: appKey(), alipayPublicKey: own }))
    assert.equal(error.code, 'ALIPAY_CONFIG_ERROR')
    assert.match(error.reason, /app's own public key/)
  }
})

test('configuration errors are config errors', () => {
  const base = { appId: APP_ID, privateKey: appKey(), alipayPublicKey: alipayKey() }
  const cases = [
    [{ appId: '' }, /app_id/],
    [{ appId: 'abc' }, /app_id/],
    [{ gateway: 'ftp://x' }, /gateway/],
    [{ signType: 'RSA3' }, /RSA3/],
    [{ charset: 'latin1' }, /latin1/i],
    [{ aesKey: 'short' }, /AES/],
    [{ maxBodyBytes: 0 }, /maxBodyBytes|max_body_bytes/],
    [{ maxBodyBytes: -1 }, /maxBodyBytes/],
    [{ maxBodyBytes: 1.5 }, /maxBodyBytes/],
    [{ privateKey: readKey('keys/app_2048_public.pem') }, /public key/],
    [{ privateKey: readKey('keys/app_1024_pkcs1.pem') }, /2048/],
  ]
  for (const [override, reason] of cases) {
    const error = thrown(() => new IsvConfig({ ...base, ...override }))
    assert.equal(error.code, 'ALIPAY_CONFIG_ERROR', JSON.stringify(override))
    assert.match(error.reason, reason)
  }
  assert.throws(() => new IsvConfig({ ...base, privateKey: 42 }), argumentError)
  assert.throws(() => new IsvConfig({ ...base, alipayPublicKey: PrivateKey.fromText(appKey()) }))
})

test('the config accepts key objects, names the gateway and defaults to production, RSA2, UTF-8', () => {
  const production = new IsvConfig({
    appId: ` ${APP_ID} `,
    privateKey: PrivateKey.fromText(appKey()),
    alipayPublicKey: PublicKey.fromText(alipayKey()),
  })
  assert.equal(production.appId, APP_ID)
  assert.equal(production.gateway, PRODUCTION_GATEWAY)
  assert.equal(production.signType, 'RSA2')
  assert.equal(production.charset, 'UTF-8')
  assert.equal(config().gateway, SANDBOX_GATEWAY)
  const custom = config({ gateway: 'http://127.0.0.1:8080/gateway.do?env=test', signType: 'rsa' })
  assert.equal(custom.signType, 'RSA')
  const url = custom.signRequest('x.y').httpRequest().url
  assert.ok(url.startsWith('http://127.0.0.1:8080/gateway.do?env=test&app_id='), url)
  appVerifier({ signType: 'RSA' }).verify(custom.signRequest('x.y', { timestamp: OPTIONS.timestamp }).signContent,
    custom.signRequest('x.y', { timestamp: OPTIONS.timestamp }).params.sign)
})

test('request errors: method, colliding extra parameters, timestamp', () => {
  const c = config()
  for (const method of ['', '  ', 'alipay trade']) {
    assert.throws(() => c.signRequest(method), { code: 'ALIPAY_CONFIG_ERROR' })
  }
  for (const name of ['app_id', 'sign', 'method', 'app_auth_token']) {
    const error = thrown(() => c.signRequest('x.y', { appAuthToken: TOKEN, extraParams: { [name]: 'v' } }))
    assert.equal(error.code, 'ALIPAY_CONFIG_ERROR')
    assert.ok(error.reason.includes(name), error.reason)
  }
  for (const timestamp of ['2026-11-21T23:04:05', '2026-13-01 00:00:00', 'now']) {
    assert.throws(() => c.signRequest('x.y', { timestamp }), { code: 'ALIPAY_CONFIG_ERROR' })
  }
  assert.throws(() => c.signRequest('x.y', { extraParams: { a: 1 } }), argumentError)
})

test('no representation of a request, config or error shows a token', () => {
  const c = config()
  const request = c.signRequest('alipay.user.info.share', { ...OPTIONS, authToken: USER_TOKEN })
  const shown = [
    String(request),
    util.inspect(request, { showHidden: true, depth: 5, getters: true }),
    util.format('%o %O %s', request, request, request),
    JSON.stringify(request),
    util.inspect({ nested: [request] }),
    String(c),
    util.inspect(c, { showHidden: true, getters: true }),
  ]
  for (const text of shown) {
    assert.ok(!text.includes(TOKEN), text)
    assert.ok(!text.includes(USER_TOKEN), text)
    assert.ok(!text.includes(AES), text)
    assert.ok(!text.includes('MII'), text)
  }
  assert.match(String(request), /^SignedRequest\(alipay\.user\.info\.share, https:\/\/openapi-sandbox/)
  assert.ok(String(request).includes('app_auth_token: 2026…(24 chars)'), String(request))
  assert.ok(String(request).includes('auth_token: auth…(25 chars)'), String(request))
  assert.equal(util.inspect(request), String(request))
  assert.match(String(c), /^IsvConfig\(2021000000000001, RSA2, UTF-8, https:\/\/openapi-sandbox.*SHA256:[0-9a-f]{16}.*AES\)$/)
  // Errors about requests never echo the tokens either.
  const errors = [
    thrown(() => c.signRequest('x.y', { appAuthToken: TOKEN, extraParams: { app_auth_token: TOKEN } })),
    thrown(() => c.signRequest('bad method', { appAuthToken: TOKEN })),
    thrown(() => config({ charset: 'GBK' }).signRequest('x.y', { appAuthToken: `${TOKEN}😀` })),
  ]
  for (const error of errors) {
    const everything = `${error.message} ${error.reason} ${error.stack} ${JSON.stringify(error)}`
    assert.ok(!everything.includes(TOKEN), everything)
  }
  assert.throws(() => new SignedRequest())
})

test('chinaTimestamp formats UTC+8, and parseChinaTimestamp inverts it', () => {
  assert.equal(chinaTimestamp(0), '1970-01-01 08:00:00')
  assert.equal(chinaTimestamp(1795273445), '2026-11-21 23:04:05')
  assert.equal(chinaTimestamp(951753600), '2000-02-29 00:00:00')
  for (const seconds of [0, 951753600, 1709225999, 1795273445]) {
    assert.equal(parseChinaTimestamp(chinaTimestamp(seconds)), seconds)
    assert.equal(chinaTimestamp(seconds), chinaTime(seconds * 1000))
  }
  assert.equal(parseChinaTimestamp('2026-11-21T23:04:05'), null)
})

test('chinaTimestampNow and signRequest use UTC+8 whatever the host time zone', () => {
  const script = `
    const b = require(${JSON.stringify(require.resolve('..'))})
    const before = Date.now()
    const now = b.chinaTimestampNow()
    const c = new b.IsvConfig({ appId: '1', privateKey: process.env.APP_KEY, alipayPublicKey: process.env.ALIPAY_KEY })
    const signed = c.signRequest('x.y').params.timestamp
    const after = Date.now()
    const local = new Date(before)
    const localText = local.getFullYear() + '-' + String(local.getMonth() + 1).padStart(2, '0') + '-' +
      String(local.getDate()).padStart(2, '0') + ' ' + String(local.getHours()).padStart(2, '0')
    console.log(JSON.stringify({ before, after, now, signed, offset: local.getTimezoneOffset(), localText }))`
  for (const tz of ['America/Los_Angeles', 'UTC', 'Pacific/Kiritimati', 'Asia/Shanghai']) {
    const out = execFileSync(process.execPath, ['-e', script], {
      env: { ...process.env, TZ: tz, APP_KEY: appKey(), ALIPAY_KEY: alipayKey() },
      encoding: 'utf8',
    })
    const { before, after, now, signed, offset, localText } = JSON.parse(out)
    if (tz === 'America/Los_Angeles') assert.ok(offset >= 420, `TZ not applied: offset ${offset}`)
    if (tz === 'Pacific/Kiritimati') assert.equal(offset, -840)
    for (const stamp of [now, signed]) {
      const expected = [chinaTime(Math.floor(before / 1000) * 1000), chinaTime(Math.floor(after / 1000) * 1000)]
      assert.ok(stamp >= expected[0] && stamp <= expected[1], `${tz}: ${stamp} not in ${expected}`)
    }
    if (tz !== 'Asia/Shanghai') assert.ok(!now.startsWith(localText), `${tz}: ${now} is local time ${localText}`)
  }
})
