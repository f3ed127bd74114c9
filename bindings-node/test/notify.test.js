'use strict'
// Mirrors protocol/src/notify: every notifications.json and real_notifications.json case, verifyParams,
// the service-market order message and the plugin authorisation, the acknowledgement, the
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
const KINDS = { app_auth: 'appAuth', message: 'message', servicemarket_order: 'serviceMarketOrder', other: 'other' }
// The snake_case keys of a vector's `order` and the result's camelCase fields.
const ORDER_FIELDS = {
  commodity_order_id: 'commodityOrderId',
  merchant_pid: 'merchantPid',
  notify_id: 'notifyId',
  merchant_name: 'merchantName',
  consumer_mini_app_id: 'consumerMiniAppId',
  title: 'title',
  total_price: 'totalPrice',
  order_item_num: 'orderItemNum',
  order_ticket: 'orderTicket',
}
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
  const orders = realVectors.cases.filter((v) => v.kind === 'servicemarket_order')
  assert.ok(orders.length >= 2, `only ${orders.length} order messages`)
  for (const vector of orders) assert.deepEqual(Object.keys(vector.order).sort(), Object.keys(ORDER_FIELDS).sort())
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
        const biz = JSON.parse(vector.params.biz_content)
        assert.equal(notification.trigger, biz.notify_context?.trigger ?? null)
        assert.equal(notification.detail.authorisedAppId, biz.detail.app_id ?? null)
        assert.equal(notification.detail.agentAppId, biz.detail.agent_app_id ?? null)
        assert.equal(
          notification.pluginAuthorisation,
          notification.trigger === 'appstore' || notification.detail.agentAppId !== null,
        )
      } else if (notification.kind === 'message') {
        assert.equal(notification.msgMethod, vector.msg_method)
        assert.equal(notification.appAuthCancelled, vector.msg_method === 'alipay.open.auth.appauth.cancelled')
        assert.deepEqual(notification.bizContent, JSON.parse(vector.params.biz_content))
        assert.equal(notification.msgUid, vector.params.msg_uid ?? null)
        assert.equal(notification.msgAppId, vector.params.msg_app_id ?? null)
      } else if (notification.kind === 'serviceMarketOrder') {
        for (const [key, value] of Object.entries(vector.order)) {
          assert.deepEqual(notification[ORDER_FIELDS[key]], value, `${vector.name}: ${key}`)
        }
        assert.equal(typeof notification.orderItemNum, 'number')
        assert.equal(notification.appId, vector.params.app_id ?? null)
        assert.equal(notification.notifyTime, vector.params.notify_time ?? null)
        assert.equal(notification.orderTime, vector.params.order_time ?? null)
        assert.equal(notification.serviceCode, vector.params.service_code ?? null)
        assert.equal(notification.contactor, vector.params.contactor ?? null)
        assert.equal(notification.phone, vector.params.phone ?? null)
        assert.equal(notification.isvTicket, vector.params.isv_ticket || null, 'an empty isv_ticket is null')
        // Every field of the type, in the struct's order; `signedForm` not among them.
        assert.deepEqual(Object.keys(notification), ORDER_KEYS)
        assert.equal(Object.getOwnPropertyDescriptor(notification, 'signedForm').enumerable, false)
      } else {
        assert.deepEqual(Object.keys(notification).sort(), ['kind', 'params'])
      }
    }
  })
}

// The fields of a `serviceMarketOrder` result, in order (index.d.ts: ServiceMarketOrderNotification).
const ORDER_KEYS = [
  'kind', 'notifyId', 'notifyTime', 'appId', 'commodityOrderId', 'merchantPid', 'merchantName',
  'consumerMiniAppId', 'orderTime', 'title', 'totalPrice', 'orderItemNum', 'itemCode', 'specifications',
  'periodDay', 'orderTicket', 'serviceCode', 'isvTicket', 'contactor', 'phone', 'params',
]

/** `params` (re)signed with the Alipay test key (V1: `sign` and `sign_type` left out of the content). */
function signedByAlipay(params) {
  const { sign_type: _, sign: __, ...content } = params
  return { ...params, sign: alipaySigner().sign(signContent(content)) }
}

/** A service-market order message, as the gateway sends one (the 2022 field sample's shape). */
function orderParams(overrides = {}) {
  return {
    notify_id: '2022050700222114018083401442873617',
    notify_type: 'servicemarket_order_notify',
    notify_time: '2022-05-07 11:40:18',
    app_id: '2021000000000001',
    method: 'alipay.open.servicemarket.order.notify',
    commodity_order_id: '202205070000000008344772',
    merchant_pid: '2088731356422683',
    name: '杭*************司',
    consumer_miniAppId: '2021002123650074',
    order_time: '2022-05-07 11:40:10',
    title: '小程序模板',
    total_price: '0.00',
    order_item_num: '2',
    item_code: 'AM010000000000001',
    specifications: '标准版',
    period_day: '30',
    service_code: '58621634',
    contactor: '张三丰',
    phone: '17800000000',
    charset: 'utf-8',
    version: '1.0',
    sign_type: 'RSA2',
    ...overrides,
  }
}

