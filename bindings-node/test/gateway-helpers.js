'use strict'
// Shared by the gateway and order test files (not a test itself): notifications signed here with the
// emulator's "Alipay" test key (tests/vectors/keys/alipay_2048_pkcs8.pem, given to the emulator as
// `alipayPrivateKey`) as the gateway signs them (V1: `sign` and `sign_type` left out of the content),
// an HTTP server on 127.0.0.1:0, and a raw HTTP POST that reports what the server answered.

const http = require('node:http')
const { PrivateKey, Signer, signContent } = require('..')
const { readKey } = require('./helpers')

const ALIPAY_PRIVATE_KEY = readKey('keys/alipay_2048_pkcs8.pem')
const FORM = 'application/x-www-form-urlencoded; charset=utf-8'
const PLUGIN_A = '2021000000000077'
const PLUGIN_B = '2021000000000078'

let signer = null

/** `params` signed by the test "Alipay" key (V1), as a form body. */
function signedBody(params) {
  signer ??= new Signer(PrivateKey.fromText(ALIPAY_PRIVATE_KEY))
  const { sign_type: _, sign: __, ...content } = params
  const sign = signer.sign(signContent(content))
  return new URLSearchParams({ ...params, sign_type: 'RSA2', sign }).toString()
}

/** A service-market order message (the emulator's shape), `overrides` applied. */
function orderParams(overrides = {}) {
  return {
    notify_id: `n-order-${overrides.commodity_order_id ?? '1'}`,
    notify_type: 'servicemarket_order_notify',
    notify_time: '2026-12-07 10:00:01',
    app_id: '2021000000000001',
    charset: 'UTF-8',
    version: '1.0',
    commodity_order_id: '202612070000000000000001',
    merchant_pid: '2088000000000042',
    consumer_miniAppId: '2021004200000001',
    name: '杭州测试科技有限公司',
    title: '插件订购',
    contactor: '张三丰',
    phone: '13800000042',
    order_time: '2026-12-07 10:00:00',
    total_price: '0.00',
    order_item_num: '1',
    ...overrides,
  }
}

/** A plugin authorisation (`trigger=appstore`) of `plugin` on the merchant app `authAppId`. */
function pluginAuthParams({ notifyId, plugin, authAppId, token, merchantPid = '2088000000000042', agent = '2021000000000001' }) {
  const detail = {
    app_auth_token: token,
    app_refresh_token: `${token}r`,
    user_id: merchantPid,
    auth_app_id: authAppId,
    app_id: plugin,
    agent_app_id: agent,
    expires_in: 31536000,
    re_expires_in: 32140800,
    auth_time: 1796600000000,
  }
  return {
    notify_id: notifyId,
    notify_type: 'open_app_auth_notify',
    notify_time: '2026-12-07 10:00:05',
    app_id: plugin,
    status: 'execute_auth',
    charset: 'UTF-8',
    version: '1.0',
    biz_content: JSON.stringify({ notify_context: { trigger: 'appstore' }, detail }),
  }
}

/** An HTTP server for `listener` on 127.0.0.1:0: its URL and a `close()`. */
async function listen(listener, path = '/alipay/gateway') {
  const server = http.createServer(listener)
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${server.address().port}${path}`
  return {
    server,
    url,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.()
        server.close(resolve)
      }),
  }
}

/**
 * POSTs `body` (a string, a Buffer, or an async iterable of Buffers: streamed until the server
 * answers) to `url`; resolves to `{ status, headers, body, sent }` (`sent`: bytes written before the
 * answer came).
 */
function post(url, body, { method = 'POST', contentType = FORM, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    let sent = 0
    let answered = false
    const request = http.request(url, {
      method,
      headers: { ...(contentType === null ? {} : { 'content-type': contentType }), ...headers },
    })
    request.on('response', (response) => {
      answered = true
      const chunks = []
      response.on('data', (chunk) => chunks.push(chunk))
      response.on('end', () =>
        resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks).toString('utf8'), sent }),
      )
      response.on('error', reject)
    })
    request.on('error', (error) => {
      if (!answered) reject(error)
    })
    if (body === undefined || body === null) {
      request.end()
    } else if (typeof body === 'string' || Buffer.isBuffer(body)) {
      sent = Buffer.byteLength(body)
      request.end(body)
    } else {
      ;(async () => {
        for await (const chunk of body) {
          if (answered || request.destroyed) break
          sent += chunk.length
          if (!request.write(chunk)) await new Promise((resolve) => request.once('drain', resolve))
        }
        request.end()
      })().catch(() => {})
    }
  })
}

module.exports = { ALIPAY_PRIVATE_KEY, FORM, PLUGIN_A, PLUGIN_B, signedBody, orderParams, pluginAuthParams, listen, post }
