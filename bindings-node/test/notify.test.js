'use strict'
// Mirrors protocol/src/notify: every notifications.json case, verifyParams, the acknowledgement, the
// service-check answer, and that no error carries a token.

const { test } = require('node:test')
const assert = require('node:assert/strict')

const {
  NotificationVerifier,
  IsvConfig,
  PublicKey,
  PrivateKey,
  Signer,
  Verifier,
  signContent,
  SUCCESS_ACK,
  SERVICE_CHECK,
} = require('..')
const { loadVectors, readKey, assertSubset, decodeForm } = require('./helpers')

const vectors = loadVectors('notifications.json')
// Genuine notifications signed by Alipay (official SDKs' test suites) and a tampered twin of each.
const realVectors = loadVectors('real_notifications.json')
const EXPECTED_CODES = { signature_error: 'ALIPAY_SIGNATURE_ERROR', protocol_error: 'ALIPAY_PROTOCOL_ERROR' }
const KINDS = { app_auth: 'appAuth', message: 'message', other: 'other' }
const DETAIL_FIELDS = {
  app_auth_token: 'appAuthToken',
  app_refresh_token: 'appRefreshToken',
  user_id: 'userId',
  auth_app_id: 'authAppId',
  expires_in: 'expiresIn',
  re_expires_in: 'reExpiresIn',
  auth_time: 'authTime',
  app_auth_code: 'appAuthCode',
}
const TOKENS = ['202611BB8f3c5a1e4d2b4a6f9e0c7d1a2b3c4X21', '202611BBf0e1d2c3b4a5968778695a4b3c2d1R21']

const bodyOf = (vector) =>
  vector.body_base64 != null ? Buffer.from(vector.body_base64, 'base64') : Buffer.from(vector.body, 'utf8')
const alipayVerifier = () => new NotificationVerifier(readKey('keys/alipay_2048_public.pem'))
const alipaySigner = () => new Signer(PrivateKey.fromText(readKey('keys/alipay_2048_pkcs8.pem')))

test('notifications.json has the expected number of cases', () => {
  assert.ok(vectors.cases.length >= 19, `only ${vectors.cases.length} cases`)
  const kinds = new Set(vectors.cases.filter((v) => v.expect === 'ok').map((v) => v.kind))
  assert.deepEqual([...kinds].sort(), ['app_auth', 'message', 'other'])
})

test('real_notifications.json has genuine samples and tampered twins', () => {
  assert.ok(realVectors.cases.filter((v) => v.expect === 'ok').length >= 5)
  assert.ok(realVectors.cases.filter((v) => v.expect !== 'ok').length >= 5)
})

const allCases = [
  ...vectors.cases.map((vector) => ['notifications.json', vector]),
  ...realVectors.cases.map((vector) => ['real_notifications.json', vector]),
]
for (const [file, vector] of allCases) {
  test(`${file}: ${vector.name}`, () => {
    const verifier = new NotificationVerifier(readKey(vector.alipay_public_key))
    const bodies = [bodyOf(vector)]
    if (vector.body != null) bodies.push(vector.body)
    for (const body of bodies) {
      if (vector.expect !== 'ok') {
        assert.throws(() => verifier.verifyBody(body), (error) => {
          assert.equal(error.code, EXPECTED_CODES[vector.expect], `${error.code}: ${error.reason}`)
          assert.equal(error.kind, vector.expect.replace('_error', ''))
          return true
        })
        continue
      }
      const notification = verifier.verifyBody(body)
      assert.equal(notification.kind, KINDS[vector.kind])
      if (vector.signed_form != null) assert.equal(notification.signedForm, vector.signed_form)
      assertSubset(assert, notification.params, vector.params, 'params')
      for (const value of Object.values(notification.params)) assert.equal(typeof value, 'string')
      if (notification.kind === 'appAuth') {
        const expected = Object.fromEntries(
          Object.entries(vector.detail).map(([key, value]) => [DETAIL_FIELDS[key], value]),
        )
        assert.deepEqual(notification.detail, { ...notification.detail, ...expected })
        assert.equal(notification.notifyId, vector.params.notify_id)
        assert.equal(notification.status, vector.params.status ?? null)
        assert.equal(notification.appId, vector.params.app_id ?? null)
        assert.equal(typeof notification.detail.expiresIn, 'number')
      } else if (notification.kind === 'message') {
        assert.equal(notification.msgMethod, vector.msg_method)
        assert.equal(notification.appAuthCancelled, vector.msg_method === 'alipay.open.auth.appauth.cancelled')
        assert.deepEqual(notification.bizContent, JSON.parse(vector.params.biz_content))
        assert.equal(notification.msgUid, vector.params.msg_uid ?? null)
        assert.equal(notification.msgAppId, vector.params.msg_app_id ?? null)
      } else {
        assert.deepEqual(Object.keys(notification).sort(), ['kind', 'params'])
      }
    }
  })
}