test('a service-market order message is typed: every field, counts as numbers, the rest in params', () => {
  const params = signedByAlipay(orderParams())
  for (const order of [alipayVerifier().verifyParams(params), alipayVerifier().verifyBody(new URLSearchParams(params).toString())]) {
    assert.equal(order.kind, 'serviceMarketOrder')
    assert.equal(order.signedForm, 'v1')
    assert.deepEqual(
      { ...order, params: undefined },
      {
        kind: 'serviceMarketOrder',
        notifyId: '2022050700222114018083401442873617',
        notifyTime: '2022-05-07 11:40:18',
        appId: '2021000000000001',
        commodityOrderId: '202205070000000008344772',
        merchantPid: '2088731356422683',
        merchantName: '杭*************司',
        consumerMiniAppId: '2021002123650074',
        orderTime: '2022-05-07 11:40:10',
        title: '小程序模板',
        totalPrice: '0.00',
        orderItemNum: 2,
        itemCode: 'AM010000000000001',
        specifications: '标准版',
        periodDay: 30,
        orderTicket: null,
        serviceCode: '58621634',
        isvTicket: null,
        contactor: '张三丰',
        phone: '17800000000',
        params: undefined,
      },
    )
    assert.deepEqual(order.params, params)
    assert.deepEqual(Object.keys(order), ORDER_KEYS)
  }
})

test('an order message without its order number, merchant or id, or with a bad count, is a protocol error', () => {
  for (const missing of ['commodity_order_id', 'merchant_pid', 'notify_id']) {
    const { [missing]: _, ...rest } = orderParams()
    const signed = signedByAlipay(rest)
    for (const verify of [() => alipayVerifier().verifyParams(signed), () => alipayVerifier().verifyBody(new URLSearchParams(signed).toString())]) {
      assert.throws(verify, (error) => {
        assert.equal(error.code, 'ALIPAY_PROTOCOL_ERROR', `${missing}: ${error.code}`)
        assert.equal(error.kind, 'protocol')
        assert.ok(error.reason.includes(missing), error.reason)
        for (const personal of ['张三丰', '17800000000']) assert.ok(!`${error.message} ${error.stack}`.includes(personal))
        return true
      })
    }
  }
  // Blank is missing too; a count that is not a number is refused.
  assert.throws(() => alipayVerifier().verifyParams(signedByAlipay(orderParams({ commodity_order_id: ' ' }))), {
    code: 'ALIPAY_PROTOCOL_ERROR',
  })
  assert.throws(() => alipayVerifier().verifyParams(signedByAlipay(orderParams({ order_item_num: 'many' }))), {
    code: 'ALIPAY_PROTOCOL_ERROR',
  })
  // Unsigned or tampered, it is a signature error first.
  assert.throws(() => alipayVerifier().verifyParams({ ...signedByAlipay(orderParams()), phone: '17800000001' }), {
    code: 'ALIPAY_SIGNATURE_ERROR',
  })
})

test('an order with a __proto__ parameter takes the Node-API path to the same shape', () => {
  const params = signedByAlipay(orderParams({ ['__proto__']: 'x' }))
  assert.ok(Object.keys(params).includes('__proto__'))
  const order = alipayVerifier().verifyParams(params)
  assert.equal(order.kind, 'serviceMarketOrder')
  assert.equal(order.signedForm, 'v1')
  assert.equal(Object.getOwnPropertyDescriptor(order, 'signedForm').enumerable, false)
  assert.deepEqual(Object.keys(order), ORDER_KEYS)
  assert.equal(order.orderItemNum, 2)
  assert.equal(order.orderTicket, null)
  assert.equal(order.commodityOrderId, '202205070000000008344772')
  assert.match(String(order), /^ServiceMarketOrderNotification \{/)
  assert.ok(!String(order).includes('17800000000') && !String(order).includes('张三丰'))
})

test('a plugin authorisation (trigger=appstore) says so, with the plugin and the app owning it', () => {
  const detail = {
    app_auth_token: TOKENS[0],
    app_refresh_token: TOKENS[1],
    user_id: '2088731356422683',
    auth_app_id: '2021002123650074',
    app_id: '2021003100000042',
    agent_app_id: '2021000000000001',
    expires_in: 31536000,
    re_expires_in: 32140800,
    auth_time: 1763700000000,
  }
  const params = signedByAlipay({
    notify_id: '2026112100222160000000000000000301',
    notify_type: 'open_app_auth_notify',
    notify_time: '2026-11-21 16:00:00',
    status: 'execute_auth',
    app_id: '2021000000000001',
    sign_type: 'RSA2',
    charset: 'utf-8',
    version: '1.0',
    biz_content: JSON.stringify({ notify_context: { trigger: 'appstore', trigger_context: {} }, detail }),
  })
  const notification = alipayVerifier().verifyParams(params)
  assert.equal(notification.kind, 'appAuth')
  assert.equal(notification.pluginAuthorisation, true)
  assert.equal(notification.trigger, 'appstore')
  assert.equal(notification.detail.authorisedAppId, '2021003100000042')
  assert.equal(notification.detail.agentAppId, '2021000000000001')
  assert.equal(notification.detail.authAppId, '2021002123650074')
  assert.equal(notification.detail.appAuthToken, TOKENS[0])
  const shown = String(notification)
  assert.match(shown, /trigger: 'appstore', pluginAuthorisation: true/)
  assert.match(shown, /authorisedAppId: '2021003100000042', agentAppId: '2021000000000001'/)
  for (const token of TOKENS) assert.ok(!shown.includes(token), shown)

  // Either sign is enough: an agent_app_id without the trigger, or the trigger without it.
  const withoutTrigger = alipayVerifier().verifyParams(
    signedByAlipay({ ...params, biz_content: JSON.stringify({ detail }) }),
  )
  assert.equal(withoutTrigger.trigger, null)
  assert.equal(withoutTrigger.pluginAuthorisation, true)
  const { agent_app_id: _, ...ownApp } = detail
  const merchantOwn = alipayVerifier().verifyParams(
    signedByAlipay({ ...params, biz_content: JSON.stringify({ notify_context: { trigger: 'user_app_auth' }, detail: ownApp }) }),
  )
  assert.equal(merchantOwn.pluginAuthorisation, false)
  assert.equal(merchantOwn.trigger, 'user_app_auth')
  assert.equal(merchantOwn.detail.agentAppId, null)
})

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