test('verifyParams gives the same verdicts as verifyBody on decoded parameters', () => {
  const verifier = alipayVerifier()
  let compared = 0
  for (const vector of vectors.cases) {
    let params
    try {
      params = decodeForm(bodyOf(vector).toString('latin1'), /charset=gbk/i.test(vector.body ?? '') ? 'GBK' : 'UTF-8')
    } catch {
      continue // bodies that cannot be decoded (duplicates, bad bytes) have no parameter object
    }
    if (vector.body == null) continue
    const viaBody = (() => {
      try {
        return verifier.verifyBody(bodyOf(vector))
      } catch (error) {
        return error.code
      }
    })()
    const viaParams = (() => {
      try {
        return verifier.verifyParams(params)
      } catch (error) {
        return error.code
      }
    })()
    assert.deepEqual(viaParams, viaBody, vector.name)
    compared += 1
  }
  assert.ok(compared >= 14, `compared ${compared}`)
  assert.throws(() => verifier.verifyParams({ sign: 'x', amount: 1 }))
  assert.throws(() => verifier.verifyParams({ a: 'b' }), { code: 'ALIPAY_SIGNATURE_ERROR' })
})

test('a notification we sign with the Alipay key verifies, as V1 and as V2', () => {
  const signer = alipaySigner()
  const params = {
    notify_id: 'n1',
    notify_type: 'trade_status_sync',
    subject: '年货 A+B %20',
    passback_params: 'a%3Db',
    total_amount: '88.88',
    sign_type: 'RSA2',
    charset: 'utf-8',
  }
  const { sign_type: _, ...withoutSignType } = params
  const v1 = { ...params, sign: signer.sign(signContent(withoutSignType)) }
  const v2 = { ...params, sign: signer.sign(signContent(params)) }
  for (const signed of [v1, v2]) {
    const notification = alipayVerifier().verifyParams(signed)
    assert.equal(notification.kind, 'other')
    assert.deepEqual(notification.params, signed)
    const body = new URLSearchParams(signed).toString()
    assert.deepEqual(alipayVerifier().verifyBody(body).params, signed)
    assert.throws(() => alipayVerifier().verifyParams({ ...signed, total_amount: '88.89' }), {
      code: 'ALIPAY_SIGNATURE_ERROR',
    })
  }
  // A legacy RSA notification without sign_type verifies with defaultSignType RSA only.
  const { sign_type: __, ...legacy } = params
  const legacySigned = { ...legacy, sign: new Signer(PrivateKey.fromText(readKey('keys/alipay_2048_pkcs8.pem')), { signType: 'RSA' }).sign(signContent(legacy)) }
  assert.throws(() => alipayVerifier().verifyParams(legacySigned), { code: 'ALIPAY_SIGNATURE_ERROR' })
  const rsa = new NotificationVerifier(PublicKey.fromText(readKey('keys/alipay_2048_public.pem')), { defaultSignType: 'RSA' })
  assert.equal(rsa.verifyParams(legacySigned).kind, 'other')
})

test('the config hands out a notification verifier with its byte limit', () => {
  const vector = vectors.cases.find((v) => v.name === 'open_app_auth_notify')
  const config = (maxBodyBytes) =>
    new IsvConfig({
      appId: '2021000000000001',
      privateKey: readKey('keys/app_2048_pkcs8.pem'),
      alipayPublicKey: readKey('keys/alipay_2048_public.pem'),
      maxBodyBytes,
    })
  assert.equal(config(undefined).notificationVerifier().verifyBody(vector.body).kind, 'appAuth')
  assert.throws(() => config(100).notificationVerifier().verifyBody(vector.body), (error) => {
    assert.equal(error.code, 'ALIPAY_PROTOCOL_ERROR')
    assert.match(error.reason, /limit/)
    return true
  })
  assert.throws(() => new NotificationVerifier(readKey('keys/alipay_2048_public.pem'), { maxBodyBytes: 0 }), {
    code: 'ALIPAY_CONFIG_ERROR',
  })
  assert.throws(() => new NotificationVerifier(readKey('keys/alipay_2048_public.pem'), { defaultSignType: 'MD5' }), {
    code: 'ALIPAY_CONFIG_ERROR',
  })
})

test('SUCCESS_ACK and the service-check answer', () => {
  assert.equal(SUCCESS_ACK, 'success')
  assert.equal(SERVICE_CHECK, 'alipay.service.check')
  const config = new IsvConfig({
    appId: '2021000000000001',
    privateKey: readKey('keys/app_2048_pkcs8.pem'),
    alipayPublicKey: readKey('keys/alipay_2048_public.pem'),
  })
  const appPublic = PublicKey.fromText(readKey('keys/app_2048_public.pem'))
  for (const verified of [true, false]) {
    const xml = config.serviceCheckAnswer(verified)
    assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?><alipay><response>/)
    const response = /<response>(.*)<\/response>/.exec(xml)[1]
    const sign = /<sign>(.*)<\/sign>/.exec(xml)[1]
    assert.ok(response.includes(`<biz_content>${appPublic.toBase64()}</biz_content>`))
    assert.equal(response.includes('<success>true</success>'), verified)
    assert.equal(response.includes('VERIFY_FAILED'), !verified)
    assert.match(xml, /<sign_type>RSA2<\/sign_type><\/alipay>$/)
    new Verifier(appPublic).verify(response, sign)
  }
})

test('errors about notifications never contain the tokens they carry', () => {
  const authCases = vectors.cases.filter((v) => v.kind === 'app_auth')
  assert.ok(authCases.length >= 2)
  const failures = []
  for (const vector of authCases) {
    const params = decodeForm(vector.body)
    failures.push(() => alipayVerifier().verifyParams({ ...params, status: 'tampered' }))
    failures.push(() => alipayVerifier().verifyParams({ ...params, sign: '' }))
    failures.push(() => alipayVerifier().verifyBody(`${vector.body}&notify_id=again`))
    failures.push(() => alipayVerifier().verifyBody(vector.body.replace('sign_type=RSA2', 'sign_type=HMAC')))
  }
  // A verified authorisation whose biz_content lacks the detail: a protocol error naming the field.
  const signer = alipaySigner()
  const broken = {
    notify_id: 'n', notify_type: 'open_app_auth_notify', sign_type: 'RSA2',
    biz_content: JSON.stringify({ detail: { app_auth_token: TOKENS[0], app_refresh_token: TOKENS[1] } }),
  }
  const { sign_type: _, ...unsigned } = broken
  failures.push(() => alipayVerifier().verifyParams({ ...broken, sign: signer.sign(signContent(unsigned)) }))
  for (const failure of failures) {
    try {
      failure()
      assert.fail('expected an error')
    } catch (error) {
      assert.ok(error.code?.startsWith('ALIPAY_'), String(error))
      const everything = `${error.message} ${error.reason} ${error.stack} ${JSON.stringify(error)}`
      for (const token of TOKENS) assert.ok(!everything.includes(token), everything)
    }
  }
})

test('no input crashes: binary, empty, malformed, wrong types', () => {
  const verifier = alipayVerifier()
  for (const body of [Buffer.from([0xff, 0x00, 0x3d]), '', '&&', '=', 'a=%zz&sign=x', 'a=%E4%B8&sign=x']) {
    assert.throws(() => verifier.verifyBody(body), (error) => {
      assert.ok(['ALIPAY_PROTOCOL_ERROR', 'ALIPAY_SIGNATURE_ERROR'].includes(error.code), error.code)
      return true
    })
  }
  assert.throws(() => verifier.verifyBody(12))
  assert.throws(() => verifier.verifyParams('a=b'))
})

test('logging a notification masks its tokens and code; the data itself is unchanged', () => {
  const util = require('node:util')
  const verifier = alipayVerifier()
  let checked = 0
  for (const vector of vectors.cases.filter((v) => v.expect === 'ok')) {
    const notification = verifier.verifyBody(bodyOf(vector))
    const secrets = notification.kind === 'appAuth'
      ? [notification.detail.appAuthToken, notification.detail.appRefreshToken, notification.detail.appAuthCode].filter(Boolean)
      : []
    const shown = [notification, notification.detail, notification.params]
      .filter((value) => value !== undefined)
      .flatMap((value) => [String(value), `${value}`, util.inspect(value, { showHidden: true, depth: 9 }), util.format('%s %o', value, value)])
    for (const text of shown) {
      for (const secret of secrets) assert.ok(!text.includes(secret), `${vector.name}: ${text}`)
    }
    assert.match(String(notification), new RegExp(`^${notification.kind === 'appAuth' ? 'AppAuth' : notification.kind === 'message' ? 'Message' : 'Other'}Notification \\{`))
    if (notification.kind === 'appAuth') {
      checked += 1
      assert.match(util.inspect(notification.detail), /appAuthToken: '.{0,4}…\(\d+ chars\)'/)
      assert.match(util.inspect(notification.params), /^params \{ 'notify_id'|^params \{ '/)
      // The methods are not data: not enumerable, not serialised, not compared.
      assert.ok(!Object.keys(notification).includes('toString'))
      assert.ok(JSON.stringify(notification).includes(notification.detail.appAuthToken))
      assert.deepEqual(JSON.parse(JSON.stringify(notification)), { ...notification, detail: { ...notification.detail }, params: { ...notification.params } })
    }
  }
  assert.ok(checked >= 1, 'no appAuth case')
})
